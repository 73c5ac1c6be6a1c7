/* ll-line-chart.c: series, axes, legend and hover read-out in Cairo.
 *
 * One render function draws into any cairo_t, so the widget, the PNG and
 * the SVG export are the same picture.  The data are few thousand points at
 * most (per-batch history), so every frame redraws everything. */
#include "ll-line-chart.h"

#include <adwaita.h>
#include <cairo-svg.h>
#include <math.h>

#include "ll-types.h"
#include "ll-palette.h"
#include "ll-presentation.h"
#include <glib/gi18n.h>

typedef struct {
  char *label;
  guint color;
  gboolean dashed;
  gboolean points;
  GArray *x, *y;                /* double */
} Series;

typedef struct {
  double x;
  char *label;
} Marker;

struct _LlLineChart
{
  GtkWidget parent_instance;

  char *title, *x_label, *y_label;
  GPtrArray *series;            /* Series */
  GArray *markers;              /* Marker */
  gboolean log_scale;
  double hover_x;               /* widget pixels, < 0 when the pointer is away */
};

enum {
  PROP_0,
  PROP_LOG_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlLineChart, ll_line_chart, GTK_TYPE_WIDGET)


static void
series_free (gpointer p)
{
  Series *s = p;

  g_free (s->label);
  g_array_unref (s->x);
  g_array_unref (s->y);
  g_free (s);
}

static void
marker_clear (gpointer p)
{
  g_free (((Marker *) p)->label);
}

/* Geometry ---------------------------------------------------------------- */

typedef struct {
  double x0, x1, y0, y1;        /* data range (y in log10 when log scale) */
  double left, top, right, bottom;   /* plot area in pixels */
} Frame;

static gboolean
usable (LlLineChart *self, double y)
{
  return isfinite (y) && (!self->log_scale || y > 0.0);
}

static double
ty (LlLineChart *self, double y)
{
  return self->log_scale ? log10 (y) : y;
}

static double
px (const Frame *f, double x)
{
  return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double
py (const Frame *f, double y)
{
  return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

static gboolean
data_range (LlLineChart *self, Frame *f)
{
  gboolean any = FALSE;

  f->x0 = f->y0 = INFINITY;
  f->x1 = f->y1 = -INFINITY;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);
      for (guint j = 0; j < s->x->len; j++)
        {
          double x = g_array_index (s->x, double, j), y = g_array_index (s->y, double, j);
          if (!isfinite (x) || !usable (self, y))
            continue;
          any = TRUE;
          f->x0 = MIN (f->x0, x);
          f->x1 = MAX (f->x1, x);
          f->y0 = MIN (f->y0, ty (self, y));
          f->y1 = MAX (f->y1, ty (self, y));
        }
    }
  if (!any)
    {
      f->x0 = 0;
      f->x1 = 1;
      f->y0 = self->log_scale ? -1 : 0;
      f->y1 = self->log_scale ? 0 : 1;
      return FALSE;
    }
  f->x0 = MIN (f->x0, 0.0);   /* curves start at epoch 0 */
  if (f->x1 - f->x0 < 1e-9)
    f->x1 = f->x0 + 1;
  if (f->y1 - f->y0 < 1e-9)
    {
      f->y0 -= 0.5;
      f->y1 += 0.5;
    }
  else
    {
      double pad = 0.05 * (f->y1 - f->y0);
      f->y0 -= pad;
      f->y1 += pad;
    }
  return TRUE;
}

/* A step of 1, 2 or 5 × 10^k giving about n ticks over range. */
static double
nice_step (double range, int n)
{
  double raw = range / n, mag = pow (10, floor (log10 (raw))), r = raw / mag;

  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void
set_color (cairo_t *cr, guint color, double alpha)
{
  LlRgb c = ll_palette_color (color);

  cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
}

/* Text in the cairo font's size and weight, drawn by Pango: cairo's toy
 * text has no font fallback, so Hangul (the Korean translation) would be
 * boxes.  As cairo_show_text was: x − ax × the advance, the baseline at
 * y + ay × the ink height. */
static void
text_at (cairo_t *cr, const char *text, double x, double y, double ax, double ay)
{
  cairo_font_face_t *face = cairo_get_font_face (cr);
  PangoFontDescription *desc = pango_font_description_from_string ("Sans");
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoRectangle ink, logical;
  cairo_matrix_t m;

  cairo_get_font_matrix (cr, &m);
  pango_font_description_set_absolute_size (desc, m.yy * PANGO_SCALE);
  if (cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY
      && cairo_toy_font_face_get_weight (face) == CAIRO_FONT_WEIGHT_BOLD)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, &ink, &logical);
  cairo_move_to (cr, x - ax * logical.width,
                 y + ay * ink.height - pango_layout_get_baseline (layout) / (double) PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
  pango_font_description_free (desc);
}

static void
format_value (char *buf, gsize len, double v)
{
  double a = fabs (v);

  if (a != 0 && (a < 1e-3 || a >= 1e5))
    g_snprintf (buf, len, "%.2g", v);
  else
    g_snprintf (buf, len, "%.4g", v);
}

/* Rendering --------------------------------------------------------------- */

void
ll_line_chart_render (LlLineChart *self, cairo_t *cr, double width, double height, gboolean dark)
{
  double s = ll_presentation_text_scale (GTK_WIDGET (self));
  double fg = dark ? 0.92 : 0.12, bg = dark ? 0.14 : 1.0;
  double font = 11 * s;
  Frame f;
  gboolean have_data;
  char buf[64];

  g_return_if_fail (LL_IS_LINE_CHART (self));

  cairo_save (cr);
  cairo_set_source_rgb (cr, bg, bg, bg);
  cairo_paint (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, font);

  have_data = data_range (self, &f);
  f.left = 58 * s;
  f.right = width - 14 * s;
  f.top = (self->title ? 26 : 10) * s;
  f.bottom = height - 36 * s;
  if (f.right - f.left < 20 || f.bottom - f.top < 20)
    {
      cairo_restore (cr);
      return;
    }

  if (self->title != NULL)
    {
      cairo_set_source_rgb (cr, fg, fg, fg);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      text_at (cr, self->title, f.left, 6 * s, 0, 1);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    }

  /* Grid and ticks. */
  cairo_set_line_width (cr, 1.0 * s);
  {
    double step = nice_step (f.x1 - f.x0, 6);
    for (double v = ceil (f.x0 / step) * step; v <= f.x1 + 1e-9; v += step)
      {
        double x = px (&f, v);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.12);
        cairo_move_to (cr, x, f.top);
        cairo_line_to (cr, x, f.bottom);
        cairo_stroke (cr);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
        format_value (buf, sizeof buf, fabs (v) < 1e-12 ? 0 : v);
        text_at (cr, buf, x, f.bottom + 4 * s, 0.5, 1);
      }
  }
  {
    double step = self->log_scale ? MAX (1.0, round (nice_step (f.y1 - f.y0, 5)))
                                  : nice_step (f.y1 - f.y0, 5);
    for (double v = ceil (f.y0 / step) * step; v <= f.y1 + 1e-9; v += step)
      {
        double y = py (&f, v);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.12);
        cairo_move_to (cr, f.left, y);
        cairo_line_to (cr, f.right, y);
        cairo_stroke (cr);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
        format_value (buf, sizeof buf, self->log_scale ? pow (10, v) : (fabs (v) < 1e-12 ? 0 : v));
        text_at (cr, buf, f.left - 5 * s, y, 1, 0.5);
      }
  }
  cairo_set_source_rgba (cr, fg, fg, fg, 0.6);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
  if (self->x_label != NULL)
    text_at (cr, self->x_label, (f.left + f.right) / 2, height - 6 * s, 0.5, 0);
  if (self->y_label != NULL)
    {
      g_autofree char *label = self->log_scale ? g_strdup_printf (_("%s (log)"), self->y_label)
                                               : g_strdup (self->y_label);
      cairo_save (cr);
      cairo_translate (cr, 12 * s, (f.top + f.bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      text_at (cr, label, 0, 0, 0.5, 0.5);
      cairo_restore (cr);
    }

  if (!have_data)
    {
      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      text_at (cr, _("No data yet: start a run"), (f.left + f.right) / 2, (f.top + f.bottom) / 2,
               0.5, 0.5);
      cairo_restore (cr);
      return;
    }

  /* Markers (learning-rate changes). */
  for (guint i = 0; i < self->markers->len; i++)
    {
      Marker *m = &g_array_index (self->markers, Marker, i);
      double x = px (&f, m->x);
      double dash[] = { 4 * s, 3 * s };
      if (x < f.left || x > f.right)
        continue;
      cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x, f.top);
      cairo_line_to (cr, x, f.bottom);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (m->label != NULL)
        text_at (cr, m->label, x + 3 * s, f.top + 3 * s, 0, 1);
    }

  /* Series. */
  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *ser = g_ptr_array_index (self->series, i);
      gboolean pen = FALSE;
      double dash[] = { 6 * s, 4 * s };

      set_color (cr, ser->color, 1.0);
      cairo_set_line_width (cr, (ser->points ? 2.0 : 1.5) * s);
      cairo_set_dash (cr, dash, ser->dashed ? 2 : 0, 0);
      for (guint j = 0; j < ser->x->len; j++)
        {
          double x = g_array_index (ser->x, double, j), y = g_array_index (ser->y, double, j);
          if (!usable (self, y))
            {
              pen = FALSE;
              continue;
            }
          if (pen)
            cairo_line_to (cr, px (&f, x), py (&f, ty (self, y)));
          else
            cairo_move_to (cr, px (&f, x), py (&f, ty (self, y)));
          pen = TRUE;
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (ser->points)
        for (guint j = 0; j < ser->x->len; j++)
          {
            double x = g_array_index (ser->x, double, j), y = g_array_index (ser->y, double, j);
            if (!usable (self, y))
              continue;
            cairo_arc (cr, px (&f, x), py (&f, ty (self, y)), 3.0 * s, 0, 2 * G_PI);
            cairo_fill (cr);
          }
    }
  cairo_restore (cr);

  /* Legend, top right inside the plot. */
  {
    double row = font * 1.4, w = 0, lx, ly;
    for (guint i = 0; i < self->series->len; i++)
      {
        Series *ser = g_ptr_array_index (self->series, i);
        cairo_text_extents_t e;
        cairo_text_extents (cr, ser->label ? ser->label : "", &e);
        w = MAX (w, e.x_advance);
      }
    w += 34 * s;
    lx = f.right - w - 6 * s;
    ly = f.top + 6 * s;
    cairo_set_source_rgba (cr, bg, bg, bg, 0.85);
    cairo_rectangle (cr, lx, ly, w, row * self->series->len + 6 * s);
    cairo_fill (cr);
    for (guint i = 0; i < self->series->len; i++)
      {
        Series *ser = g_ptr_array_index (self->series, i);
        double y = ly + 3 * s + row * (i + 0.5);
        double dash[] = { 6 * s, 4 * s };
        set_color (cr, ser->color, 1.0);
        cairo_set_line_width (cr, 2.0 * s);
        cairo_set_dash (cr, dash, ser->dashed ? 2 : 0, 0);
        cairo_move_to (cr, lx + 4 * s, y);
        cairo_line_to (cr, lx + 24 * s, y);
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);
        if (ser->points)
          {
            cairo_arc (cr, lx + 14 * s, y, 3 * s, 0, 2 * G_PI);
            cairo_fill (cr);
          }
        cairo_set_source_rgb (cr, fg, fg, fg);
        text_at (cr, ser->label ? ser->label : "", lx + 30 * s, y, 0, 0.4);
      }
  }

  /* Hover read-out: the value of every series nearest to the pointer's x. */
  if (self->hover_x >= f.left && self->hover_x <= f.right)
    {
      double xv = f.x0 + (self->hover_x - f.left) / (f.right - f.left) * (f.x1 - f.x0);
      GString *lines[LL_LINE_CHART_N_COLORS * 2];
      guint n_lines = 0;
      double row = font * 1.4, w = 0, bx, by;

      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      cairo_set_line_width (cr, 1.0 * s);
      cairo_move_to (cr, self->hover_x, f.top);
      cairo_line_to (cr, self->hover_x, f.bottom);
      cairo_stroke (cr);

      lines[n_lines++] = g_string_new (NULL);
      g_string_printf (lines[0], "%s %.3g", self->x_label ? self->x_label : "x", xv);
      for (guint i = 0; i < self->series->len && n_lines < G_N_ELEMENTS (lines); i++)
        {
          Series *ser = g_ptr_array_index (self->series, i);
          double best = INFINITY, by_ = NAN;
          for (guint j = 0; j < ser->x->len; j++)
            {
              double d = fabs (g_array_index (ser->x, double, j) - xv);
              if (d < best)
                {
                  best = d;
                  by_ = g_array_index (ser->y, double, j);
                }
            }
          if (!isfinite (by_))
            continue;
          format_value (buf, sizeof buf, by_);
          lines[n_lines++] = g_string_new (NULL);
          g_string_printf (lines[n_lines - 1], "%s: %s", ser->label ? ser->label : "", buf);
        }
      for (guint i = 0; i < n_lines; i++)
        {
          cairo_text_extents_t e;
          cairo_text_extents (cr, lines[i]->str, &e);
          w = MAX (w, e.x_advance);
        }
      w += 12 * s;
      bx = self->hover_x + 8 * s;
      if (bx + w > f.right)
        bx = self->hover_x - 8 * s - w;
      by = f.bottom - row * n_lines - 10 * s;
      cairo_set_source_rgba (cr, bg, bg, bg, 0.92);
      cairo_rectangle (cr, bx, by, w, row * n_lines + 6 * s);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, fg, fg, fg);
      for (guint i = 0; i < n_lines; i++)
        {
          text_at (cr, lines[i]->str, bx + 6 * s, by + 3 * s + row * (i + 0.5), 0, 0.4);
          g_string_free (lines[i], TRUE);
        }
    }
  cairo_restore (cr);
}

static void
ll_line_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlLineChart *self = LL_LINE_CHART (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  ll_line_chart_render (self, cr, w, h, adw_style_manager_get_dark (adw_style_manager_get_default ()));
  cairo_destroy (cr);
}

/* Export ------------------------------------------------------------------- */

gboolean
ll_line_chart_export_png (LlLineChart *self, const char *path, int width, int height,
                          GError **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (LL_IS_LINE_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL && width > 0 && height > 0, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  ll_line_chart_render (self, cr, width, height, FALSE);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not write the chart to %s (%s); "
                   "choose a folder you can write to"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
ll_line_chart_export_svg (LlLineChart *self, const char *path, int width, int height,
                          GError **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (LL_IS_LINE_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL && width > 0 && height > 0, FALSE);

  surface = cairo_svg_surface_create (path, width, height);
  cr = cairo_create (surface);
  ll_line_chart_render (self, cr, width, height, FALSE);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not write the chart to %s (%s); "
                   "choose a folder you can write to"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* Hover --------------------------------------------------------------------- */

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LlLineChart *self)
{
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, LlLineChart *self)
{
  self->hover_x = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GObject -------------------------------------------------------------------- */

static void
ll_line_chart_finalize (GObject *object)
{
  LlLineChart *self = LL_LINE_CHART (object);

  g_free (self->title);
  g_free (self->x_label);
  g_free (self->y_label);
  g_ptr_array_unref (self->series);
  g_array_unref (self->markers);

  G_OBJECT_CLASS (ll_line_chart_parent_class)->finalize (object);
}

static void
ll_line_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlLineChart *self = LL_LINE_CHART (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_line_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlLineChart *self = LL_LINE_CHART (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      ll_line_chart_set_log_scale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_line_chart_class_init (LlLineChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ll_line_chart_finalize;
  object_class->get_property = ll_line_chart_get_property;
  object_class->set_property = ll_line_chart_set_property;
  widget_class->snapshot = ll_line_chart_snapshot;

  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, "Logarithmic y axis", FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "linechart");
}

static void
ll_line_chart_init (LlLineChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_ptr_array_new_with_free_func (series_free);
  self->markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_array_set_clear_func (self->markers, marker_clear);
  self->hover_x = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 180);
}

GtkWidget *
ll_line_chart_new (void)
{
  return g_object_new (LL_TYPE_LINE_CHART, NULL);
}

void
ll_line_chart_set_labels (LlLineChart *self, const char *title, const char *x_label,
                          const char *y_label)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_free (self->title);
  g_free (self->x_label);
  g_free (self->y_label);
  self->title = g_strdup (title);
  self->x_label = g_strdup (x_label);
  self->y_label = g_strdup (y_label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_line_chart_clear (LlLineChart *self)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  g_array_set_size (self->markers, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ll_line_chart_add_series (LlLineChart *self, const char *label, guint color, gboolean dashed,
                          gboolean points)
{
  Series *s;

  g_return_val_if_fail (LL_IS_LINE_CHART (self), 0);

  s = g_new0 (Series, 1);
  s->label = g_strdup (label);
  s->color = color;
  s->dashed = dashed;
  s->points = points;
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->y = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (self->series, s);
  return self->series->len - 1;
}

void
ll_line_chart_set_data (LlLineChart *self, guint series, const double *x, const double *y, guint n)
{
  Series *s;

  g_return_if_fail (LL_IS_LINE_CHART (self));
  g_return_if_fail (series < self->series->len);

  s = g_ptr_array_index (self->series, series);
  g_array_set_size (s->x, 0);
  g_array_set_size (s->y, 0);
  g_array_append_vals (s->x, x, n);
  g_array_append_vals (s->y, y, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ll_line_chart_get_n_series (LlLineChart *self)
{
  g_return_val_if_fail (LL_IS_LINE_CHART (self), 0);
  return self->series->len;
}

void
ll_line_chart_add_marker (LlLineChart *self, double x, const char *label)
{
  Marker m = { x, g_strdup (label) };

  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_array_append_val (self->markers, m);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_line_chart_set_log_scale (LlLineChart *self, gboolean log_scale)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  log_scale = !!log_scale;
  if (self->log_scale == log_scale)
    return;
  self->log_scale = log_scale;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

gboolean
ll_line_chart_get_log_scale (LlLineChart *self)
{
  g_return_val_if_fail (LL_IS_LINE_CHART (self), FALSE);
  return self->log_scale;
}
