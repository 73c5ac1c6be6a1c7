/* fuzz-picture.c: the one picture decoder (core/ll-picture.c: PNG, JPEG
 * and what gdk-pixbuf reads, with the size caps) as predict uses it.
 * gdk-pixbuf's loaders are not instrumented: only what Layerlab does with
 * their output is checked.  Seeds: corpus/picture/. */
#include "fuzz-util.h"
#include "ll-picture.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = fuzz_write ("picture", data, size);
  g_autoptr(GError) error = NULL;
  LlShape in = { 3, { 28, 28, 1 } };
  g_autofree float *x = ll_picture_load_input (path, &in, size > 0 && (data[0] & 1), &error);

  if (x == NULL)
    fuzz_check_error (error);
  return 0;
}
