/* ll-number-grid.h: a small map drawn as cells with a colour and, when
 * they are large enough, their number: a convolution's window, a kernel,
 * the products, a feature map being filled in.  Cells can be marked as
 * padding (hatched zeros), outlined (the window, the next window, the
 * winner of a max), hidden past a count (an output map filling in),
 * clicked or chosen with the keyboard ("cell-activated"), and painted with
 * the pointer (an editable input). */
#pragma once

#include <gtk/gtk.h>

#include "ll-feature-grid.h"

G_BEGIN_DECLS

#define LL_TYPE_NUMBER_GRID (ll_number_grid_get_type ())
G_DECLARE_FINAL_TYPE (LlNumberGrid, ll_number_grid, LL, NUMBER_GRID, GtkWidget)

typedef enum {
  LL_NUMBERS_AUTO,                 /* numbers when the cells are large enough */
  LL_NUMBERS_ALWAYS,
  LL_NUMBERS_NEVER,
} LlNumbersMode;

GtkWidget   *ll_number_grid_new            (void);
/* rows × cols values, row-major; copied.  Keeps the marks that still fit. */
void         ll_number_grid_set_values     (LlNumberGrid *self, const float *values, int rows, int cols);
const float *ll_number_grid_get_values     (LlNumberGrid *self, int *rows, int *cols);
/* rows × cols flags (1: padding, drawn as a hatched 0), or NULL for none; copied. */
void         ll_number_grid_set_padding    (LlNumberGrid *self, const guint8 *padding);
void         ll_number_grid_set_colormap   (LlNumberGrid *self, LlColormap colormap);
/* A fixed colour range (lo < hi), or lo >= hi for the values' own range. */
void         ll_number_grid_set_range      (LlNumberGrid *self, float lo, float hi);
void         ll_number_grid_set_numbers    (LlNumberGrid *self, LlNumbersMode mode);
/* Digits after the point of the numbers shown (default 2). */
void         ll_number_grid_set_digits     (LlNumberGrid *self, int digits);
/* Preferred side of a cell in pixels (×1.5 in presentation mode). */
void         ll_number_grid_set_cell_size  (LlNumberGrid *self, int size);

/* The window, outlined: cells [row0, row1) × [col0, col1); row1 <= row0 clears. */
void         ll_number_grid_set_window     (LlNumberGrid *self, int row0, int col0, int row1, int col1);
/* A second, dashed outline: where the next window goes. */
void         ll_number_grid_set_next_window (LlNumberGrid *self, int row0, int col0, int row1, int col1);
/* One cell drawn with a thick frame (a max's winner); −1 clears. */
void         ll_number_grid_set_marked     (LlNumberGrid *self, int row, int col);
/* Only the first n cells (row-major) are shown, the rest left empty; −1: all. */
void         ll_number_grid_set_revealed   (LlNumberGrid *self, int n);
int          ll_number_grid_get_revealed   (LlNumberGrid *self);

/* Clicking a cell (or Enter on the keyboard's cell) emits "cell-activated". */
void         ll_number_grid_set_activatable (LlNumberGrid *self, gboolean activatable);
/* The keyboard's cell (drawn with a focus frame); −1 for none. */
void         ll_number_grid_set_cursor     (LlNumberGrid *self, int row, int col);
gboolean     ll_number_grid_get_cursor     (LlNumberGrid *self, int *row, int *col);
/* Dragging paints brush into the cells it crosses (emits "changed");
 * Delete/Backspace on the keyboard's cell sets it to 0, space to brush. */
void         ll_number_grid_set_editable   (LlNumberGrid *self, gboolean editable);
void         ll_number_grid_set_brush      (LlNumberGrid *self, float value);
/* Sets one value (emits "changed"). */
void         ll_number_grid_set_value      (LlNumberGrid *self, int row, int col, float value);

/* The cell under widget coordinates (x, y); FALSE outside the cells. */
gboolean     ll_number_grid_cell_at        (LlNumberGrid *self, double x, double y, int *row, int *col);
/* What a primary click at widget coordinates (x, y) does: the keyboard's
 * cell moves there and, when activatable, "cell-activated" is emitted. */
void         ll_number_grid_click          (LlNumberGrid *self, double x, double y);
/* The centre of a cell in widget coordinates (for tests that click). */
void         ll_number_grid_cell_center    (LlNumberGrid *self, int row, int col, double *x, double *y);

G_END_DECLS
