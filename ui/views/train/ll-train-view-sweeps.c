/* ll-train-view-sweeps.c: the Train view's sweeps (one run per value of
 * one setting) and the learning-rate range test. */
#include "ll-train-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

/* Sweeps -------------------------------------------------------------------------
 * One run per value of one hyperparameter, queued one after another with
 * the document's seed, so the runs differ only in that value; they are
 * overlaid when done.  Layer parameters are changed on a copy of the stack. */

static void
variant_free (Variant *v)
{
  g_free (v->label);
  g_clear_pointer (&v->arch, ll_arch_free);
  ll_fit_config_clear (&v->config);
  g_free (v);
}

/* The seeds' comparisons: seed 004 tunes a CIFAR-10 CNN by shuffle, batch
 * size, learning-rate schedule, filter size, GAP and weight penalties;
 * seed 002 watches the validation loss and stops early. */
enum {
  SWEEP_BATCH, SWEEP_LR, SWEEP_OPTIMIZER, SWEEP_SHUFFLE, SWEEP_DROPOUT, SWEEP_KERNEL,
  SWEEP_INIT, SWEEP_BATCHNORM, SWEEP_GAP, SWEEP_SCHEDULE, SWEEP_REGULARIZER, SWEEP_EARLY_STOP,
  N_SWEEPS
};

static const struct {
  const char *title;
  guint n_values;
} sweeps[N_SWEEPS] = {
  [SWEEP_BATCH] = { "Batch size: 8, 32, 128, 512 (seed 004)", 4 },
  [SWEEP_LR] = { "Learning rate: 0.0001, 0.001, 0.01", 3 },
  [SWEEP_OPTIMIZER] = { "Optimizer: SGD, RMSprop, Adam", 3 },
  [SWEEP_SHUFFLE] = { "Shuffle: on, off (seed 004)", 2 },
  [SWEEP_DROPOUT] = { "Dropout rate: 0.2, 0.5", 2 },
  [SWEEP_KERNEL] = { "Kernel size: 3×3, 5×5 (seed 004)", 2 },
  [SWEEP_INIT] = { "Initializer: glorot_uniform, he_normal", 2 },
  [SWEEP_BATCHNORM] = { "Batch normalization: on, off (seed 004)", 2 },
  [SWEEP_GAP] = { "Flatten vs GlobalAveragePooling2D (seed 004)", 2 },
  [SWEEP_SCHEDULE] = { "Learning-rate schedule: constant, step, ReduceLROnPlateau (seed 004)", 3 },
  [SWEEP_REGULARIZER] = { "Dense kernel regularizer: none, l1, l2, l1_l2 (seed 004)", 4 },
  [SWEEP_EARLY_STOP] = { "Early stopping on val_loss: off, patience 2 (seed 002)", 2 },
};

/* Sets a parameter on every layer of the types given; FALSE when none has it. */
static gboolean
arch_set_all (LlArch *arch, const LlLayerType *a, const LlLayerType *b, const char *param,
              double value, const char *choice, GError **error)
{
  gboolean any = FALSE;

  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      LlLayerSpec *spec = ll_arch_layer (arch, i);

      if (spec->type != a && spec->type != b)
        continue;
      any = TRUE;
      if (choice != NULL ? !ll_layer_spec_set_choice (spec, param, choice, error)
                         : !ll_layer_spec_set (spec, param, value, error))
        return FALSE;
    }
  return any;
}

static gboolean
arch_has (const LlArch *arch, const LlLayerType *type)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == type)
      return TRUE;
  return FALSE;
}

/* Removes every layer of a type; FALSE when there was none. */
static gboolean
arch_remove_all (LlArch *arch, const LlLayerType *type)
{
  gboolean any = FALSE;

  for (int i = ll_arch_n_layers (arch); i-- > 0;)
    if (ll_arch_layer (arch, i)->type == type)
      {
        ll_arch_remove (arch, i);
        any = TRUE;
      }
  return any;
}

/* Puts `to` where the first Flatten or GlobalAveragePooling2D is; FALSE when there is neither. */
static gboolean
arch_swap_flatten (LlArch *arch, const LlLayerType *to)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      const LlLayerType *t = ll_arch_layer (arch, i)->type;

      if (t == &ll_layer_flatten || t == &ll_layer_global_average_pooling2d)
        {
          LlLayerSpec spec;

          if (t == to)
            return TRUE;
          ll_layer_spec_init (&spec, to);
          ll_arch_remove (arch, i);
          ll_arch_insert (arch, i, &spec);
          return TRUE;
        }
    }
  return FALSE;
}

/* The training data keeps a validation part where the sweep watches it. */
static void
ensure_validation (LlFitConfig *config)
{
  if (config->validation_split <= 0)
    config->validation_split = 0.2;
}

static GPtrArray *
build_sweep (LlTrainView *self, guint kind, GError **error)
{
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func ((GDestroyNotify) variant_free);
  const LlFitConfig *base = ll_document_get_config (self->document);
  static const double batches[] = { 8, 32, 128, 512 }, lrs[] = { 1e-4, 1e-3, 1e-2 };
  static const double rates[] = { 0.2, 0.5 }, kernels[] = { 3, 5 };
  static const LlOptimKind optims[] = { LL_OPTIM_SGD, LL_OPTIM_RMSPROP, LL_OPTIM_ADAM };
  static const char *const inits[] = { "glorot_uniform", "he_normal" };
  static const char *const penalties[] = { "none", "l1", "l2", "l1_l2" };
  static const char *const missing[N_SWEEPS] = {
    [SWEEP_DROPOUT] = "This model has no Dropout layer to sweep over: add one in the Model view",
    [SWEEP_KERNEL] = "This model has no Conv2D layer to sweep over: add one in the Model view, "
                     "or pick the MNIST CNN preset",
    [SWEEP_INIT] = "This model has no Dense or Conv2D layer to sweep over",
    [SWEEP_BATCHNORM] = "This model has no BatchNormalization layer to switch off: add one "
                        "after a Conv2D in the Model view, or pick a CIFAR-10 CNN preset",
    [SWEEP_GAP] = "This model has neither Flatten nor GlobalAveragePooling2D after its "
                  "convolutions: pick the MNIST CNN or a CIFAR-10 CNN preset",
    [SWEEP_REGULARIZER] = "This model has no Dense layer to regularize",
  };

  if (kind >= N_SWEEPS)
    return NULL;
  for (guint i = 0; i < sweeps[kind].n_values; i++)
    {
      Variant *v = g_new0 (Variant, 1);
      gboolean found = TRUE;

      g_ptr_array_add (variants, v);
      v->arch = ll_arch_copy (ll_document_get_arch (self->document));
      ll_fit_config_copy (&v->config, base);
      switch (kind)
        {
        case SWEEP_BATCH:
          v->config.batch_size = (int) batches[i];
          v->label = g_strdup_printf ("batch %d", v->config.batch_size);
          break;
        case SWEEP_LR:
          v->config.optim.learning_rate = lrs[i];
          v->label = g_strdup_printf ("lr %g", lrs[i]);
          break;
        case SWEEP_OPTIMIZER:
          v->config.optim = ll_optim_config_default (optims[i]);
          v->label = g_strdup (ll_optim_names[optims[i]]);
          break;
        case SWEEP_SHUFFLE:
          v->config.shuffle = i == 0;
          v->label = g_strdup (i == 0 ? "shuffle on" : "shuffle off");
          break;
        case SWEEP_DROPOUT:
          found = arch_set_all (v->arch, &ll_layer_dropout, NULL, "rate", rates[i], NULL, error);
          v->label = g_strdup_printf ("dropout %g", rates[i]);
          break;
        case SWEEP_KERNEL:
          found = arch_set_all (v->arch, &ll_layer_conv2d, NULL, "kernel_size", kernels[i], NULL, error);
          v->label = g_strdup_printf ("kernel %g×%g", kernels[i], kernels[i]);
          break;
        case SWEEP_INIT:
          found = arch_set_all (v->arch, &ll_layer_dense, &ll_layer_conv2d, "kernel_initializer",
                                0, inits[i], error);
          v->label = g_strdup (inits[i]);
          break;
        case SWEEP_BATCHNORM:
          /* "On" is the model as it is, so it must have some. */
          found = i == 0 ? arch_has (v->arch, &ll_layer_batch_normalization)
                         : arch_remove_all (v->arch, &ll_layer_batch_normalization);
          v->label = g_strdup (i == 0 ? "batch norm on" : "batch norm off");
          break;
        case SWEEP_GAP:
          found = arch_swap_flatten (v->arch, i == 0 ? &ll_layer_flatten
                                                     : &ll_layer_global_average_pooling2d);
          v->label = g_strdup (i == 0 ? "Flatten" : "GlobalAveragePooling2D");
          break;
        case SWEEP_SCHEDULE:
          /* Each variant alone: the document's own schedule and plateau
           * reductions would blur the comparison. */
          v->config.schedule.kind = LL_SCHEDULE_CONSTANT;
          v->config.reduce_lr.enabled = FALSE;
          if (i == 1)
            {
              v->config.schedule.kind = LL_SCHEDULE_STEP;
              v->config.schedule.factor = 0.5;
              v->config.schedule.step_epochs = 2;
            }
          else if (i == 2)
            {
              ensure_validation (&v->config);
              v->config.reduce_lr.enabled = TRUE;
              v->config.reduce_lr.monitor = LL_MONITOR_VAL_LOSS;
              v->config.reduce_lr.factor = 0.2;
              v->config.reduce_lr.patience = 1;
            }
          v->label = g_strdup (i == 0 ? "constant lr" : i == 1 ? "lr ×0.5 every 2 epochs"
                                                      : "ReduceLROnPlateau ×0.2, patience 1");
          break;
        case SWEEP_REGULARIZER:
          found = arch_set_all (v->arch, &ll_layer_dense, NULL, "kernel_regularizer", 0,
                                penalties[i], error);
          v->label = g_strdup_printf ("%s %s", penalties[i], i == 0 ? "regularizer" : "(0.01)");
          break;
        default: /* SWEEP_EARLY_STOP */
          ensure_validation (&v->config);
          v->config.early_stopping.enabled = i == 1;
          v->config.early_stopping.monitor = LL_MONITOR_VAL_LOSS;
          v->config.early_stopping.patience = 2;
          v->config.early_stopping.restore_best_weights = TRUE;
          v->label = g_strdup (i == 0 ? "no early stopping" : "EarlyStopping patience 2");
          break;
        }
      if (error != NULL && *error != NULL)
        return NULL;
      if (!found)
        {
          g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                               missing[kind] != NULL ? missing[kind] : "This model cannot take this sweep");
          return NULL;
        }
      {
        int bad = -1;
        g_autoptr(GError) local = NULL;
        if (!ll_arch_validate (v->arch, &bad, &local))
          {
            g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "With %s the model does not build "
                         "(layer %d): %s", v->label, bad, local->message);
            return NULL;
          }
      }
    }
  return g_steal_pointer (&variants);
}

void
ll_train_view_action_sweep (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  g_autoptr(GError) error = NULL;
  GPtrArray *variants;

  (void) name;
  (void) param;
  if (self->job != NULL || self->cancellable != NULL || self->finder != NULL
      || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  variants = build_sweep (self, gtk_drop_down_get_selected (self->sweep_drop), &error);
  if (variants == NULL)
    {
      ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
  self->sweep = variants;
  self->sweep_next = 0;
  /* Only the sweep's runs are overlaid. */
  for (guint i = 0; i < ll_run_list_get_n (self->runs); i++)
    ll_run_list_set_selected (self->runs, i, FALSE);
  gtk_widget_activate_action (widget, "train.start", NULL);
}

/* LR finder ---------------------------------------------------------------------
 * A learning-rate range test (Smith 2015, fastai's lr_find): one short run on
 * a copy of the model, from the seed's weights, that multiplies the learning
 * rate by a constant factor after every batch, from 1e-6 to 1, and records
 * the smoothed loss.  It stops early once the loss has blown up. */

#define FINDER_STEPS 100
#define FINDER_LR_MIN 1e-6
#define FINDER_LR_MAX 1.0

typedef struct {
  LlTrainer *trainer;
  LlTrainingData *data;
  GCancellable *cancellable;
  LlFitControl control;
  GArray *lr;                   /* double: lr of the step measured */
  GArray *loss;                 /* double: smoothed loss after that step */
  double prev_lr, ema, best;
  int n;
} Finder;

static void
finder_free (Finder *f)
{
  g_clear_pointer (&f->trainer, ll_trainer_free);
  g_clear_pointer (&f->data, ll_training_data_unref);
  g_clear_pointer (&f->lr, g_array_unref);
  g_clear_pointer (&f->loss, g_array_unref);
  g_free (f);
}

static void
finder_on_batch (const LlBatchEvent *ev, gpointer user_data)
{
  Finder *f = user_data;

  /* A batch's loss shows the effect of the previous step's lr. */
  if (f->n > 0 && isfinite (ev->batch_loss))
    {
      double smooth;

      f->ema = 0.98 * f->ema + 0.02 * ev->batch_loss;
      smooth = f->ema / (1.0 - pow (0.98, f->n));
      g_array_append_val (f->lr, f->prev_lr);
      g_array_append_val (f->loss, smooth);
      f->best = MIN (f->best, smooth);
      if (f->n > 10 && smooth > 4 * f->best)
        g_atomic_int_set (&f->control.cancel, 1);
    }
  f->prev_lr = ev->lr;
  f->n++;
  if (f->n > FINDER_STEPS || !isfinite (ev->batch_loss)
      || g_cancellable_is_cancelled (f->cancellable))
    g_atomic_int_set (&f->control.cancel, 1);
  else
    ll_trainer_request_lr (f->trainer, FINDER_LR_MIN * pow (FINDER_LR_MAX / FINDER_LR_MIN,
                                                            (double) f->n / FINDER_STEPS));
}

static void
finder_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Finder *f = task_data;
  LlFitCallbacks callbacks = { finder_on_batch, NULL, NULL };

  (void) source;
  (void) cancellable;
  /* Stopped by us when done, or diverged: what was recorded is the result. */
  ll_trainer_fit (f->trainer, f->data->train, NULL, &callbacks, f, &f->control, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
finder_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlTrainView *self = LL_TRAIN_VIEW (source);
  Finder *f = g_task_get_task_data (G_TASK (result));
  const double *lr = (const double *) f->lr->data;
  const double *loss = (const double *) f->loss->data;
  guint n = f->lr->len, i_min = 0, i_steep = 0;
  g_autofree double *x = g_new (double, MAX (n, 1));
  g_autofree char *text = NULL;
  gboolean cancelled = g_cancellable_is_cancelled (f->cancellable);
  double steepest = 0;
  guint s;

  (void) user_data;
  g_clear_object (&self->finder);
  for (guint i = 0; i < n; i++)
    {
      x[i] = log10 (lr[i]);
      if (loss[i] < loss[i_min])
        i_min = i;
    }
  /* Steepest descent of the smoothed loss against log lr, before the minimum. */
  for (guint i = 2; i <= i_min; i++)
    if (loss[i] - loss[i - 2] < steepest)
      {
        steepest = loss[i] - loss[i - 2];
        i_steep = i - 1;
      }
  ll_line_chart_clear (self->lr_chart);
  ll_line_chart_set_labels (self->lr_chart, "Learning-rate range test",
                            "log10 learning rate", "loss (smoothed)");
  s = ll_line_chart_add_series (self->lr_chart, "loss", 0, FALSE, FALSE);
  ll_line_chart_set_data (self->lr_chart, s, x, loss, n);
  if (cancelled || n < 10)
    {
      self->found_lr = 0;
      text = g_strdup (cancelled ? "The range test was stopped."
                                 : "Too few batches for a range test: use more training images "
                                   "or a smaller batch.");
    }
  else
    {
      self->found_lr = lr[i_min] / 10.0;
      ll_line_chart_add_marker (self->lr_chart, log10 (lr[i_min]), "lowest loss");
      ll_line_chart_add_marker (self->lr_chart, log10 (self->found_lr), "suggested");
      if (i_steep > 0)
        ll_line_chart_add_marker (self->lr_chart, x[i_steep], "steepest");
      text = g_strdup_printf ("%u batches, lr %.0e → %.2g. Lowest loss %.3f at lr %.2g; steepest "
                              "descent at lr %.2g. Suggested: %.2g, a tenth of the lowest-loss lr.",
                              n, lr[0], lr[n - 1], loss[i_min], lr[i_min],
                              i_steep > 0 ? lr[i_steep] : NAN, self->found_lr);
    }
  gtk_label_set_text (self->lr_label, text);
  gtk_stack_page_set_visible (self->lr_page, TRUE);
  gtk_stack_set_visible_child (self->chart_stack, gtk_stack_page_get_child (self->lr_page));
  gtk_progress_bar_set_text (self->progress_bar, "Ready");
  ll_train_view_update_actions (self);
}

void
ll_train_view_start_finder (LlTrainView *self)
{
  g_autoptr(GTask) task = NULL;
  LlFitConfig cfg;
  Finder *f;

  if (self->finder != NULL || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  ll_fit_config_copy (&cfg, ll_document_get_config (self->document));
  cfg.epochs = 1;
  cfg.validation_split = 0;
  cfg.schedule.kind = LL_SCHEDULE_CONSTANT;
  cfg.early_stopping.enabled = FALSE;
  cfg.reduce_lr.enabled = FALSE;
  cfg.checkpoint.enabled = FALSE;
  cfg.optim.learning_rate = FINDER_LR_MIN;
  f = g_new0 (Finder, 1);
  f->trainer = ll_trainer_new (ll_model_copy (ll_document_get_model (self->document)), &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (f->trainer);
  f->data = ll_training_data_ref (self->data);
  f->lr = g_array_new (FALSE, FALSE, sizeof (double));
  f->loss = g_array_new (FALSE, FALSE, sizeof (double));
  f->best = INFINITY;
  self->finder = g_cancellable_new ();
  f->cancellable = self->finder;   /* the task keeps it alive */
  task = g_task_new (self, self->finder, finder_done, NULL);
  g_task_set_task_data (task, f, (GDestroyNotify) finder_free);
  g_task_run_in_thread (task, finder_thread);
  gtk_progress_bar_set_text (self->progress_bar, "Learning-rate range test…");
  ll_train_view_update_actions (self);
}

void
ll_train_view_action_use_found_lr (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  LlFitConfig c;

  (void) name;
  (void) param;
  if (self->document == NULL || self->found_lr <= 0)
    return;
  ll_fit_config_copy (&c, ll_document_get_config (self->document));
  c.optim.learning_rate = self->found_lr;
  ll_document_set_config (self->document, &c);
  ll_fit_config_clear (&c);
}

/* The sweeps' titles in the drop-down. */
void
ll_train_view_init_sweeps (LlTrainView *self)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  for (guint i = 0; i < N_SWEEPS; i++)
    gtk_string_list_append (titles, sweeps[i].title);
  gtk_drop_down_set_model (self->sweep_drop, G_LIST_MODEL (titles));
}
