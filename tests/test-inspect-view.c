/* test-inspect-view.c: the Inspect and Data views on the MNIST CNN preset:
 * feature-map tiles hold the engine's layer outputs, the confusion matrix
 * agrees with ll_model_evaluate, and both views draw something (PNG
 * screenshots written to $LL_SCREENSHOT_DIR or the temporary directory). */
#include <adwaita.h>
#include <string.h>

#include "ll-data-view.h"
#include "ll-inspect-view.h"
#include "layerlab-resources.h"

static LlDocument *document;

static void
wait_until (gboolean (*done) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  /* A few more frames so that everything is laid out and drawn. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  g_assert_true (done (data));
}

static gboolean
inspect_ready (gpointer view)
{
  return !ll_inspect_view_is_busy (view) && ll_inspect_view_get_test_set (view) != NULL;
}

static gboolean
data_ready (gpointer view)
{
  return !ll_data_view_is_busy (view) && ll_data_view_get_dataset (view) != NULL;
}

static GtkWidget *
show_in_window (GtkWidget *view)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 950);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Saves a screenshot and checks that it is not blank: many colours. */
static void
check_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("LL_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  int w, h;

  g_assert_true (ll_widget_save_png (widget, path, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, (gsize) w * 4);
  for (int i = 0; i < w * h; i += 7)
    g_hash_table_add (colours, GUINT_TO_POINTER (((guint32 *) pixels)[i]));
  g_test_message ("%s: %d×%d, %u colours", path, w, h, g_hash_table_size (colours));
  g_assert_cmpuint (g_hash_table_size (colours), >, 50);
}

static void
test_feature_maps (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  int expected_tiles = 0, n;

  g_object_set (view, "document", document, NULL);
  wait_until (inspect_ready, view, 60);
  ll_inspect_view_show_image (iv, 3);
  wait_until (inspect_ready, view, 60);

  model = ll_model_copy (ll_document_get_model (document));
  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, ll_inspect_view_get_input (iv), FALSE, NULL);
  n = ll_model_n_layers (model);
  for (int i = 1; i < n; i++)
    {
      LlFeatureGrid *grid = ll_inspect_view_get_layer_grid (iv, i);
      LlShape s = ll_model_layer_shape (model, i);
      const float *out = ll_model_layer_output (model, i);
      const float *tiles;
      int nt, th, tw, tc;

      if (grid == NULL)
        continue;
      tiles = ll_feature_grid_get_values (grid, &nt, &th, &tw, &tc);
      g_assert_cmpint (tc, ==, 1);
      if (s.rank == 3)
        {
          g_assert_cmpint (nt, ==, s.d[2]);
          g_assert_cmpint (th, ==, s.d[0]);
          g_assert_cmpint (tw, ==, s.d[1]);
          /* Tile c, pixel p is channel c of the (h, w, c) output. */
          for (int c = 0; c < nt; c++)
            for (int p = 0; p < th * tw; p++)
              g_assert_cmpfloat (tiles[(gsize) c * th * tw + p], ==, out[(gsize) p * nt + c]);
          expected_tiles += s.d[2];
        }
      else
        {
          g_assert_cmpint (nt, ==, 1);
          g_assert_cmpint (tw, ==, (int) ll_shape_size (&s));
          g_assert_cmpmem (tiles, tw * sizeof (float), out, tw * sizeof (float));
          expected_tiles += 1;
        }
    }
  /* mnist-cnn: conv 32, pool 32, conv 64, pool 64, Dense 128 as one strip;
   * Flatten and Dropout have no grid, the softmax has labelled bars. */
  g_assert_cmpint (expected_tiles, ==, 32 + 32 + 64 + 64 + 1);
  g_assert_cmpint (ll_inspect_view_count_output_tiles (iv), ==, expected_tiles);
  check_screenshot (view, "inspect-outputs.png");

  ll_inspect_view_set_page (iv, "weights");
  wait_until (inspect_ready, view, 10);
  check_screenshot (view, "inspect-weights.png");
  ll_inspect_view_set_page (iv, "occlusion");
  wait_until (inspect_ready, view, 10);
  check_screenshot (view, "inspect-occlusion.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_confusion (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  const LlConfusion *c;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  double loss, accuracy;

  g_object_set (view, "document", document, NULL);
  wait_until (inspect_ready, view, 60);
  ll_inspect_view_set_page (iv, "confusion");
  ll_inspect_view_compute_confusion (iv);
  g_assert_true (ll_inspect_view_is_busy (iv));
  wait_until (inspect_ready, view, 120);
  c = ll_inspect_view_get_confusion (iv);
  g_assert_nonnull (c);
  g_assert_cmpuint (ll_confusion_total (c), ==, (guint) ll_inspect_view_get_test_set (iv)->n);

  model = ll_model_copy (ll_document_get_model (document));
  g_assert_true (ll_model_evaluate (model, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    ll_inspect_view_get_test_set (iv), 256, &loss, &accuracy, &error));
  g_test_message ("confusion accuracy %.4f, evaluate %.4f", ll_confusion_accuracy (c), accuracy);
  g_assert_cmpfloat_with_epsilon (ll_confusion_accuracy (c), accuracy, 1e-9);
  check_screenshot (view, "inspect-confusion.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_data_view (void)
{
  GtkWidget *view = ll_data_view_new ();
  GtkWidget *window = show_in_window (view);
  LlDataView *dv = LL_DATA_VIEW (view);
  const LlDataset *ds;
  LlImageGrid *grid;

  g_object_set (view, "document", document, NULL);
  wait_until (data_ready, view, 60);
  ds = ll_data_view_get_dataset (dv);
  grid = ll_data_view_get_grid (dv);
  g_assert_cmpstr (ds->name, ==, "mnist");
  g_assert_cmpint (ll_image_grid_get_n_images (grid), ==, MIN (ds->n, 300));
  check_screenshot (view, "data.png");

  /* The class filter shows only that class. */
  ll_data_view_set_class (dv, 7);
  wait_until (data_ready, view, 10);
  g_assert_cmpint (ll_image_grid_get_n_images (grid), >, 0);
  for (int i = 0; i < ll_image_grid_get_n_images (grid); i++)
    g_assert_cmpint (ds->labels[ll_image_grid_get_index (grid, i)], ==, 7);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* No session bus under xvfb-run: its warning would be fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (!gtk_init_check ())
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  adw_init ();
  /* Referencing the resource keeps it linked in from the static library. */
  g_assert_nonnull (layerlab_get_resource ());
  if (g_getenv ("LL_SHARED_DATA") == NULL || !g_file_test (g_getenv ("LL_SHARED_DATA"), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the views need ../shared/data (MNIST)");
      return g_test_run ();
    }
  document = ll_document_new ();
  g_assert_true (ll_document_load_preset (document, "mnist-cnn", &error));
  g_assert_no_error (error);

  g_test_add_func ("/ui/inspect-view/feature-maps", test_feature_maps);
  g_test_add_func ("/ui/inspect-view/confusion", test_confusion);
  g_test_add_func ("/ui/data-view/grid", test_data_view);
  status = g_test_run ();
  g_object_unref (document);
  return status;
}
