/* ll-inspect.c: confusion matrix, occlusion maps and histograms (see
 * ll-inspect.h).  Only forward passes in evaluation mode. */
#include "ll-inspect.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

static int
argmax (const float *r, int n)
{
  int best = 0;

  if (n == 1)
    return r[0] > 0.5f;
  for (int j = 1; j < n; j++)
    if (r[j] > r[best])
      best = j;
  return best;
}

void
ll_confusion_free (LlConfusion *c)
{
  if (c == NULL)
    return;
  g_free (c->matrix);
  g_free (c->labels);
  g_free (c->predicted);
  g_free (c->confidence);
  g_free (c);
}

LlConfusion *
ll_inspect_confusion (LlModel *model, const LlDataset *ds, int batch_size,
                      const LlControl *control, GError **error)
{
  g_autoptr(LlConfusion) c = NULL;
  g_autofree float *x = NULL;
  g_autofree guint32 *idx = NULL;
  LlShape in, out;
  int n_out, n_classes;

  g_return_val_if_fail (model != NULL && ds != NULL, NULL);

  in = ll_model_input_shape (model);
  out = ll_model_output_shape (model);
  if (ll_shape_size (&in) != ll_dataset_sample_size (ds))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model takes %zu values per image but “%s” images have %zu: "
                   "pick a data set that matches the Input layer"),
                   (size_t) ll_shape_size (&in), ds->name, (size_t) ll_dataset_sample_size (ds));
      return NULL;
    }
  n_out = (int) ll_shape_size (&out);
  n_classes = n_out == 1 ? 2 : n_out;
  if (n_classes < ds->n_classes)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model has %d outputs but “%s” has %d classes: set the last Dense "
                   "layer to %d units"), n_out, ds->name, ds->n_classes, ds->n_classes);
      return NULL;
    }
  batch_size = CLAMP (batch_size, 1, MAX (ds->n, 1));
  if (!ll_model_plan (model, batch_size, error))
    return NULL;

  c = g_new0 (LlConfusion, 1);
  c->n_classes = n_classes;
  c->n = ds->n;
  c->matrix = g_new0 (guint32, (gsize) n_classes * n_classes);
  c->labels = g_memdup2 (ds->labels, (gsize) ds->n);
  c->predicted = g_new (gint32, MAX (ds->n, 1));
  c->confidence = g_new (float, MAX (ds->n, 1));

  x = g_new (float, (gsize) batch_size * ll_dataset_sample_size (ds));
  idx = g_new (guint32, batch_size);
  for (int b = 0; b < ds->n; b += batch_size)
    {
      int n = MIN (batch_size, ds->n - b);
      const float *y;

      if (!ll_control_check (control, error))
        return NULL;
      for (int k = 0; k < n; k++)
        idx[k] = (guint32) (b + k);
      ll_dataset_fill_batch (ds, idx, n, x, NULL);
      y = ll_model_forward (model, n, x, FALSE, NULL);
      for (int k = 0; k < n; k++)
        {
          const float *r = y + (gsize) k * n_out;
          int p = argmax (r, n_out);
          int t = ds->labels[b + k];

          c->predicted[b + k] = p;
          c->confidence[b + k] = n_out == 1 ? (p ? r[0] : 1.0f - r[0]) : r[p];
          if (t < n_classes)
            c->matrix[(gsize) t * n_classes + p]++;
        }
    }
  return g_steal_pointer (&c);
}

guint32
ll_confusion_total (const LlConfusion *c)
{
  guint32 total = 0;

  for (int i = 0; i < c->n_classes * c->n_classes; i++)
    total += c->matrix[i];
  return total;
}

double
ll_confusion_accuracy (const LlConfusion *c)
{
  guint32 total = ll_confusion_total (c), right = 0;

  for (int i = 0; i < c->n_classes; i++)
    right += c->matrix[i * c->n_classes + i];
  return total > 0 ? (double) right / total : NAN;
}

double
ll_confusion_class_accuracy (const LlConfusion *c, int cls)
{
  guint32 row = 0;

  g_return_val_if_fail (cls >= 0 && cls < c->n_classes, NAN);
  for (int j = 0; j < c->n_classes; j++)
    row += c->matrix[cls * c->n_classes + j];
  return row > 0 ? (double) c->matrix[cls * c->n_classes + cls] / row : NAN;
}

/* Keeps the max most confident of the selected images, by insertion: max is small. */
static int
select_most_confident (const LlConfusion *c, int true_class, int predicted_class,
                       gboolean wrong_only, guint32 *out, int max)
{
  int count = 0;

  for (int i = 0; i < c->n; i++)
    {
      int pos;

      if (wrong_only ? c->predicted[i] == c->labels[i]
                     : (c->labels[i] != true_class || c->predicted[i] != predicted_class))
        continue;
      if (count == max && c->confidence[i] <= c->confidence[out[count - 1]])
        continue;
      pos = count < max ? count++ : count - 1;
      while (pos > 0 && c->confidence[out[pos - 1]] < c->confidence[i])
        {
          out[pos] = out[pos - 1];
          pos--;
        }
      out[pos] = (guint32) i;
    }
  return count;
}

int
ll_confusion_cell_images (const LlConfusion *c, int true_class, int predicted_class,
                          guint32 *out, int max)
{
  g_return_val_if_fail (c != NULL && max >= 0, 0);
  if (max == 0)
    return 0;
  return select_most_confident (c, true_class, predicted_class, FALSE, out, max);
}

int
ll_confusion_most_wrong (const LlConfusion *c, guint32 *out, int max)
{
  g_return_val_if_fail (c != NULL && max >= 0, 0);
  if (max == 0)
    return 0;
  return select_most_confident (c, -1, -1, TRUE, out, max);
}

void
ll_inspect_occlusion_size (const LlModel *model, int stride, int *map_h, int *map_w)
{
  LlShape in = ll_model_input_shape (model);
  int h = in.rank == 3 ? in.d[0] : 1;
  int w = in.rank == 3 ? in.d[1] : in.d[0];

  stride = MAX (stride, 1);
  *map_h = (h + stride - 1) / stride;
  *map_w = (w + stride - 1) / stride;
}

gboolean
ll_inspect_occlusion (LlModel *model, const float *x, int cls, int patch, int stride,
                      float fill, float *map, float *base_prob, GError **error)
{
  LlShape in = ll_model_input_shape (model);
  gsize size = ll_shape_size (&in);
  LlShape out = ll_model_output_shape (model);
  int n_out = (int) ll_shape_size (&out);
  int h, w, ch, map_h, map_w, n;
  g_autofree float *batch = NULL;
  g_autofree float *probs = NULL;
  float base;

  g_return_val_if_fail (model != NULL && x != NULL && map != NULL, FALSE);
  if (in.rank != 3)
    {
      g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                           _("Occlusion needs an image input (height, width, channels)"));
      return FALSE;
    }
  if (cls < 0 || cls >= n_out || patch < 1 || stride < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("Occlusion needs a class below %d, a patch and a stride of at least 1"), n_out);
      return FALSE;
    }
  h = in.d[0];
  w = in.d[1];
  ch = in.d[2];
  ll_inspect_occlusion_size (model, stride, &map_h, &map_w);
  n = map_h * map_w + 1;

  /* All occluded copies in one batch, the original last. */
  batch = ll_alloc_floats ((gsize) n * size, _("occlusion batch"), error);
  if (batch == NULL)
    return FALSE;
  probs = g_new (float, (gsize) n * n_out);
  for (int my = 0; my < map_h; my++)
    for (int mx = 0; mx < map_w; mx++)
      {
        float *img = batch + (gsize) (my * map_w + mx) * size;
        int y0 = my * stride, x0 = mx * stride;

        memcpy (img, x, size * sizeof (float));
        for (int y = y0; y < MIN (y0 + patch, h); y++)
          for (int xx = x0; xx < MIN (x0 + patch, w); xx++)
            for (int c = 0; c < ch; c++)
              img[((gsize) y * w + xx) * ch + c] = fill;
      }
  memcpy (batch + (gsize) (n - 1) * size, x, size * sizeof (float));
  if (!ll_model_predict (model, n, batch, probs, error))
    return FALSE;

  base = probs[(gsize) (n - 1) * n_out + cls];
  for (int i = 0; i < n - 1; i++)
    map[i] = base - probs[(gsize) i * n_out + cls];
  if (base_prob != NULL)
    *base_prob = base;
  return TRUE;
}

gsize
ll_inspect_histogram (const float *v, gsize n, int n_bins, float *lo, float *hi, guint32 *counts)
{
  gsize counted = 0;
  float a = *lo, b = *hi;
  double scale;

  g_return_val_if_fail (n_bins > 0 && counts != NULL, 0);
  memset (counts, 0, (gsize) n_bins * sizeof (guint32));
  if (!(a < b))
    {
      gboolean any = FALSE;

      for (gsize i = 0; i < n; i++)
        if (isfinite (v[i]))
          {
            if (!any || v[i] < a)
              a = v[i];
            if (!any || v[i] > b)
              b = v[i];
            any = TRUE;
          }
      if (!any)
        a = b = 0;
      *lo = a;
      *hi = b;
    }
  scale = b > a ? n_bins / ((double) b - a) : 0;
  for (gsize i = 0; i < n; i++)
    {
      int k;

      if (!isfinite (v[i]) || v[i] < a || v[i] > b)
        continue;
      k = (int) (((double) v[i] - a) * scale);
      counts[MIN (k, n_bins - 1)]++;
      counted++;
    }
  return counted;
}

void
ll_inspect_channel_stats (const float *x, gsize n_rows, int channels, float *mean, float *var)
{
  g_autofree double *sum = NULL;
  g_autofree double *sq = NULL;

  g_return_if_fail (channels > 0 && mean != NULL && var != NULL);
  g_return_if_fail (x != NULL || n_rows == 0);

  sum = g_new0 (double, channels);
  sq = g_new0 (double, channels);
  /* Two passes: the mean first, then squared deviations, which loses no
   * precision when the mean is large beside the spread. */
  for (gsize r = 0; r < n_rows; r++)
    for (int c = 0; c < channels; c++)
      sum[c] += x[r * channels + c];
  for (int c = 0; c < channels; c++)
    sum[c] = n_rows > 0 ? sum[c] / n_rows : 0;
  for (gsize r = 0; r < n_rows; r++)
    for (int c = 0; c < channels; c++)
      {
        double d = x[r * channels + c] - sum[c];
        sq[c] += d * d;
      }
  for (int c = 0; c < channels; c++)
    {
      mean[c] = (float) sum[c];
      var[c] = n_rows > 0 ? (float) (sq[c] / n_rows) : 0.0f;
    }
}

gboolean
ll_inspect_saliency (LlModel *model, const float *x, int cls, float *map, GError **error)
{
  LlShape in = ll_model_input_shape (model);
  g_autofree float *dx = NULL;
  gsize n_pixels;
  int c;

  g_return_val_if_fail (model != NULL && x != NULL && map != NULL, FALSE);
  if (in.rank != 3)
    {
      g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                           _("Saliency needs an image input (height, width, channels)"));
      return FALSE;
    }
  n_pixels = (gsize) in.d[0] * in.d[1];
  c = in.d[2];
  dx = g_new (float, ll_shape_size (&in));
  if (!ll_model_input_gradient (model, x, cls, dx, error))
    return FALSE;
  for (gsize p = 0; p < n_pixels; p++)
    {
      float m = 0;
      for (int k = 0; k < c; k++)
        m = MAX (m, fabsf (dx[p * c + k]));
      map[p] = m;
    }
  return TRUE;
}

void
ll_bn_stats_free (LlBnStats *stats)
{
  if (stats == NULL)
    return;
  for (int i = 0; i < stats->n_layers; i++)
    {
      LlBnLayerStats *l = &stats->layers[i];
      g_free (l->mean);
      g_free (l->var);
      g_free (l->moving_mean);
      g_free (l->moving_var);
      g_free (l->gamma);
      g_free (l->beta);
    }
  g_free (stats->layers);
  g_free (stats);
}

LlBnStats *
ll_inspect_batchnorm (const LlModel *model, const LlDataset *ds, int batch_size, guint first,
                      GError **error)
{
  const LlArch *arch;
  g_autoptr(LlModel) copy = NULL;
  g_autoptr(LlBnStats) stats = NULL;
  g_autofree float *x = NULL;
  g_autofree guint32 *idx = NULL;
  LlShape in;
  int n, n_bn = 0, batch;

  g_return_val_if_fail (model != NULL && ds != NULL && batch_size > 0, NULL);
  arch = ll_model_get_arch (model);
  n = ll_model_n_layers (model);
  for (int i = 1; i < n; i++)
    n_bn += ll_arch_layer (arch, i)->type == &ll_layer_batch_normalization;
  if (n_bn == 0)
    {
      g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                           _("This model has no BatchNormalization layer. The CIFAR-10 CNN preset has six."));
      return NULL;
    }
  in = ll_model_input_shape (model);
  if (ll_shape_size (&in) != ll_dataset_sample_size (ds) || ds->n < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model takes %zu values per image but “%s” has %zu%s: pick a data set "
                   "that matches the Input layer"), (size_t) ll_shape_size (&in), ds->name,
                   (size_t) ll_dataset_sample_size (ds), ds->n < 1 ? _(" and no images") : "");
      return NULL;
    }
  copy = ll_model_copy (model);
  if (!ll_model_plan (copy, batch_size, error))
    return NULL;
  batch = MIN (batch_size, ds->n);
  x = g_new (float, (gsize) batch * ll_dataset_sample_size (ds));
  idx = g_new (guint32, batch);
  for (int k = 0; k < batch; k++)
    idx[k] = (guint32) ((first + (guint) k) % (guint) ds->n);
  ll_dataset_fill_batch (ds, idx, batch, x, NULL);
  ll_model_forward (copy, batch, x, FALSE, NULL);

  stats = g_new0 (LlBnStats, 1);
  stats->batch = batch;
  stats->layers = g_new0 (LlBnLayerStats, n_bn);
  for (int i = 1; i < n; i++)
    {
      LlShape s = ll_model_layer_shape (copy, i - 1);
      LlWeightView views[LL_MAX_WEIGHTS];
      LlBnLayerStats *l;
      int nw, channels;

      if (ll_arch_layer (arch, i)->type != &ll_layer_batch_normalization)
        continue;
      l = &stats->layers[stats->n_layers++];
      channels = s.d[s.rank - 1];
      l->layer = i;
      l->channels = channels;
      l->mean = g_new (float, channels);
      l->var = g_new (float, channels);
      ll_inspect_channel_stats (ll_model_layer_output (copy, i - 1),
                                (gsize) batch * (ll_shape_size (&s) / channels), channels,
                                l->mean, l->var);
      nw = ll_model_layer_weights (copy, i, views);
      for (int k = 0; k < nw; k++)
        {
          const char *wn = views[k].info->name;
          float **slot = g_str_equal (wn, "gamma") ? &l->gamma : g_str_equal (wn, "beta") ? &l->beta
                         : g_str_equal (wn, "moving_mean") ? &l->moving_mean
                         : g_str_equal (wn, "moving_variance") ? &l->moving_var : NULL;

          if (slot != NULL && (int) ll_weight_info_size (views[k].info) == channels)
            *slot = g_memdup2 (views[k].data, channels * sizeof (float));
        }
      if (l->moving_mean == NULL)
        l->moving_mean = g_new0 (float, channels);
      if (l->moving_var == NULL)
        l->moving_var = g_new0 (float, channels);
      for (int c = 0; c < channels; c++)
        {
          l->mean_gap += fabsf (l->mean[c] - l->moving_mean[c]) / channels;
          l->var_ratio += (l->var[c] + 1e-3) / (l->moving_var[c] + 1e-3) / channels;
        }
    }
  return g_steal_pointer (&stats);
}
