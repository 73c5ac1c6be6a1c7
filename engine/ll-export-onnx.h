/* ll-export-onnx.h: a model as an ONNX file (opset 13, IR version 7).
 *
 * The graph computes what ll_model_predict computes (evaluation mode:
 * dropout left out, batch normalization with its moving statistics).  Its
 * input "input" is a batch of images as Layerlab feeds them:
 * [N, height, width, channels] float, channels last, scaled to [0, 1]; its
 * output "output" has the model's output shape with the batch first, in
 * Keras' layout (channels last when the model ends on an image).
 * Convolutions run channels first inside the graph, as ONNX defines them. */
#pragma once

#include "ll-model.h"

G_BEGIN_DECLS

/* Has a graph for the layer type (tests/test-backends.c checks this
 * against the layer's back-end row). */
gboolean ll_export_onnx_knows (const LlLayerType *type);

#define LL_EXPORT_ONNX_OPSET      13
#define LL_EXPORT_ONNX_IR_VERSION 7

/* The serialized ModelProto. */
GBytes   *ll_export_onnx_bytes (LlModel *model, GError **error);

/* Writes the model to path, replacing it atomically. */
gboolean  ll_export_onnx       (LlModel *model, const char *path, GError **error);

G_END_DECLS
