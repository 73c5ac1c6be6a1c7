/* ll-feature-grid.h: a grid of tiles drawn from float maps with a colour
 * map and a legend of the value range: feature maps (one tile per
 * channel), filters, Dense weights as images, heat strips.  The drawing
 * is cached in a cairo surface and redrawn only on new data or a new
 * width. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  LL_COLORMAP_VIRIDIS,     /* activations: dark low, yellow high */
  LL_COLORMAP_GRAY,        /* perceptually uniform gray, black low */
  LL_COLORMAP_DIVERGING,   /* weights: blue negative, white zero, red positive */
} LlColormap;

/* The colour of t in [0, 1] in a colour map, as opaque ARGB (magenta
 * for NaN): the one definition of the colour maps. */
guint32      ll_colormap_pixel            (LlColormap colormap, double t);

#define LL_TYPE_FEATURE_GRID (ll_feature_grid_get_type ())
G_DECLARE_FINAL_TYPE (LlFeatureGrid, ll_feature_grid, LL, FEATURE_GRID, GtkWidget)

GtkWidget   *ll_feature_grid_new          (void);
/* Tiles stored one after the other: tile t, row y, column x, channel c at
 * data[((t·h + y)·w + x)·channels + c].  channels is 1 (colour-mapped)
 * or 3 (drawn as RGB, each tile stretched to its own range).  Copied. */
void         ll_feature_grid_set_tiles    (LlFeatureGrid *self, const float *data, int n_tiles,
                                           int h, int w, int channels);
/* One sample of a layer output in Keras layout (h, w, c): one tile per channel. */
void         ll_feature_grid_set_hwc      (LlFeatureGrid *self, const float *data, int h, int w, int c);
void         ll_feature_grid_clear        (LlFeatureGrid *self);
/* A caption under each tile (NULL-terminated, copied; NULL for none). */
void         ll_feature_grid_set_labels   (LlFeatureGrid *self, const char *const *labels);
void         ll_feature_grid_set_colormap (LlFeatureGrid *self, LlColormap colormap);
/* Pixels of a tile's longer side (the tile is scaled by whole pixels when it can). */
void         ll_feature_grid_set_tile_size (LlFeatureGrid *self, int size);
/* At most this many tiles per row (rows of a kernel grid); 0: as many as fit. */
void         ll_feature_grid_set_columns  (LlFeatureGrid *self, int columns);
/* One range for all tiles (feature maps: comparable, one legend) or a
 * range per tile (filters).  Default: shared. */
void         ll_feature_grid_set_per_tile_range (LlFeatureGrid *self, gboolean per_tile);

/* Clicking a value emits "unit-activated" (tile, row, column) and shows a
 * hand pointer.  Off by default. */
void         ll_feature_grid_set_activatable (LlFeatureGrid *self, gboolean activatable);
/* The tile and the value's row and column under widget coordinates (x, y). */
gboolean     ll_feature_grid_unit_at      (LlFeatureGrid *self, double x, double y, int *tile,
                                           int *row, int *col);

/* What the widget holds, for tests: tile-major values as set. */
const float *ll_feature_grid_get_values   (LlFeatureGrid *self, int *n_tiles, int *h, int *w,
                                           int *channels);
int          ll_feature_grid_get_n_tiles  (LlFeatureGrid *self);
/* The value range of the legend (shared range). */
void         ll_feature_grid_get_range    (LlFeatureGrid *self, float *lo, float *hi);

/* Saves what any widget shows now as a PNG (it must be realized). */
gboolean     ll_widget_save_png           (GtkWidget *widget, const char *path, GError **error);

G_END_DECLS
