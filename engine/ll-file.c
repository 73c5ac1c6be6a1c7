/* ll-file.c: reading and writing the files a user names (ll-file.h). */
#include "ll-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#define CHUNK ((gsize) 1 << 20)

/* What a non-regular file is, for messages. */
static const char *
kind_of (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("a folder");
  if (S_ISFIFO (mode))
    return _("a pipe (FIFO)");
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return _("a device");
  if (S_ISSOCK (mode))
    return _("a socket");
  return _("something else");
}

const char *
ll_file_describe (const char *path)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);

  if (stat (path, &st) != 0)
    return NULL;
  if (S_ISREG (st.st_mode))
    return _("a file");
  return kind_of (st.st_mode);
}

GBytes *
ll_file_read (const char  *path,
              gsize        max_bytes,
              GError     **error)
{
  g_autofree char *shown = NULL;
  g_autofree guint8 *data = NULL;
  struct stat st;
  gsize len = 0, cap;
  int fd, saved;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shown = g_filename_display_name (path);
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      saved = errno;
      if (saved == EISDIR)
        g_set_error (error, LL_ERROR, LL_ERROR_IO, _("%s is a folder, not a file; choose a file"),
                     shown);
      else
        g_set_error (error, LL_ERROR, saved == ENOENT ? LL_ERROR_NOT_FOUND : LL_ERROR_IO,
                     _("Could not open %s: %s"), shown, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    st.st_mode = 0;
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("%s is %s, not a regular file; choose a file"),
                   shown, kind_of (st.st_mode));
      return NULL;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      close (fd);
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("%s has %.1f MB, more than the %.1f MB Layerlab reads for it; the file is "
                   "damaged or not the kind of file expected here"),
                   shown, st.st_size / 1e6, max_bytes / 1e6);
      return NULL;
    }
  /* The size may change while the file is read: read what is there, up to
   * the limit, and notice a file that grew past it. */
  cap = MIN ((gsize) st.st_size, max_bytes) + 1;
  data = g_malloc (cap);
  for (;;)
    {
      gssize got;

      if (len == cap)
        {
          if (cap > max_bytes)
            break;
          cap = MIN (cap * 2, max_bytes + 1);
          data = g_realloc (data, cap);
        }
      got = read (fd, data + len, MIN (cap - len, CHUNK));
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          saved = errno;
          close (fd);
          g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not read %s: %s"), shown,
                       g_strerror (saved));
          return NULL;
        }
      if (got == 0)
        break;
      len += (gsize) got;
    }
  close (fd);
  if (len > max_bytes)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("%s grew past the %.1f MB Layerlab reads for it while it was read; "
                   "try again when nothing writes to it"), shown, max_bytes / 1e6);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

gboolean
ll_file_check_save_target (const char  *path,
                           GError     **error)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        return TRUE;
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not save to %s: %s"), shown,
                   g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Will not save to %s: it is %s, not a regular file; choose a file name"),
                   shown, kind_of (st.st_mode));
      return FALSE;
    }
  return TRUE;
}

static gboolean
io_error (const char *shown, int saved, GError **error)
{
  if (saved == ENOSPC || saved == EDQUOT)
    g_set_error (error, LL_ERROR, LL_ERROR_IO,
                 _("Could not save %s: the disk is full. Free some space or choose another "
                 "folder; the previous file, if any, is unchanged"), shown);
  else
    g_set_error (error, LL_ERROR, LL_ERROR_IO,
                 _("Could not save %s: %s. Check that the folder exists and is writable; the "
                 "previous file, if any, is unchanged"), shown, g_strerror (saved));
  return FALSE;
}

/* Writes len bytes to a new temporary file beside path; its name in *tmp_out. */
static gboolean
write_temp (const char *path, const void *data, gsize len, LlControl *control, char **tmp_out,
            GError **error)
{
  g_autofree char *shown = g_filename_display_name (path);
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  const guint8 *p = data;
  gsize done = 0;
  int fd, saved = 0;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error (shown, errno, error);
  while (done < len)
    {
      gssize put;

      if (ll_control_is_cancelled (control))
        {
          close (fd);
          g_unlink (tmp);
          return ll_control_check (control, error);
        }
      put = write (fd, p + done, MIN (len - done, CHUNK));
      if (put < 0 && errno == EINTR)
        continue;
      if (put <= 0)
        {
          saved = put < 0 ? errno : ENOSPC;
          break;
        }
      done += (gsize) put;
    }
  /* fsync: a full disk on a delayed-allocation file system shows here. */
  if (saved == 0 && fsync (fd) != 0)
    saved = errno;
  if (close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved != 0)
    {
      g_unlink (tmp);
      return io_error (shown, saved, error);
    }
  *tmp_out = g_steal_pointer (&tmp);
  return TRUE;
}

gboolean
ll_file_save_many (guint               n,
                   const char * const *paths,
                   const void * const *data,
                   const gsize        *lens,
                   LlControl          *control,
                   GError            **error)
{
  g_autofree char **tmps = NULL;
  gboolean ok = TRUE;
  guint written = 0;

  g_return_val_if_fail (n == 0 || (paths != NULL && data != NULL && lens != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n; i++)
    if (!ll_file_check_save_target (paths[i], error))
      return FALSE;
  tmps = g_new0 (char *, n + 1);
  for (; written < n && ok; written++)
    ok = write_temp (paths[written], data[written], lens[written], control, &tmps[written], error);
  /* A cancel after the last byte still leaves the old files. */
  if (ok && !ll_control_check (control, error))
    ok = FALSE;
  for (guint i = 0; ok && i < n; i++)
    {
      if (g_rename (tmps[i], paths[i]) != 0)
        {
          g_autofree char *shown = g_filename_display_name (paths[i]);

          /* Those already renamed are complete files; the rest are removed. */
          ok = io_error (shown, errno, error);
          break;
        }
      g_clear_pointer (&tmps[i], g_free);
    }
  for (guint i = 0; i < written; i++)
    if (tmps[i] != NULL)
      {
        g_unlink (tmps[i]);
        g_free (tmps[i]);
      }
  return ok;
}

gboolean
ll_file_save (const char  *path,
              const void  *data,
              gsize        len,
              LlControl   *control,
              GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  return ll_file_save_many (1, &path, &data, &len, control, error);
}
