/* bench-playground.c: the Playground view's speed.
 *
 * 1. Engine: batches per second of LlToyRun on a 2-8-8-8 tanh network
 *    (softmax over 2 classes) with 500 training points, batch sizes 1, 10
 *    and 32; and the batched forward pass over the view's 40×40 grid
 *    that gives the field and every neuron's thumbnail.
 * 2. The view (needs a display: xvfb-run): the spiral demonstration
 *    playing for 4 s at 10 and 100 steps per frame; frame intervals from
 *    the frame clock (median, 95th percentile), the grid refresh time
 *    per frame, and training steps per second as shown.
 * Prints figures; never fails on time. */
#include <adwaita.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "ll-playground-view.h"
#include "ll-toy-data.h"
#include "ll-view.h"
#include "ll-window.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *v, double p)
{
  if (v->len == 0)
    return NAN;
  qsort (v->data, v->len, sizeof (double), cmp_double);
  return g_array_index (v, double, MIN (v->len - 1, (guint) (p * v->len)));
}

static void
bench_engine (void)
{
  const int units[3] = { 8, 8, 8 }, bs[3] = { 1, 10, 32 }, res = 40;
  LlToyPoint points[1000];
  int n_train;

  ll_toy_generate (LL_TOY_SPIRAL, 1000, 0.1, 1, points);
  ll_toy_split (points, 1000, 0.5, 1, &n_train);
  for (int b = 0; b < 3; b++)
    {
      LlToyNet net = { 3, { units[0], units[1], units[2] }, { "tanh", "tanh", "tanh" }, -1, 0, 0, FALSE };
      g_autoptr(LlArch) arch = ll_toy_arch (&net, 2, 2, NULL);
      LlModel *model = ll_model_new (arch, NULL);
      LlOptimConfig optim = ll_optim_config_default (LL_OPTIM_ADAM);
      g_autoptr(LlToyRun) run = NULL;
      gint64 t0;
      int steps = 0;

      ll_model_init_weights (model, 1);
      run = ll_toy_run_new (model, &optim, bs[b], 1,
                            ll_toy_dataset (points, n_train, 2, LL_FEATURES_DEFAULT, NULL),
                            ll_toy_dataset (points + n_train, 1000 - n_train, 2, LL_FEATURES_DEFAULT, NULL),
                            NULL);
      t0 = g_get_monotonic_time ();
      while (g_get_monotonic_time () - t0 < 1000000)
        for (int i = 0; i < 100; i++, steps++)
          ll_toy_run_step (run);
      g_print ("engine: 2-8-8-8-2 tanh, 500 points, batch %2d: %.0f steps/s\n", bs[b],
               steps / ((g_get_monotonic_time () - t0) / 1e6));
      if (b == 1)
        {
          g_autofree float *x = g_new (float, res * res * 2);
          g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
          LlModel *m = ll_toy_run_get_model (run);

          ll_toy_grid_inputs (LL_FEATURES_DEFAULT, res, x);
          ll_model_plan (m, res * res, NULL);
          for (int i = 0; i < 200; i++)
            {
              gint64 t = g_get_monotonic_time ();
              double v;
              ll_model_forward (m, res * res, x, FALSE, NULL);
              v = (g_get_monotonic_time () - t) / 1000.0;
              g_array_append_val (ms, v);
            }
          g_print ("engine: grid forward %d×%d points (field + 24 thumbnails): median %.3f ms, p95 %.3f ms\n",
                   res, res, percentile (ms, 0.5), percentile (ms, 0.95));
        }
    }
}

typedef struct {
  GArray *intervals, *grid;
  gint64 last;
  LlPlaygroundView *view;
} Frames;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  Frames *f = data;
  gint64 now = g_get_monotonic_time ();
  double ms = f->last ? (now - f->last) / 1000.0 : NAN, g = ll_playground_view_get_grid_ms (f->view);

  if (f->last)
    g_array_append_val (f->intervals, ms);
  g_array_append_val (f->grid, g);
  f->last = now;
}

static double
cpu_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One frame of the view as GTK makes it: snapshot and render to pixels. */
static void
time_frames (GtkWidget *view)
{
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (view));
  int w = gtk_widget_get_width (view), h = gtk_widget_get_height (view);

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (view);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms (), v;
      GskRenderNode *node;
      GdkTexture *texture;

      /* A step changes the field and thumbnails, as while playing. */
      gtk_widget_activate_action (view, "view.prepare-screenshot", NULL);
      t0 = g_get_monotonic_time ();
      c0 = cpu_ms ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        {
          /* A new paintable is empty until the widget is drawn once more:
           * let the frame clock draw, then time the snapshot again. */
          for (int k = 0; k < 100 && node == NULL; k++)
            {
              g_main_context_iteration (NULL, FALSE);
              g_usleep (1000);
              snapshot = gtk_snapshot_new ();
              t0 = g_get_monotonic_time ();
              c0 = cpu_ms ();
              gdk_paintable_snapshot (paintable, snapshot, w, h);
              node = gtk_snapshot_free_to_node (snapshot);
            }
          if (node == NULL)
            continue;
        }
      texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
      v = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (wall, v);
      v = cpu_ms () - c0;
      g_array_append_val (cpu, v);
      g_object_unref (texture);
      gsk_render_node_unref (node);
    }
  g_print ("view: one frame of the whole view (%d×%d, snapshot + render): wall median %.1f ms, "
           "p95 %.1f ms; CPU median %.1f ms, p95 %.1f ms\n", w, h, percentile (wall, 0.5),
           percentile (wall, 0.95), percentile (cpu, 0.5), percentile (cpu, 0.95));
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
bench_view (int steps_per_frame, gboolean deep)
{
  LlWindow *window = ll_window_new (NULL, NULL);
  GtkWidget *view;
  GdkFrameClock *clock;
  Frames f = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, NULL };
  gboolean expired = FALSE;
  gint64 s0, t0;
  gulong id;
  GtkWidget *speed = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  ll_window_set_view (window, "playground");
  gtk_window_present (GTK_WINDOW (window));
  view = ll_window_get_view_widget (window, "playground");
  f.view = LL_PLAYGROUND_VIEW (view);
  g_timeout_add (500, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  /* The "Steps per frame" spin button, found by its widget name. */
  for (GtkWidget *w = view; w != NULL;)
    {
      if (GTK_IS_SPIN_BUTTON (w) && g_strcmp0 (gtk_widget_get_name (w), "playground-speed") == 0)
        speed = w;
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != view && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = (w == NULL || w == view) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  if (speed != NULL)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (speed), steps_per_frame);
  if (deep)
    {
      /* Issue 16's target: 2-8-8-8 (a softmax of 2, TensorFlow Playground's
       * 2-8-8-8-1) on 500 training points (and 500 test points). */
      GtkWidget *points = NULL;
      for (GtkWidget *w = view; w != NULL;)
        {
          if (GTK_IS_SPIN_BUTTON (w) && g_strcmp0 (gtk_widget_get_name (w), "playground-points") == 0)
            points = w;
          if (gtk_widget_get_first_child (w) != NULL)
            w = gtk_widget_get_first_child (w);
          else
            {
              while (w != NULL && w != view && gtk_widget_get_next_sibling (w) == NULL)
                w = gtk_widget_get_parent (w);
              w = (w == NULL || w == view) ? NULL : gtk_widget_get_next_sibling (w);
            }
        }
      g_assert (points != NULL);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (points), 1000);
      ll_playground_view_set_hidden_layers (f.view, 3, 8);
    }
  clock = gtk_widget_get_frame_clock (view);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &f);
  if (steps_per_frame == 10)
    {
      /* Paused, the view still ticks: the frame rate of this display and load. */
      expired = FALSE;
      g_timeout_add (2000, timed_out, &expired);
      while (!expired)
        g_main_context_iteration (NULL, TRUE);
      g_print ("view: paused, for comparison: %u frames in 2 s, interval median %.1f ms\n",
               f.intervals->len, percentile (f.intervals, 0.5));
      g_array_set_size (f.intervals, 0);
      g_array_set_size (f.grid, 0);
      f.last = 0;
    }
  s0 = ll_playground_view_get_step (f.view);
  t0 = g_get_monotonic_time ();
  gtk_widget_activate_action (view, "playground.play", NULL);
  expired = FALSE;
  g_timeout_add (4000, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (view, "playground.play", NULL);
  g_signal_handler_disconnect (clock, id);
  g_print ("view: spiral %s, %d steps per frame: %.0f steps/s, %u frames (%.1f per s), frame interval "
           "median %.1f ms, p95 %.1f ms; grid refresh median %.2f ms, p95 %.2f ms\n",
           deep ? "2-8-8-8-2 on 500 training points" : "2-8-8-2 on 250 training points", steps_per_frame,
           (ll_playground_view_get_step (f.view) - s0) / ((g_get_monotonic_time () - t0) / 1e6),
           f.intervals->len, f.intervals->len / ((g_get_monotonic_time () - t0) / 1e6),
           percentile (f.intervals, 0.5), percentile (f.intervals, 0.95),
           percentile (f.grid, 0.5), percentile (f.grid, 0.95));
  if (steps_per_frame == 10)
    time_frames (view);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_array_unref (f.intervals);
  g_array_unref (f.grid);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  bench_engine ();
  if (!gtk_init_check ())
    {
      g_print ("bench-playground: no display for the view; run it under xvfb-run\n");
      return 0;
    }
  adw_init ();
  ll_ui_ensure_resources ();
  bench_view (10, FALSE);
  bench_view (100, FALSE);
  bench_view (10, TRUE);
  bench_view (100, TRUE);
  return 0;
}
