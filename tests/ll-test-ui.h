/* ll-test-ui.h: small helpers of the UI tests that walk whole windows
 * (test-fit, test-a11y). */
#pragma once

#include <gtk/gtk.h>

/* Runs the main loop for ms milliseconds: animations, idles, layout. */
static inline void
ll_test_iterate_for (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* The first widget of that type name below root (root included), or NULL. */
static inline GtkWidget *
ll_test_find_type (GtkWidget *root, const char *type)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ll_test_find_type (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}
