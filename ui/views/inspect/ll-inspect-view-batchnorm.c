/* ll-inspect-view-batchnorm.c: the Inspect view's batch-norm page: a
 * batch's statistics against each BatchNormalization layer's moving
 * averages. */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

static const int bn_batch_sizes[] = { 8, 32, 128 };

/* Batch-norm inspector ------------------------------------------------------ */

enum { BN_MEAN, BN_MOVING_MEAN, BN_VAR, BN_MOVING_VAR, BN_GAMMA, BN_BETA, BN_N };

typedef struct {
  int channels;
  float *v[BN_N];               /* NULL when the layer has no such weight */
} BnDraw;

static void
bn_draw_free (gpointer data)
{
  BnDraw *d = data;

  for (int k = 0; k < BN_N; k++)
    g_free (d->v[k]);
  g_free (d);
}

#define BN_ROW_H 64
#define BN_LEFT 150

/* One row of per-channel bars (a), with b (nullable) as ticks on the same scale. */
static void
bn_row (cairo_t *cr, GtkWidget *widget, const BnDraw *d, int row, const char *title,
        const float *a, const float *b, double cw)
{
  double top = row * (BN_ROW_H + 8), mid, scale;
  float most = 1e-12f;
  gboolean positive = TRUE;
  PangoLayout *layout;
  GdkRGBA fg;
  g_autofree char *text = NULL;

  for (int c = 0; c < d->channels; c++)
    {
      most = MAX (most, fabsf (a[c]));
      if (b != NULL)
        most = MAX (most, fabsf (b[c]));
      positive = positive && a[c] >= 0 && (b == NULL || b[c] >= 0);
    }
  mid = positive ? top + BN_ROW_H : top + BN_ROW_H / 2.0;
  scale = (positive ? BN_ROW_H : BN_ROW_H / 2.0) / most;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_cairo_set_source_rgba (cr, &fg);
  text = g_strdup_printf ("%s\n%s%.3g", title, positive ? "0 … " : "± ", most > 1e-12f ? most : 0.0f);
  layout = gtk_widget_create_pango_layout (widget, text);
  cairo_move_to (cr, 0, top + 4);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_rectangle (cr, BN_LEFT, mid - 0.5, d->channels * cw, 1);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  for (int c = 0; c < d->channels; c++)
    {
      double h = a[c] * scale;
      cairo_rectangle (cr, BN_LEFT + c * cw, MIN (mid, mid - h), MAX (cw - 1, 1), fabs (h));
    }
  cairo_fill (cr);
  if (b != NULL)
    {
      cairo_set_source_rgb (cr, 0.9, 0.38, 0.0);
      for (int c = 0; c < d->channels; c++)
        cairo_rectangle (cr, BN_LEFT + c * cw - 1, mid - b[c] * scale - 1.5, cw + 1, 3);
      cairo_fill (cr);
    }
}

static void
draw_bn (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  BnDraw *d = data;
  double cw = MAX (1.0, MIN (12.0, (double) (width - BN_LEFT) / MAX (d->channels, 1)));
  int row = 0;

  bn_row (cr, GTK_WIDGET (area), d, row++, _("mean: batch (bars),\nmoving (orange)"), d->v[BN_MEAN],
          d->v[BN_MOVING_MEAN], cw);
  bn_row (cr, GTK_WIDGET (area), d, row++, _("variance: batch,\nmoving (orange)"), d->v[BN_VAR],
          d->v[BN_MOVING_VAR], cw);
  if (d->v[BN_GAMMA] != NULL)
    bn_row (cr, GTK_WIDGET (area), d, row++, _("gamma (scale)"), d->v[BN_GAMMA], NULL, cw);
  if (d->v[BN_BETA] != NULL)
    bn_row (cr, GTK_WIDGET (area), d, row++, _("beta (shift)"), d->v[BN_BETA], NULL, cw);
}

static int
bn_batch_size (LlInspectView *self)
{
  guint i = gtk_drop_down_get_selected (self->bn_batch_dropdown);

  return bn_batch_sizes[i < G_N_ELEMENTS (bn_batch_sizes) ? i : 1];
}

/* The statistics come from the engine (ll_inspect_batchnorm) on a worker
 * thread: a copy of the model and of the batch's images go with it, the
 * view only weakly; a result for an older request or a gone view is
 * dropped.  The panels of the last result stay until the next arrives. */

typedef struct {
  GWeakRef view;
  GCancellable *cancellable;    /* the view's bn_cancellable when started */
  LlModel *model;
  LlDataset *batch;
  guint first;                  /* number of the batch's first test image */
} BnJob;

static void
bn_job_free (BnJob *job)
{
  g_weak_ref_clear (&job->view);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->model, ll_model_free);
  g_clear_pointer (&job->batch, ll_dataset_free);
  g_free (job);
}

static void
bn_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  BnJob *job = data;
  GError *error = NULL;
  LlBnStats *stats = ll_inspect_batchnorm (job->model, job->batch, job->batch->n, 0, &error);

  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) ll_bn_stats_free);
}

static float *
dup_floats (const float *v, int n)
{
  return v != NULL ? g_memdup2 (v, (gsize) n * sizeof (float)) : NULL;
}

static void
show_bn_stats (LlInspectView *self, const BnJob *job)
{
  const LlArch *arch = ll_model_get_arch (job->model);
  g_autofree char *text = NULL;

  ll_inspect_view_clear_box (self->bn_panels, NULL);
  text = g_strdup_printf (_("A batch of %d test images (from number %u), predicted in evaluation "
                          "mode. While training, each layer normalizes with the batch's own "
                          "statistics (blue) and updates the moving averages (orange) that it "
                          "uses when predicting. Smaller batches give noisier statistics."),
                          self->bn_stats->batch, job->first);
  gtk_label_set_text (self->bn_label, text);
  for (int k = 0; k < self->bn_stats->n_layers; k++)
    {
      const LlBnLayerStats *l = &self->bn_stats->layers[k];
      BnDraw *d = g_new0 (BnDraw, 1);
      GtkWidget *area = gtk_drawing_area_new ();
      g_autofree char *name = ll_arch_layer_name (arch, l->layer);
      g_autofree char *title = g_strdup_printf (_("%s (BatchNormalization)"), name);
      g_autofree char *sub = g_strdup_printf (_("%d channels; mean |batch − moving mean| %.3g, "
                                              "batch / moving variance %.2f on average"),
                                              l->channels, l->mean_gap, l->var_ratio);

      d->channels = l->channels;
      d->v[BN_MEAN] = dup_floats (l->mean, l->channels);
      d->v[BN_VAR] = dup_floats (l->var, l->channels);
      d->v[BN_MOVING_MEAN] = dup_floats (l->moving_mean, l->channels);
      d->v[BN_MOVING_VAR] = dup_floats (l->moving_var, l->channels);
      d->v[BN_GAMMA] = dup_floats (l->gamma, l->channels);
      d->v[BN_BETA] = dup_floats (l->beta, l->channels);
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), BN_LEFT + MIN (l->channels * 8, 1000));
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area),
                                           (2 + (d->v[BN_GAMMA] != NULL) + (d->v[BN_BETA] != NULL))
                                           * (BN_ROW_H + 8));
      gtk_widget_set_halign (area, GTK_ALIGN_START);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_bn, d, bn_draw_free);
      gtk_box_append (self->bn_panels, ll_inspect_view_panel_new (self, title, sub, area));
    }
}

static void
bn_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BnJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(LlInspectView) self = g_weak_ref_get (&job->view);
  g_autoptr(GError) error = NULL;
  LlBnStats *stats = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL || self->bn_cancellable != job->cancellable)
    {
      ll_bn_stats_free (stats);
      return;
    }
  g_clear_object (&self->bn_cancellable);
  g_clear_pointer (&self->bn_stats, ll_bn_stats_free);
  if (stats == NULL)
    {
      ll_inspect_view_clear_box (self->bn_panels, NULL);
      gtk_label_set_text (self->bn_label, error->message);
      return;
    }
  self->bn_stats = stats;
  show_bn_stats (self, job);
}

/* Forwards a batch of test images in evaluation mode through a copy of the
 * model and compares, per BatchNormalization layer and channel, the
 * statistics of that batch with the moving averages the layer predicts with. */
void
ll_inspect_view_update_batchnorm (LlInspectView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  BnJob *job;
  gsize sample;
  int batch;

  if (self->bn_cancellable != NULL)
    g_cancellable_cancel (self->bn_cancellable);
  g_clear_object (&self->bn_cancellable);
  if (self->model == NULL || self->test == NULL)
    {
      ll_inspect_view_clear_box (self->bn_panels, NULL);
      g_clear_pointer (&self->bn_stats, ll_bn_stats_free);
      return;
    }
  /* The batch's images only: a copy the worker owns. */
  batch = MIN (bn_batch_size (self), self->test->n);
  sample = ll_dataset_sample_size (self->test);
  job = g_new0 (BnJob, 1);
  g_weak_ref_init (&job->view, self);
  job->first = self->bn_offset;
  job->batch = ll_dataset_new (self->test->name, batch, self->test->height, self->test->width,
                               self->test->channels, self->test->n_classes, &error);
  if (job->batch == NULL)
    {
      gtk_label_set_text (self->bn_label, error->message);
      bn_job_free (job);
      return;
    }
  job->model = ll_model_copy (self->model);
  for (int k = 0; k < batch; k++)
    {
      guint i = (self->bn_offset + (guint) k) % (guint) self->test->n;

      memcpy (job->batch->images + (gsize) k * sample, self->test->images + (gsize) i * sample, sample);
      job->batch->labels[k] = self->test->labels[i];
    }
  self->bn_cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (self->bn_cancellable);
  task = g_task_new (NULL, self->bn_cancellable, bn_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) bn_job_free);
  g_task_run_in_thread (task, bn_thread);
}

void
ll_inspect_view_on_bn_batch_changed (LlInspectView *self)
{
  if (!self->updating_controls)
    ll_inspect_view_update_batchnorm (self);
}

void
ll_inspect_view_on_bn_new_batch (GtkButton *button, LlInspectView *self)
{
  if (self->test != NULL)
    self->bn_offset = (guint) g_random_int_range (0, self->test->n);
  ll_inspect_view_update_batchnorm (self);
}

