/* test-json.c: the one JSON reader and writer (engine/ll-json.c). */
#include "ll-json.h"
#include "ll-types.h"
#include "ll-rng.h"

#include <float.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <math.h>
#include <string.h>

/* The values issue 19 lists, and their neighbours. */
static const double extreme_doubles[] = {
  1e-45, 1e-8, 2e-8, 3e-9, 1e38, -0.0, 0.0, 4.9406564584124654e-324, 2.2250738585072009e-308,
  2.2250738585072014e-308, 0.1, 1.0 / 3.0, 1e-79, 1e-7, 1e-5, 1e20, 1e16, 1e15, 123456789.0,
  DBL_MAX, -DBL_MAX, DBL_EPSILON, 1.4e-45, -1e-320, 0.30000000000000004, 2.0, -2.5, 1e300,
};

static const float extreme_floats[] = {
  1e-45f, 1e-8f, 2e-8f, 3e-9f, 1e38f, -0.0f, 0.0f, FLT_MIN, FLT_MAX, -FLT_MAX, FLT_EPSILON,
  0.1f, 1.0f / 3.0f, 1e-7f, 16777216.0f, 16777217.0f, 3.4028234e38f, 1.17549421e-38f,
};

static gboolean
same_double (double a, double b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

static double
double_from_bits (guint64 bits)
{
  double v;
  memcpy (&v, &bits, sizeof v);
  return v;
}

static float
float_from_bits (guint32 bits)
{
  float v;
  memcpy (&v, &bits, sizeof v);
  return v;
}

/* The writer's text, through the reader, is the same double (sign of
 * zero included) and a double again, never an integer. */
static void
check_double_round_trip (double v)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_node_set_double (node, v);
  text = ll_json_to_string (node, LL_JSON_COMPACT);
  back = ll_json_parse (text, -1, 0, &error);
  g_assert_no_error (error);
  if (json_node_get_value_type (back) != G_TYPE_DOUBLE || !same_double (json_node_get_double (back), v))
    g_error ("%.17g written as %s reads back as %.17g", v, text, json_node_get_double (back));
  /* Never longer than %.17g needs. */
  g_assert_cmpuint (strlen (text), <=, 24);
}

static void
test_double_round_trip (void)
{
  LlRng rng;

  for (gsize i = 0; i < G_N_ELEMENTS (extreme_doubles); i++)
    {
      check_double_round_trip (extreme_doubles[i]);
      check_double_round_trip (-extreme_doubles[i]);
    }
  /* Random bit patterns cover every exponent, subnormals included. */
  ll_rng_seed (&rng, 19);
  for (int i = 0; i < 100000; i++)
    {
      guint64 bits = ll_rng_next (&rng);
      double v = double_from_bits (bits);
      if (isfinite (v))
        check_double_round_trip (v);
    }
}

static void
test_double_shortest (void)
{
  static const struct { double v; const char *text; } cases[] = {
    { 1e-8, "1e-08" }, { 2e-8, "2e-08" }, { 3e-9, "3e-09" }, { 1e-79, "1e-79" }, { 0.1, "0.1" },
    { 1e38, "1e+38" }, { -0.0, "-0.0" }, { 2.0, "2.0" }, { 1e20, "1e+20" }, { 0.001, "0.001" },
    { 1.0 / 3.0, "0.3333333333333333" }, { 0.30000000000000004, "0.30000000000000004" },
    { 1e-45, "1e-45" }, { 4.9406564584124654e-324, "4.94065645841247e-324" },
  };
  char buf[LL_JSON_NUMBER_SIZE];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (ll_json_format_double (buf, cases[i].v), ==, cases[i].text);
  g_assert_cmpstr (ll_json_format_double (buf, NAN), ==, "null");
  g_assert_cmpstr (ll_json_format_double (buf, INFINITY), ==, "null");
  g_assert_cmpstr (ll_json_format_double (buf, -INFINITY), ==, "null");
}

static void
check_float_round_trip (float v)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char buf[LL_JSON_NUMBER_SIZE];
  float f;

  /* The formatter alone, read as a float. */
  ll_json_format_float (buf, v);
  f = (float) g_ascii_strtod (buf, NULL);
  if (memcmp (&f, &v, sizeof f) != 0)
    g_error ("float %.9g formatted as %s reads back as %.9g", v, buf, f);
  g_assert_cmpuint (strlen (buf), <=, 16);

  /* Through a document: stored as a double, read back as the same float. */
  json_builder_begin_array (b);
  ll_json_builder_add_float (b, v);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  text = ll_json_to_string (root, LL_JSON_COMPACT);
  back = ll_json_parse (text, -1, 0, &error);
  g_assert_no_error (error);
  f = (float) json_array_get_double_element (json_node_get_array (back), 0);
  if (memcmp (&f, &v, sizeof f) != 0)
    g_error ("float %.9g written as %s reads back as %.9g", v, text, f);
}

static void
test_float_round_trip (void)
{
  char buf[LL_JSON_NUMBER_SIZE];
  LlRng rng;

  for (gsize i = 0; i < G_N_ELEMENTS (extreme_floats); i++)
    {
      check_float_round_trip (extreme_floats[i]);
      check_float_round_trip (-extreme_floats[i]);
    }
  ll_rng_seed (&rng, 45);
  for (int i = 0; i < 100000; i++)
    {
      float v = float_from_bits ((guint32) ll_rng_next (&rng));
      if (isfinite (v))
        check_float_round_trip (v);
    }
  /* Short where the float allows it. */
  g_assert_cmpstr (ll_json_format_float (buf, 0.1f), ==, "0.1");
  g_assert_cmpstr (ll_json_format_float (buf, 1e-8f), ==, "1e-08");
  g_assert_cmpstr (ll_json_format_float (buf, 1e-45f), ==, "1e-45");
  g_assert_cmpstr (ll_json_format_float (buf, -0.0f), ==, "-0.0");
  g_assert_cmpstr (ll_json_format_float (buf, NAN), ==, "null");
}

/* Integers stay integers; NaN and infinities become null. */
static void
test_values (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (b);
  json_builder_add_int_value (b, G_MAXINT64);
  json_builder_add_int_value (b, G_MININT64);
  json_builder_add_int_value (b, 0);
  json_builder_add_double_value (b, NAN);
  ll_json_builder_add_double (b, INFINITY);
  json_builder_add_boolean_value (b, TRUE);
  json_builder_add_boolean_value (b, FALSE);
  json_builder_add_null_value (b);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  text = ll_json_to_string (root, LL_JSON_COMPACT);
  g_assert_cmpstr (text, ==, "[9223372036854775807,-9223372036854775808,0,null,null,true,false,null]");
}

static void
test_strings (void)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *s = "é 😀 \"quoted\" back\\slash\nnew\ttab\x01\x1f\x7f end";

  json_node_set_string (node, s);
  text = ll_json_to_string (node, LL_JSON_COMPACT);
  g_assert_cmpstr (text, ==, "\"é 😀 \\\"quoted\\\" back\\\\slash\\u000anew\\u0009tab\\u0001\\u001f\\u007f end\"");
  back = ll_json_parse (text, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (back), ==, s);

  /* Text that is not UTF-8 (a file name from elsewhere) still gives valid JSON. */
  {
    g_autoptr(JsonNode) bad = json_node_new (JSON_NODE_VALUE);
    g_autoptr(JsonNode) read = NULL;
    g_autofree char *out = NULL;

    json_node_set_string (bad, "caf\xe9.png");
    out = ll_json_to_string (bad, LL_JSON_COMPACT);
    read = ll_json_parse (out, -1, 0, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (json_node_get_string (read), "caf"));
  }
}

static void
test_styles (void)
{
  const char *doc = "{\"a\": 1, \"b\": [2.5, \"x\", {}], \"c\": {\"d\": null, \"e\": []}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = ll_json_parse (doc, -1, 0, &error);
  g_autofree char *compact = NULL, *line = NULL, *pretty = NULL;

  g_assert_no_error (error);
  compact = ll_json_to_string (root, LL_JSON_COMPACT);
  line = ll_json_to_string (root, LL_JSON_LINE);
  pretty = ll_json_to_string (root, LL_JSON_PRETTY);
  g_assert_cmpstr (compact, ==, "{\"a\":1,\"b\":[2.5,\"x\",{}],\"c\":{\"d\":null,\"e\":[]}}");
  g_assert_cmpstr (line, ==, "{\"a\": 1, \"b\": [2.5, \"x\", {}], \"c\": {\"d\": null, \"e\": []}}");
  g_assert_cmpstr (pretty, ==,
                   "{\n"
                   "  \"a\" : 1,\n"
                   "  \"b\" : [\n"
                   "    2.5,\n"
                   "    \"x\",\n"
                   "    {}\n"
                   "  ],\n"
                   "  \"c\" : {\n"
                   "    \"d\" : null,\n"
                   "    \"e\" : []\n"
                   "  }\n"
                   "}\n");
  /* Members keep their order. */
  {
    g_autoptr(JsonNode) again = ll_json_parse (pretty, -1, 0, &error);
    g_autofree char *compact2 = ll_json_to_string (again, LL_JSON_COMPACT);
    g_assert_no_error (error);
    g_assert_cmpstr (compact2, ==, compact);
  }
}

static void
test_parse_numbers (void)
{
  static const struct { const char *text; GType type; double value; } cases[] = {
    { "0", G_TYPE_INT64, 0 }, { "-0", G_TYPE_DOUBLE, -0.0 }, { "-0.0", G_TYPE_DOUBLE, -0.0 },
    { "12", G_TYPE_INT64, 12 }, { "-9223372036854775808", G_TYPE_INT64, -9223372036854775808.0 },
    /* Beyond 64 bits: the nearest double, never a wrapped integer. */
    { "123456789012345678901", G_TYPE_DOUBLE, 123456789012345678901.0 },
    { "1e-8", G_TYPE_DOUBLE, 1e-8 }, { "1E+5", G_TYPE_DOUBLE, 1e5 }, { "2.5e-3", G_TYPE_DOUBLE, 2.5e-3 },
    { "1e-400", G_TYPE_DOUBLE, 0.0 }, { "4.9e-324", G_TYPE_DOUBLE, 4.9406564584124654e-324 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = ll_json_parse (cases[i].text, -1, 0, &error);

      g_assert_no_error (error);
      g_assert_true (json_node_get_value_type (node) == cases[i].type);
      if (cases[i].type == G_TYPE_DOUBLE)
        g_assert_true (same_double (json_node_get_double (node), cases[i].value));
      else
        g_assert_cmpfloat ((double) json_node_get_int (node), ==, cases[i].value);
    }
}

static void
test_parse_errors (void)
{
  static const struct { const char *text; const char *in_message; } cases[] = {
    { "", "ends where a value" },
    { "   ", "ends where a value" },
    { "{\"a\": 1", "expected ‘,’ or ‘}’" },
    { "{\"a\" 1}", "expected ‘:’" },
    { "{a: 1}", "member name" },
    { "[1, 2", "expected ‘,’ or ‘]’" },
    { "[1,]", "expected a value" },
    { "[01]", "malformed number" },
    { "[1.]", "decimal point" },
    { "[1e]", "exponent" },
    { "[-]", "without digits" },
    { "[1e999]", "too large" },
    { "[NaN]", "expected a value" },
    { "[Infinity]", "expected a value" },
    { "[1e-08.0]", "malformed number" },   /* what json-glib 1.6 writes for 1e-8 */
    { "[tru]", "expected a value" },
    { "[truex]", "expected a value" },
    { "\"abc", "never ends" },
    { "\"a\nb\"", "control character" },
    { "\"\\x\"", "unknown escape" },
    { "\"\\u12\"", "four hex digits" },
    { "\"\\ud83d\"", "high surrogate" },
    { "\"\\ude00\"", "low surrogate" },
    { "\"\\u0000\"", "NUL" },
    { "\"caf\xe9\"", "UTF-8" },
    { "{} {}", "more text after" },
    { "[1]\n[2]", "line 2, column 1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = ll_json_parse (cases[i].text, -1, 0, &error);

      if (node != NULL)
        g_error ("accepted: %s", cases[i].text);
      g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
      g_assert_true (g_str_has_prefix (error->message, "not valid JSON"));
      if (strstr (error->message, cases[i].in_message) == NULL)
        g_error ("%s: message “%s” does not mention “%s”", cases[i].text, error->message,
                 cases[i].in_message);
    }

  /* A NUL byte inside the given length is not JSON either. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (ll_json_parse ("[1,\0 2]", 7, 0, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  }
}

/* 100,000 levels: refused at level 65, without recursing further. */
static void
test_depth_and_size (void)
{
  GString *deep = g_string_new ("{\"runs\": ");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ok = NULL;

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (ll_json_parse (deep->str, (gssize) deep->len, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "nested more than 64 levels"));
  g_clear_error (&error);
  g_string_free (deep, TRUE);

  /* Exactly the limit is fine. */
  deep = g_string_new (NULL);
  for (int i = 0; i < LL_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < LL_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  ok = ll_json_parse (deep->str, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  g_string_free (deep, TRUE);

  g_assert_null (ll_json_parse ("[1, 2, 3]", -1, 8, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "MB"));
}

static void
test_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-json-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "a.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) back = NULL;

  root = ll_json_parse ("{\"lr\": 1e-8, \"eps\": 1e-79, \"z\": -0.0}", -1, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ll_json_save (root, LL_JSON_PRETTY, path, &error));
  g_assert_no_error (error);
  back = ll_json_parse_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (root, back));
  g_assert_true (signbit (json_object_get_double_member (json_node_get_object (back), "z")));

  g_assert_null (ll_json_parse_file (path, 10, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (ll_json_parse_file (missing, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ll_json_parse_file (dir, 0, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
  g_clear_error (&error);
  /* A FIFO with no writer: refused at once instead of blocking. */
  if (mkfifo (fifo, 0600) == 0)
    {
      g_assert_null (ll_json_parse_file (fifo, 0, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_IO);
      g_clear_error (&error);
      g_unlink (fifo);
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/json/double-round-trip", test_double_round_trip);
  g_test_add_func ("/engine/json/double-shortest", test_double_shortest);
  g_test_add_func ("/engine/json/float-round-trip", test_float_round_trip);
  g_test_add_func ("/engine/json/values", test_values);
  g_test_add_func ("/engine/json/strings", test_strings);
  g_test_add_func ("/engine/json/styles", test_styles);
  g_test_add_func ("/engine/json/parse-numbers", test_parse_numbers);
  g_test_add_func ("/engine/json/parse-errors", test_parse_errors);
  g_test_add_func ("/engine/json/depth-and-size", test_depth_and_size);
  g_test_add_func ("/engine/json/files", test_files);
  return g_test_run ();
}
