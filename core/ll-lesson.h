/* ll-lesson.h: a lesson, the script a teacher follows in class: steps of
 * text in several languages, each with an optional setup (window and view
 * actions with their parameters), an optional control to highlight and an
 * optional condition to go on.  Read from and written to JSON through
 * ll-json (docs/lessons.md); no GTK here, so the command line, the lesson
 * panel and the tests share it.  The built-in lessons live in core's
 * GResource. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LL_LESSON_FORMAT "layerlab-lesson"
#define LL_LESSON_VERSION 1
/* Lessons are small: a file above this is refused before it is parsed. */
#define LL_LESSON_MAX_BYTES ((gsize) 1 << 20)
#define LL_LESSON_MAX_STEPS 200
#define LL_LESSON_RESOURCE_DIR "/io/github/layerlab/Layerlab/lessons"

/* A text in several languages: language code ("en", "ko", "pt_BR") → text. */
typedef GHashTable LlLessonText;

typedef enum {
  LL_LESSON_COND_NONE,              /* "Next" goes on */
  LL_LESSON_COND_TRAINING_STARTED,  /* a training run started */
  LL_LESSON_COND_TRAINING_FINISHED, /* a training run ended without error */
  LL_LESSON_COND_METRIC,            /* an epoch's (or the test set's) metric past a value */
  LL_LESSON_COND_DIGIT_DRAWN,       /* a digit drawn in the Draw view */
  LL_LESSON_COND_UNIT_CLICKED,      /* a unit clicked for its arithmetic (Inspect) */
  LL_LESSON_COND_BUTTON_PRESSED,    /* the named button clicked */
  LL_N_LESSON_CONDS
} LlLessonCondKind;

/* "training-finished", …: as the files name them, in enum order. */
extern const char *const ll_lesson_cond_names[];

typedef enum {
  LL_LESSON_METRIC_LOSS,
  LL_LESSON_METRIC_ACCURACY,
  LL_LESSON_METRIC_VAL_LOSS,
  LL_LESSON_METRIC_VAL_ACCURACY,
  LL_LESSON_METRIC_TEST_LOSS,
  LL_LESSON_METRIC_TEST_ACCURACY,
  LL_N_LESSON_METRICS
} LlLessonMetric;

extern const char *const ll_lesson_metric_names[];

typedef struct {
  LlLessonCondKind kind;
  LlLessonMetric metric;            /* METRIC */
  gboolean below;                   /* METRIC: go on when the value is below, else above */
  double value;                     /* METRIC */
  char *control;                    /* BUTTON_PRESSED: the button's name or buildable id */
} LlLessonCondition;

/* One action of a step's setup: "window.load-preset" with target "mlp-512-512". */
typedef struct {
  char *name;                       /* "group.action" */
  JsonNode *target;                 /* nullable: an action without a parameter */
} LlLessonAction;

/* What a step states, checked by the tests (and by `layerlab lessons --check`):
 * 0 / NULL when not stated. */
typedef struct {
  gint64 params;                    /* the model's total parameter count */
  char *view;                       /* the view shown */
  char *dataset;                    /* the document's data set */
} LlLessonExpect;

typedef struct {
  LlLessonText *title;              /* nullable */
  LlLessonText *text;
  GPtrArray *setup;                 /* of LlLessonAction */
  char *highlight;                  /* nullable: a control's name or buildable id */
  LlLessonCondition condition;
  LlLessonExpect expect;
} LlLessonStep;

typedef struct {
  char *id;                         /* "tutorial-000"; for a file, its base name */
  LlLessonText *title;
  LlLessonText *summary;            /* nullable */
  GStrv locked;                     /* controls hidden until the teacher unlocks; never NULL */
  GPtrArray *steps;                 /* of LlLessonStep */
} LlLesson;

LlLesson     *ll_lesson_new           (const char *id);
void          ll_lesson_free          (LlLesson *lesson);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlLesson, ll_lesson_free)

/* Reading: every member is checked (types, names of conditions and
 * metrics, version, at least one step, English text on every step); an
 * unknown member is refused, so a typo is not silently ignored.  Errors
 * are LL_ERROR_FORMAT (or LL_ERROR_IO / LL_ERROR_NOT_FOUND for a file)
 * naming the step and the member.  Action names and targets are checked
 * against the window by the lesson panel (ll_lesson_panel_validate). */
LlLesson     *ll_lesson_from_json     (JsonNode *root, const char *id, GError **error);
LlLesson     *ll_lesson_load          (const char *path, GError **error);
LlLesson     *ll_lesson_load_bytes    (GBytes *bytes, const char *id, GError **error);
/* A built-in lesson by id ("tutorial-000"), from core's GResource. */
LlLesson     *ll_lesson_load_builtin  (const char *id, GError **error);
/* The ids of the built-in lessons, sorted. */
GStrv         ll_lesson_list_builtin  (void);

/* Writing (pretty JSON, atomically). */
JsonNode     *ll_lesson_to_json       (const LlLesson *lesson);
gboolean      ll_lesson_save          (const LlLesson *lesson, const char *path, GError **error);

/* Texts. */
LlLessonText *ll_lesson_text_new      (void);
void          ll_lesson_text_set      (LlLessonText *text, const char *lang, const char *value);
/* The text in the first of languages (as g_get_language_names () gives
 * them: "ko_KR.UTF-8", "ko_KR", "ko", "C") that it has, else English,
 * else any.  languages NULL: g_get_language_names (). */
const char   *ll_lesson_text_pick     (LlLessonText *text, const char *const *languages);

/* Steps. */
LlLessonStep *ll_lesson_step_new      (void);
void          ll_lesson_step_add_action (LlLessonStep *step, const char *name, JsonNode *target);

/* The parameter of an action from a target: a string for "s", a number
 * for "i", "u", "x" or "d", a boolean for "b", an object or array as its
 * compact JSON text for "s"; NULL type: the action takes none.  An
 * LL_ERROR_FORMAT names what was expected.  (transfer floating) */
GVariant     *ll_lesson_target_to_variant (JsonNode *target, const GVariantType *type,
                                           GError **error);
/* "mlp-512-512", "3", "{\"epochs\": 2}": a target as a short text. */
char         *ll_lesson_target_to_string (JsonNode *target);

G_END_DECLS
