/* ll-optim.h: the optimizers of Keras as plain functions over a flat
 * buffer, and the two tables that describe them: one row per optimizer
 * (classes, state, the hyperparameters it uses, its step) and one row per
 * hyperparameter (label, range, defaults, Keras and PyTorch keywords).
 * The validation, the Train form, the Optimizers view, the command line, the
 * file formats, the code generators and the run labels all read them.
 * The same code updates a 669,706-parameter model in training and the
 * 2-parameter point of the Optimizers view's race. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LL_OPTIM_SGD,
  LL_OPTIM_RMSPROP,
  LL_OPTIM_ADAGRAD,
  LL_OPTIM_ADADELTA,
  LL_OPTIM_ADAM,
  LL_OPTIM_ADAMAX,
  LL_OPTIM_NADAM,
  LL_N_OPTIMS
} LlOptimKind;

/* Keras names ("sgd", "rmsprop", ...) in LlOptimKind order, NULL-terminated:
 * the name column of the optimizer table (ll-optim.c).  Files and the
 * command line store these names, never LlOptimKind numbers. */
extern const char *const ll_optim_names[];

/* The hyperparameters of all optimizers; each is a field of LlOptimConfig
 * and a row of the hyperparameter table (ll_hyper_spec).  Their order is
 * the order of the Train form, the CLI's help and the JSON members. */
typedef enum {
  LL_HYPER_LEARNING_RATE,
  LL_HYPER_MOMENTUM,
  LL_HYPER_NESTEROV,
  LL_HYPER_RHO,
  LL_HYPER_CENTERED,
  LL_HYPER_BETA_1,
  LL_HYPER_BETA_2,
  LL_HYPER_AMSGRAD,
  LL_HYPER_INITIAL_ACCUMULATOR,
  LL_HYPER_EPSILON,
  LL_N_HYPERS
} LlHyper;

typedef struct {
  LlOptimKind kind;
  double learning_rate;
  double momentum;            /* SGD, RMSprop */
  gboolean nesterov;          /* SGD */
  double rho;                 /* RMSprop, Adadelta */
  gboolean centered;          /* RMSprop */
  double epsilon;
  double initial_accumulator; /* Adagrad */
  double beta_1, beta_2;      /* Adam, Adamax, Nadam */
  gboolean amsgrad;           /* Adam */
} LlOptimConfig;

/* Where one optimizer departs from a hyperparameter's row. */
typedef struct {
  LlOptimKind kind;           /* LL_N_OPTIMS ends a list */
  double keras_default;       /* NAN: the row's */
  const char *pytorch;        /* NULL: the row's keyword */
} LlHyperException;

/* One row of the hyperparameter table. */
typedef struct {
  const char *name;           /* JSON member and LlOptimConfig field: "beta_1"; CLI flag --beta-1 */
  const char *label;          /* N_("Beta 1"): form rows, translated when shown */
  const char *tooltip;        /* N_(…): what it does */
  const char *short_label;    /* N_("beta_1"): run labels ("lr 0.01 vs 0.1") */
  const char *subject;        /* messages: "The learning rate must be …" (English) */
  gsize offset;               /* of a double, or a gboolean when is_flag, in LlOptimConfig */
  gboolean is_flag;           /* on/off rather than a number */
  double min, max;            /* the valid range (numbers), ends as below */
  gboolean min_open, max_open;
  double keras_default;       /* for every optimizer not in exceptions */
  const LlHyperException *exceptions;   /* NULL or ends with kind LL_N_OPTIMS */
  const char *keras;          /* keyword of keras.optimizers.X: "initial_accumulator_value" */
  const char *pytorch;        /* keyword of torch.optim.X: "eps"; "betas" for a pair */
  int pytorch_index;          /* 0: a keyword of its own; 1, 2: element of the pair */
  int digits;                 /* decimals a form shows; the step of an open end */
  double step;                /* a form's increment */
  gboolean log_scale;         /* edited as log10 where space is short (epsilon) */
  char cli_short;             /* one-letter CLI flag, 0 for none */
} LlHyperSpec;

/* One row of the optimizer table. */
typedef struct {
  const char *keras_class;    /* keras.optimizers.RMSprop */
  const char *pytorch_class;  /* torch.optim.RMSprop */
  int n_slots;                /* per-parameter state arrays */
  const LlHyper *hypers;      /* those it uses, in Keras' argument order; ends with LL_N_HYPERS */
  /* One update; slots[i] are the state arrays, header the state's first floats. */
  void (*step) (const LlOptimConfig *cfg, double lr, gint64 step, gsize n,
                float *x, const float *g, float *const *slots, float *header);
} LlOptimInfo;

const LlOptimInfo *ll_optim_info   (LlOptimKind kind);
const LlHyperSpec *ll_hyper_spec   (LlHyper hyper);
/* Looks up a hyperparameter by its name ("beta_1"); FALSE if unknown. */
gboolean     ll_hyper_from_name    (const char *name, LlHyper *hyper);
/* Does optimizer kind use the hyperparameter? */
gboolean     ll_optim_uses         (LlOptimKind kind, LlHyper hyper);
/* Keras' default of the hyperparameter for kind. */
double       ll_hyper_default      (LlHyper hyper, LlOptimKind kind);
/* The torch.optim keyword for kind ("alpha" for RMSprop's rho). */
const char  *ll_hyper_pytorch      (LlHyper hyper, LlOptimKind kind);
/* The value in cfg (a flag as 0 or 1) and its setter. */
double       ll_hyper_get          (const LlOptimConfig *cfg, LlHyper hyper);
void         ll_hyper_set          (LlOptimConfig *cfg, LlHyper hyper, double value);
/* Checks value against the row's range, with a message that says what to
 * change and quotes kind's Keras default. */
gboolean     ll_hyper_check        (LlHyper hyper, LlOptimKind kind, double value, GError **error);
/* "between 0 and 1, 1 excluded": the range in words (English). */
char        *ll_hyper_range_text   (LlHyper hyper);
/* The bounds of a form's spin button: the range with an open end moved in
 * by one step of the row's digits (rho: 0.0001 … 0.9999). */
void         ll_hyper_form_range   (LlHyper hyper, double *lower, double *upper);

/* Keras defaults for kind (SGD lr 0.01, others 0.001, ...). */
LlOptimConfig ll_optim_config_default (LlOptimKind kind);
/* Looks up a Keras name, case-insensitive; FALSE if unknown. */
gboolean      ll_optim_kind_from_name (const char *name, LlOptimKind *kind);
/* Checks the ranges of the hyperparameters kind uses (lr > 0, 0 <= momentum < 1, ...),
 * with a message that says what to change. */
gboolean      ll_optim_config_validate (const LlOptimConfig *cfg, GError **error);
/* "sgd, rmsprop, …, adamax or nadam": the names for messages and help. */
char         *ll_optim_names_text   (void);

/* Number of floats of state for n parameters (slots plus a small header). */
gsize ll_optim_state_size (const LlOptimConfig *cfg, gsize n);
/* Sets the state to its starting values (zeros; Adagrad's initial accumulator). */
void  ll_optim_state_init (const LlOptimConfig *cfg, gsize n, float *state);

/* One update of x (n floats) from gradient g.  step is the 1-based index of
 * this update (Keras' iterations + 1); lr is the learning rate to use this
 * step (a schedule may differ from cfg->learning_rate). */
void  ll_optim_step (const LlOptimConfig *cfg, double lr, gint64 step,
                     gsize n, float *x, const float *g, float *state);

G_END_DECLS
