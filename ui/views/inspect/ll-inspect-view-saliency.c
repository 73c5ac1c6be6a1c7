/* ll-inspect-view-saliency.c: the Inspect view's gradient saliency map
 * and occlusion map (a worker). */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>

/* Gradient saliency ------------------------------------------------------- */

/* The engine's gradient saliency (ll_inspect_saliency): one backward pass
 * on the private copy, cheap enough for the main thread. */
void
ll_inspect_view_update_saliency (LlInspectView *self, int cls)
{
  LlShape in = ll_model_input_shape (self->model);
  g_autofree float *map = NULL;
  g_autoptr(GError) error = NULL;

  if (in.rank != 3)
    {
      ll_feature_grid_clear (self->saliency_grid);
      return;
    }
  map = g_new (float, (gsize) in.d[0] * in.d[1]);
  if (!ll_inspect_saliency (self->model, self->x, cls, map, &error))
    {
      ll_feature_grid_clear (self->saliency_grid);
      gtk_label_set_text (self->status_label, error->message);
      return;
    }
  ll_feature_grid_set_tiles (self->saliency_grid, map, 1, in.d[0], in.d[1], 1);
}

int
ll_inspect_view_predicted_class (LlInspectView *self)
{
  const float *probs = ll_model_forward (self->model, 1, self->x, FALSE, NULL);
  int n_out = ll_model_output_shape (self->model).d[0], best = 0;

  for (int k = 1; k < n_out; k++)
    if (probs[k] > probs[best])
      best = k;
  return best;
}

/* Occlusion (worker) ------------------------------------------------------- */

typedef struct {
  LlModel *model;
  float *x;
  int cls;
  int map_h, map_w;
} OcclusionJob;

static void
occlusion_job_free (OcclusionJob *job)
{
  ll_model_free (job->model);
  g_free (job->x);
  g_free (job);
}

static void
occlusion_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  OcclusionJob *job = data;
  GError *error = NULL;
  float *map = g_new (float, (gsize) job->map_h * job->map_w);

  if (!ll_inspect_occlusion (job->model, job->x, job->cls, OCC_PATCH, OCC_STRIDE, 0.0f, map, NULL, &error))
    {
      g_free (map);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, map, g_free);
}

static void
occlusion_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LlInspectView) self = user_data;   /* the view, dropped here on the main thread */
  OcclusionJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree float *map = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  g_clear_object (&self->occlusion_cancellable);
  if (map == NULL)
    {
      ll_feature_grid_clear (self->occlusion_grid);
      return;
    }
  ll_feature_grid_set_tiles (self->occlusion_grid, map, 1, job->map_h, job->map_w, 1);
}

void
ll_inspect_view_start_occlusion (LlInspectView *self)
{
  OcclusionJob *job;
  GTask *task;
  LlShape in = ll_model_input_shape (self->model);
  const float *probs;
  int n_out = ll_model_output_shape (self->model).d[0];

  if (self->occlusion_cancellable != NULL)
    g_cancellable_cancel (self->occlusion_cancellable);
  g_clear_object (&self->occlusion_cancellable);
  if (in.rank != 3)
    {
      ll_feature_grid_clear (self->occlusion_grid);
      return;
    }
  job = g_new0 (OcclusionJob, 1);
  job->model = ll_model_copy (self->model);
  job->x = g_memdup2 (self->x, ll_shape_size (&in) * sizeof (float));
  probs = ll_model_forward (self->model, 1, self->x, FALSE, NULL);
  for (int k = 1; k < n_out; k++)
    if (probs[k] > probs[job->cls])
      job->cls = k;
  ll_inspect_occlusion_size (self->model, OCC_STRIDE, &job->map_h, &job->map_w);

  self->occlusion_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->occlusion_cancellable, occlusion_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) occlusion_job_free);
  g_task_run_in_thread (task, occlusion_thread);
  g_object_unref (task);
}

