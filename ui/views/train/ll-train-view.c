/* ll-train-view.c: the Train view: the object, its actions, start / pause /
 * stop, data loading and the training job's hand-over.
 *
 * The settings edit the document's LlFitConfig (ll-train-view-settings.c).
 * A run trains a copy of the document's model, reset from the seed, in an
 * LlTrainingJob; the data are loaded in a GTask and cached per data set.
 * When the run ends its history joins the runs list (runs.json,
 * ll-train-view-runs.c) and the weights go back to the document, unless the
 * architecture changed meanwhile; changing the architecture while training
 * stops the run.  Sweeps and the LR range test: ll-train-view-sweeps.c. */
#include "ll-train-view-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

static void start_job (LlTrainView *self);
static void clear_job_settings (LlTrainView *self);

G_DEFINE_FINAL_TYPE (LlTrainView, ll_train_view, LL_TYPE_VIEW)

void
ll_train_view_show_message (LlTrainView *self, GtkMessageType type, const char *text)
{
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_text (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

/* Training ------------------------------------------------------------------------- */

static char *
format_duration (double s)
{
  int t = (int) (isfinite (s) ? s + 0.5 : 0);

  return t >= 3600 ? g_strdup_printf ("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                   : g_strdup_printf ("%d:%02d", t / 60, t % 60);
}

static void
on_job_progress (LlTrainingJob *job, LlTrainView *self)
{
  LlTrainingProgress p;
  g_autofree char *text = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *status = NULL;

  ll_training_job_get_progress (job, &p);
  /* The Inspect view follows training through the document's snapshots. */
  {
    int epoch, batch;
    LlModel *snapshot = ll_training_job_take_snapshot (job, &epoch, &batch);
    if (snapshot != NULL && self->document != NULL)
      ll_document_publish_snapshot (self->document, snapshot, epoch, batch);
    else if (snapshot != NULL)
      ll_model_free (snapshot);
  }
  if (p.n_batches > 0)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, (p.batch + 1.0) / p.n_batches);
      eta = format_duration (p.eta_seconds);
      text = g_strdup_printf (_("Epoch %d/%d · batch %d/%d · ETA %s%s"), p.epoch + 1, p.epochs,
                              p.batch + 1, p.n_batches, eta,
                              ll_training_job_get_paused (job) ? _(" · paused") : "");
      gtk_progress_bar_set_text (self->progress_bar, text);
      status = g_strdup_printf (_("%.0f samples/s · loss %.4f · accuracy %.4f · lr %g"),
                                p.samples_per_s, p.loss, p.accuracy, p.lr);
      gtk_label_set_text (self->status_label, status);
    }
  ll_train_view_rebuild_charts (self);
}

/* "Run 3, stopped at epoch 1.4", "Run 3, 5 epochs": whose weights the model holds. */
static char *
describe_run_weights (const LlRun *run)
{
  if (isfinite (run->stopped_x))
    return g_strdup_printf (_("%s, stopped at epoch %.1f"), run->name, run->stopped_x);
  if (g_strcmp0 (run->status, "diverged") == 0)
    return g_strdup_printf (_("%s, diverged (weights of the last good epoch)"), run->name);
  return g_strdup_printf (ngettext ("%s, %u epoch", "%s, %u epochs", run->epochs->len), run->name,
                          run->epochs->len);
}

static void
restore_dropout (LlModel *model, const LlArch *arch)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == &ll_layer_dropout)
      ll_model_set_dropout_rate (model, i, ll_layer_spec_get (ll_arch_layer (arch, i), "rate", 0), NULL);
}

static void
on_job_finished (LlTrainingJob *job, const GError *error, LlTrainView *self)
{
  g_autoptr(LlTrainingJob) done = g_object_ref (job);
  g_autoptr(LlTrainer) trainer = NULL;
  LlRun *run;
  double test_loss, test_accuracy;

  run = ll_train_view_current_run (self);
  if (error == NULL)
    run->status = g_strdup ("finished");
  else if (g_error_matches (error, LL_ERROR, LL_ERROR_DIVERGED))
    run->status = g_strdup ("diverged");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      run->status = g_strdup ("stopped");
      /* Inside an epoch: keep the figures the status line showed. */
      ll_training_job_get_partial_epoch (job, &run->stopped_x, &run->stopped_loss,
                                         &run->stopped_accuracy);
    }
  else
    run->status = g_strdup ("failed");
  if (ll_training_job_get_test (job, &test_loss, &test_accuracy))
    {
      g_autofree char *text = g_strdup_printf (_("Test set: loss %.4f, accuracy %.2f %%"),
                                               test_loss, 100 * test_accuracy);
      const guint32 *matrix;
      int n_classes = 0;

      run->test_loss = test_loss;
      run->test_accuracy = test_accuracy;
      gtk_label_set_text (self->status_label, text);
      matrix = ll_training_job_get_confusion (job, &n_classes);
      if (matrix != NULL)
        {
          const char *const *names = ll_dataset_class_names (self->job_dataset);
          g_autofree char *figures = NULL;
          guint64 total = 0, right = 0;

          for (int t = 0; t < n_classes; t++)
            for (int p = 0; p < n_classes; p++)
              {
                total += matrix[t * n_classes + p];
                right += t == p ? matrix[t * n_classes + p] : 0;
              }
          figures = g_strdup_printf (_("%s on the %s test set (%" PRIu64 " images): "
                                     "loss %.4f, accuracy %.2f %% (%" PRIu64 " right). "
                                     "Rows: true class; columns: predicted."),
                                     run->name, self->job_dataset, total, test_loss,
                                     100 * test_accuracy, right);
          ll_confusion_matrix_set_data (self->confusion, matrix, n_classes, names);
          gtk_label_set_text (self->test_label, figures);
          gtk_stack_page_set_visible (self->test_page, TRUE);
          gtk_stack_page_set_needs_attention (self->test_page,
                                              gtk_stack_get_visible_child (self->chart_stack)
                                              != gtk_stack_page_get_child (self->test_page));
        }
    }
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);

  g_signal_handlers_disconnect_by_data (job, self);
  if (self->document != NULL)
    ll_document_set_live_dropout (self->document, NAN);
  trainer = ll_training_job_steal_trainer (job);
  g_clear_object (&self->job);
  if (self->document != NULL && ll_document_get_training_job (self->document) == job)
    ll_document_set_training_job (self->document, NULL);
  /* The weights go back unless the stack was edited meanwhile; a sweep's
   * runs are comparisons, not the model. */
  if (trainer != NULL && self->sweep == NULL && self->document != NULL
      && ll_document_get_valid (self->document)
      && ll_arch_equal (ll_document_get_arch (self->document), self->job_arch))
    {
      g_autofree char *from = describe_run_weights (run);

      /* "Dropout, this run" changed this run only: the model keeps its rates. */
      restore_dropout (ll_trainer_get_model (trainer), self->job_arch);
      self->updating = TRUE;
      ll_document_set_trained_model_from_run (self->document, g_steal_pointer (&trainer), from);
      self->updating = FALSE;
    }
  clear_job_settings (self);

  run->selected = TRUE;
  ll_run_list_add (self->runs, run);   /* rebuilds list and charts */
  ll_train_view_save_runs (self);
  gtk_progress_bar_set_text (self->progress_bar, error == NULL ? _("Finished")
                             : g_dpgettext2 (NULL, "run status", run->status));
  gtk_toggle_button_set_active (self->pause_button, FALSE);
  /* The next value of a sweep, unless the user stopped it. */
  if (self->sweep != NULL)
    {
      if (self->sweep_next < self->sweep->len
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The data folder may have changed meanwhile (the cache is gone):
           * load it again, then the sweep goes on. */
          if (self->data != NULL)
            start_job (self);
          else
            {
              ll_train_view_update_actions (self);   /* Start is enabled again */
              gtk_widget_activate_action (GTK_WIDGET (self), "train.start", NULL);
            }
        }
      else
        g_clear_pointer (&self->sweep, g_ptr_array_unref);
    }
  ll_train_view_update_actions (self);
}

static void
clear_job_settings (LlTrainView *self)
{
  g_clear_pointer (&self->job_arch, ll_arch_free);
  if (self->job_config != NULL)
    ll_fit_config_clear (self->job_config);
  g_clear_pointer (&self->job_config, g_free);
  g_clear_pointer (&self->job_label, g_free);
}

static void
start_job (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;
  LlModel *model;
  LlTrainer *trainer;
  const LlSweepRun *v = NULL;
  const LlFitConfig *cfg;

  if (self->job != NULL || self->document == NULL || !ll_document_get_valid (self->document)
      || self->data == NULL)
    return;
  if (self->sweep != NULL && self->sweep_next < self->sweep->len)
    v = g_ptr_array_index (self->sweep, self->sweep_next++);
  cfg = v != NULL ? &v->config : ll_document_get_config (self->document);
  if (!ll_fit_config_validate (cfg, &error))
    {
      ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      return;
    }
  /* A run starts from the seed's weights, so runs with one seed pair up. */
  model = v != NULL ? ll_model_new (v->arch, &error)
                    : ll_model_copy (ll_document_get_model (self->document));
  if (model == NULL)
    {
      ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      return;
    }
  trainer = ll_trainer_new (model, cfg);
  ll_trainer_reset (trainer);
  clear_job_settings (self);
  self->job_config = g_new0 (LlFitConfig, 1);
  ll_fit_config_copy (self->job_config, cfg);
  self->job_label = v != NULL ? g_strdup (v->label) : NULL;
  self->job = ll_training_job_new (trainer, self->data, G_OBJECT (self));
  self->job_arch = ll_arch_copy (v != NULL ? v->arch : ll_document_get_arch (self->document));
  g_free (self->job_dataset);
  self->job_dataset = g_strdup (self->data_name);
  if (self->document != NULL)
    {
      g_autoptr(LlRun) named = ll_train_view_current_run (self);
      ll_document_set_snapshot_run (self->document, named->name);
    }
  g_signal_connect (self->job, "progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect (self->job, "finished", G_CALLBACK (on_job_finished), self);
  if (!ll_training_job_start (self->job, &error))
    {
      g_clear_object (&self->job);
      g_clear_pointer (&self->job_arch, ll_arch_free);
      ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  if (self->document != NULL)
    ll_document_set_training_job (self->document, self->job);
  gtk_info_bar_set_revealed (self->info_bar, FALSE);
  gtk_spin_button_set_value (self->live_lr_spin, cfg->optim.learning_rate);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  ll_train_view_rebuild_charts (self);
  ll_train_view_update_actions (self);
}

/* Data loading in a GTask: 0.3 s for MNIST is too long for the main thread. */
static void
load_data_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *name = ((char **) task_data)[0];
  const char *dir = *((char **) task_data)[1] != '\0' ? ((char **) task_data)[1] : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL;
  LlDataset *test;

  train = ll_dataset_load_named (name, dir, FALSE, &error);
  if (train == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  test = ll_dataset_load_named (name, dir, TRUE, NULL);   /* optional */
  g_task_return_pointer (task, ll_training_data_new (g_steal_pointer (&train), test),
                         (GDestroyNotify) ll_training_data_unref);
}

static void
load_data_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LlTrainView) self = user_data;   /* dropped here, on the main thread */
  g_autoptr(GError) error = NULL;
  LlTrainingData *data = g_task_propagate_pointer (G_TASK (result), &error);

  g_clear_object (&self->cancellable);
  if (data == NULL)
    {
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
          gtk_progress_bar_set_text (self->progress_bar, _("Ready"));
        }
      ll_train_view_update_actions (self);
      return;
    }
  g_clear_pointer (&self->data, ll_training_data_unref);
  self->data = data;
  g_free (self->data_name);
  self->data_name = g_strdup (((char **) g_task_get_task_data (G_TASK (result)))[0]);
  if (self->then_find_lr)
    ll_train_view_start_finder (self);
  else
    start_job (self);
}

static void
action_start (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  const char *dataset;
  g_autoptr(GTask) task = NULL;

  if (self->job != NULL || self->cancellable != NULL || self->finder != NULL
      || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  self->then_find_lr = g_strcmp0 (name, "train.find-lr") == 0;
  dataset = ll_train_view_effective_dataset (self);
  if (self->data != NULL && g_strcmp0 (self->data_name, dataset) == 0)
    {
      if (self->then_find_lr)
        ll_train_view_start_finder (self);
      else
        start_job (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  /* Not the view as the task's source object: the worker thread may drop
   * the task's last reference after the window has closed, and a widget
   * must never be finalized off the main thread (that crashed the
   * keyboard test now and then, in X11 calls from the worker).  The
   * callback holds the view instead. */
  task = g_task_new (NULL, self->cancellable, load_data_done, g_object_ref (self));
  {
    const char *strv[] = { dataset, self->data_dir != NULL ? self->data_dir : "", NULL };
    g_task_set_task_data (task, g_strdupv ((char **) strv), (GDestroyNotify) g_strfreev);
  }
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_data_thread);
  gtk_progress_bar_set_text (self->progress_bar, _("Loading the data set…"));
  ll_train_view_update_actions (self);
}

static void
action_stop (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  if (self->job != NULL)
    {
      ll_training_job_set_paused (self->job, FALSE);
      ll_training_job_cancel (self->job);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->finder != NULL)
    g_cancellable_cancel (self->finder);
  /* Stop ends the whole sweep, not just its current run. */
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
}

static void
action_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  gboolean paused;

  if (self->job == NULL)
    return;
  paused = !ll_training_job_get_paused (self->job);
  ll_training_job_set_paused (self->job, paused);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), paused ? _("_Resume") : _("_Pause"));
  gtk_toggle_button_set_active (self->pause_button, paused);
  on_job_progress (self->job, self);
}

static void
action_apply_dropout (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  if (self->job != NULL)
    {
      double rate;
      g_autofree char *text = NULL;

      gtk_spin_button_update (self->live_dropout_spin);
      rate = gtk_spin_button_get_value (self->live_dropout_spin);
      ll_training_job_request_dropout (self->job, rate);
      if (self->document != NULL)
        ll_document_set_live_dropout (self->document, rate);
      ll_train_view_rebuild_charts (self);
      text = g_strdup_printf (_("Dropout %g applies to this run only, from now on; it is marked on "
                                "the curves and in the run's description. The model keeps the "
                                "rates the Model view shows; set the rate there to train with it "
                                "from the start."), rate);
      ll_train_view_show_message (self, GTK_MESSAGE_INFO, text);
    }
}

static void
action_apply_lr (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  if (self->job != NULL)
    {
      gtk_spin_button_update (self->live_lr_spin);
      ll_training_job_request_lr (self->job, gtk_spin_button_get_value (self->live_lr_spin));
      ll_train_view_rebuild_charts (self);
    }
}

/* Live dropout changes need a Dropout layer in the model being trained. */
static gboolean
arch_has_dropout (LlTrainView *self)
{
  const LlArch *arch = self->document != NULL ? ll_document_get_arch (self->document) : NULL;
  for (int i = 0; arch != NULL && i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == &ll_layer_dropout)
      return TRUE;
  return FALSE;
}

gboolean
ll_train_view_get_busy (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), FALSE);
  return self->job != NULL || self->cancellable != NULL || self->finder != NULL;
}

void
ll_train_view_update_actions (LlTrainView *self)
{
  gboolean valid = self->document != NULL && ll_document_get_valid (self->document);
  gboolean busy = self->job != NULL || self->cancellable != NULL || self->finder != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.start", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.find-lr", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.sweep", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.use-found-lr",
                                 !busy && self->found_lr > 0 && self->document != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.stop", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.pause", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.apply-lr", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.apply-dropout",
                                 self->job != NULL && arch_has_dropout (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->settings_box), !busy);
  if (self->job == NULL)
    gtk_button_set_label (GTK_BUTTON (self->pause_button), _("_Pause"));
}

/* Document ------------------------------------------------------------------------ */

static void
update_validity (LlTrainView *self)
{
  g_autofree char *text = NULL;

  ll_train_view_update_actions (self);
  if (self->document == NULL || ll_document_get_valid (self->document))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->validity_label), FALSE);
      return;
    }
  /* The message names its layer already ("Layer 2 (conv2d): …"). */
  text = g_strdup_printf (_("The model cannot be trained. %s Fix it in the Model view."),
                          ll_document_get_error_message (self->document));
  gtk_label_set_text (self->validity_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->validity_label), TRUE);
}

static void
on_document_changed (LlTrainView *self)
{
  if (self->updating)
    return;
  /* Another model (edit, open, preset) while training: stop cleanly. */
  if (self->job != NULL && !ll_arch_equal (ll_document_get_arch (self->document), self->job_arch))
    ll_training_job_cancel (self->job);
  ll_train_view_load_settings (self);
  update_validity (self);
}

static void
ll_train_view_document_set (LlView *view, LlDocument *old)
{
  LlTrainView *self = LL_TRAIN_VIEW (view);
  LlDocument *document = ll_view_get_document (view);

  if (self->job != NULL)
    ll_training_job_cancel (self->job);
  self->document = document;
  if (document != NULL)
    g_signal_connect_swapped (document, "notify::valid", G_CALLBACK (update_validity), self);
  else
    {
      ll_train_view_load_settings (self);
      update_validity (self);
    }
}

static void
ll_train_view_document_changed (LlView *view)
{
  on_document_changed (LL_TRAIN_VIEW (view));
}

static void
ll_train_view_dispose (GObject *object)
{
  LlTrainView *self = LL_TRAIN_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->finder != NULL)
    g_cancellable_cancel (self->finder);
  g_clear_object (&self->finder);
  if (self->job != NULL)
    {
      /* Disposing the job cancels it and joins the worker. */
      g_signal_handlers_disconnect_by_data (self->job, self);
      if (self->document != NULL && ll_document_get_training_job (self->document) == self->job)
        ll_document_set_training_job (self->document, NULL);
      g_clear_object (&self->job);
    }
  self->document = NULL;
  if (self->runs != NULL)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->data, ll_training_data_unref);
  g_clear_pointer (&self->data_name, g_free);
  clear_job_settings (self);
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
  g_clear_pointer (&self->job_dataset, g_free);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->data_dir, g_free);
  for (int i = 0; i < N_DATASETS; i++)
    g_clear_pointer (&self->missing[i], g_free);
  g_clear_object (&self->dataset_titles_model);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_TRAIN_VIEW);

  G_OBJECT_CLASS (ll_train_view_parent_class)->dispose (object);
}

static void
ll_train_view_class_init (LlTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_train_view_dispose;
  view_class->document_set = ll_train_view_document_set;
  view_class->document_changed = ll_train_view_document_changed;

  g_type_ensure (LL_TYPE_LINE_CHART);
  g_type_ensure (LL_TYPE_CONFUSION_MATRIX);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-train-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, settings_box);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, info_bar);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, info_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, validity_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, live_lr_spin);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, live_dropout_spin);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, log_button);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, loss_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, accuracy_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, runs_box);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, chart_stack);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, chart_switcher);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, test_page);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, test_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, confusion);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_page);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, sweep_drop);

  gtk_widget_class_install_action (widget_class, "train.start", NULL, action_start);
  gtk_widget_class_install_action (widget_class, "train.stop", NULL, action_stop);
  gtk_widget_class_install_action (widget_class, "train.find-lr", NULL, action_start);
  gtk_widget_class_install_action (widget_class, "train.sweep", NULL, ll_train_view_action_sweep);
  gtk_widget_class_install_action (widget_class, "train.use-found-lr", NULL, ll_train_view_action_use_found_lr);
  gtk_widget_class_install_action (widget_class, "train.pause", NULL, action_pause);
  gtk_widget_class_install_action (widget_class, "train.apply-lr", NULL, action_apply_lr);
  gtk_widget_class_install_action (widget_class, "train.apply-dropout", NULL, action_apply_dropout);
  gtk_widget_class_install_action (widget_class, "train.clone", NULL, ll_train_view_action_clone);
  gtk_widget_class_install_action (widget_class, "train.delete-runs", NULL, ll_train_view_action_delete_runs);
  gtk_widget_class_install_action (widget_class, "train.export-csv", NULL, ll_train_view_action_export_csv);
  gtk_widget_class_install_action (widget_class, "train.export-chart", "s", ll_train_view_action_export_chart);
  gtk_widget_class_install_action (widget_class, "train.choose-data-dir", NULL, ll_train_view_action_choose_data_dir);
  gtk_widget_class_install_action (widget_class, "train.clear-data-dir", NULL, ll_train_view_action_clear_data_dir);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "train.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "train.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "train.stop", NULL);
}

static void
on_info_response (GtkInfoBar *bar, int response, gpointer data)
{
  gtk_info_bar_set_revealed (bar, FALSE);
}

static void
update_switcher (LlTrainView *self)
{
  gtk_widget_set_visible (self->chart_switcher, gtk_stack_page_get_visible (self->test_page)
                                                || gtk_stack_page_get_visible (self->lr_page));
}

static void
on_chart_page_changed (LlTrainView *self)
{
  if (gtk_stack_get_visible_child (self->chart_stack) == gtk_stack_page_get_child (self->test_page))
    gtk_stack_page_set_needs_attention (self->test_page, FALSE);
}

/* In presentation mode the charts are the picture: the runs list and the
 * sweep row (kept for the desk) make room for them. */
static void
apply_presentation (GtkWidget *widget)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  gboolean desk = !ll_presentation_active (widget);
  GtkWidget *runs = gtk_widget_get_ancestor (GTK_WIDGET (self->runs_box), GTK_TYPE_SCROLLED_WINDOW);

  gtk_widget_set_visible (runs, desk);
  gtk_widget_set_visible (gtk_widget_get_prev_sibling (runs), desk);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->sweep_drop)), desk);
}

static void
ll_train_view_init (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;
  const char *env_dir = g_getenv ("LAYERLAB_DATA_DIR");
  g_autofree char *saved_dir = NULL;

  ll_presentation_watch (GTK_WIDGET (self), apply_presentation);

  /* Without the schema (or an older one) nothing is kept. */
  self->settings = ll_settings_new_if_installed ("data-dir");

  gtk_widget_init_template (GTK_WIDGET (self));
  ll_train_view_build_settings (self);
  ll_train_view_init_sweeps (self);
  {
    GtkWidget *empty = gtk_label_new (_("No runs yet: press Start, or run a sweep to train one run per value"));

    gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
    gtk_widget_set_margin_top (empty, 12);
    gtk_widget_set_margin_bottom (empty, 12);
    gtk_widget_set_margin_start (empty, 12);
    gtk_widget_set_margin_end (empty, 12);
    gtk_widget_add_css_class (empty, "dim-label");
    gtk_list_box_set_placeholder (self->runs_box, empty);
  }
  /* The environment wins, for scripted demos and tests; the folder chosen
   * last is remembered otherwise. */
  if (self->settings != NULL)
    saved_dir = g_settings_get_string (self->settings, "data-dir");
  if (env_dir != NULL && *env_dir != '\0')
    ll_train_view_change_data_dir (self, env_dir, TRUE, FALSE);
  else
    ll_train_view_change_data_dir (self, saved_dir, FALSE, FALSE);
  g_signal_connect (self->info_bar, "response", G_CALLBACK (on_info_response), NULL);
  /* One tab is no choice: the switcher shows once there are test figures. */
  g_signal_connect_swapped (self->lr_page, "notify::visible", G_CALLBACK (update_switcher), self);
  g_signal_connect_swapped (self->test_page, "notify::visible", G_CALLBACK (update_switcher), self);
  update_switcher (self);
  g_signal_connect_swapped (self->chart_stack, "notify::visible-child",
                            G_CALLBACK (on_chart_page_changed), self);
  g_object_bind_property (self->log_button, "active", self->loss_chart, "log-scale", G_BINDING_DEFAULT);

  self->runs = ll_run_list_new (NULL);
  if (!ll_run_list_load (self->runs, &error))
    ll_train_view_show_message (self, GTK_MESSAGE_WARNING, error->message);
  g_signal_connect_swapped (self->runs, "changed", G_CALLBACK (ll_train_view_on_runs_changed), self);
  ll_train_view_on_runs_changed (self);
  ll_train_view_update_actions (self);
}

GtkWidget *
ll_train_view_new (void)
{
  return g_object_new (LL_TYPE_TRAIN_VIEW, NULL);
}

LlTrainingJob *
ll_train_view_get_job (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->job;
}

LlRunList *
ll_train_view_get_run_list (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->runs;
}

const char *
ll_train_view_get_data_dir (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->data_dir;
}

void
ll_train_view_set_data_dir (LlTrainView *self, const char *dir)
{
  g_return_if_fail (LL_IS_TRAIN_VIEW (self));
  ll_train_view_change_data_dir (self, dir, FALSE, TRUE);
}

const char *
ll_train_view_get_dataset (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return ll_train_view_effective_dataset (self);
}

gboolean
ll_train_view_export_run (LlTrainView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), FALSE);
  return ll_train_view_export_ticked_run (self, path, error);
}

gboolean
ll_train_view_replay (LlTrainView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), FALSE);
  return ll_train_view_replay_file (self, path, error);
}

