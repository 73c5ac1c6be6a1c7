/* ll-inspect-view-confusion.c: the Inspect view's test set (loaded by a
 * worker, or an empty state that says where to get it) and its confusion
 * matrix (a worker) with the images behind each cell. */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

/* Confusion matrix (worker) ------------------------------------------------ */

typedef struct {
  LlModel *model;
  LlDataset *ds;
  LlControl control;
} ConfusionJob;

static void
confusion_job_free (ConfusionJob *job)
{
  ll_model_free (job->model);
  ll_dataset_free (job->ds);
  g_free (job);
}

static void
on_confusion_cancelled (GCancellable *cancellable, ConfusionJob *job)
{
  ll_control_cancel (&job->control);
}

static void
confusion_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ConfusionJob *job = data;
  GError *error = NULL;
  gulong id = g_cancellable_connect (cancellable, G_CALLBACK (on_confusion_cancelled), job, NULL);
  LlConfusion *c = ll_inspect_confusion (job->model, job->ds, 256, &job->control, &error);

  g_cancellable_disconnect (cancellable, id);
  if (c == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, c, (GDestroyNotify) ll_confusion_free);
}

static void
show_cell (LlInspectView *self, int t, int p)
{
  guint32 idx[MAX_CELL_IMAGES];
  g_autoptr(GPtrArray) captions = g_ptr_array_new_with_free_func (g_free);
  int n = ll_confusion_cell_images (self->confusion, t, p, idx, MAX_CELL_IMAGES);
  g_autofree char *text = NULL;
  guint32 count = self->confusion->matrix[t * self->confusion->n_classes + p];

  for (int i = 0; i < n; i++)
    g_ptr_array_add (captions, g_strdup_printf ("%.0f %%", 100 * self->confusion->confidence[idx[i]]));
  text = g_strdup_printf (_("%u images of %s predicted as %s%s (probability of the prediction under each)"),
                          count, ll_inspect_view_class_name (self->test, t), ll_inspect_view_class_name (self->test, p),
                          (int) count > n ? _(", the most confident shown") : "");
  gtk_label_set_text (self->cell_label, text);
  ll_image_grid_set_images (self->cell_grid, self->test, idx, n, (const char *const *) captions->pdata);
}

void
ll_inspect_view_on_cell_activated (LlConfusionMatrix *matrix, int t, int p, LlInspectView *self)
{
  if (self->confusion != NULL && self->test != NULL)
    show_cell (self, t, p);
}

static void
show_confusion (LlInspectView *self)
{
  LlConfusion *c = self->confusion;
  g_autoptr(GString) acc = g_string_new (_("Accuracy per class: "));
  g_autofree char *text = NULL;
  guint32 wrong[MAX_WRONG];
  int n_wrong, worst_t = -1, worst_p = -1;
  guint32 worst = 0;
  g_autoptr(GPtrArray) captions = g_ptr_array_new_with_free_func (g_free);

  ll_confusion_matrix_set_data (self->matrix, c->matrix, c->n_classes,
                                (const char *const *) self->test->class_names);
  for (int k = 0; k < c->n_classes; k++)
    g_string_append_printf (acc, "%s%s %.1f %%", k ? " · " : "", ll_inspect_view_class_name (self->test, k),
                            100 * ll_confusion_class_accuracy (c, k));
  gtk_label_set_text (self->class_accuracy_label, acc->str);
  text = g_strdup_printf (_("Accuracy %.2f %% on %d %s images. Click a cell to see its images."),
                          100 * ll_confusion_accuracy (c), c->n,
                          self->test_is_train ? _("training (no test split found)") : C_("split", "test"));
  gtk_label_set_text (self->confusion_label, text);

  n_wrong = ll_confusion_most_wrong (c, wrong, MAX_WRONG);
  for (int i = 0; i < n_wrong; i++)
    g_ptr_array_add (captions, g_strdup_printf ("%s→%s %.0f%%", ll_inspect_view_class_name (self->test, c->labels[wrong[i]]),
                                                ll_inspect_view_class_name (self->test, c->predicted[wrong[i]]),
                                                100 * c->confidence[wrong[i]]));
  ll_image_grid_set_images (self->wrong_grid, self->test, wrong, n_wrong, (const char *const *) captions->pdata);

  /* Open on the biggest confusion. */
  for (int i = 0; i < c->n_classes; i++)
    for (int j = 0; j < c->n_classes; j++)
      if (i != j && c->matrix[i * c->n_classes + j] > worst)
        worst = c->matrix[i * c->n_classes + j], worst_t = i, worst_p = j;
  if (worst_t >= 0)
    {
      ll_confusion_matrix_select (self->matrix, worst_t, worst_p);
      show_cell (self, worst_t, worst_p);
    }
  else
    ll_image_grid_set_images (self->cell_grid, NULL, NULL, 0, NULL);
}

static void
confusion_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LlInspectView) self = user_data;   /* the view, dropped here on the main thread */
  g_autoptr(GError) error = NULL;
  LlConfusion *c = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      ll_confusion_free (c);
      return;
    }
  g_clear_object (&self->confusion_cancellable);
  gtk_spinner_stop (self->confusion_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confusion_button), TRUE);
  if (c == NULL)
    {
      gtk_label_set_text (self->confusion_label, error->message);
      return;
    }
  ll_confusion_free (self->confusion);
  self->confusion = c;
  self->confusion_stale = FALSE;
  show_confusion (self);
}

void
ll_inspect_view_compute_confusion (LlInspectView *self)
{
  ConfusionJob *job;
  GTask *task;

  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  if (self->model == NULL || self->test == NULL)
    return;
  if (self->confusion_cancellable != NULL)
    g_cancellable_cancel (self->confusion_cancellable);
  g_clear_object (&self->confusion_cancellable);

  job = g_new0 (ConfusionJob, 1);
  job->model = ll_model_copy (self->model);
  job->ds = ll_dataset_slice (self->test, 0, self->test->n);
  self->confusion_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->confusion_cancellable, confusion_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) confusion_job_free);
  g_task_run_in_thread (task, confusion_thread);
  g_object_unref (task);
  gtk_spinner_start (self->confusion_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confusion_button), FALSE);
  gtk_label_set_text (self->confusion_label, _("Predicting every test image…"));
}

/* The test set (worker) ----------------------------------------------------- */

typedef struct {
  LlDataset *ds;
  gboolean is_train;
} Loaded;

typedef struct {
  char *name;
  char *dir;                      /* searched first, or NULL */
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->name);
  g_free (job->dir);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LoadJob *job = data;
  GError *error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->ds = ll_dataset_load_named (job->name, job->dir, TRUE, &error);
  if (loaded->ds == NULL && g_error_matches (error, LL_ERROR, LL_ERROR_NOT_FOUND))
    {
      /* Some machines have only training files (the CIFAR-10 sample). */
      loaded->ds = ll_dataset_load_named (job->name, job->dir, FALSE, NULL);
      loaded->is_train = TRUE;
    }
  if (loaded->ds == NULL)
    {
      g_free (loaded);
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_pointer (task, loaded, NULL);
}

static void
fill_class_dropdown (LlInspectView *self)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("Any class"));
  for (int k = 0; k < self->test->n_classes; k++)
    gtk_string_list_append (list, ll_inspect_view_class_name (self->test, k));
  self->updating_controls = TRUE;
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (list));
  gtk_spin_button_set_range (self->index_spin, 0, self->test->n - 1);
  self->updating_controls = FALSE;
  g_object_unref (list);
}

/* Instead of blank pages: what is missing and where to get it. */
static void
show_empty_state (LlInspectView *self, const char *name, const GError *error)
{
  const LlDownloadSet *set = ll_download_set_lookup (name);
  const char *title = set != NULL ? set->title : name;
  g_autofree char *text = NULL;

  if (g_error_matches (error, LL_ERROR, LL_ERROR_NOT_FOUND))
    {
      adw_status_page_set_title (self->empty_page, _("No Test Images"));
      text = g_strdup_printf (_("No %s test images found. Download %s in the Data view, "
                              "or choose a data folder in the Train view."), title, title);
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("Test Images Unreadable"));
      text = g_strdup_printf (_("The %s files found could not be read. Download %s again in the Data "
                              "view, or choose another data folder in the Train view."), title, title);
    }
  adw_status_page_set_description (self->empty_page, text);
  gtk_label_set_text (self->empty_details, error != NULL ? error->message : "");
  gtk_label_set_text (self->status_label, text);
  self->load_failed = TRUE;
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LlInspectView) self = user_data;   /* the view, dropped here on the main thread */
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      if (loaded != NULL)
        ll_dataset_free (loaded->ds);
      g_free (loaded);
      return;
    }
  g_clear_object (&self->load_cancellable);
  if (loaded == NULL)
    {
      show_empty_state (self, self->loading_name, error);
      g_clear_pointer (&self->loading_name, g_free);
      return;
    }
  self->load_failed = FALSE;
  gtk_stack_set_visible_child_name (self->content_stack, "inspect");
  ll_dataset_free (self->test);
  ll_confusion_free (self->confusion);
  self->confusion = NULL;
  ll_confusion_matrix_set_data (self->matrix, NULL, 0, NULL);
  ll_image_grid_set_images (self->cell_grid, NULL, NULL, 0, NULL);
  ll_image_grid_set_images (self->wrong_grid, NULL, NULL, 0, NULL);
  self->test = loaded->ds;
  self->test_is_train = loaded->is_train;
  g_free (loaded);
  g_free (self->test_name);
  self->test_name = g_steal_pointer (&self->loading_name);
  self->index = 0;
  g_clear_pointer (&self->arch_json, g_free);     /* class names in the panels */
  fill_class_dropdown (self);
  ll_inspect_view_refresh (self);
}

void
ll_inspect_view_start_load (LlInspectView *self, const char *name)
{
  GTask *task;
  LoadJob *job;

  if (self->loading_name != NULL && g_strcmp0 (self->loading_name, name) == 0)
    return;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_free (self->loading_name);
  self->loading_name = g_strdup (name);
  self->load_cancellable = g_cancellable_new ();
  job = g_new0 (LoadJob, 1);
  job->name = g_strdup (name);
  job->dir = ll_dup_data_dir (self->settings);
  task = g_task_new (NULL, self->load_cancellable, load_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
  gtk_label_set_text (self->status_label, _("Loading the test images…"));
}

