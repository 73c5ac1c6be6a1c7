/* ll-model-reader.c: model files a user names, Keras ones read in a
 * child process with a time and a memory limit (ll-model-reader.h).
 *
 * The child's answer on its standard output is either a .llmodel file
 * ("LLMODEL\n…", exit status 0) or an error ("LLERROR\n<code>\n<message>",
 * exit status 1).  Anything else — a signal, another status, other bytes —
 * means the reader was killed (the time limit, the CPU-time limit) or
 * crashed (libhdf5, or an allocation over the memory limit). */
#include "config.h"

#include "ll-model-reader.h"
#include "ll-mutex.h"
#include "ll-file.h"
#include "ll-memory-plan.h"
#include "ll-model-file.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* Under AddressSanitizer or ThreadSanitizer the process reserves terabytes
 * of address space for its shadow memory: an address-space limit would stop
 * the sanitizer itself, so the child runs without one there. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) \
    || __has_feature(memory_sanitizer)
#define LL_SANITIZED 1
#endif
#endif

#define ANSWER_MODEL "LLMODEL\n"
#define ANSWER_ERROR "LLERROR\n"
/* Room above ll_memory_limit () for what is not the model: the program,
 * its libraries, libhdf5's caches. */
#define MEMORY_HEADROOM ((guint64) 256 << 20)

G_LOCK_DEFINE_STATIC (executable);
static char *executable;

void
ll_model_reader_set_executable (const char *path)
{
  G_LOCK (executable);
  g_free (executable);
  executable = g_strdup (path);
  G_UNLOCK (executable);
}

static char *
dup_executable (void)
{
  char *path;

  G_LOCK (executable);
  path = g_strdup (executable);
  G_UNLOCK (executable);
  return path;
}

guint64
ll_model_reader_memory (void)
{
  const char *env = g_getenv ("LAYERLAB_IMPORT_MEMORY");

  if (env != NULL && *env != '\0')
    {
      char *end = NULL;
      guint64 v = g_ascii_strtoull (env, &end, 10);
      if (end != NULL && *end == '\0' && v > 0)
        return v;
    }
  return ll_memory_limit () + MEMORY_HEADROOM;
}

double
ll_model_reader_timeout (guint64 size)
{
  const char *env = g_getenv ("LAYERLAB_IMPORT_TIMEOUT");

  if (env != NULL && *env != '\0')
    {
      char *end = NULL;
      double v = g_ascii_strtod (env, &end);
      if (end != NULL && *end == '\0' && isfinite (v) && v > 0 && v <= 86400)
        return v;
    }
  return LL_MODEL_READER_TIMEOUT + (double) (size >> 26);
}

/* The parent's side ------------------------------------------------- */

typedef struct {
  GSubprocess *proc;
  GBytes *out;
  GError *error;
  gboolean done, timed_out;
} Wait;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &w->out, NULL, &w->error);
  w->done = TRUE;
}

static gboolean
on_time_limit (gpointer data)
{
  Wait *w = data;

  w->timed_out = TRUE;
  /* SIGKILL: the reader is one process (libhdf5 starts none), so this
   * ends all of it, wherever it loops. */
  g_subprocess_force_exit (w->proc);
  return G_SOURCE_REMOVE;
}

/* The child's error answer: "<code>\n<message>". */
static gboolean
parse_error_answer (const char *data, gsize len, GError **error)
{
  g_autofree char *text = g_strndup (data, len);
  char *nl = strchr (text, '\n'), *end = NULL;
  gint64 code;

  if (nl == NULL)
    return FALSE;
  *nl = '\0';
  code = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || code < 0 || code > LL_ERROR_NOT_FOUND)
    return FALSE;
  /* One line of valid UTF-8, whatever the child wrote. */
  {
    g_autofree char *valid = g_utf8_make_valid (nl + 1, MIN (strlen (nl + 1), 4000));
    for (char *p = valid; *p != '\0'; p++)
      if ((guchar) *p < 0x20 || *p == 0x7f)
        *p = '?';
    g_set_error_literal (error, LL_ERROR, (int) code, valid);
  }
  return TRUE;
}

static LlTrainer *
read_in_child (const char *path, guint64 size, GCancellable *cancellable, GError **error)
{
  g_autofree char *exe = dup_executable ();
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *memory = NULL, *cpu = NULL, *parent = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) limit = NULL;
  g_autoptr(GBytes) out = NULL;
  double seconds = ll_model_reader_timeout (size);
  Wait w = { 0 };
  const char *data;
  gsize len = 0;

  if (exe == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("%s: Keras files are read by a separate Layerlab process, which "
                     "this program has not set up. Open the file in Layerlab itself"), name);
      return NULL;
    }
  memory = g_strdup_printf ("%" G_GUINT64_FORMAT, ll_model_reader_memory ());
  cpu = g_strdup_printf ("%.0f", ceil (seconds) + 1);
  parent = g_strdup_printf ("%d", (int) getpid ());
  {
    const char *argv[] = { exe, LL_MODEL_READER_COMMAND, "--memory-limit", memory,
                           "--cpu-limit", cpu, "--parent", parent, "--", path, NULL };
    g_autoptr(GError) local = NULL;

    /* Its answer on stdout; its stderr (libhdf5 may print there) goes
     * nowhere; it reads nothing from stdin. */
    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                          | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
    /* One thread: OpenBLAS reserves memory per thread, and nothing the
     * reader does is a large product. */
    g_subprocess_launcher_setenv (launcher, "OPENBLAS_NUM_THREADS", "1", TRUE);
    w.proc = g_subprocess_launcher_spawnv (launcher, argv, &local);
    if (w.proc == NULL)
      {
        g_set_error (error, LL_ERROR, LL_ERROR_IO,
                     _("%s: the Layerlab process that reads Keras files could not be "
                       "started (%s). Reinstall Layerlab"), name, local->message);
        return NULL;
      }
  }

  /* A private main context: this may run on any thread, and the caller's
   * main loop (if any) is not run from here. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_subprocess_communicate_async (w.proc, NULL, cancellable, on_communicated, &w);
  limit = g_timeout_source_new ((guint) MIN (seconds * 1000.0, (double) G_MAXUINT));
  g_source_set_callback (limit, on_time_limit, &w, NULL);
  g_source_attach (limit, context);
  while (!w.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (limit);
  if (w.error != NULL)
    {
      /* Cancelled (or the pipe failed): the reader is not left running. */
      g_subprocess_force_exit (w.proc);
      g_subprocess_wait (w.proc, NULL, NULL);
    }
  g_main_context_pop_thread_default (context);

  if (w.error != NULL)
    {
      g_clear_object (&w.proc);
      if (g_error_matches (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, w.error);
      else
        {
          g_set_error (error, LL_ERROR, LL_ERROR_IO,
                       _("%s: the Layerlab process that reads Keras files did not answer "
                         "(%s)"), name, w.error->message);
          g_error_free (w.error);
        }
      return NULL;
    }
  out = w.out;
  data = out != NULL ? g_bytes_get_data (out, &len) : NULL;

  if (g_subprocess_get_if_exited (w.proc) && g_subprocess_get_exit_status (w.proc) == 0
      && len >= strlen (ANSWER_MODEL) && memcmp (data, ANSWER_MODEL, strlen (ANSWER_MODEL)) == 0)
    {
      g_autoptr(GError) local = NULL;
      LlTrainer *t = ll_model_file_from_bytes (out, &local);

      g_clear_object (&w.proc);
      if (t == NULL)
        g_set_error (error, LL_ERROR, local->code, "%s: %s", name, local->message);
      return t;
    }
  if (g_subprocess_get_if_exited (w.proc) && g_subprocess_get_exit_status (w.proc) == 1
      && len >= strlen (ANSWER_ERROR) && memcmp (data, ANSWER_ERROR, strlen (ANSWER_ERROR)) == 0
      && parse_error_answer (data + strlen (ANSWER_ERROR), len - strlen (ANSWER_ERROR), error))
    {
      g_clear_object (&w.proc);
      return NULL;
    }

  if (w.timed_out
      || (g_subprocess_get_if_signaled (w.proc)
          && (g_subprocess_get_term_sig (w.proc) == SIGXCPU
              || g_subprocess_get_term_sig (w.proc) == SIGKILL)))
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                 _("%s could not be read within %g s, so Layerlab stopped reading it: the "
                   "file is damaged, or made to hang the HDF5 library that reads Keras "
                   "files. If Keras opens it, save it again from Keras and open the new file"),
                 name, ceil (seconds));
  else
    {
      g_autofree char *most = ll_memory_format ((double) ll_model_reader_memory ());
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("%s could not be read: reading it crashed, or needed more than %s of "
                     "memory; the file is damaged or too large. If Keras opens it, save it "
                     "again from Keras and open the new file"),
                   name, most);
    }
  g_clear_object (&w.proc);
  return NULL;
}

LlTrainer *
ll_model_reader_open (const char    *path,
                      LlModelFormat *format,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  LlModelFormat f;
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (format != NULL)
    *format = LL_MODEL_FORMAT_UNKNOWN;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The same safe read as ll_model_open_any (regular files only, a
   * limit), then the same choice by the first bytes. */
  bytes = ll_file_read (path, LL_IMPORT_MAX_FILE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  f = ll_model_format_detect (data, len, path);
  if (f != LL_MODEL_FORMAT_KERAS_H5 && f != LL_MODEL_FORMAT_KERAS)
    return ll_model_open_bytes_full (bytes, path, format, error);
  if (format != NULL)
    *format = f;
  /* The child reads the file itself: the bytes are not held meanwhile. */
  g_clear_pointer (&bytes, g_bytes_unref);
  return read_in_child (path, len, cancellable, error);
}

typedef struct {
  LlTrainer *trainer;
  LlModelFormat format;
} Opened;

static void
opened_free (gpointer p)
{
  Opened *o = p;

  g_clear_pointer (&o->trainer, ll_trainer_free);
  g_free (o);
}

static void
open_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  Opened *o = g_new0 (Opened, 1);

  o->trainer = ll_model_reader_open (data, &o->format, cancellable, &error);
  if (o->trainer == NULL)
    g_clear_pointer (&o, opened_free);
  /* GTask hands the result over under GLib's futex locks, which
   * ThreadSanitizer does not see (core/ll-mutex.h): say it.  Nothing of
   * the result is touched here after this. */
  LL_TSAN_RELEASE (task);
  if (o == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, o, opened_free);
}

void
ll_model_reader_open_async (const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ll_model_reader_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* The task's cancellable reaches the worker: a cancel kills the reader
   * and the task reports G_IO_ERROR_CANCELLED. */
  g_task_run_in_thread (task, open_thread);
}

LlTrainer *
ll_model_reader_open_finish (GAsyncResult  *result,
                             LlModelFormat *format,
                             GError       **error)
{
  Opened *o;
  LlTrainer *t;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ll_model_reader_open_async,
                        NULL);

  LL_TSAN_ACQUIRE (result);
  o = g_task_propagate_pointer (G_TASK (result), error);
  if (o == NULL)
    return NULL;
  if (format != NULL)
    *format = o->format;
  t = g_steal_pointer (&o->trainer);
  opened_free (o);
  return t;
}

/* The child's side -------------------------------------------------- */

static gboolean
write_all (int fd, const void *data, gsize len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, MIN (len, (gsize) 1 << 20));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static int
answer_error (const GError *error)
{
  g_autofree char *text = NULL;
  int code = error->domain == LL_ERROR ? error->code : LL_ERROR_FORMAT;

  text = g_strdup_printf (ANSWER_ERROR "%d\n%s", code, error->message);
  return write_all (STDOUT_FILENO, text, strlen (text)) ? 1 : 3;
}

static void
set_limit (int resource, rlim_t value)
{
  struct rlimit r = { value, value };

  if (resource == RLIMIT_CPU)
    r.rlim_max = value + 1;       /* SIGXCPU at the soft limit, SIGKILL a second later */
  setrlimit (resource, &r);
}

int
ll_model_reader_child_main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) trainer = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *path = NULL;
  guint64 memory = 0, cpu = 0;
  gint64 parent = 0;
  const void *data;
  gsize len;

  for (int i = 1; i < argc; i++)
    {
      if (i + 1 < argc && strcmp (argv[i], "--memory-limit") == 0)
        memory = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (i + 1 < argc && strcmp (argv[i], "--cpu-limit") == 0)
        cpu = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (i + 1 < argc && strcmp (argv[i], "--parent") == 0)
        parent = g_ascii_strtoll (argv[++i], NULL, 10);
      else if (i + 1 < argc && strcmp (argv[i], "--") == 0)
        path = argv[++i];
      else
        path = argv[i];
    }
  if (path == NULL)
    {
      /* A command for Layerlab itself, not for people: English. */
      g_set_error_literal (&error, LL_ERROR, LL_ERROR_INVALID, /* no-i18n */
                           "usage: layerlab " LL_MODEL_READER_COMMAND /* no-i18n */
                           " [--memory-limit BYTES] [--cpu-limit SECONDS] FILE"); /* no-i18n */
      return answer_error (error) == 1 ? 2 : 3;
    }

#ifdef __linux__
  /* Ends with the process that waits for it, even one killed at once. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (parent > 0 && getppid () != (pid_t) parent)
    return 3;
#endif
  set_limit (RLIMIT_CORE, 0);
  if (cpu > 0)
    set_limit (RLIMIT_CPU, (rlim_t) cpu);
#ifndef LL_SANITIZED
  if (memory > 0)
    set_limit (RLIMIT_AS, (rlim_t) memory);
#else
  (void) memory;
#endif

  trainer = ll_model_open_any (path, &error);
  if (trainer != NULL)
    bytes = ll_model_file_to_bytes (trainer, &error);
  if (bytes == NULL)
    return answer_error (error);
  data = g_bytes_get_data (bytes, &len);
  return write_all (STDOUT_FILENO, data, len) ? 0 : 3;
}
