/* ll-keep-words.c: Hangul words stay whole when a label wraps.
 *
 * Korean puts spaces between words, and a line should break at those
 * spaces.  Pango breaks between any two Hangul syllables (UAX #14 treats
 * them like ideographs), so a wrapped label in the Korean translation could
 * end a line in the middle of a word ("채" / "널").  Each maximal run of
 * Hangul gets an allow_breaks=false attribute; breaks stay allowed at
 * spaces and around Latin text, so long paths still wrap. */

#include "ll-keep-words.h"

static gboolean
is_hangul (gunichar c)
{
  return (c >= 0xAC00 && c <= 0xD7A3)    /* syllables */
      || (c >= 0x1100 && c <= 0x11FF)    /* jamo */
      || (c >= 0x3130 && c <= 0x318F)    /* compatibility jamo */
      || (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF);
}

static gboolean
is_ours (PangoAttribute *attr, gpointer data)
{
  return attr->klass->type == PANGO_ATTR_ALLOW_BREAKS;
}

/* Adds an allow_breaks=false attribute over each run of two or more
 * Hangul characters of text; TRUE if it added any. */
static gboolean
add_runs (PangoAttrList *attrs, const char *text)
{
  const char *p, *run = NULL;
  gboolean added = FALSE;

  for (p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean h = c != 0 && is_hangul (c);

      if (h && run == NULL)
        run = p;
      else if (!h && run != NULL)
        {
          if (g_utf8_next_char (run) < p)   /* one syllable has nothing to keep together */
            {
              PangoAttribute *a = pango_attr_allow_breaks_new (FALSE);

              a->start_index = run - text;
              a->end_index = p - text;
              pango_attr_list_insert (attrs, a);
              added = TRUE;
            }
          run = NULL;
        }
      if (c == 0)
        return added;
    }
}

void
ll_keep_words_apply (GtkLabel *label)
{
  const char *text = gtk_label_get_text (label);
  PangoAttrList *old = gtk_label_get_attributes (label);
  PangoAttrList *attrs;
  PangoAttrList *gone = NULL;
  gboolean added;

  if (text == NULL)
    return;
  /* the runs of the previous text go, other attributes stay */
  attrs = old != NULL ? pango_attr_list_copy (old) : pango_attr_list_new ();
  if (old != NULL)
    gone = pango_attr_list_filter (attrs, is_ours, NULL);
  added = add_runs (attrs, text);
  if (added || gone != NULL)
    gtk_label_set_attributes (label, attrs);
  if (gone != NULL)
    pango_attr_list_unref (gone);
  pango_attr_list_unref (attrs);
}

static void
on_label_changed (GtkLabel *label, GParamSpec *pspec, gpointer data)
{
  ll_keep_words_apply (label);
}

/* GObject::notify takes no emission hooks: a label is looked after from
 * the first time it is mapped, which comes before its first layout. */
static gboolean
on_map (GSignalInvocationHint *hint, guint n_values, const GValue *values, gpointer data)
{
  static GQuark watched;
  GObject *object = g_value_get_object (&values[0]);

  if (!GTK_IS_LABEL (object))
    return TRUE;
  if (watched == 0)
    watched = g_quark_from_static_string ("ll-keep-words");
  if (g_object_get_qdata (object, watched) == NULL)
    {
      g_object_set_qdata (object, watched, GINT_TO_POINTER (1));
      g_signal_connect (object, "notify::label", G_CALLBACK (on_label_changed), NULL);
      ll_keep_words_apply (GTK_LABEL (object));
    }
  return TRUE;   /* stay installed */
}

void
ll_keep_words_install (void)
{
  static gboolean installed = FALSE;

  if (installed)
    return;
  installed = TRUE;
  g_type_class_unref (g_type_class_ref (GTK_TYPE_LABEL));
  g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0, on_map, NULL, NULL);
}
