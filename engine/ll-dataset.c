/* ll-dataset.c: loaders for MNIST-style IDX files (raw or gzip) and the
 * CIFAR-10 binary batches, the search for them on this machine, and the
 * uint8 → [0, 1] batch conversion used by training.
 *
 * Files are untrusted: every header field is checked against the file and
 * against LL_MAX_ALLOC before anything is allocated, and every read is
 * checked, so a damaged or foreign file is a clear GError, never a crash.
 */
#include "ll-dataset.h"
#include "ll-dataset-private.h"
#include "ll-file.h"
#include "ll-memory-plan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <zlib.h>
#include <glib/gi18n-lib.h>

#define IDX_IMAGES_MAGIC 0x00000803u   /* unsigned byte, 3 dimensions */
#define IDX_LABELS_MAGIC 0x00000801u   /* unsigned byte, 1 dimension */
#define IDX_N_CLASSES    10

#define CIFAR_SIDE       32
#define CIFAR_PLANE      (CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD     (1 + 3 * CIFAR_PLANE)
#define CIFAR_N_CLASSES  10
#define CIFAR_MAX_FILES  5

/* zlib's own buffer: the default 8 KiB makes inflate of 47 MB slow. */
#define GZ_BUFFER        (256 * 1024)
/* gzread() takes an unsigned int; also the first guess for gzip bodies,
 * whose real size is only known once they are read. */
#define READ_CHUNK       ((gsize) 64 << 20)
/* The bytes ll_dataset_load_idx_floats reads at a time before scaling them
 * into the float buffer: its peak memory is the floats plus this. */
#define FLOAT_CHUNK      ((gsize) 1 << 20)

void (*ll_dataset_read_hook) (const char *path, guint64 offset, gpointer data);
gpointer ll_dataset_read_hook_data;

static const char *const known_names[] = { "mnist", "fashion-mnist", "cifar10", NULL };

static const char *const digit_names[] = {
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL
};

static const char *const fashion_names[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL
};

static const char *const cifar10_names[] = {
  "airplane", "automobile", "bird", "cat", "deer",
  "dog", "frog", "horse", "ship", "truck", NULL
};

typedef enum {
  SET_IDX,
  SET_CIFAR10,
} SetFormat;

typedef struct {
  const char *name;
  const char *title;                 /* as shown to people */
  SetFormat format;
  const char *const *class_names;
  const char *system_dir;            /* a distribution package, or NULL */
  const char *system_package;
} KnownSet;

static const KnownSet known_sets[] = {
  { "mnist", "MNIST", SET_IDX, digit_names, NULL, NULL },
  { "fashion-mnist", "Fashion-MNIST", SET_IDX, fashion_names,
    "/usr/share/datasets/fashion-mnist", "dataset-fashion-mnist" },
  { "cifar10", "CIFAR-10", SET_CIFAR10, cifar10_names, NULL, NULL },
};

static const KnownSet *
known_set_find (const char *name)
{
  if (name == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (known_sets); i++)
    if (g_str_equal (known_sets[i].name, name))
      return &known_sets[i];
  return NULL;
}

/* "47,040,016": byte counts in messages are read by people. */
static const char *
format_count (guint64 v, char buf[32])
{
  char digits[24];
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, v);
  int o = 0;

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        buf[o++] = ',';
      buf[o++] = digits[i];
    }
  buf[o] = '\0';
  return buf;
}

/* Data set construction ------------------------------------------------- */

static LlDataset *
dataset_alloc (const char *name, int n, int height, int width, int channels,
               int n_classes, gboolean with_images, GError **error)
{
  g_autoptr(LlDataset) ds = NULL;
  const KnownSet *set = known_set_find (name);
  guint64 bytes;
  gboolean overflow;
  char b1[32];

  if (n < 0 || height <= 0 || width <= 0 || channels <= 0
      || n_classes <= 0 || n_classes > 256)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("A data set needs at least 0 images of at least 1×1×1 pixels and "
                   "1 to 256 classes, not %d images of %d×%d×%d and %d classes"),
                   n, height, width, channels, n_classes);
      return NULL;
    }
  /* Four ints can overflow 64 bits. */
  overflow = !g_uint64_checked_mul (&bytes, (guint64) n, (guint64) height)
             || !g_uint64_checked_mul (&bytes, bytes, (guint64) width)
             || !g_uint64_checked_mul (&bytes, bytes, (guint64) channels);
  if (overflow || bytes > LL_MAX_ALLOC)
    {
      if (overflow)
        g_snprintf (b1, sizeof b1, "%.3g", (double) n * height * width * channels);
      else
        format_count (bytes, b1);
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("%d images of %d×%d×%d would need %s bytes, more than the %d GiB "
                   "Layerlab allows; use fewer images"),
                   n, height, width, channels, b1, (int) (LL_MAX_ALLOC >> 30));
      return NULL;
    }

  ds = g_new0 (LlDataset, 1);
  ds->name = g_strdup (name != NULL ? name : "data");
  ds->n = n;
  ds->height = height;
  ds->width = width;
  ds->channels = channels;
  ds->n_classes = n_classes;
  ds->labels = g_try_malloc0 (MAX ((gsize) n, 1));
  if (with_images)
    ds->images = g_try_malloc0 (MAX ((gsize) bytes, 1));
  if (ds->labels == NULL || (with_images && ds->images == NULL))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("Out of memory allocating %s bytes for %d images; "
                   "close other programs or use fewer images"),
                   format_count (bytes, b1), n);
      return NULL;
    }

  if (set != NULL && (int) g_strv_length ((char **) set->class_names) == n_classes)
    ds->class_names = g_strdupv ((char **) set->class_names);
  else
    {
      ds->class_names = g_new0 (char *, (gsize) n_classes + 1);
      for (int i = 0; i < n_classes; i++)
        ds->class_names[i] = g_strdup_printf ("%d", i);
    }
  return g_steal_pointer (&ds);
}

LlDataset *
ll_dataset_new (const char *name, int n, int height, int width, int channels,
                int n_classes, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return dataset_alloc (name, n, height, width, channels, n_classes, TRUE, error);
}

LlDataset *
ll_dataset_new_values (const char *name, int n, int n_values, int n_classes, GError **error)
{
  g_autoptr(LlDataset) ds = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!(ds = dataset_alloc (name, n, 1, n_values, 1, n_classes, FALSE, error)))
    return NULL;
  if (n_values > 1 << 16)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%d values per sample are more than Layerlab allows for point data; "
                   "use fewer features"), n_values);
      return NULL;
    }
  ds->values = g_try_new0 (float, MAX ((gsize) n * n_values, 1));
  if (ds->values == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("Out of memory allocating %d samples of %d values; use fewer points"),
                   n, n_values);
      return NULL;
    }
  return g_steal_pointer (&ds);
}

void
ll_dataset_free (LlDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_free (ds->images);
  g_free (ds->values);
  g_free (ds->labels);
  g_strfreev (ds->class_names);
  g_free (ds);
}

gsize
ll_dataset_sample_size (const LlDataset *ds)
{
  g_return_val_if_fail (ds != NULL, 0);
  return (gsize) ds->height * ds->width * ds->channels;
}

LlDataset *
ll_dataset_slice (const LlDataset *ds, int start, int count)
{
  LlDataset *out;
  gsize sample;

  g_return_val_if_fail (ds != NULL, NULL);
  g_return_val_if_fail (start >= 0 && count >= 0, NULL);
  g_return_val_if_fail (start <= ds->n && count <= ds->n - start, NULL);

  /* Smaller than ds, so within every limit ds already met. */
  out = dataset_alloc (ds->name, count, ds->height, ds->width, ds->channels,
                       ds->n_classes, ds->values == NULL, NULL);
  g_return_val_if_fail (out != NULL, NULL);
  sample = ll_dataset_sample_size (ds);
  if (ds->values != NULL)
    {
      out->values = g_new0 (float, MAX ((gsize) count * sample, 1));
      if (count > 0)
        memcpy (out->values, ds->values + (gsize) start * sample,
                (gsize) count * sample * sizeof (float));
    }
  if (count > 0)
    {
      if (ds->images != NULL)
        memcpy (out->images, ds->images + (gsize) start * sample, (gsize) count * sample);
      memcpy (out->labels, ds->labels + start, (gsize) count);
    }
  if (ds->class_names != NULL)
    {
      g_strfreev (out->class_names);
      out->class_names = g_strdupv (ds->class_names);
    }
  return out;
}

void
ll_dataset_fill_batch (const LlDataset *ds, const guint32 *indices, int count,
                       float *x, gint32 *labels)
{
  gsize sample;

  g_return_if_fail (ds != NULL && indices != NULL && x != NULL);
  g_return_if_fail (count >= 0);

  sample = ll_dataset_sample_size (ds);
  for (int i = 0; i < count; i++)
    {
      const guint8 *src;
      float *dst = x + (gsize) i * sample;

      g_return_if_fail (indices[i] < (guint32) ds->n);
      if (labels != NULL)
        labels[i] = ds->labels[indices[i]];
      if (ds->values != NULL)
        {
          memcpy (dst, ds->values + (gsize) indices[i] * sample, sample * sizeof (float));
          continue;
        }
      src = ds->images + (gsize) indices[i] * sample;
      /* Divide, not multiply by 1/255: the same floats as Keras' x / 255.0. */
      for (gsize p = 0; p < sample; p++)
        dst[p] = (float) src[p] / 255.0f;
    }
}

const char *const *
ll_dataset_known_names (void)
{
  return known_names;
}

const char *const *
ll_dataset_class_names (const char *name)
{
  const KnownSet *set = known_set_find (name);
  return set != NULL ? set->class_names : NULL;
}

/* Reading files, gzip or raw ---------------------------------------------- */

typedef struct {
  char *path;
  char *shown;          /* the path for messages (UTF-8) */
  int fd;
  gzFile gz;            /* NULL for a raw file; owns fd otherwise */
  guint64 raw_size;     /* the file's size when opened */
  struct timespec mtime; /* its modification time then */
  guint64 offset;       /* uncompressed bytes consumed so far */
  gboolean cut_short;   /* the gzip stream ended before its trailer */
} LlReader;

#define LL_READER_INIT { NULL, NULL, -1, NULL, 0, { 0, 0 }, 0, FALSE }

static void
reader_clear (LlReader *r)
{
  if (r->gz != NULL)
    gzclose (r->gz);
  else if (r->fd >= 0)
    close (r->fd);
  r->gz = NULL;
  r->fd = -1;
  g_clear_pointer (&r->shown, g_free);
  g_clear_pointer (&r->path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LlReader, reader_clear)

static gboolean
reader_open (LlReader *r, const char *path, GError **error)
{
  struct stat st;
  guint8 magic[2];
  ssize_t n;

  r->path = g_strdup (path);
  r->shown = g_filename_display_name (path);
  /* O_NONBLOCK: a FIFO must not wait for a writer (it is refused below). */
  r->fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
  if (r->fd < 0)
    {
      int saved = errno;
      if (saved == ENOENT || saved == ENOTDIR)
        g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                     _("The file “%s” does not exist; check the path or choose another folder"),
                     r->shown);
      else
        g_set_error (error, LL_ERROR, LL_ERROR_IO,
                     _("Could not open “%s”: %s"), r->shown, g_strerror (saved));
      return FALSE;
    }
  if (fstat (r->fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Could not read “%s”: %s"), r->shown, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” is not a regular file; choose the data file itself"), r->shown);
      return FALSE;
    }
  r->raw_size = (guint64) st.st_size;
  r->mtime = st.st_mtim;

  do
    n = pread (r->fd, magic, sizeof magic, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int saved = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Could not read “%s”: %s"), r->shown, g_strerror (saved));
      return FALSE;
    }
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    {
      r->gz = gzdopen (r->fd, "rb");
      if (r->gz == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                       _("Out of memory opening the gzip file “%s”"), r->shown);
          return FALSE;
        }
      gzbuffer (r->gz, GZ_BUFFER);
    }
  return TRUE;
}

/* Reads up to len bytes; fewer only at the end of the data.  -1 on error. */
static gssize
reader_read (LlReader *r, void *buf, gsize len, GError **error)
{
  guint8 *p = buf;
  gsize got = 0;

  while (got < len)
    {
      gsize want = MIN (len - got, READ_CHUNK);
      gssize n;

      if (r->gz != NULL)
        {
          n = gzread (r->gz, p + got, (unsigned) want);
          if (n < 0)
            {
              int errnum = Z_OK;
              const char *msg = gzerror (r->gz, &errnum);
              const char *colon = strstr (msg, ": ");
              /* gzdopen() names the file "<fd:N>"; we name it ourselves. */
              if (g_str_has_prefix (msg, "<fd:") && colon != NULL)
                msg = colon + 2;
              if (errnum == Z_ERRNO)
                g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not read “%s”: %s"),
                             r->shown, g_strerror (errno));
              else
                g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                             _("“%s” is a damaged gzip file (%s after %" PRIu64
                             " bytes); download or copy it again"),
                             r->shown, msg, r->offset + got);
              return -1;
            }
          if (n == 0)
            {
              int errnum = Z_OK;
              gzerror (r->gz, &errnum);
              r->cut_short = errnum == Z_BUF_ERROR;
              break;
            }
        }
      else
        {
          n = read (r->fd, p + got, want);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int saved = errno;
              g_set_error (error, LL_ERROR, LL_ERROR_IO, _("Could not read “%s”: %s"),
                           r->shown, g_strerror (saved));
              return -1;
            }
          if (n == 0)
            break;
        }
      got += (gsize) n;
      if (ll_dataset_read_hook != NULL)
        ll_dataset_read_hook (r->path, r->offset + got, ll_dataset_read_hook_data);
    }
  r->offset += got;
  return (gssize) got;
}

static const char *
reader_cut_hint (const LlReader *r)
{
  return r->cut_short ? _(" (the gzip stream stops early: the download or copy is incomplete)")
                      : "";
}

static void
reader_set_oom (LlReader *r, gsize len, GError **error)
{
  char b1[32];

  g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
               _("Out of memory reading %s bytes from “%s”; close other programs"),
               format_count (len, b1), r->shown);
}

/* Reads exactly len body bytes into a new buffer.  A gzip file's real size
 * is unknown until read, so its buffer grows with the data instead of
 * trusting the header: a damaged header cannot make us allocate gigabytes
 * for a small file.  On a short read *got says how far it went and the
 * caller reports the truncation in its own terms. */
static guint8 *
reader_read_body (LlReader *r, gsize len, gsize *got, GError **error)
{
  g_autofree guint8 *buf = NULL;
  gsize cap, have = 0;

  *got = 0;
  if (r->gz == NULL && r->raw_size - MIN (r->raw_size, r->offset) < len)
    {
      *got = (gsize) (r->raw_size - MIN (r->raw_size, r->offset));
      return NULL;
    }
  cap = r->gz != NULL ? MIN (len, READ_CHUNK) : len;
  buf = g_try_malloc (MAX (cap, 1));
  if (buf == NULL)
    goto oom;
  for (;;)
    {
      gssize n = reader_read (r, buf + have, cap - have, error);
      if (n < 0)
        return NULL;
      have += (gsize) n;
      if (have < cap || have == len)
        break;
      cap = cap > len / 2 ? len : cap * 2;
      {
        guint8 *bigger = g_try_realloc (buf, cap);
        if (bigger == NULL)
          goto oom;
        buf = bigger;
      }
    }
  *got = have;
  if (have < len)
    return NULL;
  return g_steal_pointer (&buf);

oom:
  reader_set_oom (r, len, error);
  return NULL;
}

/* The same into floats scaled to [0, 1] (x / 255, as ll_dataset_fill_batch),
 * read FLOAT_CHUNK bytes at a time: only the float buffer and one chunk
 * are ever held, never the whole body as bytes too.  The float buffer of
 * a gzip file grows with the data as reader_read_body's does. */
static float *
reader_read_body_floats (LlReader *r, gsize len, gsize *got, GError **error)
{
  g_autofree float *x = NULL;
  g_autofree guint8 *chunk = NULL;
  gsize cap, have = 0;

  *got = 0;
  if (r->gz == NULL && r->raw_size - MIN (r->raw_size, r->offset) < len)
    {
      *got = (gsize) (r->raw_size - MIN (r->raw_size, r->offset));
      return NULL;
    }
  cap = r->gz != NULL ? MIN (len, READ_CHUNK) : len;
  x = g_try_malloc_n (MAX (cap, 1), sizeof (float));
  chunk = g_try_malloc (MAX (MIN (len, FLOAT_CHUNK), 1));
  if (x == NULL || chunk == NULL)
    goto oom;
  while (have < len)
    {
      gsize want = MIN (len - have, FLOAT_CHUNK);
      gssize n;

      if (have + want > cap)
        {
          float *bigger;

          cap = cap > len / 2 ? len : cap * 2;
          bigger = g_try_realloc_n (x, cap, sizeof (float));
          if (bigger == NULL)
            goto oom;
          x = bigger;
        }
      n = reader_read (r, chunk, want, error);
      if (n < 0)
        return NULL;
      /* Divide, not multiply by 1/255: the same floats as Keras' x / 255.0. */
      for (gsize i = 0; i < (gsize) n; i++)
        x[have + i] = (float) chunk[i] / 255.0f;
      have += (gsize) n;
      if ((gsize) n < want)
        break;
    }
  *got = have;
  if (have < len)
    return NULL;
  return g_steal_pointer (&x);

oom:
  reader_set_oom (r, len, error);
  return NULL;
}

/* After the body: the file must end there, whole, and be the file that
 * was opened.  Bytes after what the header declares mean a damaged header
 * or a foreign file; a gzip stream is read to its end so that its CRC and
 * length trailer are checked; a file whose size or modification time
 * changed was written to while it was read, and what was read is a mix. */
static gboolean
reader_check_end (LlReader *r, const char *what, GError **error)
{
  struct stat st;

  if (r->gz != NULL)
    {
      guint8 extra;
      gssize n = reader_read (r, &extra, 1, error);

      if (n < 0)
        return FALSE;
      if (n > 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                       _("“%s” goes on after its %s: its header is damaged or it is not an IDX "
                         "file; download or copy it again"),
                       r->shown, what);
          return FALSE;
        }
      if (r->cut_short)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                       _("“%s” is incomplete: its gzip stream stops before its end; "
                         "download or copy it again"),
                       r->shown);
          return FALSE;
        }
    }
  if (fstat (r->fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("Could not read “%s”: %s"), r->shown, g_strerror (saved));
      return FALSE;
    }
  if ((guint64) st.st_size != r->raw_size || st.st_mtim.tv_sec != r->mtime.tv_sec
      || st.st_mtim.tv_nsec != r->mtime.tv_nsec)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” changed while it was read (something is writing to it); "
                     "load it again once the copy or download has finished"),
                   r->shown);
      return FALSE;
    }
  if (r->gz == NULL && r->raw_size > r->offset)
    {
      char b1[32];
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” goes on for %s bytes after its %s: its header is damaged or it "
                     "is not an IDX file; download or copy it again"),
                   r->shown, format_count (r->raw_size - r->offset, b1), what);
      return FALSE;
    }
  return TRUE;
}

/* Reads n big-endian 32-bit header words; FALSE with an error if short. */
static gboolean
reader_read_be32 (LlReader *r, guint32 *words, int n, const char *kind, GError **error)
{
  guint8 raw[16];
  gssize got;

  g_assert (n * 4 <= (int) sizeof raw);
  got = reader_read (r, raw, (gsize) n * 4, error);
  if (got < 0)
    return FALSE;
  if (got < n * 4)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” ends after %" PRIu64 " bytes, inside its header; "
                   "it is not a complete IDX %s file%s"),
                   r->shown, r->offset, kind, reader_cut_hint (r));
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    words[i] = (guint32) raw[4 * i] << 24 | (guint32) raw[4 * i + 1] << 16
               | (guint32) raw[4 * i + 2] << 8 | (guint32) raw[4 * i + 3];
  return TRUE;
}

static gboolean
check_idx_magic (const LlReader *r, guint32 magic, guint32 expected, GError **error)
{
  gboolean want_images = expected == IDX_IMAGES_MAGIC;

  if (magic == expected)
    return TRUE;
  g_set_error (error, LL_ERROR, LL_ERROR_DATA,
               _("“%s” is not an IDX %s file (magic 0x%08x); expected 0x%08x%s"),
               r->shown, want_images ? "image" : "label", magic, expected,
               magic == (want_images ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC)
                 ? want_images ? _(". It holds labels: were the image and label files swapped?")
                               : _(". It holds images: were the image and label files swapped?")
                 : "");
  return FALSE;
}

/* IDX ---------------------------------------------------------------------- */

/* Opens an IDX image file and reads its header into ih (magic, count,
 * rows, columns), checked: at least one image of at least 1×1, and the
 * body (*bytes) within what Layerlab loads on this machine. */
static gboolean
idx_open_images (LlReader *ri, const char *images_path, guint32 ih[4], guint64 *bytes,
                 GError **error)
{
  gboolean overflow;
  char b1[32], b2[32];

  if (!reader_open (ri, images_path, error)
      || !reader_read_be32 (ri, ih, 1, "image", error)
      || !check_idx_magic (ri, ih[0], IDX_IMAGES_MAGIC, error)
      || !reader_read_be32 (ri, ih + 1, 3, "image", error))
    return FALSE;
  if (ih[1] == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” holds no images; choose a complete IDX image file"), ri->shown);
      return FALSE;
    }
  if (ih[2] == 0 || ih[3] == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” declares images of %u×%u pixels; an image needs at least 1×1. "
                   "The file is damaged"),
                   ri->shown, ih[2], ih[3]);
      return FALSE;
    }
  /* Three 32-bit fields can overflow 64 bits. */
  overflow = !g_uint64_checked_mul (bytes, (guint64) ih[1] * ih[2], ih[3]);
  /* Also within the machine's memory: a small gzip file may claim and
   * really inflate to gigabytes. */
  if (overflow || *bytes > MIN (LL_MAX_ALLOC, ll_memory_limit ())
      || ih[1] > G_MAXINT || ih[2] > G_MAXINT || ih[3] > G_MAXINT)
    {
      char b4[32];
      if (overflow)
        g_snprintf (b2, sizeof b2, "%.3g", (double) ih[1] * ih[2] * ih[3]);
      else
        format_count (*bytes, b2);
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” claims %s images of %ux%u pixels (%s bytes), more than "
                   "the %d GiB Layerlab will load; the header is damaged or the file is not an "
                   "image set (it is %s bytes long)"),
                   ri->shown, format_count (ih[1], b1), ih[2], ih[3], b2,
                   (int) (MIN (LL_MAX_ALLOC, ll_memory_limit ()) >> 30), format_count (ri->raw_size, b4));
      return FALSE;
    }
  return TRUE;
}

/* The error for an image body that ends early. */
static void
idx_images_short (const LlReader *ri, const guint32 ih[4], guint64 bytes, gsize got,
                  GError **error)
{
  char b1[32], b2[32], b3[32];

  if (error != NULL && *error != NULL)
    return;
  g_set_error (error, LL_ERROR, LL_ERROR_DATA,
               _("“%s” ends after %s bytes; %s expected for %s images of %ux%u%s"),
               ri->shown, format_count (16 + got, b1), format_count (16 + bytes, b2),
               format_count (ih[1], b3), ih[2], ih[3], reader_cut_hint (ri));
}

/* After an image body: nothing more in the file, and the same file. */
static gboolean
idx_images_end (LlReader *ri, const guint32 ih[4], GError **error)
{
  char b1[32];
  /* Translators: completes "… goes on after its %s": the image count. */
  g_autofree char *what = g_strdup_printf (_("%s images"), format_count (ih[1], b1));

  return reader_check_end (ri, what, error);
}

LlDataset *
ll_dataset_load_idx (const char *images_path, const char *labels_path, GError **error)
{
  g_auto(LlReader) ri = LL_READER_INIT;
  g_auto(LlReader) rl = LL_READER_INIT;
  g_autoptr(LlDataset) ds = NULL;
  g_autofree guint8 *images = NULL;
  g_autofree guint8 *labels = NULL;
  guint32 ih[4], lh[2];
  guint64 bytes;
  gsize got;
  char b1[32], b2[32], b3[32];

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Headers first, both files, so that inconsistencies surface before
   * tens of megabytes are inflated. */
  if (!idx_open_images (&ri, images_path, ih, &bytes, error))
    return NULL;
  if (labels_path == NULL)
    lh[1] = ih[1];               /* images only, for predict: every label 0 */
  else if (!reader_open (&rl, labels_path, error)
           || !reader_read_be32 (&rl, lh, 1, "label", error)
           || !check_idx_magic (&rl, lh[0], IDX_LABELS_MAGIC, error)
           || !reader_read_be32 (&rl, lh + 1, 1, "label", error))
    return NULL;

  if (lh[1] != ih[1])
    {
      g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                   _("“%s” holds %s images but “%s” holds %s labels; "
                   "choose the image and label files of the same split"),
                   ri.shown, format_count (ih[1], b1), rl.shown, format_count (lh[1], b2));
      return NULL;
    }

  images = reader_read_body (&ri, (gsize) bytes, &got, error);
  if (images == NULL)
    {
      idx_images_short (&ri, ih, bytes, got, error);
      return NULL;
    }
  if (!idx_images_end (&ri, ih, error))
    return NULL;
  labels = labels_path == NULL ? g_malloc0 (MAX (lh[1], 1)) : reader_read_body (&rl, lh[1], &got, error);
  if (labels == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                     _("“%s” ends after %s bytes; %s expected for %s labels%s"),
                     rl.shown, format_count (8 + got, b1), format_count (8 + (guint64) lh[1], b2),
                     format_count (lh[1], b3), reader_cut_hint (&rl));
      return NULL;
    }
  if (labels_path != NULL)
    {
      /* Translators: completes "… goes on after its %s": the label count. */
      g_autofree char *what = g_strdup_printf (_("%s labels"), format_count (lh[1], b1));
      if (!reader_check_end (&rl, what, error))
        return NULL;
    }
  for (guint32 i = 0; i < lh[1]; i++)
    if (labels[i] >= IDX_N_CLASSES)
      {
        g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                     _("“%s”: the label of image %u is %u, out of range; labels must be "
                     "0 to %d. The file is damaged or not an MNIST-style label file"),
                     rl.shown, i, labels[i], IDX_N_CLASSES - 1);
        return NULL;
      }

  ds = dataset_alloc ("idx", (int) ih[1], (int) ih[2], (int) ih[3], 1, IDX_N_CLASSES,
                      FALSE, error);
  if (ds == NULL)
    return NULL;
  ds->images = g_steal_pointer (&images);
  g_free (ds->labels);
  ds->labels = g_steal_pointer (&labels);
  return g_steal_pointer (&ds);
}

float *
ll_dataset_load_idx_floats (const char *images_path, gsize sample_size,
                            int *n, int *height, int *width, GError **error)
{
  g_auto(LlReader) ri = LL_READER_INIT;
  g_autofree float *x = NULL;
  guint32 ih[4];
  guint64 bytes;
  gsize got;

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!idx_open_images (&ri, images_path, ih, &bytes, error))
    return NULL;
  if (sample_size != 0 && (guint64) ih[2] * ih[3] != sample_size)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("%s holds %d×%d×%d images but the model takes %zu values"),
                   ri.shown, (int) ih[2], (int) ih[3], 1, sample_size);
      return NULL;
    }
  /* 4 bytes a pixel: a small gzip file can inflate to a large set.  The
   * whole float buffer is checked against the machine's memory first. */
  if ((double) bytes * sizeof (float) > (double) MIN (LL_MAX_ALLOC, ll_memory_limit ()))
    {
      g_autofree char *need = ll_memory_format ((double) bytes * sizeof (float));
      g_autofree char *limit = ll_memory_format ((double) MIN (LL_MAX_ALLOC, ll_memory_limit ()));
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("%s holds %d images, which need %s as model input, more than the %s "
                   "Layerlab may use on this machine; split the file"),
                   ri.shown, (int) ih[1], need, limit);
      return NULL;
    }
  x = reader_read_body_floats (&ri, (gsize) bytes, &got, error);
  if (x == NULL)
    {
      idx_images_short (&ri, ih, bytes, got, error);
      return NULL;
    }
  if (!idx_images_end (&ri, ih, error))
    return NULL;
  *n = (int) ih[1];
  if (height != NULL)
    *height = (int) ih[2];
  if (width != NULL)
    *width = (int) ih[3];
  return g_steal_pointer (&x);
}

/* CIFAR-10 ----------------------------------------------------------------- */

/* Planes R, G, B of one 32×32 record → interleaved HWC. */
static void
cifar_record_to_hwc (const guint8 *planes, guint8 *hwc)
{
  const guint8 *r = planes, *g = planes + CIFAR_PLANE, *b = planes + 2 * CIFAR_PLANE;

  for (int p = 0; p < CIFAR_PLANE; p++)
    {
      hwc[3 * p] = r[p];
      hwc[3 * p + 1] = g[p];
      hwc[3 * p + 2] = b[p];
    }
}

LlDataset *
ll_dataset_load_cifar10 (const char *const *paths, GError **error)
{
  g_autoptr(LlDataset) ds = NULL;
  g_autofree guint64 *sizes = NULL;
  g_autofree guint8 *chunk = NULL;
  const gsize chunk_records = 1024;
  guint64 total = 0;
  gsize n_paths, out_index = 0;
  char b1[32], b2[32], b3[32];

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_paths = g_strv_length ((char **) paths);
  if (n_paths == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("No CIFAR-10 batch files given; choose data_batch_1.bin or test_batch.bin"));
      return NULL;
    }

  /* Sizes first: every file must hold whole records, and the total must
   * fit before anything is read. */
  sizes = g_new0 (guint64, n_paths);
  for (gsize f = 0; f < n_paths; f++)
    {
      g_auto(LlReader) r = LL_READER_INIT;

      if (!reader_open (&r, paths[f], error))
        return NULL;
      if (r.gz != NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                       _("“%s” is gzip-compressed; extract cifar-10-binary.tar.gz "
                       "(tar xzf) and choose the .bin files inside"), r.shown);
          return NULL;
        }
      if (r.raw_size == 0 || r.raw_size % CIFAR_RECORD != 0)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                       _("“%s” is %s bytes, not a whole number of CIFAR-10 records "
                       "(%s bytes each: 1 label byte and 32×32×3 pixels); choose a file "
                       "from the binary version of CIFAR-10"),
                       r.shown, format_count (r.raw_size, b1), format_count (CIFAR_RECORD, b2));
          return NULL;
        }
      sizes[f] = r.raw_size / CIFAR_RECORD;
      total += sizes[f];
    }
  if (total > G_MAXINT)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("The CIFAR-10 files hold %s images, more than Layerlab can load; "
                   "choose fewer files"), format_count (total, b1));
      return NULL;
    }
  ds = dataset_alloc ("cifar10", (int) total, CIFAR_SIDE, CIFAR_SIDE, 3, CIFAR_N_CLASSES,
                      TRUE, error);
  if (ds == NULL)
    return NULL;

  chunk = g_try_malloc (chunk_records * CIFAR_RECORD);
  if (chunk == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY, _("Out of memory reading CIFAR-10"));
      return NULL;
    }
  for (gsize f = 0; f < n_paths; f++)
    {
      g_auto(LlReader) r = LL_READER_INIT;
      guint64 done = 0;

      if (!reader_open (&r, paths[f], error))
        return NULL;
      while (done < sizes[f])
        {
          gsize want = (gsize) MIN (chunk_records, sizes[f] - done);
          gssize got = reader_read (&r, chunk, want * CIFAR_RECORD, error);

          if (got < 0)
            return NULL;
          /* The file changed since we measured it, or the gzip test
           * above was fooled; either way the data is not what we sized. */
          if (r.gz != NULL || (gsize) got < want * CIFAR_RECORD)
            {
              g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                           _("“%s” ends after %s bytes; %s expected for %s images. "
                           "Was it being written while Layerlab read it?"),
                           r.shown, format_count (r.offset, b1),
                           format_count (sizes[f] * CIFAR_RECORD, b2),
                           format_count (sizes[f], b3));
              return NULL;
            }
          for (gsize k = 0; k < want; k++)
            {
              const guint8 *rec = chunk + k * CIFAR_RECORD;
              if (rec[0] >= CIFAR_N_CLASSES)
                {
                  g_set_error (error, LL_ERROR, LL_ERROR_DATA,
                               _("“%s”: record %" PRIu64 " has label %u, out of range; "
                               "CIFAR-10 labels are 0 to 9 (is this CIFAR-100?)"),
                               r.shown, done + k, rec[0]);
                  return NULL;
                }
              ds->labels[out_index] = rec[0];
              cifar_record_to_hwc (rec + 1, ds->images + out_index * 3 * CIFAR_PLANE);
              out_index++;
            }
          done += want;
        }
    }
  return g_steal_pointer (&ds);
}

/* Finding data sets on this machine ----------------------------------------- */

static const char *const idx_train[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" };
static const char *const idx_test[] = { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

/* The file under base name, compressed or not; NULL when neither exists. */
static char *
find_file (const char *dir, const char *base)
{
  g_autofree char *gz_name = g_strconcat (base, ".gz", NULL);
  g_autofree char *path = g_build_filename (dir, gz_name, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  g_free (path);
  path = g_build_filename (dir, base, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  return NULL;
}

/* The files of one split in dir (NULL-terminated, newly allocated), or NULL. */
static char **
find_split (const KnownSet *set, const char *dir, gboolean test)
{
  GPtrArray *files = g_ptr_array_new_null_terminated (6, g_free, TRUE);

  if (set->format == SET_IDX)
    {
      const char *const *names = test ? idx_test : idx_train;
      for (int i = 0; i < 2; i++)
        {
          char *path = find_file (dir, names[i]);
          if (path == NULL)
            break;
          g_ptr_array_add (files, path);
        }
      if (files->len < 2)
        g_ptr_array_set_size (files, 0);
    }
  else if (test)
    {
      char *path = g_build_filename (dir, "test_batch.bin", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, path);
      else
        g_free (path);
    }
  else
    for (int i = 1; i <= CIFAR_MAX_FILES; i++)
      {
        g_autofree char *base = g_strdup_printf ("data_batch_%d.bin", i);
        char *path = g_build_filename (dir, base, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          g_ptr_array_add (files, path);
        else
          g_free (path);
      }

  if (files->len == 0)
    {
      g_ptr_array_unref (files);
      return NULL;
    }
  return (char **) g_ptr_array_free (files, FALSE);
}

static char *
user_dir_for (const KnownSet *set)
{
  return g_build_filename (g_get_user_data_dir (), "layerlab", "datasets", set->name, NULL);
}

/* The folders searched, in order. */
static GPtrArray *
search_dirs (const KnownSet *set, const char *data_dir)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *out;

  if (data_dir != NULL && data_dir[0] != '\0')
    {
      g_ptr_array_add (dirs, g_strdup (data_dir));
      /* A folder that holds several data sets by name. */
      g_ptr_array_add (dirs, g_build_filename (data_dir, set->name, NULL));
    }
  g_ptr_array_add (dirs, user_dir_for (set));
  if (set->system_dir != NULL)
    g_ptr_array_add (dirs, g_strdup (set->system_dir));
  if (set->format != SET_CIFAR10)
    return dirs;

  /* cifar-10-binary.tar.gz unpacks into this folder. */
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < dirs->len; i++)
    {
      g_ptr_array_add (out, g_strdup (dirs->pdata[i]));
      g_ptr_array_add (out, g_build_filename (dirs->pdata[i], "cifar-10-batches-bin", NULL));
    }
  g_ptr_array_unref (dirs);
  return out;
}

char *
ll_dataset_locate (const char *name, const char *data_dir)
{
  const KnownSet *set = known_set_find (name);
  g_autoptr(GPtrArray) dirs = NULL;

  if (set == NULL)
    return NULL;
  dirs = search_dirs (set, data_dir);
  for (guint i = 0; i < dirs->len; i++)
    for (int test = 0; test <= 1; test++)
      {
        g_auto(GStrv) files = find_split (set, dirs->pdata[i], test);
        if (files != NULL)
          return g_strdup (dirs->pdata[i]);
      }
  /* Where a download or a copy would go. */
  return user_dir_for (set);
}

static void
set_not_found (const KnownSet *set, GPtrArray *dirs, gboolean test, GError **error)
{
  g_autoptr(GString) msg = g_string_new (NULL);
  g_autofree char *user_dir = user_dir_for (set);
  g_autofree char *shown_user_dir = g_filename_display_name (user_dir);

  g_string_append_printf (msg, _("The %s %s set is not on this machine. Looked in: "),
                          set->title, test ? C_("split", "test") : C_("split", "training"));
  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *shown = g_filename_display_name (dirs->pdata[i]);
      g_string_append_printf (msg, "%s%s%s", i > 0 ? ", " : "", shown,
                              g_file_test (dirs->pdata[i], G_FILE_TEST_IS_DIR)
                                ? "" : _(" (no such folder)"));
    }
  g_string_append (msg, ". ");
  if (set->format == SET_IDX)
    {
      if (set->system_package != NULL)
        g_string_append_printf (msg, _("Install the Debian package %s, or copy"),
                                set->system_package);
      else
        g_string_append (msg, _("Copy"));
      g_string_append_printf (msg, _(" the four IDX files (%s.gz, %s.gz, %s.gz, %s.gz) into %s"),
                              idx_train[0], idx_train[1], idx_test[0], idx_test[1],
                              shown_user_dir);
    }
  else
    g_string_append_printf (msg, _("Copy data_batch_1.bin … data_batch_5.bin and test_batch.bin "
                            "from the CIFAR-10 binary version (cifar-10-binary.tar.gz) into %s"),
                            shown_user_dir);
  g_string_append (msg, _(", or choose the folder that holds them."));
  g_set_error_literal (error, LL_ERROR, LL_ERROR_NOT_FOUND, msg->str);
}

char *
ll_dataset_clean_class_name (const char *name)
{
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  return g_string_free (out, FALSE);
}

/* A folder written by ll_dataset_write_dir (a user's own pictures) names
 * its classes in classes.txt, one a line: they replace the first names.
 * A missing or unreadable list leaves the data set's own names. */
static void
name_imported_classes (LlDataset *ds, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "classes.txt", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len = 0;
  const char *data;

  /* At most 4096 bytes read: a FIFO or /dev/zero is refused, not read whole. */
  if (!(bytes = ll_file_read (path, 4096, NULL)))
    return;
  data = g_bytes_get_data (bytes, &len);
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize) len, NULL))
    return;
  text = g_strndup (data, len);
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  for (int k = 0; lines[k] != NULL && k < ds->n_classes; k++)
    if (*g_strstrip (lines[k]) != '\0')
      {
        g_free (ds->class_names[k]);
        ds->class_names[k] = ll_dataset_clean_class_name (lines[k]);
      }
}

gboolean
ll_dataset_check_data_dir (const char *data_dir, GError **error)
{
  g_autofree char *shown = NULL;
  const char *kind;

  if (data_dir == NULL || data_dir[0] == '\0'
      || (kind = ll_file_describe (data_dir)) == NULL
      || g_file_test (data_dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  shown = g_filename_display_name (data_dir);
  if (g_file_test (data_dir, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *parent = g_path_get_dirname (data_dir);
      g_autofree char *shown_parent = g_filename_display_name (parent);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The data folder %s is a file, not a folder; give the folder that holds "
                     "the data set's files (perhaps %s)"),
                   shown, shown_parent);
    }
  else
    g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                 _("The data folder %s is %s, not a folder; give the folder that holds the "
                   "data set's files"),
                 shown, kind);
  return FALSE;
}

LlDataset *
ll_dataset_load_named (const char *name, const char *data_dir, gboolean test, GError **error)
{
  const KnownSet *set = known_set_find (name);
  g_autoptr(GPtrArray) dirs = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (set == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) known_names);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("Unknown data set “%s”; Layerlab knows %s"),
                   name != NULL ? name : _("(none)"), known);
      return NULL;
    }
  /* A FIFO or a file named as the data folder is a mistake to point out,
   * not a folder where the set happens to be missing. */
  if (!ll_dataset_check_data_dir (data_dir, error))
    return NULL;

  dirs = search_dirs (set, data_dir);
  for (guint i = 0; i < dirs->len; i++)
    {
      g_auto(GStrv) files = find_split (set, dirs->pdata[i], test);
      LlDataset *ds;

      if (files == NULL)
        continue;
      /* Found but unreadable is reported as is: silently falling back to
       * another copy would hide a damaged file from the user. */
      if (set->format == SET_IDX)
        ds = ll_dataset_load_idx (files[0], files[1], error);
      else
        ds = ll_dataset_load_cifar10 ((const char *const *) files, error);
      if (ds == NULL)
        return NULL;
      g_free (ds->name);
      ds->name = g_strdup (set->name);
      g_strfreev (ds->class_names);
      ds->class_names = g_strdupv ((char **) set->class_names);
      name_imported_classes (ds, dirs->pdata[i]);
      return ds;
    }

  set_not_found (set, dirs, test, error);
  return NULL;
}
