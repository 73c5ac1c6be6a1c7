/* test-codegen.c: the Keras and PyTorch code generators. */
#include "ll-codegen.h"
#include "ll-presets.h"
#include "ll-test-util.h"

#include <string.h>

static LlArch *
make_mlp (void)
{
  LlArch *arch = ll_arch_new ();
  LlLayerSpec spec;

  ll_layer_spec_init (&spec, &ll_layer_input);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_true (ll_layer_spec_set (&spec, "units", 128, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "relu", NULL));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dropout);
  g_assert_true (ll_layer_spec_set (&spec, "rate", 0.2, NULL));
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  g_assert_true (ll_layer_spec_set (&spec, "units", 10, NULL));
  g_assert_true (ll_layer_spec_set_choice (&spec, "activation", "softmax", NULL));
  ll_arch_append (arch, &spec);
  return arch;
}

/* python3 -m py_compile on all the files at once (python starts slowly);
 * FALSE with the compiler's message on a syntax error. */
static gboolean
python_compiles_files (GPtrArray *paths, char **message)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, "python3");
  g_ptr_array_add (argv, "-m");
  g_ptr_array_add (argv, "py_compile");
  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add (argv, paths->pdata[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  *message = g_steal_pointer (&err);
  return g_spawn_check_wait_status (status, NULL);
}

static gboolean
python_compiles (const char *code, char **message)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (paths, ll_test_write_temp ("generated.py", code, strlen (code)));
  return python_compiles_files (paths, message);
}

static gboolean
have_python (void)
{
  g_autofree char *py = g_find_program_in_path ("python3");
  return py != NULL;
}

static void
test_keras_mlp_text (void)
{
  g_autoptr(LlArch) arch = make_mlp ();
  LlFitConfig cfg;
  g_autofree char *code = NULL;

  ll_fit_config_init (&cfg);
  cfg.epochs = 5;
  cfg.validation_split = 0.1;
  code = ll_codegen_keras (arch, &cfg, "mnist");

  g_assert_nonnull (strstr (code, "keras.datasets.mnist.load_data()"));
  g_assert_nonnull (strstr (code, "x_train = x_train.reshape((-1, 28, 28, 1)).astype(\"float32\") / 255.0\n"));
  g_assert_nonnull (strstr (code,
    "model = keras.Sequential([\n"
    "    keras.Input(shape=(28, 28, 1)),\n"
    "    layers.Flatten(),\n"
    "    layers.Dense(128, activation=\"relu\"),\n"
    "    layers.Dropout(0.2),\n"
    "    layers.Dense(10, activation=\"softmax\"),\n"
    "])\n"));
  g_assert_nonnull (strstr (code, "optimizer=keras.optimizers.Adam(learning_rate=0.001),\n"));
  g_assert_nonnull (strstr (code, "loss=\"sparse_categorical_crossentropy\""));
  g_assert_nonnull (strstr (code, "    epochs=5,\n    batch_size=32,\n    shuffle=True,\n"
                                  "    validation_split=0.1,\n"));
  g_assert_nonnull (strstr (code, "callbacks = []\n"));
  ll_fit_config_clear (&cfg);
}

static void
test_keras_options (void)
{
  g_autoptr(LlArch) arch = make_mlp ();
  LlLayerSpec *dense = ll_arch_layer (arch, 2);
  LlFitConfig cfg;
  g_autofree char *code = NULL;

  g_assert_true (ll_layer_spec_set_choice (dense, "kernel_regularizer", "l2", NULL));
  g_assert_true (ll_layer_spec_set (dense, "l2", 0.001, NULL));
  g_assert_true (ll_layer_spec_set_choice (dense, "kernel_initializer", "he_normal", NULL));
  ll_fit_config_init (&cfg);
  cfg.optim = ll_optim_config_default (LL_OPTIM_SGD);
  cfg.optim.momentum = 0.9;
  cfg.optim.nesterov = TRUE;
  cfg.early_stopping.enabled = TRUE;
  cfg.early_stopping.patience = 3;
  cfg.schedule.kind = LL_SCHEDULE_COSINE;
  code = ll_codegen_keras (arch, &cfg, "fashion-mnist");

  g_assert_nonnull (strstr (code, "keras.datasets.fashion_mnist"));
  g_assert_nonnull (strstr (code, "layers.Dense(128, activation=\"relu\", "
                                  "kernel_initializer=\"he_normal\", "
                                  "kernel_regularizer=regularizers.L2(0.001)),\n"));
  g_assert_nonnull (strstr (code, "keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)"));
  g_assert_nonnull (strstr (code, "keras.callbacks.EarlyStopping(monitor=\"val_loss\""));
  g_assert_nonnull (strstr (code, "import math\n"));
  if (have_python ())
    {
      g_autofree char *msg = NULL;
      g_assert_true (python_compiles (code, &msg) || (g_printerr ("%s\n%s", code, msg), FALSE));
    }
  ll_fit_config_clear (&cfg);
}

static void
test_pytorch_mlp (void)
{
  g_autoptr(LlArch) arch = make_mlp ();
  g_autofree char *code = ll_codegen_pytorch (arch, NULL, NULL);

  g_assert_nonnull (strstr (code,
    "model = nn.Sequential(\n"
    "    nn.Flatten(),\n"
    "    nn.Linear(784, 128),\n"
    "    nn.ReLU(),\n"
    "    nn.Dropout(p=0.2),\n"
    "    nn.Linear(128, 10),\n"
    "    # softmax: folded into nn.CrossEntropyLoss (stable form)\n"
    ")\n"));
  g_assert_nonnull (strstr (code, "loss_fn = nn.CrossEntropyLoss()"));
  g_assert_nonnull (strstr (code, "torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-07)"));
  g_assert_nonnull (strstr (code, "datasets.MNIST("));
}

static void
test_invalid_arch (void)
{
  g_autoptr(LlArch) arch = make_mlp ();
  LlLayerSpec spec;
  g_autofree char *keras = NULL;
  g_autofree char *torch = NULL;

  /* Flatten twice then a Conv2D-free Dense is fine; a Dense of 0 units is
   * out of range, so break the stack by removing the Input instead. */
  ll_layer_spec_init (&spec, &ll_layer_dense);
  ll_arch_remove (arch, 0);
  ll_arch_insert (arch, 0, &spec);
  keras = ll_codegen_keras (arch, NULL, NULL);
  torch = ll_codegen_pytorch (arch, NULL, NULL);
  g_assert_nonnull (strstr (keras, "# WARNING: the model is not valid"));
  g_assert_nonnull (strstr (torch, "# WARNING: the model is not valid"));
}

static void
test_presets_compile (void)
{
  int n = 0;
  const LlPresetInfo *presets = ll_presets (&n);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (n, >, 0);
  for (int i = 0; i < n; i++)
    {
      LlFitConfig cfg;
      g_autoptr(GError) error = NULL;
      g_autoptr(LlArch) arch = ll_preset_build (presets[i].name, &cfg, &error);
      g_autofree char *keras = NULL;
      g_autofree char *torch = NULL;

      g_assert_no_error (error);
      keras = ll_codegen_keras (arch, &cfg, presets[i].dataset);
      torch = ll_codegen_pytorch (arch, &cfg, presets[i].dataset);
      g_assert_null (strstr (keras, "WARNING"));
      g_assert_null (strstr (torch, "WARNING"));
      g_assert_null (strstr (torch, "no direct PyTorch module"));
      if (g_strcmp0 (presets[i].name, "mlp-128-dropout") == 0)
        {
          g_assert_nonnull (strstr (keras, "layers.Dense(128, activation=\"relu\")"));
          g_assert_nonnull (strstr (keras, "layers.Dropout(0.2)"));
        }
      {
        g_autofree char *k = g_strdup_printf ("keras_%d.py", i);
        g_autofree char *t = g_strdup_printf ("torch_%d.py", i);
        g_ptr_array_add (paths, ll_test_write_temp (k, keras, strlen (keras)));
        g_ptr_array_add (paths, ll_test_write_temp (t, torch, strlen (torch)));
      }
      ll_fit_config_clear (&cfg);
    }
  if (have_python ())
    {
      g_autofree char *msg = NULL;
      if (!python_compiles_files (paths, &msg))
        g_error ("generated code does not compile:\n%s", msg);
    }
  else
    g_test_message ("python3 not found: syntax checks skipped");
}

/* Every optimizer with every hyperparameter it uses away from Keras'
 * default: each appears under its Keras keyword, and under its PyTorch
 * one (RMSprop's rho as alpha, the betas as a pair), read from the tables. */
static void
test_every_optimizer (void)
{
  g_autoptr(LlArch) arch = make_mlp ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      const LlOptimInfo *info = ll_optim_info ((LlOptimKind) k);
      g_autofree char *keras = NULL, *torch = NULL, *keras_call = NULL, *torch_call = NULL;
      LlFitConfig cfg;

      ll_fit_config_init (&cfg);
      cfg.optim = ll_optim_config_default ((LlOptimKind) k);
      for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
        {
          double lo, hi;
          if (ll_hyper_spec (*h)->is_flag)
            {
              ll_hyper_set (&cfg.optim, *h, 1.0);
              continue;
            }
          ll_hyper_form_range (*h, &lo, &hi);
          ll_hyper_set (&cfg.optim, *h, MIN (hi, lo + 0.25));
        }
      g_assert_true (ll_fit_config_validate (&cfg, NULL));
      keras = ll_codegen_keras (arch, &cfg, NULL);
      torch = ll_codegen_pytorch (arch, &cfg, NULL);
      keras_call = g_strdup_printf ("keras.optimizers.%s(learning_rate=", info->keras_class);
      torch_call = g_strdup_printf ("torch.optim.%s(model.parameters(), lr=", info->pytorch_class);
      g_assert_nonnull (strstr (keras, keras_call));
      g_assert_nonnull (strstr (torch, torch_call));
      for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
        {
          const LlHyperSpec *spec = ll_hyper_spec (*h);
          g_autofree char *kw = g_strdup_printf (", %s=", spec->keras);
          g_autofree char *pt = g_strdup_printf (", %s=", ll_hyper_pytorch (*h, (LlOptimKind) k));

          if (*h == LL_HYPER_LEARNING_RATE)
            continue;
          if (strstr (strstr (keras, keras_call), kw) == NULL)
            g_error ("%s: no %s in the Keras code", ll_optim_names[k], kw);
          if (strstr (strstr (torch, torch_call), pt) == NULL)
            g_error ("%s: no %s in the PyTorch code", ll_optim_names[k], pt);
        }
      {
        g_autofree char *kname = g_strdup_printf ("optimizer-%s-keras.py", ll_optim_names[k]);
        g_autofree char *tname = g_strdup_printf ("optimizer-%s-torch.py", ll_optim_names[k]);
        g_ptr_array_add (paths, ll_test_write_temp (kname, keras, strlen (keras)));
        g_ptr_array_add (paths, ll_test_write_temp (tname, torch, strlen (torch)));
      }
      ll_fit_config_clear (&cfg);
    }
  if (have_python ())
    {
      g_autofree char *msg = NULL;
      g_assert_true (python_compiles_files (paths, &msg) || (g_printerr ("%s", msg), FALSE));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/codegen/keras-mlp", test_keras_mlp_text);
  g_test_add_func ("/engine/codegen/keras-options", test_keras_options);
  g_test_add_func ("/engine/codegen/pytorch-mlp", test_pytorch_mlp);
  g_test_add_func ("/engine/codegen/invalid", test_invalid_arch);
  g_test_add_func ("/engine/codegen/presets", test_presets_compile);
  g_test_add_func ("/engine/codegen/every-optimizer", test_every_optimizer);
  return g_test_run ();
}
