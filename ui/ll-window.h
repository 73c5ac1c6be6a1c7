/* ll-window.h: the main window: header bar with the view switcher, the
 * views of the view table (ll-views.h) sharing one LlDocument, file
 * actions, presentation mode and the light/dark style. */
#pragma once

#include <adwaita.h>

#include "ll-document.h"
#include "ll-lesson-panel.h"

G_BEGIN_DECLS

#define LL_TYPE_WINDOW (ll_window_get_type ())
G_DECLARE_FINAL_TYPE (LlWindow, ll_window, LL, WINDOW, AdwApplicationWindow)

/* document may be NULL: the window then starts with the default preset. */
LlWindow   *ll_window_new              (GtkApplication *application, LlDocument *document);
LlDocument *ll_window_get_document     (LlWindow *self);

/* Views by name, as in the view table (ll-views.h). */
void        ll_window_set_view         (LlWindow *self, const char *name);
const char *ll_window_get_view         (LlWindow *self);
GtkWidget  *ll_window_get_view_widget  (LlWindow *self, const char *name);

/* Opens a model file into the window's document (no unsaved-changes
 * prompt: the caller decides), recording it in the recent files. */
gboolean    ll_window_open_path        (LlWindow *self, const char *path, GError **error);
/* The same with the file read on a worker thread (a Keras file in a child
 * process with a time limit): the window stays responsive meanwhile, with
 * a busy cursor and, after a moment, a "Reading" notice; an error is shown
 * in a dialog and leaves the model as it was.  File › Open, recent files,
 * dropped files and window.open-file open files this way. */
void        ll_window_open_file        (LlWindow *self, const char *path);
/* TRUE while a file opened with ll_window_open_file is being read. */
gboolean    ll_window_get_opening      (LlWindow *self);

/* Exports the document's model (trained weights as they are now):
 * format "c" writes path (a .c file) and the .h beside it, the prefix
 * being the file's base name; "keras" and "pytorch" write the script at
 * path with its weights beside it; "onnx" writes the ONNX model at path.
 * The win.export-* actions ask for the path and call this. */
gboolean    ll_window_export_to_path   (LlWindow *self, const char *format, const char *path,
                                        GError **error);

/* Lessons (docs/lessons.md): opens a lesson file or a built-in id in the
 * lesson panel, checked against the window first. */
gboolean       ll_window_open_lesson      (LlWindow *self, const char *path_or_id, GError **error);
LlLessonPanel *ll_window_get_lesson_panel (LlWindow *self);
/* Checks what an action's parameter names (the view of window.show-view,
 * the preset of window.load-preset, the data set, the settings, the
 * layers, the Inspect page, the file): FALSE with an error when it does
 * not exist.  Other actions pass. */
gboolean       ll_window_check_action_target (LlWindow *self, const char *action, GVariant *param,
                                              GError **error);

/* Presentation mode: the window gets the CSS class "presentation"
 * (larger text through style.css) and plots scale their lines and text
 * (ll-presentation.h).  Toggled by F5. */
void        ll_window_set_presentation (LlWindow *self, gboolean presentation);
gboolean    ll_window_get_presentation (LlWindow *self);
/* Whether presentation mode also makes the window fullscreen (TRUE, the
 * default); --screenshot and the fit tests turn it off to keep the size
 * they were given, as if the screen were that size. */
/* F6 (Shift+F6 backward): focus the next pane: the header bar, then the
 * visible view's side panels and main area in order. */
void        ll_window_cycle_panes      (LlWindow *self, gboolean backward);
void        ll_window_set_fullscreen_presentation (LlWindow *self, gboolean fullscreen);

G_END_DECLS
