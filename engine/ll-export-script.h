/* ll-export-script.h: the Keras or PyTorch script of a model (from
 * ll-codegen) together with its trained weights in a form the script loads.
 *
 * For a script path "dir/net.py" three files are written:
 *   dir/net.py            the ll-codegen script, plus a block after the model
 *                         that loads the weights when the two files below exist
 *   dir/net.weights.bin   every tensor as little-endian float32, back to back
 *   dir/net.weights.json  the index: per layer with weights, its tensors'
 *                         names (Keras or PyTorch attribute names), shapes
 *                         and byte offsets
 * PyTorch tensors are stored in PyTorch's layouts (Linear (out, in), Conv2d
 * (out, in, kh, kw), the rows of a Dense after a Flatten of an image
 * permuted from Keras' (h, w, c) order to PyTorch's (c, h, w)), so the
 * script only copies them.  Keras tensors keep Keras' layouts. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

typedef enum {
  LL_SCRIPT_KERAS,
  LL_SCRIPT_PYTORCH,
} LlScriptKind;

/* The line after which a script has its model and weights and nothing
 * has been trained or downloaded yet (tests run the script up to it). */
#define LL_EXPORT_SCRIPT_MARK "# --- end of the model and its weights ---"

/* The weights as (bin, json) in the layout of kind; weights_file is the
 * name the index refers to. */
gboolean ll_export_weights (LlModel *model, LlScriptKind kind, const char *weights_file,
                            GBytes **bin, char **json, GError **error);

/* Writes the script and its two weight files (see above).  config and
 * dataset may be NULL, as for ll_codegen_keras. */
gboolean ll_export_script (LlModel *model, const LlFitConfig *config, const char *dataset,
                           LlScriptKind kind, const char *script_path, GError **error);

G_END_DECLS
