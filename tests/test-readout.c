/* test-readout.c: the visualizers' read-out of activations and weights. */
#include "ll-model.h"
#include "ll-presets.h"
#include "ll-test-util.h"
#include "ll-trainer.h"

#include <math.h>

static LlModel *
build (const char *preset)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_preset_build (preset, NULL, &error);
  LlModel *model;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 7);
  return model;
}

/* Probing one image gives the same layer outputs as a batch forward. */
static void
test_probe_matches_forward (void)
{
  g_autoptr(LlModel) model = build ("mnist-cnn");
  g_autoptr(GError) error = NULL;
  gsize in = 28 * 28, total = ll_model_activations_size (model);
  g_autofree float *x = g_new (float, 3 * in);
  g_autofree float *probe = g_new (float, total);
  g_autofree float *batch = g_new (float, total);
  gsize expect = 0;

  for (int i = 0; i < ll_model_n_layers (model); i++)
    {
      LlShape s = ll_model_layer_shape (model, i);
      expect += ll_shape_size (&s);
    }
  g_assert_cmpuint (total, ==, expect);

  ll_test_fill_uniform (x, 3 * in, 0.0, 1.0, 3);
  g_assert_true (ll_model_plan (model, 3, &error));
  ll_model_forward (model, 3, x, FALSE, NULL);
  ll_model_copy_activations (model, 2, batch);

  g_assert_true (ll_model_probe (model, x + 2 * in, probe, &error));
  g_assert_no_error (error);
  for (gsize k = 0; k < total; k++)
    g_assert_cmpfloat_with_epsilon (probe[k], batch[k], 1e-4);
  /* The first layer's output is the input itself. */
  for (gsize k = 0; k < in; k++)
    g_assert_cmpfloat (probe[k], ==, x[2 * in + k]);
}

static void
test_copy_params (void)
{
  g_autoptr(LlModel) model = build ("cifar10-cnn");
  gsize n = ll_model_n_trainable (model), m = ll_model_n_state (model);
  g_autofree float *dst = g_new (float, n + m);

  g_assert_cmpuint (m, >, 0);
  ll_model_copy_params (model, dst);
  g_assert_cmpmem (dst, n * sizeof (float), ll_model_params (model), n * sizeof (float));
  g_assert_cmpmem (dst + n, m * sizeof (float), ll_model_state (model), m * sizeof (float));
}

static LlArch *
saliency_arch (const char *last_activation)
{
  const char *lines[] = {
    "Input", "Conv2D", "MaxPooling2D", "BatchNormalization", "Dropout", "Flatten", "Dense",
  };
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      LlLayerSpec spec;
      ll_layer_spec_init (&spec, ll_layer_type_lookup (lines[i]));
      ll_arch_append (arch, &spec);
    }
  ll_layer_spec_set (ll_arch_layer (arch, 0), "height", 8, &error);
  ll_layer_spec_set (ll_arch_layer (arch, 0), "width", 8, &error);
  ll_layer_spec_set (ll_arch_layer (arch, 0), "channels", 2, &error);
  ll_layer_spec_set (ll_arch_layer (arch, 1), "filters", 3, &error);
  ll_layer_spec_set_choice (ll_arch_layer (arch, 1), "padding", "same", &error);
  ll_layer_spec_set_choice (ll_arch_layer (arch, 1), "activation", "tanh", &error);
  ll_layer_spec_set (ll_arch_layer (arch, 6), "units", 4, &error);
  ll_layer_spec_set_choice (ll_arch_layer (arch, 6), "activation", last_activation, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&arch);
}

/* The saliency gradient equals finite differences of the class score, through
 * convolution, max pooling, batch norm (moving statistics) and dropout (off). */
static void
test_input_gradient (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) linear_arch = saliency_arch ("linear");
  g_autoptr(LlArch) softmax_arch = saliency_arch ("softmax");
  g_autoptr(LlModel) linear = ll_model_new (linear_arch, &error);
  g_autoptr(LlModel) softmax = ll_model_new (softmax_arch, &error);
  gsize n = 8 * 8 * 2;
  g_autofree float *x = g_new (float, n);
  g_autofree float *dx = g_new (float, n);
  g_autofree float *dx_soft = g_new (float, n);
  float *state;

  g_assert_no_error (error);
  ll_model_init_weights (linear, 11);
  /* Non-trivial moving statistics, so that evaluation mode matters. */
  state = ll_model_state (linear);
  for (gsize i = 0; i < ll_model_n_state (linear); i++)
    state[i] = i < 3 ? 0.1f * (float) i : 0.5f + 0.25f * (float) i;
  ll_model_copy_weights (softmax, linear);
  ll_test_fill_uniform (x, n, -1.0, 1.0, 5);

  for (int c = 0; c < 4; c++)
    {
      int checked = 0;
      g_assert_true (ll_model_input_gradient (linear, x, c, dx, &error));
      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        {
          const double h = 1e-3;
          float keep = x[i];
          double up, down, numeric;
          x[i] = keep + (float) h;
          up = ll_model_forward (linear, 1, x, FALSE, NULL)[c];
          x[i] = keep - (float) h;
          down = ll_model_forward (linear, 1, x, FALSE, NULL)[c];
          x[i] = keep;
          numeric = (up - down) / (2 * h);
          /* Skip inputs whose window winner changes within ±h (max pooling kink). */
          if (fabs (numeric - dx[i]) > 1e-2 * MAX (1.0, fabs (numeric)))
            {
              x[i] = keep + (float) (h / 10);
              up = ll_model_forward (linear, 1, x, FALSE, NULL)[c];
              x[i] = keep;
              down = ll_model_forward (linear, 1, x, FALSE, NULL)[c];
              if (fabs ((up - down) / (h / 10) - numeric) > 1e-2 * MAX (1.0, fabs (numeric)))
                continue;
            }
          g_assert_cmpfloat_with_epsilon (dx[i], numeric, 1e-2 * MAX (1.0, fabs (numeric)));
          checked++;
        }
      g_assert_cmpint (checked, >, (int) n * 9 / 10);

      /* With a final softmax the score is its logit: the same gradient. */
      g_assert_true (ll_model_input_gradient (softmax, x, c, dx_soft, &error));
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (dx_soft[i], dx[i], 1e-6);
    }
}

/* Fraction of the Dropout layer's outputs that are zero in a training pass. */
static double
dropped_fraction (LlModel *model, int layer, const float *x, int batch, LlRng *rng)
{
  LlShape s = ll_model_layer_shape (model, layer);
  gsize n = (gsize) batch * ll_shape_size (&s), zeros = 0, active = 0;
  const float *in, *out;

  ll_model_forward (model, batch, x, TRUE, rng);
  in = ll_model_layer_output (model, layer - 1);
  out = ll_model_layer_output (model, layer);
  for (gsize i = 0; i < n; i++)
    if (in[i] != 0.0f)
      {
        active++;
        zeros += out[i] == 0.0f;
      }
  return (double) zeros / MAX (active, 1);
}

/* The dropout rate changed while a model trains: the op and the
 * architecture follow, directly and through the trainer between batches. */
static void
test_dropout_rate (void)
{
  g_autoptr(LlModel) model = build ("mlp-128-dropout");
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = ll_test_synthetic (256, 28, 28, 1, 10, 4);
  g_autofree float *x = g_new (float, 64 * 784);
  g_autofree guint32 *idx = g_new (guint32, 64);
  LlFitConfig cfg;
  LlRng rng;
  LlTrainer *t;

  for (int i = 0; i < 64; i++)
    idx[i] = (guint32) i;
  ll_dataset_fill_batch (ds, idx, 64, x, NULL);
  ll_rng_seed (&rng, 1);
  g_assert_true (ll_model_plan (model, 64, &error));
  g_assert_cmpfloat (fabs (dropped_fraction (model, 3, x, 64, &rng) - 0.2), <, 0.03);

  g_assert_true (ll_model_set_dropout_rate (model, 3, 0.6, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_model_get_arch (model), 3), "rate", 0), ==, 0.6);
  g_assert_cmpfloat (fabs (dropped_fraction (model, 3, x, 64, &rng) - 0.6), <, 0.03);

  g_assert_false (ll_model_set_dropout_rate (model, 2, 0.1, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_model_set_dropout_rate (model, 3, 1.5, &error));
  g_clear_error (&error);

  /* Through the trainer, as the Train view asks from the main thread. */
  ll_fit_config_init (&cfg);
  cfg.epochs = 1;
  t = ll_trainer_new (ll_model_copy (model), &cfg);
  ll_trainer_request_dropout (t, -1, 0.0);
  g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_model_get_arch (ll_trainer_get_model (t)), 3),
                                        "rate", -1), ==, 0.0);
  g_assert_true (ll_model_plan (ll_trainer_get_model (t), 64, &error));
  g_assert_cmpfloat (dropped_fraction (ll_trainer_get_model (t), 3, x, 64, &rng), ==, 0.0);
  ll_trainer_free (t);
}

/* Softmax on an image normalises each pixel's channels (Keras' last axis);
 * its gradient is checked in test-layers. */
static void
test_image_softmax (void)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = NULL;
  const char *types[] = { "Input", "Activation", "Flatten", "Dense" };
  float x[4 * 3 * 5];
  const float *y;

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      LlLayerSpec spec;
      ll_layer_spec_init (&spec, ll_layer_type_lookup (types[i]));
      ll_arch_append (arch, &spec);
    }
  ll_layer_spec_set (ll_arch_layer (arch, 0), "height", 4, &error);
  ll_layer_spec_set (ll_arch_layer (arch, 0), "width", 3, &error);
  ll_layer_spec_set (ll_arch_layer (arch, 0), "channels", 5, &error);
  ll_layer_spec_set_choice (ll_arch_layer (arch, 1), "activation", "softmax", &error);
  ll_layer_spec_set (ll_arch_layer (arch, 3), "units", 3, &error);
  ll_layer_spec_set_choice (ll_arch_layer (arch, 3), "activation", "softmax", &error);
  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 2);
  ll_test_fill_uniform (x, G_N_ELEMENTS (x), -3.0, 3.0, 8);
  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, x, FALSE, NULL);
  y = ll_model_layer_output (model, 1);
  for (int p = 0; p < 12; p++)
    {
      double sum = 0.0, max = -1e9;
      int arg = 0;
      for (int c = 0; c < 5; c++)
        {
          sum += y[p * 5 + c];
          if (x[p * 5 + c] > max)
            {
              max = x[p * 5 + c];
              arg = c;
            }
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
      for (int c = 0; c < 5; c++)
        g_assert_cmpfloat (y[p * 5 + c], <=, y[p * 5 + arg]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/readout/probe-matches-forward", test_probe_matches_forward);
  g_test_add_func ("/engine/readout/copy-params", test_copy_params);
  g_test_add_func ("/engine/readout/input-gradient", test_input_gradient);
  g_test_add_func ("/engine/readout/dropout-rate", test_dropout_rate);
  g_test_add_func ("/engine/readout/image-softmax", test_image_softmax);
  return g_test_run ();
}
