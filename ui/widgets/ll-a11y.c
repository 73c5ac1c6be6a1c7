/* ll-a11y.c: accessible names and descriptions (GTK 4.8). */
#include "ll-a11y.h"

#include <adwaita.h>
#include <string.h>

/* GTK 4.8 makes a widget's tooltip its accessible description: setting a
 * tooltip (or clearing it) would replace what the picture says it shows,
 * so the description is put back after every tooltip change. */
static void
on_tooltip_changed (GtkWidget *widget)
{
  const char *text = g_object_get_data (G_OBJECT (widget), "ll-a11y-description");

  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    text, -1);
}

void
ll_a11y_describe (GtkWidget *widget, const char *format, ...)
{
  va_list args;
  char *text;
  const char *old;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  old = g_object_get_data (G_OBJECT (widget), "ll-a11y-description");
  if (old == NULL)
    g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (on_tooltip_changed), NULL);
  else if (g_strcmp0 (old, text) == 0)
    {
      g_free (text);
      return;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  g_object_set_data_full (G_OBJECT (widget), "ll-a11y-description", text, g_free);
}

/* The value of a string property, through the only reader GTK 4.8 has. */
static char *
dup_string_property (GtkWidget *widget, GtkAccessibleProperty property)
{
  char *value;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), property))
    return g_strdup ("");
  value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property, "");
  return value != NULL ? value : g_strdup ("");
}

char *
ll_a11y_dup_name (GtkWidget *widget)
{
  g_autofree char *label = NULL;
  GtkWidget *by;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  label = dup_string_property (widget, GTK_ACCESSIBLE_PROPERTY_LABEL);
  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return g_steal_pointer (&label);
  /* GTK 4.8 has no reader for relations: the labelling widget is the one
   * set here, or a button's own label. */
  by = g_object_get_data (G_OBJECT (widget), "ll-a11y-labelled-by");
  if (by == NULL && GTK_IS_BUTTON (widget))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));
      while (child != NULL && !GTK_IS_LABEL (child))
        child = gtk_widget_get_first_child (child);
      by = child;
    }
  if (by != NULL && GTK_IS_LABEL (by))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (by));
      return label[0] != '\0' ? g_strjoin (" ", label, text, NULL) : g_strdup (text);
    }
  if (by == NULL && label[0] == '\0')
    return g_strdup ("(labelled by another widget)");
  return g_steal_pointer (&label);
}

char *
ll_a11y_dup_description (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  return dup_string_property (widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

gboolean
ll_a11y_is_control (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* The parts of a composite control are read as the control. */
  if (parent != NULL && (GTK_IS_SPIN_BUTTON (parent) || GTK_IS_ENTRY (parent)
                         || GTK_IS_SEARCH_ENTRY (parent) || GTK_IS_PASSWORD_ENTRY (parent)))
    return FALSE;
  if (GTK_IS_LIST_BOX_ROW (widget))
    return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget))
           && gtk_widget_get_focusable (widget)
           && !ADW_IS_PREFERENCES_ROW (widget);
  switch (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)))
    {
    case GTK_ACCESSIBLE_ROLE_BUTTON:
    case GTK_ACCESSIBLE_ROLE_CHECKBOX:
    case GTK_ACCESSIBLE_ROLE_RADIO:
    case GTK_ACCESSIBLE_ROLE_SWITCH:
    case GTK_ACCESSIBLE_ROLE_SLIDER:
    case GTK_ACCESSIBLE_ROLE_SPIN_BUTTON:
    case GTK_ACCESSIBLE_ROLE_TEXT_BOX:
    case GTK_ACCESSIBLE_ROLE_SEARCH_BOX:
    case GTK_ACCESSIBLE_ROLE_COMBO_BOX:
    case GTK_ACCESSIBLE_ROLE_LINK:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
has_name (GtkWidget *widget)
{
  g_autofree char *name = ll_a11y_dup_name (widget);
  return name[0] != '\0';
}

/* "Open a model file (Ctrl+O)" → "Open a model file"; "Play / pause
 * (Space)" → "Play / pause": the tooltip's first clause. */
static char *
name_from_tooltip (const char *tooltip)
{
  GString *s = g_string_new (NULL);

  for (const char *p = tooltip; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '(' || c == '\n' || c == ';' || c == ':' || (c == '.' && (p[1] == ' ' || p[1] == '\0'))
          || c == 0x2014 /* — */)
        break;
      g_string_append_unichar (s, c);
    }
  while (s->len > 0 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  if (s->len == 0)
    g_string_assign (s, tooltip);
  return g_string_free (s, FALSE);
}

static void
set_label (GtkWidget *widget, const char *text)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
labelled_by (GtkWidget *widget, GtkWidget *label)
{
  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  g_object_set_data (G_OBJECT (widget), "ll-a11y-labelled-by", label);
}

static char *
strip_mnemonic (const char *label)
{
  GString *s = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    if (*p == '_' && p[1] == '_')
      g_string_append_c (s, *p++);      /* "__" is one underscore */
    else if (*p != '_')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

/* GTK 4.8 names a button with a mnemonic by its raw text and by its
 * label child: "_Start Start".  Once, without the underscore. */
static void
fix_mnemonic (GtkButton *button)
{
  const char *label = gtk_button_get_label (button);
  g_autofree char *text = NULL;

  if (label == NULL || !gtk_button_get_use_underline (button) || strchr (label, '_') == NULL)
    return;
  text = strip_mnemonic (label);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  set_label (GTK_WIDGET (button), text);
}

static const char *
string_item (GListModel *model, guint position)
{
  g_autoptr(GObject) item = model != NULL ? g_list_model_get_item (model, position) : NULL;

  if (item != NULL && GTK_IS_STRING_OBJECT (item))
    return g_intern_string (gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
  return NULL;
}

static void
update_drop_down_button (GtkDropDown *drop)
{
  GtkWidget *button = g_object_get_data (G_OBJECT (drop), "ll-a11y-button");
  g_autofree char *name = ll_a11y_dup_name (GTK_WIDGET (drop));
  const char *choice;
  g_autofree char *text = NULL;

  if (button == NULL)
    return;
  choice = string_item (gtk_drop_down_get_model (drop), gtk_drop_down_get_selected (drop));
  text = choice != NULL ? g_strdup_printf ("%s: %s", name, choice) : g_strdup (name);
  set_label (button, text);
}

/* The label a sighted user reads before the control, in its box. */
static GtkWidget *
label_before (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_prev_sibling (widget); w != NULL; w = gtk_widget_get_prev_sibling (w))
    {
      if (!gtk_widget_get_visible (w))
        continue;
      if (GTK_IS_LABEL (w) && gtk_label_get_text (GTK_LABEL (w))[0] != '\0')
        return w;
      return NULL;
    }
  return NULL;
}

static GtkWidget *
first_label (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (c) && gtk_label_get_text (GTK_LABEL (c))[0] != '\0')
        return c;
      if ((found = first_label (c)) != NULL)
        return found;
    }
  return NULL;
}

static void
name_one (GtkWidget *widget)
{
  GtkWidget *row, *label;
  const char *tooltip;

  if (GTK_IS_BUTTON (widget) && !g_object_get_data (G_OBJECT (widget), "ll-a11y-mnemonic"))
    {
      g_object_set_data (G_OBJECT (widget), "ll-a11y-mnemonic", GINT_TO_POINTER (1));
      g_signal_connect (widget, "notify::label", G_CALLBACK (fix_mnemonic), NULL);
    }
  if (GTK_IS_BUTTON (widget))
    fix_mnemonic (GTK_BUTTON (widget));
  if (GTK_IS_DROP_DOWN (widget) && !g_object_get_data (G_OBJECT (widget), "ll-a11y-button"))
    {
      /* The drop-down's own toggle button is what a screen reader lands on. */
      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_TOGGLE_BUTTON (c))
          {
            g_object_set_data (G_OBJECT (widget), "ll-a11y-button", c);
            g_object_set_data (G_OBJECT (c), "ll-a11y-mnemonic", GINT_TO_POINTER (1));
            g_signal_connect (widget, "notify::selected", G_CALLBACK (update_drop_down_button), NULL);
            g_signal_connect (widget, "notify::model", G_CALLBACK (update_drop_down_button), NULL);
          }
    }
  if (!ll_a11y_is_control (widget) || g_object_get_data (G_OBJECT (widget), "ll-a11y-inner") != NULL)
    return;
  if (!has_name (widget))
    {
      if ((row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW)) != NULL
          && adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))[0] != '\0')
        set_label (widget, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
      else if (GTK_IS_LIST_BOX_ROW (widget) && (label = first_label (widget)) != NULL)
        set_label (widget, gtk_label_get_text (GTK_LABEL (label)));
      else if ((label = label_before (widget)) != NULL)
        labelled_by (widget, label);
      else if ((tooltip = gtk_widget_get_tooltip_text (widget)) != NULL && tooltip[0] != '\0')
        {
          g_autofree char *name = name_from_tooltip (tooltip);
          set_label (widget, name);
        }
      else if (GTK_IS_CHECK_BUTTON (widget) && gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)) != NULL)
        set_label (widget, gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)));
      else if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) != NULL)
        {
          g_autofree char *text = strip_mnemonic (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)));
          set_label (widget, text);
        }
      else if (GTK_IS_EXPANDER (widget) && gtk_expander_get_label (GTK_EXPANDER (widget)) != NULL)
        {
          g_autofree char *text = strip_mnemonic (gtk_expander_get_label (GTK_EXPANDER (widget)));
          set_label (widget, text);
        }
      else
        {
          /* A text in a stack page: the page's title ("Keras", "Summary"). */
          for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
            {
              GtkWidget *parent = gtk_widget_get_parent (w);

              if (parent != NULL && GTK_IS_STACK (parent))
                {
                  const char *title = gtk_stack_page_get_title (gtk_stack_get_page (GTK_STACK (parent), w));
                  if (title != NULL && title[0] != '\0')
                    {
                      g_autofree char *text = strip_mnemonic (title);
                      set_label (widget, text);
                    }
                  break;
                }
            }
        }
    }
  if (GTK_IS_DROP_DOWN (widget))
    update_drop_down_button (GTK_DROP_DOWN (widget));
}

static void
name_tree (GtkWidget *widget)
{
  if (GTK_IS_NATIVE (widget) && !GTK_IS_ROOT (widget))
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    name_tree (c);
  name_one (widget);
}

void
ll_a11y_name_controls (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));
  name_tree (root);
}
