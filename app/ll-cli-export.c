/* ll-cli-export.c: `layerlab export`, models out of Layerlab.
 *
 *   layerlab export --model FILE|--preset NAME --format c --output DIR [--name PREFIX]
 *   layerlab export --model FILE|--preset NAME --format keras|pytorch --output FILE.py
 *   layerlab export --model FILE|--preset NAME --format onnx --output FILE.onnx
 *
 * --model takes a model file with trained weights (.llmodel, or an .onnx,
 * Keras .h5 or .keras file, imported: `export` converts between formats)
 * or an architecture .json (weights from --seed); --preset a built-in
 * model (weights from --seed). */
#include "ll-cli-private.h"

#include "ll-export-c.h"
#include "ll-export-onnx.h"
#include "ll-export-script.h"
#include "ll-import.h"
#include "ll-model-file.h"
#include "ll-model-reader.h"
#include "ll-presets.h"

#include <signal.h>
#include <stdio.h>
#include <glib/gi18n.h>

LlTrainer *
ll_cli_load_trainer (const char *model_path, const char *preset, int seed, GError **error)
{
  LlFitConfig cfg;
  g_autoptr(LlArch) arch = NULL;
  LlModel *model;
  LlTrainer *t;

  if ((model_path == NULL) == (preset == NULL))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("give the model with --model FILE or --preset NAME (one of them)"));
      return NULL;
    }
  if (model_path != NULL && !g_str_has_suffix (model_path, ".json"))
    return ll_model_reader_open (model_path, NULL, NULL, error);
  if (model_path != NULL)
    {
      if (!(arch = ll_arch_load (model_path, error)))
        return NULL;
      /* An architecture alone: Keras 3's default settings (RMSprop). */
      ll_fit_config_init_keras (&cfg);
    }
  else if (!(arch = ll_preset_build (preset, &cfg, error)))
    return NULL;
  if (seed >= 0)
    cfg.seed = (guint64) seed;
  if (!(model = ll_model_new (arch, error)))
    {
      ll_fit_config_clear (&cfg);
      return NULL;
    }
  t = ll_trainer_new (model, &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (t);
  return t;
}

static volatile sig_atomic_t held_signal;

static void
hold_signal (int sig)
{
  held_signal = sig;
}

/* Default actions again; a signal that came meanwhile now takes effect. */
static void
release_signals (void)
{
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  if (held_signal != 0)
    raise (held_signal);
}

int
ll_cli_export (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *preset = NULL, *format = NULL, *output = NULL;
  g_autofree char *name = NULL, *dataset = NULL;
  int seed = -1;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, _("A model (.llmodel, .onnx, Keras .h5 or .keras) or an architecture .json"), "FILE" },
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset, _("A preset model, weights from --seed"), "NAME" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, _("c, keras, pytorch or onnx"), "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, _("Folder (c), script file (keras, pytorch) or .onnx file"), "PATH" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, _("C: prefix of the files and functions (default: model)"), "PREFIX" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, _("Scripts: the data set they load (mnist, fashion-mnist, cifar10)"), "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, _("Seed of the weights for --preset or an architecture"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("- write a model as C, Keras, PyTorch or ONNX"));
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  LlModel *model;
  gboolean signals_held = FALSE;

  g_set_prgname ("layerlab export");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (format == NULL || output == NULL)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID,
                   _("give --format (c, keras, pytorch or onnx) and --output PATH"));
      goto fail;
    }
  if (!(trainer = ll_cli_load_trainer (model_path, preset, seed, &error)))
    goto fail;
  model = ll_trainer_get_model (trainer);

  /* Ctrl+C or SIGTERM while the files are written waits until they are
   * complete (each goes through a temporary file and a rename), so an
   * interrupted export leaves either the old files or the new ones, never
   * a temporary file; the signal then ends the program as usual.  A handler
   * (not a blocked mask: OpenBLAS's threads would take the signal) notes it. */
  held_signal = 0;
  signal (SIGINT, hold_signal);
  signal (SIGTERM, hold_signal);
  signal (SIGHUP, hold_signal);
  signals_held = TRUE;

  if (g_strcmp0 (format, "c") == 0)
    {
      const char *prefix = name != NULL ? name : "model";
      if (!ll_export_c (model, output, prefix, &error))
        goto fail;
      printf (_("wrote %s/%s.c and %s/%s.h (int %s_predict (const float *input, float *probs))\n"),
              output, prefix, output, prefix, prefix);
    }
  else if (g_strcmp0 (format, "keras") == 0 || g_strcmp0 (format, "pytorch") == 0)
    {
      LlScriptKind kind = format[0] == 'k' ? LL_SCRIPT_KERAS : LL_SCRIPT_PYTORCH;
      if (dataset == NULL && model_path == NULL)
        dataset = g_strdup (ll_preset_lookup (preset)->dataset);
      if (!ll_export_script (model, ll_trainer_get_config (trainer), dataset, kind, output, &error))
        goto fail;
      printf (_("wrote %s with its weights beside it (*.weights.json, *.weights.bin)\n"), output);
    }
  else if (g_strcmp0 (format, "onnx") == 0)
    {
      if (!ll_export_onnx (model, output, &error))
        goto fail;
      printf (_("wrote %s (ONNX opset %d; input [N, height, width, channels] in [0, 1])\n"),
              output, LL_EXPORT_ONNX_OPSET);
    }
  else
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_INVALID,
                   _("unknown format “%s”; use c, keras, pytorch or onnx"), format);
      goto fail;
    }
  if (signals_held)
    release_signals ();
  return 0;

fail:
  fprintf (stderr, "layerlab export: %s\n", error->message);
  if (signals_held)
    release_signals ();
  return 2;
}
