/* bench-race.c: cost of the Optimizers view's race animation frames.
 *
 * For each built-in surface, nine paths of 500 steps are played back at
 * 160 steps per second at 60 frames per second (about 2.7 steps a frame,
 * the Rosenbrock preset's speed), and each frame is timed as GTK makes
 * it: the map's snapshot plus the renderer turning it into pixels.  Then
 * the same for the loss-per-step plot, and once for a cold map (background
 * recomputed).  Prints the median and 95th percentile of wall-clock time
 * and of the process's CPU time (which includes the renderer's threads and
 * is less disturbed by other load on the machine); never fails on time.  Needs a display (run under xvfb-run); GSK_RENDERER=cairo selects
 * the software renderer. */
#include <gtk/gtk.h>
#include <stdlib.h>
#include <time.h>

#include "ll-contour-map.h"
#include "ll-step-plot.h"
#include "ll-surface.h"

#define N_STEPS    500
#define SPEED      160.0   /* steps per second */
#define FPS        60.0

static const char *const palette[LL_RACE_N_ENTRIES] = {
  "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442",
  "#0072B2", "#D55E00", "#CC79A7", "#999999",
};

static double
cpu_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One frame as GTK makes it: the widget's snapshot, rendered to pixels.
 * Returns wall-clock ms; adds CPU ms to *cpu. */
static double
render_frame (GtkWidget *widget, GskRenderer *renderer, GArray *cpu)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  gint64 t0 = g_get_monotonic_time ();
  double c0 = cpu_ms (), c;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GdkTexture *texture;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_object_unref (texture);
  gsk_render_node_unref (node);
  c = cpu_ms () - c0;
  if (cpu != NULL)
    g_array_append_val (cpu, c);
  return (g_get_monotonic_time () - t0) / 1e3;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
percentiles (GArray *ms, double *median, double *p95)
{
  qsort (ms->data, ms->len, sizeof (double), compare_doubles);
  *median = g_array_index (ms, double, ms->len / 2);
  *p95 = g_array_index (ms, double, MIN ((guint) (ms->len * 0.95), ms->len - 1));
}

static GtkWidget *
show_in_window (GtkWidget *child, int w, int h)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_set_default_size (GTK_WINDOW (window), w, h);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (child) || gtk_widget_get_width (child) < 10)
    g_main_context_iteration (NULL, TRUE);
  return window;
}

int
main (int argc, char **argv)
{
  GdkRGBA colors[LL_RACE_N_ENTRIES];
  g_autoptr (GArray) all_map = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) all_plot = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) all_map_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) all_plot_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  double median, p95;
  const char *renderer_name = "?";

  if (!gtk_init_check ())
    {
      g_print ("bench-race: no display; run it under xvfb-run\n");
      return 0;
    }
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    gdk_rgba_parse (&colors[e], palette[e]);

  for (LlSurfaceKind kind = 0; kind < LL_SURFACE_EXPRESSION; kind++)
    {
      g_autoptr (LlSurface) surface = ll_surface_new (kind);
      g_autoptr (GArray) map_ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) plot_ms = g_array_new (FALSE, FALSE, sizeof (double));
      GtkWidget *window, *map, *plot_window, *plot;
      GskRenderer *renderer;
      LlRace *race;
      double cold_ms = 0, map_med, map_p95, plot_med, plot_p95;
      int n_frames = (int) ceil (N_STEPS / SPEED * FPS);

      map = ll_contour_map_new ();
      window = show_in_window (map, 900, 700);
      plot = ll_step_plot_new ();
      plot_window = show_in_window (plot, 420, 300);
      renderer = gtk_native_get_renderer (GTK_NATIVE (window));
      renderer_name = G_OBJECT_TYPE_NAME (renderer);

      race = ll_race_new (surface, N_STEPS);
      while (ll_race_step (race))
        ;
      ll_contour_map_set_colors (LL_CONTOUR_MAP (map), colors);
      ll_contour_map_set_race (LL_CONTOUR_MAP (map), race);
      ll_step_plot_set_colors (LL_STEP_PLOT (plot), colors);
      ll_step_plot_set_race (LL_STEP_PLOT (plot), race);

      /* Cold: the background is recomputed (surface or size changed). */
      for (int i = 0; i < 3; i++)
        {
          ll_contour_map_invalidate (LL_CONTOUR_MAP (map));
          ll_contour_map_set_progress (LL_CONTOUR_MAP (map), 0);
          cold_ms += render_frame (map, renderer, NULL) / 3;
        }

      /* Playback from step 0 to the end, then a few frames at rest
       * (hover readout changes only). */
      for (int f = 0; f <= n_frames + 10; f++)
        {
          double steps = MIN (f * SPEED / FPS, N_STEPS);
          double ms;

          ll_contour_map_set_progress (LL_CONTOUR_MAP (map), steps);
          ms = render_frame (map, renderer, all_map_cpu);
          g_array_append_val (map_ms, ms);
          g_array_append_val (all_map, ms);
          ll_step_plot_set_progress (LL_STEP_PLOT (plot), (guint) steps);
          ms = render_frame (plot, gtk_native_get_renderer (GTK_NATIVE (plot_window)), all_plot_cpu);
          g_array_append_val (plot_ms, ms);
          g_array_append_val (all_plot, ms);
        }
      percentiles (map_ms, &map_med, &map_p95);
      percentiles (plot_ms, &plot_med, &plot_p95);

      g_print ("%-22s map %dx%d: background %6.1f ms, frame median %5.2f p95 %5.2f ms;  "
               "plot %dx%d: median %5.2f p95 %5.2f ms  (%u frames)\n",
               ll_surface_get_name (surface), gtk_widget_get_width (map), gtk_widget_get_height (map),
               cold_ms, map_med, map_p95, gtk_widget_get_width (plot), gtk_widget_get_height (plot),
               plot_med, plot_p95, map_ms->len);

      ll_contour_map_set_race (LL_CONTOUR_MAP (map), NULL);
      ll_step_plot_set_race (LL_STEP_PLOT (plot), NULL);
      gtk_window_destroy (GTK_WINDOW (window));
      gtk_window_destroy (GTK_WINDOW (plot_window));
      ll_race_free (race);
    }

  g_print ("all surfaces, renderer %s, 9 paths, playback at %.0f steps/s:\n", renderer_name, SPEED);
  percentiles (all_map, &median, &p95);
  g_print ("  map frame  wall median %5.2f ms p95 %5.2f ms", median, p95);
  percentiles (all_map_cpu, &median, &p95);
  g_print (";  cpu median %5.2f ms p95 %5.2f ms\n", median, p95);
  percentiles (all_plot, &median, &p95);
  g_print ("  plot frame wall median %5.2f ms p95 %5.2f ms", median, p95);
  percentiles (all_plot_cpu, &median, &p95);
  g_print (";  cpu median %5.2f ms p95 %5.2f ms\n", median, p95);
  return 0;
}
