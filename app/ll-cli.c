/* ll-cli.c: headless commands for scripts and classroom handouts.
 *
 *   layerlab train   [--preset NAME | --model FILE] [--dataset NAME] [--data-dir DIR] ...
 *                    [--sweep KEY=V1,V2,…]
 *   layerlab lr-find [--preset NAME | --model FILE] [--dataset NAME] [--min-lr X] [--max-lr X] ...
 *   layerlab eval    --model FILE [--dataset NAME] [--data-dir DIR] [--json]
 *   layerlab predict [--model FILE] [--json] IMAGE.png|IMAGES.idx ...
 *   layerlab summary [--preset NAME | --model FILE]
 *   layerlab presets
 *   layerlab export  --model FILE --format c|keras|pytorch --output PATH [--name PREFIX]
 *   layerlab datasets [--download NAME [--base-url URL]]
 *   layerlab explain [--model FILE | --preset NAME] --input IMAGES.idx[:N] --layer NAME --unit Y,X,C
 *
 * --model FILE opens a Layerlab .llmodel, an ONNX model or a Keras .h5 or
 * .keras file alike (ll_model_reader_open: Keras files in a child process
 * with a time limit, which is the hidden command internal-read-model).
 * The option names are stable: handouts depend on them. */
#include "ll-cli.h"
#include "ll-cli-private.h"

#include "ll-augment.h"
#include "ll-toy-data.h"
#include "ll-dataset.h"
#include "ll-evaluate.h"
#include "ll-digit.h"
#include "ll-gemm.h"
#include "ll-import.h"
#include "ll-file.h"
#include "ll-json.h"
#include "ll-lr-find.h"
#include "ll-memory-plan.h"
#include "ll-model-file.h"
#include "ll-model-reader.h"
#include "ll-picture.h"
#include "ll-shipped-model.h"
#include "ll-presets.h"
#include "ll-sweep.h"
#include "ll-trainer.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NOT_GIVEN G_MININT
/* More OpenBLAS threads than this is a typing error. */
#define MAX_THREADS 256

typedef struct {
  char *preset, *model, *dataset, *data_dir, *optimizer, *save, *loss, *sweep, *augment;
  int epochs, batch_size, seed, threads, steps, points;
  double validation_split, min_lr, max_lr, noise, train_ratio;
  gboolean json, no_shuffle;
  char **files;
  /* --learning-rate, --momentum, --beta-1 …: one flag per row of the
   * hyperparameter table (ll-optim.c). */
  double hyper[LL_N_HYPERS];
  gboolean hyper_given[LL_N_HYPERS];
  GPtrArray *strings;           /* the generated flags' names and help */
} Options;

/* Which option groups a command takes. */
typedef enum {
  OPTIONS_COMMON,
  OPTIONS_TRAIN,                /* + fit settings, --save, --sweep */
  OPTIONS_LR_FIND,              /* + the fit settings a range test uses, its range */
} OptionSet;

static LlControl *sigint_control;

static void
on_sigint (int sig)
{
  if (sigint_control != NULL)
    ll_control_cancel (sigint_control);
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
  g_free (o->sweep);
  g_free (o->augment);
  g_strfreev (o->files);
  g_clear_pointer (&o->strings, g_ptr_array_unref);
}

static int
fail (const char *command, const GError *error)
{
  fprintf (stderr, "layerlab %s: %s\n", command, error->message);
  return error->domain == G_OPTION_ERROR || error->code == LL_ERROR_INVALID
         || error->code == LL_ERROR_NOT_FOUND || error->code == LL_ERROR_FORMAT
         || error->code == LL_ERROR_DATA || error->code == LL_ERROR_SHAPE || error->code == LL_ERROR_IO
         || error->code == LL_ERROR_MEMORY ? 2 : 1;
}

/* "--beta-1" (or "-l") to its row of the hyperparameter table. */
static gboolean
hyper_from_flag (const char *flag, LlHyper *hyper)
{
  g_autofree char *name = NULL;

  if (flag[0] == '-' && flag[1] != '-' && flag[1] != '\0')
    {
      for (int h = 0; h < LL_N_HYPERS; h++)
        if (ll_hyper_spec ((LlHyper) h)->cli_short == flag[1])
          {
            *hyper = (LlHyper) h;
            return TRUE;
          }
      return FALSE;
    }
  name = g_strdup (flag + strspn (flag, "-"));
  g_strdelimit (name, "-", '_');
  return ll_hyper_from_name (name, hyper);
}

static gboolean
on_hyper_flag (const char *flag, const char *value, gpointer data, GError **error)
{
  Options *o = data;
  const LlHyperSpec *spec;
  LlHyper h;
  double v;

  if (!hyper_from_flag (flag, &h))
    return FALSE;
  spec = ll_hyper_spec (h);
  if (spec->is_flag)
    {
      /* --nesterov, --nesterov=true, --nesterov=false */
      if (value == NULL || g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0)
        v = 1.0;
      else if (g_ascii_strcasecmp (value, "false") == 0 || strcmp (value, "0") == 0)
        v = 0.0;
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s takes true or false (got “%s”)"), flag, value);
          return FALSE;
        }
    }
  else
    {
      char *end = NULL;

      v = value != NULL ? g_ascii_strtod (value, &end) : NAN;
      /* Every character a number, and a finite one: "nan" is not a setting. */
      if (value == NULL || end == value || *end != '\0' || !isfinite (v))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s takes a number (got “%s”)"), flag, value != NULL ? value : "");
          return FALSE;
        }
    }
  o->hyper[h] = v;
  o->hyper_given[h] = TRUE;
  return TRUE;
}

/* --validation-split, --min-lr, --max-lr: a finite number (NaN is the
 * "not given" marker, so "nan" must not get through as one). */
static gboolean
on_finite_flag (const char *flag, const char *value, gpointer data, GError **error)
{
  Options *o = data;
  char *end = NULL;
  double v = value != NULL ? g_ascii_strtod (value, &end) : NAN;

  if (value == NULL || end == value || *end != '\0' || !isfinite (v))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s takes a number (got “%s”)"), flag, value != NULL ? value : "");
      return FALSE;
    }
  if (g_str_equal (flag, "--min-lr"))
    o->min_lr = v;
  else if (g_str_equal (flag, "--max-lr"))
    o->max_lr = v;
  else
    o->validation_split = v;
  return TRUE;
}

/* One flag per row of the hyperparameter table, with its help: the label,
 * the optimizers that use it and Keras' default. */
static void
add_hyper_entries (GOptionContext *ctx, Options *o)
{
  GOptionEntry entries[LL_N_HYPERS + 1];

  memset (entries, 0, sizeof entries);
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      g_autoptr(GString) users = g_string_new (NULL);
      char *long_name = g_strdup (spec->name);
      char *help;

      g_strdelimit (long_name, "_", '-');
      for (int k = 0; k < LL_N_OPTIMS; k++)
        if (ll_optim_uses ((LlOptimKind) k, (LlHyper) h))
          g_string_append_printf (users, "%s%s", users->len ? ", " : "", ll_optim_names[k]);
      if (h == LL_HYPER_LEARNING_RATE)
        help = g_strdup_printf (_("%s (default: the optimizer's Keras default)"), _(spec->label));
      else if (spec->is_flag)
        help = g_strdup_printf (_("%s (%s; off by default)"), _(spec->label), users->str);
      else
        {
          g_autoptr(GString) defaults = g_string_new (NULL);
          char def[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append (defaults, g_ascii_formatd (def, sizeof def, "%g", spec->keras_default));
          for (int k = 0; k < LL_N_OPTIMS; k++)
            if (ll_optim_uses ((LlOptimKind) k, (LlHyper) h)
                && ll_hyper_default ((LlHyper) h, (LlOptimKind) k) != spec->keras_default)
              g_string_append_printf (defaults, ", %s %s", ll_optim_names[k],
                                      g_ascii_formatd (def, sizeof def, "%g",
                                                       ll_hyper_default ((LlHyper) h, (LlOptimKind) k)));
          help = g_strdup_printf (_("%s (%s; Keras default %s)"), _(spec->label), users->str, defaults->str);
        }
      g_ptr_array_add (o->strings, long_name);
      g_ptr_array_add (o->strings, help);
      entries[h] = (GOptionEntry) {
        long_name, spec->cli_short, spec->is_flag ? G_OPTION_FLAG_OPTIONAL_ARG : 0,
        G_OPTION_ARG_CALLBACK, (gpointer) on_hyper_flag, help, spec->is_flag ? "true|false" : "X",
      };
    }
  g_option_context_add_main_entries (ctx, entries, NULL);
}

static gboolean
parse (const char *command, int argc, char **argv, Options *o, const char *params,
       OptionSet set, GError **error)
{
  GOptionEntry common[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &o->preset, _("Start from a preset model (see `layerlab presets`)"), "NAME" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o->model, _("A model: .llmodel, .onnx, Keras .h5 or .keras; or an architecture .json (absent settings: Keras 3's defaults, RMSprop)"), "FILE" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &o->dataset, _("mnist, fashion-mnist or cifar10; or 2-D points: circle, xor, gauss, spiral, moons, spiral3"), "NAME" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->data_dir, _("Folder holding the data set's files under their official names"), "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, _("Print one JSON object per line"), NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, _("OpenBLAS threads (default: all cores)"), "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, "FILE…" },
    { NULL }
  };
  GOptionEntry train[] = {
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &o->epochs, _("Epochs to train"), "N" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &o->batch_size, _("Samples per update (Keras default 32)"), "N" },
    { "optimizer", 'o', 0, G_OPTION_ARG_STRING, &o->optimizer, NULL, "NAME" },
    { "validation-split", 'v', 0, G_OPTION_ARG_CALLBACK, (gpointer) on_finite_flag, _("Fraction of the training data held out, taken from its end"), "X" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &o->seed, _("Random seed for weights, shuffling and dropout"), "N" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &o->loss, _("sparse_categorical_crossentropy (default), categorical_crossentropy, binary_crossentropy, mean_squared_error"), "NAME" },
    { "no-shuffle", 0, 0, G_OPTION_ARG_NONE, &o->no_shuffle, _("Keep the data order in every epoch"), NULL },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &o->save, _("Save the trained model (written atomically)"), "FILE" },
    { "sweep", 0, 0, G_OPTION_ARG_STRING, &o->sweep, _("One run per value, the rest unchanged, and a table of the results; "
      "KEY is batch_size, learning_rate, optimizer, shuffle, schedule, early_stopping, dropout, kernel_size, "
      "kernel_initializer, kernel_regularizer, batch_norm or flatten"), "KEY=V1,V2,…" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &o->augment, _("Distort the training images at random (not the validation or test images): digits"), "NAME" },
    { "points", 0, 0, G_OPTION_ARG_INT, &o->points, _("2-D data sets: points to generate (default 500)"), "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &o->noise, _("2-D data sets: noise from 0 to 0.5 (default 0)"), "X" },
    { "train-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &o->train_ratio, _("2-D data sets: fraction of the points trained on, 0.1 to 0.9 (default 0.5); the rest are the test set"), "X" },
    { NULL }
  };
  GOptionEntry lr_find[] = {
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &o->batch_size, _("Samples per step (default: the model's)"), "N" },
    { "optimizer", 'o', 0, G_OPTION_ARG_STRING, &o->optimizer, NULL, "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &o->seed, _("Random seed for weights, shuffling and dropout"), "N" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &o->loss, _("The loss (default: the model's)"), "NAME" },
    { "no-shuffle", 0, 0, G_OPTION_ARG_NONE, &o->no_shuffle, _("Keep the data order"), NULL },
    { "min-lr", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) on_finite_flag, _("Learning rate of the first step (default 1e-6)"), "X" },
    { "max-lr", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) on_finite_flag, _("Learning rate of the last step (default 1)"), "X" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &o->steps, _("Batches from the lowest to the highest rate (default 100)"), "N" },
    { NULL }
  };
  g_autofree char *name = g_strdup_printf ("layerlab %s", command);
  g_autofree char *names = ll_optim_names_text ();
  g_autoptr(GOptionContext) ctx = g_option_context_new (params);
  GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, o, NULL);

  /* Sentinels no user can type, so that "--epochs -1" reaches validation. */
  o->epochs = o->batch_size = o->seed = NOT_GIVEN;
  o->validation_split = NAN;
  o->min_lr = o->max_lr = NAN;
  o->steps = NOT_GIVEN;
  o->threads = NOT_GIVEN;
  o->points = NOT_GIVEN;
  o->noise = o->train_ratio = NAN;
  o->strings = g_ptr_array_new_with_free_func (g_free);
  g_set_prgname (name);
  g_option_context_set_main_group (ctx, main_group);
  g_option_context_add_main_entries (ctx, common, NULL);
  if (set == OPTIONS_TRAIN)
    {
      train[2].description = names;
      g_option_context_add_main_entries (ctx, train, NULL);
      add_hyper_entries (ctx, o);
    }
  else if (set == OPTIONS_LR_FIND)
    {
      lr_find[1].description = names;
      g_option_context_add_main_entries (ctx, lr_find, NULL);
    }
  if (!g_option_context_parse (ctx, &argc, &argv, error))
    return FALSE;
  if (o->threads != NOT_GIVEN && (o->threads < 1 || o->threads > MAX_THREADS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--threads must be between 1 and %d (got %d)"), MAX_THREADS, o->threads);
      return FALSE;
    }
  return TRUE;
}

/* The trainer for --model or --preset (weights from the seed). */
static LlTrainer *
load_trainer (const Options *o, const char **dataset, GError **error)
{
  if (o->model != NULL && o->preset != NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("give either --model or --preset, not both"));
      return NULL;
    }
  if (o->model != NULL && g_str_has_suffix (o->model, ".json"))
    {
      /* An architecture alone ({"layers": [...]}, as in a model file):
       * new weights from the seed, Keras 3's default settings (compile()'s
       * RMSprop; --optimizer chooses another). */
      g_autoptr(LlArch) arch = NULL;
      LlFitConfig cfg;
      LlModel *model;
      LlTrainer *t;

      if (!(arch = ll_arch_load (o->model, error)) || !(model = ll_model_new (arch, error)))
        return NULL;
      ll_fit_config_init_keras (&cfg);
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
      LlTrainer *t = ll_model_reader_open (o->model, NULL, NULL, error);
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
          g_autofree char *names = ll_optim_names_text ();
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("unknown optimizer “%s”; choose %s"),
                       o->optimizer, names);
          ll_fit_config_clear (&cfg);
          return FALSE;
        }
      cfg.optim = ll_optim_config_default (kind);
    }
  if (o->loss != NULL && !ll_loss_kind_from_name (o->loss, &cfg.loss))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("unknown loss “%s”"), o->loss);
      ll_fit_config_clear (&cfg);
      return FALSE;
    }
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      if (!o->hyper_given[h])
        continue;
      if (!ll_optim_uses (cfg.optim.kind, (LlHyper) h))
        {
          g_autofree char *flag = g_strdup (ll_hyper_spec ((LlHyper) h)->name);
          g_strdelimit (flag, "_", '-');
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("--%s does not apply to %s; choose an optimizer that uses it with --optimizer"),
                       flag, ll_optim_names[cfg.optim.kind]);
          ll_fit_config_clear (&cfg);
          return FALSE;
        }
      ll_hyper_set (&cfg.optim, (LlHyper) h, o->hyper[h]);
    }
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
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("--seed must be 0 or more (got %d)"), o->seed);
      ll_fit_config_clear (&cfg);
      return FALSE;
    }
  if (o->no_shuffle)
    cfg.shuffle = FALSE;
  if (o->threads != NOT_GIVEN)
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
  const char *sweep_key;        /* a sweep's run: every JSON line says which */
  const char *sweep_value;
  const LlAugment *augment;     /* --augment: training batches are distorted */
} Progress;

/* "sweep": KEY, "value": VALUE when training a sweep's run. */
static void
json_sweep (JsonBuilder *b, const Progress *p)
{
  if (p->sweep_key == NULL)
    return;
  ll_json_builder_member_string (b, "sweep", p->sweep_key);
  ll_json_builder_member_string (b, "value", p->sweep_value);
}

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
      json_sweep (b, p);
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

/* How one run ended, for the sweep's table. */
typedef struct {
  const char *status;           /* "finished", "stopped", "diverged" */
  int epochs;
  double loss, accuracy, val_loss, val_accuracy, test_loss, test_accuracy;
  double seconds;
} Outcome;

/* Trains t on train and evaluates it on test (nullable), printing as it
 * goes.  A stop by Ctrl-C is an outcome ("stopped", the message on
 * stderr), not an error; FALSE with an error otherwise (divergence
 * included). */
static gboolean
fit_and_test (LlTrainer *t, const LlDataset *train, const LlDataset *test, Progress *progress,
              Outcome *out, GError **error)
{
  LlControl control = { 0 };
  LlFitCallbacks cb = { on_batch, on_epoch, NULL, ll_model_file_save_with };
  const LlFitConfig *cfg = ll_trainer_get_config (t);

  if (progress->augment != NULL)
    cb.transform_batch = augment_batch;
  const GArray *history = ll_trainer_get_history (t);
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok;

  *out = (Outcome) { "finished", 0, NAN, NAN, NAN, NAN, NAN, NAN, 0 };
  progress->epochs = cfg->epochs;
  progress->first_epoch = (int) history->len;
  if (!progress->json)
    printf (_("Training on %d %s images%s%s, %s, batch %d\nEpoch 1/%d\n"), train->n, train->name,
            cfg->validation_split > 0 ? " (with a validation split)" : "",
            progress->augment != NULL ? ", augmented" : "",
            ll_optim_names[cfg->optim.kind], cfg->batch_size, progress->epochs);

  sigint_control = &control;
  signal (SIGINT, on_sigint);
  ok = ll_trainer_fit (t, train, NULL, &cb, progress, &control, error);
  signal (SIGINT, SIG_DFL);
  sigint_control = NULL;
  out->seconds = (g_get_monotonic_time () - t0) / 1e6;
  out->epochs = (int) history->len - progress->first_epoch;
  if (out->epochs > 0)
    {
      const LlEpochRecord *r = &g_array_index (history, LlEpochRecord, history->len - 1);
      out->loss = r->loss;
      out->accuracy = r->accuracy;
      out->val_loss = r->val_loss;
      out->val_accuracy = r->val_accuracy;
    }
  if (!ok)
    {
      if (!progress->json)
        printf ("\n");
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          out->status = "diverged";
          return FALSE;
        }
      fprintf (stderr, "layerlab train: %s\n", (*error)->message);
      g_clear_error (error);
      out->status = "stopped";
      return TRUE;
    }

  if (test != NULL)
    {
      if (!ll_model_evaluate (ll_trainer_get_model (t), cfg->loss, test, 256, &out->test_loss,
                              &out->test_accuracy, NULL, error))
        return FALSE;
      if (progress->json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          ll_json_builder_member_double (b, "test_loss", out->test_loss);
          ll_json_builder_member_double (b, "test_accuracy", out->test_accuracy);
          json_sweep (b, progress);
          json_builder_end_object (b);
          print_json_line (b);
        }
      else
        printf (_("Test: loss %.4f - accuracy %.4f (%d images)\n"), out->test_loss, out->test_accuracy,
                test->n);
    }
  else if (!progress->json)
    printf (_("No test split of %s found; skipped the test evaluation.\n"), train->name);
  return TRUE;
}

static void
print_figure (double v)
{
  if (isfinite (v))
    printf ("  %8.4f", v);
  else
    printf ("  %8s", "-");
}

/* The sweep's table, one row per run trained. */
static void
print_sweep_summary (const char *key, GPtrArray *runs, const Outcome *outcomes, guint n_done,
                     gboolean json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ll_json_builder_member_string (b, "sweep", key);
      json_builder_set_member_name (b, "runs");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_done; i++)
        {
          const LlSweepRun *run = g_ptr_array_index (runs, i);
          const Outcome *o = &outcomes[i];

          json_builder_begin_object (b);
          ll_json_builder_member_string (b, "value", run->value);
          ll_json_builder_member_string (b, "label", run->label);
          ll_json_builder_member_string (b, "status", o->status);
          ll_json_builder_member_int (b, "epochs", o->epochs);
          ll_json_builder_member_double (b, "loss", o->loss);
          ll_json_builder_member_double (b, "accuracy", o->accuracy);
          ll_json_builder_member_double (b, "val_loss", o->val_loss);
          ll_json_builder_member_double (b, "val_accuracy", o->val_accuracy);
          ll_json_builder_member_double (b, "test_loss", o->test_loss);
          ll_json_builder_member_double (b, "test_accuracy", o->test_accuracy);
          ll_json_builder_member_double (b, "seconds", o->seconds);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json_line (b);
      return;
    }
  printf ("\nSweep over %s:\n%-26s %-9s %6s  %8s  %8s  %8s  %8s  %8s  %8s  %8s\n", key, "run", "status",
          "epochs", "loss", "accuracy", "val_loss", "val_acc", "test_loss", "test_acc", "seconds");
  for (guint i = 0; i < n_done; i++)
    {
      const LlSweepRun *run = g_ptr_array_index (runs, i);
      const Outcome *o = &outcomes[i];

      printf ("%-26s %-9s %6d", run->label, o->status, o->epochs);
      print_figure (o->loss);
      print_figure (o->accuracy);
      print_figure (o->val_loss);
      print_figure (o->val_accuracy);
      print_figure (o->test_loss);
      print_figure (o->test_accuracy);
      printf ("  %8.1f\n", o->seconds);
    }
}

/* --sweep: one run per value from the seed's weights, the rest as the
 * other options set it.  Returns the exit status; a run that diverges is a
 * result, not a failure. */
static int
train_sweep (const Options *o, const LlAugment *augment, LlTrainer *base, const LlDataset *train,
             const LlDataset *test,
             GError **error)
{
  g_autofree char *key = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree Outcome *outcomes = NULL;
  Progress progress = { 0 };
  guint n_done = 0;
  gboolean stopped = FALSE;

  if (o->save != NULL)
    {
      g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                           _("--save keeps one model but a sweep trains several: leave out --save"));
      return 2;
    }
  if (!ll_sweep_parse (o->sweep, &key, &values, error)
      || !(runs = ll_sweep_build (ll_model_get_arch (ll_trainer_get_model (base)),
                                  ll_trainer_get_config (base), key, (const char *const *) values, error)))
    return 2;
  /* Every run checked before the first trains. */
  for (guint i = 0; i < runs->len; i++)
    {
      LlSweepRun *run = g_ptr_array_index (runs, i);
      g_autoptr(LlModel) model = ll_model_new (run->arch, error);

      if (model == NULL || !ll_model_check_dataset (model, train, error)
          || !ll_fit_config_validate (&run->config, error))
        {
          g_prefix_error (error, "%s: ", run->label);
          return 2;
        }
    }
  outcomes = g_new0 (Outcome, runs->len);
  progress.json = o->json;
  progress.tty = isatty (STDOUT_FILENO);
  progress.sweep_key = key;
  progress.augment = augment;
  for (guint i = 0; i < runs->len && !stopped; i++)
    {
      LlSweepRun *run = g_ptr_array_index (runs, i);
      g_autoptr(LlTrainer) t = NULL;
      LlModel *model;

      if (!(model = ll_model_new (run->arch, error)))
        return 2;
      t = ll_trainer_new (model, &run->config);
      ll_trainer_reset (t);
      progress.sweep_value = run->value;
      if (!o->json)
        printf (_("%sRun %u/%u: %s\n"), i > 0 ? "\n" : "", i + 1, runs->len, run->label);
      if (!fit_and_test (t, train, test, &progress, &outcomes[i], error))
        {
          if (!g_error_matches (*error, LL_ERROR, LL_ERROR_DIVERGED))
            return 1;
          fprintf (stderr, "layerlab train: %s: %s\n", run->label, (*error)->message);
          g_clear_error (error);
        }
      stopped = g_str_equal (outcomes[i].status, "stopped");
      n_done = i + 1;
    }
  print_sweep_summary (key, runs, outcomes, n_done, o->json);
  return stopped ? 130 : 0;
}

/* Saves with Ctrl+C (and SIGTERM) caught: an interrupted save removes its
 * temporary file and leaves the old model (G_IO_ERROR_CANCELLED). */
static gboolean
save_model (LlTrainer *t, const char *path, GError **error)
{
  LlControl control = { 0 };
  gboolean ok;

  sigint_control = &control;
  signal (SIGINT, on_sigint);
  signal (SIGTERM, on_sigint);
  ok = ll_model_file_save_full (t, path, TRUE, &control, error);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  sigint_control = NULL;
  return ok;
}

/* The 2-D points of --dataset circle|xor|… (--points, --noise,
 * --train-ratio), from the seed: the training and the test set. */
static gboolean
load_toy (const Options *o, LlToyKind kind, guint64 seed, LlDataset **train, LlDataset **test,
          GError **error)
{
  int n = o->points != NOT_GIVEN ? o->points : 500, n_train;
  double noise = isnan (o->noise) ? 0.0 : o->noise;
  double ratio = isnan (o->train_ratio) ? 0.5 : o->train_ratio;
  g_autofree LlToyPoint *points = NULL;

  if (n < 2 || n > 100000)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("--points %d is out of range; give 2 to 100000"), n);
      return FALSE;
    }
  if (!(noise >= 0 && noise <= 0.5))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("--noise %g is out of range; give 0 to 0.5"), noise);
      return FALSE;
    }
  if (!(ratio >= 0.1 && ratio <= 0.9))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("--train-ratio %g is out of range; give 0.1 to 0.9"), ratio);
      return FALSE;
    }
  points = g_new (LlToyPoint, n);
  n = ll_toy_generate (kind, n, noise, seed, points);
  ll_toy_split (points, n, ratio, seed, &n_train);
  if (!(*train = ll_toy_dataset (points, n_train, ll_toy_n_classes (kind), LL_FEATURES_DEFAULT,
                                 error)))
    return FALSE;
  *test = ll_toy_dataset (points + n_train, n - n_train, ll_toy_n_classes (kind),
                          LL_FEATURES_DEFAULT, error);
  g_free ((*train)->name);
  (*train)->name = g_strdup (ll_toy_kind_name (kind));
  return *test != NULL;
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
  LlToyKind toy;
  Progress progress = { 0 };
  Outcome outcome;
  int status = 0;

  if (!parse ("train", argc, argv, &o, _("- train a model headless"), OPTIONS_TRAIN, &error))
    goto out;
  if (o.augment != NULL && !(progress.augment = ll_augment_lookup (o.augment)))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) ll_augment_names ());
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, _("unknown augmentation “%s”; choose %s"),
                   o.augment, names);
      goto out;
    }
  /* A FIFO or a device as --save is refused before the training, not after. */
  if (o.save != NULL && !ll_file_check_save_target (o.save, &error))
    goto out;
  dataset = o.dataset;
  if (!(t = load_trainer (&o, &dataset, &error)) || !apply_options (t, &o, &error))
    goto out;
  if (ll_toy_kind_from_name (dataset, &toy) && toy != LL_TOY_OWN)
    {
      if (!load_toy (&o, toy, ll_trainer_get_config (t)->seed, &train, &test, &error))
        goto out;
    }
  else if (o.points != NOT_GIVEN || !isnan (o.noise) || !isnan (o.train_ratio))
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID,
                   _("--points, --noise and --train-ratio are for the 2-D data sets (circle, xor, "
                     "gauss, spiral, moons, spiral3), not %s"), dataset);
      goto out;
    }
  else if (!(train = ll_dataset_load_named (dataset, o.data_dir, FALSE, &error)))
    goto out;
  else
    {
      /* An absent test split is skipped; a damaged one is reported as eval
       * reports it, and one of another image size before the epochs, not after. */
      g_autoptr(GError) test_error = NULL;

      test = ll_dataset_load_named (dataset, o.data_dir, TRUE, &test_error);
      if (test == NULL && !g_error_matches (test_error, LL_ERROR, LL_ERROR_NOT_FOUND))
        {
          g_propagate_error (&error, g_steal_pointer (&test_error));
          goto out;
        }
    }
  if (!ll_model_check_dataset (ll_trainer_get_model (t), train, &error)
      || (test != NULL && !ll_model_check_dataset (ll_trainer_get_model (t), test, &error))
      || !ll_fit_config_validate (ll_trainer_get_config (t), &error))
    goto out;
  if (o.sweep != NULL)
    {
      status = train_sweep (&o, progress.augment, t, train, test, &error);
      goto out;
    }

  progress.json = o.json;
  progress.tty = isatty (STDOUT_FILENO);
  if (!fit_and_test (t, train, test, &progress, &outcome, &error))
    goto out;
  if (g_str_equal (outcome.status, "stopped"))
    status = 130;

  if (o.save != NULL && status != 0)
    fprintf (stderr, "layerlab train: not saving %s: training was interrupted mid-epoch\n", o.save);
  else if (o.save != NULL && !save_model (t, o.save, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *shown = g_filename_display_name (o.save);
          fprintf (stderr, _("layerlab train: the save was interrupted; %s was left as it was\n"),
                   shown);
          g_clear_error (&error);
          status = 130;
        }
      goto out;
    }
  else if (o.save != NULL && !o.json)
    printf (_("Saved %s\n"), o.save);

out:
  if (error != NULL)
    status = fail ("train", error);
  options_clear (&o);
  return status;
}

/* The learning-rate range test on the training split: the curve, the
 * lowest loss, the steepest descent and the suggested rate. */
static int
cmd_lr_find (int argc, char **argv)
{
  Options o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = NULL;
  g_autoptr(LlDataset) train = NULL;
  g_autoptr(LlLrCurve) curve = ll_lr_curve_new ();
  LlLrFindOptions options;
  LlControl control = { 0 };
  const LlFitConfig *cfg;
  const double *lr, *loss;
  const char *dataset = NULL;
  gboolean ok;
  int status = 0;

  if (!parse ("lr-find", argc, argv, &o, _("- find a learning rate with a range test"), OPTIONS_LR_FIND, &error))
    goto out;
  dataset = o.dataset;
  if (!(t = load_trainer (&o, &dataset, &error)) || !apply_options (t, &o, &error))
    goto out;
  ll_lr_find_options_init (&options);
  if (!isnan (o.min_lr))
    options.lr_min = o.min_lr;
  if (!isnan (o.max_lr))
    options.lr_max = o.max_lr;
  if (o.steps != NOT_GIVEN)
    options.steps = o.steps;
  if (!ll_lr_find_options_check (&options, &error)
      || !(train = ll_dataset_load_named (dataset, o.data_dir, FALSE, &error))
      || !ll_model_check_dataset (ll_trainer_get_model (t), train, &error))
    goto out;
  cfg = ll_trainer_get_config (t);
  if (!o.json)
    printf (_("Learning-rate range test on %d %s images, %s, batch %d: lr %g to %g in %d steps\n"),
            train->n, train->name, ll_optim_names[cfg->optim.kind], cfg->batch_size,
            options.lr_min, options.lr_max, options.steps);
  sigint_control = &control;
  signal (SIGINT, on_sigint);
  ok = ll_lr_find (ll_trainer_get_model (t), cfg, train, &options, curve, &control, &error);
  signal (SIGINT, SIG_DFL);
  sigint_control = NULL;
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto out;
      fprintf (stderr, "layerlab lr-find: stopped after %u steps\n", curve->lr->len);
      g_clear_error (&error);
      status = 130;
    }

  lr = (const double *) curve->lr->data;
  loss = (const double *) curve->loss->data;
  if (!o.json)
    printf ("%12s  %10s\n", "lr", "loss");
  for (guint i = 0; i < curve->lr->len; i++)
    if (o.json)
      {
        g_autoptr(JsonBuilder) b = json_builder_new ();

        json_builder_begin_object (b);
        ll_json_builder_member_double (b, "lr", lr[i]);
        ll_json_builder_member_double (b, "loss", loss[i]);
        json_builder_end_object (b);
        print_json_line (b);
      }
    else
      printf ("%12.4g  %10.4f\n", lr[i], loss[i]);
  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ll_json_builder_member_double (b, "suggested_lr", curve->suggested > 0 ? curve->suggested : NAN);
      ll_json_builder_member_double (b, "lowest_loss_lr", curve->i_min >= 0 ? lr[curve->i_min] : NAN);
      ll_json_builder_member_double (b, "lowest_loss", curve->i_min >= 0 ? loss[curve->i_min] : NAN);
      ll_json_builder_member_double (b, "steepest_lr", curve->i_steep >= 0 ? lr[curve->i_steep] : NAN);
      ll_json_builder_member_int (b, "points", curve->lr->len);
      json_builder_end_object (b);
      print_json_line (b);
    }
  else if (curve->suggested > 0)
    {
      printf (_("Lowest loss %.4f at lr %.3g"), loss[curve->i_min], lr[curve->i_min]);
      if (curve->i_steep >= 0)
        printf (_("; steepest descent at lr %.3g"), lr[curve->i_steep]);
      printf (_(".\nSuggested learning rate: %.3g (a tenth of the lowest-loss rate)\n"), curve->suggested);
    }
  else
    printf (_("Too few batches for a range test (%u): use more training images or a smaller batch.\n"),
            curve->lr->len);

out:
  if (error != NULL)
    status = fail ("lr-find", error);
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

  if (!parse ("eval", argc, argv, &o, _("- evaluate a model on a test set"), OPTIONS_COMMON, &error))
    goto out;
  dataset = o.dataset;
  if (!(t = load_trainer (&o, &dataset, &error)))
    goto out;
  if (o.threads != NOT_GIVEN)
    ll_gemm_set_threads (o.threads);
  if (!(test = ll_dataset_load_named (dataset, o.data_dir, TRUE, &error)))
    goto out;
  if (!ll_model_evaluate (ll_trainer_get_model (t), ll_trainer_get_config (t)->loss, test, 256,
                          &loss, &acc, NULL, &error))
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
    printf (_("%s test set: loss %.4f - accuracy %.4f (%d images)\n"), test->name, loss, acc, test->n);

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

  if (!parse ("summary", argc, argv, &o, _("- print the Keras-style model summary"), OPTIONS_COMMON, &error))
    goto out;
  if (o.model != NULL && o.preset != NULL)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, _("give either --model or --preset, not both"));
      goto out;
    }
  if (o.model == NULL || g_str_has_suffix (o.model, ".json"))
    {
      /* An architecture or a preset: the summary and the memory plan come
       * from the architecture alone; no weights are allocated. */
      g_autoptr(LlArch) arch = NULL;
      g_autofree char *text = NULL, *need = NULL, *limit = NULL;
      LlFitConfig cfg;
      LlMemoryPlan plan;

      if (o.model != NULL)
        {
          ll_fit_config_init_keras (&cfg);
          arch = ll_arch_load (o.model, &error);
        }
      else
        arch = ll_preset_build (o.preset != NULL ? o.preset : "mlp-128-dropout", &cfg, &error);
      if (arch == NULL)
        goto out;
      if (!ll_arch_validate (arch, NULL, &error) || !(text = ll_arch_summary (arch, &error))
          || !ll_memory_plan_arch (arch, &cfg.optim, cfg.batch_size, &plan, &error))
        {
          ll_fit_config_clear (&cfg);
          goto out;
        }
      fputs (text, stdout);
      need = ll_memory_format (plan.total);
      limit = ll_memory_format ((double) ll_memory_limit ());
      if (plan.total > (double) ll_memory_limit ())
        printf (_("Memory to train at batch size %d with %s: %s, more than the %s Layerlab may use "
                  "on this machine\n"), cfg.batch_size, ll_optim_names[cfg.optim.kind], need, limit);
      else
        printf (_("Memory to train at batch size %d with %s: %s\n"), cfg.batch_size,
                ll_optim_names[cfg.optim.kind], need);
      ll_fit_config_clear (&cfg);
      goto out;
    }
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
    printf ("%-20s %-32s (%s)\n  %s\n", p[i].name, _(p[i].title), p[i].dataset, _(p[i].description));
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
      /* Straight into floats, a chunk at a time: a large set (or a small
       * gzip file inflating to one) never needs its bytes and its floats
       * at once; the floats are checked against the machine's memory. */
      return ll_dataset_load_idx_floats (path, size, n_out, NULL, NULL, error);
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

  if (!parse ("predict", argc, argv, &o, _("IMAGE… - classify images (PNG/JPEG or IDX)"), OPTIONS_COMMON, &error))
    goto out;
  if (o.files == NULL || o.files[0] == NULL)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, _("name at least one image file to classify"));
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
            g_set_error (&error, LL_ERROR, LL_ERROR_DATA, _("could not read %s"), o.files[f]);
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

/* The child that reads a Keras file for the process that runs it
 * (core/ll-model-reader.c); not a command for people, so not listed. */
static int
cmd_read_model (int argc, char **argv)
{
  return ll_model_reader_child_main (argc, argv);
}

static const struct {
  const char *name;
  int (*run) (int argc, char **argv);
} commands[] = {
  { "train", cmd_train },
  { "lr-find", cmd_lr_find },
  { "eval", cmd_eval },
  { "predict", cmd_predict },
  { "summary", cmd_summary },
  { "presets", cmd_presets },
  { "export", ll_cli_export },
  { "datasets", ll_cli_datasets },
  { "explain", ll_cli_explain },
  { "lessons", ll_cli_lessons },
  { LL_MODEL_READER_COMMAND, cmd_read_model },
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
