/* ll-line-chart.h: a line chart drawn with Cairo: several series (lines,
 * optionally dashed or with point markers), vertical markers, axes with
 * ticks, a legend, a log-scale y axis, a hover read-out, and export to PNG
 * and SVG.  Colours come from the Okabe-Ito palette (colour-blind safe);
 * in presentation mode lines and text scale for a projector.
 *
 * The legend sits beside the plot area, or under it when the chart is
 * narrow, never on the data; marker labels sit in rows above the plot,
 * never on one another; every axis has at least three labelled ticks.
 * The layout, tick and label-placement functions below are pure, so tests
 * check them without drawing. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LL_TYPE_LINE_CHART (ll_line_chart_get_type ())
G_DECLARE_FINAL_TYPE (LlLineChart, ll_line_chart, LL, LINE_CHART, GtkWidget)

#define LL_LINE_CHART_N_COLORS 8   /* LL_PALETTE_N_COLORS */

GtkWidget *ll_line_chart_new             (void);
void       ll_line_chart_set_labels      (LlLineChart *self, const char *title,
                                          const char *x_label, const char *y_label);
/* Removes every series and marker. */
void       ll_line_chart_clear           (LlLineChart *self);
/* A new empty series; returns its index.  color: index into the palette. */
guint      ll_line_chart_add_series      (LlLineChart *self, const char *label, guint color,
                                          gboolean dashed, gboolean points);
/* Replaces the points of a series (copied). */
void       ll_line_chart_set_data        (LlLineChart *self, guint series,
                                          const double *x, const double *y, guint n);
guint      ll_line_chart_get_n_series    (LlLineChart *self);
/* A vertical line at x with a short label, e.g. a learning-rate change. */
void       ll_line_chart_add_marker      (LlLineChart *self, double x, const char *label);

/* How a series or a legend item is drawn (flags). */
typedef enum {
  LL_LINE_STYLE_LINE   = 1 << 0,   /* a solid line through the points */
  LL_LINE_STYLE_DASHED = 1 << 1,   /* a dashed line */
  LL_LINE_STYLE_POINTS = 1 << 2,   /* a filled dot at every point */
  LL_LINE_STYLE_RINGS  = 1 << 3,   /* a ring at every point */
  LL_LINE_STYLE_SWATCH = 1 << 4,   /* legend only: a block of the colour */
} LlLineStyle;

/* The neutral colour (the text's) for a legend item that names a style. */
#define LL_LINE_CHART_NEUTRAL (-1)

guint      ll_line_chart_add_series_styled (LlLineChart *self, const char *label, guint color,
                                            LlLineStyle style);
/* Legend items replace the series labels in the legend when there are any:
 * e.g. one item per line style and one colour swatch per run, instead of
 * one entry per series.  color: a palette index or LL_LINE_CHART_NEUTRAL. */
void       ll_line_chart_add_legend_item (LlLineChart *self, const char *label, int color,
                                          LlLineStyle style);
/* A line of explanation under the axis (wrapped to the width); NULL: none. */
void       ll_line_chart_set_note        (LlLineChart *self, const char *note);
/* The x values are log10 of the quantity: ticks read 0.001, 0.01, … */
void       ll_line_chart_set_log_x       (LlLineChart *self, gboolean log_x);

void       ll_line_chart_set_log_scale   (LlLineChart *self, gboolean log_scale);
gboolean   ll_line_chart_get_log_scale   (LlLineChart *self);

/* Draws the chart into any Cairo context (the widget, PNG, SVG). */
void       ll_line_chart_render          (LlLineChart *self, cairo_t *cr, double width,
                                          double height, gboolean dark);
gboolean   ll_line_chart_export_png      (LlLineChart *self, const char *path,
                                          int width, int height, GError **error);
gboolean   ll_line_chart_export_svg      (LlLineChart *self, const char *path,
                                          int width, int height, GError **error);

/* Pure layout ------------------------------------------------------------ */

typedef struct {
  double x, y, width, height;
} LlChartRect;

typedef struct {
  LlChartRect plot;             /* the data area */
  LlChartRect legend;           /* 0×0 when there is no legend */
  gboolean legend_beside;       /* right of the plot; else under the axis */
  guint legend_shown;           /* items that fit (the rest are left out) */
  double legend_row;            /* height of one legend row */
  double title_y;               /* baseline area top of the title */
  double markers_top;           /* top of the first marker-label row */
  double x_label_y;             /* top of the x axis' title */
  double note_y;                /* top of the first note line */
} LlChartLayout;

/* Where everything goes in a width × height chart whose text is `font`
 * pixels: the legend's items measure item_widths (their text), beside the
 * plot (one a row) when the plot keeps at least 55 % of the width, else
 * flowing in rows under it.  item_rects (nullable, n_items) receive each
 * item's box.  The legend never overlaps the plot and stays inside the
 * chart; the plot keeps at least a third of the height (legend items that
 * do not fit are left out, legend_shown says how many show). */
void   ll_line_chart_compute_layout (double width, double height, double font,
                                     gboolean has_title, const double *item_widths,
                                     guint n_items, guint n_marker_rows, guint n_note_lines,
                                     LlChartRect *item_rects, LlChartLayout *out);
/* Tick values for an axis from lo to hi (in log10 when log): at least 3
 * and at most max_ticks (≥ 3) when the range is not empty; returns how
 * many were written to out (room for 64).  Log axes tick at 1, 2, 5 × 10^k
 * (or every 10^k, or 1…9 × 10^k) and return log10 values. */
guint  ll_line_chart_ticks          (double lo, double hi, gboolean log, guint max_ticks,
                                     double *out);
/* Rows for labels of width w[i] anchored at x[i] (pixels), left to right
 * between left and right: a label goes right of its x (left of it when
 * it would pass `right`), in the first row where it keeps `gap` pixels
 * from every other label.  Writes the label's left edge and row; returns
 * the number of rows used. */
guint  ll_line_chart_place_labels   (const double *x, const double *w, guint n, double left,
                                     double right, double gap, double *out_left, guint *out_row);

G_END_DECLS
