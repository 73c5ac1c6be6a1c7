/* ll-data-view.h: the Data view: the data sets on this computer (where,
 * size, checksums, download with progress and cancel), the import of a
 * folder of the user's own pictures as a data set, and a browsable,
 * zoomable grid of each data set's images with their class names, a class
 * filter, the training/test switch and the number of images per class.
 * The known sets are searched first where the Train view searches them
 * ($LAYERLAB_DATA_DIR, else its data folder). */
#pragma once

#include "ll-view.h"

#include "ll-document.h"
#include "ll-image-grid.h"

G_BEGIN_DECLS

#define LL_TYPE_DATA_VIEW (ll_data_view_get_type ())
G_DECLARE_FINAL_TYPE (LlDataView, ll_data_view, LL, DATA_VIEW, LlView)

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

/* Import Folder…: folder (one sub-folder per class of PNG/JPEG pictures)
 * becomes a data set of the document's model input shape, written into
 * output_dir (NULL: ll_import_folder_default_dir of the folder's name) by
 * a thread with a progress bar and Cancel.  The outcome shows in a message
 * (counts, skipped files, or what went wrong: then nothing is written);
 * an imported set is added to the data-set menu and shown, and Train on It
 * (data.train-on-import) makes it the Train view's data folder.  The
 * button calls this with the folder chosen.  FALSE, with the message
 * shown, when no import started (one running, a model input that cannot
 * be imported, a folder not on this computer). */
gboolean         ll_data_view_import_folder      (LlDataView *self, GFile *folder,
                                                  const char *output_dir);
gboolean         ll_data_view_is_importing       (LlDataView *self);
void             ll_data_view_cancel_import      (LlDataView *self);
/* The import message shown, or NULL when none is. */
char            *ll_data_view_dup_import_message (LlDataView *self);
/* The folder of the last successful import, or NULL. */
const char      *ll_data_view_get_import_dir     (LlDataView *self);

G_END_DECLS
