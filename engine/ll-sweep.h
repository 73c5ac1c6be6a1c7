/* ll-sweep.h: one run per value of one setting, the rest unchanged, so
 * that the runs differ only in that value (the seeds' comparisons: batch
 * size, learning rate, optimizer, shuffle, dropout, kernel size, weight
 * initializer, batch norm on/off, Flatten vs global average pooling,
 * learning-rate schedule, kernel regularizer, early stopping).
 *
 * A sweep is built, not run: each run is an architecture and training
 * settings, checked to build, which the caller trains as it trains
 * anything (the Train view in an LlTrainingJob, `layerlab train --sweep`
 * in a loop).  Every run keeps the base settings' seed, so all start from
 * the same weights and see the data in the same order. */
#pragma once

#include "ll-arch.h"
#include "ll-trainer.h"

G_BEGIN_DECLS

typedef struct {
  char *value;                /* as given: "0.5" */
  char *label;                /* for legends and tables: "dropout 0.5" */
  LlArch *arch;
  LlFitConfig config;
} LlSweepRun;

void               ll_sweep_run_free (LlSweepRun *run);

/* The keys a sweep can vary (NULL-terminated): "batch_size",
 * "learning_rate", "optimizer", "shuffle", "schedule", "early_stopping"
 * change the training settings; "dropout", "kernel_size",
 * "kernel_initializer", "kernel_regularizer", "batch_norm", "flatten"
 * change the architecture. */
const char *const *ll_sweep_keys     (void);

/* Splits "KEY=V1,V2,…" (spaces around the commas are dropped).  Fails with
 * LL_ERROR_INVALID when there is no '=', no key or no value. */
gboolean           ll_sweep_parse    (const char *text, char **key, char ***values, GError **error);

/* One run per value of key, from base_arch and base_config (both copied).
 * Values by key:
 *   batch_size          integers ≥ 1
 *   learning_rate       numbers > 0
 *   optimizer           sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam
 *                       (that optimizer's Keras defaults)
 *   shuffle             on, off (or true, false)
 *   schedule            constant; step (×0.5 every 2 epochs); exponential
 *                       (×0.95 per epoch); cosine; reduce_lr_on_plateau
 *                       (×0.2 after 1 epoch without a better val_loss); each
 *                       alone, the base's schedule and plateau reduction off
 *   early_stopping      off, on (patience 2), or a patience; on val_loss,
 *                       restoring the best weights
 *   dropout             every Dropout layer's rate
 *   kernel_size         every Conv2D's kernel size
 *   kernel_initializer  every Dense and Conv2D's (glorot_uniform, he_normal, …)
 *   kernel_regularizer  every Dense layer's (none, l1, l2, l1_l2)
 *   batch_norm          on (the model as it is), off (every
 *                       BatchNormalization removed)
 *   flatten             Flatten, GlobalAveragePooling2D: the layer put where
 *                       the first of either stands
 * Runs that watch val_loss get a validation split of 0.2 when the base has
 * none, and then every run of the sweep does, so that all train on the
 * same images.  Returns a GPtrArray of LlSweepRun (freeing them), or NULL with
 * LL_ERROR_INVALID saying what to change: an unknown key, a value that
 * does not parse, a model without the layers the key changes, or a run
 * whose model does not build. */
GPtrArray         *ll_sweep_build    (const LlArch *base_arch, const LlFitConfig *base_config,
                                      const char *key, const char *const *values, GError **error);

G_END_DECLS
