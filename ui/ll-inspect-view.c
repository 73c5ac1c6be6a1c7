/* ll-inspect-view.c: the Inspect view (see ll-inspect-view.h).
 *
 * The view works on its own copy of the document's model, so it never
 * touches buffers a training thread may be using.  It refreshes after the
 * document's "changed" signal (edits, and the Train view handing back
 * trained weights), coalesced to at most a few refreshes per second and
 * only while the view is on screen.  Loading the test set, the occlusion
 * map and the confusion matrix run in GTasks on owned copies; a result
 * that arrives after its input changed is dropped (the cancellable). */
#include "ll-inspect-view.h"

#include <math.h>

#include "ll-confusion-matrix.h"
#include "ll-image-grid.h"

#define REFRESH_MS 250
#define N_BINS 40
#define OCC_PATCH 6
#define OCC_STRIDE 2
#define MAX_CELL_IMAGES 48
#define MAX_WRONG 32

struct _LlInspectView
{
  AdwBin parent_instance;

  GtkDropDown *class_dropdown;
  GtkButton *random_button;
  GtkSpinButton *index_spin;
  LlFeatureGrid *input_grid;
  GtkLabel *prediction_label;
  GtkLabel *status_label;
  GtkStack *stack;
  GtkBox *outputs_box;
  GtkBox *weights_box;
  GtkBox *occlusion_box;
  GtkBox *confusion_box;
  GtkButton *confusion_button;
  GtkSpinner *confusion_spinner;
  GtkLabel *confusion_label;

  /* Made in code. */
  LlFeatureGrid *occlusion_grid;
  LlConfusionMatrix *matrix;
  GtkLabel *class_accuracy_label;
  GtkLabel *cell_label;
  LlImageGrid *cell_grid;
  LlImageGrid *wrong_grid;

  LlDocument *document;
  guint refresh_id;
  gboolean dirty;
  gboolean updating_controls;

  LlModel *model;                 /* private copy, planned for one sample */
  char *arch_json;                /* the architecture the output panels were built for */
  GPtrArray *layer_grids;         /* LlFeatureGrid * or NULL, per layer */
  GPtrArray *prob_bars;           /* GtkLevelBar * of the softmax layer */
  GPtrArray *prob_labels;         /* GtkLabel * beside them */
  int prob_layer;

  LlDataset *test;                /* the test set of test_name */
  char *test_name;
  gboolean test_is_train;         /* no test split on this machine: training images */
  GCancellable *load_cancellable;
  char *loading_name;
  guint index;
  float *x;                       /* the chosen image, scaled as the model sees it */

  GCancellable *occlusion_cancellable;
  GCancellable *confusion_cancellable;
  LlConfusion *confusion;
  gboolean confusion_stale;
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlInspectView, ll_inspect_view, ADW_TYPE_BIN)

static void refresh (LlInspectView *self);

static const char *
data_dir (void)
{
  const char *dir = g_getenv ("LL_DATA_DIR");
  return dir != NULL ? dir : g_getenv ("LL_SHARED_DATA");
}

static const char *
class_name (const LlDataset *ds, int cls)
{
  if (ds != NULL && ds->class_names != NULL && cls >= 0 && cls < ds->n_classes)
    return ds->class_names[cls];
  return "?";
}

static void
clear_box (GtkBox *box, GtkWidget *keep)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);
      if (child != keep)
        gtk_box_remove (box, child);
      child = next;
    }
}

/* Panels with an export button ------------------------------------------ */

static void
on_export_response (GtkNativeDialog *dialog, int response, LlInspectView *self)
{
  GtkWidget *content = g_object_get_data (G_OBJECT (dialog), "content");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !ll_widget_save_png (content, path, &error))
        gtk_label_set_text (self->status_label, error->message);
      else if (path != NULL)
        {
          g_autofree char *msg = g_strdup_printf ("Saved %s", path);
          gtk_label_set_text (self->status_label, msg);
        }
    }
  g_object_unref (dialog);
}

static void
on_export_clicked (GtkButton *button, LlInspectView *self)
{
  GtkWidget *content = g_object_get_data (G_OBJECT (button), "content");
  const char *title = g_object_get_data (G_OBJECT (button), "title");
  GtkFileChooserNative *dialog;
  g_autofree char *name = g_strdup_printf ("%s.png", title);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_strdelimit (name, "/ ", '-');
  dialog = gtk_file_chooser_native_new ("Export Panel as PNG", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "content", g_object_ref (content), g_object_unref);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* A titled panel; the whole panel (title included) is what gets exported. */
static GtkWidget *
panel_new (LlInspectView *self, const char *title, const char *subtitle, GtkWidget *content)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *button = gtk_button_new_from_icon_name ("document-save-symbolic");

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (header), label);
  if (subtitle != NULL)
    {
      GtkWidget *sub = gtk_label_new (subtitle);
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
      gtk_widget_set_hexpand (sub, TRUE);
      gtk_box_append (GTK_BOX (header), sub);
    }
  else
    gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, "Export this panel as a PNG image");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  g_object_set_data (G_OBJECT (button), "content", box);
  g_object_set_data_full (G_OBJECT (button), "title", g_strdup (title), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_box_append (GTK_BOX (header), button);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), content);
  return box;
}

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

/* Layer outputs ------------------------------------------------------------------ */

static gboolean
is_type (const LlLayerSpec *spec, const char *name)
{
  return g_strcmp0 (spec->type->name, name) == 0;
}

static void
rebuild_output_panels (LlInspectView *self)
{
  const LlArch *arch = ll_model_get_arch (self->model);
  int n = ll_model_n_layers (self->model);

  clear_box (self->outputs_box, NULL);
  g_ptr_array_set_size (self->layer_grids, 0);
  g_ptr_array_set_size (self->prob_bars, 0);
  g_ptr_array_set_size (self->prob_labels, 0);
  self->prob_layer = -1;
  g_ptr_array_add (self->layer_grids, NULL);     /* the Input is on the left */

  for (int i = 1; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlShape shape = ll_model_layer_shape (self->model, i);
      g_autofree char *name = ll_arch_layer_name (arch, i);
      g_autofree char *shape_text = ll_shape_to_string (&shape);
      g_autofree char *title = g_strdup_printf ("%s (%s)", name, spec->type->name);
      GtkWidget *grid = NULL;

      if (is_type (spec, "Flatten") || is_type (spec, "Dropout") || is_type (spec, "Reshape"))
        {
          g_autofree char *text = g_strdup_printf ("%s %s — %s", title, shape_text,
                                                   is_type (spec, "Dropout")
                                                   ? "inactive when predicting: the same values as the layer above"
                                                   : "the same values, rearranged");
          GtkWidget *label = gtk_label_new (text);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (self->outputs_box, label);
          g_ptr_array_add (self->layer_grids, NULL);
          continue;
        }
      if (i == n - 1 && shape.rank == 1 && ll_layer_spec_activation (spec) == LL_ACT_SOFTMAX)
        {
          GtkWidget *rows = gtk_grid_new ();
          g_autofree char *sub = g_strdup_printf ("%s — probabilities", shape_text);

          gtk_grid_set_row_spacing (GTK_GRID (rows), 2);
          gtk_grid_set_column_spacing (GTK_GRID (rows), 8);
          for (int k = 0; k < shape.d[0]; k++)
            {
              GtkWidget *label = gtk_label_new (class_name (self->test, k));
              GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
              GtkWidget *value = gtk_label_new ("");

              gtk_label_set_xalign (GTK_LABEL (label), 1);
              gtk_widget_set_hexpand (bar, TRUE);
              gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
              gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_LOW);
              gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_HIGH);
              gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (bar), GTK_LEVEL_BAR_OFFSET_FULL);
              gtk_label_set_xalign (GTK_LABEL (value), 1);
              gtk_label_set_width_chars (GTK_LABEL (value), 8);
              gtk_widget_add_css_class (value, "numeric");
              gtk_grid_attach (GTK_GRID (rows), label, 0, k, 1, 1);
              gtk_grid_attach (GTK_GRID (rows), bar, 1, k, 1, 1);
              gtk_grid_attach (GTK_GRID (rows), value, 2, k, 1, 1);
              g_ptr_array_add (self->prob_bars, bar);
              g_ptr_array_add (self->prob_labels, value);
            }
          self->prob_layer = i;
          gtk_box_append (self->outputs_box, panel_new (self, title, sub, rows));
          g_ptr_array_add (self->layer_grids, NULL);
          continue;
        }

      grid = ll_feature_grid_new ();
      if (shape.rank == 3)
        ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), shape.d[0] >= 20 ? 56 : 52);
      else
        ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), MIN (shape.d[0] * 8, 900));
      {
        g_autofree char *sub = shape.rank == 3
          ? g_strdup_printf ("%s — one tile per channel, one colour scale", shape_text)
          : g_strdup_printf ("%s — one cell per unit", shape_text);
        gtk_box_append (self->outputs_box, panel_new (self, title, sub, grid));
      }
      g_ptr_array_add (self->layer_grids, grid);
    }
}

static void
update_outputs (LlInspectView *self)
{
  int n = ll_model_n_layers (self->model);
  LlShape in = ll_model_input_shape (self->model);
  const float *probs;
  int best = 0, n_out;
  int label = self->test->labels[self->index];
  g_autofree char *text = NULL;

  probs = ll_model_forward (self->model, 1, self->x, FALSE, NULL);
  n_out = ll_model_output_shape (self->model).d[0];

  if (in.rank == 3)
    ll_feature_grid_set_tiles (self->input_grid, self->x, 1, in.d[0], in.d[1], in.d[2] == 3 ? 3 : 1);

  for (int i = 1; i < n && i < (int) self->layer_grids->len; i++)
    {
      LlFeatureGrid *grid = g_ptr_array_index (self->layer_grids, i);
      LlShape s = ll_model_layer_shape (self->model, i);
      const float *out = ll_model_layer_output (self->model, i);

      if (grid == NULL)
        continue;
      if (s.rank == 3)
        ll_feature_grid_set_hwc (grid, out, s.d[0], s.d[1], s.d[2]);
      else
        ll_feature_grid_set_tiles (grid, out, 1, 1, (int) ll_shape_size (&s), 1);
    }
  for (int k = 0; k < n_out; k++)
    if (probs[k] > probs[best])
      best = k;
  for (guint k = 0; k < self->prob_bars->len && (int) k < n_out; k++)
    {
      g_autofree char *value = g_strdup_printf ("%.1f %%", 100 * probs[k]);
      gtk_level_bar_set_value (g_ptr_array_index (self->prob_bars, k), probs[k]);
      gtk_label_set_text (g_ptr_array_index (self->prob_labels, k), value);
    }
  text = g_strdup_printf ("Predicted %s (%.1f %%)\nTrue class %s", class_name (self->test, best),
                          100 * probs[best], class_name (self->test, label));
  gtk_label_set_text (self->prediction_label, text);
}

/* Weights ---------------------------------------------------------------- */

static void
rebuild_weights (LlInspectView *self)
{
  const LlArch *arch = ll_model_get_arch (self->model);
  int n = ll_model_n_layers (self->model);
  gboolean conv_done = FALSE, dense_done = FALSE;
  GtkWidget *flow = gtk_flow_box_new ();

  clear_box (self->weights_box, NULL);
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

      if (!conv_done && is_type (spec, "Conv2D") && nw > 0)
        {
          const LlWeightInfo *k = views[0].info;
          int kh = k->dims[0], kw = k->dims[1], cin = k->dims[2], f = k->dims[3];
          int ch = cin == 3 ? 3 : 1;
          g_autofree float *tiles = g_new (float, (gsize) f * kh * kw * ch);
          GtkWidget *grid = ll_feature_grid_new ();
          g_autofree char *title = g_strdup_printf ("%s filters", name);
          g_autofree char *sub = g_strdup_printf ("%d kernels of %d×%d%s", f, kh, kw,
                                                  cin == 3 ? ", RGB" : cin > 1 ? ", first input channel" : "");

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
          gtk_box_append (self->weights_box, panel_new (self, title, sub, grid));
          conv_done = TRUE;
        }
      if (!dense_done && is_type (spec, "Dense") && nw > 0 && i >= 2
          && is_type (ll_arch_layer (arch, i - 1), "Flatten"))
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
              g_autofree char *title = g_strdup_printf ("%s weights as images", name);
              g_autofree char *sub = g_strdup_printf ("%s%d units; red: the pixel pushes the unit up, "
                                                      "blue: down", units > shown ? "the first 128 of " : "",
                                                      units);
              g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

              /* Kernel (in, units): column u, read as an image. */
              for (int u = 0; u < shown; u++)
                {
                  for (gsize p = 0; p < size; p++)
                    tiles[u * size + p] = views[0].data[p * units + u];
                  g_ptr_array_add (labels, units == self->test->n_classes && ll_model_n_layers (self->model) - 1 == i
                                           ? g_strdup (class_name (self->test, u)) : g_strdup_printf ("%d", u));
                }
              g_ptr_array_add (labels, NULL);
              ll_feature_grid_set_colormap (LL_FEATURE_GRID (grid), LL_COLORMAP_DIVERGING);
              ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), units <= 16 ? 84 : 56);
              ll_feature_grid_set_tiles (LL_FEATURE_GRID (grid), tiles, shown, h, w, c);
              ll_feature_grid_set_labels (LL_FEATURE_GRID (grid), (const char *const *) labels->pdata);
              gtk_box_append (self->weights_box, panel_new (self, title, sub, grid));
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
              GtkWidget *gl = gtk_label_new ("gradient, last training batch");
              gtk_widget_add_css_class (gl, "dim-label");
              gtk_label_set_xalign (GTK_LABEL (gl), 0);
              gtk_box_append (GTK_BOX (box), gl);
              gtk_box_append (GTK_BOX (box), hist_new (views[k].grad, size));
            }
          gtk_flow_box_append (GTK_FLOW_BOX (flow), box);
        }
    }
  gtk_box_append (self->weights_box,
                  panel_new (self, "Weight histograms", "per weight tensor; bar height is the square root of the count",
                             flow));
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
  LlInspectView *self = LL_INSPECT_VIEW (source);
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

static void
start_occlusion (LlInspectView *self)
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
  task = g_task_new (self, self->occlusion_cancellable, occlusion_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) occlusion_job_free);
  g_task_run_in_thread (task, occlusion_thread);
  g_object_unref (task);
}

/* Confusion matrix (worker) ------------------------------------------------ */

typedef struct {
  LlModel *model;
  LlDataset *ds;
  gint cancel;
} ConfusionJob;

static void
confusion_job_free (ConfusionJob *job)
{
  ll_model_free (job->model);
  ll_dataset_free (job->ds);
  g_free (job);
}

static void
on_confusion_cancelled (GCancellable *cancellable, ConfusionJob *job)
{
  g_atomic_int_set (&job->cancel, 1);
}

static void
confusion_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ConfusionJob *job = data;
  GError *error = NULL;
  gulong id = g_cancellable_connect (cancellable, G_CALLBACK (on_confusion_cancelled), job, NULL);
  LlConfusion *c = ll_inspect_confusion (job->model, job->ds, 256, &job->cancel, &error);

  g_cancellable_disconnect (cancellable, id);
  if (c == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, c, (GDestroyNotify) ll_confusion_free);
}

static void
show_cell (LlInspectView *self, int t, int p)
{
  guint32 idx[MAX_CELL_IMAGES];
  g_autoptr(GPtrArray) captions = g_ptr_array_new_with_free_func (g_free);
  int n = ll_confusion_cell_images (self->confusion, t, p, idx, MAX_CELL_IMAGES);
  g_autofree char *text = NULL;
  guint32 count = self->confusion->matrix[t * self->confusion->n_classes + p];

  for (int i = 0; i < n; i++)
    g_ptr_array_add (captions, g_strdup_printf ("%.0f %%", 100 * self->confusion->confidence[idx[i]]));
  text = g_strdup_printf ("%u images of %s predicted as %s%s (probability of the prediction under each)",
                          count, class_name (self->test, t), class_name (self->test, p),
                          (int) count > n ? ", the most confident shown" : "");
  gtk_label_set_text (self->cell_label, text);
  ll_image_grid_set_images (self->cell_grid, self->test, idx, n, (const char *const *) captions->pdata);
}

static void
on_cell_activated (LlConfusionMatrix *matrix, int t, int p, LlInspectView *self)
{
  if (self->confusion != NULL && self->test != NULL)
    show_cell (self, t, p);
}

static void
show_confusion (LlInspectView *self)
{
  LlConfusion *c = self->confusion;
  g_autoptr(GString) acc = g_string_new ("Accuracy per class: ");
  g_autofree char *text = NULL;
  guint32 wrong[MAX_WRONG];
  int n_wrong, worst_t = -1, worst_p = -1;
  guint32 worst = 0;
  g_autoptr(GPtrArray) captions = g_ptr_array_new_with_free_func (g_free);

  ll_confusion_matrix_set_data (self->matrix, c->matrix, c->n_classes,
                                (const char *const *) self->test->class_names);
  for (int k = 0; k < c->n_classes; k++)
    g_string_append_printf (acc, "%s%s %.1f %%", k ? " · " : "", class_name (self->test, k),
                            100 * ll_confusion_class_accuracy (c, k));
  gtk_label_set_text (self->class_accuracy_label, acc->str);
  text = g_strdup_printf ("Accuracy %.2f %% on %d %s images. Click a cell to see its images.",
                          100 * ll_confusion_accuracy (c), c->n,
                          self->test_is_train ? "training (no test split found)" : "test");
  gtk_label_set_text (self->confusion_label, text);

  n_wrong = ll_confusion_most_wrong (c, wrong, MAX_WRONG);
  for (int i = 0; i < n_wrong; i++)
    g_ptr_array_add (captions, g_strdup_printf ("%s→%s %.0f%%", class_name (self->test, c->labels[wrong[i]]),
                                                class_name (self->test, c->predicted[wrong[i]]),
                                                100 * c->confidence[wrong[i]]));
  ll_image_grid_set_images (self->wrong_grid, self->test, wrong, n_wrong, (const char *const *) captions->pdata);

  /* Open on the biggest confusion. */
  for (int i = 0; i < c->n_classes; i++)
    for (int j = 0; j < c->n_classes; j++)
      if (i != j && c->matrix[i * c->n_classes + j] > worst)
        worst = c->matrix[i * c->n_classes + j], worst_t = i, worst_p = j;
  if (worst_t >= 0)
    {
      ll_confusion_matrix_select (self->matrix, worst_t, worst_p);
      show_cell (self, worst_t, worst_p);
    }
  else
    ll_image_grid_set_images (self->cell_grid, NULL, NULL, 0, NULL);
}

static void
confusion_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlInspectView *self = LL_INSPECT_VIEW (source);
  g_autoptr(GError) error = NULL;
  LlConfusion *c = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      ll_confusion_free (c);
      return;
    }
  g_clear_object (&self->confusion_cancellable);
  gtk_spinner_stop (self->confusion_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confusion_button), TRUE);
  if (c == NULL)
    {
      gtk_label_set_text (self->confusion_label, error->message);
      return;
    }
  ll_confusion_free (self->confusion);
  self->confusion = c;
  self->confusion_stale = FALSE;
  show_confusion (self);
}

void
ll_inspect_view_compute_confusion (LlInspectView *self)
{
  ConfusionJob *job;
  GTask *task;

  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  if (self->model == NULL || self->test == NULL)
    return;
  if (self->confusion_cancellable != NULL)
    g_cancellable_cancel (self->confusion_cancellable);
  g_clear_object (&self->confusion_cancellable);

  job = g_new0 (ConfusionJob, 1);
  job->model = ll_model_copy (self->model);
  job->ds = ll_dataset_slice (self->test, 0, self->test->n);
  self->confusion_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->confusion_cancellable, confusion_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) confusion_job_free);
  g_task_run_in_thread (task, confusion_thread);
  g_object_unref (task);
  gtk_spinner_start (self->confusion_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confusion_button), FALSE);
  gtk_label_set_text (self->confusion_label, "Predicting every test image…");
}

/* The test set (worker) ----------------------------------------------------- */

typedef struct {
  LlDataset *ds;
  gboolean is_train;
} Loaded;

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  const char *name = data;
  GError *error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->ds = ll_dataset_load_named (name, data_dir (), TRUE, &error);
  if (loaded->ds == NULL)
    {
      /* Some machines have only training files (the CIFAR-10 sample). */
      loaded->ds = ll_dataset_load_named (name, data_dir (), FALSE, NULL);
      loaded->is_train = TRUE;
    }
  if (loaded->ds == NULL)
    {
      g_free (loaded);
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_pointer (task, loaded, NULL);
}

static void
fill_class_dropdown (LlInspectView *self)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, "Any class");
  for (int k = 0; k < self->test->n_classes; k++)
    gtk_string_list_append (list, class_name (self->test, k));
  self->updating_controls = TRUE;
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (list));
  gtk_spin_button_set_range (self->index_spin, 0, self->test->n - 1);
  self->updating_controls = FALSE;
  g_object_unref (list);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlInspectView *self = LL_INSPECT_VIEW (source);
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      if (loaded != NULL)
        ll_dataset_free (loaded->ds);
      g_free (loaded);
      return;
    }
  g_clear_object (&self->load_cancellable);
  if (loaded == NULL)
    {
      gtk_label_set_text (self->status_label, error->message);
      g_clear_pointer (&self->loading_name, g_free);
      return;
    }
  ll_dataset_free (self->test);
  ll_confusion_free (self->confusion);
  self->confusion = NULL;
  ll_confusion_matrix_set_data (self->matrix, NULL, 0, NULL);
  ll_image_grid_set_images (self->cell_grid, NULL, NULL, 0, NULL);
  ll_image_grid_set_images (self->wrong_grid, NULL, NULL, 0, NULL);
  self->test = loaded->ds;
  self->test_is_train = loaded->is_train;
  g_free (loaded);
  g_free (self->test_name);
  self->test_name = g_steal_pointer (&self->loading_name);
  self->index = 0;
  g_clear_pointer (&self->arch_json, g_free);     /* class names in the panels */
  fill_class_dropdown (self);
  refresh (self);
}

static void
start_load (LlInspectView *self, const char *name)
{
  GTask *task;

  if (self->loading_name != NULL && g_strcmp0 (self->loading_name, name) == 0)
    return;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_free (self->loading_name);
  self->loading_name = g_strdup (name);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, load_done, NULL);
  g_task_set_task_data (task, g_strdup (name), g_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
  gtk_label_set_text (self->status_label, "Loading the test images…");
}

/* Refresh ---------------------------------------------------------------- */

static void
show_nothing (LlInspectView *self, const char *why)
{
  g_clear_pointer (&self->model, ll_model_free);
  g_clear_pointer (&self->arch_json, g_free);
  clear_box (self->outputs_box, NULL);
  clear_box (self->weights_box, NULL);
  g_ptr_array_set_size (self->layer_grids, 0);
  g_ptr_array_set_size (self->prob_bars, 0);
  g_ptr_array_set_size (self->prob_labels, 0);
  ll_feature_grid_clear (self->input_grid);
  ll_feature_grid_clear (self->occlusion_grid);
  gtk_label_set_text (self->prediction_label, "");
  gtk_label_set_text (self->status_label, why);
}

static void
refresh (LlInspectView *self)
{
  LlModel *model;
  const char *name;
  LlShape in;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  self->dirty = FALSE;
  model = self->document != NULL ? ll_document_get_model (self->document) : NULL;
  if (model == NULL)
    {
      show_nothing (self, "The model does not build. Fix it in the Model view to look inside.");
      return;
    }
  name = ll_document_get_dataset (self->document);
  if (self->test == NULL || g_strcmp0 (self->test_name, name) != 0)
    {
      start_load (self, name);
      return;
    }
  in = ll_model_input_shape (model);
  if (ll_shape_size (&in) != ll_dataset_sample_size (self->test))
    {
      show_nothing (self, "The Input layer does not match the data set's images: change one of them.");
      return;
    }

  g_clear_pointer (&self->model, ll_model_free);
  self->model = ll_model_copy (model);
  if (!ll_model_plan (self->model, 1, &error))
    {
      show_nothing (self, error->message);
      return;
    }
  self->index = MIN (self->index, (guint) self->test->n - 1);
  g_free (self->x);
  self->x = g_new (float, ll_dataset_sample_size (self->test));
  ll_dataset_fill_batch (self->test, &self->index, 1, self->x, NULL);

  json = ll_arch_to_json (ll_model_get_arch (self->model));
  if (g_strcmp0 (json, self->arch_json) != 0)
    {
      rebuild_output_panels (self);
      g_free (self->arch_json);
      self->arch_json = g_steal_pointer (&json);
    }
  update_outputs (self);
  rebuild_weights (self);
  start_occlusion (self);
  if (self->confusion != NULL && !self->confusion_stale)
    {
      self->confusion_stale = TRUE;
      gtk_label_set_text (self->confusion_label,
                          "The model changed since this matrix was computed: compute it again.");
    }
  {
    g_autofree char *status = g_strdup_printf ("Image %u of %d %s images", self->index, self->test->n,
                                               self->test_is_train ? "training (no test split found)" : "test");
    gtk_label_set_text (self->status_label, status);
  }
  self->updating_controls = TRUE;
  gtk_spin_button_set_value (self->index_spin, self->index);
  self->updating_controls = FALSE;
}

static gboolean
refresh_timeout (gpointer data)
{
  LlInspectView *self = data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

/* Coalesces bursts of changes (training hands back weights often) and does
 * no work while the view is hidden. */
static void
schedule_refresh (LlInspectView *self)
{
  self->dirty = TRUE;
  if (self->refresh_id != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->refresh_id = g_timeout_add (REFRESH_MS, refresh_timeout, self);
}

static void
on_map (GtkWidget *widget, LlInspectView *self)
{
  if (self->dirty)
    {
      g_clear_handle_id (&self->refresh_id, g_source_remove);
      refresh (self);
    }
}

/* Controls ------------------------------------------------------------- */

void
ll_inspect_view_show_image (LlInspectView *self, guint index)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  self->index = index;
  if (self->test != NULL)
    {
      self->index = MIN (index, (guint) self->test->n - 1);
      refresh (self);
    }
}

static void
on_random_clicked (GtkButton *button, LlInspectView *self)
{
  guint cls = gtk_drop_down_get_selected (self->class_dropdown);
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (guint));

  if (self->test == NULL)
    return;
  for (guint i = 0; i < (guint) self->test->n; i++)
    if (cls == 0 || cls == GTK_INVALID_LIST_POSITION || self->test->labels[i] == cls - 1)
      g_array_append_val (candidates, i);
  if (candidates->len > 0)
    ll_inspect_view_show_image (self, g_array_index (candidates, guint,
                                                     g_random_int_range (0, (gint32) candidates->len)));
}

static void
on_class_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlInspectView *self)
{
  if (!self->updating_controls)
    on_random_clicked (NULL, self);
}

static void
on_index_changed (GtkSpinButton *spin, LlInspectView *self)
{
  if (!self->updating_controls)
    ll_inspect_view_show_image (self, (guint) gtk_spin_button_get_value_as_int (spin));
}

static void
on_image_activated (LlImageGrid *grid, guint index, LlInspectView *self)
{
  ll_inspect_view_show_image (self, index);
  gtk_stack_set_visible_child_name (self->stack, "outputs");
}

/* Object ---------------------------------------------------------------- */

static void
ll_inspect_view_set_document (LlInspectView *self, LlDocument *document)
{
  if (self->document == document)
    return;
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect_swapped (document, "changed", G_CALLBACK (schedule_refresh), self);
  schedule_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

static void
cancel_and_clear (GCancellable **c)
{
  if (*c != NULL)
    g_cancellable_cancel (*c);
  g_clear_object (c);
}

static void
ll_inspect_view_dispose (GObject *object)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  cancel_and_clear (&self->load_cancellable);
  cancel_and_clear (&self->occlusion_cancellable);
  cancel_and_clear (&self->confusion_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_INSPECT_VIEW);

  G_OBJECT_CLASS (ll_inspect_view_parent_class)->dispose (object);
}

static void
ll_inspect_view_finalize (GObject *object)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  g_clear_pointer (&self->model, ll_model_free);
  g_clear_pointer (&self->test, ll_dataset_free);
  g_clear_pointer (&self->confusion, ll_confusion_free);
  g_free (self->arch_json);
  g_free (self->test_name);
  g_free (self->loading_name);
  g_free (self->x);
  g_ptr_array_unref (self->layer_grids);
  g_ptr_array_unref (self->prob_bars);
  g_ptr_array_unref (self->prob_labels);
  G_OBJECT_CLASS (ll_inspect_view_parent_class)->finalize (object);
}

static void
ll_inspect_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_inspect_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      ll_inspect_view_set_document (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_inspect_view_class_init (LlInspectViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_inspect_view_dispose;
  object_class->finalize = ll_inspect_view_finalize;
  object_class->get_property = ll_inspect_view_get_property;
  object_class->set_property = ll_inspect_view_set_property;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, "The model being edited", LL_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LL_TYPE_FEATURE_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-inspect-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, random_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, index_spin);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, input_grid);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, prediction_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, stack);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, outputs_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, weights_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, occlusion_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_spinner);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_label);
}

static GtkWidget *
dim_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  return label;
}

static void
ll_inspect_view_init (LlInspectView *self)
{
  GtkWidget *box;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->layer_grids = g_ptr_array_new ();
  self->prob_bars = g_ptr_array_new ();
  self->prob_labels = g_ptr_array_new ();
  self->prob_layer = -1;

  ll_feature_grid_set_colormap (self->input_grid, LL_COLORMAP_GRAY);
  ll_feature_grid_set_tile_size (self->input_grid, 196);
  ll_feature_grid_set_per_tile_range (self->input_grid, TRUE);

  self->occlusion_grid = LL_FEATURE_GRID (ll_feature_grid_new ());
  ll_feature_grid_set_colormap (self->occlusion_grid, LL_COLORMAP_DIVERGING);
  ll_feature_grid_set_tile_size (self->occlusion_grid, 280);
  gtk_box_append (self->occlusion_box,
                  panel_new (self, "Occlusion map", "drop in the predicted class's probability",
                             GTK_WIDGET (self->occlusion_grid)));

  self->matrix = LL_CONFUSION_MATRIX (ll_confusion_matrix_new ());
  self->class_accuracy_label = GTK_LABEL (dim_label (""));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->matrix));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->class_accuracy_label));
  gtk_box_append (self->confusion_box, panel_new (self, "Confusion matrix", "rows: true class, columns: predicted", box));

  self->cell_label = GTK_LABEL (dim_label (""));
  self->cell_grid = LL_IMAGE_GRID (ll_image_grid_new ());
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cell_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cell_grid));
  gtk_box_append (self->confusion_box, panel_new (self, "Images behind the cell", NULL, box));

  self->wrong_grid = LL_IMAGE_GRID (ll_image_grid_new ());
  gtk_box_append (self->confusion_box, panel_new (self, "Most confidently wrong", "true → predicted, probability",
                                                  GTK_WIDGET (self->wrong_grid)));

  g_signal_connect (self->matrix, "cell-activated", G_CALLBACK (on_cell_activated), self);
  g_signal_connect (self->cell_grid, "image-activated", G_CALLBACK (on_image_activated), self);
  g_signal_connect (self->wrong_grid, "image-activated", G_CALLBACK (on_image_activated), self);
  g_signal_connect_swapped (self->confusion_button, "clicked",
                            G_CALLBACK (ll_inspect_view_compute_confusion), self);
  g_signal_connect (self->random_button, "clicked", G_CALLBACK (on_random_clicked), self);
  g_signal_connect (self->class_dropdown, "notify::selected", G_CALLBACK (on_class_selected), self);
  g_signal_connect (self->index_spin, "value-changed", G_CALLBACK (on_index_changed), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
}

GtkWidget *
ll_inspect_view_new (void)
{
  return g_object_new (LL_TYPE_INSPECT_VIEW, NULL);
}

void
ll_inspect_view_set_page (LlInspectView *self, const char *name)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  gtk_stack_set_visible_child_name (self->stack, name);
}

gboolean
ll_inspect_view_is_busy (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  return self->dirty || self->refresh_id != 0 || self->load_cancellable != NULL
         || self->occlusion_cancellable != NULL || self->confusion_cancellable != NULL;
}

const float *
ll_inspect_view_get_input (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->model != NULL ? self->x : NULL;
}

LlFeatureGrid *
ll_inspect_view_get_layer_grid (LlInspectView *self, int layer)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  if (layer < 0 || layer >= (int) self->layer_grids->len)
    return NULL;
  return g_ptr_array_index (self->layer_grids, layer);
}

int
ll_inspect_view_count_output_tiles (LlInspectView *self)
{
  int n = 0;

  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), 0);
  for (guint i = 0; i < self->layer_grids->len; i++)
    if (g_ptr_array_index (self->layer_grids, i) != NULL)
      n += ll_feature_grid_get_n_tiles (g_ptr_array_index (self->layer_grids, i));
  return n;
}

const LlDataset *
ll_inspect_view_get_test_set (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->test;
}

const LlConfusion *
ll_inspect_view_get_confusion (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->confusion;
}
