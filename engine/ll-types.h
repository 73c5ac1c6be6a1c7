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
  LL_ERROR_NOT_FOUND,    /* a data set or file that is not on this machine */
} LlError;

GQuark ll_error_quark (void);

/* The engine's one way to stop long work from another thread.  Every call
 * that may run long (ll_trainer_fit, the evaluation and prediction passes
 * over a data set, the confusion matrix, the loss landscape, the
 * learning-rate range test) takes a nullable LlControl * and reads it
 * between batches, so a cancel costs at most one batch of work.  A call
 * stopped this way fails with G_IO_ERROR_CANCELLED: GLib's own
 * "cancelled", the code GCancellable and GTask report too, so that every
 * caller tests one code. */
typedef struct {
  gint cancel;           /* set by ll_control_cancel (), never cleared */
  gint pause;            /* ll_trainer_fit waits between batches while set */
} LlControl;

/* Both may be called from any thread. */
void     ll_control_cancel       (LlControl *control);
void     ll_control_set_paused   (LlControl *control, gboolean paused);
/* FALSE for a NULL control. */
gboolean ll_control_is_cancelled (const LlControl *control);
gboolean ll_control_is_paused    (const LlControl *control);
/* TRUE to go on; FALSE with G_IO_ERROR_CANCELLED once cancelled. */
gboolean ll_control_check        (const LlControl *control, GError **error);

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

/* A range in words, for messages: "between 0 and 1", "between 0 and 1,
 * 1 excluded", "greater than 0 and at most 10", "strictly between 0 and 1". */
char    *ll_range_text (double min, gboolean min_open, double max, gboolean max_open);
/* A form's spin-button bounds for that range: an open end moved inwards
 * by one unit of the last of `digits` decimals, an unbounded one (or one
 * beyond) at ±LL_FORM_LIMIT, since a spin button needs a number. */
#define LL_FORM_LIMIT 1e6
void     ll_range_form_bounds (double min, gboolean min_open, double max, gboolean max_open,
                               int digits, double *lower, double *upper);

/* A Python float literal, as short as float precision allows (0.2 reads
 * 0.2 even after a trip through a float), with ".0" where Python would
 * read an integer.  C locale. */
void     ll_append_python_float (GString *s, double v);

/* Upper bound on a single allocation the engine agrees to make (bytes). */
#define LL_MAX_ALLOC ((gsize) 8 << 30)

/* Allocates n floats or fails with LL_ERROR_MEMORY naming the amount. */
float   *ll_alloc_floats (gsize n, const char *what, GError **error);

/* A string from a file as an error message shows it: on one line (control
 * characters written as \n, \t or \xNN), valid UTF-8, at most 60
 * characters (then "…").  (transfer full) */
char *ll_shown (const char *s);

G_END_DECLS
