/* test-download.c: data-set downloads against a loopback SoupServer
 * started here (127.0.0.1 only): a full download, a checksum mismatch, a
 * transfer cut off and resumed, server errors, a server announcing or
 * sending too much (with and without a length), a server that stalls
 * or never answers (with a stall timeout of 1 s). */
#include "ll-download.h"
#include "ll-types.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#define BLOB_SIZE (300 * 1024 + 17)

static GBytes *blob;
static char *blob_md5;
static int cut_requests;          /* /cut/: how many times the first half was sent alone */
static guint port;
static GPtrArray *stalled;        /* /stall/: connections kept open, silent */

/* Promises the whole blob with status and extra headers, then sends the
 * bytes [0, len) of data on the connection taken from libsoup. */
static GIOStream *
send_raw (SoupServerMessage *msg, const char *headers, const guint8 *data, gsize len)
{
  GIOStream *io = soup_server_message_steal_connection (msg);
  GOutputStream *out = g_io_stream_get_output_stream (io);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n%s\r\n", headers);

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
  return io;
}

static void
endless_written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GIOStream *io = user_data;

  /* Fails once the client hangs up, as it should. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
  g_object_unref (io);
}

/* /ok/<file>: the blob, honouring "Range: bytes=N-".  /cut/<file>: the
 * first request gets half the blob and a closed connection.  /e404/ and
 * /e500/: errors. */
static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path,
         GHashTable *query, gpointer user_data)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (blob, &len);
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  goffset start = 0;

  if (g_str_has_prefix (path, "/e404/"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (g_str_has_prefix (path, "/e500/"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return;
    }
  if (g_str_has_prefix (path, "/long/"))
    {
      /* Three times the expected bytes. */
      GString *three = g_string_new (NULL);
      for (int i = 0; i < 3; i++)
        g_string_append_len (three, (const char *) data, (gssize) len);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        three->str, three->len);
      g_string_free (three, TRUE);
      return;
    }
  if (g_str_has_prefix (path, "/endless/"))
    {
      /* No length, the connection closed only when done: the blob, then
       * more (four blobs in all, written while the client reads). */
      static GBytes *four;
      GIOStream *io = send_raw (msg, "Connection: close\r\n", data, 0);
      if (four == NULL)
        {
          GString *s = g_string_new (NULL);
          for (int i = 0; i < 4; i++)
            g_string_append_len (s, (const char *) data, (gssize) len);
          four = g_bytes_new_take (s->str, s->len);
          g_string_free (s, FALSE);
        }
      g_output_stream_write_all_async (g_io_stream_get_output_stream (io),
                                       g_bytes_get_data (four, NULL), g_bytes_get_size (four),
                                       G_PRIORITY_DEFAULT, NULL, endless_written, io);
      return;
    }
  if (g_str_has_prefix (path, "/mute/"))
    {
      /* The request taken, no answer at all, the connection open. */
      g_ptr_array_add (stalled, soup_server_message_steal_connection (msg));
      return;
    }
  if (g_str_has_prefix (path, "/stall/"))
    {
      /* The whole blob promised, 1,000 bytes sent, then silence with the
       * connection open. */
      g_autofree char *headers = g_strdup_printf ("Content-Length: %" G_GSIZE_FORMAT "\r\n", len);
      g_ptr_array_add (stalled, send_raw (msg, headers, data, 1000));
      return;
    }
  if (soup_message_headers_get_ranges (req, (goffset) len, &ranges, &n_ranges))
    {
      start = ranges[0].start;
      soup_message_headers_free_ranges (req, ranges);
    }
  if (g_str_has_prefix (path, "/cut/") && start == 0 && cut_requests == 0)
    {
      /* Promise the whole blob, send half, hang up. */
      GIOStream *io = soup_server_message_steal_connection (msg);
      GOutputStream *out = g_io_stream_get_output_stream (io);
      g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT
                                               "\r\nConnection: close\r\n\r\n", len);
      cut_requests++;
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      g_output_stream_write_all (out, data, len / 2, NULL, NULL, NULL);
      g_io_stream_close (io, NULL, NULL);
      g_object_unref (io);
      return;
    }
  if (start > 0)
    {
      g_autofree char *cr = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
                                             (gint64) start, len - 1, len);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Range", cr);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    (const char *) data + start, len - (gsize) start);
}

typedef struct {
  GMainLoop *loop;
  GError *error;
  gboolean ok;
  int n_progress;
  guint64 last_received;
} Result;

static void
on_progress (const LlDownloadProgress *p, gpointer user_data)
{
  Result *r = user_data;
  r->n_progress++;
  r->last_received = p->received;
  g_assert_cmpuint (p->received, <=, p->total);
}

static void
on_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;
  r->ok = ll_download_files_finish (res, &r->error);
  g_main_loop_quit (r->loop);
}

static gboolean
run (const char *prefix, const char *dir, const char *md5, Result *r)
{
  LlDownloadFile f = { "blob.bin", BLOB_SIZE, md5 };
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u%s", port, prefix);

  memset (r, 0, sizeof *r);
  r->loop = g_main_loop_new (NULL, FALSE);
  ll_download_files_async (&f, 1, base, dir, NULL, on_progress, r, on_done, r);
  g_main_loop_run (r->loop);
  g_main_loop_unref (r->loop);
  return r->ok;
}

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ll-download-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static gboolean
exists (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

static void
cleanup (const char *dir)
{
  const char *names[] = { "blob.bin", ".blob.bin.part", NULL };
  for (int i = 0; names[i]; i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

static void
test_full (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "blob.bin", NULL);
  g_autofree char *got = NULL;
  gsize len = 0;
  Result r;

  g_assert_true (run ("/ok", dir, blob_md5, &r));
  g_assert_no_error (r.error);
  g_assert_true (g_file_get_contents (path, &got, &len, NULL));
  g_assert_cmpmem (got, len, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_assert_cmpint (r.n_progress, >=, 1);
  g_assert_cmpuint (r.last_received, ==, BLOB_SIZE);
  g_assert_false (exists (dir, ".blob.bin.part"));
  cleanup (dir);
}

static void
test_mismatch (void)
{
  g_autofree char *dir = tmp_dir ();
  Result r;

  g_assert_false (run ("/ok", dir, "00000000000000000000000000000000", &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (r.error->message, "checksum"));
  g_clear_error (&r.error);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  cleanup (dir);
}

static void
test_resume (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *part = g_build_filename (dir, ".blob.bin.part", NULL);
  GStatBuf st;
  Result r;

  cut_requests = 0;
  g_assert_false (run ("/cut", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_test_message ("cut off: %s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "resume"));
  g_clear_error (&r.error);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, BLOB_SIZE / 2);

  /* The second run asks for the rest only and verifies the whole. */
  g_assert_true (run ("/cut", dir, blob_md5, &r));
  g_assert_no_error (r.error);
  g_assert_cmpint (cut_requests, ==, 1);
  g_assert_true (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  cleanup (dir);
}

static void
test_server_error (void)
{
  g_autofree char *dir = tmp_dir ();
  Result r;

  g_assert_false (run ("/e404", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (r.error->message, "404"));
  g_clear_error (&r.error);
  g_assert_false (run ("/e500", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (r.error->message, "500"));
  g_clear_error (&r.error);
  g_assert_false (exists (dir, "blob.bin"));
  cleanup (dir);
}

/* A server sending more than the expected size: stopped at it, nothing kept. */
static void
test_too_long (void)
{
  g_autofree char *dir = tmp_dir ();
  Result r;

  g_assert_false (run ("/long", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (r.error->message, "longer than"));
  g_assert_null (strchr (r.error->message, '\n'));
  g_clear_error (&r.error);
  g_assert_cmpuint (r.last_received, <=, BLOB_SIZE);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  cleanup (dir);
}

/* A server sending more than the expected size without announcing a
 * length: stopped at one byte past it, the partial file deleted. */
static void
test_endless (void)
{
  g_autofree char *dir = tmp_dir ();
  Result r;

  g_assert_false (run ("/endless", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_assert_nonnull (strstr (r.error->message, "is longer than the 307217 bytes expected"));
  g_assert_null (strchr (r.error->message, '\n'));
  g_clear_error (&r.error);
  g_assert_cmpuint (r.last_received, <=, BLOB_SIZE);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  cleanup (dir);
}

/* A server that stops sending: a message that says so after the stall
 * timeout (1 s here), nothing under the file's name, the bytes received
 * kept (only) in the partial file, which a second try resumes. */
static void
test_stall (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *part = g_build_filename (dir, ".blob.bin.part", NULL);
  gint64 t0 = g_get_monotonic_time ();
  GStatBuf st;
  Result r;

  g_assert_false (run ("/stall", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_test_message ("stalled: %s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "The server stopped sending blob.bin: nothing came "
                                              "for 1 second after 1000 of 307217 bytes"));
  g_assert_nonnull (strstr (r.error->message, "resume"));
  g_assert_null (strchr (r.error->message, '\n'));
  g_clear_error (&r.error);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 20 * G_USEC_PER_SEC);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 1000);

  g_assert_true (run ("/ok", dir, blob_md5, &r));
  g_assert_no_error (r.error);
  g_assert_true (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  g_ptr_array_set_size (stalled, 0);
  cleanup (dir);
}

/* A server that takes the request and never answers: the same timeout,
 * a message naming the address, nothing written. */
static void
test_mute (void)
{
  g_autofree char *dir = tmp_dir ();
  Result r;

  g_assert_false (run ("/mute", dir, blob_md5, &r));
  g_assert_error (r.error, LL_ERROR, LL_ERROR_IO);
  g_test_message ("mute: %s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "/mute/blob.bin did not answer within 1 second"));
  g_clear_error (&r.error);
  g_assert_false (exists (dir, "blob.bin"));
  g_assert_false (exists (dir, ".blob.bin.part"));
  g_ptr_array_set_size (stalled, 0);
  cleanup (dir);
}

static void
close_stream (gpointer io)
{
  g_io_stream_close (io, NULL, NULL);
  g_object_unref (io);
}

int
main (int argc, char **argv)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  GSList *uris;
  guint8 *data = g_malloc (BLOB_SIZE);
  guint32 x = 12345;
  int status;

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < BLOB_SIZE; i++)
    {
      x = x * 1664525u + 1013904223u;
      data[i] = (guint8) (x >> 24);
    }
  blob = g_bytes_new_take (data, BLOB_SIZE);
  stalled = g_ptr_array_new_with_free_func (close_stream);
  ll_download_set_stall_timeout (1);
  blob_md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, blob);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  if (!soup_server_listen (server, addr, 0, &error))
    g_error ("cannot listen on 127.0.0.1: %s", error->message);
  uris = soup_server_get_uris (server);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_test_add_func ("/net/download/full", test_full);
  g_test_add_func ("/net/download/checksum-mismatch", test_mismatch);
  g_test_add_func ("/net/download/resume", test_resume);
  g_test_add_func ("/net/download/server-error", test_server_error);
  g_test_add_func ("/net/download/too-long", test_too_long);
  g_test_add_func ("/net/download/endless", test_endless);
  g_test_add_func ("/net/download/stall", test_stall);
  g_test_add_func ("/net/download/mute", test_mute);
  status = g_test_run ();
  g_ptr_array_unref (stalled);
  g_bytes_unref (blob);
  g_free (blob_md5);
  return status;
}
