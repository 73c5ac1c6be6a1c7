/* ll-import.c: the one way a model file is opened (signature first, then
 * the name), and the builder the ONNX and Keras importers share. */
#include "ll-import-private.h"
#include "ll-file.h"
#include "ll-model-file.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* Builder ------------------------------------------------------------- */

static void
import_weight_free (gpointer p)
{
  LlImportWeight *w = p;
  g_free (w->name);
  g_free (w->data);
  g_free (w);
}

void
ll_import_builder_init (LlImportBuilder *b)
{
  b->arch = ll_arch_new ();
  b->weights = g_ptr_array_new_with_free_func (import_weight_free);
  b->n_floats = 0;
}

void
ll_import_builder_clear (LlImportBuilder *b)
{
  g_clear_pointer (&b->arch, ll_arch_free);
  g_clear_pointer (&b->weights, g_ptr_array_unref);
}

int
ll_import_add_layer (LlImportBuilder *b, const LlLayerSpec *spec)
{
  ll_arch_append (b->arch, spec);
  return ll_arch_n_layers (b->arch) - 1;
}

LlImportWeight *
ll_import_find_weight (LlImportBuilder *b, int layer, const char *name)
{
  for (guint i = 0; i < b->weights->len; i++)
    {
      LlImportWeight *w = g_ptr_array_index (b->weights, i);
      if (w->layer == layer && strcmp (w->name, name) == 0)
        return w;
    }
  return NULL;
}

float *
ll_import_weight (LlImportBuilder *b, int layer, const char *name, gsize n, GError **error)
{
  LlImportWeight *w = ll_import_find_weight (b, layer, name);

  if (w != NULL)
    {
      if (w->n == n)
        return w->data;
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("Layer %d's %s is given twice with different sizes"), layer, name);
      return NULL;
    }
  if (n > LL_IMPORT_MAX_PARAMS || b->n_floats + n > LL_IMPORT_MAX_PARAMS)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("The model has more than %zu million weights, more than "
                   "Layerlab opens (%zu million). Use a smaller model."),
                   (b->n_floats + n) >> 20, LL_IMPORT_MAX_PARAMS >> 20);
      return NULL;
    }
  w = g_new0 (LlImportWeight, 1);
  w->layer = layer;
  w->name = g_strdup (name);
  w->n = n;
  w->data = ll_alloc_floats (MAX (n, 1), name, error);
  if (w->data == NULL)
    {
      import_weight_free (w);
      return NULL;
    }
  memset (w->data, 0, MAX (n, 1) * sizeof (float));
  b->n_floats += n;
  g_ptr_array_add (b->weights, w);
  return w->data;
}

LlTrainer *
ll_import_finish (LlImportBuilder *b, const LlFitConfig *cfg, GError **error)
{
  g_autofree LlShape *shapes = NULL;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) local = NULL;
  int bad = -1, n_layers = ll_arch_n_layers (b->arch);
  guint n_used = 0;
  LlTrainer *trainer;

  if (n_layers < 2)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The model has no layers after its input"));
      return NULL;
    }
  shapes = ll_arch_infer_shapes (b->arch, &bad, &local);
  if (shapes == NULL)
    {
      g_autofree char *name = bad >= 0 ? ll_arch_layer_name (b->arch, bad) : g_strdup ("?");
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE, _("Layer %d (%s): %s"), bad, name,
                   local->message);
      return NULL;
    }

  /* Every weight the architecture will allocate must come from the file,
   * with its size: checked before the model is built. */
  for (int i = 1; i < n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (b->arch, i);
      LlWeightInfo info[LL_MAX_WEIGHTS];
      int n = spec->type->weights != NULL
              ? spec->type->weights (spec, &shapes[i - 1], &shapes[i], info) : 0;

      for (int k = 0; k < n; k++)
        {
          LlImportWeight *w = ll_import_find_weight (b, i, info[k].name);
          g_autofree char *name = ll_arch_layer_name (b->arch, i);
          if (w == NULL || w->n != ll_weight_info_size (&info[k]))
            {
              g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                           _("Layer %d (%s) needs a %s of %zu values; the file "
                           "gives %zu"), i, name, info[k].name,
                           ll_weight_info_size (&info[k]), w != NULL ? w->n : 0);
              return NULL;
            }
          n_used++;
        }
    }
  if (n_used != b->weights->len)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("The file has %u weight tensors where the model needs %u"), b->weights->len,
                   n_used);
      return NULL;
    }

  model = ll_model_new (b->arch, error);
  if (model == NULL)
    return NULL;
  for (int i = 1; i < n_layers; i++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int n = ll_model_layer_weights (model, i, views);
      for (int k = 0; k < n; k++)
        {
          LlImportWeight *w = ll_import_find_weight (b, i, views[k].info->name);
          for (gsize j = 0; j < w->n; j++)
            if (!isfinite (w->data[j]))
              {
                g_autofree char *name = ll_arch_layer_name (b->arch, i);
                g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                             _("Layer %d (%s)'s %s holds NaN or infinite values: the file "
                               "is damaged, or it was saved from a training that diverged. "
                               "Open an earlier copy"), i, name, w->name);
                return NULL;
              }
          /* A batch norm's moving variance is never negative: one that is
           * would give NaN (or a division by nearly zero) in evaluation. */
          if (strcmp (w->name, "moving_variance") == 0)
            for (gsize j = 0; j < w->n; j++)
              if (w->data[j] < 0.0f)
                {
                  g_autofree char *name = ll_arch_layer_name (b->arch, i);
                  g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                               _("Layer %d (%s)'s moving variance holds a negative value "
                                 "(%g): the file is damaged"), i, name, (double) w->data[j]);
                  return NULL;
                }
          memcpy (views[k].data, w->data, w->n * sizeof (float));
        }
    }
  trainer = ll_trainer_new (g_steal_pointer (&model), cfg);
  ll_trainer_set_state (trainer, 0, NULL, 0, NULL, 0);
  return trainer;
}

void
ll_import_clean_error (GError **error)
{
  char *valid, *p;

  if (error == NULL || *error == NULL)
    return;
  valid = g_utf8_make_valid ((*error)->message, -1);
  for (p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  if (g_utf8_strlen (valid, -1) > 600)
    {
      char *cut = g_utf8_offset_to_pointer (valid, 600);
      *cut = '\0';
      p = g_strconcat (valid, "…", NULL);
      g_free (valid);
      valid = p;
    }
  g_free ((*error)->message);
  (*error)->message = valid;
}

void
ll_import_flat_input (int n, int *h, int *w, int *c)
{
  int k = (int) floor (sqrt ((double) n) + 0.5);
  int k3 = (int) floor (sqrt ((double) n / 3.0) + 0.5);

  *h = 1, *w = n, *c = 1;
  if (k * k == n && k <= 4096)
    *h = *w = k;
  else if (3 * k3 * k3 == n && k3 <= 4096)
    *h = *w = k3, *c = 3;
}

/* Opening ------------------------------------------------------------- */

static const guint8 hdf5_signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };

LlModelFormat
ll_model_format_detect (const guint8 *data, gsize len, const char *name)
{
  if (len >= 8 && memcmp (data, "LLMODEL\n", 8) == 0)
    return LL_MODEL_FORMAT_LLMODEL;
  /* HDF5 looks for its signature at 0, 512, 1024, 2048, ... (a user block
   * may come first). */
  for (gsize off = 0; off + 8 <= len && off <= ((gsize) 1 << 20); off = off == 0 ? 512 : off * 2)
    if (memcmp (data + off, hdf5_signature, 8) == 0)
      return LL_MODEL_FORMAT_KERAS_H5;
  if (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    return LL_MODEL_FORMAT_KERAS;
  /* ONNX is a bare protobuf: every exporter writes ir_version (field 1, a
   * varint: byte 0x08) first; a file named .onnx is tried in any case. */
  if ((len >= 2 && data[0] == 0x08 && data[1] > 0 && data[1] < 0x20)
      || (name != NULL && g_str_has_suffix (name, ".onnx")))
    return LL_MODEL_FORMAT_ONNX;
  /* No signature: the name picks the reader, whose message says what is
   * wrong with the file. */
  if (name != NULL && g_str_has_suffix (name, ".llmodel"))
    return LL_MODEL_FORMAT_LLMODEL;
  if (name != NULL && g_str_has_suffix (name, ".h5"))
    return LL_MODEL_FORMAT_KERAS_H5;
  if (name != NULL && g_str_has_suffix (name, ".keras"))
    return LL_MODEL_FORMAT_KERAS;
  return LL_MODEL_FORMAT_UNKNOWN;
}

LlTrainer *
ll_model_open_bytes (GBytes *bytes, const char *name, GError **error)
{
  return ll_model_open_bytes_full (bytes, name, NULL, error);
}

LlTrainer *
ll_model_open_bytes_full (GBytes *bytes, const char *name, LlModelFormat *format,
                          GError **error)
{
  LlModelFormat f;
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  const guint8 *data;
  LlTrainer *t = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  f = ll_model_format_detect (data, len, name);
  if (format != NULL)
    *format = f;
  switch (f)
    {
    case LL_MODEL_FORMAT_LLMODEL:
      t = ll_model_file_from_bytes (bytes, &local);
      break;
    case LL_MODEL_FORMAT_ONNX:
      t = ll_import_onnx (bytes, &local);
      break;
    case LL_MODEL_FORMAT_KERAS_H5:
      t = ll_import_keras_h5 (bytes, &local);
      break;
    case LL_MODEL_FORMAT_KERAS:
      t = ll_import_keras_zip (bytes, &local);
      break;
    case LL_MODEL_FORMAT_UNKNOWN:
    default:
      g_set_error (&local, LL_ERROR, LL_ERROR_FORMAT,
                   len == 0 ? _("The file is empty")
                            : _("This is not a model file Layerlab reads: open a Layerlab "
                              "model (.llmodel), an ONNX model (.onnx) or a Keras model "
                              "(.keras or .h5)"));
      break;
    }
  if (t == NULL)
    {
      if (name != NULL)
        {
          g_autofree char *base = g_path_get_basename (name);
          g_set_error (error, LL_ERROR, local->code, "%s: %s", base, local->message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local));
    }
  return t;
}

LlTrainer *
ll_model_open_any (const char *path, GError **error)
{
  return ll_model_open_any_full (path, NULL, error);
}

LlTrainer *
ll_model_open_any_full (const char *path, LlModelFormat *format, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Read into memory with a checked length rather than mapped: a file
   * truncated while it is loaded is a damaged file, not SIGBUS; a FIFO or
   * a device is refused without blocking. */
  bytes = ll_file_read (path, LL_IMPORT_MAX_FILE, &local);
  if (bytes == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return ll_model_open_bytes_full (bytes, path, format, error);
}
