/* ll-presentation.h: presentation mode as widgets see it.  The window
 * that shows a widget carries the CSS class "presentation" (larger text
 * through style.css) and a boolean "presentation" property; plots drawn in
 * code ask here for their factors instead of knowing the window. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LL_PRESENTATION_LINE_SCALE 2.0   /* line widths and markers */
#define LL_PRESENTATION_TEXT_SCALE 1.7   /* text drawn in code and its margins: 11 px chart text → 18.7 px, ≥ 18 px at the back of a room (style.css makes body text 150 %: 22 px) */

/* Whether the widget's window is in presentation mode. */
gboolean ll_presentation_active     (GtkWidget *widget);
/* 1.0, or LL_PRESENTATION_LINE_SCALE in presentation mode. */
double   ll_presentation_scale      (GtkWidget *widget);
/* 1.0, or LL_PRESENTATION_TEXT_SCALE in presentation mode. */
double   ll_presentation_text_scale (GtkWidget *widget);
/* Calls apply (widget) each time the widget is mapped and whenever its
 * window enters or leaves presentation mode: for sizes set in code. */
void     ll_presentation_watch      (GtkWidget *widget, void (*apply) (GtkWidget *widget));

G_END_DECLS
