/* ll-model-private.h: the model's internals that tests reach. */
#pragma once

#include "ll-model.h"

G_BEGIN_DECLS

/* One buffer an operator read: its values, or its weights. */
typedef struct {
  const float *v;
  gsize n;
} LlFloats;

/* Finite values at most this large cannot overflow a correct operator of
 * this engine (4096-wide sums of products stay far below FLT_MAX); beyond
 * it a run is diverging, and the trainer's guard reports that. */
#define LL_FINITE_BOUND 1e6

/* The check of -Ddebug_finite=true, run after every operator when the build
 * enables it: when every input is finite and within ±LL_FINITE_BOUND and
 * the output holds a NaN or an infinity, the operator has a bug (a log or
 * a division at 0, an unguarded exp): a g_critical names it, and FALSE
 * comes back.  TRUE otherwise, including for a diverging run's huge or
 * non-finite inputs. */
gboolean ll_model_check_finite (const char *pass, const char *op_name, int layer,
                                const LlFloats *inputs, int n_inputs,
                                const float *out, gsize n_out);

G_END_DECLS
