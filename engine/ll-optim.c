/* ll-optim.c: the Keras 3 optimizers (keras/src/optimizers/, one file
 * each) as plain loops over a flat float buffer.
 *
 * State layout: a 4-float header, then the per-parameter slots, each n
 * floats.  The header holds Nadam's momentum cache (u_product, a double)
 * and the step it belongs to; the other optimizers leave it alone.  The
 * number of slots depends on the kind only, never on momentum / centered /
 * amsgrad, so the playground can flip those flags between steps without
 * reallocating (a flag that was off leaves its slot at zero, which is
 * where Keras would start it).
 *
 * Each step precomputes its scalars in double, then runs one float loop,
 * with the operations in the order Keras writes them, so results stay
 * within float rounding of Keras' float32 ones. */
#include "ll-optim.h"
#include "ll-types.h"

#include <math.h>
#include <string.h>

const char *const ll_optim_names[] = {
  "sgd",
  "rmsprop",
  "adagrad",
  "adadelta",
  "adam",
  "adamax",
  "nadam",
  NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (ll_optim_names) == LL_N_OPTIMS + 1);

#define HEADER_FLOATS 4  /* double u_product + gint64 step; keeps slots 16-byte aligned */

/* Slots per parameter, by kind (see the file comment). */
static const guint8 optim_slots[] = {
  [LL_OPTIM_SGD] = 1,       /* velocity */
  [LL_OPTIM_RMSPROP] = 3,   /* velocity, momentum, average gradient */
  [LL_OPTIM_ADAGRAD] = 1,   /* accumulator */
  [LL_OPTIM_ADADELTA] = 2,  /* accumulated grad, accumulated delta */
  [LL_OPTIM_ADAM] = 3,      /* m, v, v_hat */
  [LL_OPTIM_ADAMAX] = 2,    /* m, u */
  [LL_OPTIM_NADAM] = 2,     /* m, v */
};

G_STATIC_ASSERT (G_N_ELEMENTS (optim_slots) == LL_N_OPTIMS);

/* Keras' Nadam momentum schedule: mu_t = beta_1 (1 - 0.5 * 0.96^t). */
#define NADAM_DECAY 0.96

LlOptimConfig
ll_optim_config_default (LlOptimKind kind)
{
  LlOptimConfig cfg = {
    .kind = kind,
    .learning_rate = 0.001,
    .momentum = 0.0,
    .nesterov = FALSE,
    .rho = 0.9,
    .centered = FALSE,
    .epsilon = 1e-7,
    .initial_accumulator = 0.1,
    .beta_1 = 0.9,
    .beta_2 = 0.999,
    .amsgrad = FALSE,
  };

  g_return_val_if_fail ((int) kind >= 0 && kind < LL_N_OPTIMS, cfg);

  if (kind == LL_OPTIM_SGD)
    cfg.learning_rate = 0.01;
  else if (kind == LL_OPTIM_ADADELTA)
    cfg.rho = 0.95;

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

/* The ranges are written so that NaN fails every one of them.  The range
 * text is short ("between 0 and 1"); the value quoted next to it shows
 * which end was crossed. */
static gboolean
check_range (double      v,
             double      lo,
             gboolean    lo_open,
             double      hi,
             gboolean    hi_open,
             const char *what,
             const char *range_text,
             double      keras_default,
             GError    **error)
{
  gboolean ok_lo = lo_open ? v > lo : v >= lo;
  gboolean ok_hi = hi_open ? v < hi : v <= hi;
  char got[G_ASCII_DTOSTR_BUF_SIZE], def[G_ASCII_DTOSTR_BUF_SIZE];

  if (ok_lo && ok_hi)
    return TRUE;

  format_value (got, v);
  format_value (def, keras_default);
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               "%s must be %s (got %s); Keras' default is %s.",
               what, range_text, got, def);
  return FALSE;
}

gboolean
ll_optim_config_validate (const LlOptimConfig *cfg,
                          GError             **error)
{
  LlOptimConfig def;
  LlOptimKind kind;

  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kind = cfg->kind;
  if ((int) kind < 0 || kind >= LL_N_OPTIMS)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   "Unknown optimizer (%d); choose one of sgd, rmsprop, "
                   "adagrad, adadelta, adam, adamax or nadam.", (int) kind);
      return FALSE;
    }

  def = ll_optim_config_default (kind);

  /* Above 10 every one of these optimizers diverges on any real model. */
  if (!check_range (cfg->learning_rate, 0.0, TRUE, 10.0, FALSE,
                    "The learning rate", "greater than 0 and at most 10",
                    def.learning_rate, error))
    return FALSE;

  if ((kind == LL_OPTIM_SGD || kind == LL_OPTIM_RMSPROP)
      && !check_range (cfg->momentum, 0.0, FALSE, 1.0, TRUE,
                       "Momentum", "between 0 and 1",
                       def.momentum, error))
    return FALSE;

  if ((kind == LL_OPTIM_RMSPROP || kind == LL_OPTIM_ADADELTA)
      && !check_range (cfg->rho, 0.0, TRUE, 1.0, TRUE,
                       "Rho", "strictly between 0 and 1",
                       def.rho, error))
    return FALSE;

  if (kind == LL_OPTIM_ADAM || kind == LL_OPTIM_ADAMAX || kind == LL_OPTIM_NADAM)
    {
      if (!check_range (cfg->beta_1, 0.0, FALSE, 1.0, TRUE,
                        "beta_1", "between 0 and 1",
                        def.beta_1, error))
        return FALSE;
      if (!check_range (cfg->beta_2, 0.0, FALSE, 1.0, TRUE,
                        "beta_2", "between 0 and 1",
                        def.beta_2, error))
        return FALSE;
    }

  /* Plain SGD never divides, so it has no epsilon. */
  if (kind != LL_OPTIM_SGD
      && !check_range (cfg->epsilon, 0.0, TRUE, 1.0, FALSE,
                       "Epsilon", "a small positive number (at most 1)",
                       def.epsilon, error))
    return FALSE;

  if (kind == LL_OPTIM_ADAGRAD
      && !check_range (cfg->initial_accumulator, 0.0, FALSE, 1e6, FALSE,
                       "The initial accumulator value", "0 or more (at most 1e6)",
                       def.initial_accumulator, error))
    return FALSE;

  return TRUE;
}

gsize
ll_optim_state_size (const LlOptimConfig *cfg,
                     gsize                n)
{
  g_return_val_if_fail (cfg != NULL, 0);
  g_return_val_if_fail ((int) cfg->kind >= 0 && cfg->kind < LL_N_OPTIMS, 0);

  return HEADER_FLOATS + (gsize) optim_slots[cfg->kind] * n;
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
static void
step_sgd (const LlOptimConfig *cfg, double lr, gsize n,
          float *restrict x, const float *restrict g, float *restrict vel)
{
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
static void
step_rmsprop (const LlOptimConfig *cfg, double lr, gsize n,
              float *restrict x, const float *restrict g,
              float *restrict vel, float *restrict mom, float *restrict avg)
{
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
static void
step_adagrad (const LlOptimConfig *cfg, double lr, gsize n,
              float *restrict x, const float *restrict g, float *restrict acc)
{
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
static void
step_adadelta (const LlOptimConfig *cfg, double lr, gsize n,
               float *restrict x, const float *restrict g,
               float *restrict acc_g, float *restrict acc_d)
{
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
static void
step_adam (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
           float *restrict x, const float *restrict g,
           float *restrict m, float *restrict v, float *restrict vhat)
{
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
static void
step_adamax (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
             float *restrict x, const float *restrict g,
             float *restrict m, float *restrict u)
{
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
 * reset playground) the product is rebuilt from its definition. */
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
static void
step_nadam (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
            float *restrict x, const float *restrict g,
            float *restrict m, float *restrict v, float *restrict header)
{
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
  float *s0, *s1, *s2;

  g_return_if_fail (cfg != NULL);
  g_return_if_fail ((int) cfg->kind >= 0 && cfg->kind < LL_N_OPTIMS);
  g_return_if_fail (step >= 1);
  g_return_if_fail (n == 0 || (x != NULL && g != NULL));
  g_return_if_fail (state != NULL);

  s0 = state + HEADER_FLOATS;
  s1 = s0 + n;
  s2 = s1 + n;

  switch (cfg->kind)
    {
    case LL_OPTIM_SGD:
      step_sgd (cfg, lr, n, x, g, s0);
      break;
    case LL_OPTIM_RMSPROP:
      step_rmsprop (cfg, lr, n, x, g, s0, s1, s2);
      break;
    case LL_OPTIM_ADAGRAD:
      step_adagrad (cfg, lr, n, x, g, s0);
      break;
    case LL_OPTIM_ADADELTA:
      step_adadelta (cfg, lr, n, x, g, s0, s1);
      break;
    case LL_OPTIM_ADAM:
      step_adam (cfg, lr, step, n, x, g, s0, s1, s2);
      break;
    case LL_OPTIM_ADAMAX:
      step_adamax (cfg, lr, step, n, x, g, s0, s1);
      break;
    case LL_OPTIM_NADAM:
      step_nadam (cfg, lr, step, n, x, g, s0, s1, state);
      break;
    case LL_N_OPTIMS:
    default:
      g_assert_not_reached ();
    }
}
