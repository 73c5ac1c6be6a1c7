/* ll-explain-panel.h: how one number of a layer was made, shown with its
 * real values (an LlExplanation from engine/ll-explain.h): a Conv2D's
 * input window, kernel and products per input channel as number grids,
 * their sum, the bias and the activation; a pooling window and its winner
 * or average; a Dense unit's largest contributions and its weights as a
 * picture; batch norm, dropout and softmax written out with the numbers;
 * and the engine's own value beside the result.
 *
 * Also the shape and parameter arithmetic as text, shared with the Model
 * view's card tooltips. */
#pragma once

#include <gtk/gtk.h>

#include "ll-explain.h"

G_BEGIN_DECLS

#define LL_TYPE_EXPLAIN_PANEL (ll_explain_panel_get_type ())
G_DECLARE_FINAL_TYPE (LlExplainPanel, ll_explain_panel, LL, EXPLAIN_PANEL, GtkBox)

GtkWidget           *ll_explain_panel_new              (void);
/* Shows e (transfer full; NULL shows a hint to click a unit). */
void                 ll_explain_panel_set_explanation  (LlExplainPanel *self, LlExplanation *e);
const LlExplanation *ll_explain_panel_get_explanation  (LlExplainPanel *self);
/* Names for the units of a softmax (class names), NULL-terminated; copied. */
void                 ll_explain_panel_set_class_names  (LlExplainPanel *self, const char *const *names);
/* Conv2D: the input channel whose window, kernel and products are shown. */
void                 ll_explain_panel_set_channel      (LlExplainPanel *self, int channel);
int                  ll_explain_panel_get_channel      (LlExplainPanel *self);
/* The result as written: "relu(1.25) = 1.25", for tests. */
const char          *ll_explain_panel_get_result_text  (LlExplainPanel *self);

/* "Rows: (H − K) / S + 1 = (28 − 5) / 1 + 1 = 24\nColumns: …" (and the
 * padding) for a Conv2D or pooling layer on input in; NULL for others. */
char                *ll_explain_shape_text   (const LlLayerSpec *spec, const LlShape *in);
/* "Parameters: K·K·C_in·F + F = 5·5·1·3 + 3 = 78"; NULL without weights. */
char                *ll_explain_params_text  (const LlLayerSpec *spec, const LlShape *in,
                                              const LlShape *out);

G_END_DECLS
