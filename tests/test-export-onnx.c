/* test-export-onnx.c: the ONNX export, checked by python3-onnx's checker
 * and run by OpenCV's DNN module, compared with ll_model_predict on 100
 * inputs.  Skips (with the reason) when Debian's python3 lacks onnx, cv2
 * or numpy; the file's structure is still checked without them. */
#include "ll-export-onnx.h"
#include "ll-presets.h"
#include "ll-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define N_SAMPLES 100
#define TOLERANCE 1e-4

/* argv: model.onnx inputs.bin outputs.bin N H W C.  Writes OpenCV's
 * outputs to outputs.bin and those of a small numpy evaluator written from
 * the ONNX operator specs to outputs.bin.ref: OpenCV 4.6 ignores some
 * attributes (count_include_pad), and onnx 1.12 has no ReferenceEvaluator
 * (onnx >= 1.13).  Prints what it checked. */
static const char checker_py[] =
  "import sys\n"
  "import numpy as np\n"
  "import onnx\n"
  "from onnx import helper, numpy_helper\n"
  "import cv2\n"
  "path, inp, outp = sys.argv[1:4]\n"
  "n, h, w, c = (int(v) for v in sys.argv[4:8])\n"
  "model = onnx.load(path)\n"
  "onnx.checker.check_model(model, full_check=True)\n"
  "assert model.opset_import[0].version >= 13\n"
  "print('checker: onnx', onnx.__version__, 'ok')\n"
  "x = np.fromfile(inp, dtype='<f4').reshape(n, h, w, c)\n"
  "net = cv2.dnn.readNetFromONNX(path)\n"
  "net.setInput(x)\n"
  "y = net.forward()\n"
  "np.ascontiguousarray(y, dtype='<f4').tofile(outp)\n"
  "print('opencv', cv2.__version__, 'output', y.shape)\n"
  "def windows(x, k, s, pads, fill):\n"
  "    t, l, b, r = pads\n"
  "    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=fill)\n"
  "    ho = (xp.shape[2] - k[0]) // s[0] + 1\n"
  "    wo = (xp.shape[3] - k[1]) // s[1] + 1\n"
  "    for ky in range(k[0]):\n"
  "        for kx in range(k[1]):\n"
  "            yield ky, kx, xp[:, :, ky:ky + s[0] * (ho - 1) + 1:s[0], kx:kx + s[1] * (wo - 1) + 1:s[1]]\n"
  "def run(node, ins, a):\n"
  "    op, x = node.op_type, ins[0]\n"
  "    k, s = a.get('kernel_shape'), a.get('strides', [1, 1])\n"
  "    pads = a.get('pads', [0, 0, 0, 0])\n"
  "    if op == 'Transpose': return np.transpose(x, a['perm'])\n"
  "    if op == 'Identity': return x\n"
  "    if op == 'Relu': return np.maximum(x, 0)\n"
  "    if op == 'Sigmoid': return 1 / (1 + np.exp(-x))\n"
  "    if op == 'Tanh': return np.tanh(x)\n"
  "    if op == 'Softmax':\n"
  "        e = np.exp(x - x.max(axis=a['axis'], keepdims=True))\n"
  "        return e / e.sum(axis=a['axis'], keepdims=True)\n"
  "    if op == 'Flatten':\n"
  "        ax = a.get('axis', 1)\n"
  "        return x.reshape(int(np.prod(x.shape[:ax])), -1)\n"
  "    if op == 'Reshape':\n"
  "        shape = [x.shape[i] if d == 0 else int(d) for i, d in enumerate(ins[1])]\n"
  "        return x.reshape(shape)\n"
  "    if op == 'Gemm':\n"
  "        A = x.T if a.get('transA', 0) else x\n"
  "        B = ins[1].T if a.get('transB', 0) else ins[1]\n"
  "        y = a.get('alpha', 1.0) * (A @ B)\n"
  "        return y + a.get('beta', 1.0) * ins[2] if len(ins) > 2 else y\n"
  "    if op == 'BatchNormalization':\n"
  "        sh = (1, -1) + (1,) * (x.ndim - 2)\n"
  "        g, b, m, v = (t.reshape(sh) for t in ins[1:5])\n"
  "        return (x - m) / np.sqrt(v + a.get('epsilon', 1e-5)) * g + b\n"
  "    if op == 'GlobalAveragePool': return x.mean(axis=(2, 3), keepdims=True)\n"
  "    if op == 'GlobalMaxPool': return x.max(axis=(2, 3), keepdims=True)\n"
  "    if op == 'MaxPool':\n"
  "        return np.max([p for _, _, p in windows(x, k, s, pads, -np.inf)], axis=0)\n"
  "    if op == 'AveragePool':\n"
  "        total = sum(p for _, _, p in windows(x, k, s, pads, 0))\n"
  "        if a.get('count_include_pad', 0): return total / (k[0] * k[1])\n"
  "        return total / sum(p for _, _, p in windows(np.ones_like(x), k, s, pads, 0))\n"
  "    if op == 'Conv':\n"
  "        W = ins[1]\n"
  "        k = W.shape[2:]\n"
  "        y = sum(np.einsum('nchw,fc->nfhw', p, W[:, :, ky, kx]) for ky, kx, p in windows(x, k, s, pads, 0))\n"
  "        return y + ins[2].reshape(1, -1, 1, 1) if len(ins) > 2 else y\n"
  "    raise ValueError('no reference for ' + op)\n"
  "env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}\n"
  "env[model.graph.input[0].name] = x.astype(np.float64)\n"
  "for node in model.graph.node:\n"
  "    attrs = {at.name: helper.get_attribute_value(at) for at in node.attribute}\n"
  "    env[node.output[0]] = run(node, [env[i] for i in node.input], attrs)\n"
  "ref = env[model.graph.output[0].name]\n"
  "np.ascontiguousarray(ref, dtype='<f4').tofile(outp + '.ref')\n"
  "print('numpy reference evaluator output', ref.shape)\n";

/* Debian's python (with python3-onnx and python3-opencv) comes first: a
 * pyenv python earlier in PATH usually has neither. */
static char *
find_python (void)
{
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("/usr/bin/python3");
  return g_find_program_in_path ("python3");
}

/* NULL when python has onnx, cv2 and numpy, else the reason to skip. */
static char *
python_missing (const char *python)
{
  const char *argv[] = { python, "-c", "import numpy, onnx, cv2", NULL };
  g_autofree char *err = NULL;
  int status = 0;

  if (python == NULL)
    return g_strdup ("no python3");
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return g_strdup_printf ("%s lacks onnx, cv2 or numpy (apt-get install python3-onnx "
                            "python3-opencv): %s", python, err != NULL ? g_strstrip (err) : "");
  return NULL;
}

/* A model from lines "Type param=value ...", weights from seed. */
static LlModel *
model_from_lines (const char *text, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = ll_test_arch (text);
  LlModel *model = ll_model_new (arch, &error);

  g_assert_no_error (error);
  ll_model_init_weights (model, seed);
  return model;
}

/* Inputs: the shared MNIST test images for 28×28×1 models, else uniform. */
static float *
make_inputs (LlModel *model, guint64 seed)
{
  LlShape in = ll_model_input_shape (model);
  gsize n_in = ll_shape_size (&in);
  float *x = g_new (float, N_SAMPLES * n_in);

  if (in.d[0] == 28 && in.d[1] == 28 && in.d[2] == 1)
    {
      g_autoptr(LlDataset) ds = ll_test_mnist (TRUE, N_SAMPLES);
      guint32 idx[N_SAMPLES];
      for (int i = 0; i < N_SAMPLES; i++)
        idx[i] = (guint32) i;
      ll_dataset_fill_batch (ds, idx, N_SAMPLES, x, NULL);
    }
  else
    ll_test_fill_uniform (x, N_SAMPLES * n_in, 0.0, 1.0, seed);
  return x;
}

/* Largest |file value − expected| over n floats written by python. */
static double
compare_file (const char *path, const float *expected, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  gsize len = 0;
  double max_diff = 0.0;

  g_assert_true (g_file_get_contents (path, &got, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, n * sizeof (float));
  for (gsize i = 0; i < n; i++)
    {
      float v;
      memcpy (&v, got + i * sizeof (float), sizeof v);
      g_assert_true (isfinite (v));
      max_diff = MAX (max_diff, fabs ((double) v - expected[i]));
    }
  return max_diff;
}

/* Exports, checks and runs the file in python, compares with the engine. */
static void
check_model (LlModel *model, const char *label, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = find_python ();
  g_autofree char *missing = NULL, *dir = NULL, *onnx_path = NULL, *py_path = NULL;
  g_autofree char *in_path = NULL, *out_path = NULL, *out_text = NULL, *err_text = NULL;
  g_autofree char *bytes = NULL, *ref_path = NULL;
  g_autofree float *x = NULL, *probs = NULL;
  LlShape in = ll_model_input_shape (model), out = ll_model_output_shape (model);
  gsize n_in = ll_shape_size (&in), n_out = ll_shape_size (&out), len = 0;
  double max_diff, max_ref;
  int status = 0;

  dir = g_dir_make_tmp ("ll-export-onnx-XXXXXX", &error);
  g_assert_no_error (error);
  onnx_path = g_build_filename (dir, "model.onnx", NULL);
  g_assert_true (ll_export_onnx (model, onnx_path, &error));
  g_assert_no_error (error);
  /* Without python the bytes still have to look like a protobuf
   * ModelProto: field 1 (ir_version, varint) first, as protobuf-c packs in
   * field order of the .proto. */
  g_assert_true (g_file_get_contents (onnx_path, &bytes, &len, &error));
  g_assert_cmpuint (len, >, 100);
  g_assert_cmpint (bytes[0], ==, 0x08);
  g_assert_cmpint (bytes[1], ==, LL_EXPORT_ONNX_IR_VERSION);

  missing = python_missing (python);
  if (missing != NULL)
    {
      g_test_skip (missing);
      ll_test_remove_tree (dir);
      return;
    }

  x = make_inputs (model, seed);
  probs = g_new (float, N_SAMPLES * n_out);
  g_assert_true (ll_model_plan (model, N_SAMPLES, &error));
  g_assert_true (ll_model_predict (model, N_SAMPLES, x, probs, &error));
  g_assert_no_error (error);

  py_path = g_build_filename (dir, "check.py", NULL);
  in_path = g_build_filename (dir, "inputs.bin", NULL);
  out_path = g_build_filename (dir, "outputs.bin", NULL);
  g_assert_true (g_file_set_contents (py_path, checker_py, -1, &error));
  g_assert_true (g_file_set_contents (in_path, (const char *) x,
                                      (gssize) (N_SAMPLES * n_in * sizeof (float)), &error));
  {
    g_autofree char *n = g_strdup_printf ("%d", N_SAMPLES);
    g_autofree char *h = g_strdup_printf ("%d", in.d[0]);
    g_autofree char *w = g_strdup_printf ("%d", in.d[1]);
    g_autofree char *c = g_strdup_printf ("%d", in.d[2]);
    const char *argv[] = { python, py_path, onnx_path, in_path, out_path, n, h, w, c, NULL };
    g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, 0, NULL, NULL, &out_text, &err_text,
                                 &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("%s: the ONNX file was rejected: %s%s", label, out_text, err_text);
  }
  g_test_message ("%s: %s", label, g_strstrip (out_text));

  max_diff = compare_file (out_path, probs, N_SAMPLES * n_out);
  ref_path = g_strconcat (out_path, ".ref", NULL);
  max_ref = compare_file (ref_path, probs, N_SAMPLES * n_out);
  g_test_message ("%s: max |OpenCV - Layerlab| = %.3g, max |numpy reference - Layerlab| = %.3g "
                  "over %d samples x %" G_GSIZE_FORMAT " outputs",
                  label, max_diff, max_ref, N_SAMPLES, n_out);
  g_assert_cmpfloat (max_diff, <, TOLERANCE);
  g_assert_cmpfloat (max_ref, <, TOLERANCE);
  ll_test_remove_tree (dir);
}

static void
test_mlp (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mlp-128-dropout", 21);
  check_model (model, "mlp-128-dropout", 201);
}

static void
test_mnist_cnn (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mnist-cnn", 22);
  check_model (model, "mnist-cnn", 202);
}

static void
test_cifar_bn (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("cifar10-cnn", 23);
  ll_test_randomize_bn (model, 9);
  check_model (model, "cifar10-cnn", 203);
}

/* Every layer type: asymmetric "same" padding (odd sizes, strides 2, an
 * even kernel), average pooling that must not count the padding,
 * BatchNormalization without gamma or beta on images and on vectors, a bias-less Conv2D and Dense, Reshape after Dense, GAP. */
static void
test_all_layers (void)
{
  g_autoptr(LlModel) model = model_from_lines (
    "Input height=11 width=11 channels=3\n"
    "Conv2D filters=8 kernel_size=4 strides=2 padding=same activation=relu\n"
    "BatchNormalization center=0\n"
    "AveragePooling2D pool_size=3 strides=2 padding=same\n"
    "MaxPooling2D pool_size=2 strides=1 padding=same\n"
    "Conv2D filters=4 kernel_size=1 use_bias=0 activation=tanh\n"
    "Flatten\n"
    "Dense units=32 activation=relu use_bias=0\n"
    "BatchNormalization scale=0 epsilon=0.01\n"
    "Dropout rate=0.3\n"
    "Reshape height=4 width=4 channels=2\n"
    "Conv2D filters=6 kernel_size=3 padding=same activation=sigmoid\n"
    "AveragePooling2D pool_size=2\n"
    "GlobalAveragePooling2D\n"
    "Dense units=10 activation=softmax\n", 31);
  ll_test_randomize_bn (model, 5);
  check_model (model, "all-layers", 301);
}

/* GlobalMaxPooling2D, valid max pooling with strides, a separate
 * Activation on a vector. */
static void
test_global_max (void)
{
  g_autoptr(LlModel) model = model_from_lines (
    "Input height=9 width=7 channels=2\n"
    "Conv2D filters=5 kernel_size=3 activation=relu\n"
    "MaxPooling2D pool_size=3 strides=2\n"
    "GlobalMaxPooling2D\n"
    "Dense units=3 activation=relu\n"
    "Activation activation=sigmoid\n", 32);
  check_model (model, "global-max", 302);
}

/* Softmax over an image (all its values, as the engine computes it) in
 * both layouts of the graph: straight on the channels-last input, and
 * after a convolution, channels first. */
static void
test_image_softmax (void)
{
  g_autoptr(LlModel) model = model_from_lines (
    "Input height=6 width=5 channels=2\n"
    "Activation activation=softmax\n"
    "Conv2D filters=3 kernel_size=3 padding=same\n"
    "BatchNormalization\n"
    "Activation activation=softmax\n"
    "Flatten\n"
    "Dense units=4 activation=tanh use_bias=0\n", 33);
  ll_test_randomize_bn (model, 6);
  check_model (model, "image-softmax", 303);
}

static void
test_write_error (void)
{
  g_autoptr(LlModel) model = ll_test_preset_model ("mlp-128-dropout", 24);
  g_autoptr(GError) error = NULL;

  g_assert_false (ll_export_onnx (model, "/nonexistent-dir/model.onnx", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_IO);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/export-onnx/mlp", test_mlp);
  g_test_add_func ("/engine/export-onnx/mnist-cnn", test_mnist_cnn);
  g_test_add_func ("/engine/export-onnx/cifar10-cnn-bn", test_cifar_bn);
  g_test_add_func ("/engine/export-onnx/all-layers", test_all_layers);
  g_test_add_func ("/engine/export-onnx/global-max", test_global_max);
  g_test_add_func ("/engine/export-onnx/image-softmax", test_image_softmax);
  g_test_add_func ("/engine/export-onnx/write-error", test_write_error);
  return g_test_run ();
}
