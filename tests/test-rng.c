/* test-rng.c: the seeded generator behind weights, dropout masks and
 * shuffles: reproducible for a seed, and with the distributions it claims. */
#include <math.h>
#include <stdlib.h>

#include "ll-rng.h"

#define N_SAMPLES 200000

static void
test_same_seed (void)
{
  LlRng a, b;

  ll_rng_seed (&a, 42);
  ll_rng_seed (&b, 42);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (ll_rng_next (&a), ==, ll_rng_next (&b));
  /* Normals come in pairs: the spare must be reset by seeding too. */
  ll_rng_seed (&a, 7);
  (void) ll_rng_normal (&a);
  ll_rng_seed (&a, 42);
  ll_rng_seed (&b, 42);
  for (int i = 0; i < 101; i++)
    g_assert_cmpfloat (ll_rng_normal (&a), ==, ll_rng_normal (&b));
}

static void
test_different_seeds (void)
{
  LlRng a, b;
  int same = 0;

  ll_rng_seed (&a, 1);
  ll_rng_seed (&b, 2);
  for (int i = 0; i < 1000; i++)
    same += ll_rng_next (&a) == ll_rng_next (&b);
  g_assert_cmpint (same, ==, 0);

  /* Seed 0 must not give the all-zero state xoshiro is stuck in. */
  ll_rng_seed (&a, 0);
  same = 0;
  for (int i = 0; i < 100; i++)
    same += ll_rng_next (&a) == 0;
  g_assert_cmpint (same, <, 2);
}

static void
test_uniform (void)
{
  LlRng rng;
  double sum = 0.0, sum2 = 0.0;
  int buckets[10] = { 0 };

  ll_rng_seed (&rng, 123);
  for (int i = 0; i < N_SAMPLES; i++)
    {
      double u = ll_rng_uniform (&rng);
      g_assert_cmpfloat (u, >=, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      sum += u;
      sum2 += u * u;
      buckets[(int) (u * 10)]++;
    }
  /* mean 1/2, variance 1/12; standard error of the mean ≈ 0.00065 */
  g_assert_cmpfloat_with_epsilon (sum / N_SAMPLES, 0.5, 0.004);
  g_assert_cmpfloat_with_epsilon (sum2 / N_SAMPLES - (sum / N_SAMPLES) * (sum / N_SAMPLES),
                                  1.0 / 12.0, 0.002);
  for (int b = 0; b < 10; b++)
    g_assert_cmpint (abs (buckets[b] - N_SAMPLES / 10), <, N_SAMPLES / 100);
}

static void
test_normal (void)
{
  LlRng rng;
  double sum = 0.0, sum2 = 0.0, sum3 = 0.0, sum4 = 0.0;
  int beyond_2 = 0;

  ll_rng_seed (&rng, 99);
  for (int i = 0; i < N_SAMPLES; i++)
    {
      double v = ll_rng_normal (&rng);
      g_assert_true (isfinite (v));
      sum += v;
      sum2 += v * v;
      sum3 += v * v * v;
      sum4 += v * v * v * v;
      beyond_2 += fabs (v) > 2.0;
    }
  g_assert_cmpfloat_with_epsilon (sum / N_SAMPLES, 0.0, 0.01);
  g_assert_cmpfloat_with_epsilon (sum2 / N_SAMPLES, 1.0, 0.015);
  g_assert_cmpfloat_with_epsilon (sum3 / N_SAMPLES, 0.0, 0.03);
  /* kurtosis 3, and P(|v| > 2) = 4.55 % for a normal (not for a uniform
   * or a triangle with the same variance) */
  g_assert_cmpfloat_with_epsilon (sum4 / N_SAMPLES, 3.0, 0.08);
  g_assert_cmpfloat_with_epsilon ((double) beyond_2 / N_SAMPLES, 0.0455, 0.003);
}

static void
test_below (void)
{
  static const guint32 ns[] = { 1, 2, 3, 7, 10, 1000, 4000000000u };
  LlRng rng;

  ll_rng_seed (&rng, 5);
  for (gsize k = 0; k < G_N_ELEMENTS (ns); k++)
    {
      guint32 n = ns[k], max_seen = 0;
      for (int i = 0; i < 20000; i++)
        {
          guint32 v = ll_rng_below (&rng, n);
          g_assert_cmpuint (v, <, n);
          max_seen = MAX (max_seen, v);
        }
      /* The top of the range is reached too (for the small n). */
      if (n <= 1000)
        g_assert_cmpuint (max_seen, ==, n - 1);
    }

  /* Every value of a small range about equally often. */
  {
    int counts[7] = { 0 };
    for (int i = 0; i < 70000; i++)
      counts[ll_rng_below (&rng, 7)]++;
    for (int v = 0; v < 7; v++)
      g_assert_cmpint (abs (counts[v] - 10000), <, 500);
  }
}

static void
test_shuffle (void)
{
  enum { N = 1000 };
  LlRng rng;
  guint32 v[N];
  gboolean seen[N] = { FALSE };
  int fixed = 0, first_pos[4] = { 0 };

  ll_rng_seed (&rng, 11);
  for (int i = 0; i < N; i++)
    v[i] = (guint32) i;
  ll_rng_shuffle (&rng, v, N);
  for (int i = 0; i < N; i++)
    {
      g_assert_cmpuint (v[i], <, N);
      g_assert_false (seen[v[i]]);
      seen[v[i]] = TRUE;
      fixed += v[i] == (guint32) i;
    }
  /* A random permutation has about one fixed point. */
  g_assert_cmpint (fixed, <, 10);

  /* Where element 0 of a 4-array ends up: uniform over the 4 places. */
  for (int t = 0; t < 40000; t++)
    {
      guint32 w[4] = { 0, 1, 2, 3 };
      ll_rng_shuffle (&rng, w, 4);
      for (int i = 0; i < 4; i++)
        if (w[i] == 0)
          first_pos[i]++;
    }
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (abs (first_pos[i] - 10000), <, 500);

  /* n = 0 and 1 leave the array alone. */
  {
    guint32 one = 17;
    ll_rng_shuffle (&rng, &one, 1);
    g_assert_cmpuint (one, ==, 17);
    ll_rng_shuffle (&rng, NULL, 0);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/rng/same-seed", test_same_seed);
  g_test_add_func ("/engine/rng/different-seeds", test_different_seeds);
  g_test_add_func ("/engine/rng/uniform", test_uniform);
  g_test_add_func ("/engine/rng/normal", test_normal);
  g_test_add_func ("/engine/rng/below", test_below);
  g_test_add_func ("/engine/rng/shuffle", test_shuffle);
  return g_test_run ();
}
