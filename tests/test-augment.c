/* test-augment.c: random distortions of training images: the same seed
 * gives the same images, ink is kept (moved, bent, thickened or thinned,
 * never lost or cut), shapes and value ranges are kept, and each
 * distortion does what it says on its own. */
#include "ll-augment.h"
#include "ll-image.h"
#include "ll-test-util.h"

#include <math.h>
#include <string.h>

#define N 28
#define SIZE (N * N)

/* A "7" of real-looking strokes: a bar and a slanted stem, anti-aliased. */
static void
draw_seven (float *img)
{
  memset (img, 0, sizeof (float) * SIZE);
  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++)
      {
        double bar = (y >= 5 && y <= 7 && x >= 7 && x <= 20) ? 1 : 0;
        /* Stem from (20, 6) to (11, 23), 2.5 pixels wide. */
        double t = CLAMP (((x - 20) * -9.0 + (y - 6) * 17.0) / (81 + 289), 0, 1);
        double d = hypot (x - (20 - 9 * t), y - (6 + 17 * t));
        double stem = CLAMP (1.75 - d, 0, 1);
        img[y * N + x] = (float) MAX (bar, stem);
      }
}

static double
mass (const float *img, int n)
{
  double s = 0;
  for (int i = 0; i < n; i++)
    s += img[i];
  return s;
}

/* Twice the ink over the outline's length (the total variation). */
static double
stroke_width (const float *img)
{
  double ink = 0, outline = 0;

  for (int y = 0; y < N; y++)
    for (int x = 0; x < N; x++)
      {
        double v = img[y * N + x];
        double dx = (x + 1 < N ? img[y * N + x + 1] : 0) - v;
        double dy = (y + 1 < N ? img[(y + 1) * N + x] : 0) - v;
        ink += v;
        outline += sqrt (dx * dx + dy * dy);
      }
  return 2 * ink / outline;
}

static void
assert_unit_range (const float *img, int n)
{
  for (int i = 0; i < n; i++)
    g_assert_true (img[i] >= 0.f && img[i] <= 1.f);
}

static void
test_lookup (void)
{
  const char *const *names = ll_augment_names ();

  g_assert_nonnull (names[0]);
  for (int i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (ll_augment_lookup (names[i])->name, ==, names[i]);
  g_assert_nonnull (ll_augment_lookup ("digits"));
  g_assert_null (ll_augment_lookup ("nonsense"));
  g_assert_null (ll_augment_lookup (NULL));
}

/* The same seed, the same batch; another seed, another batch; the
 * originals are changed (most of them). */
static void
test_deterministic (void)
{
  const LlAugment *aug = ll_augment_lookup ("digits");
  g_autoptr(LlDataset) ds = ll_test_mnist (FALSE, 64);
  const int n = 64;
  g_autofree float *a = g_new (float, (gsize) n * SIZE);
  g_autofree float *b = g_new (float, (gsize) n * SIZE);
  g_autofree float *c = g_new (float, (gsize) n * SIZE);
  g_autofree float *orig = g_new (float, (gsize) n * SIZE);
  g_autofree guint32 *idx = g_new (guint32, n);
  LlRng r1, r2, r3;
  int changed = 0, differ = 0;

  for (int i = 0; i < n; i++)
    idx[i] = (guint32) i;
  ll_dataset_fill_batch (ds, idx, n, orig, NULL);
  memcpy (a, orig, sizeof (float) * n * SIZE);
  memcpy (b, orig, sizeof (float) * n * SIZE);
  memcpy (c, orig, sizeof (float) * n * SIZE);
  ll_rng_seed (&r1, 5);
  ll_rng_seed (&r2, 5);
  ll_rng_seed (&r3, 6);
  ll_augment_batch (aug, &r1, a, n, N, N, 1);
  ll_augment_batch (aug, &r2, b, n, N, N, 1);
  ll_augment_batch (aug, &r3, c, n, N, N, 1);
  g_assert_cmpmem (a, sizeof (float) * n * SIZE, b, sizeof (float) * n * SIZE);
  /* The generators were used alike. */
  g_assert_cmpuint (ll_rng_next (&r1), ==, ll_rng_next (&r2));
  for (int i = 0; i < n; i++)
    {
      changed += memcmp (a + i * SIZE, orig + i * SIZE, sizeof (float) * SIZE) != 0;
      differ += memcmp (a + i * SIZE, c + i * SIZE, sizeof (float) * SIZE) != 0;
    }
  g_test_message ("%d of %d changed; %d differ between seeds", changed, n, differ);
  /* p_keep of them stay as they are. */
  g_assert_cmpint (changed, >=, n * (1 - aug->p_keep) - 10);
  g_assert_cmpint (changed, <, n);
  g_assert_cmpint (differ, >=, n * 3 / 4);
}

/* Every image keeps its ink: none is emptied, the amount changes within
 * what thickening and thinning do, and a refitted digit sits inside the
 * 28 × 28 with its centre of mass near the middle, as a drawing does. */
static void
test_ink_kept (void)
{
  const LlAugment *aug = ll_augment_lookup ("digits");
  g_autoptr(LlDataset) ds = ll_test_mnist (FALSE, 500);
  int n = MIN (ds->n, 500), n_centred = 0;
  double lo = G_MAXDOUBLE, hi = 0;
  LlRng rng;

  ll_rng_seed (&rng, 11);
  for (int i = 0; i < n; i++)
    {
      float img[SIZE];
      guint32 k = (guint32) i;
      double before, after, cx, cy;

      ll_dataset_fill_batch (ds, &k, 1, img, NULL);
      before = mass (img, SIZE);
      ll_augment_image (aug, &rng, img, N, N, 1);
      after = mass (img, SIZE);
      assert_unit_range (img, SIZE);
      g_assert_true (ll_image_center_of_mass (img, N, N, &cx, &cy));
      n_centred += fabs (cx - 14) < 0.6 && fabs (cy - 14) < 0.6;
      lo = MIN (lo, after / before);
      hi = MAX (hi, after / before);
    }
  g_test_message ("ink after / before: %.2f to %.2f; %d of %d centred", lo, hi, n_centred, n);
  g_assert_cmpfloat (lo, >, 0.3);
  g_assert_cmpfloat (hi, <, 3.5);
  /* p_refit of those changed are fitted again like a drawing. */
  g_assert_cmpint (n_centred, >=, n * (1 - aug->p_keep) * aug->p_refit * 0.8);
}

/* One distortion at a time, on a "7". */
static void
test_each (void)
{
  float seven[SIZE], img[SIZE];
  double m0, w0, cx0, cy0, cx, cy;
  LlRng rng;

  draw_seven (seven);
  m0 = mass (seven, SIZE);
  w0 = stroke_width (seven);
  ll_image_center_of_mass (seven, N, N, &cx0, &cy0);
  ll_rng_seed (&rng, 3);

  /* Nothing asked: only the resampling's slight blur (it draws at twice
   * the resolution and averages back). */
  {
    LlAugment none = { 0 };
    double diff = 0;
    memcpy (img, seven, sizeof img);
    ll_augment_image (&none, &rng, img, N, N, 1);
    ll_image_center_of_mass (img, N, N, &cx, &cy);
    for (int i = 0; i < SIZE; i++)
      diff += fabs (img[i] - seven[i]);
    g_assert_cmpfloat (fabs (mass (img, SIZE) - m0), <, 0.01 * m0);
    g_assert_cmpfloat (diff, <, 0.2 * m0);
    g_assert_cmpfloat (fabs (cx - cx0), <, 0.01);
    g_assert_cmpfloat (fabs (cy - cy0), <, 0.01);
  }
  /* p_keep 1: kept as it is. */
  {
    LlAugment keep = { .p_keep = 1, .rotate = 30, .elastic_alpha = 30, .elastic_sigma = 4 };
    memcpy (img, seven, sizeof img);
    ll_augment_image (&keep, &rng, img, N, N, 1);
    g_assert_cmpmem (img, sizeof img, seven, sizeof seven);
  }
  /* Shifts move the ink by at most the shift and keep its amount. */
  for (int i = 0; i < 20; i++)
    {
      LlAugment shift = { .shift = 3 };
      memcpy (img, seven, sizeof img);
      ll_augment_image (&shift, &rng, img, N, N, 1);
      ll_image_center_of_mass (img, N, N, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - cx0), <=, 3.01);
      g_assert_cmpfloat (fabs (cy - cy0), <=, 3.01);
      g_assert_cmpfloat (fabs (mass (img, SIZE) - m0), <, 0.03 * m0);
    }
  /* Rotation turns about the centre of mass: it stays, the ink too. */
  for (int i = 0; i < 20; i++)
    {
      LlAugment turn = { .rotate = 20 };
      memcpy (img, seven, sizeof img);
      ll_augment_image (&turn, &rng, img, N, N, 1);
      ll_image_center_of_mass (img, N, N, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - cx0), <, 0.3);
      g_assert_cmpfloat (fabs (cy - cy0), <, 0.3);
      g_assert_cmpfloat (fabs (mass (img, SIZE) - m0), <, 0.08 * m0);
    }
  /* A zoom scales the amount of ink by its square. */
  for (int i = 0; i < 20; i++)
    {
      LlAugment zoom = { .scale = 0.2 };
      double ratio, sx;
      memcpy (img, seven, sizeof img);
      ll_augment_image (&zoom, &rng, img, N, N, 1);
      ratio = mass (img, SIZE) / m0;
      sx = sqrt (ratio);
      g_assert_cmpfloat (sx, >, 0.78);
      g_assert_cmpfloat (sx, <, 1.22);
    }
  /* An elastic field bends strokes: pixels change, the ink stays about the same. */
  {
    LlAugment bend = { .elastic_alpha = 34, .elastic_sigma = 4 };
    double diff = 0;
    memcpy (img, seven, sizeof img);
    ll_augment_image (&bend, &rng, img, N, N, 1);
    for (int i = 0; i < SIZE; i++)
      diff += fabs (img[i] - seven[i]);
    g_test_message ("elastic: %.1f of %.1f ink moved, %.1f now", diff / 2, m0, mass (img, SIZE));
    g_assert_cmpfloat (diff, >, 0.1 * m0);
    g_assert_cmpfloat (fabs (mass (img, SIZE) - m0), <, 0.15 * m0);
  }
  /* Strokes made as wide as asked (twice the ink over the outline's
   * length); thicker ones have more ink, thinner ones less, and both are
   * drawn at full strength. */
  for (int i = 0; i < 3; i++)
    {
      const double want[3] = { 1.5, 3, 4.5 };
      LlAugment pen = { .width_min = want[i], .width_max = want[i] };
      float max_v = 0;
      double got;
      memcpy (img, seven, sizeof img);
      ll_augment_image (&pen, &rng, img, N, N, 1);
      for (int p = 0; p < SIZE; p++)
        max_v = MAX (max_v, img[p]);
      got = stroke_width (img);
      g_test_message ("stroke %.2f asked for %.1f: ink %.1f -> %.1f", got, want[i], m0, mass (img, SIZE));
      g_assert_cmpfloat (max_v, >, 0.95f);
      /* A thin line in the 28 × 28 is blurred over two pixels and reads
       * wider than drawn. */
      if (want[i] < w0)
        {
          g_assert_cmpfloat (got, <, w0 - 0.5);
          g_assert_cmpfloat (mass (img, SIZE), <, 0.75 * m0);
        }
      else
        {
          g_assert_cmpfloat (fabs (got - want[i]), <, 0.5);
          g_assert_cmpfloat (mass (img, SIZE), >, m0 * (want[i] / w0 - 0.15));
        }
    }
  /* A contrast cut sharpens: fewer grey pixels than the same draw without
   * it, and ink only where there was ink. */
  {
    LlAugment plain = { .contrast = 0 }, cut = { .contrast = 0.4 };
    float soft[SIZE];
    int grey_soft = 0, grey_cut = 0;
    LlRng r1, r2;
    ll_rng_seed (&r1, 8);
    ll_rng_seed (&r2, 8);
    memcpy (soft, seven, sizeof soft);
    memcpy (img, seven, sizeof img);
    ll_augment_image (&plain, &r1, soft, N, N, 1);
    ll_augment_image (&cut, &r2, img, N, N, 1);
    for (int p = 0; p < SIZE; p++)
      {
        grey_soft += soft[p] > 0.02f && soft[p] < 0.98f;
        grey_cut += img[p] > 0.02f && img[p] < 0.98f;
        g_assert_cmpfloat (img[p] > 0, <=, soft[p] > 0);
      }
    g_test_message ("contrast: %d grey pixels, %d without", grey_cut, grey_soft);
    g_assert_cmpint (grey_cut, <, grey_soft);
  }
  /* Refitted: the longer side of the box is 20 pixels again, whatever the zoom. */
  for (int i = 0; i < 10; i++)
    {
      LlAugment refit = { .p_refit = 1, .rotate = 10, .scale = 0.3, .shift = 3 };
      int y0 = N, y1 = -1, x0 = N, x1 = -1;
      memcpy (img, seven, sizeof img);
      ll_augment_image (&refit, &rng, img, N, N, 1);
      for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
          if (img[y * N + x] > 0.05f)
            {
              x0 = MIN (x0, x);
              x1 = MAX (x1, x);
              y0 = MIN (y0, y);
              y1 = MAX (y1, y);
            }
      g_assert_cmpint (MAX (x1 - x0, y1 - y0) + 1, >=, 19);
      g_assert_cmpint (MAX (x1 - x0, y1 - y0) + 1, <=, 21);
      ll_image_center_of_mass (img, N, N, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - 14), <, 0.5);
      g_assert_cmpfloat (fabs (cy - 14), <, 0.5);
    }
}

/* Colour images: every channel moves alike, shapes are kept, no refit. */
static void
test_channels (void)
{
  LlAugment aug = { .rotate = 15, .shift = 2, .elastic_alpha = 20, .elastic_sigma = 4, .p_refit = 1 };
  const int h = 12, w = 10, c = 3;
  float img[12 * 10 * 3];
  LlRng rng;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int k = 0; k < c; k++)
        img[(y * w + x) * c + k] = (x >= 3 && x <= 6 && y >= 4 && y <= 8) ? 0.25f * (k + 1) : 0.f;
  ll_rng_seed (&rng, 9);
  ll_augment_image (&aug, &rng, img, h, w, c);
  assert_unit_range (img, h * w * c);
  for (int i = 0; i < h * w; i++)
    {
      /* Channel k is (k + 1) times channel 0 before and after. */
      g_assert_cmpfloat_with_epsilon (img[i * c + 1], 2 * img[i * c], 1e-5);
      g_assert_cmpfloat_with_epsilon (img[i * c + 2], 3 * img[i * c], 1e-5);
    }
  g_assert_cmpfloat (mass (img, h * w * c), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/augment/lookup", test_lookup);
  g_test_add_func ("/engine/augment/deterministic", test_deterministic);
  g_test_add_func ("/engine/augment/ink-kept", test_ink_kept);
  g_test_add_func ("/engine/augment/each", test_each);
  g_test_add_func ("/engine/augment/channels", test_channels);

  return g_test_run ();
}
