/* ll-import-onnx.c: an ONNX model (as PyTorch, Keras' tf2onnx or Layerlab
 * itself export it) read into Layerlab's layers.
 *
 * The graph must be one chain from its input to its output through
 * operators that map onto the engine's layers (docs/import-formats.md).
 * ONNX images are channels first (NCHW) and the engine's channels last
 * (NHWC): the cursor below tracks how the running ONNX tensor relates to
 * the engine's, so that weights are permuted once here and nothing is
 * transposed at run time.  A Flatten of a channels-first image orders its
 * values (c, h, w) where the engine's Flatten gives (h, w, c): that order
 * is remembered and applied to the rows of the Dense kernel that reads it.
 *
 * Whatever cannot be mapped exactly is refused with the node's name and
 * operator: a wrong model is worse than none. */
#include "ll-import-private.h"
#include "layerlab-onnx.pb-c.h"

#include <math.h>
#include <string.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>

#define OPSET_MIN 9
#define OPSET_MAX 17
#define MAX_RANK  8

typedef struct {
  int rank;
  gint64 dims[MAX_RANK];
  gsize n;
  float *f;                        /* FLOAT tensors, owned */
  gint64 *i;                       /* INT64 and INT32 tensors, owned */
} Const;

static void
const_free (gpointer p)
{
  Const *c = p;
  g_free (c->f);
  g_free (c->i);
  g_free (c);
}

typedef enum {
  LAYOUT_FLAT,                     /* [N, K]: the engine's flat vector */
  LAYOUT_NCHW,                     /* [N, C, H, W] over the engine's (H, W, C) image */
  LAYOUT_NHWC,                     /* [N, H, W, C]: the engine's own */
  LAYOUT_POOLED,                   /* [N, C, 1, 1] over the engine's flat (C) */
} Layout;

typedef struct {
  const char *tensor;              /* the running ONNX tensor */
  Layout layout;
  LlShape shape;                   /* the engine's shape of that value */
  /* LAYOUT_FLAT made from a channels-first image: ONNX's feature
   * c·h·w + y·w + x is the engine's (y·w + x)·c + c. */
  gboolean chw;
  int fc, fh, fw;
  int foldable;                    /* layer whose linear output is the tensor, else -1 */
} Cursor;

typedef struct {
  Onnx__ModelProto *mp;
  Onnx__GraphProto *g;
  gint64 opset;
  GHashTable *consts;              /* name → Const */
  gboolean *visited;               /* per node */
  LlImportBuilder b;
  Cursor cur;
  gboolean nhwc_producer;          /* Layerlab's own export: its images are channels last */
} Importer;

/* "node “conv1” (Conv)", or its index when it has no name. */
static char *
node_label (const Importer *im, const Onnx__NodeProto *n)
{
  if (n->name != NULL && n->name[0] != '\0')
    return g_strdup_printf ("node “%s” (%s)", n->name, n->op_type != NULL ? n->op_type : "?");
  for (gsize i = 0; i < im->g->n_node; i++)
    if (im->g->node[i] == n)
      return g_strdup_printf ("node %" G_GSIZE_FORMAT " (%s)", i,
                              n->op_type != NULL ? n->op_type : "?");
  return g_strdup ("a node");
}

#define NODE_FAIL(code, ...) G_STMT_START { \
    g_autofree char *label_ = node_label (im, n); \
    g_autofree char *msg_ = g_strdup_printf (__VA_ARGS__); \
    g_set_error (error, LL_ERROR, code, "ONNX %s: %s", label_, msg_); \
    return FALSE; \
  } G_STMT_END

/* Tensors ------------------------------------------------------------- */

static gboolean
tensor_count (const Onnx__TensorProto *t, int *rank, gint64 *dims, gsize *n, GError **error)
{
  gsize total = 1;

  if (t->n_dims > MAX_RANK)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("ONNX tensor “%s” has %zu dimensions"), t->name != NULL ? t->name : "", t->n_dims);
      return FALSE;
    }
  for (gsize i = 0; i < t->n_dims; i++)
    {
      if (t->dims[i] < 0 || t->dims[i] > ((gint64) 1 << 31)
          || (t->dims[i] > 0 && total > LL_IMPORT_MAX_PARAMS / (gsize) t->dims[i]))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("ONNX tensor “%s” declares a dimension of %" PRId64
                       ": too large or negative"), t->name != NULL ? t->name : "", t->dims[i]);
          return FALSE;
        }
      total *= (gsize) t->dims[i];
      dims[i] = t->dims[i];
    }
  *rank = (int) t->n_dims;
  *n = total;
  return TRUE;
}

/* Decodes an initializer or a Constant's value.  Sizes are checked against
 * the bytes the file really holds before anything is allocated. */
static Const *
const_from_tensor (const Onnx__TensorProto *t, GError **error)
{
  const char *name = t->name != NULL ? t->name : "";
  g_autoptr(GError) local = NULL;
  Const *c = g_new0 (Const, 1);
  int type = t->has_data_type ? t->data_type : 0;

  if (!tensor_count (t, &c->rank, c->dims, &c->n, error))
    goto fail;
  if ((t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
      || t->n_external_data > 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("ONNX tensor “%s” keeps its values in a separate file; Layerlab reads "
                   "models with their weights inside (onnx.save without external data)"), name);
      goto fail;
    }
  if (t->segment != NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("ONNX tensor “%s” is split into segments, which Layerlab does not read"), name);
      goto fail;
    }
  switch (type)
    {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      if (t->has_raw_data ? t->raw_data.len != c->n * 4 : t->n_float_data != c->n)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("ONNX tensor “%s” declares %zu values but holds %zu: the file is damaged"), name, c->n,
                       t->has_raw_data ? t->raw_data.len / 4 : t->n_float_data);
          goto fail;
        }
      c->f = g_new (float, MAX (c->n, 1));
      if (t->has_raw_data)
        for (gsize k = 0; k < c->n; k++)
          {
            guint32 bits;
            memcpy (&bits, t->raw_data.data + 4 * k, 4);
            bits = GUINT32_FROM_LE (bits);
            memcpy (&c->f[k], &bits, 4);
          }
      else if (c->n > 0)
        memcpy (c->f, t->float_data, c->n * sizeof (float));
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      {
        gsize width = type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ? 8 : 4;
        gsize held = t->has_raw_data ? t->raw_data.len / width
                     : width == 8 ? t->n_int64_data : t->n_int32_data;
        if ((t->has_raw_data && t->raw_data.len != c->n * width) || held != c->n)
          {
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                         _("ONNX tensor “%s” declares %zu values but holds %zu: the file is damaged"), name, c->n, held);
            goto fail;
          }
        c->i = g_new (gint64, MAX (c->n, 1));
        for (gsize k = 0; k < c->n; k++)
          {
            if (t->has_raw_data && width == 8)
              {
                guint64 v;
                memcpy (&v, t->raw_data.data + 8 * k, 8);
                c->i[k] = (gint64) GUINT64_FROM_LE (v);
              }
            else if (t->has_raw_data)
              {
                guint32 v;
                memcpy (&v, t->raw_data.data + 4 * k, 4);
                c->i[k] = (gint32) GUINT32_FROM_LE (v);
              }
            else
              c->i[k] = width == 8 ? t->int64_data[k] : t->int32_data[k];
          }
      }
      break;
    default:
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("ONNX tensor “%s” has data type %d; Layerlab reads float32 weights "
                   "(and int64 shapes)"), name, type);
      goto fail;
    }
  return c;

fail:
  const_free (c);
  return NULL;
}

static const Const *
get_const (Importer *im, const Onnx__NodeProto *n, gsize input)
{
  if (input >= n->n_input || n->input[input] == NULL || n->input[input][0] == '\0')
    return NULL;
  return g_hash_table_lookup (im->consts, n->input[input]);
}

/* Attributes ---------------------------------------------------------- */

static const Onnx__AttributeProto *
find_attr (const Onnx__NodeProto *n, const char *name)
{
  for (gsize i = 0; i < n->n_attribute; i++)
    if (n->attribute[i]->name != NULL && strcmp (n->attribute[i]->name, name) == 0)
      return n->attribute[i];
  return NULL;
}

static gint64
attr_int (const Onnx__NodeProto *n, const char *name, gint64 fallback)
{
  const Onnx__AttributeProto *a = find_attr (n, name);
  return a != NULL && a->has_i ? a->i : fallback;
}

static double
attr_float (const Onnx__NodeProto *n, const char *name, double fallback)
{
  const Onnx__AttributeProto *a = find_attr (n, name);
  return a != NULL && a->has_f ? a->f : fallback;
}

/* Up to max ints; returns the count, 0 when absent, -1 when longer. */
static int
attr_ints (const Onnx__NodeProto *n, const char *name, gint64 *out, int max)
{
  const Onnx__AttributeProto *a = find_attr (n, name);
  if (a == NULL)
    return 0;
  if (a->n_ints > (gsize) max)
    return -1;
  for (gsize i = 0; i < a->n_ints; i++)
    out[i] = a->ints[i];
  return (int) a->n_ints;
}

static const char *
attr_string (const Onnx__NodeProto *n, const char *name, char *buf, gsize size)
{
  const Onnx__AttributeProto *a = find_attr (n, name);
  gsize len;
  if (a == NULL || !a->has_s)
    return NULL;
  len = MIN (a->s.len, size - 1);
  memcpy (buf, a->s.data, len);
  buf[len] = '\0';
  return buf;
}

/* Layers -------------------------------------------------------------- */

static gboolean
spec_set (Importer *im, const Onnx__NodeProto *n, LlLayerSpec *spec, const char *param,
          double value, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!ll_layer_spec_set (spec, param, value, &local))
    NODE_FAIL (LL_ERROR_INVALID, "%s", local->message);
  return TRUE;
}

static int
add_layer (Importer *im, const LlLayerSpec *spec)
{
  return ll_import_add_layer (&im->b, spec);
}

/* The engine image (h, w, c) behind the cursor's ONNX image, inserting a
 * Reshape after a global pooling ([N, C, 1, 1] is an image to ONNX). */
static gboolean
need_nchw (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  if (im->cur.layout == LAYOUT_POOLED)
    {
      LlLayerSpec spec;
      ll_layer_spec_init (&spec, &ll_layer_reshape);
      spec.v[0] = 1;
      spec.v[1] = 1;
      if (!spec_set (im, n, &spec, "channels", im->cur.shape.d[0], error))
        return FALSE;
      add_layer (im, &spec);
      im->cur.shape = ll_shape_image (1, 1, im->cur.shape.d[0]);
      im->cur.layout = LAYOUT_NCHW;
    }
  if (im->cur.layout == LAYOUT_NCHW)
    return TRUE;
  if (im->cur.layout == LAYOUT_NHWC)
    NODE_FAIL (LL_ERROR_FORMAT, "it reads a channels-last image as if it were channels first; "
               "Layerlab cannot map that onto its layers");
  NODE_FAIL (LL_ERROR_SHAPE, "it needs an image [N, C, H, W] but gets a flat [N, %d] tensor",
             im->cur.shape.d[0]);
}

/* Index in ONNX's order of the engine's flat feature e. */
static gsize
onnx_feature (const Cursor *c, gsize e)
{
  gsize ch, pix;
  if (!c->chw)
    return e;
  ch = e % (gsize) c->fc;
  pix = e / (gsize) c->fc;
  return ch * (gsize) c->fh * c->fw + pix;
}

/* Where a window of k cells with stride s lands on n cells, as ONNX
 * places it, matched against the engine's "valid" (bit 0) and "same"
 * (bit 1); returns the set of engine paddings that give the same windows. */
static int
padding_matches (int n, int k, int s, gint64 begin, gint64 end, const char *auto_pad,
                 gboolean ceil_mode)
{
  gint64 out, b = begin;
  int set = 0, out_v, out_s, total;

  if (g_strcmp0 (auto_pad, "SAME_UPPER") == 0 || g_strcmp0 (auto_pad, "SAME_LOWER") == 0)
    {
      gint64 t;
      out = (n + s - 1) / s;
      t = MAX ((out - 1) * s + k - n, 0);
      b = g_strcmp0 (auto_pad, "SAME_UPPER") == 0 ? t / 2 : t - t / 2;
    }
  else if (g_strcmp0 (auto_pad, "VALID") == 0)
    {
      out = n >= k ? (n - k) / s + 1 : 0;
      b = 0;
    }
  else
    {
      gint64 span = n + begin + end - k;
      if (span < 0)
        return 0;
      out = ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
      /* ceil_mode never starts a window in the trailing padding. */
      if (ceil_mode && (out - 1) * s >= n + begin)
        out--;
    }
  out_v = n >= k ? (n - k) / s + 1 : 0;
  out_s = (n + s - 1) / s;
  total = MAX ((out_s - 1) * s + k - n, 0);
  if (out == out_v && b == 0 && out_v > 0)
    set |= 1;
  if (out == out_s && b == total / 2)
    set |= 2;
  return set;
}

/* The engine padding ("valid" 0, "same" 1) for a Conv or pooling node on
 * the cursor's image, or an error naming the node. */
static gboolean
window_padding (Importer *im, const Onnx__NodeProto *n, int k, int s, int *padding,
                gboolean *padded, GError **error)
{
  gint64 pads[4] = { 0, 0, 0, 0 };
  char auto_pad[32];
  const char *ap = attr_string (n, "auto_pad", auto_pad, sizeof auto_pad);
  gboolean ceil_mode = attr_int (n, "ceil_mode", 0) != 0;
  int np = attr_ints (n, "pads", pads, 4), set;

  if (np != 0 && np != 4)
    NODE_FAIL (LL_ERROR_FORMAT, "it has %d pads; a 2-D window needs 4", np);
  if (ap != NULL && strcmp (ap, "NOTSET") != 0 && strcmp (ap, "VALID") != 0
      && strcmp (ap, "SAME_UPPER") != 0 && strcmp (ap, "SAME_LOWER") != 0)
    NODE_FAIL (LL_ERROR_FORMAT, "auto_pad “%s” is not an ONNX value", ap);
  if (ap != NULL && strcmp (ap, "NOTSET") == 0)
    ap = NULL;
  for (int i = 0; i < 4; i++)
    if (pads[i] < 0 || pads[i] > 4096)
      NODE_FAIL (LL_ERROR_FORMAT, "its pads %" G_GINT64_FORMAT " are out of range", pads[i]);
  set = padding_matches (im->cur.shape.d[0], k, s, pads[0], pads[2], ap, ceil_mode)
        & padding_matches (im->cur.shape.d[1], k, s, pads[1], pads[3], ap, ceil_mode);
  if (set == 0)
    NODE_FAIL (LL_ERROR_FORMAT,
               "its padding (pads %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
               ", %" G_GINT64_FORMAT "%s%s%s) on a %d × %d image places the %d × %d windows "
               "differently from Keras' \"valid\" and \"same\", the two Layerlab has",
               pads[0], pads[1], pads[2], pads[3], ap != NULL ? ", auto_pad " : "",
               ap != NULL ? ap : "", ceil_mode ? ", ceil_mode" : "", im->cur.shape.d[0],
               im->cur.shape.d[1], k, k);
  *padding = (set & 1) ? 0 : 1;
  /* Any padding at all, or windows cut by the border. */
  *padded = (*padding == 1 && (set & 1) == 0) || pads[0] || pads[1] || pads[2] || pads[3]
            || (ap != NULL && strcmp (ap, "VALID") != 0);
  return TRUE;
}

/* kernel_shape (square), strides (equal) and dilations (1). */
static gboolean
window_attrs (Importer *im, const Onnx__NodeProto *n, int *k, int *s, GError **error)
{
  gint64 ks[2] = { 0, 0 }, st[2] = { 1, 1 }, dil[2] = { 1, 1 };
  int nk = attr_ints (n, "kernel_shape", ks, 2), ns = attr_ints (n, "strides", st, 2);
  int nd = attr_ints (n, "dilations", dil, 2);

  if (nk < 0 || ns < 0 || nd < 0 || (nk != 0 && nk != 2) || (ns != 0 && ns != 2)
      || (nd != 0 && nd != 2))
    NODE_FAIL (LL_ERROR_FORMAT, "it is not a 2-D operation (Layerlab's layers are 2-D)");
  if (dil[0] != 1 || dil[1] != 1)
    NODE_FAIL (LL_ERROR_FORMAT, "dilated windows (dilations %" G_GINT64_FORMAT ", %"
               G_GINT64_FORMAT ") have no Layerlab layer", dil[0], dil[1]);
  if (nk == 2 && ks[0] != ks[1])
    NODE_FAIL (LL_ERROR_FORMAT, "its %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " window is not "
               "square; Layerlab's windows are", ks[0], ks[1]);
  if (st[0] != st[1])
    NODE_FAIL (LL_ERROR_FORMAT, "its strides differ (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
               "); Layerlab uses one stride for both directions", st[0], st[1]);
  if (st[0] < 1 || st[0] > 64 || (nk == 2 && (ks[0] < 1 || ks[0] > 64)))
    NODE_FAIL (LL_ERROR_FORMAT, "its window or stride is out of range");
  *k = nk == 2 ? (int) ks[0] : 0;
  *s = (int) st[0];
  return TRUE;
}

static gboolean
op_dense (Importer *im, const Onnx__NodeProto *n, gboolean gemm, GError **error)
{
  const Const *B = get_const (im, n, 1), *C = gemm ? get_const (im, n, 2) : NULL;
  gboolean trans_b = gemm && attr_int (n, "transB", 0) != 0;
  double alpha = gemm ? attr_float (n, "alpha", 1.0) : 1.0;
  double beta = gemm ? attr_float (n, "beta", 1.0) : 1.0;
  gsize k_in, units;
  LlLayerSpec spec;
  float *kernel, *bias;
  int layer;

  if (im->cur.layout == LAYOUT_POOLED)
    NODE_FAIL (LL_ERROR_SHAPE, "it reads a [N, C, 1, 1] tensor; add a Flatten before it");
  if (im->cur.layout != LAYOUT_FLAT)
    NODE_FAIL (LL_ERROR_SHAPE, "it reads an image; Layerlab's Dense layer reads flat vectors "
               "(add a Flatten before it)");
  if (B == NULL || B->rank != 2 || B->f == NULL)
    NODE_FAIL (LL_ERROR_FORMAT, "its weights must be a constant float matrix");
  if (gemm && attr_int (n, "transA", 0) != 0)
    NODE_FAIL (LL_ERROR_FORMAT, "transA=1 has no Layerlab layer");
  if (gemm && n->n_input > 2 && n->input[2][0] != '\0' && (C == NULL || C->f == NULL))
    NODE_FAIL (LL_ERROR_FORMAT, "its bias must be a constant float vector");
  k_in = (gsize) (trans_b ? B->dims[1] : B->dims[0]);
  units = (gsize) (trans_b ? B->dims[0] : B->dims[1]);
  if (k_in != ll_shape_size (&im->cur.shape))
    NODE_FAIL (LL_ERROR_SHAPE, "its weights take %" G_GSIZE_FORMAT " inputs but it gets %"
               G_GSIZE_FORMAT, k_in, ll_shape_size (&im->cur.shape));
  if (C != NULL && C->n != units && C->n != 1)
    NODE_FAIL (LL_ERROR_SHAPE, "its bias has %" G_GSIZE_FORMAT " values for %" G_GSIZE_FORMAT
               " units", C->n, units);
  if (!isfinite (alpha) || !isfinite (beta))
    NODE_FAIL (LL_ERROR_FORMAT, "alpha and beta must be finite");

  ll_layer_spec_init (&spec, &ll_layer_dense);
  if (!spec_set (im, n, &spec, "units", (double) units, error)
      || !ll_layer_spec_set_choice (&spec, "activation", "linear", error)
      || !spec_set (im, n, &spec, "use_bias", C != NULL, error))
    return FALSE;
  layer = add_layer (im, &spec);
  if (!(kernel = ll_import_weight (&im->b, layer, "kernel", k_in * units, error)))
    return FALSE;
  /* Keras' kernel is (inputs, units); rows in the engine's feature order. */
  for (gsize e = 0; e < k_in; e++)
    {
      gsize o = onnx_feature (&im->cur, e);
      for (gsize u = 0; u < units; u++)
        kernel[e * units + u] = (float) (alpha * (trans_b ? B->f[u * k_in + o] : B->f[o * units + u]));
    }
  if (C != NULL)
    {
      if (!(bias = ll_import_weight (&im->b, layer, "bias", units, error)))
        return FALSE;
      for (gsize u = 0; u < units; u++)
        bias[u] = (float) (beta * C->f[C->n == 1 ? 0 : u]);
    }
  im->cur.chw = FALSE;
  im->cur.shape = ll_shape_flat ((int) units);
  im->cur.foldable = layer;
  return TRUE;
}

/* Add of a constant right after Gemm, MatMul or Conv: their bias. */
static gboolean
op_add (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  const Const *c = get_const (im, n, 1);
  LlLayerSpec *spec;
  gsize units;
  float *bias;

  if (c == NULL && n->n_input == 2 && strcmp (n->input[1], im->cur.tensor) == 0)
    c = get_const (im, n, 0);
  if (c == NULL || c->f == NULL || im->cur.foldable < 0)
    NODE_FAIL (LL_ERROR_FORMAT, "only a constant bias added right after MatMul, Gemm or Conv "
               "can be imported");
  spec = ll_arch_layer (im->b.arch, im->cur.foldable);
  units = (gsize) (spec->type == &ll_layer_dense ? im->cur.shape.d[0] : im->cur.shape.d[2]);
  if (c->n != units && c->n != 1)
    NODE_FAIL (LL_ERROR_SHAPE, "it adds %" G_GSIZE_FORMAT " values to %" G_GSIZE_FORMAT
               " %s; only a bias per %s can be imported", c->n, units,
               spec->type == &ll_layer_dense ? "units" : "channels",
               spec->type == &ll_layer_dense ? "unit" : "channel");
  if (spec->type == &ll_layer_conv2d && c->n > 1)
    {
      /* Per channel: [F, 1, 1] or [1, F, 1, 1]. */
      int axis = c->rank - 3;
      if (axis < 0 || c->dims[axis] != (gint64) units)
        NODE_FAIL (LL_ERROR_SHAPE, "it adds values that are not one per channel");
    }
  else if (spec->type == &ll_layer_dense && c->n > 1 && c->dims[c->rank - 1] != (gint64) units)
    NODE_FAIL (LL_ERROR_SHAPE, "it adds values that are not one per unit");
  spec->v[ll_layer_param_index (spec->type, "use_bias")] = 1;
  if (!(bias = ll_import_weight (&im->b, im->cur.foldable, "bias", units, error)))
    return FALSE;
  for (gsize u = 0; u < units; u++)
    bias[u] += c->f[c->n == 1 ? 0 : u];
  return TRUE;
}

static gboolean
op_conv (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  const Const *W = get_const (im, n, 1), *B = get_const (im, n, 2);
  int k = 0, s = 1, padding, f, cin;
  gboolean padded;
  LlLayerSpec spec;
  float *kernel, *bias;
  int layer;

  if (!need_nchw (im, n, error))
    return FALSE;
  if (W == NULL || W->rank != 4 || W->f == NULL)
    NODE_FAIL (LL_ERROR_FORMAT, "its weights must be a constant float [F, C, kh, kw] tensor");
  if (n->n_input > 2 && n->input[2][0] != '\0' && (B == NULL || B->f == NULL))
    NODE_FAIL (LL_ERROR_FORMAT, "its bias must be a constant float vector");
  if (attr_int (n, "group", 1) != 1)
    NODE_FAIL (LL_ERROR_FORMAT, "grouped convolutions (group %" G_GINT64_FORMAT ") have no "
               "Layerlab layer", attr_int (n, "group", 1));
  if (!window_attrs (im, n, &k, &s, error))
    return FALSE;
  if (W->dims[2] != W->dims[3])
    NODE_FAIL (LL_ERROR_FORMAT, "its %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " kernel is not "
               "square", W->dims[2], W->dims[3]);
  if (k != 0 && k != W->dims[2])
    NODE_FAIL (LL_ERROR_FORMAT, "kernel_shape and the weights disagree");
  k = (int) W->dims[2];
  f = (int) W->dims[0];
  cin = (int) W->dims[1];
  if (cin != im->cur.shape.d[2])
    NODE_FAIL (LL_ERROR_SHAPE, "its weights take %d channels but it gets %d", cin,
               im->cur.shape.d[2]);
  if (B != NULL && B->n != (gsize) f)
    NODE_FAIL (LL_ERROR_SHAPE, "its bias has %" G_GSIZE_FORMAT " values for %d filters", B->n, f);
  if (!window_padding (im, n, k, s, &padding, &padded, error))
    return FALSE;

  ll_layer_spec_init (&spec, &ll_layer_conv2d);
  if (!spec_set (im, n, &spec, "filters", f, error)
      || !spec_set (im, n, &spec, "kernel_size", k, error)
      || !spec_set (im, n, &spec, "strides", s, error)
      || !spec_set (im, n, &spec, "padding", padding, error)
      || !spec_set (im, n, &spec, "use_bias", B != NULL, error))
    return FALSE;
  layer = add_layer (im, &spec);
  if (!(kernel = ll_import_weight (&im->b, layer, "kernel", W->n, error)))
    return FALSE;
  /* ONNX (filters, cin, kh, kw) to Keras (kh, kw, cin, filters). */
  for (int o = 0; o < f; o++)
    for (int c = 0; c < cin; c++)
      for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
          kernel[(((gsize) ky * k + kx) * cin + c) * f + o] =
            W->f[(((gsize) o * cin + c) * k + ky) * k + kx];
  if (B != NULL)
    {
      if (!(bias = ll_import_weight (&im->b, layer, "bias", (gsize) f, error)))
        return FALSE;
      memcpy (bias, B->f, (gsize) f * sizeof (float));
    }
  {
    g_autoptr(GError) local = NULL;
    LlShape out;
    if (!spec.type->infer (&spec, &im->cur.shape, &out, &local))
      NODE_FAIL (LL_ERROR_SHAPE, "%s", local->message);
    im->cur.shape = out;
  }
  im->cur.foldable = layer;
  return TRUE;
}

static gboolean
used_elsewhere (Importer *im, const char *tensor)
{
  if (tensor == NULL || tensor[0] == '\0')
    return FALSE;
  for (gsize i = 0; i < im->g->n_node; i++)
    for (gsize j = 0; j < im->g->node[i]->n_input; j++)
      if (strcmp (im->g->node[i]->input[j], tensor) == 0)
        return TRUE;
  for (gsize i = 0; i < im->g->n_output; i++)
    if (g_strcmp0 (im->g->output[i]->name, tensor) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
op_pool (Importer *im, const Onnx__NodeProto *n, gboolean average, GError **error)
{
  int k = 0, s = 1, padding;
  gboolean padded;
  LlLayerSpec spec;
  g_autoptr(GError) local = NULL;
  LlShape out;

  if (!need_nchw (im, n, error) || !window_attrs (im, n, &k, &s, error))
    return FALSE;
  if (k == 0)
    NODE_FAIL (LL_ERROR_FORMAT, "it has no kernel_shape");
  if (n->n_output > 1 && used_elsewhere (im, n->output[1]))
    NODE_FAIL (LL_ERROR_FORMAT, "its Indices output is used; Layerlab's pooling has none");
  if (!window_padding (im, n, k, s, &padding, &padded, error))
    return FALSE;
  /* Keras averages over the cells inside the image only. */
  if (average && padded && attr_int (n, "count_include_pad", 0) != 0)
    NODE_FAIL (LL_ERROR_FORMAT, "count_include_pad=1 averages padding zeros in; Keras' "
               "AveragePooling2D (and Layerlab's) leaves them out");
  ll_layer_spec_init (&spec, average ? &ll_layer_average_pooling2d : &ll_layer_max_pooling2d);
  if (!spec_set (im, n, &spec, "pool_size", k, error)
      || !spec_set (im, n, &spec, "strides", s, error)
      || !spec_set (im, n, &spec, "padding", padding, error))
    return FALSE;
  if (!spec.type->infer (&spec, &im->cur.shape, &out, &local))
    NODE_FAIL (LL_ERROR_SHAPE, "%s", local->message);
  add_layer (im, &spec);
  im->cur.shape = out;
  im->cur.foldable = -1;
  return TRUE;
}

static gboolean
op_global_pool (Importer *im, const Onnx__NodeProto *n, gboolean average, GError **error)
{
  LlLayerSpec spec;

  if (!need_nchw (im, n, error))
    return FALSE;
  ll_layer_spec_init (&spec, average ? &ll_layer_global_average_pooling2d
                                     : &ll_layer_global_max_pooling2d);
  add_layer (im, &spec);
  im->cur.shape = ll_shape_flat (im->cur.shape.d[2]);
  im->cur.layout = LAYOUT_POOLED;
  im->cur.foldable = -1;
  return TRUE;
}

static gboolean
op_batch_norm (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  const Const *p[4];
  static const char *const names[4] = { "gamma", "beta", "moving_mean", "moving_variance" };
  double eps = attr_float (n, "epsilon", 1e-5), momentum = attr_float (n, "momentum", 0.9);
  LlLayerSpec spec;
  gsize c;
  int layer;

  if (im->cur.layout == LAYOUT_NHWC)
    NODE_FAIL (LL_ERROR_FORMAT, "it normalizes axis 1 of a channels-last image");
  c = (gsize) (im->cur.layout == LAYOUT_NCHW ? im->cur.shape.d[2] : im->cur.shape.d[0]);
  for (int i = 0; i < 4; i++)
    {
      p[i] = get_const (im, n, 1 + (gsize) i);
      if (p[i] == NULL || p[i]->f == NULL || p[i]->n != c)
        NODE_FAIL (LL_ERROR_FORMAT, "its %s must be a constant vector of %" G_GSIZE_FORMAT
                   " values", names[i], c);
    }
  for (gsize i = 1; i < n->n_output; i++)
    if (used_elsewhere (im, n->output[i]))
      NODE_FAIL (LL_ERROR_FORMAT, "its training outputs are used; Layerlab imports inference "
                 "graphs");
  if (attr_int (n, "training_mode", 0) != 0)
    NODE_FAIL (LL_ERROR_FORMAT, "training_mode=1 uses batch statistics in inference");
  ll_layer_spec_init (&spec, &ll_layer_batch_normalization);
  if (!spec_set (im, n, &spec, "epsilon", eps, error)
      || !spec_set (im, n, &spec, "momentum", momentum, error))
    return FALSE;
  layer = add_layer (im, &spec);
  for (int i = 0; i < 4; i++)
    {
      float *w = ll_import_weight (&im->b, layer, names[i], c, error);
      if (w == NULL)
        return FALSE;
      for (gsize e = 0; e < c; e++)
        w[e] = p[i]->f[im->cur.layout == LAYOUT_FLAT ? onnx_feature (&im->cur, e) : e];
      /* NaN and infinities are refused for every tensor alike, naming
       * the layer (ll_import_finish). */
      if (i == 3)
        for (gsize e = 0; e < c; e++)
          if (isfinite (w[e]) && !(w[e] + eps > 0))
            NODE_FAIL (LL_ERROR_FORMAT, "its variance plus epsilon is not positive");
    }
  im->cur.foldable = -1;
  return TRUE;
}

static gboolean
op_activation (Importer *im, const Onnx__NodeProto *n, LlActivation act, GError **error)
{
  LlLayerSpec spec;

  if (act == LL_ACT_SOFTMAX)
    {
      int rank = im->cur.layout == LAYOUT_FLAT ? 2 : 4;
      gint64 axis = attr_int (n, "axis", im->opset >= 13 ? -1 : 1);
      if (axis < 0)
        axis += rank;
      if (im->cur.layout == LAYOUT_POOLED && axis != 1)
        NODE_FAIL (LL_ERROR_FORMAT, "softmax over axis %" G_GINT64_FORMAT " of [N, C, 1, 1] "
                   "is not over the channels", axis);
      if (im->cur.layout == LAYOUT_FLAT && axis != 1)
        NODE_FAIL (LL_ERROR_FORMAT, "softmax over the batch axis");
      if (im->cur.layout == LAYOUT_NCHW && (axis != 1 || im->opset < 13))
        NODE_FAIL (LL_ERROR_FORMAT, "softmax over axis %" G_GINT64_FORMAT " of an image; "
                   "Layerlab's softmax runs over the channels", axis);
      if (im->cur.layout == LAYOUT_NHWC && axis != 3)
        NODE_FAIL (LL_ERROR_FORMAT, "softmax over axis %" G_GINT64_FORMAT " of an image; "
                   "Layerlab's softmax runs over the channels", axis);
    }
  if (im->cur.foldable >= 0)
    {
      LlLayerSpec *last = ll_arch_layer (im->b.arch, im->cur.foldable);
      last->v[ll_layer_param_index (last->type, "activation")] = act;
    }
  else
    {
      ll_layer_spec_init (&spec, &ll_layer_activation);
      spec.v[ll_layer_param_index (&ll_layer_activation, "activation")] = act;
      add_layer (im, &spec);
    }
  im->cur.foldable = -1;
  return TRUE;
}

static void
flatten_image (Importer *im)
{
  LlLayerSpec spec;
  int h = im->cur.shape.d[0], w = im->cur.shape.d[1], c = im->cur.shape.d[2];

  ll_layer_spec_init (&spec, &ll_layer_flatten);
  add_layer (im, &spec);
  im->cur.chw = im->cur.layout == LAYOUT_NCHW && c > 1 && h * w > 1;
  im->cur.fc = c, im->cur.fh = h, im->cur.fw = w;
  im->cur.shape = ll_shape_flat (h * w * c);
  im->cur.layout = LAYOUT_FLAT;
}

static gboolean
op_flatten (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  int rank = im->cur.layout == LAYOUT_FLAT ? 2 : 4;
  gint64 axis = attr_int (n, "axis", 1);

  if (axis < 0)
    axis += rank;
  if (axis != 1)
    NODE_FAIL (LL_ERROR_FORMAT, "Flatten with axis %" G_GINT64_FORMAT " mixes samples of the "
               "batch; only axis 1 can be imported", axis);
  if (im->cur.layout == LAYOUT_POOLED)
    im->cur.layout = LAYOUT_FLAT;
  else if (im->cur.layout != LAYOUT_FLAT)
    flatten_image (im);
  im->cur.foldable = -1;
  return TRUE;
}

/* The ONNX dims of the running tensor, batch excluded. */
static int
cursor_dims (const Cursor *c, gint64 *dims)
{
  switch (c->layout)
    {
    case LAYOUT_FLAT:
      dims[0] = c->shape.d[0];
      return 1;
    case LAYOUT_POOLED:
      dims[0] = c->shape.d[0], dims[1] = dims[2] = 1;
      return 3;
    case LAYOUT_NCHW:
      dims[0] = c->shape.d[2], dims[1] = c->shape.d[0], dims[2] = c->shape.d[1];
      return 3;
    case LAYOUT_NHWC:
    default:
      dims[0] = c->shape.d[0], dims[1] = c->shape.d[1], dims[2] = c->shape.d[2];
      return 3;
    }
}

/* Whether the only reader of tensor transposes it to channels first:
 * then the tensor itself is channels last. */
static gboolean
read_as_nhwc (const Importer *im, const char *tensor)
{
  if (im->nhwc_producer)
    return TRUE;
  for (gsize i = 0; i < im->g->n_node; i++)
    {
      const Onnx__NodeProto *n = im->g->node[i];
      gint64 perm[4];
      if (n->n_input > 0 && strcmp (n->input[0], tensor) == 0
          && g_strcmp0 (n->op_type, "Transpose") == 0 && attr_ints (n, "perm", perm, 4) == 4
          && perm[0] == 0 && perm[1] == 3 && perm[2] == 1 && perm[3] == 2)
        return TRUE;
    }
  return FALSE;
}

static gboolean
op_reshape (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  const Const *sc = get_const (im, n, 1);
  gint64 t[MAX_RANK], have[3];
  gsize size = ll_shape_size (&im->cur.shape), known = 1;
  int r, n_have = cursor_dims (&im->cur, have), unknown = -1;

  if (sc == NULL || sc->i == NULL || sc->rank != 1 || sc->n < 1 || sc->n > 5)
    NODE_FAIL (LL_ERROR_FORMAT, "its target shape must be a constant list of 1 to 5 integers "
               "(shapes computed in the graph, as from Shape, are not supported)");
  r = (int) sc->n;
  for (int i = 0; i < r; i++)
    t[i] = sc->i[i];
  /* The batch: -1, 0 (copy) or the size it was exported with. */
  for (int i = 1; i < r; i++)
    {
      if (t[i] == 0 && attr_int (n, "allowzero", 0) == 0)
        {
          if (i - 1 >= n_have)
            NODE_FAIL (LL_ERROR_FORMAT, "it copies a dimension the input does not have");
          t[i] = have[i - 1];
        }
      if (t[i] == -1 && unknown < 0)
        unknown = i;
      else if (t[i] <= 0 || t[i] > ((gint64) 1 << 31))
        NODE_FAIL (LL_ERROR_FORMAT, "its target shape has %" G_GINT64_FORMAT, t[i]);
      else
        known *= (gsize) t[i];
      if (known > size)
        break;
    }
  if (unknown >= 0)
    {
      if (known == 0 || size % known != 0)
        NODE_FAIL (LL_ERROR_SHAPE, "it cannot arrange %" G_GSIZE_FORMAT " values", size);
      t[unknown] = (gint64) (size / known);
      known = size;
    }
  if (r < 2 || known != size)
    NODE_FAIL (LL_ERROR_SHAPE, "it reshapes %" G_GSIZE_FORMAT " values per sample into a "
               "different count, or mixes samples of the batch", size);

  if (r == 2)
    {
      if (im->cur.layout == LAYOUT_POOLED)
        im->cur.layout = LAYOUT_FLAT;
      else if (im->cur.layout != LAYOUT_FLAT)
        flatten_image (im);
      im->cur.foldable = -1;
      return TRUE;
    }
  if (r == 4)
    {
      gboolean nhwc = read_as_nhwc (im, n->output[0]);
      int c = (int) t[nhwc ? 3 : 1], h = (int) t[nhwc ? 1 : 2], w = (int) t[nhwc ? 2 : 3];
      gboolean same = im->cur.layout == (nhwc ? LAYOUT_NHWC : LAYOUT_NCHW)
                      && im->cur.shape.d[0] == h && im->cur.shape.d[1] == w
                      && im->cur.shape.d[2] == c;
      LlLayerSpec spec;

      if (same)
        return TRUE;
      /* The engine's Reshape reads its flat input as (h, w, c): right
       * when the values are in that order for ONNX too. */
      if (!((nhwc && im->cur.layout == LAYOUT_FLAT && !im->cur.chw)
            || (im->cur.layout == LAYOUT_FLAT
             && ((!im->cur.chw && (c == 1 || h * w == 1))
                 || (im->cur.chw && im->cur.fc == c && im->cur.fh == h && im->cur.fw == w)))
            || (im->cur.layout == LAYOUT_POOLED && h == 1 && w == 1)))
        NODE_FAIL (LL_ERROR_FORMAT, "its channels-first [%d, %d, %d] arrangement orders the "
                   "values differently from Layerlab's channels-last Reshape", c, h, w);
      ll_layer_spec_init (&spec, &ll_layer_reshape);
      if (!spec_set (im, n, &spec, "height", h, error) || !spec_set (im, n, &spec, "width", w, error)
          || !spec_set (im, n, &spec, "channels", c, error))
        return FALSE;
      add_layer (im, &spec);
      im->cur.shape = ll_shape_image (h, w, c);
      im->cur.layout = nhwc ? LAYOUT_NHWC : LAYOUT_NCHW;
      im->cur.chw = FALSE;
      im->cur.foldable = -1;
      return TRUE;
    }
  NODE_FAIL (LL_ERROR_FORMAT, "a reshape to rank %d has no Layerlab layer", r);
}

static gboolean
op_transpose (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  static const gint64 to_nhwc[4] = { 0, 2, 3, 1 }, to_nchw[4] = { 0, 3, 1, 2 };
  static const gint64 same4[4] = { 0, 1, 2, 3 };
  gint64 perm[4];
  int np = attr_ints (n, "perm", perm, 4);

  if (im->cur.layout == LAYOUT_FLAT)
    {
      if (np == 2 && perm[0] == 0 && perm[1] == 1)
        return TRUE;
      NODE_FAIL (LL_ERROR_FORMAT, "it swaps the batch with the features");
    }
  if (np == 4 && memcmp (perm, same4, sizeof perm) == 0)
    return TRUE;
  if (np == 4 && im->cur.layout == LAYOUT_NCHW && memcmp (perm, to_nhwc, sizeof perm) == 0)
    {
      im->cur.layout = LAYOUT_NHWC;
      return TRUE;
    }
  if (np == 4 && im->cur.layout == LAYOUT_NHWC && memcmp (perm, to_nchw, sizeof perm) == 0)
    {
      im->cur.layout = LAYOUT_NCHW;
      return TRUE;
    }
  NODE_FAIL (LL_ERROR_FORMAT, "only the transposes between channels first and channels last "
             "can be imported");
}

static gboolean
op_dropout (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  double rate = attr_float (n, "ratio", 0.5);
  const Const *r = get_const (im, n, 1);
  LlLayerSpec spec;

  if (n->n_output > 1 && used_elsewhere (im, n->output[1]))
    NODE_FAIL (LL_ERROR_FORMAT, "its mask output is used");
  if (im->opset >= 12)
    rate = r != NULL && r->f != NULL && r->n == 1 ? r->f[0] : 0.5;
  /* The identity when predicting; kept as a layer so that training the
   * imported model drops out as the original did. */
  if (rate > 0 && rate <= 0.95)
    {
      ll_layer_spec_init (&spec, &ll_layer_dropout);
      if (!spec_set (im, n, &spec, "rate", rate, error))
        return FALSE;
      add_layer (im, &spec);
    }
  return TRUE;
}

/* The graph ---------------------------------------------------------- */

static gboolean
load_constants (Importer *im, GError **error)
{
  for (gsize i = 0; i < im->g->n_initializer; i++)
    {
      const Onnx__TensorProto *t = im->g->initializer[i];
      Const *c;
      if (t->name == NULL || t->name[0] == '\0')
        continue;
      if (!(c = const_from_tensor (t, error)))
        return FALSE;
      g_hash_table_replace (im->consts, g_strdup (t->name), c);
    }
  for (gsize i = 0; i < im->g->n_node; i++)
    {
      const Onnx__NodeProto *n = im->g->node[i];
      const Onnx__AttributeProto *a;
      Const *c = NULL;

      if (g_strcmp0 (n->op_type, "Constant") != 0)
        continue;
      im->visited[i] = TRUE;
      if (n->n_output != 1 || n->n_input != 0)
        NODE_FAIL (LL_ERROR_FORMAT, "a Constant has no inputs and one output");
      if ((a = find_attr (n, "value")) != NULL && a->t != NULL)
        {
          if (!(c = const_from_tensor (a->t, error)))
            return FALSE;
        }
      else if ((a = find_attr (n, "value_float")) != NULL && a->has_f)
        {
          c = g_new0 (Const, 1);
          c->n = 1;
          c->f = g_new (float, 1);
          c->f[0] = a->f;
        }
      else if ((a = find_attr (n, "value_int")) != NULL && a->has_i)
        {
          c = g_new0 (Const, 1);
          c->n = 1;
          c->i = g_new (gint64, 1);
          c->i[0] = a->i;
        }
      else if ((a = find_attr (n, "value_ints")) != NULL)
        {
          c = g_new0 (Const, 1);
          c->rank = 1;
          c->n = a->n_ints;
          c->dims[0] = (gint64) a->n_ints;
          c->i = g_new (gint64, MAX (a->n_ints, 1));
          if (a->n_ints > 0)
            memcpy (c->i, a->ints, a->n_ints * sizeof (gint64));
        }
      else if ((a = find_attr (n, "value_floats")) != NULL)
        {
          c = g_new0 (Const, 1);
          c->rank = 1;
          c->n = a->n_floats;
          c->dims[0] = (gint64) a->n_floats;
          c->f = g_new (float, MAX (a->n_floats, 1));
          if (a->n_floats > 0)
            memcpy (c->f, a->floats, a->n_floats * sizeof (float));
        }
      else
        NODE_FAIL (LL_ERROR_FORMAT, "this kind of Constant is not supported");
      g_hash_table_replace (im->consts, g_strdup (n->output[0]), c);
    }
  return TRUE;
}

/* The one graph input that is not an initializer, as the engine's Input
 * layer; the layout of a 4-D input is channels first unless the graph
 * starts by transposing it to channels first (Layerlab's own export). */
static gboolean
add_input (Importer *im, GError **error)
{
  const Onnx__ValueInfoProto *in = NULL;
  const Onnx__TypeProto__Tensor *tt;
  gint64 d[4];
  int rank, h, w, c;
  LlLayerSpec spec;
  g_autoptr(GError) local = NULL;

  for (gsize i = 0; i < im->g->n_input; i++)
    {
      const Onnx__ValueInfoProto *v = im->g->input[i];
      if (v->name == NULL || g_hash_table_contains (im->consts, v->name))
        continue;
      if (in != NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("The ONNX graph has several inputs (“%s”, “%s”); Layerlab models have one"),
                       in->name, v->name);
          return FALSE;
        }
      in = v;
    }
  if (in == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The ONNX graph has no input"));
      return FALSE;
    }
  if (in->type == NULL || in->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
      || (tt = in->type->tensor_type) == NULL || tt->shape == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX graph's input “%s” has no tensor shape"), in->name);
      return FALSE;
    }
  if (tt->has_elem_type && tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX graph's input “%s” is not float32 (type %d)"), in->name, tt->elem_type);
      return FALSE;
    }
  rank = (int) tt->shape->n_dim;
  if (rank < 2 || rank > 4)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX graph's input “%s” has rank %d; Layerlab reads [N, C, H, W] "
                   "images, [N, H, W] or flat [N, K] inputs"), in->name, rank);
      return FALSE;
    }
  for (int i = 1; i < rank; i++)
    {
      const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[i];
      if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
          || dim->dim_value < 1 || dim->dim_value > 1 << 24)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("The ONNX graph's input “%s” has no fixed size in dimension %d"), in->name, i);
          return FALSE;
        }
      d[i] = dim->dim_value;
    }
  im->cur.tensor = in->name;
  im->cur.foldable = -1;
  if (rank == 2)
    {
      ll_import_flat_input ((int) MIN (d[1], G_MAXINT), &h, &w, &c);
      im->cur.layout = LAYOUT_NCHW;     /* as PyTorch flattens colour images */
    }
  else if (rank == 3)
    h = (int) d[1], w = (int) d[2], c = 1, im->cur.layout = LAYOUT_NCHW;
  else
    {
      /* Channels last when the graph says so, or when the shape can only
       * be an image with few channels last ([N, 28, 28, 1]). */
      gboolean nhwc = read_as_nhwc (im, in->name) || (d[3] <= 4 && d[1] > 4);
      if (nhwc)
        h = (int) d[1], w = (int) d[2], c = (int) d[3], im->cur.layout = LAYOUT_NHWC;
      else
        h = (int) d[2], w = (int) d[3], c = (int) d[1], im->cur.layout = LAYOUT_NCHW;
    }
  ll_layer_spec_init (&spec, &ll_layer_input);
  if (!ll_layer_spec_set (&spec, "height", h, &local) || !ll_layer_spec_set (&spec, "width", w, &local)
      || !ll_layer_spec_set (&spec, "channels", c, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The ONNX graph's input “%s”: %s"),
                   in->name, local->message);
      return FALSE;
    }
  add_layer (im, &spec);
  im->cur.shape = ll_shape_image (h, w, c);
  if (rank == 2)
    flatten_image (im);
  return TRUE;
}

static gboolean
run_node (Importer *im, const Onnx__NodeProto *n, GError **error)
{
  const char *op = n->op_type != NULL ? n->op_type : "";

  if (n->domain != NULL && n->domain[0] != '\0' && strcmp (n->domain, "ai.onnx") != 0)
    NODE_FAIL (LL_ERROR_FORMAT, "operators of the domain “%s” are not supported", n->domain);
  if (n->n_output < 1)
    NODE_FAIL (LL_ERROR_FORMAT, "it has no output");
  /* Every other input must be a constant (weights, shapes). */
  for (gsize i = 1; i < n->n_input; i++)
    if (n->input[i][0] != '\0' && !g_hash_table_contains (im->consts, n->input[i])
        && strcmp (op, "Add") != 0)
      NODE_FAIL (LL_ERROR_FORMAT, "its input “%s” is computed in the graph; Layerlab imports "
                 "a single chain of layers with constant weights", n->input[i]);

  if (strcmp (op, "Gemm") == 0)
    return op_dense (im, n, TRUE, error);
  if (strcmp (op, "MatMul") == 0)
    return op_dense (im, n, FALSE, error);
  if (strcmp (op, "Add") == 0)
    return op_add (im, n, error);
  if (strcmp (op, "Conv") == 0)
    return op_conv (im, n, error);
  if (strcmp (op, "MaxPool") == 0)
    return op_pool (im, n, FALSE, error);
  if (strcmp (op, "AveragePool") == 0)
    return op_pool (im, n, TRUE, error);
  if (strcmp (op, "GlobalAveragePool") == 0)
    return op_global_pool (im, n, TRUE, error);
  if (strcmp (op, "GlobalMaxPool") == 0)
    return op_global_pool (im, n, FALSE, error);
  if (strcmp (op, "BatchNormalization") == 0)
    return op_batch_norm (im, n, error);
  if (strcmp (op, "Relu") == 0)
    return op_activation (im, n, LL_ACT_RELU, error);
  if (strcmp (op, "Sigmoid") == 0)
    return op_activation (im, n, LL_ACT_SIGMOID, error);
  if (strcmp (op, "Tanh") == 0)
    return op_activation (im, n, LL_ACT_TANH, error);
  if (strcmp (op, "Softmax") == 0)
    return op_activation (im, n, LL_ACT_SOFTMAX, error);
  if (strcmp (op, "Flatten") == 0)
    return op_flatten (im, n, error);
  if (strcmp (op, "Reshape") == 0)
    return op_reshape (im, n, error);
  if (strcmp (op, "Transpose") == 0)
    return op_transpose (im, n, error);
  if (strcmp (op, "Dropout") == 0)
    return op_dropout (im, n, error);
  if (strcmp (op, "Identity") == 0)
    return TRUE;
  if (strcmp (op, "LeakyRelu") == 0)
    NODE_FAIL (LL_ERROR_FORMAT, "Layerlab has no leaky ReLU activation (it has relu, sigmoid, "
               "tanh and softmax)");
  NODE_FAIL (LL_ERROR_FORMAT, "this operator is not supported; Layerlab imports Gemm, MatMul, "
             "Add (a bias), Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, "
             "BatchNormalization, Relu, Sigmoid, Tanh, Softmax, Flatten, Reshape, Transpose, "
             "Dropout, Identity and Constant");
}

static gboolean
walk (Importer *im, GError **error)
{
  const char *output;

  if (im->g->n_output != 1 || im->g->output[0]->name == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX graph has %zu outputs; Layerlab models have one"),
                   im->g->n_output);
      return FALSE;
    }
  output = im->g->output[0]->name;
  for (gsize steps = 0; ; steps++)
    {
      const Onnx__NodeProto *next = NULL;
      gsize next_i = 0, n_users = 0;

      for (gsize i = 0; i < im->g->n_node; i++)
        {
          const Onnx__NodeProto *n = im->g->node[i];
          for (gsize j = 0; j < n->n_input; j++)
            if (strcmp (n->input[j], im->cur.tensor) == 0)
              {
                if (next != NULL && next != n)
                  {
                    g_autofree char *a = node_label (im, next), *b = node_label (im, n);
                    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                                 _("The ONNX tensor “%s” feeds both %s and %s: the graph "
                                 "branches, and Layerlab imports a single chain of layers"),
                                 im->cur.tensor, a, b);
                    return FALSE;
                  }
                next = n, next_i = i;
                n_users++;
              }
        }
      if (strcmp (im->cur.tensor, output) == 0)
        {
          if (next != NULL)
            {
              g_autofree char *a = node_label (im, next);
              g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                           _("The ONNX graph's output “%s” also feeds %s; Layerlab imports a "
                           "single chain of layers"), output, a);
              return FALSE;
            }
          break;
        }
      if (next == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("The ONNX graph's output “%s” is not reached: nothing reads “%s”"),
                       output, im->cur.tensor);
          return FALSE;
        }
      if (im->visited[next_i] || steps > im->g->n_node)
        {
          g_autofree char *a = node_label (im, next);
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("The ONNX graph has a cycle at %s"), a);
          return FALSE;
        }
      if (next->n_input == 0 || strcmp (next->input[0], im->cur.tensor) != 0)
        {
          /* Add is commutative; everything else reads the chain first. */
          if (g_strcmp0 (next->op_type, "Add") != 0 || next->n_input != 2)
            {
              g_autofree char *a = node_label (im, next);
              g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                           _("ONNX %s reads the running tensor as a weight: not a chain of layers"),
                           a);
              return FALSE;
            }
        }
      im->visited[next_i] = TRUE;
      if (!run_node (im, next, error))
        return FALSE;
      im->cur.tensor = next->output[0];
    }
  for (gsize i = 0; i < im->g->n_node; i++)
    if (!im->visited[i])
      {
        g_autofree char *a = node_label (im, im->g->node[i]);
        g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                     _("ONNX %s is not on the chain from the input to the output; Layerlab "
                     "imports a single chain of layers"), a);
        return FALSE;
      }
  if (im->cur.layout == LAYOUT_FLAT && im->cur.chw)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX graph ends on a flattened channels-first image; Layerlab's "
                   "outputs would come in another order"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_opset (Importer *im, GError **error)
{
  im->opset = -1;
  for (gsize i = 0; i < im->mp->n_opset_import; i++)
    {
      const Onnx__OperatorSetIdProto *o = im->mp->opset_import[i];
      if (o->domain == NULL || o->domain[0] == '\0' || strcmp (o->domain, "ai.onnx") == 0)
        im->opset = o->has_version ? o->version : -1;
    }
  if (im->opset < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX model names no operator set version; Layerlab reads opsets %d to %d"),
                   OPSET_MIN, OPSET_MAX);
      return FALSE;
    }
  if (im->opset < OPSET_MIN || im->opset > OPSET_MAX)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The ONNX model uses opset %" PRId64 "; Layerlab reads opsets %d to "
                   "%d (export it with an opset_version in that range)"), im->opset, OPSET_MIN,
                   OPSET_MAX);
      return FALSE;
    }
  return TRUE;
}

LlTrainer *
ll_import_onnx (GBytes *bytes, GError **error)
{
  Importer im = { 0 };
  gsize len;
  const guint8 *data;
  LlTrainer *t = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len > LL_IMPORT_MAX_FILE)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY, _("The ONNX file is larger than 2 GiB"));
      return NULL;
    }
  im.mp = onnx__model_proto__unpack (NULL, len, data);
  if (im.mp == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("This is not an ONNX model, or it is truncated or damaged (its protobuf "
                   "encoding does not parse)"));
      return NULL;
    }
  im.g = im.mp->graph;
  if (im.g == NULL || im.g->n_node == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The ONNX model has no graph"));
      goto out;
    }
  im.consts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, const_free);
  im.visited = g_new0 (gboolean, im.g->n_node);
  ll_import_builder_init (&im.b);
  im.nhwc_producer = g_strcmp0 (im.mp->producer_name, "Layerlab") == 0;
  if (check_opset (&im, error) && load_constants (&im, error) && add_input (&im, error)
      && walk (&im, error))
    t = ll_import_finish (&im.b, NULL, error);
  ll_import_builder_clear (&im.b);
  g_hash_table_unref (im.consts);
  g_free (im.visited);
out:
  onnx__model_proto__free_unpacked (im.mp, NULL);
  ll_import_clean_error (error);
  return t;
}
