/* ll-gemm.c: the engine's single matrix multiply, on OpenBLAS. */
#include "ll-gemm-private.h"
#include "ll-parallel.h"

#include <cblas.h>

/* OpenBLAS exports these; declared here to avoid depending on its private header. */
extern void openblas_set_num_threads (int num_threads);

/* m·n·k below which a product runs on one thread (measured on the 2-core
 * development machine: 784-128-10 at batch 32, 3.2 M, is faster on one). */
#define LL_GEMM_SERIAL_MAX (8.0 * 1024 * 1024)

static void
sgemm (gboolean trans_a, gboolean trans_b, int m, int n, int k,
       float alpha, const float *a, int lda, const float *b, int ldb,
       float beta, float *c, int ldc)
{
  cblas_sgemm (CblasRowMajor,
               trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

typedef struct {
  gboolean trans_a, trans_b, by_rows;
  int m, n, k;
  float alpha, beta;
  const float *a, *b;
  int lda, ldb, ldc;
  float *c;
} GemmJob;

/* Task i of n: a block of rows (or columns) of C.  Every element of C is
 * the same dot product whatever the split, so results do not depend on the
 * thread count. */
static void
gemm_task (int i, int n_tasks, gpointer data)
{
  const GemmJob *j = data;

  if (j->by_rows)
    {
      /* Blocks of 16 rows, the kernels' unit. */
      int units = (j->m + 15) / 16;
      int r0 = MIN (j->m, units * i / n_tasks * 16), r1 = MIN (j->m, units * (i + 1) / n_tasks * 16);
      if (r1 > r0)
        sgemm (j->trans_a, j->trans_b, r1 - r0, j->n, j->k, j->alpha,
               j->trans_a ? j->a + r0 : j->a + (gsize) r0 * j->lda, j->lda,
               j->b, j->ldb, j->beta, j->c + (gsize) r0 * j->ldc, j->ldc);
    }
  else
    {
      int units = (j->n + 15) / 16;
      int c0 = MIN (j->n, units * i / n_tasks * 16), c1 = MIN (j->n, units * (i + 1) / n_tasks * 16);
      if (c1 > c0)
        sgemm (j->trans_a, j->trans_b, j->m, c1 - c0, j->k, j->alpha, j->a, j->lda,
               j->trans_b ? j->b + (gsize) c0 * j->ldb : j->b + c0, j->ldb,
               j->beta, j->c + c0, j->ldc);
    }
}

static void
blas_single_thread (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&once, 1);
    }
}

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
  blas_single_thread ();
  /* Small products (a Dense layer on a batch of 32) finish sooner on one
   * thread than they take to hand to a second one. */
  threads = (double) m * n * k < LL_GEMM_SERIAL_MAX ? 1 : ll_parallel_threads ();
  if (threads > 1 && (m >= 32 * threads || n >= 32 * threads))
    {
      GemmJob job = { trans_a, trans_b, m >= n, m, n, k, alpha, beta, a, b, lda, ldb, ldc, c };
      ll_parallel_run (threads, gemm_task, &job);
      return;
    }
  sgemm (trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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
  blas_single_thread ();
  ll_parallel_set_threads (n_threads);
}

int
ll_gemm_get_threads (void)
{
  return ll_parallel_threads ();
}
