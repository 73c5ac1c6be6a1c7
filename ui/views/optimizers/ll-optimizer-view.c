/* ll-optimizer-view.c: the Optimizers view: the optimizer race.
 *
 * Owns one LlRace (engine) and shows it in an LlContourMap and an
 * LlStepPlot, which borrow it.  Playback runs on the frame clock: each tick
 * advances a fractional step counter by speed × elapsed time, computes the
 * race up to it and redraws the paths (the map's background is cached).
 *
 * The loss-landscape mode evaluates the document's model on a plane of its
 * weight space (ll-landscape.h) in a GTask and shows the result as a
 * sampled surface, on which the nine optimizers can race like on any
 * other.  Not done: the training trajectory projected onto that plane (the
 * Train view keeps no weight snapshots to project). */
#include "ll-optimizer-view.h"

#include "ll-a11y.h"
#include "ll-data-dir.h"
#include "ll-presentation.h"
#include "ll-contour-map.h"
#include "ll-document.h"
#include "ll-landscape.h"
#include "ll-step-plot.h"
#include "ll-surface.h"

#include <glib/gi18n.h>
#include <math.h>

#define MAX_STEPS 2000

/* Loss-landscape mode: test images evaluated, grid side, half-width of the
 * plane in units of the filter-normalised directions (1 = as far again as
 * the weights' own norm, the scale of Li et al.'s figures). */
#define LANDSCAPE_IMAGES 500
#define LANDSCAPE_N      21
#define LANDSCAPE_SPAN   1.0

/* Okabe-Ito's eight colour-blind-safe colours plus its grey, in the order
 * of the race's entries. */
static const char *const palette[LL_RACE_N_ENTRIES] = {
  "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442",
  "#0072B2", "#D55E00", "#CC79A7", "#999999",
};

typedef struct {
  GtkWidget *visible;             /* GtkCheckButton */
  GtkWidget *rate;                /* GtkSpinButton: learning rate */
  GtkWidget *hyper[LL_N_HYPERS];  /* GtkSpinButton per offered hyperparameter, or NULL */
  GtkWidget *steps_label;
  GtkWidget *loss_label;
  int shown_steps;                /* what the table shows, to skip no-op updates */
  double shown_loss;
} EntryRow;

struct _LlOptimizerView {
  LlView parent_instance;

  GtkDropDown *surface_dropdown;
  GtkEntry *expression_entry;
  GtkLabel *expression_error;
  GtkButton *play_button;
  GtkRange *speed_scale;
  GtkLabel *start_label;
  GtkCheckButton *aspect_check;
  GtkButton *landscape_button;
  GtkProgressBar *landscape_progress;
  GtkGrid *optim_grid;
  GtkLabel *status_label;
  LlContourMap *map;
  LlStepPlot *plot;
  GtkLabel *table_title;
  GtkGrid *table_grid;

  LlRace *race;
  LlSurface *expression;          /* last valid typed surface, or NULL */
  LlSurface *landscape;           /* last computed loss landscape, or NULL */
  gint64 landscape_start;         /* monotonic µs when it started */
  GdkRGBA colors[LL_RACE_N_ENTRIES];
  EntryRow rows[LL_RACE_N_ENTRIES];
  guint visible_mask;

  double progress;                /* steps shown, fractional while playing */
  guint tick_id;
  gint64 last_frame_time;
  gboolean updating;              /* set while code writes to the controls */
  GtkNativeDialog *chooser;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  GCancellable *landscape_cancel; /* non-NULL while a landscape is computed */
  int landscape_rows;             /* written by the worker (atomic) */
  guint landscape_poll;
};

G_DEFINE_FINAL_TYPE (LlOptimizerView, ll_optimizer_view, LL_TYPE_VIEW)

/* The hyperparameters an entry offers besides its learning rate: the
 * numbers its optimizer uses (ll-optim.c's table) that the race does not
 * fix (plain SGD's momentum), in the table's order.  Returns the count. */
static guint
hyper_fields (guint entry, LlHyper *fields)
{
  const LlOptimInfo *info = ll_optim_info (ll_race_entry_kind (entry));
  guint n = 0;

  for (const LlHyper *h = info->hypers; *h != LL_N_HYPERS; h++)
    if (*h != LL_HYPER_LEARNING_RATE && !ll_hyper_spec (*h)->is_flag && !ll_race_entry_fixes (entry, *h))
      fields[n++] = *h;
  return n;
}

/* A spin button's value for the hyperparameter: log10 where the table
 * says space is short (epsilon), the value itself otherwise. */
static double
to_spin (LlHyper h, double v)
{
  return ll_hyper_spec (h)->log_scale ? log10 (v) : v;
}

static double
from_spin (LlHyper h, double v)
{
  return ll_hyper_spec (h)->log_scale ? pow (10, v) : v;
}

/* ---- refreshing what is shown ---- */

static void
update_table (LlOptimizerView *self)
{
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      EntryRow *row = &self->rows[e];
      int reached = ll_race_get_steps_to_tolerance (self->race, e);
      guint n;
      const double *losses = ll_race_get_losses (self->race, e, &n);
      guint at = MIN ((guint) self->progress, n - 1);
      int shown = reached >= 0 && (double) reached <= self->progress ? reached : -1;
      char text[64];

      if (shown != row->shown_steps)
        {
          row->shown_steps = shown;
          if (shown >= 0)
            g_snprintf (text, sizeof text, "%d", shown);
          else
            g_snprintf (text, sizeof text, "%s",
                        ll_race_entry_diverged (self->race, e) && at == n - 1 ? "diverged" : "—");
          gtk_label_set_text (GTK_LABEL (row->steps_label), text);
        }
      if (losses[at] != row->shown_loss)
        {
          row->shown_loss = losses[at];
          g_snprintf (text, sizeof text, "%.4g", losses[at]);
          gtk_label_set_text (GTK_LABEL (row->loss_label), text);
        }
    }
}

/* What a screen reader hears of the map and the plot: each shown
 * optimizer's point and loss at this step. */
static void
describe_pictures (LlOptimizerView *self)
{
  GString *map = g_string_new (NULL), *plot = g_string_new (NULL);

  g_string_printf (map, _("Step %u."), (guint) self->progress);
  g_string_printf (plot, _("Loss per step, step %u."), (guint) self->progress);
  for (guint e = 0; self->race != NULL && e < LL_RACE_N_ENTRIES; e++)
    {
      guint n, np;
      const double *losses = ll_race_get_losses (self->race, e, &n);
      const float *path = ll_race_get_path (self->race, e, &np);
      guint at;

      if (!(self->visible_mask & (1u << e)) || n == 0 || np == 0)
        continue;
      at = MIN ((guint) self->progress, MIN (n, np) - 1);
      g_string_append_printf (map, _(" %s at (%.3g, %.3g), loss %.3g;"), ll_race_entry_name (e),
                              path[2 * at], path[2 * at + 1], losses[at]);
      g_string_append_printf (plot, _(" %s %.3g;"), ll_race_entry_name (e), losses[at]);
    }
  ll_a11y_describe (GTK_WIDGET (self->map), "%s", map->str);
  ll_a11y_describe (GTK_WIDGET (self->plot), "%s", plot->str);
  g_string_free (map, TRUE);
  g_string_free (plot, TRUE);
}

static void
refresh (LlOptimizerView *self)
{
  ll_contour_map_set_progress (self->map, self->progress);
  ll_step_plot_set_progress (self->plot, (guint) self->progress);
  update_table (self);
  describe_pictures (self);
}

static void
update_start_label (LlOptimizerView *self)
{
  double x, y;
  g_autofree char *text = NULL;

  ll_race_get_start (self->race, &x, &y);
  text = g_strdup_printf (_("Start (%.3g, %.3g): click the map to move it."), x, y);
  gtk_label_set_text (self->start_label, text);
}

static void
update_table_title (LlOptimizerView *self)
{
  g_autofree char *text = NULL;

  if (ll_surface_get_minima (ll_race_get_surface (self->race), NULL) == 0)
    text = g_strdup (_("Steps to a minimum: this surface has none in view"));
  else
    text = g_strdup_printf (_("Steps to within %.2g of a minimum"), ll_race_get_tolerance (self->race));
  gtk_label_set_text (self->table_title, text);
}

/* Writes the race's configs into the spin buttons. */
static void
sync_controls (LlOptimizerView *self)
{
  self->updating = TRUE;
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      const LlOptimConfig *cfg = ll_race_get_config (self->race, e);
      LlHyper fields[LL_N_HYPERS];
      guint n = hyper_fields (e, fields);

      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->rows[e].rate), cfg->learning_rate);
      for (guint i = 0; i < n; i++)
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->rows[e].hyper[i]),
                                   to_spin (fields[i], ll_hyper_get (cfg, fields[i])));
    }
  self->updating = FALSE;
}

static void
reset_rows (LlOptimizerView *self)
{
  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      self->rows[e].shown_steps = -2;
      self->rows[e].shown_loss = NAN;
    }
}

/* ---- playback ---- */

static void
advance_to (LlOptimizerView *self, double progress)
{
  guint target = (guint) MIN (ceil (progress), MAX_STEPS);

  while (ll_race_get_n_steps (self->race) < target && ll_race_step (self->race))
    ;
  self->progress = MIN (progress, MAX_STEPS);
}

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double dt = self->last_frame_time ? (now - self->last_frame_time) / 1e6 : 0;

  self->last_frame_time = now;
  /* After a stall (window hidden) resume smoothly rather than jump. */
  dt = MIN (dt, 0.1);
  advance_to (self, self->progress + gtk_range_get_value (self->speed_scale) * dt);
  refresh (self);
  if (self->progress >= MAX_STEPS)
    {
      self->tick_id = 0;
      gtk_button_set_icon_name (self->play_button, "media-playback-start-symbolic");
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
set_playing (LlOptimizerView *self, gboolean playing)
{
  if (playing == (self->tick_id != 0))
    return;
  if (playing)
    {
      if (self->progress >= MAX_STEPS)
        {
          ll_race_reset (self->race);
          self->progress = 0;
          reset_rows (self);
        }
      self->last_frame_time = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
    }
  else
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
}

static void
restart (LlOptimizerView *self)
{
  self->progress = 0;
  reset_rows (self);
  refresh (self);
  update_start_label (self);
}

/* ---- surfaces ---- */

static void
use_surface (LlOptimizerView *self, LlSurface *surface)
{
  LlRace *old = self->race;

  self->race = ll_race_new (surface, MAX_STEPS);
  ll_contour_map_set_race (self->map, self->race);
  ll_step_plot_set_race (self->plot, self->race);
  g_clear_pointer (&old, ll_race_free);
  sync_controls (self);
  update_table_title (self);
  restart (self);
}

static void
select_builtin (LlOptimizerView *self, LlSurfaceKind kind)
{
  g_autoptr (LlSurface) surface = ll_surface_new (kind);

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->surface_dropdown, kind);
  self->updating = FALSE;
  use_surface (self, surface);
}

static void
on_surface_selected (LlOptimizerView *self)
{
  guint i = gtk_drop_down_get_selected (self->surface_dropdown);

  if (self->updating || i == GTK_INVALID_LIST_POSITION)
    return;
  if (i < LL_SURFACE_EXPRESSION)
    {
      g_autoptr (LlSurface) surface = ll_surface_new (i);
      use_surface (self, surface);
    }
  else if (i == LL_SURFACE_GRID && self->landscape != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->expression_error), FALSE);
      use_surface (self, self->landscape);
    }
  else if (i == LL_SURFACE_GRID)
    return;
  else if (self->expression != NULL)
    use_surface (self, self->expression);
  else
    {
      gtk_label_set_text (self->expression_error, _("Type a loss in x and y above, e.g. x^2 + 3*y^2."));
      gtk_widget_set_visible (GTK_WIDGET (self->expression_error), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->expression_entry));
    }
}

static void
on_expression_changed (LlOptimizerView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->expression_entry));
  g_autoptr (GError) error = NULL;
  LlSurface *surface;

  if (self->updating)
    return;
  if (*text == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->expression_error), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->expression_entry), "error");
      return;
    }
  surface = ll_surface_new_expression (text, &error);
  if (surface == NULL)
    {
      gtk_label_set_text (self->expression_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->expression_error), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->expression_entry), "error");
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->expression_error), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->expression_entry), "error");
  g_clear_pointer (&self->expression, ll_surface_unref);
  self->expression = surface;

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->surface_dropdown, LL_SURFACE_EXPRESSION);
  self->updating = FALSE;
  use_surface (self, surface);
}

/* ---- per-optimizer controls ---- */

static void
apply_config (LlOptimizerView *self, guint entry)
{
  LlOptimConfig cfg = *ll_race_get_config (self->race, entry);
  g_autoptr (GError) error = NULL;
  LlHyper fields[LL_N_HYPERS];
  guint n = hyper_fields (entry, fields);

  cfg.learning_rate = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->rows[entry].rate));
  for (guint i = 0; i < n; i++)
    ll_hyper_set (&cfg, fields[i],
                  from_spin (fields[i], gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->rows[entry].hyper[i]))));
  if (!ll_race_set_config (self->race, entry, &cfg, &error))
    {
      gtk_label_set_text (self->status_label, error->message);
      sync_controls (self);
      return;
    }
  gtk_label_set_text (self->status_label, "");
  restart (self);
}

static void
on_config_changed (GtkSpinButton *spin, LlOptimizerView *self)
{
  if (!self->updating)
    apply_config (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "entry")));
}

static void
on_visible_toggled (GtkCheckButton *check, LlOptimizerView *self)
{
  guint e = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "entry"));

  if (gtk_check_button_get_active (check))
    self->visible_mask |= 1u << e;
  else
    self->visible_mask &= ~(1u << e);
  ll_contour_map_set_visible_mask (self->map, self->visible_mask);
  ll_step_plot_set_visible_mask (self->plot, self->visible_mask);
}

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  const GdkRGBA *color = data;

  cairo_arc (cr, w / 2.0, h / 2.0, MIN (w, h) / 2.0 - 1, 0, 2 * G_PI);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

/* A spin button for a hyperparameter, with its range and precision from
 * the table (in log10 steps of 1 where the table says log scale). */
static GtkWidget *
make_spin (LlOptimizerView *self, guint entry, LlHyper h)
{
  const LlHyperSpec *spec = ll_hyper_spec (h);
  gboolean log_scale = spec->log_scale;
  double lower, upper;
  GtkWidget *spin;

  ll_hyper_form_range (h, &lower, &upper);
  if (log_scale)
    spin = gtk_spin_button_new_with_range (ceil (log10 (lower)), floor (log10 (upper)), 1);
  else
    spin = gtk_spin_button_new_with_range (lower, upper, spec->step);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), log_scale ? 0 : spec->digits);
  g_object_set_data (G_OBJECT (spin), "entry", GUINT_TO_POINTER (entry));
  g_signal_connect (spin, "value-changed", G_CALLBACK (on_config_changed), self);
  return spin;
}

static void
build_rows (LlOptimizerView *self)
{
  GtkWidget *header;

  header = gtk_label_new (_("Learning rate"));
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_add_css_class (header, "caption");
  gtk_grid_attach (self->optim_grid, header, 2, 0, 1, 1);

  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    {
      EntryRow *row = &self->rows[e];
      GtkWidget *swatch = gtk_drawing_area_new ();
      GtkWidget *menu = gtk_menu_button_new ();
      GtkWidget *popover = gtk_popover_new ();
      GtkWidget *grid = gtk_grid_new ();
      LlHyper fields[LL_N_HYPERS];
      guint n = hyper_fields (e, fields);
      g_autofree char *tip = g_strdup_printf (_("%s: other hyperparameters"), ll_race_entry_name (e));

      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 14);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 14);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, &self->colors[e], NULL);
      gtk_grid_attach (self->optim_grid, swatch, 0, e + 1, 1, 1);

      row->visible = gtk_check_button_new_with_label (ll_race_entry_name (e));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (row->visible), TRUE);
      gtk_widget_set_hexpand (row->visible, TRUE);
      g_object_set_data (G_OBJECT (row->visible), "entry", GUINT_TO_POINTER (e));
      g_signal_connect (row->visible, "toggled", G_CALLBACK (on_visible_toggled), self);
      gtk_grid_attach (self->optim_grid, row->visible, 1, e + 1, 1, 1);

      row->rate = make_spin (self, e, LL_HYPER_LEARNING_RATE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->rate), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Learning rate"), -1);
      gtk_grid_attach (self->optim_grid, row->rate, 2, e + 1, 1, 1);

      gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
      gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
      if (n == 0)
        {
          g_autofree char *text = g_strdup_printf (_("%s has only its learning rate."),
                                                   ll_race_entry_name (e));
          GtkWidget *label = gtk_label_new (text);
          gtk_grid_attach (GTK_GRID (grid), label, 0, 0, 2, 1);
        }
      for (guint i = 0; i < n; i++)
        {
          const LlHyperSpec *spec = ll_hyper_spec (fields[i]);
          g_autofree char *text = spec->log_scale ? g_strdup_printf (_("log₁₀ %s"), _(spec->label))
                                                  : g_strdup (_(spec->label));
          GtkWidget *label = gtk_label_new (text);

          gtk_widget_set_halign (label, GTK_ALIGN_START);
          gtk_widget_set_tooltip_text (label, _(spec->tooltip));
          row->hyper[i] = make_spin (self, e, fields[i]);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row->hyper[i]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          text, -1);
          gtk_widget_set_tooltip_text (row->hyper[i], _(spec->tooltip));
          gtk_grid_attach (GTK_GRID (grid), label, 0, i, 1, 1);
          gtk_grid_attach (GTK_GRID (grid), row->hyper[i], 1, i, 1, 1);
        }
      gtk_popover_set_child (GTK_POPOVER (popover), grid);
      gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), popover);
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "emblem-system-symbolic");
      gtk_widget_set_tooltip_text (menu, tip);
      gtk_widget_set_sensitive (menu, n > 0);
      gtk_grid_attach (self->optim_grid, menu, 3, e + 1, 1, 1);

      /* Table on the right. */
      {
        GtkWidget *name = gtk_label_new (ll_race_entry_name (e));
        GtkWidget *dot = gtk_drawing_area_new ();

        gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (dot), 10);
        gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (dot), 10);
        gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
        gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (dot), draw_swatch, &self->colors[e], NULL);
        gtk_grid_attach (self->table_grid, dot, 0, e + 1, 1, 1);
        gtk_widget_set_halign (name, GTK_ALIGN_START);
        gtk_widget_set_hexpand (name, TRUE);
        gtk_grid_attach (self->table_grid, name, 1, e + 1, 1, 1);
        row->steps_label = gtk_label_new ("—");
        gtk_widget_set_halign (row->steps_label, GTK_ALIGN_END);
        gtk_widget_add_css_class (row->steps_label, "numeric");
        gtk_grid_attach (self->table_grid, row->steps_label, 2, e + 1, 1, 1);
        row->loss_label = gtk_label_new ("");
        gtk_widget_set_halign (row->loss_label, GTK_ALIGN_END);
        gtk_widget_add_css_class (row->loss_label, "numeric");
        gtk_grid_attach (self->table_grid, row->loss_label, 3, e + 1, 1, 1);
      }
    }

  {
    static const char *const heads[] = { N_("Optimizer"), N_("Steps"), N_("Loss now") };
    for (guint i = 0; i < G_N_ELEMENTS (heads); i++)
      {
        GtkWidget *label = gtk_label_new (_(heads[i]));
        gtk_widget_add_css_class (label, "dim-label");
        gtk_widget_add_css_class (label, "caption");
        gtk_widget_set_halign (label, i == 0 ? GTK_ALIGN_START : GTK_ALIGN_END);
        gtk_grid_attach (self->table_grid, label, i + (i > 0), 0, 1 + (i == 0), 1);
      }
  }
}

/* ---- actions ---- */

static void
action_play (GtkWidget *widget, const char *name, GVariant *param)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (widget);
  set_playing (self, self->tick_id == 0);
}

/* The Step button: every optimizer one step further, paused. */
static void
step_once (LlOptimizerView *self)
{
  set_playing (self, FALSE);
  advance_to (self, floor (self->progress) + 1);
  refresh (self);
}

static void
action_step (GtkWidget *widget, const char *name, GVariant *param)
{
  step_once (LL_OPTIMIZER_VIEW (widget));
}

static void
action_reset (GtkWidget *widget, const char *name, GVariant *param)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (widget);

  set_playing (self, FALSE);
  ll_race_reset (self->race);
  restart (self);
}

static void
action_preset (GtkWidget *widget, const char *name, GVariant *param)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (widget);
  int preset = g_variant_get_int32 (param);

  set_playing (self, FALSE);
  switch (preset)
    {
    case 0:
      /* A hair off the axis: plain SGD lingers at the saddle point while
       * momentum and the adaptive methods leave early. */
      select_builtin (self, LL_SURFACE_SADDLE);
      ll_race_set_start (self->race, -1.8, 1e-3);
      gtk_range_set_value (self->speed_scale, 20);
      break;
    case 1:
      select_builtin (self, LL_SURFACE_BEALE);
      ll_race_set_start (self->race, 1, 1.5);
      gtk_range_set_value (self->speed_scale, 60);
      break;
    default:
      select_builtin (self, LL_SURFACE_ROSENBROCK);
      ll_race_set_start (self->race, -1.2, 1);
      gtk_range_set_value (self->speed_scale, 160);
      break;
    }
  restart (self);
  set_playing (self, TRUE);
}

static void
on_aspect_toggled (LlOptimizerView *self)
{
  ll_contour_map_set_equal_aspect (self->map, gtk_check_button_get_active (self->aspect_check));
}

static void
on_start_picked (LlContourMap *map, double x, double y, LlOptimizerView *self)
{
  ll_race_set_start (self->race, x, y);
  restart (self);
  set_playing (self, TRUE);
}

/* Long format, one row per optimizer and step, in step order: what a
 * spreadsheet or pandas pivots most easily.  Diverged paths just end. */
gboolean
ll_optimizer_view_export_csv (LlOptimizerView *self, const char *path, GError **error)
{
  g_autoptr (GString) csv = g_string_new ("step,optimizer,x,y,loss\n");
  guint steps;

  g_return_val_if_fail (LL_IS_OPTIMIZER_VIEW (self), FALSE);

  steps = MIN ((guint) self->progress, ll_race_get_n_steps (self->race));
  for (guint i = 0; i <= steps; i++)
    for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
      {
        guint n;
        const float *p = ll_race_get_path (self->race, e, &n);
        const double *l = ll_race_get_losses (self->race, e, NULL);
        char buf[3][G_ASCII_DTOSTR_BUF_SIZE];

        if (i >= n)
          continue;
        g_string_append_printf (csv, "%u,%s,%s,%s,%s\n", i, ll_race_entry_name (e),
                                g_ascii_formatd (buf[0], sizeof buf[0], "%.9g", p[2 * i]),
                                g_ascii_formatd (buf[1], sizeof buf[1], "%.9g", p[2 * i + 1]),
                                g_ascii_formatd (buf[2], sizeof buf[2], "%.10g", l[i]));
      }
  return g_file_set_contents (path, csv->str, csv->len, error);
}

static void
export_size (LlOptimizerView *self, int *w, int *h)
{
  *w = MAX (gtk_widget_get_width (GTK_WIDGET (self->map)), 800);
  *h = MAX (gtk_widget_get_height (GTK_WIDGET (self->map)), 600);
}

gboolean
ll_optimizer_view_export_png (LlOptimizerView *self, const char *path, GError **error)
{
  int w, h;

  g_return_val_if_fail (LL_IS_OPTIMIZER_VIEW (self), FALSE);
  export_size (self, &w, &h);
  return ll_contour_map_export_png (self->map, path, w, h, error);
}

gboolean
ll_optimizer_view_export_svg (LlOptimizerView *self, const char *path, GError **error)
{
  int w, h;

  g_return_val_if_fail (LL_IS_OPTIMIZER_VIEW (self), FALSE);
  export_size (self, &w, &h);
  return ll_contour_map_export_svg (self->map, path, w, h, error);
}

typedef enum { EXPORT_PNG, EXPORT_SVG, EXPORT_CSV } ExportKind;

static void
on_export_response (GtkNativeDialog *dialog, int response, LlOptimizerView *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr (GError) error = NULL;
      g_autofree char *message = NULL;
      gboolean ok;

      if (kind == EXPORT_PNG)
        ok = ll_optimizer_view_export_png (self, path, &error);
      else if (kind == EXPORT_SVG)
        ok = ll_optimizer_view_export_svg (self, path, &error);
      else
        ok = ll_optimizer_view_export_csv (self, path, &error);
      message = ok ? g_strdup_printf (_("Saved %s"), path) : g_strdup (error->message);
      gtk_label_set_text (self->status_label, message);
    }
  g_clear_object (&self->chooser);
}

static void
export (LlOptimizerView *self, ExportKind kind)
{
  static const char *const titles[] = { N_("Export Map as PNG"), N_("Export Map as SVG"), N_("Export Paths as CSV") };
  static const char *const names[] = { "optimizers.png", "optimizers.svg", "optimizer-paths.csv" };
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_(titles[kind]), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), names[kind]);
  g_object_set_data (G_OBJECT (chooser), "kind", GINT_TO_POINTER (kind));
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  export (LL_OPTIMIZER_VIEW (widget),
          g_str_equal (name, "optimizers.export-png") ? EXPORT_PNG
          : g_str_equal (name, "optimizers.export-svg") ? EXPORT_SVG : EXPORT_CSV);
}

/* ---- loss landscape ---- */

typedef struct {
  LlModel *model;                 /* a copy: training may go on meanwhile */
  LlLossKind loss;
  char *dataset;
  char *data_dir;
  int *rows;                      /* the view's landscape_rows */
  GCancellable *cancel;
} LandscapeJob;

static void
landscape_job_free (LandscapeJob *job)
{
  ll_model_free (job->model);
  g_free (job->dataset);
  g_free (job->data_dir);
  g_clear_object (&job->cancel);
  g_free (job);
}

static void
landscape_progress (int done, int total, gpointer data)
{
  LandscapeJob *job = data;

  g_atomic_int_set (job->rows, done);
}

static void
on_landscape_cancelled (GCancellable *cancellable, LlControl *control)
{
  ll_control_cancel (control);
}

static void
landscape_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  LandscapeJob *job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LlDataset) all = NULL;
  g_autoptr (LlDataset) ds = NULL;
  g_autoptr (LlLandscape) ls = NULL;
  LlControl control = { 0 };
  gulong id;
  double *grid;

  all = ll_dataset_load_named (job->dataset, job->data_dir, TRUE, &error);
  if (all == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The first images of the test split: a fixed subset, so that two
   * landscapes of the same weights agree. */
  ds = ll_dataset_slice (all, 0, MIN (all->n, LANDSCAPE_IMAGES));
  ls = ll_landscape_new (job->model, 1, &error);
  if (ls == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id = g_cancellable_connect (cancel, G_CALLBACK (on_landscape_cancelled), &control, NULL);
  grid = ll_landscape_evaluate (ls, job->model, ds, job->loss, LANDSCAPE_SPAN, LANDSCAPE_N,
                                landscape_progress, job, &control, &error);
  g_cancellable_disconnect (cancel, id);
  if (grid == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, grid, g_free);
}

static void
landscape_stop_ui (LlOptimizerView *self)
{
  g_clear_handle_id (&self->landscape_poll, g_source_remove);
  g_clear_object (&self->landscape_cancel);
  gtk_widget_set_visible (GTK_WIDGET (self->landscape_progress), FALSE);
  gtk_button_set_label (self->landscape_button, _("Loss landscape of the model"));
}

static void
landscape_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LlOptimizerView *self = data;
  g_autoptr (GError) error = NULL;
  g_autofree double *grid = g_task_propagate_pointer (G_TASK (result), &error);

  /* Disposed meanwhile (the window closed): its children are gone. */
  if (self->landscape_cancel == NULL)
    {
      g_object_unref (self);
      return;
    }
  landscape_stop_ui (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->status_label, _("Loss landscape cancelled."));
  else if (grid == NULL)
    gtk_label_set_text (self->status_label, error->message);
  else
    {
      g_autofree char *title = self->document != NULL ? ll_document_dup_title (self->document)
                                                      : g_strdup (_("the model"));
      /* Translators: the Surface list's entry of a computed landscape. */
      g_autofree char *name = g_strdup_printf (_("Loss landscape of %s (%d test images)"), title,
                                               LANDSCAPE_IMAGES);
      g_autoptr (LlSurface) surface = ll_surface_new_grid (name, grid, LANDSCAPE_N, LANDSCAPE_SPAN);
      GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (self->surface_dropdown));
      const char *const item[] = { name, NULL };

      set_playing (self, FALSE);
      /* The slice is only known on its square: stretch it to the map
       * rather than widen it into the unknown. */
      gtk_check_button_set_active (self->aspect_check, FALSE);
      /* The landscape names itself in the Surface list (its own entry,
       * after "Your expression"), so the list never reads "(None)". */
      g_clear_pointer (&self->landscape, ll_surface_unref);
      self->landscape = ll_surface_ref (surface);
      self->updating = TRUE;
      gtk_string_list_splice (list, LL_SURFACE_GRID,
                              g_list_model_get_n_items (G_LIST_MODEL (list)) - LL_SURFACE_GRID, item);
      gtk_drop_down_set_selected (self->surface_dropdown, LL_SURFACE_GRID);
      self->updating = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (self->expression_error), FALSE);
      use_surface (self, surface);
      gtk_label_set_text (self->status_label,
                          _("Centre (the ring): the model's weights now; axes: two random "
                          "filter-normalised directions.  Play to race the optimizers on this slice."));
    }
  g_object_unref (self);
}

static gboolean
landscape_poll (gpointer data)
{
  LlOptimizerView *self = data;
  int rows = g_atomic_int_get (&self->landscape_rows);
  double elapsed = (g_get_monotonic_time () - self->landscape_start) / 1e6;
  g_autofree char *text = NULL;

  /* Rows of the grid so far, and the time left at this pace. */
  if (rows > 0 && rows < LANDSCAPE_N)
    text = g_strdup_printf (_("Row %d of %d · about %.0f s left · Cancel stops"), rows, LANDSCAPE_N,
                            elapsed / rows * (LANDSCAPE_N - rows));
  else
    text = g_strdup_printf (_("Row %d of %d · Cancel stops"), rows, LANDSCAPE_N);

  gtk_progress_bar_set_fraction (self->landscape_progress, (double) rows / LANDSCAPE_N);
  gtk_progress_bar_set_text (self->landscape_progress, text);
  return G_SOURCE_CONTINUE;
}

static void
action_landscape (GtkWidget *widget, const char *name, GVariant *param)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (widget);
  LlModel *model = self->document != NULL ? ll_document_get_model (self->document) : NULL;
  g_autoptr (GTask) task = NULL;
  LandscapeJob *job;
  const char *dataset;

  if (self->landscape_cancel != NULL)
    {
      g_cancellable_cancel (self->landscape_cancel);
      return;
    }
  if (model == NULL)
    {
      gtk_label_set_text (self->status_label,
                          _("No model to map: build a valid one in the Model view first."));
      return;
    }
  dataset = ll_document_get_dataset (self->document);
  job = g_new0 (LandscapeJob, 1);
  job->model = ll_model_copy (model);
  job->loss = ll_document_get_config (self->document)->loss;
  job->dataset = g_strdup (dataset != NULL ? dataset : "mnist");
  job->data_dir = ll_dup_data_dir (NULL);   /* where the other views look */
  job->rows = &self->landscape_rows;
  self->landscape_cancel = g_cancellable_new ();
  job->cancel = g_object_ref (self->landscape_cancel);
  g_atomic_int_set (&self->landscape_rows, 0);
  self->landscape_start = g_get_monotonic_time ();

  task = g_task_new (NULL, self->landscape_cancel, landscape_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) landscape_job_free);
  g_task_run_in_thread (task, landscape_thread);

  gtk_button_set_label (self->landscape_button, _("Cancel"));
  gtk_progress_bar_set_fraction (self->landscape_progress, 0);
  gtk_progress_bar_set_text (self->landscape_progress, _("Evaluating the loss…"));
  gtk_widget_set_visible (GTK_WIDGET (self->landscape_progress), TRUE);
  gtk_label_set_text (self->status_label, "");
  self->landscape_poll = g_timeout_add (100, landscape_poll, self);
}

/* ---- life cycle ---- */

static void
ll_optimizer_view_unmap (GtkWidget *widget)
{
  /* A hidden view does not animate. */
  set_playing (LL_OPTIMIZER_VIEW (widget), FALSE);
  GTK_WIDGET_CLASS (ll_optimizer_view_parent_class)->unmap (widget);
}

/* The landscape mode maps the document's model. */
static void
ll_optimizer_view_document_set (LlView *view, LlDocument *old)
{
  LL_OPTIMIZER_VIEW (view)->document = ll_view_get_document (view);
}

static void
ll_optimizer_view_dispose (GObject *object)
{
  LlOptimizerView *self = LL_OPTIMIZER_VIEW (object);

  if (self->landscape_cancel != NULL)
    {
      /* The task holds a reference to the view, so dispose runs only
       * after it finished or from an explicit destroy: stop the worker. */
      g_cancellable_cancel (self->landscape_cancel);
      g_clear_object (&self->landscape_cancel);
      g_clear_handle_id (&self->landscape_poll, g_source_remove);
    }
  self->document = NULL;
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  if (self->map != NULL)
    ll_contour_map_set_race (self->map, NULL);
  if (self->plot != NULL)
    ll_step_plot_set_race (self->plot, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_OPTIMIZER_VIEW);
  g_clear_pointer (&self->race, ll_race_free);
  g_clear_pointer (&self->expression, ll_surface_unref);
  g_clear_pointer (&self->landscape, ll_surface_unref);
  G_OBJECT_CLASS (ll_optimizer_view_parent_class)->dispose (object);
}

static void
ll_optimizer_view_class_init (LlOptimizerViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_optimizer_view_dispose;
  view_class->document_set = ll_optimizer_view_document_set;
  widget_class->unmap = ll_optimizer_view_unmap;

  g_type_ensure (LL_TYPE_CONTOUR_MAP);
  g_type_ensure (LL_TYPE_STEP_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-optimizer-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, surface_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, expression_entry);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, expression_error);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, play_button);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, speed_scale);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, start_label);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, aspect_check);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, landscape_button);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, landscape_progress);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, optim_grid);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, map);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, plot);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, table_title);
  gtk_widget_class_bind_template_child (widget_class, LlOptimizerView, table_grid);

  gtk_widget_class_install_action (widget_class, "optimizers.play", NULL, action_play);
  gtk_widget_class_install_action (widget_class, "optimizers.step", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "optimizers.reset", NULL, action_reset);
  gtk_widget_class_install_action (widget_class, "optimizers.preset", "i", action_preset);
  gtk_widget_class_install_action (widget_class, "optimizers.export-png", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "optimizers.export-svg", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "optimizers.landscape", NULL, action_landscape);
  gtk_widget_class_install_action (widget_class, "optimizers.export-csv", NULL, action_export);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "optimizers.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "optimizers.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, 0, "optimizers.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "optimizers.reset", NULL);

  gtk_widget_class_set_css_name (widget_class, "optimizerview");
}

static void
ll_optimizer_view_init (LlOptimizerView *self)
{
  g_autoptr (LlSurface) bowl = NULL;
  const char *demo = g_getenv ("LL_OPTIMIZER_DEMO");

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint e = 0; e < LL_RACE_N_ENTRIES; e++)
    gdk_rgba_parse (&self->colors[e], palette[e]);
  self->visible_mask = (1u << LL_RACE_N_ENTRIES) - 1;
  ll_contour_map_set_colors (self->map, self->colors);
  ll_step_plot_set_colors (self->plot, self->colors);
  build_rows (self);

  g_signal_connect_swapped (self->surface_dropdown, "notify::selected",
                            G_CALLBACK (on_surface_selected), self);
  g_signal_connect_swapped (self->expression_entry, "changed",
                            G_CALLBACK (on_expression_changed), self);
  g_signal_connect (self->map, "start-picked", G_CALLBACK (on_start_picked), self);
  g_signal_connect_swapped (self->aspect_check, "toggled", G_CALLBACK (on_aspect_toggled), self);

  bowl = ll_surface_new (LL_SURFACE_BOWL);
  use_surface (self, bowl);

  /* LL_OPTIMIZER_DEMO=N (tools/screenshots.sh): the race already N steps
   * in, stepped as the Step button does, so that a screenshot shows paths. */
  if (demo != NULL)
    {
      guint64 n = 0;
      if (g_ascii_string_to_unsigned (demo, 10, 0, MAX_STEPS, &n, NULL))
        for (guint64 i = 0; i < n; i++)
          step_once (self);
      else
        g_warning ("LL_OPTIMIZER_DEMO=%s: give a number of steps from 0 to %d", demo, MAX_STEPS);
    }
}

/* ---- API (tests, other views) ---- */

LlRace *
ll_optimizer_view_get_race (LlOptimizerView *self)
{
  g_return_val_if_fail (LL_IS_OPTIMIZER_VIEW (self), NULL);
  return self->race;
}

void
ll_optimizer_view_set_surface (LlOptimizerView *self, LlSurface *surface)
{
  g_return_if_fail (LL_IS_OPTIMIZER_VIEW (self));
  g_return_if_fail (surface != NULL);

  set_playing (self, FALSE);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->surface_dropdown,
                              ll_surface_get_kind (surface) == LL_SURFACE_GRID && self->landscape == surface
                              ? LL_SURFACE_GRID : MIN (ll_surface_get_kind (surface), LL_SURFACE_EXPRESSION));
  self->updating = FALSE;
  use_surface (self, surface);
}

void
ll_optimizer_view_set_start (LlOptimizerView *self, double x, double y)
{
  g_return_if_fail (LL_IS_OPTIMIZER_VIEW (self));

  set_playing (self, FALSE);
  ll_race_set_start (self->race, x, y);
  restart (self);
}

double
ll_optimizer_view_get_progress (LlOptimizerView *self)
{
  g_return_val_if_fail (LL_IS_OPTIMIZER_VIEW (self), 0);
  return self->progress;
}
