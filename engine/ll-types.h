/* ll-types.h: shapes and the error domain shared by the whole engine.
 *
 * The engine is plain C11 on GLib: no GTK, no printing, no exit().
 * Everything a user can cause comes back as a GError in LL_ERROR.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LL_ERROR (ll_error_quark ())

typedef enum {
  LL_ERROR_SHAPE,        /* a layer stack whose shapes do not fit */
  LL_ERROR_INVALID,      /* a parameter or argument out of range */
  LL_ERROR_DATA,         /* a data file that is truncated, foreign or inconsistent */
  LL_ERROR_FORMAT,       /* a model file that is damaged, foreign or too new */
  LL_ERROR_IO,           /* reading or writing a file failed */
  LL_ERROR_MEMORY,       /* a request larger than we are willing to allocate */
  LL_ERROR_DIVERGED,     /* training produced NaN or Inf */
  LL_ERROR_CANCELLED,    /* stopped by the caller */
  LL_ERROR_NOT_FOUND,    /* a data set or file that is not on this machine */
} LlError;

GQuark ll_error_quark (void);

/* Shape of one sample, batch dimension excluded.
 * rank 1: (units)      d[0] = units
 * rank 3: (H, W, C)    channels last, as Keras' default data_format. */
#define LL_MAX_RANK 3
typedef struct {
  int rank;
  int d[LL_MAX_RANK];
} LlShape;

static inline gsize
ll_shape_size (const LlShape *s)
{
  gsize n = 1;
  for (int i = 0; i < s->rank; i++)
    n *= (gsize) s->d[i];
  return n;
}

static inline LlShape
ll_shape_flat (int units)
{
  LlShape s = { 1, { units, 0, 0 } };
  return s;
}

static inline LlShape
ll_shape_image (int h, int w, int c)
{
  LlShape s = { 3, { h, w, c } };
  return s;
}

gboolean ll_shape_equal  (const LlShape *a, const LlShape *b);
/* "(None, 24, 24, 3)" as Keras prints it. Returns a newly allocated string. */
char    *ll_shape_to_string (const LlShape *s);

/* Upper bound on a single allocation the engine agrees to make (bytes). */
#define LL_MAX_ALLOC ((gsize) 8 << 30)

/* Allocates n floats or fails with LL_ERROR_MEMORY naming the amount. */
float   *ll_alloc_floats (gsize n, const char *what, GError **error);

G_END_DECLS
