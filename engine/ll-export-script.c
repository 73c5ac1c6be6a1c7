/* ll-export-script.c: Keras/PyTorch scripts (ll-codegen) with their weights.
 *
 * The layout changes happen here, once, in C, so that the Python side is
 * a plain copy that cannot get them wrong.  The loader matches tensors to
 * modules by order (the layers with weights, in model order), which both
 * code generators keep. */
#include "ll-export-script.h"
#include "ll-codegen.h"
#include "ll-pytorch.h"
#include "ll-json.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

static const char torch_loader[] =
  "\n# Trained weights exported by Layerlab: %s.json indexes %s.bin\n"
  "# (little-endian float32, already in PyTorch's layouts).  Without the two\n"
  "# files the model starts from PyTorch's initialization; with them, training\n"
  "# below continues from the exported weights.\n"
  "import json\n"
  "import os\n"
  "\n"
  "\n"
  "def load_layerlab_weights(model, index_path):\n"
  "    with open(index_path) as f:\n"
  "        index = json.load(f)\n"
  "    with open(os.path.join(os.path.dirname(index_path), index[\"file\"]), \"rb\") as f:\n"
  "        data = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)\n"
  "    kinds = (%s)\n"
  "    modules = [m for m in model.modules() if isinstance(m, kinds)]\n"
  "    if len(modules) != len(index[\"layers\"]):\n"
  "        raise ValueError(f\"{index_path} has {len(index['layers'])} layers with weights, \"\n"
  "                         f\"the model {len(modules)}: export the weights again\")\n"
  "    with torch.no_grad():\n"
  "        for module, layer in zip(modules, index[\"layers\"]):\n"
  "            for t in layer[\"tensors\"]:\n"
  "                start = t[\"offset\"] // 4\n"
  "                value = data[start:start + math.prod(t[\"shape\"])].reshape(t[\"shape\"])\n"
  "                getattr(module, t[\"name\"]).copy_(value)\n"
  "\n"
  "\n"
  "def predict(x):\n"
  "    \"\"\"Probabilities as Layerlab computes them, for x of shape (n, c, h, w).\"\"\"\n"
  "    model.eval()\n"
  "    with torch.no_grad():\n"
  "        out = model(x)\n"
  "    return torch.softmax(out, dim=1) if %s else out\n"
  "\n"
  "\n"
  "WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"%s.json\")\n"
  "if os.path.exists(WEIGHTS):\n"
  "    load_layerlab_weights(model, WEIGHTS)\n"
  "    print(f\"weights loaded from {WEIGHTS}\")\n"
  LL_EXPORT_SCRIPT_MARK "\n\n";

static const char keras_loader[] =
  "\n# Trained weights exported by Layerlab: %s.json indexes %s.bin\n"
  "# (little-endian float32 in Keras' layouts).  Without the two files the\n"
  "# model starts from Keras' initialization; with them, training below\n"
  "# continues from the exported weights.\n"
  "import json\n"
  "import os\n"
  "\n"
  "import numpy as np\n"
  "\n"
  "\n"
  "def load_layerlab_weights(model, index_path):\n"
  "    with open(index_path) as f:\n"
  "        index = json.load(f)\n"
  "    data = np.fromfile(os.path.join(os.path.dirname(index_path), index[\"file\"]), dtype=\"<f4\")\n"
  "    targets = [layer for layer in model.layers if layer.weights]\n"
  "    if len(targets) != len(index[\"layers\"]):\n"
  "        raise ValueError(f\"{index_path} has {len(index['layers'])} layers with weights, \"\n"
  "                         f\"the model {len(targets)}: export the weights again\")\n"
  "    for layer, entry in zip(targets, index[\"layers\"]):\n"
  "        layer.set_weights([\n"
  "            data[t[\"offset\"] // 4:t[\"offset\"] // 4 + int(np.prod(t[\"shape\"]))].reshape(t[\"shape\"])\n"
  "            for t in entry[\"tensors\"]\n"
  "        ])\n"
  "\n"
  "\n"
  "WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), \"%s.json\")\n"
  "if os.path.exists(WEIGHTS):\n"
  "    load_layerlab_weights(model, WEIGHTS)\n"
  "    print(f\"weights loaded from {WEIGHTS}\")\n"
  LL_EXPORT_SCRIPT_MARK "\n\n";

typedef struct {
  GByteArray *bin;
  JsonBuilder *json;
} Writer;

static void
put_tensor (Writer *w, const char *name, const float *data, gsize n,
            const int *shape, int rank)
{
  json_builder_begin_object (w->json);
  json_builder_set_member_name (w->json, "name");
  json_builder_add_string_value (w->json, name);
  json_builder_set_member_name (w->json, "shape");
  json_builder_begin_array (w->json);
  for (int i = 0; i < rank; i++)
    json_builder_add_int_value (w->json, shape[i]);
  json_builder_end_array (w->json);
  json_builder_set_member_name (w->json, "offset");
  json_builder_add_int_value (w->json, w->bin->len);
  json_builder_end_object (w->json);
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &data[i], sizeof bits);
      bits = GUINT32_TO_LE (bits);
      g_byte_array_append (w->bin, (const guint8 *) &bits, sizeof bits);
    }
}

static void
put_torch_tensor (const char *name, const float *data, gsize n, const int *shape, int rank,
                  gpointer user_data)
{
  put_tensor (user_data, name, data, n, shape, rank);
}

gboolean
ll_export_weights (LlModel *model, LlScriptKind kind, const char *weights_file,
                   GBytes **bin, char **json, GError **error)
{
  const LlArch *arch = ll_model_get_arch (model);
  int n_layers = ll_model_n_layers (model);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree int *perm = NULL;      /* PyTorch's feature order after a Flatten (ll-pytorch.h) */
  Writer w = { g_byte_array_new (), b };
  LlActivation last = ll_layer_spec_activation (ll_arch_layer (arch, n_layers - 1));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "layerlab-weights");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, kind == LL_SCRIPT_PYTORCH ? "pytorch" : "keras");
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, "float32-le");
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, weights_file);
  json_builder_set_member_name (b, "softmax");
  json_builder_add_boolean_value (b, last == LL_ACT_SOFTMAX);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);

  for (int i = 1; i < n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlWeightView views[LL_MAX_WEIGHTS];
      int n = ll_model_layer_weights (model, i, views);
      g_autofree char *name = ll_arch_layer_name (arch, i);

      if (!ll_layer_type_check_backend (spec->type, kind == LL_SCRIPT_PYTORCH ? LL_BACKEND_PYTORCH
                                                                              : LL_BACKEND_KERAS, error))
        {
          g_byte_array_unref (w.bin);
          return FALSE;
        }
      if (n == 0)
        {
          if (kind == LL_SCRIPT_PYTORCH)
            ll_pytorch_layer_tensors (model, i, &perm, put_torch_tensor, &w);   /* a Flatten's order */
          continue;
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, spec->type->name);
      json_builder_set_member_name (b, "tensors");
      json_builder_begin_array (b);
      if (kind == LL_SCRIPT_PYTORCH)
        ll_pytorch_layer_tensors (model, i, &perm, put_torch_tensor, &w);
      else
        for (int v = 0; v < n; v++)
          put_tensor (&w, views[v].info->name, views[v].data,
                      ll_weight_info_size (views[v].info), views[v].info->dims, views[v].info->rank);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  *json = ll_json_to_string (root, LL_JSON_PRETTY);
  *bin = g_byte_array_free_to_bytes (w.bin);
  return TRUE;
}

gboolean
ll_export_script (LlModel *model, const LlFitConfig *config, const char *dataset,
                  LlScriptKind kind, const char *script_path, GError **error)
{
  const LlArch *arch = ll_model_get_arch (model);
  g_autofree char *script = NULL, *stem = NULL, *base = NULL, *dir = NULL;
  g_autofree char *bin_name = NULL, *json_name = NULL, *bin_path = NULL, *json_path = NULL;
  g_autofree char *json = NULL, *loader = NULL, *weights_stem = NULL;
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) local = NULL;
  const char *anchor, *at;
  LlActivation last;

  script = kind == LL_SCRIPT_PYTORCH ? ll_codegen_pytorch (arch, config, dataset)
                                     : ll_codegen_keras (arch, config, dataset);
  anchor = kind == LL_SCRIPT_PYTORCH ? "\nprint(model)\n" : "\nmodel.summary()\n";
  at = strstr (script, anchor);
  if (at == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The %s code for this model is incomplete, so its weights cannot be attached; "
                   "fix the model's shapes first (see the Code panel)"),
                   kind == LL_SCRIPT_PYTORCH ? "PyTorch" : "Keras");
      return FALSE;
    }

  base = g_path_get_basename (script_path);
  dir = g_path_get_dirname (script_path);
  stem = g_str_has_suffix (base, ".py") ? g_strndup (base, strlen (base) - 3) : g_strdup (base);
  weights_stem = g_strconcat (stem, ".weights", NULL);
  bin_name = g_strconcat (weights_stem, ".bin", NULL);
  json_name = g_strconcat (weights_stem, ".json", NULL);
  bin_path = g_build_filename (dir, bin_name, NULL);
  json_path = g_build_filename (dir, json_name, NULL);

  if (!ll_export_weights (model, kind, bin_name, &bin, &json, error))
    return FALSE;

  last = ll_layer_spec_activation (ll_arch_layer (arch, ll_arch_n_layers (arch) - 1));
  if (kind == LL_SCRIPT_PYTORCH)
    {
      g_autofree char *kinds = ll_pytorch_weight_modules ();
      loader = g_strdup_printf (torch_loader, weights_stem, weights_stem, kinds,
                                last == LL_ACT_SOFTMAX ? "True" : "False", weights_stem);
    }
  else
    loader = g_strdup_printf (keras_loader, weights_stem, weights_stem, weights_stem);

  out = g_string_new_len (script, at - script + strlen (anchor));
  g_string_append (out, loader);
  g_string_append (out, at + strlen (anchor));

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot create the folder %s: %s; "
                   "choose another output file"), dir, g_strerror (errno));
      return FALSE;
    }
  if (!g_file_set_contents (bin_path, g_bytes_get_data (bin, NULL), g_bytes_get_size (bin), &local)
      || !g_file_set_contents (json_path, json, -1, &local)
      || !g_file_set_contents (script_path, out->str, out->len, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write the %s export: %s; "
                   "check that the folder is writable"),
                   kind == LL_SCRIPT_PYTORCH ? "PyTorch" : "Keras", local->message);
      return FALSE;
    }
  return TRUE;
}
