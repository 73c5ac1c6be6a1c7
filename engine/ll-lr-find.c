/* ll-lr-find.c: the learning-rate range test (see ll-lr-find.h).  It runs
 * ll_trainer_fit for at most one epoch and steers it from the batch
 * callback: a new learning rate for the next batch, or a stop through the
 * fit's own LlControl once the curve is complete. */
#include "ll-lr-find.h"

#include <gio/gio.h>
#include <math.h>
#include <glib/gi18n-lib.h>

#define SMOOTHING 0.98

typedef struct {
  LlTrainer *trainer;
  const LlLrFindOptions *options;
  LlLrCurve *curve;
  const LlControl *outer;       /* the caller's */
  LlControl stop;               /* ours: the curve is complete */
  double prev_lr, ema, best;
  int n;                        /* batches seen */
} Finder;

void
ll_lr_find_options_init (LlLrFindOptions *options)
{
  options->lr_min = 1e-6;
  options->lr_max = 1.0;
  options->steps = 100;
}

gboolean
ll_lr_find_options_check (const LlLrFindOptions *options, GError **error)
{
  if (!(options->lr_min > 0) || !(options->lr_max > options->lr_min) || !isfinite (options->lr_max)
      || options->steps < 2)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("A range test needs 0 < lowest rate < highest rate and at least 2 steps "
                   "(got %g to %g in %d)"), options->lr_min, options->lr_max, options->steps);
      return FALSE;
    }
  return TRUE;
}

LlLrCurve *
ll_lr_curve_new (void)
{
  LlLrCurve *curve = g_new0 (LlLrCurve, 1);

  curve->lr = g_array_new (FALSE, FALSE, sizeof (double));
  curve->loss = g_array_new (FALSE, FALSE, sizeof (double));
  curve->i_min = curve->i_steep = -1;
  return curve;
}

void
ll_lr_curve_free (LlLrCurve *curve)
{
  if (curve == NULL)
    return;
  g_array_unref (curve->lr);
  g_array_unref (curve->loss);
  g_free (curve);
}

void
ll_lr_curve_analyze (LlLrCurve *curve)
{
  const double *lr = (const double *) curve->lr->data;
  const double *loss = (const double *) curve->loss->data;
  int n = (int) curve->loss->len;
  double steepest = 0;

  g_return_if_fail (curve->lr->len == curve->loss->len);
  curve->i_min = n > 0 ? 0 : -1;
  curve->i_steep = -1;
  for (int i = 1; i < n; i++)
    if (loss[i] < loss[curve->i_min])
      curve->i_min = i;
  /* Steepest descent of the smoothed loss against log lr, before the minimum. */
  for (int i = 2; i <= curve->i_min; i++)
    if (loss[i] - loss[i - 2] < steepest)
      {
        steepest = loss[i] - loss[i - 2];
        curve->i_steep = i - 1;
      }
  curve->suggested = n >= LL_LR_FIND_MIN_POINTS ? lr[curve->i_min] / 10.0 : 0.0;
}

static void
on_batch (const LlBatchEvent *ev, gpointer user_data)
{
  Finder *f = user_data;
  const LlLrFindOptions *o = f->options;

  /* A batch's loss shows the effect of the previous step's lr. */
  if (f->n > 0 && isfinite (ev->batch_loss))
    {
      double smooth;

      f->ema = SMOOTHING * f->ema + (1 - SMOOTHING) * ev->batch_loss;
      smooth = f->ema / (1.0 - pow (SMOOTHING, f->n));
      g_array_append_val (f->curve->lr, f->prev_lr);
      g_array_append_val (f->curve->loss, smooth);
      f->best = MIN (f->best, smooth);
      if (f->n > 10 && smooth > 4 * f->best)
        ll_control_cancel (&f->stop);
    }
  f->prev_lr = ev->lr;
  f->n++;
  if (f->n > o->steps || !isfinite (ev->batch_loss) || ll_control_is_cancelled (f->outer))
    ll_control_cancel (&f->stop);
  else
    ll_trainer_request_lr (f->trainer, o->lr_min * pow (o->lr_max / o->lr_min, (double) f->n / o->steps));
}

gboolean
ll_lr_find (const LlModel *model, const LlFitConfig *config, const LlDataset *train,
            const LlLrFindOptions *options, LlLrCurve *curve, const LlControl *control,
            GError **error)
{
  LlLrFindOptions defaults;
  LlFitCallbacks callbacks = { on_batch, NULL, NULL, NULL };
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(GError) local = NULL;
  LlFitConfig cfg;
  Finder f = { 0 };
  gboolean ok;

  g_return_val_if_fail (model != NULL && config != NULL && train != NULL && curve != NULL, FALSE);

  g_array_set_size (curve->lr, 0);
  g_array_set_size (curve->loss, 0);
  ll_lr_curve_analyze (curve);
  if (options == NULL)
    {
      ll_lr_find_options_init (&defaults);
      options = &defaults;
    }
  if (!ll_lr_find_options_check (options, error))
    return FALSE;

  ll_fit_config_copy (&cfg, config);
  cfg.epochs = 1;
  cfg.validation_split = 0;
  cfg.schedule.kind = LL_SCHEDULE_CONSTANT;
  cfg.early_stopping.enabled = FALSE;
  cfg.reduce_lr.enabled = FALSE;
  cfg.checkpoint.enabled = FALSE;
  cfg.optim.learning_rate = options->lr_min;
  trainer = ll_trainer_new (ll_model_copy (model), &cfg);
  ll_fit_config_clear (&cfg);
  /* From the seed's weights, as a run starts. */
  ll_trainer_reset (trainer);

  f.trainer = trainer;
  f.options = options;
  f.curve = curve;
  f.outer = control;
  f.best = INFINITY;
  ok = ll_trainer_fit (trainer, train, NULL, &callbacks, &f, &f.stop, &local);
  ll_lr_curve_analyze (curve);
  if (ll_control_is_cancelled (control))
    return ll_control_check (control, error);
  /* Stopped by us, or diverged at the high end: what was recorded is the
   * result. */
  if (ok || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (local, LL_ERROR, LL_ERROR_DIVERGED))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}
