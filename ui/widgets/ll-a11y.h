/* ll-a11y.h: what a screen reader reads.  Pictures drawn in code state
 * what they show now through their accessible description; controls get
 * a name from what a sighted user reads beside them when none was given;
 * mnemonics are not read twice. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Sets the widget's accessible description (printf-style), only when it
 * changed: "Loss 0.23 at epoch 3 of 5, validation 0.25". */
void     ll_a11y_describe       (GtkWidget *widget, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Walks root's widgets: a control without a name is labelled by the
 * label before it, its preferences row's title or its tooltip's first
 * clause; a button with a mnemonic is named once ("Start", not
 * "_Start Start"); a drop-down's button reads the drop-down's name and
 * its choice; an activatable list row reads its first label.  Call again
 * after building widgets in code (the window does on each view change
 * and document change). */
void     ll_a11y_name_controls  (GtkWidget *root);

/* The name GTK 4.8 gives the widget's accessible: its label property and
 * the names of the widgets labelling it, joined by a space.  "" if none. */
char    *ll_a11y_dup_name       (GtkWidget *widget);
/* Its description, "" if none. */
char    *ll_a11y_dup_description (GtkWidget *widget);
/* Whether a user operates the widget (a button, a field, a slider, a
 * drop-down, a check box, an activatable row) and so needs a name. */
gboolean ll_a11y_is_control     (GtkWidget *widget);

G_END_DECLS
