/* test-conv.c: the image layers' ops, driven directly (without a model):
 * finite-difference gradients, Conv2D against a direct convolution, Keras
 * shapes and parameter counts, batch-norm moving averages, shape errors. */
#include "ll-layer.h"
#include "ll-rng.h"

#include <math.h>
#include <string.h>

/* An op with weight, gradient and scratch buffers of its own, standing in
 * for the model. */
typedef struct {
  const LlLayerType *type;
  LlLayerSpec spec;
  LlShape in, out;
  LlOp *op;
  int n_w;
  LlWeightInfo info[LL_MAX_WEIGHTS];
  float *scratch;
  gsize scratch_size;
  int batch;
} Harness;

static void
spec_defaults (LlLayerSpec *spec, const LlLayerType *type)
{
  memset (spec, 0, sizeof *spec);
  spec->type = type;
  for (int i = 0; i < type->n_params; i++)
    spec->v[i] = type->params[i].default_value;
}

static void
spec_set (LlLayerSpec *spec, const char *name, double value)
{
  for (int i = 0; i < spec->type->n_params; i++)
    if (strcmp (spec->type->params[i].name, name) == 0)
      {
        g_assert_cmpfloat (value, >=, spec->type->params[i].min);
        if (spec->type->params[i].type != LL_PARAM_CHOICE)
          g_assert_cmpfloat (value, <=, spec->type->params[i].max);
        spec->v[i] = value;
        return;
      }
  g_error ("%s has no parameter %s", spec->type->name, name);
}

static void
fill_uniform (LlRng *rng, float *v, gsize n, double lo, double hi)
{
  for (gsize i = 0; i < n; i++)
    v[i] = (float) (lo + (hi - lo) * ll_rng_uniform (rng));
}

static Harness *
harness_new (const LlLayerSpec *spec, LlShape in, int batch, guint64 seed)
{
  Harness *h = g_new0 (Harness, 1);
  g_autoptr (GError) error = NULL;
  LlRng rng;

  ll_rng_seed (&rng, seed);
  h->type = spec->type;
  h->spec = *spec;
  h->in = in;
  h->batch = batch;
  g_assert_true (h->type->infer (spec, &in, &h->out, &error));
  g_assert_no_error (error);
  h->n_w = h->type->weights != NULL ? h->type->weights (spec, &h->in, &h->out, h->info) : 0;
  h->op = h->type->build (spec, &h->in, &h->out);
  g_assert_nonnull (h->op);
  g_assert_cmpint (h->op->n_weights, ==, h->n_w);
  for (int i = 0; i < h->n_w; i++)
    {
      gsize n = ll_weight_info_size (&h->info[i]);
      h->op->w[i] = g_new (float, n);
      /* Variances must stay positive; everything else anywhere in [-1, 1). */
      if (strcmp (h->info[i].name, "moving_variance") == 0)
        fill_uniform (&rng, h->op->w[i], n, 0.5, 2.0);
      else
        fill_uniform (&rng, h->op->w[i], n, -1.0, 1.0);
      h->op->g[i] = h->info[i].trainable ? g_new (float, n) : NULL;
    }
  if (h->op->klass->plan != NULL)
    {
      g_assert_true (h->op->klass->plan (h->op, batch, &error));
      g_assert_no_error (error);
    }
  h->scratch_size = h->op->klass->scratch != NULL ? h->op->klass->scratch (h->op, batch) : 0;
  h->scratch = g_new0 (float, MAX (h->scratch_size, 1));
  return h;
}

static void
harness_free (Harness *h)
{
  for (int i = 0; i < h->n_w; i++)
    {
      g_free (h->op->w[i]);
      g_free (h->op->g[i]);
    }
  if (h->op->klass->finalize != NULL)
    h->op->klass->finalize (h->op);
  g_free (h->op);
  g_free (h->scratch);
  g_free (h);
}

static LlContext
harness_context (Harness *h, gboolean training)
{
  LlContext ctx = { training, NULL, h->scratch, h->scratch_size };
  return ctx;
}

static gsize
harness_in_size (Harness *h)
{
  return (gsize) h->batch * ll_shape_size (&h->in);
}

static gsize
harness_out_size (Harness *h)
{
  return (gsize) h->batch * ll_shape_size (&h->out);
}

/* L = Σ r·y for the current input and weights, in double. */
static double
probe_loss (Harness *h, const float *x, const float *r, float *y)
{
  LlContext ctx = harness_context (h, TRUE);
  double l = 0.0;

  h->op->klass->forward (h->op, &ctx, h->batch, x, y);
  for (gsize i = 0; i < harness_out_size (h); i++)
    l += (double) r[i] * y[i];
  return l;
}

static void
check_close (const char *what, gsize i, double numeric, double analytic, double tol)
{
  double scale = MAX (1.0, MAX (fabs (numeric), fabs (analytic)));
  if (fabs (numeric - analytic) > tol * scale)
    g_error ("%s[%" G_GSIZE_FORMAT "]: numeric %.6g, analytic %.6g", what, i, numeric, analytic);
}

/* Central differences of L = Σ r·y against backward with dy = r, for the
 * input and every trainable weight.  Up to ~150 entries per tensor. */
static void
gradient_check (Harness *h, const float *x_in, double step, double tol, guint64 seed)
{
  gsize n_x = harness_in_size (h), n_y = harness_out_size (h);
  g_autofree float *x = g_memdup2 (x_in, n_x * sizeof (float));
  g_autofree float *y = g_new (float, n_y);
  g_autofree float *r = g_new (float, n_y);
  g_autofree float *dx = g_new (float, n_x);
  LlContext ctx = harness_context (h, TRUE);
  LlRng rng;

  ll_rng_seed (&rng, seed);
  fill_uniform (&rng, r, n_y, -1.0, 1.0);
  h->op->klass->forward (h->op, &ctx, h->batch, x, y);
  /* Backward overwrites: garbage in dx and the gradients must not leak through. */
  for (gsize i = 0; i < n_x; i++)
    dx[i] = 1e6f;
  for (int k = 0; k < h->n_w; k++)
    if (h->op->g[k] != NULL)
      for (gsize i = 0; i < ll_weight_info_size (&h->info[k]); i++)
        h->op->g[k][i] = 1e6f;
  h->op->klass->backward (h->op, &ctx, h->batch, x, y, r, dx);

  for (gsize i = 0; i < n_x; i += MAX (1, n_x / 150))
    {
      float saved = x[i];
      x[i] = (float) (saved + step);
      double lp = probe_loss (h, x, r, y);
      x[i] = (float) (saved - step);
      double lm = probe_loss (h, x, r, y);
      x[i] = saved;
      check_close ("dx", i, (lp - lm) / (2 * step), dx[i], tol);
    }

  for (int k = 0; k < h->n_w; k++)
    {
      gsize n = ll_weight_info_size (&h->info[k]);
      float *w = h->op->w[k];
      if (h->op->g[k] == NULL)
        continue;
      for (gsize i = 0; i < n; i += MAX (1, n / 150))
        {
          float saved = w[i];
          w[i] = (float) (saved + step);
          double lp = probe_loss (h, x, r, y);
          w[i] = (float) (saved - step);
          double lm = probe_loss (h, x, r, y);
          w[i] = saved;
          check_close (h->info[k].name, i, (lp - lm) / (2 * step), h->op->g[k][i], tol);
        }
    }
}

static float *
random_input (Harness *h, guint64 seed)
{
  float *x = g_new (float, harness_in_size (h));
  LlRng rng;

  ll_rng_seed (&rng, seed);
  fill_uniform (&rng, x, harness_in_size (h), -1.0, 1.0);
  return x;
}

/* Distinct values 0.02 apart in random order: no ties for max pooling, and
 * steps of 1e-3 never change a winner. */
static float *
distinct_input (Harness *h, guint64 seed)
{
  gsize n = harness_in_size (h);
  float *x = g_new (float, n);
  g_autofree guint32 *perm = g_new (guint32, n);
  LlRng rng;

  ll_rng_seed (&rng, seed);
  for (gsize i = 0; i < n; i++)
    perm[i] = (guint32) i;
  ll_rng_shuffle (&rng, perm, n);
  for (gsize i = 0; i < n; i++)
    x[i] = 0.02f * ((float) perm[i] - (float) n / 2) / (float) MAX (1, n / 100);
  return x;
}

static LlLayerSpec
conv_spec (int filters, int k, int s, const char *padding, gboolean bias)
{
  LlLayerSpec spec;
  spec_defaults (&spec, &ll_layer_conv2d);
  spec_set (&spec, "filters", filters);
  spec_set (&spec, "kernel_size", k);
  spec_set (&spec, "strides", s);
  spec_set (&spec, "padding", strcmp (padding, "same") == 0 ? 1 : 0);
  spec_set (&spec, "use_bias", bias);
  return spec;
}

static void
test_conv_gradients (void)
{
  static const struct {
    int h, w, cin, f, k, s;
    const char *padding;
    gboolean bias;
  } cases[] = {
    { 6, 6, 1, 2, 3, 1, "valid", TRUE },
    { 6, 5, 2, 3, 3, 1, "same", TRUE },
    { 7, 7, 3, 2, 3, 2, "valid", FALSE },
    { 7, 6, 2, 4, 3, 2, "same", TRUE },
    { 5, 5, 3, 2, 1, 1, "valid", TRUE },     /* 1×1: the direct path */
    { 5, 5, 2, 3, 1, 2, "same", FALSE },
    { 8, 8, 2, 2, 5, 1, "same", TRUE },
    { 9, 8, 1, 3, 5, 2, "valid", TRUE },
    { 6, 6, 2, 2, 5, 3, "same", FALSE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      LlLayerSpec spec = conv_spec (cases[c].f, cases[c].k, cases[c].s,
                                    cases[c].padding, cases[c].bias);
      Harness *h = harness_new (&spec, ll_shape_image (cases[c].h, cases[c].w, cases[c].cin), 2, 10 + c);
      g_autofree float *x = random_input (h, 100 + c);

      g_test_message ("conv case %u: %dx%dx%d, %d filters %dx%d stride %d %s", c,
                      cases[c].h, cases[c].w, cases[c].cin, cases[c].f,
                      cases[c].k, cases[c].k, cases[c].s, cases[c].padding);
      /* Linear in x and in W: large steps are exact up to rounding. */
      gradient_check (h, x, 1e-2, 1e-2, 1000 + c);
      harness_free (h);
    }
}

/* y[b, oy, ox, f] = bias[f] + Σ x[b, iy, ix, c] · W[ky, kx, c, f], written
 * from the TensorFlow padding rule, independently of the op. */
static void
naive_conv (const float *x, int batch, int H, int W, int C, const float *w, const float *bias,
            int F, int k, int s, gboolean same, int Ho, int Wo, float *y)
{
  int pt = 0, pl = 0;
  if (same)
    {
      pt = MAX ((Ho - 1) * s + k - H, 0) / 2;
      pl = MAX ((Wo - 1) * s + k - W, 0) / 2;
    }
  for (int b = 0; b < batch; b++)
    for (int oy = 0; oy < Ho; oy++)
      for (int ox = 0; ox < Wo; ox++)
        for (int f = 0; f < F; f++)
          {
            double acc = bias != NULL ? bias[f] : 0.0;
            for (int ky = 0; ky < k; ky++)
              for (int kx = 0; kx < k; kx++)
                {
                  int iy = oy * s + ky - pt, ix = ox * s + kx - pl;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                    continue;
                  for (int c = 0; c < C; c++)
                    acc += (double) x[((b * H + iy) * W + ix) * C + c]
                           * w[((ky * k + kx) * C + c) * F + f];
                }
            y[((b * Ho + oy) * Wo + ox) * F + f] = (float) acc;
          }
}

static void
test_conv_naive (void)
{
  static const struct {
    int h, w, cin, f, k, s;
    gboolean same, bias;
    int ho, wo;                    /* as Keras reports them */
  } cases[] = {
    { 28, 28, 1, 8, 3, 1, FALSE, TRUE, 26, 26 },
    { 28, 28, 1, 3, 5, 1, FALSE, TRUE, 24, 24 },
    { 13, 13, 8, 16, 3, 1, FALSE, TRUE, 11, 11 },
    { 32, 32, 3, 8, 3, 1, TRUE, FALSE, 32, 32 },
    { 32, 32, 3, 8, 3, 2, TRUE, TRUE, 16, 16 },
    { 11, 11, 4, 5, 3, 2, TRUE, TRUE, 6, 6 },
    { 11, 10, 4, 5, 5, 2, FALSE, TRUE, 4, 3 },
    { 10, 10, 2, 3, 4, 3, TRUE, TRUE, 4, 4 },
    { 9, 9, 6, 7, 1, 1, FALSE, TRUE, 9, 9 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      LlLayerSpec spec = conv_spec (cases[c].f, cases[c].k, cases[c].s,
                                    cases[c].same ? "same" : "valid", cases[c].bias);
      int batch = 3;
      Harness *h = harness_new (&spec, ll_shape_image (cases[c].h, cases[c].w, cases[c].cin),
                                batch, 20 + c);
      g_autofree float *x = random_input (h, 200 + c);
      g_autofree float *y = g_new (float, harness_out_size (h));
      g_autofree float *ref = g_new (float, harness_out_size (h));
      LlContext ctx = harness_context (h, FALSE);

      g_assert_cmpint (h->out.rank, ==, 3);
      g_assert_cmpint (h->out.d[0], ==, cases[c].ho);
      g_assert_cmpint (h->out.d[1], ==, cases[c].wo);
      g_assert_cmpint (h->out.d[2], ==, cases[c].f);
      h->op->klass->forward (h->op, &ctx, batch, x, y);
      naive_conv (x, batch, cases[c].h, cases[c].w, cases[c].cin, h->op->w[0],
                  cases[c].bias ? h->op->w[1] : NULL, cases[c].f, cases[c].k, cases[c].s,
                  cases[c].same, cases[c].ho, cases[c].wo, ref);
      for (gsize i = 0; i < harness_out_size (h); i++)
        if (fabsf (y[i] - ref[i]) > 1e-4f * (1.0f + fabsf (ref[i])))
          g_error ("conv case %u: y[%" G_GSIZE_FORMAT "] = %g, direct convolution gives %g",
                   c, i, y[i], ref[i]);
      harness_free (h);
    }
}

static gsize
count_params (const LlWeightInfo *info, int n, gboolean trainable_only)
{
  gsize total = 0;
  for (int i = 0; i < n; i++)
    if (!trainable_only || info[i].trainable)
      total += ll_weight_info_size (&info[i]);
  return total;
}

static void
test_shapes (void)
{
  LlLayerSpec spec = conv_spec (3, 5, 1, "valid", TRUE);
  LlShape in = ll_shape_image (28, 28, 1), out;
  LlWeightInfo info[LL_MAX_WEIGHTS];
  g_autoptr (GError) error = NULL;
  int n;

  /* The Keras example: 28×28×1, 3 filters of 5×5 → 24×24×3, 78 params. */
  g_assert_true (ll_layer_conv2d.infer (&spec, &in, &out, &error));
  g_assert_cmpint (out.rank, ==, 3);
  g_assert_cmpint (out.d[0], ==, 24);
  g_assert_cmpint (out.d[1], ==, 24);
  g_assert_cmpint (out.d[2], ==, 3);
  n = ll_layer_conv2d.weights (&spec, &in, &out, info);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpuint (count_params (info, n, FALSE), ==, 78);
  g_assert_cmpstr (info[0].name, ==, "kernel");
  g_assert_cmpint (info[0].dims[0], ==, 5);
  g_assert_cmpint (info[0].dims[2], ==, 1);
  g_assert_cmpint (info[0].dims[3], ==, 3);
  g_assert_cmpint (info[0].fan_in, ==, 25);
  g_assert_cmpint (info[0].fan_out, ==, 75);
  g_assert_cmpint (info[0].init, ==, LL_INIT_GLOROT_UNIFORM);
  g_assert_cmpfloat (info[0].l1, ==, 0.0);
  g_assert_cmpfloat (info[0].l2, ==, 0.0);

  /* Without bias, with an l2 kernel regularizer. */
  spec_set (&spec, "use_bias", 0);
  spec_set (&spec, "kernel_regularizer", 2);
  spec_set (&spec, "l2", 0.001);
  n = ll_layer_conv2d.weights (&spec, &in, &out, info);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpuint (count_params (info, n, FALSE), ==, 75);
  g_assert_cmpfloat (info[0].l1, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (info[0].l2, 0.001, 1e-12);

  /* The MNIST CNN: conv32-3×3 → pool → conv64-3×3 → pool: 320 and 18,496 params. */
  spec = conv_spec (32, 3, 1, "valid", TRUE);
  g_assert_true (ll_layer_conv2d.infer (&spec, &in, &out, &error));
  n = ll_layer_conv2d.weights (&spec, &in, &out, info);
  g_assert_cmpuint (count_params (info, n, FALSE), ==, 320);
  {
    LlLayerSpec pool;
    LlShape p_out;
    spec_defaults (&pool, &ll_layer_max_pooling2d);
    g_assert_true (ll_layer_max_pooling2d.infer (&pool, &out, &p_out, &error));
    g_assert_cmpint (p_out.d[0], ==, 13);
    g_assert_cmpint (p_out.d[2], ==, 32);
    spec = conv_spec (64, 3, 1, "valid", TRUE);
    g_assert_true (ll_layer_conv2d.infer (&spec, &p_out, &out, &error));
    g_assert_cmpint (out.d[0], ==, 11);
    n = ll_layer_conv2d.weights (&spec, &p_out, &out, info);
    g_assert_cmpuint (count_params (info, n, FALSE), ==, 18496);
    g_assert_true (ll_layer_max_pooling2d.infer (&pool, &out, &p_out, &error));
    g_assert_cmpint (p_out.d[0], ==, 5);
    g_assert_cmpint (p_out.d[1], ==, 5);
  }

  /* same, stride 2: ceil(H / 2). */
  spec = conv_spec (16, 3, 2, "same", TRUE);
  in = ll_shape_image (32, 31, 3);
  g_assert_true (ll_layer_conv2d.infer (&spec, &in, &out, &error));
  g_assert_cmpint (out.d[0], ==, 16);
  g_assert_cmpint (out.d[1], ==, 16);
  g_assert_cmpint (out.d[2], ==, 16);
  spec = conv_spec (16, 3, 2, "valid", TRUE);
  g_assert_true (ll_layer_conv2d.infer (&spec, &in, &out, &error));
  g_assert_cmpint (out.d[0], ==, 15);
  g_assert_cmpint (out.d[1], ==, 15);

  /* Pooling: default strides = pool_size; same rounds up. */
  {
    LlLayerSpec pool;
    spec_defaults (&pool, &ll_layer_average_pooling2d);
    spec_set (&pool, "padding", 1);
    in = ll_shape_image (7, 5, 4);
    g_assert_true (ll_layer_average_pooling2d.infer (&pool, &in, &out, &error));
    g_assert_cmpint (out.d[0], ==, 4);
    g_assert_cmpint (out.d[1], ==, 3);
    spec_set (&pool, "padding", 0);
    spec_set (&pool, "pool_size", 3);
    spec_set (&pool, "strides", 1);
    g_assert_true (ll_layer_average_pooling2d.infer (&pool, &in, &out, &error));
    g_assert_cmpint (out.d[0], ==, 5);
    g_assert_cmpint (out.d[1], ==, 3);
  }

  /* Global pooling: flat, one value per channel. */
  in = ll_shape_image (8, 8, 64);
  g_assert_true (ll_layer_global_average_pooling2d.infer (NULL, &in, &out, &error));
  g_assert_cmpint (out.rank, ==, 1);
  g_assert_cmpint (out.d[0], ==, 64);
  g_assert_true (ll_layer_global_max_pooling2d.infer (NULL, &in, &out, &error));
  g_assert_cmpint (out.d[0], ==, 64);

  /* BatchNormalization: 4 per channel, 2 of them non-trainable; Keras order. */
  spec_defaults (&spec, &ll_layer_batch_normalization);
  in = ll_shape_image (26, 26, 32);
  g_assert_true (ll_layer_batch_normalization.infer (&spec, &in, &out, &error));
  g_assert_true (ll_shape_equal (&in, &out));
  n = ll_layer_batch_normalization.weights (&spec, &in, &out, info);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpuint (count_params (info, n, FALSE), ==, 128);
  g_assert_cmpuint (count_params (info, n, TRUE), ==, 64);
  g_assert_cmpstr (info[0].name, ==, "gamma");
  g_assert_cmpint (info[0].init, ==, LL_INIT_ONES);
  g_assert_cmpstr (info[1].name, ==, "beta");
  g_assert_cmpstr (info[2].name, ==, "moving_mean");
  g_assert_false (info[2].trainable);
  g_assert_cmpstr (info[3].name, ==, "moving_variance");
  g_assert_cmpint (info[3].init, ==, LL_INIT_ONES);
  g_assert_false (info[3].trainable);
  /* After a Dense of 128: 512 params. Without scale: gamma is absent. */
  in = ll_shape_flat (128);
  n = ll_layer_batch_normalization.weights (&spec, &in, &in, info);
  g_assert_cmpuint (count_params (info, n, FALSE), ==, 512);
  spec_set (&spec, "scale", 0);
  n = ll_layer_batch_normalization.weights (&spec, &in, &in, info);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpstr (info[0].name, ==, "beta");
  g_assert_cmpuint (count_params (info, n, TRUE), ==, 128);

  /* Reshape 784 → 28×28×1. */
  spec_defaults (&spec, &ll_layer_reshape);
  in = ll_shape_flat (784);
  g_assert_true (ll_layer_reshape.infer (&spec, &in, &out, &error));
  g_assert_true (ll_shape_equal (&out, &(LlShape) { 3, { 28, 28, 1 } }));
  g_assert_no_error (error);
}

static void
expect_shape_error (const LlLayerType *type, const LlLayerSpec *spec, LlShape in,
                    const char *needle)
{
  g_autoptr (GError) error = NULL;
  LlShape out;

  g_assert_false (type->infer (spec, &in, &out, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
  g_test_message ("%s: %s", type->name, error->message);
  if (strstr (error->message, needle) == NULL)
    g_error ("%s error \"%s\" does not mention \"%s\"", type->name, error->message, needle);
}

static void
test_shape_errors (void)
{
  LlLayerSpec spec = conv_spec (8, 3, 1, "valid", TRUE), pool;
  g_autoptr (GError) error = NULL;
  LlShape out;

  expect_shape_error (&ll_layer_conv2d, &spec, ll_shape_flat (784),
                      "Conv2D needs an image input (height × width × channels); it got a flat "
                      "vector of 784 values. Remove the Flatten before it or add a Reshape.");
  spec = conv_spec (8, 7, 1, "valid", TRUE);
  expect_shape_error (&ll_layer_conv2d, &spec, ll_shape_image (5, 9, 3), "kernel_size");
  /* The same kernel fits with "same" padding. */
  spec = conv_spec (8, 7, 1, "same", TRUE);
  g_assert_true (ll_layer_conv2d.infer (&spec, &(LlShape) { 3, { 5, 9, 3 } }, &out, &error));
  g_assert_cmpint (out.d[0], ==, 5);

  spec_defaults (&pool, &ll_layer_max_pooling2d);
  spec_set (&pool, "pool_size", 4);
  expect_shape_error (&ll_layer_max_pooling2d, &pool, ll_shape_image (3, 3, 8), "pool_size");
  expect_shape_error (&ll_layer_max_pooling2d, &pool, ll_shape_flat (72), "Reshape");
  spec_defaults (&pool, &ll_layer_average_pooling2d);
  spec_set (&pool, "pool_size", 5);
  expect_shape_error (&ll_layer_average_pooling2d, &pool, ll_shape_image (8, 4, 2), "larger");
  expect_shape_error (&ll_layer_global_average_pooling2d, NULL, ll_shape_flat (10), "Flatten");
  expect_shape_error (&ll_layer_global_max_pooling2d, NULL, ll_shape_flat (10), "Flatten");

  spec_defaults (&spec, &ll_layer_reshape);
  spec_set (&spec, "height", 10);
  expect_shape_error (&ll_layer_reshape, &spec, ll_shape_flat (784), "280");
}

static void
test_pool_gradients (void)
{
  static const struct {
    const LlLayerType *type;
    int h, w, c, p, s;
    gboolean same;
  } cases[] = {
    { &ll_layer_max_pooling2d, 6, 6, 3, 2, 0, FALSE },
    { &ll_layer_max_pooling2d, 7, 5, 2, 2, 0, TRUE },
    { &ll_layer_max_pooling2d, 7, 7, 2, 3, 2, FALSE },   /* overlapping windows */
    { &ll_layer_max_pooling2d, 5, 6, 2, 3, 1, TRUE },
    { &ll_layer_average_pooling2d, 6, 6, 3, 2, 0, FALSE },
    { &ll_layer_average_pooling2d, 7, 5, 2, 2, 0, TRUE },
    { &ll_layer_average_pooling2d, 7, 7, 2, 3, 2, TRUE },
    { &ll_layer_average_pooling2d, 5, 6, 2, 3, 1, FALSE },
    /* Five channels: the vectorized blocks of four and the tail. */
    { &ll_layer_max_pooling2d, 5, 5, 5, 3, 2, TRUE },
    { &ll_layer_average_pooling2d, 5, 5, 5, 3, 2, TRUE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      LlLayerSpec spec;
      spec_defaults (&spec, cases[c].type);
      spec_set (&spec, "pool_size", cases[c].p);
      spec_set (&spec, "strides", cases[c].s);
      spec_set (&spec, "padding", cases[c].same);
      Harness *h = harness_new (&spec, ll_shape_image (cases[c].h, cases[c].w, cases[c].c), 2, 30 + c);
      g_autofree float *x = distinct_input (h, 300 + c);

      gradient_check (h, x, 1e-3, 1e-2, 3000 + c);
      harness_free (h);
    }
}

/* TensorFlow's "same" average pooling divides by the real cells only. */
static void
test_avg_pool_same_values (void)
{
  LlLayerSpec spec;
  float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, y[4];

  spec_defaults (&spec, &ll_layer_average_pooling2d);
  spec_set (&spec, "padding", 1);
  Harness *h = harness_new (&spec, ll_shape_image (3, 3, 1), 1, 1);
  LlContext ctx = harness_context (h, FALSE);

  g_assert_cmpint (h->out.d[0], ==, 2);
  /* pad_total = 1: nothing above or left, one row/column below and right. */
  h->op->klass->forward (h->op, &ctx, 1, x, y);
  g_assert_cmpfloat_with_epsilon (y[0], (1 + 2 + 4 + 5) / 4.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[1], (3 + 6) / 2.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[2], (7 + 8) / 2.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y[3], 9.0, 1e-6);
  harness_free (h);

  /* Max pooling with "same" ignores the padding even for negative inputs. */
  spec_defaults (&spec, &ll_layer_max_pooling2d);
  spec_set (&spec, "padding", 1);
  h = harness_new (&spec, ll_shape_image (3, 3, 1), 1, 1);
  for (int i = 0; i < 9; i++)
    x[i] = -x[i];
  h->op->klass->forward (h->op, &ctx, 1, x, y);
  g_assert_cmpfloat (y[0], ==, -1.0f);
  g_assert_cmpfloat (y[1], ==, -3.0f);
  g_assert_cmpfloat (y[2], ==, -7.0f);
  g_assert_cmpfloat (y[3], ==, -9.0f);
  harness_free (h);
}

static void
test_global_pool_gradients (void)
{
  const LlLayerType *types[] = { &ll_layer_global_average_pooling2d, &ll_layer_global_max_pooling2d };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      LlLayerSpec spec;
      spec_defaults (&spec, types[t]);
      Harness *h = harness_new (&spec, ll_shape_image (4, 5, 3), 3, 40 + t);
      g_autofree float *x = distinct_input (h, 400 + t);
      g_autofree float *y = g_new (float, harness_out_size (h));
      LlContext ctx = harness_context (h, FALSE);

      g_assert_cmpint (h->out.rank, ==, 1);
      g_assert_cmpint (h->out.d[0], ==, 3);
      gradient_check (h, x, 1e-3, 1e-2, 4000 + t);

      /* Values: sample 1, channel 2 over its 20 cells. */
      h->op->klass->forward (h->op, &ctx, 3, x, y);
      double acc = t == 0 ? 0.0 : -INFINITY;
      for (int i = 0; i < 20; i++)
        {
          float v = x[(20 + i) * 3 + 2];
          acc = t == 0 ? acc + v / 20.0 : MAX (acc, v);
        }
      g_assert_cmpfloat_with_epsilon (y[3 + 2], acc, 1e-5);
      harness_free (h);
    }
}

static void
test_reshape_gradient (void)
{
  LlLayerSpec spec;
  spec_defaults (&spec, &ll_layer_reshape);
  spec_set (&spec, "height", 3);
  spec_set (&spec, "width", 4);
  spec_set (&spec, "channels", 2);
  Harness *h = harness_new (&spec, ll_shape_flat (24), 2, 5);
  g_autofree float *x = random_input (h, 500);

  g_assert_true (ll_shape_equal (&h->out, &(LlShape) { 3, { 3, 4, 2 } }));
  gradient_check (h, x, 1e-2, 1e-3, 5000);
  harness_free (h);
}

static void
test_bn_gradients (void)
{
  static const struct {
    LlShape in;
    gboolean center, scale;
  } cases[] = {
    { { 3, { 3, 4, 3 } }, TRUE, TRUE },
    { { 1, { 5 } }, TRUE, TRUE },
    { { 3, { 2, 3, 2 } }, FALSE, TRUE },
    { { 1, { 4 } }, TRUE, FALSE },
    { { 3, { 2, 2, 3 } }, FALSE, FALSE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      LlLayerSpec spec;
      spec_defaults (&spec, &ll_layer_batch_normalization);
      spec_set (&spec, "center", cases[c].center);
      spec_set (&spec, "scale", cases[c].scale);
      /* Rank 1 normalizes over the batch alone: give it enough samples. */
      Harness *h = harness_new (&spec, cases[c].in, cases[c].in.rank == 1 ? 6 : 3, 50 + c);
      g_autofree float *x = random_input (h, 600 + c);

      g_assert_cmpint (h->n_w, ==, 2 + cases[c].center + cases[c].scale);
      gradient_check (h, x, 2e-3, 2e-2, 6000 + c);
      harness_free (h);
    }
}

/* N training steps: moving_mean ← m·moving_mean + (1 − m)·μ_batch and the
 * same with the biased batch variance; evaluation then uses them. */
static void
test_bn_moving_averages (void)
{
  const int batch = 4, c = 3, steps = 5;
  const double momentum = 0.9, eps = 0.01;
  LlLayerSpec spec;
  spec_defaults (&spec, &ll_layer_batch_normalization);
  g_assert_cmpfloat (spec.v[0], ==, 0.99);
  g_assert_cmpfloat (spec.v[1], ==, 0.001);
  spec_set (&spec, "momentum", momentum);
  spec_set (&spec, "epsilon", eps);
  Harness *h = harness_new (&spec, ll_shape_image (2, 3, c), batch, 7);
  gsize n = harness_in_size (h), rows = n / c;
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);
  double mm[3] = { 0, 0, 0 }, mv[3] = { 1, 1, 1 };
  float *gamma = h->op->w[0], *beta = h->op->w[1];
  LlContext train = harness_context (h, TRUE), eval = harness_context (h, FALSE);
  LlRng rng;

  ll_rng_seed (&rng, 77);
  /* Keras' initial values. */
  for (int j = 0; j < c; j++)
    {
      h->op->w[2][j] = 0.0f;
      h->op->w[3][j] = 1.0f;
    }
  for (int step = 0; step < steps; step++)
    {
      for (gsize i = 0; i < n; i++)
        x[i] = (float) (3.0 * ll_rng_uniform (&rng) + (double) (i % c) - 1.0);
      h->op->klass->forward (h->op, &train, batch, x, y);
      for (int j = 0; j < c; j++)
        {
          double mean = 0, var = 0, ymean = 0;
          for (gsize r = 0; r < rows; r++)
            mean += x[r * c + j] / (double) rows;
          for (gsize r = 0; r < rows; r++)
            var += (x[r * c + j] - mean) * (x[r * c + j] - mean) / (double) rows;
          mm[j] = momentum * mm[j] + (1 - momentum) * mean;
          mv[j] = momentum * mv[j] + (1 - momentum) * var;
          /* Training output: normalized by the batch statistics. */
          for (gsize r = 0; r < rows; r++)
            {
              double expect = gamma[j] * (x[r * c + j] - mean) / sqrt (var + eps) + beta[j];
              g_assert_cmpfloat_with_epsilon (y[r * c + j], expect, 1e-4);
              ymean += (y[r * c + j] - beta[j]) / gamma[j] / (double) rows;
            }
          g_assert_cmpfloat_with_epsilon (ymean, 0.0, 1e-4);
        }
    }
  for (int j = 0; j < c; j++)
    {
      g_assert_cmpfloat_with_epsilon (h->op->w[2][j], mm[j], 1e-5);
      g_assert_cmpfloat_with_epsilon (h->op->w[3][j], mv[j], 1e-5);
    }

  /* Evaluation: moving statistics, and they stay as they are. */
  h->op->klass->forward (h->op, &eval, batch, x, y);
  for (gsize r = 0; r < rows; r++)
    for (int j = 0; j < c; j++)
      {
        double expect = gamma[j] * (x[r * c + j] - mm[j]) / sqrt (mv[j] + eps) + beta[j];
        g_assert_cmpfloat_with_epsilon (y[r * c + j], expect, 1e-4);
      }
  for (int j = 0; j < c; j++)
    g_assert_cmpfloat_with_epsilon (h->op->w[2][j], mm[j], 1e-5);
  harness_free (h);
}

/* An evaluation pass between a training forward and its backward must not
 * disturb what backward relies on. */
/* Max pooling's backward finds each window's winner again from x and y:
 * with many ties (values from {-1, 0, 1}), a NaN, more channels than its
 * blocks of 64 and overlapping, tiling and partly covering windows, the
 * gradient goes where a forward that records the first strict maximum
 * would send it. */
static void
test_max_pool_ties (void)
{
  static const struct {
    int h, w, c, p, s;
    gboolean same;
  } cases[] = {
    { 4, 4, 3, 2, 2, FALSE },        /* tiles the input */
    { 5, 5, 70, 2, 2, FALSE },       /* last row and column uncovered; 64 + 6 channels */
    { 5, 5, 3, 3, 1, TRUE },         /* overlapping */
    { 5, 4, 5, 2, 2, TRUE },         /* clipped border windows */
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      LlLayerSpec spec;
      LlRng rng;
      int h = cases[k].h, w = cases[k].w, c = cases[k].c, p = cases[k].p, s = cases[k].s;

      spec_defaults (&spec, &ll_layer_max_pooling2d);
      spec_set (&spec, "pool_size", p);
      spec_set (&spec, "strides", s);
      spec_set (&spec, "padding", cases[k].same);
      Harness *hr = harness_new (&spec, ll_shape_image (h, w, c), 2, 80 + k);
      gsize n_x = harness_in_size (hr), n_y = harness_out_size (hr);
      int ho = hr->out.d[0], wo = hr->out.d[1];
      int pad_top = cases[k].same ? MAX ((ho - 1) * s + p - h, 0) / 2 : 0;
      int pad_left = cases[k].same ? MAX ((wo - 1) * s + p - w, 0) / 2 : 0;
      g_autofree float *x = g_new (float, n_x), *y = g_new (float, n_y), *dy = g_new (float, n_y);
      g_autofree float *dx = g_new (float, n_x), *ref = g_new0 (float, n_x);
      LlContext train = harness_context (hr, TRUE);

      ll_rng_seed (&rng, 90 + k);
      for (gsize i = 0; i < n_x; i++)
        x[i] = (float) ((int) (ll_rng_uniform (&rng) * 3.0) - 1);
      x[0] = NAN;                    /* the first cell of the first window */
      for (gsize i = 0; i < n_y; i++)
        dy[i] = 1.0f + (float) (i % 7);
      hr->op->klass->forward (hr->op, &train, 2, x, y);
      hr->op->klass->backward (hr->op, &train, 2, x, y, dy, dx);

      for (int b = 0; b < 2; b++)
        for (int oy = 0; oy < ho; oy++)
          for (int ox = 0; ox < wo; ox++)
            for (int j = 0; j < c; j++)
              {
                gsize o = (((gsize) b * ho + oy) * wo + ox) * c + j, win = G_MAXSIZE;
                float best = 0.0f;
                for (int ky = 0; ky < p; ky++)
                  for (int kx = 0; kx < p; kx++)
                    {
                      int iy = oy * s - pad_top + ky, ix = ox * s - pad_left + kx;
                      gsize i = (((gsize) b * h + iy) * w + ix) * c + j;
                      if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                        continue;
                      if (win == G_MAXSIZE || x[i] > best)
                        {
                          win = i;
                          best = x[i];
                        }
                    }
                g_assert_cmpint (memcmp (&y[o], &best, sizeof (float)), ==, 0);
                ref[win] += dy[o];
              }
      for (gsize i = 0; i < n_x; i++)
        g_assert_cmpfloat (dx[i], ==, ref[i]);
      harness_free (hr);
    }
}

static void
test_eval_between_keeps_backward (void)
{
  const LlLayerType *types[] = { &ll_layer_batch_normalization, &ll_layer_max_pooling2d,
                                 &ll_layer_global_max_pooling2d };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      LlLayerSpec spec;
      spec_defaults (&spec, types[t]);
      Harness *h = harness_new (&spec, ll_shape_image (4, 4, 2), 3, 60 + t);
      g_autofree float *x = distinct_input (h, 700 + t);
      g_autofree float *x2 = random_input (h, 710 + t);
      gsize n_x = harness_in_size (h), n_y = harness_out_size (h);
      g_autofree float *y = g_new (float, n_y), *y2 = g_new (float, n_y);
      g_autofree float *dy = g_new (float, n_y);
      g_autofree float *dx1 = g_new (float, n_x), *dx2 = g_new (float, n_x);
      LlContext train = harness_context (h, TRUE), eval = harness_context (h, FALSE);

      for (gsize i = 0; i < n_y; i++)
        dy[i] = (float) ((i * 7) % 5) - 2.0f;
      h->op->klass->forward (h->op, &train, 3, x, y);
      h->op->klass->backward (h->op, &train, 3, x, y, dy, dx1);
      h->op->klass->forward (h->op, &train, 3, x, y);
      h->op->klass->forward (h->op, &eval, 1, x2, y2);
      h->op->klass->backward (h->op, &train, 3, x, y, dy, dx2);
      for (gsize i = 0; i < n_x; i++)
        g_assert_cmpfloat (dx1[i], ==, dx2[i]);
      harness_free (h);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/conv/conv2d-gradients", test_conv_gradients);
  g_test_add_func ("/engine/conv/conv2d-naive", test_conv_naive);
  g_test_add_func ("/engine/conv/shapes", test_shapes);
  g_test_add_func ("/engine/conv/shape-errors", test_shape_errors);
  g_test_add_func ("/engine/conv/pool-gradients", test_pool_gradients);
  g_test_add_func ("/engine/conv/pool-same-values", test_avg_pool_same_values);
  g_test_add_func ("/engine/conv/global-pool", test_global_pool_gradients);
  g_test_add_func ("/engine/conv/reshape", test_reshape_gradient);
  g_test_add_func ("/engine/conv/batch-norm-gradients", test_bn_gradients);
  g_test_add_func ("/engine/conv/batch-norm-moving", test_bn_moving_averages);
  g_test_add_func ("/engine/conv/eval-between", test_eval_between_keeps_backward);
  g_test_add_func ("/engine/conv/max-pool-ties", test_max_pool_ties);

  return g_test_run ();
}
