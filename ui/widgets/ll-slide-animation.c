/* ll-slide-animation.c: the sliding window, step by step (see
 * ll-slide-animation.h).  A timeout at the chosen speed steps while
 * playing; everything else is two number grids and their outlines. */
#include "config.h"

#include "ll-slide-animation.h"

#include "ll-number-grid.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

static const double speeds[] = { 1, 2, 5, 20, 60 };
#define DEFAULT_SPEED 1                 /* index: 2 windows per second */

struct _LlSlideAnimation
{
  GtkBox parent_instance;

  GtkButton *play, *step, *restart, *finish;
  GtkDropDown *speed_dropdown;
  GtkLabel *position_label, *input_caption, *output_caption, *arithmetic;
  LlNumberGrid *input_grid, *output_grid;

  LlWindowAxis axes[2];
  float *outputs;
  int n_positions, position;
  double speed;
  guint timeout_id;
};

enum { SIGNAL_POSITION_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlSlideAnimation, ll_slide_animation, GTK_TYPE_BOX)

/* The window of output position p in the padded input's coordinates. */
static void
window_rect (LlSlideAnimation *self, int p, int *r)
{
  int oy = p / self->axes[1].out, ox = p % self->axes[1].out;

  r[0] = oy * self->axes[0].s;
  r[1] = ox * self->axes[1].s;
  r[2] = r[0] + self->axes[0].k;
  r[3] = r[1] + self->axes[1].k;
}

static void
update (LlSlideAnimation *self)
{
  int cur[4], next[4];
  g_autofree char *text = NULL;

  if (self->n_positions == 0)
    return;
  if (self->position > 0)
    {
      window_rect (self, self->position - 1, cur);
      ll_number_grid_set_window (self->input_grid, cur[0], cur[1], cur[2], cur[3]);
      ll_number_grid_set_marked (self->output_grid, (self->position - 1) / self->axes[1].out,
                                 (self->position - 1) % self->axes[1].out);
    }
  else
    {
      ll_number_grid_set_window (self->input_grid, 0, 0, 0, 0);
      ll_number_grid_set_marked (self->output_grid, -1, -1);
    }
  if (self->position < self->n_positions)
    {
      window_rect (self, self->position, next);
      ll_number_grid_set_next_window (self->input_grid, next[0], next[1], next[2], next[3]);
    }
  else
    ll_number_grid_set_next_window (self->input_grid, 0, 0, 0, 0);
  ll_number_grid_set_revealed (self->output_grid, self->position);

  if (self->position == 0)
    text = g_strdup_printf (_("%d windows to compute"), self->n_positions);
  else
    text = g_strdup_printf (_("Window %d of %d: output row %d, column %d"), self->position,
                            self->n_positions, (self->position - 1) / self->axes[1].out,
                            (self->position - 1) % self->axes[1].out);
  gtk_label_set_text (self->position_label, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->step), self->position < self->n_positions);
  gtk_widget_set_sensitive (GTK_WIDGET (self->finish), self->position < self->n_positions);
  gtk_widget_set_sensitive (GTK_WIDGET (self->play), self->position < self->n_positions
                                                     || self->timeout_id != 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->restart), self->position > 0);
}

static void
emit_position (LlSlideAnimation *self)
{
  int p = self->position - 1;

  if (p < 0)
    g_signal_emit (self, signals[SIGNAL_POSITION_CHANGED], 0, -1, -1);
  else
    g_signal_emit (self, signals[SIGNAL_POSITION_CHANGED], 0, p / self->axes[1].out,
                   p % self->axes[1].out);
}

static void
set_playing_look (LlSlideAnimation *self, gboolean playing)
{
  gtk_button_set_icon_name (self->play, playing ? "media-playback-pause-symbolic"
                                                : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play), playing ? _("Pause") : _("Play: slide the window"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  playing ? _("Pause") : _("Play"), -1);
}

static gboolean
on_tick (gpointer data)
{
  LlSlideAnimation *self = data;

  if (self->position >= self->n_positions)
    {
      self->timeout_id = 0;
      set_playing_look (self, FALSE);
      update (self);
      return G_SOURCE_REMOVE;
    }
  self->position++;
  update (self);
  emit_position (self);
  return G_SOURCE_CONTINUE;
}

static void
stop_timer (LlSlideAnimation *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
}

static void
start_timer (LlSlideAnimation *self)
{
  stop_timer (self);
  self->timeout_id = g_timeout_add ((guint) MAX (1000.0 / self->speed, 1), on_tick, self);
}

void
ll_slide_animation_play (LlSlideAnimation *self)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  if (self->n_positions == 0 || self->timeout_id != 0)
    return;
  if (self->position >= self->n_positions)
    {
      /* Played to the end: play again from the start. */
      self->position = 0;
      update (self);
      emit_position (self);
    }
  start_timer (self);
  set_playing_look (self, TRUE);
  update (self);
}

void
ll_slide_animation_pause (LlSlideAnimation *self)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  stop_timer (self);
  set_playing_look (self, FALSE);
  update (self);
}

void
ll_slide_animation_step (LlSlideAnimation *self)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  ll_slide_animation_pause (self);
  if (self->position >= self->n_positions)
    return;
  self->position++;
  update (self);
  emit_position (self);
}

void
ll_slide_animation_restart (LlSlideAnimation *self)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  ll_slide_animation_pause (self);
  self->position = 0;
  update (self);
  emit_position (self);
}

void
ll_slide_animation_finish (LlSlideAnimation *self)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  ll_slide_animation_pause (self);
  if (self->position == self->n_positions)
    return;
  self->position = self->n_positions;
  update (self);
  emit_position (self);
}

static void
on_play_clicked (GtkButton *button, LlSlideAnimation *self)
{
  if (self->timeout_id != 0)
    ll_slide_animation_pause (self);
  else
    ll_slide_animation_play (self);
}

static void
on_speed_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlSlideAnimation *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (i < G_N_ELEMENTS (speeds))
    ll_slide_animation_set_speed (self, speeds[i]);
}

static GtkButton *
icon_button (const char *icon, const char *tooltip, const char *name)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (b, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return GTK_BUTTON (b);
}

static GtkWidget *
map_box (GtkLabel **caption, LlNumberGrid **grid)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

  *caption = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (*caption, 0);
  gtk_label_set_wrap (*caption, TRUE);
  gtk_label_set_max_width_chars (*caption, 30);
  gtk_widget_add_css_class (GTK_WIDGET (*caption), "dim-label");
  *grid = LL_NUMBER_GRID (ll_number_grid_new ());
  gtk_widget_set_halign (GTK_WIDGET (*grid), GTK_ALIGN_START);
  gtk_widget_set_valign (GTK_WIDGET (*grid), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*caption));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*grid));
  return box;
}

static void
ll_slide_animation_dispose (GObject *object)
{
  LlSlideAnimation *self = LL_SLIDE_ANIMATION (object);

  stop_timer (self);
  G_OBJECT_CLASS (ll_slide_animation_parent_class)->dispose (object);
}

static void
ll_slide_animation_finalize (GObject *object)
{
  LlSlideAnimation *self = LL_SLIDE_ANIMATION (object);

  g_free (self->outputs);
  G_OBJECT_CLASS (ll_slide_animation_parent_class)->finalize (object);
}

static void
ll_slide_animation_class_init (LlSlideAnimationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ll_slide_animation_dispose;
  object_class->finalize = ll_slide_animation_finalize;
  /* (row, col) of the output unit just computed; (−1, −1) after a restart. */
  signals[SIGNAL_POSITION_CHANGED] =
    g_signal_new ("position-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "slideanimation");
}

static void
ll_slide_animation_init (LlSlideAnimation *self)
{
  GtkWidget *controls = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *maps = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *arrow;
  GtkStringList *speed_names = gtk_string_list_new (NULL);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 8);

  self->play = icon_button ("media-playback-start-symbolic", _("Play: slide the window"), _("Play"));
  self->step = icon_button ("go-next-symbolic", _("One window further"), _("Step"));
  self->restart = icon_button ("media-skip-backward-symbolic", _("Start again with an empty output"),
                               _("Restart"));
  self->finish = icon_button ("media-skip-forward-symbolic", _("Compute every remaining window at once"),
                              _("Finish"));
  g_signal_connect (self->play, "clicked", G_CALLBACK (on_play_clicked), self);
  g_signal_connect_swapped (self->step, "clicked", G_CALLBACK (ll_slide_animation_step), self);
  g_signal_connect_swapped (self->restart, "clicked", G_CALLBACK (ll_slide_animation_restart), self);
  g_signal_connect_swapped (self->finish, "clicked", G_CALLBACK (ll_slide_animation_finish), self);
  for (gsize i = 0; i < G_N_ELEMENTS (speeds); i++)
    {
      g_autofree char *name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%g window per second",
                                                            "%g windows per second",
                                                            (gulong) speeds[i]), speeds[i]);
      gtk_string_list_append (speed_names, name);
    }
  self->speed_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (speed_names), NULL));
  gtk_drop_down_set_selected (self->speed_dropdown, DEFAULT_SPEED);
  self->speed = speeds[DEFAULT_SPEED];
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speed_dropdown), _("Speed of the animation"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->speed_dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Speed"), -1);
  g_signal_connect (self->speed_dropdown, "notify::selected", G_CALLBACK (on_speed_selected), self);
  self->position_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->position_label, 0);
  gtk_label_set_wrap (self->position_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->position_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->position_label), "numeric");

  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->play));
  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->step));
  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->restart));
  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->finish));
  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->speed_dropdown));
  gtk_box_append (GTK_BOX (controls), GTK_WIDGET (self->position_label));

  gtk_box_append (GTK_BOX (maps), map_box (&self->input_caption, &self->input_grid));
  arrow = gtk_label_new ("→");
  gtk_widget_add_css_class (arrow, "title-1");
  gtk_widget_set_valign (arrow, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (maps), arrow);
  gtk_box_append (GTK_BOX (maps), map_box (&self->output_caption, &self->output_grid));
  self->arithmetic = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->arithmetic, 0);
  gtk_label_set_wrap (self->arithmetic, TRUE);
  gtk_label_set_selectable (self->arithmetic, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->arithmetic), "numeric");
  ll_number_grid_set_colormap (self->output_grid, LL_COLORMAP_VIRIDIS);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->input_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Input with the sliding window"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->output_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Output map filling in"), -1);

  gtk_box_append (GTK_BOX (self), controls);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->arithmetic));
  gtk_box_append (GTK_BOX (self), maps);
  update (self);
}

GtkWidget *
ll_slide_animation_new (void)
{
  return g_object_new (LL_TYPE_SLIDE_ANIMATION, NULL);
}

static int
cell_size_for (int n)
{
  return CLAMP (320 / MAX (n, 1), 6, 44);
}

void
ll_slide_animation_set_maps (LlSlideAnimation *self, const float *input, const LlWindowAxis axes[2],
                             const float *outputs, LlColormap input_colormap)
{
  int h, w, ph, pw, ho, wo;
  g_autofree float *padded = NULL;
  g_autofree guint8 *mask = NULL;

  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  g_return_if_fail (input != NULL && axes != NULL && outputs != NULL);

  ll_slide_animation_pause (self);
  self->axes[0] = axes[0];
  self->axes[1] = axes[1];
  h = axes[0].n;
  w = axes[1].n;
  ph = h + axes[0].pad_before + axes[0].pad_after;
  pw = w + axes[1].pad_before + axes[1].pad_after;
  ho = axes[0].out;
  wo = axes[1].out;
  padded = g_new0 (float, (gsize) ph * pw);
  mask = g_new (guint8, (gsize) ph * pw);
  memset (mask, 1, (gsize) ph * pw);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gsize i = (gsize) (y + axes[0].pad_before) * pw + x + axes[1].pad_before;
        padded[i] = input[(gsize) y * w + x];
        mask[i] = 0;
      }
  ll_number_grid_set_values (self->input_grid, padded, ph, pw);
  ll_number_grid_set_padding (self->input_grid, mask);
  ll_number_grid_set_colormap (self->input_grid, input_colormap);
  ll_number_grid_set_cell_size (self->input_grid, cell_size_for (MAX (ph, pw)));
  g_free (self->outputs);
  self->outputs = g_memdup2 (outputs, (gsize) ho * wo * sizeof (float));
  ll_number_grid_set_values (self->output_grid, self->outputs, ho, wo);
  ll_number_grid_set_cell_size (self->output_grid, cell_size_for (MAX (ho, wo)));
  self->n_positions = ho * wo;
  self->position = 0;
  update (self);
}

void
ll_slide_animation_set_captions (LlSlideAnimation *self, const char *input_caption,
                                 const char *output_caption)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  gtk_label_set_text (self->input_caption, input_caption);
  gtk_label_set_text (self->output_caption, output_caption);
}

void
ll_slide_animation_set_arithmetic (LlSlideAnimation *self, const char *text)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  gtk_label_set_text (self->arithmetic, text);
}

gboolean
ll_slide_animation_is_playing (LlSlideAnimation *self)
{
  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), FALSE);
  return self->timeout_id != 0;
}

int
ll_slide_animation_get_position (LlSlideAnimation *self)
{
  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), 0);
  return self->position;
}

int
ll_slide_animation_get_n_positions (LlSlideAnimation *self)
{
  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), 0);
  return self->n_positions;
}

void
ll_slide_animation_set_speed (LlSlideAnimation *self, double steps_per_second)
{
  g_return_if_fail (LL_IS_SLIDE_ANIMATION (self));
  g_return_if_fail (steps_per_second > 0);
  self->speed = steps_per_second;
  for (gsize i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (speeds[i] == steps_per_second && gtk_drop_down_get_selected (self->speed_dropdown) != i)
      gtk_drop_down_set_selected (self->speed_dropdown, (guint) i);
  if (self->timeout_id != 0)
    start_timer (self);
}

double
ll_slide_animation_get_speed (LlSlideAnimation *self)
{
  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), 0);
  return self->speed;
}

float *
ll_slide_animation_dup_filled (LlSlideAnimation *self, int *rows, int *cols)
{
  const float *v;
  float *out;
  int r = 0, c = 0, shown;

  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), NULL);
  v = ll_number_grid_get_values (self->output_grid, &r, &c);
  shown = ll_number_grid_get_revealed (self->output_grid);
  out = g_new (float, MAX (r * c, 1));
  for (int i = 0; i < r * c; i++)
    out[i] = i < shown ? v[i] : NAN;
  *rows = r;
  *cols = c;
  return out;
}

GtkWidget *
ll_slide_animation_get_play_button (LlSlideAnimation *self)
{
  g_return_val_if_fail (LL_IS_SLIDE_ANIMATION (self), NULL);
  return GTK_WIDGET (self->play);
}
