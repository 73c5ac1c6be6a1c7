/* ll-surface.h: toy loss surfaces over two parameters for the optimizer
 * playground, and the race that sends all nine optimizers down one of them.
 *
 * Gradients are exact: written out by hand for the built-in surfaces, and
 * computed by forward-mode automatic differentiation (dual numbers) for a
 * surface the user types as an expression in x and y.  The race updates
 * its points with ll_optim_step(), the same code that trains models. */
#pragma once

#include <glib.h>

#include "ll-optim.h"

G_BEGIN_DECLS

typedef enum {
  LL_SURFACE_BOWL,        /* ill-conditioned quadratic (x² + 10y²) / 2 */
  LL_SURFACE_ROSENBROCK,
  LL_SURFACE_BEALE,
  LL_SURFACE_HIMMELBLAU,
  LL_SURFACE_SADDLE,      /* x² − y² */
  LL_SURFACE_RASTRIGIN,
  LL_SURFACE_EXPRESSION,  /* typed by the user */
  LL_SURFACE_GRID,        /* sampled values (a model's loss landscape) */
  LL_N_SURFACES
} LlSurfaceKind;

/* Longest expression text and deepest nesting the parser accepts. */
#define LL_SURFACE_MAX_EXPRESSION 256
#define LL_SURFACE_MAX_DEPTH      48

typedef struct _LlSurface LlSurface;

/* A built-in surface (not LL_SURFACE_EXPRESSION). */
LlSurface    *ll_surface_new            (LlSurfaceKind kind);
/* Parses text (e.g. "sin(x) * cos(y) + (x^2 + y^2) / 10"); on a mistake
 * returns NULL with LL_ERROR_INVALID naming the column. */
LlSurface    *ll_surface_new_expression (const char *text, GError **error);
/* Values sampled on an n × n grid over [-span, span]² (element [j * n + i]
 * at x = -span + 2 span i / (n - 1), y likewise with j), interpolated
 * bilinearly; the gradient is that of the interpolant.  Copies values.
 * The start point is the centre, the minimum the lowest sample. */
LlSurface    *ll_surface_new_grid       (const char   *name,
                                         const double *values,
                                         int           n,
                                         double        span);
LlSurface    *ll_surface_ref            (LlSurface *surface);
void          ll_surface_unref          (LlSurface *surface);

LlSurfaceKind ll_surface_get_kind       (const LlSurface *surface);
/* "Rosenbrock", ... or the expression text. */
const char   *ll_surface_get_name       (const LlSurface *surface);
/* Name of a built-in kind, for menus. */
const char   *ll_surface_kind_name      (LlSurfaceKind kind);

/* Value at (x, y); when dx/dy are not NULL, the gradient too. */
double        ll_surface_eval           (const LlSurface *surface,
                                         double           x,
                                         double           y,
                                         double          *dx,
                                         double          *dy);

/* Default view rectangle. */
void          ll_surface_get_view       (const LlSurface *surface,
                                         double          *x_min,
                                         double          *x_max,
                                         double          *y_min,
                                         double          *y_max);
/* Known minima as (x, y) pairs; returns how many (0 for the saddle).  For
 * an expression, the lowest point of the view when it lies inside it. */
guint         ll_surface_get_minima     (const LlSurface *surface,
                                         const double   **xy);
/* The classic start point. */
void          ll_surface_get_start      (const LlSurface *surface,
                                         double          *x,
                                         double          *y);
/* TRUE when iso-lines read better log-spaced (Rosenbrock, Beale, ...). */
gboolean      ll_surface_prefers_log_levels (const LlSurface *surface);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlSurface, ll_surface_unref)

/* ---- The race: nine optimizers from one start point. ---- */

#define LL_RACE_N_ENTRIES 9

typedef struct _LlRace LlRace;

/* "SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam",
 * "Adamax", "Nadam". */
const char   *ll_race_entry_name        (guint entry);
LlOptimKind   ll_race_entry_kind        (guint entry);
/* Does the entry fix the hyperparameter (plain SGD's momentum at 0, the
 * Nesterov flag of the three SGD entries)?  The playground offers the
 * others of the entry's optimizer (ll_optim_info). */
gboolean      ll_race_entry_fixes       (guint   entry,
                                         LlHyper hyper);
/* Keras defaults with a learning rate that suits the surface. */
LlOptimConfig ll_race_default_config    (LlSurfaceKind kind,
                                         guint         entry);

/* Keeps a reference to surface; room for max_steps updates per entry.
 * Starts at the surface's classic start point with default configs. */
LlRace       *ll_race_new               (LlSurface *surface,
                                         guint      max_steps);
void          ll_race_free              (LlRace *race);

LlSurface    *ll_race_get_surface       (LlRace *race);
/* Moves the start point and resets every path. */
void          ll_race_set_start         (LlRace *race,
                                         double  x,
                                         double  y);
void          ll_race_get_start         (LlRace *race,
                                         double *x,
                                         double *y);
/* Back to step 0 with fresh optimizer state. */
void          ll_race_reset             (LlRace *race);
const LlOptimConfig *ll_race_get_config (LlRace *race,
                                         guint   entry);
/* Validates cfg, then resets the race so all paths stay comparable. */
gboolean      ll_race_set_config        (LlRace              *race,
                                         guint                entry,
                                         const LlOptimConfig *cfg,
                                         GError             **error);
/* Distance to a minimum that counts as arrived (default 1e-2 of the
 * view's diagonal). */
void          ll_race_set_tolerance     (LlRace *race,
                                         double  tolerance);
double        ll_race_get_tolerance     (LlRace *race);

/* One update of every entry; FALSE when max_steps is reached. */
gboolean      ll_race_step              (LlRace *race);
guint         ll_race_get_n_steps       (LlRace *race);
guint         ll_race_get_max_steps     (LlRace *race);
/* Points as (x, y) float pairs, n_steps + 1 of them unless the entry
 * diverged and stopped earlier. */
const float  *ll_race_get_path          (LlRace *race,
                                         guint   entry,
                                         guint  *n_points);
/* Loss at each point of the path. */
const double *ll_race_get_losses        (LlRace *race,
                                         guint   entry,
                                         guint  *n_points);
/* First step at which the entry was within tolerance of a minimum, or -1. */
int           ll_race_get_steps_to_tolerance (LlRace *race,
                                              guint   entry);
/* TRUE when the entry produced a non-finite or runaway point and stopped. */
gboolean      ll_race_entry_diverged    (LlRace *race,
                                         guint   entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LlRace, ll_race_free)

G_END_DECLS
