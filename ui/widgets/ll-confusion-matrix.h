/* ll-confusion-matrix.h: a confusion matrix (rows: true class, columns:
 * predicted class) with counts in the cells; clicking a cell emits
 * "cell-activated" (true class, predicted class). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LL_TYPE_CONFUSION_MATRIX (ll_confusion_matrix_get_type ())
G_DECLARE_FINAL_TYPE (LlConfusionMatrix, ll_confusion_matrix, LL, CONFUSION_MATRIX, GtkWidget)

GtkWidget *ll_confusion_matrix_new      (void);
/* n × n counts and n class names (nullable); both copied.  matrix NULL clears. */
void       ll_confusion_matrix_set_data (LlConfusionMatrix *self, const guint32 *matrix, int n,
                                         const char *const *class_names);
/* Highlights a cell (-1, -1: none). */
void       ll_confusion_matrix_select   (LlConfusionMatrix *self, int true_class, int predicted_class);
int        ll_confusion_matrix_get_n    (LlConfusionMatrix *self);

G_END_DECLS
