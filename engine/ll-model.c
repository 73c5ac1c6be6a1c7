/* ll-model.c: building a model from an architecture, the forward and
 * backward passes, regularization and the Keras summary.
 *
 * Layers become ops (the linear part, then the activation if any).
 * Activations live in one buffer per op output, planned for a maximum
 * batch; input gradients ping-pong between two buffers of the largest
 * size; parameters, gradients and non-trainable state are three flat
 * buffers that ops see through views. */
#include "ll-model-private.h"
#include "ll-memory-plan.h"
#include "ll-gemm.h"
#include "ll-parallel.h"

#include <math.h>
#include <glib/gi18n-lib.h>

typedef struct {
  int first_op, n_ops;             /* ops of this layer */
  int out_act;                     /* index into acts of the layer's output */
  int n_weights;
  LlWeightInfo info[LL_MAX_WEIGHTS];
  gsize offset[LL_MAX_WEIGHTS];    /* into params (trainable) or state */
  gsize n_params;
} LayerInfo;

struct _LlModel {
  LlArch *arch;
  int n_layers;
  LlShape *shapes;
  LayerInfo *layers;

  int n_ops;
  LlOp **ops;
  int *op_layer;

  float *params, *grads, *state;
  gsize n_params, n_state;

  int max_batch;                   /* planned for */
  float **acts;                    /* n_ops + 1 buffers: acts[0] is the input */
  float *dbuf[2];
  gsize max_act;                   /* floats per sample of the largest activation */
  int block_ops;                   /* leading per-sample ops run in blocks outside training */
  int block_samples;               /* samples per block */
  float *scratch;
  gsize scratch_size;
  float *loss_grad;
  gsize planned;                   /* floats allocated by the last plan */
  int last_batch;                  /* 0 before the first forward */
  gboolean last_training;
};

static void
free_buffers (LlModel *model)
{
  if (model->acts != NULL)
    for (int i = 0; i <= model->n_ops; i++)
      g_free (model->acts[i]);
  g_clear_pointer (&model->acts, g_free);
  g_clear_pointer (&model->dbuf[0], g_free);
  g_clear_pointer (&model->dbuf[1], g_free);
  g_clear_pointer (&model->scratch, g_free);
  g_clear_pointer (&model->loss_grad, g_free);
  model->scratch_size = 0;
  model->planned = 0;
  model->max_batch = 0;
  model->last_batch = 0;           /* the new buffers hold no forward yet */
}

void
ll_model_free (LlModel *model)
{
  if (model == NULL)
    return;
  free_buffers (model);
  for (int i = 0; i < model->n_ops; i++)
    {
      if (model->ops[i]->klass->finalize != NULL)
        model->ops[i]->klass->finalize (model->ops[i]);
      g_free (model->ops[i]);
    }
  g_free (model->ops);
  g_free (model->op_layer);
  g_free (model->params);
  g_free (model->grads);
  g_free (model->state);
  g_free (model->layers);
  g_free (model->shapes);
  ll_arch_free (model->arch);
  g_free (model);
}

LlModel *
ll_model_new (const LlArch *arch, GError **error)
{
  g_autoptr(LlModel) model = g_new0 (LlModel, 1);
  GPtrArray *ops;
  GArray *op_layer;

  g_return_val_if_fail (arch != NULL, NULL);

  if (!ll_arch_validate (arch, NULL, error))
    return NULL;
  /* Weights, gradients and the largest optimizer state, planned before any
   * of them is allocated (ll-memory-plan.h). */
  if (!ll_memory_plan_fits (arch, NULL, 0, error))
    return NULL;
  model->arch = ll_arch_copy (arch);
  model->n_layers = ll_arch_n_layers (arch);
  model->shapes = ll_arch_infer_shapes (arch, NULL, error);
  if (model->shapes == NULL)
    return NULL;
  model->layers = g_new0 (LayerInfo, model->n_layers);

  /* Weights: count, then lay out in the flat buffers. */
  for (int i = 0; i < model->n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LayerInfo *li = &model->layers[i];
      const LlShape *in = i > 0 ? &model->shapes[i - 1] : &model->shapes[0];

      li->n_weights = spec->type->weights != NULL
                      ? spec->type->weights (spec, in, &model->shapes[i], li->info) : 0;
      for (int w = 0; w < li->n_weights; w++)
        {
          gsize size = ll_weight_info_size (&li->info[w]);
          if (li->info[w].trainable)
            {
              li->offset[w] = model->n_params;
              model->n_params += size;
            }
          else
            {
              li->offset[w] = model->n_state;
              model->n_state += size;
            }
          li->n_params += size;
        }
    }
  if (!(model->params = ll_alloc_floats (model->n_params, _("the model's weights"), error))
      || !(model->grads = ll_alloc_floats (model->n_params, _("the weight gradients"), error))
      || !(model->state = ll_alloc_floats (model->n_state, _("the model's state"), error)))
    return NULL;

  /* Ops. */
  ops = g_ptr_array_new ();
  op_layer = g_array_new (FALSE, FALSE, sizeof (int));
  for (int i = 0; i < model->n_layers; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LayerInfo *li = &model->layers[i];
      const LlShape *in = i > 0 ? &model->shapes[i - 1] : &model->shapes[0];
      LlActivation act = ll_layer_spec_activation (spec);

      li->first_op = (int) ops->len;
      if (i > 0 && spec->type->build != NULL)
        {
          LlOp *op = spec->type->build (spec, in, &model->shapes[i]);
          op->n_weights = li->n_weights;
          for (int w = 0; w < li->n_weights; w++)
            {
              if (li->info[w].trainable)
                {
                  op->w[w] = model->params + li->offset[w];
                  op->g[w] = model->grads + li->offset[w];
                }
              else
                op->w[w] = model->state + li->offset[w];
            }
          g_ptr_array_add (ops, op);
          g_array_append_val (op_layer, i);
        }
      if (i > 0 && (act != LL_ACT_LINEAR || spec->type == &ll_layer_activation))
        {
          g_ptr_array_add (ops, ll_activation_op_new (act, &model->shapes[i]));
          g_array_append_val (op_layer, i);
        }
      li->n_ops = (int) ops->len - li->first_op;
      li->out_act = li->n_ops > 0 ? (int) ops->len : (i > 0 ? model->layers[i - 1].out_act : 0);
    }
  model->n_ops = (int) ops->len;
  model->ops = (LlOp **) g_ptr_array_free (ops, FALSE);
  model->op_layer = (int *) (void *) g_array_free (op_layer, FALSE);

  model->max_act = ll_shape_size (&model->shapes[0]);
  for (int i = 0; i < model->n_ops; i++)
    model->max_act = MAX (model->max_act, ll_shape_size (&model->ops[i]->out));
  return g_steal_pointer (&model);
}

LlModel *
ll_model_copy (const LlModel *model)
{
  LlModel *copy = ll_model_new (model->arch, NULL);
  g_assert (copy != NULL);
  ll_model_copy_weights (copy, model);
  return copy;
}

void
ll_model_copy_weights (LlModel *dst, const LlModel *src)
{
  g_return_if_fail (dst->n_params == src->n_params && dst->n_state == src->n_state);
  memcpy (dst->params, src->params, src->n_params * sizeof (float));
  memcpy (dst->state, src->state, src->n_state * sizeof (float));
}

const LlArch *
ll_model_get_arch (const LlModel *model)
{
  return model->arch;
}

int
ll_model_n_layers (const LlModel *model)
{
  return model->n_layers;
}

LlShape
ll_model_layer_shape (const LlModel *model, int layer)
{
  g_return_val_if_fail (layer >= 0 && layer < model->n_layers, model->shapes[0]);
  return model->shapes[layer];
}

LlShape
ll_model_input_shape (const LlModel *model)
{
  return model->shapes[0];
}

LlShape
ll_model_output_shape (const LlModel *model)
{
  return model->shapes[model->n_layers - 1];
}

gsize
ll_model_n_trainable (const LlModel *model)
{
  return model->n_params;
}

gsize
ll_model_n_state (const LlModel *model)
{
  return model->n_state;
}

gsize
ll_model_layer_n_params (const LlModel *model, int layer)
{
  g_return_val_if_fail (layer >= 0 && layer < model->n_layers, 0);
  return model->layers[layer].n_params;
}

float *
ll_model_params (LlModel *model)
{
  return model->params;
}

float *
ll_model_grads (LlModel *model)
{
  return model->grads;
}

float *
ll_model_state (LlModel *model)
{
  return model->state;
}

int
ll_model_layer_weights (LlModel *model, int layer, LlWeightView *views)
{
  LayerInfo *li;
  g_return_val_if_fail (layer >= 0 && layer < model->n_layers, 0);
  li = &model->layers[layer];
  for (int w = 0; w < li->n_weights; w++)
    {
      views[w].info = &li->info[w];
      views[w].data = (li->info[w].trainable ? model->params : model->state) + li->offset[w];
      views[w].grad = li->info[w].trainable ? model->grads + li->offset[w] : NULL;
    }
  return li->n_weights;
}

void
ll_model_init_weights (LlModel *model, guint64 seed)
{
  LlRng rng;
  ll_rng_seed (&rng, seed);
  for (int i = 0; i < model->n_layers; i++)
    {
      LlWeightView views[LL_MAX_WEIGHTS];
      int n = ll_model_layer_weights (model, i, views);
      for (int w = 0; w < n; w++)
        ll_init_fill (views[w].info->init, views[w].info->init_value,
                      views[w].info->fan_in, views[w].info->fan_out,
                      &rng, views[w].data, ll_weight_info_size (views[w].info));
    }
}

gsize
ll_model_estimate_bytes (const LlArch *arch, int batch)
{
  g_autofree LlShape *shapes = ll_arch_infer_shapes (arch, NULL, NULL);
  gsize acts = 0, max_act = 0, params = 0;
  int n;

  if (shapes == NULL)
    return 0;
  n = ll_arch_n_layers (arch);
  for (int i = 0; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      LlWeightInfo info[LL_MAX_WEIGHTS];
      gsize size = ll_shape_size (&shapes[i]);
      int nw = spec->type->weights != NULL
               ? spec->type->weights (spec, i > 0 ? &shapes[i - 1] : &shapes[0], &shapes[i], info) : 0;
      /* Two buffers per layer with an activation, one otherwise. */
      acts += size * (ll_layer_spec_activation (spec) != LL_ACT_LINEAR ? 2 : 1);
      max_act = MAX (max_act, size);
      for (int w = 0; w < nw; w++)
        params += ll_weight_info_size (&info[w]);
      /* im2col and per-op buffers are roughly another activation's worth
       * times the kernel area; count them generously. */
      if (nw > 0 && info[0].rank == 4)
        acts += size * (gsize) info[0].dims[0] * info[0].dims[1] * info[0].dims[2]
                / MAX (1, info[0].dims[3]);
    }
  /* params, grads and up to three optimizer slots */
  return sizeof (float) * ((acts + 2 * max_act) * (gsize) batch + 5 * params);
}

/* Floats per sample of acts[i]. */
static gsize
act_size (const LlModel *model, int i)
{
  return ll_shape_size (i == 0 ? &model->shapes[0] : &model->ops[i - 1]->out);
}

/* Outside training and on one thread, the leading ops that work sample by
 * sample (the convolutions, pools, activations of an image network) run
 * on blocks of samples whose activations fit in the cache together, so
 * that each op reads what the one before wrote while it is still there,
 * instead of streaming the whole batch through memory at every op; the
 * ops after (Dense) then run on the whole batch, where their GEMMs are
 * efficient.  The values are the same: every op computes a sample alone. */
#define BLOCK_BYTES (2 << 20)

static void
plan_blocks (LlModel *model)
{
  gsize per_sample = 0;
  int n = 0;

  while (n < model->n_ops && model->ops[n]->klass->per_sample)
    per_sample += act_size (model, ++n);
  /* Only where a block is smaller than a batch and big activations gain. */
  model->block_ops = per_sample * sizeof (float) >= 16 * 1024 ? n : 0;
  model->block_samples = (int) MAX (1, BLOCK_BYTES / MAX (1, per_sample * sizeof (float)));
}

gboolean
ll_model_plan (LlModel *model, int max_batch, GError **error)
{
  gsize scratch = 0;

  g_return_val_if_fail (max_batch > 0, FALSE);
  if (max_batch <= model->max_batch)
    return TRUE;

  /* The whole plan at this batch size against the machine's memory. */
  if (!ll_memory_plan_fits (model->arch, NULL, max_batch, error))
    return FALSE;

  free_buffers (model);
  model->acts = g_new0 (float *, model->n_ops + 1);
  if (!(model->acts[0] = ll_alloc_floats ((gsize) max_batch * ll_shape_size (&model->shapes[0]),
                                          _("the input batch"), error)))
    goto fail;
  for (int i = 0; i < model->n_ops; i++)
    {
      LlOp *op = model->ops[i];
      if (!(model->acts[i + 1] = ll_alloc_floats ((gsize) max_batch * ll_shape_size (&op->out),
                                                  _("layer outputs"), error)))
        goto fail;
      if (op->klass->plan != NULL && !op->klass->plan (op, max_batch, error))
        goto fail;
      if (op->klass->scratch != NULL)
        scratch = MAX (scratch, op->klass->scratch (op, max_batch));
    }
  for (int k = 0; k < 2; k++)
    if (!(model->dbuf[k] = ll_alloc_floats ((gsize) max_batch * model->max_act,
                                            _("gradient buffers"), error)))
      goto fail;
  if (!(model->loss_grad = ll_alloc_floats ((gsize) max_batch * ll_shape_size (&model->shapes[model->n_layers - 1]),
                                            _("the loss gradient"), error)))
    goto fail;
  if (scratch > 0 && !(model->scratch = ll_alloc_floats (scratch, _("convolution workspace"), error)))
    goto fail;
  model->scratch_size = scratch;
  model->max_batch = max_batch;
  plan_blocks (model);
  model->planned = scratch + (gsize) max_batch * (2 * model->max_act
                                                  + ll_shape_size (&model->shapes[model->n_layers - 1]));
  for (int i = 0; i <= model->n_ops; i++)
    model->planned += (gsize) max_batch * ll_shape_size (i == 0 ? &model->shapes[0] : &model->ops[i - 1]->out);
  return TRUE;

fail:
  free_buffers (model);
  return FALSE;
}

gsize
ll_model_planned_bytes (const LlModel *model, gsize *workspace)
{
  g_return_val_if_fail (model != NULL, 0);
  if (workspace != NULL)
    *workspace = model->scratch_size * sizeof (float);
  return model->planned * sizeof (float);
}

static gboolean
bounded (const float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!(fabsf (v[i]) <= LL_FINITE_BOUND))     /* NaN fails too */
      return FALSE;
  return TRUE;
}

gboolean
ll_model_check_finite (const char *pass, const char *op_name, int layer, const LlFloats *inputs,
                       int n_inputs, const float *out, gsize n_out)
{
  gsize bad = 0;

  while (bad < n_out && isfinite (out[bad]))
    bad++;
  if (bad == n_out)
    return TRUE;
  for (int k = 0; k < n_inputs; k++)
    if (inputs[k].v != NULL && !bounded (inputs[k].v, inputs[k].n))
      return TRUE;
  g_critical ("%s of %s (layer %d) turned finite input (|x| ≤ %g) into %s at %" G_GSIZE_FORMAT,
              pass, op_name, layer, LL_FINITE_BOUND, isnan (out[bad]) ? "NaN" : "infinity", bad);
  return FALSE;
}

#ifdef LL_DEBUG_FINITE
/* Op i's input (and output and gradient from above, backward) and weights. */
static int
op_inputs (const LlModel *model, int i, int batch, const float *dy, LlFloats *in)
{
  const LlOp *op = model->ops[i];
  const LayerInfo *li = &model->layers[model->op_layer[i]];
  int n = 0;

  in[n++] = (LlFloats) { model->acts[i], (gsize) batch * ll_shape_size (&op->in) };
  if (dy != NULL)
    {
      in[n++] = (LlFloats) { model->acts[i + 1], (gsize) batch * ll_shape_size (&op->out) };
      in[n++] = (LlFloats) { dy, (gsize) batch * ll_shape_size (&op->out) };
    }
  for (int w = 0; w < op->n_weights && w < li->n_weights; w++)
    in[n++] = (LlFloats) { op->w[w], ll_weight_info_size (&li->info[w]) };
  return n;
}

static void
check_forward (const LlModel *model, int i, int batch)
{
  LlFloats in[LL_MAX_WEIGHTS + 3];
  int n = op_inputs (model, i, batch, NULL, in);

  ll_model_check_finite ("forward", model->ops[i]->klass->name, model->op_layer[i], in, n,
                         model->acts[i + 1], (gsize) batch * ll_shape_size (&model->ops[i]->out));
}

static void
check_backward (const LlModel *model, int i, int batch, const float *dy, const float *dx)
{
  const LlOp *op = model->ops[i];
  const LayerInfo *li = &model->layers[model->op_layer[i]];
  LlFloats in[LL_MAX_WEIGHTS + 3];
  int n = op_inputs (model, i, batch, dy, in);

  if (dx != NULL)
    ll_model_check_finite ("backward", op->klass->name, model->op_layer[i], in, n, dx,
                           (gsize) batch * ll_shape_size (&op->in));
  for (int w = 0; w < op->n_weights && w < li->n_weights; w++)
    if (op->g[w] != NULL)
      ll_model_check_finite ("weight gradient", op->klass->name, model->op_layer[i], in, n,
                             op->g[w], ll_weight_info_size (&li->info[w]));
}
#endif

/* Ops [first, last) on samples [b0, b0 + batch). */
static void
run_ops (LlModel *model, const LlContext *ctx, int first, int last, int b0, int batch)
{
  for (int i = first; i < last; i++)
    {
      LlOp *op = model->ops[i];
      float *x = model->acts[i] + (gsize) b0 * act_size (model, i);
      float *y = model->acts[i + 1] + (gsize) b0 * act_size (model, i + 1);
      LlActivation act;

      /* An element-wise activation right after an op that can apply it
       * runs inside that op's chunks, on values still in cache. */
      if (op->klass->forward_act != NULL && i + 1 < last
          && ll_op_is_activation (model->ops[i + 1], &act) && act != LL_ACT_SOFTMAX)
        {
          op->klass->forward_act (op, ctx, batch, x, y, act,
                                  model->acts[i + 2] + (gsize) b0 * act_size (model, i + 2));
          i++;
        }
      else
        op->klass->forward (op, ctx, batch, x, y);
    }
}

static const float *
run_forward (LlModel *model, const LlContext *ctx, int batch, const float *x)
{
  /* In blocks only where the ops run on one thread (the budget is one, or
   * this forward is itself one of parallel tasks, as the landscape's grid
   * points are): split over threads, a block of a few samples is too
   * little work per thread and the batch is faster whole. */
  int blocked = !ctx->training && !ctx->record && batch > model->block_samples
                && !ll_parallel_would_split () ? model->block_ops : 0;

  memcpy (model->acts[0], x, (gsize) batch * ll_shape_size (&model->shapes[0]) * sizeof (float));
  for (int b0 = 0; blocked > 0 && b0 < batch; b0 += model->block_samples)
    run_ops (model, ctx, 0, blocked, b0, MIN (model->block_samples, batch - b0));
  run_ops (model, ctx, blocked, model->n_ops, 0, batch);
#ifdef LL_DEBUG_FINITE
  for (int i = 0; i < model->n_ops; i++)
    check_forward (model, i, batch);
#endif
  model->last_batch = batch;
  model->last_training = ctx->training;
  return model->acts[model->n_ops];
}

const float *
ll_model_forward (LlModel *model, int batch, const float *x, gboolean training, LlRng *rng)
{
  LlContext ctx = { training, rng, model->scratch, model->scratch_size, FALSE };

  g_return_val_if_fail (batch > 0 && batch <= model->max_batch, NULL);
  g_return_val_if_fail (!training || rng != NULL, NULL);
  return run_forward (model, &ctx, batch, x);
}

const float *
ll_model_layer_output (const LlModel *model, int layer)
{
  g_return_val_if_fail (layer >= 0 && layer < model->n_layers && model->acts != NULL, NULL);
  return model->acts[model->layers[layer].out_act];
}

const float *
ll_model_layer_pre_activation (const LlModel *model, int layer)
{
  const LayerInfo *li;

  g_return_val_if_fail (layer >= 0 && layer < model->n_layers && model->acts != NULL, NULL);
  li = &model->layers[layer];
  /* A layer's ops are its linear part (if any), then its activation (if any). */
  if (li->n_ops > 0 && ll_op_is_activation (model->ops[li->first_op + li->n_ops - 1], NULL))
    return model->acts[li->first_op + li->n_ops - 1];
  return model->acts[li->out_act];
}

gboolean
ll_model_last_forward (const LlModel *model, int *batch, gboolean *training)
{
  g_return_val_if_fail (model != NULL, FALSE);
  if (model->acts == NULL || model->last_batch <= 0)
    return FALSE;
  if (batch != NULL)
    *batch = model->last_batch;
  if (training != NULL)
    *training = model->last_training;
  return TRUE;
}

/* The op that computes layer i's linear part, or NULL. */
static const LlOp *
layer_main_op (const LlModel *model, int layer)
{
  const LayerInfo *li = &model->layers[layer];

  if (li->n_ops == 0 || ll_op_is_activation (model->ops[li->first_op], NULL))
    return NULL;
  return model->ops[li->first_op];
}

const float *
ll_model_layer_dropout_mask (const LlModel *model, int layer)
{
  const LlOp *op;
  float rate = 0.0f;
  const float *mask;

  g_return_val_if_fail (layer >= 0 && layer < model->n_layers, NULL);
  if (!model->last_training || model->last_batch <= 0 || !(op = layer_main_op (model, layer)))
    return NULL;
  mask = ll_op_dropout_mask (op, &rate);
  return rate > 0.0f ? mask : NULL;
}

gboolean
ll_model_layer_batch_statistics (const LlModel *model, int layer,
                                 const float **mean, const float **var)
{
  const LlOp *op;

  g_return_val_if_fail (layer >= 0 && layer < model->n_layers, FALSE);
  if (!model->last_training || model->last_batch <= 0 || !(op = layer_main_op (model, layer)))
    return FALSE;
  return ll_op_batch_norm_statistics (op, mean, var);
}

/* Whether the loss can take the logits before a final softmax/sigmoid. */
static LlLossInput
loss_input (const LlModel *model, LlLossKind loss)
{
  LlActivation act;
  if (model->n_ops == 0 || !ll_op_is_activation (model->ops[model->n_ops - 1], &act))
    return LL_LOSS_INPUT_PROBS;
  if (act == LL_ACT_SOFTMAX && (loss == LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
                                || loss == LL_LOSS_CATEGORICAL_CROSSENTROPY))
    return LL_LOSS_INPUT_SOFTMAX_LOGITS;
  if (act == LL_ACT_SIGMOID && loss == LL_LOSS_BINARY_CROSSENTROPY)
    return LL_LOSS_INPUT_SIGMOID_LOGITS;
  return LL_LOSS_INPUT_PROBS;
}

static double
loss_of_last (LlModel *model, LlLossKind loss, int batch, const gint32 *labels,
              int *n_correct, float *grad, int *first_backward_op)
{
  LlLossInput input = loss_input (model, loss);
  int n_out = (int) ll_shape_size (&model->shapes[model->n_layers - 1]);
  const float *out = input == LL_LOSS_INPUT_PROBS ? model->acts[model->n_ops]
                                                  : model->acts[model->n_ops - 1];
  if (n_correct != NULL)
    *n_correct = ll_accuracy_count (batch, n_out, model->acts[model->n_ops], labels);
  if (first_backward_op != NULL)
    *first_backward_op = input == LL_LOSS_INPUT_PROBS ? model->n_ops - 1 : model->n_ops - 2;
  return ll_loss_compute (loss, input, batch, n_out, out, labels, grad);
}

double
ll_model_loss (LlModel *model, LlLossKind loss, int batch, const gint32 *labels, int *n_correct)
{
  g_return_val_if_fail (batch == model->last_batch, NAN);
  return loss_of_last (model, loss, batch, labels, n_correct, NULL, NULL);
}

double
ll_model_regularization (const LlModel *model)
{
  double total = 0.0;
  for (int i = 0; i < model->n_layers; i++)
    {
      const LayerInfo *li = &model->layers[i];
      for (int w = 0; w < li->n_weights; w++)
        {
          const LlWeightInfo *info = &li->info[w];
          const float *v = model->params + li->offset[w];
          gsize n = ll_weight_info_size (info);
          double s1 = 0.0, s2 = 0.0;
          if (!info->trainable || (info->l1 == 0.0 && info->l2 == 0.0))
            continue;
          for (gsize k = 0; k < n; k++)
            {
              s1 += fabsf (v[k]);
              s2 += (double) v[k] * v[k];
            }
          total += info->l1 * s1 + info->l2 * s2;
        }
    }
  return total;
}

/* Adds d(l1·Σ|w| + l2·Σw²)/dw = l1·sign(w) + 2·l2·w to the gradients. */
static void
regularization_grad (LlModel *model)
{
  for (int i = 0; i < model->n_layers; i++)
    {
      const LayerInfo *li = &model->layers[i];
      for (int w = 0; w < li->n_weights; w++)
        {
          const LlWeightInfo *info = &li->info[w];
          const float *v;
          float *g;
          gsize n;
          float l1 = (float) info->l1, l2x2 = (float) (2.0 * info->l2);
          if (!info->trainable || (info->l1 == 0.0 && info->l2 == 0.0))
            continue;
          v = model->params + li->offset[w];
          g = model->grads + li->offset[w];
          n = ll_weight_info_size (info);
          for (gsize k = 0; k < n; k++)
            g[k] += l1 * (float) ((v[k] > 0) - (v[k] < 0)) + l2x2 * v[k];
        }
    }
}

double
ll_model_train_step (LlModel *model, LlLossKind loss, int batch,
                     const float *x, const gint32 *labels,
                     LlRng *rng, int *n_correct)
{
  LlContext ctx = { TRUE, rng, model->scratch, model->scratch_size, FALSE };
  const float *dy;
  double value;
  int first, k = 0;

  ll_model_forward (model, batch, x, TRUE, rng);
  value = loss_of_last (model, loss, batch, labels, n_correct, model->loss_grad, &first);

  /* Ops with no weights before the first weighted op need no input gradient. */
  dy = model->loss_grad;
  for (int i = first; i >= 0; i--)
    {
      LlOp *op = model->ops[i];
      float *dx = i > 0 ? model->dbuf[k] : NULL;
      op->klass->backward (op, &ctx, batch, model->acts[i], model->acts[i + 1], dy, dx);
#ifdef LL_DEBUG_FINITE
      check_backward (model, i, batch, dy, dx);
#endif
      dy = dx;
      k ^= 1;
    }
  regularization_grad (model);
  return value + ll_model_regularization (model);
}

gboolean
ll_model_input_gradient (LlModel *model, const float *x, int class_index, float *dx,
                         GError **error)
{
  LlContext ctx = { FALSE, NULL, NULL, 0, TRUE };
  int n_out = (int) ll_shape_size (&model->shapes[model->n_layers - 1]);
  gsize in_size = ll_shape_size (&model->shapes[0]);
  LlActivation act;
  float *dy;
  int first, k = 0;

  g_return_val_if_fail (class_index >= 0 && class_index < n_out, FALSE);
  if (!ll_model_plan (model, 1, error))
    return FALSE;
  ctx.scratch = model->scratch;
  ctx.scratch_size = model->scratch_size;
  run_forward (model, &ctx, 1, x);

  /* The class score is the logit before a final softmax/sigmoid when there is one. */
  first = model->n_ops - 1;
  if (model->n_ops > 1 && ll_op_is_activation (model->ops[first], &act)
      && (act == LL_ACT_SOFTMAX || act == LL_ACT_SIGMOID))
    first--;
  dy = model->loss_grad;
  memset (dy, 0, (gsize) n_out * sizeof (float));
  dy[class_index] = 1.0f;
  for (int i = first; i >= 0; i--)
    {
      LlOp *op = model->ops[i];
      float *buf = model->dbuf[k];
      op->klass->backward (op, &ctx, 1, model->acts[i], model->acts[i + 1], dy, buf);
#ifdef LL_DEBUG_FINITE
      check_backward (model, i, 1, dy, buf);
#endif
      dy = buf;
      k ^= 1;
    }
  if (first < 0)
    memcpy (dx, model->loss_grad, in_size * sizeof (float));
  else
    memcpy (dx, dy, in_size * sizeof (float));
  return TRUE;
}

void
ll_model_set_layer_names (LlModel *model, const LlArch *arch)
{
  g_return_if_fail (model != NULL && arch != NULL);
  g_return_if_fail (ll_arch_n_layers (arch) == ll_arch_n_layers (model->arch));

  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    memcpy (ll_arch_layer (model->arch, i)->name, ll_arch_layer (arch, i)->name, LL_LAYER_NAME_MAX);
}

gboolean
ll_model_set_dropout_rate (LlModel *model, int layer, double rate, GError **error)
{
  int changed = 0;

  for (int i = 0; i < model->n_layers; i++)
    {
      LlLayerSpec *spec = ll_arch_layer (model->arch, i);
      const LayerInfo *li = &model->layers[i];
      if ((layer >= 0 && i != layer) || spec->type != &ll_layer_dropout)
        continue;
      if (!ll_layer_spec_set (spec, "rate", rate, error))
        return FALSE;
      for (int k = 0; k < li->n_ops; k++)
        ll_op_set_dropout_rate (model->ops[li->first_op + k], rate);
      changed++;
    }
  if (changed == 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   layer >= 0 ? _("Layer %d is not a Dropout layer") : _("The model has no Dropout layer"),
                   layer);
      return FALSE;
    }
  return TRUE;
}

gsize
ll_model_activations_size (const LlModel *model)
{
  gsize n = 0;
  for (int i = 0; i < model->n_layers; i++)
    n += ll_shape_size (&model->shapes[i]);
  return n;
}

void
ll_model_copy_activations (const LlModel *model, int index, float *dst)
{
  g_return_if_fail (model->acts != NULL && index >= 0 && index < model->last_batch);
  for (int i = 0; i < model->n_layers; i++)
    {
      gsize size = ll_shape_size (&model->shapes[i]);
      memcpy (dst, model->acts[model->layers[i].out_act] + (gsize) index * size,
              size * sizeof (float));
      dst += size;
    }
}

gboolean
ll_model_probe (LlModel *model, const float *x, float *dst, GError **error)
{
  if (!ll_model_plan (model, 1, error))
    return FALSE;
  ll_model_forward (model, 1, x, FALSE, NULL);
  ll_model_copy_activations (model, 0, dst);
  return TRUE;
}

void
ll_model_copy_params (const LlModel *model, float *dst)
{
  memcpy (dst, model->params, model->n_params * sizeof (float));
  memcpy (dst + model->n_params, model->state, model->n_state * sizeof (float));
}

gboolean
ll_model_predict (LlModel *model, int batch, const float *x, float *probs, GError **error)
{
  gsize in_size = ll_shape_size (&model->shapes[0]);
  gsize out_size = ll_shape_size (&model->shapes[model->n_layers - 1]);
  int chunk = MIN (batch, 256);

  if (!ll_model_plan (model, MAX (chunk, 1), error))
    return FALSE;
  for (int start = 0; start < batch; start += chunk)
    {
      int n = MIN (chunk, batch - start);
      const float *out = ll_model_forward (model, n, x + (gsize) start * in_size, FALSE, NULL);
      memcpy (probs + (gsize) start * out_size, out, (gsize) n * out_size * sizeof (float));
    }
  return TRUE;
}

char *
ll_model_summary (const LlModel *model)
{
  /* A built model's architecture always has valid shapes. */
  return ll_arch_summary (model->arch, NULL);
}
