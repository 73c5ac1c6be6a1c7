/* fuzz-classes.c: classes.txt of an imported folder
 * (ll_import_folder_load) beside a small valid IDX split made once.
 * Seeds: corpus/classes/. */
#include "fuzz-util.h"
#include "ll-import-folder.h"

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean made;
  g_autoptr(GError) error = NULL;
  g_autofree char *classes = NULL;
  g_autoptr(LlDataset) ds = NULL;

  if (!made)
    {
      /* 4 images of 2×2, labels 0, 1, 0, 1. */
      guint8 img[16 + 16] = { 0 }, lab[8 + 4] = { 0, 1, 0, 1 };
      const char *names[] = { "train-images-idx3-ubyte", "t10k-images-idx3-ubyte" };
      const char *lnames[] = { "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte" };

      put_be32 (img, 0x803);
      put_be32 (img + 4, 4);
      put_be32 (img + 8, 2);
      put_be32 (img + 12, 2);
      put_be32 (lab, 0x801);
      put_be32 (lab + 4, 4);
      lab[8] = 0; lab[9] = 1; lab[10] = 0; lab[11] = 1;
      for (int i = 0; i < 2; i++)
        {
          g_free (fuzz_write (names[i], img, sizeof img));
          g_free (fuzz_write (lnames[i], lab, sizeof lab));
        }
      made = TRUE;
    }
  classes = fuzz_write ("classes.txt", data, size);
  ds = ll_import_folder_load (fuzz_dir (), FALSE, &error);
  if (ds == NULL)
    fuzz_check_error (error);
  else
    for (int k = 0; k < ds->n_classes; k++)
      if (ds->class_names[k] == NULL || strchr (ds->class_names[k], '\n') != NULL)
        __builtin_trap ();
  return 0;
}
