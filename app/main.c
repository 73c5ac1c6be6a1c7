/* main.c: headless commands run without a display; anything else starts
 * the GTK application. */
#include "config.h"

#include "ll-cli.h"
#include "ll-model-reader.h"

#include <glib/gi18n.h>
#include <locale.h>

#ifdef LL_HAVE_UI
#include "ll-application.h"
#include "ll-renderer.h"
#endif

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Leaves without running library destructors.  Debian 12's OpenBLAS
 * (0.3.21) joins its worker threads in a destructor at exit, and that join
 * can wait forever for a thread that missed its wake-up: a finished
 * screenshot hung 2 times in 12 under Xvfb.  Everything of ours is closed
 * and written by now; stdio is flushed here. */
static void G_GNUC_NORETURN
leave (int status)
{
  fflush (NULL);
  _exit (status);
}

/* Messages in the user's language: the desktop's locale, or LANGUAGE
 * (`LANGUAGE=ko layerlab`).  From the build tree the catalogs are in
 * build/po (meson builds them there), installed in LOCALEDIR. */
static void
init_i18n (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  g_autofree char *build_po = exe_dir != NULL ? g_canonicalize_filename ("../po", exe_dir) : NULL;
  g_autofree char *build_meson = build_po != NULL
    ? g_build_filename (exe_dir, "..", "build.ninja", NULL) : NULL;
  const char *messages, *language = g_getenv ("LANGUAGE");

  setlocale (LC_ALL, "");
  /* gettext ignores LANGUAGE in the "C" locale (a fresh machine, CI, a
   * classroom's kiosk account): C.UTF-8 is the same locale that lets it
   * choose. */
  messages = setlocale (LC_MESSAGES, NULL);
  if (language != NULL && *language != '\0' && messages != NULL
      && (strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0))
    setlocale (LC_MESSAGES, "C.UTF-8");
  if (build_meson != NULL && g_file_test (build_meson, G_FILE_TEST_EXISTS)
      && g_file_test (build_po, G_FILE_TEST_IS_DIR))
    bindtextdomain (GETTEXT_PACKAGE, build_po);
  else
    bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* Keras files are read by a child process running this same program
 * (core/ll-model-reader.c): /proc/self/exe stays this program even when
 * the file it came from was replaced by an upgrade meanwhile. */
static void
init_model_reader (const char *argv0)
{
  g_autofree char *found = NULL;

  if (g_file_test ("/proc/self/exe", G_FILE_TEST_IS_EXECUTABLE))
    {
      ll_model_reader_set_executable ("/proc/self/exe");
      return;
    }
  found = g_path_is_absolute (argv0) ? g_strdup (argv0) : g_find_program_in_path (argv0);
  if (found != NULL)
    ll_model_reader_set_executable (found);
}

int
main (int argc, char **argv)
{
  init_i18n ();
  init_model_reader (argv[0]);
  if (argc > 1 && ll_cli_is_command (argv[1]))
    {
      /* Numbers the command line prints and writes stay in the C form
       * (1.5, never 1,5): its output is read by programs and handouts. */
      setlocale (LC_NUMERIC, "C");
      leave (ll_cli_main (argc, argv));
    }

#ifdef LL_HAVE_UI
  {
    LlApplication *app;
    int status;

    /* The display is opened here, before GtkApplication does, to choose
     * GTK's renderer before any window exists; without one, the
     * application reports the error itself. */
    gtk_disable_setlocale ();   /* init_i18n () has set it, LANGUAGE included */
    if (gtk_init_check ())
      ll_choose_renderer (gdk_display_get_default ());
    app = ll_application_new ();
    status = g_application_run (G_APPLICATION (app), argc, argv);

    g_object_unref (app);
    leave (status);
  }
#else
  fprintf (stderr, "layerlab: built without the GTK interface; commands: train, eval, predict, summary, "
                   "presets, export, datasets, explain\n");
  return 2;
#endif
}
