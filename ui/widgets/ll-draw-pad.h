/* ll-draw-pad.h: a canvas to draw digits on with mouse, touch or stylus.
 *
 * LlInk is the pad's drawing without the widget (strokes rendered into an
 * 8-bit coverage surface), so benchmarks and tests can draw without a
 * display.  Coordinates are fractions of the pad's width and height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _LlInk LlInk;

LlInk           *ll_ink_new           (void);
void             ll_ink_free          (LlInk *ink);
/* Device pixels of the backing surface; re-renders every stroke.  0 frees it. */
void             ll_ink_set_size      (LlInk *ink, int width, int height);
/* Brush diameter as a fraction of the shorter side. */
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
/* "brush-size" property: fraction of the shorter side, 0.02 – 0.2. */
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
