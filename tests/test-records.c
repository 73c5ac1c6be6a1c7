/* test-records.c: honest records, without a display.  A run stopped
 * inside its first epoch keeps the figures its status line showed and its
 * weights (which the document takes and names); run descriptions list the
 * dropout rate and the changes made while training; the labels of compared
 * runs name what differs (layer parameters and mid-run changes included)
 * and are never alike. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ll-codegen.h"
#include "ll-document.h"
#include "ll-download.h"
#include "ll-export-c.h"
#include "ll-presets.h"
#include "ll-run-list.h"
#include "ll-test-util.h"
#include "ll-training-job-private.h"

static LlTrainer *
dropout_trainer (int epochs, int batch, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = NULL;
  LlFitConfig cfg;
  LlModel *model;
  LlTrainer *trainer;

  arch = ll_preset_build ("mlp-128-dropout", &cfg, &error);
  g_assert_no_error (error);
  ll_fit_config_clear (&cfg);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_fit_config_init (&cfg);
  cfg.epochs = epochs;
  cfg.batch_size = batch;
  cfg.seed = seed;
  trainer = ll_trainer_new (model, &cfg);
  ll_trainer_reset (trainer);
  ll_fit_config_clear (&cfg);
  return trainer;
}

typedef struct {
  gboolean finished;
  GError *error;
  guint n_batches_seen;
} Watch;

static void
on_progress (LlTrainingJob *job, Watch *w)
{
  g_autoptr(GArray) batches = ll_training_job_dup_batches (job);

  w->n_batches_seen = batches->len;
  /* Stop a few dozen batches into the first epoch, as a user pressing Stop. */
  if (batches->len >= 40)
    ll_training_job_cancel (job);
}

static void
on_finished (LlTrainingJob *job, const GError *error, Watch *w)
{
  w->finished = TRUE;
  w->error = error != NULL ? g_error_copy (error) : NULL;
}

static void
test_stopped_run_record_and_weights (void)
{
  g_autoptr(LlTrainingData) data = ll_training_data_new (ll_test_synthetic (4000, 28, 28, 1, 10, 3),
                                                         NULL);
  g_autoptr(LlTrainingJob) job = ll_training_job_new (dropout_trainer (5, 8, 11), data, NULL);
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(LlTrainer) fresh = dropout_trainer (5, 8, 11);
  g_autoptr(LlRun) run = ll_run_new ();
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-records-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "runs.json", NULL);
  g_autofree char *result = NULL;
  g_autofree char *text = NULL;
  Watch w = { 0 };
  double x, loss, accuracy;
  const float *p_trained, *p_fresh;
  gsize n_params;
  gboolean differ = FALSE;

  g_signal_connect (job, "progress", G_CALLBACK (on_progress), &w);
  g_signal_connect (job, "finished", G_CALLBACK (on_finished), &w);
  g_assert_true (ll_training_job_start (job, &error));
  while (!w.finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);

  /* No epoch ended: the record is the part of epoch 1 that was trained. */
  {
    g_autoptr(GArray) epochs = ll_training_job_dup_epochs (job);
    g_autoptr(GArray) batches = ll_training_job_dup_batches (job);
    LlTrainingProgress progress;

    g_assert_cmpuint (epochs->len, ==, 0);
    g_assert_true (ll_training_job_get_partial_epoch (job, &x, &loss, &accuracy));
    ll_training_job_get_progress (job, &progress);
    g_assert_cmpfloat (x, >, 0);
    g_assert_cmpfloat (x, <, 1);
    g_assert_true (isfinite (loss) && isfinite (accuracy));
    g_assert_cmpfloat (loss, ==, progress.loss);
    g_assert_cmpfloat (accuracy, ==, progress.accuracy);
    g_assert_cmpfloat (accuracy, >=, 0);
    g_assert_cmpfloat (accuracy, <=, 1);
    /* The per-batch accuracy is smoothed, finite from the first batch. */
    for (guint i = 0; i < batches->len; i++)
      g_assert_true (isfinite (g_array_index (batches, LlBatchPoint, i).accuracy));
  }
  run->name = g_strdup ("Run 1");
  run->dataset = g_strdup ("mnist");
  run->status = g_strdup ("stopped");
  run->stopped_x = x;
  run->stopped_loss = loss;
  run->stopped_accuracy = accuracy;
  ll_fit_config_copy (&run->config, ll_trainer_get_config (fresh));
  result = ll_run_describe_result (run);
  g_test_message ("%s", result);
  g_assert_null (strstr (result, "nan"));
  g_assert_null (strstr (result, "0 epochs"));
  g_assert_nonnull (strstr (result, "stopped at epoch 0."));
  text = g_strdup_printf ("loss %.4f", loss);
  g_assert_nonnull (strstr (result, text));

  /* Kept across a save and a load of runs.json. */
  {
    g_autoptr(LlRunList) list = ll_run_list_new (path);
    g_autoptr(LlRunList) again = ll_run_list_new (path);
    LlRun *copy = ll_run_new ();

    copy->name = g_strdup (run->name);
    copy->status = g_strdup (run->status);
    copy->stopped_x = run->stopped_x;
    copy->stopped_loss = run->stopped_loss;
    copy->stopped_accuracy = run->stopped_accuracy;
    ll_run_list_add (list, copy);
    g_assert_true (ll_run_list_save (list, &error));
    g_assert_no_error (error);
    g_assert_true (ll_run_list_load (again, &error));
    g_assert_cmpuint (ll_run_list_get_n (again), ==, 1);
    g_assert_cmpfloat (fabs (ll_run_list_get (again, 0)->stopped_x - x), <, 1e-9);
    g_assert_cmpfloat (fabs (ll_run_list_get (again, 0)->stopped_loss - loss), <, 1e-9);
    g_assert_cmpfloat (fabs (ll_run_list_get (again, 0)->stopped_accuracy - accuracy), <, 1e-9);
  }

  /* The weights: trained (steps taken, not the seed's), and the document
   * takes them as trained, naming the run. */
  trainer = ll_training_job_steal_trainer (job);
  g_assert_nonnull (trainer);
  g_assert_cmpint (ll_trainer_get_step (trainer), >=, 40);
  n_params = ll_model_n_trainable (ll_trainer_get_model (trainer));
  p_trained = ll_model_params (ll_trainer_get_model (trainer));
  p_fresh = ll_model_params (ll_trainer_get_model (fresh));
  for (gsize i = 0; i < n_params && !differ; i++)
    differ = p_trained[i] != p_fresh[i];
  g_assert_true (differ);

  ll_document_set_arch (doc, ll_model_get_arch (ll_trainer_get_model (trainer)));
  g_assert_false (ll_document_get_trained (doc));
  ll_document_set_trained_model_from_run (doc, g_steal_pointer (&trainer), "Run 1, stopped at epoch 0.1");
  g_assert_true (ll_document_get_trained (doc));
  g_assert_cmpstr (ll_document_get_weights_run (doc), ==, "Run 1, stopped at epoch 0.1");
  {
    g_autofree char *whose = ll_document_describe_weights (doc);
    g_assert_cmpstr (whose, ==, "Run 1, stopped at epoch 0.1");
  }
  /* New weights (an edit of the architecture) are no longer the run's. */
  ll_document_remove_layer (doc, ll_arch_n_layers (ll_document_get_arch (doc)) - 2);
  g_assert_null (ll_document_get_weights_run (doc));

  g_unlink (path);
  g_rmdir (dir);
}

static LlRun *
make_run (const char *name, double lr, int batch, double dropout)
{
  LlRun *run = ll_run_new ();
  g_autofree char *text = g_strdup_printf ("Input height=28 width=28 channels=1\nFlatten\n"
                                           "Dense units=128 activation=relu\nDropout rate=%g\n"
                                           "Dense units=10 activation=softmax\n", dropout);
  g_autoptr(LlArch) arch = ll_test_arch (text);

  run->name = g_strdup (name);
  run->model = g_strdup ("MLP");
  run->dataset = g_strdup ("mnist");
  run->status = g_strdup ("finished");
  run->arch_json = ll_arch_to_json (arch);
  run->config.optim.learning_rate = lr;
  run->config.batch_size = batch;
  run->config.epochs = 5;
  run->config.seed = 42;
  return run;
}

static void
add_mark (LlRun *run, double x, LlMarkKind kind, double value)
{
  LlLrMark m = { x, kind, value };
  g_array_append_val (run->lr_marks, m);
}

static void
test_description_lists_changes (void)
{
  g_autoptr(LlRun) a = make_run ("Run 1", 0.001, 32, 0.5);
  g_autoptr(LlRun) b = make_run ("Run 2", 0.001, 32, 0.5);
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) labels = NULL;
  LlRun *runs[2];

  add_mark (b, 2.5, LL_MARK_LEARNING_RATE, 0.0005);
  add_mark (b, 1.5, LL_MARK_DROPOUT, 0.2);
  sa = ll_run_describe_settings (a);
  sb = ll_run_describe_settings (b);
  g_test_message ("%s\n%s", sa, sb);
  /* The dropout rate shows; the changes follow the settings they changed. */
  g_assert_nonnull (strstr (sa, "dropout 0.5"));
  g_assert_null (strstr (sa, "changed while training"));
  g_assert_nonnull (strstr (sb, "lr 0.001"));
  g_assert_nonnull (strstr (sb, "changed while training: lr 0.0005 at epoch 2.5, dropout 0.2 at epoch 1.5"));
  g_assert_cmpstr (sa, !=, sb);

  /* The changes are what differs between the two runs. */
  runs[0] = a;
  runs[1] = b;
  labels = ll_run_describe_differences (runs, 2, &summary);
  g_test_message ("%s | %s | %s", labels[0], labels[1], summary);
  g_assert_nonnull (strstr (labels[1], "lr 0.0005 at epoch 2.5"));
  g_assert_nonnull (strstr (labels[1], "dropout 0.2 at epoch 1.5"));
  g_assert_cmpstr (labels[0], !=, labels[1]);
  g_assert_nonnull (strstr (summary, "no change"));
}

static void
test_labels_name_differences (void)
{
  g_autoptr(LlRun) a = make_run ("Run 1", 0.001, 32, 0.2);
  g_autoptr(LlRun) b = make_run ("Run 2", 0.001, 32, 0.5);
  g_autoptr(LlRun) c = make_run ("Run 3", 0.001, 32, 0.2);
  g_autoptr(LlRun) d = make_run ("Run 4", 0.001, 128, 0.2);
  g_auto(GStrv) two = NULL;
  g_auto(GStrv) same = NULL;
  g_auto(GStrv) three = NULL;
  LlRun *runs[3];

  /* Layers of one structure: the parameter that differs, not "layers of Run 1". */
  runs[0] = a;
  runs[1] = b;
  two = ll_run_describe_differences (runs, 2, NULL);
  g_test_message ("%s | %s", two[0], two[1]);
  g_assert_nonnull (strstr (two[0], "dropout rate 0.2"));
  g_assert_nonnull (strstr (two[1], "dropout rate 0.5"));
  g_assert_null (strstr (two[0], "layers of"));

  /* Nothing differs: the run names. */
  runs[1] = c;
  same = ll_run_describe_differences (runs, 2, NULL);
  g_assert_cmpstr (same[0], ==, "Run 1");
  g_assert_cmpstr (same[1], ==, "Run 3");

  /* Two of three alike: never the same label twice. */
  runs[0] = a;
  runs[1] = c;
  runs[2] = d;
  three = ll_run_describe_differences (runs, 3, NULL);
  g_test_message ("%s | %s | %s", three[0], three[1], three[2]);
  g_assert_cmpstr (three[0], !=, three[1]);
  g_assert_cmpstr (three[0], !=, three[2]);
  g_assert_cmpstr (three[1], !=, three[2]);
  g_assert_nonnull (strstr (three[0], "batch 32"));
  g_assert_nonnull (strstr (three[2], "batch 128"));
}

/* Spin buttons step to round values, and the value the field shows is the
 * value the model and its code get: Dropout's + from 0.2 gives 0.3, 0.4,
 * 0.5, 0.6 and the code says Dropout(0.6). */
static void
test_spin_stepping (void)
{
  const LlParamSpec *rate = &ll_layer_dropout.params[ll_layer_param_index (&ll_layer_dropout, "rate")];
  const double expect[] = { 0.3, 0.4, 0.5, 0.6 };
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  int digits, n_types, dropout = -1;
  const LlLayerType *const *types = ll_layer_types (&n_types);
  double step, v = 0.2;

  ll_param_spin_format (rate, &digits, &step);
  g_assert_cmpint (digits, ==, 2);
  g_assert_cmpfloat (step, ==, 0.1);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      char buf[32];
      v = ll_param_spin_step (rate, v, +1);
      g_assert_cmpfloat (fabs (v - expect[i]), <, 1e-12);
      g_snprintf (buf, sizeof buf, "%.17g", v);
      /* Exactly the double a user types. */
      g_assert_cmpfloat (v, ==, g_ascii_strtod (buf, NULL));
      g_assert_cmpfloat (v, ==, round (v * 100) / 100);
    }
  /* Between two round values: the next one, either way; never past the range. */
  g_assert_cmpfloat (fabs (ll_param_spin_step (rate, 0.25, +1) - 0.3), <, 1e-12);
  g_assert_cmpfloat (fabs (ll_param_spin_step (rate, 0.25, -1) - 0.2), <, 1e-12);
  g_assert_cmpfloat (ll_param_spin_step (rate, 0.9, +1), <=, rate->max);
  g_assert_cmpfloat (ll_param_spin_step (rate, 0.0, -1), >=, rate->min);
  /* A typed value gets the digits the field shows. */
  g_assert_cmpfloat (fabs (ll_param_spin_round (rate, 0.5851) - 0.59), <, 1e-12);

  /* Every number parameter of every layer: a round step that shows in its
   * digits, at most a fifth of the range, and a default that stays itself. */
  for (int t = 0; t < n_types; t++)
    for (int i = 0; i < types[t]->n_params; i++)
      {
        const LlParamSpec *p = &types[t]->params[i];
        double scaled, mant;
        if (p->type != LL_PARAM_FLOAT && p->type != LL_PARAM_INT)
          continue;
        ll_param_spin_format (p, &digits, &step);
        scaled = step * pow (10, digits);
        g_assert_cmpfloat (fabs (scaled - round (scaled)), <, 1e-6);
        mant = step / pow (10, floor (log10 (step) + 1e-9));
        g_assert_true (fabs (mant - 1) < 1e-9 || fabs (mant - 2) < 1e-9 || fabs (mant - 5) < 1e-9);
        if (p->type == LL_PARAM_FLOAT && p->max > p->min)
          g_assert_cmpfloat (step, <=, (p->max - p->min) / 5 + 1e-12);
        if (ll_param_spin_round (p, p->default_value) != p->default_value)
          g_error ("%s.%s: default %g shows as %g", types[t]->name, p->name, p->default_value,
                   ll_param_spin_round (p, p->default_value));
      }

  /* The field's value is the code's. */
  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  g_assert_no_error (error);
  for (int i = 0; i < ll_arch_n_layers (ll_document_get_arch (doc)); i++)
    if (ll_arch_layer (ll_document_get_arch (doc), i)->type == &ll_layer_dropout)
      dropout = i;
  g_assert_cmpint (dropout, >, 0);
  g_assert_true (ll_document_set_layer_param (doc, dropout, "rate", v, &error));
  code = ll_codegen_keras (ll_document_get_arch (doc), ll_document_get_config (doc),
                           ll_document_get_dataset (doc));
  g_assert_nonnull (strstr (code, "Dropout(0.6)"));

  /* MaxPooling's strides default reads "= pool size", not 0. */
  {
    int k = ll_layer_param_index (&ll_layer_max_pooling2d, "strides");
    g_assert_cmpint (k, >=, 0);
    g_assert_cmpfloat (ll_layer_max_pooling2d.params[k].default_value, ==, 0);
    g_assert_cmpstr (ll_layer_max_pooling2d.params[k].zero_label, ==, "= pool size");
  }
  /* The L1 factor applies with l1 and l1_l2 only. */
  {
    LlLayerSpec dense;
    int l1 = ll_layer_param_index (&ll_layer_dense, "l1");
    ll_layer_spec_init (&dense, &ll_layer_dense);
    g_assert_false (ll_layer_spec_param_applies (&dense, l1));
    g_assert_true (ll_layer_spec_set_choice (&dense, "kernel_regularizer", "l1", NULL));
    g_assert_true (ll_layer_spec_param_applies (&dense, l1));
    g_assert_true (ll_layer_spec_set_choice (&dense, "kernel_regularizer", "l2", NULL));
    g_assert_false (ll_layer_spec_param_applies (&dense, l1));
  }
}

/* A renamed layer: an undo step, in the code, the summary and the model
 * file; the weights stay; names Keras refuses or another layer's are
 * refused and change nothing. */
static void
test_layer_rename_round_trip (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(LlDocument) other = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-rename-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "renamed.llmodel", NULL);
  g_autofree char *code = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *name = NULL;
  LlModel *model;
  int dense = 2;

  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->type->name, ==, "Dense");
  model = ll_document_get_model (doc);

  g_assert_true (ll_document_rename_layer (doc, dense, "hidden", &error));
  g_assert_no_error (error);
  name = ll_arch_layer_name (ll_document_get_arch (doc), dense);
  g_assert_cmpstr (name, ==, "hidden");
  g_assert_true (ll_document_get_model (doc) == model);   /* the same weights */
  g_assert_true (ll_document_get_can_undo (doc));
  g_assert_true (ll_document_get_dirty (doc));
  code = ll_codegen_keras (ll_document_get_arch (doc), ll_document_get_config (doc), "mnist");
  g_assert_nonnull (strstr (code, "name=\"hidden\""));
  summary = ll_model_summary (ll_document_get_model (doc));
  g_assert_nonnull (strstr (summary, "hidden"));

  /* Refused: changes nothing. */
  g_assert_false (ll_document_rename_layer (doc, dense, "2 layers", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_document_rename_layer (doc, dense + 1, "hidden", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "hidden");

  /* Undo, redo. */
  g_assert_true (ll_document_undo (doc));
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "");
  g_assert_true (ll_document_redo (doc));
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "hidden");

  /* Saved and opened again. */
  g_assert_true (ll_document_save (doc, path, &error));
  g_assert_no_error (error);
  g_assert_true (ll_document_open (other, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (other), dense)->name, ==, "hidden");
  g_assert_cmpstr (ll_arch_layer (ll_model_get_arch (ll_document_get_model (other)), dense)->name, ==,
                   "hidden");

  /* Keras allows "-" and "." in names; the C export's identifiers take "_". */
  g_assert_true (ll_document_rename_layer (doc, dense, "hidden-1.a", &error));
  g_assert_no_error (error);
  {
    g_autofree char *header = NULL;
    g_autofree char *source = NULL;
    g_assert_true (ll_export_c_generate (ll_document_get_model (doc), "net", &header, &source, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (source, "net_hidden_1_a_"));
    g_assert_null (strstr (source, "net_hidden-1"));
  }

  /* The default name typed back is the default again. */
  g_assert_true (ll_document_rename_layer (doc, dense, "dense", &error));
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "");
  /* A duplicated layer does not copy the name. */
  g_assert_true (ll_document_rename_layer (doc, dense, "hidden", &error));
  ll_document_duplicate_layer (doc, dense);
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense + 1)->name, ==, "");

  g_unlink (path);
  g_rmdir (dir);
}

/* The shared 10,000-digit MNIST reads as a subset, not a checksum
 * mismatch; a damaged file still reads as damaged. */
static void
test_shared_mnist_subset (void)
{
  const char *shared = ll_test_shared_data ();
  g_autofree char *images = shared != NULL
    ? g_build_filename (shared, "mnist", "train-images-idx3-ubyte.gz", NULL) : NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-subset-XXXXXX", NULL);
  g_autofree char *mnist = g_build_filename (dir, "mnist", NULL);
  g_autofree char *bad = g_build_filename (mnist, "train-images-idx3-ubyte.gz", NULL);
  LlSetStatus status;

  /* Files that are no IDX files at all: damaged. */
  const char *names[] = { "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz" };
  g_assert_cmpint (g_mkdir_with_parents (mnist, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad, "not an IDX file", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *other = g_build_filename (mnist, names[i], NULL);
      g_assert_true (g_file_set_contents (other, "not an IDX file", -1, NULL));
    }
  g_assert_cmpuint (ll_download_idx_count (bad), ==, 0);
  ll_download_set_status (ll_download_set_lookup ("mnist"), dir, &status);
  g_test_message ("damaged: %s", status.checksums);
  g_assert_nonnull (strstr (status.checksums, "damaged"));
  g_assert_null (strstr (status.checksums, "subset"));
  g_assert_false (status.complete);
  ll_set_status_clear (&status);
  g_unlink (bad);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *other = g_build_filename (mnist, names[i], NULL);
      g_unlink (other);
    }
  g_rmdir (mnist);
  g_rmdir (dir);

  if (images == NULL || !g_file_test (images, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no shared MNIST");
      return;
    }
  g_assert_cmpuint (ll_download_idx_count (images), ==, 10000);
  ll_download_set_status (ll_download_set_lookup ("mnist"), shared, &status);
  g_test_message ("shared: %s", status.checksums);
  g_assert_null (strstr (status.checksums, "MISMATCH"));
  g_assert_null (strstr (status.checksums, "mismatch"));
  g_assert_nonnull (strstr (status.checksums, "subset of the official set (10000 of 60000 images)"));
  g_assert_true (status.complete);
  g_assert_true (status.subset);
  ll_set_status_clear (&status);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/records/stopped-run", test_stopped_run_record_and_weights);
  g_test_add_func ("/records/description-lists-changes", test_description_lists_changes);
  g_test_add_func ("/records/labels-name-differences", test_labels_name_differences);
  g_test_add_func ("/records/spin-stepping", test_spin_stepping);
  g_test_add_func ("/records/layer-rename-round-trip", test_layer_rename_round_trip);
  g_test_add_func ("/records/shared-mnist-subset", test_shared_mnist_subset);
  return g_test_run ();
}
