/* ll-training-job.h: the bridge that runs ll_trainer_fit on a worker
 * thread and brings its progress to the main loop.
 *
 * The job owns its trainer (a copy the UI never reads) and shares the data
 * through a reference-counted LlTrainingData.  Progress from the worker is
 * coalesced under a mutex into the latest metrics plus history arrays; at
 * most one main-loop source is pending, and "progress" is emitted at most
 * once per frame (16 ms).  Every signal is emitted on the main thread:
 *   "progress" ()                        the latest metrics changed
 *   "epoch"    (gint epoch)              an epoch record was appended
 *   "finished" (GError *error, nullable) the run ended; G_IO_ERROR_CANCELLED
 *                                        when stopped, LL_ERROR_DIVERGED on NaN/Inf
 * After the last epoch the worker evaluates the test set and computes its
 * confusion matrix; those passes, like the epochs and their validation,
 * read the job's LlControl between batches.  Disposing a running job
 * cancels it and waits for the worker (at most one batch), so nothing
 * outlives the job. */
#pragma once

#include <gio/gio.h>

#include "ll-trainer.h"

G_BEGIN_DECLS

/* Training data shared read-only between the view's cache and running jobs. */
typedef struct {
  LlDataset *train;        /* owned */
  LlDataset *test;         /* owned, nullable */
} LlTrainingData;

/* Takes ownership of both data sets. */
LlTrainingData *ll_training_data_new   (LlDataset *train, LlDataset *test);
LlTrainingData *ll_training_data_ref   (LlTrainingData *data);
void            ll_training_data_unref (LlTrainingData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlTrainingData, ll_training_data_unref)

/* The latest metrics, copied out under the job's lock. */
typedef struct {
  int epoch;               /* 0-based epoch of this job (not of the trainer's history) */
  int epochs;              /* epochs this job trains */
  int batch, n_batches;
  gint64 step;
  double batch_loss;
  double loss, accuracy;   /* running means over the epoch */
  double lr;
  double samples_per_s;
  double epoch_seconds;
  double eta_seconds;      /* until the end of the run, estimated */
} LlTrainingProgress;

/* One point per batch: x is in epochs (epoch + (batch + 1) / n_batches). */
typedef struct {
  double x;
  double loss;             /* smoothed (exponential moving average of batch losses) */
  double accuracy;         /* smoothed the same way (batch accuracies), across epochs:
                            * no drop where the epoch's running mean restarts */
} LlBatchPoint;

/* What a live change while training set. */
typedef enum {
  LL_MARK_LEARNING_RATE,
  LL_MARK_DROPOUT,         /* the rate of every Dropout layer */
} LlMarkKind;

/* A live change while training, at x (in epochs), marked on the curves. */
typedef struct {
  double x;
  LlMarkKind kind;
  double value;            /* the new learning rate or dropout rate */
} LlLrMark;

#define LL_TYPE_TRAINING_JOB (ll_training_job_get_type ())
G_DECLARE_FINAL_TYPE (LlTrainingJob, ll_training_job, LL, TRAINING_JOB, GObject)

/* trainer: (transfer full); data: (transfer none), a reference is taken.
 * owner (nullable) is held weakly, for the view to find its jobs. */
LlTrainingJob *ll_training_job_new          (LlTrainer *trainer, LlTrainingData *data,
                                             GObject *owner);
/* Starts the worker; FALSE with an error when already started. */
gboolean       ll_training_job_start        (LlTrainingJob *self, GError **error);
void           ll_training_job_cancel       (LlTrainingJob *self);
void           ll_training_job_set_paused   (LlTrainingJob *self, gboolean paused);
gboolean       ll_training_job_get_paused   (LlTrainingJob *self);
gboolean       ll_training_job_get_running  (LlTrainingJob *self);
/* A new learning rate from the next batch on; recorded as a mark. */
void           ll_training_job_request_lr   (LlTrainingJob *self, double lr);

/* A new rate for every Dropout layer from the next batch on; recorded as a mark. */
void           ll_training_job_request_dropout (LlTrainingJob *self, double rate);
/* The latest copy of the model taken between batches (at most 4 a second,
 * and at the end of every epoch, where *batch is -1), or NULL when there is
 * no new one since the last call.  (transfer full) */
LlModel       *ll_training_job_take_snapshot (LlTrainingJob *self, int *epoch, int *batch);
void           ll_training_job_get_progress (LlTrainingJob *self, LlTrainingProgress *out);
/* Copies of the histories so far (caller frees with g_array_unref). */
GArray        *ll_training_job_dup_batches  (LlTrainingJob *self);   /* of LlBatchPoint */
GArray        *ll_training_job_dup_epochs   (LlTrainingJob *self);   /* of LlEpochRecord */
GArray        *ll_training_job_dup_lr_marks (LlTrainingJob *self);   /* of LlLrMark */
/* The epoch in progress, trained in part (a run stopped inside an epoch):
 * where it stopped (x in epochs, as LlBatchPoint's) and the running means
 * of loss and accuracy over its batches, the figures the status line
 * showed.  FALSE (and NANs) when the last batch ended a recorded epoch. */
gboolean       ll_training_job_get_partial_epoch (LlTrainingJob *self, double *x, double *loss,
                                                  double *accuracy);
/* After "finished" without error: test-set metrics, FALSE when there is no
 * test set (or a cancel came after the last epoch). */
gboolean       ll_training_job_get_test     (LlTrainingJob *self, double *loss, double *accuracy);
/* After "finished" without error and with a test set: the confusion
 * matrix (rows: true class, columns: predicted), n_classes² counts owned
 * by the job; NULL otherwise. */
const guint32 *ll_training_job_get_confusion (LlTrainingJob *self, int *n_classes);
/* After "finished": the trained trainer (transfer full), NULL once taken. */
LlTrainer     *ll_training_job_steal_trainer (LlTrainingJob *self);
GObject       *ll_training_job_dup_owner    (LlTrainingJob *self);   /* (transfer full) (nullable) */

G_END_DECLS
