/* ll-slide-animation.h: a window sliding over an input map while the
 * output map fills in, one window position per step, with play/pause,
 * step, restart, finish and a speed a class can follow; the shape
 * arithmetic is written beside it.  The input is drawn with its padding
 * (hatched zeros); the current window is outlined, the next one dashed.
 *
 * The values the output map fills in with are given by the caller, one
 * per window position in row-major order (the Inspect view and the
 * sandbox give each unit's explained value).  "position-changed" tells
 * which unit was just filled in, so that the caller can show its
 * arithmetic. */
#pragma once

#include <gtk/gtk.h>

#include "ll-layer.h"
#include "ll-feature-grid.h"

G_BEGIN_DECLS

#define LL_TYPE_SLIDE_ANIMATION (ll_slide_animation_get_type ())
G_DECLARE_FINAL_TYPE (LlSlideAnimation, ll_slide_animation, LL, SLIDE_ANIMATION, GtkBox)

GtkWidget   *ll_slide_animation_new          (void);
/* The input map (h × w values of one channel, as shown; h, w as in axes),
 * the window geometry and the output values (axes[0].out × axes[1].out).
 * Copied; restarts at position 0. */
void         ll_slide_animation_set_maps     (LlSlideAnimation *self, const float *input,
                                              const LlWindowAxis axes[2], const float *outputs,
                                              LlColormap input_colormap);
/* Captions over the two maps; the shape arithmetic beside them. */
void         ll_slide_animation_set_captions (LlSlideAnimation *self, const char *input_caption,
                                              const char *output_caption);
void         ll_slide_animation_set_arithmetic (LlSlideAnimation *self, const char *text);

void         ll_slide_animation_play         (LlSlideAnimation *self);
void         ll_slide_animation_pause        (LlSlideAnimation *self);
/* One window further (no-op at the end). */
void         ll_slide_animation_step         (LlSlideAnimation *self);
/* Back to an empty output map. */
void         ll_slide_animation_restart      (LlSlideAnimation *self);
/* Fills in every remaining value at once. */
void         ll_slide_animation_finish       (LlSlideAnimation *self);
gboolean     ll_slide_animation_is_playing   (LlSlideAnimation *self);
/* Windows computed so far (0 … rows × cols). */
int          ll_slide_animation_get_position (LlSlideAnimation *self);
int          ll_slide_animation_get_n_positions (LlSlideAnimation *self);
/* Window positions per second while playing. */
void         ll_slide_animation_set_speed    (LlSlideAnimation *self, double steps_per_second);
double       ll_slide_animation_get_speed    (LlSlideAnimation *self);
/* The output map as shown: the filled-in values, NAN where not yet computed. */
float       *ll_slide_animation_dup_filled   (LlSlideAnimation *self, int *rows, int *cols);
/* The play/pause button, for tests that click. */
GtkWidget   *ll_slide_animation_get_play_button (LlSlideAnimation *self);

G_END_DECLS
