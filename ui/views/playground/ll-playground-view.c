/* ll-playground-view.c: the Playground.  The settings build an LlToyRun
 * (engine/ll-toy-data.c); while playing, each frame hands a copy of it to
 * a worker that trains a few batches and evaluates, and the result
 * replaces the view's run on the main loop (one chunk in flight: the
 * hand-over is coalesced by construction).  Settings that the worker
 * cannot know of (learning rate, batch size, dropout) are applied to the
 * run the worker hands back; edits that change the weights or the data
 * start a new generation and drop the chunk in flight.  The colour field
 * and every neuron's thumbnail come from one batched forward pass over a
 * grid of the plane. */
#include "ll-playground-view.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ll-a11y.h"
#include "ll-confusion-matrix.h"
#include "ll-fit-config.h"
#include "ll-line-chart.h"
#include "ll-palette.h"
#include "ll-presentation.h"
#include "ll-presets.h"
#include "ll-toy-data.h"

#define MAX_HIDDEN 6
#define MAX_UNITS 32                /* wider than TensorFlow Playground: 8 */
#define GRID_RES 40                 /* cells per side of the field and thumbnails */
#define CHUNK_BUDGET_US 12000       /* a worker's chunk ends after this much time */
#define STOP_PATIENCE_EPOCHS 30
#define MAX_HISTORY 4000

static const char *const activations[] = { "tanh", "relu", "sigmoid", "linear" };
static const char *const activation_labels[] = { N_("tanh"), N_("ReLU"), N_("sigmoid"), N_("linear") };
static const char *const kind_labels[LL_N_TOY] = {
  N_("Circle"), N_("XOR"), N_("Two Gaussians"), N_("Spiral"), N_("Moons"),
  N_("Spiral, 3 classes"), N_("Your own points"),
};

typedef struct {
  double x, y;                    /* centre in the network area */
  int layer, unit;                /* column (0: inputs), unit within it */
} Neuron;

struct _LlPlaygroundView
{
  LlView parent_instance;

  /* template */
  GtkWidget *controls, *play_button, *status_label, *sentence_label;
  GtkWidget *network_area, *field_area;
  LlLineChart *chart;
  LlConfusionMatrix *confusion;

  /* controls made in code */
  GtkDropDown *demo_dropdown, *data_dropdown, *class_dropdown, *activation_dropdown;
  GtkDropDown *optim_dropdown;
  GtkSpinButton *noise_spin, *points_spin, *ratio_spin, *seed_spin;
  GtkSpinButton *lr_spin, *batch_spin, *dropout_spin, *l1_spin, *l2_spin, *speed_spin;
  /* The learning-rate schedule, from the fit settings' table: the choice,
   * then factor, step epochs, floor and the cosine's length (epochs). */
  GtkDropDown *schedule_dropdown;
  GtkSpinButton *sched_spins[4];
  GtkWidget *sched_rows[4];
  GtkCheckButton *feature_checks[LL_N_FEATURES];
  GtkCheckButton *test_check, *discretize_check, *stop_check, *bn_check;
  GtkWidget *layers_box, *layers_label;
  GtkWidget *edit_popover, *edit_spin, *edit_label;

  /* settings */
  LlToyKind kind;
  guint features;
  int n_hidden, units[MAX_HIDDEN];
  int act[MAX_HIDDEN];             /* index into activations, per hidden layer */
  gboolean updating;              /* widgets being set from code */

  /* data and training */
  GArray *points;                 /* LlToyPoint; the first n_train are training points */
  int n_train;
  LlToyRun *run;                  /* NULL when the data cannot train (no points) */
  char *run_error;
  guint generation;               /* bumped when weights or data change under a chunk */
  GCancellable *chunk;            /* the chunk in flight, or NULL */
  gboolean playing;
  guint tick_id;
  gint64 status_time;             /* when the status text last changed */
  gint64 stop_best_step;
  double stop_best;

  /* history */
  GArray *hist_step, *hist_train, *hist_test;
  guint n_marks;                  /* live changes marked on the curve */
  double last_train_loss, last_test_loss, last_train_acc, last_test_acc;

  /* grids */
  float *grid_x;                  /* GRID_RES² rows of features */
  guint grid_features;
  float *field;                   /* GRID_RES² × n_classes probabilities */
  int n_classes;
  guint32 *confusion_counts;      /* n_classes² over the test points, rows: true class */
  float *thumbs;                  /* per neuron (inputs, hidden units) GRID_RES² values */
  int n_thumbs;
  int thumb_layer[1 + MAX_HIDDEN]; /* model layer whose output a hidden column shows */
  int dense_layer[1 + MAX_HIDDEN]; /* the Dense layer feeding it (its weights) */
  double grid_ms;
  GArray *neurons;                /* Neuron, as last drawn */
  int edit_index;                 /* flat parameter the popover edits, -1 none */
  int drag_index;                 /* point being dragged, -1 none */
  gboolean dragged;
};

G_DEFINE_FINAL_TYPE (LlPlaygroundView, ll_playground_view, LL_TYPE_VIEW)

static void rebuild (LlPlaygroundView *self, gboolean regenerate);
static void refresh_grids (LlPlaygroundView *self);
static void refresh_confusion (LlPlaygroundView *self, int max_batch);
static void update_status (LlPlaygroundView *self);

/* Small helpers ---------------------------------------------------------- */

static void
set_a11y (gpointer widget, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *
heading (GtkWidget *box, const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "heading");
  gtk_widget_set_margin_top (l, 6);
  gtk_box_append (GTK_BOX (box), l);
  return l;
}

/* A row "label   [widget]". */
static void
row (GtkWidget *box, const char *label, GtkWidget *widget, const char *tooltip)
{
  GtkWidget *h = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *l = gtk_label_new (label);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_set_hexpand (l, TRUE);
  gtk_box_append (GTK_BOX (h), l);
  gtk_box_append (GTK_BOX (h), widget);
  set_a11y (widget, label);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (widget, tooltip);
  gtk_box_append (GTK_BOX (box), h);
}

/* A check button whose label wraps, so that the settings column stays
 * narrow in presentation mode. */
static GtkCheckButton *
wrapped_check (const char *text)
{
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), label);
  set_a11y (check, text);
  return GTK_CHECK_BUTTON (check);
}

static GtkSpinButton *
spin (double lo, double hi, double step, int digits, double value)
{
  GtkWidget *s = gtk_spin_button_new_with_range (lo, hi, step);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (s), (guint) digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (s), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (s), TRUE);
  return GTK_SPIN_BUTTON (s);
}

static GtkDropDown *
dropdown (const char *const *labels, int n)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  for (int i = 0; i < n; i++)
    gtk_string_list_append (list, _(labels[i]));
  return GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&list)), NULL));
}

static LlRgb
class_color (int label)
{
  static const LlPaletteColor colors[3] = { LL_PALETTE_ORANGE, LL_PALETTE_BLUE, LL_PALETTE_GREEN };
  return ll_palette_color (colors[CLAMP (label, 0, 2)]);
}

/* The training run ---------------------------------------------------------- */

static int
activation_index (LlPlaygroundView *self)
{
  guint i = gtk_drop_down_get_selected (self->activation_dropdown);
  return i < G_N_ELEMENTS (activations) ? (int) i : 0;
}

static LlOptimConfig
optim_config (LlPlaygroundView *self)
{
  guint k = gtk_drop_down_get_selected (self->optim_dropdown);
  LlOptimConfig cfg = ll_optim_config_default (k < LL_N_OPTIMS ? (LlOptimKind) k : LL_OPTIM_ADAM);
  cfg.learning_rate = gtk_spin_button_get_value (self->lr_spin);
  return cfg;
}

static const LlFitField sched_fields[4] = {
  LL_FIT_SCHEDULE_FACTOR, LL_FIT_SCHEDULE_STEP_EPOCHS, LL_FIT_SCHEDULE_ALPHA, LL_FIT_EPOCHS,
};

/* The schedule settings as the fit settings hold them. */
static void
schedule_config (LlPlaygroundView *self, LlFitConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  ll_fit_set (cfg, LL_FIT_SCHEDULE, gtk_drop_down_get_selected (self->schedule_dropdown));
  for (int i = 0; i < 4; i++)
    ll_fit_set (cfg, sched_fields[i], gtk_spin_button_get_value (self->sched_spins[i]));
}

/* The view's own settings that a chunk does not carry over. */
static void
apply_live_settings (LlPlaygroundView *self, LlToyRun *run)
{
  LlFitConfig cfg;

  schedule_config (self, &cfg);
  ll_toy_run_set_schedule (run, &cfg.schedule, cfg.epochs);
  ll_toy_run_set_learning_rate (run, gtk_spin_button_get_value (self->lr_spin));
  ll_toy_run_set_batch_size (run, gtk_spin_button_get_value_as_int (self->batch_spin), NULL);
  ll_model_set_dropout_rate (ll_toy_run_get_model (run), -1,
                             gtk_spin_button_get_value (self->dropout_spin), NULL);
}

static void
cancel_chunk (LlPlaygroundView *self)
{
  self->generation++;
  if (self->chunk != NULL)
    g_cancellable_cancel (self->chunk);
  g_clear_object (&self->chunk);
}

static void
clear_history (LlPlaygroundView *self)
{
  g_array_set_size (self->hist_step, 0);
  g_array_set_size (self->hist_train, 0);
  g_array_set_size (self->hist_test, 0);
  ll_line_chart_clear (self->chart);
  self->n_marks = 0;
  ll_line_chart_add_series (self->chart, _("Training loss"), LL_PALETTE_BLUE, FALSE, FALSE);
  ll_line_chart_add_series (self->chart, _("Test loss"), LL_PALETTE_VERMILLION, TRUE, FALSE);
  self->stop_best = INFINITY;
  self->stop_best_step = 0;
}

static void
record (LlPlaygroundView *self)
{
  double step = (double) ll_toy_run_get_step (self->run);

  if (self->hist_step->len >= MAX_HISTORY)
    {
      /* Keep every other point: the curve's shape, bounded memory. */
      guint n = self->hist_step->len / 2;
      for (guint i = 0; i < n; i++)
        {
          g_array_index (self->hist_step, double, i) = g_array_index (self->hist_step, double, 2 * i + 1);
          g_array_index (self->hist_train, double, i) = g_array_index (self->hist_train, double, 2 * i + 1);
          g_array_index (self->hist_test, double, i) = g_array_index (self->hist_test, double, 2 * i + 1);
        }
      g_array_set_size (self->hist_step, n);
      g_array_set_size (self->hist_train, n);
      g_array_set_size (self->hist_test, n);
    }
  g_array_append_val (self->hist_step, step);
  g_array_append_val (self->hist_train, self->last_train_loss);
  g_array_append_val (self->hist_test, self->last_test_loss);
  ll_line_chart_set_data (self->chart, 0, (double *) self->hist_step->data,
                          (double *) self->hist_train->data, self->hist_step->len);
  ll_line_chart_set_data (self->chart, 1, (double *) self->hist_step->data,
                          (double *) self->hist_test->data, self->hist_step->len);
}

static void
evaluate_now (LlPlaygroundView *self)
{
  ll_toy_run_evaluate (self->run, &self->last_train_loss, &self->last_train_acc,
                       &self->last_test_loss, &self->last_test_acc);
}

static LlDataset *
points_dataset (LlPlaygroundView *self, int start, int count)
{
  return ll_toy_dataset ((LlToyPoint *) self->points->data + start, count, self->n_classes,
                         self->features, NULL);
}

/* New weights (and, with regenerate, new points) from the settings. */
static void
rebuild (LlPlaygroundView *self, gboolean regenerate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = NULL;
  LlModel *model;
  LlOptimConfig optim;
  guint64 seed = (guint64) gtk_spin_button_get_value_as_int (self->seed_spin);

  cancel_chunk (self);
  g_clear_pointer (&self->run, ll_toy_run_free);
  g_clear_pointer (&self->run_error, g_free);
  self->n_classes = ll_toy_n_classes (self->kind);
  if (regenerate && self->kind != LL_TOY_OWN)
    {
      int n = gtk_spin_button_get_value_as_int (self->points_spin);
      g_array_set_size (self->points, (guint) n);
      n = ll_toy_generate (self->kind, n, gtk_spin_button_get_value (self->noise_spin), seed,
                           (LlToyPoint *) self->points->data);
      ll_toy_split ((LlToyPoint *) self->points->data, n,
                    gtk_spin_button_get_value (self->ratio_spin), seed, &self->n_train);
    }
  clear_history (self);

  {
    LlToyNet net = { .n_hidden = self->n_hidden };
    for (int h = 0; h < self->n_hidden; h++)
      {
        net.units[h] = self->units[h];
        net.activation[h] = activations[CLAMP (self->act[h], 0, (int) G_N_ELEMENTS (activations) - 1)];
      }
    net.dropout = gtk_spin_button_get_value (self->dropout_spin);
    net.l1 = gtk_spin_button_get_value (self->l1_spin);
    net.l2 = gtk_spin_button_get_value (self->l2_spin);
    net.batch_norm = gtk_check_button_get_active (self->bn_check);
    arch = ll_toy_arch (&net, ll_toy_n_features (self->features), self->n_classes, &error);
  }
  if (arch != NULL && (model = ll_model_new (arch, &error)) != NULL)
    {
      ll_model_init_weights (model, seed);
      optim = optim_config (self);
      if (self->n_train < 1)
        {
          ll_model_free (model);
          g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, "%s",
                       _("No training points yet: click on the plane to add some"));
        }
      else
        self->run = ll_toy_run_new (model, &optim, gtk_spin_button_get_value_as_int (self->batch_spin),
                                    seed, points_dataset (self, 0, self->n_train),
                                    points_dataset (self, self->n_train,
                                                    (int) self->points->len - self->n_train),
                                    &error);
    }
  if (self->run == NULL)
    {
      self->run_error = g_strdup (error != NULL ? error->message : "");
      self->playing = FALSE;
    }
  else
    {
      apply_live_settings (self, self->run);
      evaluate_now (self);
      record (self);
    }
  refresh_grids (self);
  update_status (self);
}

/* New points under the same weights. */
static void
data_changed (LlPlaygroundView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->run == NULL)
    {
      rebuild (self, FALSE);
      return;
    }
  cancel_chunk (self);
  if (!ll_toy_run_set_data (self->run, points_dataset (self, 0, self->n_train),
                            points_dataset (self, self->n_train, (int) self->points->len - self->n_train),
                            &error))
    {
      rebuild (self, FALSE);
      return;
    }
  evaluate_now (self);
  refresh_grids (self);
  update_status (self);
}

/* Chunks on the worker -------------------------------------------------------- */

typedef struct {
  LlToyRun *run;                 /* the worker's own copy */
  guint generation;
  int max_steps;
  gboolean diverged;
  double train_loss, train_acc, test_loss, test_acc;
  GWeakRef view;
} Chunk;

static void
chunk_free (gpointer data)
{
  Chunk *c = data;
  g_clear_pointer (&c->run, ll_toy_run_free);
  g_weak_ref_clear (&c->view);
  g_free (c);
}

static void
chunk_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Chunk *c = data;
  gint64 t0 = g_get_monotonic_time ();

  for (int i = 0; i < c->max_steps; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (isnan (ll_toy_run_step (c->run)))
        {
          c->diverged = TRUE;
          break;
        }
      if (g_get_monotonic_time () - t0 > CHUNK_BUDGET_US)
        break;
    }
  ll_toy_run_evaluate (c->run, &c->train_loss, &c->train_acc, &c->test_loss, &c->test_acc);
  g_task_return_boolean (task, TRUE);
}

static void
stop_if_no_progress (LlPlaygroundView *self)
{
  const LlDataset *train = ll_toy_run_get_train (self->run);
  gint64 step = ll_toy_run_get_step (self->run);
  int bs = gtk_spin_button_get_value_as_int (self->batch_spin);
  gint64 patience = (gint64) STOP_PATIENCE_EPOCHS * ((train->n + bs - 1) / bs);

  if (!gtk_check_button_get_active (self->stop_check) || isnan (self->last_test_loss))
    return;
  if (self->last_test_loss < self->stop_best - 1e-4)
    {
      self->stop_best = self->last_test_loss;
      self->stop_best_step = step;
    }
  else if (step - self->stop_best_step > patience)
    {
      self->playing = FALSE;
      gtk_label_set_text (GTK_LABEL (self->sentence_label),
                          _("Stopped: the test loss has not improved for 30 epochs."));
      gtk_widget_set_visible (self->sentence_label, TRUE);
    }
}

static void
chunk_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Chunk *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(LlPlaygroundView) self = g_weak_ref_get (&c->view);

  if (self == NULL || c->generation != self->generation)
    return;                       /* a gone view, or weights changed meanwhile */
  g_clear_object (&self->chunk);
  ll_toy_run_free (self->run);
  self->run = g_steal_pointer (&c->run);
  apply_live_settings (self, self->run);
  self->last_train_loss = c->train_loss;
  self->last_test_loss = c->test_loss;
  self->last_train_acc = c->train_acc;
  self->last_test_acc = c->test_acc;
  record (self);
  if (c->diverged)
    {
      self->playing = FALSE;
      gtk_label_set_text (GTK_LABEL (self->sentence_label),
                          _("The loss became infinite: the learning rate is too high. Lower it and press play."));
      gtk_widget_set_visible (self->sentence_label, TRUE);
    }
  stop_if_no_progress (self);
  refresh_grids (self);
  /* A new text relays the window out: four times a second is readable. */
  if (!self->playing || g_get_monotonic_time () - self->status_time > G_USEC_PER_SEC / 4)
    update_status (self);
}

static void
start_chunk (LlPlaygroundView *self, int max_steps)
{
  g_autoptr(GTask) task = NULL;
  Chunk *c;

  if (self->run == NULL || self->chunk != NULL)
    return;
  c = g_new0 (Chunk, 1);
  c->run = ll_toy_run_copy (self->run);
  c->generation = self->generation;
  c->max_steps = max_steps;
  g_weak_ref_init (&c->view, self);
  self->chunk = g_cancellable_new ();
  /* No source object: the worker holds the view only weakly. */
  task = g_task_new (NULL, self->chunk, chunk_done, NULL);
  g_task_set_task_data (task, c, chunk_free);
  g_task_run_in_thread (task, chunk_thread);
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  if (self->playing)
    start_chunk (self, gtk_spin_button_get_value_as_int (self->speed_spin));
  return G_SOURCE_CONTINUE;
}

/* Grids ---------------------------------------------------------------------- */

static void
refresh_grids (LlPlaygroundView *self)
{
  const int n = GRID_RES * GRID_RES;
  int nf = ll_toy_n_features (self->features), k = 0;
  gint64 t0 = g_get_monotonic_time ();
  LlModel *model;
  const LlArch *arch;
  const float *probs;

  gtk_widget_queue_draw (self->field_area);
  gtk_widget_queue_draw (self->network_area);
  if (self->run == NULL)
    {
      g_clear_pointer (&self->confusion_counts, g_free);
      ll_confusion_matrix_set_data (self->confusion, NULL, 0, NULL);
      ll_a11y_describe (GTK_WIDGET (self->confusion), "%s", _("No network yet."));
      return;
    }
  model = ll_toy_run_get_model (self->run);
  if (self->grid_x == NULL || self->grid_features != self->features)
    {
      g_free (self->grid_x);
      self->grid_x = g_new (float, (gsize) n * MAX (nf, 1));
      ll_toy_grid_inputs (self->features, GRID_RES, self->grid_x);
      self->grid_features = self->features;
    }
  if (!ll_model_plan (model, n, NULL))
    return;
  /* One batched forward pass gives the field and every hidden unit. */
  probs = ll_model_forward (model, n, self->grid_x, FALSE, NULL);
  g_free (self->field);
  self->field = g_memdup2 (probs, sizeof (float) * n * self->n_classes);

  arch = ll_model_get_arch (model);
  self->n_thumbs = nf;
  for (int l = 0; l < ll_arch_n_layers (arch) - 1; l++)
    if (ll_arch_layer (arch, l)->type == &ll_layer_dense)
      self->n_thumbs += ll_model_layer_shape (model, l).d[0];
  g_free (self->thumbs);
  self->thumbs = g_new (float, (gsize) self->n_thumbs * n);
  for (int f = 0; f < nf; f++)
    for (int i = 0; i < n; i++)
      self->thumbs[(gsize) f * n + i] = self->grid_x[(gsize) i * nf + f];
  k = nf;
  self->thumb_layer[0] = 0;
  for (int l = 0, h = 1; l < ll_arch_n_layers (arch) - 1; l++)
    if (ll_arch_layer (arch, l)->type == &ll_layer_dense)
      {
        int units = ll_model_layer_shape (model, l).d[0];
        int o = l;
        const float *out;
        /* With batch normalization the unit's output is after its Activation. */
        while (o + 1 < ll_arch_n_layers (arch) - 1
               && (ll_arch_layer (arch, o + 1)->type == &ll_layer_batch_normalization
                   || ll_arch_layer (arch, o + 1)->type == &ll_layer_activation))
          o++;
        out = ll_model_layer_output (model, o);
        self->dense_layer[h] = l;
        self->thumb_layer[h++] = o;
        for (int u = 0; u < units; u++, k++)
          for (int i = 0; i < n; i++)
            self->thumbs[(gsize) k * n + i] = out[(gsize) i * units + u];
      }
  refresh_confusion (self, n);
  self->grid_ms = (g_get_monotonic_time () - t0) / 1000.0;
}

/* The confusion matrix of the test points, from the model as the field
 * shows it (evaluation mode), in forward passes of at most max_batch rows
 * (what refresh_grids planned). */
static void
refresh_confusion (LlPlaygroundView *self, int max_batch)
{
  static const char *const names[3] = { N_("Orange"), N_("Blue"), N_("Green") };
  const char *class_names[3];
  const LlDataset *test = ll_toy_run_get_test (self->run);
  LlModel *model = ll_toy_run_get_model (self->run);
  int nc = self->n_classes, nf = ll_toy_n_features (self->features), n = test != NULL ? test->n : 0;
  guint32 correct = 0;

  g_free (self->confusion_counts);
  self->confusion_counts = g_new0 (guint32, (gsize) nc * nc);
  for (int start = 0; start < n; start += max_batch)
    {
      int count = MIN (max_batch, n - start);
      const float *probs = ll_model_forward (model, count, test->values + (gsize) start * nf, FALSE, NULL);

      for (int i = 0; probs != NULL && i < count; i++)
        {
          int arg = 0, label = test->labels[start + i];
          for (int k = 1; k < nc; k++)
            if (probs[(gsize) i * nc + k] > probs[(gsize) i * nc + arg])
              arg = k;
          if (label < nc)
            self->confusion_counts[label * nc + arg]++;
        }
    }
  for (int k = 0; k < nc; k++)
    {
      class_names[k] = _(names[MIN (k, 2)]);
      correct += self->confusion_counts[k * nc + k];
    }
  ll_confusion_matrix_set_data (self->confusion, self->confusion_counts, nc, class_names);
  if (n == 0)
    ll_a11y_describe (GTK_WIDGET (self->confusion), "%s", _("No test points."));
  else
    {
      GString *text = g_string_new (NULL);
      g_string_append_printf (text, _("%u of %d test points classified correctly."), correct, n);
      for (int t = 0; t < nc; t++)
        for (int p = 0; p < nc; p++)
          if (t != p && self->confusion_counts[t * nc + p] > 0)
            {
              g_string_append_c (text, ' ');
              /* TRANSLATORS: "3 Orange points predicted as Blue." */
              g_string_append_printf (text, _("%u %s points predicted as %s."),
                                      self->confusion_counts[t * nc + p], class_names[t], class_names[p]);
            }
      ll_a11y_describe (GTK_WIDGET (self->confusion), "%s", text->str);
      g_string_free (text, TRUE);
    }
}

/* The colour of the field at one cell: the classes' colours weighed by
 * their probabilities, paler where the network is unsure. */
static void
field_color (LlPlaygroundView *self, const float *p, gboolean discretize, guint8 *px)
{
  double r = 0, g = 0, b = 0, best = 0, conf;
  int arg = 0;

  for (int k = 0; k < self->n_classes; k++)
    {
      LlRgb c = class_color (k);
      r += p[k] * c.r;
      g += p[k] * c.g;
      b += p[k] * c.b;
      if (p[k] > best)
        best = p[k], arg = k;
    }
  if (discretize)
    {
      LlRgb c = class_color (arg);
      r = c.r, g = c.g, b = c.b;
      conf = 1.0;
    }
  else
    conf = (best - 1.0 / self->n_classes) / (1.0 - 1.0 / self->n_classes);
  conf = 0.65 * CLAMP (conf, 0.0, 1.0);
  px[0] = (guint8) lround (255 * (1 - conf + conf * b));
  px[1] = (guint8) lround (255 * (1 - conf + conf * g));
  px[2] = (guint8) lround (255 * (1 - conf + conf * r));
  px[3] = 255;
}

static cairo_surface_t *
field_surface (LlPlaygroundView *self, gboolean discretize)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, GRID_RES, GRID_RES);
  guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);

  for (int r = 0; r < GRID_RES; r++)
    for (int c = 0; c < GRID_RES; c++)
      field_color (self, self->field + (gsize) (r * GRID_RES + c) * self->n_classes, discretize,
                   data + r * stride + c * 4);
  cairo_surface_mark_dirty (s);
  return s;
}

/* A neuron's output: orange below zero, blue above, scaled by its largest
 * magnitude over the plane. */
static cairo_surface_t *
thumb_surface (LlPlaygroundView *self, int k)
{
  const int n = GRID_RES * GRID_RES;
  const float *v = self->thumbs + (gsize) k * n;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, GRID_RES, GRID_RES);
  guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  LlRgb neg = class_color (0), pos = class_color (1);
  double m = 1e-6;

  for (int i = 0; i < n; i++)
    m = MAX (m, fabs (v[i]));
  for (int r = 0; r < GRID_RES; r++)
    for (int c = 0; c < GRID_RES; c++)
      {
        double t = v[r * GRID_RES + c] / m, a = 0.85 * fabs (t);
        LlRgb col = t < 0 ? neg : pos;
        guint8 *px = data + r * stride + c * 4;
        px[0] = (guint8) lround (255 * (1 - a + a * col.b));
        px[1] = (guint8) lround (255 * (1 - a + a * col.g));
        px[2] = (guint8) lround (255 * (1 - a + a * col.r));
        px[3] = 255;
      }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
paint_surface (cairo_t *cr, cairo_surface_t *s, double x, double y, double w, double h)
{
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, w / GRID_RES, h / GRID_RES);
  cairo_set_source_surface (cr, s, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
draw_field (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LlPlaygroundView *self = data;
  double scale = ll_presentation_scale (GTK_WIDGET (area));
  double radius = 3.5 * scale;
  gboolean show_test = gtk_check_button_get_active (self->test_check);

  if (self->run != NULL && self->field != NULL)
    {
      cairo_surface_t *s = field_surface (self, gtk_check_button_get_active (self->discretize_check));
      paint_surface (cr, s, 0, 0, width, height);
      cairo_surface_destroy (s);
    }
  else
    {
      cairo_set_source_rgb (cr, 0.95, 0.95, 0.95);
      cairo_paint (cr);
    }
  for (guint i = 0; i < self->points->len; i++)
    {
      const LlToyPoint *p = &g_array_index (self->points, LlToyPoint, i);
      gboolean test = (int) i >= self->n_train;
      double x = (p->x + LL_TOY_EXTENT) / (2 * LL_TOY_EXTENT) * width;
      double y = (LL_TOY_EXTENT - p->y) / (2 * LL_TOY_EXTENT) * height;
      LlRgb c = class_color (p->label);

      if (test && !show_test)
        continue;
      cairo_new_path (cr);
      cairo_arc (cr, x, y, radius, 0, 2 * G_PI);
      if (test)
        {
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_fill_preserve (cr);
          cairo_set_source_rgb (cr, c.r, c.g, c.b);
          cairo_set_line_width (cr, 1.5 * scale);
          cairo_stroke (cr);
        }
      else
        {
          cairo_set_source_rgb (cr, c.r, c.g, c.b);
          cairo_fill_preserve (cr);
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_set_line_width (cr, 0.8 * scale);
          cairo_stroke (cr);
        }
    }
  cairo_set_source_rgba (cr, 0, 0, 0, 0.4);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  cairo_stroke (cr);
}

/* The network ---------------------------------------------------------------- */

/* Units per column: the inputs, each hidden layer, the output. */
static int
columns (LlPlaygroundView *self, int *n_units)
{
  int n_cols = 0;
  n_units[n_cols++] = ll_toy_n_features (self->features);
  for (int h = 0; h < self->n_hidden; h++)
    n_units[n_cols++] = self->units[h];
  n_units[n_cols++] = 1;          /* the output: drawn as the field */
  return n_cols;
}

static void
layout_neurons (LlPlaygroundView *self, int width, int height, double *size)
{
  int n_units[MAX_HIDDEN + 2], n_cols = columns (self, n_units), most = 1;
  double pad = 14, col_w;

  for (int c = 0; c < n_cols; c++)
    most = MAX (most, n_units[c]);
  col_w = (width - 2 * pad) / n_cols;
  *size = MIN (MIN (col_w * 0.55, (height - 2 * pad) / (most * 1.25)), 56);
  g_array_set_size (self->neurons, 0);
  for (int c = 0; c < n_cols; c++)
    for (int u = 0; u < n_units[c]; u++)
      {
        double span = n_units[c] * *size * 1.25;
        Neuron nr = {
          .x = pad + col_w * (c + 0.5),
          .y = height / 2.0 - span / 2 + (u + 0.5) * *size * 1.25,
          .layer = c, .unit = u,
        };
        if (c == n_cols - 1)
          nr.y = height / 2.0;
        g_array_append_val (self->neurons, nr);
      }
}

/* Kernel and bias of the Dense layer feeding column c (1 … n_hidden + 1). */
static gboolean
column_weights (LlPlaygroundView *self, int c, LlWeightView *kernel, LlWeightView *bias)
{
  LlModel *model = ll_toy_run_get_model (self->run);
  const LlArch *arch = ll_model_get_arch (model);
  LlWeightView views[LL_MAX_WEIGHTS];
  int layer = c <= self->n_hidden ? self->dense_layer[c] : ll_arch_n_layers (arch) - 1;

  if (c < 1 || ll_model_layer_weights (model, layer, views) < 2)
    return FALSE;
  *kernel = views[0];
  *bias = views[1];
  return TRUE;
}

static const Neuron *
find_neuron (LlPlaygroundView *self, int c, int u)
{
  for (guint i = 0; i < self->neurons->len; i++)
    {
      const Neuron *n = &g_array_index (self->neurons, Neuron, i);
      if (n->layer == c && n->unit == u)
        return n;
    }
  return NULL;
}

static void
draw_network (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LlPlaygroundView *self = data;
  double size, text_scale = ll_presentation_text_scale (GTK_WIDGET (area));
  int n_units[MAX_HIDDEN + 2], n_cols = columns (self, n_units);
  int nf = ll_toy_n_features (self->features);

  layout_neurons (self, width, height, &size);
  if (self->run == NULL || self->thumbs == NULL)
    return;
  /* Links: colour by sign, width by size relative to the largest. */
  for (int c = 1; c < n_cols; c++)
    {
      LlWeightView kernel, bias;
      int n_in = n_units[c - 1], n_out = c == n_cols - 1 ? 0 : n_units[c];
      double m = 1e-6;

      if (c == n_cols - 1)
        n_out = 1;
      if (!column_weights (self, c, &kernel, &bias))
        continue;
      for (int i = 0; i < kernel.info->dims[0] * kernel.info->dims[1]; i++)
        m = MAX (m, fabs (kernel.data[i]));
      for (int i = 0; i < n_in; i++)
        for (int j = 0; j < n_out; j++)
          {
            const Neuron *a = find_neuron (self, c - 1, i), *b = find_neuron (self, c, j);
            int units = kernel.info->dims[1];
            /* The output column shows the last class's weights (class 1 of 2). */
            double w = kernel.data[i * units + (c == n_cols - 1 ? units - 1 : j)];
            LlRgb col = class_color (w < 0 ? 0 : 1);

            if (a == NULL || b == NULL)
              continue;
            cairo_set_source_rgba (cr, col.r, col.g, col.b, 0.25 + 0.7 * fabs (w) / m);
            cairo_set_line_width (cr, 0.5 + 4.0 * fabs (w) / m);
            cairo_move_to (cr, a->x + size / 2, a->y);
            cairo_line_to (cr, b->x - size / 2, b->y);
            cairo_stroke (cr);
          }
    }
  /* Thumbnails. */
  for (guint i = 0; i < self->neurons->len; i++)
    {
      const Neuron *n = &g_array_index (self->neurons, Neuron, i);
      cairo_surface_t *s;
      int k;

      if (n->layer == n_cols - 1)
        s = field_surface (self, gtk_check_button_get_active (self->discretize_check));
      else
        {
          k = n->layer == 0 ? n->unit : nf;
          for (int c = 1; c < n->layer; c++)
            k += n_units[c];
          if (n->layer > 0)
            k += n->unit;
          if (k >= self->n_thumbs)
            continue;
          s = thumb_surface (self, k);
        }
      paint_surface (cr, s, n->x - size / 2, n->y - size / 2, size, size);
      cairo_surface_destroy (s);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_rectangle (cr, n->x - size / 2, n->y - size / 2, size, size);
      cairo_stroke (cr);
      if (n->layer == 0)
        {
          const char *label = ll_toy_feature_label (0);
          int bit = -1;
          for (int f = 0, seen = 0; f < LL_N_FEATURES; f++)
            if (self->features & (1u << f) && seen++ == n->unit)
              bit = f;
          if (bit >= 0)
            label = ll_toy_feature_label (bit);
          /* Pango, not cairo's toy font: it has the subscripts in every locale. */
          {
            g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), label);
            PangoFontDescription *font = pango_font_description_new ();
            int lw, lh;

            pango_font_description_set_absolute_size (font, 11 * text_scale * PANGO_SCALE);
            pango_layout_set_font_description (layout, font);
            pango_font_description_free (font);
            pango_layout_get_pixel_size (layout, &lw, &lh);
            cairo_set_source_rgba (cr, 0.4, 0.4, 0.4, 1);
            cairo_move_to (cr, MAX (1, n->x - size / 2 - lw - 4), n->y - lh / 2.0);
            pango_cairo_show_layout (cr, layout);
          }
        }
    }
}

/* The parameter under (x, y): a link's weight or a neuron's bias; -1 when none. */
static gssize
param_at (LlPlaygroundView *self, double x, double y, char **what)
{
  int n_units[MAX_HIDDEN + 2], n_cols = columns (self, n_units);
  double size, best = 6.0;
  gssize found = -1;
  LlModel *model;
  float *params;

  if (self->run == NULL)
    return -1;
  model = ll_toy_run_get_model (self->run);
  params = ll_model_params (model);
  layout_neurons (self, gtk_widget_get_width (self->network_area),
                  gtk_widget_get_height (self->network_area), &size);
  for (guint i = 0; i < self->neurons->len; i++)
    {
      const Neuron *n = &g_array_index (self->neurons, Neuron, i);
      LlWeightView kernel, bias;
      int unit = n->layer == n_cols - 1 ? n_units[n_cols - 2] > 0 ? 0 : 0 : n->unit;

      if (n->layer == 0 || fabs (x - n->x) > size / 2 || fabs (y - n->y) > size / 2)
        continue;
      if (!column_weights (self, n->layer, &kernel, &bias))
        continue;
      if (n->layer == n_cols - 1)
        unit = bias.info->dims[0] - 1;
      if (what != NULL)
        *what = g_strdup_printf (_("Bias of neuron %d in layer %d: %.4f"), unit + 1, n->layer,
                                 bias.data[unit]);
      return bias.data + unit - params;
    }
  for (int c = 1; c < n_cols; c++)
    {
      LlWeightView kernel, bias;
      int n_out = c == n_cols - 1 ? 1 : n_units[c];

      if (!column_weights (self, c, &kernel, &bias))
        continue;
      for (int i = 0; i < n_units[c - 1]; i++)
        for (int j = 0; j < n_out; j++)
          {
            const Neuron *a = find_neuron (self, c - 1, i), *b = find_neuron (self, c, j);
            double ax, ay, bx, by, t, d;
            int units = kernel.info->dims[1], col = c == n_cols - 1 ? units - 1 : j;

            if (a == NULL || b == NULL)
              continue;
            ax = a->x + size / 2, ay = a->y, bx = b->x - size / 2, by = b->y;
            t = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / MAX (1e-9, (bx - ax) * (bx - ax) + (by - ay) * (by - ay));
            t = CLAMP (t, 0, 1);
            d = hypot (x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
            if (d < best)
              {
                best = d;
                found = kernel.data + i * units + col - params;
                if (what != NULL)
                  {
                    g_free (*what);
                    *what = g_strdup_printf (_("Weight from neuron %d in layer %d to neuron %d in layer %d: %.4f"),
                                             i + 1, c - 1, col + 1, c, kernel.data[i * units + col]);
                  }
              }
          }
    }
  return found;
}

static gboolean
on_network_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                    gpointer data)
{
  LlPlaygroundView *self = data;
  g_autofree char *what = NULL;

  if (param_at (self, x, y, &what) < 0 || what == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, what);
  return TRUE;
}

static void
on_edit_value (GtkSpinButton *spin_button, LlPlaygroundView *self)
{
  if (self->updating || self->edit_index < 0)
    return;
  ll_playground_view_set_param (self, (gsize) self->edit_index, gtk_spin_button_get_value (spin_button));
}

static void
on_network_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  LlPlaygroundView *self = data;
  g_autofree char *what = NULL;
  gssize index = param_at (self, x, y, &what);

  if (index < 0)
    return;
  self->edit_index = (int) index;
  self->updating = TRUE;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->edit_spin),
                             ll_model_params (ll_toy_run_get_model (self->run))[index]);
  self->updating = FALSE;
  gtk_label_set_text (GTK_LABEL (self->edit_label), what);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->edit_popover),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->edit_popover));
}

/* Field clicks ---------------------------------------------------------------- */

static void
to_plane (LlPlaygroundView *self, double x, double y, double *px, double *py)
{
  double w = MAX (1, gtk_widget_get_width (self->field_area));
  double h = MAX (1, gtk_widget_get_height (self->field_area));

  *px = CLAMP (x / w * 2 * LL_TOY_EXTENT - LL_TOY_EXTENT, -LL_TOY_EXTENT, LL_TOY_EXTENT);
  *py = CLAMP (LL_TOY_EXTENT - y / h * 2 * LL_TOY_EXTENT, -LL_TOY_EXTENT, LL_TOY_EXTENT);
}

/* Right-click: remove the nearest point. */
static void
on_field_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  LlPlaygroundView *self = data;
  double px, py;

  to_plane (self, x, y, &px, &py);
  ll_playground_view_remove_point (self, px, py);
}

/* Primary button: a press on a point drags it, elsewhere adds one. */
static void
on_field_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  LlPlaygroundView *self = data;
  double px, py, best = 0.3;

  to_plane (self, x, y, &px, &py);
  self->drag_index = -1;
  self->dragged = FALSE;
  for (guint i = 0; i < self->points->len; i++)
    {
      const LlToyPoint *p = &g_array_index (self->points, LlToyPoint, i);
      double d = hypot (p->x - px, p->y - py);
      if (d < best)
        best = d, self->drag_index = (int) i;
    }
}

static void
on_field_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  LlPlaygroundView *self = data;
  double x0, y0, px, py;
  LlToyPoint *p;

  if (self->drag_index < 0 || hypot (dx, dy) < 3)
    return;
  gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
  to_plane (self, x0 + dx, y0 + dy, &px, &py);
  p = &g_array_index (self->points, LlToyPoint, self->drag_index);
  p->x = (float) px;
  p->y = (float) py;
  self->dragged = TRUE;
  gtk_widget_queue_draw (self->field_area);
}

static void
on_field_drag_end (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  LlPlaygroundView *self = data;
  double x0, y0, px, py;

  if (self->dragged)
    data_changed (self);
  else if (self->drag_index < 0)
    {
      gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
      to_plane (self, x0, y0, &px, &py);
      ll_playground_view_add_point (self, px, py,
                                    (int) gtk_drop_down_get_selected (self->class_dropdown));
    }
  self->drag_index = -1;
  self->dragged = FALSE;
}

/* Status ------------------------------------------------------------------------ */

static void
update_status (LlPlaygroundView *self)
{
  g_autofree char *text = NULL;

  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            self->playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  if (self->run == NULL)
    text = g_strdup (self->run_error != NULL ? self->run_error : "");
  else
    text = g_strdup_printf (_("Epoch %.1f · step %lld · training loss %.3f · test loss %.3f · test accuracy %.1f %%"),
                            ll_toy_run_get_epoch (self->run), (long long) ll_toy_run_get_step (self->run),
                            self->last_train_loss, self->last_test_loss, 100 * self->last_test_acc);
  if (self->run != NULL && gtk_drop_down_get_selected (self->schedule_dropdown) != LL_SCHEDULE_CONSTANT)
    {
      char *with_lr = g_strdup_printf (_("%s · learning rate %.3g"), text,
                                       ll_toy_run_get_current_learning_rate (self->run));
      g_free (text);
      text = with_lr;
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (self->status_label), text);
  self->status_time = g_get_monotonic_time ();
}

/* Settings ------------------------------------------------------------------------ */

static void rebuild_layers_box (LlPlaygroundView *self);

static void
on_rebuild_setting (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  if (!self->updating)
    rebuild (self, FALSE);
}

static void
on_regenerate_setting (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  if (!self->updating)
    rebuild (self, TRUE);
}

static void
on_data_kind (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  guint k = gtk_drop_down_get_selected (self->data_dropdown);

  if (self->updating || k >= LL_N_TOY)
    return;
  self->kind = (LlToyKind) k;
  if (self->kind == LL_TOY_OWN)
    {
      g_array_set_size (self->points, 0);
      self->n_train = 0;
    }
  rebuild (self, TRUE);
}

static void
on_feature_toggled (GtkCheckButton *check, LlPlaygroundView *self)
{
  if (self->updating)
    return;
  self->features = 0;
  for (int i = 0; i < LL_N_FEATURES; i++)
    if (gtk_check_button_get_active (self->feature_checks[i]))
      self->features |= 1u << i;
  rebuild (self, FALSE);
}

/* A change the running chunk may continue with, marked on the curve. */
static void
mark_change (LlPlaygroundView *self, const char *label)
{
  if (self->run != NULL && self->hist_step->len > 1)
    {
      ll_line_chart_add_marker (self->chart, (double) ll_toy_run_get_step (self->run), label);
      self->n_marks++;
    }
}

static void
on_live_setting (GtkSpinButton *spin_button, LlPlaygroundView *self)
{
  g_autofree char *label = NULL;

  if (self->updating || self->run == NULL)
    return;
  if (spin_button == self->lr_spin)
    label = g_strdup_printf (_("lr %g"), gtk_spin_button_get_value (spin_button));
  else if (spin_button == self->batch_spin)
    label = g_strdup_printf (_("batch %d"), gtk_spin_button_get_value_as_int (spin_button));
  else
    label = g_strdup_printf (_("dropout %.2f"), gtk_spin_button_get_value (spin_button));
  apply_live_settings (self, self->run);
  mark_change (self, label);
}

/* Shows the schedule's fields that apply to its choice (the table's). */
static void
update_schedule_rows (LlPlaygroundView *self)
{
  LlFitConfig cfg;

  schedule_config (self, &cfg);
  for (int i = 0; i < 4; i++)
    gtk_widget_set_visible (self->sched_rows[i], ll_fit_field_active (&cfg, sched_fields[i])
                            || (sched_fields[i] == LL_FIT_EPOCHS && cfg.schedule.kind == LL_SCHEDULE_COSINE));
}

static void
on_schedule_setting (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  g_autofree char *label = NULL;

  update_schedule_rows (self);
  if (self->updating || self->run == NULL)
    return;
  apply_live_settings (self, self->run);
  label = g_strdup_printf (_("schedule %s"),
                           ll_schedule_names[gtk_drop_down_get_selected (self->schedule_dropdown)]);
  mark_change (self, label);
  update_status (self);
}

static void
on_optimizer (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  LlOptimConfig cfg;

  if (self->updating || self->run == NULL)
    return;
  cfg = optim_config (self);
  cancel_chunk (self);
  ll_toy_run_set_optimizer (self->run, &cfg);
  mark_change (self, ll_optim_names[cfg.kind]);
}

static void
on_redraw_setting (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  gtk_widget_queue_draw (self->field_area);
  gtk_widget_queue_draw (self->network_area);
}

static void
on_units_clicked (GtkButton *button, LlPlaygroundView *self)
{
  int layer = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "layer"));
  int delta = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "delta"));

  if (layer < 0)
    {
      if (delta > 0 && self->n_hidden < MAX_HIDDEN)
        {
          self->act[self->n_hidden] = activation_index (self);
          self->units[self->n_hidden++] = 4;
        }
      else if (delta < 0 && self->n_hidden > 0)
        self->n_hidden--;
    }
  else
    self->units[layer] = CLAMP (self->units[layer] + delta, 1, MAX_UNITS);
  rebuild_layers_box (self);
  rebuild (self, FALSE);
}

static void
on_layer_activation (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  int h = GPOINTER_TO_INT (g_object_get_data (object, "layer"));

  if (self->updating || h >= self->n_hidden)
    return;
  self->act[h] = (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (object));
  rebuild (self, FALSE);
}

/* The activation of every hidden layer at once. */
static void
on_activation_all (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  if (self->updating)
    return;
  for (int h = 0; h < MAX_HIDDEN; h++)
    self->act[h] = activation_index (self);
  rebuild_layers_box (self);
  rebuild (self, FALSE);
}

static GtkWidget *
plus_minus (LlPlaygroundView *self, int layer, int delta, const char *a11y)
{
  GtkWidget *b = gtk_button_new_from_icon_name (delta > 0 ? "list-add-symbolic" : "list-remove-symbolic");
  g_object_set_data (G_OBJECT (b), "layer", GINT_TO_POINTER (layer));
  g_object_set_data (G_OBJECT (b), "delta", GINT_TO_POINTER (delta));
  g_signal_connect (b, "clicked", G_CALLBACK (on_units_clicked), self);
  gtk_widget_set_tooltip_text (b, a11y);
  set_a11y (b, a11y);
  gtk_widget_add_css_class (b, "flat");
  return b;
}

static void
rebuild_layers_box (LlPlaygroundView *self)
{
  GtkWidget *child;
  g_autofree char *count = g_strdup_printf (g_dngettext (NULL, "%d hidden layer", "%d hidden layers",
                                                         (gulong) self->n_hidden), self->n_hidden);

  while ((child = gtk_widget_get_first_child (self->layers_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->layers_box), child);
  gtk_label_set_text (GTK_LABEL (self->layers_label), count);
  for (int h = 0; h < self->n_hidden; h++)
    {
      GtkWidget *r = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
      g_autofree char *text = g_strdup_printf (_("Layer %d: %d units"), h + 1, self->units[h]);
      g_autofree char *less = g_strdup_printf (_("Fewer units in layer %d"), h + 1);
      g_autofree char *more = g_strdup_printf (_("More units in layer %d"), h + 1);
      GtkWidget *l = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (l), 0);
      gtk_widget_set_hexpand (l, TRUE);
      gtk_box_append (GTK_BOX (r), l);
      {
        g_autofree char *a11y = g_strdup_printf (_("Activation of layer %d"), h + 1);
        GtkDropDown *d = dropdown (activation_labels, G_N_ELEMENTS (activations));
        gtk_drop_down_set_selected (d, (guint) self->act[h]);
        g_object_set_data (G_OBJECT (d), "layer", GINT_TO_POINTER (h));
        set_a11y (d, a11y);
        gtk_widget_set_tooltip_text (GTK_WIDGET (d), a11y);
        g_signal_connect (d, "notify::selected", G_CALLBACK (on_layer_activation), self);
        gtk_box_append (GTK_BOX (r), GTK_WIDGET (d));
      }
      gtk_box_append (GTK_BOX (r), plus_minus (self, h, -1, less));
      gtk_box_append (GTK_BOX (r), plus_minus (self, h, +1, more));
      gtk_box_append (GTK_BOX (self->layers_box), r);
    }
}

static void
build_controls (LlPlaygroundView *self)
{
  GtkWidget *box = self->controls, *flow, *h, *b;
  const char *demo_labels[8];
  int n_demos;
  const LlToyDemo *demos = ll_toy_demos (&n_demos);
  const char *optim_labels[LL_N_OPTIMS];
  const char *class_labels[] = { N_("Orange (class 0)"), N_("Blue (class 1)"), N_("Green (class 2)") };

  heading (box, _("Demonstration"));
  demo_labels[0] = N_("None (your settings)");
  for (int i = 0; i < n_demos && i < 7; i++)
    demo_labels[i + 1] = demos[i].title;
  self->demo_dropdown = dropdown (demo_labels, MIN (n_demos, 7) + 1);
  set_a11y (self->demo_dropdown, _("Demonstration"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->demo_dropdown),
                               _("Ready-made settings, each with one sentence on what to watch"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->demo_dropdown));

  heading (box, _("Data"));
  self->data_dropdown = dropdown (kind_labels, LL_N_TOY);
  set_a11y (self->data_dropdown, _("Data set"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->data_dropdown));
  self->noise_spin = spin (0, 0.5, 0.05, 2, 0);
  row (box, _("Noise"), GTK_WIDGET (self->noise_spin), _("0 to 0.5 of the plane's radius, at random"));
  self->points_spin = spin (10, 2000, 10, 0, 400);
  gtk_widget_set_name (GTK_WIDGET (self->points_spin), "playground-points");
  row (box, _("Points"), GTK_WIDGET (self->points_spin), NULL);
  self->ratio_spin = spin (0.1, 0.9, 0.1, 1, 0.5);
  row (box, _("Training ratio"), GTK_WIDGET (self->ratio_spin),
       _("Fraction of the points trained on; the rest are the test points"));
  self->seed_spin = spin (0, 9999, 1, 0, 42);
  row (box, _("Seed"), GTK_WIDGET (self->seed_spin), _("The same seed gives the same points and weights"));
  h = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_set_homogeneous (GTK_BOX (h), TRUE);
  b = gtk_button_new_with_label (_("Regenerate"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "playground.regenerate");
  gtk_widget_set_tooltip_text (b, _("New points from the next seed"));
  gtk_box_append (GTK_BOX (h), b);
  b = gtk_button_new_with_label (_("Clear points"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "playground.clear-points");
  gtk_box_append (GTK_BOX (h), b);
  gtk_box_append (GTK_BOX (box), h);
  self->class_dropdown = dropdown (class_labels, 3);
  row (box, _("Click adds"), GTK_WIDGET (self->class_dropdown),
       _("Class of the points a click adds; a right-click removes the nearest point"));
  self->test_check = wrapped_check (_("Show test points"));
  gtk_check_button_set_active (self->test_check, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->test_check));
  self->discretize_check = wrapped_check (_("Discretize output"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->discretize_check));

  heading (box, _("Inputs"));
  flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 4);
  for (int i = 0; i < LL_N_FEATURES; i++)
    {
      g_autofree char *a11y = g_strdup_printf (_("Input %s"), ll_toy_feature_label (i));
      self->feature_checks[i] = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (ll_toy_feature_label (i)));
      gtk_check_button_set_active (self->feature_checks[i], (self->features >> i) & 1);
      set_a11y (self->feature_checks[i], a11y);
      g_signal_connect (self->feature_checks[i], "toggled", G_CALLBACK (on_feature_toggled), self);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), GTK_WIDGET (self->feature_checks[i]));
    }
  gtk_box_append (GTK_BOX (box), flow);

  heading (box, _("Network"));
  h = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  self->layers_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->layers_label), 0);
  gtk_widget_set_hexpand (self->layers_label, TRUE);
  gtk_box_append (GTK_BOX (h), self->layers_label);
  gtk_box_append (GTK_BOX (h), plus_minus (self, -1, -1, _("Remove a hidden layer")));
  gtk_box_append (GTK_BOX (h), plus_minus (self, -1, +1, _("Add a hidden layer")));
  gtk_box_append (GTK_BOX (box), h);
  self->layers_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), self->layers_box);
  self->activation_dropdown = dropdown (activation_labels, G_N_ELEMENTS (activations));
  row (box, _("Activation"), GTK_WIDGET (self->activation_dropdown), _("Of every hidden layer; each layer's row chooses its own"));
  self->bn_check = wrapped_check (_("Batch normalization"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->bn_check),
                               _("Dense (linear), BatchNormalization, then the activation, in every hidden layer"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->bn_check));
  self->dropout_spin = spin (0, 0.9, 0.05, 2, 0);
  row (box, _("Dropout"), GTK_WIDGET (self->dropout_spin),
       _("Rate of the Dropout layer after each hidden layer; changes while playing are marked on the curve"));
  self->l1_spin = spin (0, 0.1, 0.001, 3, 0);
  row (box, _("L1"), GTK_WIDGET (self->l1_spin), _("L1 regularization of every hidden kernel (resets the network)"));
  self->l2_spin = spin (0, 0.1, 0.001, 3, 0);
  row (box, _("L2"), GTK_WIDGET (self->l2_spin), _("L2 regularization of every hidden kernel (resets the network)"));

  heading (box, _("Training"));
  for (int i = 0; i < LL_N_OPTIMS; i++)
    optim_labels[i] = ll_optim_names[i];
  self->optim_dropdown = dropdown (optim_labels, LL_N_OPTIMS);
  row (box, _("Optimizer"), GTK_WIDGET (self->optim_dropdown), NULL);
  self->lr_spin = spin (0.0001, 10, 0.001, 4, 0.03);
  gtk_widget_set_name (GTK_WIDGET (self->lr_spin), "playground-lr");
  row (box, _("Learning rate"), GTK_WIDGET (self->lr_spin),
       _("Changes while playing take effect on the next step and are marked on the curve"));
  {
    const LlFitSpec *spec = ll_fit_spec (LL_FIT_SCHEDULE);
    const char *tooltips[4] = { NULL, NULL, NULL,
                                N_("Epochs over which the cosine schedule falls to its floor") };
    int n_choices = (int) g_strv_length ((char **) spec->choices);

    self->schedule_dropdown = dropdown (spec->choices, n_choices);
    gtk_widget_set_name (GTK_WIDGET (self->schedule_dropdown), "playground-schedule");
    row (box, _(spec->label), GTK_WIDGET (self->schedule_dropdown), _(spec->tooltip));
    for (int i = 0; i < 4; i++)
      {
        const LlFitSpec *f = ll_fit_spec (sched_fields[i]);
        double lo, hi;
        GtkWidget *r;

        ll_fit_form_range (sched_fields[i], &lo, &hi);
        self->sched_spins[i] = spin (lo, MIN (hi, 10000), f->step > 0 ? f->step : 1, f->digits,
                                     sched_fields[i] == LL_FIT_EPOCHS ? 100 : f->default_value);
        row (box, _(f->label), GTK_WIDGET (self->sched_spins[i]),
             tooltips[i] != NULL ? _(tooltips[i]) : _(f->tooltip));
        {
          g_autofree char *name = g_strconcat ("playground-schedule-", f->name, NULL);
          gtk_widget_set_name (GTK_WIDGET (self->sched_spins[i]), name);
        }
        r = gtk_widget_get_parent (GTK_WIDGET (self->sched_spins[i]));
        gtk_widget_set_margin_start (r, 12);
        self->sched_rows[i] = r;
      }
  }
  self->batch_spin = spin (1, 256, 1, 0, 10);
  gtk_widget_set_name (GTK_WIDGET (self->batch_spin), "playground-batch");
  row (box, _("Batch size"), GTK_WIDGET (self->batch_spin),
       _("Points per step; changes while playing take effect on the next step and are marked on the curve"));
  self->speed_spin = spin (1, 200, 1, 0, 10);
  gtk_widget_set_name (GTK_WIDGET (self->speed_spin), "playground-speed");
  row (box, _("Steps per frame"), GTK_WIDGET (self->speed_spin), _("How fast training runs on screen"));
  self->stop_check = wrapped_check (_("Stop when test loss stops improving"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_check), _("Pause after 30 epochs without a better test loss"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stop_check));
  b = gtk_button_new_with_label (_("Open in Model view"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "playground.to-model");
  gtk_widget_set_tooltip_text (b, _("Put this network, with its weights, in the Model view and its Keras and PyTorch code"));
  gtk_widget_set_margin_top (b, 6);
  gtk_box_append (GTK_BOX (box), b);

  g_signal_connect (self->demo_dropdown, "notify::selected", G_CALLBACK (on_rebuild_setting), self);
  g_signal_connect (self->data_dropdown, "notify::selected", G_CALLBACK (on_data_kind), self);
  g_signal_connect (self->noise_spin, "notify::value", G_CALLBACK (on_regenerate_setting), self);
  g_signal_connect (self->points_spin, "notify::value", G_CALLBACK (on_regenerate_setting), self);
  g_signal_connect (self->ratio_spin, "notify::value", G_CALLBACK (on_regenerate_setting), self);
  g_signal_connect (self->seed_spin, "notify::value", G_CALLBACK (on_regenerate_setting), self);
  g_signal_connect (self->activation_dropdown, "notify::selected", G_CALLBACK (on_activation_all), self);
  g_signal_connect (self->bn_check, "notify::active", G_CALLBACK (on_rebuild_setting), self);
  g_signal_connect (self->l1_spin, "notify::value", G_CALLBACK (on_rebuild_setting), self);
  g_signal_connect (self->l2_spin, "notify::value", G_CALLBACK (on_rebuild_setting), self);
  g_signal_connect (self->optim_dropdown, "notify::selected", G_CALLBACK (on_optimizer), self);
  g_signal_connect (self->lr_spin, "value-changed", G_CALLBACK (on_live_setting), self);
  g_signal_connect (self->batch_spin, "value-changed", G_CALLBACK (on_live_setting), self);
  g_signal_connect (self->schedule_dropdown, "notify::selected", G_CALLBACK (on_schedule_setting), self);
  for (int i = 0; i < 4; i++)
    g_signal_connect (self->sched_spins[i], "notify::value", G_CALLBACK (on_schedule_setting), self);
  update_schedule_rows (self);
  g_signal_connect (self->dropout_spin, "value-changed", G_CALLBACK (on_live_setting), self);
  g_signal_connect (self->test_check, "notify::active", G_CALLBACK (on_redraw_setting), self);
  g_signal_connect (self->discretize_check, "notify::active", G_CALLBACK (on_redraw_setting), self);
}

/* Demonstrations ----------------------------------------------------------------- */

static void
load_demo (LlPlaygroundView *self, const LlToyDemo *demo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = NULL;
  LlFitConfig cfg;
  int n_demos;
  const LlToyDemo *demos = ll_toy_demos (&n_demos);

  if (!(arch = ll_preset_build (demo->preset, &cfg, &error)))
    {
      g_warning ("Playground demonstration %s: %s", demo->id, error->message);
      return;
    }
  self->updating = TRUE;
  self->playing = FALSE;
  self->kind = demo->kind;
  self->features = demo->features;
  self->n_hidden = 0;
  for (int l = 0; l < ll_arch_n_layers (arch) - 1; l++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, l);
      if (spec->type != &ll_layer_dense || self->n_hidden >= MAX_HIDDEN)
        continue;
      for (guint a = 0; a < G_N_ELEMENTS (activations); a++)
        if (g_strcmp0 (ll_layer_spec_get_choice (spec, "activation"), activations[a]) == 0)
          {
            gtk_drop_down_set_selected (self->activation_dropdown, a);
            self->act[self->n_hidden] = (int) a;
          }
      self->units[self->n_hidden++] = MIN ((int) ll_layer_spec_get (spec, "units", 4), MAX_UNITS);
    }
  for (int i = 0; i < n_demos; i++)
    if (&demos[i] == demo)
      gtk_drop_down_set_selected (self->demo_dropdown, (guint) i + 1);
  gtk_drop_down_set_selected (self->data_dropdown, demo->kind);
  gtk_spin_button_set_value (self->noise_spin, demo->noise);
  gtk_spin_button_set_value (self->points_spin, demo->n_points);
  gtk_spin_button_set_value (self->ratio_spin, demo->train_ratio);
  gtk_spin_button_set_value (self->seed_spin, 42);
  for (int i = 0; i < LL_N_FEATURES; i++)
    gtk_check_button_set_active (self->feature_checks[i], (demo->features >> i) & 1);
  gtk_drop_down_set_selected (self->optim_dropdown, cfg.optim.kind);
  gtk_spin_button_set_value (self->lr_spin, cfg.optim.learning_rate);
  gtk_spin_button_set_value (self->batch_spin, cfg.batch_size);
  gtk_drop_down_set_selected (self->schedule_dropdown, cfg.schedule.kind);
  for (int i = 0; i < 4; i++)
    if (sched_fields[i] != LL_FIT_EPOCHS || cfg.schedule.kind == LL_SCHEDULE_COSINE)
      gtk_spin_button_set_value (self->sched_spins[i], ll_fit_get (&cfg, sched_fields[i]));
  gtk_spin_button_set_value (self->dropout_spin, 0);
  gtk_spin_button_set_value (self->l1_spin, 0);
  gtk_spin_button_set_value (self->l2_spin, 0);
  gtk_check_button_set_active (self->bn_check, FALSE);
  self->updating = FALSE;
  update_schedule_rows (self);
  ll_fit_config_clear (&cfg);
  gtk_label_set_text (GTK_LABEL (self->sentence_label), _(demo->sentence));
  gtk_widget_set_visible (self->sentence_label, TRUE);
  rebuild_layers_box (self);
  rebuild (self, TRUE);
}

static void
on_demo_selected (GObject *object, GParamSpec *pspec, LlPlaygroundView *self)
{
  guint i = gtk_drop_down_get_selected (self->demo_dropdown);
  int n_demos;
  const LlToyDemo *demos = ll_toy_demos (&n_demos);

  if (self->updating)
    return;
  if (i >= 1 && (int) i <= n_demos)
    load_demo (self, &demos[i - 1]);
  else
    gtk_widget_set_visible (self->sentence_label, FALSE);
}

/* Actions --------------------------------------------------------------------------- */

static void
action_play (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  self->playing = !self->playing && self->run != NULL;
  update_status (self);
}

static void
action_step (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  self->playing = FALSE;
  start_chunk (self, 1);
  update_status (self);
}

static void
action_reset (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);
  self->playing = FALSE;
  rebuild (self, FALSE);
}

static void
action_regenerate (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);
  /* The seed's notify rebuilds with new points. */
  gtk_spin_button_set_value (self->seed_spin, gtk_spin_button_get_value (self->seed_spin) + 1);
}

static void
action_clear_points (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  self->updating = TRUE;
  self->kind = LL_TOY_OWN;
  gtk_drop_down_set_selected (self->data_dropdown, LL_TOY_OWN);
  self->updating = FALSE;
  g_array_set_size (self->points, 0);
  self->n_train = 0;
  self->playing = FALSE;
  rebuild (self, FALSE);
}

static void
action_demo (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);
  const LlToyDemo *demo = ll_toy_demo_lookup (g_variant_get_string (param, NULL));

  if (demo != NULL)
    load_demo (self, demo);
  else
    g_warning ("No Playground demonstration “%s”", g_variant_get_string (param, NULL));
}

static void
action_to_model (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);
  LlDocument *document = ll_view_get_document (LL_VIEW (self));
  LlFitConfig cfg;
  LlTrainer *trainer;

  if (document == NULL || self->run == NULL)
    return;
  ll_fit_config_init (&cfg);
  cfg.optim = optim_config (self);
  cfg.batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  trainer = ll_trainer_new (ll_model_copy (ll_toy_run_get_model (self->run)), &cfg);
  ll_fit_config_clear (&cfg);
  /* Its steps count as training (the weights are not the seed's). */
  ll_trainer_set_state (trainer, MAX (ll_toy_run_get_step (self->run), 1), NULL, 0, NULL, 0);
  /* The architecture and data set as undoable edits, then the weights. */
  ll_document_set_arch (document, ll_model_get_arch (ll_trainer_get_model (trainer)));
  ll_document_set_dataset (document, ll_toy_kind_name (self->kind));
  ll_document_set_trained_model (document, trainer);   /* takes the trainer */
  gtk_widget_activate_action (widget, "window.show-view", "s", "model");
}

/* Trains a little on the main thread, for `layerlab --screenshot playground`. */
static void
action_prepare_screenshot (GtkWidget *widget, const char *name, GVariant *param)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  if (self->run == NULL)
    return;
  cancel_chunk (self);
  for (int i = 0; i < 10000; i++)
    {
      ll_toy_run_step (self->run);
      if (i % 250 == 249)
        {
          evaluate_now (self);
          record (self);
        }
    }
  refresh_grids (self);
  update_status (self);
}

/* Public, for tests ---------------------------------------------------------------- */

gint64
ll_playground_view_get_step (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  return self->run != NULL ? ll_toy_run_get_step (self->run) : 0;
}

guint
ll_playground_view_get_n_history (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  return self->hist_step->len;
}

LlModel *
ll_playground_view_get_model (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), NULL);
  return self->run != NULL ? ll_toy_run_get_model (self->run) : NULL;
}

guint
ll_playground_view_get_n_points (LlPlaygroundView *self, guint *n_train)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  if (n_train != NULL)
    *n_train = (guint) self->n_train;
  return self->points->len;
}

void
ll_playground_view_add_point (LlPlaygroundView *self, double x, double y, int label)
{
  LlToyPoint p = { (float) CLAMP (x, -LL_TOY_EXTENT, LL_TOY_EXTENT),
                   (float) CLAMP (y, -LL_TOY_EXTENT, LL_TOY_EXTENT), 0 };

  g_return_if_fail (LL_IS_PLAYGROUND_VIEW (self));
  p.label = CLAMP (label, 0, ll_toy_n_classes (self->kind) - 1);
  g_array_insert_val (self->points, (guint) self->n_train, p);
  self->n_train++;
  data_changed (self);
}

gboolean
ll_playground_view_remove_point (LlPlaygroundView *self, double x, double y)
{
  double best = 0.5;
  int found = -1;

  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), FALSE);
  for (guint i = 0; i < self->points->len; i++)
    {
      const LlToyPoint *p = &g_array_index (self->points, LlToyPoint, i);
      double d = hypot (p->x - x, p->y - y);
      if (d < best)
        best = d, found = (int) i;
    }
  if (found < 0)
    return FALSE;
  g_array_remove_index (self->points, (guint) found);
  if (found < self->n_train)
    self->n_train--;
  data_changed (self);
  return TRUE;
}

void
ll_playground_view_set_param (LlPlaygroundView *self, gsize index, double value)
{
  LlModel *model;

  g_return_if_fail (LL_IS_PLAYGROUND_VIEW (self));
  if (self->run == NULL)
    return;
  model = ll_toy_run_get_model (self->run);
  g_return_if_fail (index < ll_model_n_trainable (model));
  cancel_chunk (self);             /* the chunk in flight trained the old weights */
  ll_model_params (model)[index] = (float) value;
  evaluate_now (self);
  refresh_grids (self);
  update_status (self);
}

const float *
ll_playground_view_get_field (LlPlaygroundView *self, int *res, int *n_classes)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), NULL);
  if (res != NULL)
    *res = GRID_RES;
  if (n_classes != NULL)
    *n_classes = self->n_classes;
  return self->run != NULL ? self->field : NULL;
}

const float *
ll_playground_view_get_thumbs (LlPlaygroundView *self, int *n_thumbs)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), NULL);
  if (n_thumbs != NULL)
    *n_thumbs = self->n_thumbs;
  return self->run != NULL ? self->thumbs : NULL;
}

guint
ll_playground_view_get_n_marks (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  return self->n_marks;
}

double
ll_playground_view_get_learning_rate (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  return self->run != NULL ? ll_toy_run_get_learning_rate (self->run) : 0;
}

const guint32 *
ll_playground_view_get_confusion (LlPlaygroundView *self, int *n_classes)
{
  if (n_classes != NULL)
    *n_classes = self->confusion_counts != NULL ? self->n_classes : 0;
  return self->confusion_counts;
}

const LlDataset *
ll_playground_view_get_test_set (LlPlaygroundView *self)
{
  return self->run != NULL ? ll_toy_run_get_test (self->run) : NULL;
}

void
ll_playground_view_set_hidden_layers (LlPlaygroundView *self, int n_hidden, int units)
{
  self->n_hidden = CLAMP (n_hidden, 0, MAX_HIDDEN);
  for (int h = 0; h < self->n_hidden; h++)
    {
      self->units[h] = CLAMP (units, 1, MAX_UNITS);
      self->act[h] = activation_index (self);
    }
  rebuild_layers_box (self);
  rebuild (self, FALSE);
}

double
ll_playground_view_get_current_learning_rate (LlPlaygroundView *self)
{
  return self->run != NULL ? ll_toy_run_get_current_learning_rate (self->run) : 0;
}

double
ll_playground_view_get_grid_ms (LlPlaygroundView *self)
{
  g_return_val_if_fail (LL_IS_PLAYGROUND_VIEW (self), 0);
  return self->grid_ms;
}

/* Life cycle ------------------------------------------------------------------------ */

static void
ll_playground_view_map (GtkWidget *widget)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  GTK_WIDGET_CLASS (ll_playground_view_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, NULL, NULL);
}

static void
ll_playground_view_unmap (GtkWidget *widget)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;
  GTK_WIDGET_CLASS (ll_playground_view_parent_class)->unmap (widget);
}

static void
ll_playground_view_dispose (GObject *object)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (object);

  cancel_chunk (self);
  if (self->edit_popover != NULL)
    gtk_widget_unparent (self->edit_popover);
  self->edit_popover = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_PLAYGROUND_VIEW);
  G_OBJECT_CLASS (ll_playground_view_parent_class)->dispose (object);
}

static void
ll_playground_view_finalize (GObject *object)
{
  LlPlaygroundView *self = LL_PLAYGROUND_VIEW (object);

  g_clear_pointer (&self->run, ll_toy_run_free);
  g_free (self->run_error);
  g_array_unref (self->points);
  g_array_unref (self->hist_step);
  g_array_unref (self->hist_train);
  g_array_unref (self->hist_test);
  g_array_unref (self->neurons);
  g_free (self->grid_x);
  g_free (self->field);
  g_free (self->thumbs);
  g_free (self->confusion_counts);
  G_OBJECT_CLASS (ll_playground_view_parent_class)->finalize (object);
}

static void
ll_playground_view_class_init (LlPlaygroundViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_playground_view_dispose;
  object_class->finalize = ll_playground_view_finalize;
  widget_class->map = ll_playground_view_map;
  widget_class->unmap = ll_playground_view_unmap;

  g_type_ensure (LL_TYPE_LINE_CHART);
  g_type_ensure (LL_TYPE_CONFUSION_MATRIX);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-playground-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, controls);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, play_button);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, sentence_label);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, network_area);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, field_area);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, chart);
  gtk_widget_class_bind_template_child (widget_class, LlPlaygroundView, confusion);

  gtk_widget_class_install_action (widget_class, "playground.play", NULL, action_play);
  gtk_widget_class_install_action (widget_class, "playground.step", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "playground.reset", NULL, action_reset);
  gtk_widget_class_install_action (widget_class, "playground.regenerate", NULL, action_regenerate);
  gtk_widget_class_install_action (widget_class, "playground.clear-points", NULL, action_clear_points);
  gtk_widget_class_install_action (widget_class, "playground.demo", "s", action_demo);
  gtk_widget_class_install_action (widget_class, "playground.to-model", NULL, action_to_model);
  gtk_widget_class_install_action (widget_class, "view.prepare-screenshot", NULL,
                                   action_prepare_screenshot);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "playground.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, 0, "playground.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "playground.reset", NULL);

  gtk_widget_class_set_css_name (widget_class, "playgroundview");
}

static void
ll_playground_view_init (LlPlaygroundView *self)
{
  GtkGesture *click;

  self->points = g_array_new (FALSE, FALSE, sizeof (LlToyPoint));
  self->hist_step = g_array_new (FALSE, FALSE, sizeof (double));
  self->hist_train = g_array_new (FALSE, FALSE, sizeof (double));
  self->hist_test = g_array_new (FALSE, FALSE, sizeof (double));
  self->neurons = g_array_new (FALSE, FALSE, sizeof (Neuron));
  self->features = LL_FEATURES_DEFAULT;
  self->edit_index = -1;
  self->drag_index = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
  ll_line_chart_set_labels (self->chart, NULL, _("Step"), _("Loss"));
  build_controls (self);
  g_signal_handlers_disconnect_by_func (self->demo_dropdown, on_rebuild_setting, self);
  g_signal_connect (self->demo_dropdown, "notify::selected", G_CALLBACK (on_demo_selected), self);

  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->field_area), draw_field, self, NULL);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->network_area), draw_network, self, NULL);
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_field_pressed), self);
  gtk_widget_add_controller (self->field_area, GTK_EVENT_CONTROLLER (click));
  {
    GtkGesture *drag = gtk_gesture_drag_new ();
    g_signal_connect (drag, "drag-begin", G_CALLBACK (on_field_drag_begin), self);
    g_signal_connect (drag, "drag-update", G_CALLBACK (on_field_drag_update), self);
    g_signal_connect (drag, "drag-end", G_CALLBACK (on_field_drag_end), self);
    gtk_widget_add_controller (self->field_area, GTK_EVENT_CONTROLLER (drag));
  }
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_network_pressed), self);
  gtk_widget_add_controller (self->network_area, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (self->network_area, "query-tooltip", G_CALLBACK (on_network_tooltip), self);

  /* The weight editor. */
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    self->edit_label = gtk_label_new (NULL);
    gtk_label_set_wrap (GTK_LABEL (self->edit_label), TRUE);
    gtk_label_set_max_width_chars (GTK_LABEL (self->edit_label), 30);
    self->edit_spin = gtk_spin_button_new_with_range (-20, 20, 0.05);
    gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->edit_spin), 3);
    set_a11y (self->edit_spin, _("Value of the weight or bias"));
    g_signal_connect (self->edit_spin, "value-changed", G_CALLBACK (on_edit_value), self);
    gtk_box_append (GTK_BOX (box), self->edit_label);
    gtk_box_append (GTK_BOX (box), self->edit_spin);
    self->edit_popover = gtk_popover_new ();
    gtk_popover_set_child (GTK_POPOVER (self->edit_popover), box);
    gtk_widget_set_parent (self->edit_popover, self->network_area);
  }

  /* LL_PLAYGROUND_DEMO=ID starts on another demonstration (screenshots). */
  {
    const LlToyDemo *demo = ll_toy_demo_lookup (g_getenv ("LL_PLAYGROUND_DEMO"));
    load_demo (self, demo != NULL ? demo : ll_toy_demo_lookup ("spiral"));
  }
}
