/* ll-export-c.h: a model as standalone C inference source.
 *
 * Writes <prefix>.h and <prefix>.c: the weights as const float arrays and
 * plain loops for every layer (evaluation mode: dropout is the identity,
 * batch normalization uses its moving statistics), depending on nothing
 * but libm.  The generated function is
 *
 *   int <prefix>_predict (const float *input, float *probs);
 *
 * input is one sample, height × width × channels (channels last) scaled
 * as Layerlab scales it ([0, 1]); probs receives the model's outputs.  It
 * returns 0, or -1 when a pointer is NULL.  It works in two static
 * buffers, so it is not reentrant (the usual microcontroller trade). */
#pragma once

#include "ll-model.h"

G_BEGIN_DECLS

/* Has code for the layer type (tests/test-backends.c checks this against
 * the layer's back-end row). */
gboolean ll_export_c_knows (const LlLayerType *type);

/* TRUE when prefix is usable as a C identifier prefix. */
gboolean ll_export_c_valid_prefix (const char *prefix);

/* The two files as strings (newly allocated). */
gboolean ll_export_c_generate (LlModel *model, const char *prefix,
                               char **header, char **source, GError **error);

/* Writes dir/<prefix>.h and dir/<prefix>.c (dir is created if needed). */
gboolean ll_export_c (LlModel *model, const char *dir, const char *prefix, GError **error);

G_END_DECLS
