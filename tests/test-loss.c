/* test-loss.c: loss values Keras users know by heart, the fused
 * softmax/sigmoid forms against the plain ones, finite-difference
 * gradients for every loss and input kind, and the accuracy count. */
#include <math.h>

#include "ll-loss.h"
#include "ll-activation.h"
#include "ll-test-util.h"

static void
test_names (void)
{
  LlLossKind kind = LL_N_LOSSES;

  for (int i = 0; i < LL_N_LOSSES; i++)
    {
      g_assert_nonnull (ll_loss_names[i]);
      g_assert_true (ll_loss_kind_from_name (ll_loss_names[i], &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_null (ll_loss_names[LL_N_LOSSES]);
  g_assert_true (ll_loss_kind_from_name ("mse", &kind));
  g_assert_cmpint (kind, ==, LL_LOSS_MEAN_SQUARED_ERROR);
  g_assert_false (ll_loss_kind_from_name ("hinge", &kind));
}

/* −log 0.1 = 2.302585, −log 0.9 = 0.105361 (the DESIGN's figures). */
static void
test_known_values (void)
{
  float p[2][10];
  gint32 labels[2] = { 3, 7 };
  double l;

  for (int r = 0; r < 2; r++)
    for (int j = 0; j < 10; j++)
      p[r][j] = 0.1f;
  /* Row 1: 0.9 on the true class, the rest spread over the others. */
  for (int j = 0; j < 10; j++)
    p[1][j] = j == 7 ? 0.9f : 0.1f / 9;

  for (int kind = LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; kind <= LL_LOSS_CATEGORICAL_CROSSENTROPY; kind++)
    {
      l = ll_loss_compute (kind, LL_LOSS_INPUT_PROBS, 1, 10, p[0], &labels[0], NULL);
      g_assert_cmpfloat_with_epsilon (l, 2.302585, 1e-6);
      l = ll_loss_compute (kind, LL_LOSS_INPUT_PROBS, 1, 10, p[1], &labels[1], NULL);
      g_assert_cmpfloat_with_epsilon (l, 0.105361, 1e-6);
      /* The batch mean of both rows. */
      l = ll_loss_compute (kind, LL_LOSS_INPUT_PROBS, 2, 10, &p[0][0], labels, NULL);
      g_assert_cmpfloat_with_epsilon (l, (2.302585 + 0.105361) / 2, 1e-6);
    }

  /* Binary: one unit, p = 0.9 for label 1 and 0.1 for label 0 are both 0.105361. */
  {
    float out[2] = { 0.9f, 0.1f };
    gint32 lab[2] = { 1, 0 };
    l = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 2, 1, out, lab, NULL);
    g_assert_cmpfloat_with_epsilon (l, 0.105361, 1e-6);
    lab[0] = 0;
    l = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 1, 1, out, lab, NULL);
    g_assert_cmpfloat_with_epsilon (l, 2.302585, 1e-6);
  }
  /* Binary over several units: the mean over units of the one-hot target:
   * units (0.9 | t=1) and (0.1, 0.1 | t=0): all three 0.105361. */
  {
    float out[3] = { 0.1f, 0.9f, 0.1f };
    gint32 lab = 1;
    l = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 1, 3, out, &lab, NULL);
    g_assert_cmpfloat_with_epsilon (l, 0.105361, 1e-6);
  }
  /* MSE: mean over units of (p − one_hot)²: (0.01 + 0.01 + 0.04)/3 = 0.02 */
  {
    float out[3] = { 0.1f, 0.9f, 0.2f };
    gint32 lab = 1;
    l = ll_loss_compute (LL_LOSS_MEAN_SQUARED_ERROR, LL_LOSS_INPUT_PROBS, 1, 3, out, &lab, NULL);
    g_assert_cmpfloat_with_epsilon (l, 0.02, 1e-7);
  }
  /* Clipping: p = 0 on the true class gives −log 1e-7, not infinity. */
  {
    float out[2] = { 0.0f, 1.0f };
    gint32 lab = 0;
    l = ll_loss_compute (LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 1, 2, out, &lab, NULL);
    g_assert_cmpfloat_with_epsilon (l, -log (1e-7), 1e-4);
  }
}

/* The fused logits forms equal the plain forms on softmax/sigmoid of the
 * logits, and survive logits of ±1000. */
static void
test_fused (void)
{
  enum { B = 4, K = 5 };
  float z[B * K], p[B * K], g_fused[B * K], g_plain_p[B * K];
  gint32 labels[B] = { 0, 4, 2, 2 };

  ll_test_fill_uniform (z, B * K, -4, 4, 5);
  ll_activation_forward (LL_ACT_SOFTMAX, B, K, z, p);
  for (int kind = LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; kind <= LL_LOSS_CATEGORICAL_CROSSENTROPY; kind++)
    {
      double fused = ll_loss_compute (kind, LL_LOSS_INPUT_SOFTMAX_LOGITS, B, K, z, labels, g_fused);
      double plain = ll_loss_compute (kind, LL_LOSS_INPUT_PROBS, B, K, p, labels, g_plain_p);
      g_assert_cmpfloat_with_epsilon (fused, plain, 1e-5);
      /* Chain rule through softmax: dL/dz = softmax'ᵀ · dL/dp = p − onehot over B. */
      ll_activation_backward (LL_ACT_SOFTMAX, B, K, p, g_plain_p, g_plain_p);
      for (int i = 0; i < B * K; i++)
        g_assert_cmpfloat_with_epsilon (g_fused[i], g_plain_p[i], 1e-5);
      for (int b = 0; b < B; b++)
        for (int j = 0; j < K; j++)
          g_assert_cmpfloat_with_epsilon (g_fused[b * K + j],
                                          (p[b * K + j] - (j == labels[b])) / B, 1e-6);
    }

  /* Sigmoid + binary CE, one and several units. */
  for (int n_out = 1; n_out <= K; n_out += K - 1)
    {
      gint32 lab[B] = { 1, 0, n_out - 1, 0 };
      double fused, plain;
      ll_activation_forward (LL_ACT_SIGMOID, B, n_out, z, p);
      fused = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_SIGMOID_LOGITS, B, n_out, z, lab, g_fused);
      plain = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, B, n_out, p, lab, g_plain_p);
      g_assert_cmpfloat_with_epsilon (fused, plain, 1e-5);
      ll_activation_backward (LL_ACT_SIGMOID, B, n_out, p, g_plain_p, g_plain_p);
      for (int i = 0; i < B * n_out; i++)
        g_assert_cmpfloat_with_epsilon (g_fused[i], g_plain_p[i], 1e-5);
    }

  /* Extreme logits: finite, and the right values. */
  {
    float big[6] = { 1000.0f, -1000.0f, 0.0f, -1000.0f, -1000.0f, 1000.0f };
    gint32 right[2] = { 0, 2 }, wrong[2] = { 1, 0 };
    float g[6];
    double l;

    for (int kind = LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY; kind <= LL_LOSS_CATEGORICAL_CROSSENTROPY; kind++)
      {
        l = ll_loss_compute (kind, LL_LOSS_INPUT_SOFTMAX_LOGITS, 2, 3, big, right, g);
        g_assert_true (isfinite (l));
        g_assert_cmpfloat_with_epsilon (l, 0.0, 1e-9);
        for (int i = 0; i < 6; i++)
          g_assert_true (isfinite (g[i]));
        /* −log softmax: 2000 for row 0 label 1, 2000 for row 1 label 0. */
        l = ll_loss_compute (kind, LL_LOSS_INPUT_SOFTMAX_LOGITS, 2, 3, big, wrong, g);
        g_assert_cmpfloat_with_epsilon (l, 2000.0, 1e-6);
        for (int i = 0; i < 6; i++)
          {
            g_assert_true (isfinite (g[i]));
            g_assert_cmpfloat (fabs (g[i]), <=, 0.5 + 1e-6);
          }
      }
    for (int i = 0; i < 6; i++)
      {
        gint32 lab = big[i] > 0 ? 1 : 0;
        float gi;
        l = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_SIGMOID_LOGITS, 1, 1, &big[i], &lab, &gi);
        g_assert_true (isfinite (l) && isfinite (gi));
        g_assert_cmpfloat_with_epsilon (l, big[i] == 0.0f ? log (2.0) : 0.0, 1e-9);
        lab = !lab;
        l = ll_loss_compute (LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_SIGMOID_LOGITS, 1, 1, &big[i], &lab, &gi);
        g_assert_true (isfinite (l) && isfinite (gi));
        g_assert_cmpfloat_with_epsilon (l, big[i] == 0.0f ? log (2.0) : 1000.0, 1e-6);
      }
  }
}

typedef struct {
  const char *path;
  LlLossKind kind;
  LlLossInput input;
  int n_out;
  double lo, hi;                   /* range of the inputs */
} GradCase;

static const GradCase grad_cases[] = {
  { "/engine/loss/grad/sparse-probs", LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 7, 0.05, 1.0 },
  { "/engine/loss/grad/sparse-softmax-logits", LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, LL_LOSS_INPUT_SOFTMAX_LOGITS, 7, -3, 3 },
  { "/engine/loss/grad/categorical-probs", LL_LOSS_CATEGORICAL_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 7, 0.05, 1.0 },
  { "/engine/loss/grad/categorical-softmax-logits", LL_LOSS_CATEGORICAL_CROSSENTROPY, LL_LOSS_INPUT_SOFTMAX_LOGITS, 7, -3, 3 },
  { "/engine/loss/grad/binary-probs-1", LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 1, 0.05, 0.95 },
  { "/engine/loss/grad/binary-probs-5", LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_PROBS, 5, 0.05, 0.95 },
  { "/engine/loss/grad/binary-sigmoid-logits-1", LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_SIGMOID_LOGITS, 1, -4, 4 },
  { "/engine/loss/grad/binary-sigmoid-logits-5", LL_LOSS_BINARY_CROSSENTROPY, LL_LOSS_INPUT_SIGMOID_LOGITS, 5, -4, 4 },
  { "/engine/loss/grad/mse-1", LL_LOSS_MEAN_SQUARED_ERROR, LL_LOSS_INPUT_PROBS, 1, -1, 2 },
  { "/engine/loss/grad/mse-5", LL_LOSS_MEAN_SQUARED_ERROR, LL_LOSS_INPUT_PROBS, 5, -1, 2 },
};

/* Central differences in double on float inputs: the step actually taken
 * is the difference of the two rounded floats. */
static void
test_grad (gconstpointer data)
{
  const GradCase *c = data;
  enum { B = 6 };
  int n = B * c->n_out;
  g_autofree float *x = g_new (float, n);
  g_autofree float *g = g_new (float, n);
  gint32 labels[B];
  double max_err = 0.0, max_g = 0.0;

  ll_test_fill_uniform (x, n, c->lo, c->hi, 31 + c->kind * 7 + c->input * 3 + c->n_out);
  for (int b = 0; b < B; b++)
    labels[b] = c->n_out == 1 ? b % 2 : (b * 3) % c->n_out;
  (void) ll_loss_compute (c->kind, c->input, B, c->n_out, x, labels, g);

  for (int i = 0; i < n; i++)
    {
      float orig = x[i];
      float xp = orig + 1e-3f, xm = orig - 1e-3f;
      double lp, lm, num;

      x[i] = xp;
      lp = ll_loss_compute (c->kind, c->input, B, c->n_out, x, labels, NULL);
      x[i] = xm;
      lm = ll_loss_compute (c->kind, c->input, B, c->n_out, x, labels, NULL);
      x[i] = orig;
      num = (lp - lm) / ((double) xp - xm);
      max_err = MAX (max_err, fabs (num - g[i]) / (fabs (num) + 1e-3));
      max_g = MAX (max_g, fabs (g[i]));
      if (fabs (num - g[i]) > 2e-3 * fabs (num) + 2e-5)
        g_error ("%s: d/dx[%d] analytic %g, numeric %g", c->path, i, g[i], num);
    }
  /* The gradient is not trivially zero. */
  g_assert_cmpfloat (max_g, >, 1e-3);
  g_test_message ("%s: max relative error %.2e", c->path, max_err);
}

static void
test_accuracy (void)
{
  const float out[4 * 3] = {
    0.1f, 0.7f, 0.2f,
    3.0f, -1.0f, 2.0f,        /* logits work too */
    0.3f, 0.3f, 0.4f,
    0.5f, 0.25f, 0.25f,
  };
  gint32 labels[4] = { 1, 0, 0, 0 };
  const float one[5] = { 0.7f, 0.3f, 0.51f, 0.49f, 0.9f };
  gint32 one_labels[5] = { 1, 0, 1, 0, 0 };

  g_assert_cmpint (ll_accuracy_count (4, 3, out, labels), ==, 3);
  labels[2] = 2;
  g_assert_cmpint (ll_accuracy_count (4, 3, out, labels), ==, 4);
  labels[0] = 2;
  g_assert_cmpint (ll_accuracy_count (4, 3, out, labels), ==, 3);
  /* One unit: threshold 0.5 (rows 0 to 3 right, 4 wrong). */
  g_assert_cmpint (ll_accuracy_count (5, 1, one, one_labels), ==, 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/loss/names", test_names);
  g_test_add_func ("/engine/loss/known-values", test_known_values);
  g_test_add_func ("/engine/loss/fused", test_fused);
  for (gsize i = 0; i < G_N_ELEMENTS (grad_cases); i++)
    g_test_add_data_func (grad_cases[i].path, &grad_cases[i], test_grad);
  g_test_add_func ("/engine/loss/accuracy", test_accuracy);
  return g_test_run ();
}
