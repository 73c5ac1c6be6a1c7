/* test-a11y.c: what a screen reader gets, in-process through GTK's test
 * accessibility API: every control of every view (and of the header bar)
 * has a name, read once (no "_Start Start"); every picture drawn in code
 * has a description of what it shows now; the view on screen is the one
 * not hidden.  LL_A11Y_REPORT=1 prints every name and description. */
#include <adwaita.h>
#include <string.h>

#include "ll-test-ui.h"
#include "ll-a11y.h"
#include "ll-document.h"
#include "ll-train-view.h"
#include "ll-view.h"
#include "ll-views.h"
#include "ll-window.h"

#define SUBPROCESS_TIMEOUT (90 * G_USEC_PER_SEC)

/* Widgets that draw a picture in code. */
static const char *const picture_types[] = {
  "LlLineChart", "LlConfusionMatrix", "LlFeatureGrid", "LlImageGrid", "LlNetworkDiagram",
  "LlDrawPad", "LlContourMap", "LlStepPlot", "LlNumberGrid", "GtkDrawingArea",
};

static gboolean
is_picture (GtkWidget *widget)
{
  for (guint i = 0; i < G_N_ELEMENTS (picture_types); i++)
    if (g_str_equal (G_OBJECT_TYPE_NAME (widget), picture_types[i]))
      {
        /* A colour swatch beside a name is decoration, not a picture. */
        if (GTK_IS_DRAWING_AREA (widget))
          return gtk_drawing_area_get_content_width (GTK_DRAWING_AREA (widget)) >= 24
                 && gtk_drawing_area_get_content_height (GTK_DRAWING_AREA (widget)) >= 24;
        return TRUE;
      }
  return FALSE;
}

static void
where (GtkWidget *widget, GString *out)
{
  GtkWidget *w = widget;

  for (int depth = 0; w != NULL && depth < 5; depth++, w = gtk_widget_get_parent (w))
    {
      const char *tip = gtk_widget_get_tooltip_text (w);

      g_string_append_printf (out, "%s%s", depth ? " < " : "", G_OBJECT_TYPE_NAME (w));
      if (GTK_IS_BUTTON (w) && gtk_button_get_icon_name (GTK_BUTTON (w)) != NULL)
        g_string_append_printf (out, " [%s]", gtk_button_get_icon_name (GTK_BUTTON (w)));
      if (depth == 0 && tip != NULL)
        g_string_append_printf (out, " (tooltip “%.30s”)", tip);
    }
}

/* "_Start Start": a mnemonic read raw, then again from the label. */
static gboolean
doubled (const char *name)
{
  const char *space = strchr (name, ' ');
  g_autofree char *first = NULL;
  GString *stripped;
  gboolean twice;

  if (strchr (name, '_') == NULL || space == NULL)
    return FALSE;
  first = g_strndup (name, space - name);
  stripped = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (stripped, *p);
  /* "_Start Start" → "Start Start": both halves equal. */
  {
    gsize half = stripped->len / 2;
    twice = stripped->len % 2 == 1 && stripped->str[half] == ' '
            && strncmp (stripped->str, stripped->str + half + 1, half) == 0;
  }
  g_string_free (stripped, TRUE);
  return twice;
}

static void
walk (GtkWidget *widget, GString *problems, int *n_controls, int *n_pictures)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_NATIVE (widget) && !GTK_IS_ROOT (widget))
    return;                     /* popovers: built when opened */

  if (ll_a11y_is_control (widget))
    {
      g_autofree char *name = ll_a11y_dup_name (widget);

      (*n_controls)++;
      if (name[0] == '\0' || doubled (name))
        {
          g_string_append_printf (problems, "  control %s “%s”: ", name[0] ? "named" : "without a name", name);
          where (widget, problems);
          g_string_append_c (problems, '\n');
        }
      else if (g_getenv ("LL_A11Y_REPORT") != NULL)
        g_printerr ("#   %s: %s\n", G_OBJECT_TYPE_NAME (widget), name);
    }
  if (is_picture (widget))
    {
      g_autofree char *description = ll_a11y_dup_description (widget);

      (*n_pictures)++;
      if (description[0] == '\0')
        {
          g_string_append (problems, "  picture without a description: ");
          where (widget, problems);
          g_string_append_c (problems, '\n');
        }
      else if (g_getenv ("LL_A11Y_REPORT") != NULL)
        g_printerr ("#   %s says: %s\n", G_OBJECT_TYPE_NAME (widget), description);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    walk (c, problems, n_controls, n_pictures);
}

static void
test_view (gconstpointer data)
{
  const char *view_name = data;
  LlWindow *window;
  GtkWidget *view, *content;
  g_autoptr(GString) problems = g_string_new (NULL);
  int n_controls = 0, n_pictures = 0;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (!g_test_trap_has_passed ())
        g_test_fail_printf ("the %s view is not fully accessible (its messages above)", view_name);
      return;
    }

  window = g_object_ref (ll_window_new (NULL, NULL));
  ll_window_set_view (window, view_name);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ll_test_iterate_for (800);

  /* The view on screen is shown, the others hidden. */
  for (guint i = 0; i < ll_n_views; i++)
    {
      GtkWidget *other = ll_window_get_view_widget (window, ll_views[i].name);
      gboolean shown = g_str_equal (ll_views[i].name, view_name);
      g_autofree char *wrong = gtk_test_accessible_check_state (GTK_ACCESSIBLE (other),
                                                                GTK_ACCESSIBLE_STATE_HIDDEN, !shown);

      if (wrong != NULL)
        g_string_append_printf (problems, "  the %s view is marked hidden = %s while %s\n",
                                ll_views[i].name, wrong, shown ? "shown" : "not shown");
    }

  view = ll_window_get_view_widget (window, view_name);
  walk (view, problems, &n_controls, &n_pictures);
  /* The header bar, where Alt+1…6 leaves the focus. */
  content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  walk (gtk_widget_get_first_child (gtk_widget_get_first_child (content)), problems,
        &n_controls, &n_pictures);
  g_printerr ("# %s: %d controls, %d pictures\n", view_name, n_controls, n_pictures);
  g_assert_cmpint (n_controls, >, 3);
  if (problems->len > 0)
    g_error ("the %s view:\n%s", view_name, problems->str);

  gtk_window_destroy (GTK_WINDOW (window));
  ll_test_iterate_for (50);
  g_object_unref (window);
}

/* Keyboard ------------------------------------------------------------- */

/* Sends a key to the window's own key handler, as GTK does once the
 * focused widget has let it through. */
static gboolean
press (LlWindow *window, guint keyval, GdkModifierType state)
{
  GListModel *controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, state, &handled);
    }
  g_object_unref (controllers);
  return handled;
}

static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Ctrl+Return starts and Escape stops a run with the focus in the header
 * bar (where Alt+1…6 leaves it), from another view; Escape then leaves
 * presentation mode; F6 from the view switcher reaches Start in ≤ 5. */
static void
test_keyboard (void)
{
  LlWindow *window;
  GtkWidget *train, *start, *switcher_button;
  int presses = 0;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  window = g_object_ref (ll_window_new (NULL, NULL));
  ll_window_set_fullscreen_presentation (window, FALSE);
  ll_window_set_view (window, "model");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ll_test_iterate_for (500);
  train = ll_window_get_view_widget (window, "train");
  start = find_button (train, "_Start");
  g_assert_nonnull (start);

  /* The view switcher's Train tab has the focus (after Alt+2). */
  switcher_button = ll_test_find_type (GTK_WIDGET (window), "AdwViewSwitcherButton");
  g_assert_nonnull (switcher_button);
  g_assert_true (gtk_widget_grab_focus (switcher_button));
  ll_window_set_view (window, "train");
  ll_test_iterate_for (200);
  while (gtk_root_get_focus (GTK_ROOT (window)) != start && presses < 10)
    {
      g_assert_true (press (window, GDK_KEY_F6, 0));
      presses++;
    }
  g_printerr ("# Start reached with %d presses of F6 from the view switcher\n", presses);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == start);
  g_assert_cmpint (presses, <=, 5);

  /* Ctrl+Return from the header bar, in the Model view. */
  ll_window_set_view (window, "model");
  g_assert_true (gtk_widget_grab_focus (switcher_button));
  g_assert_false (ll_train_view_get_busy (LL_TRAIN_VIEW (train)));
  g_assert_true (press (window, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_cmpstr (ll_window_get_view (window), ==, "train");
  g_assert_true (ll_train_view_get_busy (LL_TRAIN_VIEW (train)));

  /* Escape from the header bar stops it; the next one leaves presentation. */
  ll_window_set_presentation (window, TRUE);
  g_assert_true (gtk_widget_grab_focus (switcher_button));
  g_assert_true (press (window, GDK_KEY_Escape, 0));
  for (int i = 0; i < 200 && ll_train_view_get_busy (LL_TRAIN_VIEW (train)); i++)
    ll_test_iterate_for (50);
  g_assert_false (ll_train_view_get_busy (LL_TRAIN_VIEW (train)));
  g_assert_true (ll_window_get_presentation (window));
  g_assert_true (press (window, GDK_KEY_Escape, 0));
  g_assert_false (ll_window_get_presentation (window));
  g_assert_false (press (window, GDK_KEY_Escape, 0));   /* nothing left: Escape goes on */

  gtk_window_destroy (GTK_WINDOW (window));
  ll_test_iterate_for (50);
  g_object_unref (window);
}

int
main (int argc, char **argv)
{
  /* The in-process test backend (the suite's environment turns AT-SPI off). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  for (guint i = 0; i < ll_n_views; i++)
    {
      g_autofree char *path = g_strdup_printf ("/a11y/%s", ll_views[i].name);
      g_test_add_data_func (path, ll_views[i].name, test_view);
    }
  g_test_add_func ("/keyboard/start-stop-panes", test_keyboard);
  return g_test_run ();
}
