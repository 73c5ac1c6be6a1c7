/* ll-import-folder.h: a folder of the user's own pictures as a data set.
 *
 * The folder holds one sub-folder per class (its name is the class name)
 * of PNG or JPEG pictures of any size.  They are decoded with gdk-pixbuf,
 * resized to the model's input by the engine (ll-dataset-import.h), split
 * into training and test sets and written as files that
 * ll_dataset_load_named finds with that folder as its data_dir (the Train
 * view's "Data folder", `layerlab train --data-dir`).
 *
 * GLib and gdk-pixbuf only, no widgets, never prints: the Data view and
 * `layerlab datasets --import` (also in the headless build) share it. */
#pragma once

#include <gio/gio.h>

#include "ll-dataset.h"

G_BEGIN_DECLS

typedef struct {
  char *path;               /* the file, as found */
  char *reason;             /* why it was left out (gdk-pixbuf's message) */
  gboolean unknown_format;  /* not a picture gdk-pixbuf knows */
} LlImportSkip;

typedef struct {
  int n_images;             /* imported */
  int n_train, n_test;
  int height, width, channels;
  char **class_names;       /* NULL-terminated: the sub-folders, sorted */
  int n_classes;
  int *class_counts;        /* images per class, n_classes entries */
  GPtrArray *skipped;       /* of LlImportSkip *: files that were not pictures */
  char *output_dir;         /* where the set was written */
} LlImportReport;

void ll_import_report_clear (LlImportReport *report);

/* Called with the files decoded so far and the files in all the class
 * folders together. */
typedef void (*LlImportProgressFunc) (int done, int total, gpointer user_data);

/* The shapes the written files can hold: H×W×1 (MNIST-style IDX files) or
 * 32×32×3 (CIFAR-10 batches).  FALSE, with an LL_ERROR_INVALID that says
 * which shapes work, for any other. */
gboolean ll_import_folder_check_shape (int height, int width, int channels, GError **error);

/* Imports dir into output_dir (created as needed), test_fraction of each
 * class kept for testing in an order shuffled by seed.  The files are
 * written into a temporary folder beside output_dir and moved into it only
 * when all went well: an error or a cancel leaves output_dir as it was.
 * Files of a previous import in output_dir are replaced (those of the other
 * format removed); other files there are left alone.  Files that are not
 * readable pictures are skipped and listed in report; an empty folder, no
 * sub-folders, no readable picture, fewer than 2 or more than 10 classes
 * are errors (LL_ERROR_INVALID, LL_ERROR_IO; G_IO_ERROR_CANCELLED).
 * progress (nullable) is called in this thread.  report (nullable) is
 * filled as far as the import went, also on error: clear it with
 * ll_import_report_clear. */
gboolean ll_import_folder (const char *dir, int height, int width, int channels,
                           double test_fraction, guint64 seed, const char *output_dir,
                           GCancellable *cancellable,
                           LlImportProgressFunc progress, gpointer progress_data,
                           LlImportReport *report, GError **error);

/* The same in a GTask thread.  progress (nullable) is called in the
 * thread-default main context of the caller, coalesced (at most one call
 * pending, with the latest counts), and never after callback. */
void     ll_import_folder_async  (const char *dir, int height, int width, int channels,
                                  double test_fraction, guint64 seed, const char *output_dir,
                                  GCancellable *cancellable,
                                  LlImportProgressFunc progress, gpointer progress_data,
                                  GAsyncReadyCallback callback, gpointer user_data);
/* report (nullable) is filled also on error. */
gboolean ll_import_folder_finish (GAsyncResult *result, LlImportReport *report, GError **error);

/* $XDG_DATA_HOME/layerlab/imported/<name> (newly allocated): where the
 * Data view keeps imported sets, apart from the known sets' folders so
 * that a folder named "mnist" never stands in for MNIST. */
char    *ll_import_folder_default_dir (const char *name);
/* The folders under $XDG_DATA_HOME/layerlab/imported holding an imported
 * set, sorted (NULL-terminated, newly allocated; empty when none). */
char   **ll_import_folder_list_imported (void);

/* Loads an imported set from dir (training or test split), with the class
 * names of its classes.txt and the folder's name as its name.  Reads only
 * dir (never the standard places). */
LlDataset *ll_import_folder_load (const char *dir, gboolean test, GError **error);

G_END_DECLS
