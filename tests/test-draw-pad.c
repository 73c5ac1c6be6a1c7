/* test-draw-pad.c: the drawing pad's ink (LlInk, no display needed).
 *
 * The brush gives MNIST-like strokes: drawn digits, preprocessed as the
 * Draw view does, have strokes as wide in the 28×28 as MNIST's (median
 * 2.5 pixels over the official test digits, half of them 2.1 to 3.1,
 * measured as ink over skeleton length) at the default brush, and 1.5 to
 * 4 pixels at every brush of the pad's range, for digits 50 to 80 % of
 * the pad high. */
#include "ll-digit.h"
#include "ll-test-digits.h"

#include <math.h>
#include <stdlib.h>

#define SIDE 480
#define N 28

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Mean stroke width in the preprocessed 28 × 28 of a digit drawn with
 * brush: its ink over the length of the pen's path there.  The path's
 * length scales as the digit does, by 20 over the longer side of the box
 * ll_digit_preprocess fits (ink above a tenth of the strongest). */
static double
stroke_width (LlInk *ink, int digit, int style, double height, double brush, LlRng *rng)
{
  const float *px;
  float out[N * N];
  double length, mass = 0;
  int x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;

  ll_ink_clear (ink);
  ll_ink_set_brush (ink, brush);
  length = ll_test_draw_digit (ink, digit, style, height, ll_test_drawing_typical.tilt, rng);
  px = ll_ink_get_pixels (ink, NULL, NULL);
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      if (px[y * SIDE + x] > 0.1f)
        {
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
  g_assert_true (ll_digit_preprocess (px, SIDE, SIDE, SIDE, out));
  for (int i = 0; i < N * N; i++)
    mass += out[i];
  return mass / (length * 20.0 / (MAX (x1 - x0, y1 - y0) + 1));
}

/* Widths over every digit and style at three heights, sorted. */
static GArray *
widths_at (double brush, double h_min, double h_max)
{
  g_autoptr(LlInk) ink = ll_ink_new ();
  GArray *widths = g_array_new (FALSE, FALSE, sizeof (double));
  LlRng rng;

  ll_rng_seed (&rng, 7);
  ll_ink_set_size (ink, SIDE, SIDE);
  for (int digit = 0; digit < 10; digit++)
    for (int style = 0; style < ll_test_digit_n_styles (digit); style++)
      for (int k = 0; k < 3; k++)
        {
          double w = stroke_width (ink, digit, style, h_min + (h_max - h_min) * k / 2, brush, &rng);
          g_array_append_val (widths, w);
        }
  qsort (widths->data, widths->len, sizeof (double), compare_doubles);
  return widths;
}

#define W(a, q) g_array_index (a, double, (guint) ((q) * ((a)->len - 1) + 0.5))

static void
test_stroke_width (void)
{
  g_autoptr(GArray) standard = widths_at (LL_DRAW_PAD_BRUSH_DEFAULT, 0.5, 0.8);
  g_autoptr(GArray) thinnest = widths_at (LL_DRAW_PAD_BRUSH_MIN, 0.5, 0.8);
  g_autoptr(GArray) thickest = widths_at (LL_DRAW_PAD_BRUSH_MAX, 0.5, 0.8);

  g_test_message ("stroke width in the 28×28, digits 50–80 %% of the pad high "
                  "(min, quartiles, max): brush %.3f: %.2f %.2f %.2f %.2f %.2f; "
                  "default %.3f: %.2f %.2f %.2f %.2f %.2f; brush %.3f: %.2f %.2f %.2f %.2f %.2f",
                  LL_DRAW_PAD_BRUSH_MIN, W (thinnest, 0), W (thinnest, 0.25), W (thinnest, 0.5),
                  W (thinnest, 0.75), W (thinnest, 1),
                  LL_DRAW_PAD_BRUSH_DEFAULT, W (standard, 0), W (standard, 0.25), W (standard, 0.5),
                  W (standard, 0.75), W (standard, 1),
                  LL_DRAW_PAD_BRUSH_MAX, W (thickest, 0), W (thickest, 0.25), W (thickest, 0.5),
                  W (thickest, 0.75), W (thickest, 1));
  /* MNIST-like at the default: the median within MNIST's middle half. */
  g_assert_cmpfloat (W (standard, 0.5), >=, 2.1);
  g_assert_cmpfloat (W (standard, 0.5), <=, 3.1);
  /* Every setting: 1.5 to 4 pixels. */
  g_assert_cmpfloat (W (thinnest, 0), >=, 1.5);
  g_assert_cmpfloat (W (thickest, 1), <=, 4.0);
}

/* The brush was a third of today's thinnest (0.02 of the pad; the Draw
 * view's scale went down to 0.03): such strokes come out around a pixel
 * wide, which the test above would catch. */
static void
test_old_thinnest_brush (void)
{
  g_autoptr(GArray) old_thinnest = widths_at (0.03, 0.5, 0.8);

  g_test_message ("brush 0.03: median stroke %.2f pixels", W (old_thinnest, 0.5));
  g_assert_cmpfloat (W (old_thinnest, 0.5), <, 1.2);
}

/* LlInk keeps any brush it is given (the pad keeps to its range), and a
 * stroke keeps the brush it was drawn with. */
static void
test_brush_per_stroke (void)
{
  g_autoptr(LlInk) ink = ll_ink_new ();
  const float *px;
  int thin = 0, thick = 0;

  ll_ink_set_size (ink, 200, 100);
  ll_ink_set_brush (ink, 0.05);
  ll_ink_begin (ink, 0.1, 0.255, -1);
  ll_ink_extend (ink, 0.9, 0.255, -1);
  ll_ink_end (ink);
  ll_ink_set_brush (ink, 0.2);
  ll_ink_begin (ink, 0.1, 0.75, -1);
  ll_ink_extend (ink, 0.9, 0.75, -1);
  ll_ink_end (ink);
  px = ll_ink_get_pixels (ink, NULL, NULL);
  for (int y = 0; y < 100; y++)
    {
      thin += px[y * 200 + 100] > 0.5f && y < 50;
      thick += px[y * 200 + 100] > 0.5f && y >= 50;
    }
  /* Diameters of 5 and 20 pixels (fractions of the shorter side, 100). */
  g_assert_cmpint (thin, ==, 5);
  g_assert_cmpint (thick, ==, 20);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/draw-pad/stroke-width", test_stroke_width);
  g_test_add_func ("/ui/draw-pad/old-thinnest-brush", test_old_thinnest_brush);
  g_test_add_func ("/ui/draw-pad/brush-per-stroke", test_brush_per_stroke);

  return g_test_run ();
}
