/* ll-network-diagram.c: the layer stack drawn left to right with Cairo.
 *
 * Image tensors (H × W × C) are drawn as a deck of feature maps whose face
 * grows with H × W and whose depth grows with C; vectors are bars whose
 * height grows with their length.  Sizes are logarithmic so that a
 * 784-vector and a 10-vector both stay readable.  Colours are the
 * Okabe–Ito palette, safe for colour-blind viewers. */
#include "ll-network-diagram.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ll-a11y.h"
#include "ll-palette.h"
#include "ll-presentation.h"

struct _LlNetworkDiagram
{
  GtkWidget parent_instance;

  LlDocument *document;
  gulong changed_id;
  int selected;
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlNetworkDiagram, ll_network_diagram, GTK_TYPE_WIDGET)


static void
set_rgb (cairo_t *cr, LlRgb c)
{
  cairo_set_source_rgb (cr, c.r, c.g, c.b);
}

static LlRgb
layer_colour (const char *type_name)
{
  if (strcmp (type_name, "Input") == 0)
    return ll_palette_color (LL_PALETTE_SKY);
  if (strstr (type_name, "Conv") != NULL)
    return ll_palette_color (LL_PALETTE_ORANGE);
  if (strstr (type_name, "Pooling") != NULL)
    return ll_palette_color (LL_PALETTE_GREEN);
  if (strcmp (type_name, "Dense") == 0)
    return ll_palette_color (LL_PALETTE_BLUE);
  if (strcmp (type_name, "BatchNormalization") == 0)
    return ll_palette_color (LL_PALETTE_PURPLE);
  if (strcmp (type_name, "Dropout") == 0)
    return ll_palette_color (LL_PALETTE_YELLOW);
  return ll_palette_color (LL_PALETTE_VERMILLION);
}

/* Geometry of one block in diagram units (before fitting to the width). */
typedef struct {
  gboolean known;
  gboolean image;
  double face_w, face_h;     /* front face */
  double depth;              /* diagonal offset of the deck, images only */
  double width;              /* horizontal room the block takes */
} Block;

#define BLOCK_GAP 34.0
#define LABEL_ROOM 46.0
#define BLOCK_TOP 16.0             /* the blocks live in [BLOCK_TOP, BLOCK_TOP + BLOCK_H] */
#define BLOCK_H 170.0

static double
log_size (double n, double k, double lo, double hi)
{
  return CLAMP (k * log2 (n + 1.0), lo, hi);
}

static Block
block_for_shape (const LlShape *s)
{
  Block b = { TRUE, FALSE, 0, 0, 0, 0 };

  if (s->rank == 3)
    {
      b.image = TRUE;
      b.face_h = log_size (s->d[0], 19.0, 14.0, 120.0);
      b.face_w = log_size (s->d[1], 19.0, 14.0, 120.0);
      b.depth = log_size (s->d[2], 5.0, 3.0, 40.0);
      b.width = b.face_w + b.depth;
    }
  else
    {
      b.face_w = 12.0;
      b.face_h = log_size (ll_shape_size (s), 15.0, 12.0, BLOCK_H - 10.0);
      b.width = b.face_w;
    }
  b.width = MAX (b.width, 56.0);   /* room for the labels */
  return b;
}

static void
draw_box (cairo_t *cr, double x, double y, double w, double h, LlRgb c, double alpha, double line)
{
  cairo_rectangle (cr, x, y, w, h);
  cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.85);
  cairo_set_line_width (cr, line);
  cairo_stroke (cr);
}

static void
draw_text (LlNetworkDiagram *self, cairo_t *cr, const char *text, double cx, double y,
           gboolean bold, GdkRGBA *fg, double max_w)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  int w, h;

  if (bold)
    pango_layout_set_markup (layout, text, -1);
  else
    pango_layout_set_text (layout, text, -1);
  /* A long type name ("MaxPooling2D") under a thin block: smaller type
   * reads better than "MaxPooli…"; ellipsize only what still does not fit. */
  pango_layout_get_pixel_size (layout, &w, &h);
  if (max_w > 0 && w > max_w)
    {
      PangoAttrList *old = pango_layout_get_attributes (layout);
      PangoAttrList *attrs = old != NULL ? pango_attr_list_copy (old) : pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (MAX (0.7, max_w / w)));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, cx - max_w / 2.0, y);
  gdk_cairo_set_source_rgba (cr, fg);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static double
diagram_height (double scale)
{
  return BLOCK_TOP + BLOCK_H + 8.0 + LABEL_ROOM * scale;
}

/* Labels never shrink below 10 px, however many layers (CIFAR-10's 27):
 * below that the diagram keeps this zoom and scrolls sideways instead. */
#define MIN_LABEL_PX 10.0

static double
min_fit (GtkWidget *widget)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, "Ag");
  int w, h;
  double font_px;

  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  font_px = MAX (1.0, h / 1.2);
  /* draw_text may scale a long name to 0.7 of the font. */
  return MIN_LABEL_PX / (font_px * 0.7);
}

/* The diagram's width in its own units. */
static double
diagram_total (LlNetworkDiagram *self)
{
  const LlArch *arch;
  double total = 0;
  int n;

  if (self->document == NULL)
    return 0;
  arch = ll_document_get_arch (self->document);
  n = ll_arch_n_layers (arch);
  for (int i = 0; i < n; i++)
    {
      LlShape s;
      Block b = ll_document_get_layer_shape (self->document, i, &s) ? block_for_shape (&s)
                                                                   : (Block) { FALSE, FALSE, 40, 40, 0, 56 };
      total += b.width + (i > 0 ? BLOCK_GAP : 0);
    }
  return total;
}

/* "9 layers: Input 28×28×1, Conv2D 26×26×32, …, Dense 10". */
static void
describe (LlNetworkDiagram *self)
{
  const LlArch *arch = self->document != NULL ? ll_document_get_arch (self->document) : NULL;
  int n = arch != NULL ? ll_arch_n_layers (arch) : 0;
  int bad = self->document != NULL ? ll_document_get_bad_layer (self->document) : -1;
  GString *text = g_string_new (NULL);

  g_string_printf (text, ngettext ("%d layer: ", "%d layers: ", n), n);
  for (int i = 0; i < n; i++)
    {
      LlShape s;

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", ll_arch_layer (arch, i)->type->name);
      if (ll_document_get_layer_shape (self->document, i, &s))
        for (int d = 0; d < s.rank; d++)
          g_string_append_printf (text, d ? "×%d" : " %d", s.d[d]);
      if (i == bad)
        g_string_append_printf (text, " (%s)", _("invalid"));
    }
  if (n == 0)
    g_string_assign (text, _("No layers"));
  ll_a11y_describe (GTK_WIDGET (self), "%s", text->str);
  g_string_free (text, TRUE);
}

static void
ll_network_diagram_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LlNetworkDiagram *self = LL_NETWORK_DIAGRAM (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double scale = ll_presentation_scale (widget);
  double line = 1.0 * scale;
  const LlArch *arch;
  g_autofree Block *blocks = NULL;
  double total = 0, fit, x, base;
  int n, bad;
  GdkRGBA fg;
  cairo_t *cr;

  if (self->document == NULL || width <= 0 || height <= 0)
    return;

  arch = ll_document_get_arch (self->document);
  n = ll_arch_n_layers (arch);
  bad = ll_document_get_bad_layer (self->document);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (n == 0)
    return;

  blocks = g_new0 (Block, n);
  for (int i = 0; i < n; i++)
    {
      LlShape s;
      if (ll_document_get_layer_shape (self->document, i, &s))
        blocks[i] = block_for_shape (&s);
      else
        blocks[i] = (Block) { FALSE, FALSE, 40, 40, 0, 56 };
      total += blocks[i].width + (i > 0 ? BLOCK_GAP : 0);
    }

  /* Fill the space, up to 1.5×, keeping the proportions between blocks. */
  fit = MIN (1.5, (width - 24.0) / total);
  fit = MIN (fit, height / diagram_height (scale));
  fit = MAX (fit, min_fit (widget));
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_translate (cr, MAX (12.0, (width - total * fit) / 2.0),
                   MAX (0.0, (height - diagram_height (scale) * fit) / 2.0));
  cairo_scale (cr, fit, fit);

  base = BLOCK_TOP + BLOCK_H / 2.0;   /* vertical centre line of the blocks */
  x = 0;
  for (int i = 0; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      const Block *b = &blocks[i];
      LlRgb c = layer_colour (spec->type->name);
      double bx = x + (b->width - (b->face_w + b->depth)) / 2.0;
      double by = base - b->face_h / 2.0 + b->depth / 2.0;
      gboolean faded = bad >= 0 && i > bad;
      g_autofree char *title = NULL;
      g_autofree char *shape_text = NULL;
      LlShape s;

      if (i > 0)
        {
          /* Arrow from the previous block. */
          double ax0 = x - BLOCK_GAP + 4, ax1 = x - 4;
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
          cairo_set_line_width (cr, 1.5 * line);
          cairo_move_to (cr, ax0, base);
          cairo_line_to (cr, ax1, base);
          cairo_stroke (cr);
          cairo_move_to (cr, ax1, base);
          cairo_line_to (cr, ax1 - 6, base - 4);
          cairo_line_to (cr, ax1 - 6, base + 4);
          cairo_close_path (cr);
          cairo_fill (cr);
        }

      if (i == self->selected)
        {
          LlRgb sky = ll_palette_color (LL_PALETTE_SKY);

          cairo_set_source_rgba (cr, sky.r, sky.g, sky.b, 0.25);
          cairo_rectangle (cr, x - 8, BLOCK_TOP - 8, b->width + 16, BLOCK_H + 16 + LABEL_ROOM * scale);
          cairo_fill (cr);
        }

      if (!b->known)
        {
          /* Unknown shape: a dashed outline with a question mark. */
          double dash[] = { 4.0 * line, 3.0 * line };
          cairo_set_dash (cr, dash, 2, 0);
          cairo_rectangle (cr, bx, base - 20, 40, 40);
          if (i == bad)
            set_rgb (cr, ll_palette_color (LL_PALETTE_VERMILLION));
          else
            cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.5);
          cairo_set_line_width (cr, (i == bad ? 3.0 : 1.5) * line);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          draw_text (self, cr, i == bad ? "<b>!</b>" : "?", bx + 20, base - 10, TRUE, &fg, 40);
        }
      else if (b->image)
        {
          /* A deck: a few maps offset along the diagonal, the front last. */
          int n_maps = CLAMP ((int) (b->depth / 5.0) + 1, 1, 6);
          for (int m = n_maps - 1; m >= 0; m--)
            {
              double off = n_maps > 1 ? b->depth * m / (n_maps - 1) : 0;
              draw_box (cr, bx + off, by - off, b->face_w, b->face_h, c,
                        faded ? 0.25 : (m == 0 ? 0.95 : 0.7), line);
            }
        }
      else
        draw_box (cr, x + (b->width - b->face_w) / 2.0, base - b->face_h / 2.0,
                  b->face_w, b->face_h, c, faded ? 0.25 : 0.95, line);

      if (i == bad && b->known)
        {
          set_rgb (cr, ll_palette_color (LL_PALETTE_VERMILLION));
          cairo_set_line_width (cr, 3.0 * line);
          cairo_rectangle (cr, x - 4, BLOCK_TOP - 4, b->width + 8, BLOCK_H + 8);
          cairo_stroke (cr);
        }

      title = spec->name[0] != '\0'
        ? g_markup_printf_escaped ("<b>%s</b> %s", spec->name, spec->type->name)
        : g_markup_printf_escaped ("<b>%s</b>", spec->type->name);
      draw_text (self, cr, title, x + b->width / 2.0, BLOCK_TOP + BLOCK_H + 8.0, TRUE, &fg,
                 b->width + BLOCK_GAP - 4);
      if (ll_document_get_layer_shape (self->document, i, &s))
        {
          GString *str = g_string_new (NULL);
          for (int d = 0; d < s.rank; d++)
            g_string_append_printf (str, d ? "×%d" : "%d", s.d[d]);
          shape_text = g_string_free (str, FALSE);
        }
      else
        shape_text = g_strdup ("?");
      draw_text (self, cr, shape_text, x + b->width / 2.0,
                 BLOCK_TOP + BLOCK_H + 8.0 + 20.0 * scale, FALSE, &fg, b->width + BLOCK_GAP - 4);

      x += b->width + BLOCK_GAP;
    }
  cairo_destroy (cr);
}

static void
ll_network_diagram_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  double scale = ll_presentation_scale (widget);

  LlNetworkDiagram *self = LL_NETWORK_DIAGRAM (widget);
  double zoom = min_fit (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* In a scrolled window the diagram takes the width its labels need. */
      gboolean scrolls = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW) != NULL;

      *minimum = scrolls ? MAX (200, (int) ceil (diagram_total (self) * zoom + 24.0)) : 200;
      *natural = MAX (*minimum, 600);
    }
  else
    {
      *minimum = (int) ceil (diagram_height (scale) * zoom);
      *natural = MAX (*minimum, (int) diagram_height (scale));
    }
}

static void
on_document_changed (LlNetworkDiagram *self)
{
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  describe (self);
}

static void
ll_network_diagram_dispose (GObject *object)
{
  LlNetworkDiagram *self = LL_NETWORK_DIAGRAM (object);

  if (self->document != NULL)
    g_clear_signal_handler (&self->changed_id, self->document);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (ll_network_diagram_parent_class)->dispose (object);
}

static void
ll_network_diagram_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlNetworkDiagram *self = LL_NETWORK_DIAGRAM (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_network_diagram_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlNetworkDiagram *self = LL_NETWORK_DIAGRAM (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      ll_network_diagram_set_document (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_network_diagram_class_init (LlNetworkDiagramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_network_diagram_dispose;
  object_class->get_property = ll_network_diagram_get_property;
  object_class->set_property = ll_network_diagram_set_property;
  widget_class->snapshot = ll_network_diagram_snapshot;
  widget_class->measure = ll_network_diagram_measure;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, LL_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "networkdiagram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ll_network_diagram_init (LlNetworkDiagram *self)
{
  self->selected = -1;
}

GtkWidget *
ll_network_diagram_new (void)
{
  return g_object_new (LL_TYPE_NETWORK_DIAGRAM, NULL);
}

void
ll_network_diagram_set_document (LlNetworkDiagram *self, LlDocument *document)
{
  g_return_if_fail (LL_IS_NETWORK_DIAGRAM (self));
  g_return_if_fail (document == NULL || LL_IS_DOCUMENT (document));

  if (self->document == document)
    return;
  if (self->document != NULL)
    g_clear_signal_handler (&self->changed_id, self->document);
  g_set_object (&self->document, document);
  if (document != NULL)
    self->changed_id = g_signal_connect_swapped (document, "changed",
                                                 G_CALLBACK (on_document_changed), self);
  on_document_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

LlDocument *
ll_network_diagram_get_document (LlNetworkDiagram *self)
{
  g_return_val_if_fail (LL_IS_NETWORK_DIAGRAM (self), NULL);
  return self->document;
}

void
ll_network_diagram_set_selected (LlNetworkDiagram *self, int layer)
{
  g_return_if_fail (LL_IS_NETWORK_DIAGRAM (self));
  if (self->selected == layer)
    return;
  self->selected = layer;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
