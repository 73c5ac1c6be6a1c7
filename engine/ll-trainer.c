/* ll-trainer.c: fit() with Keras semantics: validation split taken from
 * the end before shuffling, per-epoch shuffles, running-mean progress,
 * EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, learning-rate
 * schedules and a guard against NaN/Inf. */
#include "ll-trainer.h"
#include "ll-evaluate.h"
#include "ll-gemm.h"

#include <gio/gio.h>

#include <math.h>
#include <glib/gi18n-lib.h>


struct _LlTrainer {
  LlModel *model;
  LlFitConfig config;
  float *optim_state;
  gsize n_optim_state;
  gint64 step;
  GArray *history;                 /* of LlEpochRecord */
  LlRng rng;                       /* shuffles and dropout */
  double lr_scale;                 /* ReduceLROnPlateau's reductions so far */
  double lr_now;
  /* Bits of a learning rate another thread asked for (0: none), applied
   * between batches.  An atomic rather than a GMutex: GLib's futex mutex
   * is invisible to ThreadSanitizer, this is not. */
  guint64 requested_lr_bits;
  guint64 requested_dropout;       /* (layer + 2) << 32 | float bits of the rate; 0: none */
};

double
ll_schedule_lr (const LlSchedule *s, double base_lr, int epoch, int epochs)
{
  switch (s->kind)
    {
    case LL_SCHEDULE_STEP:
      return base_lr * pow (s->factor, floor ((double) epoch / MAX (1, s->step_epochs)));
    case LL_SCHEDULE_EXPONENTIAL:
      return base_lr * pow (s->factor, epoch);
    case LL_SCHEDULE_COSINE:
      {
        double t = MIN (1.0, (double) epoch / MAX (1, epochs));
        return base_lr * (s->alpha + (1.0 - s->alpha) * 0.5 * (1.0 + cos (G_PI * t)));
      }
    case LL_SCHEDULE_CONSTANT:
    case LL_N_SCHEDULES:
    default:
      return base_lr;
    }
}

LlTrainer *
ll_trainer_new (LlModel *model, const LlFitConfig *config)
{
  LlTrainer *t = g_new0 (LlTrainer, 1);
  LlFitConfig defaults;

  t->model = model;
  if (config == NULL)
    {
      ll_fit_config_init (&defaults);
      config = &defaults;
    }
  ll_fit_config_copy (&t->config, config);
  t->n_optim_state = ll_optim_state_size (&t->config.optim, ll_model_n_trainable (model));
  t->optim_state = g_new0 (float, MAX (t->n_optim_state, 1));
  ll_optim_state_init (&t->config.optim, ll_model_n_trainable (model), t->optim_state);
  t->history = g_array_new (FALSE, TRUE, sizeof (LlEpochRecord));
  t->lr_scale = 1.0;
  t->lr_now = t->config.optim.learning_rate;
  ll_rng_seed (&t->rng, t->config.seed ^ 0x5eed5eedULL);
  return t;
}

void
ll_trainer_free (LlTrainer *t)
{
  if (t == NULL)
    return;
  ll_model_free (t->model);
  ll_fit_config_clear (&t->config);
  g_free (t->optim_state);
  g_array_unref (t->history);
  g_free (t);
}

LlModel *
ll_trainer_get_model (LlTrainer *t)
{
  return t->model;
}

LlFitConfig *
ll_trainer_get_config (LlTrainer *t)
{
  return &t->config;
}

static void
reset_optimizer (LlTrainer *t)
{
  g_free (t->optim_state);
  t->n_optim_state = ll_optim_state_size (&t->config.optim, ll_model_n_trainable (t->model));
  t->optim_state = g_new0 (float, MAX (t->n_optim_state, 1));
  ll_optim_state_init (&t->config.optim, ll_model_n_trainable (t->model), t->optim_state);
  t->step = 0;
}

gboolean
ll_trainer_set_config (LlTrainer *t, const LlFitConfig *config, GError **error)
{
  gboolean reset;

  if (!ll_fit_config_validate (config, error))
    return FALSE;
  reset = memcmp (&t->config.optim, &config->optim, sizeof config->optim) != 0
          && (t->config.optim.kind != config->optim.kind
              || t->config.optim.centered != config->optim.centered
              || t->config.optim.amsgrad != config->optim.amsgrad
              || (t->config.optim.momentum == 0.0) != (config->optim.momentum == 0.0));
  ll_fit_config_clear (&t->config);
  ll_fit_config_copy (&t->config, config);
  if (reset)
    reset_optimizer (t);
  t->lr_now = t->config.optim.learning_rate * t->lr_scale;
  return TRUE;
}

const GArray *
ll_trainer_get_history (LlTrainer *t)
{
  return t->history;
}

gint64
ll_trainer_get_step (LlTrainer *t)
{
  return t->step;
}

float *
ll_trainer_get_optim_state (LlTrainer *t, gsize *n)
{
  if (n != NULL)
    *n = t->n_optim_state;
  return t->optim_state;
}

void
ll_trainer_set_state (LlTrainer *t, gint64 step, const float *optim_state, gsize n_optim_state,
                      const LlEpochRecord *history, guint n_history)
{
  t->step = step;
  if (optim_state != NULL && n_optim_state == t->n_optim_state)
    memcpy (t->optim_state, optim_state, n_optim_state * sizeof (float));
  g_array_set_size (t->history, 0);
  if (history != NULL)
    g_array_append_vals (t->history, history, n_history);
  ll_rng_seed (&t->rng, (t->config.seed ^ 0x5eed5eedULL) + (guint64) step);
}

double
ll_trainer_get_lr (LlTrainer *t)
{
  return t->lr_now;
}

void
ll_trainer_request_lr (LlTrainer *t, double lr)
{
  guint64 bits;

  g_return_if_fail (lr > 0.0);
  memcpy (&bits, &lr, sizeof bits);
  __atomic_store_n (&t->requested_lr_bits, bits, __ATOMIC_RELEASE);
}

void
ll_trainer_request_dropout (LlTrainer *t, int layer, double rate)
{
  float r = (float) rate;
  guint32 bits;

  g_return_if_fail (layer >= -1 && rate >= 0.0 && rate < 1.0);
  memcpy (&bits, &r, sizeof bits);
  __atomic_store_n (&t->requested_dropout, ((guint64) (layer + 2) << 32) | bits, __ATOMIC_RELEASE);
}

void
ll_trainer_reset (LlTrainer *t)
{
  ll_model_init_weights (t->model, t->config.seed);
  reset_optimizer (t);
  g_array_set_size (t->history, 0);
  t->lr_scale = 1.0;
  t->lr_now = t->config.optim.learning_rate;
  ll_rng_seed (&t->rng, t->config.seed ^ 0x5eed5eedULL);
}

static double
monitor_value (const LlEpochRecord *r, LlMonitor m)
{
  switch (m)
    {
    case LL_MONITOR_VAL_LOSS:
      return r->val_loss;
    case LL_MONITOR_VAL_ACCURACY:
      return r->val_accuracy;
    case LL_MONITOR_LOSS:
      return r->loss;
    case LL_MONITOR_ACCURACY:
    case LL_N_MONITORS:
    default:
      return r->accuracy;
    }
}

static gboolean
monitor_is_val (LlMonitor m)
{
  return m == LL_MONITOR_VAL_LOSS || m == LL_MONITOR_VAL_ACCURACY;
}

/* Keras skips, with a warning in a log, a callback whose val_ metric does
 * not exist; here that is an error before training, which says what to do. */
static gboolean
check_monitors (const LlFitConfig *cfg, gboolean have_val, GError **error)
{
  const char *who = NULL;
  LlMonitor m = LL_MONITOR_LOSS;

  if (have_val)
    return TRUE;
  if (cfg->early_stopping.enabled && monitor_is_val (cfg->early_stopping.monitor))
    who = "EarlyStopping", m = cfg->early_stopping.monitor;
  else if (cfg->reduce_lr.enabled && monitor_is_val (cfg->reduce_lr.monitor))
    who = "ReduceLROnPlateau", m = cfg->reduce_lr.monitor;
  else if (cfg->checkpoint.enabled && cfg->checkpoint.save_best_only
           && monitor_is_val (cfg->checkpoint.monitor))
    who = "ModelCheckpoint", m = cfg->checkpoint.monitor;
  if (who == NULL)
    return TRUE;
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("%s watches %s, but there is no validation data: set a validation split above 0, "
               "or let it watch %s instead"), who, ll_monitor_names[m],
               m == LL_MONITOR_VAL_LOSS ? "loss" : "accuracy");
  return FALSE;
}

static gboolean
monitor_is_max (LlMonitor m)
{
  return m == LL_MONITOR_VAL_ACCURACY || m == LL_MONITOR_ACCURACY;
}

/* Keras' test: improvement when current beats best by more than min_delta. */
static gboolean
improved (LlMonitor m, double current, double best, double min_delta)
{
  if (isnan (current))
    return FALSE;
  if (isnan (best))
    return TRUE;
  return monitor_is_max (m) ? current - min_delta > best : current + min_delta < best;
}

static gboolean
all_finite (const float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

typedef struct {
  double best;
  int wait;
  float *best_weights;             /* params then state */
} MonitorState;

/* Weights from the start of the epoch; the optimizer's moments may hold
 * the overflow too, so they start again. */
static void
restore_after_divergence (LlTrainer *t, const float *snapshot)
{
  gsize n_params = ll_model_n_trainable (t->model);
  memcpy (ll_model_params (t->model), snapshot, n_params * sizeof (float));
  memcpy (ll_model_state (t->model), snapshot + n_params,
          ll_model_n_state (t->model) * sizeof (float));
  reset_optimizer (t);
}

gboolean
ll_trainer_fit (LlTrainer *t, const LlDataset *train, const LlDataset *val,
                const LlFitCallbacks *callbacks, gpointer user_data,
                const LlControl *control, GError **error)
{
  LlFitConfig *cfg = &t->config;
  LlModel *model = t->model;
  gsize n_params = ll_model_n_trainable (model), n_state = ll_model_n_state (model);
  gsize sample = ll_dataset_sample_size (train);
  int n_train = train->n, n_val = 0, val_start = 0;
  const LlDataset *val_ds = val;
  g_autofree guint32 *order = NULL;
  g_autofree guint32 *idx = NULL;
  g_autofree float *x = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree float *snapshot = NULL;
  MonitorState es = { NAN, 0, NULL }, rl = { NAN, 0, NULL }, ck = { NAN, 0, NULL };
  gboolean ok = TRUE;
  int bs;

  if (!ll_fit_config_validate (cfg, error) || !ll_model_check_dataset (model, train, error)
      || (val != NULL && !ll_model_check_dataset (model, val, error)))
    return FALSE;

  if (val == NULL && cfg->validation_split > 0.0)
    {
      /* Keras: the last fraction of the data, before any shuffling. */
      int split_at = (int) (train->n * (1.0 - cfg->validation_split));
      n_val = train->n - split_at;
      n_train = split_at;
      val_start = split_at;
      val_ds = train;
    }
  else if (val != NULL)
    n_val = val->n;
  if (n_train < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("No training data left after the validation split; lower the split"));
      return FALSE;
    }
  if (!check_monitors (cfg, n_val > 0, error))
    return FALSE;
  if (cfg->checkpoint.enabled && (callbacks == NULL || callbacks->save_checkpoint == NULL))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("ModelCheckpoint is on but this program gives it no way to write files; "
                   "switch it off"));
      return FALSE;
    }

  ll_gemm_set_threads (cfg->n_threads);
  bs = MIN (cfg->batch_size, n_train);
  if (!ll_model_plan (model, MAX (bs, MIN (256, MAX (n_val, 1))), error))
    return FALSE;

  {
    int buf = MAX (bs, MIN (256, MAX (n_val, 1)));
    order = g_new (guint32, n_train);
    idx = g_new (guint32, buf);
    x = g_new (float, (gsize) buf * sample);
    labels = g_new (gint32, buf);
  }
  for (int i = 0; i < n_train; i++)
    order[i] = (guint32) i;
  snapshot = g_new (float, MAX (n_params + n_state, 1));
  if (cfg->early_stopping.enabled && cfg->early_stopping.restore_best_weights)
    es.best_weights = g_new (float, MAX (n_params + n_state, 1));

  for (int e = 0; e < cfg->epochs && ok; e++)
    {
      int epoch = (int) t->history->len;
      int n_batches = (n_train + bs - 1) / bs;
      double loss_sum = 0.0;
      long correct = 0, seen = 0;
      gint64 t0 = g_get_monotonic_time ();
      LlEpochRecord rec;
      double sched_base;

      memcpy (snapshot, ll_model_params (model), n_params * sizeof (float));
      memcpy (snapshot + n_params, ll_model_state (model), n_state * sizeof (float));
      if (cfg->shuffle)
        ll_rng_shuffle (&t->rng, order, n_train);

      for (int b = 0; b < n_batches; b++)
        {
          int start = b * bs, n = MIN (bs, n_train - start), right = 0;
          double loss;
          LlBatchEvent ev;

          {
            guint64 d = __atomic_exchange_n (&t->requested_dropout, 0, __ATOMIC_ACQ_REL);
            if (d != 0)
              {
                guint32 rbits = (guint32) d;
                float rate;
                memcpy (&rate, &rbits, sizeof rate);
                /* An impossible request (no such Dropout layer) changes nothing. */
                ll_model_set_dropout_rate (model, (int) (d >> 32) - 2, rate, NULL);
              }
          }
          {
            guint64 bits = __atomic_exchange_n (&t->requested_lr_bits, 0, __ATOMIC_ACQ_REL);
            if (bits != 0)
              {
                memcpy (&cfg->optim.learning_rate, &bits, sizeof bits);
                t->lr_scale = 1.0;
              }
          }
          sched_base = ll_schedule_lr (&cfg->schedule, cfg->optim.learning_rate, epoch,
                                       (int) t->history->len - e + cfg->epochs);
          t->lr_now = MAX (sched_base * t->lr_scale,
                           cfg->reduce_lr.enabled ? cfg->reduce_lr.min_lr : 0.0);

          ll_dataset_fill_batch (train, order + start, n, x, labels);
          if (callbacks != NULL && callbacks->transform_batch != NULL)
            callbacks->transform_batch (x, n, train->height, train->width, train->channels,
                                        &t->rng, user_data);
          loss = ll_model_train_step (model, cfg->loss, n, x, labels, &t->rng, &right);
          if (!isfinite (loss))
            {
              restore_after_divergence (t, snapshot);
              g_set_error (error, LL_ERROR, LL_ERROR_DIVERGED,
                           _("The loss became %s at epoch %d, batch %d, with learning rate %g. "
                           "The learning rate is probably too high: try %g. "
                           "The weights are back to where they were at the start of epoch %d "
                           "and the optimizer starts afresh."),
                           isnan (loss) ? "NaN" : "infinite", epoch + 1, b + 1, t->lr_now,
                           t->lr_now / 10.0, epoch + 1);
              ok = FALSE;
              break;
            }
          t->step++;
          ll_optim_step (&cfg->optim, t->lr_now, t->step, n_params,
                         ll_model_params (model), ll_model_grads (model), t->optim_state);

          loss_sum += loss * n;
          correct += right;
          seen += n;
          if (callbacks != NULL && callbacks->on_batch != NULL)
            {
              double secs = (g_get_monotonic_time () - t0) / 1e6;
              ev = (LlBatchEvent) {
                .epoch = epoch, .batch = b, .n_batches = n_batches, .step = t->step,
                .batch_loss = loss, .loss = loss_sum / seen, .accuracy = (double) correct / seen,
                .lr = t->lr_now, .samples_per_s = secs > 0 ? seen / secs : 0.0,
                .epoch_seconds = secs,
              };
              callbacks->on_batch (&ev, user_data);
            }
          if (callbacks != NULL && callbacks->between_batches != NULL)
            callbacks->between_batches (model, user_data);

          while (ll_control_is_paused (control) && !ll_control_is_cancelled (control))
            g_usleep (10000);
          if (ll_control_is_cancelled (control))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("Training stopped at epoch %d, batch %d"), epoch + 1, b + 1);
              ok = FALSE;
              break;
            }
        }
      if (!ok)
        break;

      /* An update can overflow the weights while the loss that led to it
       * was still finite.  Within the epoch the next batch's loss shows it;
       * after the last batch nothing would, and the next epoch would start
       * from (and restore to) broken weights. */
      if (!all_finite (ll_model_params (model), n_params)
          || !all_finite (ll_model_state (model), n_state))
        {
          restore_after_divergence (t, snapshot);
          g_set_error (error, LL_ERROR, LL_ERROR_DIVERGED,
                       _("The weights became NaN or infinite at the end of epoch %d, with learning "
                       "rate %g. The learning rate is probably too high: try %g. "
                       "The weights are back to where they were at the start of epoch %d "
                       "and the optimizer starts afresh."),
                       epoch + 1, t->lr_now, t->lr_now / 10.0, epoch + 1);
          ok = FALSE;
          break;
        }

      rec.epoch = epoch;
      rec.loss = loss_sum / MAX (seen, 1);
      rec.accuracy = (double) correct / MAX (seen, 1);
      rec.lr = t->lr_now;
      rec.val_loss = rec.val_accuracy = NAN;
      if (n_val > 0
          && !ll_model_evaluate_range (model, cfg->loss, val_ds, val_start, n_val, MIN (256, n_val),
                                       x, labels, idx, &rec.val_loss, &rec.val_accuracy,
                                       control, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _("Training stopped while validating epoch %d"), epoch + 1);
          ok = FALSE;
          break;
        }
      rec.seconds = (g_get_monotonic_time () - t0) / 1e6;
      rec.samples_per_s = rec.seconds > 0 ? seen / rec.seconds : 0.0;
      g_array_append_val (t->history, rec);
      if (callbacks != NULL && callbacks->on_epoch != NULL)
        callbacks->on_epoch (&rec, user_data);

      /* ModelCheckpoint */
      if (cfg->checkpoint.enabled)
        {
          double v = monitor_value (&rec, cfg->checkpoint.monitor);
          if (!cfg->checkpoint.save_best_only || improved (cfg->checkpoint.monitor, v, ck.best, 0.0))
            {
              ck.best = v;
              if (!callbacks->save_checkpoint (t, cfg->checkpoint.path,
                                               !cfg->checkpoint.save_weights_only, error))
                {
                  ok = FALSE;
                  break;
                }
            }
        }

      /* ReduceLROnPlateau */
      if (cfg->reduce_lr.enabled)
        {
          double v = monitor_value (&rec, cfg->reduce_lr.monitor);
          if (improved (cfg->reduce_lr.monitor, v, rl.best, cfg->reduce_lr.min_delta))
            {
              rl.best = v;
              rl.wait = 0;
            }
          else if (++rl.wait >= cfg->reduce_lr.patience)
            {
              if (t->lr_now > cfg->reduce_lr.min_lr)
                t->lr_scale *= cfg->reduce_lr.factor;
              rl.wait = 0;
            }
        }

      /* EarlyStopping */
      if (cfg->early_stopping.enabled)
        {
          double v = monitor_value (&rec, cfg->early_stopping.monitor);
          es.wait++;
          if (improved (cfg->early_stopping.monitor, v, es.best, fabs (cfg->early_stopping.min_delta)))
            {
              es.best = v;
              es.wait = 0;
              if (es.best_weights != NULL)
                {
                  memcpy (es.best_weights, ll_model_params (model), n_params * sizeof (float));
                  memcpy (es.best_weights + n_params, ll_model_state (model), n_state * sizeof (float));
                }
            }
          else if (es.wait >= cfg->early_stopping.patience && e > 0)
            {
              if (es.best_weights != NULL)
                {
                  memcpy (ll_model_params (model), es.best_weights, n_params * sizeof (float));
                  memcpy (ll_model_state (model), es.best_weights + n_params, n_state * sizeof (float));
                }
              break;
            }
        }
    }

  g_free (es.best_weights);
  return ok;
}
