/* ll-fit-config.c: the training settings' table, their defaults, their
 * validation and their one JSON schema (model files and run files). */
#include "ll-fit-config.h"
#include "ll-json.h"
#include "ll-types.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const ll_schedule_names[] = { "constant", "step", "exponential", "cosine", NULL };
const char *const ll_monitor_names[] = { "val_loss", "val_accuracy", "loss", "accuracy", NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (ll_schedule_names) == LL_N_SCHEDULES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (ll_monitor_names) == LL_N_MONITORS + 1);

/* What runs.json version 1 meant by its enum numbers.  Frozen: a new
 * loss, schedule or optimizer must never renumber these. */
static const char *const legacy_losses[] = {
  "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
  "mean_squared_error", NULL
};
static const char *const legacy_schedules[] = { "constant", "step", "exponential", "cosine", NULL };
static const char *const legacy_monitors[] = { "val_loss", "val_accuracy", "loss", "accuracy", NULL };
static const char *const legacy_optimizers[] = {
  "sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam", NULL
};

static gboolean
schedule_active (const LlFitConfig *c)
{
  return c->schedule.kind != LL_SCHEDULE_CONSTANT;
}

static gboolean
step_schedule_active (const LlFitConfig *c)
{
  return c->schedule.kind == LL_SCHEDULE_STEP;
}

static gboolean
cosine_schedule_active (const LlFitConfig *c)
{
  return c->schedule.kind == LL_SCHEDULE_COSINE;
}

static gboolean
early_stopping_active (const LlFitConfig *c)
{
  return c->early_stopping.enabled;
}

static gboolean
checkpoint_active (const LlFitConfig *c)
{
  return c->checkpoint.enabled;
}

static gboolean
reduce_lr_active (const LlFitConfig *c)
{
  return c->reduce_lr.enabled;
}

#define FIELD(f) offsetof (LlFitConfig, f)
#define SEED_MAX 18446744073709551615.0

static const LlFitSpec fit_table[] = {
  [LL_FIT_EPOCHS] = {
    .name = "epochs", .label = N_("Epochs"), .tooltip = N_("Passes over the training data"),
    .short_label = N_("epochs"), .subject = N_("Epochs"),
    .type = LL_FIT_TYPE_INT, .offset = FIELD (epochs), .min = 1, .max = 10000, .default_value = 1,
    .keras = "epochs", .legacy_key = "epochs", .form_group = N_("Fit"), .digits = 0, .step = 1 },
  [LL_FIT_BATCH_SIZE] = {
    .name = "batch_size", .label = N_("Batch size"), .tooltip = N_("Images per gradient step"),
    .short_label = N_("batch"), .subject = N_("Batch size"),
    .type = LL_FIT_TYPE_INT, .offset = FIELD (batch_size), .min = 1, .max = 65536, .default_value = 32,
    .keras = "batch_size", .legacy_key = "batch_size", .form_group = N_("Fit"), .digits = 0, .step = 1 },
  [LL_FIT_SHUFFLE] = {
    .name = "shuffle", .label = N_("Shuffle"), .tooltip = N_("Shuffle the training data every epoch"),
    .short_label = N_("shuffle"), .subject = N_("Shuffle"),
    .type = LL_FIT_TYPE_FLAG, .offset = FIELD (shuffle), .default_value = 1,
    .keras = "shuffle", .legacy_key = "shuffle", .form_group = N_("Fit") },
  [LL_FIT_VALIDATION_SPLIT] = {
    .name = "validation_split", .label = N_("Validation split"),
    .tooltip = N_("Fraction of the training data held out for validation: the last part, taken "
                  "before shuffling, as Keras does (0: none)"),
    .short_label = N_("val split"), .subject = N_("Validation split"),
    .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (validation_split), .min = 0, .max = 1, .max_open = TRUE,
    .default_value = 0, .keras = "validation_split", .legacy_key = "validation_split",
    .form_group = N_("Data"), .digits = 2, .step = 0.05 },
  [LL_FIT_SEED] = {
    .name = "seed", .label = N_("Seed"),
    .tooltip = N_("Initial weights, data order and dropout masks: the same seed gives the same run"),
    .short_label = N_("seed"), .subject = N_("The seed"),
    .type = LL_FIT_TYPE_SEED, .offset = FIELD (seed), .min = 0, .max = SEED_MAX, .default_value = 42,
    .legacy_key = "seed", .form_group = N_("Fit"), .digits = 0, .step = 1 },
  [LL_FIT_LOSS] = {
    .name = "loss", .label = N_("Loss"), .tooltip = N_("sparse_categorical_crossentropy for integer labels"),
    .short_label = N_("loss"), .subject = N_("The loss"),
    .type = LL_FIT_TYPE_CHOICE, .offset = FIELD (loss), .max = LL_N_LOSSES - 1,
    .default_value = LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, .choices = ll_loss_names,
    .keras = "loss", .keras_required = TRUE, .legacy_key = "loss", .legacy_choices = legacy_losses, .form_group = N_("Fit") },
  [LL_FIT_N_THREADS] = {
    .name = "n_threads", .label = N_("Threads"), .tooltip = N_("OpenBLAS threads; 0: all cores"),
    .subject = N_("Threads"), .type = LL_FIT_TYPE_INT, .offset = FIELD (n_threads), .min = 0, .max = 256,
    .default_value = 0 },

  [LL_FIT_SCHEDULE] = {
    .group = "schedule", .name = "name", .label = N_("Schedule"),
    .tooltip = N_("How the learning rate changes per epoch"), .short_label = N_("schedule"),
    .subject = N_("The schedule"), .type = LL_FIT_TYPE_CHOICE, .offset = FIELD (schedule.kind),
    .max = LL_N_SCHEDULES - 1, .default_value = LL_SCHEDULE_CONSTANT, .choices = ll_schedule_names,
    .legacy_key = "schedule", .legacy_choices = legacy_schedules,
    .form_group = N_("Learning-rate schedule") },
  [LL_FIT_SCHEDULE_FACTOR] = {
    .group = "schedule", .name = "factor", .label = N_("Factor"),
    .tooltip = N_("step: ×factor every N epochs (0.5); exponential: ×factor per epoch (0.95)"),
    .subject = N_("The schedule's factor"), .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (schedule.factor),
    .min = 0, .max = 1, .min_open = TRUE, .default_value = 0.5, .active = schedule_active,
    .legacy_key = "schedule_factor", .form_group = N_("Learning-rate schedule"), .digits = 3, .step = 0.05 },
  [LL_FIT_SCHEDULE_STEP_EPOCHS] = {
    .group = "schedule", .name = "step_epochs", .label = N_("Every N epochs"),
    .tooltip = N_("step schedule (10)"), .subject = N_("The step schedule's epochs per step"),
    .type = LL_FIT_TYPE_INT, .offset = FIELD (schedule.step_epochs), .min = 1, .max = INFINITY,
    .default_value = 10, .active = step_schedule_active, .legacy_key = "schedule_step_epochs",
    .form_group = N_("Learning-rate schedule"), .digits = 0, .step = 1 },
  [LL_FIT_SCHEDULE_ALPHA] = {
    .group = "schedule", .name = "alpha", .label = N_("Floor"),
    .tooltip = N_("cosine schedule: the lowest learning rate, as a fraction of the first"),
    .subject = N_("The cosine schedule's floor (alpha)"), .type = LL_FIT_TYPE_NUMBER,
    .offset = FIELD (schedule.alpha), .min = 0, .max = 1, .default_value = 0,
    .active = cosine_schedule_active, .legacy_key = "schedule_alpha", .digits = 2, .step = 0.05 },

  [LL_FIT_ES_ENABLED] = {
    .group = "early_stopping", .name = "enabled", .label = N_("EarlyStopping"),
    .tooltip = N_("Stop when val_loss stops improving"), .short_label = N_("early stop"),
    .subject = "EarlyStopping", .type = LL_FIT_TYPE_FLAG, .offset = FIELD (early_stopping.enabled),
    .default_value = 0, .legacy_key = "early_stopping", .form_group = N_("Callbacks") },
  [LL_FIT_ES_MONITOR] = {
    .group = "early_stopping", .name = "monitor", .label = N_("Monitor"),
    .tooltip = N_("The metric EarlyStopping watches"), .subject = N_("EarlyStopping's monitor"),
    .type = LL_FIT_TYPE_CHOICE, .offset = FIELD (early_stopping.monitor), .max = LL_N_MONITORS - 1,
    .default_value = LL_MONITOR_VAL_LOSS, .choices = ll_monitor_names, .keras = "monitor",
    .active = early_stopping_active, .legacy_key = "es_monitor", .legacy_choices = legacy_monitors },
  [LL_FIT_ES_PATIENCE] = {
    .group = "early_stopping", .name = "patience", .label = N_("Patience"),
    .tooltip = N_("Epochs without improvement before stopping"), .subject = N_("EarlyStopping's patience"),
    .type = LL_FIT_TYPE_INT, .offset = FIELD (early_stopping.patience), .min = 0, .max = INFINITY,
    .default_value = 0, .keras = "patience", .active = early_stopping_active,
    .legacy_key = "es_patience", .form_group = N_("Callbacks"), .digits = 0, .step = 1 },
  [LL_FIT_ES_MIN_DELTA] = {
    .group = "early_stopping", .name = "min_delta", .label = N_("Min delta"),
    .tooltip = N_("Smallest change that counts"), .subject = N_("EarlyStopping's min_delta"),
    /* Keras takes its absolute value, so a negative one is allowed. */
    .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (early_stopping.min_delta), .min = -INFINITY, .max = INFINITY,
    .default_value = 0, .keras = "min_delta", .active = early_stopping_active,
    .legacy_key = "es_min_delta", .form_group = N_("Callbacks"), .digits = 4, .step = 0.001 },
  [LL_FIT_ES_RESTORE_BEST_WEIGHTS] = {
    .group = "early_stopping", .name = "restore_best_weights", .label = N_("Restore best weights"),
    .tooltip = N_("At the end, go back to the weights of the best epoch"),
    .subject = N_("EarlyStopping's restore_best_weights"), .type = LL_FIT_TYPE_FLAG,
    .offset = FIELD (early_stopping.restore_best_weights), .default_value = 0,
    .keras = "restore_best_weights", .legacy_key = "es_restore_best_weights",
    .form_group = N_("Callbacks") },

  [LL_FIT_CK_ENABLED] = {
    .group = "model_checkpoint", .name = "enabled", .label = N_("ModelCheckpoint"),
    .tooltip = N_("Save the model while it trains"), .subject = "ModelCheckpoint",
    .type = LL_FIT_TYPE_FLAG, .offset = FIELD (checkpoint.enabled), .default_value = 0 },
  [LL_FIT_CK_PATH] = {
    .group = "model_checkpoint", .name = "path", .label = N_("File"),
    .tooltip = N_("Where ModelCheckpoint saves"), .subject = N_("ModelCheckpoint's file"),
    .type = LL_FIT_TYPE_PATH, .offset = FIELD (checkpoint.path), .keras = "filepath", .keras_required = TRUE,
    .active = checkpoint_active },
  [LL_FIT_CK_MONITOR] = {
    .group = "model_checkpoint", .name = "monitor", .label = N_("Monitor"),
    .tooltip = N_("The metric ModelCheckpoint watches"), .subject = N_("ModelCheckpoint's monitor"),
    .type = LL_FIT_TYPE_CHOICE, .offset = FIELD (checkpoint.monitor), .max = LL_N_MONITORS - 1,
    .default_value = LL_MONITOR_VAL_LOSS, .choices = ll_monitor_names, .keras = "monitor",
    .active = checkpoint_active },
  [LL_FIT_CK_SAVE_BEST_ONLY] = {
    .group = "model_checkpoint", .name = "save_best_only", .label = N_("Save best only"),
    .tooltip = N_("Save only when the monitored metric improves"),
    .subject = N_("ModelCheckpoint's save_best_only"), .type = LL_FIT_TYPE_FLAG,
    .offset = FIELD (checkpoint.save_best_only), .default_value = 0, .keras = "save_best_only" },
  [LL_FIT_CK_SAVE_WEIGHTS_ONLY] = {
    .group = "model_checkpoint", .name = "save_weights_only", .label = N_("Save weights only"),
    .tooltip = N_("Save the weights without the optimizer state and history"),
    .subject = N_("ModelCheckpoint's save_weights_only"), .type = LL_FIT_TYPE_FLAG,
    .offset = FIELD (checkpoint.save_weights_only), .default_value = 0, .keras = "save_weights_only" },

  [LL_FIT_RL_ENABLED] = {
    .group = "reduce_lr_on_plateau", .name = "enabled", .label = N_("ReduceLROnPlateau"),
    .tooltip = N_("Lower the learning rate when val_loss stalls"), .short_label = N_("reduce lr"),
    .subject = "ReduceLROnPlateau", .type = LL_FIT_TYPE_FLAG, .offset = FIELD (reduce_lr.enabled),
    .default_value = 0, .legacy_key = "reduce_lr", .form_group = N_("Callbacks") },
  [LL_FIT_RL_MONITOR] = {
    .group = "reduce_lr_on_plateau", .name = "monitor", .label = N_("Monitor"),
    .tooltip = N_("The metric ReduceLROnPlateau watches"), .subject = N_("ReduceLROnPlateau's monitor"),
    .type = LL_FIT_TYPE_CHOICE, .offset = FIELD (reduce_lr.monitor), .max = LL_N_MONITORS - 1,
    .default_value = LL_MONITOR_VAL_LOSS, .choices = ll_monitor_names, .keras = "monitor",
    .active = reduce_lr_active, .legacy_key = "rl_monitor", .legacy_choices = legacy_monitors },
  [LL_FIT_RL_FACTOR] = {
    .group = "reduce_lr_on_plateau", .name = "factor", .label = N_("Factor"),
    .tooltip = N_("New lr = lr × factor"), .subject = N_("ReduceLROnPlateau's factor"),
    .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (reduce_lr.factor), .min = 0, .max = 1,
    .min_open = TRUE, .max_open = TRUE, .default_value = 0.1, .keras = "factor",
    .active = reduce_lr_active, .legacy_key = "rl_factor", .form_group = N_("Callbacks"),
    .digits = 2, .step = 0.05 },
  [LL_FIT_RL_PATIENCE] = {
    .group = "reduce_lr_on_plateau", .name = "patience", .label = N_("Patience"),
    .tooltip = N_("Epochs without improvement"), .subject = N_("ReduceLROnPlateau's patience"),
    .type = LL_FIT_TYPE_INT, .offset = FIELD (reduce_lr.patience), .min = 0, .max = INFINITY,
    .default_value = 10, .keras = "patience", .active = reduce_lr_active,
    .legacy_key = "rl_patience", .form_group = N_("Callbacks"), .digits = 0, .step = 1 },
  [LL_FIT_RL_MIN_DELTA] = {
    .group = "reduce_lr_on_plateau", .name = "min_delta", .label = N_("Min delta"),
    .tooltip = N_("Smallest change that counts"), .subject = N_("ReduceLROnPlateau's min_delta"),
    .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (reduce_lr.min_delta), .min = 0, .max = INFINITY,
    .default_value = 1e-4, .keras = "min_delta", .active = reduce_lr_active,
    .legacy_key = "rl_min_delta", .digits = 4, .step = 0.0001 },
  [LL_FIT_RL_MIN_LR] = {
    .group = "reduce_lr_on_plateau", .name = "min_lr", .label = N_("Min lr"),
    .tooltip = N_("Lower bound"), .subject = N_("ReduceLROnPlateau's min_lr"),
    .type = LL_FIT_TYPE_NUMBER, .offset = FIELD (reduce_lr.min_lr), .min = 0, .max = INFINITY,
    .default_value = 0, .keras = "min_lr", .active = reduce_lr_active, .legacy_key = "rl_min_lr",
    .form_group = N_("Callbacks"), .digits = 6, .step = 0.0001 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (fit_table) == LL_N_FIT_FIELDS);

const LlFitSpec *
ll_fit_spec (LlFitField field)
{
  g_return_val_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS, NULL);
  return &fit_table[field];
}

/* Fields are reached through their offset; memcpy keeps that free of
 * alignment and aliasing assumptions. */
double
ll_fit_get (const LlFitConfig *cfg,
            LlFitField         field)
{
  const LlFitSpec *spec;
  const char *p;

  g_return_val_if_fail (cfg != NULL, 0.0);
  g_return_val_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS, 0.0);

  spec = &fit_table[field];
  p = (const char *) cfg + spec->offset;
  switch (spec->type)
    {
    case LL_FIT_TYPE_INT:
    case LL_FIT_TYPE_CHOICE:
      {
        int v;
        G_STATIC_ASSERT (sizeof (LlLossKind) == sizeof (int) && sizeof (LlMonitor) == sizeof (int));
        memcpy (&v, p, sizeof v);
        return v;
      }
    case LL_FIT_TYPE_FLAG:
      {
        gboolean v;
        memcpy (&v, p, sizeof v);
        return v ? 1.0 : 0.0;
      }
    case LL_FIT_TYPE_NUMBER:
      {
        double v;
        memcpy (&v, p, sizeof v);
        return v;
      }
    case LL_FIT_TYPE_SEED:
      {
        guint64 v;
        memcpy (&v, p, sizeof v);
        return (double) v;
      }
    case LL_FIT_TYPE_PATH:
    default:
      return 0.0;
    }
}

void
ll_fit_set (LlFitConfig *cfg,
            LlFitField   field,
            double       value)
{
  const LlFitSpec *spec;
  char *p;

  g_return_if_fail (cfg != NULL);
  g_return_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS);

  spec = &fit_table[field];
  p = (char *) cfg + spec->offset;
  switch (spec->type)
    {
    case LL_FIT_TYPE_INT:
    case LL_FIT_TYPE_CHOICE:
      {
        int v = isfinite (value) && fabs (value) < G_MAXINT ? (int) value : 0;
        memcpy (p, &v, sizeof v);
      }
      break;
    case LL_FIT_TYPE_FLAG:
      {
        gboolean v = value != 0.0;
        memcpy (p, &v, sizeof v);
      }
      break;
    case LL_FIT_TYPE_NUMBER:
      memcpy (p, &value, sizeof value);
      break;
    case LL_FIT_TYPE_SEED:
      {
        guint64 v = value >= 0 && value < SEED_MAX ? (guint64) value : 0;
        memcpy (p, &v, sizeof v);
      }
      break;
    case LL_FIT_TYPE_PATH:
    default:
      g_return_if_reached ();
    }
}

gboolean
ll_fit_field_active (const LlFitConfig *cfg,
                     LlFitField         field)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS, FALSE);

  return fit_table[field].active == NULL || fit_table[field].active (cfg);
}

char *
ll_fit_range_text (LlFitField field)
{
  const LlFitSpec *spec;

  g_return_val_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS, NULL);

  spec = &fit_table[field];
  return ll_range_text (spec->min, spec->min_open, spec->max, spec->max_open);
}

void
ll_fit_form_range (LlFitField  field,
                   double     *lower,
                   double     *upper)
{
  const LlFitSpec *spec;

  g_return_if_fail ((int) field >= 0 && field < LL_N_FIT_FIELDS);

  spec = &fit_table[field];
  ll_range_form_bounds (spec->min, spec->min_open, spec->max, spec->max_open, spec->digits,
                        lower, upper);
}

static void
init_fields (LlFitConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    if (fit_table[f].type != LL_FIT_TYPE_PATH)
      ll_fit_set (cfg, (LlFitField) f, fit_table[f].default_value);
}

void
ll_fit_config_init (LlFitConfig *cfg)
{
  g_return_if_fail (cfg != NULL);

  init_fields (cfg);
  cfg->optim = ll_optim_config_default (LL_OPTIM_ADAM);
}

void
ll_fit_config_init_keras (LlFitConfig *cfg)
{
  g_return_if_fail (cfg != NULL);

  init_fields (cfg);
  /* keras.Model.compile (optimizer="rmsprop", …) */
  cfg->optim = ll_optim_config_default (LL_OPTIM_RMSPROP);
}

void
ll_fit_config_copy (LlFitConfig *dst, const LlFitConfig *src)
{
  g_return_if_fail (dst != NULL && src != NULL);

  if (dst == src)
    return;
  *dst = *src;
  dst->checkpoint.path = g_strdup (src->checkpoint.path);
}

void
ll_fit_config_clear (LlFitConfig *cfg)
{
  g_return_if_fail (cfg != NULL);

  g_clear_pointer (&cfg->checkpoint.path, g_free);
}

/* As Python prints a float, so that defaults read as Keras writes them. */
static void
format_value (char buf[G_ASCII_DTOSTR_BUF_SIZE], const LlFitSpec *spec, double v)
{
  if (spec->type == LL_FIT_TYPE_INT || spec->type == LL_FIT_TYPE_SEED)
    g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.0f", v);
  else if (isfinite (v) && v == floor (v) && fabs (v) < 1e16)
    g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.1f", v);
  else
    g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%g", v);
}

gboolean
ll_fit_config_validate (const LlFitConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const LlFitSpec *spec = &fit_table[f];
      double v;

      if (!ll_fit_field_active (cfg, (LlFitField) f))
        continue;
      v = ll_fit_get (cfg, (LlFitField) f);
      if (spec->type == LL_FIT_TYPE_CHOICE && !(v >= 0 && v <= spec->max))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s is unknown (%d)"), _(spec->subject), (int) v);
          return FALSE;
        }
      if (spec->type == LL_FIT_TYPE_INT || spec->type == LL_FIT_TYPE_NUMBER)
        {
          gboolean ok = (spec->min_open ? v > spec->min : v >= spec->min)
                        && (spec->max_open ? v < spec->max : v <= spec->max);
          if (!ok)
            {
              g_autofree char *range = ll_fit_range_text ((LlFitField) f);
              char got[G_ASCII_DTOSTR_BUF_SIZE], def[G_ASCII_DTOSTR_BUF_SIZE];

              format_value (got, spec, v);
              format_value (def, spec, spec->default_value);
              if (spec->keras != NULL && !spec->keras_required)
                g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s must be %s (got %s); Keras' default is %s"),
                             _(spec->subject), range, got, def);
              else
                g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s must be %s (got %s)"),
                             _(spec->subject), range, got);
              return FALSE;
            }
        }
    }
  if (cfg->checkpoint.enabled && (cfg->checkpoint.path == NULL || cfg->checkpoint.path[0] == '\0'))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("ModelCheckpoint is on but has no file name; choose where to save"));
      return FALSE;
    }
  return ll_optim_config_validate (&cfg->optim, error);
}

/* JSON ------------------------------------------------------------------------ */

/* Seeds above 2^53 are written as decimal strings: JSON readers commonly
 * keep numbers as doubles, which would change them. */
#define SEED_EXACT 9007199254740992.0

static void
add_field (JsonBuilder *b, const LlFitConfig *cfg, LlFitField f)
{
  const LlFitSpec *spec = &fit_table[f];
  double v = ll_fit_get (cfg, f);

  json_builder_set_member_name (b, spec->name);
  switch (spec->type)
    {
    case LL_FIT_TYPE_INT:
      json_builder_add_int_value (b, (gint64) v);
      break;
    case LL_FIT_TYPE_NUMBER:
      ll_json_builder_add_double (b, v);
      break;
    case LL_FIT_TYPE_FLAG:
      json_builder_add_boolean_value (b, v != 0.0);
      break;
    case LL_FIT_TYPE_CHOICE:
      json_builder_add_string_value (b, v >= 0 && v <= spec->max ? spec->choices[(int) v] : spec->choices[0]);
      break;
    case LL_FIT_TYPE_SEED:
      if (cfg->seed <= (guint64) SEED_EXACT)
        json_builder_add_int_value (b, (gint64) cfg->seed);
      else
        {
          g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, cfg->seed);
          json_builder_add_string_value (b, text);
        }
      break;
    case LL_FIT_TYPE_PATH:
      {
        const char *path = G_STRUCT_MEMBER (const char *, cfg, spec->offset);
        json_builder_add_string_value (b, path != NULL ? path : "");
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
add_optimizer (JsonBuilder *b, const LlOptimConfig *o)
{
  json_builder_set_member_name (b, "optimizer");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, ll_optim_names[o->kind]);
  /* Every hyperparameter, also those this optimizer does not use: a file
   * switched to another optimizer and back keeps them. */
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      json_builder_set_member_name (b, spec->name);
      if (spec->is_flag)
        json_builder_add_boolean_value (b, ll_hyper_get (o, (LlHyper) h) != 0.0);
      else
        ll_json_builder_add_double (b, ll_hyper_get (o, (LlHyper) h));
    }
  json_builder_end_object (b);
}

JsonNode *
ll_fit_config_to_json_node (const LlFitConfig *cfg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *open_group = NULL;

  g_return_val_if_fail (cfg != NULL, NULL);

  json_builder_begin_object (b);
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const char *group = fit_table[f].group;

      if (g_strcmp0 (group, open_group) != 0)
        {
          if (open_group != NULL)
            json_builder_end_object (b);
          else
            add_optimizer (b, &cfg->optim);   /* after the top-level members */
          json_builder_set_member_name (b, group);
          json_builder_begin_object (b);
          open_group = group;
        }
      add_field (b, cfg, (LlFitField) f);
    }
  if (open_group != NULL)
    json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ll_fit_config_to_json (const LlFitConfig *cfg)
{
  g_autoptr(JsonNode) root = ll_fit_config_to_json_node (cfg);

  return ll_json_to_string (root, LL_JSON_PRETTY);
}

/* Readers: an absent member or null keeps cfg's value; a wrong type fails. */

static JsonNode *
member (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n == NULL || JSON_NODE_HOLDS_NULL (n) ? NULL : n;
}

static gboolean
is_number (JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE (n) && (json_node_get_value_type (n) == G_TYPE_INT64
                                       || json_node_get_value_type (n) == G_TYPE_DOUBLE);
}

static gboolean
is_type (JsonNode *n, GType type)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == type;
}

static int
choice_index (const char *const *choices, const char *name)
{
  for (int i = 0; choices[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, choices[i]) == 0)
      return i;
  return -1;
}

static gboolean
read_seed (JsonNode *n, guint64 *seed)
{
  if (is_type (n, G_TYPE_STRING))
    {
      const char *s = json_node_get_string (n);
      guint64 v;
      if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &v, NULL))
        return FALSE;
      *seed = v;
      return TRUE;
    }
  if (is_number (n))
    {
      double d = json_node_get_double (n);
      if (json_node_get_value_type (n) == G_TYPE_INT64)
        {
          gint64 i = json_node_get_int (n);
          if (i < 0 || i > (gint64) SEED_EXACT)
            return FALSE;
          *seed = (guint64) i;
          return TRUE;
        }
      if (!(d >= 0 && d <= SEED_EXACT) || d != floor (d))
        return FALSE;
      *seed = (guint64) d;
      return TRUE;
    }
  return FALSE;
}

static gboolean
read_field (LlFitConfig *cfg, LlFitField f, JsonObject *o, GError **error)
{
  const LlFitSpec *spec = &fit_table[f];
  JsonNode *n = member (o, spec->name);
  const char *what = spec->group != NULL && strcmp (spec->name, "name") == 0 ? spec->group : spec->name;

  if (n == NULL)
    return TRUE;
  switch (spec->type)
    {
    case LL_FIT_TYPE_INT:
      {
        double v;
        if (!is_number (n))
          goto wrong_type;
        v = json_node_get_double (n);
        if (v != floor (v) || fabs (v) > G_MAXINT)
          {
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a whole number"), spec->name);
            return FALSE;
          }
        ll_fit_set (cfg, f, v);
      }
      return TRUE;
    case LL_FIT_TYPE_NUMBER:
      if (!is_number (n))
        goto wrong_type;
      ll_fit_set (cfg, f, json_node_get_double (n));
      return TRUE;
    case LL_FIT_TYPE_FLAG:
      if (!is_type (n, G_TYPE_BOOLEAN))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be true or false"), spec->name);
          return FALSE;
        }
      ll_fit_set (cfg, f, json_node_get_boolean (n));
      return TRUE;
    case LL_FIT_TYPE_CHOICE:
      {
        int i;
        if (!is_type (n, G_TYPE_STRING))
          {
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a string"), what);
            return FALSE;
          }
        i = choice_index (spec->choices, json_node_get_string (n));
        if (i < 0)
          {
            g_autofree char *names = g_strjoinv (", ", (char **) spec->choices);
            g_autofree char *shown = ll_shown (json_node_get_string (n));
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Unknown %s “%s”; Layerlab knows %s"),
                         what, shown, names);
            return FALSE;
          }
        ll_fit_set (cfg, f, i);
      }
      return TRUE;
    case LL_FIT_TYPE_SEED:
      if (!read_seed (n, &cfg->seed))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("“seed” must be a whole number from 0 to 2^53 (or a decimal string up to 2^64)"));
          return FALSE;
        }
      return TRUE;
    case LL_FIT_TYPE_PATH:
      {
        char **path = &G_STRUCT_MEMBER (char *, cfg, spec->offset);
        if (!is_type (n, G_TYPE_STRING))
          {
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a string"), spec->name);
            return FALSE;
          }
        g_free (*path);
        *path = json_node_get_string (n)[0] != '\0' ? g_strdup (json_node_get_string (n)) : NULL;
      }
      return TRUE;
    default:
      g_assert_not_reached ();
    }

wrong_type:
  g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a number"), spec->name);
  return FALSE;
}

static gboolean
read_optimizer (LlOptimConfig *o, JsonObject *opt, GError **error)
{
  JsonNode *n = member (opt, "name");

  if (n != NULL)
    {
      LlOptimKind kind;
      if (!is_type (n, G_TYPE_STRING))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“optimizer” must name the optimizer"));
          return FALSE;
        }
      if (!ll_optim_kind_from_name (json_node_get_string (n), &kind))
        {
          g_autofree char *names = ll_optim_names_text ();
          g_autofree char *shown = ll_shown (json_node_get_string (n));
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Unknown optimizer “%s”; Layerlab knows %s"),
                       shown, names);
          return FALSE;
        }
      /* Another optimizer: its Keras defaults first, then the members present. */
      if (kind != o->kind)
        *o = ll_optim_config_default (kind);
    }
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      JsonNode *v = member (opt, spec->name);

      if (v == NULL)
        continue;
      if (spec->is_flag ? !is_type (v, G_TYPE_BOOLEAN) : !is_number (v))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be %s"), spec->name,
                       spec->is_flag ? _("true or false") : _("a number"));
          return FALSE;
        }
      ll_hyper_set (o, (LlHyper) h, spec->is_flag ? json_node_get_boolean (v) : json_node_get_double (v));
    }
  return TRUE;
}

static JsonObject *
object_member (JsonObject *o, const char *name, GError **error)
{
  JsonNode *n = member (o, name);

  if (n == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be an object"), name);
      return NULL;
    }
  return json_node_get_object (n);
}

gboolean
ll_fit_config_from_json_node (LlFitConfig *cfg, JsonNode *node, GError **error)
{
  JsonObject *root;
  LlFitConfig c;
  gboolean ok = TRUE;

  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The training settings must be a JSON object"));
      return FALSE;
    }
  root = json_node_get_object (node);
  /* On a copy, so that a failure changes nothing. */
  ll_fit_config_copy (&c, cfg);
  for (int f = 0; f < LL_N_FIT_FIELDS && ok; f++)
    {
      const char *group = fit_table[f].group;
      JsonObject *o = root;
      GError *local = NULL;

      if (group != NULL)
        {
          o = object_member (root, group, &local);
          if (local != NULL)
            {
              g_propagate_error (error, local);
              ok = FALSE;
              break;
            }
        }
      ok = read_field (&c, (LlFitField) f, o, error);
    }
  if (ok)
    {
      GError *local = NULL;
      JsonObject *opt = object_member (root, "optimizer", &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          ok = FALSE;
        }
      else
        ok = read_optimizer (&c.optim, opt, error);
    }
  if (!ok)
    {
      ll_fit_config_clear (&c);
      return FALSE;
    }
  ll_fit_config_clear (cfg);
  *cfg = c;
  return TRUE;
}

gboolean
ll_fit_config_from_json (LlFitConfig *cfg, const char *json, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (cfg != NULL && json != NULL, FALSE);

  root = ll_json_parse (json, -1, 0, &local);
  if (root == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The training settings are %s"), local->message);
      return FALSE;
    }
  return ll_fit_config_from_json_node (cfg, root, error);
}

/* runs.json version 1 ----------------------------------------------------------- */

static gboolean
legacy_number (JsonObject *o, const char *name, double *out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  if (json_node_get_value_type (n) != G_TYPE_INT64 && json_node_get_value_type (n) != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (n);
  return isfinite (*out);
}

void
ll_fit_config_from_legacy_json (LlFitConfig *cfg, JsonObject *flat)
{
  double v;

  g_return_if_fail (cfg != NULL && flat != NULL);

  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const LlFitSpec *spec = &fit_table[f];
      JsonNode *n;

      if (spec->legacy_key == NULL || (n = json_object_get_member (flat, spec->legacy_key)) == NULL)
        continue;
      switch (spec->type)
        {
        case LL_FIT_TYPE_FLAG:
          if (is_type (n, G_TYPE_BOOLEAN))
            ll_fit_set (cfg, (LlFitField) f, json_node_get_boolean (n));
          break;
        case LL_FIT_TYPE_SEED:
          /* Version 1 wrote the seed as a string. */
          if (is_type (n, G_TYPE_STRING))
            cfg->seed = g_ascii_strtoull (json_node_get_string (n), NULL, 10);
          break;
        case LL_FIT_TYPE_CHOICE:
          /* An enum number of version 1: its name then, looked up now. */
          if (legacy_number (flat, spec->legacy_key, &v) && v == floor (v) && v >= 0
              && v < g_strv_length ((char **) spec->legacy_choices))
            {
              int i = choice_index (spec->choices, spec->legacy_choices[(int) v]);
              if (i >= 0)
                ll_fit_set (cfg, (LlFitField) f, i);
            }
          break;
        case LL_FIT_TYPE_INT:
          if (legacy_number (flat, spec->legacy_key, &v) && v == floor (v)
              && v >= spec->min && v <= spec->max)
            ll_fit_set (cfg, (LlFitField) f, v);
          break;
        case LL_FIT_TYPE_NUMBER:
          if (legacy_number (flat, spec->legacy_key, &v))
            ll_fit_set (cfg, (LlFitField) f, v);
          break;
        case LL_FIT_TYPE_PATH:
        default:
          break;
        }
    }
  if (legacy_number (flat, "optimizer", &v) && v == floor (v) && v >= 0
      && v < G_N_ELEMENTS (legacy_optimizers) - 1)
    ll_optim_kind_from_name (legacy_optimizers[(int) v], &cfg->optim.kind);
  /* The hyperparameters were flat members under their own names. */
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      JsonNode *n = json_object_get_member (flat, spec->name);

      if (n == NULL)
        continue;
      if (spec->is_flag && is_type (n, G_TYPE_BOOLEAN))
        ll_hyper_set (&cfg->optim, (LlHyper) h, json_node_get_boolean (n));
      else if (!spec->is_flag && legacy_number (flat, spec->name, &v))
        ll_hyper_set (&cfg->optim, (LlHyper) h, v);
    }
}
