/* ll-json.h: the one JSON reader and the one JSON writer for everything
 * Layerlab reads or writes (model files, architectures, fit settings,
 * runs.json, run files, the command line's --json lines).
 *
 * Reading goes through a parser that refuses documents larger than a
 * limit or nested deeper than LL_JSON_MAX_DEPTH before it could exhaust
 * memory or the stack, and that reads every number exactly (integers
 * beyond 64 bits become doubles, -0 stays -0).
 *
 * Writing serialises a JsonNode tree itself instead of through
 * JsonGenerator, whose Debian 12 version writes 1e-8 as "1e-08.0", which
 * no parser (its own included) reads back.  Numbers are written in the C
 * locale: integers as integers, doubles as the shortest of %.15g, %.16g
 * and %.17g that reads back to the same double (with ".0" when that text
 * would read as an integer, so -0.0 and 2.0 stay doubles).  NaN and
 * infinities have no JSON form; they are written as null, which every
 * Layerlab reader takes as "no value" (NaN): a validation loss without
 * validation data, a metric that diverged.  Settings never reach the
 * writer non-finite, because validation refuses them first.  Strings are
 * UTF-8 with '"', '\\' and control characters escaped (\u00XX). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Layerlab's own files nest at most five levels deep. */
#define LL_JSON_MAX_DEPTH 64
/* Default size limit for a JSON document (bytes). */
#define LL_JSON_MAX_BYTES ((gsize) 64 << 20)
/* Room for any number ll_json_format_* writes, with its terminator. */
#define LL_JSON_NUMBER_SIZE 32

typedef enum {
  LL_JSON_COMPACT,     /* {"a":1,"b":[2,3]} */
  LL_JSON_LINE,        /* {"a": 1, "b": [2, 3]}: one line, for --json output */
  LL_JSON_PRETTY,      /* two-space indentation, "key" : value, as json-glib's */
} LlJsonStyle;

/* Parses text (length bytes, or up to its NUL when length < 0).  Refuses
 * more than max_bytes bytes (0: LL_JSON_MAX_BYTES), nesting deeper than
 * LL_JSON_MAX_DEPTH, invalid UTF-8, NUL characters and numbers outside a
 * double's range, with an LL_ERROR_FORMAT that names the line and column.
 * (transfer full) */
JsonNode *ll_json_parse      (const char *text,
                              gssize      length,
                              gsize       max_bytes,
                              GError    **error);
/* Reads at most max_bytes (0: LL_JSON_MAX_BYTES) of a regular file and
 * parses it.  Anything that is not a regular file (a FIFO, a device) is
 * refused without blocking.  Errors: LL_ERROR_IO when the file cannot be
 * read (G_FILE_ERROR_NOENT-like absence is LL_ERROR_NOT_FOUND),
 * LL_ERROR_FORMAT when it is not JSON or too large. */
JsonNode *ll_json_parse_file (const char *path,
                              gsize       max_bytes,
                              GError    **error);

/* The text of node (any kind, also a bare value).  Never fails. */
char     *ll_json_to_string  (JsonNode    *node,
                              LlJsonStyle  style);
void      ll_json_append     (GString     *out,
                              JsonNode    *node,
                              LlJsonStyle  style);
/* Writes node to path atomically (a temporary file beside it, then a
 * rename), so a failed save leaves the previous file as it was. */
gboolean  ll_json_save       (JsonNode    *node,
                              LlJsonStyle  style,
                              const char  *path,
                              GError     **error);

/* Number formats used by the writer, in the C locale.  Non-finite values
 * give "null". */
char     *ll_json_format_double (char   buf[LL_JSON_NUMBER_SIZE],
                                 double v);
/* The shortest of %.1g … %.9g that reads back (as a float) to v. */
char     *ll_json_format_float  (char   buf[LL_JSON_NUMBER_SIZE],
                                 float  v);

/* Builder helpers: a double (null when not finite), and a float stored as
 * the double of its shortest decimal text, so that the file shows 0.1 for
 * 0.1f and (float) of the value read back is v again. */
void      ll_json_builder_add_double (JsonBuilder *builder,
                                      double       v);
void      ll_json_builder_add_float  (JsonBuilder *builder,
                                      float        v);
/* set_member_name + add_*: the common pair in one call. */
void      ll_json_builder_member_double (JsonBuilder *builder, const char *name, double v);
void      ll_json_builder_member_int    (JsonBuilder *builder, const char *name, gint64 v);
void      ll_json_builder_member_bool   (JsonBuilder *builder, const char *name, gboolean v);
/* A NULL string is written as null. */
void      ll_json_builder_member_string (JsonBuilder *builder, const char *name, const char *v);

G_END_DECLS
