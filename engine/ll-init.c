/* ll-init.c: Keras initializers (Keras 3 defaults and variance scaling). */
#include "ll-init.h"

#include <math.h>

const char *const ll_init_names[] = {
  "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
  "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
  "lecun_uniform", "lecun_normal", NULL
};

/* Normal truncated at two standard deviations by redrawing, as Keras does. */
static double
truncated (LlRng *rng)
{
  double v;
  do
    v = ll_rng_normal (rng);
  while (fabs (v) > 2.0);
  return v;
}

static void
fill_uniform (LlRng *rng, float *w, gsize n, double limit)
{
  for (gsize i = 0; i < n; i++)
    w[i] = (float) ((2.0 * ll_rng_uniform (rng) - 1.0) * limit);
}

static void
fill_truncated (LlRng *rng, float *w, gsize n, double stddev)
{
  for (gsize i = 0; i < n; i++)
    w[i] = (float) (truncated (rng) * stddev);
}

void
ll_init_fill (LlInit kind, double value, int fan_in, int fan_out,
              LlRng *rng, float *w, gsize n)
{
  double fin = MAX (fan_in, 1), fout = MAX (fan_out, 1);
  /* VarianceScaling with a truncated normal divides by the stddev of a
   * standard normal truncated at ±2, so that the variance is as asked. */
  const double trunc_correction = 0.87962566103423978;

  switch (kind)
    {
    case LL_INIT_ZEROS:
      for (gsize i = 0; i < n; i++)
        w[i] = 0.0f;
      break;
    case LL_INIT_ONES:
      for (gsize i = 0; i < n; i++)
        w[i] = 1.0f;
      break;
    case LL_INIT_CONSTANT:
      for (gsize i = 0; i < n; i++)
        w[i] = (float) value;
      break;
    case LL_INIT_RANDOM_NORMAL:
      for (gsize i = 0; i < n; i++)
        w[i] = (float) (0.05 * ll_rng_normal (rng));
      break;
    case LL_INIT_RANDOM_UNIFORM:
      fill_uniform (rng, w, n, 0.05);
      break;
    case LL_INIT_TRUNCATED_NORMAL:
      fill_truncated (rng, w, n, 0.05);
      break;
    case LL_INIT_GLOROT_UNIFORM:
      fill_uniform (rng, w, n, sqrt (6.0 / (fin + fout)));
      break;
    case LL_INIT_GLOROT_NORMAL:
      fill_truncated (rng, w, n, sqrt (2.0 / (fin + fout)) / trunc_correction);
      break;
    case LL_INIT_HE_UNIFORM:
      fill_uniform (rng, w, n, sqrt (6.0 / fin));
      break;
    case LL_INIT_HE_NORMAL:
      fill_truncated (rng, w, n, sqrt (2.0 / fin) / trunc_correction);
      break;
    case LL_INIT_LECUN_UNIFORM:
      fill_uniform (rng, w, n, sqrt (3.0 / fin));
      break;
    case LL_INIT_LECUN_NORMAL:
      fill_truncated (rng, w, n, sqrt (1.0 / fin) / trunc_correction);
      break;
    case LL_N_INITS:
    default:
      g_return_if_reached ();
    }
}
