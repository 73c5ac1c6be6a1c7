/* ll-layer.h: layer types (what a user stacks) and ops (what runs).
 *
 * A layer type is a Keras class: a table of its parameters (name, range,
 * default, tooltip) that the UI, the model file and the code generators
 * read, plus shape inference, the weights it owns and a constructor for
 * the op that computes it.  A layer with an `activation` parameter builds
 * two ops, the linear part and an activation op, so that the loss can take
 * the logits of a final softmax (the stable fused form).
 *
 * Ops have forward and backward side by side; they own their private
 * buffers (planned once for a maximum batch, never allocated in
 * forward/backward) and see their weights as views into the model's flat
 * parameter and gradient buffers. */
#pragma once

#include "ll-types.h"
#include "ll-init.h"
#include "ll-activation.h"

G_BEGIN_DECLS

#define LL_MAX_LAYER_PARAMS 16
#define LL_MAX_WEIGHTS      4

typedef enum {
  LL_PARAM_INT,
  LL_PARAM_FLOAT,
  LL_PARAM_BOOL,
  LL_PARAM_CHOICE,     /* index into choices */
} LlParamType;

typedef struct {
  const char *name;                /* Keras keyword argument: "units" */
  const char *label;               /* for people: "Units" */
  LlParamType type;
  double default_value;
  double min, max;                 /* inclusive range for INT and FLOAT */
  const char *const *choices;      /* CHOICE: NULL-terminated Keras names */
  const char *tooltip;             /* what the parameter does, one or two sentences */
} LlParamSpec;

typedef struct _LlLayerType LlLayerType;

/* One layer as a user describes it: a type and its parameter values. */
typedef struct {
  const LlLayerType *type;
  double v[LL_MAX_LAYER_PARAMS];   /* in the order of type->params */
} LlLayerSpec;

/* A weight tensor a layer owns. */
typedef struct {
  const char *name;                /* "kernel", "bias", "gamma", "moving_mean", ... */
  int rank;
  int dims[4];                     /* Keras layout: Dense (in, units), Conv2D (kh, kw, cin, filters) */
  gboolean trainable;
  LlInit init;
  double init_value;               /* LL_INIT_CONSTANT */
  int fan_in, fan_out;
  double l1, l2;                   /* regularization factors, 0 for none */
} LlWeightInfo;

static inline gsize
ll_weight_info_size (const LlWeightInfo *w)
{
  gsize n = 1;
  for (int i = 0; i < w->rank; i++)
    n *= (gsize) w->dims[i];
  return n;
}

typedef struct {
  gboolean training;               /* dropout on, batch statistics in batch norm */
  gpointer rng;                    /* LlRng *, for dropout masks */
  float *scratch;                  /* shared workspace of scratch_size floats */
  gsize scratch_size;
  gboolean record;                 /* keep what backward needs even when not training
                                    * (input gradients for saliency maps) */
} LlContext;

typedef struct _LlOp LlOp;

typedef struct {
  const char *name;
  /* Private buffers for up to max_batch samples. May be NULL. */
  gboolean (*plan)     (LlOp *op, int max_batch, GError **error);
  /* Floats of shared scratch the op needs for a batch. May be NULL. */
  gsize    (*scratch)  (const LlOp *op, int batch);
  void     (*forward)  (LlOp *op, const LlContext *ctx, int batch,
                        const float *x, float *y);
  /* Writes the weight gradients (op->g[i], overwriting) and, if dx is not
   * NULL, the input gradient.  x and y are this op's input and output from
   * the last forward in training mode. */
  void     (*backward) (LlOp *op, const LlContext *ctx, int batch,
                        const float *x, const float *y, const float *dy, float *dx);
  /* Frees private buffers, not the op itself. May be NULL. */
  void     (*finalize) (LlOp *op);
} LlOpClass;

/* Ops embed LlOp as their first member and are allocated with g_malloc0. */
struct _LlOp {
  const LlOpClass *klass;
  LlShape in, out;
  int n_weights;
  float *w[LL_MAX_WEIGHTS];        /* views into the model's flat buffers */
  float *g[LL_MAX_WEIGHTS];        /* gradient views; NULL for non-trainable */
};

struct _LlLayerType {
  const char *name;                /* Keras class name: "Dense" */
  const char *description;         /* one sentence for the palette */
  const LlParamSpec *params;
  int n_params;
  /* Output shape for input shape in, or an error that says what to change. */
  gboolean (*infer)   (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error);
  /* Fills info (at most LL_MAX_WEIGHTS) and returns the count. May be NULL. */
  int      (*weights) (const LlLayerSpec *spec, const LlShape *in, const LlShape *out,
                       LlWeightInfo *info);
  /* The op computing the layer without its activation; weights are bound
   * by the model in the order weights() lists them. */
  LlOp    *(*build)   (const LlLayerSpec *spec, const LlShape *in, const LlShape *out);
};

/* Registry of layer types, in palette order. */
const LlLayerType *const *ll_layer_types (int *n_types);
const LlLayerType        *ll_layer_type_lookup (const char *name);

/* Built-in types. */
extern const LlLayerType ll_layer_input;
extern const LlLayerType ll_layer_flatten;
extern const LlLayerType ll_layer_dense;
extern const LlLayerType ll_layer_dropout;
extern const LlLayerType ll_layer_activation;

/* Convolutional types (ll-layers-conv.c). */
extern const LlLayerType ll_layer_reshape;
extern const LlLayerType ll_layer_conv2d;
extern const LlLayerType ll_layer_max_pooling2d;
extern const LlLayerType ll_layer_average_pooling2d;
extern const LlLayerType ll_layer_global_average_pooling2d;
extern const LlLayerType ll_layer_global_max_pooling2d;
extern const LlLayerType ll_layer_batch_normalization;

void        ll_layer_spec_init  (LlLayerSpec *spec, const LlLayerType *type);
int         ll_layer_param_index (const LlLayerType *type, const char *name);
/* Value of a parameter by name; the default if the type has no such parameter. */
double      ll_layer_spec_get   (const LlLayerSpec *spec, const char *name, double fallback);
/* Sets a parameter, checking its range. */
gboolean    ll_layer_spec_set   (LlLayerSpec *spec, const char *name, double value, GError **error);
/* Choice parameters: the Keras name of the current value. */
const char *ll_layer_spec_get_choice (const LlLayerSpec *spec, const char *name);
gboolean    ll_layer_spec_set_choice (LlLayerSpec *spec, const char *name, const char *choice,
                                      GError **error);
/* The activation of a layer, LL_ACT_LINEAR for layers without one. */
LlActivation ll_layer_spec_activation (const LlLayerSpec *spec);

/* The activation op; also used by the Activation layer. */
LlOp *ll_activation_op_new (LlActivation act, const LlShape *shape);
gboolean ll_op_is_activation (const LlOp *op, LlActivation *act);
/* Changes a Dropout op's rate between batches; FALSE for other ops. */
gboolean ll_op_set_dropout_rate (LlOp *op, double rate);

/* The Dropout mask of the op's last training forward: per value 0 (dropped)
 * or 1/(1 − rate) (kept), batch rows of the input's size; *rate (nullable)
 * receives the rate.  NULL for other ops. */
const float *ll_op_dropout_mask (const LlOp *op, float *rate);
/* The batch mean and (biased) variance per channel that a
 * BatchNormalization op normalized its last training forward with; FALSE
 * for other ops or before any training forward. */
gboolean ll_op_batch_norm_statistics (const LlOp *op, const float **mean, const float **var);

/* A window sliding along one axis of an image (Conv2D, pooling), placed
 * as Keras/TensorFlow place it: "valid" keeps it inside the n cells,
 * "same" pads the shortfall with zeros, half before and the odd one
 * after, so that out = ⌈n / s⌉.  In both cases
 * out = ⌊(n + pad_before + pad_after − k) / s⌋ + 1. */
typedef struct {
  int n;                           /* input cells */
  int k;                           /* window size */
  int s;                           /* stride */
  gboolean same;
  int pad_before, pad_after;       /* zeros added ("same" only) */
  int out;                         /* output cells; 0 when a "valid" window does not fit */
  int unused;                      /* cells after the last window that no window reads */
} LlWindowAxis;

void     ll_window_axis_init   (LlWindowAxis *axis, int n, int k, int s, gboolean same);
/* The window of a Conv2D or (Max/Average)Pooling2D layer over its image
 * input, per axis (rows, columns), exactly as the op slides it; FALSE for
 * other layers or a flat input. */
gboolean ll_layer_spec_window  (const LlLayerSpec *spec, const LlShape *in, LlWindowAxis axes[2]);

/* Shared parameter tables, reused by Dense and Conv2D. */
extern const char *const ll_regularizer_names[];   /* "none", "l1", "l2", "l1_l2" */

G_END_DECLS
