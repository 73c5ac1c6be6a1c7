/* ll-model.h: a built model: ops, one flat buffer of trainable parameters,
 * one of their gradients, one of non-trainable state (batch-norm moving
 * statistics), and activation buffers planned for a maximum batch. */
#pragma once

#include "ll-arch.h"
#include "ll-loss.h"
#include "ll-rng.h"

G_BEGIN_DECLS

typedef struct _LlModel LlModel;

/* A view of one weight tensor of one layer. */
typedef struct {
  const LlWeightInfo *info;
  float *data;                    /* in params (trainable) or state */
  float *grad;                    /* NULL for non-trainable */
} LlWeightView;

/* Validates the architecture and allocates the parameters (all zero until
 * ll_model_init_weights).  Fails with LL_ERROR_SHAPE naming the layer. */
LlModel      *ll_model_new              (const LlArch *arch, GError **error);
void          ll_model_free             (LlModel *model);
/* An independent copy (architecture, weights, state), e.g. for inference
 * on another thread while this one trains. */
LlModel      *ll_model_copy             (const LlModel *model);
/* Copies weights and state from src, which must have the same architecture. */
void          ll_model_copy_weights     (LlModel *dst, const LlModel *src);

const LlArch *ll_model_get_arch         (const LlModel *model);
int           ll_model_n_layers         (const LlModel *model);
LlShape       ll_model_layer_shape      (const LlModel *model, int layer);
LlShape       ll_model_input_shape      (const LlModel *model);
LlShape       ll_model_output_shape     (const LlModel *model);

gsize         ll_model_n_trainable      (const LlModel *model);
gsize         ll_model_n_state          (const LlModel *model);
/* Parameters of one layer (trainable + non-trainable). */
gsize         ll_model_layer_n_params   (const LlModel *model, int layer);
float        *ll_model_params           (LlModel *model);
float        *ll_model_grads            (LlModel *model);
float        *ll_model_state            (LlModel *model);
/* The weights of a layer; returns their number (<= LL_MAX_WEIGHTS). */
int           ll_model_layer_weights    (LlModel *model, int layer, LlWeightView *views);

/* Keras initializers for every weight, from a seed. */
void          ll_model_init_weights     (LlModel *model, guint64 seed);

/* Prepares buffers for batches of up to max_batch samples. Checks the
 * memory estimate first and refuses with the number. */
gboolean      ll_model_plan             (LlModel *model, int max_batch, GError **error);
/* Bytes the model would need for training at this batch size. */
gsize         ll_model_estimate_bytes   (const LlArch *arch, int batch);
/* Bytes the last ll_model_plan allocated for its batch: layer outputs,
 * gradient buffers and the shared workspace (im2col chunks), of which
 * *workspace (nullable) receives the workspace's share.  0 before a plan. */
gsize         ll_model_planned_bytes    (const LlModel *model, gsize *workspace);

/* Forward pass; x is batch × input size.  Returns the final output
 * (probabilities after a softmax), valid until the next call. */
const float  *ll_model_forward          (LlModel *model, int batch, const float *x,
                                         gboolean training, LlRng *rng);
/* Output of layer i for the last forward (batch rows of its shape). */
const float  *ll_model_layer_output     (const LlModel *model, int layer);
/* The last forward's output of layer i before its activation (batch rows
 * of its shape): the output of its linear part, the input of an
 * Activation layer, the output itself for layers without an activation. */
const float  *ll_model_layer_pre_activation (const LlModel *model, int layer);
/* The batch size and mode of the last forward; FALSE before any. */
gboolean      ll_model_last_forward     (const LlModel *model, int *batch, gboolean *training);
/* Dropout layer i's mask of the last forward (batch rows of its shape:
 * 0 dropped, 1/(1 − rate) kept) when that forward was in training mode
 * with a rate above 0; NULL otherwise. */
const float  *ll_model_layer_dropout_mask (const LlModel *model, int layer);
/* The batch mean and variance per channel that BatchNormalization layer i
 * used in the last forward, when that forward was in training mode; FALSE
 * otherwise (evaluation uses the moving statistics, weights 2 and 3). */
gboolean      ll_model_layer_batch_statistics (const LlModel *model, int layer,
                                               const float **mean, const float **var);

/* Forward in training mode, loss, backward: fills the gradient buffer.
 * Returns the mean loss including regularization; *n_correct counts the
 * right predictions. */
double        ll_model_train_step       (LlModel *model, LlLossKind loss, int batch,
                                         const float *x, const gint32 *labels,
                                         LlRng *rng, int *n_correct);
/* Mean loss of the last forward's outputs (no regularization). */
double        ll_model_loss             (LlModel *model, LlLossKind loss, int batch,
                                         const gint32 *labels, int *n_correct);
/* l1/l2 penalties of all regularized weights. */
double        ll_model_regularization   (const LlModel *model);

/* Read-out for visualizers, cheap enough to run between batches.
 * Activations: every layer's output for one sample, layers in order,
 * ll_model_activations_size floats (layer i starts at the sum of the sizes
 * of layers before it). */
gsize         ll_model_activations_size (const LlModel *model);
/* Copies sample `index` of the last forward. */
void          ll_model_copy_activations (const LlModel *model, int index, float *dst);
/* Runs one input in evaluation mode (nothing learned changes) and copies
 * its activations; the model must be planned for at least one sample. */
gboolean      ll_model_probe            (LlModel *model, const float *x, float *dst, GError **error);
/* Gradient of one class's score (the logit before a final softmax or
 * sigmoid) with respect to one input, in evaluation mode: a saliency map.
 * dx has the input's size.  Overwrites the weight gradients. */
gboolean      ll_model_input_gradient   (LlModel *model, const float *x, int class_index,
                                         float *dx, GError **error);
/* Copies trainable parameters then non-trainable state (n_trainable + n_state floats). */
void          ll_model_copy_params      (const LlModel *model, float *dst);

/* Takes the layer names of arch (an architecture ll_arch_equal to the
 * model's): a rename keeps the weights. */
void          ll_model_set_layer_names  (LlModel *model, const LlArch *arch);

/* Changes the rate of Dropout layer `layer` (-1: every Dropout layer) in
 * the running model and its architecture, e.g. while it trains. */
gboolean      ll_model_set_dropout_rate (LlModel *model, int layer, double rate, GError **error);

/* Predict one or more samples (evaluation mode) into probs (batch × outputs). */
gboolean      ll_model_predict          (LlModel *model, int batch, const float *x,
                                         float *probs, GError **error);

/* The Keras summary table with totals.  Newly allocated. */
char         *ll_model_summary          (const LlModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlModel, ll_model_free)

G_END_DECLS
