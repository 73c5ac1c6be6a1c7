/* ll-file.h: reading and writing the files a user names, safely.
 *
 * Reading: a FIFO, a device, a socket or a folder is refused at once (the
 * file is opened with O_NONBLOCK, so a FIFO without a writer never blocks,
 * then fstat'ed), and never more than a limit is read, so /dev/zero or a
 * file that grows while it is read cannot exhaust memory.  The bytes are
 * read into memory with a checked length, never mapped: a file truncated
 * while it is read gives a short read (an error about a damaged file)
 * instead of SIGBUS.
 *
 * Writing: the target must be absent or a regular file (a FIFO, a device
 * or a folder is refused, never replaced).  The data goes to a temporary
 * file beside the target, is synced, then renamed over it, so the old file
 * stays whole until the new one is complete.  A failure (a full disk) or a
 * cancel through LlControl (Ctrl+C) removes the temporary file: nothing
 * new is left behind. */
#pragma once

#include "ll-types.h"

G_BEGIN_DECLS

/* Reads the regular file at path, at most max_bytes of it.  what names the
 * file in messages ("the model", "classes.txt"); NULL: its name.  Errors:
 * LL_ERROR_NOT_FOUND (absent), LL_ERROR_IO (not a regular file, or a read
 * failed), LL_ERROR_MEMORY (larger than max_bytes).  (transfer full) */
GBytes   *ll_file_read             (const char  *path,
                                    gsize        max_bytes,
                                    GError     **error);

/* What the file at path is, for messages: "a folder", "a pipe (FIFO)",
 * "a device", "a socket" or "a file" (translated); NULL when it is absent
 * or cannot be looked at.  A symbolic link is followed; nothing is opened,
 * so a FIFO does not block. */
const char *ll_file_describe         (const char  *path);

/* TRUE when path is absent or a regular file (a symbolic link is followed);
 * LL_ERROR_IO naming what it is otherwise. */
gboolean  ll_file_check_save_target (const char  *path,
                                     GError     **error);

/* Writes len bytes to path atomically (see above).  control (nullable) is
 * read between chunks of 1 MiB; a cancel gives G_IO_ERROR_CANCELLED.
 * Errors: LL_ERROR_IO with a message that says what to do. */
gboolean  ll_file_save             (const char  *path,
                                    const void  *data,
                                    gsize        len,
                                    LlControl   *control,
                                    GError     **error);

/* The same for n files that belong together (an export's .h and .c):
 * every target is checked and every temporary file written before the
 * first rename, so a failure or a cancel leaves none of them new. */
gboolean  ll_file_save_many        (guint               n,
                                    const char * const *paths,
                                    const void * const *data,
                                    const gsize        *lens,
                                    LlControl          *control,
                                    GError            **error);

G_END_DECLS
