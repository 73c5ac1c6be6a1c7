/* test-playground-view.c: the Playground view under a display (xvfb-run):
 * one step trains one batch on the worker, play trains on and records the
 * curve, pause stops it, a weight edit made while a chunk is in flight is
 * kept (the chunk's result is dropped), a click's point joins the
 * training points and a right-click's removal takes it out again,
 * win.playground-demo::ID opens the view on that demonstration, the
 * drawings render in normal and presentation mode, and the window
 * finalizes. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "ll-confusion-matrix.h"
#include "ll-playground-view.h"
#include "ll-presentation.h"
#include "ll-toy-data.h"
#include "ll-view.h"
#include "ll-window.h"

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until done (data) says so or 10 s pass. */
static gboolean
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (10000, timed_out, &expired);

  while (!done (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return !expired;
}

static void
iterate_for (int ms)
{
  gboolean expired = FALSE;
  g_timeout_add (ms, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_mapped (gpointer w)
{
  return gtk_widget_get_mapped (w) && gtk_widget_get_width (w) > 100;
}

static gint64 want_step;

static gboolean
reached_step (gpointer view)
{
  return ll_playground_view_get_step (view) >= want_step;
}

static GtkWidget *
find_named (GtkWidget *root, GType type, int nth, int *seen)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (*seen)++ == nth)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, type, nth, seen);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkSpinButton *
spin_named (GtkWidget *view, const char *name)
{
  GtkWidget *w;
  int seen = 0;

  for (int i = 0; (w = find_named (view, GTK_TYPE_SPIN_BUTTON, i, &seen)) != NULL; i++, seen = 0)
    if (g_strcmp0 (gtk_widget_get_name (w), name) == 0)
      return GTK_SPIN_BUTTON (w);
  g_assert_not_reached ();
}

static void
render (GtkWidget *widget)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GdkTexture *texture;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  g_assert_cmpint (w, >, 50);
  g_assert_cmpint (h, >, 50);
  {
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);

  /* The paintable is empty until the widget has been drawn once. */
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  for (int i = 0; i < 100 && node == NULL; i++)
    {
      iterate_for (50);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_nonnull (texture);
  g_object_unref (texture);
  gsk_render_node_unref (node);
  }
}

static void
destroy (LlWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
  g_assert_finalize_object (window);
}

static LlWindow *
open_window (GtkWidget **view)
{
  LlWindow *window = g_object_ref (ll_window_new (NULL, NULL));

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  ll_window_set_view (window, "playground");
  gtk_window_present (GTK_WINDOW (window));
  *view = ll_window_get_view_widget (window, "playground");
  g_assert_true (LL_IS_PLAYGROUND_VIEW (*view));
  g_assert_true (iterate_until (is_mapped, *view));
  return window;
}

static void
test_play_pause_step (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg;
  gint64 paused_at;
  guint n_history;

  pg = LL_PLAYGROUND_VIEW (view);
  g_assert_cmpint (ll_playground_view_get_step (pg), ==, 0);
  g_assert_cmpuint (ll_playground_view_get_n_history (pg), ==, 1);

  /* One step: one batch. */
  g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
  want_step = 1;
  g_assert_true (iterate_until (reached_step, pg));
  iterate_for (100);
  g_assert_cmpint (ll_playground_view_get_step (pg), ==, 1);
  g_assert_cmpuint (ll_playground_view_get_n_history (pg), ==, 2);

  /* Play trains on, frame after frame (100 steps a frame: a loaded
   * machine may draw few frames). */
  gtk_spin_button_set_value (spin_named (view, "playground-speed"), 100);
  g_assert_true (gtk_widget_activate_action (view, "playground.play", NULL));
  want_step = 300;
  g_assert_true (iterate_until (reached_step, pg));
  n_history = ll_playground_view_get_n_history (pg);
  g_assert_cmpuint (n_history, >=, 4);   /* the start, the step, two chunks or more */

  /* Changes while playing take effect on the next chunk and are marked. */
  g_assert_cmpuint (ll_playground_view_get_n_marks (pg), ==, 0);
  gtk_spin_button_set_value (spin_named (view, "playground-lr"), 0.25);
  gtk_spin_button_set_value (spin_named (view, "playground-batch"), 32);
  g_assert_cmpuint (ll_playground_view_get_n_marks (pg), ==, 2);
  want_step = ll_playground_view_get_step (pg) + 100;
  g_assert_true (iterate_until (reached_step, pg));
  g_assert_cmpfloat (ll_playground_view_get_learning_rate (pg), ==, 0.25);

  /* Pause: the chunk in flight lands, then nothing moves. */
  g_assert_true (gtk_widget_activate_action (view, "playground.play", NULL));
  iterate_for (200);
  paused_at = ll_playground_view_get_step (pg);
  iterate_for (300);
  g_assert_cmpint (ll_playground_view_get_step (pg), ==, paused_at);

  /* Reset: new weights, step 0, a fresh curve. */
  g_assert_true (gtk_widget_activate_action (view, "playground.reset", NULL));
  g_assert_cmpint (ll_playground_view_get_step (pg), ==, 0);
  g_assert_cmpuint (ll_playground_view_get_n_marks (pg), ==, 0);
  g_assert_cmpuint (ll_playground_view_get_n_history (pg), ==, 1);
  destroy (window);
}

/* A weight edited while a step is on the worker: the edit stays, the
 * step's result (computed from the old weights) is dropped. */
static void
test_edit_weight (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg = LL_PLAYGROUND_VIEW (view);
  LlModel *model = ll_playground_view_get_model (pg);
  g_autoptr(LlModel) before = ll_model_copy (model);
  float x[2] = { 0.3f, -0.4f }, p_before[2], p_after[2];

  g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
  ll_playground_view_set_param (pg, 0, 4.25);
  iterate_for (300);
  model = ll_playground_view_get_model (pg);
  g_assert_cmpfloat (ll_model_params (model)[0], ==, 4.25f);
  g_assert_cmpint (ll_playground_view_get_step (pg), ==, 0);
  for (gsize i = 1; i < ll_model_n_trainable (model); i++)
    g_assert_cmpfloat (ll_model_params (model)[i], ==, ll_model_params (before)[i]);
  /* The output moved with it. */
  g_assert_true (ll_model_predict (before, 1, x, p_before, NULL));
  g_assert_true (ll_model_predict (model, 1, x, p_after, NULL));
  g_assert_cmpfloat (p_before[0], !=, p_after[0]);
  destroy (window);
}

static void
test_points (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg = LL_PLAYGROUND_VIEW (view);
  guint n, n_train, n2, n_train2;

  n = ll_playground_view_get_n_points (pg, &n_train);
  g_assert_cmpuint (n, ==, 500);
  g_assert_cmpuint (n_train, ==, 250);
  ll_playground_view_add_point (pg, 5.9, -5.9, 1);
  n2 = ll_playground_view_get_n_points (pg, &n_train2);
  g_assert_cmpuint (n2, ==, n + 1);
  g_assert_cmpuint (n_train2, ==, n_train + 1);
  /* It trains on: steps go on over the new point. */
  g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
  want_step = 1;
  g_assert_true (iterate_until (reached_step, pg));
  g_assert_true (ll_playground_view_remove_point (pg, 5.85, -5.85));
  g_assert_cmpuint (ll_playground_view_get_n_points (pg, &n_train2), ==, n);
  g_assert_cmpuint (n_train2, ==, n_train);
  g_assert_false (ll_playground_view_remove_point (pg, 5.9, -5.9));

  /* Your own points: empty, then trainable from two points on. */
  g_assert_true (gtk_widget_activate_action (view, "playground.clear-points", NULL));
  g_assert_cmpuint (ll_playground_view_get_n_points (pg, NULL), ==, 0);
  g_assert_null (ll_playground_view_get_model (pg));
  ll_playground_view_add_point (pg, -3, -3, 0);
  ll_playground_view_add_point (pg, 3, 3, 1);
  g_assert_nonnull (ll_playground_view_get_model (pg));
  g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
  want_step = 1;
  g_assert_true (iterate_until (reached_step, pg));
  destroy (window);
}

/* The lessons' entry point: win.playground-demo::ID. */
static void
test_demo_action (void)
{
  LlWindow *window = g_object_ref (ll_window_new (NULL, NULL));
  int n_demos;
  const LlToyDemo *demos = ll_toy_demos (&n_demos);
  GtkWidget *view = ll_window_get_view_widget (window, "playground");

  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  ll_window_set_view (window, "model");
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_demos; i++)
    {
      g_action_group_activate_action (G_ACTION_GROUP (window), "playground-demo",
                                      g_variant_new_string (demos[i].id));
      g_assert_cmpstr (ll_window_get_view (window), ==, "playground");
      g_assert_cmpuint (ll_playground_view_get_n_points (LL_PLAYGROUND_VIEW (view), NULL), ==,
                        (guint) demos[i].n_points);
      g_assert_nonnull (ll_playground_view_get_model (LL_PLAYGROUND_VIEW (view)));
    }
  /* The network, weights and all, into the Model view's document. */
  ll_playground_view_set_param (LL_PLAYGROUND_VIEW (view), 0, 1.5);
  g_assert_true (gtk_widget_activate_action (view, "playground.to-model", NULL));
  g_assert_cmpstr (ll_window_get_view (window), ==, "model");
  g_assert_true (ll_arch_equal (ll_document_get_arch (ll_window_get_document (window)),
                                ll_model_get_arch (ll_playground_view_get_model (LL_PLAYGROUND_VIEW (view)))));
  g_assert_true (ll_document_get_trained (ll_window_get_document (window)));
  g_assert_true (ll_document_undo (ll_window_get_document (window)));
  destroy (window);
}

/* The field is the model's prediction at each cell's centre, and each
 * thumbnail the output of its unit there (after the activation, also with
 * batch normalization between Dense and activation). */
static void
check_grids (LlPlaygroundView *pg)
{
  LlModel *model = ll_playground_view_get_model (pg);
  g_autoptr(LlModel) copy = ll_model_copy (model);
  const LlArch *arch = ll_model_get_arch (copy);
  int res, n_classes, n_thumbs, nf = ll_model_input_shape (copy).d[1];
  const float *field = ll_playground_view_get_field (pg, &res, &n_classes);
  const float *thumbs = ll_playground_view_get_thumbs (pg, &n_thumbs);
  int n = res * res;

  g_assert_nonnull (field);
  g_assert_true (ll_model_plan (copy, 1, NULL));
  for (int cell = 0; cell < n; cell += 97)
    {
      int r = cell / res, c = cell % res, k = nf;
      float x[LL_N_FEATURES];
      const float *probs;

      ll_toy_features (LL_FEATURES_DEFAULT, (float) (-6 + (c + 0.5) * 12.0 / res),
                       (float) (6 - (r + 0.5) * 12.0 / res), x);
      probs = ll_model_forward (copy, 1, x, FALSE, NULL);
      for (int j = 0; j < n_classes; j++)
        g_assert_cmpfloat_with_epsilon (field[cell * n_classes + j], probs[j], 1e-5);
      for (int f = 0; f < nf; f++)
        g_assert_cmpfloat (thumbs[(gsize) f * n + cell], ==, x[f]);
      for (int l = 0; l < ll_arch_n_layers (arch) - 1; l++)
        {
          int o = l, units;
          if (ll_arch_layer (arch, l)->type != &ll_layer_dense)
            continue;
          while (ll_arch_layer (arch, o + 1)->type == &ll_layer_batch_normalization
                 || ll_arch_layer (arch, o + 1)->type == &ll_layer_activation)
            o++;
          units = ll_model_layer_shape (copy, l).d[0];
          for (int u = 0; u < units; u++, k++)
            g_assert_cmpfloat_with_epsilon (thumbs[(gsize) k * n + cell],
                                            ll_model_layer_output (copy, o)[u], 1e-5);
        }
      g_assert_cmpint (k, ==, n_thumbs);
    }
}

static void
test_grids (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg = LL_PLAYGROUND_VIEW (view);
  int seen = 0;
  GtkCheckButton *bn = NULL;

  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  check_grids (pg);
  /* Batch normalization on: the check button labelled so. */
  for (int i = 0; ; i++, seen = 0)
    {
      GtkWidget *w = find_named (view, GTK_TYPE_CHECK_BUTTON, i, &seen);
      GtkWidget *label;
      g_assert_nonnull (w);
      label = gtk_check_button_get_child (GTK_CHECK_BUTTON (w));
      if (GTK_IS_LABEL (label) && g_str_equal (gtk_label_get_text (GTK_LABEL (label)), "Batch normalization"))
        {
          bn = GTK_CHECK_BUTTON (w);
          break;
        }
    }
  gtk_check_button_set_active (bn, TRUE);
  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  g_assert_true (ll_arch_layer (ll_model_get_arch (ll_playground_view_get_model (pg)), 3)->type
                 == &ll_layer_batch_normalization);
  check_grids (pg);
  destroy (window);
}

/* The confusion matrix counts the test points by true class and the
 * class the model predicts for each, one point at a time on a copy of
 * the model. */
static void
check_confusion (LlPlaygroundView *pg)
{
  int nc = 0, seen = 0;
  const guint32 *counts = ll_playground_view_get_confusion (pg, &nc);
  const LlDataset *test = ll_playground_view_get_test_set (pg);
  g_autoptr(LlModel) model = ll_model_copy (ll_playground_view_get_model (pg));
  g_autofree guint32 *expect = NULL;
  GtkWidget *matrix = find_named (GTK_WIDGET (pg), LL_TYPE_CONFUSION_MATRIX, 0, &seen);
  g_autofree char *description = NULL, *prefix = NULL;
  guint32 total = 0, correct = 0;

  g_assert_nonnull (counts);
  g_assert_nonnull (test);
  g_assert_cmpint (test->n, >, 0);
  g_assert_cmpint (nc, ==, test->n_classes);
  expect = g_new0 (guint32, (gsize) nc * nc);
  g_assert_true (ll_model_plan (model, 1, NULL));
  for (int i = 0; i < test->n; i++)
    {
      const float *p = ll_model_forward (model, 1, test->values + (gsize) i * test->width, FALSE, NULL);
      int arg = 0;
      g_assert_nonnull (p);
      for (int k = 1; k < nc; k++)
        if (p[k] > p[arg])
          arg = k;
      expect[test->labels[i] * nc + arg]++;
    }
  for (int i = 0; i < nc * nc; i++)
    {
      g_assert_cmpuint (counts[i], ==, expect[i]);
      total += counts[i];
    }
  for (int k = 0; k < nc; k++)
    correct += counts[k * nc + k];
  g_assert_cmpuint (total, ==, (guint32) test->n);
  /* Not all in one cell: the model learned something and the counts differ. */
  g_assert_cmpuint (correct, >, 0);

  g_assert_nonnull (matrix);
  g_assert_cmpint (ll_confusion_matrix_get_n (LL_CONFUSION_MATRIX (matrix)), ==, nc);
  /* What ll_a11y_describe set (the tests run with GTK_A11Y=none, which
   * keeps no accessible properties to read back). */
  description = g_strdup (g_object_get_data (G_OBJECT (matrix), "ll-a11y-description"));
  prefix = g_strdup_printf ("%u of %d test points classified correctly.", correct, test->n);
  g_assert_nonnull (description);
  g_assert_true (g_str_has_prefix (description, prefix));
}

static void
test_confusion (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg = LL_PLAYGROUND_VIEW (view);

  /* After some training (the screenshot's), then after one more batch:
   * refreshed with the boundary. */
  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  check_confusion (pg);
  want_step = ll_playground_view_get_step (pg) + 1;
  g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
  g_assert_true (iterate_until (reached_step, view));
  iterate_for (50);
  check_confusion (pg);
  /* Three classes: a 3 × 3 matrix. */
  {
    int seen = 0;
    GtkWidget *data = find_named (view, GTK_TYPE_DROP_DOWN, 1, &seen);   /* after the demonstrations */
    g_assert_true (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (data))) == LL_N_TOY);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (data), LL_TOY_SPIRAL3);
  }
  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  check_confusion (pg);
  destroy (window);
}

/* The schedule chosen in the settings applies per epoch: step, halving
 * every epoch, on the 200 training points in batches of 10. */
static void
test_schedule (void)
{
  GtkWidget *view;
  LlWindow *window = open_window (&view);
  LlPlaygroundView *pg = LL_PLAYGROUND_VIEW (view);
  int seen = 0;
  GtkDropDown *schedule = NULL;
  guint n_train = 0;
  double lr;

  for (int i = 0; schedule == NULL; i++, seen = 0)
    {
      GtkWidget *w = find_named (view, GTK_TYPE_DROP_DOWN, i, &seen);
      g_assert_nonnull (w);
      if (g_strcmp0 (gtk_widget_get_name (w), "playground-schedule") == 0)
        schedule = GTK_DROP_DOWN (w);
    }
  g_assert_true (gtk_widget_activate_action (view, "playground.reset", NULL));
  lr = ll_playground_view_get_learning_rate (pg);
  gtk_spin_button_set_value (spin_named (view, "playground-batch"), 10);
  gtk_spin_button_set_value (spin_named (view, "playground-schedule-factor"), 0.5);
  gtk_spin_button_set_value (spin_named (view, "playground-schedule-step_epochs"), 1);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (spin_named (view, "playground-schedule-factor")))));
  gtk_drop_down_set_selected (schedule, LL_SCHEDULE_STEP);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (spin_named (view, "playground-schedule-factor")))));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (spin_named (view, "playground-schedule-alpha")))));
  ll_playground_view_get_n_points (pg, &n_train);
  g_assert_cmpuint (n_train % 10, ==, 0);
  g_assert_cmpfloat_with_epsilon (ll_playground_view_get_current_learning_rate (pg), lr, 1e-12);
  /* Two epochs of single steps, as a user presses N. */
  for (guint e = 0; e < 2; e++)
    for (guint k = 0; k < n_train / 10; k++)
      {
        want_step = ll_playground_view_get_step (pg) + 1;
        g_assert_true (gtk_widget_activate_action (view, "playground.step", NULL));
        g_assert_true (iterate_until (reached_step, view));
      }
  /* The next batch is epoch 2's: lr · 0.5². */
  g_assert_cmpfloat_with_epsilon (ll_playground_view_get_current_learning_rate (pg), lr * 0.25, 1e-12);
  g_assert_cmpfloat (ll_playground_view_get_learning_rate (pg), ==, lr);
  destroy (window);
}

static void
test_render (void)
{
  GtkWidget *view, *area;
  LlWindow *window = open_window (&view);
  int seen;

  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  for (int mode = 0; mode < 2; mode++)
    {
      ll_window_set_presentation (window, mode == 1);
      iterate_for (200);
      for (int i = 0; i < 2; i++)
        {
          seen = 0;
          area = find_named (view, GTK_TYPE_DRAWING_AREA, i, &seen);
          g_assert_nonnull (area);
          g_assert_cmpint (gtk_widget_get_width (area), >, 100);
        }
      render (view);
    }
  /* 32 units a layer (the overfitting demonstration) draw too. */
  g_assert_true (gtk_widget_activate_action (view, "playground.demo", "s", "overfitting"));
  g_assert_true (gtk_widget_activate_action (view, "view.prepare-screenshot", NULL));
  iterate_for (100);
  render (view);
  g_test_message ("grid refresh: %.2f ms", ll_playground_view_get_grid_ms (LL_PLAYGROUND_VIEW (view)));
  destroy (window);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("test-playground-view needs a display: run it under xvfb-run, as ./test.sh does\n");
      return 1;
    }
  adw_init ();
  ll_ui_ensure_resources ();

  g_test_add_func ("/ui/playground-view/play-pause-step", test_play_pause_step);
  g_test_add_func ("/ui/playground-view/edit-weight", test_edit_weight);
  g_test_add_func ("/ui/playground-view/points", test_points);
  g_test_add_func ("/ui/playground-view/demo-action", test_demo_action);
  g_test_add_func ("/ui/playground-view/grids", test_grids);
  g_test_add_func ("/ui/playground-view/render", test_render);
  g_test_add_func ("/ui/playground-view/confusion", test_confusion);
  g_test_add_func ("/ui/playground-view/schedule", test_schedule);
  return g_test_run ();
}
