/* ll-cli.h: the headless command line (train, eval, predict, summary, ...). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when arg names a headless command. */
gboolean ll_cli_is_command (const char *arg);
/* Runs argv[1] as a command; returns the process exit status. */
int      ll_cli_main       (int argc, char **argv);

G_END_DECLS
