/* fuzz-idx.c: IDX image and label files, plain or gzip
 * (ll_dataset_load_idx).  The first byte's low bit chooses an image file
 * alone, read both as a data set and as predict reads it (into floats,
 * ll_dataset_load_idx_floats), or an image and a label file (the input
 * split at its middle).  Seeds: corpus/idx/. */
#include "fuzz-util.h"
#include "ll-dataset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = NULL;
  g_autofree char *images = NULL, *labels = NULL;

  if (size < 1)
    return 0;
  if ((data[0] & 1) == 0)
    images = fuzz_write ("images", data + 1, size - 1);
  else
    {
      size_t half = (size - 1) / 2;
      images = fuzz_write ("images", data + 1, half);
      labels = fuzz_write ("labels", data + 1 + half, size - 1 - half);
    }
  ds = ll_dataset_load_idx (images, labels, &error);
  if (ds == NULL)
    fuzz_check_error (error);
  if (labels == NULL)
    {
      g_autoptr(GError) float_error = NULL;
      int n = 0;
      g_autofree float *x = ll_dataset_load_idx_floats (images, 0, &n, NULL, NULL, &float_error);
      /* The same file, the same verdict. */
      if ((x == NULL) != (ds == NULL))
        __builtin_trap ();
      if (x == NULL)
        fuzz_check_error (float_error);
    }
  return 0;
}
