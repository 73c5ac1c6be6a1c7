/* ll-digit.c: MNIST-style preprocessing of drawings and pictures.
 *
 * Coordinates: pixel i of an image has its centre at coordinate i (the
 * "index" convention).  The centre of mass of the real MNIST test digits
 * measured this way is (14.01, 13.99) with a spread of 0.29 px, which is
 * what MNIST's integer shift of the centre of mass to (14, 14) produces.
 *
 * Resampling is area averaging (a box filter): every source pixel is a
 * unit square, mapped by a scale and a translation onto the output grid,
 * and an output pixel takes the ink that falls into it.  This is
 * anti-aliased when shrinking a large canvas and allows a sub-pixel
 * placement without the extra blur of a second, bilinear, resampling.  We
 * place the centre of mass exactly at (14, 14) rather than rounding the
 * shift as MNIST did: the result stays within MNIST's half-pixel spread,
 * and it changes continuously with the drawing, so the prediction does not
 * flicker while a stroke moves by a pixel.
 *
 * Centring by mass alone can push ink off the 28×28: a 7 whose mass sits
 * in its bar has its tail below the edge, a 4 with a long bar loses its
 * end.  The ink's box (at most 20 pixels) always fits, so the placement
 * is the centred one moved by the least that keeps the whole box inside;
 * MNIST's own digits, whose boxes already fit, keep their centring.
 */
#include "ll-digit.h"
#include "ll-image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIGIT_SIZE 28
#define DIGIT_BOX 20.0
#define DIGIT_CENTER 14.0

/* The offset that puts the ink's box [offset, offset + extent) inside
 * [0, DIGIT_SIZE), as close as possible to the wanted one. */
static double
keep_inside (double offset, double extent)
{
  return CLAMP (offset, 0.0, MAX (0.0, DIGIT_SIZE - extent));
}

gboolean
ll_digit_preprocess (const float *src, int width, int height, int stride, float *out)
{
  float max_v = 0;
  int x0 = width, x1 = -1, y0 = height, y1 = -1;
  double sum = 0, mx = 0, my = 0, scale, ox, oy, cx, cy;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof (float) * DIGIT_SIZE * DIGIT_SIZE);
  g_return_val_if_fail (src != NULL && width > 0 && height > 0 && stride >= width, FALSE);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      max_v = MAX (max_v, src[(gsize) y * stride + x]);
  if (!(max_v > 1e-4f))
    return FALSE;

  /* The bounding box ignores the faintest anti-aliasing fringe and noise
   * so that a speck of dust does not decide the scale. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (src[(gsize) y * stride + x] > 0.1f * max_v)
        {
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }

  /* The longer side of the box becomes 20 pixels. */
  scale = DIGIT_BOX / MAX (x1 - x0 + 1, y1 - y0 + 1);

  /* Centre of mass of the cropped ink in source pixel-edge coordinates
   * (pixel x spans [x, x + 1)), mapped to where it lands. */
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        double v = CLAMP (src[(gsize) y * stride + x], 0.f, 1.f);
        sum += v;
        mx += v * (x - x0 + 0.5);
        my += v * (y - y0 + 0.5);
      }
  mx /= sum;
  my /= sum;
  /* Output pixel p spans [p, p + 1), so its centre, index p, is at p + 0.5. */
  ox = keep_inside (DIGIT_CENTER + 0.5 - mx * scale, (x1 - x0 + 1) * scale);
  oy = keep_inside (DIGIT_CENTER + 0.5 - my * scale, (y1 - y0 + 1) * scale);

  {
    const float *crop = src + (gsize) y0 * stride + x0;
    int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
    g_autofree float *clamped = NULL;

    /* Inputs are meant to lie in [0, 1]; take a clamped copy otherwise so
     * that the box filter's averages stay meaningful. */
    if (max_v > 1.f)
      {
        clamped = g_new (float, (gsize) cw * ch);
        for (int y = 0; y < ch; y++)
          for (int x = 0; x < cw; x++)
            clamped[(gsize) y * cw + x] = MIN (crop[(gsize) y * stride + x], 1.f);
        crop = clamped;
        stride = cw;
      }

    ll_image_area_render (crop, cw, ch, stride, scale, ox, scale, oy, out, DIGIT_SIZE, DIGIT_SIZE);

    /* The box filter moves the centre of mass by a fraction of a pixel;
     * correct once, as MNIST measured the centre on the resized image,
     * still keeping the ink inside. */
    if (ll_image_center_of_mass (out, DIGIT_SIZE, DIGIT_SIZE, &cx, &cy))
      {
        double nx = keep_inside (ox + DIGIT_CENTER - cx, cw * scale);
        double ny = keep_inside (oy + DIGIT_CENTER - cy, ch * scale);
        if (fabs (nx - ox) > 0.01 || fabs (ny - oy) > 0.01)
          {
            ox = nx;
            oy = ny;
            ll_image_area_render (crop, cw, ch, stride, scale, ox, scale, oy, out, DIGIT_SIZE, DIGIT_SIZE);
          }
      }
  }
  return TRUE;
}

/* ----- Pictures: photos, scans and image files ----- */

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* Median of the pixels in a band along the four edges of a w × h image. */
static float
border_median (const float *img, int w, int h)
{
  int band = MAX (1, MIN (w, h) / 20);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (float));

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (x < band || y < band || x >= w - band || y >= h - band)
        g_array_append_val (values, img[(gsize) y * w + x]);
  qsort (values->data, values->len, sizeof (float), compare_floats);
  return g_array_index (values, float, values->len / 2);
}

static float
percentile (const float *img, gsize n, double q)
{
  g_autofree float *sorted = g_memdup2 (img, n * sizeof (float));

  qsort (sorted, n, sizeof (float), compare_floats);
  return sorted[MIN (n - 1, (gsize) (q * (n - 1) + 0.5))];
}

/* Shrinks by area averaging (no aliasing of fine detail), enlarges
 * bilinearly; c interleaved channels, aspect ratio not kept. */
static void
resize_any (const float *src, int sw, int sh, int c, float *dst, int dw, int dh)
{
  if (dw >= sw && dh >= sh)
    {
      ll_image_resize (src, sw, sh, c, dst, dw, dh);
      return;
    }

  {
    g_autofree float *plane = g_new (float, (gsize) sw * sh);
    g_autofree float *small = g_new (float, (gsize) dw * dh);

    for (int k = 0; k < c; k++)
      {
        for (gsize i = 0; i < (gsize) sw * sh; i++)
          plane[i] = src[i * c + k];
        ll_image_area_render (plane, sw, sh, sw, (double) dw / sw, 0, (double) dh / sh, 0,
                     small, dw, dh);
        for (gsize i = 0; i < (gsize) dw * dh; i++)
          dst[i * c + k] = small[i];
      }
  }
}

gboolean
ll_input_from_rgba (const guint8 *rgba, int w, int h, int stride,
                    int out_h, int out_w, int out_c, gboolean digit, float *out)
{
  gsize n = (gsize) w * h;
  g_autofree float *color = NULL;
  g_autofree float *gray = NULL;
  double alpha_sum = 0, opaque_lum = 0, opaque_n = 0;
  float backdrop;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out_h > 0 && out_w > 0 && (out_c == 1 || out_c == 3), FALSE);
  memset (out, 0, sizeof (float) * out_h * out_w * out_c);
  g_return_val_if_fail (rgba != NULL && w > 0 && h > 0 && stride >= 4 * w, FALSE);

  /* Transparent pixels are background: composite over white when the
   * visible content is dark (ink on a transparent sheet), over black when
   * it is light. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = rgba + (gsize) y * stride + 4 * x;
        double a = p[3] / 255.0;
        alpha_sum += a;
        if (a > 0.5)
          {
            opaque_lum += (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255.0;
            opaque_n++;
          }
      }
  backdrop = (opaque_n > 0 && opaque_lum / opaque_n < 0.5) ? 1.f : 0.f;
  if (alpha_sum >= 0.999 * n)
    backdrop = 0.f;   /* opaque: unused */

  color = g_new (float, n * 3);
  gray = g_new (float, n);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = rgba + (gsize) y * stride + 4 * x;
        float a = p[3] / 255.f;
        float *q = color + ((gsize) y * w + x) * 3;
        for (int k = 0; k < 3; k++)
          q[k] = a * (p[k] / 255.f) + (1.f - a) * backdrop;
        gray[(gsize) y * w + x] = 0.299f * q[0] + 0.587f * q[1] + 0.114f * q[2];
      }

  if (digit)
    {
      float paper, ink, range;
      float digit28[DIGIT_SIZE * DIGIT_SIZE];

      /* Dark ink on light paper (a scan, a photo) is inverted: MNIST has
       * light ink on black.  The paper is what the border mostly shows. */
      paper = border_median (gray, w, h);
      if (paper > 0.5f)
        for (gsize i = 0; i < n; i++)
          gray[i] = 1.f - gray[i];
      paper = MIN (paper, 1.f - paper);

      /* Stretch so that the paper is 0 and the ink 1; what is barely
       * above the paper (shading, noise, JPEG ringing) becomes paper. */
      ink = percentile (gray, n, 0.999);
      range = ink - paper;
      if (range < 0.1f)
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          float v = (gray[i] - paper) / range;
          v = (v - 0.15f) / 0.85f;
          gray[i] = CLAMP (v, 0.f, 1.f);
        }

      if (!ll_digit_preprocess (gray, w, h, w, digit28))
        return FALSE;
      if (out_h == DIGIT_SIZE && out_w == DIGIT_SIZE && out_c == 1)
        memcpy (out, digit28, sizeof digit28);
      else
        {
          g_autofree float *resized = g_new (float, (gsize) out_h * out_w);
          ll_image_resize (digit28, DIGIT_SIZE, DIGIT_SIZE, 1, resized, out_w, out_h);
          for (gsize i = 0; i < (gsize) out_h * out_w; i++)
            for (int k = 0; k < out_c; k++)
              out[i * out_c + k] = resized[i];
        }
      return TRUE;
    }

  if (out_c == 1)
    {
      /* Fashion-MNIST shows light objects on black. */
      if (border_median (gray, w, h) > 0.5f)
        for (gsize i = 0; i < n; i++)
          gray[i] = 1.f - gray[i];
      resize_any (gray, w, h, 1, out, out_w, out_h);
    }
  else
    resize_any (color, w, h, 3, out, out_w, out_h);
  return TRUE;
}
