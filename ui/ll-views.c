/* ll-views.c: the window's views, in tab order. */
#include "ll-views.h"

#include <glib/gi18n.h>

#include "ll-data-view.h"
#include "ll-draw-view.h"
#include "ll-inspect-view.h"
#include "ll-model-view.h"
#include "ll-optimizer-view.h"
#include "ll-playground-view.h"
#include "ll-train-view.h"

const LlViewInfo ll_views[] = {
  { "model",      NC_("view", "Model"),      "view-list-symbolic",            "<Alt>1", ll_model_view_get_type },
  { "train",      NC_("view", "Train"),      "media-playback-start-symbolic", "<Alt>2", ll_train_view_get_type },
  { "inspect",    NC_("view", "Inspect"),    "edit-find-symbolic",            "<Alt>3", ll_inspect_view_get_type },
  { "optimizers", NC_("view", "Optimizers"), "find-location-symbolic",        "<Alt>4", ll_optimizer_view_get_type },
  { "draw",       NC_("view", "Draw"),       "document-edit-symbolic",        "<Alt>5", ll_draw_view_get_type },
  { "data",       NC_("view", "Data"),       "view-grid-symbolic",            "<Alt>6", ll_data_view_get_type },
  { "playground", NC_("view", "Playground"), "applications-science-symbolic", "<Alt>7", ll_playground_view_get_type },
};

const guint ll_n_views = G_N_ELEMENTS (ll_views);

const LlViewInfo *
ll_view_info_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < ll_n_views; i++)
    if (g_str_equal (ll_views[i].name, name))
      return &ll_views[i];
  return NULL;
}

char *
ll_view_names_joined (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < ll_n_views; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", ll_views[i].name);
  return g_string_free (s, FALSE);
}
