/* ll-cli-explain.c: `layerlab explain`, the arithmetic of one unit for
 * worksheets.
 *
 *   layerlab explain [--model FILE | --preset NAME] --input IMAGES.idx[:N]
 *                    --layer NAME --unit Y,X,C [--json] [--training [--batch B] [--seed S]]
 *
 * Without --model or --preset: the digit model that ships with Layerlab.
 * --input takes an IDX file of images (image N, default 0, scaled to 0–1
 * as for training) or a PNG/JPEG picture.  --layer takes the summary's
 * name ("conv2d_1") or the layer's index; --unit "row,column,channel" for
 * an image output, one index for a vector.  --training runs a training
 * step's forward instead (dropout masks, batch-norm batch statistics) on
 * B images from N, and explains image N.
 *
 * --json prints one object: layer, layer_index, type, kind, mode, unit,
 * input_shape, output_shape, parameters and parameter_arithmetic (layers
 * with weights), window ([[start, stop) per row/column axis] in input
 * coordinates, padding included), window_size, strides, padding, pad,
 * shape_arithmetic, in_padding (Conv2D); inputs (kernel order ky, kx, c_in;
 * 0 where padding for Conv2D, null for pooling), weights, products, sum,
 * bias (Conv2D, Dense); count and winner (pooling); largest and
 * weights_image (Dense); x, mean, variance, epsilon, gamma, beta,
 * normalized (BatchNormalization); x, rate, kept, mask, scale (Dropout);
 * pre_activation, activation, logits, exps, exp_sum, shares (softmax),
 * value; engine {pre_activation, value}: the engine's own numbers. */
#include "config.h"

#include "ll-cli-private.h"

#include "ll-dataset.h"
#include "ll-explain.h"
#include "ll-json.h"
#include "ll-picture.h"
#include "ll-shipped-model.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

/* A number for the tables: four decimals, or three significant digits
 * with an exponent for small values. */
static const char *
num (double v)
{
  static char ring[8][G_ASCII_DTOSTR_BUF_SIZE];
  static int next;
  char *buf = ring[next++ % 8];

  if (v == 0.0)
    v = 0.0;                       /* −0 (0 × a negative weight) prints as 0 */

  if (v == 0.0 || fabs (v) >= 1e-3)
    g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.4f", v);
  else
    g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.3e", v);
  return buf;
}

/* "path:N" → path and N; a path without a numeric suffix is image 0. */
static char *
split_input (const char *arg, int *index)
{
  const char *colon = strrchr (arg, ':');
  char *end = NULL;
  gint64 n;

  *index = 0;
  if (colon == NULL || colon[1] == '\0')
    return g_strdup (arg);
  n = g_ascii_strtoll (colon + 1, &end, 10);
  if (*end != '\0' || n < 0 || n > G_MAXINT)
    return g_strdup (arg);
  *index = (int) n;
  return g_strndup (arg, colon - arg);
}

static gboolean
is_idx (const char *path)
{
  return g_str_has_suffix (path, ".idx") || g_str_has_suffix (path, "-ubyte")
         || g_str_has_suffix (path, "-ubyte.gz") || g_str_has_suffix (path, ".idx.gz");
}

/* Up to batch images from index on (batch 1 outside training mode); *n_out gets how many. */
static float *
load_inputs (const char *path, int index, int batch, LlShape in, int *n_out, GError **error)
{
  gsize size = ll_shape_size (&in);

  if (is_idx (path))
    {
      g_autoptr(LlDataset) ds = ll_dataset_load_idx (path, NULL, error);
      g_autofree guint32 *idx = NULL;
      float *x;
      int n;

      if (ds == NULL)
        return NULL;
      if (ll_dataset_sample_size (ds) != size)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                       _("%s holds %d×%d×%d images but the model takes %d×%d×%d: choose a model "
                         "for these images"),
                       path, ds->height, ds->width, ds->channels,
                       in.d[0], in.rank == 3 ? in.d[1] : 1, in.rank == 3 ? in.d[2] : 1);
          return NULL;
        }
      if (index >= ds->n)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("%s holds %d images: choose an image from 0 to %d"),
                       path, ds->n, ds->n - 1);
          return NULL;
        }
      n = MIN (batch, ds->n - index);
      idx = g_new (guint32, n);
      for (int i = 0; i < n; i++)
        idx[i] = (guint32) (index + i);
      x = g_new (float, (gsize) n * size);
      ll_dataset_fill_batch (ds, idx, n, x, NULL);
      *n_out = n;
      return x;
    }
  if (index != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%s is one picture: leave out the image number after the colon"), path);
      return NULL;
    }
  {
    /* MNIST-style preprocessing for digit models, as `layerlab predict` does. */
    gboolean digit = in.rank == 3 && in.d[0] == 28 && in.d[1] == 28 && in.d[2] == 1;
    float *x = ll_picture_load_input (path, &in, digit, error);
    if (x != NULL)
      *n_out = 1;
    return x;
  }
}

static int
find_layer (const LlModel *model, const char *name, GError **error)
{
  const LlArch *arch = ll_model_get_arch (model);
  int n = ll_model_n_layers (model);
  g_autoptr(GString) names = g_string_new (NULL);
  char *end = NULL;
  gint64 index = g_ascii_strtoll (name, &end, 10);

  if (*name != '\0' && *end == '\0' && index >= 0 && index < n)
    return (int) index;
  for (int i = 0; i < n; i++)
    {
      g_autofree char *layer = ll_arch_layer_name (arch, i);
      if (g_strcmp0 (layer, name) == 0)
        return i;
      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", layer);
    }
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("The model has no layer “%s”; its layers are %s"), name, names->str);
  return -1;
}

static int
parse_unit (const char *text, int *unit, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  int n = (int) g_strv_length (parts);

  if (n < 1 || n > 3)
    goto bad;
  for (int i = 0; i < n; i++)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (g_strstrip (parts[i]), &end, 10);
      if (parts[i][0] == '\0' || *end != '\0' || v < 0 || v > G_MAXINT)
        goto bad;
      unit[i] = (int) v;
    }
  return n;

bad:
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("--unit “%s” is not a unit: give row,column,channel for an image output "
                 "(e.g. 5,7,0) or one index for a vector"), text);
  return -1;
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = ll_json_to_string (node, LL_JSON_LINE);
  puts (text);
}

static void
print_activation (const LlExplanation *e)
{
  const LlExplainSoftmax *s = e->softmax;

  if (s == NULL)
    {
      if (e->activation != LL_ACT_LINEAR || e->kind == LL_EXPLAIN_ACTIVATION)
        printf ("%s(%s) = %s\n", ll_activation_names[e->activation], num (e->pre_activation),
                num (e->value));
      return;
    }
  printf (_("Softmax over %d values:\n"), s->n);
  printf ("  %5s  %10s  %14s  %10s\n", "#", _("logit"),
          s->shift != 0.0 ? _("exp(logit−max)") : _("exp(logit)"), _("share"));
  for (int i = 0; i < s->n; i++)
    printf ("  %5d  %10s  %14.6g  %10s%s\n", i, num (s->logits[i]), s->exps[i], num (s->shares[i]),
            i == s->index ? _("  ← this unit") : "");
  printf (_("Sum of the exps: %.6g; this unit's share: %.6g / %.6g = %s\n"),
          s->exp_sum, s->exps[s->index], s->exp_sum, num (e->value));
}

static void
print_terms (const LlExplanation *e)
{
  int cin = e->in_shape.rank == 3 ? e->in_shape.d[2] : 1;
  int k = e->has_window ? e->axes[0].k : 0;

  if (e->kind == LL_EXPLAIN_CONV2D)
    {
      printf ("  %3s %3s %4s  %10s   %10s   %11s\n", "ky", "kx", "c_in", _("input"), _("weight"), _("product"));
      for (int t = 0; t < e->n_terms; t++)
        printf ("  %3d %3d %4d  %10s × %10s = %11s%s\n", t / cin / k, t / cin % k, t % cin,
                num (e->inputs[t]), num (e->weights[t]), num (e->products[t]),
                e->input_index[t] < 0 ? _("  (padding)") : "");
      printf (_("Sum of the %d products: %s\n"), e->n_terms, num (e->sum));
    }
  else if (e->kind == LL_EXPLAIN_DENSE)
    {
      int shown = MIN (e->n_terms, 12);
      printf (_("The %d largest of %d contributions (input × weight):\n"), shown, e->n_terms);
      printf ("  %6s  %10s   %10s   %11s\n", "i", _("input"), _("weight"), _("product"));
      for (int i = 0; i < shown; i++)
        {
          int t = e->order[i];
          printf ("  %6d  %10s × %10s = %11s\n", t, num (e->inputs[t]), num (e->weights[t]),
                  num (e->products[t]));
        }
      printf (_("Sum of all %d products: %s\n"), e->n_terms, num (e->sum));
      if (e->weights_image.rank == 3)
        printf (_("(This unit's %d weights form a %d×%d×%d picture, one per input pixel.)\n"),
                e->n_terms, e->weights_image.d[0], e->weights_image.d[1], e->weights_image.d[2]);
    }
  else if (e->kind == LL_EXPLAIN_MAX_POOL || e->kind == LL_EXPLAIN_AVERAGE_POOL)
    {
      printf ("  %3s %3s  %10s\n", "ky", "kx", _("input"));
      for (int t = 0; t < e->n_terms; t++)
        printf ("  %3d %3d  %10s%s\n", t / k, t % k,
                e->input_index[t] < 0 ? "—" : num (e->inputs[t]),
                e->input_index[t] < 0 ? _("  (padding, not counted)")
                                      : t == e->winner ? _("  ← the largest") : "");
      if (e->kind == LL_EXPLAIN_MAX_POOL)
        printf (_("Largest of the %d values: %s\n"), e->n_counted, num (e->pre_activation));
      else
        printf (_("Average: %s / %d = %s\n"), num (e->sum), e->n_counted, num (e->pre_activation));
    }
  else if (e->kind == LL_EXPLAIN_GLOBAL_MAX_POOL)
    printf (_("Largest of the %d values of channel %d: %s at row %d, column %d\n"), e->n_terms,
            e->unit[0], num (e->pre_activation), e->winner / e->in_shape.d[1],
            e->winner % e->in_shape.d[1]);
  else if (e->kind == LL_EXPLAIN_GLOBAL_AVERAGE_POOL)
    printf (_("Average of the %d values of channel %d: %s / %d = %s\n"), e->n_terms, e->unit[0],
            num (e->sum), e->n_terms, num (e->pre_activation));
}

static void
print_text (const LlExplanation *e, const char *input, int index)
{
  g_autofree char *out = ll_shape_to_string (&e->out_shape);

  if (e->unit_rank == 3)
    printf (_("Layer %s (%s), unit row %d, column %d, channel %d of its output %s\n"),
            e->layer_name, e->type->name, e->unit[0], e->unit[1], e->unit[2], out);
  else
    printf (_("Layer %s (%s), unit %d of its output %s\n"), e->layer_name, e->type->name,
            e->unit[0], out);
  printf (e->training ? _("Input: image %d of %s, in training mode\n")
                      : _("Input: image %d of %s, in inference mode\n"), index, input);
  if (e->param_formula != NULL)
    printf (_("Parameters: %s = %s\n"), e->param_symbols, e->param_formula);
  if (e->has_window)
    {
      g_autofree char *rows = ll_window_axis_formula (&e->axes[0]);
      g_autofree char *cols = ll_window_axis_formula (&e->axes[1]);
      printf (_("Output size: rows %s = %s, columns %s = %s\n"),
              ll_window_axis_symbols (&e->axes[0], 0), rows,
              ll_window_axis_symbols (&e->axes[1], 1), cols);
      printf (_("Window: rows %d to %d, columns %d to %d of the %d×%d input (zeros of padding "
                "outside it)\n"),
              e->start[0], e->stop[0] - 1, e->start[1], e->stop[1] - 1, e->axes[0].n, e->axes[1].n);
      printf (_("Stride %d: the window to the right starts at column %d, the one below at row %d\n"),
              e->axes[1].s, e->start[1] + e->axes[1].s, e->start[0] + e->axes[0].s);
    }

  switch (e->kind)
    {
    case LL_EXPLAIN_INPUT:
      printf (_("The input value itself: %s\n"), num (e->x));
      break;
    case LL_EXPLAIN_COPY:
      printf (_("%s moves values without computing: input value %zu = %s\n"),
              e->type->name, e->out_index, num (e->x));
      break;
    case LL_EXPLAIN_CONV2D:
    case LL_EXPLAIN_DENSE:
      print_terms (e);
      if (e->has_bias)
        printf (_("%s + bias %s = %s (before the activation)\n"), num (e->sum), num (e->bias),
                num (e->pre_activation));
      else
        printf (_("No bias: %s (before the activation)\n"), num (e->pre_activation));
      break;
    case LL_EXPLAIN_MAX_POOL:
    case LL_EXPLAIN_AVERAGE_POOL:
    case LL_EXPLAIN_GLOBAL_MAX_POOL:
    case LL_EXPLAIN_GLOBAL_AVERAGE_POOL:
      print_terms (e);
      break;
    case LL_EXPLAIN_BATCH_NORM:
      printf (e->training ? _("With this batch's mean and variance of the channel:\n")
                          : _("With the moving mean and variance learned in training:\n"));
      printf ("(x − mean) / √(var + ε) · γ + β = (%s − %s) / √(%s + %s) · %s + %s = %s · %s + %s = %s\n",
              num (e->x), num (e->mean), num (e->var), num (e->epsilon), num (e->gamma),
              num (e->beta), num (e->normalized), num (e->gamma), num (e->beta),
              num (e->pre_activation));
      break;
    case LL_EXPLAIN_DROPOUT:
      if (!e->training || e->rate <= 0)
        printf (_("Dropout is off outside training: %s passes unchanged\n"), num (e->x));
      else if (e->kept)
        printf (_("Kept in this step: %s × 1/(1 − %s) = %s\n"), num (e->x), num (e->rate),
                num (e->pre_activation));
      else
        printf (_("Dropped in this step (rate %s): %s × 0 = 0\n"), num (e->rate), num (e->x));
      break;
    case LL_EXPLAIN_ACTIVATION:
    default:
      break;
    }
  print_activation (e);
  printf (_("Value: %s; the engine's output at this unit: %s\n"), num (e->value),
          num (e->engine_value));
}

int
ll_cli_explain (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *preset = NULL, *input = NULL, *layer_name = NULL;
  g_autofree char *unit_text = NULL, *path = NULL;
  gboolean json = FALSE, training = FALSE;
  int seed = -1, batch = 32;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, N_("A .llmodel file (or an architecture .json); default: the shipped digit model"), "FILE" },
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset, N_("A preset model, weights from --seed"), "NAME" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, N_("Images: an IDX file and the image's number (FILE:N), or a PNG/JPEG picture"), "FILE[:N]" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer_name, N_("The layer, by its summary name (conv2d_1) or index"), "NAME" },
    { "unit", 'u', 0, G_OPTION_ARG_STRING, &unit_text, N_("The unit: row,column,channel of an image output, or one index"), "Y,X,C" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "training", 0, 0, G_OPTION_ARG_NONE, &training, N_("Run a training step's forward (dropout masks, batch statistics)"), NULL },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Training mode: images in the batch, from N on (default 32)"), "B" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, N_("Seed of the weights for --preset and of the dropout masks"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("- how one number of a layer was computed"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(LlExplanation) e = NULL;
  g_autofree float *x = NULL;
  LlModel *model;
  LlRng rng;
  int unit[3], unit_rank, layer, index, n = 0;

  g_set_prgname ("layerlab explain");
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (input == NULL || layer_name == NULL || unit_text == NULL)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID,
                   _("give --input FILE[:N], --layer NAME and --unit Y,X,C (or --unit I)"));
      goto fail;
    }
  if (batch < 1)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, _("--batch must be 1 or more (got %d)"), batch);
      goto fail;
    }
  if ((unit_rank = parse_unit (unit_text, unit, &error)) < 0)
    goto fail;
  trainer = (model_path != NULL || preset != NULL)
            ? ll_cli_load_trainer (model_path, preset, seed, &error)
            : ll_shipped_model_load (&error);
  if (trainer == NULL)
    goto fail;
  model = ll_trainer_get_model (trainer);
  if ((layer = find_layer (model, layer_name, &error)) < 0)
    goto fail;
  path = split_input (input, &index);
  if (!(x = load_inputs (path, index, training ? batch : 1, ll_model_input_shape (model), &n, &error)))
    goto fail;
  if (!ll_model_plan (model, n, &error))
    goto fail;
  ll_rng_seed (&rng, seed >= 0 ? (guint64) seed : 0);
  ll_model_forward (model, n, x, training, &rng);
  if (!(e = ll_explain_unit (model, 0, layer, unit, unit_rank, &error)))
    goto fail;

  if (json)
    {
      g_autoptr(JsonNode) node = ll_explanation_to_json (e);
      JsonObject *o = json_node_get_object (node);
      json_object_set_string_member (o, "input", path);
      json_object_set_int_member (o, "image", index);
      print_json (node);
    }
  else
    print_text (e, path, index);
  return 0;

fail:
  fprintf (stderr, "layerlab explain: %s\n", error->message);
  return 2;
}
