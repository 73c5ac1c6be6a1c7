/* ll-contour-map.c: the Optimizers view's race map.
 *
 * The background (heat map, iso-lines from marching squares with labels,
 * axis ticks, minima) costs tens of milliseconds, so it is rendered once
 * per surface, size and scale into an image.  A second image, the layer,
 * is that background with the paths drawn up to some step C; new segments
 * are appended to it with cairo in batches of CHUNK steps, and only then is
 * it turned into a new GdkTexture.  A frame therefore appends one texture
 * and strokes, in small cairo nodes, the at most CHUNK newest segments and
 * the head of each path; text goes through gtk_snapshot_append_layout().
 *
 * The layer checks on every frame that the race still has the points it
 * was drawn from (a new learning rate or start point resets the race), so
 * owners need not tell the map when paths change.
 *
 * Presentation mode (ll-window.h) scales the text and the markers by 1.5,
 * as style.css does the rest of the window's text, and the lines by
 * ll_presentation_scale(); the caches are keyed on both, and the window
 * redraws every widget when the mode changes. */
#include "ll-contour-map.h"
#include "ll-presentation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <inttypes.h>

#define N_LEVELS  12
#define CELL_PX   3      /* marching-squares cell, logical pixels */
#define CHUNK     24     /* steps drawn live before they go into the layer */
#define RING      4      /* drawn points remembered per path, see append_paths() */

/* Opaque, so that casings overlapping where batches join do not darken.
 * Sizes at scale 1: widths grow by the line scale, radii by the text's. */
#define CASING_RGB 0.30, 0.33, 0.37
#define CASING_WIDTH 4.5
#define LINE_WIDTH   2.25
#define HEAD_RADIUS  5.5
#define FONT_SIZE    9    /* points */

/* Text and markers, and line widths: 1 and 1 outside presentation mode. */
typedef struct {
  double text, line;
} Scale;

struct _LlContourMap {
  GtkWidget parent_instance;

  LlRace *race;                   /* borrowed from the view */
  LlSurface *surface;             /* the surface the cache was made for */
  GdkRGBA colors[LL_RACE_N_ENTRIES];
  guint visible_mask;
  double progress;

  gboolean equal_aspect;          /* one unit of x is as long as one of y */

  cairo_surface_t *background;    /* heat map, iso-lines, ticks, minima */
  int cache_width, cache_height, cache_scale;
  gboolean cache_aspect;
  Scale cache_style;              /* presentation scales it was drawn at */
  cairo_surface_t *layer;         /* background + paths up to cached_steps */
  GdkTexture *texture;            /* the layer as the GPU sees it */
  gboolean layer_valid;
  guint cached_steps;
  guint cached_mask;
  guint drawn_index[LL_RACE_N_ENTRIES];  /* last path point in the layer */
  float drawn_point[LL_RACE_N_ENTRIES][2];
  double ring[LL_RACE_N_ENTRIES][RING][2]; /* last drawn pixels, oldest first */

  PangoLayout *layout;            /* for gtk_snapshot_append_layout */
  double layout_text_scale;       /* its font's scale */

  gboolean hovering;
  double hover_x, hover_y;        /* widget coordinates */
};

enum {
  START_PICKED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlContourMap, ll_contour_map, GTK_TYPE_WIDGET)

/* Presentation mode makes text 150 % (style.css): so do the map's. */
static double
text_scale (GtkWidget *widget)
{
  return ll_presentation_text_scale (widget);
}

static Scale
scale_of (GtkWidget *widget)
{
  return (Scale) { text_scale (widget), ll_presentation_scale (widget) };
}

/* ---- coordinates ---- */

typedef struct {
  double x0, x1, y0, y1;
  int w, h;
} Frame;

/* With equal_aspect the shorter side of the surface's view is widened to
 * the widget's shape rather than letterboxed: the map stays filled and a
 * round bowl looks round, a narrow one narrow. */
static Frame
frame_make (LlSurface *s, gboolean equal_aspect, int w, int h)
{
  Frame f;
  ll_surface_get_view (s, &f.x0, &f.x1, &f.y0, &f.y1);
  f.w = w;
  f.h = h;
  if (equal_aspect && w > 0 && h > 0)
    {
      double unit = MAX ((f.x1 - f.x0) / w, (f.y1 - f.y0) / h);
      double cx = (f.x0 + f.x1) / 2, cy = (f.y0 + f.y1) / 2;
      f.x0 = cx - unit * w / 2;
      f.x1 = cx + unit * w / 2;
      f.y0 = cy - unit * h / 2;
      f.y1 = cy + unit * h / 2;
    }
  return f;
}

static inline double
frame_px (const Frame *f, double x)
{
  return (x - f->x0) / (f->x1 - f->x0) * f->w;
}

static inline double
frame_py (const Frame *f, double y)
{
  return (1 - (y - f->y0) / (f->y1 - f->y0)) * f->h;
}

/* ---- background ---- */

/* Maps loss values to [0, 1] so that levels are evenly spaced: in log
 * space for surfaces whose interesting part is a deep, narrow valley. */
typedef struct {
  double lo, hi, scale;
  gboolean log;
} Levels;

static double
levels_t (const Levels *l, double f)
{
  if (l->log)
    return log1p (MAX (f - l->lo, 0) / l->scale) / log1p ((l->hi - l->lo) / l->scale);
  return (f - l->lo) / (l->hi - l->lo);
}

static double
levels_value (const Levels *l, double t)
{
  if (l->log)
    return l->lo + l->scale * expm1 (t * log1p ((l->hi - l->lo) / l->scale));
  return l->lo + t * (l->hi - l->lo);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static Levels
levels_from_grid (const double *v, gsize n, gboolean log_levels)
{
  g_autofree double *sorted = g_new (double, n);
  gsize m = 0;
  Levels l = { 0, 1, 1, log_levels };

  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      sorted[m++] = v[i];
  if (m < 2)
    return l;
  qsort (sorted, m, sizeof (double), compare_doubles);
  l.lo = sorted[0];
  /* Linear maps clip the top 2 % so one steep corner (exp, 1/x) does not
   * flatten the rest of the picture. */
  l.hi = log_levels ? sorted[m - 1] : sorted[(gsize) ((m - 1) * 0.98)];
  if (!(l.hi > l.lo))
    l.hi = l.lo + 1;
  l.scale = (l.hi - l.lo) * 1e-4;
  return l;
}

static void
heat_color (double t, double *r, double *g, double *b)
{
  /* Light, low-saturation ramp so that every path colour stands out. */
  static const double stops[3][3] = {
    { 0.99, 0.98, 0.93 }, { 0.80, 0.87, 0.90 }, { 0.47, 0.56, 0.69 },
  };
  double u;
  int i;

  if (!isfinite (t))
    t = 1;
  t = CLAMP (t, 0, 1) * 2;
  i = MIN ((int) t, 1);
  u = t - i;
  *r = stops[i][0] + u * (stops[i + 1][0] - stops[i][0]);
  *g = stops[i][1] + u * (stops[i + 1][1] - stops[i][1]);
  *b = stops[i][2] + u * (stops[i + 1][2] - stops[i][2]);
}

static double
nice_step (double range, int target)
{
  double raw = range / target, mag = pow (10, floor (log10 (raw))), r = raw / mag;
  return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

static void
draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
           double anchor_x, double anchor_y, const double *bg)
{
  int tw, th;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  x -= anchor_x * tw;
  y -= anchor_y * th;
  if (bg != NULL)
    {
      cairo_set_source_rgba (cr, bg[0], bg[1], bg[2], bg[3]);
      cairo_rectangle (cr, x - 2, y, tw + 4, th);
      cairo_fill (cr);
    }
  cairo_set_source_rgba (cr, 0.15, 0.18, 0.22, 1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  /* show_layout leaves the current point: the next arc must not join it. */
  cairo_new_path (cr);
}

typedef struct {
  float x0, y0, x1, y1;
} Segment;

/* Marching squares over the t grid: one GArray of segments per level. */
static void
march (const double *t, int nx, int ny, double cw, double ch, GArray **segments)
{
  for (int j = 0; j + 1 < ny; j++)
    for (int i = 0; i + 1 < nx; i++)
      {
        /* Corners counter-clockwise from the top left. */
        double v[4] = { t[j * nx + i], t[j * nx + i + 1],
                        t[(j + 1) * nx + i + 1], t[(j + 1) * nx + i] };
        double cx[4] = { i, i + 1, i + 1, i }, cy[4] = { j, j, j + 1, j + 1 };
        double lo = MIN (MIN (v[0], v[1]), MIN (v[2], v[3]));
        double hi = MAX (MAX (v[0], v[1]), MAX (v[2], v[3]));

        if (!isfinite (lo) || !isfinite (hi))
          continue;
        for (int k = 1; k < N_LEVELS; k++)
          {
            double level = (double) k / N_LEVELS, px[4], py[4];
            int n = 0;

            if (level < lo || level >= hi)
              continue;
            for (int e = 0; e < 4; e++)
              {
                double a = v[e], b = v[(e + 1) % 4];
                if ((a < level) != (b < level))
                  {
                    double u = (level - a) / (b - a);
                    px[n] = (cx[e] + u * (cx[(e + 1) % 4] - cx[e])) * cw;
                    py[n] = (cy[e] + u * (cy[(e + 1) % 4] - cy[e])) * ch;
                    n++;
                  }
              }
            /* Two crossings: one segment; four (a saddle cell): pair them
             * in edge order, which is right for one of the two readings
             * and invisible at this cell size. */
            for (int s = 0; s + 1 < n; s += 2)
              {
                Segment seg = { px[s], py[s], px[s + 1], py[s + 1] };
                g_array_append_val (segments[k], seg);
              }
          }
      }
}

static void
draw_background (LlSurface *surface, gboolean equal_aspect, cairo_t *cr, PangoLayout *layout,
                 int w, int h, Scale sc)
{
  Frame fr = frame_make (surface, equal_aspect, w, h);
  int nx = MAX (w / CELL_PX, 2) + 1, ny = MAX (h / CELL_PX, 2) + 1;
  double cw = (double) w / (nx - 1), ch = (double) h / (ny - 1);
  g_autofree double *v = g_new (double, (gsize) nx * ny);
  g_autofree double *t = g_new (double, (gsize) nx * ny);
  GArray *segments[N_LEVELS];
  cairo_surface_t *heat;
  unsigned char *data;
  int stride;
  Levels lv;
  double placed[N_LEVELS * 2][2];
  int n_placed = 0;
  static const double label_bg[4] = { 1, 1, 1, 0.7 };

  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        double x = fr.x0 + (fr.x1 - fr.x0) * i / (nx - 1);
        double y = fr.y1 - (fr.y1 - fr.y0) * j / (ny - 1);
        v[j * nx + i] = ll_surface_eval (surface, x, y, NULL, NULL);
      }
  lv = levels_from_grid (v, (gsize) nx * ny, ll_surface_prefers_log_levels (surface));
  for (gsize k = 0; k < (gsize) nx * ny; k++)
    t[k] = isfinite (v[k]) ? levels_t (&lv, v[k]) : NAN;

  /* Heat map: one texel per grid node, smoothed by bilinear scaling. */
  heat = cairo_image_surface_create (CAIRO_FORMAT_RGB24, nx, ny);
  data = cairo_image_surface_get_data (heat);
  stride = cairo_image_surface_get_stride (heat);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        double r, g, b;
        guint32 *px = (guint32 *) (data + j * stride) + i;
        heat_color (t[j * nx + i], &r, &g, &b);
        *px = ((guint32) (r * 255) << 16) | ((guint32) (g * 255) << 8) | (guint32) (b * 255);
      }
  cairo_surface_mark_dirty (heat);
  cairo_save (cr);
  cairo_scale (cr, cw, ch);
  cairo_set_source_surface (cr, heat, -0.5, -0.5);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (heat);

  /* Iso-lines. */
  for (int k = 0; k < N_LEVELS; k++)
    segments[k] = g_array_new (FALSE, FALSE, sizeof (Segment));
  march (t, nx, ny, cw, ch, segments);
  cairo_set_line_width (cr, sc.line);
  cairo_set_source_rgba (cr, 0.18, 0.24, 0.32, 0.45);
  for (int k = 1; k < N_LEVELS; k++)
    for (guint s = 0; s < segments[k]->len; s++)
      {
        Segment *seg = &g_array_index (segments[k], Segment, s);
        cairo_move_to (cr, seg->x0, seg->y0);
        cairo_line_to (cr, seg->x1, seg->y1);
      }
  cairo_stroke (cr);

  /* One label per level where there is room, away from the others. */
  for (int k = 1; k < N_LEVELS; k++)
    {
      GArray *a = segments[k];
      for (guint s = a->len / 3; s < a->len + a->len / 3; s += 7)
        {
          Segment *seg = &g_array_index (a, Segment, s % a->len);
          double mx = (seg->x0 + seg->x1) / 2, my = (seg->y0 + seg->y1) / 2;
          gboolean room = mx > 40 * sc.text && mx < w - 40 * sc.text && my > 20 * sc.text && my < h - 30 * sc.text;
          char text[32];

          for (int p = 0; p < n_placed && room; p++)
            room = hypot (mx - placed[p][0], my - placed[p][1]) > 90 * sc.text;
          if (!room)
            continue;
          g_snprintf (text, sizeof text, "%.3g", levels_value (&lv, (double) k / N_LEVELS));
          draw_text (cr, layout, text, mx, my, 0.5, 0.5, label_bg);
          placed[n_placed][0] = mx;
          placed[n_placed][1] = my;
          n_placed++;
          break;
        }
    }
  for (int k = 0; k < N_LEVELS; k++)
    g_array_unref (segments[k]);

  /* Axis ticks along the bottom and left edges. */
  {
    double sx = nice_step (fr.x1 - fr.x0, 6), sy = nice_step (fr.y1 - fr.y0, 6);
    cairo_set_source_rgba (cr, 0.15, 0.18, 0.22, 0.6);
    for (double x = ceil (fr.x0 / sx) * sx; x <= fr.x1 + 1e-9; x += sx)
      {
        char text[32];
        double px = frame_px (&fr, x);
        if (px < 12 * sc.text || px > w - 12 * sc.text)
          continue;
        cairo_set_source_rgba (cr, 0.15, 0.18, 0.22, 0.6);
        cairo_rectangle (cr, px - 0.5 * sc.line, h - 5 * sc.text, sc.line, 5 * sc.text);
        cairo_fill (cr);
        g_snprintf (text, sizeof text, "%g", fabs (x) < 1e-9 ? 0 : x);
        draw_text (cr, layout, text, px, h - 6 * sc.text, 0.5, 1, NULL);
      }
    for (double y = ceil (fr.y0 / sy) * sy; y <= fr.y1 + 1e-9; y += sy)
      {
        char text[32];
        double py = frame_py (&fr, y);
        /* Clear of the "step N" tag in the top left corner. */
        if (py < 30 * sc.text || py > h - 24 * sc.text)
          continue;
        cairo_set_source_rgba (cr, 0.15, 0.18, 0.22, 0.6);
        cairo_rectangle (cr, 0, py - 0.5 * sc.line, 5 * sc.text, sc.line);
        cairo_fill (cr);
        g_snprintf (text, sizeof text, "%g", fabs (y) < 1e-9 ? 0 : y);
        draw_text (cr, layout, text, 7 * sc.text, py, 0, 0.5, NULL);
      }
  }

  /* Minima: a white star-like cross in a dark ring. */
  {
    const double *m;
    guint n = ll_surface_get_minima (surface, &m);
    for (guint i = 0; i < n; i++)
      {
        double px = frame_px (&fr, m[2 * i]), py = frame_py (&fr, m[2 * i + 1]);
        cairo_arc (cr, px, py, 7 * sc.text, 0, 2 * G_PI);
        cairo_set_source_rgb (cr, 1, 1, 1);
        cairo_fill_preserve (cr);
        cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
        cairo_set_line_width (cr, 1.5 * sc.text);
        cairo_stroke (cr);
        cairo_move_to (cr, px - 4 * sc.text, py - 4 * sc.text);
        cairo_line_to (cr, px + 4 * sc.text, py + 4 * sc.text);
        cairo_move_to (cr, px + 4 * sc.text, py - 4 * sc.text);
        cairo_line_to (cr, px - 4 * sc.text, py + 4 * sc.text);
        cairo_stroke (cr);
      }
  }
}

/* ---- paths ---- */

/* Head position at the (fractional) playback position. */
static guint
head_of (LlContourMap *self, guint entry, double *hx, double *hy)
{
  guint shown = (guint) floor (self->progress), n, last;
  double frac = self->progress - shown;
  const float *p = ll_race_get_path (self->race, entry, &n);

  last = MIN (shown, n - 1);
  *hx = p[2 * last];
  *hy = p[2 * last + 1];
  if (frac > 0 && last + 1 < n && last == shown)
    {
      *hx += frac * (p[2 * last + 2] - *hx);
      *hy += frac * (p[2 * last + 3] - *hy);
    }
  return last;
}

static void
draw_head (cairo_t *cr, double px, double py, const GdkRGBA *color, Scale sc)
{
  cairo_arc (cr, px, py, HEAD_RADIUS * sc.text, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1.5 * sc.text);
  cairo_stroke (cr);
}

/* How far a head or a path's casing reaches around its point. */
static double
head_reach (Scale sc)
{
  return MAX (HEAD_RADIUS * sc.text + 0.75 * sc.text, CASING_WIDTH * sc.line / 2) + 2;
}

static void
draw_start (cairo_t *cr, double px, double py, Scale sc)
{
  cairo_arc (cr, px, py, 7 * sc.text, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 2 * sc.text);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 0.8 * sc.text);
  cairo_stroke (cr);
}

static void
set_path_style (cairo_t *cr, const GdkRGBA *color, Scale sc)
{
  if (color == NULL)
    {
      cairo_set_source_rgb (cr, CASING_RGB);
      cairo_set_line_width (cr, CASING_WIDTH * sc.line);
    }
  else
    {
      gdk_cairo_set_source_rgba (cr, color);
      cairo_set_line_width (cr, LINE_WIDTH * sc.line);
    }
}

/* The whole picture's paths in one go, for export (no caches). */
static void
draw_paths (LlContourMap *self, cairo_t *cr, PangoLayout *layout, int w, int h, Scale sc)
{
  Frame fr;
  double sx, sy;
  guint shown = (guint) floor (self->progress);

  if (self->race == NULL)
    return;
  fr = frame_make (ll_race_get_surface (self->race), self->equal_aspect, w, h);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Dark casing under every path keeps light colours (yellow) visible. */
  for (int pass = 0; pass < 2; pass++)
    for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
      {
        guint n, last;
        const float *p = ll_race_get_path (self->race, e, &n);
        double lx, ly, hx, hy;

        if (!(self->visible_mask & (1u << e)))
          continue;
        last = head_of (self, e, &hx, &hy);
        /* Converged paths pile hundreds of points into a few pixels:
         * skip points closer than a pixel to the last one drawn. */
        lx = frame_px (&fr, p[0]);
        ly = frame_py (&fr, p[1]);
        cairo_move_to (cr, lx, ly);
        for (guint i = 1; i <= last; i++)
          {
            double px = frame_px (&fr, p[2 * i]), py = frame_py (&fr, p[2 * i + 1]);
            if (i < last && fabs (px - lx) < 1 && fabs (py - ly) < 1)
              continue;
            cairo_line_to (cr, px, py);
            lx = px, ly = py;
          }
        cairo_line_to (cr, frame_px (&fr, hx), frame_py (&fr, hy));
        set_path_style (cr, pass == 0 ? NULL : &self->colors[e], sc);
        cairo_stroke (cr);
      }

  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      double hx, hy;

      if (!(self->visible_mask & (1u << e)))
        continue;
      head_of (self, e, &hx, &hy);
      draw_head (cr, frame_px (&fr, hx), frame_py (&fr, hy), &self->colors[e], sc);
    }

  ll_race_get_start (self->race, &sx, &sy);
  draw_start (cr, frame_px (&fr, sx), frame_py (&fr, sy), sc);
  cairo_restore (cr);

  if (layout != NULL)
    {
      static const double bg[4] = { 1, 1, 1, 0.8 };
      char text[64];

      g_snprintf (text, sizeof text, _("step %u"), MIN (shown, ll_race_get_n_steps (self->race)));
      draw_text (cr, layout, text, 8 * sc.text, 6 * sc.text, 0, 0, bg);
    }
}

/* Strokes entry e from its remembered pixels through points from+1..to:
 * the casing starts at the newest remembered pixel, the colour RING − 1
 * pixels earlier, so that the new casing's round cap cannot leave a dark
 * notch in the colour already drawn.  When ring is writable the drawn
 * pixels are remembered there. */
static void
stroke_run (cairo_t *cr, const Frame *fr, const float *p, guint from, guint to,
            double (*ring)[2], gboolean remember, const double *tip, const GdkRGBA *color,
            Scale sc)
{
  double local[RING][2];

  memcpy (local, ring, sizeof local);
  for (int pass = 0; pass < 2; pass++)
    {
      double lx = local[RING - 1][0], ly = local[RING - 1][1];

      if (pass == 0)
        cairo_move_to (cr, lx, ly);
      else
        {
          cairo_move_to (cr, local[0][0], local[0][1]);
          for (int r = 1; r < RING; r++)
            cairo_line_to (cr, local[r][0], local[r][1]);
        }
      for (guint i = from + 1; i <= to; i++)
        {
          double px = frame_px (fr, p[2 * i]), py = frame_py (fr, p[2 * i + 1]);
          /* Points at least a line scale apart keep that notch covered
           * when presentation mode widens the lines. */
          if (i < to && fabs (px - lx) < sc.line && fabs (py - ly) < sc.line)
            continue;
          cairo_line_to (cr, px, py);
          lx = px, ly = py;
          if (pass == 0 && remember)
            {
              memmove (ring[0], ring[1], sizeof ring[0] * (RING - 1));
              ring[RING - 1][0] = px;
              ring[RING - 1][1] = py;
            }
        }
      if (tip != NULL)
        cairo_line_to (cr, tip[0], tip[1]);
      set_path_style (cr, pass == 0 ? NULL : color, sc);
      cairo_stroke (cr);
    }
}

/* Appends the segments up to step `to` of every visible path to the layer. */
static void
append_paths (LlContourMap *self, guint to)
{
  Frame fr = frame_make (self->surface, self->equal_aspect, self->cache_width, self->cache_height);
  cairo_t *cr = cairo_create (self->layer);

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n, last;
      const float *p = ll_race_get_path (self->race, e, &n);

      last = MIN (to, n - 1);
      if ((self->cached_mask & (1u << e)) && last > self->drawn_index[e])
        stroke_run (cr, &fr, p, self->drawn_index[e], last, self->ring[e], TRUE, NULL,
                    &self->colors[e], self->cache_style);
      self->drawn_index[e] = last;
      self->drawn_point[e][0] = p[2 * last];
      self->drawn_point[e][1] = p[2 * last + 1];
    }
  cairo_destroy (cr);
  self->cached_steps = to;
}

/* ---- widget ---- */

static void
set_font (PangoLayout *layout, double text_scale)
{
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, (int) (FONT_SIZE * text_scale * PANGO_SCALE));
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
}

static PangoLayout *
make_layout (cairo_t *cr, Scale sc)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);

  set_font (layout, sc.text);
  return layout;
}

static cairo_surface_t *
new_image (int w, int h, int scale)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * scale, h * scale);
  cairo_surface_set_device_scale (image, scale, scale);
  return image;
}

static void
ensure_background (LlContourMap *self, int w, int h, int scale)
{
  cairo_t *cr;
  g_autoptr (PangoLayout) layout = NULL;
  Scale sc = scale_of (GTK_WIDGET (self));

  if (self->background != NULL && self->cache_width == w && self->cache_height == h
      && self->cache_scale == scale && self->cache_aspect == self->equal_aspect
      && self->cache_style.text == sc.text && self->cache_style.line == sc.line)
    return;
  g_clear_pointer (&self->background, cairo_surface_destroy);
  g_clear_pointer (&self->layer, cairo_surface_destroy);
  g_clear_object (&self->texture);
  self->layer_valid = FALSE;

  self->background = new_image (w, h, scale);
  cr = cairo_create (self->background);
  layout = make_layout (cr, sc);
  draw_background (self->surface, self->equal_aspect, cr, layout, w, h, sc);
  cairo_destroy (cr);
  self->cache_width = w;
  self->cache_height = h;
  self->cache_scale = scale;
  self->cache_aspect = self->equal_aspect;
  self->cache_style = sc;
}

/* FALSE when the race no longer has the points the layer was drawn from. */
static gboolean
layer_matches_race (LlContourMap *self)
{
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n;
      const float *p = ll_race_get_path (self->race, e, &n);
      guint i = self->drawn_index[e];

      if (i >= n || p[2 * i] != self->drawn_point[e][0] || p[2 * i + 1] != self->drawn_point[e][1])
        return FALSE;
    }
  return TRUE;
}

static void
restart_layer (LlContourMap *self)
{
  Frame fr = frame_make (self->surface, self->equal_aspect, self->cache_width, self->cache_height);
  const float *p0 = ll_race_get_path (self->race, 0, NULL);
  cairo_t *cr;

  if (self->layer == NULL)
    self->layer = new_image (self->cache_width, self->cache_height, self->cache_scale);
  cr = cairo_create (self->layer);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_surface (cr, self->background, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);

  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      self->drawn_index[e] = 0;
      self->drawn_point[e][0] = p0[0];
      self->drawn_point[e][1] = p0[1];
      for (int r = 0; r < RING; r++)
        {
          self->ring[e][r][0] = frame_px (&fr, p0[0]);
          self->ring[e][r][1] = frame_py (&fr, p0[1]);
        }
    }
  self->cached_steps = 0;
  self->cached_mask = self->visible_mask;
  self->layer_valid = TRUE;
  g_clear_object (&self->texture);
}

/* Brings the layer within CHUNK steps of the playback position. */
static void
ensure_layer (LlContourMap *self, int w, int h, int scale)
{
  guint shown = MIN ((guint) floor (self->progress), ll_race_get_n_steps (self->race));

  ensure_background (self, w, h, scale);
  if (!self->layer_valid || self->cached_mask != self->visible_mask
      || shown < self->cached_steps || !layer_matches_race (self))
    restart_layer (self);
  if (shown >= self->cached_steps + CHUNK)
    {
      append_paths (self, shown);
      g_clear_object (&self->texture);
    }
}

/* The layer as a texture, made anew only when the layer changed. */
static GdkTexture *
layer_texture (LlContourMap *self, int w, int h, int scale)
{
  if (self->texture == NULL)
    {
      g_autoptr (GBytes) bytes = NULL;
      int stride = cairo_image_surface_get_stride (self->layer);

      cairo_surface_flush (self->layer);
      /* Cairo's ARGB32 is GDK_MEMORY_DEFAULT (premultiplied, native order). */
      bytes = g_bytes_new (cairo_image_surface_get_data (self->layer),
                           (gsize) stride * h * scale);
      self->texture = gdk_memory_texture_new (w * scale, h * scale, GDK_MEMORY_DEFAULT, bytes, stride);
    }
  return self->texture;
}

/* A small cairo node around a few pixels: big nodes cost an upload of
 * their whole area on GL. */
static cairo_t *
append_cairo_around (GtkSnapshot *snapshot, double x0, double y0, double x1, double y1,
                     double margin, int w, int h)
{
  graphene_rect_t r;

  x0 = MAX (floor (x0 - margin), 0);
  y0 = MAX (floor (y0 - margin), 0);
  x1 = MIN (ceil (x1 + margin), w);
  y1 = MIN (ceil (y1 + margin), h);
  if (x1 <= x0 || y1 <= y0)
    return NULL;
  graphene_rect_init (&r, x0, y0, x1 - x0, y1 - y0);
  return gtk_snapshot_append_cairo (snapshot, &r);
}

static void
append_label (LlContourMap *self, GtkSnapshot *snapshot, const char *text, double x, double y,
              double anchor_x)
{
  int tw, th;
  GdkRGBA bg = { 1, 1, 1, 0.8 }, fg = { 0.15, 0.18, 0.22, 1 };

  pango_layout_set_text (self->layout, text, -1);
  pango_layout_get_pixel_size (self->layout, &tw, &th);
  x = round (x - anchor_x * tw);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (x - 2, y, tw + 4, th));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, self->layout, &fg);
  gtk_snapshot_restore (snapshot);
}

static void
ll_contour_map_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlContourMap *self = LL_CONTOUR_MAP (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, w, h);
  int scale = gtk_widget_get_scale_factor (widget);
  GtkNative *native;
  Frame fr;
  Scale sc;
  double sx, sy;
  char text[128];

  /* Without a race there is no surface either (see set_race). */
  if (self->surface == NULL || self->race == NULL || w < 4 || h < 4)
    return;
  ensure_layer (self, w, h, scale);
  sc = self->cache_style;
  native = gtk_widget_get_native (widget);
  if (native != NULL && GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native)))
    {
      /* The cairo renderer converts every new GdkTexture to a cairo surface
       * (and, measured, sometimes every frame): hand it the image itself. */
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      cairo_set_source_surface (cr, self->layer, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
    }
  else
    gtk_snapshot_append_texture (snapshot, layer_texture (self, w, h, scale), &bounds);
  fr = frame_make (self->surface, self->equal_aspect, w, h);

  /* The newest segments and the head of each path, live. */
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n, last;
      const float *p = ll_race_get_path (self->race, e, &n);
      double hx, hy, tip[2], x0, y0, x1, y1;
      cairo_t *cr;

      if (!(self->visible_mask & (1u << e)))
        continue;
      last = head_of (self, e, &hx, &hy);
      tip[0] = frame_px (&fr, hx);
      tip[1] = frame_py (&fr, hy);
      x0 = x1 = tip[0];
      y0 = y1 = tip[1];
      for (int r = 0; r < RING; r++)
        {
          x0 = MIN (x0, self->ring[e][r][0]), x1 = MAX (x1, self->ring[e][r][0]);
          y0 = MIN (y0, self->ring[e][r][1]), y1 = MAX (y1, self->ring[e][r][1]);
        }
      for (guint i = self->drawn_index[e] + 1; i <= last; i++)
        {
          double px = frame_px (&fr, p[2 * i]), py = frame_py (&fr, p[2 * i + 1]);
          x0 = MIN (x0, px), x1 = MAX (x1, px);
          y0 = MIN (y0, py), y1 = MAX (y1, py);
        }
      cr = append_cairo_around (snapshot, x0, y0, x1, y1, head_reach (sc), w, h);
      if (cr == NULL)
        continue;
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      if (last > self->drawn_index[e] || tip[0] != self->ring[e][RING - 1][0]
          || tip[1] != self->ring[e][RING - 1][1])
        stroke_run (cr, &fr, p, self->drawn_index[e], last, self->ring[e], FALSE, tip,
                    &self->colors[e], sc);
      draw_head (cr, tip[0], tip[1], &self->colors[e], sc);
      cairo_destroy (cr);
    }

  ll_race_get_start (self->race, &sx, &sy);
  sx = frame_px (&fr, sx);
  sy = frame_py (&fr, sy);
  {
    cairo_t *cr = append_cairo_around (snapshot, sx, sy, sx, sy, 9 * sc.text, w, h);
    if (cr != NULL)
      {
        draw_start (cr, sx, sy, sc);
        cairo_destroy (cr);
      }
  }

  if (self->layout == NULL)
    self->layout = gtk_widget_create_pango_layout (widget, NULL);
  if (self->layout_text_scale != sc.text)
    {
      set_font (self->layout, sc.text);
      self->layout_text_scale = sc.text;
    }
  g_snprintf (text, sizeof text, _("step %u"),
              MIN ((guint) floor (self->progress), ll_race_get_n_steps (self->race)));
  append_label (self, snapshot, text, 8 * sc.text, 6 * sc.text, 0);
  if (self->hovering)
    {
      double x = fr.x0 + self->hover_x / w * (fr.x1 - fr.x0);
      double y = fr.y1 - self->hover_y / h * (fr.y1 - fr.y0);
      g_snprintf (text, sizeof text, _("x %.3f  y %.3f  loss %.4g"),
                  x, y, ll_surface_eval (self->surface, x, y, NULL, NULL));
      append_label (self, snapshot, text, w - 8 * sc.text, 6 * sc.text, 1);
    }
}

static void
ll_contour_map_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  double k = text_scale (widget);

  /* In presentation mode the panels beside the map grow with their text:
   * a larger minimum keeps the map the main thing (the Optimizers view's
   * left panel scrolls instead), small enough for a 1280-pixel projector. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? (k > 1 ? 480 : 400) : (int) (240 * k);
  *natural = (int) (k * (orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 520));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlContourMap *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  Frame fr;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->surface == NULL || w < 4 || h < 4)
    return;
  fr = frame_make (self->surface, self->equal_aspect, w, h);
  g_signal_emit (self, signals[START_PICKED], 0,
                 fr.x0 + x / w * (fr.x1 - fr.x0), fr.y1 - y / h * (fr.y1 - fr.y0));
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LlContourMap *self)
{
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, LlContourMap *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ll_contour_map_dispose (GObject *object)
{
  LlContourMap *self = LL_CONTOUR_MAP (object);

  self->race = NULL;
  g_clear_pointer (&self->surface, ll_surface_unref);
  g_clear_pointer (&self->background, cairo_surface_destroy);
  g_clear_pointer (&self->layer, cairo_surface_destroy);
  g_clear_object (&self->texture);
  g_clear_object (&self->layout);
  G_OBJECT_CLASS (ll_contour_map_parent_class)->dispose (object);
}

static void
ll_contour_map_class_init (LlContourMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_contour_map_dispose;
  widget_class->snapshot = ll_contour_map_snapshot;
  widget_class->measure = ll_contour_map_measure;

  /* (x, y) in surface coordinates of a click. */
  signals[START_PICKED] =
    g_signal_new ("start-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "contourmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_contour_map_init (LlContourMap *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->visible_mask = (1u << LL_RACE_N_ENTRIES) - 1;
  self->equal_aspect = TRUE;
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    gdk_rgba_parse (&self->colors[e], "black");

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Loss surface map; click to set the start point"), -1);
}

GtkWidget *
ll_contour_map_new (void)
{
  return g_object_new (LL_TYPE_CONTOUR_MAP, NULL);
}

void
ll_contour_map_set_race (LlContourMap *self, LlRace *race)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));

  self->race = race;
  if (race == NULL || ll_race_get_surface (race) != self->surface)
    ll_contour_map_invalidate (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_contour_map_invalidate (LlContourMap *self)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));

  g_clear_pointer (&self->surface, ll_surface_unref);
  if (self->race != NULL)
    self->surface = ll_surface_ref (ll_race_get_surface (self->race));
  g_clear_pointer (&self->background, cairo_surface_destroy);
  g_clear_pointer (&self->layer, cairo_surface_destroy);
  g_clear_object (&self->texture);
  self->layer_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_contour_map_set_colors (LlContourMap *self, const GdkRGBA *colors)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));
  memcpy (self->colors, colors, sizeof self->colors);
  self->layer_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_contour_map_set_visible_mask (LlContourMap *self, guint mask)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));
  if (self->visible_mask == mask)
    return;
  self->visible_mask = mask;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_contour_map_set_progress (LlContourMap *self, double steps)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));
  self->progress = MAX (steps, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_contour_map_draw (LlContourMap *self, cairo_t *cr, int width, int height)
{
  g_autoptr (PangoLayout) layout = NULL;
  Scale sc;

  g_return_if_fail (LL_IS_CONTOUR_MAP (self));
  if (self->surface == NULL)
    return;
  /* As on screen, presentation mode included. */
  sc = scale_of (GTK_WIDGET (self));
  layout = make_layout (cr, sc);
  draw_background (self->surface, self->equal_aspect, cr, layout, width, height, sc);
  draw_paths (self, cr, layout, width, height, sc);
}

gboolean
ll_contour_map_export_png (LlContourMap *self, const char *path, int width, int height,
                           GError **error)
{
  cairo_surface_t *image;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (LL_IS_CONTOUR_MAP (self), FALSE);

  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (image);
  /* No hover readout in a saved picture. */
  {
    gboolean hovering = self->hovering;
    self->hovering = FALSE;
    ll_contour_map_draw (self, cr, width, height);
    self->hovering = hovering;
  }
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (image, path);
  cairo_surface_destroy (image);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s (%s): choose a folder you can write to"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
ll_contour_map_export_svg (LlContourMap *self, const char *path, int width, int height,
                           GError **error)
{
  cairo_surface_t *svg;
  cairo_t *cr;
  cairo_status_t status;
  gboolean hovering;

  g_return_val_if_fail (LL_IS_CONTOUR_MAP (self), FALSE);

  /* Iso-lines, paths and text come out as vectors; the heat map is the
   * one embedded image. */
  svg = cairo_svg_surface_create (path, width, height);
  cr = cairo_create (svg);
  hovering = self->hovering;
  self->hovering = FALSE;
  ll_contour_map_draw (self, cr, width, height);
  self->hovering = hovering;
  cairo_destroy (cr);
  cairo_surface_finish (svg);
  status = cairo_surface_status (svg);
  cairo_surface_destroy (svg);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s (%s): choose a folder you can write to"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

void
ll_contour_map_set_equal_aspect (LlContourMap *self, gboolean equal_aspect)
{
  g_return_if_fail (LL_IS_CONTOUR_MAP (self));
  equal_aspect = !!equal_aspect;
  if (self->equal_aspect == equal_aspect)
    return;
  self->equal_aspect = equal_aspect;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ll_contour_map_get_equal_aspect (LlContourMap *self)
{
  g_return_val_if_fail (LL_IS_CONTOUR_MAP (self), FALSE);
  return self->equal_aspect;
}
