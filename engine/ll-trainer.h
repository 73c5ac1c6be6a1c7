/* ll-trainer.h: fit / evaluate with Keras semantics, callbacks and a
 * history.  A trainer owns a model, the training settings, the optimizer
 * state and the history, which is exactly what a model file holds. */
#pragma once

#include "ll-model.h"
#include "ll-fit-config.h"
#include "ll-optim.h"
#include "ll-dataset.h"

G_BEGIN_DECLS

/* The settings (LlFitConfig and its table) live in ll-fit-config.h. */
double   ll_schedule_lr         (const LlSchedule *s, double base_lr, int epoch, int epochs);

typedef struct {
  int epoch;                  /* 0-based */
  double loss, accuracy;
  double val_loss, val_accuracy;   /* NAN when there is no validation data */
  double lr;
  double seconds;
  double samples_per_s;
} LlEpochRecord;

typedef struct {
  int epoch, batch, n_batches;
  gint64 step;                /* optimizer updates so far */
  double batch_loss;          /* this batch */
  double batch_accuracy;      /* this batch */
  double loss, accuracy;      /* running means over the epoch, as Keras' progress bar */
  double lr;
  double samples_per_s;
  double epoch_seconds;       /* elapsed in this epoch */
} LlBatchEvent;

typedef struct _LlTrainer LlTrainer;

typedef struct {
  void (*on_batch) (const LlBatchEvent *event, gpointer user_data);
  void (*on_epoch) (const LlEpochRecord *record, gpointer user_data);
  /* Called between batches on the training thread, with the model at rest:
   * the place to copy weights or activations for visualizers. May be NULL. */
  void (*between_batches) (LlModel *model, gpointer user_data);
  /* Writes a ModelCheckpoint file (ll_model_file_save_with): the trainer
   * decides when, the caller's file layer writes, so the trainer does not
   * depend on the model file.  Required when checkpoint.enabled. */
  gboolean (*save_checkpoint) (LlTrainer *trainer, const char *path,
                               gboolean include_training_state, GError **error);
  /* Changes a training batch (n images of height × width × channels,
   * scaled to [0, 1]) in place before it is learnt, e.g. ll_augment_batch;
   * never called on validation data.  Draws from rng, the trainer's
   * generator, so that a run stays reproducible from its seed.  May be NULL. */
  void (*transform_batch) (float *x, int n, int height, int width, int channels,
                           LlRng *rng, gpointer user_data);
} LlFitCallbacks;

/* Takes ownership of model. */
LlTrainer     *ll_trainer_new          (LlModel *model, const LlFitConfig *config);
void           ll_trainer_free         (LlTrainer *trainer);
LlModel       *ll_trainer_get_model    (LlTrainer *trainer);
LlFitConfig   *ll_trainer_get_config   (LlTrainer *trainer);
/* Replaces the settings; the optimizer state is reset when the optimizer kind changes. */
gboolean       ll_trainer_set_config   (LlTrainer *trainer, const LlFitConfig *config, GError **error);
/* History of every epoch trained so far (array of LlEpochRecord). */
const GArray  *ll_trainer_get_history  (LlTrainer *trainer);
gint64         ll_trainer_get_step     (LlTrainer *trainer);
float         *ll_trainer_get_optim_state (LlTrainer *trainer, gsize *n);
void           ll_trainer_set_state    (LlTrainer *trainer, gint64 step,
                                        const float *optim_state, gsize n_optim_state,
                                        const LlEpochRecord *history, guint n_history);
/* Learning rate in force now (after schedules and plateau reductions). */
double         ll_trainer_get_lr       (LlTrainer *trainer);
/* A new learning rate from now on (may be called from another thread). */
void           ll_trainer_request_lr   (LlTrainer *trainer, double lr);

/* A new dropout rate for Dropout layer `layer` (-1: all of them) from the
 * next batch on (may be called from another thread). */
void           ll_trainer_request_dropout (LlTrainer *trainer, int layer, double rate);

/* Initialises weights from config->seed and clears optimizer state and history. */
void           ll_trainer_reset        (LlTrainer *trainer);

/* Trains on train for config->epochs more epochs.  val may be NULL, in
 * which case validation_split applies.  control (nullable) is read between
 * batches and between the batches of the validation pass; while it is
 * paused fit waits.  Returns FALSE with G_IO_ERROR_CANCELLED when stopped
 * through control, LL_ERROR_DIVERGED when
 * the loss became NaN or Inf (the weights are those of the last good
 * epoch), or another error.  History is kept in any case. */
gboolean       ll_trainer_fit          (LlTrainer *trainer,
                                        const LlDataset *train, const LlDataset *val,
                                        const LlFitCallbacks *callbacks, gpointer user_data,
                                        const LlControl *control, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlTrainer, ll_trainer_free)

G_END_DECLS
