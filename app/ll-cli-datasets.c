/* ll-cli-datasets.c: `layerlab datasets`, the data sets on this machine.
 *
 *   layerlab datasets [--data-dir DIR]        where each set is, sizes, checksums
 *   layerlab datasets --download NAME [--base-url URL]
 *   layerlab datasets --import DIR --size 28x28x1 --output DIR2 [--test-fraction F] [--seed N]
 *
 * --import reads one sub-folder per class of PNG/JPEG pictures and writes
 * files that train/eval read with --data-dir (ui/ll-import-folder.c, which
 * the Data view's Import Folder… shares). */
#include "ll-cli-private.h"

#include "ll-dataset.h"
#include "ll-download.h"
#include "ll-import-folder.h"
#include "ll-types.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <inttypes.h>

typedef struct {
  GMainLoop *loop;
  GError *error;
  gboolean tty;
} Wait;

static void
on_progress (const LlDownloadProgress *p, gpointer user_data)
{
  Wait *w = user_data;

  if (p->total > 0)
    fprintf (stderr, "%s[%d/%d] %s: %.1f / %.1f MB (%.0f %%), %.2f MB/s%s",
             w->tty ? "\r" : "", p->index + 1, p->n_files, p->file, p->received / 1e6,
             p->total / 1e6, 100.0 * p->received / p->total, p->bytes_per_s / 1e6,
             w->tty ? "   " : "\n");
  else
    fprintf (stderr, "%s[%d/%d] %s: %.1f MB, %.2f MB/s%s", w->tty ? "\r" : "",
             p->index + 1, p->n_files, p->file, p->received / 1e6, p->bytes_per_s / 1e6,
             w->tty ? "   " : "\n");
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;
  ll_download_finish (result, &w->error);
  g_main_loop_quit (w->loop);
}

static GCancellable *sigint_cancellable;

static gboolean
on_sigint (gpointer user_data)
{
  g_cancellable_cancel (sigint_cancellable);
  return G_SOURCE_CONTINUE;
}

static int
download (const char *name, const char *base_url)
{
  const LlDownloadSet *set = ll_download_set_lookup (name);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autofree char *dir = NULL;
  Wait w = { g_main_loop_new (NULL, FALSE), NULL, isatty (2) };
  guint sig;

  if (set == NULL)
    {
      fprintf (stderr, "layerlab datasets: unknown data set “%s”; choose mnist, fashion-mnist or cifar10\n", name);
      g_main_loop_unref (w.loop);
      return 2;
    }
  dir = ll_download_default_dir (name);
  printf (_("Downloading %s from %s into %s (Ctrl+C stops; run again to resume)\n"),
          set->title, base_url ? base_url : set->base_url, dir);
  sigint_cancellable = cancel;
  sig = g_unix_signal_add (SIGINT, on_sigint, NULL);
  ll_download_async (name, base_url, cancel, on_progress, &w, on_done, &w);
  g_main_loop_run (w.loop);
  g_source_remove (sig);
  g_main_loop_unref (w.loop);
  if (w.tty)
    fputc ('\n', stderr);
  if (w.error != NULL)
    {
      if (g_error_matches (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fprintf (stderr, "layerlab datasets: stopped; the partial file is kept, run the same command to resume\n");
      else
        fprintf (stderr, "layerlab datasets: %s\n", w.error->message);
      g_error_free (w.error);
      return 1;
    }
  printf (_("%s: all files verified in %s\n"), set->title, dir);
  if (set->note != NULL)
    printf (_("Next: %s\n"), _(set->note));
  return 0;
}

static int
import_folder (const char *dir, const char *size, const char *output, double fraction, int seed)
{
  g_autoptr(GError) error = NULL;
  LlImportReport report = { 0 };
  int h = 0, w = 0, c = 0, status = 0;
  gboolean ok;

  if (!(fraction >= 0.0 && fraction < 1.0))
    {
      fprintf (stderr, "layerlab datasets: --test-fraction %g is out of range; choose 0 to 0.9\n",
               fraction);
      return 2;
    }
  if (size == NULL || sscanf (size, "%dx%dx%d", &h, &w, &c) != 3)
    {
      fprintf (stderr, "layerlab datasets: give --size HxWxC, e.g. 28x28x1 (MNIST) or 32x32x3 (CIFAR-10)\n");
      return 2;
    }
  if (output == NULL)
    {
      fprintf (stderr, "layerlab datasets: give --output DIR, the folder to write the data set into\n");
      return 2;
    }
  ok = ll_import_folder (dir, h, w, c, fraction, (guint64) seed, output, NULL, NULL, NULL,
                         &report, &error);
  for (guint i = 0; report.skipped != NULL && i < report.skipped->len; i++)
    {
      const LlImportSkip *skip = g_ptr_array_index (report.skipped, i);
      fprintf (stderr, "  skipped %s: %s\n", skip->path, skip->reason);
    }
  if (!ok)
    {
      fprintf (stderr, "layerlab datasets: %s\n", error->message);
      /* Bad input (a size or fraction out of range, a folder that cannot be
       * read or written, no pictures) is 2, as the README promises. */
      status = error->domain == LL_ERROR && error->code != LL_ERROR_MEMORY ? 2 : 1;
    }
  else
    {
      printf (_("Imported %d pictures in %d classes ("), report.n_images, report.n_classes);
      for (int k = 0; k < report.n_classes; k++)
        printf ("%s%s", k ? ", " : "", report.class_names[k]);
      printf (_("), %u skipped, as %d×%d×%d: %d for training, %d for testing, into %s\n"),
              report.skipped->len, h, w, c, report.n_train, report.n_test, output);
      printf (_("Use it: layerlab train --data-dir %s (with --dataset %s)\n"), output,
              c == 1 ? "mnist" : "cifar10");
    }
  ll_import_report_clear (&report);
  return status;
}

int
ll_cli_datasets (int argc, char **argv)
{
  g_autofree char *data_dir = NULL, *name = NULL, *base_url = NULL;
  g_autofree char *import_dir = NULL, *size = NULL, *output = NULL;
  double fraction = 0.2;
  int seed = 1;
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, _("Also look in this folder first"), "DIR" },
    { "download", 0, 0, G_OPTION_ARG_STRING, &name, _("Download a data set (mnist, fashion-mnist, cifar10)"), "NAME" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url, _("Download from this address instead of the official one"), "URL" },
    { "import", 0, 0, G_OPTION_ARG_FILENAME, &import_dir, _("Import a folder of pictures, one sub-folder per class"), "DIR" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, _("Import: the model's input, e.g. 28x28x1 or 32x32x3"), "HxWxC" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, _("Import: the folder to write (for --data-dir)"), "DIR" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction, _("Import: share of each class kept for testing (0.2)"), "F" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, _("Import: seed of the split (1)"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("- list or download the data sets"));
  g_autoptr(GError) error = NULL;
  int n_sets;
  const LlDownloadSet *sets = ll_download_sets (&n_sets);
  gboolean all_ok = TRUE;

  g_set_prgname ("layerlab datasets");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "layerlab datasets: %s\n", error->message);
      return 2;
    }
  if (!ll_dataset_check_data_dir (data_dir, &error))
    {
      fprintf (stderr, "layerlab datasets: %s\n", error->message);
      return 2;
    }
  if (name != NULL)
    return download (name, base_url);
  if (import_dir != NULL)
    return import_folder (import_dir, size, output, fraction, seed);

  for (int s = 0; s < n_sets; s++)
    {
      const LlDownloadSet *set = &sets[s];
      g_autofree char *dir = ll_dataset_locate (set->name, data_dir);
      g_autofree char *user_dir = ll_download_default_dir (set->name);
      gboolean complete = dir != NULL;

      printf ("%s (%s)\n", set->title, set->name);
      if (dir == NULL)
        {
          printf (_("  not found on this machine\n"));
          printf (_("  to get it: layerlab datasets --download %s (needs the network), or copy "), set->name);
          for (int i = 0; i < set->n_files; i++)
            printf ("%s%s", i ? ", " : "", set->files[i].file);
          printf (_(" into %s%s\n"), user_dir,
                  g_strcmp0 (set->name, "fashion-mnist") == 0
                  ? _(", or install Debian's dataset-fashion-mnist") : "");
          all_ok = FALSE;
          continue;
        }
      printf (_("  folder: %s\n"), dir);
      for (int i = 0; i < set->n_files; i++)
        {
          guint64 size = 0;
          LlFileState st = ll_download_check_file (dir, &set->files[i], &size);
          if (st == LL_FILE_MISSING && g_strcmp0 (set->name, "cifar10") == 0)
            printf (_("  %-28s not kept (the unpacked cifar-10-batches-bin/ is used)\n"), set->files[i].file);
          else if (st == LL_FILE_MISSING)
            {
              /* Debian and others keep the files unpacked: no official sum applies. */
              g_autofree char *raw = g_strndup (set->files[i].file, strlen (set->files[i].file) - 3);
              g_autofree char *raw_path = g_build_filename (dir, raw, NULL);
              GStatBuf stb;
              if (g_str_has_suffix (set->files[i].file, ".gz") && g_stat (raw_path, &stb) == 0)
                printf (_("  %-28s %12" PRIu64 " bytes  unpacked (official sums are for the .gz)\n"),
                        raw, (guint64) stb.st_size);
              else
                {
                  printf (_("  %-28s missing\n"), set->files[i].file);
                  complete = FALSE;
                }
            }
          else if (st == LL_FILE_BAD && g_str_has_prefix (dir, "/usr/share/"))
            {
              /* Debian recompresses the archives (no file name in the gzip
               * header): the official sums cannot apply; the package's own
               * checksums (dpkg --verify) do. */
              printf (_("  %-28s %12" PRIu64 " bytes  from a system package (recompressed; "
                      "official sums do not apply)\n"), set->files[i].file, size);
            }
          else
            {
              printf (_("  %-28s %12" PRIu64 " bytes  %s\n"), set->files[i].file, size,
                      _(ll_file_state_to_string (st)));
              if (st == LL_FILE_BAD)
                complete = FALSE;
            }
        }
      if (!complete)
        {
          printf (_("  incomplete or damaged: layerlab datasets --download %s\n"), set->name);
          all_ok = FALSE;
        }
    }
  return all_ok ? 0 : 1;
}
