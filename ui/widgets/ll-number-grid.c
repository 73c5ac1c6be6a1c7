/* ll-number-grid.c: cells with colours, numbers and outlines (see
 * ll-number-grid.h).  Drawn directly each frame: the grids are small
 * (a window, a kernel, a map of at most a few thousand cells). */
#include "config.h"

#include "ll-number-grid.h"

#include "ll-a11y.h"

#include "ll-presentation.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define MIN_NUMBER_CELL 26        /* pixels below which numbers are left out (AUTO) */

struct _LlNumberGrid
{
  GtkWidget parent_instance;

  float *values;
  guint8 *padding;
  int rows, cols;
  LlColormap colormap;
  float lo, hi;                   /* fixed range when lo < hi */
  LlNumbersMode numbers;
  int digits;
  int cell_size;
  int window[4], next[4];         /* row0, col0, row1, col1 */
  int marked_row, marked_col;
  int revealed;
  gboolean activatable, editable;
  int cursor_row, cursor_col;
  float brush;
  int last_painted;               /* cell index of the drag's last paint */
};

enum { SIGNAL_CELL_ACTIVATED, SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlNumberGrid, ll_number_grid, GTK_TYPE_WIDGET)

/* Geometry ---------------------------------------------------------------- */

static double
effective_cell (LlNumberGrid *self)
{
  return self->cell_size * ll_presentation_text_scale (GTK_WIDGET (self));
}

/* The cell side and the origin of the cells, centred in the allocation. */
static void
layout (LlNumberGrid *self, double *cell, double *x0, double *y0)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double c = effective_cell (self);

  if (self->rows > 0 && self->cols > 0)
    c = MIN (c, MIN ((double) (w - 2) / self->cols, (double) (h - 2) / self->rows));
  c = MAX (c, 1.0);
  if (c >= 4)
    c = floor (c);
  *cell = c;
  *x0 = floor ((w - c * self->cols) / 2);
  *y0 = floor ((h - c * self->rows) / 2);
}

gboolean
ll_number_grid_cell_at (LlNumberGrid *self, double x, double y, int *row, int *col)
{
  double cell, x0, y0;
  int r, c;

  g_return_val_if_fail (LL_IS_NUMBER_GRID (self), FALSE);
  layout (self, &cell, &x0, &y0);
  if (x < x0 || y < y0)
    return FALSE;
  r = (int) ((y - y0) / cell);
  c = (int) ((x - x0) / cell);
  if (r >= self->rows || c >= self->cols)
    return FALSE;
  *row = r;
  *col = c;
  return TRUE;
}

void
ll_number_grid_cell_center (LlNumberGrid *self, int row, int col, double *x, double *y)
{
  double cell, x0, y0;

  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  layout (self, &cell, &x0, &y0);
  *x = x0 + (col + 0.5) * cell;
  *y = y0 + (row + 0.5) * cell;
}

/* Drawing ----------------------------------------------------------------- */

static void
value_range (LlNumberGrid *self, float *lo, float *hi)
{
  float a = INFINITY, b = -INFINITY;
  gsize n = (gsize) self->rows * self->cols;

  if (self->lo < self->hi)
    {
      *lo = self->lo;
      *hi = self->hi;
      return;
    }
  for (gsize i = 0; i < n; i++)
    if (isfinite (self->values[i]) && (self->padding == NULL || !self->padding[i]))
      {
        a = MIN (a, self->values[i]);
        b = MAX (b, self->values[i]);
      }
  if (a > b)
    a = b = 0;
  if (self->colormap == LL_COLORMAP_DIVERGING)
    {
      float m = MAX (fabsf (a), fabsf (b));
      a = -m;
      b = m;
    }
  else if (self->colormap == LL_COLORMAP_GRAY && a >= 0 && b <= 1)
    {
      /* Pixels in [0, 1]: black is 0, white is 1, whatever the image holds. */
      a = 0;
      b = 1;
    }
  *lo = a;
  *hi = b;
}

static char *
format_number (LlNumberGrid *self, float v)
{
  if (v == 0.0f)
    v = 0.0f;                      /* no "−0.00" */
  if (fabsf (v) >= 100)
    return g_strdup_printf ("%.0f", v);
  if (fabsf (v) >= 10)
    return g_strdup_printf ("%.*f", MAX (self->digits - 1, 0), v);
  return g_strdup_printf ("%.*f", self->digits, v);
}

static void
outline (cairo_t *cr, const int *r, double cell, double x0, double y0, double width)
{
  if (r[2] <= r[0] || r[3] <= r[1])
    return;
  cairo_set_line_width (cr, width);
  cairo_rectangle (cr, x0 + r[1] * cell + width / 2, y0 + r[0] * cell + width / 2,
                   (r[3] - r[1]) * cell - width, (r[2] - r[0]) * cell - width);
  cairo_stroke (cr);
}

static void
ll_number_grid_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlNumberGrid *self = LL_NUMBER_GRID (widget);
  double cell, x0, y0, line = ll_presentation_scale (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  gboolean numbers;
  float lo, hi;
  cairo_t *cr;
  PangoLayout *pl;
  PangoFontDescription *font;
  int n_shown;

  if (self->rows == 0 || self->cols == 0 || w <= 0 || h <= 0)
    return;
  layout (self, &cell, &x0, &y0);
  value_range (self, &lo, &hi);
  numbers = self->numbers == LL_NUMBERS_ALWAYS
            || (self->numbers == LL_NUMBERS_AUTO
                && cell >= MIN_NUMBER_CELL * ll_presentation_text_scale (widget));
  n_shown = self->revealed < 0 ? self->rows * self->cols : self->revealed;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  pl = gtk_widget_create_pango_layout (widget, NULL);
  font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (pl)));
  pango_font_description_set_absolute_size (font, MAX (cell * 0.30, 6) * PANGO_SCALE);
  pango_font_description_set_family (font, "monospace");
  pango_layout_set_font_description (pl, font);

  for (int r = 0; r < self->rows; r++)
    for (int c = 0; c < self->cols; c++)
      {
        int i = r * self->cols + c;
        double x = x0 + c * cell, y = y0 + r * cell;
        float v = self->values[i];
        gboolean pad = self->padding != NULL && self->padding[i];
        guint32 px;
        double lum;

        if (i >= n_shown)
          {
            /* Not computed yet: an empty cell with a faint frame. */
            cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.25);
            cairo_set_line_width (cr, 1);
            cairo_rectangle (cr, x + 0.5, y + 0.5, cell - 1, cell - 1);
            cairo_stroke (cr);
            continue;
          }
        if (pad)
          {
            /* Padding: a pale cell with diagonal hatching, its value is 0. */
            cairo_set_source_rgb (cr, 0.93, 0.93, 0.93);
            cairo_rectangle (cr, x, y, cell, cell);
            cairo_fill (cr);
            cairo_save (cr);
            cairo_rectangle (cr, x, y, cell, cell);
            cairo_clip (cr);
            cairo_set_source_rgb (cr, 0.75, 0.75, 0.75);
            cairo_set_line_width (cr, 1);
            for (double d = -cell; d < cell; d += MAX (cell / 4, 3))
              {
                cairo_move_to (cr, x + d, y + cell);
                cairo_line_to (cr, x + d + cell, y);
              }
            cairo_stroke (cr);
            cairo_restore (cr);
            px = 0xffededed;
          }
        else
          {
            px = ll_colormap_pixel (self->colormap, hi > lo ? (v - lo) / (hi - lo) : 0.5);
            cairo_set_source_rgb (cr, ((px >> 16) & 255) / 255.0, ((px >> 8) & 255) / 255.0,
                                  (px & 255) / 255.0);
            cairo_rectangle (cr, x, y, cell, cell);
            cairo_fill (cr);
          }
        if (cell >= 8)
          {
            /* Thin separators so that cells read as cells. */
            cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.35);
            cairo_set_line_width (cr, 1);
            cairo_rectangle (cr, x + 0.5, y + 0.5, cell - 1, cell - 1);
            cairo_stroke (cr);
          }
        if (numbers)
          {
            g_autofree char *text = format_number (self, pad ? 0.0f : v);
            int tw, th;

            lum = 0.299 * ((px >> 16) & 255) + 0.587 * ((px >> 8) & 255) + 0.114 * (px & 255);
            pango_layout_set_text (pl, text, -1);
            pango_layout_get_pixel_size (pl, &tw, &th);
            if (lum > 140)
              cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
            else
              cairo_set_source_rgb (cr, 1, 1, 1);
            if (pad)
              cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
            cairo_move_to (cr, x + (cell - tw) / 2, y + (cell - th) / 2);
            pango_cairo_show_layout (cr, pl);
          }
      }

  /* The next window dashed, the window solid, the winner thick. */
  cairo_set_source_rgb (cr, 0.90, 0.62, 0.0);        /* Okabe–Ito orange */
  cairo_set_dash (cr, (double[]) { 4 * line, 3 * line }, 2, 0);
  outline (cr, self->next, cell, x0, y0, 2 * line);
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_set_source_rgb (cr, 0.84, 0.37, 0.0);        /* vermillion */
  outline (cr, self->window, cell, x0, y0, 3 * line);
  if (self->marked_row >= 0)
    {
      int m[4] = { self->marked_row, self->marked_col, self->marked_row + 1, self->marked_col + 1 };
      cairo_set_source_rgb (cr, 0.0, 0.45, 0.70);    /* blue */
      outline (cr, m, cell, x0, y0, 3 * line);
    }
  if (self->cursor_row >= 0 && gtk_widget_has_focus (widget))
    {
      int m[4] = { self->cursor_row, self->cursor_col, self->cursor_row + 1, self->cursor_col + 1 };
      cairo_set_source_rgb (cr, 0.8, 0.47, 0.65);    /* reddish purple */
      cairo_set_dash (cr, (double[]) { 2 * line, 2 * line }, 2, 0);
      outline (cr, m, cell, x0, y0, 2 * line);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  pango_font_description_free (font);
  g_object_unref (pl);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
ll_number_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* Wide as its cells at their preferred size, narrower down to 4 pixels a
 * cell; as high as the cells are at the width given (a scrolled page
 * hands out minimum heights). */
static void
ll_number_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  LlNumberGrid *self = LL_NUMBER_GRID (widget);
  double cell = effective_cell (self);

  if (self->rows == 0 || self->cols == 0)
    {
      *minimum = *natural = 0;
      return;
    }
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *natural = (int) ceil (self->cols * cell) + 2;
      *minimum = MIN (*natural, MAX (self->cols * 4 + 2, 24));
      return;
    }
  if (for_size > 0)
    {
      cell = MIN (cell, (double) (for_size - 2) / self->cols);
      if (cell >= 4)
        cell = floor (cell);
    }
  *minimum = *natural = (int) ceil (self->rows * MAX (cell, 1.0)) + 2;
}

/* Input ------------------------------------------------------------------- */

static void
update_accessible (LlNumberGrid *self)
{
  g_autofree char *text = NULL;

  if (self->cursor_row < 0 || self->values == NULL)
    return;
  text = g_strdup_printf (_("Row %d, column %d: %g"), self->cursor_row, self->cursor_col,
                          self->values[self->cursor_row * self->cols + self->cursor_col]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
}

static void
paint (LlNumberGrid *self, double x, double y)
{
  int r, c;

  if (!ll_number_grid_cell_at (self, x, y, &r, &c))
    return;
  if (r * self->cols + c == self->last_painted)
    return;
  self->last_painted = r * self->cols + c;
  ll_number_grid_set_value (self, r, c, self->brush);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlNumberGrid *self)
{
  ll_number_grid_click (self, x, y);
}

void
ll_number_grid_click (LlNumberGrid *self, double x, double y)
{
  int r, c;

  g_return_if_fail (LL_IS_NUMBER_GRID (self));

  if (!ll_number_grid_cell_at (self, x, y, &r, &c))
    return;
  if (gtk_widget_get_focusable (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
  ll_number_grid_set_cursor (self, r, c);
  if (self->activatable)
    g_signal_emit (self, signals[SIGNAL_CELL_ACTIVATED], 0, r, c);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LlNumberGrid *self)
{
  if (!self->editable)
    return;
  self->last_painted = -1;
  paint (self, x, y);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, LlNumberGrid *self)
{
  double x, y;

  if (!self->editable)
    return;
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  paint (self, x + dx, y + dy);
}

static gboolean
on_key_pressed (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state,
                LlNumberGrid *self)
{
  int r = MAX (self->cursor_row, 0), c = MAX (self->cursor_col, 0);

  if (self->rows == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: c--; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: c++; break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: r--; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: r++; break;
    case GDK_KEY_Home: c = 0; break;
    case GDK_KEY_End: c = self->cols - 1; break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter:
      if (!self->activatable)
        return FALSE;
      ll_number_grid_set_cursor (self, r, c);
      g_signal_emit (self, signals[SIGNAL_CELL_ACTIVATED], 0, r, c);
      return TRUE;
    case GDK_KEY_space:
      if (!self->editable)
        return FALSE;
      ll_number_grid_set_value (self, r, c, self->brush);
      return TRUE;
    case GDK_KEY_Delete: case GDK_KEY_BackSpace:
      if (!self->editable)
        return FALSE;
      ll_number_grid_set_value (self, r, c, 0.0f);
      return TRUE;
    default:
      return FALSE;
    }
  ll_number_grid_set_cursor (self, CLAMP (r, 0, self->rows - 1), CLAMP (c, 0, self->cols - 1));
  return TRUE;
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  LlNumberGrid *self)
{
  int r, c, i;
  g_autofree char *text = NULL;

  if (keyboard)
    {
      if (self->cursor_row < 0)
        return FALSE;
      r = self->cursor_row;
      c = self->cursor_col;
    }
  else if (!ll_number_grid_cell_at (self, x, y, &r, &c))
    return FALSE;
  i = r * self->cols + c;
  if (self->revealed >= 0 && i >= self->revealed)
    return FALSE;
  if (self->padding != NULL && self->padding[i])
    text = g_strdup_printf (_("Row %d, column %d: padding (0)"), r, c);
  else
    text = g_strdup_printf (_("Row %d, column %d: %g"), r, c, self->values[i]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_focus_changed (LlNumberGrid *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_presentation (GtkWidget *widget)
{
  gtk_widget_queue_resize (widget);
}

/* Object ------------------------------------------------------------------- */

static void
ll_number_grid_finalize (GObject *object)
{
  LlNumberGrid *self = LL_NUMBER_GRID (object);

  g_free (self->values);
  g_free (self->padding);
  G_OBJECT_CLASS (ll_number_grid_parent_class)->finalize (object);
}

static void
ll_number_grid_class_init (LlNumberGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ll_number_grid_finalize;
  widget_class->snapshot = ll_number_grid_snapshot;
  widget_class->measure = ll_number_grid_measure;
  widget_class->get_request_mode = ll_number_grid_get_request_mode;

  /* (row, col) of a clicked cell, or the keyboard's cell on Enter. */
  signals[SIGNAL_CELL_ACTIVATED] =
    g_signal_new ("cell-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  /* A value was edited. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name (widget_class, "numbergrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_number_grid_init (LlNumberGrid *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->cell_size = 36;
  self->digits = 2;
  self->colormap = LL_COLORMAP_VIRIDIS;
  self->marked_row = self->marked_col = -1;
  self->cursor_row = self->cursor_col = -1;
  self->revealed = -1;
  self->brush = 1.0f;
  self->last_painted = -1;

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (on_focus_changed), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  ll_presentation_watch (GTK_WIDGET (self), on_presentation);
  ll_a11y_describe (GTK_WIDGET (self), "%s", _("No numbers yet"));
}

GtkWidget *
ll_number_grid_new (void)
{
  return g_object_new (LL_TYPE_NUMBER_GRID, NULL);
}

static void
clear_rect (int *r)
{
  r[0] = r[1] = r[2] = r[3] = 0;
}

void
ll_number_grid_set_values (LlNumberGrid *self, const float *values, int rows, int cols)
{
  gboolean resized;

  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  g_return_if_fail (rows >= 0 && cols >= 0 && (values != NULL || rows * cols == 0));

  resized = rows != self->rows || cols != self->cols;
  g_free (self->values);
  self->values = rows * cols > 0 ? g_memdup2 (values, (gsize) rows * cols * sizeof (float)) : NULL;
  if (resized)
    {
      g_clear_pointer (&self->padding, g_free);
      self->rows = rows;
      self->cols = cols;
      if (self->marked_row >= rows || self->marked_col >= cols)
        self->marked_row = self->marked_col = -1;
      if (self->cursor_row >= rows || self->cursor_col >= cols)
        self->cursor_row = self->cursor_col = -1;
      clear_rect (self->window);
      clear_rect (self->next);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* "A 5×5 grid of numbers from −1 to 3.5". */
  if (self->values == NULL)
    ll_a11y_describe (GTK_WIDGET (self), "%s", _("No numbers yet"));
  else
    {
      float lo = self->values[0], hi = self->values[0];

      for (int i = 1; i < rows * cols; i++)
        {
          lo = MIN (lo, self->values[i]);
          hi = MAX (hi, self->values[i]);
        }
      ll_a11y_describe (GTK_WIDGET (self), _("A %d×%d grid of numbers from %.3g to %.3g"),
                        rows, cols, lo, hi);
    }
}

const float *
ll_number_grid_get_values (LlNumberGrid *self, int *rows, int *cols)
{
  g_return_val_if_fail (LL_IS_NUMBER_GRID (self), NULL);
  if (rows != NULL)
    *rows = self->rows;
  if (cols != NULL)
    *cols = self->cols;
  return self->values;
}

void
ll_number_grid_set_padding (LlNumberGrid *self, const guint8 *padding)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  g_free (self->padding);
  self->padding = padding != NULL && self->rows * self->cols > 0
                  ? g_memdup2 (padding, (gsize) self->rows * self->cols) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_colormap (LlNumberGrid *self, LlColormap colormap)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->colormap = colormap;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_range (LlNumberGrid *self, float lo, float hi)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->lo = lo;
  self->hi = hi;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_numbers (LlNumberGrid *self, LlNumbersMode mode)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->numbers = mode;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_digits (LlNumberGrid *self, int digits)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->digits = CLAMP (digits, 0, 6);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_cell_size (LlNumberGrid *self, int size)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  size = MAX (size, 2);
  if (size == self->cell_size)
    return;
  self->cell_size = size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
set_rect (LlNumberGrid *self, int *r, int row0, int col0, int row1, int col1)
{
  if (row1 <= row0 || col1 <= col0)
    clear_rect (r);
  else
    {
      r[0] = row0;
      r[1] = col0;
      r[2] = row1;
      r[3] = col1;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_window (LlNumberGrid *self, int row0, int col0, int row1, int col1)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  set_rect (self, self->window, row0, col0, row1, col1);
}

void
ll_number_grid_set_next_window (LlNumberGrid *self, int row0, int col0, int row1, int col1)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  set_rect (self, self->next, row0, col0, row1, col1);
}

void
ll_number_grid_set_marked (LlNumberGrid *self, int row, int col)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->marked_row = row >= 0 && row < self->rows && col >= 0 && col < self->cols ? row : -1;
  self->marked_col = self->marked_row >= 0 ? col : -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ll_number_grid_set_revealed (LlNumberGrid *self, int n)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->revealed = n < 0 ? -1 : MIN (n, self->rows * self->cols);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
ll_number_grid_get_revealed (LlNumberGrid *self)
{
  g_return_val_if_fail (LL_IS_NUMBER_GRID (self), -1);
  return self->revealed < 0 ? self->rows * self->cols : self->revealed;
}

void
ll_number_grid_set_activatable (LlNumberGrid *self, gboolean activatable)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->activatable = activatable;
  gtk_widget_set_focusable (GTK_WIDGET (self), self->activatable || self->editable);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), activatable ? "pointer" : NULL);
}

void
ll_number_grid_set_cursor (LlNumberGrid *self, int row, int col)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->cursor_row = row >= 0 && row < self->rows && col >= 0 && col < self->cols ? row : -1;
  self->cursor_col = self->cursor_row >= 0 ? col : -1;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ll_number_grid_get_cursor (LlNumberGrid *self, int *row, int *col)
{
  g_return_val_if_fail (LL_IS_NUMBER_GRID (self), FALSE);
  if (self->cursor_row < 0)
    return FALSE;
  *row = self->cursor_row;
  *col = self->cursor_col;
  return TRUE;
}

void
ll_number_grid_set_editable (LlNumberGrid *self, gboolean editable)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->editable = editable;
  gtk_widget_set_focusable (GTK_WIDGET (self), self->activatable || self->editable);
  if (!self->activatable)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), editable ? "crosshair" : NULL);
}

void
ll_number_grid_set_brush (LlNumberGrid *self, float value)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  self->brush = value;
}

void
ll_number_grid_set_value (LlNumberGrid *self, int row, int col, float value)
{
  g_return_if_fail (LL_IS_NUMBER_GRID (self));
  g_return_if_fail (row >= 0 && row < self->rows && col >= 0 && col < self->cols);
  if (self->values[row * self->cols + col] == value)
    return;
  self->values[row * self->cols + col] = value;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}
