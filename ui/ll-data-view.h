/* ll-data-view.h: the Data view: the data sets on this computer (where,
 * size, checksums, download with progress and cancel), and a browsable, zoomable grid of each data
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

/* The data-set manager: TRUE while checksums are checked or a download
 * runs; the status line of a set ("Found in … · 11.1 MB · …", what to do
 * when missing, the last download's error); a download of a known set
 * (base_url NULL: the official location), as its Download button starts. */
gboolean         ll_data_view_is_checking       (LlDataView *self);
char            *ll_data_view_dup_set_summary   (LlDataView *self, const char *name);
gboolean         ll_data_view_download          (LlDataView *self, const char *name,
                                                 const char *base_url);
void             ll_data_view_cancel_download   (LlDataView *self, const char *name);

G_END_DECLS
