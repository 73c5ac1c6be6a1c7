/* ll-inspect-view-outputs.c: the Inspect view's layer outputs (feature
 * maps, probabilities) when predicting or in a training step, and what
 * each Dropout layer switched off. */
#include "config.h"

#include "ll-inspect-view-private.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

/* Layer outputs ------------------------------------------------------------------ */

/* A click on a feature map or a strip opens the Arithmetic page at that unit. */
static void
on_unit_activated (LlFeatureGrid *grid, int tile, int row, int col, LlInspectView *self)
{
  int layer = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (grid), "ll-layer"));
  LlShape s;

  if (self->model == NULL || layer < 1 || layer >= ll_model_n_layers (self->model))
    return;
  s = ll_model_layer_shape (self->model, layer);
  if (s.rank == 3)
    ll_inspect_view_explain_unit (self, layer, (int[]) { row, col, tile }, 3);
  else
    ll_inspect_view_explain_unit (self, layer, (int[]) { col }, 1);
}

static void
make_explainable (LlInspectView *self, GtkWidget *grid, int layer)
{
  g_object_set_data (G_OBJECT (grid), "ll-layer", GINT_TO_POINTER (layer));
  ll_feature_grid_set_activatable (LL_FEATURE_GRID (grid), TRUE);
  g_signal_connect (grid, "unit-activated", G_CALLBACK (on_unit_activated), self);
}

/* A click on a probability's row: how the softmax made it. */
static void
on_probability_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlInspectView *self)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  int k = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "ll-unit"));

  if (self->prob_layer > 0)
    ll_inspect_view_explain_unit (self, self->prob_layer, (int[]) { k }, 1);
}

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
  ll_inspect_view_update_outputs (self);
}

static void
on_resample_clicked (GtkButton *button, LlInspectView *self)
{
  self->dropout_seed++;
  if (self->model != NULL && self->x != NULL)
    ll_inspect_view_update_outputs (self);
}

/* "Evaluation | Training" for every layer output below, and a new dropout draw. */
static GtkWidget *
mode_switch_new (LlInspectView *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *eval = gtk_toggle_button_new_with_label (_("Evaluation"));
  GtkWidget *train = gtk_toggle_button_new_with_label (_("Training Step"));
  GtkWidget *resample = gtk_button_new_with_label (_("New Dropout Draw"));
  GtkWidget *hint = gtk_label_new (_("Layer outputs as when predicting, or as in a training step "
                                   "(dropout active, batch norm with the statistics of this one image)."));

  gtk_widget_add_css_class (linked, "linked");
  gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (train), GTK_TOGGLE_BUTTON (eval));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->training_mode ? train : eval), TRUE);
  gtk_box_append (GTK_BOX (linked), eval);
  gtk_box_append (GTK_BOX (linked), train);
  gtk_box_append (GTK_BOX (row), linked);
  gtk_box_append (GTK_BOX (row), resample);
  gtk_widget_set_tooltip_text (resample, _("Switch off another random set of units in the Dropout layers"));
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
  const char *captions[] = { _("Evaluation: nothing switched off, the layer above's values pass unchanged"),
                             _("Training step: the kept units scaled by 1 / (1 − rate)"),
                             _("Switched off in this step (yellow)") };
  LlFeatureGrid **grids[] = { &dp.eval, &dp.train, &dp.mask };

  dp.rate = ll_layer_spec_get (spec, "rate", 0);
  sub = g_strdup_printf (_("%s — rate %.2g: each unit is switched off with this probability while training"),
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
  return ll_inspect_view_panel_new (self, title, sub, box);
}

void
ll_inspect_view_rebuild_output_panels (LlInspectView *self)
{
  const LlArch *arch = ll_model_get_arch (self->model);
  int n = ll_model_n_layers (self->model);

  ll_inspect_view_clear_box (self->outputs_box, NULL);
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

      if (ll_inspect_view_is_type (spec, "Dropout"))
        {
          gtk_box_append (self->outputs_box, dropout_panel_new (self, i, title, &shape));
          g_ptr_array_add (self->layer_grids, NULL);
          continue;
        }
      if (ll_inspect_view_is_type (spec, "Flatten") || ll_inspect_view_is_type (spec, "Reshape"))
        {
          g_autofree char *text = g_strdup_printf ("%s %s — %s", title, shape_text,
                                                   _("the same values, rearranged"));
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
          g_autofree char *sub = g_strdup_printf (_("%s — probabilities"), shape_text);

          gtk_grid_set_row_spacing (GTK_GRID (rows), 2);
          gtk_grid_set_column_spacing (GTK_GRID (rows), 8);
          for (int k = 0; k < shape.d[0]; k++)
            {
              GtkWidget *label = gtk_label_new (ll_inspect_view_class_name (self->test, k));
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
              for (int c = 0; c < 3; c++)
                {
                  GtkWidget *w = c == 0 ? label : c == 1 ? bar : value;
                  GtkGesture *click = gtk_gesture_click_new ();
                  g_object_set_data (G_OBJECT (w), "ll-unit", GINT_TO_POINTER (k));
                  g_signal_connect (click, "pressed", G_CALLBACK (on_probability_pressed), self);
                  gtk_widget_add_controller (w, GTK_EVENT_CONTROLLER (click));
                  gtk_widget_set_cursor_from_name (w, "pointer");
                  gtk_widget_set_tooltip_text (w, _("Click to see how the softmax made this probability"));
                }
              g_ptr_array_add (self->prob_bars, bar);
              g_ptr_array_add (self->prob_labels, value);
            }
          self->prob_layer = i;
          gtk_box_append (self->outputs_box, ll_inspect_view_panel_new (self, title, sub, rows));
          g_ptr_array_add (self->layer_grids, NULL);
          continue;
        }

      grid = ll_feature_grid_new ();
      make_explainable (self, grid, i);
      if (shape.rank == 3)
        ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), shape.d[0] >= 20 ? 56 : 52);
      else
        ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), MIN (shape.d[0] * 8, 900));
      {
        g_autofree char *sub = shape.rank == 3
          ? g_strdup_printf (_("%s — one tile per channel, one colour scale"), shape_text)
          : g_strdup_printf (_("%s — one cell per unit"), shape_text);
        gtk_box_append (self->outputs_box, ll_inspect_view_panel_new (self, title, sub, grid));
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
      text = g_strdup_printf (_("%zu of the %zu non-zero units switched off (%.0f %%; expected %.0f %%)"),
                              (size_t) n_off, (size_t) n_active,
                              n_active > 0 ? 100.0 * n_off / n_active : 0.0, 100 * dp->rate);
      gtk_label_set_text (dp->label, text);
    }
  if (self->training_mode)
    set_layer_grids (self);
  if (n_state > 0)
    memcpy (ll_model_state (self->model), state, n_state * sizeof (float));
}

void
ll_inspect_view_update_outputs (LlInspectView *self)
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
          && !ll_inspect_view_shows_training_weights (self);
  if (self->use_drawn)
    text = g_strdup_printf (_("%s %s (%.1f %%)\nThe digit drawn in the Draw view"),
                            guess ? _("Guessed") : _("Predicted"), ll_inspect_view_class_name (self->test, best), 100 * probs[best]);
  else
    text = g_strdup_printf (_("%s %s (%.1f %%)\nTrue class %s"), guess ? _("Guessed (untrained)") : _("Predicted"),
                            ll_inspect_view_class_name (self->test, best), 100 * probs[best],
                            ll_inspect_view_class_name (self->test, self->test->labels[self->index]));
  gtk_label_set_text (self->prediction_label, text);
}

