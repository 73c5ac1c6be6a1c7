/* ll-evaluate.h: a model on a whole data set in evaluation mode (dropout
 * off, batch normalization on its moving statistics): whether the data
 * fits, mean loss and accuracy, predictions. */
#pragma once

#include "ll-model.h"
#include "ll-dataset.h"
#include "ll-loss.h"

G_BEGIN_DECLS

/* Whether a data set fits the model (input size, number of classes); the
 * message says what to change. */
gboolean       ll_model_check_dataset  (LlModel *model, const LlDataset *ds, GError **error);

/* Mean loss and accuracy over a data set in evaluation mode.  control
 * (nullable) is read between batches: FALSE with G_IO_ERROR_CANCELLED
 * when it is cancelled. */
gboolean       ll_model_evaluate       (LlModel *model, LlLossKind loss, const LlDataset *ds,
                                        int batch_size, double *loss_out, double *accuracy_out,
                                        const LlControl *control, GError **error);
/* Predicted class of every image (n entries), and optionally all
 * probabilities; control as for ll_model_evaluate. */
gboolean       ll_model_predict_dataset (LlModel *model, const LlDataset *ds, int batch_size,
                                         gint32 *predicted, float *probs,
                                         const LlControl *control, GError **error);

/* Mean loss (plus the regularization term, as Keras reports it) and
 * accuracy over images [start, start + count) of ds, in batches of
 * batch_size; x, labels and idx are the caller's buffers for one batch.
 * The model must be planned for batch_size.  FALSE with
 * G_IO_ERROR_CANCELLED when control is cancelled between two batches. */
gboolean       ll_model_evaluate_range (LlModel *model, LlLossKind loss, const LlDataset *ds,
                                        int start, int count, int batch_size, float *x,
                                        gint32 *labels, guint32 *idx,
                                        double *loss_out, double *acc_out,
                                        const LlControl *control, GError **error);

G_END_DECLS
