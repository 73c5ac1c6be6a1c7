/* ll-optimizer-view.h: the Optimizers view, nine of the engine's optimizers
 * racing down a toy loss surface.  Instantiated by the window template. */
#pragma once

#include "ll-view.h"

#include "ll-surface.h"

G_BEGIN_DECLS

#define LL_TYPE_OPTIMIZER_VIEW (ll_optimizer_view_get_type ())
G_DECLARE_FINAL_TYPE (LlOptimizerView, ll_optimizer_view, LL, OPTIMIZER_VIEW, LlView)

/* The race on screen, owned by the view (valid until the surface changes). */
LlRace    *ll_optimizer_view_get_race    (LlOptimizerView *self);
/* Starts a new race on surface (stopped, at step 0). */
void       ll_optimizer_view_set_surface (LlOptimizerView *self,
                                          LlSurface       *surface);
/* Moves the start point and rewinds to step 0 without playing. */
void       ll_optimizer_view_set_start   (LlOptimizerView *self,
                                          double           x,
                                          double           y);
/* Steps shown so far (fractional while playing). */
double     ll_optimizer_view_get_progress (LlOptimizerView *self);
/* The map as drawn (no hover readout), and the paths shown so far as
 * step,optimizer,x,y,loss rows. */
gboolean   ll_optimizer_view_export_png  (LlOptimizerView *self,
                                          const char      *path,
                                          GError         **error);
gboolean   ll_optimizer_view_export_svg  (LlOptimizerView *self,
                                          const char      *path,
                                          GError         **error);
gboolean   ll_optimizer_view_export_csv  (LlOptimizerView *self,
                                          const char      *path,
                                          GError         **error);

G_END_DECLS
