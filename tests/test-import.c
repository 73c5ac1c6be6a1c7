/* test-import.c: ONNX and Keras models opened as Layerlab models.
 *
 * Without python: Layerlab's own ONNX export read back (predictions
 * equal), Keras legacy files written here with libhdf5, and bad files
 * (truncated, foreign, huge declared tensors, unsupported operators,
 * graphs that branch or whose shapes do not chain): one-line errors, no
 * crash.  With Debian's python3-torch: PyTorch's exports of an MLP, the
 * MNIST CNN and the CIFAR-10 CNN with batch norm, predictions within 1e-4
 * of PyTorch's on 100 images.  With python3-h5py: Keras files in Keras'
 * exact legacy and Keras 3 layouts, predictions within 1e-5 of numpy's.
 * The python cases skip with the reason when a module is missing. */
#include "ll-codegen.h"
#include "ll-export-onnx.h"
#include "ll-import.h"
#include "ll-model-file.h"
#include "ll-presets.h"
#include "ll-test-util.h"
#include "layerlab-onnx.pb-c.h"

#include <hdf5.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zip.h>

#define N_SAMPLES 100

/* Inputs: the MNIST test images for 28×28×1 models, else uniform. */
static float *
make_inputs (LlShape in, guint64 seed)
{
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

static float *
predict (LlTrainer *t, const float *x)
{
  g_autoptr(GError) error = NULL;
  LlModel *model = ll_trainer_get_model (t);
  LlShape out = ll_model_output_shape (model);
  float *y = g_new (float, N_SAMPLES * ll_shape_size (&out));

  g_assert_true (ll_model_plan (model, N_SAMPLES, &error));
  g_assert_true (ll_model_predict (model, N_SAMPLES, x, y, &error));
  g_assert_no_error (error);
  return y;
}

static double
max_diff (const float *a, const float *b, gsize n)
{
  double d = 0;
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (a[i]) && isfinite (b[i]));
      d = MAX (d, fabs ((double) a[i] - b[i]));
    }
  return d;
}

/* An import error: one line, in LL_ERROR. */
static void
assert_one_line (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == LL_ERROR);
  g_assert_null (strchr (error->message, '\n'));
}

/* The model still works as a Layerlab model: one epoch of training on a
 * small data set, saved as .llmodel and read back with equal outputs. */
static void
assert_normal_model (LlTrainer *t, const float *x)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LlTrainer) back = NULL;
  g_autofree float *y1 = NULL, *y2 = NULL;
  LlShape in = ll_model_input_shape (ll_trainer_get_model (t));
  LlShape out = ll_model_output_shape (ll_trainer_get_model (t));
  g_autoptr(LlDataset) ds = ll_test_synthetic (64, in.d[0], in.d[1], in.d[2],
                                               MIN (ll_shape_size (&out), 10), 3);
  LlFitConfig cfg;

  bytes = ll_model_file_to_bytes (t, &error);
  g_assert_no_error (error);
  back = ll_model_file_from_bytes (bytes, &error);
  g_assert_no_error (error);
  y1 = predict (t, x);
  y2 = predict (back, x);
  g_assert_cmpfloat (max_diff (y1, y2, N_SAMPLES * ll_shape_size (&out)), ==, 0.0);

  ll_fit_config_copy (&cfg, ll_trainer_get_config (t));
  cfg.epochs = 1;
  cfg.batch_size = 32;
  g_assert_true (ll_trainer_set_config (t, &cfg, &error));
  ll_fit_config_clear (&cfg);
  /* A model ending in logits (PyTorch's) trains with mean squared error. */
  if (ll_layer_spec_activation (ll_arch_layer (ll_model_get_arch (ll_trainer_get_model (t)),
                                               ll_model_n_layers (ll_trainer_get_model (t)) - 1))
      != LL_ACT_SOFTMAX)
    ll_trainer_get_config (t)->loss = LL_LOSS_MEAN_SQUARED_ERROR;
  g_assert_true (ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ll_trainer_get_history (t)->len, ==, 1);
}

/* ONNX: Layerlab's own export read back ------------------------------- */

static GBytes *
export_preset (const char *preset, LlModel **model_out)
{
  g_autoptr(GError) error = NULL;
  LlModel *model = ll_test_preset_model (preset, 11);
  GBytes *bytes;

  ll_test_randomize_bn (model, 5);
  bytes = ll_export_onnx_bytes (model, &error);
  g_assert_no_error (error);
  *model_out = model;
  return bytes;
}

static void
test_onnx_roundtrip (gconstpointer data)
{
  const char *preset = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GBytes) bytes = export_preset (preset, &model);
  g_autoptr(LlTrainer) t = ll_model_open_bytes (bytes, "model.onnx", &error);
  g_autofree float *x = NULL, *want = NULL, *got = NULL;
  const LlArch *a, *b;
  LlShape out;
  int j = 1;
  double d;

  g_assert_no_error (error);
  g_assert_nonnull (t);
  g_assert_true (ll_shape_equal (&(LlShape) { ll_model_input_shape (model).rank,
                                 { ll_model_input_shape (model).d[0], ll_model_input_shape (model).d[1],
                                   ll_model_input_shape (model).d[2] } },
                                 &(LlShape) { ll_model_input_shape (ll_trainer_get_model (t)).rank,
                                 { ll_model_input_shape (ll_trainer_get_model (t)).d[0],
                                   ll_model_input_shape (ll_trainer_get_model (t)).d[1],
                                   ll_model_input_shape (ll_trainer_get_model (t)).d[2] } }));
  /* The same layers (the export leaves Dropout out; Activation layers
   * after a Dense or Conv2D fold into it). */
  a = ll_model_get_arch (model);
  b = ll_model_get_arch (ll_trainer_get_model (t));
  for (int i = 1; i < ll_arch_n_layers (a); i++)
    {
      const LlLayerSpec *s = ll_arch_layer (a, i);
      if (s->type == &ll_layer_dropout)
        continue;
      g_assert_cmpint (j, <, ll_arch_n_layers (b));
      g_assert_cmpstr (ll_arch_layer (b, j)->type->name, ==, s->type->name);
      j++;
    }
  g_assert_cmpint (j, ==, ll_arch_n_layers (b));
  g_assert_cmpuint (ll_model_n_trainable (ll_trainer_get_model (t)), ==, ll_model_n_trainable (model));

  out = ll_model_output_shape (model);
  x = make_inputs (ll_model_input_shape (model), 3);
  want = g_new (float, N_SAMPLES * ll_shape_size (&out));
  g_assert_true (ll_model_plan (model, N_SAMPLES, &error));
  g_assert_true (ll_model_predict (model, N_SAMPLES, x, want, &error));
  got = predict (t, x);
  d = max_diff (want, got, N_SAMPLES * ll_shape_size (&out));
  g_test_message ("%s: max |import - original| = %.3g over %d samples", preset, d, N_SAMPLES);
  g_assert_cmpfloat (d, <, 1e-5);
  assert_normal_model (t, x);
}

/* Bad ONNX files ----------------------------------------------------- */

static GBytes *
pack (Onnx__ModelProto *mp)
{
  gsize size = onnx__model_proto__get_packed_size (mp);
  guint8 *buf = g_malloc (MAX (size, 1));
  onnx__model_proto__pack (mp, buf);
  return g_bytes_new_take (buf, size);
}

static void
expect_onnx_error (GBytes *bytes, const char *want1, const char *want2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = ll_model_open_bytes (bytes, "bad.onnx", &error);

  g_assert_null (t);
  assert_one_line (error);
  g_test_message ("%s", error->message);
  if (want1 != NULL)
    g_assert_nonnull (strstr (error->message, want1));
  if (want2 != NULL)
    g_assert_nonnull (strstr (error->message, want2));
}

static void
test_onnx_bad (void)
{
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GBytes) good = export_preset ("mnist-cnn", &model);
  gsize len;
  const guint8 *data = g_bytes_get_data (good, &len);
  Onnx__ModelProto *mp;

  /* Truncated anywhere: an error, never a crash or a model. */
  for (gsize cut = 0; cut < len; cut += 1 + cut / 8)
    {
      g_autoptr(GBytes) b = g_bytes_new (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(LlTrainer) t = ll_import_onnx (b, &error);
      g_assert_null (t);
      assert_one_line (error);
    }

  /* A node Layerlab has no layer for, named with its operator. */
  mp = onnx__model_proto__unpack (NULL, len, data);
  for (gsize i = 0; i < mp->graph->n_node; i++)
    if (strcmp (mp->graph->node[i]->op_type, "Relu") == 0)
      {
        char *old = mp->graph->node[i]->op_type, *name = mp->graph->node[i]->name;
        g_autoptr(GBytes) b1 = NULL, b2 = NULL;
        mp->graph->node[i]->op_type = (char *) "LeakyRelu";
        b1 = pack (mp);
        expect_onnx_error (b1, name, "leaky ReLU");
        mp->graph->node[i]->op_type = (char *) "Selu";
        b2 = pack (mp);
        expect_onnx_error (b2, name, "(Selu)");
        /* The file's names are quoted on one line, whatever they hold. */
        {
          g_autoptr(GBytes) b3 = NULL;
          mp->graph->node[i]->op_type = (char *) "Two\nLines\x01";
          b3 = pack (mp);
          expect_onnx_error (b3, "Two?Lines?", NULL);
        }
        mp->graph->node[i]->op_type = old;
        break;
      }

  /* A weight tensor declaring far more values than it holds. */
  {
    Onnx__TensorProto *t = mp->graph->initializer[0];
    gint64 old = t->dims[0];
    g_autoptr(GBytes) b = NULL;
    t->dims[0] = (gint64) 1 << 30;
    b = pack (mp);
    expect_onnx_error (b, t->name, NULL);
    t->dims[0] = old;
  }

  /* Shapes that do not chain: the first Gemm reads one input fewer. */
  for (gsize i = 0; i < mp->graph->n_initializer; i++)
    {
      Onnx__TensorProto *t = mp->graph->initializer[i];
      if (t->n_dims == 2)
        {
          g_autoptr(GBytes) b = NULL;
          gint64 d0 = t->dims[0], d1 = t->dims[1];
          guint8 *raw = t->raw_data.data;
          gsize raw_len = t->raw_data.len;
          t->dims[1] = d1 - 1;
          t->raw_data.len = (gsize) (d0 * (d1 - 1)) * 4;
          b = pack (mp);
          expect_onnx_error (b, "(Gemm)", "inputs");
          t->dims[1] = d1;
          t->raw_data.data = raw;
          t->raw_data.len = raw_len;
          break;
        }
    }

  /* A graph that branches: a second node reads the first node's input. */
  {
    Onnx__NodeProto **nodes = g_new (Onnx__NodeProto *, mp->graph->n_node + 1);
    Onnx__NodeProto extra = ONNX__NODE_PROTO__INIT, **old_nodes = mp->graph->node;
    char *out[1] = { (char *) "side" };
    g_autoptr(GBytes) b = NULL;
    memcpy (nodes, old_nodes, mp->graph->n_node * sizeof *nodes);
    extra.name = (char *) "side_branch";
    extra.op_type = (char *) "Relu";
    extra.n_input = 1;
    extra.input = old_nodes[1]->input;
    extra.n_output = 1;
    extra.output = out;
    nodes[mp->graph->n_node] = &extra;
    mp->graph->node = nodes;
    mp->graph->n_node++;
    b = pack (mp);
    expect_onnx_error (b, "side_branch", "chain");
    mp->graph->n_node--;
    mp->graph->node = old_nodes;
    g_free (nodes);
  }

  /* An opset outside 9–17. */
  {
    gint64 old = mp->opset_import[0]->version;
    g_autoptr(GBytes) b = NULL;
    mp->opset_import[0]->version = 8;
    b = pack (mp);
    expect_onnx_error (b, "opset 8", NULL);
    mp->opset_import[0]->version = old;
  }
  onnx__model_proto__free_unpacked (mp, NULL);

  /* Not a model at all, and empty. */
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("GIF89a not a model", 18);
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    g_assert_null (ll_model_open_bytes (junk, "picture.gif", &e1));
    assert_one_line (e1);
    g_assert_nonnull (strstr (e1->message, ".onnx"));
    g_assert_null (ll_model_open_bytes (empty, NULL, &e2));
    assert_one_line (e2);
  }
}

/* Keras legacy HDF5 written here with libhdf5 ------------------------- */

static void
h5_string_attr (hid_t obj, const char *name, const char *value)
{
  hid_t type = H5Tcopy (H5T_C_S1), space = H5Screate (H5S_SCALAR), a;
  H5Tset_size (type, MAX (strlen (value), 1));
  a = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite (a, type, value);
  H5Aclose (a);
  H5Sclose (space);
  H5Tclose (type);
}

/* Fixed-length strings, as numpy's bytes arrays are stored. */
static void
h5_strings_attr (hid_t obj, const char *name, const char *const *values, int n)
{
  gsize width = 1;
  g_autofree char *buf = NULL;
  hsize_t dims[1] = { (hsize_t) n };
  hid_t type = H5Tcopy (H5T_C_S1), space = H5Screate_simple (1, dims, NULL), a;

  for (int i = 0; i < n; i++)
    width = MAX (width, strlen (values[i]));
  buf = g_malloc0 (width * (gsize) MAX (n, 1));
  for (int i = 0; i < n; i++)
    memcpy (buf + width * (gsize) i, values[i], strlen (values[i]));
  H5Tset_size (type, width);
  H5Tset_strpad (type, H5T_STR_NULLPAD);
  a = H5Acreate2 (obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite (a, type, buf);
  H5Aclose (a);
  H5Sclose (space);
  H5Tclose (type);
}

/* A tf.keras 2 file of Input(28, 28, 1) → Flatten → Dense(10, softmax)
 * with the given weights; with `unwritten` the kernel dataset declares its
 * size but is never written (no storage in the file). */
static GBytes *
write_keras_h5 (const float *kernel, const float *bias, gboolean unwritten)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-import-h5-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.h5", NULL);
  const char *config =
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 28, 28, 1], "
    "\"dtype\": \"float32\", \"name\": \"input_1\"}}, "
    "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\", \"data_format\": \"channels_last\"}}, "
    "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 10, "
    "\"activation\": \"softmax\", \"use_bias\": true}}]}}";
  const char *layer_names[] = { "input_1", "flatten", "dense" };
  const char *weight_names[] = { "dense/kernel:0", "dense/bias:0" };
  hsize_t kdims[2] = { 784, 10 }, bdims[1] = { 10 };
  hid_t f, mw, g, lcpl, space, ds, dcpl;
  g_autofree char *contents = NULL;
  gsize len = 0;

  f = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  h5_string_attr (f, "keras_version", "2.15.0");
  h5_string_attr (f, "backend", "tensorflow");
  h5_string_attr (f, "model_config", config);
  h5_string_attr (f, "training_config",
                  "{\"loss\": \"categorical_crossentropy\", \"optimizer_config\": "
                  "{\"class_name\": \"Adagrad\", \"config\": {\"learning_rate\": 0.02}}}");
  mw = H5Gcreate2 (f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  h5_strings_attr (mw, "layer_names", layer_names, 3);
  for (int i = 0; i < 2; i++)
    {
      g = H5Gcreate2 (mw, layer_names[i], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      h5_strings_attr (g, "weight_names", NULL, 0);
      H5Gclose (g);
    }
  g = H5Gcreate2 (mw, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  h5_strings_attr (g, "weight_names", weight_names, 2);
  lcpl = H5Pcreate (H5P_LINK_CREATE);
  H5Pset_create_intermediate_group (lcpl, 1);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_alloc_time (dcpl, H5D_ALLOC_TIME_LATE);
  space = H5Screate_simple (2, kdims, NULL);
  ds = H5Dcreate2 (g, weight_names[0], H5T_IEEE_F32LE, space, lcpl, dcpl, H5P_DEFAULT);
  if (!unwritten)
    H5Dwrite (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, kernel);
  H5Dclose (ds);
  H5Sclose (space);
  space = H5Screate_simple (1, bdims, NULL);
  ds = H5Dcreate2 (g, weight_names[1], H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, bias);
  H5Dclose (ds);
  H5Sclose (space);
  H5Pclose (dcpl);
  H5Pclose (lcpl);
  H5Gclose (g);
  H5Gclose (mw);
  H5Fclose (f);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  ll_test_remove_tree (dir);
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static void
test_keras_h5_written_here (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *kernel = g_new (float, 7840), *bias = g_new (float, 10);
  g_autofree float *x = NULL, *got = NULL, *want = g_new (float, N_SAMPLES * 10);
  g_autoptr(GBytes) bytes = NULL, unwritten = NULL;
  g_autoptr(LlTrainer) t = NULL;
  gsize len;
  const guint8 *data;
  LlFitConfig *cfg;

  ll_test_fill_uniform (kernel, 7840, -0.1, 0.1, 1);
  ll_test_fill_uniform (bias, 10, -0.1, 0.1, 2);
  bytes = write_keras_h5 (kernel, bias, FALSE);
  t = ll_model_open_bytes (bytes, "model.h5", &error);
  g_assert_no_error (error);
  cfg = ll_trainer_get_config (t);
  g_assert_cmpint (cfg->optim.kind, ==, LL_OPTIM_ADAGRAD);
  g_assert_cmpfloat_with_epsilon (cfg->optim.learning_rate, 0.02, 1e-12);
  g_assert_cmpint (cfg->loss, ==, LL_LOSS_CATEGORICAL_CROSSENTROPY);

  /* softmax(x · W + b), computed here. */
  x = make_inputs (ll_shape_image (28, 28, 1), 1);
  for (int s = 0; s < N_SAMPLES; s++)
    {
      double z[10], max = -INFINITY, sum = 0;
      for (int u = 0; u < 10; u++)
        {
          z[u] = bias[u];
          for (int i = 0; i < 784; i++)
            z[u] += (double) x[s * 784 + i] * kernel[i * 10 + u];
          max = MAX (max, z[u]);
        }
      for (int u = 0; u < 10; u++)
        sum += exp (z[u] - max);
      for (int u = 0; u < 10; u++)
        want[s * 10 + u] = (float) (exp (z[u] - max) / sum);
    }
  got = predict (t, x);
  g_assert_cmpfloat (max_diff (want, got, N_SAMPLES * 10), <, 1e-5);
  assert_normal_model (t, x);

  /* Truncated anywhere: an error, never a crash. */
  data = g_bytes_get_data (bytes, &len);
  for (gsize cut = 0; cut < len; cut += 1 + cut / 6)
    {
      g_autoptr(GBytes) b = g_bytes_new (data, cut);
      g_autoptr(GError) e = NULL;
      g_autoptr(LlTrainer) bad = ll_model_open_bytes (b, "cut.h5", &e);
      g_assert_null (bad);
      assert_one_line (e);
    }

  /* A kernel that declares 784 × 10 floats the file does not hold. */
  unwritten = write_keras_h5 (kernel, bias, TRUE);
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(LlTrainer) bad = ll_model_open_bytes (unwritten, "unwritten.h5", &e);
    g_assert_null (bad);
    assert_one_line (e);
    g_test_message ("%s", e->message);
    g_assert_nonnull (strstr (e->message, "declares"));
  }
}


/* Weights that are not numbers -------------------------------------- */

/* An import refused for a non-finite (or negative variance) value: one
 * line naming the layer and the tensor. */
static void
expect_refused (GBytes *bytes, const char *name, const char *layer, const char *what,
                const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlTrainer) t = ll_model_open_bytes (bytes, name, &error);

  g_assert_null (t);
  assert_one_line (error);
  g_test_message ("%s", error->message);
  g_assert_cmpint (error->code, ==, LL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, layer));
  g_assert_nonnull (strstr (error->message, what));
  g_assert_nonnull (strstr (error->message, why));
}

/* ONNX: Layerlab's export of the CIFAR-10 CNN (convolutions, batch norm,
 * a Dense layer) with one value of one initializer replaced. */
static void
test_onnx_not_finite (void)
{
  g_autoptr(LlModel) model = NULL;
  g_autoptr(GBytes) good = export_preset ("cifar10-cnn", &model);
  gsize len;
  const guint8 *data = g_bytes_get_data (good, &len);
  struct { const char *tensor; float value; const char *what, *why; } cases[] = {
    { "kernel", NAN, "kernel", "NaN or infinite" },
    { "kernel", INFINITY, "kernel", "NaN or infinite" },
    { "bias", -INFINITY, "bias", "NaN or infinite" },
    { "gamma", NAN, "gamma", "NaN or infinite" },
    { "moving_mean", INFINITY, "moving_mean", "NaN or infinite" },
    { "moving_variance", NAN, "moving_variance", "NaN or infinite" },
    /* Below -epsilon: the ONNX reader's own check names the node. */
    { "moving_variance", -1.0f, "BatchNormalization", "variance plus epsilon is not positive" },
    /* Negative but above -epsilon: refused all the same. */
    { "moving_variance", -1e-5f, "moving variance", "negative" },
  };

  /* The unchanged file opens (the cases below fail for their value). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LlTrainer) t = ll_model_open_bytes (good, "model.onnx", &error);
    g_assert_no_error (error);
  }
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Onnx__ModelProto *mp = onnx__model_proto__unpack (NULL, len, data);
      gboolean done = FALSE;

      g_assert_nonnull (mp);
      for (gsize i = 0; i < mp->graph->n_initializer && !done; i++)
        {
          Onnx__TensorProto *t = mp->graph->initializer[i];
          if (strstr (t->name, cases[c].tensor) != NULL && t->raw_data.len >= 8)
            {
              guint32 bits;
              memcpy (&bits, &cases[c].value, 4);
              bits = GUINT32_TO_LE (bits);
              /* The second value: not only the first is looked at. */
              memcpy (t->raw_data.data + 4, &bits, 4);
              done = TRUE;
            }
        }
      g_assert_true (done);
      {
        g_autoptr(GBytes) b = pack (mp);
        expect_refused (b, "bad.onnx", strcmp (cases[c].what, "BatchNormalization") == 0
                                       ? "(BatchNormalization)" : "Layer ",
                        cases[c].what, cases[c].why);
      }
      onnx__model_proto__free_unpacked (mp, NULL);
    }
}

/* The first dataset whose path holds `part`, for H5Lvisit. */
typedef struct {
  const char *part;
  char *found;
} Find;

static herr_t
find_dataset (hid_t group, const char *name, const H5L_info_t *info, void *data)
{
  Find *f = data;

  if (f->found == NULL && strstr (name, f->part) != NULL)
    {
      hid_t ds = H5Dopen2 (group, name, H5P_DEFAULT);   /* a group fails */
      if (ds >= 0)
        {
          f->found = g_strdup (name);
          H5Dclose (ds);
        }
    }
  return 0;
}

/* The Keras file with value at index 1 of the dataset whose path holds
 * part (as Keras would write a model that diverged). */
static GBytes *
h5_poison (GBytes *bytes, const char *part, float value)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-import-h5-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.h5", NULL);
  g_autofree char *contents = NULL;
  g_autofree float *v = NULL;
  Find f = { part, NULL };
  hid_t file, ds, space;
  hssize_t n;
  gsize len = 0;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  H5Lvisit (file, H5_INDEX_NAME, H5_ITER_NATIVE, find_dataset, &f);
  g_assert_nonnull (f.found);
  ds = H5Dopen2 (file, f.found, H5P_DEFAULT);
  space = H5Dget_space (ds);
  n = H5Sget_simple_extent_npoints (space);
  g_assert_cmpint (n, >=, 2);
  v = g_new (float, n);
  g_assert_cmpint (H5Dread (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), >=, 0);
  v[1] = value;
  g_assert_cmpint (H5Dwrite (ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), >=, 0);
  H5Sclose (space);
  H5Dclose (ds);
  H5Fclose (file);
  g_free (f.found);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  ll_test_remove_tree (dir);
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* Keras: the Dense file written here, and the small CNN with batch norm of
 * the fuzz seeds (tests/fuzz/corpus/import-keras-h5/tiny-cnn.h5). */
static void
test_keras_not_finite (void)
{
  g_autofree float *kernel = g_new (float, 7840), *bias = g_new (float, 10);
  g_autofree char *cnn_path = g_build_filename (g_getenv ("LL_SOURCE_ROOT"), "tests", "fuzz", "corpus",
                                                "import-keras-h5", "tiny-cnn.h5", NULL);
  g_autofree char *cnn_bytes = NULL;
  g_autoptr(GBytes) cnn = NULL;
  gsize cnn_len = 0;
  struct { const char *part; float value; const char *layer, *what, *why; } cases[] = {
    { "conv2d/kernel", NAN, "(conv2d)", "kernel", "NaN or infinite" },
    { "batch_normalization/gamma", INFINITY, "(batch_normalization)", "gamma", "NaN or infinite" },
    { "moving_mean", -INFINITY, "(batch_normalization)", "moving_mean", "NaN or infinite" },
    { "moving_variance", NAN, "(batch_normalization)", "moving_variance", "NaN or infinite" },
    { "moving_variance", -0.5f, "(batch_normalization)", "moving variance", "negative" },
    { "dense/bias", INFINITY, "(dense)", "bias", "NaN or infinite" },
  };

  ll_test_fill_uniform (kernel, 7840, -0.1, 0.1, 1);
  ll_test_fill_uniform (bias, 10, -0.1, 0.1, 2);
  kernel[4321] = NAN;
  {
    g_autoptr(GBytes) b = write_keras_h5 (kernel, bias, FALSE);
    expect_refused (b, "model.h5", "(dense)", "kernel", "NaN or infinite");
  }
  kernel[4321] = 0.0f;
  bias[9] = -INFINITY;
  {
    g_autoptr(GBytes) b = write_keras_h5 (kernel, bias, FALSE);
    expect_refused (b, "model.h5", "(dense)", "bias", "NaN or infinite");
  }

  g_assert_true (g_file_get_contents (cnn_path, &cnn_bytes, &cnn_len, NULL));
  cnn = g_bytes_new_take (g_steal_pointer (&cnn_bytes), cnn_len);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LlTrainer) t = ll_model_open_bytes (cnn, "tiny-cnn.h5", &error);
    g_assert_no_error (error);
  }
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GBytes) b = h5_poison (cnn, cases[c].part, cases[c].value);
      expect_refused (b, "tiny-cnn.h5", cases[c].layer, cases[c].what, cases[c].why);
    }
}

/* .keras archives that are not right. */
static GBytes *
make_zip (const char *const *names, const char *const *contents, int n)
{
  g_autofree char *dir = g_dir_make_tmp ("ll-import-zip-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.keras", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  int err = 0;
  zip_t *z = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &err);

  g_assert_nonnull (z);
  for (int i = 0; i < n; i++)
    {
      zip_source_t *s = zip_source_buffer (z, contents[i], strlen (contents[i]), 0);
      g_assert_cmpint (zip_file_add (z, names[i], s, ZIP_FL_OVERWRITE), >=, 0);
    }
  g_assert_cmpint (zip_close (z), ==, 0);
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  ll_test_remove_tree (dir);
  return g_bytes_new_take (g_steal_pointer (&bytes), len);
}

static void
test_keras_zip_bad (void)
{
  const char *config =
    "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 8, 8, 1], \"name\": \"in\"}},"
    "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"c\", \"filters\": 4, \"kernel_size\": [3, 3],"
    " \"dilation_rate\": [2, 2]}}]}}";
  const char *lstm =
    "{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 8, 8], \"name\": \"in\"}},"
    "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"my_lstm\", \"units\": 4}}]}}";
  struct { const char *names[3]; const char *contents[3]; int n; const char *want; } cases[] = {
    { { "metadata.json" }, { "{}" }, 1, "config.json" },
    { { "config.json" }, { "[1, 2" }, 1, "JSON" },
    { { "config.json", "model.weights.h5" }, { config, "not hdf5" }, 2, "dilated" },
    { { "config.json", "model.weights.h5" }, { lstm, "not hdf5" }, 2, "my_lstm" },
    { { "config.json", "model.weights.npz" }, { lstm, "x" }, 2, ".npz" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) b = make_zip (cases[i].names, cases[i].contents, cases[i].n);
      g_autoptr(GError) e = NULL;
      g_autoptr(LlTrainer) t = ll_model_open_bytes (b, "model.keras", &e);
      gsize len;
      const guint8 *data = g_bytes_get_data (b, &len);

      g_assert_null (t);
      assert_one_line (e);
      g_test_message ("%s", e->message);
      g_assert_nonnull (strstr (e->message, cases[i].want));
      for (gsize cut = 0; cut < len; cut += 1 + cut / 4)
        {
          g_autoptr(GBytes) c = g_bytes_new (data, cut);
          g_autoptr(GError) e2 = NULL;
          g_assert_null (ll_import_keras_zip (c, &e2));
          assert_one_line (e2);
        }
    }
}

/* With python ---------------------------------------------------------- */

static char *
find_python (void)
{
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("/usr/bin/python3");
  return g_find_program_in_path ("python3");
}

/* NULL when python has the modules, else the reason to skip. */
static char *
python_missing (const char *python, const char *modules, const char *packages)
{
  g_autofree char *code = g_strdup_printf ("import %s", modules);
  const char *argv[] = { python, "-c", code, NULL };
  int status = 0;

  if (python == NULL)
    return g_strdup ("no python3");
  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                     NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return g_strdup_printf ("%s cannot import %s (apt-get install %s; tools/setup.sh --test "
                            "installs it)", python, modules, packages);
  return NULL;
}

/* Runs tests/SCRIPT KIND DIR N after writing the inputs; returns stdout. */
static char *
run_script (const char *script, const char *kind, const char *dir, const float *x, gsize n_in)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = find_python ();
  g_autofree char *path = g_build_filename (g_getenv ("LL_SOURCE_ROOT"), "tests", script, NULL);
  g_autofree char *in_path = g_build_filename (dir, "inputs.bin", NULL);
  g_autofree char *err = NULL, *n = g_strdup_printf ("%d", N_SAMPLES);
  const char *argv[] = { python, path, kind, dir, n, NULL };
  char *out = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (in_path, (const char *) x,
                                      (gssize) (N_SAMPLES * n_in * sizeof (float)), &error));
  g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s%s", script, kind, out, err);
  return out;
}

static float *
read_outputs (const char *dir, gsize n)
{
  g_autofree char *path = g_build_filename (dir, "outputs.bin", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  float *y = g_new (float, n);

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_cmpuint (len, ==, n * sizeof (float));
  memcpy (y, bytes, len);
  return y;
}

typedef struct {
  const char *kind;
  int h, w, c;
} Case;

static void
test_pytorch (gconstpointer data)
{
  const Case *k = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *python = find_python ();
  g_autofree char *missing = python_missing (python, "numpy, torch, onnx", "python3-torch python3-onnx");
  g_autofree char *dir = NULL, *out = NULL, *onnx_path = NULL;
  g_autofree float *x = NULL, *want = NULL, *got = NULL;
  g_autoptr(LlTrainer) t = NULL;
  LlShape in = ll_shape_image (k->h, k->w, k->c), shape;
  double d;

  if (missing != NULL)
    {
      g_test_skip (missing);
      return;
    }
  dir = g_dir_make_tmp ("ll-import-torch-XXXXXX", &error);
  x = make_inputs (in, 9);
  out = run_script ("import-pytorch.py", k->kind, dir, x, ll_shape_size (&in));
  g_test_message ("%s", g_strstrip (out));
  onnx_path = g_build_filename (dir, "model.onnx", NULL);
  t = ll_model_open_any (onnx_path, &error);
  g_assert_no_error (error);
  shape = ll_model_input_shape (ll_trainer_get_model (t));
  g_assert_true (ll_shape_equal (&shape, &in));
  shape = ll_model_output_shape (ll_trainer_get_model (t));
  g_assert_cmpuint (ll_shape_size (&shape), ==, 10);
  want = read_outputs (dir, N_SAMPLES * 10);
  got = predict (t, x);
  d = max_diff (want, got, N_SAMPLES * 10);
  g_test_message ("%s: max |Layerlab - PyTorch| = %.3g over %d images x 10 outputs", k->kind, d,
                  N_SAMPLES);
  g_assert_cmpfloat (d, <, 1e-4);
  assert_normal_model (t, x);
  ll_test_remove_tree (dir);
}

static void
test_keras (gconstpointer data)
{
  const Case *k = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *python = find_python ();
  g_autofree char *missing = python_missing (python, "numpy, h5py", "python3-h5py");
  g_autofree char *dir = NULL, *out = NULL, *code = NULL;
  g_autofree float *x = NULL, *want = NULL, *got = NULL;
  g_auto(GStrv) lines = NULL, classes = NULL;
  g_autoptr(LlTrainer) t = NULL;
  LlShape in = ll_shape_image (k->h, k->w, k->c);
  const LlFitConfig *cfg;
  const char *p;
  double d;

  if (missing != NULL)
    {
      g_test_skip (missing);
      return;
    }
  dir = g_dir_make_tmp ("ll-import-keras-XXXXXX", &error);
  x = make_inputs (in, 13);
  out = run_script ("import-keras.py", k->kind, dir, x, ll_shape_size (&in));
  lines = g_strsplit (g_strstrip (out), "\n", 2);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  t = ll_model_open_any (lines[0], &error);
  g_assert_no_error (error);
  want = read_outputs (dir, N_SAMPLES * 10);
  got = predict (t, x);
  d = max_diff (want, got, N_SAMPLES * 10);
  g_test_message ("%s: max |Layerlab - numpy| = %.3g over %d images x 10 outputs", k->kind, d,
                  N_SAMPLES);
  g_assert_cmpfloat (d, <, 1e-5);

  /* compile(): the optimizer and the loss. */
  cfg = ll_trainer_get_config (t);
  g_assert_cmpint (cfg->loss, ==, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
  if (strcmp (k->kind, "legacy-h5") == 0)
    {
      g_assert_cmpint (cfg->optim.kind, ==, LL_OPTIM_SGD);
      g_assert_cmpfloat_with_epsilon (cfg->optim.learning_rate, 0.05, 1e-12);
      g_assert_cmpfloat_with_epsilon (cfg->optim.momentum, 0.9, 1e-12);
      g_assert_true (cfg->optim.nesterov);
    }
  else if (strcmp (k->kind, "keras3-h5") == 0)
    {
      g_assert_cmpint (cfg->optim.kind, ==, LL_OPTIM_RMSPROP);
      g_assert_cmpfloat_with_epsilon (cfg->optim.rho, 0.8, 1e-12);
    }
  else
    {
      g_assert_cmpint (cfg->optim.kind, ==, LL_OPTIM_ADAM);
      g_assert_cmpfloat_with_epsilon (cfg->optim.learning_rate, 0.0005, 1e-12);
      g_assert_cmpfloat_with_epsilon (cfg->optim.beta_2, 0.99, 1e-12);
    }

  /* The Keras code Layerlab writes for it names the file's layers, in order. */
  code = ll_codegen_keras (ll_model_get_arch (ll_trainer_get_model (t)), cfg, NULL);
  classes = g_strsplit (lines[1], " ", -1);
  p = code;
  for (int i = 0; classes[i] != NULL; i++)
    {
      g_autofree char *call = g_strdup_printf ("layers.%s(", classes[i]);
      const char *hit = strstr (p, call);
      if (hit == NULL)
        g_error ("%s: the generated Keras code lacks %s after %.60s…:\n%s", k->kind, call, p, code);
      p = hit + strlen (call);
    }
  assert_normal_model (t, x);
  ll_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  static const Case torch_cases[] = {
    { "mlp", 28, 28, 1 }, { "mnist-cnn", 28, 28, 1 }, { "cifar-bn", 32, 32, 3 },
    { "cifar-bn-folded", 32, 32, 3 },
  };
  static const Case keras_cases[] = {
    { "legacy-h5", 28, 28, 1 }, { "keras3-h5", 28, 28, 1 }, { "keras3", 32, 32, 3 },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/engine/import/onnx/roundtrip/mlp-128-dropout", "mlp-128-dropout",
                        test_onnx_roundtrip);
  g_test_add_data_func ("/engine/import/onnx/roundtrip/mnist-cnn", "mnist-cnn", test_onnx_roundtrip);
  g_test_add_data_func ("/engine/import/onnx/roundtrip/cifar10-cnn", "cifar10-cnn",
                        test_onnx_roundtrip);
  g_test_add_func ("/engine/import/onnx/bad", test_onnx_bad);
  g_test_add_func ("/engine/import/keras/h5-written-here", test_keras_h5_written_here);
  g_test_add_func ("/engine/import/keras/zip-bad", test_keras_zip_bad);
  g_test_add_func ("/engine/import/onnx/not-finite", test_onnx_not_finite);
  g_test_add_func ("/engine/import/keras/not-finite", test_keras_not_finite);
  for (gsize i = 0; i < G_N_ELEMENTS (torch_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/import/onnx/pytorch/%s", torch_cases[i].kind);
      g_test_add_data_func (path, &torch_cases[i], test_pytorch);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (keras_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/import/keras/%s", keras_cases[i].kind);
      g_test_add_data_func (path, &keras_cases[i], test_keras);
    }
  return g_test_run ();
}
