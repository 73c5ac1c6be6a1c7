/* ll-train-view.c: the Train view: settings, start/pause/stop, live
 * charts, and the runs kept for comparison.
 *
 * The settings edit the document's LlFitConfig.  A run trains a copy of the
 * document's model, reset from the seed, in an LlTrainingJob; the data are
 * loaded in a GTask and cached per data set.  When the run ends its history
 * joins the runs list (runs.json) and the weights go back to the document,
 * unless the architecture changed meanwhile; changing the architecture
 * while training stops the run. */
#include "ll-train-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ll-confusion-matrix.h"
#include "ll-line-chart.h"
#include "ll-model-file.h"
#include "ll-run-list.h"
#include "ll-training-job.h"
#include "ll-data-dir.h"
#include "ll-presentation.h"

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

G_DEFINE_FINAL_TYPE (LlTrainView, ll_train_view, LL_TYPE_VIEW)

static const char *const dataset_titles[N_DATASETS] = { "MNIST", "Fashion-MNIST", "CIFAR-10" };
/* Values per image, to fall back only to a set the model's input takes. */
static const int dataset_sizes[N_DATASETS] = { 28 * 28, 28 * 28, 32 * 32 * 3 };

static void update_actions (LlTrainView *self);
static void start_finder (LlTrainView *self);
static void start_job (LlTrainView *self);
static void clear_job_settings (LlTrainView *self);
static void dataset_item_setup (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self);
static void dataset_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self);
static void rebuild_charts (LlTrainView *self);

static void
show_message (LlTrainView *self, GtkMessageType type, const char *text)
{
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_text (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

/* Settings rows ------------------------------------------------------------- */

static GtkWidget *
add_group (LlTrainView *self, const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->settings_box, group);
  return group;
}

static GtkWidget *
add_row (GtkWidget *group, const char *title, const char *tooltip, GtkWidget *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (row, tooltip);
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void settings_changed (LlTrainView *self);

static GtkSpinButton *
add_spin (LlTrainView *self, GtkWidget *group, const char *title, const char *tooltip,
          double lo, double hi, double step, int digits)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (settings_changed), self);
  add_row (group, title, tooltip, spin);
  return GTK_SPIN_BUTTON (spin);
}

static GtkCheckButton *
add_check (LlTrainView *self, GtkWidget *group, const char *title, const char *tooltip)
{
  GtkWidget *check = gtk_check_button_new ();

  g_signal_connect_swapped (check, "toggled", G_CALLBACK (settings_changed), self);
  add_row (group, title, tooltip, check);
  return GTK_CHECK_BUTTON (check);
}

static void
name_item_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  (void) factory;
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_item_set_child (item, label);
}

static void
name_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkStringObject *name = gtk_list_item_get_item (item);

  (void) factory;
  (void) data;
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (name));
}

static GtkDropDown *
add_drop (LlTrainView *self, GtkWidget *group, const char *title, const char *tooltip,
          const char *const *names)
{
  GtkWidget *drop = gtk_drop_down_new_from_strings (names);
  g_autoptr(GtkListItemFactory) button = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  /* The button may shorten "sparse_categorical_crossentropy" to let the
   * row's title keep its width (presentation mode wrapped "Loss" one
   * letter a line); the list shows the names whole. */
  g_signal_connect (button, "setup", G_CALLBACK (name_item_setup), GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "bind", G_CALLBACK (name_item_bind), NULL);
  g_signal_connect (list, "setup", G_CALLBACK (name_item_setup), GINT_TO_POINTER (FALSE));
  g_signal_connect (list, "bind", G_CALLBACK (name_item_bind), NULL);
  gtk_drop_down_set_factory (GTK_DROP_DOWN (drop), button);
  gtk_drop_down_set_list_factory (GTK_DROP_DOWN (drop), list);
  g_signal_connect_swapped (drop, "notify::selected", G_CALLBACK (settings_changed), self);
  add_row (group, title, tooltip, drop);
  return GTK_DROP_DOWN (drop);
}

static void
build_settings (LlTrainView *self)
{
  GtkWidget *g;
  GtkWidget *choose, *buttons;
  GtkListItemFactory *factory;

  g = add_group (self, "Data");
  self->dataset_titles_model = gtk_string_list_new ((const char *const *) dataset_titles);
  self->dataset_drop = GTK_DROP_DOWN (gtk_drop_down_new (g_object_ref (G_LIST_MODEL (self->dataset_titles_model)), NULL));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (dataset_item_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (dataset_item_bind), self);
  gtk_drop_down_set_factory (self->dataset_drop, factory);
  g_object_unref (factory);
  g_signal_connect_swapped (self->dataset_drop, "notify::selected", G_CALLBACK (settings_changed), self);
  add_row (g, "Data set", "The images to train on; greyed out: not on this machine (hover for "
           "what to do)", GTK_WIDGET (self->dataset_drop));

  self->data_dir_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->data_dir_row), "Data folder");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->data_dir_row),
                               "A folder searched first: it may hold the files themselves or one "
                               "folder per data set (mnist, fashion-mnist, cifar10)");
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
  self->data_dir_clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (self->data_dir_clear, "Search only the standard places");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->data_dir_clear), "train.clear-data-dir");
  gtk_widget_add_css_class (self->data_dir_clear, "flat");
  choose = gtk_button_new_with_mnemonic ("Data _folder…");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (choose), "train.choose-data-dir");
  gtk_box_append (GTK_BOX (buttons), self->data_dir_clear);
  gtk_box_append (GTK_BOX (buttons), choose);
  adw_action_row_add_suffix (self->data_dir_row, buttons);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), GTK_WIDGET (self->data_dir_row));
  self->dataset_hint = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->dataset_hint, TRUE);
  gtk_label_set_xalign (self->dataset_hint, 0);
  gtk_label_set_selectable (self->dataset_hint, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->dataset_hint), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->dataset_hint), "warning");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), GTK_WIDGET (self->dataset_hint));
  self->val_split = add_spin (self, g, "Validation split",
                              "Fraction of the training data held out for validation: the last "
                              "part, taken before shuffling, as Keras does (0: none)", 0, 0.9, 0.05, 2);

  g = add_group (self, "Fit");
  self->epochs = add_spin (self, g, "Epochs", "Passes over the training data (Keras: 1)", 1, 1000, 1, 0);
  self->batch = add_spin (self, g, "Batch size", "Images per gradient step (Keras: 32)", 1, 4096, 1, 0);
  self->shuffle = add_check (self, g, "Shuffle", "Shuffle the training data every epoch (Keras: on)");
  self->seed = add_spin (self, g, "Seed",
                         "Initial weights, data order and dropout masks: the same seed gives the "
                         "same run", 0, 2147483647, 1, 0);
  self->loss_drop = add_drop (self, g, "Loss", "sparse_categorical_crossentropy for integer labels",
                              (const char *const *) ll_loss_names);

  g = add_group (self, "Optimizer");
  self->optim_drop = add_drop (self, g, "Optimizer", "Changing it loads the Keras defaults",
                               (const char *const *) ll_optim_names);
  self->lr = add_spin (self, g, "Learning rate", "Step size (Keras: SGD 0.01, others 0.001)",
                       0.000001, 10, 0.0001, 6);
  self->momentum = add_spin (self, g, "Momentum", "SGD and RMSprop (Keras: 0)", 0, 0.999, 0.05, 3);
  self->nesterov = add_check (self, g, "Nesterov", "SGD: Nesterov momentum (Keras: off)");
  self->rho = add_spin (self, g, "Rho", "RMSprop 0.9, Adadelta 0.95: decay of the squared-gradient average",
                        0, 0.9999, 0.01, 4);
  self->centered = add_check (self, g, "Centered", "RMSprop: divide by the gradient variance (Keras: off)");
  self->beta_1 = add_spin (self, g, "Beta 1", "Adam, Adamax, Nadam: first-moment decay (Keras: 0.9)",
                           0, 0.9999, 0.01, 4);
  self->beta_2 = add_spin (self, g, "Beta 2", "Adam, Adamax, Nadam: second-moment decay (Keras: 0.999)",
                           0, 0.99999, 0.001, 5);
  self->amsgrad = add_check (self, g, "AMSGrad", "Adam: keep the maximum second moment (Keras: off)");
  self->init_acc = add_spin (self, g, "Initial accumulator", "Adagrad (Keras: 0.1)", 0, 10, 0.01, 3);
  self->epsilon = add_spin (self, g, "Epsilon", "Keeps divisions finite (Keras: 1e-7)", 1e-10, 1, 1e-7, 10);

  g = add_group (self, "Learning-rate schedule");
  self->schedule_drop = add_drop (self, g, "Schedule", "How the learning rate changes per epoch",
                                  (const char *const *) ll_schedule_names);
  self->sched_factor = add_spin (self, g, "Factor", "step: ×factor every N epochs (0.5); "
                                 "exponential: ×factor per epoch (0.95)", 0.01, 1, 0.05, 3);
  self->sched_step = add_spin (self, g, "Every N epochs", "step schedule (10)", 1, 1000, 1, 0);

  g = add_group (self, "Callbacks");
  self->es_enabled = add_check (self, g, "EarlyStopping", "Stop when val_loss stops improving");
  self->es_patience = add_spin (self, g, "Patience", "Epochs without improvement before stopping (Keras: 0)",
                                0, 1000, 1, 0);
  self->es_min_delta = add_spin (self, g, "Min delta", "Smallest change that counts (Keras: 0)",
                                 0, 10, 0.001, 4);
  self->es_restore = add_check (self, g, "Restore best weights", "Keras: off");
  self->rl_enabled = add_check (self, g, "ReduceLROnPlateau", "Lower the learning rate when val_loss stalls");
  self->rl_factor = add_spin (self, g, "Factor", "New lr = lr × factor (Keras: 0.1)", 0.01, 0.99, 0.05, 2);
  self->rl_patience = add_spin (self, g, "Patience", "Epochs without improvement (Keras: 10)", 0, 1000, 1, 0);
  self->rl_min_lr = add_spin (self, g, "Min lr", "Lower bound (Keras: 0)", 0, 1, 0.0001, 6);
}

static int
dataset_index (const char *name)
{
  const char *const *names = ll_dataset_known_names ();

  for (int i = 0; names[i] != NULL && i < N_DATASETS; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return i;
  return -1;
}

/* Data sets --------------------------------------------------------------------- */

static gboolean
dir_has_prefix (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, prefix))
      return TRUE;
  return FALSE;
}

/* Which sets are on this machine.  locate() answers with the first folder
 * holding a split, else with where a copy would go: so the training files
 * must be checked, cheaply, without loading them. */
static void
refresh_availability (LlTrainView *self)
{
  const char *const *names = ll_dataset_known_names ();

  for (int i = 0; i < N_DATASETS; i++)
    {
      g_autofree char *dir = ll_dataset_locate (names[i], self->data_dir);
      gboolean found = dir != NULL && (dir_has_prefix (dir, "train-images")
                                       || dir_has_prefix (dir, "data_batch_"));

      self->available[i] = found;
      g_clear_pointer (&self->missing[i], g_free);
      if (!found)
        {
          g_autoptr(GError) error = NULL;
          /* Not found fails at once, with a message that says what to do. */
          g_autoptr(LlDataset) ds = ll_dataset_load_named (names[i], self->data_dir, FALSE, &error);

          self->missing[i] = g_strdup (error != NULL ? error->message : "Not found");
        }
    }
}

/* The set a run uses: the document's when it is here, else the first one
 * found that the model's input takes (Fashion-MNIST on a fresh Debian). */
static const char *
effective_dataset (LlTrainView *self)
{
  const char *want = self->document != NULL ? ll_document_get_dataset (self->document) : NULL;
  int i = dataset_index (want);
  LlShape in;
  gsize size = 0;

  if (want == NULL)
    want = "mnist";
  if (i < 0 || self->available[i])
    return want;
  if (self->document != NULL && ll_document_get_layer_shape (self->document, 0, &in))
    size = ll_shape_size (&in);
  for (int j = 0; j < N_DATASETS; j++)
    if (self->available[j] && (size == 0 || size == (gsize) dataset_sizes[j]))
      return ll_dataset_known_names ()[j];
  return want;
}

static void
dataset_item_setup (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  (void) factory;
  (void) self;
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
dataset_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  guint i = gtk_list_item_get_position (item);
  gboolean available = i < N_DATASETS && self->available[i];

  (void) factory;
  gtk_label_set_text (GTK_LABEL (label), i < N_DATASETS ? dataset_titles[i] : "");
  /* Greyed out and not selectable, with the engine's advice on hover. */
  gtk_widget_set_sensitive (label, available);
  gtk_widget_set_tooltip_text (label, available ? NULL : self->missing[i]);
  gtk_list_item_set_selectable (item, available);
  gtk_list_item_set_activatable (item, available);
}

static void
update_dataset_hint (LlTrainView *self)
{
  const char *name = effective_dataset (self);
  const char *want = self->document != NULL ? ll_document_get_dataset (self->document) : name;
  int i = dataset_index (name);
  g_autofree char *dir = ll_dataset_locate (name, self->data_dir);
  g_autofree char *text = NULL;

  if (i >= 0 && self->available[i])
    {
      int w = dataset_index (want);
      if (g_strcmp0 (name, want) != 0 && w >= 0)
        text = g_strdup_printf ("%s is not on this machine (hover over it in the list for what to "
                                "do); runs use %s, found in %s.", dataset_titles[w],
                                dataset_titles[i], dir);
      else
        text = g_strdup_printf ("Found in %s", dir);
      gtk_widget_remove_css_class (GTK_WIDGET (self->dataset_hint), "warning");
    }
  else
    {
      text = g_strdup (i >= 0 && self->missing[i] != NULL ? self->missing[i] : "Unknown data set");
      gtk_widget_add_css_class (GTK_WIDGET (self->dataset_hint), "warning");
    }
  gtk_label_set_text (self->dataset_hint, text);

  if (self->data_dir != NULL)
    {
      g_autofree char *shown = g_filename_display_name (self->data_dir);
      g_autofree char *sub = self->data_dir_from_env
        ? g_strdup_printf ("%s (from LAYERLAB_DATA_DIR)", shown) : g_strdup (shown);
      adw_action_row_set_subtitle (self->data_dir_row, sub);
    }
  else
    adw_action_row_set_subtitle (self->data_dir_row, "Standard places only");
  gtk_widget_set_visible (self->data_dir_clear, self->data_dir != NULL);
}

static void
load_settings (LlTrainView *self);

static void
set_data_dir (LlTrainView *self, const char *dir, gboolean from_env, gboolean remember)
{
  g_free (self->data_dir);
  self->data_dir = dir != NULL && *dir != '\0' ? g_strdup (dir) : NULL;
  self->data_dir_from_env = from_env && self->data_dir != NULL;
  if (remember && self->settings != NULL)
    g_settings_set_string (self->settings, "data-dir", self->data_dir ? self->data_dir : "");
  /* Another folder may hold other files under the same name. */
  g_clear_pointer (&self->data, ll_training_data_unref);
  g_clear_pointer (&self->data_name, g_free);
  refresh_availability (self);
  self->updating = TRUE;
  /* Replacing the items rebinds them: sensitivity and tooltips follow. */
  gtk_string_list_splice (self->dataset_titles_model, 0, N_DATASETS,
                          (const char *const *) dataset_titles);
  self->updating = FALSE;
  load_settings (self);
}

/* Optimizer rows that do not apply are insensitive. */
static void
update_optim_rows (LlTrainView *self, LlOptimKind k)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->momentum), k == LL_OPTIM_SGD || k == LL_OPTIM_RMSPROP);
  gtk_widget_set_sensitive (GTK_WIDGET (self->nesterov), k == LL_OPTIM_SGD);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rho), k == LL_OPTIM_RMSPROP || k == LL_OPTIM_ADADELTA);
  gtk_widget_set_sensitive (GTK_WIDGET (self->centered), k == LL_OPTIM_RMSPROP);
  gtk_widget_set_sensitive (GTK_WIDGET (self->beta_1), k >= LL_OPTIM_ADAM);
  gtk_widget_set_sensitive (GTK_WIDGET (self->beta_2), k >= LL_OPTIM_ADAM);
  gtk_widget_set_sensitive (GTK_WIDGET (self->amsgrad), k == LL_OPTIM_ADAM);
  gtk_widget_set_sensitive (GTK_WIDGET (self->init_acc), k == LL_OPTIM_ADAGRAD);
}

static void
load_settings (LlTrainView *self)
{
  const LlFitConfig *c;

  if (self->document == NULL)
    return;
  c = ll_document_get_config (self->document);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->dataset_drop, MAX (dataset_index (effective_dataset (self)), 0));
  gtk_spin_button_set_value (self->val_split, c->validation_split);
  gtk_spin_button_set_value (self->epochs, c->epochs);
  gtk_spin_button_set_value (self->batch, c->batch_size);
  gtk_check_button_set_active (self->shuffle, c->shuffle);
  gtk_spin_button_set_value (self->seed, (double) (c->seed & 0x7fffffff));
  gtk_drop_down_set_selected (self->loss_drop, c->loss);
  gtk_drop_down_set_selected (self->optim_drop, c->optim.kind);
  gtk_spin_button_set_value (self->lr, c->optim.learning_rate);
  gtk_spin_button_set_value (self->momentum, c->optim.momentum);
  gtk_check_button_set_active (self->nesterov, c->optim.nesterov);
  gtk_spin_button_set_value (self->rho, c->optim.rho);
  gtk_check_button_set_active (self->centered, c->optim.centered);
  gtk_spin_button_set_value (self->beta_1, c->optim.beta_1);
  gtk_spin_button_set_value (self->beta_2, c->optim.beta_2);
  gtk_check_button_set_active (self->amsgrad, c->optim.amsgrad);
  gtk_spin_button_set_value (self->init_acc, c->optim.initial_accumulator);
  gtk_spin_button_set_value (self->epsilon, c->optim.epsilon);
  gtk_drop_down_set_selected (self->schedule_drop, c->schedule.kind);
  gtk_spin_button_set_value (self->sched_factor, c->schedule.factor);
  gtk_spin_button_set_value (self->sched_step, c->schedule.step_epochs);
  gtk_check_button_set_active (self->es_enabled, c->early_stopping.enabled);
  gtk_spin_button_set_value (self->es_patience, c->early_stopping.patience);
  gtk_spin_button_set_value (self->es_min_delta, c->early_stopping.min_delta);
  gtk_check_button_set_active (self->es_restore, c->early_stopping.restore_best_weights);
  gtk_check_button_set_active (self->rl_enabled, c->reduce_lr.enabled);
  gtk_spin_button_set_value (self->rl_factor, c->reduce_lr.factor);
  gtk_spin_button_set_value (self->rl_patience, c->reduce_lr.patience);
  gtk_spin_button_set_value (self->rl_min_lr, c->reduce_lr.min_lr);
  if (self->job == NULL)
    gtk_spin_button_set_value (self->live_lr_spin, c->optim.learning_rate);
  update_optim_rows (self, c->optim.kind);
  self->updating = FALSE;
  update_dataset_hint (self);
}

static void
settings_changed (LlTrainView *self)
{
  LlFitConfig c;
  const LlFitConfig *old;
  LlOptimKind kind;
  const char *dataset;

  if (self->updating || self->document == NULL)
    return;
  old = ll_document_get_config (self->document);
  ll_fit_config_copy (&c, old);
  kind = gtk_drop_down_get_selected (self->optim_drop);
  if (kind != old->optim.kind && kind < LL_N_OPTIMS)
    c.optim = ll_optim_config_default (kind);   /* Keras defaults of the new optimizer */
  else
    {
      c.optim.learning_rate = gtk_spin_button_get_value (self->lr);
      c.optim.momentum = gtk_spin_button_get_value (self->momentum);
      c.optim.nesterov = gtk_check_button_get_active (self->nesterov);
      c.optim.rho = gtk_spin_button_get_value (self->rho);
      c.optim.centered = gtk_check_button_get_active (self->centered);
      c.optim.beta_1 = gtk_spin_button_get_value (self->beta_1);
      c.optim.beta_2 = gtk_spin_button_get_value (self->beta_2);
      c.optim.amsgrad = gtk_check_button_get_active (self->amsgrad);
      c.optim.initial_accumulator = gtk_spin_button_get_value (self->init_acc);
      c.optim.epsilon = gtk_spin_button_get_value (self->epsilon);
    }
  c.validation_split = gtk_spin_button_get_value (self->val_split);
  c.epochs = gtk_spin_button_get_value_as_int (self->epochs);
  c.batch_size = gtk_spin_button_get_value_as_int (self->batch);
  c.shuffle = gtk_check_button_get_active (self->shuffle);
  c.seed = (guint64) gtk_spin_button_get_value (self->seed);
  c.loss = gtk_drop_down_get_selected (self->loss_drop);
  c.schedule.kind = gtk_drop_down_get_selected (self->schedule_drop);
  c.schedule.factor = gtk_spin_button_get_value (self->sched_factor);
  c.schedule.step_epochs = gtk_spin_button_get_value_as_int (self->sched_step);
  c.early_stopping.enabled = gtk_check_button_get_active (self->es_enabled);
  c.early_stopping.patience = gtk_spin_button_get_value_as_int (self->es_patience);
  c.early_stopping.min_delta = gtk_spin_button_get_value (self->es_min_delta);
  c.early_stopping.restore_best_weights = gtk_check_button_get_active (self->es_restore);
  c.reduce_lr.enabled = gtk_check_button_get_active (self->rl_enabled);
  c.reduce_lr.factor = gtk_spin_button_get_value (self->rl_factor);
  c.reduce_lr.patience = gtk_spin_button_get_value_as_int (self->rl_patience);
  c.reduce_lr.min_lr = gtk_spin_button_get_value (self->rl_min_lr);

  self->updating = TRUE;
  dataset = ll_dataset_known_names ()[gtk_drop_down_get_selected (self->dataset_drop)];
  /* Only a choice of the user edits the document, not the fallback shown. */
  if (dataset != NULL && g_strcmp0 (dataset, effective_dataset (self)) != 0)
    ll_document_set_dataset (self->document, dataset);
  ll_document_set_config (self->document, &c);
  self->updating = FALSE;
  ll_fit_config_clear (&c);
  load_settings (self);   /* optimizer defaults, sensitivity, data set hint */
}

/* Charts ----------------------------------------------------------------------- */

static void
add_run_series (LlTrainView *self, const LlRun *run, const char *label, guint color)
{
  g_autofree double *bx = g_new (double, MAX (run->batches->len, 1));
  g_autofree double *bl = g_new (double, MAX (run->batches->len, 1));
  g_autofree double *ba = g_new (double, MAX (run->batches->len, 1));
  guint ne = run->epochs->len;
  g_autofree double *ex = g_new (double, MAX (ne, 1));
  g_autofree double *evl = g_new (double, MAX (ne, 1));
  g_autofree double *eva = g_new (double, MAX (ne, 1));
  g_autofree char *train = g_strdup_printf ("%s train", label);
  g_autofree char *val = g_strdup_printf ("%s val", label);
  gboolean have_val = FALSE;
  guint s;

  for (guint i = 0; i < run->batches->len; i++)
    {
      const LlBatchPoint *p = &g_array_index (run->batches, LlBatchPoint, i);
      bx[i] = p->x;
      bl[i] = p->loss;
      ba[i] = p->accuracy;
    }
  for (guint i = 0; i < ne; i++)
    {
      const LlEpochRecord *r = &g_array_index (run->epochs, LlEpochRecord, i);
      ex[i] = r->epoch + 1;
      evl[i] = r->val_loss;
      eva[i] = r->val_accuracy;
      have_val |= isfinite (r->val_loss);
    }
  s = ll_line_chart_add_series (self->loss_chart, train, color, FALSE, FALSE);
  ll_line_chart_set_data (self->loss_chart, s, bx, bl, run->batches->len);
  s = ll_line_chart_add_series (self->accuracy_chart, train, color, FALSE, FALSE);
  ll_line_chart_set_data (self->accuracy_chart, s, bx, ba, run->batches->len);
  if (have_val)
    {
      s = ll_line_chart_add_series (self->loss_chart, val, color, TRUE, TRUE);
      ll_line_chart_set_data (self->loss_chart, s, ex, evl, ne);
      s = ll_line_chart_add_series (self->accuracy_chart, val, color, TRUE, TRUE);
      ll_line_chart_set_data (self->accuracy_chart, s, ex, eva, ne);
    }
  for (guint i = 0; i < run->lr_marks->len; i++)
    {
      const LlLrMark *m = &g_array_index (run->lr_marks, LlLrMark, i);
      g_autofree char *text = g_strdup_printf (m->dropout ? "dropout %g" : "lr %g", m->lr);
      ll_line_chart_add_marker (self->loss_chart, m->x, text);
      ll_line_chart_add_marker (self->accuracy_chart, m->x, text);
    }
}

/* The run in progress as an LlRun, for the legend and the runs list. */
static LlRun *
current_run (LlTrainView *self)
{
  LlRun *run = ll_run_new ();

  run->name = ll_run_list_next_name (self->runs);
  if (self->job_label != NULL)
    {
      char *named = g_strdup_printf ("%s (%s)", run->name, self->job_label);
      g_free (run->name);
      run->name = named;
    }
  run->model = ll_document_dup_title (self->document);
  run->arch_json = self->job_arch != NULL ? ll_arch_to_json (self->job_arch) : NULL;
  run->dataset = g_strdup (self->job_dataset);
  ll_fit_config_clear (&run->config);
  ll_fit_config_copy (&run->config, self->job_config != NULL ? self->job_config
                                                             : ll_document_get_config (self->document));
  if (self->job != NULL)
    {
      g_array_unref (run->batches);
      g_array_unref (run->epochs);
      g_array_unref (run->lr_marks);
      run->batches = ll_training_job_dup_batches (self->job);
      run->epochs = ll_training_job_dup_epochs (self->job);
      run->lr_marks = ll_training_job_dup_lr_marks (self->job);
    }
  return run;
}

static void
rebuild_charts (LlTrainView *self)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autoptr(LlRun) live = NULL;
  g_auto(GStrv) labels = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *loss_title = NULL;

  ll_line_chart_clear (self->loss_chart);
  ll_line_chart_clear (self->accuracy_chart);
  for (guint i = 0; i < ll_run_list_get_n (self->runs) && shown->len < MAX_OVERLAY - 1; i++)
    if (ll_run_list_get (self->runs, i)->selected)
      g_ptr_array_add (shown, ll_run_list_get (self->runs, i));
  if (self->job != NULL && self->document != NULL)
    {
      live = current_run (self);
      g_ptr_array_add (shown, live);
    }
  labels = ll_run_describe_differences ((LlRun *const *) shown->pdata, shown->len, &summary);
  for (guint i = 0; i < shown->len; i++)
    add_run_series (self, g_ptr_array_index (shown, i), shown->len > 1 ? labels[i] : "", i);
  loss_title = summary != NULL && *summary && shown->len > 1 ? g_strdup_printf ("Loss: %s", summary)
                                                             : g_strdup ("Loss");
  ll_line_chart_set_labels (self->loss_chart, loss_title, "epoch", "loss");
  ll_line_chart_set_labels (self->accuracy_chart, "Accuracy", "epoch", "accuracy");
}

/* Runs list ---------------------------------------------------------------------- */

static void
on_run_toggled (GtkCheckButton *check, LlTrainView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "run-index"));

  ll_run_list_set_selected (self->runs, i, gtk_check_button_get_active (check));
}

static void
rebuild_runs_box (LlTrainView *self)
{
  GtkListBoxRow *child;

  /* Rows only: the placeholder stays. */
  while ((child = gtk_list_box_get_row_at_index (self->runs_box, 0)) != NULL)
    gtk_list_box_remove (self->runs_box, GTK_WIDGET (child));
  for (guint i = ll_run_list_get_n (self->runs); i-- > 0;)
    {
      LlRun *run = ll_run_list_get (self->runs, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *subtitle = NULL;
      g_autofree char *title = g_strdup_printf ("%s — %s", run->name, run->model ? run->model : "");
      const LlEpochRecord *last = run->epochs->len > 0
        ? &g_array_index (run->epochs, LlEpochRecord, run->epochs->len - 1) : NULL;

      subtitle = g_strdup_printf ("%s, %s lr %g, batch %d, %d epochs, seed %" G_GUINT64_FORMAT
                                  " · %s · loss %.4f, accuracy %.4f%s",
                                  run->dataset ? run->dataset : "?",
                                  ll_optim_names[run->config.optim.kind],
                                  run->config.optim.learning_rate, run->config.batch_size,
                                  run->epochs->len, run->config.seed,
                                  run->status ? run->status : "",
                                  last ? last->loss : NAN, last ? last->accuracy : NAN,
                                  isfinite (run->test_accuracy) ? "" : "");
      if (last != NULL && isfinite (last->val_accuracy))
        {
          char *more = g_strdup_printf ("%s, val_accuracy %.4f", subtitle, last->val_accuracy);
          g_free (subtitle);
          subtitle = more;
        }
      if (isfinite (run->test_accuracy))
        {
          char *more = g_strdup_printf ("%s · test accuracy %.4f", subtitle, run->test_accuracy);
          g_free (subtitle);
          subtitle = more;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), run->selected);
      g_object_set_data (G_OBJECT (check), "run-index", GUINT_TO_POINTER (i));
      g_signal_connect (check, "toggled", G_CALLBACK (on_run_toggled), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (self->runs_box, row);
    }
}

static void
on_runs_changed (LlTrainView *self)
{
  rebuild_runs_box (self);
  rebuild_charts (self);
}

static void
save_runs (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ll_run_list_save (self->runs, &error))
    show_message (self, GTK_MESSAGE_WARNING, error->message);
}

/* Sweeps -------------------------------------------------------------------------
 * One run per value of one hyperparameter, queued one after another with
 * the document's seed, so the runs differ only in that value; they are
 * overlaid when done.  Layer parameters are changed on a copy of the stack. */

typedef struct {
  char *label;                  /* "dropout 0.5" */
  LlArch *arch;
  LlFitConfig config;
} Variant;

static void
variant_free (Variant *v)
{
  g_free (v->label);
  g_clear_pointer (&v->arch, ll_arch_free);
  ll_fit_config_clear (&v->config);
  g_free (v);
}

/* The seeds' comparisons: seed 004 tunes a CIFAR-10 CNN by shuffle, batch
 * size, learning-rate schedule, filter size, GAP and weight penalties;
 * seed 002 watches the validation loss and stops early. */
enum {
  SWEEP_BATCH, SWEEP_LR, SWEEP_OPTIMIZER, SWEEP_SHUFFLE, SWEEP_DROPOUT, SWEEP_KERNEL,
  SWEEP_INIT, SWEEP_BATCHNORM, SWEEP_GAP, SWEEP_SCHEDULE, SWEEP_REGULARIZER, SWEEP_EARLY_STOP,
  N_SWEEPS
};

static const struct {
  const char *title;
  guint n_values;
} sweeps[N_SWEEPS] = {
  [SWEEP_BATCH] = { "Batch size: 8, 32, 128, 512 (seed 004)", 4 },
  [SWEEP_LR] = { "Learning rate: 0.0001, 0.001, 0.01", 3 },
  [SWEEP_OPTIMIZER] = { "Optimizer: SGD, RMSprop, Adam", 3 },
  [SWEEP_SHUFFLE] = { "Shuffle: on, off (seed 004)", 2 },
  [SWEEP_DROPOUT] = { "Dropout rate: 0.2, 0.5", 2 },
  [SWEEP_KERNEL] = { "Kernel size: 3×3, 5×5 (seed 004)", 2 },
  [SWEEP_INIT] = { "Initializer: glorot_uniform, he_normal", 2 },
  [SWEEP_BATCHNORM] = { "Batch normalization: on, off (seed 004)", 2 },
  [SWEEP_GAP] = { "Flatten vs GlobalAveragePooling2D (seed 004)", 2 },
  [SWEEP_SCHEDULE] = { "Learning-rate schedule: constant, step, ReduceLROnPlateau (seed 004)", 3 },
  [SWEEP_REGULARIZER] = { "Dense kernel regularizer: none, l1, l2, l1_l2 (seed 004)", 4 },
  [SWEEP_EARLY_STOP] = { "Early stopping on val_loss: off, patience 2 (seed 002)", 2 },
};

/* Sets a parameter on every layer of the types given; FALSE when none has it. */
static gboolean
arch_set_all (LlArch *arch, const LlLayerType *a, const LlLayerType *b, const char *param,
              double value, const char *choice, GError **error)
{
  gboolean any = FALSE;

  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      LlLayerSpec *spec = ll_arch_layer (arch, i);

      if (spec->type != a && spec->type != b)
        continue;
      any = TRUE;
      if (choice != NULL ? !ll_layer_spec_set_choice (spec, param, choice, error)
                         : !ll_layer_spec_set (spec, param, value, error))
        return FALSE;
    }
  return any;
}

static gboolean
arch_has (const LlArch *arch, const LlLayerType *type)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == type)
      return TRUE;
  return FALSE;
}

/* Removes every layer of a type; FALSE when there was none. */
static gboolean
arch_remove_all (LlArch *arch, const LlLayerType *type)
{
  gboolean any = FALSE;

  for (int i = ll_arch_n_layers (arch); i-- > 0;)
    if (ll_arch_layer (arch, i)->type == type)
      {
        ll_arch_remove (arch, i);
        any = TRUE;
      }
  return any;
}

/* Puts `to` where the first Flatten or GlobalAveragePooling2D is; FALSE when there is neither. */
static gboolean
arch_swap_flatten (LlArch *arch, const LlLayerType *to)
{
  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    {
      const LlLayerType *t = ll_arch_layer (arch, i)->type;

      if (t == &ll_layer_flatten || t == &ll_layer_global_average_pooling2d)
        {
          LlLayerSpec spec;

          if (t == to)
            return TRUE;
          ll_layer_spec_init (&spec, to);
          ll_arch_remove (arch, i);
          ll_arch_insert (arch, i, &spec);
          return TRUE;
        }
    }
  return FALSE;
}

/* The training data keeps a validation part where the sweep watches it. */
static void
ensure_validation (LlFitConfig *config)
{
  if (config->validation_split <= 0)
    config->validation_split = 0.2;
}

static GPtrArray *
build_sweep (LlTrainView *self, guint kind, GError **error)
{
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func ((GDestroyNotify) variant_free);
  const LlFitConfig *base = ll_document_get_config (self->document);
  static const double batches[] = { 8, 32, 128, 512 }, lrs[] = { 1e-4, 1e-3, 1e-2 };
  static const double rates[] = { 0.2, 0.5 }, kernels[] = { 3, 5 };
  static const LlOptimKind optims[] = { LL_OPTIM_SGD, LL_OPTIM_RMSPROP, LL_OPTIM_ADAM };
  static const char *const inits[] = { "glorot_uniform", "he_normal" };
  static const char *const penalties[] = { "none", "l1", "l2", "l1_l2" };
  static const char *const missing[N_SWEEPS] = {
    [SWEEP_DROPOUT] = "This model has no Dropout layer to sweep over: add one in the Model view",
    [SWEEP_KERNEL] = "This model has no Conv2D layer to sweep over: add one in the Model view, "
                     "or pick the MNIST CNN preset",
    [SWEEP_INIT] = "This model has no Dense or Conv2D layer to sweep over",
    [SWEEP_BATCHNORM] = "This model has no BatchNormalization layer to switch off: add one "
                        "after a Conv2D in the Model view, or pick a CIFAR-10 CNN preset",
    [SWEEP_GAP] = "This model has neither Flatten nor GlobalAveragePooling2D after its "
                  "convolutions: pick the MNIST CNN or a CIFAR-10 CNN preset",
    [SWEEP_REGULARIZER] = "This model has no Dense layer to regularize",
  };

  if (kind >= N_SWEEPS)
    return NULL;
  for (guint i = 0; i < sweeps[kind].n_values; i++)
    {
      Variant *v = g_new0 (Variant, 1);
      gboolean found = TRUE;

      g_ptr_array_add (variants, v);
      v->arch = ll_arch_copy (ll_document_get_arch (self->document));
      ll_fit_config_copy (&v->config, base);
      switch (kind)
        {
        case SWEEP_BATCH:
          v->config.batch_size = (int) batches[i];
          v->label = g_strdup_printf ("batch %d", v->config.batch_size);
          break;
        case SWEEP_LR:
          v->config.optim.learning_rate = lrs[i];
          v->label = g_strdup_printf ("lr %g", lrs[i]);
          break;
        case SWEEP_OPTIMIZER:
          v->config.optim = ll_optim_config_default (optims[i]);
          v->label = g_strdup (ll_optim_names[optims[i]]);
          break;
        case SWEEP_SHUFFLE:
          v->config.shuffle = i == 0;
          v->label = g_strdup (i == 0 ? "shuffle on" : "shuffle off");
          break;
        case SWEEP_DROPOUT:
          found = arch_set_all (v->arch, &ll_layer_dropout, NULL, "rate", rates[i], NULL, error);
          v->label = g_strdup_printf ("dropout %g", rates[i]);
          break;
        case SWEEP_KERNEL:
          found = arch_set_all (v->arch, &ll_layer_conv2d, NULL, "kernel_size", kernels[i], NULL, error);
          v->label = g_strdup_printf ("kernel %g×%g", kernels[i], kernels[i]);
          break;
        case SWEEP_INIT:
          found = arch_set_all (v->arch, &ll_layer_dense, &ll_layer_conv2d, "kernel_initializer",
                                0, inits[i], error);
          v->label = g_strdup (inits[i]);
          break;
        case SWEEP_BATCHNORM:
          /* "On" is the model as it is, so it must have some. */
          found = i == 0 ? arch_has (v->arch, &ll_layer_batch_normalization)
                         : arch_remove_all (v->arch, &ll_layer_batch_normalization);
          v->label = g_strdup (i == 0 ? "batch norm on" : "batch norm off");
          break;
        case SWEEP_GAP:
          found = arch_swap_flatten (v->arch, i == 0 ? &ll_layer_flatten
                                                     : &ll_layer_global_average_pooling2d);
          v->label = g_strdup (i == 0 ? "Flatten" : "GlobalAveragePooling2D");
          break;
        case SWEEP_SCHEDULE:
          /* Each variant alone: the document's own schedule and plateau
           * reductions would blur the comparison. */
          v->config.schedule.kind = LL_SCHEDULE_CONSTANT;
          v->config.reduce_lr.enabled = FALSE;
          if (i == 1)
            {
              v->config.schedule.kind = LL_SCHEDULE_STEP;
              v->config.schedule.factor = 0.5;
              v->config.schedule.step_epochs = 2;
            }
          else if (i == 2)
            {
              ensure_validation (&v->config);
              v->config.reduce_lr.enabled = TRUE;
              v->config.reduce_lr.monitor = LL_MONITOR_VAL_LOSS;
              v->config.reduce_lr.factor = 0.2;
              v->config.reduce_lr.patience = 1;
            }
          v->label = g_strdup (i == 0 ? "constant lr" : i == 1 ? "lr ×0.5 every 2 epochs"
                                                      : "ReduceLROnPlateau ×0.2, patience 1");
          break;
        case SWEEP_REGULARIZER:
          found = arch_set_all (v->arch, &ll_layer_dense, NULL, "kernel_regularizer", 0,
                                penalties[i], error);
          v->label = g_strdup_printf ("%s %s", penalties[i], i == 0 ? "regularizer" : "(0.01)");
          break;
        default: /* SWEEP_EARLY_STOP */
          ensure_validation (&v->config);
          v->config.early_stopping.enabled = i == 1;
          v->config.early_stopping.monitor = LL_MONITOR_VAL_LOSS;
          v->config.early_stopping.patience = 2;
          v->config.early_stopping.restore_best_weights = TRUE;
          v->label = g_strdup (i == 0 ? "no early stopping" : "EarlyStopping patience 2");
          break;
        }
      if (error != NULL && *error != NULL)
        return NULL;
      if (!found)
        {
          g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                               missing[kind] != NULL ? missing[kind] : "This model cannot take this sweep");
          return NULL;
        }
      {
        int bad = -1;
        g_autoptr(GError) local = NULL;
        if (!ll_arch_validate (v->arch, &bad, &local))
          {
            g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "With %s the model does not build "
                         "(layer %d): %s", v->label, bad, local->message);
            return NULL;
          }
      }
    }
  return g_steal_pointer (&variants);
}

static void
action_sweep (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  g_autoptr(GError) error = NULL;
  GPtrArray *variants;

  (void) name;
  (void) param;
  if (self->job != NULL || self->cancellable != NULL || self->finder != NULL
      || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  variants = build_sweep (self, gtk_drop_down_get_selected (self->sweep_drop), &error);
  if (variants == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
  self->sweep = variants;
  self->sweep_next = 0;
  /* Only the sweep's runs are overlaid. */
  for (guint i = 0; i < ll_run_list_get_n (self->runs); i++)
    ll_run_list_set_selected (self->runs, i, FALSE);
  gtk_widget_activate_action (widget, "train.start", NULL);
}

/* Training ------------------------------------------------------------------------- */

static char *
format_duration (double s)
{
  int t = (int) (isfinite (s) ? s + 0.5 : 0);

  return t >= 3600 ? g_strdup_printf ("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                   : g_strdup_printf ("%d:%02d", t / 60, t % 60);
}

static void
on_job_progress (LlTrainingJob *job, LlTrainView *self)
{
  LlTrainingProgress p;
  g_autofree char *text = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *status = NULL;

  ll_training_job_get_progress (job, &p);
  /* The Inspect view follows training through the document's snapshots. */
  {
    int epoch, batch;
    LlModel *snapshot = ll_training_job_take_snapshot (job, &epoch, &batch);
    if (snapshot != NULL && self->document != NULL)
      ll_document_publish_snapshot (self->document, snapshot, epoch, batch);
    else if (snapshot != NULL)
      ll_model_free (snapshot);
  }
  if (p.n_batches > 0)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, (p.batch + 1.0) / p.n_batches);
      eta = format_duration (p.eta_seconds);
      text = g_strdup_printf ("Epoch %d/%d · batch %d/%d · ETA %s%s", p.epoch + 1, p.epochs,
                              p.batch + 1, p.n_batches, eta,
                              ll_training_job_get_paused (job) ? " · paused" : "");
      gtk_progress_bar_set_text (self->progress_bar, text);
      status = g_strdup_printf ("%.0f samples/s · loss %.4f · accuracy %.4f · lr %g",
                                p.samples_per_s, p.loss, p.accuracy, p.lr);
      gtk_label_set_text (self->status_label, status);
    }
  rebuild_charts (self);
}

static void
on_job_finished (LlTrainingJob *job, const GError *error, LlTrainView *self)
{
  g_autoptr(LlTrainingJob) done = g_object_ref (job);
  g_autoptr(LlTrainer) trainer = NULL;
  LlRun *run;
  double test_loss, test_accuracy;

  run = current_run (self);
  if (error == NULL)
    run->status = g_strdup ("finished");
  else if (g_error_matches (error, LL_ERROR, LL_ERROR_DIVERGED))
    run->status = g_strdup ("diverged");
  else if (g_error_matches (error, LL_ERROR, LL_ERROR_CANCELLED))
    run->status = g_strdup ("stopped");
  else
    run->status = g_strdup ("failed");
  if (ll_training_job_get_test (job, &test_loss, &test_accuracy))
    {
      g_autofree char *text = g_strdup_printf ("Test set: loss %.4f, accuracy %.2f %%",
                                               test_loss, 100 * test_accuracy);
      const guint32 *matrix;
      int n_classes = 0;

      run->test_loss = test_loss;
      run->test_accuracy = test_accuracy;
      gtk_label_set_text (self->status_label, text);
      matrix = ll_training_job_get_confusion (job, &n_classes);
      if (matrix != NULL)
        {
          const char *const *names = ll_dataset_class_names (self->job_dataset);
          g_autofree char *figures = NULL;
          guint64 total = 0, right = 0;

          for (int t = 0; t < n_classes; t++)
            for (int p = 0; p < n_classes; p++)
              {
                total += matrix[t * n_classes + p];
                right += t == p ? matrix[t * n_classes + p] : 0;
              }
          figures = g_strdup_printf ("%s on the %s test set (%" G_GUINT64_FORMAT " images): "
                                     "loss %.4f, accuracy %.2f %% (%" G_GUINT64_FORMAT " right). "
                                     "Rows: true class; columns: predicted.",
                                     run->name, self->job_dataset, total, test_loss,
                                     100 * test_accuracy, right);
          ll_confusion_matrix_set_data (self->confusion, matrix, n_classes, names);
          gtk_label_set_text (self->test_label, figures);
          gtk_stack_page_set_visible (self->test_page, TRUE);
          gtk_stack_page_set_needs_attention (self->test_page,
                                              gtk_stack_get_visible_child (self->chart_stack)
                                              != gtk_stack_page_get_child (self->test_page));
        }
    }
  if (error != NULL && !g_error_matches (error, LL_ERROR, LL_ERROR_CANCELLED))
    show_message (self, GTK_MESSAGE_ERROR, error->message);

  g_signal_handlers_disconnect_by_data (job, self);
  trainer = ll_training_job_steal_trainer (job);
  g_clear_object (&self->job);
  /* The weights go back unless the stack was edited meanwhile; a sweep's
   * runs are comparisons, not the model. */
  if (trainer != NULL && self->sweep == NULL && self->document != NULL
      && ll_document_get_valid (self->document)
      && ll_arch_equal (ll_document_get_arch (self->document), self->job_arch))
    {
      self->updating = TRUE;
      ll_document_set_trained_model (self->document, g_steal_pointer (&trainer));
      self->updating = FALSE;
    }
  clear_job_settings (self);

  run->selected = TRUE;
  ll_run_list_add (self->runs, run);   /* rebuilds list and charts */
  save_runs (self);
  gtk_progress_bar_set_text (self->progress_bar, error == NULL ? "Finished" : run->status);
  gtk_toggle_button_set_active (self->pause_button, FALSE);
  /* The next value of a sweep, unless the user stopped it. */
  if (self->sweep != NULL)
    {
      if (self->sweep_next < self->sweep->len
          && !g_error_matches (error, LL_ERROR, LL_ERROR_CANCELLED))
        start_job (self);
      else
        g_clear_pointer (&self->sweep, g_ptr_array_unref);
    }
  update_actions (self);
}

static void
clear_job_settings (LlTrainView *self)
{
  g_clear_pointer (&self->job_arch, ll_arch_free);
  if (self->job_config != NULL)
    ll_fit_config_clear (self->job_config);
  g_clear_pointer (&self->job_config, g_free);
  g_clear_pointer (&self->job_label, g_free);
}

static void
start_job (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;
  LlModel *model;
  LlTrainer *trainer;
  const Variant *v = NULL;
  const LlFitConfig *cfg;

  if (self->job != NULL || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  if (self->sweep != NULL && self->sweep_next < self->sweep->len)
    v = g_ptr_array_index (self->sweep, self->sweep_next++);
  cfg = v != NULL ? &v->config : ll_document_get_config (self->document);
  if (!ll_fit_config_validate (cfg, &error))
    {
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      return;
    }
  /* A run starts from the seed's weights, so runs with one seed pair up. */
  model = v != NULL ? ll_model_new (v->arch, &error)
                    : ll_model_copy (ll_document_get_model (self->document));
  if (model == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      return;
    }
  trainer = ll_trainer_new (model, cfg);
  ll_trainer_reset (trainer);
  clear_job_settings (self);
  self->job_config = g_new0 (LlFitConfig, 1);
  ll_fit_config_copy (self->job_config, cfg);
  self->job_label = v != NULL ? g_strdup (v->label) : NULL;
  self->job = ll_training_job_new (trainer, self->data, G_OBJECT (self));
  self->job_arch = ll_arch_copy (v != NULL ? v->arch : ll_document_get_arch (self->document));
  g_free (self->job_dataset);
  self->job_dataset = g_strdup (self->data_name);
  g_signal_connect (self->job, "progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect (self->job, "finished", G_CALLBACK (on_job_finished), self);
  if (!ll_training_job_start (self->job, &error))
    {
      g_clear_object (&self->job);
      g_clear_pointer (&self->job_arch, ll_arch_free);
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  gtk_info_bar_set_revealed (self->info_bar, FALSE);
  gtk_spin_button_set_value (self->live_lr_spin, cfg->optim.learning_rate);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, "Starting…");
  rebuild_charts (self);
  update_actions (self);
}

/* LR finder ---------------------------------------------------------------------
 * A learning-rate range test (Smith 2015, fastai's lr_find): one short run on
 * a copy of the model, from the seed's weights, that multiplies the learning
 * rate by a constant factor after every batch, from 1e-6 to 1, and records
 * the smoothed loss.  It stops early once the loss has blown up. */

#define FINDER_STEPS 100
#define FINDER_LR_MIN 1e-6
#define FINDER_LR_MAX 1.0

typedef struct {
  LlTrainer *trainer;
  LlTrainingData *data;
  GCancellable *cancellable;
  LlFitControl control;
  GArray *lr;                   /* double: lr of the step measured */
  GArray *loss;                 /* double: smoothed loss after that step */
  double prev_lr, ema, best;
  int n;
} Finder;

static void
finder_free (Finder *f)
{
  g_clear_pointer (&f->trainer, ll_trainer_free);
  g_clear_pointer (&f->data, ll_training_data_unref);
  g_clear_pointer (&f->lr, g_array_unref);
  g_clear_pointer (&f->loss, g_array_unref);
  g_free (f);
}

static void
finder_on_batch (const LlBatchEvent *ev, gpointer user_data)
{
  Finder *f = user_data;

  /* A batch's loss shows the effect of the previous step's lr. */
  if (f->n > 0 && isfinite (ev->batch_loss))
    {
      double smooth;

      f->ema = 0.98 * f->ema + 0.02 * ev->batch_loss;
      smooth = f->ema / (1.0 - pow (0.98, f->n));
      g_array_append_val (f->lr, f->prev_lr);
      g_array_append_val (f->loss, smooth);
      f->best = MIN (f->best, smooth);
      if (f->n > 10 && smooth > 4 * f->best)
        g_atomic_int_set (&f->control.cancel, 1);
    }
  f->prev_lr = ev->lr;
  f->n++;
  if (f->n > FINDER_STEPS || !isfinite (ev->batch_loss)
      || g_cancellable_is_cancelled (f->cancellable))
    g_atomic_int_set (&f->control.cancel, 1);
  else
    ll_trainer_request_lr (f->trainer, FINDER_LR_MIN * pow (FINDER_LR_MAX / FINDER_LR_MIN,
                                                            (double) f->n / FINDER_STEPS));
}

static void
finder_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Finder *f = task_data;
  LlFitCallbacks callbacks = { finder_on_batch, NULL, NULL };

  (void) source;
  (void) cancellable;
  /* Stopped by us when done, or diverged: what was recorded is the result. */
  ll_trainer_fit (f->trainer, f->data->train, NULL, &callbacks, f, &f->control, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
finder_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlTrainView *self = LL_TRAIN_VIEW (source);
  Finder *f = g_task_get_task_data (G_TASK (result));
  const double *lr = (const double *) f->lr->data;
  const double *loss = (const double *) f->loss->data;
  guint n = f->lr->len, i_min = 0, i_steep = 0;
  g_autofree double *x = g_new (double, MAX (n, 1));
  g_autofree char *text = NULL;
  gboolean cancelled = g_cancellable_is_cancelled (f->cancellable);
  double steepest = 0;
  guint s;

  (void) user_data;
  g_clear_object (&self->finder);
  for (guint i = 0; i < n; i++)
    {
      x[i] = log10 (lr[i]);
      if (loss[i] < loss[i_min])
        i_min = i;
    }
  /* Steepest descent of the smoothed loss against log lr, before the minimum. */
  for (guint i = 2; i <= i_min; i++)
    if (loss[i] - loss[i - 2] < steepest)
      {
        steepest = loss[i] - loss[i - 2];
        i_steep = i - 1;
      }
  ll_line_chart_clear (self->lr_chart);
  ll_line_chart_set_labels (self->lr_chart, "Learning-rate range test",
                            "log10 learning rate", "loss (smoothed)");
  s = ll_line_chart_add_series (self->lr_chart, "loss", 0, FALSE, FALSE);
  ll_line_chart_set_data (self->lr_chart, s, x, loss, n);
  if (cancelled || n < 10)
    {
      self->found_lr = 0;
      text = g_strdup (cancelled ? "The range test was stopped."
                                 : "Too few batches for a range test: use more training images "
                                   "or a smaller batch.");
    }
  else
    {
      self->found_lr = lr[i_min] / 10.0;
      ll_line_chart_add_marker (self->lr_chart, log10 (lr[i_min]), "lowest loss");
      ll_line_chart_add_marker (self->lr_chart, log10 (self->found_lr), "suggested");
      if (i_steep > 0)
        ll_line_chart_add_marker (self->lr_chart, x[i_steep], "steepest");
      text = g_strdup_printf ("%u batches, lr %.0e → %.2g. Lowest loss %.3f at lr %.2g; steepest "
                              "descent at lr %.2g. Suggested: %.2g, a tenth of the lowest-loss lr.",
                              n, lr[0], lr[n - 1], loss[i_min], lr[i_min],
                              i_steep > 0 ? lr[i_steep] : NAN, self->found_lr);
    }
  gtk_label_set_text (self->lr_label, text);
  gtk_stack_page_set_visible (self->lr_page, TRUE);
  gtk_stack_set_visible_child (self->chart_stack, gtk_stack_page_get_child (self->lr_page));
  gtk_progress_bar_set_text (self->progress_bar, "Ready");
  update_actions (self);
}

static void
start_finder (LlTrainView *self)
{
  g_autoptr(GTask) task = NULL;
  LlFitConfig cfg;
  Finder *f;

  if (self->finder != NULL || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  ll_fit_config_copy (&cfg, ll_document_get_config (self->document));
  cfg.epochs = 1;
  cfg.validation_split = 0;
  cfg.schedule.kind = LL_SCHEDULE_CONSTANT;
  cfg.early_stopping.enabled = FALSE;
  cfg.reduce_lr.enabled = FALSE;
  cfg.checkpoint.enabled = FALSE;
  cfg.optim.learning_rate = FINDER_LR_MIN;
  f = g_new0 (Finder, 1);
  f->trainer = ll_trainer_new (ll_model_copy (ll_document_get_model (self->document)), &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (f->trainer);
  f->data = ll_training_data_ref (self->data);
  f->lr = g_array_new (FALSE, FALSE, sizeof (double));
  f->loss = g_array_new (FALSE, FALSE, sizeof (double));
  f->best = INFINITY;
  self->finder = g_cancellable_new ();
  f->cancellable = self->finder;   /* the task keeps it alive */
  task = g_task_new (self, self->finder, finder_done, NULL);
  g_task_set_task_data (task, f, (GDestroyNotify) finder_free);
  g_task_run_in_thread (task, finder_thread);
  gtk_progress_bar_set_text (self->progress_bar, "Learning-rate range test…");
  update_actions (self);
}

static void
action_use_found_lr (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  LlFitConfig c;

  (void) name;
  (void) param;
  if (self->document == NULL || self->found_lr <= 0)
    return;
  ll_fit_config_copy (&c, ll_document_get_config (self->document));
  c.optim.learning_rate = self->found_lr;
  ll_document_set_config (self->document, &c);
  ll_fit_config_clear (&c);
}

/* Data loading in a GTask: 0.3 s for MNIST is too long for the main thread. */
static void
load_data_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *name = ((char **) task_data)[0];
  const char *dir = *((char **) task_data)[1] != '\0' ? ((char **) task_data)[1] : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL;
  LlDataset *test;

  (void) source;
  (void) cancellable;
  train = ll_dataset_load_named (name, dir, FALSE, &error);
  if (train == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  test = ll_dataset_load_named (name, dir, TRUE, NULL);   /* optional */
  g_task_return_pointer (task, ll_training_data_new (g_steal_pointer (&train), test),
                         (GDestroyNotify) ll_training_data_unref);
}

static void
load_data_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlTrainView *self = LL_TRAIN_VIEW (source);
  g_autoptr(GError) error = NULL;
  LlTrainingData *data = g_task_propagate_pointer (G_TASK (result), &error);

  (void) user_data;
  g_clear_object (&self->cancellable);
  if (data == NULL)
    {
      g_clear_pointer (&self->sweep, g_ptr_array_unref);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          show_message (self, GTK_MESSAGE_ERROR, error->message);
          gtk_progress_bar_set_text (self->progress_bar, "Ready");
        }
      update_actions (self);
      return;
    }
  g_clear_pointer (&self->data, ll_training_data_unref);
  self->data = data;
  g_free (self->data_name);
  self->data_name = g_strdup (((char **) g_task_get_task_data (G_TASK (result)))[0]);
  if (self->then_find_lr)
    start_finder (self);
  else
    start_job (self);
}

static void
action_start (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  const char *dataset;
  g_autoptr(GTask) task = NULL;

  (void) param;
  if (self->job != NULL || self->cancellable != NULL || self->finder != NULL
      || self->document == NULL || !ll_document_get_valid (self->document))
    return;
  self->then_find_lr = g_strcmp0 (name, "train.find-lr") == 0;
  dataset = effective_dataset (self);
  if (self->data != NULL && g_strcmp0 (self->data_name, dataset) == 0)
    {
      if (self->then_find_lr)
        start_finder (self);
      else
        start_job (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_data_done, NULL);
  {
    const char *strv[] = { dataset, self->data_dir != NULL ? self->data_dir : "", NULL };
    g_task_set_task_data (task, g_strdupv ((char **) strv), (GDestroyNotify) g_strfreev);
  }
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_data_thread);
  gtk_progress_bar_set_text (self->progress_bar, "Loading the data set…");
  update_actions (self);
}

static void
action_stop (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  (void) name;
  (void) param;
  if (self->job != NULL)
    {
      ll_training_job_set_paused (self->job, FALSE);
      ll_training_job_cancel (self->job);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->finder != NULL)
    g_cancellable_cancel (self->finder);
  /* Stop ends the whole sweep, not just its current run. */
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
}

static void
action_pause (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  gboolean paused;

  (void) name;
  (void) param;
  if (self->job == NULL)
    return;
  paused = !ll_training_job_get_paused (self->job);
  ll_training_job_set_paused (self->job, paused);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), paused ? "_Resume" : "_Pause");
  gtk_toggle_button_set_active (self->pause_button, paused);
  on_job_progress (self->job, self);
}

static void
action_apply_dropout (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  (void) name;
  (void) param;
  if (self->job != NULL)
    {
      gtk_spin_button_update (self->live_dropout_spin);
      ll_training_job_request_dropout (self->job, gtk_spin_button_get_value (self->live_dropout_spin));
      rebuild_charts (self);
    }
}

static void
action_apply_lr (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  (void) name;
  (void) param;
  if (self->job != NULL)
    {
      gtk_spin_button_update (self->live_lr_spin);
      ll_training_job_request_lr (self->job, gtk_spin_button_get_value (self->live_lr_spin));
      rebuild_charts (self);
    }
}

static LlRun *
last_ticked (LlTrainView *self, guint *index)
{
  for (guint i = ll_run_list_get_n (self->runs); i-- > 0;)
    if (ll_run_list_get (self->runs, i)->selected)
      {
        if (index != NULL)
          *index = i;
        return ll_run_list_get (self->runs, i);
      }
  return NULL;
}

static void
action_clone (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  LlRun *run = last_ticked (self, NULL);
  g_autofree char *text = NULL;

  (void) name;
  (void) param;
  if (run == NULL || self->document == NULL)
    return;
  self->updating = TRUE;
  if (run->dataset != NULL)
    ll_document_set_dataset (self->document, run->dataset);
  ll_document_set_config (self->document, &run->config);
  self->updating = FALSE;
  load_settings (self);
  text = g_strdup_printf ("The settings of %s (seed %" G_GUINT64_FORMAT ") are loaded: change one "
                          "knob and press Start for a paired run with the same initial weights "
                          "and data order.", run->name, run->config.seed);
  show_message (self, GTK_MESSAGE_INFO, text);
}

static void
action_delete_runs (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  (void) name;
  (void) param;
  for (guint i = ll_run_list_get_n (self->runs); i-- > 0;)
    if (ll_run_list_get (self->runs, i)->selected)
      ll_run_list_remove (self->runs, i);
  save_runs (self);
}

/* The run's initial weights (its seed's) as a model file, and the run. */
static gboolean
export_run (LlTrainView *self, const char *path, GError **error)
{
  LlRun *run = last_ticked (self, NULL);
  g_autoptr(LlArch) arch = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LlModel *model;

  if (run == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "Tick a run to export it");
      return FALSE;
    }
  if (run->arch_json == NULL || (arch = ll_arch_from_json (run->arch_json, -1, error)) == NULL
      || (model = ll_model_new (arch, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_INVALID, "This run does not record its model");
      return FALSE;
    }
  trainer = ll_trainer_new (model, &run->config);
  ll_trainer_reset (trainer);
  bytes = ll_model_file_to_bytes (trainer, error);
  return bytes != NULL && ll_run_export (run, bytes, path, error);
}

/* Loads a run file's model and settings into the document, keeps the run
 * for comparison, and trains it again: the curves should lie on top. */
static gboolean
replay_run (LlTrainView *self, const char *path, GError **error)
{
  g_autoptr(LlRun) run = ll_run_import (path, NULL, error);
  g_autoptr(LlArch) arch = NULL;
  char *name;

  if (run == NULL || self->document == NULL)
    return FALSE;
  if (run->arch_json == NULL || (arch = ll_arch_from_json (run->arch_json, -1, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, "%s does not record its model", path);
      return FALSE;
    }
  ll_document_set_arch (self->document, arch);
  ll_document_set_config (self->document, &run->config);
  if (run->dataset != NULL)
    ll_document_set_dataset (self->document, run->dataset);
  name = g_strdup_printf ("%s (from file)", run->name);
  g_free (run->name);
  run->name = name;
  for (guint i = 0; i < ll_run_list_get_n (self->runs); i++)
    ll_run_list_set_selected (self->runs, i, FALSE);
  run->selected = TRUE;
  ll_run_list_add (self->runs, g_steal_pointer (&run));
  save_runs (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "train.start", NULL);
  return TRUE;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, LlTrainView *self)
{
  const char *kind = g_object_get_data (G_OBJECT (dialog), "kind");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;

      if (g_strcmp0 (kind, "csv") == 0)
        {
          LlRun *run = last_ticked (self, NULL);
          ok = run != NULL && ll_run_export_csv (run, path, &error);
          if (run == NULL)
            g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, "Tick a run to export its history");
        }
      else if (g_strcmp0 (kind, "run") == 0)
        ok = export_run (self, path, &error);
      else if (g_strcmp0 (kind, "replay") == 0)
        ok = replay_run (self, path, &error);
      else if (g_strcmp0 (kind, "png") == 0)
        ok = ll_line_chart_export_png (self->loss_chart, path, 1200, 800, &error);
      else
        ok = ll_line_chart_export_svg (self->loss_chart, path, 1200, 800, &error);
      if (!ok)
        show_message (self, GTK_MESSAGE_ERROR, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_with (LlTrainView *self, const char *kind)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autofree char *suggested = g_strcmp0 (kind, "run") == 0
    ? g_strdup ("layerlab-run.json")
    : g_strdup_printf ("layerlab-%s.%s", g_strcmp0 (kind, "csv") == 0 ? "history" : "loss", kind);

  gboolean open = g_strcmp0 (kind, "replay") == 0;

  dialog = gtk_file_chooser_native_new (open ? "Replay a Run" : "Export",
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        open ? GTK_FILE_CHOOSER_ACTION_OPEN : GTK_FILE_CHOOSER_ACTION_SAVE,
                                        open ? "_Replay" : "_Export", "_Cancel");
  if (!open)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "kind", g_strdup (kind), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_export_csv (GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  export_with (LL_TRAIN_VIEW (widget), "csv");
}

static void
action_export_chart (GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  export_with (LL_TRAIN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
on_data_dir_response (GtkNativeDialog *dialog, int response, LlTrainView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_data_dir (self, path, FALSE, TRUE);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
action_choose_data_dir (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;

  (void) name;
  (void) param;
  dialog = gtk_file_chooser_native_new ("Folder with the Data Sets",
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Select", "_Cancel");
  if (self->data_dir != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (self->data_dir);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), current, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_data_dir_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_clear_data_dir (GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  set_data_dir (LL_TRAIN_VIEW (widget), NULL, FALSE, TRUE);
}

/* Live dropout changes need a Dropout layer in the model being trained. */
static gboolean
arch_has_dropout (LlTrainView *self)
{
  const LlArch *arch = self->document != NULL ? ll_document_get_arch (self->document) : NULL;
  for (int i = 0; arch != NULL && i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == &ll_layer_dropout)
      return TRUE;
  return FALSE;
}

static void
update_actions (LlTrainView *self)
{
  gboolean valid = self->document != NULL && ll_document_get_valid (self->document);
  gboolean busy = self->job != NULL || self->cancellable != NULL || self->finder != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.start", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.find-lr", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.sweep", valid && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.use-found-lr",
                                 !busy && self->found_lr > 0 && self->document != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.stop", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.pause", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.apply-lr", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.apply-dropout",
                                 self->job != NULL && arch_has_dropout (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->settings_box), !busy);
  if (self->job == NULL)
    gtk_button_set_label (GTK_BUTTON (self->pause_button), "_Pause");
}

/* Document ------------------------------------------------------------------------ */

static void
update_validity (LlTrainView *self)
{
  g_autofree char *text = NULL;

  update_actions (self);
  if (self->document == NULL || ll_document_get_valid (self->document))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->validity_label), FALSE);
      return;
    }
  text = g_strdup_printf ("The model cannot be trained (layer %d): %s Fix it in the Model view.",
                          ll_document_get_bad_layer (self->document),
                          ll_document_get_error_message (self->document));
  gtk_label_set_text (self->validity_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->validity_label), TRUE);
}

static void
on_document_changed (LlTrainView *self)
{
  if (self->updating)
    return;
  /* Another model (edit, open, preset) while training: stop cleanly. */
  if (self->job != NULL && !ll_arch_equal (ll_document_get_arch (self->document), self->job_arch))
    ll_training_job_cancel (self->job);
  load_settings (self);
  update_validity (self);
}

static void
ll_train_view_document_set (LlView *view, LlDocument *old)
{
  LlTrainView *self = LL_TRAIN_VIEW (view);
  LlDocument *document = ll_view_get_document (view);

  if (self->job != NULL)
    ll_training_job_cancel (self->job);
  self->document = document;
  if (document != NULL)
    g_signal_connect_swapped (document, "notify::valid", G_CALLBACK (update_validity), self);
  else
    {
      load_settings (self);
      update_validity (self);
    }
}

static void
ll_train_view_document_changed (LlView *view)
{
  on_document_changed (LL_TRAIN_VIEW (view));
}

static void
ll_train_view_dispose (GObject *object)
{
  LlTrainView *self = LL_TRAIN_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->finder != NULL)
    g_cancellable_cancel (self->finder);
  g_clear_object (&self->finder);
  if (self->job != NULL)
    {
      /* Disposing the job cancels it and joins the worker. */
      g_signal_handlers_disconnect_by_data (self->job, self);
      g_clear_object (&self->job);
    }
  self->document = NULL;
  if (self->runs != NULL)
    g_signal_handlers_disconnect_by_data (self->runs, self);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->data, ll_training_data_unref);
  g_clear_pointer (&self->data_name, g_free);
  clear_job_settings (self);
  g_clear_pointer (&self->sweep, g_ptr_array_unref);
  g_clear_pointer (&self->job_dataset, g_free);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->data_dir, g_free);
  for (int i = 0; i < N_DATASETS; i++)
    g_clear_pointer (&self->missing[i], g_free);
  g_clear_object (&self->dataset_titles_model);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_TRAIN_VIEW);

  G_OBJECT_CLASS (ll_train_view_parent_class)->dispose (object);
}

static void
ll_train_view_class_init (LlTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_train_view_dispose;
  view_class->document_set = ll_train_view_document_set;
  view_class->document_changed = ll_train_view_document_changed;

  g_type_ensure (LL_TYPE_LINE_CHART);
  g_type_ensure (LL_TYPE_CONFUSION_MATRIX);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-train-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, settings_box);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, info_bar);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, info_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, validity_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, live_lr_spin);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, live_dropout_spin);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, log_button);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, loss_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, accuracy_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, runs_box);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, chart_stack);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, chart_switcher);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, test_page);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, test_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, confusion);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_chart);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_label);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, lr_page);
  gtk_widget_class_bind_template_child (widget_class, LlTrainView, sweep_drop);

  gtk_widget_class_install_action (widget_class, "train.start", NULL, action_start);
  gtk_widget_class_install_action (widget_class, "train.stop", NULL, action_stop);
  gtk_widget_class_install_action (widget_class, "train.find-lr", NULL, action_start);
  gtk_widget_class_install_action (widget_class, "train.sweep", NULL, action_sweep);
  gtk_widget_class_install_action (widget_class, "train.use-found-lr", NULL, action_use_found_lr);
  gtk_widget_class_install_action (widget_class, "train.pause", NULL, action_pause);
  gtk_widget_class_install_action (widget_class, "train.apply-lr", NULL, action_apply_lr);
  gtk_widget_class_install_action (widget_class, "train.apply-dropout", NULL, action_apply_dropout);
  gtk_widget_class_install_action (widget_class, "train.clone", NULL, action_clone);
  gtk_widget_class_install_action (widget_class, "train.delete-runs", NULL, action_delete_runs);
  gtk_widget_class_install_action (widget_class, "train.export-csv", NULL, action_export_csv);
  gtk_widget_class_install_action (widget_class, "train.export-chart", "s", action_export_chart);
  gtk_widget_class_install_action (widget_class, "train.choose-data-dir", NULL, action_choose_data_dir);
  gtk_widget_class_install_action (widget_class, "train.clear-data-dir", NULL, action_clear_data_dir);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "train.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "train.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "train.stop", NULL);
}

static void
on_info_response (GtkInfoBar *bar, int response, gpointer data)
{
  (void) response;
  (void) data;
  gtk_info_bar_set_revealed (bar, FALSE);
}

static void
update_switcher (LlTrainView *self)
{
  gtk_widget_set_visible (self->chart_switcher, gtk_stack_page_get_visible (self->test_page)
                                                || gtk_stack_page_get_visible (self->lr_page));
}

static void
on_chart_page_changed (LlTrainView *self)
{
  if (gtk_stack_get_visible_child (self->chart_stack) == gtk_stack_page_get_child (self->test_page))
    gtk_stack_page_set_needs_attention (self->test_page, FALSE);
}

/* Presentation mode's larger text needs wider settings, or the rows wrap.
 * The paned is the view's one child. */
static void
apply_presentation (GtkWidget *widget)
{
  gtk_paned_set_position (GTK_PANED (gtk_widget_get_first_child (widget)),
                          ll_presentation_active (widget) ? 500 : 380);
}

static void
ll_train_view_init (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;
  const char *env_dir = g_getenv ("LAYERLAB_DATA_DIR");
  g_autofree char *saved_dir = NULL;

  /* Without the schema (or an older one) nothing is kept. */
  self->settings = ll_settings_new_if_installed ("data-dir");

  gtk_widget_init_template (GTK_WIDGET (self));
  ll_presentation_watch (GTK_WIDGET (self), apply_presentation);
  build_settings (self);
  {
    g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

    for (guint i = 0; i < N_SWEEPS; i++)
      gtk_string_list_append (titles, sweeps[i].title);
    gtk_drop_down_set_model (self->sweep_drop, G_LIST_MODEL (titles));
  }
  {
    GtkWidget *empty = gtk_label_new (_("No runs yet: press Start, or run a sweep to train one run per value"));

    gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
    gtk_widget_set_margin_top (empty, 12);
    gtk_widget_set_margin_bottom (empty, 12);
    gtk_widget_set_margin_start (empty, 12);
    gtk_widget_set_margin_end (empty, 12);
    gtk_widget_add_css_class (empty, "dim-label");
    gtk_list_box_set_placeholder (self->runs_box, empty);
  }
  /* The environment wins, for scripted demos and tests; the folder chosen
   * last is remembered otherwise. */
  if (self->settings != NULL)
    saved_dir = g_settings_get_string (self->settings, "data-dir");
  if (env_dir != NULL && *env_dir != '\0')
    set_data_dir (self, env_dir, TRUE, FALSE);
  else
    set_data_dir (self, saved_dir, FALSE, FALSE);
  g_signal_connect (self->info_bar, "response", G_CALLBACK (on_info_response), NULL);
  /* One tab is no choice: the switcher shows once there are test figures. */
  g_signal_connect_swapped (self->lr_page, "notify::visible", G_CALLBACK (update_switcher), self);
  g_signal_connect_swapped (self->test_page, "notify::visible", G_CALLBACK (update_switcher), self);
  update_switcher (self);
  g_signal_connect_swapped (self->chart_stack, "notify::visible-child",
                            G_CALLBACK (on_chart_page_changed), self);
  g_object_bind_property (self->log_button, "active", self->loss_chart, "log-scale", G_BINDING_DEFAULT);

  self->runs = ll_run_list_new (NULL);
  if (!ll_run_list_load (self->runs, &error))
    show_message (self, GTK_MESSAGE_WARNING, error->message);
  g_signal_connect_swapped (self->runs, "changed", G_CALLBACK (on_runs_changed), self);
  on_runs_changed (self);
  update_actions (self);
}

GtkWidget *
ll_train_view_new (void)
{
  return g_object_new (LL_TYPE_TRAIN_VIEW, NULL);
}

LlTrainingJob *
ll_train_view_get_job (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->job;
}

LlRunList *
ll_train_view_get_run_list (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->runs;
}

const char *
ll_train_view_get_data_dir (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return self->data_dir;
}

void
ll_train_view_set_data_dir (LlTrainView *self, const char *dir)
{
  g_return_if_fail (LL_IS_TRAIN_VIEW (self));
  set_data_dir (self, dir, FALSE, TRUE);
}

const char *
ll_train_view_get_dataset (LlTrainView *self)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), NULL);
  return effective_dataset (self);
}

gboolean
ll_train_view_export_run (LlTrainView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), FALSE);
  return export_run (self, path, error);
}

gboolean
ll_train_view_replay (LlTrainView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_TRAIN_VIEW (self), FALSE);
  return replay_run (self, path, error);
}
