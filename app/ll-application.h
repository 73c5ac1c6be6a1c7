/* ll-application.h: the GTK application: windows, accelerators, the
 * command-line options of the GUI (a model file, --screenshot). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LL_TYPE_APPLICATION (ll_application_get_type ())
G_DECLARE_FINAL_TYPE (LlApplication, ll_application, LL, APPLICATION, AdwApplication)

/* Also points GSettings at the schema compiled in the build tree when the
 * program runs from there, so call it before anything uses GSettings. */
LlApplication *ll_application_new (void);

G_END_DECLS
