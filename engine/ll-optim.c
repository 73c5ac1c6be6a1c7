/* ll-optim.c: the Keras 3 optimizers (keras/src/optimizers/, one file
 * each) as plain loops over a flat float buffer.
 *
 * State layout: a 4-float header, then the per-parameter slots, each n
 * floats.  The header holds Nadam's momentum cache (u_product, a double)
 * and the step it belongs to; the other optimizers leave it alone.  The
 * number of slots depends on the kind only, never on momentum / centered /
 * amsgrad, so the Optimizers view's race can flip those flags between steps without
 * reallocating (a flag that was off leaves its slot at zero, which is
 * where Keras would start it).
 *
 * Each step precomputes its scalars in double, then runs one float loop,
 * with the operations in the order Keras writes them, so results stay
 * within float rounding of Keras' float32 ones. */
#include "ll-optim.h"
#include "ll-types.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define HEADER_FLOATS 4  /* double u_product + gint64 step; keeps slots 16-byte aligned */

/* Keras' Nadam momentum schedule: mu_t = beta_1 (1 - 0.5 * 0.96^t). */
#define NADAM_DECAY 0.96

#define FIELD(f) offsetof (LlOptimConfig, f)
#define END_EXCEPTIONS { LL_N_OPTIMS, NAN, NULL }

/* The hyperparameter table.  Ranges: Keras 3 checks only SGD's momentum
 * (within [0, 1]); PyTorch checks betas and rho in [0, 1) and eps, the
 * accumulator and momentum >= 0.  The ranges below are the values for
 * which the update rules stay meaningful: decay rates (momentum, rho,
 * betas) below 1, where the state would stop decaying or the bias
 * correction divide by zero; rho above 0, where the average would be the
 * last gradient alone; a positive epsilon, which keeps the divisions
 * finite; a learning rate up to 10, beyond which every one of these
 * optimizers diverges on any real model. */
static const LlHyperSpec hyper_table[] = {
  [LL_HYPER_LEARNING_RATE] = {
    "learning_rate", N_("Learning rate"), N_("Step size: how far each update moves the weights"),
    N_("lr"), N_("The learning rate"), FIELD (learning_rate), FALSE,
    0.0, 10.0, TRUE, FALSE, 0.001,
    (const LlHyperException[]) { { LL_OPTIM_SGD, 0.01, NULL }, END_EXCEPTIONS },
    "learning_rate", "lr", 0, 6, 0.0001, FALSE, 'l' },
  [LL_HYPER_MOMENTUM] = {
    "momentum", N_("Momentum"), N_("Keeps a share of the previous update: 0 is plain descent"),
    N_("momentum"), N_("Momentum"), FIELD (momentum), FALSE,
    0.0, 1.0, FALSE, TRUE, 0.0, NULL,
    "momentum", "momentum", 0, 3, 0.05, FALSE, 0 },
  [LL_HYPER_NESTEROV] = {
    "nesterov", N_("Nesterov"), N_("Looks ahead along the momentum before taking the gradient step"),
    N_("nesterov"), N_("Nesterov"), FIELD (nesterov), TRUE,
    0, 1, FALSE, FALSE, 0, NULL,
    "nesterov", "nesterov", 0, 0, 1, FALSE, 0 },
  [LL_HYPER_RHO] = {
    "rho", N_("Rho"), N_("Decay of the average of squared gradients"),
    N_("rho"), N_("Rho"), FIELD (rho), FALSE,
    0.0, 1.0, TRUE, TRUE, 0.9,
    (const LlHyperException[]) { { LL_OPTIM_ADADELTA, 0.95, NULL },
                                 { LL_OPTIM_RMSPROP, NAN, "alpha" }, END_EXCEPTIONS },
    "rho", "rho", 0, 4, 0.01, FALSE, 0 },
  [LL_HYPER_CENTERED] = {
    "centered", N_("Centered"), N_("Divides by the variance of the gradient instead of its mean square"),
    N_("centered"), N_("Centered"), FIELD (centered), TRUE,
    0, 1, FALSE, FALSE, 0, NULL,
    "centered", "centered", 0, 0, 1, FALSE, 0 },
  [LL_HYPER_BETA_1] = {
    "beta_1", N_("Beta 1"), N_("Decay of the first-moment (mean gradient) estimate"),
    N_("beta_1"), "beta_1", FIELD (beta_1), FALSE,
    0.0, 1.0, FALSE, TRUE, 0.9, NULL,
    "beta_1", "betas", 1, 4, 0.01, FALSE, 0 },
  [LL_HYPER_BETA_2] = {
    "beta_2", N_("Beta 2"), N_("Decay of the second-moment (squared gradient) estimate"),
    N_("beta_2"), "beta_2", FIELD (beta_2), FALSE,
    0.0, 1.0, FALSE, TRUE, 0.999, NULL,
    "beta_2", "betas", 2, 5, 0.001, FALSE, 0 },
  [LL_HYPER_AMSGRAD] = {
    "amsgrad", N_("AMSGrad"), N_("Keeps the largest second moment seen, so steps never grow back"),
    N_("amsgrad"), "AMSGrad", FIELD (amsgrad), TRUE,
    0, 1, FALSE, FALSE, 0, NULL,
    "amsgrad", "amsgrad", 0, 0, 1, FALSE, 0 },
  [LL_HYPER_INITIAL_ACCUMULATOR] = {
    "initial_accumulator", N_("Initial accumulator"), N_("Starting value of the sum of squared gradients"),
    N_("initial accumulator"), N_("The initial accumulator value"), FIELD (initial_accumulator), FALSE,
    0.0, 1e6, FALSE, FALSE, 0.1, NULL,
    "initial_accumulator_value", "initial_accumulator_value", 0, 3, 0.01, FALSE, 0 },
  [LL_HYPER_EPSILON] = {
    "epsilon", N_("Epsilon"), N_("Keeps divisions finite"),
    N_("epsilon"), N_("Epsilon"), FIELD (epsilon), FALSE,
    0.0, 1.0, TRUE, FALSE, 1e-7, NULL,
    "epsilon", "eps", 0, 10, 1e-7, TRUE, 0 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (hyper_table) == LL_N_HYPERS);

const char *const ll_optim_names[] = {
  [LL_OPTIM_SGD] = "sgd",
  [LL_OPTIM_RMSPROP] = "rmsprop",
  [LL_OPTIM_ADAGRAD] = "adagrad",
  [LL_OPTIM_ADADELTA] = "adadelta",
  [LL_OPTIM_ADAM] = "adam",
  [LL_OPTIM_ADAMAX] = "adamax",
  [LL_OPTIM_NADAM] = "nadam",
  [LL_N_OPTIMS] = NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (ll_optim_names) == LL_N_OPTIMS + 1);

static void step_sgd      (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_rmsprop  (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_adagrad  (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_adadelta (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_adam     (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_adamax   (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);
static void step_nadam    (const LlOptimConfig *, double, gint64, gsize, float *, const float *, float *const *, float *);

#define HYPERS(...) ((const LlHyper[]) { LL_HYPER_LEARNING_RATE, __VA_ARGS__, LL_N_HYPERS })

/* The optimizer table.  Slots per parameter depend on the kind only, never
 * on momentum / centered / amsgrad (see the file comment). */
static const LlOptimInfo optim_table[] = {
  [LL_OPTIM_SGD] = { "SGD", "SGD", 1,             /* velocity */
                     HYPERS (LL_HYPER_MOMENTUM, LL_HYPER_NESTEROV), step_sgd },
  [LL_OPTIM_RMSPROP] = { "RMSprop", "RMSprop", 3, /* velocity, momentum, average gradient */
                         HYPERS (LL_HYPER_RHO, LL_HYPER_MOMENTUM, LL_HYPER_EPSILON, LL_HYPER_CENTERED),
                         step_rmsprop },
  [LL_OPTIM_ADAGRAD] = { "Adagrad", "Adagrad", 1, /* accumulator */
                         HYPERS (LL_HYPER_INITIAL_ACCUMULATOR, LL_HYPER_EPSILON), step_adagrad },
  [LL_OPTIM_ADADELTA] = { "Adadelta", "Adadelta", 2, /* accumulated grad, accumulated delta */
                          HYPERS (LL_HYPER_RHO, LL_HYPER_EPSILON), step_adadelta },
  [LL_OPTIM_ADAM] = { "Adam", "Adam", 3,          /* m, v, v_hat */
                      HYPERS (LL_HYPER_BETA_1, LL_HYPER_BETA_2, LL_HYPER_EPSILON, LL_HYPER_AMSGRAD),
                      step_adam },
  [LL_OPTIM_ADAMAX] = { "Adamax", "Adamax", 2,    /* m, u */
                        HYPERS (LL_HYPER_BETA_1, LL_HYPER_BETA_2, LL_HYPER_EPSILON), step_adamax },
  [LL_OPTIM_NADAM] = { "Nadam", "NAdam", 2,       /* m, v */
                       HYPERS (LL_HYPER_BETA_1, LL_HYPER_BETA_2, LL_HYPER_EPSILON), step_nadam },
};

G_STATIC_ASSERT (G_N_ELEMENTS (optim_table) == LL_N_OPTIMS);

const LlOptimInfo *
ll_optim_info (LlOptimKind kind)
{
  g_return_val_if_fail ((int) kind >= 0 && kind < LL_N_OPTIMS, NULL);
  return &optim_table[kind];
}

const LlHyperSpec *
ll_hyper_spec (LlHyper hyper)
{
  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, NULL);
  return &hyper_table[hyper];
}

gboolean
ll_hyper_from_name (const char *name,
                    LlHyper    *hyper)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (int h = 0; h < LL_N_HYPERS; h++)
    if (strcmp (name, hyper_table[h].name) == 0)
      {
        if (hyper != NULL)
          *hyper = (LlHyper) h;
        return TRUE;
      }
  return FALSE;
}

gboolean
ll_optim_uses (LlOptimKind kind,
               LlHyper     hyper)
{
  g_return_val_if_fail ((int) kind >= 0 && kind < LL_N_OPTIMS, FALSE);

  for (const LlHyper *h = optim_table[kind].hypers; *h != LL_N_HYPERS; h++)
    if (*h == hyper)
      return TRUE;
  return FALSE;
}

static const LlHyperException *
exception_for (LlHyper     hyper,
               LlOptimKind kind)
{
  const LlHyperException *e = hyper_table[hyper].exceptions;

  for (; e != NULL && e->kind != LL_N_OPTIMS; e++)
    if (e->kind == kind)
      return e;
  return NULL;
}

double
ll_hyper_default (LlHyper     hyper,
                  LlOptimKind kind)
{
  const LlHyperException *e;

  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, 0.0);
  e = exception_for (hyper, kind);
  return e != NULL && !isnan (e->keras_default) ? e->keras_default : hyper_table[hyper].keras_default;
}

const char *
ll_hyper_pytorch (LlHyper     hyper,
                  LlOptimKind kind)
{
  const LlHyperException *e;

  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, NULL);
  e = exception_for (hyper, kind);
  return e != NULL && e->pytorch != NULL ? e->pytorch : hyper_table[hyper].pytorch;
}

double
ll_hyper_get (const LlOptimConfig *cfg,
              LlHyper              hyper)
{
  const LlHyperSpec *spec;
  const char *field;

  g_return_val_if_fail (cfg != NULL, 0.0);
  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, 0.0);

  spec = &hyper_table[hyper];
  field = (const char *) cfg + spec->offset;
  if (spec->is_flag)
    {
      gboolean b;
      memcpy (&b, field, sizeof b);
      return b ? 1.0 : 0.0;
    }
  {
    double v;
    memcpy (&v, field, sizeof v);
    return v;
  }
}

void
ll_hyper_set (LlOptimConfig *cfg,
              LlHyper        hyper,
              double         value)
{
  const LlHyperSpec *spec;
  char *field;

  g_return_if_fail (cfg != NULL);
  g_return_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS);

  spec = &hyper_table[hyper];
  field = (char *) cfg + spec->offset;
  if (spec->is_flag)
    {
      gboolean b = value != 0.0;
      memcpy (field, &b, sizeof b);
    }
  else
    memcpy (field, &value, sizeof value);
}

LlOptimConfig
ll_optim_config_default (LlOptimKind kind)
{
  LlOptimConfig cfg = { 0 };

  g_return_val_if_fail ((int) kind >= 0 && kind < LL_N_OPTIMS, ll_optim_config_default (LL_OPTIM_SGD));

  cfg.kind = kind;
  for (int h = 0; h < LL_N_HYPERS; h++)
    ll_hyper_set (&cfg, (LlHyper) h, ll_hyper_default ((LlHyper) h, kind));
  return cfg;
}

gboolean
ll_optim_kind_from_name (const char *name,
                         LlOptimKind *kind)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (int k = 0; k < LL_N_OPTIMS; k++)
    if (g_ascii_strcasecmp (name, ll_optim_names[k]) == 0)
      {
        if (kind != NULL)
          *kind = (LlOptimKind) k;
        return TRUE;
      }

  return FALSE;
}

char *
ll_optim_names_text (void)
{
  GString *s = g_string_new (NULL);

  for (int k = 0; k < LL_N_OPTIMS; k++)
    g_string_append_printf (s, "%s%s", k == 0 ? "" : k == LL_N_OPTIMS - 1 ? " or " : ", ",
                            ll_optim_names[k]);
  return g_string_free (s, FALSE);
}

/* Formats a value the way Python prints a float, so messages quote
 * Keras' defaults as a Keras user reads them ("0.0", "0.9", "1e-07"). */
static void
format_value (char   buf[G_ASCII_DTOSTR_BUF_SIZE],
              double v)
{
  if (isfinite (v) && v == floor (v) && fabs (v) < 1e16)
    g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.1f", v);
  else
    g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%g", v);
}

char *
ll_hyper_range_text (LlHyper hyper)
{
  const LlHyperSpec *spec;

  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, NULL);

  spec = &hyper_table[hyper];
  if (spec->is_flag)
    return g_strdup (_("true or false"));
  return ll_range_text (spec->min, spec->min_open, spec->max, spec->max_open);
}

void
ll_hyper_form_range (LlHyper  hyper,
                     double  *lower,
                     double  *upper)
{
  const LlHyperSpec *spec;

  g_return_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS);

  spec = &hyper_table[hyper];
  ll_range_form_bounds (spec->min, spec->min_open, spec->max, spec->max_open, spec->digits,
                        lower, upper);
}

/* The ranges are written so that NaN fails every one of them.  The range
 * text is short; the value quoted next to it shows which end was crossed. */
gboolean
ll_hyper_check (LlHyper      hyper,
                LlOptimKind  kind,
                double       v,
                GError     **error)
{
  const LlHyperSpec *spec;
  gboolean ok_lo, ok_hi;
  char got[G_ASCII_DTOSTR_BUF_SIZE], def[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *range = NULL;

  g_return_val_if_fail ((int) hyper >= 0 && hyper < LL_N_HYPERS, FALSE);

  spec = &hyper_table[hyper];
  if (spec->is_flag)
    return TRUE;
  ok_lo = spec->min_open ? v > spec->min : v >= spec->min;
  ok_hi = spec->max_open ? v < spec->max : v <= spec->max;
  if (ok_lo && ok_hi)
    return TRUE;

  range = ll_hyper_range_text (hyper);
  format_value (got, v);
  format_value (def, ll_hyper_default (hyper, kind));
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("%s must be %s (got %s); Keras' default is %s."),
               _(spec->subject), range, got, def);
  return FALSE;
}

gboolean
ll_optim_config_validate (const LlOptimConfig *cfg,
                          GError             **error)
{
  LlOptimKind kind;

  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kind = cfg->kind;
  if ((int) kind < 0 || kind >= LL_N_OPTIMS)
    {
      g_autofree char *names = ll_optim_names_text ();
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("Unknown optimizer (%d); choose one of %s."), (int) kind, names);
      return FALSE;
    }

  /* Only what the optimizer uses: plain SGD never divides, so it has no epsilon. */
  for (const LlHyper *h = optim_table[kind].hypers; *h != LL_N_HYPERS; h++)
    if (!ll_hyper_check (*h, kind, ll_hyper_get (cfg, *h), error))
      return FALSE;
  return TRUE;
}

gsize
ll_optim_state_size (const LlOptimConfig *cfg,
                     gsize                n)
{
  g_return_val_if_fail (cfg != NULL, 0);
  g_return_val_if_fail ((int) cfg->kind >= 0 && cfg->kind < LL_N_OPTIMS, 0);

  return HEADER_FLOATS + (gsize) optim_table[cfg->kind].n_slots * n;
}

/* The header is read and written with memcpy: it lives in a float buffer. */
static void
header_get (const float *state,
            double      *u_product,
            gint64      *step)
{
  memcpy (u_product, state, sizeof *u_product);
  memcpy (step, (const char *) state + sizeof (double), sizeof *step);
}

static void
header_set (float  *state,
            double  u_product,
            gint64  step)
{
  memcpy (state, &u_product, sizeof u_product);
  memcpy ((char *) state + sizeof (double), &step, sizeof step);
}

G_STATIC_ASSERT (sizeof (double) + sizeof (gint64) <= HEADER_FLOATS * sizeof (float));

void
ll_optim_state_init (const LlOptimConfig *cfg,
                     gsize                n,
                     float               *state)
{
  gsize size;

  g_return_if_fail (cfg != NULL);
  g_return_if_fail ((int) cfg->kind >= 0 && cfg->kind < LL_N_OPTIMS);
  g_return_if_fail (state != NULL);

  size = ll_optim_state_size (cfg, n);
  memset (state, 0, size * sizeof (float));
  header_set (state, 1.0, 0);

  if (cfg->kind == LL_OPTIM_ADAGRAD)
    {
      float a0 = (float) cfg->initial_accumulator;
      float *acc = state + HEADER_FLOATS;

      for (gsize i = 0; i < n; i++)
        acc[i] = a0;
    }
}

/* w -= lr g, or with momentum (Keras 3's form of Nesterov):
 *   v = momentum v - lr g;  w += v  (or  w += momentum v - lr g) */
/* The update loops run over every parameter each step.  GCC's -O2 leaves
 * them scalar (its cheap cost model refuses loops of unknown length; the
 * engine is built with -fno-math-errno so that sqrtf does not stop it
 * either); this lets it vectorize them, with an AVX2 variant chosen at run
 * time.  Contraction stays off (-std=c11), so every variant computes the
 * same floats. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define LL_UPDATE_LOOP __attribute__ ((optimize ("vect-cost-model=dynamic"), \
                                       target_clones ("avx2", "default")))
#else
#define LL_UPDATE_LOOP
#endif

LL_UPDATE_LOOP static void
step_sgd (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
          float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict vel = slots[0];
  const float flr = (float) lr;
  const float mom = (float) cfg->momentum;

  if (cfg->momentum == 0.0)
    {
      for (gsize i = 0; i < n; i++)
        x[i] -= g[i] * flr;
    }
  else if (cfg->nesterov)
    {
      for (gsize i = 0; i < n; i++)
        {
          float v = vel[i] * mom - g[i] * flr;
          vel[i] = v;
          x[i] += v * mom - g[i] * flr;
        }
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        {
          float v = vel[i] * mom - g[i] * flr;
          vel[i] = v;
          x[i] += v;
        }
    }
}

/* v = rho v + (1-rho) g^2;  centered: a = rho a + (1-rho) g, denominator
 * v - a^2 + eps, else v + eps;  inc = lr g / sqrt(denominator);
 * with momentum: m = momentum m + inc, w -= m;  else w -= inc. */
LL_UPDATE_LOOP static void
step_rmsprop (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
              float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict vel = slots[0], *restrict mom = slots[1], *restrict avg = slots[2];
  const float flr = (float) lr;
  const float rho = (float) cfg->rho;
  const float one_m_rho = (float) (1.0 - cfg->rho);
  const float eps = (float) cfg->epsilon;
  const float fmom = (float) cfg->momentum;
  const gboolean use_mom = cfg->momentum > 0.0;
  const gboolean centered = cfg->centered;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float v = rho * vel[i] + one_m_rho * (gi * gi);
      float denom, inc;

      vel[i] = v;
      if (centered)
        {
          float a = rho * avg[i] + one_m_rho * gi;
          avg[i] = a;
          denom = v - a * a + eps;
        }
      else
        denom = v + eps;

      inc = (flr * gi) / sqrtf (denom);
      if (use_mom)
        {
          float m = fmom * mom[i] + inc;
          mom[i] = m;
          x[i] -= m;
        }
      else
        x[i] -= inc;
    }
}

/* acc += g^2;  w -= lr g / sqrt(acc + eps) */
LL_UPDATE_LOOP static void
step_adagrad (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
              float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict acc = slots[0];
  const float flr = (float) lr;
  const float eps = (float) cfg->epsilon;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float a = acc[i] + gi * gi;
      acc[i] = a;
      x[i] -= (flr * gi) / sqrtf (a + eps);
    }
}

/* A = rho A + (1-rho) g^2;  d = -sqrt(D + eps) g / sqrt(A + eps);
 * D = rho D + (1-rho) d^2;  w += lr d */
LL_UPDATE_LOOP static void
step_adadelta (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
               float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict acc_g = slots[0], *restrict acc_d = slots[1];
  const float flr = (float) lr;
  const float rho = (float) cfg->rho;
  const float one_m_rho = (float) (1.0 - cfg->rho);
  const float eps = (float) cfg->epsilon;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float a = rho * acc_g[i] + one_m_rho * (gi * gi);
      float d = -((sqrtf (acc_d[i] + eps) * gi) / sqrtf (a + eps));

      acc_g[i] = a;
      acc_d[i] = rho * acc_d[i] + one_m_rho * (d * d);
      x[i] += flr * d;
    }
}

/* alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);
 * m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
 * amsgrad: v_hat = max(v_hat, v) replaces v below;
 * w -= m alpha / (sqrt(v) + eps) */
LL_UPDATE_LOOP static void
step_adam (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
           float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict m = slots[0], *restrict v = slots[1], *restrict vhat = slots[2];
  const double t = (double) step;
  const float alpha = (float) (lr * sqrt (1.0 - pow (cfg->beta_2, t))
                               / (1.0 - pow (cfg->beta_1, t)));
  const float one_m_b1 = (float) (1.0 - cfg->beta_1);
  const float one_m_b2 = (float) (1.0 - cfg->beta_2);
  const float eps = (float) cfg->epsilon;

  if (cfg->amsgrad)
    {
      for (gsize i = 0; i < n; i++)
        {
          float gi = g[i];
          float mi = m[i] + (gi - m[i]) * one_m_b1;
          float vi = v[i] + (gi * gi - v[i]) * one_m_b2;
          float vh = fmaxf (vhat[i], vi);

          m[i] = mi;
          v[i] = vi;
          vhat[i] = vh;
          x[i] -= (mi * alpha) / (sqrtf (vh) + eps);
        }
    }
  else
    {
      for (gsize i = 0; i < n; i++)
        {
          float gi = g[i];
          float mi = m[i] + (gi - m[i]) * one_m_b1;
          float vi = v[i] + (gi * gi - v[i]) * one_m_b2;

          m[i] = mi;
          v[i] = vi;
          x[i] -= (mi * alpha) / (sqrtf (vi) + eps);
        }
    }
}

/* m += (g - m)(1 - beta_1);  u = max(beta_2 u, |g|);
 * w -= lr m / ((1 - beta_1^t)(u + eps)) */
LL_UPDATE_LOOP static void
step_adamax (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
             float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict m = slots[0], *restrict u = slots[1];
  const float flr = (float) lr;
  const float bias = (float) (1.0 - pow (cfg->beta_1, (double) step));
  const float one_m_b1 = (float) (1.0 - cfg->beta_1);
  const float b2 = (float) cfg->beta_2;
  const float eps = (float) cfg->epsilon;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float mi = m[i] + (gi - m[i]) * one_m_b1;
      float ui = fmaxf (b2 * u[i], fabsf (gi));

      m[i] = mi;
      u[i] = ui;
      x[i] -= (flr * mi) / (bias * (ui + eps));
    }
}

static double
nadam_mu (const LlOptimConfig *cfg,
          double               t)
{
  return cfg->beta_1 * (1.0 - 0.5 * pow (NADAM_DECAY, t));
}

/* Keras multiplies u_product by mu_t once per iteration, before any
 * variable is updated.  The header remembers which step the stored product
 * belongs to; if the caller skips or restarts steps (a restored state, a
 * reset race) the product is rebuilt from its definition. */
static double
nadam_u_product (const LlOptimConfig *cfg,
                 gint64               step,
                 float               *state)
{
  double u_product;
  gint64 done;

  header_get (state, &u_product, &done);
  if (done == step - 1)
    u_product *= nadam_mu (cfg, (double) step);
  else if (done != step)
    {
      /* mu_k < beta_1 < 1, so the product is 0 in double long before
       * step 100,000: stop there instead of looping over a huge step. */
      u_product = 1.0;
      for (gint64 k = 1; k <= step && u_product != 0.0; k++)
        u_product *= nadam_mu (cfg, (double) k);
    }
  header_set (state, u_product, step);

  return u_product;
}

/* mu_t, mu_t+1 as above; u_product_t (this step's), u_product_t+1 = that * mu_t+1;
 * m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
 * m_hat = mu_t+1 m / (1 - u_product_t+1) + (1 - mu_t) g / (1 - u_product_t);
 * v_hat = v / (1 - beta_2^t);  w -= m_hat lr / (sqrt(v_hat) + eps) */
LL_UPDATE_LOOP static void
step_nadam (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
            float *restrict x, const float *restrict g, float *const *slots, float *header)
{
  float *restrict m = slots[0], *restrict v = slots[1];
  const double t = (double) step;
  const double mu_t = nadam_mu (cfg, t);
  const double mu_next = nadam_mu (cfg, t + 1.0);
  const double u_prod = nadam_u_product (cfg, step, header);
  const double u_prod_next = u_prod * mu_next;
  const float cm = (float) (mu_next / (1.0 - u_prod_next));
  const float cg = (float) ((1.0 - mu_t) / (1.0 - u_prod));
  const float inv_bias2 = (float) (1.0 / (1.0 - pow (cfg->beta_2, t)));
  const float one_m_b1 = (float) (1.0 - cfg->beta_1);
  const float one_m_b2 = (float) (1.0 - cfg->beta_2);
  const float flr = (float) lr;
  const float eps = (float) cfg->epsilon;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float mi = m[i] + (gi - m[i]) * one_m_b1;
      float vi = v[i] + (gi * gi - v[i]) * one_m_b2;
      float m_hat = cm * mi + cg * gi;
      float v_hat = vi * inv_bias2;

      m[i] = mi;
      v[i] = vi;
      x[i] -= (m_hat * flr) / (sqrtf (v_hat) + eps);
    }
}

void
ll_optim_step (const LlOptimConfig *cfg,
               double               lr,
               gint64               step,
               gsize                n,
               float               *x,
               const float         *g,
               float               *state)
{
  float *slots[4];
  const LlOptimInfo *info;

  g_return_if_fail (cfg != NULL);
  g_return_if_fail ((int) cfg->kind >= 0 && cfg->kind < LL_N_OPTIMS);
  g_return_if_fail (step >= 1);
  g_return_if_fail (n == 0 || (x != NULL && g != NULL));
  g_return_if_fail (state != NULL);

  info = &optim_table[cfg->kind];
  g_assert (info->n_slots <= (int) G_N_ELEMENTS (slots));
  for (int i = 0; i < info->n_slots; i++)
    slots[i] = state + HEADER_FLOATS + (gsize) i * n;
  info->step (cfg, lr, step, n, x, g, slots, state);
}
