/* ll-line-chart.c: series, axes, legend and hover read-out in Cairo.
 *
 * One render function draws into any cairo_t, so the widget, the PNG and
 * the SVG export are the same picture.  The data are few thousand points at
 * most (per-batch history), so every frame redraws everything. */
#include "ll-line-chart.h"

#include <adwaita.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ll-a11y.h"
#include "ll-types.h"
#include "ll-palette.h"
#include "ll-presentation.h"

typedef struct {
  char *label;
  guint color;
  LlLineStyle style;
  GArray *x, *y;                /* double */
} Series;

typedef struct {
  double x;
  char *label;
} Marker;

typedef struct {
  char *label;
  int color;                    /* palette index or LL_LINE_CHART_NEUTRAL */
  LlLineStyle style;
} LegendItem;

struct _LlLineChart
{
  GtkWidget parent_instance;

  char *title, *x_label, *y_label, *note;
  GPtrArray *series;            /* Series */
  GArray *markers;              /* Marker */
  GArray *legend;               /* LegendItem */
  gboolean log_scale, log_x;
  double hover_x;               /* widget pixels, < 0 when the pointer is away */
};

enum {
  PROP_0,
  PROP_LOG_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlLineChart, ll_line_chart, GTK_TYPE_WIDGET)

#define MAX_MARKER_ROWS 4
#define MAX_TICKS_OUT 64

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

static void
legend_item_clear (gpointer p)
{
  g_free (((LegendItem *) p)->label);
}

/* Pure layout ------------------------------------------------------------------ */

/* Items in rows, left to right, each as wide as its text and swatch; the
 * number of rows needed for width avail_w, and (nullable) their places
 * relative to the legend's top left. */
static guint
flow_items (const double *item_widths, guint n, double font, double avail_w, double row,
            LlChartRect *rects, double *used_w)
{
  double x = 0;
  guint rows = n > 0 ? 1 : 0;

  *used_w = 0;
  for (guint i = 0; i < n; i++)
    {
      double w = MIN (item_widths[i] + 3.4 * font, avail_w);
      if (x > 0 && x + w > avail_w)
        {
          rows++;
          x = 0;
        }
      if (rects != NULL)
        rects[i] = (LlChartRect) { x, (rows - 1) * row, w, row };
      x += w + 0.6 * font;
      *used_w = MAX (*used_w, x - 0.6 * font);
    }
  return rows;
}

void
ll_line_chart_compute_layout (double width, double height, double font, gboolean has_title,
                              const double *item_widths, guint n_items, guint n_marker_rows,
                              guint n_note_lines, LlChartRect *item_rects, LlChartLayout *out)
{
  double pad = 0.55 * font, row = 1.4 * font;
  double left = 5.3 * font, right_margin = 1.8 * font;   /* half of a 5-digit last tick ("10000") */
  double top, below_axis, legend_h = 0, colw = 0;

  memset (out, 0, sizeof *out);
  out->legend_row = row;
  out->title_y = pad;
  out->markers_top = pad + (has_title ? 1.6 * font : 0);
  top = out->markers_top + n_marker_rows * row + (n_marker_rows > 0 ? 0.2 * font : 0);
  /* Tick labels, the axis title and the note under the plot. */
  below_axis = 1.5 * font + 1.4 * font + n_note_lines * row + pad;

  for (guint i = 0; i < n_items; i++)
    colw = MAX (colw, item_widths[i]);
  colw += 3.4 * font;               /* swatch 2.4, gaps */

  out->plot.x = left;
  out->plot.y = top;
  out->plot.width = MAX (0, width - right_margin - left);
  if (n_items > 0 && width - pad - colw - font - left >= 0.55 * width)
    {
      /* Beside the plot, from its top, as many rows as the height holds. */
      guint fit = (guint) MAX (0, floor ((height - pad - top) / row));
      out->legend_beside = TRUE;
      out->legend_shown = MIN (n_items, fit);
      out->legend = (LlChartRect) { width - pad - colw, top, colw, out->legend_shown * row };
      out->plot.width = MAX (0, out->legend.x - font - left);
      for (guint i = 0; item_rects != NULL && i < n_items; i++)
        item_rects[i] = (LlChartRect) { out->legend.x, top + i * row, colw, row };
    }
  else if (n_items > 0)
    {
      /* Under the axis title, in rows; the plot keeps a third of the height. */
      double avail_w = MAX (0, width - 2 * pad), used_w = 0;
      double spare = height - top - below_axis - height / 3.0;
      guint max_rows = spare > 0 ? (guint) floor (spare / row) : 0;
      g_autofree LlChartRect *rects = g_new0 (LlChartRect, n_items);
      guint rows = flow_items (item_widths, n_items, font, avail_w, row, rects, &used_w);

      rows = MIN (rows, max_rows);
      legend_h = rows * row;
      for (guint i = 0; i < n_items; i++)
        if (rects[i].y + 0.5 * row < legend_h)
          out->legend_shown = i + 1;
        else
          break;
      if (rows > 0)
        out->legend = (LlChartRect) { pad, height - pad - legend_h, used_w, legend_h };
      for (guint i = 0; item_rects != NULL && i < n_items; i++)
        item_rects[i] = (LlChartRect) { rects[i].x + pad, rects[i].y + out->legend.y,
                                        rects[i].width, rects[i].height };
    }
  out->plot.height = MAX (0, height - below_axis - legend_h - top);
  out->x_label_y = out->plot.y + out->plot.height + 1.5 * font;
  out->note_y = out->x_label_y + 1.4 * font;
}

static guint
count_steps (double lo, double hi, double step)
{
  double a = ceil (lo / step - 1e-9), b = floor (hi / step + 1e-9);

  return b >= a ? (guint) (b - a + 1) : 0;
}

static guint
linear_ticks (double lo, double hi, guint max_ticks, double *out)
{
  double range = hi - lo, best = 0;
  guint want = MIN (5u, max_ticks), n = 0;
  int k_hi = (int) floor (log10 (range)) + 1;
  static const double nice[] = { 5, 2, 1 };
  static const double finer[] = { 5, 4, 3, 2.5, 2, 1.5, 1 };

  /* Steps of 1, 2, 5 × 10^k from the largest down: the first with `want`
   * ticks, else the last with at least 3 before the count passes max. */
  for (int k = k_hi; k >= k_hi - 6; k--)
    {
      gboolean stop = FALSE;
      for (guint m = 0; m < G_N_ELEMENTS (nice) && !stop; m++)
        {
          double step = nice[m] * pow (10, k);
          guint c = count_steps (lo, hi, step);
          if (c > max_ticks)
            stop = TRUE;
          else if (c >= 3)
            {
              best = step;
              stop = c >= want;
            }
        }
      if (stop)
        break;
    }
  /* None between 3 and max_ticks (a short axis): finer multiples (4, 3,
   * 2.5, 1.5 × 10^k), then the first step with three. */
  for (int pass = 0; best == 0 && pass < 2; pass++)
    for (int k = k_hi; k >= k_hi - 6 && best == 0; k--)
      for (guint m = 0; m < G_N_ELEMENTS (finer) && best == 0; m++)
        {
          double step = finer[m] * pow (10, k);
          guint c = count_steps (lo, hi, step);
          if (c >= 3 && (pass == 1 || c <= max_ticks))
            best = step;
        }
  if (best == 0)
    best = range / 2;   /* lo, middle, hi */
  for (double v = ceil (lo / best - 1e-9) * best; v <= hi + best * 1e-9 && n < MAX_TICKS_OUT; v += best)
    out[n++] = fabs (v) < best * 1e-9 ? 0.0 : v;
  return n;
}

guint
ll_line_chart_ticks (double lo, double hi, gboolean log, guint max_ticks, double *out)
{
  guint n = 0;

  max_ticks = CLAMP (max_ticks, 3, MAX_TICKS_OUT);
  if (!(hi > lo) || !isfinite (lo) || !isfinite (hi))
    {
      out[0] = isfinite (lo) ? lo : 0;
      return 1;
    }
  if (!log)
    return linear_ticks (lo, hi, max_ticks, out);

  /* Every d-th decade, d = 1, 2, 5, 10, 20, …: the smallest d with at
   * most max_ticks; the last with three or more when none has. */
  if (count_steps (lo, hi, 1) >= 3)
    {
      double d = 1, chosen = 1;
      for (int k = 0; k < 30; k++)
        {
          guint c;
          d = (k % 3 == 0 ? 1 : k % 3 == 1 ? 2 : 5) * pow (10, k / 3);
          c = count_steps (lo, hi, d);
          if (c < 3)
            break;
          chosen = d;
          if (c <= max_ticks)
            break;
        }
      for (double k = ceil (lo / chosen - 1e-9) * chosen; k <= hi + 1e-9 && n < MAX_TICKS_OUT; k += chosen)
        out[n++] = k;
      return n;
    }
  /* 1, 2, 5 × 10^k, then 1…9 × 10^k. */
  {
    static const double m125[] = { 1, 2, 5 };
    static const double m19[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const double *sets[] = { m125, m19 };
    guint sizes[] = { 3, 9 };

    for (int set = 0; set < 2; set++)
      {
        n = 0;
        for (int k = (int) floor (lo) - 1; k <= (int) ceil (hi); k++)
          for (guint m = 0; m < sizes[set]; m++)
            {
              double v = k + log10 (sets[set][m]);
              if (v >= lo - 1e-9 && v <= hi + 1e-9 && n < MAX_TICKS_OUT)
                out[n++] = v;
            }
        if (n >= 3 && n <= max_ticks)
          return n;
        if (n > max_ticks)
          break;
      }
  }
  /* A range within a factor of about 1.5: even steps of the value. */
  {
    double tmp[MAX_TICKS_OUT];
    guint c = linear_ticks (pow (10, lo), pow (10, hi), max_ticks, tmp);
    n = 0;
    for (guint i = 0; i < c; i++)
      if (tmp[i] > 0)
        out[n++] = log10 (tmp[i]);
    return n;
  }
}

guint
ll_line_chart_place_labels (const double *x, const double *w, guint n, double left, double right,
                            double gap, double *out_left, guint *out_row)
{
  g_autofree guint *order = g_new (guint, MAX (n, 1));
  guint rows = 0;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  /* Insertion sort by x: a handful of markers. */
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && x[order[j]] < x[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  for (guint oi = 0; oi < n; oi++)
    {
      guint i = order[oi];
      double lx = x[i] + gap / 2;
      guint row = 0;

      if (lx + w[i] > right)
        lx = x[i] - gap / 2 - w[i];
      lx = MAX (lx, left);
      for (;; row++)
        {
          gboolean clash = FALSE;
          for (guint pj = 0; pj < oi && !clash; pj++)
            {
              guint j = order[pj];
              clash = out_row[j] == row && lx < out_left[j] + w[j] + gap && out_left[j] < lx + w[i] + gap;
            }
          if (!clash)
            break;
        }
      out_left[i] = lx;
      out_row[i] = row;
      rows = MAX (rows, row + 1);
    }
  return rows;
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
  if (!self->log_x)
    f->x0 = MIN (f->x0, 0.0);   /* curves start at epoch 0 */
  if (f->x1 - f->x0 < 1e-9)
    f->x1 = f->x0 + 1;
  if (f->y1 - f->y0 < 1e-9)
    {
      f->y0 -= self->log_scale ? 0.1 : 0.5;
      f->y1 += self->log_scale ? 0.1 : 0.5;
    }
  else
    {
      double pad = 0.05 * (f->y1 - f->y0);
      f->y0 -= pad;
      f->y1 += pad;
    }
  return TRUE;
}

static void
set_color (cairo_t *cr, int color, double fg, double alpha)
{
  if (color < 0)
    {
      cairo_set_source_rgba (cr, fg, fg, fg, alpha);
      return;
    }
  {
    LlRgb c = ll_palette_color ((guint) color);
    cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
  }
}

/* Text in the cairo font's size and weight, laid out by Pango: cairo's toy
 * text has no font fallback, so Hangul (the Korean translation) would be
 * boxes.  Widths are measured the same way, so the layout fits the text. */
static PangoLayout *
chart_layout (cairo_t *cr, const char *text)
{
  cairo_font_face_t *face = cairo_get_font_face (cr);
  PangoFontDescription *desc = pango_font_description_from_string ("Sans");
  PangoLayout *layout = pango_cairo_create_layout (cr);
  cairo_matrix_t m;

  cairo_get_font_matrix (cr, &m);
  pango_font_description_set_absolute_size (desc, m.yy * PANGO_SCALE);
  if (cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY
      && cairo_toy_font_face_get_weight (face) == CAIRO_FONT_WEIGHT_BOLD)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_font_description_free (desc);
  return layout;
}

static double
text_width (cairo_t *cr, const char *text)
{
  PangoLayout *layout = chart_layout (cr, text);
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  g_object_unref (layout);
  return logical.width;
}

static void
text_at (cairo_t *cr, const char *text, double x, double y, double ax, double ay)
{
  PangoLayout *layout = chart_layout (cr, text);
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  /* ay: 0 = y is the top of the text, 0.5 = its middle, 1 = its bottom. */
  cairo_move_to (cr, x - ax * logical.width, y - ay * logical.height);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* The text cut with "…" to fit max_width (whole when it fits). */
static char *
fit_text (cairo_t *cr, const char *text, double max_width)
{
  glong n = g_utf8_strlen (text, -1);

  if (text_width (cr, text) <= max_width)
    return g_strdup (text);
  for (glong k = n - 1; k > 0; k--)
    {
      g_autofree char *head = g_utf8_substring (text, 0, k);
      char *cut = g_strconcat (head, "…", NULL);
      if (text_width (cr, cut) <= max_width)
        return cut;
      g_free (cut);
    }
  return g_strdup ("…");
}

/* Words of text in lines no wider than max_width. */
static GPtrArray *
wrap_text (cairo_t *cr, const char *text, double max_width)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *tried = line->len ? g_strdup_printf ("%s %s", line->str, words[i])
                                         : g_strdup (words[i]);
      if (line->len > 0 && text_width (cr, tried) > max_width)
        {
          g_ptr_array_add (lines, g_strdup (line->str));
          g_string_assign (line, words[i]);
        }
      else
        g_string_assign (line, tried);
    }
  if (line->len > 0)
    g_ptr_array_add (lines, g_strdup (line->str));
  g_string_free (line, TRUE);
  return lines;
}

static void
format_tick (char *buf, gsize len, double v, double step, gboolean pow10)
{
  if (pow10)
    {
      double a = pow (10, v);
      g_snprintf (buf, len, "%.3g", a);
      return;
    }
  if (fabs (v) >= 1e5 || (v != 0 && fabs (v) < 1e-4))
    g_snprintf (buf, len, "%.2g", v);
  else
    {
      int decimals = step > 0 ? MAX (0, (int) -floor (log10 (step) + 1e-9)) : 2;
      /* 0.25 steps need two decimals, not one. */
      if (step > 0 && fabs (step * pow (10, decimals) - round (step * pow (10, decimals))) > 1e-6)
        decimals++;
      g_snprintf (buf, len, "%.*f", MIN (decimals, 6), v);
    }
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

static void
draw_style_sample (cairo_t *cr, LlLineStyle style, double x0, double x1, double y, double s)
{
  double dash[] = { 6 * s, 4 * s };

  if (style & LL_LINE_STYLE_SWATCH)
    {
      cairo_rectangle (cr, x0, y - 4 * s, x1 - x0, 8 * s);
      cairo_fill (cr);
      return;
    }
  if (style & (LL_LINE_STYLE_LINE | LL_LINE_STYLE_DASHED))
    {
      cairo_set_line_width (cr, 2.0 * s);
      cairo_set_dash (cr, dash, (style & LL_LINE_STYLE_DASHED) ? 2 : 0, 0);
      cairo_move_to (cr, x0, y);
      cairo_line_to (cr, x1, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  if (style & LL_LINE_STYLE_POINTS)
    {
      cairo_arc (cr, (x0 + x1) / 2, y, 3 * s, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  if (style & LL_LINE_STYLE_RINGS)
    {
      cairo_set_line_width (cr, 1.5 * s);
      cairo_new_sub_path (cr);
      cairo_arc (cr, (x0 + x1) / 2, y, 3.5 * s, 0, 2 * G_PI);
      cairo_stroke (cr);
    }
}

/* Rendering --------------------------------------------------------------- */

void
ll_line_chart_render (LlLineChart *self, cairo_t *cr, double width, double height, gboolean dark)
{
  double s = ll_presentation_text_scale (GTK_WIDGET (self));
  double fg = dark ? 0.92 : 0.12, bg = dark ? 0.14 : 1.0;
  double font = 11 * s;
  Frame f;
  LlChartLayout lay;
  gboolean have_data;
  char buf[64];
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (LegendItem));
  g_autofree double *item_w = NULL;
  g_autofree LlChartRect *item_rects = NULL;
  g_autoptr(GPtrArray) note_lines = NULL;
  g_autofree double *mark_x = NULL, *mark_w = NULL, *mark_left = NULL;
  g_autofree guint *mark_row = NULL;
  guint n_rows = 0, nm = self->markers->len;
  double ticks[MAX_TICKS_OUT];
  guint n_ticks;

  g_return_if_fail (LL_IS_LINE_CHART (self));

  cairo_save (cr);
  cairo_set_source_rgb (cr, bg, bg, bg);
  cairo_paint (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, font);

  have_data = data_range (self, &f);

  /* The legend: the items given, else the labelled series. */
  if (self->legend->len > 0)
    g_array_append_vals (items, self->legend->data, self->legend->len);
  else
    for (guint i = 0; i < self->series->len; i++)
      {
        Series *ser = g_ptr_array_index (self->series, i);
        LegendItem it = { ser->label, (int) ser->color, ser->style };
        if (ser->label != NULL && *ser->label != '\0')
          g_array_append_val (items, it);
      }
  item_w = g_new (double, MAX (items->len, 1));
  for (guint i = 0; i < items->len; i++)
    item_w[i] = text_width (cr, g_array_index (items, LegendItem, i).label);
  note_lines = self->note != NULL ? wrap_text (cr, self->note, width - 1.1 * font)
                                  : g_ptr_array_new_with_free_func (g_free);

  /* Marker labels in rows above the plot: place them on the plot's x span. */
  item_rects = g_new0 (LlChartRect, MAX (items->len, 1));
  ll_line_chart_compute_layout (width, height, font, self->title != NULL, item_w, items->len, 0,
                                note_lines->len, item_rects, &lay);
  f.left = lay.plot.x;
  f.right = lay.plot.x + lay.plot.width;
  mark_x = g_new (double, MAX (nm, 1));
  mark_w = g_new (double, MAX (nm, 1));
  mark_left = g_new (double, MAX (nm, 1));
  mark_row = g_new (guint, MAX (nm, 1));
  if (have_data && f.right - f.left > 20)
    {
      for (guint i = 0; i < nm; i++)
        {
          Marker *m = &g_array_index (self->markers, Marker, i);
          mark_x[i] = px (&f, m->x);
          mark_w[i] = m->label != NULL ? text_width (cr, m->label) : 0;
        }
      n_rows = ll_line_chart_place_labels (mark_x, mark_w, nm, 0, width - 2, 0.6 * font,
                                           mark_left, mark_row);
      n_rows = MIN (n_rows, MAX_MARKER_ROWS);
      if (n_rows > 0)
        ll_line_chart_compute_layout (width, height, font, self->title != NULL, item_w,
                                      items->len, n_rows, note_lines->len, item_rects, &lay);
    }
  /* A short chart keeps its plot a third of the height: the note goes to
   * the tooltip only, then marker labels keep one row (their lines stay). */
  if (lay.plot.height < height / 3 && note_lines->len > 0)
    {
      g_ptr_array_set_size (note_lines, 0);
      ll_line_chart_compute_layout (width, height, font, self->title != NULL, item_w, items->len,
                                    n_rows, 0, item_rects, &lay);
    }
  if (lay.plot.height < height / 3 && n_rows > 1)
    {
      n_rows = 1;
      ll_line_chart_compute_layout (width, height, font, self->title != NULL, item_w, items->len,
                                    n_rows, note_lines->len, item_rects, &lay);
    }
  f.left = lay.plot.x;
  f.right = lay.plot.x + lay.plot.width;
  f.top = lay.plot.y;
  f.bottom = lay.plot.y + lay.plot.height;
  if (f.right - f.left < 20 || f.bottom - f.top < 20)
    {
      cairo_restore (cr);
      return;
    }

  if (self->title != NULL)
    {
      g_autofree char *title = NULL;
      cairo_set_source_rgb (cr, fg, fg, fg);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      title = fit_text (cr, self->title, width - f.left - 0.5 * font);
      text_at (cr, title, f.left, lay.title_y, 0, 0);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    }

  /* Grid and ticks: as many as the labels have room for, at least 3. */
  cairo_set_line_width (cr, 1.0 * s);
  {
    guint max_x = (guint) CLAMP ((f.right - f.left) / (4.5 * font), 3, 12);
    n_ticks = ll_line_chart_ticks (f.x0, f.x1, self->log_x, max_x, ticks);
    for (guint i = 0; i < n_ticks; i++)
      {
        double v = ticks[i], x = px (&f, v);
        double step = n_ticks > 1 ? ticks[1] - ticks[0] : 1;
        cairo_set_source_rgba (cr, fg, fg, fg, 0.12);
        cairo_move_to (cr, x, f.top);
        cairo_line_to (cr, x, f.bottom);
        cairo_stroke (cr);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
        format_tick (buf, sizeof buf, v, step, self->log_x);
        text_at (cr, buf, x, f.bottom + 0.35 * font, 0.5, 0);
      }
  }
  {
    guint max_y = (guint) CLAMP ((f.bottom - f.top) / (2.2 * font), 3, 10);
    n_ticks = ll_line_chart_ticks (f.y0, f.y1, self->log_scale, max_y, ticks);
    for (guint i = 0; i < n_ticks; i++)
      {
        double v = ticks[i], y = py (&f, v);
        double step = n_ticks > 1 ? ticks[1] - ticks[0] : 1;
        cairo_set_source_rgba (cr, fg, fg, fg, 0.12);
        cairo_move_to (cr, f.left, y);
        cairo_line_to (cr, f.right, y);
        cairo_stroke (cr);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
        format_tick (buf, sizeof buf, v, step, self->log_scale);
        text_at (cr, buf, f.left - 0.45 * font, y, 1, 0.5);
      }
  }
  cairo_set_source_rgba (cr, fg, fg, fg, 0.6);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
  if (self->x_label != NULL)
    {
      g_autofree char *label = self->log_x ? g_strdup_printf (_("%s (log)"), self->x_label)
                                           : g_strdup (self->x_label);
      text_at (cr, label, (f.left + f.right) / 2, lay.x_label_y, 0.5, 0);
    }
  if (self->y_label != NULL)
    {
      g_autofree char *label = self->log_scale ? g_strdup_printf (_("%s (log)"), self->y_label)
                                               : g_strdup (self->y_label);
      cairo_save (cr);
      cairo_translate (cr, 1.1 * font, (f.top + f.bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      text_at (cr, label, 0, 0, 0.5, 0.5);
      cairo_restore (cr);
    }
  for (guint i = 0; i < note_lines->len; i++)
    {
      cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
      text_at (cr, g_ptr_array_index (note_lines, i), 0.55 * font,
               lay.note_y + i * lay.legend_row, 0, 0);
    }

  /* The legend, beside or under the plot, never on it. */
  for (guint i = 0; i < lay.legend_shown; i++)
    {
      const LegendItem *it = &g_array_index (items, LegendItem, i);
      double x = item_rects[i].x, y = item_rects[i].y + 0.5 * item_rects[i].height;
      g_autofree char *label = fit_text (cr, it->label, item_rects[i].width - 3.0 * font);

      /* The last place tells what did not fit. */
      if (i + 1 == lay.legend_shown && lay.legend_shown < items->len)
        {
          g_autofree char *more = g_strdup_printf (ngettext ("+ %u more (hover for values)",
                                                             "+ %u more (hover for values)",
                                                             items->len - i),
                                                   items->len - i);
          g_autofree char *cut = fit_text (cr, more, item_rects[i].width);
          cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
          text_at (cr, cut, x, y, 0, 0.5);
          break;
        }

      set_color (cr, it->color, fg, 1.0);
      draw_style_sample (cr, it->style, x, x + 2.4 * font, y, s);
      cairo_set_source_rgb (cr, fg, fg, fg);
      text_at (cr, label, x + 3.0 * font, y, 0, 0.5);
    }

  if (!have_data)
    {
      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      text_at (cr, _("No data yet: start a run"), (f.left + f.right) / 2, (f.top + f.bottom) / 2,
               0.5, 0.5);
      cairo_restore (cr);
      return;
    }

  /* Markers (live changes, finder points): lines on the plot, labels in rows above it. */
  for (guint i = 0; i < nm; i++)
    {
      Marker *m = &g_array_index (self->markers, Marker, i);
      double x = px (&f, m->x);
      double dash[] = { 4 * s, 3 * s };
      if (x < f.left - 0.5 || x > f.right + 0.5)
        continue;
      cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
      cairo_set_line_width (cr, 1.0 * s);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x, lay.markers_top + (MIN (mark_row[i], n_rows - 1) + 1) * lay.legend_row - 0.2 * font);
      cairo_line_to (cr, x, f.bottom);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (m->label != NULL && mark_row[i] < n_rows)
        text_at (cr, m->label, mark_left[i], lay.markers_top + (mark_row[i] + 0.5) * lay.legend_row,
                 0, 0.5);
    }

  /* Series: clipped a point's radius outside the frame, so that the last
   * epoch's points show whole. */
  cairo_save (cr);
  cairo_rectangle (cr, f.left - 5 * s, f.top - 5 * s, f.right - f.left + 10 * s, f.bottom - f.top + 10 * s);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *ser = g_ptr_array_index (self->series, i);
      gboolean pen = FALSE;
      double dash[] = { 6 * s, 4 * s };

      set_color (cr, (int) ser->color, fg, 1.0);
      if (ser->style & (LL_LINE_STYLE_LINE | LL_LINE_STYLE_DASHED))
        {
          cairo_set_line_width (cr, ((ser->style & LL_LINE_STYLE_POINTS) ? 2.0 : 1.5) * s);
          cairo_set_dash (cr, dash, (ser->style & LL_LINE_STYLE_DASHED) ? 2 : 0, 0);
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
        }
      if (ser->style & (LL_LINE_STYLE_POINTS | LL_LINE_STYLE_RINGS))
        for (guint j = 0; j < ser->x->len; j++)
          {
            double x = g_array_index (ser->x, double, j), y = g_array_index (ser->y, double, j);
            if (!usable (self, y))
              continue;
            cairo_new_sub_path (cr);
            if (ser->style & LL_LINE_STYLE_POINTS)
              {
                cairo_arc (cr, px (&f, x), py (&f, ty (self, y)), 3.0 * s, 0, 2 * G_PI);
                cairo_fill (cr);
              }
            else
              {
                cairo_set_line_width (cr, 1.5 * s);
                cairo_arc (cr, px (&f, x), py (&f, ty (self, y)), 3.5 * s, 0, 2 * G_PI);
                cairo_stroke (cr);
              }
          }
    }
  cairo_restore (cr);

  /* Hover read-out: the value of every series nearest to the pointer's x. */
  if (self->hover_x >= f.left && self->hover_x <= f.right)
    {
      double xv = f.x0 + (self->hover_x - f.left) / (f.right - f.left) * (f.x1 - f.x0);
      GString *lines[LL_LINE_CHART_N_COLORS * 3];
      guint n_lines = 0;
      double row = font * 1.4, w = 0, bx, by;

      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      cairo_set_line_width (cr, 1.0 * s);
      cairo_move_to (cr, self->hover_x, f.top);
      cairo_line_to (cr, self->hover_x, f.bottom);
      cairo_stroke (cr);

      lines[n_lines++] = g_string_new (NULL);
      g_string_printf (lines[0], "%s %.3g", self->x_label ? self->x_label : "x",
                       self->log_x ? pow (10, xv) : xv);
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
        w = MAX (w, text_width (cr, lines[i]->str));
      w += 12 * s;
      bx = self->hover_x + 8 * s;
      if (bx + w > f.right)
        bx = MAX (0, self->hover_x - 8 * s - w);
      by = MAX (0, f.bottom - row * n_lines - 10 * s);
      cairo_set_source_rgba (cr, bg, bg, bg, 0.92);
      cairo_rectangle (cr, bx, by, w, row * n_lines + 6 * s);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, fg, fg, fg, 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, fg, fg, fg);
      for (guint i = 0; i < n_lines; i++)
        {
          text_at (cr, lines[i]->str, bx + 6 * s, by + 3 * s + row * (i + 0.5), 0, 0.5);
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
  g_free (self->note);
  g_ptr_array_unref (self->series);
  g_array_unref (self->markers);
  g_array_unref (self->legend);

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
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_line_chart_init (LlLineChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_ptr_array_new_with_free_func (series_free);
  self->markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_array_set_clear_func (self->markers, marker_clear);
  self->legend = g_array_new (FALSE, FALSE, sizeof (LegendItem));
  g_array_set_clear_func (self->legend, legend_item_clear);
  self->hover_x = -1;
  ll_a11y_describe (GTK_WIDGET (self), "%s", _("Chart: no data yet"));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_size_request (GTK_WIDGET (self), 240, 180);
}

/* What a screen reader says: each series' last point, "Loss: train 0.23
 * at epoch 3, validation 0.25 at epoch 3". */
static void
describe (LlLineChart *self)
{
  GString *text = g_string_new (self->title != NULL ? self->title : _("Chart"));
  gboolean any = FALSE;

  g_string_append (text, ": ");
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = g_ptr_array_index (self->series, i);

      if (s->y->len == 0)
        continue;
      if (i >= 6)
        {
          g_string_append (text, ", …");
          break;
        }
      g_string_append_printf (text, "%s%.60s %.3g at %s %.4g", any ? ", " : "",
                              s->label != NULL ? s->label : "",
                              g_array_index (s->y, double, s->y->len - 1),
                              self->x_label != NULL ? self->x_label : "x",
                              g_array_index (s->x, double, s->x->len - 1));
      any = TRUE;
    }
  if (!any)
    g_string_append (text, _("no data yet"));
  ll_a11y_describe (GTK_WIDGET (self), "%s", text->str);
  g_string_free (text, TRUE);
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
  describe (self);
}

void
ll_line_chart_clear (LlLineChart *self)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  g_array_set_size (self->markers, 0);
  g_array_set_size (self->legend, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  describe (self);
}

guint
ll_line_chart_add_series_styled (LlLineChart *self, const char *label, guint color,
                                 LlLineStyle style)
{
  Series *s;

  g_return_val_if_fail (LL_IS_LINE_CHART (self), 0);

  s = g_new0 (Series, 1);
  s->label = g_strdup (label);
  s->color = color;
  s->style = style;
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->y = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (self->series, s);
  return self->series->len - 1;
}

guint
ll_line_chart_add_series (LlLineChart *self, const char *label, guint color, gboolean dashed,
                          gboolean points)
{
  return ll_line_chart_add_series_styled (self, label, color,
                                          (dashed ? LL_LINE_STYLE_DASHED : LL_LINE_STYLE_LINE)
                                          | (points ? LL_LINE_STYLE_POINTS : 0));
}

void
ll_line_chart_add_legend_item (LlLineChart *self, const char *label, int color, LlLineStyle style)
{
  LegendItem it = { g_strdup (label != NULL ? label : ""), color, style };

  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_array_append_val (self->legend, it);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_line_chart_set_note (LlLineChart *self, const char *note)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  g_free (self->note);
  self->note = note != NULL && *note != '\0' ? g_strdup (note) : NULL;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), self->note);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_line_chart_set_log_x (LlLineChart *self, gboolean log_x)
{
  g_return_if_fail (LL_IS_LINE_CHART (self));

  self->log_x = !!log_x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
  describe (self);
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
