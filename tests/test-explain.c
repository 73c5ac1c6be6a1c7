/* test-explain.c: the arithmetic of one unit (ll-explain) against the
 * engine's own outputs, for random models and inputs, and the shape and
 * parameter arithmetic against the engine's inferred shapes and counts. */
#include <math.h>
#include <string.h>

#include "ll-explain.h"
#include "ll-presets.h"
#include "ll-rng.h"
#include "ll-test-util.h"

#define TOL 1e-5

/* A model from text with weights from seed; biases and batch-norm
 * statistics away from their zeros and ones so that every term counts. */
static LlModel *
model_from_text (const char *text, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  /* A model must end in a vector: a Flatten after image layers (a no-op on a vector). */
  g_autofree char *full = g_strconcat (text, "Flatten\n", NULL);
  g_autoptr(LlArch) arch = ll_test_arch (full);
  LlModel *model = ll_model_new (arch, &error);

  g_assert_no_error (error);
  ll_model_init_weights (model, seed);
  for (int i = 0; i < ll_model_n_layers (model); i++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int n = ll_model_layer_weights (model, i, views);
      for (int w = 0; w < n; w++)
        if (g_strcmp0 (views[w].info->name, "bias") == 0)
          ll_test_fill_uniform (views[w].data, ll_weight_info_size (views[w].info), -0.5, 0.5,
                                seed + 100 + i);
    }
  ll_test_randomize_bn (model, seed + 7);
  return model;
}

/* Runs a batch of random inputs in [lo, hi). */
static void
run_batch (LlModel *model, int batch, double lo, double hi, gboolean training, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  LlShape in = ll_model_input_shape (model);
  gsize n = (gsize) batch * ll_shape_size (&in);
  g_autofree float *x = g_new (float, n);
  LlRng rng;

  ll_test_fill_uniform (x, n, lo, hi, seed);
  ll_rng_seed (&rng, seed + 1);
  g_assert_true (ll_model_plan (model, batch, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ll_model_forward (model, batch, x, training, training ? &rng : NULL));
}

/* Every unit of `layer` for every sample of the last forward: the
 * explanation's own sum and value equal the engine's output there, and
 * its inputs are the layer's real inputs.  Returns the units checked. */
static int
check_layer (const LlModel *model, int layer, int stride)
{
  LlShape out = ll_model_layer_shape (model, layer);
  LlShape in = ll_model_layer_shape (model, layer > 0 ? layer - 1 : 0);
  gsize size = ll_shape_size (&out);
  int batch = 0, checked = 0;
  gboolean training;

  g_assert_true (ll_model_last_forward (model, &batch, &training));
  for (int b = 0; b < batch; b++)
    for (gsize i = (gsize) b % (gsize) stride; i < size; i += (gsize) stride)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(LlExplanation) e = NULL;
        int unit[3];
        const float *x = ll_model_layer_output (model, layer > 0 ? layer - 1 : 0)
                         + (gsize) b * ll_shape_size (&in);
        const float *y = ll_model_layer_output (model, layer) + (gsize) b * size;

        if (out.rank == 3)
          {
            unit[2] = (int) (i % (gsize) out.d[2]);
            unit[1] = (int) (i / (gsize) out.d[2] % (gsize) out.d[1]);
            unit[0] = (int) (i / ((gsize) out.d[2] * out.d[1]));
          }
        else
          unit[0] = (int) i;
        e = ll_explain_unit (model, b, layer, unit, out.rank, &error);
        g_assert_no_error (error);
        g_assert_nonnull (e);
        g_assert_cmpuint (e->out_index, ==, i);
        g_assert_cmpfloat (e->engine_value, ==, y[i]);
        if (fabs (e->value - y[i]) > TOL * MAX (1.0, fabs (y[i]))
            || fabs (e->pre_activation - e->engine_pre_activation)
               > TOL * MAX (1.0, fabs (e->engine_pre_activation)))
          g_error ("layer %d (%s) sample %d unit %" G_GSIZE_FORMAT ": explained %.9g (pre %.9g), "
                   "engine %.9g (pre %.9g)", layer, e->type->name, b, i, e->value,
                   e->pre_activation, (double) y[i], (double) e->engine_pre_activation);
        g_assert_cmpfloat (ll_explanation_discrepancy (e), <=, TOL);
        for (int t = 0; t < e->n_terms; t++)
          {
            if (e->input_index[t] >= 0)
              g_assert_cmpfloat (e->inputs[t], ==, x[e->input_index[t]]);
            else
              g_assert_cmpfloat (e->inputs[t], ==, 0.0f);
            if (e->products != NULL)
              g_assert_cmpfloat (e->products[t], ==, (double) e->inputs[t] * e->weights[t]);
          }
        checked++;
      }
  return checked;
}

static int
find_layer (const LlModel *model, const LlLayerType *type, int nth)
{
  const LlArch *arch = ll_model_get_arch (model);
  for (int i = 0; i < ll_model_n_layers (model); i++)
    if (ll_arch_layer (arch, i)->type == type && nth-- == 0)
      return i;
  g_assert_not_reached ();
  return -1;
}

/* Conv2D: valid and same, stride 1 and 2, kernels 1 to 5, one to three
 * input channels, with and without bias, several activations; odd sizes
 * so that "same" pads unevenly and "valid" leaves cells unused. */
static void
test_conv2d (void)
{
  static const char *const acts[] = { "relu", "linear", "tanh", "sigmoid" };
  GRand *rand = g_rand_new_with_seed (17);
  int total = 0;

  for (int round = 0; round < 24; round++)
    {
      int h = g_rand_int_range (rand, 5, 12), w = g_rand_int_range (rand, 5, 12);
      int cin = g_rand_int_range (rand, 1, 4), f = g_rand_int_range (rand, 1, 5);
      int k = (int[]) { 1, 2, 3, 3, 5 }[g_rand_int_range (rand, 0, 5)];
      int s = 1 + round % 2;
      gboolean same = (round / 2) % 2;
      g_autofree char *text = NULL;
      g_autoptr(LlModel) model = NULL;
      int layer;

      k = MIN (k, MIN (h, w));
      text = g_strdup_printf ("Input height=%d width=%d channels=%d\n"
                              "Conv2D filters=%d kernel_size=%d strides=%d padding=%s "
                              "activation=%s use_bias=%s\n"
                              "Conv2D filters=2 kernel_size=1 activation=relu\n",
                              h, w, cin, f, k, s, same ? "same" : "valid",
                              acts[round % G_N_ELEMENTS (acts)], round % 5 == 4 ? "false" : "true");
      model = model_from_text (text, 1000 + round);
      run_batch (model, 3, -1.0, 1.0, FALSE, 50 + round);
      layer = find_layer (model, &ll_layer_conv2d, 0);
      total += check_layer (model, layer, 1);
      /* The second (1×1, direct) convolution reads the first one's output. */
      total += check_layer (model, layer + 1, 1);
    }
  g_test_message ("%d Conv2D units explained", total);
  g_rand_free (rand);
}

/* The window of a unit: its place in input coordinates, padding as zeros,
 * the next window one stride further. */
static void
test_conv2d_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = model_from_text ("Input height=7 width=8 channels=2\n"
                                              "Conv2D filters=3 kernel_size=3 strides=2 padding=same\n",
                                              3);
  g_autoptr(LlExplanation) corner = NULL, next = NULL;
  LlShape out = ll_model_layer_shape (model, 1);

  run_batch (model, 1, 0.5, 1.0, FALSE, 4);
  /* 7 rows, stride 2: ⌈7/2⌉ = 4 rows, (4−1)·2 + 3 − 7 = 2 zeros, one each side;
   * 8 columns: 4 columns, (4−1)·2 + 3 − 8 = 1 zero, after. */
  g_assert_cmpint (out.d[0], ==, 4);
  g_assert_cmpint (out.d[1], ==, 4);
  corner = ll_explain_unit (model, 0, 1, (int[]) { 0, 0, 2 }, 3, &error);
  g_assert_no_error (error);
  g_assert_true (corner->has_window);
  g_assert_cmpint (corner->start[0], ==, -1);
  g_assert_cmpint (corner->stop[0], ==, 2);
  g_assert_cmpint (corner->start[1], ==, 0);
  g_assert_cmpint (corner->stop[1], ==, 3);
  g_assert_cmpint (corner->n_terms, ==, 3 * 3 * 2);
  /* Kernel order (ky, kx, c_in): the first row of the window is padding. */
  for (int t = 0; t < 3 * 2; t++)
    {
      g_assert_cmpint (corner->input_index[t], ==, -1);
      g_assert_cmpfloat (corner->inputs[t], ==, 0.0f);
    }
  for (int t = 3 * 2; t < corner->n_terms; t++)
    g_assert_cmpint (corner->input_index[t], >=, 0);
  /* Term (ky 1, kx 2, c 1) is input (0, 2, 1). */
  g_assert_cmpint (corner->input_index[(1 * 3 + 2) * 2 + 1], ==, (0 * 8 + 2) * 2 + 1);

  next = ll_explain_unit (model, 0, 1, (int[]) { 0, 1, 2 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (next->start[1], ==, corner->start[1] + corner->axes[1].s);
  g_assert_cmpint (next->start[0], ==, corner->start[0]);
  /* The last column window runs past the input: one zero after. */
  {
    g_autoptr(LlExplanation) last = ll_explain_unit (model, 0, 1, (int[]) { 3, 3, 0 }, 3, &error);
    g_assert_no_error (error);
    g_assert_cmpint (last->stop[1], ==, 9);
    g_assert_cmpint (last->stop[0], ==, 8);
    g_assert_cmpint (last->input_index[(0 * 3 + 2) * 2], ==, -1);
  }
  g_assert_cmpfloat (ll_explanation_discrepancy (corner), <=, TOL);
}

/* The check can fail: a weight changed after the forward shows up as a
 * difference between the explanation and the engine's output. */
static void
test_disagreement_is_seen (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = model_from_text ("Input height=6 width=6 channels=1\n"
                                              "Conv2D filters=1 kernel_size=3 activation=linear\n", 5);
  g_autoptr(LlExplanation) before = NULL, after = NULL;
  LlWeightView views[LL_MAX_WEIGHTS];

  run_batch (model, 1, 0.5, 1.0, FALSE, 6);
  before = ll_explain_unit (model, 0, 1, (int[]) { 1, 1, 0 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_explanation_discrepancy (before), <=, TOL);
  ll_model_layer_weights (model, 1, views);
  views[0].data[4] += 0.5f;          /* the kernel's centre */
  after = ll_explain_unit (model, 0, 1, (int[]) { 1, 1, 0 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ll_explanation_discrepancy (after), >, 1e-2);
}

/* Max and average pooling: sizes 2 and 3, strides default, 1 and 2,
 * valid and same, on negative values (padding must not win a max). */
static void
test_pooling (void)
{
  int total = 0;

  for (int round = 0; round < 16; round++)
    {
      int p = 2 + round % 2, s = (int[]) { 0, 1, 2, 0 }[(round / 2) % 4];
      gboolean same = round >= 8;
      g_autofree char *text = g_strdup_printf ("Input height=7 width=9 channels=3\n"
                                               "MaxPooling2D pool_size=%d strides=%d padding=%s\n"
                                               "AveragePooling2D pool_size=2 strides=1 padding=same\n",
                                               p, s, same ? "same" : "valid");
      g_autoptr(LlModel) model = model_from_text (text, 20 + round);

      run_batch (model, 2, -2.0, -0.1, FALSE, 30 + round);
      total += check_layer (model, 1, 1);
      total += check_layer (model, 2, 1);
      {
        g_autofree char *avg = g_strdup_printf ("Input height=7 width=9 channels=3\n"
                                                "AveragePooling2D pool_size=%d strides=%d padding=%s\n",
                                                p, s, same ? "same" : "valid");
        g_autoptr(LlModel) m2 = model_from_text (avg, 40 + round);
        run_batch (m2, 2, -1.0, 1.0, FALSE, 60 + round);
        total += check_layer (m2, 1, 1);
      }
    }
  g_test_message ("%d pooled values explained", total);
}

static void
test_pool_winner (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = model_from_text ("Input height=3 width=3 channels=1\n"
                                              "MaxPooling2D pool_size=2 padding=same\n"
                                              , 1);
  float x[9] = { -5, -4, -3, -2, -1, -9, -8, -7, -6 };
  g_autoptr(LlExplanation) e = NULL;
  LlShape out = ll_model_layer_shape (model, 1);

  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, x, FALSE, NULL);
  g_assert_cmpint (out.d[0], ==, 2);
  /* The bottom-right window holds one real cell (−6) and three of padding:
   * the padding (which would be 0) must not win. */
  e = ll_explain_unit (model, 0, 1, (int[]) { 1, 1, 0 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->n_counted, ==, 1);
  g_assert_cmpint (e->winner, ==, 0);
  g_assert_cmpfloat (e->value, ==, -6.0);
  g_assert_cmpfloat (e->engine_value, ==, -6.0f);
  g_clear_pointer (&e, ll_explanation_free);
  e = ll_explain_unit (model, 0, 1, (int[]) { 0, 0, 0 }, 3, &error);
  g_assert_cmpint (e->winner, ==, 3);    /* −1 at (1, 1): term (ky 1, kx 1) */
  g_assert_cmpfloat (e->value, ==, -1.0);
}

static void
test_global_pooling (void)
{
  for (int round = 0; round < 4; round++)
    {
      g_autofree char *text = g_strdup_printf ("Input height=%d width=%d channels=4\n"
                                               "Conv2D filters=3 kernel_size=3 activation=tanh\n"
                                               "%s\nDense units=5 activation=softmax\n",
                                               5 + round, 6 + round,
                                               round % 2 ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D");
      g_autoptr(LlModel) model = model_from_text (text, 70 + round);
      g_autoptr(GError) error = NULL;
      g_autoptr(LlExplanation) e = NULL;

      run_batch (model, 4, -1.0, 1.0, FALSE, 80 + round);
      g_assert_cmpint (check_layer (model, 2, 1), ==, 4 * 3);
      e = ll_explain_unit (model, 1, 2, (int[]) { 2 }, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (e->n_terms, ==, (3 + round) * (4 + round));
      g_assert_true ((e->winner >= 0) == (round % 2 == 1));
      g_assert_false (e->has_window);
    }
}

static void
test_dense (void)
{
  static const char *const acts[] = { "relu", "sigmoid", "tanh", "linear", "softmax" };

  for (int round = 0; round < 10; round++)
    {
      g_autofree char *text = g_strdup_printf ("Input height=6 width=5 channels=2\nFlatten\n"
                                               "Dense units=%d activation=%s use_bias=%s\n"
                                               "Dense units=7 activation=%s\n",
                                               3 + round, acts[round % 5], round == 3 ? "false" : "true",
                                               acts[(round + 2) % 5]);
      g_autoptr(LlModel) model = model_from_text (text, 90 + round);
      g_autoptr(GError) error = NULL;
      g_autoptr(LlExplanation) e = NULL;

      run_batch (model, 3, 0.0, 1.0, FALSE, 100 + round);
      check_layer (model, 1, 1);
      check_layer (model, 2, 1);
      check_layer (model, 3, 1);
      e = ll_explain_unit (model, 2, 2, (int[]) { 1 }, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (e->n_terms, ==, 60);
      /* The first Dense after a Flatten of the input image: its weights are a picture. */
      g_assert_cmpint (e->weights_image.rank, ==, 3);
      g_assert_cmpint (e->weights_image.d[0], ==, 6);
      g_assert_cmpint (e->weights_image.d[2], ==, 2);
      g_assert_true (e->has_bias == (round != 3));
      for (int i = 1; i < e->n_terms; i++)
        g_assert_cmpfloat (fabs (e->products[e->order[i - 1]]), >=, fabs (e->products[e->order[i]]));
      g_clear_pointer (&e, ll_explanation_free);
      e = ll_explain_unit (model, 0, 3, (int[]) { 6 }, 1, &error);
      g_assert_cmpint (e->weights_image.rank, ==, 0);
    }
}

/* Softmax: a Dense layer's and an Activation layer's on an image (over
 * each pixel's channels, as Keras); the shares are the engine's outputs. */
static void
test_softmax (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=4 width=4 channels=1\n"
                                              "Conv2D filters=3 kernel_size=3\n"
                                              "Activation activation=softmax\n"
                                              "Flatten\nDense units=10 activation=softmax\n", 11);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlExplanation) e = NULL;
  double total = 0;

  run_batch (model, 2, -3.0, 3.0, FALSE, 12);
  check_layer (model, 2, 1);
  check_layer (model, 4, 1);
  e = ll_explain_unit (model, 1, 4, (int[]) { 3 }, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (e->softmax);
  g_assert_cmpint (e->softmax->n, ==, 10);
  g_assert_cmpint (e->softmax->index, ==, 3);
  g_assert_cmpfloat (e->softmax->shift, ==, 0.0);
  for (int i = 0; i < 10; i++)
    {
      const float *y = ll_model_layer_output (model, 4) + 10;
      g_assert_cmpfloat_with_epsilon (e->softmax->shares[i], y[i], TOL);
      g_assert_cmpfloat_with_epsilon (e->softmax->exps[i], exp (e->softmax->logits[i]), 1e-9);
      total += e->softmax->shares[i];
    }
  g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-12);
  /* The logit of this unit is the explanation's own sum + bias. */
  g_assert_cmpfloat_with_epsilon (e->pre_activation, e->softmax->logits[3], TOL);
  g_clear_pointer (&e, ll_explanation_free);
  /* A Dense on flattened feature maps: no picture. */
  e = ll_explain_unit (model, 0, 4, (int[]) { 0 }, 1, &error);
  g_assert_cmpint (e->weights_image.rank, ==, 0);
  g_clear_pointer (&e, ll_explanation_free);
  e = ll_explain_unit (model, 0, 2, (int[]) { 1, 0, 2 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->softmax->n, ==, 3);
  g_assert_cmpint (e->softmax->index, ==, 2);
}

/* Huge logits: exp of the logit itself would overflow; the explanation
 * shifts by the largest and still matches. */
static void
test_softmax_shift (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=1 width=1 channels=3\nFlatten\n"
                                              "Activation activation=softmax\n", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlExplanation) e = NULL;
  float x[3] = { 1000, 999, 990 };

  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, x, FALSE, NULL);
  e = ll_explain_unit (model, 0, 2, (int[]) { 1 }, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (e->softmax->shift, ==, 1000.0);
  g_assert_cmpfloat (ll_explanation_discrepancy (e), <=, TOL);
}

/* BatchNormalization: the batch's statistics in training mode, the
 * moving ones in inference mode, after Conv2D (channels) and Dense. */
static void
test_batch_norm (void)
{
  for (int round = 0; round < 4; round++)
    {
      g_autofree char *text = g_strdup_printf ("Input height=5 width=6 channels=2\n"
                                               "Conv2D filters=3 kernel_size=3 use_bias=false\n"
                                               "BatchNormalization center=%s scale=%s\n"
                                               "Activation activation=relu\nFlatten\nDense units=4\n"
                                               "BatchNormalization\n",
                                               round & 1 ? "false" : "true", round & 2 ? "false" : "true");
      g_autoptr(LlModel) model = model_from_text (text, 120 + round);
      g_autoptr(GError) error = NULL;

      for (int training = 0; training < 2; training++)
        {
          g_autoptr(LlExplanation) e = NULL;
          const float *mean = NULL, *var = NULL;
          LlWeightView views[LL_MAX_WEIGHTS];
          int n = ll_model_layer_weights (model, 2, views);

          run_batch (model, 8, -1.0, 2.0, training, 130 + round);
          g_assert_true (ll_model_layer_batch_statistics (model, 2, &mean, &var) == training);
          check_layer (model, 2, 1);
          check_layer (model, 3, 1);
          check_layer (model, 6, 1);
          e = ll_explain_unit (model, 5, 2, (int[]) { 1, 2, 1 }, 3, &error);
          g_assert_no_error (error);
          g_assert_true (e->training == training);
          g_assert_true (e->has_gamma == !(round & 2));
          g_assert_true (e->has_beta == !(round & 1));
          /* Which statistics: the batch's or the moving ones (weights after γ, β). */
          g_assert_cmpfloat (e->mean, ==, training ? mean[1] : views[n - 2].data[1]);
          g_assert_cmpfloat (e->var, ==, training ? var[1] : views[n - 1].data[1]);
          g_assert_cmpfloat (e->epsilon, ==, 1e-3f);
        }
    }
}

/* Dropout: the recorded mask of a training step, each value kept (×
 * 1/(1 − rate)) or dropped; off (kept, × 1) in inference mode. */
static void
test_dropout (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=4 width=4 channels=2\n"
                                              "Dropout rate=0.4\nFlatten\nDense units=20\n"
                                              "Dropout rate=0.5\nDense units=3 activation=softmax\n", 140);
  g_autoptr(GError) error = NULL;
  int kept = 0, dropped = 0;

  run_batch (model, 6, 0.1, 1.0, TRUE, 141);
  g_assert_nonnull (ll_model_layer_dropout_mask (model, 1));
  check_layer (model, 1, 1);
  check_layer (model, 4, 1);
  check_layer (model, 5, 1);
  for (int b = 0; b < 6; b++)
    for (int i = 0; i < 20; i++)
      {
        g_autoptr(LlExplanation) e = ll_explain_unit (model, b, 4, (int[]) { i }, 1, &error);
        g_assert_no_error (error);
        g_assert_true (e->training);
        if (e->kept)
          {
            g_assert_cmpfloat_with_epsilon (e->mask, 2.0f, 1e-6);
            kept++;
          }
        else
          {
            g_assert_cmpfloat (e->mask, ==, 0.0f);
            g_assert_cmpfloat (e->engine_value, ==, 0.0f);
            dropped++;
          }
      }
  g_test_message ("dropout 0.5: %d kept, %d dropped", kept, dropped);
  g_assert_cmpint (kept, >, 20);
  g_assert_cmpint (dropped, >, 20);

  run_batch (model, 2, 0.1, 1.0, FALSE, 142);
  g_assert_null (ll_model_layer_dropout_mask (model, 1));
  check_layer (model, 1, 1);
  {
    g_autoptr(LlExplanation) e = ll_explain_unit (model, 1, 1, (int[]) { 1, 2, 1 }, 3, &error);
    g_assert_true (e->kept);
    g_assert_cmpfloat (e->mask, ==, 1.0f);
  }
}

/* Flatten, Reshape and the Input: values moved, not computed. */
static void
test_copies (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=3 width=4 channels=2\nFlatten\n"
                                              "Reshape height=4 width=3 channels=2\n"
                                              "Conv2D filters=1 kernel_size=2\n", 150);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlExplanation) e = NULL;

  run_batch (model, 2, 0.0, 1.0, FALSE, 151);
  for (int layer = 0; layer < 4; layer++)
    check_layer (model, layer, 1);
  e = ll_explain_unit (model, 0, 0, (int[]) { 2, 3, 1 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->kind, ==, LL_EXPLAIN_INPUT);
}

static void
test_errors (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=4 width=4 channels=1\n"
                                              "Conv2D filters=2 kernel_size=3\nFlatten\nDense units=3\n", 160);
  g_autoptr(GError) error = NULL;
  LlExplanation *e;

  e = ll_explain_unit (model, 0, 1, (int[]) { 0, 0, 0 }, 3, &error);
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_null (e);
  g_clear_error (&error);
  run_batch (model, 2, 0.0, 1.0, FALSE, 161);
  g_assert_null (ll_explain_unit (model, 0, 1, (int[]) { 2, 0, 0 }, 3, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "0 to 1"));
  g_clear_error (&error);
  g_assert_null (ll_explain_unit (model, 0, 1, (int[]) { 0 }, 1, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ll_explain_unit (model, 2, 1, (int[]) { 0, 0, 0 }, 3, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ll_explain_unit (model, 0, 9, (int[]) { 0 }, 1, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
}

/* Evaluates "(a + b − c) / d + 1 = e" (or with ⌊⌋) as written and returns
 * e after checking that the arithmetic on the left gives it. */
static int
check_axis_formula (const char *formula)
{
  int n = 0, pad = 0, k = 0, s = 0, out = -1;
  const char *p = formula;
  gboolean floor_ = g_str_has_prefix (p, "⌊");

  p += floor_ ? strlen ("⌊(") : 1;
  n = (int) g_ascii_strtoll (p, (char **) &p, 10);
  if (g_str_has_prefix (p, " + "))
    pad = (int) g_ascii_strtoll (p + 3, (char **) &p, 10);
  g_assert_true (g_str_has_prefix (p, " − "));
  k = (int) g_ascii_strtoll (p + strlen (" − "), (char **) &p, 10);
  g_assert_true (g_str_has_prefix (p, ") / "));
  s = (int) g_ascii_strtoll (p + 4, (char **) &p, 10);
  g_assert_true (g_str_has_prefix (p, floor_ ? "⌋ + 1 = " : " + 1 = "));
  p = strstr (p, "= ") + 2;
  out = (int) g_ascii_strtoll (p, NULL, 10);
  g_assert_cmpint ((n + pad - k) % s != 0, ==, floor_);
  g_assert_cmpint ((n + pad - k) / s + 1, ==, out);
  return out;
}

/* "5·5·1·3 + 3 = 78": the product and sum on the left give the right. */
static gsize
check_param_formula (const char *formula)
{
  guint64 product = 1, total = 0, written;
  const char *p = formula;
  g_autofree char *right = NULL;
  GString *digits = g_string_new (NULL);

  for (;;)
    {
      product *= g_ascii_strtoull (p, (char **) &p, 10);
      if (g_str_has_prefix (p, "·"))
        p += strlen ("·");
      else
        break;
    }
  total = product;
  if (g_str_has_prefix (p, " + "))
    total += g_ascii_strtoull (p + 3, (char **) &p, 10);
  g_assert_true (g_str_has_prefix (p, " = "));
  for (p += 3; *p; p++)
    if (*p != ',')
      g_string_append_c (digits, *p);
  right = g_string_free (digits, FALSE);
  written = g_ascii_strtoull (right, NULL, 10);
  g_assert_cmpuint (written, ==, total);
  return (gsize) total;
}

static void
check_arithmetic (const LlModel *model)
{
  const LlArch *arch = ll_model_get_arch (model);

  for (int i = 1; i < ll_model_n_layers (model); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlShape in = ll_model_layer_shape (model, i - 1), out = ll_model_layer_shape (model, i);
      LlWindowAxis axes[2];
      gsize total = 12345;
      const char *symbols = NULL;
      g_autofree char *params = ll_layer_param_formula (spec, &in, &out, &symbols, &total);

      if (ll_layer_spec_window (spec, &in, axes))
        for (int a = 0; a < 2; a++)
          {
            g_autofree char *f = ll_window_axis_formula (&axes[a]);
            g_assert_cmpint (check_axis_formula (f), ==, out.d[a]);
            g_assert_cmpint (axes[a].out, ==, out.d[a]);
            g_assert_nonnull (ll_window_axis_symbols (&axes[a], a));
          }
      else
        g_assert_true (spec->type != &ll_layer_conv2d && spec->type != &ll_layer_max_pooling2d
                       && spec->type != &ll_layer_average_pooling2d);
      if (params != NULL)
        {
          g_assert_nonnull (symbols);
          g_assert_cmpuint (check_param_formula (params), ==, ll_model_layer_n_params (model, i));
          g_assert_cmpuint (total, ==, ll_model_layer_n_params (model, i));
        }
      else
        {
          g_assert_cmpuint (total, ==, 0);
          g_assert_cmpuint (ll_model_layer_n_params (model, i), ==, 0);
        }
    }
}

/* The arithmetic written for every preset's layers equals the engine's
 * inferred shapes and parameter counts. */
static void
test_arithmetic_presets (void)
{
  int n;
  const LlPresetInfo *presets = ll_presets (&n);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(LlModel) model = ll_test_preset_model (presets[i].name, 1);
      check_arithmetic (model);
    }
}

/* Tutorial 001: a 5×5 filter over 28×28 gives 28 − 5 + 1 = 24; three
 * filters give 24×24×3 and 78 parameters; six 5×5 filters over that give
 * 20×20×6; stride 2 and "same" padding, odd sizes. */
static void
test_arithmetic_tutorial (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=28 width=28 channels=1\n"
                                              "Conv2D filters=3 kernel_size=5\n"
                                              "Conv2D filters=6 kernel_size=5\n"
                                              "MaxPooling2D pool_size=2\n"
                                              "Conv2D filters=4 kernel_size=3 strides=2 padding=same\n"
                                              "Conv2D filters=4 kernel_size=3 strides=2 use_bias=false\n"
                                              "BatchNormalization\n"
                                              "AveragePooling2D pool_size=2 padding=same\n", 1);
  const LlArch *arch = ll_model_get_arch (model);
  struct { int layer; const char *axis, *params; } want[] = {
    { 1, "(28 − 5) / 1 + 1 = 24", "5·5·1·3 + 3 = 78" },
    { 2, "(24 − 5) / 1 + 1 = 20", "5·5·3·6 + 6 = 456" },
    { 3, "(20 − 2) / 2 + 1 = 10", NULL },
    { 4, "(10 + 1 − 3) / 2 + 1 = 5", "3·3·6·4 + 4 = 220" },
    { 5, "(5 − 3) / 2 + 1 = 2", "3·3·4·4 = 144" },
    { 6, NULL, "4·4 = 16" },
    { 7, "(2 − 2) / 2 + 1 = 1", NULL },
  };

  check_arithmetic (model);
  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, want[i].layer);
      LlShape in = ll_model_layer_shape (model, want[i].layer - 1);
      LlShape out = ll_model_layer_shape (model, want[i].layer);
      LlWindowAxis axes[2];
      g_autofree char *params = ll_layer_param_formula (spec, &in, &out, NULL, NULL);

      g_assert_cmpstr (params, ==, want[i].params);
      if (want[i].axis != NULL)
        {
          g_autofree char *f = NULL;
          g_assert_true (ll_layer_spec_window (spec, &in, axes));
          f = ll_window_axis_formula (&axes[0]);
          g_assert_cmpstr (f, ==, want[i].axis);
        }
    }
  {
    LlWindowAxis a;
    g_autofree char *f = NULL;
    ll_window_axis_init (&a, 28, 3, 2, FALSE);
    f = ll_window_axis_formula (&a);
    g_assert_cmpstr (f, ==, "⌊(28 − 3) / 2⌋ + 1 = 13");
    g_assert_cmpint (a.unused, ==, 1);
    g_assert_cmpstr (ll_window_axis_symbols (&a, 1), ==, "⌊(W − K) / S⌋ + 1");
  }
  {
    LlShape in = ll_shape_flat (784), out = ll_shape_flat (128);
    LlLayerSpec spec;
    g_autofree char *f = NULL;
    ll_layer_spec_init (&spec, &ll_layer_dense);
    ll_layer_spec_set (&spec, "units", 128, NULL);
    f = ll_layer_param_formula (&spec, &in, &out, NULL, NULL);
    g_assert_cmpstr (f, ==, "784·128 + 128 = 100,480");
  }
}

/* The JSON form has the keys worksheets read. */
static void
test_json (void)
{
  g_autoptr(LlModel) model = model_from_text ("Input height=6 width=6 channels=2\n"
                                              "Conv2D filters=2 kernel_size=3 padding=same activation=relu\n"
                                              "MaxPooling2D\nFlatten\nDense units=4 activation=softmax\n", 170);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlExplanation) conv = NULL, pool = NULL, dense = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;
  JsonArray *window;

  run_batch (model, 1, 0.0, 1.0, FALSE, 171);
  conv = ll_explain_unit (model, 0, 1, (int[]) { 0, 5, 1 }, 3, &error);
  g_assert_no_error (error);
  node = ll_explanation_to_json (conv);
  o = json_node_get_object (node);
  for (const char *const *k = (const char *const[]) { "layer", "type", "unit", "window", "inputs",
                                                      "weights", "products", "sum", "bias",
                                                      "pre_activation", "activation", "value",
                                                      "engine", "shape_arithmetic",
                                                      "parameter_arithmetic", NULL }; *k; k++)
    g_assert_true (json_object_has_member (o, *k));
  g_assert_cmpstr (json_object_get_string_member (o, "layer"), ==, "conv2d");
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "Conv2D");
  g_assert_cmpstr (json_object_get_string_member (o, "activation"), ==, "relu");
  window = json_object_get_array_member (o, "window");
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (window, 0), 0), ==, -1);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (window, 1), 1), ==, 7);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "inputs")), ==, 18);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "value"), conv->engine_value, TOL);
  g_clear_pointer (&node, json_node_unref);

  pool = ll_explain_unit (model, 0, 2, (int[]) { 1, 1, 0 }, 3, &error);
  node = ll_explanation_to_json (pool);
  o = json_node_get_object (node);
  g_assert_false (json_object_has_member (o, "weights"));
  g_assert_true (json_object_has_member (o, "winner"));
  g_assert_true (json_object_has_member (o, "inputs"));
  g_clear_pointer (&node, json_node_unref);

  dense = ll_explain_unit (model, 0, 4, (int[]) { 2 }, 1, &error);
  node = ll_explanation_to_json (dense);
  o = json_node_get_object (node);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "logits")), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "shares")), ==, 4);
  g_assert_true (json_object_has_member (o, "largest"));
  g_assert_false (json_object_has_member (o, "window"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/explain/conv2d", test_conv2d);
  g_test_add_func ("/engine/explain/conv2d-window", test_conv2d_window);
  g_test_add_func ("/engine/explain/disagreement-is-seen", test_disagreement_is_seen);
  g_test_add_func ("/engine/explain/pooling", test_pooling);
  g_test_add_func ("/engine/explain/pool-winner", test_pool_winner);
  g_test_add_func ("/engine/explain/global-pooling", test_global_pooling);
  g_test_add_func ("/engine/explain/dense", test_dense);
  g_test_add_func ("/engine/explain/softmax", test_softmax);
  g_test_add_func ("/engine/explain/softmax-shift", test_softmax_shift);
  g_test_add_func ("/engine/explain/batch-norm", test_batch_norm);
  g_test_add_func ("/engine/explain/dropout", test_dropout);
  g_test_add_func ("/engine/explain/copies", test_copies);
  g_test_add_func ("/engine/explain/errors", test_errors);
  g_test_add_func ("/engine/explain/arithmetic-presets", test_arithmetic_presets);
  g_test_add_func ("/engine/explain/arithmetic-tutorial", test_arithmetic_tutorial);
  g_test_add_func ("/engine/explain/json", test_json);
  return g_test_run ();
}
