/* ll-layers-core.c: Input, Flatten, Reshape, Dense, Dropout and Activation. */
#include "ll-layer.h"
#include "ll-gemm.h"
#include "ll-rng.h"
#include <glib/gi18n-lib.h>

/* Parameter tables shared with Conv2D through the same names. */
#define PARAM_ACTIVATION(def, flags) \
  { "activation", "Activation", LL_PARAM_CHOICE, def, 0, 0, ll_activation_names, \
    "Applied to the output: relu for hidden layers, softmax for the last layer of a classifier.", flags }
#define PARAM_USE_BIAS \
  { "use_bias", "Use bias", LL_PARAM_BOOL, 1, 0, 1, NULL, \
    "Adds a learned bias to each output. Usually on; off before BatchNormalization." }
#define PARAM_KERNEL_INIT \
  { "kernel_initializer", "Kernel initializer", LL_PARAM_CHOICE, LL_INIT_GLOROT_UNIFORM, 0, 0, \
    ll_init_names, "How the weights start. glorot_uniform is Keras' default; he_normal suits relu." }
#define PARAM_BIAS_INIT \
  { "bias_initializer", "Bias initializer", LL_PARAM_CHOICE, LL_INIT_ZEROS, 0, 0, ll_init_names, \
    "How the biases start; zeros is Keras' default." }
#define PARAM_REGULARIZER \
  { "kernel_regularizer", "Kernel regularizer", LL_PARAM_CHOICE, 0, 0, 0, ll_regularizer_names, \
    "Adds a penalty on the weights to the loss: l1 pushes weights to exactly zero, l2 keeps them small." }
#define PARAM_L1 \
  { "l1", "L1 factor", LL_PARAM_FLOAT, 0.01, 0, 10, NULL, \
    "Strength of the l1 penalty (Keras default 0.01)." }
#define PARAM_L2 \
  { "l2", "L2 factor", LL_PARAM_FLOAT, 0.01, 0, 10, NULL, \
    "Strength of the l2 penalty (Keras default 0.01)." }

static void
shape_error_flat (GError **error, const char *layer, const LlShape *in)
{
  g_autofree char *s = ll_shape_to_string (in);
  g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
               _("%s needs a flat input (a vector), but it gets %s. "
               "Add a Flatten or GlobalAveragePooling2D layer before it."), layer, s);
}

/* Identity op, for Input and Flatten: channels-last memory is already flat. */

static void
copy_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  if (x != y)
    memcpy (y, x, (gsize) batch * ll_shape_size (&op->in) * sizeof (float));
}

static void
copy_backward (LlOp *op, const LlContext *ctx, int batch,
               const float *x, const float *y, const float *dy, float *dx)
{
  if (dx != NULL && dx != dy)
    memcpy (dx, dy, (gsize) batch * ll_shape_size (&op->in) * sizeof (float));
}

static const LlOpClass copy_op_class = {
  .name = "copy",
  .forward = copy_forward,
  .backward = copy_backward,
  .per_sample = TRUE,
};

static LlOp *
copy_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  LlOp *op = g_new0 (LlOp, 1);
  op->klass = &copy_op_class;
  op->in = *in;
  op->out = *out;
  return op;
}

/* Input */

static const LlParamSpec input_params[] = {
  { "height", N_("Height"), LL_PARAM_INT, 28, 1, 4096, NULL, N_("Image height in pixels (28 for MNIST, 32 for CIFAR-10)."),
    LL_PARAM_HEADLINE },
  { "width", N_("Width"), LL_PARAM_INT, 28, 1, 4096, NULL, N_("Image width in pixels."), LL_PARAM_HEADLINE },
  { "channels", N_("Channels"), LL_PARAM_INT, 1, 1, 64, NULL, N_("1 for grayscale, 3 for colour (RGB)."),
    LL_PARAM_HEADLINE },
};

static gboolean
input_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  *out = ll_shape_image ((int) spec->v[0], (int) spec->v[1], (int) spec->v[2]);
  return TRUE;
}

const LlLayerType ll_layer_input = {
  .name = "Input",
  .description = N_("The images the network sees: height × width × channels."),
  .params = input_params,
  .n_params = G_N_ELEMENTS (input_params),
  .infer = input_infer,
  .build = copy_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* Flatten */

static gboolean
flatten_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  *out = ll_shape_flat ((int) ll_shape_size (in));
  return TRUE;
}

const LlLayerType ll_layer_flatten = {
  .name = "Flatten",
  .description = N_("Unrolls an image or feature maps into one long vector for Dense layers."),
  .params = NULL,
  .n_params = 0,
  .infer = flatten_infer,
  .build = copy_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* Dense: y = x · W + b, W of shape (inputs, units) as in Keras. */

static const LlParamSpec dense_params[] = {
  { "units", N_("Units"), LL_PARAM_INT, 128, 1, 65536, NULL,
    N_("Number of neurons: the size of this layer's output. 10 for the last layer of a 10-class classifier."), LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL },
  PARAM_ACTIVATION (LL_ACT_LINEAR, LL_PARAM_HEADLINE),   /* Keras 3: activation=None */
  PARAM_USE_BIAS,
  PARAM_KERNEL_INIT,
  PARAM_BIAS_INIT,
  PARAM_REGULARIZER,
  PARAM_L1,
  PARAM_L2,
};

typedef struct {
  LlOp parent;
  int n_in, units;
  gboolean use_bias;
} DenseOp;

static gboolean
dense_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  if (in->rank != 1)
    {
      shape_error_flat (error, "Dense", in);
      return FALSE;
    }
  *out = ll_shape_flat ((int) ll_layer_spec_get (spec, "units", 1));
  return TRUE;
}

/* Factors of the kernel regularizer chosen in a Dense or Conv2D spec. */
static void
regularizer_factors (const LlLayerSpec *spec, double *l1, double *l2)
{
  int kind = (int) ll_layer_spec_get (spec, "kernel_regularizer", 0);
  *l1 = (kind == 1 || kind == 3) ? ll_layer_spec_get (spec, "l1", 0) : 0.0;
  *l2 = (kind == 2 || kind == 3) ? ll_layer_spec_get (spec, "l2", 0) : 0.0;
}

static int
dense_weights (const LlLayerSpec *spec, const LlShape *in, const LlShape *out, LlWeightInfo *info)
{
  int n_in = in->d[0], units = out->d[0];
  info[0] = (LlWeightInfo) {
    .name = "kernel", .rank = 2, .dims = { n_in, units }, .trainable = TRUE,
    .init = (LlInit) (int) ll_layer_spec_get (spec, "kernel_initializer", LL_INIT_GLOROT_UNIFORM),
    .fan_in = n_in, .fan_out = units,
  };
  regularizer_factors (spec, &info[0].l1, &info[0].l2);
  if (!ll_layer_spec_get (spec, "use_bias", 1))
    return 1;
  info[1] = (LlWeightInfo) {
    .name = "bias", .rank = 1, .dims = { units }, .trainable = TRUE,
    .init = (LlInit) (int) ll_layer_spec_get (spec, "bias_initializer", LL_INIT_ZEROS),
    .fan_in = units, .fan_out = units,    /* Keras: both fans of a 1-D shape are its length */
  };
  return 2;
}

static void
dense_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  DenseOp *self = (DenseOp *) op;
  const float *w = op->w[0], *b = op->w[1];

  /* Y[B, U] = X[B, I] · W[I, U] */
  ll_gemm (FALSE, FALSE, batch, self->units, self->n_in,
           1.0f, x, self->n_in, w, self->units, 0.0f, y, self->units);
  if (self->use_bias)
    for (int r = 0; r < batch; r++)
      {
        float *yr = y + (gsize) r * self->units;
        for (int u = 0; u < self->units; u++)
          yr[u] += b[u];
      }
}

static void
dense_backward (LlOp *op, const LlContext *ctx, int batch,
                const float *x, const float *y, const float *dy, float *dx)
{
  DenseOp *self = (DenseOp *) op;

  /* dW[I, U] = X^T · dY */
  ll_gemm (TRUE, FALSE, self->n_in, self->units, batch,
           1.0f, x, self->n_in, dy, self->units, 0.0f, op->g[0], self->units);
  if (self->use_bias)
    {
      /* db[U] = Σ_rows dY */
      float *db = op->g[1];
      memset (db, 0, (gsize) self->units * sizeof (float));
      for (int r = 0; r < batch; r++)
        {
          const float *dyr = dy + (gsize) r * self->units;
          for (int u = 0; u < self->units; u++)
            db[u] += dyr[u];
        }
    }
  /* dX[B, I] = dY · W^T */
  if (dx != NULL)
    ll_gemm (FALSE, TRUE, batch, self->n_in, self->units,
             1.0f, dy, self->units, op->w[0], self->units, 0.0f, dx, self->n_in);
}

static const LlOpClass dense_op_class = {
  .name = "dense",
  .forward = dense_forward,
  .backward = dense_backward,
};

static LlOp *
dense_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  DenseOp *self = g_new0 (DenseOp, 1);
  self->parent.klass = &dense_op_class;
  self->parent.in = *in;
  self->parent.out = *out;
  self->n_in = in->d[0];
  self->units = out->d[0];
  self->use_bias = ll_layer_spec_get (spec, "use_bias", 1) != 0;
  return &self->parent;
}

const LlLayerType ll_layer_dense = {
  .name = "Dense",
  .description = N_("Fully connected: every output neuron sees every input value."),
  .params = dense_params,
  .n_params = G_N_ELEMENTS (dense_params),
  .infer = dense_infer,
  .weights = dense_weights,
  .build = dense_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* Dropout: inverted, so evaluation needs no rescaling. */

static const LlParamSpec dropout_params[] = {
  { "rate", N_("Rate"), LL_PARAM_FLOAT, 0.5, 0, 0.95, NULL,
    N_("Fraction of inputs set to zero at each training step (the rest are scaled by 1/(1−rate)). "
    "Off when evaluating and predicting."), LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL },
};

typedef struct {
  LlOp parent;
  float rate;
  float *mask;                     /* 0 or 1/(1−rate) per value of the last training batch */
  gsize mask_size;
} DropoutOp;

static gboolean
dropout_plan (LlOp *op, int max_batch, GError **error)
{
  DropoutOp *self = (DropoutOp *) op;
  gsize n = (gsize) max_batch * ll_shape_size (&op->in);

  if (n <= self->mask_size)
    return TRUE;
  g_free (self->mask);
  self->mask = ll_alloc_floats (n, _("the dropout mask"), error);
  self->mask_size = self->mask != NULL ? n : 0;
  return self->mask != NULL;
}

static void
dropout_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  DropoutOp *self = (DropoutOp *) op;
  gsize n = (gsize) batch * ll_shape_size (&op->in);
  float scale = 1.0f / (1.0f - self->rate);

  if (!ctx->training || self->rate <= 0.0f)
    {
      if (x != y)
        memcpy (y, x, n * sizeof (float));
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      self->mask[i] = ll_rng_uniform (ctx->rng) < self->rate ? 0.0f : scale;
      y[i] = x[i] * self->mask[i];
    }
}

static void
dropout_backward (LlOp *op, const LlContext *ctx, int batch,
                  const float *x, const float *y, const float *dy, float *dx)
{
  DropoutOp *self = (DropoutOp *) op;
  gsize n = (gsize) batch * ll_shape_size (&op->in);

  if (dx == NULL)
    return;
  if (self->rate <= 0.0f || !ctx->training)
    {
      memcpy (dx, dy, n * sizeof (float));
      return;
    }
  for (gsize i = 0; i < n; i++)
    dx[i] = dy[i] * self->mask[i];
}

static void
dropout_finalize (LlOp *op)
{
  g_free (((DropoutOp *) op)->mask);
}

static const LlOpClass dropout_op_class = {
  .name = "dropout",
  .plan = dropout_plan,
  .forward = dropout_forward,
  .backward = dropout_backward,
  .finalize = dropout_finalize,
  .per_sample = TRUE,
};

gboolean
ll_op_set_dropout_rate (LlOp *op, double rate)
{
  if (op->klass != &dropout_op_class)
    return FALSE;
  ((DropoutOp *) op)->rate = (float) rate;
  return TRUE;
}

const float *
ll_op_dropout_mask (const LlOp *op, float *rate)
{
  g_return_val_if_fail (op != NULL, NULL);
  if (op->klass != &dropout_op_class)
    return NULL;
  if (rate != NULL)
    *rate = ((const DropoutOp *) op)->rate;
  return ((const DropoutOp *) op)->mask;
}

static gboolean
same_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  *out = *in;
  return TRUE;
}

static LlOp *
dropout_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  DropoutOp *self = g_new0 (DropoutOp, 1);
  self->parent.klass = &dropout_op_class;
  self->parent.in = *in;
  self->parent.out = *out;
  self->rate = (float) ll_layer_spec_get (spec, "rate", 0.5);
  return &self->parent;
}

const LlLayerType ll_layer_dropout = {
  .name = "Dropout",
  .description = N_("Randomly switches off a fraction of values while training, against overfitting."),
  .params = dropout_params,
  .n_params = G_N_ELEMENTS (dropout_params),
  .infer = same_infer,
  .build = dropout_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* Activation: a layer of its own, as in Conv2D → BatchNormalization → Activation. */

static const LlParamSpec activation_params[] = {
  PARAM_ACTIVATION (LL_ACT_RELU, LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL),
};

const LlLayerType ll_layer_activation = {
  .name = "Activation",
  .description = N_("Applies a function to every value: relu, sigmoid, tanh or softmax."),
  .params = activation_params,
  .n_params = G_N_ELEMENTS (activation_params),
  .infer = same_infer,
  .build = NULL,                   /* the model appends only the activation op */
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* Reshape */

enum { RESHAPE_HEIGHT, RESHAPE_WIDTH, RESHAPE_CHANNELS };

static const LlParamSpec reshape_params[] = {
  { "height", N_("Height"), LL_PARAM_INT, 28, 1, 4096, NULL,
    N_("Height of the image the values are arranged into (28 for a flat MNIST digit of 784 values)."), LL_PARAM_HEADLINE },
  { "width", N_("Width"), LL_PARAM_INT, 28, 1, 4096, NULL,
    N_("Width of the image the values are arranged into."), LL_PARAM_HEADLINE },
  { "channels", N_("Channels"), LL_PARAM_INT, 1, 1, 4096, NULL,
    N_("Channels per pixel: 1 for grayscale, 3 for colour. height × width × channels must equal the input size."), LL_PARAM_HEADLINE },
};

static gboolean
reshape_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  int h = (int) spec->v[RESHAPE_HEIGHT], w = (int) spec->v[RESHAPE_WIDTH];
  int c = (int) spec->v[RESHAPE_CHANNELS];
  gsize n_in = ll_shape_size (in), n_out = (gsize) h * w * c;

  if (n_in != n_out)
    {
      g_autofree char *s = ll_shape_to_string (in);
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("Reshape to %d × %d × %d needs %zu values, but its input %s has %zu. Change height, width or channels so that their product is %zu."), h, w, c, n_out, s, n_in, n_in);
      return FALSE;
    }
  *out = ll_shape_image (h, w, c);
  return TRUE;
}

/* Channels-last memory is the same for both shapes: a copy each way. */
static void
reshape_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  if (x != y)
    memcpy (y, x, (gsize) batch * ll_shape_size (&op->in) * sizeof (float));
}

static void
reshape_backward (LlOp *op, const LlContext *ctx, int batch,
                  const float *x, const float *y, const float *dy, float *dx)
{
  if (dx != NULL && dx != dy)
    memcpy (dx, dy, (gsize) batch * ll_shape_size (&op->in) * sizeof (float));
}

static const LlOpClass reshape_op_class = {
  .name = "reshape",
  .forward = reshape_forward,
  .backward = reshape_backward,
  .per_sample = TRUE,
};

static LlOp *
reshape_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  LlOp *op = g_malloc0 (sizeof (LlOp));
  op->klass = &reshape_op_class;
  op->in = *in;
  op->out = *out;
  return op;
}

const LlLayerType ll_layer_reshape = {
  .name = "Reshape",
  .description = N_("Arranges a flat vector into an image (e.g. 784 → 28 × 28 × 1) for convolutions."),
  .params = reshape_params,
  .n_params = G_N_ELEMENTS (reshape_params),
  .infer = reshape_infer,
  .build = reshape_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};
