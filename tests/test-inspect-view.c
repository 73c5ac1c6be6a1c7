/* test-inspect-view.c: the Inspect and Data views on the MNIST CNN preset:
 * feature-map tiles hold the engine's layer outputs, the confusion matrix
 * agrees with ll_model_evaluate, and both views draw something (PNG
 * screenshots written to $LL_SCREENSHOT_DIR or the temporary directory).
 * Inspect says when the model is untrained and offers the shipped digit
 * model (through the window's unsaved-changes prompt), and shows an empty
 * state that leads to the Data view when no test images are found. */
#include <adwaita.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ll-data-view.h"
#include "ll-evaluate.h"
#include "ll-dataset-import.h"
#include "ll-inspect-view.h"
#include "ll-test-util.h"
#include "ll-window.h"
#include "ll-view.h"

#define SHIPPED_MODEL_RESOURCE "/io/github/layerlab/Layerlab/models/digits.llmodel"

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
empty_ready (gpointer view)
{
  return !ll_inspect_view_is_busy (view) && ll_inspect_view_get_empty_message (view) != NULL;
}

static gboolean
notice_shown (gpointer view)
{
  return !ll_inspect_view_is_busy (view) && ll_inspect_view_get_untrained_notice_shown (view);
}

static gboolean
notice_hidden (gpointer view)
{
  return !ll_inspect_view_is_busy (view) && !ll_inspect_view_get_untrained_notice_shown (view);
}

static gboolean
data_ready (gpointer view)
{
  return !ll_data_view_is_busy (view) && ll_data_view_get_dataset (view) != NULL;
}

static gboolean
any_positive (const float *v, int n)
{
  for (int i = 0; i < n; i++)
    if (v[i] > 0)
      return TRUE;
  return FALSE;
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

static int
argmax_class (LlModel *model, const float *x)
{
  const float *probs = ll_model_forward (model, 1, x, FALSE, NULL);
  int n = ll_model_output_shape (model).d[0], best = 0;

  for (int k = 1; k < n; k++)
    if (probs[k] > probs[best])
      best = k;
  return best;
}

/* The first Conv2D layer's output as the view holds it equals model's. */
static void
assert_conv_grid_matches (LlInspectView *iv, LlModel *model)
{
  g_autoptr(GError) error = NULL;
  LlFeatureGrid *grid = ll_inspect_view_get_layer_grid (iv, 1);
  LlShape s = ll_model_layer_shape (model, 1);
  const float *tiles, *out;
  int nt, th, tw, tc;

  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, ll_inspect_view_get_input (iv), FALSE, NULL);
  out = ll_model_layer_output (model, 1);
  tiles = ll_feature_grid_get_values (grid, &nt, &th, &tw, &tc);
  g_assert_cmpint (nt, ==, s.d[2]);
  for (int c = 0; c < nt; c++)
    for (int p = 0; p < th * tw; p++)
      g_assert_cmpfloat (tiles[(gsize) c * th * tw + p], ==, out[(gsize) p * nt + c]);
}

static void
test_saliency (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *dx = NULL;
  const float *tiles;
  int nt, th, tw, tc, cls;

  g_object_set (view, "document", document, NULL);
  wait_until (inspect_ready, view, 60);
  ll_inspect_view_show_image (iv, 11);
  ll_inspect_view_set_page (iv, "occlusion");
  wait_until (inspect_ready, view, 60);

  model = ll_model_copy (ll_document_get_model (document));
  g_assert_true (ll_model_plan (model, 1, &error));
  cls = argmax_class (model, ll_inspect_view_get_input (iv));
  dx = g_new (float, 28 * 28);
  g_assert_true (ll_model_input_gradient (model, ll_inspect_view_get_input (iv), cls, dx, &error));
  g_assert_no_error (error);
  tiles = ll_feature_grid_get_values (ll_inspect_view_get_saliency_grid (iv), &nt, &th, &tw, &tc);
  g_assert_nonnull (tiles);
  g_assert_cmpint (nt, ==, 1);
  g_assert_cmpint (th, ==, 28);
  g_assert_cmpint (tw, ==, 28);
  /* One channel: the map is |dx|. */
  for (int p = 0; p < 28 * 28; p++)
    g_assert_cmpfloat (tiles[p], ==, fabsf (dx[p]));
  g_assert_true (any_positive (tiles, 28 * 28));
  check_screenshot (view, "inspect-saliency.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* mnist-cnn: layer 7 is Dropout(0.5) after Dense 128 (layer 6). */
static void
test_dropout (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  LlFeatureGrid *eval, *train, *mask;
  const float *ev, *tv, *mv, *in;
  int n, nt, th, tc, n_active = 0, n_off = 0;

  g_object_set (view, "document", document, NULL);
  ll_inspect_view_set_page (iv, "outputs");
  wait_until (inspect_ready, view, 60);
  ll_inspect_view_set_training_mode (iv, TRUE);
  wait_until (inspect_ready, view, 10);
  g_assert_false (ll_inspect_view_get_dropout_grids (iv, 6, &eval, &train, &mask));
  g_assert_true (ll_inspect_view_get_dropout_grids (iv, 7, &eval, &train, &mask));

  model = ll_model_copy (ll_document_get_model (document));
  g_assert_true (ll_model_plan (model, 1, &error));
  ll_model_forward (model, 1, ll_inspect_view_get_input (iv), FALSE, NULL);
  in = ll_model_layer_output (model, 6);
  ev = ll_feature_grid_get_values (eval, &nt, &th, &n, &tc);
  g_assert_cmpint (n, ==, 128);
  g_assert_cmpmem (ev, n * sizeof (float), in, n * sizeof (float));
  tv = ll_feature_grid_get_values (train, &nt, &th, &n, &tc);
  mv = ll_feature_grid_get_values (mask, &nt, &th, &n, &tc);
  g_assert_cmpint (n, ==, 128);
  for (int j = 0; j < n; j++)
    {
      if (mv[j] != 0)
        {
          g_assert_cmpfloat (tv[j], ==, 0);
          g_assert_cmpfloat (in[j], !=, 0);
          n_off++;
        }
      else
        g_assert_cmpfloat_with_epsilon (tv[j], in[j] / (1 - 0.5), 1e-5);
      n_active += in[j] != 0;
    }
  g_test_message ("dropout switched off %d of %d active units", n_off, n_active);
  if (n_active >= 20)
    {
      g_assert_cmpint (n_off, >, n_active / 5);
      g_assert_cmpint (n_off, <, n_active * 4 / 5);
    }
  check_screenshot (view, "inspect-training-mode.png");
  ll_inspect_view_set_training_mode (iv, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_signal (gpointer instance, int *count)
{
  (*count)++;
}

/* Snapshots published as the training worker would: the view shows the
 * latest; the history keeps epoch ends and early points, capped, and
 * replays them. */
static void
test_snapshots (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  LlModel *base = ll_document_get_model (document);
  g_autoptr(LlModel) check = NULL;
  int n_signals = 0, epoch, batch;
  gulong id;

  g_object_set (view, "document", document, NULL);
  ll_inspect_view_set_page (iv, "outputs");
  wait_until (inspect_ready, view, 60);
  id = g_signal_connect (document, "snapshot", G_CALLBACK (count_signal), &n_signals);
  g_assert_null (ll_document_get_snapshot (document));
  g_assert_cmpint (ll_document_get_snapshot_epoch (document), ==, -1);

  for (int e = 0; e < 40; e++)
    {
      for (int b = 0; b < 100; b += 7)
        {
          LlModel *m = ll_model_copy (base);
          ll_model_init_weights (m, 1000 + e * 100 + b);
          ll_document_publish_snapshot (document, m, e, b);
        }
      {
        LlModel *m = ll_model_copy (base);
        ll_model_init_weights (m, 5000 + e);
        ll_document_publish_snapshot (document, m, e, -1);
      }
    }
  g_assert_cmpint (n_signals, ==, 40 * 16);
  g_assert_cmpint (ll_document_get_snapshot_epoch (document), ==, 39);
  g_assert_cmpint (ll_document_get_snapshot_batch (document), ==, -1);
  g_test_message ("history: %u entries", ll_document_get_n_history (document));
  g_assert_cmpuint (ll_document_get_n_history (document), <=, LL_DOCUMENT_MAX_HISTORY);
  g_assert_cmpuint (ll_document_get_n_history (document), >=, 10);
  ll_document_get_history (document, 0, &epoch, &batch);
  g_assert_cmpint (epoch, ==, 0);
  g_assert_cmpint (batch, ==, 0);
  ll_document_get_history (document, ll_document_get_n_history (document) - 1, &epoch, &batch);
  g_assert_cmpint (epoch, ==, 39);
  g_assert_cmpint (batch, ==, -1);
  for (guint i = 1; i < ll_document_get_n_history (document); i++)
    {
      int pe, pb;
      ll_document_get_history (document, i - 1, &pe, &pb);
      ll_document_get_history (document, i, &epoch, &batch);
      g_assert_true (epoch > pe || (epoch == pe && (pb >= 0 && (batch < 0 || batch > pb))));
    }

  /* The view follows the latest snapshot (coalesced, so wait). */
  wait_until (inspect_ready, view, 10);
  check = ll_model_copy (ll_document_get_snapshot (document));
  assert_conv_grid_matches (iv, check);
  g_clear_pointer (&check, ll_model_free);

  /* Replay the first history point. */
  ll_inspect_view_set_history_position (iv, 0);
  wait_until (inspect_ready, view, 10);
  check = ll_model_copy (ll_document_get_history (document, 0, NULL, NULL));
  assert_conv_grid_matches (iv, check);
  g_clear_pointer (&check, ll_model_free);
  check_screenshot (view, "inspect-history.png");
  ll_inspect_view_set_history_position (iv, -1);

  /* An edit's "changed" brings back the document's own model. */
  ll_document_clear_snapshots (document);
  g_assert_null (ll_document_get_snapshot (document));
  g_assert_cmpuint (ll_document_get_n_history (document), ==, 0);
  wait_until (inspect_ready, view, 10);
  check = ll_model_copy (base);
  assert_conv_grid_matches (iv, check);
  g_signal_handler_disconnect (document, id);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_drawn_input (void)
{
  GtkWidget *view = ll_inspect_view_new ();
  GtkWidget *window = show_in_window (view);
  LlInspectView *iv = LL_INSPECT_VIEW (view);
  float drawn[28 * 28];
  int n_signals = 0;
  gulong id = g_signal_connect (document, "drawn-input-changed", G_CALLBACK (count_signal), &n_signals);

  g_object_set (view, "document", document, NULL);
  wait_until (inspect_ready, view, 60);
  g_assert_null (ll_document_get_drawn_input (document));
  for (int y = 0; y < 28; y++)
    for (int x = 0; x < 28; x++)
      drawn[y * 28 + x] = (x >= 12 && x <= 15 && y >= 4 && y <= 23) ? 1.0f : 0.0f;   /* a "1" */
  ll_document_set_drawn_input (document, drawn);
  g_assert_cmpint (n_signals, ==, 1);
  g_assert_cmpmem (ll_document_get_drawn_input (document), sizeof drawn, drawn, sizeof drawn);
  ll_inspect_view_use_drawn_input (iv);
  wait_until (inspect_ready, view, 10);
  g_assert_cmpmem (ll_inspect_view_get_input (iv), sizeof drawn, drawn, sizeof drawn);
  {
    g_autoptr(LlModel) check = ll_model_copy (ll_document_get_model (document));
    assert_conv_grid_matches (iv, check);
  }
  /* Picking a test image leaves the drawing. */
  ll_inspect_view_show_image (iv, 2);
  wait_until (inspect_ready, view, 10);
  g_assert_false (memcmp (ll_inspect_view_get_input (iv), drawn, sizeof drawn) == 0);
  ll_document_set_drawn_input (document, NULL);
  g_assert_null (ll_document_get_drawn_input (document));
  g_assert_cmpint (n_signals, ==, 2);
  g_signal_handler_disconnect (document, id);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The CIFAR-10 CNN: the batch statistics shown for the first
 * BatchNormalization layer (layer 2, after conv 1) are those of a batch of
 * 32 test images forwarded in evaluation mode. */
static void
test_batchnorm (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *view, *window;
  LlInspectView *iv;
  const LlDataset *ds;
  g_autoptr(LlModel) model = NULL;
  g_autofree float *x = NULL;
  guint32 idx[32];
  float mean[32], var[32];
  const float *vm, *vv;
  int channels;

  g_autofree char *dir = g_dir_make_tmp ("ll-inspect-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "cifar10", NULL);
  g_autofree char *file = g_build_filename (sub, "test_batch.bin", NULL);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  GRand *rand = g_rand_new_with_seed (4);

  /* A small synthetic CIFAR-10 test batch (label byte, 3072 pixel bytes). */
  for (int r = 0; r < 100; r++)
    {
      guint8 rec[3073];
      rec[0] = r % 10;
      for (int k = 1; k < 3073; k++)
        rec[k] = (guint8) g_rand_int_range (rand, 0, 256);
      g_byte_array_append (bytes, rec, sizeof rec);
    }
  g_rand_free (rand);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, (const char *) bytes->data, bytes->len, &error));
  ll_test_use_data_dir (dir);

  g_assert_true (ll_document_load_preset (doc, "cifar10-cnn", &error));
  view = ll_inspect_view_new ();
  window = show_in_window (view);
  iv = LL_INSPECT_VIEW (view);
  g_object_set (view, "document", doc, NULL);
  wait_until (inspect_ready, view, 60);
  ll_test_use_data_dir (NULL);
  g_remove (file);
  g_rmdir (sub);
  g_rmdir (dir);
  ll_inspect_view_set_page (iv, "batchnorm");
  wait_until (inspect_ready, view, 10);
  ds = ll_inspect_view_get_test_set (iv);
  g_assert_true (ll_inspect_view_get_bn_stats (iv, 2, &channels, &vm, &vv));
  g_assert_cmpint (channels, ==, 32);
  g_assert_false (ll_inspect_view_get_bn_stats (iv, 1, &channels, &vm, &vv));

  model = ll_model_copy (ll_document_get_model (doc));
  g_assert_true (ll_model_plan (model, 32, &error));
  x = g_new (float, 32 * ll_dataset_sample_size (ds));
  for (int k = 0; k < 32; k++)
    idx[k] = k % ds->n;
  ll_dataset_fill_batch (ds, idx, 32, x, NULL);
  ll_model_forward (model, 32, x, FALSE, NULL);
  ll_inspect_channel_stats (ll_model_layer_output (model, 1), 32 * 32 * 32, 32, mean, var);
  for (int c = 0; c < 32; c++)
    {
      g_assert_cmpfloat_with_epsilon (vm[c], mean[c], 1e-6);
      g_assert_cmpfloat_with_epsilon (vv[c], var[c], 1e-6);
    }
  check_screenshot (view, "inspect-batchnorm.png");
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
                                    ll_inspect_view_get_test_set (iv), 256, &loss, &accuracy, NULL, &error));
  g_test_message ("confusion accuracy %.4f, evaluate %.4f", ll_confusion_accuracy (c), accuracy);
  g_assert_cmpfloat_with_epsilon (ll_confusion_accuracy (c), accuracy, 1e-9);
  check_screenshot (view, "inspect-confusion.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A fresh preset has random weights: the notice says so.  A model file
 * with trained weights, or the notice's button, makes it go. */
static void
test_untrained_notice (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_resources_lookup_data (SHIPPED_MODEL_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                     &error);
  g_autofree char *dir = g_dir_make_tmp ("ll-inspect-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "digits.llmodel", NULL);
  g_autofree char *title = NULL;
  GtkWidget *view, *window;
  LlInspectView *iv;

  g_assert_no_error (error);
  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  g_assert_false (ll_document_get_trained (doc));
  view = ll_inspect_view_new ();
  window = show_in_window (view);
  iv = LL_INSPECT_VIEW (view);
  g_object_set (view, "document", doc, NULL);
  wait_until (inspect_ready, view, 60);
  g_assert_true (ll_inspect_view_get_untrained_notice_shown (iv));
  g_assert_null (ll_inspect_view_get_empty_message (iv));
  check_screenshot (view, "inspect-untrained.png");

  /* A model file holding trained weights. */
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  g_assert_true (ll_document_open (doc, path, &error));
  g_assert_no_error (error);
  g_assert_true (ll_document_get_trained (doc));
  wait_until (notice_hidden, view, 60);

  /* A preset starts from random weights again. */
  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  g_assert_false (ll_document_get_trained (doc));
  wait_until (notice_shown, view, 60);

  /* Outside a window the button loads the shipped model directly. */
  g_signal_emit_by_name (ll_inspect_view_get_shipped_model_button (iv), "clicked");
  g_assert_true (ll_document_get_trained (doc));
  g_assert_false (ll_document_get_dirty (doc));
  g_assert_null (ll_document_get_path (doc));
  g_assert_cmpstr (ll_document_get_dataset (doc), ==, "mnist");
  title = ll_document_dup_title (doc);
  g_assert_cmpstr (title, ==, "Shipped digit model");
  wait_until (notice_hidden, view, 60);
  g_assert_nonnull (ll_inspect_view_get_layer_grid (iv, 1));

  gtk_window_destroy (GTK_WINDOW (window));
  g_remove (path);
  g_rmdir (dir);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static void
iterate (int n)
{
  for (int i = 0; i < n; i++)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

/* In the window the button goes through the window's preset action: with
 * unsaved edits it asks first, as File ▸ Open does. */
static void
test_untrained_notice_in_window (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  LlWindow *window;
  LlInspectView *iv;
  AdwMessageDialog *dialog;
  GtkWidget *button;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  window = ll_window_new (NULL, doc);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  ll_window_set_view (window, "inspect");
  gtk_window_present (GTK_WINDOW (window));
  iv = LL_INSPECT_VIEW (ll_window_get_view_widget (window, "inspect"));
  wait_until (inspect_ready, iv, 60);
  g_assert_true (ll_inspect_view_get_untrained_notice_shown (iv));
  button = ll_inspect_view_get_shipped_model_button (iv);

  /* mnist-cnn: layer 7 is Dropout(0.5).  An edit leaves unsaved changes. */
  g_assert_true (ll_document_set_layer_param (doc, 7, "rate", 0.25, &error));
  g_assert_true (ll_document_get_dirty (doc));
  g_signal_emit_by_name (button, "clicked");
  iterate (10);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_false (ll_document_get_trained (doc));
  adw_message_dialog_response (dialog, "cancel");
  /* A click on the button would also close it; the signal alone does not. */
  gtk_window_destroy (GTK_WINDOW (dialog));
  iterate (10);
  g_assert_false (ll_document_get_trained (doc));
  g_assert_true (ll_document_get_dirty (doc));
  g_assert_true (ll_inspect_view_get_untrained_notice_shown (iv));

  g_signal_emit_by_name (button, "clicked");
  iterate (10);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  iterate (10);
  g_assert_true (ll_document_get_trained (doc));
  g_assert_false (ll_document_get_dirty (doc));
  wait_until (notice_hidden, iv, 60);

  /* A clean untrained document is replaced without a question. */
  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  wait_until (notice_shown, iv, 60);
  g_signal_emit_by_name (button, "clicked");
  iterate (10);
  g_assert_null (find_message_dialog ());
  g_assert_true (ll_document_get_trained (doc));
  wait_until (notice_hidden, iv, 60);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate (10);
}

/* No MNIST anywhere: an empty state that says what to do, with a button to
 * the Data view; once the data is there, coming back loads it. */
static void
test_no_data (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-inspect-XXXXXX", &error);
  LlWindow *window;
  LlInspectView *iv;
  GtkWidget *button;
  const char *message;

  g_assert_no_error (error);
  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  ll_test_use_data_dir (dir);
  window = ll_window_new (NULL, doc);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  ll_window_set_view (window, "inspect");
  gtk_window_present (GTK_WINDOW (window));
  iv = LL_INSPECT_VIEW (ll_window_get_view_widget (window, "inspect"));
  wait_until (empty_ready, iv, 60);
  g_assert_null (ll_inspect_view_get_test_set (iv));
  message = ll_inspect_view_get_empty_message (iv);
  g_test_message ("empty state: %s", message);
  g_assert_nonnull (strstr (message, "No MNIST test images found"));
  g_assert_nonnull (strstr (message, "Data view"));
  /* The untrained notice stays: both are true. */
  g_assert_true (ll_inspect_view_get_untrained_notice_shown (iv));
  check_screenshot (GTK_WIDGET (iv), "inspect-no-data.png");

  button = ll_inspect_view_get_data_view_button (iv);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (ll_window_get_view (window), ==, "data");

  /* The data arrives (here: the shared MNIST); back in Inspect it loads. */
  ll_test_use_data_dir (NULL);
  ll_window_set_view (window, "inspect");
  wait_until (inspect_ready, iv, 60);
  g_assert_null (ll_inspect_view_get_empty_message (iv));
  g_assert_cmpint (ll_inspect_view_count_output_tiles (iv), >, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate (10);
  g_rmdir (dir);
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
  g_autofree char *data_home = NULL;
  g_autofree char *made = NULL;
  const char *shared = g_getenv ("LL_SHARED_DATA");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* No session bus under xvfb-run: its warning would be fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* Data sets only where the tests put them: not in the user's data folder
   * (GLib reads XDG_DATA_HOME once, so before GTK starts). */
  data_home = g_dir_make_tmp ("ll-inspect-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (shared == NULL || !g_file_test (shared, G_FILE_TEST_IS_DIR))
    {
      /* No shared data: small generated digits in the same layout. */
      g_autoptr(LlDataset) train = ll_test_mnist (FALSE, 600);
      g_autoptr(LlDataset) test = ll_test_mnist (TRUE, 300);
      g_autofree char *mnist = NULL;

      made = g_dir_make_tmp ("ll-inspect-data-XXXXXX", &error);
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
      /* Referencing the resource keeps it linked in from the static library. */
      ll_ui_ensure_resources ();
      document = ll_document_new ();
      g_assert_true (ll_document_load_preset (document, "mnist-cnn", &error));
      g_assert_no_error (error);

      g_test_add_func ("/ui/inspect-view/feature-maps", test_feature_maps);
      g_test_add_func ("/ui/inspect-view/saliency", test_saliency);
      g_test_add_func ("/ui/inspect-view/dropout", test_dropout);
      g_test_add_func ("/ui/inspect-view/snapshots", test_snapshots);
      g_test_add_func ("/ui/inspect-view/drawn-input", test_drawn_input);
      g_test_add_func ("/ui/inspect-view/batchnorm", test_batchnorm);
      g_test_add_func ("/ui/inspect-view/confusion", test_confusion);
      g_test_add_func ("/ui/inspect-view/untrained-notice", test_untrained_notice);
      g_test_add_func ("/ui/inspect-view/untrained-notice-in-window", test_untrained_notice_in_window);
      g_test_add_func ("/ui/inspect-view/no-data", test_no_data);
      g_test_add_func ("/ui/data-view/grid", test_data_view);
    }
  status = g_test_run ();
  g_clear_object (&document);
  g_rmdir (data_home);
  if (made != NULL)
    ll_test_remove_tree (made);
  return status;
}
