/* ll-arch.h: a model architecture, the editable description of a layer
 * stack.  The UI edits it, the engine builds a model from it, the model
 * file stores it as JSON and the code panel turns it into Keras/PyTorch. */
#pragma once

#include "ll-layer.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GArray *layers;                   /* of LlLayerSpec; layers[0] is the Input */
} LlArch;

LlArch      *ll_arch_new        (void);
LlArch      *ll_arch_copy       (const LlArch *arch);
void         ll_arch_free       (LlArch *arch);
int          ll_arch_n_layers   (const LlArch *arch);
LlLayerSpec *ll_arch_layer      (const LlArch *arch, int i);
void         ll_arch_append     (LlArch *arch, const LlLayerSpec *spec);
void         ll_arch_insert     (LlArch *arch, int position, const LlLayerSpec *spec);
void         ll_arch_remove     (LlArch *arch, int position);
void         ll_arch_move       (LlArch *arch, int from, int to);
gboolean     ll_arch_equal      (const LlArch *a, const LlArch *b);

/* Keras-style automatic names: "dense", "dense_1", "conv2d", ... for layer i. */
char        *ll_arch_layer_name (const LlArch *arch, int i);
/* TRUE when name can be layer i's: Keras' characters, shorter than
 * LL_LAYER_NAME_MAX, no other layer's name; NULL or "" (the default name)
 * always can.  Otherwise FALSE with a message that says what to type. */
gboolean     ll_arch_check_layer_name (const LlArch *arch, int i, const char *name,
                                       GError **error);

/* Checks every layer's shape in order. On failure *bad_layer is the index
 * of the layer at fault and the message says how to fix it. */
gboolean     ll_arch_validate   (const LlArch *arch, int *bad_layer, GError **error);
/* Output shape of every layer (n_layers entries), or NULL with an error. */
LlShape     *ll_arch_infer_shapes (const LlArch *arch, int *bad_layer, GError **error);

/* One layer a line, "Type name=value ...", as the presets are written:
 * "Input height=28 width=28 channels=1\nFlatten\nDense units=10 activation=softmax".
 * Unknown types and parameters and out-of-range values are errors. */
LlArch      *ll_arch_from_text  (const char *text, GError **error);

/* JSON: {"layers": [{"class_name": "Dense", "config": {"units": 128, ...}}, ...]} */
char        *ll_arch_to_json    (const LlArch *arch);
LlArch      *ll_arch_from_json  (const char *json, gssize length, GError **error);
/* An architecture .json file, read with ll_json_parse_file (a regular file
 * of at most 16 MB). */
LlArch      *ll_arch_load       (const char *path, GError **error);
JsonNode    *ll_arch_to_json_node   (const LlArch *arch);
/* Absent parameters take the layer tables' defaults, which are Keras 3's
 * (a Dense layer without "activation" is linear). */
LlArch      *ll_arch_from_json_node (JsonNode *node, GError **error);
/* The same for the architecture of a model file of format `format`:
 * absent parameters mean what they meant when that format was current
 * (format 1: a Dense layer without "activation" is relu). */
LlArch      *ll_arch_from_json_node_format (JsonNode *node, int format, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlArch, ll_arch_free)

G_END_DECLS
