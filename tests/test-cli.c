/* test-cli.c: the headless command line as scripts and handouts use it:
 * stable names, --json keys, exit codes and one-line errors; sweeps
 * (train --sweep) and the learning-rate range test (lr-find). */
#include "ll-test-util.h"
#include "ll-model-file.h"

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>
#include <math.h>

typedef struct {
  char *out, *err;
  int status;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run (Run *r, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *exe = g_getenv ("LL_LAYERLAB");
  va_list ap;

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (char *) exe);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &r->status, &error);
  g_assert_no_error (error);
  r->status = WIFEXITED (r->status) ? WEXITSTATUS (r->status) : 128 + WTERMSIG (r->status);
}

/* Bad input: non-zero status and exactly one line on stderr, nothing on stdout. */
static void
assert_one_line_error (Run *r, const char *want)
{
  g_assert_cmpint (r->status, !=, 0);
  g_assert_cmpint (r->status, <, 128);
  g_assert_nonnull (strstr (r->err, want));
  g_assert_nonnull (strchr (r->err, '\n'));
  g_assert_cmpstr (strchr (r->err, '\n') + 1, ==, "");
}

static void
test_summary (void)
{
  struct { const char *preset, *total; } cases[] = {
    { "logistic", "Total params: 7,850" },
    { "mlp-sigmoid-100", "Total params: 79,510" },
    { "mlp-128-dropout", "Total params: 101,770" },
    { "mlp-512-512", "Total params: 669,706" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      run (&r, "summary", "--preset", cases[i].preset, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, cases[i].total));
    }
}

static void
test_presets (void)
{
  g_auto(Run) r = { 0 };
  run (&r, "presets", NULL);
  g_assert_cmpint (r.status, ==, 0);
  for (const char *const *n = (const char *const[]) { "logistic", "mlp-sigmoid-100", "mlp-128-dropout",
                                                      "mlp-512-512", "mnist-cnn", "cifar10-cnn", NULL };
       *n != NULL; n++)
    g_assert_nonnull (strstr (r.out, *n));
}

/* `layerlab lessons`: the built-in lessons; lesson files checked. */
static void
test_lessons (void)
{
  g_auto(Run) r = { 0 };
  g_auto(Run) bad = { 0 };
  static const char text[] = "{\"format\": \"layerlab-lesson\", \"version\": 1}";
  g_autofree char *path = ll_test_write_temp ("bad-lesson.json", text, sizeof text - 1);

  run (&r, "lessons", NULL);
  g_assert_cmpint (r.status, ==, 0);
  for (const char *const *n = (const char *const[]) { "tutorial-000", "tutorial-001", "tutorial-002",
                                                      "tutorial-003", "tutorial-004",
                                                      "playground-overfitting", NULL };
       *n != NULL; n++)
    g_assert_nonnull (strstr (r.out, *n));
  run (&bad, "lessons", path, NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "title"));
}

/* Writes a small IDX data set under the official names into a folder. */
static char *
small_data_dir (void)
{
  g_autoptr(LlDataset) train = ll_test_synthetic (600, 28, 28, 1, 10, 1);
  g_autoptr(LlDataset) test = ll_test_synthetic (200, 28, 28, 1, 10, 2);
  g_autofree char *probe = ll_test_write_temp ("probe", "", 0);
  char *dir = g_path_get_dirname (probe);
  const LlDataset *sets[] = { train, test };
  const char *names[] = { "train", "t10k" };

  for (int s = 0; s < 2; s++)
    {
      const LlDataset *ds = sets[s];
      gsize n_img = (gsize) ds->n * 784;
      g_autofree guint8 *img = g_malloc (16 + n_img);
      g_autofree guint8 *lab = g_malloc (8 + ds->n);
      guint32 hi[4] = { GUINT32_TO_BE (0x803), GUINT32_TO_BE (ds->n), GUINT32_TO_BE (28), GUINT32_TO_BE (28) };
      guint32 hl[2] = { GUINT32_TO_BE (0x801), GUINT32_TO_BE (ds->n) };
      g_autofree char *in = g_strdup_printf ("%s-images-idx3-ubyte", names[s]);
      g_autofree char *ln = g_strdup_printf ("%s-labels-idx1-ubyte", names[s]);
      g_autofree char *p1 = NULL, *p2 = NULL;

      memcpy (img, hi, 16);
      memcpy (img + 16, ds->images, n_img);
      memcpy (lab, hl, 8);
      memcpy (lab + 8, ds->labels, ds->n);
      p1 = ll_test_write_temp (in, img, 16 + n_img);
      p2 = ll_test_write_temp (ln, lab, 8 + ds->n);
    }
  return dir;
}

static void
test_train_json_and_save (void)
{
  g_autofree char *dir = small_data_dir ();
  g_autofree char *model = g_build_filename (dir, "cli.llmodel", NULL);
  g_auto(Run) r = { 0 };
  g_auto(Run) e = { 0 };
  g_auto(Run) p = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *images = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  const char *epoch_keys[] = { "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr",
                               "seconds", "samples_per_s" };
  int n_epochs = 0;

  run (&r, "train", "--preset", "mlp-128-dropout", "--dataset", "mnist", "--data-dir", dir,
       "--epochs", "2", "--batch-size", "64", "--optimizer", "sgd", "--learning-rate", "0.05",
       "--validation-split", "0.2", "--seed", "3", "--threads", "1", "--save", model, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (g_strstrip (r.out), "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *o;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      o = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (o, "test_accuracy"))
        {
          g_assert_null (lines[i + 1]);
          g_assert_true (json_object_has_member (o, "test_loss"));
          g_assert_cmpfloat (json_object_get_double_member (o, "test_accuracy"), >, 0.5);
          continue;
        }
      for (gsize k = 0; k < G_N_ELEMENTS (epoch_keys); k++)
        g_assert_true (json_object_has_member (o, epoch_keys[k]));
      g_assert_cmpint (json_object_get_int_member (o, "epoch"), ==, ++n_epochs);
      g_assert_cmpfloat (json_object_get_double_member (o, "lr"), ==, 0.05);
    }
  g_assert_cmpint (n_epochs, ==, 2);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));

  run (&e, "eval", "--model", model, "--data-dir", dir, "--json", NULL);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_nonnull (strstr (e.out, "\"test_accuracy\""));

  /* predict on an IDX image file: one JSON object per image. */
  run (&p, "predict", "--model", model, "--json", images, NULL);
  g_assert_cmpint (p.status, ==, 0);
  {
    g_auto(GStrv) pl = g_strsplit (g_strstrip (p.out), "\n", -1);
    g_assert_cmpint (g_strv_length (pl), ==, 200);
    g_assert_nonnull (strstr (pl[0], "\"label\""));
    g_assert_nonnull (strstr (pl[0], "\"probabilities\""));
    g_assert_nonnull (strstr (pl[0], "\"file\""));
  }
}

static JsonObject *
parse_line (JsonParser *parser, const char *line)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* --sweep: one run per value, every JSON line saying which, a summary at
 * the end; the run whose value is the model's own equals a plain run. */
static void
test_train_sweep (void)
{
  g_autofree char *dir = small_data_dir ();
  g_auto(Run) plain = { 0 };
  g_auto(Run) r = { 0 };
  g_auto(Run) h = { 0 };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) plain_lines = NULL;
  double plain_loss;
  int n_epoch_lines = 0, n_test_lines = 0, n = 0;

#define COMMON "--preset", "mlp-128-dropout", "--dataset", "mnist", "--data-dir", dir, "--epochs", "2", \
               "--batch-size", "64", "--validation-split", "0.2", "--seed", "3", "--threads", "1"
  run (&plain, "train", COMMON, "--json", NULL);
  g_assert_cmpint (plain.status, ==, 0);
  plain_lines = g_strsplit (g_strstrip (plain.out), "\n", -1);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    plain_loss = json_object_get_double_member (parse_line (parser, plain_lines[1]), "loss");
  }

  run (&r, "train", COMMON, "--sweep", "dropout=0.2, 0.5", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (g_strstrip (r.out), "\n", -1);
  n = (int) g_strv_length (lines);
  g_assert_cmpint (n, ==, 2 * (2 + 1) + 1);
  for (int i = 0; i + 1 < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o = parse_line (parser, lines[i]);

      g_assert_cmpstr (json_object_get_string_member (o, "sweep"), ==, "dropout");
      g_assert_cmpstr (json_object_get_string_member (o, "value"), ==, i < 3 ? "0.2" : "0.5");
      if (json_object_has_member (o, "test_accuracy"))
        n_test_lines++;
      else
        n_epoch_lines++;
      /* Dropout 0.2 is the preset's own: the same run as without --sweep. */
      if (i == 1)
        g_assert_cmpfloat (json_object_get_double_member (o, "loss"), ==, plain_loss);
      if (i == 4)
        g_assert_cmpfloat (json_object_get_double_member (o, "loss"), !=, plain_loss);
    }
  g_assert_cmpint (n_epoch_lines, ==, 4);
  g_assert_cmpint (n_test_lines, ==, 2);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = parse_line (parser, lines[n - 1]);
    JsonArray *runs = json_object_get_array_member (o, "runs");
    const char *keys[] = { "value", "label", "status", "epochs", "loss", "accuracy", "val_loss",
                           "val_accuracy", "test_loss", "test_accuracy", "seconds" };

    g_assert_cmpstr (json_object_get_string_member (o, "sweep"), ==, "dropout");
    g_assert_cmpuint (json_array_get_length (runs), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *run = json_array_get_object_element (runs, i);
        for (gsize k = 0; k < G_N_ELEMENTS (keys); k++)
          g_assert_true (json_object_has_member (run, keys[k]));
        g_assert_cmpstr (json_object_get_string_member (run, "status"), ==, "finished");
        g_assert_cmpint (json_object_get_int_member (run, "epochs"), ==, 2);
      }
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (runs, 1), "label"),
                     ==, "dropout 0.5");
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (runs, 0), "loss"),
                       ==, plain_loss);
  }

  /* For people: a table at the end. */
  run (&h, "train", COMMON, "--sweep", "batch_size=32,128", NULL);
  g_assert_cmpint (h.status, ==, 0);
  g_assert_nonnull (strstr (h.out, "Run 2/2: batch 128"));
  g_assert_nonnull (strstr (h.out, "Sweep over batch_size:"));
  g_assert_nonnull (strstr (h.out, "\nbatch 32 "));
  g_assert_nonnull (strstr (h.out, "\nbatch 128 "));
#undef COMMON
}

/* lr-find: the curve, one point per step, and a suggestion. */
static void
test_lr_find (void)
{
  g_autofree char *dir = small_data_dir ();
  g_auto(Run) r = { 0 };
  g_auto(Run) h = { 0 };
  g_auto(GStrv) lines = NULL;
  double prev = 0;
  int n;

  run (&r, "lr-find", "--preset", "logistic", "--dataset", "mnist", "--data-dir", dir, "--batch-size", "8",
       "--steps", "40", "--min-lr", "1e-4", "--max-lr", "10", "--seed", "2", "--threads", "1", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (g_strstrip (r.out), "\n", -1);
  n = (int) g_strv_length (lines);
  g_assert_cmpint (n, >, 10);
  for (int i = 0; i + 1 < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o = parse_line (parser, lines[i]);
      double lr = json_object_get_double_member (o, "lr");

      g_assert_cmpfloat (lr, >, prev);
      g_assert_true (json_object_has_member (o, "loss"));
      prev = lr;
    }
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = parse_line (parser, lines[n - 1]);

    g_assert_cmpint (json_object_get_int_member (o, "points"), ==, n - 1);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "suggested_lr"),
                                    json_object_get_double_member (o, "lowest_loss_lr") / 10, 1e-12);
    g_assert_true (json_object_has_member (o, "steepest_lr"));
  }

  run (&h, "lr-find", "--preset", "logistic", "--dataset", "mnist", "--data-dir", dir, "--batch-size", "8",
       "--steps", "40", "--threads", "1", NULL);
  g_assert_cmpint (h.status, ==, 0);
  g_assert_nonnull (strstr (h.out, "Suggested learning rate: "));
}

static void
test_sweep_and_lr_find_errors (void)
{
  g_autofree char *dir = small_data_dir ();
  g_autofree char *save = g_build_filename (dir, "never.llmodel", NULL);
  struct { const char *a[10]; const char *want; } cases[] = {
    { { "train", "--data-dir", dir, "--sweep", "dropout" }, "KEY=V1,V2" },
    { { "train", "--data-dir", dir, "--sweep", "epochz=1,2" }, "Unknown sweep key" },
    { { "train", "--data-dir", dir, "--sweep", "batch_size=8,x" }, "not a number" },
    { { "train", "--data-dir", dir, "--sweep", "batch_size=8", "--save", save }, "--save" },
    { { "train", "--preset", "logistic", "--data-dir", dir, "--sweep", "dropout=0.1" }, "no Dropout layer" },
    { { "train", "--data-dir", dir, "--sweep", "learning_rate=0.1,1000" }, "lr 1000: The learning rate" },
    { { "lr-find", "--data-dir", dir, "--min-lr", "1", "--max-lr", "0.1" }, "range test" },
    { { "lr-find", "--data-dir", dir, "--steps", "1" }, "at least 2 steps" },
    { { "lr-find", "--preset", "cifar10-cnn", "--dataset", "mnist", "--data-dir", dir }, "Input" },
    { { "lr-find", "--epochs", "3" }, "epochs" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      const char **a = cases[i].a;
      run (&r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], NULL);
      g_test_message ("%s %s %s %s → %d: %s", a[0], a[1], a[2], a[3], r.status, r.err);
      assert_one_line_error (&r, cases[i].want);
      g_assert_cmpstr (r.out, ==, "");
    }
  g_assert_false (g_file_test (save, G_FILE_TEST_EXISTS));
}

/* The loss of each epoch, as --json prints it. */
static char *
epoch_losses (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GString *losses = g_string_new (NULL);

  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *loss = strstr (lines[i], "\"loss\": ");
      if (loss != NULL && strstr (lines[i], "\"epoch\"") != NULL)
        g_string_append_len (losses, loss, strcspn (loss, ","));
    }
  return g_string_free (losses, FALSE);
}

/* --augment digits distorts the training images: another run than
 * without it, the same run again from the same seed. */
static void
test_train_augment (void)
{
  g_autofree char *dir = small_data_dir ();
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) plain = { 0 };
  g_autofree char *la = NULL, *lb = NULL, *lp = NULL;
  const char *common[] = { "train", "--preset", "mlp-128-dropout", "--data-dir", dir,
                           "--epochs", "2", "--seed", "3", "--threads", "1", "--json" };

#define COMMON common[0], common[1], common[2], common[3], common[4], common[5], common[6], \
               common[7], common[8], common[9], common[10], common[11]
  run (&a, COMMON, "--augment", "digits", NULL);
  run (&b, COMMON, "--augment", "digits", NULL);
  run (&plain, COMMON, NULL);
#undef COMMON
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpint (b.status, ==, 0);
  g_assert_cmpint (plain.status, ==, 0);
  la = epoch_losses (a.out);
  lb = epoch_losses (b.out);
  lp = epoch_losses (plain.out);
  g_test_message ("augmented: %s; plain: %s", la, lp);
  g_assert_cmpstr (la, !=, "");
  g_assert_cmpstr (la, ==, lb);
  g_assert_cmpstr (la, !=, lp);
}

/* The 2-D toy data of the Playground, headless: the same JSON lines as
 * the image data sets, the same points from the same seed, and options
 * that say what they are for. */
static void
test_train_toy (void)
{
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) noise = { 0 };
  g_auto(Run) mnist = { 0 };
  const char *last_a, *last_b;

  run (&a, "train", "--preset", "playground-spiral", "--dataset", "spiral", "--epochs", "30",
       "--points", "300", "--noise", "0.1", "--train-ratio", "0.6", "--json", NULL);
  run (&b, "train", "--preset", "playground-spiral", "--dataset", "spiral", "--epochs", "30",
       "--points", "300", "--noise", "0.1", "--train-ratio", "0.6", "--json", NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_nonnull (strstr (a.out, "\"epoch\": 30,"));
  last_a = g_strrstr (a.out, "{\"test_loss\"");
  last_b = g_strrstr (b.out, "{\"test_loss\"");
  g_assert_nonnull (last_a);
  g_assert_nonnull (strstr (last_a, "\"test_accuracy\""));
  g_assert_cmpstr (last_a, ==, last_b);
  for (const char *const *k = (const char *const[]) { "circle", "xor", "gauss", "moons", "spiral3", NULL };
       *k != NULL; k++)
    {
      g_auto(Run) r = { 0 };
      const char *preset = g_str_equal (*k, "spiral3") ? "playground-spiral" : "playground-activations";
      run (&r, "train", "--preset", preset, "--dataset", *k, "--epochs", "1", "--json", NULL);
      if (g_str_equal (*k, "spiral3"))
        g_assert_nonnull (strstr (r.err, "3 classes"));   /* the preset has 2 outputs */
      else
        g_assert_cmpint (r.status, ==, 0);
    }
  run (&noise, "train", "--preset", "playground-spiral", "--dataset", "spiral", "--noise", "0.9", NULL);
  assert_one_line_error (&noise, "--noise");
  run (&mnist, "train", "--dataset", "mnist", "--points", "30", NULL);
  assert_one_line_error (&mnist, "2-D data sets");
}

static void
test_bad_input (void)
{
  g_autofree char *junk = ll_test_write_temp ("junk.llmodel", "not a model at all", 18);
  g_autofree char *dir = small_data_dir ();
  struct { const char *a[8]; const char *want; } cases[] = {
    { { "summary", "--preset", "nope" }, "Unknown preset" },
    { { "summary", "--model", "/nonexistent/x.llmodel" }, "Could not open" },
    { { "summary", "--model", junk }, "not a Layerlab model file" },
    { { "train", "--epochs", "-1", "--data-dir", dir }, "Epochs" },
    { { "train", "--batch-size", "0", "--data-dir", dir }, "Batch size" },
    { { "train", "--optimizer", "adamw", "--data-dir", dir }, "unknown optimizer" },
    { { "train", "--learning-rate", "50", "--data-dir", dir }, "learning rate" },
    { { "train", "--validation-split", "1.5", "--data-dir", dir }, "Validation split" },
    { { "train", "--dataset", "imagenet" }, "imagenet" },
    { { "train", "--preset", "cifar10-cnn", "--dataset", "mnist", "--data-dir", dir }, "Input" },
    { { "predict", "--model", junk }, "image" },
    { { "train", "--no-such-option" }, "no-such-option" },
    { { "train", "--augment", "rainbows", "--data-dir", dir }, "unknown augmentation “rainbows”; choose digits" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      const char **a = cases[i].a;
      run (&r, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
      g_test_message ("%s %s %s → %d: %s", a[0], a[1], a[2], r.status, r.err);
      assert_one_line_error (&r, cases[i].want);
      g_assert_cmpstr (r.out, ==, "");
    }
}

/* The hyperparameter flags come from the table: each sets its setting,
 * a bad value or one the optimizer does not use is an error. */
static void
test_hyper_flags (void)
{
  g_autofree char *dir = small_data_dir ();
  g_autofree char *model = g_build_filename (dir, "flags.llmodel", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_auto(Run) r = { 0 };
  g_auto(Run) r2 = { 0 };
  const LlOptimConfig *o;
  struct { const char *a[10]; const char *want; } bad[] = {
    { { "train", "--momentum", "nan", "--data-dir", dir }, "--momentum takes a number" },
    { { "train", "--learning-rate", "nan", "--data-dir", dir }, "--learning-rate takes a number" },
    { { "train", "--beta-1", "0.9x", "--data-dir", dir }, "--beta-1 takes a number" },
    { { "train", "--nesterov=maybe", "--data-dir", dir }, "true or false" },
    { { "train", "--optimizer", "adam", "--momentum", "0.5", "--data-dir", dir }, "does not apply to adam" },
    { { "train", "--optimizer", "rmsprop", "--rho", "1", "--data-dir", dir }, "Rho must be" },
    { { "train", "--optimizer", "adam", "--beta-2", "1", "--data-dir", dir }, "beta_2 must be" },
  };

  run (&r, "train", "--preset", "logistic", "--dataset", "mnist", "--data-dir", dir, "--epochs", "1",
       "--optimizer", "sgd", "--learning-rate", "1e-8", "--momentum", "0.9", "--nesterov",
       "--threads", "1", "--save", model, NULL);
  g_assert_cmpint (r.status, ==, 0);
  t = ll_model_file_load (model, &error);
  g_assert_no_error (error);
  o = &ll_trainer_get_config (t)->optim;
  g_assert_cmpint (o->kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (o->learning_rate, ==, 1e-8);
  g_assert_cmpfloat (o->momentum, ==, 0.9);
  g_assert_true (o->nesterov);
  g_clear_pointer (&t, ll_trainer_free);

  run (&r2, "train", "--model", model, "--data-dir", dir, "--epochs", "1", "--optimizer", "rmsprop",
       "--rho", "0.5", "--centered=true", "--epsilon", "1e-79", "--threads", "1", "--save", model, NULL);
  g_assert_cmpint (r2.status, ==, 0);
  t = ll_model_file_load (model, &error);
  g_assert_no_error (error);
  o = &ll_trainer_get_config (t)->optim;
  g_assert_cmpint (o->kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (o->rho, ==, 0.5);
  g_assert_cmpfloat (o->epsilon, ==, 1e-79);
  g_assert_true (o->centered);
  g_assert_cmpfloat (o->learning_rate, ==, 0.001);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(Run) b = { 0 };
      const char **a = bad[i].a;
      run (&b, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
      g_test_message ("%s %s %s → %d: %s", a[0], a[1], a[2], b.status, b.err);
      g_assert_cmpint (b.status, ==, 2);
      assert_one_line_error (&b, bad[i].want);
    }
  g_unlink (model);
}

/* Issue 13, item 9: a Keras-style architecture without "activation" is a
 * linear Dense, and without settings it trains as Keras' compile() would,
 * with RMSprop. */
static void
test_keras_defaults (void)
{
  const char *json = "{\"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"height\": 28, "
                     "\"width\": 28}}, {\"class_name\": \"Flatten\"}, {\"class_name\": \"Dense\", "
                     "\"config\": {\"units\": 10}}]}";
  g_autofree char *arch = ll_test_write_temp ("keras-style.json", json, strlen (json));
  g_autofree char *dir = small_data_dir ();
  g_autofree char *script = g_build_filename (dir, "keras-style.py", NULL);
  g_autofree char *model = g_build_filename (dir, "keras-style.llmodel", NULL);
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_auto(Run) r = { 0 };
  g_auto(Run) e = { 0 };

  run (&e, "export", "--model", arch, "--format", "keras", "--output", script, NULL);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_true (g_file_get_contents (script, &code, NULL, &error));
  g_assert_nonnull (strstr (code, "    layers.Dense(10),\n"));
  g_assert_null (strstr (code, "relu"));
  g_assert_nonnull (strstr (code, "optimizer=keras.optimizers.RMSprop(learning_rate=0.001),"));

  run (&r, "train", "--model", arch, "--data-dir", dir, "--epochs", "1", "--threads", "1",
       "--save", model, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "rmsprop"));
  t = ll_model_file_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ll_trainer_get_config (t)->optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpstr (ll_layer_spec_get_choice (ll_arch_layer (ll_model_get_arch (ll_trainer_get_model (t)), 2),
                                             "activation"), ==, "linear");
  g_unlink (script);
  g_unlink (model);
}

/* Imported models: an ONNX export read back by summary and export (a
 * conversion), and foreign files refused with one line. */
static void
test_import (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-cli-import-XXXXXX", NULL);
  g_autofree char *onnx = g_build_filename (dir, "cnn.onnx", NULL);
  g_autofree char *again = g_build_filename (dir, "again.onnx", NULL);
  g_autofree char *bad_onnx = ll_test_write_temp ("bad.onnx", "\x08\x07\x12\xff", 4);
  g_autofree char *bad_h5 = ll_test_write_temp ("bad.h5", "\x89HDF\r\n\x1a\n garbage", 17);
  g_autofree char *bad_keras = ll_test_write_temp ("bad.keras", "PK\x03\x04 truncated", 14);

  {
    g_auto(Run) r = { 0 };
    run (&r, "export", "--preset", "mnist-cnn", "--format", "onnx", "--output", onnx, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, "summary", "--model", onnx, NULL);
    g_assert_cmpint (r.status, ==, 0);
    /* The export leaves Dropout out; the weights are all there. */
    g_assert_nonnull (strstr (r.out, "Total params: 225,034"));
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, "export", "--model", onnx, "--format", "onnx", "--output", again, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_file_test (again, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, "train", "--model", onnx, "--epochs", "1", "--data-dir", "/nonexistent", NULL);
    /* No data here: the model loaded, then the data set was not found. */
    assert_one_line_error (&r, "mnist");
  }
  for (int i = 0; i < 3; i++)
    {
      const char *bad = i == 0 ? bad_onnx : i == 1 ? bad_h5 : bad_keras;
      const char *want = i == 0 ? "ONNX" : i == 1 ? "HDF5" : ".keras";
      g_auto(Run) r = { 0 };
      run (&r, "summary", "--model", bad, NULL);
      g_test_message ("%s → %d: %s", bad, r.status, r.err);
      assert_one_line_error (&r, want);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpstr (r.out, ==, "");
    }
  ll_test_remove_tree (dir);
}

/* The JSON of `layerlab explain` for one image of an IDX file. */
static JsonObject *
explain_json (JsonParser *parser, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) r = { 0 };
  const char *exe = g_getenv ("LL_LAYERLAB");
  va_list ap;

  g_ptr_array_add (argv, (char *) exe);
  g_ptr_array_add (argv, (char *) "explain");
  g_ptr_array_add (argv, (char *) "--json");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &r.status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_true (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0);
  /* One object on one line. */
  g_assert_nonnull (strchr (r.out, '\n'));
  g_assert_cmpstr (strchr (r.out, '\n') + 1, ==, "");
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static double
member_double (JsonObject *o, const char *key)
{
  g_assert_true (json_object_has_member (o, key));
  return json_object_get_double_member (o, key);
}

/* Checks the arithmetic written in the JSON: products, their sum, the
 * bias, the activation and the engine's value. */
static void
check_weighted_sum (JsonObject *o)
{
  JsonArray *inputs = json_object_get_array_member (o, "inputs");
  JsonArray *weights = json_object_get_array_member (o, "weights");
  JsonArray *products = json_object_get_array_member (o, "products");
  double sum = 0, pre, value, engine;
  const char *act = json_object_get_string_member (o, "activation");

  g_assert_cmpuint (json_array_get_length (weights), ==, json_array_get_length (inputs));
  for (guint i = 0; i < json_array_get_length (inputs); i++)
    {
      double p = json_array_get_double_element (products, i);
      g_assert_cmpfloat_with_epsilon (p, json_array_get_double_element (inputs, i)
                                         * json_array_get_double_element (weights, i), 1e-7);
      sum += p;
    }
  g_assert_cmpfloat_with_epsilon (sum, member_double (o, "sum"), 1e-6);
  pre = member_double (o, "pre_activation");
  g_assert_cmpfloat_with_epsilon (pre, sum + (json_object_get_null_member (o, "bias")
                                              ? 0.0 : member_double (o, "bias")), 1e-6);
  value = member_double (o, "value");
  engine = json_object_get_double_member (json_object_get_object_member (o, "engine"), "value");
  g_assert_cmpfloat_with_epsilon (value, engine, 1e-5);
  if (g_strcmp0 (act, "relu") == 0)
    g_assert_cmpfloat_with_epsilon (value, MAX (pre, 0.0), 1e-6);
  else if (g_strcmp0 (act, "linear") == 0)
    g_assert_cmpfloat_with_epsilon (value, pre, 1e-6);
}

static void
test_explain (void)
{
  g_autofree char *dir = small_data_dir ();
  g_autofree char *images = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  g_autofree char *image5 = g_strconcat (images, ":5", NULL);
  g_autoptr(LlDataset) ds = ll_test_synthetic (200, 28, 28, 1, 10, 2);   /* the file's images */
  const guint8 *pixels = ds->images + 5 * 784;

  /* Conv2D of the shipped digit model: the window's inputs are image 5's
   * pixels scaled to 0–1, in kernel order. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = explain_json (parser, "--input", image5, "--layer", "conv2d", "--unit", "3,4,1", NULL);
    JsonArray *window = json_object_get_array_member (o, "window");
    JsonArray *inputs = json_object_get_array_member (o, "inputs");
    int y0 = (int) json_array_get_int_element (json_array_get_array_element (window, 0), 0);
    int x0 = (int) json_array_get_int_element (json_array_get_array_element (window, 1), 0);
    int k = (int) json_object_get_int_member (o, "window_size");

    g_assert_cmpstr (json_object_get_string_member (o, "layer"), ==, "conv2d");
    g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "Conv2D");
    g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (o, "unit"), 2), ==, 1);
    g_assert_cmpint (json_object_get_int_member (o, "image"), ==, 5);
    g_assert_cmpint (y0, ==, 3 * json_object_get_int_member (o, "strides"));
    g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (window, 1), 1), ==, x0 + k);
    g_assert_cmpuint (json_array_get_length (inputs), ==, (guint) (k * k));
    for (int t = 0; t < k * k; t++)
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (inputs, t),
                                      pixels[(y0 + t / k) * 28 + x0 + t % k] / 255.0, 1e-6);
    check_weighted_sum (o);
  }
  /* A Dense unit (--unit I) ending in softmax: the logits and shares. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = explain_json (parser, "--preset", "logistic", "--seed", "4", "--input", image5,
                                  "--layer", "dense", "--unit", "7", NULL);
    JsonArray *shares = json_object_get_array_member (o, "shares");
    double total = 0;

    g_assert_cmpstr (json_object_get_string_member (o, "activation"), ==, "softmax");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "logits")), ==, 10);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "inputs")), ==, 784);
    g_assert_cmpstr (json_object_get_string_member (o, "parameter_arithmetic"), ==, "784·10 + 10 = 7,850");
    for (guint i = 0; i < 10; i++)
      total += json_array_get_double_element (shares, i);
    g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-9);
    g_assert_cmpfloat (member_double (o, "value"), ==, json_array_get_double_element (shares, 7));
    g_assert_cmpfloat_with_epsilon (member_double (o, "pre_activation"),
                                    json_array_get_double_element (json_object_get_array_member (o, "logits"), 7),
                                    1e-5);
    check_weighted_sum (o);
  }
  /* Max pooling: no weights; the value is the largest input. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = explain_json (parser, "--preset", "mnist-cnn", "--seed", "2", "--input", image5,
                                  "--layer", "max_pooling2d", "--unit", "5,6,3", NULL);
    JsonArray *inputs = json_object_get_array_member (o, "inputs");
    double best = -INFINITY;

    g_assert_false (json_object_has_member (o, "weights"));
    for (guint i = 0; i < json_array_get_length (inputs); i++)
      best = MAX (best, json_array_get_double_element (inputs, i));
    g_assert_cmpfloat (member_double (o, "value"), ==, best);
    g_assert_cmpfloat (best, ==, json_array_get_double_element (inputs, json_object_get_int_member (o, "winner")));
  }
  /* Training mode: this step's dropout mask. */
  for (int u = 0; u < 4; u++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *unit = g_strdup_printf ("%d", u);
      JsonObject *o = explain_json (parser, "--preset", "mlp-128-dropout", "--seed", "1", "--input",
                                    image5, "--training", "--batch", "8", "--layer", "dropout",
                                    "--unit", unit, NULL);
      double mask = member_double (o, "mask");

      g_assert_cmpstr (json_object_get_string_member (o, "mode"), ==, "training");
      g_assert_true (mask == 0.0 || fabs (mask - 1.25) < 1e-6);
      g_assert_true (json_object_get_boolean_member (o, "kept") == (mask != 0.0));
      g_assert_cmpfloat_with_epsilon (member_double (o, "value"), member_double (o, "x") * mask, 1e-6);
    }
  /* Text: the shape and parameter arithmetic written out. */
  {
    g_auto(Run) r = { 0 };
    run (&r, "explain", "--preset", "mnist-cnn", "--input", image5, "--layer", "conv2d",
         "--unit", "0,0,0", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "(28 − 3) / 1 + 1 = 26"));
    g_assert_nonnull (strstr (r.out, "3·3·1·32 + 32 = 320"));
  }
}

static void
test_explain_errors (void)
{
  g_autofree char *dir = small_data_dir ();
  g_autofree char *images = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  g_autofree char *image500 = g_strconcat (images, ":500", NULL);
  struct { const char *a[8]; const char *want; } cases[] = {
    { { "--input", images, "--layer", "conv2d" }, "--unit" },
    { { "--input", images, "--layer", "conv2d", "--unit", "1,2" }, "row, column, channel" },
    { { "--input", images, "--layer", "conv2d", "--unit", "a,b,c" }, "not a unit" },
    { { "--input", images, "--layer", "conv2d", "--unit", "0,99,0" }, "outside" },
    { { "--input", images, "--layer", "nope", "--unit", "0" }, "no layer" },
    { { "--input", image500, "--layer", "conv2d", "--unit", "0,0,0" }, "0 to 199" },
    { { "--input", "/nonexistent.idx", "--layer", "conv2d", "--unit", "0,0,0" }, "nonexistent" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) r = { 0 };
      const char **a = cases[i].a;
      run (&r, "explain", a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
      g_test_message ("explain %s %s → %d: %s", a[2], a[3], r.status, r.err);
      assert_one_line_error (&r, cases[i].want);
      g_assert_cmpstr (r.out, ==, "");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli/summary", test_summary);
  g_test_add_func ("/app/cli/presets", test_presets);
  g_test_add_func ("/app/cli/lessons", test_lessons);
  g_test_add_func ("/app/cli/train-json-and-save", test_train_json_and_save);
  g_test_add_func ("/app/cli/train-augment", test_train_augment);
  g_test_add_func ("/app/cli/bad-input", test_bad_input);
  g_test_add_func ("/app/cli/train-toy", test_train_toy);
  g_test_add_func ("/app/cli/train-sweep", test_train_sweep);
  g_test_add_func ("/app/cli/lr-find", test_lr_find);
  g_test_add_func ("/app/cli/sweep-and-lr-find-errors", test_sweep_and_lr_find_errors);
  g_test_add_func ("/app/cli/hyper-flags", test_hyper_flags);
  g_test_add_func ("/app/cli/keras-defaults", test_keras_defaults);
  g_test_add_func ("/app/cli/import", test_import);
  g_test_add_func ("/app/cli/explain", test_explain);
  g_test_add_func ("/app/cli/explain-errors", test_explain_errors);
  return g_test_run ();
}
