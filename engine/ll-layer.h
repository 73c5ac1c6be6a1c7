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

/* LlParamSpec.flags */
enum {
  LL_PARAM_HEADLINE   = 1 << 0,    /* always on the layer's card ("Units 128") */
  LL_PARAM_POSITIONAL = 1 << 1,    /* written positionally in Keras code, in table order: Dense(128) */
  LL_PARAM_PAIR       = 1 << 2,    /* one number for both axes, written (3, 3) in Keras code */
};

typedef struct {
  const char *name;                /* Keras keyword argument: "units" */
  const char *label;               /* for people: "Units" */
  LlParamType type;
  double default_value;            /* Keras 3's default */
  double min, max;                 /* inclusive range for INT and FLOAT */
  const char *const *choices;      /* CHOICE: NULL-terminated Keras names */
  const char *tooltip;             /* what the parameter does, one or two sentences */
  guint flags;                     /* LL_PARAM_HEADLINE, … */
  const char *zero_label;          /* INT: how 0 reads when it means "the default",
                                    * N_("= pool size"); NULL: 0 is a number */
} LlParamSpec;

/* What a model is exported to.  Every layer type says, per back end,
 * whether it is supported or declined and why (LlLayerType.backends);
 * tests/test-backends.c crosses every type with every back end. */
typedef enum {
  LL_BACKEND_KERAS,                /* Keras script and weights: ll-codegen.c, ll-export-script.c */
  LL_BACKEND_PYTORCH,              /* PyTorch script and weights: ll-pytorch.c */
  LL_BACKEND_C,                    /* standalone C: ll-export-c.c */
  LL_BACKEND_ONNX,                 /* ONNX: ll-export-onnx.c */
  LL_N_BACKENDS
} LlBackend;

typedef struct {
  gboolean supported;
  const char *declined;            /* when not supported: why, naming the layer */
} LlBackendSupport;

#define LL_BACKEND_SUPPORTED { TRUE, NULL }
#define LL_BACKEND_DECLINED(why) { FALSE, why }

typedef struct _LlLayerType LlLayerType;

/* One layer as a user describes it: a type and its parameter values. */
#define LL_LAYER_NAME_MAX 48

typedef struct {
  const LlLayerType *type;
  double v[LL_MAX_LAYER_PARAMS];   /* in the order of type->params */
  char name[LL_LAYER_NAME_MAX];    /* the name the user gave, "" for Keras'
                                    * default ("dense_1", ll_arch_layer_name) */
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
  /* forward followed by the element-wise activation act into z, chunk by
   * chunk while y is still in cache (the activation op after it is then
   * skipped).  y keeps the pre-activation values.  May be NULL. */
  void     (*forward_act) (LlOp *op, const LlContext *ctx, int batch,
                           const float *x, float *y, int act, float *z);
  /* Writes the weight gradients (op->g[i], overwriting) and, if dx is not
   * NULL, the input gradient.  x and y are this op's input and output from
   * the last forward in training mode. */
  void     (*backward) (LlOp *op, const LlContext *ctx, int batch,
                        const float *x, const float *y, const float *dy, float *dx);
  /* Frees private buffers, not the op itself. May be NULL. */
  void     (*finalize) (LlOp *op);
  /* Outside training, sample i's output depends on sample i's input only
   * and the op keeps nothing per sample: forward may run on any part of a
   * batch, at x and y offset to that part. */
  gboolean per_sample;
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
  /* The back-end row: Keras, PyTorch, C, ONNX (LlBackend order). */
  LlBackendSupport backends[LL_N_BACKENDS];
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
/* FALSE for a parameter that does nothing with the others' values (the L1
 * factor while the regularizer is none or l2): editors hide it. */
gboolean    ll_layer_spec_param_applies (const LlLayerSpec *spec, int param);

/* How a spin button edits a number parameter: the digits it shows and a
 * round step (1, 2 or 5 × 10^k, at most a fifth of the range): Dropout's
 * rate shows 2 digits and steps by 0.1. */
void        ll_param_spin_format (const LlParamSpec *p, int *digits, double *step);
/* v rounded to the digits the spin button shows, within the range: the
 * value the field shows is the value the model (and its code) gets. */
double      ll_param_spin_round  (const LlParamSpec *p, double v);
/* One step up (direction > 0) or down from `from`: the next multiple of
 * the step, so 0.25 + gives 0.3, and 0.2 + gives 0.3; within the range. */
double      ll_param_spin_step   (const LlParamSpec *p, double from, int direction);

/* The activation of a layer, LL_ACT_LINEAR for layers without one. */
LlActivation ll_layer_spec_activation (const LlLayerSpec *spec);

/* The activation op; also used by the Activation layer. */
LlOp *ll_activation_op_new (LlActivation act, const LlShape *shape);
gboolean ll_op_is_activation (const LlOp *op, LlActivation *act);
/* Changes a Dropout op's rate between batches; FALSE for other ops. */
gboolean ll_op_set_dropout_rate (LlOp *op, double rate);

/* "Keras", "PyTorch", "C", "ONNX". */
const char *ll_backend_name (LlBackend backend);
/* TRUE when the back end supports the layer type; otherwise FALSE with an
 * LL_ERROR_INVALID that gives the row's reason (or says the row is empty). */
gboolean    ll_layer_type_check_backend (const LlLayerType *type, LlBackend backend, GError **error);

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
