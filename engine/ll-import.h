/* ll-import.h: opening a model file of any kind Layerlab reads.
 *
 * One entry point for every place a model is opened (the window, the
 * document, the command line): it looks at the file's first bytes, not
 * only its name, and returns a trainer like a .llmodel file gives, with
 * the imported weights and (for Keras files) the compiled optimizer and
 * loss.  The formats and how they map onto Layerlab's layers are described
 * in docs/import-formats.md. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

typedef enum {
  LL_MODEL_FORMAT_UNKNOWN,
  LL_MODEL_FORMAT_LLMODEL,     /* Layerlab's own (ll-model-file.h) */
  LL_MODEL_FORMAT_ONNX,        /* an ONNX ModelProto */
  LL_MODEL_FORMAT_KERAS_H5,    /* Keras' legacy HDF5 file (model.save("x.h5")) */
  LL_MODEL_FORMAT_KERAS,       /* the Keras 3 .keras zip archive */
} LlModelFormat;

/* Files larger than this are refused before they are read (bytes). */
#define LL_IMPORT_MAX_FILE   ((gsize) 2 << 30)
/* Imported models hold at most this many weights (1 GiB of floats). */
#define LL_IMPORT_MAX_PARAMS ((gsize) 256 << 20)

/* The format of a file from its first bytes; name (may be NULL) decides
 * only for ONNX, which has no signature. */
LlModelFormat ll_model_format_detect (const guint8 *data, gsize len, const char *name);

/* Opens a .llmodel, .onnx, .h5 or .keras file.  Errors are one line that
 * starts with the file's name. */
LlTrainer *ll_model_open_any   (const char *path, GError **error);
/* The same, telling which format the file had (format may be NULL). */
LlTrainer *ll_model_open_any_full (const char *path, LlModelFormat *format, GError **error);
/* The same from memory; name (may be NULL) is used in messages and to
 * recognise ONNX. */
LlTrainer *ll_model_open_bytes (GBytes *bytes, const char *name, GError **error);
LlTrainer *ll_model_open_bytes_full (GBytes *bytes, const char *name, LlModelFormat *format,
                                     GError **error);

/* The importers, for tests and fuzzers. */
LlTrainer *ll_import_onnx      (GBytes *bytes, GError **error);
LlTrainer *ll_import_keras_h5  (GBytes *bytes, GError **error);
LlTrainer *ll_import_keras_zip (GBytes *bytes, GError **error);

G_END_DECLS
