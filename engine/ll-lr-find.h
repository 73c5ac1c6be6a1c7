/* ll-lr-find.h: the learning-rate range test (Smith 2015, fastai's
 * lr_find).  One short run from the seed's weights that multiplies the
 * learning rate by a constant factor after every batch, from lr_min to
 * lr_max in `steps` batches, and records the loss, smoothed (an
 * exponential moving average with factor 0.98, bias-corrected).  It stops
 * early once the smoothed loss exceeds four times its lowest value (after
 * ten batches) or becomes NaN or infinite.  The suggestion is a tenth of
 * the learning rate with the lowest smoothed loss. */
#pragma once

#include "ll-trainer.h"

G_BEGIN_DECLS

#define LL_LR_FIND_MIN_POINTS 10   /* fewer points: no suggestion */

typedef struct {
  double lr_min;              /* 1e-6 */
  double lr_max;              /* 1 */
  int steps;                  /* 100 batches from lr_min to lr_max */
} LlLrFindOptions;

typedef struct {
  GArray *lr;                 /* double: the learning rate of each step measured */
  GArray *loss;               /* double: the smoothed loss after that step */
  int i_min;                  /* index of the lowest loss, -1 when there is no point */
  int i_steep;                /* index of the steepest descent before it, -1 when none */
  double suggested;           /* lr[i_min] / 10; 0 with fewer than LL_LR_FIND_MIN_POINTS points */
} LlLrCurve;

void      ll_lr_find_options_init (LlLrFindOptions *options);
/* FALSE with LL_ERROR_INVALID unless 0 < lr_min < lr_max and steps ≥ 2. */
gboolean  ll_lr_find_options_check (const LlLrFindOptions *options, GError **error);

LlLrCurve *ll_lr_curve_new        (void);
void      ll_lr_curve_free        (LlLrCurve *curve);
/* Recomputes i_min, i_steep and suggested from the points. */
void      ll_lr_curve_analyze     (LlLrCurve *curve);

/* Runs the test on a copy of model with config's optimizer, loss, batch
 * size, shuffle and seed (one epoch at most, no validation, schedule or
 * callbacks), writing the points into curve (emptied first).  options may
 * be NULL for the defaults.  control (nullable) is read between batches:
 * a cancel returns FALSE with G_IO_ERROR_CANCELLED, with the points so far
 * in curve.  Fails with LL_ERROR_INVALID on bad options, or the trainer's
 * error when the data do not fit the model. */
gboolean  ll_lr_find              (const LlModel *model, const LlFitConfig *config,
                                   const LlDataset *train, const LlLrFindOptions *options,
                                   LlLrCurve *curve, const LlControl *control, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlLrCurve, ll_lr_curve_free)

G_END_DECLS
