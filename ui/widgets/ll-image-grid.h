/* ll-image-grid.h: a zoomable grid of data-set images with a caption under
 * each (its class name by default), for the Data view and for the
 * misclassified images in the Inspect view.  Clicking an image emits
 * "image-activated" with its index in the data set. */
#pragma once

#include <gtk/gtk.h>

#include "ll-dataset.h"

G_BEGIN_DECLS

#define LL_TYPE_IMAGE_GRID (ll_image_grid_get_type ())
G_DECLARE_FINAL_TYPE (LlImageGrid, ll_image_grid, LL, IMAGE_GRID, GtkWidget)

GtkWidget *ll_image_grid_new        (void);
/* Shows images indices[0..n) of ds.  ds is borrowed: the caller keeps it
 * alive while it is shown (or calls this with NULL first).  captions
 * (nullable, n entries) replace the class names. */
void       ll_image_grid_set_images (LlImageGrid *self, const LlDataset *ds,
                                     const guint32 *indices, int n,
                                     const char *const *captions);
/* Screen pixels per image pixel, 1 to 8. */
void       ll_image_grid_set_zoom   (LlImageGrid *self, int zoom);
int        ll_image_grid_get_zoom   (LlImageGrid *self);
int        ll_image_grid_get_n_images (LlImageGrid *self);
/* The data-set index of image i as shown, for tests. */
guint32    ll_image_grid_get_index  (LlImageGrid *self, int i);

G_END_DECLS
