/* ll-lesson-watch.h: waits for a lesson step's condition to go on
 * (ll-lesson.h), observing the document and its training run through
 * their signals and properties: "notify::training-job" and the job's
 * "progress", "epoch" and "finished"; "drawn-input-changed";
 * "unit-explained".  A button press is a widget's: the lesson panel
 * reports it with ll_lesson_watch_satisfy ().  No GTK. */
#pragma once

#include "ll-document.h"
#include "ll-lesson.h"

G_BEGIN_DECLS

#define LL_TYPE_LESSON_WATCH (ll_lesson_watch_get_type ())
G_DECLARE_FINAL_TYPE (LlLessonWatch, ll_lesson_watch, LL, LESSON_WATCH, GObject)

/* Signals:
 *   "met" ()                         the condition was met (once)
 *   "progress" (double fraction)     a training run moved on: 0 … 1 */
LlLessonWatch *ll_lesson_watch_new          (LlDocument *document, const LlLessonCondition *condition);
gboolean       ll_lesson_watch_get_met      (LlLessonWatch *self);
/* The run's progress, -1 when no run is being watched. */
double         ll_lesson_watch_get_fraction (LlLessonWatch *self);
/* "Epoch 2/5 · accuracy 91.2 %": the latest figures, NULL when none. */
const char    *ll_lesson_watch_get_status   (LlLessonWatch *self);
/* Meets the condition (a button press, or a teacher who skips ahead). */
void           ll_lesson_watch_satisfy      (LlLessonWatch *self);

G_END_DECLS
