/* ll-dataset-import.c: a user's own pictures as a data set (see
 * ll-dataset-import.h).  Images are converted to the channel count first
 * and resized as floats, then stored as uint8 like every other set. */
#include "ll-dataset-import.h"

#include "ll-digit.h"
#include "ll-image.h"
#include "ll-rng.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#define MAX_SIDE 4096
#define MAX_CLASSES_FILE 10

/* RGBA → c floats per pixel in [0, 1], alpha composited over black. */
static void
rgba_to_float (const LlImportImage *im, int c, float *out)
{
  for (int y = 0; y < im->height; y++)
    {
      const guint8 *row = im->rgba + (gsize) y * im->stride;
      for (int x = 0; x < im->width; x++)
        {
          const guint8 *p = row + 4 * x;
          float a = p[3] / 255.0f;
          float r = p[0] / 255.0f * a, g = p[1] / 255.0f * a, b = p[2] / 255.0f * a;
          float *o = out + ((gsize) y * im->width + x) * c;
          if (c == 1)
            o[0] = 0.299f * r + 0.587f * g + 0.114f * b;
          else
            {
              o[0] = r;
              o[1] = g;
              o[2] = b;
            }
        }
    }
}

LlDataset *
ll_dataset_import (const LlImportImage *images, int n, const char *const *class_names,
                   int height, int width, int channels, GError **error)
{
  g_autoptr(LlDataset) ds = NULL;
  g_autofree float *dst = NULL;
  int n_classes;
  gsize sample;

  g_return_val_if_fail (images != NULL || n == 0, NULL);
  g_return_val_if_fail (class_names != NULL, NULL);

  n_classes = (int) g_strv_length ((char **) class_names);
  if (channels != 1 && channels != 3)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%d channels asked for; choose 1 (grayscale) or 3 (colour)"), channels);
      return NULL;
    }
  if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("size %d×%d is out of range; choose sides from 1 to %d"), height, width, MAX_SIDE);
      return NULL;
    }
  if (n < 1 || n_classes < 2 || n_classes > 255)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%d images in %d classes; a data set needs images in 2 to 255 classes "
                   "(one sub-folder per class)"), n, n_classes);
      return NULL;
    }
  if (!(ds = ll_dataset_new ("imported", n, height, width, channels, n_classes, error)))
    return NULL;
  g_strfreev (ds->class_names);
  ds->class_names = g_strdupv ((char **) class_names);

  sample = (gsize) height * width * channels;
  dst = g_new (float, sample);
  for (int i = 0; i < n; i++)
    {
      const LlImportImage *im = &images[i];
      g_autofree float *src = NULL;

      if (im->rgba == NULL || im->width < 1 || im->height < 1 || im->width > MAX_SIDE
          || im->height > MAX_SIDE || im->stride < 4 * im->width)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("image %d is empty or larger than %d pixels a side; remove or shrink it"),
                       i, MAX_SIDE);
          return NULL;
        }
      if (im->label < 0 || im->label >= n_classes)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("image %d has class %d; classes are 0 to %d"), i, im->label, n_classes - 1);
          return NULL;
        }
      src = g_new (float, (gsize) im->width * im->height * channels);
      rgba_to_float (im, channels, src);
      ll_image_resize (src, im->width, im->height, channels, dst, width, height);
      for (gsize k = 0; k < sample; k++)
        ds->images[(gsize) i * sample + k] = (guint8) lrintf (CLAMP (dst[k], 0.0f, 1.0f) * 255.0f);
      ds->labels[i] = (guint8) im->label;
    }
  return g_steal_pointer (&ds);
}

static LlDataset *
gather (const LlDataset *ds, const guint32 *idx, int count, GError **error)
{
  gsize sample = ll_dataset_sample_size (ds);
  LlDataset *out = ll_dataset_new (ds->name, count, ds->height, ds->width, ds->channels,
                                   ds->n_classes, error);

  if (out == NULL)
    return NULL;
  g_strfreev (out->class_names);
  out->class_names = g_strdupv (ds->class_names);
  for (int i = 0; i < count; i++)
    {
      memcpy (out->images + (gsize) i * sample, ds->images + (gsize) idx[i] * sample, sample);
      out->labels[i] = ds->labels[idx[i]];
    }
  return out;
}

gboolean
ll_dataset_split (const LlDataset *ds, double test_fraction, guint64 seed,
                  LlDataset **train, LlDataset **test, GError **error)
{
  g_autofree guint32 *order = NULL, *train_idx = NULL, *test_idx = NULL;
  g_autofree int *per_class = NULL, *test_quota = NULL;
  int n_train = 0, n_test = 0;
  LlRng rng;

  g_return_val_if_fail (ds != NULL && train != NULL && test != NULL, FALSE);
  if (!(test_fraction >= 0.0 && test_fraction < 1.0))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("test fraction %g is out of range; choose 0 to 0.9"), test_fraction);
      return FALSE;
    }
  order = g_new (guint32, ds->n);
  for (int i = 0; i < ds->n; i++)
    order[i] = (guint32) i;
  ll_rng_seed (&rng, seed);
  ll_rng_shuffle (&rng, order, (gsize) ds->n);

  /* Per class, so that every class is in both sets. */
  per_class = g_new0 (int, ds->n_classes);
  test_quota = g_new0 (int, ds->n_classes);
  for (int i = 0; i < ds->n; i++)
    per_class[ds->labels[i]]++;
  for (int k = 0; k < ds->n_classes; k++)
    {
      test_quota[k] = (int) lround (per_class[k] * test_fraction);
      if (test_fraction > 0 && test_quota[k] == 0 && per_class[k] >= 2)
        test_quota[k] = 1;
    }
  train_idx = g_new (guint32, ds->n);
  test_idx = g_new (guint32, ds->n);
  for (int i = 0; i < ds->n; i++)
    {
      int k = ds->labels[order[i]];
      if (test_quota[k] > 0)
        {
          test_quota[k]--;
          test_idx[n_test++] = order[i];
        }
      else
        train_idx[n_train++] = order[i];
    }
  if (n_train == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("no images left for training; lower the test fraction or add images"));
      return FALSE;
    }
  *train = gather (ds, train_idx, n_train, error);
  if (*train == NULL)
    return FALSE;
  /* ll_dataset_new refuses 0 images: an empty test set is a 1-image slice cut to 0. */
  *test = gather (ds, n_test > 0 ? test_idx : train_idx, MAX (n_test, 1), error);
  if (*test == NULL)
    {
      g_clear_pointer (train, ll_dataset_free);
      return FALSE;
    }
  (*test)->n = n_test;
  return TRUE;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static gboolean
write_file (const char *dir, const char *name, const void *head, gsize head_len,
            const guint8 *body, gsize body_len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *all = g_malloc (head_len + body_len + 1);

  memcpy (all, head, head_len);
  if (body_len > 0)
    memcpy (all + head_len, body, body_len);
  return g_file_set_contents (path, (const char *) all, (gssize) (head_len + body_len), error);
}

static gboolean
write_idx (const LlDataset *ds, const char *dir, const char *images, const char *labels,
           GError **error)
{
  guint8 ih[16], lh[8];

  put_be32 (ih, 0x00000803u);
  put_be32 (ih + 4, (guint32) ds->n);
  put_be32 (ih + 8, (guint32) ds->height);
  put_be32 (ih + 12, (guint32) ds->width);
  put_be32 (lh, 0x00000801u);
  put_be32 (lh + 4, (guint32) ds->n);
  return write_file (dir, images, ih, sizeof ih, ds->images, (gsize) ds->n * ll_dataset_sample_size (ds), error)
         && write_file (dir, labels, lh, sizeof lh, ds->labels, (gsize) ds->n, error);
}

/* CIFAR-10 records: a label byte, then the R, G and B planes. */
static gboolean
write_cifar (const LlDataset *ds, const char *dir, const char *name, GError **error)
{
  const gsize plane = 32 * 32, rec = 1 + 3 * plane;
  g_autofree guint8 *buf = g_malloc0 (MAX ((gsize) ds->n * rec, 1));

  for (int i = 0; i < ds->n; i++)
    {
      guint8 *r = buf + (gsize) i * rec;
      const guint8 *img = ds->images + (gsize) i * 3 * plane;
      r[0] = ds->labels[i];
      for (gsize p = 0; p < plane; p++)
        for (int c = 0; c < 3; c++)
          r[1 + c * plane + p] = img[p * 3 + c];
    }
  return write_file (dir, name, "", 0, buf, (gsize) ds->n * rec, error);
}

gboolean
ll_dataset_write_dir (const LlDataset *train, const LlDataset *test, const char *dir,
                      GError **error)
{
  g_autoptr(GString) classes = g_string_new (NULL);

  g_return_val_if_fail (train != NULL && test != NULL && dir != NULL, FALSE);

  if (train->n_classes > MAX_CLASSES_FILE)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%d classes; the MNIST and CIFAR-10 files hold at most %d: merge some sub-folders"),
                   train->n_classes, MAX_CLASSES_FILE);
      return FALSE;
    }
  if (!(train->channels == 1 || (train->channels == 3 && train->height == 32 && train->width == 32)))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("%d×%d×%d cannot be written as MNIST or CIFAR-10 files; choose "
                   "a size H×W×1 (as MNIST) or 32×32×3 (as CIFAR-10)"),
                   train->height, train->width, train->channels);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, LL_ERROR, LL_ERROR_IO, _("cannot create the folder “%s”: %s; choose another"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  for (int k = 0; k < train->n_classes; k++)
    g_string_append_printf (classes, "%s\n", train->class_names[k]);
  if (!write_file (dir, "classes.txt", classes->str, classes->len, NULL, 0, error))
    return FALSE;
  if (train->channels == 1)
    return write_idx (train, dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", error)
           && write_idx (test, dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", error);
  return write_cifar (train, dir, "data_batch_1.bin", error)
         && write_cifar (test, dir, "test_batch.bin", error);
}
