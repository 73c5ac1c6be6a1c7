/* test-backends.c: the registry × back-end cross test.  Every layer type
 * says, for Keras, PyTorch, C and ONNX, whether it is supported or
 * declined with a reason naming it (LlLayerType.backends); a supported
 * one must have code in that back end and export, a declined one must be
 * refused with its reason.  A new layer type fails here until each back
 * end has decided. */
#include "ll-codegen.h"
#include "ll-export-c.h"
#include "ll-export-onnx.h"
#include "ll-export-script.h"
#include "ll-pytorch.h"

#include <string.h>

static gboolean
backend_knows (LlBackend b, const LlLayerType *type)
{
  switch (b)
    {
    case LL_BACKEND_KERAS:
      return TRUE;                 /* written from the parameter table (ll-codegen.c) */
    case LL_BACKEND_PYTORCH:
      return ll_pytorch_knows (type);
    case LL_BACKEND_C:
      return ll_export_c_knows (type);
    case LL_BACKEND_ONNX:
      return ll_export_onnx_knows (type);
    case LL_N_BACKENDS:
    default:
      g_assert_not_reached ();
    }
}

/* A small model holding one layer of the type, with its defaults: right
 * after a 6×6×2 Input, or after a Flatten when it needs a vector. */
static LlModel *
model_with (const LlLayerType *type)
{
  static const char *const before[] = { "", "Flatten\n" };

  for (gsize k = 0; k < G_N_ELEMENTS (before); k++)
    {
      g_autofree char *text = g_strdup_printf ("Input height=6 width=6 channels=2\n%s", before[k]);
      g_autoptr(LlArch) arch = ll_arch_from_text (text, NULL);
      g_autoptr(LlArch) tail = ll_arch_from_text ("Flatten\nDense units=3 activation=softmax\n", NULL);
      LlLayerSpec spec;
      LlModel *model;

      if (type != &ll_layer_input)
        {
          ll_layer_spec_init (&spec, type);
          /* A Reshape keeps the shape it gets. */
          ll_layer_spec_set (&spec, "height", 6, NULL);
          ll_layer_spec_set (&spec, "width", 6, NULL);
          ll_layer_spec_set (&spec, "channels", 2, NULL);
          ll_arch_append (arch, &spec);
        }
      for (int i = 0; i < ll_arch_n_layers (tail); i++)
        ll_arch_append (arch, ll_arch_layer (tail, i));
      if (!ll_arch_validate (arch, NULL, NULL))
        continue;
      model = ll_model_new (arch, NULL);
      if (model != NULL)
        {
          ll_model_init_weights (model, 5);
          return model;
        }
    }
  return NULL;
}

/* Runs the back end on the model: TRUE when it exported, else FALSE with
 * its message. */
static gboolean
run_backend (LlBackend b, LlModel *model, char **message)
{
  g_autoptr(GError) error = NULL;
  const LlArch *arch = ll_model_get_arch (model);

  switch (b)
    {
    case LL_BACKEND_KERAS:
    case LL_BACKEND_PYTORCH:
      {
        LlScriptKind kind = b == LL_BACKEND_KERAS ? LL_SCRIPT_KERAS : LL_SCRIPT_PYTORCH;
        g_autofree char *code = b == LL_BACKEND_KERAS ? ll_codegen_keras (arch, NULL, NULL)
                                                      : ll_codegen_pytorch (arch, NULL, NULL);
        g_autoptr(GBytes) bin = NULL;
        g_autofree char *json = NULL;

        if (!ll_export_weights (model, kind, "w.bin", &bin, &json, &error))
          break;
        /* Declined or unknown layers leave a comment in the code. */
        if (strstr (code, " export does not ") != NULL || strstr (code, "write it by hand") != NULL)
          {
            *message = g_strdup (code);
            return FALSE;
          }
        return TRUE;
      }
    case LL_BACKEND_C:
      {
        g_autofree char *h = NULL, *c = NULL;
        if (ll_export_c_generate (model, "net", &h, &c, &error))
          return TRUE;
        break;
      }
    case LL_BACKEND_ONNX:
      {
        g_autoptr(GBytes) bytes = ll_export_onnx_bytes (model, &error);
        if (bytes != NULL)
          return TRUE;
        break;
      }
    case LL_N_BACKENDS:
    default:
      g_assert_not_reached ();
    }
  *message = g_strdup (error != NULL ? error->message : "(no message)");
  return FALSE;
}

static void
test_every_layer_every_backend (void)
{
  int n_types;
  const LlLayerType *const *types = ll_layer_types (&n_types);

  for (int t = 0; t < n_types; t++)
    {
      const LlLayerType *type = types[t];
      g_autoptr(LlModel) model = model_with (type);

      if (model == NULL)
        g_error ("%s: no small model holds it; teach model_with() its shape", type->name);
      for (int b = 0; b < LL_N_BACKENDS; b++)
        {
          const LlBackendSupport *row = &type->backends[b];
          g_autofree char *message = NULL;
          gboolean ok;

          if (!row->supported && row->declined == NULL)
            g_error ("%s: the %s back end neither supports nor declines it; fill in its "
                     "backends row", type->name, ll_backend_name (b));
          if (!row->supported && strstr (row->declined, type->name) == NULL)
            g_error ("%s: the %s back end declines it without naming it: “%s”",
                     type->name, ll_backend_name (b), row->declined);
          if (row->supported && !backend_knows (b, type))
            g_error ("%s: marked as supported by %s, which has no code for it",
                     type->name, ll_backend_name (b));
          ok = run_backend (b, model, &message);
          if (row->supported && !ok)
            g_error ("%s: the %s export failed: %s", type->name, ll_backend_name (b), message);
          if (!row->supported && (ok || strstr (message, row->declined) == NULL))
            g_error ("%s: the %s export should refuse it with “%s”, got: %s", type->name,
                     ll_backend_name (b), row->declined, ok ? "success" : message);
        }
    }
}

/* A layer type whose row is empty, or that declines, is refused by every
 * back end with a message naming it, never exported half-way. */
static void
test_undecided_and_declined (void)
{
  LlLayerType fake = ll_layer_dense;
  g_autoptr(LlArch) arch = ll_arch_from_text ("Input height=4 width=4 channels=1\nFlatten\n"
                                              "Dense units=3 activation=relu\nDense units=2 activation=softmax\n",
                                              NULL);
  g_autoptr(LlModel) model = NULL;

  fake.name = "FakeDense";
  memset (fake.backends, 0, sizeof fake.backends);
  fake.backends[LL_BACKEND_C] = (LlBackendSupport) LL_BACKEND_DECLINED ("FakeDense has no C code");
  ll_arch_layer (arch, 2)->type = &fake;
  model = ll_model_new (arch, NULL);
  g_assert_nonnull (model);

  for (int b = 0; b < LL_N_BACKENDS; b++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;

      g_assert_false (ll_layer_type_check_backend (&fake, b, &error));
      g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "FakeDense"));
      g_assert_false (run_backend (b, model, &message));
      g_assert_nonnull (strstr (message, "FakeDense"));
      if (b == LL_BACKEND_C)
        g_assert_nonnull (strstr (message, "FakeDense has no C code"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/backends/every-layer-every-backend", test_every_layer_every_backend);
  g_test_add_func ("/engine/backends/undecided-and-declined", test_undecided_and_declined);
  return g_test_run ();
}
