/* test-digit.c: MNIST-style preprocessing of drawings and pictures. */
#include "ll-digit.h"
#include "ll-image.h"
#include "ll-test-util.h"

#include <math.h>
#include <string.h>

#define N 28

/* ----- Synthetic strokes: anti-aliased thick lines and rings ----- */

typedef struct {
  int w, h;
  float *px;
} Canvas;

static Canvas *
canvas_new (int w, int h)
{
  Canvas *c = g_new0 (Canvas, 1);
  c->w = w;
  c->h = h;
  c->px = g_new0 (float, (gsize) w * h);
  return c;
}

static void
canvas_free (Canvas *c)
{
  g_free (c->px);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Canvas, canvas_free)

static void
canvas_plot (Canvas *c, int x, int y, double coverage)
{
  float *p = &c->px[(gsize) y * c->w + x];
  *p = MAX (*p, (float) CLAMP (coverage, 0.0, 1.0));
}

/* A segment of the given thickness with round caps; pixel centres at +0.5. */
static void
canvas_line (Canvas *c, double x0, double y0, double x1, double y1, double thickness)
{
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy, r = thickness / 2;

  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x++)
      {
        double px = x + 0.5, py = y + 0.5;
        double t = len2 > 0 ? CLAMP (((px - x0) * dx + (py - y0) * dy) / len2, 0.0, 1.0) : 0;
        double d = hypot (px - (x0 + t * dx), py - (y0 + t * dy));
        if (d < r + 1)
          canvas_plot (c, x, y, r + 0.5 - d);
      }
}

/* An ellipse outline with radii rx, ry. */
static void
canvas_ring (Canvas *c, double cx, double cy, double rx, double ry, double thickness)
{
  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x++)
      {
        double u = (x + 0.5 - cx) / rx, v = (y + 0.5 - cy) / ry;
        double rho = hypot (u, v);
        /* Distance to the outline, to first order. */
        double d = fabs (rho - 1) * MIN (rx, ry);
        if (d < thickness / 2 + 1)
          canvas_plot (c, x, y, thickness / 2 + 0.5 - d);
      }
}

/* A "7" whose top-left corner is at (x, y), s pixels per unit. */
static void
canvas_seven (Canvas *c, double x, double y, double s)
{
  canvas_line (c, x, y, x + 120 * s, y, 22 * s);
  canvas_line (c, x + 120 * s, y, x + 45 * s, y + 200 * s, 22 * s);
  canvas_line (c, x + 50 * s, y + 100 * s, x + 110 * s, y + 100 * s, 18 * s);
}

static void
ink_bbox (const float *img, float thr, int *x0, int *y0, int *x1, int *y1)
{
  *x0 = *y0 = N;
  *x1 = *y1 = -1;
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++)
      if (img[y * N + x] > thr)
        {
          *x0 = MIN (*x0, x);
          *x1 = MAX (*x1, x);
          *y0 = MIN (*y0, y);
          *y1 = MAX (*y1, y);
        }
}

static void
assert_in_unit_range (const float *img, int n)
{
  for (int i = 0; i < n; i++)
    g_assert_true (img[i] >= 0.f && img[i] <= 1.f);
}

/* ----- Tests ----- */

static void
test_center_of_mass (void)
{
  float img[4 * 3] = { 0 };
  double cx, cy;

  g_assert_false (ll_image_center_of_mass (img, 4, 3, &cx, &cy));
  img[1 * 4 + 3] = 1;       /* (x 3, y 1) */
  img[2 * 4 + 1] = 3;       /* (x 1, y 2) */
  g_assert_true (ll_image_center_of_mass (img, 4, 3, &cx, &cy));
  g_assert_cmpfloat_with_epsilon (cx, (3 * 1 + 1 * 3) / 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (cy, (1 * 1 + 2 * 3) / 4.0, 1e-9);
}

static void
test_resize (void)
{
  /* 2 × 2, two channels, to 4 × 4 with half-pixel centres: corners keep
   * their values, inner samples are 1/4 and 3/4 blends. */
  const float src[2 * 2 * 2] = { 0, 10, 1, 20,
                                 2, 30, 3, 40 };
  float dst[4 * 4 * 2];
  float same[2 * 2 * 2];

  ll_image_resize (src, 2, 2, 2, dst, 4, 4);
  g_assert_cmpfloat_with_epsilon (dst[0], 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (dst[(3 * 4 + 3) * 2], 3, 1e-6);
  g_assert_cmpfloat_with_epsilon (dst[(3 * 4 + 3) * 2 + 1], 40, 1e-5);
  /* (x 1, y 0) samples source x 0.25 */
  g_assert_cmpfloat_with_epsilon (dst[(0 * 4 + 1) * 2], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (dst[(0 * 4 + 1) * 2 + 1], 12.5, 1e-5);
  /* (x 2, y 1) samples source (0.75, 0.25) */
  g_assert_cmpfloat_with_epsilon (dst[(1 * 4 + 2) * 2], 0.75 + 2 * 0.25, 1e-6);

  /* Same size is the identity. */
  ll_image_resize (src, 2, 2, 2, same, 2, 2);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon (same[i], src[i], 1e-6);
}

static void
test_empty (void)
{
  g_autoptr(Canvas) c = canvas_new (200, 150);
  float out[N * N];

  for (int i = 0; i < N * N; i++)
    out[i] = 0.5f;
  g_assert_false (ll_digit_preprocess (c->px, c->w, c->h, c->w, out));
  for (int i = 0; i < N * N; i++)
    g_assert_cmpfloat (out[i], ==, 0.f);
}

/* A tall ring (aspect 1:2) and a wide one (2:1): the longer side becomes
 * 20 pixels, the other keeps the ratio. */
static void
test_bbox (void)
{
  for (int wide = 0; wide < 2; wide++)
    {
      g_autoptr(Canvas) c = canvas_new (400, 300);
      float out[N * N];
      int x0, y0, x1, y1, lw, sw;
      double ratio;

      if (wide)
        canvas_ring (c, 180, 150, 100, 50, 16);       /* 216 × 116 with the stroke */
      else
        canvas_ring (c, 220, 140, 50, 100, 16);       /* 116 × 216 */
      ratio = 116.0 / 216.0;
      g_assert_true (ll_digit_preprocess (c->px, c->w, c->h, c->w, out));
      assert_in_unit_range (out, N * N);

      /* Pixels with any ink: the box is 20 long and placed at a sub-pixel
       * position, so it touches 20 or 21 pixels. */
      ink_bbox (out, 0.01f, &x0, &y0, &x1, &y1);
      lw = wide ? x1 - x0 + 1 : y1 - y0 + 1;
      sw = wide ? y1 - y0 + 1 : x1 - x0 + 1;
      g_test_message ("bbox %s: %d x %d", wide ? "wide" : "tall", x1 - x0 + 1, y1 - y0 + 1);
      g_assert_cmpint (lw, >=, 20);
      g_assert_cmpint (lw, <=, 21);
      g_assert_cmpfloat (fabs (sw - 20 * ratio), <=, 1.5);
      /* Inside the 28 × 28 with the margin MNIST has. */
      g_assert_cmpint (MIN (x0, y0), >=, 2);
      g_assert_cmpint (MAX (x1, y1), <=, 25);
    }
}

/* The centre of mass lands within half a pixel of (14, 14) for shapes
 * whose ink is far from the middle of their box. */
static void
test_center (void)
{
  for (int shape = 0; shape < 4; shape++)
    {
      g_autoptr(Canvas) c = canvas_new (320, 320);
      float out[N * N];
      double cx, cy;

      switch (shape)
        {
        case 0:
          canvas_seven (c, 40, 40, 1.0);
          break;
        case 1:
          canvas_ring (c, 100, 200, 60, 80, 20);
          break;
        case 2:                          /* a "1" slanted */
          canvas_line (c, 200, 30, 150, 290, 18);
          break;
        default:                         /* an "L": mass in one corner */
          canvas_line (c, 60, 20, 60, 280, 20);
          canvas_line (c, 60, 280, 160, 280, 20);
          break;
        }
      g_assert_true (ll_digit_preprocess (c->px, c->w, c->h, c->w, out));
      g_assert_true (ll_image_center_of_mass (out, N, N, &cx, &cy));
      g_test_message ("shape %d: centre of mass (%.3f, %.3f)", shape, cx, cy);
      g_assert_cmpfloat (fabs (cx - 14), <, 0.5);
      g_assert_cmpfloat (fabs (cy - 14), <, 0.5);
    }
}

/* Digits whose mass sits at one end of their box: a 7 with a heavy bar
 * and a long thin tail, a 4 whose bar runs far to the right, a 9 with a
 * heavy loop, an "L" with a heavy foot.  Centring by mass would push the
 * light end off the 28 × 28; all the ink stays inside, and the centre of
 * mass is as close to (14, 14) as that allows. */
static void
test_keeps_ink (void)
{
  for (int shape = 0; shape < 4; shape++)
    {
      g_autoptr(Canvas) c = canvas_new (360, 360);
      float out[N * N], max_v = 0;
      double cx, cy, sum_src = 0, sum_out = 0, scale, edge = 0;
      int x0 = c->w, y0 = c->h, x1 = -1, y1 = -1;

      switch (shape)
        {
        case 0:                          /* 7: bar 60 thick, tail 8 */
          canvas_line (c, 80, 60, 280, 60, 60);
          canvas_line (c, 280, 60, 190, 330, 8);
          break;
        case 1:                          /* 4: heavy stem and a long thin bar */
          canvas_line (c, 90, 30, 90, 330, 70);
          canvas_line (c, 30, 200, 90, 30, 8);
          canvas_line (c, 30, 200, 350, 200, 6);
          break;
        case 2:                          /* 9: a filled loop on a thin stem */
          canvas_ring (c, 180, 90, 60, 60, 60);
          canvas_line (c, 240, 90, 220, 340, 6);
          break;
        default:                         /* L: thin stem, heavy foot */
          canvas_line (c, 60, 20, 60, 300, 6);
          canvas_line (c, 60, 300, 330, 300, 60);
          break;
        }
      for (int i = 0; i < c->w * c->h; i++)
        max_v = MAX (max_v, c->px[i]);
      for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
          if (c->px[y * c->w + x] > 0.1f * max_v)
            {
              x0 = MIN (x0, x);
              x1 = MAX (x1, x);
              y0 = MIN (y0, y);
              y1 = MAX (y1, y);
            }
      for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
          sum_src += c->px[y * c->w + x];
      scale = 20.0 / (MAX (x1 - x0, y1 - y0) + 1);

      g_assert_true (ll_digit_preprocess (c->px, c->w, c->h, c->w, out));
      assert_in_unit_range (out, N * N);
      for (int i = 0; i < N * N; i++)
        sum_out += out[i];
      for (int k = 0; k < N; k++)
        edge += out[k] + out[(N - 1) * N + k] + out[k * N] + out[k * N + N - 1];
      g_assert_true (ll_image_center_of_mass (out, N, N, &cx, &cy));
      g_test_message ("shape %d: %.4f of the ink inside, centre of mass (%.2f, %.2f)",
                      shape, sum_out / (sum_src * scale * scale), cx, cy);
      /* The area filter keeps the mass: ink × scale². */
      g_assert_cmpfloat (sum_out, >=, 0.999 * sum_src * scale * scale);
      /* Centring alone would have cut these: the box now touches an edge
       * and the centre of mass is off (14, 14) across it. */
      g_assert_cmpfloat (edge, >, 0.05);
      g_assert_cmpfloat (MAX (fabs (cx - 14), fabs (cy - 14)), >, 0.5);
    }
}

/* Small and off-centre or large and centred: the same 28 × 28. */
static void
test_invariance (void)
{
  g_autoptr(Canvas) big = canvas_new (400, 400);
  g_autoptr(Canvas) small = canvas_new (400, 400);
  float a[N * N], b[N * N];
  double max_diff = 0, mean_diff = 0;

  canvas_seven (big, 140, 100, 1.0);
  canvas_seven (small, 300, 20, 0.35);
  g_assert_true (ll_digit_preprocess (big->px, 400, 400, 400, a));
  g_assert_true (ll_digit_preprocess (small->px, 400, 400, 400, b));
  for (int i = 0; i < N * N; i++)
    {
      double d = fabs (a[i] - b[i]);
      max_diff = MAX (max_diff, d);
      mean_diff += d / (N * N);
    }
  g_test_message ("max diff %.4f, mean diff %.4f", max_diff, mean_diff);
  g_assert_cmpfloat (max_diff, <, 0.15);
  g_assert_cmpfloat (mean_diff, <, 0.02);
}

/* A stride wider than the image is honoured; ink above 1 saturates. */
static void
test_stride (void)
{
  g_autoptr(Canvas) c = canvas_new (300, 300);
  g_autofree float *wide = g_new0 (float, 300 * 320);
  float a[N * N], b[N * N];

  canvas_seven (c, 50, 40, 1.0);
  for (int y = 0; y < 300; y++)
    for (int x = 0; x < 320; x++)
      wide[y * 320 + x] = x < 300 ? c->px[y * 300 + x] : 9.f;  /* junk past the width */
  g_assert_true (ll_digit_preprocess (c->px, 300, 300, 300, a));
  g_assert_true (ll_digit_preprocess (wide, 300, 300, 320, b));
  for (int i = 0; i < N * N; i++)
    g_assert_cmpfloat (a[i], ==, b[i]);

  for (int i = 0; i < 300 * 320; i++)
    wide[i] = (i % 320) < 300 ? 3.f * wide[i] : 0.f;
  g_assert_true (ll_digit_preprocess (wide, 300, 300, 320, b));
  assert_in_unit_range (b, N * N);
}

/* An RGBA picture of a canvas, either polarity, and optionally transparent. */
static guint8 *
canvas_to_rgba (const Canvas *c, gboolean dark_on_light, gboolean transparent, int *stride)
{
  guint8 *rgba;

  *stride = c->w * 4 + 12;
  rgba = g_malloc0 ((gsize) *stride * c->h);
  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x++)
      {
        float v = c->px[y * c->w + x];
        guint8 *p = rgba + (gsize) y * *stride + 4 * x;
        if (transparent)
          {
            /* Black ink with coverage as alpha on a clear sheet. */
            p[0] = p[1] = p[2] = 0;
            p[3] = (guint8) lrintf (255 * v);
          }
        else
          {
            float g = dark_on_light ? 1.f - v : v;
            /* A slightly grey, slightly blue paper, as a photo has. */
            p[0] = (guint8) lrintf (235 * g + (dark_on_light ? 0 : 15));
            p[1] = (guint8) lrintf (235 * g + (dark_on_light ? 0 : 15));
            p[2] = (guint8) lrintf (240 * g + (dark_on_light ? 0 : 10));
            p[3] = 255;
          }
      }
  return rgba;
}

static double
correlation (const float *a, const float *b, int n)
{
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  for (int i = 0; i < n; i++)
    {
      ma += a[i] / n;
      mb += b[i] / n;
    }
  for (int i = 0; i < n; i++)
    {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
  return saa > 0 && sbb > 0 ? sab / sqrt (saa * sbb) : 0;
}

static void
test_polarity (void)
{
  g_autoptr(Canvas) c = canvas_new (240, 260);
  float ref[N * N], out[N * N];

  canvas_seven (c, 60, 30, 0.9);
  g_assert_true (ll_digit_preprocess (c->px, c->w, c->h, c->w, ref));

  for (int mode = 0; mode < 3; mode++)
    {
      int stride;
      g_autofree guint8 *rgba = canvas_to_rgba (c, mode == 1, mode == 2, &stride);
      double r;

      g_assert_true (ll_input_from_rgba (rgba, c->w, c->h, stride, N, N, 1, TRUE, out));
      assert_in_unit_range (out, N * N);
      r = correlation (ref, out, N * N);
      g_test_message ("mode %d: correlation %.4f", mode, r);
      g_assert_cmpfloat (r, >, 0.97);
      /* The ink is bright: MNIST's polarity. */
      g_assert_cmpfloat (out[0], <, 0.01f);
    }

  /* A blank sheet of paper has no digit on it. */
  {
    g_autoptr(Canvas) blank = canvas_new (64, 64);
    int stride;
    g_autofree guint8 *rgba = canvas_to_rgba (blank, TRUE, FALSE, &stride);
    g_assert_false (ll_input_from_rgba (rgba, 64, 64, stride, N, N, 1, TRUE, out));
  }
}

/* Not a digit: a plain resize, grayscale inverted on light backgrounds,
 * colour kept for three channels. */
static void
test_picture (void)
{
  const int w = 90, h = 60;
  g_autofree guint8 *rgba = g_malloc ((gsize) w * h * 4);
  float gray[N * N], color[32 * 32 * 3];

  /* A light background with a dark red rectangle in the middle third. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 *p = rgba + ((gsize) y * w + x) * 4;
        gboolean inside = x >= 30 && x < 60 && y >= 20 && y < 40;
        p[0] = inside ? 153 : 255;
        p[1] = inside ? 0 : 255;
        p[2] = inside ? 0 : 255;
        p[3] = 255;
      }

  g_assert_true (ll_input_from_rgba (rgba, w, h, w * 4, N, N, 1, FALSE, gray));
  assert_in_unit_range (gray, N * N);
  g_assert_cmpfloat (gray[0], <, 0.01f);                       /* background: black */
  g_assert_cmpfloat_with_epsilon (gray[14 * N + 14], 1 - 0.299 * 0.6, 0.01);

  g_assert_true (ll_input_from_rgba (rgba, w, h, w * 4, 32, 32, 3, FALSE, color));
  assert_in_unit_range (color, 32 * 32 * 3);
  g_assert_cmpfloat_with_epsilon (color[0], 1, 1e-5);         /* white stays white */
  g_assert_cmpfloat_with_epsilon (color[(16 * 32 + 16) * 3 + 0], 0.6, 0.01);
  g_assert_cmpfloat_with_epsilon (color[(16 * 32 + 16) * 3 + 1], 0, 0.01);
}

/* Real MNIST digits already have this form: preprocessing them again
 * changes little. */
static void
test_mnist (void)
{
  g_autoptr(LlDataset) ds = ll_test_mnist (TRUE, 300);
  gboolean real = ll_test_shared_data () != NULL && ds->n == 10000;
  int n = MIN (ds->n, 2000), n_close = 0, n_done = 0, n_moved = 0;
  double sum_r = 0;

  for (int i = 0; i < n; i++)
    {
      float img[N * N], out[N * N];
      double cx, cy;

      for (int p = 0; p < N * N; p++)
        img[p] = ds->images[(gsize) i * N * N + p] / 255.f;
      if (!ll_digit_preprocess (img, N, N, N, out))
        continue;
      n_done++;
      g_assert_true (ll_image_center_of_mass (out, N, N, &cx, &cy));
      if (fabs (cx - 14) >= 0.5 || fabs (cy - 14) >= 0.5)
        {
          /* Only to keep ink inside: then the ink touches an edge. */
          double edge = 0;
          for (int k = 0; k < N; k++)
            edge += out[k] + out[(N - 1) * N + k] + out[k * N] + out[k * N + N - 1];
          g_assert_cmpfloat (edge, >, 0);
          n_moved++;
        }
      if (real)
        {
          double r = correlation (img, out, N * N);
          sum_r += r;
          n_close += r > 0.9;
        }
    }
  g_assert_cmpint (n_done, ==, n);
  g_test_message ("%d of %d digits moved off centre to keep their ink", n_moved, n);
  /* 15 of the 10,000 real test digits would lose ink to centring by mass
   * (and 21 of the 10,000 training digits); the others keep it. */
  if (real)
    g_assert_cmpint (n_moved, <=, n / 200);
  if (real)
    {
      g_test_message ("%d of %d MNIST test digits correlate > 0.9 with themselves "
                      "preprocessed again (mean %.4f)", n_close, n, sum_r / n);
      g_assert_cmpfloat ((double) n_close / n, >=, 0.9);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/digit/center-of-mass", test_center_of_mass);
  g_test_add_func ("/engine/digit/resize", test_resize);
  g_test_add_func ("/engine/digit/empty", test_empty);
  g_test_add_func ("/engine/digit/bbox", test_bbox);
  g_test_add_func ("/engine/digit/center", test_center);
  g_test_add_func ("/engine/digit/keeps-ink", test_keeps_ink);
  g_test_add_func ("/engine/digit/invariance", test_invariance);
  g_test_add_func ("/engine/digit/stride", test_stride);
  g_test_add_func ("/engine/digit/polarity", test_polarity);
  g_test_add_func ("/engine/digit/picture", test_picture);
  g_test_add_func ("/engine/digit/mnist", test_mnist);

  return g_test_run ();
}
