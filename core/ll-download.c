/* ll-download.c: data-set downloads with libsoup 3.
 *
 * The transfer runs in a GTask thread with its own synchronous SoupSession
 * (libsoup 3 sessions belong to one thread), so the UI never blocks;
 * progress is handed back to the caller's main context.  A file is only
 * ever visible under its real name after its md5 matched. */
#include "ll-download.h"

#include "ll-dataset.h"
#include "ll-types.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* MNIST: sums as given by the project brief (Yann LeCun's page).
 * Fashion-MNIST: md5sum.txt of github.com/sjb3d/descent
 * (data/fashion_mnist/md5sum.txt), matching the Fashion-MNIST README;
 * sizes as Keras' downloader reports them.
 * CIFAR-10: the table on https://www.cs.toronto.edu/~kriz/cifar.html
 * (binary version, 170052171 bytes, md5 c32a1d4a...), as quoted in
 * several public repositories. */
static const LlDownloadFile mnist_files[] = {
  { "train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", 60000 },
  { "train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432", 60000 },
  { "t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3", 10000 },
  { "t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c", 10000 },
};

static const LlDownloadFile fashion_files[] = {
  { "train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 60000 },
  { "train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe", 60000 },
  { "t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79", 10000 },
  { "t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310", 10000 },
};

static const LlDownloadFile cifar_files[] = {
  { "cifar-10-binary.tar.gz", 170052171, "c32a1d4ab5d03f1284b67883e8d87530" },
};

static const LlDownloadSet sets[] = {
  { "mnist", "MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist",
    mnist_files, G_N_ELEMENTS (mnist_files), NULL },
  { "fashion-mnist", "Fashion-MNIST", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
    fashion_files, G_N_ELEMENTS (fashion_files), NULL },
  { "cifar10", "CIFAR-10", "https://www.cs.toronto.edu/~kriz",
    cifar_files, G_N_ELEMENTS (cifar_files),
    N_("unpack it there: tar xzf cifar-10-binary.tar.gz (gives cifar-10-batches-bin/)") },
};

/* Seconds without a byte from the server before a download gives up. */
static guint stall_timeout = 60;

void
ll_download_set_stall_timeout (guint seconds)
{
  g_atomic_int_set (&stall_timeout, MAX (seconds, 1));
}

const LlDownloadSet *
ll_download_sets (int *n_sets)
{
  if (n_sets != NULL)
    *n_sets = G_N_ELEMENTS (sets);
  return sets;
}

const LlDownloadSet *
ll_download_set_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sets); i++)
    if (g_strcmp0 (sets[i].name, name) == 0)
      return &sets[i];
  return NULL;
}

char *
ll_download_default_dir (const char *name)
{
  return g_build_filename (g_get_user_data_dir (), "layerlab", "datasets", name, NULL);
}

static char *
file_md5 (const char *path, guint64 *size)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  FILE *f = fopen (path, "rb");
  guint8 buf[65536];
  gsize n;

  *size = 0;
  if (f == NULL)
    return NULL;
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    {
      g_checksum_update (sum, buf, n);
      *size += n;
    }
  fclose (f);
  return g_strdup (g_checksum_get_string (sum));
}

LlFileState
ll_download_check_file (const char *dir, const LlDownloadFile *f, guint64 *size)
{
  g_autofree char *path = g_build_filename (dir, f->file, NULL);
  g_autofree char *md5 = NULL;
  guint64 n = 0;
  GStatBuf st;

  if (size != NULL)
    *size = 0;
  if (g_stat (path, &st) != 0)
    return LL_FILE_MISSING;
  if (size != NULL)
    *size = (guint64) st.st_size;
  if (f->size != 0 && (guint64) st.st_size != f->size)
    return LL_FILE_BAD;
  if (f->md5 == NULL)
    return LL_FILE_UNVERIFIED;
  md5 = file_md5 (path, &n);
  return md5 != NULL && g_ascii_strcasecmp (md5, f->md5) == 0 ? LL_FILE_OK : LL_FILE_BAD;
}

guint32
ll_download_idx_count (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  g_autoptr(GInputStream) in = NULL;
  guchar head[8];
  gsize got = 0;

  if (raw == NULL)
    return 0;
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr(GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      in = g_converter_input_stream_new (raw, G_CONVERTER (gz));
    }
  else
    in = g_object_ref (raw);
  if (!g_input_stream_read_all (in, head, sizeof head, &got, NULL, NULL) || got != sizeof head)
    return 0;
  /* IDX: two zero bytes, the type (8: unsigned byte), the rank (1 or 3), then the count. */
  if (head[0] != 0 || head[1] != 0 || head[2] != 8 || (head[3] != 1 && head[3] != 3))
    return 0;
  return ((guint32) head[4] << 24) | ((guint32) head[5] << 16) | ((guint32) head[6] << 8) | head[7];
}

const char *
ll_file_state_to_string (LlFileState state)
{
  switch (state)
    {
    case LL_FILE_OK: return _("checksum ok");
    case LL_FILE_BAD: return _("checksum MISMATCH");
    case LL_FILE_UNVERIFIED: return _("present (no official checksum known)");
    case LL_FILE_MISSING:
    default: return "missing";
    }
}

static guint64
bin_files_size (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;
      if (g_str_has_suffix (name, ".bin") && g_stat (path, &st) == 0)
        total += (guint64) st.st_size;
    }
  return total;
}

void
ll_download_set_status (const LlDownloadSet *set, const char *data_dir, LlSetStatus *status)
{
  int n_ok = 0, n_unverified = 0, n_system = 0, n_unpacked = 0, n_bad = 0, n_missing = 0;
  int n_subset = 0;
  guint32 subset_count = 0, official_count = 0;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *user_dir = NULL;

  g_return_if_fail (set != NULL && status != NULL);

  memset (status, 0, sizeof *status);
  status->dir = ll_dataset_locate (set->name, data_dir);
  if (status->dir == NULL)
    status->dir = ll_download_default_dir (set->name);
  for (int i = 0; i < set->n_files; i++)
    {
      const LlDownloadFile *f = &set->files[i];
      guint64 size = 0;
      LlFileState st = ll_download_check_file (status->dir, f, &size);

      if (st == LL_FILE_MISSING)
        {
          /* The archive or .gz may be kept unpacked: no official sum applies. */
          g_autofree char *batches = g_build_filename (status->dir, "cifar-10-batches-bin", NULL);
          g_autofree char *raw = g_str_has_suffix (f->file, ".gz")
            ? g_strndup (f->file, strlen (f->file) - 3) : NULL;
          g_autofree char *raw_path = raw != NULL ? g_build_filename (status->dir, raw, NULL) : NULL;
          GStatBuf stb;

          if (g_strcmp0 (set->name, "cifar10") == 0
              && (bin_files_size (batches) > 0 || bin_files_size (status->dir) > 0))
            {
              size = bin_files_size (batches) + bin_files_size (status->dir);
              n_unpacked++;
            }
          else if (raw_path != NULL && g_stat (raw_path, &stb) == 0)
            {
              size = (guint64) stb.st_size;
              n_unpacked++;
            }
          else
            n_missing++;
        }
      else if (st == LL_FILE_BAD && g_str_has_prefix (status->dir, "/usr/share/"))
        n_system++;         /* Debian recompresses: dpkg --verify applies, not the official sums */
      else if (st == LL_FILE_BAD && f->idx_count > 0)
        {
          /* A well-formed IDX file with fewer records than the official one:
           * a subset (the shared 10,000 MNIST training digits), not damage. */
          g_autofree char *path = g_build_filename (status->dir, f->file, NULL);
          guint32 count = ll_download_idx_count (path);
          if (count > 0 && count < f->idx_count)
            {
              n_subset++;
              subset_count = MAX (subset_count, count);
              official_count = MAX (official_count, f->idx_count);
            }
          else
            n_bad++;
        }
      else if (st == LL_FILE_BAD)
        n_bad++;
      else if (st == LL_FILE_OK)
        n_ok++;
      else
        n_unverified++;
      status->size += size;
    }
  status->found = n_missing < set->n_files;
  status->complete = n_missing == 0 && n_bad == 0;
  status->subset = n_subset > 0;

#define PART(n, what) \
  if ((n) > 0) \
    g_string_append_printf (text, "%s%d %s", text->len > 0 ? ", " : "", (n), (what))
  PART (n_ok, _("checksum verified"));
  PART (n_system, _("from a system package (recompressed: official sums do not apply)"));
  PART (n_unpacked, _("unpacked (official sums are for the archives)"));
  PART (n_unverified, _("without an official sum"));
  if (n_subset > 0)
    {
      /* Translators: the data set files that hold part of the official set. */
      g_autofree char *what = g_strdup_printf (_("files hold a subset of the official set (%u of %u images): "
                                                 "enough for lessons, demos and tests; the full "
                                                 "set reaches the tutorials' accuracy"),
                                               subset_count, official_count);
      PART (n_subset, what);
    }
  PART (n_bad, _("damaged or different from the official files (checksum mismatch): download them again"));
  PART (n_missing, "missing");
#undef PART
  status->checksums = g_string_free (g_steal_pointer (&text), FALSE);

  if (!status->complete || status->subset)
    {
      g_autoptr(GString) remedy = g_string_new (NULL);

      user_dir = ll_download_default_dir (set->name);
      g_string_append (remedy, status->complete ? _("For the full official set, download it "
                                                    "(needs the network)")
                                                : _("Download it (needs the network)"));
      if (g_strcmp0 (set->name, "fashion-mnist") == 0)
        g_string_append (remedy, _(", install the Debian package dataset-fashion-mnist"));
      g_string_append (remedy, _(", or copy "));
      for (int i = 0; i < set->n_files; i++)
        g_string_append_printf (remedy, "%s%s", i ? ", " : "", set->files[i].file);
      g_string_append_printf (remedy, _(" into %s"), user_dir);
      if (set->note != NULL)
        g_string_append_printf (remedy, _(" and %s"), _(set->note));
      status->remedy = g_string_free (g_steal_pointer (&remedy), FALSE);
    }
}

void
ll_set_status_clear (LlSetStatus *status)
{
  g_clear_pointer (&status->dir, g_free);
  g_clear_pointer (&status->checksums, g_free);
  g_clear_pointer (&status->remedy, g_free);
}

/* The download job. */

typedef struct {
  LlDownloadFile *files;
  int n_files;
  char *base_url, *dest_dir;
  LlDownloadProgressFunc progress;
  gpointer progress_data;
  GMainContext *context;
} Job;

static void
job_free (Job *job)
{
  for (int i = 0; i < job->n_files; i++)
    {
      g_free ((char *) job->files[i].file);
      g_free ((char *) job->files[i].md5);
    }
  g_free (job->files);
  g_free (job->base_url);
  g_free (job->dest_dir);
  g_main_context_unref (job->context);
  g_free (job);
}

typedef struct {
  LlDownloadProgress p;
  char *file;
  LlDownloadProgressFunc func;
  gpointer data;
} ProgressCall;

static gboolean
progress_idle (gpointer user_data)
{
  ProgressCall *c = user_data;
  c->p.file = c->file;
  c->func (&c->p, c->data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *c = user_data;
  g_free (c->file);
  g_free (c);
}

static void
report (Job *job, const LlDownloadProgress *p)
{
  ProgressCall *c;

  if (job->progress == NULL)
    return;
  c = g_new0 (ProgressCall, 1);
  c->p = *p;
  c->file = g_strdup (p->file);
  c->func = job->progress;
  c->data = job->progress_data;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, progress_idle, c, progress_call_free);
}

/* A server sending more than the expected size sends something else: the
 * partial file goes, and the message says where to look. */
static gboolean
refuse_too_long (GFileOutputStream *out, const char *part, const LlDownloadFile *f,
                 const char *url, GError **error)
{
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  g_unlink (part);
  g_set_error (error, LL_ERROR, LL_ERROR_IO,
               _("%s from %s is longer than the %" PRIu64 " bytes expected; "
               "the server sent something else. Check the address (--base-url)"),
               f->file, url, f->size);
  return FALSE;
}

/* One file into dest_dir/.<file>.part, resumed when that exists. */
static gboolean
fetch_one (Job *job, SoupSession *session, int index, GCancellable *cancellable, GError **error)
{
  const LlDownloadFile *f = &job->files[index];
  g_autofree char *url = g_strconcat (job->base_url, "/", f->file, NULL);
  g_autofree char *part_name = g_strconcat (".", f->file, ".part", NULL);
  g_autofree char *part = g_build_filename (job->dest_dir, part_name, NULL);
  g_autofree char *final = g_build_filename (job->dest_dir, f->file, NULL);
  g_autofree char *md5 = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GFile) part_file = g_file_new_for_path (part);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) local = NULL;
  guint64 have = 0, total, size = 0;
  goffset length;
  gint64 start = g_get_monotonic_time (), last = 0;
  guint8 buf[65536];
  GStatBuf st;
  guint status;
  LlDownloadProgress p = { f->file, index, job->n_files, 0, f->size, 0 };

  if (ll_download_check_file (job->dest_dir, f, NULL) == LL_FILE_OK)
    return TRUE;

  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("“%s” is not a valid address; check --base-url"), url);
      return FALSE;
    }
  if (g_stat (part, &st) == 0 && st.st_size > 0)
    {
      have = (guint64) st.st_size;
      soup_message_headers_set_range (soup_message_get_request_headers (msg), (goffset) have, -1);
    }
  in = soup_session_send (session, msg, cancellable, &local);
  if (in == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          guint secs = g_atomic_int_get (&stall_timeout);
          g_set_error (error, LL_ERROR, LL_ERROR_IO,
                       ngettext ("%s did not answer within %u second; check the network "
                                 "connection and try again later, or copy %s into %s by hand",
                                 "%s did not answer within %u seconds; check the network "
                                 "connection and try again later, or copy %s into %s by hand",
                                 secs),
                       url, secs, f->file, job->dest_dir);
        }
      else
        g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Cannot reach %s: %s. Check the network connection, or copy %s into %s by hand"),
                   url, local->message, f->file, job->dest_dir);
      return FALSE;
    }
  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_PARTIAL_CONTENT && have > 0)
    out = g_file_append_to (part_file, G_FILE_CREATE_NONE, cancellable, &local);
  else if (status == SOUP_STATUS_OK)
    {
      /* The server ignored the range: start over. */
      have = 0;
      out = g_file_replace (part_file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &local);
    }
  else if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && have > 0)
    {
      /* The partial file is already whole (or longer): verify it below. */
      out = NULL;
    }
  else
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("The server answered %u %s for %s; check the address (--base-url) or try again later"),
                   status, soup_message_get_reason_phrase (msg), url);
      return FALSE;
    }
  if (out == NULL && local != NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write %s: %s; check the folder's permissions"),
                   part, local->message);
      return FALSE;
    }

  total = f->size;
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  if (total == 0 && length > 0)
    total = have + (guint64) length;
  /* A server announcing more than the expected size sends something
   * else: refused before a byte of it is written. */
  if (out != NULL && f->size != 0 && length > 0 && have + (guint64) length > f->size)
    {
      return refuse_too_long (out, part, f, url, error);
    }
  p.total = total;
  p.received = have;
  while (out != NULL)
    {
      /* At most one byte past the expected size is read: enough to know
       * that the server sends too much, never more of it. */
      gsize want = f->size != 0 ? (gsize) MIN (sizeof buf, f->size + 1 - MIN (p.received, f->size))
                                : sizeof buf;
      gssize n = g_input_stream_read (in, buf, want, cancellable, &local);
      gint64 now;
      if (n < 0)
        {
          g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local));
          else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              guint secs = g_atomic_int_get (&stall_timeout);
              g_set_error (error, LL_ERROR, LL_ERROR_IO,
                           ngettext ("The server stopped sending %s: nothing came for %u second "
                                     "after %" PRIu64 " of %" PRIu64 " bytes. Run the download "
                                     "again to resume where it stopped, or check the network "
                                     "connection",
                                     "The server stopped sending %s: nothing came for %u seconds "
                                     "after %" PRIu64 " of %" PRIu64 " bytes. Run the download "
                                     "again to resume where it stopped, or check the network "
                                     "connection",
                                     secs),
                           f->file, secs, p.received, total);
            }
          else
            g_set_error (error, LL_ERROR, LL_ERROR_IO,
                         _("The download of %s broke off after %" PRIu64 " bytes (%s); "
                         "run it again to resume where it stopped"),
                         f->file, p.received, local->message);
          return FALSE;
        }
      if (n == 0)
        break;
      /* Never write past the expected size: a server sending more is wrong,
       * and the disk must not fill with it. */
      if (f->size != 0 && p.received + (guint64) n > f->size)
        {
          return refuse_too_long (out, part, f, url, error);
        }
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buf, (gsize) n, NULL, cancellable, &local))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write %s: %s; free some disk space"),
                       part, local->message);
          return FALSE;
        }
      p.received += (guint64) n;
      now = g_get_monotonic_time ();
      if (now - last > 100000)
        {
          p.bytes_per_s = (p.received - have) / MAX ((now - start) / 1e6, 1e-6);
          report (job, &p);
          last = now;
        }
    }
  if (out != NULL && !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &local))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot write %s: %s"), part, local->message);
      return FALSE;
    }
  p.bytes_per_s = (p.received - have) / MAX ((g_get_monotonic_time () - start) / 1e6, 1e-6);
  report (job, &p);

  md5 = file_md5 (part, &size);
  if (f->size != 0 && size < f->size)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("The download of %s stopped at %" PRIu64 " of %" PRIu64
                   " bytes; run it again to resume"), f->file, size, f->size);
      return FALSE;
    }
  if ((f->size != 0 && size != f->size)
      || (f->md5 != NULL && (md5 == NULL || g_ascii_strcasecmp (md5, f->md5) != 0)))
    {
      g_unlink (part);
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s from %s failed its checksum (md5 %s, expected %s, %" PRIu64
                   " bytes); it was deleted. Try again, or use the official address"),
                   f->file, url, md5 ? md5 : "?", f->md5 ? f->md5 : "?", size);
      return FALSE;
    }
  if (g_rename (part, final) != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Cannot move %s into place: %s"),
                   final, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static void
download_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  GError *error = NULL;
  gboolean ok = TRUE;

  g_main_context_push_thread_default (ctx);
  /* "timeout": the longest wait for a connection, an answer or the next
   * bytes of a transfer (a stalled server), not the whole download. */
  session = soup_session_new_with_options ("user-agent", "Layerlab/" "0.1",
                                           "timeout", g_atomic_int_get (&stall_timeout), NULL);
  if (g_mkdir_with_parents (job->dest_dir, 0755) != 0)
    {
      g_set_error (&error, LL_ERROR, LL_ERROR_IO, _("Cannot create %s: %s; check its permissions"),
                   job->dest_dir, g_strerror (errno));
      ok = FALSE;
    }
  for (int i = 0; ok && i < job->n_files; i++)
    ok = fetch_one (job, session, i, cancellable, &error);
  g_clear_object (&session);
  g_main_context_pop_thread_default (ctx);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ll_download_files_async (const LlDownloadFile *files, int n_files,
                         const char *base_url, const char *dest_dir,
                         GCancellable *cancellable,
                         LlDownloadProgressFunc progress, gpointer progress_data,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->files = g_new0 (LlDownloadFile, n_files);
  for (int i = 0; i < n_files; i++)
    {
      job->files[i] = files[i];
      job->files[i].file = g_strdup (files[i].file);
      job->files[i].md5 = g_strdup (files[i].md5);
    }
  job->n_files = n_files;
  job->base_url = g_strdup (base_url);
  /* "…/" + file: drop a trailing slash of the base. */
  if (g_str_has_suffix (job->base_url, "/"))
    job->base_url[strlen (job->base_url) - 1] = '\0';
  job->dest_dir = g_strdup (dest_dir);
  job->progress = progress;
  job->progress_data = progress_data;
  job->context = g_main_context_ref_thread_default ();
  g_task_set_source_tag (task, ll_download_files_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, download_thread);
}

gboolean
ll_download_files_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ll_download_async (const char *name, const char *base_url, GCancellable *cancellable,
                   LlDownloadProgressFunc progress, gpointer progress_data,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  const LlDownloadSet *set = ll_download_set_lookup (name);
  g_autofree char *dir = NULL;

  if (set == NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
      g_task_return_new_error (task, LL_ERROR, LL_ERROR_INVALID,
                               _("Unknown data set “%s”; choose mnist, fashion-mnist or cifar10"),
                               name ? name : "");
      return;
    }
  dir = ll_download_default_dir (set->name);
  ll_download_files_async (set->files, set->n_files, base_url ? base_url : set->base_url, dir,
                           cancellable, progress, progress_data, callback, user_data);
}

gboolean
ll_download_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
