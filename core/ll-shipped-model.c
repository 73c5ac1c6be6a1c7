/* ll-shipped-model.c: loading the digit model that ships with Layerlab. */
#include "config.h"

#include "ll-shipped-model.h"
#include "ll-model-file.h"
#include "layerlab-core-resources.h"

#include <glib/gi18n.h>

#define SHIPPED_DIGITS_RESOURCE LL_RESOURCE_PREFIX "/models/digits.llmodel"

LlTrainer *
ll_shipped_model_load (GError **error)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (layerlab_core_get_resource (),
                                                    SHIPPED_DIGITS_RESOURCE,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  const char *const *dirs;

  if (bytes != NULL)
    return ll_model_file_from_bytes (bytes, error);

  dirs = g_get_system_data_dirs ();
  for (int i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "layerlab", "models",
                                                "digits.llmodel", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return ll_model_file_load (path, error);
    }
  g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
               _("The shipped digit model is missing from this build. "
                 "Train a model in the Train view, or reinstall Layerlab."));
  return NULL;
}
