/* ll-inspect.h: measurements for looking inside a trained model: the
 * confusion matrix of a data set with each image's prediction, occlusion
 * maps and gradient saliency ("what the network looks at"), histograms of
 * weights, and the statistics a batch-normalization layer sees against the
 * moving averages it predicts with. */
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

/* Predicts every image of ds (evaluation mode) and counts: the one
 * confusion matrix of the program (the Inspect view, the training job's
 * test pass).  control (nullable) is read between batches: once cancelled
 * the call returns NULL with G_IO_ERROR_CANCELLED.  The model is
 * re-planned for batch_size; use a private copy when another thread uses
 * the model. */
LlConfusion *ll_inspect_confusion        (LlModel *model, const LlDataset *ds, int batch_size,
                                          const LlControl *control, GError **error);
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

/* Gradient saliency: |∂ score of cls / ∂ pixel| (the score is the logit
 * before a final softmax or sigmoid; ll_model_input_gradient), the largest
 * over the channels: which pixels would change the class score most if
 * nudged.  map receives height × width values of the image input x.  One
 * backward pass in evaluation mode; overwrites the model's weight
 * gradients.  Fails with LL_ERROR_INVALID when the input is not an image. */
gboolean     ll_inspect_saliency         (LlModel *model, const float *x, int cls, float *map,
                                          GError **error);

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

/* One BatchNormalization layer seen by a batch. */
typedef struct {
  int layer;                  /* index in the model; its input is layer - 1's output */
  int channels;
  float *mean, *var;          /* of the batch at the layer's input, per channel (biased variance) */
  float *moving_mean;         /* what the layer predicts with (zeros when the layer has none) */
  float *moving_var;
  float *gamma, *beta;        /* NULL when the layer has no scale / no centre */
  double mean_gap;            /* mean over the channels of |mean − moving_mean| */
  double var_ratio;           /* mean over the channels of (var + 1e-3) / (moving_var + 1e-3) */
} LlBnLayerStats;

typedef struct {
  int batch;                  /* images forwarded */
  int n_layers;
  LlBnLayerStats *layers;     /* one per BatchNormalization layer, in model order */
} LlBnStats;

/* Forwards batch_size images of ds, from number first on (wrapping round),
 * in evaluation mode through a copy of model, and measures for every
 * BatchNormalization layer the statistics of that batch at its input, as
 * training would normalize with them, beside the moving averages it uses
 * when predicting.  Fails with LL_ERROR_INVALID when the model has no
 * BatchNormalization layer, LL_ERROR_SHAPE when ds does not fit it. */
LlBnStats   *ll_inspect_batchnorm        (const LlModel *model, const LlDataset *ds, int batch_size,
                                          guint first, GError **error);
void         ll_bn_stats_free            (LlBnStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlConfusion, ll_confusion_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlBnStats, ll_bn_stats_free)

G_END_DECLS
