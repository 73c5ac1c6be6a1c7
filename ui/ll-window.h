/* ll-window.h: the main window: header bar with the view switcher, the
 * six views (Model, Train, Inspect, Optimizers, Draw, Data) sharing one
 * LlDocument, file actions, presentation mode and the light/dark style. */
#pragma once

#include <adwaita.h>

#include "ll-document.h"

G_BEGIN_DECLS

#define LL_TYPE_WINDOW (ll_window_get_type ())
G_DECLARE_FINAL_TYPE (LlWindow, ll_window, LL, WINDOW, AdwApplicationWindow)

/* document may be NULL: the window then starts with the default preset. */
LlWindow   *ll_window_new              (GtkApplication *application, LlDocument *document);
LlDocument *ll_window_get_document     (LlWindow *self);

/* Views by name: "model", "train", "inspect", "optimizers", "draw", "data". */
void        ll_window_set_view         (LlWindow *self, const char *name);
const char *ll_window_get_view         (LlWindow *self);
GtkWidget  *ll_window_get_view_widget  (LlWindow *self, const char *name);
extern const char *const ll_window_view_names[];   /* NULL-terminated */

/* Opens a model file into the window's document (no unsaved-changes
 * prompt: the caller decides), recording it in the recent files. */
gboolean    ll_window_open_path        (LlWindow *self, const char *path, GError **error);

/* Exports the document's model (trained weights as they are now):
 * format "c" writes path (a .c file) and the .h beside it, the prefix
 * being the file's base name; "keras" and "pytorch" write the script at
 * path with its weights beside it; "onnx" writes the ONNX model at path.
 * The win.export-* actions ask for the path and call this. */
gboolean    ll_window_export_to_path   (LlWindow *self, const char *format, const char *path,
                                        GError **error);

/* Presentation mode: the window gets the CSS class "presentation"
 * (larger text through style.css) and plots scale their lines by
 * ll_presentation_scale().  Toggled by F5. */
void        ll_window_set_presentation (LlWindow *self, gboolean presentation);
gboolean    ll_window_get_presentation (LlWindow *self);

/* For plot widgets: 1.0, or the line-width factor in presentation mode.
 * The window redraws every widget when the mode changes. */
double      ll_presentation_scale      (GtkWidget *widget);
/* The folder searched first for the data sets, the same for every view:
 * LL_DATA_DIR (tests), else $LAYERLAB_DATA_DIR, else the data folder the
 * user chose (settings' data-dir; with settings NULL, the application's
 * when its schema is installed), else
 * LL_SHARED_DATA (tests and demos from the source tree).  NULL: only the
 * standard places. */
char       *ll_dup_data_dir            (GSettings *settings);
/* Before the first window: Cairo rather than OpenGL when OpenGL is drawn
 * in software.  Sets GSK_RENDERER unless the user did. */
void        ll_choose_renderer         (GdkDisplay *display);
/* Calls apply (widget) each time the widget is mapped and whenever its
 * window enters or leaves presentation mode: for sizes set in code. */
void        ll_presentation_watch      (GtkWidget *widget, void (*apply) (GtkWidget *widget));

G_END_DECLS
