/* ll-presets.h: the models of the seed tutorials, with their training settings. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;            /* "mlp-128-dropout": stable, used on the command line */
  const char *title;           /* "MLP 784-128-10 with dropout" */
  const char *description;     /* what it shows and which seed it comes from */
  const char *dataset;         /* default data set name */
  const char *layers;          /* one layer per line, "Type key=value ..." (ll_arch_from_text) */
  /* training settings that differ from Keras' defaults */
  const char *optimizer;
  double learning_rate;        /* 0: the optimizer's Keras default */
  int epochs, batch_size;
} LlPresetInfo;

/* The presets, a constant table of *n_presets entries. */
const LlPresetInfo *ll_presets (int *n_presets);
const LlPresetInfo *ll_preset_lookup (const char *name);
/* Architecture and training settings of a preset (cfg initialised by the call). */
LlArch             *ll_preset_build (const char *name, LlFitConfig *cfg, GError **error);

G_END_DECLS
