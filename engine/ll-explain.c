/* ll-explain.c: the arithmetic of one unit of one layer, read from the
 * model's last forward (see ll-explain.h).
 *
 * Every input, weight, statistic and mask comes from the engine's own
 * buffers; the window comes from ll_layer_spec_window, the function the
 * Conv2D and pooling ops are built with.  What is computed here is only
 * the unit's own sum (in double) and its activation through the engine's
 * activation function, kept beside the engine's values to compare. */
#include "ll-explain.h"
#include "ll-json.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

static const char *const kind_names[] = {
  "input", "copy", "conv2d", "max_pooling2d", "average_pooling2d",
  "global_max_pooling2d", "global_average_pooling2d", "dense",
  "batch_normalization", "dropout", "activation",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == LL_EXPLAIN_ACTIVATION + 1);

const char *
ll_explain_kind_name (LlExplainKind kind)
{
  g_return_val_if_fail (kind <= LL_EXPLAIN_ACTIVATION, NULL);
  return kind_names[kind];
}

static void
softmax_free (LlExplainSoftmax *s)
{
  if (s == NULL)
    return;
  g_free (s->logits);
  g_free (s->exps);
  g_free (s->shares);
  g_free (s);
}

void
ll_explanation_free (LlExplanation *e)
{
  if (e == NULL)
    return;
  g_free (e->layer_name);
  g_free (e->param_formula);
  g_free (e->inputs);
  g_free (e->input_index);
  g_free (e->weights);
  g_free (e->products);
  g_free (e->order);
  softmax_free (e->softmax);
  g_free (e);
}

/* The weight called `name` of a layer, or NULL. */
static const float *
find_weight (const LlWeightView *views, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (views[i].info->name, name) == 0)
      return views[i].data;
  return NULL;
}

static void
alloc_terms (LlExplanation *e, int n, gboolean with_weights)
{
  e->n_terms = n;
  e->inputs = g_new0 (float, n);
  e->input_index = g_new (gint32, n);
  if (with_weights)
    {
      e->weights = g_new0 (float, n);
      e->products = g_new0 (double, n);
    }
}

/* Σ inputs · weights in double, in term order. */
static void
multiply_terms (LlExplanation *e)
{
  e->sum = 0.0;
  for (int i = 0; i < e->n_terms; i++)
    {
      e->products[i] = (double) e->inputs[i] * (double) e->weights[i];
      e->sum += e->products[i];
    }
}

/* The softmax of the group (the last axis) the unit belongs to, from the
 * engine's values before the activation. */
static LlExplainSoftmax *
softmax_new (const float *pre, const LlShape *shape, gsize out_index)
{
  LlExplainSoftmax *s = g_new0 (LlExplainSoftmax, 1);
  int n = shape->d[shape->rank - 1];
  gsize first = out_index - out_index % (gsize) n;
  double max = -INFINITY, min = INFINITY;

  s->n = n;
  s->index = (int) (out_index % (gsize) n);
  s->logits = g_memdup2 (pre + first, (gsize) n * sizeof (float));
  s->exps = g_new (double, n);
  s->shares = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      max = MAX (max, s->logits[i]);
      min = MIN (min, s->logits[i]);
    }
  /* exp of the logits themselves is what a class computes by hand; shift
   * only when that would overflow or vanish (the shares do not change). */
  s->shift = (max > 80.0 || max < -80.0) ? max : 0.0;
  s->exp_sum = 0.0;
  for (int i = 0; i < n; i++)
    {
      s->exps[i] = exp ((double) s->logits[i] - s->shift);
      s->exp_sum += s->exps[i];
    }
  for (int i = 0; i < n; i++)
    s->shares[i] = s->exps[i] / s->exp_sum;
  return s;
}

/* value = activation (pre_activation), through the engine's activation. */
static void
apply_activation (LlExplanation *e, const float *engine_pre)
{
  if (e->activation == LL_ACT_SOFTMAX)
    {
      e->softmax = softmax_new (engine_pre, &e->out_shape, e->out_index);
      e->value = e->softmax->shares[e->softmax->index];
    }
  else
    {
      float pre = (float) e->pre_activation, value;
      ll_activation_forward (e->activation, 1, 1, &pre, &value);
      e->value = value;
    }
}

static int
compare_magnitude (gconstpointer a, gconstpointer b, gpointer data)
{
  const double *products = data;
  double pa = fabs (products[*(const int *) a]), pb = fabs (products[*(const int *) b]);
  if (pa != pb)
    return pa > pb ? -1 : 1;
  return *(const int *) a - *(const int *) b;
}

/* Conv2D: the window over every input channel, times the filter. */
static void
explain_conv (LlExplanation *e, const float *x, const LlWeightView *views, int n_views)
{
  const float *kernel = find_weight (views, n_views, "kernel");
  const float *bias = find_weight (views, n_views, "bias");
  int h = e->in_shape.d[0], w = e->in_shape.d[1], cin = e->in_shape.d[2];
  int k = e->axes[0].k, f = e->out_shape.d[2], c = e->unit[2], t = 0;

  alloc_terms (e, k * k * cin, TRUE);
  for (int ky = 0; ky < k; ky++)
    for (int kx = 0; kx < k; kx++)
      for (int ci = 0; ci < cin; ci++, t++)
        {
          int iy = e->start[0] + ky, ix = e->start[1] + kx;
          gboolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
          gsize idx = ((gsize) iy * w + ix) * cin + ci;

          e->input_index[t] = inside ? (gint32) idx : -1;
          e->inputs[t] = inside ? x[idx] : 0.0f;
          /* Keras' kernel layout (kh, kw, cin, filters). */
          e->weights[t] = kernel[(((gsize) ky * k + kx) * cin + ci) * f + c];
        }
  multiply_terms (e);
  e->has_bias = bias != NULL;
  e->bias = bias != NULL ? bias[c] : 0.0f;
  e->pre_activation = e->sum + e->bias;
}

/* Max/AveragePooling2D: the window of the unit's channel. */
static void
explain_pool (LlExplanation *e, const float *x)
{
  int h = e->in_shape.d[0], w = e->in_shape.d[1], ch = e->in_shape.d[2];
  int k = e->axes[0].k, c = e->unit[2], t = 0;
  float best = 0.0f;

  alloc_terms (e, k * k, FALSE);
  e->winner = -1;
  e->sum = 0.0;
  e->n_counted = 0;
  for (int ky = 0; ky < k; ky++)
    for (int kx = 0; kx < k; kx++, t++)
      {
        int iy = e->start[0] + ky, ix = e->start[1] + kx;
        gsize idx = ((gsize) iy * w + ix) * ch + c;

        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
          {
            /* Padding takes no part in pooling (TensorFlow's rule). */
            e->input_index[t] = -1;
            continue;
          }
        e->input_index[t] = (gint32) idx;
        e->inputs[t] = x[idx];
        e->sum += x[idx];
        e->n_counted++;
        /* The first maximum wins: later cells only when strictly larger. */
        if (e->winner < 0 || x[idx] > best)
          {
            best = x[idx];
            e->winner = t;
          }
      }
  if (e->kind == LL_EXPLAIN_MAX_POOL)
    e->pre_activation = best;
  else
    {
      e->winner = -1;
      e->pre_activation = e->sum / e->n_counted;
    }
}

/* GlobalMax/AveragePooling2D: the whole map of one channel. */
static void
explain_global_pool (LlExplanation *e, const float *x)
{
  int n = e->in_shape.d[0] * e->in_shape.d[1], ch = e->in_shape.d[2], c = e->unit[0];
  float best = 0.0f;

  alloc_terms (e, n, FALSE);
  e->winner = -1;
  e->sum = 0.0;
  for (int i = 0; i < n; i++)
    {
      gsize idx = (gsize) i * ch + c;
      e->input_index[i] = (gint32) idx;
      e->inputs[i] = x[idx];
      e->sum += x[idx];
      if (e->winner < 0 || x[idx] > best)
        {
          best = x[idx];
          e->winner = i;
        }
    }
  e->n_counted = n;
  if (e->kind == LL_EXPLAIN_GLOBAL_MAX_POOL)
    e->pre_activation = best;
  else
    {
      e->winner = -1;
      e->pre_activation = e->sum / n;
    }
}

/* The input image a Dense layer's input was flattened from (Flatten right
 * after the Input, perhaps with layers between that keep the shape:
 * Dropout, BatchNormalization, Activation): its weights are a picture.
 * Flattened feature maps are not: their channels are no picture. */
static LlShape
flattened_image (const LlModel *model, int layer)
{
  const LlArch *arch = ll_model_get_arch (model);
  LlShape none = { 0 };

  for (int i = layer - 1; i > 0; i--)
    {
      const LlLayerType *type = ll_arch_layer (arch, i)->type;
      if (type == &ll_layer_flatten)
        {
          LlShape s = ll_model_layer_shape (model, i - 1);
          return s.rank == 3 && i == 1 ? s : none;
        }
      if (type != &ll_layer_dropout && type != &ll_layer_batch_normalization
          && type != &ll_layer_activation)
        break;
    }
  return none;
}

static void
explain_dense (LlExplanation *e, const LlModel *model, const float *x,
               const LlWeightView *views, int n_views)
{
  const float *kernel = find_weight (views, n_views, "kernel");
  const float *bias = find_weight (views, n_views, "bias");
  int n_in = e->in_shape.d[0], units = e->out_shape.d[0], u = e->unit[0];

  alloc_terms (e, n_in, TRUE);
  for (int i = 0; i < n_in; i++)
    {
      e->input_index[i] = i;
      e->inputs[i] = x[i];
      /* Keras' kernel layout (inputs, units): this unit's column. */
      e->weights[i] = kernel[(gsize) i * units + u];
    }
  multiply_terms (e);
  e->has_bias = bias != NULL;
  e->bias = bias != NULL ? bias[u] : 0.0f;
  e->pre_activation = e->sum + e->bias;
  e->order = g_new (int, n_in);
  for (int i = 0; i < n_in; i++)
    e->order[i] = i;
  g_qsort_with_data (e->order, n_in, sizeof (int), compare_magnitude, e->products);
  e->weights_image = flattened_image (model, e->layer);
}

static void
explain_batch_norm (LlExplanation *e, const LlModel *model, const LlLayerSpec *spec,
                    const float *x, const LlWeightView *views, int n_views)
{
  int c = (int) (e->out_index % (gsize) e->in_shape.d[e->in_shape.rank - 1]);
  const float *gamma = find_weight (views, n_views, "gamma");
  const float *beta = find_weight (views, n_views, "beta");
  const float *mean = NULL, *var = NULL;

  if (!(e->training && ll_model_layer_batch_statistics (model, e->layer, &mean, &var)))
    {
      mean = find_weight (views, n_views, "moving_mean");
      var = find_weight (views, n_views, "moving_variance");
    }
  e->x = x[e->out_index];
  e->mean = mean[c];
  e->var = var[c];
  /* The op holds epsilon as a float: the same number here. */
  e->epsilon = (float) ll_layer_spec_get (spec, "epsilon", 1e-3);
  e->has_gamma = gamma != NULL;
  e->has_beta = beta != NULL;
  e->gamma = gamma != NULL ? gamma[c] : 1.0f;
  e->beta = beta != NULL ? beta[c] : 0.0f;
  e->normalized = ((double) e->x - e->mean) / sqrt ((double) e->var + e->epsilon);
  e->pre_activation = e->normalized * e->gamma + e->beta;
}

static void
explain_dropout (LlExplanation *e, const LlModel *model, const LlLayerSpec *spec, const float *x)
{
  const float *mask = ll_model_layer_dropout_mask (model, e->layer);
  gsize size = ll_shape_size (&e->out_shape);

  e->x = x[e->out_index];
  e->rate = (float) ll_layer_spec_get (spec, "rate", 0.5);
  e->mask = mask != NULL ? mask[(gsize) e->sample * size + e->out_index] : 1.0f;
  e->kept = e->mask != 0.0f;
  e->pre_activation = (double) e->x * e->mask;
}

static gboolean
check_unit (const LlShape *shape, const int *unit, int unit_rank, gsize *index, GError **error)
{
  g_autofree char *s = ll_shape_to_string (shape);

  if (unit_rank != shape->rank)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   shape->rank == 3 ? _("This layer's output %s is an image: give a unit as row, column, channel")
                                    : _("This layer's output %s is a vector: give a unit as one index"),
                   s);
      return FALSE;
    }
  for (int i = 0; i < shape->rank; i++)
    if (unit[i] < 0 || unit[i] >= shape->d[i])
      {
        g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                     _("Unit %d of axis %d is outside this layer's output %s: use 0 to %d"),
                     unit[i], i, s, shape->d[i] - 1);
        return FALSE;
      }
  *index = shape->rank == 3 ? ((gsize) unit[0] * shape->d[1] + unit[1]) * shape->d[2] + unit[2]
                            : (gsize) unit[0];
  return TRUE;
}

LlExplanation *
ll_explain_unit (const LlModel *model, int sample, int layer, const int *unit, int unit_rank,
                 GError **error)
{
  g_autoptr(LlExplanation) e = NULL;
  const LlArch *arch;
  const LlLayerSpec *spec;
  LlWeightView views[LL_MAX_WEIGHTS];
  int n_views, batch = 0;
  gboolean training = FALSE;
  const float *x, *pre, *out;

  g_return_val_if_fail (model != NULL && unit != NULL, NULL);

  arch = ll_model_get_arch (model);
  if (layer < 0 || layer >= ll_model_n_layers (model))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The model has layers 0 to %d; there is no layer %d"),
                   ll_model_n_layers (model) - 1, layer);
      return NULL;
    }
  if (!ll_model_last_forward (model, &batch, &training))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The model has not run yet: run it on an input first"));
      return NULL;
    }
  if (sample < 0 || sample >= batch)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The last forward had %d samples; there is no sample %d"), batch, sample);
      return NULL;
    }

  e = g_new0 (LlExplanation, 1);
  spec = ll_arch_layer (arch, layer);
  e->layer = layer;
  e->layer_name = ll_arch_layer_name (arch, layer);
  e->type = spec->type;
  e->sample = sample;
  e->training = training;
  e->winner = -1;
  e->in_shape = ll_model_layer_shape (model, layer > 0 ? layer - 1 : 0);
  e->out_shape = ll_model_layer_shape (model, layer);
  if (!check_unit (&e->out_shape, unit, unit_rank, &e->out_index, error))
    return NULL;
  e->unit_rank = unit_rank;
  memcpy (e->unit, unit, (gsize) unit_rank * sizeof (int));
  e->activation = ll_layer_spec_activation (spec);
  e->param_formula = ll_layer_param_formula (spec, &e->in_shape, &e->out_shape,
                                             &e->param_symbols, &e->n_params);

  x = ll_model_layer_output (model, layer > 0 ? layer - 1 : 0)
      + (gsize) sample * ll_shape_size (&e->in_shape);
  pre = ll_model_layer_pre_activation (model, layer) + (gsize) sample * ll_shape_size (&e->out_shape);
  out = ll_model_layer_output (model, layer) + (gsize) sample * ll_shape_size (&e->out_shape);
  /* ll_model_layer_weights only reads; it takes a mutable model for the views. */
  n_views = ll_model_layer_weights ((LlModel *) model, layer, views);

  if (ll_layer_spec_window (spec, &e->in_shape, e->axes))
    {
      e->has_window = TRUE;
      for (int a = 0; a < 2; a++)
        {
          e->start[a] = unit[a] * e->axes[a].s - e->axes[a].pad_before;
          e->stop[a] = e->start[a] + e->axes[a].k;
        }
    }

  if (layer == 0 || spec->type == &ll_layer_flatten || spec->type == &ll_layer_reshape)
    {
      e->kind = layer == 0 ? LL_EXPLAIN_INPUT : LL_EXPLAIN_COPY;
      e->x = x[e->out_index];
      e->pre_activation = e->x;
    }
  else if (spec->type == &ll_layer_conv2d)
    {
      e->kind = LL_EXPLAIN_CONV2D;
      explain_conv (e, x, views, n_views);
    }
  else if (spec->type == &ll_layer_max_pooling2d || spec->type == &ll_layer_average_pooling2d)
    {
      e->kind = spec->type == &ll_layer_max_pooling2d ? LL_EXPLAIN_MAX_POOL : LL_EXPLAIN_AVERAGE_POOL;
      explain_pool (e, x);
    }
  else if (spec->type == &ll_layer_global_max_pooling2d
           || spec->type == &ll_layer_global_average_pooling2d)
    {
      e->kind = spec->type == &ll_layer_global_max_pooling2d ? LL_EXPLAIN_GLOBAL_MAX_POOL
                                                              : LL_EXPLAIN_GLOBAL_AVERAGE_POOL;
      explain_global_pool (e, x);
    }
  else if (spec->type == &ll_layer_dense)
    {
      e->kind = LL_EXPLAIN_DENSE;
      explain_dense (e, model, x, views, n_views);
    }
  else if (spec->type == &ll_layer_batch_normalization)
    {
      e->kind = LL_EXPLAIN_BATCH_NORM;
      explain_batch_norm (e, model, spec, x, views, n_views);
    }
  else if (spec->type == &ll_layer_dropout)
    {
      e->kind = LL_EXPLAIN_DROPOUT;
      explain_dropout (e, model, spec, x);
    }
  else if (spec->type == &ll_layer_activation)
    {
      e->kind = LL_EXPLAIN_ACTIVATION;
      e->x = x[e->out_index];
      e->pre_activation = e->x;
    }
  else
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("Layers of type %s cannot be explained yet"), spec->type->name);
      return NULL;
    }

  apply_activation (e, pre);
  e->engine_pre_activation = pre[e->out_index];
  e->engine_value = out[e->out_index];
  return g_steal_pointer (&e);
}

LlExplanation *
ll_explain_run (LlModel *model, const float *x, int layer, const int *unit, int unit_rank,
                GError **error)
{
  g_return_val_if_fail (model != NULL && x != NULL, NULL);
  if (!ll_model_plan (model, 1, error))
    return NULL;
  ll_model_forward (model, 1, x, FALSE, NULL);
  return ll_explain_unit (model, 0, layer, unit, unit_rank, error);
}

double
ll_explanation_discrepancy (const LlExplanation *e)
{
  double d_pre, d_value;

  g_return_val_if_fail (e != NULL, INFINITY);
  d_pre = fabs (e->pre_activation - e->engine_pre_activation)
          / MAX (1.0, fabs (e->engine_pre_activation));
  d_value = fabs (e->value - e->engine_value) / MAX (1.0, fabs (e->engine_value));
  if (isnan (d_pre) || isnan (d_value))
    return INFINITY;
  return MAX (d_pre, d_value);
}

/* Formulas */

static void
append_count (GString *s, guint64 v)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, v);
  int len = (int) strlen (digits);

  /* Grouped by thousands with commas, as Keras' summary writes counts. */
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

char *
ll_window_axis_formula (const LlWindowAxis *a)
{
  int pad;
  gboolean exact;
  GString *s;

  g_return_val_if_fail (a != NULL && a->s > 0, NULL);
  pad = a->pad_before + a->pad_after;
  exact = (a->n + pad - a->k) % a->s == 0;
  s = g_string_new (exact ? "(" : "⌊(");
  g_string_append_printf (s, "%d", a->n);
  if (pad > 0)
    g_string_append_printf (s, " + %d", pad);
  g_string_append_printf (s, " − %d) / %d", a->k, a->s);
  if (!exact)
    g_string_append (s, "⌋");
  g_string_append_printf (s, " + 1 = %d", a->out);
  return g_string_free (s, FALSE);
}

const char *
ll_window_axis_symbols (const LlWindowAxis *a, int axis_index)
{
  static const char *const symbols[2][2][2] = {
    /* [axis][padded][floor] */
    { { "(H − K) / S + 1", "⌊(H − K) / S⌋ + 1" }, { "(H + P − K) / S + 1", "⌊(H + P − K) / S⌋ + 1" } },
    { { "(W − K) / S + 1", "⌊(W − K) / S⌋ + 1" }, { "(W + P − K) / S + 1", "⌊(W + P − K) / S⌋ + 1" } },
  };
  int pad;

  g_return_val_if_fail (a != NULL && a->s > 0 && (axis_index == 0 || axis_index == 1), NULL);
  pad = a->pad_before + a->pad_after;
  return symbols[axis_index][pad > 0][(a->n + pad - a->k) % a->s != 0];
}

char *
ll_layer_param_formula (const LlLayerSpec *spec, const LlShape *in, const LlShape *out,
                        const char **symbols, gsize *total)
{
  GString *s;
  guint64 n;

  g_return_val_if_fail (spec != NULL && in != NULL && out != NULL, NULL);
  if (symbols != NULL)
    *symbols = NULL;
  if (total != NULL)
    *total = 0;

  if (spec->type == &ll_layer_conv2d && in->rank == 3 && out->rank == 3)
    {
      guint64 k = (guint64) ll_layer_spec_get (spec, "kernel_size", 3);
      guint64 cin = (guint64) in->d[2], f = (guint64) ll_layer_spec_get (spec, "filters", 1);
      gboolean bias = ll_layer_spec_get (spec, "use_bias", 1) != 0;

      n = k * k * cin * f + (bias ? f : 0);
      s = g_string_new (NULL);
      g_string_append_printf (s, "%" G_GUINT64_FORMAT "·%" G_GUINT64_FORMAT "·%" G_GUINT64_FORMAT
                              "·%" G_GUINT64_FORMAT, k, k, cin, f);
      if (bias)
        g_string_append_printf (s, " + %" G_GUINT64_FORMAT, f);
      if (symbols != NULL)
        *symbols = bias ? "K·K·C_in·F + F" : "K·K·C_in·F";
    }
  else if (spec->type == &ll_layer_dense && in->rank == 1)
    {
      guint64 n_in = (guint64) in->d[0], u = (guint64) ll_layer_spec_get (spec, "units", 1);
      gboolean bias = ll_layer_spec_get (spec, "use_bias", 1) != 0;

      n = n_in * u + (bias ? u : 0);
      s = g_string_new (NULL);
      g_string_append_printf (s, "%" G_GUINT64_FORMAT "·%" G_GUINT64_FORMAT, n_in, u);
      if (bias)
        g_string_append_printf (s, " + %" G_GUINT64_FORMAT, u);
      if (symbols != NULL)
        *symbols = bias ? "N_in·U + U" : "N_in·U";
    }
  else if (spec->type == &ll_layer_batch_normalization)
    {
      static const char *const bn_symbols[] = { NULL, NULL, "2·C", "3·C", "4·C" };
      /* γ (scale), β (center), then the moving mean and variance. */
      guint64 per = 2 + (ll_layer_spec_get (spec, "scale", 1) != 0)
                    + (ll_layer_spec_get (spec, "center", 1) != 0);
      guint64 c = (guint64) in->d[in->rank - 1];

      n = per * c;
      s = g_string_new (NULL);
      g_string_append_printf (s, "%" G_GUINT64_FORMAT "·%" G_GUINT64_FORMAT, per, c);
      if (symbols != NULL)
        *symbols = bn_symbols[per];
    }
  else
    return NULL;

  g_string_append (s, " = ");
  append_count (s, n);
  if (total != NULL)
    *total = (gsize) n;
  return g_string_free (s, FALSE);
}

/* JSON */

/* Floats as the shortest decimal that reads back as the same float (0.1,
 * not 0.10000000149011612); a double that is a float (a maximum, a
 * copied value) the same way, so that equal numbers print alike. */
static void
add_number (JsonBuilder *b, double v)
{
  if (isfinite (v) && (double) (float) v == v)
    ll_json_builder_add_float (b, (float) v);
  else
    ll_json_builder_add_double (b, v);
}

static void
add_float (JsonBuilder *b, const char *key, float v)
{
  json_builder_set_member_name (b, key);
  ll_json_builder_add_float (b, v);
}

static void
add_double (JsonBuilder *b, const char *key, double v)
{
  json_builder_set_member_name (b, key);
  add_number (b, v);
}

static void
add_int_array (JsonBuilder *b, const char *key, const int *v, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_shape (JsonBuilder *b, const char *key, const LlShape *s)
{
  add_int_array (b, key, s->d, s->rank);
}

/* Floats; with index (nullable), null where index is −1 (pooling's padding). */
static void
add_float_array (JsonBuilder *b, const char *key, const float *v, const gint32 *index, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    if (index != NULL && index[i] < 0)
      json_builder_add_null_value (b);
    else
      ll_json_builder_add_float (b, v[i]);
  json_builder_end_array (b);
}

static void
add_double_array (JsonBuilder *b, const char *key, const double *v, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    add_number (b, v[i]);
  json_builder_end_array (b);
}

static void
add_window (JsonBuilder *b, const LlExplanation *e)
{
  json_builder_set_member_name (b, "window");
  json_builder_begin_array (b);
  for (int a = 0; a < 2; a++)
    {
      json_builder_begin_array (b);
      json_builder_add_int_value (b, e->start[a]);
      json_builder_add_int_value (b, e->stop[a]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "window_size");
  json_builder_add_int_value (b, e->axes[0].k);
  json_builder_set_member_name (b, "strides");
  json_builder_add_int_value (b, e->axes[0].s);
  json_builder_set_member_name (b, "padding");
  json_builder_add_string_value (b, e->axes[0].same ? "same" : "valid");
  json_builder_set_member_name (b, "pad");
  json_builder_begin_array (b);
  for (int a = 0; a < 2; a++)
    {
      json_builder_begin_array (b);
      json_builder_add_int_value (b, e->axes[a].pad_before);
      json_builder_add_int_value (b, e->axes[a].pad_after);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "shape_arithmetic");
  json_builder_begin_array (b);
  for (int a = 0; a < 2; a++)
    {
      g_autofree char *f = ll_window_axis_formula (&e->axes[a]);
      json_builder_add_string_value (b, f);
    }
  json_builder_end_array (b);
  if (e->kind == LL_EXPLAIN_CONV2D)
    {
      json_builder_set_member_name (b, "in_padding");
      json_builder_begin_array (b);
      for (int i = 0; i < e->n_terms; i++)
        json_builder_add_boolean_value (b, e->input_index[i] < 0);
      json_builder_end_array (b);
    }
}

JsonNode *
ll_explanation_to_json (const LlExplanation *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (e != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "layer");
  json_builder_add_string_value (b, e->layer_name);
  json_builder_set_member_name (b, "layer_index");
  json_builder_add_int_value (b, e->layer);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, e->type->name);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, ll_explain_kind_name (e->kind));
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, e->training ? "training" : "inference");
  add_int_array (b, "unit", e->unit, e->unit_rank);
  add_shape (b, "input_shape", &e->in_shape);
  add_shape (b, "output_shape", &e->out_shape);
  if (e->param_formula != NULL)
    {
      json_builder_set_member_name (b, "parameters");
      json_builder_add_int_value (b, (gint64) e->n_params);
      json_builder_set_member_name (b, "parameter_arithmetic");
      json_builder_add_string_value (b, e->param_formula);
    }

  if (e->has_window)
    add_window (b, e);

  if (e->n_terms > 0)
    {
      gboolean pooling = e->weights == NULL;
      add_float_array (b, "inputs", e->inputs, pooling ? e->input_index : NULL, e->n_terms);
      if (e->weights != NULL)
        {
          add_float_array (b, "weights", e->weights, NULL, e->n_terms);
          add_double_array (b, "products", e->products, e->n_terms);
        }
      if (e->kind == LL_EXPLAIN_GLOBAL_AVERAGE_POOL || e->kind == LL_EXPLAIN_GLOBAL_MAX_POOL
          || e->kind == LL_EXPLAIN_MAX_POOL || e->kind == LL_EXPLAIN_AVERAGE_POOL)
        {
          json_builder_set_member_name (b, "count");
          json_builder_add_int_value (b, e->n_counted);
        }
      if (e->winner >= 0)
        {
          json_builder_set_member_name (b, "winner");
          json_builder_add_int_value (b, e->winner);
        }
      if (e->weights != NULL || e->kind == LL_EXPLAIN_AVERAGE_POOL
          || e->kind == LL_EXPLAIN_GLOBAL_AVERAGE_POOL)
        add_double (b, "sum", e->sum);
    }
  if (e->weights != NULL)
    {
      if (e->has_bias)
        add_float (b, "bias", e->bias);
      else
        {
          json_builder_set_member_name (b, "bias");
          json_builder_add_null_value (b);
        }
    }
  if (e->order != NULL)
    {
      json_builder_set_member_name (b, "largest");
      json_builder_begin_array (b);
      for (int i = 0; i < MIN (10, e->n_terms); i++)
        {
          int t = e->order[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, t);
          add_float (b, "input", e->inputs[t]);
          add_float (b, "weight", e->weights[t]);
          add_double (b, "product", e->products[t]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (e->weights_image.rank == 3)
    add_shape (b, "weights_image", &e->weights_image);

  switch (e->kind)
    {
    case LL_EXPLAIN_INPUT:
    case LL_EXPLAIN_COPY:
    case LL_EXPLAIN_ACTIVATION:
      add_float (b, "x", e->x);
      break;
    case LL_EXPLAIN_BATCH_NORM:
      add_float (b, "x", e->x);
      add_float (b, "mean", e->mean);
      add_float (b, "variance", e->var);
      add_float (b, "epsilon", e->epsilon);
      add_float (b, "gamma", e->gamma);
      add_float (b, "beta", e->beta);
      add_double (b, "normalized", e->normalized);
      break;
    case LL_EXPLAIN_DROPOUT:
      add_float (b, "x", e->x);
      add_float (b, "rate", e->rate);
      json_builder_set_member_name (b, "kept");
      json_builder_add_boolean_value (b, e->kept);
      add_float (b, "mask", e->mask);
      add_double (b, "scale", e->training && e->rate > 0 ? 1.0 / (1.0 - e->rate) : 1.0);
      break;
    case LL_EXPLAIN_CONV2D:
    case LL_EXPLAIN_MAX_POOL:
    case LL_EXPLAIN_AVERAGE_POOL:
    case LL_EXPLAIN_GLOBAL_MAX_POOL:
    case LL_EXPLAIN_GLOBAL_AVERAGE_POOL:
    case LL_EXPLAIN_DENSE:
    default:
      break;
    }

  add_double (b, "pre_activation", e->pre_activation);
  json_builder_set_member_name (b, "activation");
  json_builder_add_string_value (b, ll_activation_names[e->activation]);
  if (e->softmax != NULL)
    {
      add_float_array (b, "logits", e->softmax->logits, NULL, e->softmax->n);
      add_double (b, "shift", e->softmax->shift);
      add_double_array (b, "exps", e->softmax->exps, e->softmax->n);
      add_double (b, "exp_sum", e->softmax->exp_sum);
      add_double_array (b, "shares", e->softmax->shares, e->softmax->n);
    }
  add_double (b, "value", e->value);

  json_builder_set_member_name (b, "engine");
  json_builder_begin_object (b);
  add_float (b, "pre_activation", e->engine_pre_activation);
  add_float (b, "value", e->engine_value);
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}
