/* fuzz-model-file.c: the .llmodel reader (ll_model_file_from_bytes).
 * Seeds: corpus/model-file/. */
#include "fuzz-util.h"
#include "ll-model-file.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  LlTrainer *t = ll_model_file_from_bytes (bytes, &error);

  if (t == NULL)
    fuzz_check_error (error);
  else
    {
      /* What was read can be written and read again. */
      g_autoptr(GBytes) again = ll_model_file_to_bytes (t, &error);
      LlTrainer *t2 = again != NULL ? ll_model_file_from_bytes (again, &error) : NULL;

      if (t2 == NULL)
        __builtin_trap ();
      ll_trainer_free (t2);
      ll_trainer_free (t);
    }
  return 0;
}
