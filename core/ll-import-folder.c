/* ll-import-folder.c: a folder of pictures as a data set (see
 * ll-import-folder.h).
 *
 * One picture at a time is decoded, brought down to at most twice the
 * model's input by gdk-pixbuf (an area average: the engine's bilinear
 * resize then only halves, so large photos do not alias and never need
 * their full size in memory twice) and resized by the engine into the
 * data set; nothing of the folder is held in memory but the result. */
#include "ll-import-folder.h"
#include "ll-mutex.h"
#include "ll-picture.h"

#include "ll-dataset-import.h"
#include "ll-types.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>

#define MAX_CLASSES 10          /* what the MNIST and CIFAR-10 files hold */

/* The files ll_dataset_write_dir writes, per format. */
static const char *const idx_files[] = {
  "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", NULL
};
static const char *const cifar_files[] = { "data_batch_1.bin", "test_batch.bin", NULL };

static void
skip_free (LlImportSkip *skip)
{
  g_free (skip->path);
  g_free (skip->reason);
  g_free (skip);
}

void
ll_import_report_clear (LlImportReport *report)
{
  g_return_if_fail (report != NULL);

  g_strfreev (report->class_names);
  g_free (report->class_counts);
  g_clear_pointer (&report->skipped, g_ptr_array_unref);
  g_free (report->output_dir);
  memset (report, 0, sizeof *report);
}

gboolean
ll_import_folder_check_shape (int height, int width, int channels, GError **error)
{
  if ((channels == 1 && height >= 1 && width >= 1 && height <= 4096 && width <= 4096)
      || (channels == 3 && height == 32 && width == 32))
    return TRUE;
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("Pictures cannot be imported as %d×%d×%d: the data set files hold H×W×1 "
               "(grayscale, as MNIST, e.g. 28×28×1) or 32×32×3 (colour, as CIFAR-10)"),
               height, width, channels);
  return FALSE;
}

/* Sorting --------------------------------------------------------------- */

typedef struct {
  char *name;               /* as on disk */
  char *shown;              /* valid UTF-8 */
  char *key;                /* collation key of shown */
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->name);
  g_free (e->shown);
  g_free (e->key);
  g_free (e);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const Entry *ea = *(Entry *const *) a, *eb = *(Entry *const *) b;
  int c = strcmp (ea->key, eb->key);
  return c != 0 ? c : strcmp (ea->name, eb->name);
}

/* The visible entries of dir (sub-folders or other files), sorted as
 * people sort names.  *n_other counts the entries of the other kind. */
static GPtrArray *
sorted_entries (const char *dir, gboolean want_dirs, int *n_other, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  int saved = errno;
  GPtrArray *entries;
  const char *name;

  if (n_other != NULL)
    *n_other = 0;
  if (d == NULL)
    {
      g_autofree char *shown = g_filename_display_name (dir);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot read the folder “%s”: %s"), shown,
                   g_strerror (saved));
      return NULL;
    }
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      Entry *e;

      if (name[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) != want_dirs)
        {
          if (n_other != NULL)
            (*n_other)++;
          continue;
        }
      e = g_new0 (Entry, 1);
      e->name = g_strdup (name);
      e->shown = g_filename_display_name (name);
      e->key = g_utf8_collate_key_for_filename (e->shown, -1);
      g_ptr_array_add (entries, e);
    }
  g_ptr_array_sort (entries, compare_entries);
  return entries;
}

/* The import ------------------------------------------------------------- */

static void
add_skip (LlImportReport *report, const char *path, const GError *error)
{
  LlImportSkip *skip = g_new0 (LlImportSkip, 1);

  skip->path = g_strdup (path);
  skip->reason = g_strdup (error->message);
  skip->unknown_format = g_error_matches (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE);
  g_ptr_array_add (report->skipped, skip);
}

/* Removes the files of a temporary folder this module made, then it. */
static void
remove_temp_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Moves every file of tmp into out (created as needed), replacing files
 * of the same name. */
static gboolean
move_files (const char *tmp, const char *out, GError **error)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *shown = g_filename_display_name (out);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot create the folder “%s”: %s; choose another"),
                   shown, g_strerror (saved));
      return FALSE;
    }
  d = g_dir_open (tmp, 0, error);
  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *from = g_build_filename (tmp, name, NULL);
      g_autofree char *to = g_build_filename (out, name, NULL);

      if (g_rename (from, to) != 0)
        {
          int saved = errno;
          g_autofree char *shown = g_filename_display_name (to);
          g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write “%s”: %s"), shown,
                       g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_classes (const char *dir, GPtrArray *classes, int n_files, GError **error)
{
  g_autofree char *shown = g_filename_display_name (dir);
  const char *how = _("put the pictures of each class in a sub-folder named after the class "
                    "(for example cats/ and dogs/)");

  if (classes->len == 0 && n_files == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("“%s” is empty: %s"), shown, how);
      return FALSE;
    }
  if (classes->len == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   ngettext ("“%s” has no sub-folders, only %d file: %s",
                             "“%s” has no sub-folders, only %d files: %s", n_files),
                   shown, n_files, how);
      return FALSE;
    }
  if (classes->len == 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("“%s” has one sub-folder (%s): a data set needs at least 2 classes; %s"), shown,
                   ((Entry *) classes->pdata[0])->shown, how);
      return FALSE;
    }
  if (classes->len > MAX_CLASSES)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("“%s” has %u sub-folders (classes); the MNIST and CIFAR-10 files hold at "
                   "most %d: merge some sub-folders, or move some out"),
                   shown, classes->len, MAX_CLASSES);
      return FALSE;
    }
  return TRUE;
}

static gboolean
import_folder (const char *dir, int height, int width, int channels, double test_fraction,
               guint64 seed, const char *output_dir, GCancellable *cancellable,
               LlImportProgressFunc progress, gpointer progress_data,
               LlImportReport *report, GError **error)
{
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(LlDataset) ds = NULL, train = NULL, test = NULL;
  g_autofree char *parent = NULL, *base = NULL, *tmp = NULL, *old_classes = NULL;
  g_auto(GStrv) names = NULL;
  gsize sample;
  int total = 0, done = 0, n_loose = 0;
  gboolean was_import;

  if (!ll_import_folder_check_shape (height, width, channels, error))
    return FALSE;
  if (!(test_fraction >= 0.0 && test_fraction < 1.0))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("test fraction %g is out of range; choose 0 to 0.9"), test_fraction);
      return FALSE;
    }
  report->height = height;
  report->width = width;
  report->channels = channels;

  /* The classes and their files, counted first for the progress. */
  if (!(classes = sorted_entries (dir, TRUE, &n_loose, error))
      || !check_classes (dir, classes, n_loose, error))
    return FALSE;
  names = g_new0 (char *, classes->len + 1);
  for (guint k = 0; k < classes->len; k++)
    {
      Entry *e = classes->pdata[k];
      g_autofree char *sub = g_build_filename (dir, e->name, NULL);
      GPtrArray *list = sorted_entries (sub, FALSE, NULL, error);

      if (list == NULL)
        return FALSE;
      names[k] = g_strdup (e->shown);
      g_ptr_array_add (files, list);
      total += (int) list->len;
    }
  report->class_names = g_strdupv (names);
  report->n_classes = (int) classes->len;
  report->class_counts = g_new0 (int, classes->len);
  if (total == 0)
    {
      g_autofree char *shown = g_filename_display_name (dir);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The sub-folders of “%s” hold no files: put PNG or JPEG pictures in them"), shown);
      return FALSE;
    }

  /* Decoded one at a time into the set, which may end up smaller. */
  if (!(ds = ll_dataset_new ("imported", total, height, width, channels, (int) classes->len, error)))
    return FALSE;
  g_strfreev (ds->class_names);
  ds->class_names = g_strdupv (names);
  ds->n = 0;
  sample = ll_dataset_sample_size (ds);
  if (progress != NULL)
    progress (0, total, progress_data);
  for (guint k = 0; k < classes->len; k++)
    {
      GPtrArray *list = files->pdata[k];
      g_autofree char *sub = g_build_filename (dir, ((Entry *) classes->pdata[k])->name, NULL);

      for (guint i = 0; i < list->len; i++)
        {
          g_autofree char *path = g_build_filename (sub, ((Entry *) list->pdata[i])->name, NULL);
          g_autoptr(GError) err = NULL;
          g_autoptr(GdkPixbuf) pb = NULL;
          g_autoptr(LlDataset) one = NULL;
          LlImportImage im;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          pb = ll_picture_load (path, 2 * width, 2 * height, &err);
          if (pb != NULL)
            {
              im.rgba = gdk_pixbuf_read_pixels (pb);
              im.width = gdk_pixbuf_get_width (pb);
              im.height = gdk_pixbuf_get_height (pb);
              im.stride = gdk_pixbuf_get_rowstride (pb);
              im.label = (int) k;
              one = ll_dataset_import (&im, 1, (const char *const *) names, height, width,
                                       channels, &err);
            }
          if (one == NULL)
            add_skip (report, path, err);
          else
            {
              memcpy (ds->images + (gsize) ds->n * sample, one->images, sample);
              ds->labels[ds->n++] = (guint8) k;
              report->class_counts[k]++;
            }
          done++;
          if (progress != NULL)
            progress (done, total, progress_data);
        }
    }
  report->n_images = ds->n;
  if (ds->n == 0)
    {
      g_autofree char *shown = g_filename_display_name (dir);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("None of the %d files in the sub-folders of “%s” is a picture Layerlab can "
                   "read (PNG or JPEG)"), total, shown);
      return FALSE;
    }
  if (!ll_dataset_split (ds, test_fraction, seed, &train, &test, error))
    return FALSE;
  report->n_train = train->n;
  report->n_test = test->n;

  /* Written beside output_dir, moved into it once complete. */
  parent = g_path_get_dirname (output_dir);
  base = g_path_get_basename (output_dir);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *shown = g_filename_display_name (parent);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot create the folder “%s”: %s; choose another"),
                   shown, g_strerror (saved));
      return FALSE;
    }
  {
    g_autofree char *pattern = g_strdup_printf (".%s.importing-XXXXXX", base);
    tmp = g_build_filename (parent, pattern, NULL);
  }
  if (g_mkdtemp (tmp) == NULL)
    {
      int saved = errno;
      g_autofree char *shown = g_filename_display_name (parent);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write in “%s”: %s; choose another folder"),
                   shown, g_strerror (saved));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error)
      || !ll_dataset_write_dir (train, test, tmp, error))
    {
      remove_temp_dir (tmp);
      return FALSE;
    }
  old_classes = g_build_filename (output_dir, "classes.txt", NULL);
  was_import = g_file_test (old_classes, G_FILE_TEST_IS_REGULAR);
  if (!move_files (tmp, output_dir, error))
    {
      remove_temp_dir (tmp);
      return FALSE;
    }
  g_rmdir (tmp);
  /* A previous import in the other format would be found first by name. */
  if (was_import)
    for (const char *const *f = channels == 1 ? cifar_files : idx_files; *f != NULL; f++)
      {
        g_autofree char *path = g_build_filename (output_dir, *f, NULL);
        g_unlink (path);
      }
  report->output_dir = g_strdup (output_dir);
  return TRUE;
}

gboolean
ll_import_folder (const char *dir, int height, int width, int channels,
                  double test_fraction, guint64 seed, const char *output_dir,
                  GCancellable *cancellable,
                  LlImportProgressFunc progress, gpointer progress_data,
                  LlImportReport *report, GError **error)
{
  LlImportReport local = { 0 };
  gboolean ok;

  g_return_val_if_fail (dir != NULL && output_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (report == NULL)
    report = &local;
  else
    memset (report, 0, sizeof *report);
  report->skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) skip_free);
  ok = import_folder (dir, height, width, channels, test_fraction, seed, output_dir,
                      cancellable, progress, progress_data, report, error);
  if (report == &local)
    ll_import_report_clear (&local);
  return ok;
}

/* In a thread --------------------------------------------------------------- */

typedef struct {
  char *dir, *output_dir;
  int height, width, channels;
  double test_fraction;
  guint64 seed;
  LlImportReport report;

  LlImportProgressFunc progress;
  gpointer progress_data;
  GAsyncReadyCallback callback;
  gpointer user_data;

  /* The latest progress, shown by at most one pending source. */
  GMainContext *context;
  GMutex lock;
  int done, total;
  GSource *pending;
} Job;

static void
job_free (Job *job)
{
  g_free (job->dir);
  g_free (job->output_dir);
  ll_import_report_clear (&job->report);
  g_main_context_unref (job->context);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static gboolean
progress_idle (gpointer data)
{
  Job *job = data;
  int done, total;

  ll_mutex_lock (&job->lock);
  done = job->done;
  total = job->total;
  g_clear_pointer (&job->pending, g_source_unref);
  ll_mutex_unlock (&job->lock);
  job->progress (done, total, job->progress_data);
  return G_SOURCE_REMOVE;
}

/* Called in the worker thread. */
static void
thread_progress (int done, int total, gpointer data)
{
  Job *job = data;

  ll_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  if (job->pending == NULL)
    {
      job->pending = g_idle_source_new ();
      g_source_set_priority (job->pending, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (job->pending, progress_idle, job, NULL);
      g_source_set_static_name (job->pending, "[layerlab] import progress");
      g_source_attach (job->pending, job->context);
    }
  ll_mutex_unlock (&job->lock);
}

static void
import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (ll_import_folder (job->dir, job->height, job->width, job->channels, job->test_fraction,
                        job->seed, job->output_dir, cancellable,
                        job->progress != NULL ? thread_progress : NULL, job,
                        &job->report, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* In the caller's context: no progress after this. */
static void
import_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  ll_mutex_lock (&job->lock);
  if (job->pending != NULL)
    {
      g_source_destroy (job->pending);
      g_clear_pointer (&job->pending, g_source_unref);
    }
  ll_mutex_unlock (&job->lock);
  if (job->callback != NULL)
    job->callback (NULL, result, job->user_data);
}

void
ll_import_folder_async (const char *dir, int height, int width, int channels,
                        double test_fraction, guint64 seed, const char *output_dir,
                        GCancellable *cancellable,
                        LlImportProgressFunc progress, gpointer progress_data,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (dir != NULL && output_dir != NULL);

  job = g_new0 (Job, 1);
  job->dir = g_strdup (dir);
  job->output_dir = g_strdup (output_dir);
  job->height = height;
  job->width = width;
  job->channels = channels;
  job->test_fraction = test_fraction;
  job->seed = seed;
  job->progress = progress;
  job->progress_data = progress_data;
  job->callback = callback;
  job->user_data = user_data;
  job->context = g_main_context_ref_thread_default ();
  g_mutex_init (&job->lock);

  task = g_task_new (NULL, cancellable, import_done, NULL);
  g_task_set_source_tag (task, ll_import_folder_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* Files moved into place count, even when a cancel came too late. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, import_thread);
}

gboolean
ll_import_folder_finish (GAsyncResult *result, LlImportReport *report, GError **error)
{
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ll_import_folder_async, FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    {
      *report = job->report;
      memset (&job->report, 0, sizeof job->report);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Imported sets ------------------------------------------------------------ */

static char *
imported_base (void)
{
  return g_build_filename (g_get_user_data_dir (), "layerlab", "imported", NULL);
}

char *
ll_import_folder_default_dir (const char *name)
{
  g_autofree char *base = imported_base ();

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  return g_build_filename (base, name, NULL);
}

char **
ll_import_folder_list_imported (void)
{
  g_autofree char *base = imported_base ();
  g_autoptr(GPtrArray) entries = sorted_entries (base, TRUE, NULL, NULL);
  GPtrArray *out = g_ptr_array_new_null_terminated (8, g_free, TRUE);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      Entry *e = entries->pdata[i];
      g_autofree char *classes = g_build_filename (base, e->name, "classes.txt", NULL);

      if (g_file_test (classes, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_build_filename (base, e->name, NULL));
    }
  return (char **) g_ptr_array_free (out, FALSE);
}

LlDataset *
ll_import_folder_load (const char *dir, gboolean test, GError **error)
{
  g_autofree char *classes_path = g_build_filename (dir, "classes.txt", NULL);
  g_autofree char *text = NULL, *shown = g_filename_display_name (dir);
  g_autofree char *first = g_build_filename (dir, idx_files[test ? 2 : 0], NULL);
  g_autofree char *cifar = g_build_filename (dir, cifar_files[test ? 1 : 0], NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (MAX_CLASSES, g_free, TRUE);
  g_autoptr(LlDataset) ds = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  if (!g_file_get_contents (classes_path, &text, NULL, NULL))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                   _("“%s” holds no imported data set (no classes.txt); import the folder again"),
                   shown);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (names, g_utf8_make_valid (lines[i], -1));

  if (g_file_test (first, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *labels = g_build_filename (dir, idx_files[test ? 3 : 1], NULL);
      ds = ll_dataset_load_idx (first, labels, error);
    }
  else if (g_file_test (cifar, G_FILE_TEST_IS_REGULAR))
    {
      const char *paths[] = { cifar, NULL };
      ds = ll_dataset_load_cifar10 (paths, error);
    }
  else
    g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                 _("The %s set of “%s” is missing; import the folder again"),
                 test ? "test" : "training", shown);
  if (ds == NULL)
    return NULL;
  if (names->len < 2 || names->len > (guint) ds->n_classes)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("classes.txt in “%s” names %u classes; 2 to %d expected: import the folder again"),
                   shown, names->len, ds->n_classes);
      return NULL;
    }
  for (int i = 0; i < ds->n; i++)
    if (ds->labels[i] >= names->len)
      {
        g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                     _("Image %d of “%s” has class %d but classes.txt names %u; import the folder again"),
                     i, shown, ds->labels[i], names->len);
        return NULL;
      }
  ds->n_classes = (int) names->len;
  g_strfreev (ds->class_names);
  ds->class_names = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  g_free (ds->name);
  ds->name = g_path_get_basename (dir);
  return g_steal_pointer (&ds);
}
