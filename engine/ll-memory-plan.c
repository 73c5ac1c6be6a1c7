/* ll-memory-plan.c: the memory a model needs, before it is allocated
 * (ll-memory-plan.h). */
#include "ll-memory-plan.h"
#include "ll-layer.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#define MAX_LIMIT ((guint64) 64 << 30)

static double
weight_count (const LlWeightInfo *w)
{
  double n = 1;

  for (int i = 0; i < w->rank; i++)
    n *= (double) w->dims[i];
  return n;
}

static double
shape_count (const LlShape *s)
{
  double n = 1;

  for (int i = 0; i < s->rank; i++)
    n *= (double) s->d[i];
  return n;
}

static double
optimizer_floats (const LlOptimConfig *optim, double n_params)
{
  double most = 0;

  if (optim != NULL)
    {
      /* ll_optim_state_size is linear in n: its value at 0 and 1. */
      double header = (double) ll_optim_state_size (optim, 0);
      return header + ((double) ll_optim_state_size (optim, 1) - header) * n_params;
    }
  for (int k = 0; k < LL_N_OPTIMS; k++)
    {
      LlOptimConfig c = { 0 };

      c.kind = (LlOptimKind) k;
      most = MAX (most, optimizer_floats (&c, n_params));
    }
  return most;
}

gboolean
ll_memory_plan_arch (const LlArch        *arch,
                     const LlOptimConfig *optim,
                     int                  batch,
                     LlMemoryPlan        *plan,
                     GError             **error)
{
  g_autofree LlShape *shapes = NULL;
  double acts = 0, max_act = 0, scratch = 0, out_size = 0;
  int n;

  g_return_val_if_fail (arch != NULL, FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (batch >= 0, FALSE);

  *plan = (LlMemoryPlan) { 0 };
  shapes = ll_arch_infer_shapes (arch, NULL, error);
  if (shapes == NULL)
    return FALSE;
  n = ll_arch_n_layers (arch);
  for (int i = 0; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlWeightInfo info[LL_MAX_WEIGHTS];
      double size = shape_count (&shapes[i]);
      int nw = spec->type->weights != NULL
               ? spec->type->weights (spec, i > 0 ? &shapes[i - 1] : &shapes[0], &shapes[i], info)
               : 0;

      for (int w = 0; w < nw; w++)
        {
          if (info[w].trainable)
            plan->n_params += weight_count (&info[w]);
          else
            plan->n_state += weight_count (&info[w]);
        }
      /* A layer's output, and its pre-activation when it has an activation. */
      acts += size * (ll_layer_spec_activation (spec) != LL_ACT_LINEAR ? 2 : 1);
      max_act = MAX (max_act, size);
      out_size = size;
      /* A convolution's im2col: an output position per row, a kernel's
       * area × input channels per column. */
      if (nw > 0 && info[0].rank == 4)
        scratch = MAX (scratch, size / MAX (1, info[0].dims[3])
                                * info[0].dims[0] * info[0].dims[1] * info[0].dims[2]);
    }
  plan->batch = batch;
  plan->weights = sizeof (float) * (plan->n_params + plan->n_state);
  plan->gradients = sizeof (float) * plan->n_params;
  plan->optimizer = sizeof (float) * optimizer_floats (optim, plan->n_params);
  if (batch > 0)
    {
      /* Forward outputs, two backward buffers of the widest layer, the loss gradient. */
      plan->activations = sizeof (float) * (double) batch * (acts + 2 * max_act + out_size);
      plan->workspace = sizeof (float) * (double) batch * scratch;
    }
  plan->total = plan->weights + plan->gradients + plan->optimizer + plan->activations
                + plan->workspace;
  return TRUE;
}

/* The cgroup v2 (or v1) memory limit, G_MAXUINT64 when there is none. */
static guint64
cgroup_limit (void)
{
  const char *files[] = { "/sys/fs/cgroup/memory.max",
                          "/sys/fs/cgroup/memory/memory.limit_in_bytes" };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *text = NULL;
      guint64 v;
      char *end = NULL;

      if (!g_file_get_contents (files[i], &text, NULL, NULL))
        continue;
      v = g_ascii_strtoull (text, &end, 10);
      if (end != text && v > 0)
        return v;
    }
  return G_MAXUINT64;
}

guint64
ll_memory_limit (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  guint64 machine = pages > 0 && page > 0 ? (guint64) pages * (guint64) page : (guint64) 4 << 30;

  machine = MIN (machine, cgroup_limit ());
  return MIN (machine / 4 * 3, MAX_LIMIT);
}

char *
ll_memory_format (double bytes)
{
  if (bytes >= 1e15)
    return g_strdup_printf ("%.3g TiB", bytes / (1024.0 * 1024 * 1024 * 1024));
  if (bytes >= (double) (1 << 30))
    return g_strdup_printf ("%.1f GiB", bytes / (1 << 30));
  if (bytes >= (double) (1 << 20))
    return g_strdup_printf ("%.1f MiB", bytes / (1 << 20));
  return g_strdup_printf ("%.0f KiB", bytes / 1024);
}

gboolean
ll_memory_plan_check (const LlMemoryPlan  *plan,
                      GError             **error)
{
  guint64 limit = ll_memory_limit ();
  g_autofree char *total = NULL, *lim = NULL, *w = NULL, *o = NULL, *a = NULL;

  g_return_val_if_fail (plan != NULL, FALSE);

  if (plan->total <= (double) limit)
    return TRUE;
  total = ll_memory_format (plan->total);
  lim = ll_memory_format ((double) limit);
  w = ll_memory_format (plan->weights + plan->gradients);
  o = ll_memory_format (plan->optimizer);
  a = ll_memory_format (plan->activations + plan->workspace);
  if (plan->batch > 0)
    g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                 _("This model needs %s to train at batch size %d (weights and gradients %s, "
                 "optimizer state %s, activations %s), more than the %s Layerlab may use on "
                 "this machine; use a smaller batch size or fewer units or filters"),
                 total, plan->batch, w, o, a, lim);
  else
    g_set_error (error, LL_ERROR, LL_ERROR_MEMORY,
                 _("This model has %.3g weights and needs %s (weights and gradients %s, "
                 "optimizer state %s), more than the %s Layerlab may use on this machine; "
                 "use fewer units or filters"),
                 plan->n_params + plan->n_state, total, w, o, lim);
  return FALSE;
}

gboolean
ll_memory_plan_fits (const LlArch        *arch,
                     const LlOptimConfig *optim,
                     int                  batch,
                     GError             **error)
{
  LlMemoryPlan plan;

  return ll_memory_plan_arch (arch, optim, batch, &plan, error)
         && ll_memory_plan_check (&plan, error);
}

static void
append_thousands (GString *s, double v)
{
  char digits[64];
  int len;

  g_snprintf (digits, sizeof digits, "%.0f", v);
  len = (int) strlen (digits);
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

char *
ll_arch_summary (const LlArch  *arch,
                 GError       **error)
{
  g_autofree LlShape *shapes = NULL;
  const char *rule = "_________________________________________________________________\n";
  double trainable = 0, non_trainable = 0;
  GString *s;
  int n;

  g_return_val_if_fail (arch != NULL, NULL);

  shapes = ll_arch_infer_shapes (arch, NULL, error);
  if (shapes == NULL)
    return NULL;
  n = ll_arch_n_layers (arch);
  s = g_string_new ("Model: \"sequential\"\n");
  g_string_append (s, rule);
  g_string_append (s, " Layer (type)                Output Shape              Param #   \n");
  g_string_append (s, "=================================================================\n");
  /* Keras' Sequential summary does not list the Input layer. */
  for (int i = 1; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlWeightInfo info[LL_MAX_WEIGHTS];
      int nw = spec->type->weights != NULL
               ? spec->type->weights (spec, &shapes[i - 1], &shapes[i], info) : 0;
      g_autofree char *name = ll_arch_layer_name (arch, i);
      g_autofree char *label = g_strdup_printf ("%s (%s)", name, spec->type->name);
      g_autofree char *shape = ll_shape_to_string (&shapes[i]);
      double params = 0;

      for (int w = 0; w < nw; w++)
        {
          params += weight_count (&info[w]);
          if (info[w].trainable)
            trainable += weight_count (&info[w]);
          else
            non_trainable += weight_count (&info[w]);
        }
      g_string_append_printf (s, " %-27s %-25s %-10.0f\n", label, shape, params);
      if (i + 1 < n)
        g_string_append (s, "                                                                 \n");
    }
  g_string_append (s, "=================================================================\n");
  g_string_append (s, "Total params: ");
  append_thousands (s, trainable + non_trainable);
  g_string_append (s, "\nTrainable params: ");
  append_thousands (s, trainable);
  g_string_append (s, "\nNon-trainable params: ");
  append_thousands (s, non_trainable);
  g_string_append_c (s, '\n');
  g_string_append (s, rule);
  return g_string_free (s, FALSE);
}
