/* bench-idx-load.c: peak memory (VmHWM) and time of loading an IDX image
 * file as model input, two ways, each in a process of its own:
 *   floats  ll_dataset_load_idx_floats: a chunk at a time into the floats
 *   bytes   ll_dataset_load_idx, then every image scaled into a float copy
 *           (what `layerlab predict` did before)
 *
 *   bench-idx-load [FILE]     (default: Fashion-MNIST's training images
 *                              from the Debian package dataset-fashion-mnist)
 */
#include "ll-dataset.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_FILE "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

/* The process's peak resident memory so far, in KiB. */
static long
peak_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (p = strstr (status, "VmHWM:")) == NULL)
    return -1;
  return strtol (p + 6, NULL, 10);
}

static int
load (const char *mode, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *x = NULL;
  long before = peak_kib ();
  gint64 t0 = g_get_monotonic_time ();
  int n = 0, h = 0, w = 0;

  if (g_str_equal (mode, "floats"))
    x = ll_dataset_load_idx_floats (path, 0, &n, &h, &w, &error);
  else
    {
      g_autoptr(LlDataset) ds = ll_dataset_load_idx (path, NULL, &error);
      if (ds != NULL)
        {
          g_autofree guint32 *idx = g_new (guint32, ds->n);
          for (int i = 0; i < ds->n; i++)
            idx[i] = (guint32) i;
          x = g_new (float, (gsize) ds->n * ll_dataset_sample_size (ds));
          ll_dataset_fill_batch (ds, idx, ds->n, x, NULL);
          n = ds->n, h = ds->height, w = ds->width;
        }
    }
  if (x == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("%-6s %d images of %dx%d (%.1f MB of floats): %.2f s, peak RSS %.1f MB "
          "(%.1f MB before loading)\n",
          mode, n, h, w, (double) n * h * w * sizeof (float) / 1e6,
          (g_get_monotonic_time () - t0) / 1e6, peak_kib () * 1024 / 1e6, before * 1024 / 1e6);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : DEFAULT_FILE;
  const char *modes[] = { "floats", "bytes" };
  int status = 0;

  if (argc > 2)
    return load (argv[2], path);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      printf ("%s not found: install dataset-fashion-mnist or name an IDX image file\n", path);
      return 0;
    }
  /* One process per way, so that each peak is its own. */
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      const char *child[] = { argv[0], path, modes[i], NULL };
      g_autoptr(GError) error = NULL;
      int wait_status = 0;

      if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &wait_status, &error)
          || !g_spawn_check_wait_status (wait_status, &error))
        {
          fprintf (stderr, "%s: %s\n", modes[i], error->message);
          status = 1;
        }
    }
  return status;
}
