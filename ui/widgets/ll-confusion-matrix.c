/* ll-confusion-matrix.c: see ll-confusion-matrix.h.  Cell shade is the
 * share of the row (the true class), so small classes read as clearly as
 * big ones: blue on the diagonal (right), red off it (confusions). */
#include "ll-confusion-matrix.h"
#include <glib/gi18n.h>
#include <inttypes.h>

#include "ll-a11y.h"
#include "ll-presentation.h"

/* Sizes at normal text size, in pixels; text drawn in code grows in
 * presentation mode and the cells with it (every user has a self). */
#define SCALED(px) ((int) ((px) * ll_presentation_text_scale (GTK_WIDGET (self))))
#define CELL SCALED (38)
#define LEFT SCALED (96)
#define TOP SCALED (36)

struct _LlConfusionMatrix
{
  GtkWidget parent_instance;

  guint32 *matrix;
  int n;
  char **names;
  int sel_t, sel_p;
};

enum {
  CELL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlConfusionMatrix, ll_confusion_matrix, GTK_TYPE_WIDGET)

static void
show_text (GtkWidget *widget, cairo_t *cr, const char *text, double cx, double cy, double max_w,
           int align)   /* -1 right, 0 centre */
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int lw, lh;

  pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  cairo_move_to (cr, align < 0 ? cx - lw : cx - lw / 2.0, cy - lh / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static void
ll_confusion_matrix_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlConfusionMatrix *self = LL_CONFUSION_MATRIX (widget);
  int n = self->n;
  cairo_t *cr;
  GdkRGBA fg;

  if (n == 0)
    return;
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                                  gtk_widget_get_height (widget)));
  gdk_cairo_set_source_rgba (cr, &fg);
  show_text (widget, cr, _("predicted →"), LEFT + n * CELL / 2.0, 8, n * CELL, 0);
  for (int i = 0; i < n; i++)
    {
      guint32 row = 0;
      const char *name = self->names != NULL ? self->names[i] : NULL;
      g_autofree char *label = name != NULL ? g_strdup (name) : g_strdup_printf ("%d", i);
      g_autofree char *col = g_strdup_printf ("%d", i);

      for (int j = 0; j < n; j++)
        row += self->matrix[i * n + j];
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (widget, cr, label, LEFT - 6, TOP + i * CELL + CELL / 2.0, LEFT - 8, -1);
      show_text (widget, cr, col, LEFT + i * CELL + CELL / 2.0, TOP - 10, CELL, 0);
      for (int j = 0; j < n; j++)
        {
          guint32 v = self->matrix[i * n + j];
          double f = row > 0 ? (double) v / row : 0;
          double x = LEFT + j * CELL, y = TOP + i * CELL;
          g_autofree char *count = g_strdup_printf ("%u", v);

          /* Every cell gets a faint frame so that empty ones still read as cells. */
          cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
          cairo_rectangle (cr, x, y, CELL - 1, CELL - 1);
          cairo_fill (cr);
          if (i == j)
            cairo_set_source_rgb (cr, 1 - 0.8 * f, 1 - 0.55 * f, 1 - 0.1 * f);
          else
            cairo_set_source_rgb (cr, 1, 1 - 0.85 * MIN (f * 4, 1.0), 1 - 0.85 * MIN (f * 4, 1.0));
          cairo_rectangle (cr, x + 1, y + 1, CELL - 3, CELL - 3);
          cairo_fill (cr);
          if (i == self->sel_t && j == self->sel_p)
            {
              cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
              cairo_set_line_width (cr, 3);
              cairo_rectangle (cr, x + 1.5, y + 1.5, CELL - 4, CELL - 4);
              cairo_stroke (cr);
            }
          /* Counts are on light cells: dark text in either style. */
          cairo_set_source_rgb (cr, (i == j && f > 0.6) ? 1 : 0.1, (i == j && f > 0.6) ? 1 : 0.1,
                                (i == j && f > 0.6) ? 1 : 0.1);
          if (v > 0)
            show_text (widget, cr, count, x + CELL / 2.0, y + CELL / 2.0, CELL, 0);
        }
    }
  cairo_destroy (cr);
}

static void
ll_confusion_matrix_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                             int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  LlConfusionMatrix *self = LL_CONFUSION_MATRIX (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = self->n > 0 ? LEFT + self->n * CELL + 4 : 0;
  else
    *minimum = *natural = self->n > 0 ? TOP + self->n * CELL + 4 : 0;
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlConfusionMatrix *self)
{
  int j = (int) ((x - LEFT) / CELL), i = (int) ((y - TOP) / CELL);

  if (x < LEFT || y < TOP || i >= self->n || j >= self->n)
    return;
  ll_confusion_matrix_select (self, i, j);
  g_signal_emit (self, signals[CELL_ACTIVATED], 0, i, j);
}

static void
ll_confusion_matrix_finalize (GObject *object)
{
  LlConfusionMatrix *self = LL_CONFUSION_MATRIX (object);

  g_free (self->matrix);
  g_strfreev (self->names);
  G_OBJECT_CLASS (ll_confusion_matrix_parent_class)->finalize (object);
}

static void
ll_confusion_matrix_class_init (LlConfusionMatrixClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ll_confusion_matrix_finalize;
  widget_class->snapshot = ll_confusion_matrix_snapshot;
  widget_class->measure = ll_confusion_matrix_measure;
  gtk_widget_class_set_css_name (widget_class, "confusionmatrix");

  /* cell-activated (int true_class, int predicted_class) */
  signals[CELL_ACTIVATED] = g_signal_new ("cell-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_confusion_matrix_init (LlConfusionMatrix *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->sel_t = self->sel_p = -1;
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_START);
  ll_presentation_watch (GTK_WIDGET (self), gtk_widget_queue_resize);
  ll_a11y_describe (GTK_WIDGET (self), "%s", _("Confusion matrix: not computed yet"));
}

GtkWidget *
ll_confusion_matrix_new (void)
{
  return g_object_new (LL_TYPE_CONFUSION_MATRIX, NULL);
}

/* "Confusion matrix of 10 classes: 9,812 of 10,000 right (98.1 %); most
 * often 4 read as 9 (12 times)". */
static void
describe (LlConfusionMatrix *self)
{
  guint64 right = 0, total = 0;
  guint32 worst = 0;
  int wt = -1, wp = -1;

  if (self->n == 0)
    {
      ll_a11y_describe (GTK_WIDGET (self), "%s", _("Confusion matrix: not computed yet"));
      return;
    }
  for (int t = 0; t < self->n; t++)
    for (int p = 0; p < self->n; p++)
      {
        guint32 v = self->matrix[t * self->n + p];

        total += v;
        if (t == p)
          right += v;
        else if (v > worst)
          {
            worst = v;
            wt = t;
            wp = p;
          }
      }
  if (wt < 0)
    ll_a11y_describe (GTK_WIDGET (self), _("Confusion matrix of %d classes: %" PRIu64
                                           " of %" PRIu64 " right"),
                      self->n, right, total);
  else
    {
      g_autofree char *a = self->names != NULL && self->names[wt] != NULL ? g_strdup (self->names[wt])
                                                                            : g_strdup_printf ("%d", wt);
      g_autofree char *b = self->names != NULL && self->names[wp] != NULL ? g_strdup (self->names[wp])
                                                                            : g_strdup_printf ("%d", wp);
      ll_a11y_describe (GTK_WIDGET (self), _("Confusion matrix of %d classes: %" PRIu64
                                             " of %" PRIu64 " right (%.1f %%); most often "
                                             "%s read as %s (%u times)"),
                        self->n, right, total, total > 0 ? 100.0 * right / total : 0.0, a, b, worst);
    }
}

void
ll_confusion_matrix_set_data (LlConfusionMatrix *self, const guint32 *matrix, int n,
                              const char *const *class_names)
{
  int old_n = self->n;

  g_return_if_fail (LL_IS_CONFUSION_MATRIX (self));

  g_clear_pointer (&self->matrix, g_free);
  g_clear_pointer (&self->names, g_strfreev);
  self->n = matrix != NULL ? n : 0;
  if (self->n > 0)
    {
      self->matrix = g_memdup2 (matrix, (gsize) n * n * sizeof (guint32));
      if (class_names != NULL)
        {
          self->names = g_new0 (char *, n + 1);
          for (int i = 0; i < n && class_names[i] != NULL; i++)
            self->names[i] = g_strdup (class_names[i]);
        }
    }
  self->sel_t = self->sel_p = -1;
  /* The size depends on n only: new counts are a redraw, not a new
   * layout of the window (the Playground refreshes it every frame). */
  if (self->n != old_n)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
  describe (self);
}

void
ll_confusion_matrix_select (LlConfusionMatrix *self, int true_class, int predicted_class)
{
  g_return_if_fail (LL_IS_CONFUSION_MATRIX (self));
  self->sel_t = true_class;
  self->sel_p = predicted_class;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
ll_confusion_matrix_get_n (LlConfusionMatrix *self)
{
  g_return_val_if_fail (LL_IS_CONFUSION_MATRIX (self), 0);
  return self->n;
}
