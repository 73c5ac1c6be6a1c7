/* ll-data-view.h: the Data view: a browsable, zoomable grid of each data
 * set's images with their class names, a class filter, the training/test
 * switch and the number of images per class. */
#pragma once

#include <adwaita.h>

#include "ll-document.h"
#include "ll-image-grid.h"

G_BEGIN_DECLS

#define LL_TYPE_DATA_VIEW (ll_data_view_get_type ())
G_DECLARE_FINAL_TYPE (LlDataView, ll_data_view, LL, DATA_VIEW, AdwBin)

GtkWidget       *ll_data_view_new         (void);

/* For tests and screenshots. */
gboolean         ll_data_view_is_busy     (LlDataView *self);
const LlDataset *ll_data_view_get_dataset (LlDataView *self);
LlImageGrid     *ll_data_view_get_grid    (LlDataView *self);
/* -1 for every class. */
void             ll_data_view_set_class   (LlDataView *self, int cls);

G_END_DECLS
