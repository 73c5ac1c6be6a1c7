/* ll-contour-map.h: heat map with labelled iso-lines of a toy loss surface,
 * with the optimizer race's paths drawn over it.  The map is computed once
 * per surface and size, the drawn part of the paths is cached in a texture,
 * and animation frames draw only the newest segments and the heads.  A
 * click picks the start point ("start-picked"). */
#pragma once

#include <gtk/gtk.h>

#include "ll-surface.h"

G_BEGIN_DECLS

#define LL_TYPE_CONTOUR_MAP (ll_contour_map_get_type ())
G_DECLARE_FINAL_TYPE (LlContourMap, ll_contour_map, LL, CONTOUR_MAP, GtkWidget)

GtkWidget *ll_contour_map_new          (void);
/* race is borrowed: the caller keeps it alive or sets NULL first.  Setting
 * a race with another surface recomputes the map. */
void       ll_contour_map_set_race     (LlContourMap  *self,
                                        LlRace        *race);
/* The surface changed inside the same race object: recompute the map. */
void       ll_contour_map_invalidate   (LlContourMap  *self);
/* LL_RACE_N_ENTRIES colours. */
void       ll_contour_map_set_colors   (LlContourMap  *self,
                                        const GdkRGBA *colors);
/* Bit i set: entry i is drawn. */
void       ll_contour_map_set_visible_mask (LlContourMap *self,
                                            guint         mask);
/* How far along the paths the heads are, in steps; a fraction places the
 * head between two points so that slow playback still moves smoothly. */
void       ll_contour_map_set_progress (LlContourMap  *self,
                                        double         steps);
/* Draws the whole picture with cairo (export and benchmarks), with text
 * and lines as large as on screen (presentation mode included). */
void       ll_contour_map_draw         (LlContourMap  *self,
                                        cairo_t       *cr,
                                        int            width,
                                        int            height);
/* TRUE (the default): equal x and y scales, the view widened along one
 * axis to fill the widget; FALSE: the surface's view stretched to fit. */
void       ll_contour_map_set_equal_aspect (LlContourMap *self,
                                            gboolean      equal_aspect);
gboolean   ll_contour_map_get_equal_aspect (LlContourMap *self);
gboolean   ll_contour_map_export_svg   (LlContourMap  *self,
                                        const char    *path,
                                        int            width,
                                        int            height,
                                        GError       **error);
gboolean   ll_contour_map_export_png   (LlContourMap  *self,
                                        const char    *path,
                                        int            width,
                                        int            height,
                                        GError       **error);

G_END_DECLS
