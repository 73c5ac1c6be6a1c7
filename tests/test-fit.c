/* test-fit.c: every view fits the projectors' screens (1024×768 and
 * 1280×720), in normal and presentation mode: the window's minimum size
 * fits the screen, no visible widget lies outside the window, nothing
 * scrolls sideways and no label breaks a line inside a word.
 *
 * LL_FIT_REPORT=1 prints each view's minimum width (with the header bar)
 * in both modes, for the report's before/after table. */
#include <adwaita.h>
#include <string.h>

#include "ll-test-ui.h"
#include "ll-document.h"
#include "ll-feature-grid.h"
#include "ll-presentation.h"
#include "ll-view.h"
#include "ll-views.h"
#include "ll-window.h"

#define SUBPROCESS_TIMEOUT (90 * G_USEC_PER_SEC)

typedef struct {
  const char *view;
  int width, height;
  gboolean presentation;
} FitCase;

static gboolean
inside_scroller (GtkWidget *widget, GtkWidget *top)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL && w != top; w = gtk_widget_get_parent (w))
    if (GTK_IS_SCROLLED_WINDOW (w) || GTK_IS_VIEWPORT (w))
      return TRUE;
  return FALSE;
}

static void
describe (GtkWidget *widget, GString *out)
{
  GtkWidget *w = widget;

  for (int depth = 0; w != NULL && depth < 6; depth++, w = gtk_widget_get_parent (w))
    {
      const char *label = GTK_IS_LABEL (w) ? gtk_label_get_text (GTK_LABEL (w))
                          : GTK_IS_BUTTON (w) ? gtk_button_get_label (GTK_BUTTON (w)) : NULL;
      g_string_append_printf (out, "%s%s%s%s%s", depth ? " < " : "", G_OBJECT_TYPE_NAME (w),
                              gtk_widget_get_name (w)[0] && !g_str_equal (gtk_widget_get_name (w), G_OBJECT_TYPE_NAME (w)) ? "#" : "",
                              gtk_widget_get_name (w)[0] && !g_str_equal (gtk_widget_get_name (w), G_OBJECT_TYPE_NAME (w)) ? gtk_widget_get_name (w) : "",
                              "");
      if (label != NULL)
        g_string_append_printf (out, " “%.40s”", label);
      g_string_append_printf (out, " [%d]", gtk_widget_get_width (w));
    }
}

/* A line of a wrapped label that starts inside a word. */
static gboolean
wraps_inside_word (GtkLabel *label)
{
  PangoLayout *layout;
  const char *text;
  GSList *lines;

  if (!gtk_label_get_wrap (label))
    return FALSE;
  layout = gtk_label_get_layout (label);
  text = pango_layout_get_text (layout);
  lines = pango_layout_get_lines_readonly (layout);
  for (GSList *l = lines != NULL ? lines->next : NULL; l != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;
      const char *at = text + line->start_index;
      const char *before;
      gunichar c, b;

      if (line->start_index <= 0)
        continue;
      before = g_utf8_prev_char (at);
      c = g_utf8_get_char (at);
      b = g_utf8_get_char (before);
      if (g_unichar_isalnum (c) && g_unichar_isalnum (b))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_code (GtkWidget *scrolled)
{
  GtkWidget *child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));

  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));
  /* The network diagram zooms to keep its labels readable and scrolls. */
  return child != NULL && (gtk_widget_has_css_class (child, "code-view")
                           || gtk_widget_has_css_class (child, "summary-view")
                           || g_str_equal (G_OBJECT_TYPE_NAME (child), "LlNetworkDiagram"));
}

/* The widgets wider than the width they are given, deepest first. */
static gboolean
wide_children (GtkWidget *widget, double width, GString *out)
{
  gboolean found = FALSE;
  int min;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_get_visible (c))
      found |= wide_children (c, width, out);
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (!found && min > width && !GTK_IS_SCROLLED_WINDOW (widget) && !GTK_IS_VIEWPORT (widget))
    {
      g_string_append_printf (out, "    needs %d: ", min);
      describe (widget, out);
      g_string_append_c (out, '\n');
      return TRUE;
    }
  return found;
}

static void
dump_heights (GtkWidget *w, int width, int depth)
{
  int mh;

  gtk_widget_measure (w, GTK_ORIENTATION_VERTICAL, width, &mh, NULL, NULL, NULL);
  if (mh < 60 || depth > 9 || !gtk_widget_get_visible (w))
    return;
  g_printerr ("# %*s%s %d (w %d)\n", depth * 2, "", G_OBJECT_TYPE_NAME (w), mh, gtk_widget_get_width (w));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    dump_heights (c, gtk_widget_get_width (c) > 0 ? gtk_widget_get_width (c) : width, depth + 1);
}

static void
collect_flaps (GtkWidget *widget, GPtrArray *flaps)
{
  if (ADW_IS_FLAP (widget))
    g_ptr_array_add (flaps, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_flaps (c, flaps);
}

static void
check_tree (GtkWidget *widget, GtkWidget *window, int width, int height, GString *problems)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (GTK_IS_NATIVE (widget) && widget != window)
    return;                     /* popovers: their own surface */

  /* AdwFlap's shield, which dims the content under an open panel, is
   * clipped by the flap. */
  if (widget != window && !g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwGizmo")
      && !inside_scroller (widget, window) && gtk_widget_get_width (widget) > 0)
    {
      graphene_rect_t b;

      if (gtk_widget_compute_bounds (widget, window, &b)
          && (b.origin.x < -2 || b.origin.y < -2
              || b.origin.x + b.size.width > width + 2
              || b.origin.y + b.size.height > height + 2))
        {
          g_string_append_printf (problems, "  outside (%.0f,%.0f %.0f×%.0f): ",
                                  b.origin.x, b.origin.y, b.size.width, b.size.height);
          describe (widget, problems);
          g_string_append_c (problems, '\n');
          return;               /* its children too, no need to list them */
        }
    }
  if (ADW_IS_FLAP (widget) && g_getenv ("LL_FIT_REPORT") != NULL)
    {
      GtkWidget *f = adw_flap_get_flap (ADW_FLAP (widget));
      int fm, fn;

      gtk_widget_measure (f, GTK_ORIENTATION_HORIZONTAL, -1, &fm, &fn, NULL, NULL);
      g_printerr ("# flap folded %d revealed %d flap %d (min %d nat %d) content %d\n",
                  adw_flap_get_folded (ADW_FLAP (widget)), adw_flap_get_reveal_flap (ADW_FLAP (widget)),
                  gtk_widget_get_width (f), fm, fn,
                  gtk_widget_get_width (adw_flap_get_content (ADW_FLAP (widget))));
    }
  /* Program text keeps its lines (the Model view's code); anything else
   * fits its width. */
  if (GTK_IS_SCROLLED_WINDOW (widget) && !is_code (widget))
    {
      GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (widget));

      if (gtk_adjustment_get_upper (h) - gtk_adjustment_get_lower (h) > gtk_adjustment_get_page_size (h) + 0.5)
        {
          g_string_append_printf (problems, "  scrolls sideways (%.0f in %.0f): ",
                                  gtk_adjustment_get_upper (h) - gtk_adjustment_get_lower (h),
                                  gtk_adjustment_get_page_size (h));
          describe (widget, problems);
          g_string_append_c (problems, '\n');
          wide_children (widget, gtk_adjustment_get_page_size (h), problems);
        }
    }
  if (GTK_IS_LABEL (widget) && wraps_inside_word (GTK_LABEL (widget)))
    {
      g_string_append (problems, "  wraps inside a word: ");
      describe (widget, problems);
      g_string_append_c (problems, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_tree (child, window, width, height, problems);
}

/* Revealers, squeezers and flaps may still be moving on a busy machine:
 * the layout counts once it has settled.  Appends what remains. */
static void
check_settled (GtkWidget *window, int w, int h, GString *problems)
{
  g_autoptr(GString) found = g_string_new (NULL);

  for (int attempt = 0; attempt < 6; attempt++)
    {
      g_string_truncate (found, 0);
      check_tree (window, window, w, h, found);
      if (found->len == 0)
        return;
      ll_test_iterate_for (500);
    }
  g_string_append (problems, found->str);
}

static void
test_fit (gconstpointer data)
{
  const FitCase *c = data;
  LlWindow *window;
  GtkWidget *view;
  int min_w, min_h, w, h;
  g_autoptr(GString) problems = g_string_new (NULL);

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT,
                              G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (!g_test_trap_has_passed ())
        g_test_fail_printf ("%s at %d×%d%s does not fit (its messages above)", c->view, c->width,
                            c->height, c->presentation ? " in presentation mode" : "");
      return;
    }

  window = g_object_ref (ll_window_new (NULL, NULL));
  ll_window_set_fullscreen_presentation (window, FALSE);   /* the screen is c->width × c->height */
  ll_window_set_presentation (window, c->presentation);
  ll_window_set_view (window, c->view);
  gtk_window_set_default_size (GTK_WINDOW (window), c->width, c->height);
  gtk_window_present (GTK_WINDOW (window));
  ll_test_iterate_for (1200);           /* past the revealers' and flaps' animations */

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, c->width, &min_h, NULL, NULL, NULL);
  view = ll_window_get_view_widget (window, c->view);
  if (g_getenv ("LL_FIT_REPORT") != NULL && (c->width == 1024 || g_getenv ("LL_FIT_ANY")))
    {
      GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
      GtkWidget *header = gtk_widget_get_first_child (gtk_widget_get_first_child (content));
      int vw, vh, hw;

      gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, &vw, NULL, NULL, NULL);
      gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, c->width - 10, &vh, NULL, NULL, NULL);
      gtk_widget_measure (header, GTK_ORIENTATION_HORIZONTAL, -1, &hw, NULL, NULL, NULL);
      g_printerr ("# FIT %-10s %-12s view %4d×%-4d header %4d window %4d×%d\n", c->view,
                  c->presentation ? "presentation" : "normal", vw, vh, hw, min_w, min_h);
      for (guint i = 0; i < ll_n_views; i++)
        {
          GtkWidget *other = ll_window_get_view_widget (window, ll_views[i].name);

          gtk_widget_measure (other, GTK_ORIENTATION_HORIZONTAL, -1, &vw, NULL, NULL, NULL);
          gtk_widget_measure (other, GTK_ORIENTATION_VERTICAL, c->width - 10, &vh, NULL, NULL, NULL);
          g_printerr ("#   %s %d×%d\n", ll_views[i].name, vw, vh);
          if (g_strcmp0 (g_getenv ("LL_FIT_REPORT"), ll_views[i].name) == 0)
            dump_heights (other, c->width - 10, 0);
        }
      {
        GtkWidget *box = gtk_widget_get_first_child (content);
        for (GtkWidget *ch = gtk_widget_get_first_child (box); ch; ch = gtk_widget_get_next_sibling (ch))
          {
            gtk_widget_measure (ch, GTK_ORIENTATION_HORIZONTAL, -1, &vw, NULL, NULL, NULL);
            gtk_widget_measure (ch, GTK_ORIENTATION_VERTICAL, c->width - 10, &vh, NULL, NULL, NULL);
            g_printerr ("#   %s %d×%d\n", G_OBJECT_TYPE_NAME (ch), vw, vh);
          }
      }
    }
  g_assert_cmpint (min_w, <=, c->width);
  g_assert_cmpint (min_h, <=, c->height);

  w = gtk_widget_get_width (GTK_WIDGET (window));
  h = gtk_widget_get_height (GTK_WIDGET (window));
  /* The window's own frame (client-side decorations) takes a few pixels. */
  g_assert_cmpint (w, <=, c->width);
  g_assert_cmpint (w, >=, c->width - 24);
  g_assert_cmpint (h, <=, c->height);
  g_assert_cmpint (h, >=, c->height - 24);
  g_assert_true (gtk_widget_get_mapped (view));
  check_settled (GTK_WIDGET (window), w, h, problems);

  /* The folded side panels, opened, fit as well. */
  {
    g_autoptr(GPtrArray) flaps = g_ptr_array_new ();

    collect_flaps (view, flaps);
    for (guint i = 0; i < flaps->len; i++)
      if (adw_flap_get_folded (flaps->pdata[i]))
        {
          adw_flap_set_reveal_flap (flaps->pdata[i], TRUE);
          ll_test_iterate_for (700);
          check_settled (GTK_WIDGET (window), w, h, problems);
          adw_flap_set_reveal_flap (flaps->pdata[i], FALSE);
          ll_test_iterate_for (400);
        }
  }
  if (problems->len > 0)
    g_error ("%s at %d×%d%s:\n%s", c->view, c->width, c->height,
             c->presentation ? " in presentation mode" : "", problems->str);

  gtk_window_destroy (GTK_WINDOW (window));
  ll_test_iterate_for (50);
  g_object_unref (window);
}

/* The 27-layer CIFAR-10 preset: the diagram keeps a zoom at which its
 * labels are readable and scrolls sideways, in both modes. */
static void
test_diagram_27_layers (void)
{
  LlWindow *window;
  GtkWidget *diagram;
  g_autoptr(GError) error = NULL;
  int min_w, min_9;

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
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  gtk_window_present (GTK_WINDOW (window));
  ll_test_iterate_for (500);
  diagram = ll_test_find_type (ll_window_get_view_widget (window, "model"), "LlNetworkDiagram");
  g_assert_nonnull (diagram);
  gtk_widget_measure (diagram, GTK_ORIENTATION_HORIZONTAL, -1, &min_9, NULL, NULL, NULL);
  g_assert_true (ll_document_load_preset (ll_window_get_document (window), "cifar10-cnn", &error));
  g_assert_no_error (error);
  ll_test_iterate_for (500);
  gtk_widget_measure (diagram, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  g_printerr ("# diagram: 9 layers need %d px, 27 layers %d px (the pane scrolls)\n", min_9, min_w);
  /* ~80 px per layer at least: the labels are not squeezed to 3 px. */
  g_assert_cmpint (min_w, >, 27 * 60);
  g_assert_cmpint (gtk_widget_get_width (diagram), >=, min_w);
  if (g_getenv ("LL_FIT_REPORT") != NULL)
    g_assert_true (ll_widget_save_png (diagram, "diagram-27.png", NULL));
  /* Presentation's larger text needs a smaller zoom for 10 px labels, so
   * the diagram's own minimum is measured again. */
  ll_window_set_presentation (window, TRUE);
  ll_test_iterate_for (800);
  gtk_widget_measure (diagram, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  g_assert_cmpint (min_w, >, 27 * 60);
  g_assert_cmpint (gtk_widget_get_width (diagram), >=, min_w);
  gtk_window_destroy (GTK_WINDOW (window));
  ll_test_iterate_for (50);
  g_object_unref (window);
}

int
main (int argc, char **argv)
{
  static const struct { int w, h; } sizes[] = { { 1024, 768 }, { 1280, 720 } };
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  {
    /* What AdwApplication does for the application: presentation mode's
     * text sizes live in style.css. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    ll_ui_ensure_resources ();
    gtk_css_provider_load_from_resource (css, "/io/github/layerlab/Layerlab/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  for (guint i = 0; i < ll_n_views; i++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int p = 0; p < 2; p++)
        {
          FitCase *c = g_new0 (FitCase, 1);
          g_autofree char *path = NULL;

          c->view = ll_views[i].name;
          c->width = sizes[s].w;
          c->height = sizes[s].h;
          c->presentation = p;
          path = g_strdup_printf ("/fit/%s/%dx%d/%s", c->view, c->width, c->height,
                                  p ? "presentation" : "normal");
          g_test_add_data_func (path, c, test_fit);
          g_ptr_array_add (cases, c);
        }
  g_test_add_func ("/fit/diagram-27-layers", test_diagram_27_layers);
  return g_test_run ();
}
