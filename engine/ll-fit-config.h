/* ll-fit-config.h: the training settings (Keras' compile() and fit() with
 * their callbacks), described once as a table of fields that the
 * validation, the JSON of model files and run files, the Train form and
 * the run labels read.  The optimizer's part is ll-optim.h's tables.
 *
 * The JSON (docs/model-format.md, "training"):
 *   {"epochs": 5, …, "loss": "sparse_categorical_crossentropy",
 *    "optimizer": {"name": "adam", "learning_rate": 0.001, …},
 *    "schedule": {"name": "constant", …}, "early_stopping": {…},
 *    "model_checkpoint": {…}, "reduce_lr_on_plateau": {…}}
 * with names, never enum numbers; members that are absent keep the value
 * the caller initialised (ll_fit_config_init_keras: Keras 3's defaults). */
#pragma once

#include "ll-loss.h"
#include "ll-optim.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  LL_SCHEDULE_CONSTANT,
  LL_SCHEDULE_STEP,           /* lr · factor^floor(epoch / step_epochs) */
  LL_SCHEDULE_EXPONENTIAL,    /* lr · factor^epoch */
  LL_SCHEDULE_COSINE,         /* lr · (alpha + (1 − alpha)·(1 + cos(π·epoch/epochs))/2) */
  LL_N_SCHEDULES
} LlScheduleKind;

extern const char *const ll_schedule_names[];   /* "constant", "step", "exponential", "cosine" */

typedef enum {
  LL_MONITOR_VAL_LOSS,
  LL_MONITOR_VAL_ACCURACY,
  LL_MONITOR_LOSS,
  LL_MONITOR_ACCURACY,
  LL_N_MONITORS
} LlMonitor;

extern const char *const ll_monitor_names[];    /* "val_loss", "val_accuracy", "loss", "accuracy" */

typedef struct {
  LlScheduleKind kind;
  double factor;              /* step: 0.5, exponential: 0.95 */
  int step_epochs;            /* step: 10 */
  double alpha;               /* cosine: floor as a fraction of lr, 0 */
} LlSchedule;

typedef struct {
  gboolean enabled;
  LlMonitor monitor;
  double min_delta;           /* 0 */
  int patience;               /* 0 */
  gboolean restore_best_weights;
} LlEarlyStopping;

typedef struct {
  gboolean enabled;
  char *path;                 /* owned by the config */
  LlMonitor monitor;
  gboolean save_best_only;
  gboolean save_weights_only;
} LlCheckpoint;

typedef struct {
  gboolean enabled;
  LlMonitor monitor;
  double factor;              /* 0.1 */
  int patience;               /* 10 */
  double min_delta;           /* 1e-4 */
  double min_lr;              /* 0 */
} LlReduceLrOnPlateau;

typedef struct {
  int epochs;                 /* 1 */
  int batch_size;             /* 32 */
  gboolean shuffle;           /* TRUE */
  double validation_split;    /* 0: the last fraction of the training data, taken before shuffling */
  guint64 seed;               /* weights, shuffles and dropout masks */
  LlLossKind loss;
  LlOptimConfig optim;
  LlSchedule schedule;
  LlEarlyStopping early_stopping;
  LlCheckpoint checkpoint;
  LlReduceLrOnPlateau reduce_lr;
  int n_threads;              /* OpenBLAS threads; 0: leave as is */
} LlFitConfig;

/* The fields of the table, in the order of the JSON and the Train form. */
typedef enum {
  LL_FIT_EPOCHS,
  LL_FIT_BATCH_SIZE,
  LL_FIT_SHUFFLE,
  LL_FIT_VALIDATION_SPLIT,
  LL_FIT_SEED,
  LL_FIT_LOSS,
  LL_FIT_N_THREADS,
  LL_FIT_SCHEDULE,
  LL_FIT_SCHEDULE_FACTOR,
  LL_FIT_SCHEDULE_STEP_EPOCHS,
  LL_FIT_SCHEDULE_ALPHA,
  LL_FIT_ES_ENABLED,
  LL_FIT_ES_MONITOR,
  LL_FIT_ES_PATIENCE,
  LL_FIT_ES_MIN_DELTA,
  LL_FIT_ES_RESTORE_BEST_WEIGHTS,
  LL_FIT_CK_ENABLED,
  LL_FIT_CK_PATH,
  LL_FIT_CK_MONITOR,
  LL_FIT_CK_SAVE_BEST_ONLY,
  LL_FIT_CK_SAVE_WEIGHTS_ONLY,
  LL_FIT_RL_ENABLED,
  LL_FIT_RL_MONITOR,
  LL_FIT_RL_FACTOR,
  LL_FIT_RL_PATIENCE,
  LL_FIT_RL_MIN_DELTA,
  LL_FIT_RL_MIN_LR,
  LL_N_FIT_FIELDS
} LlFitField;

typedef enum {
  LL_FIT_TYPE_INT,            /* int */
  LL_FIT_TYPE_NUMBER,         /* double */
  LL_FIT_TYPE_FLAG,           /* gboolean */
  LL_FIT_TYPE_CHOICE,         /* an enum stored as int, written as one of choices */
  LL_FIT_TYPE_SEED,           /* guint64: a JSON number up to 2^53, a decimal string above */
  LL_FIT_TYPE_PATH,           /* char *, owned; "" is none */
} LlFitType;

typedef struct {
  const char *group;          /* JSON object holding it ("schedule"); NULL: the settings object */
  const char *name;           /* member name: "batch_size" */
  const char *label;          /* N_("Batch size"): form rows */
  const char *tooltip;        /* N_(…) */
  const char *short_label;    /* N_("batch"): run labels; NULL: not compared between runs */
  const char *subject;        /* messages: "Batch size must be …" (N_(), translated where used) */
  LlFitType type;
  gsize offset;               /* in LlFitConfig */
  double min, max;            /* INT and NUMBER: the valid range */
  gboolean min_open, max_open;
  double default_value;       /* Keras' default where Keras has one, else Layerlab's */
  const char *const *choices; /* CHOICE: names in enum order, NULL-terminated */
  const char *keras;          /* keyword of fit(), compile() or the callback; NULL: not Keras' */
  gboolean keras_required;    /* Keras has no default for it (compile()'s loss): ours is Layerlab's */
  /* Only checked (and shown as applying) when it returns TRUE; NULL: always. */
  gboolean (*active) (const LlFitConfig *cfg);
  const char *legacy_key;     /* member in runs.json version 1's flat object, NULL: none */
  const char *const *legacy_choices;  /* CHOICE: the numbers version 1 stored, frozen */
  const char *form_group;     /* N_("Fit"): the Train form's group; NULL: not in the form */
  int digits;                 /* a form's decimals */
  double step;                /* a form's increment */
} LlFitSpec;

const LlFitSpec *ll_fit_spec          (LlFitField field);
/* The value as a number: a flag 0/1, a choice its index, a seed as double. */
double           ll_fit_get           (const LlFitConfig *cfg, LlFitField field);
/* Sets INT, NUMBER, FLAG, CHOICE and SEED fields (not PATH). */
void             ll_fit_set           (LlFitConfig *cfg, LlFitField field, double value);
/* Does the field apply with these settings (a callback's field when it is on)? */
gboolean         ll_fit_field_active  (const LlFitConfig *cfg, LlFitField field);
/* "between 1 and 10000": the range in words (English). */
char            *ll_fit_range_text    (LlFitField field);
/* A form's spin-button bounds: the range, an open end moved in by one step of digits. */
void             ll_fit_form_range    (LlFitField field, double *lower, double *upper);

/* Layerlab's starting settings: Keras' fit() defaults with Adam, which
 * the tutorials use (Keras' compile() would give RMSprop); the Train view
 * and the presets start here. */
void     ll_fit_config_init       (LlFitConfig *cfg);
/* Exactly Keras 3's defaults, compile()'s RMSprop included: what a file
 * means by settings it leaves out. */
void     ll_fit_config_init_keras (LlFitConfig *cfg);
void     ll_fit_config_copy       (LlFitConfig *dst, const LlFitConfig *src);
void     ll_fit_config_clear      (LlFitConfig *cfg);
/* Every field's range (those that apply) and the optimizer's, with a
 * message that says what to change. */
gboolean ll_fit_config_validate   (const LlFitConfig *cfg, GError **error);

/* The JSON object above: members present override cfg, which the caller
 * initialised; a member of the wrong type or an unknown name is an
 * LL_ERROR_FORMAT.  Ranges are not checked (ll_fit_config_validate). */
JsonNode *ll_fit_config_to_json_node   (const LlFitConfig *cfg);
gboolean  ll_fit_config_from_json_node (LlFitConfig *cfg, JsonNode *node, GError **error);
/* The same as pretty-printed text. */
char     *ll_fit_config_to_json        (const LlFitConfig *cfg);
gboolean  ll_fit_config_from_json      (LlFitConfig *cfg, const char *json, GError **error);
/* runs.json version 1: one flat object with enum numbers ("optimizer": 4,
 * "es_patience": 3, "seed": "42"), read leniently as it always was:
 * members of the wrong type or out of range keep cfg's value. */
void      ll_fit_config_from_legacy_json (LlFitConfig *cfg, JsonObject *flat);

G_END_DECLS
