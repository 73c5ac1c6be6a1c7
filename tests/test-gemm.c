/* test-gemm.c: ll_gemm (OpenBLAS) against the plain-loop reference, for
 * every transpose combination, odd sizes, alpha/beta and padded rows; and
 * the reference itself against products worked out by hand. */
#include <math.h>

#include "ll-gemm-private.h"
#include "ll-test-util.h"

/* Compares ll_gemm with ll_gemm_reference on one case.  The leading
 * dimensions exceed the stored widths by pad; the padding is filled with
 * values that would show up in C if either function read it, and C's
 * padding must come back untouched. */
static void
check_case (gboolean ta, gboolean tb, int m, int n, int k,
            float alpha, float beta, int pad, guint64 seed)
{
  int a_rows = ta ? k : m, a_cols = ta ? m : k;
  int b_rows = tb ? n : k, b_cols = tb ? k : n;
  int lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
  g_autofree float *a = g_new (float, (gsize) a_rows * lda);
  g_autofree float *b = g_new (float, (gsize) b_rows * ldb);
  g_autofree float *c0 = g_new (float, (gsize) m * ldc);
  g_autofree float *c1 = g_new (float, (gsize) m * ldc);
  g_autofree float *c2 = g_new (float, (gsize) m * ldc);
  double max_err = 0.0, max_ref = 0.0;

  ll_test_fill_uniform (a, (gsize) a_rows * lda, -1, 1, seed);
  ll_test_fill_uniform (b, (gsize) b_rows * ldb, -1, 1, seed + 1);
  ll_test_fill_uniform (c0, (gsize) m * ldc, -1, 1, seed + 2);
  /* Poison the padding of A and B. */
  for (int r = 0; r < a_rows; r++)
    for (int j = a_cols; j < lda; j++)
      a[(gsize) r * lda + j] = 1e6f;
  for (int r = 0; r < b_rows; r++)
    for (int j = b_cols; j < ldb; j++)
      b[(gsize) r * ldb + j] = 1e6f;
  for (int r = 0; r < m; r++)
    for (int j = n; j < ldc; j++)
      c0[(gsize) r * ldc + j] = 12345.0f;
  memcpy (c1, c0, (gsize) m * ldc * sizeof (float));
  memcpy (c2, c0, (gsize) m * ldc * sizeof (float));

  ll_gemm (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c1, ldc);
  ll_gemm_reference (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc);

  for (int r = 0; r < m; r++)
    {
      for (int j = 0; j < n; j++)
        {
          gsize i = (gsize) r * ldc + j;
          max_err = MAX (max_err, fabs ((double) c1[i] - c2[i]));
          max_ref = MAX (max_ref, fabs ((double) c2[i]));
        }
      for (int j = n; j < ldc; j++)
        {
          g_assert_cmpfloat (c1[(gsize) r * ldc + j], ==, 12345.0f);
          g_assert_cmpfloat (c2[(gsize) r * ldc + j], ==, 12345.0f);
        }
    }
  /* Single-precision sums of k products of values in [-1, 1]. */
  if (max_err > 1e-5 * (k + 1) + 1e-6 * max_ref)
    g_error ("gemm %c%c m=%d n=%d k=%d alpha=%g beta=%g pad=%d: max error %g",
             ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, beta, pad, max_err);
}

static void
test_transposes (void)
{
  static const int sizes[][3] = {
    { 1, 1, 1 }, { 3, 5, 7 }, { 17, 13, 11 }, { 33, 1, 65 }, { 1, 31, 9 },
    { 64, 64, 64 }, { 127, 129, 65 }, { 10, 784, 32 },
  };
  guint64 seed = 1;

  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
        check_case (ta, tb, sizes[s][0], sizes[s][1], sizes[s][2], 1.0f, 0.0f, 0, seed++);
}

static void
test_alpha_beta (void)
{
  static const float ab[][2] = {
    { 1.0f, 1.0f }, { 0.5f, -2.0f }, { -1.5f, 0.25f }, { 0.0f, 1.0f }, { 2.0f, 0.0f },
  };
  guint64 seed = 100;

  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (gsize i = 0; i < G_N_ELEMENTS (ab); i++)
        check_case (ta, tb, 19, 23, 29, ab[i][0], ab[i][1], 0, seed++);
}

static void
test_leading_dims (void)
{
  guint64 seed = 200;

  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (int pad = 1; pad <= 7; pad += 3)
        {
          check_case (ta, tb, 13, 9, 21, 1.0f, 0.0f, pad, seed++);
          check_case (ta, tb, 40, 33, 5, 0.75f, 0.5f, pad, seed++);
        }
}

/* The reference against products done by hand, so that the comparison
 * above cannot pass with both wrong the same way. */
static void
test_reference_by_hand (void)
{
  /* A = [1 2 3; 4 5 6] (2×3), B = [1 0; 0 1; 1 1] (3×2): A·B = [4 5; 10 11] */
  const float a[6] = { 1, 2, 3, 4, 5, 6 };
  const float b[6] = { 1, 0, 0, 1, 1, 1 };
  const float at[6] = { 1, 4, 2, 5, 3, 6 };      /* A^T stored, 3×2 */
  const float bt[6] = { 1, 0, 1, 0, 1, 1 };      /* B^T stored, 2×3 */
  const float expect[4] = { 4, 5, 10, 11 };

  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (int blas = 0; blas < 2; blas++)
        {
          float c[4] = { 1, 1, 1, 1 };
          const float *pa = ta ? at : a, *pb = tb ? bt : b;
          int lda = ta ? 2 : 3, ldb = tb ? 3 : 2;
          /* C = 2·A·B − 1·C */
          if (blas)
            ll_gemm (ta, tb, 2, 2, 3, 2.0f, pa, lda, pb, ldb, -1.0f, c, 2);
          else
            ll_gemm_reference (ta, tb, 2, 2, 3, 2.0f, pa, lda, pb, ldb, -1.0f, c, 2);
          for (int i = 0; i < 4; i++)
            g_assert_cmpfloat (c[i], ==, 2 * expect[i] - 1);
        }

  /* beta = 0 overwrites C even where it held NaN, as BLAS does. */
  {
    float c[4] = { NAN, NAN, NAN, NAN };
    ll_gemm_reference (FALSE, FALSE, 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2);
    for (int i = 0; i < 4; i++)
      g_assert_cmpfloat (c[i], ==, expect[i]);
  }
  /* m or n of zero is a no-op. */
  {
    float c = 7;
    ll_gemm (FALSE, FALSE, 0, 1, 3, 1.0f, a, 3, b, 2, 0.0f, &c, 1);
    ll_gemm (FALSE, FALSE, 1, 0, 3, 1.0f, a, 3, b, 2, 0.0f, &c, 1);
    g_assert_cmpfloat (c, ==, 7);
  }
}

static void
test_threads (void)
{
  int before = ll_gemm_get_threads ();

  g_assert_cmpint (before, >=, 1);
  ll_gemm_set_threads (1);
  g_assert_cmpint (ll_gemm_get_threads (), ==, 1);
  check_case (FALSE, TRUE, 70, 90, 110, 1.0f, 0.0f, 0, 300);
  ll_gemm_set_threads (0);         /* 0 leaves it alone */
  g_assert_cmpint (ll_gemm_get_threads (), ==, 1);
  ll_gemm_set_threads (before);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/gemm/transposes", test_transposes);
  g_test_add_func ("/engine/gemm/alpha-beta", test_alpha_beta);
  g_test_add_func ("/engine/gemm/leading-dims", test_leading_dims);
  g_test_add_func ("/engine/gemm/reference-by-hand", test_reference_by_hand);
  g_test_add_func ("/engine/gemm/threads", test_threads);
  return g_test_run ();
}
