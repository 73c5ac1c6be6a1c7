/* ll-optim.h: the nine optimizers of Keras as plain functions over a flat
 * buffer.  The same code updates a 669,706-parameter model in training and
 * the 2-parameter point of the optimizer playground. */
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

/* Keras names ("sgd", "rmsprop", ...) in LlOptimKind order, NULL-terminated. */
extern const char *const ll_optim_names[];

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

/* Keras defaults for kind (SGD lr 0.01, others 0.001, ...). */
LlOptimConfig ll_optim_config_default (LlOptimKind kind);
/* Looks up a Keras name, case-insensitive; FALSE if unknown. */
gboolean      ll_optim_kind_from_name (const char *name, LlOptimKind *kind);
/* Checks ranges (lr > 0, 0 <= momentum < 1, ...), with a message that says what to change. */
gboolean      ll_optim_config_validate (const LlOptimConfig *cfg, GError **error);

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
