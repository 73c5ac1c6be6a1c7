/* Files do not follow the user's locale: a saved model, a run's CSV, the
 * generated Keras and PyTorch code and the C export are the same bytes
 * under de_DE.UTF-8 (decimal comma) and ko_KR.UTF-8 as under C.  The
 * application sets LC_ALL from the environment (app/main.c), so a German
 * classroom would otherwise write "0,001" into its models.
 *
 * The locales: tools/setup.sh --test generates them; without them this
 * test compiles them itself with localedef into a temporary LOCPATH, and
 * skips with the reason only when that fails too. */

#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "ll-codegen.h"
#include "ll-export-c.h"
#include "ll-model-file.h"
#include "ll-run-list.h"
#include "ll-test-util.h"

#define ARCH "Input height=8 width=8 channels=1\n" \
  "Conv2D filters=2 kernel_size=3 activation=relu\nFlatten\n" \
  "Dropout rate=0.25\nDense units=3 activation=softmax\n"

static const char *const locales[] = { "de_DE.UTF-8", "ko_KR.UTF-8" };
static char *locpath;

/* Locales that are not installed are compiled into a temporary LOCPATH,
 * all before the first look-up there (glibc remembers a failed one). */
static void
provide_locales (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_autofree char *lang = g_strndup (locales[i], strcspn (locales[i], "."));
      g_autofree char *out = NULL;
      const char *argv[] = { "localedef", "-i", lang, "-f", "UTF-8", NULL, NULL };
      int status = 0;

      if (setlocale (LC_ALL, locales[i]) != NULL)
        continue;
      if (locpath == NULL)
        locpath = g_dir_make_tmp ("ll-locale-XXXXXX", NULL);
      out = g_build_filename (locpath, locales[i], NULL);
      argv[5] = out;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
    }
  if (locpath != NULL)
    g_setenv ("LOCPATH", locpath, TRUE);
  setlocale (LC_ALL, "C");
}

static char *
read_file (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Everything the program writes for people to open elsewhere, as text
 * (the model file's bytes in hex: it is a zip of JSON and floats). */
static char *
write_all (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch (ARCH);
  LlModel *model = ll_model_new (arch, &error);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *model_path = g_build_filename (dir, "m.llmodel", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "history.csv", NULL);
  g_autofree char *c_path = g_build_filename (dir, "digits.c", NULL);
  g_autofree char *h_path = g_build_filename (dir, "digits.h", NULL);
  g_autoptr(LlRun) run = ll_run_new ();
  LlFitConfig cfg;
  LlTrainer *t;

  g_assert_no_error (error);
  ll_fit_config_init (&cfg);
  cfg.optim = ll_optim_config_default (LL_OPTIM_ADAM);
  cfg.optim.learning_rate = 0.00125;
  cfg.validation_split = 0.125;
  cfg.seed = 5;
  cfg.n_threads = 1;
  t = ll_trainer_new (model, &cfg);
  ll_trainer_reset (t);

  g_assert_true (ll_model_file_save (t, model_path, &error));
  g_assert_no_error (error);
  {
    g_autofree char *bytes = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (model_path, &bytes, &len, NULL));
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (all, "%02x", (guint8) bytes[i]);
    g_string_append_c (all, '\n');
  }

  run->name = g_strdup ("Run 1");
  run->status = g_strdup ("finished");
  for (int e = 0; e < 3; e++)
    {
      LlEpochRecord r = { e, 0.5 + e, 0.25, 1.5, 0.75, 0.001, 2.5, 1234.5 };
      g_array_append_val (run->epochs, r);
    }
  g_assert_true (ll_run_export_csv (run, csv_path, &error));
  g_assert_no_error (error);
  {
    g_autofree char *csv = read_file (csv_path);
    g_string_append (all, csv);
  }

  {
    g_autofree char *keras = ll_codegen_keras (arch, &cfg, "mnist");
    g_autofree char *torch = ll_codegen_pytorch (arch, &cfg, "mnist");

    g_assert_nonnull (strstr (keras, "0.00125"));
    g_string_append (all, keras);
    g_string_append (all, torch);
  }

  g_assert_true (ll_export_c (ll_trainer_get_model (t), dir, "digits", &error));
  g_assert_no_error (error);
  {
    g_autofree char *c = read_file (c_path);
    g_autofree char *h = read_file (h_path);

    g_string_append (all, c);
    g_string_append (all, h);
  }

  ll_fit_config_clear (&cfg);
  ll_trainer_free (t);
  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
test_same_bytes (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = g_dir_make_tmp ("ll-test-locale-XXXXXX", NULL);
  g_autofree char *in_c = NULL;
  g_autofree char *in_locale = NULL;
  char *decimal;

  g_assert_nonnull (setlocale (LC_ALL, "C"));
  in_c = write_all (dir);
  if (setlocale (LC_ALL, name) == NULL)
    {
      g_autofree char *why = g_strdup_printf ("the %s locale is not available and localedef could "
                                              "not build it (run tools/setup.sh --test)", name);
      setlocale (LC_ALL, "C");
      g_test_skip (why);
      return;
    }
  /* the locale really is in force: printf uses its decimal separator */
  decimal = g_strdup_printf ("%.1f", 0.5);
  g_test_message ("%s: 0.5 prints as %s in labels", name, decimal);
  if (g_str_has_prefix (name, "de_"))
    g_assert_cmpstr (decimal, ==, "0,5");
  g_free (decimal);
  in_locale = write_all (dir);
  setlocale (LC_ALL, "C");
  g_assert_cmpstr (in_locale, ==, in_c);
  ll_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  provide_locales ();
  g_test_add_data_func ("/locale/files/de_DE", locales[0], test_same_bytes);
  g_test_add_data_func ("/locale/files/ko_KR", locales[1], test_same_bytes);
  status = g_test_run ();
  if (locpath != NULL)
    ll_test_remove_tree (locpath);
  g_free (locpath);
  return status;
}
