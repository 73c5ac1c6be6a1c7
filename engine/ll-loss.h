/* ll-loss.h: losses and the accuracy metric.
 *
 * Targets are integer class labels; categorical_crossentropy uses their
 * one-hot form, binary_crossentropy uses the label itself for a single
 * output unit and the one-hot form for several.  When the last layer ends
 * in softmax (sigmoid) the model passes logits and the loss is computed in
 * the stable fused form, as Keras does. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
  LL_LOSS_CATEGORICAL_CROSSENTROPY,
  LL_LOSS_BINARY_CROSSENTROPY,
  LL_LOSS_MEAN_SQUARED_ERROR,
  LL_N_LOSSES
} LlLossKind;

extern const char *const ll_loss_names[];
gboolean ll_loss_kind_from_name (const char *name, LlLossKind *kind);

typedef enum {
  LL_LOSS_INPUT_PROBS,    /* outputs are probabilities (or values for MSE) */
  LL_LOSS_INPUT_SOFTMAX_LOGITS,
  LL_LOSS_INPUT_SIGMOID_LOGITS,
} LlLossInput;

/* Mean loss over the batch.  If grad is not NULL it receives d(mean loss)/d(input). */
double ll_loss_compute (LlLossKind kind, LlLossInput input,
                        int batch, int n_out,
                        const float *out, const gint32 *labels,
                        float *grad);

/* Number of rows whose prediction equals the label (argmax; threshold 0.5
 * for a single output unit).  out may be logits or probabilities.  This is
 * Keras' "accuracy", which picks its metric from the shapes, not the loss:
 * binary_accuracy for one output unit, else (sparse_)categorical_accuracy,
 * binary_crossentropy over one-hot rows included (keras compile_utils). */
int    ll_accuracy_count (int batch, int n_out, const float *out, const gint32 *labels);

G_END_DECLS
