/* ll-train-view-settings.c: the Train view's settings form (built in
 * code, editing the document's LlFitConfig) and which data sets are on
 * this machine. */
#include "ll-train-view-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

static void dataset_item_setup (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self);
static void dataset_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self);

static const char *const dataset_titles[N_DATASETS] = { "MNIST", "Fashion-MNIST", "CIFAR-10" };
/* Values per image, to fall back only to a set the model's input takes. */
static const int dataset_sizes[N_DATASETS] = { 28 * 28, 28 * 28, 32 * 32 * 3 };

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
  g_autofree char *lo_text = g_strdup_printf ("%.*f", digits, lo);
  g_autofree char *hi_text = g_strdup_printf ("%.*f", digits, hi);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  /* Room for the longest value (GTK's own estimate cut "0.9000" to "0.900"). */
  gtk_editable_set_width_chars (GTK_EDITABLE (spin),
                                (int) MIN (MAX (strlen (lo_text), strlen (hi_text)) + 1, 13));
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

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_item_set_child (item, label);
}

static void
name_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkStringObject *name = gtk_list_item_get_item (item);

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

/* "0.001" as a Keras user reads a default; flags as on/off. */
static char *
format_default (double v, gboolean is_flag)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (is_flag)
    return g_strdup (v != 0 ? _("on") : _("off"));
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", v));
}

/* The table's tooltip, which optimizers use it and Keras' defaults. */
static char *
hyper_tooltip (LlHyper h)
{
  const LlHyperSpec *spec = ll_hyper_spec (h);
  g_autoptr(GString) users = g_string_new (NULL);
  g_autoptr(GString) defaults = g_string_new (NULL);
  g_autofree char *def = format_default (spec->keras_default, spec->is_flag);

  g_string_append (defaults, def);
  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      const LlOptimInfo *info = ll_optim_info ((LlOptimKind) k);
      double v = ll_hyper_default (h, (LlOptimKind) k);

      if (!ll_optim_uses ((LlOptimKind) k, h))
        continue;
      g_string_append_printf (users, "%s%s", users->len ? ", " : "", info->keras_class);
      if (v != spec->keras_default)
        {
          g_autofree char *other = format_default (v, spec->is_flag);
          g_string_append_printf (defaults, ", %s %s", info->keras_class, other);
        }
    }
  return g_strdup_printf (_("%s. %s (Keras: %s)"), _(spec->tooltip), users->str, defaults->str);
}

static char *
fit_tooltip (const LlFitSpec *spec)
{
  g_autofree char *def = NULL;

  if (spec->keras == NULL || spec->keras_required)
    return g_strdup (_(spec->tooltip));
  def = spec->type == LL_FIT_TYPE_CHOICE ? g_strdup (spec->choices[(int) spec->default_value])
                                         : format_default (spec->default_value, spec->type == LL_FIT_TYPE_FLAG);
  return g_strdup_printf (_("%s (Keras: %s)"), _(spec->tooltip), def);
}

/* The rows of the fit-settings table whose form group is `group` (the
 * untranslated N_() name), in table order. */
static void
add_fit_rows (LlTrainView *self, GtkWidget *g, const char *group)
{
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const LlFitSpec *spec = ll_fit_spec ((LlFitField) f);
      g_autofree char *tip = NULL;
      double lo, hi;

      if (g_strcmp0 (spec->form_group, group) != 0)
        continue;
      tip = fit_tooltip (spec);
      switch (spec->type)
        {
        case LL_FIT_TYPE_FLAG:
          self->fit_controls[f] = GTK_WIDGET (add_check (self, g, _(spec->label), tip));
          break;
        case LL_FIT_TYPE_CHOICE:
          self->fit_controls[f] = GTK_WIDGET (add_drop (self, g, _(spec->label), tip, spec->choices));
          break;
        case LL_FIT_TYPE_SEED:
          /* The seed spin stops at 2^31 − 1: enough to choose one; files keep 64 bits. */
          self->fit_controls[f] = GTK_WIDGET (add_spin (self, g, _(spec->label), tip, 0, G_MAXINT32, 1, 0));
          break;
        case LL_FIT_TYPE_INT:
        case LL_FIT_TYPE_NUMBER:
          ll_fit_form_range ((LlFitField) f, &lo, &hi);
          self->fit_controls[f] = GTK_WIDGET (add_spin (self, g, _(spec->label), tip, lo, hi,
                                                        spec->step, spec->digits));
          break;
        case LL_FIT_TYPE_PATH:
        default:
          break;
        }
    }
}

void
ll_train_view_build_settings (LlTrainView *self)
{
  GtkWidget *g;
  GtkWidget *choose, *buttons;
  GtkListItemFactory *factory;

  g = add_group (self, _("Data"));
  self->dataset_titles_model = gtk_string_list_new ((const char *const *) dataset_titles);
  self->dataset_drop = GTK_DROP_DOWN (gtk_drop_down_new (g_object_ref (G_LIST_MODEL (self->dataset_titles_model)), NULL));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (dataset_item_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (dataset_item_bind), self);
  gtk_drop_down_set_factory (self->dataset_drop, factory);
  g_object_unref (factory);
  g_signal_connect_swapped (self->dataset_drop, "notify::selected", G_CALLBACK (settings_changed), self);
  add_row (g, _("Data set"), _("The images to train on; greyed out: not on this machine (hover for "
           "what to do)"), GTK_WIDGET (self->dataset_drop));

  self->data_dir_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->data_dir_row), _("Data folder"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->data_dir_row),
                               _("A folder searched first: it may hold the files themselves or one "
                               "folder per data set (mnist, fashion-mnist, cifar10)"));
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
  self->data_dir_clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (self->data_dir_clear, _("Search only the standard places"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->data_dir_clear), "train.clear-data-dir");
  gtk_widget_add_css_class (self->data_dir_clear, "flat");
  choose = gtk_button_new_with_mnemonic (_("Data _folder…"));
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
  add_fit_rows (self, g, _("Data"));

  g = add_group (self, _("Fit"));
  add_fit_rows (self, g, _("Fit"));

  /* Layerlab starts with Adam (ll_fit_config_init), as the tutorials do;
   * the tooltip says so rather than calling it Keras' default. */
  g = add_group (self, _("Optimizer"));
  self->optim_drop = add_drop (self, g, _("Optimizer"),
                               _("Layerlab starts with Adam, as the tutorials do (Keras' compile() "
                                 "default is RMSprop); choosing another loads its Keras defaults"),
                               (const char *const *) ll_optim_names);
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec ((LlHyper) h);
      g_autofree char *tip = hyper_tooltip ((LlHyper) h);

      if (spec->is_flag)
        self->hyper_controls[h] = GTK_WIDGET (add_check (self, g, _(spec->label), tip));
      else
        {
          double lo, hi;
          ll_hyper_form_range ((LlHyper) h, &lo, &hi);
          self->hyper_controls[h] = GTK_WIDGET (add_spin (self, g, _(spec->label), tip, lo, hi,
                                                          spec->step, spec->digits));
        }
    }

  g = add_group (self, _("Learning-rate schedule"));
  add_fit_rows (self, g, _("Learning-rate schedule"));

  g = add_group (self, _("Callbacks"));
  add_fit_rows (self, g, _("Callbacks"));
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

          self->missing[i] = g_strdup (error != NULL ? error->message : _("Not found"));
        }
    }
}

/* The set a run uses: the document's when it is here, else the first one
 * found that the model's input takes (Fashion-MNIST on a fresh Debian). */
const char *
ll_train_view_effective_dataset (LlTrainView *self)
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

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
dataset_item_bind (GtkSignalListItemFactory *factory, GtkListItem *item, LlTrainView *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  guint i = gtk_list_item_get_position (item);
  gboolean available = i < N_DATASETS && self->available[i];

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
  const char *name = ll_train_view_effective_dataset (self);
  const char *want = self->document != NULL ? ll_document_get_dataset (self->document) : name;
  int i = dataset_index (name);
  g_autofree char *dir = ll_dataset_locate (name, self->data_dir);
  g_autofree char *text = NULL;

  if (i >= 0 && self->available[i])
    {
      int w = dataset_index (want);
      if (g_strcmp0 (name, want) != 0 && w >= 0)
        text = g_strdup_printf (_("%s is not on this machine (hover over it in the list for what to "
                                "do); runs use %s, found in %s."), dataset_titles[w],
                                dataset_titles[i], dir);
      else
        text = g_strdup_printf (_("Found in %s"), dir);
      gtk_widget_remove_css_class (GTK_WIDGET (self->dataset_hint), "warning");
    }
  else
    {
      text = g_strdup (i >= 0 && self->missing[i] != NULL ? self->missing[i] : _("Unknown data set"));
      gtk_widget_add_css_class (GTK_WIDGET (self->dataset_hint), "warning");
    }
  gtk_label_set_text (self->dataset_hint, text);

  if (self->data_dir != NULL)
    {
      g_autofree char *shown = g_filename_display_name (self->data_dir);
      g_autofree char *sub = self->data_dir_from_env
        ? g_strdup_printf (_("%s (from LAYERLAB_DATA_DIR)"), shown) : g_strdup (shown);
      adw_action_row_set_subtitle (self->data_dir_row, sub);
    }
  else
    adw_action_row_set_subtitle (self->data_dir_row, _("Standard places only"));
  gtk_widget_set_visible (self->data_dir_clear, self->data_dir != NULL);
}

void
ll_train_view_change_data_dir (LlTrainView *self, const char *dir, gboolean from_env, gboolean remember)
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
  ll_train_view_load_settings (self);
}

/* A table field's control: its value as a number, and back. */
static double
control_get (GtkWidget *w)
{
  if (GTK_IS_SPIN_BUTTON (w))
    return gtk_spin_button_get_value (GTK_SPIN_BUTTON (w));
  if (GTK_IS_CHECK_BUTTON (w))
    return gtk_check_button_get_active (GTK_CHECK_BUTTON (w));
  return gtk_drop_down_get_selected (GTK_DROP_DOWN (w));
}

static void
control_set (GtkWidget *w, double v)
{
  if (GTK_IS_SPIN_BUTTON (w))
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (w), v);
  else if (GTK_IS_CHECK_BUTTON (w))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (w), v != 0);
  else
    gtk_drop_down_set_selected (GTK_DROP_DOWN (w), (guint) v);
}

void
ll_train_view_load_settings (LlTrainView *self)
{
  const LlFitConfig *c;

  if (self->document == NULL)
    return;
  c = ll_document_get_config (self->document);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->dataset_drop, MAX (dataset_index (ll_train_view_effective_dataset (self)), 0));
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    if (self->fit_controls[f] != NULL)
      control_set (self->fit_controls[f], f == LL_FIT_SEED ? (double) (c->seed & 0x7fffffff)
                                                          : ll_fit_get (c, (LlFitField) f));
  gtk_drop_down_set_selected (self->optim_drop, c->optim.kind);
  /* Rows the optimizer does not use are insensitive. */
  for (int h = 0; h < LL_N_HYPERS; h++)
    {
      control_set (self->hyper_controls[h], ll_hyper_get (&c->optim, (LlHyper) h));
      gtk_widget_set_sensitive (self->hyper_controls[h], ll_optim_uses (c->optim.kind, (LlHyper) h));
    }
  if (self->job == NULL)
    gtk_spin_button_set_value (self->live_lr_spin, c->optim.learning_rate);
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
    for (int h = 0; h < LL_N_HYPERS; h++)
      ll_hyper_set (&c.optim, (LlHyper) h, control_get (self->hyper_controls[h]));
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    if (self->fit_controls[f] != NULL)
      ll_fit_set (&c, (LlFitField) f, control_get (self->fit_controls[f]));

  self->updating = TRUE;
  dataset = ll_dataset_known_names ()[gtk_drop_down_get_selected (self->dataset_drop)];
  /* Only a choice of the user edits the document, not the fallback shown. */
  if (dataset != NULL && g_strcmp0 (dataset, ll_train_view_effective_dataset (self)) != 0)
    ll_document_set_dataset (self->document, dataset);
  ll_document_set_config (self->document, &c);
  self->updating = FALSE;
  ll_fit_config_clear (&c);
  ll_train_view_load_settings (self);   /* optimizer defaults, sensitivity, data set hint */
}

static void
on_data_dir_response (GtkNativeDialog *dialog, int response, LlTrainView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        ll_train_view_change_data_dir (self, path, FALSE, TRUE);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
ll_train_view_action_choose_data_dir (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Folder with the Data Sets"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  if (self->data_dir != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (self->data_dir);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), current, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_data_dir_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
ll_train_view_action_clear_data_dir (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_train_view_change_data_dir (LL_TRAIN_VIEW (widget), NULL, FALSE, TRUE);
}

