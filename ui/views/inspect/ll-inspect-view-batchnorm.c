/* ll-inspect-view-batchnorm.c: the Inspect view's batch-norm page: a
 * batch's statistics against each BatchNormalization layer's moving
 * averages. */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>

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

  bn_row (cr, GTK_WIDGET (area), d, row++, "mean: batch (bars),\nmoving (orange)", d->v[BN_MEAN],
          d->v[BN_MOVING_MEAN], cw);
  bn_row (cr, GTK_WIDGET (area), d, row++, "variance: batch,\nmoving (orange)", d->v[BN_VAR],
          d->v[BN_MOVING_VAR], cw);
  if (d->v[BN_GAMMA] != NULL)
    bn_row (cr, GTK_WIDGET (area), d, row++, "gamma (scale)", d->v[BN_GAMMA], NULL, cw);
  if (d->v[BN_BETA] != NULL)
    bn_row (cr, GTK_WIDGET (area), d, row++, "beta (shift)", d->v[BN_BETA], NULL, cw);
}

void
ll_inspect_view_bn_stats_clear (gpointer data)
{
  BnStats *st = data;

  g_free (st->mean);
  g_free (st->var);
}

static int
bn_batch_size (LlInspectView *self)
{
  guint i = gtk_drop_down_get_selected (self->bn_batch_dropdown);

  return bn_batch_sizes[i < G_N_ELEMENTS (bn_batch_sizes) ? i : 1];
}

/* Forwards a batch of test images in evaluation mode through a copy of the
 * model and compares, per BatchNormalization layer and channel, the
 * statistics of that batch with the moving averages the layer predicts with. */
void
ll_inspect_view_update_batchnorm (LlInspectView *self)
{
  const LlArch *arch;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *x = NULL;
  g_autofree guint32 *idx = NULL;
  int batch = bn_batch_size (self), n, n_bn = 0;
  gsize sample;

  ll_inspect_view_clear_box (self->bn_panels, NULL);
  g_array_set_size (self->bn_stats, 0);
  if (self->model == NULL || self->test == NULL)
    return;
  arch = ll_model_get_arch (self->model);
  n = ll_model_n_layers (self->model);
  for (int i = 1; i < n; i++)
    n_bn += ll_inspect_view_is_type (ll_arch_layer (arch, i), "BatchNormalization");
  if (n_bn == 0)
    {
      gtk_label_set_text (self->bn_label, "This model has no BatchNormalization layer. "
                          "The CIFAR-10 CNN preset has six.");
      return;
    }
  model = ll_model_copy (self->model);
  if (!ll_model_plan (model, batch, &error))
    {
      gtk_label_set_text (self->bn_label, error->message);
      return;
    }
  batch = MIN (batch, self->test->n);
  sample = ll_dataset_sample_size (self->test);
  x = g_new (float, (gsize) batch * sample);
  idx = g_new (guint32, batch);
  for (int k = 0; k < batch; k++)
    idx[k] = (self->bn_offset + (guint) k) % (guint) self->test->n;
  ll_dataset_fill_batch (self->test, idx, batch, x, NULL);
  ll_model_forward (model, batch, x, FALSE, NULL);

  {
    g_autofree char *text = g_strdup_printf ("A batch of %d test images (from number %u), predicted in evaluation "
                                             "mode. While training, each layer normalizes with the batch's own "
                                             "statistics (blue) and updates the moving averages (orange) that it "
                                             "uses when predicting. Smaller batches give noisier statistics.",
                                             batch, self->bn_offset);
    gtk_label_set_text (self->bn_label, text);
  }
  for (int i = 1; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlShape s = ll_model_layer_shape (model, i - 1);
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw, channels;
      BnDraw *d;
      BnStats st;
      GtkWidget *area;
      g_autofree char *name = NULL;
      g_autofree char *title = NULL;
      g_autofree char *sub = NULL;
      double mean_gap = 0, var_ratio = 0;

      if (!ll_inspect_view_is_type (spec, "BatchNormalization"))
        continue;
      channels = s.d[s.rank - 1];
      d = g_new0 (BnDraw, 1);
      d->channels = channels;
      d->v[BN_MEAN] = g_new (float, channels);
      d->v[BN_VAR] = g_new (float, channels);
      ll_inspect_channel_stats (ll_model_layer_output (model, i - 1),
                                (gsize) batch * (ll_shape_size (&s) / channels), channels,
                                d->v[BN_MEAN], d->v[BN_VAR]);
      nw = ll_model_layer_weights (model, i, views);
      for (int k = 0; k < nw; k++)
        {
          const char *wn = views[k].info->name;
          int slot = g_str_equal (wn, "gamma") ? BN_GAMMA : g_str_equal (wn, "beta") ? BN_BETA
                     : g_str_equal (wn, "moving_mean") ? BN_MOVING_MEAN
                     : g_str_equal (wn, "moving_variance") ? BN_MOVING_VAR : -1;
          if (slot >= 0 && (int) ll_weight_info_size (views[k].info) == channels)
            d->v[slot] = g_memdup2 (views[k].data, channels * sizeof (float));
        }
      if (d->v[BN_MOVING_MEAN] == NULL)
        d->v[BN_MOVING_MEAN] = g_new0 (float, channels);
      if (d->v[BN_MOVING_VAR] == NULL)
        d->v[BN_MOVING_VAR] = g_new0 (float, channels);
      for (int c = 0; c < channels; c++)
        {
          mean_gap += fabsf (d->v[BN_MEAN][c] - d->v[BN_MOVING_MEAN][c]) / channels;
          var_ratio += (d->v[BN_VAR][c] + 1e-3) / (d->v[BN_MOVING_VAR][c] + 1e-3) / channels;
        }

      st.layer = i;
      st.channels = channels;
      st.mean = g_memdup2 (d->v[BN_MEAN], channels * sizeof (float));
      st.var = g_memdup2 (d->v[BN_VAR], channels * sizeof (float));
      g_array_append_val (self->bn_stats, st);

      area = gtk_drawing_area_new ();
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), BN_LEFT + MIN (channels * 8, 1000));
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area),
                                           (2 + (d->v[BN_GAMMA] != NULL) + (d->v[BN_BETA] != NULL))
                                           * (BN_ROW_H + 8));
      gtk_widget_set_halign (area, GTK_ALIGN_START);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_bn, d, bn_draw_free);
      name = ll_arch_layer_name (arch, i);
      title = g_strdup_printf ("%s (BatchNormalization)", name);
      sub = g_strdup_printf ("%d channels; mean |batch − moving mean| %.3g, "
                             "batch / moving variance %.2f on average", channels, mean_gap, var_ratio);
      gtk_box_append (self->bn_panels, ll_inspect_view_panel_new (self, title, sub, area));
    }
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

