/* ll-image-grid.c: data-set images as a grid of textures (see
 * ll-image-grid.h).  Each image is upscaled by whole pixels in memory, so
 * the texture is drawn 1:1 and stays sharp; textures are made on the first
 * draw after a change and kept. */
#include "ll-image-grid.h"

#include <glib/gi18n.h>
#include "ll-a11y.h"

#define GAP 6
#define CAPTION_H 18
#define MIN_CELL_W 40

struct _LlImageGrid
{
  GtkWidget parent_instance;

  const LlDataset *ds;
  guint32 *indices;
  int n;
  char **captions;
  int zoom;
  GdkTexture **textures;        /* n, made lazily */
};

enum {
  IMAGE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlImageGrid, ll_image_grid, GTK_TYPE_WIDGET)

static void
cell_size (LlImageGrid *self, int *cw, int *ch)
{
  int w = self->ds != NULL ? self->ds->width : 28, h = self->ds != NULL ? self->ds->height : 28;

  *cw = MAX (w * self->zoom, MIN_CELL_W) + GAP;
  *ch = h * self->zoom + CAPTION_H + GAP;
}

static int
columns_for (LlImageGrid *self, int width)
{
  int cw, ch;

  cell_size (self, &cw, &ch);
  return MAX ((width + GAP) / cw, 1);
}

static void
drop_textures (LlImageGrid *self)
{
  if (self->textures != NULL)
    for (int i = 0; i < self->n; i++)
      g_clear_object (&self->textures[i]);
  g_clear_pointer (&self->textures, g_free);
}

static GdkTexture *
make_texture (LlImageGrid *self, guint32 index)
{
  const LlDataset *ds = self->ds;
  int z = self->zoom, w = ds->width * z, h = ds->height * z;
  const guint8 *src = ds->images + (gsize) index * ll_dataset_sample_size (ds);
  guint8 *rgb = g_malloc ((gsize) w * h * 3);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = src + ((gsize) (y / z) * ds->width + x / z) * ds->channels;
        guint8 *q = rgb + ((gsize) y * w + x) * 3;
        q[0] = p[0];
        q[1] = ds->channels >= 3 ? p[1] : p[0];
        q[2] = ds->channels >= 3 ? p[2] : p[0];
      }
  bytes = g_bytes_new_take (rgb, (gsize) w * h * 3);
  return gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8, bytes, (gsize) w * 3);
}

static void
ll_image_grid_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlImageGrid *self = LL_IMAGE_GRID (widget);
  int cw, ch, cols;
  GdkRGBA fg;

  if (self->ds == NULL || self->n == 0)
    return;
  cell_size (self, &cw, &ch);
  cols = columns_for (self, gtk_widget_get_width (widget));
  if (self->textures == NULL)
    self->textures = g_new0 (GdkTexture *, self->n);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS

  for (int i = 0; i < self->n; i++)
    {
      int x = (i % cols) * cw, y = (i / cols) * ch;
      int iw = self->ds->width * self->zoom, ih = self->ds->height * self->zoom;
      int ox = x + (cw - GAP - iw) / 2;
      const char *caption;
      PangoLayout *layout;
      int lw, lh;

      if (self->textures[i] == NULL)
        self->textures[i] = make_texture (self, self->indices[i]);
      gtk_snapshot_append_texture (snapshot, self->textures[i], &GRAPHENE_RECT_INIT (ox, y, iw, ih));

      if (self->captions != NULL)
        caption = self->captions[i];
      else
        {
          int label = self->ds->labels[self->indices[i]];
          caption = self->ds->class_names != NULL && label < self->ds->n_classes
                    ? self->ds->class_names[label] : "?";
        }
      layout = gtk_widget_create_pango_layout (widget, caption);
      pango_layout_set_width (layout, (cw - 2) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + MAX ((cw - GAP - lw) / 2, 0), y + ih + 1));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
    }
}

static GtkSizeRequestMode
ll_image_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ll_image_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                       int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  LlImageGrid *self = LL_IMAGE_GRID (widget);
  int cw, ch;

  cell_size (self, &cw, &ch);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = cw;
      *natural = MIN (MAX (self->n, 1), 10) * cw;
    }
  else
    {
      int cols = columns_for (self, for_size > 0 ? for_size : 10 * cw);
      *minimum = *natural = self->n > 0 ? (self->n + cols - 1) / cols * ch : 0;
    }
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LlImageGrid *self)
{
  int cw, ch, cols, i;

  if (self->n == 0)
    return;
  cell_size (self, &cw, &ch);
  cols = columns_for (self, gtk_widget_get_width (GTK_WIDGET (self)));
  if (x < 0 || y < 0 || (int) x / cw >= cols)
    return;
  i = ((int) y / ch) * cols + (int) x / cw;
  if (i < self->n)
    g_signal_emit (self, signals[IMAGE_ACTIVATED], 0, self->indices[i]);
}

static void
ll_image_grid_finalize (GObject *object)
{
  LlImageGrid *self = LL_IMAGE_GRID (object);

  drop_textures (self);
  g_free (self->indices);
  g_strfreev (self->captions);
  G_OBJECT_CLASS (ll_image_grid_parent_class)->finalize (object);
}

static void
ll_image_grid_class_init (LlImageGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ll_image_grid_finalize;
  widget_class->snapshot = ll_image_grid_snapshot;
  widget_class->measure = ll_image_grid_measure;
  widget_class->get_request_mode = ll_image_grid_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "imagegrid");

  /* image-activated (guint index in the data set) */
  signals[IMAGE_ACTIVATED] = g_signal_new ("image-activated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_image_grid_init (LlImageGrid *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->zoom = 2;
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  ll_a11y_describe (GTK_WIDGET (self), "%s", _("No images"));
}

GtkWidget *
ll_image_grid_new (void)
{
  return g_object_new (LL_TYPE_IMAGE_GRID, NULL);
}

void
ll_image_grid_set_images (LlImageGrid *self, const LlDataset *ds, const guint32 *indices, int n,
                          const char *const *captions)
{
  g_return_if_fail (LL_IS_IMAGE_GRID (self));
  g_return_if_fail (n >= 0 && (n == 0 || (ds != NULL && indices != NULL)));

  drop_textures (self);
  g_clear_pointer (&self->indices, g_free);
  g_clear_pointer (&self->captions, g_strfreev);
  self->ds = ds;
  self->n = ds != NULL ? n : 0;
  if (self->n > 0)
    {
      self->indices = g_memdup2 (indices, (gsize) n * sizeof (guint32));
      if (captions != NULL)
        {
          self->captions = g_new0 (char *, n + 1);
          for (int i = 0; i < n; i++)
            self->captions[i] = g_strdup (captions[i]);
        }
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  /* "100 images; the first: 7, 2, 1, 0, 4…" with their captions. */
  if (self->n == 0)
    ll_a11y_describe (GTK_WIDGET (self), "%s", _("No images"));
  else
    {
      GString *first = g_string_new (NULL);

      for (int i = 0; self->captions != NULL && i < MIN (self->n, 8); i++)
        g_string_append_printf (first, "%s%s", i > 0 ? ", " : "", self->captions[i]);
      if (first->len > 0)
        ll_a11y_describe (GTK_WIDGET (self), ngettext ("%d image: %s", "%d images; the first: %s…", self->n),
                          self->n, first->str);
      else
        ll_a11y_describe (GTK_WIDGET (self), ngettext ("%d image", "%d images", self->n), self->n);
      g_string_free (first, TRUE);
    }
}

void
ll_image_grid_set_zoom (LlImageGrid *self, int zoom)
{
  g_return_if_fail (LL_IS_IMAGE_GRID (self));
  zoom = CLAMP (zoom, 1, 8);
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  drop_textures (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

int
ll_image_grid_get_zoom (LlImageGrid *self)
{
  g_return_val_if_fail (LL_IS_IMAGE_GRID (self), 1);
  return self->zoom;
}

int
ll_image_grid_get_n_images (LlImageGrid *self)
{
  g_return_val_if_fail (LL_IS_IMAGE_GRID (self), 0);
  return self->n;
}

guint32
ll_image_grid_get_index (LlImageGrid *self, int i)
{
  g_return_val_if_fail (LL_IS_IMAGE_GRID (self), 0);
  g_return_val_if_fail (i >= 0 && i < self->n, 0);
  return self->indices[i];
}
