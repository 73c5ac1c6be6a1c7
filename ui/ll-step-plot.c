/* ll-step-plot.c: the loss-per-step chart beside the optimizer map.
 *
 * Log y when all shown losses are positive (losses near a minimum span many
 * decades); otherwise (the saddle, whose loss falls without bound) linear,
 * clipped to the range of the first steps so one runaway line does not
 * squash the rest. */
#include "ll-step-plot.h"

#include <math.h>
#include <string.h>

#define LOG_FLOOR 1e-8    /* losses below this sit on the bottom edge */

struct _LlStepPlot {
  GtkWidget parent_instance;

  LlRace *race;                   /* borrowed */
  GdkRGBA colors[LL_RACE_N_ENTRIES];
  guint visible_mask;
  guint progress;
};

G_DEFINE_FINAL_TYPE (LlStepPlot, ll_step_plot, GTK_TYPE_WIDGET)

static double
nice_step (double range, int target)
{
  double raw = range / target, mag = pow (10, floor (log10 (raw))), r = raw / mag;
  return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

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
  const double left = 52, right = 10, top = 22, bottom = 26;
  double pw = w - left - right, ph = h - top - bottom;
  double lo = INFINITY, hi = -INFINITY, y0, y1;
  gboolean log_y = TRUE;
  guint x_max;
  cairo_t *cr;
  PangoLayout *layout;
  PangoFontDescription *font;
  GdkRGBA fg;

  if (self->race == NULL || pw < 20 || ph < 20)
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
          if (l[i] <= 0)
            log_y = FALSE;
          lo = MIN (lo, l[i]);
          hi = MAX (hi, l[i]);
        }
    }
  if (!isfinite (lo) || !isfinite (hi))
    lo = 0, hi = 1;

  if (log_y)
    {
      y0 = floor (log10 (MAX (lo, LOG_FLOOR)));
      y1 = ceil (log10 (MAX (hi, LOG_FLOOR * 10)));
      if (y1 <= y0)
        y1 = y0 + 1;
    }
  else
    {
      /* Start losses of every shown entry bound the view from above; the
       * floor is at most ten times that span below. */
      double top_loss = -INFINITY;
      for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
        if (self->visible_mask & (1u << e))
          top_loss = MAX (top_loss, ll_race_get_losses (self->race, e, NULL)[0]);
      y1 = isfinite (top_loss) ? MAX (top_loss, hi) : hi;
      y0 = MAX (lo, y1 - 10 * MAX (fabs (y1), 1));
      if (y1 <= y0)
        y1 = y0 + 1;
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  /* gtk_widget_get_color() is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);

  /* Grid and labels. */
  cairo_set_line_width (cr, 1);
  if (log_y)
    {
      int stride = (int) ceil ((y1 - y0) / 6);
      for (double d = y0; d <= y1; d += stride)
        {
          double py = top + ph * (1 - (d - y0) / (y1 - y0));
          char text[32];
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
          cairo_move_to (cr, left, floor (py) + 0.5);
          cairo_line_to (cr, left + pw, floor (py) + 0.5);
          cairo_stroke (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
          g_snprintf (text, sizeof text, "1e%d", (int) d);
          show_text (cr, layout, text, left - 4, py, 1, 0.5);
        }
    }
  else
    {
      double s = nice_step (y1 - y0, 5);
      for (double v = ceil (y0 / s) * s; v <= y1 + 1e-9 * s; v += s)
        {
          double py = top + ph * (1 - (v - y0) / (y1 - y0));
          char text[32];
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
          cairo_move_to (cr, left, floor (py) + 0.5);
          cairo_line_to (cr, left + pw, floor (py) + 0.5);
          cairo_stroke (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
          g_snprintf (text, sizeof text, "%.3g", fabs (v) < 1e-9 * s ? 0 : v);
          show_text (cr, layout, text, left - 4, py, 1, 0.5);
        }
    }
  {
    double s = nice_step (x_max, 5);
    for (double v = 0; v <= x_max + 1e-9; v += s)
      {
        double px = left + pw * v / x_max;
        char text[32];
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
        g_snprintf (text, sizeof text, "%g", v);
        show_text (cr, layout, text, px, top + ph + 4, 0.5, 0);
      }
  }
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
  show_text (cr, layout, log_y ? "loss (log scale) per step" : "loss per step", left, 3, 0, 0);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
  cairo_rectangle (cr, left + 0.5, top + 0.5, pw - 1, ph - 1);
  cairo_stroke (cr);

  /* Lines, clipped to the plot area. */
  cairo_save (cr);
  cairo_rectangle (cr, left, top, pw, ph);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.75);
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
                                  "Loss per step of each optimizer", -1);
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
