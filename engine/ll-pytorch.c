/* ll-pytorch.c: the PyTorch side of every layer (see ll-pytorch.h): a row
 * per layer type with its nn module(s) and its weights in PyTorch's
 * layouts.  The layout changes happen here, once, in C, so that a script
 * only copies tensors. */
#include "ll-pytorch.h"

#include <string.h>

typedef struct {
  LlModel *model;
  int layer;
  const LlLayerSpec *spec;
  LlShape in, out;
} Layer;

static void
activation_module (GString *s, LlActivation act, gboolean last, int *module)
{
  switch (act)
    {
    case LL_ACT_RELU:
      g_string_append (s, "    nn.ReLU(),\n");
      break;
    case LL_ACT_SIGMOID:
      if (last)
        {
          g_string_append (s, "    # sigmoid: folded into nn.BCEWithLogitsLoss (stable form)\n");
          return;
        }
      g_string_append (s, "    nn.Sigmoid(),\n");
      break;
    case LL_ACT_TANH:
      g_string_append (s, "    nn.Tanh(),\n");
      break;
    case LL_ACT_SOFTMAX:
      if (last)
        {
          g_string_append (s, "    # softmax: folded into nn.CrossEntropyLoss (stable form)\n");
          return;
        }
      g_string_append (s, "    nn.Softmax(dim=1),\n");
      break;
    case LL_ACT_LINEAR:
    default:
      return;
    }
  (*module)++;
}

static int
param_int (const LlLayerSpec *spec, const char *name, int fallback)
{
  return (int) ll_layer_spec_get (spec, name, fallback);
}

static gboolean
same_padding (const LlLayerSpec *spec)
{
  return g_strcmp0 (ll_layer_spec_get_choice (spec, "padding"), "same") == 0;
}

/* Modules ------------------------------------------------------------------- */

static void
flatten_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  g_string_append (s, "    nn.Flatten(),\n");
}

static void
dense_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  gboolean bias = ll_layer_spec_get (spec, "use_bias", 1.0) != 0.0;

  g_string_append_printf (s, "    nn.Linear(%d, %d%s),\n", in->d[in->rank - 1],
                          out->d[out->rank - 1], bias ? "" : ", bias=False");
}

static void
dropout_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  g_string_append (s, "    nn.Dropout(p=");
  ll_append_python_float (s, ll_layer_spec_get (spec, "rate", 0.5));
  g_string_append (s, "),\n");
}

static void
conv2d_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  int k = param_int (spec, "kernel_size", 3);
  int st = param_int (spec, "strides", 1);

  g_string_append_printf (s, "    nn.Conv2d(%d, %d, kernel_size=%d", in->d[2], out->d[2], k);
  if (st != 1)
    g_string_append_printf (s, ", stride=%d", st);
  if (same_padding (spec))
    {
      /* PyTorch's "same" exists for stride 1 only; Keras pads the
       * extra pixel at the bottom/right, this pads both sides. */
      if (st == 1)
        g_string_append (s, ", padding=\"same\"");
      else
        g_string_append_printf (s, ", padding=%d", (k - 1) / 2);
    }
  if (ll_layer_spec_get (spec, "use_bias", 1.0) == 0.0)
    g_string_append (s, ", bias=False");
  g_string_append (s, "),\n");
}

static void
pool_module (GString *s, const LlLayerSpec *spec, gboolean max)
{
  int p = param_int (spec, "pool_size", 2);
  int st = param_int (spec, "strides", 0);

  g_string_append_printf (s, "    nn.%s(kernel_size=%d", max ? "MaxPool2d" : "AvgPool2d", p);
  if (st > 0 && st != p)
    g_string_append_printf (s, ", stride=%d", st);
  if (same_padding (spec))
    g_string_append (s, max ? ", ceil_mode=True" : ", ceil_mode=True, count_include_pad=False");
  g_string_append (s, "),\n");
}

static void
max_pool_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  pool_module (s, spec, TRUE);
}

static void
avg_pool_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  pool_module (s, spec, FALSE);
}

/* Two modules: the pooling and the Flatten that Keras' version includes. */
static void
gap_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  g_string_append (s, "    nn.AdaptiveAvgPool2d(1),\n    nn.Flatten(),\n");
}

static void
gmp_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  g_string_append (s, "    nn.AdaptiveMaxPool2d(1),\n    nn.Flatten(),\n");
}

static void
batch_norm_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  /* PyTorch's momentum is 1 - Keras' momentum. */
  double mom = ll_layer_spec_get (spec, "momentum", 0.99);
  double eps = ll_layer_spec_get (spec, "epsilon", 1e-3);

  g_string_append_printf (s, "    nn.BatchNorm%dd(%d, eps=", out->rank == 3 ? 2 : 1,
                          out->d[out->rank - 1]);
  ll_append_python_float (s, eps);
  g_string_append (s, ", momentum=");
  ll_append_python_float (s, 1.0 - mom);
  g_string_append (s, "),\n");
}

static void
reshape_module (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  if (out->rank == 3)
    g_string_append_printf (s, "    nn.Unflatten(1, (%d, %d, %d)),\n", out->d[2], out->d[0], out->d[1]);
  else
    g_string_append (s, "    nn.Flatten(),\n");
}

/* Weights -------------------------------------------------------------------- */

static const LlWeightView *
view_named (const LlWeightView *views, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (views[i].info->name, name) == 0)
      return &views[i];
  return NULL;
}

/* perm[t] = Keras index of PyTorch feature t after flattening an (h, w, c)
 * image: PyTorch flattens (c, h, w). */
static void
flatten_tensors (const Layer *l, int **perm, LlPytorchPut put, gpointer data)
{
  int h = l->in.d[0], w = l->in.d[1], c = l->in.d[2];
  int *p;

  if (l->in.rank != 3)
    return;                        /* already flat: the order stays */
  g_clear_pointer (perm, g_free);
  p = g_new (int, (gsize) h * w * c);
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        p[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  *perm = p;
}

/* The generated script's nn.Unflatten reads the values in another order
 * than Keras' Reshape; the weights after it stay as they are. */
static void
reshape_tensors (const Layer *l, int **perm, LlPytorchPut put, gpointer data)
{
  g_clear_pointer (perm, g_free);
}

/* Linear's weight is (units, in); after a Flatten of an image its input
 * features come in PyTorch's (c, h, w) order. */
static void
dense_tensors (const Layer *l, int **perm, LlPytorchPut put, gpointer data)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  int n = ll_model_layer_weights (l->model, l->layer, views);
  const LlWeightView *bias = view_named (views, n, "bias");
  int n_in = l->in.d[0], units = l->out.d[0], shape[2] = { units, n_in };
  const float *k = views[0].data;
  g_autofree float *t = g_new (float, (gsize) n_in * units);
  const int *p = *perm;

  for (int o = 0; o < units; o++)
    for (int j = 0; j < n_in; j++)
      t[(gsize) o * n_in + j] = k[(gsize) (p ? p[j] : j) * units + o];
  put ("weight", t, (gsize) n_in * units, shape, 2, data);
  if (bias != NULL)
    put ("bias", bias->data, units, &units, 1, data);
  g_clear_pointer (perm, g_free);
}

/* Keras (kh, kw, cin, filters) to PyTorch (filters, cin, kh, kw). */
static void
conv2d_tensors (const Layer *l, int **perm, LlPytorchPut put, gpointer data)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  int n = ll_model_layer_weights (l->model, l->layer, views);
  const LlWeightView *bias = view_named (views, n, "bias");
  const int *d = views[0].info->dims;
  int shape[4] = { d[3], d[2], d[0], d[1] };
  gsize size = ll_weight_info_size (views[0].info);
  const float *k = views[0].data;
  g_autofree float *t = g_new (float, size);

  for (int ky = 0; ky < d[0]; ky++)
    for (int kx = 0; kx < d[1]; kx++)
      for (int c = 0; c < d[2]; c++)
        for (int f = 0; f < d[3]; f++)
          t[(((gsize) f * d[2] + c) * d[0] + ky) * d[1] + kx]
            = k[(((gsize) ky * d[1] + kx) * d[2] + c) * d[3] + f];
  put ("weight", t, size, shape, 4, data);
  if (bias != NULL)
    put ("bias", bias->data, d[3], &d[3], 1, data);
}

/* PyTorch's BatchNorm is affine in both or neither: a missing γ is 1 and
 * a missing β is 0, which computes the same.  On a flattened image the
 * channels follow the Flatten's order. */
static void
batch_norm_tensors (const Layer *l, int **perm, LlPytorchPut put, gpointer data)
{
  static const char *const keras[] = { "gamma", "beta", "moving_mean", "moving_variance" };
  static const char *const torch[] = { "weight", "bias", "running_mean", "running_var" };
  LlWeightView views[LL_MAX_WEIGHTS];
  int n = ll_model_layer_weights (l->model, l->layer, views);
  int c = l->out.d[l->out.rank - 1];
  const int *p = l->in.rank == 3 ? NULL : *perm;
  g_autofree float *t = g_new (float, c);

  for (int j = 0; j < 4; j++)
    {
      const LlWeightView *v = view_named (views, n, keras[j]);
      for (int ch = 0; ch < c; ch++)
        t[ch] = v != NULL ? v->data[p ? p[ch] : ch] : (j == 0 ? 1.0f : 0.0f);
      put (torch[j], t, c, &c, 1, data);
    }
}

/* The table ------------------------------------------------------------------ */

static const struct {
  const LlLayerType *type;
  /* The layer's own module(s), without the activation; NULL: none. */
  void (*module) (GString *s, const LlLayerSpec *spec, const LlShape *in, const LlShape *out);
  int n_modules;
  /* Its tensors (and the Flatten order it leaves); NULL: none. */
  void (*tensors) (const Layer *l, int **perm, LlPytorchPut put, gpointer data);
  const char *weight_modules;      /* module classes holding its tensors, NULL: none */
} rows[] = {
  { &ll_layer_input, NULL, 0, NULL, NULL },
  { &ll_layer_dense, dense_module, 1, dense_tensors, "nn.Linear" },
  { &ll_layer_conv2d, conv2d_module, 1, conv2d_tensors, "nn.Conv2d" },
  { &ll_layer_max_pooling2d, max_pool_module, 1, NULL, NULL },
  { &ll_layer_average_pooling2d, avg_pool_module, 1, NULL, NULL },
  { &ll_layer_global_average_pooling2d, gap_module, 2, NULL, NULL },
  { &ll_layer_global_max_pooling2d, gmp_module, 2, NULL, NULL },
  { &ll_layer_batch_normalization, batch_norm_module, 1, batch_norm_tensors,
    "nn.BatchNorm1d, nn.BatchNorm2d" },
  { &ll_layer_dropout, dropout_module, 1, NULL, NULL },
  { &ll_layer_activation, NULL, 0, NULL, NULL },   /* its activation only */
  { &ll_layer_flatten, flatten_module, 1, flatten_tensors, NULL },
  { &ll_layer_reshape, reshape_module, 1, reshape_tensors, NULL },
};

static int
row_of (const LlLayerType *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (rows[i].type == type)
      return (int) i;
  return -1;
}

gboolean
ll_pytorch_knows (const LlLayerType *type)
{
  return row_of (type) >= 0;
}

void
ll_pytorch_modules (GString *s, const LlArch *arch, const LlShape *shapes, int i,
                    gboolean last, int *module)
{
  const LlLayerSpec *spec;
  g_autoptr(GError) declined = NULL;
  int r;

  g_return_if_fail (s != NULL && arch != NULL && shapes != NULL && module != NULL);
  g_return_if_fail (i >= 1 && i < ll_arch_n_layers (arch));

  spec = ll_arch_layer (arch, i);
  r = row_of (spec->type);
  if (!ll_layer_type_check_backend (spec->type, LL_BACKEND_PYTORCH, &declined) || r < 0)
    {
      g_string_append_printf (s, "    # %s: %s\n", spec->type->name,
                              declined != NULL ? declined->message : "no PyTorch module; write it by hand");
      return;
    }
  if (rows[r].module != NULL)
    {
      rows[r].module (s, spec, &shapes[i - 1], &shapes[i]);
      *module += rows[r].n_modules;
    }
  if (ll_layer_param_index (spec->type, "activation") >= 0)
    activation_module (s, ll_layer_spec_activation (spec), last, module);
}

void
ll_pytorch_layer_tensors (LlModel *model, int i, int **perm, LlPytorchPut put, gpointer user_data)
{
  Layer l;
  int r;

  g_return_if_fail (model != NULL && perm != NULL && put != NULL);

  l.model = model;
  l.layer = i;
  l.spec = ll_arch_layer (ll_model_get_arch (model), i);
  l.in = ll_model_layer_shape (model, i - 1);
  l.out = ll_model_layer_shape (model, i);
  r = row_of (l.spec->type);
  if (r >= 0 && rows[r].tensors != NULL)
    rows[r].tensors (&l, perm, put, user_data);
}

char *
ll_pytorch_weight_modules (void)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (rows[i].weight_modules != NULL)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", rows[i].weight_modules);
  return g_string_free (s, FALSE);
}
