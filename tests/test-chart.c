/* test-chart.c: the line chart's pure layout: the legend never overlaps
 * the plot area and stays inside the chart, every axis has at least three
 * labelled ticks (log scale too), marker labels never overlap; and a
 * rendered chart paints its last validation point whole. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "ll-line-chart.h"

static gboolean
rects_overlap (const LlChartRect *a, const LlChartRect *b)
{
  return a->width > 0 && a->height > 0 && b->width > 0 && b->height > 0
         && a->x + 1e-6 < b->x + b->width && b->x + 1e-6 < a->x + a->width
         && a->y + 1e-6 < b->y + b->height && b->y + 1e-6 < a->y + a->height;
}

static gboolean
inside (const LlChartRect *r, double width, double height)
{
  return r->x >= -1e-9 && r->y >= -1e-9 && r->x + r->width <= width + 1e-9
         && r->y + r->height <= height + 1e-9;
}

/* Charts from 240×180 (the widget's minimum) to a projector's full width,
 * with 0 to 14 legend items of short and long labels, text 11 to 22 px. */
static void
test_legend_never_overlaps_plot (void)
{
  const double widths[] = { 240, 300, 420, 640, 900, 1280 };
  const double heights[] = { 180, 240, 320, 500, 720 };
  const double fonts[] = { 11, 16, 22 };
  guint checked = 0;

  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (guint hi = 0; hi < G_N_ELEMENTS (heights); hi++)
      for (guint fi = 0; fi < G_N_ELEMENTS (fonts); fi++)
        for (guint n = 0; n <= 14; n++)
          for (guint rows = 0; rows <= 3; rows++)
            for (guint lab = 0; lab < 2; lab++)
              {
                double item_w[14];
                LlChartRect items[14];
                LlChartLayout lay;
                double font = fonts[fi], w = widths[wi], h = heights[hi];

                for (guint i = 0; i < n; i++)
                  item_w[i] = (lab ? 30 : 8) * font * 0.55 + i * 3;
                ll_line_chart_compute_layout (w, h, font, TRUE, item_w, n, rows, lab, items, &lay);
                checked++;

                g_assert_cmpfloat (lay.plot.width, >=, 0);
                g_assert_cmpfloat (lay.plot.height, >=, 0);
                g_assert_true (inside (&lay.plot, w, h));
                g_assert_cmpuint (lay.legend_shown, <=, n);
                /* The plot keeps a third of the height whatever the legend. */
                if (!lay.legend_beside && h - lay.plot.y - (1.5 + 1.4) * font - 0.55 * font
                                          - lab * 1.4 * font >= h / 3.0)
                  g_assert_cmpfloat (lay.plot.height, >=, h / 3.0 - 1e-6);
                if (lay.legend_shown == 0)
                  continue;
                g_assert_false (rects_overlap (&lay.legend, &lay.plot));
                g_assert_true (inside (&lay.legend, w, h));
                for (guint i = 0; i < lay.legend_shown; i++)
                  {
                    g_assert_false (rects_overlap (&items[i], &lay.plot));
                    g_assert_true (inside (&items[i], w, h));
                    for (guint j = 0; j < i; j++)
                      if (rects_overlap (&items[i], &items[j])) g_error ("%g %g %g n=%u rows=%u lab=%u beside=%d i=%u (%g,%g %gx%g) j=%u (%g,%g %gx%g)", w, h, font, n, rows, lab, lay.legend_beside, i, items[i].x, items[i].y, items[i].width, items[i].height, j, items[j].x, items[j].y, items[j].width, items[j].height);
                  }
                /* Under the plot, the legend is below the axis title and note. */
                if (!lay.legend_beside)
                  g_assert_cmpfloat (lay.legend.y, >=, lay.note_y + lab * 1.4 * font - 1e-6);
                else
                  g_assert_cmpfloat (lay.legend.x, >=, lay.plot.x + lay.plot.width);
              }
  g_assert_cmpuint (checked, >, 1000);

  /* A wide chart puts a short legend beside the plot, a narrow one under it. */
  {
    double item_w[3] = { 80, 90, 100 };
    LlChartLayout lay;

    ll_line_chart_compute_layout (1200, 500, 11, TRUE, item_w, 3, 0, 0, NULL, &lay);
    g_assert_true (lay.legend_beside);
    g_assert_cmpuint (lay.legend_shown, ==, 3);
    ll_line_chart_compute_layout (400, 500, 11, TRUE, item_w, 3, 0, 0, NULL, &lay);
    g_assert_false (lay.legend_beside);
    g_assert_cmpuint (lay.legend_shown, ==, 3);
  }
}

static void
check_ticks (double lo, double hi, gboolean log, guint max_ticks)
{
  double t[64];
  guint n = ll_line_chart_ticks (lo, hi, log, max_ticks, t);

  if (n < 3)
    g_error ("%u ticks for [%g, %g]%s, max %u", n, lo, hi, log ? " (log)" : "", max_ticks);
  g_assert_cmpuint (n, <=, MAX (max_ticks, 7u));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (t[i], >=, lo - 1e-9 * fabs (hi - lo));
      g_assert_cmpfloat (t[i], <=, hi + 1e-9 * fabs (hi - lo));
      if (i > 0)
        g_assert_cmpfloat (t[i], >, t[i - 1]);
    }
}

static void
test_ticks (void)
{
  double t[64];
  guint n;

  /* Linear: the accuracy axis of a small chart, losses, epochs. */
  for (guint max = 3; max <= 10; max++)
    {
      check_ticks (0.13, 0.98, FALSE, max);
      check_ticks (-0.05, 1.05, FALSE, max);
      check_ticks (0, 5, FALSE, max);
      check_ticks (0, 1, FALSE, max);
      check_ticks (0.9712, 0.9815, FALSE, max);
      check_ticks (0.05, 2.35, FALSE, max);
      check_ticks (0, 137, FALSE, max);
      check_ticks (-3.2, -1.1, FALSE, max);
    }
  /* Log: a loss from 2.3 to 0.3 (a third of a decade and more), to 0.01,
   * within a factor of 1.3, across many decades; the LR finder's 1e-7 … 10. */
  for (guint max = 3; max <= 10; max++)
    {
      check_ticks (log10 (0.3), log10 (2.3), TRUE, max);
      check_ticks (log10 (0.01), log10 (2.4), TRUE, max);
      check_ticks (log10 (1.8), log10 (2.35), TRUE, max);
      check_ticks (log10 (0.052), log10 (0.061), TRUE, max);
      check_ticks (-7, 1, TRUE, max);
      check_ticks (-30, 3, TRUE, max);
    }
  /* A short accuracy axis with room for three labels gets three, not five
   * on top of each other. */
  n = ll_line_chart_ticks (0.13, 1.02, FALSE, 3, t);
  g_assert_cmpuint (n, ==, 3);
  /* Decades where there are enough. */
  n = ll_line_chart_ticks (-4, 0, TRUE, 6, t);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat (fabs (t[0] + 4), <, 1e-9);
  /* 1, 2, 5 within a decade and a half. */
  n = ll_line_chart_ticks (log10 (0.3), log10 (2.3), TRUE, 8, t);
  g_assert_cmpuint (n, ==, 3);   /* 0.5, 1, 2 */
}

static void
test_marker_labels (void)
{
  /* "lr 0.0005" and "dropout 0.2" at the same x; the finder's three
   * labels close together; labels at the right edge. */
  const double x[] = { 300, 300, 305, 120, 125, 130, 590, 598 };
  const double w[] = { 70, 80, 60, 90, 60, 80, 70, 50 };
  guint n = G_N_ELEMENTS (x);
  double left[G_N_ELEMENTS (x)];
  guint row[G_N_ELEMENTS (x)];
  guint rows = ll_line_chart_place_labels (x, w, n, 0, 600, 6, left, row);

  g_assert_cmpuint (rows, >=, 3);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (left[i], >=, 0);
      g_assert_cmpfloat (left[i] + w[i], <=, 600 + 1e-9);
      g_assert_cmpuint (row[i], <, rows);
      for (guint j = 0; j < i; j++)
        if (row[i] == row[j])
          g_assert_true (left[i] + w[i] + 6 <= left[j] + 1e-9 || left[j] + w[j] + 6 <= left[i] + 1e-9);
    }
  /* Apart: one row. */
  {
    const double x2[] = { 10, 200, 400 };
    const double w2[] = { 50, 50, 50 };
    double l2[3];
    guint r2[3];
    g_assert_cmpuint (ll_line_chart_place_labels (x2, w2, 3, 0, 600, 6, l2, r2), ==, 1);
  }
}

/* The last validation point, at the right edge of the plot, is drawn whole:
 * its colour shows to the right of the frame. */
static gboolean have_display;

static void
test_last_point_whole (void)
{
  g_autoptr(GtkWidget) chart = NULL;
  double x[] = { 1, 2, 3 }, y[] = { 0.5, 0.3, 0.2 };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cairo_t *cr = cairo_create (surface);
  LlChartLayout lay;
  guchar *data;
  int stride, right_px, coloured = 0;
  guint s;

  if (!have_display)
    {
      g_test_skip ("no display");
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
      return;
    }
  chart = g_object_ref_sink (ll_line_chart_new ());
  s = ll_line_chart_add_series (LL_LINE_CHART (chart), "validation", 3, TRUE, TRUE);
  ll_line_chart_set_data (LL_LINE_CHART (chart), s, x, y, 3);
  ll_line_chart_render (LL_LINE_CHART (chart), cr, 400, 300, FALSE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  {
    double iw = 0;
    /* The same layout the chart used: one legend item, text of 11 px. */
    cairo_surface_t *tmp = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *c2 = cairo_create (tmp);
    cairo_text_extents_t e;
    cairo_select_font_face (c2, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size (c2, 11);
    cairo_text_extents (c2, "validation", &e);
    iw = e.x_advance;
    cairo_destroy (c2);
    cairo_surface_destroy (tmp);
    ll_line_chart_compute_layout (400, 300, 11, FALSE, &iw, 1, 0, 0, NULL, &lay);
  }
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  right_px = (int) ceil (lay.plot.x + lay.plot.width) + 1;
  for (int yy = (int) lay.plot.y; yy < (int) (lay.plot.y + lay.plot.height); yy++)
    for (int xx = right_px; xx < right_px + 3; xx++)
      {
        guint32 p = *(guint32 *) (data + yy * stride + 4 * xx);
        int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        coloured += MAX (MAX (r, g), b) - MIN (MIN (r, g), b) > 60;
      }
  g_assert_cmpint (coloured, >, 0);
  cairo_surface_destroy (surface);
}

/* The LR finder's chart: a log x axis with labelled ticks and the three
 * labels, close together, drawn (LL_CHART_PNG_DIR keeps the PNG to look at). */
static void
test_finder_chart (void)
{
  g_autoptr(GtkWidget) chart = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  double x[100], y[100];
  guint s;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  chart = g_object_ref_sink (ll_line_chart_new ());
  for (int i = 0; i < 100; i++)
    {
      x[i] = -7 + 8.0 * i / 99;
      y[i] = 2.3 - 1.5 / (1 + exp (-(x[i] + 3) * 2)) + (x[i] > -0.5 ? exp (2 * (x[i] + 0.5)) - 1 : 0);
    }
  ll_line_chart_set_labels (LL_LINE_CHART (chart), "Learning-rate range test", "learning rate",
                            "loss (smoothed)");
  ll_line_chart_set_log_x (LL_LINE_CHART (chart), TRUE);
  s = ll_line_chart_add_series (LL_LINE_CHART (chart), "loss", 0, FALSE, FALSE);
  ll_line_chart_set_data (LL_LINE_CHART (chart), s, x, y, 100);
  ll_line_chart_add_marker (LL_LINE_CHART (chart), -1.2, "lowest loss");
  ll_line_chart_add_marker (LL_LINE_CHART (chart), -2.2, "suggested");
  ll_line_chart_add_marker (LL_LINE_CHART (chart), -3.0, "steepest");
  ll_line_chart_add_marker (LL_LINE_CHART (chart), -2.9, "lr 0.0005");
  ll_line_chart_add_marker (LL_LINE_CHART (chart), -2.9, "dropout 0.2");
  dir = g_strdup (g_getenv ("LL_CHART_PNG_DIR"));
  if (dir == NULL)
    dir = g_dir_make_tmp ("ll-chart-XXXXXX", NULL);
  png = g_build_filename (dir, "finder.png", NULL);
  g_assert_true (ll_line_chart_export_png (LL_LINE_CHART (chart), png, 480, 300, &error));
  g_assert_no_error (error);
  if (g_getenv ("LL_CHART_PNG_DIR") == NULL)
    {
      g_unlink (png);
      g_rmdir (dir);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);
  have_display = gtk_init_check ();
  g_test_add_func ("/chart/legend-never-overlaps-plot", test_legend_never_overlaps_plot);
  g_test_add_func ("/chart/ticks", test_ticks);
  g_test_add_func ("/chart/marker-labels", test_marker_labels);
  g_test_add_func ("/chart/last-point-whole", test_last_point_whole);
  g_test_add_func ("/chart/finder", test_finder_chart);
  return g_test_run ();
}
