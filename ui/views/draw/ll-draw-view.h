/* ll-draw-view.h: the Draw view: draw a digit, see the network's answer
 * change with every pointer motion. */
#pragma once

#include "ll-view.h"

#include "ll-model.h"

G_BEGIN_DECLS

#define LL_TYPE_DRAW_VIEW (ll_draw_view_get_type ())
G_DECLARE_FINAL_TYPE (LlDrawView, ll_draw_view, LL, DRAW_VIEW, LlView)

GtkWidget *ll_draw_view_new            (void);
/* The user's trained model (a copy the view owns; drawing never touches a
 * model that is training), or NULL.  The switch offers it when set. */
void       ll_draw_view_set_user_model (LlDrawView *self,
                                        LlModel    *model /* transfer full, nullable */);
/* The same, naming the data set it was trained on ("mnist",
 * "fashion-mnist", "cifar10"; NULL: guessed from the input shape), which
 * decides the preprocessing and the class names. */
void       ll_draw_view_set_user_model_for_dataset (LlDrawView *self,
                                                    LlModel    *model /* transfer full, nullable */,
                                                    const char *dataset /* nullable */);
/* The class shown as the answer and its probability, or -1 when nothing
 * is predicted (an empty pad, no model).  Updated once per frame. */
int        ll_draw_view_get_prediction (LlDrawView *self, float *probability);
/* Removes the last stroke, as Ctrl+Z does on the pad; FALSE when the pad
 * is empty.  The window's Undo uses it while the Draw view is shown. */
gboolean   ll_draw_view_undo_stroke    (LlDrawView *self);
/* Classifies a PNG or JPEG file as if it had been dropped on the view. */
gboolean   ll_draw_view_open_image     (LlDrawView *self, GFile *file, GError **error);

/* The shipped digit model: from the GResource, else from the data
 * directories (layerlab/models/digits.llmodel).  NULL with an error when
 * neither has it. */
LlModel   *ll_draw_view_load_default_model (GError **error);

G_END_DECLS
