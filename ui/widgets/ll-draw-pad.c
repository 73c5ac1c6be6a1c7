/* ll-draw-pad.c: the drawing canvas of the Draw view.
 *
 * Strokes are kept as points in fractions of the pad's size, so a resize
 * re-renders the same drawing.  While a stroke is drawn, only its newest
 * piece is rendered into the backing surface: a quadratic curve from the
 * previous midpoint through the previous point to the new midpoint, which
 * makes a smooth line through noisy pointer samples.  Pressure comes from
 * the event's pressure axis (tablets deliver it on the pointer events the
 * drag gesture sees), so one gesture serves mouse, touch and stylus. */
#include "ll-draw-pad.h"
#include "ll-presentation.h"

#include <glib/gi18n.h>
#include <math.h>

#define BRUSH_DEFAULT LL_DRAW_PAD_BRUSH_DEFAULT
#define BRUSH_MIN LL_DRAW_PAD_BRUSH_MIN
#define BRUSH_MAX LL_DRAW_PAD_BRUSH_MAX

typedef struct {
  float x, y;
  float pressure;                 /* < 0: none */
} InkPoint;

typedef struct {
  double brush;                   /* diameter, fraction of the shorter side */
  GArray *points;                 /* of InkPoint */
} Stroke;

static void
stroke_free (Stroke *stroke)
{
  g_array_unref (stroke->points);
  g_free (stroke);
}

struct _LlInk {
  GPtrArray *strokes;             /* of Stroke */
  gboolean drawing;               /* the last stroke is still being drawn */
  double brush;
  int width, height;              /* device pixels of surface */
  cairo_surface_t *surface;       /* A8 coverage */
  float *pixels;                  /* width × height, when pixels_valid */
  gboolean pixels_valid;
};

LlInk *
ll_ink_new (void)
{
  LlInk *ink = g_new0 (LlInk, 1);
  ink->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) stroke_free);
  ink->brush = BRUSH_DEFAULT;
  return ink;
}

void
ll_ink_free (LlInk *ink)
{
  if (ink == NULL)
    return;
  g_ptr_array_unref (ink->strokes);
  g_clear_pointer (&ink->surface, cairo_surface_destroy);
  g_free (ink->pixels);
  g_free (ink);
}

static double
point_width (const LlInk *ink, const Stroke *stroke, const InkPoint *p)
{
  double full = stroke->brush * MIN (ink->width, ink->height);
  /* A light touch of the stylus still leaves a visible line. */
  return p->pressure < 0 ? full : full * (0.4 + 0.6 * CLAMP (p->pressure, 0.f, 1.f));
}

/* The piece of the smoothed path that ends at point i (0 < i), or with
 * tail, the straight end from the last midpoint to point i itself. */
static void
render_piece (LlInk *ink, cairo_t *cr, Stroke *stroke, guint i, gboolean tail)
{
  const InkPoint *p = &g_array_index (stroke->points, InkPoint, i);
  double w = ink->width, h = ink->height;

  cairo_new_path (cr);
  if (i == 0)
    {
      /* A dot: cairo draws a round cap on a zero-length segment. */
      cairo_move_to (cr, p->x * w, p->y * h);
      cairo_line_to (cr, p->x * w, p->y * h);
      cairo_set_line_width (cr, point_width (ink, stroke, p));
    }
  else if (tail)
    {
      const InkPoint *q = &g_array_index (stroke->points, InkPoint, i - 1);
      cairo_move_to (cr, (q->x + p->x) / 2 * w, (q->y + p->y) / 2 * h);
      cairo_line_to (cr, p->x * w, p->y * h);
      cairo_set_line_width (cr, point_width (ink, stroke, p));
    }
  else
    {
      const InkPoint *c = &g_array_index (stroke->points, InkPoint, i - 1);
      double x0, y0, x1, y1, cx = c->x * w, cy = c->y * h;

      if (i == 1)
        {
          x0 = cx;
          y0 = cy;
        }
      else
        {
          const InkPoint *b = &g_array_index (stroke->points, InkPoint, i - 2);
          x0 = (b->x + c->x) / 2 * w;
          y0 = (b->y + c->y) / 2 * h;
        }
      x1 = (c->x + p->x) / 2 * w;
      y1 = (c->y + p->y) / 2 * h;
      /* The quadratic (x0, c, x1) as the cubic cairo draws. */
      cairo_move_to (cr, x0, y0);
      cairo_curve_to (cr, x0 + 2.0 / 3 * (cx - x0), y0 + 2.0 / 3 * (cy - y0),
                      x1 + 2.0 / 3 * (cx - x1), y1 + 2.0 / 3 * (cy - y1), x1, y1);
      cairo_set_line_width (cr, (point_width (ink, stroke, c) + point_width (ink, stroke, p)) / 2);
    }
  cairo_stroke (cr);
}

static cairo_t *
ink_context (LlInk *ink)
{
  cairo_t *cr = cairo_create (ink->surface);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_source_rgba (cr, 0, 0, 0, 1);
  ink->pixels_valid = FALSE;
  return cr;
}

static void
render_all (LlInk *ink)
{
  cairo_t *cr;

  if (ink->surface == NULL)
    return;
  cr = ink_context (ink);
  cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);
  for (guint s = 0; s < ink->strokes->len; s++)
    {
      Stroke *stroke = g_ptr_array_index (ink->strokes, s);
      guint n = stroke->points->len;
      if (n == 1)
        render_piece (ink, cr, stroke, 0, FALSE);
      for (guint i = 1; i < n; i++)
        render_piece (ink, cr, stroke, i, FALSE);
      if (n > 1)
        render_piece (ink, cr, stroke, n - 1, TRUE);
    }
  cairo_destroy (cr);
}

void
ll_ink_set_size (LlInk *ink, int width, int height)
{
  if (width == ink->width && height == ink->height && (ink->surface != NULL || width <= 0))
    return;
  g_clear_pointer (&ink->surface, cairo_surface_destroy);
  g_clear_pointer (&ink->pixels, g_free);
  ink->pixels_valid = FALSE;
  ink->width = MAX (width, 0);
  ink->height = MAX (height, 0);
  if (ink->width == 0 || ink->height == 0)
    {
      ink->width = ink->height = 0;
      return;
    }
  ink->surface = cairo_image_surface_create (CAIRO_FORMAT_A8, ink->width, ink->height);
  ink->pixels = g_new (float, (gsize) ink->width * ink->height);
  render_all (ink);
}

void
ll_ink_set_brush (LlInk *ink, double brush)
{
  /* Takes effect from the next stroke: earlier ink keeps its width.  The
   * pad keeps to its range; tests measure others. */
  ink->brush = CLAMP (brush, 0.001, 1.0);
}

void
ll_ink_begin (LlInk *ink, double x, double y, double pressure)
{
  Stroke *stroke = g_new0 (Stroke, 1);
  InkPoint p = { (float) x, (float) y, (float) pressure };

  stroke->brush = ink->brush;
  stroke->points = g_array_new (FALSE, FALSE, sizeof (InkPoint));
  g_array_append_val (stroke->points, p);
  g_ptr_array_add (ink->strokes, stroke);
  ink->drawing = TRUE;
  if (ink->surface != NULL)
    {
      cairo_t *cr = ink_context (ink);
      render_piece (ink, cr, stroke, 0, FALSE);
      cairo_destroy (cr);
    }
}

void
ll_ink_extend (LlInk *ink, double x, double y, double pressure)
{
  Stroke *stroke;
  InkPoint p = { (float) x, (float) y, (float) pressure };
  const InkPoint *last;

  if (!ink->drawing || ink->strokes->len == 0)
    {
      ll_ink_begin (ink, x, y, pressure);
      return;
    }
  stroke = g_ptr_array_index (ink->strokes, ink->strokes->len - 1);
  last = &g_array_index (stroke->points, InkPoint, stroke->points->len - 1);
  if (last->x == p.x && last->y == p.y)
    return;
  g_array_append_val (stroke->points, p);
  if (ink->surface != NULL)
    {
      cairo_t *cr = ink_context (ink);
      render_piece (ink, cr, stroke, stroke->points->len - 1, FALSE);
      /* The tail is covered by the next piece; it keeps the ink up with
       * the pointer meanwhile. */
      render_piece (ink, cr, stroke, stroke->points->len - 1, TRUE);
      cairo_destroy (cr);
    }
}

void
ll_ink_end (LlInk *ink)
{
  ink->drawing = FALSE;
}

gboolean
ll_ink_undo (LlInk *ink)
{
  if (ink->strokes->len == 0)
    return FALSE;
  g_ptr_array_remove_index (ink->strokes, ink->strokes->len - 1);
  ink->drawing = FALSE;
  render_all (ink);
  return TRUE;
}

void
ll_ink_clear (LlInk *ink)
{
  g_ptr_array_set_size (ink->strokes, 0);
  ink->drawing = FALSE;
  render_all (ink);
}

guint
ll_ink_get_n_strokes (LlInk *ink)
{
  return ink->strokes->len;
}

cairo_surface_t *
ll_ink_get_surface (LlInk *ink)
{
  return ink->surface;
}

const float *
ll_ink_get_pixels (LlInk *ink, int *width, int *height)
{
  if (width != NULL)
    *width = ink->width;
  if (height != NULL)
    *height = ink->height;
  if (ink->surface == NULL)
    return NULL;
  if (!ink->pixels_valid)
    {
      const guint8 *data;
      int stride;

      cairo_surface_flush (ink->surface);
      data = cairo_image_surface_get_data (ink->surface);
      stride = cairo_image_surface_get_stride (ink->surface);
      for (int y = 0; y < ink->height; y++)
        for (int x = 0; x < ink->width; x++)
          ink->pixels[(gsize) y * ink->width + x] = data[(gsize) y * stride + x] / 255.f;
      ink->pixels_valid = TRUE;
    }
  return ink->pixels;
}

/* ----- The widget ----- */

struct _LlDrawPad {
  GtkWidget parent_instance;

  LlInk *ink;
  double brush_size;
  GtkGesture *drag;
  double start_x, start_y;
};

G_DEFINE_FINAL_TYPE (LlDrawPad, ll_draw_pad, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BRUSH_SIZE,
  PROP_N_STROKES,
  N_PROPS
};

enum {
  STROKES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Lazily (re)creates the backing surface at the current size. */
static gboolean
ensure_surface (LlDrawPad *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int w = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  int h = gtk_widget_get_height (GTK_WIDGET (self)) * scale;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || w <= 0 || h <= 0)
    return ll_ink_get_surface (self->ink) != NULL;
  ll_ink_set_size (self->ink, w, h);
  return TRUE;
}

static void
changed (LlDrawPad *self, gboolean n_strokes_changed)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (n_strokes_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STROKES]);
  g_signal_emit (self, signals[STROKES_CHANGED], 0);
}

void
ll_draw_pad_pointer_down (LlDrawPad *self, double x, double y, double pressure)
{
  int w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)));
  int h = MAX (1, gtk_widget_get_height (GTK_WIDGET (self)));

  g_return_if_fail (LL_IS_DRAW_PAD (self));
  ensure_surface (self);
  ll_ink_begin (self->ink, x / w, y / h, pressure);
  changed (self, TRUE);
}

void
ll_draw_pad_pointer_move (LlDrawPad *self, double x, double y, double pressure)
{
  int w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)));
  int h = MAX (1, gtk_widget_get_height (GTK_WIDGET (self)));

  g_return_if_fail (LL_IS_DRAW_PAD (self));
  ll_ink_extend (self->ink, x / w, y / h, pressure);
  changed (self, FALSE);
}

void
ll_draw_pad_pointer_up (LlDrawPad *self)
{
  g_return_if_fail (LL_IS_DRAW_PAD (self));
  ll_ink_end (self->ink);
}

static double
event_pressure (GtkGesture *gesture)
{
  GdkEventSequence *sequence = gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture));
  GdkEvent *event = gtk_gesture_get_last_event (gesture, sequence);
  double pressure;

  if (event != NULL && gdk_event_get_axis (event, GDK_AXIS_PRESSURE, &pressure))
    return pressure;
  return -1;
}

static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, LlDrawPad *self)
{
  self->start_x = x;
  self->start_y = y;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  ll_draw_pad_pointer_down (self, x, y, event_pressure (GTK_GESTURE (drag)));
}

static void
on_drag_update (GtkGestureDrag *drag, double dx, double dy, LlDrawPad *self)
{
  ll_draw_pad_pointer_move (self, self->start_x + dx, self->start_y + dy,
                            event_pressure (GTK_GESTURE (drag)));
}

static void
on_drag_end (GtkGestureDrag *drag, double dx, double dy, LlDrawPad *self)
{
  ll_draw_pad_pointer_up (self);
}

static void
ll_draw_pad_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlDrawPad *self = LL_DRAW_PAD (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  GdkRGBA fg;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (w <= 0 || h <= 0 || !ensure_surface (self))
    return;

  if (ll_ink_get_n_strokes (self->ink) == 0)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, _("Draw a digit here"));
      GdkRGBA dim = fg;
      int lw, lh;

      dim.alpha *= 0.45f;
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((w - lw) / 2.f, (h - lh) / 2.f));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
      return;
    }

  {
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
    int scale = gtk_widget_get_scale_factor (widget);

    cairo_scale (cr, 1.0 / scale, 1.0 / scale);
    gdk_cairo_set_source_rgba (cr, &fg);
    cairo_mask_surface (cr, ll_ink_get_surface (self->ink), 0, 0);
    cairo_destroy (cr);
  }
}

static void
ll_draw_pad_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  ensure_surface (LL_DRAW_PAD (widget));
}

static void
ll_draw_pad_unmap (GtkWidget *widget)
{
  LlDrawPad *self = LL_DRAW_PAD (widget);

  /* The strokes stay; the pixels come back on the next allocation. */
  ll_ink_set_size (self->ink, 0, 0);
  GTK_WIDGET_CLASS (ll_draw_pad_parent_class)->unmap (widget);
}

static void
ll_draw_pad_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                     int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* A large pad: a teacher draws on it in front of a class, larger
   * still in presentation mode. */
  *minimum = 200;
  *natural = ll_presentation_active (widget) ? 540 : 480;   /* 540: fits 1280×720 with its tools */
}

static void
undo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_draw_pad_undo (LL_DRAW_PAD (widget));
}

static void
clear_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_draw_pad_clear (LL_DRAW_PAD (widget));
}

static void
ll_draw_pad_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlDrawPad *self = LL_DRAW_PAD (object);

  switch (prop_id)
    {
    case PROP_BRUSH_SIZE:
      g_value_set_double (value, self->brush_size);
      break;
    case PROP_N_STROKES:
      g_value_set_uint (value, ll_ink_get_n_strokes (self->ink));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_draw_pad_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlDrawPad *self = LL_DRAW_PAD (object);

  switch (prop_id)
    {
    case PROP_BRUSH_SIZE:
      ll_draw_pad_set_brush_size (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_draw_pad_finalize (GObject *object)
{
  LlDrawPad *self = LL_DRAW_PAD (object);

  g_clear_pointer (&self->ink, ll_ink_free);
  G_OBJECT_CLASS (ll_draw_pad_parent_class)->finalize (object);
}

static void
ll_draw_pad_class_init (LlDrawPadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ll_draw_pad_get_property;
  object_class->set_property = ll_draw_pad_set_property;
  object_class->finalize = ll_draw_pad_finalize;
  widget_class->snapshot = ll_draw_pad_snapshot;
  widget_class->size_allocate = ll_draw_pad_size_allocate;
  widget_class->unmap = ll_draw_pad_unmap;
  widget_class->measure = ll_draw_pad_measure;

  properties[PROP_BRUSH_SIZE] =
    g_param_spec_double ("brush-size", NULL, NULL, BRUSH_MIN, BRUSH_MAX, BRUSH_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STROKES] =
    g_param_spec_uint ("n-strokes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted on every change of the ink: each pointer motion, undo, clear. */
  signals[STROKES_CHANGED] =
    g_signal_new ("strokes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "pad.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "pad.clear", NULL, clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "pad.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "pad.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "pad.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "pad.clear", NULL);

  gtk_widget_class_set_css_name (widget_class, "drawpad");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_draw_pad_init (LlDrawPad *self)
{
  self->ink = ll_ink_new ();
  self->brush_size = BRUSH_DEFAULT;
  ll_ink_set_brush (self->ink, self->brush_size);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");

  self->drag = gtk_gesture_drag_new ();
  g_signal_connect (self->drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (self->drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (self->drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drag));
}

GtkWidget *
ll_draw_pad_new (void)
{
  return g_object_new (LL_TYPE_DRAW_PAD, NULL);
}

double
ll_draw_pad_get_brush_size (LlDrawPad *self)
{
  g_return_val_if_fail (LL_IS_DRAW_PAD (self), BRUSH_DEFAULT);
  return self->brush_size;
}

void
ll_draw_pad_set_brush_size (LlDrawPad *self, double brush_size)
{
  g_return_if_fail (LL_IS_DRAW_PAD (self));

  brush_size = CLAMP (brush_size, BRUSH_MIN, BRUSH_MAX);
  if (brush_size == self->brush_size)
    return;
  self->brush_size = brush_size;
  ll_ink_set_brush (self->ink, brush_size);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRUSH_SIZE]);
}

guint
ll_draw_pad_get_n_strokes (LlDrawPad *self)
{
  g_return_val_if_fail (LL_IS_DRAW_PAD (self), 0);
  return ll_ink_get_n_strokes (self->ink);
}

void
ll_draw_pad_clear (LlDrawPad *self)
{
  g_return_if_fail (LL_IS_DRAW_PAD (self));
  if (ll_ink_get_n_strokes (self->ink) == 0)
    return;
  ll_ink_clear (self->ink);
  changed (self, TRUE);
}

gboolean
ll_draw_pad_undo (LlDrawPad *self)
{
  g_return_val_if_fail (LL_IS_DRAW_PAD (self), FALSE);
  if (!ll_ink_undo (self->ink))
    return FALSE;
  changed (self, TRUE);
  return TRUE;
}

void
ll_draw_pad_add_stroke (LlDrawPad *self, const double *xy, guint n_points)
{
  g_return_if_fail (LL_IS_DRAW_PAD (self));
  g_return_if_fail (xy != NULL && n_points > 0);

  ensure_surface (self);
  ll_ink_begin (self->ink, xy[0], xy[1], -1);
  for (guint i = 1; i < n_points; i++)
    ll_ink_extend (self->ink, xy[2 * i], xy[2 * i + 1], -1);
  ll_ink_end (self->ink);
  changed (self, TRUE);
}

const float *
ll_draw_pad_get_pixels (LlDrawPad *self, int *width, int *height)
{
  g_return_val_if_fail (LL_IS_DRAW_PAD (self), NULL);
  ensure_surface (self);
  return ll_ink_get_pixels (self->ink, width, height);
}
