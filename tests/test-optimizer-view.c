/* test-optimizer-view.c: the Optimizers view under a display (xvfb-run).
 * Stepping through its action moves every path by one point, the points
 * are those of an LlRace run on its own, the map draws them (frames are
 * rendered, including after a start point change that must drop the path
 * cache), the exports write what they should, the loss-landscape mode
 * maps a document's model (MNIST from the shared data), and the view
 * finalizes.  The step plot's log axis reads as plain numbers with
 * several labels; LL_OPTIMIZER_DEMO starts the race some steps in; in
 * presentation mode the map keeps its size. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ll-contour-map.h"
#include "ll-document.h"
#include "ll-optimizer-view.h"
#include "ll-step-plot.h"
#include "ll-surface.h"
#include "ll-test-util.h"
#include "ll-dataset-import.h"
#include "ll-presentation.h"
#include "ll-window.h"
#include "ll-view.h"

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
has_size (GtkWidget *widget)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (10000, timed_out, &expired);

  while (!(gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 100) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return !expired;
}

static GtkWidget *
find_widget (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Snapshots the map and renders it, as a frame would. */
static void
render_map (GtkWidget *map)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GdkTexture *texture;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (map));

  GTK_WIDGET_GET_CLASS (map)->snapshot (map, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (map),
                                                              gtk_widget_get_height (map)));
  g_assert_nonnull (texture);
  g_object_unref (texture);
  gsk_render_node_unref (node);
}

/* Every path of the view's race equals that of a fresh race from the same
 * start with the same configs, point for point. */
static void
assert_paths_match (LlRace *race, LlSurfaceKind kind, guint n_steps)
{
  g_autoptr (LlSurface) surface = ll_surface_new (kind);
  g_autoptr (LlRace) own = ll_race_new (surface, 2000);
  double x, y;

  ll_race_get_start (race, &x, &y);
  ll_race_set_start (own, x, y);
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    g_assert_true (ll_race_set_config (own, e, ll_race_get_config (race, e), NULL));
  for (guint i = 0; i < n_steps; i++)
    ll_race_step (own);

  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n, m;
      const float *p = ll_race_get_path (race, e, &n);
      const float *q = ll_race_get_path (own, e, &m);

      g_assert_false (ll_race_entry_diverged (race, e));
      g_assert_cmpuint (n, ==, n_steps + 1);
      g_assert_cmpuint (m, ==, n);
      g_assert_cmpmem (p, 2 * n * sizeof (float), q, 2 * m * sizeof (float));
    }
}

static void
test_step (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_new (LL_TYPE_OPTIMIZER_VIEW, NULL);
  GtkWidget *map;
  g_autoptr (LlSurface) rosenbrock = ll_surface_new (LL_SURFACE_ROSENBROCK);
  LlRace *race;
  const guint n_steps = 37;

  g_object_ref_sink (view);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  map = find_widget (view, LL_TYPE_CONTOUR_MAP);
  g_assert_nonnull (map);
  g_assert_true (has_size (map));

  ll_optimizer_view_set_surface (LL_OPTIMIZER_VIEW (view), rosenbrock);
  ll_optimizer_view_set_start (LL_OPTIMIZER_VIEW (view), -1.2, 1);
  race = ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view));
  g_assert_true (ll_race_get_surface (race) == rosenbrock);
  g_assert_cmpuint (ll_race_get_n_steps (race), ==, 0);

  for (guint i = 0; i < n_steps; i++)
    {
      g_assert_true (gtk_widget_activate_action (view, "optimizers.step", NULL));
      /* Frames in between: the map caches what it drew of the paths. */
      if (i % 5 == 0)
        render_map (map);
    }
  g_assert_cmpfloat (ll_optimizer_view_get_progress (LL_OPTIMIZER_VIEW (view)), ==, n_steps);
  g_assert_cmpuint (ll_race_get_n_steps (race), ==, n_steps);
  assert_paths_match (race, LL_SURFACE_ROSENBROCK, n_steps);
  render_map (map);

  /* A new start point rewinds; the cached drawing must be dropped. */
  ll_optimizer_view_set_start (LL_OPTIMIZER_VIEW (view), 0.5, 2.5);
  g_assert_cmpuint (ll_race_get_n_steps (race), ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_true (gtk_widget_activate_action (view, "optimizers.step", NULL));
  render_map (map);
  assert_paths_match (race, LL_SURFACE_ROSENBROCK, 3);

  /* Reset goes back to step 0. */
  g_assert_true (gtk_widget_activate_action (view, "optimizers.reset", NULL));
  g_assert_cmpuint (ll_race_get_n_steps (race), ==, 0);
  g_assert_cmpfloat (ll_optimizer_view_get_progress (LL_OPTIMIZER_VIEW (view)), ==, 0);
  render_map (map);

  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

static void
test_export (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_new (LL_TYPE_OPTIMIZER_VIEW, NULL);
  g_autoptr (LlSurface) beale = ll_surface_new (LL_SURFACE_BEALE);
  g_autofree char *dir = g_dir_make_tmp ("layerlab-optim-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "map.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "map.svg", NULL);
  g_autofree char *csv = g_build_filename (dir, "paths.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "paths.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  g_object_ref_sink (view);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (has_size (view));

  ll_optimizer_view_set_surface (LL_OPTIMIZER_VIEW (view), beale);
  ll_optimizer_view_set_start (LL_OPTIMIZER_VIEW (view), 1, 1.5);
  for (guint i = 0; i < 4; i++)
    gtk_widget_activate_action (view, "optimizers.step", NULL);

  /* CSV: a header, then step 0..4 of each of the nine optimizers. */
  g_assert_true (ll_optimizer_view_export_csv (LL_OPTIMIZER_VIEW (view), csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "step,optimizer,x,y,loss");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 5 * LL_RACE_N_ENTRIES + 1);
  g_assert_true (g_str_has_prefix (lines[1], "0,SGD,1,1.5,"));
  g_assert_true (g_str_has_prefix (lines[LL_RACE_N_ENTRIES * 4 + 1], "4,SGD,"));
  {
    /* The last row is Nadam's fourth point, as the race has it. */
    LlRace *race = ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view));
    const float *p = ll_race_get_path (race, LL_RACE_N_ENTRIES - 1, NULL);
    g_auto (GStrv) f = g_strsplit (lines[5 * LL_RACE_N_ENTRIES], ",", -1);
    g_assert_cmpstr (f[1], ==, "Nadam");
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[2], NULL), p[8], 1e-6);
    g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[3], NULL), p[9], 1e-6);
  }
  g_assert_false (ll_optimizer_view_export_csv (LL_OPTIMIZER_VIEW (view), bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* PNG: a picture of at least 800 × 600. */
  g_assert_true (ll_optimizer_view_export_png (LL_OPTIMIZER_VIEW (view), png, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 800);
  g_assert_cmpint (gdk_texture_get_height (texture), >=, 600);

  /* SVG: vectors (paths) plus the heat map as an embedded image. */
  g_clear_pointer (&text, g_free);
  g_assert_true (ll_optimizer_view_export_svg (LL_OPTIMIZER_VIEW (view), svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "<path"));
  g_assert_nonnull (strstr (text, "<image"));
  g_assert_nonnull (strstr (text, "</svg>"));
  g_assert_false (ll_optimizer_view_export_svg (LL_OPTIMIZER_VIEW (view), bad, &error));
  g_assert_nonnull (error);

  g_unlink (png);
  g_unlink (svg);
  g_unlink (csv);
  g_rmdir (dir);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

static gboolean
landscape_shown (GtkWidget *view)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (120000, timed_out, &expired);

  while (ll_surface_get_kind (ll_race_get_surface (ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view))))
         != LL_SURFACE_GRID && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return !expired;
}

/* The text of the item selected in any drop-down under w whose selected
 * item starts with prefix, or NULL. */
static const char *
find_selected_item (GtkWidget *w, const char *prefix)
{
  if (GTK_IS_DROP_DOWN (w))
    {
      gpointer item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (w));
      if (GTK_IS_STRING_OBJECT (item)
          && g_str_has_prefix (gtk_string_object_get_string (item), prefix))
        return gtk_string_object_get_string (item);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      const char *found = find_selected_item (c, prefix);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_landscape (void)
{
  GtkWidget *window, *view;
  g_autoptr (LlDocument) document = NULL;
  g_autoptr (LlDataset) shared = ll_dataset_load_named ("mnist", g_getenv ("LL_SHARED_DATA"), TRUE, NULL);
  g_autofree char *made = NULL;
  LlSurface *surface;
  double x0, x1, y0, y1, sx, sy;

  /* The shared MNIST when it is there, else a small generated one. */
  ll_test_use_data_dir (NULL);
  if (shared == NULL)
    {
      g_autoptr (LlDataset) digits = ll_test_mnist (TRUE, 300);
      g_autoptr (GError) error = NULL;

      made = g_dir_make_tmp ("ll-landscape-XXXXXX", NULL);
      g_assert_nonnull (made);
      g_assert_true (ll_dataset_write_dir (digits, digits, made, &error));
      g_assert_no_error (error);
      ll_test_use_data_dir (made);
    }
  document = ll_document_new ();
  g_assert_nonnull (ll_document_get_model (document));
  /* Tutorial 001's CNN, the model the landscape is timed on
   * (bench-train --landscape): here through the view, its worker and
   * the main loop. */
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (ll_document_load_preset (document, "mnist-cnn", &error));
    g_assert_no_error (error);
  }
  window = gtk_window_new ();
  view = g_object_new (LL_TYPE_OPTIMIZER_VIEW, "document", document, NULL);
  g_object_ref_sink (view);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  {
    gint64 t0 = g_get_monotonic_time ();
    g_assert_true (gtk_widget_activate_action (view, "optimizers.landscape", NULL));
    g_assert_true (landscape_shown (view));
    /* A figure, not a timed test: the UI path of bench-train --landscape. */
    g_test_message ("landscape of the MNIST CNN (%zu parameters) shown after %.1f s",
                    (size_t) ll_model_n_trainable (ll_document_get_model (document)),
                    (g_get_monotonic_time () - t0) / 1e6);
  }
  /* The Surface list names the landscape (not "(None)"). */
  g_assert_nonnull (find_selected_item (view, "Loss landscape of"));
  surface = ll_race_get_surface (ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view)));
  ll_surface_get_view (surface, &x0, &x1, &y0, &y1);
  g_assert_cmpfloat (x0, ==, -1);
  g_assert_cmpfloat (y1, ==, 1);
  ll_surface_get_start (surface, &sx, &sy);
  /* An untrained classifier of 10 classes: loss near ln 10 at the centre. */
  g_assert_cmpfloat (ll_surface_eval (surface, 0, 0, NULL, NULL), >, 1.5);
  g_assert_cmpfloat (ll_surface_eval (surface, 0, 0, NULL, NULL), <, 3.5);
  g_assert_true (gtk_widget_activate_action (view, "optimizers.step", NULL));
  g_assert_cmpuint (ll_race_get_n_steps (ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view))), ==, 1);

  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  if (made != NULL)
    {
      ll_test_use_data_dir (NULL);
      ll_test_remove_tree (made);
    }
}

static void
test_log_ticks (void)
{
  /* Decades written out from 0.001 to 1000, as powers beyond. */
  static const struct {
    double value;
    const char *label;
  } labels[] = {
    { 1e-3, "0.001" }, { 0.01, "0.01" }, { 0.1, "0.1" }, { 1, "1" }, { 10, "10" },
    { 100, "100" }, { 1000, "1000" }, { 1e4, "1e4" }, { 1e-4, "1e-4" }, { 1e-8, "1e-8" },
    { 1e12, "1e12" },
    /* The 1-2-5 ticks between. */
    { 2, "2" }, { 5, "5" }, { 20, "20" }, { 500, "500" }, { 5000, "5000" }, { 0.2, "0.2" },
    { 0.05, "0.05" }, { 0.002, "0.002" }, { 2e-4, "2e-4" }, { 5e4, "5e4" },
    /* Not exactly a power of ten as computed. */
    { 0.1 * 0.1 * 0.1, "0.001" }, { 999.9999999, "1000" },
  };
  double ticks[16];
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      char buf[32];
      ll_step_plot_format_log_tick (labels[i].value, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, labels[i].label);
    }
  for (int d = -12; d <= 12; d++)
    {
      static const char *const plain[] = { "0.001", "0.01", "0.1", "1", "10", "100", "1000" };
      g_autofree char *power = g_strdup_printf ("1e%d", d);
      char buf[32];

      ll_step_plot_format_log_tick (pow (10, d), buf, sizeof buf);
      g_assert_cmpstr (buf, ==, d >= -3 && d <= 3 ? plain[d + 3] : power);
    }

  /* Losses within one decade: 1-2-5 ticks around them, not one lone label. */
  n = ll_step_plot_log_ticks (5.5, 39.25, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat_with_epsilon (ticks[0], 5, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[1], 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[2], 20, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[3], 50, 1e-9);
  /* All losses equal (step 0): three labels around them, never two. */
  n = ll_step_plot_log_ticks (39.25, 39.25, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat_with_epsilon (ticks[0], 20, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[1], 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[2], 100, 1e-9);
  n = ll_step_plot_log_ticks (2, 2, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat_with_epsilon (ticks[0], 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[2], 5, 1e-9);
  /* Many decades: powers of ten only, every other one past six. */
  n = ll_step_plot_log_ticks (1e-8, 39.25, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpuint (n, <=, 7);
  g_assert_cmpfloat (ticks[0], <=, 1e-8);
  g_assert_cmpfloat (ticks[n - 1], >=, 39.25);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (log10 (ticks[i]), round (log10 (ticks[i])), 1e-9);
  n = ll_step_plot_log_ticks (0.003, 40, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat_with_epsilon (ticks[0], 0.001, 1e-12);
  g_assert_cmpfloat_with_epsilon (ticks[5], 100, 1e-9);
}

/* LL_OPTIMIZER_DEMO=N: the view starts N steps in, as if stepped N times. */
static void
test_demo (void)
{
  GtkWidget *view;
  LlRace *race;

  g_setenv ("LL_OPTIMIZER_DEMO", "25", TRUE);
  view = g_object_ref_sink (g_object_new (LL_TYPE_OPTIMIZER_VIEW, NULL));
  g_unsetenv ("LL_OPTIMIZER_DEMO");
  race = ll_optimizer_view_get_race (LL_OPTIMIZER_VIEW (view));
  g_assert_cmpfloat (ll_optimizer_view_get_progress (LL_OPTIMIZER_VIEW (view)), ==, 25);
  assert_paths_match (race, LL_SURFACE_BOWL, 25);
  g_object_unref (view);
}

static void
iterate_until_width (GtkWidget *widget, int old_width)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (5000, timed_out, &expired);

  while (gtk_widget_get_width (widget) == old_width && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  /* Let layout and drawing settle. */
  for (int i = 0; i < 20; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

/* Presentation mode grows the text of the panels beside the map; the map
 * keeps most of its width (the left panel scrolls) and draws at the new
 * scale. */
static void
test_presentation (void)
{
  LlWindow *window = g_object_ref (ll_window_new (NULL, NULL));
  GtkWidget *view = ll_window_get_view_widget (window, "optimizers");
  GtkWidget *map = find_widget (view, LL_TYPE_CONTOUR_MAP);
  GtkWidget *plot = find_widget (view, LL_TYPE_STEP_PLOT);
  int normal_width;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  ll_window_set_view (window, "optimizers");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (has_size (map));
  iterate_until_width (map, 0);
  for (guint i = 0; i < 30; i++)
    g_assert_true (gtk_widget_activate_action (view, "optimizers.step", NULL));
  normal_width = gtk_widget_get_width (map);
  render_map (map);
  g_assert_cmpfloat (ll_presentation_scale (plot), ==, 1.0);

  ll_window_set_presentation (window, TRUE);
  iterate_until_width (map, normal_width);
  g_assert_cmpfloat (ll_presentation_scale (plot), >, 1.0);
  g_assert_cmpint (gtk_widget_get_width (map), >=, 480);
  g_assert_cmpint (gtk_widget_get_width (map), >=, normal_width * 9 / 10);
  /* Redrawn at the new scale from the cache's point of view too. */
  render_map (map);
  g_assert_true (gtk_widget_activate_action (view, "optimizers.step", NULL));
  render_map (map);

  ll_window_set_presentation (window, FALSE);
  iterate_until_width (map, gtk_widget_get_width (map));
  render_map (map);

  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 5; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  g_assert_finalize_object (window);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No accessibility bus under xvfb-run: its warning would be fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("test-optimizer-view needs a display: run it under xvfb-run, as ./test.sh does\n");
      return 1;
    }
  adw_init ();
  ll_ui_ensure_resources ();

  g_test_add_func ("/ui/optimizer-view/log-ticks", test_log_ticks);
  g_test_add_func ("/ui/optimizer-view/demo", test_demo);
  g_test_add_func ("/ui/optimizer-view/step", test_step);
  g_test_add_func ("/ui/optimizer-view/presentation", test_presentation);
  g_test_add_func ("/ui/optimizer-view/export", test_export);
  g_test_add_func ("/ui/optimizer-view/landscape", test_landscape);
  return g_test_run ();
}
