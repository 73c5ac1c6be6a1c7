/* ll-model-view.h: the Model view, the visual model builder: a palette of
 * layer types, the stack as cards, a properties editor generated from the
 * engine's parameter tables, live validation, the network diagram, the
 * Keras summary and the generated Keras / PyTorch code. */
#pragma once

#include "ll-view.h"

#include "ll-document.h"

G_BEGIN_DECLS

#define LL_TYPE_MODEL_VIEW (ll_model_view_get_type ())
G_DECLARE_FINAL_TYPE (LlModelView, ll_model_view, LL, MODEL_VIEW, LlView)

GtkWidget  *ll_model_view_new          (void);

/* The selected layer (-1: none).  Actions act on it. */
int         ll_model_view_get_selected (LlModelView *self);
void        ll_model_view_set_selected (LlModelView *self, int layer);

/* Inserts a layer of the named type after the selection (as activating a
 * palette row does) and selects it. */
gboolean    ll_model_view_insert_type  (LlModelView *self, const char *type_name);

/* For tests and the screenshot: the cards (one per layer, index 0 the
 * Input), and the text of the summary and of the code panels. */
int         ll_model_view_get_n_cards  (LlModelView *self);
GtkWidget  *ll_model_view_get_card     (LlModelView *self, int layer);
char       *ll_model_view_dup_summary  (LlModelView *self);
/* language: "keras" or "pytorch". */
char       *ll_model_view_dup_code     (LlModelView *self, const char *language);

G_END_DECLS
