/* ll-run-list.c: runs in memory and in runs.json.
 *
 * The file is a plain JSON object {"version": 1, "runs": [...]} written
 * atomically (temporary file + rename), so a crash during a save never
 * loses the previous list.  NaN (no validation data) is stored as null.
 * Per-batch histories are thinned to at most MAX_BATCH_POINTS.  A file
 * that cannot be read as runs is renamed out of the way
 * (runs.json.damaged-DATE) so that it is neither overwritten nor met
 * again at the next start. */
#include "ll-run-list.h"
#include "ll-file.h"
#include "ll-json.h"
#include "ll-arch.h"
#include "ll-layer.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>

/* 2: the settings as in model files (names); 1: flat, with enum numbers. */
#define RUNS_VERSION 2
#define MAX_BATCH_POINTS 1500
/* runs.json holds a few hundred kB per run; a run file may carry a model. */
#define RUNS_MAX_BYTES ((gsize) 256 << 20)
#define RUN_FILE_MAX_BYTES ((gsize) 1 << 30)

struct _LlRunList
{
  GObject parent_instance;

  char *path;
  GPtrArray *runs;              /* LlRun */
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlRunList, ll_run_list, G_TYPE_OBJECT)

LlRun *
ll_run_new (void)
{
  LlRun *run = g_new0 (LlRun, 1);

  ll_fit_config_init (&run->config);
  run->epochs = g_array_new (FALSE, FALSE, sizeof (LlEpochRecord));
  run->batches = g_array_new (FALSE, FALSE, sizeof (LlBatchPoint));
  run->lr_marks = g_array_new (FALSE, FALSE, sizeof (LlLrMark));
  run->test_loss = run->test_accuracy = NAN;
  run->stopped_x = run->stopped_loss = run->stopped_accuracy = NAN;
  run->created = g_get_real_time () / G_USEC_PER_SEC;
  return run;
}

void
ll_run_free (LlRun *run)
{
  if (run == NULL)
    return;
  g_free (run->name);
  g_free (run->model);
  g_free (run->arch_json);
  g_free (run->dataset);
  g_free (run->status);
  ll_fit_config_clear (&run->config);
  g_array_unref (run->epochs);
  g_array_unref (run->batches);
  g_array_unref (run->lr_marks);
  g_free (run);
}

static void
csv_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (v))
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.10g", v));
}

gboolean
ll_run_export_csv (const LlRun *run, const char *path, GError **error)
{
  g_autoptr(GString) s = g_string_new ("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n");
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (run != NULL && path != NULL, FALSE);

  for (guint i = 0; i < run->epochs->len; i++)
    {
      const LlEpochRecord *r = &g_array_index (run->epochs, LlEpochRecord, i);
      g_string_append_printf (s, "%d,", r->epoch + 1);
      csv_number (s, r->loss);
      g_string_append_c (s, ',');
      csv_number (s, r->accuracy);
      g_string_append_c (s, ',');
      csv_number (s, r->val_loss);
      g_string_append_c (s, ',');
      csv_number (s, r->val_accuracy);
      g_string_append_c (s, ',');
      csv_number (s, r->lr);
      g_string_append_c (s, ',');
      csv_number (s, r->seconds);
      g_string_append_c (s, '\n');
    }
  /* Atomic, and a FIFO or a device is refused, never replaced. */
  if (!ll_file_save (path, s->str, s->len, NULL, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* JSON --------------------------------------------------------------------- */

static void
add_double (JsonBuilder *b, const char *name, double v)
{
  ll_json_builder_member_double (b, name, v);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_bool (JsonBuilder *b, const char *name, gboolean v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  if (v != NULL)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
build_run (JsonBuilder *b, const LlRun *run)
{
  guint stride = MAX (1, (run->batches->len + MAX_BATCH_POINTS - 1) / MAX_BATCH_POINTS);

  json_builder_begin_object (b);
  add_string (b, "name", run->name);
  add_string (b, "model", run->model);
  add_string (b, "arch", run->arch_json);
  add_string (b, "dataset", run->dataset);
  add_string (b, "status", run->status);
  add_int (b, "created", run->created);
  add_bool (b, "selected", run->selected);
  add_double (b, "test_loss", run->test_loss);
  add_double (b, "test_accuracy", run->test_accuracy);
  add_double (b, "stopped_x", run->stopped_x);
  add_double (b, "stopped_loss", run->stopped_loss);
  add_double (b, "stopped_accuracy", run->stopped_accuracy);
  /* The settings as model files hold them (ll-fit-config.h): names, not numbers. */
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, ll_fit_config_to_json_node (&run->config));

  json_builder_set_member_name (b, "epochs");
  json_builder_begin_array (b);
  for (guint i = 0; i < run->epochs->len; i++)
    {
      const LlEpochRecord *r = &g_array_index (run->epochs, LlEpochRecord, i);
      json_builder_begin_object (b);
      add_int (b, "epoch", r->epoch);
      add_double (b, "loss", r->loss);
      add_double (b, "accuracy", r->accuracy);
      add_double (b, "val_loss", r->val_loss);
      add_double (b, "val_accuracy", r->val_accuracy);
      add_double (b, "lr", r->lr);
      add_double (b, "seconds", r->seconds);
      add_double (b, "samples_per_s", r->samples_per_s);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* Batches as three flat arrays: compact and quick to parse. */
  {
    const char *names[] = { "batch_x", "batch_loss", "batch_accuracy" };
    for (int k = 0; k < 3; k++)
      {
        json_builder_set_member_name (b, names[k]);
        json_builder_begin_array (b);
        for (guint i = 0; i < run->batches->len; i += stride)
          {
            const LlBatchPoint *p = &g_array_index (run->batches, LlBatchPoint, i);
            double v = k == 0 ? p->x : k == 1 ? p->loss : p->accuracy;
            ll_json_builder_add_double (b, isfinite (v) ? v : 0.0);
          }
        json_builder_end_array (b);
      }
  }
  json_builder_set_member_name (b, "lr_marks");
  json_builder_begin_array (b);
  for (guint i = 0; i < run->lr_marks->len; i++)
    {
      const LlLrMark *m = &g_array_index (run->lr_marks, LlLrMark, i);
      json_builder_begin_array (b);
      ll_json_builder_add_double (b, m->x);
      ll_json_builder_add_double (b, m->value);
      if (m->kind == LL_MARK_DROPOUT)
        json_builder_add_string_value (b, "dropout");
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* Lookups that tolerate a damaged file: wrong types read as missing. */
static JsonArray *
get_array (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static JsonObject *
get_object (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static double
element_double (JsonArray *a, guint i)
{
  JsonNode *n = json_array_get_element (a, i);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) == G_TYPE_STRING)
    return NAN;
  return json_node_get_double (n);
}

static double
get_double (JsonObject *o, const char *name, double fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL)
    return fallback;
  if (JSON_NODE_HOLDS_NULL (n))
    return NAN;
  if (JSON_NODE_HOLDS_VALUE (n))
    {
      GType t = json_node_get_value_type (n);
      if (t == G_TYPE_DOUBLE || t == G_TYPE_INT64 || t == G_TYPE_BOOLEAN)
        return json_node_get_double (n);
    }
  return fallback;
}

static gint64
get_int (JsonObject *o, const char *name, gint64 fallback, gint64 lo, gint64 hi)
{
  JsonNode *n = json_object_get_member (o, name);
  gint64 v;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) == G_TYPE_STRING)
    return fallback;
  v = json_node_get_int (n);
  return v < lo || v > hi ? fallback : v;
}

static gboolean
get_bool (JsonObject *o, const char *name, gboolean fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (n);
}

static char *
get_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (n));
}

/* version: of the file; 1 stored the settings flat, with enum numbers. */
static LlRun *
parse_run (JsonNode *node, gint64 version, GError **error)
{
  g_autoptr(LlRun) run = ll_run_new ();
  JsonObject *o, *c;
  JsonArray *a;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("a run is not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (node);
  run->name = get_string (o, "name");
  run->model = get_string (o, "model");
  run->arch_json = get_string (o, "arch");
  run->dataset = get_string (o, "dataset");
  run->status = get_string (o, "status");
  run->created = get_int (o, "created", 0, 0, G_MAXINT64);
  run->selected = get_bool (o, "selected", FALSE);
  run->test_loss = get_double (o, "test_loss", NAN);
  run->test_accuracy = get_double (o, "test_accuracy", NAN);
  run->stopped_x = get_double (o, "stopped_x", NAN);
  run->stopped_loss = get_double (o, "stopped_loss", NAN);
  run->stopped_accuracy = get_double (o, "stopped_accuracy", NAN);
  if (run->name == NULL)
    run->name = g_strdup (C_("a training run", "Run"));
  if (version <= 1 && (c = get_object (o, "config")) != NULL)
    ll_fit_config_from_legacy_json (&run->config, c);
  else if (version >= 2 && json_object_has_member (o, "config"))
    {
      g_autoptr(GError) local = NULL;

      ll_fit_config_init_keras (&run->config);
      if (!ll_fit_config_from_json_node (&run->config, json_object_get_member (o, "config"), &local))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("its settings: %s"), local->message);
          return NULL;
        }
    }

  if ((a = get_array (o, "epochs")) != NULL)
    for (guint i = 0; i < json_array_get_length (a); i++)
      {
        JsonNode *n = json_array_get_element (a, i);
        JsonObject *e;
        LlEpochRecord r;
        if (!JSON_NODE_HOLDS_OBJECT (n))
          continue;
        e = json_node_get_object (n);
        r.epoch = get_int (e, "epoch", i, 0, G_MAXINT);
        r.loss = get_double (e, "loss", NAN);
        r.accuracy = get_double (e, "accuracy", NAN);
        r.val_loss = get_double (e, "val_loss", NAN);
        r.val_accuracy = get_double (e, "val_accuracy", NAN);
        r.lr = get_double (e, "lr", NAN);
        r.seconds = get_double (e, "seconds", NAN);
        r.samples_per_s = get_double (e, "samples_per_s", NAN);
        g_array_append_val (run->epochs, r);
      }
  {
    JsonArray *bx = get_array (o, "batch_x");
    JsonArray *bl = get_array (o, "batch_loss");
    JsonArray *ba = get_array (o, "batch_accuracy");
    if (bx != NULL && bl != NULL && ba != NULL)
      {
        guint n = MIN (json_array_get_length (bx),
                       MIN (json_array_get_length (bl), json_array_get_length (ba)));
        for (guint i = 0; i < n; i++)
          {
            LlBatchPoint p = { element_double (bx, i),
                               element_double (bl, i),
                               element_double (ba, i) };
            g_array_append_val (run->batches, p);
          }
      }
  }
  if ((a = get_array (o, "lr_marks")) != NULL)
    for (guint i = 0; i < json_array_get_length (a); i++)
      {
        JsonNode *mn = json_array_get_element (a, i);
        JsonArray *m = JSON_NODE_HOLDS_ARRAY (mn) ? json_node_get_array (mn) : NULL;
        LlLrMark mark;
        guint len = m != NULL ? json_array_get_length (m) : 0;
        JsonNode *kind = len == 3 ? json_array_get_element (m, 2) : NULL;
        if (len != 2 && len != 3)
          continue;
        mark.x = element_double (m, 0);
        mark.value = element_double (m, 1);
        /* A third element "dropout" marks a dropout-rate change. */
        mark.kind = kind != NULL && JSON_NODE_HOLDS_VALUE (kind)
                    && json_node_get_value_type (kind) == G_TYPE_STRING
                    && g_strcmp0 (json_node_get_string (kind), "dropout") == 0
                    ? LL_MARK_DROPOUT : LL_MARK_LEARNING_RATE;
        g_array_append_val (run->lr_marks, mark);
      }
  return g_steal_pointer (&run);
}

/* The list ------------------------------------------------------------------ */

static void
ll_run_list_finalize (GObject *object)
{
  LlRunList *self = LL_RUN_LIST (object);

  g_free (self->path);
  g_ptr_array_unref (self->runs);

  G_OBJECT_CLASS (ll_run_list_parent_class)->finalize (object);
}

static void
ll_run_list_class_init (LlRunListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ll_run_list_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ll_run_list_init (LlRunList *self)
{
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) ll_run_free);
}

LlRunList *
ll_run_list_new (const char *path)
{
  LlRunList *self = g_object_new (LL_TYPE_RUN_LIST, NULL);

  self->path = path != NULL ? g_strdup (path)
                            : g_build_filename (g_get_user_data_dir (), "layerlab", "runs.json", NULL);
  return self;
}

const char *
ll_run_list_get_path (LlRunList *self)
{
  g_return_val_if_fail (LL_IS_RUN_LIST (self), NULL);
  return self->path;
}

/* Renames a damaged (or too new) runs.json out of the way, so that the
 * next save cannot overwrite what it held and the next start does not
 * stumble over it again.  Returns the new name, or NULL if it could not
 * be renamed. */
static char *
set_aside (const char *path, const char *why)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (int i = 1; i < 100; i++)
    {
      g_autofree char *target = i == 1 ? g_strdup_printf ("%s.%s-%s", path, why, stamp)
                                       : g_strdup_printf ("%s.%s-%s-%d", path, why, stamp, i);
      if (g_file_test (target, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (path, target) != 0)
        return NULL;
      return g_steal_pointer (&target);
    }
  return NULL;
}

static gboolean
load_failed (LlRunList *self, const char *problem, const char *why, GError **error)
{
  g_autofree char *aside = set_aside (self->path, why);

  if (aside != NULL)
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                 _("The saved runs in %s %s; the file was set aside as %s and the list starts "
                 "empty."), self->path, problem, aside);
  else
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                 _("The saved runs in %s %s; the list starts empty. Move the file away to keep "
                 "new runs from replacing it."), self->path, problem);
  g_signal_emit (self, signals[CHANGED], 0);
  return FALSE;
}

gboolean
ll_run_list_load (LlRunList *self, GError **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) ll_run_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *problem = NULL;
  JsonArray *array;
  gint64 version;

  g_return_val_if_fail (LL_IS_RUN_LIST (self), FALSE);

  g_ptr_array_set_size (self->runs, 0);
  root = ll_json_parse_file (self->path, RUNS_MAX_BYTES, &local);
  if (root == NULL && g_error_matches (local, LL_ERROR, LL_ERROR_NOT_FOUND))
    {
      g_signal_emit (self, signals[CHANGED], 0);
      return TRUE;
    }
  if (root == NULL && !g_error_matches (local, LL_ERROR, LL_ERROR_FORMAT))
    {
      const char *kind = ll_file_describe (self->path);
      g_autofree char *shown = g_filename_display_name (self->path);

      /* Not a file the user chose: say what to do with it, as saving does. */
      if (kind != NULL && !g_file_test (self->path, G_FILE_TEST_IS_REGULAR))
        g_set_error (error, LL_ERROR, LL_ERROR_IO,
                     _("Could not read the saved runs: %s is %s, not a file. Move it out of the "
                       "way and open Layerlab again; until then the runs are kept only while "
                       "Layerlab is open"), shown, kind);
      else
        g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not read the saved runs: %s"),
                     local->message);
      g_signal_emit (self, signals[CHANGED], 0);
      return FALSE;
    }
  if (root == NULL)
    {
      problem = g_strdup_printf (_("are damaged (%s)"), local->message);
      return load_failed (self, problem, "damaged", error);
    }
  if (!JSON_NODE_HOLDS_OBJECT (root)
      || (array = get_array (json_node_get_object (root), "runs")) == NULL)
    return load_failed (self, _("are damaged (no \"runs\" list)"), "damaged", error);
  version = get_int (json_node_get_object (root), "version", 1, 0, G_MAXINT64);
  if (version > RUNS_VERSION)
    return load_failed (self, _("come from a newer Layerlab (update Layerlab to see them)"),
                        "newer", error);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      LlRun *run = parse_run (json_array_get_element (array, i), version, &local);
      if (run == NULL)
        {
          problem = g_strdup_printf (_("are damaged (run %u: %s)"), i + 1, local->message);
          return load_failed (self, problem, "damaged", error);
        }
      g_ptr_array_add (runs, run);
    }
  g_ptr_array_extend_and_steal (self->runs, g_steal_pointer (&runs));
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
ll_run_list_save (LlRunList *self, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *dir = NULL;
  const char *kind;

  g_return_val_if_fail (LL_IS_RUN_LIST (self), FALSE);

  json_builder_begin_object (b);
  add_int (b, "version", RUNS_VERSION);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->runs->len; i++)
    build_run (b, g_ptr_array_index (self->runs, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  /* Something else than a file where runs.json goes (a FIFO, a device, a
   * folder) is left alone: ll_file_save refuses it; say what to do. */
  kind = ll_file_check_save_target (self->path, NULL) ? NULL : ll_file_describe (self->path);
  if (kind != NULL)
    {
      g_autofree char *shown = g_filename_display_name (self->path);
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Could not save the runs: %s is %s, not a file. Move it out of the way; "
                     "until then the runs are kept only while Layerlab is open"),
                   shown, kind);
      return FALSE;
    }
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not save the runs to %s: %s"),
                   self->path, g_strerror (saved));
      return FALSE;
    }
  if (!ll_json_save (root, LL_JSON_COMPACT, self->path, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not save the runs to %s: %s"),
                   self->path, local->message);
      return FALSE;
    }
  return TRUE;
}

guint
ll_run_list_get_n (LlRunList *self)
{
  g_return_val_if_fail (LL_IS_RUN_LIST (self), 0);
  return self->runs->len;
}

LlRun *
ll_run_list_get (LlRunList *self, guint i)
{
  g_return_val_if_fail (LL_IS_RUN_LIST (self), NULL);
  g_return_val_if_fail (i < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, i);
}

void
ll_run_list_add (LlRunList *self, LlRun *run)
{
  g_return_if_fail (LL_IS_RUN_LIST (self));
  g_return_if_fail (run != NULL);

  g_ptr_array_add (self->runs, run);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ll_run_list_remove (LlRunList *self, guint i)
{
  g_return_if_fail (LL_IS_RUN_LIST (self));
  g_return_if_fail (i < self->runs->len);

  g_ptr_array_remove_index (self->runs, i);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ll_run_list_set_selected (LlRunList *self, guint i, gboolean selected)
{
  LlRun *run;

  g_return_if_fail (LL_IS_RUN_LIST (self));
  g_return_if_fail (i < self->runs->len);

  run = g_ptr_array_index (self->runs, i);
  if (run->selected == !!selected)
    return;
  run->selected = !!selected;
  g_signal_emit (self, signals[CHANGED], 0);
}

char *
ll_run_list_next_name (LlRunList *self)
{
  int max = 0;

  g_return_val_if_fail (LL_IS_RUN_LIST (self), NULL);

  for (guint i = 0; i < self->runs->len; i++)
    {
      LlRun *run = g_ptr_array_index (self->runs, i);
      int k;
      /* names made in English or in the reader's language */
      if (run->name != NULL && (sscanf (run->name, "Run %d", &k) == 1
                                || sscanf (run->name, _("Run %d"), &k) == 1))
        max = MAX (max, k);
    }
  return g_strdup_printf (_("Run %d"), max + 1);
}

/* Differences ---------------------------------------------------------------- */

/* What a run label can name: the model, the data set, the optimizer, then
 * every hyperparameter and every fit field with a short label, from the
 * tables (a new hyperparameter shows without a change here), then the
 * layers. */
typedef enum { KEY_MODEL, KEY_DATA, KEY_OPTIMIZER, KEY_HYPER, KEY_FIT, KEY_CHANGES, KEY_LAYERS } KeyKind;

typedef struct {
  KeyKind kind;
  int index;                    /* LlHyper or LlFitField */
} Key;

static GArray *
difference_keys (void)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (Key));
  Key k = { KEY_MODEL, 0 };

  g_array_append_val (keys, k);
  k.kind = KEY_DATA;
  g_array_append_val (keys, k);
  k.kind = KEY_OPTIMIZER;
  g_array_append_val (keys, k);
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      Key hk = { KEY_HYPER, h };
      g_array_append_val (keys, hk);
    }
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    if (ll_fit_spec ((LlFitField) f)->short_label != NULL)
      {
        Key fk = { KEY_FIT, f };
        g_array_append_val (keys, fk);
      }
  k.kind = KEY_CHANGES;
  g_array_append_val (keys, k);
  k.kind = KEY_LAYERS;
  g_array_append_val (keys, k);
  return keys;
}

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", v));
}

/* The key's name, and its value for a run ("32"); NULL when the setting
 * does not apply to the run (momentum of an Adam run). */
static char *
describe_key (const LlRun *r, const Key *key, const char **name)
{
  const LlFitConfig *c = &r->config;

  switch (key->kind)
    {
    case KEY_MODEL:
      *name = _("model");
      return g_strdup (r->model ? r->model : "?");
    case KEY_DATA:
      *name = _("data");
      return g_strdup (r->dataset ? r->dataset : "?");
    case KEY_OPTIMIZER:
      *name = _("optimizer");
      return g_strdup (ll_optim_names[c->optim.kind]);
    case KEY_HYPER:
      {
        const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) key->index);
        double v = ll_hyper_get (&c->optim, (LlHyper) key->index);

        *name = _(spec->short_label);
        if (!ll_optim_uses (c->optim.kind, (LlHyper) key->index))
          return NULL;
        return spec->is_flag ? g_strdup (v != 0 ? _("on") : _("off")) : format_number (v);
      }
    case KEY_FIT:
      {
        const LlFitSpec *spec = ll_fit_spec ((LlFitField) key->index);
        double v = ll_fit_get (c, (LlFitField) key->index);

        *name = _(spec->short_label);
        switch (spec->type)
          {
          case LL_FIT_TYPE_FLAG:
            return g_strdup (v != 0 ? _("on") : _("off"));
          case LL_FIT_TYPE_CHOICE:
            return g_strdup (v >= 0 && v <= spec->max ? spec->choices[(int) v] : "?");
          case LL_FIT_TYPE_SEED:
            return g_strdup_printf ("%" G_GUINT64_FORMAT, c->seed);
          case LL_FIT_TYPE_INT:
            return g_strdup_printf ("%d", (int) v);
          case LL_FIT_TYPE_NUMBER:
            return format_number (v);
          case LL_FIT_TYPE_PATH:
          default:
            return NULL;
          }
      }
    case KEY_CHANGES:
      {
        *name = _("changed while training");
        return ll_run_describe_changes (r);   /* NULL: none */
      }
    case KEY_LAYERS:
    default:
      *name = _("layers of");
      return g_strdup (r->arch_json ? r->arch_json : "");
    }
}

/* The layers' parameters where runs of one layer structure differ:
 * "dropout rate 0.2" vs "dropout rate 0.5".  FALSE when the structures
 * differ (or a run has no architecture); then the layer counts are told. */
static gboolean
layer_differences (LlRun *const *runs, guint n, GString **parts, GString *sum)
{
  g_autoptr(GPtrArray) archs = g_ptr_array_new_with_free_func ((GDestroyNotify) ll_arch_free);
  const LlArch *a0;
  gboolean any = FALSE;

  for (guint i = 0; i < n; i++)
    {
      LlArch *a = runs[i]->arch_json != NULL ? ll_arch_from_json (runs[i]->arch_json, -1, NULL) : NULL;
      if (a == NULL)
        return FALSE;
      g_ptr_array_add (archs, a);
    }
  a0 = g_ptr_array_index (archs, 0);
  for (guint i = 1; i < n; i++)
    {
      const LlArch *a = g_ptr_array_index (archs, i);
      if (ll_arch_n_layers (a) != ll_arch_n_layers (a0))
        goto structure;
      for (int l = 0; l < ll_arch_n_layers (a0); l++)
        if (ll_arch_layer (a, l)->type != ll_arch_layer (a0, l)->type)
          goto structure;
    }
  for (int l = 0; l < ll_arch_n_layers (a0); l++)
    {
      const LlLayerType *type = ll_arch_layer (a0, l)->type;
      for (int p = 0; p < type->n_params; p++)
        {
          gboolean differ = FALSE;
          g_autofree char *lname = ll_arch_layer_name (a0, l);
          g_autofree char *label = g_strdup_printf ("%s %s", lname, type->params[p].name);

          for (guint i = 1; i < n && !differ; i++)
            differ = ll_arch_layer ((LlArch *) g_ptr_array_index (archs, i), l)->v[p]
                     != ll_arch_layer (a0, l)->v[p];
          if (!differ)
            continue;
          g_string_append_printf (sum, "%s%s ", sum->len ? "; " : "", label);
          for (guint i = 0; i < n; i++)
            {
              const LlLayerSpec *spec = ll_arch_layer ((LlArch *) g_ptr_array_index (archs, i), l);
              const LlParamSpec *ps = &type->params[p];
              g_autofree char *value = ps->type == LL_PARAM_CHOICE
                ? g_strdup (ps->choices[(int) spec->v[p]])
                : ps->type == LL_PARAM_BOOL ? g_strdup (spec->v[p] != 0 ? _("on") : _("off"))
                : format_number (spec->v[p]);
              g_string_append_printf (parts[i], "%s%s %s", parts[i]->len ? ", " : "", label, value);
              g_string_append_printf (sum, "%s%s", i > 0 ? " vs " : "", value);
            }
          any = TRUE;
        }
    }
  return any;

structure:
  g_string_append_printf (sum, "%s%s ", sum->len ? "; " : "", _("layers"));
  for (guint i = 0; i < n; i++)
    {
      const LlArch *a = g_ptr_array_index (archs, i);
      g_autofree char *value = g_strdup_printf (ngettext ("%d layer", "%d layers",
                                                             ll_arch_n_layers (a) - 1),
                                                ll_arch_n_layers (a) - 1);
      g_string_append_printf (parts[i], "%s%s", parts[i]->len ? ", " : "", value);
      g_string_append_printf (sum, "%s%s", i > 0 ? " vs " : "", value);
    }
  return TRUE;
}

char **
ll_run_describe_differences (LlRun *const *runs, guint n, char **summary)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sum = g_string_new (NULL);
  g_autoptr(GArray) keys = difference_keys ();
  GString **parts = g_new0 (GString *, MAX (n, 1));
  char **values = g_new0 (char *, MAX (n, 1));
  gboolean model_differs = FALSE;

  for (guint i = 0; i < n; i++)
    parts[i] = g_string_new (NULL);
  for (guint k = 0; k < keys->len; k++)
    {
      const Key *key = &g_array_index (keys, Key, k);
      const char *name = NULL, *first = NULL;
      gboolean differ = FALSE;

      /* A difference: two runs to which the setting applies disagree. */
      for (guint i = 0; i < n; i++)
        {
          values[i] = describe_key (runs[i], key, &name);
          if (values[i] == NULL)
            continue;
          if (first != NULL && strcmp (values[i], first) != 0)
            differ = TRUE;
          if (first == NULL)
            first = values[i];
        }
      /* Changes while training: one run with some and one without differ too. */
      if (key->kind == KEY_CHANGES)
        for (guint i = 1; i < n; i++)
          differ |= g_strcmp0 (values[i], values[0]) != 0;
      if (differ && key->kind == KEY_MODEL)
        model_differs = TRUE;
      /* Architectures as JSON are unreadable; the model title says enough,
       * and edited stacks of one preset are told apart by the parameters
       * that differ (or their layer counts), else by the run name. */
      if (differ && key->kind == KEY_LAYERS)
        {
          differ = FALSE;
          if (!model_differs && !layer_differences (runs, n, parts, sum))
            for (guint i = 0; i < n; i++)
              g_string_append_printf (parts[i], "%s%s", parts[i]->len ? ", " : "",
                                      runs[i]->name ? runs[i]->name : "run");
        }
      if (differ && key->kind == KEY_CHANGES)
        {
          gboolean any = FALSE;

          /* The changes read as they are, without a name before each. */
          g_string_append_printf (sum, "%s", sum->len ? "; " : "");
          for (guint i = 0; i < n; i++)
            {
              if (values[i] != NULL)
                g_string_append_printf (parts[i], "%s%s", parts[i]->len ? ", " : "", values[i]);
              g_string_append_printf (sum, "%s%s", any ? " vs " : "",
                                      values[i] != NULL ? values[i] : _("no change"));
              any = TRUE;
            }
          differ = FALSE;
        }
      if (differ)
        {
          gboolean any = FALSE;

          g_string_append_printf (sum, "%s%s ", sum->len ? "; " : "", name);
          for (guint i = 0; i < n; i++)
            {
              if (values[i] == NULL)
                continue;
              g_string_append_printf (parts[i], "%s%s %s", parts[i]->len ? ", " : "", name, values[i]);
              g_string_append_printf (sum, "%s%s", any ? " vs " : "", values[i]);
              any = TRUE;
            }
        }
      for (guint i = 0; i < n; i++)
        g_clear_pointer (&values[i], g_free);
    }
  g_free (values);
  for (guint i = 0; i < n; i++)
    if (parts[i]->len == 0)
      g_string_assign (parts[i], runs[i]->name ? runs[i]->name : "run");
  /* No two labels alike: a repeated one says whose it is. */
  for (guint i = 0; i < n; i++)
    {
      gboolean repeated = FALSE;
      for (guint j = 0; j < n && !repeated; j++)
        repeated = j != i && strcmp (parts[i]->str, parts[j]->str) == 0;
      if (repeated && runs[i]->name != NULL && strcmp (parts[i]->str, runs[i]->name) != 0)
        {
          g_autofree char *own = g_strdup_printf ("%s: %s", runs[i]->name, parts[i]->str);
          g_ptr_array_add (labels, g_steal_pointer (&own));
        }
      else
        g_ptr_array_add (labels, g_strdup (parts[i]->str));
    }
  for (guint i = 0; i < n; i++)
    g_string_free (parts[i], TRUE);
  g_free (parts);
  g_ptr_array_add (labels, NULL);
  if (summary != NULL)
    *summary = sum->len ? g_strdup (sum->str) : g_strdup (n > 1 ? _("same settings") : "");
  return (char **) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
}

/* Descriptions -------------------------------------------------------------------- */

char *
ll_run_describe_changes (const LlRun *run)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_return_val_if_fail (run != NULL, NULL);

  for (guint i = 0; i < run->lr_marks->len; i++)
    {
      const LlLrMark *m = &g_array_index (run->lr_marks, LlLrMark, i);
      g_autofree char *value = format_number (m->value);
      g_autofree char *at = g_strdup_printf ("%.1f", m->x);

      if (s->len > 0)
        g_string_append (s, ", ");
      /* Translators: a change made while training, "lr 0.0005 at epoch 2.3". */
      g_string_append_printf (s, m->kind == LL_MARK_DROPOUT ? _("dropout %s at epoch %s")
                                                            : _("lr %s at epoch %s"), value, at);
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

/* "0.5", "0.2 and 0.5" for the Dropout layers of the run's model; NULL when it has none. */
static char *
dropout_rates (const LlRun *run)
{
  g_autoptr(LlArch) arch = run->arch_json != NULL ? ll_arch_from_json (run->arch_json, -1, NULL) : NULL;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; arch != NULL && i < ll_arch_n_layers (arch); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      char *value;
      gboolean dup = FALSE;

      if (spec->type != &ll_layer_dropout)
        continue;
      value = format_number (ll_layer_spec_get (spec, "rate", 0));
      for (guint k = 0; k < seen->len && !dup; k++)
        dup = strcmp (g_ptr_array_index (seen, k), value) == 0;
      if (dup)
        {
          g_free (value);
          continue;
        }
      g_string_append_printf (s, "%s%s", s->len ? "/" : "", value);
      g_ptr_array_add (seen, value);
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

char *
ll_run_describe_settings (const LlRun *run)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *lr = NULL;
  g_autofree char *dropout = NULL;
  g_autofree char *changes = NULL;

  g_return_val_if_fail (run != NULL, NULL);

  lr = format_number (run->config.optim.learning_rate);
  g_string_append_printf (s, _("%s, %s lr %s, batch %d"), run->dataset ? run->dataset : "?",
                          ll_optim_names[run->config.optim.kind], lr, run->config.batch_size);
  dropout = dropout_rates (run);
  if (dropout != NULL)
    g_string_append_printf (s, _(", dropout %s"), dropout);
  g_string_append_printf (s, ngettext (", %d epoch", ", %d epochs", run->config.epochs),
                          run->config.epochs);
  g_string_append_printf (s, _(", seed %" PRIu64), run->config.seed);
  changes = ll_run_describe_changes (run);
  if (changes != NULL)
    g_string_append_printf (s, _("; changed while training: %s"), changes);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
ll_run_describe_result (const LlRun *run)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const LlEpochRecord *last = run->epochs->len > 0
    ? &g_array_index (run->epochs, LlEpochRecord, run->epochs->len - 1) : NULL;

  g_return_val_if_fail (run != NULL, NULL);

  if (isfinite (run->stopped_x))
    {
      /* Stopped inside an epoch: the figures of the part trained. */
      g_string_append_printf (s, _("stopped at epoch %.1f of %d"), run->stopped_x, run->config.epochs);
      g_string_append_printf (s, _(" · loss %.4f, accuracy %.4f (running means of epoch %d so far)"),
                              run->stopped_loss, run->stopped_accuracy, (int) floor (run->stopped_x) + 1);
      if (last != NULL && isfinite (last->val_accuracy))
        g_string_append_printf (s, _(" · val_accuracy %.4f after epoch %d"), last->val_accuracy,
                                last->epoch + 1);
    }
  else
    {
      /* The status as runs.json keeps it, in the reader's language. */
      g_string_append (s, run->status ? g_dpgettext2 (NULL, "run status", run->status) : "");
      g_string_append_printf (s, ngettext (" · %u epoch", " · %u epochs", run->epochs->len),
                              run->epochs->len);
      if (last != NULL)
        g_string_append_printf (s, _(" · loss %.4f, accuracy %.4f"), last->loss, last->accuracy);
      if (last != NULL && isfinite (last->val_accuracy))
        g_string_append_printf (s, _(", val_accuracy %.4f"), last->val_accuracy);
    }
  if (isfinite (run->test_accuracy))
    g_string_append_printf (s, _(" · test accuracy %.4f"), run->test_accuracy);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* One run as a file ------------------------------------------------------------ */

#define RUN_FILE_FORMAT "layerlab-run"

gboolean
ll_run_export (const LlRun *run, GBytes *model, const char *path, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (run != NULL && path != NULL, FALSE);

  json_builder_begin_object (b);
  add_string (b, "format", RUN_FILE_FORMAT);
  add_int (b, "version", RUNS_VERSION);
  /* Float sums depend on the BLAS thread count: replays match with the same one. */
  add_int (b, "n_threads", run->config.n_threads);
  if (model != NULL)
    {
      encoded = g_base64_encode (g_bytes_get_data (model, NULL), g_bytes_get_size (model));
      add_string (b, "model", encoded);
    }
  json_builder_set_member_name (b, "run");
  build_run (b, run);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  if (!ll_json_save (root, LL_JSON_COMPACT, path, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not write the run to %s: %s"), path,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

LlRun *
ll_run_import (const char *path, GBytes **model, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  g_autofree char *format = NULL;
  g_autofree char *encoded = NULL;
  gint64 version;
  LlRun *run;

  g_return_val_if_fail (path != NULL, NULL);

  if (model != NULL)
    *model = NULL;
  root = ll_json_parse_file (path, RUN_FILE_MAX_BYTES, &local);
  if (root == NULL && g_error_matches (local, LL_ERROR, LL_ERROR_FORMAT))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s is not a Layerlab run file: it is %s"),
                   path, local->message);
      return NULL;
    }
  if (root == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  format = o != NULL ? get_string (o, "format") : NULL;
  if (o == NULL || g_strcmp0 (format, RUN_FILE_FORMAT) != 0
      || !json_object_has_member (o, "run"))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s is not a Layerlab run file: export one "
                   "with Export → Ticked Run as File"), path);
      return NULL;
    }
  version = get_int (o, "version", 1, 0, G_MAXINT64);
  if (version > RUNS_VERSION)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s comes from a newer Layerlab; update "
                   "Layerlab to replay it"), path);
      return NULL;
    }
  run = parse_run (json_object_get_member (o, "run"), version, &local);
  if (run == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s is damaged: %s"), path, local->message);
      return NULL;
    }
  encoded = get_string (o, "model");
  if (model != NULL && encoded != NULL)
    {
      gsize len = 0;
      guchar *data = g_base64_decode (encoded, &len);
      *model = g_bytes_new_take (data, len);
    }
  return run;
}
