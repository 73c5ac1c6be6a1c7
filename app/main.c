/* main.c: headless commands run without a display; anything else starts
 * the GTK application. */
#include "ll-cli.h"

#ifdef LL_HAVE_UI
#include "ll-application.h"
#endif

#include <stdio.h>

int
main (int argc, char **argv)
{
  if (argc > 1 && ll_cli_is_command (argv[1]))
    return ll_cli_main (argc, argv);

#ifdef LL_HAVE_UI
  {
    g_autoptr(LlApplication) app = ll_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  fprintf (stderr, "layerlab: built without the GTK interface; commands: train, eval, predict, summary, "
                   "presets, export, datasets\n");
  return 2;
#endif
}
