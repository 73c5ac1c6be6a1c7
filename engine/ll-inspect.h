/* ll-inspect.h: measurements for looking inside a trained model: the
 * confusion matrix of a data set with each image's prediction, occlusion
 * maps ("what the network looks at"), histograms of weights and the
 * per-channel statistics a batch-normalization layer sees.
 *
 * The engine computes no input gradients (the first op's backward is given
 * no dx), so there is no gradient saliency here: occlusion needs only
 * forward passes and answers the same question by experiment. */
#pragma once

#include "ll-model.h"
#include "ll-dataset.h"

G_BEGIN_DECLS

typedef struct {
  int n_classes;
  int n;                  /* images */
  guint32 *matrix;        /* n_classes × n_classes: row = true class, column = predicted */
  guint8 *labels;         /* n: true class of each image */
  gint32 *predicted;      /* n: predicted class */
  float *confidence;      /* n: probability of the predicted class */
} LlConfusion;

/* Predicts every image of ds (evaluation mode) and counts.  cancel
 * (nullable) is read between batches: when it becomes non-zero the call
 * returns NULL with LL_ERROR_CANCELLED.  The model is re-planned for
 * batch_size; use a private copy when another thread uses the model. */
LlConfusion *ll_inspect_confusion        (LlModel *model, const LlDataset *ds, int batch_size,
                                          const gint *cancel, GError **error);
void         ll_confusion_free           (LlConfusion *c);
guint32      ll_confusion_total          (const LlConfusion *c);
/* Diagonal / total. */
double       ll_confusion_accuracy       (const LlConfusion *c);
/* Recall of one class: right / images of that class (NAN when there are none). */
double       ll_confusion_class_accuracy (const LlConfusion *c, int cls);
/* Indices of the images with this true and predicted class, most confident
 * first; returns how many were written (at most max). */
int          ll_confusion_cell_images    (const LlConfusion *c, int true_class, int predicted_class,
                                          guint32 *out, int max);
/* The wrong predictions with the highest confidence, most confident first. */
int          ll_confusion_most_wrong     (const LlConfusion *c, guint32 *out, int max);

/* Occlusion: slides a patch×patch square of value fill over x (one sample
 * of the model's image input, HWC) in steps of stride and records how much
 * the probability of cls falls.  map receives map_h × map_w values with
 * map_h = ceil(H / stride), map_w = ceil(W / stride) (use
 * ll_inspect_occlusion_size); positive = the patch hid evidence for cls.
 * *base_prob (nullable) receives the unoccluded probability. */
void         ll_inspect_occlusion_size   (const LlModel *model, int stride, int *map_h, int *map_w);
gboolean     ll_inspect_occlusion        (LlModel *model, const float *x, int cls,
                                          int patch, int stride, float fill,
                                          float *map, float *base_prob, GError **error);

/* Counts v into n_bins equal bins over [*lo, *hi].  When *lo >= *hi the
 * range is the data's min and max, written back.  Non-finite values are
 * skipped.  Returns the number of values counted. */
gsize        ll_inspect_histogram        (const float *v, gsize n, int n_bins,
                                          float *lo, float *hi, guint32 *counts);

/* Per-channel mean and variance of a channels-last tensor: x holds n_rows
 * rows of channels values (a batch of (h, w, c) maps is batch·h·w rows).
 * The variance is the biased one (divided by n_rows), as batch
 * normalization uses it.  Sums in double, so large batches stay exact. */
void         ll_inspect_channel_stats    (const float *x, gsize n_rows, int channels,
                                          float *mean, float *var);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlConfusion, ll_confusion_free)

G_END_DECLS
