/* ll-gemm.h: the one matrix multiply of the engine.
 *
 * C = alpha * op(A) · op(B) + beta * C, row-major, as cblas_sgemm.
 * Every hot path (Dense, Conv2D via im2col) goes through ll_gemm. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void ll_gemm (gboolean trans_a, gboolean trans_b,
              int m, int n, int k,
              float alpha, const float *a, int lda,
              const float *b, int ldb,
              float beta, float *c, int ldc);

/* Threads of the engine (0: leave as it is; at first all processors).
 * OpenBLAS itself runs on one thread: large products are split over the
 * engine's threads by rows or columns (ll-parallel.h), so a product gives
 * the same floats at any thread count; layers that sum over a split batch
 * are reproducible for a fixed thread count. */
void ll_gemm_set_threads (int n_threads);
int  ll_gemm_get_threads (void);

G_END_DECLS
