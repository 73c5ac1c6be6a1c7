/* ll-evaluate.c: a model on a whole data set, in evaluation mode: the
 * fit check, mean loss and accuracy, predictions. */
#include "ll-evaluate.h"

#include <string.h>
#include <glib/gi18n-lib.h>

gboolean
ll_model_evaluate_range (LlModel *model, LlLossKind loss, const LlDataset *ds, int start,
                         int count, int batch_size, float *x, gint32 *labels, guint32 *idx,
                         double *loss_out, double *acc_out, const LlControl *control,
                         GError **error)
{
  double total = 0.0;
  long correct = 0;

  for (int b = 0; b < count; b += batch_size)
    {
      int n = MIN (batch_size, count - b), right = 0;

      if (!ll_control_check (control, error))
        return FALSE;
      for (int k = 0; k < n; k++)
        idx[k] = (guint32) (start + b + k);
      ll_dataset_fill_batch (ds, idx, n, x, labels);
      ll_model_forward (model, n, x, FALSE, NULL);
      total += ll_model_loss (model, loss, n, labels, &right) * n;
      correct += right;
    }
  *loss_out = total / MAX (count, 1) + ll_model_regularization (model);
  *acc_out = (double) correct / MAX (count, 1);
  return TRUE;
}

gboolean
ll_model_check_dataset (LlModel *model, const LlDataset *ds, GError **error)
{
  LlShape in = ll_model_input_shape (model);
  LlShape want = ll_shape_image (ds->height, ds->width, ds->channels);
  LlShape out = ll_model_output_shape (model);

  if (ll_shape_size (&in) != ll_shape_size (&want))
    {
      g_autofree char *a = ll_shape_to_string (&in), *b = ll_shape_to_string (&want);
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model's Input is %s but the %s images are %s. Set the Input layer to "
                   "%d × %d × %d."), a, ds->name, b, ds->height, ds->width, ds->channels);
      return FALSE;
    }
  if (out.d[0] != ds->n_classes && !(out.d[0] == 1 && ds->n_classes == 2))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The last layer has %d units but %s has %d classes. "
                   "Set the last Dense layer to %d units."), out.d[0], ds->name, ds->n_classes,
                   ds->n_classes);
      return FALSE;
    }
  return TRUE;
}

gboolean
ll_model_evaluate (LlModel *model, LlLossKind loss, const LlDataset *ds, int batch_size,
                   double *loss_out, double *accuracy_out, const LlControl *control,
                   GError **error)
{
  g_autofree float *x = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree guint32 *idx = NULL;
  double l, a;

  if (!ll_model_check_dataset (model, ds, error))
    return FALSE;
  batch_size = CLAMP (batch_size, 1, MAX (ds->n, 1));
  if (!ll_model_plan (model, batch_size, error))
    return FALSE;
  x = g_new (float, (gsize) batch_size * ll_dataset_sample_size (ds));
  labels = g_new (gint32, batch_size);
  idx = g_new (guint32, batch_size);
  if (!ll_model_evaluate_range (model, loss, ds, 0, ds->n, batch_size, x, labels, idx, &l, &a,
                                control, error))
    return FALSE;
  if (loss_out != NULL)
    *loss_out = l;
  if (accuracy_out != NULL)
    *accuracy_out = a;
  return TRUE;
}

gboolean
ll_model_predict_dataset (LlModel *model, const LlDataset *ds, int batch_size,
                          gint32 *predicted, float *probs, const LlControl *control,
                          GError **error)
{
  g_autofree float *x = NULL;
  g_autofree guint32 *idx = NULL;
  int n_out = ll_model_output_shape (model).d[0];

  if (!ll_model_check_dataset (model, ds, error))
    return FALSE;
  batch_size = CLAMP (batch_size, 1, MAX (ds->n, 1));
  if (!ll_model_plan (model, batch_size, error))
    return FALSE;
  x = g_new (float, (gsize) batch_size * ll_dataset_sample_size (ds));
  idx = g_new (guint32, batch_size);
  for (int b = 0; b < ds->n; b += batch_size)
    {
      int n = MIN (batch_size, ds->n - b);
      const float *out;

      if (!ll_control_check (control, error))
        return FALSE;
      for (int k = 0; k < n; k++)
        idx[k] = (guint32) (b + k);
      ll_dataset_fill_batch (ds, idx, n, x, NULL);
      out = ll_model_forward (model, n, x, FALSE, NULL);
      for (int k = 0; k < n; k++)
        {
          const float *r = out + (gsize) k * n_out;
          int best = 0;
          if (n_out == 1)
            best = r[0] > 0.5f;
          else
            for (int j = 1; j < n_out; j++)
              if (r[j] > r[best])
                best = j;
          if (predicted != NULL)
            predicted[b + k] = best;
        }
      if (probs != NULL)
        memcpy (probs + (gsize) b * n_out, out, (gsize) n * n_out * sizeof (float));
    }
  return TRUE;
}

