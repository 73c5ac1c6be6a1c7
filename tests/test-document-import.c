/* test-document-import.c: opening an ONNX file in the document (as File →
 * Open and a drop do): the imported model with its weights, the file's
 * name as the title, no path, so that Save asks where to write the
 * .llmodel instead of writing over the ONNX file. */
#include "ll-document.h"
#include "ll-export-onnx.h"
#include "ll-test-util.h"

#include <string.h>

static void
test_open_onnx (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-import-XXXXXX", NULL);
  g_autofree char *onnx = g_build_filename (dir, "digits.onnx", NULL);
  g_autofree char *saved = g_build_filename (dir, "digits.llmodel", NULL);
  g_autoptr(LlModel) model = ll_test_preset_model ("mnist-cnn", 3);
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autofree char *title = NULL, *bytes_before = NULL, *bytes_after = NULL;
  gsize len_before = 0, len_after = 0;

  g_assert_true (ll_export_onnx (model, onnx, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (onnx, &bytes_before, &len_before, NULL));

  g_assert_true (ll_document_open (doc, onnx, &error));
  g_assert_no_error (error);
  title = ll_document_dup_title (doc);
  g_assert_cmpstr (title, ==, "digits.onnx");
  g_assert_null (ll_document_get_path (doc));
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_true (ll_document_get_valid (doc));
  g_assert_true (ll_document_get_trained (doc));
  g_assert_true (ll_document_get_imported (doc));
  /* The export leaves Dropout out: one layer fewer, the same weights. */
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (doc)), ==,
                   ll_arch_n_layers (ll_model_get_arch (model)) - 1);
  g_assert_cmpuint (ll_model_n_trainable (ll_document_get_model (doc)), ==,
                    ll_model_n_trainable (model));

  /* Save without a path asks for one; Save As writes a .llmodel. */
  g_assert_false (ll_document_save (doc, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
  g_clear_error (&error);
  g_assert_true (ll_document_save (doc, saved, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ll_document_get_path (doc), ==, saved);
  g_assert_true (ll_document_get_imported (doc));
  g_assert_true (g_file_get_contents (onnx, &bytes_after, &len_after, NULL));
  g_assert_cmpmem (bytes_before, len_before, bytes_after, len_after);

  /* A damaged file changes nothing. */
  {
    g_autofree char *bad = g_build_filename (dir, "bad.onnx", NULL);
    g_assert_true (g_file_set_contents (bad, "\x08\x07\x12", 3, NULL));
    g_assert_false (ll_document_open (doc, bad, &error));
    g_assert_nonnull (error);
    g_assert_cmpstr (ll_document_get_path (doc), ==, saved);
  }

  /* An edit that gives the model new weights ends the import. */
  ll_document_remove_layer (doc, ll_arch_n_layers (ll_document_get_arch (doc)) - 2);
  g_assert_false (ll_document_get_imported (doc));
  ll_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/document/open-onnx", test_open_onnx);
  return g_test_run ();
}
