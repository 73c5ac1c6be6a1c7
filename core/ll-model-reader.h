/* ll-model-reader.h: opening a model file a user names, the Keras formats
 * in a child process.
 *
 * Keras files are read by libhdf5, which is not ours and which a crafted
 * .h5 can make loop forever (tests/fuzz/findings/keras-h5-libhdf5-vlen-hang.h5)
 * or allocate without bound.  A .h5 file, and a .keras archive (its
 * model.weights.h5), is therefore read by a child process: Layerlab's own
 * executable run with the hidden command `internal-read-model`, under a
 * memory limit (RLIMIT_AS) and a CPU-time limit, killed by the parent
 * after a time limit.  The child writes the model as .llmodel bytes on its
 * standard output, which the parent reads with the normal .llmodel reader
 * (ll_model_file_from_bytes), so what the child hands back is checked like
 * any model file.  Layerlab's own files and ONNX are read in the process.
 *
 * The engine's ll_model_open_any () stays the in-process reader for tests
 * and fuzzers; everything that opens a file a user names (the document, the
 * window, the command line) goes through this. */
#pragma once

#include <gio/gio.h>

#include "ll-import.h"

G_BEGIN_DECLS

/* The hidden command the child runs: `layerlab internal-read-model
 * [--memory-limit BYTES] [--cpu-limit SECONDS] FILE`. */
#define LL_MODEL_READER_COMMAND "internal-read-model"

/* The time limit's default (seconds) for a small file; larger files get one
 * second more per 64 MiB.  LAYERLAB_IMPORT_TIMEOUT (seconds, > 0) replaces
 * it: tests use it so a hanging file costs them a second. */
#define LL_MODEL_READER_TIMEOUT 30

/* The program that runs the hidden command: main () sets /proc/self/exe,
 * tests set the layerlab they built.  Until it is set, Keras files are
 * refused with a message (never read in the process). */
void        ll_model_reader_set_executable (const char *path);

/* The time limit for a file of size bytes (seconds). */
double      ll_model_reader_timeout        (guint64 size);
/* The reader's address-space limit (bytes): the memory plan's limit plus
 * room for the program and libhdf5, or LAYERLAB_IMPORT_MEMORY (bytes,
 * > 0; tests use a tiny one to see the limit act). */
guint64     ll_model_reader_memory         (void);

/* Opens a .llmodel, .onnx, .h5 or .keras file, like ll_model_open_any_full
 * (format may be NULL), reading Keras files in a child process; blocks
 * until the child ends or is killed (at most the time limit).
 * cancellable (nullable) kills the child: G_IO_ERROR_CANCELLED.  Errors
 * are one line that starts with the file's name.  Any thread. */
LlTrainer  *ll_model_reader_open           (const char    *path,
                                            LlModelFormat *format,
                                            GCancellable  *cancellable,
                                            GError       **error);

/* The same on a worker thread: the main loop never waits for the file. */
void        ll_model_reader_open_async     (const char          *path,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
LlTrainer  *ll_model_reader_open_finish    (GAsyncResult  *result,
                                            LlModelFormat *format,
                                            GError       **error);

/* The child's side, argv[0] being the command: reads the file in this
 * process under the limits given, writes the model or the error to
 * standard output; returns the exit status. */
int         ll_model_reader_child_main     (int argc, char **argv);

G_END_DECLS
