/* test-export-c.c: the standalone C export, compiled with the system cc
 * and compared with ll_model_predict. */
#include "ll-export-c.h"
#include "ll-presets.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define N_SAMPLES 20

static const char driver[] =
  "#include <stdio.h>\n"
  "#include \"PREFIX.h\"\n"
  "int main (int argc, char **argv)\n"
  "{\n"
  "  static float x[PREFIX_UP_INPUT_SIZE], p[PREFIX_UP_OUTPUT_SIZE];\n"
  "  FILE *in, *out;\n"
  "  if (argc != 3 || !(in = fopen (argv[1], \"rb\")) || !(out = fopen (argv[2], \"wb\")))\n"
  "    return 3;\n"
  "  while (fread (x, sizeof (float), PREFIX_UP_INPUT_SIZE, in) == PREFIX_UP_INPUT_SIZE)\n"
  "    {\n"
  "      if (PREFIX_predict (x, p) != 0)\n"
  "        return 4;\n"
  "      fwrite (p, sizeof (float), PREFIX_UP_OUTPUT_SIZE, out);\n"
  "    }\n"
  "  if (PREFIX_predict (0, p) != -1)\n"
  "    return 5;\n"
  "  fclose (in);\n"
  "  return fclose (out) != 0;\n"
  "}\n";

static char *
find_cc (void)
{
  char *cc = g_find_program_in_path ("cc");
  return cc != NULL ? cc : g_find_program_in_path ("gcc");
}

/* Exports, compiles, runs on N_SAMPLES inputs and compares. */
static void
check_model (LlModel *model, const char *prefix, guint64 seed)
{
  g_autofree char *cc = find_cc ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *driver_src = NULL, *driver_path = NULL, *exe = NULL;
  g_autofree char *c_path = NULL, *c_name = NULL, *in_path = NULL, *out_path = NULL;
  g_autofree char *upper = g_ascii_strup (prefix, -1);
  g_autofree char *err = NULL, *out_text = NULL;
  g_autofree float *x = NULL, *probs = NULL;
  g_autofree char *got_raw = NULL;
  gsize got_len = 0;
  LlShape in = ll_model_input_shape (model), out = ll_model_output_shape (model);
  gsize n_in = ll_shape_size (&in), n_out = ll_shape_size (&out);
  int status = 0;
  double max_diff = 0.0;

  if (cc == NULL)
    {
      g_test_skip ("no C compiler (cc or gcc) in PATH");
      return;
    }
  dir = g_dir_make_tmp ("ll-export-c-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (ll_export_c (model, dir, prefix, &error));
  g_assert_no_error (error);

  {
    g_auto(GStrv) a = g_strsplit (driver, "PREFIX_UP", -1);
    g_autofree char *t = g_strjoinv (upper, a);
    g_auto(GStrv) b = g_strsplit (t, "PREFIX", -1);
    driver_src = g_strjoinv (prefix, b);
  }
  driver_path = g_build_filename (dir, "driver.c", NULL);
  g_assert_true (g_file_set_contents (driver_path, driver_src, -1, &error));
  c_name = g_strconcat (prefix, ".c", NULL);
  c_path = g_build_filename (dir, c_name, NULL);
  exe = g_build_filename (dir, "driver", NULL);
  {
    /* The generated file must be clean C99 that needs nothing but libm. */
    const char *argv[] = { cc, "-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-pedantic",
                           "-o", exe, c_path, driver_path, "-lm", NULL };
    g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("cc failed on the generated code: %s", err);
  }

  x = g_new (float, N_SAMPLES * n_in);
  probs = g_new (float, N_SAMPLES * n_out);
  ll_test_fill_uniform (x, N_SAMPLES * n_in, 0.0, 1.0, seed);
  g_assert_true (ll_model_plan (model, N_SAMPLES, &error));
  g_assert_true (ll_model_predict (model, N_SAMPLES, x, probs, &error));
  g_assert_no_error (error);

  in_path = g_build_filename (dir, "inputs.bin", NULL);
  out_path = g_build_filename (dir, "outputs.bin", NULL);
  g_assert_true (g_file_set_contents (in_path, (const char *) x,
                                      N_SAMPLES * n_in * sizeof (float), &error));
  {
    const char *argv[] = { exe, in_path, out_path, NULL };
    g_clear_pointer (&err, g_free);
    g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, 0, NULL, NULL, &out_text, &err,
                                 &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("the compiled export failed (status %d): %s", status, err);
  }
  g_assert_true (g_file_get_contents (out_path, &got_raw, &got_len, &error));
  g_assert_cmpuint (got_len, ==, N_SAMPLES * n_out * sizeof (float));
  for (gsize i = 0; i < N_SAMPLES * n_out; i++)
    {
      float got;
      memcpy (&got, got_raw + i * sizeof (float), sizeof got);
      g_assert_true (isfinite (got));
      max_diff = MAX (max_diff, fabs ((double) got - probs[i]));
    }
  g_test_message ("%s: max |C export − engine| = %.3g over %d samples", prefix, max_diff, N_SAMPLES);
  g_assert_cmpfloat (max_diff, <, 1e-5);

  {
    const char *names[] = { "driver.c", "driver", "inputs.bin", "outputs.bin", c_name, NULL };
    g_autofree char *h_name = g_strconcat (prefix, ".h", NULL);
    for (int i = 0; names[i]; i++)
      {
        g_autofree char *p = g_build_filename (dir, names[i], NULL);
        g_unlink (p);
      }
    g_autofree char *hp = g_build_filename (dir, h_name, NULL);
    g_unlink (hp);
    g_rmdir (dir);
  }
}

static void
test_mlp (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mlp-128-dropout", 11);
  check_model (model, "mlp", 101);
}

static void
test_mnist_cnn (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mnist-cnn", 12);
  check_model (model, "mnist_cnn", 102);
}

static void
test_cifar_bn (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("cifar10-cnn", 13);
  ll_test_randomize_bn (model, 7);
  check_model (model, "cifar_bn", 103);
}

static void
add (LlArch *arch, const LlLayerType *type, const char *params)
{
  g_auto(GStrv) kv = g_strsplit (params, " ", -1);
  LlLayerSpec spec;

  ll_layer_spec_init (&spec, type);
  for (int i = 0; kv[i] != NULL; i++)
    {
      g_auto(GStrv) p = g_strsplit (kv[i], "=", 2);
      g_autoptr(GError) error = NULL;
      if (p[0] == NULL || p[1] == NULL)
        continue;
      if (ll_layer_param_index (type, p[0]) >= 0
          && type->params[ll_layer_param_index (type, p[0])].type == LL_PARAM_CHOICE)
        g_assert_true (ll_layer_spec_set_choice (&spec, p[0], p[1], &error));
      else
        g_assert_true (ll_layer_spec_set (&spec, p[0], g_ascii_strtod (p[1], NULL), &error));
      g_assert_no_error (error);
    }
  ll_arch_append (arch, &spec);
}

/* Every layer type: strided "same" convolution without bias, batch norm on
 * images and on vectors, odd sizes for "same" pooling, Reshape, a 1×1
 * convolution, global max pooling, every activation. */
static void
test_every_layer (void)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;

  add (arch, &ll_layer_input, "height=13 width=11 channels=2");
  add (arch, &ll_layer_conv2d, "filters=4 kernel_size=3 strides=2 padding=same use_bias=0");
  add (arch, &ll_layer_batch_normalization, "");
  add (arch, &ll_layer_activation, "activation=relu");
  add (arch, &ll_layer_conv2d, "filters=5 kernel_size=2 activation=tanh");
  add (arch, &ll_layer_max_pooling2d, "pool_size=2 padding=same");
  add (arch, &ll_layer_average_pooling2d, "pool_size=2 strides=1 padding=same");
  add (arch, &ll_layer_reshape, "height=5 width=3 channels=3");
  add (arch, &ll_layer_conv2d, "filters=6 kernel_size=1 activation=sigmoid");
  add (arch, &ll_layer_global_max_pooling2d, "");
  add (arch, &ll_layer_dense, "units=8 activation=sigmoid");
  add (arch, &ll_layer_batch_normalization, "center=0");
  add (arch, &ll_layer_dropout, "rate=0.3");
  add (arch, &ll_layer_dense, "units=4 activation=softmax");
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 21);
  ll_test_randomize_bn (model, 9);
  check_model (model, "every_layer", 104);
}

/* Flatten after a convolution and global average pooling. */
static void
test_flatten_gap (void)
{
  g_autoptr(LlArch) arch = ll_arch_new ();
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GError) error = NULL;

  add (arch, &ll_layer_input, "height=9 width=9 channels=3");
  add (arch, &ll_layer_conv2d, "filters=4 kernel_size=3 strides=2 activation=relu");
  add (arch, &ll_layer_average_pooling2d, "pool_size=3 strides=2 padding=same");
  add (arch, &ll_layer_batch_normalization, "scale=0");
  add (arch, &ll_layer_flatten, "");
  add (arch, &ll_layer_reshape, "height=2 width=2 channels=4");
  add (arch, &ll_layer_global_average_pooling2d, "");
  add (arch, &ll_layer_dense, "units=3 activation=linear use_bias=0");
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 22);
  ll_test_randomize_bn (model, 3);
  check_model (model, "flatten_gap", 105);
}

static void
test_prefix (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("logistic", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *h = NULL, *c = NULL;

  g_assert_true (ll_export_c_valid_prefix ("digits_v2"));
  g_assert_false (ll_export_c_valid_prefix ("2digits"));
  g_assert_false (ll_export_c_valid_prefix ("my-model"));
  g_assert_false (ll_export_c_valid_prefix (""));
  g_assert_false (ll_export_c_generate (model, "my model", &h, &c, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ll_export_c_generate (model, "digits", &h, &c, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (h, "int digits_predict (const float *input, float *probs);"));
  g_assert_nonnull (strstr (h, "#define DIGITS_INPUT_SIZE 784"));
  g_assert_nonnull (strstr (h, "#define DIGITS_OUTPUT_SIZE 10"));
  /* libm only: no other header than math.h and its own. */
  g_assert_nonnull (strstr (c, "#include <math.h>"));
  g_assert_null (strstr (c, "#include <std"));
  g_assert_null (strstr (c, "malloc"));
  g_assert_nonnull (strstr (c, "static const float digits_dense_kernel[7840]"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/export-c/prefix", test_prefix);
  g_test_add_func ("/engine/export-c/mlp-128-dropout", test_mlp);
  g_test_add_func ("/engine/export-c/mnist-cnn", test_mnist_cnn);
  g_test_add_func ("/engine/export-c/cifar10-cnn-bn", test_cifar_bn);
  g_test_add_func ("/engine/export-c/every-layer", test_every_layer);
  g_test_add_func ("/engine/export-c/flatten-gap", test_flatten_gap);
  return g_test_run ();
}
