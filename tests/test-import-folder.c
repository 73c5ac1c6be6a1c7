/* test-import-folder.c: the folder import every front end shares (the
 * Data view's Import Folder…, `layerlab datasets --import`), without a
 * display: what cannot work says why and writes nothing, colour and
 * grayscale sets are written and read back, other files in the output
 * folder stay. */
#include <glib/gstdio.h>
#include <string.h>

#include "ll-import-folder.h"
#include "ll-test-util.h"

/* The shared import (the CLI's too) on what cannot work, and on colour. */
static void
test_import_folder_sync (void)
{
  const char *const eleven[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", NULL };
  const guint32 colours[11] = { 0xff0000ff, 0x00ff00ff, 0x0000ffff, 0xff0000ff, 0xff0000ff,
                                0xff0000ff, 0xff0000ff, 0xff0000ff, 0xff0000ff, 0xff0000ff,
                                0xff0000ff };
  g_autofree char *root = g_dir_make_tmp ("ll-ui-import-XXXXXX", NULL);
  g_autofree char *many = ll_test_make_image_folder (root, "many", eleven, colours, 2);
  g_autofree char *empty = g_build_filename (root, "empty", NULL);
  g_autofree char *out = g_build_filename (root, "out", "set", NULL);
  g_autofree char *outs = g_build_filename (root, "out", NULL);
  g_autofree char *other = g_build_filename (out, "mine.txt", NULL);
  g_autofree char *idx = g_build_filename (out, "train-images-idx3-ubyte", NULL);
  g_autoptr(GError) error = NULL;
  LlImportReport report = { 0 };

  /* More classes than the files hold. */
  g_assert_false (ll_import_folder (many, 28, 28, 1, 0.2, 1, out, NULL, NULL, NULL, &report, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "11 sub-folders"));
  g_clear_error (&error);
  ll_import_report_clear (&report);
  g_assert_false (g_file_test (outs, G_FILE_TEST_EXISTS));

  /* An empty folder. */
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_false (ll_import_folder (empty, 28, 28, 1, 0.2, 1, out, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "is empty"));
  g_clear_error (&error);

  /* Shapes the files cannot hold. */
  g_assert_false (ll_import_folder_check_shape (20, 20, 3, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ll_import_folder_check_shape (32, 32, 3, NULL));
  g_assert_true (ll_import_folder_check_shape (28, 28, 1, NULL));

  /* Colour, 10 of the 11 classes (one moved away), into a folder that
   * holds another file: that stays, the set is read back. */
  {
    g_autofree char *k = g_build_filename (many, "k", NULL);
    g_autofree char *k_away = g_build_filename (root, "k", NULL);
    g_autoptr(LlDataset) back = NULL;

    g_assert_cmpint (g_rename (k, k_away), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
    g_assert_true (g_file_set_contents (other, "mine", -1, NULL));
    g_assert_true (ll_import_folder (many, 32, 32, 3, 0.5, 2, out, NULL, NULL, NULL, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpint (report.n_images, ==, 20);
    g_assert_cmpint (report.n_classes, ==, 10);
    g_assert_cmpint (report.n_train, ==, 10);
    g_assert_cmpint (report.n_test, ==, 10);
    g_assert_cmpint (report.skipped->len, ==, 0);
    ll_import_report_clear (&report);
    back = ll_dataset_load_named ("cifar10", out, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (back->n, ==, 10);
    for (int i = 0; i < back->n; i++)
      {
        const guint8 *p = back->images + (gsize) i * 32 * 32 * 3 + (16 * 32 + 16) * 3;
        int want = back->labels[i] == 1 ? 1 : back->labels[i] == 2 ? 2 : 0;
        for (int c = 0; c < 3; c++)
          g_assert_cmpint (p[c], ==, c == want ? 255 : 0);
      }
    g_assert_true (g_file_test (other, G_FILE_TEST_IS_REGULAR));

    /* Again as grayscale into the same folder: the colour files go. */
    g_assert_true (ll_import_folder (many, 28, 28, 1, 0.5, 2, out, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (idx, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint (ll_test_count_entries (out), ==, 6);   /* classes.txt, 4 IDX files, mine.txt */
    g_assert_cmpint (ll_test_count_entries (outs), ==, 1);
  }
  ll_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/import-folder/sync", test_import_folder_sync);
  return g_test_run ();
}
