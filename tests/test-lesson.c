/* test-lesson.c: lesson files without a display: the built-in lessons
 * read, a lesson written and read back is the same, the user's language
 * is chosen with English as the fallback, malformed files give an error
 * that names the step and the member, and conditions are met through the
 * document's and the training run's signals. */
#include "ll-lesson.h"
#include "ll-lesson-watch.h"
#include "ll-json.h"
#include "ll-test-util.h"
#include "ll-types.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_builtin (void)
{
  g_auto(GStrv) ids = ll_lesson_list_builtin ();

  g_assert_nonnull (ids);
  g_assert_true (g_strv_contains ((const char *const *) ids, "tutorial-000"));
  for (int i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LlLesson) lesson = ll_lesson_load_builtin (ids[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (lesson->id, ==, ids[i]);
      g_assert_cmpuint (lesson->steps->len, >, 0);
      /* Every text of a built-in lesson is in Korean and English. */
      g_assert_nonnull (g_hash_table_lookup (lesson->title, "ko"));
      g_assert_nonnull (g_hash_table_lookup (lesson->title, "en"));
      for (guint s = 0; s < lesson->steps->len; s++)
        {
          LlLessonStep *step = g_ptr_array_index (lesson->steps, s);
          if (g_hash_table_lookup (step->text, "ko") == NULL)
            g_error ("%s step %u has no Korean text", ids[i], s + 1);
          if (step->title != NULL && g_hash_table_lookup (step->title, "ko") == NULL)
            g_error ("%s step %u has no Korean title", ids[i], s + 1);
        }
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (ll_lesson_load_builtin ("no-such-lesson", &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "tutorial-000"));
  }
}

static void
test_language (void)
{
  g_autoptr(GHashTable) text = ll_lesson_text_new ();
  const char *const korean[] = { "ko_KR.UTF-8", "ko_KR", "ko", "C", NULL };
  const char *const french[] = { "fr_FR.UTF-8", "fr_FR", "fr", "C", NULL };

  ll_lesson_text_set (text, "en", "Train");
  ll_lesson_text_set (text, "ko", "학습");
  g_assert_cmpstr (ll_lesson_text_pick (text, korean), ==, "학습");
  g_assert_cmpstr (ll_lesson_text_pick (text, french), ==, "Train");
  ll_lesson_text_set (text, "fr_FR", "Entraîner");
  g_assert_cmpstr (ll_lesson_text_pick (text, french), ==, "Entraîner");
}

/* A lesson with every kind of member, written, read back, written again:
 * the two texts are equal. */
static void
test_round_trip (void)
{
  g_autoptr(LlLesson) lesson = ll_lesson_new ("mine");
  g_autoptr(LlLesson) back = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-lesson-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mine.json", NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  LlLessonStep *step;

  ll_lesson_text_set (lesson->title, "en", "My lesson \"quoted\"");
  ll_lesson_text_set (lesson->title, "ko", "나의 수업");
  g_strfreev (lesson->locked);
  lesson->locked = g_strsplit ("optimizer,fit-batch_size", ",", -1);

  step = ll_lesson_step_new ();
  ll_lesson_text_set (step->text, "en", "Line one\nline two é 😀");
  target = json_from_string ("{\"epochs\": 2, \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.1}}", NULL);
  ll_lesson_step_add_action (step, "window.apply-settings", target);
  g_clear_pointer (&target, json_node_unref);
  target = json_from_string ("3", NULL);
  ll_lesson_step_add_action (step, "window.select-layer", target);
  ll_lesson_step_add_action (step, "train.start", NULL);
  step->highlight = g_strdup ("start_button");
  step->condition.kind = LL_LESSON_COND_METRIC;
  step->condition.metric = LL_LESSON_METRIC_VAL_ACCURACY;
  step->condition.value = 0.1;
  step->expect.params = 101770;
  step->expect.view = g_strdup ("train");
  g_ptr_array_add (lesson->steps, step);

  step = ll_lesson_step_new ();
  step->title = ll_lesson_text_new ();
  ll_lesson_text_set (step->title, "en", "Press");
  ll_lesson_text_set (step->text, "en", "Press it");
  step->condition.kind = LL_LESSON_COND_BUTTON_PRESSED;
  step->condition.control = g_strdup ("random_button");
  g_ptr_array_add (lesson->steps, step);

  g_assert_true (ll_lesson_save (lesson, path, &error));
  g_assert_no_error (error);
  back = ll_lesson_load (path, &error);
  g_assert_no_error (error);
  first = ll_lesson_to_json (lesson);
  second = ll_lesson_to_json (back);
  a = ll_json_to_string (first, LL_JSON_PRETTY);
  b = ll_json_to_string (second, LL_JSON_PRETTY);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpuint (back->steps->len, ==, 2);
  g_assert_cmpstr (back->locked[1], ==, "fit-batch_size");
  step = g_ptr_array_index (back->steps, 0);
  g_assert_cmpint (step->condition.kind, ==, LL_LESSON_COND_METRIC);
  g_assert_cmpfloat (step->condition.value, ==, 0.1);
  g_assert_cmpuint (step->setup->len, ==, 3);

  /* Targets become the actions' parameters. */
  {
    LlLessonAction *act = g_ptr_array_index (step->setup, 0);
    g_autoptr(GVariant) v = g_variant_ref_sink (ll_lesson_target_to_variant (act->target, G_VARIANT_TYPE_STRING, &error));
    g_autoptr(GVariant) i = NULL;
    g_autoptr(GVariant) none = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (strstr (g_variant_get_string (v, NULL), "\"epochs\":2"));
    act = g_ptr_array_index (step->setup, 1);
    i = g_variant_ref_sink (ll_lesson_target_to_variant (act->target, G_VARIANT_TYPE_INT32, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_variant_get_int32 (i), ==, 3);
    g_assert_null (ll_lesson_target_to_variant (act->target, G_VARIANT_TYPE_BOOLEAN, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
    g_clear_error (&error);
    none = ll_lesson_target_to_variant (NULL, NULL, &error);
    g_assert_null (none);
    g_assert_no_error (error);
  }
  g_unlink (path);
  g_rmdir (dir);
}

typedef struct {
  const char *json;
  const char *says;    /* a part of the message */
} Bad;

static void
test_malformed (void)
{
  static const Bad bad[] = {
    { "[]", "not a JSON object" },
    { "{\"format\": \"layerlab-model\", \"version\": 1}", "not a lesson" },
    { "{\"format\": \"layerlab-lesson\"}", "version" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 7, \"title\": {\"en\": \"x\"}, \"steps\": []}",
      "Open it with a newer Layerlab" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}}", "steps" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"ko\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}}]}", "English" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"condtion\": {}}]}", "step 1 has an unknown member “condtion”" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}}, {\"text\": {\"en\": 3}}]}", "step 2" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"condition\": {\"type\": \"coffee\"}}]}", "unknown type “coffee”" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"condition\": {\"type\": \"metric\", \"metric\": \"accuracy\"}}]}",
      "exactly one of “above” and “below”" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"condition\": {\"type\": \"metric\", \"metric\": \"f1\", \"above\": 1}}]}",
      "unknown metric “f1”" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"condition\": {\"type\": \"button-pressed\"}}]}", "no “control”" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"setup\": [{\"action\": \"show-view\"}]}]}", "not an action name" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"setup\": {\"action\": \"window.new\"}}]}", "list of actions" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"steps\": [{\"text\": {\"en\": \"a\"}, \"expect\": {\"params\": -3}}]}", "positive integer" },
    { "{\"format\": \"layerlab-lesson\", \"version\": 1, \"title\": {\"en\": \"x\"}, "
      "\"locked\": [1], \"steps\": [{\"text\": {\"en\": \"a\"}}]}", "locked" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = ll_json_parse (bad[i].json, -1, 0, &error);
      g_autoptr(LlLesson) lesson = NULL;

      g_assert_no_error (error);
      lesson = ll_lesson_from_json (root, "bad", &error);
      g_assert_null (lesson);
      g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
      if (strstr (error->message, bad[i].says) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": “%s” does not say “%s”", i, error->message, bad[i].says);
    }

  /* Not JSON, too deep, too large, absent: the reader's errors. */
  {
    g_autofree char *dir = g_dir_make_tmp ("ll-lesson-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "broken.json", NULL);
    g_autofree char *deep = g_strnfill (200, '[');
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) big = g_string_new ("{\"x\": \"");

    g_assert_true (g_file_set_contents (path, "{\"format\": \"layerlab-lesson\", ", -1, NULL));
    g_assert_null (ll_lesson_load (path, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (path, deep, -1, NULL));
    g_assert_null (ll_lesson_load (path, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
    g_clear_error (&error);
    while (big->len <= LL_LESSON_MAX_BYTES)
      g_string_append (big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    g_string_append (big, "\"}");
    g_assert_true (g_file_set_contents (path, big->str, big->len, NULL));
    g_assert_null (ll_lesson_load (path, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_FORMAT);
    g_clear_error (&error);
    g_unlink (path);
    g_assert_null (ll_lesson_load (path, &error));
    g_assert_nonnull (error);
    g_rmdir (dir);
  }
}

static void
on_met (LlLessonWatch *watch, int *n)
{
  (*n)++;
}

static void
on_progress (LlLessonWatch *watch, double fraction, double *last)
{
  g_assert_cmpfloat (fraction, >=, *last);
  *last = fraction;
}

static void
test_watch_document (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  LlLessonCondition drawn = { .kind = LL_LESSON_COND_DIGIT_DRAWN };
  LlLessonCondition unit = { .kind = LL_LESSON_COND_UNIT_CLICKED };
  LlLessonCondition button = { .kind = LL_LESSON_COND_BUTTON_PRESSED, .control = (char *) "x" };
  g_autoptr(LlLessonWatch) w1 = ll_lesson_watch_new (doc, &drawn);
  g_autoptr(LlLessonWatch) w2 = ll_lesson_watch_new (doc, &unit);
  g_autoptr(LlLessonWatch) w3 = ll_lesson_watch_new (doc, &button);
  float digit[28 * 28] = { 0 };
  int n1 = 0, n2 = 0, n3 = 0;

  g_signal_connect (w1, "met", G_CALLBACK (on_met), &n1);
  g_signal_connect (w2, "met", G_CALLBACK (on_met), &n2);
  g_signal_connect (w3, "met", G_CALLBACK (on_met), &n3);
  /* Clearing the pad is not drawing a digit. */
  ll_document_set_drawn_input (doc, NULL);
  g_assert_false (ll_lesson_watch_get_met (w1));
  ll_document_explain_unit (doc, 2);
  g_assert_cmpint (n2, ==, 1);
  g_assert_cmpint (n1, ==, 0);
  digit[300] = 1;
  ll_document_set_drawn_input (doc, digit);
  ll_document_set_drawn_input (doc, digit);
  g_assert_cmpint (n1, ==, 1);
  g_assert_true (ll_lesson_watch_get_met (w1));
  g_assert_false (ll_lesson_watch_get_met (w3));
  ll_lesson_watch_satisfy (w3);
  ll_lesson_watch_satisfy (w3);
  g_assert_cmpint (n3, ==, 1);
  g_assert_cmpint (n2, ==, 1);
}

/* A real run on synthetic data, handed to the document as the Train
 * view does: started, finished, a metric past its value, progress. */
static void
test_watch_training (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(LlTrainingData) data = ll_training_data_new (ll_test_synthetic (600, 28, 28, 1, 10, 3),
                                                         ll_test_synthetic (200, 28, 28, 1, 10, 4));
  LlLessonCondition started = { .kind = LL_LESSON_COND_TRAINING_STARTED };
  LlLessonCondition finished = { .kind = LL_LESSON_COND_TRAINING_FINISHED };
  LlLessonCondition accurate = { .kind = LL_LESSON_COND_METRIC,
                                 .metric = LL_LESSON_METRIC_TEST_ACCURACY, .value = 0.5 };
  LlLessonCondition impossible = { .kind = LL_LESSON_COND_METRIC,
                                   .metric = LL_LESSON_METRIC_LOSS, .below = TRUE, .value = -1 };
  g_autoptr(LlLessonWatch) w1 = ll_lesson_watch_new (doc, &started);
  g_autoptr(LlLessonWatch) w2 = ll_lesson_watch_new (doc, &finished);
  g_autoptr(LlLessonWatch) w3 = ll_lesson_watch_new (doc, &accurate);
  g_autoptr(LlLessonWatch) w4 = ll_lesson_watch_new (doc, &impossible);
  g_autoptr(LlTrainingJob) job = NULL;
  g_autoptr(GError) error = NULL;
  LlFitConfig cfg;
  LlTrainer *trainer;
  double last = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  ll_fit_config_init (&cfg);
  cfg.epochs = 3;
  cfg.optim.learning_rate = 0.01;
  trainer = ll_trainer_new (ll_model_copy (ll_document_get_model (doc)), &cfg);
  ll_fit_config_clear (&cfg);
  job = ll_training_job_new (trainer, data, NULL);
  g_signal_connect (w2, "progress", G_CALLBACK (on_progress), &last);
  g_assert_cmpfloat (ll_lesson_watch_get_fraction (w2), ==, -1);
  ll_document_set_training_job (doc, job);
  g_assert_true (ll_lesson_watch_get_met (w1));
  g_assert_true (ll_training_job_start (job, &error));
  g_assert_no_error (error);
  while (!ll_lesson_watch_get_met (w2) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  /* The Train view lets go of the run when it ends. */
  ll_document_set_training_job (doc, NULL);
  g_assert_true (ll_lesson_watch_get_met (w2));
  g_assert_true (ll_lesson_watch_get_met (w3));
  g_assert_false (ll_lesson_watch_get_met (w4));
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_nonnull (ll_lesson_watch_get_status (w2));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/lesson/builtin", test_builtin);
  g_test_add_func ("/core/lesson/language", test_language);
  g_test_add_func ("/core/lesson/round-trip", test_round_trip);
  g_test_add_func ("/core/lesson/malformed", test_malformed);
  g_test_add_func ("/core/lesson/watch-document", test_watch_document);
  g_test_add_func ("/core/lesson/watch-training", test_watch_training);
  return g_test_run ();
}
