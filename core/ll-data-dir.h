/* ll-data-dir.h: the one place that says where the data sets are looked
 * for first, shared by every view and the command line. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The folder searched first for the data sets: $LAYERLAB_DATA_DIR, else
 * the data folder the user chose (the settings' data-dir; with settings
 * NULL, the application's own settings when its schema is installed).
 * NULL: only the standard places (ll_dataset_load_named's search path). */
char *ll_dup_data_dir (GSettings *settings);

/* The application's settings, or NULL when its schema is not installed
 * (a build-tree test without the compiled schema) or, with key given,
 * when the installed schema is older and lacks that key. (transfer full) */
GSettings *ll_settings_new_if_installed (const char *key);

G_END_DECLS
