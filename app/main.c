/* main.c: headless commands run without a display; anything else starts
 * the GTK application. */
#include "ll-cli.h"

#ifdef LL_HAVE_UI
#include "ll-application.h"
#include "ll-renderer.h"
#endif

#include <stdio.h>
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

int
main (int argc, char **argv)
{
  if (argc > 1 && ll_cli_is_command (argv[1]))
    leave (ll_cli_main (argc, argv));

#ifdef LL_HAVE_UI
  {
    LlApplication *app;
    int status;

    /* The display is opened here, before GtkApplication does, to choose
     * GTK's renderer before any window exists; without one, the
     * application reports the error itself. */
    if (gtk_init_check ())
      ll_choose_renderer (gdk_display_get_default ());
    app = ll_application_new ();
    status = g_application_run (G_APPLICATION (app), argc, argv);

    g_object_unref (app);
    leave (status);
  }
#else
  fprintf (stderr, "layerlab: built without the GTK interface; commands: train, eval, predict, summary, "
                   "presets, export, datasets\n");
  return 2;
#endif
}
