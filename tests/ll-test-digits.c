/* ll-test-digits.c: drawn and typeset digits for measuring the digit
 * model on input that is not MNIST (see ll-test-digits.h). */
#include "ll-test-digits.h"
#include "ll-digit.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#define DIGIT_SIDE 28
#define PAD_SIDE 480

/* ----- Hand-written shapes ----- */

/* A template is strokes of control points in a box 1 high (y down) and
 * about 0.6 wide; the pen passes through them on a smooth curve, and a
 * point given twice is a corner. */
#define END -1.f
#define NEXT -2.f

/* Strokes as x, y pairs, NEXT NEXT between strokes, END END at the end. */
static const float t1a[] = { 0.32f, 0.f, 0.31f, 0.5f, 0.30f, 1.f, END, END };
static const float t1b[] = { 0.17f, 0.17f, 0.34f, 0.f, 0.34f, 0.f, 0.33f, 0.5f, 0.32f, 1.f, END, END };
static const float t1c[] = { 0.17f, 0.17f, 0.34f, 0.f, 0.34f, 0.f, 0.33f, 0.5f, 0.33f, 1.f, NEXT, NEXT,
                             0.08f, 1.f, 0.58f, 1.f, END, END };
static const float t2a[] = { 0.04f, 0.22f, 0.18f, 0.04f, 0.36f, 0.f, 0.53f, 0.1f, 0.55f, 0.3f, 0.4f, 0.52f,
                             0.2f, 0.75f, 0.02f, 0.98f, 0.02f, 0.98f, 0.3f, 0.97f, 0.6f, 0.99f, END, END };
static const float t2b[] = { 0.05f, 0.18f, 0.28f, 0.f, 0.52f, 0.12f, 0.48f, 0.35f, 0.03f, 1.f, 0.03f, 1.f,
                             0.6f, 0.97f, END, END };
static const float t2c[] = { 0.04f, 0.22f, 0.18f, 0.04f, 0.36f, 0.f, 0.53f, 0.1f, 0.55f, 0.3f, 0.4f, 0.52f,
                             0.2f, 0.75f, 0.06f, 0.92f, 0.12f, 1.f, 0.22f, 0.93f, 0.14f, 0.86f,
                             0.08f, 0.93f, 0.3f, 1.f, 0.6f, 0.96f, END, END };
static const float t3a[] = { 0.04f, 0.12f, 0.25f, 0.f, 0.48f, 0.05f, 0.55f, 0.22f, 0.42f, 0.4f, 0.22f, 0.47f,
                             0.22f, 0.47f, 0.45f, 0.53f, 0.58f, 0.72f, 0.5f, 0.92f, 0.28f, 1.f, 0.03f, 0.92f,
                             END, END };
static const float t3b[] = { 0.04f, 0.02f, 0.55f, 0.02f, 0.55f, 0.02f, 0.25f, 0.4f, 0.25f, 0.4f, 0.5f, 0.48f,
                             0.6f, 0.72f, 0.48f, 0.95f, 0.25f, 1.f, 0.02f, 0.9f, END, END };
static const float t4a[] = { 0.42f, 0.f, 0.02f, 0.63f, 0.02f, 0.63f, 0.6f, 0.63f, NEXT, NEXT,
                             0.46f, 0.28f, 0.45f, 1.f, END, END };
static const float t4b[] = { 0.08f, 0.f, 0.04f, 0.56f, 0.04f, 0.56f, 0.58f, 0.55f, NEXT, NEXT,
                             0.46f, 0.02f, 0.45f, 1.f, END, END };
static const float t4c[] = { 0.45f, 0.f, 0.02f, 0.63f, 0.02f, 0.63f, 0.6f, 0.63f, NEXT, NEXT,
                             0.45f, 0.f, 0.45f, 1.f, END, END };
static const float t5a[] = { 0.1f, 0.02f, 0.07f, 0.45f, 0.07f, 0.45f, 0.3f, 0.38f, 0.5f, 0.45f, 0.58f, 0.67f,
                             0.5f, 0.88f, 0.28f, 1.f, 0.03f, 0.92f, NEXT, NEXT,
                             0.1f, 0.02f, 0.58f, 0.f, END, END };
static const float t5b[] = { 0.58f, 0.f, 0.12f, 0.01f, 0.12f, 0.01f, 0.08f, 0.45f, 0.08f, 0.45f, 0.32f, 0.38f,
                             0.52f, 0.47f, 0.58f, 0.68f, 0.48f, 0.9f, 0.26f, 1.f, 0.02f, 0.9f, END, END };
static const float t6a[] = { 0.52f, 0.f, 0.3f, 0.14f, 0.12f, 0.4f, 0.05f, 0.7f, 0.15f, 0.95f, 0.36f, 1.f,
                             0.54f, 0.85f, 0.52f, 0.62f, 0.32f, 0.53f, 0.1f, 0.65f, END, END };
static const float t6b[] = { 0.45f, 0.f, 0.15f, 0.45f, 0.06f, 0.75f, 0.2f, 0.98f, 0.45f, 0.95f, 0.55f, 0.75f,
                             0.4f, 0.57f, 0.15f, 0.62f, 0.07f, 0.75f, END, END };
static const float t7a[] = { 0.02f, 0.03f, 0.6f, 0.02f, 0.6f, 0.02f, 0.4f, 0.4f, 0.25f, 1.f, END, END };
static const float t7b[] = { 0.02f, 0.03f, 0.6f, 0.02f, 0.6f, 0.02f, 0.4f, 0.4f, 0.25f, 1.f, NEXT, NEXT,
                             0.2f, 0.52f, 0.52f, 0.5f, END, END };
static const float t7c[] = { 0.02f, 0.05f, 0.3f, 0.f, 0.6f, 0.03f, 0.6f, 0.03f, 0.45f, 0.3f, 0.35f, 0.6f,
                             0.32f, 1.f, END, END };

typedef struct {
  GArray *strokes;                 /* of GArray * of double x, y pairs */
} Shape;

static GArray *
shape_new_stroke (Shape *shape)
{
  GArray *stroke = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (shape->strokes, stroke);
  return stroke;
}

static void
add_point (GArray *stroke, double x, double y)
{
  g_array_append_val (stroke, x);
  g_array_append_val (stroke, y);
}

static void
shape_from_table (Shape *shape, const float *t)
{
  GArray *stroke = shape_new_stroke (shape);

  for (; t[0] != END; t += 2)
    if (t[0] == NEXT)
      stroke = shape_new_stroke (shape);
    else
      add_point (stroke, t[0], t[1]);
}

/* An ellipse from angle a0 by sweep (radians, y down: positive is
 * clockwise on screen). */
static void
add_arc (GArray *stroke, double cx, double cy, double rx, double ry, double a0, double sweep, int n)
{
  for (int i = 0; i <= n; i++)
    {
      double a = a0 + sweep * i / n;
      add_point (stroke, cx + rx * cos (a), cy + ry * sin (a));
    }
}

int
ll_test_digit_n_styles (int digit)
{
  static const int n[10] = { 2, 3, 3, 2, 3, 2, 2, 3, 2, 2 };

  g_return_val_if_fail (digit >= 0 && digit <= 9, 0);
  return n[digit];
}

static void
shape_of (Shape *shape, int digit, int style)
{
  const float *tables[10][3] = {
    { NULL }, { t1a, t1b, t1c }, { t2a, t2b, t2c }, { t3a, t3b }, { t4a, t4b, t4c },
    { t5a, t5b }, { t6a, t6b }, { t7a, t7b, t7c }, { NULL }, { NULL },
  };
  GArray *s;

  if (tables[digit][style] != NULL)
    {
      shape_from_table (shape, tables[digit][style]);
      return;
    }
  s = shape_new_stroke (shape);
  switch (digit * 2 + style)
    {
    case 0:                       /* 0 from the top, anticlockwise, closing over itself */
      add_arc (s, 0.3, 0.5, 0.28, 0.5, -G_PI / 2 + 0.2, -2 * G_PI - 0.3, 16);
      break;
    case 1:                       /* 0 slanted, clockwise */
      add_arc (s, 0.3, 0.5, 0.24, 0.5, -G_PI / 2 - 0.1, 2 * G_PI + 0.25, 16);
      for (guint i = 0; i < s->len; i += 2)
        g_array_index (s, double, i) += 0.15 * (0.5 - g_array_index (s, double, i + 1));
      break;
    case 16:                      /* 8 in one stroke, crossing in the middle */
      for (int i = 0; i <= 24; i++)
        {
          double t = 0.2 + (2 * G_PI) * i / 24, c = cos (t);
          double w = c >= 0 ? 0.2 : 0.27;
          add_point (s, 0.3 + w * sin (2 * t), c >= 0 ? 0.45 - 0.45 * c : 0.45 - 0.55 * c);
        }
      break;
    case 17:                      /* 8 as two loops */
      add_arc (s, 0.3, 0.24, 0.2, 0.24, -G_PI / 2, -2 * G_PI - 0.2, 12);
      s = shape_new_stroke (shape);
      add_arc (s, 0.3, 0.73, 0.27, 0.27, -G_PI / 2, 2 * G_PI + 0.2, 12);
      break;
    case 18:                      /* 9: a loop, then a straight stem */
    case 19:                      /* 9 with a curved tail */
      add_arc (s, 0.3, 0.25, 0.26, 0.24, -0.2, -2 * G_PI, 12);
      if (style == 0)
        {
          add_point (s, 0.55, 0.6);
          add_point (s, 0.52, 1.0);
        }
      else
        {
          add_point (s, 0.53, 0.68);
          add_point (s, 0.4, 0.95);
          add_point (s, 0.15, 0.98);
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Catmull-Rom through the control points, 12 samples per span; a point
 * given twice makes a corner. */
static GArray *
smooth_path (const GArray *ctrl)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  int n = (int) ctrl->len / 2;

#define P(i, k) g_array_index (ctrl, double, 2 * CLAMP (i, 0, n - 1) + (k))
  add_point (out, P (0, 0), P (0, 1));
  for (int i = 0; i + 1 < n; i++)
    for (int s = 1; s <= 12; s++)
      {
        double t = s / 12.0, t2 = t * t, t3 = t2 * t, v[2];
        for (int k = 0; k < 2; k++)
          v[k] = 0.5 * (2 * P (i, k) + (-P (i - 1, k) + P (i + 1, k)) * t
                        + (2 * P (i - 1, k) - 5 * P (i, k) + 4 * P (i + 1, k) - P (i + 2, k)) * t2
                        + (-P (i - 1, k) + 3 * P (i, k) - 3 * P (i + 1, k) + P (i + 2, k)) * t3);
        add_point (out, v[0], v[1]);
      }
#undef P
  return out;
}

const LlTestDrawing ll_test_drawing_typical = {
  LL_DRAW_PAD_BRUSH_MIN, LL_DRAW_PAD_BRUSH_MAX, 0.5, 0.8, 10
};
const LlTestDrawing ll_test_drawing_varied = { 0.03, 0.15, 0.3, 0.9, 25 };

double
ll_test_draw_digit (LlInk *ink, int digit, int style, double height, double tilt, LlRng *rng)
{
  Shape shape = { g_array_new (FALSE, FALSE, sizeof (GArray *)) };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  cairo_surface_t *surface = ll_ink_get_surface (ink);
  int pw = cairo_image_surface_get_width (surface), ph = cairo_image_surface_get_height (surface);
  double side = MIN (pw, ph);
  double slant = -0.15 + 0.55 * ll_rng_uniform (rng);      /* most hands lean right */
  double widen = 0.75 + 0.55 * ll_rng_uniform (rng);
  double turn = tilt * (2 * ll_rng_uniform (rng) - 1) * G_PI / 180;
  double step = 2 + 8 * ll_rng_uniform (rng);              /* pixels between motion events */
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  double scale, cx, cy, margin, length = 0;

  g_return_val_if_fail (digit >= 0 && digit <= 9, 0);
  g_return_val_if_fail (style >= 0 && style < ll_test_digit_n_styles (digit), 0);

  shape_of (&shape, digit, style);
  for (guint s = 0; s < shape.strokes->len; s++)
    {
      GArray *ctrl = g_array_index (shape.strokes, GArray *, s);
      GArray *path;

      double phase[4], freq[4];

      /* A hand never repeats itself: every control point wobbles, and
       * the pen trembles along the way (slow waves, a few per stroke). */
      for (guint i = 0; i < ctrl->len; i++)
        g_array_index (ctrl, double, i) += 0.025 * ll_rng_normal (rng);
      for (int k = 0; k < 4; k++)
        {
          phase[k] = 2 * G_PI * ll_rng_uniform (rng);
          freq[k] = 2 * G_PI * (1 + 3 * ll_rng_uniform (rng));
        }
      path = smooth_path (ctrl);
      g_array_unref (ctrl);
      {
        double along = 0;
        for (guint i = 0; i < path->len; i += 2)
          {
            double *x = &g_array_index (path, double, i);
            if (i > 0)
              along += hypot (x[0] - x[-2], x[1] - x[-1]);
            x[0] += 0.01 * (sin (freq[0] * along + phase[0]) + sin (freq[1] * along + phase[1]));
            x[1] += 0.01 * (sin (freq[2] * along + phase[2]) + sin (freq[3] * along + phase[3]));
          }
      }
      for (guint i = 0; i < path->len; i += 2)
        {
          double *x = &g_array_index (path, double, i), *y = x + 1;
          double u = (*x - 0.3 + slant * (0.5 - *y)) * widen, v = *y - 0.5;
          *x = u * cos (turn) - v * sin (turn);
          *y = u * sin (turn) + v * cos (turn);
          x0 = MIN (x0, *x);
          x1 = MAX (x1, *x);
          y0 = MIN (y0, *y);
          y1 = MAX (y1, *y);
        }
      g_ptr_array_add (paths, path);
    }
  g_array_unref (shape.strokes);

  /* height of the pad's shorter side, anywhere on the pad with room for
   * the brush. */
  scale = height * side / (y1 - y0);
  margin = 0.06 * side;
  cx = margin - x0 * scale + ll_rng_uniform (rng) * MAX (0, pw - 2 * margin - (x1 - x0) * scale);
  cy = margin - y0 * scale + ll_rng_uniform (rng) * MAX (0, ph - 2 * margin - (y1 - y0) * scale);

  for (guint s = 0; s < paths->len; s++)
    {
      GArray *path = g_ptr_array_index (paths, s);
      double walked = 0, next = 0, lx = 0, ly = 0, px = 0, py = 0;
      int n = (int) path->len / 2;

      /* Motion events every few pixels along the path, at whole pixels. */
      for (int i = 0; i < n; i++)
        {
          double x = cx + g_array_index (path, double, 2 * i) * scale;
          double y = cy + g_array_index (path, double, 2 * i + 1) * scale;
          if (i > 0)
            walked += hypot (x - px, y - py);
          px = x;
          py = y;
          if (i == 0 || walked >= next || i == n - 1)
            {
              double mx = round (x), my = round (y);
              if (i == 0)
                ll_ink_begin (ink, mx / pw, my / ph, -1);
              else
                {
                  ll_ink_extend (ink, mx / pw, my / ph, -1);
                  length += hypot (mx - lx, my - ly);
                }
              lx = mx;
              ly = my;
              next = walked + step;
            }
        }
      ll_ink_end (ink);
    }
  return length;
}

LlDataset *
ll_test_drawn_digits (int n_per_digit, const LlTestDrawing *how, guint64 seed)
{
  g_autoptr(LlInk) ink = ll_ink_new ();
  LlDataset *ds = ll_dataset_new ("drawn", 10 * n_per_digit, DIGIT_SIDE, DIGIT_SIDE, 1, 10, NULL);
  LlRng rng;
  int k = 0;

  ll_rng_seed (&rng, seed);
  ll_ink_set_size (ink, PAD_SIDE, PAD_SIDE);
  for (int digit = 0; digit < 10; digit++)
    for (int i = 0; i < n_per_digit; i++, k++)
      {
        float out[DIGIT_SIDE * DIGIT_SIDE];
        double height = how->height_min + (how->height_max - how->height_min) * ll_rng_uniform (&rng);

        ll_ink_clear (ink);
        ll_ink_set_brush (ink, how->brush_min + (how->brush_max - how->brush_min) * ll_rng_uniform (&rng));
        ll_test_draw_digit (ink, digit, i % ll_test_digit_n_styles (digit), height, how->tilt, &rng);
        g_assert_true (ll_digit_preprocess (ll_ink_get_pixels (ink, NULL, NULL), PAD_SIDE, PAD_SIDE,
                                            PAD_SIDE, out));
        for (int p = 0; p < DIGIT_SIDE * DIGIT_SIDE; p++)
          ds->images[(gsize) k * DIGIT_SIDE * DIGIT_SIDE + p] = (guint8) lrintf (255 * out[p]);
        ds->labels[k] = (guint8) digit;
      }
  return ds;
}

/* ----- Typeset digits ----- */

static const char *const fonts[] = {
  "DejaVu Sans", "DejaVu Sans Bold", "DejaVu Sans Oblique", "DejaVu Sans Condensed",
  "DejaVu Sans ExtraLight", "DejaVu Sans Mono", "DejaVu Serif", "DejaVu Serif Bold Italic",
  "Liberation Sans", "Liberation Sans Bold", "Liberation Serif", "Liberation Serif Italic",
  "Liberation Mono",
  "Nimbus Sans", "Nimbus Sans Narrow Bold", "Nimbus Roman,", "Nimbus Mono PS", "URW Bookman Light",
  "URW Gothic", "C059 Italic", "P052", "Z003",
  "Noto Sans CJK SC", "Noto Serif CJK SC Bold", "Noto Sans Mono CJK SC",
  NULL
};

const char *const *
ll_test_digit_fonts (void)
{
  return fonts;
}

gboolean
ll_test_font_installed (const char *face)
{
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  g_autoptr(GObject) context = G_OBJECT (pango_font_map_create_context (map));
  PangoFontDescription *want = pango_font_description_from_string (face);
  g_autoptr(GObject) font = G_OBJECT (pango_font_map_load_font (map, PANGO_CONTEXT (context), want));
  PangoFontDescription *got = font != NULL ? pango_font_describe (PANGO_FONT (font)) : NULL;
  gboolean same = got != NULL
                  && g_ascii_strcasecmp (pango_font_description_get_family (got),
                                         pango_font_description_get_family (want)) == 0;

  if (got != NULL)
    pango_font_description_free (got);
  pango_font_description_free (want);
  return same;
}

/* One digit on a side × side picture: light on dark or dark on light,
 * tilted by angle, its strokes thinned (width < 0) or thickened by a
 * fraction of the font size. */
static void
render_digit (guint8 *rgba, int side, const char *face, int digit, double px, double angle,
              double width, gboolean dark_on_light, double dx, double dy)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, side, side);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (face);
  char text[2] = { (char) ('0' + digit), 0 };
  double paper = dark_on_light ? 1 : 0, ink = 1 - paper;
  PangoRectangle ink_rect;
  const guint8 *data;
  int stride;

  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, &ink_rect, NULL);

  cairo_set_source_rgb (cr, paper, paper, paper);
  cairo_paint (cr);
  cairo_translate (cr, side / 2.0 + dx, side / 2.0 + dy);
  cairo_rotate (cr, angle);
  cairo_translate (cr, -(ink_rect.x + ink_rect.width / 2.0), -(ink_rect.y + ink_rect.height / 2.0));
  pango_cairo_layout_path (cr, layout);
  cairo_set_source_rgb (cr, ink, ink, ink);
  cairo_fill_preserve (cr);
  if (width != 0)
    {
      /* Paper over the outline thins the strokes, ink over it thickens them. */
      cairo_set_line_width (cr, fabs (width) * px);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      if (width < 0)
        cairo_set_source_rgb (cr, paper, paper, paper);
      cairo_stroke (cr);
    }
  cairo_new_path (cr);
  cairo_destroy (cr);

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        guint32 p;
        guint8 *q = rgba + ((gsize) y * side + x) * 4;
        memcpy (&p, data + (gsize) y * stride + 4 * x, 4);
        q[0] = (p >> 16) & 0xff;
        q[1] = (p >> 8) & 0xff;
        q[2] = p & 0xff;
        q[3] = 255;
      }
  cairo_surface_destroy (surface);
}

LlDataset *
ll_test_font_digits (guint64 seed, int *n_faces)
{
  /* Picture side and font size: a large digit, and small print. */
  static const struct { int side; double px; } sizes[] = { { 160, 110 }, { 48, 30 } };
  static const double tilts[] = { -12, 0, 12 };
  static const double widths[] = { -0.035, 0, 0.06 };
  g_autoptr(GPtrArray) faces = g_ptr_array_new ();
  g_autoptr(GArray) images = g_array_new (FALSE, FALSE, DIGIT_SIDE * DIGIT_SIDE);
  g_autoptr(GByteArray) labels = g_byte_array_new ();
  LlDataset *ds;
  LlRng rng;
  int k = 0;

  ll_rng_seed (&rng, seed);
  for (int i = 0; fonts[i] != NULL; i++)
    if (ll_test_font_installed (fonts[i]))
      g_ptr_array_add (faces, (gpointer) fonts[i]);
  if (n_faces != NULL)
    *n_faces = (int) faces->len;

  for (guint f = 0; f < faces->len; f++)
    for (int digit = 0; digit < 10; digit++)
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        for (guint t = 0; t < G_N_ELEMENTS (tilts); t++)
          for (guint w = 0; w < G_N_ELEMENTS (widths); w++, k++)
            {
              int side = sizes[s].side;
              g_autofree guint8 *rgba = g_new (guint8, (gsize) side * side * 4);
              float out[DIGIT_SIDE * DIGIT_SIDE];
              guint8 img[DIGIT_SIDE * DIGIT_SIDE];
              guint8 label = (guint8) digit;
              double dx = (ll_rng_uniform (&rng) - 0.5) * 0.3 * side;
              double dy = (ll_rng_uniform (&rng) - 0.5) * 0.2 * side;

              render_digit (rgba, side, g_ptr_array_index (faces, f), digit, sizes[s].px,
                            tilts[t] * G_PI / 180, widths[w], k % 2 == 1, dx, dy);
              g_assert_true (ll_input_from_rgba (rgba, side, side, side * 4, DIGIT_SIDE, DIGIT_SIDE,
                                                 1, TRUE, out));
              for (int p = 0; p < DIGIT_SIDE * DIGIT_SIDE; p++)
                img[p] = (guint8) lrintf (255 * out[p]);
              g_array_append_vals (images, img, 1);
              g_byte_array_append (labels, &label, 1);
            }

  ds = ll_dataset_new ("typeset", MAX (1, k), DIGIT_SIDE, DIGIT_SIDE, 1, 10, NULL);
  ds->n = k;
  memcpy (ds->images, images->data, (gsize) k * DIGIT_SIDE * DIGIT_SIDE);
  memcpy (ds->labels, labels->data, k);
  return ds;
}
