/* fuzz-arch-json.c: architectures in JSON (ll_arch_from_json), then the
 * memory plan and the summary, which an architecture reaches before any
 * weight is allocated.  Seeds: corpus/arch-json/. */
#include "fuzz-util.h"
#include "ll-arch.h"
#include "ll-memory-plan.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_arch_from_json ((const char *) data, (gssize) size, &error);
  LlMemoryPlan plan;

  if (arch == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  if (ll_memory_plan_arch (arch, NULL, 32, &plan, &error))
    {
      g_autofree char *json = ll_arch_to_json (arch);
      g_autoptr(LlArch) again = ll_arch_from_json (json, -1, NULL);

      g_free (ll_arch_summary (arch, NULL));
      (void) ll_memory_plan_check (&plan, NULL);
      if (again == NULL || !ll_arch_equal (arch, again))
        __builtin_trap ();             /* what is written reads back the same */
    }
  else
    fuzz_check_error (error);
  return 0;
}
