/* ll-step-plot.h: loss per step for each optimizer of the race, one line
 * each, on a log axis unless a loss is negative. */
#pragma once

#include <gtk/gtk.h>

#include "ll-surface.h"

G_BEGIN_DECLS

#define LL_TYPE_STEP_PLOT (ll_step_plot_get_type ())
G_DECLARE_FINAL_TYPE (LlStepPlot, ll_step_plot, LL, STEP_PLOT, GtkWidget)

GtkWidget *ll_step_plot_new              (void);
/* race is borrowed: the caller keeps it alive or sets NULL first. */
void       ll_step_plot_set_race         (LlStepPlot    *self,
                                          LlRace        *race);
/* LL_RACE_N_ENTRIES colours. */
void       ll_step_plot_set_colors       (LlStepPlot    *self,
                                          const GdkRGBA *colors);
void       ll_step_plot_set_visible_mask (LlStepPlot    *self,
                                          guint          mask);
/* Steps shown (the playback position). */
void       ll_step_plot_set_progress     (LlStepPlot    *self,
                                          guint          steps);

/* The labelled values of the log axis over losses lo..hi (0 < lo ≤ hi):
 * whole decades when they span three or more, else 1, 2 and 5 times powers
 * of ten around them, at least two.  Writes up to max_ticks (≥ 2) values,
 * ascending, and returns how many; the axis runs from the first to the
 * last. */
guint      ll_step_plot_log_ticks        (double         lo,
                                          double         hi,
                                          double        *ticks,
                                          guint          max_ticks);
/* A log-axis label for value (a tick: 1, 2 or 5 times a power of ten) as
 * people read it: "0.001" to "1000" written out, "2e-5" and "1e4" beyond. */
void       ll_step_plot_format_log_tick  (double         value,
                                          char          *buf,
                                          gsize          size);

G_END_DECLS
