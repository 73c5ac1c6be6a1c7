/* ll-inspect-view-explain.c: the Inspect view's Arithmetic page: how one
 * number of a layer was computed, on the real model and image.
 *
 * The page keeps its own copy of the view's model and runs the chosen
 * image through it, when predicting (one image) or as a training step (a
 * batch of images with the chosen one first: dropout draws this step's
 * mask from the view's seed, batch normalization uses the batch's
 * statistics).  A layer's output map is drawn for one channel; clicking a
 * unit (or pressing Enter on it) shows its arithmetic from
 * ll_explain_unit.  For Conv2D and pooling layers the window can be
 * animated over the input while the map fills in with each unit's
 * explained value.  A sandbox beside it convolves a small input of the
 * user's own with a kernel of their choosing. */
#include "config.h"

#include "ll-inspect-view-private.h"

#include "ll-conv-sandbox.h"
#include "ll-explain-panel.h"
#include "ll-number-grid.h"
#include "ll-slide-animation.h"

#include <glib/gi18n.h>
#include <math.h>

#define TRAINING_BATCH 32
#define VECTOR_COLUMNS 16

struct _LlInspectExplain
{
  GtkStack *sub_stack;
  GtkDropDown *layer_dropdown;
  GArray *layers;                 /* int: the layer of each dropdown item */
  GtkDropDown *mode_dropdown;
  GtkSpinButton *channel_spin;
  GtkWidget *channel_box;
  GtkLabel *mode_label;
  GtkLabel *map_caption;
  GtkLabel *arithmetic;
  LlNumberGrid *map;
  LlExplainPanel *panel;
  GtkWidget *animation_expander;
  GtkSpinButton *in_channel_spin;
  GtkWidget *in_channel_box;
  GtkLabel *animation_note;
  LlSlideAnimation *animation;
  LlConvSandbox *sandbox;

  LlModel *model;                 /* own copy; its last forward is what the page shows */
  char *arch_json;                /* the architecture the layer list was built for */
  int layer, channel;
  int unit[3], unit_rank;
  int in_channel;
  gboolean training;
  gboolean dirty;                 /* needs a refresh when the page is next shown */
  gboolean updating;
  int demo_steps;                 /* LL_EXPLAIN_DEMO: windows to animate once, for screenshots */
  char *demo_unit;                /* LL_EXPLAIN_UNIT: "LAYER:Y,X,C" or "LAYER:I" to show once */
};

static gboolean
page_visible (LlInspectView *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "arithmetic") == 0;
}

/* The unit under map cell (row, col); FALSE for the empty tail of a vector. */
static gboolean
map_cell_unit (LlInspectView *self, int row, int col, int *unit, int *rank)
{
  LlInspectExplain *x = self->explain;
  LlShape s = ll_model_layer_shape (x->model, x->layer);

  if (s.rank == 3)
    {
      unit[0] = row;
      unit[1] = col;
      unit[2] = x->channel;
      *rank = 3;
      return TRUE;
    }
  unit[0] = row * MIN (s.d[0], VECTOR_COLUMNS) + col;
  *rank = 1;
  return unit[0] < s.d[0];
}

static void
mark_unit (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  int cols = MIN (ll_model_layer_shape (x->model, x->layer).d[0], VECTOR_COLUMNS);

  if (x->unit_rank == 3)
    ll_number_grid_set_marked (x->map, x->unit[0], x->unit[1]);
  else if (x->unit_rank == 1)
    ll_number_grid_set_marked (x->map, x->unit[0] / cols, x->unit[0] % cols);
}

static void
show_unit (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  g_autoptr(GError) error = NULL;
  LlExplanation *e;

  if (x->model == NULL || x->unit_rank == 0)
    {
      ll_explain_panel_set_explanation (x->panel, NULL);
      return;
    }
  e = ll_explain_unit (x->model, 0, x->layer, x->unit, x->unit_rank, &error);
  if (e == NULL)
    {
      ll_explain_panel_set_explanation (x->panel, NULL);
      gtk_label_set_text (x->mode_label, error->message);
      return;
    }
  mark_unit (self);
  ll_explain_panel_set_explanation (x->panel, e);
}

/* The animation: channel in_channel of the layer's input, the window of
 * the layer, and each unit of the shown output channel's explained value. */
static void
update_animation (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  const LlLayerSpec *spec = ll_arch_layer (ll_model_get_arch (x->model), x->layer);
  LlShape in = ll_model_layer_shape (x->model, x->layer - 1);
  LlWindowAxis axes[2];
  g_autofree float *input = NULL, *values = NULL;
  g_autofree char *in_caption = NULL, *out_caption = NULL, *shape = NULL, *params = NULL, *text = NULL;
  const float *xin;
  int cin;

  if (x->layer < 1 || !ll_layer_spec_window (spec, &in, axes))
    {
      gtk_widget_set_visible (x->animation_expander, FALSE);
      return;
    }
  gtk_widget_set_visible (x->animation_expander, TRUE);
  cin = in.d[2];
  /* Pooling works channel by channel: the window slides over the same channel. */
  x->in_channel = spec->type == &ll_layer_conv2d ? CLAMP (x->in_channel, 0, cin - 1) : x->channel;
  x->updating = TRUE;
  gtk_spin_button_set_range (x->in_channel_spin, 0, cin - 1);
  gtk_spin_button_set_value (x->in_channel_spin, x->in_channel);
  x->updating = FALSE;
  gtk_widget_set_visible (x->in_channel_box, cin > 1 && spec->type == &ll_layer_conv2d);

  xin = ll_model_layer_output (x->model, x->layer - 1);
  input = g_new (float, (gsize) in.d[0] * in.d[1]);
  for (int i = 0; i < in.d[0] * in.d[1]; i++)
    input[i] = xin[(gsize) i * cin + x->in_channel];
  values = g_new (float, (gsize) axes[0].out * axes[1].out);
  for (int y = 0; y < axes[0].out; y++)
    for (int xx = 0; xx < axes[1].out; xx++)
      {
        g_autoptr(LlExplanation) e = ll_explain_unit (x->model, 0, x->layer,
                                                      (int[]) { y, xx, x->channel }, 3, NULL);
        values[y * axes[1].out + xx] = e != NULL ? (float) e->value : NAN;
      }
  ll_slide_animation_set_maps (x->animation, input, axes, values,
                               x->layer == 1 ? LL_COLORMAP_GRAY : LL_COLORMAP_VIRIDIS);
  in_caption = spec->type == &ll_layer_conv2d && cin > 1
    ? g_strdup_printf (_("Input channel %d of %d (the window spans all of them)"), x->in_channel, cin)
    : g_strdup_printf (_("Input channel %d"), x->in_channel);
  out_caption = g_strdup_printf (_("Output channel %d"), x->channel);
  ll_slide_animation_set_captions (x->animation, in_caption, out_caption);
  shape = ll_explain_shape_text (spec, &in);
  {
    LlShape out = ll_model_layer_shape (x->model, x->layer);
    params = ll_explain_params_text (spec, &in, &out);
  }
  text = params != NULL ? g_strdup_printf ("%s\n%s", shape, params) : g_strdup (shape);
  ll_slide_animation_set_arithmetic (x->animation, text);
}

/* The map of the chosen layer and channel, its arithmetic, the unit. */
static void
update_layer (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  const LlArch *arch = ll_model_get_arch (x->model);
  const LlLayerSpec *spec = ll_arch_layer (arch, x->layer);
  LlShape s = ll_model_layer_shape (x->model, x->layer);
  LlShape in = ll_model_layer_shape (x->model, x->layer > 0 ? x->layer - 1 : 0);
  const float *out = ll_model_layer_output (x->model, x->layer);
  g_autofree char *shape_text = ll_shape_to_string (&s), *caption = NULL;
  g_autofree char *shape = NULL, *params = NULL;
  GString *arith = g_string_new (NULL);

  if (s.rank == 3)
    {
      g_autofree float *map = g_new (float, (gsize) s.d[0] * s.d[1]);

      x->channel = CLAMP (x->channel, 0, s.d[2] - 1);
      x->updating = TRUE;
      gtk_spin_button_set_range (x->channel_spin, 0, s.d[2] - 1);
      gtk_spin_button_set_value (x->channel_spin, x->channel);
      x->updating = FALSE;
      for (int i = 0; i < s.d[0] * s.d[1]; i++)
        map[i] = out[(gsize) i * s.d[2] + x->channel];
      ll_number_grid_set_values (x->map, map, s.d[0], s.d[1]);
      ll_number_grid_set_revealed (x->map, -1);
      ll_number_grid_set_cell_size (x->map, CLAMP (336 / MAX (s.d[0], s.d[1]), 8, 44));
      caption = g_strdup_printf (_("Output %s, channel %d of %d: click a unit"), shape_text,
                                 x->channel, s.d[2]);
    }
  else
    {
      int n = s.d[0], cols = MIN (n, VECTOR_COLUMNS), rows = (n + cols - 1) / cols;
      g_autofree float *map = g_new0 (float, (gsize) rows * cols);

      memcpy (map, out, (gsize) n * sizeof (float));
      ll_number_grid_set_values (x->map, map, rows, cols);
      /* The cells after the last unit stay empty. */
      ll_number_grid_set_revealed (x->map, n);
      ll_number_grid_set_cell_size (x->map, 40);
      caption = g_strdup_printf (_("Output %s, %d units in rows of %d: click a unit"), shape_text,
                                 n, cols);
    }
  /* Dropout in a training step: the units this step switched off, hatched. */
  {
    const float *mask = ll_model_layer_dropout_mask (x->model, x->layer);
    int rows = 0, cols = 0;

    ll_number_grid_get_values (x->map, &rows, &cols);
    if (mask != NULL && s.rank == 1)
      {
        g_autofree guint8 *dropped = g_new0 (guint8, (gsize) rows * cols);
        g_autofree char *with = NULL;
        for (int i = 0; i < s.d[0]; i++)
          dropped[i] = mask[i] == 0.0f;
        ll_number_grid_set_padding (x->map, dropped);
        with = g_strdup_printf (_("%s. Hatched: switched off in this step."), caption);
        g_free (caption);
        caption = g_steal_pointer (&with);
      }
    else if (mask != NULL)
      {
        g_autofree guint8 *dropped = g_new0 (guint8, (gsize) rows * cols);
        g_autofree char *with = NULL;
        for (int i = 0; i < rows * cols; i++)
          dropped[i] = mask[(gsize) i * s.d[2] + x->channel] == 0.0f;
        ll_number_grid_set_padding (x->map, dropped);
        with = g_strdup_printf (_("%s. Hatched: switched off in this step."), caption);
        g_free (caption);
        caption = g_steal_pointer (&with);
      }
    else
      ll_number_grid_set_padding (x->map, NULL);
  }
  gtk_widget_set_visible (x->channel_box, s.rank == 3);
  gtk_label_set_text (x->map_caption, caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (x->map), GTK_ACCESSIBLE_PROPERTY_LABEL, caption, -1);

  if (x->layer > 0)
    {
      shape = ll_explain_shape_text (spec, &in);
      params = ll_explain_params_text (spec, &in, &s);
    }
  if (shape != NULL)
    g_string_append (arith, shape);
  if (params != NULL)
    g_string_append_printf (arith, "%s%s", arith->len > 0 ? "\n" : "", params);
  gtk_label_set_text (x->arithmetic, arith->str);
  gtk_widget_set_visible (GTK_WIDGET (x->arithmetic), arith->len > 0);
  g_string_free (arith, TRUE);

  /* Keep the unit when it still fits; else the one with the largest value:
   * what this channel (or layer) responds to most. */
  if (x->unit_rank != s.rank)
    {
      int n = s.rank == 3 ? s.d[0] * s.d[1] : s.d[0], stride = s.rank == 3 ? s.d[2] : 1;
      int off = s.rank == 3 ? x->channel : 0, best = 0;

      for (int i = 1; i < n; i++)
        if (out[(gsize) i * stride + off] > out[(gsize) best * stride + off])
          best = i;
      x->unit_rank = s.rank;
      x->unit[0] = s.rank == 3 ? best / s.d[1] : best;
      x->unit[1] = s.rank == 3 ? best % s.d[1] : 0;
    }
  for (int i = 0; i < s.rank; i++)
    x->unit[i] = CLAMP (x->unit[i], 0, s.d[i] - 1);
  if (s.rank == 3)
    x->unit[2] = x->channel;
  show_unit (self);
  update_animation (self);
}

/* Runs the chosen image through the page's copy of the model. */
static gboolean
run_forward (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  g_autoptr(GError) error = NULL;
  gsize size = ll_dataset_sample_size (self->test);

  g_clear_pointer (&x->model, ll_model_free);
  x->model = ll_model_copy (self->model);
  if (!x->training)
    {
      if (!ll_model_plan (x->model, 1, &error))
        goto fail;
      ll_model_forward (x->model, 1, self->x, FALSE, NULL);
      gtk_label_set_text (x->mode_label, _("Predicting: one image; dropout is off and batch "
                                           "normalization uses its moving statistics."));
    }
  else
    {
      int batch = MIN (TRAINING_BATCH, self->test->n + 1);
      g_autofree float *xs = g_new (float, (gsize) batch * size);
      g_autofree guint32 *idx = g_new (guint32, batch);
      g_autofree char *text = NULL;
      LlRng rng;

      if (!ll_model_plan (x->model, batch, &error))
        goto fail;
      /* The chosen image first, then the test images after it. */
      memcpy (xs, self->x, size * sizeof (float));
      for (int i = 1; i < batch; i++)
        idx[i] = (self->index + (guint) i) % (guint) self->test->n;
      ll_dataset_fill_batch (self->test, idx + 1, batch - 1, xs + size, NULL);
      ll_rng_seed (&rng, self->dropout_seed);
      ll_model_forward (x->model, batch, xs, TRUE, &rng);
      text = g_strdup_printf (_("A training step: a batch of %d images, the chosen one first. "
                                "Dropout switches units off with this step's mask; batch "
                                "normalization uses this batch's mean and variance."), batch);
      gtk_label_set_text (x->mode_label, text);
    }
  return TRUE;

fail:
  g_clear_pointer (&x->model, ll_model_free);
  gtk_label_set_text (x->mode_label, error->message);
  return FALSE;
}

/* The first Conv2D's kernels for the sandbox's kernel list. */
static void
offer_model_kernels (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  const LlArch *arch = ll_model_get_arch (x->model);
  LlShape in = ll_model_input_shape (x->model);

  for (int i = 1; i < ll_model_n_layers (x->model); i++)
    if (ll_arch_layer (arch, i)->type == &ll_layer_conv2d)
      {
        LlWeightView views[LL_MAX_WEIGHTS];
        LlShape out = ll_model_layer_shape (x->model, i);
        g_autofree char *name = ll_arch_layer_name (arch, i);

        ll_model_layer_weights (x->model, i, views);
        ll_conv_sandbox_set_model_kernels (x->sandbox, views[0].data, views[0].info->dims[0],
                                           ll_model_layer_shape (x->model, i - 1).d[2],
                                           out.d[2], name);
        break;
      }
  if (in.rank == 3)
    {
      /* The inspected image (its first channel) as a sandbox input. */
      g_autofree float *img = g_new (float, (gsize) in.d[0] * in.d[1]);
      for (int i = 0; i < in.d[0] * in.d[1]; i++)
        img[i] = self->x[(gsize) i * in.d[2]];
      ll_conv_sandbox_set_example_image (x->sandbox, img, in.d[0], in.d[1]);
    }
}

static void
rebuild_layer_list (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  const LlArch *arch = ll_model_get_arch (x->model);
  GtkStringList *names = gtk_string_list_new (NULL);
  int select = -1;

  g_array_set_size (x->layers, 0);
  for (int i = 1; i < ll_model_n_layers (x->model); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      g_autofree char *name = ll_arch_layer_name (arch, i);
      g_autofree char *item = g_strdup_printf ("%d  %s (%s)", i, name, spec->type->name);

      gtk_string_list_append (names, item);
      g_array_append_val (x->layers, i);
      if (select < 0 && spec->type == &ll_layer_conv2d)
        select = (int) x->layers->len - 1;
    }
  x->layer = g_array_index (x->layers, int, MAX (select, 0));
  x->channel = 0;
  x->in_channel = 0;
  x->unit_rank = 0;
  x->updating = TRUE;
  gtk_drop_down_set_model (x->layer_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (x->layer_dropdown, (guint) MAX (select, 0));
  x->updating = FALSE;
  g_object_unref (names);
}

void
ll_inspect_view_explain_refresh (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  if (self->model == NULL || self->test == NULL || self->x == NULL)
    {
      g_clear_pointer (&x->model, ll_model_free);
      g_clear_pointer (&x->arch_json, g_free);
      ll_explain_panel_set_explanation (x->panel, NULL);
      return;
    }
  if (!page_visible (self))
    {
      x->dirty = TRUE;
      return;
    }
  x->dirty = FALSE;
  if (!run_forward (self))
    return;
  if (g_strcmp0 (x->arch_json, self->arch_json) != 0)
    {
      g_free (x->arch_json);
      x->arch_json = g_strdup (self->arch_json);
      rebuild_layer_list (self);
    }
  ll_explain_panel_set_class_names (x->panel, (const char *const *) self->test->class_names);
  offer_model_kernels (self);
  update_layer (self);
  if (x->demo_unit != NULL)
    {
      g_auto(GStrv) parts = g_strsplit_set (x->demo_unit, ":,", 5);
      int n = (int) g_strv_length (parts), unit[3] = { 0 };

      g_clear_pointer (&x->demo_unit, g_free);
      for (int i = 1; i < n && i < 4; i++)
        unit[i - 1] = (int) g_ascii_strtoll (parts[i], NULL, 10);
      if (n == 2 || n == 4)
        ll_inspect_view_explain_unit (self, (int) g_ascii_strtoll (parts[0], NULL, 10), unit, n - 1);
    }
  for (; x->demo_steps > 0; x->demo_steps--)
    {
      ll_slide_animation_step (x->animation);
      ll_slide_animation_step (ll_conv_sandbox_get_animation (x->sandbox));
    }
}

void
ll_inspect_view_explain_page_shown (LlInspectView *self)
{
  if (self->explain->dirty || self->explain->model == NULL)
    ll_inspect_view_explain_refresh (self);
}

/* Signals ----------------------------------------------------------------------- */

static void
on_layer_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  guint i = gtk_drop_down_get_selected (dropdown);

  if (x->updating || x->model == NULL || i >= x->layers->len)
    return;
  x->layer = g_array_index (x->layers, int, i);
  x->unit_rank = 0;
  x->channel = 0;
  x->in_channel = 0;
  update_layer (self);
}

static void
on_channel_changed (GtkSpinButton *spin, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  if (x->updating || x->model == NULL)
    return;
  x->channel = gtk_spin_button_get_value_as_int (spin);
  update_layer (self);
}

static void
on_in_channel_changed (GtkSpinButton *spin, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  if (x->updating || x->model == NULL)
    return;
  x->in_channel = gtk_spin_button_get_value_as_int (spin);
  update_animation (self);
  ll_explain_panel_set_channel (x->panel, x->in_channel);
}

static void
on_mode_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  x->training = gtk_drop_down_get_selected (dropdown) == 1;
  if (x->model == NULL || !run_forward (self))
    return;
  update_layer (self);
}

static void
on_map_activated (LlNumberGrid *grid, int row, int col, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  int unit[3], rank;

  if (x->model == NULL || !map_cell_unit (self, row, col, unit, &rank))
    return;
  memcpy (x->unit, unit, sizeof unit);
  x->unit_rank = rank;
  ll_slide_animation_pause (x->animation);
  show_unit (self);
  if (self->document != NULL)
    ll_document_explain_unit (self->document, x->layer);
}

static void
on_animation_position (LlSlideAnimation *animation, int row, int col, LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  if (row < 0 || x->model == NULL)
    return;
  x->unit[0] = row;
  x->unit[1] = col;
  x->unit[2] = x->channel;
  x->unit_rank = 3;
  show_unit (self);
  ll_explain_panel_set_channel (x->panel, x->in_channel);
}

/* Building ------------------------------------------------------------------------- */

static GtkWidget *
labelled (const char *mnemonic, GtkWidget *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static GtkWidget *
wrapped (const char *text, const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static GtkWidget *
model_page (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *controls = gtk_flow_box_new ();
  GtkWidget *map_col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *anim_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  x->layer_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (x->layer_dropdown), _("The layer whose output you look at"));
  g_signal_connect (x->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  x->mode_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (
    (const char *const[]) { _("Predicting"), _("Training step"), NULL }));
  gtk_widget_set_tooltip_text (GTK_WIDGET (x->mode_dropdown),
                               _("Dropout and batch normalization compute differently while training"));
  g_signal_connect (x->mode_dropdown, "notify::selected", G_CALLBACK (on_mode_selected), self);
  x->channel_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 0, 1));
  gtk_widget_set_tooltip_text (GTK_WIDGET (x->channel_spin), _("The output channel (filter) shown"));
  g_signal_connect (x->channel_spin, "value-changed", G_CALLBACK (on_channel_changed), self);
  x->channel_box = labelled (_("_Channel"), GTK_WIDGET (x->channel_spin));

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (controls), GTK_SELECTION_NONE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (controls), 12);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (controls), 4);
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("_Layer"), GTK_WIDGET (x->layer_dropdown)));
  gtk_flow_box_append (GTK_FLOW_BOX (controls), x->channel_box);
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("_Mode"), GTK_WIDGET (x->mode_dropdown)));
  gtk_box_append (GTK_BOX (page), controls);
  x->mode_label = GTK_LABEL (wrapped ("", "dim-label"));
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (x->mode_label));

  x->map_caption = GTK_LABEL (wrapped ("", "dim-label"));
  x->map = LL_NUMBER_GRID (ll_number_grid_new ());
  ll_number_grid_set_colormap (x->map, LL_COLORMAP_VIRIDIS);
  ll_number_grid_set_activatable (x->map, TRUE);
  ll_number_grid_set_digits (x->map, 2);
  gtk_widget_set_halign (GTK_WIDGET (x->map), GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (GTK_WIDGET (x->map), _("Click a unit (or move with the arrow keys and press Enter) to see how it was computed"));
  g_signal_connect (x->map, "cell-activated", G_CALLBACK (on_map_activated), self);
  gtk_box_append (GTK_BOX (map_col), GTK_WIDGET (x->map_caption));
  gtk_box_append (GTK_BOX (map_col), GTK_WIDGET (x->map));
  gtk_box_append (GTK_BOX (page), map_col);
  /* The shape and parameter arithmetic under the map, as wide as the page. */
  x->arithmetic = GTK_LABEL (wrapped ("", "numeric"));
  gtk_label_set_selectable (x->arithmetic, TRUE);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (x->arithmetic));

  x->panel = LL_EXPLAIN_PANEL (ll_explain_panel_new ());
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (x->panel));

  x->in_channel_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 0, 1));
  gtk_widget_set_tooltip_text (GTK_WIDGET (x->in_channel_spin), _("The input channel drawn under the window"));
  g_signal_connect (x->in_channel_spin, "value-changed", G_CALLBACK (on_in_channel_changed), self);
  x->in_channel_box = labelled (_("_Input channel"), GTK_WIDGET (x->in_channel_spin));
  gtk_widget_set_halign (x->in_channel_box, GTK_ALIGN_START);
  x->animation = LL_SLIDE_ANIMATION (ll_slide_animation_new ());
  g_signal_connect (x->animation, "position-changed", G_CALLBACK (on_animation_position), self);
  gtk_box_append (GTK_BOX (anim_box), x->in_channel_box);
  gtk_box_append (GTK_BOX (anim_box), GTK_WIDGET (x->animation));
  x->animation_expander = gtk_expander_new_with_mnemonic (_("_Animate the sliding window"));
  gtk_expander_set_expanded (GTK_EXPANDER (x->animation_expander), TRUE);
  gtk_expander_set_child (GTK_EXPANDER (x->animation_expander), anim_box);
  gtk_box_append (GTK_BOX (page), x->animation_expander);
  return page;
}

void
ll_inspect_view_explain_init (LlInspectView *self, GtkBox *box)
{
  LlInspectExplain *x = g_new0 (LlInspectExplain, 1);
  GtkWidget *switcher = gtk_stack_switcher_new ();
  GtkWidget *sandbox_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->explain = x;
  x->layers = g_array_new (FALSE, FALSE, sizeof (int));

  /* Six page titles side by side: each as wide as its own title (not all
   * as wide as the longest, "What It Looks At") and with narrower margins
   * (style.css), so that the row fits a 1024-pixel projector beside the
   * image column. */
  {
    GtkWidget *switcher_above = gtk_widget_get_prev_sibling (GTK_WIDGET (self->stack));
    if (GTK_IS_STACK_SWITCHER (switcher_above))
      {
        gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (switcher_above)),
                                        FALSE);
        gtk_widget_add_css_class (switcher_above, "compact-switcher");
        /* Presentation mode's larger text: titles shorten rather than
         * push the window wider than the projector ("What It Lo…"). */
        for (GtkWidget *b = gtk_widget_get_first_child (switcher_above); b != NULL;
             b = gtk_widget_get_next_sibling (b))
          {
            GtkWidget *label = gtk_widget_get_first_child (b);
            if (GTK_IS_LABEL (label))
              {
                gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
                gtk_widget_set_tooltip_text (b, gtk_label_get_text (GTK_LABEL (label)));
              }
          }
      }
  }
  x->sub_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_titled (x->sub_stack, model_page (self), "model", _("Your Model"));
  x->sandbox = LL_CONV_SANDBOX (ll_conv_sandbox_new ());
  gtk_box_append (GTK_BOX (sandbox_page),
                  wrapped (_("Type or paint an input, choose a kernel, and see what the filter responds to. "
                             "The engine computes the output; click any unit for its arithmetic."),
                           "dim-label"));
  gtk_box_append (GTK_BOX (sandbox_page), GTK_WIDGET (x->sandbox));
  gtk_stack_add_titled (x->sub_stack, sandbox_page, "sandbox", _("Sandbox"));
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), x->sub_stack);
  gtk_widget_set_halign (switcher, GTK_ALIGN_START);
  gtk_box_append (box, switcher);
  gtk_box_append (box, GTK_WIDGET (x->sub_stack));

  /* For screenshots (tools/screenshots.sh): LL_INSPECT_PAGE=arithmetic or
   * sandbox opens that page, LL_EXPLAIN_DEMO=N slides the window N steps,
   * LL_EXPLAIN_UNIT=LAYER:Y,X,C (or LAYER:I) explains that unit. */
  {
    const char *page = g_getenv ("LL_INSPECT_PAGE");
    const char *demo = g_getenv ("LL_EXPLAIN_DEMO");

    x->demo_unit = g_strdup (g_getenv ("LL_EXPLAIN_UNIT"));
    if (g_strcmp0 (page, "arithmetic") == 0 || g_strcmp0 (page, "sandbox") == 0)
      {
        gtk_stack_set_visible_child_name (self->stack, "arithmetic");
        gtk_stack_set_visible_child_name (x->sub_stack, g_strcmp0 (page, "sandbox") == 0 ? "sandbox" : "model");
      }
    if (demo != NULL)
      x->demo_steps = (int) CLAMP (g_ascii_strtoll (demo, NULL, 10), 0, 10000);
  }
}

void
ll_inspect_view_explain_free (LlInspectView *self)
{
  LlInspectExplain *x = self->explain;

  if (x == NULL)
    return;
  g_clear_pointer (&x->model, ll_model_free);
  g_free (x->arch_json);
  g_free (x->demo_unit);
  g_array_unref (x->layers);
  g_free (x);
  self->explain = NULL;
}

/* API ------------------------------------------------------------------------------- */

void
ll_inspect_view_explain_unit (LlInspectView *self, int layer, const int *unit, int unit_rank)
{
  LlInspectExplain *x;

  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  g_return_if_fail (unit != NULL && (unit_rank == 1 || unit_rank == 3));
  x = self->explain;
  gtk_stack_set_visible_child_name (self->stack, "arithmetic");
  gtk_stack_set_visible_child_name (x->sub_stack, "model");
  ll_inspect_view_explain_page_shown (self);
  if (x->model == NULL || layer < 1 || layer >= ll_model_n_layers (x->model))
    return;
  for (guint i = 0; i < x->layers->len; i++)
    if (g_array_index (x->layers, int, i) == layer)
      {
        x->updating = TRUE;
        gtk_drop_down_set_selected (x->layer_dropdown, i);
        x->updating = FALSE;
      }
  x->layer = layer;
  x->unit_rank = unit_rank;
  memcpy (x->unit, unit, (gsize) unit_rank * sizeof (int));
  x->channel = unit_rank == 3 ? unit[2] : 0;
  update_layer (self);
  if (self->document != NULL)
    ll_document_explain_unit (self->document, layer);
}

LlExplainPanel *
ll_inspect_view_get_explain_panel (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->explain->panel;
}

LlNumberGrid *
ll_inspect_view_get_explain_map (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->explain->map;
}

LlSlideAnimation *
ll_inspect_view_get_slide_animation (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->explain->animation;
}

LlConvSandbox *
ll_inspect_view_get_sandbox (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->explain->sandbox;
}

LlModel *
ll_inspect_view_get_explain_model (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->explain->model;
}

void
ll_inspect_view_set_explain_training (LlInspectView *self, gboolean training)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  gtk_drop_down_set_selected (self->explain->mode_dropdown, training ? 1 : 0);
}

void
ll_inspect_view_show_sandbox (LlInspectView *self)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  gtk_stack_set_visible_child_name (self->stack, "arithmetic");
  gtk_stack_set_visible_child_name (self->explain->sub_stack, "sandbox");
  ll_inspect_view_explain_page_shown (self);
}
