/* test-trainer.c: fit with Keras semantics on small synthetic data:
 * history, validation split, shuffling and reproducibility, callbacks,
 * cancel and pause from another thread, EarlyStopping, ReduceLROnPlateau,
 * schedules, ModelCheckpoint, the NaN guard and config validation. */
#include "ll-model-file.h"
#include "ll-evaluate.h"
#include "ll-test-util.h"
#include "ll-gemm.h"

#include <glib/gstdio.h>
#include <math.h>

#define MLP \
  "Input height=8 width=8 channels=1\nFlatten\nDense units=32 activation=relu\n" \
  "Dropout rate=0.2\nDense units=4 activation=softmax\n"

static void
default_config (LlFitConfig *cfg)
{
  ll_fit_config_init (cfg);
  cfg->batch_size = 16;
  cfg->seed = 3;
  cfg->n_threads = 1;
  cfg->optim.learning_rate = 0.01;
}

/* A trainer with initialised weights; cfg NULL: default_config. */
static LlTrainer *
make_trainer (const char *layers, const LlFitConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch (layers);
  LlModel *model = ll_model_new (arch, &error);
  LlFitConfig def;
  LlTrainer *t;

  g_assert_no_error (error);
  if (cfg == NULL)
    {
      default_config (&def);
      t = ll_trainer_new (model, &def);
      ll_fit_config_clear (&def);
    }
  else
    t = ll_trainer_new (model, cfg);
  ll_trainer_reset (t);
  return t;
}

static const LlEpochRecord *
record (LlTrainer *t, guint i)
{
  const GArray *h = ll_trainer_get_history (t);
  g_assert_cmpuint (i, <, h->len);
  return &g_array_index (h, LlEpochRecord, i);
}

static void
assert_same_weights (LlTrainer *a, LlTrainer *b)
{
  LlModel *ma = ll_trainer_get_model (a), *mb = ll_trainer_get_model (b);
  g_assert_cmpmem (ll_model_params (ma), ll_model_n_trainable (ma) * sizeof (float),
                   ll_model_params (mb), ll_model_n_trainable (mb) * sizeof (float));
  g_assert_cmpmem (ll_model_state (ma), ll_model_n_state (ma) * sizeof (float),
                   ll_model_state (mb), ll_model_n_state (mb) * sizeof (float));
}

static gboolean
weights_equal (LlTrainer *a, LlTrainer *b)
{
  LlModel *ma = ll_trainer_get_model (a), *mb = ll_trainer_get_model (b);
  return memcmp (ll_model_params (ma), ll_model_params (mb),
                 ll_model_n_trainable (ma) * sizeof (float)) == 0;
}

/* Loss, accuracy, validation and lr of two histories, bit for bit (times excepted). */
static void
assert_same_history (LlTrainer *a, LlTrainer *b)
{
  const GArray *ha = ll_trainer_get_history (a), *hb = ll_trainer_get_history (b);
  g_assert_cmpuint (ha->len, ==, hb->len);
  for (guint i = 0; i < ha->len; i++)
    {
      const LlEpochRecord *ra = record (a, i), *rb = record (b, i);
      double va[5] = { ra->loss, ra->accuracy, ra->val_loss, ra->val_accuracy, ra->lr };
      double vb[5] = { rb->loss, rb->accuracy, rb->val_loss, rb->val_accuracy, rb->lr };
      g_assert_cmpint (ra->epoch, ==, rb->epoch);
      g_assert_cmpmem (va, sizeof va, vb, sizeof vb);
    }
}

static void
fit_ok (LlTrainer *t, const LlDataset *train, const LlDataset *val)
{
  g_autoptr(GError) error = NULL;
  static const LlFitCallbacks files = { .save_checkpoint = ll_model_file_save_with };
  gboolean ok = ll_trainer_fit (t, train, val, &files, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
test_fit_learns (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (480, 8, 8, 1, 4, 1);
  g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
  double loss0, acc0;

  g_assert_true (ll_model_evaluate (ll_trainer_get_model (t), LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    ds, 64, &loss0, &acc0, NULL, NULL));
  ll_trainer_get_config (t)->epochs = 5;
  ll_trainer_get_config (t)->validation_split = 0.2;
  fit_ok (t, ds, NULL);

  g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      const LlEpochRecord *r = record (t, i);
      g_assert_cmpint (r->epoch, ==, (int) i);
      g_assert_true (isfinite (r->loss) && r->loss > 0);
      g_assert_cmpfloat (r->accuracy, >=, 0.0);
      g_assert_cmpfloat (r->accuracy, <=, 1.0);
      g_assert_true (isfinite (r->val_loss) && r->val_loss > 0);
      g_assert_cmpfloat (r->val_accuracy, >=, 0.0);
      g_assert_cmpfloat (r->val_accuracy, <=, 1.0);
      g_assert_cmpfloat (r->lr, ==, 0.01);
      g_assert_cmpfloat (r->seconds, >=, 0.0);
      g_assert_cmpfloat (r->samples_per_s, >=, 0.0);
    }
  /* 384 training samples in batches of 16. */
  g_assert_cmpint (ll_trainer_get_step (t), ==, 5 * 24);
  g_assert_cmpfloat (record (t, 4)->loss, <, 0.5 * record (t, 0)->loss);
  g_assert_cmpfloat (record (t, 4)->val_loss, <, loss0 * 0.5);
  g_assert_cmpfloat (record (t, 4)->val_accuracy, >, 0.9);
  g_test_message ("loss %.3f -> %.3f, val_accuracy %.3f", record (t, 0)->loss,
                  record (t, 4)->loss, record (t, 4)->val_accuracy);

  /* Without validation data the validation figures are NaN. */
  ll_trainer_get_config (t)->validation_split = 0.0;
  ll_trainer_get_config (t)->epochs = 1;
  fit_ok (t, ds, NULL);
  g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 6);
  g_assert_cmpint (record (t, 5)->epoch, ==, 5);
  g_assert_true (isnan (record (t, 5)->val_loss));
  g_assert_true (isnan (record (t, 5)->val_accuracy));
}

static void
assert_close (double a, double b, double rel)
{
  if (!(fabs (a - b) <= rel * MAX (fabs (a), fabs (b)) + 1e-12))
    g_error ("%.9g and %.9g differ by more than %g relative", a, b, rel);
}

/* Keras: validation_split takes the last fraction, before shuffling. */
static void
test_validation_split (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (200, 8, 8, 1, 4, 2);
  g_autoptr(LlDataset) last = NULL, first = NULL;
  g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
  double loss, acc, loss_first, acc_first;
  int split_at = (int) (200 * (1.0 - 0.2));

  /* Make the last 20 % special: all labelled 0 whatever the image, so
   * that validation on any other part of the data would score otherwise. */
  for (int i = split_at; i < ds->n; i++)
    ds->labels[i] = 0;
  last = ll_dataset_slice (ds, split_at, ds->n - split_at);
  first = ll_dataset_slice (ds, 0, ds->n - split_at);
  ll_trainer_get_config (t)->validation_split = 0.2;
  fit_ok (t, ds, NULL);

  g_assert_true (ll_model_evaluate (ll_trainer_get_model (t), LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    last, 40, &loss, &acc, NULL, NULL));
  g_assert_true (ll_model_evaluate (ll_trainer_get_model (t), LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    first, 40, &loss_first, &acc_first, NULL, NULL));
  assert_close (record (t, 0)->val_loss, loss, 1e-6);
  g_assert_cmpfloat (record (t, 0)->val_accuracy, ==, acc);
  g_assert_cmpfloat (fabs (loss_first - loss), >, 1e-3);
  /* 160 training samples: 10 batches of 16. */
  g_assert_cmpint (ll_trainer_get_step (t), ==, 10);

  /* An explicit validation set takes precedence over the split. */
  {
    g_autoptr(LlTrainer) u = make_trainer (MLP, NULL);
    g_autoptr(LlDataset) val = ll_test_synthetic (50, 8, 8, 1, 4, 9);
    ll_trainer_get_config (u)->validation_split = 0.2;
    fit_ok (u, ds, val);
    g_assert_cmpint (ll_trainer_get_step (u), ==, 13);
    g_assert_true (ll_model_evaluate (ll_trainer_get_model (u), LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                      val, 32, &loss, &acc, NULL, NULL));
    assert_close (record (u, 0)->val_loss, loss, 1e-6);
    g_assert_cmpfloat (record (u, 0)->val_accuracy, ==, acc);
  }
}

static LlTrainer *
run_seeded (const LlDataset *ds, guint64 seed, gboolean shuffle, int threads, int epochs)
{
  LlFitConfig cfg;
  LlTrainer *t;

  default_config (&cfg);
  cfg.seed = seed;
  cfg.shuffle = shuffle;
  cfg.n_threads = threads;
  cfg.epochs = epochs;
  cfg.validation_split = 0.25;
  /* Wide enough for OpenBLAS to split the work over threads. */
  t = make_trainer ("Input height=8 width=8 channels=1\nFlatten\nDense units=256 activation=relu\n"
                    "Dropout rate=0.3\nDense units=128 activation=tanh\nDense units=4 activation=softmax\n",
                    &cfg);
  ll_fit_config_clear (&cfg);
  fit_ok (t, ds, NULL);
  return t;
}

static void
test_reproducible (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (320, 8, 8, 1, 4, 3);

  for (int threads = 1; threads <= 2; threads++)
    {
      g_autoptr(LlTrainer) a = run_seeded (ds, 5, TRUE, threads, 3);
      g_autoptr(LlTrainer) b = run_seeded (ds, 5, TRUE, threads, 3);
      g_autoptr(LlTrainer) c = run_seeded (ds, 6, TRUE, threads, 3);
      g_autoptr(LlTrainer) d = run_seeded (ds, 5, FALSE, threads, 3);

      g_assert_cmpint (ll_gemm_get_threads (), ==, threads);
      assert_same_history (a, b);
      assert_same_weights (a, b);
      /* Another seed, or no shuffling, gives another run. */
      g_assert_false (weights_equal (a, c));
      g_assert_cmpfloat (record (a, 2)->loss, !=, record (c, 2)->loss);
      g_assert_false (weights_equal (a, d));
      g_assert_cmpfloat (record (a, 2)->loss, !=, record (d, 2)->loss);
      g_assert_cmpfloat (record (a, 0)->loss, !=, record (d, 0)->loss);
    }
}

typedef struct {
  int n_batch, n_epoch, n_between;
  int last_epoch, last_batch;
  gint64 last_step;
  gboolean sane;
  GArray *records;
} Counts;

static void
count_batch (const LlBatchEvent *ev, gpointer data)
{
  Counts *c = data;
  gboolean next = (ev->epoch == c->last_epoch && ev->batch == c->last_batch + 1)
                  || (ev->epoch == c->last_epoch + 1 && ev->batch == 0);
  c->sane &= next && ev->step == c->last_step + 1 && ev->n_batches == 13;
  c->sane &= isfinite (ev->batch_loss) && ev->batch_loss > 0 && isfinite (ev->loss) && ev->loss > 0;
  c->sane &= ev->accuracy >= 0 && ev->accuracy <= 1 && ev->lr == 0.01;
  c->sane &= ev->samples_per_s >= 0 && ev->epoch_seconds >= 0;
  c->last_epoch = ev->epoch;
  c->last_batch = ev->batch;
  c->last_step = ev->step;
  c->n_batch++;
}

static void
count_epoch (const LlEpochRecord *r, gpointer data)
{
  Counts *c = data;
  c->sane &= r->epoch == c->n_epoch && c->last_batch == 12;
  g_array_append_val (c->records, *r);
  c->n_epoch++;
}

static void
count_between (LlModel *model, gpointer data)
{
  Counts *c = data;
  c->sane &= model != NULL && c->n_between == c->n_batch - 1;
  c->n_between++;
}

static void
test_callbacks (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (200, 8, 8, 1, 4, 4);
  g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
  g_autoptr(GError) error = NULL;
  LlFitCallbacks cb = { count_batch, count_epoch, count_between };
  Counts c = { 0, 0, 0, 0, -1, 0, TRUE, g_array_new (FALSE, TRUE, sizeof (LlEpochRecord)) };

  ll_trainer_get_config (t)->epochs = 3;
  /* 200 samples, batch 16: 12 full batches and one of 8. */
  g_assert_true (ll_trainer_fit (t, ds, NULL, &cb, &c, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (c.sane);
  g_assert_cmpint (c.n_batch, ==, 39);
  g_assert_cmpint (c.n_between, ==, 39);
  g_assert_cmpint (c.n_epoch, ==, 3);
  g_assert_cmpint (c.last_step, ==, ll_trainer_get_step (t));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (g_array_index (c.records, LlEpochRecord, i).loss, ==, record (t, i)->loss);
  g_array_unref (c.records);
}

/* Cancel and pause from another thread. */

typedef struct {
  LlTrainer *trainer;
  const LlDataset *ds;
  LlControl control;
  gint batches;
  gboolean ok;
  GError *error;
  gint64 cancel_time;
} Run;

static void
run_batch (const LlBatchEvent *ev, gpointer data)
{
  Run *r = data;
  g_atomic_int_inc (&r->batches);
}

static gpointer
run_fit (gpointer data)
{
  Run *r = data;
  LlFitCallbacks cb = { run_batch, NULL, NULL };
  r->ok = ll_trainer_fit (r->trainer, r->ds, NULL, &cb, r, &r->control, &r->error);
  return NULL;
}

static gpointer
cancel_after_batches (gpointer data)
{
  Run *r = data;
  while (g_atomic_int_get (&r->batches) < 5)
    g_usleep (200);
  r->cancel_time = g_get_monotonic_time ();
  ll_control_cancel (&r->control);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (2000, 8, 8, 1, 4, 5);
  Run r = { 0 };
  GThread *fit, *canceller;
  gint64 done;

  r.trainer = make_trainer (MLP, NULL);
  r.ds = ds;
  /* 2000 batches per epoch, 50 epochs: far longer than the test waits. */
  ll_trainer_get_config (r.trainer)->batch_size = 1;
  ll_trainer_get_config (r.trainer)->epochs = 50;
  canceller = g_thread_new ("cancel", cancel_after_batches, &r);
  fit = g_thread_new ("fit", run_fit, &r);
  g_thread_join (canceller);
  g_thread_join (fit);
  done = g_get_monotonic_time ();

  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&r.batches), >=, 5);
  g_assert_cmpint (g_atomic_int_get (&r.batches), <, 2000);
  g_assert_cmpint (done - r.cancel_time, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (ll_trainer_get_history (r.trainer)->len, ==, 0);
  g_assert_cmpint (ll_trainer_get_step (r.trainer), ==, g_atomic_int_get (&r.batches));
  g_clear_error (&r.error);
  ll_trainer_free (r.trainer);
}

static void
test_pause (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (64, 8, 8, 1, 4, 6);
  Run r = { 0 };
  GThread *fit;

  r.trainer = make_trainer (MLP, NULL);
  r.ds = ds;
  ll_trainer_get_config (r.trainer)->epochs = 2;
  ll_control_set_paused (&r.control, TRUE);
  fit = g_thread_new ("fit", run_fit, &r);
  /* The flag is read between batches: one batch, then nothing. */
  while (g_atomic_int_get (&r.batches) < 1)
    g_usleep (1000);
  g_usleep (200000);
  g_assert_cmpint (g_atomic_int_get (&r.batches), ==, 1);
  g_usleep (100000);
  g_assert_cmpint (g_atomic_int_get (&r.batches), ==, 1);
  g_assert_cmpint (ll_trainer_get_step (r.trainer), ==, 1);
  ll_control_set_paused (&r.control, FALSE);
  g_thread_join (fit);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (g_atomic_int_get (&r.batches), ==, 8);
  g_assert_cmpuint (ll_trainer_get_history (r.trainer)->len, ==, 2);
  ll_trainer_free (r.trainer);

  /* Cancelling a paused run ends it. */
  memset (&r, 0, sizeof r);
  r.trainer = make_trainer (MLP, NULL);
  r.ds = ds;
  ll_control_set_paused (&r.control, TRUE);
  fit = g_thread_new ("fit", run_fit, &r);
  while (g_atomic_int_get (&r.batches) < 1)
    g_usleep (1000);
  ll_control_cancel (&r.control);
  g_thread_join (fit);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&r.batches), ==, 1);
  g_clear_error (&r.error);
  ll_trainer_free (r.trainer);
}

/* Keras' EarlyStopping and ReduceLROnPlateau, replayed on a recorded
 * sequence of monitored values: the epoch after which training stops (or
 * -1) and the best epoch. */
static int
keras_early_stop (const double *v, int n, gboolean maximize, double min_delta, int patience,
                  int *best_epoch)
{
  double best = maximize ? -INFINITY : INFINITY;
  int wait = 0;

  min_delta = fabs (min_delta);
  *best_epoch = -1;
  for (int e = 0; e < n; e++)
    {
      gboolean better = maximize ? v[e] - min_delta > best : v[e] + min_delta < best;
      wait++;
      if (better)
        {
          best = v[e];
          *best_epoch = e;
          wait = 0;
        }
      else if (wait >= patience && e > 0)
        return e;
    }
  return -1;
}

/* A small training set that overfits, so validation loss goes down, then up and about. */
static LlTrainer *
overfitting_trainer (void)
{
  LlFitConfig cfg;
  LlTrainer *t;

  default_config (&cfg);
  cfg.epochs = 25;
  cfg.validation_split = 0.5;
  cfg.batch_size = 8;
  cfg.optim.learning_rate = 0.001;
  t = make_trainer ("Input height=8 width=8 channels=1\nFlatten\nDense units=64 activation=relu\n"
                    "Dense units=4 activation=softmax\n", &cfg);
  ll_fit_config_clear (&cfg);
  return t;
}

static LlDataset *
noisy_data (void)
{
  /* Few samples, and some labels wrong, to make overfitting visible. */
  LlDataset *ds = ll_test_synthetic (64, 8, 8, 1, 4, 8);
  for (int i = 0; i < ds->n; i += 3)
    ds->labels[i] = (guint8) ((ds->labels[i] + 1) % 4);
  return ds;
}

static void
test_early_stopping (void)
{
  g_autoptr(LlDataset) ds = noisy_data ();
  g_autoptr(LlDataset) val = ll_dataset_slice (ds, 32, 32);
  static const struct { int patience; double min_delta; } cases[] = {
    { 0, 0.0 }, { 1, 0.0 }, { 2, 0.0 }, { 3, 0.0 }, { 2, 0.05 }, { 1, -0.02 },
  };
  int n_stopped = 0;

  /* The full run, to see where each setting should stop. */
  g_autoptr(LlTrainer) full = overfitting_trainer ();
  double v[25];
  fit_ok (full, ds, NULL);
  for (int e = 0; e < 25; e++)
    v[e] = record (full, e)->val_loss;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LlTrainer) t = overfitting_trainer ();
      LlFitConfig *cfg = ll_trainer_get_config (t);
      int best, stop = keras_early_stop (v, 25, FALSE, cases[i].min_delta, cases[i].patience, &best);
      double loss, acc;

      cfg->early_stopping = (LlEarlyStopping) { TRUE, LL_MONITOR_VAL_LOSS, cases[i].min_delta,
                                                cases[i].patience, TRUE };
      fit_ok (t, ds, NULL);
      g_test_message ("patience %d min_delta %g: stopped after %u epochs (expected %d), best %d",
                      cases[i].patience, cases[i].min_delta, ll_trainer_get_history (t)->len,
                      stop < 0 ? 25 : stop + 1, best);
      g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, stop < 0 ? 25 : stop + 1);
      /* Same seed, same run up to the stop. */
      for (guint e = 0; e < ll_trainer_get_history (t)->len; e++)
        g_assert_cmpfloat (record (t, e)->val_loss, ==, v[e]);
      if (stop >= 0)
        {
          /* restore_best_weights: the model is the best epoch's. */
          n_stopped++;
          g_assert_true (ll_model_evaluate (ll_trainer_get_model (t),
                                            LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                            val, 32, &loss, &acc, NULL, NULL));
          assert_close (loss, v[best], 1e-6);
        }
    }
  /* The data must make at least some of these stop early. */
  g_assert_cmpint (n_stopped, >=, 3);

  /* A min_delta no epoch can beat: epoch 0 is the best, and training
   * stops after patience more epochs with epoch 0's weights. */
  for (int patience = 0; patience <= 2; patience++)
    {
      g_autoptr(LlTrainer) t = overfitting_trainer ();
      g_autoptr(LlTrainer) one = overfitting_trainer ();
      ll_trainer_get_config (t)->early_stopping =
        (LlEarlyStopping) { TRUE, LL_MONITOR_LOSS, 1e9, patience, TRUE };
      ll_trainer_get_config (one)->epochs = 1;
      fit_ok (t, ds, NULL);
      fit_ok (one, ds, NULL);
      g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, (guint) MAX (patience, 1) + 1);
      assert_same_weights (t, one);
    }
  /* Without restore_best_weights the last weights stay. */
  {
    g_autoptr(LlTrainer) t = overfitting_trainer ();
    g_autoptr(LlTrainer) three = overfitting_trainer ();
    ll_trainer_get_config (t)->early_stopping =
      (LlEarlyStopping) { TRUE, LL_MONITOR_ACCURACY, 1e9, 2, FALSE };
    ll_trainer_get_config (three)->epochs = 3;
    fit_ok (t, ds, NULL);
    fit_ok (three, ds, NULL);
    g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 3);
    assert_same_weights (t, three);
  }
}

static void
test_reduce_lr (void)
{
  g_autoptr(LlDataset) ds = noisy_data ();
  g_autoptr(LlTrainer) t = overfitting_trainer ();
  g_autoptr(LlTrainer) m = overfitting_trainer ();
  LlFitConfig *cfg = ll_trainer_get_config (t);
  /* Never improves after epoch 0: reduce after epochs 2, 4, 6, ... */
  static const double scale[10] = { 1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625 };

  cfg->epochs = 10;
  cfg->reduce_lr = (LlReduceLrOnPlateau) { TRUE, LL_MONITOR_LOSS, 0.5, 2, 1e9, 0.0 };
  fit_ok (t, ds, NULL);
  for (int e = 0; e < 10; e++)
    assert_close (record (t, e)->lr, 0.001 * scale[e], 1e-12);
  assert_close (ll_trainer_get_lr (t), 0.001 * 0.0625, 1e-12);

  /* min_lr is a floor. */
  cfg = ll_trainer_get_config (m);
  cfg->epochs = 10;
  cfg->reduce_lr = (LlReduceLrOnPlateau) { TRUE, LL_MONITOR_LOSS, 0.5, 2, 1e9, 0.0003 };
  fit_ok (m, ds, NULL);
  for (int e = 0; e < 10; e++)
    assert_close (record (m, e)->lr, MAX (0.001 * scale[e], 0.0003), 1e-12);

  /* Keras' replay on a real curve: the lr halves when val_loss stalls. */
  {
    g_autoptr(LlTrainer) r = overfitting_trainer ();
    double best = INFINITY, lr = 0.001;
    int wait = 0, n_reduced = 0;
    cfg = ll_trainer_get_config (r);
    cfg->reduce_lr = (LlReduceLrOnPlateau) { TRUE, LL_MONITOR_VAL_LOSS, 0.5, 2, 1e-4, 0.0 };
    fit_ok (r, ds, NULL);
    for (int e = 0; e < 25; e++)
      {
        double v = record (r, e)->val_loss;
        assert_close (record (r, e)->lr, lr, 1e-12);
        if (v < best - 1e-4)
          {
            best = v;
            wait = 0;
          }
        else if (++wait >= 2)
          {
            lr *= 0.5;
            wait = 0;
            n_reduced++;
          }
      }
    g_assert_cmpint (n_reduced, >=, 1);
  }
}

static void
test_schedules (void)
{
  LlSchedule step = { LL_SCHEDULE_STEP, 0.5, 10, 0 };
  LlSchedule expo = { LL_SCHEDULE_EXPONENTIAL, 0.95, 10, 0 };
  LlSchedule cosine = { LL_SCHEDULE_COSINE, 0.5, 10, 0.1 };
  LlSchedule constant = { LL_SCHEDULE_CONSTANT, 0.5, 10, 0 };
  g_autoptr(LlDataset) ds = ll_test_synthetic (64, 8, 8, 1, 4, 9);

  g_assert_cmpfloat (ll_schedule_lr (&constant, 0.01, 7, 10), ==, 0.01);
  g_assert_cmpfloat (ll_schedule_lr (&step, 0.01, 0, 30), ==, 0.01);
  g_assert_cmpfloat (ll_schedule_lr (&step, 0.01, 9, 30), ==, 0.01);
  g_assert_cmpfloat (ll_schedule_lr (&step, 0.01, 10, 30), ==, 0.005);
  g_assert_cmpfloat (ll_schedule_lr (&step, 0.01, 25, 30), ==, 0.0025);
  for (int e = 0; e < 20; e++)
    assert_close (ll_schedule_lr (&expo, 0.01, e, 20), 0.01 * pow (0.95, e), 1e-12);
  assert_close (ll_schedule_lr (&cosine, 0.01, 0, 10), 0.01, 1e-12);
  assert_close (ll_schedule_lr (&cosine, 0.01, 5, 10), 0.01 * (0.1 + 0.9 * 0.5), 1e-12);
  assert_close (ll_schedule_lr (&cosine, 0.01, 10, 10), 0.001, 1e-12);
  assert_close (ll_schedule_lr (&cosine, 0.01, 3, 10),
                0.01 * (0.1 + 0.9 * 0.5 * (1 + cos (G_PI * 0.3))), 1e-12);

  /* The history's lr follows the schedule, also across calls to fit. */
  {
    LlFitConfig cfg;
    g_autoptr(LlTrainer) t = NULL;
    default_config (&cfg);
    cfg.epochs = 3;
    cfg.schedule = (LlSchedule) { LL_SCHEDULE_STEP, 0.5, 2, 0 };
    t = make_trainer (MLP, &cfg);
    fit_ok (t, ds, NULL);
    fit_ok (t, ds, NULL);
    for (int e = 0; e < 6; e++)
      assert_close (record (t, e)->lr, 0.01 * pow (0.5, e / 2), 1e-12);
    ll_fit_config_clear (&cfg);
  }
  {
    LlFitConfig cfg;
    g_autoptr(LlTrainer) t = NULL;
    default_config (&cfg);
    cfg.epochs = 4;
    cfg.schedule = (LlSchedule) { LL_SCHEDULE_COSINE, 1.0, 1, 0.0 };
    t = make_trainer (MLP, &cfg);
    fit_ok (t, ds, NULL);
    for (int e = 0; e < 4; e++)
      assert_close (record (t, e)->lr, 0.01 * 0.5 * (1 + cos (G_PI * e / 4.0)), 1e-12);
    ll_fit_config_clear (&cfg);
  }
  {
    LlFitConfig cfg;
    g_autoptr(LlTrainer) t = NULL;
    default_config (&cfg);
    cfg.epochs = 4;
    cfg.schedule = (LlSchedule) { LL_SCHEDULE_EXPONENTIAL, 0.9, 1, 0.0 };
    t = make_trainer (MLP, &cfg);
    fit_ok (t, ds, NULL);
    for (int e = 0; e < 4; e++)
      assert_close (record (t, e)->lr, 0.01 * pow (0.9, e), 1e-12);
    ll_fit_config_clear (&cfg);
  }
}

/* ModelCheckpoint: on_epoch runs before the checkpoint, so removing the
 * file there and looking for it at the next batch tells which epochs saved. */
typedef struct {
  const char *path;
  int epoch;
  gboolean saved[32];
} CkWatch;

static void
ck_batch (const LlBatchEvent *ev, gpointer data)
{
  CkWatch *w = data;
  if (ev->batch == 0 && ev->epoch > 0)
    w->saved[ev->epoch - 1] = g_file_test (w->path, G_FILE_TEST_EXISTS);
}

static void
ck_epoch (const LlEpochRecord *r, gpointer data)
{
  CkWatch *w = data;
  w->epoch = r->epoch;
  g_remove (w->path);
}

static void
test_checkpoint (void)
{
  g_autoptr(LlDataset) ds = noisy_data ();
  g_autoptr(LlDataset) val = ll_dataset_slice (ds, 32, 32);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("layerlab-ck-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "best.llmodel", NULL);
  LlFitCallbacks cb = { ck_batch, ck_epoch, NULL, ll_model_file_save_with };
  double best = INFINITY, loss, acc;
  int n_saved = 0, best_epoch = -1;

  g_assert_no_error (error);

  /* Every epoch, whole training state. */
  {
    g_autoptr(LlTrainer) t = overfitting_trainer ();
    g_autoptr(LlTrainer) back = NULL;
    LlFitConfig *cfg = ll_trainer_get_config (t);
    cfg->epochs = 3;
    cfg->checkpoint = (LlCheckpoint) { TRUE, g_strdup (path), LL_MONITOR_VAL_LOSS, FALSE, FALSE };
    fit_ok (t, ds, NULL);
    back = ll_model_file_load (path, &error);
    g_assert_no_error (error);
    assert_same_weights (t, back);
    g_assert_cmpuint (ll_trainer_get_history (back)->len, ==, 3);
    g_assert_cmpint (ll_trainer_get_step (back), ==, ll_trainer_get_step (t));
    g_remove (path);
  }

  /* save_best_only, weights only: saved exactly on the epochs that improved. */
  {
    g_autoptr(LlTrainer) t = overfitting_trainer ();
    LlFitConfig *cfg = ll_trainer_get_config (t);
    CkWatch w = { path, -1, { FALSE } };

    cfg->checkpoint = (LlCheckpoint) { TRUE, g_strdup (path), LL_MONITOR_VAL_LOSS, TRUE, TRUE };
    g_assert_true (ll_trainer_fit (t, ds, NULL, &cb, &w, NULL, &error));
    g_assert_no_error (error);
    w.saved[24] = g_file_test (path, G_FILE_TEST_EXISTS);
    for (int e = 0; e < 25; e++)
      {
        double v = record (t, e)->val_loss;
        gboolean better = v < best;
        g_assert_cmpint (w.saved[e], ==, better);
        if (better)
          {
            best = v;
            best_epoch = e;
            n_saved++;
          }
      }
    g_assert_cmpint (n_saved, >=, 1);
    g_assert_cmpint (n_saved, <, 25);
    g_test_message ("checkpoint saved %d of 25 epochs, best %d", n_saved, best_epoch);

    g_remove (path);
  }

  /* Without removing the file in between, the file holds the best epoch. */
  {
    g_autoptr(LlTrainer) t = overfitting_trainer ();
    g_autoptr(LlTrainer) back = NULL;
    LlFitConfig *cfg = ll_trainer_get_config (t);
    cfg->checkpoint = (LlCheckpoint) { TRUE, g_strdup (path), LL_MONITOR_VAL_LOSS, TRUE, TRUE };
    fit_ok (t, ds, NULL);
    back = ll_model_file_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ll_trainer_get_history (back)->len, ==, 0);
    g_assert_cmpint (ll_trainer_get_step (back), ==, 0);
    g_assert_true (ll_model_evaluate (ll_trainer_get_model (back),
                                      LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                      val, 32, &loss, &acc, NULL, NULL));
    assert_close (loss, best, 1e-6);
    g_remove (path);
  }

  /* A checkpoint that cannot be written stops fit with the I/O error. */
  {
    g_autoptr(LlTrainer) t = overfitting_trainer ();
    g_autofree char *bad = g_build_filename (dir, "missing", "x.llmodel", NULL);
    LlFitConfig *cfg = ll_trainer_get_config (t);
    LlFitCallbacks files = { .save_checkpoint = ll_model_file_save_with };
    cfg->checkpoint = (LlCheckpoint) { TRUE, g_strdup (bad), LL_MONITOR_VAL_LOSS, FALSE, FALSE };
    g_assert_false (ll_trainer_fit (t, ds, NULL, &files, NULL, NULL, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_IO);
    g_clear_error (&error);
    g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 1);
  }
  g_rmdir (dir);
}

/* The NaN guard. */
typedef struct {
  gsize n;
  float *start;                    /* weights at the start of the current epoch */
  LlModel *model;
} Snap;

static void
snap_epoch (const LlEpochRecord *r, gpointer data)
{
  Snap *s = data;
  memcpy (s->start, ll_model_params (s->model), s->n * sizeof (float));
}

/* Trains a model bound to diverge; batch_size 0 keeps the default. */
static void
check_divergence (int batch_size)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (256, 8, 8, 1, 4, 10);
  g_autoptr(LlTrainer) t = NULL;
  g_autoptr(GError) error = NULL;
  LlFitConfig cfg;
  LlFitCallbacks cb = { NULL, snap_epoch, NULL };
  Snap s;
  float *w;
  guint n_hist;

  /* Unnormalised inputs (bright, nearly saturated images) and a squared
   * error on a linear output: with SGD at a high rate every step
   * multiplies the error by about lr·|x|², far above 1, so it overflows
   * within a few dozen steps. */
  for (gsize i = 0; i < (gsize) ds->n * 64; i++)
    ds->images[i] = (guint8) MIN (255, ds->images[i] * 4 + 60);
  default_config (&cfg);
  cfg.optim = ll_optim_config_default (LL_OPTIM_SGD);
  cfg.optim.learning_rate = 10;
  cfg.loss = LL_LOSS_MEAN_SQUARED_ERROR;
  cfg.epochs = 200;
  if (batch_size > 0)
    cfg.batch_size = batch_size;
  t = make_trainer ("Input height=8 width=8 channels=1\nFlatten\nDense units=16 activation=relu\n"
                    "Dense units=4 activation=linear\n", &cfg);
  ll_fit_config_clear (&cfg);
  s.model = ll_trainer_get_model (t);
  s.n = ll_model_n_trainable (s.model);
  s.start = g_new (float, s.n);
  memcpy (s.start, ll_model_params (s.model), s.n * sizeof (float));

  g_assert_false (ll_trainer_fit (t, ds, NULL, &cb, &s, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DIVERGED);
  g_test_message ("batch %d: %s", batch_size, error->message);
  g_assert_nonnull (strstr (error->message, "learning rate"));
  g_assert_nonnull (strstr (error->message, "too high"));
  g_assert_nonnull (strstr (error->message, "try 1"));
  n_hist = ll_trainer_get_history (t)->len;
  g_assert_cmpuint (n_hist, <, 200);

  /* Back at the start of the epoch that diverged, and finite. */
  w = ll_model_params (s.model);
  for (gsize i = 0; i < s.n; i++)
    g_assert_true (isfinite (w[i]));
  g_assert_cmpmem (w, s.n * sizeof (float), s.start, s.n * sizeof (float));
  g_free (s.start);
}

static void
test_nan_guard (void)
{
  check_divergence (0);
  /* One batch per epoch: the step that overflows the weights ends an epoch. */
  check_divergence (256);
}

static void
test_validate (void)
{
  static const struct { int epochs, batch; double split; const char *want; } bad[] = {
    { 0, 32, 0.0, "Epochs" }, { -3, 32, 0.0, "Epochs" }, { 10001, 32, 0.0, "Epochs" },
    { 1, 0, 0.0, "Batch size" }, { 1, -1, 0.0, "Batch size" }, { 1, 70000, 0.0, "Batch size" },
    { 1, 32, 1.0, "Validation split" }, { 1, 32, -0.1, "Validation split" },
    { 1, 32, NAN, "Validation split" },
  };
  g_autoptr(LlDataset) ds = ll_test_synthetic (32, 8, 8, 1, 4, 11);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
      LlFitConfig cfg;
      g_autofree float *before = NULL;
      LlModel *m = ll_trainer_get_model (t);

      default_config (&cfg);
      cfg.epochs = bad[i].epochs;
      cfg.batch_size = bad[i].batch;
      cfg.validation_split = bad[i].split;
      g_assert_false (ll_fit_config_validate (&cfg, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].want));
      g_clear_error (&error);
      g_assert_false (ll_trainer_set_config (t, &cfg, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      g_clear_error (&error);

      /* fit refuses a bad config before touching anything. */
      ll_trainer_get_config (t)->epochs = bad[i].epochs;
      ll_trainer_get_config (t)->batch_size = bad[i].batch;
      ll_trainer_get_config (t)->validation_split = bad[i].split;
      before = g_memdup2 (ll_model_params (m), ll_model_n_trainable (m) * sizeof (float));
      g_assert_false (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      g_assert_cmpint (ll_trainer_get_step (t), ==, 0);
      g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 0);
      g_assert_cmpmem (before, ll_model_n_trainable (m) * sizeof (float),
                       ll_model_params (m), ll_model_n_trainable (m) * sizeof (float));
      ll_fit_config_clear (&cfg);
    }

  /* A split that leaves nothing to train on, and data of another shape. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
    g_autoptr(LlDataset) tiny = ll_test_synthetic (3, 8, 8, 1, 4, 12);
    g_autoptr(LlDataset) other = ll_test_synthetic (10, 9, 9, 1, 4, 12);
    g_autoptr(LlDataset) classes = ll_test_synthetic (10, 8, 8, 1, 5, 12);
    ll_trainer_get_config (t)->validation_split = 0.9;
    g_assert_false (ll_trainer_fit (t, tiny, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "split"));
    g_clear_error (&error);
    ll_trainer_get_config (t)->validation_split = 0.0;
    g_assert_false (ll_trainer_fit (t, other, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
    g_clear_error (&error);
    g_assert_false (ll_trainer_fit (t, classes, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "5 units"));
    g_clear_error (&error);
    g_assert_false (ll_trainer_fit (t, ds, other, NULL, NULL, NULL, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
  }
}

static void
test_evaluate_predict (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (203, 8, 8, 1, 4, 13);
  g_autoptr(LlTrainer) t = make_trainer (MLP, NULL);
  LlModel *m = ll_trainer_get_model (t);
  g_autofree gint32 *pred = g_new (gint32, ds->n);
  g_autofree gint32 *pred7 = g_new (gint32, ds->n);
  g_autofree float *probs = g_new (float, (gsize) ds->n * 4);
  double loss, acc, loss7, acc7, nll = 0.0;
  int right = 0;

  ll_trainer_get_config (t)->epochs = 2;
  fit_ok (t, ds, NULL);
  g_assert_true (ll_model_evaluate (m, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, ds, 64, &loss, &acc, NULL, NULL));
  g_assert_true (ll_model_evaluate (m, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, ds, 7, &loss7, &acc7, NULL, NULL));
  g_assert_true (ll_model_predict_dataset (m, ds, 50, pred, probs, NULL, NULL));
  g_assert_true (ll_model_predict_dataset (m, ds, 7, pred7, NULL, NULL, NULL));
  g_assert_cmpmem (pred, ds->n * sizeof (gint32), pred7, ds->n * sizeof (gint32));
  for (int i = 0; i < ds->n; i++)
    {
      const float *p = probs + (gsize) i * 4;
      double sum = p[0] + p[1] + p[2] + p[3];
      assert_close (sum, 1.0, 1e-5);
      for (int j = 0; j < 4; j++)
        g_assert_cmpfloat (p[j], <=, p[pred[i]]);
      right += pred[i] == ds->labels[i];
      nll -= log (MAX (p[ds->labels[i]], 1e-7));
    }
  g_assert_cmpfloat (acc, ==, (double) right / ds->n);
  g_assert_cmpfloat (acc7, ==, acc);
  assert_close (loss7, loss, 1e-5);
  assert_close (nll / ds->n, loss, 1e-4);
  g_assert_cmpfloat (acc, >, 0.5);
}

/* A new learning rate requested from another thread between batches. */
typedef struct {
  LlTrainer *trainer;
  double lrs[64];
  int n;
} LrRun;

static gpointer
request_lr_thread (gpointer data)
{
  LrRun *r = data;
  ll_trainer_request_lr (r->trainer, 0.123);
  return NULL;
}

static void
lr_batch (const LlBatchEvent *ev, gpointer data)
{
  LrRun *r = data;
  r->lrs[r->n++] = ev->lr;
  if (r->n == 5)
    {
      /* Joining orders the request before the next batch (and is visible
       * to ThreadSanitizer, unlike GLib's futex-based GMutex). */
      GThread *th = g_thread_new ("lr", request_lr_thread, r);
      g_thread_join (th);
    }
}

static void
test_request_lr (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (160, 8, 8, 1, 4, 14);
  LrRun r = { 0 };
  LlFitCallbacks cb = { lr_batch, NULL, NULL };
  g_autoptr(GError) error = NULL;

  r.trainer = make_trainer (MLP, NULL);
  ll_trainer_get_config (r.trainer)->epochs = 2;
  g_assert_true (ll_trainer_fit (r.trainer, ds, NULL, &cb, &r, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.n, ==, 20);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (r.lrs[i], ==, 0.01);
  for (int i = 5; i < 20; i++)
    g_assert_cmpfloat (r.lrs[i], ==, 0.123);
  g_assert_cmpfloat (record (r.trainer, 0)->lr, ==, 0.123);
  g_assert_cmpfloat (record (r.trainer, 1)->lr, ==, 0.123);
  g_assert_cmpfloat (ll_trainer_get_lr (r.trainer), ==, 0.123);
  ll_trainer_free (r.trainer);
}

/* A callback watching a val_ metric with no validation data: an error that
 * says what to do, before any training (Keras would skip the callback). */
static void
test_monitor_without_validation (void)
{
  g_autoptr(LlDataset) ds = noisy_data ();
  g_autoptr(LlDataset) val = ll_dataset_slice (ds, 32, 32);
  struct { const char *who; LlMonitor monitor; } cases[] = {
    { "EarlyStopping", LL_MONITOR_VAL_LOSS },
    { "ReduceLROnPlateau", LL_MONITOR_VAL_ACCURACY },
    { "ModelCheckpoint", LL_MONITOR_VAL_LOSS },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LlTrainer) t = overfitting_trainer ();
      LlFitConfig *cfg = ll_trainer_get_config (t);
      g_autoptr(GError) error = NULL;

      cfg->validation_split = 0;
      cfg->epochs = 2;
      if (i == 0)
        cfg->early_stopping = (LlEarlyStopping) { TRUE, cases[i].monitor, 0, 1, FALSE };
      else if (i == 1)
        {
          cfg->reduce_lr.enabled = TRUE;
          cfg->reduce_lr.monitor = cases[i].monitor;
        }
      else
        {
          cfg->checkpoint.enabled = TRUE;
          cfg->checkpoint.save_best_only = TRUE;
          cfg->checkpoint.monitor = cases[i].monitor;
          cfg->checkpoint.path = g_build_filename (g_get_tmp_dir (), "ll-never-written.llmodel", NULL);
        }
      g_assert_false (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].who));
      g_assert_nonnull (strstr (error->message, "validation split"));
      g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 0);
      if (i == 2)
        g_assert_false (g_file_test (cfg->checkpoint.path, G_FILE_TEST_EXISTS));

      /* With validation data, given or split off, the same settings train. */
      g_clear_error (&error);
      fit_ok (t, ds, val);
      g_assert_cmpuint (ll_trainer_get_history (t)->len, >=, 1);
      if (i == 2)
        g_unlink (cfg->checkpoint.path);
    }
}

typedef struct {
  int calls, images;
  gboolean saw_validation;
} TransformLog;

/* Records what it is given and adds noise from the trainer's generator. */
static void
transform_noise (float *x, int n, int height, int width, int channels, LlRng *rng,
                 gpointer user_data)
{
  TransformLog *log = user_data;

  g_assert_cmpint (height, ==, 8);
  g_assert_cmpint (width, ==, 8);
  g_assert_cmpint (channels, ==, 1);
  log->calls++;
  log->images += n;
  for (int i = 0; i < n; i++)
    {
      /* Validation images are marked by a bright first pixel. */
      log->saw_validation |= x[i * 64] > 0.5f;
      for (int p = 0; p < 64; p++)
        x[i * 64 + p] = CLAMP (x[i * 64 + p] + 0.1f * (float) ll_rng_normal (rng), 0.f, 1.f);
    }
}

/* transform_batch changes every training batch, never a validation one,
 * and a run with it is reproducible from the seed. */
static void
test_transform_batch (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (200, 8, 8, 1, 4, 2);
  const LlFitCallbacks cb = { .transform_batch = transform_noise };
  TransformLog logs[2] = { { 0 } };
  LlTrainer *runs[3];

  for (int i = 0; i < ds->n; i++)
    ds->images[i * 64] = i >= 160 ? 255 : 0;
  for (int r = 0; r < 3; r++)
    {
      g_autoptr(GError) error = NULL;

      runs[r] = make_trainer (MLP, NULL);
      ll_trainer_get_config (runs[r])->validation_split = 0.2;
      ll_trainer_get_config (runs[r])->epochs = 2;
      /* The third without the transform. */
      g_assert_true (ll_trainer_fit (runs[r], ds, NULL, r < 2 ? &cb : NULL, r < 2 ? &logs[r] : NULL,
                                     NULL, &error));
      g_assert_no_error (error);
    }
  for (int r = 0; r < 2; r++)
    {
      /* 160 training images in batches of 16, twice. */
      g_assert_cmpint (logs[r].calls, ==, 20);
      g_assert_cmpint (logs[r].images, ==, 320);
      g_assert_false (logs[r].saw_validation);
    }
  assert_same_history (runs[0], runs[1]);
  assert_same_weights (runs[0], runs[1]);
  g_assert_false (weights_equal (runs[0], runs[2]));
  for (int r = 0; r < 3; r++)
    ll_trainer_free (runs[r]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/trainer/fit-learns", test_fit_learns);
  g_test_add_func ("/engine/trainer/validation-split", test_validation_split);
  g_test_add_func ("/engine/trainer/reproducible", test_reproducible);
  g_test_add_func ("/engine/trainer/callbacks", test_callbacks);
  g_test_add_func ("/engine/trainer/cancel", test_cancel);
  g_test_add_func ("/engine/trainer/pause", test_pause);
  g_test_add_func ("/engine/trainer/early-stopping", test_early_stopping);
  g_test_add_func ("/engine/trainer/monitor-without-validation", test_monitor_without_validation);
  g_test_add_func ("/engine/trainer/reduce-lr-on-plateau", test_reduce_lr);
  g_test_add_func ("/engine/trainer/schedules", test_schedules);
  g_test_add_func ("/engine/trainer/checkpoint", test_checkpoint);
  g_test_add_func ("/engine/trainer/nan-guard", test_nan_guard);
  g_test_add_func ("/engine/trainer/validate", test_validate);
  g_test_add_func ("/engine/trainer/evaluate-predict", test_evaluate_predict);
  g_test_add_func ("/engine/trainer/request-lr", test_request_lr);
  g_test_add_func ("/engine/trainer/transform-batch", test_transform_batch);
  return g_test_run ();
}
