/* test-lr-find.c: the learning-rate range test without a display: the
 * geometric schedule of rates, the smoothed curve and the suggestion
 * (checked on a hand-made curve), the early stop once the loss blows up,
 * cancellation, and errors. */
#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "ll-lr-find.h"
#include "ll-presets.h"
#include "ll-test-util.h"

static LlModel *
logistic (LlFitConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_preset_build ("logistic", cfg, &error);
  LlModel *model;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  cfg->batch_size = 16;
  cfg->seed = 5;
  return model;
}

/* The analysis on a curve whose answer is known. */
static void
test_analyze (void)
{
  const double loss[] = { 2.3, 2.3, 2.2, 2.0, 1.5, 0.9, 0.8, 0.85, 1.2, 2.0, 4.0, 9.0 };
  g_autoptr(LlLrCurve) curve = ll_lr_curve_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (loss); i++)
    {
      double lr = pow (10, -6.0 + i * 0.5);
      g_array_append_val (curve->lr, lr);
      g_array_append_val (curve->loss, loss[i]);
    }
  ll_lr_curve_analyze (curve);
  g_assert_cmpint (curve->i_min, ==, 6);
  /* The largest drop over two steps before the minimum: 0.9 − 2.0 around step 4. */
  g_assert_cmpint (curve->i_steep, ==, 4);
  g_assert_cmpfloat_with_epsilon (curve->suggested, pow (10, -3.0) / 10, 1e-15);

  /* Too few points: no suggestion. */
  g_array_set_size (curve->lr, 5);
  g_array_set_size (curve->loss, 5);
  ll_lr_curve_analyze (curve);
  g_assert_cmpfloat (curve->suggested, ==, 0);
  g_array_set_size (curve->lr, 0);
  g_array_set_size (curve->loss, 0);
  ll_lr_curve_analyze (curve);
  g_assert_cmpint (curve->i_min, ==, -1);
  g_assert_cmpint (curve->i_steep, ==, -1);
}

static void
test_curve (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = ll_test_synthetic (2000, 28, 28, 1, 10, 1);
  g_autoptr(LlLrCurve) curve = ll_lr_curve_new ();
  g_autoptr(LlLrCurve) again = ll_lr_curve_new ();
  g_autoptr(LlModel) model = NULL;
  g_autofree float *before = NULL;
  LlLrFindOptions options;
  LlFitConfig cfg;
  const double *lr, *loss;
  double ratio;

  model = logistic (&cfg);
  before = g_memdup2 (ll_model_params (model), ll_model_n_trainable (model) * sizeof (float));
  ll_lr_find_options_init (&options);
  options.steps = 60;
  g_assert_true (ll_lr_find (model, &cfg, train, &options, curve, NULL, &error));
  g_assert_no_error (error);
  lr = (const double *) curve->lr->data;
  loss = (const double *) curve->loss->data;
  g_test_message ("%u points, lowest loss %.3f at lr %.3g, suggested %.3g", curve->lr->len,
                  loss[curve->i_min], lr[curve->i_min], curve->suggested);
  /* One point per step after the first batch, up to lr_max. */
  g_assert_cmpuint (curve->lr->len, ==, 60);
  g_assert_cmpuint (curve->loss->len, ==, curve->lr->len);
  g_assert_cmpfloat (lr[0], ==, 1e-6);
  ratio = pow (1.0 / 1e-6, 1.0 / 60);
  for (guint i = 1; i < curve->lr->len; i++)
    {
      g_assert_cmpfloat_with_epsilon (lr[i] / lr[i - 1], ratio, 1e-9);
      g_assert_true (isfinite (loss[i]));
    }
  g_assert_cmpfloat_with_epsilon (lr[curve->lr->len - 1], 1e-6 * pow (ratio, 59), 1e-12);
  /* A learnable set: the loss falls from where it starts (≈ 2.30). */
  g_assert_cmpfloat (loss[0], >, 2.0);
  g_assert_cmpfloat (loss[curve->i_min], <, loss[0] - 0.3);
  g_assert_cmpint (curve->i_steep, >, 0);
  g_assert_cmpint (curve->i_steep, <, curve->i_min);
  g_assert_cmpfloat (curve->suggested, ==, lr[curve->i_min] / 10);
  /* On a copy: the caller's model is untouched. */
  g_assert_cmpmem (ll_model_params (model), ll_model_n_trainable (model) * sizeof (float),
                   before, ll_model_n_trainable (model) * sizeof (float));

  /* The seed decides everything: the same curve again. */
  g_assert_true (ll_lr_find (model, &cfg, train, &options, again, NULL, &error));
  g_assert_cmpmem (again->loss->data, again->loss->len * sizeof (double),
                   curve->loss->data, curve->loss->len * sizeof (double));
  ll_fit_config_clear (&cfg);
}

/* Up to a rate of 10,000 the loss explodes: the test stops there.  (On
 * labels that cannot be learned: separable blobs would let plain SGD
 * grow the weights harmlessly.) */
static void
test_blow_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = ll_test_synthetic (3000, 28, 28, 1, 10, 2);
  g_autoptr(LlLrCurve) curve = ll_lr_curve_new ();
  g_autoptr(LlModel) model = NULL;
  LlLrFindOptions options = { 1e-4, 1e4, 150 };
  LlFitConfig cfg;

  for (int i = 0; i < train->n; i++)
    train->labels[i] = (guint8) ((i * 7) % 10);
  model = logistic (&cfg);
  cfg.optim = ll_optim_config_default (LL_OPTIM_SGD);
  g_assert_true (ll_lr_find (model, &cfg, train, &options, curve, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("stopped after %u of 150 steps at lr %.3g", curve->lr->len,
                  g_array_index (curve->lr, double, curve->lr->len - 1));
  g_assert_cmpuint (curve->lr->len, <, 150);
  g_assert_cmpuint (curve->lr->len, >=, LL_LR_FIND_MIN_POINTS);
  g_assert_cmpfloat (curve->suggested, >, 0);
  ll_fit_config_clear (&cfg);
}

static void
test_cancel_and_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = ll_test_synthetic (400, 28, 28, 1, 10, 3);
  g_autoptr(LlDataset) small = ll_test_synthetic (64, 28, 28, 1, 10, 3);
  g_autoptr(LlDataset) cifar = ll_test_synthetic (64, 32, 32, 3, 10, 3);
  g_autoptr(LlLrCurve) curve = ll_lr_curve_new ();
  g_autoptr(LlModel) model = NULL;
  LlLrFindOptions bad = { 1e-2, 1e-3, 100 };
  LlControl control = { 0 };
  LlFitConfig cfg;

  model = logistic (&cfg);
  ll_control_cancel (&control);
  g_assert_false (ll_lr_find (model, &cfg, train, NULL, curve, &control, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (curve->lr->len, <=, 1);
  g_clear_error (&error);

  /* Four batches: a curve too short to suggest anything. */
  g_assert_true (ll_lr_find (model, &cfg, small, NULL, curve, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (curve->lr->len, ==, 3);
  g_assert_cmpfloat (curve->suggested, ==, 0);

  g_assert_false (ll_lr_find (model, &cfg, train, &bad, curve, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_lr_find (model, &cfg, cifar, NULL, curve, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
  ll_fit_config_clear (&cfg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/lr-find/analyze", test_analyze);
  g_test_add_func ("/engine/lr-find/curve", test_curve);
  g_test_add_func ("/engine/lr-find/blow-up", test_blow_up);
  g_test_add_func ("/engine/lr-find/cancel-and-errors", test_cancel_and_errors);
  return g_test_run ();
}
