/* ll-image.c: resampling primitives on float images.
 *
 * Coordinates: pixel i of an image has its centre at coordinate i (the
 * "index" convention).  Resampling is area averaging (a box filter):
 * every source pixel is a unit square, mapped by a scale and a translation
 * onto the output grid, and an output pixel takes the ink that falls into
 * it; enlarging is bilinear with half-pixel centres. */
#include "ll-image.h"

#include <math.h>
#include <string.h>

gboolean
ll_image_center_of_mass (const float *img, int w, int h, double *cx, double *cy)
{
  double sum = 0, sx = 0, sy = 0;

  g_return_val_if_fail (img != NULL || w * h == 0, FALSE);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double v = img[(gsize) y * w + x];
        if (v <= 0)
          continue;
        sum += v;
        sx += v * x;
        sy += v * y;
      }
  if (sum <= 0)
    {
      if (cx != NULL)
        *cx = 0;
      if (cy != NULL)
        *cy = 0;
      return FALSE;
    }
  if (cx != NULL)
    *cx = sx / sum;
  if (cy != NULL)
    *cy = sy / sum;
  return TRUE;
}

/* Half-pixel centres (as OpenCV's INTER_LINEAR and TensorFlow's
 * half_pixel_centers): the corners of the two images coincide. */
void
ll_image_resize (const float *src, int sw, int sh, int c, float *dst, int dw, int dh)
{
  double fx = (double) sw / dw, fy = (double) sh / dh;

  g_return_if_fail (src != NULL && dst != NULL);
  g_return_if_fail (sw > 0 && sh > 0 && dw > 0 && dh > 0 && c > 0);

  for (int y = 0; y < dh; y++)
    {
      double syf = CLAMP ((y + 0.5) * fy - 0.5, 0.0, sh - 1.0);
      int y0 = (int) syf, y1 = MIN (y0 + 1, sh - 1);
      float ty = (float) (syf - y0);

      for (int x = 0; x < dw; x++)
        {
          double sxf = CLAMP ((x + 0.5) * fx - 0.5, 0.0, sw - 1.0);
          int x0 = (int) sxf, x1 = MIN (x0 + 1, sw - 1);
          float tx = (float) (sxf - x0);
          const float *p00 = src + ((gsize) y0 * sw + x0) * c;
          const float *p01 = src + ((gsize) y0 * sw + x1) * c;
          const float *p10 = src + ((gsize) y1 * sw + x0) * c;
          const float *p11 = src + ((gsize) y1 * sw + x1) * c;
          float *q = dst + ((gsize) y * dw + x) * c;

          for (int k = 0; k < c; k++)
            {
              float top = p00[k] + tx * (p01[k] - p00[k]);
              float bottom = p10[k] + tx * (p11[k] - p10[k]);
              q[k] = top + ty * (bottom - top);
            }
        }
    }
}

/* Weights of the box filter along one axis: source cell i covers
 * [i·scale + offset, (i + 1)·scale + offset) on the output axis; the
 * overlap of that interval with output cell p is its weight.  Writes, per
 * source cell, the first output cell touched and up to max_taps weights. */
static void
box_weights (int n_src, double scale, double offset, int n_dst,
             int max_taps, int *first, float *weights)
{
  for (int i = 0; i < n_src; i++)
    {
      double a = i * scale + offset, b = a + scale;
      int p0 = (int) floor (a);

      first[i] = p0;
      for (int t = 0; t < max_taps; t++)
        {
          int p = p0 + t;
          double lo = MAX (a, (double) p), hi = MIN (b, (double) p + 1);
          weights[i * max_taps + t] = (p >= 0 && p < n_dst && hi > lo) ? (float) (hi - lo) : 0.f;
        }
    }
}

/* Area-averaging resample of a single-channel region (w × h at src with
 * row stride in floats) onto a dw × dh grid: source pixel (x, y) maps to
 * the square at (x·sx + ox, y·sy + oy) of size sx × sy.  Output values
 * are the mean of the ink inside each output pixel. */
void
ll_image_area_render (const float *src, int w, int h, int stride,
             double sx, double ox, double sy, double oy,
             float *dst, int dw, int dh)
{
  int taps_x = (int) ceil (sx) + 1, taps_y = (int) ceil (sy) + 1;
  g_autofree int *fx = g_new (int, w);
  g_autofree int *fy = g_new (int, h);
  g_autofree float *wx = g_new (float, (gsize) w * taps_x);
  g_autofree float *wy = g_new (float, (gsize) h * taps_y);
  g_autofree float *row = g_new (float, dw);

  box_weights (w, sx, ox, dw, taps_x, fx, wx);
  box_weights (h, sy, oy, dh, taps_y, fy, wy);
  memset (dst, 0, sizeof (float) * dw * dh);

  for (int y = 0; y < h; y++)
    {
      const float *s = src + (gsize) y * stride;
      gboolean any = FALSE;

      /* Horizontal pass of one source row, then spread it vertically. */
      memset (row, 0, sizeof (float) * dw);
      for (int x = 0; x < w; x++)
        {
          float v = s[x];
          if (v == 0.f)
            continue;
          any = TRUE;
          for (int t = 0; t < taps_x; t++)
            {
              int p = fx[x] + t;
              if (p >= 0 && p < dw)
                row[p] += v * wx[x * taps_x + t];
            }
        }
      if (!any)
        continue;
      for (int t = 0; t < taps_y; t++)
        {
          int q = fy[y] + t;
          float wt = wy[y * taps_y + t];
          if (q < 0 || q >= dh || wt == 0.f)
            continue;
          for (int p = 0; p < dw; p++)
            dst[(gsize) q * dw + p] += wt * row[p];
        }
    }
  /* Each output pixel is an average, so full coverage by ink of 1 gives 1
   * whatever the scale; clamp the rounding. */
  for (int i = 0; i < dw * dh; i++)
    dst[i] = CLAMP (dst[i], 0.f, 1.f);
}
