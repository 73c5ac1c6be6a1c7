/* ll-train-view-sweeps.c: the Train view's sweeps (one run per value of
 * one setting) and the learning-rate range test.  The engine builds the
 * sweep's runs (ll-sweep) and runs the range test (ll-lr-find); the view
 * queues the runs as training jobs and draws the range test's curve. */
#include "ll-train-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ll-lr-find.h"

/* Sweeps -------------------------------------------------------------------------
 * One run per value of one setting, queued one after another with the
 * document's seed, so the runs differ only in that value; they are
 * overlaid when done. */

/* The seeds' comparisons: seed 004 tunes a CIFAR-10 CNN by shuffle, batch
 * size, learning-rate schedule, filter size, GAP and weight penalties;
 * seed 002 watches the validation loss and stops early.  Keys and values
 * as `layerlab train --sweep KEY=V1,V2,…` takes them. */
static const struct {
  const char *title;
  const char *key;
  const char *values;
} sweeps[] = {
  { N_("Batch size: 8, 32, 128, 512 (seed 004)"), "batch_size", "8,32,128,512" },
  { N_("Learning rate: 0.0001, 0.001, 0.01"), "learning_rate", "0.0001,0.001,0.01" },
  { N_("Optimizer: SGD, RMSprop, Adam"), "optimizer", "sgd,rmsprop,adam" },
  { N_("Shuffle: on, off (seed 004)"), "shuffle", "on,off" },
  { N_("Dropout rate: 0.2, 0.5"), "dropout", "0.2,0.5" },
  { N_("Kernel size: 3×3, 5×5 (seed 004)"), "kernel_size", "3,5" },
  { N_("Initializer: glorot_uniform, he_normal"), "kernel_initializer", "glorot_uniform,he_normal" },
  { N_("Batch normalization: on, off (seed 004)"), "batch_norm", "on,off" },
  { N_("Flatten vs GlobalAveragePooling2D (seed 004)"), "flatten", "Flatten,GlobalAveragePooling2D" },
  { N_("Learning-rate schedule: constant, step, ReduceLROnPlateau (seed 004)"), "schedule",
    "constant,step,reduce_lr_on_plateau" },
  { N_("Dense kernel regularizer: none, l1, l2, l1_l2 (seed 004)"), "kernel_regularizer",
    "none,l1,l2,l1_l2" },
  { N_("Early stopping on val_loss: off, patience 2 (seed 002)"), "early_stopping", "off,on" },
};

void
ll_train_view_action_sweep (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  GPtrArray *runs;
  guint kind;

  if (self->job != NULL || self->cancellable != NULL || self->finder != NULL
      || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  kind = gtk_drop_down_get_selected (self->sweep_drop);
  if (kind >= G_N_ELEMENTS (sweeps))
    return;
  values = g_strsplit (sweeps[kind].values, ",", -1);
  runs = ll_sweep_build (ll_document_get_arch (self->document), ll_document_get_config (self->document),
                         sweeps[kind].key, (const char *const *) values, &error);
  if (runs == NULL)
    {
      ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
  self->sweep = runs;
  self->sweep_next = 0;
  /* Only the sweep's runs are overlaid. */
  for (guint i = 0; i < ll_run_list_get_n (self->runs); i++)
    ll_run_list_set_selected (self->runs, i, FALSE);
  gtk_widget_activate_action (widget, "train.start", NULL);
}

/* The sweeps' titles in the drop-down. */
void
ll_train_view_init_sweeps (LlTrainView *self)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sweeps); i++)
    gtk_string_list_append (titles, _(sweeps[i].title));
  gtk_drop_down_set_model (self->sweep_drop, G_LIST_MODEL (titles));
}

/* LR finder ---------------------------------------------------------------------
 * The engine's range test on a worker thread.  The task holds owned
 * copies (model, settings, a reference to the data) and only a weak
 * reference to the view: closing the window while it runs cancels it, and
 * a result for a view that is gone, or for an older test, is dropped. */

typedef struct {
  GWeakRef view;
  GCancellable *cancellable;    /* the view's self->finder when started */
  LlModel *model;
  LlFitConfig config;
  LlTrainingData *data;
  LlControl control;
  LlLrCurve *curve;
} Finder;

static void
finder_free (Finder *f)
{
  g_weak_ref_clear (&f->view);
  g_clear_object (&f->cancellable);
  g_clear_pointer (&f->model, ll_model_free);
  ll_fit_config_clear (&f->config);
  g_clear_pointer (&f->data, ll_training_data_unref);
  g_clear_pointer (&f->curve, ll_lr_curve_free);
  g_free (f);
}

static void
on_finder_cancelled (GCancellable *cancellable, LlControl *control)
{
  ll_control_cancel (control);
}

static void
finder_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Finder *f = task_data;
  g_autoptr(GError) error = NULL;
  gulong id = g_cancellable_connect (cancellable, G_CALLBACK (on_finder_cancelled), &f->control, NULL);

  if (ll_lr_find (f->model, &f->config, f->data->train, NULL, f->curve, &f->control, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
  g_cancellable_disconnect (cancellable, id);
}

static void
finder_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Finder *f = g_task_get_task_data (G_TASK (result));
  g_autoptr(LlTrainView) self = g_weak_ref_get (&f->view);
  g_autoptr(GError) error = NULL;
  const LlLrCurve *c = f->curve;
  const double *lr = (const double *) c->lr->data;
  const double *loss = (const double *) c->loss->data;
  guint n = c->lr->len;
  g_autofree double *x = g_new (double, MAX (n, 1));
  g_autofree char *text = NULL;
  gboolean cancelled;
  guint s;

  /* Gone, or no longer the test the view waits for. */
  if (self == NULL || self->finder != f->cancellable)
    return;
  g_clear_object (&self->finder);
  g_task_propagate_boolean (G_TASK (result), &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < n; i++)
    x[i] = log10 (lr[i]);
  ll_line_chart_clear (self->lr_chart);
  ll_line_chart_set_labels (self->lr_chart, _("Learning-rate range test"),
                            _("log10 learning rate"), _("loss (smoothed)"));
  s = ll_line_chart_add_series (self->lr_chart, C_("chart legend", "loss"), 0, FALSE, FALSE);
  ll_line_chart_set_data (self->lr_chart, s, x, loss, n);
  self->found_lr = 0;
  if (error != NULL && !cancelled)
    text = g_strdup (error->message);
  else if (cancelled || c->suggested <= 0)
    text = g_strdup (cancelled ? _("The range test was stopped.")
                               : _("Too few batches for a range test: use more training images "
                                   "or a smaller batch."));
  else
    {
      self->found_lr = c->suggested;
      ll_line_chart_add_marker (self->lr_chart, log10 (lr[c->i_min]), _("lowest loss"));
      ll_line_chart_add_marker (self->lr_chart, log10 (self->found_lr), _("suggested"));
      if (c->i_steep >= 0)
        ll_line_chart_add_marker (self->lr_chart, x[c->i_steep], _("steepest"));
      text = g_strdup_printf (_("%u batches, lr %.0e → %.2g. Lowest loss %.3f at lr %.2g; steepest "
                                "descent at lr %.2g. Suggested: %.2g, a tenth of the lowest-loss lr."),
                              n, lr[0], lr[n - 1], loss[c->i_min], lr[c->i_min],
                              c->i_steep >= 0 ? lr[c->i_steep] : NAN, self->found_lr);
    }
  gtk_label_set_text (self->lr_label, text);
  gtk_stack_page_set_visible (self->lr_page, TRUE);
  gtk_stack_set_visible_child (self->chart_stack, gtk_stack_page_get_child (self->lr_page));
  gtk_progress_bar_set_text (self->progress_bar, _("Ready"));
  ll_train_view_update_actions (self);
}

void
ll_train_view_start_finder (LlTrainView *self)
{
  g_autoptr(GTask) task = NULL;
  Finder *f;

  if (self->finder != NULL || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  f = g_new0 (Finder, 1);
  g_weak_ref_init (&f->view, self);
  f->model = ll_model_copy (ll_document_get_model (self->document));
  ll_fit_config_copy (&f->config, ll_document_get_config (self->document));
  f->data = ll_training_data_ref (self->data);
  f->curve = ll_lr_curve_new ();
  self->finder = g_cancellable_new ();
  f->cancellable = g_object_ref (self->finder);
  task = g_task_new (NULL, self->finder, finder_done, NULL);
  g_task_set_source_tag (task, ll_train_view_start_finder);
  g_task_set_task_data (task, f, (GDestroyNotify) finder_free);
  g_task_run_in_thread (task, finder_thread);
  gtk_progress_bar_set_text (self->progress_bar, _("Learning-rate range test…"));
  ll_train_view_update_actions (self);
}

void
ll_train_view_action_use_found_lr (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  LlFitConfig c;

  if (self->document == NULL || self->found_lr <= 0)
    return;
  ll_fit_config_copy (&c, ll_document_get_config (self->document));
  c.optim.learning_rate = self->found_lr;
  ll_document_set_config (self->document, &c);
  ll_fit_config_clear (&c);
}
