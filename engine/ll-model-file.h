/* ll-model-file.h: the .llmodel file: architecture (JSON), weights,
 * optimizer state, training settings and history, versioned, checksummed
 * and written atomically.  The format is described in docs/model-format.md. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

#define LL_MODEL_FILE_VERSION 1

/* Writes to a temporary file beside path, then renames it over path. */
gboolean   ll_model_file_save     (LlTrainer *trainer, const char *path, GError **error);
/* include_training_state FALSE: weights only (no optimizer state, no history), as
 * ModelCheckpoint's save_weights_only. */
gboolean   ll_model_file_save_with (LlTrainer *trainer, const char *path,
                                    gboolean include_training_state, GError **error);
/* Memory forms, for resources and tests. */
GBytes    *ll_model_file_to_bytes (LlTrainer *trainer, GError **error);
LlTrainer *ll_model_file_load     (const char *path, GError **error);
LlTrainer *ll_model_file_from_bytes (GBytes *bytes, GError **error);

/* Fit settings as JSON (the "training" member of the file), shared with run files. */
char      *ll_fit_config_to_json   (const LlFitConfig *cfg);
gboolean   ll_fit_config_from_json (LlFitConfig *cfg, const char *json, GError **error);

G_END_DECLS
