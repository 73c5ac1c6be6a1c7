/* test-ui-export.c: the window's Export menu (win.export-*), through the
 * function the actions call with the path the file dialog returns.  The
 * C files must compile with the system compiler and the scripts must be
 * valid Python (py_compile; nothing imports Keras or PyTorch here).
 *
 * Also the way in: the Data view's Import Folder… (a folder of PNGs
 * written here with gdk-pixbuf), through the function its button calls
 * with the folder chosen, read back with the engine.  The shared import
 * itself: tests/test-import-folder.c. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ll-test-util.h"
#include "ll-data-view.h"
#include "ll-dataset.h"
#include "ll-document.h"
#include "ll-import-folder.h"
#include "ll-train-view.h"
#include "ll-window.h"

static char *
find_program (const char *const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    {
      char *path = g_find_program_in_path (names[i]);
      if (path != NULL)
        return path;
    }
  return NULL;
}

static gboolean
run (const char *const *argv, char **out)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, out, NULL, &status, &error))
    {
      g_test_message ("spawn %s: %s", argv[0], error->message);
      return FALSE;
    }
  return g_spawn_check_wait_status (status, NULL);
}

static LlWindow *
new_window (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error) ||
                 ll_document_load_preset (doc, "mlp-128-dropout", NULL));
  return g_object_ref_sink (ll_window_new (NULL, doc));
}

static void
test_actions_exist (void)
{
  LlWindow *window = new_window ();

  for (int i = 0; i < 3; i++)
    {
      const char *names[] = { "export-c", "export-keras", "export-pytorch" };
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), names[i]);
      g_assert_nonnull (action);
      g_assert_true (g_action_get_enabled (action));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
test_export_c (void)
{
  const char *const ccs[] = { "cc", "gcc", "clang", NULL };
  g_autofree char *cc = find_program (ccs);
  g_autofree char *dir = g_dir_make_tmp ("ll-ui-export-XXXXXX", NULL);
  g_autofree char *c_path = g_build_filename (dir, "my net.c", NULL);
  g_autofree char *src = g_build_filename (dir, "my_net.c", NULL);
  g_autofree char *hdr = g_build_filename (dir, "my_net.h", NULL);
  g_autofree char *obj = g_build_filename (dir, "my_net.o", NULL);
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  /* "my net.c": the space is not a C identifier, so the prefix is my_net. */
  g_assert_true (ll_window_export_to_path (window, "c", c_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (src, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (hdr, G_FILE_TEST_IS_REGULAR));
  if (cc == NULL)
    g_test_skip ("no C compiler (cc, gcc or clang) in PATH: the files were written but not compiled");
  else
    {
      const char *argv[] = { cc, "-std=c99", "-Wall", "-Werror", "-c", src, "-o", obj, NULL };
      g_assert_true (run (argv, NULL));
      g_assert_true (g_file_test (obj, G_FILE_TEST_IS_REGULAR));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
check_script (const char *format)
{
  const char *const pys[] = { "python3", NULL };
  g_autofree char *py = find_program (pys);
  g_autofree char *dir = g_dir_make_tmp ("ll-ui-export-XXXXXX", NULL);
  g_autofree char *script = g_build_filename (dir, "net.py", NULL);
  g_autofree char *bin = g_build_filename (dir, "net.weights.bin", NULL);
  g_autofree char *json = g_build_filename (dir, "net.weights.json", NULL);
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  g_assert_true (ll_window_export_to_path (window, format, script, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (script, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (bin, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (json, G_FILE_TEST_IS_REGULAR));
  if (py == NULL)
    g_test_skip ("no python3 in PATH: the script was written but not checked");
  else
    {
      const char *argv[] = { py, "-m", "py_compile", script, NULL };
      g_assert_true (run (argv, NULL));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
test_export_keras (void)
{
  check_script ("keras");
}

static void
test_export_pytorch (void)
{
  check_script ("pytorch");
}

static void
test_export_errors (void)
{
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  g_assert_false (ll_window_export_to_path (window, "tflite", "/tmp/x.tflite", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  /* A folder that cannot be created: the error reaches the caller (the
   * action shows it in a dialog). */
  g_assert_false (ll_window_export_to_path (window, "keras", "/proc/nonexistent/net.py", &error));
  g_assert_nonnull (error);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}


/* Import Folder… ------------------------------------------------------------ */



static void
wait_until (gboolean (*done) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_true (done (data));
}

static gboolean
import_finished (gpointer view)
{
  return !ll_data_view_is_importing (view);
}

static gboolean
imported_shown (gpointer view)
{
  const LlDataset *ds = ll_data_view_get_dataset (view);
  return !ll_data_view_is_busy (view) && ds != NULL && ds->class_names != NULL
         && g_strcmp0 (ds->class_names[0], "circle") == 0;
}

static GtkWidget *
find_message_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (tops, i);
      if (ADW_IS_MESSAGE_DIALOG (w))
        return GTK_WIDGET (w);
    }
  return NULL;
}

static void
test_import_folder (void)
{
  const char *const classes[] = { "circle", "square", NULL };
  const guint32 colours[] = { 0xffffffff, 0x000000ff };
  g_autofree char *root = g_dir_make_tmp ("ll-ui-import-XXXXXX", NULL);
  g_autofree char *src = ll_test_make_image_folder (root, "shapes", classes, colours, 5);
  g_autofree char *junk = g_build_filename (src, "square", "notes.txt", NULL);
  g_autofree char *outs = g_build_filename (root, "out", NULL);
  g_autofree char *out = g_build_filename (outs, "shapes", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (src);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL, test = NULL, named = NULL;
  LlWindow *window = new_window ();
  GtkWidget *view = ll_window_get_view_widget (window, "data");
  LlDataView *dv = LL_DATA_VIEW (view);
  const LlDataset *shown;
  GtkWidget *train_view;

  g_assert_true (g_file_set_contents (junk, "not a picture", -1, NULL));
  ll_window_set_view (window, "data");
  gtk_window_present (GTK_WINDOW (window));

  /* In a thread: the main loop runs meanwhile. */
  g_assert_true (ll_data_view_import_folder (dv, folder, out));
  g_assert_true (ll_data_view_is_importing (dv));
  g_assert_false (ll_data_view_import_folder (dv, folder, out));
  wait_until (import_finished, dv, 60);

  message = ll_data_view_dup_import_message (dv);
  g_test_message ("%s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "Imported 10 pictures from “shapes” as 28×28×1: 8 for training, 2 for testing"));
  g_assert_nonnull (strstr (message, "circle 5 · square 5"));
  g_assert_nonnull (strstr (message, "Skipped 1 file: square/notes.txt"));
  g_assert_cmpstr (ll_data_view_get_import_dir (dv), ==, out);

  /* What the Train view and `layerlab train --data-dir` read. */
  named = ll_dataset_load_named ("mnist", out, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (named->n, ==, 8);
  g_assert_cmpint (named->height, ==, 28);
  g_assert_cmpint (named->width, ==, 28);
  g_assert_cmpint (named->channels, ==, 1);
  for (int i = 0; i < named->n; i++)
    g_assert_cmpint (named->images[(gsize) i * 784 + 14 * 28 + 14], ==,
                     named->labels[i] == 0 ? 255 : 0);
  train = ll_import_folder_load (out, FALSE, &error);
  g_assert_no_error (error);
  test = ll_import_folder_load (out, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (train->n, ==, 8);
  g_assert_cmpint (test->n, ==, 2);
  g_assert_cmpint (train->n_classes, ==, 2);
  g_assert_cmpstr (train->class_names[0], ==, "circle");
  g_assert_cmpstr (train->class_names[1], ==, "square");
  g_assert_cmpstr (train->name, ==, "shapes");
  /* Only the set: no temporary folder left beside it. */
  g_assert_cmpint (ll_test_count_entries (outs), ==, 1);

  /* Shown in the grid, with its class names. */
  wait_until (imported_shown, dv, 60);
  shown = ll_data_view_get_dataset (dv);
  g_assert_cmpint (shown->n, ==, 8);
  g_assert_cmpint (ll_image_grid_get_n_images (ll_data_view_get_grid (dv)), ==, 8);

  /* Train on It: the document's set takes the files, the Train view shows
   * and searches the imported folder first. */
  gtk_widget_activate_action (view, "data.train-on-import", NULL);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpstr (ll_window_get_view (window), ==, "train");
  g_assert_cmpstr (ll_document_get_dataset (ll_window_get_document (window)), ==, "mnist");
  train_view = ll_window_get_view_widget (window, "train");
  g_assert_cmpstr (ll_train_view_get_data_dir (LL_TRAIN_VIEW (train_view)), ==, out);
  g_assert_null (find_message_dialog ());
  /* The imported set stays in the Data view. */
  g_assert_true (ll_data_view_get_dataset (dv) == shown);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  ll_test_remove_tree (root);
}

static void
test_import_folder_errors (void)
{
  g_autofree char *root = g_dir_make_tmp ("ll-ui-import-XXXXXX", NULL);
  g_autofree char *flat = g_build_filename (root, "flat", NULL);
  g_autofree char *outs = g_build_filename (root, "out", NULL);
  g_autofree char *out = g_build_filename (outs, "flat", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (flat);
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();
  LlDataView *dv = LL_DATA_VIEW (ll_window_get_view_widget (window, "data"));
  LlDocument *doc = ll_window_get_document (window);

  /* Pictures, but no sub-folder per class. */
  g_assert_cmpint (g_mkdir_with_parents (flat, 0755), ==, 0);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strdup_printf ("%d.png", i);
      g_autofree char *path = g_build_filename (flat, file, NULL);
      ll_test_write_png (path, 20, 20, 0x808080ff);
    }
  g_assert_true (ll_data_view_import_folder (dv, folder, out));
  wait_until (import_finished, dv, 60);
  message = ll_data_view_dup_import_message (dv);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "has no sub-folders, only 3 files"));
  g_assert_nonnull (strstr (message, "Nothing was written"));
  g_assert_false (g_file_test (outs, G_FILE_TEST_EXISTS));
  g_assert_null (ll_data_view_get_import_dir (dv));

  /* A model input the files cannot hold: said at once, nothing starts. */
  g_assert_true (ll_document_set_layer_param (doc, 0, "channels", 3, &error));
  g_assert_no_error (error);
  g_assert_false (ll_data_view_import_folder (dv, folder, out));
  g_clear_pointer (&message, g_free);
  message = ll_data_view_dup_import_message (dv);
  g_assert_nonnull (strstr (message, "28×28×3"));
  g_assert_nonnull (strstr (message, "32×32×3"));
  g_assert_false (ll_data_view_is_importing (dv));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  ll_test_remove_tree (root);
}

/* Cancel: stopped, and nothing written. */
static void
test_import_folder_cancel (void)
{
  const char *const classes[] = { "a", "b", "c", NULL };
  const guint32 colours[] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff };
  g_autofree char *root = g_dir_make_tmp ("ll-ui-import-XXXXXX", NULL);
  g_autofree char *src = ll_test_make_image_folder (root, "many", classes, colours, 60);
  g_autofree char *outs = g_build_filename (root, "out", NULL);
  g_autofree char *out = g_build_filename (outs, "many", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (src);
  LlWindow *window = new_window ();
  LlDataView *dv = LL_DATA_VIEW (ll_window_get_view_widget (window, "data"));

  g_assert_true (ll_data_view_import_folder (dv, folder, out));
  ll_data_view_cancel_import (dv);
  wait_until (import_finished, dv, 60);
  message = ll_data_view_dup_import_message (dv);
  g_assert_cmpstr (message, ==, "Import stopped: nothing was written.");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpint (ll_test_count_entries (outs), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  ll_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("ll-ui-export-home-XXXXXX", NULL);
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  /* Imported sets and runs only in a folder of the test's own (GLib reads
   * XDG_DATA_HOME once, so before GTK starts). */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_unsetenv ("LAYERLAB_DATA_DIR");
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_message ("no display: run under xvfb-run");
      g_test_skip ("needs a display (xvfb-run)");
      status = g_test_run ();
      ll_test_remove_tree (data_home);
      return status;
    }
  adw_init ();

  g_test_add_func ("/ui/export/actions", test_actions_exist);
  g_test_add_func ("/ui/export/c", test_export_c);
  g_test_add_func ("/ui/export/keras", test_export_keras);
  g_test_add_func ("/ui/export/pytorch", test_export_pytorch);
  g_test_add_func ("/ui/export/errors", test_export_errors);
  g_test_add_func ("/ui/data-view/import-folder", test_import_folder);
  g_test_add_func ("/ui/data-view/import-folder-errors", test_import_folder_errors);
  g_test_add_func ("/ui/data-view/import-folder-cancel", test_import_folder_cancel);
  status = g_test_run ();
  ll_test_remove_tree (data_home);
  return status;
}
