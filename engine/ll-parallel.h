/* ll-parallel.h: one thread budget for the engine and OpenBLAS.
 *
 * ll_parallel_run splits work that is independent per task (samples of a
 * batch, ranges of rows) over the threads ll_gemm_set_threads chose, the
 * caller being one of them.  While the tasks run OpenBLAS is held at one
 * thread, so the cores are never oversubscribed: a convolution runs its
 * im2col and GEMM per chunk on each core rather than one GEMM on both
 * cores between single-threaded passes.
 *
 * Results depend only on the task index, never on which thread ran it, so
 * they are reproducible for a fixed number of tasks.  A call made while
 * another is running (from a task, or from a second model trained in
 * another thread) runs its tasks one after the other in the caller. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*LlParallelFunc) (int task, int n_tasks, gpointer data);

/* Threads available to ll_parallel_run: ll_gemm_get_threads (), at least 1. */
int  ll_parallel_threads (void);
/* The most tasks any ll_parallel_run will use (for sizing workspace): the
 * processors of the machine, at most LL_PARALLEL_MAX. */
int  ll_parallel_max_threads (void);
#define LL_PARALLEL_MAX 16

/* Runs fn (i, n_tasks, data) for every i in [0, n_tasks) and returns when
 * all have finished. */
void ll_parallel_run (int n_tasks, LlParallelFunc fn, gpointer data);

G_END_DECLS
