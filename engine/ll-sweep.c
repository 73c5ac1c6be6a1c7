/* ll-sweep.c: the runs of a sweep over one setting (see ll-sweep.h).
 *
 * The training settings a sweep can vary are read in one place,
 * set_fit_value (), by their plain names; the architecture keys change
 * every layer of the types they name, on a copy of the stack. */
#include "ll-sweep.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

static const char *const keys[] = {
  "batch_size", "learning_rate", "optimizer", "shuffle", "schedule", "early_stopping",
  "dropout", "kernel_size", "kernel_initializer", "kernel_regularizer", "batch_norm", "flatten",
  NULL
};

/* What a key needs that the model may lack, and what to do about it. */
static const struct {
  const char *key;
  const char *missing;
} arch_keys[] = {
  { "dropout", N_("This model has no Dropout layer to sweep over: add one in the Model view") },
  { "kernel_size", N_("This model has no Conv2D layer to sweep over: add one in the Model view, "
                   "or pick the MNIST CNN preset") },
  { "kernel_initializer", N_("This model has no Dense or Conv2D layer to sweep over") },
  { "kernel_regularizer", N_("This model has no Dense layer to regularize") },
  { "batch_norm", N_("This model has no BatchNormalization layer to switch off: add one after a "
                  "Conv2D in the Model view, or pick a CIFAR-10 CNN preset") },
  { "flatten", N_("This model has neither Flatten nor GlobalAveragePooling2D after its "
               "convolutions: pick the MNIST CNN or a CIFAR-10 CNN preset") },
};

void
ll_sweep_run_free (LlSweepRun *run)
{
  if (run == NULL)
    return;
  g_free (run->value);
  g_free (run->label);
  g_clear_pointer (&run->arch, ll_arch_free);
  ll_fit_config_clear (&run->config);
  g_free (run);
}

const char *const *
ll_sweep_keys (void)
{
  return keys;
}

gboolean
ll_sweep_parse (const char *text, char **key, char ***values, GError **error)
{
  const char *eq;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (text != NULL && key != NULL && values != NULL, FALSE);
  eq = strchr (text, '=');
  if (eq == NULL || eq == text)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("A sweep is KEY=V1,V2,… (for example batch_size=32,128): “%s” has no %s"),
                   text, eq == NULL ? "“=”" : "key");
      return FALSE;
    }
  parts = g_strsplit (eq + 1, ",", -1);
  for (int i = 0; parts[i] != NULL; i++)
    {
      char *v = g_strstrip (parts[i]);
      if (*v != '\0')
        g_ptr_array_add (kept, g_strdup (v));
    }
  if (kept->len == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The sweep “%s” has no values: give them after “=”, separated by commas"), text);
      return FALSE;
    }
  g_ptr_array_add (kept, NULL);
  *key = g_strstrip (g_strndup (text, eq - text));
  *values = (char **) g_ptr_array_steal (kept, NULL);
  return TRUE;
}

static gboolean
parse_number (const char *key, const char *value, double *out, GError **error)
{
  char *end = NULL;

  errno = 0;
  *out = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || errno != 0 || !isfinite (*out))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s: “%s” is not a number"), key, value);
      return FALSE;
    }
  return TRUE;
}

/* on / off and their usual spellings; -1 for anything else. */
static int
parse_switch (const char *value)
{
  static const char *const on[] = { "on", "true", "yes", "1" }, *const off[] = { "off", "false", "no", "0", "none" };

  for (gsize i = 0; i < G_N_ELEMENTS (on); i++)
    if (g_ascii_strcasecmp (value, on[i]) == 0)
      return 1;
  for (gsize i = 0; i < G_N_ELEMENTS (off); i++)
    if (g_ascii_strcasecmp (value, off[i]) == 0)
      return 0;
  return -1;
}

/* Runs that watch val_loss need validation data. */
static void
ensure_validation (LlFitConfig *config)
{
  if (config->validation_split <= 0)
    config->validation_split = 0.2;
}

/* The training settings by plain name: the one place a sweep reads them
 * (key is one of the training keys of ll_sweep_keys).  FALSE with an error
 * for a value it cannot take; *label describes the run. */
static gboolean
set_fit_value (LlFitConfig *c, const char *key, const char *value, char **label, GError **error)
{
  double x;
  int on;

  if (g_str_equal (key, "batch_size"))
    {
      if (!parse_number (key, value, &x, error))
        return FALSE;
      if (x < 1 || x != floor (x) || x > G_MAXINT)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("batch_size: %s is not a whole number of images (1 or more)"), value);
          return FALSE;
        }
      c->batch_size = (int) x;
      *label = g_strdup_printf ("batch %d", c->batch_size);
      return TRUE;
    }
  if (g_str_equal (key, "learning_rate"))
    {
      if (!parse_number (key, value, &x, error))
        return FALSE;
      if (!(x > 0))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("learning_rate: %s is not above 0"), value);
          return FALSE;
        }
      c->optim.learning_rate = x;
      *label = g_strdup_printf ("lr %g", x);
      return TRUE;
    }
  if (g_str_equal (key, "optimizer"))
    {
      LlOptimKind kind;

      if (!ll_optim_kind_from_name (value, &kind))
        {
          g_autofree char *names = g_strjoinv (", ", (char **) ll_optim_names);
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("optimizer: unknown optimizer “%s”; choose %s"), value, names);
          return FALSE;
        }
      c->optim = ll_optim_config_default (kind);
      *label = g_strdup (ll_optim_names[kind]);
      return TRUE;
    }
  if (g_str_equal (key, "shuffle"))
    {
      if ((on = parse_switch (value)) < 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("shuffle: “%s” is neither on nor off"), value);
          return FALSE;
        }
      c->shuffle = on;
      *label = g_strdup (on ? _("shuffle on") : _("shuffle off"));
      return TRUE;
    }
  if (g_str_equal (key, "schedule"))
    {
      /* Each schedule alone: the base's own schedule and plateau
       * reductions would blur the comparison. */
      c->schedule.kind = LL_SCHEDULE_CONSTANT;
      c->reduce_lr.enabled = FALSE;
      if (g_ascii_strcasecmp (value, "constant") == 0)
        *label = g_strdup (_("constant lr"));
      else if (g_ascii_strcasecmp (value, "step") == 0)
        {
          c->schedule.kind = LL_SCHEDULE_STEP;
          c->schedule.factor = 0.5;
          c->schedule.step_epochs = 2;
          *label = g_strdup (_("lr ×0.5 every 2 epochs"));
        }
      else if (g_ascii_strcasecmp (value, "exponential") == 0)
        {
          c->schedule.kind = LL_SCHEDULE_EXPONENTIAL;
          c->schedule.factor = 0.95;
          *label = g_strdup (_("lr ×0.95 per epoch"));
        }
      else if (g_ascii_strcasecmp (value, "cosine") == 0)
        {
          c->schedule.kind = LL_SCHEDULE_COSINE;
          c->schedule.alpha = 0;
          *label = g_strdup (_("cosine decay"));
        }
      else if (g_ascii_strcasecmp (value, "reduce_lr_on_plateau") == 0
               || g_ascii_strcasecmp (value, "ReduceLROnPlateau") == 0)
        {
          ensure_validation (c);
          c->reduce_lr.enabled = TRUE;
          c->reduce_lr.monitor = LL_MONITOR_VAL_LOSS;
          c->reduce_lr.factor = 0.2;
          c->reduce_lr.patience = 1;
          *label = g_strdup (_("ReduceLROnPlateau ×0.2, patience 1"));
        }
      else
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("schedule: unknown schedule “%s”; choose constant, step, exponential, "
                       "cosine or reduce_lr_on_plateau"), value);
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (key, "early_stopping"))
    {
      int patience = 2;

      on = parse_switch (value);
      if (on < 0 || g_str_equal (value, "0") || g_str_equal (value, "1"))
        {
          char *end = NULL;
          gint64 p = g_ascii_strtoll (value, &end, 10);

          if (end == value || *end != '\0' || p < 0 || p > 1000)
            {
              g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                           _("early_stopping: “%s” is neither off, on nor a patience (0 to 1000 "
                           "epochs)"), value);
              return FALSE;
            }
          on = 1;
          patience = (int) p;
        }
      c->early_stopping.enabled = on;
      if (on)
        {
          ensure_validation (c);
          c->early_stopping.monitor = LL_MONITOR_VAL_LOSS;
          c->early_stopping.patience = patience;
          c->early_stopping.restore_best_weights = TRUE;
          *label = g_strdup_printf (_("EarlyStopping patience %d"), patience);
        }
      else
        *label = g_strdup (_("no early stopping"));
      return TRUE;
    }
  g_assert_not_reached ();
}

/* Sets a parameter on every layer of the types given; FALSE when none has it. */
static gboolean
set_all (LlArch *arch, const LlLayerType *a, const LlLayerType *b, const char *param,
         double value, const char *choice, gboolean *any, GError **error)
{
  *any = FALSE;
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      LlLayerSpec *spec = ll_arch_layer (arch, i);

      if (spec->type != a && spec->type != b)
        continue;
      *any = TRUE;
      if (choice != NULL ? !ll_layer_spec_set_choice (spec, param, choice, error)
                         : !ll_layer_spec_set (spec, param, value, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_type (const LlArch *arch, const LlLayerType *type)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == type)
      return TRUE;
  return FALSE;
}

/* Puts `to` where the first Flatten or GlobalAveragePooling2D is; FALSE when there is neither. */
static gboolean
swap_flatten (LlArch *arch, const LlLayerType *to)
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

/* The architecture keys.  *found is FALSE when the model lacks the layers
 * the key changes. */
static gboolean
set_arch_value (LlArch *arch, const char *key, const char *value, char **label,
                gboolean *found, GError **error)
{
  double x = 0;

  if (g_str_equal (key, "dropout") || g_str_equal (key, "kernel_size"))
    {
      gboolean dropout = g_str_equal (key, "dropout");

      if (!parse_number (key, value, &x, error))
        return FALSE;
      if (!set_all (arch, dropout ? &ll_layer_dropout : &ll_layer_conv2d, NULL,
                    dropout ? "rate" : "kernel_size", x, NULL, found, error))
        return FALSE;
      *label = dropout ? g_strdup_printf ("dropout %g", x) : g_strdup_printf (_("kernel %g×%g"), x, x);
      return TRUE;
    }
  if (g_str_equal (key, "kernel_initializer"))
    {
      if (!set_all (arch, &ll_layer_dense, &ll_layer_conv2d, key, 0, value, found, error))
        return FALSE;
      *label = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (key, "kernel_regularizer"))
    {
      if (!set_all (arch, &ll_layer_dense, NULL, key, 0, value, found, error))
        return FALSE;
      *label = g_strdup_printf ("%s %s", value, g_ascii_strcasecmp (value, "none") == 0
                                                ? "regularizer" : "(0.01)");
      return TRUE;
    }
  if (g_str_equal (key, "batch_norm"))
    {
      int on = parse_switch (value);

      if (on < 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("batch_norm: “%s” is neither on nor off"), value);
          return FALSE;
        }
      /* "On" is the model as it is, so it must have some. */
      *found = has_type (arch, &ll_layer_batch_normalization);
      for (int i = ll_arch_n_layers (arch); !on && i-- > 0;)
        if (ll_arch_layer (arch, i)->type == &ll_layer_batch_normalization)
          ll_arch_remove (arch, i);
      *label = g_strdup (on ? _("batch norm on") : _("batch norm off"));
      return TRUE;
    }
  if (g_str_equal (key, "flatten"))
    {
      const LlLayerType *to = g_ascii_strcasecmp (value, "Flatten") == 0 ? &ll_layer_flatten
                            : g_ascii_strcasecmp (value, "GlobalAveragePooling2D") == 0
                            ? &ll_layer_global_average_pooling2d : NULL;

      if (to == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("flatten: “%s” is neither Flatten nor GlobalAveragePooling2D"), value);
          return FALSE;
        }
      *found = swap_flatten (arch, to);
      *label = g_strdup (to->name);
      return TRUE;
    }
  g_assert_not_reached ();
}

GPtrArray *
ll_sweep_build (const LlArch *base_arch, const LlFitConfig *base_config, const char *key,
                const char *const *values, GError **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) ll_sweep_run_free);
  const char *missing = NULL;

  g_return_val_if_fail (base_arch != NULL && base_config != NULL, NULL);
  g_return_val_if_fail (key != NULL && values != NULL, NULL);

  if (!g_strv_contains (keys, key))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) keys);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("Unknown sweep key “%s”; choose one of %s"), key, known);
      return NULL;
    }
  if (values[0] == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("The sweep over %s has no values"), key);
      return NULL;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (arch_keys); i++)
    if (g_str_equal (arch_keys[i].key, key))
      missing = arch_keys[i].missing;

  for (int i = 0; values[i] != NULL; i++)
    {
      LlSweepRun *run = g_new0 (LlSweepRun, 1);
      gboolean found = TRUE;
      int bad = -1;
      g_autoptr(GError) local = NULL;

      g_ptr_array_add (runs, run);
      run->value = g_strdup (values[i]);
      run->arch = ll_arch_copy (base_arch);
      ll_fit_config_copy (&run->config, base_config);
      if (missing == NULL ? !set_fit_value (&run->config, key, values[i], &run->label, error)
                          : !set_arch_value (run->arch, key, values[i], &run->label, &found, error))
        return NULL;
      if (!found)
        {
          g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID, _(missing));
          return NULL;
        }
      if (!ll_arch_validate (run->arch, &bad, &local))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("With %s the model does not build (layer %d): %s"), run->label, bad,
                       local->message);
          return NULL;
        }
    }
  /* One run that watches val_loss holds out validation data: all do, so
   * that every run trains on the same images. */
  for (guint i = 0; i < runs->len; i++)
    {
      double split = ((LlSweepRun *) g_ptr_array_index (runs, i))->config.validation_split;

      for (guint j = 0; j < runs->len && split != base_config->validation_split; j++)
        ((LlSweepRun *) g_ptr_array_index (runs, j))->config.validation_split = split;
    }
  return g_steal_pointer (&runs);
}
