/* test-optim.c: the optimizers against numbers worked out by hand from
 * the Keras 3 update rules, plus defaults, names, validation and state. */
#include <math.h>
#include <string.h>

#include "ll-optim.h"
#include "ll-types.h"

/* The reference problem: three parameters, three steps, gradients that
 * change every step (the third parameter's gradient shrinks, then stops,
 * which is what separates AMSGrad and Adamax's max from the plain rules).
 * The learning rate passed each step is lr * {1, 0.5, 0.25}, as a schedule
 * would give, while cfg->learning_rate stays at the Keras default: the
 * expected values only hold if the lr argument is the one used. */
static const float ref_x0[3] = { 0.5f, -0.25f, 0.0f };
static const float ref_g[3][3] = {
  { 0.1f, -0.2f, 0.3f },
  { 0.4f, 0.05f, 0.01f },
  { -0.3f, 0.2f, 0.0f },
};
static const double ref_lr_factor[3] = { 1.0, 0.5, 0.25 };

typedef struct {
  const char *path;
  LlOptimKind kind;
  double lr;               /* base rate, scaled per step as above */
  double momentum;
  gboolean nesterov;
  gboolean centered;
  gboolean amsgrad;
  double beta_2;           /* 0: Keras default */
  double after_1[3];       /* x after step 1 */
  double after_3[3];       /* x after step 3 */
} RefCase;

/* Expected values: the Keras 3 rules evaluated in double precision by a
 * separate throw-away script (not in the tree), one parameter at a time.
 * Step 1 below is also easy to check with a pocket calculator. */
static const RefCase ref_cases[] = {
  /* w -= lr g.  Step 1: lr 0.1, w = 0.5 - 0.01 = 0.49, -0.25 + 0.02, 0 - 0.03. */
  { "/engine/optim/reference/sgd", LL_OPTIM_SGD, 0.1, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.900000000000e-01, -2.300000000000e-01, -3.000000000000e-02 },
    { 4.775000000000e-01, -2.375000000000e-01, -3.050000000000e-02 } },
  /* v = 0.9 v - lr g; w += v.  Step 1: v = (-0.01, 0.02, -0.03), w as plain SGD;
   * step 2 (lr 0.05): v = (-0.029, 0.0155, -0.0275). */
  { "/engine/optim/reference/sgd-momentum", LL_OPTIM_SGD, 0.1, 0.9, FALSE, FALSE, FALSE, 0,
    { 4.900000000000e-01, -2.300000000000e-01, -3.000000000000e-02 },
    { 4.424000000000e-01, -2.055500000000e-01, -8.225000000000e-02 } },
  /* v = 0.9 v - lr g; w += 0.9 v - lr g.  Step 1: v = (-0.01, 0.02, -0.03),
   * w = 0.5 - 0.009 - 0.01 = 0.481, -0.25 + 0.018 + 0.02 = -0.212, -0.027 - 0.03 = -0.057. */
  { "/engine/optim/reference/sgd-nesterov", LL_OPTIM_SGD, 0.1, 0.9, TRUE, FALSE, FALSE, 0,
    { 4.810000000000e-01, -2.120000000000e-01, -5.700000000000e-02 },
    { 4.256600000000e-01, -1.974950000000e-01, -1.045250000000e-01 } },
  /* v = 0.9 v + 0.1 g^2; w -= lr g / sqrt(v + 1e-7).  Step 1 (lr 0.01):
   * v = (0.001, 0.004, 0.009), each step = 0.01 g / sqrt(0.1 g^2 + 1e-7)
   * = 0.0316 * sign(g) less a hair: w = 0.468378804, -0.218377619, -0.031622601. */
  { "/engine/optim/reference/rmsprop", LL_OPTIM_RMSPROP, 0.01, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.683788044186e-01, -2.183776186756e-01, -3.162260092106e-02 },
    { 4.578144113909e-01, -2.281936639425e-01, -3.217781043531e-02 } },
  /* centered, momentum 0.5: a = 0.9 a + 0.1 g; inc = lr g / sqrt(v - a^2 + 1e-7);
   * m = 0.5 m + inc; w -= m.  Step 1: v = (0.001, 0.004, 0.009),
   * a = (0.01, -0.02, 0.03), v - a^2 = (0.0009, 0.0036, 0.0081),
   * m = inc = (0.0333315, -0.0333329, 0.0333331). */
  { "/engine/optim/reference/rmsprop-centered-momentum", LL_OPTIM_RMSPROP, 0.01, 0.5, FALSE, TRUE, FALSE, 0,
    { 4.666685183642e-01, -2.166671296200e-01, -3.333312757392e-02 },
    { 4.215955808501e-01, -2.036621160362e-01, -5.920921682056e-02 } },
  /* acc = 0.1 initially; acc += g^2; w -= lr g / sqrt(acc + 1e-7).  Step 1 (lr 0.1):
   * acc = (0.11, 0.14, 0.19), steps = 0.01/0.331662, -0.02/0.374166, 0.03/0.435890. */
  { "/engine/optim/reference/adagrad", LL_OPTIM_ADAGRAD, 0.1, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.698488792473e-01, -1.965477707076e-01, -6.882470204941e-02 },
    { 4.438588666930e-01, -2.148745416822e-01, -6.997147867343e-02 } },
  /* A = 0.95 A + 0.05 g^2; d = -sqrt(D + 1e-7) g / sqrt(A + 1e-7);
   * D = 0.95 D + 0.05 d^2; w += lr d.  Step 1 (lr 1): A = (0.0005, 0.002, 0.0045),
   * d = (-1.41407e-3, 1.41418e-3, -1.41420e-3), D = (9.99800e-8, 9.99950e-8, 9.99978e-8). */
  { "/engine/optim/reference/adadelta", LL_OPTIM_ADADELTA, 1.0, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.985859278378e-01, -2.485858217916e-01, -1.414197849151e-03 },
    { 4.980291159762e-01, -2.491977234967e-01, -1.448376556339e-03 } },
  /* alpha = lr sqrt(1 - 0.999^t) / (1 - 0.9^t); m += (g - m) 0.1; v += (g^2 - v) 0.001;
   * w -= alpha m / (sqrt(v) + 1e-7).  Step 1 (lr 0.01): alpha = 0.00316228,
   * m = (0.01, -0.02, 0.03), v = (1e-5, 4e-5, 9e-5), step = 0.01 * |g|/(|g| + 3.16e-6). */
  { "/engine/optim/reference/adam", LL_OPTIM_ADAM, 0.01, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.900003162178e-01, -2.400001581114e-01, -9.999894591856e-03 },
    { 4.851366996510e-01, -2.381145721722e-01, -1.481439469717e-02 } },
  /* AMSGrad with beta_2 0.9 (so v falls on parameters 2 and 3): v_hat = max(v_hat, v)
   * replaces v.  Step 1: alpha = 0.01 sqrt(0.1) / 0.1 = 0.0316228, v = v_hat =
   * (0.001, 0.004, 0.009).  Without AMSGrad step 3 would give -0.238058, -0.014983. */
  { "/engine/optim/reference/adam-amsgrad", LL_OPTIM_ADAM, 0.01, 0.0, FALSE, FALSE, TRUE, 0.9,
    { 4.900000316227e-01, -2.400000158114e-01, -9.999989459086e-03 },
    { 4.852412428429e-01, -2.381035584713e-01, -1.466119953197e-02 } },
  /* m += (g - m) 0.1; u = max(0.999 u, |g|); w -= lr m / ((1 - 0.9^t)(u + 1e-7)).
   * Step 1 (lr 0.01): m = (0.01, -0.02, 0.03), u = (0.1, 0.2, 0.3), step = 0.01 * |g|/(|g| + 1e-7). */
  { "/engine/optim/reference/adamax", LL_OPTIM_ADAMAX, 0.01, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.900000100000e-01, -2.400000050000e-01, -9.999996666668e-03 },
    { 4.864508166650e-01, -2.386706084396e-01, -1.323505442921e-02 } },
  /* mu_t = 0.9 (1 - 0.5 * 0.96^t); u_product *= mu_t each iteration;
   * m_hat = mu_t+1 m / (1 - u_product mu_t+1) + (1 - mu_t) g / (1 - u_product);
   * v_hat = v / (1 - 0.999^t); w -= lr m_hat / (sqrt(v_hat) + 1e-7).
   * Step 1: mu_1 = 0.468 = u_product, mu_2 = 0.48528, 1 - u_product mu_2 = 0.772889,
   * m_hat = 0.627886 m + g = (0.106279, -0.212558, 0.318837), v_hat = g^2. */
  { "/engine/optim/reference/nadam", LL_OPTIM_NADAM, 0.01, 0.0, FALSE, FALSE, FALSE, 0,
    { 4.893721325948e-01, -2.393721272808e-01, -1.062787449046e-02 },
    { 4.856949480840e-01, -2.420258668147e-01, -1.135864634746e-02 } },
};

static LlOptimConfig
ref_config (const RefCase *rc)
{
  LlOptimConfig cfg = ll_optim_config_default (rc->kind);

  cfg.momentum = rc->momentum;
  cfg.nesterov = rc->nesterov;
  cfg.centered = rc->centered;
  cfg.amsgrad = rc->amsgrad;
  if (rc->beta_2 != 0)
    cfg.beta_2 = rc->beta_2;
  return cfg;
}

static void
assert_close (double got,
              double want,
              const char *what,
              int i)
{
  if (fabs (got - want) > 1e-6 * fabs (want) + 1e-9)
    g_test_fail_printf ("%s[%d]: got %.10g, expected %.10g (rel. error %.2g)",
                        what, i, got, want, fabs (got - want) / fabs (want));
}

/* Runs the three reference steps on n parameters laid out as n/3 copies
 * of the 3-parameter problem. */
static void
run_reference (const LlOptimConfig *cfg,
               double               lr,
               gsize                n,
               float               *x,
               float               *x_after_1)
{
  g_autofree float *g = g_new (float, n);
  g_autofree float *state = g_new (float, ll_optim_state_size (cfg, n));

  for (gsize i = 0; i < n; i++)
    x[i] = ref_x0[i % 3];
  ll_optim_state_init (cfg, n, state);

  for (int t = 0; t < 3; t++)
    {
      for (gsize i = 0; i < n; i++)
        g[i] = ref_g[t][i % 3];
      ll_optim_step (cfg, lr * ref_lr_factor[t], t + 1, n, x, g, state);
      if (t == 0 && x_after_1 != NULL)
        memcpy (x_after_1, x, n * sizeof (float));
    }
}

static void
test_reference (gconstpointer data)
{
  const RefCase *rc = data;
  LlOptimConfig cfg = ref_config (rc);
  float x[3], x1[3];

  g_assert_true (ll_optim_config_validate (&cfg, NULL));
  run_reference (&cfg, rc->lr, 3, x, x1);

  for (int i = 0; i < 3; i++)
    assert_close (x1[i], rc->after_1[i], "after step 1", i);
  for (int i = 0; i < 3; i++)
    assert_close (x[i], rc->after_3[i], "after step 3", i);
}

/* The doctest in keras/src/optimizers/rmsprop.py: lr 0.1, loss w^2/2 from
 * w = 10, one step gives 9.683772. */
static void
test_keras_rmsprop_doc (void)
{
  LlOptimConfig cfg = ll_optim_config_default (LL_OPTIM_RMSPROP);
  float x = 10.0f, g, state[8];

  g_assert_cmpuint (ll_optim_state_size (&cfg, 1), <=, G_N_ELEMENTS (state));
  ll_optim_state_init (&cfg, 1, state);
  g = x;
  ll_optim_step (&cfg, 0.1, 1, 1, &x, &g, state);
  g_assert_cmpfloat_with_epsilon (x, 9.683772, 1e-6);
}

/* 700,002 parameters (the size of a real model) must give, element for
 * element, exactly what the 3-parameter problem gives. */
static void
test_large_n (void)
{
  const gsize n = 700002;
  g_autofree float *x = g_new (float, n);

  for (gsize c = 0; c < G_N_ELEMENTS (ref_cases); c++)
    {
      const RefCase *rc = &ref_cases[c];
      LlOptimConfig cfg = ref_config (rc);
      float small[3];

      run_reference (&cfg, rc->lr, 3, small, NULL);
      run_reference (&cfg, rc->lr, n, x, NULL);
      for (gsize i = 0; i < n; i++)
        if (x[i] != small[i % 3])
          {
            g_test_fail_printf ("%s: x[%" G_GSIZE_FORMAT "] = %.9g with n = %" G_GSIZE_FORMAT
                                ", %.9g with n = 3", rc->path, i, x[i], n, small[i % 3]);
            return;
          }
    }
}

static void
test_defaults (void)
{
  LlOptimConfig c;

  c = ll_optim_config_default (LL_OPTIM_SGD);
  g_assert_cmpint (c.kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (c.learning_rate, ==, 0.01);
  g_assert_cmpfloat (c.momentum, ==, 0.0);
  g_assert_false (c.nesterov);

  c = ll_optim_config_default (LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (c.learning_rate, ==, 0.001);
  g_assert_cmpfloat (c.rho, ==, 0.9);
  g_assert_cmpfloat (c.momentum, ==, 0.0);
  g_assert_cmpfloat (c.epsilon, ==, 1e-7);
  g_assert_false (c.centered);

  c = ll_optim_config_default (LL_OPTIM_ADAGRAD);
  g_assert_cmpfloat (c.learning_rate, ==, 0.001);
  g_assert_cmpfloat (c.initial_accumulator, ==, 0.1);
  g_assert_cmpfloat (c.epsilon, ==, 1e-7);

  c = ll_optim_config_default (LL_OPTIM_ADADELTA);
  g_assert_cmpfloat (c.learning_rate, ==, 0.001);
  g_assert_cmpfloat (c.rho, ==, 0.95);
  g_assert_cmpfloat (c.epsilon, ==, 1e-7);

  for (LlOptimKind k = LL_OPTIM_ADAM; k <= LL_OPTIM_NADAM; k++)
    {
      c = ll_optim_config_default (k);
      g_assert_cmpint (c.kind, ==, k);
      g_assert_cmpfloat (c.learning_rate, ==, 0.001);
      g_assert_cmpfloat (c.beta_1, ==, 0.9);
      g_assert_cmpfloat (c.beta_2, ==, 0.999);
      g_assert_cmpfloat (c.epsilon, ==, 1e-7);
      g_assert_false (c.amsgrad);
    }

  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      c = ll_optim_config_default ((LlOptimKind) k);
      g_assert_true (ll_optim_config_validate (&c, NULL));
    }
}

static void
test_names (void)
{
  static const char *const keras_names[] = {
    "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam",
  };
  LlOptimKind kind;
  int count = 0;

  for (int k = 0; ll_optim_names[k] != NULL; k++)
    {
      g_assert_true (ll_optim_kind_from_name (ll_optim_names[k], &kind));
      g_assert_cmpint (kind, ==, k);
      g_assert_true (ll_optim_kind_from_name (keras_names[k], &kind));
      g_assert_cmpint (kind, ==, k);
      count++;
    }
  g_assert_cmpint (count, ==, LL_N_OPTIMS);
  g_assert_cmpstr (ll_optim_names[LL_OPTIM_ADAM], ==, "adam");

  kind = LL_OPTIM_NADAM;
  g_assert_false (ll_optim_kind_from_name ("adamw", &kind));
  g_assert_false (ll_optim_kind_from_name ("", &kind));
  g_assert_false (ll_optim_kind_from_name ("sgd ", &kind));
  g_assert_cmpint (kind, ==, LL_OPTIM_NADAM);
}

static void
expect_invalid (const LlOptimConfig *cfg,
                const char          *needle)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ll_optim_config_validate (cfg, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  if (strstr (error->message, needle) == NULL)
    g_test_fail_printf ("message \"%s\" lacks \"%s\"", error->message, needle);
}

static void
test_validate (void)
{
  LlOptimConfig c;

  c = ll_optim_config_default (LL_OPTIM_SGD);
  c.momentum = 1.5;
  expect_invalid (&c, "Momentum must be between 0 and 1");
  expect_invalid (&c, "(got 1.5); Keras' default is 0.0.");
  c.momentum = 1.0;
  expect_invalid (&c, "Momentum");
  c.momentum = -0.1;
  expect_invalid (&c, "Momentum");
  c.momentum = 0.0;
  c.learning_rate = 0.0;
  expect_invalid (&c, "learning rate");
  expect_invalid (&c, "Keras' default is 0.01.");
  c.learning_rate = -1e-3;
  expect_invalid (&c, "learning rate");
  c.learning_rate = 11.0;
  expect_invalid (&c, "at most 10");
  c.learning_rate = NAN;
  expect_invalid (&c, "learning rate");
  c.learning_rate = 10.0;
  g_assert_true (ll_optim_config_validate (&c, NULL));

  c = ll_optim_config_default (LL_OPTIM_RMSPROP);
  c.rho = 1.0;
  expect_invalid (&c, "Rho");
  c.rho = 0.0;
  expect_invalid (&c, "Keras' default is 0.9.");
  c.rho = 0.5;
  c.momentum = 0.95;
  c.centered = TRUE;
  g_assert_true (ll_optim_config_validate (&c, NULL));
  c.epsilon = 0.0;
  expect_invalid (&c, "Epsilon");
  expect_invalid (&c, "Keras' default is 1e-07.");

  c = ll_optim_config_default (LL_OPTIM_ADADELTA);
  c.rho = 1.2;
  expect_invalid (&c, "Keras' default is 0.95.");

  c = ll_optim_config_default (LL_OPTIM_ADAGRAD);
  c.initial_accumulator = -0.1;
  expect_invalid (&c, "initial accumulator");

  for (LlOptimKind k = LL_OPTIM_ADAM; k <= LL_OPTIM_NADAM; k++)
    {
      c = ll_optim_config_default (k);
      c.beta_1 = 1.0;
      expect_invalid (&c, "beta_1");
      c.beta_1 = 0.0;
      g_assert_true (ll_optim_config_validate (&c, NULL));
      c.beta_2 = -0.5;
      expect_invalid (&c, "beta_2");
      c.beta_2 = NAN;
      expect_invalid (&c, "Keras' default is 0.999.");
    }

  c = ll_optim_config_default (LL_OPTIM_ADAM);
  c.kind = LL_N_OPTIMS;
  expect_invalid (&c, "choose one of");
}

static void
test_state_init (void)
{
  LlOptimConfig c = ll_optim_config_default (LL_OPTIM_ADAGRAD);
  LlOptimConfig plain, flags;
  const gsize n = 5;
  gsize size = ll_optim_state_size (&c, n);
  gsize header = ll_optim_state_size (&c, 0);
  g_autofree float *state = g_new (float, size);

  g_assert_cmpuint (size, ==, header + n);
  ll_optim_state_init (&c, n, state);
  for (gsize i = header; i < size; i++)
    g_assert_cmpfloat (state[i], ==, 0.1f);

  c.initial_accumulator = 0.0;
  ll_optim_state_init (&c, n, state);
  for (gsize i = header; i < size; i++)
    g_assert_cmpfloat (state[i], ==, 0.0f);

  /* Flags the Optimizers view's race may flip between steps never change the size. */
  plain = ll_optim_config_default (LL_OPTIM_RMSPROP);
  flags = plain;
  flags.centered = TRUE;
  flags.momentum = 0.9;
  g_assert_cmpuint (ll_optim_state_size (&plain, 1000), ==, ll_optim_state_size (&flags, 1000));
  plain = ll_optim_config_default (LL_OPTIM_ADAM);
  flags = plain;
  flags.amsgrad = TRUE;
  g_assert_cmpuint (ll_optim_state_size (&plain, 1000), ==, ll_optim_state_size (&flags, 1000));
  plain = ll_optim_config_default (LL_OPTIM_SGD);
  flags = plain;
  flags.momentum = 0.9;
  g_assert_cmpuint (ll_optim_state_size (&plain, 1000), ==, ll_optim_state_size (&flags, 1000));

  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      LlOptimConfig d = ll_optim_config_default ((LlOptimKind) k);
      gsize sz = ll_optim_state_size (&d, n);
      gsize hd = ll_optim_state_size (&d, 0);
      g_autofree float *s = g_new (float, sz);

      g_assert_cmpuint (hd, ==, header);
      g_assert_cmpuint ((sz - hd) % n, ==, 0);
      ll_optim_state_init (&d, n, s);
      for (gsize i = hd; i < sz; i++)
        g_assert_cmpfloat (s[i], ==, k == LL_OPTIM_ADAGRAD ? 0.1f : 0.0f);
    }
}

/* Nadam's momentum cache lives in the state header.  A state whose slots
 * were carried over but whose header was reset (as after restoring only
 * the slots) must still give Keras' result at the next step. */
static void
test_nadam_header (void)
{
  const RefCase *rc = &ref_cases[G_N_ELEMENTS (ref_cases) - 1];
  LlOptimConfig cfg = ref_config (rc);
  gsize size = ll_optim_state_size (&cfg, 3);
  gsize header = ll_optim_state_size (&cfg, 0);
  g_autofree float *state = g_new (float, size);
  g_autofree float *fresh = g_new (float, size);
  float x[3];

  g_assert_cmpint (rc->kind, ==, LL_OPTIM_NADAM);
  memcpy (x, ref_x0, sizeof x);
  ll_optim_state_init (&cfg, 3, state);
  for (int t = 0; t < 2; t++)
    ll_optim_step (&cfg, rc->lr * ref_lr_factor[t], t + 1, 3, x, ref_g[t], state);

  ll_optim_state_init (&cfg, 3, fresh);
  memcpy (fresh + header, state + header, (size - header) * sizeof (float));
  ll_optim_step (&cfg, rc->lr * ref_lr_factor[2], 3, 3, x, ref_g[2], fresh);
  for (int i = 0; i < 3; i++)
    assert_close (x[i], rc->after_3[i], "after step 3", i);
}

/* The race's use: a 2-parameter point on an elongated bowl
 * f = (x - 1)^2 + 10 (y + 2)^2, from (-3, 2), Adam at lr 0.05. */
static void
test_adam_bowl (void)
{
  LlOptimConfig cfg = ll_optim_config_default (LL_OPTIM_ADAM);
  float p[2] = { -3.0f, 2.0f }, g[2];
  g_autofree float *state = g_new (float, ll_optim_state_size (&cfg, 2));
  double f = 0;
  int t;

  cfg.learning_rate = 0.05;
  ll_optim_state_init (&cfg, 2, state);
  for (t = 1; t <= 2000; t++)
    {
      g[0] = 2.0f * (p[0] - 1.0f);
      g[1] = 20.0f * (p[1] + 2.0f);
      ll_optim_step (&cfg, cfg.learning_rate, t, 2, p, g, state);
      f = (p[0] - 1.0) * (p[0] - 1.0) + 10.0 * (p[1] + 2.0) * (p[1] + 2.0);
      if (f < 1e-6)
        break;
    }
  g_test_message ("Adam reached f = %g after %d steps at (%g, %g)", f, t, p[0], p[1]);
  g_assert_cmpfloat (f, <, 1e-6);
  g_assert_cmpint (t, <, 1000);
  g_assert_cmpfloat_with_epsilon (p[0], 1.0, 1e-2);
  g_assert_cmpfloat_with_epsilon (p[1], -2.0, 1e-2);
}

/* The two tables agree with themselves: every optimizer uses the learning
 * rate, every hyperparameter is used, each default lies in its range, the
 * forms' ranges lie inside, and names round-trip. */
static void
test_tables (void)
{
  gboolean used[LL_N_HYPERS] = { FALSE };

  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      const LlOptimInfo *info = ll_optim_info ((LlOptimKind) k);
      LlOptimConfig c = ll_optim_config_default ((LlOptimKind) k);

      g_assert_nonnull (info->keras_class);
      g_assert_nonnull (info->pytorch_class);
      g_assert_nonnull (info->step);
      g_assert_cmpint (info->n_slots, >=, 1);
      g_assert_cmpint (info->n_slots, <=, 4);
      g_assert_true (info->hypers[0] == LL_HYPER_LEARNING_RATE);
      for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
        {
          used[*h] = TRUE;
          g_assert_true (ll_optim_uses ((LlOptimKind) k, *h));
          g_assert_cmpfloat (ll_hyper_get (&c, *h), ==, ll_hyper_default (*h, (LlOptimKind) k));
          g_assert_true (ll_hyper_check (*h, (LlOptimKind) k, ll_hyper_get (&c, *h), NULL));
        }
    }
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      LlHyper back;

      g_assert_true (used[h]);
      g_assert_true (ll_hyper_from_name (spec->name, &back));
      g_assert_cmpint (back, ==, h);
      g_assert_nonnull (spec->label);
      g_assert_nonnull (spec->tooltip);
      g_assert_nonnull (spec->short_label);
      g_assert_nonnull (spec->keras);
      g_assert_nonnull (spec->pytorch);
      if (!spec->is_flag)
        {
          double lo, hi;
          ll_hyper_form_range ((LlHyper) h, &lo, &hi);
          g_assert_true (ll_hyper_check ((LlHyper) h, LL_OPTIM_SGD, lo, NULL));
          g_assert_true (ll_hyper_check ((LlHyper) h, LL_OPTIM_SGD, hi, NULL));
          g_assert_true (spec->min_open ? lo > spec->min : lo == spec->min);
          g_assert_true (spec->max_open ? hi < spec->max : hi <= spec->max);
          g_assert_cmpfloat (lo, <, hi);
        }
    }
  g_assert_false (ll_hyper_from_name ("beta-1", NULL));
  g_assert_cmpstr (ll_hyper_pytorch (LL_HYPER_RHO, LL_OPTIM_RMSPROP), ==, "alpha");
  g_assert_cmpstr (ll_hyper_pytorch (LL_HYPER_RHO, LL_OPTIM_ADADELTA), ==, "rho");
  g_assert_cmpfloat (ll_hyper_default (LL_HYPER_RHO, LL_OPTIM_ADADELTA), ==, 0.95);
  g_assert_cmpfloat (ll_hyper_default (LL_HYPER_RHO, LL_OPTIM_RMSPROP), ==, 0.9);
}

/* One range per hyperparameter (issue 13 found three that disagreed):
 * rho strictly between 0 and 1 for both optimizers that use it, beta_2
 * from 0 up to (not including) 1, as PyTorch checks and as the bias
 * correction needs (Keras checks neither). */
static void
test_ranges (void)
{
  static const LlOptimKind rho_users[] = { LL_OPTIM_RMSPROP, LL_OPTIM_ADADELTA };
  LlOptimConfig c;
  double lo, hi;

  for (gsize i = 0; i < G_N_ELEMENTS (rho_users); i++)
    {
      c = ll_optim_config_default (rho_users[i]);
      c.rho = 0.0;
      expect_invalid (&c, "Rho must be strictly between 0 and 1 (got 0.0)");
      c.rho = 1.0;
      expect_invalid (&c, "Rho");
      c.rho = 0.01;
      g_assert_true (ll_optim_config_validate (&c, NULL));
      c.rho = 0.9999;
      g_assert_true (ll_optim_config_validate (&c, NULL));
    }
  ll_hyper_form_range (LL_HYPER_RHO, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (lo, 0.0001, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 0.9999, 1e-12);

  for (LlOptimKind k = LL_OPTIM_ADAM; k <= LL_OPTIM_NADAM; k++)
    {
      c = ll_optim_config_default (k);
      c.beta_2 = 0.0;
      g_assert_true (ll_optim_config_validate (&c, NULL));
      c.beta_2 = 0.3;
      g_assert_true (ll_optim_config_validate (&c, NULL));
      c.beta_2 = 0.99999;
      g_assert_true (ll_optim_config_validate (&c, NULL));
      c.beta_2 = 1.0;
      expect_invalid (&c, "beta_2 must be between 0 and 1, 1 excluded (got 1.0)");
    }
  ll_hyper_form_range (LL_HYPER_BETA_2, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (hi, 0.99999, 1e-12);

  /* Only what the optimizer uses is checked: Adam ignores momentum and rho. */
  c = ll_optim_config_default (LL_OPTIM_ADAM);
  c.momentum = 5.0;
  c.rho = -1.0;
  g_assert_true (ll_optim_config_validate (&c, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/optim/defaults", test_defaults);
  g_test_add_func ("/engine/optim/names", test_names);
  g_test_add_func ("/engine/optim/validate", test_validate);
  g_test_add_func ("/engine/optim/tables", test_tables);
  g_test_add_func ("/engine/optim/ranges", test_ranges);
  g_test_add_func ("/engine/optim/state-init", test_state_init);
  for (gsize c = 0; c < G_N_ELEMENTS (ref_cases); c++)
    g_test_add_data_func (ref_cases[c].path, &ref_cases[c], test_reference);
  g_test_add_func ("/engine/optim/keras-rmsprop-doc", test_keras_rmsprop_doc);
  g_test_add_func ("/engine/optim/nadam-header", test_nadam_header);
  g_test_add_func ("/engine/optim/large-n", test_large_n);
  g_test_add_func ("/engine/optim/adam-bowl", test_adam_bowl);

  return g_test_run ();
}
