/* test-landscape.c: filter-normalised directions, the loss grid around a
 * model's weights, and projecting weights onto the slice. */
#include <math.h>
#include <string.h>

#include "ll-landscape.h"
#include "ll-presets.h"
#include "ll-test-util.h"

/* Each output unit's slice of a direction has the norm of the weights'
 * slice; biases get none. */
static void
test_directions (void)
{
  g_autoptr (LlModel) model = ll_test_preset_model ("mlp-sigmoid-100", 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (LlLandscape) ls = ll_landscape_new (model, 1, &error);
  float *params = ll_model_params (model);
  int kernels = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (ll_landscape_n_params (ls), ==, ll_model_n_trainable (model));
  for (int l = 0; l < ll_model_n_layers (model); l++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int nw = ll_model_layer_weights (model, l, views);

      for (int v = 0; v < nw; v++)
        {
          const LlWeightInfo *info = views[v].info;
          gsize size = ll_weight_info_size (info), off = views[v].data - params;
          int units;

          if (!info->trainable)
            continue;
          for (int which = 0; which < 2; which++)
            {
              const float *d = ll_landscape_direction (ls, which) + off;
              if (info->rank < 2)
                {
                  for (gsize k = 0; k < size; k++)
                    g_assert_cmpfloat (d[k], ==, 0.f);
                  continue;
                }
              units = info->dims[info->rank - 1];
              for (int u = 0; u < units; u += 7)
                {
                  double dn = 0, wn = 0;
                  for (gsize k = u; k < size; k += units)
                    {
                      dn += (double) d[k] * d[k];
                      wn += (double) views[v].data[k] * views[v].data[k];
                    }
                  g_assert_cmpfloat_with_epsilon (sqrt (dn), sqrt (wn), 1e-4 * sqrt (wn) + 1e-7);
                }
              kernels++;
            }
        }
    }
  g_assert_cmpint (kernels, ==, 4);

  /* Same seed, same directions; another seed, others. */
  {
    g_autoptr (LlLandscape) again = ll_landscape_new (model, 1, NULL);
    g_autoptr (LlLandscape) other = ll_landscape_new (model, 2, NULL);
    gsize n = ll_landscape_n_params (ls);
    g_assert_cmpmem (ll_landscape_direction (ls, 0), n * 4, ll_landscape_direction (again, 0), n * 4);
    g_assert_true (memcmp (ll_landscape_direction (ls, 0), ll_landscape_direction (other, 0), n * 4) != 0);
    g_assert_true (memcmp (ll_landscape_direction (ls, 0), ll_landscape_direction (ls, 1), n * 4) != 0);
  }
}

static void
count_rows (int done, int total, gpointer data)
{
  int *calls = data;
  (*calls)++;
  g_assert_cmpint (done, ==, *calls);
}

static void
cancel_at_two (int done, int total, gpointer data)
{
  if (done >= 2)
    ll_control_cancel (data);
}

static void
test_grid (void)
{
  g_autoptr (LlModel) model = ll_test_preset_model ("logistic", 7);
  g_autoptr (LlDataset) all = ll_test_mnist (TRUE, 200);
  g_autoptr (LlDataset) ds = ll_dataset_slice (all, 0, MIN (all->n, 300));
  g_autoptr (GError) error = NULL;
  g_autoptr (LlLandscape) ls = NULL;
  gsize n_params = ll_model_n_trainable (model);
  g_autofree float *before = g_memdup2 (ll_model_params (model), n_params * sizeof (float));
  g_autofree double *grid = NULL;
  const int n = 5;
  double center, at, lo = INFINITY;
  int calls = 0;
  LlControl control = { 0 };

  ls = ll_landscape_new (model, 3, &error);
  g_assert_no_error (error);
  grid = ll_landscape_evaluate (ls, model, ds, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0, n,
                                count_rows, &calls, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (grid);
  g_assert_cmpint (calls, ==, n);
  /* The weights are back where they were. */
  g_assert_cmpmem (ll_model_params (model), n_params * 4, before, n_params * 4);

  for (int k = 0; k < n * n; k++)
    {
      g_assert_true (isfinite (grid[k]) && grid[k] > 0);
      lo = MIN (lo, grid[k]);
    }
  /* The centre is the model's own loss; a corner is (alpha, beta) = (1, -1). */
  center = ll_landscape_loss_at (ls, model, ds, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (grid[(n / 2) * n + n / 2], center, 1e-9);
  at = ll_landscape_loss_at (ls, model, ds, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1, -1, &error);
  g_assert_cmpfloat_with_epsilon (grid[0 * n + (n - 1)], at, 1e-9);
  g_assert_cmpfloat (grid[0], !=, grid[n - 1]);
  g_assert_cmpmem (ll_model_params (model), n_params * 4, before, n_params * 4);

  /* Cancelling stops with an error and restores the weights too. */
  g_clear_pointer (&grid, g_free);
  grid = ll_landscape_evaluate (ls, model, ds, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0, n,
                                cancel_at_two, &control, &control, &error);
  g_assert_null (grid);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpmem (ll_model_params (model), n_params * 4, before, n_params * 4);

  /* Bad arguments say so. */
  g_assert_null (ll_landscape_evaluate (ls, model, ds, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0, 1,
                                        NULL, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
}

static void
test_project (void)
{
  g_autoptr (LlModel) model = ll_test_preset_model ("logistic", 7);
  g_autoptr (LlLandscape) ls = ll_landscape_new (model, 5, NULL);
  gsize n = ll_landscape_n_params (ls);
  g_autofree float *w = g_new (float, n);
  const float *c = ll_landscape_center (ls);
  const float *d0 = ll_landscape_direction (ls, 0), *d1 = ll_landscape_direction (ls, 1);
  double a, b;

  ll_landscape_project (ls, c, &a, &b);
  g_assert_cmpfloat_with_epsilon (a, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (b, 0, 1e-9);
  for (gsize i = 0; i < n; i++)
    w[i] = c[i] + 0.3f * d0[i] - 0.7f * d1[i];
  ll_landscape_project (ls, w, &a, &b);
  g_assert_cmpfloat_with_epsilon (a, 0.3, 1e-4);
  g_assert_cmpfloat_with_epsilon (b, -0.7, 1e-4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/landscape/directions", test_directions);
  g_test_add_func ("/engine/landscape/grid", test_grid);
  g_test_add_func ("/engine/landscape/project", test_project);
  return g_test_run ();
}
