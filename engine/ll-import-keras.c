/* ll-import-keras.c: Keras models read into Layerlab's layers.
 *
 * Two files, one model description:
 * - the legacy HDF5 file of model.save("x.h5") (Keras 2 and 3,
 *   keras/src/legacy/saving/legacy_h5_format.py): the root attribute
 *   "model_config" (JSON), "training_config" (JSON: loss, optimizer), and
 *   the group "model_weights" whose attribute "layer_names" lists the
 *   layers; each layer's group lists its datasets in "weight_names"
 *   ("dense/kernel:0", nested groups), in the layer's weight order.
 *   Long attribute lists are split into "layer_names0", "layer_names1"...
 * - the Keras 3 .keras zip (keras/src/saving/saving_lib.py): config.json
 *   (the model, "compile_config"), metadata.json and model.weights.h5,
 *   where the weights of model.layers[i] are the datasets "0", "1", ... of
 *   "layers/<snake_case(class)>[_k]/vars", k counting earlier layers of the
 *   same class (names of objects, not of layers).
 * The JSON configs of both are the same get_config() dictionaries, in the
 * spellings of Keras 2 and 3 (batch_input_shape or batch_shape, inbound
 * nodes as lists or as keras_history).
 *
 * Sizes come from the file's headers: each dataset's declared size is
 * checked against the bytes the file really stores before it is read. */
#include "ll-import-private.h"
#include "ll-json.h"

#include <hdf5.h>
#include <json-glib/json-glib.h>
#include <zip.h>
#include <math.h>
#include <string.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>

#define MAX_JSON_BYTES  ((gsize) 16 << 20)
#define MAX_LAYERS      1000

/* One Keras layer of the chain and the engine layer holding its weights. */
typedef struct {
  char *name;                      /* the layer's name: "dense_1" */
  char *class_name;                /* "Dense" */
  char *object_name;               /* .keras: "dense_1" counted by class */
  int engine_layer;                /* -1: no weights */
} KerasLayer;

static void
keras_layer_free (gpointer p)
{
  KerasLayer *l = p;
  g_free (l->name);
  g_free (l->class_name);
  g_free (l->object_name);
  g_free (l);
}

/* keras/src/utils/naming.py to_snake_case: "Conv2D" → "conv2d",
 * "BatchNormalization" → "batch_normalization". */
static char *
to_snake_case (const char *name)
{
  GString *a = g_string_new (NULL), *b = g_string_new (NULL);

  for (const char *p = name; *p; p++)
    if (g_ascii_isalnum (*p) || *p == '_' || (guchar) *p >= 0x80)
      g_string_append_c (a, *p);
  /* (.)([A-Z][a-z]+) → \1_\2 */
  for (gsize i = 0; i < a->len; i++)
    {
      if (i > 0 && g_ascii_isupper (a->str[i]) && i + 1 < a->len && g_ascii_islower (a->str[i + 1])
          && !(b->len > 0 && b->str[b->len - 1] == '_' && FALSE))
        g_string_append_c (b, '_');
      g_string_append_c (b, a->str[i]);
    }
  g_string_truncate (a, 0);
  /* ([a-z])([A-Z]) → \1_\2, then lower case. */
  for (gsize i = 0; i < b->len; i++)
    {
      if (i > 0 && g_ascii_islower (b->str[i - 1]) && g_ascii_isupper (b->str[i]))
        g_string_append_c (a, '_');
      g_string_append_c (a, g_ascii_tolower (b->str[i]));
    }
  g_string_free (b, TRUE);
  return g_string_free (a, FALSE);
}

/* JSON helpers --------------------------------------------------------- */

static JsonNode *
member (JsonObject *o, const char *name)
{
  return o != NULL && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = member (o, name);
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
member_array (JsonObject *o, const char *name)
{
  JsonNode *n = member (o, name);
  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = member (o, name);
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gboolean
node_number (JsonNode *n, double *v)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64:
      *v = (double) json_node_get_int (n);
      return TRUE;
    case G_TYPE_DOUBLE:
      *v = json_node_get_double (n);
      return TRUE;
    case G_TYPE_BOOLEAN:
      *v = json_node_get_boolean (n);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
member_number (JsonObject *o, const char *name, double *v)
{
  return node_number (member (o, name), v);
}

/* An int or a list of equal ints ([3, 3]); FALSE when absent, -1 when the
 * list's values differ. */
static gboolean
member_square (JsonObject *o, const char *name, double *v)
{
  JsonNode *n = member (o, name);
  JsonArray *a;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return node_number (n, v);
  a = json_node_get_array (n);
  if (json_array_get_length (a) == 0 || !node_number (json_array_get_element (a, 0), v))
    return FALSE;
  for (guint i = 1; i < json_array_get_length (a); i++)
    {
      double w;
      if (!node_number (json_array_get_element (a, i), &w) || w != *v)
        {
          *v = -1;
          return TRUE;
        }
    }
  return TRUE;
}

/* The one JSON reader (ll-json.h): size and depth limits, exact numbers. */
static JsonNode *
parse_json (const char *text, gsize len, const char *what, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = ll_json_parse (text, (gssize) len, MAX_JSON_BYTES, &local);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The Keras %s is not a JSON object%s%s"),
                   what, local != NULL ? ": " : "", local != NULL ? local->message : "");
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* Layers --------------------------------------------------------------- */

typedef struct {
  LlImportBuilder b;
  GPtrArray *layers;               /* of KerasLayer *: the chain, input first */
  GHashTable *class_counts;        /* .keras object names */
  gboolean functional;
} Keras;

#define LAYER_FAIL(...) G_STMT_START { \
    g_autofree char *msg_ = g_strdup_printf (__VA_ARGS__); \
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, "Keras layer “%s” (%s): %s", name, cls, msg_); \
    return FALSE; \
  } G_STMT_END

static gboolean
set_param (LlLayerSpec *spec, const char *param, double v, const char *name, const char *cls,
           GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!ll_layer_spec_set (spec, param, v, &local))
    LAYER_FAIL ("%s", local->message);
  return TRUE;
}

static gboolean
set_activation (LlLayerSpec *spec, JsonObject *cfg, const char *key, const char *name,
                const char *cls, GError **error)
{
  JsonNode *n = member (cfg, key);
  const char *act = NULL;
  g_autoptr(GError) local = NULL;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    act = "linear";
  else if (JSON_NODE_HOLDS_OBJECT (n))
    act = member_string (json_node_get_object (n), "class_name");
  else
    act = member_string (cfg, key);
  if (act == NULL)
    LAYER_FAIL ("its activation is not a name");
  if (!ll_layer_spec_set_choice (spec, "activation", act, &local))
    LAYER_FAIL ("the activation “%s” is not one Layerlab has (linear, relu, sigmoid, tanh, "
                "softmax)", act);
  return TRUE;
}

/* kernel_initializer and friends: only used when the weights are
 * initialised again; an unknown one keeps Keras' default. */
static void
set_initializer (LlLayerSpec *spec, JsonObject *cfg, const char *key)
{
  JsonNode *n = member (cfg, key);
  const char *cls = NULL;
  g_autofree char *snake = NULL;

  if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
    cls = member_string (json_node_get_object (n), "class_name");
  else if (n != NULL && JSON_NODE_HOLDS_VALUE (n))
    cls = member_string (cfg, key);
  if (cls == NULL)
    return;
  snake = to_snake_case (cls);
  if (!ll_layer_spec_set_choice (spec, key, snake, NULL))
    ll_layer_spec_set_choice (spec, key, cls, NULL);
}

static gboolean
set_regularizer (LlLayerSpec *spec, JsonObject *cfg, const char *name, const char *cls,
                 GError **error)
{
  JsonNode *n = member (cfg, "kernel_regularizer");
  JsonObject *r, *rc;
  const char *rcls;
  double l1 = 0, l2 = 0;
  gboolean has1, has2;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (n) || !(rcls = member_string (r = json_node_get_object (n), "class_name")))
    LAYER_FAIL ("its kernel_regularizer is not a Keras regularizer");
  rc = member_object (r, "config");
  has1 = member_number (rc, "l1", &l1);
  has2 = member_number (rc, "l2", &l2);
  if (g_ascii_strcasecmp (rcls, "L1") == 0 && has1)
    ll_layer_spec_set_choice (spec, "kernel_regularizer", "l1", NULL);
  else if (g_ascii_strcasecmp (rcls, "L2") == 0 && has2)
    ll_layer_spec_set_choice (spec, "kernel_regularizer", "l2", NULL);
  else if (g_ascii_strcasecmp (rcls, "L1L2") == 0 || g_ascii_strcasecmp (rcls, "l1_l2") == 0)
    ll_layer_spec_set_choice (spec, "kernel_regularizer", "l1_l2", NULL);
  else
    LAYER_FAIL ("the kernel regularizer %s is not one Layerlab has (l1, l2, l1_l2)", rcls);
  return (!has1 || set_param (spec, "l1", l1, name, cls, error))
         && (!has2 || set_param (spec, "l2", l2, name, cls, error));
}

static gboolean
check_channels_last (JsonObject *cfg, const char *name, const char *cls, GError **error)
{
  const char *df = member_string (cfg, "data_format");
  if (df != NULL && strcmp (df, "channels_last") != 0)
    LAYER_FAIL ("data_format “%s”: Layerlab's images are channels last", df);
  return TRUE;
}

static gboolean
set_padding (LlLayerSpec *spec, JsonObject *cfg, const char *name, const char *cls,
             GError **error)
{
  const char *padding = member_string (cfg, "padding");
  if (padding == NULL)
    return TRUE;
  if (!ll_layer_spec_set_choice (spec, "padding", padding, NULL))
    LAYER_FAIL ("padding “%s” is not valid or same", padding);
  return TRUE;
}

/* A shape without its batch ([null, 28, 28, 1]) as an Input layer (and a
 * Flatten for flat inputs). */
static gboolean
add_input (Keras *k, JsonArray *shape, const char *name, const char *cls, GError **error)
{
  int d[3] = { 1, 1, 1 }, rank = (int) json_array_get_length (shape) - 1;
  int h, w, c;
  LlLayerSpec spec;

  if (ll_arch_n_layers (k->b.arch) > 0)
    LAYER_FAIL ("a second input; Layerlab models have one");
  if (rank < 1 || rank > 3)
    LAYER_FAIL ("an input of rank %d; Layerlab reads images (height, width, channels) or flat "
                "vectors", MAX (rank, 0));
  for (int i = 0; i < rank; i++)
    {
      double v;
      if (!node_number (json_array_get_element (shape, (guint) i + 1), &v) || v < 1 || v > 1 << 24)
        LAYER_FAIL ("its input has no fixed size in dimension %d", i + 1);
      d[i] = (int) v;
    }
  if (rank == 1)
    ll_import_flat_input (d[0], &h, &w, &c);
  else
    h = d[0], w = d[1], c = rank == 3 ? d[2] : 1;
  ll_layer_spec_init (&spec, &ll_layer_input);
  if (!set_param (&spec, "height", h, name, cls, error) || !set_param (&spec, "width", w, name, cls, error)
      || !set_param (&spec, "channels", c, name, cls, error))
    return FALSE;
  ll_import_add_layer (&k->b, &spec);
  if (rank == 1)
    {
      ll_layer_spec_init (&spec, &ll_layer_flatten);
      ll_import_add_layer (&k->b, &spec);
    }
  return TRUE;
}

static JsonArray *
input_shape_of (JsonObject *cfg)
{
  JsonArray *a = member_array (cfg, "batch_shape");
  if (a == NULL)
    a = member_array (cfg, "batch_input_shape");
  return a;
}

/* One layer of the chain; records it for the weights. */
static gboolean
add_layer (Keras *k, JsonObject *layer, GError **error)
{
  const char *cls = member_string (layer, "class_name");
  JsonObject *cfg = member_object (layer, "config");
  const char *name = NULL;
  const LlLayerType *type = NULL;
  LlLayerSpec spec;
  KerasLayer *rec;
  double v;
  JsonArray *shape;

  if (cls == NULL || cfg == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("A Keras layer has no class_name or config: the model config is damaged"));
      return FALSE;
    }
  name = member_string (cfg, "name");
  if (name == NULL)
    name = member_string (layer, "name");
  if (name == NULL)
    name = "?";
  rec = g_new0 (KerasLayer, 1);
  rec->name = g_strdup (name);
  rec->class_name = g_strdup (cls);
  rec->engine_layer = -1;
  if (strcmp (cls, "InputLayer") != 0 || k->functional)
    {
      g_autofree char *snake = to_snake_case (cls);
      gpointer count;
      if (g_hash_table_lookup_extended (k->class_counts, snake, NULL, &count))
        {
          int c = GPOINTER_TO_INT (count) + 1;
          g_hash_table_replace (k->class_counts, g_strdup (snake), GINT_TO_POINTER (c));
          rec->object_name = g_strdup_printf ("%s_%d", snake, c);
        }
      else
        {
          g_hash_table_replace (k->class_counts, g_strdup (snake), GINT_TO_POINTER (0));
          rec->object_name = g_strdup (snake);
        }
    }
  g_ptr_array_add (k->layers, rec);

  /* A Keras 2 Sequential without InputLayer: the first layer's shape. */
  if (strcmp (cls, "InputLayer") != 0 && ll_arch_n_layers (k->b.arch) == 0)
    {
      if ((shape = input_shape_of (cfg)) == NULL)
        LAYER_FAIL ("the model has no input shape; save it after it was built or give it an "
                    "Input");
      if (!add_input (k, shape, name, cls, error))
        return FALSE;
    }

  if (strcmp (cls, "InputLayer") == 0)
    {
      if ((shape = input_shape_of (cfg)) == NULL)
        LAYER_FAIL ("it has no batch_shape");
      return add_input (k, shape, name, cls, error);
    }
  if (!check_channels_last (cfg, name, cls, error))
    return FALSE;

  if (strcmp (cls, "Dense") == 0)
    {
      ll_layer_spec_init (&spec, type = &ll_layer_dense);
      if (!member_number (cfg, "units", &v))
        LAYER_FAIL ("it has no units");
      if (!set_param (&spec, "units", v, name, cls, error)
          || !set_activation (&spec, cfg, "activation", name, cls, error))
        return FALSE;
      if (member_number (cfg, "use_bias", &v))
        spec.v[ll_layer_param_index (type, "use_bias")] = v != 0;
      set_initializer (&spec, cfg, "kernel_initializer");
      set_initializer (&spec, cfg, "bias_initializer");
      if (!set_regularizer (&spec, cfg, name, cls, error))
        return FALSE;
    }
  else if (strcmp (cls, "Conv2D") == 0)
    {
      ll_layer_spec_init (&spec, type = &ll_layer_conv2d);
      if (!member_number (cfg, "filters", &v))
        LAYER_FAIL ("it has no filters");
      if (!set_param (&spec, "filters", v, name, cls, error))
        return FALSE;
      if (!member_square (cfg, "kernel_size", &v) || v < 0)
        LAYER_FAIL ("its kernel is not square; Layerlab's kernels are");
      if (!set_param (&spec, "kernel_size", v, name, cls, error))
        return FALSE;
      if (member_square (cfg, "strides", &v))
        {
          if (v < 0)
            LAYER_FAIL ("its strides differ between height and width");
          if (!set_param (&spec, "strides", v, name, cls, error))
            return FALSE;
        }
      if (member_square (cfg, "dilation_rate", &v) && v != 1)
        LAYER_FAIL ("dilated convolutions have no Layerlab layer");
      if (member_number (cfg, "groups", &v) && v != 1)
        LAYER_FAIL ("grouped convolutions have no Layerlab layer");
      if (!set_padding (&spec, cfg, name, cls, error)
          || !set_activation (&spec, cfg, "activation", name, cls, error))
        return FALSE;
      if (member_number (cfg, "use_bias", &v))
        spec.v[ll_layer_param_index (type, "use_bias")] = v != 0;
      set_initializer (&spec, cfg, "kernel_initializer");
      set_initializer (&spec, cfg, "bias_initializer");
      if (!set_regularizer (&spec, cfg, name, cls, error))
        return FALSE;
    }
  else if (strcmp (cls, "MaxPooling2D") == 0 || strcmp (cls, "AveragePooling2D") == 0
           || strcmp (cls, "MaxPool2D") == 0 || strcmp (cls, "AvgPool2D") == 0)
    {
      ll_layer_spec_init (&spec, type = cls[0] == 'M' ? &ll_layer_max_pooling2d
                                                      : &ll_layer_average_pooling2d);
      if (member_square (cfg, "pool_size", &v))
        {
          if (v < 0)
            LAYER_FAIL ("its pool is not square; Layerlab's pools are");
          if (!set_param (&spec, "pool_size", v, name, cls, error))
            return FALSE;
        }
      if (member_square (cfg, "strides", &v))
        {
          if (v < 0)
            LAYER_FAIL ("its strides differ between height and width");
          if (!set_param (&spec, "strides", v, name, cls, error))
            return FALSE;
        }
      if (!set_padding (&spec, cfg, name, cls, error))
        return FALSE;
    }
  else if (strcmp (cls, "GlobalAveragePooling2D") == 0 || strcmp (cls, "GlobalMaxPooling2D") == 0
           || strcmp (cls, "GlobalAvgPool2D") == 0 || strcmp (cls, "GlobalMaxPool2D") == 0)
    {
      ll_layer_spec_init (&spec, type = strstr (cls, "Max") != NULL
                                        ? &ll_layer_global_max_pooling2d
                                        : &ll_layer_global_average_pooling2d);
      if (member_number (cfg, "keepdims", &v) && v != 0)
        LAYER_FAIL ("keepdims=True has no Layerlab layer");
    }
  else if (strcmp (cls, "BatchNormalization") == 0)
    {
      JsonNode *axis = member (cfg, "axis");
      double a = -1;
      ll_layer_spec_init (&spec, type = &ll_layer_batch_normalization);
      if (axis != NULL && JSON_NODE_HOLDS_ARRAY (axis) && json_array_get_length (json_node_get_array (axis)) == 1)
        node_number (json_array_get_element (json_node_get_array (axis), 0), &a);
      else if (axis != NULL)
        node_number (axis, &a);
      if (a != -1 && a != 3 && a != 1)
        LAYER_FAIL ("it normalizes axis %g; Layerlab normalizes the channels (the last axis)", a);
      if ((member_number (cfg, "momentum", &v) && !set_param (&spec, "momentum", v, name, cls, error))
          || (member_number (cfg, "epsilon", &v) && !set_param (&spec, "epsilon", v, name, cls, error)))
        return FALSE;
      if (member_number (cfg, "center", &v))
        spec.v[ll_layer_param_index (type, "center")] = v != 0;
      if (member_number (cfg, "scale", &v))
        spec.v[ll_layer_param_index (type, "scale")] = v != 0;
    }
  else if (strcmp (cls, "Dropout") == 0)
    {
      JsonNode *ns = member (cfg, "noise_shape");
      ll_layer_spec_init (&spec, type = &ll_layer_dropout);
      if (ns != NULL && !JSON_NODE_HOLDS_NULL (ns))
        LAYER_FAIL ("a noise_shape has no Layerlab counterpart");
      if (member_number (cfg, "rate", &v) && !set_param (&spec, "rate", v, name, cls, error))
        return FALSE;
    }
  else if (strcmp (cls, "Activation") == 0)
    {
      ll_layer_spec_init (&spec, type = &ll_layer_activation);
      if (!set_activation (&spec, cfg, "activation", name, cls, error))
        return FALSE;
    }
  else if (strcmp (cls, "ReLU") == 0 || strcmp (cls, "Softmax") == 0)
    {
      double mv = 0;
      JsonNode *maxv = member (cfg, "max_value");
      ll_layer_spec_init (&spec, type = &ll_layer_activation);
      if ((maxv != NULL && !JSON_NODE_HOLDS_NULL (maxv))
          || (member_number (cfg, "negative_slope", &mv) && mv != 0)
          || (member_number (cfg, "threshold", &mv) && mv != 0)
          || (member_number (cfg, "axis", &mv) && mv != -1))
        LAYER_FAIL ("only the plain %s (no max_value, slope, threshold or axis) can be imported",
                    cls);
      ll_layer_spec_set_choice (&spec, "activation", cls[0] == 'R' ? "relu" : "softmax", NULL);
    }
  else if (strcmp (cls, "Flatten") == 0)
    ll_layer_spec_init (&spec, type = &ll_layer_flatten);
  else if (strcmp (cls, "Reshape") == 0)
    {
      JsonArray *ts = member_array (cfg, "target_shape");
      double d[3] = { 1, 1, 1 };
      int n = ts != NULL ? (int) json_array_get_length (ts) : 0;
      if (n < 1 || n > 3)
        LAYER_FAIL ("only reshapes to a vector or an image can be imported");
      for (int i = 0; i < n; i++)
        if (!node_number (json_array_get_element (ts, (guint) i), &d[i]) || d[i] < 1)
          LAYER_FAIL ("its target_shape must be positive whole numbers");
      if (n == 1)
        ll_layer_spec_init (&spec, type = &ll_layer_flatten);
      else
        {
          ll_layer_spec_init (&spec, type = &ll_layer_reshape);
          if (!set_param (&spec, "height", d[0], name, cls, error)
              || !set_param (&spec, "width", d[1], name, cls, error)
              || !set_param (&spec, "channels", n == 3 ? d[2] : 1, name, cls, error))
            return FALSE;
        }
    }
  else if (strcmp (cls, "LeakyReLU") == 0)
    LAYER_FAIL ("Layerlab has no leaky ReLU activation (it has relu, sigmoid, tanh and softmax)");
  else
    LAYER_FAIL ("this layer has no Layerlab counterpart. Layerlab reads InputLayer, Dense, "
                "Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, "
                "GlobalMaxPooling2D, BatchNormalization, Dropout, Activation, ReLU, Softmax, "
                "Flatten and Reshape");

  rec->engine_layer = ll_import_add_layer (&k->b, &spec);
  if (ll_arch_n_layers (k->b.arch) > MAX_LAYERS)
    LAYER_FAIL ("the model has more than %d layers", MAX_LAYERS);
  return TRUE;
}

/* Names of the layers a functional layer reads: Keras 2 lists
 * [[["name", 0, 0, {}], ...]], Keras 3 {"args": [{"config": {"keras_history":
 * ["name", 0, 0]}}]}. */
static void
collect_inbound (JsonNode *node, GPtrArray *names, int depth)
{
  if (node == NULL || depth > 12)
    return;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      JsonArray *h = member_array (o, "keras_history");
      if (h != NULL && json_array_get_length (h) >= 1
          && JSON_NODE_HOLDS_VALUE (json_array_get_element (h, 0))
          && json_node_get_value_type (json_array_get_element (h, 0)) == G_TYPE_STRING)
        {
          g_ptr_array_add (names, (gpointer) json_array_get_string_element (h, 0));
          return;
        }
      collect_inbound (member (o, "args"), names, depth + 1);
      collect_inbound (member (o, "config"), names, depth + 1);
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      guint n = json_array_get_length (a);
      if (n >= 3 && JSON_NODE_HOLDS_VALUE (json_array_get_element (a, 0))
          && json_node_get_value_type (json_array_get_element (a, 0)) == G_TYPE_STRING
          && JSON_NODE_HOLDS_VALUE (json_array_get_element (a, 1))
          && json_node_get_value_type (json_array_get_element (a, 1)) == G_TYPE_INT64)
        {
          g_ptr_array_add (names, (gpointer) json_array_get_string_element (a, 0));
          return;
        }
      for (guint i = 0; i < n; i++)
        collect_inbound (json_array_get_element (a, i), names, depth + 1);
    }
}

static const char *
layer_name (JsonObject *layer)
{
  const char *name = member_string (layer, "name");
  return name != NULL ? name : member_string (member_object (layer, "config"), "name");
}

/* Orders a functional model's layers as a chain from its input, or says
 * where it branches. */
static gboolean
functional_chain (JsonArray *layers, GPtrArray *order, GError **error)
{
  guint n = json_array_get_length (layers);
  g_autofree int *source = g_new (int, MAX (n, 1));
  g_autofree int *next = g_new (int, MAX (n, 1));
  int start = -1;

  for (guint i = 0; i < n; i++)
    next[i] = -1;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *ln = json_array_get_element (layers, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (ln) ? json_node_get_object (ln) : NULL;
      g_autoptr(GPtrArray) in = g_ptr_array_new ();
      const char *name = l != NULL ? layer_name (l) : NULL;
      const char *cls = l != NULL ? member_string (l, "class_name") : NULL;
      JsonArray *nodes = l != NULL ? member_array (l, "inbound_nodes") : NULL;

      if (name == NULL || cls == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer %u has no name or class: the model config is damaged"), i);
          return FALSE;
        }
      source[i] = -1;
      if (nodes != NULL && json_array_get_length (nodes) > 1)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) is called %u times; Layerlab imports a chain where "
                       "each layer is used once"), name, cls, json_array_get_length (nodes));
          return FALSE;
        }
      if (nodes != NULL && json_array_get_length (nodes) == 1)
        collect_inbound (json_array_get_element (nodes, 0), in, 0);
      if (in->len == 0)
        {
          if (start >= 0 || strcmp (cls, "InputLayer") != 0)
            {
              g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                           _("Keras layer “%s” (%s) reads no other layer: the model has several "
                           "inputs, and Layerlab imports a chain with one"), name, cls);
              return FALSE;
            }
          start = (int) i;
          continue;
        }
      if (in->len > 1)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) reads %u tensors; Layerlab imports a chain of "
                       "layers, each reading the one before"), name, cls, in->len);
          return FALSE;
        }
      for (guint j = 0; j < n; j++)
        {
          JsonNode *jn = json_array_get_element (layers, j);
          if (JSON_NODE_HOLDS_OBJECT (jn)
              && g_strcmp0 (layer_name (json_node_get_object (jn)), in->pdata[0]) == 0)
            source[i] = (int) j;
        }
      if (source[i] < 0 || source[i] == (int) i)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) reads “%s”, which is not a layer of the model"),
                       name, cls, (const char *) in->pdata[0]);
          return FALSE;
        }
      if (next[source[i]] >= 0)
        {
          JsonObject *a = json_array_get_object_element (layers, (guint) source[i]);
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” feeds two layers (“%s” and “%s”): the model branches, "
                       "and Layerlab imports a single chain"), layer_name (a),
                       layer_name (json_array_get_object_element (layers, (guint) next[source[i]])),
                       name);
          return FALSE;
        }
      next[source[i]] = (int) i;
    }
  if (start < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The Keras model has no InputLayer"));
      return FALSE;
    }
  for (int i = start, steps = 0; i >= 0 && steps <= (int) n; i = next[i], steps++)
    g_ptr_array_add (order, json_array_get_object_element (layers, (guint) i));
  if (order->len != n)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The Keras model's layers do not form one chain from its input (%u of %u "
                   "reached)"), order->len, n);
      return FALSE;
    }
  return TRUE;
}

static gboolean
model_from_config (Keras *k, JsonObject *model, GError **error)
{
  const char *cls = member_string (model, "class_name");
  JsonNode *cfgn = member (model, "config");
  JsonArray *layers = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  if (cls == NULL || cfgn == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The Keras model config has no class_name or config"));
      return FALSE;
    }
  if (JSON_NODE_HOLDS_ARRAY (cfgn))
    layers = json_node_get_array (cfgn);            /* Keras 2.0's Sequential */
  else if (JSON_NODE_HOLDS_OBJECT (cfgn))
    layers = member_array (json_node_get_object (cfgn), "layers");
  if (layers == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The Keras model (%s) lists no layers: Layerlab reads Sequential and "
                   "functional models, not subclassed ones"), cls);
      return FALSE;
    }
  if (json_array_get_length (layers) > MAX_LAYERS)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The Keras model has more than %d layers"),
                   MAX_LAYERS);
      return FALSE;
    }
  k->functional = strcmp (cls, "Sequential") != 0;
  if (k->functional && strcmp (cls, "Functional") != 0 && strcmp (cls, "Model") != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The Keras model is a %s; Layerlab reads Sequential and functional models"),
                   cls);
      return FALSE;
    }
  if (k->functional)
    {
      if (!functional_chain (layers, order, error))
        return FALSE;
    }
  else
    for (guint i = 0; i < json_array_get_length (layers); i++)
      {
        JsonNode *ln = json_array_get_element (layers, i);
        if (!JSON_NODE_HOLDS_OBJECT (ln))
          {
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Keras layer %u is not an object"), i);
            return FALSE;
          }
        g_ptr_array_add (order, json_node_get_object (ln));
      }
  /* A Keras 3 Sequential built without an Input: the model's build_config. */
  if (!k->functional && order->len > 0
      && g_strcmp0 (member_string (order->pdata[0], "class_name"), "InputLayer") != 0
      && input_shape_of (member_object (order->pdata[0], "config")) == NULL)
    {
      JsonArray *shape = member_array (member_object (model, "build_config"), "input_shape");
      const char *name = "sequential", *c = "Sequential";
      if (shape == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("The Keras model has no input shape; save it after it was built or give "
                       "it an Input"));
          return FALSE;
        }
      if (!add_input (k, shape, name, c, error))
        return FALSE;
    }
  for (guint i = 0; i < order->len; i++)
    if (!add_layer (k, order->pdata[i], error))
      return FALSE;
  return TRUE;
}

/* Optimizer and loss from compile() ------------------------------------- */

static void
fit_config_from_compile (JsonObject *compile, JsonObject *optimizer, LlFitConfig *cfg)
{
  JsonNode *lossn = member (compile, "loss");
  const char *oname = NULL;
  JsonObject *oc = NULL;

  if (optimizer != NULL)
    {
      oname = member_string (optimizer, "class_name");
      oc = member_object (optimizer, "config");
    }
  else if (member_string (compile, "optimizer") != NULL)
    oname = member_string (compile, "optimizer");
  if (oname != NULL)
    {
      const char *gt = strrchr (oname, '>');     /* "Custom>Adam" */
      LlOptimKind kind;
      if (gt != NULL)
        oname = gt + 1;
      if (ll_optim_kind_from_name (oname, &kind))
        {
          LlOptimConfig o = ll_optim_config_default (kind);
          double v;
          if (member_number (oc, "learning_rate", &v) || member_number (oc, "lr", &v))
            o.learning_rate = v;
#define NUM(key, field) if (member_number (oc, key, &v)) o.field = v
          NUM ("momentum", momentum);
          NUM ("rho", rho);
          NUM ("epsilon", epsilon);
          NUM ("initial_accumulator_value", initial_accumulator);
          NUM ("beta_1", beta_1);
          NUM ("beta_2", beta_2);
#undef NUM
          if (member_number (oc, "nesterov", &v))
            o.nesterov = v != 0;
          if (member_number (oc, "centered", &v))
            o.centered = v != 0;
          if (member_number (oc, "amsgrad", &v))
            o.amsgrad = v != 0;
          cfg->optim = ll_optim_config_validate (&o, NULL) ? o : ll_optim_config_default (kind);
        }
    }
  if (lossn != NULL)
    {
      const char *lname = NULL;
      LlLossKind kind;
      if (JSON_NODE_HOLDS_VALUE (lossn))
        lname = member_string (compile, "loss");
      else if (JSON_NODE_HOLDS_OBJECT (lossn))
        lname = member_string (json_node_get_object (lossn), "class_name");
      if (lname != NULL)
        {
          g_autofree char *snake = to_snake_case (lname);
          if (ll_loss_kind_from_name (snake, &kind) || ll_loss_kind_from_name (lname, &kind))
            cfg->loss = kind;
        }
    }
}

/* HDF5 ------------------------------------------------------------------ */

typedef struct {
  hid_t file;
  gsize file_len;
  H5E_auto2_t old_func;
  void *old_data;
} H5;

/* Opens an HDF5 file image; libhdf5's own error printing is switched off
 * for this thread while the file is read. */
static gboolean
h5_open (H5 *h, const void *data, gsize len, GError **error)
{
  hid_t fapl;

  H5Eget_auto2 (H5E_DEFAULT, &h->old_func, &h->old_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  h->file = H5I_INVALID_HID;
  h->file_len = len;
  fapl = H5Pcreate (H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_fapl_core (fapl, 1 << 16, 0) >= 0
      && H5Pset_file_image (fapl, (void *) data, len) >= 0)
    h->file = H5Fopen ("layerlab-import.h5", H5F_ACC_RDONLY, fapl);
  if (fapl >= 0)
    H5Pclose (fapl);
  if (h->file < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The HDF5 file is damaged or truncated (libhdf5 cannot open it)"));
      return FALSE;
    }
  return TRUE;
}

static void
h5_close (H5 *h)
{
  if (h->file >= 0)
    H5Fclose (h->file);
  H5Eset_auto2 (H5E_DEFAULT, h->old_func, h->old_data);
}

static gboolean
h5_exists (hid_t loc, const char *path)
{
  /* H5Lexists checks one link; walk the path one component at a time. */
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) sofar = g_string_new (NULL);

  for (int i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (sofar->len > 0)
        g_string_append_c (sofar, '/');
      g_string_append (sofar, parts[i]);
      if (H5Lexists (loc, sofar->str, H5P_DEFAULT) <= 0)
        return FALSE;
    }
  return sofar->len > 0;
}

/* The strings of a string attribute (scalar or 1-D, fixed or variable
 * length), appended to out.  FALSE with no error when it is absent. */
static gboolean
h5_attr_strings_one (hid_t obj, const char *name, GPtrArray *out, GError **error)
{
  hid_t attr, type = H5I_INVALID_HID, space = H5I_INVALID_HID, mem = H5I_INVALID_HID;
  hssize_t n;
  gboolean ok = FALSE;

  if (H5Aexists (obj, name) <= 0)
    return FALSE;
  attr = H5Aopen (obj, name, H5P_DEFAULT);
  if (attr < 0)
    goto bad;
  type = H5Aget_type (attr);
  space = H5Aget_space (attr);
  if (type < 0 || space < 0 || H5Tget_class (type) != H5T_STRING)
    goto bad;
  n = H5Sget_simple_extent_npoints (space);
  if (n < 0 || n > 1000000)
    goto bad;
  if (H5Tis_variable_str (type) > 0)
    {
      g_autofree char **buf = g_new0 (char *, (gsize) MAX (n, 1));
      mem = H5Tcopy (H5T_C_S1);
      H5Tset_size (mem, H5T_VARIABLE);
      H5Tset_cset (mem, H5Tget_cset (type));
      if (H5Aread (attr, mem, buf) < 0)
        {
          /* A read that failed part way may have allocated some strings. */
          H5Dvlen_reclaim (mem, space, H5P_DEFAULT, buf);
          goto bad;
        }
      for (hssize_t i = 0; i < n; i++)
        g_ptr_array_add (out, g_strdup (buf[i] != NULL ? buf[i] : ""));
      H5Dvlen_reclaim (mem, space, H5P_DEFAULT, buf);
    }
  else
    {
      size_t size = H5Tget_size (type);
      g_autofree char *buf = NULL;
      if (size == 0 || size > MAX_JSON_BYTES || (gsize) n * size > MAX_JSON_BYTES)
        goto bad;
      buf = g_malloc0 ((gsize) n * size + 1);
      mem = H5Tcopy (H5T_C_S1);
      H5Tset_size (mem, size);
      H5Tset_strpad (mem, H5T_STR_NULLPAD);
      if (H5Aread (attr, mem, buf) < 0)
        goto bad;
      for (hssize_t i = 0; i < n; i++)
        g_ptr_array_add (out, g_strndup (buf + (gsize) i * size, size));
    }
  ok = TRUE;
bad:
  if (mem >= 0)
    H5Tclose (mem);
  if (type >= 0)
    H5Tclose (type);
  if (space >= 0)
    H5Sclose (space);
  if (attr >= 0)
    H5Aclose (attr);
  if (!ok)
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                 _("The HDF5 attribute “%s” is not a list of strings: the file is damaged"), name);
  return ok;
}

/* Keras splits long lists over "name0", "name1", ... */
static gboolean
h5_attr_strings (hid_t obj, const char *name, GPtrArray *out, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (h5_attr_strings_one (obj, name, out, &local))
    return TRUE;
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  for (int i = 0; i < 10000; i++)
    {
      g_autofree char *chunk = g_strdup_printf ("%s%d", name, i);
      if (!h5_attr_strings_one (obj, chunk, out, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          return i > 0;
        }
    }
  return TRUE;
}

static char *
h5_attr_string (hid_t obj, const char *name, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  if (!h5_attr_strings (obj, name, list, error) || list->len != 1)
    return NULL;
  return g_strdup (list->pdata[0]);
}

/* Reads dataset `path` of loc into the builder as layer's weight `info`,
 * after checking its shape and that the file holds its bytes. */
static gboolean
h5_read_weight (H5 *h, hid_t loc, const char *path, LlImportBuilder *b, int layer,
                const LlWeightInfo *info, const char *lname, GError **error)
{
  hid_t ds = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
  hid_t dcpl = H5I_INVALID_HID;
  hsize_t dims[8];
  int rank;
  gsize n = 1, declared, stored;
  gboolean ok = FALSE, filtered;
  float *dst;

  if (!h5_exists (loc, path) || (ds = H5Dopen2 (loc, path, H5P_DEFAULT)) < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Keras layer “%s”: its %s (dataset “%s”) is missing"), lname, info->name, path);
      return FALSE;
    }
  space = H5Dget_space (ds);
  type = H5Dget_type (ds);
  dcpl = H5Dget_create_plist (ds);
  rank = space >= 0 ? H5Sget_simple_extent_ndims (space) : -1;
  if (rank < 0 || rank > 8 || type < 0 || H5Tget_class (type) != H5T_FLOAT)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Keras layer “%s”: its %s is not a float tensor"), lname, info->name);
      goto out;
    }
  H5Sget_simple_extent_dims (space, dims, NULL);
  if (rank != info->rank)
    goto shape;
  for (int i = 0; i < rank; i++)
    {
      if (dims[i] != (hsize_t) info->dims[i])
        goto shape;
      n *= (gsize) dims[i];
    }
  /* What the header declares against what the file stores: a dataset
   * never written, or one claiming more than the file, is refused. */
  declared = n * H5Tget_size (type);
  stored = (gsize) H5Dget_storage_size (ds);
  filtered = dcpl >= 0 && H5Pget_nfilters (dcpl) > 0;
  if (n > 0 && (stored == 0 || stored > h->file_len
                || declared > (filtered ? stored * 1100 + 4096 : stored)))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Keras layer “%s”: its %s declares %zu bytes but the file "
                   "stores %zu: the file is damaged"), lname, info->name,
                   declared, stored);
      goto out;
    }
  if (!(dst = ll_import_weight (b, layer, info->name, n, error)))
    goto out;
  if (n > 0 && H5Dread (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst) < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Keras layer “%s”: its %s cannot be read: the file is damaged"), lname,
                   info->name);
      goto out;
    }
  ok = TRUE;
  goto out;

shape:
  {
    g_autoptr(GString) got = g_string_new (NULL), want = g_string_new (NULL);
    for (int i = 0; i < rank; i++)
      g_string_append_printf (got, "%s%llu", i ? ", " : "", (unsigned long long) dims[i]);
    for (int i = 0; i < info->rank; i++)
      g_string_append_printf (want, "%s%d", i ? ", " : "", info->dims[i]);
    g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                 _("Keras layer “%s”: its %s has shape (%s) where the model needs (%s)"),
                 lname, info->name, got->str, want->str);
  }
out:
  if (dcpl >= 0)
    H5Pclose (dcpl);
  if (type >= 0)
    H5Tclose (type);
  if (space >= 0)
    H5Sclose (space);
  if (ds >= 0)
    H5Dclose (ds);
  return ok;
}

/* The weights the engine's layer i needs, in Keras' order. */
static int
layer_weight_infos (LlImportBuilder *b, const LlShape *shapes, int i, LlWeightInfo *info)
{
  const LlLayerSpec *spec = ll_arch_layer (b->arch, i);
  return spec->type->weights != NULL ? spec->type->weights (spec, &shapes[i - 1], &shapes[i], info)
                                     : 0;
}

static LlShape *
infer_shapes (Keras *k, GError **error)
{
  g_autoptr(GError) local = NULL;
  int bad = -1;
  LlShape *shapes = ll_arch_infer_shapes (k->b.arch, &bad, &local);

  if (shapes == NULL)
    {
      const char *name = "?", *cls = "?";
      for (guint i = 0; i < k->layers->len; i++)
        {
          KerasLayer *l = k->layers->pdata[i];
          if (l->engine_layer == bad)
            name = l->name, cls = l->class_name;
        }
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE, _("Keras layer “%s” (%s): %s"), name, cls,
                   local->message);
    }
  return shapes;
}

/* Legacy: model_weights/<layer>/ with weight_names in order. */
static gboolean
read_legacy_weights (Keras *k, H5 *h, GError **error)
{
  g_autofree LlShape *shapes = infer_shapes (k, error);
  hid_t mw;
  gboolean ok = TRUE;

  if (shapes == NULL)
    return FALSE;
  if (H5Lexists (h->file, "model_weights", H5P_DEFAULT) <= 0
      || (mw = H5Gopen2 (h->file, "model_weights", H5P_DEFAULT)) < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The Keras file has no model_weights group: it was saved without weights"));
      return FALSE;
    }
  for (guint i = 0; i < k->layers->len && ok; i++)
    {
      KerasLayer *l = k->layers->pdata[i];
      LlWeightInfo info[LL_MAX_WEIGHTS];
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      int n = l->engine_layer > 0 ? layer_weight_infos (&k->b, shapes, l->engine_layer, info) : 0;
      hid_t lg;

      if (n == 0)
        continue;
      if (strchr (l->name, '/') != NULL || H5Lexists (mw, l->name, H5P_DEFAULT) <= 0
          || (lg = H5Gopen2 (mw, l->name, H5P_DEFAULT)) < 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” has no weights in the file"), l->name);
          ok = FALSE;
          break;
        }
      if (!h5_attr_strings (lg, "weight_names", names, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                         _("Keras layer “%s” has no weight_names"), l->name);
          ok = FALSE;
        }
      else if ((int) names->len != n)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) has %u weights in the file where Layerlab's layer "
                       "has %d"), l->name, l->class_name, names->len, n);
          ok = FALSE;
        }
      for (int w = 0; ok && w < n; w++)
        {
          /* "dense/kernel:0" or "sequential/dense/kernel": the last part
           * names the weight; it must be the one expected here. */
          const char *path = names->pdata[w];
          const char *slash = strrchr (path, '/');
          g_autofree char *base = g_strdup (slash != NULL ? slash + 1 : path);
          char *colon = strchr (base, ':');
          if (colon != NULL)
            *colon = '\0';
          if (strcmp (base, info[w].name) != 0)
            {
              g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                           _("Keras layer “%s”: weight %d is “%s” where Layerlab expects its %s"),
                           l->name, w, path, info[w].name);
              ok = FALSE;
            }
          else
            ok = h5_read_weight (h, lg, path, &k->b, l->engine_layer, &info[w], l->name, error);
        }
      H5Gclose (lg);
    }
  H5Gclose (mw);
  return ok;
}

/* Keras 3: layers/<object name>/vars/0, 1, ... */
static gboolean
read_keras3_weights (Keras *k, H5 *h, GError **error)
{
  g_autofree LlShape *shapes = infer_shapes (k, error);

  if (shapes == NULL)
    return FALSE;
  for (guint i = 0; i < k->layers->len; i++)
    {
      KerasLayer *l = k->layers->pdata[i];
      LlWeightInfo info[LL_MAX_WEIGHTS];
      int n = l->engine_layer > 0 ? layer_weight_infos (&k->b, shapes, l->engine_layer, info) : 0;
      g_autofree char *vars = NULL;
      hid_t g;
      hsize_t n_links = 0;

      if (n == 0)
        continue;
      vars = g_strdup_printf ("layers/%s/vars", l->object_name);
      if (!h5_exists (h->file, vars))
        {
          g_free (vars);
          vars = g_strdup_printf ("_layer_checkpoint_dependencies/%s/vars", l->object_name);
        }
      if (!h5_exists (h->file, vars) || (g = H5Gopen2 (h->file, vars, H5P_DEFAULT)) < 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) has no weights in model.weights.h5 (no group "
                       "layers/%s/vars)"), l->name, l->class_name, l->object_name);
          return FALSE;
        }
      {
        H5G_info_t gi;
        if (H5Gget_info (g, &gi) >= 0)
          n_links = gi.nlinks;
      }
      if (n_links != (hsize_t) n)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Keras layer “%s” (%s) has %llu weights in the file where Layerlab's "
                       "layer has %d"), l->name, l->class_name, (unsigned long long) n_links, n);
          H5Gclose (g);
          return FALSE;
        }
      for (int w = 0; w < n; w++)
        {
          char key[16];
          g_snprintf (key, sizeof key, "%d", w);
          if (!h5_read_weight (h, g, key, &k->b, l->engine_layer, &info[w], l->name, error))
            {
              H5Gclose (g);
              return FALSE;
            }
        }
      H5Gclose (g);
    }
  return TRUE;
}

static void
keras_init (Keras *k)
{
  ll_import_builder_init (&k->b);
  k->layers = g_ptr_array_new_with_free_func (keras_layer_free);
  k->class_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  k->functional = FALSE;
}

static void
keras_clear (Keras *k)
{
  ll_import_builder_clear (&k->b);
  g_ptr_array_unref (k->layers);
  g_hash_table_unref (k->class_counts);
}

LlTrainer *
ll_import_keras_h5 (GBytes *bytes, GError **error)
{
  Keras k;
  H5 h;
  gsize len;
  const void *data;
  g_autofree char *config = NULL, *training = NULL;
  g_autoptr(JsonNode) cp = NULL, tp = NULL;
  g_autoptr(GError) local = NULL;
  LlFitConfig cfg;
  LlTrainer *t = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0 || len > LL_IMPORT_MAX_FILE)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The HDF5 file is empty or too large"));
      return NULL;
    }
  if (!h5_open (&h, data, len, error))
    {
      h5_close (&h);
      return NULL;
    }
  keras_init (&k);
  ll_fit_config_init_keras (&cfg);   /* no compile(): Keras 3's defaults, RMSprop */
  config = h5_attr_string (h.file, "model_config", &local);
  if (config == NULL)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                     H5Lexists (h.file, "layers", H5P_DEFAULT) > 0
                     || H5Aexists (h.file, "layer_names") > 0
                     ? _("This HDF5 file holds Keras weights only (save_weights); open the file "
                       "of model.save(), which has the architecture too")
                     : _("This HDF5 file is not a Keras model: it has no model_config"));
      goto out;
    }
  if (!(cp = parse_json (config, strlen (config), "model_config", error))
      || !model_from_config (&k, json_node_get_object (cp), error)
      || !read_legacy_weights (&k, &h, error))
    goto out;
  training = h5_attr_string (h.file, "training_config", NULL);
  if (training != NULL && (tp = parse_json (training, strlen (training), "training_config", NULL)))
    {
      JsonObject *tc = json_node_get_object (tp);
      fit_config_from_compile (tc, member_object (tc, "optimizer_config"), &cfg);
    }
  t = ll_import_finish (&k.b, &cfg, error);
out:
  ll_fit_config_clear (&cfg);
  keras_clear (&k);
  h5_close (&h);
  ll_import_clean_error (error);
  return t;
}

/* .keras ---------------------------------------------------------------- */

/* Reads a whole member of the archive, refusing sizes beyond max and
 * compression ratios no real file has (a zip bomb). */
static guint8 *
zip_read (zip_t *za, const char *name, gsize max, gsize *len, GError **error)
{
  zip_int64_t idx = zip_name_locate (za, name, 0);
  zip_stat_t st;
  zip_file_t *zf;
  guint8 *buf;
  gsize got = 0;

  if (idx < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The .keras archive has no %s"), name);
      return NULL;
    }
  zip_stat_init (&st);
  if (zip_stat_index (za, (zip_uint64_t) idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The .keras archive's %s is damaged"), name);
      return NULL;
    }
  if (st.size > max
      || ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > st.comp_size * 1100 + (1 << 20)))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("The .keras archive's %s declares %" PRIu64 " bytes, more than "
                   "Layerlab reads (or than its compressed size allows)"), name,
                   (guint64) st.size);
      return NULL;
    }
  zf = zip_fopen_index (za, (zip_uint64_t) idx, 0);
  if (zf == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The .keras archive's %s cannot be read (%s)"), name, zip_strerror (za));
      return NULL;
    }
  buf = g_malloc (st.size + 1);
  while (got < st.size)
    {
      zip_int64_t r = zip_fread (zf, buf + got, st.size - got);
      if (r <= 0)
        break;
      got += (gsize) r;
    }
  zip_fclose (zf);
  if (got != st.size)
    {
      g_free (buf);
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The .keras archive's %s is truncated or damaged"), name);
      return NULL;
    }
  buf[got] = 0;
  *len = got;
  return buf;
}

LlTrainer *
ll_import_keras_zip (GBytes *bytes, GError **error)
{
  Keras k;
  H5 h = { H5I_INVALID_HID, 0, NULL, NULL };
  gsize len, config_len = 0, weights_len = 0;
  const void *data;
  zip_error_t zerr;
  zip_source_t *src;
  zip_t *za;
  g_autofree guint8 *config = NULL, *weights = NULL;
  g_autoptr(JsonNode) cp = NULL;
  JsonObject *root;
  LlFitConfig cfg;
  LlTrainer *t = NULL;
  gboolean h5_opened = FALSE;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  zip_error_init (&zerr);
  src = zip_source_buffer_create (data, len, 0, &zerr);
  za = src != NULL ? zip_open_from_source (src, ZIP_RDONLY, &zerr) : NULL;
  if (za == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("This is not a .keras archive, or it is truncated (%s)"), zip_error_strerror (&zerr));
      if (src != NULL)
        zip_source_free (src);
      zip_error_fini (&zerr);
      return NULL;
    }
  zip_error_fini (&zerr);
  keras_init (&k);
  ll_fit_config_init_keras (&cfg);   /* no compile(): Keras 3's defaults, RMSprop */

  if (zip_name_locate (za, "model.weights.h5", 0) < 0 && zip_name_locate (za, "model.weights.npz", 0) >= 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The .keras archive keeps its weights as .npz; Layerlab reads the default "
                   "model.weights.h5"));
      goto out;
    }
  if (!(config = zip_read (za, "config.json", MAX_JSON_BYTES, &config_len, error))
      || !(cp = parse_json ((const char *) config, config_len, "config.json", error))
      || !(weights = zip_read (za, "model.weights.h5", LL_IMPORT_MAX_FILE, &weights_len, error)))
    goto out;
  root = json_node_get_object (cp);
  if (!model_from_config (&k, root, error))
    goto out;
  if (weights_len == 0 || !h5_open (&h, weights, weights_len, error))
    {
      if (weights_len == 0)
        g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The .keras archive's weights are empty"));
      h5_opened = weights_len != 0;
      goto out;
    }
  h5_opened = TRUE;
  g_clear_pointer (&weights, g_free);        /* libhdf5 keeps its own copy */
  if (!read_keras3_weights (&k, &h, error))
    goto out;
  {
    JsonObject *cc = member_object (root, "compile_config");
    if (cc != NULL)
      fit_config_from_compile (cc, member_object (cc, "optimizer"), &cfg);
  }
  t = ll_import_finish (&k.b, &cfg, error);
out:
  if (h5_opened)
    h5_close (&h);
  ll_fit_config_clear (&cfg);
  keras_clear (&k);
  zip_discard (za);
  ll_import_clean_error (error);
  return t;
}
