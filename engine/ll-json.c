/* ll-json.c: Layerlab's JSON reader and writer (see ll-json.h for why
 * they are not json-glib's parser and generator).
 *
 * The reader is a recursive-descent parser whose depth is bounded by
 * LL_JSON_MAX_DEPTH, so at most that many frames are ever on the stack;
 * it builds json-glib's JsonNode trees, which the rest of the code reads.
 * Its error messages complete a sentence "X is …" ("not valid JSON: line
 * 3, column 7: expected ‘,’ or ‘}’"), so each caller names what it read. */
#include "ll-json.h"
#include "ll-file.h"
#include "ll-types.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* Reader ------------------------------------------------------------------- */

typedef struct {
  const char *start, *p, *end;
  int depth;
  GError **error;
} Parser;

static JsonNode *parse_value (Parser *ps);

G_GNUC_PRINTF (3, 4)
static JsonNode *
syntax_error (Parser     *ps,
              const char *at,
              const char *format,
              ...)
{
  g_autofree char *what = NULL;
  int line = 1, column = 1;
  va_list args;

  for (const char *c = ps->start; c < at && c < ps->end; c++)
    {
      if (*c == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar) *c & 0xc0) != 0x80)   /* count characters, not bytes */
        column++;
    }
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ps->error, LL_ERROR, LL_ERROR_FORMAT,
               _("not valid JSON: line %d, column %d: %s"), line, column, what);
  return NULL;
}

static void
skip_space (Parser *ps)
{
  while (ps->p < ps->end
         && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits after "\u"; -1 when they are not. */
static int
read_hex4 (Parser *ps)
{
  int v = 0;

  if (ps->end - ps->p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit (ps->p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  ps->p += 4;
  return v;
}

/* A string after its opening quote; the text is UTF-8 without NULs. */
static char *
parse_string (Parser *ps)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *open = ps->p - 1;

  for (;;)
    {
      const char *run = ps->p;
      char c;

      /* Copy plain bytes in one go. */
      while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (guchar) *ps->p >= 0x20)
        ps->p++;
      g_string_append_len (s, run, ps->p - run);
      if (ps->p >= ps->end)
        return (syntax_error (ps, open, "a string that never ends"), NULL);
      c = *ps->p;
      if (c == '"')
        {
          ps->p++;
          break;
        }
      if ((guchar) c < 0x20)
        return (syntax_error (ps, ps->p, "a control character inside a string (write it as \\u%04x)",
                              (guchar) c), NULL);
      /* A backslash escape. */
      ps->p++;
      if (ps->p >= ps->end)
        return (syntax_error (ps, open, "a string that never ends"), NULL);
      c = *ps->p++;
      switch (c)
        {
        case '"':  g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/':  g_string_append_c (s, '/'); break;
        case 'b':  g_string_append_c (s, '\b'); break;
        case 'f':  g_string_append_c (s, '\f'); break;
        case 'n':  g_string_append_c (s, '\n'); break;
        case 'r':  g_string_append_c (s, '\r'); break;
        case 't':  g_string_append_c (s, '\t'); break;
        case 'u':
          {
            const char *esc = ps->p - 2;
            int u = read_hex4 (ps);
            gunichar ch;

            if (u < 0)
              return (syntax_error (ps, esc, "\\u must be followed by four hex digits"), NULL);
            if (u >= 0xdc00 && u <= 0xdfff)
              return (syntax_error (ps, esc, "a lone low surrogate (\\u%04x)", u), NULL);
            if (u >= 0xd800 && u <= 0xdbff)
              {
                int lo = -1;
                if (ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u')
                  {
                    ps->p += 2;
                    lo = read_hex4 (ps);
                  }
                if (lo < 0xdc00 || lo > 0xdfff)
                  return (syntax_error (ps, esc, "a high surrogate (\\u%04x) without its low half", u),
                          NULL);
                ch = 0x10000 + (((gunichar) u - 0xd800) << 10) + ((gunichar) lo - 0xdc00);
              }
            else
              ch = (gunichar) u;
            if (ch == 0)
              return (syntax_error (ps, esc, "a NUL character (\\u0000) inside a string"), NULL);
            g_string_append_unichar (s, ch);
          }
          break;
        default:
          return (syntax_error (ps, ps->p - 2, "an unknown escape \\%c", g_ascii_isprint (c) ? c : '?'),
                  NULL);
        }
    }
  if (!g_utf8_validate_len (s->str, s->len, NULL))
    return (syntax_error (ps, open, "a string that is not valid UTF-8"), NULL);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static JsonNode *
parse_number (Parser *ps)
{
  const char *begin = ps->p, *q = ps->p;
  gboolean integral = TRUE;
  g_autofree char *text = NULL;
  JsonNode *node;

  if (q < ps->end && *q == '-')
    q++;
  if (q < ps->end && *q == '0')
    q++;
  else if (q < ps->end && *q >= '1' && *q <= '9')
    while (q < ps->end && g_ascii_isdigit (*q))
      q++;
  else
    return syntax_error (ps, begin, "a number without digits");
  if (q < ps->end && *q == '.')
    {
      integral = FALSE;
      q++;
      if (q >= ps->end || !g_ascii_isdigit (*q))
        return syntax_error (ps, begin, "a number with no digits after its decimal point");
      while (q < ps->end && g_ascii_isdigit (*q))
        q++;
    }
  if (q < ps->end && (*q == 'e' || *q == 'E'))
    {
      integral = FALSE;
      q++;
      if (q < ps->end && (*q == '+' || *q == '-'))
        q++;
      if (q >= ps->end || !g_ascii_isdigit (*q))
        return syntax_error (ps, begin, "a number with no digits in its exponent");
      while (q < ps->end && g_ascii_isdigit (*q))
        q++;
    }
  if (q < ps->end && (g_ascii_isalnum (*q) || *q == '.'))
    return syntax_error (ps, begin, "a malformed number");
  text = g_strndup (begin, q - begin);
  ps->p = q;

  node = json_node_new (JSON_NODE_VALUE);
  /* "-0" is a double: as an integer its sign would be lost. */
  if (integral && strcmp (text, "-0") != 0)
    {
      gint64 v;
      errno = 0;
      v = g_ascii_strtoll (text, NULL, 10);
      if (errno == 0)
        {
          json_node_set_int (node, v);
          return node;
        }
      /* Beyond 64 bits: kept as the nearest double rather than wrapped. */
    }
  {
    double v = g_ascii_strtod (text, NULL);
    if (isinf (v))
      {
        json_node_unref (node);
        return syntax_error (ps, begin, "a number too large for a double (%.20s…)", text);
      }
    json_node_set_double (node, v);
  }
  return node;
}

static gboolean
literal (Parser *ps, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (ps->end - ps->p) < n || memcmp (ps->p, word, n) != 0)
    return FALSE;
  if ((gsize) (ps->end - ps->p) > n && g_ascii_isalnum (ps->p[n]))
    return FALSE;
  ps->p += n;
  return TRUE;
}

static gboolean
enter (Parser *ps)
{
  if (++ps->depth > LL_JSON_MAX_DEPTH)
    {
      g_set_error (ps->error, LL_ERROR, LL_ERROR_FORMAT,
                   _("nested more than %d levels deep; Layerlab's files never are, so the file "
                   "is damaged or not a Layerlab file"), LL_JSON_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
parse_object (Parser *ps)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  if (!enter (ps))
    return NULL;
  ps->p++;                                   /* '{' */
  skip_space (ps);
  if (ps->p < ps->end && *ps->p == '}')
    ps->p++;
  else
    for (;;)
      {
        g_autofree char *key = NULL;
        JsonNode *value;

        skip_space (ps);
        if (ps->p >= ps->end || *ps->p != '"')
          return syntax_error (ps, ps->p, "expected a member name in quotes");
        ps->p++;
        if ((key = parse_string (ps)) == NULL)
          return NULL;
        skip_space (ps);
        if (ps->p >= ps->end || *ps->p != ':')
          {
            /* Quoted on one line and short: control characters become '?'. */
            g_autofree char *shown = g_utf8_substring (key, 0, MIN (g_utf8_strlen (key, -1), 40));

            for (char *c = shown; *c != '\0'; c++)
              if ((guchar) *c < 0x20 || *c == 0x7f)
                *c = '?';
            return syntax_error (ps, ps->p, "expected ‘:’ after the member name “%s”", shown);
          }
        ps->p++;
        if ((value = parse_value (ps)) == NULL)
          return NULL;
        json_object_set_member (object, key, value);   /* a repeated name: the last one counts */
        skip_space (ps);
        if (ps->p < ps->end && *ps->p == ',')
          {
            ps->p++;
            continue;
          }
        if (ps->p < ps->end && *ps->p == '}')
          {
            ps->p++;
            break;
          }
        return syntax_error (ps, ps->p, "expected ‘,’ or ‘}’");
      }
  ps->depth--;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&object));
  return node;
}

static JsonNode *
parse_array (Parser *ps)
{
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;

  if (!enter (ps))
    return NULL;
  ps->p++;                                   /* '[' */
  skip_space (ps);
  if (ps->p < ps->end && *ps->p == ']')
    ps->p++;
  else
    for (;;)
      {
        JsonNode *value = parse_value (ps);

        if (value == NULL)
          return NULL;
        json_array_add_element (array, value);
        skip_space (ps);
        if (ps->p < ps->end && *ps->p == ',')
          {
            ps->p++;
            continue;
          }
        if (ps->p < ps->end && *ps->p == ']')
          {
            ps->p++;
            break;
          }
        return syntax_error (ps, ps->p, "expected ‘,’ or ‘]’");
      }
  ps->depth--;
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, g_steal_pointer (&array));
  return node;
}

static JsonNode *
parse_value (Parser *ps)
{
  skip_space (ps);
  if (ps->p >= ps->end)
    return syntax_error (ps, ps->p, "the text ends where a value should follow");
  switch (*ps->p)
    {
    case '{':
      return parse_object (ps);
    case '[':
      return parse_array (ps);
    case '"':
      {
        char *s;
        JsonNode *node;

        ps->p++;
        if ((s = parse_string (ps)) == NULL)
          return NULL;
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, s);
        g_free (s);
        return node;
      }
    case 't':
    case 'f':
      {
        gboolean is_true = literal (ps, "true");

        if (is_true || literal (ps, "false"))
          {
            JsonNode *node = json_node_new (JSON_NODE_VALUE);
            json_node_set_boolean (node, is_true);
            return node;
          }
      }
      break;
    case 'n':
      if (literal (ps, "null"))
        return json_node_new (JSON_NODE_NULL);
      break;
    default:
      if (*ps->p == '-' || g_ascii_isdigit (*ps->p))
        return parse_number (ps);
      break;
    }
  return syntax_error (ps, ps->p, "expected a value (an object, array, string, number, "
                       "true, false or null)");
}

JsonNode *
ll_json_parse (const char *text,
               gssize      length,
               gsize       max_bytes,
               GError    **error)
{
  Parser ps = { 0 };
  gsize n;
  JsonNode *root;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_bytes == 0)
    max_bytes = LL_JSON_MAX_BYTES;
  n = length < 0 ? strlen (text) : (gsize) length;
  if (n > max_bytes)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("%.1f MB of JSON, more than the %.1f MB Layerlab reads for it; the file is "
                   "damaged or not a Layerlab file"), n / 1e6, max_bytes / 1e6);
      return NULL;
    }
  ps.start = ps.p = text;
  ps.end = text + n;
  ps.error = error;
  /* A byte-order mark some editors add. */
  if (n >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    ps.p += 3;
  root = parse_value (&ps);
  if (root == NULL)
    return NULL;
  skip_space (&ps);
  if (ps.p < ps.end)
    {
      json_node_unref (root);
      return syntax_error (&ps, ps.p, "more text after the end of the JSON value");
    }
  return root;
}

JsonNode *
ll_json_parse_file (const char *path,
                    gsize       max_bytes,
                    GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;
  GError *local = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_bytes == 0)
    max_bytes = LL_JSON_MAX_BYTES;
  /* ll_file_read: no FIFO, device or folder, never more than the limit. */
  if (!(bytes = ll_file_read (path, max_bytes, &local)))
    {
      /* Too large for a JSON document is a damaged file here. */
      if (g_error_matches (local, LL_ERROR, LL_ERROR_MEMORY))
        local->code = LL_ERROR_FORMAT;
      g_propagate_error (error, local);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &len);
  return ll_json_parse (len > 0 ? data : "", (gssize) len, max_bytes, error);
}

/* Writer ------------------------------------------------------------------- */

char *
ll_json_format_double (char   buf[LL_JSON_NUMBER_SIZE],
                       double v)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };

  if (!isfinite (v))
    {
      strcpy (buf, "null");
      return buf;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, LL_JSON_NUMBER_SIZE, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  /* "2" and "-0" would read back as integers; "1e-08" stays as it is. */
  if (strpbrk (buf, ".eE") == NULL)
    g_strlcat (buf, ".0", LL_JSON_NUMBER_SIZE);
  return buf;
}

char *
ll_json_format_float (char  buf[LL_JSON_NUMBER_SIZE],
                      float v)
{
  if (!isfinite (v))
    {
      strcpy (buf, "null");
      return buf;
    }
  for (int prec = 1; prec <= 9; prec++)
    {
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", prec);
      g_ascii_formatd (buf, LL_JSON_NUMBER_SIZE, format, v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  if (strpbrk (buf, ".eE") == NULL)
    g_strlcat (buf, ".0", LL_JSON_NUMBER_SIZE);
  return buf;
}

static void
append_string (GString    *out,
               const char *s)
{
  g_autofree char *valid = NULL;

  /* Strings in a JsonNode are UTF-8; a file name from elsewhere may not be. */
  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
newline (GString *out, LlJsonStyle style, int level)
{
  if (style != LL_JSON_PRETTY)
    return;
  g_string_append_c (out, '\n');
  for (int i = 0; i < level; i++)
    g_string_append (out, "  ");
}

static void
append_node (GString *out, JsonNode *node, LlJsonStyle style, int level)
{
  const char *comma = style == LL_JSON_COMPACT ? "," : style == LL_JSON_LINE ? ", " : ",";

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        const char *colon = style == LL_JSON_COMPACT ? ":" : style == LL_JSON_LINE ? ": " : " : ";
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append (out, comma);
            first = FALSE;
            newline (out, style, level + 1);
            append_string (out, name);
            g_string_append (out, colon);
            append_node (out, member, style, level + 1);
          }
        if (!first)
          newline (out, style, level);
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append (out, comma);
            newline (out, style, level + 1);
            append_node (out, json_array_get_element (array, i), style, level + 1);
          }
        if (n > 0)
          newline (out, style, level);
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      {
        char buf[LL_JSON_NUMBER_SIZE];
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          g_string_append (out, ll_json_format_double (buf, json_node_get_double (node)));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_STRING)
          append_string (out, json_node_get_string (node));
        else
          g_string_append (out, "null");
      }
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

void
ll_json_append (GString     *out,
                JsonNode    *node,
                LlJsonStyle  style)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (node != NULL);

  append_node (out, node, style, 0);
}

char *
ll_json_to_string (JsonNode    *node,
                   LlJsonStyle  style)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);

  out = g_string_new (NULL);
  append_node (out, node, style, 0);
  if (style == LL_JSON_PRETTY)
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

gboolean
ll_json_save (JsonNode    *node,
              LlJsonStyle  style,
              const char  *path,
              GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  text = ll_json_to_string (node, style);
  /* A FIFO or a device is refused; a failure leaves the old file. */
  if (!ll_file_save (path, text, strlen (text), NULL, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

/* Builder helpers ------------------------------------------------------------ */

void
ll_json_builder_add_double (JsonBuilder *builder,
                            double       v)
{
  if (isfinite (v))
    json_builder_add_double_value (builder, v);
  else
    json_builder_add_null_value (builder);
}

void
ll_json_builder_add_float (JsonBuilder *builder,
                           float        v)
{
  char buf[LL_JSON_NUMBER_SIZE];

  if (!isfinite (v))
    {
      json_builder_add_null_value (builder);
      return;
    }
  /* At most 9 significant digits: the double read from them is written
   * back as the same text (a double keeps 15). */
  json_builder_add_double_value (builder, g_ascii_strtod (ll_json_format_float (buf, v), NULL));
}

void
ll_json_builder_member_double (JsonBuilder *builder, const char *name, double v)
{
  json_builder_set_member_name (builder, name);
  ll_json_builder_add_double (builder, v);
}

void
ll_json_builder_member_int (JsonBuilder *builder, const char *name, gint64 v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, v);
}

void
ll_json_builder_member_bool (JsonBuilder *builder, const char *name, gboolean v)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, v);
}

void
ll_json_builder_member_string (JsonBuilder *builder, const char *name, const char *v)
{
  json_builder_set_member_name (builder, name);
  if (v != NULL)
    json_builder_add_string_value (builder, v);
  else
    json_builder_add_null_value (builder);
}
