/* test-explain-view.c: the Inspect view's Arithmetic page and its widgets
 * under Xvfb, on the MNIST CNN preset: clicking a unit shows its
 * arithmetic with the engine's value, the sliding-window animation played
 * to the end fills in the layer's output, clicks on the Layer Outputs page
 * and on a probability lead there, a training step shows the same dropout
 * mask as the Layer Outputs page, and the sandbox's output is a
 * convolution. */
#include <adwaita.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ll-dataset-import.h"
#include "ll-inspect-view.h"
#include "ll-test-util.h"
#include "ll-view.h"

#define TOL 1e-5

static LlDocument *document;

static void
pump (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
wait_until (gboolean (*done) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  pump (0.1);
  g_assert_true (done (data));
}

static gboolean
page_ready (gpointer view)
{
  return !ll_inspect_view_is_busy (view) && ll_inspect_view_get_test_set (view) != NULL
         && ll_inspect_view_get_explain_model (view) != NULL;
}

static gboolean
animation_done (gpointer animation)
{
  return !ll_slide_animation_is_playing (animation);
}

typedef struct {
  GtkWidget *window;
  LlInspectView *view;
  LlModel *reference;             /* the document's model run on the view's image */
} Fixture;

static void
fixture_setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->view = LL_INSPECT_VIEW (ll_inspect_view_new ());
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 950);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  gtk_window_present (GTK_WINDOW (f->window));
  g_object_set (f->view, "document", document, NULL);
  ll_inspect_view_set_page (f->view, "arithmetic");
  wait_until (page_ready, f->view, 60);
  ll_inspect_view_show_image (f->view, 7);
  wait_until (page_ready, f->view, 60);

  f->reference = ll_model_copy (ll_document_get_model (document));
  g_assert_true (ll_model_plan (f->reference, 1, &error));
  ll_model_forward (f->reference, 1, ll_inspect_view_get_input (f->view), FALSE, NULL);
}

static void
fixture_teardown (Fixture *f)
{
  ll_model_free (f->reference);
  gtk_window_destroy (GTK_WINDOW (f->window));
  pump (0.05);
}

/* The reference's output of layer at (y, x, c) or (i). */
static float
reference_value (Fixture *f, int layer, const int *unit, int rank)
{
  LlShape s = ll_model_layer_shape (f->reference, layer);
  const float *out = ll_model_layer_output (f->reference, layer);

  if (rank == 3)
    return out[((gsize) unit[0] * s.d[1] + unit[1]) * s.d[2] + unit[2]];
  return out[unit[0]];
}

static void
assert_explained (Fixture *f, int layer, const int *unit, int rank)
{
  const LlExplanation *e = ll_explain_panel_get_explanation (ll_inspect_view_get_explain_panel (f->view));
  float want = reference_value (f, layer, unit, rank);

  g_assert_nonnull (e);
  g_assert_cmpint (e->layer, ==, layer);
  g_assert_cmpint (e->unit_rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (e->unit[i], ==, unit[i]);
  g_assert_false (e->training);
  g_assert_cmpfloat_with_epsilon (e->engine_value, want, TOL);
  g_assert_cmpfloat_with_epsilon (e->value, want, TOL);
  g_assert_nonnull (ll_explain_panel_get_result_text (ll_inspect_view_get_explain_panel (f->view)));
}

static void
click_cell (LlNumberGrid *grid, int row, int col)
{
  double x, y;

  ll_number_grid_cell_center (grid, row, col, &x, &y);
  ll_number_grid_click (grid, x, y);
  pump (0.05);
}

/* Clicking a unit of the map shows its arithmetic; playing the animation
 * to the end fills in the map with the layer's output. */
static void
test_click_and_animate (void)
{
  Fixture f;
  LlNumberGrid *map;
  LlSlideAnimation *animation;
  const float *shown;
  g_autofree float *filled = NULL;
  int rows, cols, channel = 5;
  LlShape s;

  fixture_setup (&f);
  map = ll_inspect_view_get_explain_map (f.view);

  /* The first convolution is shown first; its map is the engine's output. */
  shown = ll_number_grid_get_values (map, &rows, &cols);
  s = ll_model_layer_shape (f.reference, 1);
  g_assert_cmpint (rows, ==, s.d[0]);
  g_assert_cmpint (cols, ==, s.d[1]);
  for (int i = 0; i < rows * cols; i++)
    g_assert_cmpfloat (shown[i], ==, ll_model_layer_output (f.reference, 1)[(gsize) i * s.d[2]]);
  click_cell (map, 5, 7);
  assert_explained (&f, 1, (int[]) { 5, 7, 0 }, 3);
  click_cell (map, 0, 25);
  assert_explained (&f, 1, (int[]) { 0, 25, 0 }, 3);

  /* conv2d_1 (64 filters over 32 channels), channel 5: play to the end at
   * the fastest speed, by its button. */
  ll_inspect_view_explain_unit (f.view, 3, (int[]) { 0, 0, channel }, 3);
  assert_explained (&f, 3, (int[]) { 0, 0, channel }, 3);
  animation = ll_inspect_view_get_slide_animation (f.view);
  g_assert_cmpint (ll_slide_animation_get_position (animation), ==, 0);
  ll_slide_animation_set_speed (animation, 60);
  g_signal_emit_by_name (ll_slide_animation_get_play_button (animation), "clicked");
  g_assert_true (ll_slide_animation_is_playing (animation));
  pump (0.3);
  /* Part of the map is filled in, the rest still empty. */
  filled = ll_slide_animation_dup_filled (animation, &rows, &cols);
  g_assert_true (isnan (filled[rows * cols - 1]));
  g_clear_pointer (&filled, g_free);
  wait_until (animation_done, animation, 30);

  s = ll_model_layer_shape (f.reference, 3);
  g_assert_cmpint (ll_slide_animation_get_position (animation), ==, s.d[0] * s.d[1]);
  filled = ll_slide_animation_dup_filled (animation, &rows, &cols);
  g_assert_cmpint (rows, ==, s.d[0]);
  g_assert_cmpint (cols, ==, s.d[1]);
  for (int y = 0; y < rows; y++)
    for (int x = 0; x < cols; x++)
      g_assert_cmpfloat_with_epsilon (filled[y * cols + x],
                                      reference_value (&f, 3, (int[]) { y, x, channel }, 3), TOL);
  /* The arithmetic followed the window to its last position. */
  assert_explained (&f, 3, (int[]) { rows - 1, cols - 1, channel }, 3);
  fixture_teardown (&f);
}

/* Max pooling: played to the end too; the explanation names the winner. */
static void
test_pooling (void)
{
  Fixture f;
  LlSlideAnimation *animation;
  g_autofree float *filled = NULL;
  const LlExplanation *e;
  int rows, cols;

  fixture_setup (&f);
  ll_inspect_view_explain_unit (f.view, 2, (int[]) { 6, 6, 3 }, 3);
  assert_explained (&f, 2, (int[]) { 6, 6, 3 }, 3);
  e = ll_explain_panel_get_explanation (ll_inspect_view_get_explain_panel (f.view));
  g_assert_cmpint (e->winner, >=, 0);
  g_assert_cmpfloat (e->inputs[e->winner], ==, e->engine_value);

  animation = ll_inspect_view_get_slide_animation (f.view);
  ll_slide_animation_finish (animation);
  filled = ll_slide_animation_dup_filled (animation, &rows, &cols);
  for (int y = 0; y < rows; y++)
    for (int x = 0; x < cols; x++)
      g_assert_cmpfloat (filled[y * cols + x], ==, reference_value (&f, 2, (int[]) { y, x, 3 }, 3));
  fixture_teardown (&f);
}

/* A click on a feature map of the Layer Outputs page, and on a
 * probability, opens the Arithmetic page at that unit. */
static void
test_clicks_from_outputs (void)
{
  Fixture f;
  LlFeatureGrid *grid;

  fixture_setup (&f);
  ll_inspect_view_set_page (f.view, "outputs");
  pump (0.2);
  grid = ll_inspect_view_get_layer_grid (f.view, 3);
  g_assert_nonnull (grid);
  g_signal_emit_by_name (grid, "unit-activated", 9, 2, 4);
  pump (0.1);
  assert_explained (&f, 3, (int[]) { 2, 4, 9 }, 3);

  /* The Dense strip: tile 0, row 0, column = unit. */
  ll_inspect_view_set_page (f.view, "outputs");
  pump (0.1);
  g_signal_emit_by_name (ll_inspect_view_get_layer_grid (f.view, 6), "unit-activated", 0, 0, 17);
  pump (0.1);
  assert_explained (&f, 6, (int[]) { 17 }, 1);

  /* A probability: the softmax over all ten logits. */
  ll_inspect_view_explain_unit (f.view, 8, (int[]) { 3 }, 1);
  assert_explained (&f, 8, (int[]) { 3 }, 1);
  {
    const LlExplanation *e = ll_explain_panel_get_explanation (ll_inspect_view_get_explain_panel (f.view));
    double total = 0;
    g_assert_nonnull (e->softmax);
    g_assert_cmpint (e->softmax->n, ==, 10);
    for (int i = 0; i < 10; i++)
      {
        g_assert_cmpfloat_with_epsilon (e->softmax->shares[i],
                                        reference_value (&f, 8, (int[]) { i }, 1), TOL);
        total += e->softmax->shares[i];
      }
    g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-9);
  }
  fixture_teardown (&f);
}

/* A training step: dropout's mask is the one the Layer Outputs page shows
 * for a training step (the same seed), kept units scaled by 1/(1 − 0.5). */
static void
test_training_step (void)
{
  Fixture f;
  LlFeatureGrid *eval, *train, *mask;
  const float *tv;
  int nt, th, n, tc, kept = 0, dropped = 0;

  fixture_setup (&f);
  ll_inspect_view_set_training_mode (f.view, TRUE);
  pump (0.2);
  g_assert_true (ll_inspect_view_get_dropout_grids (f.view, 7, &eval, &train, &mask));
  tv = ll_feature_grid_get_values (train, &nt, &th, &n, &tc);
  g_assert_cmpint (n, ==, 128);

  ll_inspect_view_set_explain_training (f.view, TRUE);
  for (int i = 0; i < 128; i++)
    {
      const LlExplanation *e;

      ll_inspect_view_explain_unit (f.view, 7, (int[]) { i }, 1);
      e = ll_explain_panel_get_explanation (ll_inspect_view_get_explain_panel (f.view));
      g_assert_true (e->training);
      /* The same mask; the numbers equal up to the GEMM's rounding (a batch
       * of 32 there, of 1 here). */
      g_assert_true ((e->engine_value == 0.0f) == (tv[i] == 0.0f));
      g_assert_cmpfloat_with_epsilon (e->engine_value, tv[i], TOL);
      g_assert_cmpfloat_with_epsilon (e->value, tv[i], TOL);
      if (e->x == 0)
        continue;
      if (e->kept)
        {
          g_assert_cmpfloat_with_epsilon (e->value, e->x * 2.0, TOL);
          kept++;
        }
      else
        {
          g_assert_cmpfloat (e->value, ==, 0.0);
          dropped++;
        }
    }
  g_test_message ("training step: %d kept, %d dropped of the non-zero units", kept, dropped);
  g_assert_cmpint (kept + dropped, >, 0);
  ll_inspect_view_set_explain_training (f.view, FALSE);
  ll_inspect_view_set_training_mode (f.view, FALSE);
  fixture_teardown (&f);
}

/* The sandbox: a vertical-edge kernel over a bright square gives +/− 4 at
 * its left and right edges; same padding and stride 2 halve the size; any
 * unit clicked shows its arithmetic; a model filter is one click away. */
static void
test_sandbox (void)
{
  Fixture f;
  LlConvSandbox *sb;
  float input[64] = { 0 };
  const float *out;
  int rows, cols;

  fixture_setup (&f);
  ll_inspect_view_show_sandbox (f.view);
  sb = ll_inspect_view_get_sandbox (f.view);
  for (int y = 2; y < 6; y++)
    for (int x = 2; x < 6; x++)
      input[y * 8 + x] = 1.0f;
  ll_conv_sandbox_set_geometry (sb, 8, 3, FALSE, 1);
  ll_conv_sandbox_set_input (sb, input, 8);
  g_assert_true (ll_conv_sandbox_set_kernel_preset (sb, "edge-vertical"));
  out = ll_conv_sandbox_get_output (sb, &rows, &cols);
  g_assert_cmpint (rows, ==, 6);
  g_assert_cmpint (cols, ==, 6);
  /* Computed here by hand: Σ kernel · window, for every output cell. */
  {
    static const float k[9] = { -1, 0, 1, -2, 0, 2, -1, 0, 1 };
    for (int y = 0; y < 6; y++)
      for (int x = 0; x < 6; x++)
        {
          float s = 0;
          for (int i = 0; i < 9; i++)
            s += k[i] * input[(y + i / 3) * 8 + x + i % 3];
          g_assert_cmpfloat_with_epsilon (out[y * 6 + x], s, TOL);
        }
    g_assert_cmpfloat (out[2 * 6 + 0], ==, 4.0f);   /* the square's left edge */
    g_assert_cmpfloat (out[2 * 6 + 4], ==, -4.0f);  /* its right edge */
  }

  click_cell (ll_conv_sandbox_get_output_grid (sb), 2, 0);
  {
    const LlExplanation *e = ll_explain_panel_get_explanation (ll_conv_sandbox_get_explain_panel (sb));
    g_assert_nonnull (e);
    g_assert_cmpint (e->unit[0], ==, 2);
    g_assert_cmpint (e->unit[1], ==, 0);
    g_assert_cmpfloat (e->value, ==, 4.0);
    g_assert_cmpint (e->n_terms, ==, 9);
  }

  /* "same" padding, stride 2: ⌈8 / 2⌉ = 4, the corner window half padding. */
  ll_conv_sandbox_set_geometry (sb, 8, 5, TRUE, 2);
  out = ll_conv_sandbox_get_output (sb, &rows, &cols);
  g_assert_cmpint (rows, ==, 4);
  g_assert_cmpint (cols, ==, 4);
  ll_conv_sandbox_explain (sb, 0, 0);
  {
    const LlExplanation *e = ll_explain_panel_get_explanation (ll_conv_sandbox_get_explain_panel (sb));
    g_assert_cmpint (e->start[0], <, 0);
    g_assert_cmpint (e->n_terms, ==, 25);
    g_assert_cmpfloat_with_epsilon (e->value, out[0], TOL);
  }
  /* The animation fills in the same numbers. */
  {
    LlSlideAnimation *a = ll_conv_sandbox_get_animation (sb);
    g_autofree float *filled = NULL;
    ll_slide_animation_finish (a);
    filled = ll_slide_animation_dup_filled (a, &rows, &cols);
    for (int i = 0; i < rows * cols; i++)
      g_assert_cmpfloat_with_epsilon (filled[i], out[i], TOL);
  }

  /* The model's first filter (conv2d, 3×3, channel 0 of filter 0). */
  ll_conv_sandbox_set_geometry (sb, 8, 3, FALSE, 1);
  g_assert_true (ll_conv_sandbox_set_kernel_preset (sb, "model-0"));
  {
    LlWeightView views[LL_MAX_WEIGHTS];
    LlModel *m = ll_conv_sandbox_get_model (sb);
    LlWeightView sv[LL_MAX_WEIGHTS];
    ll_model_layer_weights (f.reference, 1, views);
    ll_model_layer_weights (m, 1, sv);
    for (int i = 0; i < 9; i++)
      g_assert_cmpfloat (sv[0].data[i], ==, views[0].data[(gsize) i * 32]);
  }
  g_assert_false (ll_conv_sandbox_set_kernel_preset (sb, "no-such-kernel"));
  fixture_teardown (&f);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *made = NULL;
  const char *shared = g_getenv ("LL_SHARED_DATA");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* No session bus under xvfb-run: its warning would be fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Data sets only where the tests put them (GLib reads XDG_DATA_HOME once). */
  data_home = g_dir_make_tmp ("ll-explain-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (shared == NULL || !g_file_test (shared, G_FILE_TEST_IS_DIR))
    {
      /* No shared data: small generated digits in the same layout. */
      g_autoptr(LlDataset) train = ll_test_mnist (FALSE, 300);
      g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 100);
      g_autofree char *mnist = NULL;

      made = g_dir_make_tmp ("ll-explain-data-XXXXXX", &error);
      g_assert_no_error (error);
      mnist = g_build_filename (made, "mnist", NULL);
      g_assert_true (ll_dataset_write_dir (train, test, mnist, &error));
      g_assert_no_error (error);
      g_setenv ("LL_SHARED_DATA", made, TRUE);
    }
  ll_test_use_data_dir (NULL);
  if (!gtk_init_check ())
    g_test_skip ("no display: run under xvfb-run");
  else
    {
      adw_init ();
      ll_ui_ensure_resources ();
      document = ll_document_new ();
      g_assert_true (ll_document_load_preset (document, "mnist-cnn", &error));
      g_assert_no_error (error);

      g_test_add_func ("/ui/explain-view/click-and-animate", test_click_and_animate);
      g_test_add_func ("/ui/explain-view/pooling", test_pooling);
      g_test_add_func ("/ui/explain-view/clicks-from-outputs", test_clicks_from_outputs);
      g_test_add_func ("/ui/explain-view/training-step", test_training_step);
      g_test_add_func ("/ui/explain-view/sandbox", test_sandbox);
    }
  status = g_test_run ();
  g_clear_object (&document);
  g_rmdir (data_home);
  if (made != NULL)
    ll_test_remove_tree (made);
  return status;
}
