/* test-digit-model.c: the digit model Layerlab ships (resources/models/
 * digits.llmodel, made by tools/train-default-model.sh) reaches 98.5 % on
 * the official MNIST test set (it measures 99.21 %), and behaves on drawn
 * digits (test-digit-robustness measures many more). */
#include "ll-digit.h"
#include "ll-evaluate.h"
#include "ll-model-file.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static LlTrainer *
load_shipped (void)
{
  const char *root = g_getenv ("LL_SOURCE_ROOT");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  LlTrainer *trainer;

  g_assert_nonnull (root);
  path = g_build_filename (root, "resources", "models", "digits.llmodel", NULL);
  trainer = ll_model_file_load (path, &error);
  g_assert_no_error (error);
  return trainer;
}

static void
test_shape (void)
{
  g_autoptr(LlTrainer) trainer = load_shipped ();
  LlModel *model = ll_trainer_get_model (trainer);
  LlShape in = ll_model_input_shape (model), out = ll_model_output_shape (model);
  g_autofree char *path = g_build_filename (g_getenv ("LL_SOURCE_ROOT"), "resources", "models",
                                            "digits.llmodel", NULL);
  GStatBuf st;

  g_assert_cmpint (in.rank, ==, 3);
  g_assert_cmpint (in.d[0], ==, 28);
  g_assert_cmpint (in.d[1], ==, 28);
  g_assert_cmpint (in.d[2], ==, 1);
  g_assert_cmpint (ll_shape_size (&out), ==, 10);
  /* It is compiled into the executable: keep it small. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, 1500 * 1000);
}

static void
test_accuracy (void)
{
  g_autoptr(LlTrainer) trainer = load_shipped ();
  g_autofree char *images = ll_test_shared_file ("mnist/t10k-images-idx3-ubyte.gz");
  g_autoptr(LlDataset) test = NULL;
  g_autoptr(GError) error = NULL;
  double loss, accuracy;

  if (images == NULL)
    {
      /* Synthetic digits say nothing about MNIST accuracy: check only that
       * evaluation runs. */
      g_autoptr(LlDataset) fake = ll_test_mnist (TRUE, 200);
      g_assert_true (ll_model_evaluate (ll_trainer_get_model (trainer),
                                        LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, fake, 100,
                                        &loss, &accuracy, NULL, &error));
      g_assert_no_error (error);
      return;
    }
  test = ll_test_mnist (TRUE, 0);
  g_assert_cmpint (test->n, ==, 10000);
  g_assert_true (ll_model_evaluate (ll_trainer_get_model (trainer),
                                    LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, test, 250,
                                    &loss, &accuracy, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("shipped digit model on the MNIST test set: accuracy %.4f, loss %.4f",
                  accuracy, loss);
  g_assert_cmpfloat (accuracy, >=, 0.985);
}

/* Strokes drawn on a large canvas, preprocessed as the Draw view does:
 * a "1" and a "0" are recognised. */
static void
draw_line (float *c, int w, int h, double x0, double y0, double x1, double y1, double r)
{
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double px = x + 0.5, py = y + 0.5;
        double t = len2 > 0 ? CLAMP (((px - x0) * dx + (py - y0) * dy) / len2, 0.0, 1.0) : 0;
        double d = hypot (px - (x0 + t * dx), py - (y0 + t * dy));
        float v = (float) CLAMP (r + 0.5 - d, 0.0, 1.0);
        c[y * w + x] = MAX (c[y * w + x], v);
      }
}

static int
classify (LlModel *model, const float *canvas, int w, int h, float *p_best)
{
  float input[28 * 28], probs[10];
  g_autoptr(GError) error = NULL;
  int best = 0;

  g_assert_true (ll_digit_preprocess (canvas, w, h, w, input));
  g_assert_true (ll_model_predict (model, 1, input, probs, &error));
  g_assert_no_error (error);
  for (int i = 1; i < 10; i++)
    if (probs[i] > probs[best])
      best = i;
  *p_best = probs[best];
  return best;
}

static void
test_drawn (void)
{
  g_autoptr(LlTrainer) trainer = load_shipped ();
  LlModel *model = ll_trainer_get_model (trainer);
  const int w = 300, h = 300;
  g_autofree float *canvas = g_new0 (float, w * h);
  float p;
  int label;

  if (ll_test_shared_data () == NULL)
    return;   /* a model trained on other data: nothing to expect */

  /* A slightly slanted "1". */
  draw_line (canvas, w, h, 160, 40, 140, 260, 11);
  label = classify (model, canvas, w, h, &p);
  g_test_message ("drawn 1: predicted %d (%.3f)", label, p);
  g_assert_cmpint (label, ==, 1);

  /* A "0": an ellipse of short segments. */
  memset (canvas, 0, sizeof (float) * w * h);
  for (int i = 0; i < 48; i++)
    {
      double a0 = 2 * G_PI * i / 48, a1 = 2 * G_PI * (i + 1) / 48;
      draw_line (canvas, w, h, 150 + 70 * cos (a0), 150 + 105 * sin (a0),
                 150 + 70 * cos (a1), 150 + 105 * sin (a1), 11);
    }
  label = classify (model, canvas, w, h, &p);
  g_test_message ("drawn 0: predicted %d (%.3f)", label, p);
  g_assert_cmpint (label, ==, 0);

  /* A "7". */
  memset (canvas, 0, sizeof (float) * w * h);
  draw_line (canvas, w, h, 80, 50, 220, 50, 11);
  draw_line (canvas, w, h, 220, 50, 130, 260, 11);
  label = classify (model, canvas, w, h, &p);
  g_test_message ("drawn 7: predicted %d (%.3f)", label, p);
  g_assert_cmpint (label, ==, 7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/digit-model/shape", test_shape);
  g_test_add_func ("/engine/digit-model/accuracy", test_accuracy);
  g_test_add_func ("/engine/digit-model/drawn", test_drawn);

  return g_test_run ();
}
