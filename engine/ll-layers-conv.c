/* ll-layers-conv.c: image layers: Conv2D, pooling and global pooling,
 * channels last (NHWC) as Keras.
 *
 * Conv2D lowers its input to a matrix (im2col) chunk by chunk in the
 * shared scratch, each chunk small enough to stay in the L2 cache, and
 * spreads the chunks over the engine's threads (ll-parallel.h); the columns of a row are
 * ordered (ky, kx, cin) so that the Keras kernel (kh, kw, cin, filters) is
 * already the [K, F] right-hand matrix, and so that one kernel row of a
 * window is one contiguous run of k·cin floats of the input. */
#include "ll-layer.h"
#include "ll-gemm.h"
#include "ll-parallel.h"
#include "ll-vec.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

static const char *const padding_names[] = { "valid", "same", NULL };

enum { PADDING_VALID, PADDING_SAME };

static gboolean
need_image (const char *layer, const LlShape *in, GError **error)
{
  if (in->rank == 3)
    return TRUE;
  g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
               _("%s needs an image input (height × width × channels); it got a flat vector "
               "of %d values. Remove the Flatten before it or add a Reshape."),
               layer, in->d[0]);
  return FALSE;
}

void
ll_window_axis_init (LlWindowAxis *axis, int n, int k, int s, gboolean same)
{
  int pad = 0;

  g_return_if_fail (axis != NULL && n > 0 && k > 0 && s > 0);
  if (same)
    {
      axis->out = (n + s - 1) / s;
      pad = MAX ((axis->out - 1) * s + k - n, 0);
    }
  else
    axis->out = n < k ? 0 : (n - k) / s + 1;
  axis->n = n;
  axis->k = k;
  axis->s = s;
  axis->same = same;
  axis->pad_before = pad / 2;
  axis->pad_after = pad - pad / 2;
  axis->unused = axis->out > 0 ? n + pad - ((axis->out - 1) * s + k) : 0;
}

/* Output length and leading padding of a window sliding over n cells.
 * Returns 0 when a "valid" window does not fit. */
static int
window_output (int n, int k, int s, int padding, int *pad_before)
{
  LlWindowAxis axis;

  ll_window_axis_init (&axis, n, k, s, padding == PADDING_SAME);
  *pad_before = axis.pad_before;
  return axis.out;
}

/* Range [lo, hi) of window offsets that land inside 0..n-1 from start. */
static inline void
window_clip (int start, int k, int n, int *lo, int *hi)
{
  *lo = MAX (0, -start);
  *hi = MIN (k, n - start);
}

/* Runs of channels are the inner loops of every op here.  They are written
 * in blocks of four because GCC's -O2 vectorizer leaves loops of unknown
 * length scalar but turns such blocks into SSE (several times faster). */
#define RUN_BLOCKS(n, i, stmt) \
  do { \
    int i = 0; \
    for (; i + 4 <= (n); i += 4) \
      { \
        { const int o_ = i; { int i = o_; stmt; } } \
        { const int o_ = i + 1; { int i = o_; stmt; } } \
        { const int o_ = i + 2; { int i = o_; stmt; } } \
        { const int o_ = i + 3; { int i = o_; stmt; } } \
      } \
    for (; i < (n); i++) \
      stmt; \
  } while (0)

static inline void
run_add (float *restrict y, const float *restrict x, int n)
{
  RUN_BLOCKS (n, i, y[i] += x[i]);
}

static inline void
run_add_scaled (float *restrict y, float a, const float *restrict x, int n)
{
  RUN_BLOCKS (n, i, y[i] += a * x[i]);
}

/* Conv2D */

enum {
  CONV_FILTERS, CONV_KERNEL_SIZE, CONV_STRIDES, CONV_PADDING, CONV_ACTIVATION,
  CONV_USE_BIAS, CONV_KERNEL_INIT, CONV_BIAS_INIT, CONV_REGULARIZER, CONV_L1, CONV_L2,
};

static const LlParamSpec conv2d_params[] = {
  { "filters", N_("Filters"), LL_PARAM_INT, 32, 1, 1024, NULL,
    N_("Number of filters: the channels of the output. Each filter learns to detect one pattern."), LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL },
  { "kernel_size", N_("Kernel size"), LL_PARAM_INT, 3, 1, 15, NULL,
    N_("Side of the square window each filter looks at: 3 means 3 × 3 pixels."), LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL | LL_PARAM_PAIR },
  { "strides", N_("Strides"), LL_PARAM_INT, 1, 1, 8, NULL,
    N_("Step of the window in pixels. 2 halves the height and width of the output."), LL_PARAM_PAIR },
  { "padding", N_("Padding"), LL_PARAM_CHOICE, PADDING_VALID, 0, 0, padding_names,
    N_("valid: the window stays inside the image, so the output shrinks. "
    "same: zeros around the border keep the output size (divided by the stride).") },
  { "activation", N_("Activation"), LL_PARAM_CHOICE, LL_ACT_LINEAR, 0, 0, ll_activation_names,
    N_("Applied to the output: relu for hidden layers; linear when BatchNormalization follows."), LL_PARAM_HEADLINE },
  { "use_bias", N_("Use bias"), LL_PARAM_BOOL, 1, 0, 1, NULL,
    N_("Adds a learned bias to each filter. Usually on; off before BatchNormalization.") },
  { "kernel_initializer", N_("Kernel initializer"), LL_PARAM_CHOICE, LL_INIT_GLOROT_UNIFORM, 0, 0,
    ll_init_names, N_("How the filters start. glorot_uniform is Keras' default; he_normal suits relu.") },
  { "bias_initializer", N_("Bias initializer"), LL_PARAM_CHOICE, LL_INIT_ZEROS, 0, 0, ll_init_names,
    N_("How the biases start; zeros is Keras' default.") },
  { "kernel_regularizer", N_("Kernel regularizer"), LL_PARAM_CHOICE, 0, 0, 0, ll_regularizer_names,
    N_("Adds a penalty on the filter weights to the loss: l1 pushes weights to exactly zero, l2 keeps them small.") },
  { "l1", N_("L1 factor"), LL_PARAM_FLOAT, 0.01, 0, 10, NULL,
    N_("Strength of the l1 penalty (Keras default 0.01).") },
  { "l2", N_("L2 factor"), LL_PARAM_FLOAT, 0.01, 0, 10, NULL,
    N_("Strength of the l2 penalty (Keras default 0.01).") },
};

typedef struct {
  LlOp parent;
  int h, w, cin;                   /* input */
  int ho, wo, f;                   /* output */
  int k, s, pad_top, pad_left;
  int kk;                          /* k·k·cin: columns of the lowered input */
  gboolean use_bias;
  gboolean direct;                 /* 1×1, stride 1: the input is its own im2col */
} ConvOp;

static gboolean
conv2d_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  int f = (int) spec->v[CONV_FILTERS], k = (int) spec->v[CONV_KERNEL_SIZE];
  int s = (int) spec->v[CONV_STRIDES], padding = (int) spec->v[CONV_PADDING];
  int pad, ho, wo;

  if (!need_image ("Conv2D", in, error))
    return FALSE;
  ho = window_output (in->d[0], k, s, padding, &pad);
  wo = window_output (in->d[1], k, s, padding, &pad);
  if (ho == 0 || wo == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("Conv2D's %d × %d kernel is larger than its %d × %d input. "
                   "Use a smaller kernel_size, padding \"same\", or less pooling before it."),
                   k, k, in->d[0], in->d[1]);
      return FALSE;
    }
  *out = ll_shape_image (ho, wo, f);
  return TRUE;
}

static int
conv2d_weights (const LlLayerSpec *spec, const LlShape *in, const LlShape *out, LlWeightInfo *info)
{
  int k = (int) spec->v[CONV_KERNEL_SIZE], cin = in->d[2], f = out->d[2];
  int reg = (int) spec->v[CONV_REGULARIZER];

  info[0] = (LlWeightInfo) {
    .name = "kernel", .rank = 4, .dims = { k, k, cin, f }, .trainable = TRUE,
    .init = (LlInit) (int) spec->v[CONV_KERNEL_INIT],
    .fan_in = k * k * cin, .fan_out = k * k * f,
    .l1 = (reg == 1 || reg == 3) ? spec->v[CONV_L1] : 0.0,
    .l2 = (reg == 2 || reg == 3) ? spec->v[CONV_L2] : 0.0,
  };
  if (!spec->v[CONV_USE_BIAS])
    return 1;
  info[1] = (LlWeightInfo) {
    .name = "bias", .rank = 1, .dims = { f }, .trainable = TRUE,
    .init = (LlInit) (int) spec->v[CONV_BIAS_INIT],
    .fan_in = f, .fan_out = f,
  };
  return 2;
}

/* The lowered input is made and multiplied in chunks of whole output
 * lines (one oy of one sample: wo rows of kk columns) of about this many
 * floats, so that a chunk stays in the L2 cache between im2col and GEMM,
 * and the workspace does not grow with the batch. */
#define CONV_CHUNK_FLOATS (96 * 1024)

/* Output lines per chunk. */
static int
conv2d_chunk_lines (const ConvOp *self)
{
  return MAX (1, CONV_CHUNK_FLOATS / MAX (1, self->wo * self->kk));
}

/* Floats of scratch one task uses: its columns and their gradient (one
 * chunk each), and its share of the weight gradient (kernel and bias). */
static gsize
conv2d_task_floats (const ConvOp *self, int batch)
{
  gsize lines = MIN ((gsize) conv2d_chunk_lines (self), (gsize) batch * self->ho);
  gsize cols = self->direct ? 0 : lines * self->wo * self->kk;

  return 2 * cols + (gsize) self->kk * self->f + (gsize) self->f;
}

static gsize
conv2d_scratch (const LlOp *op, int batch)
{
  return (gsize) ll_parallel_max_threads () * conv2d_task_floats ((const ConvOp *) op, batch);
}

/* Tasks the scratch has room for, at most the thread budget. */
static int
conv2d_tasks (const ConvOp *self, const LlContext *ctx, int batch, int units)
{
  gsize per_task = conv2d_task_floats (self, batch);
  int n = MIN (ll_parallel_threads (), units);

  n = (int) MIN ((gsize) n, ctx->scratch_size / per_task);
  g_assert (n >= 1);
  return n;
}

/* cols[(b, oy, ox), (ky, kx, c)] = x[b, oy·s − pt + ky, ox·s − pl + kx, c], 0 outside,
 * for the output lines [line0, line0 + n_lines) (line = b·ho + oy). */
static void
conv2d_im2col (const ConvOp *self, int line0, int n_lines, const float *x, float *cols)
{
  int k = self->k, cin = self->cin, run = k * cin;
  gsize in_row = (gsize) self->w * cin, in_img = (gsize) self->h * in_row;
  float *row = cols;

  for (int line = line0; line < line0 + n_lines; line++)
    {
      int b = line / self->ho, oy = line % self->ho;
      int iy0 = oy * self->s - self->pad_top, ky_lo, ky_hi;
      window_clip (iy0, k, self->h, &ky_lo, &ky_hi);
      for (int ox = 0; ox < self->wo; ox++, row += self->kk)
        {
          int ix0 = ox * self->s - self->pad_left, kx_lo, kx_hi;
          window_clip (ix0, k, self->w, &kx_lo, &kx_hi);
          int lead = kx_lo * cin, len = (kx_hi - kx_lo) * cin;

          if (ky_lo > 0)
            memset (row, 0, (gsize) ky_lo * run * sizeof (float));
          for (int ky = ky_lo; ky < ky_hi; ky++)
            {
              float *dst = row + (gsize) ky * run;
              const float *src = x + b * in_img + (gsize) (iy0 + ky) * in_row
                                   + (gsize) (ix0 + kx_lo) * cin;
              /* Short runs (a single-channel first layer: k floats) are
               * cheaper as loops than as calls. */
              if (run <= 16)
                {
                  for (int i = 0; i < lead; i++)
                    dst[i] = 0.0f;
                  for (int i = 0; i < len; i++)
                    dst[lead + i] = src[i];
                  for (int i = lead + len; i < run; i++)
                    dst[i] = 0.0f;
                  continue;
                }
              if (lead > 0)
                memset (dst, 0, (gsize) lead * sizeof (float));
              memcpy (dst + lead, src, (gsize) len * sizeof (float));
              if (lead + len < run)
                memset (dst + lead + len, 0, (gsize) (run - lead - len) * sizeof (float));
            }
          if (ky_hi < k)
            memset (row + (gsize) ky_hi * run, 0, (gsize) (k - ky_hi) * run * sizeof (float));
        }
    }
}

/* The adjoint of im2col for output lines [line0, line0 + n_lines): adds
 * each window's column gradient to the input cells it covers. */
static void
conv2d_col2im (const ConvOp *self, int line0, int n_lines, const float *cols, float *dx)
{
  int k = self->k, cin = self->cin, run = k * cin;
  gsize in_row = (gsize) self->w * cin, in_img = (gsize) self->h * in_row;
  const float *row = cols;

  for (int line = line0; line < line0 + n_lines; line++)
    {
      int b = line / self->ho, oy = line % self->ho;
      int iy0 = oy * self->s - self->pad_top, ky_lo, ky_hi;
      window_clip (iy0, k, self->h, &ky_lo, &ky_hi);
      for (int ox = 0; ox < self->wo; ox++, row += self->kk)
        {
          int ix0 = ox * self->s - self->pad_left, kx_lo, kx_hi;
          window_clip (ix0, k, self->w, &kx_lo, &kx_hi);
          int lead = kx_lo * cin, len = (kx_hi - kx_lo) * cin;

          for (int ky = ky_lo; ky < ky_hi; ky++)
            {
              const float *src = row + (gsize) ky * run + lead;
              float *dst = dx + b * in_img + (gsize) (iy0 + ky) * in_row
                             + (gsize) (ix0 + kx_lo) * cin;
              run_add (dst, src, len);
            }
        }
    }
}

typedef struct {
  ConvOp *self;
  const LlContext *ctx;
  int batch;
  const float *x, *dy;
  float *y, *dx;
  LlActivation act;                /* applied from y into z when z is not NULL */
  float *z;
} ConvJob;

/* The scratch of task i: columns, column gradient, kernel and bias gradient. */
static float *
conv2d_task_scratch (const ConvJob *job, int i, float **dcols, float **dw, float **db)
{
  const ConvOp *self = job->self;
  gsize lines = MIN ((gsize) conv2d_chunk_lines (self), (gsize) job->batch * self->ho);
  gsize cols = self->direct ? 0 : lines * self->wo * self->kk;
  float *base = job->ctx->scratch + (gsize) i * conv2d_task_floats (self, job->batch);

  if (dcols != NULL)
    *dcols = base + cols;
  if (dw != NULL)
    *dw = base + 2 * cols;
  if (db != NULL)
    *db = base + 2 * cols + (gsize) self->kk * self->f;
  return base;
}

/* Each of the rows (n floats) of y set to row: the bias, which the GEMM
 * then adds to.  Eight floats per move, not a memcpy call per row of a
 * few dozen floats (GCC's loop distribution makes one of a plain loop). */
typedef float LlFloat8 __attribute__ ((vector_size (32)));

__attribute__ ((optimize ("no-tree-loop-distribute-patterns"))) static void
fill_rows (float *restrict y, const float *restrict row, int rows, int n)
{
  for (int r = 0; r < rows; r++)
    {
      float *restrict yr = y + (gsize) r * n;
      int j = 0;

      for (; j + 8 <= n; j += 8)
        {
          LlFloat8 v;
          memcpy (&v, row + j, sizeof v);
          memcpy (yr + j, &v, sizeof v);
        }
      for (; j < n; j++)
        yr[j] = row[j];
    }
}

/* Task i of n: a contiguous share of the output lines, chunk by chunk. */
static void
conv2d_forward_task (int i, int n, gpointer data)
{
  ConvJob *job = data;
  ConvOp *self = job->self;
  LlOp *op = &self->parent;
  int total = job->batch * self->ho, f = self->f, wo = self->wo;
  int first = (int) ((gint64) total * i / n), last = (int) ((gint64) total * (i + 1) / n);
  int chunk = conv2d_chunk_lines (self);
  float *cols = conv2d_task_scratch (job, i, NULL, NULL, NULL);

  for (int line = first; line < last; line += chunk)
    {
      int lines = MIN (chunk, last - line), rows = lines * wo;
      gsize row0 = (gsize) line * wo;
      const float *a = job->x + row0 * self->kk;
      float *y = job->y + row0 * f;

      if (!self->direct)
        {
          conv2d_im2col (self, line, lines, job->x, cols);
          a = cols;
        }
      if (self->use_bias)
        fill_rows (y, op->w[1], rows, f);
      /* Y[rows, F] = cols[rows, K] · W[K, F] (+ the bias rows already in Y) */
      ll_gemm (FALSE, FALSE, rows, f, self->kk,
               1.0f, a, self->kk, op->w[0], f,
               self->use_bias ? 1.0f : 0.0f, y, f);
      if (job->z != NULL)
        ll_activation_forward (job->act, 1, rows * f, y, job->z + row0 * f);
    }
}

static void
conv2d_forward_act (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y,
                    int act, float *z)
{
  ConvOp *self = (ConvOp *) op;
  ConvJob job = { self, ctx, batch, x, NULL, y, NULL, (LlActivation) act, z };

  ll_parallel_run (conv2d_tasks (self, ctx, batch, batch * self->ho), conv2d_forward_task, &job);
}

static void
conv2d_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  conv2d_forward_act (op, ctx, batch, x, y, LL_ACT_LINEAR, NULL);
}

/* Task i of n: a contiguous share of the samples (so that no two tasks add
 * to the same input cells), chunk by chunk; its kernel and bias gradients
 * go to its own scratch and are summed in task order afterwards. */
static void
conv2d_backward_task (int i, int n, gpointer data)
{
  ConvJob *job = data;
  ConvOp *self = job->self;
  LlOp *op = &self->parent;
  int f = self->f, wo = self->wo, kk = self->kk;
  int b0 = (int) ((gint64) job->batch * i / n), b1 = (int) ((gint64) job->batch * (i + 1) / n);
  int first = b0 * self->ho, last = b1 * self->ho;
  int chunk = conv2d_chunk_lines (self);
  float *dcols, *dw, *db;
  float *cols = conv2d_task_scratch (job, i, &dcols, &dw, &db);
  gsize in_img = ll_shape_size (&op->in);

  if (job->dx != NULL && !self->direct)
    memset (job->dx + (gsize) b0 * in_img, 0, (gsize) (b1 - b0) * in_img * sizeof (float));
  if (self->use_bias)
    memset (db, 0, (gsize) f * sizeof (float));
  for (int line = first; line < last; line += chunk)
    {
      int lines = MIN (chunk, last - line), rows = lines * wo;
      gsize row0 = (gsize) line * wo;
      const float *a = job->x + row0 * kk;
      const float *dy = job->dy + row0 * f;
      float *dc = self->direct ? job->dx + row0 * kk : dcols;

      if (!self->direct)
        {
          /* The scratch is shared: other ops have used it since our forward. */
          conv2d_im2col (self, line, lines, job->x, cols);
          a = cols;
        }
      /* dW[K, F] (+)= cols^T · dY */
      ll_gemm (TRUE, FALSE, kk, f, rows,
               1.0f, a, kk, dy, f, line == first ? 0.0f : 1.0f, dw, f);
      if (self->use_bias)
        for (int r = 0; r < rows; r++)
          run_add (db, dy + (gsize) r * f, f);
      if (job->dx == NULL)
        continue;
      /* dcols[rows, K] = dY · W^T, then dX += col2im (dcols) */
      ll_gemm (FALSE, TRUE, rows, kk, f,
               1.0f, dy, f, op->w[0], f, 0.0f, dc, kk);
      if (!self->direct)
        conv2d_col2im (self, line, lines, dcols, job->dx);
    }
  if (first == last)
    {
      memset (dw, 0, (gsize) kk * f * sizeof (float));
      if (self->use_bias)
        memset (db, 0, (gsize) f * sizeof (float));
    }
}

static void
conv2d_backward (LlOp *op, const LlContext *ctx, int batch,
                 const float *x, const float *y, const float *dy, float *dx)
{
  ConvOp *self = (ConvOp *) op;
  ConvJob job = { self, ctx, batch, x, dy, NULL, dx, LL_ACT_LINEAR, NULL };
  int n = conv2d_tasks (self, ctx, batch, batch);
  gsize nw = (gsize) self->kk * self->f;

  ll_parallel_run (n, conv2d_backward_task, &job);
  for (int t = 0; t < n; t++)
    {
      float *dw, *db;
      conv2d_task_scratch (&job, t, NULL, &dw, &db);
      if (t == 0)
        memcpy (op->g[0], dw, nw * sizeof (float));
      else
        run_add (op->g[0], dw, (int) nw);
      if (self->use_bias && t == 0)
        memcpy (op->g[1], db, (gsize) self->f * sizeof (float));
      else if (self->use_bias)
        run_add (op->g[1], db, self->f);
    }
}

static const LlOpClass conv2d_op_class = {
  .name = "conv2d",
  .scratch = conv2d_scratch,
  .forward = conv2d_forward,
  .forward_act = conv2d_forward_act,
  .backward = conv2d_backward,
  .per_sample = TRUE,
};

static LlOp *
conv2d_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  ConvOp *self = g_malloc0 (sizeof (ConvOp));
  int padding = (int) spec->v[CONV_PADDING];

  self->parent.klass = &conv2d_op_class;
  self->parent.in = *in;
  self->parent.out = *out;
  self->parent.n_weights = spec->v[CONV_USE_BIAS] ? 2 : 1;
  self->h = in->d[0];
  self->w = in->d[1];
  self->cin = in->d[2];
  self->ho = out->d[0];
  self->wo = out->d[1];
  self->f = out->d[2];
  self->k = (int) spec->v[CONV_KERNEL_SIZE];
  self->s = (int) spec->v[CONV_STRIDES];
  window_output (self->h, self->k, self->s, padding, &self->pad_top);
  window_output (self->w, self->k, self->s, padding, &self->pad_left);
  self->kk = self->k * self->k * self->cin;
  self->use_bias = spec->v[CONV_USE_BIAS] != 0;
  self->direct = self->k == 1 && self->s == 1;
  return &self->parent;
}

const LlLayerType ll_layer_conv2d = {
  .name = "Conv2D",
  .description = N_("Slides small learned filters over the image; each filter makes one feature map."),
  .params = conv2d_params,
  .n_params = G_N_ELEMENTS (conv2d_params),
  .infer = conv2d_infer,
  .weights = conv2d_weights,
  .build = conv2d_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

/* MaxPooling2D and AveragePooling2D */

enum { POOL_SIZE, POOL_STRIDES, POOL_PADDING };

static const LlParamSpec pool_params[] = {
  { "pool_size", N_("Pool size"), LL_PARAM_INT, 2, 1, 16, NULL,
    N_("Side of the square window reduced to one value: 2 halves the height and width."), LL_PARAM_HEADLINE | LL_PARAM_POSITIONAL | LL_PARAM_PAIR },
  { "strides", N_("Strides"), LL_PARAM_INT, 0, 0, 16, NULL,
    N_("Step of the window in pixels; 0 means the same as pool_size (Keras' None)."), LL_PARAM_PAIR,
    N_("= pool size") },
  { "padding", N_("Padding"), LL_PARAM_CHOICE, PADDING_VALID, 0, 0, padding_names,
    N_("valid: leftover border pixels are dropped. same: windows also cover the border, "
    "so the output is the input size divided by the stride, rounded up.") },
};

typedef struct {
  LlOp parent;
  int h, w, c, ho, wo;
  int p, s, pad_top, pad_left;
} PoolOp;

static int
pool_stride (const LlLayerSpec *spec)
{
  int s = (int) spec->v[POOL_STRIDES];
  return s > 0 ? s : (int) spec->v[POOL_SIZE];
}

static gboolean
pool_infer_named (const char *layer, const LlLayerSpec *spec, const LlShape *in,
                  LlShape *out, GError **error)
{
  int p = (int) spec->v[POOL_SIZE], s = pool_stride (spec);
  int padding = (int) spec->v[POOL_PADDING], pad, ho, wo;

  if (!need_image (layer, in, error))
    return FALSE;
  ho = window_output (in->d[0], p, s, padding, &pad);
  wo = window_output (in->d[1], p, s, padding, &pad);
  if (ho == 0 || wo == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("%s's %d × %d pool is larger than its %d × %d input. "
                   "Use a smaller pool_size, padding \"same\", or remove a pooling layer before it."),
                   layer, p, p, in->d[0], in->d[1]);
      return FALSE;
    }
  *out = ll_shape_image (ho, wo, in->d[2]);
  return TRUE;
}

static gboolean
max_pool_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  return pool_infer_named ("MaxPooling2D", spec, in, out, error);
}

static gboolean
avg_pool_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  return pool_infer_named ("AveragePooling2D", spec, in, out, error);
}

/* Max pooling keeps no positions: backward finds each window's winner
 * again from x and y, the first cell (in row order) equal to the maximum.
 * That is the cell forward kept, since a later cell wins only when strictly
 * larger; a window whose maximum is NaN (its first cell was) sends its
 * gradient to its first cell, which forward kept too.  Both passes run
 * over the channels of a cell, the inner loops, vectorized. */

/* The window of output (oy, ox) clipped to the image: its first cell and
 * its rows and columns. */
static inline const float *
pool_window (const PoolOp *self, const float *img, int oy, int ox, int *rows, int *cols)
{
  int iy0 = oy * self->s - self->pad_top, ix0 = ox * self->s - self->pad_left;
  int ky_lo, ky_hi, kx_lo, kx_hi;

  window_clip (iy0, self->p, self->h, &ky_lo, &ky_hi);
  window_clip (ix0, self->p, self->w, &kx_lo, &kx_hi);
  /* Every window holds at least one real cell, even with "same". */
  *rows = ky_hi - ky_lo;
  *cols = kx_hi - kx_lo;
  return img + ((gsize) (iy0 + ky_lo) * self->w + (ix0 + kx_lo)) * self->c;
}

LL_VEC_LOOP static void
max_pool_run (const PoolOp *self, int b0, int b1, const float *x, float *y)
{
  int c = self->c;
  gsize in_row = (gsize) self->w * c, in_img = (gsize) self->h * in_row;
  gsize out_img = (gsize) self->ho * self->wo * c;
  float *restrict yo = y + (gsize) b0 * out_img;

  for (int b = b0; b < b1; b++)
    for (int oy = 0; oy < self->ho; oy++)
      for (int ox = 0; ox < self->wo; ox++, yo += c)
        {
          int rows, cols;
          const float *cell = pool_window (self, x + b * in_img, oy, ox, &rows, &cols);

          for (int j = 0; j < c; j++)
            yo[j] = cell[j];
          for (int ky = 0; ky < rows; ky++)
            for (int kx = ky == 0 ? 1 : 0; kx < cols; kx++)
              {
                const float *restrict xi = cell + (gsize) ky * in_row + (gsize) kx * c;
                for (int j = 0; j < c; j++)
                  yo[j] = xi[j] > yo[j] ? xi[j] : yo[j];
              }
        }
}

/* Channels handled at once by backward (its per-channel state is on the stack). */
#define POOL_BLOCK 64

/* dx of samples [b0, b1).  Windows that do not overlap (stride ≥ pool) write
 * each cell they cover once; overlapping ones add. */
LL_VEC_LOOP static void
max_pool_back_run (const PoolOp *self, int b0, int b1, const float *x, const float *y,
                   const float *dy, float *dx, gboolean overlap)
{
  int c = self->c;
  gsize in_row = (gsize) self->w * c, in_img = (gsize) self->h * in_row;
  gsize out_img = (gsize) self->ho * self->wo * c;

  for (int b = b0; b < b1; b++)
    for (int oy = 0; oy < self->ho; oy++)
      for (int ox = 0; ox < self->wo; ox++)
        {
          gsize o = (gsize) b * out_img + ((gsize) oy * self->wo + ox) * c;
          int rows, cols;
          const float *cell = pool_window (self, x + b * in_img, oy, ox, &rows, &cols);
          float *dcell = dx + (cell - x);

          for (int j0 = 0; j0 < c; j0 += POOL_BLOCK)
            {
              int nj = MIN (POOL_BLOCK, c - j0);
              float left[POOL_BLOCK];        /* the gradient not yet handed out */
              const float *restrict yv = y + o + j0, *restrict dyv = dy + o + j0;

              for (int j = 0; j < nj; j++)
                left[j] = dyv[j];
              for (int ky = 0; ky < rows; ky++)
                for (int kx = 0; kx < cols; kx++)
                  {
                    gsize at = (gsize) ky * in_row + (gsize) kx * c + j0;
                    const float *restrict xv = cell + at;
                    float *restrict d = dcell + at;
                    if (overlap)
                      for (int j = 0; j < nj; j++)
                        {
                          float l = left[j], dv = d[j], sum = dv + l;
                          gboolean hit = xv[j] == yv[j];
                          d[j] = hit ? sum : dv;
                          left[j] = hit ? 0.0f : l;
                        }
                    else
                      for (int j = 0; j < nj; j++)
                        {
                          float l = left[j];
                          gboolean hit = xv[j] == yv[j];
                          d[j] = hit ? l : 0.0f;
                          left[j] = hit ? 0.0f : l;
                        }
                  }
              /* NaN maxima: nothing matched, the first cell takes it. */
              if (overlap)
                for (int j = 0; j < nj; j++)
                  {
                    float l = left[j], d0 = dcell[j0 + j], sum = d0 + l;
                    dcell[j0 + j] = l != 0.0f ? sum : d0;
                  }
              else
                for (int j = 0; j < nj; j++)
                  {
                    float l = left[j], d0 = dcell[j0 + j];
                    dcell[j0 + j] = l != 0.0f ? l : d0;
                  }
            }
        }
}

typedef struct {
  PoolOp *self;
  int batch;
  const float *x, *y, *dy;
  float *out;
  gboolean backward, overlap, clear;
} PoolJob;

/* Task i of n: a contiguous share of the samples. */
static void
max_pool_task (int i, int n, gpointer data)
{
  const PoolJob *job = data;
  const PoolOp *self = job->self;
  int b0 = (int) ((gint64) job->batch * i / n), b1 = (int) ((gint64) job->batch * (i + 1) / n);
  gsize in_img = ll_shape_size (&self->parent.in);

  if (!job->backward)
    {
      max_pool_run (self, b0, b1, job->x, job->out);
      return;
    }
  if (job->clear)
    memset (job->out + (gsize) b0 * in_img, 0, (gsize) (b1 - b0) * in_img * sizeof (float));
  max_pool_back_run (self, b0, b1, job->x, job->y, job->dy, job->out, job->overlap);
}

static void
max_pool_job_run (PoolJob *job)
{
  gsize work = (gsize) job->batch * ll_shape_size (&job->self->parent.in);

  if (work >= 64 * 1024 && job->batch > 1)
    ll_parallel_run (MIN (ll_parallel_threads (), job->batch), max_pool_task, job);
  else
    max_pool_task (0, 1, job);
}

static void
max_pool_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  PoolJob job = { (PoolOp *) op, batch, x, NULL, NULL, y, FALSE, FALSE, FALSE };

  max_pool_job_run (&job);
}

static void
max_pool_backward (LlOp *op, const LlContext *ctx, int batch,
                   const float *x, const float *y, const float *dy, float *dx)
{
  PoolOp *self = (PoolOp *) op;
  int s = self->s, p = self->p;
  /* Non-overlapping windows that tile the whole input write every cell. */
  gboolean overlap = s < p;
  gboolean tiled = s == p && self->ho * s - self->pad_top >= self->h
                   && self->wo * s - self->pad_left >= self->w;
  PoolJob job = { self, batch, x, y, dy, dx, TRUE, overlap, !tiled };

  if (dx != NULL)
    max_pool_job_run (&job);
}

/* Averages over the real cells of each window: with "same" the padding is
 * not counted, as TensorFlow does. */
static void
avg_pool_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  PoolOp *self = (PoolOp *) op;
  int c = self->c;
  gsize in_row = (gsize) self->w * c, in_img = (gsize) self->h * in_row;
  float *yo = y;

  for (int b = 0; b < batch; b++)
    for (int oy = 0; oy < self->ho; oy++)
      {
        int iy0 = oy * self->s - self->pad_top, ky_lo, ky_hi;
        window_clip (iy0, self->p, self->h, &ky_lo, &ky_hi);
        for (int ox = 0; ox < self->wo; ox++, yo += c)
          {
            int ix0 = ox * self->s - self->pad_left, kx_lo, kx_hi;
            window_clip (ix0, self->p, self->w, &kx_lo, &kx_hi);
            float scale = 1.0f / (float) ((ky_hi - ky_lo) * (kx_hi - kx_lo));

            memset (yo, 0, (gsize) c * sizeof (float));
            for (int ky = ky_lo; ky < ky_hi; ky++)
              for (int kx = kx_lo; kx < kx_hi; kx++)
                {
                  const float *xi = x + b * in_img + (gsize) (iy0 + ky) * in_row
                                      + (gsize) (ix0 + kx) * c;
                  run_add (yo, xi, c);
                }
            for (int j = 0; j < c; j++)
              yo[j] *= scale;
          }
      }
}

static void
avg_pool_backward (LlOp *op, const LlContext *ctx, int batch,
                   const float *x, const float *y, const float *dy, float *dx)
{
  PoolOp *self = (PoolOp *) op;
  int c = self->c;
  gsize in_row = (gsize) self->w * c, in_img = (gsize) self->h * in_row;
  const float *dyo = dy;

  if (dx == NULL)
    return;
  memset (dx, 0, (gsize) batch * in_img * sizeof (float));
  for (int b = 0; b < batch; b++)
    for (int oy = 0; oy < self->ho; oy++)
      {
        int iy0 = oy * self->s - self->pad_top, ky_lo, ky_hi;
        window_clip (iy0, self->p, self->h, &ky_lo, &ky_hi);
        for (int ox = 0; ox < self->wo; ox++, dyo += c)
          {
            int ix0 = ox * self->s - self->pad_left, kx_lo, kx_hi;
            window_clip (ix0, self->p, self->w, &kx_lo, &kx_hi);
            float scale = 1.0f / (float) ((ky_hi - ky_lo) * (kx_hi - kx_lo));

            for (int ky = ky_lo; ky < ky_hi; ky++)
              for (int kx = kx_lo; kx < kx_hi; kx++)
                {
                  float *di = dx + b * in_img + (gsize) (iy0 + ky) * in_row
                                 + (gsize) (ix0 + kx) * c;
                  run_add_scaled (di, scale, dyo, c);
                }
          }
      }
}

static const LlOpClass max_pool_op_class = {
  .name = "max_pooling2d",
  .forward = max_pool_forward,
  .backward = max_pool_backward,
  .per_sample = TRUE,
};

static const LlOpClass avg_pool_op_class = {
  .name = "average_pooling2d",
  .forward = avg_pool_forward,
  .backward = avg_pool_backward,
  .per_sample = TRUE,
};

static LlOp *
pool_build_class (const LlOpClass *klass, const LlLayerSpec *spec,
                  const LlShape *in, const LlShape *out)
{
  PoolOp *self = g_malloc0 (sizeof (PoolOp));
  int padding = (int) spec->v[POOL_PADDING];

  self->parent.klass = klass;
  self->parent.in = *in;
  self->parent.out = *out;
  self->h = in->d[0];
  self->w = in->d[1];
  self->c = in->d[2];
  self->ho = out->d[0];
  self->wo = out->d[1];
  self->p = (int) spec->v[POOL_SIZE];
  self->s = pool_stride (spec);
  window_output (self->h, self->p, self->s, padding, &self->pad_top);
  window_output (self->w, self->p, self->s, padding, &self->pad_left);
  return &self->parent;
}

static LlOp *
max_pool_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  return pool_build_class (&max_pool_op_class, spec, in, out);
}

static LlOp *
avg_pool_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  return pool_build_class (&avg_pool_op_class, spec, in, out);
}

const LlLayerType ll_layer_max_pooling2d = {
  .name = "MaxPooling2D",
  .description = N_("Keeps the largest value of each window: smaller feature maps, a little shift tolerance."),
  .params = pool_params,
  .n_params = G_N_ELEMENTS (pool_params),
  .infer = max_pool_infer,
  .build = max_pool_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

const LlLayerType ll_layer_average_pooling2d = {
  .name = "AveragePooling2D",
  .description = N_("Averages each window: smaller, smoother feature maps."),
  .params = pool_params,
  .n_params = G_N_ELEMENTS (pool_params),
  .infer = avg_pool_infer,
  .build = avg_pool_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

gboolean
ll_layer_spec_window (const LlLayerSpec *spec, const LlShape *in, LlWindowAxis axes[2])
{
  int k, s, padding;

  g_return_val_if_fail (spec != NULL && in != NULL && axes != NULL, FALSE);
  if (in->rank != 3)
    return FALSE;
  if (spec->type == &ll_layer_conv2d)
    {
      k = (int) spec->v[CONV_KERNEL_SIZE];
      s = (int) spec->v[CONV_STRIDES];
      padding = (int) spec->v[CONV_PADDING];
    }
  else if (spec->type == &ll_layer_max_pooling2d || spec->type == &ll_layer_average_pooling2d)
    {
      k = (int) spec->v[POOL_SIZE];
      s = pool_stride (spec);
      padding = (int) spec->v[POOL_PADDING];
    }
  else
    return FALSE;
  ll_window_axis_init (&axes[0], in->d[0], k, s, padding == PADDING_SAME);
  ll_window_axis_init (&axes[1], in->d[1], k, s, padding == PADDING_SAME);
  return TRUE;
}

/* GlobalAveragePooling2D and GlobalMaxPooling2D: (H, W, C) → (C). */

typedef struct {
  LlOp parent;
  int n, c;                        /* n = H·W cells per channel */
  gint32 *argmax;                  /* max only: cell of each (sample, channel) */
  int max_batch;
} GlobalPoolOp;

static gboolean
global_pool_infer_named (const char *layer, const LlShape *in, LlShape *out, GError **error)
{
  if (!need_image (layer, in, error))
    return FALSE;
  *out = ll_shape_flat (in->d[2]);
  return TRUE;
}

static gboolean
gap_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  return global_pool_infer_named ("GlobalAveragePooling2D", in, out, error);
}

static gboolean
gmp_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  return global_pool_infer_named ("GlobalMaxPooling2D", in, out, error);
}

static void
gap_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  GlobalPoolOp *self = (GlobalPoolOp *) op;
  int n = self->n, c = self->c;
  float scale = 1.0f / (float) n;

  for (int b = 0; b < batch; b++)
    {
      const float *xb = x + (gsize) b * n * c;
      float *yb = y + (gsize) b * c;
      memset (yb, 0, (gsize) c * sizeof (float));
      for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++)
          yb[j] += xb[(gsize) i * c + j];
      for (int j = 0; j < c; j++)
        yb[j] *= scale;
    }
}

static void
gap_backward (LlOp *op, const LlContext *ctx, int batch,
              const float *x, const float *y, const float *dy, float *dx)
{
  GlobalPoolOp *self = (GlobalPoolOp *) op;
  int n = self->n, c = self->c;
  float scale = 1.0f / (float) n;

  if (dx == NULL)
    return;
  for (int b = 0; b < batch; b++)
    {
      const float *dyb = dy + (gsize) b * c;
      float *dxb = dx + (gsize) b * n * c;
      for (int i = 0; i < n; i++)
        for (int j = 0; j < c; j++)
          dxb[(gsize) i * c + j] = scale * dyb[j];
    }
}

static gboolean
gmp_plan (LlOp *op, int max_batch, GError **error)
{
  GlobalPoolOp *self = (GlobalPoolOp *) op;

  if (max_batch <= self->max_batch)
    return TRUE;
  g_free (self->argmax);
  self->argmax = (gint32 *) ll_alloc_floats ((gsize) max_batch * self->c,
                                             _("the global max-pooling positions"), error);
  self->max_batch = self->argmax != NULL ? max_batch : 0;
  return self->argmax != NULL;
}

static void
gmp_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  GlobalPoolOp *self = (GlobalPoolOp *) op;
  int n = self->n, c = self->c;

  /* Positions are kept for backward from training passes only. */
  g_assert (!(ctx->training || ctx->record) || batch <= self->max_batch);
  for (int b = 0; b < batch; b++)
    {
      const float *xb = x + (gsize) b * n * c;
      float *yb = y + (gsize) b * c;
      memcpy (yb, xb, (gsize) c * sizeof (float));
      if (!(ctx->training || ctx->record))
        {
          for (int i = 1; i < n; i++)
            for (int j = 0; j < c; j++)
              yb[j] = MAX (yb[j], xb[(gsize) i * c + j]);
          continue;
        }
      gint32 *arg = self->argmax + (gsize) b * c;
      memset (arg, 0, (gsize) c * sizeof (gint32));
      for (int i = 1; i < n; i++)
        for (int j = 0; j < c; j++)
          if (xb[(gsize) i * c + j] > yb[j])
            {
              yb[j] = xb[(gsize) i * c + j];
              arg[j] = i;
            }
    }
}

static void
gmp_backward (LlOp *op, const LlContext *ctx, int batch,
              const float *x, const float *y, const float *dy, float *dx)
{
  GlobalPoolOp *self = (GlobalPoolOp *) op;
  int n = self->n, c = self->c;

  if (dx == NULL)
    return;
  memset (dx, 0, (gsize) batch * n * c * sizeof (float));
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < c; j++)
      dx[((gsize) b * n + self->argmax[(gsize) b * c + j]) * c + j] = dy[(gsize) b * c + j];
}

static void
gmp_finalize (LlOp *op)
{
  g_clear_pointer (&((GlobalPoolOp *) op)->argmax, g_free);
}

static const LlOpClass gap_op_class = {
  .name = "global_average_pooling2d",
  .forward = gap_forward,
  .backward = gap_backward,
  .per_sample = TRUE,
};

static const LlOpClass gmp_op_class = {
  .name = "global_max_pooling2d",
  .plan = gmp_plan,
  .forward = gmp_forward,
  .backward = gmp_backward,
  .finalize = gmp_finalize,
};

static LlOp *
global_pool_build_class (const LlOpClass *klass, const LlShape *in, const LlShape *out)
{
  GlobalPoolOp *self = g_malloc0 (sizeof (GlobalPoolOp));

  self->parent.klass = klass;
  self->parent.in = *in;
  self->parent.out = *out;
  self->n = in->d[0] * in->d[1];
  self->c = in->d[2];
  return &self->parent;
}

static LlOp *
gap_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  return global_pool_build_class (&gap_op_class, in, out);
}

static LlOp *
gmp_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  return global_pool_build_class (&gmp_op_class, in, out);
}

const LlLayerType ll_layer_global_average_pooling2d = {
  .name = "GlobalAveragePooling2D",
  .description = N_("Averages each feature map to one number: a flat vector with one value per channel."),
  .params = NULL,
  .n_params = 0,
  .infer = gap_infer,
  .build = gap_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};

const LlLayerType ll_layer_global_max_pooling2d = {
  .name = "GlobalMaxPooling2D",
  .description = N_("Keeps the largest value of each feature map: one value per channel."),
  .params = NULL,
  .n_params = 0,
  .infer = gmp_infer,
  .build = gmp_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};
