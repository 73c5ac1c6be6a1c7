/* ll-arch.c: editing, validating and (de)serialising architectures. */
#include "ll-arch.h"
#include "ll-json.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

LlArch *
ll_arch_new (void)
{
  LlArch *arch = g_new0 (LlArch, 1);
  arch->layers = g_array_new (FALSE, TRUE, sizeof (LlLayerSpec));
  return arch;
}

LlArch *
ll_arch_copy (const LlArch *arch)
{
  LlArch *copy = ll_arch_new ();
  g_array_append_vals (copy->layers, arch->layers->data, arch->layers->len);
  return copy;
}

void
ll_arch_free (LlArch *arch)
{
  if (arch == NULL)
    return;
  g_array_unref (arch->layers);
  g_free (arch);
}

int
ll_arch_n_layers (const LlArch *arch)
{
  return (int) arch->layers->len;
}

LlLayerSpec *
ll_arch_layer (const LlArch *arch, int i)
{
  g_return_val_if_fail (i >= 0 && (guint) i < arch->layers->len, NULL);
  return &g_array_index (arch->layers, LlLayerSpec, i);
}

void
ll_arch_append (LlArch *arch, const LlLayerSpec *spec)
{
  g_array_append_val (arch->layers, *spec);
}

void
ll_arch_insert (LlArch *arch, int position, const LlLayerSpec *spec)
{
  position = CLAMP (position, 0, (int) arch->layers->len);
  g_array_insert_val (arch->layers, position, *spec);
}

void
ll_arch_remove (LlArch *arch, int position)
{
  g_return_if_fail (position >= 0 && (guint) position < arch->layers->len);
  g_array_remove_index (arch->layers, position);
}

void
ll_arch_move (LlArch *arch, int from, int to)
{
  LlLayerSpec spec;
  int n = (int) arch->layers->len;

  g_return_if_fail (from >= 0 && from < n && to >= 0 && to < n);
  spec = g_array_index (arch->layers, LlLayerSpec, from);
  g_array_remove_index (arch->layers, from);
  g_array_insert_val (arch->layers, to, spec);
}

gboolean
ll_arch_equal (const LlArch *a, const LlArch *b)
{
  if (a->layers->len != b->layers->len)
    return FALSE;
  for (guint i = 0; i < a->layers->len; i++)
    {
      const LlLayerSpec *x = &g_array_index (a->layers, LlLayerSpec, i);
      const LlLayerSpec *y = &g_array_index (b->layers, LlLayerSpec, i);
      if (x->type != y->type)
        return FALSE;
      for (int p = 0; p < x->type->n_params; p++)
        if (x->v[p] != y->v[p])
          return FALSE;
    }
  return TRUE;
}

/* "Conv2D" → "conv2d", "MaxPooling2D" → "max_pooling2d", as Keras names layers. */
static char *
snake_case (const char *name)
{
  GString *s = g_string_new (NULL);
  for (const char *p = name; *p; p++)
    {
      if (g_ascii_isupper (*p) && p != name && !g_ascii_isupper (p[-1]) && !g_ascii_isdigit (p[-1]))
        g_string_append_c (s, '_');
      g_string_append_c (s, g_ascii_tolower (*p));
    }
  /* GlobalAveragePooling2D → global_average_pooling2d; BatchNormalization → batch_normalization */
  return g_string_free (s, FALSE);
}

char *
ll_arch_layer_name (const LlArch *arch, int i)
{
  const LlLayerSpec *spec = ll_arch_layer (arch, i);
  g_autofree char *base = snake_case (spec->type->name);
  int count = 0;

  for (int j = 0; j < i; j++)
    if (ll_arch_layer (arch, j)->type == spec->type)
      count++;
  if (spec->name[0] != '\0')
    return g_strdup (spec->name);
  if (spec->type == &ll_layer_input)
    return g_strdup ("input_layer");
  return count == 0 ? g_steal_pointer (&base) : g_strdup_printf ("%s_%d", base, count);
}

static gboolean
name_chars_ok (const char *name)
{
  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

gboolean
ll_arch_check_layer_name (const LlArch *arch, int i, const char *name, GError **error)
{
  g_return_val_if_fail (i >= 0 && i < ll_arch_n_layers (arch), FALSE);

  if (name == NULL || name[0] == '\0')
    return TRUE;
  g_autofree char *shown_name = ll_shown (name);

  if (strlen (name) >= LL_LAYER_NAME_MAX)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("“%s” is too long for a layer name: use at most %d characters"),
                   shown_name, LL_LAYER_NAME_MAX - 1);
      return FALSE;
    }
  if (!name_chars_ok (name))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("“%s” cannot name a layer: start with a letter and use letters, digits, "
                     "“_”, “-” or “.”, as Keras does (e.g. hidden_1)"), shown_name);
      return FALSE;
    }
  for (int j = 0; j < ll_arch_n_layers (arch); j++)
    {
      g_autofree char *other = NULL;
      if (j == i)
        continue;
      other = ll_arch_layer_name (arch, j);
      if (strcmp (other, name) == 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("Layer %d is already called “%s”: layer names must differ"), j, name);
          return FALSE;
        }
    }
  return TRUE;
}

LlShape *
ll_arch_infer_shapes (const LlArch *arch, int *bad_layer, GError **error)
{
  int n = ll_arch_n_layers (arch);
  g_autofree LlShape *shapes = NULL;

  if (bad_layer != NULL)
    *bad_layer = -1;
  if (n == 0 || ll_arch_layer (arch, 0)->type != &ll_layer_input)
    {
      if (bad_layer != NULL)
        *bad_layer = 0;
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model must start with an Input layer that gives the image size."));
      return NULL;
    }
  shapes = g_new0 (LlShape, n);
  for (int i = 0; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      const LlShape *in = i > 0 ? &shapes[i - 1] : &shapes[0];
      g_autoptr(GError) local = NULL;

      if (i > 0 && spec->type == &ll_layer_input)
        {
          g_set_error (&local, LL_ERROR, LL_ERROR_SHAPE,
                       _("Only the first layer can be an Input. Remove this one."));
        }
      else if (spec->type->infer (spec, in, &shapes[i], &local))
        {
          if (ll_shape_size (&shapes[i]) == 0)
            g_set_error (&local, LL_ERROR, LL_ERROR_SHAPE,
                         _("%s leaves nothing: its output has no values. "
                         "Use a smaller kernel, pool or stride, or padding “same”."),
                         spec->type->name);
          else if (ll_shape_size (&shapes[i]) > (gsize) 1 << 28)
            g_set_error (&local, LL_ERROR, LL_ERROR_SHAPE,
                         _("%s produces %zu values per image, too many to train here. "
                         "Use fewer filters or units, or pool earlier."),
                         spec->type->name, ll_shape_size (&shapes[i]));
        }
      if (local != NULL)
        {
          g_autofree char *name = ll_arch_layer_name (arch, i);
          if (bad_layer != NULL)
            *bad_layer = i;
          g_set_error (error, LL_ERROR, LL_ERROR_SHAPE, _("Layer %d (%s): %s"),
                       i, name, local->message);
          return NULL;
        }
    }
  return g_steal_pointer (&shapes);
}

gboolean
ll_arch_validate (const LlArch *arch, int *bad_layer, GError **error)
{
  g_autofree LlShape *shapes = ll_arch_infer_shapes (arch, bad_layer, error);
  int n;

  if (shapes == NULL)
    return FALSE;
  n = ll_arch_n_layers (arch);
  if (n < 2)
    {
      if (bad_layer != NULL)
        *bad_layer = 0;
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model has no layers after its Input. Add a Flatten and a Dense layer."));
      return FALSE;
    }
  if (shapes[n - 1].rank != 1)
    {
      g_autofree char *s = ll_shape_to_string (&shapes[n - 1]);
      if (bad_layer != NULL)
        *bad_layer = n - 1;
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The last layer outputs %s, but a classifier must end in a vector of class "
                   "scores. End with Flatten (or GlobalAveragePooling2D) and Dense(10, softmax)."), s);
      return FALSE;
    }
  return TRUE;
}

/* JSON */

JsonNode *
ll_arch_to_json_node (const LlArch *arch)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class_name");
      json_builder_add_string_value (b, spec->type->name);
      json_builder_set_member_name (b, "config");
      json_builder_begin_object (b);
      /* Keras' config keeps the name too; only a name the user gave is written. */
      if (spec->name[0] != '\0')
        {
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, spec->name);
        }
      for (int p = 0; p < spec->type->n_params; p++)
        {
          const LlParamSpec *ps = &spec->type->params[p];
          json_builder_set_member_name (b, ps->name);
          switch (ps->type)
            {
            case LL_PARAM_INT:
              json_builder_add_int_value (b, (gint64) spec->v[p]);
              break;
            case LL_PARAM_FLOAT:
              ll_json_builder_add_double (b, spec->v[p]);
              break;
            case LL_PARAM_BOOL:
              json_builder_add_boolean_value (b, spec->v[p] != 0);
              break;
            case LL_PARAM_CHOICE:
              json_builder_add_string_value (b, ps->choices[(int) spec->v[p]]);
              break;
            default:
              g_assert_not_reached ();
            }
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ll_arch_to_json (const LlArch *arch)
{
  g_autoptr(JsonNode) root = ll_arch_to_json_node (arch);

  return ll_json_to_string (root, LL_JSON_PRETTY);
}

/* Defaults that changed meaning, and the last model-file format that read
 * them the old way.  A file keeps the meaning it was written with. */
static const struct {
  const char *layer, *param, *value;
  int until_format;
} changed_defaults[] = {
  /* Keras 3's Dense defaults to activation=None (linear); format 1 read relu. */
  { "Dense", "activation", "relu", 1 },
};

static gboolean
layer_from_json (JsonObject *obj, int index, int format, LlLayerSpec *spec, GError **error)
{
  const char *class_name;
  const LlLayerType *type;
  JsonObject *config = NULL;

  if (!json_object_has_member (obj, "class_name")
      || json_node_get_value_type (json_object_get_member (obj, "class_name")) != G_TYPE_STRING)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Layer %d has no “class_name”; each layer needs one, e.g. \"Dense\""), index);
      return FALSE;
    }
  class_name = json_object_get_string_member (obj, "class_name");
  type = ll_layer_type_lookup (class_name);
  if (type == NULL)
    {
      g_autofree char *shown_class = ll_shown (class_name);
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Layer %d: Layerlab has no layer type “%s”"), index, shown_class);
      return FALSE;
    }
  ll_layer_spec_init (spec, type);
  for (gsize i = 0; i < G_N_ELEMENTS (changed_defaults); i++)
    if (format <= changed_defaults[i].until_format && strcmp (type->name, changed_defaults[i].layer) == 0)
      ll_layer_spec_set_choice (spec, changed_defaults[i].param, changed_defaults[i].value, NULL);
  if (json_object_has_member (obj, "config"))
    {
      JsonNode *cn = json_object_get_member (obj, "config");
      if (!JSON_NODE_HOLDS_OBJECT (cn))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Layer %d: “config” must be an object"), index);
          return FALSE;
        }
      config = json_node_get_object (cn);
    }
  if (config == NULL)
    return TRUE;
  {
    /* A name that could not be a layer's is left out, not an error. */
    JsonNode *nn = json_object_get_member (config, "name");
    if (nn != NULL && JSON_NODE_HOLDS_VALUE (nn) && json_node_get_value_type (nn) == G_TYPE_STRING)
      {
        const char *name = json_node_get_string (nn);
        if (strlen (name) < LL_LAYER_NAME_MAX && name_chars_ok (name))
          g_strlcpy (spec->name, name, sizeof spec->name);
      }
  }
  for (int p = 0; p < type->n_params; p++)
    {
      const LlParamSpec *ps = &type->params[p];
      JsonNode *node = json_object_get_member (config, ps->name);
      g_autoptr(GError) local = NULL;
      GType vt;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (node))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("Layer %d (%s): “%s” must be a plain value"), index, type->name, ps->name);
          return FALSE;
        }
      vt = json_node_get_value_type (node);
      if (ps->type == LL_PARAM_CHOICE)
        {
          if (vt != G_TYPE_STRING)
            g_set_error (&local, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a string"), ps->name);
          else
            ll_layer_spec_set_choice (spec, ps->name, json_node_get_string (node), &local);
        }
      else if (ps->type == LL_PARAM_BOOL)
        {
          if (vt != G_TYPE_BOOLEAN)
            g_set_error (&local, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be true or false"), ps->name);
          else
            spec->v[p] = json_node_get_boolean (node);
        }
      else
        {
          if (vt != G_TYPE_INT64 && vt != G_TYPE_DOUBLE)
            g_set_error (&local, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a number"), ps->name);
          else
            ll_layer_spec_set (spec, ps->name, json_node_get_double (node), &local);
        }
      if (local != NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Layer %d (%s): %s"),
                       index, type->name, local->message);
          return FALSE;
        }
    }
  return TRUE;
}

LlArch *
ll_arch_from_json_node (JsonNode *root, GError **error)
{
  return ll_arch_from_json_node_format (root, G_MAXINT, error);
}

LlArch *
ll_arch_from_json_node_format (JsonNode *root, int format, GError **error)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  JsonNode *layers_node;
  JsonArray *layers;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || (layers_node = json_object_get_member (json_node_get_object (root), "layers")) == NULL
      || !JSON_NODE_HOLDS_ARRAY (layers_node))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Not a Layerlab architecture: expected an object with a “layers” array"));
      return NULL;
    }
  layers = json_node_get_array (layers_node);
  if (json_array_get_length (layers) > 1000)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The architecture has %u layers; Layerlab supports at most 1000"),
                   json_array_get_length (layers));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonNode *ln = json_array_get_element (layers, i);
      LlLayerSpec spec;
      if (!JSON_NODE_HOLDS_OBJECT (ln))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("Layer %u is not an object"), i);
          return NULL;
        }
      if (!layer_from_json (json_node_get_object (ln), (int) i, format, &spec, error))
        return NULL;
      ll_arch_append (arch, &spec);
    }
  return g_steal_pointer (&arch);
}

LlArch *
ll_arch_from_json (const char *json, gssize length, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = ll_json_parse (json, length, 0, &local);

  if (root == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The architecture is %s"), local->message);
      return NULL;
    }
  return ll_arch_from_json_node (root, error);
}

LlArch *
ll_arch_load (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *shown = NULL;
  LlArch *arch;

  g_return_val_if_fail (path != NULL, NULL);

  root = ll_json_parse_file (path, (gsize) 16 << 20, &local);
  shown = g_filename_display_name (path);
  if (root == NULL && local->code == LL_ERROR_FORMAT)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s: the architecture is %s"), shown, local->message);
      return NULL;
    }
  if (root == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  arch = ll_arch_from_json_node (root, &local);
  if (arch == NULL)
    g_set_error (error, LL_ERROR, local->code, "%s: %s", shown, local->message);
  return arch;
}

/* Text form ---------------------------------------------------------------- */

static gboolean
parse_layer_line (const char *line, LlLayerSpec *spec, GError **error)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  const LlLayerType *type = ll_layer_type_lookup (words[0]);

  if (type == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("Unknown layer type “%s”"), words[0]);
      return FALSE;
    }
  ll_layer_spec_init (spec, type);
  for (int i = 1; words[i] != NULL; i++)
    {
      char *eq = strchr (words[i], '=');
      int p;
      if (eq == NULL)
        continue;
      *eq = '\0';
      p = ll_layer_param_index (type, words[i]);
      if (p < 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s has no parameter “%s”"),
                       type->name, words[i]);
          return FALSE;
        }
      if (type->params[p].type == LL_PARAM_CHOICE)
        {
          if (!ll_layer_spec_set_choice (spec, words[i], eq + 1, error))
            return FALSE;
        }
      else if (type->params[p].type == LL_PARAM_BOOL)
        spec->v[p] = g_strcmp0 (eq + 1, "true") == 0;
      else if (!ll_layer_spec_set (spec, words[i], g_ascii_strtod (eq + 1, NULL), error))
        return FALSE;
    }
  return TRUE;
}

LlArch *
ll_arch_from_text (const char *text, GError **error)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++)
    {
      LlLayerSpec spec;

      if (lines[i][0] == '\0')
        continue;
      if (!parse_layer_line (lines[i], &spec, error))
        return NULL;
      ll_arch_append (arch, &spec);
    }
  return g_steal_pointer (&arch);
}
