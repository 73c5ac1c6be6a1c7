/* test-surface.c: the Optimizers view's surfaces, expression parser and race.
 * Gradients are checked against central finite differences; the race's
 * paths against ll_optim_step() applied here directly. */
#include "ll-surface.h"
#include "ll-types.h"
#include "ll-rng.h"

#include <math.h>
#include <string.h>

/* Relative error of an analytic gradient against central differences at
 * (x, y), scaled by the gradient's size so flat regions do not dominate. */
static double
gradient_error (const LlSurface *s, double x, double y)
{
  const double h = 1e-5;
  double gx, gy, fx, fy, scale;

  ll_surface_eval (s, x, y, &gx, &gy);
  fx = (ll_surface_eval (s, x + h, y, NULL, NULL) - ll_surface_eval (s, x - h, y, NULL, NULL)) / (2 * h);
  fy = (ll_surface_eval (s, x, y + h, NULL, NULL) - ll_surface_eval (s, x, y - h, NULL, NULL)) / (2 * h);
  scale = 1 + fabs (gx) + fabs (gy);
  return MAX (fabs (gx - fx), fabs (gy - fy)) / scale;
}

static void
check_gradients (const LlSurface *s, double tolerance, guint64 seed)
{
  double v[4];
  LlRng rng;

  ll_rng_seed (&rng, seed);
  ll_surface_get_view (s, &v[0], &v[1], &v[2], &v[3]);
  for (int i = 0; i < 200; i++)
    {
      double x = v[0] + (v[1] - v[0]) * ll_rng_uniform (&rng);
      double y = v[2] + (v[3] - v[2]) * ll_rng_uniform (&rng);
      double err = gradient_error (s, x, y);
      if (err > tolerance)
        g_test_message ("%s at (%g, %g): error %g", ll_surface_get_name (s), x, y, err);
      g_assert_cmpfloat (err, <=, tolerance);
    }
}

static void
test_gradients (void)
{
  /* Tolerances follow the surfaces' size: Beale reaches 1e5 at the
   * corners of its view, where differences lose digits. */
  static const double tolerance[] = {
    [LL_SURFACE_BOWL] = 1e-7, [LL_SURFACE_ROSENBROCK] = 1e-6, [LL_SURFACE_BEALE] = 1e-5,
    [LL_SURFACE_HIMMELBLAU] = 1e-6, [LL_SURFACE_SADDLE] = 1e-7, [LL_SURFACE_RASTRIGIN] = 1e-5,
  };

  for (LlSurfaceKind k = 0; k < LL_SURFACE_EXPRESSION; k++)
    {
      g_autoptr (LlSurface) s = ll_surface_new (k);
      g_assert_cmpint (ll_surface_get_kind (s), ==, k);
      g_assert_nonnull (ll_surface_get_name (s));
      check_gradients (s, tolerance[k], 100 + k);
    }
}

static void
test_minima (void)
{
  for (LlSurfaceKind k = 0; k < LL_SURFACE_EXPRESSION; k++)
    {
      g_autoptr (LlSurface) s = ll_surface_new (k);
      const double *m;
      guint n = ll_surface_get_minima (s, &m);

      if (k == LL_SURFACE_SADDLE)
        g_assert_cmpuint (n, ==, 0);
      for (guint i = 0; i < n; i++)
        {
          double gx, gy, f = ll_surface_eval (s, m[2 * i], m[2 * i + 1], &gx, &gy);
          /* Himmelblau's minima are known to 6 decimals. */
          g_assert_cmpfloat (fabs (f), <, 1e-8);
          g_assert_cmpfloat (hypot (gx, gy), <, 1e-3);
        }
    }
}

static void
test_expression_values (void)
{
  static const struct {
    const char *text;
    double x, y, value;
  } cases[] = {
    { "x + y", 1, 2, 3 },
    { "2*x^2 + 3*y", 2, 1, 11 },
    { "-x^2", 3, 0, -9 },
    { "2^3^2", 0, 0, 512 },
    { "(x - 1)**2", 4, 0, 9 },
    { "sin(pi/2) + cos(0) + e", 0, 0, 2 + G_E },
    { "sqrt(abs(x)) * exp(log(y))", -4, 3, 6 },
    { "tanh(0) - 1/2 + .5", 0, 0, 0 },
    { "  x /y  ", 1, 4, 0.25 },
    { "--x", 5, 0, 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LlSurface) s = ll_surface_new_expression (cases[i].text, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ll_surface_get_kind (s), ==, LL_SURFACE_EXPRESSION);
      g_assert_cmpstr (ll_surface_get_name (s), ==, cases[i].text);
      g_assert_cmpfloat_with_epsilon (ll_surface_eval (s, cases[i].x, cases[i].y, NULL, NULL),
                                      cases[i].value, 1e-12);
    }
}

static void
test_expression_gradients (void)
{
  static const char *const texts[] = {
    "x^2 + 10*y^2",
    "(1 - x)^2 + 100*(y - x^2)^2",
    "sin(x) * cos(y) + (x^2 + y^2) / 10",
    "exp(-(x^2 + y^2)) * tanh(x - y)",
    "sqrt(x^2 + y^2 + 1) - log(2 + cos(x*y))",
    "(x*y) / (1 + x^2) + tan(y/3)",
    "abs(x - 0.3) + 2^(x/2) * y",
    "(x^2 + 1)^(y/4)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LlSurface) s = ll_surface_new_expression (texts[i], &error);
      g_assert_no_error (error);
      check_gradients (s, 1e-6, 7 + i);
    }

  /* The same function typed and built in: identical gradients. */
  {
    g_autoptr (LlSurface) typed = ll_surface_new_expression ("(1 - x)^2 + 100*(y - x^2)^2", NULL);
    g_autoptr (LlSurface) built = ll_surface_new (LL_SURFACE_ROSENBROCK);
    double ax, ay, bx, by;
    ll_surface_eval (typed, -1.2, 1, &ax, &ay);
    ll_surface_eval (built, -1.2, 1, &bx, &by);
    g_assert_cmpfloat_with_epsilon (ax, bx, 1e-9);
    g_assert_cmpfloat_with_epsilon (ay, by, 1e-9);
  }
}

static void
test_expression_minimum (void)
{
  g_autoptr (LlSurface) s = ll_surface_new_expression ("(x - 1)^2 + (y + 0.5)^2", NULL);
  g_autoptr (LlSurface) falls = ll_surface_new_expression ("x", NULL);
  const double *m;

  g_assert_cmpuint (ll_surface_get_minima (s, &m), ==, 1);
  g_assert_cmpfloat_with_epsilon (m[0], 1, 1e-3);
  g_assert_cmpfloat_with_epsilon (m[1], -0.5, 1e-3);
  /* Lowest at the border of the view: nothing to mark. */
  g_assert_cmpuint (ll_surface_get_minima (falls, NULL), ==, 0);
}

static void
test_expression_errors (void)
{
  static const struct {
    const char *text;
    const char *needle;
  } cases[] = {
    { "(x + y))",     "unexpected ')' at column 8" },
    { "x + * y",      "unexpected '*' at column 5" },
    { "x +",          "unexpected end of expression at column 4" },
    { "(x + y",       "column 7" },
    { "foo(x)",       "unknown name 'foo' at column 1" },
    { "x + z",        "unknown name 'z' at column 5" },
    { "sin x",        "'(' after 'sin'" },
    { "2x",           "column 2" },
    { "x # y",        "unexpected '#' at column 3" },
    { "",             "column 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      LlSurface *s = ll_surface_new_expression (cases[i].text, &error);
      g_assert_null (s);
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("\"%s\": message \"%s\" lacks \"%s\"", cases[i].text, error->message, cases[i].needle);
    }

  /* Length and depth limits. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) deep = g_string_new (NULL);
    g_autofree char *longer = g_strnfill (LL_SURFACE_MAX_EXPRESSION + 1, 'x');

    g_assert_null (ll_surface_new_expression (longer, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
    g_clear_error (&error);

    for (int i = 0; i < 100; i++)
      g_string_append_c (deep, '(');
    g_string_append_c (deep, 'x');
    for (int i = 0; i < 100; i++)
      g_string_append_c (deep, ')');
    g_assert_null (ll_surface_new_expression (deep->str, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "nested too deeply"));
  }
}

/* The race's path must be exactly what the engine optimizer gives when
 * this test drives it by hand on the analytic gradient. */
static void
test_race_matches_engine (void)
{
  for (LlSurfaceKind k = 0; k < LL_SURFACE_EXPRESSION; k++)
    {
      g_autoptr (LlSurface) s = ll_surface_new (k);
      g_autoptr (LlRace) race = ll_race_new (s, 20);
      double sx, sy;

      ll_race_get_start (race, &sx, &sy);
      for (guint n = 0; n < 20; n++)
        g_assert_true (ll_race_step (race));
      g_assert_false (ll_race_step (race));
      g_assert_cmpuint (ll_race_get_n_steps (race), ==, 20);

      for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
        {
          const LlOptimConfig *cfg = ll_race_get_config (race, e);
          g_autofree float *state = g_new0 (float, ll_optim_state_size (cfg, 2));
          float x[2] = { (float) sx, (float) sy };
          guint n_points;
          const float *path = ll_race_get_path (race, e, &n_points);
          const double *losses = ll_race_get_losses (race, e, NULL);

          g_assert_false (ll_race_entry_diverged (race, e));
          g_assert_cmpuint (n_points, ==, 21);
          ll_optim_state_init (cfg, 2, state);
          for (gint64 t = 1; t <= 20; t++)
            {
              double gx, gy;
              float g[2];
              ll_surface_eval (s, x[0], x[1], &gx, &gy);
              g[0] = (float) gx, g[1] = (float) gy;
              ll_optim_step (cfg, cfg->learning_rate, t, 2, x, g, state);
              if (memcmp (x, path + 2 * t, sizeof x) != 0)
                g_error ("%s on %s, step %d: race (%.9g, %.9g), engine (%.9g, %.9g)",
                         ll_race_entry_name (e), ll_surface_get_name (s), (int) t,
                         path[2 * t], path[2 * t + 1], x[0], x[1]);
              g_assert_cmpfloat (losses[t], ==, ll_surface_eval (s, x[0], x[1], NULL, NULL));
            }
        }
    }
}

static void
test_race_configs (void)
{
  g_autoptr (LlSurface) s = ll_surface_new (LL_SURFACE_BOWL);
  g_autoptr (LlRace) race = ll_race_new (s, 100);
  g_autoptr (GError) error = NULL;
  LlOptimConfig cfg;

  /* Nine distinct entries with the advertised hyperparameters. */
  g_assert_cmpint (ll_race_get_config (race, 0)->kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (ll_race_get_config (race, 0)->momentum, ==, 0);
  g_assert_cmpfloat (ll_race_get_config (race, 1)->momentum, ==, 0.9);
  g_assert_false (ll_race_get_config (race, 1)->nesterov);
  g_assert_true (ll_race_get_config (race, 2)->nesterov);
  g_assert_cmpint (ll_race_get_config (race, 3)->kind, ==, LL_OPTIM_ADAGRAD);
  g_assert_cmpint (ll_race_get_config (race, 4)->kind, ==, LL_OPTIM_ADADELTA);
  g_assert_cmpint (ll_race_get_config (race, 5)->kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpint (ll_race_get_config (race, 6)->kind, ==, LL_OPTIM_ADAM);
  g_assert_cmpint (ll_race_get_config (race, 7)->kind, ==, LL_OPTIM_ADAMAX);
  g_assert_cmpint (ll_race_get_config (race, 8)->kind, ==, LL_OPTIM_NADAM);
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    g_assert_true (ll_optim_config_validate (ll_race_get_config (race, e), NULL));

  ll_race_step (race);
  cfg = *ll_race_get_config (race, 6);
  cfg.learning_rate = 0.3;
  g_assert_true (ll_race_set_config (race, 6, &cfg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ll_race_get_n_steps (race), ==, 0);
  g_assert_cmpfloat (ll_race_get_config (race, 6)->learning_rate, ==, 0.3);

  cfg.learning_rate = -1;
  g_assert_false (ll_race_set_config (race, 6, &cfg, &error));
  g_assert_nonnull (error);
  g_assert_cmpfloat (ll_race_get_config (race, 6)->learning_rate, ==, 0.3);
}

static void
test_adam_bowl (void)
{
  g_autoptr (LlSurface) s = ll_surface_new (LL_SURFACE_BOWL);
  g_autoptr (LlRace) race = ll_race_new (s, 400);
  int steps;

  while (ll_race_step (race))
    ;
  steps = ll_race_get_steps_to_tolerance (race, 6);
  g_test_message ("Adam reached the bowl's minimum in %d steps (tolerance %g)",
                  steps, ll_race_get_tolerance (race));
  /* From (-4, 2.5) at lr 0.1 Adam needs at least 40 steps (its steps are
   * about lr long) and, damped by beta_2, well under 300. */
  g_assert_cmpint (steps, >=, 40);
  g_assert_cmpint (steps, <=, 300);

  /* A diverging SGD (lr above 2/curvature) stops without NaN. */
  {
    LlOptimConfig cfg = *ll_race_get_config (race, 0);
    guint n;
    cfg.learning_rate = 0.5;
    g_assert_true (ll_race_set_config (race, 0, &cfg, NULL));
    while (ll_race_step (race))
      ;
    g_assert_true (ll_race_entry_diverged (race, 0));
    g_assert_cmpint (ll_race_get_steps_to_tolerance (race, 0), ==, -1);
    ll_race_get_path (race, 0, &n);
    g_assert_cmpuint (n, <, 401);
  }
}

static void
test_saddle_escape (void)
{
  g_autoptr (LlSurface) s = ll_surface_new (LL_SURFACE_SADDLE);
  g_autoptr (LlRace) race = ll_race_new (s, 200);
  guint n;
  const float *path;

  /* On the axis the gradient has no y part: SGD slides to the saddle
   * point and stays there. */
  ll_race_set_start (race, -1.8, 0);
  while (ll_race_step (race))
    ;
  path = ll_race_get_path (race, 0, &n);
  g_assert_cmpuint (n, ==, 201);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (path[2 * i + 1], ==, 0);
  g_assert_cmpfloat (fabs (path[2 * (n - 1)]), <, 1e-3);

  /* A hair off the axis, the y part grows by (1 + 2 lr) per step. */
  ll_race_set_start (race, -1.8, 1e-3);
  while (ll_race_step (race))
    ;
  path = ll_race_get_path (race, 0, &n);
  g_assert_cmpfloat (fabs (path[2 * (n - 1) + 1]), >, 2);
}

/* A sampled surface (the loss-landscape mode) reproduces its samples,
 * interpolates between them with the interpolant's own gradient, marks the
 * lowest sample and starts at the centre. */
static void
test_grid (void)
{
  const int n = 9;
  const double span = 2;
  double values[81];
  g_autoptr (LlSurface) s = NULL;
  const double *m;
  double x0, x1, y0, y1, sx, sy;

  for (int j = 0; j < n; j++)
    for (int i = 0; i < n; i++)
      {
        double x = -span + 2 * span * i / (n - 1), y = -span + 2 * span * j / (n - 1);
        values[j * n + i] = (x - 0.5) * (x - 0.5) + 2 * (y + 1) * (y + 1) + 0.3 * x * y;
      }
  s = ll_surface_new_grid ("landscape", values, n, span);
  g_assert_cmpint (ll_surface_get_kind (s), ==, LL_SURFACE_GRID);
  g_assert_cmpstr (ll_surface_get_name (s), ==, "landscape");
  ll_surface_get_view (s, &x0, &x1, &y0, &y1);
  g_assert_cmpfloat (x0, ==, -span);
  g_assert_cmpfloat (y1, ==, span);
  ll_surface_get_start (s, &sx, &sy);
  g_assert_cmpfloat (sx, ==, 0);
  g_assert_cmpfloat (sy, ==, 0);
  g_assert_cmpuint (ll_surface_get_minima (s, &m), ==, 1);
  g_assert_cmpfloat_with_epsilon (m[0], 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (m[1], -1, 1e-12);

  for (int k = 0; k < n * n; k++)
    {
      double x = -span + 2 * span * (k % n) / (n - 1), y = -span + 2 * span * (k / n) / (n - 1);
      g_assert_cmpfloat_with_epsilon (ll_surface_eval (s, x, y, NULL, NULL), values[k], 1e-9);
    }
  /* Inside cells the gradient is the interpolant's (central differences
   * small enough to stay in the cell). */
  for (int t = 0; t < 50; t++)
    {
      double x = g_test_rand_double_range (-1.9, 1.9), y = g_test_rand_double_range (-1.9, 1.9);
      double gx, gy, h = 1e-6;
      double f = ll_surface_eval (s, x, y, &gx, &gy);
      double fx = (ll_surface_eval (s, x + h, y, NULL, NULL) - ll_surface_eval (s, x - h, y, NULL, NULL)) / (2 * h);
      double fy = (ll_surface_eval (s, x, y + h, NULL, NULL) - ll_surface_eval (s, x, y - h, NULL, NULL)) / (2 * h);

      g_assert_true (isfinite (f));
      g_assert_cmpfloat_with_epsilon (gx, fx, 1e-4 * (1 + fabs (fx)));
      g_assert_cmpfloat_with_epsilon (gy, fy, 1e-4 * (1 + fabs (fy)));
    }
}

/* The race's entries name their optimizer and the hyperparameters they
 * fix; the Optimizers view offers the rest of the optimizer's table. */
static void
test_race_entries (void)
{
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      LlOptimConfig c = ll_race_default_config (LL_SURFACE_BOWL, e);

      g_assert_cmpint (c.kind, ==, ll_race_entry_kind (e));
      g_assert_false (ll_race_entry_fixes (e, LL_HYPER_LEARNING_RATE));
      g_assert_true (ll_optim_config_validate (&c, NULL));
    }
  /* Plain SGD keeps momentum 0; Momentum and Nesterov differ by the flag only. */
  g_assert_true (ll_race_entry_fixes (0, LL_HYPER_MOMENTUM));
  g_assert_false (ll_race_entry_fixes (1, LL_HYPER_MOMENTUM));
  g_assert_true (ll_race_entry_fixes (1, LL_HYPER_NESTEROV));
  g_assert_false (ll_race_default_config (LL_SURFACE_BOWL, 1).nesterov);
  g_assert_true (ll_race_default_config (LL_SURFACE_BOWL, 2).nesterov);
  g_assert_cmpint (ll_race_entry_kind (6), ==, LL_OPTIM_ADAM);
  g_assert_false (ll_race_entry_fixes (6, LL_HYPER_BETA_2));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/surface/gradients", test_gradients);
  g_test_add_func ("/engine/surface/minima", test_minima);
  g_test_add_func ("/engine/surface/expression-values", test_expression_values);
  g_test_add_func ("/engine/surface/expression-gradients", test_expression_gradients);
  g_test_add_func ("/engine/surface/expression-minimum", test_expression_minimum);
  g_test_add_func ("/engine/surface/expression-errors", test_expression_errors);
  g_test_add_func ("/engine/surface/race-matches-engine", test_race_matches_engine);
  g_test_add_func ("/engine/surface/race-configs", test_race_configs);
  g_test_add_func ("/engine/surface/race-entries", test_race_entries);
  g_test_add_func ("/engine/surface/adam-bowl", test_adam_bowl);
  g_test_add_func ("/engine/surface/saddle-escape", test_saddle_escape);
  g_test_add_func ("/engine/surface/grid", test_grid);
  return g_test_run ();
}
