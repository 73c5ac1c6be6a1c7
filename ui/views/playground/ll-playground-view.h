/* ll-playground-view.h: the Playground view: a small network learns 2-D
 * toy data while its decision boundary and every neuron's output over the
 * plane move live; dropout, batch size and learning rate change while it
 * plays.  Actions: playground.play, .step, .reset, .demo (s: a demo id of
 * engine/ll-toy-data.c), .regenerate, .clear-points. */
#pragma once

#include "ll-view.h"

G_BEGIN_DECLS

#define LL_TYPE_PLAYGROUND_VIEW (ll_playground_view_get_type ())
G_DECLARE_FINAL_TYPE (LlPlaygroundView, ll_playground_view, LL, PLAYGROUND_VIEW, LlView)

/* For tests and benchmarks: the training step count, the loss history
 * length, and the model whose grids are drawn (owned by the view). */
gint64   ll_playground_view_get_step       (LlPlaygroundView *self);
guint    ll_playground_view_get_n_history  (LlPlaygroundView *self);
LlModel *ll_playground_view_get_model      (LlPlaygroundView *self);
/* Points in the plane: all, and how many of them are training points. */
guint    ll_playground_view_get_n_points   (LlPlaygroundView *self, guint *n_train);
/* Adds a training point of class label at (x, y) as a click would;
 * removes the nearest point within reach of (x, y) as a right-click would. */
void     ll_playground_view_add_point      (LlPlaygroundView *self, double x, double y, int label);
gboolean ll_playground_view_remove_point   (LlPlaygroundView *self, double x, double y);
/* Sets weight `index` of the flat parameter buffer as the edit popover does. */
void     ll_playground_view_set_param      (LlPlaygroundView *self, gsize index, double value);
/* The last refresh's grids (res × res cells, rows from the top): the
 * output probabilities (res² × classes) and one picture per neuron, the
 * inputs first, then every hidden unit, layer by layer (n_thumbs × res²).
 * Owned by the view; NULL before a model. */
const float *ll_playground_view_get_field  (LlPlaygroundView *self, int *res, int *n_classes);
const float *ll_playground_view_get_thumbs (LlPlaygroundView *self, int *n_thumbs);
/* Live changes (learning rate, batch size, dropout, optimizer) marked on
 * the loss curves since the last reset; the learning rate in force. */
guint    ll_playground_view_get_n_marks    (LlPlaygroundView *self);
double   ll_playground_view_get_learning_rate (LlPlaygroundView *self);
/* n_hidden layers of units each (the current activation), as the +/−
 * buttons would make them; new weights. */
void     ll_playground_view_set_hidden_layers (LlPlaygroundView *self, int n_hidden, int units);
/* The rate the next batch trains at, the schedule applied. */
double   ll_playground_view_get_current_learning_rate (LlPlaygroundView *self);
/* Milliseconds the last refresh of the field and thumbnails took. */
double   ll_playground_view_get_grid_ms    (LlPlaygroundView *self);
/* The last refresh's confusion matrix of the test points (n_classes²,
 * rows: true class, columns: predicted), as the view shows it; NULL
 * without a model.  The test points themselves (the run's; NULL: none). */
const guint32   *ll_playground_view_get_confusion (LlPlaygroundView *self, int *n_classes);
const LlDataset *ll_playground_view_get_test_set  (LlPlaygroundView *self);

G_END_DECLS
