/* ll-export-c.c: standalone C inference source for a model.
 *
 * The generated code mirrors the engine's evaluation-mode arithmetic (the
 * same window placement for "same" padding, the same batch-norm affine
 * form computed from the stored statistics, the same softmax) so that its
 * outputs agree with ll_model_predict to float rounding.  Weights are
 * written with nine significant digits, which round-trips every float. */
#include "ll-export-c.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

enum {
  USE_DENSE = 1 << 0,
  USE_CONV = 1 << 1,
  USE_POOL = 1 << 2,
  USE_GLOBAL = 1 << 3,
  USE_BN = 1 << 4,
  USE_ACT = 1 << 5,
};

gboolean
ll_export_c_valid_prefix (const char *prefix)
{
  if (prefix == NULL || !(g_ascii_isalpha (prefix[0]) || prefix[0] == '_'))
    return FALSE;
  for (const char *p = prefix; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_'))
      return FALSE;
  return strlen (prefix) <= 64;
}

static void
append_float (GString *s, float v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (v))
    {
      g_string_append (s, "NAN");
      return;
    }
  if (isinf (v))
    {
      g_string_append (s, v > 0 ? "INFINITY" : "-INFINITY");
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.9g", v);
  g_string_append (s, buf);
  /* "3" is an int in C; "3.f" is not a float either without the point. */
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (s, ".0");
  g_string_append_c (s, 'f');
}

static void
append_array (GString *s, const char *name, const float *data, gsize n, const char *comment)
{
  g_string_append_printf (s, "/* %s */\nstatic const float %s[%" G_GSIZE_FORMAT "] = {", comment, name, n);
  for (gsize i = 0; i < n; i++)
    {
      g_string_append (s, i % 8 == 0 ? "\n  " : " ");
      append_float (s, data[i]);
      if (i + 1 < n)
        g_string_append_c (s, ',');
    }
  g_string_append (s, "\n};\n\n");
}

static const char helper_dense[] =
  "/* y = x · kernel + bias, kernel (n_in, units) as Keras stores it. */\n"
  "static void\n"
  "dense (const float *x, int n_in, const float *kernel, const float *bias, int units, float *y)\n"
  "{\n"
  "  for (int o = 0; o < units; o++)\n"
  "    y[o] = bias != 0 ? bias[o] : 0.0f;\n"
  "  for (int i = 0; i < n_in; i++)\n"
  "    {\n"
  "      const float xi = x[i];\n"
  "      const float *row = kernel + (long) i * units;\n"
  "      for (int o = 0; o < units; o++)\n"
  "        y[o] += xi * row[o];\n"
  "    }\n"
  "}\n\n";

static const char helper_conv[] =
  "/* Channels last; kernel (k, k, cin, f); cells outside the input count as 0. */\n"
  "static void\n"
  "conv2d (const float *x, int h, int w, int cin, const float *kernel, const float *bias,\n"
  "        int k, int s, int pad_top, int pad_left, float *y, int ho, int wo, int f)\n"
  "{\n"
  "  for (int oy = 0; oy < ho; oy++)\n"
  "    for (int ox = 0; ox < wo; ox++)\n"
  "      {\n"
  "        float *yo = y + ((long) oy * wo + ox) * f;\n"
  "        for (int o = 0; o < f; o++)\n"
  "          yo[o] = bias != 0 ? bias[o] : 0.0f;\n"
  "        for (int ky = 0; ky < k; ky++)\n"
  "          {\n"
  "            int iy = oy * s - pad_top + ky;\n"
  "            if (iy < 0 || iy >= h)\n"
  "              continue;\n"
  "            for (int kx = 0; kx < k; kx++)\n"
  "              {\n"
  "                int ix = ox * s - pad_left + kx;\n"
  "                const float *xi, *kr;\n"
  "                if (ix < 0 || ix >= w)\n"
  "                  continue;\n"
  "                xi = x + ((long) iy * w + ix) * cin;\n"
  "                kr = kernel + ((long) (ky * k + kx) * cin) * f;\n"
  "                for (int c = 0; c < cin; c++)\n"
  "                  {\n"
  "                    const float xv = xi[c];\n"
  "                    const float *kc = kr + (long) c * f;\n"
  "                    for (int o = 0; o < f; o++)\n"
  "                      yo[o] += xv * kc[o];\n"
  "                  }\n"
  "              }\n"
  "          }\n"
  "      }\n"
  "}\n\n";

static const char helper_pool[] =
  "/* Max or average over the window cells inside the input (padding is\n"
  " * never counted, as TensorFlow does). */\n"
  "static void\n"
  "pool2d (const float *x, int h, int w, int c, int p, int s, int pad_top, int pad_left,\n"
  "        float *y, int ho, int wo, int average)\n"
  "{\n"
  "  for (int oy = 0; oy < ho; oy++)\n"
  "    for (int ox = 0; ox < wo; ox++)\n"
  "      for (int ch = 0; ch < c; ch++)\n"
  "        {\n"
  "          float acc = average ? 0.0f : -INFINITY;\n"
  "          int count = 0;\n"
  "          for (int ky = 0; ky < p; ky++)\n"
  "            {\n"
  "              int iy = oy * s - pad_top + ky;\n"
  "              if (iy < 0 || iy >= h)\n"
  "                continue;\n"
  "              for (int kx = 0; kx < p; kx++)\n"
  "                {\n"
  "                  int ix = ox * s - pad_left + kx;\n"
  "                  float v;\n"
  "                  if (ix < 0 || ix >= w)\n"
  "                    continue;\n"
  "                  v = x[((long) iy * w + ix) * c + ch];\n"
  "                  if (average)\n"
  "                    acc += v;\n"
  "                  else if (v > acc)\n"
  "                    acc = v;\n"
  "                  count++;\n"
  "                }\n"
  "            }\n"
  "          y[((long) oy * wo + ox) * c + ch] = average ? acc / (float) count : acc;\n"
  "        }\n"
  "}\n\n";

static const char helper_global[] =
  "/* One value per channel over all n = height × width cells. */\n"
  "static void\n"
  "global_pool (const float *x, int n, int c, float *y, int average)\n"
  "{\n"
  "  for (int ch = 0; ch < c; ch++)\n"
  "    {\n"
  "      double sum = 0.0;\n"
  "      float max = x[ch];\n"
  "      for (int i = 0; i < n; i++)\n"
  "        {\n"
  "          float v = x[(long) i * c + ch];\n"
  "          sum += v;\n"
  "          if (v > max)\n"
  "            max = v;\n"
  "        }\n"
  "      y[ch] = average ? (float) (sum / n) : max;\n"
  "    }\n"
  "}\n\n";

static const char helper_bn[] =
  "/* Inference form over the last axis: y = γ (x − mean) / √(var + ε) + β. */\n"
  "static void\n"
  "batch_norm (const float *x, int rows, int c, const float *gamma, const float *beta,\n"
  "            const float *mean, const float *var, float epsilon, float *y)\n"
  "{\n"
  "  for (int j = 0; j < c; j++)\n"
  "    {\n"
  "      float s = (float) (1.0 / sqrt ((double) var[j] + epsilon));\n"
  "      float a = (gamma != 0 ? gamma[j] : 1.0f) * s;\n"
  "      float b = (beta != 0 ? beta[j] : 0.0f) - a * mean[j];\n"
  "      for (int r = 0; r < rows; r++)\n"
  "        y[(long) r * c + j] = a * x[(long) r * c + j] + b;\n"
  "    }\n"
  "}\n\n";

static const char helper_act[] =
  "enum { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX };\n\n"
  "static void\n"
  "activation (int kind, const float *x, int n, float *y)\n"
  "{\n"
  "  int i;\n"
  "  switch (kind)\n"
  "    {\n"
  "    case ACT_RELU:\n"
  "      for (i = 0; i < n; i++)\n"
  "        y[i] = x[i] > 0.0f ? x[i] : 0.0f;\n"
  "      break;\n"
  "    case ACT_SIGMOID:\n"
  "      /* Split by sign so that exp never overflows. */\n"
  "      for (i = 0; i < n; i++)\n"
  "        {\n"
  "          if (x[i] >= 0.0f)\n"
  "            y[i] = 1.0f / (1.0f + expf (-x[i]));\n"
  "          else\n"
  "            {\n"
  "              float e = expf (x[i]);\n"
  "              y[i] = e / (1.0f + e);\n"
  "            }\n"
  "        }\n"
  "      break;\n"
  "    case ACT_TANH:\n"
  "      for (i = 0; i < n; i++)\n"
  "        y[i] = tanhf (x[i]);\n"
  "      break;\n"
  "    case ACT_SOFTMAX:\n"
  "      {\n"
  "        float max = x[0];\n"
  "        double sum = 0.0;\n"
  "        for (i = 1; i < n; i++)\n"
  "          max = x[i] > max ? x[i] : max;\n"
  "        for (i = 0; i < n; i++)\n"
  "          {\n"
  "            y[i] = expf (x[i] - max);\n"
  "            sum += y[i];\n"
  "          }\n"
  "        for (i = 0; i < n; i++)\n"
  "          y[i] = (float) (y[i] / sum);\n"
  "      }\n"
  "      break;\n"
  "    default:\n"
  "      for (i = 0; i < n; i++)\n"
  "        y[i] = x[i];\n"
  "      break;\n"
  "    }\n"
  "}\n\n";

static const char *const act_enum[] = {
  "ACT_LINEAR", "ACT_RELU", "ACT_SIGMOID", "ACT_TANH", "ACT_SOFTMAX",
};

/* Leading padding of a window as the engine places it (Keras/TensorFlow). */
static int
pad_before (int n, int k, int s, gboolean same, int out)
{
  if (!same)
    return 0;
  return MAX ((out - 1) * s + k - n, 0) / 2;
}

/* Code for one step from x into the other buffer. */
#define STEP_BEGIN(code) \
  g_string_append (code, "  y = x == buf0 ? buf1 : buf0;\n")
#define STEP_END(code) \
  g_string_append (code, "  x = y;\n\n")

/* The generated array name of a layer's weight, or a null pointer
 * constant for a weight the layer does not have (no bias, no gamma). */
static const char *
weight_ref (const LlWeightView *views, int n, char *const *names, const char *name)
{
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (views[i].info->name, name) == 0)
      return names[i];
  return "0";
}

/* One layer's step of the generated predict(): what it computes from x
 * into y, and which helper functions it needs. */
typedef struct {
  GString *code;
  guint *uses;
  const LlLayerSpec *spec;
  LlShape in, out;
  const LlWeightView *views;
  int n_views;
  char *const *wname;
} Step;

#define W(name) weight_ref (st->views, st->n_views, st->wname, name)

/* Input, Flatten, Reshape, Dropout; Activation's activation is applied
 * below like a layer's own. */
static void
emit_nothing (Step *st)
{
  /* Channels-last data is already in Flatten's and Reshape's order;
   * dropout is the identity outside training. */
  if (st->spec->type != &ll_layer_activation)
    g_string_append (st->code, "  /* (nothing to compute) */\n\n");
}

static void
emit_dense (Step *st)
{
  *st->uses |= USE_DENSE;
  STEP_BEGIN (st->code);
  g_string_append_printf (st->code, "  dense (x, %d, %s, %s, %d, y);\n",
                          st->in.d[0], W ("kernel"), W ("bias"), st->out.d[0]);
  STEP_END (st->code);
}

static void
emit_conv2d (Step *st)
{
  int k = (int) ll_layer_spec_get (st->spec, "kernel_size", 3);
  int s = (int) ll_layer_spec_get (st->spec, "strides", 1);
  gboolean same = g_strcmp0 (ll_layer_spec_get_choice (st->spec, "padding"), "same") == 0;

  *st->uses |= USE_CONV;
  STEP_BEGIN (st->code);
  g_string_append_printf (st->code,
                          "  conv2d (x, %d, %d, %d, %s, %s, %d, %d, %d, %d, y, %d, %d, %d);\n",
                          st->in.d[0], st->in.d[1], st->in.d[2], W ("kernel"), W ("bias"), k, s,
                          pad_before (st->in.d[0], k, s, same, st->out.d[0]),
                          pad_before (st->in.d[1], k, s, same, st->out.d[1]),
                          st->out.d[0], st->out.d[1], st->out.d[2]);
  STEP_END (st->code);
}

static void
emit_pool (Step *st)
{
  int p = (int) ll_layer_spec_get (st->spec, "pool_size", 2);
  int s = (int) ll_layer_spec_get (st->spec, "strides", 0);
  gboolean same = g_strcmp0 (ll_layer_spec_get_choice (st->spec, "padding"), "same") == 0;

  if (s <= 0)
    s = p;
  *st->uses |= USE_POOL;
  STEP_BEGIN (st->code);
  g_string_append_printf (st->code,
                          "  pool2d (x, %d, %d, %d, %d, %d, %d, %d, y, %d, %d, %d);\n",
                          st->in.d[0], st->in.d[1], st->in.d[2], p, s,
                          pad_before (st->in.d[0], p, s, same, st->out.d[0]),
                          pad_before (st->in.d[1], p, s, same, st->out.d[1]),
                          st->out.d[0], st->out.d[1], st->spec->type == &ll_layer_average_pooling2d);
  STEP_END (st->code);
}

static void
emit_global_pool (Step *st)
{
  *st->uses |= USE_GLOBAL;
  STEP_BEGIN (st->code);
  g_string_append_printf (st->code, "  global_pool (x, %d, %d, y, %d);\n",
                          st->in.d[0] * st->in.d[1], st->in.d[2],
                          st->spec->type == &ll_layer_global_average_pooling2d);
  STEP_END (st->code);
}

static void
emit_batch_norm (Step *st)
{
  int ch = st->in.d[st->in.rank - 1];
  g_autoptr(GString) eps = g_string_new (NULL);

  append_float (eps, (float) ll_layer_spec_get (st->spec, "epsilon", 0.001));
  *st->uses |= USE_BN;
  STEP_BEGIN (st->code);
  g_string_append_printf (st->code, "  batch_norm (x, %d, %d, %s, %s, %s, %s, %s, y);\n",
                          (int) (ll_shape_size (&st->in) / ch), ch, W ("gamma"), W ("beta"),
                          W ("moving_mean"), W ("moving_variance"), eps->str);
  STEP_END (st->code);
}

#undef W

/* The C column of the layer table: every type the back-end rows mark as
 * supported by C has a row here (tests/test-backends.c). */
static const struct {
  const LlLayerType *type;
  void (*emit) (Step *st);
} c_layers[] = {
  { &ll_layer_input, emit_nothing },
  { &ll_layer_flatten, emit_nothing },
  { &ll_layer_reshape, emit_nothing },
  { &ll_layer_dropout, emit_nothing },
  { &ll_layer_activation, emit_nothing },
  { &ll_layer_dense, emit_dense },
  { &ll_layer_conv2d, emit_conv2d },
  { &ll_layer_max_pooling2d, emit_pool },
  { &ll_layer_average_pooling2d, emit_pool },
  { &ll_layer_global_average_pooling2d, emit_global_pool },
  { &ll_layer_global_max_pooling2d, emit_global_pool },
  { &ll_layer_batch_normalization, emit_batch_norm },
};

static void (*c_emitter (const LlLayerType *type)) (Step *)
{
  for (gsize i = 0; i < G_N_ELEMENTS (c_layers); i++)
    if (c_layers[i].type == type)
      return c_layers[i].emit;
  return NULL;
}

gboolean
ll_export_c_knows (const LlLayerType *type)
{
  return c_emitter (type) != NULL;
}

gboolean
ll_export_c_generate (LlModel *model, const char *prefix,
                      char **header, char **source, GError **error)
{
  const LlArch *arch = ll_model_get_arch (model);
  int n_layers = ll_model_n_layers (model);
  LlShape in_shape = ll_model_input_shape (model), out_shape = ll_model_output_shape (model);
  gsize in_size = ll_shape_size (&in_shape), out_size = ll_shape_size (&out_shape);
  gsize max_size = 1;
  guint uses = 0;
  g_autoptr(GString) weights = g_string_new (NULL);
  g_autoptr(GString) code = g_string_new (NULL);
  g_autoptr(GString) h = g_string_new (NULL);
  g_autoptr(GString) c = g_string_new (NULL);
  g_autofree char *upper = NULL;

  g_return_val_if_fail (model != NULL && header != NULL && source != NULL, FALSE);

  if (!ll_export_c_valid_prefix (prefix))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("“%s” cannot start C names; use letters, digits and underscores, "
                   "starting with a letter (for example “digits”)"), prefix ? prefix : "");
      return FALSE;
    }
  upper = g_ascii_strup (prefix, -1);

  for (int i = 1; i < n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      const LlLayerType *type = spec->type;
      LlShape in = ll_model_layer_shape (model, i - 1), out = ll_model_layer_shape (model, i);
      LlWeightView views[LL_MAX_WEIGHTS];
      int n_views = ll_model_layer_weights (model, i, views);
      g_autofree char *lname = ll_arch_layer_name (arch, i);
      g_autofree char *shape_text = ll_shape_to_string (&out);
      char *wname[LL_MAX_WEIGHTS] = { NULL };
      LlActivation act = ll_layer_spec_activation (spec);

      max_size = MAX (max_size, ll_shape_size (&out));
      g_string_append_printf (code, "  /* %s (%s): %s */\n", lname, type->name, shape_text);

      for (int v = 0; v < n_views; v++)
        {
          g_autofree char *comment = NULL;
          GString *dims = g_string_new (NULL);
          for (int d = 0; d < views[v].info->rank; d++)
            g_string_append_printf (dims, "%s%d", d ? ", " : "", views[v].info->dims[d]);
          wname[v] = g_strdup_printf ("%s_%s_%s", prefix, lname, views[v].info->name);
          comment = g_strdup_printf ("%s.%s (%s)", lname, views[v].info->name, dims->str);
          g_string_free (dims, TRUE);
          append_array (weights, wname[v], views[v].data, ll_weight_info_size (views[v].info), comment);
        }

      {
        void (*emit) (Step *) = c_emitter (type);
        Step st = { code, &uses, spec, in, out, views, n_views, wname };

        if (!ll_layer_type_check_backend (type, LL_BACKEND_C, error) || emit == NULL)
          {
            if (error != NULL && *error == NULL)
              g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                           _("The C export does not know %s layers yet (layer “%s”); "
                           "remove it or export to Keras or PyTorch instead"), type->name, lname);
            for (int v = 0; v < n_views; v++)
              g_free (wname[v]);
            return FALSE;
          }
        emit (&st);
      }

      if (act != LL_ACT_LINEAR)
        {
          uses |= USE_ACT;
          STEP_BEGIN (code);
          if (act == LL_ACT_SOFTMAX && out.rank == 3)
            /* Softmax over each pixel's channels, as the engine and Keras. */
            g_string_append_printf (code, "  for (int i = 0; i < %d; i++)\n"
                                    "    activation (%s, x + (long) i * %d, %d, y + (long) i * %d);\n",
                                    out.d[0] * out.d[1], act_enum[act], out.d[2], out.d[2], out.d[2]);
          else
            g_string_append_printf (code, "  activation (%s, x, %" G_GSIZE_FORMAT ", y);\n",
                                    act_enum[act], ll_shape_size (&out));
          STEP_END (code);
        }
      for (int v = 0; v < n_views; v++)
        g_free (wname[v]);
    }

  /* The header. */
  g_string_append_printf (h,
    "/* %s.h: standalone inference for a Layerlab model (generated; do not edit).\n"
    " *\n"
    " * Input: one image, height × width × channels (channels last), pixel\n"
    " * values scaled to [0, 1].  Output: one value per class (probabilities\n"
    " * after a softmax).  Needs only libm; not reentrant (static buffers). */\n"
    "#ifndef %s_H\n#define %s_H\n\n"
    "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
    prefix, upper, upper);
  if (in_shape.rank == 3)
    g_string_append_printf (h,
      "#define %s_INPUT_HEIGHT %d\n#define %s_INPUT_WIDTH %d\n#define %s_INPUT_CHANNELS %d\n",
      upper, in_shape.d[0], upper, in_shape.d[1], upper, in_shape.d[2]);
  g_string_append_printf (h,
    "#define %s_INPUT_SIZE %" G_GSIZE_FORMAT "\n#define %s_OUTPUT_SIZE %" G_GSIZE_FORMAT "\n\n"
    "/* Returns 0, or -1 when input or probs is NULL. */\n"
    "int %s_predict (const float *input, float *probs);\n\n"
    "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s_H */\n",
    upper, in_size, upper, out_size, prefix, upper);

  /* The source. */
  {
    g_autofree char *summary = ll_model_summary (model);
    g_auto(GStrv) lines = g_strsplit (summary, "\n", -1);

    g_string_append_printf (c,
      "/* %s.c: standalone inference for a Layerlab model (generated; do not edit).\n"
      " *\n", prefix);
    for (int i = 0; lines[i] != NULL; i++)
      {
        /* Keep the comment closed whatever the summary holds. */
        g_autofree char *safe = NULL;
        g_auto(GStrv) parts = g_strsplit (lines[i], "*/", -1);
        safe = g_strjoinv ("* /", parts);
        g_string_append_printf (c, " * %s\n", safe);
      }
    g_string_append_printf (c,
      " *\n * Build: cc -O2 -c %s.c (link with -lm). */\n"
      "#include \"%s.h\"\n\n#include <math.h>\n\n", prefix, prefix);
  }
  if (uses & USE_DENSE)
    g_string_append (c, helper_dense);
  if (uses & USE_CONV)
    g_string_append (c, helper_conv);
  if (uses & USE_POOL)
    g_string_append (c, helper_pool);
  if (uses & USE_GLOBAL)
    g_string_append (c, helper_global);
  if (uses & USE_BN)
    g_string_append (c, helper_bn);
  if (uses & USE_ACT)
    g_string_append (c, helper_act);
  g_string_append (c, weights->str);
  g_string_append_printf (c,
    "/* Activations of one layer; the largest layer output fits. */\n"
    "static float buf0[%" G_GSIZE_FORMAT "], buf1[%" G_GSIZE_FORMAT "];\n\n"
    "int\n%s_predict (const float *input, float *probs)\n{\n"
    "  const float *x = input;\n  float *y;\n  int i;\n\n"
    "  if (input == 0 || probs == 0)\n    return -1;\n"
    "  (void) y;\n\n",
    max_size, max_size, prefix);
  g_string_append (c, code->str);
  g_string_append_printf (c,
    "  for (i = 0; i < %" G_GSIZE_FORMAT "; i++)\n    probs[i] = x[i];\n"
    "  return 0;\n}\n", out_size);

  *header = g_string_free (g_steal_pointer (&h), FALSE);
  *source = g_string_free (g_steal_pointer (&c), FALSE);
  return TRUE;
}

gboolean
ll_export_c (LlModel *model, const char *dir, const char *prefix, GError **error)
{
  g_autofree char *header = NULL, *source = NULL, *h_path = NULL, *c_path = NULL;
  g_autofree char *h_name = NULL, *c_name = NULL;
  g_autoptr(GError) local = NULL;

  if (!ll_export_c_generate (model, prefix, &header, &source, error))
    return FALSE;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot create the folder %s: %s; "
                   "choose another output folder"), dir, g_strerror (errno));
      return FALSE;
    }
  h_name = g_strconcat (prefix, ".h", NULL);
  c_name = g_strconcat (prefix, ".c", NULL);
  h_path = g_build_filename (dir, h_name, NULL);
  c_path = g_build_filename (dir, c_name, NULL);
  if (!g_file_set_contents (h_path, header, -1, &local)
      || !g_file_set_contents (c_path, source, -1, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write the C export: %s; "
                   "check that the folder is writable"), local->message);
      return FALSE;
    }
  return TRUE;
}
