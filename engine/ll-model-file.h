/* ll-model-file.h: the .llmodel file: architecture (JSON), weights,
 * optimizer state, training settings and history, versioned, checksummed
 * and written atomically.  The format is described in docs/model-format.md. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

/* 2: absent keys mean Keras 3's defaults (a Dense layer without
 * "activation" is linear; no training settings is RMSprop); files of
 * format 1 are read as they were written (relu; Adam). */
#define LL_MODEL_FILE_VERSION 2

/* The largest model file Layerlab reads (bytes). */
#define LL_MODEL_FILE_MAX_BYTES ((gsize) 2 << 30)

/* Writes to a temporary file beside path, then renames it over path
 * (ll_file_save: a FIFO or device is refused, a failure leaves nothing). */
gboolean   ll_model_file_save     (LlTrainer *trainer, const char *path, GError **error);
/* include_training_state FALSE: weights only (no optimizer state, no history), as
 * ModelCheckpoint's save_weights_only. */
gboolean   ll_model_file_save_with (LlTrainer *trainer, const char *path,
                                    gboolean include_training_state, GError **error);
/* control (nullable) cancels the write (Ctrl+C): the temporary file is
 * removed and the error is G_IO_ERROR_CANCELLED. */
gboolean   ll_model_file_save_full (LlTrainer *trainer, const char *path,
                                    gboolean include_training_state, LlControl *control,
                                    GError **error);
/* Memory forms, for resources and tests. */
GBytes    *ll_model_file_to_bytes (LlTrainer *trainer, GError **error);
LlTrainer *ll_model_file_load     (const char *path, GError **error);
LlTrainer *ll_model_file_from_bytes (GBytes *bytes, GError **error);

/* The "training" member is ll_fit_config_to_json_node() (ll-fit-config.h),
 * the same object run files hold. */

G_END_DECLS
