/* test-run-list.c: runs.json and run files without a display: exact
 * round trips of extreme numbers, and damaged files set aside instead of
 * losing the list or crashing at start-up. */
#include "ll-run-list.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <string.h>

static const double extreme[] = {
  1e-45, 1e-8, 2e-8, 3e-9, 1e38, -0.0, 4.9406564584124654e-324, 2.2250738585072009e-308,
  0.1, 1.0 / 3.0, 1e-79, 0.0, 1e300, 0.999,
};

static gboolean
same_double (double a, double b)
{
  return memcmp (&a, &b, sizeof a) == 0 || (isnan (a) && isnan (b));
}

static void
assert_same (double a, double b, const char *what)
{
  if (!same_double (a, b))
    g_error ("%s: %.17g read back as %.17g", what, a, b);
}

/* A run whose every number is one of the extreme values (rotated by k). */
static LlRun *
extreme_run (guint k)
{
  LlRun *run = ll_run_new ();
  guint n = G_N_ELEMENTS (extreme);
  double v = extreme[k % n];
  double small = v == 0 ? v : fabs (v) <= 1.0 ? fabs (v) : 1e-8;
  double positive = small > 0 ? small : 1e-8;
  LlFitConfig *c = &run->config;

  run->name = g_strdup_printf ("Run %u", k + 1);
  run->model = g_strdup ("MLP é 😀 \"quoted\"\nnext line");
  run->dataset = g_strdup ("mnist");
  run->status = g_strdup ("finished");
  run->arch_json = g_strdup ("{\"layers\": []}");
  c->optim = ll_optim_config_default (LL_OPTIM_NADAM);
  c->optim.learning_rate = positive;
  c->optim.epsilon = positive;
  c->optim.beta_1 = small;
  c->optim.beta_2 = small;
  c->optim.momentum = small;
  c->optim.rho = positive < 1 ? positive : 0.5;
  c->optim.initial_accumulator = small;
  c->validation_split = small;
  c->schedule.factor = positive;
  c->schedule.alpha = small;
  c->early_stopping.min_delta = small;
  c->reduce_lr.min_delta = small;
  c->reduce_lr.min_lr = small;
  c->reduce_lr.factor = positive < 1 ? positive : 0.1;
  c->seed = G_MAXUINT64 - k;
  for (guint e = 0; e < n; e++)
    {
      double w = extreme[(k + e) % n];
      LlEpochRecord r = { (int) e, w, -w, w, NAN, w, w, -w };
      LlBatchPoint p = { w, -w, w };
      LlLrMark m = { w, e % 2 ? LL_MARK_DROPOUT : LL_MARK_LEARNING_RATE, -w };
      g_array_append_val (run->epochs, r);
      g_array_append_val (run->batches, p);
      g_array_append_val (run->lr_marks, m);
    }
  run->test_loss = v;
  run->test_accuracy = -v;
  return run;
}

static void
assert_runs_equal (const LlRun *a, const LlRun *b)
{
  const LlFitConfig *x = &a->config, *y = &b->config;

  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->model, ==, b->model);
  g_assert_cmpstr (a->arch_json, ==, b->arch_json);
  g_assert_cmpint (x->optim.kind, ==, y->optim.kind);
  g_assert_cmpuint (x->seed, ==, y->seed);
  assert_same (x->optim.learning_rate, y->optim.learning_rate, "learning_rate");
  assert_same (x->optim.epsilon, y->optim.epsilon, "epsilon");
  assert_same (x->optim.beta_1, y->optim.beta_1, "beta_1");
  assert_same (x->optim.beta_2, y->optim.beta_2, "beta_2");
  assert_same (x->optim.momentum, y->optim.momentum, "momentum");
  assert_same (x->optim.rho, y->optim.rho, "rho");
  assert_same (x->optim.initial_accumulator, y->optim.initial_accumulator, "initial_accumulator");
  assert_same (x->validation_split, y->validation_split, "validation_split");
  assert_same (x->schedule.factor, y->schedule.factor, "schedule factor");
  assert_same (x->schedule.alpha, y->schedule.alpha, "schedule alpha");
  assert_same (x->early_stopping.min_delta, y->early_stopping.min_delta, "es min_delta");
  assert_same (x->reduce_lr.min_delta, y->reduce_lr.min_delta, "rl min_delta");
  assert_same (x->reduce_lr.min_lr, y->reduce_lr.min_lr, "rl min_lr");
  assert_same (x->reduce_lr.factor, y->reduce_lr.factor, "rl factor");
  assert_same (a->test_loss, b->test_loss, "test_loss");
  assert_same (a->test_accuracy, b->test_accuracy, "test_accuracy");
  g_assert_cmpuint (a->epochs->len, ==, b->epochs->len);
  for (guint e = 0; e < a->epochs->len; e++)
    {
      const LlEpochRecord *ra = &g_array_index (a->epochs, LlEpochRecord, e);
      const LlEpochRecord *rb = &g_array_index (b->epochs, LlEpochRecord, e);
      assert_same (ra->loss, rb->loss, "loss");
      assert_same (ra->accuracy, rb->accuracy, "accuracy");
      assert_same (ra->val_loss, rb->val_loss, "val_loss");
      assert_same (ra->val_accuracy, rb->val_accuracy, "val_accuracy");
      assert_same (ra->lr, rb->lr, "lr");
      assert_same (ra->seconds, rb->seconds, "seconds");
      assert_same (ra->samples_per_s, rb->samples_per_s, "samples_per_s");
    }
  g_assert_cmpuint (a->batches->len, ==, b->batches->len);
  for (guint i = 0; i < a->batches->len; i++)
    {
      const LlBatchPoint *pa = &g_array_index (a->batches, LlBatchPoint, i);
      const LlBatchPoint *pb = &g_array_index (b->batches, LlBatchPoint, i);
      assert_same (pa->x, pb->x, "batch x");
      assert_same (pa->loss, pb->loss, "batch loss");
      assert_same (pa->accuracy, pb->accuracy, "batch accuracy");
    }
  g_assert_cmpuint (a->lr_marks->len, ==, b->lr_marks->len);
  for (guint i = 0; i < a->lr_marks->len; i++)
    {
      const LlLrMark *ma = &g_array_index (a->lr_marks, LlLrMark, i);
      const LlLrMark *mb = &g_array_index (b->lr_marks, LlLrMark, i);
      assert_same (ma->x, mb->x, "mark x");
      assert_same (ma->value, mb->value, "mark value");
      g_assert_cmpint (ma->kind, ==, mb->kind);
    }
}

static void
test_extreme_values (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-run-list-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "runs.json", NULL);
  g_autofree char *run_path = g_build_filename (dir, "one.llrun", NULL);
  g_autoptr(LlRunList) list = ll_run_list_new (path);
  g_autoptr(LlRunList) again = ll_run_list_new (path);
  g_autoptr(GError) error = NULL;
  guint n = G_N_ELEMENTS (extreme);

  for (guint k = 0; k < n; k++)
    ll_run_list_add (list, extreme_run (k));
  g_assert_true (ll_run_list_save (list, &error));
  g_assert_no_error (error);
  g_assert_true (ll_run_list_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ll_run_list_get_n (again), ==, n);
  for (guint k = 0; k < n; k++)
    assert_runs_equal (ll_run_list_get (list, k), ll_run_list_get (again, k));

  /* One run as a file, with a model payload. */
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(LlRun) back = NULL;
      g_autoptr(GBytes) model = NULL;
      g_autoptr(GBytes) payload = g_bytes_new_static ("LLMODEL\n\x01\x02", 10);

      g_assert_true (ll_run_export (ll_run_list_get (list, k), payload, run_path, &error));
      g_assert_no_error (error);
      back = ll_run_import (run_path, &model, &error);
      g_assert_no_error (error);
      assert_runs_equal (ll_run_list_get (list, k), back);
      g_assert_true (g_bytes_equal (model, payload));
    }
  g_unlink (run_path);
  g_unlink (path);
  g_rmdir (dir);
}

/* A runs.json that cannot be read is renamed out of the way: the list
 * starts empty, the message names both files, and the next save does not
 * overwrite what the damaged file held. */
static void
check_set_aside (const char *contents, gsize length, const char *kind, const char *in_message)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-run-list-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "runs.json", NULL);
  g_autoptr(LlRunList) list = ll_run_list_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  g_autofree char *prefix = g_strdup_printf ("runs.json.%s-", kind);
  g_autofree char *aside = NULL;
  const char *entry;

  g_assert_true (g_file_set_contents (path, contents, (gssize) length, NULL));
  ll_run_list_add (list, extreme_run (0));
  g_assert_false (ll_run_list_load (list, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (ll_run_list_get_n (list), ==, 0);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "set aside"));
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, in_message);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  d = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, prefix))
      aside = g_build_filename (dir, entry, NULL);
  g_assert_nonnull (aside);
  g_assert_nonnull (strstr (error->message, aside));
  {
    g_autofree char *kept = NULL;
    gsize kept_len = 0;
    g_assert_true (g_file_get_contents (aside, &kept, &kept_len, NULL));
    g_assert_cmpmem (kept, kept_len, contents, length);
  }

  /* The next start is clean, and saving writes a new file. */
  g_clear_error (&error);
  g_assert_true (ll_run_list_load (list, &error));
  g_assert_no_error (error);
  ll_run_list_add (list, extreme_run (1));
  g_assert_true (ll_run_list_save (list, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ll_test_count_entries (dir), ==, 2);

  g_unlink (aside);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_damaged (void)
{
  static const char *const bad[] = {
    "{\"runs\": [ {\"name\": \"x\", ", "[1, 2, 3]", "{\"runs\": [42]}", "\x89PNG garbage",
    "{\"runs\": 42}", "{\"version\": 1, \"runs\": [{\"epochs\": [{\"loss\": 1e-08.0}]}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    check_set_aside (bad[i], strlen (bad[i]), "damaged", "damaged");
  {
    const char *newer = "{\"version\": 99, \"runs\": []}";
    check_set_aside (newer, strlen (newer), "newer", "newer Layerlab");
  }
}

/* Issue 19: 100,000 levels of nesting crashed json-glib's recursive
 * parser at every start. */
static void
test_deeply_nested (void)
{
  GString *deep = g_string_new ("{\"version\": 1, \"runs\": ");

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  check_set_aside (deep->str, deep->len, "damaged", "nested");
  g_string_free (deep, TRUE);
}

/* A run file nested as deep is refused the same way, without a crash. */
static void
test_deep_run_file (void)
{
  GString *deep = g_string_new ("{\"format\": \"layerlab-run\", \"run\": ");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  path = ll_test_write_temp ("deep.llrun", deep->str, deep->len);
  g_assert_null (ll_run_import (path, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_unlink (path);
  g_string_free (deep, TRUE);
}

/* No "runs.json.XXXXXX" (ll_file_save's temporary file) left in dir. */
static void
assert_only (const char *dir, const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (entry, name))
      g_error ("%s left in %s", entry, dir);
}

/* runs.json (and a CSV export) where a FIFO, a device link or a folder is:
 * the save is refused with a message saying what it is and what to do,
 * the node is left as it was and no temporary file is left; reading it
 * does not block.  A regular runs.json is replaced whole. */
static void
test_save_target_not_a_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-run-list-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "runs.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "history.csv", NULL);
  g_autoptr(LlRun) one = extreme_run (0);
  GStatBuf st;

  for (int kind = 0; kind < 3; kind++)
    {
      g_autoptr(LlRunList) list = ll_run_list_new (path);
      g_autoptr(GError) error = NULL;
      const char *want = kind == 0 ? "is a pipe (FIFO), not a file"
                       : kind == 1 ? "is a device, not a file" : "is a folder, not a file";

      if (kind == 0)
        g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      else if (kind == 1)
        g_assert_cmpint (symlink ("/dev/null", path), ==, 0);
      else
        g_assert_cmpint (g_mkdir (path, 0700), ==, 0);

      g_assert_false (ll_run_list_load (list, &error));      /* refused, not read or blocked on */
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      /* runs.json is not a file the user chose: what to do with it, not "choose a file". */
      g_assert_nonnull (strstr (error->message, want));
      g_assert_nonnull (strstr (error->message, "Move it out of the way"));
      g_assert_null (strstr (error->message, "choose"));
      g_clear_error (&error);
      ll_run_list_add (list, extreme_run (1));
      g_assert_false (ll_run_list_save (list, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      g_assert_nonnull (strstr (error->message, want));
      g_assert_nonnull (strstr (error->message, "Move it out of the way"));
      g_test_message ("%s", error->message);
      g_assert_cmpint (lstat (path, &st), ==, 0);
      g_assert_true (kind == 0 ? S_ISFIFO (st.st_mode) : kind == 1 ? S_ISLNK (st.st_mode)
                                                                   : S_ISDIR (st.st_mode));
      assert_only (dir, "runs.json");
      g_clear_error (&error);

      g_assert_cmpint (kind == 2 ? g_rmdir (path) : g_unlink (path), ==, 0);
    }

  g_assert_cmpint (mkfifo (csv, 0600), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (ll_run_export_csv (one, csv, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "not a regular file"));
    g_assert_cmpint (g_stat (csv, &st), ==, 0);
    g_assert_true (S_ISFIFO (st.st_mode));
    assert_only (dir, "history.csv");
    g_unlink (csv);
  }

  /* Once it is out of the way, the same list saves and reads back. */
  {
    g_autoptr(LlRunList) list = ll_run_list_new (path);
    g_autoptr(LlRunList) back = ll_run_list_new (path);
    g_autoptr(GError) error = NULL;

    ll_run_list_add (list, extreme_run (2));
    g_assert_true (ll_run_list_save (list, &error));
    g_assert_no_error (error);
    g_assert_true (ll_run_list_load (back, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ll_run_list_get_n (back), ==, 1);
    assert_only (dir, "runs.json");
    g_unlink (path);
  }
  g_rmdir (dir);
}

/* Old files ----------------------------------------------------------------- */

static char *
data_file (const char *name)
{
  return g_build_filename (g_getenv ("LL_SOURCE_ROOT"), "tests", "data", name, NULL);
}

/* tests/data/runs-v1.json and run-v1.json were written by Layerlab at
 * commit 0833618 (runs.json version 1: the settings flat, the optimizer,
 * loss, schedule and monitors as enum numbers, the seed as a string). */
static void
check_legacy_runs (LlRunList *list)
{
  LlRun *r;
  const LlFitConfig *c;

  g_assert_cmpuint (ll_run_list_get_n (list), ==, 7);

  r = ll_run_list_get (list, 0);
  c = &r->config;
  g_assert_cmpstr (r->name, ==, "Run 1");
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (c->optim.learning_rate, ==, 0.05);
  g_assert_cmpfloat (c->optim.momentum, ==, 0.9);
  g_assert_true (c->optim.nesterov);
  g_assert_cmpint (c->schedule.kind, ==, LL_SCHEDULE_STEP);
  g_assert_cmpint (c->schedule.step_epochs, ==, 2);
  g_assert_true (c->early_stopping.enabled);
  g_assert_cmpint (c->early_stopping.monitor, ==, LL_MONITOR_VAL_ACCURACY);
  g_assert_cmpfloat (c->early_stopping.min_delta, ==, 0.01);
  g_assert_cmpint (c->early_stopping.patience, ==, 3);
  g_assert_true (c->early_stopping.restore_best_weights);
  g_assert_cmpfloat (c->validation_split, ==, 0.1);
  g_assert_false (c->shuffle);
  g_assert_cmpuint (c->seed, ==, 7);
  g_assert_cmpint (c->epochs, ==, 3);
  g_assert_cmpuint (r->epochs->len, ==, 3);
  g_assert_true (isnan (g_array_index (r->epochs, LlEpochRecord, 0).val_loss));
  g_assert_cmpuint (r->batches->len, ==, 30);
  g_assert_cmpfloat (r->test_accuracy, ==, 0.93);

  r = ll_run_list_get (list, 1);
  c = &r->config;
  g_assert_true (r->selected);
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (c->optim.rho, ==, 0.8);
  g_assert_cmpfloat (c->optim.momentum, ==, 0.5);
  g_assert_true (c->optim.centered);
  g_assert_cmpint (c->loss, ==, LL_LOSS_CATEGORICAL_CROSSENTROPY);
  g_assert_true (c->reduce_lr.enabled);
  g_assert_cmpint (c->reduce_lr.monitor, ==, LL_MONITOR_LOSS);
  g_assert_cmpfloat (c->reduce_lr.factor, ==, 0.2);
  g_assert_cmpint (c->reduce_lr.patience, ==, 4);
  g_assert_cmpfloat (c->reduce_lr.min_delta, ==, 0.001);
  g_assert_cmpfloat (c->reduce_lr.min_lr, ==, 1e-5);
  g_assert_cmpuint (c->seed, ==, G_GUINT64_CONSTANT (18446744073709551557));
  g_assert_cmpint (c->batch_size, ==, 256);

  c = &ll_run_list_get (list, 2)->config;
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_ADAM);
  g_assert_true (c->optim.amsgrad);
  g_assert_cmpfloat (c->optim.beta_2, ==, 0.99);
  g_assert_cmpfloat (c->optim.epsilon, ==, 1e-6);
  g_assert_cmpint (c->schedule.kind, ==, LL_SCHEDULE_COSINE);
  g_assert_cmpfloat (c->schedule.alpha, ==, 0.1);

  c = &ll_run_list_get (list, 3)->config;
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_ADAGRAD);
  g_assert_cmpfloat (c->optim.initial_accumulator, ==, 0.2);
  c = &ll_run_list_get (list, 4)->config;
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_ADADELTA);
  g_assert_cmpfloat (c->optim.rho, ==, 0.95);
  g_assert_cmpfloat (c->optim.learning_rate, ==, 1.0);
  c = &ll_run_list_get (list, 5)->config;
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_NADAM);
  g_assert_cmpint (c->schedule.kind, ==, LL_SCHEDULE_EXPONENTIAL);
  g_assert_cmpfloat (c->schedule.factor, ==, 0.95);
  g_assert_cmpint (c->loss, ==, LL_LOSS_BINARY_CROSSENTROPY);
  c = &ll_run_list_get (list, 6)->config;
  g_assert_cmpint (c->optim.kind, ==, LL_OPTIM_ADAMAX);
  g_assert_cmpint (c->loss, ==, LL_LOSS_MEAN_SQUARED_ERROR);
}

static void
test_legacy_runs (void)
{
  g_autofree char *source = data_file ("runs-v1.json");
  g_autofree char *dir = g_dir_make_tmp ("ll-run-list-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "runs.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(LlRunList) list = ll_run_list_new (path);
  g_autoptr(LlRunList) again = ll_run_list_new (path);
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (source, &text, &len, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "\"version\":1"));
  g_assert_true (g_file_set_contents (path, text, (gssize) len, &error));
  g_assert_true (ll_run_list_load (list, &error));
  g_assert_no_error (error);
  check_legacy_runs (list);

  /* Saved again: the current version, names instead of numbers, same runs. */
  g_assert_true (ll_run_list_save (list, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, &error));
  g_assert_nonnull (strstr (saved, "\"version\":2"));
  g_assert_nonnull (strstr (saved, "\"optimizer\":{\"name\":\"sgd\""));
  g_assert_nonnull (strstr (saved, "\"loss\":\"categorical_crossentropy\""));
  g_assert_nonnull (strstr (saved, "\"seed\":\"18446744073709551557\""));
  g_assert_null (strstr (saved, "\"es_patience\""));
  g_assert_true (ll_run_list_load (again, &error));
  g_assert_no_error (error);
  check_legacy_runs (again);
  for (guint i = 0; i < ll_run_list_get_n (list); i++)
    assert_runs_equal (ll_run_list_get (list, i), ll_run_list_get (again, i));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_legacy_run_file (void)
{
  g_autofree char *source = data_file ("run-v1.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) model = NULL;
  g_autoptr(LlRun) run = ll_run_import (source, &model, &error);

  g_assert_no_error (error);
  g_assert_null (model);
  g_assert_cmpstr (run->name, ==, "Run 2");
  g_assert_cmpint (run->config.optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_true (run->config.optim.centered);
  g_assert_cmpint (run->config.loss, ==, LL_LOSS_CATEGORICAL_CROSSENTROPY);
  g_assert_true (run->config.reduce_lr.enabled);
  g_assert_cmpuint (run->config.seed, ==, G_GUINT64_CONSTANT (18446744073709551557));
}

/* The legend names what differs, from the tables: a hyperparameter only
 * between runs whose optimizer uses it. */
static void
test_differences (void)
{
  g_autoptr(LlRun) a = ll_run_new ();
  g_autoptr(LlRun) b = ll_run_new ();
  g_autoptr(LlRun) c = ll_run_new ();
  LlRun *runs[3] = { a, b, c };
  g_autofree char *summary = NULL;
  g_auto(GStrv) labels = NULL;

  a->name = g_strdup ("Run 1");
  b->name = g_strdup ("Run 2");
  c->name = g_strdup ("Run 3");
  a->config.optim = ll_optim_config_default (LL_OPTIM_RMSPROP);
  b->config.optim = ll_optim_config_default (LL_OPTIM_RMSPROP);
  b->config.optim.rho = 0.5;
  b->config.optim.centered = TRUE;
  labels = ll_run_describe_differences (runs, 2, &summary);
  g_assert_cmpstr (labels[0], ==, "rho 0.9, centered off");
  g_assert_cmpstr (labels[1], ==, "rho 0.5, centered on");
  g_assert_cmpstr (summary, ==, "rho 0.9 vs 0.5; centered off vs on");
  g_clear_pointer (&labels, g_strfreev);
  g_clear_pointer (&summary, g_free);

  /* An Adam run has no rho: it is not a difference of its own. */
  c->config.optim = ll_optim_config_default (LL_OPTIM_ADAM);
  c->config.early_stopping.enabled = TRUE;
  labels = ll_run_describe_differences (runs, 3, &summary);
  g_assert_cmpstr (labels[0], ==, "optimizer rmsprop, rho 0.9, centered off, early stop off");
  g_assert_cmpstr (labels[2], ==, "optimizer adam, early stop on");
  g_clear_pointer (&labels, g_strfreev);
  g_clear_pointer (&summary, g_free);

  /* Nothing differs: the run names. */
  labels = ll_run_describe_differences (runs, 1, &summary);
  g_assert_cmpstr (labels[0], ==, "Run 1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/run-list/extreme-values", test_extreme_values);
  g_test_add_func ("/core/run-list/damaged", test_damaged);
  g_test_add_func ("/core/run-list/deeply-nested", test_deeply_nested);
  g_test_add_func ("/core/run-list/deep-run-file", test_deep_run_file);
  g_test_add_func ("/core/run-list/legacy-runs", test_legacy_runs);
  g_test_add_func ("/core/run-list/legacy-run-file", test_legacy_run_file);
  g_test_add_func ("/core/run-list/differences", test_differences);
  g_test_add_func ("/core/run-list/save-target-not-a-file", test_save_target_not_a_file);
  return g_test_run ();
}
