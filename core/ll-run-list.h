/* ll-run-list.h: every training run kept with its full configuration and
 * history, persisted as JSON ($XDG_DATA_HOME/layerlab/runs.json, written
 * atomically) so runs survive restarts and can be overlaid later.  The
 * legend of an overlay names what differs between the runs ("batch 32"
 * vs "batch 256"). */
#pragma once

#include <gio/gio.h>

#include "ll-trainer.h"
#include "ll-training-job.h"

G_BEGIN_DECLS

typedef struct {
  char *name;                  /* "Run 3" */
  char *model;                 /* the document's title */
  char *arch_json;             /* nullable */
  char *dataset;
  char *status;                /* "finished", "stopped", "diverged" */
  gint64 created;              /* unix seconds */
  LlFitConfig config;
  GArray *epochs;              /* LlEpochRecord */
  GArray *batches;             /* LlBatchPoint */
  GArray *lr_marks;            /* LlLrMark */
  double test_loss, test_accuracy;   /* NAN when not evaluated */
  /* A run stopped inside an epoch: where it stopped (x in epochs) and the
   * running means of loss and accuracy over that epoch's trained batches
   * (the figures its status line showed); NAN when it ended on an epoch. */
  double stopped_x, stopped_loss, stopped_accuracy;
  gboolean selected;           /* overlaid on the charts */
} LlRun;

LlRun *ll_run_new  (void);
void   ll_run_free (LlRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlRun, ll_run_free)

/* Writes the history as CSV: epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds. */
gboolean ll_run_export_csv (const LlRun *run, const char *path, GError **error);

/* One run as one file (JSON): settings, seed, history, the BLAS thread
 * count, and optionally a model file (ll_model_file_to_bytes, base64) with
 * the run's initial weights.  Training the same architecture and settings
 * from that seed with the same thread count replays the same curves. */
gboolean ll_run_export (const LlRun *run, GBytes *model, const char *path, GError **error);
/* model (nullable out): the model file bytes when the file has them. */
LlRun   *ll_run_import (const char *path, GBytes **model, GError **error);

#define LL_TYPE_RUN_LIST (ll_run_list_get_type ())
G_DECLARE_FINAL_TYPE (LlRunList, ll_run_list, LL, RUN_LIST, GObject)

/* path NULL: $XDG_DATA_HOME/layerlab/runs.json.  Nothing is read yet. */
LlRunList  *ll_run_list_new      (const char *path);
const char *ll_run_list_get_path (LlRunList *self);
/* Replaces the runs by the file's.  A missing file is an empty list; a
 * damaged one leaves the list empty and returns FALSE with a message. */
gboolean    ll_run_list_load     (LlRunList *self, GError **error);
/* Writes a temporary file and renames it over the old one. */
gboolean    ll_run_list_save     (LlRunList *self, GError **error);

guint       ll_run_list_get_n    (LlRunList *self);
LlRun      *ll_run_list_get      (LlRunList *self, guint i);
/* Takes ownership; emits "changed". */
void        ll_run_list_add      (LlRunList *self, LlRun *run);
void        ll_run_list_remove   (LlRunList *self, guint i);
void        ll_run_list_set_selected (LlRunList *self, guint i, gboolean selected);
/* "Run N" for the next run. */
char       *ll_run_list_next_name (LlRunList *self);

/* One label per run naming the settings in which the runs differ, e.g.
 * { "batch 32", "batch 256" }, and in *summary "batch 32 vs 256".  Layers
 * that differ are named by their differing parameters ("dropout rate 0.2"),
 * changes made while training count ("lr → 0.0005 at epoch 2.3").  When
 * nothing differs, the run names; no two labels are the same (a repeated
 * one gets its run's name).  Free with g_strfreev / g_free. */
char      **ll_run_describe_differences (LlRun *const *runs, guint n, char **summary);

/* What a run trained: "mnist, adam lr 0.001, batch 32, dropout 0.5,
 * 5 epochs, seed 42", followed by the changes made while training
 * ("; changed while training: lr 0.0005 at epoch 2.3, dropout 0.2 at
 * epoch 1.5"). */
char       *ll_run_describe_settings (const LlRun *run);
/* How it ended: "finished · 5 epochs · loss 0.0812, accuracy 0.9751,
 * val_accuracy 0.9790 · test accuracy 0.9768", or for a stopped run
 * "stopped at epoch 1.4 of 5 · loss 1.3600, accuracy 0.6100 (running means
 * of epoch 2 so far)". */
char       *ll_run_describe_result   (const LlRun *run);
/* The changes made while training, "lr 0.0005 at epoch 2.3, dropout 0.2
 * at epoch 1.5", or NULL when none. */
char       *ll_run_describe_changes  (const LlRun *run);

G_END_DECLS
