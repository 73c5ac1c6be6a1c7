/* ll-views.h: the table of the window's views, in tab order.  The window
 * builds its pages from it, the application its Alt+N shortcuts,
 * `layerlab --screenshot VIEW` checks names against it, and the UI tests
 * walk it.  A new view is one row here (docs/architecture.md). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;            /* "model": page name, window.show-view, --screenshot */
  const char *title;           /* NC_("view", "Model"): the tab, translated when shown */
  const char *icon_name;
  const char *accel;           /* "<Alt>1" */
  GType (*get_type) (void);    /* an LlView subclass */
} LlViewInfo;

extern const LlViewInfo ll_views[];
extern const guint ll_n_views;

/* The row named name, or NULL. */
const LlViewInfo *ll_view_info_lookup (const char *name);
/* "model, train, …" for messages. (transfer full) */
char             *ll_view_names_joined (void);

G_END_DECLS
