/* ll-presets.c: the models of the seed tutorials.
 *
 * Each preset is written one layer per line, "Type key=value ...", checked
 * against the layer's parameter table, so presets cannot drift from what
 * the engine accepts. */
#include "ll-presets.h"

#include <stdlib.h>
#include <glib/gi18n-lib.h>


#define MNIST_INPUT "Input height=28 width=28 channels=1\n"
/* Two inputs, x₁ and x₂, of the 2-D toy data. */
#define TOY_INPUT "Input height=1 width=2 channels=1\nFlatten\n"
#define CIFAR_BLOCK(f, k) \
  "Conv2D filters=" #f " kernel_size=" #k " padding=same use_bias=false kernel_initializer=he_normal activation=linear\n" \
  "BatchNormalization\nActivation activation=relu\n"

static const LlPresetInfo presets[] = {
  { "logistic", N_("Logistic regression 784→10"),
      N_("One Dense layer with softmax: 7,850 parameters. Its weights, drawn as 28×28 images, "
      "are a template per digit. (Seed 003: 1×784 inputs, 784×10 weights, 10 biases.)"), "mnist",
    MNIST_INPUT "Flatten\nDense units=10 activation=softmax\n", "sgd", 0.1, 5, 32 },
  { "mlp-sigmoid-100", N_("MLP 784-100(sigmoid)-10"),
      N_("One hidden layer of 100 sigmoid units: 79,510 parameters. (Seeds 000 and 002.)"), "mnist",
    MNIST_INPUT "Flatten\nDense units=100 activation=sigmoid\nDense units=10 activation=softmax\n",
    "sgd", 0.1, 5, 32 },
  { "mlp-128-dropout", N_("MLP 784-128-10 with dropout"),
      /* xgettext:no-c-format */
      N_("The Keras beginner example: Dense(128, relu), Dropout(0.2), Dense(10, softmax); "
      "101,770 parameters, about 97–98 % on MNIST after 5 epochs. (Seed 003.)"), "mnist",
    MNIST_INPUT "Flatten\nDense units=128 activation=relu\nDropout rate=0.2\nDense units=10 activation=softmax\n",
    "adam", 0, 5, 32 },
  { "mlp-512-512", N_("MLP 784-512-512-10"),
      N_("Two hidden layers of 512 relu units with dropout 0.2, RMSprop, batch 128: 669,706 "
      "parameters. (Seed 000, the Keras mnist_mlp example.)"), "mnist",
    MNIST_INPUT "Flatten\nDense units=512 activation=relu\nDropout rate=0.2\n"
    "Dense units=512 activation=relu\nDropout rate=0.2\nDense units=10 activation=softmax\n",
    "rmsprop", 0, 5, 128 },
  { "fashion-mlp", N_("Fashion-MNIST MLP 784-128-10"),
      N_("Dense(128, relu) and Dense(10, softmax) on Fashion-MNIST clothing images, Adam, "
      "5 epochs: about 87 %. (Seed 002.)"), "fashion-mnist",
    MNIST_INPUT "Flatten\nDense units=128 activation=relu\nDense units=10 activation=softmax\n",
    "adam", 0, 5, 32 },
  { "mnist-cnn", N_("MNIST CNN"),
      N_("Conv 32×3×3, max-pool, conv 64×3×3, max-pool, Dense 128, dropout 0.5, Dense 10: "
      "the Keras mnist_cnn example, 225,034 parameters, about 99 %. (Seed 001.)"), "mnist",
    MNIST_INPUT
    "Conv2D filters=32 kernel_size=3 activation=relu\nMaxPooling2D pool_size=2\n"
    "Conv2D filters=64 kernel_size=3 activation=relu\nMaxPooling2D pool_size=2\n"
    "Flatten\nDense units=128 activation=relu\nDropout rate=0.5\nDense units=10 activation=softmax\n",
    "adam", 0, 3, 128 },
  { "cifar10-cnn", N_("CIFAR-10 CNN (batch norm, GAP)"),
      N_("Three blocks of two 3×3 convolutions with batch normalization before relu and he_normal "
      "init, max pooling, global average pooling, Dense 300 with L2. (Seed 004.)"), "cifar10",
    "Input height=32 width=32 channels=3\n"
    CIFAR_BLOCK (32, 3) CIFAR_BLOCK (32, 3) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (64, 3) CIFAR_BLOCK (64, 3) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (128, 3) CIFAR_BLOCK (128, 3) "MaxPooling2D pool_size=2\n"
    "GlobalAveragePooling2D\nDropout rate=0.5\n"
    "Dense units=300 activation=relu kernel_regularizer=l2 l2=0.00001\nDropout rate=0.3\n"
    "Dense units=10 activation=softmax\n",
    "adam", 0, 10, 64 },
  { "cifar10-cnn-5x5", N_("CIFAR-10 CNN with 5×5 kernels"),
      N_("The CIFAR-10 CNN with 5×5 instead of 3×3 filters, to compare the two. (Seed 004.)"), "cifar10",
    "Input height=32 width=32 channels=3\n"
    CIFAR_BLOCK (32, 5) CIFAR_BLOCK (32, 5) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (64, 5) CIFAR_BLOCK (64, 5) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (128, 5) CIFAR_BLOCK (128, 5) "MaxPooling2D pool_size=2\n"
    "GlobalAveragePooling2D\nDropout rate=0.5\n"
    "Dense units=300 activation=relu kernel_regularizer=l2 l2=0.00001\nDropout rate=0.3\n"
    "Dense units=10 activation=softmax\n",
    "adam", 0, 10, 64 },
  { "cifar10-cnn-flatten", N_("CIFAR-10 CNN with Flatten"),
      N_("The CIFAR-10 CNN with Flatten instead of global average pooling: many more parameters "
      "in the Dense layer, and more overfitting. (Seed 004.)"), "cifar10",
    "Input height=32 width=32 channels=3\n"
    CIFAR_BLOCK (32, 3) CIFAR_BLOCK (32, 3) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (64, 3) CIFAR_BLOCK (64, 3) "MaxPooling2D pool_size=2\n"
    CIFAR_BLOCK (128, 3) CIFAR_BLOCK (128, 3) "MaxPooling2D pool_size=2\n"
    "Flatten\nDropout rate=0.5\n"
    "Dense units=300 activation=relu kernel_regularizer=l2 l2=0.00001\nDropout rate=0.3\n"
    "Dense units=10 activation=softmax\n",
    "adam", 0, 10, 64 },
  /* The Playground's demonstrations (engine/ll-toy-data.c names the data). */
  { "playground-spiral", "Playground: the spiral needs depth",
      "Two hidden layers of 8 tanh units on the two-arm spiral's x₁, x₂: all of the test "
      "points after 1000 epochs from the default seed (some seeds stall in a local minimum: press "
      "reset).", "spiral",
    TOY_INPUT "Dense units=8 activation=tanh\nDense units=8 activation=tanh\n"
    "Dense units=2 activation=softmax\n", "adam", 0.03, 1000, 10 },
  { "playground-overfitting", "Playground: overfitting",
      "Three hidden layers of 32 relu units on 30 noisy points of two Gaussians: the test loss "
      "turns up while the training loss falls.", "gauss",
    TOY_INPUT "Dense units=32 activation=relu\nDense units=32 activation=relu\n"
    "Dense units=32 activation=relu\nDense units=2 activation=softmax\n", "adam", 0.01, 300, 10 },
  { "playground-batch-size", "Playground: batch size 1 vs 32",
      "One hidden layer of 8 relu units on the circle, SGD, batch size 1: a noisy descent "
      "(try --batch-size 32).", "circle",
    TOY_INPUT "Dense units=8 activation=relu\nDense units=2 activation=softmax\n", "sgd", 0.03, 20, 1 },
  { "playground-learning-rate", "Playground: a learning rate too high",
      "Two hidden layers of 8 tanh units on XOR with SGD at learning rate 3: the loss jumps "
      "(try --learning-rate 0.3).", "xor",
    TOY_INPUT "Dense units=8 activation=tanh\nDense units=8 activation=tanh\n"
    "Dense units=2 activation=softmax\n", "sgd", 3.0, 50, 10 },
  { "playground-activations", "Playground: sigmoid vs ReLU vs tanh",
      "Two hidden layers of 8 sigmoid units on the moons (compare relu and tanh).", "moons",
    TOY_INPUT "Dense units=8 activation=sigmoid\nDense units=8 activation=sigmoid\n"
    "Dense units=2 activation=softmax\n", "adam", 0.01, 100, 10 },
};

const LlPresetInfo *
ll_presets (int *n_presets)
{
  if (n_presets != NULL)
    *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

const LlPresetInfo *
ll_preset_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].name, name) == 0)
      return &presets[i];
  return NULL;
}

LlArch *
ll_preset_build (const char *name, LlFitConfig *cfg, GError **error)
{
  const LlPresetInfo *preset = NULL;
  g_autoptr(LlArch) arch = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].name, name) == 0)
      preset = &presets[i];
  if (preset == NULL)
    {
      GString *names = g_string_new (NULL);
      for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", presets[i].name);
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("Unknown preset “%s”; choose one of %s"),
                   name, names->str);
      g_string_free (names, TRUE);
      return NULL;
    }
  if (!(arch = ll_arch_from_text (preset->layers, error)))
    return NULL;
  if (cfg != NULL)
    {
      LlOptimKind kind = LL_OPTIM_ADAM;
      ll_fit_config_init (cfg);
      ll_optim_kind_from_name (preset->optimizer, &kind);
      cfg->optim = ll_optim_config_default (kind);
      if (preset->learning_rate > 0)
        cfg->optim.learning_rate = preset->learning_rate;
      cfg->epochs = preset->epochs;
      cfg->batch_size = preset->batch_size;
    }
  return g_steal_pointer (&arch);
}
