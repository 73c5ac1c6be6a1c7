/* test-readout.c: the visualizers' read-out of activations and weights. */
#include "ll-model.h"
#include "ll-presets.h"
#include "ll-test-util.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/readout/probe-matches-forward", test_probe_matches_forward);
  g_test_add_func ("/engine/readout/copy-params", test_copy_params);
  return g_test_run ();
}
