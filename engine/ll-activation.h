/* ll-activation.h: element-wise and softmax activations, forward and backward. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LL_ACT_LINEAR,
  LL_ACT_RELU,
  LL_ACT_SIGMOID,
  LL_ACT_TANH,
  LL_ACT_SOFTMAX,
  LL_N_ACTS
} LlActivation;

/* Keras names in LlActivation order, NULL-terminated. */
extern const char *const ll_activation_names[];

/* y = f(x) over batch rows of n values (softmax is per row). x and y may alias. */
void ll_activation_forward  (LlActivation act, int batch, int n, const float *x, float *y);
/* dx = f'(x) · dy, from the output y. dy and dx may alias. */
void ll_activation_backward (LlActivation act, int batch, int n,
                             const float *y, const float *dy, float *dx);

G_END_DECLS
