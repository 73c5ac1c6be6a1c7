/* ll-inspect-view-weights.c: the Inspect view's weights: the first
 * convolutions' filters, the first Dense layer's weights as images, and
 * weight / gradient histograms. */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

/* Histograms ------------------------------------------------------------------ */

typedef struct {
  guint32 counts[N_BINS];
  float lo, hi;
} Hist;

static void
draw_hist (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  Hist *h = data;
  guint32 most = 1;
  double plot_h = height - 18;
  GdkRGBA fg;
  PangoLayout *layout;
  g_autofree char *text = g_strdup_printf ("%.3g … %.3g", h->lo, h->hi);

  for (int i = 0; i < N_BINS; i++)
    most = MAX (most, h->counts[i]);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  for (int i = 0; i < N_BINS; i++)
    {
      /* Square-root height so that the tails stay visible. */
      double bh = plot_h * sqrt ((double) h->counts[i] / most);
      cairo_rectangle (cr, i * (double) width / N_BINS, plot_h - bh, (double) width / N_BINS - 1, bh);
    }
  cairo_fill (cr);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_cairo_set_source_rgba (cr, &fg);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), text);
  cairo_move_to (cr, 0, plot_h + 1);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static GtkWidget *
hist_new (const float *v, gsize n)
{
  Hist *h = g_new0 (Hist, 1);
  GtkWidget *area = gtk_drawing_area_new ();

  ll_inspect_histogram (v, n, N_BINS, &h->lo, &h->hi, h->counts);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 240);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 90);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_hist, h, g_free);
  return area;
}

static gboolean
any_nonzero (const float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (v[i] != 0)
      return TRUE;
  return FALSE;
}

/* Weights ---------------------------------------------------------------- */

void
ll_inspect_view_rebuild_weights (LlInspectView *self)
{
  const LlArch *arch = ll_model_get_arch (self->model);
  int n = ll_model_n_layers (self->model);
  int n_conv = 0;
  gboolean dense_done = FALSE;
  GtkWidget *flow = gtk_flow_box_new ();

  ll_inspect_view_clear_box (self->weights_box, NULL);
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 18);

  for (int i = 1; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw = ll_model_layer_weights (self->model, i, views);
      g_autofree char *name = ll_arch_layer_name (arch, i);

      if (n_conv == 1 && ll_inspect_view_is_type (spec, "Conv2D") && nw > 0)
        {
          const LlWeightInfo *k = views[0].info;
          int kh = k->dims[0], kw = k->dims[1], cin = k->dims[2], f = k->dims[3];
          int rows = MIN (f, MAX_KERNEL_ROWS), cols = MIN (cin, MAX_KERNEL_COLS);
          g_autofree float *tiles = g_new (float, (gsize) rows * cols * kh * kw);
          GtkWidget *grid = ll_feature_grid_new ();
          g_autofree char *title = g_strdup_printf (_("%s kernels per input channel"), name);
          g_autofree char *sub = g_strdup_printf (_("rows: %d of %d filters, columns: %d of %d input channels "
                                                  "(the previous layer's feature maps); %d×%d each"),
                                                  rows, f, cols, cin, kh, kw);

          /* Tile (filter r, channel c) is the kh×kw slice kernel[:, :, c, r]. */
          for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
              for (int y = 0; y < kh; y++)
                for (int x = 0; x < kw; x++)
                  tiles[(((gsize) (r * cols + c) * kh + y) * kw + x)] =
                    views[0].data[(((gsize) y * kw + x) * cin + c) * f + r];
          ll_feature_grid_set_colormap (LL_FEATURE_GRID (grid), LL_COLORMAP_DIVERGING);
          ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), 30);
          ll_feature_grid_set_columns (LL_FEATURE_GRID (grid), cols);
          ll_feature_grid_set_tiles (LL_FEATURE_GRID (grid), tiles, rows * cols, kh, kw, 1);
          gtk_box_append (self->weights_box, ll_inspect_view_panel_new (self, title, sub, grid));
          n_conv++;
        }
      if (n_conv == 0 && ll_inspect_view_is_type (spec, "Conv2D") && nw > 0)
        {
          const LlWeightInfo *k = views[0].info;
          int kh = k->dims[0], kw = k->dims[1], cin = k->dims[2], f = k->dims[3];
          int ch = cin == 3 ? 3 : 1;
          g_autofree float *tiles = g_new (float, (gsize) f * kh * kw * ch);
          GtkWidget *grid = ll_feature_grid_new ();
          g_autofree char *title = g_strdup_printf ("%s filters", name);
          g_autofree char *sub = g_strdup_printf (_("%d kernels of %d×%d%s"), f, kh, kw,
                                                  cin == 3 ? _(", RGB") : cin > 1 ? _(", first input channel") : "");

          /* Keras kernel (kh, kw, cin, filters) → one tile per filter. */
          for (int t = 0; t < f; t++)
            for (int y = 0; y < kh; y++)
              for (int x = 0; x < kw; x++)
                for (int c = 0; c < ch; c++)
                  tiles[(((gsize) t * kh + y) * kw + x) * ch + c] =
                    views[0].data[(((gsize) y * kw + x) * cin + c) * f + t];
          ll_feature_grid_set_colormap (LL_FEATURE_GRID (grid), LL_COLORMAP_DIVERGING);
          ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), 48);
          ll_feature_grid_set_tiles (LL_FEATURE_GRID (grid), tiles, f, kh, kw, ch);
          gtk_box_append (self->weights_box, ll_inspect_view_panel_new (self, title, sub, grid));
          n_conv++;
        }
      if (!dense_done && ll_inspect_view_is_type (spec, "Dense") && nw > 0 && i >= 2
          && ll_inspect_view_is_type (ll_arch_layer (arch, i - 1), "Flatten"))
        {
          LlShape img = ll_model_layer_shape (self->model, i - 2);
          const LlWeightInfo *k = views[0].info;
          int units = k->dims[1];

          if (img.rank == 3 && (img.d[2] == 1 || img.d[2] == 3) && k->dims[0] == (int) ll_shape_size (&img))
            {
              int h = img.d[0], w = img.d[1], c = img.d[2];
              gsize size = (gsize) h * w * c;
              int shown = MIN (units, 128);
              g_autofree float *tiles = g_new (float, shown * size);
              GtkWidget *grid = ll_feature_grid_new ();
              g_autofree char *title = g_strdup_printf (_("%s weights as images"), name);
              g_autofree char *sub = g_strdup_printf (_("%s%d units; red: the pixel pushes the unit up, "
                                                      "blue: down"), units > shown ? _("the first 128 of ") : "",
                                                      units);
              g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

              /* Kernel (in, units): column u, read as an image. */
              for (int u = 0; u < shown; u++)
                {
                  for (gsize p = 0; p < size; p++)
                    tiles[u * size + p] = views[0].data[p * units + u];
                  g_ptr_array_add (labels, units == self->test->n_classes && ll_model_n_layers (self->model) - 1 == i
                                           ? g_strdup (ll_inspect_view_class_name (self->test, u)) : g_strdup_printf ("%d", u));
                }
              g_ptr_array_add (labels, NULL);
              ll_feature_grid_set_colormap (LL_FEATURE_GRID (grid), LL_COLORMAP_DIVERGING);
              ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), units <= 16 ? 84 : 56);
              ll_feature_grid_set_tiles (LL_FEATURE_GRID (grid), tiles, shown, h, w, c);
              ll_feature_grid_set_labels (LL_FEATURE_GRID (grid), (const char *const *) labels->pdata);
              gtk_box_append (self->weights_box, ll_inspect_view_panel_new (self, title, sub, grid));
            }
          dense_done = TRUE;
        }

      for (int k = 0; k < nw; k++)
        {
          gsize size = ll_weight_info_size (views[k].info);
          g_autofree char *label = g_strdup_printf ("%s/%s (%zu)", name, views[k].info->name, (size_t) size);
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
          GtkWidget *l = gtk_label_new (label);

          gtk_label_set_xalign (GTK_LABEL (l), 0);
          gtk_box_append (GTK_BOX (box), l);
          gtk_box_append (GTK_BOX (box), hist_new (views[k].data, size));
          if (views[k].grad != NULL && any_nonzero (views[k].grad, size))
            {
              GtkWidget *gl = gtk_label_new (_("gradient, last training batch"));
              gtk_widget_add_css_class (gl, "dim-label");
              gtk_label_set_xalign (GTK_LABEL (gl), 0);
              gtk_box_append (GTK_BOX (box), gl);
              gtk_box_append (GTK_BOX (box), hist_new (views[k].grad, size));
            }
          gtk_flow_box_append (GTK_FLOW_BOX (flow), box);
        }
    }
  gtk_box_append (self->weights_box,
                  ll_inspect_view_panel_new (self, _("Weight histograms"), _("per weight tensor; bar height is the square root of the count"),
                             flow));
}

