/* ll-gemm.c: the engine's single matrix multiply, on OpenBLAS. */
#include "ll-gemm-private.h"

#include <cblas.h>

/* OpenBLAS exports these; declared here to avoid depending on its private header. */
extern void openblas_set_num_threads (int num_threads);
extern int  openblas_get_num_threads (void);

/* m·n·k below which a product runs on one thread (measured on the 2-core
 * development machine: 784-128-10 at batch 32, 3.2 M, is faster on one). */
#define LL_GEMM_SERIAL_MAX (8.0 * 1024 * 1024)

void
ll_gemm (gboolean trans_a, gboolean trans_b,
         int m, int n, int k,
         float alpha, const float *a, int lda,
         const float *b, int ldb,
         float beta, float *c, int ldc)
{
  int threads;

  if (m == 0 || n == 0)
    return;
  /* Small products (a Dense layer on a batch of 32) finish sooner on one
   * thread than they take to hand to a second one: below this size
   * OpenBLAS is held at one thread for the call.  The split is over rows
   * and columns, so the results do not change. */
  if ((double) m * n * k < LL_GEMM_SERIAL_MAX && (threads = openblas_get_num_threads ()) > 1)
    {
      openblas_set_num_threads (1);
      cblas_sgemm (CblasRowMajor,
                   trans_a ? CblasTrans : CblasNoTrans,
                   trans_b ? CblasTrans : CblasNoTrans,
                   m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      openblas_set_num_threads (threads);
      return;
    }
  cblas_sgemm (CblasRowMajor,
               trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
ll_gemm_reference (gboolean trans_a, gboolean trans_b,
                   int m, int n, int k,
                   float alpha, const float *a, int lda,
                   const float *b, int ldb,
                   float beta, float *c, int ldc)
{
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double acc = 0.0;
        for (int p = 0; p < k; p++)
          {
            float av = trans_a ? a[(gsize) p * lda + i] : a[(gsize) i * lda + p];
            float bv = trans_b ? b[(gsize) j * ldb + p] : b[(gsize) p * ldb + j];
            acc += (double) av * bv;
          }
        float *cp = &c[(gsize) i * ldc + j];
        *cp = (float) (alpha * acc + (beta == 0.0f ? 0.0 : (double) beta * *cp));
      }
}

void
ll_gemm_set_threads (int n_threads)
{
  if (n_threads > 0)
    openblas_set_num_threads (n_threads);
}

int
ll_gemm_get_threads (void)
{
  return openblas_get_num_threads ();
}
