/* fuzz-run-list.c: runs.json (ll_run_list_load; a damaged file is set
 * aside) and run files (ll_run_import, the Replay view's reader): the
 * first byte chooses.  Seeds: corpus/run-list/. */
#include "fuzz-util.h"
#include "ll-run-list.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;

  if (size < 1)
    return 0;
  if ((data[0] & 1) == 0)
    {
      g_autofree char *path = fuzz_write ("runs.json", data + 1, size - 1);
      g_autoptr(LlRunList) list = ll_run_list_new (path);
      g_autoptr(GDir) d = NULL;
      const char *name;

      if (!ll_run_list_load (list, &error))
        fuzz_check_error (error);
      /* A damaged list is renamed aside: clear the folder for the next input. */
      d = g_dir_open (fuzz_dir (), 0, NULL);
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_prefix (name, "runs.json"))
          {
            g_autofree char *p = g_build_filename (fuzz_dir (), name, NULL);
            g_unlink (p);
          }
    }
  else
    {
      g_autofree char *path = fuzz_write ("run.json", data + 1, size - 1);
      g_autoptr(GBytes) model = NULL;
      LlRun *run = ll_run_import (path, &model, &error);

      if (run == NULL)
        fuzz_check_error (error);
      else
        ll_run_free (run);
    }
  return 0;
}
