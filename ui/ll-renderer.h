/* ll-renderer.h: which GTK renderer draws Layerlab's windows. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Before the first window: Cairo rather than OpenGL when OpenGL is drawn
 * in software.  Sets GSK_RENDERER unless the user did. */
void ll_choose_renderer (GdkDisplay *display);

G_END_DECLS
