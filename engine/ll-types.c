/* ll-types.c: shapes, the error domain and guarded allocation. */
#include "ll-types.h"

G_DEFINE_QUARK (ll-error-quark, ll_error)

gboolean
ll_shape_equal (const LlShape *a, const LlShape *b)
{
  if (a->rank != b->rank)
    return FALSE;
  for (int i = 0; i < a->rank; i++)
    if (a->d[i] != b->d[i])
      return FALSE;
  return TRUE;
}

char *
ll_shape_to_string (const LlShape *s)
{
  GString *str = g_string_new ("(None");
  for (int i = 0; i < s->rank; i++)
    g_string_append_printf (str, ", %d", s->d[i]);
  g_string_append_c (str, ')');
  return g_string_free (str, FALSE);
}

float *
ll_alloc_floats (gsize n, const char *what, GError **error)
{
  float *p;

  if (n > LL_MAX_ALLOC / sizeof (float))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   "%s would need %.1f GiB, more than the %.0f GiB Layerlab allows; "
                   "use a smaller batch size or fewer units",
                   what, (double) n * sizeof (float) / (1 << 30), (double) (LL_MAX_ALLOC >> 30));
      return NULL;
    }
  p = g_try_malloc0_n (MAX (n, 1), sizeof (float));
  if (p == NULL)
    g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                 "Out of memory allocating %.1f MiB for %s; use a smaller batch size or model",
                 (double) n * sizeof (float) / (1 << 20), what);
  return p;
}
