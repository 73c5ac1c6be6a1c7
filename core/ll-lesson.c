/* ll-lesson.c: lesson files (docs/lessons.md) read and written through
 * ll-json, and the built-in lessons of core's GResource. */
#include "config.h"

#include "ll-lesson.h"

#include <glib/gi18n.h>
#include <string.h>

#include "layerlab-core-resources.h"
#include "ll-json.h"
#include "ll-types.h"

const char *const ll_lesson_cond_names[] = {
  "none", "training-started", "training-finished", "metric", "digit-drawn",
  "unit-clicked", "button-pressed", NULL
};

const char *const ll_lesson_metric_names[] = {
  "loss", "accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy", NULL
};

/* Memory ------------------------------------------------------------- */

LlLessonText *
ll_lesson_text_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
ll_lesson_text_set (LlLessonText *text, const char *lang, const char *value)
{
  g_return_if_fail (text != NULL && lang != NULL && value != NULL);
  g_hash_table_replace (text, g_strdup (lang), g_strdup (value));
}

static void
action_free (LlLessonAction *action)
{
  g_free (action->name);
  g_clear_pointer (&action->target, json_node_unref);
  g_free (action);
}

LlLessonStep *
ll_lesson_step_new (void)
{
  LlLessonStep *step = g_new0 (LlLessonStep, 1);

  step->text = ll_lesson_text_new ();
  step->setup = g_ptr_array_new_with_free_func ((GDestroyNotify) action_free);
  return step;
}

void
ll_lesson_step_add_action (LlLessonStep *step, const char *name, JsonNode *target)
{
  LlLessonAction *action = g_new0 (LlLessonAction, 1);

  action->name = g_strdup (name);
  action->target = target != NULL ? json_node_copy (target) : NULL;
  g_ptr_array_add (step->setup, action);
}

static void
step_free (LlLessonStep *step)
{
  g_clear_pointer (&step->title, g_hash_table_unref);
  g_clear_pointer (&step->text, g_hash_table_unref);
  g_clear_pointer (&step->setup, g_ptr_array_unref);
  g_free (step->highlight);
  g_free (step->condition.control);
  g_free (step->expect.view);
  g_free (step->expect.dataset);
  g_free (step);
}

LlLesson *
ll_lesson_new (const char *id)
{
  LlLesson *lesson = g_new0 (LlLesson, 1);

  lesson->id = g_strdup (id != NULL ? id : "lesson");
  lesson->title = ll_lesson_text_new ();
  lesson->locked = g_new0 (char *, 1);
  lesson->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  return lesson;
}

void
ll_lesson_free (LlLesson *lesson)
{
  if (lesson == NULL)
    return;
  g_free (lesson->id);
  g_clear_pointer (&lesson->title, g_hash_table_unref);
  g_clear_pointer (&lesson->summary, g_hash_table_unref);
  g_strfreev (lesson->locked);
  g_clear_pointer (&lesson->steps, g_ptr_array_unref);
  g_free (lesson);
}

/* Texts -------------------------------------------------------------- */

const char *
ll_lesson_text_pick (LlLessonText *text, const char *const *languages)
{
  GHashTableIter iter;
  gpointer value = NULL;

  if (text == NULL)
    return NULL;
  if (languages == NULL)
    languages = g_get_language_names ();
  for (int i = 0; languages[i] != NULL; i++)
    {
      const char *found = g_hash_table_lookup (text, languages[i]);
      if (found != NULL)
        return found;
    }
  value = g_hash_table_lookup (text, "en");
  if (value != NULL)
    return value;
  g_hash_table_iter_init (&iter, text);
  return g_hash_table_iter_next (&iter, NULL, &value) ? value : NULL;
}

/* Reading ------------------------------------------------------------ */

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, const char *where, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("This lesson cannot be opened: %s %s. "
                                                   "Correct the file (docs/lessons.md "
                                                   "describes the format) and open it again."),
               where, what);
  return FALSE;
}

static gboolean
only_members (JsonObject *obj, const char *const *allowed, const char *where, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *list = g_strjoinv (", ", (char **) allowed);
        return fail (error, where, _("has an unknown member “%s” (known: %s)"),
                     (const char *) l->data, list);
      }
  return TRUE;
}

static gboolean
get_string (JsonObject *obj, const char *name, gboolean required, const char **out,
            const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *out = NULL;
  if (node == NULL)
    return required ? fail (error, where, _("has no “%s”"), name) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, where, _("has a “%s” that is not a string"), name);
  *out = json_node_get_string (node);
  if (**out == '\0')
    return fail (error, where, _("has an empty “%s”"), name);
  return TRUE;
}

static gboolean
get_number (JsonNode *node, double *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}

/* {"en": "…", "ko": "…"}, English required unless english is FALSE. */
static LlLessonText *
read_text (JsonNode *node, const char *where, const char *name, GError **error)
{
  g_autoptr(GHashTable) text = ll_lesson_text_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, where, _("needs “%s” as an object of texts by language, "
                            "{\"en\": \"…\", \"ko\": \"…\"}"), name);
      return NULL;
    }
  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *lang = l->data;
      JsonNode *value = json_object_get_member (obj, lang);
      gboolean lang_ok = *lang != '\0' && strlen (lang) <= 16;

      for (const char *c = lang; lang_ok && *c != '\0'; c++)
        lang_ok = g_ascii_isalnum (*c) || *c == '_' || *c == '-' || *c == '@';
      if (!lang_ok)
        {
          fail (error, where, _("has “%s” in a language code that is not one: “%s”"), name, lang);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          fail (error, where, _("has a “%s” text in “%s” that is not a string"), name, lang);
          return NULL;
        }
      ll_lesson_text_set (text, lang, json_node_get_string (value));
    }
  if (g_hash_table_lookup (text, "en") == NULL)
    {
      fail (error, where, _("has no English (“en”) text in “%s”: English is what every "
                            "other language falls back to"), name);
      return NULL;
    }
  return g_steal_pointer (&text);
}

static gboolean
read_condition (JsonNode *node, LlLessonCondition *cond, const char *where, GError **error)
{
  static const char *const members[] = { "type", "metric", "above", "below", "control", NULL };
  JsonObject *obj;
  const char *type, *s;
  int kind = -1;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, where, _("has a “condition” that is not an object"));
  obj = json_node_get_object (node);
  if (!only_members (obj, members, where, error)
      || !get_string (obj, "type", TRUE, &type, where, error))
    return FALSE;
  for (int i = 0; ll_lesson_cond_names[i] != NULL; i++)
    if (g_str_equal (ll_lesson_cond_names[i], type))
      kind = i;
  if (kind < 0)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) ll_lesson_cond_names);
      return fail (error, where, _("has a condition of unknown type “%s” (known: %s)"), type, list);
    }
  cond->kind = kind;
  if (kind == LL_LESSON_COND_METRIC)
    {
      JsonNode *above = json_object_get_member (obj, "above");
      JsonNode *below = json_object_get_member (obj, "below");
      int metric = -1;

      if (!get_string (obj, "metric", TRUE, &s, where, error))
        return FALSE;
      for (int i = 0; ll_lesson_metric_names[i] != NULL; i++)
        if (g_str_equal (ll_lesson_metric_names[i], s))
          metric = i;
      if (metric < 0)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) ll_lesson_metric_names);
          return fail (error, where, _("has an unknown metric “%s” (known: %s)"), s, list);
        }
      cond->metric = metric;
      if ((above == NULL) == (below == NULL))
        return fail (error, where, _("needs exactly one of “above” and “below” in its metric condition"));
      cond->below = below != NULL;
      if (!get_number (below != NULL ? below : above, &cond->value))
        return fail (error, where, _("has an “%s” that is not a number"), below != NULL ? "below" : "above");
    }
  else if (json_object_has_member (obj, "metric") || json_object_has_member (obj, "above")
           || json_object_has_member (obj, "below"))
    return fail (error, where, _("has “metric”, “above” or “below” in a condition of type “%s”"), type);
  if (kind == LL_LESSON_COND_BUTTON_PRESSED)
    {
      if (!get_string (obj, "control", TRUE, &s, where, error))
        return FALSE;
      cond->control = g_strdup (s);
    }
  else if (json_object_has_member (obj, "control"))
    return fail (error, where, _("has “control” in a condition of type “%s”"), type);
  return TRUE;
}

static gboolean
valid_action_name (const char *name)
{
  const char *dot = strchr (name, '.');

  if (dot == NULL || dot == name || dot[1] == '\0' || strchr (dot + 1, '.') != NULL)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.' && *c != '_')
      return FALSE;
  return TRUE;
}

static gboolean
read_step (JsonNode *node, LlLessonStep *step, const char *where, GError **error)
{
  static const char *const members[] = { "title", "text", "setup", "highlight", "condition",
                                         "expect", NULL };
  JsonObject *obj;
  JsonNode *member;
  const char *s;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, where, _("is not an object"));
  obj = json_node_get_object (node);
  if (!only_members (obj, members, where, error))
    return FALSE;
  if ((member = json_object_get_member (obj, "title")) != NULL
      && (step->title = read_text (member, where, "title", error)) == NULL)
    return FALSE;
  g_clear_pointer (&step->text, g_hash_table_unref);
  if ((step->text = read_text (json_object_get_member (obj, "text"), where, "text", error)) == NULL)
    return FALSE;
  if ((member = json_object_get_member (obj, "setup")) != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        return fail (error, where, _("has a “setup” that is not a list of actions"));
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          static const char *const action_members[] = { "action", "target", NULL };
          JsonNode *a = json_array_get_element (array, i);
          g_autofree char *awhere = g_strdup_printf ("%s, setup %u,", where, i + 1);
          JsonNode *target;

          if (!JSON_NODE_HOLDS_OBJECT (a))
            return fail (error, awhere, _("is not an object {\"action\": …, \"target\": …}"));
          if (!only_members (json_node_get_object (a), action_members, awhere, error)
              || !get_string (json_node_get_object (a), "action", TRUE, &s, awhere, error))
            return FALSE;
          if (!valid_action_name (s))
            return fail (error, awhere, _("names “%s”, which is not an action name "
                                          "(group.name, e.g. window.show-view)"), s);
          target = json_object_get_member (json_node_get_object (a), "target");
          if (target != NULL && JSON_NODE_HOLDS_NULL (target))
            target = NULL;
          ll_lesson_step_add_action (step, s, target);
        }
    }
  if (!get_string (obj, "highlight", FALSE, &s, where, error))
    return FALSE;
  step->highlight = g_strdup (s);
  if ((member = json_object_get_member (obj, "condition")) != NULL
      && !read_condition (member, &step->condition, where, error))
    return FALSE;
  if ((member = json_object_get_member (obj, "expect")) != NULL)
    {
      static const char *const expect_members[] = { "params", "view", "dataset", NULL };
      JsonObject *e;
      JsonNode *params;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return fail (error, where, _("has an “expect” that is not an object"));
      e = json_node_get_object (member);
      if (!only_members (e, expect_members, where, error))
        return FALSE;
      params = json_object_get_member (e, "params");
      if (params != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (params) || json_node_get_value_type (params) != G_TYPE_INT64
              || json_node_get_int (params) <= 0)
            return fail (error, where, _("has an “expect” “params” that is not a positive integer"));
          step->expect.params = json_node_get_int (params);
        }
      if (!get_string (e, "view", FALSE, &s, where, error))
        return FALSE;
      step->expect.view = g_strdup (s);
      if (!get_string (e, "dataset", FALSE, &s, where, error))
        return FALSE;
      step->expect.dataset = g_strdup (s);
    }
  return TRUE;
}

LlLesson *
ll_lesson_from_json (JsonNode *root, const char *id, GError **error)
{
  static const char *const members[] = { "format", "version", "id", "title", "summary",
                                         "locked", "steps", NULL };
  g_autoptr(LlLesson) lesson = NULL;
  JsonObject *obj;
  JsonNode *member;
  const char *s;
  double version;
  JsonArray *steps;

  g_return_val_if_fail (root != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, _("the file"), _("is not a JSON object"));
      return NULL;
    }
  obj = json_node_get_object (root);
  if (!get_string (obj, "format", TRUE, &s, _("the file"), error))
    return NULL;
  if (!g_str_equal (s, LL_LESSON_FORMAT))
    {
      fail (error, _("the file"), _("is a “%s” file, not a lesson (“%s”)"), s, LL_LESSON_FORMAT);
      return NULL;
    }
  if (!get_number (json_object_get_member (obj, "version"), &version) || version != (int) version)
    {
      fail (error, _("the file"), _("has no integer “version”"));
      return NULL;
    }
  if (version > LL_LESSON_VERSION || version < 1)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("This lesson is in version %d of the lesson format; this Layerlab reads "
                     "version %d. Open it with a newer Layerlab."), (int) version, LL_LESSON_VERSION);
      return NULL;
    }
  if (!only_members (obj, members, _("the file"), error))
    return NULL;
  if (!get_string (obj, "id", FALSE, &s, _("the file"), error))
    return NULL;
  lesson = ll_lesson_new (s != NULL ? s : id);
  g_clear_pointer (&lesson->title, g_hash_table_unref);
  if ((lesson->title = read_text (json_object_get_member (obj, "title"), _("the file"),
                                  "title", error)) == NULL)
    return NULL;
  if ((member = json_object_get_member (obj, "summary")) != NULL
      && (lesson->summary = read_text (member, _("the file"), "summary", error)) == NULL)
    return NULL;
  if ((member = json_object_get_member (obj, "locked")) != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          fail (error, _("the file"), _("has a “locked” that is not a list of control names"));
          return NULL;
        }
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING
              || *json_node_get_string (e) == '\0')
            {
              fail (error, _("the file"), _("has a “locked” entry that is not a control name"));
              return NULL;
            }
          g_strv_builder_add (builder, json_node_get_string (e));
        }
      g_strfreev (lesson->locked);
      lesson->locked = g_strv_builder_end (builder);
    }
  member = json_object_get_member (obj, "steps");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member)
      || json_array_get_length (json_node_get_array (member)) == 0)
    {
      fail (error, _("the file"), _("has no “steps” (a list of at least one step)"));
      return NULL;
    }
  steps = json_node_get_array (member);
  if (json_array_get_length (steps) > LL_LESSON_MAX_STEPS)
    {
      fail (error, _("the file"), _("has more than %d steps"), LL_LESSON_MAX_STEPS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      LlLessonStep *step = ll_lesson_step_new ();
      g_autofree char *where = g_strdup_printf (_("step %u"), i + 1);

      g_ptr_array_add (lesson->steps, step);
      if (!read_step (json_array_get_element (steps, i), step, where, error))
        return NULL;
    }
  return g_steal_pointer (&lesson);
}

static char *
id_from_path (const char *path)
{
  char *base = g_path_get_basename (path);

  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - 5] = '\0';
  return base;
}

LlLesson *
ll_lesson_load (const char *path, GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  root = ll_json_parse_file (path, LL_LESSON_MAX_BYTES, error);
  if (root == NULL)
    return NULL;
  id = id_from_path (path);
  return ll_lesson_from_json (root, id, error);
}

LlLesson *
ll_lesson_load_bytes (GBytes *bytes, const char *id, GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  root = ll_json_parse (data, size, LL_LESSON_MAX_BYTES, error);
  if (root == NULL)
    return NULL;
  return ll_lesson_from_json (root, id, error);
}

LlLesson *
ll_lesson_load_builtin (const char *id, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", LL_LESSON_RESOURCE_DIR, id);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (layerlab_core_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  if (bytes == NULL)
    {
      g_auto(GStrv) ids = ll_lesson_list_builtin ();
      g_autofree char *list = g_strjoinv (", ", ids);
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                   _("There is no built-in lesson “%s”. The built-in lessons are: %s."), id, list);
      return NULL;
    }
  return ll_lesson_load_bytes (bytes, id, error);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

GStrv
ll_lesson_list_builtin (void)
{
  g_auto(GStrv) names = g_resource_enumerate_children (layerlab_core_get_resource (),
                                                       LL_LESSON_RESOURCE_DIR,
                                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  GPtrArray *ids = g_ptr_array_new ();

  for (int i = 0; names != NULL && names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], ".json"))
      g_ptr_array_add (ids, g_strndup (names[i], strlen (names[i]) - 5));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (ids, FALSE);
}

/* Writing ------------------------------------------------------------ */

static int
compare_langs (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;

  /* English first, the others by code. */
  if (g_str_equal (x, "en") != g_str_equal (y, "en"))
    return g_str_equal (x, "en") ? -1 : 1;
  return strcmp (x, y);
}

static void
add_text (JsonBuilder *b, const char *name, LlLessonText *text)
{
  g_autofree const char **langs = NULL;
  guint n;

  if (text == NULL)
    return;
  langs = (const char **) g_hash_table_get_keys_as_array (text, &n);
  qsort (langs, n, sizeof *langs, compare_langs);
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    ll_json_builder_member_string (b, langs[i], g_hash_table_lookup (text, langs[i]));
  json_builder_end_object (b);
}

JsonNode *
ll_lesson_to_json (const LlLesson *lesson)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  ll_json_builder_member_string (b, "format", LL_LESSON_FORMAT);
  ll_json_builder_member_int (b, "version", LL_LESSON_VERSION);
  ll_json_builder_member_string (b, "id", lesson->id);
  add_text (b, "title", lesson->title);
  add_text (b, "summary", lesson->summary);
  if (lesson->locked[0] != NULL)
    {
      json_builder_set_member_name (b, "locked");
      json_builder_begin_array (b);
      for (int i = 0; lesson->locked[i] != NULL; i++)
        json_builder_add_string_value (b, lesson->locked[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < lesson->steps->len; i++)
    {
      const LlLessonStep *step = g_ptr_array_index (lesson->steps, i);
      const LlLessonCondition *c = &step->condition;

      json_builder_begin_object (b);
      add_text (b, "title", step->title);
      add_text (b, "text", step->text);
      if (step->setup->len > 0)
        {
          json_builder_set_member_name (b, "setup");
          json_builder_begin_array (b);
          for (guint j = 0; j < step->setup->len; j++)
            {
              const LlLessonAction *a = g_ptr_array_index (step->setup, j);
              json_builder_begin_object (b);
              ll_json_builder_member_string (b, "action", a->name);
              if (a->target != NULL)
                {
                  json_builder_set_member_name (b, "target");
                  json_builder_add_value (b, json_node_copy (a->target));
                }
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      if (step->highlight != NULL)
        ll_json_builder_member_string (b, "highlight", step->highlight);
      if (c->kind != LL_LESSON_COND_NONE)
        {
          json_builder_set_member_name (b, "condition");
          json_builder_begin_object (b);
          ll_json_builder_member_string (b, "type", ll_lesson_cond_names[c->kind]);
          if (c->kind == LL_LESSON_COND_METRIC)
            {
              ll_json_builder_member_string (b, "metric", ll_lesson_metric_names[c->metric]);
              ll_json_builder_member_double (b, c->below ? "below" : "above", c->value);
            }
          if (c->control != NULL)
            ll_json_builder_member_string (b, "control", c->control);
          json_builder_end_object (b);
        }
      if (step->expect.params > 0 || step->expect.view != NULL || step->expect.dataset != NULL)
        {
          json_builder_set_member_name (b, "expect");
          json_builder_begin_object (b);
          if (step->expect.params > 0)
            ll_json_builder_member_int (b, "params", step->expect.params);
          if (step->expect.view != NULL)
            ll_json_builder_member_string (b, "view", step->expect.view);
          if (step->expect.dataset != NULL)
            ll_json_builder_member_string (b, "dataset", step->expect.dataset);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
ll_lesson_save (const LlLesson *lesson, const char *path, GError **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (lesson != NULL && path != NULL, FALSE);
  root = ll_lesson_to_json (lesson);
  return ll_json_save (root, LL_JSON_PRETTY, path, error);
}

/* Targets ------------------------------------------------------------ */

GVariant *
ll_lesson_target_to_variant (JsonNode *target, const GVariantType *type, GError **error)
{
  double number;

  if (type == NULL)
    {
      if (target == NULL)
        return NULL;
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("takes no target, but the lesson gives one"));
      return NULL;
    }
  if (target == NULL)
    {
      g_autofree char *t = g_variant_type_dup_string (type);
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("needs a target of type “%s”"), t);
      return NULL;
    }
  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
    {
      if (JSON_NODE_HOLDS_VALUE (target) && json_node_get_value_type (target) == G_TYPE_STRING)
        return g_variant_new_string (json_node_get_string (target));
      if (JSON_NODE_HOLDS_OBJECT (target) || JSON_NODE_HOLDS_ARRAY (target))
        {
          g_autofree char *text = ll_json_to_string (target, LL_JSON_COMPACT);
          return g_variant_new_string (text);
        }
    }
  else if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    {
      if (JSON_NODE_HOLDS_VALUE (target) && json_node_get_value_type (target) == G_TYPE_BOOLEAN)
        return g_variant_new_boolean (json_node_get_boolean (target));
    }
  else if (g_variant_type_equal (type, G_VARIANT_TYPE_DOUBLE))
    {
      if (get_number (target, &number))
        return g_variant_new_double (number);
    }
  else if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32)
           || g_variant_type_equal (type, G_VARIANT_TYPE_UINT32)
           || g_variant_type_equal (type, G_VARIANT_TYPE_INT64))
    {
      if (JSON_NODE_HOLDS_VALUE (target) && json_node_get_value_type (target) == G_TYPE_INT64)
        {
          gint64 v = json_node_get_int (target);
          if (g_variant_type_equal (type, G_VARIANT_TYPE_INT64))
            return g_variant_new_int64 (v);
          if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32) && v >= G_MININT32 && v <= G_MAXINT32)
            return g_variant_new_int32 ((gint32) v);
          if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT32) && v >= 0 && v <= G_MAXUINT32)
            return g_variant_new_uint32 ((guint32) v);
        }
    }
  {
    g_autofree char *t = g_variant_type_dup_string (type);
    g_autofree char *given = ll_lesson_target_to_string (target);
    g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                 _("needs a target of type “%s” (a string for s, an integer for i, a number for d, "
                   "true or false for b), not %s"), t, given);
  }
  return NULL;
}

char *
ll_lesson_target_to_string (JsonNode *target)
{
  if (target == NULL)
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (target) && json_node_get_value_type (target) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (target));
  return ll_json_to_string (target, LL_JSON_LINE);
}
