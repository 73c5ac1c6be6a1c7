/* ll-inspect-view.c: the Inspect view (see ll-inspect-view.h).
 *
 * The view works on its own copy of the document's model, so it never
 * touches buffers a training thread may be using.  It refreshes after the
 * document's "changed" signal (edits, and the Train view handing back
 * trained weights), coalesced to at most a few refreshes per second and
 * only while the view is on screen.  Loading the test set, the occlusion
 * map and the confusion matrix run in GTasks on owned copies; a result
 * that arrives after its input changed is dropped (the cancellable).
 *
 * Two states speak to a newcomer: a notice over a model that was never
 * trained (its answers are guesses), with a button that loads the shipped
 * digit model through the window's preset action (so the unsaved-changes
 * prompt applies), and an empty state with the way to get data when no
 * test images are found.  Test images are searched where the Train view
 * looks: $LAYERLAB_DATA_DIR, else its data folder (GSettings data-dir). */
#include "ll-inspect-view.h"

#include <math.h>
#include <string.h>

#include "ll-data-dir.h"
#include "ll-presentation.h"
#include "ll-confusion-matrix.h"
#include "ll-download.h"
#include "ll-image-grid.h"


#define REFRESH_MS 250
#define N_BINS 40
#define OCC_PATCH 6
#define OCC_STRIDE 2
#define MAX_CELL_IMAGES 48
#define MAX_WRONG 32
#define MAX_KERNEL_ROWS 16
#define MAX_KERNEL_COLS 16

typedef struct {
  int layer;
  double rate;
  LlFeatureGrid *eval, *train, *mask;
  GtkLabel *label;
} DropoutPanel;

typedef struct {
  int layer, channels;
  float *mean, *var;
} BnStats;

static const int bn_batch_sizes[] = { 8, 32, 128 };

struct _LlInspectView
{
  LlView parent_instance;

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
  GtkButton *drawn_button;
  GtkScale *history_scale;
  GtkLabel *history_label;
  GtkBox *batchnorm_box;
  GtkInfoBar *untrained_bar;
  GtkButton *shipped_button;
  GtkStack *content_stack;
  AdwStatusPage *empty_page;
  GtkLabel *empty_details;
  GtkButton *data_view_button;

  /* Made in code. */
  LlFeatureGrid *occlusion_grid;
  LlFeatureGrid *saliency_grid;
  GtkToggleButton *train_toggle;
  GtkDropDown *bn_batch_dropdown;
  GtkLabel *bn_label;
  GtkBox *bn_panels;
  LlConfusionMatrix *matrix;
  GtkLabel *class_accuracy_label;
  GtkLabel *cell_label;
  LlImageGrid *cell_grid;
  LlImageGrid *wrong_grid;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  GSettings *settings;            /* for data-dir; NULL without the schema */
  gboolean notice_dismissed;      /* closed by the user while untrained */
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
  gboolean load_failed;           /* the empty state shows; retried when mapped */
  guint index;
  float *x;                       /* the chosen image, scaled as the model sees it */

  gboolean training_mode;          /* layer outputs as in a training step */
  guint64 dropout_seed;
  GArray *dropout_panels;         /* DropoutPanel, one per Dropout layer */
  gboolean use_snapshot;          /* the last news was a snapshot, not an edit */
  int history_pos;                /* index into the document's history; -1: live */
  gboolean use_drawn;             /* x is the Draw view's digit */
  guint bn_offset;                /* first test image of the batch-norm batch */
  GArray *bn_stats;               /* BnStats, one per BatchNormalization layer */

  GCancellable *occlusion_cancellable;
  GCancellable *confusion_cancellable;
  LlConfusion *confusion;
  gboolean confusion_stale;
};

G_DEFINE_FINAL_TYPE (LlInspectView, ll_inspect_view, LL_TYPE_VIEW)

static void refresh (LlInspectView *self);

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

static void update_outputs (LlInspectView *self);

static void
on_mode_toggled (GtkToggleButton *button, LlInspectView *self)
{
  gboolean training = gtk_toggle_button_get_active (self->train_toggle);

  if (training == self->training_mode || self->model == NULL || self->x == NULL)
    {
      self->training_mode = training;
      return;
    }
  self->training_mode = training;
  update_outputs (self);
}

static void
on_resample_clicked (GtkButton *button, LlInspectView *self)
{
  self->dropout_seed++;
  if (self->model != NULL && self->x != NULL)
    update_outputs (self);
}

/* "Evaluation | Training" for every layer output below, and a new dropout draw. */
static GtkWidget *
mode_switch_new (LlInspectView *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *eval = gtk_toggle_button_new_with_label ("Evaluation");
  GtkWidget *train = gtk_toggle_button_new_with_label ("Training Step");
  GtkWidget *resample = gtk_button_new_with_label ("New Dropout Draw");
  GtkWidget *hint = gtk_label_new ("Layer outputs as when predicting, or as in a training step "
                                   "(dropout active, batch norm with the statistics of this one image).");

  gtk_widget_add_css_class (linked, "linked");
  gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (train), GTK_TOGGLE_BUTTON (eval));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->training_mode ? train : eval), TRUE);
  gtk_box_append (GTK_BOX (linked), eval);
  gtk_box_append (GTK_BOX (linked), train);
  gtk_box_append (GTK_BOX (row), linked);
  gtk_box_append (GTK_BOX (row), resample);
  gtk_widget_set_tooltip_text (resample, "Switch off another random set of units in the Dropout layers");
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (row), hint);
  self->train_toggle = GTK_TOGGLE_BUTTON (train);
  g_signal_connect (train, "toggled", G_CALLBACK (on_mode_toggled), self);
  g_signal_connect (resample, "clicked", G_CALLBACK (on_resample_clicked), self);
  return row;
}

static LlFeatureGrid *
strip_grid_new (const LlShape *shape, LlColormap map)
{
  LlFeatureGrid *grid = LL_FEATURE_GRID (ll_feature_grid_new ());

  ll_feature_grid_set_colormap (grid, map);
  if (shape->rank == 3)
    ll_feature_grid_set_tile_size (grid, 40);
  else
    ll_feature_grid_set_tile_size (grid, MIN ((int) ll_shape_size (shape) * 8, 900));
  return grid;
}

/* A Dropout layer: its input (what it passes on when predicting), its
 * output in a training step, and which units it switched off. */
static GtkWidget *
dropout_panel_new (LlInspectView *self, int layer, const char *title, const LlShape *shape)
{
  const LlLayerSpec *spec = ll_arch_layer (ll_model_get_arch (self->model), layer);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autofree char *shape_text = ll_shape_to_string (shape);
  g_autofree char *sub = NULL;
  DropoutPanel dp = { layer, 0, NULL, NULL, NULL, NULL };
  const char *captions[] = { "Evaluation: nothing switched off, the layer above's values pass unchanged",
                             "Training step: the kept units scaled by 1 / (1 − rate)",
                             "Switched off in this step (yellow)" };
  LlFeatureGrid **grids[] = { &dp.eval, &dp.train, &dp.mask };

  dp.rate = ll_layer_spec_get (spec, "rate", 0);
  sub = g_strdup_printf ("%s — rate %.2g: each unit is switched off with this probability while training",
                         shape_text, dp.rate);
  for (int k = 0; k < 3; k++)
    {
      GtkWidget *label = gtk_label_new (captions[k]);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      *grids[k] = strip_grid_new (shape, LL_COLORMAP_VIRIDIS);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (*grids[k]));
    }
  dp.label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (dp.label, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (dp.label));
  g_array_append_val (self->dropout_panels, dp);
  return panel_new (self, title, sub, box);
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
  g_array_set_size (self->dropout_panels, 0);
  self->prob_layer = -1;
  g_ptr_array_add (self->layer_grids, NULL);     /* the Input is on the left */
  gtk_box_append (self->outputs_box, mode_switch_new (self));

  for (int i = 1; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlShape shape = ll_model_layer_shape (self->model, i);
      g_autofree char *name = ll_arch_layer_name (arch, i);
      g_autofree char *shape_text = ll_shape_to_string (&shape);
      g_autofree char *title = g_strdup_printf ("%s (%s)", name, spec->type->name);
      GtkWidget *grid = NULL;

      if (is_type (spec, "Dropout"))
        {
          gtk_box_append (self->outputs_box, dropout_panel_new (self, i, title, &shape));
          g_ptr_array_add (self->layer_grids, NULL);
          continue;
        }
      if (is_type (spec, "Flatten") || is_type (spec, "Reshape"))
        {
          g_autofree char *text = g_strdup_printf ("%s %s — %s", title, shape_text,
                                                   "the same values, rearranged");
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
set_layer_grids (LlInspectView *self)
{
  int n = ll_model_n_layers (self->model);

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
}

static void
set_grid_like (LlFeatureGrid *grid, const float *v, const LlShape *s)
{
  if (s->rank == 3)
    ll_feature_grid_set_hwc (grid, v, s->d[0], s->d[1], s->d[2]);
  else
    ll_feature_grid_set_tiles (grid, v, 1, 1, (int) ll_shape_size (s), 1);
}

/* One forward in training mode on the private copy: dropout draws a mask
 * from the view's seed.  Batch norm would update its moving statistics, so
 * the state is put back afterwards. */
static void
forward_training (LlInspectView *self, float *probs)
{
  gsize n_state = ll_model_n_state (self->model);
  int n_out = ll_model_output_shape (self->model).d[0];
  g_autofree float *state = n_state > 0 ? g_memdup2 (ll_model_state (self->model), n_state * sizeof (float)) : NULL;
  const float *out;
  LlRng rng;

  ll_rng_seed (&rng, self->dropout_seed);
  out = ll_model_forward (self->model, 1, self->x, TRUE, &rng);
  memcpy (probs, out, n_out * sizeof (float));
  for (guint k = 0; k < self->dropout_panels->len; k++)
    {
      DropoutPanel *dp = &g_array_index (self->dropout_panels, DropoutPanel, k);
      LlShape s = ll_model_layer_shape (self->model, dp->layer);
      gsize size = ll_shape_size (&s);
      const float *in = ll_model_layer_output (self->model, dp->layer - 1);
      const float *dropped = ll_model_layer_output (self->model, dp->layer);
      g_autofree float *mask = g_new (float, size);
      gsize n_off = 0, n_active = 0;
      g_autofree char *text = NULL;

      for (gsize j = 0; j < size; j++)
        {
          mask[j] = dropped[j] == 0 && in[j] != 0;
          n_off += mask[j] != 0;
          n_active += in[j] != 0;
        }
      set_grid_like (dp->train, dropped, &s);
      set_grid_like (dp->mask, mask, &s);
      text = g_strdup_printf ("%zu of the %zu non-zero units switched off (%.0f %%; expected %.0f %%)",
                              (size_t) n_off, (size_t) n_active,
                              n_active > 0 ? 100.0 * n_off / n_active : 0.0, 100 * dp->rate);
      gtk_label_set_text (dp->label, text);
    }
  if (self->training_mode)
    set_layer_grids (self);
  if (n_state > 0)
    memcpy (ll_model_state (self->model), state, n_state * sizeof (float));
}

static gboolean shows_training_weights (LlInspectView *self);

static void
update_outputs (LlInspectView *self)
{
  LlShape in = ll_model_input_shape (self->model);
  const float *probs;
  int best = 0, n_out;
  g_autofree float *train_probs = NULL;
  g_autofree char *text = NULL;
  gboolean guess;

  n_out = ll_model_output_shape (self->model).d[0];
  train_probs = g_new (float, n_out);
  forward_training (self, train_probs);
  probs = ll_model_forward (self->model, 1, self->x, FALSE, NULL);

  if (in.rank == 3)
    ll_feature_grid_set_tiles (self->input_grid, self->x, 1, in.d[0], in.d[1], in.d[2] == 3 ? 3 : 1);
  if (!self->training_mode)
    set_layer_grids (self);
  for (guint k = 0; k < self->dropout_panels->len; k++)
    {
      DropoutPanel *dp = &g_array_index (self->dropout_panels, DropoutPanel, k);
      LlShape s = ll_model_layer_shape (self->model, dp->layer);
      set_grid_like (dp->eval, ll_model_layer_output (self->model, dp->layer), &s);
    }

  for (int k = 0; k < n_out; k++)
    if (probs[k] > probs[best])
      best = k;
  for (guint k = 0; k < self->prob_bars->len && (int) k < n_out; k++)
    {
      float p = self->training_mode ? train_probs[k] : probs[k];
      g_autofree char *value = g_strdup_printf ("%.1f %%", 100 * p);
      gtk_level_bar_set_value (g_ptr_array_index (self->prob_bars, k), p);
      gtk_label_set_text (g_ptr_array_index (self->prob_labels, k), value);
    }
  /* Random weights: say so where the answer is read, not only in the notice. */
  guess = self->document != NULL && !ll_document_get_trained (self->document)
          && !shows_training_weights (self);
  if (self->use_drawn)
    text = g_strdup_printf ("%s %s (%.1f %%)\nThe digit drawn in the Draw view",
                            guess ? "Guessed" : "Predicted", class_name (self->test, best), 100 * probs[best]);
  else
    text = g_strdup_printf ("%s %s (%.1f %%)\nTrue class %s", guess ? "Guessed (untrained)" : "Predicted",
                            class_name (self->test, best), 100 * probs[best],
                            class_name (self->test, self->test->labels[self->index]));
  gtk_label_set_text (self->prediction_label, text);
}

/* Weights ---------------------------------------------------------------- */

static void
rebuild_weights (LlInspectView *self)
{
  const LlArch *arch = ll_model_get_arch (self->model);
  int n = ll_model_n_layers (self->model);
  int n_conv = 0;
  gboolean dense_done = FALSE;
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

      if (n_conv == 1 && is_type (spec, "Conv2D") && nw > 0)
        {
          const LlWeightInfo *k = views[0].info;
          int kh = k->dims[0], kw = k->dims[1], cin = k->dims[2], f = k->dims[3];
          int rows = MIN (f, MAX_KERNEL_ROWS), cols = MIN (cin, MAX_KERNEL_COLS);
          g_autofree float *tiles = g_new (float, (gsize) rows * cols * kh * kw);
          GtkWidget *grid = ll_feature_grid_new ();
          g_autofree char *title = g_strdup_printf ("%s kernels per input channel", name);
          g_autofree char *sub = g_strdup_printf ("rows: %d of %d filters, columns: %d of %d input channels "
                                                  "(the previous layer's feature maps); %d×%d each",
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
          gtk_box_append (self->weights_box, panel_new (self, title, sub, grid));
          n_conv++;
        }
      if (n_conv == 0 && is_type (spec, "Conv2D") && nw > 0)
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
          n_conv++;
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

/* Gradient saliency ------------------------------------------------------- */

/* |d logit / d pixel|, the largest over the channels: which pixels would
 * change the class score most if nudged.  One backward pass on the
 * private copy, cheap enough for the main thread. */
static void
update_saliency (LlInspectView *self, int cls)
{
  LlShape in = ll_model_input_shape (self->model);
  g_autofree float *dx = NULL;
  g_autofree float *map = NULL;
  g_autoptr(GError) error = NULL;
  int h, w, c;

  if (in.rank != 3)
    {
      ll_feature_grid_clear (self->saliency_grid);
      return;
    }
  h = in.d[0], w = in.d[1], c = in.d[2];
  dx = g_new (float, ll_shape_size (&in));
  if (!ll_model_input_gradient (self->model, self->x, cls, dx, &error))
    {
      ll_feature_grid_clear (self->saliency_grid);
      gtk_label_set_text (self->status_label, error->message);
      return;
    }
  map = g_new (float, (gsize) h * w);
  for (gsize p = 0; p < (gsize) h * w; p++)
    {
      float m = 0;
      for (int k = 0; k < c; k++)
        m = MAX (m, fabsf (dx[p * c + k]));
      map[p] = m;
    }
  ll_feature_grid_set_tiles (self->saliency_grid, map, 1, h, w, 1);
}

static int
predicted_class (LlInspectView *self)
{
  const float *probs = ll_model_forward (self->model, 1, self->x, FALSE, NULL);
  int n_out = ll_model_output_shape (self->model).d[0], best = 0;

  for (int k = 1; k < n_out; k++)
    if (probs[k] > probs[best])
      best = k;
  return best;
}

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

static void
bn_stats_clear (gpointer data)
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
static void
update_batchnorm (LlInspectView *self)
{
  const LlArch *arch;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *x = NULL;
  g_autofree guint32 *idx = NULL;
  int batch = bn_batch_size (self), n, n_bn = 0;
  gsize sample;

  clear_box (self->bn_panels, NULL);
  g_array_set_size (self->bn_stats, 0);
  if (self->model == NULL || self->test == NULL)
    return;
  arch = ll_model_get_arch (self->model);
  n = ll_model_n_layers (self->model);
  for (int i = 1; i < n; i++)
    n_bn += is_type (ll_arch_layer (arch, i), "BatchNormalization");
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

      if (!is_type (spec, "BatchNormalization"))
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
      gtk_box_append (self->bn_panels, panel_new (self, title, sub, area));
    }
}

static void
on_bn_batch_changed (LlInspectView *self)
{
  if (!self->updating_controls)
    update_batchnorm (self);
}

static void
on_bn_new_batch (GtkButton *button, LlInspectView *self)
{
  if (self->test != NULL)
    self->bn_offset = (guint) g_random_int_range (0, self->test->n);
  update_batchnorm (self);
}

static gboolean
page_is (LlInspectView *self, const char *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0;
}

static void
on_page_changed (LlInspectView *self)
{
  if (page_is (self, "batchnorm"))
    update_batchnorm (self);
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

typedef struct {
  char *name;
  char *dir;                      /* searched first, or NULL */
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->name);
  g_free (job->dir);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LoadJob *job = data;
  GError *error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->ds = ll_dataset_load_named (job->name, job->dir, TRUE, &error);
  if (loaded->ds == NULL && g_error_matches (error, LL_ERROR, LL_ERROR_NOT_FOUND))
    {
      /* Some machines have only training files (the CIFAR-10 sample). */
      loaded->ds = ll_dataset_load_named (job->name, job->dir, FALSE, NULL);
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

/* Instead of blank pages: what is missing and where to get it. */
static void
show_empty_state (LlInspectView *self, const char *name, const GError *error)
{
  const LlDownloadSet *set = ll_download_set_lookup (name);
  const char *title = set != NULL ? set->title : name;
  g_autofree char *text = NULL;

  if (g_error_matches (error, LL_ERROR, LL_ERROR_NOT_FOUND))
    {
      adw_status_page_set_title (self->empty_page, "No Test Images");
      text = g_strdup_printf ("No %s test images found. Download %s in the Data view, "
                              "or choose a data folder in the Train view.", title, title);
    }
  else
    {
      adw_status_page_set_title (self->empty_page, "Test Images Unreadable");
      text = g_strdup_printf ("The %s files found could not be read. Download %s again in the Data "
                              "view, or choose another data folder in the Train view.", title, title);
    }
  adw_status_page_set_description (self->empty_page, text);
  gtk_label_set_text (self->empty_details, error != NULL ? error->message : "");
  gtk_label_set_text (self->status_label, text);
  self->load_failed = TRUE;
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
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
      show_empty_state (self, self->loading_name, error);
      g_clear_pointer (&self->loading_name, g_free);
      return;
    }
  self->load_failed = FALSE;
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
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
  LoadJob *job;

  if (self->loading_name != NULL && g_strcmp0 (self->loading_name, name) == 0)
    return;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_free (self->loading_name);
  self->loading_name = g_strdup (name);
  self->load_cancellable = g_cancellable_new ();
  job = g_new0 (LoadJob, 1);
  job->name = g_strdup (name);
  job->dir = ll_dup_data_dir (self->settings);
  task = g_task_new (self, self->load_cancellable, load_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
  gtk_label_set_text (self->status_label, "Loading the test images…");
}

/* Drawn digit and history ----------------------------------------------- */

static gboolean
drawn_usable (LlInspectView *self)
{
  LlModel *model = self->document != NULL ? ll_document_get_model (self->document) : NULL;
  LlShape in;

  if (model == NULL || ll_document_get_drawn_input (self->document) == NULL)
    return FALSE;
  in = ll_model_input_shape (model);
  return in.rank == 3 && in.d[0] == 28 && in.d[1] == 28 && in.d[2] == 1;
}

static void
update_drawn_button (LlInspectView *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->drawn_button), drawn_usable (self));
}

static void
update_history_controls (LlInspectView *self)
{
  guint n = self->document != NULL ? ll_document_get_n_history (self->document) : 0;
  g_autofree char *text = NULL;

  if (self->history_pos >= (int) n)
    self->history_pos = -1;
  self->updating_controls = TRUE;
  gtk_range_set_range (GTK_RANGE (self->history_scale), 0, MAX (n, 1));
  gtk_range_set_value (GTK_RANGE (self->history_scale), self->history_pos < 0 ? n : (guint) self->history_pos);
  self->updating_controls = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->history_scale), n > 0);
  if (n == 0)
    text = g_strdup ("While training runs, the weights are kept at the end of each epoch and a few "
                     "times in the first; this slider then replays them.");
  else if (self->history_pos < 0)
    text = g_strdup_printf ("Now (%u earlier points kept)", n);
  else
    {
      int epoch, batch;
      ll_document_get_history (self->document, self->history_pos, &epoch, &batch);
      text = batch < 0 ? g_strdup_printf ("End of epoch %d (%d of %u)", epoch + 1, self->history_pos + 1, n)
                       : g_strdup_printf ("Epoch %d, batch %d (%d of %u)", epoch + 1, batch,
                                          self->history_pos + 1, n);
    }
  gtk_label_set_text (self->history_label, text);
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
  ll_feature_grid_clear (self->saliency_grid);
  g_array_set_size (self->dropout_panels, 0);
  clear_box (self->bn_panels, NULL);
  g_array_set_size (self->bn_stats, 0);
  gtk_label_set_text (self->prediction_label, "");
  gtk_label_set_text (self->status_label, why);
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
}

/* The view shows weights from a running training (a snapshot or the
 * replayed history), not the document's own: as refresh() chooses. */
static gboolean
shows_training_weights (LlInspectView *self)
{
  const LlArch *arch = ll_document_get_arch (self->document);
  guint n_history = ll_document_get_n_history (self->document);
  LlModel *shown = NULL;

  if (self->history_pos >= 0 && (guint) self->history_pos < n_history)
    shown = ll_document_get_history (self->document, self->history_pos, NULL, NULL);
  else if (self->use_snapshot)
    shown = ll_document_get_snapshot (self->document);
  return shown != NULL && ll_arch_equal (ll_model_get_arch (shown), arch);
}

static void
update_untrained_notice (LlInspectView *self)
{
  gboolean trained, show;

  if (self->document == NULL)
    {
      gtk_info_bar_set_revealed (self->untrained_bar, FALSE);
      return;
    }
  trained = ll_document_get_trained (self->document);
  /* Closing the notice lasts until a model is trained or loaded. */
  if (trained)
    self->notice_dismissed = FALSE;
  show = !trained && !self->notice_dismissed && ll_document_get_model (self->document) != NULL
         && !shows_training_weights (self);
  gtk_info_bar_set_revealed (self->untrained_bar, show);
}

static void
on_untrained_response (GtkInfoBar *bar, int response, LlInspectView *self)
{
  if (response != GTK_RESPONSE_CLOSE)
    return;
  self->notice_dismissed = TRUE;
  update_untrained_notice (self);
}

static void
on_shipped_clicked (GtkButton *button, LlInspectView *self)
{
  g_autoptr(GError) error = NULL;

  /* Inside the window, the window asks about unsaved changes first, as
   * for File ▸ Open and the presets. */
  if (gtk_widget_activate_action (GTK_WIDGET (self), "window.load-preset", "s", LL_DOCUMENT_SHIPPED_DIGITS))
    return;
  if (self->document != NULL && !ll_document_load_preset (self->document, LL_DOCUMENT_SHIPPED_DIGITS, &error))
    gtk_label_set_text (self->status_label, error->message);
}

static void
refresh (LlInspectView *self)
{
  LlModel *model;
  const char *name, *source;
  int epoch = -1, batch = -1;
  LlShape in;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  self->dirty = FALSE;
  update_untrained_notice (self);
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
  self->load_failed = FALSE;
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
  {
    LlModel *snapshot = ll_document_get_snapshot (self->document);
    guint n_history = ll_document_get_n_history (self->document);
    const LlArch *arch = ll_model_get_arch (model);

    source = NULL;
    if (self->history_pos >= 0 && (guint) self->history_pos < n_history)
      {
        LlModel *h = ll_document_get_history (self->document, self->history_pos, &epoch, &batch);
        if (ll_arch_equal (ll_model_get_arch (h), arch))
          model = h, source = "history";
      }
    else if (self->use_snapshot && snapshot != NULL && ll_arch_equal (ll_model_get_arch (snapshot), arch))
      {
        model = snapshot, source = "snapshot";
        epoch = ll_document_get_snapshot_epoch (self->document);
        batch = ll_document_get_snapshot_batch (self->document);
      }
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
  update_drawn_button (self);
  if (self->use_drawn && drawn_usable (self))
    memcpy (self->x, ll_document_get_drawn_input (self->document), 28 * 28 * sizeof (float));
  else
    {
      self->use_drawn = FALSE;
      ll_dataset_fill_batch (self->test, &self->index, 1, self->x, NULL);
    }

  json = ll_arch_to_json (ll_model_get_arch (self->model));
  if (g_strcmp0 (json, self->arch_json) != 0)
    {
      rebuild_output_panels (self);
      g_free (self->arch_json);
      self->arch_json = g_steal_pointer (&json);
    }
  update_outputs (self);
  rebuild_weights (self);
  /* After the weight histograms: the input gradient overwrites the weight gradients. */
  update_saliency (self, predicted_class (self));
  start_occlusion (self);
  if (page_is (self, "batchnorm"))
    update_batchnorm (self);
  if (self->confusion != NULL && !self->confusion_stale)
    {
      self->confusion_stale = TRUE;
      gtk_label_set_text (self->confusion_label,
                          "The model changed since this matrix was computed: compute it again.");
    }
  {
    g_autofree char *when = NULL;
    g_autofree char *status = NULL;

    if (source != NULL)
      when = batch < 0 ? g_strdup_printf ("\nWeights of the %s: end of epoch %d", source, epoch + 1)
                       : g_strdup_printf ("\nWeights of the %s: epoch %d, batch %d", source, epoch + 1, batch);
    if (self->use_drawn)
      status = g_strdup_printf ("The digit drawn in the Draw view%s", when != NULL ? when : "");
    else
      status = g_strdup_printf ("Image %u of %d %s images%s", self->index, self->test->n,
                                self->test_is_train ? "training (no test split found)" : "test",
                                when != NULL ? when : "");
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
  /* After a failed load, the user may have fetched the data meanwhile. */
  if (self->dirty || self->load_failed)
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
  self->use_drawn = FALSE;
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

static void
on_document_changed (LlInspectView *self)
{
  self->use_snapshot = FALSE;
  update_history_controls (self);
  update_untrained_notice (self);
  schedule_refresh (self);
}

static void
on_data_dir_changed (LlInspectView *self)
{
  if (self->load_failed)
    schedule_refresh (self);
}

/* Published by the training worker a few times per second: refreshing is
 * coalesced by schedule_refresh (at most 4 per second, none while hidden). */
static void
on_snapshot (LlInspectView *self)
{
  self->use_snapshot = ll_document_get_snapshot (self->document) != NULL;
  update_history_controls (self);
  update_untrained_notice (self);
  if (self->history_pos < 0)
    schedule_refresh (self);
}

static void
on_drawn_input_changed (LlInspectView *self)
{
  update_drawn_button (self);
  if (self->use_drawn)
    schedule_refresh (self);
}

static void
on_drawn_clicked (GtkButton *button, LlInspectView *self)
{
  if (!drawn_usable (self))
    return;
  self->use_drawn = TRUE;
  refresh (self);
}

static void
on_history_changed (GtkRange *range, LlInspectView *self)
{
  guint n;
  int pos = (int) round (gtk_range_get_value (range));

  if (self->updating_controls || self->document == NULL)
    return;
  n = ll_document_get_n_history (self->document);
  pos = pos >= (int) n ? -1 : pos;
  if (pos == self->history_pos)
    return;
  self->history_pos = pos;
  update_history_controls (self);
  refresh (self);
}

/* Object ---------------------------------------------------------------- */

static void
ll_inspect_view_document_set (LlView *view, LlDocument *old)
{
  LlInspectView *self = LL_INSPECT_VIEW (view);
  LlDocument *document = ll_view_get_document (view);

  self->document = document;
  self->history_pos = -1;
  if (document != NULL)
    {
      g_signal_connect_swapped (document, "snapshot", G_CALLBACK (on_snapshot), self);
      g_signal_connect_swapped (document, "drawn-input-changed", G_CALLBACK (on_drawn_input_changed), self);
    }
  else
    on_document_changed (self);
}

static void
ll_inspect_view_document_changed (LlView *view)
{
  on_document_changed (LL_INSPECT_VIEW (view));
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

  self->document = NULL;
  g_clear_object (&self->settings);
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
  g_array_unref (self->dropout_panels);
  g_array_unref (self->bn_stats);
  G_OBJECT_CLASS (ll_inspect_view_parent_class)->finalize (object);
}

static void
ll_inspect_view_class_init (LlInspectViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_inspect_view_dispose;
  view_class->document_set = ll_inspect_view_document_set;
  view_class->document_changed = ll_inspect_view_document_changed;
  object_class->finalize = ll_inspect_view_finalize;

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
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, drawn_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, history_scale);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, history_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, batchnorm_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, untrained_bar);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, shipped_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, empty_details);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, data_view_button);
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
  self->settings = ll_settings_new_if_installed ("data-dir");
  if (self->settings != NULL)
    {
      g_signal_connect_swapped (self->settings, "changed::data-dir", G_CALLBACK (on_data_dir_changed), self);
    }
  g_signal_connect (self->untrained_bar, "response", G_CALLBACK (on_untrained_response), self);
  g_signal_connect (self->shipped_button, "clicked", G_CALLBACK (on_shipped_clicked), self);
  self->layer_grids = g_ptr_array_new ();
  self->prob_bars = g_ptr_array_new ();
  self->prob_labels = g_ptr_array_new ();
  self->prob_layer = -1;
  self->dropout_panels = g_array_new (FALSE, TRUE, sizeof (DropoutPanel));
  self->bn_stats = g_array_new (FALSE, TRUE, sizeof (BnStats));
  g_array_set_clear_func (self->bn_stats, bn_stats_clear);
  self->dropout_seed = 1;
  self->history_pos = -1;

  ll_feature_grid_set_colormap (self->input_grid, LL_COLORMAP_GRAY);
  ll_feature_grid_set_tile_size (self->input_grid, 196);
  ll_feature_grid_set_per_tile_range (self->input_grid, TRUE);

  self->occlusion_grid = LL_FEATURE_GRID (ll_feature_grid_new ());
  ll_feature_grid_set_colormap (self->occlusion_grid, LL_COLORMAP_DIVERGING);
  ll_feature_grid_set_tile_size (self->occlusion_grid, 280);
  self->saliency_grid = LL_FEATURE_GRID (ll_feature_grid_new ());
  ll_feature_grid_set_colormap (self->saliency_grid, LL_COLORMAP_VIRIDIS);
  ll_feature_grid_set_tile_size (self->saliency_grid, 280);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  gtk_box_append (GTK_BOX (box),
                  panel_new (self, "Occlusion map", "drop in the predicted class's probability",
                             GTK_WIDGET (self->occlusion_grid)));
  gtk_box_append (GTK_BOX (box),
                  panel_new (self, "Gradient saliency", "|∂ class score / ∂ pixel|, largest over the channels",
                             GTK_WIDGET (self->saliency_grid)));
  gtk_box_append (self->occlusion_box, box);

  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *again = gtk_button_new_with_label ("New Batch");
    GtkWidget *sizes = gtk_drop_down_new_from_strings ((const char *const[]) { "Batch of 8", "Batch of 32",
                                                                               "Batch of 128", NULL });

    self->bn_batch_dropdown = GTK_DROP_DOWN (sizes);
    gtk_drop_down_set_selected (self->bn_batch_dropdown, 1);
    gtk_widget_set_tooltip_text (sizes, "How many test images the batch statistics are computed from");
    gtk_widget_set_tooltip_text (again, "Another batch of random test images");
    self->bn_label = GTK_LABEL (dim_label (""));
    gtk_widget_set_hexpand (GTK_WIDGET (self->bn_label), TRUE);
    gtk_box_append (GTK_BOX (row), sizes);
    gtk_box_append (GTK_BOX (row), again);
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->bn_label));
    gtk_box_append (self->batchnorm_box, row);
    self->bn_panels = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
    gtk_box_append (self->batchnorm_box, GTK_WIDGET (self->bn_panels));
    g_signal_connect_swapped (sizes, "notify::selected", G_CALLBACK (on_bn_batch_changed), self);
    g_signal_connect (again, "clicked", G_CALLBACK (on_bn_new_batch), self);
  }

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
  g_signal_connect (self->drawn_button, "clicked", G_CALLBACK (on_drawn_clicked), self);
  g_signal_connect (self->history_scale, "value-changed", G_CALLBACK (on_history_changed), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
  update_history_controls (self);
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

void
ll_inspect_view_set_training_mode (LlInspectView *self, gboolean training)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  if (self->train_toggle != NULL)
    gtk_toggle_button_set_active (self->train_toggle, training);
  else
    self->training_mode = !!training;
}

LlFeatureGrid *
ll_inspect_view_get_saliency_grid (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->saliency_grid;
}

gboolean
ll_inspect_view_get_dropout_grids (LlInspectView *self, int layer, LlFeatureGrid **eval,
                                   LlFeatureGrid **train, LlFeatureGrid **mask)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  for (guint k = 0; k < self->dropout_panels->len; k++)
    {
      DropoutPanel *dp = &g_array_index (self->dropout_panels, DropoutPanel, k);
      if (dp->layer == layer)
        {
          *eval = dp->eval;
          *train = dp->train;
          *mask = dp->mask;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ll_inspect_view_get_bn_stats (LlInspectView *self, int layer, int *channels,
                              const float **mean, const float **var)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  for (guint k = 0; k < self->bn_stats->len; k++)
    {
      BnStats *st = &g_array_index (self->bn_stats, BnStats, k);
      if (st->layer == layer)
        {
          *channels = st->channels;
          *mean = st->mean;
          *var = st->var;
          return TRUE;
        }
    }
  return FALSE;
}

void
ll_inspect_view_set_history_position (LlInspectView *self, int position)
{
  guint n;

  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  n = self->document != NULL ? ll_document_get_n_history (self->document) : 0;
  gtk_range_set_value (GTK_RANGE (self->history_scale), position < 0 || (guint) position >= n ? n : (guint) position);
}

void
ll_inspect_view_use_drawn_input (LlInspectView *self)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  on_drawn_clicked (NULL, self);
}

gboolean
ll_inspect_view_get_untrained_notice_shown (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  return gtk_info_bar_get_revealed (self->untrained_bar);
}

GtkWidget *
ll_inspect_view_get_shipped_model_button (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return GTK_WIDGET (self->shipped_button);
}

const char *
ll_inspect_view_get_empty_message (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "empty") != 0)
    return NULL;
  return adw_status_page_get_description (self->empty_page);
}

GtkWidget *
ll_inspect_view_get_data_view_button (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return GTK_WIDGET (self->data_view_button);
}
