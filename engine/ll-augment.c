/* ll-augment.c: random distortions of training images.
 *
 * One image at a time: an affine map (rotation, slant, zoom, aspect,
 * shift) and an elastic displacement field (Simard, Steinkraus and Platt,
 * "Best practices for convolutional neural networks applied to visual
 * document analysis", 2003: a field of uniform random displacements
 * smoothed by a Gaussian of sigma pixels and scaled by alpha) are combined
 * into one inverse mapping and sampled bilinearly at twice the
 * resolution; there the strokes are thickened or thinned by grey-level
 * dilation or erosion, by half pixels, and the result averaged back.  A digit that is
 * fitted again afterwards is drawn on a canvas with a margin, so that
 * nothing is cut before the fit. */
#include "ll-augment.h"
#include "ll-digit.h"
#include "ll-image.h"

#include <math.h>
#include <string.h>

#define DIGIT_SIZE 28
#define SUPERSAMPLE 2

static const LlAugment recipes[] = {
  /* Tuned on digits rendered in fonts and drawn through the Draw view's
   * pad (tests/ll-test-digits.c), see tools/train-default-model.sh. */
  { .name = "digits", .p_keep = 0.15, .rotate = 15, .shear = 0.3, .scale = 0.15, .aspect = 0.2,
    .shift = 2.0, .elastic_alpha = 30, .elastic_sigma = 4.5, .width_min = 1.2, .width_max = 4.5,
    .contrast = 0.3,
    .p_refit = 0.75 },
};

static const char *const recipe_names[] = { "digits", NULL };

const LlAugment *
ll_augment_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (recipes); i++)
    if (g_strcmp0 (recipes[i].name, name) == 0)
      return &recipes[i];
  return NULL;
}

const char *const *
ll_augment_names (void)
{
  return recipe_names;
}

static double
uniform_in (LlRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * ll_rng_uniform (rng);
}

/* A random displacement field, uniform in [−1, 1] and smoothed by a
 * Gaussian of sigma pixels (separable, zero outside), scaled by alpha. */
static void
elastic_field (LlRng *rng, double alpha, double sigma, int w, int h, float *field, float *tmp)
{
  int radius = MAX (1, (int) ceil (3 * sigma));
  g_autofree float *kernel = g_new (float, 2 * radius + 1);
  double ksum = 0;

  for (int k = -radius; k <= radius; k++)
    ksum += kernel[k + radius] = (float) exp (-0.5 * k * k / (sigma * sigma));
  for (int k = 0; k <= 2 * radius; k++)
    kernel[k] = (float) (kernel[k] / ksum);

  for (int i = 0; i < w * h; i++)
    field[i] = (float) uniform_in (rng, -1, 1);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float s = 0;
        for (int k = MAX (-radius, -x); k <= MIN (radius, w - 1 - x); k++)
          s += kernel[k + radius] * field[y * w + x + k];
        tmp[y * w + x] = s;
      }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float s = 0;
        for (int k = MAX (-radius, -y); k <= MIN (radius, h - 1 - y); k++)
          s += kernel[k + radius] * tmp[(y + k) * w + x];
        field[y * w + x] = (float) (alpha * s);
      }
}

/* Bilinear sample of channel k at (x, y), pixel i centred at i; 0 outside. */
static float
sample (const float *img, int w, int h, int c, int k, double x, double y)
{
  int x0 = (int) floor (x), y0 = (int) floor (y);
  float tx = (float) (x - x0), ty = (float) (y - y0), v = 0;

  for (int dy = 0; dy < 2; dy++)
    for (int dx = 0; dx < 2; dx++)
      {
        int xx = x0 + dx, yy = y0 + dy;
        if (xx >= 0 && xx < w && yy >= 0 && yy < h)
          v += (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty) * img[((gsize) yy * w + xx) * c + k];
      }
  return v;
}

/* One step of grey-level dilation (grow) or erosion with a 3 × 3 cross:
 * strokes get a pixel wider or narrower on each side; frac blends a part
 * of a step. */
static void
morph_step (float *img, int w, int h, int c, gboolean grow, float frac, float *tmp)
{
  for (int k = 0; k < c; k++)
    {
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            float v = img[((gsize) y * w + x) * c + k], m = v;
            const int nx[4] = { x - 1, x + 1, x, x }, ny[4] = { y, y, y - 1, y + 1 };
            for (int n = 0; n < 4; n++)
              {
                float u = (nx[n] >= 0 && nx[n] < w && ny[n] >= 0 && ny[n] < h)
                          ? img[((gsize) ny[n] * w + nx[n]) * c + k] : 0.f;
                m = grow ? MAX (m, u) : MIN (m, u);
              }
            tmp[(gsize) y * w + x] = v + frac * (m - v);
          }
      for (gsize i = 0; i < (gsize) w * h; i++)
        img[i * c + k] = tmp[i];
    }
}

/* Mean width of the strokes: twice the ink over its outline's length
 * (the total variation of the image), which for a long stroke of width
 * w and length l is 2·w·l / 2·l. */
static double
stroke_width (const float *img, int w, int h, int c)
{
  double ink = 0, outline = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int k = 0; k < c; k++)
        {
          double v = img[((gsize) y * w + x) * c + k];
          double dx = (x + 1 < w ? img[((gsize) y * w + x + 1) * c + k] : 0) - v;
          double dy = (y + 1 < h ? img[((gsize) (y + 1) * w + x) * c + k] : 0) - v;
          ink += v;
          outline += sqrt (dx * dx + dy * dy);
        }
  return outline > 0 ? 2 * ink / outline : 0;
}

void
ll_augment_image (const LlAugment *aug, LlRng *rng, float *img, int h, int w, int c)
{
  gboolean refit;
  double angle, shear, zoom, aspect, sx, sy, tx = 0, ty = 0, width = 0, cut;
  double a, b, cc, d, det, ia, ib, ic, id, scx = (w - 1) / 2.0, scy = (h - 1) / 2.0, ocx, ocy;
  int cw, ch, sw, sh, margin;
  g_autofree float *canvas = NULL;
  g_autofree float *field = NULL;
  g_autofree float *tmp = NULL;

  g_return_if_fail (aug != NULL && rng != NULL && img != NULL && h > 0 && w > 0 && c > 0);

  if (ll_rng_uniform (rng) < aug->p_keep)
    return;
  refit = c == 1 && h == DIGIT_SIZE && w == DIGIT_SIZE && ll_rng_uniform (rng) < aug->p_refit;
  angle = uniform_in (rng, -aug->rotate, aug->rotate) * G_PI / 180;
  shear = uniform_in (rng, -aug->shear, aug->shear);
  zoom = uniform_in (rng, 1 - aug->scale, 1 + aug->scale);
  aspect = uniform_in (rng, 1 - aug->aspect, 1 + aug->aspect);
  if (aug->width_max > 0)
    width = uniform_in (rng, aug->width_min, aug->width_max);
  cut = uniform_in (rng, 0, aug->contrast);
  if (!refit)
    {
      tx = uniform_in (rng, -aug->shift, aug->shift);
      ty = uniform_in (rng, -aug->shift, aug->shift);
    }
  else
    zoom = 1;       /* the fit decides the size */
  sx = zoom * sqrt (aspect);
  sy = zoom / sqrt (aspect);

  /* Turn about the centre of mass, so that a rotation does not also move
   * the digit. */
  if (c == 1)
    ll_image_center_of_mass (img, w, h, &scx, &scy);

  /* Forward map p' = M (p − s) + o + t with M = scale · rotation · slant. */
  a = sx * cos (angle);
  b = sx * (cos (angle) * shear - sin (angle));
  cc = sy * sin (angle);
  d = sy * (sin (angle) * shear + cos (angle));
  det = a * d - b * cc;
  ia = d / det;
  ib = -b / det;
  ic = -cc / det;
  id = a / det;

  margin = refit ? w / 2 : 0;
  cw = w + 2 * margin;
  ch = h + 2 * margin;
  ocx = scx + margin;
  ocy = scy + margin;
  if (aug->elastic_alpha > 0)
    {
      field = g_new (float, (gsize) cw * ch * 2);
      tmp = g_new (float, (gsize) cw * ch);
      elastic_field (rng, aug->elastic_alpha, aug->elastic_sigma, cw, ch, field, tmp);
      elastic_field (rng, aug->elastic_alpha, aug->elastic_sigma, cw, ch, field + cw * ch, tmp);
      g_clear_pointer (&tmp, g_free);
    }

  /* Drawn at twice the resolution, so that strokes can grow and shrink
   * by half pixels and a thin stroke thinned further stays a faint line
   * instead of breaking up. */
  sw = SUPERSAMPLE * cw;
  sh = SUPERSAMPLE * ch;
  canvas = g_new (float, (gsize) sw * sh * c);
  tmp = g_new (float, (gsize) sw * sh);
  for (int y = 0; y < sh; y++)
    for (int x = 0; x < sw; x++)
      {
        double fx = (x + 0.5) / SUPERSAMPLE - 0.5, fy = (y + 0.5) / SUPERSAMPLE - 0.5;
        double u = fx - ocx - tx, v = fy - ocy - ty;
        double px = scx + ia * u + ib * v, py = scy + ic * u + id * v;
        if (field != NULL)
          {
            px += sample (field, cw, ch, 1, 0, fx, fy);
            py += sample (field + cw * ch, cw, ch, 1, 0, fx, fy);
          }
        for (int k = 0; k < c; k++)
          canvas[((gsize) y * sw + x) * c + k] = sample (img, w, h, c, k, px, py);
      }

  /* The strokes made as wide as a thin or a thick pen draws them: by
   * half the change on each side. */
  if (width > 0)
    {
      double grow = (width - stroke_width (canvas, sw, sh, c) / SUPERSAMPLE) / 2;
      for (double left = fabs (grow) * SUPERSAMPLE; left > 1e-3; left -= 1)
        morph_step (canvas, sw, sh, c, grow > 0, (float) MIN (left, 1.0), tmp);
      if (grow < 0 && c == 1)
        {
          /* Erosion and the averaging back dim a thin stroke; a thin pen
           * still draws at full strength. */
          float max_v = 0;
          for (gsize i = 0; i < (gsize) sw * sh; i++)
            max_v = MAX (max_v, canvas[i]);
          if (max_v > 0.3f && max_v < 1.f)
            for (gsize i = 0; i < (gsize) sw * sh; i++)
              canvas[i] /= max_v;
        }
    }

  {
    float max_v = 0;
    for (gsize i = 0; i < (gsize) sw * sh * c; i++)
      max_v = MAX (max_v, canvas[i]);
    /* Moved out of sight: keep the original. */
    if (max_v < 0.3f)
      return;
  }
  if (refit)
    {
      float fitted[DIGIT_SIZE * DIGIT_SIZE];
      if (ll_digit_preprocess (canvas, sw, sh, sw, fitted))
        memcpy (img, fitted, sizeof fitted);
    }
  else
    for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int k = 0; k < c; k++)
        {
          float v = 0;
          for (int dy = 0; dy < SUPERSAMPLE; dy++)
            for (int dx = 0; dx < SUPERSAMPLE; dx++)
              v += canvas[((gsize) (SUPERSAMPLE * y + dy) * sw + SUPERSAMPLE * x + dx) * c + k];
          img[((gsize) y * w + x) * c + k] = CLAMP (v / (SUPERSAMPLE * SUPERSAMPLE), 0.f, 1.f);
        }

  /* Sharper edges, as a picture's contrast stretch gives them. */
  if (cut > 0)
    for (gsize i = 0; i < (gsize) w * h * c; i++)
      img[i] = (float) CLAMP ((img[i] - cut) / (1 - 2 * cut), 0.0, 1.0);
}

void
ll_augment_batch (const LlAugment *aug, LlRng *rng, float *x, int n, int h, int w, int c)
{
  g_return_if_fail (aug != NULL && rng != NULL && (x != NULL || n == 0));

  for (int i = 0; i < n; i++)
    ll_augment_image (aug, rng, x + (gsize) i * h * w * c, h, w, c);
}
