/* test-picture.c: the one picture decoder (core/ll-picture.c): pictures
 * decode upright and within bounds; what is not a picture, not a regular
 * file or a picture bomb is refused quickly with a message. */
#include "ll-picture.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <zlib.h>

static char *
save_png (const char *name, int w, int h)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-picture-XXXXXX", &error);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_no_error (error);
  /* White paper, a dark bar in the middle: a "1". */
  gdk_pixbuf_fill (pb, 0xffffffff);
  for (int y = h / 5; y < h - h / 5; y++)
    for (int x = w / 2 - w / 20; x <= w / 2 + w / 20; x++)
      {
        guchar *p = gdk_pixbuf_get_pixels (pb) + y * gdk_pixbuf_get_rowstride (pb) + x * 3;
        p[0] = p[1] = p[2] = 0;
      }
  g_assert_true (gdk_pixbuf_save (pb, path, "png", &error, NULL));
  g_assert_no_error (error);
  return path;
}

static void
put_chunk (GByteArray *a, const char *type, const guint8 *data, guint32 len)
{
  guint32 be = GUINT32_TO_BE (len), crc;

  g_byte_array_append (a, (const guint8 *) &be, 4);
  g_byte_array_append (a, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (a, data, len);
  crc = (guint32) crc32 (0L, a->data + a->len - len - 4, len + 4);
  be = GUINT32_TO_BE (crc);
  g_byte_array_append (a, (const guint8 *) &be, 4);
}

/* A PNG of a few hundred bytes that declares w × h pixels. */
static char *
write_bomb (guint32 w, guint32 h)
{
  g_autoptr(GByteArray) a = g_byte_array_new ();
  guint8 ihdr[13] = { 0 };
  guint8 idat[64];
  uLongf idat_len = sizeof idat;
  guint8 row[1] = { 0 };
  guint32 bw = GUINT32_TO_BE (w), bh = GUINT32_TO_BE (h);

  g_byte_array_append (a, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  memcpy (ihdr, &bw, 4);
  memcpy (ihdr + 4, &bh, 4);
  ihdr[8] = 8;                  /* bit depth */
  ihdr[9] = 0;                  /* grayscale */
  put_chunk (a, "IHDR", ihdr, 13);
  g_assert_cmpint (compress2 (idat, &idat_len, row, 1, 9), ==, Z_OK);
  put_chunk (a, "IDAT", idat, (guint32) idat_len);
  put_chunk (a, "IEND", NULL, 0);
  return ll_test_write_temp ("bomb.png", a->data, a->len);
}

static void
test_decode (void)
{
  g_autofree char *path = save_png ("one.png", 300, 200);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pb = ll_picture_load (path, 150, 150, &error);
  LlShape in = ll_shape_image (28, 28, 1);
  g_autofree float *x = NULL;
  double ink = 0;

  g_assert_no_error (error);
  g_assert_nonnull (pb);
  g_assert_cmpint (gdk_pixbuf_get_width (pb), ==, 150);
  g_assert_cmpint (gdk_pixbuf_get_height (pb), ==, 100);
  g_assert_true (gdk_pixbuf_get_has_alpha (pb));

  /* As a digit: dark ink on light paper is inverted, centred in 28 × 28. */
  x = ll_picture_load_input (path, &in, TRUE, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 28 * 28; i++)
    ink += x[i];
  g_assert_cmpfloat (ink, >, 10);
  g_assert_cmpfloat (x[14 * 28 + 14], >, 0.5);
  g_assert_cmpfloat (x[0], <, 0.01);
}

static void
test_foreign (void)
{
  const char text[] = "not a picture at all";
  g_autofree char *path = ll_test_write_temp ("x.png", text, sizeof text);
  g_autofree char *empty = ll_test_write_temp ("empty.png", "", 0);
  g_autoptr(GError) error = NULL;

  g_assert_null (ll_picture_load (path, 64, 64, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "x.png"));
  g_clear_error (&error);
  g_assert_null (ll_picture_load (empty, 64, 64, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (ll_picture_load ("/nonexistent/dir/a.png", 64, 64, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_truncated (void)
{
  g_autofree char *path = save_png ("whole.png", 64, 64);
  g_autofree char *data = NULL;
  gsize len;
  g_autofree char *cut = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  cut = ll_test_write_temp ("cut.png", data, len / 2);
  g_assert_null (ll_picture_load (cut, 64, 64, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
}

static void
test_not_regular (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-fifo-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe.png", NULL);
  gint64 t0;

  /* A FIFO nobody writes to: refused at once, never waited on. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  t0 = g_get_monotonic_time ();
  g_assert_null (ll_picture_load (fifo, 64, 64, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);
  g_assert_null (ll_picture_load ("/dev/zero", 64, 64, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_clear_error (&error);
  g_assert_null (ll_picture_load (dir, 64, 64, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_bomb (void)
{
  g_autofree char *path = write_bomb (20000, 20000);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  /* 400 megapixels declared in a few hundred bytes: refused before decoding. */
  g_assert_null (ll_picture_load (path, 512, 512, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "megapixels"));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/picture/decode", test_decode);
  g_test_add_func ("/core/picture/foreign", test_foreign);
  g_test_add_func ("/core/picture/truncated", test_truncated);
  g_test_add_func ("/core/picture/not-regular", test_not_regular);
  g_test_add_func ("/core/picture/bomb", test_bomb);
  return g_test_run ();
}
