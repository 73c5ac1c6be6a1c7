/* ll-cli.c: headless commands for scripts and classroom handouts.
 *
 *   layerlab train   [--preset NAME | --model FILE] [--dataset NAME] [--data-dir DIR] ...
 *   layerlab eval    --model FILE [--dataset NAME] [--data-dir DIR] [--json]
 *   layerlab predict [--model FILE] [--json] IMAGE.png|IMAGES.idx ...
 *   layerlab summary [--preset NAME | --model FILE]
 *   layerlab presets
 *   layerlab export  --model FILE --format c|keras|pytorch --output PATH [--name PREFIX]
 *   layerlab datasets [--download NAME [--base-url URL]]
 *   layerlab explain [--model FILE | --preset NAME] --input IMAGES.idx[:N] --layer NAME --unit Y,X,C
 *
 * --model FILE opens a Layerlab .llmodel, an ONNX model or a Keras .h5 or
 * .keras file alike (ll_model_open_any).  The option names are stable:
 * handouts depend on them. */
#include "ll-cli.h"
#include "ll-cli-private.h"

#include "ll-augment.h"
#include "ll-dataset.h"
#include "ll-evaluate.h"
#include "ll-digit.h"
#include "ll-gemm.h"
#include "ll-import.h"
#include "ll-json.h"
#include "ll-model-file.h"
#include "ll-picture.h"
#include "ll-shipped-model.h"
#include "ll-presets.h"
#include "ll-trainer.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#define NOT_GIVEN G_MININT

typedef struct {
  char *preset, *model, *dataset, *data_dir, *optimizer, *save, *loss, *augment;
  int epochs, batch_size, seed, threads;
  double learning_rate, validation_split;
  gboolean json, no_shuffle;
  char **files;
} Options;

static LlFitControl *sigint_control;

static void
on_sigint (int sig)
{
  if (sigint_control != NULL)
    g_atomic_int_set (&sigint_control->cancel, 1);
}

static void
options_clear (Options *o)
{
  g_free (o->preset);
  g_free (o->model);
  g_free (o->dataset);
  g_free (o->data_dir);
  g_free (o->optimizer);
  g_free (o->save);
  g_free (o->loss);
  g_free (o->augment);
  g_strfreev (o->files);
}

static int
fail (const char *command, const GError *error)
{
  fprintf (stderr, "layerlab %s: %s\n", command, error->message);
  return error->domain == G_OPTION_ERROR || error->code == LL_ERROR_INVALID
         || error->code == LL_ERROR_NOT_FOUND || error->code == LL_ERROR_FORMAT
         || error->code == LL_ERROR_DATA || error->code == LL_ERROR_SHAPE || error->code == LL_ERROR_IO ? 2 : 1;
}

static gboolean
parse (const char *command, int argc, char **argv, Options *o, const char *params,
       gboolean training, GError **error)
{
  GOptionEntry common[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &o->preset, "Start from a preset model (see `layerlab presets`)", "NAME" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o->model, "A model: .llmodel, .onnx, Keras .h5 or .keras", "FILE" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &o->dataset, "mnist, fashion-mnist or cifar10", "NAME" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->data_dir, "Folder holding the data set's files under their official names", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print one JSON object per line", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, "OpenBLAS threads (default: all cores)", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, "FILE…" },
    { NULL }
  };
  GOptionEntry train[] = {
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &o->epochs, "Epochs to train", "N" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &o->batch_size, "Samples per update (Keras default 32)", "N" },
    { "optimizer", 'o', 0, G_OPTION_ARG_STRING, &o->optimizer, "sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam", "NAME" },
    { "learning-rate", 'l', 0, G_OPTION_ARG_DOUBLE, &o->learning_rate, "Learning rate (default: the optimizer's Keras default)", "X" },
    { "validation-split", 'v', 0, G_OPTION_ARG_DOUBLE, &o->validation_split, "Fraction of the training data held out, taken from its end", "X" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &o->seed, "Random seed for weights, shuffling and dropout", "N" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &o->loss, "sparse_categorical_crossentropy (default), categorical_crossentropy, binary_crossentropy, mean_squared_error", "NAME" },
    { "no-shuffle", 0, 0, G_OPTION_ARG_NONE, &o->no_shuffle, "Keep the data order in every epoch", NULL },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &o->save, "Save the trained model (written atomically)", "FILE" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &o->augment, "Distort the training images at random (not the validation or test images): digits", "NAME" },
    { NULL }
  };
  g_autofree char *name = g_strdup_printf ("layerlab %s", command);
  g_autoptr(GOptionContext) ctx = g_option_context_new (params);

  /* Sentinels no user can type, so that "--epochs -1" reaches validation. */
  o->epochs = o->batch_size = o->seed = NOT_GIVEN;
  o->learning_rate = NAN;
  o->validation_split = NAN;
  g_set_prgname (name);
  g_option_context_add_main_entries (ctx, common, NULL);
  if (training)
    g_option_context_add_main_entries (ctx, train, NULL);
  return g_option_context_parse (ctx, &argc, &argv, error);
}

/* The trainer for --model or --preset (weights from the seed). */
static LlTrainer *
load_trainer (const Options *o, const char **dataset, GError **error)
{
  if (o->model != NULL && o->preset != NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "give either --model or --preset, not both");
      return NULL;
    }
  if (o->model != NULL && g_str_has_suffix (o->model, ".json"))
    {
      /* An architecture alone ({"layers": [...]}, as in a model file):
       * new weights from the seed, Keras' default settings (Adam). */
      g_autofree char *text = NULL;
      gsize len = 0;
      g_autoptr(LlArch) arch = NULL;
      LlFitConfig cfg;
      LlModel *model;
      LlTrainer *t;

      if (!g_file_get_contents (o->model, &text, &len, error)
          || !(arch = ll_arch_from_json (text, (gssize) len, error))
          || !(model = ll_model_new (arch, error)))
        return NULL;
      ll_fit_config_init (&cfg);
      if (o->seed >= 0)
        cfg.seed = (guint64) o->seed;
      t = ll_trainer_new (model, &cfg);
      ll_fit_config_clear (&cfg);
      ll_trainer_reset (t);
      if (*dataset == NULL)
        *dataset = ll_model_input_shape (model).d[2] == 3 ? "cifar10" : "mnist";
      return t;
    }
  if (o->model != NULL)
    {
      LlTrainer *t = ll_model_open_any (o->model, error);
      if (t != NULL && *dataset == NULL)
        {
          LlShape in = ll_model_input_shape (ll_trainer_get_model (t));
          *dataset = in.d[2] == 3 ? "cifar10" : "mnist";
        }
      return t;
    }
  {
    LlFitConfig cfg;
    const char *name = o->preset != NULL ? o->preset : "mlp-128-dropout";
    g_autoptr(LlArch) arch = ll_preset_build (name, &cfg, error);
    LlModel *model;
    LlTrainer *t;

    if (arch == NULL)
      return NULL;
    if (o->seed != NOT_GIVEN)
      cfg.seed = (guint64) o->seed;
    model = ll_model_new (arch, error);
    if (model == NULL)
      {
        ll_fit_config_clear (&cfg);
        return NULL;
      }
    t = ll_trainer_new (model, &cfg);
    ll_fit_config_clear (&cfg);
    ll_trainer_reset (t);
    if (*dataset == NULL)
      *dataset = ll_preset_lookup (name)->dataset;
    return t;
  }
}

static gboolean
apply_options (LlTrainer *t, const Options *o, GError **error)
{
  LlFitConfig cfg;
  gboolean ok;

  ll_fit_config_copy (&cfg, ll_trainer_get_config (t));
  if (o->optimizer != NULL)
    {
      LlOptimKind kind;
      if (!ll_optim_kind_from_name (o->optimizer, &kind))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       "unknown optimizer “%s”; choose sgd, rmsprop, adagrad, adadelta, adam, adamax or nadam",
                       o->optimizer);
          ll_fit_config_clear (&cfg);
          return FALSE;
        }
      cfg.optim = ll_optim_config_default (kind);
    }
  if (o->loss != NULL && !ll_loss_kind_from_name (o->loss, &cfg.loss))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "unknown loss “%s”", o->loss);
      ll_fit_config_clear (&cfg);
      return FALSE;
    }
  if (!isnan (o->learning_rate))
    cfg.optim.learning_rate = o->learning_rate;
  if (o->epochs != NOT_GIVEN)
    cfg.epochs = o->epochs;
  if (o->batch_size != NOT_GIVEN)
    cfg.batch_size = o->batch_size;
  if (!isnan (o->validation_split))
    cfg.validation_split = o->validation_split;
  if (o->seed != NOT_GIVEN)
    cfg.seed = (guint64) o->seed;
  if (o->seed != NOT_GIVEN && o->seed < 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "--seed must be 0 or more (got %d)", o->seed);
      ll_fit_config_clear (&cfg);
      return FALSE;
    }
  if (o->no_shuffle)
    cfg.shuffle = FALSE;
  if (o->threads > 0)
    cfg.n_threads = o->threads;
  ok = ll_trainer_set_config (t, &cfg, error);
  ll_fit_config_clear (&cfg);
  return ok;
}

/* Prints the object b holds as one JSON line (--json). */
static void
print_json_line (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *line = ll_json_to_string (root, LL_JSON_LINE);

  puts (line);
  fflush (stdout);
}

typedef struct {
  gboolean json, tty;
  int epochs, first_epoch;
  gint64 last_print;
  const LlAugment *augment;
} Progress;

static void
augment_batch (float *x, int n, int height, int width, int channels, LlRng *rng, gpointer data)
{
  ll_augment_batch (((Progress *) data)->augment, rng, x, n, height, width, channels);
}

static void
on_batch (const LlBatchEvent *ev, gpointer data)
{
  Progress *p = data;
  gint64 now = g_get_monotonic_time ();
  int width = 30, done;

  if (p->json || (!p->tty && ev->batch + 1 < ev->n_batches))
    return;
  if (ev->batch + 1 < ev->n_batches && now - p->last_print < 100000)
    return;
  p->last_print = now;
  done = (int) ((double) (ev->batch + 1) / ev->n_batches * width);
  printf ("\r%5d/%d [", ev->batch + 1, ev->n_batches);
  for (int i = 0; i < width; i++)
    putchar (i < done ? '=' : (i == done ? '>' : '.'));
  printf ("] - %.0fs - loss: %.4f - accuracy: %.4f - %.0f samples/s ",
          ev->epoch_seconds, ev->loss, ev->accuracy, ev->samples_per_s);
  fflush (stdout);
}

static void
on_epoch (const LlEpochRecord *r, gpointer data)
{
  Progress *p = data;

  if (p->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ll_json_builder_member_int (b, "epoch", r->epoch + 1);
      ll_json_builder_member_double (b, "loss", r->loss);
      ll_json_builder_member_double (b, "accuracy", r->accuracy);
      ll_json_builder_member_double (b, "val_loss", r->val_loss);
      ll_json_builder_member_double (b, "val_accuracy", r->val_accuracy);
      ll_json_builder_member_double (b, "lr", r->lr);
      ll_json_builder_member_double (b, "seconds", r->seconds);
      ll_json_builder_member_double (b, "samples_per_s", r->samples_per_s);
      json_builder_end_object (b);
      print_json_line (b);
      return;
    }
  if (!isnan (r->val_loss))
    printf ("- val_loss: %.4f - val_accuracy: %.4f", r->val_loss, r->val_accuracy);
  printf ("\n");
  if (r->epoch + 1 < p->first_epoch + p->epochs)
    printf ("Epoch %d/%d\n", r->epoch + 2 - p->first_epoch, p->epochs);
  fflush (stdout);
}

static int
cmd_train (int argc, char **argv)
{
  Options o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_autoptr(LlDataset) train = NULL;
  g_autoptr(LlDataset) test = NULL;
  const char *dataset = NULL;
  LlFitControl control = { 0 };
  LlFitCallbacks cb = { on_batch, on_epoch, NULL, ll_model_file_save_with };
  Progress progress = { 0 };
  gboolean ok;
  int status = 0;

  if (!parse ("train", argc, argv, &o, "- train a model headless", TRUE, &error))
    goto out;
  if (o.augment != NULL && !(progress.augment = ll_augment_lookup (o.augment)))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) ll_augment_names ());
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, "unknown augmentation “%s”; choose %s",
                   o.augment, names);
      goto out;
    }
  if (progress.augment != NULL)
    cb.transform_batch = augment_batch;
  dataset = o.dataset;
  if (!(t = load_trainer (&o, &dataset, &error)) || !apply_options (t, &o, &error))
    goto out;
  if (!(train = ll_dataset_load_named (dataset, o.data_dir, FALSE, &error)))
    goto out;
  test = ll_dataset_load_named (dataset, o.data_dir, TRUE, NULL);
  if (!ll_model_check_dataset (ll_trainer_get_model (t), train, &error)
      || !ll_fit_config_validate (ll_trainer_get_config (t), &error))
    goto out;

  progress.json = o.json;
  progress.tty = isatty (STDOUT_FILENO);
  progress.epochs = ll_trainer_get_config (t)->epochs;
  progress.first_epoch = (int) ll_trainer_get_history (t)->len;
  if (!o.json)
    printf ("Training on %d %s images%s%s, %s, batch %d\nEpoch 1/%d\n", train->n, train->name,
            ll_trainer_get_config (t)->validation_split > 0 ? " (with a validation split)" : "",
            progress.augment != NULL ? ", augmented" : "",
            ll_optim_names[ll_trainer_get_config (t)->optim.kind],
            ll_trainer_get_config (t)->batch_size, progress.epochs);

  sigint_control = &control;
  signal (SIGINT, on_sigint);
  ok = ll_trainer_fit (t, train, NULL, &cb, &progress, &control, &error);
  signal (SIGINT, SIG_DFL);
  sigint_control = NULL;
  if (!ok)
    {
      if (!o.json)
        printf ("\n");
      if (!g_error_matches (error, LL_ERROR, LL_ERROR_CANCELLED))
        goto out;
      fprintf (stderr, "layerlab train: %s\n", error->message);
      g_clear_error (&error);
      status = 130;
    }

  if (test != NULL && status == 0)
    {
      double loss, acc;
      if (!ll_model_evaluate (ll_trainer_get_model (t), ll_trainer_get_config (t)->loss, test,
                              256, &loss, &acc, &error))
        goto out;
      if (o.json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          ll_json_builder_member_double (b, "test_loss", loss);
          ll_json_builder_member_double (b, "test_accuracy", acc);
          json_builder_end_object (b);
          print_json_line (b);
        }
      else
        printf ("Test: loss %.4f - accuracy %.4f (%d images)\n", loss, acc, test->n);
    }
  else if (test == NULL && !o.json)
    printf ("No test split of %s found; skipped the test evaluation.\n", dataset);

  if (o.save != NULL && status != 0)
    fprintf (stderr, "layerlab train: not saving %s: training was interrupted mid-epoch\n", o.save);
  else if (o.save != NULL && !ll_model_file_save (t, o.save, &error))
    goto out;
  else if (o.save != NULL && !o.json)
    printf ("Saved %s\n", o.save);

out:
  if (error != NULL)
    status = fail ("train", error);
  options_clear (&o);
  return status;
}

static int
cmd_eval (int argc, char **argv)
{
  Options o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_autoptr(LlDataset) test = NULL;
  const char *dataset = NULL;
  double loss, acc;
  int status = 0;

  if (!parse ("eval", argc, argv, &o, "- evaluate a model on a test set", FALSE, &error))
    goto out;
  dataset = o.dataset;
  if (!(t = load_trainer (&o, &dataset, &error)))
    goto out;
  if (o.threads > 0)
    ll_gemm_set_threads (o.threads);
  if (!(test = ll_dataset_load_named (dataset, o.data_dir, TRUE, &error)))
    goto out;
  if (!ll_model_evaluate (ll_trainer_get_model (t), ll_trainer_get_config (t)->loss, test, 256,
                          &loss, &acc, &error))
    goto out;
  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ll_json_builder_member_double (b, "test_loss", loss);
      ll_json_builder_member_double (b, "test_accuracy", acc);
      ll_json_builder_member_int (b, "n", test->n);
      json_builder_end_object (b);
      print_json_line (b);
    }
  else
    printf ("%s test set: loss %.4f - accuracy %.4f (%d images)\n", test->name, loss, acc, test->n);

out:
  if (error != NULL)
    status = fail ("eval", error);
  options_clear (&o);
  return status;
}

static int
cmd_summary (int argc, char **argv)
{
  Options o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  const char *dataset = NULL;
  int status = 0;

  if (!parse ("summary", argc, argv, &o, "- print the Keras-style model summary", FALSE, &error))
    goto out;
  if (!(t = load_trainer (&o, &dataset, &error)))
    goto out;
  {
    g_autofree char *s = ll_model_summary (ll_trainer_get_model (t));
    fputs (s, stdout);
  }
out:
  if (error != NULL)
    status = fail ("summary", error);
  options_clear (&o);
  return status;
}

static int
cmd_presets (int argc, char **argv)
{
  int n;
  const LlPresetInfo *p = ll_presets (&n);
  for (int i = 0; i < n; i++)
    printf ("%-20s %-32s (%s)\n  %s\n", p[i].name, p[i].title, p[i].dataset, p[i].description);
  return 0;
}

/* Inputs from an image file: PNG/JPEG through the picture decoder, IDX images directly. */
static float *
load_inputs (const char *path, LlShape in, gboolean digit, int *n_out, GError **error)
{
  gsize size = ll_shape_size (&in);

  if (g_str_has_suffix (path, ".idx") || g_str_has_suffix (path, "-ubyte")
      || g_str_has_suffix (path, "-ubyte.gz") || g_str_has_suffix (path, ".idx.gz"))
    {
      g_autoptr(LlDataset) ds = ll_dataset_load_idx (path, NULL, error);
      float *x;
      g_autofree guint32 *idx = NULL;
      if (ds == NULL)
        return NULL;
      if (ll_dataset_sample_size (ds) != size)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                       "%s holds %d×%d×%d images but the model takes %" G_GSIZE_FORMAT " values",
                       path, ds->height, ds->width, ds->channels, size);
          return NULL;
        }
      x = g_new (float, (gsize) ds->n * size);
      idx = g_new (guint32, ds->n);
      for (int i = 0; i < ds->n; i++)
        idx[i] = (guint32) i;
      ll_dataset_fill_batch (ds, idx, ds->n, x, NULL);
      *n_out = ds->n;
      return x;
    }
  {
    float *x = ll_picture_load_input (path, &in, digit, error);
    if (x != NULL)
      *n_out = 1;
    return x;
  }
}

static int
cmd_predict (int argc, char **argv)
{
  Options o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  const char *dataset = NULL;
  int status = 0;
  LlModel *model;
  LlShape in;
  int n_out;
  gboolean digit;

  if (!parse ("predict", argc, argv, &o, "IMAGE… - classify images (PNG/JPEG or IDX)", FALSE, &error))
    goto out;
  if (o.files == NULL || o.files[0] == NULL)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, "name at least one image file to classify");
      goto out;
    }
  t = (o.model != NULL || o.preset != NULL) ? load_trainer (&o, &dataset, &error) : ll_shipped_model_load (&error);
  if (t == NULL)
    goto out;
  model = ll_trainer_get_model (t);
  in = ll_model_input_shape (model);
  n_out = ll_model_output_shape (model).d[0];
  /* Digit preprocessing for 28×28×1 models unless told the data set is Fashion-MNIST. */
  digit = in.d[0] == 28 && in.d[1] == 28 && in.d[2] == 1 && g_strcmp0 (o.dataset, "fashion-mnist") != 0;
  for (int f = 0; o.files[f] != NULL; f++)
    {
      int n = 0;
      g_autofree float *x = load_inputs (o.files[f], in, digit, &n, &error);
      g_autofree float *probs = NULL;
      if (x == NULL)
        {
          if (error == NULL)
            g_set_error (&error, LL_ERROR, LL_ERROR_DATA, "could not read %s", o.files[f]);
          goto out;
        }
      probs = g_new (float, (gsize) n * n_out);
      if (!ll_model_predict (model, n, x, probs, &error))
        goto out;
      for (int i = 0; i < n; i++)
        {
          const float *p = probs + (gsize) i * n_out;
          int best = n_out == 1 ? p[0] > 0.5f : 0;
          for (int j = 1; j < n_out; j++)
            if (p[j] > p[best])
              best = j;
          if (o.json)
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();
              g_autofree char *shown = g_filename_display_name (o.files[f]);

              json_builder_begin_object (b);
              ll_json_builder_member_string (b, "file", shown);
              if (n > 1)
                ll_json_builder_member_int (b, "index", i);
              ll_json_builder_member_int (b, "label", best);
              json_builder_set_member_name (b, "probabilities");
              json_builder_begin_array (b);
              /* Six decimals, as before: enough to read, short lines. */
              for (int j = 0; j < n_out; j++)
                ll_json_builder_add_double (b, round (p[j] * 1e6) / 1e6);
              json_builder_end_array (b);
              json_builder_end_object (b);
              print_json_line (b);
            }
          else if (n > 1)
            printf ("%s[%d]: %d (%.1f %%)\n", o.files[f], i, best, 100.0 * p[best]);
          else
            printf ("%s: %d (%.1f %%)\n", o.files[f], best, 100.0 * p[best]);
        }
    }
out:
  if (error != NULL)
    status = fail ("predict", error);
  options_clear (&o);
  return status;
}

static const struct {
  const char *name;
  int (*run) (int argc, char **argv);
} commands[] = {
  { "train", cmd_train },
  { "eval", cmd_eval },
  { "predict", cmd_predict },
  { "summary", cmd_summary },
  { "presets", cmd_presets },
  { "export", ll_cli_export },
  { "datasets", ll_cli_datasets },
  { "explain", ll_cli_explain },
};

gboolean
ll_cli_is_command (const char *arg)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (arg, commands[i].name) == 0)
      return TRUE;
  return FALSE;
}

int
ll_cli_main (int argc, char **argv)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (argv[1], commands[i].name) == 0)
      {
        /* Drop the command word so option parsing sees "layerlab-train --epochs …". */
        argv[1] = argv[0];
        return commands[i].run (argc - 1, argv + 1);
      }
  return 2;
}
