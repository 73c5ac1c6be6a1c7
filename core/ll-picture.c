/* ll-picture.c: pictures decoded with gdk-pixbuf's incremental loader,
 * fed from a file opened without blocking (a FIFO is refused, not waited
 * on) and read up to a limit, so that neither a huge file nor a small
 * file declaring a huge picture can exhaust the memory. */
#include "ll-picture.h"
#include "ll-digit.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  int max_side;
  gint64 declared;               /* pixels the file declares */
  gboolean refused;
  int rows_done;                 /* decoded rows: the end of the lowest area updated */
} Prepare;

/* Shrinks while decoding (JPEG decodes at 1/2 … 1/8 directly) to fit a
 * max_side square, aspect kept: orientation is not applied yet, so the
 * caller's per-axis bound waits until it is. */
static void
on_size_prepared (GdkPixbufLoader *loader, int w, int h, Prepare *p)
{
  p->declared = (gint64) w * h;
  if (w <= 0 || h <= 0 || p->declared > LL_PICTURE_MAX_PIXELS)
    {
      /* A size of 0 makes the loaders stop before allocating (as
       * gdk_pixbuf_get_file_info does). */
      p->refused = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  if (MAX (w, h) > p->max_side)
    {
      double f = (double) p->max_side / MAX (w, h);
      gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (w * f)), MAX (1, (int) (h * f)));
    }
}

/* The incremental PNG loader closes without an error on a file cut short
 * (gdk_pixbuf_new_from_file does report it): the rows that arrived tell. */
static void
on_area_updated (GdkPixbufLoader *loader, int x, int y, int w, int h, Prepare *p)
{
  p->rows_done = MAX (p->rows_done, y + h);
}

/* Opens path for reading without blocking on a FIFO or device, and
 * checks that it is a regular file of at most max bytes. */
static int
open_regular (const char *path, gsize max, gsize *size, GError **error)
{
  g_autofree char *shown = g_filename_display_name (path);
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not open %s: %s"), shown, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s is not a regular file; choose a picture file"), shown);
      return -1;
    }
  if ((guint64) st.st_size > max)
    {
      close (fd);
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s is %.0f MB; pictures of at most %.0f MB can be opened"), shown,
                   st.st_size / 1048576.0, max / 1048576.0);
      return -1;
    }
  *size = (gsize) st.st_size;
  return fd;
}

GdkPixbuf *
ll_picture_load (const char *path, int max_w, int max_h, GError **error)
{
  g_autofree char *shown = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GError) local = NULL;
  Prepare prep = { MAX (max_w, max_h), 0, FALSE, 0 };
  guint8 buf[65536];
  gsize size = 0, total = 0;
  GdkPixbuf *decoded;
  int fd, w, h;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_w > 0 && max_h > 0, NULL);

  fd = open_regular (path, LL_PICTURE_MAX_BYTES, &size, error);
  if (fd < 0)
    return NULL;
  shown = g_filename_display_name (path);
  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &prep);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &prep);
  for (;;)
    {
      gssize n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          gdk_pixbuf_loader_close (loader, NULL);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not read %s: %s"), shown, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      /* The file may grow while it is read: stop at the limit. */
      total += (gsize) n;
      if (total > LL_PICTURE_MAX_BYTES)
        {
          close (fd);
          gdk_pixbuf_loader_close (loader, NULL);
          g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                       _("%s grew past %.0f MB while it was read"),
                       shown, LL_PICTURE_MAX_BYTES / 1048576.0);
          return NULL;
        }
      if (!gdk_pixbuf_loader_write (loader, buf, (gsize) n, &local) || prep.refused)
        break;
    }
  close (fd);
  /* After a failed write the loader has said why already. */
  gdk_pixbuf_loader_close (loader, local == NULL && !prep.refused ? &local : NULL);
  if (prep.refused)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s declares %.0f megapixels; pictures of at most %.0f megapixels can "
                     "be opened"),
                   shown, prep.declared / 1e6, LL_PICTURE_MAX_PIXELS / 1e6);
      return NULL;
    }
  decoded = local == NULL ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (decoded == NULL)
    {
      /* gdk-pixbuf's domain and code stay: folder import counts the
       * files of unknown formats apart. */
      g_set_error (error, local != NULL ? local->domain : LL_ERROR,
                   local != NULL ? local->code : LL_ERROR_DATA,
                   _("%s is not a picture that can be read (PNG, JPEG, …)%s%s"), shown,
                   local != NULL ? ": " : "", local != NULL ? local->message : "");
      return NULL;
    }
  if (prep.rows_done < gdk_pixbuf_get_height (decoded))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s is cut short: %d of its %d rows of pixels are there"), shown,
                   prep.rows_done, gdk_pixbuf_get_height (decoded));
      return NULL;
    }
  /* Phone photos are stored sideways with an orientation tag. */
  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  w = gdk_pixbuf_get_width (upright);
  h = gdk_pixbuf_get_height (upright);
  if (w > max_w || h > max_h)
    {
      GdkPixbuf *small = gdk_pixbuf_scale_simple (upright, MIN (w, max_w), MIN (h, max_h),
                                                  GDK_INTERP_BILINEAR);
      if (small == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                       _("Not enough memory to shrink %s"), shown);
          return NULL;
        }
      g_object_unref (upright);
      upright = small;
    }
  if (gdk_pixbuf_get_has_alpha (upright) && gdk_pixbuf_get_n_channels (upright) == 4)
    return g_steal_pointer (&upright);
  return gdk_pixbuf_add_alpha (upright, FALSE, 0, 0, 0);
}

float *
ll_picture_load_input (const char *path, const LlShape *in, gboolean digit, GError **error)
{
  /* More pixels than 16 per input pixel carry no more of a 28 × 28
   * digit or a 32 × 32 photo, and take longer to preprocess. */
  int side = MAX (512, 16 * MAX (in->d[0], in->d[1]));
  g_autoptr(GdkPixbuf) pb = ll_picture_load (path, side, side, error);
  g_autofree float *x = NULL;

  if (pb == NULL)
    return NULL;
  x = g_new0 (float, ll_shape_size (in));
  if (!ll_input_from_rgba (gdk_pixbuf_read_pixels (pb), gdk_pixbuf_get_width (pb),
                           gdk_pixbuf_get_height (pb), gdk_pixbuf_get_rowstride (pb),
                           in->d[0], in->d[1], in->d[2], digit, x))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("%s is blank: there is nothing to classify"), shown);
      return NULL;
    }
  return g_steal_pointer (&x);
}
