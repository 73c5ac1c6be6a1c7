/* ll-init.h: Keras weight initializers. */
#pragma once

#include "ll-rng.h"

G_BEGIN_DECLS

typedef enum {
  LL_INIT_ZEROS,
  LL_INIT_ONES,
  LL_INIT_CONSTANT,
  LL_INIT_RANDOM_NORMAL,     /* mean 0, stddev 0.05 */
  LL_INIT_RANDOM_UNIFORM,    /* [-0.05, 0.05] */
  LL_INIT_TRUNCATED_NORMAL,  /* stddev 0.05, redrawn beyond 2 stddev */
  LL_INIT_GLOROT_UNIFORM,
  LL_INIT_GLOROT_NORMAL,
  LL_INIT_HE_UNIFORM,
  LL_INIT_HE_NORMAL,
  LL_INIT_LECUN_UNIFORM,
  LL_INIT_LECUN_NORMAL,
  LL_N_INITS
} LlInit;

/* Keras names, in LlInit order, NULL-terminated: "zeros", "ones", ... */
extern const char *const ll_init_names[];

/* Fills n floats. value is used by LL_INIT_CONSTANT only. */
void ll_init_fill (LlInit kind, double value, int fan_in, int fan_out,
                   LlRng *rng, float *w, gsize n);

G_END_DECLS
