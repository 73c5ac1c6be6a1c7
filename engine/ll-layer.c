/* ll-layer.c: the layer-type registry, parameter access and the activation op. */
#include "ll-layer.h"
#include "ll-parallel.h"

#include <math.h>
#include <glib/gi18n-lib.h>

const char *const ll_regularizer_names[] = { "none", "l1", "l2", "l1_l2", NULL };

static const LlLayerType *const layer_types[] = {
  &ll_layer_input,
  &ll_layer_dense,
  &ll_layer_conv2d,
  &ll_layer_max_pooling2d,
  &ll_layer_average_pooling2d,
  &ll_layer_global_average_pooling2d,
  &ll_layer_global_max_pooling2d,
  &ll_layer_batch_normalization,
  &ll_layer_dropout,
  &ll_layer_activation,
  &ll_layer_flatten,
  &ll_layer_reshape,
};

const LlLayerType *const *
ll_layer_types (int *n_types)
{
  if (n_types != NULL)
    *n_types = G_N_ELEMENTS (layer_types);
  return layer_types;
}

const LlLayerType *
ll_layer_type_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (layer_types); i++)
    if (g_ascii_strcasecmp (layer_types[i]->name, name) == 0)
      return layer_types[i];
  /* Keras 3 names the input layer "InputLayer" in saved configs. */
  if (g_ascii_strcasecmp (name, "InputLayer") == 0)
    return &ll_layer_input;
  return NULL;
}

const char *
ll_backend_name (LlBackend backend)
{
  static const char *const names[] = { "Keras", "PyTorch", "C", "ONNX" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == LL_N_BACKENDS);
  g_return_val_if_fail ((int) backend >= 0 && backend < LL_N_BACKENDS, "?");
  return names[backend];
}

gboolean
ll_layer_type_check_backend (const LlLayerType *type, LlBackend backend, GError **error)
{
  const LlBackendSupport *row;

  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail ((int) backend >= 0 && backend < LL_N_BACKENDS, FALSE);

  row = &type->backends[backend];
  if (row->supported)
    return TRUE;
  if (row->declined != NULL)
    g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("The %s export does not support %s layers: %s"),
                 ll_backend_name (backend), type->name, row->declined);
  else
    g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                 _("The %s export does not know %s layers yet; remove the layer or export to "
                 "another format"), ll_backend_name (backend), type->name);
  return FALSE;
}

void
ll_layer_spec_init (LlLayerSpec *spec, const LlLayerType *type)
{
  memset (spec, 0, sizeof *spec);
  spec->type = type;
  for (int i = 0; i < type->n_params && i < LL_MAX_LAYER_PARAMS; i++)
    spec->v[i] = type->params[i].default_value;
}

int
ll_layer_param_index (const LlLayerType *type, const char *name)
{
  for (int i = 0; i < type->n_params; i++)
    if (strcmp (type->params[i].name, name) == 0)
      return i;
  return -1;
}

double
ll_layer_spec_get (const LlLayerSpec *spec, const char *name, double fallback)
{
  int i = ll_layer_param_index (spec->type, name);
  return i < 0 ? fallback : spec->v[i];
}

gboolean
ll_layer_spec_param_applies (const LlLayerSpec *spec, int param)
{
  const char *name;
  int kind;

  g_return_val_if_fail (spec != NULL && param >= 0 && param < spec->type->n_params, FALSE);

  name = spec->type->params[param].name;
  /* The factors of kernel_regularizer none / l1 / l2 / l1_l2. */
  if (strcmp (name, "l1") != 0 && strcmp (name, "l2") != 0)
    return TRUE;
  if (ll_layer_param_index (spec->type, "kernel_regularizer") < 0)
    return TRUE;
  kind = (int) ll_layer_spec_get (spec, "kernel_regularizer", 0);
  return strcmp (name, "l1") == 0 ? (kind == 1 || kind == 3) : (kind == 2 || kind == 3);
}

void
ll_param_spin_format (const LlParamSpec *p, int *digits, double *step)
{
  double range = p->max - p->min, d, st;
  int dg = 0;

  if (p->type != LL_PARAM_FLOAT)
    {
      *digits = 0;
      *step = 1;
      return;
    }
  /* Enough digits for the default and the smallest sensible step. */
  d = p->default_value != 0 ? fabs (p->default_value) : p->max;
  dg = 2;
  while (dg < 7 && d != 0 && d * pow (10, dg) < 10)
    dg++;
  /* The step: a unit of the last digit but one, smaller while it is more
   * than a fifth of the range: 0.1, 0.05, 0.02, 0.01, … */
  st = pow (10, -(dg - 1));
  for (int k = 0; k < 12 && range > 0 && st > range / 5; k++)
    {
      double mag = pow (10, floor (log10 (st) + 1e-9)), m = st / mag;
      st = (m > 4.5 ? 2 : m > 1.5 ? 1 : 0.5) * mag;
    }
  /* The step must show in the digits. */
  while (dg < 7 && fabs (st * pow (10, dg) - round (st * pow (10, dg))) > 1e-6)
    dg++;
  *digits = dg;
  *step = st;
}

double
ll_param_spin_round (const LlParamSpec *p, double v)
{
  int digits;
  double step, scale;

  ll_param_spin_format (p, &digits, &step);
  scale = pow (10, digits);
  v = round (v * scale) / scale;
  return CLAMP (v, p->min, p->max);
}

double
ll_param_spin_step (const LlParamSpec *p, double from, int direction)
{
  int digits;
  double step, k, v;

  ll_param_spin_format (p, &digits, &step);
  k = from / step;
  /* From a multiple, one step; from between two, the next one. */
  if (direction > 0)
    v = (floor (k + 1e-6) + 1) * step;
  else
    v = (ceil (k - 1e-6) - 1) * step;
  return ll_param_spin_round (p, v);
}

static int
n_choices (const char *const *choices)
{
  int n = 0;
  while (choices != NULL && choices[n] != NULL)
    n++;
  return n;
}

gboolean
ll_layer_spec_set (LlLayerSpec *spec, const char *name, double value, GError **error)
{
  int i = ll_layer_param_index (spec->type, name);
  const LlParamSpec *p;

  if (i < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%s has no parameter “%s”"), spec->type->name, name);
      return FALSE;
    }
  p = &spec->type->params[i];
  if (!isfinite (value))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%s: %s must be a finite number"), spec->type->name, p->label);
      return FALSE;
    }
  switch (p->type)
    {
    case LL_PARAM_INT:
      if (value != floor (value))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("%s: %s must be a whole number (got %g)"), spec->type->name, p->label, value);
          return FALSE;
        }
      G_GNUC_FALLTHROUGH;
    case LL_PARAM_FLOAT:
      if (value < p->min || value > p->max)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("%s: %s must be between %g and %g (got %g)"),
                       spec->type->name, _(p->label), p->min, p->max, value);
          return FALSE;
        }
      break;
    case LL_PARAM_BOOL:
      value = value != 0.0;
      break;
    case LL_PARAM_CHOICE:
      if (value < 0 || value >= n_choices (p->choices) || value != floor (value))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("%s: invalid choice %g for %s"), spec->type->name, value, p->label);
          return FALSE;
        }
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  spec->v[i] = value;
  return TRUE;
}

const char *
ll_layer_spec_get_choice (const LlLayerSpec *spec, const char *name)
{
  int i = ll_layer_param_index (spec->type, name);
  const LlParamSpec *p;
  if (i < 0)
    return NULL;
  p = &spec->type->params[i];
  if (p->type != LL_PARAM_CHOICE)
    return NULL;
  return p->choices[(int) spec->v[i]];
}

gboolean
ll_layer_spec_set_choice (LlLayerSpec *spec, const char *name, const char *choice,
                          GError **error)
{
  int i = ll_layer_param_index (spec->type, name);
  const LlParamSpec *p;

  if (i < 0 || spec->type->params[i].type != LL_PARAM_CHOICE)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%s has no choice parameter “%s”"), spec->type->name, name);
      return FALSE;
    }
  p = &spec->type->params[i];
  for (int c = 0; p->choices[c] != NULL; c++)
    if (g_ascii_strcasecmp (p->choices[c], choice) == 0)
      {
        spec->v[i] = c;
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) p->choices);
    g_autofree char *shown = ll_shown (choice);
    g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                 _("%s: “%s” is not a valid %s; choose one of %s"),
                 spec->type->name, shown, _(p->label), list);
  }
  return FALSE;
}

LlActivation
ll_layer_spec_activation (const LlLayerSpec *spec)
{
  return (LlActivation) (int) ll_layer_spec_get (spec, "activation", LL_ACT_LINEAR);
}

/* The activation op. */

typedef struct {
  LlOp parent;
  LlActivation act;
} ActivationOp;

/* Rows of the activation: softmax runs over the last axis, as Keras' does,
 * so on an image it normalises each pixel's channels. */
static void
activation_rows (const LlOp *op, int batch, int *rows, int *n)
{
  int last = op->out.d[op->out.rank - 1];
  gsize size = ll_shape_size (&op->out);
  *n = (int) size;
  *rows = batch;
  if (op->out.rank > 1)
    {
      *n = last;
      *rows = batch * (int) (size / (gsize) last);
    }
}

/* Every activation works row by row: large passes are split into row
 * ranges over the engine's threads (the same values whatever the split). */
typedef struct {
  LlActivation act;
  int rows, n;
  const float *x, *y, *dy;
  float *out;
  gboolean backward;
} ActivationJob;

#define ACTIVATION_PARALLEL_MIN (64 * 1024)

static void
activation_task (int i, int n_tasks, gpointer data)
{
  const ActivationJob *job = data;
  int r0 = (int) ((gint64) job->rows * i / n_tasks), r1 = (int) ((gint64) job->rows * (i + 1) / n_tasks);
  gsize off = (gsize) r0 * job->n;

  if (job->backward)
    ll_activation_backward (job->act, r1 - r0, job->n, job->y + off, job->dy + off, job->out + off);
  else
    ll_activation_forward (job->act, r1 - r0, job->n, job->x + off, job->out + off);
}

static void
activation_run (ActivationJob *job)
{
  int tasks = (gsize) job->rows * job->n >= ACTIVATION_PARALLEL_MIN
              ? MIN (ll_parallel_threads (), job->rows) : 1;

  if (tasks > 1)
    ll_parallel_run (tasks, activation_task, job);
  else
    activation_task (0, 1, job);
}

static void
activation_forward (LlOp *op, const LlContext *ctx, int batch, const float *x, float *y)
{
  ActivationOp *self = (ActivationOp *) op;
  ActivationJob job = { self->act, 0, 0, x, NULL, NULL, y, FALSE };
  activation_rows (op, batch, &job.rows, &job.n);
  activation_run (&job);
}

static void
activation_backward (LlOp *op, const LlContext *ctx, int batch,
                     const float *x, const float *y, const float *dy, float *dx)
{
  ActivationOp *self = (ActivationOp *) op;
  ActivationJob job = { self->act, 0, 0, NULL, y, dy, dx, TRUE };
  activation_rows (op, batch, &job.rows, &job.n);
  if (dx != NULL)
    activation_run (&job);
}

static const LlOpClass activation_op_class = {
  .name = "activation",
  .forward = activation_forward,
  .backward = activation_backward,
  .per_sample = TRUE,
};

LlOp *
ll_activation_op_new (LlActivation act, const LlShape *shape)
{
  ActivationOp *self = g_new0 (ActivationOp, 1);
  self->parent.klass = &activation_op_class;
  self->parent.in = *shape;
  self->parent.out = *shape;
  self->act = act;
  return &self->parent;
}

gboolean
ll_op_is_activation (const LlOp *op, LlActivation *act)
{
  if (op->klass != &activation_op_class)
    return FALSE;
  if (act != NULL)
    *act = ((const ActivationOp *) op)->act;
  return TRUE;
}
