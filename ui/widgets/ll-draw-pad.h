/* ll-draw-pad.h: a canvas to draw digits on with mouse, touch or stylus.
 *
 * LlInk is the pad's drawing without the widget (strokes rendered into an
 * 8-bit coverage surface), so benchmarks and tests can draw without a
 * display.  Coordinates are fractions of the pad's width and height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _LlInk LlInk;

/* Brush diameters as a fraction of the pad's shorter side.  A digit is
 * fitted into 20×20 as MNIST's were, so its strokes come out about
 * 20 · brush / (height + brush) pixels wide in the 28×28: for digits 50
 * to 80 % of the pad high, 1.6 to 3.8 pixels over this range and a median
 * of 2.4 at the default (MNIST's test digits: median 2.5, half of them 2.1
 * to 3.1); tests/test-draw-pad.c measures it. */
#define LL_DRAW_PAD_BRUSH_MIN     0.08
#define LL_DRAW_PAD_BRUSH_DEFAULT 0.09
#define LL_DRAW_PAD_BRUSH_MAX     0.10

LlInk           *ll_ink_new           (void);
void             ll_ink_free          (LlInk *ink);
/* Device pixels of the backing surface; re-renders every stroke.  0 frees it. */
void             ll_ink_set_size      (LlInk *ink, int width, int height);
/* Brush diameter as a fraction of the shorter side (the pad's range is
 * LL_DRAW_PAD_BRUSH_MIN to _MAX; LlInk takes any in (0, 1]). */
void             ll_ink_set_brush     (LlInk *ink, double brush);
/* pressure in [0, 1], or a negative value when the device has none. */
void             ll_ink_begin         (LlInk *ink, double x, double y, double pressure);
void             ll_ink_extend        (LlInk *ink, double x, double y, double pressure);
void             ll_ink_end           (LlInk *ink);
gboolean         ll_ink_undo          (LlInk *ink);
void             ll_ink_clear         (LlInk *ink);
guint            ll_ink_get_n_strokes (LlInk *ink);
/* The coverage surface (CAIRO_FORMAT_A8) or NULL before a size is set. */
cairo_surface_t *ll_ink_get_surface   (LlInk *ink);
/* Coverage as floats in [0, 1], width × height, valid until the next
 * change; NULL before a size is set. */
const float     *ll_ink_get_pixels    (LlInk *ink, int *width, int *height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlInk, ll_ink_free)

#define LL_TYPE_DRAW_PAD (ll_draw_pad_get_type ())
G_DECLARE_FINAL_TYPE (LlDrawPad, ll_draw_pad, LL, DRAW_PAD, GtkWidget)

GtkWidget *ll_draw_pad_new            (void);
/* "brush-size" property: fraction of the shorter side, LL_DRAW_PAD_BRUSH_MIN
 * to LL_DRAW_PAD_BRUSH_MAX. */
double     ll_draw_pad_get_brush_size (LlDrawPad *self);
void       ll_draw_pad_set_brush_size (LlDrawPad *self, double brush_size);
guint      ll_draw_pad_get_n_strokes  (LlDrawPad *self);
void       ll_draw_pad_clear          (LlDrawPad *self);
gboolean   ll_draw_pad_undo           (LlDrawPad *self);
/* Adds a stroke through points (x, y pairs in [0, 1]), e.g. a demo digit. */
void       ll_draw_pad_add_stroke     (LlDrawPad *self, const double *xy, guint n_points);
/* The ink as floats in [0, 1] (see ll_ink_get_pixels); NULL when the pad
 * has no size yet. */
const float *ll_draw_pad_get_pixels   (LlDrawPad *self, int *width, int *height);
/* Input as the gestures deliver it, in widget coordinates; for tests. */
void       ll_draw_pad_pointer_down   (LlDrawPad *self, double x, double y, double pressure);
void       ll_draw_pad_pointer_move   (LlDrawPad *self, double x, double y, double pressure);
void       ll_draw_pad_pointer_up     (LlDrawPad *self);

G_END_DECLS
