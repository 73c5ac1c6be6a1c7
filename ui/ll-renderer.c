/* ll-renderer.c: GTK's renderer chosen before the first window. */
#include "ll-renderer.h"

#include <epoxy/gl.h>
#include <string.h>


/* GTK draws with OpenGL when it can.  Where OpenGL itself is drawn by the
 * CPU (Mesa's llvmpipe: machines and VMs without a GPU driver, Xvfb), that
 * costs more than GTK's Cairo renderer for views like ours, all Cairo
 * drawings and images: with GL on llvmpipe, 27 % of the Train view's
 * frames took over 33 ms while the MNIST CNN trained, under 0.5 % with
 * Cairo, and training in the window ran at 49–67 % of headless speed
 * instead of 87–94 % (tests/bench-train-ui, 2 cores).  A GSK_RENDERER the
 * user set wins. */
void
ll_choose_renderer (GdkDisplay *display)
{
  g_autoptr(GdkGLContext) context = NULL;
  const char *name;

  if (display == NULL || g_getenv ("GSK_RENDERER") != NULL)
    return;
  context = gdk_display_create_gl_context (display, NULL);
  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    return;                     /* no OpenGL: GTK uses Cairo by itself */
  gdk_gl_context_make_current (context);
  name = (const char *) glGetString (GL_RENDERER);
  if (name != NULL && (strstr (name, "llvmpipe") != NULL || strstr (name, "softpipe") != NULL
                       || strstr (name, "SWR") != NULL))
    g_setenv ("GSK_RENDERER", "cairo", FALSE);
  gdk_gl_context_clear_current ();
}

