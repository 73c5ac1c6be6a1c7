/* ll-presentation.c: presentation mode read from the widget's window. */
#include "ll-presentation.h"

gboolean
ll_presentation_active (GtkWidget *widget)
{
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  root = gtk_widget_get_root (widget);
  return root != NULL && gtk_widget_has_css_class (GTK_WIDGET (root), "presentation");
}

double
ll_presentation_scale (GtkWidget *widget)
{
  return ll_presentation_active (widget) ? LL_PRESENTATION_LINE_SCALE : 1.0;
}

double
ll_presentation_text_scale (GtkWidget *widget)
{
  return ll_presentation_active (widget) ? LL_PRESENTATION_TEXT_SCALE : 1.0;
}

typedef void (*PresentationFunc) (GtkWidget *widget);

static void
on_watch_map (GtkWidget *widget, gpointer apply)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (root != NULL && g_object_get_data (G_OBJECT (widget), "ll-presentation-window") != root
      && g_object_class_find_property (G_OBJECT_GET_CLASS (root), "presentation") != NULL)
    {
      g_signal_connect_object (root, "notify::presentation", G_CALLBACK (apply), widget,
                               G_CONNECT_SWAPPED);
      g_object_set_data (G_OBJECT (widget), "ll-presentation-window", root);
    }
  ((PresentationFunc) apply) (widget);
}

/* A view that is not on screen (another page of the window's stack) still
 * counts in the window's minimum size, so it follows presentation mode from
 * the moment it is in a window, not only once shown. */
static void
on_watch_root (GtkWidget *widget, GParamSpec *pspec, gpointer apply)
{
  if (gtk_widget_get_root (widget) != NULL)
    on_watch_map (widget, apply);
}

void
ll_presentation_watch (GtkWidget *widget, void (*apply) (GtkWidget *widget))
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_signal_connect (widget, "map", G_CALLBACK (on_watch_map), (gpointer) apply);
  g_signal_connect (widget, "notify::root", G_CALLBACK (on_watch_root), (gpointer) apply);
}
