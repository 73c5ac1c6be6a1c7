/* test-document.c: the document every view edits, without a display:
 * edits and their undo steps (parameter changes merged), the dirty flag,
 * presets (the shipped digit model too), stacks that do not build, save
 * and open, and the history of training snapshots with its limits. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ll-document.h"
#include "ll-presets.h"
#include "ll-test-util.h"

static char *
summary_of (LlDocument *doc)
{
  LlModel *model = ll_document_get_model (doc);
  return model != NULL ? ll_model_summary (model) : g_strdup ("");
}

static void
count_changed (LlDocument *doc, guint *n)
{
  (*n)++;
}

static gsize
params_of (LlDocument *doc)
{
  LlModel *model = ll_document_get_model (doc);
  return ll_model_n_trainable (model) + ll_model_n_state (model);
}

static void
test_document_save_open (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(LlDocument) other = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("layerlab-doc-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "model.llmodel", NULL);
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  g_autofree char *title = NULL;

  g_assert_no_error (error);
  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  g_assert_true (ll_document_set_layer_param (doc, 2, "units", 32, &error));
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_false (ll_document_save (doc, NULL, &error));   /* no path yet */
  g_clear_error (&error);
  g_assert_true (ll_document_save (doc, path, &error));
  g_assert_no_error (error);
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_cmpstr (ll_document_get_path (doc), ==, path);

  g_assert_true (ll_document_open (other, path, &error));
  g_assert_no_error (error);
  g_assert_true (ll_arch_equal (ll_document_get_arch (doc), ll_document_get_arch (other)));
  g_assert_cmpint (ll_document_get_config (other)->batch_size, ==,
                   ll_document_get_config (doc)->batch_size);
  g_assert_false (ll_document_get_dirty (other));
  g_assert_false (ll_document_get_can_undo (other));
  title = ll_document_dup_title (other);
  g_assert_cmpstr (title, ==, "model.llmodel");
  s1 = summary_of (doc);
  s2 = summary_of (other);
  g_assert_cmpstr (s1, ==, s2);

  /* The weights came from the file, identical to the saved ones. */
  {
    LlModel *a = ll_document_get_model (doc);
    LlModel *b = ll_document_get_model (other);
    g_assert_cmpuint (ll_model_n_trainable (a), ==, ll_model_n_trainable (b));
    g_assert_cmpmem (ll_model_params (a), ll_model_n_trainable (a) * sizeof (float),
                     ll_model_params (b), ll_model_n_trainable (b) * sizeof (float));
  }

  /* A damaged file changes nothing. */
  g_assert_true (g_file_set_contents (path, "LLMODEL\nbroken", -1, NULL));
  g_assert_false (ll_document_open (other, path, &error));
  g_assert_nonnull (error);
  g_assert_true (ll_arch_equal (ll_document_get_arch (doc), ll_document_get_arch (other)));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_new (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autofree char *title = ll_document_dup_title (doc);

  g_assert_true (ll_document_get_valid (doc));
  g_assert_null (ll_document_get_error_message (doc));
  g_assert_cmpint (ll_document_get_bad_layer (doc), ==, -1);
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (doc)), ==, 3);
  g_assert_nonnull (ll_document_get_model (doc));
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_false (ll_document_get_can_undo (doc));
  g_assert_false (ll_document_get_can_redo (doc));
  g_assert_false (ll_document_get_trained (doc));
  g_assert_null (ll_document_get_path (doc));
  g_assert_cmpstr (ll_document_get_dataset (doc), ==, "mnist");
  g_assert_nonnull (title);
  /* 784 → 10: the logistic regression's 7,850 weights. */
  g_assert_cmpuint (params_of (doc), ==, 7850);
}

/* Every edit is one undo step and one "changed"; undo and redo walk them,
 * and undoing back to the saved state is clean again. */
static void
test_edits_undo_redo (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) start = NULL;
  LlLayerSpec spec;
  LlFitConfig cfg;
  guint changed = 0;

  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  g_assert_no_error (error);
  g_assert_false (ll_document_get_dirty (doc));
  start = ll_arch_copy (ll_document_get_arch (doc));
  g_signal_connect (doc, "changed", G_CALLBACK (count_changed), &changed);

  ll_layer_spec_init (&spec, &ll_layer_dense);
  ll_document_insert_layer (doc, 3, &spec);                 /* Input Flatten Dense [Dense] Dropout Dense */
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (doc)), ==, 6);
  g_assert_true (ll_arch_layer (ll_document_get_arch (doc), 3)->type == &ll_layer_dense);
  ll_document_move_layer (doc, 3, 4);
  g_assert_true (ll_arch_layer (ll_document_get_arch (doc), 4)->type == &ll_layer_dense);
  g_assert_true (ll_arch_layer (ll_document_get_arch (doc), 3)->type == &ll_layer_dropout);
  ll_document_duplicate_layer (doc, 4);
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (doc)), ==, 7);
  ll_document_remove_layer (doc, 5);
  ll_document_remove_layer (doc, 4);
  g_assert_true (ll_arch_equal (ll_document_get_arch (doc), start));
  ll_fit_config_copy (&cfg, ll_document_get_config (doc));
  cfg.batch_size = 64;
  ll_document_set_config (doc, &cfg);
  ll_fit_config_clear (&cfg);
  ll_document_set_dataset (doc, "fashion-mnist");
  g_assert_cmpuint (changed, ==, 7);
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_true (ll_document_get_can_undo (doc));
  g_assert_false (ll_document_get_can_redo (doc));

  g_assert_true (ll_document_undo (doc));
  g_assert_cmpstr (ll_document_get_dataset (doc), ==, "mnist");
  g_assert_true (ll_document_undo (doc));
  g_assert_cmpint (ll_document_get_config (doc)->batch_size, ==, 32);
  g_assert_true (ll_document_get_can_redo (doc));
  g_assert_true (ll_document_redo (doc));
  g_assert_cmpint (ll_document_get_config (doc)->batch_size, ==, 64);
  g_assert_true (ll_document_undo (doc));
  for (int i = 0; i < 5; i++)
    g_assert_true (ll_document_undo (doc));
  g_assert_false (ll_document_undo (doc));
  g_assert_false (ll_document_get_can_undo (doc));
  g_assert_true (ll_arch_equal (ll_document_get_arch (doc), start));
  /* Back where it was loaded: clean. */
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_cmpuint (changed, ==, 7 + 4 + 5);

  /* A new edit drops what could be redone. */
  g_assert_true (ll_document_get_can_redo (doc));
  ll_document_set_dataset (doc, "cifar10");
  g_assert_false (ll_document_get_can_redo (doc));
  g_assert_false (ll_document_redo (doc));
}

/* Changing one parameter again and again (a spin button) is one undo
 * step; another parameter is the next.  (The merge holds for a second:
 * consecutive calls here are microseconds apart.) */
static void
test_param_merge (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  for (int units = 129; units <= 140; units++)
    g_assert_true (ll_document_set_layer_param (doc, 2, "units", units, &error));
  g_assert_true (ll_document_set_layer_param (doc, 3, "rate", 0.4, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), 2), "units", 0), ==, 140);
  g_assert_cmpuint (params_of (doc), ==, 784 * 140 + 140 + 140 * 10 + 10);

  g_assert_true (ll_document_undo (doc));
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), 3), "rate", 0), ==, 0.2);
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), 2), "units", 0), ==, 140);
  g_assert_true (ll_document_undo (doc));
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), 2), "units", 0), ==, 128);
  g_assert_false (ll_document_get_can_undo (doc));
  g_assert_cmpuint (params_of (doc), ==, 101770);

  /* Out of range: refused with a message, nothing recorded. */
  g_assert_false (ll_document_set_layer_param (doc, 3, "rate", 1.5, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_false (ll_document_get_can_undo (doc));
  g_assert_false (ll_document_get_dirty (doc));
}

/* Every preset loads as built from its table: parameters, data set,
 * settings; the shipped digit model comes trained; an unknown name
 * changes nothing. */
static void
test_presets (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) before = NULL;
  int n = 0;
  const LlPresetInfo *presets = ll_presets (&n);

  g_assert_cmpint (n, >=, 6);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(LlArch) arch = NULL;
      g_autoptr(LlModel) model = NULL;
      g_autofree char *title = NULL;
      LlFitConfig cfg;

      ll_document_set_dataset (doc, "cifar10");   /* dirty: load_preset does not care */
      g_assert_true (ll_document_load_preset (doc, presets[i].name, &error));
      g_assert_no_error (error);
      arch = ll_preset_build (presets[i].name, &cfg, &error);
      model = ll_model_new (arch, &error);
      g_assert_no_error (error);
      g_assert_true (ll_document_get_valid (doc));
      g_assert_true (ll_arch_equal (ll_document_get_arch (doc), arch));
      g_assert_cmpuint (params_of (doc), ==, ll_model_n_trainable (model) + ll_model_n_state (model));
      g_assert_cmpstr (ll_document_get_dataset (doc), ==, presets[i].dataset);
      g_assert_cmpint (ll_document_get_config (doc)->optim.kind, ==, cfg.optim.kind);
      g_assert_cmpint (ll_document_get_config (doc)->batch_size, ==, cfg.batch_size);
      g_assert_cmpint (ll_document_get_config (doc)->epochs, ==, cfg.epochs);
      g_assert_false (ll_document_get_dirty (doc));
      g_assert_false (ll_document_get_can_undo (doc));
      g_assert_false (ll_document_get_trained (doc));
      g_assert_null (ll_document_get_path (doc));
      title = ll_document_dup_title (doc);
      g_assert_cmpstr (title, ==, presets[i].title);
      ll_fit_config_clear (&cfg);
    }

  g_assert_true (ll_document_load_preset (doc, LL_DOCUMENT_SHIPPED_DIGITS, &error));
  g_assert_no_error (error);
  g_assert_true (ll_document_get_valid (doc));
  g_assert_true (ll_document_get_trained (doc));
  g_assert_cmpuint (ll_trainer_get_history (ll_document_get_trainer (doc))->len, >, 0);
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_null (ll_document_get_path (doc));
  g_assert_cmpstr (ll_document_get_dataset (doc), ==, "mnist");

  before = ll_arch_copy (ll_document_get_arch (doc));
  g_assert_false (ll_document_load_preset (doc, "no-such-preset", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_assert_true (ll_arch_equal (ll_document_get_arch (doc), before));
  g_assert_true (ll_document_get_trained (doc));
}

/* A stack that does not build: the document says where and why, keeps
 * the shapes before the bad layer, has no model; undo mends it. */
static void
test_invalid_stack (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  LlLayerSpec spec;
  LlShape shape;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  /* 15×15 kernels in the second convolution: the first pooling leaves 13×13. */
  g_assert_true (ll_document_set_layer_param (doc, 3, "kernel_size", 15, &error));
  g_assert_no_error (error);
  g_assert_false (ll_document_get_valid (doc));
  g_assert_null (ll_document_get_model (doc));
  g_assert_cmpint (ll_document_get_bad_layer (doc), ==, 3);
  g_assert_nonnull (ll_document_get_error_message (doc));
  g_assert_true (ll_document_get_layer_shape (doc, 2, &shape));
  g_assert_cmpint (shape.d[0], ==, 13);
  g_assert_false (ll_document_get_layer_shape (doc, 3, &shape));
  g_assert_cmpint (ll_document_get_layer_params (doc, 3), ==, -1);
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_true (ll_document_undo (doc));
  g_assert_true (ll_document_get_valid (doc));
  g_assert_null (ll_document_get_error_message (doc));
  g_assert_cmpint (ll_document_get_bad_layer (doc), ==, -1);

  /* A second Input layer in the middle. */
  ll_layer_spec_init (&spec, &ll_layer_input);
  ll_document_insert_layer (doc, 2, &spec);
  g_assert_false (ll_document_get_valid (doc));
  g_assert_cmpint (ll_document_get_bad_layer (doc), ==, 2);
  g_assert_true (ll_document_undo (doc));
  g_assert_true (ll_document_get_valid (doc));
}

/* What marks a document dirty: edits and trained weights; not the drawn
 * digit.  Saving cleans it. */
static void
test_dirty (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("layerlab-doc-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "dirty.llmodel", NULL);
  float digit[28 * 28] = { 0 };
  guint changed = 0;

  g_assert_true (ll_document_load_preset (doc, "logistic", &error));
  g_signal_connect (doc, "changed", G_CALLBACK (count_changed), &changed);
  digit[300] = 1.0f;
  ll_document_set_drawn_input (doc, digit);
  g_assert_nonnull (ll_document_get_drawn_input (doc));
  g_assert_cmpfloat (ll_document_get_drawn_input (doc)[300], ==, 1.0f);
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_false (ll_document_get_can_undo (doc));
  ll_document_set_drawn_input (doc, NULL);
  g_assert_null (ll_document_get_drawn_input (doc));

  /* Trained weights: dirty, no undo step, and trained. */
  {
    LlTrainer *trainer = ll_trainer_new (ll_model_copy (ll_document_get_model (doc)),
                                         ll_document_get_config (doc));
    LlEpochRecord r = { 0, 0.5, 0.9, NAN, NAN, 0.1, 1, 100 };

    ll_trainer_set_state (trainer, 10, NULL, 0, &r, 1);
    ll_document_set_trained_model (doc, trainer);
  }
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_true (ll_document_get_trained (doc));
  g_assert_false (ll_document_get_can_undo (doc));

  g_assert_true (ll_document_save (doc, path, &error));
  g_assert_no_error (error);
  g_assert_false (ll_document_get_dirty (doc));
  ll_document_set_dataset (doc, "fashion-mnist");
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_true (ll_document_undo (doc));
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_cmpuint (changed, >=, 3);

  ll_document_reset (doc);
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_null (ll_document_get_path (doc));
  g_assert_false (ll_document_get_trained (doc));
  g_unlink (path);
  g_rmdir (dir);
}

static LlModel *
model_of (LlDocument *doc)
{
  return ll_model_copy (ll_document_get_model (doc));
}

/* Snapshots while training: the latest is kept, and a history for
 * replay: a few early ones in epoch 0 (batches 2× apart), every end of
 * epoch, at most LL_DOCUMENT_MAX_HISTORY entries (thinned evenly, the
 * first and the last kept) and LL_DOCUMENT_MAX_HISTORY_BYTES of weights.
 * Another architecture starts anew; an edit of the stack clears them. */
static void
test_snapshots (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  guint n_snapshots = 0;
  int epoch, batch, last_epoch = -1;

  g_assert_true (ll_document_load_preset (doc, "logistic", &error));
  g_signal_connect (doc, "snapshot", G_CALLBACK (count_changed), &n_snapshots);
  g_assert_null (ll_document_get_snapshot (doc));
  g_assert_cmpint (ll_document_get_snapshot_epoch (doc), ==, -1);

  /* Epoch 0: batches 0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256. */
  {
    const int batches[] = { 0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256 };
    for (gsize i = 0; i < G_N_ELEMENTS (batches); i++)
      ll_document_publish_snapshot (doc, model_of (doc), 0, batches[i]);
  }
  g_assert_cmpuint (n_snapshots, ==, 13);
  g_assert_cmpint (ll_document_get_snapshot_epoch (doc), ==, 0);
  g_assert_cmpint (ll_document_get_snapshot_batch (doc), ==, 256);
  g_assert_cmpuint (ll_document_get_n_history (doc), ==, 6);
  for (guint i = 1; i < ll_document_get_n_history (doc); i++)
    {
      int b0;
      ll_document_get_history (doc, i - 1, NULL, &b0);
      ll_document_get_history (doc, i, &epoch, &batch);
      g_assert_cmpint (epoch, ==, 0);
      g_assert_cmpint (batch, >=, 2 * MAX (b0, 1));
    }
  /* Mid-epoch snapshots after epoch 0 are shown, not kept. */
  ll_document_publish_snapshot (doc, model_of (doc), 1, 10);
  g_assert_cmpuint (ll_document_get_n_history (doc), ==, 6);

  /* Ends of epochs: always kept, thinned to at most the limit. */
  for (int e = 0; e < 80; e++)
    {
      ll_document_publish_snapshot (doc, model_of (doc), e, -1);
      g_assert_cmpuint (ll_document_get_n_history (doc), <=, LL_DOCUMENT_MAX_HISTORY);
    }
  ll_document_get_history (doc, 0, &epoch, &batch);
  g_assert_cmpint (epoch, ==, 0);
  g_assert_cmpint (batch, ==, 0);
  ll_document_get_history (doc, ll_document_get_n_history (doc) - 1, &epoch, &batch);
  g_assert_cmpint (epoch, ==, 79);
  g_assert_cmpint (batch, ==, -1);
  for (guint i = 0; i < ll_document_get_n_history (doc); i++)
    {
      ll_document_get_history (doc, i, &epoch, &batch);
      g_assert_cmpint (epoch, >=, last_epoch);
      last_epoch = epoch;
    }
  g_assert_cmpuint (ll_document_get_n_history (doc), >=, LL_DOCUMENT_MAX_HISTORY / 2);

  /* Another architecture: a new history. */
  {
    g_autoptr(LlModel) other = ll_test_preset_model ("mlp-128-dropout", 1);
    ll_document_publish_snapshot (doc, ll_model_copy (other), 0, -1);
    g_assert_cmpuint (ll_document_get_n_history (doc), ==, 1);
  }
  /* A settings edit keeps them; clearing drops them all. */
  ll_document_set_dataset (doc, "fashion-mnist");
  g_assert_nonnull (ll_document_get_snapshot (doc));
  g_assert_cmpuint (ll_document_get_n_history (doc), ==, 1);
  ll_document_clear_snapshots (doc);
  g_assert_null (ll_document_get_snapshot (doc));
  g_assert_cmpint (ll_document_get_snapshot_epoch (doc), ==, -1);
  g_assert_cmpuint (ll_document_get_n_history (doc), ==, 0);
}

/* The bytes limit: a model of 9.5 MB of weights keeps at most 20 entries
 * under 200 MB (thinned when the 21st comes). */
static void
test_snapshot_bytes (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(LlArch) arch = ll_test_arch ("Input height=28 width=28 channels=1\nFlatten\n"
                                         "Dense units=3000 activation=relu\nDense units=10 activation=softmax\n");
  gsize bytes;

  ll_document_set_arch (doc, arch);
  g_assert_true (ll_document_get_valid (doc));
  bytes = params_of (doc) * sizeof (float);
  g_assert_cmpuint (bytes * LL_DOCUMENT_MAX_HISTORY, >, LL_DOCUMENT_MAX_HISTORY_BYTES);
  for (int e = 0; e < 24; e++)
    {
      ll_document_publish_snapshot (doc, model_of (doc), e, -1);
      g_assert_cmpuint (ll_document_get_n_history (doc) * bytes, <=, LL_DOCUMENT_MAX_HISTORY_BYTES);
    }
  g_assert_cmpuint (ll_document_get_n_history (doc), >=, 2);
  g_assert_cmpuint (ll_document_get_n_history (doc), <, 20);   /* thinned */
  /* An edit of the stack drops snapshots of the old one. */
  ll_document_remove_layer (doc, 2);
  g_assert_cmpuint (ll_document_get_n_history (doc), ==, 0);
  g_assert_null (ll_document_get_snapshot (doc));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/document/new", test_new);
  g_test_add_func ("/core/document/edits-undo-redo", test_edits_undo_redo);
  g_test_add_func ("/core/document/param-merge", test_param_merge);
  g_test_add_func ("/core/document/presets", test_presets);
  g_test_add_func ("/core/document/invalid-stack", test_invalid_stack);
  g_test_add_func ("/core/document/dirty", test_dirty);
  g_test_add_func ("/core/document/save-open", test_document_save_open);
  g_test_add_func ("/core/document/snapshots", test_snapshots);
  g_test_add_func ("/core/document/snapshot-bytes", test_snapshot_bytes);
  return g_test_run ();
}
