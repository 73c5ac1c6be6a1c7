/* ll-shipped-model.h: the digit model that ships with Layerlab (a CNN
 * trained by tools/train-default-model.sh), compiled into core's GResource
 * so that the Draw view, the document and `layerlab predict` work on first
 * launch, offline, in every build. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

/* The shipped model with its training settings and history; from the
 * resource, else from $XDG_DATA_DIRS/layerlab/models/digits.llmodel.
 * (transfer full) */
LlTrainer *ll_shipped_model_load (GError **error);

G_END_DECLS
