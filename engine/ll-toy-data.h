/* ll-toy-data.h: the Playground's 2-D toy data (circle, XOR, two
 * Gaussians, spiral, moons, a 3-class spiral and the user's own points),
 * the input features computed from a point (x₁, x₂, x₁², …, sin x₂), the
 * ready-made demonstrations, and a training run that advances one batch
 * at a time so that a view can step, pause and change its settings
 * between any two batches.
 *
 * Points live on the plane [-6, 6]² (TensorFlow Playground's).  Every
 * feature is scaled into [-1, 1] (x/6, x²/36, xy/36, sin x), so the same
 * learning rates suit every choice of inputs. */
#pragma once

#include "ll-dataset.h"
#include "ll-fit-config.h"
#include "ll-model.h"
#include "ll-optim.h"

G_BEGIN_DECLS

#define LL_TOY_EXTENT 6.0          /* the plane is [-LL_TOY_EXTENT, LL_TOY_EXTENT]² */

typedef enum {
  LL_TOY_CIRCLE,
  LL_TOY_XOR,
  LL_TOY_GAUSS,
  LL_TOY_SPIRAL,
  LL_TOY_MOONS,
  LL_TOY_SPIRAL3,
  LL_TOY_OWN,                      /* the user's points: nothing is generated */
  LL_N_TOY
} LlToyKind;

typedef struct {
  float x, y;
  int label;
} LlToyPoint;

/* "circle", "xor", "gauss", "spiral", "moons", "spiral3", "own". */
const char *ll_toy_kind_name      (LlToyKind kind);
gboolean    ll_toy_kind_from_name (const char *name, LlToyKind *kind);
int         ll_toy_n_classes      (LlToyKind kind);

/* n points of kind (about n / classes of each class; the first classes get
 * the remainder) with noise in [0, 0.5]: a fraction of the plane's radius
 * added at random (spread for the Gaussians).  The same seed gives the
 * same points.  Returns the number written (0 for LL_TOY_OWN). */
int         ll_toy_generate       (LlToyKind kind, int n, double noise, guint64 seed,
                                   LlToyPoint *out);

/* Splits points in place, shuffled from seed: the first *n_train are the
 * training points (round (n × train_ratio), at least 1 when n > 1, at
 * most n − 1). */
void        ll_toy_split          (LlToyPoint *points, int n, double train_ratio, guint64 seed,
                                   int *n_train);

typedef enum {
  LL_FEATURE_X1     = 1 << 0,
  LL_FEATURE_X2     = 1 << 1,
  LL_FEATURE_X1_SQ  = 1 << 2,
  LL_FEATURE_X2_SQ  = 1 << 3,
  LL_FEATURE_X1X2   = 1 << 4,
  LL_FEATURE_SIN_X1 = 1 << 5,
  LL_FEATURE_SIN_X2 = 1 << 6,
} LlFeature;

#define LL_N_FEATURES 7
#define LL_FEATURES_DEFAULT (LL_FEATURE_X1 | LL_FEATURE_X2)

/* "x₁", "x₂", "x₁²", … for feature i (0 … LL_N_FEATURES − 1). */
const char *ll_toy_feature_label  (int i);
int         ll_toy_n_features     (guint features);
/* The selected features of point (x, y), in bit order, into out. */
void        ll_toy_features       (guint features, float x, float y, float *out);

/* A data set of the points' features (height 1, width n_features). */
LlDataset  *ll_toy_dataset        (const LlToyPoint *points, int n, int n_classes,
                                   guint features, GError **error);

/* The features of a res × res grid over the plane, row by row from the top
 * (y = +6) and left (x = −6), at the centres of the cells: res² rows for
 * one batched forward pass. */
void        ll_toy_grid_inputs    (guint features, int res, float *x);

#define LL_TOY_MAX_HIDDEN 8

/* A network for the toy data, built from the engine's own layers. */
typedef struct {
  int n_hidden;
  int units[LL_TOY_MAX_HIDDEN];
  const char *activation[LL_TOY_MAX_HIDDEN];   /* Keras names; NULL: tanh */
  double dropout;         /* a Dropout layer after each hidden layer with this rate;
                           * negative: none (0 keeps layers whose rate can change
                           * while training) */
  double l1, l2;          /* regularization of every hidden kernel; 0: none */
  gboolean batch_norm;    /* Dense (linear) → BatchNormalization → Activation */
} LlToyNet;

/* Input 1×n_inputs, Flatten, the hidden layers of net, a softmax Dense of
 * n_classes. */
LlArch     *ll_toy_arch           (const LlToyNet *net, int n_inputs, int n_classes,
                                   GError **error);

/* The ready-made demonstrations.  preset is the `playground-…` preset
 * holding the network and its training settings. */
typedef struct {
  const char *id;                  /* "spiral", "overfitting", … (win.playground-demo) */
  const char *preset;              /* "playground-spiral" */
  const char *title;
  const char *sentence;            /* what to watch, one sentence */
  LlToyKind kind;
  int n_points;
  double noise, train_ratio;
  guint features;
} LlToyDemo;

const LlToyDemo *ll_toy_demos       (int *n_demos);
const LlToyDemo *ll_toy_demo_lookup (const char *id);

/* Training one batch at a time.  Owns its model, optimizer state, random
 * generator and data; a copy is a snapshot that can go on training on
 * another thread. */
typedef struct _LlToyRun LlToyRun;

/* Takes ownership of model, train and test (test may be NULL). */
LlToyRun   *ll_toy_run_new        (LlModel *model, const LlOptimConfig *optim,
                                   int batch_size, guint64 seed,
                                   LlDataset *train, LlDataset *test, GError **error);
LlToyRun   *ll_toy_run_copy       (const LlToyRun *run);
void        ll_toy_run_free       (LlToyRun *run);
LlModel    *ll_toy_run_get_model  (LlToyRun *run);
const LlDataset *ll_toy_run_get_train (const LlToyRun *run);
const LlDataset *ll_toy_run_get_test  (const LlToyRun *run);
/* New points (taken, freed on failure) from the next batch on; the
 * weights, optimizer state and step count stay. */
gboolean    ll_toy_run_set_data   (LlToyRun *run, LlDataset *train, LlDataset *test,
                                   GError **error);
/* From the next batch on. */
gboolean    ll_toy_run_set_batch_size (LlToyRun *run, int batch_size, GError **error);
void        ll_toy_run_set_learning_rate (LlToyRun *run, double lr);
double      ll_toy_run_get_learning_rate (const LlToyRun *run);
/* A learning-rate schedule of the fit settings (ll-fit-config.h), from the
 * next batch on: each batch of epoch e (0-based, epochs completed) trains
 * at ll_schedule_lr (schedule, the learning rate above, e, epochs), as the
 * Train view's fit does per epoch.  epochs: the cosine schedule's length.
 * NULL: constant (the default). */
void        ll_toy_run_set_schedule  (LlToyRun *run, const LlSchedule *schedule, int epochs);
/* The rate the next batch trains at, the schedule applied. */
double      ll_toy_run_get_current_learning_rate (const LlToyRun *run);
/* Another optimizer; its state starts afresh. */
void        ll_toy_run_set_optimizer (LlToyRun *run, const LlOptimConfig *optim);
gint64      ll_toy_run_get_step   (const LlToyRun *run);
/* Epochs completed (a fraction while inside one). */
double      ll_toy_run_get_epoch  (const LlToyRun *run);
/* One batch; the batch's loss (with regularization), NAN when it diverged
 * (then the weights are those before the batch). */
double      ll_toy_run_step       (LlToyRun *run);
/* Loss and accuracy over the training and test points, in evaluation
 * mode (NAN for an empty or absent set).  Any pointer may be NULL. */
void        ll_toy_run_evaluate   (LlToyRun *run, double *train_loss, double *train_acc,
                                   double *test_loss, double *test_acc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlToyRun, ll_toy_run_free)

G_END_DECLS
