/* test-sweep.c: the runs of a sweep over one setting, without a display:
 * "KEY=V1,V2" parsed, every key changing exactly its setting (training
 * settings) or every layer it names (architecture), the base otherwise
 * untouched, and errors that say what to change. */
#include <math.h>
#include <string.h>

#include "ll-presets.h"
#include "ll-sweep.h"
#include "ll-test-util.h"

typedef struct {
  LlArch *arch;
  LlFitConfig config;
} Base;

static void
base_init (Base *b, const char *preset)
{
  g_autoptr(GError) error = NULL;

  b->arch = ll_preset_build (preset, &b->config, &error);
  g_assert_no_error (error);
  b->config.seed = 11;
}

static void
base_clear (Base *b)
{
  ll_arch_free (b->arch);
  ll_fit_config_clear (&b->config);
}

static GPtrArray *
build (const Base *b, const char *text, GError **error)
{
  g_autofree char *key = NULL;
  g_auto(GStrv) values = NULL;

  if (!ll_sweep_parse (text, &key, &values, error))
    return NULL;
  return ll_sweep_build (b->arch, &b->config, key, (const char *const *) values, error);
}

static LlSweepRun *
run_at (GPtrArray *runs, guint i)
{
  return g_ptr_array_index (runs, i);
}

static gsize
n_params (const LlArch *arch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = ll_model_new (arch, &error);

  g_assert_no_error (error);
  return ll_model_n_trainable (model) + ll_model_n_state (model);
}

static int
count_type (const LlArch *arch, const LlLayerType *type)
{
  int n = 0;

  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    n += ll_arch_layer (arch, i)->type == type;
  return n;
}

static void
test_parse (void)
{
  const char *bad[] = { "batch_size", "=1,2", "batch_size=", "batch_size= , ," };
  g_autofree char *key = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ll_sweep_parse (" batch_size =32, 128 ,512", &key, &values, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "batch_size");
  g_assert_cmpuint (g_strv_length (values), ==, 3);
  g_assert_cmpstr (values[0], ==, "32");
  g_assert_cmpstr (values[1], ==, "128");
  g_assert_cmpstr (values[2], ==, "512");
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *k = NULL;
      g_auto(GStrv) v = NULL;
      g_autoptr(GError) e = NULL;

      g_assert_false (ll_sweep_parse (bad[i], &k, &v, &e));
      g_assert_error (e, LL_ERROR, LL_ERROR_INVALID);
      g_assert_null (k);
      g_assert_null (v);
    }
  g_assert_true (g_strv_contains (ll_sweep_keys (), "batch_size"));
  g_assert_true (g_strv_contains (ll_sweep_keys (), "flatten"));
}

/* Training-setting keys: one field changes, the architecture and the seed do not. */
static void
test_fit_settings (void)
{
  Base b;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  base_init (&b, "mlp-128-dropout");

  runs = build (&b, "batch_size=8,32,512", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 3);
  g_assert_cmpint (run_at (runs, 0)->config.batch_size, ==, 8);
  g_assert_cmpint (run_at (runs, 2)->config.batch_size, ==, 512);
  g_assert_cmpstr (run_at (runs, 0)->label, ==, "batch 8");
  g_assert_cmpstr (run_at (runs, 2)->value, ==, "512");
  for (guint i = 0; i < runs->len; i++)
    {
      g_assert_true (ll_arch_equal (run_at (runs, i)->arch, b.arch));
      g_assert_cmpuint (run_at (runs, i)->config.seed, ==, 11);
      g_assert_cmpfloat (run_at (runs, i)->config.optim.learning_rate, ==, b.config.optim.learning_rate);
      g_assert_cmpfloat (run_at (runs, i)->config.validation_split, ==, b.config.validation_split);
    }
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = build (&b, "learning_rate=0.0001,1e-2", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (run_at (runs, 0)->config.optim.learning_rate, ==, 0.0001);
  g_assert_cmpfloat (run_at (runs, 1)->config.optim.learning_rate, ==, 0.01);
  g_assert_cmpstr (run_at (runs, 1)->label, ==, "lr 0.01");
  g_assert_cmpint (run_at (runs, 1)->config.optim.kind, ==, b.config.optim.kind);
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* Another optimizer brings its Keras defaults. */
  runs = build (&b, "optimizer=SGD,rmsprop", &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_at (runs, 0)->config.optim.kind, ==, LL_OPTIM_SGD);
  g_assert_cmpfloat (run_at (runs, 0)->config.optim.learning_rate, ==, 0.01);
  g_assert_cmpint (run_at (runs, 1)->config.optim.kind, ==, LL_OPTIM_RMSPROP);
  g_assert_cmpfloat (run_at (runs, 1)->config.optim.rho, ==, 0.9);
  g_assert_cmpstr (run_at (runs, 0)->label, ==, "sgd");
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = build (&b, "shuffle=on,off", &error);
  g_assert_no_error (error);
  g_assert_true (run_at (runs, 0)->config.shuffle);
  g_assert_false (run_at (runs, 1)->config.shuffle);
  g_assert_cmpstr (run_at (runs, 1)->label, ==, "shuffle off");
  g_clear_pointer (&runs, g_ptr_array_unref);

  base_clear (&b);
}

/* Schedules and early stopping: each alone, and the runs keep one
 * validation split when one of them watches val_loss. */
static void
test_callbacks (void)
{
  Base b;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  base_init (&b, "mlp-128-dropout");
  b.config.reduce_lr.enabled = TRUE;
  b.config.schedule.kind = LL_SCHEDULE_COSINE;
  g_assert_cmpfloat (b.config.validation_split, ==, 0);

  runs = build (&b, "schedule=constant,step,exponential,cosine,reduce_lr_on_plateau", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 5);
  g_assert_cmpint (run_at (runs, 0)->config.schedule.kind, ==, LL_SCHEDULE_CONSTANT);
  g_assert_false (run_at (runs, 0)->config.reduce_lr.enabled);
  g_assert_cmpint (run_at (runs, 1)->config.schedule.kind, ==, LL_SCHEDULE_STEP);
  g_assert_cmpfloat (run_at (runs, 1)->config.schedule.factor, ==, 0.5);
  g_assert_cmpint (run_at (runs, 1)->config.schedule.step_epochs, ==, 2);
  g_assert_cmpint (run_at (runs, 2)->config.schedule.kind, ==, LL_SCHEDULE_EXPONENTIAL);
  g_assert_cmpint (run_at (runs, 3)->config.schedule.kind, ==, LL_SCHEDULE_COSINE);
  g_assert_cmpint (run_at (runs, 4)->config.schedule.kind, ==, LL_SCHEDULE_CONSTANT);
  g_assert_true (run_at (runs, 4)->config.reduce_lr.enabled);
  g_assert_cmpint (run_at (runs, 4)->config.reduce_lr.monitor, ==, LL_MONITOR_VAL_LOSS);
  g_assert_cmpfloat (run_at (runs, 4)->config.reduce_lr.factor, ==, 0.2);
  for (guint i = 0; i < runs->len; i++)
    {
      g_autoptr(GError) e = NULL;
      g_assert_cmpfloat (run_at (runs, i)->config.validation_split, ==, 0.2);
      g_assert_true (ll_fit_config_validate (&run_at (runs, i)->config, &e));
      g_assert_no_error (e);
    }
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = build (&b, "early_stopping=off,on,5", &error);
  g_assert_no_error (error);
  g_assert_false (run_at (runs, 0)->config.early_stopping.enabled);
  g_assert_true (run_at (runs, 1)->config.early_stopping.enabled);
  g_assert_cmpint (run_at (runs, 1)->config.early_stopping.patience, ==, 2);
  g_assert_true (run_at (runs, 1)->config.early_stopping.restore_best_weights);
  g_assert_cmpint (run_at (runs, 2)->config.early_stopping.patience, ==, 5);
  g_assert_cmpstr (run_at (runs, 0)->label, ==, "no early stopping");
  g_assert_cmpstr (run_at (runs, 2)->label, ==, "EarlyStopping patience 5");
  for (guint i = 0; i < runs->len; i++)
    g_assert_cmpfloat (run_at (runs, i)->config.validation_split, ==, 0.2);
  g_clear_pointer (&runs, g_ptr_array_unref);

  base_clear (&b);
}

/* Architecture keys change every layer they name, on a copy. */
static void
test_architecture (void)
{
  Base mlp, cnn, cifar;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(LlArch) before = NULL;

  base_init (&mlp, "mlp-512-512");
  base_init (&cnn, "mnist-cnn");
  base_init (&cifar, "cifar10-cnn");
  before = ll_arch_copy (cnn.arch);

  runs = build (&mlp, "dropout=0.1,0.5", &error);
  g_assert_no_error (error);
  for (int i = 0; i < ll_arch_n_layers (mlp.arch); i++)
    if (ll_arch_layer (mlp.arch, i)->type == &ll_layer_dropout)
      {
        g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (run_at (runs, 0)->arch, i), "rate", -1), ==, 0.1);
        g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (run_at (runs, 1)->arch, i), "rate", -1), ==, 0.5);
      }
  g_assert_cmpstr (run_at (runs, 1)->label, ==, "dropout 0.5");
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* 5×5 kernels: 184,586 parameters instead of 225,034. */
  runs = build (&cnn, "kernel_size=3,5", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_params (run_at (runs, 0)->arch), ==, 225034);
  g_assert_cmpuint (n_params (run_at (runs, 1)->arch), ==, 184586);
  g_assert_cmpstr (run_at (runs, 1)->label, ==, "kernel 5×5");
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* Global average pooling: Dense(128) sees 64 values, not 1,600. */
  runs = build (&cnn, "flatten=Flatten,GlobalAveragePooling2D", &error);
  g_assert_no_error (error);
  g_assert_true (ll_arch_equal (run_at (runs, 0)->arch, cnn.arch));
  g_assert_cmpuint (n_params (run_at (runs, 1)->arch), ==, 320 + 18496 + (64 * 128 + 128) + 1290);
  g_assert_cmpint (count_type (run_at (runs, 1)->arch, &ll_layer_flatten), ==, 0);
  g_assert_cmpint (count_type (run_at (runs, 1)->arch, &ll_layer_global_average_pooling2d), ==, 1);
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = build (&cnn, "kernel_initializer=he_normal,glorot_uniform", &error);
  g_assert_no_error (error);
  for (int i = 0; i < ll_arch_n_layers (cnn.arch); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (run_at (runs, 0)->arch, i);
      if (spec->type == &ll_layer_dense || spec->type == &ll_layer_conv2d)
        g_assert_cmpint ((int) ll_layer_spec_get (spec, "kernel_initializer", -1), ==, LL_INIT_HE_NORMAL);
    }
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = build (&cnn, "kernel_regularizer=none,l2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run_at (runs, 1)->label, ==, "l2 (0.01)");
  for (int i = 0; i < ll_arch_n_layers (cnn.arch); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (run_at (runs, 1)->arch, i);
      if (spec->type == &ll_layer_dense)
        g_assert_cmpstr (ll_regularizer_names[(int) ll_layer_spec_get (spec, "kernel_regularizer", 0)], ==, "l2");
      if (spec->type == &ll_layer_conv2d)
        g_assert_cmpint ((int) ll_layer_spec_get (spec, "kernel_regularizer", 0), ==, 0);
    }
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* The CIFAR-10 CNN has six BatchNormalization layers. */
  runs = build (&cifar, "batch_norm=on,off", &error);
  g_assert_no_error (error);
  g_assert_true (ll_arch_equal (run_at (runs, 0)->arch, cifar.arch));
  g_assert_cmpint (count_type (cifar.arch, &ll_layer_batch_normalization), ==, 6);
  g_assert_cmpint (count_type (run_at (runs, 1)->arch, &ll_layer_batch_normalization), ==, 0);
  g_assert_cmpint (ll_arch_n_layers (run_at (runs, 1)->arch), ==, ll_arch_n_layers (cifar.arch) - 6);
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* The base is never touched. */
  g_assert_true (ll_arch_equal (cnn.arch, before));
  base_clear (&mlp);
  base_clear (&cnn);
  base_clear (&cifar);
}

static void
assert_fails (const Base *b, const char *text, const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = build (b, text, &error);

  if (runs != NULL)
    g_error ("“%s” built %u runs", text, runs->len);
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  if (strstr (error->message, want) == NULL)
    g_error ("“%s”: “%s” does not say “%s”", text, error->message, want);
}

static void
test_errors (void)
{
  Base logistic, cnn;

  base_init (&logistic, "logistic");
  base_init (&cnn, "mnist-cnn");
  assert_fails (&logistic, "epochz=1,2", "batch_size");
  assert_fails (&logistic, "batch_size=32,abc", "not a number");
  assert_fails (&logistic, "batch_size=0", "whole number");
  assert_fails (&logistic, "batch_size=2.5", "whole number");
  assert_fails (&logistic, "learning_rate=-1", "not above 0");
  assert_fails (&logistic, "optimizer=adam,sgdd", "sgdd");
  assert_fails (&logistic, "shuffle=maybe", "neither on nor off");
  assert_fails (&logistic, "schedule=linear", "reduce_lr_on_plateau");
  assert_fails (&logistic, "early_stopping=soon", "patience");
  assert_fails (&logistic, "dropout=0.2,0.5", "no Dropout layer");
  assert_fails (&logistic, "kernel_size=3,5", "no Conv2D layer");
  assert_fails (&logistic, "batch_norm=on,off", "no BatchNormalization layer");
  assert_fails (&cnn, "flatten=Dense", "neither Flatten nor GlobalAveragePooling2D");
  assert_fails (&cnn, "dropout=0.99", "Rate");
  assert_fails (&cnn, "kernel_initializer=he_uniformm", "he_uniformm");
  /* 13×13 kernels leave nothing for the second convolution. */
  assert_fails (&cnn, "kernel_size=3,13", "With kernel 13×13 the model does not build");
  base_clear (&logistic);
  base_clear (&cnn);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/sweep/parse", test_parse);
  g_test_add_func ("/engine/sweep/fit-settings", test_fit_settings);
  g_test_add_func ("/engine/sweep/callbacks", test_callbacks);
  g_test_add_func ("/engine/sweep/architecture", test_architecture);
  g_test_add_func ("/engine/sweep/errors", test_errors);
  return g_test_run ();
}
