/* ll-types.c: shapes, the error domain and guarded allocation. */
#include "ll-types.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (ll-error-quark, ll_error)

void
ll_control_cancel (LlControl *control)
{
  g_return_if_fail (control != NULL);
  g_atomic_int_set (&control->cancel, 1);
}

void
ll_control_set_paused (LlControl *control, gboolean paused)
{
  g_return_if_fail (control != NULL);
  g_atomic_int_set (&control->pause, !!paused);
}

gboolean
ll_control_is_cancelled (const LlControl *control)
{
  return control != NULL && g_atomic_int_get (&control->cancel);
}

gboolean
ll_control_is_paused (const LlControl *control)
{
  return control != NULL && g_atomic_int_get (&control->pause);
}

gboolean
ll_control_check (const LlControl *control, GError **error)
{
  if (!ll_control_is_cancelled (control))
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
  return FALSE;
}

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

char *
ll_range_text (double min, gboolean min_open, double max, gboolean max_open)
{
  if (isinf (min) && isinf (max))
    return g_strdup (_("a number"));
  if (isinf (max))
    return g_strdup_printf (min_open ? _("greater than %g") : _("at least %g"), min);
  if (isinf (min))
    return g_strdup_printf (max_open ? _("below %g") : _("at most %g"), max);
  if (min_open && max_open)
    return g_strdup_printf (_("strictly between %g and %g"), min, max);
  if (min_open)
    return g_strdup_printf (_("greater than %g and at most %g"), min, max);
  if (max_open)
    return g_strdup_printf (_("between %g and %g, %g excluded"), min, max, max);
  return g_strdup_printf (_("between %g and %g"), min, max);
}

void
ll_range_form_bounds (double min, gboolean min_open, double max, gboolean max_open,
                      int digits, double *lower, double *upper)
{
  double unit = 1.0;

  for (int i = 0; i < digits; i++)
    unit /= 10.0;
  *lower = MAX (min + (min_open ? unit : 0.0), -LL_FORM_LIMIT);
  *upper = MIN (max - (max_open ? unit : 0.0), LL_FORM_LIMIT);
}

void
ll_append_python_float (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int prec = 1; prec <= 17; prec++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (fabs (g_ascii_strtod (buf, NULL) - v) <= 1e-7 * fabs (v))
        break;
    }
  g_string_append (s, buf);
  /* "1" would be an int in Python. */
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (s, ".0");
}

float *
ll_alloc_floats (gsize n, const char *what, GError **error)
{
  float *p;

  if (n > LL_MAX_ALLOC / sizeof (float))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                   _("%s would need %.1f GiB, more than the %.0f GiB Layerlab allows; "
                   "use a smaller batch size or fewer units"),
                   what, (double) n * sizeof (float) / (1 << 30), (double) (LL_MAX_ALLOC >> 30));
      return NULL;
    }
  p = g_try_malloc0_n (MAX (n, 1), sizeof (float));
  if (p == NULL)
    g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                 _("Out of memory allocating %.1f MiB for %s; use a smaller batch size or model"),
                 (double) n * sizeof (float) / (1 << 20), what);
  return p;
}

char *
ll_shown (const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s != NULL ? s : "", -1);
  GString *out = g_string_new (NULL);
  glong n = 0;

  for (const char *c = valid; *c != '\0' && n < 60; c = g_utf8_next_char (c), n++)
    {
      gunichar u = g_utf8_get_char (c);

      if (u == '\n')
        g_string_append (out, "\\n");
      else if (u == '\t')
        g_string_append (out, "\\t");
      else if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0x2028 || u == 0x2029)
        g_string_append_printf (out, "\\x%02X", (guint) u);
      else
        g_string_append_unichar (out, u);
    }
  if (n == 60 && g_utf8_strlen (valid, -1) > 60)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}
