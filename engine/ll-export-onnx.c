/* ll-export-onnx.c: a model as an ONNX ModelProto, serialized by
 * protobuf-c from the project's own subset of onnx.proto
 * (onnx/layerlab-onnx.proto).
 *
 * Layerlab keeps images channels last (NHWC) like Keras; ONNX's Conv,
 * pooling and BatchNormalization work channels first (NCHW).  The graph
 * therefore tracks the layout of the running tensor and inserts a
 * Transpose only where the next operator needs the other one: before the
 * first image operator, and back to NHWC before a Flatten or Reshape, so
 * that the flattened order is Keras' and the Dense kernels keep their rows.
 *
 * Every message, string and array of the graph lives in one pool freed
 * after packing: protobuf-c's own free function would expect each piece
 * to come from its allocator. */
#include "ll-export-onnx.h"
#include "layerlab-onnx.pb-c.h"

#include <string.h>
#include <glib/gi18n-lib.h>

typedef enum {
  LAYOUT_FLAT,                     /* [N, units] */
  LAYOUT_NHWC,                     /* [N, H, W, C], Layerlab's own */
  LAYOUT_NCHW,                     /* [N, C, H, W], ONNX's image operators */
} Layout;

typedef struct {
  GPtrArray *pool;                 /* everything allocated for the graph */
  GPtrArray *nodes;                /* of Onnx__NodeProto * */
  GPtrArray *inits;                /* of Onnx__TensorProto * */
  const char *cur;                 /* name of the running tensor */
  Layout layout;
  const char *scope;               /* layer name, prefix of node and tensor names */
} Graph;

static gpointer
pool_alloc (Graph *g, gsize size)
{
  gpointer p = g_malloc0 (size);
  g_ptr_array_add (g->pool, p);
  return p;
}

static char *
pool_strdup_printf (Graph *g, const char *format, ...) G_GNUC_PRINTF (2, 3);

static char *
pool_strdup_printf (Graph *g, const char *format, ...)
{
  va_list args;
  char *s;

  va_start (args, format);
  s = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (g->pool, s);
  return s;
}

/* Tensor and node names: "conv2d/Conv", "conv2d/Conv_1" if taken. */
static char *
unique_name (Graph *g, const char *what)
{
  char *name = pool_strdup_printf (g, "%s/%s", g->scope, what);

  for (int k = 1; ; k++)
    {
      gboolean taken = FALSE;
      for (guint i = 0; i < g->nodes->len && !taken; i++)
        {
          Onnx__NodeProto *n = g_ptr_array_index (g->nodes, i);
          taken = strcmp (n->name, name) == 0;
        }
      for (guint i = 0; i < g->inits->len && !taken; i++)
        {
          Onnx__TensorProto *t = g_ptr_array_index (g->inits, i);
          taken = strcmp (t->name, name) == 0;
        }
      if (!taken)
        return name;
      name = pool_strdup_printf (g, "%s/%s_%d", g->scope, what, k);
    }
}

/* A node reading the running tensor (and further named inputs) whose
 * single output becomes the running tensor. */
static Onnx__NodeProto *
add_node (Graph *g, const char *op_type, int n_extra, const char *const *extra)
{
  Onnx__NodeProto *n = pool_alloc (g, sizeof *n);

  onnx__node_proto__init (n);
  n->name = unique_name (g, op_type);
  n->op_type = (char *) op_type;
  n->n_input = 1 + (gsize) n_extra;
  n->input = pool_alloc (g, n->n_input * sizeof (char *));
  n->input[0] = (char *) g->cur;
  for (int i = 0; i < n_extra; i++)
    n->input[1 + i] = (char *) extra[i];
  n->n_output = 1;
  n->output = pool_alloc (g, sizeof (char *));
  n->output[0] = n->name;          /* one output per node: the node's name is free */
  g_ptr_array_add (g->nodes, n);
  g->cur = n->output[0];
  return n;
}

static Onnx__AttributeProto *
add_attribute (Graph *g, Onnx__NodeProto *n, const char *name,
               Onnx__AttributeProto__AttributeType type)
{
  Onnx__AttributeProto *a = pool_alloc (g, sizeof *a);
  Onnx__AttributeProto **list = pool_alloc (g, (n->n_attribute + 1) * sizeof *list);

  onnx__attribute_proto__init (a);
  a->name = (char *) name;
  a->has_type = TRUE;
  a->type = type;
  if (n->n_attribute > 0)
    memcpy (list, n->attribute, n->n_attribute * sizeof *list);
  list[n->n_attribute++] = a;
  n->attribute = list;
  return a;
}

static void
attr_int (Graph *g, Onnx__NodeProto *n, const char *name, gint64 value)
{
  Onnx__AttributeProto *a = add_attribute (g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = TRUE;
  a->i = value;
}

static void
attr_float (Graph *g, Onnx__NodeProto *n, const char *name, float value)
{
  Onnx__AttributeProto *a = add_attribute (g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = TRUE;
  a->f = value;
}

static void
attr_ints (Graph *g, Onnx__NodeProto *n, const char *name, int count, const gint64 *values)
{
  Onnx__AttributeProto *a = add_attribute (g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->n_ints = (gsize) count;
  a->ints = pool_alloc (g, (gsize) count * sizeof (int64_t));
  for (int i = 0; i < count; i++)
    a->ints[i] = values[i];
}

static Onnx__TensorProto *
add_tensor (Graph *g, const char *what, int rank, const gint64 *dims, int data_type)
{
  Onnx__TensorProto *t = pool_alloc (g, sizeof *t);

  onnx__tensor_proto__init (t);
  t->name = unique_name (g, what);
  t->n_dims = (gsize) rank;
  t->dims = pool_alloc (g, MAX (rank, 1) * sizeof (int64_t));
  for (int i = 0; i < rank; i++)
    t->dims[i] = dims[i];
  t->has_data_type = TRUE;
  t->data_type = data_type;
  g_ptr_array_add (g->inits, t);
  return t;
}

/* A float initializer; raw_data is little-endian IEEE 754 by the spec. */
static const char *
add_floats (Graph *g, const char *what, int rank, const gint64 *dims, const float *data)
{
  Onnx__TensorProto *t = add_tensor (g, what, rank, dims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  gsize n = 1;
  guint32 *raw;

  for (int i = 0; i < rank; i++)
    n *= (gsize) dims[i];
  raw = pool_alloc (g, MAX (n, 1) * sizeof (float));
  memcpy (raw, data, n * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    raw[i] = GUINT32_TO_LE (raw[i]);
#endif
  t->has_raw_data = TRUE;
  t->raw_data.len = n * sizeof (float);
  t->raw_data.data = (uint8_t *) raw;
  return t->name;
}

static const char *
add_vector (Graph *g, const char *what, int n, const float *data)
{
  gint64 dims[1] = { n };
  return add_floats (g, what, 1, dims, data);
}

static const char *
add_constant_vector (Graph *g, const char *what, int n, float value)
{
  float *v = pool_alloc (g, (gsize) n * sizeof (float));
  for (int i = 0; i < n; i++)
    v[i] = value;
  return add_vector (g, what, n, v);
}

static const char *
add_int64s (Graph *g, const char *what, int n, const gint64 *data)
{
  gint64 dims[1] = { n };
  Onnx__TensorProto *t = add_tensor (g, what, 1, dims, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);

  t->n_int64_data = (gsize) n;
  t->int64_data = pool_alloc (g, (gsize) n * sizeof (int64_t));
  for (int i = 0; i < n; i++)
    t->int64_data[i] = data[i];
  return t->name;
}

static void
to_layout (Graph *g, Layout want)
{
  static const gint64 to_nchw[4] = { 0, 3, 1, 2 }, to_nhwc[4] = { 0, 2, 3, 1 };
  Onnx__NodeProto *n;

  if (g->layout == want || g->layout == LAYOUT_FLAT)
    return;
  n = add_node (g, "Transpose", 0, NULL);
  attr_ints (g, n, "perm", 4, want == LAYOUT_NCHW ? to_nchw : to_nhwc);
  g->layout = want;
}

/* Softmax on an image runs over each pixel's channels (the last axis, as
 * in Keras): axis 1 in NCHW, axis 3 in NHWC (opset 13 takes any axis). */
static void
add_image_softmax (Graph *g)
{
  Onnx__NodeProto *n = add_node (g, "Softmax", 0, NULL);
  attr_int (g, n, "axis", g->layout == LAYOUT_NCHW ? 1 : 3);
}

static void
add_activation (Graph *g, LlActivation act, const LlShape *shape)
{
  Onnx__NodeProto *n;

  switch (act)
    {
    case LL_ACT_RELU:
      add_node (g, "Relu", 0, NULL);
      break;
    case LL_ACT_SIGMOID:
      add_node (g, "Sigmoid", 0, NULL);
      break;
    case LL_ACT_TANH:
      add_node (g, "Tanh", 0, NULL);
      break;
    case LL_ACT_SOFTMAX:
      if (g->layout != LAYOUT_FLAT)
        {
          add_image_softmax (g);
          break;
        }
      n = add_node (g, "Softmax", 0, NULL);
      attr_int (g, n, "axis", 1);
      break;
    case LL_ACT_LINEAR:
    default:
      break;
    }
}

static const LlWeightView *
find_weight (const LlWeightView *views, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (views[i].info->name, name) == 0)
      return &views[i];
  return NULL;
}

/* Window placement as the engine (and Keras/TensorFlow) computes it:
 * "same" pads the shortfall, half before and the odd one after. */
static void
window_pads (int n, int k, int s, gboolean same, gint64 *before, gint64 *after)
{
  int out, total;

  *before = *after = 0;
  if (!same)
    return;
  out = (n + s - 1) / s;
  total = MAX ((out - 1) * s + k - n, 0);
  *before = total / 2;
  *after = total - total / 2;
}

static void
add_conv (Graph *g, LlModel *model, int layer, const LlLayerSpec *spec, const LlShape *in)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  int n_views = ll_model_layer_weights (model, layer, views);
  const LlWeightView *kernel = find_weight (views, n_views, "kernel");
  const LlWeightView *bias = find_weight (views, n_views, "bias");
  int k = kernel->info->dims[0], cin = kernel->info->dims[2], f = kernel->info->dims[3];
  int s = (int) ll_layer_spec_get (spec, "strides", 1);
  gboolean same = g_strcmp0 (ll_layer_spec_get_choice (spec, "padding"), "same") == 0;
  gint64 dims[4] = { f, cin, k, k }, shape[2] = { k, k }, strides[2] = { s, s }, pads[4];
  float *w = pool_alloc (g, (gsize) f * cin * k * k * sizeof (float));
  const char *inputs[2];
  Onnx__NodeProto *n;

  /* Keras (kh, kw, cin, filters) to ONNX (filters, cin, kh, kw). */
  for (int o = 0; o < f; o++)
    for (int c = 0; c < cin; c++)
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          w[(((gsize) o * cin + c) * k + ky) * k + kx] =
            kernel->data[(((gsize) ky * k + kx) * cin + c) * f + o];

  window_pads (in->d[0], k, s, same, &pads[0], &pads[2]);
  window_pads (in->d[1], k, s, same, &pads[1], &pads[3]);
  inputs[0] = add_floats (g, "kernel", 4, dims, w);
  if (bias != NULL)
    inputs[1] = add_vector (g, "bias", f, bias->data);
  to_layout (g, LAYOUT_NCHW);
  n = add_node (g, "Conv", bias != NULL ? 2 : 1, inputs);
  attr_ints (g, n, "kernel_shape", 2, shape);
  attr_ints (g, n, "strides", 2, strides);
  attr_ints (g, n, "pads", 4, pads);
}

static void
add_pool (Graph *g, const LlLayerSpec *spec, const LlShape *in, gboolean average)
{
  int p = (int) ll_layer_spec_get (spec, "pool_size", 2);
  int s = (int) ll_layer_spec_get (spec, "strides", 0);
  gboolean same = g_strcmp0 (ll_layer_spec_get_choice (spec, "padding"), "same") == 0;
  gint64 shape[2], strides[2], pads[4];
  Onnx__NodeProto *n;

  if (s <= 0)
    s = p;                         /* Keras' strides=None */
  shape[0] = shape[1] = p;
  strides[0] = strides[1] = s;
  window_pads (in->d[0], p, s, same, &pads[0], &pads[2]);
  window_pads (in->d[1], p, s, same, &pads[1], &pads[3]);
  to_layout (g, LAYOUT_NCHW);
  n = add_node (g, average ? "AveragePool" : "MaxPool", 0, NULL);
  attr_ints (g, n, "kernel_shape", 2, shape);
  attr_ints (g, n, "strides", 2, strides);
  attr_ints (g, n, "pads", 4, pads);
  /* Keras averages over the cells inside the image only. */
  if (average)
    attr_int (g, n, "count_include_pad", 0);
}

static void
add_batch_norm (Graph *g, LlModel *model, int layer, const LlLayerSpec *spec, const LlShape *in)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  int n_views = ll_model_layer_weights (model, layer, views);
  const LlWeightView *gamma = find_weight (views, n_views, "gamma");
  const LlWeightView *beta = find_weight (views, n_views, "beta");
  const LlWeightView *mean = find_weight (views, n_views, "moving_mean");
  const LlWeightView *var = find_weight (views, n_views, "moving_variance");
  int c = in->d[in->rank - 1];
  const char *inputs[4];
  Onnx__NodeProto *n;

  inputs[0] = gamma != NULL ? add_vector (g, "gamma", c, gamma->data)
                            : add_constant_vector (g, "gamma", c, 1.0f);
  inputs[1] = beta != NULL ? add_vector (g, "beta", c, beta->data)
                           : add_constant_vector (g, "beta", c, 0.0f);
  inputs[2] = add_vector (g, "moving_mean", c, mean->data);
  inputs[3] = add_vector (g, "moving_variance", c, var->data);
  /* ONNX normalizes axis 1: the channels of NCHW, the units of [N, C]. */
  to_layout (g, LAYOUT_NCHW);
  n = add_node (g, "BatchNormalization", 4, inputs);
  attr_float (g, n, "epsilon", (float) ll_layer_spec_get (spec, "epsilon", 0.001));
}

static void
add_dense (Graph *g, LlModel *model, int layer)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  int n_views = ll_model_layer_weights (model, layer, views);
  const LlWeightView *kernel = find_weight (views, n_views, "kernel");
  const LlWeightView *bias = find_weight (views, n_views, "bias");
  int n_in = kernel->info->dims[0], units = kernel->info->dims[1];
  gint64 dims[2] = { units, n_in };
  float *w = pool_alloc (g, (gsize) n_in * units * sizeof (float));
  const char *inputs[2];
  Onnx__NodeProto *n;

  /* B is stored (units, in) with transB=1, the form every reader handles
   * (OpenCV 4.6 takes B's first dimension for the output size).  A zero
   * bias when use_bias is off keeps one node form too. */
  for (int i = 0; i < n_in; i++)
    for (int u = 0; u < units; u++)
      w[(gsize) u * n_in + i] = kernel->data[(gsize) i * units + u];
  inputs[0] = add_floats (g, "kernel", 2, dims, w);
  inputs[1] = bias != NULL ? add_vector (g, "bias", units, bias->data)
                           : add_constant_vector (g, "bias", units, 0.0f);
  n = add_node (g, "Gemm", 2, inputs);
  attr_int (g, n, "transB", 1);
}

static void
add_flatten (Graph *g)
{
  Onnx__NodeProto *n;

  if (g->layout == LAYOUT_FLAT)
    return;
  to_layout (g, LAYOUT_NHWC);
  n = add_node (g, "Flatten", 0, NULL);
  attr_int (g, n, "axis", 1);
  g->layout = LAYOUT_FLAT;
}

static void
add_reshape (Graph *g, const LlShape *out)
{
  gint64 shape[4] = { -1, out->d[0], out->d[1], out->d[2] };
  const char *inputs[1];

  to_layout (g, LAYOUT_NHWC);
  inputs[0] = add_int64s (g, "shape", 4, shape);
  add_node (g, "Reshape", 1, inputs);
  g->layout = LAYOUT_NHWC;
}

static void
add_global_pool (Graph *g, const char *op_type)
{
  Onnx__NodeProto *n;

  to_layout (g, LAYOUT_NCHW);
  add_node (g, op_type, 0, NULL);
  /* [N, C, 1, 1] to Keras' [N, C]. */
  n = add_node (g, "Flatten", 0, NULL);
  attr_int (g, n, "axis", 1);
  g->layout = LAYOUT_FLAT;
}

/* A float tensor of shape [N, shape...]; the batch is left symbolic. */
static Onnx__ValueInfoProto *
value_info (Graph *g, const char *name, const LlShape *shape)
{
  Onnx__ValueInfoProto *v = pool_alloc (g, sizeof *v);
  Onnx__TypeProto *type = pool_alloc (g, sizeof *type);
  Onnx__TypeProto__Tensor *tensor = pool_alloc (g, sizeof *tensor);
  Onnx__TensorShapeProto *tshape = pool_alloc (g, sizeof *tshape);
  int rank = shape->rank + 1;

  onnx__value_info_proto__init (v);
  onnx__type_proto__init (type);
  onnx__type_proto__tensor__init (tensor);
  onnx__tensor_shape_proto__init (tshape);
  tshape->n_dim = (gsize) rank;
  tshape->dim = pool_alloc (g, (gsize) rank * sizeof (Onnx__TensorShapeProto__Dimension *));
  for (int i = 0; i < rank; i++)
    {
      Onnx__TensorShapeProto__Dimension *d = pool_alloc (g, sizeof *d);
      onnx__tensor_shape_proto__dimension__init (d);
      if (i == 0)
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          d->dim_param = "N";
        }
      else
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = shape->d[i - 1];
        }
      tshape->dim[i] = d;
    }
  tensor->has_elem_type = TRUE;
  tensor->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tensor->shape = tshape;
  type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type->tensor_type = tensor;
  v->name = (char *) name;
  v->type = type;
  return v;
}

/* Uniform entry points for the table below. */
typedef struct {
  LlModel *model;
  int layer;
  const LlLayerSpec *spec;
  LlShape in, out;
} Layer;

static void onnx_nothing (Graph *g, const Layer *l) { }   /* dropout: the identity when predicting */
static void onnx_dense (Graph *g, const Layer *l) { add_dense (g, l->model, l->layer); }
static void onnx_conv2d (Graph *g, const Layer *l) { add_conv (g, l->model, l->layer, l->spec, &l->in); }
static void onnx_max_pool (Graph *g, const Layer *l) { add_pool (g, l->spec, &l->in, FALSE); }
static void onnx_avg_pool (Graph *g, const Layer *l) { add_pool (g, l->spec, &l->in, TRUE); }
static void onnx_gap (Graph *g, const Layer *l) { add_global_pool (g, "GlobalAveragePool"); }
static void onnx_gmp (Graph *g, const Layer *l) { add_global_pool (g, "GlobalMaxPool"); }
static void onnx_batch_norm (Graph *g, const Layer *l) { add_batch_norm (g, l->model, l->layer, l->spec, &l->in); }
static void onnx_flatten (Graph *g, const Layer *l) { add_flatten (g); }
static void onnx_reshape (Graph *g, const Layer *l) { add_reshape (g, &l->out); }

/* The ONNX column of the layer table: every type the back-end rows mark
 * as supported by ONNX has a row here (tests/test-backends.c).  A layer's
 * activation is added after it, whatever its type. */
static const struct {
  const LlLayerType *type;
  void (*add) (Graph *g, const Layer *l);
} onnx_layers[] = {
  { &ll_layer_input, onnx_nothing },              /* the graph's input */
  { &ll_layer_dense, onnx_dense },
  { &ll_layer_conv2d, onnx_conv2d },
  { &ll_layer_max_pooling2d, onnx_max_pool },
  { &ll_layer_average_pooling2d, onnx_avg_pool },
  { &ll_layer_global_average_pooling2d, onnx_gap },
  { &ll_layer_global_max_pooling2d, onnx_gmp },
  { &ll_layer_batch_normalization, onnx_batch_norm },
  { &ll_layer_flatten, onnx_flatten },
  { &ll_layer_reshape, onnx_reshape },
  { &ll_layer_dropout, onnx_nothing },
  { &ll_layer_activation, onnx_nothing },
};

static void (*onnx_adder (const LlLayerType *type)) (Graph *, const Layer *)
{
  for (gsize i = 0; i < G_N_ELEMENTS (onnx_layers); i++)
    if (onnx_layers[i].type == type)
      return onnx_layers[i].add;
  return NULL;
}

gboolean
ll_export_onnx_knows (const LlLayerType *type)
{
  return onnx_adder (type) != NULL;
}

static gboolean
build_graph (Graph *g, LlModel *model, GError **error)
{
  const LlArch *arch = ll_model_get_arch (model);
  int n_layers = ll_model_n_layers (model);

  g->cur = "input";
  g->layout = LAYOUT_NHWC;
  for (int i = 1; i < n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      const LlLayerType *type = spec->type;
      LlShape in = ll_model_layer_shape (model, i - 1), out = ll_model_layer_shape (model, i);
      g_autofree char *scope = ll_arch_layer_name (arch, i);

      g->scope = pool_strdup_printf (g, "%s", scope);
      {
        void (*add) (Graph *, const Layer *) = onnx_adder (type);
        Layer l = { model, i, spec, in, out };

        if (!ll_layer_type_check_backend (type, LL_BACKEND_ONNX, error) || add == NULL)
          {
            if (error != NULL && *error == NULL)
              g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                           _("Layer %d (%s) cannot be exported to ONNX yet. "
                           "Remove it or export to another format."), i, type->name);
            return FALSE;
          }
        add (g, &l);
      }
      add_activation (g, ll_layer_spec_activation (spec), &out);
    }
  to_layout (g, LAYOUT_NHWC);

  /* The graph's output carries a fixed name for readers. */
  if (g->nodes->len > 0)
    {
      Onnx__NodeProto *last = g_ptr_array_index (g->nodes, g->nodes->len - 1);
      last->output[0] = "output";
    }
  else
    {
      g->scope = "output";
      add_node (g, "Identity", 0, NULL);
      ((Onnx__NodeProto *) g_ptr_array_index (g->nodes, 0))->output[0] = "output";
    }
  g->cur = "output";
  return TRUE;
}

GBytes *
ll_export_onnx_bytes (LlModel *model, GError **error)
{
  g_autoptr (GPtrArray) pool = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr (GPtrArray) inits = g_ptr_array_new ();
  Graph g = { pool, nodes, inits, NULL, LAYOUT_NHWC, NULL };
  Onnx__ModelProto mp = ONNX__MODEL_PROTO__INIT;
  Onnx__GraphProto graph = ONNX__GRAPH_PROTO__INIT;
  Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  Onnx__OperatorSetIdProto *opsets[1] = { &opset };
  Onnx__ValueInfoProto *inputs[1], *outputs[1];
  LlShape in_shape, out_shape;
  gsize size;
  guint8 *buf;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!build_graph (&g, model, error))
    return NULL;

  in_shape = ll_model_input_shape (model);
  out_shape = ll_model_output_shape (model);
  inputs[0] = value_info (&g, "input", &in_shape);
  outputs[0] = value_info (&g, "output", &out_shape);

  graph.name = "layerlab";
  graph.doc_string = "Exported by Layerlab. Input: [N, height, width, channels] "
                     "float images scaled to [0, 1], channels last.";
  graph.n_node = nodes->len;
  graph.node = (Onnx__NodeProto **) nodes->pdata;
  graph.n_initializer = inits->len;
  graph.initializer = (Onnx__TensorProto **) inits->pdata;
  graph.n_input = 1;
  graph.input = inputs;
  graph.n_output = 1;
  graph.output = outputs;

  opset.domain = "";                /* the default ai.onnx domain */
  opset.has_version = TRUE;
  opset.version = LL_EXPORT_ONNX_OPSET;

  mp.has_ir_version = TRUE;
  mp.ir_version = LL_EXPORT_ONNX_IR_VERSION;
  mp.n_opset_import = 1;
  mp.opset_import = opsets;
  mp.producer_name = "Layerlab";
  mp.has_model_version = TRUE;
  mp.model_version = 1;
  mp.graph = &graph;

  size = onnx__model_proto__get_packed_size (&mp);
  buf = g_malloc (MAX (size, 1));
  onnx__model_proto__pack (&mp, buf);
  return g_bytes_new_take (buf, size);
}

gboolean
ll_export_onnx (LlModel *model, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (path != NULL, FALSE);

  bytes = ll_export_onnx_bytes (model, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (!g_file_set_contents_full (path, data, (gssize) size, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Could not write the ONNX model: %s. Choose a folder you can write to."),
                   local->message);
      return FALSE;
    }
  return TRUE;
}
