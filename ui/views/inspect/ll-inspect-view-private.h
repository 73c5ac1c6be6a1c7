/* ll-inspect-view-private.h: what the Inspect view's files share: the
 * instance struct and the functions one file calls in another.
 * ll-inspect-view.c: object, refresh, controls, panels;
 * -outputs.c: layer outputs and Dropout;  -weights.c: filters, weights,
 * histograms;  -saliency.c: saliency and occlusion;  -batchnorm.c: batch
 * statistics;  -confusion.c: test set and confusion matrix;
 * -history.c: drawn digit, snapshots, history replay;  -explain.c: the
 * Arithmetic page (a unit's arithmetic, the sliding window, the sandbox). */
#pragma once

#include "ll-inspect-view.h"

#include "ll-data-dir.h"
#include "ll-presentation.h"
#include "ll-confusion-matrix.h"
#include "ll-download.h"
#include "ll-image-grid.h"

G_BEGIN_DECLS

#define REFRESH_MS 250
#define N_BINS 40
#define OCC_PATCH 6
#define OCC_STRIDE 2
#define MAX_CELL_IMAGES 48
#define MAX_WRONG 32
#define MAX_KERNEL_ROWS 16
#define MAX_KERNEL_COLS 16

typedef struct _LlInspectExplain LlInspectExplain;

typedef struct {
  int layer;
  double rate;
  LlFeatureGrid *eval, *train, *mask;
  GtkLabel *label;
} DropoutPanel;

typedef struct {
  int layer, channels;
  float *mean, *var;
} BnStats;

struct _LlInspectView
{
  LlView parent_instance;

  GtkDropDown *class_dropdown;
  GtkButton *random_button;
  GtkSpinButton *index_spin;
  LlFeatureGrid *input_grid;
  GtkLabel *prediction_label;
  GtkLabel *status_label;
  GtkStack *stack;
  GtkBox *outputs_box;
  GtkBox *weights_box;
  GtkBox *occlusion_box;
  GtkBox *confusion_box;
  GtkButton *confusion_button;
  GtkSpinner *confusion_spinner;
  GtkLabel *confusion_label;
  GtkButton *drawn_button;
  GtkScale *history_scale;
  GtkLabel *history_label;
  GtkBox *batchnorm_box;
  GtkInfoBar *untrained_bar;
  GtkButton *shipped_button;
  GtkStack *content_stack;
  AdwStatusPage *empty_page;
  GtkLabel *empty_details;
  GtkButton *data_view_button;
  GtkBox *explain_box;

  /* Made in code. */
  LlFeatureGrid *occlusion_grid;
  LlFeatureGrid *saliency_grid;
  GtkToggleButton *train_toggle;
  GtkDropDown *bn_batch_dropdown;
  GtkLabel *bn_label;
  GtkBox *bn_panels;
  LlConfusionMatrix *matrix;
  GtkLabel *class_accuracy_label;
  GtkLabel *cell_label;
  LlImageGrid *cell_grid;
  LlImageGrid *wrong_grid;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  GSettings *settings;            /* for data-dir; NULL without the schema */
  gboolean notice_dismissed;      /* closed by the user while untrained */
  guint refresh_id;
  gboolean dirty;
  gboolean updating_controls;

  LlModel *model;                 /* private copy, planned for one sample */
  char *arch_json;                /* the architecture the output panels were built for */
  GPtrArray *layer_grids;         /* LlFeatureGrid * or NULL, per layer */
  GPtrArray *prob_bars;           /* GtkLevelBar * of the softmax layer */
  GPtrArray *prob_labels;         /* GtkLabel * beside them */
  int prob_layer;

  LlDataset *test;                /* the test set of test_name */
  char *test_name;
  gboolean test_is_train;         /* no test split on this machine: training images */
  GCancellable *load_cancellable;
  char *loading_name;
  gboolean load_failed;           /* the empty state shows; retried when mapped */
  guint index;
  float *x;                       /* the chosen image, scaled as the model sees it */

  gboolean training_mode;          /* layer outputs as in a training step */
  guint64 dropout_seed;
  GArray *dropout_panels;         /* DropoutPanel, one per Dropout layer */
  gboolean use_snapshot;          /* the last news was a snapshot, not an edit */
  int history_pos;                /* index into the document's history; -1: live */
  gboolean use_drawn;             /* x is the Draw view's digit */
  guint bn_offset;                /* first test image of the batch-norm batch */
  GArray *bn_stats;               /* BnStats, one per BatchNormalization layer */

  GCancellable *occlusion_cancellable;
  GCancellable *confusion_cancellable;
  LlConfusion *confusion;
  gboolean confusion_stale;

  LlInspectExplain *explain;      /* the Arithmetic page (-explain.c) */
};

/* ll-inspect-view.c */
const char *ll_inspect_view_class_name              (const LlDataset *ds, int cls);
void        ll_inspect_view_clear_box               (GtkBox *box, GtkWidget *keep);
GtkWidget  *ll_inspect_view_panel_new               (LlInspectView *self, const char *title,
                                                     const char *subtitle, GtkWidget *content);
gboolean    ll_inspect_view_is_type                 (const LlLayerSpec *spec, const char *name);
gboolean    ll_inspect_view_shows_training_weights  (LlInspectView *self);
void        ll_inspect_view_update_untrained_notice (LlInspectView *self);
void        ll_inspect_view_refresh                 (LlInspectView *self);
void        ll_inspect_view_schedule_refresh        (LlInspectView *self);

/* ll-inspect-view-outputs.c */
void        ll_inspect_view_rebuild_output_panels   (LlInspectView *self);
void        ll_inspect_view_update_outputs          (LlInspectView *self);

/* ll-inspect-view-weights.c */
void        ll_inspect_view_rebuild_weights         (LlInspectView *self);

/* ll-inspect-view-saliency.c */
void        ll_inspect_view_update_saliency         (LlInspectView *self, int cls);
int         ll_inspect_view_predicted_class         (LlInspectView *self);
void        ll_inspect_view_start_occlusion         (LlInspectView *self);

/* ll-inspect-view-batchnorm.c */
void        ll_inspect_view_update_batchnorm        (LlInspectView *self);
void        ll_inspect_view_bn_stats_clear          (gpointer data);
void        ll_inspect_view_on_bn_batch_changed     (LlInspectView *self);
void        ll_inspect_view_on_bn_new_batch         (GtkButton *button, LlInspectView *self);

/* ll-inspect-view-confusion.c */
void        ll_inspect_view_start_load              (LlInspectView *self, const char *name);
void        ll_inspect_view_on_cell_activated       (LlConfusionMatrix *matrix, int t, int p,
                                                     LlInspectView *self);

/* ll-inspect-view-history.c */
gboolean    ll_inspect_view_drawn_usable            (LlInspectView *self);
void        ll_inspect_view_update_drawn_button     (LlInspectView *self);
void        ll_inspect_view_update_history_controls (LlInspectView *self);
void        ll_inspect_view_on_snapshot             (LlInspectView *self);
void        ll_inspect_view_on_drawn_input_changed  (LlInspectView *self);
void        ll_inspect_view_on_drawn_clicked        (GtkButton *button, LlInspectView *self);
void        ll_inspect_view_on_history_changed      (GtkRange *range, LlInspectView *self);

/* ll-inspect-view-explain.c */
void        ll_inspect_view_explain_init            (LlInspectView *self, GtkBox *box);
void        ll_inspect_view_explain_free            (LlInspectView *self);
void        ll_inspect_view_explain_refresh         (LlInspectView *self);
void        ll_inspect_view_explain_page_shown      (LlInspectView *self);

G_END_DECLS
