/* fuzz-util.h: shared by the libFuzzer targets (tests/fuzz/README.md).
 * Every loader must give a result or a one-line error for any input: a
 * crash, a sanitizer report, a hang or a multi-line message is a finding. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Traps unless error holds a one-line message. */
static inline void
fuzz_check_error (const GError *error)
{
  if (error == NULL || error->message == NULL || strchr (error->message, '\n') != NULL)
    __builtin_trap ();
}

static char *fuzz_tmp_dir;

/* Removes the folder and its files at exit. */
static inline void
fuzz_remove_dir (void)
{
  GDir *d = fuzz_tmp_dir != NULL ? g_dir_open (fuzz_tmp_dir, 0, NULL) : NULL;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *p = g_build_filename (fuzz_tmp_dir, name, NULL);
      g_unlink (p);
      g_free (p);
    }
  if (d != NULL)
    g_dir_close (d);
  if (fuzz_tmp_dir != NULL)
    g_rmdir (fuzz_tmp_dir);
}

/* A private folder for this process's files, made once. */
static inline const char *
fuzz_dir (void)
{
  if (fuzz_tmp_dir == NULL)
    {
      fuzz_tmp_dir = g_dir_make_tmp ("ll-fuzz-XXXXXX", NULL);
      if (fuzz_tmp_dir == NULL)
        __builtin_trap ();
      atexit (fuzz_remove_dir);
    }
  return fuzz_tmp_dir;
}

/* Writes data to NAME in fuzz_dir() and returns its path. (transfer full) */
static inline char *
fuzz_write (const char *name, const uint8_t *data, size_t size)
{
  char *path = g_build_filename (fuzz_dir (), name, NULL);

  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    __builtin_trap ();
  return path;
}
