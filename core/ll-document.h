/* ll-document.h: the model being edited, shared by every view.
 *
 * A document holds an architecture (LlArch), its training settings
 * (LlFitConfig), the data set name, the file it came from, and the built
 * model inside an LlTrainer (weights, optimizer state, history: what a
 * model file holds).  Every edit goes through the document: it records an
 * undo step, rebuilds the model, marks the document dirty and emits
 * "changed".  When the stack does not build, "valid" is FALSE and
 * "error-message" / "bad-layer" say why and where; the model is then NULL.
 *
 * Views read with the getters, edit with the setters, and listen to
 * "changed" (any edit, undo, open or preset) or to property notifications.
 * Three more signals carry no edit: "snapshot" (a model copy published while
 * training runs), "drawn-input-changed" (the Draw view's digit) and
 * "unit-explained" (the Inspect view's chosen unit); the "training-job"
 * property holds the run training the model. */
#pragma once

#include <gio/gio.h>

#include "ll-arch.h"
#include "ll-trainer.h"
#include "ll-training-job.h"

G_BEGIN_DECLS

#define LL_TYPE_DOCUMENT (ll_document_get_type ())
G_DECLARE_FINAL_TYPE (LlDocument, ll_document, LL, DOCUMENT, GObject)

/* An empty document (Input, Flatten, Dense 10 softmax) with Keras defaults. */
LlDocument        *ll_document_new              (void);

/* Reading.  Pointers stay valid until the next change. */
const LlArch      *ll_document_get_arch         (LlDocument *self);
const LlFitConfig *ll_document_get_config       (LlDocument *self);
const char        *ll_document_get_dataset      (LlDocument *self);
/* The built model and its trainer; NULL when the stack is not valid.
 * Training code should work on ll_model_copy() of the model and hand the
 * result back with ll_document_set_trained_model(). */
LlModel           *ll_document_get_model        (LlDocument *self);
LlTrainer         *ll_document_get_trainer      (LlDocument *self);
gboolean           ll_document_get_valid        (LlDocument *self);
const char        *ll_document_get_error_message (LlDocument *self);  /* NULL when valid */
int                ll_document_get_bad_layer    (LlDocument *self);   /* -1 when valid */
/* Output shape of layer i even when a later layer is invalid; FALSE when
 * the shape is unknown (at or after the bad layer). */
gboolean           ll_document_get_layer_shape  (LlDocument *self, int i, LlShape *shape);
/* Weights of layer i (trainable + non-trainable), or -1 when unknown. */
gssize             ll_document_get_layer_params (LlDocument *self, int i);

const char        *ll_document_get_path         (LlDocument *self);   /* NULL before a save */
/* "mnist-cnn.llmodel", or the preset's title for an unsaved document. */
char              *ll_document_dup_title        (LlDocument *self);
gboolean           ll_document_get_dirty        (LlDocument *self);
gboolean           ll_document_get_can_undo     (LlDocument *self);
gboolean           ll_document_get_can_redo     (LlDocument *self);
/* TRUE when the weights have been trained: the trainer has taken
 * optimizer steps or holds a training history (after the Train view, or
 * from a model file saved after training).  FALSE for freshly initialised
 * weights and when the stack is not valid.  Changes come with "changed". */
gboolean           ll_document_get_trained      (LlDocument *self);
/* TRUE while the model holds the weights of an imported ONNX or Keras file
 * (trained elsewhere; ll_document_get_trained is TRUE too), until an edit
 * gives it new weights. */
gboolean           ll_document_get_imported     (LlDocument *self);

/* Edits: each one is an undo step; layer edits keep trained weights only
 * when the architecture does not change.  Index 0 is the Input layer. */
void               ll_document_set_arch         (LlDocument *self, const LlArch *arch);
void               ll_document_set_config       (LlDocument *self, const LlFitConfig *config);
void               ll_document_set_dataset      (LlDocument *self, const char *dataset);
void               ll_document_insert_layer     (LlDocument *self, int position,
                                                 const LlLayerSpec *spec);
void               ll_document_remove_layer     (LlDocument *self, int position);
void               ll_document_move_layer       (LlDocument *self, int from, int to);
void               ll_document_duplicate_layer  (LlDocument *self, int position);
/* Names layer i as the user likes ("hidden_1"; "" or its default name
 * goes back to Keras' default): an undo step, kept in the model file and
 * shown in the code, summary and diagram; trained weights stay.  FALSE,
 * changing nothing, for a name Keras would refuse or another layer's. */
gboolean           ll_document_rename_layer     (LlDocument *self, int layer, const char *name,
                                                 GError **error);
/* Sets one parameter (by name, range-checked).  Successive changes of the
 * same parameter within a second merge into one undo step, so spinning a
 * value does not flood the undo history. */
gboolean           ll_document_set_layer_param  (LlDocument *self, int layer, const char *name,
                                                 double value, GError **error);
/* Replaces the model with trained weights of the same architecture (the
 * Train view).  Not an undo step; marks the document dirty. */
void               ll_document_set_trained_model (LlDocument *self, LlTrainer *trainer);
/* The same, naming the run that trained them ("Run 3, stopped at epoch
 * 1.4"): ll_document_get_weights_run says it until the weights change. */
void               ll_document_set_trained_model_from_run (LlDocument *self, LlTrainer *trainer,
                                                           const char *run);
const char        *ll_document_get_weights_run  (LlDocument *self);   /* NULL: not from a run */
/* Whose weights the model holds, for a caption: the run's description,
 * "the trained weights of mnist-cnn.llmodel", "untrained weights of … (from
 * seed 42)"; NULL when the stack is not valid.  (transfer full) */
char              *ll_document_describe_weights (LlDocument *self);

/* Live snapshots while training (called on the main thread by the Train
 * view's worker callback).  publish_snapshot takes the model, keeps it as
 * the latest (freeing the previous one) and emits "snapshot".  epoch
 * counts from 0; batch == -1 means the end of that epoch.  A history of
 * weights is kept for replay: every end-of-epoch snapshot and a few early
 * ones of epoch 0 (at batches spaced 2× apart), at most
 * LL_DOCUMENT_MAX_HISTORY entries and LL_DOCUMENT_MAX_HISTORY_BYTES of
 * weights (thinned evenly when over).  A snapshot of another architecture
 * than the history's starts a new history.  Edits that change the
 * architecture, open, preset and reset clear all snapshots. */
#define LL_DOCUMENT_MAX_HISTORY 30
#define LL_DOCUMENT_MAX_HISTORY_BYTES ((gsize) 200 * 1024 * 1024)
void               ll_document_publish_snapshot (LlDocument *self, LlModel *snapshot,
                                                 int epoch, int batch);
/* The latest snapshot (owned by the document, valid until the next
 * publish or clear), or NULL. */
LlModel           *ll_document_get_snapshot     (LlDocument *self);
int                ll_document_get_snapshot_epoch (LlDocument *self);  /* -1 when none */
int                ll_document_get_snapshot_batch (LlDocument *self);
/* The Dropout rate a running run uses instead of the model's ("Dropout,
 * this run" in the Train view), NAN when none: the Model view shows it
 * beside the model's own rate.  Not an edit; notifies "live-dropout". */
void               ll_document_set_live_dropout (LlDocument *self, double rate);
double             ll_document_get_live_dropout (LlDocument *self);
/* The name of the run the snapshots come from ("Run 4"), for captions;
 * set by the Train view when a run starts.  NULL: unnamed. */
void               ll_document_set_snapshot_run (LlDocument *self, const char *run);
const char        *ll_document_get_snapshot_run (LlDocument *self);
/* Drops the latest snapshot and the history; emits "snapshot". */
void               ll_document_clear_snapshots  (LlDocument *self);
/* The history, oldest first; entries stay valid until the next publish or clear. */
guint              ll_document_get_n_history    (LlDocument *self);
LlModel           *ll_document_get_history      (LlDocument *self, guint i, int *epoch, int *batch);

/* The digit drawn in the Draw view, 28×28 floats in [0, 1] as the model
 * sees them (copied; NULL clears).  Emits "drawn-input-changed".  Not an
 * edit: no undo step, not dirty. */
void               ll_document_set_drawn_input  (LlDocument *self, const float *x28x28);
/* NULL when nothing is drawn. */
const float       *ll_document_get_drawn_input  (LlDocument *self);

/* The training run of this document's model (the Train view sets it when
 * a run starts and clears it when it ends), for observers such as a
 * lesson: "notify::training-job", then the job's own signals.  Not an
 * edit.  (transfer none) */
void               ll_document_set_training_job (LlDocument *self, LlTrainingJob *job);
LlTrainingJob     *ll_document_get_training_job (LlDocument *self);
/* A unit of a layer was chosen for its arithmetic (the Inspect view):
 * emits "unit-explained" (layer).  Not an edit. */
void               ll_document_explain_unit     (LlDocument *self, int layer);

gboolean           ll_document_undo             (LlDocument *self);
gboolean           ll_document_redo             (LlDocument *self);

/* Whole-document operations.  A preset or a new document clears the path
 * and undo history; the document is clean afterwards.  load_preset also
 * takes LL_DOCUMENT_SHIPPED_DIGITS: the trained digit model that ships
 * with Layerlab (the Draw view's), weights and training history included,
 * so the window's "window.load-preset" action (which asks about unsaved
 * changes first) can load it. */
#define LL_DOCUMENT_SHIPPED_DIGITS "shipped-digits"
gboolean           ll_document_load_preset      (LlDocument *self, const char *name, GError **error);
void               ll_document_reset            (LlDocument *self);
/* Opens a .llmodel, .onnx, .h5 or .keras file (ll_model_reader_open: a
 * Keras file is read in a child process with a time limit).  On an error
 * the document is left as it was. */
gboolean           ll_document_open             (LlDocument *self, const char *path, GError **error);
/* The same with the file read on a worker thread, so the main loop never
 * waits for it; the document changes in the callback's main context, when
 * the model was read (a cancel before then leaves it as it was). */
void               ll_document_open_async       (LlDocument          *self,
                                                 const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean           ll_document_open_finish      (LlDocument *self, GAsyncResult *result,
                                                 GError **error);
/* Saves to path (NULL: the current path, which must be set). */
gboolean           ll_document_save             (LlDocument *self, const char *path, GError **error);

G_END_DECLS
