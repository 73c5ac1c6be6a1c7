/* test-draw-view.c: the Draw view under a display (xvfb-run): pointer
 * input on the pad draws strokes, the probabilities follow, undo and clear
 * work, "Add to my digits" writes an IDX pair. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "ll-dataset.h"
#include "ll-draw-pad.h"
#include "ll-draw-view.h"
#include "ll-document.h"
#include "ll-presets.h"
#include "ll-view.h"

static char *data_home;

static GtkWidget *
find_widget (GtkWidget *root, GType type, const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (label == NULL || (GTK_IS_BUTTON (root)
                            && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until cond holds or 10 s pass. */
static gboolean
wait_for (gboolean (*cond) (gpointer), gpointer data)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (10000, timed_out, &expired);

  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return !expired;
}

static gboolean
pad_has_size (gpointer data)
{
  return gtk_widget_get_width (data) > 100 && gtk_widget_get_height (data) > 100;
}

typedef struct {
  LlDrawView *view;
  int want;                       /* class expected, or -1 for none */
} Expect;

static gboolean
prediction_is (gpointer data)
{
  Expect *e = data;
  return ll_draw_view_get_prediction (e->view, NULL) == e->want;
}

/* Drives the pad as its drag gesture does, in widget coordinates. */
static void
draw_stroke (LlDrawPad *pad, const double *xy, int n)
{
  double w = gtk_widget_get_width (GTK_WIDGET (pad)), h = gtk_widget_get_height (GTK_WIDGET (pad));

  ll_draw_pad_pointer_down (pad, xy[0] * w, xy[1] * h, -1);
  for (int i = 1; i < n; i++)
    {
      /* Intermediate motions, as a real pointer delivers them. */
      for (int k = 1; k <= 8; k++)
        {
          double t = k / 8.0;
          ll_draw_pad_pointer_move (pad, (xy[2 * i - 2] + t * (xy[2 * i] - xy[2 * i - 2])) * w,
                                    (xy[2 * i - 1] + t * (xy[2 * i + 1] - xy[2 * i - 1])) * h, -1);
        }
    }
  ll_draw_pad_pointer_up (pad);
}

static void
test_draw_predict (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = ll_draw_view_new ();
  LlDrawPad *pad;
  GtkWidget *add;
  Expect e = { LL_DRAW_VIEW (view), -1 };
  const double one[] = { 0.52, 0.15, 0.50, 0.50, 0.48, 0.85 };
  const double seven[] = { 0.28, 0.2, 0.72, 0.2, 0.45, 0.85 };
  float p;
  g_autofree char *images = g_build_filename (data_home, "layerlab", "my-digits",
                                              "train-images-idx3-ubyte", NULL);
  g_autofree char *labels = g_build_filename (data_home, "layerlab", "my-digits",
                                              "train-labels-idx1-ubyte", NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  pad = LL_DRAW_PAD (find_widget (view, LL_TYPE_DRAW_PAD, NULL));
  g_assert_nonnull (pad);
  g_assert_true (wait_for (pad_has_size, pad));

  /* Nothing drawn: no answer. */
  g_assert_cmpint (ll_draw_view_get_prediction (LL_DRAW_VIEW (view), NULL), ==, -1);

  /* The brush scale offers the pad's range, measured for MNIST-like
   * strokes (test-draw-pad), and starts at its default. */
  {
    GtkRange *brush = GTK_RANGE (find_widget (view, GTK_TYPE_SCALE, NULL));
    GtkAdjustment *adj = gtk_range_get_adjustment (brush);
    g_assert_cmpfloat (gtk_adjustment_get_lower (adj), ==, LL_DRAW_PAD_BRUSH_MIN);
    g_assert_cmpfloat (gtk_adjustment_get_upper (adj), ==, LL_DRAW_PAD_BRUSH_MAX);
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, LL_DRAW_PAD_BRUSH_DEFAULT);
    g_assert_cmpfloat (ll_draw_pad_get_brush_size (pad), ==, LL_DRAW_PAD_BRUSH_DEFAULT);
  }

  draw_stroke (pad, one, 3);
  g_assert_cmpuint (ll_draw_pad_get_n_strokes (pad), ==, 1);
  e.want = 1;
  g_assert_true (wait_for (prediction_is, &e));
  ll_draw_view_get_prediction (LL_DRAW_VIEW (view), &p);
  g_test_message ("a drawn 1: class 1 with p = %.3f", p);

  /* Undo (Backspace's action) empties the pad: no answer again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pad), "pad.undo", NULL));
  g_assert_cmpuint (ll_draw_pad_get_n_strokes (pad), ==, 0);
  e.want = -1;
  g_assert_true (wait_for (prediction_is, &e));

  draw_stroke (pad, seven, 3);
  e.want = 7;
  g_assert_true (wait_for (prediction_is, &e));

  /* Save it twice as a 7: an IDX pair of two records. */
  add = find_widget (view, GTK_TYPE_BUTTON, "_Add to My Digits");
  g_assert_nonnull (add);
  g_assert_true (gtk_widget_get_sensitive (add));
  g_signal_emit_by_name (add, "clicked");
  g_signal_emit_by_name (add, "clicked");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LlDataset) ds = ll_dataset_load_idx (images, labels, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ds->n, ==, 2);
    g_assert_cmpint (ds->height, ==, 28);
    g_assert_cmpint (ds->labels[0], ==, 7);
    g_assert_cmpint (ds->labels[1], ==, 7);
    /* The saved image is the preprocessed drawing: ink near the centre. */
    g_assert_cmpint (ds->images[14 * 28 + 14] + ds->images[10 * 28 + 14] + ds->images[18 * 28 + 14],
                     >, 0);
  }

  /* Clear (Delete / Escape). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pad), "pad.clear", NULL));
  g_assert_cmpuint (ll_draw_pad_get_n_strokes (pad), ==, 0);
  e.want = -1;
  g_assert_true (wait_for (prediction_is, &e));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The ink itself: strokes, undo, a resize keeps the drawing. */
static gboolean
has_drawn_input (gpointer data)
{
  return ll_document_get_drawn_input (data) != NULL;
}

/* With a document: the drawn digit reaches the document (for Inspect), and
 * a trained model in the document becomes "My model". */
static GtkWidget *
find_action_button (GtkWidget *root, const char *action)
{
  if (GTK_IS_BUTTON (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_document (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = ll_draw_view_new ();
  GtkWidget *mine, *open;
  LlDrawPad *pad;
  const double one[] = { 0.52, 0.15, 0.50, 0.50, 0.48, 0.85 };
  LlTrainer *trainer;
  LlEpochRecord rec = { 0, 0.5, 0.9, NAN, NAN, 0.001, 1.0, 1000.0 };

  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  g_assert_no_error (error);
  g_object_set (view, "document", doc, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  pad = LL_DRAW_PAD (find_widget (view, LL_TYPE_DRAW_PAD, NULL));
  mine = find_widget (view, GTK_TYPE_TOGGLE_BUTTON, "My model");
  g_assert_true (wait_for (pad_has_size, pad));

  /* An untrained document: nothing to switch to. */
  g_assert_nonnull (mine);
  g_assert_false (gtk_widget_get_sensitive (mine));
  g_assert_null (ll_document_get_drawn_input (doc));

  draw_stroke (pad, one, 3);
  g_assert_true (wait_for (has_drawn_input, doc));
  g_assert_cmpfloat (ll_document_get_drawn_input (doc)[14 * 28 + 14], >, 0.0f);

  /* The Train view hands back a model that has trained: "My model" can be
   * chosen, the shipped one stays chosen. */
  trainer = ll_document_get_trainer (doc);
  ll_trainer_set_state (trainer, 10, NULL, 0, &rec, 1);
  g_signal_emit_by_name (doc, "changed");
  g_assert_true (gtk_widget_get_sensitive (mine));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (mine)));

  /* The view's own Open button (window.open: any model file, ONNX and Keras
   * too): the model opened next is the one drawn into. */
  open = find_action_button (view, "window.open");
  g_assert_nonnull (open);
  g_signal_emit_by_name (open, "clicked");
  g_signal_emit_by_name (doc, "changed");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (mine)));

  g_object_set (view, "document", NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_ink (void)
{
  g_autoptr(LlInk) ink = ll_ink_new ();
  const float *px;
  int w, h;
  double sum = 0, sum2 = 0;

  ll_ink_begin (ink, 0.5, 0.5, -1);     /* before a size: kept, drawn later */
  ll_ink_extend (ink, 0.5, 0.8, -1);
  ll_ink_end (ink);
  g_assert_null (ll_ink_get_pixels (ink, NULL, NULL));
  ll_ink_set_size (ink, 100, 120);
  px = ll_ink_get_pixels (ink, &w, &h);
  g_assert_nonnull (px);
  g_assert_cmpint (w, ==, 100);
  g_assert_cmpint (h, ==, 120);
  g_assert_cmpfloat (px[70 * 100 + 50], >, 0.99f);     /* on the line */
  g_assert_cmpfloat (px[10 * 100 + 10], ==, 0.f);      /* far from it */
  for (int i = 0; i < w * h; i++)
    sum += px[i];

  ll_ink_set_size (ink, 200, 240);
  px = ll_ink_get_pixels (ink, &w, &h);
  for (int i = 0; i < w * h; i++)
    sum2 += px[i];
  /* Twice the size: four times the ink, give or take the edges. */
  g_assert_cmpfloat (fabs (sum2 / sum - 4), <, 0.3);

  g_assert_true (ll_ink_undo (ink));
  g_assert_false (ll_ink_undo (ink));
  px = ll_ink_get_pixels (ink, &w, &h);
  for (int i = 0; i < w * h; i++)
    g_assert_cmpfloat (px[i], ==, 0.f);
}

int
main (int argc, char **argv)
{
  int status;

  /* "Add to my digits" writes under $XDG_DATA_HOME: a private one. */
  data_home = g_dir_make_tmp ("layerlab-draw-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No accessibility bus under xvfb-run: its warning would be fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("test-draw-view needs a display: run it under xvfb-run, as ./test.sh does\n");
      return 1;
    }
  adw_init ();
  /* The templates and the shipped model. */
  ll_ui_ensure_resources ();

  g_test_add_func ("/ui/draw-view/ink", test_ink);
  g_test_add_func ("/ui/draw-view/draw-predict", test_draw_predict);
  g_test_add_func ("/ui/draw-view/document", test_document);
  status = g_test_run ();

  {
    g_autofree char *dir = g_build_filename (data_home, "layerlab", "my-digits", NULL);
    g_autofree char *a = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
    g_autofree char *b = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
    g_autofree char *c = g_build_filename (data_home, "layerlab", NULL);
    g_unlink (a);
    g_unlink (b);
    g_rmdir (dir);
    g_rmdir (c);
    g_rmdir (data_home);
  }
  g_free (data_home);
  return status;
}
