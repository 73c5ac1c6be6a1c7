/* ll-train-view-runs.c: the Train view's charts, the runs kept for
 * comparison, and a run's export and replay. */
#include "ll-train-view-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

/* Charts ----------------------------------------------------------------------- */

/* The statuses runs.json keeps (ll-train-view.c), shown in the reader's
 * language with g_dpgettext2 (NULL, "run status", …). */
G_GNUC_UNUSED static const char *const run_statuses[] = {
  NC_("run status", "finished"), NC_("run status", "diverged"),
  NC_("run status", "stopped"), NC_("run status", "failed"),
};

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
  g_autofree char *train = g_strdup_printf (C_("chart legend", "%s train"), label);
  g_autofree char *val = g_strdup_printf (C_("chart legend", "%s val"), label);
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
      g_autofree char *text = g_strdup_printf (m->kind == LL_MARK_DROPOUT ? "dropout %g" : "lr %g",
                                               m->value);
      ll_line_chart_add_marker (self->loss_chart, m->x, text);
      ll_line_chart_add_marker (self->accuracy_chart, m->x, text);
    }
}

/* The run in progress as an LlRun, for the legend and the runs list. */
LlRun *
ll_train_view_current_run (LlTrainView *self)
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

void
ll_train_view_rebuild_charts (LlTrainView *self)
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
      live = ll_train_view_current_run (self);
      g_ptr_array_add (shown, live);
    }
  labels = ll_run_describe_differences ((LlRun *const *) shown->pdata, shown->len, &summary);
  for (guint i = 0; i < shown->len; i++)
    add_run_series (self, g_ptr_array_index (shown, i), shown->len > 1 ? labels[i] : "", i);
  loss_title = summary != NULL && *summary && shown->len > 1
               ? g_strdup_printf (C_("chart title", "Loss: %s"), summary)
               : g_strdup (C_("chart title", "Loss"));
  ll_line_chart_set_labels (self->loss_chart, loss_title, C_("chart axis", "epoch"), C_("chart axis", "loss"));
  ll_line_chart_set_labels (self->accuracy_chart, _("Accuracy"), C_("chart axis", "epoch"),
                            C_("chart axis", "accuracy"));
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

      subtitle = g_strdup_printf (_("%s, %s lr %g, batch %d, %d epochs, seed %" PRIu64
                                  " · %s · loss %.4f, accuracy %.4f%s"),
                                  run->dataset ? run->dataset : "?",
                                  ll_optim_names[run->config.optim.kind],
                                  run->config.optim.learning_rate, run->config.batch_size,
                                  run->epochs->len, run->config.seed,
                                  run->status ? g_dpgettext2 (NULL, "run status", run->status) : "",
                                  last ? last->loss : NAN, last ? last->accuracy : NAN,
                                  isfinite (run->test_accuracy) ? "" : "");
      if (last != NULL && isfinite (last->val_accuracy))
        {
          char *more = g_strdup_printf (_("%s, val_accuracy %.4f"), subtitle, last->val_accuracy);
          g_free (subtitle);
          subtitle = more;
        }
      if (isfinite (run->test_accuracy))
        {
          char *more = g_strdup_printf (_("%s · test accuracy %.4f"), subtitle, run->test_accuracy);
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

void
ll_train_view_on_runs_changed (LlTrainView *self)
{
  rebuild_runs_box (self);
  ll_train_view_rebuild_charts (self);
}

void
ll_train_view_save_runs (LlTrainView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ll_run_list_save (self->runs, &error))
    ll_train_view_show_message (self, GTK_MESSAGE_WARNING, error->message);
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

void
ll_train_view_action_clone (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);
  LlRun *run = last_ticked (self, NULL);
  g_autofree char *text = NULL;

  if (run == NULL || self->document == NULL)
    return;
  self->updating = TRUE;
  if (run->dataset != NULL)
    ll_document_set_dataset (self->document, run->dataset);
  ll_document_set_config (self->document, &run->config);
  self->updating = FALSE;
  ll_train_view_load_settings (self);
  text = g_strdup_printf (_("The settings of %s (seed %" PRIu64 ") are loaded: change one "
                          "knob and press Start for a paired run with the same initial weights "
                          "and data order."), run->name, run->config.seed);
  ll_train_view_show_message (self, GTK_MESSAGE_INFO, text);
}

void
ll_train_view_action_delete_runs (GtkWidget *widget, const char *name, GVariant *param)
{
  LlTrainView *self = LL_TRAIN_VIEW (widget);

  for (guint i = ll_run_list_get_n (self->runs); i-- > 0;)
    if (ll_run_list_get (self->runs, i)->selected)
      ll_run_list_remove (self->runs, i);
  ll_train_view_save_runs (self);
}

/* The run's initial weights (its seed's) as a model file, and the run. */
gboolean
ll_train_view_export_ticked_run (LlTrainView *self, const char *path, GError **error)
{
  LlRun *run = last_ticked (self, NULL);
  g_autoptr(LlArch) arch = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LlModel *model;

  if (run == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("Tick a run to export it"));
      return FALSE;
    }
  if (run->arch_json == NULL || (arch = ll_arch_from_json (run->arch_json, -1, error)) == NULL
      || (model = ll_model_new (arch, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("This run does not record its model"));
      return FALSE;
    }
  trainer = ll_trainer_new (model, &run->config);
  ll_trainer_reset (trainer);
  bytes = ll_model_file_to_bytes (trainer, error);
  return bytes != NULL && ll_run_export (run, bytes, path, error);
}

/* Loads a run file's model and settings into the document, keeps the run
 * for comparison, and trains it again: the curves should lie on top. */
gboolean
ll_train_view_replay_file (LlTrainView *self, const char *path, GError **error)
{
  g_autoptr(LlRun) run = ll_run_import (path, NULL, error);
  g_autoptr(LlArch) arch = NULL;
  char *name;

  if (run == NULL || self->document == NULL)
    return FALSE;
  if (run->arch_json == NULL || (arch = ll_arch_from_json (run->arch_json, -1, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("%s does not record its model"), path);
      return FALSE;
    }
  ll_document_set_arch (self->document, arch);
  ll_document_set_config (self->document, &run->config);
  if (run->dataset != NULL)
    ll_document_set_dataset (self->document, run->dataset);
  name = g_strdup_printf (_("%s (from file)"), run->name);
  g_free (run->name);
  run->name = name;
  for (guint i = 0; i < ll_run_list_get_n (self->runs); i++)
    ll_run_list_set_selected (self->runs, i, FALSE);
  run->selected = TRUE;
  ll_run_list_add (self->runs, g_steal_pointer (&run));
  ll_train_view_save_runs (self);
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
            g_set_error (&error, LL_ERROR, LL_ERROR_INVALID, _("Tick a run to export its history"));
        }
      else if (g_strcmp0 (kind, "run") == 0)
        ok = ll_train_view_export_ticked_run (self, path, &error);
      else if (g_strcmp0 (kind, "replay") == 0)
        ok = ll_train_view_replay_file (self, path, &error);
      else if (g_strcmp0 (kind, "png") == 0)
        ok = ll_line_chart_export_png (self->loss_chart, path, 1200, 800, &error);
      else
        ok = ll_line_chart_export_svg (self->loss_chart, path, 1200, 800, &error);
      if (!ok)
        ll_train_view_show_message (self, GTK_MESSAGE_ERROR, error->message);
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

  dialog = gtk_file_chooser_native_new (open ? _("Replay a Run") : _("Export"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        open ? GTK_FILE_CHOOSER_ACTION_OPEN : GTK_FILE_CHOOSER_ACTION_SAVE,
                                        open ? _("_Replay") : _("_Export"), _("_Cancel"));
  if (!open)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "kind", g_strdup (kind), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
ll_train_view_action_export_csv (GtkWidget *widget, const char *name, GVariant *param)
{
  export_with (LL_TRAIN_VIEW (widget), "csv");
}

void
ll_train_view_action_export_chart (GtkWidget *widget, const char *name, GVariant *param)
{
  export_with (LL_TRAIN_VIEW (widget), g_variant_get_string (param, NULL));
}

