/* ll-parallel.h: one thread budget for the engine and OpenBLAS.
 *
 * ll_parallel_run splits work that is independent per task (samples of a
 * batch, ranges of rows) over the threads ll_gemm_set_threads chose, the
 * caller being one of them.  OpenBLAS always runs on one thread: large
 * products are split by ll_gemm over these same threads, so the cores are
 * never oversubscribed and no BLAS thread spins while the engine works (a
 * convolution runs its im2col and GEMM per chunk on each core rather than
 * one GEMM on both cores between single-threaded passes).
 *
 * Results depend only on the task index, never on which thread ran it, so
 * they are reproducible for a fixed number of tasks.  A call made while
 * another is running (from a task, or from a second model trained in
 * another thread) runs its tasks one after the other in the caller. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*LlParallelFunc) (int task, int n_tasks, gpointer data);

/* Threads available to ll_parallel_run (ll_gemm_get_threads () is the same
 * figure): as set, else OPENBLAS_NUM_THREADS, else all processors. */
int  ll_parallel_threads (void);
/* Whether an ll_parallel_run made now would use more than one thread (not
 * when the budget is one, nor while another run is in progress): a hint
 * for choosing how to cut work, since it may change at once. */
gboolean ll_parallel_would_split (void);
/* Sets it (ll_gemm_set_threads calls this); 0 leaves it as it is. */
void ll_parallel_set_threads (int n_threads);
/* The most tasks any ll_parallel_run will use (for sizing workspace): the
 * processors of the machine, at most LL_PARALLEL_MAX. */
int  ll_parallel_max_threads (void);
#define LL_PARALLEL_MAX 16

/* Runs fn (i, n_tasks, data) for every i in [0, n_tasks) and returns when
 * all have finished. */
void ll_parallel_run (int n_tasks, LlParallelFunc fn, gpointer data);

G_END_DECLS
