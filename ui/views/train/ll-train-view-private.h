/* ll-train-view-private.h: what the Train view's files share: the
 * instance struct and the functions one file calls in another.
 * ll-train-view.c: object, actions, start / stop / pause, the job;
 * -settings.c: the settings form and data-set availability;
 * -runs.c: charts, the runs list, run export / replay;
 * -sweeps.c: sweeps and the learning-rate range test. */
#pragma once

#include "ll-train-view.h"

#include "ll-confusion-matrix.h"
#include "ll-line-chart.h"
#include "ll-model-file.h"
#include "ll-run-list.h"
#include "ll-training-job.h"
#include "ll-data-dir.h"
#include "ll-presentation.h"

G_BEGIN_DECLS

#define MAX_OVERLAY 6
#define N_DATASETS 3

struct _LlTrainView
{
  LlView parent_instance;

  GtkBox *settings_box;
  GtkInfoBar *info_bar;
  GtkLabel *info_label;
  GtkLabel *validity_label;
  GtkToggleButton *pause_button;
  GtkSpinButton *live_lr_spin;
  GtkSpinButton *live_dropout_spin;
  GtkToggleButton *log_button;
  GtkProgressBar *progress_bar;
  GtkLabel *status_label;
  LlLineChart *loss_chart;
  LlLineChart *accuracy_chart;
  GtkListBox *runs_box;
  GtkStack *chart_stack;
  GtkWidget *chart_switcher;
  GtkStackPage *test_page;
  GtkLabel *test_label;
  LlConfusionMatrix *confusion;

  /* Settings rows, built in code. */
  GtkDropDown *dataset_drop;
  GtkLabel *dataset_hint;
  GtkStringList *dataset_titles_model;
  AdwActionRow *data_dir_row;
  GtkWidget *data_dir_clear;
  GtkSpinButton *val_split, *epochs, *batch, *seed, *lr;
  GtkSpinButton *momentum, *rho, *epsilon, *beta_1, *beta_2, *init_acc;
  GtkCheckButton *shuffle, *nesterov, *centered, *amsgrad;
  GtkDropDown *optim_drop, *loss_drop, *schedule_drop;
  GtkSpinButton *sched_factor, *sched_step;
  GtkCheckButton *es_enabled, *es_restore;
  GtkSpinButton *es_patience, *es_min_delta;
  GtkCheckButton *rl_enabled;
  GtkSpinButton *rl_factor, *rl_patience, *rl_min_lr;
  gboolean updating;

  GSettings *settings;          /* NULL when the schema is not installed */
  char *data_dir;               /* searched first; NULL: the standard places */
  gboolean data_dir_from_env;
  gboolean available[N_DATASETS];
  char *missing[N_DATASETS];    /* the engine's message for a set not found */

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  LlRunList *runs;
  LlTrainingJob *job;
  LlArch *job_arch;             /* the architecture being trained */
  char *job_dataset;
  LlTrainingData *data;         /* cache for data_name */
  char *data_name;
  GCancellable *cancellable;    /* data loading */
  GPtrArray *sweep;             /* of Variant: the runs queued, NULL when none */
  guint sweep_next;
  GtkDropDown *sweep_drop;
  LlFitConfig *job_config;      /* the settings being trained */
  char *job_label;              /* the sweep value, nullable */
  gboolean then_find_lr;        /* after loading: the LR finder, not a run */
  GCancellable *finder;         /* the LR range test running */
  double found_lr;              /* its suggestion, 0 before one */
  LlLineChart *lr_chart;
  GtkLabel *lr_label;
  GtkStackPage *lr_page;
};

typedef struct {
  char *label;                  /* "dropout 0.5" */
  LlArch *arch;
  LlFitConfig config;
} Variant;

/* ll-train-view.c */
void        ll_train_view_show_message             (LlTrainView *self, GtkMessageType type, const char *text);
void        ll_train_view_update_actions           (LlTrainView *self);

/* ll-train-view-settings.c */
void        ll_train_view_build_settings           (LlTrainView *self);
void        ll_train_view_load_settings            (LlTrainView *self);
const char *ll_train_view_effective_dataset       (LlTrainView *self);
void        ll_train_view_change_data_dir          (LlTrainView *self, const char *dir, gboolean from_env,
                                                   gboolean remember);
void        ll_train_view_action_choose_data_dir   (GtkWidget *widget, const char *name, GVariant *param);
void        ll_train_view_action_clear_data_dir    (GtkWidget *widget, const char *name, GVariant *param);

/* ll-train-view-runs.c */
LlRun       *ll_train_view_current_run             (LlTrainView *self);
void        ll_train_view_rebuild_charts           (LlTrainView *self);
void        ll_train_view_on_runs_changed          (LlTrainView *self);
void        ll_train_view_save_runs                (LlTrainView *self);
gboolean    ll_train_view_export_ticked_run        (LlTrainView *self, const char *path, GError **error);
gboolean    ll_train_view_replay_file              (LlTrainView *self, const char *path, GError **error);
void        ll_train_view_action_clone             (GtkWidget *widget, const char *name, GVariant *param);
void        ll_train_view_action_delete_runs       (GtkWidget *widget, const char *name, GVariant *param);
void        ll_train_view_action_export_csv        (GtkWidget *widget, const char *name, GVariant *param);
void        ll_train_view_action_export_chart      (GtkWidget *widget, const char *name, GVariant *param);

/* ll-train-view-sweeps.c */
void        ll_train_view_init_sweeps              (LlTrainView *self);
void        ll_train_view_start_finder             (LlTrainView *self);
void        ll_train_view_action_sweep             (GtkWidget *widget, const char *name, GVariant *param);
void        ll_train_view_action_use_found_lr      (GtkWidget *widget, const char *name, GVariant *param);

G_END_DECLS
