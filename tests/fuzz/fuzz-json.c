/* fuzz-json.c: the one JSON reader (ll_json_parse) and writer: whatever
 * parses is written and must parse again to the same text, and the fit
 * settings reader (ll_fit_config_from_json_node) takes the result.
 * Seeds: corpus/json/. */
#include "fuzz-util.h"
#include "ll-fit-config.h"
#include "ll-json.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ll_json_parse ((const char *) data, (gssize) size, 1 << 20, &error);
  g_autofree char *text = NULL, *text2 = NULL;
  g_autoptr(JsonNode) again = NULL;
  LlFitConfig cfg;

  if (node == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  text = ll_json_to_string (node, LL_JSON_COMPACT);
  again = ll_json_parse (text, -1, 0, NULL);
  if (again == NULL)
    __builtin_trap ();
  text2 = ll_json_to_string (again, LL_JSON_COMPACT);
  if (strcmp (text, text2) != 0)
    __builtin_trap ();
  ll_fit_config_init (&cfg);
  if (JSON_NODE_HOLDS_OBJECT (node) && !ll_fit_config_from_json_node (&cfg, node, &error))
    fuzz_check_error (error);
  ll_fit_config_clear (&cfg);
  return 0;
}
