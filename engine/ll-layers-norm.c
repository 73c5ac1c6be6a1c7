/* ll-layers-norm.c: BatchNormalization over the last axis (channels of an
 * image, units of a vector), with Keras' momentum and epsilon. */
#include "ll-layer.h"
#include "ll-parallel.h"
#include "ll-vec.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* BatchNormalization over the last axis: y = γ · (x − μ) / √(σ² + ε) + β. */

enum { BN_MOMENTUM, BN_EPSILON, BN_CENTER, BN_SCALE };

static const LlParamSpec bn_params[] = {
  { "momentum", N_("Momentum"), LL_PARAM_FLOAT, 0.99, 0, 1, NULL,
    N_("How slowly the moving mean and variance used for evaluation follow the batch statistics.") },
  { "epsilon", N_("Epsilon"), LL_PARAM_FLOAT, 0.001, 1e-9, 1, NULL,
    N_("Added to the variance before the square root, so that near-constant channels do not blow up.") },
  { "center", N_("Center"), LL_PARAM_BOOL, 1, 0, 1, NULL,
    N_("Learn an offset (beta) added after normalizing.") },
  { "scale", N_("Scale"), LL_PARAM_BOOL, 1, 0, 1, NULL,
    N_("Learn a factor (gamma) applied after normalizing. Can be off when relu follows.") },
};

typedef struct {
  LlOp parent;
  int c;                           /* channels (last axis) */
  int n;                           /* values per channel in one sample */
  float momentum, epsilon;
  int i_gamma, i_beta, i_mean, i_var;   /* weight slots, −1 when absent */
  double *acc;                     /* 2·c: per-channel sums */
  double *parts;                   /* LL_PARALLEL_MAX × 2·c: each task's share of them */
  float *mean, *inv_std, *var;     /* c each: batch statistics of the last training forward */
  gboolean have_stats;             /* a training forward has filled them */
} BnOp;

static gboolean
bn_infer (const LlLayerSpec *spec, const LlShape *in, LlShape *out, GError **error)
{
  *out = *in;
  return TRUE;
}

static int
bn_weights (const LlLayerSpec *spec, const LlShape *in, const LlShape *out, LlWeightInfo *info)
{
  int c = in->d[in->rank - 1], n = 0;

  /* Keras' order, gamma and beta only when scale and center are on. */
  if (spec->v[BN_SCALE])
    info[n++] = (LlWeightInfo) { .name = "gamma", .rank = 1, .dims = { c }, .trainable = TRUE,
                                 .init = LL_INIT_ONES, .fan_in = c, .fan_out = c };
  if (spec->v[BN_CENTER])
    info[n++] = (LlWeightInfo) { .name = "beta", .rank = 1, .dims = { c }, .trainable = TRUE,
                                 .init = LL_INIT_ZEROS, .fan_in = c, .fan_out = c };
  info[n++] = (LlWeightInfo) { .name = "moving_mean", .rank = 1, .dims = { c }, .trainable = FALSE,
                               .init = LL_INIT_ZEROS, .fan_in = c, .fan_out = c };
  info[n++] = (LlWeightInfo) { .name = "moving_variance", .rank = 1, .dims = { c }, .trainable = FALSE,
                               .init = LL_INIT_ONES, .fan_in = c, .fan_out = c };
  return n;
}

static gboolean
bn_plan (LlOp *op, int max_batch, GError **error)
{
  BnOp *self = (BnOp *) op;

  /* Per-channel only: independent of the batch size. */
  if (self->acc != NULL)
    return TRUE;
  self->acc = g_try_new0 (double, 2 * (gsize) self->c);
  self->parts = g_try_new0 (double, 2 * (gsize) LL_PARALLEL_MAX * self->c);
  self->mean = ll_alloc_floats (3 * (gsize) self->c, _("batch normalization statistics"), error);
  if (self->acc == NULL || self->mean == NULL || self->parts == NULL)
    {
      g_clear_pointer (&self->acc, g_free);
      g_clear_pointer (&self->parts, g_free);
      g_clear_pointer (&self->mean, g_free);
      if (error != NULL && *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                     _("Out of memory for batch normalization statistics"));
      return FALSE;
    }
  self->inv_std = self->mean + self->c;
  self->var = self->mean + 2 * (gsize) self->c;
  return TRUE;
}

static void
bn_finalize (LlOp *op)
{
  BnOp *self = (BnOp *) op;

  g_clear_pointer (&self->acc, g_free);
  g_clear_pointer (&self->parts, g_free);
  g_clear_pointer (&self->mean, g_free);
  self->inv_std = NULL;
  self->var = NULL;
  self->have_stats = FALSE;
}

/* The passes over the batch, split into row ranges over the engine's
 * threads: each task sums its rows into its own part (in double), and the
 * parts are added in task order, so a fixed thread count gives fixed
 * results. */
enum { BN_SUM, BN_SUM_SQ, BN_APPLY, BN_GRAD_SUMS, BN_GRAD_DX };

typedef struct {
  BnOp *self;
  int phase;
  gsize rows;
  const float *x, *dy;
  float *out;
  const float *a, *b;              /* BN_APPLY: y = a·x + b; BN_GRAD_DX: means of dy, dy·x̂ as floats */
  const float *gamma;              /* BN_GRAD_DX: γ·s per channel */
} BnJob;

#define BN_PARALLEL_MIN (64 * 1024)

LL_VEC_LOOP static void
bn_task (int i, int n_tasks, gpointer data)
{
  const BnJob *job = data;
  const BnOp *self = job->self;
  int c = self->c;
  gsize r0 = job->rows * i / n_tasks, r1 = job->rows * (i + 1) / n_tasks;
  double *p = self->parts + (gsize) i * 2 * c, *q = p + c;
  const float *mean = self->mean, *inv_std = self->inv_std;

  switch (job->phase)
    {
    case BN_SUM:
      memset (p, 0, (gsize) c * sizeof (double));
      for (gsize r = r0; r < r1; r++)
        {
          const float *xr = job->x + r * c;
          for (int j = 0; j < c; j++)
            p[j] += xr[j];
        }
      break;
    case BN_SUM_SQ:
      memset (p, 0, (gsize) c * sizeof (double));
      for (gsize r = r0; r < r1; r++)
        {
          const float *xr = job->x + r * c;
          for (int j = 0; j < c; j++)
            {
              double d = xr[j] - mean[j];
              p[j] += d * d;
            }
        }
      break;
    case BN_APPLY:
      for (gsize r = r0; r < r1; r++)
        {
          const float *xr = job->x + r * c;
          float *yr = job->out + r * c;
          for (int j = 0; j < c; j++)
            yr[j] = job->a[j] * xr[j] + job->b[j];
        }
      break;
    case BN_GRAD_SUMS:
      memset (p, 0, 2 * (gsize) c * sizeof (double));
      for (gsize r = r0; r < r1; r++)
        {
          const float *xr = job->x + r * c, *dyr = job->dy + r * c;
          for (int j = 0; j < c; j++)
            {
              float xhat = (xr[j] - mean[j]) * inv_std[j];
              p[j] += dyr[j];
              q[j] += dyr[j] * xhat;
            }
        }
      break;
    case BN_GRAD_DX:
    default:
      {
        /* gamma·s per channel, computed by the caller after the means */
        const float *restrict gs = job->gamma, *restrict a = job->a, *restrict b = job->b;
        for (gsize r = r0; r < r1; r++)
          {
            const float *restrict xr = job->x + r * c, *restrict dyr = job->dy + r * c;
            float *restrict dxr = job->out + r * c;
            for (int j = 0; j < c; j++)
              {
                float xhat = (xr[j] - mean[j]) * inv_std[j];
                dxr[j] = gs[j] * (dyr[j] - a[j] - xhat * b[j]);
              }
          }
      }
      break;
    }
}

/* Runs one phase; for the summing phases, adds the parts into sums
 * (c doubles, or 2·c for BN_GRAD_SUMS). */
static void
bn_run (BnJob *job, double *sums)
{
  int c = job->self->c, width = job->phase == BN_GRAD_SUMS ? 2 * c : c;
  int tasks = job->rows * (gsize) c >= BN_PARALLEL_MIN
              ? (int) MIN ((gsize) ll_parallel_threads (), job->rows) : 1;

  if (tasks > 1)
    ll_parallel_run (tasks, bn_task, job);
  else
    bn_task (0, 1, job);
  if (sums == NULL)
    return;
  for (int j = 0; j < width; j++)
    {
      double t = 0.0;
      for (int k = 0; k < tasks; k++)
        t += job->self->parts[(gsize) k * 2 * c + j];
      sums[j] = t;
    }
}

static void
bn_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  BnOp *self = (BnOp *) op;
  int c = self->c;
  gsize rows = (gsize) batch * self->n;
  const float *gamma = self->i_gamma >= 0 ? op->w[self->i_gamma] : NULL;
  const float *beta = self->i_beta >= 0 ? op->w[self->i_beta] : NULL;
  float *moving_mean = op->w[self->i_mean], *moving_var = op->w[self->i_var];
  float *mean = self->mean, *inv_std = self->inv_std;
  double *sum = self->acc, *sum_sq = self->acc + c;

  if (ctx->training)
    {
      /* Two passes (mean, then squared deviations): accurate for large means. */
      BnJob job = { self, BN_SUM, rows, x, NULL, NULL, NULL, NULL, NULL };
      bn_run (&job, sum);
      for (int j = 0; j < c; j++)
        mean[j] = (float) (sum[j] / (double) rows);
      job.phase = BN_SUM_SQ;
      bn_run (&job, sum_sq);
      for (int j = 0; j < c; j++)
        {
          /* Biased variance normalizes and, as in Keras 3, feeds the moving average. */
          double var = sum_sq[j] / (double) rows;
          inv_std[j] = (float) (1.0 / sqrt (var + self->epsilon));
          self->var[j] = (float) var;
          moving_mean[j] = self->momentum * moving_mean[j] + (1.0f - self->momentum) * mean[j];
          moving_var[j] = (float) (self->momentum * moving_var[j]
                                   + (1.0 - self->momentum) * var);
        }
      self->have_stats = TRUE;
    }

  /* Fold into y = a·x + b per channel; acc is free again, reuse it as floats.
   * Evaluation leaves the saved batch statistics for backward untouched. */
  {
    float *a = (float *) self->acc, *b = a + c;
    for (int j = 0; j < c; j++)
      {
        float m = ctx->training ? mean[j] : moving_mean[j];
        float s = ctx->training ? inv_std[j]
                                : (float) (1.0 / sqrt ((double) moving_var[j] + self->epsilon));
        a[j] = (gamma != NULL ? gamma[j] : 1.0f) * s;
        b[j] = (beta != NULL ? beta[j] : 0.0f) - a[j] * m;
      }
    BnJob job = { self, BN_APPLY, rows, x, NULL, y, a, b, NULL };
    bn_run (&job, NULL);
  }
}

static void
bn_backward (LlOp *op, const LlContext *ctx, int batch,
             const float *x, const float *y, const float *dy, float *dx)
{
  BnOp *self = (BnOp *) op;
  int c = self->c;
  gsize rows = (gsize) batch * self->n;
  const float *gamma = self->i_gamma >= 0 ? op->w[self->i_gamma] : NULL;
  double *sum_dy = self->acc, *sum_dy_xhat = self->acc + c;

  if (!ctx->training)
    {
      /* Frozen statistics (evaluation mode): the layer is affine per channel. */
      const float *moving_var = op->w[self->i_var];
      for (int j = 0; j < c; j++)
        {
          sum_dy[j] = 0.0;
          sum_dy_xhat[j] = 0.0;
        }
      for (gsize r = 0; r < rows; r++)
        for (int j = 0; j < c; j++)
          {
            double xhat = (x[r * c + j] - op->w[self->i_mean][j])
                          / sqrt ((double) moving_var[j] + self->epsilon);
            sum_dy[j] += dy[r * c + j];
            sum_dy_xhat[j] += dy[r * c + j] * xhat;
          }
      if (self->i_gamma >= 0)
        for (int j = 0; j < c; j++)
          op->g[self->i_gamma][j] = (float) sum_dy_xhat[j];
      if (self->i_beta >= 0)
        for (int j = 0; j < c; j++)
          op->g[self->i_beta][j] = (float) sum_dy[j];
      if (dx != NULL)
        for (gsize r = 0; r < rows; r++)
          for (int j = 0; j < c; j++)
            dx[r * c + j] = dy[r * c + j] * (gamma != NULL ? gamma[j] : 1.0f)
                            / sqrtf (moving_var[j] + self->epsilon);
      return;
    }

  /* x̂ = (x − μ)·s with s = 1/√(σ² + ε); dβ = Σ dy; dγ = Σ dy·x̂;
   * dx = γ·s/N · (N·dy − dβ − x̂·dγ), the statistics being functions of x. */
  BnJob job = { self, BN_GRAD_SUMS, rows, x, dy, NULL, NULL, NULL, NULL };
  bn_run (&job, self->acc);
  if (self->i_gamma >= 0)
    for (int j = 0; j < c; j++)
      op->g[self->i_gamma][j] = (float) sum_dy_xhat[j];
  if (self->i_beta >= 0)
    for (int j = 0; j < c; j++)
      op->g[self->i_beta][j] = (float) sum_dy[j];
  if (dx == NULL)
    return;
  {
    /* Per-channel means of dy and dy·x̂, as floats, where the parts were. */
    float *m_dy = (float *) self->parts, *m_dy_xhat = m_dy + c, *gs = m_dy + 2 * c;
    for (int j = 0; j < c; j++)
      {
        float a = (float) (sum_dy[j] / (double) rows), b = (float) (sum_dy_xhat[j] / (double) rows);
        m_dy[j] = a;
        m_dy_xhat[j] = b;
        gs[j] = (gamma != NULL ? gamma[j] : 1.0f) * self->inv_std[j];
      }
    job = (BnJob) { self, BN_GRAD_DX, rows, x, dy, dx, m_dy, m_dy_xhat, gs };
    bn_run (&job, NULL);
  }
}

static const LlOpClass bn_op_class = {
  .name = "batch_normalization",
  .plan = bn_plan,
  .forward = bn_forward,
  .backward = bn_backward,
  .finalize = bn_finalize,
  .per_sample = TRUE,
};

gboolean
ll_op_batch_norm_statistics (const LlOp *op, const float **mean, const float **var)
{
  const BnOp *self = (const BnOp *) op;

  g_return_val_if_fail (op != NULL, FALSE);
  if (op->klass != &bn_op_class || !self->have_stats)
    return FALSE;
  if (mean != NULL)
    *mean = self->mean;
  if (var != NULL)
    *var = self->var;
  return TRUE;
}

static LlOp *
bn_build (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  BnOp *self = g_malloc0 (sizeof (BnOp));
  int n = 0;

  self->parent.klass = &bn_op_class;
  self->parent.in = *in;
  self->parent.out = *out;
  self->c = in->d[in->rank - 1];
  self->n = (int) (ll_shape_size (in) / (gsize) self->c);
  self->momentum = (float) spec->v[BN_MOMENTUM];
  self->epsilon = (float) spec->v[BN_EPSILON];
  self->i_gamma = spec->v[BN_SCALE] ? n++ : -1;
  self->i_beta = spec->v[BN_CENTER] ? n++ : -1;
  self->i_mean = n++;
  self->i_var = n++;
  self->parent.n_weights = n;
  return &self->parent;
}

const LlLayerType ll_layer_batch_normalization = {
  .name = "BatchNormalization",
  .description = N_("Rescales each channel to mean 0 and variance 1 over the batch: faster, steadier training."),
  .params = bn_params,
  .n_params = G_N_ELEMENTS (bn_params),
  .infer = bn_infer,
  .weights = bn_weights,
  .build = bn_build,
  .backends = { [LL_BACKEND_KERAS] = LL_BACKEND_SUPPORTED, [LL_BACKEND_PYTORCH] = LL_BACKEND_SUPPORTED,
                [LL_BACKEND_C] = LL_BACKEND_SUPPORTED, [LL_BACKEND_ONNX] = LL_BACKEND_SUPPORTED },
};
