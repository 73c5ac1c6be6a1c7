/* ll-memory-plan.h: how much memory a model needs, planned from its
 * architecture before anything is allocated.
 *
 * The plan counts every buffer training holds at once: the weights and the
 * non-trainable state (batch-norm moving statistics), one gradient per
 * weight, the optimizer's slots (Adam's two moments, AMSGrad's maximum …),
 * the activations of a batch (forward outputs, the two backward buffers,
 * the loss gradient) and the convolutions' workspace.  It is compared with
 * a limit derived from the machine's memory (ll_memory_limit), so that an
 * architecture of 2^31 weights is refused with a message that says how
 * much it would need, instead of aborting in an allocation.  Sizes are
 * summed in double precision: absurd layer sizes cannot overflow. */
#pragma once

#include "ll-arch.h"
#include "ll-optim.h"

G_BEGIN_DECLS

typedef struct {
  double n_params;      /* trainable weights */
  double n_state;       /* non-trainable values (moving statistics) */
  int    batch;         /* the batch the activations are planned for; 0: none */
  /* Bytes: */
  double weights;       /* n_params + n_state floats */
  double gradients;     /* n_params floats */
  double optimizer;     /* the optimizer's slots */
  double activations;   /* a batch's forward and backward buffers */
  double workspace;     /* the convolutions' im2col buffers */
  double total;
} LlMemoryPlan;

/* Plans arch (it must have valid shapes: LL_ERROR_SHAPE otherwise).  optim
 * NULL: the optimizer with the most state (any optimizer can be chosen
 * later).  batch 0: no activations (a model loaded to be saved or looked
 * at still holds weights, gradients and optimizer state). */
gboolean ll_memory_plan_arch     (const LlArch        *arch,
                                  const LlOptimConfig *optim,
                                  int                  batch,
                                  LlMemoryPlan        *plan,
                                  GError             **error);

/* The most memory one model may plan for (bytes): 3/4 of the memory of
 * the machine (or of its cgroup's limit, when lower), at most 64 GiB. */
guint64  ll_memory_limit         (void);

/* TRUE when plan->total fits ll_memory_limit(); LL_ERROR_MEMORY saying how
 * much is needed, what for and what to change otherwise. */
gboolean ll_memory_plan_check    (const LlMemoryPlan  *plan,
                                  GError             **error);

/* ll_memory_plan_arch + ll_memory_plan_check. */
gboolean ll_memory_plan_fits     (const LlArch        *arch,
                                  const LlOptimConfig *optim,
                                  int                  batch,
                                  GError             **error);

/* "1.2 GiB" style text of a byte count. (transfer full) */
char    *ll_memory_format        (double               bytes);

/* The Keras-style summary of arch (layers, output shapes, parameter
 * counts) computed from the architecture alone: no weights are allocated.
 * NULL with an error when its shapes do not fit.  (transfer full) */
char    *ll_arch_summary         (const LlArch        *arch,
                                  GError             **error);

G_END_DECLS
