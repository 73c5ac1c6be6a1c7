/* ll-landscape.c: filter-normalised 2-D slices of a model's loss.
 *
 * Directions are drawn from a normal distribution with the engine's RNG
 * (reproducible from the seed), then rescaled per output unit.  Keras
 * lays kernels out with the output axis last, so the unit of flat element
 * k of a weight is k % dims[rank − 1]. */
#include "ll-landscape.h"

#include <math.h>
#include <string.h>

#include "ll-layer.h"
#include "ll-parallel.h"
#include "ll-rng.h"
#include <glib/gi18n-lib.h>

#define MAX_BATCH 256

struct _LlLandscape {
  gsize n;
  float *center;
  float *dir[2];
  double gram[3];                 /* d0·d0, d0·d1, d1·d1 */
};

static void
normalise_direction (LlModel *model, float *dir, LlRng *rng, gboolean *any)
{
  float *params = ll_model_params (model);
  int n_layers = ll_model_n_layers (model);

  memset (dir, 0, ll_model_n_trainable (model) * sizeof (float));
  for (int l = 0; l < n_layers; l++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw = ll_model_layer_weights (model, l, views);

      for (int v = 0; v < nw; v++)
        {
          const LlWeightInfo *info = views[v].info;
          gsize size = ll_weight_info_size (info), offset;
          int units;
          g_autofree double *wnorm = NULL, *dnorm = NULL;
          float *d;

          if (!info->trainable || info->rank < 2)
            continue;
          offset = views[v].data - params;
          d = dir + offset;
          units = info->dims[info->rank - 1];
          wnorm = g_new0 (double, units);
          dnorm = g_new0 (double, units);
          for (gsize k = 0; k < size; k++)
            {
              d[k] = (float) ll_rng_normal (rng);
              wnorm[k % units] += (double) views[v].data[k] * views[v].data[k];
              dnorm[k % units] += (double) d[k] * d[k];
            }
          for (gsize k = 0; k < size; k++)
            {
              int u = k % units;
              d[k] = dnorm[u] > 0 ? (float) (d[k] * sqrt (wnorm[u] / dnorm[u])) : 0.f;
            }
          *any = TRUE;
        }
    }
}

static double
dot (const float *a, const float *b, gsize n)
{
  double s = 0;
  for (gsize i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

LlLandscape *
ll_landscape_new (LlModel *model, guint64 seed, GError **error)
{
  LlRng rng;
  LlLandscape *ls;
  gboolean any = FALSE;

  g_return_val_if_fail (model != NULL, NULL);

  ls = g_new0 (LlLandscape, 1);
  ls->n = ll_model_n_trainable (model);
  ls->center = g_memdup2 (ll_model_params (model), ls->n * sizeof (float));
  ll_rng_seed (&rng, seed);
  for (int i = 0; i < 2; i++)
    {
      ls->dir[i] = g_new (float, MAX (ls->n, 1));
      normalise_direction (model, ls->dir[i], &rng, &any);
    }
  if (!any)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The model has no kernel to move along: add a Dense or Conv2D layer"));
      ll_landscape_free (ls);
      return NULL;
    }
  ls->gram[0] = dot (ls->dir[0], ls->dir[0], ls->n);
  ls->gram[1] = dot (ls->dir[0], ls->dir[1], ls->n);
  ls->gram[2] = dot (ls->dir[1], ls->dir[1], ls->n);
  return ls;
}

void
ll_landscape_free (LlLandscape *ls)
{
  if (ls == NULL)
    return;
  g_free (ls->center);
  g_free (ls->dir[0]);
  g_free (ls->dir[1]);
  g_free (ls);
}

gsize
ll_landscape_n_params (const LlLandscape *ls)
{
  return ls->n;
}

const float *
ll_landscape_direction (const LlLandscape *ls, int which)
{
  g_return_val_if_fail (which == 0 || which == 1, NULL);
  return ls->dir[which];
}

const float *
ll_landscape_center (const LlLandscape *ls)
{
  return ls->center;
}

static void
set_weights (LlLandscape *ls, LlModel *model, double alpha, double beta)
{
  float *w = ll_model_params (model);

  for (gsize i = 0; i < ls->n; i++)
    w[i] = (float) (ls->center[i] + alpha * ls->dir[0][i] + beta * ls->dir[1][i]);
}

/* The images and labels of ds as the model reads them, converted once for
 * all the points of a grid (when they take at most CACHE_BYTES), else
 * batch by batch at every point. */
#define CACHE_BYTES (64 << 20)

typedef struct {
  const LlDataset *ds;
  float *x;                        /* all images, or one batch */
  gint32 *labels;
  guint32 *indices;
  gboolean cached;
} Batches;

static void
batches_init (Batches *b, const LlDataset *ds)
{
  gsize sample = ll_dataset_sample_size (ds);

  b->ds = ds;
  b->cached = (gsize) ds->n * (sample + 1) * sizeof (float) <= CACHE_BYTES;
  if (b->cached)
    {
      b->x = g_new (float, (gsize) ds->n * sample);
      b->labels = g_new (gint32, ds->n);
      b->indices = g_new (guint32, ds->n);
      for (int i = 0; i < ds->n; i++)
        b->indices[i] = i;
      ll_dataset_fill_batch (ds, b->indices, ds->n, b->x, b->labels);
    }
  else
    {
      b->x = g_new (float, (gsize) MIN (ds->n, MAX_BATCH) * sample);
      b->labels = g_new (gint32, MIN (ds->n, MAX_BATCH));
      b->indices = g_new (guint32, MIN (ds->n, MAX_BATCH));
    }
}

static void
batches_clear (Batches *b)
{
  g_clear_pointer (&b->x, g_free);
  g_clear_pointer (&b->labels, g_free);
  g_clear_pointer (&b->indices, g_free);
}

/* Mean loss over the data with the weights the model has now. */
static double
mean_loss (LlModel *model, Batches *b, LlLossKind loss)
{
  const LlDataset *ds = b->ds;
  gsize sample = ll_dataset_sample_size (ds);
  double sum = 0;

  for (int start = 0; start < ds->n; start += MAX_BATCH)
    {
      int count = MIN (MAX_BATCH, ds->n - start);
      const float *x = b->x;
      const gint32 *labels = b->labels;

      if (b->cached)
        {
          x += (gsize) start * sample;
          labels += start;
        }
      else
        {
          for (int i = 0; i < count; i++)
            b->indices[i] = start + i;
          ll_dataset_fill_batch (ds, b->indices, count, b->x, b->labels);
        }
      ll_model_forward (model, count, x, FALSE, NULL);
      sum += ll_model_loss (model, loss, count, labels, NULL) * count;
    }
  return sum / ds->n;
}

static gboolean
check_args (LlLandscape *ls, LlModel *model, const LlDataset *ds, GError **error)
{
  LlShape in = ll_model_input_shape (model);

  if (ll_model_n_trainable (model) != ls->n)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The model changed since the landscape was made: compute it again"));
      return FALSE;
    }
  if (ds == NULL || ds->n < 1 || ll_dataset_sample_size (ds) != ll_shape_size (&in))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The data do not fit the model's input: choose the data set it was built for"));
      return FALSE;
    }
  return ll_model_plan (model, MIN (ds->n, MAX_BATCH), error);
}

/* The grid is shared out point by point over the engine's threads, each
 * with its own copy of the model (made once per call, not per point), so
 * that a core never waits for the other between layers; the operators'
 * own splitting then runs on the one thread that asked (ll-parallel.h).
 * A point's loss does not depend on which thread computed it. */
typedef struct {
  LlLandscape *ls;
  LlModel **models;                /* one per task: the caller's model, then copies */
  Batches *batches;                /* one per task (they share cached images) */
  LlLossKind loss;
  const LlControl *control;
  double span;
  int n;
  double *grid;
  gint next;                       /* the next point to take */
  gint *row_done;                  /* points finished in each row */
  gint stopped;                    /* cancelled: take no more points */
  GThread *caller;                 /* reports progress, as it did alone */
  int reported;                    /* rows reported so far */
  LlLandscapeProgress progress;
  gpointer user_data;
} GridJob;

/* Reports the rows finished, in order; on the caller's thread only. */
static void
grid_report (GridJob *job)
{
  while (job->reported < job->n && g_atomic_int_get (&job->row_done[job->reported]) == job->n)
    {
      job->reported++;
      if (job->progress != NULL)
        job->progress (job->reported, job->n, job->user_data);
    }
}

static void
grid_task (int t, int n_tasks, gpointer data)
{
  GridJob *job = data;
  LlModel *model = job->models[t];
  int n = job->n;

  for (;;)
    {
      int p = g_atomic_int_add (&job->next, 1), i = p % n, j = p / n;

      if (p >= n * n || g_atomic_int_get (&job->stopped))
        break;
      if (ll_control_is_cancelled (job->control))
        {
          g_atomic_int_set (&job->stopped, 1);
          break;
        }
      set_weights (job->ls, model, -job->span + 2 * job->span * i / (n - 1),
                   -job->span + 2 * job->span * j / (n - 1));
      job->grid[p] = mean_loss (model, &job->batches[t], job->loss);
      g_atomic_int_inc (&job->row_done[j]);
      if (g_thread_self () == job->caller)
        grid_report (job);
    }
}

double *
ll_landscape_evaluate (LlLandscape *ls, LlModel *model, const LlDataset *ds, LlLossKind loss,
                       double span, int n, LlLandscapeProgress progress, gpointer user_data,
                       const LlControl *control, GError **error)
{
  GridJob job = { 0 };
  int n_tasks;
  gboolean ok = TRUE;

  g_return_val_if_fail (ls != NULL && model != NULL, NULL);
  if (n < 2 || !(span > 0))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("A landscape needs at least 2 × 2 points and a positive span"));
      return NULL;
    }
  if (!check_args (ls, model, ds, error))
    return NULL;

  n_tasks = MIN (ll_parallel_threads (), n * n);
  job.ls = ls;
  job.loss = loss;
  job.control = control;
  job.span = span;
  job.n = n;
  job.progress = progress;
  job.user_data = user_data;
  job.caller = g_thread_self ();
  job.grid = g_new (double, (gsize) n * n);
  job.row_done = g_new0 (gint, n);
  job.models = g_new0 (LlModel *, n_tasks);
  job.batches = g_new0 (Batches, n_tasks);
  job.models[0] = model;
  batches_init (&job.batches[0], ds);
  for (int t = 1; t < n_tasks && ok; t++)
    {
      job.models[t] = ll_model_copy (model);
      ok = ll_model_plan (job.models[t], MIN (ds->n, MAX_BATCH), error);
      /* Cached images are read only: one copy for all. */
      if (job.batches[0].cached)
        job.batches[t] = (Batches) { ds, job.batches[0].x, job.batches[0].labels, NULL, TRUE };
      else
        batches_init (&job.batches[t], ds);
    }
  if (ok)
    {
      ll_parallel_run (n_tasks, grid_task, &job);
      grid_report (&job);
      /* A cancel counts also when it came after the last point was taken
       * (the other thread may finish the grid while the caller reports):
       * a cancelled landscape is never returned. */
      ok = ll_control_check (control, error);
    }

  memcpy (ll_model_params (model), ls->center, ls->n * sizeof (float));
  for (int t = 0; t < n_tasks; t++)
    {
      if (t == 0 || !job.batches[0].cached)
        batches_clear (&job.batches[t]);
      if (t > 0)
        g_clear_pointer (&job.models[t], ll_model_free);
    }
  g_free (job.models);
  g_free (job.batches);
  g_free (job.row_done);
  if (!ok)
    g_clear_pointer (&job.grid, g_free);
  return job.grid;
}

double
ll_landscape_loss_at (LlLandscape *ls, LlModel *model, const LlDataset *ds, LlLossKind loss,
                      double alpha, double beta, GError **error)
{
  Batches batches;
  double value;

  g_return_val_if_fail (ls != NULL && model != NULL, NAN);
  if (!check_args (ls, model, ds, error))
    return NAN;
  batches_init (&batches, ds);
  set_weights (ls, model, alpha, beta);
  value = mean_loss (model, &batches, loss);
  batches_clear (&batches);
  memcpy (ll_model_params (model), ls->center, ls->n * sizeof (float));
  return value;
}

void
ll_landscape_project (const LlLandscape *ls, const float *weights, double *alpha, double *beta)
{
  double b0 = 0, b1 = 0, det;

  for (gsize i = 0; i < ls->n; i++)
    {
      double delta = (double) weights[i] - ls->center[i];
      b0 += delta * ls->dir[0][i];
      b1 += delta * ls->dir[1][i];
    }
  det = ls->gram[0] * ls->gram[2] - ls->gram[1] * ls->gram[1];
  if (!(fabs (det) > 0))
    {
      *alpha = *beta = 0;
      return;
    }
  *alpha = (b0 * ls->gram[2] - b1 * ls->gram[1]) / det;
  *beta = (b1 * ls->gram[0] - b0 * ls->gram[1]) / det;
}
