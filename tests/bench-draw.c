/* bench-draw.c: latency from a pointer motion on the drawing pad to new
 * probabilities (render the stroke piece, read the pad's pixels, MNIST
 * preprocessing, prediction with the shipped model), as the Draw view does
 * once per frame.  Needs no display: it drives the pad's LlInk directly. */
#include "ll-digit.h"
#include "ll-draw-pad.h"
#include "ll-model-file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N_MOTIONS 200
#define PAD_SIDE 400

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
report (const char *what, double *ms, int n)
{
  qsort (ms, n, sizeof (double), compare_doubles);
  printf ("  %-28s median %6.3f ms   p95 %6.3f ms   max %6.3f ms\n",
          what, ms[n / 2], ms[(int) (0.95 * (n - 1))], ms[n - 1]);
}

int
main (int argc, char **argv)
{
  const char *root = g_getenv ("LL_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "resources", "models",
                                            "digits.llmodel", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = ll_model_file_load (path, &error);
  g_autoptr(LlInk) ink = ll_ink_new ();
  double total[N_MOTIONS], raster[N_MOTIONS], prep[N_MOTIONS], predict[N_MOTIONS];
  float input[28 * 28], probs[10];
  LlModel *model;

  if (trainer == NULL)
    {
      fprintf (stderr, "bench-draw: %s\n", error->message);
      return 1;
    }
  /* The view predicts with its own copy of the model. */
  model = ll_model_copy (ll_trainer_get_model (trainer));
  ll_ink_set_size (ink, PAD_SIDE, PAD_SIDE);

  /* Warm up: plan the model's buffers, touch the code paths. */
  ll_ink_begin (ink, 0.3, 0.3, -1);
  ll_ink_extend (ink, 0.6, 0.6, -1);
  ll_digit_preprocess (ll_ink_get_pixels (ink, NULL, NULL), PAD_SIDE, PAD_SIDE, PAD_SIDE, input);
  ll_model_predict (model, 1, input, probs, NULL);
  ll_ink_clear (ink);

  /* A "2": an arc over the top, a diagonal, a base line; 200 motions. */
  for (int i = 0; i < N_MOTIONS; i++)
    {
      double t = (double) i / (N_MOTIONS - 1), x, y;
      gint64 t0, t1, t2, t3;
      int w, h;
      const float *pixels;

      if (t < 0.45)
        {
          double a = G_PI * (1.1 + 1.35 * t / 0.45);
          x = 0.5 + 0.2 * cos (a);
          y = 0.33 + 0.15 * sin (a);
        }
      else if (t < 0.8)
        {
          double u = (t - 0.45) / 0.35;
          x = 0.62 - 0.34 * u;
          y = 0.45 + 0.33 * u;
        }
      else
        {
          double u = (t - 0.8) / 0.2;
          x = 0.28 + 0.46 * u;
          y = 0.78;
        }

      t0 = g_get_monotonic_time ();
      if (i == 0)
        ll_ink_begin (ink, x, y, -1);
      else
        ll_ink_extend (ink, x, y, -1);
      pixels = ll_ink_get_pixels (ink, &w, &h);
      t1 = g_get_monotonic_time ();
      if (!ll_digit_preprocess (pixels, w, h, w, input))
        g_error ("no ink after a motion");
      t2 = g_get_monotonic_time ();
      if (!ll_model_predict (model, 1, input, probs, &error))
        g_error ("%s", error->message);
      t3 = g_get_monotonic_time ();

      raster[i] = (t1 - t0) / 1000.0;
      prep[i] = (t2 - t1) / 1000.0;
      predict[i] = (t3 - t2) / 1000.0;
      total[i] = (t3 - t0) / 1000.0;
    }
  ll_ink_end (ink);

  printf ("Draw: pointer motion to probabilities, %d motions on a %d×%d pad, %s\n",
          N_MOTIONS, PAD_SIDE, PAD_SIDE, path);
  report ("stroke piece + pixels", raster, N_MOTIONS);
  report ("MNIST preprocessing", prep, N_MOTIONS);
  report ("prediction", predict, N_MOTIONS);
  report ("total (goal < 16 ms)", total, N_MOTIONS);
  ll_model_free (model);
  return 0;
}
