/* ll-train-view.h: the Train view: training settings, start / pause / stop
 * on a worker thread, live charts, test-set figures with a confusion
 * matrix, and the runs kept for comparison.  Data sets are searched first
 * in $LAYERLAB_DATA_DIR, else in the folder chosen with "Data folder…"
 * (GSettings key data-dir), then in the engine's standard places. */
#pragma once

#include "ll-view.h"

#include "ll-document.h"
#include "ll-run-list.h"
#include "ll-training-job.h"

G_BEGIN_DECLS

#define LL_TYPE_TRAIN_VIEW (ll_train_view_get_type ())
G_DECLARE_FINAL_TYPE (LlTrainView, ll_train_view, LL, TRAIN_VIEW, LlView)

GtkWidget     *ll_train_view_new          (void);
/* The run in progress (transfer none), NULL when idle or loading data. */
LlTrainingJob *ll_train_view_get_job      (LlTrainView *self);
/* Whether a run, its data loading or the range test is under way (what
 * Stop and Escape end). */
gboolean       ll_train_view_get_busy     (LlTrainView *self);
/* The finished runs (transfer none). */
LlRunList     *ll_train_view_get_run_list (LlTrainView *self);
/* The folder searched first, NULL for the standard places only. */
const char    *ll_train_view_get_data_dir (LlTrainView *self);
/* Searched first for the data files, as chosen with "Data folder…" (and
 * kept for the next start). */
void           ll_train_view_set_data_dir (LlTrainView *self, const char *dir);
/* The data set a run would use now (the document's, or a fallback found here). */
const char    *ll_train_view_get_dataset  (LlTrainView *self);
/* Export → Ticked Run as File, and Replay a Run File (which trains it again). */
gboolean       ll_train_view_export_run   (LlTrainView *self, const char *path, GError **error);
gboolean       ll_train_view_replay       (LlTrainView *self, const char *path, GError **error);

G_END_DECLS
