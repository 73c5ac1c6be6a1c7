/* ll-mutex.h: GMutex as ThreadSanitizer sees it.  On Linux GLib builds
 * GMutex on futexes inside uninstrumented code, so TSan would see no order
 * between two threads' critical sections and report races that cannot
 * happen; these wrappers tell it.  Elsewhere they are g_mutex_lock and
 * g_mutex_unlock. */
#pragma once

#include <glib.h>

#if defined (__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define LL_TSAN_ACQUIRE(p) __tsan_acquire (p)
#define LL_TSAN_RELEASE(p) __tsan_release (p)
#else
#define LL_TSAN_ACQUIRE(p) ((void) (p))
#define LL_TSAN_RELEASE(p) ((void) (p))
#endif

static inline void
ll_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  LL_TSAN_ACQUIRE (mutex);
}

static inline void
ll_mutex_unlock (GMutex *mutex)
{
  LL_TSAN_RELEASE (mutex);
  g_mutex_unlock (mutex);
}
