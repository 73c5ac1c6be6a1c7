/* test-train-view.c: the line chart's PNG/SVG export, the runs.json round
 * trip, and the Train view itself: data folder, start to
 * finish with test figures, pause / resume / stop, Start disabled for an
 * invalid model, closing the window while training.  The view reads small
 * IDX files the test writes into a folder named by LAYERLAB_DATA_DIR.
 * Widget cases need a display (run under xvfb-run); without one they are
 * skipped. */
#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <math.h>

#include "ll-view.h"
#include "ll-confusion-matrix.h"
#include "ll-document.h"
#include "ll-line-chart.h"
#include "ll-model-file.h"
#include "ll-presets.h"
#include "ll-run-list.h"
#include "ll-test-util.h"
#include "ll-train-view.h"
#include "ll-training-job.h"

static gboolean have_display;

/* Line chart ------------------------------------------------------------------ */

static GtkWidget *
sample_chart (void)
{
  GtkWidget *chart = ll_line_chart_new ();
  double x[50], y[50], xe[5], ye[5];
  guint a, b;

  for (int i = 0; i < 50; i++)
    {
      x[i] = (i + 1) / 10.0;
      y[i] = 2.3 * exp (-x[i]) + 0.05;
    }
  for (int i = 0; i < 5; i++)
    {
      xe[i] = i + 1;
      ye[i] = 2.3 * exp (-xe[i]) + 0.1;
    }
  ll_line_chart_set_labels (LL_LINE_CHART (chart), "Loss", "epoch", "loss");
  a = ll_line_chart_add_series (LL_LINE_CHART (chart), "train (per batch)", 0, FALSE, FALSE);
  b = ll_line_chart_add_series (LL_LINE_CHART (chart), "validation", 1, TRUE, TRUE);
  ll_line_chart_set_data (LL_LINE_CHART (chart), a, x, y, 50);
  ll_line_chart_set_data (LL_LINE_CHART (chart), b, xe, ye, 5);
  ll_line_chart_add_marker (LL_LINE_CHART (chart), 2.5, "lr 0.0001");
  return g_object_ref_sink (chart);
}

static void
test_chart_export (void)
{
  g_autoptr(GtkWidget) chart = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *contents = NULL;
  cairo_surface_t *surface;
  unsigned char *pixels;
  int stride, n_dark = 0, n_colour = 0;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  chart = sample_chart ();
  dir = g_dir_make_tmp ("ll-chart-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (dir, "chart.png", NULL);
  svg = g_build_filename (dir, "chart.svg", NULL);

  g_assert_true (ll_line_chart_export_png (LL_LINE_CHART (chart), png, 640, 400, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 640);
  pixels = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < 400; y++)
    for (int x = 0; x < 640; x++)
      {
        guint32 p = *(guint32 *) (pixels + y * stride + 4 * x);
        int r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
        if (r < 128 && g < 128 && b < 128)
          n_dark++;
        if (abs (r - b) > 80)
          n_colour++;     /* the blue and orange series */
      }
  cairo_surface_destroy (surface);
  g_test_message ("PNG: %d dark pixels, %d coloured", n_dark, n_colour);
  g_assert_cmpint (n_dark, >, 500);
  g_assert_cmpint (n_colour, >, 200);

  ll_line_chart_set_log_scale (LL_LINE_CHART (chart), TRUE);
  g_assert_true (ll_line_chart_export_svg (LL_LINE_CHART (chart), svg, 640, 400, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "</svg>"));
  g_assert_nonnull (strstr (contents, "<path"));

  g_assert_false (ll_line_chart_export_png (LL_LINE_CHART (chart), "/nonexistent/dir/x.png",
                                            100, 100, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
  g_unlink (png);
  g_unlink (svg);
  g_rmdir (dir);
}

/* Runs ---------------------------------------------------------------------------- */

static LlRun *
sample_run (const char *name, int batch)
{
  LlRun *run = ll_run_new ();

  run->name = g_strdup (name);
  run->model = g_strdup ("MLP 784-128-10 with dropout");
  run->dataset = g_strdup ("mnist");
  run->status = g_strdup ("finished");
  run->config.batch_size = batch;
  run->config.seed = G_GUINT64_CONSTANT (18446744073709551557);
  for (int e = 0; e < 3; e++)
    {
      LlEpochRecord r = { e, 1.0 / (e + 1), 0.8 + e * 0.05, NAN, NAN, 0.001, 1.5, 9000 };
      g_array_append_val (run->epochs, r);
    }
  for (int i = 0; i < 4000; i++)
    {
      LlBatchPoint p = { i / 1000.0, 2.0 - i / 4000.0, 0.5 };
      g_array_append_val (run->batches, p);
    }
  {
    LlLrMark m = { 1.5, LL_MARK_LEARNING_RATE, 0.0001 };
    g_array_append_val (run->lr_marks, m);
  }
  run->test_accuracy = 0.97;
  return run;
}

static void
test_runs_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-runs-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "runs.json", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "history.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(LlRunList) list = ll_run_list_new (path);
  g_autoptr(LlRunList) again = ll_run_list_new (path);
  g_autofree char *summary = NULL;
  g_auto(GStrv) labels = NULL;
  LlRun *runs[2];
  LlRun *r;

  g_assert_true (ll_run_list_load (list, &error));   /* missing file: empty */
  g_assert_no_error (error);
  g_assert_cmpuint (ll_run_list_get_n (list), ==, 0);
  ll_run_list_add (list, sample_run ("Run 1", 32));
  ll_run_list_add (list, sample_run ("Run 2", 256));
  ll_run_list_set_selected (list, 1, TRUE);
  g_assert_true (ll_run_list_save (list, &error));
  g_assert_no_error (error);

  g_assert_true (ll_run_list_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ll_run_list_get_n (again), ==, 2);
  r = ll_run_list_get (again, 1);
  g_assert_cmpstr (r->name, ==, "Run 2");
  g_assert_true (r->selected);
  g_assert_cmpint (r->config.batch_size, ==, 256);
  g_assert_cmpuint (r->config.seed, ==, G_GUINT64_CONSTANT (18446744073709551557));
  g_assert_cmpuint (r->epochs->len, ==, 3);
  g_assert_cmpfloat_with_epsilon (g_array_index (r->epochs, LlEpochRecord, 2).accuracy, 0.9, 1e-12);
  g_assert_true (isnan (g_array_index (r->epochs, LlEpochRecord, 0).val_loss));
  g_assert_cmpuint (r->batches->len, <=, 1500);
  g_assert_cmpuint (r->batches->len, >=, 1000);
  g_assert_cmpuint (r->lr_marks->len, ==, 1);
  g_assert_cmpint (g_array_index (r->lr_marks, LlLrMark, 0).kind, ==, LL_MARK_LEARNING_RATE);
  g_assert_cmpfloat (g_array_index (r->lr_marks, LlLrMark, 0).value, ==, 0.0001);
  g_assert_cmpfloat (r->test_accuracy, ==, 0.97);
  g_assert_true (isnan (r->test_loss));
  g_autofree char *next = ll_run_list_next_name (again);
  g_assert_cmpstr (next, ==, "Run 3");

  runs[0] = ll_run_list_get (again, 0);
  runs[1] = ll_run_list_get (again, 1);
  labels = ll_run_describe_differences (runs, 2, &summary);
  g_assert_cmpstr (labels[0], ==, "batch 32");
  g_assert_cmpstr (labels[1], ==, "batch 256");
  g_assert_cmpstr (summary, ==, "batch 32 vs 256");

  /* CSV matches the history. */
  g_assert_true (ll_run_export_csv (r, csv_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n"
                                        "1,1,0.8,,,0.001,1.5\n2,0.5,0.85"));

  g_unlink (csv_path);
  g_unlink (path);
  {
    g_autofree char *sub = g_path_get_dirname (path);
    g_rmdir (sub);
  }
  g_rmdir (dir);
}

static void
test_runs_damaged (void)
{
  const char *bad[] = { "{\"runs\": [ {\"name\": \"x\", ", "[1, 2, 3]", "{\"runs\": [42]}",
                        "\x89PNG garbage", "{\"runs\": 42}", "{\"version\": 99, \"runs\": []}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = ll_test_write_temp ("runs.json", bad[i], strlen (bad[i]));
      g_autoptr(LlRunList) list = ll_run_list_new (path);
      g_autoptr(GError) error = NULL;

      ll_run_list_add (list, sample_run ("Run 1", 32));
      g_assert_false (ll_run_list_load (list, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_cmpuint (ll_run_list_get_n (list), ==, 0);
      g_unlink (path);
    }
}


/* Train view -------------------------------------------------------------------- */

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* Raw (uncompressed) IDX files of a synthetic, learnable split. */
static void
write_idx_split (const char *dir, const char *images, const char *labels, int n, guint64 seed)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (n, 28, 28, 1, 10, seed);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *img = g_malloc (16 + (gsize) n * 784);
  g_autofree guint8 *lab = g_malloc (8 + (gsize) n);
  g_autofree char *img_path = g_build_filename (dir, images, NULL);
  g_autofree char *lab_path = g_build_filename (dir, labels, NULL);

  put_be32 (img, 0x803);
  put_be32 (img + 4, n);
  put_be32 (img + 8, 28);
  put_be32 (img + 12, 28);
  memcpy (img + 16, ds->images, (gsize) n * 784);
  put_be32 (lab, 0x801);
  put_be32 (lab + 4, n);
  memcpy (lab + 8, ds->labels, n);
  g_assert_true (g_file_set_contents (img_path, (char *) img, 16 + (gssize) n * 784, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (lab_path, (char *) lab, 8 + n, &error));
  g_assert_no_error (error);
}

typedef struct {
  char *data_dir;
  LlDocument *document;
  GtkWidget *window;
  LlTrainView *view;
} ViewFixture;


/* A window with the Train view on a tiny model (Flatten, Dense 10) and a
 * data folder holding an "mnist" of n_train synthetic images. */
static void
view_setup (ViewFixture *f, int n_train, int epochs, int batch)
{
  g_autofree char *mnist = NULL;
  LlFitConfig cfg;

  f->data_dir = g_dir_make_tmp ("ll-data-XXXXXX", NULL);
  g_assert_nonnull (f->data_dir);
  mnist = g_build_filename (f->data_dir, "mnist", NULL);
  g_assert_cmpint (g_mkdir (mnist, 0700), ==, 0);
  if (n_train > 0)
    {
      write_idx_split (mnist, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", n_train, 11);
      write_idx_split (mnist, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 300, 12);
    }
  g_setenv ("LAYERLAB_DATA_DIR", f->data_dir, TRUE);

  {
    /* Each case starts with no saved runs. */
    g_autofree char *runs = g_build_filename (g_get_user_data_dir (), "layerlab", "runs.json", NULL);
    g_unlink (runs);
  }
  f->document = ll_document_new ();
  ll_fit_config_init (&cfg);
  cfg.epochs = epochs;
  cfg.batch_size = batch;
  cfg.validation_split = 0.1;
  cfg.seed = 5;
  /* One BLAS thread: spinning OpenBLAS threads against Xvfb's renderer on
   * a loaded two-core machine made a run crawl. */
  cfg.n_threads = 1;
  ll_document_set_config (f->document, &cfg);
  ll_fit_config_clear (&cfg);

  f->view = g_object_ref_sink (LL_TRAIN_VIEW (ll_train_view_new ()));
  g_object_set (f->view, "document", f->document, NULL);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
view_teardown (ViewFixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  if (f->view != NULL)
    g_assert_finalize_object (f->view);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->document);
  g_unsetenv ("LAYERLAB_DATA_DIR");
  ll_test_remove_tree (f->data_dir);
  g_free (f->data_dir);
}

typedef gboolean (*Predicate) (ViewFixture *f);

static gboolean
wait_for (ViewFixture *f, Predicate done, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (f))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
has_run (ViewFixture *f)
{
  return ll_run_list_get_n (ll_train_view_get_run_list (f->view)) > 0;
}

static gboolean
is_training (ViewFixture *f)
{
  LlTrainingJob *job = ll_train_view_get_job (f->view);
  LlTrainingProgress p;

  if (job == NULL)
    return FALSE;
  ll_training_job_get_progress (job, &p);
  return p.step > 0;
}

static GtkWidget *
find_widget (GtkWidget *root, GType type, const char *action)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (action == NULL || (GTK_IS_ACTIONABLE (root)
                             && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)),
                                           action) == 0)))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_chart_stack (GtkWidget *root)
{
  if (GTK_IS_STACK (root) && gtk_stack_get_child_by_name (GTK_STACK (root), "curves") != NULL)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_chart_stack (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* With LL_SCREENSHOT_DIR set, the view's chart page `page` goes to a PNG there. */
static void
maybe_screenshot (ViewFixture *f, const char *page, const char *name)
{
  const char *dir = g_getenv ("LL_SCREENSHOT_DIR");
  GtkWidget *stack = find_chart_stack (GTK_WIDGET (f->view));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  int w, h;

  if (dir == NULL)
    return;
  gtk_stack_set_visible_child_name (GTK_STACK (stack), page);
  spin (0.5);
  w = gtk_widget_get_width (GTK_WIDGET (f->view));
  h = gtk_widget_get_height (GTK_WIDGET (f->view));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (f->view));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (GTK_WIDGET (f->view))),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (texture, path);
}

static void
test_view_data_dir (void)
{
  ViewFixture f = { 0 };

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 100, 1, 32);
  g_assert_cmpstr (ll_train_view_get_data_dir (f.view), ==, f.data_dir);
  g_assert_cmpstr (ll_train_view_get_dataset (f.view), ==, "mnist");
  g_assert_nonnull (find_widget (GTK_WIDGET (f.view), GTK_TYPE_BUTTON, "train.choose-data-dir"));
  view_teardown (&f);

  /* An empty folder: MNIST is missing, so a set the model takes is used
   * instead when one is installed (Debian's Fashion-MNIST), never CIFAR-10. */
  view_setup (&f, 0, 1, 32);
  {
    g_autofree char *fashion = ll_dataset_locate ("fashion-mnist", f.data_dir);
    g_autofree char *images = g_build_filename (fashion, "train-images-idx3-ubyte.gz", NULL);
    const char *expected = g_file_test (images, G_FILE_TEST_EXISTS) ? "fashion-mnist" : "mnist";

    g_test_message ("without MNIST the view trains on %s", ll_train_view_get_dataset (f.view));
    g_assert_cmpstr (ll_train_view_get_dataset (f.view), ==, expected);
  }
  view_teardown (&f);
}

static void
test_view_start_finish (void)
{
  ViewFixture f = { 0 };
  LlRun *run;
  GtkWidget *matrix;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 2000, 2, 32);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL));
  g_assert_true (wait_for (&f, is_training, 20));
  g_assert_true (wait_for (&f, has_run, 60));

  run = ll_run_list_get (ll_train_view_get_run_list (f.view), 0);
  g_assert_cmpstr (run->status, ==, "finished");
  g_assert_cmpstr (run->dataset, ==, "mnist");
  g_assert_cmpuint (run->epochs->len, ==, 2);
  g_assert_cmpuint (run->batches->len, ==, 2 * ((1800 + 31) / 32));
  g_assert_true (isfinite (g_array_index (run->epochs, LlEpochRecord, 1).val_loss));
  g_assert_cmpfloat (g_array_index (run->epochs, LlEpochRecord, 1).loss, <,
                     g_array_index (run->epochs, LlEpochRecord, 0).loss);
  g_test_message ("test accuracy %.4f", run->test_accuracy);
  g_assert_cmpfloat (run->test_accuracy, >, 0.5);
  g_assert_null (ll_train_view_get_job (f.view));
  /* The trained weights went back to the document. */
  g_assert_cmpuint (ll_trainer_get_history (ll_document_get_trainer (f.document))->len, ==, 2);
  matrix = find_widget (GTK_WIDGET (f.view), LL_TYPE_CONFUSION_MATRIX, NULL);
  g_assert_nonnull (matrix);
  g_assert_cmpint (ll_confusion_matrix_get_n (LL_CONFUSION_MATRIX (matrix)), ==, 10);
  maybe_screenshot (&f, "test", "train-test-set.png");
  maybe_screenshot (&f, "curves", "train-curves.png");
  view_teardown (&f);
}

static void
test_view_pause_resume_stop (void)
{
  ViewFixture f = { 0 };
  LlTrainingJob *job;
  LlTrainingProgress p;
  gint64 step;
  LlRun *run;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 2000, 1000, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL));
  g_assert_true (wait_for (&f, is_training, 20));
  job = ll_train_view_get_job (f.view);

  gtk_widget_activate_action (GTK_WIDGET (f.view), "train.pause", NULL);
  g_assert_true (ll_training_job_get_paused (job));
  spin (0.1);                              /* the batch in flight ends */
  ll_training_job_get_progress (job, &p);
  step = p.step;
  spin (0.3);
  ll_training_job_get_progress (job, &p);
  g_assert_cmpint (p.step, ==, step);      /* paused: no step */

  gtk_widget_activate_action (GTK_WIDGET (f.view), "train.pause", NULL);
  g_assert_false (ll_training_job_get_paused (job));
  spin (0.3);
  ll_training_job_get_progress (job, &p);
  g_assert_cmpint (p.step, >, step);       /* resumed */

  gtk_widget_activate_action (GTK_WIDGET (f.view), "train.stop", NULL);
  g_assert_true (wait_for (&f, has_run, 10));
  run = ll_run_list_get (ll_train_view_get_run_list (f.view), 0);
  g_test_message ("stopped after %u epochs of %d", run->epochs->len, run->config.epochs);
  g_assert_cmpstr (run->status, ==, "stopped");
  g_assert_cmpuint (run->epochs->len, <, 1000);
  g_assert_null (ll_train_view_get_job (f.view));
  view_teardown (&f);
}

static void
test_view_invalid (void)
{
  ViewFixture f = { 0 };
  LlLayerSpec spec;
  GtkWidget *start;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 200, 1, 32);
  start = find_widget (GTK_WIDGET (f.view), GTK_TYPE_BUTTON, "train.start");
  g_assert_nonnull (start);
  spin (0.05);
  g_assert_true (gtk_widget_is_sensitive (start));

  /* Conv2D after Flatten: rank 1 input, the stack does not build. */
  ll_layer_spec_init (&spec, &ll_layer_conv2d);
  ll_document_insert_layer (f.document, 2, &spec);
  g_assert_false (ll_document_get_valid (f.document));
  spin (0.05);
  g_assert_false (gtk_widget_is_sensitive (start));
  gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL);
  spin (0.2);
  g_assert_null (ll_train_view_get_job (f.view));
  g_assert_false (has_run (&f));

  g_assert_true (ll_document_undo (f.document));
  g_assert_true (ll_document_get_valid (f.document));
  spin (0.05);
  g_assert_true (gtk_widget_is_sensitive (start));
  view_teardown (&f);
}

static GtkWidget *use_lr_button;

static gboolean
lr_found (ViewFixture *f)
{
  return gtk_widget_is_sensitive (use_lr_button);
}

static void
test_view_lr_finder (void)
{
  ViewFixture f = { 0 };
  double lr;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 2000, 1, 8);
  use_lr_button = find_widget (GTK_WIDGET (f.view), GTK_TYPE_BUTTON, "train.use-found-lr");
  g_assert_nonnull (use_lr_button);
  spin (0.05);
  g_assert_false (gtk_widget_is_sensitive (use_lr_button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.find-lr", NULL));
  g_assert_true (wait_for (&f, lr_found, 30));
  maybe_screenshot (&f, "lr-finder", "train-lr-finder.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.use-found-lr", NULL));
  lr = ll_document_get_config (f.document)->optim.learning_rate;
  g_test_message ("suggested learning rate %g", lr);
  g_assert_cmpfloat (lr, !=, 0.001);
  g_assert_cmpfloat (lr, >, 1e-6);
  g_assert_cmpfloat (lr, <, 1.0);
  /* A copy of the model was trained, not the document's, and no run was kept. */
  g_assert_cmpuint (ll_trainer_get_history (ll_document_get_trainer (f.document))->len, ==, 0);
  g_assert_false (has_run (&f));
  view_teardown (&f);
}

static gboolean
sweep_done (ViewFixture *f)
{
  return ll_run_list_get_n (ll_train_view_get_run_list (f->view)) >= 2
         && ll_train_view_get_job (f->view) == NULL;
}

static GtkWidget *
find_sweep_drop (GtkWidget *root)
{
  if (GTK_IS_DROP_DOWN (root)
      && g_strcmp0 (gtk_widget_get_tooltip_text (root), "The hyperparameter and the values of a sweep") == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_sweep_drop (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A sweep of two values gives two runs with one seed, different histories,
 * both overlaid, named by the value. */
static void
test_view_sweep (void)
{
  ViewFixture f = { 0 };
  GtkWidget *drop;
  LlRun *a, *b;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 1000, 2, 32);
  drop = find_sweep_drop (GTK_WIDGET (f.view));
  g_assert_nonnull (drop);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), 3);   /* shuffle on, off */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.sweep", NULL));
  g_assert_true (wait_for (&f, sweep_done, 60));
  maybe_screenshot (&f, "curves", "train-sweep.png");
  for (guint i = 0; i < ll_run_list_get_n (ll_train_view_get_run_list (f.view)); i++)
    g_test_message ("%s: %s", ll_run_list_get (ll_train_view_get_run_list (f.view), i)->name,
                    ll_run_list_get (ll_train_view_get_run_list (f.view), i)->status);
  g_assert_cmpuint (ll_run_list_get_n (ll_train_view_get_run_list (f.view)), ==, 2);
  a = ll_run_list_get (ll_train_view_get_run_list (f.view), 0);
  b = ll_run_list_get (ll_train_view_get_run_list (f.view), 1);
  g_assert_cmpstr (a->status, ==, "finished");
  g_assert_cmpstr (b->status, ==, "finished");
  g_assert_true (a->selected && b->selected);
  g_assert_nonnull (strstr (a->name, "shuffle on"));
  g_assert_nonnull (strstr (b->name, "shuffle off"));
  g_assert_true (a->config.shuffle);
  g_assert_false (b->config.shuffle);
  g_assert_cmpuint (a->config.seed, ==, b->config.seed);
  g_assert_cmpuint (a->epochs->len, ==, 2);
  g_assert_cmpuint (b->epochs->len, ==, 2);
  g_assert_cmpfloat (g_array_index (a->epochs, LlEpochRecord, 0).loss, !=,
                     g_array_index (b->epochs, LlEpochRecord, 0).loss);
  /* The document's settings and weights are untouched. */
  g_assert_true (ll_document_get_config (f.document)->shuffle);
  g_assert_cmpuint (ll_trainer_get_history (ll_document_get_trainer (f.document))->len, ==, 0);
  view_teardown (&f);
}

static gboolean
label_starts_with (GtkWidget *root, const char *prefix)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (label_starts_with (c, prefix))
      return TRUE;
  return FALSE;
}

/* The message shows once the info bar has revealed it: poll, as a loaded
 * machine may take longer than a fixed wait. */
static gboolean
wait_for_label (ViewFixture *f, const char *prefix, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!label_starts_with (GTK_WIDGET (f->view), prefix))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static void
select_sweep (GtkWidget *drop, const char *prefix)
{
  GListModel *titles = gtk_drop_down_get_model (GTK_DROP_DOWN (drop));

  for (guint i = 0; i < g_list_model_get_n_items (titles); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (titles), i), prefix))
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), i);
        return;
      }
  g_assert_not_reached ();
}

/* The seeds' architecture comparisons: a model without the layer a sweep
 * changes gets a message and no run; Flatten vs GAP trains both stacks. */
static void
test_view_sweep_architecture (void)
{
  ViewFixture f = { 0 };
  g_autoptr(LlArch) arch = ll_arch_new ();
  GtkWidget *drop;
  LlLayerSpec spec;
  LlRun *a, *b;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 600, 1, 32);
  drop = find_sweep_drop (GTK_WIDGET (f.view));
  g_assert_nonnull (drop);

  ll_layer_spec_init (&spec, &ll_layer_input);
  g_assert_true (ll_layer_spec_set (&spec, "height", 28, NULL));
  g_assert_true (ll_layer_spec_set (&spec, "width", 28, NULL));
  g_assert_true (ll_layer_spec_set (&spec, "channels", 1, NULL));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_conv2d);
  g_assert_true (ll_layer_spec_set (&spec, "filters", 4, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "relu", NULL));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_max_pooling2d);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_true (ll_layer_spec_set (&spec, "units", 10, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "softmax", NULL));
  ll_arch_append (arch, &spec);
  ll_document_set_arch (f.document, arch);
  g_assert_true (ll_document_get_valid (f.document));

  /* No batch normalization to switch off: a message that says what to do, no run. */
  select_sweep (drop, "Batch normalization");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.sweep", NULL));
  spin (0.2);
  g_assert_null (ll_train_view_get_job (f.view));
  g_assert_cmpuint (ll_run_list_get_n (ll_train_view_get_run_list (f.view)), ==, 0);
  g_assert_true (wait_for_label (&f, "This model has no BatchNormalization layer", 10));

  select_sweep (drop, "Flatten vs GlobalAveragePooling2D");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.sweep", NULL));
  g_assert_true (wait_for (&f, sweep_done, 60));
  g_assert_cmpuint (ll_run_list_get_n (ll_train_view_get_run_list (f.view)), ==, 2);
  a = ll_run_list_get (ll_train_view_get_run_list (f.view), 0);
  b = ll_run_list_get (ll_train_view_get_run_list (f.view), 1);
  g_test_message ("%s: loss %g; %s: loss %g", a->name, g_array_index (a->epochs, LlEpochRecord, 0).loss,
                  b->name, g_array_index (b->epochs, LlEpochRecord, 0).loss);
  g_assert_cmpstr (a->status, ==, "finished");
  g_assert_cmpstr (b->status, ==, "finished");
  g_assert_nonnull (strstr (a->name, "Flatten"));
  g_assert_nonnull (strstr (b->name, "GlobalAveragePooling2D"));
  g_assert_cmpfloat (g_array_index (a->epochs, LlEpochRecord, 0).loss, !=,
                     g_array_index (b->epochs, LlEpochRecord, 0).loss);
  /* The document's stack is untouched. */
  g_assert_true (ll_arch_equal (ll_document_get_arch (f.document), arch));
  view_teardown (&f);
}

static gboolean
job_done (ViewFixture *f)
{
  return ll_train_view_get_job (f->view) == NULL;
}

/* EarlyStopping on val_loss with no validation split: Start shows the
 * trainer's message, which says what to change. */
static void
test_view_monitor_without_validation (void)
{
  ViewFixture f = { 0 };
  LlFitConfig cfg;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 300, 2, 32);
  ll_fit_config_copy (&cfg, ll_document_get_config (f.document));
  cfg.validation_split = 0;
  cfg.early_stopping.enabled = TRUE;
  cfg.early_stopping.monitor = LL_MONITOR_VAL_LOSS;
  ll_document_set_config (f.document, &cfg);
  ll_fit_config_clear (&cfg);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL));
  spin (0.2);
  g_assert_true (wait_for (&f, job_done, 30));
  spin (0.2);
  g_assert_true (wait_for_label (&f, "EarlyStopping watches val_loss, but there is "
                                     "no validation data: set a validation split", 10));
  /* Nothing was trained. */
  g_assert_cmpuint (ll_trainer_get_history (ll_document_get_trainer (f.document))->len, ==, 0);
  view_teardown (&f);
}

static gboolean
replayed (ViewFixture *f)
{
  return ll_run_list_get_n (ll_train_view_get_run_list (f->view)) >= 3
         && ll_train_view_get_job (f->view) == NULL;
}

/* Export a run as one file, replay it: the same curves, epoch by epoch. */
static void
test_view_export_replay (void)
{
  ViewFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) model = NULL;
  g_autoptr(LlRun) loaded = NULL;
  LlRunList *runs;
  LlRun *first, *again;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 1000, 2, 32);
  runs = ll_train_view_get_run_list (f.view);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL));
  g_assert_true (wait_for (&f, has_run, 60));
  path = g_build_filename (f.data_dir, "run.json", NULL);
  g_assert_true (ll_train_view_export_run (f.view, path, &error));
  g_assert_no_error (error);

  loaded = ll_run_import (path, &model, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  {
    g_autoptr(LlTrainer) trainer = ll_model_file_from_bytes (model, &error);
    g_assert_no_error (error);
    g_assert_nonnull (trainer);
  }
  g_assert_cmpuint (loaded->epochs->len, ==, 2);

  /* Another model in the document first: the replay brings the run's back. */
  ll_document_reset (f.document);
  g_assert_true (ll_train_view_replay (f.view, path, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (&f, replayed, 60));
  g_assert_cmpuint (ll_run_list_get_n (runs), ==, 3);
  first = ll_run_list_get (runs, 0);
  again = ll_run_list_get (runs, 2);
  g_assert_cmpstr (again->status, ==, "finished");
  g_assert_nonnull (strstr (ll_run_list_get (runs, 1)->name, "from file"));
  g_assert_cmpuint (again->epochs->len, ==, 2);
  for (guint e = 0; e < 2; e++)
    {
      const LlEpochRecord *a = &g_array_index (first->epochs, LlEpochRecord, e);
      const LlEpochRecord *b = &g_array_index (again->epochs, LlEpochRecord, e);
      g_test_message ("epoch %u: loss %.10f vs %.10f", e + 1, a->loss, b->loss);
      g_assert_cmpfloat (a->loss, ==, b->loss);
      g_assert_cmpfloat (a->val_accuracy, ==, b->val_accuracy);
    }
  g_unlink (path);
  view_teardown (&f);
}

static void
test_view_close_while_training (void)
{
  ViewFixture f = { 0 };
  LlTrainingJob *job;
  gint64 t0;

  if (!have_display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  view_setup (&f, 2000, 1000, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.view), "train.start", NULL));
  g_assert_true (wait_for (&f, is_training, 20));
  job = ll_train_view_get_job (f.view);
  g_object_add_weak_pointer (G_OBJECT (job), (gpointer *) &job);

  /* Closing the window drops the view: the worker stops within a batch,
   * the job and the view are freed, and no signal reaches a dead view. */
  t0 = g_get_monotonic_time ();
  gtk_window_destroy (GTK_WINDOW (f.window));
  f.window = NULL;
  g_assert_finalize_object (f.view);
  f.view = NULL;
  g_assert_null (job);
  g_test_message ("closed while training in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
  view_teardown (&f);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("ll-data-home-XXXXXX", NULL);
  int status;

  /* The view's runs.json and the user data-set folder go to a temporary
   * folder, never the user's.  (G_TEST_OPTION_ISOLATE_DIRS would also hide
   * the system GSettings schemas that libadwaita needs.) */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  /* No session bus under xvfb-run: keep the accessibility bridge quiet. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  have_display = gtk_init_check ();
  /* Referencing the resource keeps it linked in from the static library. */
  ll_ui_ensure_resources ();

  g_test_add_func ("/ui/line-chart/export", test_chart_export);
  g_test_add_func ("/ui/run-list/round-trip", test_runs_round_trip);
  g_test_add_func ("/ui/run-list/damaged", test_runs_damaged);
  g_test_add_func ("/ui/train-view/data-dir", test_view_data_dir);
  g_test_add_func ("/ui/train-view/start-finish", test_view_start_finish);
  g_test_add_func ("/ui/train-view/pause-resume-stop", test_view_pause_resume_stop);
  g_test_add_func ("/ui/train-view/invalid", test_view_invalid);
  g_test_add_func ("/ui/train-view/close-while-training", test_view_close_while_training);
  g_test_add_func ("/ui/train-view/lr-finder", test_view_lr_finder);
  g_test_add_func ("/ui/train-view/sweep", test_view_sweep);
  g_test_add_func ("/ui/train-view/sweep-architecture", test_view_sweep_architecture);
  g_test_add_func ("/ui/train-view/monitor-without-validation", test_view_monitor_without_validation);
  g_test_add_func ("/ui/train-view/export-replay", test_view_export_replay);
  status = g_test_run ();
  ll_test_remove_tree (data_home);
  return status;
}
