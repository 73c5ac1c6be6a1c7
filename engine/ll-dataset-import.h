/* ll-dataset-import.h: a user's own pictures as a data set.
 *
 * The caller decodes the files (PNG, JPEG: gdk-pixbuf in ui/ or app/) into
 * RGBA; the engine resizes them to the model's input, builds an LlDataset
 * with the class names, splits it into training and test sets, and writes
 * the files that ll_dataset_load_named reads back (IDX for one channel,
 * CIFAR-10 batches for 32×32×3). */
#pragma once

#include "ll-dataset.h"

G_BEGIN_DECLS

typedef struct {
  const guint8 *rgba;       /* width × height pixels, 4 bytes each */
  int width, height;
  int stride;               /* bytes per row */
  int label;                /* index into the class names */
} LlImportImage;

/* Images resized (bilinear) to height × width × channels (1: luma, 3: RGB;
 * transparent pixels become black).  class_names is NULL-terminated and
 * gives n_classes.  LL_ERROR_INVALID for a bad geometry or label. */
LlDataset *ll_dataset_import (const LlImportImage *images, int n, const char *const *class_names,
                              int height, int width, int channels, GError **error);

/* Splits ds: test_fraction of each class (rounded, at least one image of a
 * class with two or more) to *test, the rest to *train, in an order
 * shuffled by seed. */
gboolean   ll_dataset_split  (const LlDataset *ds, double test_fraction, guint64 seed,
                              LlDataset **train, LlDataset **test, GError **error);

/* Writes train and test into dir (created) as ll_dataset_load_named finds
 * them for --data-dir: the four MNIST IDX files when channels is 1, the
 * CIFAR-10 batches data_batch_1.bin and test_batch.bin for 32×32×3; plus
 * classes.txt (one name a line).  At most 10 classes (the readers' limit). */
gboolean   ll_dataset_write_dir (const LlDataset *train, const LlDataset *test, const char *dir,
                                 GError **error);

G_END_DECLS
