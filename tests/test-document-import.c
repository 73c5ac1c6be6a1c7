/* test-document-import.c: opening an ONNX file in the document (as File →
 * Open and a drop do): the imported model with its weights, the file's
 * name as the title, no path, so that Save asks where to write the
 * .llmodel instead of writing over the ONNX file.  Keras files are read by
 * a child process (core/ll-model-reader.c, the layerlab built here): the
 * same weights as read in the process; a file made to hang libhdf5
 * (tests/fuzz/findings/) gives a one-line error within its time limit,
 * synchronously and asynchronously (the main loop keeps running), leaves
 * the document as it was and no reader behind; a cancel kills the reader;
 * a missing reader program is an error, never an import in the process. */
#include "ll-document.h"
#include "ll-export-onnx.h"
#include "ll-model-reader.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
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


/* Keras files through the child --------------------------------------- */

/* A reader (the hidden command) still running on path. */
static gboolean
reader_running (const char *path)
{
  return ll_test_process_running (LL_MODEL_READER_COMMAND, path);
}

/* What the document shows, to tell that a failed open changed nothing. */
typedef struct {
  LlArch *arch;
  char *title;
  gboolean dirty, can_undo;
} Seen;

static void
seen_take (Seen *s, LlDocument *doc)
{
  s->arch = ll_arch_copy (ll_document_get_arch (doc));
  s->title = ll_document_dup_title (doc);
  s->dirty = ll_document_get_dirty (doc);
  s->can_undo = ll_document_get_can_undo (doc);
}

static void
seen_assert_same (Seen *s, LlDocument *doc)
{
  g_autofree char *title = ll_document_dup_title (doc);

  g_assert_true (ll_arch_equal (s->arch, ll_document_get_arch (doc)));
  g_assert_cmpstr (s->title, ==, title);
  g_assert_cmpint (s->dirty, ==, ll_document_get_dirty (doc));
  g_assert_cmpint (s->can_undo, ==, ll_document_get_can_undo (doc));
  g_assert_false (ll_document_get_imported (doc));
  ll_arch_free (s->arch);
  g_free (s->title);
}

/* The hang file's error: one line, naming the file and the time limit. */
static void
assert_hang_error (const GError *error, double seconds)
{
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_test_message ("after %.2f s: %s", seconds, error->message);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_prefix (error->message, "hang.h5 "));
  g_assert_nonnull (strstr (error->message, "within 1 s"));
  g_assert_nonnull (strstr (error->message, "HDF5"));
  /* 1 s of limit; starting the reader takes a fraction of one. */
  g_assert_cmpfloat (seconds, >=, 0.9);
  g_assert_cmpfloat (seconds, <, 8.0);
}

static void
test_open_keras (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-keras-XXXXXX", NULL);
  const char *names[] = { "tiny-cnn.h5", "tiny-cnn.keras" };
  const char *rels[] = { "tests/fuzz/corpus/import-keras-h5/tiny-cnn.h5",
                         "tests/fuzz/corpus/import-keras-zip/tiny-cnn.keras" };

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = ll_test_copy_source_file (dir, rels[i], names[i]);
      g_autoptr(LlDocument) doc = ll_document_new ();
      g_autoptr(LlTrainer) here = ll_model_open_any (path, &error);
      g_autofree char *title = NULL;
      LlModel *model;

      g_assert_no_error (error);
      g_assert_true (ll_document_open (doc, path, &error));
      g_assert_no_error (error);
      title = ll_document_dup_title (doc);
      g_assert_cmpstr (title, ==, names[i]);
      g_assert_null (ll_document_get_path (doc));
      g_assert_true (ll_document_get_imported (doc));
      /* The weights and moving statistics the child read are those read
       * here, bit for bit, and so are the settings. */
      model = ll_document_get_model (doc);
      g_assert_true (ll_arch_equal (ll_model_get_arch (model),
                                    ll_model_get_arch (ll_trainer_get_model (here))));
      g_assert_cmpmem (ll_model_params (model), ll_model_n_trainable (model) * sizeof (float),
                       ll_model_params (ll_trainer_get_model (here)),
                       ll_model_n_trainable (ll_trainer_get_model (here)) * sizeof (float));
      g_assert_cmpmem (ll_model_state (model), ll_model_n_state (model) * sizeof (float),
                       ll_model_state (ll_trainer_get_model (here)),
                       ll_model_n_state (ll_trainer_get_model (here)) * sizeof (float));
      g_assert_cmpint (ll_document_get_config (doc)->optim.kind, ==,
                       ll_trainer_get_config (here)->optim.kind);
      g_assert_cmpfloat (ll_document_get_config (doc)->optim.learning_rate, ==,
                         ll_trainer_get_config (here)->optim.learning_rate);
      g_assert_cmpint (ll_document_get_config (doc)->loss, ==, ll_trainer_get_config (here)->loss);
    }

  /* A damaged Keras file: the child's own error, as one line. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LlDocument) doc = ll_document_new ();
    g_autofree char *src = g_build_filename (dir, "tiny-cnn.h5", NULL);
    g_autofree char *cut = g_build_filename (dir, "cut.h5", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;
    Seen seen;

    g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (cut, contents, (gssize) len / 2, NULL));
    seen_take (&seen, doc);
    g_assert_false (ll_document_open (doc, cut, &error));
    g_test_message ("%s", error->message);
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
    g_assert_true (g_str_has_prefix (error->message, "cut.h5: "));
    g_assert_null (strchr (error->message, '\n'));
    seen_assert_same (&seen, doc);
  }
  ll_test_remove_tree (dir);
}

static void
test_open_hang (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-hang-XXXXXX", NULL);
  g_autofree char *path = ll_test_copy_source_file (dir, "tests/fuzz/findings/keras-h5-libhdf5-vlen-hang.h5",
                                            "hang.h5");
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;
  Seen seen;

  /* An unsaved edit, kept through the failed open. */
  ll_document_remove_layer (doc, ll_arch_n_layers (ll_document_get_arch (doc)) - 2);
  seen_take (&seen, doc);
  g_assert_true (seen.dirty);

  start = g_get_monotonic_time ();
  g_assert_false (ll_document_open (doc, path, &error));
  assert_hang_error (error, (g_get_monotonic_time () - start) / 1e6);
  seen_assert_same (&seen, doc);
  g_assert_false (reader_running (path));
  ll_test_remove_tree (dir);
}

typedef struct {
  gboolean done, ok;
  GError *error;
  guint ticks;
} Opened;

static void
on_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Opened *o = data;

  o->ok = ll_document_open_finish (LL_DOCUMENT (source), result, &o->error);
  o->done = TRUE;
}

static gboolean
on_tick (gpointer data)
{
  ((Opened *) data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_open_hang_async (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-hang-XXXXXX", NULL);
  g_autofree char *path = ll_test_copy_source_file (dir, "tests/fuzz/findings/keras-h5-libhdf5-vlen-hang.h5",
                                            "hang.h5");
  g_autoptr(LlDocument) doc = ll_document_new ();
  Opened o = { 0 };
  guint tick;
  gint64 start;
  double seconds;
  Seen seen;

  seen_take (&seen, doc);
  tick = g_timeout_add (20, on_tick, &o);
  start = g_get_monotonic_time ();
  ll_document_open_async (doc, path, NULL, on_opened, &o);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (tick);
  g_assert_false (o.ok);
  assert_hang_error (o.error, seconds);
  /* The main loop ran all along: a tick every 20 ms, most of them seen
   * even on a loaded machine. */
  g_test_message ("%u ticks of 20 ms in %.2f s", o.ticks, seconds);
  g_assert_cmpuint (o.ticks, >=, (guint) (seconds * 50 / 4));
  seen_assert_same (&seen, doc);
  g_assert_false (reader_running (path));
  g_clear_error (&o.error);

  /* A cancel kills the reader at once, before its time limit: the error
   * is the cancel's. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Opened c = { 0 };

    seen_take (&seen, doc);
    ll_document_open_async (doc, path, cancellable, on_opened, &c);
    start = g_get_monotonic_time ();
    while (!reader_running (path) && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
      g_main_context_iteration (NULL, FALSE), g_usleep (5000);
    g_assert_true (reader_running (path));
    g_assert_false (c.done);
    start = g_get_monotonic_time ();
    g_cancellable_cancel (cancellable);
    while (!c.done)
      g_main_context_iteration (NULL, TRUE);
    seconds = (g_get_monotonic_time () - start) / 1e6;
    g_test_message ("cancelled: ended %.3f s later", seconds);
    g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (reader_running (path));
    seen_assert_same (&seen, doc);
    g_clear_error (&c.error);
  }
  ll_test_remove_tree (dir);
}

/* An edit made while a Keras file is read wins: the open reports that the
 * model changed and the edit stays (the unsaved-changes prompt came before
 * the open).  Without an edit the same open replaces the model. */
static void
test_open_edited_meanwhile (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-edit-XXXXXX", NULL);
  g_autofree char *path = ll_test_copy_source_file (dir, "tests/fuzz/corpus/import-keras-zip/tiny-cnn.keras",
                                                    "tiny-cnn.keras");
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  Opened o = { 0 };
  int n_layers;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  g_assert_no_error (error);
  ll_document_open_async (doc, path, NULL, on_opened, &o);
  ll_document_remove_layer (doc, 1);
  n_layers = ll_arch_n_layers (ll_document_get_arch (doc));
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (o.ok);
  g_assert_error (o.error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (o.error->message, "tiny-cnn.keras"));
  g_assert_null (strchr (o.error->message, '\n'));
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (doc)), ==, n_layers);
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_false (ll_document_get_imported (doc));
  g_clear_error (&o.error);

  /* Undone before the file arrives: the state is the one the open began
   * from, so the file is opened. */
  memset (&o, 0, sizeof o);
  ll_document_open_async (doc, path, NULL, on_opened, &o);
  ll_document_remove_layer (doc, 1);
  ll_document_undo (doc);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (o.error);
  g_assert_true (o.ok);
  g_assert_true (ll_document_get_imported (doc));
  ll_test_remove_tree (dir);
}

/* Without the reader program a Keras file is refused, never read here;
 * other formats do not need it. */
static void
test_reader_missing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-doc-keras-XXXXXX", NULL);
  g_autofree char *path = ll_test_copy_source_file (dir, "tests/fuzz/corpus/import-keras-h5/tiny-cnn.h5",
                                            "tiny-cnn.h5");
  g_autofree char *gone = g_build_filename (dir, "no-layerlab", NULL);
  g_autoptr(LlDocument) doc = ll_document_new ();

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      Seen seen;

      ll_model_reader_set_executable (i == 0 ? NULL : gone);
      seen_take (&seen, doc);
      g_assert_false (ll_document_open (doc, path, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      g_assert_true (g_str_has_prefix (error->message, "tiny-cnn.h5: "));
      g_assert_null (strchr (error->message, '\n'));
      seen_assert_same (&seen, doc);
    }
  ll_model_reader_set_executable (LAYERLAB_EXE);
  ll_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  /* A file made to hang libhdf5 costs a second; set before any thread. */
  g_setenv ("LAYERLAB_IMPORT_TIMEOUT", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  ll_model_reader_set_executable (LAYERLAB_EXE);
  g_test_add_func ("/core/document/open-onnx", test_open_onnx);
  g_test_add_func ("/core/document/open-keras", test_open_keras);
  g_test_add_func ("/core/document/open-hang", test_open_hang);
  g_test_add_func ("/core/document/open-hang-async", test_open_hang_async);
  g_test_add_func ("/core/document/open-edited-meanwhile", test_open_edited_meanwhile);
  g_test_add_func ("/core/document/reader-missing", test_reader_missing);
  return g_test_run ();
}
