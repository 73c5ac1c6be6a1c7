/* test-export-script.c: Keras/PyTorch scripts with their weights.  The
 * PyTorch part runs the exported script (up to its model-and-weights mark)
 * with Debian's python3-torch and compares its predictions; it is skipped
 * when no python3 on this machine can import torch. */
#include "ll-export-script.h"
#include "ll-presets.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define N_SAMPLES 20

/* Runs the script up to the mark; torchvision (data loading only) is
 * stubbed when missing, since nothing before the mark uses it. */
static const char driver[] =
  "import sys, types\n"
  "import torch\n"
  "try:\n"
  "    import torchvision  # noqa: F401\n"
  "except ImportError:\n"
  "    tv = types.ModuleType('torchvision')\n"
  "    tv.datasets = tv.transforms = None\n"
  "    sys.modules['torchvision'] = tv\n"
  "script, inputs, h, w, c, n, outputs = sys.argv[1:8]\n"
  "h, w, c, n = int(h), int(w), int(c), int(n)\n"
  "src = open(script).read()\n"
  "src = src[:src.index(sys.argv[8])]\n"
  "g = {'__file__': script, '__name__': 'layerlab_export'}\n"
  "exec(compile(src, script, 'exec'), g)\n"
  "x = torch.frombuffer(bytearray(open(inputs, 'rb').read()), dtype=torch.float32)\n"
  "x = x.reshape(n, h, w, c).permute(0, 3, 1, 2).contiguous()\n"
  "p = g['predict'](x).contiguous()\n"
  "open(outputs, 'wb').write(p.numpy().astype('<f4').tobytes())\n";

static char *
find_torch_python (void)
{
  const char *candidates[] = { "python3", "/usr/bin/python3", NULL };

  for (int i = 0; candidates[i]; i++)
    {
      g_autofree char *path = g_find_program_in_path (candidates[i]);
      const char *argv[] = { path, "-c", "import torch, numpy", NULL };
      int status = 0;

      if (path == NULL)
        continue;
      if (g_spawn_sync (NULL, (char **) argv, NULL,
                        G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, NULL)
          && g_spawn_check_wait_status (status, NULL))
        return g_steal_pointer (&path);
    }
  return NULL;
}

static void
check_torch (LlModel *model, guint64 seed)
{
  g_autofree char *python = find_torch_python ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *script = NULL, *driver_path = NULL, *in_path = NULL, *out_path = NULL;
  g_autofree float *x = NULL, *probs = NULL;
  g_autofree char *err = NULL, *raw = NULL;
  LlShape in = ll_model_input_shape (model), out = ll_model_output_shape (model);
  gsize n_in = ll_shape_size (&in), n_out = ll_shape_size (&out), len = 0;
  double max_diff = 0.0;
  int status = 0;
  char h[16], w[16], c[16], n[16];

  if (python == NULL)
    {
      g_test_skip ("no python3 with torch and numpy (Debian: apt-get install python3-torch)");
      return;
    }
  dir = g_dir_make_tmp ("ll-export-torch-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (dir, "net.py", NULL);
  g_assert_true (ll_export_script (model, NULL, NULL, LL_SCRIPT_PYTORCH, script, &error));
  g_assert_no_error (error);

  x = g_new (float, N_SAMPLES * n_in);
  probs = g_new (float, N_SAMPLES * n_out);
  ll_test_fill_uniform (x, N_SAMPLES * n_in, 0.0, 1.0, seed);
  g_assert_true (ll_model_plan (model, N_SAMPLES, &error));
  g_assert_true (ll_model_predict (model, N_SAMPLES, x, probs, &error));
  g_assert_no_error (error);

  driver_path = g_build_filename (dir, "driver.py", NULL);
  in_path = g_build_filename (dir, "inputs.bin", NULL);
  out_path = g_build_filename (dir, "outputs.bin", NULL);
  g_assert_true (g_file_set_contents (driver_path, driver, -1, &error));
  g_assert_true (g_file_set_contents (in_path, (const char *) x, N_SAMPLES * n_in * sizeof (float), &error));
  g_snprintf (h, sizeof h, "%d", in.d[0]);
  g_snprintf (w, sizeof w, "%d", in.d[1]);
  g_snprintf (c, sizeof c, "%d", in.d[2]);
  g_snprintf (n, sizeof n, "%d", N_SAMPLES);
  {
    const char *argv[] = { python, driver_path, script, in_path, h, w, c, n, out_path,
                           LL_EXPORT_SCRIPT_MARK, NULL };
    g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("the exported PyTorch script failed: %s", err);
  }
  g_assert_true (g_file_get_contents (out_path, &raw, &len, &error));
  g_assert_cmpuint (len, ==, N_SAMPLES * n_out * sizeof (float));
  for (gsize i = 0; i < N_SAMPLES * n_out; i++)
    {
      float v;
      memcpy (&v, raw + i * sizeof v, sizeof v);
      max_diff = MAX (max_diff, fabs ((double) v - probs[i]));
    }
  g_test_message ("max |PyTorch − engine| = %.3g over %d samples", max_diff, N_SAMPLES);
  g_assert_cmpfloat (max_diff, <, 1e-5);
  ll_test_remove_tree (dir);
}

static void
test_torch_mlp (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mlp-128-dropout", 31);
  check_torch (model, 201);
}

static void
test_torch_mnist_cnn (void)
{
  /* Flatten after convolutions: the first Dense's rows are permuted. */
  g_autoptr(LlModel) model = ll_test_preset_model ("mnist-cnn", 32);
  check_torch (model, 202);
}

static void
test_torch_cifar_bn (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("cifar10-cnn", 33);
  ll_test_randomize_bn (model, 5);
  check_torch (model, 203);
}

/* Flatten of an image, then BatchNorm1d: its vectors are permuted too. */
static void
test_torch_flatten_bn (void)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;
  LlLayerSpec s;

  ll_layer_spec_init (&s, &ll_layer_input);
  ll_layer_spec_set (&s, "height", 6, NULL);
  ll_layer_spec_set (&s, "width", 5, NULL);
  ll_layer_spec_set (&s, "channels", 2, NULL);
  ll_arch_append (arch, &s);
  ll_layer_spec_init (&s, &ll_layer_conv2d);
  ll_layer_spec_set (&s, "filters", 3, NULL);
  ll_layer_spec_set_choice (&s, "activation", "tanh", NULL);
  ll_arch_append (arch, &s);
  ll_layer_spec_init (&s, &ll_layer_flatten);
  ll_arch_append (arch, &s);
  ll_layer_spec_init (&s, &ll_layer_batch_normalization);
  ll_arch_append (arch, &s);
  ll_layer_spec_init (&s, &ll_layer_dense);
  ll_layer_spec_set (&s, "units", 5, NULL);
  ll_layer_spec_set_choice (&s, "activation", "softmax", NULL);
  ll_arch_append (arch, &s);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 34);
  ll_test_randomize_bn (model, 6);
  check_torch (model, 204);
}

/* Keras: weights in Keras' layouts, in order, and the script holds the loader. */
static void
test_keras_files (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mnist-cnn", 35);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-export-keras-XXXXXX", &error);
  g_autofree char *script = g_build_filename (dir, "cnn.py", NULL);
  g_autofree char *json_path = g_build_filename (dir, "cnn.weights.json", NULL);
  g_autofree char *bin_path = g_build_filename (dir, "cnn.weights.bin", NULL);
  g_autofree char *text = NULL, *bin = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize bin_len = 0;
  JsonObject *root;
  JsonArray *layers;
  gsize offset = 0;

  g_assert_true (ll_export_script (model, NULL, NULL, LL_SCRIPT_KERAS, script, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (script, &text, NULL, &error));
  g_assert_nonnull (strstr (text, "def load_layerlab_weights(model, index_path):"));
  g_assert_nonnull (strstr (text, "\"cnn.weights.json\""));
  g_assert_nonnull (strstr (text, LL_EXPORT_SCRIPT_MARK));
  g_assert_true (strstr (text, "model.summary()") < strstr (text, "load_layerlab_weights(model, WEIGHTS)"));
  g_assert_true (strstr (text, "load_layerlab_weights(model, WEIGHTS)") < strstr (text, "model.fit("));

  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_true (g_file_get_contents (bin_path, &bin, &bin_len, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "layout"), ==, "keras");
  g_assert_cmpstr (json_object_get_string_member (root, "file"), ==, "cnn.weights.bin");
  layers = json_object_get_array_member (root, "layers");
  g_assert_cmpuint (json_array_get_length (layers), ==, 4);   /* 2 Conv2D, 2 Dense */
  for (guint l = 0, li = 0; l < json_array_get_length (layers); l++)
    {
      JsonObject *layer = json_array_get_object_element (layers, l);
      JsonArray *tensors = json_object_get_array_member (layer, "tensors");
      LlWeightView v[LL_MAX_WEIGHTS];
      int n;

      /* The model layer with weights that this entry describes. */
      do
        n = ll_model_layer_weights (model, (int) ++li, v);
      while (n == 0);
      g_assert_cmpuint (json_array_get_length (tensors), ==, (guint) n);
      for (int t = 0; t < n; t++)
        {
          JsonObject *tensor = json_array_get_object_element (tensors, t);
          gsize size = ll_weight_info_size (v[t].info);
          g_assert_cmpstr (json_object_get_string_member (tensor, "name"), ==, v[t].info->name);
          g_assert_cmpint (json_object_get_int_member (tensor, "offset"), ==, (gint64) offset);
          g_assert_cmpmem (bin + offset, size * 4, v[t].data, size * 4);
          offset += size * 4;
        }
    }
  g_assert_cmpuint (offset, ==, bin_len);
  ll_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/export-script/keras-files", test_keras_files);
  g_test_add_func ("/engine/export-script/pytorch-mlp", test_torch_mlp);
  g_test_add_func ("/engine/export-script/pytorch-mnist-cnn", test_torch_mnist_cnn);
  g_test_add_func ("/engine/export-script/pytorch-cifar10-cnn-bn", test_torch_cifar_bn);
  g_test_add_func ("/engine/export-script/pytorch-flatten-bn", test_torch_flatten_bn);
  return g_test_run ();
}
