/* test-dataset.c: the IDX and CIFAR-10 loaders on real shared data when it
 * is present, and on generated files that are valid, truncated, foreign or
 * inconsistent; batch scaling, slices and the search for named sets. */
#include "ll-dataset.h"
#include "ll-dataset-private.h"
#include "ll-memory-plan.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <zlib.h>

/* Generated files ----------------------------------------------------------- */

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint8
pixel_value (guint32 i, guint32 p)
{
  return (guint8) ((i * 31u + p * 7u) & 0xff);
}

/* An IDX image file of n images (header says n_header) with body_len body bytes. */
static GBytes *
make_idx_images (guint32 magic, guint32 n_header, guint32 rows, guint32 cols, gsize body_len)
{
  gsize sample = (gsize) rows * cols;
  guint8 *buf = g_malloc0 (16 + body_len);

  put_be32 (buf, magic);
  put_be32 (buf + 4, n_header);
  put_be32 (buf + 8, rows);
  put_be32 (buf + 12, cols);
  for (gsize k = 0; k < body_len; k++)
    buf[16 + k] = pixel_value ((guint32) (k / MAX (sample, 1)), (guint32) (k % MAX (sample, 1)));
  return g_bytes_new_take (buf, 16 + body_len);
}

static GBytes *
make_idx_labels (guint32 n_header, gsize n_body, guint8 modulo)
{
  guint8 *buf = g_malloc0 (8 + n_body);

  put_be32 (buf, 0x00000801);
  put_be32 (buf + 4, n_header);
  for (gsize i = 0; i < n_body; i++)
    buf[8 + i] = (guint8) ((i * 3) % modulo);
  return g_bytes_new_take (buf, 8 + n_body);
}

static GBytes *
gzip_bytes (GBytes *raw)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  z_stream zs = { 0 };
  guint8 *out;
  gsize cap;
  int ret;

  g_assert_cmpint (deflateInit2 (&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  cap = deflateBound (&zs, len);
  out = g_malloc (cap);
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) len;
  zs.next_out = out;
  zs.avail_out = (uInt) cap;
  ret = deflate (&zs, Z_FINISH);
  g_assert_cmpint (ret, ==, Z_STREAM_END);
  len = zs.total_out;
  deflateEnd (&zs);
  return g_bytes_new_take (out, len);
}

static GPtrArray *temp_files;

static char *
write_temp (const char *name, GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  char *path = ll_test_write_temp (name, data, len);

  g_ptr_array_add (temp_files, g_strdup (path));
  return path;
}

static char *
write_temp_data (const char *name, const void *data, gsize len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  return write_temp (name, bytes);
}

static void
write_in (const char *dir, const char *name, GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}


static void
assert_loaded_matches (const LlDataset *ds, guint32 n, guint32 rows, guint32 cols)
{
  g_assert_nonnull (ds);
  g_assert_cmpint (ds->n, ==, (int) n);
  g_assert_cmpint (ds->height, ==, (int) rows);
  g_assert_cmpint (ds->width, ==, (int) cols);
  g_assert_cmpint (ds->channels, ==, 1);
  g_assert_cmpint (ds->n_classes, ==, 10);
  for (guint32 i = 0; i < n; i++)
    {
      g_assert_cmpint (ds->labels[i], ==, (i * 3) % 10);
      for (guint32 p = 0; p < rows * cols; p++)
        g_assert_cmpint (ds->images[(gsize) i * rows * cols + p], ==, pixel_value (i, p));
    }
}

/* Construction and tables ------------------------------------------------------ */

static void
test_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = ll_dataset_new ("toy", 4, 3, 2, 3, 5, &error);
  g_autoptr(LlDataset) fashion = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "toy");
  g_assert_cmpint (ll_dataset_sample_size (ds), ==, 18);
  for (gsize i = 0; i < 4 * 18; i++)
    g_assert_cmpint (ds->images[i], ==, 0);
  g_assert_cmpint (g_strv_length (ds->class_names), ==, 5);
  g_assert_cmpstr (ds->class_names[4], ==, "4");

  fashion = ll_dataset_new ("fashion-mnist", 1, 28, 28, 1, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fashion->class_names[9], ==, "Ankle boot");

  g_assert_null (ll_dataset_new ("bad", 1, 0, 28, 1, 10, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
}

static void
test_new_too_large (void)
{
  g_autoptr(GError) error = NULL;
  /* 2^30 × 100 × 100 × 3 bytes: refused before any allocation. */
  LlDataset *ds = ll_dataset_new ("huge", 1 << 30, 100, 100, 3, 10, &error);

  g_assert_null (ds);
  g_assert_error (error, LL_ERROR, LL_ERROR_MEMORY);
  g_assert_nonnull (strstr (error->message, "32,212,254,720,000 bytes"));
  g_clear_error (&error);

  /* Overflows 64 bits. */
  ds = ll_dataset_new ("huge", G_MAXINT, G_MAXINT, G_MAXINT, G_MAXINT, 10, &error);
  g_assert_null (ds);
  g_assert_error (error, LL_ERROR, LL_ERROR_MEMORY);
}

static void
test_names (void)
{
  const char *const *names = ll_dataset_known_names ();
  const char *const *fashion = ll_dataset_class_names ("fashion-mnist");
  const char *const *cifar = ll_dataset_class_names ("cifar10");
  const char *const *digits = ll_dataset_class_names ("mnist");

  g_assert_cmpint (g_strv_length ((char **) names), ==, 3);
  g_assert_cmpstr (names[0], ==, "mnist");
  g_assert_cmpstr (names[1], ==, "fashion-mnist");
  g_assert_cmpstr (names[2], ==, "cifar10");
  g_assert_cmpint (g_strv_length ((char **) fashion), ==, 10);
  g_assert_cmpstr (fashion[0], ==, "T-shirt/top");
  g_assert_cmpstr (fashion[6], ==, "Shirt");
  g_assert_cmpstr (cifar[1], ==, "automobile");
  g_assert_cmpstr (cifar[9], ==, "truck");
  g_assert_cmpstr (digits[0], ==, "0");
  g_assert_cmpstr (digits[9], ==, "9");
  g_assert_null (digits[10]);
  g_assert_null (ll_dataset_class_names ("imagenet"));
}

/* IDX --------------------------------------------------------------------------- */

static void
test_idx_raw (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 7, 5, 4, 7 * 20);
  g_autoptr(GBytes) lab = make_idx_labels (7, 7, 10);
  g_autofree char *ip = write_temp ("raw-images", img);
  g_autofree char *lp = write_temp ("raw-labels", lab);
  g_autoptr(LlDataset) ds = ll_dataset_load_idx (ip, lp, &error);

  g_assert_no_error (error);
  assert_loaded_matches (ds, 7, 5, 4);
  g_assert_cmpstr (ds->class_names[3], ==, "3");
}

static void
test_idx_gzip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 300, 28, 28, 300 * 784);
  g_autoptr(GBytes) lab = make_idx_labels (300, 300, 10);
  g_autoptr(GBytes) img_gz = gzip_bytes (img);
  g_autoptr(GBytes) lab_gz = gzip_bytes (lab);
  g_autofree char *ip = write_temp ("gz-images.gz", img_gz);
  g_autofree char *lp = write_temp ("gz-labels.gz", lab_gz);
  g_autofree char *lp_raw = write_temp ("gz-labels-raw", lab);
  g_autoptr(LlDataset) ds = ll_dataset_load_idx (ip, lp, &error);
  g_autoptr(LlDataset) mixed = NULL;

  g_assert_no_error (error);
  assert_loaded_matches (ds, 300, 28, 28);

  /* Detected by content, not by name: gzip images with raw labels. */
  mixed = ll_dataset_load_idx (ip, lp_raw, &error);
  g_assert_no_error (error);
  assert_loaded_matches (mixed, 300, 28, 28);
}

static void
test_idx_truncated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 60000, 28, 28, 1000);
  g_autoptr(GBytes) lab = make_idx_labels (60000, 60000, 10);
  g_autoptr(GBytes) lab_short = make_idx_labels (60000, 59999, 10);
  g_autoptr(GBytes) img_ok = make_idx_images (0x803, 60000, 28, 28, 60000 * 784);
  g_autofree char *ip = write_temp ("trunc-images", img);
  g_autofree char *lp = write_temp ("trunc-labels", lab);
  g_autofree char *ip_ok = write_temp ("trunc-images-ok", img_ok);
  g_autofree char *lp_short = write_temp ("trunc-labels-short", lab_short);
  g_autofree char *header_only = write_temp_data ("trunc-header", "\0\0\x08\x03\0\0", 6);

  g_assert_null (ll_dataset_load_idx (ip, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message,
                            "ends after 1,016 bytes; 47,040,016 expected for 60,000 images of 28x28"));
  g_assert_nonnull (strstr (error->message, "trunc-images"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (ip_ok, lp_short, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "ends after 60,007 bytes; 60,008 expected"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (header_only, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "ends after 6 bytes, inside its header"));
}

static void
test_idx_truncated_gzip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 2000, 28, 28, 2000 * 784);
  g_autoptr(GBytes) lab = make_idx_labels (2000, 2000, 10);
  g_autoptr(GBytes) img_gz = gzip_bytes (img);
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (img_gz, 0, g_bytes_get_size (img_gz) / 2);
  g_autoptr(GBytes) no_trailer = g_bytes_new_from_bytes (img_gz, 0, g_bytes_get_size (img_gz) - 4);
  g_autofree char *ip = write_temp ("trunc-gz-images.gz", half);
  g_autofree char *ip2 = write_temp ("trunc-gz-images2.gz", no_trailer);
  g_autofree char *lp = write_temp ("trunc-gz-labels", lab);

  g_assert_null (ll_dataset_load_idx (ip, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "1,568,016 expected for 2,000 images of 28x28"));
  g_assert_nonnull (strstr (error->message, "gzip stream stops early"));
  g_clear_error (&error);

  /* All pixels there but the stream's trailer cut: zlib reports this only
   * when the cut falls where it notices (it says nothing when the trailer
   * is missing past the last byte it buffered).  Either an error or a
   * complete load is fine, never a crash or a partial data set. */
  {
    g_autoptr(LlDataset) ds = ll_dataset_load_idx (ip2, lp, &error);
    if (ds == NULL)
      g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
    else
      assert_loaded_matches (ds, 2000, 28, 28);
    g_clear_error (&error);
  }
}

/* The floats for predict: the same values as the bytes scaled per batch,
 * raw or gzip; the image size checked before reading; the same refusals. */
static void
test_idx_floats (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 300, 28, 28, 300 * 784);
  g_autoptr(GBytes) img_gz = gzip_bytes (img);
  g_autoptr(GBytes) short_img = make_idx_images (0x803, 300, 28, 28, 200 * 784);
  g_autofree char *ip = write_temp ("floats-images", img);
  g_autofree char *gp = write_temp ("floats-images.gz", img_gz);
  g_autofree char *sp = write_temp ("floats-short", short_img);
  g_autoptr(LlDataset) ds = ll_dataset_load_idx (ip, NULL, &error);
  g_autofree guint32 *idx = g_new (guint32, 300);
  g_autofree float *want = g_new (float, 300 * 784);
  const char *paths[] = { ip, gp };

  g_assert_no_error (error);
  for (guint32 i = 0; i < 300; i++)
    idx[i] = i;
  ll_dataset_fill_batch (ds, idx, 300, want, NULL);
  for (gsize k = 0; k < G_N_ELEMENTS (paths); k++)
    {
      int n = 0, h = 0, w = 0;
      g_autofree float *x = ll_dataset_load_idx_floats (paths[k], 784, &n, &h, &w, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 300);
      g_assert_cmpint (h, ==, 28);
      g_assert_cmpint (w, ==, 28);
      g_assert_cmpmem (x, 300 * 784 * sizeof (float), want, 300 * 784 * sizeof (float));
    }

  g_assert_null (ll_dataset_load_idx_floats (ip, 3 * 784, &(int) { 0 }, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "holds 28×28×1 images but the model takes 2352 values"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx_floats (sp, 784, &(int) { 0 }, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message,
                            "ends after 156,816 bytes; 235,216 expected for 300 images of 28x28"));
}

/* A file claiming more images than fit in memory as floats (4 bytes a
 * pixel), though their bytes would fit: refused before anything is
 * allocated or read. */
static void
test_idx_floats_memory (void)
{
  g_autoptr(GError) error = NULL;
  guint64 limit = MIN (LL_MAX_ALLOC, ll_memory_limit ());
  guint32 n = (guint32) MIN (limit / 784 / 2, (guint64) G_MAXINT);
  g_autoptr(GBytes) img = make_idx_images (0x803, n, 28, 28, 784);
  g_autoptr(GBytes) img_gz = gzip_bytes (img);
  g_autofree char *gp = write_temp ("floats-bomb.gz", img_gz);

  g_assert_cmpfloat ((double) n * 784 * 4, >, (double) limit);
  g_assert_null (ll_dataset_load_idx_floats (gp, 784, &(int) { 0 }, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_MEMORY);
  g_assert_nonnull (strstr (error->message, "as model input, more than the"));
  g_assert_nonnull (strstr (error->message, "split the file"));
}

/* Bytes after what the header declares: a damaged header or a foreign
 * file, refused in images and labels, raw or inside the gzip stream. */
static void
test_idx_trailing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 7, 5, 4, 7 * 20);
  g_autoptr(GBytes) img_long = make_idx_images (0x803, 7, 5, 4, 7 * 20 + 5);
  g_autoptr(GBytes) img_long_gz = gzip_bytes (img_long);
  g_autoptr(GBytes) lab = make_idx_labels (7, 7, 10);
  g_autoptr(GBytes) lab_long = make_idx_labels (7, 9, 10);
  g_autofree char *ip = write_temp ("trailing-images", img);
  g_autofree char *ilp = write_temp ("trailing-images-long", img_long);
  g_autofree char *igp = write_temp ("trailing-images-long.gz", img_long_gz);
  g_autofree char *lp = write_temp ("trailing-labels", lab);
  g_autofree char *llp = write_temp ("trailing-labels-long", lab_long);

  g_assert_null (ll_dataset_load_idx (ilp, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "goes on for 5 bytes after its 7 images"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx_floats (ilp, 20, &(int) { 0 }, NULL, NULL, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "goes on for 5 bytes after its 7 images"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (igp, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "goes on after its 7 images"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (ip, llp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "goes on for 2 bytes after its 7 labels"));
  g_clear_error (&error);

  {
    g_autoptr(LlDataset) ds = ll_dataset_load_idx (ip, lp, &error);
    g_assert_no_error (error);
    assert_loaded_matches (ds, 7, 5, 4);
  }
}

/* Files changed while they load (ll_dataset_read_hook): truncated after
 * the header or in the middle of the pixels, raw or gzip, or grown after
 * the pixels were read.  Each is an error that says so, never a crash
 * and never a data set made of two versions of the file. */
typedef struct {
  const char *path;       /* the file to change */
  guint64 at;             /* once this many bytes have been read from it */
  goffset truncate_to;    /* -1: append instead */
  gboolean done;
} Change;

static void
change_file (const char *path, guint64 offset, gpointer data)
{
  Change *c = data;

  if (c->done || !g_str_equal (path, c->path) || offset < c->at)
    return;
  c->done = TRUE;
  if (c->truncate_to >= 0)
    g_assert_cmpint (truncate (c->path, c->truncate_to), ==, 0);
  else
    {
      FILE *f = fopen (c->path, "ab");
      g_assert_nonnull (f);
      g_assert_cmpint (fputs ("more", f), >=, 0);
      g_assert_cmpint (fclose (f), ==, 0);
    }
}

/* Loads path with the change c made during the load, both ways; returns
 * the two messages joined by "|". */
static char *
load_while_changing (const char *path, GBytes *content, Change *c, gboolean floats)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (content, &len);

  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  c->path = path;
  c->done = FALSE;
  ll_dataset_read_hook = change_file;
  ll_dataset_read_hook_data = c;
  if (floats)
    g_assert_null (ll_dataset_load_idx_floats (path, 784, &(int) { 0 }, NULL, NULL, &error));
  else
    g_assert_null (ll_dataset_load_idx (path, NULL, &error));
  ll_dataset_read_hook = NULL;
  ll_dataset_read_hook_data = NULL;
  g_assert_true (c->done);
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_null (strchr (error->message, '\n'));
  g_test_message ("%s", error->message);
  return g_strdup (error->message);
}

static GBytes *
random_images (guint32 n)
{
  gsize len = 16 + (gsize) n * 784;
  guint8 *buf = g_malloc (len);
  guint32 x = 2463534242u;

  put_be32 (buf, 0x803);
  put_be32 (buf + 4, n);
  put_be32 (buf + 8, 28);
  put_be32 (buf + 12, 28);
  /* Incompressible: the gzip file is much larger than zlib's buffer. */
  for (gsize k = 16; k < len; k++)
    {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      buf[k] = (guint8) x;
    }
  return g_bytes_new_take (buf, len);
}

static void
test_idx_changed_while_read (void)
{
  g_autoptr(GBytes) img = random_images (2000);              /* 1,568,016 bytes */
  g_autoptr(GBytes) img_gz = gzip_bytes (img);
  g_autofree char *path = write_temp ("changing-images", img);
  g_autofree char *gz_path = write_temp ("changing-images.gz", img_gz);

  for (int floats = 0; floats <= 1; floats++)
    {
      /* Raw, cut to 1,000 pixels right after the header was read. */
      {
        Change c = { .at = 16, .truncate_to = 16 + 1000 };
        g_autofree char *msg = load_while_changing (path, img, &c, floats);
        g_assert_nonnull (strstr (msg, "ends after 1,016 bytes; 1,568,016 expected for 2,000 images"));
      }
      /* Raw, grown once every pixel was read. */
      {
        Change c = { .at = 16 + 2000 * 784, .truncate_to = -1 };
        g_autofree char *msg = load_while_changing (path, img, &c, floats);
        g_assert_nonnull (strstr (msg, "changed while it was read"));
      }
      /* Gzip, cut to 1 MB after the header (zlib has read 786 kB by then). */
      {
        Change c = { .at = 16, .truncate_to = 1000 * 1000 };
        g_autofree char *msg = load_while_changing (gz_path, img_gz, &c, floats);
        g_assert_nonnull (strstr (msg, "expected for 2,000 images of 28x28"));
        g_assert_nonnull (strstr (msg, "gzip stream stops early"));
      }
    }
  /* The floats are read a chunk (1 MiB) at a time: cut in the middle. */
  {
    Change c = { .at = 16 + (1 << 20), .truncate_to = 16 + (1 << 20) + 10 };
    g_autofree char *msg = load_while_changing (path, img, &c, TRUE);
    g_assert_nonnull (strstr (msg, "ends after 1,048,602 bytes; 1,568,016 expected"));
  }
}

static void
test_idx_wrong_magic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 3, 2, 2, 12);
  g_autoptr(GBytes) lab = make_idx_labels (3, 3, 10);
  g_autofree char *ip = write_temp ("magic-images", img);
  g_autofree char *lp = write_temp ("magic-labels", lab);

  /* Files swapped. */
  g_assert_null (ll_dataset_load_idx (lp, ip, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message,
                            "is not an IDX image file (magic 0x00000801); expected 0x00000803"));
  g_assert_nonnull (strstr (error->message, "swapped"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (ip, ip, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message,
                            "is not an IDX label file (magic 0x00000803); expected 0x00000801"));
}

static void
test_idx_foreign (void)
{
  static const guint8 png[] = {
    0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0, 28, 0, 0, 0, 28, 8, 0, 0, 0, 0
  };
  static const char text[] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n";
  static const guint8 bad_gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff,
                                   0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) lab = make_idx_labels (3, 3, 10);
  g_autofree char *lp = write_temp ("foreign-labels", lab);
  g_autofree char *png_path = write_temp_data ("foreign.png", png, sizeof png);
  g_autofree char *text_path = write_temp_data ("foreign.txt", text, sizeof text - 1);
  g_autofree char *gz_path = write_temp_data ("foreign.gz", bad_gz, sizeof bad_gz);
  g_autofree char *empty_path = write_temp_data ("foreign-empty", "", 0);
  g_autofree char *dir = g_path_get_dirname (lp);

  g_assert_null (ll_dataset_load_idx (png_path, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "(magic 0x89504e47)"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (text_path, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "is not an IDX image file (magic 0x4c6f7265)"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (gz_path, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "is a damaged gzip file"));
  g_assert_null (strstr (error->message, "<fd:"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (empty_path, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "ends after 0 bytes"));
  g_clear_error (&error);

  /* A folder is not a file. */
  g_assert_null (ll_dataset_load_idx (dir, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
}

static void
test_idx_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) lab = make_idx_labels (3, 3, 10);
  g_autofree char *lp = write_temp ("missing-labels", lab);

  g_assert_null (ll_dataset_load_idx ("/nonexistent/train-images-idx3-ubyte.gz", lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/train-images-idx3-ubyte.gz"));
}

static void
test_idx_count_mismatch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 10, 3, 3, 90);
  g_autoptr(GBytes) lab = make_idx_labels (12, 12, 10);
  g_autofree char *ip = write_temp ("count-images", img);
  g_autofree char *lp = write_temp ("count-labels", lab);

  g_assert_null (ll_dataset_load_idx (ip, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "holds 10 images"));
  g_assert_nonnull (strstr (error->message, "holds 12 labels"));
}

static void
test_idx_huge_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 0x80000000u, 28, 28, 784);
  g_autoptr(GBytes) over64 = make_idx_images (0x803, 0xffffffffu, 0xffffffffu, 0xffffffffu, 8);
  g_autoptr(GBytes) lab = make_idx_labels (0x80000000u, 10, 10);
  /* 2^20 images of 28×28 is 822 MB: within the limit, so it is the short
   * body that stops it, raw or compressed, without reading beyond the data. */
  g_autoptr(GBytes) big = make_idx_images (0x803, 1u << 20, 28, 28, 784 * 10);
  g_autoptr(GBytes) big_gz = gzip_bytes (big);
  g_autoptr(GBytes) big_lab = make_idx_labels (1u << 20, 10, 10);
  g_autofree char *ip = write_temp ("huge-images", img);
  g_autofree char *ip64 = write_temp ("huge-images-64", over64);
  g_autofree char *lp = write_temp ("huge-labels", lab);
  g_autofree char *bp = write_temp ("big-images", big);
  g_autofree char *bgp = write_temp ("big-images.gz", big_gz);
  g_autofree char *blp = write_temp ("big-labels", big_lab);

  g_assert_null (ll_dataset_load_idx (ip, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "2,147,483,648 images of 28x28"));
  g_assert_nonnull (strstr (error->message, "1,683,627,180,032 bytes"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (ip64, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (bp, blp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "ends after 7,856 bytes; 822,083,600 expected"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (bgp, blp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "ends after 7,856 bytes; 822,083,600 expected"));
}

static void
test_idx_label_range (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) img = make_idx_images (0x803, 20, 2, 2, 80);
  g_autoptr(GBytes) lab = make_idx_labels (20, 20, 10);
  g_autofree char *ip = write_temp ("range-images", img);
  guint8 raw[8 + 20];
  g_autofree char *lp2 = NULL;

  memcpy (raw, g_bytes_get_data (lab, NULL), 8);
  for (int i = 0; i < 20; i++)
    raw[8 + i] = (guint8) (i % 10);
  raw[8 + 13] = 200;
  lp2 = write_temp_data ("range-labels-2", raw, sizeof raw);

  g_assert_null (ll_dataset_load_idx (ip, lp2, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "the label of image 13 is 200, out of range"));
}

static void
test_idx_zero_dims (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) zero_rows = make_idx_images (0x803, 5, 0, 28, 0);
  g_autoptr(GBytes) zero_n = make_idx_images (0x803, 0, 28, 28, 0);
  g_autoptr(GBytes) lab = make_idx_labels (5, 5, 10);
  g_autoptr(GBytes) lab0 = make_idx_labels (0, 0, 10);
  g_autofree char *ip = write_temp ("zero-images", zero_rows);
  g_autofree char *ip0 = write_temp ("zero-n-images", zero_n);
  g_autofree char *lp = write_temp ("zero-labels", lab);
  g_autofree char *lp0 = write_temp ("zero-n-labels", lab0);

  g_assert_null (ll_dataset_load_idx (ip, lp, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "0×28 pixels"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_idx (ip0, lp0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "holds no images"));
}

/* CIFAR-10 -------------------------------------------------------------------- */

static GBytes *
make_cifar (int n, int first)
{
  guint8 *buf = g_malloc (3073 * (gsize) n);

  for (int i = 0; i < n; i++)
    {
      guint8 *rec = buf + 3073 * (gsize) i;
      rec[0] = (guint8) ((first + i) % 10);
      for (int c = 0; c < 3; c++)
        for (int p = 0; p < 1024; p++)
          rec[1 + c * 1024 + p] = (guint8) ((first + i) * 5 + c * 80 + p);
    }
  return g_bytes_new_take (buf, 3073 * (gsize) n);
}

static void
test_cifar_generated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = make_cifar (3, 0);
  g_autoptr(GBytes) b = make_cifar (2, 3);
  g_autofree char *pa = write_temp ("cifar-a.bin", a);
  g_autofree char *pb = write_temp ("cifar-b.bin", b);
  const char *paths[] = { pa, pb, NULL };
  g_autoptr(LlDataset) ds = ll_dataset_load_cifar10 (paths, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ds->n, ==, 5);
  g_assert_cmpint (ds->height, ==, 32);
  g_assert_cmpint (ds->width, ==, 32);
  g_assert_cmpint (ds->channels, ==, 3);
  g_assert_cmpstr (ds->class_names[0], ==, "airplane");
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpint (ds->labels[i], ==, i);
      for (int p = 0; p < 1024; p++)
        for (int c = 0; c < 3; c++)
          g_assert_cmpint (ds->images[(gsize) i * 3072 + p * 3 + c], ==,
                           (guint8) (i * 5 + c * 80 + p));
    }
}

static void
test_cifar_bad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) good = make_cifar (2, 0);
  g_autoptr(GBytes) odd = g_bytes_new_from_bytes (good, 0, 3073 + 5);
  g_autoptr(GBytes) bad_label = make_cifar (2, 9);   /* labels 9, 0 ... */
  g_autofree char *pg = write_temp ("cifar-good.bin", good);
  g_autofree char *po = write_temp ("cifar-odd.bin", odd);
  g_autofree char *pe = write_temp_data ("cifar-empty.bin", "", 0);
  g_autofree char *pl = NULL;
  g_autoptr(GBytes) good_gz = gzip_bytes (good);
  g_autofree char *pz = write_temp ("cifar.bin.gz", good_gz);
  const char *odd_paths[] = { pg, po, NULL };
  const char *empty_paths[] = { pe, NULL };
  const char *gz_paths[] = { pz, NULL };
  const char *missing_paths[] = { pg, "/nonexistent/data_batch_2.bin", NULL };
  const char *none[] = { NULL };
  const char *label_paths[2] = { NULL, NULL };
  guint8 *raw;
  gsize len;

  g_assert_null (ll_dataset_load_cifar10 (odd_paths, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "3,078 bytes, not a whole number of CIFAR-10 records"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_cifar10 (empty_paths, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_cifar10 (gz_paths, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "gzip"));
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_cifar10 (missing_paths, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (ll_dataset_load_cifar10 (none, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);

  raw = g_bytes_unref_to_data (g_bytes_ref (bad_label), &len);
  raw[3073] = 57;
  pl = write_temp_data ("cifar-label.bin", raw, len);
  g_free (raw);
  label_paths[0] = pl;
  g_assert_null (ll_dataset_load_cifar10 (label_paths, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
  g_assert_nonnull (strstr (error->message, "record 1 has label 57"));
}

/* Real data --------------------------------------------------------------------- */

static void
test_cifar_shared (void)
{
  g_autofree char *path = ll_test_shared_file ("cifar10-sample/data_batch_1.bin");
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = NULL;
  g_autofree guint8 *raw = NULL;
  gsize len;
  const char *paths[] = { path, NULL };

  if (path == NULL)
    {
      g_test_skip ("../shared/data/cifar10-sample is absent; generated CIFAR tests cover the format");
      return;
    }
  ds = ll_dataset_load_cifar10 (paths, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->n, ==, 258);
  g_assert_cmpint (ds->labels[0], ==, 6);     /* frog */
  g_assert_cmpint (ds->labels[1], ==, 9);     /* truck */
  g_assert_cmpstr (ds->class_names[ds->labels[0]], ==, "frog");

  g_assert_true (g_file_get_contents (path, (char **) &raw, &len, NULL));
  g_assert_cmpuint (len, ==, 258 * 3073);
  for (int i = 0; i < 258; i++)
    {
      const guint8 *rec = raw + (gsize) i * 3073;
      g_assert_cmpint (ds->labels[i], ==, rec[0]);
      for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
          for (int c = 0; c < 3; c++)
            g_assert_cmpint (ds->images[(gsize) i * 3072 + (y * 32 + x) * 3 + c], ==,
                             rec[1 + c * 1024 + y * 32 + x]);
    }
}

static void
test_mnist_shared (void)
{
  static const int train_counts[10] = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };
  g_autofree char *ti = ll_test_shared_file ("mnist/train-images-idx3-ubyte.gz");
  g_autofree char *tl = ll_test_shared_file ("mnist/train-labels-idx1-ubyte.gz");
  g_autofree char *ei = ll_test_shared_file ("mnist/t10k-images-idx3-ubyte.gz");
  g_autofree char *el = ll_test_shared_file ("mnist/t10k-labels-idx1-ubyte.gz");
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL;
  g_autoptr(LlDataset) test = NULL;
  int counts[10] = { 0 };
  guint64 sum = 0;

  if (ti == NULL || tl == NULL || ei == NULL || el == NULL)
    {
      g_test_skip ("../shared/data/mnist is absent; generated IDX tests cover the format");
      return;
    }
  train = ll_dataset_load_idx (ti, tl, &error);
  g_assert_no_error (error);
  test = ll_dataset_load_idx (ei, el, &error);
  g_assert_no_error (error);

  g_assert_cmpint (train->n, ==, 10000);
  g_assert_cmpint (test->n, ==, 10000);
  g_assert_cmpint (train->height, ==, 28);
  g_assert_cmpint (train->width, ==, 28);
  g_assert_cmpint (train->channels, ==, 1);
  for (int i = 0; i < train->n; i++)
    counts[train->labels[i]]++;
  for (int k = 0; k < 10; k++)
    g_assert_cmpint (counts[k], ==, train_counts[k]);
  /* The official test set begins 7, 2, 1, 0. */
  g_assert_cmpint (test->labels[0], ==, 7);
  g_assert_cmpint (test->labels[1], ==, 2);
  g_assert_cmpint (test->labels[2], ==, 1);
  g_assert_cmpint (test->labels[3], ==, 0);
  /* Real digits: dark background, some ink, corners empty. */
  for (gsize p = 0; p < 784; p++)
    sum += test->images[p];
  g_assert_cmpuint (sum, >, 784 * 10);
  g_assert_cmpint (test->images[0], ==, 0);
  g_assert_cmpint (test->images[783], ==, 0);
}

static void
test_fashion_system (void)
{
  const char *dir = "/usr/share/datasets/fashion-mnist";
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL;
  g_autoptr(LlDataset) test = NULL;
  int counts[10] = { 0 };
  gint64 t0, t1;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("Debian package dataset-fashion-mnist is not installed");
      return;
    }
  t0 = g_get_monotonic_time ();
  train = ll_dataset_load_named ("fashion-mnist", NULL, FALSE, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_test_message ("Fashion-MNIST train (60,000 images, gzip) loaded in %.3f s",
                  (double) (t1 - t0) / G_USEC_PER_SEC);
  /* Generous: sanitizer builds are several times slower. */
  g_assert_cmpint (t1 - t0, <, 20 * G_USEC_PER_SEC);
  test = ll_dataset_load_named ("fashion-mnist", NULL, TRUE, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (train->name, ==, "fashion-mnist");
  g_assert_cmpint (train->n, ==, 60000);
  g_assert_cmpint (test->n, ==, 10000);
  g_assert_cmpint (train->height, ==, 28);
  g_assert_cmpint (train->width, ==, 28);
  g_assert_cmpstr (train->class_names[0], ==, "T-shirt/top");
  g_assert_cmpstr (test->class_names[9], ==, "Ankle boot");
  for (int i = 0; i < train->n; i++)
    counts[train->labels[i]]++;
  for (int k = 0; k < 10; k++)
    g_assert_cmpint (counts[k], ==, 6000);
  g_assert_cmpint (train->labels[0], ==, 9);   /* the first is an ankle boot */
  g_assert_cmpint (test->labels[0], ==, 9);

  {
    g_autofree char *where = ll_dataset_locate ("fashion-mnist", NULL);
    g_assert_cmpstr (where, ==, dir);
  }
}

/* Batches and slices -------------------------------------------------------------- */

static void
test_fill_batch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = ll_dataset_new ("toy", 3, 2, 1, 2, 4, &error);
  const guint32 idx[] = { 2, 0, 2 };
  float x[3 * 4];
  gint32 labels[3] = { -1, -1, -1 };

  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      ds->labels[i] = (guint8) (i + 1);
      for (int p = 0; p < 4; p++)
        ds->images[i * 4 + p] = (guint8) (i * 100 + p * 51 > 255 ? 255 : i * 100 + p * 51);
    }
  ll_dataset_fill_batch (ds, idx, 3, x, labels);
  g_assert_cmpint (labels[0], ==, 3);
  g_assert_cmpint (labels[1], ==, 1);
  g_assert_cmpint (labels[2], ==, 3);
  /* Image 0: 0, 51, 102, 153 → 0, 0.2, 0.4, 0.6; image 2: 200, 251, 255, 255. */
  g_assert_cmpfloat (x[4 + 0], ==, 0.0f);
  g_assert_cmpfloat (x[4 + 1], ==, 51.0f / 255.0f);
  g_assert_cmpfloat_with_epsilon (x[4 + 1], 0.2f, 1e-7f);
  g_assert_cmpfloat_with_epsilon (x[4 + 3], 0.6f, 1e-7f);
  g_assert_cmpfloat (x[0], ==, 200.0f / 255.0f);
  g_assert_cmpfloat (x[2], ==, 1.0f);
  g_assert_cmpfloat (x[3], ==, 1.0f);
  g_assert_cmpmem (x, 4 * sizeof (float), x + 8, 4 * sizeof (float));

  /* Labels may be NULL. */
  memset (x, 0, sizeof x);
  ll_dataset_fill_batch (ds, idx + 1, 1, x, NULL);
  g_assert_cmpfloat_with_epsilon (x[2], 0.4f, 1e-7f);
}

static void
test_slice (void)
{
  g_autoptr(LlDataset) ds = ll_test_synthetic (50, 4, 4, 3, 7, 42);
  g_autoptr(LlDataset) part = ll_dataset_slice (ds, 10, 20);
  g_autoptr(LlDataset) empty = ll_dataset_slice (ds, 50, 0);
  gsize sample = ll_dataset_sample_size (ds);

  g_assert_cmpint (sample, ==, 48);
  g_assert_cmpint (part->n, ==, 20);
  g_assert_cmpint (part->height, ==, 4);
  g_assert_cmpint (part->channels, ==, 3);
  g_assert_cmpint (part->n_classes, ==, 7);
  g_assert_cmpstr (part->name, ==, ds->name);
  g_assert_cmpmem (part->images, 20 * sample, ds->images + 10 * sample, 20 * sample);
  g_assert_cmpmem (part->labels, 20, ds->labels + 10, 20);
  g_assert_cmpint (g_strv_length (part->class_names), ==, 7);
  g_assert_true (part->images != ds->images);
  g_assert_cmpint (empty->n, ==, 0);

  /* The slice owns its data. */
  part->images[0] ^= 0xff;
  g_assert_cmpint (part->images[0], !=, ds->images[10 * sample]);
}

/* Finding named data sets ----------------------------------------------------- */

static void
write_idx_split (const char *dir, gboolean test, int n, gboolean gz)
{
  g_autoptr(GBytes) img = make_idx_images (0x803, (guint32) n, 28, 28, (gsize) n * 784);
  g_autoptr(GBytes) lab = make_idx_labels ((guint32) n, (gsize) n, 10);
  const char *prefix = test ? "t10k" : "train";
  g_autofree char *in = g_strdup_printf ("%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
  g_autofree char *ln = g_strdup_printf ("%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");

  if (gz)
    {
      g_autoptr(GBytes) img_gz = gzip_bytes (img);
      g_autoptr(GBytes) lab_gz = gzip_bytes (lab);
      write_in (dir, in, img_gz);
      write_in (dir, ln, lab_gz);
    }
  else
    {
      write_in (dir, in, img);
      write_in (dir, ln, lab);
    }
}

static void
test_named_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("layerlab-named-XXXXXX", &error);
  g_autofree char *fashion_dir = NULL;
  g_autofree char *cifar_dir = NULL;
  g_autoptr(LlDataset) train = NULL;
  g_autoptr(LlDataset) test = NULL;
  g_autoptr(LlDataset) fashion = NULL;
  g_autoptr(LlDataset) cifar = NULL;
  g_autoptr(LlDataset) cifar_test = NULL;
  g_autofree char *where = NULL;

  g_assert_no_error (error);
  write_idx_split (root, FALSE, 30, TRUE);
  write_idx_split (root, TRUE, 12, FALSE);

  train = ll_dataset_load_named ("mnist", root, FALSE, &error);
  g_assert_no_error (error);
  assert_loaded_matches (train, 30, 28, 28);
  g_assert_cmpstr (train->name, ==, "mnist");
  test = ll_dataset_load_named ("mnist", root, TRUE, &error);
  g_assert_no_error (error);
  assert_loaded_matches (test, 12, 28, 28);
  where = ll_dataset_locate ("mnist", root);
  g_assert_cmpstr (where, ==, root);

  /* A folder of folders named after the data sets. */
  fashion_dir = g_build_filename (root, "fashion-mnist", NULL);
  write_idx_split (fashion_dir, FALSE, 5, TRUE);
  g_clear_pointer (&where, g_free);
  fashion = ll_dataset_load_named ("fashion-mnist", fashion_dir, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fashion->n, ==, 5);
  g_assert_cmpstr (fashion->name, ==, "fashion-mnist");
  g_assert_cmpstr (fashion->class_names[0], ==, "T-shirt/top");

  /* CIFAR-10 unpacked as cifar-10-binary.tar.gz does it; batches 1 and 3 only. */
  cifar_dir = g_build_filename (root, "cifar10", "cifar-10-batches-bin", NULL);
  {
    g_autoptr(GBytes) b1 = make_cifar (4, 0);
    g_autoptr(GBytes) b3 = make_cifar (3, 4);
    g_autoptr(GBytes) bt = make_cifar (2, 7);
    write_in (cifar_dir, "data_batch_1.bin", b1);
    write_in (cifar_dir, "data_batch_3.bin", b3);
    write_in (cifar_dir, "test_batch.bin", bt);
  }
  cifar = ll_dataset_load_named ("cifar10", root, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cifar->n, ==, 7);
  for (int i = 0; i < 7; i++)
    g_assert_cmpint (cifar->labels[i], ==, i);
  g_assert_cmpstr (cifar->class_names[6], ==, "frog");
  cifar_test = ll_dataset_load_named ("cifar10", root, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cifar_test->n, ==, 2);
  g_assert_cmpint (cifar_test->labels[0], ==, 7);
  where = ll_dataset_locate ("cifar10", root);
  g_assert_cmpstr (where, ==, cifar_dir);

  /* A damaged file that is found is reported, not skipped. */
  {
    g_autofree char *bad = g_build_filename (root, "t10k-labels-idx1-ubyte", NULL);
    g_assert_true (g_file_set_contents (bad, "oops", 4, NULL));
    g_assert_null (ll_dataset_load_named ("mnist", root, TRUE, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_DATA);
    g_clear_error (&error);
  }

  ll_test_remove_tree (root);
}

static void
test_named_user_dir (void)
{
  g_autoptr(GError) error = NULL;
  /* main() points XDG_DATA_HOME at a temporary folder. */
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "layerlab", "datasets",
                                           "mnist", NULL);
  g_autoptr(LlDataset) ds = NULL;
  g_autofree char *where = NULL;

  write_idx_split (dir, TRUE, 8, TRUE);
  ds = ll_dataset_load_named ("mnist", "/nonexistent/layerlab-data", TRUE, &error);
  g_assert_no_error (error);
  assert_loaded_matches (ds, 8, 28, 28);
  where = ll_dataset_locate ("mnist", NULL);
  g_assert_cmpstr (where, ==, dir);
  ll_test_remove_tree (dir);
}

static void
test_named_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "layerlab", "datasets",
                                                "mnist", NULL);
  g_autofree char *where = NULL;

  g_assert_null (ll_dataset_load_named ("mnist", "/nonexistent/layerlab-data", FALSE, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent/layerlab-data (no such folder)"));
  g_assert_nonnull (strstr (error->message, user_dir));
  g_assert_nonnull (strstr (error->message, "Copy the four IDX files"));
  g_assert_nonnull (strstr (error->message, "train-images-idx3-ubyte.gz"));
  g_clear_error (&error);

  /* Where a copy would go. */
  where = ll_dataset_locate ("mnist", "/nonexistent/layerlab-data");
  g_assert_cmpstr (where, ==, user_dir);
  g_assert_null (ll_dataset_locate ("imagenet", NULL));

  g_assert_null (ll_dataset_load_named ("cifar10", NULL, TRUE, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "cifar-10-batches-bin"));
  g_assert_nonnull (strstr (error->message, "test_batch.bin"));
  g_clear_error (&error);

  if (!g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_assert_null (ll_dataset_load_named ("fashion-mnist", NULL, FALSE, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message,
                                "Install the Debian package dataset-fashion-mnist, or copy "
                                "the four IDX files"));
      g_clear_error (&error);
    }

  /* The data folder (--data-dir, LAYERLAB_DATA_DIR, the settings) being a
   * FIFO: said so at once, without opening it. */
  {
    g_autofree char *tmp = g_dir_make_tmp ("ll-data-dir-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename (tmp, "fifo", NULL);
    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    g_assert_null (ll_dataset_load_named ("mnist", fifo, FALSE, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "is a pipe (FIFO), not a folder"));
    g_clear_error (&error);
    g_assert_false (ll_dataset_check_data_dir (fifo, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
    g_clear_error (&error);
    g_unlink (fifo);
    g_assert_true (ll_dataset_check_data_dir (fifo, &error));       /* absent */
    g_assert_true (ll_dataset_check_data_dir (g_get_tmp_dir (), &error));
    g_assert_true (ll_dataset_check_data_dir (NULL, &error));
    g_assert_no_error (error);
    g_rmdir (tmp);
  }

  g_assert_null (ll_dataset_load_named ("imagenet", NULL, FALSE, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "mnist, fashion-mnist, cifar10"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int ret;

  /* Never read or write the real user data folder.  Set before anything
   * calls g_get_user_data_dir(), which caches it.  (Not
   * G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks there under ASan.) */
  data_home = g_dir_make_tmp ("layerlab-data-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  g_test_init (&argc, &argv, NULL);
  temp_files = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/engine/dataset/new", test_new);
  g_test_add_func ("/engine/dataset/new-too-large", test_new_too_large);
  g_test_add_func ("/engine/dataset/names", test_names);
  g_test_add_func ("/engine/dataset/idx-raw", test_idx_raw);
  g_test_add_func ("/engine/dataset/idx-gzip", test_idx_gzip);
  g_test_add_func ("/engine/dataset/idx-truncated", test_idx_truncated);
  g_test_add_func ("/engine/dataset/idx-truncated-gzip", test_idx_truncated_gzip);
  g_test_add_func ("/engine/dataset/idx-floats", test_idx_floats);
  g_test_add_func ("/engine/dataset/idx-floats-memory", test_idx_floats_memory);
  g_test_add_func ("/engine/dataset/idx-trailing", test_idx_trailing);
  g_test_add_func ("/engine/dataset/idx-changed-while-read", test_idx_changed_while_read);
  g_test_add_func ("/engine/dataset/idx-wrong-magic", test_idx_wrong_magic);
  g_test_add_func ("/engine/dataset/idx-foreign", test_idx_foreign);
  g_test_add_func ("/engine/dataset/idx-missing", test_idx_missing);
  g_test_add_func ("/engine/dataset/idx-count-mismatch", test_idx_count_mismatch);
  g_test_add_func ("/engine/dataset/idx-huge-count", test_idx_huge_count);
  g_test_add_func ("/engine/dataset/idx-label-range", test_idx_label_range);
  g_test_add_func ("/engine/dataset/idx-zero-dims", test_idx_zero_dims);
  g_test_add_func ("/engine/dataset/cifar-generated", test_cifar_generated);
  g_test_add_func ("/engine/dataset/cifar-bad", test_cifar_bad);
  g_test_add_func ("/engine/dataset/cifar-shared", test_cifar_shared);
  g_test_add_func ("/engine/dataset/mnist-shared", test_mnist_shared);
  g_test_add_func ("/engine/dataset/fashion-system", test_fashion_system);
  g_test_add_func ("/engine/dataset/fill-batch", test_fill_batch);
  g_test_add_func ("/engine/dataset/slice", test_slice);
  g_test_add_func ("/engine/dataset/named-data-dir", test_named_data_dir);
  g_test_add_func ("/engine/dataset/named-user-dir", test_named_user_dir);
  g_test_add_func ("/engine/dataset/named-missing", test_named_missing);

  ret = g_test_run ();

  for (guint i = 0; i < temp_files->len; i++)
    g_unlink (temp_files->pdata[i]);
  if (temp_files->len > 0)
    {
      g_autofree char *dir = g_path_get_dirname (temp_files->pdata[0]);
      g_rmdir (dir);
    }
  g_ptr_array_unref (temp_files);
  ll_test_remove_tree (data_home);
  return ret;
}
