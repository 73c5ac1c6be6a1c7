/* ll-activation.c: activations, forward from x and backward from y. */
#include "ll-activation.h"
#include "ll-vec.h"

#include <math.h>

const char *const ll_activation_names[] = {
  "linear", "relu", "sigmoid", "tanh", "softmax", NULL
};

static inline float
sigmoidf (float x)
{
  /* Split by sign so that exp never overflows. */
  if (x >= 0.0f)
    return 1.0f / (1.0f + expf (-x));
  float e = expf (x);
  return e / (1.0f + e);
}

/* y may be x (in place).  Vectorized (AVX2 where the CPU has it): the
 * activation of every convolution runs through here. */
LL_VEC_LOOP static void
relu_forward (const float *x, float *y, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* relu'(0) = 0, as in TensorFlow.  dx may be dy. */
static void
relu_backward (const float *y, const float *dy, float *dx, gsize n)
{
  gsize i = 0;

  for (; i + 8 <= n; i += 8)
    {
      float v[8];
      /* Both loads unconditional, so that GCC turns the select into a
       * blend: a branch per element mispredicts on relu's random signs. */
      for (int j = 0; j < 8; j++)
        {
          float d = dy[i + j];
          v[j] = y[i + j] > 0.0f ? d : 0.0f;
        }
      for (int j = 0; j < 8; j++)
        dx[i + j] = v[j];
    }
  for (; i < n; i++)
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void
ll_activation_forward (LlActivation act, int batch, int n, const float *x, float *y)
{
  gsize total = (gsize) batch * n;

  switch (act)
    {
    case LL_ACT_LINEAR:
      if (x != y)
        memcpy (y, x, total * sizeof (float));
      break;
    case LL_ACT_RELU:
      relu_forward (x, y, total);
      break;
    case LL_ACT_SIGMOID:
      for (gsize i = 0; i < total; i++)
        y[i] = sigmoidf (x[i]);
      break;
    case LL_ACT_TANH:
      for (gsize i = 0; i < total; i++)
        y[i] = tanhf (x[i]);
      break;
    case LL_ACT_SOFTMAX:
      for (int b = 0; b < batch; b++)
        {
          const float *xr = x + (gsize) b * n;
          float *yr = y + (gsize) b * n;
          float max = xr[0];
          double sum = 0.0;
          for (int i = 1; i < n; i++)
            max = MAX (max, xr[i]);
          for (int i = 0; i < n; i++)
            {
              yr[i] = expf (xr[i] - max);
              sum += yr[i];
            }
          for (int i = 0; i < n; i++)
            yr[i] = (float) (yr[i] / sum);
        }
      break;
    case LL_N_ACTS:
    default:
      g_return_if_reached ();
    }
}

void
ll_activation_backward (LlActivation act, int batch, int n,
                        const float *y, const float *dy, float *dx)
{
  gsize total = (gsize) batch * n;

  switch (act)
    {
    case LL_ACT_LINEAR:
      if (dx != dy)
        memcpy (dx, dy, total * sizeof (float));
      break;
    case LL_ACT_RELU:
      relu_backward (y, dy, dx, total);
      break;
    case LL_ACT_SIGMOID:
      for (gsize i = 0; i < total; i++)
        dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      break;
    case LL_ACT_TANH:
      for (gsize i = 0; i < total; i++)
        dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case LL_ACT_SOFTMAX:
      /* dx_i = y_i (dy_i − Σ_j dy_j y_j) */
      for (int b = 0; b < batch; b++)
        {
          const float *yr = y + (gsize) b * n, *dyr = dy + (gsize) b * n;
          float *dxr = dx + (gsize) b * n;
          double dot = 0.0;
          for (int i = 0; i < n; i++)
            dot += (double) dyr[i] * yr[i];
          for (int i = 0; i < n; i++)
            dxr[i] = (float) (yr[i] * (dyr[i] - dot));
        }
      break;
    case LL_N_ACTS:
    default:
      g_return_if_reached ();
    }
}
