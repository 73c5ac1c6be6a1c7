/* test-model-file.c: the .llmodel file: exact round trips of everything a
 * trainer holds, resuming training, weights-only files, rejection of
 * damaged or foreign files, and atomic saves. */
#include "ll-model-file.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zlib.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

/* A small model with non-trainable state (batch-norm moving statistics)
 * and no dropout, so that training does not depend on the rng. */
#define SMALL_ARCH \
  "Input height=8 width=8 channels=1\nFlatten\nDense units=16 activation=relu\n" \
  "BatchNormalization\nDense units=4 activation=softmax\n"

static LlTrainer *
small_trainer (gboolean shuffle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch (SMALL_ARCH);
  LlModel *model = ll_model_new (arch, &error);
  LlFitConfig cfg;
  LlTrainer *t;

  g_assert_no_error (error);
  ll_fit_config_init (&cfg);
  cfg.batch_size = 16;
  cfg.validation_split = 0.25;
  cfg.shuffle = shuffle;
  cfg.seed = 7;
  cfg.n_threads = 1;
  t = ll_trainer_new (model, &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (t);
  return t;
}

static LlDataset *
small_data (void)
{
  return ll_test_synthetic (96, 8, 8, 1, 4, 11);
}

/* A trainer after two epochs of 5 batches each. */
static LlTrainer *
trained_trainer (gboolean shuffle, const LlDataset *ds)
{
  g_autoptr(GError) error = NULL;
  LlTrainer *t = small_trainer (shuffle);

  ll_trainer_get_config (t)->epochs = 2;
  g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return t;
}

static void
assert_double_bits (double a, double b)
{
  g_assert_true (memcmp (&a, &b, sizeof a) == 0 || (isnan (a) && isnan (b)));
}

static void
assert_histories_equal (LlTrainer *a, LlTrainer *b)
{
  const GArray *ha = ll_trainer_get_history (a), *hb = ll_trainer_get_history (b);

  g_assert_cmpuint (ha->len, ==, hb->len);
  for (guint i = 0; i < ha->len; i++)
    {
      const LlEpochRecord *ra = &g_array_index (ha, LlEpochRecord, i);
      const LlEpochRecord *rb = &g_array_index (hb, LlEpochRecord, i);
      g_assert_cmpint (ra->epoch, ==, rb->epoch);
      assert_double_bits (ra->loss, rb->loss);
      assert_double_bits (ra->accuracy, rb->accuracy);
      assert_double_bits (ra->val_loss, rb->val_loss);
      assert_double_bits (ra->val_accuracy, rb->val_accuracy);
      assert_double_bits (ra->lr, rb->lr);
      assert_double_bits (ra->seconds, rb->seconds);
      assert_double_bits (ra->samples_per_s, rb->samples_per_s);
    }
}

static void
assert_weights_equal (LlTrainer *a, LlTrainer *b)
{
  LlModel *ma = ll_trainer_get_model (a), *mb = ll_trainer_get_model (b);

  g_assert_true (ll_arch_equal (ll_model_get_arch (ma), ll_model_get_arch (mb)));
  g_assert_cmpuint (ll_model_n_trainable (ma), ==, ll_model_n_trainable (mb));
  g_assert_cmpuint (ll_model_n_state (ma), ==, ll_model_n_state (mb));
  g_assert_cmpmem (ll_model_params (ma), ll_model_n_trainable (ma) * sizeof (float),
                   ll_model_params (mb), ll_model_n_trainable (mb) * sizeof (float));
  g_assert_cmpmem (ll_model_state (ma), ll_model_n_state (ma) * sizeof (float),
                   ll_model_state (mb), ll_model_n_state (mb) * sizeof (float));
}

static void
assert_trainers_equal (LlTrainer *a, LlTrainer *b)
{
  g_autofree char *ja = ll_fit_config_to_json (ll_trainer_get_config (a));
  g_autofree char *jb = ll_fit_config_to_json (ll_trainer_get_config (b));
  gsize na, nb;
  float *oa = ll_trainer_get_optim_state (a, &na), *ob = ll_trainer_get_optim_state (b, &nb);

  assert_weights_equal (a, b);
  g_assert_cmpmem (oa, na * sizeof (float), ob, nb * sizeof (float));
  g_assert_cmpint (ll_trainer_get_step (a), ==, ll_trainer_get_step (b));
  assert_histories_equal (a, b);
  g_assert_cmpstr (ja, ==, jb);
}

static void
test_round_trip_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();
  g_autoptr(LlTrainer) t = trained_trainer (TRUE, ds);
  g_autoptr(GBytes) bytes = ll_model_file_to_bytes (t, &error);
  g_autoptr(LlTrainer) back = NULL;
  g_autoptr(GBytes) again = NULL;
  float *state;
  gsize n_state = ll_model_n_state (ll_trainer_get_model (t));
  gboolean moved = FALSE;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  /* The model really has non-trainable state, changed by training, and
   * optimizer state and history worth comparing. */
  g_assert_cmpuint (n_state, ==, 32);
  state = ll_model_state (ll_trainer_get_model (t));
  for (gsize i = 0; i < n_state; i++)
    moved |= state[i] != 0.0f && state[i] != 1.0f;
  g_assert_true (moved);
  g_assert_cmpint (ll_trainer_get_step (t), ==, 10);
  g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 2);

  back = ll_model_file_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  assert_trainers_equal (t, back);

  /* Serialising the loaded trainer gives the very same bytes. */
  again = ll_model_file_to_bytes (back, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, again));
}

static void
test_round_trip_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();
  g_autoptr(LlTrainer) t = trained_trainer (TRUE, ds);
  g_autoptr(LlTrainer) back = NULL;
  g_autofree char *dir = g_dir_make_tmp ("layerlab-mf-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "small.llmodel", NULL);
  g_autoptr(GDir) d = NULL;
  const char *name;
  int n_files = 0;

  g_assert_no_error (error);
  g_assert_true (ll_model_file_save (t, path, &error));
  g_assert_no_error (error);
  /* Saving again over the file works and leaves no temporary file. */
  g_assert_true (ll_model_file_save (t, path, &error));
  g_assert_no_error (error);
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_cmpstr (name, ==, "small.llmodel");
      n_files++;
    }
  g_assert_cmpint (n_files, ==, 1);

  back = ll_model_file_load (path, &error);
  g_assert_no_error (error);
  assert_trainers_equal (t, back);

  g_remove (path);
  g_rmdir (dir);
}

/* Resuming: with shuffle off (and no dropout) the next epoch does not
 * depend on the rng, so a loaded trainer continues exactly as the one that
 * was never saved.  With shuffle on it does not: ll_trainer_set_state
 * reseeds the shuffle rng from (seed, step) rather than restoring its
 * stream, so the resumed epoch sees another order.  Resuming is then still
 * deterministic: two loads of one file continue identically. */
static void
test_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();

  {
    g_autoptr(LlTrainer) t = trained_trainer (FALSE, ds);
    g_autoptr(GBytes) bytes = ll_model_file_to_bytes (t, &error);
    g_autoptr(LlTrainer) back = ll_model_file_from_bytes (bytes, &error);
    const LlEpochRecord *ra, *rb;

    g_assert_no_error (error);
    ll_trainer_get_config (t)->epochs = 1;
    ll_trainer_get_config (back)->epochs = 1;
    g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
    g_assert_true (ll_trainer_fit (back, ds, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    ra = &g_array_index (ll_trainer_get_history (t), LlEpochRecord, 2);
    rb = &g_array_index (ll_trainer_get_history (back), LlEpochRecord, 2);
    g_assert_cmpint (rb->epoch, ==, 2);
    assert_double_bits (ra->loss, rb->loss);
    assert_double_bits (ra->val_loss, rb->val_loss);
    assert_weights_equal (t, back);
    g_assert_cmpint (ll_trainer_get_step (t), ==, ll_trainer_get_step (back));
  }

  {
    g_autoptr(LlTrainer) t = trained_trainer (TRUE, ds);
    g_autoptr(GBytes) bytes = ll_model_file_to_bytes (t, &error);
    g_autoptr(LlTrainer) b1 = ll_model_file_from_bytes (bytes, &error);
    g_autoptr(LlTrainer) b2 = ll_model_file_from_bytes (bytes, &error);
    double l_t, l_1, l_2;

    g_assert_no_error (error);
    ll_trainer_get_config (t)->epochs = 1;
    ll_trainer_get_config (b1)->epochs = 1;
    ll_trainer_get_config (b2)->epochs = 1;
    g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
    g_assert_true (ll_trainer_fit (b1, ds, NULL, NULL, NULL, NULL, &error));
    g_assert_true (ll_trainer_fit (b2, ds, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    l_t = g_array_index (ll_trainer_get_history (t), LlEpochRecord, 2).loss;
    l_1 = g_array_index (ll_trainer_get_history (b1), LlEpochRecord, 2).loss;
    l_2 = g_array_index (ll_trainer_get_history (b2), LlEpochRecord, 2).loss;
    assert_double_bits (l_1, l_2);
    assert_weights_equal (b1, b2);
    /* Documented difference, see above: another shuffle order. */
    g_assert_cmpfloat (l_t, !=, l_1);
    g_test_message ("resumed with shuffle: next loss %.6f uninterrupted, %.6f after load", l_t, l_1);
  }
}

static void
test_weights_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();
  g_autoptr(LlTrainer) t = trained_trainer (TRUE, ds);
  g_autoptr(LlTrainer) back = NULL;
  g_autoptr(GMappedFile) mf = NULL;
  g_autofree char *path = ll_test_write_temp ("weights-only.llmodel", "", 0);
  g_autofree float *fresh = NULL;
  gsize n_optim, n_fresh;
  float *optim;

  g_assert_true (ll_model_file_save_with (t, path, FALSE, &error));
  g_assert_no_error (error);
  back = ll_model_file_load (path, &error);
  g_assert_no_error (error);
  assert_weights_equal (t, back);
  g_assert_cmpint (ll_trainer_get_step (back), ==, 0);
  g_assert_cmpuint (ll_trainer_get_history (back)->len, ==, 0);

  /* The optimizer state is the one a new trainer starts from. */
  optim = ll_trainer_get_optim_state (back, &n_optim);
  n_fresh = ll_optim_state_size (&ll_trainer_get_config (t)->optim,
                                 ll_model_n_trainable (ll_trainer_get_model (t)));
  fresh = g_new0 (float, MAX (n_fresh, 1));
  ll_optim_state_init (&ll_trainer_get_config (t)->optim,
                       ll_model_n_trainable (ll_trainer_get_model (t)), fresh);
  g_assert_cmpmem (optim, n_optim * sizeof (float), fresh, n_fresh * sizeof (float));

  /* And the file does not carry it: it is smaller by the optimizer state. */
  mf = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) full = ll_model_file_to_bytes (t, &error);
    gsize n_full_optim;
    ll_trainer_get_optim_state (t, &n_full_optim);
    g_assert_cmpuint (g_mapped_file_get_length (mf) + n_full_optim * 4, <=,
                      g_bytes_get_size (full));
  }
  g_remove (path);
}

/* Byte surgery on a saved file. */

typedef struct {
  guint32 version, json_len;
  char *json;
  const guint8 *rest;              /* after the JSON, up to the checksum */
  gsize rest_len;
} Parts;

static void
split_file (GBytes *bytes, Parts *parts)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);

  g_assert_cmpuint (len, >, 16);
  g_assert_cmpmem (d, 8, "LLMODEL\n", 8);
  parts->version = GUINT32_FROM_LE (*(const guint32 *) (d + 8));
  parts->json_len = GUINT32_FROM_LE (*(const guint32 *) (d + 12));
  parts->json = g_strndup ((const char *) d + 16, parts->json_len);
  parts->rest = d + 16 + parts->json_len;
  parts->rest_len = len - 16 - parts->json_len - 4;
}

/* Reassembles a file with a correct checksum. */
static GBytes *
join_file (guint32 version, guint32 json_len, const char *json, const guint8 *rest, gsize rest_len)
{
  GByteArray *a = g_byte_array_new ();
  guint32 v = GUINT32_TO_LE (version), l = GUINT32_TO_LE (json_len), crc;

  g_byte_array_append (a, (const guint8 *) "LLMODEL\n", 8);
  g_byte_array_append (a, (const guint8 *) &v, 4);
  g_byte_array_append (a, (const guint8 *) &l, 4);
  g_byte_array_append (a, (const guint8 *) json, (guint) strlen (json));
  g_byte_array_append (a, rest, (guint) rest_len);
  crc = GUINT32_TO_LE ((guint32) crc32 (0L, a->data, a->len));
  g_byte_array_append (a, (const guint8 *) &crc, 4);
  return g_byte_array_free_to_bytes (a);
}

/* Loading must fail with LL_ERROR_FORMAT and a message containing want. */
static void
assert_rejected (const void *data, gsize len, const char *want)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = ll_model_file_from_bytes (bytes, &error);

  g_assert_null (t);
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_cmpuint (strlen (error->message), >, 20);
  if (want != NULL && strstr (error->message, want) == NULL)
    g_error ("expected “%s” in “%s”", want, error->message);
}

static GBytes *
small_file_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();
  g_autoptr(LlTrainer) t = trained_trainer (TRUE, ds);
  GBytes *b = ll_model_file_to_bytes (t, &error);
  g_assert_no_error (error);
  return b;
}

static void
test_reject_foreign (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 28, 0, 0, 0, 28 };
  static const char text[] = "This is a text file, not a model.\nSecond line.\n";
  g_autoptr(GBytes) good = small_file_bytes ();
  gsize len;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (good), &len);

  assert_rejected ("", 0, "not a Layerlab model file");
  assert_rejected (png, sizeof png, "not a Layerlab model file");
  assert_rejected (text, strlen (text), "not a Layerlab model file");
  assert_rejected ("LLMODEL", 7, "not a Layerlab model file");
  assert_rejected ("LLMODEL\n", 8, "truncated");

  /* Wrong magic on an otherwise perfect file. */
  copy[0] = 'X';
  assert_rejected (copy, len, "not a Layerlab model file");
  copy[0] = 'L';
  copy[7] = '\r';
  assert_rejected (copy, len, "not a Layerlab model file");
}

static void
test_reject_empty_file (void)
{
  g_autofree char *empty = ll_test_write_temp ("empty.llmodel", "", 0);
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = ll_model_file_load (empty, &error);
  g_autofree char *missing = NULL;

  g_assert_null (t);
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  /* The message names the file. */
  g_assert_nonnull (strstr (error->message, "empty.llmodel"));
  g_clear_error (&error);

  dir = g_path_get_dirname (empty);
  missing = g_build_filename (dir, "no-such.llmodel", NULL);
  t = ll_model_file_load (missing, &error);
  g_assert_null (t);
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
  g_remove (empty);
}

static void
test_reject_truncated (void)
{
  g_autoptr(GBytes) good = small_file_bytes ();
  gsize len;
  const guint8 *d = g_bytes_get_data (good, &len);
  int n = 0;

  for (gsize cut = 0; cut < len; cut += 37, n++)
    assert_rejected (d, cut, NULL);
  /* The last few bytes, inside the checksum and the last float. */
  for (gsize cut = len - 8; cut < len; cut++)
    assert_rejected (d, cut, NULL);
  /* One byte too many is also damage. */
  {
    g_autofree guint8 *longer = g_malloc0 (len + 1);
    memcpy (longer, d, len);
    assert_rejected (longer, len + 1, NULL);
  }
  g_test_message ("%d truncations of a %" G_GSIZE_FORMAT "-byte file rejected", n, len);
}

static void
test_reject_flipped (void)
{
  g_autoptr(GBytes) good = small_file_bytes ();
  gsize len;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (good), &len);

  /* Every byte, one bit each: the checksum (or a header check before it)
   * catches all of them. */
  for (gsize i = 0; i < len; i++)
    {
      guint8 bit = (guint8) (1u << (i % 8));
      copy[i] ^= bit;
      assert_rejected (copy, len, NULL);
      copy[i] ^= bit;
    }
  /* A flip in the weights is reported as a checksum mismatch. */
  copy[len - 100] ^= 0x10;
  assert_rejected (copy, len, "checksum");
}

static void
test_reject_newer_version (void)
{
  g_autoptr(GBytes) good = small_file_bytes ();
  g_autoptr(GBytes) newer = NULL, zero = NULL;
  Parts p;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) same = NULL;

  split_file (good, &p);
  g_assert_cmpuint (p.version, ==, LL_MODEL_FILE_VERSION);
  newer = join_file (LL_MODEL_FILE_VERSION + 1, p.json_len, p.json, p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (newer, NULL), g_bytes_get_size (newer), "newer Layerlab");
  zero = join_file (0, p.json_len, p.json, p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (zero, NULL), g_bytes_get_size (zero), "version");

  /* join_file itself produces loadable files. */
  {
    g_autoptr(GBytes) rebuilt = join_file (p.version, p.json_len, p.json, p.rest, p.rest_len);
    g_assert_true (g_bytes_equal (rebuilt, good));
    same = ll_model_file_from_bytes (rebuilt, &error);
    g_assert_no_error (error);
  }
  g_free (p.json);
}

static void
test_reject_wrong_architecture (void)
{
  g_autoptr(GBytes) good = small_file_bytes ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GBytes) bad = NULL;
  g_autofree char *json = NULL;
  JsonObject *root, *dense;
  JsonArray *layers;
  Parts p;

  split_file (good, &p);
  g_assert_true (json_parser_load_from_data (parser, p.json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "layerlab-model");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, LL_MODEL_FILE_VERSION);
  layers = json_object_get_array_member (json_object_get_object_member (root, "architecture"),
                                         "layers");
  dense = json_object_get_object_member (json_array_get_object_element (layers, 2), "config");
  g_assert_cmpint (json_object_get_int_member (dense, "units"), ==, 16);
  json_object_set_int_member (dense, "units", 17);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json = json_generator_to_data (gen, NULL);

  /* Valid JSON, valid checksum, an architecture that needs other weights. */
  bad = join_file (p.version, (guint32) strlen (json), json, p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), "weights but its architecture");
  g_clear_pointer (&bad, g_bytes_unref);

  /* JSON that is not an object, and JSON without an architecture. */
  bad = join_file (p.version, 2, "[]", p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), "JSON object");
  g_clear_pointer (&bad, g_bytes_unref);
  bad = join_file (p.version, 2, "{}", p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), "architecture");
  g_clear_pointer (&bad, g_bytes_unref);
  bad = join_file (p.version, 5, "{nope", p.rest, p.rest_len);
  assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), "JSON");
  g_free (p.json);
}

/* Re-encodes the small file with one member of its JSON changed by edit. */
static GBytes *
edited_file (void (*edit) (JsonObject *root))
{
  g_autoptr(GBytes) good = small_file_bytes ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GBytes *bytes;
  Parts p;

  split_file (good, &p);
  g_assert_true (json_parser_load_from_data (parser, p.json, -1, &error));
  edit (json_node_get_object (json_parser_get_root (parser)));
  json_generator_set_root (gen, json_parser_get_root (parser));
  json = json_generator_to_data (gen, NULL);
  bytes = join_file (p.version, (guint32) strlen (json), json, p.rest, p.rest_len);
  g_free (p.json);
  return bytes;
}

static void
edit_step_negative (JsonObject *root)
{
  json_object_set_int_member (root, "step", -5);
}

static void
edit_step_huge (JsonObject *root)
{
  json_object_set_double_member (root, "step", 1e13);
}

static void
edit_threads (JsonObject *root)
{
  json_object_set_int_member (json_object_get_object_member (root, "training"), "n_threads", 100000);
}

static void
edit_seed (JsonObject *root)
{
  json_object_set_int_member (json_object_get_object_member (root, "training"), "seed", -3);
}

static void
edit_checkpoint (JsonObject *root)
{
  JsonObject *ck = json_object_get_object_member (json_object_get_object_member (root, "training"),
                                                  "model_checkpoint");
  json_object_set_boolean_member (ck, "enabled", TRUE);
  json_object_set_string_member (ck, "path", "/tmp/layerlab-test-should-not-be-written");
}

/* Values a crafted file could use to hang training, make it write
 * elsewhere, or reach undefined behaviour: each refused or neutralised. */
static void
test_reject_crafted_values (void)
{
  struct { void (*edit) (JsonObject *); const char *message; } cases[] = {
    { edit_step_negative, "step count" },
    { edit_step_huge, "step count" },
    { edit_threads, "Threads" },
    { edit_seed, "seed" },
  };
  g_autoptr(GBytes) ck = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_autoptr(GError) error = NULL;
  GString *deep = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bad = edited_file (cases[i].edit);
      assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), cases[i].message);
    }

  /* A checkpoint switched on in a file stays off after loading. */
  ck = edited_file (edit_checkpoint);
  t = ll_model_file_from_bytes (ck, &error);
  g_assert_no_error (error);
  g_assert_false (ll_trainer_get_config (t)->checkpoint.enabled);

  /* Nesting that would overflow json-glib's recursive parser. */
  g_string_append (deep, "{\"layers\": ");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_null (ll_arch_from_json (deep->str, (gssize) deep->len, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_string_free (deep, TRUE);
}

static void
test_reject_huge_json_length (void)
{
  g_autoptr(GBytes) good = small_file_bytes ();
  static const guint32 lengths[] = { 0xffffffffu, 0xfffffff0u, 0x80000000u, 16u << 20, 1u << 20 };
  Parts p;

  split_file (good, &p);
  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      /* The declared length is a lie; everything else, checksum included, is consistent. */
      g_autoptr(GBytes) bad = join_file (p.version, lengths[i], p.json, p.rest, p.rest_len);
      assert_rejected (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), NULL);
    }
  g_free (p.json);
}

static gboolean
file_equals (const char *path, GBytes *want)
{
  g_autofree char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return len == g_bytes_get_size (want) && memcmp (data, g_bytes_get_data (want, NULL), len) == 0;
}


static void
test_atomic_save (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = small_data ();
  g_autoptr(LlTrainer) first = small_trainer (TRUE);
  g_autoptr(LlTrainer) second = trained_trainer (TRUE, ds);
  g_autofree char *dir = g_dir_make_tmp ("layerlab-atomic-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "model.llmodel", NULL);
  g_autofree char *subdir = g_build_filename (dir, "folder.llmodel", NULL);
  g_autoptr(GBytes) before = ll_model_file_to_bytes (first, NULL);

  g_assert_no_error (error);
  g_assert_true (ll_model_file_save (first, path, &error));
  g_assert_no_error (error);
  g_assert_true (file_equals (path, before));

  /* The target is a directory: an error that says what to check, and the
   * directory and the other file untouched. */
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  g_assert_false (ll_model_file_save (second, subdir, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "folder.llmodel"));
  g_clear_error (&error);
  g_assert_true (g_file_test (subdir, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (ll_test_count_entries (subdir), ==, 0);
  g_assert_true (file_equals (path, before));

  /* A folder that does not exist. */
  {
    g_autofree char *nowhere = g_build_filename (dir, "missing", "m.llmodel", NULL);
    g_assert_false (ll_model_file_save (second, nowhere, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "writable"));
    g_clear_error (&error);
  }

  /* A folder that is not writable.  Root ignores the permission bits, so
   * there the write is made to fail with a file size limit instead, which
   * stops the temporary file half-way: the old file must survive. */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      g_assert_false (ll_model_file_save (second, path, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      g_clear_error (&error);
      g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
      g_assert_true (file_equals (path, before));
    }
  else
    {
      struct rlimit old, small;
      void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);

      g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
      small = old;
      small.rlim_cur = 4096;
      g_assert_cmpuint (g_bytes_get_size (before), >, 4096);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
      g_assert_false (ll_model_file_save (second, path, &error));
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
      signal (SIGXFSZ, old_handler);
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      g_test_message ("failed write: %s", error->message);
      g_clear_error (&error);
      g_assert_true (file_equals (path, before));
    }
  /* No temporary files left behind by the failures: the file and the folder. */
  g_assert_cmpint (ll_test_count_entries (dir), ==, 2);

  /* And a successful save replaces the file completely. */
  g_assert_true (ll_model_file_save (second, path, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) after = ll_model_file_to_bytes (second, NULL);
    g_assert_true (file_equals (path, after));
  }
  g_assert_cmpint (ll_test_count_entries (dir), ==, 2);

  g_remove (path);
  g_rmdir (subdir);
  g_rmdir (dir);
}

static void
test_fit_config_json (void)
{
  g_autoptr(GError) error = NULL;
  LlFitConfig a, b;
  g_autofree char *ja = NULL, *jb = NULL;

  ll_fit_config_init (&a);
  a.epochs = 7;
  a.batch_size = 64;
  a.shuffle = FALSE;
  a.validation_split = 0.125;
  a.seed = 1234567;
  a.optim = ll_optim_config_default (LL_OPTIM_RMSPROP);
  a.optim.centered = TRUE;
  a.optim.momentum = 0.5;
  a.schedule = (LlSchedule) { LL_SCHEDULE_COSINE, 0.5, 3, 0.25 };
  a.early_stopping = (LlEarlyStopping) { TRUE, LL_MONITOR_VAL_ACCURACY, 0.01, 3, TRUE };
  a.checkpoint = (LlCheckpoint) { TRUE, g_strdup ("/tmp/x.llmodel"), LL_MONITOR_LOSS, TRUE, TRUE };
  a.reduce_lr = (LlReduceLrOnPlateau) { TRUE, LL_MONITOR_ACCURACY, 0.5, 2, 0.001, 1e-5 };
  ja = ll_fit_config_to_json (&a);
  ll_fit_config_init (&b);
  g_assert_true (ll_fit_config_from_json (&b, ja, &error));
  g_assert_no_error (error);
  jb = ll_fit_config_to_json (&b);
  g_assert_cmpstr (ja, ==, jb);
  g_assert_cmpint (b.optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_true (b.optim.centered);
  g_assert_cmpstr (b.checkpoint.path, ==, "/tmp/x.llmodel");
  g_assert_cmpint (b.schedule.kind, ==, LL_SCHEDULE_COSINE);

  g_assert_false (ll_fit_config_from_json (&b, "{\"epochs\": \"five\"}", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_false (ll_fit_config_from_json (&b, "{\"optimizer\": {\"name\": \"adamw\"}}", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "adamw"));
  g_clear_error (&error);
  ll_fit_config_clear (&a);
  ll_fit_config_clear (&b);
}

/* Every number the model file writes reads back to the same double:
 * the training settings, the history and the layer parameters, with the
 * values that json-glib's generator wrote as "1e-08.0" (issue 19). */
static const double extreme[] = {
  1e-45, 1e-8, 2e-8, 3e-9, 1e38, -0.0, 4.9406564584124654e-324, 2.2250738585072009e-308,
  0.1, 1.0 / 3.0, 1e-79, 0.0, 1e-7, 1e300,
};

static void
test_extreme_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch ("Input height=4 width=4 channels=1\nFlatten\n"
                                         "Dense units=3 activation=relu kernel_regularizer=l1_l2\n"
                                         "Dropout\nDense units=2 activation=softmax\n");
  guint n_history = G_N_ELEMENTS (extreme);

  for (gsize i = 0; i < G_N_ELEMENTS (extreme); i++)
    {
      double v = extreme[i];
      double small = v == 0 ? v : fabs (v) <= 1.0 ? fabs (v) : 1e-8;   /* keeps -0 */
      double positive = small > 0 ? small : 1e-8;                        /* ranges open at 0 */
      g_autoptr(LlArch) a = ll_arch_copy (arch);
      g_autoptr(LlTrainer) t = NULL, back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GArray) history = g_array_new (FALSE, FALSE, sizeof (LlEpochRecord));
      LlModel *model;
      LlFitConfig cfg;

      /* Layer parameters: l1 and l2 take [0, 10], the dropout rate [0, 1). */
      g_assert_true (ll_layer_spec_set (ll_arch_layer (a, 2), "l1", small, &error));
      g_assert_true (ll_layer_spec_set (ll_arch_layer (a, 2), "l2", positive, &error));
      g_assert_true (ll_layer_spec_set (ll_arch_layer (a, 3), "rate", small < 0.95 ? small : 0.5, &error));
      g_assert_no_error (error);
      model = ll_model_new (a, &error);
      g_assert_no_error (error);

      ll_fit_config_init (&cfg);
      cfg.optim = ll_optim_config_default (LL_OPTIM_ADAM);
      cfg.optim.learning_rate = positive;
      cfg.optim.epsilon = positive;
      cfg.optim.beta_1 = small < 1 ? small : 0.9;
      cfg.optim.beta_2 = small < 1 ? small : 0.999;
      cfg.optim.momentum = small < 1 ? small : 0.0;
      cfg.optim.rho = positive < 1 ? positive : 0.9;
      cfg.optim.initial_accumulator = small;
      cfg.validation_split = small < 1 ? small : 0.0;
      cfg.schedule.factor = positive;
      cfg.schedule.alpha = small;
      cfg.early_stopping.min_delta = small;
      cfg.reduce_lr.min_delta = small;
      cfg.reduce_lr.min_lr = small;
      cfg.reduce_lr.factor = positive < 1 ? positive : 0.1;
      g_assert_true (ll_fit_config_validate (&cfg, &error));
      g_assert_no_error (error);
      t = ll_trainer_new (model, &cfg);
      for (guint e = 0; e < n_history; e++)
        {
          double w = extreme[(i + e) % n_history];
          LlEpochRecord r = { (int) e, w, -w, w, NAN, w, w, -w };
          g_array_append_val (history, r);
        }
      ll_trainer_set_state (t, 3, NULL, 0, (const LlEpochRecord *) (void *) history->data, history->len);

      bytes = ll_model_file_to_bytes (t, &error);
      g_assert_no_error (error);
      back = ll_model_file_from_bytes (bytes, &error);
      if (back == NULL)
        g_error ("value %.17g: %s", v, error->message);
      {
        const LlFitConfig *a_cfg = ll_trainer_get_config (t), *b_cfg = ll_trainer_get_config (back);
        assert_double_bits (a_cfg->optim.learning_rate, b_cfg->optim.learning_rate);
        assert_double_bits (a_cfg->optim.epsilon, b_cfg->optim.epsilon);
        assert_double_bits (a_cfg->optim.beta_1, b_cfg->optim.beta_1);
        assert_double_bits (a_cfg->optim.beta_2, b_cfg->optim.beta_2);
        assert_double_bits (a_cfg->optim.momentum, b_cfg->optim.momentum);
        assert_double_bits (a_cfg->optim.rho, b_cfg->optim.rho);
        assert_double_bits (a_cfg->optim.initial_accumulator, b_cfg->optim.initial_accumulator);
        assert_double_bits (a_cfg->validation_split, b_cfg->validation_split);
        assert_double_bits (a_cfg->schedule.factor, b_cfg->schedule.factor);
        assert_double_bits (a_cfg->schedule.alpha, b_cfg->schedule.alpha);
        assert_double_bits (a_cfg->early_stopping.min_delta, b_cfg->early_stopping.min_delta);
        assert_double_bits (a_cfg->reduce_lr.min_delta, b_cfg->reduce_lr.min_delta);
        assert_double_bits (a_cfg->reduce_lr.min_lr, b_cfg->reduce_lr.min_lr);
        assert_double_bits (a_cfg->reduce_lr.factor, b_cfg->reduce_lr.factor);
      }
      {
        const LlArch *aa = ll_model_get_arch (ll_trainer_get_model (t));
        const LlArch *ab = ll_model_get_arch (ll_trainer_get_model (back));
        g_assert_cmpint (ll_arch_n_layers (aa), ==, ll_arch_n_layers (ab));
        for (int l = 0; l < ll_arch_n_layers (aa); l++)
          for (int p = 0; p < ll_arch_layer (aa, l)->type->n_params; p++)
            assert_double_bits (ll_arch_layer (aa, l)->v[p], ll_arch_layer (ab, l)->v[p]);
      }
      assert_histories_equal (t, back);
      ll_fit_config_clear (&cfg);
    }
}

/* Issue 19: "layerlab train --learning-rate 1e-8 --save m.llmodel" said
 * Saved, and m.llmodel could not be opened again. */
static void
test_tiny_learning_rate (void)
{
  g_autoptr(LlDataset) ds = small_data ();
  g_autofree char *dir = g_dir_make_tmp ("ll-model-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tiny-lr.llmodel", NULL);
  static const double rates[] = { 1e-8, 2e-8, 3e-9 };

  for (gsize i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LlTrainer) t = small_trainer (FALSE);
      g_autoptr(LlTrainer) back = NULL;

      ll_trainer_get_config (t)->optim.learning_rate = rates[i];
      g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      /* An epsilon of 1e-79 (0 in float, so not trained with) in the settings. */
      ll_trainer_get_config (t)->optim.epsilon = 1e-79;
      g_assert_true (ll_model_file_save (t, path, &error));
      g_assert_no_error (error);
      back = ll_model_file_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (ll_trainer_get_config (back)->optim.learning_rate, ==, rates[i]);
      g_assert_cmpfloat (ll_trainer_get_config (back)->optim.epsilon, ==, 1e-79);
      assert_trainers_equal (t, back);
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/model-file/round-trip-bytes", test_round_trip_bytes);
  g_test_add_func ("/engine/model-file/round-trip-file", test_round_trip_file);
  g_test_add_func ("/engine/model-file/resume", test_resume);
  g_test_add_func ("/engine/model-file/weights-only", test_weights_only);
  g_test_add_func ("/engine/model-file/fit-config-json", test_fit_config_json);
  g_test_add_func ("/engine/model-file/reject-foreign", test_reject_foreign);
  g_test_add_func ("/engine/model-file/reject-empty-file", test_reject_empty_file);
  g_test_add_func ("/engine/model-file/reject-truncated", test_reject_truncated);
  g_test_add_func ("/engine/model-file/reject-flipped", test_reject_flipped);
  g_test_add_func ("/engine/model-file/reject-newer-version", test_reject_newer_version);
  g_test_add_func ("/engine/model-file/reject-wrong-architecture", test_reject_wrong_architecture);
  g_test_add_func ("/engine/model-file/reject-huge-json-length", test_reject_huge_json_length);
  g_test_add_func ("/engine/model-file/reject-crafted-values", test_reject_crafted_values);
  g_test_add_func ("/engine/model-file/atomic-save", test_atomic_save);
  g_test_add_func ("/engine/model-file/extreme-values", test_extreme_values);
  g_test_add_func ("/engine/model-file/tiny-learning-rate", test_tiny_learning_rate);
  return g_test_run ();
}
