/* ll-parallel.c: a small pool of worker threads sharing the engine's one
 * thread budget with OpenBLAS (see ll-parallel.h).
 *
 * pthread primitives rather than GMutex: ThreadSanitizer sees them. */
#include "ll-parallel.h"

#include <pthread.h>
#include <stdlib.h>

static int budget;                   /* 0: not set: OPENBLAS_NUM_THREADS, else all processors */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int n_workers;                /* started so far; they never end */
static gboolean busy;                /* a run is in progress */
static guint64 generation;           /* bumped per run */
static LlParallelFunc job_fn;
static gpointer job_data;
static int job_tasks, job_next, job_running;

int
ll_parallel_max_threads (void)
{
  /* Read once: g_get_num_processors opens and reads a file under /sys
   * every time (glibc's get_nprocs), and every op asks. */
  static int max_threads;
  int n = __atomic_load_n (&max_threads, __ATOMIC_RELAXED);

  if (n <= 0)
    {
      n = CLAMP ((int) g_get_num_processors (), 1, LL_PARALLEL_MAX);
      __atomic_store_n (&max_threads, n, __ATOMIC_RELAXED);
    }
  return n;
}

int
ll_parallel_threads (void)
{
  int n = __atomic_load_n (&budget, __ATOMIC_RELAXED);

  if (n <= 0)
    {
      /* As OpenBLAS did before it handed its threads to the engine. */
      const char *env = g_getenv ("OPENBLAS_NUM_THREADS");
      n = env != NULL ? atoi (env) : 0;
      n = n > 0 ? n : ll_parallel_max_threads ();
      __atomic_store_n (&budget, n, __ATOMIC_RELAXED);
    }
  return MIN (n, ll_parallel_max_threads ());
}

gboolean
ll_parallel_would_split (void)
{
  return ll_parallel_threads () > 1 && !__atomic_load_n (&busy, __ATOMIC_RELAXED);
}

void
ll_parallel_set_threads (int n_threads)
{
  if (n_threads > 0)
    __atomic_store_n (&budget, n_threads, __ATOMIC_RELAXED);
}

/* Takes tasks of the current run until none is left; called with lock held. */
static void
take_tasks (void)
{
  while (job_next < job_tasks)
    {
      int i = job_next++;
      LlParallelFunc fn = job_fn;
      gpointer data = job_data;
      int n = job_tasks;

      job_running++;
      pthread_mutex_unlock (&lock);
      fn (i, n, data);
      pthread_mutex_lock (&lock);
      if (--job_running == 0 && job_next >= job_tasks)
        pthread_cond_broadcast (&done);
    }
}

static void *
worker (void *unused)
{
  guint64 seen = 0;

  pthread_mutex_lock (&lock);
  for (;;)
    {
      while (generation == seen)
        pthread_cond_wait (&wake, &lock);
      seen = generation;
      take_tasks ();
    }
  return NULL;
}

void
ll_parallel_run (int n_tasks, LlParallelFunc fn, gpointer data)
{
  int threads = MIN (ll_parallel_threads (), n_tasks);

  if (n_tasks <= 0)
    return;
  pthread_mutex_lock (&lock);
  if (threads <= 1 || busy)
    {
      pthread_mutex_unlock (&lock);
      for (int i = 0; i < n_tasks; i++)
        fn (i, n_tasks, data);
      return;
    }
  while (n_workers < threads - 1)
    {
      pthread_t id;
      if (pthread_create (&id, NULL, worker, NULL) != 0)
        break;
      pthread_detach (id);
      n_workers++;
    }
  __atomic_store_n (&busy, TRUE, __ATOMIC_RELAXED);
  job_fn = fn;
  job_data = data;
  job_tasks = n_tasks;
  job_next = 0;
  job_running = 0;
  generation++;
  pthread_mutex_unlock (&lock);

  pthread_mutex_lock (&lock);
  pthread_cond_broadcast (&wake);
  take_tasks ();
  while (job_running > 0 || job_next < job_tasks)
    pthread_cond_wait (&done, &lock);
  __atomic_store_n (&busy, FALSE, __ATOMIC_RELAXED);
  job_fn = NULL;
  job_data = NULL;
  pthread_mutex_unlock (&lock);
}
