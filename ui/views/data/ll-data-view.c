/* ll-data-view.c: the Data view (see ll-data-view.h).  Data sets are
 * loaded in a GTask and kept for the session (one per data set and split);
 * the grid shows one page of images at a time so that 60,000 images never
 * become 60,000 textures.
 *
 * The data-set menu lists the known sets, then the sets imported from
 * folders of pictures (ll-import-folder.h), which live under
 * $XDG_DATA_HOME/layerlab/imported and are read from there only. */
#include "ll-data-view.h"

#include "ll-download.h"
#include "ll-import-folder.h"
#include "ll-data-dir.h"
#include "ll-presentation.h"

#include <glib/gi18n.h>
#include <string.h>

#define PAGE_SIZE 300
/* As `layerlab datasets --import` by default. */
#define IMPORT_TEST_FRACTION 0.2
#define IMPORT_SEED 1
#define IMPORT_MAX_SKIPS_SHOWN 3

typedef struct _SetRow SetRow;

struct _LlDataView
{
  LlView parent_instance;

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
  GtkButton *import_button;
  GtkBox *import_box;
  GtkProgressBar *import_progress;
  GtkInfoBar *import_bar;
  GtkLabel *import_label;
  GtkButton *train_on_button;

  GPtrArray *rows;                /* SetRow *, one per downloadable set */
  GCancellable *status_cancellable;
  gboolean disposed;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  GHashTable *loaded;             /* "name/test" → LlDataset * */
  LlDataset *ds;                  /* the one shown (owned by loaded) */
  GCancellable *cancellable;
  GArray *filtered;               /* guint32 indices of the chosen class */
  int page;
  gboolean updating;
  char *error_text;
  gboolean expander_chosen;       /* the user opened or closed the list */
  char *followed;                 /* the document's data set when last followed */
  GSettings *settings;            /* for data-dir; NULL without the schema */

  GtkStringList *dataset_titles;  /* the menu: known sets, then imported ones */
  GPtrArray *imported;            /* folders of the imported sets, in menu order */
  GtkFileChooserNative *chooser;
  GCancellable *import_cancellable;  /* while importing */
  char *import_source;            /* the folder being imported, as shown */
  gboolean import_replaces;       /* its output folder held an earlier import */
  char *import_dir;               /* the last import's folder, for Train on It */
  int import_channels;
};

G_DEFINE_FINAL_TYPE (LlDataView, ll_data_view, LL_TYPE_VIEW)


/* The imported set chosen in the menu (its folder), or NULL for a known set. */
static const char *
selected_import_dir (LlDataView *self)
{
  guint i = gtk_drop_down_get_selected (self->dataset_dropdown);
  guint n_known = g_strv_length ((char **) ll_dataset_known_names ());

  if (i == GTK_INVALID_LIST_POSITION || i < n_known || i - n_known >= self->imported->len)
    return NULL;
  return g_ptr_array_index (self->imported, i - n_known);
}

/* The set chosen: a known name, or an imported set's folder. */
static const char *
selected_name (LlDataView *self)
{
  guint i = gtk_drop_down_get_selected (self->dataset_dropdown);
  const char *const *names = ll_dataset_known_names ();
  const char *dir = selected_import_dir (self);

  if (dir != NULL)
    return dir;
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
  text = n > 0 ? g_strdup_printf (_("%d–%d of %d"), start + 1, start + count, n) : g_strdup ("");
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
  g_string_append_printf (counts, _("%d images of %d×%d×%d. Per class: "), ds->n, ds->height, ds->width,
                          ds->channels);
  gtk_string_list_append (list, _("All classes"));
  for (int k = 0; k < ds->n_classes; k++)
    {
      const char *name = ds->class_names != NULL ? ds->class_names[k] : "?";
      g_autofree char *item = g_strdup_printf ("%s (%d)", name, per_class[k]);
      g_string_append_printf (counts, "%s%s %d", k ? " · " : "", name, per_class[k]);
      gtk_string_list_append (list, item);
    }
  /* Fewer images than the official split (the shared 10,000 MNIST training
   * digits): say it is a subset and what it is good for. */
  {
    int official = 0;
    gboolean test = selected_test (self);

    if (g_strcmp0 (ds->name, "mnist") == 0 || g_strcmp0 (ds->name, "fashion-mnist") == 0)
      official = test ? 10000 : 60000;
    else if (g_strcmp0 (ds->name, "cifar10") == 0)
      official = test ? 10000 : 50000;
    if (official > 0 && ds->n < official)
      g_string_append_printf (counts, _(" — a subset of the official %d: enough for lessons, demos "
                                        "and tests; download the full set for the tutorials' "
                                        "accuracy"), official);
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
  gboolean imported;              /* name is an imported set's folder */
  char *data_dir;                 /* searched first for a known set */
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->name);
  g_free (job->data_dir);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LoadJob *job = data;
  GError *error = NULL;
  LlDataset *ds = job->imported ? ll_import_folder_load (job->name, job->test, &error)
                                : ll_dataset_load_named (job->name, job->data_dir, job->test, &error);

  if (ds == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ds, (GDestroyNotify) ll_dataset_free);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LlDataView) self = user_data;   /* the view, dropped here on the main thread */
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
  gtk_label_set_text (self->counts_label, _("Loading…"));
  job = g_new0 (LoadJob, 1);
  job->name = g_strdup (name);
  job->test = test;
  job->imported = selected_import_dir (self) != NULL;
  job->data_dir = ll_dup_data_dir (self->settings);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, load_done, g_object_ref (self));
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
    g_string_append_printf (text, _("Download failed: %s\n"), r->failure);
  if (r->status.dir == NULL)
    g_string_append (text, _("Checking…"));
  else if (r->status.found)
    {
      g_autofree char *size = format_size (r->status.size);
      g_autofree char *dir = g_filename_display_name (r->status.dir);
      g_string_append_printf (text, _("Found in %s · %s · %s"), dir, size, r->status.checksums);
    }
  else
    g_string_append (text, _("Not on this computer."));
  if (r->status.remedy != NULL && !busy)
    g_string_append_printf (text, "\n%s%s.", r->failure != NULL ? _("Offline? ") : "", r->status.remedy);
  adw_action_row_set_subtitle (r->row, text->str);
  gtk_widget_set_visible (GTK_WIDGET (r->progress), busy);
  gtk_widget_set_visible (GTK_WIDGET (r->cancel_button), busy);
  gtk_widget_set_visible (GTK_WIDGET (r->download_button),
                          !busy && r->status.dir != NULL && (!r->status.complete || r->status.subset));
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
  g_autoptr(LlDataView) self = user_data;   /* the view, dropped here on the main thread */
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
  task = g_task_new (NULL, self->status_cancellable, status_done, g_object_ref (self));
  g_task_set_task_data (task, ll_dup_data_dir (self->settings), g_free);
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
  text = g_strdup_printf (_("%s: %s of %s · %s/s · file %d of %d"), p->file, got, total, speed,
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
      r->failure = g_strdup_printf (_("the archive could not be unpacked (%s); run %s"),
                                    error->message, _(r->set->note));
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
    r->failure = g_strdup (_("stopped; the partial file is kept and Download resumes it"));
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
      r->failure = g_strdup_printf (_("the archive could not be unpacked (%s); run %s"),
                                    error->message, _(r->set->note));
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
  gtk_progress_bar_set_text (r->progress, _("Connecting…"));
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
      r->download_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Download")));
      gtk_widget_set_valign (GTK_WIDGET (r->download_button), GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (GTK_WIDGET (r->download_button),
                                   _("Download from the official location and verify the checksums"));
      r->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
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

/* Import of a folder of pictures ------------------------------------------- */

/* The menu entry of an imported set, added when new; its position. */
static guint
add_imported_entry (LlDataView *self, const char *dir)
{
  guint n_known = g_strv_length ((char **) ll_dataset_known_names ());
  g_autofree char *base = NULL, *shown = NULL, *title = NULL;

  for (guint i = 0; i < self->imported->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->imported, i), dir) == 0)
      return n_known + i;
  base = g_path_get_basename (dir);
  shown = g_filename_display_name (base);
  title = g_strdup_printf (_("%s (imported)"), shown);
  g_ptr_array_add (self->imported, g_strdup (dir));
  self->updating = TRUE;
  gtk_string_list_append (self->dataset_titles, title);
  self->updating = FALSE;
  return n_known + self->imported->len - 1;
}

/* The model's input as height × width × channels; FALSE with a message
 * for the user when pictures cannot be imported for it. */
static gboolean
model_input (LlDataView *self, int *h, int *w, int *c, char **message)
{
  LlShape in;
  g_autoptr(GError) error = NULL;
  g_autofree char *shape = NULL;

  *h = *w = *c = 0;
  if (self->document == NULL || !ll_document_get_layer_shape (self->document, 0, &in))
    {
      *message = g_strdup (_("The model has no input shape yet: fix its Input layer in the Model "
                           "view, then import the folder."));
      return FALSE;
    }
  if (in.rank == 3)
    *h = in.d[0], *w = in.d[1], *c = in.d[2];
  else if (in.rank == 1 && in.d[0] == 28 * 28)
    *h = *w = 28, *c = 1;
  else if (in.rank == 1 && in.d[0] == 32 * 32 * 3)
    *h = *w = 32, *c = 3;
  if (*c > 0 && ll_import_folder_check_shape (*h, *w, *c, &error))
    return TRUE;
  if (in.rank == 3)
    shape = g_strdup_printf ("%d×%d×%d", in.d[0], in.d[1], in.d[2]);
  else
    shape = ll_shape_to_string (&in);
  *message = g_strdup_printf (_("The model's input is %s: pictures can be imported for an input of "
                              "H×W×1 (grayscale, as MNIST, e.g. 28×28×1) or 32×32×3 (colour, as "
                              "CIFAR-10). Change the Input layer in the Model view, or load a "
                              "preset such as the MNIST CNN, then import again."), shape);
  return FALSE;
}

static void
update_import_tooltip (LlDataView *self)
{
  g_autofree char *message = NULL, *text = NULL;
  int h, w, c;

  if (self->import_button == NULL)
    return;
  if (model_input (self, &h, &w, &c, &message))
    text = g_strdup_printf (_("Make a data set of your own pictures: choose a folder with one "
                            "sub-folder per class (its name is the class name) of PNG or JPEG "
                            "pictures of any size. They are resized to the current model's input "
                            "(%d×%d×%d) and split into training and test sets"), h, w, c);
  else
    text = g_strdup_printf (_("Make a data set of your own pictures (one sub-folder per class of PNG "
                            "or JPEG pictures of any size). %s"), message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button), text);
}

static void
update_import_actions (LlDataView *self)
{
  gboolean busy = self->import_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.import-folder", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.cancel-import", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.train-on-import",
                                 !busy && self->import_dir != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->import_box), busy);
}

static void
show_import_message (LlDataView *self, GtkMessageType type, const char *text, gboolean can_train)
{
  gtk_info_bar_set_message_type (self->import_bar, type);
  gtk_label_set_text (self->import_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->train_on_button), can_train);
  gtk_info_bar_set_revealed (self->import_bar, TRUE);
}

static void
on_import_bar_response (GtkInfoBar *bar, int response, LlDataView *self)
{
  if (response == GTK_RESPONSE_CLOSE)
    gtk_info_bar_set_revealed (bar, FALSE);
}

/* "square/notes.txt (not a picture)", the path shown from the class folder. */
static void
append_skips (GString *text, const LlImportReport *report, const char *source)
{
  guint n = report->skipped != NULL ? report->skipped->len : 0;

  if (n == 0)
    return;
  g_string_append_printf (text, ngettext ("\nSkipped %u file: ", "\nSkipped %u files: ", n), n);
  for (guint i = 0; i < MIN (n, IMPORT_MAX_SKIPS_SHOWN); i++)
    {
      const LlImportSkip *skip = g_ptr_array_index (report->skipped, i);
      g_autofree char *shown = g_filename_display_name (skip->path);
      const char *rel = shown;

      if (g_str_has_prefix (shown, source) && shown[strlen (source)] == G_DIR_SEPARATOR)
        rel = shown + strlen (source) + 1;
      g_string_append_printf (text, "%s%s (%s)", i > 0 ? "; " : "", rel,
                              skip->unknown_format ? _("not a PNG or JPEG picture") : skip->reason);
    }
  if (n > IMPORT_MAX_SKIPS_SHOWN)
    g_string_append_printf (text, _("; and %u more"), n - IMPORT_MAX_SKIPS_SHOWN);
  g_string_append_c (text, '.');
}

static void
on_import_progress (int done, int total, gpointer user_data)
{
  LlDataView *self = user_data;
  g_autofree char *text = NULL;

  if (self->disposed)
    return;
  text = g_strdup_printf (_("Reading pictures: %d of %d"), done, total);
  gtk_progress_bar_set_text (self->import_progress, text);
  gtk_progress_bar_set_fraction (self->import_progress, total > 0 ? (double) done / total : 0);
}

static void
on_import_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LlDataView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  LlImportReport report = { 0 };
  gboolean ok = ll_import_folder_finish (result, &report, &error);
  g_autofree char *source_name = NULL;

  if (self->disposed)
    goto out;
  g_clear_object (&self->import_cancellable);
  source_name = g_path_get_basename (self->import_source);
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_import_message (self, GTK_MESSAGE_INFO, _("Import stopped: nothing was written."), FALSE);
  else if (!ok)
    {
      g_string_append_printf (text, _("Not imported: %s."), error->message);
      append_skips (text, &report, self->import_source);
      g_string_append (text, _("\nNothing was written."));
      show_import_message (self, GTK_MESSAGE_ERROR, text->str, FALSE);
    }
  else
    {
      g_autofree char *out = g_filename_display_name (report.output_dir);
      guint pos;

      g_string_append_printf (text, ngettext ("Imported %d picture from “%s” as %d×%d×%d: %d for training, "
                                              "%d for testing.\n%d classes: ",
                                              "Imported %d pictures from “%s” as %d×%d×%d: %d for training, "
                                              "%d for testing.\n%d classes: ", report.n_images),
                              report.n_images, source_name, report.height,
                              report.width, report.channels, report.n_train, report.n_test,
                              report.n_classes);
      for (int k = 0; k < report.n_classes; k++)
        g_string_append_printf (text, "%s%s %d", k > 0 ? " · " : "", report.class_names[k],
                                report.class_counts[k]);
      g_string_append_c (text, '.');
      append_skips (text, &report, self->import_source);
      g_string_append_printf (text, _("\nSaved in %s%s."), out,
                              self->import_replaces ? _(", replacing the earlier import") : "");
      g_free (self->import_dir);
      self->import_dir = g_strdup (report.output_dir);
      self->import_channels = report.channels;
      show_import_message (self, GTK_MESSAGE_INFO, text->str, TRUE);

      /* Show it: its training images in the grid. */
      forget_loaded (self, report.output_dir);
      pos = add_imported_entry (self, report.output_dir);
      self->updating = TRUE;
      gtk_toggle_button_set_active (self->train_button, TRUE);
      gtk_drop_down_set_selected (self->dataset_dropdown, pos);
      self->updating = FALSE;
      select_dataset (self);
    }
  update_import_actions (self);

out:
  ll_import_report_clear (&report);
  g_object_unref (self);
}

gboolean
ll_data_view_import_folder (LlDataView *self, GFile *folder, const char *output_dir)
{
  g_autofree char *path = NULL, *message = NULL, *base = NULL, *out = NULL;
  int h, w, c;

  g_return_val_if_fail (LL_IS_DATA_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  if (self->import_cancellable != NULL)
    return FALSE;
  if (!model_input (self, &h, &w, &c, &message))
    {
      show_import_message (self, GTK_MESSAGE_ERROR, message, FALSE);
      return FALSE;
    }
  path = g_file_get_path (folder);
  if (path == NULL)
    {
      show_import_message (self, GTK_MESSAGE_ERROR,
                           _("Only folders on this computer can be imported: copy the pictures "
                           "into a local folder first."), FALSE);
      return FALSE;
    }
  base = g_path_get_basename (path);
  if (output_dir != NULL)
    out = g_strdup (output_dir);
  else
    out = ll_import_folder_default_dir (g_strcmp0 (base, G_DIR_SEPARATOR_S) == 0
                                        || g_strcmp0 (base, ".") == 0 ? "pictures" : base);
  g_free (self->import_source);
  self->import_source = g_filename_display_name (path);
  self->import_replaces = g_file_test (out, G_FILE_TEST_IS_DIR);
  self->import_cancellable = g_cancellable_new ();
  gtk_info_bar_set_revealed (self->import_bar, FALSE);
  gtk_progress_bar_set_fraction (self->import_progress, 0);
  gtk_progress_bar_set_text (self->import_progress, _("Reading the folder…"));
  update_import_actions (self);
  ll_import_folder_async (path, h, w, c, IMPORT_TEST_FRACTION, IMPORT_SEED, out,
                          self->import_cancellable, on_import_progress, self,
                          on_import_done, g_object_ref (self));
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, LlDataView *self)
{
  g_autoptr(GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
  if (folder != NULL)
    ll_data_view_import_folder (self, folder, NULL);
}

static void
action_import_folder (GtkWidget *widget, const char *name, GVariant *param)
{
  LlDataView *self = LL_DATA_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *message = NULL;
  int h, w, c;

  if (self->chooser != NULL || self->import_cancellable != NULL)
    return;
  /* Said before a folder is chosen, not after. */
  if (!model_input (self, &h, &w, &c, &message))
    {
      show_import_message (self, GTK_MESSAGE_ERROR, message, FALSE);
      return;
    }
  self->chooser = gtk_file_chooser_native_new (_("Import a Folder of Pictures"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
action_cancel_import (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_data_view_cancel_import (LL_DATA_VIEW (widget));
}

/* The imported folder becomes the Train view's data folder (kept in
 * GSettings data-dir, as its "Data folder…" does), the document's data set
 * the one of its format, and the Train view is shown. */
static void
action_train_on_import (GtkWidget *widget, const char *name, GVariant *param)
{
  LlDataView *self = LL_DATA_VIEW (widget);
  const char *current = self->document != NULL ? ll_document_get_dataset (self->document) : NULL;
  const char *set;

  if (self->import_dir == NULL)
    return;
  if (self->import_channels == 3)
    set = "cifar10";
  else
    set = g_strcmp0 (current, "fashion-mnist") == 0 ? "fashion-mnist" : "mnist";
  /* The window hands the folder to the Train view; alone, the settings keep it. */
  if (!gtk_widget_activate_action (widget, "window.use-data-dir", "s", self->import_dir)
      && self->settings != NULL)
    g_settings_set_string (self->settings, "data-dir", self->import_dir);
  if (self->document != NULL && g_strcmp0 (current, set) != 0)
    {
      /* Not followed here: the imported set stays in the grid. */
      g_free (self->followed);
      self->followed = g_strdup (set);
      ll_document_set_dataset (self->document, set);
    }
  gtk_widget_activate_action (widget, "window.show-view", "s", "train");
}

/* Another data folder may hold other files under the known names. */
static void
on_data_dir_changed (LlDataView *self)
{
  const char *const *names = ll_dataset_known_names ();

  refresh_status (self);
  for (int i = 0; names[i] != NULL; i++)
    forget_loaded (self, names[i]);
  if (selected_import_dir (self) == NULL
      && (gtk_widget_get_mapped (GTK_WIDGET (self)) || self->cancellable != NULL))
    select_dataset (self);
}

static void update_import_tooltip (LlDataView *self);

/* Follows the document's data set when it changes (not on every edit: an
 * imported set being browsed stays). */
static void
follow_document (LlDataView *self)
{
  const char *name = self->document != NULL ? ll_document_get_dataset (self->document) : NULL;
  const char *const *names = ll_dataset_known_names ();

  update_import_tooltip (self);
  if (name == NULL || g_strcmp0 (name, self->followed) == 0)
    return;
  g_free (self->followed);
  self->followed = g_strdup (name);
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
ll_data_view_document_set (LlView *view, LlDocument *old)
{
  LlDataView *self = LL_DATA_VIEW (view);

  self->document = ll_view_get_document (view);
  if (self->document == NULL)
    follow_document (self);
}

static void
ll_data_view_document_changed (LlView *view)
{
  follow_document (LL_DATA_VIEW (view));
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
  self->document = NULL;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The import's callback holds a reference and sees disposed. */
  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  g_clear_object (&self->import_cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->dataset_titles);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_DATA_VIEW);
  self->import_button = NULL;
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
  g_ptr_array_unref (self->imported);
  g_free (self->error_text);
  g_free (self->followed);
  g_free (self->import_source);
  g_free (self->import_dir);
  G_OBJECT_CLASS (ll_data_view_parent_class)->finalize (object);
}

static void
ll_data_view_class_init (LlDataViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_data_view_dispose;
  object_class->finalize = ll_data_view_finalize;
  view_class->document_set = ll_data_view_document_set;
  view_class->document_changed = ll_data_view_document_changed;


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
  gtk_widget_class_bind_template_child (widget_class, LlDataView, import_button);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, import_box);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, import_progress);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, import_bar);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, import_label);
  gtk_widget_class_bind_template_child (widget_class, LlDataView, train_on_button);

  gtk_widget_class_install_action (widget_class, "data.import-folder", NULL, action_import_folder);
  gtk_widget_class_install_action (widget_class, "data.cancel-import", NULL, action_cancel_import);
  gtk_widget_class_install_action (widget_class, "data.train-on-import", NULL, action_train_on_import);
}

static void
ll_data_view_init (LlDataView *self)
{
  const char *const *known = ll_dataset_known_names ();
  GtkStringList *names = gtk_string_list_new (NULL);
  g_auto(GStrv) imported = NULL;

  self->settings = ll_settings_new_if_installed ("data-dir");
  if (self->settings != NULL)
    {
      g_signal_connect_swapped (self->settings, "changed::data-dir",
                                G_CALLBACK (on_data_dir_changed), self);
    }

  /* The data sets' proper names; the selection stays an index into known. */
  for (int i = 0; known[i] != NULL; i++)
    gtk_string_list_append (names, g_str_equal (known[i], "mnist") ? "MNIST"
                                   : g_str_equal (known[i], "fashion-mnist") ? "Fashion-MNIST"
                                   : g_str_equal (known[i], "cifar10") ? "CIFAR-10"
                                   : known[i]);

  gtk_widget_init_template (GTK_WIDGET (self));
  {
    /* Until a data set loads: not an empty "(None)". */
    const char *all[] = { _("All classes"), NULL };
    g_autoptr(GtkStringList) classes = gtk_string_list_new (all);
    gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (classes));
  }
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ll_dataset_free);
  self->filtered = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) set_row_free);
  self->imported = g_ptr_array_new_with_free_func (g_free);
  build_set_rows (self);
  refresh_status (self);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->dataset_dropdown, G_LIST_MODEL (names));
  self->updating = FALSE;
  self->dataset_titles = names;
  /* The sets imported in earlier sessions, after the known ones. */
  imported = ll_import_folder_list_imported ();
  for (int i = 0; imported[i] != NULL; i++)
    add_imported_entry (self, imported[i]);
  g_signal_connect (self->import_bar, "response", G_CALLBACK (on_import_bar_response), self);
  update_import_actions (self);
  update_import_tooltip (self);

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

gboolean
ll_data_view_is_importing (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), FALSE);
  return self->import_cancellable != NULL;
}

void
ll_data_view_cancel_import (LlDataView *self)
{
  g_return_if_fail (LL_IS_DATA_VIEW (self));
  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
}

char *
ll_data_view_dup_import_message (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), NULL);
  if (!gtk_info_bar_get_revealed (self->import_bar))
    return NULL;
  return g_strdup (gtk_label_get_text (self->import_label));
}

const char *
ll_data_view_get_import_dir (LlDataView *self)
{
  g_return_val_if_fail (LL_IS_DATA_VIEW (self), NULL);
  return self->import_dir;
}
