/* ll-cli-lessons.c: `layerlab lessons` lists the built-in lessons
 * (docs/lessons.md); `layerlab lessons FILE…` reads lesson files and says
 * what is wrong with them.  Which actions and controls a lesson names is
 * checked by the window when it opens the lesson. */
#include "config.h"

#include "ll-cli-private.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ll-json.h"
#include "ll-lesson.h"

static void
print_lesson (const LlLesson *lesson, gboolean json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (b);
      ll_json_builder_member_string (b, "id", lesson->id);
      ll_json_builder_member_string (b, "title", ll_lesson_text_pick (lesson->title, NULL));
      ll_json_builder_member_int (b, "steps", lesson->steps->len);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      line = ll_json_to_string (root, LL_JSON_LINE);
      printf ("%s\n", line);
    }
  else
    printf ("%-26s %2u %-8s %s\n", lesson->id, lesson->steps->len,
            lesson->steps->len == 1 ? _("step") : _("steps"),
            ll_lesson_text_pick (lesson->title, NULL));
}

int
ll_cli_lessons (int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object per line"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[FILE…] - the built-in lessons, or check lesson files"));
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Open a lesson in the window with "
                                               "`layerlab --lesson ID-or-FILE`."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "layerlab lessons: %s\n", error->message);
      return 2;
    }
  if (files == NULL)
    {
      g_auto(GStrv) ids = ll_lesson_list_builtin ();
      for (int i = 0; ids[i] != NULL; i++)
        {
          g_autoptr(LlLesson) lesson = ll_lesson_load_builtin (ids[i], &error);
          if (lesson == NULL)
            {
              fprintf (stderr, "layerlab lessons: %s: %s\n", ids[i], error->message);
              g_clear_error (&error);
              status = 1;
              continue;
            }
          print_lesson (lesson, json);
        }
      return status;
    }
  for (int i = 0; files[i] != NULL; i++)
    {
      g_autoptr(LlLesson) lesson = ll_lesson_load (files[i], &error);
      if (lesson == NULL)
        {
          fprintf (stderr, "layerlab lessons: %s: %s\n", files[i], error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      print_lesson (lesson, json);
    }
  return status;
}
