/* ll-network-diagram.h: a drawing of a layer stack, blocks sized by the
 * tensor each layer outputs, in the style of the classic LeNet figure. */
#pragma once

#include <gtk/gtk.h>

#include "ll-document.h"

G_BEGIN_DECLS

#define LL_TYPE_NETWORK_DIAGRAM (ll_network_diagram_get_type ())
G_DECLARE_FINAL_TYPE (LlNetworkDiagram, ll_network_diagram, LL, NETWORK_DIAGRAM, GtkWidget)

GtkWidget  *ll_network_diagram_new          (void);
/* Draws the document's stack and follows its changes. */
void        ll_network_diagram_set_document (LlNetworkDiagram *self, LlDocument *document);
LlDocument *ll_network_diagram_get_document (LlNetworkDiagram *self);
/* The layer drawn highlighted (-1: none). */
void        ll_network_diagram_set_selected (LlNetworkDiagram *self, int layer);

G_END_DECLS
