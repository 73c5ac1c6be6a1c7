/* ll-test-util.c: shared data and temporary files for tests and benchmarks. */
#include "ll-test-util.h"
#include "ll-rng.h"
#include "ll-presets.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

const char *
ll_test_shared_data (void)
{
  static char *dir = NULL;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("LL_SHARED_DATA");
      if (env != NULL && g_file_test (env, G_FILE_TEST_IS_DIR))
        dir = g_canonicalize_filename (env, NULL);
      g_once_init_leave (&once, 1);
    }
  return dir;
}

void
ll_test_use_data_dir (const char *dir)
{
  if (dir == NULL)
    dir = g_getenv ("LL_SHARED_DATA");
  if (dir != NULL)
    g_setenv ("LAYERLAB_DATA_DIR", dir, TRUE);
  else
    g_unsetenv ("LAYERLAB_DATA_DIR");
}

char *
ll_test_shared_file (const char *relative)
{
  const char *dir = ll_test_shared_data ();
  g_autofree char *path = NULL;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&path);
}

LlDataset *
ll_test_synthetic (int n, int h, int w, int c, int n_classes, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  LlDataset *ds = ll_dataset_new ("synthetic", n, h, w, c, n_classes, &error);
  LlRng rng;
  gsize sample = (gsize) h * w * c;

  g_assert_no_error (error);
  ll_rng_seed (&rng, seed);
  /* Each class lights a different band of pixels, plus noise: learnable
   * by a linear model, not trivially. */
  for (int i = 0; i < n; i++)
    {
      int label = (int) ll_rng_below (&rng, (guint32) n_classes);
      guint8 *img = ds->images + (gsize) i * sample;
      ds->labels[i] = (guint8) label;
      for (gsize p = 0; p < sample; p++)
        {
          double v = 40.0 * ll_rng_uniform (&rng);
          if ((int) (p * n_classes / sample) == label)
            v += 120.0 + 60.0 * ll_rng_uniform (&rng);
          img[p] = (guint8) MIN (255.0, v);
        }
    }
  return ds;
}

LlDataset *
ll_test_mnist (gboolean test, int n_synthetic)
{
  g_autofree char *images = ll_test_shared_file (test ? "mnist/t10k-images-idx3-ubyte.gz"
                                                      : "mnist/train-images-idx3-ubyte.gz");
  g_autofree char *labels = ll_test_shared_file (test ? "mnist/t10k-labels-idx1-ubyte.gz"
                                                      : "mnist/train-labels-idx1-ubyte.gz");
  if (images != NULL && labels != NULL)
    {
      g_autoptr(GError) error = NULL;
      LlDataset *ds = ll_dataset_load_idx (images, labels, &error);
      g_assert_no_error (error);
      return ds;
    }
  return ll_test_synthetic (n_synthetic, 28, 28, 1, 10, test ? 2 : 1);
}

char *
ll_test_copy_source_file (const char *dir, const char *rel, const char *name)
{
  g_autofree char *src = g_build_filename (g_getenv ("LL_SOURCE_ROOT"), rel, NULL);
  g_autofree char *contents = NULL;
  char *dst = g_build_filename (dir, name, NULL);
  gsize len = 0;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
  return dst;
}

char *
ll_test_write_temp (const char *name, const void *data, gsize len)
{
  static char *dir = NULL;
  g_autoptr(GError) error = NULL;
  char *path;

  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("layerlab-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

void
ll_test_fill_uniform (float *v, gsize n, double lo, double hi, guint64 seed)
{
  LlRng rng;
  ll_rng_seed (&rng, seed);
  for (gsize i = 0; i < n; i++)
    v[i] = (float) (lo + (hi - lo) * ll_rng_uniform (&rng));
}

gboolean
ll_test_process_running (const char *arg1, const char *arg2)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *file = NULL, *cmdline = NULL;
      gboolean has1 = FALSE, has2 = FALSE;
      gsize len = 0;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      file = g_build_filename ("/proc", entry, "cmdline", NULL);
      /* A zombie's command line is empty: it no longer runs. */
      if (!g_file_get_contents (file, &cmdline, &len, NULL))
        continue;
      for (gsize i = 0; i < len; i += strlen (cmdline + i) + 1)
        {
          has1 |= strcmp (cmdline + i, arg1) == 0;
          has2 |= strcmp (cmdline + i, arg2) == 0;
        }
      if (has1 && has2)
        return TRUE;
    }
  return FALSE;
}

void
ll_test_remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ll_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
ll_test_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  int n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

LlArch *
ll_test_arch (const char *text)
{
  g_autoptr(GError) error = NULL;
  LlArch *arch = ll_arch_from_text (text, &error);

  g_assert_no_error (error);
  return arch;
}

LlModel *
ll_test_preset_model (const char *name, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_preset_build (name, NULL, &error);
  LlModel *model;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, seed);
  return model;
}

void
ll_test_randomize_bn (LlModel *model, guint64 seed)
{
  const LlArch *arch = ll_model_get_arch (model);

  for (int i = 1; i < ll_model_n_layers (model); i++)
    {
      LlWeightView v[LL_MAX_WEIGHTS];
      int n;

      if (ll_arch_layer (arch, i)->type != &ll_layer_batch_normalization)
        continue;
      n = ll_model_layer_weights (model, i, v);
      for (int j = 0; j < n; j++)
        {
          gsize size = ll_weight_info_size (v[j].info);
          const char *name = v[j].info->name;
          guint64 s = seed + 10 * (guint64) i + (guint64) j;

          if (strcmp (name, "gamma") == 0)
            ll_test_fill_uniform (v[j].data, size, 0.5, 1.5, s);
          else if (strcmp (name, "beta") == 0 || strcmp (name, "moving_mean") == 0)
            ll_test_fill_uniform (v[j].data, size, -0.3, 0.3, s);
          else
            ll_test_fill_uniform (v[j].data, size, 0.5, 2.0, s);   /* moving_variance */
        }
    }
}

void
ll_test_write_png (const char *path, int w, int h, guint32 rgba)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, w, h);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pb, rgba);
  g_assert_true (gdk_pixbuf_save (pb, path, "png", &error, NULL));
  g_assert_no_error (error);
}

char *
ll_test_make_image_folder (const char *root, const char *name, const char *const *classes,
             const guint32 *colours, int n)
{
  char *dir = g_build_filename (root, name, NULL);

  for (int k = 0; classes[k] != NULL; k++)
    {
      g_autofree char *sub = g_build_filename (dir, classes[k], NULL);
      g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *file = g_strdup_printf ("%02d.png", i);
          g_autofree char *path = g_build_filename (sub, file, NULL);
          ll_test_write_png (path, 12 + 37 * i, 90 - 11 * (i % 6), colours[k]);
        }
    }
  return dir;
}
