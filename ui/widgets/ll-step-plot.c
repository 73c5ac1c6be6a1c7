/* ll-step-plot.c: the loss-per-step chart beside the optimizer map.
 *
 * Log y when no shown loss is negative (losses near a minimum span many
 * decades; those below LOG_FLOOR, exact zeros included, sit on the bottom
 * edge); otherwise (the saddle, whose loss falls without bound) linear,
 * clipped to the range of the first steps so one runaway line does not
 * squash the rest.  The log axis is labelled in whole decades when the
 * losses span three or more, else at 1, 2 and 5 times powers of ten around
 * them, so that it always carries a few readable numbers.
 *
 * Presentation mode (ll-window.h) scales the text by 1.5, as style.css
 * does the rest of the window's, and the lines by ll_presentation_scale();
 * snapshot reads it each time, and the window redraws every widget when
 * the mode changes. */
#include "ll-step-plot.h"
#include "ll-presentation.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#define LOG_FLOOR 1e-8    /* losses below this sit on the bottom edge */
#define MAX_TICKS 16

struct _LlStepPlot {
  GtkWidget parent_instance;

  LlRace *race;                   /* borrowed */
  GdkRGBA colors[LL_RACE_N_ENTRIES];
  guint visible_mask;
  guint progress;
};

G_DEFINE_FINAL_TYPE (LlStepPlot, ll_step_plot, GTK_TYPE_WIDGET)

/* Presentation mode makes text 150 % (style.css): so do the plot's. */
static double
text_scale (GtkWidget *widget)
{
  return ll_presentation_text_scale (widget);
}

static double
nice_step (double range, int target)
{
  double raw = range / target, mag = pow (10, floor (log10 (raw))), r = raw / mag;
  return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

/* ---- the log axis ---- */

/* A value 1, 2 or 5 × 10^decade. */
typedef struct {
  int decade, digit;              /* digit indexes mantissas[] */
} Tick125;

static const double mantissas[3] = { 1, 2, 5 };

static double
tick_value (Tick125 t)
{
  return mantissas[t.digit] * pow (10, t.decade);
}

static Tick125
tick_next (Tick125 t, int dir)
{
  t.digit += dir;
  if (t.digit > 2)
    t.digit = 0, t.decade++;
  else if (t.digit < 0)
    t.digit = 2, t.decade--;
  return t;
}

guint
ll_step_plot_log_ticks (double lo, double hi, double *ticks, guint max_ticks)
{
  int d0, d1;
  guint n = 0;

  g_return_val_if_fail (lo > 0 && hi >= lo && isfinite (hi), 0);
  g_return_val_if_fail (ticks != NULL && max_ticks >= 2, 0);

  d0 = (int) floor (log10 (lo) + 1e-9);
  d1 = (int) ceil (log10 (hi) - 1e-9);
  if (d1 - d0 >= 3)
    {
      /* Every decade, or every other…: at most seven labels. */
      int stride = (d1 - d0 + 5) / 6;
      d0 = (int) floor ((double) d0 / stride) * stride;
      d1 = (int) ceil ((double) d1 / stride) * stride;
      for (int d = d0; d <= d1 && n < max_ticks; d += stride)
        ticks[n++] = pow (10, d);
    }
  else
    {
      /* Two decades or less: the 1-2-5 values around the data. */
      Tick125 a = { d0, 2 }, b;

      while (tick_value (a) > lo * (1 + 1e-9))
        a = tick_next (a, -1);
      b = a;
      while (tick_value (b) < hi * (1 - 1e-9))
        b = tick_next (b, 1);
      if (b.decade == a.decade && b.digit == a.digit)
        {
          /* Constant losses on a tick: one value either side. */
          a = tick_next (a, -1);
          b = tick_next (b, 1);
        }
      else if (tick_next (a, 1).decade == b.decade && tick_next (a, 1).digit == b.digit)
        {
          /* Two ticks around the data: a third above, never one lone pair
           * (an axis reads with three labels at least). */
          b = tick_next (b, 1);
        }
      for (Tick125 t = a; n < max_ticks; t = tick_next (t, 1))
        {
          ticks[n++] = tick_value (t);
          if (t.decade == b.decade && t.digit == b.digit)
            break;
        }
    }
  return n;
}

void
ll_step_plot_format_log_tick (double value, char *buf, gsize size)
{
  int e;
  double m;

  g_return_if_fail (buf != NULL && size > 0);

  if (!(value > 0) || !isfinite (value))
    {
      g_snprintf (buf, size, "%g", value);
      return;
    }
  /* value = m × 10^e with m in [1, 10), rounded to one decimal. */
  e = (int) floor (log10 (value));
  m = round (value / pow (10, e) * 10) / 10;
  if (m >= 10)
    m /= 10, e++;
  else if (m < 1)
    m *= 10, e--;
  if (e >= -3 && e <= 3)
    {
      int decimals = MAX (-e, 0) + (m != floor (m) ? 1 : 0);
      g_snprintf (buf, size, "%.*f", decimals, m * pow (10, e));
    }
  else
    g_snprintf (buf, size, "%ge%d", m, e);
}

/* ---- drawing ---- */

static void
show_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
           double ax, double ay)
{
  int tw, th;
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_move_to (cr, x - ax * tw, y - ay * th);
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
}

static void
ll_step_plot_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlStepPlot *self = LL_STEP_PLOT (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double k = text_scale (widget), line = ll_presentation_scale (widget);
  double left, right = 10 * k, top, bottom;
  double pw, ph;
  double lo = INFINITY, hi = -INFINITY, y0, y1;
  double ticks[MAX_TICKS];
  char labels[MAX_TICKS][32];
  int n_ticks = 0, label_w = 0, tw, th;
  gboolean log_y = TRUE;
  guint x_max;
  cairo_t *cr;
  PangoLayout *layout;
  PangoFontDescription *font;
  GdkRGBA fg;

  if (self->race == NULL || w < 40 || h < 40)
    return;

  x_max = MAX (self->progress, 10);
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n;
      const double *l = ll_race_get_losses (self->race, e, &n);
      if (!(self->visible_mask & (1u << e)))
        continue;
      n = MIN (n, self->progress + 1);
      for (guint i = 0; i < n; i++)
        {
          if (l[i] < 0)
            log_y = FALSE;
          lo = MIN (lo, l[i]);
          hi = MAX (hi, l[i]);
        }
    }
  if (!isfinite (lo) || !isfinite (hi))
    lo = 0, hi = 1, log_y = FALSE;

  if (log_y)
    {
      double values[MAX_TICKS];
      n_ticks = (int) ll_step_plot_log_ticks (MAX (lo, LOG_FLOOR), MAX (hi, LOG_FLOOR),
                                              values, MAX_TICKS);
      for (int i = 0; i < n_ticks; i++)
        {
          ticks[i] = log10 (values[i]);
          ll_step_plot_format_log_tick (values[i], labels[i], sizeof labels[0]);
        }
      y0 = ticks[0];
      y1 = ticks[n_ticks - 1];
    }
  else
    {
      /* Start losses of every shown entry bound the view from above; the
       * floor is at most ten times that span below. */
      double top_loss = -INFINITY, s;
      for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
        if (self->visible_mask & (1u << e))
          top_loss = MAX (top_loss, ll_race_get_losses (self->race, e, NULL)[0]);
      y1 = isfinite (top_loss) ? MAX (top_loss, hi) : hi;
      y0 = MAX (lo, y1 - 10 * MAX (fabs (y1), 1));
      if (y1 <= y0)
        y1 = y0 + 1;
      s = nice_step (y1 - y0, 5);
      for (double v = ceil (y0 / s) * s; v <= y1 + 1e-9 * s && n_ticks < MAX_TICKS; v += s)
        {
          ticks[n_ticks] = v;
          g_snprintf (labels[n_ticks], sizeof labels[0], "%.3g", fabs (v) < 1e-9 * s ? 0 : v);
          n_ticks++;
        }
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans");
  pango_font_description_set_size (font, (int) (8 * k * PANGO_SCALE));
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  /* gtk_widget_get_color() is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);

  /* Margins from the text they hold. */
  for (int i = 0; i < n_ticks; i++)
    {
      pango_layout_set_text (layout, labels[i], -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      label_w = MAX (label_w, tw);
    }
  pango_layout_set_text (layout, "0", -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  left = MAX (label_w, 2 * th) + 8 * k;
  /* Room for half the last step number, centred on the right edge. */
  {
    char text[32];
    g_snprintf (text, sizeof text, "%u", x_max);
    pango_layout_set_text (layout, text, -1);
    pango_layout_get_pixel_size (layout, &tw, NULL);
    right = MAX (right, tw / 2 + 2 * k);
  }
  top = th + 9 * k;
  bottom = th + 8 * k;
  pw = w - left - right;
  ph = h - top - bottom;
  if (pw < 20 || ph < 20)
    {
      g_object_unref (layout);
      cairo_destroy (cr);
      return;
    }

  /* Grid and labels. */
  cairo_set_line_width (cr, line);
  for (int i = 0; i < n_ticks; i++)
    {
      double py = top + ph * (1 - (ticks[i] - y0) / (y1 - y0));
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
      cairo_move_to (cr, left, floor (py) + 0.5);
      cairo_line_to (cr, left + pw, floor (py) + 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
      show_text (cr, layout, labels[i], left - 4 * k, py, 1, 0.5);
    }
  {
    double s = nice_step (x_max, 5);
    for (double v = 0; v <= x_max + 1e-9; v += s)
      {
        double px = left + pw * v / x_max;
        char text[32];
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
        g_snprintf (text, sizeof text, "%g", v);
        show_text (cr, layout, text, px, top + ph + 4 * k, 0.5, 0);
      }
  }
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
  show_text (cr, layout, log_y ? _("loss (log scale) per step") : _("loss per step"), left, 3 * k, 0, 0);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
  cairo_rectangle (cr, left + 0.5 * line, top + 0.5 * line, pw - line, ph - line);
  cairo_stroke (cr);

  /* Lines, clipped to the plot area. */
  cairo_save (cr);
  cairo_rectangle (cr, left, top, pw, ph);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.75 * line);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      guint n;
      const double *l = ll_race_get_losses (self->race, e, &n);

      if (!(self->visible_mask & (1u << e)))
        continue;
      n = MIN (n, self->progress + 1);
      for (guint i = 0; i < n; i++)
        {
          double v = log_y ? log10 (MAX (l[i], LOG_FLOOR)) : MAX (l[i], y0 - (y1 - y0));
          double px = left + pw * i / x_max, py = top + ph * (1 - (v - y0) / (y1 - y0));
          if (i == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      gdk_cairo_set_source_rgba (cr, &self->colors[e]);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  g_object_unref (layout);
  cairo_destroy (cr);
}

static void
ll_step_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                      int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 220;
}

static void
ll_step_plot_dispose (GObject *object)
{
  LL_STEP_PLOT (object)->race = NULL;
  G_OBJECT_CLASS (ll_step_plot_parent_class)->dispose (object);
}

static void
ll_step_plot_class_init (LlStepPlotClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = ll_step_plot_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = ll_step_plot_measure;
  G_OBJECT_CLASS (klass)->dispose = ll_step_plot_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "stepplot");
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_step_plot_init (LlStepPlot *self)
{
  self->visible_mask = (1u << LL_RACE_N_ENTRIES) - 1;
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    gdk_rgba_parse (&self->colors[e], "black");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Loss per step of each optimizer"), -1);
}

GtkWidget *
ll_step_plot_new (void)
{
  return g_object_new (LL_TYPE_STEP_PLOT, NULL);
}

void
ll_step_plot_set_race (LlStepPlot *self, LlRace *race)
{
  g_return_if_fail (LL_IS_STEP_PLOT (self));
  self->race = race;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_step_plot_set_colors (LlStepPlot *self, const GdkRGBA *colors)
{
  g_return_if_fail (LL_IS_STEP_PLOT (self));
  memcpy (self->colors, colors, sizeof self->colors);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_step_plot_set_visible_mask (LlStepPlot *self, guint mask)
{
  g_return_if_fail (LL_IS_STEP_PLOT (self));
  self->visible_mask = mask;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_step_plot_set_progress (LlStepPlot *self, guint steps)
{
  g_return_if_fail (LL_IS_STEP_PLOT (self));
  if (self->progress == steps)
    return;
  self->progress = steps;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
