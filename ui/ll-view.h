/* ll-view.h: the base class of the window's views.  A view shows the
 * window's LlDocument: the base holds the "document" property, connects
 * the document's "changed" signal to the view's document_changed vfunc,
 * and lays out its one child (a template's top-level <child>). */
#pragma once

#include <adwaita.h>

#include "ll-document.h"

G_BEGIN_DECLS

#define LL_TYPE_VIEW (ll_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (LlView, ll_view, LL, VIEW, GtkWidget)

struct _LlViewClass
{
  GtkWidgetClass parent_class;

  /* The document was replaced (old may be NULL; the new one is
   * ll_view_get_document () and may be NULL): connect to its other
   * signals here.  Handlers connected with the view as data are
   * disconnected by the base when the document goes. */
  void (*document_set)     (LlView *self, LlDocument *old_document);
  /* The document changed (an edit, undo, open or preset), and once after
   * document_set with a non-NULL document. */
  void (*document_changed) (LlView *self);

  gpointer padding[6];
};

LlDocument *ll_view_get_document (LlView *self);
void        ll_view_set_document (LlView *self, LlDocument *document);

/* Registers the UI's GResource (templates, CSS, icons) once, before the
 * first template is read; every view and the window call it from
 * class_init, so that tests can create a single view. */
void        ll_ui_ensure_resources (void);

G_END_DECLS
