/* test-toy-data.c: the Playground's 2-D data without a display: class
 * balance, noise, determinism from the seed, the features, the grid that
 * the view draws (equal to point-by-point predictions and to each layer's
 * output), the batch-at-a-time run, the demonstrations' presets, the
 * spiral learnt by 2×8 tanh units and regularization closing the
 * overfitting gap. */
#include <math.h>
#include <string.h>

#include "ll-evaluate.h"
#include "ll-presets.h"
#include "ll-toy-data.h"
#include "ll-trainer.h"

static void
test_balance (void)
{
  for (int k = 0; k < LL_TOY_OWN; k++)
    for (int n = 99; n <= 101; n++)
      {
        g_autofree LlToyPoint *p = g_new (LlToyPoint, n);
        int counts[3] = { 0 }, nc = ll_toy_n_classes ((LlToyKind) k);

        g_assert_cmpint (ll_toy_generate ((LlToyKind) k, n, 0.2, 7, p), ==, n);
        for (int i = 0; i < n; i++)
          {
            g_assert_cmpint (p[i].label, >=, 0);
            g_assert_cmpint (p[i].label, <, nc);
            g_assert_cmpfloat (fabsf (p[i].x), <=, LL_TOY_EXTENT);
            g_assert_cmpfloat (fabsf (p[i].y), <=, LL_TOY_EXTENT);
            counts[p[i].label]++;
          }
        for (int c = 0; c < nc; c++)
          g_assert_cmpint (abs (counts[c] - n / nc), <=, 1);
      }
  g_assert_cmpint (ll_toy_generate (LL_TOY_OWN, 10, 0, 1, NULL), ==, 0);
}

static void
test_determinism (void)
{
  for (int k = 0; k < LL_TOY_OWN; k++)
    {
      LlToyPoint a[200], b[200], c[200];
      int na, nb, ta, tb;

      ll_toy_generate ((LlToyKind) k, 200, 0.3, 42, a);
      ll_toy_generate ((LlToyKind) k, 200, 0.3, 42, b);
      ll_toy_generate ((LlToyKind) k, 200, 0.3, 43, c);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      g_assert_true (memcmp (a, c, sizeof a) != 0);
      na = nb = 200;
      ll_toy_split (a, na, 0.7, 5, &ta);
      ll_toy_split (b, nb, 0.7, 5, &tb);
      g_assert_cmpint (ta, ==, 140);
      g_assert_cmpint (ta, ==, tb);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
    }
}

/* Circle: without noise the classes keep their rings (inner r ≤ 2.5,
 * outer r ≥ 3.5); noise moves points across r = 3 the more, the higher it
 * is.  Gaussians: the spread grows with noise. */
static void
test_noise (void)
{
  double crossed[3], spread[3];
  const double levels[3] = { 0.0, 0.25, 0.5 };

  for (int l = 0; l < 3; l++)
    {
      LlToyPoint p[2000];
      int bad = 0;
      double s = 0;

      ll_toy_generate (LL_TOY_CIRCLE, 2000, levels[l], 3, p);
      for (int i = 0; i < 2000; i++)
        {
          double r = hypot (p[i].x, p[i].y);
          if (l == 0)
            g_assert_true (p[i].label == 0 ? r <= 2.5 + 1e-5 : r >= 3.5 - 1e-5);
          bad += (p[i].label == 0) != (r < 3.0);
        }
      crossed[l] = bad / 2000.0;
      ll_toy_generate (LL_TOY_GAUSS, 2000, levels[l], 3, p);
      for (int i = 0; i < 2000; i++)
        {
          double m = p[i].label == 0 ? 2 : -2;
          s += (p[i].x - m) * (p[i].x - m);
        }
      spread[l] = sqrt (s / 2000);
    }
  g_assert_cmpfloat (crossed[0], ==, 0.0);
  g_assert_cmpfloat (crossed[1], >, 0.02);
  g_assert_cmpfloat (crossed[2], >, crossed[1]);
  g_assert_cmpfloat (fabs (spread[0] - sqrt (0.5)), <, 0.05);
  g_assert_cmpfloat (spread[1], >, spread[0] * 1.5);
  g_assert_cmpfloat (spread[2], >, spread[1]);
}

static void
test_features (void)
{
  float out[LL_N_FEATURES];
  guint all = (1u << LL_N_FEATURES) - 1;
  LlToyPoint pts[2] = { { 3.0f, -1.5f, 0 }, { -6.0f, 6.0f, 1 } };
  g_autoptr(LlDataset) ds = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (ll_toy_n_features (all), ==, 7);
  g_assert_cmpint (ll_toy_n_features (LL_FEATURES_DEFAULT), ==, 2);
  ll_toy_features (all, 3.0f, -1.5f, out);
  g_assert_cmpfloat_with_epsilon (out[0], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[1], -0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[2], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[3], 0.0625, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[4], -0.125, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[5], sin (3.0), 1e-6);
  g_assert_cmpfloat_with_epsilon (out[6], sin (-1.5), 1e-6);
  ll_toy_features (LL_FEATURE_X2 | LL_FEATURE_SIN_X1, 3.0f, -1.5f, out);
  g_assert_cmpfloat_with_epsilon (out[0], -0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[1], sin (3.0), 1e-6);
  g_assert_cmpstr (ll_toy_feature_label (2), ==, "x₁²");

  ds = ll_toy_dataset (pts, 2, 2, LL_FEATURE_X1 | LL_FEATURE_X1X2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->width, ==, 2);
  g_assert_cmpint (ds->height, ==, 1);
  g_assert_cmpint (ds->labels[1], ==, 1);
  g_assert_cmpfloat_with_epsilon (ds->values[2], -1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (ds->values[3], -1.0, 1e-6);
  {
    guint32 idx[1] = { 1 };
    float x[2];
    gint32 label;
    g_autoptr(LlDataset) copy = ll_dataset_slice (ds, 1, 1);
    ll_dataset_fill_batch (ds, idx, 1, x, &label);
    g_assert_cmpfloat (x[1], ==, ds->values[3]);
    g_assert_cmpint (label, ==, 1);
    g_assert_cmpfloat (copy->values[1], ==, ds->values[3]);
  }
  g_assert_null (ll_toy_dataset (pts, 2, 2, 0, &error) ? (gpointer) 1 : NULL);
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
}

static LlModel *
toy_model (int n_inputs, const char *activation, int n_classes)
{
  LlToyNet net = { 3, { 8, 5, 3 }, { activation, "relu", activation }, 0.2, 0.0005, 0.001, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_toy_arch (&net, n_inputs, n_classes, &error);
  LlModel *model;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 9);
  return model;
}

/* The colour field is one batched forward pass over the grid; it must be
 * what the model predicts at those points, and each neuron's thumbnail
 * what its layer outputs there. */
static void
test_grid (void)
{
  guint features = LL_FEATURE_X1 | LL_FEATURE_X2 | LL_FEATURE_X1X2 | LL_FEATURE_SIN_X2;
  int nf = ll_toy_n_features (features), res = 12;
  g_autoptr(LlModel) model = toy_model (nf, "tanh", 3);
  g_autoptr(LlModel) single = ll_model_copy (model);
  g_autofree float *x = g_new (float, res * res * nf);
  g_autofree float *field = g_new (float, res * res * 3);
  int n_layers = ll_model_n_layers (model);
  g_autoptr(GError) error = NULL;

  ll_toy_grid_inputs (features, res, x);
  g_assert_true (ll_model_plan (model, res * res, &error));
  memcpy (field, ll_model_forward (model, res * res, x, FALSE, NULL), sizeof (float) * res * res * 3);
  g_assert_true (ll_model_plan (single, 1, &error));
  for (int r = 0; r < res; r += 5)
    for (int c = 0; c < res; c += 3)
      {
        float px = (float) (-6 + (c + 0.5) * 12.0 / res), py = (float) (6 - (r + 0.5) * 12.0 / res);
        float in[LL_N_FEATURES], probs[3];
        int i = r * res + c;

        ll_toy_features (features, px, py, in);
        g_assert_true (ll_model_predict (single, 1, in, probs, &error));
        for (int k = 0; k < 3; k++)
          g_assert_cmpfloat_with_epsilon (field[i * 3 + k], probs[k], 1e-5);
        for (int l = 0; l < n_layers; l++)
          {
            LlShape shape = ll_model_layer_shape (model, l);
            int size = (int) ll_shape_size (&shape);
            const float *grid_out = ll_model_layer_output (model, l) + (gsize) i * size;

            ll_model_forward (single, 1, in, FALSE, NULL);
            for (int u = 0; u < size; u++)
              g_assert_cmpfloat_with_epsilon (grid_out[u], ll_model_layer_output (single, l)[u], 1e-5);
          }
      }
}

/* The network's layers: batch normalization between the linear Dense and
 * its activation, both regularizers, Dropout where asked. */
static void
test_arch (void)
{
  LlToyNet net = { 2, { 6, 3 }, { "relu", NULL }, 0.0, 0.001, 0.002, TRUE };
  const LlLayerType *want[] = { &ll_layer_input, &ll_layer_flatten,
                                &ll_layer_dense, &ll_layer_batch_normalization, &ll_layer_activation, &ll_layer_dropout,
                                &ll_layer_dense, &ll_layer_batch_normalization, &ll_layer_activation, &ll_layer_dropout,
                                &ll_layer_dense };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_toy_arch (&net, 3, 2, &error);
  g_autoptr(LlArch) plain = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ll_arch_n_layers (arch), ==, G_N_ELEMENTS (want));
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    g_assert_true (ll_arch_layer (arch, i)->type == want[i]);
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (arch, 2), "kernel_regularizer"), ==, "l1_l2");
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (arch, 2), "activation"), ==, "linear");
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (arch, 4), "activation"), ==, "relu");
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (arch, 8), "activation"), ==, "tanh");
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (arch, 10), "activation"), ==, "softmax");
  g_assert_true (ll_arch_validate (arch, NULL, &error));

  net.batch_norm = FALSE;
  net.dropout = -1;
  net.l1 = net.l2 = 0;
  plain = ll_toy_arch (&net, 3, 2, &error);
  g_assert_cmpint (ll_arch_n_layers (plain), ==, 5);
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (plain, 2), "activation"), ==, "relu");
}

static LlToyRun *
toy_run (LlToyKind kind, int n, double noise, const char *preset, double dropout, double l2,
         guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree LlToyPoint *p = g_new (LlToyPoint, n);
  g_autoptr(LlArch) arch = NULL;
  LlFitConfig cfg;
  LlModel *model;
  LlToyRun *run;
  int n_train;

  ll_toy_generate (kind, n, noise, seed, p);
  ll_toy_split (p, n, 0.3, seed, &n_train);
  arch = ll_preset_build (preset, &cfg, &error);
  g_assert_no_error (error);
  if (dropout > 0 || l2 > 0)
    {
      LlToyNet net = { 0 };
      for (int i = 0; i < ll_arch_n_layers (arch) - 1; i++)
        if (ll_arch_layer (arch, i)->type == &ll_layer_dense)
          {
            net.activation[net.n_hidden] = "relu";
            net.units[net.n_hidden++] = (int) ll_layer_spec_get (ll_arch_layer (arch, i), "units", 0);
          }
      net.dropout = dropout > 0 ? dropout : -1;
      net.l2 = l2;
      ll_arch_free (arch);
      arch = ll_toy_arch (&net, 2, 2, &error);
      g_assert_no_error (error);
    }
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, seed);
  run = ll_toy_run_new (model, &cfg.optim, cfg.batch_size, seed,
                        ll_toy_dataset (p, n_train, 2, LL_FEATURES_DEFAULT, NULL),
                        ll_toy_dataset (p + n_train, n - n_train, 2, LL_FEATURES_DEFAULT, NULL),
                        &error);
  g_assert_no_error (error);
  ll_fit_config_clear (&cfg);
  return run;
}

static void
test_run (void)
{
  g_autoptr(LlToyRun) run = toy_run (LL_TOY_CIRCLE, 200, 0.0, "playground-batch-size", 0, 0, 4);
  g_autoptr(LlToyRun) copy = NULL;
  g_autoptr(GError) error = NULL;
  double before, after, a1, a2;

  g_assert_cmpint (ll_toy_run_get_train (run)->n, ==, 60);
  ll_toy_run_evaluate (run, &before, NULL, NULL, NULL);
  for (int i = 0; i < 30; i++)
    g_assert_true (isfinite (ll_toy_run_step (run)));
  g_assert_cmpint (ll_toy_run_get_step (run), ==, 30);
  g_assert_cmpfloat_with_epsilon (ll_toy_run_get_epoch (run), 0.5, 1e-9);
  g_assert_true (ll_toy_run_set_batch_size (run, 32, &error));
  ll_toy_run_set_learning_rate (run, 0.1);
  /* A copy trains on exactly as the original. */
  copy = ll_toy_run_copy (run);
  for (int i = 0; i < 200; i++)
    {
      a1 = ll_toy_run_step (run);
      a2 = ll_toy_run_step (copy);
      g_assert_cmpfloat (a1, ==, a2);
    }
  ll_toy_run_evaluate (run, &after, NULL, NULL, NULL);
  g_assert_cmpfloat (after, <, before);
  g_assert_false (ll_toy_run_set_batch_size (run, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);

  /* A learning rate that explodes: the weights stay finite. */
  g_clear_error (&error);
  ll_toy_run_set_learning_rate (run, 1e30);
  for (int i = 0; i < 20; i++)
    ll_toy_run_step (run);
  ll_toy_run_evaluate (run, &after, NULL, NULL, NULL);
  for (gsize i = 0; i < ll_model_n_trainable (ll_toy_run_get_model (run)); i++)
    g_assert_true (isfinite (ll_model_params (ll_toy_run_get_model (run))[i]));
}

static void
test_demos (void)
{
  int n;
  const LlToyDemo *d = ll_toy_demos (&n);
  const char *ids[] = { "spiral", "overfitting", "batch-size", "learning-rate", "activations" };

  g_assert_cmpint (n, ==, G_N_ELEMENTS (ids));
  for (int i = 0; i < n; i++)
    {
      const LlPresetInfo *p = ll_preset_lookup (d[i].preset);
      g_autoptr(GError) error = NULL;
      g_autoptr(LlArch) arch = NULL;
      LlFitConfig cfg;
      LlToyKind kind;

      g_assert_cmpstr (d[i].id, ==, ids[i]);
      g_assert_true (ll_toy_demo_lookup (ids[i]) == &d[i]);
      g_assert_nonnull (p);
      g_assert_true (g_str_has_prefix (p->name, "playground-"));
      g_assert_true (ll_toy_kind_from_name (p->dataset, &kind));
      g_assert_cmpint (kind, ==, d[i].kind);
      arch = ll_preset_build (p->name, &cfg, &error);
      g_assert_no_error (error);
      g_assert_true (ll_arch_validate (arch, NULL, &error));
      ll_fit_config_clear (&cfg);
    }
  g_assert_null (ll_toy_demo_lookup ("nope"));
}

/* Issue 16: 2 hidden layers of 8 tanh units learn the spiral. */
static void
test_spiral (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree LlToyPoint *p = g_new (LlToyPoint, 500);
  g_autoptr(LlDataset) train = NULL, test = NULL;
  g_autoptr(LlArch) arch = NULL;
  g_autoptr(LlTrainer) t = NULL;
  LlFitConfig cfg;
  double loss, acc;
  int n_train;

  arch = ll_preset_build ("playground-spiral", &cfg, &error);
  g_assert_no_error (error);
  ll_toy_generate (LL_TOY_SPIRAL, 500, 0.0, cfg.seed, p);
  ll_toy_split (p, 500, 0.5, cfg.seed, &n_train);
  train = ll_toy_dataset (p, n_train, 2, LL_FEATURES_DEFAULT, &error);
  test = ll_toy_dataset (p + n_train, 500 - n_train, 2, LL_FEATURES_DEFAULT, &error);
  t = ll_trainer_new (ll_model_new (arch, &error), &cfg);
  g_assert_no_error (error);
  ll_trainer_reset (t);
  ll_fit_config_clear (&cfg);
  g_assert_true (ll_trainer_fit (t, train, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ll_model_evaluate (ll_trainer_get_model (t), LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    test, 250, &loss, &acc, NULL, &error));
  g_test_message ("spiral, 2×8 tanh: test accuracy %.3f, loss %.4f", acc, loss);
  g_assert_cmpfloat (acc, >=, 0.95);
}

/* The overfitting demonstration: the gap between test and training loss
 * after training, without regularization, with dropout, with L2 (mean of
 * three seeds). */
static double
gap (double dropout, double l2)
{
  double sum = 0;

  for (guint64 seed = 1; seed <= 3; seed++)
    {
      g_autoptr(LlToyRun) run = toy_run (LL_TOY_GAUSS, 100, 0.5, "playground-overfitting",
                                         dropout, l2, seed);
      double train_loss, test_loss;

      for (int i = 0; i < 600; i++)
        ll_toy_run_step (run);
      ll_toy_run_evaluate (run, &train_loss, NULL, &test_loss, NULL);
      sum += test_loss - train_loss;
    }
  return sum / 3;
}

static void
test_overfitting (void)
{
  double plain = gap (0, 0), dropout = gap (0.5, 0), l2 = gap (0, 0.01);

  g_test_message ("overfitting gap (test − train loss): plain %.3f, dropout 0.5 %.3f, L2 0.01 %.3f",
                  plain, dropout, l2);
  g_assert_cmpfloat (plain, >, 0.3);
  g_assert_cmpfloat (dropout, <, plain * 0.7);
  g_assert_cmpfloat (l2, <, plain * 0.7);
}

/* The learning-rate demonstration: at its rate the loss ends far above
 * where a tenth of it gets (the sentence's "lower it to 0.3"). */
static void
test_learning_rate_demo (void)
{
  g_autoptr(LlToyRun) high = toy_run (LL_TOY_XOR, 400, 0.1, "playground-learning-rate", 0, 0, 2);
  g_autoptr(LlToyRun) low = toy_run (LL_TOY_XOR, 400, 0.1, "playground-learning-rate", 0, 0, 2);
  double loss_high, loss_low;

  g_assert_cmpfloat (ll_toy_run_get_learning_rate (high), ==, 3.0);
  ll_toy_run_set_learning_rate (low, 0.3);
  for (int i = 0; i < 600; i++)
    {
      ll_toy_run_step (high);
      ll_toy_run_step (low);
    }
  ll_toy_run_evaluate (high, NULL, NULL, &loss_high, NULL);
  ll_toy_run_evaluate (low, NULL, NULL, &loss_low, NULL);
  g_test_message ("XOR test loss after 600 steps: lr 3 %.3f, lr 0.3 %.3f", loss_high, loss_low);
  g_assert_cmpfloat (loss_high, >, 3 * loss_low);
}

/* A run of 10 training points in batches of 5 (two steps an epoch) with
 * plain SGD at 0.1. */
static LlToyRun *
schedule_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = NULL;
  LlToyNet net = { .n_hidden = 1, .units = { 4 }, .dropout = -1 };
  LlToyPoint p[10];
  LlOptimConfig optim = ll_optim_config_default (LL_OPTIM_SGD);
  LlModel *model;
  LlToyRun *run;

  g_assert_cmpint (ll_toy_generate (LL_TOY_XOR, 10, 0, 7, p), ==, 10);
  arch = ll_toy_arch (&net, 2, 2, &error);
  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 7);
  optim.learning_rate = 0.1;
  optim.momentum = 0;
  run = ll_toy_run_new (model, &optim, 5, 7, ll_toy_dataset (p, 10, 2, LL_FEATURES_DEFAULT, NULL),
                        NULL, &error);
  g_assert_no_error (error);
  return run;
}

/* The schedule of the fit settings changes the rate per epoch as the
 * table says (values worked by hand), and the batches train at it: a run
 * with the schedule ends with the same weights as a constant-rate run
 * whose rate is set by hand to those values before each batch. */
static void
test_schedule (void)
{
  struct {
    LlSchedule s;
    int epochs;
    double lr[6];              /* epochs 0 … 5 */
  } cases[] = {
    { { LL_SCHEDULE_CONSTANT, 0.5, 10, 0 }, 1, { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 } },
    /* step: 0.1 · 0.5^floor(e / 2) */
    { { LL_SCHEDULE_STEP, 0.5, 2, 0 }, 1, { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 } },
    /* exponential: 0.1 · 0.9^e */
    { { LL_SCHEDULE_EXPONENTIAL, 0.9, 10, 0 }, 1, { 0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049 } },
    /* cosine over 4 epochs to a floor of 0.2: 0.1 · (0.2 + 0.8 · (1 + cos (π e / 4)) / 2), then the floor */
    { { LL_SCHEDULE_COSINE, 0.5, 10, 0.2 }, 4,
      { 0.1, 0.1 * (0.2 + 0.4 * (1 + G_SQRT2 / 2)), 0.06, 0.1 * (0.2 + 0.4 * (1 - G_SQRT2 / 2)), 0.02, 0.02 } },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LlToyRun) a = schedule_run ();
      g_autoptr(LlToyRun) b = schedule_run ();
      gsize n_params;

      ll_toy_run_set_schedule (a, &cases[c].s, cases[c].epochs);
      for (int e = 0; e < 6; e++)
        for (int k = 0; k < 2; k++)
          {
            g_assert_cmpfloat_with_epsilon (ll_toy_run_get_current_learning_rate (a), cases[c].lr[e], 1e-12);
            g_assert_cmpfloat (ll_toy_run_get_learning_rate (a), ==, 0.1);   /* the base rate stays */
            ll_toy_run_set_learning_rate (b, cases[c].lr[e]);
            g_assert_true (isfinite (ll_toy_run_step (a)));
            g_assert_true (isfinite (ll_toy_run_step (b)));
          }
      n_params = ll_model_n_trainable (ll_toy_run_get_model (a));
      g_assert_cmpmem (ll_model_params (ll_toy_run_get_model (a)), n_params * sizeof (float),
                       ll_model_params (ll_toy_run_get_model (b)), n_params * sizeof (float));
      /* And not the same as training at the base rate throughout. */
      if (cases[c].s.kind != LL_SCHEDULE_CONSTANT)
        {
          g_autoptr(LlToyRun) d = schedule_run ();
          for (int i = 0; i < 12; i++)
            ll_toy_run_step (d);
          g_assert_true (memcmp (ll_model_params (ll_toy_run_get_model (a)),
                                 ll_model_params (ll_toy_run_get_model (d)), n_params * sizeof (float)) != 0);
        }
      /* A copy carries the schedule (the view trains copies on a worker). */
      {
        g_autoptr(LlToyRun) copy = ll_toy_run_copy (a);
        g_assert_cmpfloat (ll_toy_run_get_current_learning_rate (copy), ==,
                           ll_toy_run_get_current_learning_rate (a));
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/toy-data/balance", test_balance);
  g_test_add_func ("/engine/toy-data/determinism", test_determinism);
  g_test_add_func ("/engine/toy-data/noise", test_noise);
  g_test_add_func ("/engine/toy-data/features", test_features);
  g_test_add_func ("/engine/toy-data/grid", test_grid);
  g_test_add_func ("/engine/toy-data/arch", test_arch);
  g_test_add_func ("/engine/toy-data/run", test_run);
  g_test_add_func ("/engine/toy-data/demos", test_demos);
  g_test_add_func ("/engine/toy-data/spiral", test_spiral);
  g_test_add_func ("/engine/toy-data/overfitting", test_overfitting);
  g_test_add_func ("/engine/toy-data/learning-rate-demo", test_learning_rate_demo);
  g_test_add_func ("/engine/toy-data/schedule", test_schedule);
  return g_test_run ();
}
