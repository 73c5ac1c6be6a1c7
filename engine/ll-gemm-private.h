/* ll-gemm-private.h: the reference product the tests compare ll_gemm with. */
#pragma once

#include "ll-gemm.h"

G_BEGIN_DECLS

/* The same product as ll_gemm with plain loops. */
void ll_gemm_reference (gboolean trans_a, gboolean trans_b,
                        int m, int n, int k,
                        float alpha, const float *a, int lda,
                        const float *b, int ldb,
                        float beta, float *c, int ldc);

G_END_DECLS
