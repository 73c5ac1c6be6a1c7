/* ll-download.h: the data sets' official files, their checksum state on
 * this machine and their download (libsoup 3) with progress, cancel,
 * resume of a partial file and md5 verification before a file is used. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  const char *file;         /* "train-images-idx3-ubyte.gz" */
  guint64 size;             /* bytes, 0 when unknown */
  const char *md5;          /* lower-case hex, NULL when unknown */
  guint32 idx_count;        /* IDX files: the official number of records, else 0 */
} LlDownloadFile;

typedef struct {
  const char *name;         /* "mnist", as ll_dataset_locate knows it */
  const char *title;
  const char *base_url;     /* canonical location; files are base_url + "/" + file */
  const LlDownloadFile *files;
  int n_files;
  const char *note;         /* what to do after the download, or NULL */
} LlDownloadSet;

/* The known sets (MNIST, Fashion-MNIST, CIFAR-10) and one by name. */
const LlDownloadSet *ll_download_sets (int *n_sets);
const LlDownloadSet *ll_download_set_lookup (const char *name);

typedef enum {
  LL_FILE_MISSING,
  LL_FILE_OK,               /* size and md5 match */
  LL_FILE_BAD,              /* present but size or md5 differ */
  LL_FILE_UNVERIFIED,       /* present; no official sum known */
} LlFileState;

/* Checks dir/file against the catalog (reads the whole file for md5). */
LlFileState ll_download_check_file (const char *dir, const LlDownloadFile *f, guint64 *size);
const char *ll_file_state_to_string (LlFileState state);
/* The record count in an IDX file's header (gzip or raw), 0 when it is not one. */
guint32     ll_download_idx_count (const char *path);

/* What `layerlab datasets` and the Data view say about a set. */
typedef struct {
  char *dir;                /* where it is, or where a download or copy goes */
  gboolean found;           /* some of its files are there */
  gboolean complete;        /* usable: nothing missing or damaged */
  gboolean subset;          /* usable, but some files hold fewer records than the
                             * official ones (the shared 10,000-digit MNIST) */
  guint64 size;             /* bytes of the files found */
  char *checksums;          /* one line: "4 files, checksums verified", … */
  char *remedy;             /* what to do when not complete, else NULL */
} LlSetStatus;

/* Fills status for set as found from data_dir (nullable, searched first,
 * as ll_dataset_locate does).  Reads whole files for md5: call it off the
 * main thread.  Clear with ll_set_status_clear. */
void ll_download_set_status (const LlDownloadSet *set, const char *data_dir, LlSetStatus *status);
void ll_set_status_clear    (LlSetStatus *status);

/* $XDG_DATA_HOME/layerlab/datasets/<name> (newly allocated). */
char *ll_download_default_dir (const char *name);

typedef struct {
  const char *file;         /* being downloaded */
  int index, n_files;
  guint64 received, total;  /* bytes of this file (total 0 when unknown) */
  double bytes_per_s;       /* over this transfer */
} LlDownloadProgress;

/* Called in the main context that started the download. */
typedef void (*LlDownloadProgressFunc) (const LlDownloadProgress *progress, gpointer user_data);

/* How long a download waits for the server (to answer, or to send the
 * next bytes) before it stops with a message saying so: 60 seconds
 * unless set here (tests make it short).  Applies to downloads started
 * afterwards. */
void     ll_download_set_stall_timeout (guint seconds);

/* Downloads files[] from base_url into dest_dir (created as needed).  Each
 * file arrives as dest_dir/.<file>.part and is moved into place only when
 * its md5 matches (a mismatch deletes it).  A partial file left by an
 * interrupted or cancelled download is resumed with an HTTP Range request.
 * Files already present and correct are skipped.  No more than a file's
 * expected size is ever written: a server announcing or sending more is
 * an error and the partial file is deleted.  A server that stops sending
 * for the stall timeout is an error; the partial file is kept to resume.
 * Errors are LL_ERROR_IO (network, server status, too long, stalled),
 * LL_ERROR_DATA (checksum) or G_IO_ERROR_CANCELLED. */
void     ll_download_files_async  (const LlDownloadFile *files, int n_files,
                                   const char *base_url, const char *dest_dir,
                                   GCancellable *cancellable,
                                   LlDownloadProgressFunc progress, gpointer progress_data,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean ll_download_files_finish (GAsyncResult *result, GError **error);

/* A known set into ll_download_default_dir (name); base_url NULL means the
 * canonical location. */
void     ll_download_async        (const char *name, const char *base_url,
                                   GCancellable *cancellable,
                                   LlDownloadProgressFunc progress, gpointer progress_data,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean ll_download_finish       (GAsyncResult *result, GError **error);

G_END_DECLS
