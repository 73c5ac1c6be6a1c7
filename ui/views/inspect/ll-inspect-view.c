/* ll-inspect-view.c: the Inspect view (see ll-inspect-view.h): the object,
 * the refresh, the controls, and the panels every page uses.
 *
 * The view works on its own copy of the document's model, so it never
 * touches buffers a training thread may be using.  It refreshes after the
 * document's "changed" signal (edits, and the Train view handing back
 * trained weights), coalesced to at most a few refreshes per second and
 * only while the view is on screen.  Loading the test set, the occlusion
 * map and the confusion matrix run in GTasks on owned copies; a result
 * that arrives after its input changed is dropped (the cancellable).
 *
 * Two states speak to a newcomer: a notice over a model that was never
 * trained (its answers are guesses), with a button that loads the shipped
 * digit model through the window's preset action (so the unsaved-changes
 * prompt applies), and an empty state with the way to get data when no
 * test images are found.  Test images are searched where the Train view
 * looks: $LAYERLAB_DATA_DIR, else its data folder (GSettings data-dir). */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (LlInspectView, ll_inspect_view, LL_TYPE_VIEW)

const char *
ll_inspect_view_class_name (const LlDataset *ds, int cls)
{
  if (ds != NULL && ds->class_names != NULL && cls >= 0 && cls < ds->n_classes)
    return ds->class_names[cls];
  return "?";
}

void
ll_inspect_view_clear_box (GtkBox *box, GtkWidget *keep)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);
      if (child != keep)
        gtk_box_remove (box, child);
      child = next;
    }
}

/* Panels with an export button ------------------------------------------ */

static void
on_export_response (GtkNativeDialog *dialog, int response, LlInspectView *self)
{
  GtkWidget *content = g_object_get_data (G_OBJECT (dialog), "content");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !ll_widget_save_png (content, path, &error))
        gtk_label_set_text (self->status_label, error->message);
      else if (path != NULL)
        {
          g_autofree char *msg = g_strdup_printf (_("Saved %s"), path);
          gtk_label_set_text (self->status_label, msg);
        }
    }
  g_object_unref (dialog);
}

static void
on_export_clicked (GtkButton *button, LlInspectView *self)
{
  GtkWidget *content = g_object_get_data (G_OBJECT (button), "content");
  const char *title = g_object_get_data (G_OBJECT (button), "title");
  GtkFileChooserNative *dialog;
  g_autofree char *name = g_strdup_printf ("%s.png", title);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_strdelimit (name, "/ ", '-');
  dialog = gtk_file_chooser_native_new (_("Export Panel as PNG"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "content", g_object_ref (content), g_object_unref);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* A titled panel; the whole panel (title included) is what gets exported. */
GtkWidget *
ll_inspect_view_panel_new (LlInspectView *self, const char *title, const char *subtitle, GtkWidget *content)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *button = gtk_button_new_from_icon_name ("document-save-symbolic");

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (header), label);
  if (subtitle != NULL)
    {
      GtkWidget *sub = gtk_label_new (subtitle);
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
      gtk_widget_set_hexpand (sub, TRUE);
      gtk_box_append (GTK_BOX (header), sub);
    }
  else
    gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Export this panel as a PNG image"));
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  g_object_set_data (G_OBJECT (button), "content", box);
  g_object_set_data_full (G_OBJECT (button), "title", g_strdup (title), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_box_append (GTK_BOX (header), button);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), content);
  return box;
}

gboolean
ll_inspect_view_is_type (const LlLayerSpec *spec, const char *name)
{
  return g_strcmp0 (spec->type->name, name) == 0;
}

static gboolean
page_is (LlInspectView *self, const char *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0;
}

static void
on_page_changed (LlInspectView *self)
{
  if (page_is (self, "batchnorm"))
    ll_inspect_view_update_batchnorm (self);
  if (page_is (self, "arithmetic"))
    ll_inspect_view_explain_page_shown (self);
}

/* Refresh ---------------------------------------------------------------- */

static void
show_nothing (LlInspectView *self, const char *why)
{
  g_clear_pointer (&self->model, ll_model_free);
  g_clear_pointer (&self->arch_json, g_free);
  ll_inspect_view_clear_box (self->outputs_box, NULL);
  ll_inspect_view_clear_box (self->weights_box, NULL);
  g_ptr_array_set_size (self->layer_grids, 0);
  g_ptr_array_set_size (self->prob_bars, 0);
  g_ptr_array_set_size (self->prob_labels, 0);
  ll_feature_grid_clear (self->input_grid);
  ll_feature_grid_clear (self->occlusion_grid);
  ll_feature_grid_clear (self->saliency_grid);
  g_array_set_size (self->dropout_panels, 0);
  ll_inspect_view_clear_box (self->bn_panels, NULL);
  if (self->bn_cancellable != NULL)
    g_cancellable_cancel (self->bn_cancellable);
  g_clear_object (&self->bn_cancellable);
  g_clear_pointer (&self->bn_stats, ll_bn_stats_free);
  gtk_label_set_text (self->prediction_label, "");
  gtk_label_set_text (self->status_label, why);
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
  ll_inspect_view_explain_refresh (self);
}

/* The view shows weights from a running training (a snapshot or the
 * replayed history), not the document's own: as ll_inspect_view_refresh() chooses. */
gboolean
ll_inspect_view_shows_training_weights (LlInspectView *self)
{
  const LlArch *arch = ll_document_get_arch (self->document);
  guint n_history = ll_document_get_n_history (self->document);
  LlModel *shown = NULL;

  if (self->history_pos >= 0 && (guint) self->history_pos < n_history)
    shown = ll_document_get_history (self->document, self->history_pos, NULL, NULL);
  else if (self->use_snapshot)
    shown = ll_document_get_snapshot (self->document);
  return shown != NULL && ll_arch_equal (ll_model_get_arch (shown), arch);
}

void
ll_inspect_view_update_untrained_notice (LlInspectView *self)
{
  gboolean trained, show;

  if (self->document == NULL)
    {
      gtk_info_bar_set_revealed (self->untrained_bar, FALSE);
      return;
    }
  trained = ll_document_get_trained (self->document);
  /* Closing the notice lasts until a model is trained or loaded. */
  if (trained)
    self->notice_dismissed = FALSE;
  show = !trained && !self->notice_dismissed && ll_document_get_model (self->document) != NULL
         && !ll_inspect_view_shows_training_weights (self);
  gtk_info_bar_set_revealed (self->untrained_bar, show);
}

static void
on_untrained_response (GtkInfoBar *bar, int response, LlInspectView *self)
{
  if (response != GTK_RESPONSE_CLOSE)
    return;
  self->notice_dismissed = TRUE;
  ll_inspect_view_update_untrained_notice (self);
}

static void
on_shipped_clicked (GtkButton *button, LlInspectView *self)
{
  g_autoptr(GError) error = NULL;

  /* Inside the window, the window asks about unsaved changes first, as
   * for File ▸ Open and the presets. */
  if (gtk_widget_activate_action (GTK_WIDGET (self), "window.load-preset", "s", LL_DOCUMENT_SHIPPED_DIGITS))
    return;
  if (self->document != NULL && !ll_document_load_preset (self->document, LL_DOCUMENT_SHIPPED_DIGITS, &error))
    gtk_label_set_text (self->status_label, error->message);
}

void
ll_inspect_view_refresh (LlInspectView *self)
{
  LlModel *model;
  const char *name, *source;
  int epoch = -1, batch = -1;
  LlShape in;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  self->dirty = FALSE;
  ll_inspect_view_update_untrained_notice (self);
  model = self->document != NULL ? ll_document_get_model (self->document) : NULL;
  if (model == NULL)
    {
      show_nothing (self, _("The model does not build. Fix it in the Model view to look inside."));
      return;
    }
  name = ll_document_get_dataset (self->document);
  if (self->test == NULL || g_strcmp0 (self->test_name, name) != 0)
    {
      ll_inspect_view_start_load (self, name);
      return;
    }
  self->load_failed = FALSE;
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
  {
    LlModel *snapshot = ll_document_get_snapshot (self->document);
    guint n_history = ll_document_get_n_history (self->document);
    const LlArch *arch = ll_model_get_arch (model);

    source = NULL;
    if (self->history_pos >= 0 && (guint) self->history_pos < n_history)
      {
        LlModel *h = ll_document_get_history (self->document, self->history_pos, &epoch, &batch);
        if (ll_arch_equal (ll_model_get_arch (h), arch))
          model = h, source = "history";
      }
    else if (self->use_snapshot && snapshot != NULL && ll_arch_equal (ll_model_get_arch (snapshot), arch))
      {
        model = snapshot, source = "snapshot";
        epoch = ll_document_get_snapshot_epoch (self->document);
        batch = ll_document_get_snapshot_batch (self->document);
      }
  }
  in = ll_model_input_shape (model);
  if (ll_shape_size (&in) != ll_dataset_sample_size (self->test))
    {
      show_nothing (self, _("The Input layer does not match the data set's images: change one of them."));
      return;
    }

  g_clear_pointer (&self->model, ll_model_free);
  self->model = ll_model_copy (model);
  if (!ll_model_plan (self->model, 1, &error))
    {
      show_nothing (self, error->message);
      return;
    }
  self->index = MIN (self->index, (guint) self->test->n - 1);
  g_free (self->x);
  self->x = g_new (float, ll_dataset_sample_size (self->test));
  ll_inspect_view_update_drawn_button (self);
  if (self->use_drawn && ll_inspect_view_drawn_usable (self))
    memcpy (self->x, ll_document_get_drawn_input (self->document), 28 * 28 * sizeof (float));
  else
    {
      self->use_drawn = FALSE;
      ll_dataset_fill_batch (self->test, &self->index, 1, self->x, NULL);
    }

  json = ll_arch_to_json (ll_model_get_arch (self->model));
  if (g_strcmp0 (json, self->arch_json) != 0)
    {
      ll_inspect_view_rebuild_output_panels (self);
      g_free (self->arch_json);
      self->arch_json = g_steal_pointer (&json);
    }
  ll_inspect_view_update_outputs (self);
  ll_inspect_view_rebuild_weights (self);
  /* After the weight histograms: the input gradient overwrites the weight gradients. */
  ll_inspect_view_update_saliency (self, ll_inspect_view_predicted_class (self));
  ll_inspect_view_start_occlusion (self);
  ll_inspect_view_explain_refresh (self);
  if (page_is (self, "batchnorm"))
    ll_inspect_view_update_batchnorm (self);
  if (self->confusion != NULL && !self->confusion_stale)
    {
      self->confusion_stale = TRUE;
      gtk_label_set_text (self->confusion_label,
                          _("The model changed since this matrix was computed: compute it again."));
    }
  {
    g_autofree char *when = NULL;
    g_autofree char *status = NULL;

    if (source != NULL)
      when = batch < 0 ? g_strdup_printf (_("\nWeights of the %s: end of epoch %d"), source, epoch + 1)
                       : g_strdup_printf (_("\nWeights of the %s: epoch %d, batch %d"), source, epoch + 1, batch);
    if (self->use_drawn)
      status = g_strdup_printf (_("The digit drawn in the Draw view%s"), when != NULL ? when : "");
    else
      status = g_strdup_printf (_("Image %u of %d %s images%s"), self->index, self->test->n,
                                self->test_is_train ? _("training (no test split found)") : C_("split", "test"),
                                when != NULL ? when : "");
    gtk_label_set_text (self->status_label, status);
  }
  self->updating_controls = TRUE;
  gtk_spin_button_set_value (self->index_spin, self->index);
  self->updating_controls = FALSE;
}

static gboolean
refresh_timeout (gpointer data)
{
  LlInspectView *self = data;

  self->refresh_id = 0;
  ll_inspect_view_refresh (self);
  return G_SOURCE_REMOVE;
}

/* Coalesces bursts of changes (training hands back weights often) and does
 * no work while the view is hidden. */
void
ll_inspect_view_schedule_refresh (LlInspectView *self)
{
  self->dirty = TRUE;
  if (self->refresh_id != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->refresh_id = g_timeout_add (REFRESH_MS, refresh_timeout, self);
}

static void
on_map (GtkWidget *widget, LlInspectView *self)
{
  /* After a failed load, the user may have fetched the data meanwhile. */
  if (self->dirty || self->load_failed)
    {
      g_clear_handle_id (&self->refresh_id, g_source_remove);
      ll_inspect_view_refresh (self);
    }
}

/* Controls ------------------------------------------------------------- */

void
ll_inspect_view_show_image (LlInspectView *self, guint index)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  self->index = index;
  self->use_drawn = FALSE;
  if (self->test != NULL)
    {
      self->index = MIN (index, (guint) self->test->n - 1);
      ll_inspect_view_refresh (self);
    }
}

static void
on_random_clicked (GtkButton *button, LlInspectView *self)
{
  guint cls = gtk_drop_down_get_selected (self->class_dropdown);
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (guint));

  if (self->test == NULL)
    return;
  for (guint i = 0; i < (guint) self->test->n; i++)
    if (cls == 0 || cls == GTK_INVALID_LIST_POSITION || self->test->labels[i] == cls - 1)
      g_array_append_val (candidates, i);
  if (candidates->len > 0)
    ll_inspect_view_show_image (self, g_array_index (candidates, guint,
                                                     g_random_int_range (0, (gint32) candidates->len)));
}

static void
on_class_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlInspectView *self)
{
  if (!self->updating_controls)
    on_random_clicked (NULL, self);
}

static void
on_index_changed (GtkSpinButton *spin, LlInspectView *self)
{
  if (!self->updating_controls)
    ll_inspect_view_show_image (self, (guint) gtk_spin_button_get_value_as_int (spin));
}

static void
on_image_activated (LlImageGrid *grid, guint index, LlInspectView *self)
{
  ll_inspect_view_show_image (self, index);
  gtk_stack_set_visible_child_name (self->stack, "outputs");
}

static void
on_document_changed (LlInspectView *self)
{
  self->use_snapshot = FALSE;
  ll_inspect_view_update_history_controls (self);
  ll_inspect_view_update_untrained_notice (self);
  ll_inspect_view_schedule_refresh (self);
}

static void
on_data_dir_changed (LlInspectView *self)
{
  if (self->load_failed)
    ll_inspect_view_schedule_refresh (self);
}

/* Object ---------------------------------------------------------------- */

static void
ll_inspect_view_document_set (LlView *view, LlDocument *old)
{
  LlInspectView *self = LL_INSPECT_VIEW (view);
  LlDocument *document = ll_view_get_document (view);

  self->document = document;
  self->history_pos = -1;
  if (document != NULL)
    {
      g_signal_connect_swapped (document, "snapshot", G_CALLBACK (ll_inspect_view_on_snapshot), self);
      g_signal_connect_swapped (document, "drawn-input-changed", G_CALLBACK (ll_inspect_view_on_drawn_input_changed), self);
    }
  else
    on_document_changed (self);
}

static void
ll_inspect_view_document_changed (LlView *view)
{
  on_document_changed (LL_INSPECT_VIEW (view));
}

static void
cancel_and_clear (GCancellable **c)
{
  if (*c != NULL)
    g_cancellable_cancel (*c);
  g_clear_object (c);
}

static void
ll_inspect_view_dispose (GObject *object)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  self->document = NULL;
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  cancel_and_clear (&self->load_cancellable);
  cancel_and_clear (&self->occlusion_cancellable);
  cancel_and_clear (&self->confusion_cancellable);
  cancel_and_clear (&self->bn_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_INSPECT_VIEW);

  G_OBJECT_CLASS (ll_inspect_view_parent_class)->dispose (object);
}

static void
ll_inspect_view_finalize (GObject *object)
{
  LlInspectView *self = LL_INSPECT_VIEW (object);

  g_clear_pointer (&self->model, ll_model_free);
  g_clear_pointer (&self->test, ll_dataset_free);
  g_clear_pointer (&self->confusion, ll_confusion_free);
  g_free (self->arch_json);
  g_free (self->test_name);
  g_free (self->loading_name);
  g_free (self->x);
  g_ptr_array_unref (self->layer_grids);
  g_ptr_array_unref (self->prob_bars);
  g_ptr_array_unref (self->prob_labels);
  g_array_unref (self->dropout_panels);
  g_clear_pointer (&self->bn_stats, ll_bn_stats_free);
  ll_inspect_view_explain_free (self);
  G_OBJECT_CLASS (ll_inspect_view_parent_class)->finalize (object);
}

static void
ll_inspect_view_class_init (LlInspectViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_inspect_view_dispose;
  view_class->document_set = ll_inspect_view_document_set;
  view_class->document_changed = ll_inspect_view_document_changed;
  object_class->finalize = ll_inspect_view_finalize;

  g_type_ensure (LL_TYPE_FEATURE_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-inspect-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, random_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, index_spin);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, input_grid);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, prediction_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, stack);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, outputs_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, weights_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, occlusion_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_spinner);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, confusion_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, drawn_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, history_scale);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, history_label);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, batchnorm_box);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, untrained_bar);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, shipped_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, empty_details);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, data_view_button);
  gtk_widget_class_bind_template_child (widget_class, LlInspectView, explain_box);
}

static GtkWidget *
dim_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  return label;
}

static void
ll_inspect_view_init (LlInspectView *self)
{
  GtkWidget *box;

  gtk_widget_init_template (GTK_WIDGET (self));
  ll_inspect_view_explain_init (self, self->explain_box);
  self->settings = ll_settings_new_if_installed ("data-dir");
  if (self->settings != NULL)
    {
      g_signal_connect_swapped (self->settings, "changed::data-dir", G_CALLBACK (on_data_dir_changed), self);
    }
  g_signal_connect (self->untrained_bar, "response", G_CALLBACK (on_untrained_response), self);
  g_signal_connect (self->shipped_button, "clicked", G_CALLBACK (on_shipped_clicked), self);
  self->layer_grids = g_ptr_array_new ();
  self->prob_bars = g_ptr_array_new ();
  self->prob_labels = g_ptr_array_new ();
  self->prob_layer = -1;
  self->dropout_panels = g_array_new (FALSE, TRUE, sizeof (DropoutPanel));
  self->dropout_seed = 1;
  self->history_pos = -1;

  ll_feature_grid_set_colormap (self->input_grid, LL_COLORMAP_GRAY);
  ll_feature_grid_set_tile_size (self->input_grid, 196);
  ll_feature_grid_set_per_tile_range (self->input_grid, TRUE);

  self->occlusion_grid = LL_FEATURE_GRID (ll_feature_grid_new ());
  ll_feature_grid_set_colormap (self->occlusion_grid, LL_COLORMAP_DIVERGING);
  ll_feature_grid_set_tile_size (self->occlusion_grid, 280);
  self->saliency_grid = LL_FEATURE_GRID (ll_feature_grid_new ());
  ll_feature_grid_set_colormap (self->saliency_grid, LL_COLORMAP_VIRIDIS);
  ll_feature_grid_set_tile_size (self->saliency_grid, 280);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  gtk_box_append (GTK_BOX (box),
                  ll_inspect_view_panel_new (self, _("Occlusion map"), _("drop in the predicted class's probability"),
                             GTK_WIDGET (self->occlusion_grid)));
  gtk_box_append (GTK_BOX (box),
                  ll_inspect_view_panel_new (self, _("Gradient saliency"), _("|∂ class score / ∂ pixel|, largest over the channels"),
                             GTK_WIDGET (self->saliency_grid)));
  gtk_box_append (self->occlusion_box, box);

  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *again = gtk_button_new_with_label (_("New Batch"));
    GtkWidget *sizes = gtk_drop_down_new_from_strings ((const char *const[]) { _("Batch of 8"), _("Batch of 32"),
                                                                               _("Batch of 128"), NULL });

    self->bn_batch_dropdown = GTK_DROP_DOWN (sizes);
    gtk_drop_down_set_selected (self->bn_batch_dropdown, 1);
    gtk_widget_set_tooltip_text (sizes, _("How many test images the batch statistics are computed from"));
    gtk_widget_set_tooltip_text (again, _("Another batch of random test images"));
    self->bn_label = GTK_LABEL (dim_label (""));
    gtk_widget_set_hexpand (GTK_WIDGET (self->bn_label), TRUE);
    gtk_box_append (GTK_BOX (row), sizes);
    gtk_box_append (GTK_BOX (row), again);
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->bn_label));
    gtk_box_append (self->batchnorm_box, row);
    self->bn_panels = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
    gtk_box_append (self->batchnorm_box, GTK_WIDGET (self->bn_panels));
    g_signal_connect_swapped (sizes, "notify::selected", G_CALLBACK (ll_inspect_view_on_bn_batch_changed), self);
    g_signal_connect (again, "clicked", G_CALLBACK (ll_inspect_view_on_bn_new_batch), self);
  }

  self->matrix = LL_CONFUSION_MATRIX (ll_confusion_matrix_new ());
  self->class_accuracy_label = GTK_LABEL (dim_label (""));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->matrix));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->class_accuracy_label));
  gtk_box_append (self->confusion_box, ll_inspect_view_panel_new (self, _("Confusion matrix"), _("rows: true class, columns: predicted"), box));

  self->cell_label = GTK_LABEL (dim_label (""));
  self->cell_grid = LL_IMAGE_GRID (ll_image_grid_new ());
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cell_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cell_grid));
  gtk_box_append (self->confusion_box, ll_inspect_view_panel_new (self, _("Images behind the cell"), NULL, box));

  self->wrong_grid = LL_IMAGE_GRID (ll_image_grid_new ());
  gtk_box_append (self->confusion_box, ll_inspect_view_panel_new (self, _("Most confidently wrong"), _("true → predicted, probability"),
                                                  GTK_WIDGET (self->wrong_grid)));

  g_signal_connect (self->matrix, "cell-activated", G_CALLBACK (ll_inspect_view_on_cell_activated), self);
  g_signal_connect (self->cell_grid, "image-activated", G_CALLBACK (on_image_activated), self);
  g_signal_connect (self->wrong_grid, "image-activated", G_CALLBACK (on_image_activated), self);
  g_signal_connect_swapped (self->confusion_button, "clicked",
                            G_CALLBACK (ll_inspect_view_compute_confusion), self);
  g_signal_connect (self->random_button, "clicked", G_CALLBACK (on_random_clicked), self);
  g_signal_connect (self->class_dropdown, "notify::selected", G_CALLBACK (on_class_selected), self);
  g_signal_connect (self->index_spin, "value-changed", G_CALLBACK (on_index_changed), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  g_signal_connect (self->drawn_button, "clicked", G_CALLBACK (ll_inspect_view_on_drawn_clicked), self);
  g_signal_connect (self->history_scale, "value-changed", G_CALLBACK (ll_inspect_view_on_history_changed), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
  ll_inspect_view_update_history_controls (self);
}

GtkWidget *
ll_inspect_view_new (void)
{
  return g_object_new (LL_TYPE_INSPECT_VIEW, NULL);
}

void
ll_inspect_view_set_page (LlInspectView *self, const char *name)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  gtk_stack_set_visible_child_name (self->stack, name);
}

gboolean
ll_inspect_view_is_busy (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  return self->dirty || self->refresh_id != 0 || self->load_cancellable != NULL
         || self->occlusion_cancellable != NULL || self->confusion_cancellable != NULL
         || self->bn_cancellable != NULL;
}

const float *
ll_inspect_view_get_input (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->model != NULL ? self->x : NULL;
}

LlFeatureGrid *
ll_inspect_view_get_layer_grid (LlInspectView *self, int layer)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  if (layer < 0 || layer >= (int) self->layer_grids->len)
    return NULL;
  return g_ptr_array_index (self->layer_grids, layer);
}

int
ll_inspect_view_count_output_tiles (LlInspectView *self)
{
  int n = 0;

  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), 0);
  for (guint i = 0; i < self->layer_grids->len; i++)
    if (g_ptr_array_index (self->layer_grids, i) != NULL)
      n += ll_feature_grid_get_n_tiles (g_ptr_array_index (self->layer_grids, i));
  return n;
}

const LlDataset *
ll_inspect_view_get_test_set (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->test;
}

const LlConfusion *
ll_inspect_view_get_confusion (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->confusion;
}

void
ll_inspect_view_set_training_mode (LlInspectView *self, gboolean training)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  if (self->train_toggle != NULL)
    gtk_toggle_button_set_active (self->train_toggle, training);
  else
    self->training_mode = !!training;
}

LlFeatureGrid *
ll_inspect_view_get_saliency_grid (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return self->saliency_grid;
}

gboolean
ll_inspect_view_get_dropout_grids (LlInspectView *self, int layer, LlFeatureGrid **eval,
                                   LlFeatureGrid **train, LlFeatureGrid **mask)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  for (guint k = 0; k < self->dropout_panels->len; k++)
    {
      DropoutPanel *dp = &g_array_index (self->dropout_panels, DropoutPanel, k);
      if (dp->layer == layer)
        {
          *eval = dp->eval;
          *train = dp->train;
          *mask = dp->mask;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ll_inspect_view_get_bn_stats (LlInspectView *self, int layer, int *channels,
                              const float **mean, const float **var)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  for (int k = 0; self->bn_stats != NULL && k < self->bn_stats->n_layers; k++)
    {
      const LlBnLayerStats *st = &self->bn_stats->layers[k];
      if (st->layer == layer)
        {
          *channels = st->channels;
          *mean = st->mean;
          *var = st->var;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ll_inspect_view_get_untrained_notice_shown (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), FALSE);
  return gtk_info_bar_get_revealed (self->untrained_bar);
}

GtkWidget *
ll_inspect_view_get_shipped_model_button (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return GTK_WIDGET (self->shipped_button);
}

const char *
ll_inspect_view_get_empty_message (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "empty") != 0)
    return NULL;
  return adw_status_page_get_description (self->empty_page);
}

GtkWidget *
ll_inspect_view_get_data_view_button (LlInspectView *self)
{
  g_return_val_if_fail (LL_IS_INSPECT_VIEW (self), NULL);
  return GTK_WIDGET (self->data_view_button);
}

