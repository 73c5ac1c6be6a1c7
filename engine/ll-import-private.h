/* ll-import-private.h: what the ONNX and Keras importers share: a model
 * put together layer by layer with its weights, checked against the
 * architecture before anything the size of the model is allocated. */
#pragma once

#include "ll-import.h"
#include "ll-model.h"

G_BEGIN_DECLS

typedef struct {
  LlArch *arch;
  GPtrArray *weights;              /* of LlImportWeight * */
  gsize n_floats;                  /* weights held so far */
} LlImportBuilder;

typedef struct {
  int layer;
  char *name;                      /* "kernel", "bias", "gamma", ... */
  float *data;
  gsize n;
} LlImportWeight;

void      ll_import_builder_init   (LlImportBuilder *b);
void      ll_import_builder_clear  (LlImportBuilder *b);
/* Appends a layer; returns its index. */
int       ll_import_add_layer      (LlImportBuilder *b, const LlLayerSpec *spec);
/* The weight `name` of a layer, n floats, zero-filled when new (the same
 * buffer when asked again with the same n).  NULL with LL_ERROR_MEMORY
 * past LL_IMPORT_MAX_PARAMS. */
float    *ll_import_weight         (LlImportBuilder *b, int layer, const char *name, gsize n,
                                    GError **error);
LlImportWeight *ll_import_find_weight (LlImportBuilder *b, int layer, const char *name);
/* Builds the model: every weight the architecture needs must have been
 * given with its exact size, and no other.  cfg may be NULL (Keras'
 * defaults with Adam).  The weights are those given, not initialised. */
LlTrainer *ll_import_finish        (LlImportBuilder *b, const LlFitConfig *cfg, GError **error);

/* Names in a file are the file's: an error quoting them is made one line
 * of valid UTF-8 (control characters become '?') of reasonable length. */
void      ll_import_clean_error    (GError **error);

/* An Input layer for a flat vector of n values read by a Dense layer: a
 * 28 × 28 digit, a 32 × 32 colour image, a square, else one row. */
void      ll_import_flat_input     (int n, int *h, int *w, int *c);

G_END_DECLS
