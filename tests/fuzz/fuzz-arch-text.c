/* fuzz-arch-text.c: the text form of architectures (ll_arch_from_text).
 * Seeds: corpus/arch-text/. */
#include "fuzz-util.h"
#include "ll-arch.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_arch_from_text (text, &error);

  if (arch == NULL)
    fuzz_check_error (error);
  return 0;
}
