/* ll-lesson-panel.h: the window's lesson panel (docs/lessons.md): the
 * steps of a lesson as cards with Back and Next and the progress; each
 * step's setup run through the window's and views' actions, its control
 * highlighted, its condition waited for (ll-lesson-watch.h) with the
 * training progress shown; the teacher's recording, classroom lock and
 * save.  Part of the window, like the header bar: it reaches the views
 * through the window (ll-window.h). */
#pragma once

#include <adwaita.h>

#include "ll-document.h"
#include "ll-lesson.h"

G_BEGIN_DECLS

#define LL_TYPE_LESSON_PANEL (ll_lesson_panel_get_type ())
G_DECLARE_FINAL_TYPE (LlLessonPanel, ll_lesson_panel, LL, LESSON_PANEL, GtkWidget)

GtkWidget     *ll_lesson_panel_new          (void);
void           ll_lesson_panel_set_document (LlLessonPanel *self, LlDocument *document);

/* Shows lesson (transfer full) at step (clamped), running that step's
 * setup when run_setup.  source is what resumes it after a restart: a
 * file's path or "builtin:ID" (NULL: a lesson not saved yet). */
void           ll_lesson_panel_set_lesson   (LlLessonPanel *self, LlLesson *lesson,
                                             const char *source, int step, gboolean run_setup);
/* Opens a lesson file or a built-in id, checked against the window first:
 * a lesson that names an action, view, preset, setting or control that
 * does not exist is refused with the error, and nothing changes. */
gboolean       ll_lesson_panel_open         (LlLessonPanel *self, const char *path_or_id,
                                             GError **error);
void           ll_lesson_panel_close        (LlLessonPanel *self);
LlLesson      *ll_lesson_panel_get_lesson   (LlLessonPanel *self);   /* NULL when none */
int            ll_lesson_panel_get_step     (LlLessonPanel *self);
/* Shows step i and runs its setup (Next and Back do this). */
void           ll_lesson_panel_go           (LlLessonPanel *self, int step);
/* TRUE when the current step has no condition or it was met. */
gboolean       ll_lesson_panel_get_ready    (LlLessonPanel *self);

/* Checks every action (and its target), view, preset, data set, setting,
 * control and condition the lesson names against window (an LlWindow):
 * FALSE with an error naming the step and what is missing. */
gboolean       ll_lesson_panel_validate     (GtkWidget *window, const LlLesson *lesson,
                                             GError **error);
/* The window's control named name (widget name or buildable id), or NULL. */
GtkWidget     *ll_lesson_panel_find_control (GtkWidget *window, const char *name);
/* Activates "group.name" with target as a menu item would. */
gboolean       ll_lesson_panel_activate     (GtkWidget *window, const char *action,
                                             JsonNode *target, GError **error);

/* Teachers: a step from the window's state now (layers, data set,
 * training settings, view), appended after the current one and shown for
 * its text to be written; a new lesson when none is open. */
void           ll_lesson_panel_add_step     (LlLessonPanel *self);
gboolean       ll_lesson_panel_save_to      (LlLessonPanel *self, const char *path, GError **error);
/* The classroom lock: hides the lesson's locked controls, or shows them. */
void           ll_lesson_panel_set_locked   (LlLessonPanel *self, gboolean locked);
gboolean       ll_lesson_panel_get_locked   (LlLessonPanel *self);

/* The model's parameters (trainable and not), 0 when it does not build:
 * what a step's "expect" "params" states. */
gint64         ll_lesson_panel_count_params (LlDocument *document);

/* A test setting: training steps train at most this many epochs (0: as
 * the lesson says). */
void           ll_lesson_panel_set_epoch_limit (LlLessonPanel *self, int epochs);

G_END_DECLS
