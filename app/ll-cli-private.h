/* ll-cli-private.h: commands of the headless command line kept in their
 * own files (export, datasets); ll-cli.c dispatches to them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* layerlab export --model FILE --format c|keras|pytorch --output PATH [--name PREFIX] */
int ll_cli_export   (int argc, char **argv);
/* layerlab datasets [--data-dir DIR] [--download NAME [--base-url URL]] */
int ll_cli_datasets (int argc, char **argv);

G_END_DECLS
