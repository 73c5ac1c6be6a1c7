/* ll-inspect-view.h: the Inspect view: for a chosen test image, every
 * layer's output; the first convolution's filters and the first Dense
 * layer's weights as images; weight and gradient histograms; an occlusion
 * map; the confusion matrix of the test set with the images behind each
 * cell.  Every panel exports to PNG. */
#pragma once

#include <adwaita.h>

#include "ll-document.h"
#include "ll-feature-grid.h"
#include "ll-inspect.h"

G_BEGIN_DECLS

#define LL_TYPE_INSPECT_VIEW (ll_inspect_view_get_type ())
G_DECLARE_FINAL_TYPE (LlInspectView, ll_inspect_view, LL, INSPECT_VIEW, AdwBin)

GtkWidget         *ll_inspect_view_new             (void);

/* Shows test image index (clamped to the test set). */
void               ll_inspect_view_show_image      (LlInspectView *self, guint index);
/* "outputs", "weights", "occlusion", "confusion". */
void               ll_inspect_view_set_page        (LlInspectView *self, const char *name);
/* Starts the confusion matrix computation (in a worker thread). */
void               ll_inspect_view_compute_confusion (LlInspectView *self);

/* For tests and screenshots. */
gboolean           ll_inspect_view_is_busy         (LlInspectView *self);
const float       *ll_inspect_view_get_input       (LlInspectView *self);
/* The feature grid of layer i's output, or NULL when it has none. */
LlFeatureGrid     *ll_inspect_view_get_layer_grid  (LlInspectView *self, int layer);
int                ll_inspect_view_count_output_tiles (LlInspectView *self);
const LlDataset   *ll_inspect_view_get_test_set    (LlInspectView *self);
const LlConfusion *ll_inspect_view_get_confusion   (LlInspectView *self);

G_END_DECLS
