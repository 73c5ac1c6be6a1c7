/* test-i18n-ui.c: under LANGUAGE=ko every view shows Korean, and so does
 * the command line's error, from the catalogs built into build/po.
 *
 * Each expected text is looked up in the catalog at run time (so that the
 * test follows po/ko.po) and must differ from the English and contain
 * Hangul; then a widget of the view must show it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ll-document.h"
#include "ll-views.h"
#include "ll-window.h"

static gboolean
has_hangul (const char *s)
{
  for (; *s; s = g_utf8_next_char (s))
    {
      gunichar c = g_utf8_get_char (s);
      if (c >= 0xAC00 && c <= 0xD7A3)
        return TRUE;
    }
  return FALSE;
}

/* The widget under root whose label, button label, row title or tooltip is
 * text, or NULL. */
static GtkWidget *
find_text (GtkWidget *root, const char *text)
{
  const char *shown[4] = { NULL, NULL, NULL, NULL };

  if (GTK_IS_LABEL (root))
    shown[0] = gtk_label_get_label (GTK_LABEL (root));
  if (GTK_IS_BUTTON (root))
    shown[1] = gtk_button_get_label (GTK_BUTTON (root));
  if (ADW_IS_PREFERENCES_ROW (root))
    shown[2] = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root));
  shown[3] = gtk_widget_get_tooltip_text (root);
  for (int i = 0; i < 4; i++)
    if (g_strcmp0 (shown[i], text) == 0)
      return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_text (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static const struct {
  const char *view;
  const char *english;   /* a msgid the view shows */
} expected[] = {
  { "model", "Layer Types" },
  { "model", "Fully connected: every output neuron sees every input value." },   /* the engine's table */
  { "train", "_Start" },
  { "train", "Batch size" },          /* a setting's title, from the engine's table */
  { "train", "Learning rate" },
  { "inspect", "Test Image" },
  { "optimizers", "Playback" },
  { "draw", "Brush" },
  { "data", "Data sets on this computer" },
};

static void
test_views (void)
{
  LlDocument *doc = ll_document_new ();
  LlWindow *window = g_object_ref (ll_window_new (NULL, doc));

  gtk_window_present (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const char *korean = _(expected[i].english);
      GtkWidget *view = ll_window_get_view_widget (window, expected[i].view);

      g_test_message ("%s: “%s” → “%s”", expected[i].view, expected[i].english, korean);
      g_assert_cmpstr (korean, !=, expected[i].english);
      g_assert_true (has_hangul (korean));
      ll_window_set_view (window, expected[i].view);
      for (int k = 0; k < 20; k++)
        g_main_context_iteration (NULL, FALSE);
      g_assert_nonnull (view);
      if (find_text (view, korean) == NULL)
        g_error ("the %s view shows no “%s” (%s)", expected[i].view, korean, expected[i].english);
    }
  /* the view switcher's titles, with their context */
  for (guint i = 0; i < ll_n_views; i++)
    g_assert_true (has_hangul (g_dpgettext2 (NULL, "view", ll_views[i].title)));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_object_unref (doc);
}

static char *
cli_error (const char *language)
{
  const char *argv[] = { LAYERLAB_EXE, "export", NULL };
  g_auto(GStrv) env = g_get_environ ();
  char *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;

  env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
  env = g_environ_unsetenv (env, "LC_ALL");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  return err;
}

static void
test_cli (void)
{
  const char *english = "give --format (c, keras, pytorch or onnx) and --output PATH";
  const char *korean = _(english);
  g_autofree char *ko = cli_error ("ko");
  g_autofree char *en = cli_error ("en");

  g_assert_true (has_hangul (korean));
  g_test_message ("LANGUAGE=ko: %s", ko);
  g_assert_nonnull (strstr (ko, korean));
  /* LANGUAGE=en overrides a Korean desktop */
  g_assert_nonnull (strstr (en, english));
}

int
main (int argc, char **argv)
{
  /* as app/main.c: the desktop's locale, LANGUAGE honoured in C */
  g_setenv ("LANGUAGE", "ko", TRUE);
  g_unsetenv ("LC_ALL");
  setlocale (LC_ALL, "");
  if (g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_PO_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_disable_setlocale ();
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/i18n/ko/views", test_views);
  g_test_add_func ("/i18n/ko/cli", test_cli);
  return g_test_run ();
}
