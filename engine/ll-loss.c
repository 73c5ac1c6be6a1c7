/* ll-loss.c: cross-entropies (plain and fused with softmax/sigmoid), MSE,
 * and accuracy.  Plain forms clip probabilities to [1e-7, 1 − 1e-7] as
 * Keras' backend epsilon does. */
#include "ll-loss.h"

#include <math.h>

#define EPS 1e-7

const char *const ll_loss_names[] = {
  "sparse_categorical_crossentropy", "categorical_crossentropy",
  "binary_crossentropy", "mean_squared_error", NULL
};

gboolean
ll_loss_kind_from_name (const char *name, LlLossKind *kind)
{
  for (int i = 0; ll_loss_names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, ll_loss_names[i]) == 0)
      {
        *kind = (LlLossKind) i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "mse") == 0)
    {
      *kind = LL_LOSS_MEAN_SQUARED_ERROR;
      return TRUE;
    }
  return FALSE;
}

/* Target t of unit j for a row whose label is `label`. */
static inline double
target (int n_out, int label, int j)
{
  if (n_out == 1)
    return label != 0 ? 1.0 : 0.0;
  return j == label ? 1.0 : 0.0;
}

static double
softmax_ce (int batch, int n, const float *z, const gint32 *labels, float *grad)
{
  double total = 0.0;
  for (int b = 0; b < batch; b++)
    {
      const float *zr = z + (gsize) b * n;
      float max = zr[0];
      double sum = 0.0;
      for (int j = 1; j < n; j++)
        max = MAX (max, zr[j]);
      for (int j = 0; j < n; j++)
        sum += exp ((double) zr[j] - max);
      /* −log softmax(z)_y = log Σ exp(z) − z_y */
      total += log (sum) + max - zr[labels[b]];
      if (grad != NULL)
        for (int j = 0; j < n; j++)
          grad[(gsize) b * n + j] =
            (float) ((exp ((double) zr[j] - max) / sum - target (n, labels[b], j)) / batch);
    }
  return total / batch;
}

static double
sigmoid_bce (int batch, int n, const float *z, const gint32 *labels, float *grad)
{
  double total = 0.0;
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < n; j++)
      {
        double x = z[(gsize) b * n + j], t = target (n, labels[b], j);
        /* max(x,0) − x·t + log(1 + e^−|x|), the stable form */
        total += MAX (x, 0.0) - x * t + log1p (exp (-fabs (x)));
        if (grad != NULL)
          {
            double s = x >= 0 ? 1.0 / (1.0 + exp (-x)) : exp (x) / (1.0 + exp (x));
            grad[(gsize) b * n + j] = (float) ((s - t) / ((double) batch * n));
          }
      }
  return total / ((double) batch * n);
}

double
ll_loss_compute (LlLossKind kind, LlLossInput input,
                 int batch, int n_out,
                 const float *out, const gint32 *labels,
                 float *grad)
{
  double total = 0.0;

  g_return_val_if_fail (batch > 0 && n_out > 0, NAN);

  switch (kind)
    {
    case LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
    case LL_LOSS_CATEGORICAL_CROSSENTROPY:
      if (input == LL_LOSS_INPUT_SOFTMAX_LOGITS)
        return softmax_ce (batch, n_out, out, labels, grad);
      for (int b = 0; b < batch; b++)
        {
          const float *p = out + (gsize) b * n_out;
          /* Keras normalises the rows to sum to one before the log. */
          double sum = 0.0;
          for (int j = 0; j < n_out; j++)
            sum += p[j];
          if (sum <= 0.0)
            sum = 1.0;
          double qy = p[labels[b]] / sum;
          total += -log (CLAMP (qy, EPS, 1.0 - EPS));
          if (grad != NULL)
            for (int j = 0; j < n_out; j++)
              {
                /* d(−log(p_y / Σp))/dp_j = −[j = y]/p_y + 1/Σp; zero where the clip holds */
                double g = 0.0;
                if (qy > EPS && qy < 1.0 - EPS)
                  g = (j == labels[b] ? -1.0 / p[j] : 0.0) + 1.0 / sum;
                grad[(gsize) b * n_out + j] = (float) (g / batch);
              }
        }
      return total / batch;

    case LL_LOSS_BINARY_CROSSENTROPY:
      if (input == LL_LOSS_INPUT_SIGMOID_LOGITS)
        return sigmoid_bce (batch, n_out, out, labels, grad);
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < n_out; j++)
          {
            double p = CLAMP ((double) out[(gsize) b * n_out + j], EPS, 1.0 - EPS);
            double t = target (n_out, labels[b], j);
            total += -(t * log (p) + (1.0 - t) * log (1.0 - p));
            if (grad != NULL)
              {
                double raw = out[(gsize) b * n_out + j];
                double g = (raw > EPS && raw < 1.0 - EPS) ? (p - t) / (p * (1.0 - p)) : 0.0;
                grad[(gsize) b * n_out + j] = (float) (g / ((double) batch * n_out));
              }
          }
      return total / ((double) batch * n_out);

    case LL_LOSS_MEAN_SQUARED_ERROR:
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < n_out; j++)
          {
            double d = out[(gsize) b * n_out + j] - target (n_out, labels[b], j);
            total += d * d;
            if (grad != NULL)
              grad[(gsize) b * n_out + j] = (float) (2.0 * d / ((double) batch * n_out));
          }
      return total / ((double) batch * n_out);

    case LL_N_LOSSES:
    default:
      g_return_val_if_reached (NAN);
    }
}

int
ll_accuracy_count (int batch, int n_out, const float *out, const gint32 *labels)
{
  int correct = 0;
  for (int b = 0; b < batch; b++)
    {
      const float *r = out + (gsize) b * n_out;
      int best = 0;
      if (n_out == 1)
        best = r[0] > 0.5f ? 1 : 0;
      else
        for (int j = 1; j < n_out; j++)
          if (r[j] > r[best])
            best = j;
      correct += best == labels[b];
    }
  return correct;
}
