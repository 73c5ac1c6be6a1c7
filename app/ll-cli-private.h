/* ll-cli-private.h: commands of the headless command line kept in their
 * own files (export, datasets); ll-cli.c dispatches to them. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

/* layerlab export --model FILE --format c|keras|pytorch --output PATH [--name PREFIX] */
int ll_cli_export   (int argc, char **argv);
/* layerlab datasets [--data-dir DIR] [--download NAME [--base-url URL]] */
int ll_cli_datasets (int argc, char **argv);
/* layerlab explain [--model FILE | --preset NAME] --input IMAGES.idx[:N] --layer NAME --unit Y,X,C [--json] */
int ll_cli_explain  (int argc, char **argv);
/* layerlab lessons [--json] [FILE…] */
int ll_cli_lessons  (int argc, char **argv);

/* The model of --model FILE (a .llmodel, or an architecture .json with
 * weights from seed) or --preset NAME (weights from seed; seed < 0: the
 * preset's); exactly one of model_path and preset. */
LlTrainer *ll_cli_load_trainer (const char *model_path, const char *preset, int seed,
                                GError **error);

G_END_DECLS
