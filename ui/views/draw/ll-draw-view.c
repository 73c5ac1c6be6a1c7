/* ll-draw-view.c: the Draw view.
 *
 * Every change of the pad schedules one prediction on the next frame (a
 * tick callback), so a burst of pointer motions between two frames costs
 * one preprocessing and one forward pass.  A small CNN predicts in about a
 * millisecond, so this runs on the main thread, on the view's own models:
 * the shipped one and a copy of the user's, never a model being trained.
 *
 * LL_DRAW_DEMO=1 in the environment pre-draws a "3", for screenshots and
 * demonstrations. */
#include "ll-draw-view.h"
#include "ll-document.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ll-dataset.h"
#include "ll-digit.h"
#include "ll-draw-pad.h"
#include "ll-import.h"
#include "ll-model-file.h"
#include "ll-picture.h"
#include "ll-shipped-model.h"
#include "ll-presentation.h"

#define UNSURE_BELOW 0.6
#define MAX_BARS 10
#define MAX_IMAGE_SIDE 512
#define DIGIT_SIDE 28

struct _LlDrawView {
  LlView parent_instance;

  /* template */
  LlDrawPad *pad;
  GtkAdjustment *brush_adjustment;
  GtkToggleButton *shipped_button;
  GtkToggleButton *user_button;
  /* The Open button was pressed: the model opened next is the one to draw
   * into, so "My model" is chosen when it arrives. */
  gboolean open_pending;
  GtkDrawingArea *input_area;
  GtkDrawingArea *bars_area;
  GtkLabel *input_caption;
  GtkLabel *top_label;
  GtkLabel *unsure_label;
  GtkLabel *status_label;
  GtkLabel *add_status;
  GtkDropDown *label_dropdown;
  GtkButton *add_button;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  LlModel *default_model;
  char *default_error;            /* why there is no default model */
  LlModel *user_model;
  char *user_dataset;             /* NULL: guessed from the input shape */

  guint tick_id;                  /* a prediction is scheduled for the next frame */
  GdkPixbuf *image;               /* RGBA; the input comes from it instead of the pad */
  char *image_name;

  float *input;                   /* the model's input, input_size floats */
  gsize input_size;
  LlShape input_shape;
  gboolean have_input;
  gboolean have_digit;            /* input is a 28 × 28 digit that can be saved */
  float *probs;
  int n_classes;
  gboolean have_probs;
  double last_ms;
  gboolean label_picked;          /* the user chose a label since the last clear */
  gboolean setting_label;
};

G_DEFINE_FINAL_TYPE (LlDrawView, ll_draw_view, LL_TYPE_VIEW)

/* ----- Models ----- */

LlModel *
ll_draw_view_load_default_model (GError **error)
{
  g_autoptr(LlTrainer) trainer = ll_shipped_model_load (error);

  if (trainer == NULL)
    return NULL;
  /* The view's own copy: the trainer and its optimizer state go. */
  return ll_model_copy (ll_trainer_get_model (trainer));
}

/* Plans the buffers now, so that the first stroke is as fast as the rest. */
static void
warm_up (LlModel *model)
{
  LlShape in = ll_model_input_shape (model), out = ll_model_output_shape (model);
  g_autofree float *x = g_new0 (float, ll_shape_size (&in));
  g_autofree float *p = g_new0 (float, ll_shape_size (&out));

  ll_model_predict (model, 1, x, p, NULL);
}

static gboolean
using_user_model (LlDrawView *self)
{
  return self->user_model != NULL && gtk_toggle_button_get_active (self->user_button);
}

static LlModel *
current_model (LlDrawView *self)
{
  return using_user_model (self) ? self->user_model : self->default_model;
}

static const char *
current_dataset (LlDrawView *self)
{
  LlModel *model = current_model (self);
  LlShape in;

  if (!using_user_model (self))
    return "mnist";
  if (self->user_dataset != NULL)
    return self->user_dataset;
  in = ll_model_input_shape (model);
  if (in.rank == 3 && in.d[2] == 3)
    return "cifar10";
  return "mnist";
}

static gboolean
is_digit_input (const LlShape *s)
{
  return s->rank == 3 && s->d[0] == DIGIT_SIDE && s->d[1] == DIGIT_SIDE && s->d[2] == 1;
}

/* "7", or "Sneaker" for a Fashion-MNIST model. */
static char *
class_name (LlDrawView *self, int i)
{
  const char *const *names = ll_dataset_class_names (current_dataset (self));

  for (int k = 0; names != NULL && names[k] != NULL; k++)
    if (k == i)
      return g_strdup (names[k]);
  return g_strdup_printf ("%d", i);
}

/* ----- Prediction ----- */

static int
top_class (LlDrawView *self)
{
  int best = 0;

  for (int i = 1; i < self->n_classes; i++)
    if (self->probs[i] > self->probs[best])
      best = i;
  return best;
}

static void
update_results (LlDrawView *self, const char *status)
{
  gboolean digit = g_strcmp0 (current_dataset (self), "mnist") == 0;

  if (self->have_probs && self->n_classes > 0)
    {
      int best = top_class (self);
      g_autofree char *name = class_name (self, best);

      gtk_label_set_label (self->top_label, name);
      gtk_widget_set_visible (GTK_WIDGET (self->unsure_label), self->probs[best] < UNSURE_BELOW);
      if (!self->label_picked && digit && best < 10)
        {
          self->setting_label = TRUE;
          gtk_drop_down_set_selected (self->label_dropdown, best);
          self->setting_label = FALSE;
        }
    }
  else
    {
      gtk_label_set_label (self->top_label, "–");
      gtk_widget_set_visible (GTK_WIDGET (self->unsure_label), FALSE);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), self->have_digit && digit);
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  gtk_widget_queue_draw (GTK_WIDGET (self->bars_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->input_area));
}

/* Fills self->input from the pad or the image.  FALSE when the pad has no
 * pixels yet (not allocated): try again on the next frame.  *status gets
 * a message when there is nothing to predict. */
static gboolean
make_input (LlDrawView *self, LlModel *model, char **status)
{
  LlShape in = ll_model_input_shape (model);
  gsize size = ll_shape_size (&in);
  gboolean digit = g_strcmp0 (current_dataset (self), "mnist") == 0;

  if (size != self->input_size)
    {
      g_free (self->input);
      self->input = g_new0 (float, size);
      self->input_size = size;
    }
  self->input_shape = in;
  self->have_input = FALSE;
  self->have_digit = FALSE;

  if (self->image != NULL)
    {
      if (in.rank != 3 || (in.d[2] != 1 && in.d[2] != 3))
        {
          *status = g_strdup (_("This model does not take pictures: its input is not an image."));
          return TRUE;
        }
      self->have_input = ll_input_from_rgba (gdk_pixbuf_read_pixels (self->image),
                                            gdk_pixbuf_get_width (self->image),
                                            gdk_pixbuf_get_height (self->image),
                                            gdk_pixbuf_get_rowstride (self->image),
                                            in.d[0], in.d[1], in.d[2], digit, self->input);
      if (!self->have_input)
        *status = g_strdup_printf (_("No digit found in “%s”: it looks like blank paper."),
                                   self->image_name);
      self->have_digit = self->have_input && digit && is_digit_input (&in);
      return TRUE;
    }

  if (ll_draw_pad_get_n_strokes (self->pad) == 0)
    return TRUE;
  if (!is_digit_input (&in))
    {
      g_autofree char *shape = ll_shape_to_string (&in);
      *status = g_strdup_printf (_("This model takes %s pictures, not drawings: "
                                   "open or drop an image instead."), shape);
      return TRUE;
    }
  {
    int w, h;
    const float *pixels = ll_draw_pad_get_pixels (self->pad, &w, &h);
    if (pixels == NULL)
      return FALSE;
    self->have_input = ll_digit_preprocess (pixels, w, h, w, self->input);
    self->have_digit = self->have_input;
    /* The Inspect view can look inside the network at this digit. */
    if (self->document != NULL)
      ll_document_set_drawn_input (self->document, self->have_input ? self->input : NULL);
  }
  return TRUE;
}

/* One preprocessing and forward pass.  FALSE: not possible yet. */
static gboolean
predict_now (LlDrawView *self)
{
  LlModel *model = current_model (self);
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* A new backing surface is rendered once after a resize; that is not
   * the per-motion cost the status line reports. */
  if (self->image == NULL)
    ll_draw_pad_get_pixels (self->pad, NULL, NULL);
  start = g_get_monotonic_time ();
  self->have_probs = FALSE;
  if (model == NULL)
    {
      self->have_input = self->have_digit = FALSE;
      update_results (self, self->default_error);
      return TRUE;
    }
  if (!make_input (self, model, &status))
    return FALSE;

  if (self->have_input)
    {
      LlShape out = ll_model_output_shape (model);
      int n = (int) ll_shape_size (&out);

      if (n != self->n_classes)
        {
          g_free (self->probs);
          self->probs = g_new0 (float, n);
          self->n_classes = n;
        }
      if (ll_model_predict (model, 1, self->input, self->probs, &error))
        {
          self->have_probs = TRUE;
          self->last_ms = (g_get_monotonic_time () - start) / 1000.0;
          if (status == NULL)
            status = g_strdup_printf (_("%s: preprocessing and prediction took %.1f ms"),
                                      self->image != NULL ? self->image_name : _("Drawing"),
                                      self->last_ms);
        }
      else
        status = g_strdup (error->message);
    }
  update_results (self, status);
  return TRUE;
}

static gboolean
predict_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  LlDrawView *self = LL_DRAW_VIEW (widget);

  if (!predict_now (self))
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
schedule_prediction (LlDrawView *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), predict_tick, NULL, NULL);
}

/* ----- Drawing the input and the bars ----- */

static void
get_fg (GtkWidget *widget, GdkRGBA *fg)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Presentation mode makes text 150 % (style.css): the bars and the input
 * image grow as much. */
static double
text_scale (GtkWidget *widget)
{
  return ll_presentation_text_scale (widget);
}

static void
apply_presentation (GtkWidget *widget)
{
  LlDrawView *self = LL_DRAW_VIEW (widget);
  double k = text_scale (widget);

  gtk_drawing_area_set_content_width (self->input_area, (int) (168 * k));
  gtk_drawing_area_set_content_height (self->input_area, (int) (168 * k));
  gtk_drawing_area_set_content_width (self->bars_area, (int) (360 * k));
  gtk_drawing_area_set_content_height (self->bars_area, (int) (300 * k));
}

static void
draw_input (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  LlDrawView *self = LL_DRAW_VIEW (user_data);
  const LlShape *s = &self->input_shape;
  int ih = s->rank == 3 ? s->d[0] : DIGIT_SIDE, iw = s->rank == 3 ? s->d[1] : DIGIT_SIDE;
  int c = s->rank == 3 ? s->d[2] : 1;
  double side = MIN (width, height), cell = side / MAX (iw, ih);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, iw, ih);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  GdkRGBA fg;

  get_fg (GTK_WIDGET (area), &fg);
  for (int y = 0; y < ih; y++)
    for (int x = 0; x < iw; x++)
      {
        guint32 *px = (guint32 *) (data + (gsize) y * stride) + x;
        guint8 rgb[3] = { 0, 0, 0 };
        if (self->have_input && (gsize) ih * iw * c == self->input_size)
          for (int k = 0; k < 3; k++)
            rgb[k] = (guint8) lrintf (255 * CLAMP (self->input[((gsize) y * iw + x) * c + (c == 3 ? k : 0)], 0.f, 1.f));
        *px = (guint32) rgb[0] << 16 | (guint32) rgb[1] << 8 | rgb[2];
      }
  cairo_surface_mark_dirty (surface);

  /* Pixelated on purpose: these are the network's 784 inputs. */
  cairo_save (cr);
  cairo_scale (cr, cell, cell);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, iw, ih);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);

  if (g_strcmp0 (current_dataset (self), "mnist") == 0 && iw == DIGIT_SIDE && ih == DIGIT_SIDE)
    {
      /* MNIST's 20 × 20 box and the centre where the centre of mass goes. */
      double dash = 3;
      cairo_set_source_rgba (cr, 0.4, 0.6, 1.0, 0.55);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, &dash, 1, 0);
      cairo_rectangle (cr, 4 * cell + 0.5, 4 * cell + 0.5, 20 * cell - 1, 20 * cell - 1);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      cairo_arc (cr, 14.5 * cell, 14.5 * cell, 2.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, 0.5, 0.5, iw * cell - 1, ih * cell - 1);
  cairo_stroke (cr);
}

static void
draw_bars (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  LlDrawView *self = LL_DRAW_VIEW (user_data);
  int n = self->n_classes > 0 ? MIN (self->n_classes, MAX_BARS) : 10;
  int best = self->have_probs ? top_class (self) : -1;
  double big = text_scale (GTK_WIDGET (area));
  double row = (double) height / n, name_w = 0, pct_w, bar_h = MIN (row * 0.62, 26 * big);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), NULL);
  PangoFontDescription *font = pango_font_description_new ();
  int tw, th;
  GdkRGBA fg;

  get_fg (GTK_WIDGET (area), &fg);
  /* Large enough to read from the back of a classroom. */
  pango_font_description_set_absolute_size (font, MIN (row * 0.55, 18 * big) * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = class_name (self, i);
      pango_layout_set_text (layout, name, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      name_w = MAX (name_w, tw);
    }
  pango_layout_set_text (layout, "100.0 %", -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  pct_w = tw;

  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = class_name (self, i);
      g_autofree char *pct = NULL;
      double p = self->have_probs ? self->probs[i] : 0;
      double y = i * row, x0 = name_w + 12, bar_w = MAX (0, width - x0 - pct_w - 12);
      double by = y + (row - bar_h) / 2;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, i == best ? 1.0 : 0.8);
      pango_layout_set_text (layout, name, -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_move_to (cr, name_w - tw, y + (row - th) / 2);
      pango_cairo_show_layout (cr, layout);

      /* Track, then the bar itself: Adwaita's blue for the answer,
       * yellow when the network is not sure of it. */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
      cairo_rectangle (cr, x0, by, bar_w, bar_h);
      cairo_fill (cr);
      if (i == best)
        {
          if (p < UNSURE_BELOW)
            cairo_set_source_rgb (cr, 0.90, 0.65, 0.04);
          else
            cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
        }
      else
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.45);
      cairo_rectangle (cr, x0, by, bar_w * CLAMP (p, 0.0, 1.0), bar_h);
      cairo_fill (cr);

      if (self->have_probs)
        {
          pct = g_strdup_printf ("%.1f %%", 100 * p);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, i == best ? 1.0 : 0.7);
          pango_layout_set_text (layout, pct, -1);
          pango_layout_get_pixel_size (layout, &tw, &th);
          cairo_move_to (cr, width - tw, y + (row - th) / 2);
          pango_cairo_show_layout (cr, layout);
        }
    }
}

/* ----- Pictures ----- */

static GdkPixbuf *
load_picture (GFile *file, GError **error)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is not on this computer; copy it to a folder first"), uri);
      return NULL;
    }
  /* A camera's 12 megapixels carry no more of a 28 × 28 digit than 512
   * pixels do, and preprocessing them would take a while. */
  return ll_picture_load (path, MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, error);
}

gboolean
ll_draw_view_open_image (LlDrawView *self, GFile *file, GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  g_return_val_if_fail (LL_IS_DRAW_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  pixbuf = load_picture (file, error);
  if (pixbuf == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      gtk_label_set_label (self->status_label, error != NULL && *error != NULL
                                               ? (*error)->message : name);
      return FALSE;
    }
  /* Clearing the pad drops any previous picture; then this one is shown. */
  ll_draw_pad_clear (self->pad);
  g_set_object (&self->image, pixbuf);
  g_free (self->image_name);
  self->image_name = g_file_get_basename (file);
  self->label_picked = FALSE;
  schedule_prediction (self);
  return TRUE;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, LlDrawView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;
      if (file != NULL)
        ll_draw_view_open_image (self, file, &error);
    }
  g_object_unref (dialog);
}

static void
on_open_clicked (LlDrawView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Classify a Picture"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PNG and JPEG pictures"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, LlDrawView *self)
{
  GdkFileList *list = g_value_get_boxed (value);
  GSList *files = list != NULL ? gdk_file_list_get_files (list) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (files != NULL)
    {
      g_autofree char *path = g_file_get_path (G_FILE (files->data));
      /* A model dropped here is opened by the window, not classified. */
      if (path != NULL && ll_model_format_detect (NULL, 0, path) != LL_MODEL_FORMAT_UNKNOWN)
        ok = gtk_widget_activate_action (GTK_WIDGET (self), "window.open-file", "s", path);
      else
        ok = ll_draw_view_open_image (self, G_FILE (files->data), &error);
    }
  g_slist_free (files);
  return ok;
}

/* ----- My digits: a small IDX pair beside the other data sets ----- */

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
write_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* Records in an existing IDX file of the given magic and record size;
 * 0 when there is no file.  A foreign or damaged file is an error: the
 * user's digits are never overwritten. */
static gboolean
read_idx_count (const char *path, guint32 magic, gsize header, gsize record,
                GByteArray **contents, guint32 *n, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;

  *n = 0;
  *contents = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (len < header || read_be32 ((guint8 *) data) != magic
      || (magic == 0x803 && (read_be32 ((guint8 *) data + 8) != DIGIT_SIDE
                             || read_be32 ((guint8 *) data + 12) != DIGIT_SIDE))
      || len < header + (gsize) read_be32 ((guint8 *) data + 4) * record)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” is not a set of 28×28 digits saved by Layerlab. "
                     "Move it away to start a new set."), path);
      return FALSE;
    }
  *n = read_be32 ((guint8 *) data + 4);
  *contents = g_byte_array_new_take ((guint8 *) g_steal_pointer (&data), header + *n * record);
  return TRUE;
}

static gboolean
save_my_digit (const float *digit, int label, guint32 *n_total, GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "layerlab", "my-digits", NULL);
  g_autofree char *images_path = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *labels_path = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
  g_autoptr(GByteArray) images = NULL;
  g_autoptr(GByteArray) labels = NULL;
  guint32 n_images, n_labels, n;
  guint8 pixels[DIGIT_SIDE * DIGIT_SIDE], byte = (guint8) label;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int err = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not create “%s”: %s"), dir,
                   g_strerror (err));
      return FALSE;
    }
  if (!read_idx_count (images_path, 0x803, 16, DIGIT_SIDE * DIGIT_SIDE, &images, &n_images, error)
      || !read_idx_count (labels_path, 0x801, 8, 1, &labels, &n_labels, error))
    return FALSE;

  /* A save interrupted between the two files leaves one record more in
   * the images; the pair agrees again from here. */
  n = MIN (n_images, n_labels);
  if (images == NULL)
    {
      guint8 header[16];
      write_be32 (header, 0x803);
      write_be32 (header + 8, DIGIT_SIDE);
      write_be32 (header + 12, DIGIT_SIDE);
      images = g_byte_array_new ();
      g_byte_array_append (images, header, 16);
    }
  if (labels == NULL)
    {
      guint8 header[8];
      write_be32 (header, 0x801);
      labels = g_byte_array_new ();
      g_byte_array_append (labels, header, 8);
    }
  g_byte_array_set_size (images, 16 + n * DIGIT_SIDE * DIGIT_SIDE);
  g_byte_array_set_size (labels, 8 + n);

  for (int i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++)
    pixels[i] = (guint8) lrintf (255 * CLAMP (digit[i], 0.f, 1.f));
  g_byte_array_append (images, pixels, sizeof pixels);
  g_byte_array_append (labels, &byte, 1);
  write_be32 (images->data + 4, n + 1);
  write_be32 (labels->data + 4, n + 1);

  /* Each file is replaced atomically (temporary file, then rename). */
  if (!g_file_set_contents_full (images_path, (const char *) images->data, images->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error)
      || !g_file_set_contents_full (labels_path, (const char *) labels->data, labels->len,
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  *n_total = n + 1;
  return TRUE;
}

static void
on_add_clicked (LlDrawView *self)
{
  g_autoptr(GError) error = NULL;
  guint label = gtk_drop_down_get_selected (self->label_dropdown);
  guint32 n = 0;

  if (!self->have_digit || label > 9)
    return;
  if (!save_my_digit (self->input, (int) label, &n, &error))
    {
      gtk_label_set_label (self->add_status, error->message);
      return;
    }
  {
    g_autofree char *msg = g_strdup_printf (ngettext ("Saved as a %u. Your set has %u digit.",
                                                      "Saved as a %u. Your set has %u digits.", n),
                                            label, n);
    gtk_label_set_label (self->add_status, msg);
  }
}

/* ----- Template callbacks ----- */

static void
on_strokes_changed (LlDrawView *self)
{
  /* Drawing replaces a picture that was being shown. */
  g_clear_object (&self->image);
  if (ll_draw_pad_get_n_strokes (self->pad) == 0)
    {
      self->label_picked = FALSE;
      gtk_label_set_label (self->add_status, "");
    }
  schedule_prediction (self);
}

static void
on_undo_clicked (LlDrawView *self)
{
  ll_draw_pad_undo (self->pad);
}

static void
on_clear_clicked (LlDrawView *self)
{
  ll_draw_pad_clear (self->pad);
  g_clear_object (&self->image);
  schedule_prediction (self);
}

static void
on_model_toggled (LlDrawView *self)
{
  LlModel *model = current_model (self);
  gboolean digit = g_strcmp0 (current_dataset (self), "mnist") == 0;

  schedule_prediction (self);
  if (model != NULL && !digit)
    {
      LlShape in = ll_model_input_shape (model);
      g_autofree char *caption = g_strdup_printf (_("The network sees (%d×%d)"),
                                                  in.d[0], in.d[1]);
      gtk_label_set_label (self->input_caption, caption);
    }
  else
    gtk_label_set_label (self->input_caption, _("The network sees"));
  gtk_widget_set_visible (GTK_WIDGET (self->label_dropdown), digit);
  gtk_widget_set_visible (GTK_WIDGET (self->add_button), digit);
}

static void
on_label_picked (LlDrawView *self)
{
  if (!self->setting_label)
    self->label_picked = TRUE;
}

static void
on_brush_changed (GtkAdjustment *adjustment, LlDrawView *self)
{
  ll_draw_pad_set_brush_size (self->pad, gtk_adjustment_get_value (adjustment));
}

/* ----- Demo ----- */

/* A "3" in one stroke: an upper arc into the middle, a lower arc out. */
static void
draw_demo_digit (LlDrawView *self)
{
  double xy[2 * 64];
  int n = 0;

  for (int i = 0; i < 32; i++)
    {
      double t = G_PI * (200 + 250.0 * i / 31) / 180;
      xy[2 * n] = 0.50 + 0.17 * cos (t);
      xy[2 * n + 1] = 0.35 + 0.14 * sin (t);
      n++;
    }
  for (int i = 1; i < 32; i++)
    {
      double t = G_PI * (-90 + 250.0 * i / 31) / 180;
      xy[2 * n] = 0.50 + 0.19 * cos (t);
      xy[2 * n + 1] = 0.65 + 0.16 * sin (t);
      n++;
    }
  ll_draw_pad_add_stroke (self->pad, xy, (guint) n);
}

/* ----- Document ----- */

/* A model the user trained (one with a history) or opened from an ONNX or
 * Keras file becomes "My model"; the view predicts on its own copy, so
 * training can go on meanwhile. */
static void
on_document_changed (LlDrawView *self)
{
  LlTrainer *trainer = ll_document_get_trainer (self->document);

  if (trainer == NULL
      || (ll_trainer_get_history (trainer)->len == 0 && !ll_document_get_imported (self->document)))
    {
      ll_draw_view_set_user_model (self, NULL);
      return;
    }
  ll_draw_view_set_user_model_for_dataset (self, ll_model_copy (ll_trainer_get_model (trainer)),
                                           ll_document_get_dataset (self->document));
  if (self->open_pending)
    {
      self->open_pending = FALSE;
      gtk_toggle_button_set_active (self->user_button, TRUE);
    }
}

static void
on_open_model_clicked (LlDrawView *self)
{
  self->open_pending = TRUE;
}

static void
ll_draw_view_document_set (LlView *view, LlDocument *old)
{
  LL_DRAW_VIEW (view)->document = ll_view_get_document (view);
}

static void
ll_draw_view_document_changed (LlView *view)
{
  on_document_changed (LL_DRAW_VIEW (view));
}

/* ----- Object ----- */

static void
ll_draw_view_dispose (GObject *object)
{
  LlDrawView *self = LL_DRAW_VIEW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_DRAW_VIEW);
  g_clear_object (&self->image);
  self->document = NULL;
  G_OBJECT_CLASS (ll_draw_view_parent_class)->dispose (object);
}

static void
ll_draw_view_finalize (GObject *object)
{
  LlDrawView *self = LL_DRAW_VIEW (object);

  g_clear_pointer (&self->default_model, ll_model_free);
  g_clear_pointer (&self->user_model, ll_model_free);
  g_free (self->default_error);
  g_free (self->user_dataset);
  g_free (self->image_name);
  g_free (self->input);
  g_free (self->probs);
  G_OBJECT_CLASS (ll_draw_view_parent_class)->finalize (object);
}

static void
ll_draw_view_class_init (LlDrawViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_draw_view_dispose;
  view_class->document_set = ll_draw_view_document_set;
  view_class->document_changed = ll_draw_view_document_changed;
  object_class->finalize = ll_draw_view_finalize;

  g_type_ensure (LL_TYPE_DRAW_PAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-draw-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, pad);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, brush_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, shipped_button);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, user_button);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, input_area);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, bars_area);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, input_caption);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, top_label);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, unsure_label);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, add_status);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, label_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlDrawView, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_strokes_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_undo_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_model_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_open_model_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_label_picked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);

  gtk_widget_class_set_css_name (widget_class, "drawview");
}

static void
ll_draw_view_init (LlDrawView *self)
{
  g_autoptr(GError) error = NULL;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->input_area, draw_input, self, NULL);
  gtk_drawing_area_set_draw_func (self->bars_area, draw_bars, self, NULL);
  ll_presentation_watch (GTK_WIDGET (self), apply_presentation);
  /* The pad's range, measured for MNIST-like strokes (ll-draw-pad.h). */
  gtk_adjustment_configure (self->brush_adjustment, LL_DRAW_PAD_BRUSH_DEFAULT,
                            LL_DRAW_PAD_BRUSH_MIN, LL_DRAW_PAD_BRUSH_MAX,
                            gtk_adjustment_get_step_increment (self->brush_adjustment),
                            gtk_adjustment_get_page_increment (self->brush_adjustment), 0);
  g_signal_connect_object (self->brush_adjustment, "value-changed",
                           G_CALLBACK (on_brush_changed), self, 0);
  ll_draw_pad_set_brush_size (self->pad, gtk_adjustment_get_value (self->brush_adjustment));
  self->input_shape = ll_shape_image (DIGIT_SIDE, DIGIT_SIDE, 1);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->default_model = ll_draw_view_load_default_model (&error);
  if (self->default_model == NULL)
    self->default_error = g_strdup (error->message);
  else
    warm_up (self->default_model);

  if (g_strcmp0 (g_getenv ("LL_DRAW_DEMO"), "1") == 0)
    draw_demo_digit (self);
  schedule_prediction (self);
}

GtkWidget *
ll_draw_view_new (void)
{
  return g_object_new (LL_TYPE_DRAW_VIEW, NULL);
}

void
ll_draw_view_set_user_model_for_dataset (LlDrawView *self, LlModel *model, const char *dataset)
{
  g_return_if_fail (LL_IS_DRAW_VIEW (self));

  g_clear_pointer (&self->user_model, ll_model_free);
  g_clear_pointer (&self->user_dataset, g_free);
  self->user_model = model;
  self->user_dataset = g_strdup (dataset);
  if (model != NULL)
    warm_up (model);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_button), model != NULL);
  if (model == NULL)
    gtk_toggle_button_set_active (self->shipped_button, TRUE);
  on_model_toggled (self);
}

void
ll_draw_view_set_user_model (LlDrawView *self, LlModel *model)
{
  ll_draw_view_set_user_model_for_dataset (self, model, NULL);
}

gboolean
ll_draw_view_undo_stroke (LlDrawView *self)
{
  g_return_val_if_fail (LL_IS_DRAW_VIEW (self), FALSE);
  return ll_draw_pad_undo (self->pad);
}

int
ll_draw_view_get_prediction (LlDrawView *self, float *probability)
{
  int best;

  g_return_val_if_fail (LL_IS_DRAW_VIEW (self), -1);
  if (!self->have_probs || self->n_classes == 0)
    {
      if (probability != NULL)
        *probability = 0;
      return -1;
    }
  best = top_class (self);
  if (probability != NULL)
    *probability = self->probs[best];
  return best;
}
