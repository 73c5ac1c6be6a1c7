/* ll-conv-sandbox.h: a small convolution to play with: an input of 7×7
 * to 12×12 numbers (painted with the pointer or typed cell by cell), a
 * 3×3 or 5×5 kernel of numbers with the classic kernels one click away
 * (edges, blur, sharpen, emboss) and the first-layer filters of the
 * user's model, padding "valid"/"same" and stride 1/2.  The output is
 * computed by the engine (a one-filter Conv2D model), every unit can be
 * clicked for its arithmetic, and the window can be animated. */
#pragma once

#include <gtk/gtk.h>

#include "ll-model.h"
#include "ll-explain-panel.h"
#include "ll-number-grid.h"
#include "ll-slide-animation.h"

G_BEGIN_DECLS

#define LL_TYPE_CONV_SANDBOX (ll_conv_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (LlConvSandbox, ll_conv_sandbox, LL, CONV_SANDBOX, GtkBox)

GtkWidget        *ll_conv_sandbox_new              (void);
/* Input side (7…12), kernel side (3 or 5), padding and stride (1 or 2). */
void              ll_conv_sandbox_set_geometry     (LlConvSandbox *self, int size, int kernel,
                                                    gboolean same, int stride);
/* size × size values; copied. */
void              ll_conv_sandbox_set_input        (LlConvSandbox *self, const float *values, int size);
/* A classic kernel by id ("identity", "edge-vertical", "edge-horizontal",
 * "outline", "box-blur", "gaussian-blur", "sharpen", "emboss") or a
 * model filter ("model-N"); FALSE for an unknown id. */
gboolean          ll_conv_sandbox_set_kernel_preset (LlConvSandbox *self, const char *id);
/* k × k values; copied. */
void              ll_conv_sandbox_set_kernel       (LlConvSandbox *self, const float *values, int k);
/* The filters of the model's first Conv2D layer (Keras layout k, k, cin,
 * filters: the first input channel of each is offered), or NULL. */
void              ll_conv_sandbox_set_model_kernels (LlConvSandbox *self, const float *kernel,
                                                     int k, int cin, int filters,
                                                     const char *layer_name);
/* A picture to offer as input (h × w in [0, 1], one channel), shrunk to the input size; NULL for none. */
void              ll_conv_sandbox_set_example_image (LlConvSandbox *self, const float *image, int h, int w);

/* The one-filter model that computed the output (its last forward is the
 * input shown), its output map, the explanation shown and the parts. */
LlModel          *ll_conv_sandbox_get_model        (LlConvSandbox *self);
const float      *ll_conv_sandbox_get_output       (LlConvSandbox *self, int *rows, int *cols);
void              ll_conv_sandbox_explain          (LlConvSandbox *self, int row, int col);
LlExplainPanel   *ll_conv_sandbox_get_explain_panel (LlConvSandbox *self);
LlSlideAnimation *ll_conv_sandbox_get_animation    (LlConvSandbox *self);
LlNumberGrid     *ll_conv_sandbox_get_input_grid   (LlConvSandbox *self);
LlNumberGrid     *ll_conv_sandbox_get_output_grid  (LlConvSandbox *self);

G_END_DECLS
