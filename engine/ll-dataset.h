/* ll-dataset.h: image classification data sets kept as uint8 in memory
 * (HWC, one label byte per image) and scaled to [0, 1] per batch. */
#pragma once

#include "ll-types.h"

G_BEGIN_DECLS

typedef struct {
  char *name;                      /* "mnist", "fashion-mnist", "cifar10", ... */
  int n;                           /* images */
  int height, width, channels;
  int n_classes;
  guint8 *images;                  /* n × height × width × channels, HWC */
  guint8 *labels;                  /* n */
  float *values;                   /* n × height × width × channels floats used as they
                                    * are instead of images when not NULL (the 2-D toy
                                    * data of ll-toy-data.h); images is NULL then */
  char **class_names;              /* n_classes strings, NULL-terminated */
} LlDataset;

/* Creates an empty data set of the given geometry (images zeroed). */
LlDataset *ll_dataset_new         (const char *name, int n, int height, int width,
                                   int channels, int n_classes, GError **error);
/* A data set of n samples of n_values floats each (height 1, width
 * n_values, 1 channel), all zero: points and their features. */
LlDataset *ll_dataset_new_values  (const char *name, int n, int n_values, int n_classes,
                                   GError **error);
void       ll_dataset_free        (LlDataset *ds);
/* A copy of images [start, start + count). */
LlDataset *ll_dataset_slice       (const LlDataset *ds, int start, int count);
gsize      ll_dataset_sample_size (const LlDataset *ds);

/* IDX files (MNIST, Fashion-MNIST), gzip-compressed or raw, detected by content.
 * labels_path may be NULL to read images only (every label 0). */
LlDataset *ll_dataset_load_idx    (const char *images_path, const char *labels_path,
                                   GError **error);
/* The images of an IDX image file (gzip or raw) as floats scaled to
 * [0, 1] (x / 255, as ll_dataset_fill_batch), n × height × width, for
 * predicting: the file is read a chunk at a time straight into the float
 * buffer, so the peak memory is the floats plus one chunk (1 MiB), not
 * the bytes and the floats.  sample_size (0: any) is the pixels an image
 * must have (LL_ERROR_SHAPE otherwise, before anything is read); the
 * floats are checked against the machine's memory before they are
 * allocated (LL_ERROR_MEMORY).  The other errors are those of
 * ll_dataset_load_idx.  height and width may be NULL.  (transfer full) */
float     *ll_dataset_load_idx_floats (const char *images_path, gsize sample_size,
                                       int *n, int *height, int *width, GError **error);
/* CIFAR-10 binary batches (1 label byte + 3072 bytes RGB planes per record). */
LlDataset *ll_dataset_load_cifar10 (const char *const *paths, GError **error);

/* Scales images indices[0..count) to [0, 1] (or copies values) into x (count × sample size)
 * and copies their labels into labels (may be NULL). */
void       ll_dataset_fill_batch  (const LlDataset *ds, const guint32 *indices, int count,
                                   float *x, gint32 *labels);

/* Known data sets: "mnist", "fashion-mnist", "cifar10". */
const char *const *ll_dataset_known_names (void);
/* Class names for a known data set name (NULL-terminated, static). */
const char *const *ll_dataset_class_names (const char *name);

/* Finds and loads a known data set.  data_dir (nullable) is searched first,
 * then $XDG_DATA_HOME/layerlab/datasets/<name>, then for Fashion-MNIST
 * /usr/share/datasets/fashion-mnist.  test selects the test split.  When
 * nothing is found the error (LL_ERROR_NOT_FOUND) lists the places looked
 * in and what to do. */
LlDataset *ll_dataset_load_named  (const char *name, const char *data_dir, gboolean test,
                                   GError **error);
/* TRUE when data_dir (nullable) can be searched: not given, absent (the
 * standard places are searched then) or a folder.  Something else (a
 * FIFO, a device, a file) is LL_ERROR_INVALID saying what it is and what
 * to give instead; nothing is opened. */
gboolean   ll_dataset_check_data_dir (const char *data_dir, GError **error);
/* The directory where the data set was or would be found (newly allocated), or NULL. */
char      *ll_dataset_locate      (const char *name, const char *data_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlDataset, ll_dataset_free)

/* A class name fit for classes.txt (one a line) and for messages: control
 * characters written as \n, \t, \r or \xNN, so a folder named "x<newline>y"
 * stays one class.  (transfer full) */
char *ll_dataset_clean_class_name (const char *name);

G_END_DECLS
