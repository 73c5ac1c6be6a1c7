/* ll-toy-data.c: the Playground's 2-D data, features, demonstrations and
 * its batch-at-a-time training run.  The generators follow TensorFlow
 * Playground's (radius 5 on the plane [-6, 6]²) so that its users find
 * the same pictures. */
#include "ll-toy-data.h"

#include "ll-evaluate.h"
#include "ll-rng.h"
#include "ll-trainer.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

static const char *const kind_names[LL_N_TOY] = {
  "circle", "xor", "gauss", "spiral", "moons", "spiral3", "own",
};

const char *
ll_toy_kind_name (LlToyKind kind)
{
  g_return_val_if_fail (kind < LL_N_TOY, NULL);
  return kind_names[kind];
}

gboolean
ll_toy_kind_from_name (const char *name, LlToyKind *kind)
{
  for (int i = 0; i < LL_N_TOY; i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        if (kind != NULL)
          *kind = (LlToyKind) i;
        return TRUE;
      }
  return FALSE;
}

int
ll_toy_n_classes (LlToyKind kind)
{
  return kind == LL_TOY_SPIRAL3 || kind == LL_TOY_OWN ? 3 : 2;
}

static double
uniform (LlRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * ll_rng_uniform (rng);
}

/* Point i of class c out of n_c, for the generator of kind. */
static void
generate_one (LlToyKind kind, int c, int i, int n_c, double noise, LlRng *rng, LlToyPoint *p)
{
  const double radius = 5.0;
  double x = 0, y = 0;

  switch (kind)
    {
    case LL_TOY_CIRCLE:
      {
        /* Class 0 inside half the radius, class 1 on the outer ring. */
        double r = c == 0 ? uniform (rng, 0, radius * 0.5) : uniform (rng, radius * 0.7, radius);
        double a = uniform (rng, 0, 2 * G_PI);
        x = r * sin (a) + uniform (rng, -radius, radius) * noise;
        y = r * cos (a) + uniform (rng, -radius, radius) * noise;
        break;
      }
    case LL_TOY_XOR:
      {
        /* Quadrants of one sign (class 0: x·y > 0), kept 0.3 off the axes. */
        const double pad = 0.3;
        double sx = ll_rng_uniform (rng) < 0.5 ? -1 : 1;
        double sy = c == 0 ? sx : -sx;
        x = sx * uniform (rng, pad, radius) + uniform (rng, -radius, radius) * noise;
        y = sy * uniform (rng, pad, radius) + uniform (rng, -radius, radius) * noise;
        break;
      }
    case LL_TOY_GAUSS:
      {
        /* Two Gaussians at (2, 2) and (−2, −2); noise widens them. */
        double sd = sqrt (0.5 + 3.5 * noise / 0.5);
        double m = c == 0 ? 2 : -2;
        x = m + ll_rng_normal (rng) * sd;
        y = m + ll_rng_normal (rng) * sd;
        break;
      }
    case LL_TOY_SPIRAL:
    case LL_TOY_SPIRAL3:
      {
        int n_arms = kind == LL_TOY_SPIRAL ? 2 : 3;
        double f = (double) i / n_c;
        double r = f * radius;
        double t = 1.75 * f * 2 * G_PI + 2 * G_PI * c / n_arms;
        x = r * sin (t) + uniform (rng, -1, 1) * noise * radius;
        y = r * cos (t) + uniform (rng, -1, 1) * noise * radius;
        break;
      }
    case LL_TOY_MOONS:
      {
        /* scikit-learn's two moons, centred and scaled by 3. */
        double t = uniform (rng, 0, G_PI);
        double mx = c == 0 ? cos (t) : 1 - cos (t);
        double my = c == 0 ? sin (t) : 0.5 - sin (t);
        x = (mx - 0.5) * 3.0 + ll_rng_normal (rng) * noise * radius * 0.5;
        y = (my - 0.25) * 3.0 + ll_rng_normal (rng) * noise * radius * 0.5;
        break;
      }
    case LL_TOY_OWN:
    case LL_N_TOY:
    default:
      g_assert_not_reached ();
    }
  p->x = (float) CLAMP (x, -LL_TOY_EXTENT, LL_TOY_EXTENT);
  p->y = (float) CLAMP (y, -LL_TOY_EXTENT, LL_TOY_EXTENT);
  p->label = c;
}

int
ll_toy_generate (LlToyKind kind, int n, double noise, guint64 seed, LlToyPoint *out)
{
  int n_classes, k = 0;
  LlRng rng;

  g_return_val_if_fail (kind < LL_N_TOY && n >= 0, 0);
  if (kind == LL_TOY_OWN)
    return 0;
  g_return_val_if_fail (n == 0 || out != NULL, 0);
  noise = CLAMP (noise, 0.0, 0.5);
  n_classes = ll_toy_n_classes (kind);
  ll_rng_seed (&rng, seed);
  for (int c = 0; c < n_classes; c++)
    {
      int n_c = n / n_classes + (c < n % n_classes ? 1 : 0);
      for (int i = 0; i < n_c; i++)
        generate_one (kind, c, i, n_c, noise, &rng, &out[k++]);
    }
  return k;
}

void
ll_toy_split (LlToyPoint *points, int n, double train_ratio, guint64 seed, int *n_train)
{
  LlRng rng;
  int t;

  g_return_if_fail (n >= 0 && (n == 0 || points != NULL) && n_train != NULL);
  ll_rng_seed (&rng, seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  /* Fisher–Yates on the points themselves. */
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) ll_rng_below (&rng, (guint32) i + 1);
      LlToyPoint tmp = points[i];
      points[i] = points[j];
      points[j] = tmp;
    }
  t = (int) lround (n * CLAMP (train_ratio, 0.0, 1.0));
  if (n > 1)
    t = CLAMP (t, 1, n - 1);
  else
    t = n;
  *n_train = t;
}

/* Features ----------------------------------------------------------------- */

static const char *const feature_labels[LL_N_FEATURES] = {
  "x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂",
};

const char *
ll_toy_feature_label (int i)
{
  g_return_val_if_fail (i >= 0 && i < LL_N_FEATURES, NULL);
  return feature_labels[i];
}

int
ll_toy_n_features (guint features)
{
  int n = 0;
  for (int i = 0; i < LL_N_FEATURES; i++)
    n += (features >> i) & 1;
  return n;
}

void
ll_toy_features (guint features, float x, float y, float *out)
{
  const double e = LL_TOY_EXTENT;
  double v[LL_N_FEATURES] = {
    x / e, y / e, (double) x * x / (e * e), (double) y * y / (e * e), (double) x * y / (e * e),
    sin (x), sin (y),
  };
  int k = 0;

  for (int i = 0; i < LL_N_FEATURES; i++)
    if (features & (1u << i))
      out[k++] = (float) v[i];
}

LlDataset *
ll_toy_dataset (const LlToyPoint *points, int n, int n_classes, guint features, GError **error)
{
  int nf = ll_toy_n_features (features);
  LlDataset *ds;

  if (nf < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("No input feature is chosen; switch on x₁ or another input"));
      return NULL;
    }
  if (!(ds = ll_dataset_new_values ("points", n, nf, n_classes, error)))
    return NULL;
  for (int i = 0; i < n; i++)
    {
      ll_toy_features (features, points[i].x, points[i].y, ds->values + (gsize) i * nf);
      ds->labels[i] = (guint8) CLAMP (points[i].label, 0, n_classes - 1);
    }
  return ds;
}

void
ll_toy_grid_inputs (guint features, int res, float *x)
{
  int nf = ll_toy_n_features (features);

  g_return_if_fail (res > 0 && x != NULL);
  for (int r = 0; r < res; r++)
    for (int c = 0; c < res; c++)
      {
        float px = (float) (-LL_TOY_EXTENT + (c + 0.5) * 2 * LL_TOY_EXTENT / res);
        float py = (float) (LL_TOY_EXTENT - (r + 0.5) * 2 * LL_TOY_EXTENT / res);
        ll_toy_features (features, px, py, x + ((gsize) r * res + c) * nf);
      }
}

LlArch *
ll_toy_arch (const LlToyNet *net, int n_inputs, int n_classes, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (net != NULL && net->n_hidden >= 0 && net->n_hidden <= LL_TOY_MAX_HIDDEN, NULL);
  g_string_append_printf (text, "Input height=1 width=%d channels=1\nFlatten\n", n_inputs);
  for (int i = 0; i < net->n_hidden; i++)
    {
      const char *act = net->activation[i] != NULL ? net->activation[i] : "tanh";

      g_string_append_printf (text, "Dense units=%d activation=%s", net->units[i],
                              net->batch_norm ? "linear" : act);
      if (net->l1 > 0 || net->l2 > 0)
        g_string_append_printf (text, " kernel_regularizer=%s",
                                net->l1 > 0 && net->l2 > 0 ? "l1_l2" : net->l1 > 0 ? "l1" : "l2");
      if (net->l1 > 0)
        g_string_append_printf (text, " l1=%s", g_ascii_dtostr (num, sizeof num, net->l1));
      if (net->l2 > 0)
        g_string_append_printf (text, " l2=%s", g_ascii_dtostr (num, sizeof num, net->l2));
      g_string_append_c (text, '\n');
      if (net->batch_norm)
        g_string_append_printf (text, "BatchNormalization\nActivation activation=%s\n", act);
      if (net->dropout >= 0)
        g_string_append_printf (text, "Dropout rate=%s\n", g_ascii_dtostr (num, sizeof num, net->dropout));
    }
  g_string_append_printf (text, "Dense units=%d activation=softmax\n", n_classes);
  return ll_arch_from_text (text->str, error);
}

/* Demonstrations ------------------------------------------------------------- */

static const LlToyDemo demos[] = {
  { "spiral", "playground-spiral", N_("The spiral needs depth"),
    N_("One hidden layer cannot wind its boundary around the arms; two layers of 8 tanh units follow the spiral."),
    LL_TOY_SPIRAL, 500, 0.0, 0.5, LL_FEATURES_DEFAULT },
  { "overfitting", "playground-overfitting", N_("Overfitting, dropout and L2"),
    N_("Few noisy training points and a wide network: training loss falls while test loss turns up; raise dropout or L2 and the two curves come back together."),
    LL_TOY_GAUSS, 100, 0.5, 0.3, LL_FEATURES_DEFAULT },
  { "batch-size", "playground-batch-size", N_("Batch size 1 vs 32"),
    N_("With batch size 1 every step follows one point and the loss jitters; switch to 32 and the descent turns smooth."),
    LL_TOY_CIRCLE, 400, 0.1, 0.5, LL_FEATURES_DEFAULT },
  { "learning-rate", "playground-learning-rate", N_("A learning rate too high"),
    N_("At this learning rate the boundary flickers and the loss jumps up; lower it to 0.3 and training settles."),
    LL_TOY_XOR, 400, 0.1, 0.5, LL_FEATURES_DEFAULT },
  { "activations", "playground-activations", N_("Sigmoid vs ReLU vs tanh"),
    N_("Same data, same network: switch the activation between sigmoid, ReLU and tanh and compare how soon and how smoothly the boundary forms."),
    LL_TOY_MOONS, 400, 0.1, 0.5, LL_FEATURES_DEFAULT },
};

const LlToyDemo *
ll_toy_demos (int *n_demos)
{
  if (n_demos != NULL)
    *n_demos = G_N_ELEMENTS (demos);
  return demos;
}

const LlToyDemo *
ll_toy_demo_lookup (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demos); i++)
    if (g_strcmp0 (demos[i].id, id) == 0)
      return &demos[i];
  return NULL;
}

/* The run ------------------------------------------------------------------ */

struct _LlToyRun {
  LlModel *model;
  LlOptimConfig optim;
  float *optim_state;
  gsize n_optim_state;
  LlRng rng;
  LlDataset *train, *test;
  int batch_size;
  guint32 *order;                 /* this epoch's order of the training points */
  int position;                   /* next index into order */
  gint64 step;
  int epochs_done;
  LlSchedule schedule;            /* kind 0: constant (g_new0) */
  int schedule_epochs;            /* the cosine schedule's length */
  float *x;                       /* one batch of inputs */
  gint32 *labels;
  float *snapshot;                /* weights before the batch, for a divergence */
};

static gboolean
plan_batch (LlToyRun *run, int batch_size, GError **error)
{
  int bs = CLAMP (batch_size, 1, MAX (run->train->n, 1));

  if (!ll_model_plan (run->model, bs, error))
    return FALSE;
  run->batch_size = bs;
  g_free (run->x);
  g_free (run->labels);
  run->x = g_new (float, (gsize) bs * ll_dataset_sample_size (run->train));
  run->labels = g_new (gint32, bs);
  return TRUE;
}

LlToyRun *
ll_toy_run_new (LlModel *model, const LlOptimConfig *optim, int batch_size, guint64 seed,
                LlDataset *train, LlDataset *test, GError **error)
{
  g_autoptr(LlToyRun) run = g_new0 (LlToyRun, 1);
  gsize n_params;

  g_return_val_if_fail (model != NULL && optim != NULL && train != NULL, NULL);
  run->model = model;
  run->train = train;
  run->test = test;
  if (!ll_model_check_dataset (model, train, error)
      || (test != NULL && !ll_model_check_dataset (model, test, error))
      || !ll_optim_config_validate (optim, error))
    return NULL;
  if (train->n < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("There are no training points; add points or raise the training ratio"));
      return NULL;
    }
  ll_rng_seed (&run->rng, seed);
  n_params = ll_model_n_trainable (model);
  run->snapshot = g_new (float, MAX (n_params + ll_model_n_state (model), 1));
  run->order = g_new (guint32, train->n);
  for (int i = 0; i < train->n; i++)
    run->order[i] = (guint32) i;
  run->position = train->n;        /* shuffle before the first batch */
  ll_toy_run_set_optimizer (run, optim);
  if (!plan_batch (run, batch_size, error))
    return NULL;
  return g_steal_pointer (&run);
}

static LlDataset *
dataset_copy (const LlDataset *ds)
{
  return ds != NULL ? ll_dataset_slice (ds, 0, ds->n) : NULL;
}

LlToyRun *
ll_toy_run_copy (const LlToyRun *run)
{
  LlToyRun *c = g_new0 (LlToyRun, 1);
  gsize n_params;

  g_return_val_if_fail (run != NULL, NULL);
  *c = *run;
  c->model = ll_model_copy (run->model);
  c->optim_state = g_memdup2 (run->optim_state, MAX (run->n_optim_state, 1) * sizeof (float));
  c->train = dataset_copy (run->train);
  c->test = dataset_copy (run->test);
  c->order = g_memdup2 (run->order, (gsize) run->train->n * sizeof (guint32));
  n_params = ll_model_n_trainable (run->model) + ll_model_n_state (run->model);
  c->snapshot = g_new (float, MAX (n_params, 1));
  c->x = NULL;
  c->labels = NULL;
  if (!plan_batch (c, run->batch_size, NULL))
    g_assert_not_reached ();     /* the original was planned for this batch */
  return c;
}

void
ll_toy_run_free (LlToyRun *run)
{
  if (run == NULL)
    return;
  ll_model_free (run->model);
  ll_dataset_free (run->train);
  ll_dataset_free (run->test);
  g_free (run->optim_state);
  g_free (run->order);
  g_free (run->x);
  g_free (run->labels);
  g_free (run->snapshot);
  g_free (run);
}

LlModel *
ll_toy_run_get_model (LlToyRun *run)
{
  return run->model;
}

const LlDataset *
ll_toy_run_get_train (const LlToyRun *run)
{
  return run->train;
}

const LlDataset *
ll_toy_run_get_test (const LlToyRun *run)
{
  return run->test;
}

gboolean
ll_toy_run_set_data (LlToyRun *run, LlDataset *train, LlDataset *test, GError **error)
{
  g_return_val_if_fail (run != NULL && train != NULL, FALSE);
  if (train->n < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("There are no training points; add points or raise the training ratio"));
      goto fail;
    }
  if (!ll_model_check_dataset (run->model, train, error)
      || (test != NULL && !ll_model_check_dataset (run->model, test, error)))
    goto fail;
  ll_dataset_free (run->train);
  ll_dataset_free (run->test);
  run->train = train;
  run->test = test;
  g_free (run->order);
  run->order = g_new (guint32, train->n);
  for (int i = 0; i < train->n; i++)
    run->order[i] = (guint32) i;
  run->position = train->n;
  return plan_batch (run, run->batch_size, error);

fail:
  ll_dataset_free (train);
  ll_dataset_free (test);
  return FALSE;
}

gboolean
ll_toy_run_set_batch_size (LlToyRun *run, int batch_size, GError **error)
{
  g_return_val_if_fail (run != NULL, FALSE);
  if (batch_size < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("A batch holds at least 1 point, not %d"), batch_size);
      return FALSE;
    }
  return plan_batch (run, batch_size, error);
}

void
ll_toy_run_set_learning_rate (LlToyRun *run, double lr)
{
  g_return_if_fail (run != NULL && lr > 0);
  run->optim.learning_rate = lr;
}

double
ll_toy_run_get_learning_rate (const LlToyRun *run)
{
  return run->optim.learning_rate;
}

void
ll_toy_run_set_schedule (LlToyRun *run, const LlSchedule *schedule, int epochs)
{
  g_return_if_fail (run != NULL);
  if (schedule != NULL)
    run->schedule = *schedule;
  else
    memset (&run->schedule, 0, sizeof run->schedule);
  run->schedule_epochs = MAX (epochs, 1);
}

/* The epoch (0-based) the next batch belongs to. */
static int
next_epoch (const LlToyRun *run)
{
  return run->epochs_done + (run->position >= run->train->n && run->step > 0 ? 1 : 0);
}

double
ll_toy_run_get_current_learning_rate (const LlToyRun *run)
{
  g_return_val_if_fail (run != NULL, NAN);
  return ll_schedule_lr (&run->schedule, run->optim.learning_rate, next_epoch (run),
                         MAX (run->schedule_epochs, 1));
}

void
ll_toy_run_set_optimizer (LlToyRun *run, const LlOptimConfig *optim)
{
  gsize n = ll_model_n_trainable (run->model);

  run->optim = *optim;
  g_free (run->optim_state);
  run->n_optim_state = ll_optim_state_size (optim, n);
  run->optim_state = g_new0 (float, MAX (run->n_optim_state, 1));
  ll_optim_state_init (optim, n, run->optim_state);
}

gint64
ll_toy_run_get_step (const LlToyRun *run)
{
  return run->step;
}

double
ll_toy_run_get_epoch (const LlToyRun *run)
{
  int n = run->train->n;
  return run->epochs_done + (run->position >= n ? 0.0 : (double) run->position / n);
}

static gboolean
all_finite (const float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

double
ll_toy_run_step (LlToyRun *run)
{
  LlModel *model = run->model;
  gsize n_params = ll_model_n_trainable (model), n_state = ll_model_n_state (model);
  int n_train = run->train->n, n;
  double loss;

  g_return_val_if_fail (run != NULL, NAN);
  if (run->position >= n_train)
    {
      if (run->step > 0)
        run->epochs_done++;
      ll_rng_shuffle (&run->rng, run->order, n_train);
      run->position = 0;
    }
  /* The last batch of an epoch may be smaller, as in fit(). */
  n = MIN (run->batch_size, n_train - run->position);
  ll_dataset_fill_batch (run->train, run->order + run->position, n, run->x, run->labels);
  run->position += n;

  memcpy (run->snapshot, ll_model_params (model), n_params * sizeof (float));
  memcpy (run->snapshot + n_params, ll_model_state (model), n_state * sizeof (float));
  loss = ll_model_train_step (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, n, run->x,
                              run->labels, &run->rng, NULL);
  run->step++;
  if (isfinite (loss))
    ll_optim_step (&run->optim,
                   ll_schedule_lr (&run->schedule, run->optim.learning_rate, run->epochs_done,
                                   MAX (run->schedule_epochs, 1)),
                   run->step, n_params,
                   ll_model_params (model), ll_model_grads (model), run->optim_state);
  if (!isfinite (loss) || !all_finite (ll_model_params (model), n_params))
    {
      memcpy (ll_model_params (model), run->snapshot, n_params * sizeof (float));
      memcpy (ll_model_state (model), run->snapshot + n_params, n_state * sizeof (float));
      ll_optim_state_init (&run->optim, n_params, run->optim_state);
      return NAN;
    }
  return loss;
}

static void
evaluate_one (LlToyRun *run, const LlDataset *ds, double *loss, double *acc)
{
  double l = NAN, a = NAN;

  if (ds != NULL && ds->n > 0
      && !ll_model_evaluate (run->model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, ds,
                             MIN (ds->n, 1024), &l, &a, NULL, NULL))
    l = a = NAN;
  if (loss != NULL)
    *loss = l;
  if (acc != NULL)
    *acc = a;
}

void
ll_toy_run_evaluate (LlToyRun *run, double *train_loss, double *train_acc,
                     double *test_loss, double *test_acc)
{
  g_return_if_fail (run != NULL);
  evaluate_one (run, run->train, train_loss, train_acc);
  evaluate_one (run, run->test, test_loss, test_acc);
}
