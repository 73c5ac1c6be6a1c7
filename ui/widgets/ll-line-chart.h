/* ll-line-chart.h: a line chart drawn with Cairo: several series (lines,
 * optionally dashed or with point markers), vertical markers, axes with
 * ticks, a legend, a log-scale y axis, a hover read-out, and export to PNG
 * and SVG.  Colours come from the Okabe-Ito palette (colour-blind safe);
 * in presentation mode lines and text scale for a projector. */
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

void       ll_line_chart_set_log_scale   (LlLineChart *self, gboolean log_scale);
gboolean   ll_line_chart_get_log_scale   (LlLineChart *self);

/* Draws the chart into any Cairo context (the widget, PNG, SVG). */
void       ll_line_chart_render          (LlLineChart *self, cairo_t *cr, double width,
                                          double height, gboolean dark);
gboolean   ll_line_chart_export_png      (LlLineChart *self, const char *path,
                                          int width, int height, GError **error);
gboolean   ll_line_chart_export_svg      (LlLineChart *self, const char *path,
                                          int width, int height, GError **error);

G_END_DECLS
