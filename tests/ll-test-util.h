/* ll-test-util.h: helpers shared by the test suites and benchmarks. */
#pragma once

#include <glib.h>
#include "ll-arch.h"
#include "ll-dataset.h"
#include "ll-model.h"

G_BEGIN_DECLS

/* Directory of ../shared/data when it exists (LL_SHARED_DATA), else NULL. */
const char *ll_test_shared_data (void);
/* Points the application's data lookup ($LAYERLAB_DATA_DIR) at dir, or
 * with dir NULL back at the tests' default: $LL_SHARED_DATA when set,
 * else nowhere. */
void        ll_test_use_data_dir (const char *dir);
/* Path of a file under the shared data directory, or NULL when absent. */
char       *ll_test_shared_file (const char *relative);

/* Loads the shared MNIST split, or makes a small synthetic digit-like data
 * set of n images (10 classes, separable) when the shared data is absent. */
LlDataset  *ll_test_mnist (gboolean test, int n_synthetic);
/* A small synthetic, learnable data set (blobs per class). */
LlDataset  *ll_test_synthetic (int n, int h, int w, int c, int n_classes, guint64 seed);

/* Deletes a folder and everything in it (symbolic links, not their targets). */
void        ll_test_remove_tree (const char *path);

/* A preset's model with weights from seed (ll_model_init_weights). */
LlModel    *ll_test_preset_model (const char *name, guint64 seed);
/* Every BatchNormalization's gamma, beta and moving statistics away from
 * their initial 1/0, so that an exporter that dropped or swapped one of
 * them is caught. */
void        ll_test_randomize_bn (LlModel *model, guint64 seed);

/* ll_arch_from_text, failing the test on an error. */
LlArch     *ll_test_arch (const char *text);

/* TRUE while a process runs whose command line holds both arguments
 * (a Keras reader, "internal-read-model", on a given file): from /proc. */
gboolean    ll_test_process_running (const char *arg1, const char *arg2);

/* Number of entries in a folder (0 when it cannot be read). */
int         ll_test_count_entries (const char *dir);

/* Copies a file of the source tree (relative to LL_SOURCE_ROOT) to
 * dir/name; returns the new path. */
char       *ll_test_copy_source_file (const char *dir, const char *rel, const char *name);

/* Writes bytes to a new file in a temporary directory; returns its path. */
char       *ll_test_write_temp (const char *name, const void *data, gsize len);

/* A PNG of w × h pixels, all of colour rgba (0xRRGGBBAA), through gdk-pixbuf. */
void        ll_test_write_png (const char *path, int w, int h, guint32 rgba);
/* root/name/<class>/<i>.png: class k filled with colours[k], n of each,
 * of several sizes (some larger than twice a 32×32 input).  Returns
 * root/name. */
char       *ll_test_make_image_folder (const char *root, const char *name,
                                       const char *const *classes, const guint32 *colours, int n);

/* Finite-difference helpers: fills v with uniform values in [lo, hi). */
void        ll_test_fill_uniform (float *v, gsize n, double lo, double hi, guint64 seed);

G_END_DECLS
