/* ll-pytorch.h: what each layer is in PyTorch, in one place: the
 * nn.Sequential lines of the generated script (ll-codegen.c) and the
 * layer's weights in PyTorch's layouts (ll-export-script.c).  One row per
 * layer type that LlLayerType.backends marks as supported by PyTorch. */
#pragma once

#include "ll-model.h"

G_BEGIN_DECLS

/* Has a row for the layer type (tests/test-backends.c checks this against
 * the layer's back-end row). */
gboolean ll_pytorch_knows   (const LlLayerType *type);

/* Appends the nn modules of layer i of arch (shapes: every layer's output
 * shape), its activation included; a softmax or sigmoid on the last
 * layer is left to the loss (nn.CrossEntropyLoss, nn.BCEWithLogitsLoss).
 * *module counts the modules of the nn.Sequential. */
void     ll_pytorch_modules (GString *s, const LlArch *arch, const LlShape *shapes, int i,
                             gboolean last, int *module);

/* One tensor of a layer, in PyTorch's layout (Linear (out, in), Conv2d
 * (out, in, kh, kw), BatchNorm's weight/bias/running_mean/running_var). */
typedef void (*LlPytorchPut) (const char *name, const float *data, gsize n,
                              const int *shape, int rank, gpointer user_data);

/* The tensors of layer i, calling put once per tensor.  Call it for every
 * layer in order, also those without weights: *perm carries the feature
 * order a Flatten of an image leaves for the Dense layer after it
 * (PyTorch flattens (c, h, w), Keras (h, w, c)); free it at the end. */
void     ll_pytorch_layer_tensors (LlModel *model, int i, int **perm, LlPytorchPut put,
                                   gpointer user_data);

/* "nn.Linear, nn.Conv2d, …": the module classes that hold weights, for
 * the generated script's weight loader (isinstance). */
char    *ll_pytorch_weight_modules (void);

G_END_DECLS
