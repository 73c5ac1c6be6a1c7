/* ll-landscape.h: the loss of a real model on a 2-D slice of its weight
 * space (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets").
 *
 * Two random directions around the current weights, filter-normalised:
 * each output unit's (Dense) or filter's (Conv2D) slice of a direction is
 * scaled to the norm of the same slice of the weights, so that the picture
 * does not depend on how a layer's weights happen to be scaled.  One-
 * dimensional weights (biases, batch-norm gamma/beta) get zero direction,
 * as in the paper.  The loss is evaluated on a fixed data set in evaluation
 * mode, at alpha·d1 + beta·d2 for a grid of (alpha, beta). */
#pragma once

#include "ll-dataset.h"
#include "ll-loss.h"
#include "ll-model.h"

G_BEGIN_DECLS

typedef struct _LlLandscape LlLandscape;

/* Called after each grid row with rows done and the total, on the thread
 * that evaluates. */
typedef void (*LlLandscapeProgress) (int done, int total, gpointer user_data);

/* Directions from seed around model's current trainable weights (kept as
 * the centre).  Fails with LL_ERROR_INVALID when the model has no weight
 * of rank two or more to move along. */
LlLandscape  *ll_landscape_new       (LlModel   *model,
                                      guint64    seed,
                                      GError   **error);
void          ll_landscape_free      (LlLandscape *landscape);

gsize         ll_landscape_n_params  (const LlLandscape *landscape);
/* Direction 0 or 1 (n_params floats, in the model's parameter order). */
const float  *ll_landscape_direction (const LlLandscape *landscape,
                                      int                which);
/* The centre weights. */
const float  *ll_landscape_center    (const LlLandscape *landscape);

/* Mean loss (no regularization) of model on ds at an n × n grid spanning
 * alpha, beta in [-span, span]: element [j * n + i] is at
 * alpha = -span + 2 span i / (n - 1), beta = -span + 2 span j / (n - 1).
 * model must have the architecture the landscape was made for; its
 * trainable weights are restored to the centre before returning, and it
 * is planned for batches of up to 256.  control (nullable) is read before
 * every point: once cancelled the call fails with G_IO_ERROR_CANCELLED.
 * Returns n × n doubles (g_free). */
double       *ll_landscape_evaluate  (LlLandscape        *landscape,
                                      LlModel            *model,
                                      const LlDataset    *ds,
                                      LlLossKind          loss,
                                      double              span,
                                      int                 n,
                                      LlLandscapeProgress progress,
                                      gpointer            user_data,
                                      const LlControl    *control,
                                      GError            **error);
/* Mean loss at one point (alpha, beta), weights restored afterwards. */
double        ll_landscape_loss_at   (LlLandscape     *landscape,
                                      LlModel         *model,
                                      const LlDataset *ds,
                                      LlLossKind       loss,
                                      double           alpha,
                                      double           beta,
                                      GError         **error);
/* Least-squares (alpha, beta) of weights − centre in the plane of the two
 * directions: where a snapshot of training lies on the map. */
void          ll_landscape_project   (const LlLandscape *landscape,
                                      const float       *weights,
                                      double            *alpha,
                                      double            *beta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlLandscape, ll_landscape_free)

G_END_DECLS
