/* ll-feature-grid.c: tiles of float maps with a colour map and a legend
 * (see ll-feature-grid.h).  The whole grid is drawn once into a cairo
 * image surface, at whole-pixel scale with nearest-neighbour sampling so
 * that a 3×3 kernel looks like nine squares, and reused until the data or
 * the width changes. */
#include "ll-feature-grid.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#define GAP 4
#define LABEL_H 16
#define LEGEND_H 26
#define MIN_STRIP_H 22

struct _LlFeatureGrid
{
  GtkWidget parent_instance;

  float *values;
  int n_tiles, h, w, channels;
  char **labels;
  LlColormap colormap;
  int tile_size;
  int columns;                  /* 0: as many as fit */
  gboolean per_tile;
  float lo, hi;                 /* shared range */

  cairo_surface_t *cache;       /* the drawing at cache_width */
  int cache_width;
  gboolean activatable;
};

enum { SIGNAL_UNIT_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlFeatureGrid, ll_feature_grid, GTK_TYPE_WIDGET)

/* Colour maps ---------------------------------------------------------- */

static const guint8 viridis[11][3] = {
  { 68, 1, 84 }, { 72, 35, 116 }, { 64, 67, 135 }, { 52, 94, 141 }, { 41, 120, 142 },
  { 32, 144, 140 }, { 34, 167, 132 }, { 68, 190, 112 }, { 121, 209, 81 }, { 189, 222, 38 },
  { 253, 231, 37 },
};

guint32
ll_colormap_pixel (LlColormap map, double t)
{
  double r, g, b;

  if (!isfinite (t))
    return 0xffff00ff;          /* magenta: NaN or Inf, impossible to miss */
  t = CLAMP (t, 0.0, 1.0);
  switch (map)
    {
    case LL_COLORMAP_GRAY:
      r = g = b = 255 * t;
      break;
    case LL_COLORMAP_DIVERGING:
      if (t < 0.5)
        {
          double u = t / 0.5;      /* 0 blue → 1 white */
          r = 33 + u * (247 - 33);
          g = 102 + u * (247 - 102);
          b = 172 + u * (247 - 172);
        }
      else
        {
          double u = (t - 0.5) / 0.5;  /* 0 white → 1 red */
          r = 247 + u * (178 - 247);
          g = 247 + u * (24 - 247);
          b = 247 + u * (43 - 247);
        }
      break;
    case LL_COLORMAP_VIRIDIS:
    default:
      {
        double p = t * 10;
        int i = MIN ((int) p, 9);
        double f = p - i;
        r = viridis[i][0] + f * (viridis[i + 1][0] - viridis[i][0]);
        g = viridis[i][1] + f * (viridis[i + 1][1] - viridis[i][1]);
        b = viridis[i][2] + f * (viridis[i + 1][2] - viridis[i][2]);
      }
    }
  return 0xff000000u | ((guint32) (r + 0.5) << 16) | ((guint32) (g + 0.5) << 8) | (guint32) (b + 0.5);
}

static void
range_of (const float *v, gsize n, LlColormap map, float *lo, float *hi)
{
  float a = INFINITY, b = -INFINITY;

  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        a = MIN (a, v[i]);
        b = MAX (b, v[i]);
      }
  if (a > b)
    a = b = 0;
  if (map == LL_COLORMAP_DIVERGING)
    {
      /* Zero stays white: a symmetric range. */
      float m = MAX (fabsf (a), fabsf (b));
      a = -m;
      b = m;
    }
  *lo = a;
  *hi = b;
}

/* Geometry -------------------------------------------------------------- */

static void
tile_pixels (LlFeatureGrid *self, int *tw, int *th)
{
  double scale = (double) self->tile_size / MAX (MAX (self->h, self->w), 1);

  if (scale >= 1)
    scale = floor (scale);
  *tw = MAX ((int) (self->w * scale), 1);
  *th = MAX ((int) (self->h * scale), 1);
  if (self->h == 1)
    *th = MAX (*th, MIN_STRIP_H);
}

static int
columns_for (LlFeatureGrid *self, int width)
{
  int tw, th;

  tile_pixels (self, &tw, &th);
  if (self->columns > 0)
    return CLAMP (MIN ((width + GAP) / (tw + GAP), self->columns), 1, MAX (self->n_tiles, 1));
  return CLAMP ((width + GAP) / (tw + GAP), 1, MAX (self->n_tiles, 1));
}

static int
height_for (LlFeatureGrid *self, int width)
{
  int tw, th, cols, rows;

  if (self->n_tiles == 0)
    return 0;
  tile_pixels (self, &tw, &th);
  cols = columns_for (self, width);
  rows = (self->n_tiles + cols - 1) / cols;
  return rows * (th + GAP + (self->labels != NULL ? LABEL_H : 0)) + (self->per_tile ? 0 : LEGEND_H);
}

/* Drawing ----------------------------------------------------------------- */

static void
get_fg (GtkWidget *widget, GdkRGBA *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
draw_text (LlFeatureGrid *self, cairo_t *cr, const char *text, double x, double y,
           double max_w, gboolean right)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int lw, lh;

  pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  cairo_move_to (cr, right ? x - lw : x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* One tile into an ARGB surface at its native size. */
static cairo_surface_t *
tile_surface (LlFeatureGrid *self, int t)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, self->w, self->h);
  guint8 *pixels = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  gsize tile_len = (gsize) self->h * self->w * self->channels;
  const float *v = self->values + (gsize) t * tile_len;
  float lo = self->lo, hi = self->hi;

  if (self->per_tile || self->channels == 3)
    range_of (v, tile_len, self->channels == 3 ? LL_COLORMAP_GRAY : self->colormap, &lo, &hi);
  cairo_surface_flush (s);
  for (int y = 0; y < self->h; y++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) y * stride);
      for (int x = 0; x < self->w; x++)
        {
          const float *p = v + ((gsize) y * self->w + x) * self->channels;
          double span = hi > lo ? hi - lo : 1;

          if (self->channels == 3)
            {
              guint32 c[3];
              for (int k = 0; k < 3; k++)
                c[k] = (guint32) (255 * CLAMP ((p[k] - lo) / span, 0.0, 1.0) + 0.5);
              row[x] = 0xff000000u | (c[0] << 16) | (c[1] << 8) | c[2];
            }
          else
            row[x] = ll_colormap_pixel (self->colormap, hi > lo ? (p[0] - lo) / span : 0.5);
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
render_cache (LlFeatureGrid *self, int width)
{
  int tw, th, cols, height;
  cairo_t *cr;
  GdkRGBA fg;

  g_clear_pointer (&self->cache, cairo_surface_destroy);
  height = height_for (self, width);
  if (self->n_tiles == 0 || width <= 0 || height <= 0)
    return;
  tile_pixels (self, &tw, &th);
  cols = columns_for (self, width);
  get_fg (GTK_WIDGET (self), &fg);

  self->cache = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  self->cache_width = width;
  cr = cairo_create (self->cache);
  for (int t = 0; t < self->n_tiles; t++)
    {
      cairo_surface_t *ts = tile_surface (self, t);
      int col = t % cols, row = t / cols;
      double x = col * (tw + GAP);
      double y = row * (th + GAP + (self->labels != NULL ? LABEL_H : 0));

      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, (double) tw / self->w, (double) th / self->h);
      cairo_set_source_surface (cr, ts, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (ts);

      if (self->labels != NULL && self->labels[t] != NULL)
        {
          gdk_cairo_set_source_rgba (cr, &fg);
          draw_text (self, cr, self->labels[t], x, y + th + 1, tw + GAP, FALSE);
        }
    }

  if (!self->per_tile)
    {
      /* The legend: colour bar from the lowest to the highest value. */
      double y = height - LEGEND_H + 6, bar_w = 140;
      g_autofree char *lo = g_strdup_printf ("%.3g", self->lo);
      g_autofree char *hi = g_strdup_printf ("%.3g", self->hi);

      for (int i = 0; i < (int) bar_w; i++)
        {
          guint32 px = ll_colormap_pixel (self->colormap, i / (bar_w - 1));
          cairo_set_source_rgb (cr, ((px >> 16) & 255) / 255.0, ((px >> 8) & 255) / 255.0,
                                (px & 255) / 255.0);
          cairo_rectangle (cr, 84 + i, y + 3, 1, 10);
          cairo_fill (cr);
        }
      gdk_cairo_set_source_rgba (cr, &fg);
      draw_text (self, cr, lo, 80, y, 80, TRUE);
      draw_text (self, cr, hi, 84 + bar_w + 4, y, 80, FALSE);
    }
  cairo_destroy (cr);
}

static void
ll_feature_grid_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlFeatureGrid *self = LL_FEATURE_GRID (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->n_tiles == 0 || width <= 0)
    return;
  if (self->cache == NULL || self->cache_width != width)
    render_cache (self, width);
  if (self->cache == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_surface (cr, self->cache, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
ll_feature_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ll_feature_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                         int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  LlFeatureGrid *self = LL_FEATURE_GRID (widget);
  int tw, th;

  tile_pixels (self, &tw, &th);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int n = MIN (MAX (self->n_tiles, 1), 16);
      *minimum = self->n_tiles > 0 ? MAX (tw, self->per_tile ? 0 : 310) : 0;
      *natural = self->n_tiles > 0 ? MAX (n * (tw + GAP) - GAP, *minimum) : 0;
    }
  else
    {
      int width = for_size > 0 ? for_size : MIN (MAX (self->n_tiles, 1), 16) * (tw + GAP);
      *minimum = *natural = height_for (self, width);
    }
}

static void
invalidate (LlFeatureGrid *self)
{
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ll_feature_grid_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (ll_feature_grid_parent_class)->css_changed (widget, change);
  /* The text colour may have changed (dark style). */
  g_clear_pointer (&LL_FEATURE_GRID (widget)->cache, cairo_surface_destroy);
  gtk_widget_queue_draw (widget);
}

static void
ll_feature_grid_finalize (GObject *object)
{
  LlFeatureGrid *self = LL_FEATURE_GRID (object);

  g_free (self->values);
  g_strfreev (self->labels);
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  G_OBJECT_CLASS (ll_feature_grid_parent_class)->finalize (object);
}

static void
ll_feature_grid_class_init (LlFeatureGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ll_feature_grid_finalize;
  widget_class->snapshot = ll_feature_grid_snapshot;
  widget_class->measure = ll_feature_grid_measure;
  widget_class->get_request_mode = ll_feature_grid_get_request_mode;
  widget_class->css_changed = ll_feature_grid_css_changed;
  gtk_widget_class_set_css_name (widget_class, "featuregrid");
  /* (tile, row, column) of a clicked value, when activatable. */
  signals[SIGNAL_UNIT_ACTIVATED] =
    g_signal_new ("unit-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlFeatureGrid *self)
{
  int tile, row, col;

  if (self->activatable && ll_feature_grid_unit_at (self, x, y, &tile, &row, &col))
    g_signal_emit (self, signals[SIGNAL_UNIT_ACTIVATED], 0, tile, row, col);
}

static void
ll_feature_grid_init (LlFeatureGrid *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->tile_size = 56;
  self->channels = 1;
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
ll_feature_grid_new (void)
{
  return g_object_new (LL_TYPE_FEATURE_GRID, NULL);
}

void
ll_feature_grid_set_tiles (LlFeatureGrid *self, const float *data, int n_tiles, int h, int w,
                           int channels)
{
  gsize n;

  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  g_return_if_fail (n_tiles >= 0 && h > 0 && w > 0 && (channels == 1 || channels == 3));

  n = (gsize) n_tiles * h * w * channels;
  g_free (self->values);
  self->values = n > 0 ? g_memdup2 (data, n * sizeof (float)) : NULL;
  self->n_tiles = n_tiles;
  self->h = h;
  self->w = w;
  self->channels = channels;
  range_of (self->values, n, self->colormap, &self->lo, &self->hi);
  invalidate (self);
}

void
ll_feature_grid_set_hwc (LlFeatureGrid *self, const float *data, int h, int w, int c)
{
  g_autofree float *tiles = NULL;

  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  g_return_if_fail (h > 0 && w > 0 && c > 0);

  /* Keras keeps channels last; a tile is one channel. */
  tiles = g_new (float, (gsize) h * w * c);
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < h * w; i++)
      tiles[(gsize) ch * h * w + i] = data[(gsize) i * c + ch];
  ll_feature_grid_set_tiles (self, tiles, c, h, w, 1);
}

void
ll_feature_grid_clear (LlFeatureGrid *self)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  g_clear_pointer (&self->values, g_free);
  self->n_tiles = 0;
  invalidate (self);
}

void
ll_feature_grid_set_labels (LlFeatureGrid *self, const char *const *labels)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  g_strfreev (self->labels);
  self->labels = g_strdupv ((char **) labels);
  invalidate (self);
}

void
ll_feature_grid_set_colormap (LlFeatureGrid *self, LlColormap colormap)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  if (self->colormap == colormap)
    return;
  self->colormap = colormap;
  range_of (self->values, (gsize) self->n_tiles * self->h * self->w * self->channels,
            colormap, &self->lo, &self->hi);
  invalidate (self);
}

void
ll_feature_grid_set_tile_size (LlFeatureGrid *self, int size)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  size = MAX (size, 4);
  if (self->tile_size == size)
    return;
  self->tile_size = size;
  invalidate (self);
}

void
ll_feature_grid_set_columns (LlFeatureGrid *self, int columns)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  columns = MAX (columns, 0);
  if (self->columns == columns)
    return;
  self->columns = columns;
  invalidate (self);
}

void
ll_feature_grid_set_per_tile_range (LlFeatureGrid *self, gboolean per_tile)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  if (self->per_tile == !!per_tile)
    return;
  self->per_tile = !!per_tile;
  invalidate (self);
}

void
ll_feature_grid_set_activatable (LlFeatureGrid *self, gboolean activatable)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  self->activatable = activatable;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), activatable ? "pointer" : NULL);
}

gboolean
ll_feature_grid_unit_at (LlFeatureGrid *self, double x, double y, int *tile, int *row, int *col)
{
  int tw, th, cols, tc, tr, t, px, py, row_h;

  g_return_val_if_fail (LL_IS_FEATURE_GRID (self), FALSE);
  if (self->n_tiles == 0 || x < 0 || y < 0)
    return FALSE;
  tile_pixels (self, &tw, &th);
  cols = columns_for (self, gtk_widget_get_width (GTK_WIDGET (self)));
  row_h = th + GAP + (self->labels != NULL ? LABEL_H : 0);
  tc = (int) x / (tw + GAP);
  tr = (int) y / row_h;
  px = (int) x - tc * (tw + GAP);
  py = (int) y - tr * row_h;
  t = tr * cols + tc;
  if (tc >= cols || px >= tw || py >= th || t >= self->n_tiles)
    return FALSE;
  *tile = t;
  *row = MIN (py * self->h / th, self->h - 1);
  *col = MIN (px * self->w / tw, self->w - 1);
  return TRUE;
}

const float *
ll_feature_grid_get_values (LlFeatureGrid *self, int *n_tiles, int *h, int *w, int *channels)
{
  g_return_val_if_fail (LL_IS_FEATURE_GRID (self), NULL);
  if (n_tiles) *n_tiles = self->n_tiles;
  if (h) *h = self->h;
  if (w) *w = self->w;
  if (channels) *channels = self->channels;
  return self->values;
}

int
ll_feature_grid_get_n_tiles (LlFeatureGrid *self)
{
  g_return_val_if_fail (LL_IS_FEATURE_GRID (self), 0);
  return self->n_tiles;
}

void
ll_feature_grid_get_range (LlFeatureGrid *self, float *lo, float *hi)
{
  g_return_if_fail (LL_IS_FEATURE_GRID (self));
  *lo = self->lo;
  *hi = self->hi;
}

gboolean
ll_widget_save_png (GtkWidget *widget, const char *path, GError **error)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GtkNative *native = gtk_widget_get_native (widget);

  if (native == NULL || !gtk_widget_get_realized (widget) || w <= 0 || h <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Nothing to export: show the panel first"));
      return FALSE;
    }
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  /* An opaque background: exported figures go into slides and documents. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Nothing to export"));
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write “%s”: choose a folder you can write to"), path);
      return FALSE;
    }
  return TRUE;
}
