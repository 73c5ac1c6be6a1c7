/* test-fit-config.c: the training settings' table, defaults, validation
 * and JSON schema (engine/ll-fit-config.c). */
#include "ll-fit-config.h"
#include "ll-json.h"
#include "ll-types.h"

#include <math.h>
#include <string.h>

/* The table is consistent: every default valid, JSON names unique within
 * their group, choices complete, form ranges inside the valid ranges. */
static void
test_table (void)
{
  LlFitConfig c;

  ll_fit_config_init (&c);
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const LlFitSpec *spec = ll_fit_spec ((LlFitField) f);

      g_assert_nonnull (spec->name);
      g_assert_nonnull (spec->label);
      g_assert_nonnull (spec->tooltip);
      g_assert_nonnull (spec->subject);
      if (spec->type == LL_FIT_TYPE_CHOICE)
        {
          g_assert_nonnull (spec->choices);
          g_assert_cmpuint (g_strv_length ((char **) spec->choices), ==, (guint) spec->max + 1);
          if (spec->legacy_key != NULL)
            g_assert_nonnull (spec->legacy_choices);
        }
      if (spec->type == LL_FIT_TYPE_INT || spec->type == LL_FIT_TYPE_NUMBER)
        {
          double lo, hi;
          g_assert_true (spec->min_open ? spec->default_value > spec->min : spec->default_value >= spec->min);
          g_assert_true (spec->max_open ? spec->default_value < spec->max : spec->default_value <= spec->max);
          ll_fit_form_range ((LlFitField) f, &lo, &hi);
          g_assert_cmpfloat (lo, <=, spec->default_value);
          g_assert_cmpfloat (hi, >=, spec->default_value);
          g_assert_true (spec->min_open ? lo > spec->min : lo >= spec->min);
          g_assert_true (spec->max_open ? hi < spec->max : hi <= spec->max);
        }
      if (spec->type != LL_FIT_TYPE_PATH)
        g_assert_cmpfloat (ll_fit_get (&c, (LlFitField) f), ==, spec->default_value);
      for (int g = 0; g < f; g++)
        {
          const LlFitSpec *other = ll_fit_spec ((LlFitField) g);
          if (g_strcmp0 (other->group, spec->group) == 0)
            g_assert_cmpstr (other->name, !=, spec->name);
        }
    }
  g_assert_true (ll_fit_config_validate (&c, NULL));
  ll_fit_config_clear (&c);
}

/* Layerlab starts with Adam, as the tutorials do; Keras' own default
 * (compile(optimizer="rmsprop")) is what files mean by no settings. */
static void
test_defaults (void)
{
  LlFitConfig start, keras;

  ll_fit_config_init (&start);
  ll_fit_config_init_keras (&keras);
  g_assert_cmpint (start.optim.kind, ==, LL_OPTIM_ADAM);
  g_assert_cmpint (keras.optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (keras.optim.learning_rate, ==, 0.001);
  g_assert_cmpfloat (keras.optim.rho, ==, 0.9);
  g_assert_cmpint (keras.epochs, ==, 1);
  g_assert_cmpint (keras.batch_size, ==, 32);
  g_assert_true (keras.shuffle);
  g_assert_cmpfloat (keras.validation_split, ==, 0.0);
  g_assert_cmpint (keras.reduce_lr.patience, ==, 10);
  g_assert_cmpfloat (keras.reduce_lr.factor, ==, 0.1);
  g_assert_cmpfloat (keras.reduce_lr.min_delta, ==, 1e-4);
  g_assert_cmpint (keras.early_stopping.patience, ==, 0);
  g_assert_true (ll_fit_config_validate (&keras, NULL));
  ll_fit_config_clear (&start);
  ll_fit_config_clear (&keras);
}

static void
expect_invalid (const LlFitConfig *c, const char *needle)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ll_fit_config_validate (c, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  if (strstr (error->message, needle) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, needle);
}

/* Ranges from the table; a callback's fields only while it is on. */
static void
test_validate (void)
{
  LlFitConfig c;

  ll_fit_config_init (&c);
  c.schedule.factor = 0.0;
  g_assert_true (ll_fit_config_validate (&c, NULL));     /* constant schedule: factor unused */
  c.schedule.kind = LL_SCHEDULE_EXPONENTIAL;
  expect_invalid (&c, "The schedule's factor must be greater than 0 and at most 1 (got 0.0)");
  c.schedule.factor = 0.5;
  c.reduce_lr.factor = 1.0;
  g_assert_true (ll_fit_config_validate (&c, NULL));
  c.reduce_lr.enabled = TRUE;
  expect_invalid (&c, "ReduceLROnPlateau's factor must be strictly between 0 and 1 (got 1.0); "
                      "Keras' default is 0.1");
  c.reduce_lr.factor = 0.5;
  c.reduce_lr.min_lr = -1;
  expect_invalid (&c, "min_lr");
  c.reduce_lr.min_lr = 0;
  c.early_stopping.enabled = TRUE;
  c.early_stopping.patience = -1;
  expect_invalid (&c, "EarlyStopping's patience must be at least 0");
  c.early_stopping.patience = 2;
  c.early_stopping.min_delta = -0.5;                       /* Keras takes |min_delta| */
  g_assert_true (ll_fit_config_validate (&c, NULL));
  c.early_stopping.min_delta = NAN;
  expect_invalid (&c, "min_delta");
  c.early_stopping.min_delta = 0;
  c.n_threads = 300;
  expect_invalid (&c, "Threads must be between 0 and 256 (got 300)");
  c.n_threads = 0;
  c.checkpoint.enabled = TRUE;
  expect_invalid (&c, "ModelCheckpoint");
  c.checkpoint.path = g_strdup ("/tmp/x.llmodel");
  g_assert_true (ll_fit_config_validate (&c, NULL));
  c.optim.beta_1 = 1.0;
  expect_invalid (&c, "beta_1");
  ll_fit_config_clear (&c);
}

/* Every field survives the JSON, also a seed beyond 2^53 (as a string). */
static void
test_json_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  LlFitConfig a, b;
  g_autofree char *ja = NULL, *jb = NULL;

  ll_fit_config_init (&a);
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    {
      const LlFitSpec *spec = ll_fit_spec ((LlFitField) f);
      switch (spec->type)
        {
        case LL_FIT_TYPE_INT:   ll_fit_set (&a, (LlFitField) f, spec->default_value + 3); break;
        case LL_FIT_TYPE_NUMBER: ll_fit_set (&a, (LlFitField) f, spec->default_value / 3 + 1e-8); break;
        case LL_FIT_TYPE_FLAG:  ll_fit_set (&a, (LlFitField) f, spec->default_value == 0); break;
        case LL_FIT_TYPE_CHOICE: ll_fit_set (&a, (LlFitField) f, spec->max); break;
        case LL_FIT_TYPE_SEED:  a.seed = G_MAXUINT64 - 12; break;
        case LL_FIT_TYPE_PATH:  a.checkpoint.path = g_strdup ("/tmp/ckpt é.llmodel"); break;
        default: g_assert_not_reached ();
        }
    }
  a.optim = ll_optim_config_default (LL_OPTIM_NADAM);
  a.optim.beta_2 = 1.0 / 3.0;
  ja = ll_fit_config_to_json (&a);
  g_assert_nonnull (strstr (ja, "\"seed\" : \"18446744073709551603\""));
  g_assert_nonnull (strstr (ja, "\"name\" : \"nadam\""));
  g_assert_nonnull (strstr (ja, "\"loss\" : \"mean_squared_error\""));
  ll_fit_config_init_keras (&b);
  g_assert_true (ll_fit_config_from_json (&b, ja, &error));
  g_assert_no_error (error);
  for (int f = 0; f < LL_N_FIT_FIELDS; f++)
    if (ll_fit_spec ((LlFitField) f)->type != LL_FIT_TYPE_PATH)
      g_assert_cmpfloat (ll_fit_get (&a, (LlFitField) f), ==, ll_fit_get (&b, (LlFitField) f));
  g_assert_cmpuint (b.seed, ==, G_MAXUINT64 - 12);
  g_assert_cmpstr (b.checkpoint.path, ==, "/tmp/ckpt é.llmodel");
  g_assert_cmpint (b.optim.kind, ==, LL_OPTIM_NADAM);
  g_assert_cmpfloat (b.optim.beta_2, ==, 1.0 / 3.0);
  jb = ll_fit_config_to_json (&b);
  g_assert_cmpstr (ja, ==, jb);
  ll_fit_config_clear (&a);
  ll_fit_config_clear (&b);
}

/* Absent members keep what the caller set up; wrong ones change nothing. */
static void
test_json_partial_and_errors (void)
{
  static const struct { const char *json, *in_message; } bad[] = {
    { "{\"epochs\": \"five\"}", "epochs" },
    { "{\"epochs\": 2.5}", "whole number" },
    { "{\"shuffle\": 1}", "true or false" },
    { "{\"loss\": 0}", "must be a string" },
    { "{\"loss\": \"hinge\"}", "hinge" },
    { "{\"seed\": -3}", "seed" },
    { "{\"seed\": \"12a\"}", "seed" },
    { "{\"optimizer\": {\"name\": \"adamw\"}}", "adamw" },
    { "{\"optimizer\": {\"name\": 4}}", "optimizer" },
    { "{\"optimizer\": {\"momentum\": \"high\"}}", "momentum" },
    { "{\"optimizer\": {\"amsgrad\": 1}}", "amsgrad" },
    { "{\"schedule\": []}", "schedule" },
    { "{\"schedule\": {\"name\": \"linear\"}}", "linear" },
    { "{\"early_stopping\": {\"monitor\": \"val_auc\"}}", "val_auc" },
    { "[1, 2]", "object" },
    { "{\"epochs\": 1e-08.0}", "not valid JSON" },
  };
  g_autoptr(GError) error = NULL;
  LlFitConfig c;

  ll_fit_config_init_keras (&c);
  g_assert_true (ll_fit_config_from_json (&c, "{\"epochs\": 4, \"optimizer\": {\"momentum\": 0.5}, "
                                              "\"early_stopping\": {\"enabled\": true}}", &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.epochs, ==, 4);
  g_assert_cmpint (c.optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (c.optim.momentum, ==, 0.5);
  g_assert_true (c.early_stopping.enabled);
  g_assert_cmpint (c.batch_size, ==, 32);

  /* Another optimizer: its Keras defaults, then the members given. */
  g_assert_true (ll_fit_config_from_json (&c, "{\"optimizer\": {\"name\": \"SGD\", \"nesterov\": true}}", &error));
  g_assert_cmpint (c.optim.kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (c.optim.learning_rate, ==, 0.01);
  g_assert_cmpfloat (c.optim.momentum, ==, 0.0);
  g_assert_true (c.optim.nesterov);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autofree char *before = ll_fit_config_to_json (&c);
      g_autofree char *after = NULL;

      if (ll_fit_config_from_json (&c, bad[i].json, &e))
        g_error ("accepted: %s", bad[i].json);
      g_assert_error (e, LL_ERROR, LL_ERROR_FORMAT);
      if (strstr (e->message, bad[i].in_message) == NULL)
        g_error ("%s: “%s” lacks “%s”", bad[i].json, e->message, bad[i].in_message);
      after = ll_fit_config_to_json (&c);
      g_assert_cmpstr (before, ==, after);
    }
  ll_fit_config_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/fit-config/table", test_table);
  g_test_add_func ("/engine/fit-config/defaults", test_defaults);
  g_test_add_func ("/engine/fit-config/validate", test_validate);
  g_test_add_func ("/engine/fit-config/json-round-trip", test_json_round_trip);
  g_test_add_func ("/engine/fit-config/json-partial-and-errors", test_json_partial_and_errors);
  return g_test_run ();
}
