/* ll-data-dir.c: where the data sets are looked for first. */
#include "config.h"

#include "ll-data-dir.h"

GSettings *
ll_settings_new_if_installed (const char *key)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || (key != NULL && !g_settings_schema_has_key (schema, key)))
    return NULL;
  return g_settings_new (APP_ID);
}

char *
ll_dup_data_dir (GSettings *settings)
{
  const char *dir = g_getenv ("LAYERLAB_DATA_DIR");
  g_autoptr(GSettings) own = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *saved = NULL;

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  if (settings == NULL)
    settings = own = ll_settings_new_if_installed ("data-dir");
  if (settings == NULL)
    return NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema == NULL || !g_settings_schema_has_key (schema, "data-dir"))
    return NULL;
  saved = g_settings_get_string (settings, "data-dir");
  return *saved != '\0' ? g_steal_pointer (&saved) : NULL;
}
