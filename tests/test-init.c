/* test-init.c: the Keras initializers' ranges and statistics, and
 * reproducible weights through ll_model_init_weights. */
#include <math.h>

#include "ll-init.h"
#include "ll-model.h"

#define N 200000
/* Stddev of a standard normal truncated at ±2: what Keras' VarianceScaling
 * divides by so that the truncated draw has the requested variance. */
#define TRUNC_STD 0.87962566103423978

typedef struct {
  double mean, var, max_abs;
  double frac_beyond;              /* fraction with |w| > the `beyond` argument */
} Stats;

static Stats
stats_of (const float *w, gsize n, double beyond)
{
  Stats s = { 0 };
  double sum = 0.0, sum2 = 0.0;
  gsize count = 0;

  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (w[i]));
      sum += w[i];
      s.max_abs = MAX (s.max_abs, fabs (w[i]));
      count += fabs (w[i]) > beyond;
    }
  s.mean = sum / n;
  for (gsize i = 0; i < n; i++)
    sum2 += (w[i] - s.mean) * (w[i] - s.mean);
  s.var = sum2 / n;
  s.frac_beyond = (double) count / n;
  return s;
}

static Stats
draw (LlInit kind, int fan_in, int fan_out, double beyond, float **out)
{
  LlRng rng;
  float *w = g_new (float, N);
  Stats s;

  ll_rng_seed (&rng, 1234 + kind);
  ll_init_fill (kind, 0.0, fan_in, fan_out, &rng, w, N);
  s = stats_of (w, N, beyond);
  if (out != NULL)
    *out = w;
  else
    g_free (w);
  return s;
}

static void
assert_rel (double value, double expected, double rel, const char *what)
{
  if (fabs (value - expected) > rel * fabs (expected))
    g_error ("%s: %g, expected %g (±%g %%)", what, value, expected, 100 * rel);
}

/* A uniform on [−limit, limit]: never beyond, reaches near the limit,
 * variance limit²/3. */
static void
check_uniform (LlInit kind, int fan_in, int fan_out, double limit)
{
  Stats s = draw (kind, fan_in, fan_out, limit, NULL);

  g_assert_cmpfloat (s.max_abs, <=, limit * (1 + 1e-6));
  g_assert_cmpfloat (s.max_abs, >, 0.999 * limit);
  g_assert_cmpfloat (fabs (s.mean), <, 0.01 * limit);
  assert_rel (s.var, limit * limit / 3, 0.02, ll_init_names[kind]);
}

/* A normal of standard deviation std truncated at 2 stddev of the
 * underlying draw: with Keras' correction the underlying stddev is
 * std / 0.8796, the variance std², and nothing lies beyond the cut. */
static void
check_scaled_truncated (LlInit kind, int fan_in, int fan_out, double std)
{
  double cut = 2.0 * std / TRUNC_STD;
  Stats s = draw (kind, fan_in, fan_out, cut, NULL);

  g_assert_cmpfloat (s.max_abs, <=, cut * (1 + 1e-6));
  g_assert_cmpfloat (s.max_abs, >, 0.99 * cut);
  g_assert_cmpfloat (fabs (s.mean), <, 0.01 * std);
  assert_rel (sqrt (s.var), std, 0.01, ll_init_names[kind]);
}

static void
test_names (void)
{
  int n = 0;
  while (ll_init_names[n] != NULL)
    n++;
  g_assert_cmpint (n, ==, LL_N_INITS);
  g_assert_cmpstr (ll_init_names[LL_INIT_GLOROT_UNIFORM], ==, "glorot_uniform");
  g_assert_cmpstr (ll_init_names[LL_INIT_HE_NORMAL], ==, "he_normal");
  g_assert_cmpstr (ll_init_names[LL_INIT_TRUNCATED_NORMAL], ==, "truncated_normal");
  g_assert_cmpstr (ll_init_names[LL_INIT_LECUN_NORMAL], ==, "lecun_normal");
}

static void
test_constants (void)
{
  float w[1000];
  LlRng rng;

  ll_rng_seed (&rng, 1);
  ll_init_fill (LL_INIT_ZEROS, 3.0, 10, 10, &rng, w, 1000);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpfloat (w[i], ==, 0.0f);
  ll_init_fill (LL_INIT_ONES, 3.0, 10, 10, &rng, w, 1000);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpfloat (w[i], ==, 1.0f);
  ll_init_fill (LL_INIT_CONSTANT, -0.25, 10, 10, &rng, w, 1000);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpfloat (w[i], ==, -0.25f);
}

static void
test_glorot_uniform (void)
{
  check_uniform (LL_INIT_GLOROT_UNIFORM, 784, 128, sqrt (6.0 / (784 + 128)));
  check_uniform (LL_INIT_GLOROT_UNIFORM, 3, 5, sqrt (6.0 / 8));
  /* Conv2D 5×5, 1 → 3 filters: fan_in 25, fan_out 75 */
  check_uniform (LL_INIT_GLOROT_UNIFORM, 25, 75, sqrt (6.0 / 100));
}

static void
test_glorot_normal (void)
{
  check_scaled_truncated (LL_INIT_GLOROT_NORMAL, 784, 128, sqrt (2.0 / (784 + 128)));
  check_scaled_truncated (LL_INIT_GLOROT_NORMAL, 10, 30, sqrt (2.0 / 40));
}

static void
test_he_uniform (void)
{
  check_uniform (LL_INIT_HE_UNIFORM, 784, 128, sqrt (6.0 / 784));
  check_uniform (LL_INIT_HE_UNIFORM, 27, 800, sqrt (6.0 / 27));
}

static void
test_he_normal (void)
{
  check_scaled_truncated (LL_INIT_HE_NORMAL, 784, 128, sqrt (2.0 / 784));
  check_scaled_truncated (LL_INIT_HE_NORMAL, 27, 800, sqrt (2.0 / 27));
}

static void
test_lecun_uniform (void)
{
  check_uniform (LL_INIT_LECUN_UNIFORM, 784, 128, sqrt (3.0 / 784));
  check_uniform (LL_INIT_LECUN_UNIFORM, 9, 1000, sqrt (3.0 / 9));
}

static void
test_lecun_normal (void)
{
  check_scaled_truncated (LL_INIT_LECUN_NORMAL, 784, 128, sqrt (1.0 / 784));
  check_scaled_truncated (LL_INIT_LECUN_NORMAL, 9, 1000, sqrt (1.0 / 9));
}

static void
test_random_normal (void)
{
  /* Not truncated: P(|w| > 2σ) = 4.55 %, variance 0.05², whatever the fans. */
  for (int f = 1; f <= 1000; f *= 1000)
    {
      Stats s = draw (LL_INIT_RANDOM_NORMAL, f, f, 0.1, NULL);
      g_assert_cmpfloat (fabs (s.mean), <, 0.0005);
      assert_rel (sqrt (s.var), 0.05, 0.01, "random_normal");
      g_assert_cmpfloat_with_epsilon (s.frac_beyond, 0.0455, 0.003);
    }
}

static void
test_random_uniform (void)
{
  for (int f = 1; f <= 1000; f *= 1000)
    check_uniform (LL_INIT_RANDOM_UNIFORM, f, f, 0.05);
}

static void
test_truncated_normal (void)
{
  /* stddev 0.05 before truncation, cut at ±0.1: what remains has stddev
   * 0.05 · 0.8796 (Keras' TruncatedNormal does not rescale). */
  for (int f = 1; f <= 1000; f *= 1000)
    {
      Stats s = draw (LL_INIT_TRUNCATED_NORMAL, f, f, 0.1, NULL);
      g_assert_cmpfloat (s.max_abs, <=, 0.1 + 1e-7);
      g_assert_cmpfloat (s.max_abs, >, 0.099);
      g_assert_cmpfloat (s.frac_beyond, ==, 0.0);
      assert_rel (sqrt (s.var), 0.05 * TRUNC_STD, 0.01, "truncated_normal");
    }
}

/* The same seed gives the same draw, another seed another draw. */
static void
test_fill_seeded (void)
{
  for (int kind = LL_INIT_RANDOM_NORMAL; kind < LL_N_INITS; kind++)
    {
      float a[256], b[256], c[256];
      LlRng r1, r2, r3;
      int same = 0;

      ll_rng_seed (&r1, 77);
      ll_rng_seed (&r2, 77);
      ll_rng_seed (&r3, 78);
      ll_init_fill (kind, 0, 16, 16, &r1, a, 256);
      ll_init_fill (kind, 0, 16, 16, &r2, b, 256);
      ll_init_fill (kind, 0, 16, 16, &r3, c, 256);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      for (int i = 0; i < 256; i++)
        same += a[i] == c[i];
      g_assert_cmpint (same, <, 3);
    }
}

static LlArch *
mlp_arch (LlInit kernel_init, LlInit bias_init)
{
  LlArch *arch = ll_arch_new ();
  LlLayerSpec spec;

  ll_layer_spec_init (&spec, &ll_layer_input);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_true (ll_layer_spec_set (&spec, "units", 128, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "kernel_initializer", ll_init_names[kernel_init], NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "bias_initializer", ll_init_names[bias_init], NULL));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_true (ll_layer_spec_set (&spec, "units", 10, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "softmax", NULL));
  ll_arch_append (arch, &spec);
  return arch;
}

static void
test_model_init (void)
{
  g_autoptr(LlArch) arch = mlp_arch (LL_INIT_GLOROT_UNIFORM, LL_INIT_ZEROS);
  g_autoptr(LlModel) a = ll_model_new (arch, NULL);
  g_autoptr(LlModel) b = ll_model_new (arch, NULL);
  gsize n;
  int same = 0;
  LlWeightView views[LL_MAX_WEIGHTS];

  g_assert_nonnull (a);
  n = ll_model_n_trainable (a);
  g_assert_cmpuint (n, ==, 101770);

  ll_model_init_weights (a, 42);
  ll_model_init_weights (b, 42);
  g_assert_cmpmem (ll_model_params (a), n * sizeof (float), ll_model_params (b), n * sizeof (float));

  ll_model_init_weights (b, 43);
  for (gsize i = 0; i < n; i++)
    same += ll_model_params (a)[i] == ll_model_params (b)[i] && ll_model_params (a)[i] != 0.0f;
  g_assert_cmpint (same, <, 10);

  /* Re-initialising with the first seed brings back the same weights. */
  ll_model_init_weights (b, 42);
  g_assert_cmpmem (ll_model_params (a), n * sizeof (float), ll_model_params (b), n * sizeof (float));

  /* Each layer drew with its own fans: kernel 784×128 glorot, bias zeros. */
  g_assert_cmpint (ll_model_layer_weights (a, 2, views), ==, 2);
  g_assert_cmpstr (views[0].info->name, ==, "kernel");
  g_assert_cmpint (views[0].info->fan_in, ==, 784);
  g_assert_cmpint (views[0].info->fan_out, ==, 128);
  {
    double limit = sqrt (6.0 / (784 + 128));
    Stats s = stats_of (views[0].data, 784 * 128, limit);
    g_assert_cmpfloat (s.max_abs, <=, limit * (1 + 1e-6));
    assert_rel (s.var, limit * limit / 3, 0.03, "dense kernel");
  }
  for (int u = 0; u < 128; u++)
    g_assert_cmpfloat (views[1].data[u], ==, 0.0f);
  g_assert_cmpint (ll_model_layer_weights (a, 3, views), ==, 2);
  {
    double limit = sqrt (6.0 / (128 + 10));
    Stats s = stats_of (views[0].data, 128 * 10, limit);
    g_assert_cmpfloat (s.max_abs, <=, limit * (1 + 1e-6));
    g_assert_cmpfloat (s.max_abs, >, 0.9 * limit);
  }
}

/* The initializer chosen in the layer's spec is the one used. */
static void
test_model_init_choice (void)
{
  g_autoptr(LlArch) arch = mlp_arch (LL_INIT_HE_NORMAL, LL_INIT_ONES);
  g_autoptr(LlModel) model = ll_model_new (arch, NULL);
  LlWeightView views[LL_MAX_WEIGHTS];
  double std = sqrt (2.0 / 784);
  Stats s;

  ll_model_init_weights (model, 3);
  ll_model_layer_weights (model, 2, views);
  s = stats_of (views[0].data, 784 * 128, 2 * std / TRUNC_STD);
  g_assert_cmpfloat (s.frac_beyond, ==, 0.0);
  assert_rel (sqrt (s.var), std, 0.02, "he_normal kernel in a model");
  for (int u = 0; u < 128; u++)
    g_assert_cmpfloat (views[1].data[u], ==, 1.0f);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/init/names", test_names);
  g_test_add_func ("/engine/init/constants", test_constants);
  g_test_add_func ("/engine/init/glorot-uniform", test_glorot_uniform);
  g_test_add_func ("/engine/init/glorot-normal", test_glorot_normal);
  g_test_add_func ("/engine/init/he-uniform", test_he_uniform);
  g_test_add_func ("/engine/init/he-normal", test_he_normal);
  g_test_add_func ("/engine/init/lecun-uniform", test_lecun_uniform);
  g_test_add_func ("/engine/init/lecun-normal", test_lecun_normal);
  g_test_add_func ("/engine/init/random-normal", test_random_normal);
  g_test_add_func ("/engine/init/random-uniform", test_random_uniform);
  g_test_add_func ("/engine/init/truncated-normal", test_truncated_normal);
  g_test_add_func ("/engine/init/fill-seeded", test_fill_seeded);
  g_test_add_func ("/engine/init/model", test_model_init);
  g_test_add_func ("/engine/init/model-choice", test_model_init_choice);
  return g_test_run ();
}
