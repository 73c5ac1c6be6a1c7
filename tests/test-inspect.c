/* test-inspect.c: confusion matrix, occlusion maps, gradient saliency,
 * histograms and batch-norm statistics. */
#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "ll-inspect.h"
#include "ll-evaluate.h"
#include "ll-presets.h"
#include "ll-trainer.h"
#include "ll-test-util.h"

/* A logistic model trained one epoch on up to 3000 training images. */
static LlTrainer *
trained_logistic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train_all = ll_test_mnist (FALSE, 600);
  g_autoptr(LlDataset) train = ll_dataset_slice (train_all, 0, MIN (train_all->n, 3000));
  LlFitConfig cfg;
  LlArch *arch = ll_preset_build ("logistic", &cfg, &error);
  LlModel *model;
  LlTrainer *trainer;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_arch_free (arch);
  cfg.epochs = 1;
  cfg.seed = 7;
  trainer = ll_trainer_new (model, &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (trainer);
  g_assert_true (ll_trainer_fit (trainer, train, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return trainer;
}

static void
test_confusion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = trained_logistic ();
  g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 500);
  g_autoptr(LlConfusion) c = NULL;
  LlModel *model = ll_trainer_get_model (trainer);
  double loss, accuracy, mean_recall = 0;
  guint32 cell[16], wrong[32];
  int n_cell, n_wrong, t = -1, p = -1;
  guint32 best = 0;

  c = ll_inspect_confusion (model, test, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpint (c->n_classes, ==, 10);
  g_assert_cmpuint (ll_confusion_total (c), ==, (guint) test->n);

  g_assert_true (ll_model_evaluate (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, test, 100,
                                    &loss, &accuracy, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("accuracy %.4f from the matrix, %.4f from evaluate", ll_confusion_accuracy (c),
                  accuracy);
  g_assert_cmpfloat_with_epsilon (ll_confusion_accuracy (c), accuracy, 1e-9);
  g_assert_cmpfloat (accuracy, >, 0.5);

  /* Rows count each class's images; per-class accuracy is the diagonal over the row. */
  for (int i = 0; i < 10; i++)
    {
      guint32 row = 0, n_label = 0;
      for (int j = 0; j < 10; j++)
        row += c->matrix[i * 10 + j];
      for (int k = 0; k < test->n; k++)
        n_label += test->labels[k] == i;
      g_assert_cmpuint (row, ==, n_label);
      if (row > 0)
        g_assert_cmpfloat_with_epsilon (ll_confusion_class_accuracy (c, i),
                                        (double) c->matrix[i * 11] / row, 1e-12);
      mean_recall += ll_confusion_class_accuracy (c, i) / 10;
    }
  g_assert_cmpfloat (mean_recall, >, 0.4);

  /* The biggest off-diagonal cell: its images, most confident first.  A
   * model with no mistakes (possible on the small generated digits used
   * without the shared data) has none: then the biggest diagonal cell. */
  for (int i = 0; i < 10; i++)
    for (int j = 0; j < 10; j++)
      if (i != j && c->matrix[i * 10 + j] > best)
        best = c->matrix[i * 10 + j], t = i, p = j;
  if (t < 0)
    for (int i = 0; i < 10; i++)
      if (c->matrix[i * 11] > best)
        best = c->matrix[i * 11], t = p = i;
  g_assert_cmpint (t, >=, 0);
  n_cell = ll_confusion_cell_images (c, t, p, cell, G_N_ELEMENTS (cell));
  g_assert_cmpint (n_cell, ==, MIN (best, G_N_ELEMENTS (cell)));
  for (int k = 0; k < n_cell; k++)
    {
      g_assert_cmpint (test->labels[cell[k]], ==, t);
      g_assert_cmpint (c->predicted[cell[k]], ==, p);
      if (k > 0)
        g_assert_cmpfloat (c->confidence[cell[k - 1]], >=, c->confidence[cell[k]]);
    }

  /* Most confidently wrong: all wrong, sorted, and none left out above the last. */
  n_wrong = ll_confusion_most_wrong (c, wrong, G_N_ELEMENTS (wrong));
  {
    guint32 right = 0;
    for (int i = 0; i < 10; i++)
      right += c->matrix[i * 11];
    g_assert_cmpint (n_wrong, ==, MIN ((guint32) test->n - right, G_N_ELEMENTS (wrong)));
  }
  for (int k = 0; k < n_wrong; k++)
    {
      g_assert_cmpint (c->predicted[wrong[k]], !=, test->labels[wrong[k]]);
      if (k > 0)
        g_assert_cmpfloat (c->confidence[wrong[k - 1]], >=, c->confidence[wrong[k]]);
    }
  for (int i = 0, above = 0; i < c->n; i++)
    if (c->predicted[i] != c->labels[i] && c->confidence[i] > c->confidence[wrong[n_wrong - 1]])
      g_assert_cmpint (++above, <, n_wrong);
}

static void
test_confusion_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = trained_logistic ();
  g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 500);
  LlControl control = { 0 };
  LlConfusion *c;

  ll_control_cancel (&control);
  c = ll_inspect_confusion (ll_trainer_get_model (trainer), test, 100, &control, &error);
  g_assert_null (c);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_confusion_mismatch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = trained_logistic ();
  g_autoptr(LlDataset) other = ll_test_synthetic (20, 32, 32, 3, 10, 3);

  g_assert_null (ll_inspect_confusion (ll_trainer_get_model (trainer), other, 10, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
}

static void
test_occlusion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = trained_logistic ();
  g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 500);
  LlModel *model = ll_trainer_get_model (trainer);
  float x[784], blank[784], probs[10], map[28 * 28], one, base;
  guint32 idx = 0;
  int mh, mw, cls = 0;

  ll_dataset_fill_batch (test, &idx, 1, x, NULL);
  g_assert_true (ll_model_predict (model, 1, x, probs, &error));
  for (int j = 1; j < 10; j++)
    if (probs[j] > probs[cls])
      cls = j;

  ll_inspect_occlusion_size (model, 4, &mh, &mw);
  g_assert_cmpint (mh, ==, 7);
  g_assert_cmpint (mw, ==, 7);
  ll_inspect_occlusion_size (model, 3, &mh, &mw);
  g_assert_cmpint (mh, ==, 10);

  g_assert_true (ll_inspect_occlusion (model, x, cls, 4, 4, 0.0f, map, &base, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (base, probs[cls], 1e-6);
  /* MNIST corners are background: a black patch there changes nothing. */
  if (x[0] == 0 && x[3 * 28 + 3] == 0)
    g_assert_cmpfloat_with_epsilon (map[0], 0.0, 1e-6);
  /* Somewhere the patch hides evidence for the predicted class. */
  {
    float most = -1;
    for (int i = 0; i < 49; i++)
      most = MAX (most, map[i]);
    g_assert_cmpfloat (most, >, 0.0f);
  }

  /* One patch that covers everything equals predicting a blank image. */
  g_assert_true (ll_inspect_occlusion (model, x, cls, 28, 28, 0.0f, map, NULL, &error));
  memset (blank, 0, sizeof blank);
  g_assert_true (ll_model_predict (model, 1, blank, probs, &error));
  one = probs[cls];
  g_assert_cmpfloat_with_epsilon (map[0], base - one, 1e-6);

  /* Bad arguments are errors, not crashes. */
  g_assert_false (ll_inspect_occlusion (model, x, 10, 4, 4, 0.0f, map, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
}

static void
test_histogram (void)
{
  float v[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN, INFINITY };
  guint32 counts[5];
  float lo = 0, hi = 0;
  gsize n = ll_inspect_histogram (v, G_N_ELEMENTS (v), 5, &lo, &hi, counts);
  guint32 expected[5] = { 2, 2, 2, 2, 3 };   /* the maximum falls in the last bin */

  g_assert_cmpuint (n, ==, 11);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 10);
  for (int i = 0; i < 5; i++)
    g_assert_cmpuint (counts[i], ==, expected[i]);

  /* A fixed range drops what lies outside. */
  lo = 2;
  hi = 4;
  n = ll_inspect_histogram (v, G_N_ELEMENTS (v), 2, &lo, &hi, counts);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (counts[0], ==, 1);
  g_assert_cmpuint (counts[1], ==, 2);

  /* Constant data: everything in the first bin, nothing divided by zero. */
  {
    float same[4] = { 3, 3, 3, 3 };
    lo = hi = 0;
    n = ll_inspect_histogram (same, 4, 3, &lo, &hi, counts);
    g_assert_cmpuint (n, ==, 4);
    g_assert_cmpuint (counts[0], ==, 4);
  }
}

/* Known values, then agreement with what a BatchNormalization layer does
 * in training mode: it normalizes each channel with exactly these batch
 * statistics (gamma 1, beta 0 after init, epsilon 0.001). */
static void
test_channel_stats (void)
{
  float x[] = { 1, 10,  3, 10,  5, 10,  7, 10 };   /* 4 rows, 2 channels */
  float mean[2], var[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(LlModel) model = NULL;
  LlLayerSpec spec;
  LlRng rng;
  const int batch = 8, h = 4, w = 4, c = 3;
  gsize n = (gsize) batch * h * w * c;
  g_autofree float *in = g_new (float, n);
  float bm[3], bv[3];
  const float *out;

  ll_inspect_channel_stats (x, 4, 2, mean, var);
  g_assert_cmpfloat_with_epsilon (mean[0], 4.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (var[0], 5.0, 1e-6);    /* (9+1+1+9)/4, biased */
  g_assert_cmpfloat_with_epsilon (mean[1], 10.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (var[1], 0.0, 1e-9);
  /* A large offset does not eat the variance. */
  {
    float big[] = { 1e4f + 1, 1e4f - 1, 1e4f + 1, 1e4f - 1 };
    ll_inspect_channel_stats (big, 4, 1, mean, var);
    g_assert_cmpfloat_with_epsilon (var[0], 1.0, 1e-6);
  }
  ll_inspect_channel_stats (NULL, 0, 2, mean, var);
  g_assert_cmpfloat (mean[0], ==, 0);
  g_assert_cmpfloat (var[1], ==, 0);

  ll_layer_spec_init (&spec, &ll_layer_input);
  g_assert_true (ll_layer_spec_set (&spec, "height", h, &error));
  g_assert_true (ll_layer_spec_set (&spec, "width", w, &error));
  g_assert_true (ll_layer_spec_set (&spec, "channels", c, &error));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_batch_normalization);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  ll_layer_spec_set (&spec, "units", 2, NULL);
  ll_layer_spec_set_choice (&spec, "activation", "softmax", NULL);
  ll_arch_append (arch, &spec);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 3);
  g_assert_true (ll_model_plan (model, batch, &error));
  ll_rng_seed (&rng, 5);
  for (gsize i = 0; i < n; i++)
    in[i] = (float) (ll_rng_normal (&rng) * (1 + i % c) + 2 * (i % c));
  ll_inspect_channel_stats (in, (gsize) batch * h * w, c, bm, bv);
  for (int k = 0; k < c; k++)
    g_assert_cmpfloat_with_epsilon (bm[k], 2.0 * k, 0.5);
  ll_model_forward (model, batch, in, TRUE, &rng);
  out = ll_model_layer_output (model, 1);
  for (gsize i = 0; i < n; i++)
    {
      int k = (int) (i % c);
      g_assert_cmpfloat_with_epsilon (out[i], (in[i] - bm[k]) / sqrtf (bv[k] + 0.001f), 1e-4);
    }
}

/* Saliency is |dx| of the class score, the largest over the channels. */
static void
test_saliency (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = trained_logistic ();
  g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 50);
  g_autoptr(LlModel) cifar = ll_test_preset_model ("cifar10-cnn", 3);
  g_autoptr(LlDataset) images = ll_test_synthetic (2, 32, 32, 3, 10, 9);
  LlModel *model = ll_trainer_get_model (trainer);
  float x[784], dx[784], map[784];
  g_autofree float *xc = g_new (float, 32 * 32 * 3);
  g_autofree float *dxc = g_new (float, 32 * 32 * 3);
  g_autofree float *mapc = g_new (float, 32 * 32);
  guint32 idx = 3;
  gboolean any = FALSE;

  ll_dataset_fill_batch (test, &idx, 1, x, NULL);
  g_assert_true (ll_model_plan (model, 1, &error));
  g_assert_true (ll_model_input_gradient (model, x, 7, dx, &error));
  g_assert_true (ll_inspect_saliency (model, x, 7, map, &error));
  g_assert_no_error (error);
  for (int p = 0; p < 784; p++)
    {
      g_assert_cmpfloat (map[p], ==, fabsf (dx[p]));
      any |= map[p] > 0;
    }
  g_assert_true (any);

  idx = 1;
  ll_dataset_fill_batch (images, &idx, 1, xc, NULL);
  ll_test_randomize_bn (cifar, 4);
  g_assert_true (ll_model_plan (cifar, 1, &error));
  g_assert_true (ll_model_input_gradient (cifar, xc, 2, dxc, &error));
  g_assert_true (ll_inspect_saliency (cifar, xc, 2, mapc, &error));
  g_assert_no_error (error);
  for (int p = 0; p < 32 * 32; p++)
    g_assert_cmpfloat (mapc[p], ==, MAX (MAX (fabsf (dxc[p * 3]), fabsf (dxc[p * 3 + 1])),
                                         fabsf (dxc[p * 3 + 2])));
}

/* Batch statistics at each BatchNormalization's input, beside the moving
 * averages and scale / shift it holds: the CIFAR-10 CNN's six layers on a
 * batch that wraps round the end of the data. */
static void
test_batchnorm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = ll_test_preset_model ("cifar10-cnn", 5);
  g_autoptr(LlModel) copy = NULL;
  g_autoptr(LlDataset) ds = ll_test_synthetic (40, 32, 32, 3, 10, 6);
  g_autoptr(LlDataset) mnist = ll_test_synthetic (10, 28, 28, 1, 10, 6);
  g_autoptr(LlModel) logistic = ll_test_preset_model ("logistic", 5);
  g_autoptr(LlBnStats) stats = NULL;
  g_autofree float *x = g_new (float, 32 * ll_dataset_sample_size (ds));
  g_autofree float *before = NULL;
  const LlArch *arch = ll_model_get_arch (model);
  guint32 idx[32];
  int k = 0;

  ll_test_randomize_bn (model, 8);
  before = g_memdup2 (ll_model_state (model), ll_model_n_state (model) * sizeof (float));
  stats = ll_inspect_batchnorm (model, ds, 32, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->batch, ==, 32);
  g_assert_cmpint (stats->n_layers, ==, 6);
  /* Evaluation mode: the moving statistics are not touched. */
  g_assert_cmpmem (ll_model_state (model), ll_model_n_state (model) * sizeof (float),
                   before, ll_model_n_state (model) * sizeof (float));

  copy = ll_model_copy (model);
  g_assert_true (ll_model_plan (copy, 32, &error));
  for (int i = 0; i < 32; i++)
    idx[i] = (30 + i) % 40;
  ll_dataset_fill_batch (ds, idx, 32, x, NULL);
  ll_model_forward (copy, 32, x, FALSE, NULL);
  for (int i = 1; i < ll_arch_n_layers (arch); i++)
    {
      const LlBnLayerStats *l;
      LlShape s = ll_model_layer_shape (copy, i - 1);
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw, c = s.d[2];
      g_autofree float *mean = g_new (float, c);
      g_autofree float *var = g_new (float, c);
      double gap = 0;

      if (ll_arch_layer (arch, i)->type != &ll_layer_batch_normalization)
        continue;
      l = &stats->layers[k++];
      g_assert_cmpint (l->layer, ==, i);
      g_assert_cmpint (l->channels, ==, c);
      ll_inspect_channel_stats (ll_model_layer_output (copy, i - 1), (gsize) 32 * s.d[0] * s.d[1], c,
                                mean, var);
      g_assert_cmpmem (l->mean, c * sizeof (float), mean, c * sizeof (float));
      g_assert_cmpmem (l->var, c * sizeof (float), var, c * sizeof (float));
      nw = ll_model_layer_weights (copy, i, views);
      for (int w = 0; w < nw; w++)
        {
          const float *got = g_str_equal (views[w].info->name, "gamma") ? l->gamma
                           : g_str_equal (views[w].info->name, "beta") ? l->beta
                           : g_str_equal (views[w].info->name, "moving_mean") ? l->moving_mean
                           : l->moving_var;
          g_assert_nonnull (got);
          g_assert_cmpmem (got, c * sizeof (float), views[w].data, c * sizeof (float));
        }
      for (int ch = 0; ch < c; ch++)
        gap += fabsf (mean[ch] - l->moving_mean[ch]) / c;
      g_assert_cmpfloat_with_epsilon (l->mean_gap, gap, 1e-9);
      g_assert_cmpfloat (l->var_ratio, >, 0);
    }
  g_assert_cmpint (k, ==, 6);
  g_clear_pointer (&stats, ll_bn_stats_free);

  /* A batch larger than the data takes all of it once. */
  stats = ll_inspect_batchnorm (model, ds, 128, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stats->batch, ==, 40);
  g_clear_pointer (&stats, ll_bn_stats_free);

  g_assert_null (ll_inspect_batchnorm (logistic, mnist, 8, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no BatchNormalization"));
  g_clear_error (&error);
  g_assert_null (ll_inspect_batchnorm (model, mnist, 8, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/inspect/confusion", test_confusion);
  g_test_add_func ("/engine/inspect/confusion-cancel", test_confusion_cancel);
  g_test_add_func ("/engine/inspect/confusion-mismatch", test_confusion_mismatch);
  g_test_add_func ("/engine/inspect/occlusion", test_occlusion);
  g_test_add_func ("/engine/inspect/histogram", test_histogram);
  g_test_add_func ("/engine/inspect/channel-stats", test_channel_stats);
  g_test_add_func ("/engine/inspect/saliency", test_saliency);
  g_test_add_func ("/engine/inspect/batchnorm", test_batchnorm);
  return g_test_run ();
}
