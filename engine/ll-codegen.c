/* ll-codegen.c: Keras and PyTorch scripts from an LlArch and LlFitConfig.
 *
 * The generators walk the layer parameter tables, so a new layer type
 * appears in the Keras code without changes here: every parameter whose
 * value differs from its default becomes a keyword argument (the tables
 * use Keras' names and defaults).  Only the conventions that make code
 * read like a tutorial (positional units/filters, tuples for kernel
 * sizes, regularizer objects) and the PyTorch translation are special. */
#include "ll-codegen.h"
#include "ll-pytorch.h"

#include <math.h>
#include <string.h>

typedef struct {
  const LlArch *arch;
  const LlFitConfig *cfg;
  LlFitConfig defaults;          /* used when the caller gives no config */
  const char *dataset;
  LlShape *shapes;               /* NULL when the stack is invalid */
  int bad_layer;
  char *problem;                 /* the validation message, or NULL */
} Gen;

static void
gen_init (Gen *g, const LlArch *arch, const LlFitConfig *cfg, const char *dataset)
{
  g_autoptr(GError) error = NULL;

  memset (g, 0, sizeof *g);
  g->arch = arch;
  ll_fit_config_init (&g->defaults);
  g->cfg = cfg != NULL ? cfg : &g->defaults;
  g->dataset = dataset != NULL ? dataset : "mnist";
  g->bad_layer = -1;
  g->shapes = ll_arch_infer_shapes (arch, &g->bad_layer, &error);
  if (g->shapes == NULL)
    g->problem = g_strdup (error != NULL ? error->message : "the layer shapes do not fit");
}

static void
gen_clear (Gen *g)
{
  g_free (g->shapes);
  g_free (g->problem);
  ll_fit_config_clear (&g->defaults);
}

static void
append_float (GString *s, double v)
{
  ll_append_python_float (s, v);
}

static void
append_py_string (GString *s, const char *str)
{
  g_string_append_c (s, '"');
  for (const char *p = str; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      if (*p == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static const char *
choice_name (const LlParamSpec *p, double v)
{
  int n = 0;

  if (p->choices == NULL)
    return "";
  while (p->choices[n] != NULL)
    n++;
  int i = (int) v;
  return i >= 0 && i < n ? p->choices[i] : p->choices[0];
}

static gboolean
str_has_suffix (const char *s, const char *suffix)
{
  return g_str_has_suffix (s, suffix);
}

static gboolean
is_regularizer_choice (const LlParamSpec *p)
{
  return p->type == LL_PARAM_CHOICE && str_has_suffix (p->name, "regularizer");
}

/* Regularization factors live in FLOAT parameters named like "l1", "l2",
 * "kernel_l2" or "kernel_regularizer_l2". */
static gboolean
is_regularizer_factor (const LlParamSpec *p)
{
  return p->type == LL_PARAM_FLOAT
         && (strcmp (p->name, "l1") == 0 || strcmp (p->name, "l2") == 0
             || str_has_suffix (p->name, "_l1") || str_has_suffix (p->name, "_l2"));
}

static void
layer_regularization (const LlLayerSpec *spec, const char **kind, double *l1, double *l2)
{
  const LlLayerType *t = spec->type;

  *kind = NULL;
  *l1 = *l2 = 0.0;
  for (int i = 0; i < t->n_params; i++)
    {
      const LlParamSpec *p = &t->params[i];
      if (is_regularizer_choice (p))
        {
          const char *c = choice_name (p, spec->v[i]);
          if (c != NULL && strcmp (c, "none") != 0 && *c != '\0')
            *kind = c;
        }
      else if (is_regularizer_factor (p))
        {
          if (str_has_suffix (p->name, "l1"))
            *l1 = spec->v[i];
          else
            *l2 = spec->v[i];
        }
    }
  if (*kind == NULL)
    return;
  /* Keras' own default factor is 0.01 when a table has no factor. */
  if (strcmp (*kind, "l1") == 0 && *l1 == 0.0)
    *l1 = 0.01;
  if (strcmp (*kind, "l2") == 0 && *l2 == 0.0)
    *l2 = 0.01;
  if (strcmp (*kind, "l1") == 0)
    *l2 = 0.0;
  if (strcmp (*kind, "l2") == 0)
    *l1 = 0.0;
}

static void
append_param_value (GString *s, const LlParamSpec *p, double v)
{
  switch (p->type)
    {
    case LL_PARAM_INT:
      if (p->flags & LL_PARAM_PAIR)
        g_string_append_printf (s, "(%d, %d)", (int) v, (int) v);
      else
        g_string_append_printf (s, "%d", (int) v);
      break;
    case LL_PARAM_FLOAT:
      append_float (s, v);
      break;
    case LL_PARAM_BOOL:
      g_string_append (s, v != 0.0 ? "True" : "False");
      break;
    case LL_PARAM_CHOICE:
    default:
      append_py_string (s, choice_name (p, v));
      break;
    }
}

static void
append_shape_tuple (GString *s, const LlShape *shape)
{
  g_string_append_c (s, '(');
  for (int i = 0; i < shape->rank; i++)
    g_string_append_printf (s, i ? ", %d" : "%d", shape->d[i]);
  if (shape->rank == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
}

/* Layers whose Keras form is not their parameters: the Input's shape,
 * Reshape's target shape.  Every other layer is written from its table:
 * positional parameters first (LL_PARAM_POSITIONAL), then every other
 * one that differs from its default, as keywords. */
static void
keras_input (Gen *g, GString *s, int index)
{
  g_string_append (s, "    keras.Input(shape=");
  if (g->shapes != NULL)
    append_shape_tuple (s, &g->shapes[index]);
  else
    g_string_append (s, "(28, 28, 1)");
  g_string_append (s, "),\n");
}

static void
keras_reshape (Gen *g, GString *s, int index)
{
  g_string_append (s, "    layers.Reshape(");
  if (g->shapes != NULL)
    append_shape_tuple (s, &g->shapes[index]);
  else
    {
      const LlLayerSpec *spec = ll_arch_layer (g->arch, index);
      g_string_append_printf (s, "(%d, %d, %d)", (int) ll_layer_spec_get (spec, "height", 1),
                              (int) ll_layer_spec_get (spec, "width", 1),
                              (int) ll_layer_spec_get (spec, "channels", 1));
    }
  g_string_append (s, "),\n");
}

static const struct {
  const LlLayerType *type;
  void (*write) (Gen *g, GString *s, int index);
} keras_special[] = {
  { &ll_layer_input, keras_input },
  { &ll_layer_reshape, keras_reshape },
};

static void
keras_layer (Gen *g, GString *s, int index)
{
  const LlLayerSpec *spec = ll_arch_layer (g->arch, index);
  const LlLayerType *t = spec->type;
  g_autoptr(GError) declined = NULL;
  gboolean first = TRUE;
  const char *reg_kind;
  double l1, l2;

  if (!ll_layer_type_check_backend (t, LL_BACKEND_KERAS, &declined))
    {
      g_string_append_printf (s, "    # %s\n", declined->message);
      return;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (keras_special); k++)
    if (keras_special[k].type == t)
      {
        keras_special[k].write (g, s, index);
        return;
      }

  g_string_append_printf (s, "    layers.%s(", t->name);
  for (int i = 0; i < t->n_params; i++)
    {
      if (!(t->params[i].flags & LL_PARAM_POSITIONAL))
        continue;
      if (!first)
        g_string_append (s, ", ");
      append_param_value (s, &t->params[i], spec->v[i]);
      first = FALSE;
    }

  for (int i = 0; i < t->n_params; i++)
    {
      const LlParamSpec *p = &t->params[i];
      gboolean always = strcmp (p->name, "activation") == 0
                        && ll_layer_spec_activation (spec) != LL_ACT_LINEAR;

      if ((p->flags & LL_PARAM_POSITIONAL) || is_regularizer_factor (p))
        continue;
      if (is_regularizer_choice (p))
        continue;
      if (!always && spec->v[i] == p->default_value)
        continue;
      if (!first)
        g_string_append (s, ", ");
      g_string_append_printf (s, "%s=", p->name);
      append_param_value (s, p, spec->v[i]);
      first = FALSE;
    }

  if (spec->name[0] != '\0')
    {
      /* A name the user gave; Keras names the others itself. */
      g_string_append_printf (s, "%sname=\"%s\"", first ? "" : ", ", spec->name);
      first = FALSE;
    }

  layer_regularization (spec, &reg_kind, &l1, &l2);
  if (reg_kind != NULL)
    {
      if (!first)
        g_string_append (s, ", ");
      g_string_append (s, "kernel_regularizer=regularizers.");
      if (strcmp (reg_kind, "l1") == 0)
        {
          g_string_append (s, "L1(");
          append_float (s, l1);
        }
      else if (strcmp (reg_kind, "l2") == 0)
        {
          g_string_append (s, "L2(");
          append_float (s, l2);
        }
      else
        {
          g_string_append (s, "L1L2(l1=");
          append_float (s, l1);
          g_string_append (s, ", l2=");
          append_float (s, l2);
        }
      g_string_append_c (s, ')');
    }
  g_string_append (s, "),\n");
}

static const char *
keras_dataset_module (const char *dataset)
{
  if (strcmp (dataset, "fashion-mnist") == 0)
    return "fashion_mnist";
  if (strcmp (dataset, "cifar10") == 0)
    return "cifar10";
  return "mnist";
}

static const char *
torch_dataset_class (const char *dataset)
{
  if (strcmp (dataset, "fashion-mnist") == 0)
    return "FashionMNIST";
  if (strcmp (dataset, "cifar10") == 0)
    return "CIFAR10";
  return "MNIST";
}

static void
append_header (Gen *g, GString *s, const char *framework)
{
  g_string_append_printf (s, "# %s code generated by Layerlab for the model below.\n", framework);
  if (g->problem != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (g->problem, "\n", -1);
      g_string_append_printf (s, "# WARNING: the model is not valid (layer %d): ", g->bad_layer);
      g_string_append (s, lines[0]);
      g_string_append_c (s, '\n');
    }
}

static void
kw_float (GString *s, const char *name, double v)
{
  g_string_append_printf (s, ", %s=", name);
  append_float (s, v);
}

/* keras.optimizers.X(learning_rate=…): the learning rate always, every
 * other hyperparameter the optimizer uses when it is not Keras' default,
 * in the order of the optimizer's row (ll-optim.c). */
static void
keras_optimizer (const LlOptimConfig *o, GString *s)
{
  const LlOptimInfo *info = ll_optim_info (o->kind);

  g_string_append_printf (s, "keras.optimizers.%s(learning_rate=", info->keras_class);
  append_float (s, o->learning_rate);
  for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec (*h);
      double v = ll_hyper_get (o, *h);

      if (*h == LL_HYPER_LEARNING_RATE || v == ll_hyper_default (*h, o->kind))
        continue;
      if (spec->is_flag)
        g_string_append_printf (s, ", %s=%s", spec->keras, v != 0.0 ? "True" : "False");
      else
        kw_float (s, spec->keras, v);
    }
  g_string_append_c (s, ')');
}

static const char *
monitor_name (LlMonitor m)
{
  return m >= 0 && m < LL_N_MONITORS ? ll_monitor_names[m] : "val_loss";
}

static void
keras_callbacks (Gen *g, GString *s)
{
  const LlFitConfig *c = g->cfg;
  gboolean any = FALSE;

  g_string_append (s, "callbacks = [\n");
  if (c->schedule.kind == LL_SCHEDULE_STEP)
    {
      g_string_append (s, "    keras.callbacks.LearningRateScheduler(\n"
                          "        lambda epoch, lr: ");
      append_float (s, c->optim.learning_rate);
      g_string_append (s, " * ");
      append_float (s, c->schedule.factor);
      g_string_append_printf (s, " ** (epoch // %d)),\n", MAX (c->schedule.step_epochs, 1));
      any = TRUE;
    }
  else if (c->schedule.kind == LL_SCHEDULE_EXPONENTIAL)
    {
      g_string_append (s, "    keras.callbacks.LearningRateScheduler(\n"
                          "        lambda epoch, lr: ");
      append_float (s, c->optim.learning_rate);
      g_string_append (s, " * ");
      append_float (s, c->schedule.factor);
      g_string_append (s, " ** epoch),\n");
      any = TRUE;
    }
  else if (c->schedule.kind == LL_SCHEDULE_COSINE)
    {
      g_string_append (s, "    keras.callbacks.LearningRateScheduler(\n"
                          "        lambda epoch, lr: ");
      append_float (s, c->optim.learning_rate);
      g_string_append (s, " * (");
      append_float (s, c->schedule.alpha);
      g_string_append (s, " + (1 - ");
      append_float (s, c->schedule.alpha);
      g_string_append_printf (s, ") * (1 + math.cos(math.pi * epoch / %d)) / 2)),\n",
                              MAX (c->epochs, 1));
      any = TRUE;
    }
  if (c->early_stopping.enabled)
    {
      g_string_append_printf (s, "    keras.callbacks.EarlyStopping(monitor=\"%s\", min_delta=",
                              monitor_name (c->early_stopping.monitor));
      append_float (s, c->early_stopping.min_delta);
      g_string_append_printf (s, ", patience=%d, restore_best_weights=%s),\n",
                              c->early_stopping.patience,
                              c->early_stopping.restore_best_weights ? "True" : "False");
      any = TRUE;
    }
  if (c->checkpoint.enabled)
    {
      g_string_append (s, "    keras.callbacks.ModelCheckpoint(");
      append_py_string (s, c->checkpoint.path != NULL ? c->checkpoint.path : "model.keras");
      g_string_append_printf (s, ", monitor=\"%s\", save_best_only=%s, save_weights_only=%s),\n",
                              monitor_name (c->checkpoint.monitor),
                              c->checkpoint.save_best_only ? "True" : "False",
                              c->checkpoint.save_weights_only ? "True" : "False");
      any = TRUE;
    }
  if (c->reduce_lr.enabled)
    {
      g_string_append_printf (s, "    keras.callbacks.ReduceLROnPlateau(monitor=\"%s\", factor=",
                              monitor_name (c->reduce_lr.monitor));
      append_float (s, c->reduce_lr.factor);
      g_string_append_printf (s, ", patience=%d, min_delta=", c->reduce_lr.patience);
      append_float (s, c->reduce_lr.min_delta);
      g_string_append (s, ", min_lr=");
      append_float (s, c->reduce_lr.min_lr);
      g_string_append (s, "),\n");
      any = TRUE;
    }
  if (!any)
    g_string_truncate (s, s->len - 1);     /* "callbacks = []" */
  g_string_append (s, "]\n");
}

static const char *
loss_name (LlLossKind k)
{
  return k >= 0 && k < LL_N_LOSSES ? ll_loss_names[k] : "sparse_categorical_crossentropy";
}

char *
ll_codegen_keras (const LlArch *arch, const LlFitConfig *config, const char *dataset)
{
  GString *s = g_string_new (NULL);
  Gen g;
  int n;

  g_return_val_if_fail (arch != NULL, NULL);

  gen_init (&g, arch, config, dataset);
  n = ll_arch_n_layers (arch);

  append_header (&g, s, "Keras");
  if (g.cfg->schedule.kind == LL_SCHEDULE_COSINE)
    g_string_append (s, "import math\n\n");
  g_string_append (s, "import keras\n"
                      "from keras import layers, regularizers\n\n");
  g_string_append_printf (s, "keras.utils.set_random_seed(%" G_GUINT64_FORMAT ")\n\n", g.cfg->seed);

  g_string_append_printf (s, "(x_train, y_train), (x_test, y_test) = keras.datasets.%s.load_data()\n",
                          keras_dataset_module (g.dataset));
  if (g.shapes != NULL)
    {
      const LlShape *in = &g.shapes[0];
      g_autoptr(GString) t = g_string_new ("(-1");

      /* The model's input layout, pixels scaled to [0, 1]. */
      for (int i = 0; i < in->rank; i++)
        g_string_append_printf (t, ", %d", in->d[i]);
      g_string_append_c (t, ')');
      g_string_append_printf (s, "x_train = x_train.reshape(%s).astype(\"float32\") / 255.0\n", t->str);
      g_string_append_printf (s, "x_test = x_test.reshape(%s).astype(\"float32\") / 255.0\n", t->str);
    }
  else
    {
      g_string_append (s, "x_train = x_train.astype(\"float32\") / 255.0\n"
                          "x_test = x_test.astype(\"float32\") / 255.0\n");
    }
  if (g.cfg->loss == LL_LOSS_CATEGORICAL_CROSSENTROPY)
    g_string_append (s, "y_train = keras.utils.to_categorical(y_train, 10)\n"
                        "y_test = keras.utils.to_categorical(y_test, 10)\n");
  g_string_append (s, "\nmodel = keras.Sequential([\n");
  for (int i = 0; i < n; i++)
    keras_layer (&g, s, i);
  g_string_append (s, "])\nmodel.summary()\n\n");

  g_string_append (s, "model.compile(\n    optimizer=");
  keras_optimizer (&g.cfg->optim, s);
  g_string_append_printf (s, ",\n    loss=\"%s\",\n    metrics=[\"accuracy\"],\n)\n\n",
                          loss_name (g.cfg->loss));

  keras_callbacks (&g, s);
  g_string_append_printf (s, "\nhistory = model.fit(\n"
                             "    x_train, y_train,\n"
                             "    epochs=%d,\n"
                             "    batch_size=%d,\n"
                             "    shuffle=%s,\n"
                             "    validation_split=",
                          g.cfg->epochs, g.cfg->batch_size, g.cfg->shuffle ? "True" : "False");
  append_float (s, g.cfg->validation_split);
  g_string_append (s, ",\n    callbacks=callbacks,\n)\n"
                      "test_loss, test_accuracy = model.evaluate(x_test, y_test)\n"
                      "print(f\"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}\")\n");
  gen_clear (&g);
  return g_string_free (s, FALSE);
}

/* PyTorch ------------------------------------------------------------ */

typedef struct {
  int module;                    /* index in nn.Sequential */
  double l1, l2;
} RegTerm;

/* Records the layer's regularization penalty (PyTorch has no kernel
 * regularizer: the script adds it to the loss), then its modules. */
static void
torch_layer (Gen *g, GString *s, int i, gboolean last, int *module, GArray *regs)
{
  const LlLayerSpec *spec = ll_arch_layer (g->arch, i);
  const char *reg_kind;
  double l1, l2;

  layer_regularization (spec, &reg_kind, &l1, &l2);
  if (reg_kind != NULL)
    {
      RegTerm r = { *module, l1, l2 };
      g_array_append_val (regs, r);
    }
  ll_pytorch_modules (s, g->arch, g->shapes, i, last, module);
}

/* torch.optim.X(model.parameters(), lr=…): Keras' values under PyTorch's
 * keywords (ll_hyper_pytorch: RMSprop's rho is alpha, the betas a pair),
 * written even where they equal Keras' defaults because PyTorch's differ
 * (eps 1e-8, alpha 0.99, …); only a number at 0 or a flag that is off,
 * which are PyTorch's defaults too, is left out. */
static void
torch_optimizer (const LlOptimConfig *o, GString *s)
{
  const LlOptimInfo *info = ll_optim_info (o->kind);

  g_string_append_printf (s, "optimizer = torch.optim.%s(model.parameters(), lr=", info->pytorch_class);
  append_float (s, o->learning_rate);
  for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
    {
      const LlHyperSpec *spec = ll_hyper_spec (*h);
      const char *keyword = ll_hyper_pytorch (*h, o->kind);
      double v = ll_hyper_get (o, *h);

      if (*h == LL_HYPER_LEARNING_RATE || spec->pytorch_index > 1)
        continue;
      if (spec->pytorch_index == 1)
        {
          /* The first of a pair: write the pair, its partners found by keyword. */
          g_string_append_printf (s, ", %s=(", keyword);
          append_float (s, v);
          for (const LlHyper *p = info->hypers; *p != LL_N_HYPERS; p++)
            if (ll_hyper_spec (*p)->pytorch_index > 1 && strcmp (ll_hyper_pytorch (*p, o->kind), keyword) == 0)
              {
                g_string_append (s, ", ");
                append_float (s, ll_hyper_get (o, *p));
              }
          g_string_append_c (s, ')');
        }
      else if (spec->is_flag)
        {
          if (v != 0.0)
            g_string_append_printf (s, ", %s=True", keyword);
        }
      else if (v != 0.0)
        kw_float (s, keyword, v);
    }
  g_string_append (s, ")\n");
}

char *
ll_codegen_pytorch (const LlArch *arch, const LlFitConfig *config, const char *dataset)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GArray) regs = g_array_new (FALSE, FALSE, sizeof (RegTerm));
  const LlFitConfig *c;
  LlActivation last_act = LL_ACT_LINEAR;
  int module = 0;
  int n;
  Gen g;

  g_return_val_if_fail (arch != NULL, NULL);

  gen_init (&g, arch, config, dataset);
  c = g.cfg;
  n = ll_arch_n_layers (arch);

  append_header (&g, s, "PyTorch");
  g_string_append (s, "# Images are (channels, height, width) in PyTorch and (height, width,\n"
                      "# channels) in Keras; the networks are the same up to that order.\n"
                      "import math\n\n"
                      "import torch\n"
                      "from torch import nn\n"
                      "from torch.utils.data import DataLoader, Subset\n"
                      "from torchvision import datasets, transforms\n\n");
  g_string_append_printf (s, "torch.manual_seed(%" G_GUINT64_FORMAT ")\n\n", c->seed);

  if (g.shapes == NULL)
    {
      g_string_append (s, "# Fix the model in Layerlab to get the PyTorch code: the layer\n"
                          "# sizes are needed to write it.\n");
      gen_clear (&g);
      return g_string_free (s, FALSE);
    }

  if (n > 1)
    last_act = ll_layer_spec_activation (ll_arch_layer (arch, n - 1));

  g_string_append (s, "model = nn.Sequential(\n");
  if (g.shapes[0].rank == 1)
    {
      g_string_append (s, "    nn.Flatten(),  # the images come as (1, h, w)\n");
      module++;
    }
  for (int i = 1; i < n; i++)
    torch_layer (&g, s, i, i == n - 1, &module, regs);
  g_string_append (s, ")\nprint(model)\n\n");

  g_string_append_printf (s, "transform = transforms.ToTensor()  # pixels scaled to [0, 1]\n"
                             "train_set = datasets.%s(\"data\", train=True, download=True, transform=transform)\n"
                             "test_set = datasets.%s(\"data\", train=False, download=True, transform=transform)\n",
                          torch_dataset_class (g.dataset), torch_dataset_class (g.dataset));
  g_string_append (s, "# Keras' validation_split: the last fraction, taken before shuffling.\n"
                      "n_val = int(len(train_set) * ");
  append_float (s, c->validation_split);
  g_string_append (s, ")\n"
                      "n_train = len(train_set) - n_val\n");
  g_string_append_printf (s, "train_loader = DataLoader(Subset(train_set, range(n_train)), batch_size=%d, shuffle=%s)\n"
                             "val_loader = DataLoader(Subset(train_set, range(n_train, len(train_set))), batch_size=%d)\n"
                             "test_loader = DataLoader(test_set, batch_size=%d)\n\n",
                          c->batch_size, c->shuffle ? "True" : "False", c->batch_size, c->batch_size);

  if (c->loss == LL_LOSS_BINARY_CROSSENTROPY)
    g_string_append_printf (s, "loss_fn = nn.%s()\n",
                            last_act == LL_ACT_SIGMOID ? "BCEWithLogitsLoss" : "BCELoss");
  else if (c->loss == LL_LOSS_MEAN_SQUARED_ERROR)
    g_string_append (s, "loss_fn = nn.MSELoss()\n");
  else
    g_string_append_printf (s, "loss_fn = nn.%s()\n",
                            last_act == LL_ACT_SOFTMAX ? "CrossEntropyLoss" : "NLLLoss");
  torch_optimizer (&c->optim, s);

  g_string_append (s, "\n\ndef penalty():\n");
  if (regs->len == 0)
    g_string_append (s, "    return 0.0\n");
  else
    {
      g_string_append (s, "    total = 0.0\n");
      for (guint i = 0; i < regs->len; i++)
        {
          const RegTerm *r = &g_array_index (regs, RegTerm, i);
          if (r->l1 != 0.0)
            {
              g_string_append (s, "    total = total + ");
              append_float (s, r->l1);
              g_string_append_printf (s, " * model[%d].weight.abs().sum()\n", r->module);
            }
          if (r->l2 != 0.0)
            {
              g_string_append (s, "    total = total + ");
              append_float (s, r->l2);
              g_string_append_printf (s, " * model[%d].weight.pow(2).sum()\n", r->module);
            }
        }
      g_string_append (s, "    return total\n");
    }

  g_string_append (s, "\n\ndef evaluate(loader):\n"
                      "    model.eval()\n"
                      "    total_loss, correct, count = 0.0, 0, 0\n"
                      "    with torch.no_grad():\n"
                      "        for x, y in loader:\n"
                      "            out = model(x)\n"
                      "            total_loss += loss_fn(out, y).item() * len(y)\n"
                      "            correct += (out.argmax(dim=1) == y).sum().item()\n"
                      "            count += len(y)\n"
                      "    return total_loss / max(count, 1), correct / max(count, 1)\n\n\n");
  g_string_append_printf (s, "for epoch in range(%d):\n", c->epochs);
  if (c->schedule.kind != LL_SCHEDULE_CONSTANT)
    {
      g_string_append (s, "    lr = ");
      append_float (s, c->optim.learning_rate);
      if (c->schedule.kind == LL_SCHEDULE_STEP)
        {
          g_string_append (s, " * ");
          append_float (s, c->schedule.factor);
          g_string_append_printf (s, " ** (epoch // %d)\n", MAX (c->schedule.step_epochs, 1));
        }
      else if (c->schedule.kind == LL_SCHEDULE_EXPONENTIAL)
        {
          g_string_append (s, " * ");
          append_float (s, c->schedule.factor);
          g_string_append (s, " ** epoch\n");
        }
      else
        {
          g_string_append (s, " * (");
          append_float (s, c->schedule.alpha);
          g_string_append (s, " + (1 - ");
          append_float (s, c->schedule.alpha);
          g_string_append_printf (s, ") * (1 + math.cos(math.pi * epoch / %d)) / 2)\n",
                                  MAX (c->epochs, 1));
        }
      g_string_append (s, "    for group in optimizer.param_groups:\n"
                          "        group[\"lr\"] = lr\n");
    }
  g_string_append (s, "    model.train()\n"
                      "    for x, y in train_loader:\n"
                      "        optimizer.zero_grad()\n"
                      "        loss = loss_fn(model(x), y) + penalty()\n"
                      "        loss.backward()\n"
                      "        optimizer.step()\n"
                      "    val_loss, val_accuracy = evaluate(val_loader) if n_val else (math.nan, math.nan)\n"
                      "    print(f\"epoch {epoch + 1}: val_loss {val_loss:.4f}, val_accuracy {val_accuracy:.4f}\")\n\n"
                      "test_loss, test_accuracy = evaluate(test_loader)\n"
                      "print(f\"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}\")\n");
  gen_clear (&g);
  return g_string_free (s, FALSE);
}
