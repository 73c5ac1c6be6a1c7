/* ll-dataset-private.h: a seam for tests of the data-set loaders. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* When set, called after every read from an IDX file with the file's path
 * and how many (uncompressed) bytes have been read from it so far: a test
 * truncates or appends to the file there, at a point of its choosing, to
 * check that a file changing while it is loaded is an error and never a
 * crash.  NULL outside tests. */
extern void (*ll_dataset_read_hook) (const char *path, guint64 offset, gpointer data);
extern gpointer ll_dataset_read_hook_data;

G_END_DECLS
