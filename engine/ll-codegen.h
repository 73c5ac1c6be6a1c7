/* ll-codegen.h: the equivalent Keras and PyTorch Python for an
 * architecture and its training settings, for the Code panel, the command
 * line and handouts.  Generated from the same LlArch the engine builds. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

/* A complete Keras script: data loading for dataset ("mnist",
 * "fashion-mnist", "cifar10"; NULL means "mnist"), the model, compile()
 * and fit() with the callbacks of config.  config may be NULL: Layerlab's
 * starting settings (ll_fit_config_init: Adam, as the tutorials use).
 * Newly allocated; never NULL.  An architecture whose shapes do not fit
 * still gives a script, headed by the problem. */
char *ll_codegen_keras   (const LlArch *arch, const LlFitConfig *config, const char *dataset);
/* The same model and training as a PyTorch script (torch + torchvision). */
char *ll_codegen_pytorch (const LlArch *arch, const LlFitConfig *config, const char *dataset);

G_END_DECLS
