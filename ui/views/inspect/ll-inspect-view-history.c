/* ll-inspect-view-history.c: the Inspect view's inputs other than a test
 * image and weights other than the document's: the Draw view's digit,
 * training snapshots, and the replay of the training history. */
#include "ll-inspect-view-private.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

/* Drawn digit and history ----------------------------------------------- */

gboolean
ll_inspect_view_drawn_usable (LlInspectView *self)
{
  LlModel *model = self->document != NULL ? ll_document_get_model (self->document) : NULL;
  LlShape in;

  if (model == NULL || ll_document_get_drawn_input (self->document) == NULL)
    return FALSE;
  in = ll_model_input_shape (model);
  return in.rank == 3 && in.d[0] == 28 && in.d[1] == 28 && in.d[2] == 1;
}

void
ll_inspect_view_update_drawn_button (LlInspectView *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->drawn_button), ll_inspect_view_drawn_usable (self));
}

void
ll_inspect_view_update_history_controls (LlInspectView *self)
{
  guint n = self->document != NULL ? ll_document_get_n_history (self->document) : 0;
  g_autofree char *text = NULL;

  if (self->history_pos >= (int) n)
    self->history_pos = -1;
  self->updating_controls = TRUE;
  gtk_range_set_range (GTK_RANGE (self->history_scale), 0, MAX (n, 1));
  gtk_range_set_value (GTK_RANGE (self->history_scale), self->history_pos < 0 ? n : (guint) self->history_pos);
  self->updating_controls = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->history_scale), n > 0);
  if (n == 0)
    text = g_strdup (_("While training runs, the weights are kept at the end of each epoch and a few "
                     "times in the first; this slider then replays them."));
  else if (self->history_pos < 0)
    text = g_strdup_printf (_("Now (%u earlier points kept)"), n);
  else
    {
      int epoch, batch;
      ll_document_get_history (self->document, self->history_pos, &epoch, &batch);
      text = batch < 0 ? g_strdup_printf (_("End of epoch %d (%d of %u)"), epoch + 1, self->history_pos + 1, n)
                       : g_strdup_printf (_("Epoch %d, batch %d (%d of %u)"), epoch + 1, batch,
                                          self->history_pos + 1, n);
    }
  gtk_label_set_text (self->history_label, text);
}

/* Published by the training worker a few times per second: refreshing is
 * coalesced by ll_inspect_view_schedule_refresh (at most 4 per second, none while hidden). */
void
ll_inspect_view_on_snapshot (LlInspectView *self)
{
  self->use_snapshot = ll_document_get_snapshot (self->document) != NULL;
  ll_inspect_view_update_history_controls (self);
  ll_inspect_view_update_untrained_notice (self);
  if (self->history_pos < 0)
    ll_inspect_view_schedule_refresh (self);
}

void
ll_inspect_view_on_drawn_input_changed (LlInspectView *self)
{
  ll_inspect_view_update_drawn_button (self);
  if (self->use_drawn)
    ll_inspect_view_schedule_refresh (self);
}

void
ll_inspect_view_on_drawn_clicked (GtkButton *button, LlInspectView *self)
{
  if (!ll_inspect_view_drawn_usable (self))
    return;
  self->use_drawn = TRUE;
  ll_inspect_view_refresh (self);
}

void
ll_inspect_view_on_history_changed (GtkRange *range, LlInspectView *self)
{
  guint n;
  int pos = (int) round (gtk_range_get_value (range));

  if (self->updating_controls || self->document == NULL)
    return;
  n = ll_document_get_n_history (self->document);
  pos = pos >= (int) n ? -1 : pos;
  if (pos == self->history_pos)
    return;
  self->history_pos = pos;
  ll_inspect_view_update_history_controls (self);
  ll_inspect_view_refresh (self);
}

void
ll_inspect_view_set_history_position (LlInspectView *self, int position)
{
  guint n;

  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  n = self->document != NULL ? ll_document_get_n_history (self->document) : 0;
  gtk_range_set_value (GTK_RANGE (self->history_scale), position < 0 || (guint) position >= n ? n : (guint) position);
}

void
ll_inspect_view_use_drawn_input (LlInspectView *self)
{
  g_return_if_fail (LL_IS_INSPECT_VIEW (self));
  ll_inspect_view_on_drawn_clicked (NULL, self);
}

