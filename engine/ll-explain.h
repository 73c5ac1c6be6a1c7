/* ll-explain.h: how one number of a layer's output was made, on the real
 * numbers.
 *
 * An explanation reads the model's last forward (ll_model_forward, or
 * ll_explain_run for one input): the layer's input, its weights and its
 * output as the engine computed them.  It lists the arithmetic of one unit
 * — the window and its inputs, the weights, the products, their sum, the
 * bias, the activation — and recomputes only that unit's sum from those
 * terms, next to the engine's own value, so that a test (and a student)
 * can see that the two agree.  Nothing here is a second forward pass.
 *
 * Also the shape arithmetic of a sliding window, (H + pad − K) / S + 1 per
 * axis, and the parameter arithmetic of a layer, K·K·C_in·F + F, as the
 * Model view's cards and the explainer write them out. */
#pragma once

#include "ll-model.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  LL_EXPLAIN_INPUT,                /* the input value itself */
  LL_EXPLAIN_COPY,                 /* Flatten, Reshape: a value moved, not computed */
  LL_EXPLAIN_CONV2D,
  LL_EXPLAIN_MAX_POOL,
  LL_EXPLAIN_AVERAGE_POOL,
  LL_EXPLAIN_GLOBAL_MAX_POOL,
  LL_EXPLAIN_GLOBAL_AVERAGE_POOL,
  LL_EXPLAIN_DENSE,
  LL_EXPLAIN_BATCH_NORM,
  LL_EXPLAIN_DROPOUT,
  LL_EXPLAIN_ACTIVATION,           /* an Activation layer */
} LlExplainKind;

/* The softmax a unit's value came from: the logits of its group (a
 * vector, or the channels of one pixel), their exponentials, their sum
 * and each one's share. */
typedef struct {
  int n;                           /* logits in the group */
  int index;                       /* this unit's place in the group */
  float *logits;                   /* the engine's values before the softmax */
  double *exps;                    /* exp (logit − shift) */
  double shift;                    /* 0, or the largest logit when exp would overflow */
  double exp_sum;
  double *shares;                  /* exps / exp_sum */
} LlExplainSoftmax;

typedef struct {
  LlExplainKind kind;
  int layer;
  char *layer_name;                /* "conv2d_1", as the summary names it */
  const LlLayerType *type;
  int sample;                      /* row of the forward's batch */
  gboolean training;               /* that forward was in training mode */
  LlShape in_shape, out_shape;
  int unit[3];                     /* (y, x, c) of an image, (i) of a vector */
  int unit_rank;
  gsize out_index;                 /* flat index of the unit in the layer's output */
  char *param_formula;             /* ll_layer_param_formula of the layer, or NULL */
  const char *param_symbols;
  gsize n_params;

  /* Sliding window (Conv2D, pooling): per spatial axis (rows, columns) the
   * input range [start, stop) in input coordinates, padding included:
   * start < 0 or stop > n where zeros are added.  The next window along
   * an axis starts at start + axes[i].s. */
  gboolean has_window;
  LlWindowAxis axes[2];
  int start[2], stop[2];

  /* The terms, in kernel order (ky, kx, c_in) for Conv2D, (ky, kx) of the
   * unit's channel for pooling, input order for Dense, (y, x) of the
   * channel for global pooling. */
  int n_terms;
  float *inputs;                   /* 0 where padding */
  gint32 *input_index;             /* flat index into the layer's input (one sample); −1: padding */
  float *weights;                  /* Conv2D and Dense; NULL otherwise */
  double *products;                /* inputs · weights; NULL without weights */
  double sum;                      /* Σ products; Σ inputs for average pooling */
  int n_counted;                   /* average pooling: real cells (padding is not counted) */
  int winner;                      /* max pooling: the term that won (the first maximum); −1 */
  int *order;                      /* Dense: terms by |product|, largest first; NULL otherwise */
  LlShape weights_image;           /* Dense on the flattened input image: the image's
                                    * shape (weights drawn as a picture); rank 0 if not */

  gboolean has_bias;
  float bias;

  /* BatchNormalization (per channel, the last axis). */
  float x;                         /* also Dropout, Activation, Copy: the input value */
  float mean, var, epsilon;        /* the batch's in training mode, the moving ones otherwise */
  gboolean has_gamma, has_beta;
  float gamma, beta;               /* 1 and 0 when absent */
  double normalized;               /* (x − mean) / √(var + ε) */

  /* Dropout. */
  float rate;
  gboolean kept;                   /* always TRUE outside training mode */
  float mask;                      /* the recorded factor: 0 or 1/(1 − rate); 1 when off */

  /* The result: pre_activation is the sum + bias (Conv2D, Dense), the
   * maximum or average (pooling), the batch-norm formula, x · mask
   * (dropout), the input (Activation, Copy); value is the activation of
   * it, or for softmax this unit's share. */
  double pre_activation;
  LlActivation activation;
  LlExplainSoftmax *softmax;       /* when the activation is softmax */
  double value;
  /* The engine's numbers at this unit, to compare with. */
  float engine_pre_activation;
  float engine_value;
} LlExplanation;

/* Explains unit `unit` (unit_rank values: y, x, c for an image output, i
 * for a vector) of layer `layer` for row `sample` of the model's last
 * forward.  Errors (LL_ERROR_INVALID) for a layer, unit or sample out of
 * range or a model that has not run. */
LlExplanation *ll_explain_unit     (const LlModel *model, int sample, int layer,
                                    const int *unit, int unit_rank, GError **error);
/* Runs x (one input) in evaluation mode, then explains its unit. */
LlExplanation *ll_explain_run      (LlModel *model, const float *x, int layer,
                                    const int *unit, int unit_rank, GError **error);
void           ll_explanation_free (LlExplanation *e);

/* The largest difference between the explanation's own arithmetic and
 * the engine's numbers (pre-activation and value), relative to 1 or to
 * the engine's value when that is larger. */
double         ll_explanation_discrepancy (const LlExplanation *e);

/* One JSON object (keys in English, as `layerlab explain --json` prints
 * them): layer, type, unit, mode, window, inputs, weights, products,
 * sum, bias, pre_activation, activation, value, engine, and per kind the
 * rest (see the command's documentation in app/ll-cli-explain.c). */
JsonNode      *ll_explanation_to_json (const LlExplanation *e);

const char    *ll_explain_kind_name (LlExplainKind kind);

/* Shape arithmetic of one axis with the numbers: "(28 − 5) / 1 + 1 = 24",
 * "(28 + 2 − 3) / 1 + 1 = 28" with "same" padding, "⌊(28 − 3) / 2⌋ + 1 =
 * 13" when the division is not exact.  Newly allocated. */
char          *ll_window_axis_formula  (const LlWindowAxis *axis);
/* The same in letters: "(H − K) / S + 1", "(H + P − K) / S + 1" (axis 0:
 * H, axis 1: W).  Static. */
const char    *ll_window_axis_symbols  (const LlWindowAxis *axis, int axis_index);

/* Parameter arithmetic of a layer on input `in` with output `out`:
 * "5·5·1·3 + 3 = 78" (Conv2D), "784·128 + 128 = 100,480" (Dense),
 * "4·32 = 128" (BatchNormalization); *symbols (nullable) receives the
 * letters ("K·K·C_in·F + F"), *total the count.  NULL (and 0) for layers
 * without weights.  Computed from the layer's parameters and shapes by the
 * formula, not read from the model. */
char          *ll_layer_param_formula  (const LlLayerSpec *spec, const LlShape *in,
                                        const LlShape *out, const char **symbols, gsize *total);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlExplanation, ll_explanation_free)

G_END_DECLS
