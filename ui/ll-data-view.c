/* ll-data-view.c: the Data view (see ll-data-view.h).  Data sets are
 * loaded in a GTask and kept for the session (one per data set and split);
 * the grid shows one page of images at a time so that 60,000 images never
 * become 60,000 textures. */
#include "ll-data-view.h"

#include "ll-download.h"

#define PAGE_SIZE 300

typedef struct _SetRow SetRow;

struct _LlDataView
{
  AdwBin parent_instance;

  GtkDropDown *dataset_dropdown;
  GtkToggleButton *train_button;
  GtkToggleButton *test_button;
  GtkDropDown *class_dropdown;
  GtkScale *zoom_scale;
  GtkSpinner *spinner;
  GtkLabel *page_label;
  GtkButton *prev_button;
  GtkButton *next_button;
  GtkLabel *counts_label;
  LlImageGrid *grid;
  GtkExpander *sets_expander;
  GtkListBox *sets_list;

  GPtrArray *rows;                /* SetRow *, one per downloadable set */
  GCancellable *status_cancellable;
  gboolean disposed;

  LlDocument *document;
  GHashTable *loaded;             /* "name/test" → LlDataset * */
  LlDataset *ds;                  /* the one shown (owned by loaded) */
  GCancellable *cancellable;
  GArray *filtered;               /* guint32 indices of the chosen class */
  int page;
  gboolean updating;
  char *error_text;
  gboolean expander_chosen;       /* the user opened or closed the list */
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlDataView, ll_data_view, ADW_TYPE_BIN)

static const char *
data_dir (void)
{
  const char *dir = g_getenv ("LL_DATA_DIR");
  return dir != NULL ? dir : g_getenv ("LL_SHARED_DATA");
}

static const char *
selected_name (LlDataView *self)
{
  guint i = gtk_drop_down_get_selected (self->dataset_dropdown);
  const char *const *names = ll_dataset_known_names ();

  return i < g_strv_length ((char **) names) ? names[i] : names[0];
}

static gboolean
selected_test (LlDataView *self)
{
  return gtk_toggle_button_get_active (self->test_button);
}

static void
show_page (LlDataView *self)
{
  int n = self->filtered->len, pages = MAX ((n + PAGE_SIZE - 1) / PAGE_SIZE, 1);
  int start, count;
  g_autofree char *text = NULL;

  self->page = CLAMP (self->page, 0, pages - 1);
  start = self->page * PAGE_SIZE;
  count = MIN (PAGE_SIZE, n - start);
  ll_image_grid_set_images (self->grid, self->ds, count > 0 ? &g_array_index (self->filtered, guint32, start) : NULL,
                            MAX (count, 0), NULL);
  text = n > 0 ? g_strdup_printf ("%d–%d of %d", start + 1, start + count, n) : g_strdup ("");
  gtk_label_set_text (self->page_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->prev_button), self->page > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), self->page < pages - 1);
}

static void
apply_filter (LlDataView *self)
{
  guint sel = gtk_drop_down_get_selected (self->class_dropdown);
  int cls = sel == 0 || sel == GTK_INVALID_LIST_POSITION ? -1 : (int) sel - 1;

  g_array_set_size (self->filtered, 0);
  for (guint32 i = 0; self->ds != NULL && i < (guint32) self->ds->n; i++)
    if (cls < 0 || self->ds->labels[i] == cls)
      g_array_append_val (self->filtered, i);
  self->page = 0;
  show_page (self);
}

/* The list of data sets is open while the chosen one is missing (it has
 * the Download buttons) and folds away once images show, unless the user
 * chose otherwise. */
static void
set_sets_expanded (LlDataView *self, gboolean expanded)
{
  gboolean was_updating = self->updating;

  if (self->expander_chosen)
    return;
  self->updating = TRUE;
  gtk_expander_set_expanded (self->sets_expander, expanded);
  self->updating = was_updating;
}

static void
on_sets_expanded (LlDataView *self)
{
  if (!self->updating)
    self->expander_chosen = TRUE;
}

static void
show_dataset (LlDataView *self, LlDataset *ds)
{
  g_autoptr(GString) counts = g_string_new (NULL);
  GtkStringList *list = gtk_string_list_new (NULL);
  g_autofree int *per_class = g_new0 (int, ds->n_classes);

  self->ds = ds;
  for (int i = 0; i < ds->n; i++)
    if (ds->labels[i] < ds->n_classes)
      per_class[ds->labels[i]]++;
  g_string_append_printf (counts, "%d images of %d×%d×%d. Per class: ", ds->n, ds->height, ds->width,
                          ds->channels);
  gtk_string_list_append (list, "All classes");
  for (int k = 0; k < ds->n_classes; k++)
    {
      const char *name = ds->class_names != NULL ? ds->class_names[k] : "?";
      g_autofree char *item = g_strdup_printf ("%s (%d)", name, per_class[k]);
      g_string_append_printf (counts, "%s%s %d", k ? " · " : "", name, per_class[k]);
      gtk_string_list_append (list, item);
    }
  gtk_label_set_text (self->counts_label, counts->str);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->class_dropdown, 0);
  self->updating = FALSE;
  g_object_unref (list);
  apply_filter (self);
}

typedef struct {
  char *name;
  gboolean test;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->name);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LoadJob *job = data;
  GError *error = NULL;
  LlDataset *ds = ll_dataset_load_named (job->name, data_dir (), job->test, &error);

  if (ds == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ds, (GDestroyNotify) ll_dataset_free);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlDataView *self = LL_DATA_VIEW (source);
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  LlDataset *ds = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      ll_dataset_free (ds);
      return;
    }
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);
  if (ds == NULL)
    {
      gtk_label_set_text (self->counts_label, error->message);
      set_sets_expanded (self, TRUE);
      return;
    }
  g_hash_table_insert (self->loaded, g_strdup_printf ("%s/%d", job->name, job->test), ds);
  show_dataset (self, ds);
  set_sets_expanded (self, FALSE);
}

static void
select_dataset (LlDataView *self)
{
  const char *name = selected_name (self);
  gboolean test = selected_test (self);
  g_autofree char *key = g_strdup_printf ("%s/%d", name, test);
  LlDataset *ds = g_hash_table_lookup (self->loaded, key);
  LoadJob *job;
  GTask *task;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);
  if (ds != NULL)
    {
      show_dataset (self, ds);
      return;
    }
  /* Nothing shown while loading: the grid must not point at another set's images. */
  self->ds = NULL;
  g_array_set_size (self->filtered, 0);
  show_page (self);
  gtk_label_set_text (self->counts_label, "Loading…");
  job = g_new0 (LoadJob, 1);
  job->name = g_strdup (name);
  job->test = test;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
  gtk_spinner_start (self->spinner);
}

/* The data sets on this computer ---------------------------------- */

struct _SetRow
{
  LlDataView *view;               /* not a reference: rows die with the view */
  const LlDownloadSet *set;
  AdwActionRow *row;
  GtkProgressBar *progress;
  GtkButton *download_button;
  GtkButton *cancel_button;
  GCancellable *cancellable;      /* while downloading */
  LlSetStatus status;
  char *failure;                  /* the last download's error, or NULL */
};

static void
set_row_free (SetRow *r)
{
  g_clear_object (&r->cancellable);
  ll_set_status_clear (&r->status);
  g_free (r->failure);
  g_free (r);
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_DEFAULT);
}

static void
update_row (SetRow *r)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean busy = r->cancellable != NULL;

  if (r->failure != NULL)
    g_string_append_printf (text, "Download failed: %s\n", r->failure);
  if (r->status.dir == NULL)
    g_string_append (text, "Checking…");
  else if (r->status.found)
    {
      g_autofree char *size = format_size (r->status.size);
      g_autofree char *dir = g_filename_display_name (r->status.dir);
      g_string_append_printf (text, "Found in %s · %s · %s", dir, size, r->status.checksums);
    }
  else
    g_string_append (text, "Not on this computer.");
  if (r->status.remedy != NULL && !busy)
    g_string_append_printf (text, "\n%s%s.", r->failure != NULL ? "Offline? " : "", r->status.remedy);
  adw_action_row_set_subtitle (r->row, text->str);
  gtk_widget_set_visible (GTK_WIDGET (r->progress), busy);
  gtk_widget_set_visible (GTK_WIDGET (r->cancel_button), busy);
  gtk_widget_set_visible (GTK_WIDGET (r->download_button),
                          !busy && r->status.dir != NULL && !r->status.complete);
}

static void
status_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  int n_sets;
  const LlDownloadSet *sets = ll_download_sets (&n_sets);
  LlSetStatus *status = g_new0 (LlSetStatus, n_sets);

  for (int i = 0; i < n_sets; i++)
    ll_download_set_status (&sets[i], data, &status[i]);
  g_task_return_pointer (task, status, NULL);
}

static void
status_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlDataView *self = LL_DATA_VIEW (source);
  LlSetStatus *status = g_task_propagate_pointer (G_TASK (result), NULL);
  gboolean stale = g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result)));

  for (guint i = 0; status != NULL && i < self->rows->len; i++)
    {
      SetRow *r = g_ptr_array_index (self->rows, i);
      if (!stale && !self->disposed)
        {
          ll_set_status_clear (&r->status);
          r->status = status[i];
          update_row (r);
        }
      else
        ll_set_status_clear (&status[i]);
    }
  g_free (status);
  if (!stale)
    g_clear_object (&self->status_cancellable);
}

/* Checks the sets again in a thread (md5 of every file). */
static void
refresh_status (LlDataView *self)
{
  GTask *task;

  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  self->status_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->status_cancellable, status_done, NULL);
  g_task_set_task_data (task, g_strdup (data_dir ()), g_free);
  g_task_run_in_thread (task, status_thread);
  g_object_unref (task);
}

static void
on_download_progress (const LlDownloadProgress *p, gpointer user_data)
{
  SetRow *r = user_data;
  g_autofree char *got = NULL, *total = NULL, *speed = NULL, *text = NULL;

  if (r->view->disposed)
    return;
  got = format_size (p->received);
  total = p->total > 0 ? format_size (p->total) : g_strdup ("?");
  speed = format_size ((guint64) p->bytes_per_s);
  text = g_strdup_printf ("%s: %s of %s · %s/s · file %d of %d", p->file, got, total, speed,
                          p->index + 1, p->n_files);
  gtk_progress_bar_set_text (r->progress, text);
  if (p->total > 0)
    gtk_progress_bar_set_fraction (r->progress, (double) p->received / (double) p->total);
  else
    gtk_progress_bar_pulse (r->progress);
}

static void
forget_loaded (LlDataView *self, const char *name)
{
  for (int test = 0; test <= 1; test++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%d", name, test);
      LlDataset *ds = g_hash_table_lookup (self->loaded, key);
      if (ds != NULL && ds == self->ds)
        {
          /* The grid points at its images: clear it before they go. */
          self->ds = NULL;
          g_array_set_size (self->filtered, 0);
          show_page (self);
        }
      g_hash_table_remove (self->loaded, key);
    }
}

static void select_dataset (LlDataView *self);

static void
after_download (SetRow *r)
{
  LlDataView *self = r->view;

  refresh_status (self);
  forget_loaded (self, r->set->name);
  if (g_strcmp0 (selected_name (self), r->set->name) == 0)
    select_dataset (self);
}

static void
on_unpacked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SetRow *r = user_data;
  LlDataView *self = r->view;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error) && !self->disposed)
    {
      g_free (r->failure);
      r->failure = g_strdup_printf ("the archive could not be unpacked (%s); run %s",
                                    error->message, r->set->note);
    }
  if (!self->disposed)
    after_download (r);
  g_object_unref (self);
}

static void
on_download_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SetRow *r = user_data;
  LlDataView *self = r->view;
  g_autoptr(GError) error = NULL;
  gboolean ok = ll_download_finish (result, &error);

  g_clear_object (&r->cancellable);
  if (self->disposed)
    {
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&r->failure, g_free);
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    r->failure = g_strdup ("stopped; the partial file is kept and Download resumes it");
  else if (!ok)
    r->failure = g_strdup (error->message);
  update_row (r);
  if (ok && g_strcmp0 (r->set->name, "cifar10") == 0)
    {
      /* The reader wants cifar-10-batches-bin/: unpack the verified archive. */
      g_autofree char *dir = ll_download_default_dir (r->set->name);
      g_autofree char *archive = g_build_filename (dir, r->set->files[0].file, NULL);
      GSubprocess *tar = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "tar", "-xzf", archive,
                                           "-C", dir, NULL);
      if (tar != NULL)
        {
          g_subprocess_wait_check_async (tar, NULL, on_unpacked, r);
          g_object_unref (tar);
          return;   /* keeps the reference until unpacked */
        }
      r->failure = g_strdup_printf ("the archive could not be unpacked (%s); run %s",
                                    error->message, r->set->note);
    }
  after_download (r);
  g_object_unref (self);
}

static void
start_download (SetRow *r, const char *base_url)
{
  if (r->cancellable != NULL)
    return;
  r->cancellable = g_cancellable_new ();
  g_clear_pointer (&r->failure, g_free);
  gtk_progress_bar_set_fraction (r->progress, 0);
  gtk_progress_bar_set_text (r->progress, "Connecting…");
  update_row (r);
  ll_download_async (r->set->name, base_url, r->cancellable, on_download_progress, r,
                     on_download_done, g_object_ref (r->view));
}

static void
on_download_clicked (SetRow *r)
{
  start_download (r, g_getenv ("LL_DOWNLOAD_BASE_URL"));
}

static void
on_cancel_clicked (SetRow *r)
{
  if (r->cancellable != NULL)
    g_cancellable_cancel (r->cancellable);
}

static void
build_set_rows (LlDataView *self)
{
  int n_sets;
  const LlDownloadSet *sets = ll_download_sets (&n_sets);

  for (int i = 0; i < n_sets; i++)
    {
      SetRow *r = g_new0 (SetRow, 1);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      r->view = self;
      r->set = &sets[i];
      r->row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), sets[i].title);
      adw_action_row_set_subtitle_lines (r->row, 0);
      r->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
      gtk_progress_bar_set_show_text (r->progress, TRUE);
      gtk_widget_set_size_request (GTK_WIDGET (r->progress), 360, -1);
      gtk_widget_set_valign (GTK_WIDGET (r->progress), GTK_ALIGN_CENTER);
      r->download_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Download"));
      gtk_widget_set_valign (GTK_WIDGET (r->download_button), GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (GTK_WIDGET (r->download_button),
                                   "Download from the official location and verify the checksums");
      r->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Cancel"));
      gtk_widget_set_valign (GTK_WIDGET (r->cancel_button), GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (r->progress));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (r->cancel_button));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (r->download_button));
      adw_action_row_add_suffix (r->row, box);
      g_signal_connect_swapped (r->download_button, "clicked", G_CALLBACK (on_download_clicked), r);
      g_signal_connect_swapped (r->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), r);
      gtk_list_box_append (self->sets_list, GTK_WIDGET (r->row));
      g_ptr_array_add (self->rows, r);
      update_row (r);
    }
}

static SetRow *
find_row (LlDataView *self, const char *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      SetRow *r = g_ptr_array_index (self->rows, i);
      if (g_strcmp0 (r->set->name, name) == 0)
        return r;
    }
  return NULL;
}

static void
on_dataset_changed (LlDataView *self)
{
  if (!self->updating)
    select_dataset (self);
}

static void
on_split_toggled (GtkToggleButton *button, LlDataView *self)
{
  if (gtk_toggle_button_get_active (button) && !self->updating)
    select_dataset (self);
}

static void
on_class_changed (LlDataView *self)
{
  if (!self->updating)
    apply_filter (self);
}

static void
on_zoom_changed (GtkRange *range, LlDataView *self)
{
  ll_image_grid_set_zoom (self->grid, (int) (gtk_range_get_value (range) + 0.5));
}

static void
on_prev (LlDataView *self)
{
  self->page--;
  show_page (self);
}

static void
on_next (LlDataView *self)
{
  self->page++;
  show_page (self);
}

/* Follows the document's data set, as the Train view uses it. */
static void
follow_document (LlDataView *self)
{
  const char *name = self->document != NULL ? ll_document_get_dataset (self->document) : NULL;
  const char *const *names = ll_dataset_known_names ();

  for (guint i = 0; name != NULL && names[i] != NULL; i++)
    if (g_strcmp0 (names[i], name) == 0 && gtk_drop_down_get_selected (self->dataset_dropdown) != i)
      {
        self->updating = TRUE;
        gtk_drop_down_set_selected (self->dataset_dropdown, i);
        self->updating = FALSE;
        if (gtk_widget_get_mapped (GTK_WIDGET (self)) || self->ds != NULL)
          select_dataset (self);
      }
}

static void
on_map (LlDataView *self)
{
  if (self->ds == NULL && self->cancellable == NULL)
    select_dataset (self);
}

static void
ll_data_view_set_document (LlDataView *self, LlDocument *document)
{
  if (self->document == document)
    return;
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect_swapped (document, "changed", G_CALLBACK (follow_document), self);
  follow_document (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

static void
ll_data_view_dispose (GObject *object)
{
  LlDataView *self = LL_DATA_VIEW (object);

  self->disposed = TRUE;
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      SetRow *r = g_ptr_array_index (self->rows, i);
      if (r->cancellable != NULL)
        g_cancellable_cancel (r->cancellable);
    }
  if (self->status_cancellable != NULL)
    g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_DATA_VIEW);
  self->grid = NULL;
  self->ds = NULL;
  g_clear_pointer (&self->loaded, g_hash_table_unref);

  G_OBJECT_CLASS (ll_data_view_parent_class)->dispose (object);
}

static void
ll_data_view_finalize (GObject *object)
{
  LlDataView *self = LL_DATA_VIEW (object);

  g_array_unref (self->filtered);
  g_ptr_array_unref (self->rows);
  g_free (self->error_text);
  G_OBJECT_CLASS (ll_data_view_parent_class)->finalize (object);
}

static void
ll_data_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlDataView *self = LL_DATA_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_data_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlDataView *self = LL_DATA_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      ll_data_view_set_document (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_data_view_class_init (LlDataViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_data_view_dispose;
  object_class->finalize = ll_data_view_finalize;
  object_class->get_property = ll_data_view_get_property;
  object_class->set_property = ll_data_view_set_property;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, "The model being edited", LL_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LL_TYPE_IMAGE_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-data-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlDataView, dataset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, train_button);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, test_button);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, zoom_scale);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, spinner);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, page_label);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, prev_button);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, next_button);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, counts_label);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, grid);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, sets_expander);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, sets_list);
}

static void
ll_data_view_init (LlDataView *self)
{
  const char *const *known = ll_dataset_known_names ();
  GtkStringList *names = gtk_string_list_new (NULL);

  /* The data sets' proper names; the selection stays an index into known. */
  for (int i = 0; known[i] != NULL; i++)
    gtk_string_list_append (names, g_str_equal (known[i], "mnist") ? "MNIST"
                                   : g_str_equal (known[i], "fashion-mnist") ? "Fashion-MNIST"
                                   : g_str_equal (known[i], "cifar10") ? "CIFAR-10"
                                   : known[i]);

  gtk_widget_init_template (GTK_WIDGET (self));
  {
    /* Until a data set loads: not an empty "(None)". */
    const char *all[] = { "All classes", NULL };
    g_autoptr(GtkStringList) classes = gtk_string_list_new (all);
    gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (classes));
  }
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ll_dataset_free);
  self->filtered = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) set_row_free);
  build_set_rows (self);
  refresh_status (self);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->dataset_dropdown, G_LIST_MODEL (names));
  self->updating = FALSE;
  g_object_unref (names);

  g_signal_connect_swapped (self->dataset_dropdown, "notify::selected", G_CALLBACK (on_dataset_changed), self);
  g_signal_connect (self->train_button, "toggled", G_CALLBACK (on_split_toggled), self);
  g_signal_connect (self->test_button, "toggled", G_CALLBACK (on_split_toggled), self);
  g_signal_connect_swapped (self->class_dropdown, "notify::selected", G_CALLBACK (on_class_changed), self);
  g_signal_connect (self->zoom_scale, "value-changed", G_CALLBACK (on_zoom_changed), self);
  g_signal_connect_swapped (self->sets_expander, "notify::expanded", G_CALLBACK (on_sets_expanded), self);
  g_signal_connect_swapped (self->prev_button, "clicked", G_CALLBACK (on_prev), self);
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next), self);
  g_signal_connect_swapped (self, "map", G_CALLBACK (on_map), self);
}

GtkWidget *
ll_data_view_new (void)
{
  return g_object_new (LL_TYPE_DATA_VIEW, NULL);
}

gboolean
ll_data_view_is_busy (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), FALSE);
  return self->cancellable != NULL;
}

const LlDataset *
ll_data_view_get_dataset (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), NULL);
  return self->ds;
}

LlImageGrid *
ll_data_view_get_grid (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), NULL);
  return self->grid;
}

void
ll_data_view_set_class (LlDataView *self, int cls)
{
  g_return_if_fail (LL_IS_DATA_VIEW (self));
  gtk_drop_down_set_selected (self->class_dropdown, cls < 0 ? 0 : (guint) cls + 1);
}

gboolean
ll_data_view_is_checking (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), FALSE);

  if (self->status_cancellable != NULL)
    return TRUE;
  for (guint i = 0; i < self->rows->len; i++)
    if (((SetRow *) g_ptr_array_index (self->rows, i))->cancellable != NULL)
      return TRUE;
  return FALSE;
}

char *
ll_data_view_dup_set_summary (LlDataView *self, const char *name)
{
  SetRow *r;

  g_return_val_if_fail (LL_IS_DATA_VIEW (self), NULL);
  r = find_row (self, name);
  return r != NULL ? g_strdup (adw_action_row_get_subtitle (r->row)) : NULL;
}

gboolean
ll_data_view_download (LlDataView *self, const char *name, const char *base_url)
{
  SetRow *r;

  g_return_val_if_fail (LL_IS_DATA_VIEW (self), FALSE);
  if ((r = find_row (self, name)) == NULL)
    return FALSE;
  start_download (r, base_url);
  return TRUE;
}

void
ll_data_view_cancel_download (LlDataView *self, const char *name)
{
  SetRow *r;

  g_return_if_fail (LL_IS_DATA_VIEW (self));
  if ((r = find_row (self, name)) != NULL)
    on_cancel_clicked (r);
}
