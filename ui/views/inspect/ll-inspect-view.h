/* ll-inspect-view.h: the Inspect view: for a chosen test image, every
 * layer's output; how any one unit was computed (the Arithmetic page:
 * its window, weights, products and sum on the real numbers, the window
 * sliding over the input, a convolution sandbox); the first convolution's
 * filters and the first Dense
 * layer's weights as images; weight and gradient histograms; an occlusion
 * map and a gradient saliency map; Dropout layers in a training step; a
 * batch-norm inspector; replay of the training history; the confusion
 * matrix of the test set with the images behind each cell.  Every panel
 * exports to PNG.  A notice says when the model was never trained; an
 * empty state says where to get test images when there are none. */
#pragma once

#include "ll-view.h"

#include "ll-document.h"
#include "ll-feature-grid.h"
#include "ll-inspect.h"
#include "ll-conv-sandbox.h"
#include "ll-explain-panel.h"
#include "ll-number-grid.h"
#include "ll-slide-animation.h"

G_BEGIN_DECLS

#define LL_TYPE_INSPECT_VIEW (ll_inspect_view_get_type ())
G_DECLARE_FINAL_TYPE (LlInspectView, ll_inspect_view, LL, INSPECT_VIEW, LlView)

GtkWidget         *ll_inspect_view_new             (void);

/* Shows test image index (clamped to the test set). */
void               ll_inspect_view_show_image      (LlInspectView *self, guint index);
/* "outputs", "arithmetic", "weights", "occlusion", "batchnorm", "confusion". */
void               ll_inspect_view_set_page        (LlInspectView *self, const char *name);
/* Starts the confusion matrix computation (in a worker thread). */
void               ll_inspect_view_compute_confusion (LlInspectView *self);

/* Layer outputs as in a training step (dropout active) or when predicting. */
void               ll_inspect_view_set_training_mode (LlInspectView *self, gboolean training);
/* Replays the document's history entry (-1 or past the end: now). */
void               ll_inspect_view_set_history_position (LlInspectView *self, int position);
/* Inspects the document's drawn digit (when there is one and it fits). */
void               ll_inspect_view_use_drawn_input (LlInspectView *self);

/* The Arithmetic page: shows how unit `unit` (y, x, c of an image output,
 * i of a vector) of layer `layer` was computed for the chosen image. */
void               ll_inspect_view_explain_unit    (LlInspectView *self, int layer, const int *unit,
                                                    int unit_rank);
/* The Arithmetic page as a training step (dropout, batch statistics) or predicting. */
void               ll_inspect_view_set_explain_training (LlInspectView *self, gboolean training);
/* The Arithmetic page's convolution sandbox. */
void               ll_inspect_view_show_sandbox    (LlInspectView *self);

/* For tests and screenshots. */
LlExplainPanel    *ll_inspect_view_get_explain_panel (LlInspectView *self);
/* The Arithmetic page's clickable output map of the chosen layer and channel. */
LlNumberGrid      *ll_inspect_view_get_explain_map (LlInspectView *self);
LlSlideAnimation  *ll_inspect_view_get_slide_animation (LlInspectView *self);
LlConvSandbox     *ll_inspect_view_get_sandbox     (LlInspectView *self);
/* The Arithmetic page's copy of the model; its last forward is what the page shows. */
LlModel           *ll_inspect_view_get_explain_model (LlInspectView *self);
LlFeatureGrid     *ll_inspect_view_get_saliency_grid (LlInspectView *self);
/* The three strips of Dropout layer `layer`: its evaluation output, its
 * output in a training step, 1 where that step switched a unit off. */
gboolean           ll_inspect_view_get_dropout_grids (LlInspectView *self, int layer,
                                                      LlFeatureGrid **eval, LlFeatureGrid **train,
                                                      LlFeatureGrid **mask);
/* Batch statistics of the input of BatchNormalization layer `layer`
 * (computed while the Batch Norm page is shown). */
gboolean           ll_inspect_view_get_bn_stats    (LlInspectView *self, int layer, int *channels,
                                                    const float **mean, const float **var);
gboolean           ll_inspect_view_is_busy         (LlInspectView *self);
const float       *ll_inspect_view_get_input       (LlInspectView *self);
/* The feature grid of layer i's output, or NULL when it has none. */
LlFeatureGrid     *ll_inspect_view_get_layer_grid  (LlInspectView *self, int layer);
int                ll_inspect_view_count_output_tiles (LlInspectView *self);
const LlDataset   *ll_inspect_view_get_test_set    (LlInspectView *self);
const LlConfusion *ll_inspect_view_get_confusion   (LlInspectView *self);
/* The notice over a model that was never trained, and its "Use Shipped
 * Digit Model" button. */
gboolean           ll_inspect_view_get_untrained_notice_shown (LlInspectView *self);
GtkWidget         *ll_inspect_view_get_shipped_model_button (LlInspectView *self);
/* The empty state's text when no test images were found (NULL while the
 * view shows images), and its button to the Data view. */
const char        *ll_inspect_view_get_empty_message (LlInspectView *self);
GtkWidget         *ll_inspect_view_get_data_view_button (LlInspectView *self);

G_END_DECLS
