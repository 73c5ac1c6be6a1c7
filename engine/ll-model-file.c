/* ll-model-file.c: reading and writing .llmodel files (docs/model-format.md).
 *
 *   "LLMODEL\n"  u32 version  u32 json_length  json
 *   u64 n_params  u64 n_state  u64 n_optim_state
 *   f32 params[n_params]  f32 state[n_state]  f32 optim_state[n_optim_state]
 *   u32 crc32 of every byte before it
 *
 * Integers and floats are little-endian.  Writes are atomic (temporary
 * file, then rename) so a crash never loses the previous file. */
#include "ll-model-file.h"
#include "ll-json.h"

#include <json-glib/json-glib.h>
#include <zlib.h>
#include <math.h>
#include <glib/gi18n-lib.h>

#define MAGIC "LLMODEL\n"
#define MAGIC_LEN 8
#define MAX_JSON (16u << 20)

/* Readers that keep the default when a member is absent and fail on a wrong type. */
static gboolean
get_num (JsonObject *o, const char *name, double *out, GError **error)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || (json_node_get_value_type (n) != G_TYPE_INT64
                                     && json_node_get_value_type (n) != G_TYPE_DOUBLE))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a number"), name);
      return FALSE;
    }
  *out = json_node_get_double (n);
  return TRUE;
}

static gboolean
get_int (JsonObject *o, const char *name, int *out, GError **error)
{
  double v = *out;
  if (!get_num (o, name, &v, error))
    return FALSE;
  if (v != floor (v) || fabs (v) > G_MAXINT)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“%s” must be a whole number"), name);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

/* Whole file */

static void
put_u32 (GByteArray *a, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (a, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *a, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (a, (const guint8 *) &le, 8);
}

static void
put_floats (GByteArray *a, const float *v, gsize n)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  g_byte_array_append (a, (const guint8 *) v, (guint) (n * sizeof (float)));
#else
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &v[i], 4);
      put_u32 (a, bits);
    }
#endif
}

static char *
header_json (LlTrainer *t, gboolean with_state)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  LlModel *model = ll_trainer_get_model (t);
  const GArray *hist = ll_trainer_get_history (t);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "layerlab-model");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, LL_MODEL_FILE_VERSION);
  json_builder_set_member_name (b, "architecture");
  json_builder_add_value (b, ll_arch_to_json_node (ll_model_get_arch (model)));
  json_builder_set_member_name (b, "training");
  json_builder_add_value (b, ll_fit_config_to_json_node (ll_trainer_get_config (t)));
  json_builder_set_member_name (b, "training_state");
  json_builder_add_boolean_value (b, with_state);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, with_state ? ll_trainer_get_step (t) : 0);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  for (guint i = 0; with_state && i < hist->len; i++)
    {
      const LlEpochRecord *r = &g_array_index (hist, LlEpochRecord, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "epoch");
      json_builder_add_int_value (b, r->epoch);
      ll_json_builder_member_double (b, "loss", r->loss);
      ll_json_builder_member_double (b, "accuracy", r->accuracy);
      ll_json_builder_member_double (b, "val_loss", r->val_loss);
      ll_json_builder_member_double (b, "val_accuracy", r->val_accuracy);
      ll_json_builder_member_double (b, "lr", r->lr);
      ll_json_builder_member_double (b, "seconds", r->seconds);
      ll_json_builder_member_double (b, "samples_per_s", r->samples_per_s);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return ll_json_to_string (root, LL_JSON_PRETTY);
}

static GBytes *
to_bytes (LlTrainer *t, gboolean with_state)
{
  LlModel *model = ll_trainer_get_model (t);
  g_autofree char *json = header_json (t, with_state);
  GByteArray *a = g_byte_array_new ();
  gsize n_optim = 0;
  float *optim = ll_trainer_get_optim_state (t, &n_optim);
  guint32 crc;

  if (!with_state)
    n_optim = 0;
  g_byte_array_append (a, (const guint8 *) MAGIC, MAGIC_LEN);
  put_u32 (a, LL_MODEL_FILE_VERSION);
  put_u32 (a, (guint32) strlen (json));
  g_byte_array_append (a, (const guint8 *) json, (guint) strlen (json));
  put_u64 (a, ll_model_n_trainable (model));
  put_u64 (a, ll_model_n_state (model));
  put_u64 (a, n_optim);
  put_floats (a, ll_model_params (model), ll_model_n_trainable (model));
  put_floats (a, ll_model_state (model), ll_model_n_state (model));
  put_floats (a, optim, n_optim);
  crc = (guint32) crc32 (0L, a->data, a->len);
  put_u32 (a, crc);
  return g_byte_array_free_to_bytes (a);
}

GBytes *
ll_model_file_to_bytes (LlTrainer *trainer, GError **error)
{
  g_return_val_if_fail (trainer != NULL, NULL);
  return to_bytes (trainer, TRUE);
}

gboolean
ll_model_file_save_with (LlTrainer *trainer, const char *path,
                         gboolean include_training_state, GError **error)
{
  g_autoptr(GBytes) bytes = to_bytes (trainer, include_training_state);
  g_autoptr(GError) local = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not save the model to %s: %s. "
                   "Check that the folder exists and is writable."), path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ll_model_file_save (LlTrainer *trainer, const char *path, GError **error)
{
  return ll_model_file_save_with (trainer, path, TRUE, error);
}

typedef struct {
  const guint8 *p;
  gsize left;
} Reader;

static gboolean
take (Reader *r, gsize n, const guint8 **out)
{
  if (r->left < n)
    return FALSE;
  *out = r->p;
  r->p += n;
  r->left -= n;
  return TRUE;
}

static gboolean
take_u32 (Reader *r, guint32 *v)
{
  const guint8 *p;
  if (!take (r, 4, &p))
    return FALSE;
  memcpy (v, p, 4);
  *v = GUINT32_FROM_LE (*v);
  return TRUE;
}

static gboolean
take_u64 (Reader *r, guint64 *v)
{
  const guint8 *p;
  if (!take (r, 8, &p))
    return FALSE;
  memcpy (v, p, 8);
  *v = GUINT64_FROM_LE (*v);
  return TRUE;
}

static gboolean
take_floats (Reader *r, float *dst, guint64 n)
{
  const guint8 *p;
  if (n > r->left / 4 || !take (r, (gsize) n * 4, &p))
    return FALSE;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (n > 0)
    memcpy (dst, p, (gsize) n * 4);
#else
  for (guint64 i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, p + 4 * i, 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&dst[i], &bits, 4);
    }
#endif
  return TRUE;
}

static gboolean
parse_history (JsonObject *root, GArray *out, GError **error)
{
  JsonNode *hn = json_object_get_member (root, "history");
  JsonArray *ha;

  if (hn == NULL || JSON_NODE_HOLDS_NULL (hn))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (hn))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("“history” must be an array"));
      return FALSE;
    }
  ha = json_node_get_array (hn);
  for (guint i = 0; i < json_array_get_length (ha); i++)
    {
      JsonNode *en = json_array_get_element (ha, i);
      JsonObject *e;
      LlEpochRecord r = { (int) i, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
      if (!JSON_NODE_HOLDS_OBJECT (en))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("History entry %u is not an object"), i);
          return FALSE;
        }
      e = json_node_get_object (en);
      if (!get_int (e, "epoch", &r.epoch, error) || !get_num (e, "loss", &r.loss, error)
          || !get_num (e, "accuracy", &r.accuracy, error) || !get_num (e, "val_loss", &r.val_loss, error)
          || !get_num (e, "val_accuracy", &r.val_accuracy, error) || !get_num (e, "lr", &r.lr, error)
          || !get_num (e, "seconds", &r.seconds, error)
          || !get_num (e, "samples_per_s", &r.samples_per_s, error))
        return FALSE;
      g_array_append_val (out, r);
    }
  return TRUE;
}

#define DAMAGED(...) G_STMT_START { \
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, __VA_ARGS__); \
    return NULL; \
  } G_STMT_END

LlTrainer *
ll_model_file_from_bytes (GBytes *bytes, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len), *p;
  Reader r = { data, len };
  guint32 version, json_len, crc_stored, crc;
  guint64 n_params, n_state, n_optim;
  g_autoptr(JsonNode) root_node = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(LlArch) arch = NULL;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(GArray) history = g_array_new (FALSE, TRUE, sizeof (LlEpochRecord));
  g_autofree float *optim = NULL;
  LlFitConfig cfg;
  JsonObject *root;
  JsonNode *arch_node, *train_node;
  double step = 0;

  if (len < MAGIC_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0)
    DAMAGED ("This is not a Layerlab model file (it does not start with the Layerlab signature)");
  r.p += MAGIC_LEN;
  r.left -= MAGIC_LEN;
  if (!take_u32 (&r, &version))
    DAMAGED ("The model file is truncated: it ends inside its header");
  if (version > LL_MODEL_FILE_VERSION)
    DAMAGED ("This model was saved by a newer Layerlab (file format %u); this version reads "
             "format %d. Update Layerlab to open it.", version, LL_MODEL_FILE_VERSION);
  if (version == 0)
    DAMAGED ("The model file's version is 0, which no Layerlab writes: the file is damaged");
  if (len < 4)
    DAMAGED ("The model file is truncated");
  memcpy (&crc_stored, data + len - 4, 4);
  crc_stored = GUINT32_FROM_LE (crc_stored);
  crc = (guint32) crc32 (0L, data, (uInt) (len - 4));
  if (!take_u32 (&r, &json_len) || json_len > MAX_JSON || !take (&r, json_len, &p))
    DAMAGED ("The model file is truncated or damaged: its description is cut off");
  if (crc != crc_stored)
    DAMAGED ("The model file is damaged: its checksum does not match (was it cut short or "
             "changed?). Open an earlier copy or save the model again.");
  root_node = ll_json_parse ((const char *) p, json_len, MAX_JSON, &local);
  if (root_node == NULL)
    DAMAGED ("The model file's description is %s", local->message);
  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    DAMAGED ("The model file's description is not a JSON object");
  root = json_node_get_object (root_node);
  arch_node = json_object_get_member (root, "architecture");
  /* Absent parameters mean what they meant in the file's format. */
  arch = ll_arch_from_json_node_format (arch_node, (int) version, &local);
  if (arch == NULL)
    DAMAGED ("The model file's architecture is invalid: %s", local->message);
  model = ll_model_new (arch, &local);
  if (model == NULL)
    DAMAGED ("The model file describes a model that cannot be built: %s", local->message);

  /* Absent settings: Keras 3's defaults (compile()'s RMSprop) since format
   * 2; format 1 meant Layerlab's starting settings (Adam). */
  if (version >= 2)
    ll_fit_config_init_keras (&cfg);
  else
    ll_fit_config_init (&cfg);
  train_node = json_object_get_member (root, "training");
  if (train_node != NULL && JSON_NODE_HOLDS_OBJECT (train_node)
      && !ll_fit_config_from_json_node (&cfg, train_node, &local))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file's training settings are invalid: %s", local->message);
    }
  if (!get_num (root, "step", &step, &local) || !parse_history (root, history, &local))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file is damaged: %s", local->message);
    }
  if (step != floor (step) || step < 0 || step > (double) ((gint64) 1 << 40))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file's optimizer step count (%g) is not a whole number between 0 and "
               "2^40: the file is damaged", step);
    }
  /* A checkpoint writes a file every epoch: a file someone sent must not
   * choose where.  The path is kept for the settings form, switched off. */
  cfg.checkpoint.enabled = FALSE;
  if (!ll_fit_config_validate (&cfg, &local))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file's training settings are out of range: %s", local->message);
    }

  if (!take_u64 (&r, &n_params) || !take_u64 (&r, &n_state) || !take_u64 (&r, &n_optim))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file is truncated: the weights are missing");
    }
  if (n_params != ll_model_n_trainable (model) || n_state != ll_model_n_state (model))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file holds %" G_GUINT64_FORMAT " weights but its architecture needs %"
               G_GSIZE_FORMAT ": the file is damaged", n_params, ll_model_n_trainable (model));
    }
  if (!take_floats (&r, ll_model_params (model), n_params)
      || !take_floats (&r, ll_model_state (model), n_state))
    {
      ll_fit_config_clear (&cfg);
      DAMAGED ("The model file is truncated: the weights are cut off");
    }
  trainer = ll_trainer_new (g_steal_pointer (&model), &cfg);
  ll_fit_config_clear (&cfg);
  {
    gsize expect = 0;
    ll_trainer_get_optim_state (trainer, &expect);
    if (n_optim != 0 && n_optim != expect)
      DAMAGED ("The model file's optimizer state has %" G_GUINT64_FORMAT " values where %"
               G_GSIZE_FORMAT " are needed: the file is damaged", n_optim, expect);
    if (n_optim > 0)
      {
        optim = g_new (float, n_optim);
        if (!take_floats (&r, optim, n_optim))
          DAMAGED ("The model file is truncated: the optimizer state is cut off");
      }
  }
  if (r.left != 4)
    DAMAGED ("The model file has %" G_GSIZE_FORMAT " unexpected bytes at its end: it is damaged",
             r.left - MIN (r.left, 4));
  /* Without optimizer state the bias corrections start again from step 0. */
  ll_trainer_set_state (trainer, n_optim > 0 ? (gint64) step : 0, optim, n_optim,
                        (const LlEpochRecord *) (void *) history->data, history->len);
  return g_steal_pointer (&trainer);
}

LlTrainer *
ll_model_file_load (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GMappedFile) mf = g_mapped_file_new (path, FALSE, &local);
  g_autoptr(GBytes) bytes = NULL;
  LlTrainer *t;

  if (mf == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not open the model %s: %s"), path,
                   local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (mf);
  t = ll_model_file_from_bytes (bytes, &local);
  if (t == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_set_error (error, LL_ERROR, local->code, "%s: %s", base, local->message);
    }
  return t;
}
