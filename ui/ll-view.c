/* ll-view.c: what every view shares: the document and its one child. */
#include "ll-view.h"
#include "layerlab-resources.h"
#include "ll-keep-words.h"

typedef struct
{
  LlDocument *document;
} LlViewPrivate;

enum {
  PROP_0,
  PROP_DOCUMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (LlView, ll_view, GTK_TYPE_WIDGET)

void
ll_ui_ensure_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      layerlab_register_resource ();
      ll_keep_words_install ();   /* Korean words stay whole in wrapped labels */
      g_once_init_leave (&done, 1);
    }
}

LlDocument *
ll_view_get_document (LlView *self)
{
  LlViewPrivate *priv = ll_view_get_instance_private (self);

  g_return_val_if_fail (LL_IS_VIEW (self), NULL);
  return priv->document;
}

static void
on_document_changed (LlView *self)
{
  LlViewClass *klass = LL_VIEW_GET_CLASS (self);

  if (klass->document_changed != NULL)
    klass->document_changed (self);
}

void
ll_view_set_document (LlView *self, LlDocument *document)
{
  LlViewPrivate *priv = ll_view_get_instance_private (self);
  LlViewClass *klass;
  g_autoptr(LlDocument) old = NULL;

  g_return_if_fail (LL_IS_VIEW (self));
  g_return_if_fail (document == NULL || LL_IS_DOCUMENT (document));

  if (priv->document == document)
    return;
  klass = LL_VIEW_GET_CLASS (self);
  old = g_steal_pointer (&priv->document);
  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  if (document != NULL)
    {
      priv->document = g_object_ref (document);
      g_signal_connect_swapped (document, "changed", G_CALLBACK (on_document_changed), self);
    }
  if (klass->document_set != NULL)
    klass->document_set (self, old);
  if (document != NULL)
    on_document_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

static void
ll_view_dispose (GObject *object)
{
  LlView *self = LL_VIEW (object);
  LlViewPrivate *priv = ll_view_get_instance_private (self);
  GtkWidget *child;

  /* No vfunc here: the subclass has disposed its widgets already. */
  if (priv->document != NULL)
    g_signal_handlers_disconnect_by_data (priv->document, self);
  g_clear_object (&priv->document);
  /* What the subclass's gtk_widget_dispose_template () left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ll_view_parent_class)->dispose (object);
}

static void
ll_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlView *self = LL_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, ll_view_get_document (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlView *self = LL_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      ll_view_set_document (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_view_class_init (LlViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ll_ui_ensure_resources ();

  object_class->dispose = ll_view_dispose;
  object_class->get_property = ll_view_get_property;
  object_class->set_property = ll_view_set_property;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, "The model being edited", LL_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ll_view_init (LlView *self)
{
}
