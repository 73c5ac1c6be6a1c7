/* fuzz-import-keras-h5.c: libFuzzer target for the Keras legacy HDF5 importer
 * (ll_import_keras_h5): any bytes give a trainer or a one-line error, never a crash,
 * a leak or an allocation beyond what the bytes declare and hold.
 * Seeds: tests/fuzz/corpus/import-keras-h5/.  Build and run: tests/fuzz/README.md. */
#include "ll-import.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *bytes = g_bytes_new (data, size);
  GError *error = NULL;
  LlTrainer *t = ll_import_keras_h5 (bytes, &error);

  if (t == NULL && (error == NULL || strchr (error->message, '\n') != NULL))
    __builtin_trap ();               /* every failure is one line */
  if (t != NULL)
    ll_trainer_free (t);
  g_clear_error (&error);
  g_bytes_unref (bytes);
  return 0;
}
