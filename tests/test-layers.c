/* test-layers.c: every core layer's gradients through the whole model
 * (ll_model_train_step against central finite differences of the loss),
 * dropout's mask and scaling, regularizer penalties, one small CNN for the
 * model's wiring, and the parameter tables (ranges, choices, messages). */
#include <math.h>

#include "ll-model.h"
#include "ll-test-util.h"

typedef struct {
  const char *path;
  const char *layers;
  LlLossKind loss;
  gboolean kinks;                  /* relu, max pooling, l1: skip checks that straddle a kink */
  gboolean fd_training;            /* finite differences in training mode, same rng seed
                                    * (dropout masks, batch-norm batch statistics) */
} GradCase;

#define IN_2x3 "Input height=2 width=3 channels=1\nFlatten\n"
#define IN_MLP IN_2x3 "Dense units=5 activation=linear\n"
#define OUT_SOFTMAX "Dense units=3 activation=softmax\n"

static const GradCase grad_cases[] = {
  { "/engine/layers/grad/dense-linear", IN_2x3 "Dense units=4 activation=linear\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dense-relu", IN_2x3 "Dense units=4 activation=relu\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, TRUE },
  { "/engine/layers/grad/dense-sigmoid", IN_2x3 "Dense units=4 activation=sigmoid\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dense-tanh", IN_2x3 "Dense units=4 activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dense-softmax-hidden", IN_2x3 "Dense units=4 activation=softmax\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dense-no-bias", IN_2x3 "Dense units=4 activation=tanh use_bias=false\n"
    "Dense units=3 activation=softmax use_bias=false\n", LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/activation-relu", IN_MLP "Activation activation=relu\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, TRUE },
  { "/engine/layers/grad/activation-sigmoid", IN_MLP "Activation activation=sigmoid\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/activation-tanh", IN_MLP "Activation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/activation-softmax", IN_MLP "Activation activation=softmax\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  /* Softmax over an image's channels (Keras' last axis), per pixel. */
  { "/engine/layers/grad/activation-softmax-image", "Input height=2 width=3 channels=2\n"
    "Conv2D filters=3 kernel_size=1 activation=linear\nActivation activation=softmax\nFlatten\n"
    OUT_SOFTMAX, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  /* The last layer and the loss: fused forms, and softmax/linear outputs
   * that go through the plain form and the activation's backward. */
  { "/engine/layers/grad/out-categorical", IN_MLP "Activation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/out-softmax-mse", IN_MLP "Activation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_MEAN_SQUARED_ERROR },
  { "/engine/layers/grad/out-linear-mse", IN_MLP "Activation activation=tanh\nDense units=3 activation=linear\n",
    LL_LOSS_MEAN_SQUARED_ERROR },
  { "/engine/layers/grad/out-sigmoid-binary-1", IN_MLP "Activation activation=tanh\nDense units=1 activation=sigmoid\n",
    LL_LOSS_BINARY_CROSSENTROPY },
  { "/engine/layers/grad/out-sigmoid-binary-3", IN_MLP "Activation activation=tanh\nDense units=3 activation=sigmoid\n",
    LL_LOSS_BINARY_CROSSENTROPY },
  { "/engine/layers/grad/out-activation-softmax", IN_MLP "Activation activation=tanh\n"
    "Dense units=3 activation=linear\nActivation activation=softmax\n", LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/out-softmax-binary", IN_MLP "Activation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_BINARY_CROSSENTROPY },
  /* Flatten between a convolution and a Dense layer, so that its input
   * gradient matters. */
  { "/engine/layers/grad/flatten", "Input height=4 width=4 channels=2\n"
    "Conv2D filters=2 kernel_size=2 activation=tanh\nFlatten\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dropout-rate-0", IN_MLP "Dropout rate=0\nActivation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/dropout-same-mask", IN_MLP "Dropout rate=0.5\nActivation activation=tanh\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, FALSE, TRUE },
  { "/engine/layers/grad/regularizer-l2", IN_2x3
    "Dense units=4 activation=tanh kernel_regularizer=l2 l2=0.05\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY },
  { "/engine/layers/grad/regularizer-l1", IN_2x3
    "Dense units=4 activation=tanh kernel_regularizer=l1 l1=0.05\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, TRUE },
  { "/engine/layers/grad/regularizer-l1-l2", IN_2x3
    "Dense units=4 activation=tanh kernel_regularizer=l1_l2 l1=0.03 l2=0.07\n"
    "Dense units=3 activation=softmax kernel_regularizer=l2 l2=0.02\n",
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, TRUE },
  /* The wiring of a whole CNN (the ops have their own tests in test-conv.c). */
  { "/engine/layers/grad/cnn", "Input height=6 width=6 channels=2\n"
    "Conv2D filters=3 kernel_size=3 padding=same activation=linear\n"
    "BatchNormalization\nActivation activation=relu\nMaxPooling2D pool_size=2\n"
    "Flatten\n" OUT_SOFTMAX,
    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, TRUE, TRUE },
};

#define BATCH 4
#define RNG_SEED 2024

/* Loss (with regularization) of the current weights, as the optimizer sees it. */
static double
model_loss (LlModel *model, const GradCase *c, const float *x, const gint32 *labels)
{
  LlRng rng;
  ll_rng_seed (&rng, RNG_SEED);
  ll_model_forward (model, BATCH, x, c->fd_training, &rng);
  return ll_model_loss (model, c->loss, BATCH, labels, NULL) + ll_model_regularization (model);
}

static void
test_grad (gconstpointer data)
{
  const GradCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch (c->layers);
  g_autoptr(LlModel) model = ll_model_new (arch, &error);
  LlShape in;
  int n_out, n_in, n_checked = 0, n_skipped = 0;
  g_autofree float *x = NULL;
  g_autofree float *grads = NULL;
  gint32 labels[BATCH];
  float *params;
  gsize n_params;
  double step_loss, loss0, err2 = 0.0, num2 = 0.0, max_rel = 0.0;
  /* Where kinks are many (a shared convolution kernel moves every max-pool
   * window at once) a smaller step meets fewer of them. */
  const float step = c->kinks ? 6e-4f : 5e-3f;
  LlRng rng;

  g_assert_no_error (error);
  g_assert_nonnull (model);
  g_assert_true (ll_model_plan (model, BATCH, &error));
  g_assert_no_error (error);

  /* Keras initialization, then a nudge so that biases and batch-norm
   * scales are not at their special starting values. */
  ll_model_init_weights (model, 17);
  params = ll_model_params (model);
  n_params = ll_model_n_trainable (model);
  {
    g_autofree float *noise = g_new (float, n_params);
    ll_test_fill_uniform (noise, n_params, -0.3, 0.3, 18);
    for (gsize i = 0; i < n_params; i++)
      params[i] += noise[i];
  }

  in = ll_model_input_shape (model);
  n_in = (int) ll_shape_size (&in);
  n_out = ll_model_output_shape (model).d[0];
  x = g_new (float, (gsize) BATCH * n_in);
  ll_test_fill_uniform (x, (gsize) BATCH * n_in, -1.0, 1.0, 19);
  for (int b = 0; b < BATCH; b++)
    labels[b] = n_out == 1 ? b % 2 : (b * 2 + 1) % n_out;

  /* Twice: gradients are overwritten by each step, not accumulated. */
  for (int t = 0; t < 2; t++)
    {
      ll_rng_seed (&rng, RNG_SEED);
      step_loss = ll_model_train_step (model, c->loss, BATCH, x, labels, &rng, NULL);
      if (t == 0)
        grads = g_memdup2 (ll_model_grads (model), n_params * sizeof (float));
    }
  g_assert_cmpmem (grads, n_params * sizeof (float), ll_model_grads (model), n_params * sizeof (float));
  loss0 = model_loss (model, c, x, labels);
  /* train_step's loss is the one finite differences see. */
  g_assert_cmpfloat_with_epsilon (step_loss, loss0, 1e-5 * (1 + fabs (loss0)));

  for (int layer = 0; layer < ll_model_n_layers (model); layer++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw = ll_model_layer_weights (model, layer, views);
      for (int w = 0; w < nw; w++)
        {
          gsize n = ll_weight_info_size (views[w].info);
          gsize stride = MAX (1, n / 40);
          if (views[w].grad == NULL)
            continue;
          for (gsize k = 0; k < n; k += stride)
            {
              float *p = views[w].data + k;
              gsize gi = (gsize) (p - params);
              float orig = *p, pp = orig + step, pm = orig - step;
              double lp, lm, num, ana = grads[gi];

              *p = pp;
              lp = model_loss (model, c, x, labels);
              *p = pm;
              lm = model_loss (model, c, x, labels);
              *p = orig;
              num = (lp - lm) / ((double) pp - pm);

              if (c->kinks)
                {
                  /* A kink inside [p − h, p + h] shows as one-sided slopes that disagree. */
                  double sp = (lp - loss0) / ((double) pp - orig), sm = (loss0 - lm) / ((double) orig - pm);
                  if (fabs (sp - sm) > 2e-2 * (fabs (sp) + fabs (sm)) + 3e-4)
                    {
                      n_skipped++;
                      continue;
                    }
                }
              n_checked++;
              err2 += (num - ana) * (num - ana);
              num2 += num * num;
              max_rel = MAX (max_rel, fabs (num - ana) / (fabs (num) + 1e-3));
              if (fabs (num - ana) > 3e-2 * MAX (fabs (num), fabs (ana)) + 3e-4)
                g_error ("%s: layer %d %s[%" G_GSIZE_FORMAT "]: analytic %.6g, numeric %.6g",
                         c->path, layer, views[w].info->name, k, ana, num);
            }
        }
    }
  g_test_message ("%s: %d checked, %d skipped at kinks, relative error norm %.2e, max %.2e",
                  c->path, n_checked, n_skipped, sqrt (err2 / MAX (num2, 1e-30)), max_rel);
  g_assert_cmpint (n_checked, >=, 20);
  g_assert_cmpint (n_skipped, <=, n_checked / 5);
  g_assert_cmpfloat (sqrt (num2), >, 1e-3);
  g_assert_cmpfloat (sqrt (err2 / num2), <, 1e-2);
}

/* Inverted dropout: in training a fraction `rate` is zeroed and the rest
 * scaled by 1/(1 − rate), so the mean is kept; in evaluation it is the
 * identity; backward lets through only what forward kept. */
static void
test_dropout (void)
{
  enum { N = 50, B = 40 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch ("Input height=1 width=50 channels=1\nFlatten\n"
                                       "Dense units=50 activation=linear\nDropout rate=0.3\n"
                                       "Dense units=3 activation=softmax\n");
  g_autoptr(LlModel) model = ll_model_new (arch, &error);
  g_autofree float *x = g_new (float, N * B);
  g_autofree float *before = g_new (float, N * B);
  double sum_in = 0.0, sum_out = 0.0;
  int zeros = 0, total = 0;
  gint32 labels[B] = { 0 };
  LlRng rng;

  g_assert_no_error (error);
  g_assert_true (ll_model_plan (model, B, &error));
  ll_model_init_weights (model, 1);
  /* The first Dense layer is the identity, so that dropout sees x > 0
   * and the mean of what it lets through is a stable figure. */
  {
    LlWeightView views[LL_MAX_WEIGHTS];
    ll_model_layer_weights (model, 2, views);
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++)
        views[0].data[i * N + j] = i == j;
  }
  ll_test_fill_uniform (x, N * B, 0.1, 1.0, 2);

  /* Evaluation: identity. */
  ll_model_forward (model, B, x, FALSE, NULL);
  g_assert_cmpmem (ll_model_layer_output (model, 2), N * B * sizeof (float),
                   ll_model_layer_output (model, 3), N * B * sizeof (float));

  /* Training, over many batches: zeros or exact scaling, mean preserved. */
  ll_rng_seed (&rng, 3);
  for (int t = 0; t < 50; t++)
    {
      const float *in, *out;
      ll_model_forward (model, B, x, TRUE, &rng);
      in = ll_model_layer_output (model, 2);
      out = ll_model_layer_output (model, 3);
      for (int i = 0; i < N * B; i++)
        {
          sum_in += in[i];
          sum_out += out[i];
          total++;
          if (out[i] == 0.0f)
            zeros++;
          else
            g_assert_cmpfloat_with_epsilon (out[i], in[i] / 0.7f, 1e-5 * (1 + fabs (in[i])));
        }
    }
  g_assert_cmpfloat_with_epsilon ((double) zeros / total, 0.3, 0.01);
  g_assert_cmpfloat_with_epsilon (sum_out / sum_in, 1.0, 0.02);

  /* Backward: a single sample; the gradient of the first Dense layer's
   * bias is zero exactly where the mask dropped the unit. */
  ll_rng_seed (&rng, 4);
  ll_model_train_step (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1, x, labels, &rng, NULL);
  memcpy (before, ll_model_layer_output (model, 3), N * sizeof (float));
  {
    LlWeightView views[LL_MAX_WEIGHTS];
    int dropped = 0;
    ll_model_layer_weights (model, 2, views);
    for (int u = 0; u < N; u++)
      {
        if (before[u] == 0.0f)
          {
            dropped++;
            g_assert_cmpfloat (views[1].grad[u], ==, 0.0f);
          }
        else
          g_assert_cmpfloat (views[1].grad[u], !=, 0.0f);
      }
    g_assert_cmpint (dropped, >, 5);
    g_assert_cmpint (dropped, <, N - 5);
  }
}

/* The loss of a regularized model is the data loss plus l1·Σ|w| + l2·Σw²
 * over the kernels (never the biases). */
static void
test_regularizer_value (void)
{
  /* The factor of the kind not chosen is set to a decoy that must not count. */
  static const struct { const char *reg; double l1_set, l2_set, l1, l2; } cases[] = {
    { "l1", 0.05, 0.7, 0.05, 0.0 },
    { "l2", 0.7, 0.04, 0.0, 0.04 },
    { "l1_l2", 0.02, 0.03, 0.02, 0.03 },
    { "none", 0.7, 0.7, 0.0, 0.0 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *text = g_strdup_printf (IN_2x3 "Dense units=4 activation=tanh "
                                               "kernel_regularizer=%s l1=%g l2=%g\n" OUT_SOFTMAX,
                                               cases[c].reg, cases[c].l1_set, cases[c].l2_set);
      g_autoptr(LlArch) arch = ll_test_arch (text);
      g_autoptr(LlModel) model = ll_model_new (arch, NULL);
      LlWeightView views[LL_MAX_WEIGHTS];
      double s1 = 0.0, s2 = 0.0, expected, step, data;
      float x[BATCH * 6];
      gint32 labels[BATCH] = { 0, 1, 2, 0 };
      LlRng rng;

      g_assert_nonnull (model);
      ll_model_init_weights (model, 5);
      ll_model_layer_weights (model, 2, views);
      /* Biases are not regularized: make them large to be sure. */
      for (int u = 0; u < 4; u++)
        views[1].data[u] = 3.0f;
      for (int i = 0; i < 6 * 4; i++)
        {
          s1 += fabs (views[0].data[i]);
          s2 += (double) views[0].data[i] * views[0].data[i];
        }
      expected = cases[c].l1 * s1 + cases[c].l2 * s2;
      g_assert_cmpfloat_with_epsilon (ll_model_regularization (model), expected, 1e-6);

      ll_test_fill_uniform (x, BATCH * 6, -1, 1, 6);
      g_assert_true (ll_model_plan (model, BATCH, NULL));
      ll_rng_seed (&rng, 1);
      step = ll_model_train_step (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, BATCH, x, labels, &rng, NULL);
      data = ll_model_loss (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, BATCH, labels, NULL);
      g_assert_cmpfloat_with_epsilon (step, data + expected, 1e-6);
      if (cases[c].l1 + cases[c].l2 > 0)
        g_assert_cmpfloat (expected, >, 0.01);
    }
}

/* A final softmax (sigmoid) hands its logits to the loss, as Keras does:
 * with logits of ±1000 the loss is the true 2000 (1000), not the −log(1e-7) of
 * clipped probabilities, and the gradients stay finite. */
static void
test_fused_loss (void)
{
  static const struct { const char *act; LlLossKind loss; int units; } cases[] = {
    { "softmax", LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 2 },
    { "softmax", LL_LOSS_CATEGORICAL_CROSSENTROPY, 2 },
    { "sigmoid", LL_LOSS_BINARY_CROSSENTROPY, 1 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *text = g_strdup_printf ("Input height=1 width=1 channels=1\nFlatten\n"
                                               "Dense units=%d activation=%s\n",
                                               cases[c].units, cases[c].act);
      g_autoptr(LlArch) arch = ll_test_arch (text);
      g_autoptr(LlModel) model = ll_model_new (arch, NULL);
      LlWeightView views[LL_MAX_WEIGHTS];
      float x = 1.0f;
      gint32 label = 1;
      int correct = -1;
      double loss;
      LlRng rng;

      g_assert_true (ll_model_plan (model, 1, NULL));
      ll_model_layer_weights (model, 2, views);
      /* logits (1000, −1000), or −1000 for the single sigmoid unit: the
       * model is sure, and wrong, about label 1. */
      views[0].data[0] = cases[c].units == 2 ? 1000.0f : -1000.0f;
      if (cases[c].units == 2)
        views[0].data[1] = -1000.0f;
      ll_rng_seed (&rng, 1);
      loss = ll_model_train_step (model, cases[c].loss, 1, &x, &label, &rng, &correct);
      /* −log softmax = 1000 − (−1000); −log sigmoid(−1000) = 1000 */
      g_assert_cmpfloat_with_epsilon (loss, cases[c].units == 2 ? 2000.0 : 1000.0, 1e-3);
      g_assert_cmpint (correct, ==, 0);
      for (gsize i = 0; i < ll_model_n_trainable (model); i++)
        g_assert_true (isfinite (ll_model_grads (model)[i]));
      /* The gradient pushes the wrong logit down and the right one up
       * (d loss / d logit = p − t: ±1 here). */
      if (cases[c].units == 2)
        {
          g_assert_cmpfloat_with_epsilon (views[0].grad[0], 1.0, 1e-6);
          g_assert_cmpfloat_with_epsilon (views[0].grad[1], -1.0, 1e-6);
        }
      else
        g_assert_cmpfloat_with_epsilon (views[0].grad[0], -1.0, 1e-6);
      g_assert_cmpfloat (ll_model_loss (model, cases[c].loss, 1, &label, NULL), ==, loss);
    }
}

static void
test_registry (void)
{
  int n = 0;
  const LlLayerType *const *types = ll_layer_types (&n);
  static const char *const required[] = { "Input", "Flatten", "Dense", "Dropout", "Activation" };

  g_assert_cmpint (n, >=, 5);
  for (gsize r = 0; r < G_N_ELEMENTS (required); r++)
    {
      const LlLayerType *t = ll_layer_type_lookup (required[r]);
      g_assert_nonnull (t);
      g_assert_cmpstr (t->name, ==, required[r]);
    }
  g_assert_true (ll_layer_type_lookup ("dense") == &ll_layer_dense);
  g_assert_true (ll_layer_type_lookup ("InputLayer") == &ll_layer_input);
  g_assert_null (ll_layer_type_lookup ("Dense3D"));
  g_assert_true (types[0] == &ll_layer_input);

  /* Every parameter table is usable by the UI: labels, tooltips, defaults
   * within range, default choices that exist. */
  for (int t = 0; t < n; t++)
    {
      LlLayerSpec spec;
      g_assert_nonnull (types[t]->name);
      g_assert_nonnull (types[t]->description);
      g_assert_nonnull (types[t]->infer);
      g_assert_cmpint (types[t]->n_params, <=, LL_MAX_LAYER_PARAMS);
      g_assert_true (ll_layer_type_lookup (types[t]->name) == types[t]);
      ll_layer_spec_init (&spec, types[t]);
      for (int p = 0; p < types[t]->n_params; p++)
        {
          const LlParamSpec *ps = &types[t]->params[p];
          g_autoptr(GError) error = NULL;
          g_assert_nonnull (ps->label);
          g_assert_nonnull (ps->tooltip);
          g_assert_cmpint (ll_layer_param_index (types[t], ps->name), ==, p);
          g_assert_cmpfloat (spec.v[p], ==, ps->default_value);
          if (ps->type == LL_PARAM_CHOICE)
            g_assert_nonnull (ll_layer_spec_get_choice (&spec, ps->name));
          /* Setting the default back is always accepted. */
          g_assert_true (ll_layer_spec_set (&spec, ps->name, ps->default_value, &error));
          g_assert_no_error (error);
        }
    }
}

static void
test_spec_set (void)
{
  LlLayerSpec spec;
  GError *error = NULL;

  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "units", -1), ==, 128);
  g_assert_cmpstr (ll_layer_spec_get_choice (&spec, "kernel_initializer"), ==, "glorot_uniform");
  g_assert_cmpstr (ll_layer_spec_get_choice (&spec, "bias_initializer"), ==, "zeros");
  g_assert_true (ll_layer_spec_set (&spec, "units", 10, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "units", -1), ==, 10);

  /* Out of range, fractional, not finite, unknown: refused, value kept,
   * and a message naming the limits. */
  g_assert_false (ll_layer_spec_set (&spec, "units", 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Units"));
  g_assert_nonnull (strstr (error->message, "between 1 and 65536"));
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "units", 70000, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "units", 2.5, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "whole number"));
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "units", NAN, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "filters", 3, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "filters"));
  g_clear_error (&error);
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "units", -1), ==, 10);
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "filters", -1), ==, -1);

  ll_layer_spec_init (&spec, &ll_layer_dropout);
  g_assert_true (ll_layer_spec_set (&spec, "rate", 0.95, &error));
  g_assert_false (ll_layer_spec_set (&spec, "rate", 0.96, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Rate"));
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "rate", -0.1, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "rate", -1), ==, 0.95);

  /* Choices by index through spec_set are range checked too. */
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_false (ll_layer_spec_set (&spec, "activation", LL_N_ACTS, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set (&spec, "activation", -1, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  /* Booleans are normalised. */
  g_assert_true (ll_layer_spec_set (&spec, "use_bias", 5, &error));
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "use_bias", -1), ==, 1);
  g_assert_true (ll_layer_spec_set (&spec, "use_bias", 0, &error));
  g_assert_cmpfloat (ll_layer_spec_get (&spec, "use_bias", -1), ==, 0);
}

static void
test_spec_choice (void)
{
  LlLayerSpec spec;
  GError *error = NULL;

  ll_layer_spec_init (&spec, &ll_layer_dense);
  /* Keras 3's Dense(units) is linear (activation=None). */
  g_assert_cmpint (ll_layer_spec_activation (&spec), ==, LL_ACT_LINEAR);
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "softmax", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ll_layer_spec_activation (&spec), ==, LL_ACT_SOFTMAX);
  g_assert_cmpstr (ll_layer_spec_get_choice (&spec, "activation"), ==, "softmax");
  /* Keras names are case-insensitive here. */
  g_assert_true (ll_layer_spec_set_choice (&spec, "kernel_initializer", "He_Normal", &error));
  g_assert_cmpint ((int) ll_layer_spec_get (&spec, "kernel_initializer", -1), ==, LL_INIT_HE_NORMAL);
  g_assert_true (ll_layer_spec_set_choice (&spec, "kernel_regularizer", "l1_l2", &error));
  g_assert_cmpstr (ll_layer_spec_get_choice (&spec, "kernel_regularizer"), ==, "l1_l2");

  g_assert_false (ll_layer_spec_set_choice (&spec, "activation", "swish", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "swish"));
  g_assert_nonnull (strstr (error->message, "relu"));         /* lists the valid ones */
  g_clear_error (&error);
  g_assert_cmpint (ll_layer_spec_activation (&spec), ==, LL_ACT_SOFTMAX);

  /* Not a choice parameter, or no such parameter. */
  g_assert_false (ll_layer_spec_set_choice (&spec, "units", "relu", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_layer_spec_set_choice (&spec, "padding", "same", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ll_layer_spec_get_choice (&spec, "units"));

  /* Layers without an activation parameter are linear. */
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  g_assert_cmpint (ll_layer_spec_activation (&spec), ==, LL_ACT_LINEAR);
}

/* Shapes the core layers infer, and the Dense error on an image. */
static void
test_infer (void)
{
  g_autoptr(GError) error = NULL;
  LlLayerSpec spec;
  LlShape img = ll_shape_image (28, 28, 1), flat = ll_shape_flat (784), out;

  ll_layer_spec_init (&spec, &ll_layer_flatten);
  g_assert_true (spec.type->infer (&spec, &img, &out, &error));
  g_assert_true (ll_shape_equal (&out, &flat));
  ll_layer_spec_init (&spec, &ll_layer_dense);
  ll_layer_spec_set (&spec, "units", 10, NULL);
  g_assert_true (spec.type->infer (&spec, &flat, &out, &error));
  g_assert_cmpint (out.rank, ==, 1);
  g_assert_cmpint (out.d[0], ==, 10);
  g_assert_false (spec.type->infer (&spec, &img, &out, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "Flatten"));
  g_clear_error (&error);
  ll_layer_spec_init (&spec, &ll_layer_dropout);
  g_assert_true (spec.type->infer (&spec, &img, &out, &error));
  g_assert_true (ll_shape_equal (&out, &img));
  ll_layer_spec_init (&spec, &ll_layer_activation);
  g_assert_true (spec.type->infer (&spec, &flat, &out, &error));
  g_assert_true (ll_shape_equal (&out, &flat));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/layers/registry", test_registry);
  g_test_add_func ("/engine/layers/spec-set", test_spec_set);
  g_test_add_func ("/engine/layers/spec-choice", test_spec_choice);
  g_test_add_func ("/engine/layers/infer", test_infer);
  for (gsize i = 0; i < G_N_ELEMENTS (grad_cases); i++)
    g_test_add_data_func (grad_cases[i].path, &grad_cases[i], test_grad);
  g_test_add_func ("/engine/layers/dropout", test_dropout);
  g_test_add_func ("/engine/layers/fused-loss", test_fused_loss);
  g_test_add_func ("/engine/layers/regularizer-value", test_regularizer_value);
  return g_test_run ();
}
