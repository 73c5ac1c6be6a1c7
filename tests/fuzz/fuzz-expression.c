/* fuzz-expression.c: the Optimizers view's expression parser
 * (ll_surface_new_expression), then a few evaluations.
 * Seeds: corpus/expression/. */
#include "fuzz-util.h"
#include "ll-surface.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  LlSurface *s = ll_surface_new_expression (text, &error);
  double dx, dy;

  if (s == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  for (int i = -2; i <= 2; i++)
    (void) ll_surface_eval (s, i * 0.7, -i * 1.3, &dx, &dy);
  ll_surface_unref (s);
  return 0;
}
