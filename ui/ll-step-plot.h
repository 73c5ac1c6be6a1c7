/* ll-step-plot.h: loss per step for each optimizer of the race, one line
 * each, on a log axis when every loss is positive. */
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

G_END_DECLS
