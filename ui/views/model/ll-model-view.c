/* ll-model-view.c: the visual model builder.
 *
 * Everything shown is derived from the LlDocument on each "changed": the
 * cards, the diagram, the summary and the code are rebuilt (a stack has a
 * few dozen layers at most), while the properties editor is only rebuilt
 * when the selected layer's type changes, so that a spin button keeps its
 * focus while the user types into it.  Every edit goes through the
 * document, which makes it an undo step. */
#include "ll-model-view.h"

#include "ll-explain-panel.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ll-codegen.h"
#include "ll-network-diagram.h"
#include "ll-presets.h"
#include "ll-presentation.h"

struct _LlModelView
{
  LlView parent_instance;

  GtkMenuButton *presets_button;
  GtkImage *status_icon;
  GtkLabel *status_label;
  GtkListBox *palette_list;
  GtkListBox *layer_list;
  LlNetworkDiagram *diagram;
  GtkBox *props_box;
  GtkStack *code_stack;
  GtkTextView *summary_view;
  GtkTextView *keras_view;
  GtkTextView *pytorch_view;

  LlDocument *document;           /* the base's (ll_view_get_document), not owned */
  GPtrArray *cards;              /* GtkWidget* card box per layer */
  int selected;
  int pending_select;            /* selection to restore after the next rebuild */
  gboolean rebuilding;

  /* Properties editor of the selected layer. */
  const LlLayerType *editor_type;
  int editor_layer;
  GPtrArray *editor_widgets;     /* one per parameter of editor_type */
  GtkLabel *editor_error;
  GtkEntry *name_entry;          /* the layer's name, NULL without a layer */
  gboolean updating_editor;

  AdwFlap *outer_paned;          /* palette | the rest */
};

G_DEFINE_FINAL_TYPE (LlModelView, ll_model_view, LL_TYPE_VIEW)

static void rebuild_editor (LlModelView *self);
static void update_actions (LlModelView *self);

/* Text helpers -------------------------------------------------------- */

static char *
format_count (gssize n)
{
  /* 100,480 as Keras prints it. */
  g_autofree char *digits = g_strdup_printf ("%" G_GSSIZE_FORMAT, n);
  GString *s = g_string_new (NULL);
  int len = strlen (digits);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static void
append_param_text (GString *s, const LlParamSpec *p, double v)
{
  switch (p->type)
    {
    case LL_PARAM_INT:
      if (v == 0 && p->zero_label != NULL)
        g_string_append (s, _(p->zero_label));
      else
        g_string_append_printf (s, "%d", (int) v);
      break;
    case LL_PARAM_FLOAT:
      g_string_append_printf (s, "%g", v);
      break;
    case LL_PARAM_BOOL:
      g_string_append (s, v != 0.0 ? "yes" : "no");
      break;
    case LL_PARAM_CHOICE:
    default:
      {
        int n = 0;
        while (p->choices != NULL && p->choices[n] != NULL)
          n++;
        g_string_append (s, (int) v >= 0 && (int) v < n ? p->choices[(int) v] : "?");
      }
      break;
    }
}

/* Headline parameters (the layer tables' LL_PARAM_HEADLINE) are always
 * shown; the others only when changed from their default. */
static gboolean
is_key_param (const LlLayerType *type, int i)
{
  return (type->params[i].flags & LL_PARAM_HEADLINE) != 0;
}

/* "Units 128 · Activation relu", plus any parameter changed from its default. */
static char *
key_params_text (const LlLayerSpec *spec)
{
  const LlLayerType *t = spec->type;
  GString *s = g_string_new (NULL);

  for (int i = 0; i < t->n_params; i++)
    {
      const LlParamSpec *p = &t->params[i];
      gboolean changed = spec->v[i] != p->default_value;

      if (!is_key_param (t, i) && !changed)
        continue;
      if (strcmp (p->name, "kernel_regularizer") == 0 && !changed)
        continue;
      if (!ll_layer_spec_param_applies (spec, i))
        continue;
      if (s->len > 0)
        g_string_append (s, "\u00a0· ");   /* a wrapped line starts with a name, not a dot */
      /* A value stays with its name, and a name of two words ("Kernel
       * size", "필터 수") on one line. */
      for (const char *c = _(p->label); *c != '\0'; c++)
        {
          if (*c == ' ')
            g_string_append (s, "\u00a0");
          else
            g_string_append_c (s, *c);
        }
      g_string_append (s, "\u00a0");
      append_param_text (s, p, spec->v[i]);
    }
  if (s->len == 0)
    g_string_append (s, t->description != NULL ? _(t->description) : "");
  return g_string_free (s, FALSE);
}

/* Cards --------------------------------------------------------------- */

static GdkContentProvider *
on_card_drag_prepare (GtkDragSource *source, double x, double y, GtkWidget *row)
{
  int index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  GdkPaintable *icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, (int) x, (int) y);
  g_object_unref (icon);
  return gdk_content_provider_new_typed (G_TYPE_INT, index);
}

static void
insert_type_at (LlModelView *self, const char *type_name, int position)
{
  const LlLayerType *type = ll_layer_type_lookup (type_name);
  LlLayerSpec spec;

  if (type == NULL || self->document == NULL)
    return;
  ll_layer_spec_init (&spec, type);
  self->pending_select = position;
  ll_document_insert_layer (self->document, position, &spec);
}

/* A layer dropped on row `target` takes its place (the row moves down). */
static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, GtkWidget *widget)
{
  LlModelView *self = g_object_get_data (G_OBJECT (widget), "ll-model-view");
  int n = ll_arch_n_layers (ll_document_get_arch (self->document));
  int to = GTK_IS_LIST_BOX_ROW (widget) ? gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (widget)) : n;

  if (G_VALUE_HOLDS_INT (value))
    {
      int from = g_value_get_int (value);
      if (from < 0 || from >= n)
        return FALSE;
      to = MIN (to, n - 1);
      self->pending_select = to;
      ll_document_move_layer (self->document, from, to);
      return TRUE;
    }
  if (G_VALUE_HOLDS_STRING (value))
    {
      /* New layers never go before the Input. */
      insert_type_at (self, g_value_get_string (value), MAX (to, 1));
      return TRUE;
    }
  return FALSE;
}

static void
add_drop_target (LlModelView *self, GtkWidget *widget)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_MOVE | GDK_ACTION_COPY);
  GType types[] = { G_TYPE_INT, G_TYPE_STRING };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_object_set_data (G_OBJECT (widget), "ll-model-view", self);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), widget);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (target));
}

static GtkWidget *
make_label (const char *text, const char *css_class, gboolean wrap)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD);   /* never inside a word */
    }
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
make_card (LlModelView *self, int i)
{
  const LlArch *arch = ll_document_get_arch (self->document);
  const LlLayerSpec *spec = ll_arch_layer (arch, i);
  int bad = ll_document_get_bad_layer (self->document);
  g_autofree char *name = ll_arch_layer_name (arch, i);
  g_autofree char *title = g_markup_printf_escaped ("%d  <b>%s</b>  <span alpha='60%%'>%s</span>",
                                                    i, spec->type->name, name);
  g_autofree char *params = key_params_text (spec);
  double live = ll_document_get_live_dropout (self->document);
  g_autofree char *shape_text = NULL;
  g_autofree char *count_text = NULL;
  GtkWidget *card, *top, *bottom, *label;
  gssize n_params;
  LlShape shape;


  /* The rate a running run uses instead ("Dropout, this run"). */
  if (spec->type == &ll_layer_dropout && isfinite (live)
      && live != ll_layer_spec_get (spec, "rate", live))
    {
      char *more = g_strdup_printf (_("%s\u00a0· this run: %g"), params, live);
      g_free (params);
      params = more;
    }
  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (card, "layer-card");

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  label = make_label (NULL, "layer-title", FALSE);
  gtk_label_set_markup (GTK_LABEL (label), title);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (top), label);

  n_params = ll_document_get_layer_params (self->document, i);
  if (n_params >= 0)
    {
      g_autofree char *n = format_count (n_params);
      count_text = g_strdup_printf (_("%s params"), n);
    }
  else
    count_text = g_strdup (_("? params"));
  label = make_label (count_text, "dim-label", FALSE);
  /* The count explains itself: K·K·C_in·F + F with the numbers. */
  {
    LlShape in, out;
    if (i > 0 && ll_document_get_layer_shape (self->document, i - 1, &in)
        && ll_document_get_layer_shape (self->document, i, &out))
      {
        g_autofree char *why = ll_explain_params_text (spec, &in, &out);
        if (why != NULL)
          gtk_widget_set_tooltip_text (label, why);
      }
  }
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (card), top);

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  /* Wrapped, not cut: "Activation relu" at the end matters as much as the
   * rest, and presentation mode's larger text did not fit one line. */
  label = make_label (params, NULL, TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (bottom), label);
  if (ll_document_get_layer_shape (self->document, i, &shape))
    {
      g_autofree char *s = ll_shape_to_string (&shape);
      shape_text = g_strdup_printf ("→ %s", s);
    }
  else
    shape_text = g_strdup ("→ ?");
  label = make_label (shape_text, "layer-shape", FALSE);
  /* A window's output size explains itself: (H + P − K) / S + 1 per axis. */
  {
    LlShape in;
    if (i > 0 && ll_document_get_layer_shape (self->document, i - 1, &in))
      {
        g_autofree char *why = ll_explain_shape_text (spec, &in);
        if (why != NULL)
          gtk_widget_set_tooltip_text (label, why);
      }
  }
  /* The shape whole; the parameters beside it wrap instead. */
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_NONE);
  gtk_widget_set_valign (label, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (bottom), label);
  gtk_box_append (GTK_BOX (card), bottom);

  if (i == bad)
    {
      gtk_widget_add_css_class (card, "invalid");
      label = make_label (ll_document_get_error_message (self->document), "error", TRUE);
      gtk_box_append (GTK_BOX (card), label);
      gtk_widget_set_tooltip_text (card, ll_document_get_error_message (self->document));
    }
  else
    gtk_widget_set_tooltip_text (card, _(spec->type->description));
  return card;
}

static void
rebuild_cards (LlModelView *self)
{
  const LlArch *arch = ll_document_get_arch (self->document);
  int n = ll_arch_n_layers (arch);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean had_focus = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->layer_list));
  GtkWidget *child;
  int select;

  self->rebuilding = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->layer_list))) != NULL)
    gtk_list_box_remove (self->layer_list, child);
  g_ptr_array_set_size (self->cards, 0);

  for (int i = 0; i < n; i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *card = make_card (self, i);
      GtkDragSource *source = gtk_drag_source_new ();
      g_autofree char *name = ll_arch_layer_name (arch, i);

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), card);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
      g_signal_connect (source, "prepare", G_CALLBACK (on_card_drag_prepare), row);
      gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
      add_drop_target (self, row);
      gtk_list_box_append (self->layer_list, row);
      g_ptr_array_add (self->cards, card);
    }

  select = self->pending_select >= 0 ? self->pending_select : self->selected;
  self->pending_select = -1;
  if (n > 0)
    select = CLAMP (select, 0, n - 1);
  else
    select = -1;
  self->selected = -1;
  self->rebuilding = FALSE;
  ll_model_view_set_selected (self, select);
  if (had_focus && select >= 0)
    gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (self->layer_list, select)));
}

/* Status, summary, code ---------------------------------------------- */

static void
set_text (GtkTextView *view, const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  g_autofree char *old = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  old = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_strcmp0 (old, text) != 0)
    gtk_text_buffer_set_text (buffer, text, -1);
}

static void
update_texts (LlModelView *self)
{
  const LlArch *arch = ll_document_get_arch (self->document);
  const LlFitConfig *cfg = ll_document_get_config (self->document);
  const char *dataset = ll_document_get_dataset (self->document);
  LlModel *model = ll_document_get_model (self->document);
  g_autofree char *keras = ll_codegen_keras (arch, cfg, dataset);
  g_autofree char *pytorch = ll_codegen_pytorch (arch, cfg, dataset);
  g_autofree char *summary = NULL;

  if (model != NULL)
    {
      summary = ll_model_summary (model);
      gtk_image_set_from_icon_name (self->status_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");
      {
        g_autofree char *n = format_count (ll_model_n_trainable (model) + ll_model_n_state (model));
        g_autofree char *text = g_strdup_printf (_("Valid: %d layers, %s parameters"),
                                                 ll_arch_n_layers (arch), n);
        gtk_label_set_text (self->status_label, text);
      }
    }
  else
    {
      const char *message = ll_document_get_error_message (self->document);
      /* One whole message: the engine's names the layer already
       * ("Layer 2 (conv2d): …"); others get the layer's number once. */
      g_autofree char *text = g_str_has_prefix (message, "Layer ")
        ? g_strdup (message)
        : g_strdup_printf (_("Layer %d: %s"), ll_document_get_bad_layer (self->document), message);
      summary = g_strdup_printf (_("The model is not valid, so it has no summary yet.\n\n%s"), text);
      gtk_image_set_from_icon_name (self->status_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
      gtk_label_set_text (self->status_label, text);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               gtk_label_get_text (self->status_label));
  set_text (self->summary_view, summary);
  set_text (self->keras_view, keras);
  set_text (self->pytorch_view, pytorch);
}

static void
on_document_changed (LlModelView *self)
{
  rebuild_cards (self);
  update_texts (self);
  rebuild_editor (self);
  update_actions (self);
}

/* Properties editor --------------------------------------------------- */

static void
editor_apply (LlModelView *self, int param, double value)
{
  g_autoptr(GError) error = NULL;
  const LlParamSpec *p;

  if (self->updating_editor || self->document == NULL || self->editor_type == NULL)
    return;
  p = &self->editor_type->params[param];
  if (!ll_document_set_layer_param (self->document, self->editor_layer, p->name, value, &error))
    {
      gtk_label_set_text (self->editor_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->editor_error), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->editor_error), FALSE);
}

static int
widget_param (GtkWidget *w)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (w), "ll-param"));
}

static void
set_spin_shown (GtkSpinButton *spin, double v)
{
  g_object_set_data_full (G_OBJECT (spin), "ll-shown", g_memdup2 (&v, sizeof v), g_free);
}

/* + and − go to the next round value (0.2 → 0.3 → 0.4, 0.25 → 0.3), a
 * typed value is rounded to the digits shown: the model, and so the code,
 * get the value the field shows. */
static void
on_spin_changed (GtkSpinButton *spin, LlModelView *self)
{
  int i = widget_param (GTK_WIDGET (spin));
  const double *shown = g_object_get_data (G_OBJECT (spin), "ll-shown");
  double v = gtk_spin_button_get_value (spin), step;
  const LlParamSpec *p;
  int digits;

  if (self->updating_editor || self->editor_type == NULL)
    return;
  p = &self->editor_type->params[i];
  ll_param_spin_format (p, &digits, &step);
  if (shown != NULL && fabs (fabs (v - *shown) - step) < step * 1e-6)
    v = ll_param_spin_step (p, *shown, v > *shown ? 1 : -1);
  else
    v = ll_param_spin_round (p, v);
  set_spin_shown (spin, v);
  if (v != gtk_spin_button_get_value (spin))
    {
      self->updating_editor = TRUE;
      gtk_spin_button_set_value (spin, v);
      self->updating_editor = FALSE;
    }
  editor_apply (self, i, v);
}

/* A parameter whose 0 means "the default" reads so: "= pool size". */
static gboolean
on_spin_output (GtkSpinButton *spin, const LlParamSpec *p)
{
  if (gtk_spin_button_get_value (spin) != 0)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (spin), _(p->zero_label));
  return TRUE;
}

static int
on_spin_input (GtkSpinButton *spin, double *value, const LlParamSpec *p)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  double v;

  if (g_strcmp0 (text, _(p->zero_label)) == 0 || text[0] == '=' || text[0] == '\0')
    {
      *value = 0;
      return TRUE;
    }
  v = g_ascii_strtod (text, &end);
  if (end == text)
    return GTK_INPUT_ERROR;
  *value = v;
  return TRUE;
}

static void
on_switch_changed (GtkSwitch *sw, GParamSpec *pspec, LlModelView *self)
{
  editor_apply (self, widget_param (GTK_WIDGET (sw)), gtk_switch_get_active (sw) ? 1.0 : 0.0);
}

static void
on_dropdown_changed (GtkDropDown *dd, GParamSpec *pspec, LlModelView *self)
{
  editor_apply (self, widget_param (GTK_WIDGET (dd)), (double) gtk_drop_down_get_selected (dd));
}

/* Renaming: Enter or leaving the field applies; an undo step. */
static void
on_name_apply (LlModelView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->updating_editor || self->document == NULL || self->name_entry == NULL
      || self->editor_layer < 0)
    return;
  if (!ll_document_rename_layer (self->document, self->editor_layer,
                                 gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), &error))
    {
      gtk_label_set_text (self->editor_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->editor_error), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->editor_error), FALSE);
}

static void
on_name_focus_leave (GtkEventControllerFocus *focus, LlModelView *self)
{
  on_name_apply (self);
}

static void
editor_set_values (LlModelView *self)
{
  const LlLayerSpec *spec = ll_arch_layer (ll_document_get_arch (self->document), self->editor_layer);

  self->updating_editor = TRUE;
  if (self->name_entry != NULL && !gtk_widget_has_focus (GTK_WIDGET (self->name_entry))
      && !gtk_widget_is_focus (GTK_WIDGET (self->name_entry)))
    {
      g_autofree char *name = ll_arch_layer_name (ll_document_get_arch (self->document), self->editor_layer);
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), name) != 0)
        gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
    }
  for (int i = 0; i < self->editor_type->n_params; i++)
    {
      GtkWidget *w = g_ptr_array_index (self->editor_widgets, i);
      double v = spec->v[i];

      /* Options that do nothing with the others (the L1 factor without an
       * l1 regularizer) are hidden. */
      gboolean applies = ll_layer_spec_param_applies (spec, i);
      GtkWidget *label = g_object_get_data (G_OBJECT (w), "ll-label");

      gtk_widget_set_visible (w, applies);
      if (label != NULL)
        gtk_widget_set_visible (label, applies);
      if (GTK_IS_SPIN_BUTTON (w))
        {
          if (gtk_spin_button_get_value (GTK_SPIN_BUTTON (w)) != v)
            gtk_spin_button_set_value (GTK_SPIN_BUTTON (w), v);
          /* A new spin button at 0 has not formatted itself yet. */
          if (v == 0 && self->editor_type->params[i].zero_label != NULL)
            on_spin_output (GTK_SPIN_BUTTON (w), &self->editor_type->params[i]);
          set_spin_shown (GTK_SPIN_BUTTON (w), v);
        }
      else if (GTK_IS_SWITCH (w))
        gtk_switch_set_active (GTK_SWITCH (w), v != 0.0);
      else if (GTK_IS_DROP_DOWN (w))
        {
          if (gtk_drop_down_get_selected (GTK_DROP_DOWN (w)) != (guint) v)
            gtk_drop_down_set_selected (GTK_DROP_DOWN (w), (guint) v);
        }
    }
  self->updating_editor = FALSE;
}

static GtkWidget *
make_param_widget (LlModelView *self, const LlParamSpec *p, int i)
{
  GtkWidget *w;

  switch (p->type)
    {
    case LL_PARAM_INT:
    case LL_PARAM_FLOAT:
      {
        int digits;
        double step;

        ll_param_spin_format (p, &digits, &step);
        w = gtk_spin_button_new_with_range (p->min, p->max, step);
        gtk_spin_button_set_digits (GTK_SPIN_BUTTON (w), digits);
        if (p->zero_label != NULL)
          {
            /* new_with_range makes it numeric, which would refuse the words. */
            gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (w), FALSE);
            g_signal_connect (w, "output", G_CALLBACK (on_spin_output), (gpointer) p);
            g_signal_connect (w, "input", G_CALLBACK (on_spin_input), (gpointer) p);
          }
        else
          gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (w), TRUE);
        g_signal_connect (w, "value-changed", G_CALLBACK (on_spin_changed), self);
      }
      break;
    case LL_PARAM_BOOL:
      w = gtk_switch_new ();
      gtk_widget_set_halign (w, GTK_ALIGN_START);
      gtk_widget_set_valign (w, GTK_ALIGN_CENTER);
      g_signal_connect (w, "notify::active", G_CALLBACK (on_switch_changed), self);
      break;
    case LL_PARAM_CHOICE:
    default:
      w = gtk_drop_down_new_from_strings (p->choices);
      g_signal_connect (w, "notify::selected", G_CALLBACK (on_dropdown_changed), self);
      break;
    }
  g_object_set_data (G_OBJECT (w), "ll-param", GINT_TO_POINTER (i));
  gtk_widget_set_hexpand (w, TRUE);
  if (p->tooltip != NULL)
    gtk_widget_set_tooltip_text (w, _(p->tooltip));
  gtk_accessible_update_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL, _(p->label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, p->tooltip != NULL ? _(p->tooltip) : NULL, -1);
  return w;
}

static void
rebuild_editor (LlModelView *self)
{
  const LlArch *arch;
  const LlLayerSpec *spec;
  GtkWidget *child, *grid, *label;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  if (self->document == NULL)
    return;
  arch = ll_document_get_arch (self->document);
  if (self->selected >= 0 && self->selected < ll_arch_n_layers (arch))
    spec = ll_arch_layer (arch, self->selected);
  else
    spec = NULL;

  /* Same layer, same type: only refresh values (keeps focus in the spin). */
  if (spec != NULL && spec->type == self->editor_type && self->selected == self->editor_layer)
    {
      editor_set_values (self);
      return;
    }

  /* Removing the name field moves focus: no rename from that. */
  self->updating_editor = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->props_box))) != NULL)
    gtk_box_remove (self->props_box, child);
  self->updating_editor = FALSE;
  g_ptr_array_set_size (self->editor_widgets, 0);
  self->editor_type = NULL;
  self->editor_layer = -1;
  self->name_entry = NULL;

  if (spec == NULL)
    {
      label = make_label (_("Select a layer to edit its properties."), "dim-label", TRUE);
      gtk_box_append (self->props_box, label);
      return;
    }

  name = ll_arch_layer_name (arch, self->selected);
  title = g_markup_printf_escaped ("<b>%s</b>  <span alpha='60%%'>%s</span>", spec->type->name, name);
  label = make_label (NULL, "title-4", FALSE);
  gtk_label_set_markup (GTK_LABEL (label), title);
  gtk_box_append (self->props_box, label);
  label = make_label (_(spec->type->description), "dim-label", TRUE);
  gtk_box_append (self->props_box, label);

  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_margin_top (grid, 6);
  {
    /* The layer's name, as Keras' name= (shown in the code and diagram). */
    GtkWidget *entry = gtk_entry_new ();
    GtkEventController *focus = gtk_event_controller_focus_new ();

    label = make_label (_("Name"), NULL, FALSE);
    gtk_widget_set_hexpand (entry, TRUE);
    gtk_widget_set_tooltip_text (entry, _("The layer's name, as Keras' name=: shown in the code, "
                                          "the summary and the diagram, kept in the model file. "
                                          "Empty: Keras' default name. Enter applies; Ctrl+Z undoes."));
    gtk_widget_set_tooltip_text (label, gtk_widget_get_tooltip_text (entry));
    gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Layer name"), -1);
    gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
    g_signal_connect_swapped (entry, "activate", G_CALLBACK (on_name_apply), self);
    g_signal_connect (focus, "leave", G_CALLBACK (on_name_focus_leave), self);
    gtk_widget_add_controller (entry, focus);
    gtk_grid_attach (GTK_GRID (grid), label, 0, 0, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), entry, 1, 0, 1, 1);
    self->name_entry = GTK_ENTRY (entry);
  }
  for (int i = 0; i < spec->type->n_params; i++)
    {
      const LlParamSpec *p = &spec->type->params[i];
      GtkWidget *w = make_param_widget (self, p, i);

      label = make_label (_(p->label), NULL, FALSE);
      g_object_set_data (G_OBJECT (w), "ll-label", label);
      gtk_widget_set_tooltip_text (label, p->tooltip != NULL ? _(p->tooltip) : NULL);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), w);
      gtk_grid_attach (GTK_GRID (grid), label, 0, i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), w, 1, i + 1, 1, 1);
      g_ptr_array_add (self->editor_widgets, w);
    }
  if (spec->type->n_params == 0)
    gtk_grid_attach (GTK_GRID (grid), make_label (_("This layer has no parameters."), "dim-label", TRUE),
                     0, 1, 2, 1);
  gtk_box_append (self->props_box, grid);

  self->editor_error = GTK_LABEL (make_label (NULL, "error", TRUE));
  gtk_widget_set_visible (GTK_WIDGET (self->editor_error), FALSE);
  gtk_box_append (self->props_box, GTK_WIDGET (self->editor_error));

  self->editor_type = spec->type;
  self->editor_layer = self->selected;
  editor_set_values (self);
}

/* Selection and actions ----------------------------------------------- */

static void
update_actions (LlModelView *self)
{
  int n = self->document != NULL ? ll_arch_n_layers (ll_document_get_arch (self->document)) : 0;
  gboolean sel = self->selected >= 0 && self->selected < n;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.delete", sel && n > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.duplicate", sel && self->selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.move-up", sel && self->selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "model.move-down", sel && self->selected < n - 1);
}

static void
on_row_selected (GtkListBox *list, GtkListBoxRow *row, LlModelView *self)
{
  if (self->rebuilding || self->diagram == NULL)
    return;
  self->selected = row != NULL ? gtk_list_box_row_get_index (row) : -1;
  ll_network_diagram_set_selected (self->diagram, self->selected);
  rebuild_editor (self);
  update_actions (self);
}

static void
action_delete (GtkWidget *widget, const char *name, GVariant *param)
{
  LlModelView *self = LL_MODEL_VIEW (widget);

  if (self->selected < 0)
    return;
  self->pending_select = self->selected;
  ll_document_remove_layer (self->document, self->selected);
}

static void
action_duplicate (GtkWidget *widget, const char *name, GVariant *param)
{
  LlModelView *self = LL_MODEL_VIEW (widget);

  if (self->selected < 0)
    return;
  self->pending_select = self->selected + 1;
  ll_document_duplicate_layer (self->document, self->selected);
}

static void
move_selected (LlModelView *self, int delta)
{
  int n = ll_arch_n_layers (ll_document_get_arch (self->document));
  int to = self->selected + delta;

  if (self->selected < 0 || to < 0 || to >= n)
    return;
  self->pending_select = to;
  ll_document_move_layer (self->document, self->selected, to);
}

static void
action_move_up (GtkWidget *widget, const char *name, GVariant *param)
{
  move_selected (LL_MODEL_VIEW (widget), -1);
}

static void
action_move_down (GtkWidget *widget, const char *name, GVariant *param)
{
  move_selected (LL_MODEL_VIEW (widget), +1);
}

static void
action_insert (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_model_view_insert_type (LL_MODEL_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_preset (GtkWidget *widget, const char *name, GVariant *param)
{
  LlModelView *self = LL_MODEL_VIEW (widget);
  const char *preset = g_variant_get_string (param, NULL);
  g_autoptr(GError) error = NULL;

  /* Inside the window, the window asks about unsaved changes first. */
  if (gtk_widget_activate_action (widget, "window.load-preset", "s", preset))
    return;
  self->pending_select = 1;
  if (!ll_document_load_preset (self->document, preset, &error))
    g_warning ("%s", error->message);
}

static void
action_copy_code (GtkWidget *widget, const char *name, GVariant *param)
{
  LlModelView *self = LL_MODEL_VIEW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->code_stack);
  g_autofree char *text = NULL;

  if (g_strcmp0 (page, "summary") == 0)
    text = ll_model_view_dup_summary (self);
  else
    text = ll_model_view_dup_code (self, page);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* Palette ------------------------------------------------------------- */

static GdkContentProvider *
on_palette_drag_prepare (GtkDragSource *source, double x, double y, GtkWidget *row)
{
  const char *type_name = g_object_get_data (G_OBJECT (row), "ll-type");
  GdkPaintable *icon = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, icon, (int) x, (int) y);
  g_object_unref (icon);
  return gdk_content_provider_new_typed (G_TYPE_STRING, type_name);
}

static void
on_palette_activated (GtkListBox *list, GtkListBoxRow *row, LlModelView *self)
{
  ll_model_view_insert_type (self, g_object_get_data (G_OBJECT (row), "ll-type"));
}

static void
build_palette (LlModelView *self)
{
  int n = 0;
  const LlLayerType *const *types = ll_layer_types (&n);

  for (int i = 0; i < n; i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *label;
      GtkDragSource *source;

      if (types[i] == &ll_layer_input)
        continue;       /* one Input, always first: not in the palette */
      label = make_label (types[i]->name, "heading", FALSE);
      gtk_box_append (GTK_BOX (box), label);
      label = make_label (_(types[i]->description), "dim-label", TRUE);
      /* The whole sentence: cut after two lines it lost its point. */
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), label);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_widget_set_tooltip_text (row, _(types[i]->description));
      g_object_set_data (G_OBJECT (row), "ll-type", (gpointer) types[i]->name);

      source = gtk_drag_source_new ();
      gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
      g_signal_connect (source, "prepare", G_CALLBACK (on_palette_drag_prepare), row);
      gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
      gtk_list_box_append (self->palette_list, row);
    }
}

static void
build_presets_menu (LlModelView *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  int n = 0;
  const LlPresetInfo *presets = ll_presets (&n);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(presets[i].title), NULL);
      g_menu_item_set_action_and_target (item, "model.preset", "s", presets[i].name);
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->presets_button, G_MENU_MODEL (menu));
}

/* GObject ------------------------------------------------------------- */

static void
ll_model_view_document_set (LlView *view, LlDocument *old)
{
  LlModelView *self = LL_MODEL_VIEW (view);
  LlDocument *document = ll_view_get_document (view);

  if (old != NULL)
    g_signal_handlers_disconnect_by_func (old, rebuild_cards, self);
  self->document = document;
  if (document != NULL)
    g_signal_connect_swapped (document, "notify::live-dropout", G_CALLBACK (rebuild_cards), self);
  ll_network_diagram_set_document (self->diagram, document);
  self->editor_type = NULL;
  if (document != NULL)
    self->pending_select = ll_arch_n_layers (ll_document_get_arch (document)) > 1 ? 1 : 0;
}

static void
ll_model_view_document_changed (LlView *view)
{
  on_document_changed (LL_MODEL_VIEW (view));
}

static void
ll_model_view_dispose (GObject *object)
{
  LlModelView *self = LL_MODEL_VIEW (object);

  self->document = NULL;
  if (self->layer_list != NULL)
    g_signal_handlers_disconnect_by_data (self->layer_list, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_MODEL_VIEW);

  G_OBJECT_CLASS (ll_model_view_parent_class)->dispose (object);
}

static void
ll_model_view_finalize (GObject *object)
{
  LlModelView *self = LL_MODEL_VIEW (object);

  g_ptr_array_unref (self->cards);
  g_ptr_array_unref (self->editor_widgets);
  G_OBJECT_CLASS (ll_model_view_parent_class)->finalize (object);
}

static void
ll_model_view_class_init (LlModelViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LlViewClass *view_class = LL_VIEW_CLASS (klass);

  object_class->dispose = ll_model_view_dispose;
  view_class->document_set = ll_model_view_document_set;
  view_class->document_changed = ll_model_view_document_changed;
  object_class->finalize = ll_model_view_finalize;

  g_type_ensure (LL_TYPE_NETWORK_DIAGRAM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/layerlab/Layerlab/ui/ll-model-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LlModelView, presets_button);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, status_icon);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, palette_list);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, layer_list);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, diagram);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, props_box);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, code_stack);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, summary_view);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, keras_view);
  gtk_widget_class_bind_template_child (widget_class, LlModelView, pytorch_view);

  gtk_widget_class_install_action (widget_class, "model.delete", NULL, action_delete);
  gtk_widget_class_install_action (widget_class, "model.duplicate", NULL, action_duplicate);
  gtk_widget_class_install_action (widget_class, "model.move-up", NULL, action_move_up);
  gtk_widget_class_install_action (widget_class, "model.move-down", NULL, action_move_down);
  gtk_widget_class_install_action (widget_class, "model.insert", "s", action_insert);
  gtk_widget_class_install_action (widget_class, "model.preset", "s", action_preset);
  gtk_widget_class_install_action (widget_class, "model.copy-code", NULL, action_copy_code);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "model.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, GDK_ALT_MASK, "model.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "model.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, GDK_ALT_MASK, "model.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "model.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "model.duplicate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "model.copy-code", NULL);
}

/* Presentation mode's larger text needs a wider palette, or the layer
 * names end in "…". */
static void
apply_presentation (GtkWidget *widget)
{
  LlModelView *self = LL_MODEL_VIEW (widget);

  gtk_widget_set_size_request (adw_flap_get_flap (self->outer_paned),
                               ll_presentation_active (widget) ? 340 : 250, -1);
}

static void
ll_model_view_init (LlModelView *self)
{
  self->cards = g_ptr_array_new ();
  self->editor_widgets = g_ptr_array_new ();
  self->selected = -1;
  self->pending_select = -1;
  self->editor_layer = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* An invalid layer's message is shown whole, wrapped, never cut. */
  gtk_label_set_ellipsize (self->status_label, PANGO_ELLIPSIZE_NONE);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_wrap_mode (self->status_label, PANGO_WRAP_WORD_CHAR);

  build_palette (self);
  build_presets_menu (self);
  add_drop_target (self, GTK_WIDGET (self->layer_list));
  g_signal_connect (self->layer_list, "row-selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect (self->palette_list, "row-activated", G_CALLBACK (on_palette_activated), self);
  ll_presentation_watch (GTK_WIDGET (self), apply_presentation);
  gtk_stack_set_visible_child_name (self->code_stack, "keras");
  update_actions (self);
}

GtkWidget *
ll_model_view_new (void)
{
  return g_object_new (LL_TYPE_MODEL_VIEW, NULL);
}

int
ll_model_view_get_selected (LlModelView *self)
{
  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), -1);
  return self->selected;
}

void
ll_model_view_set_selected (LlModelView *self, int layer)
{
  GtkListBoxRow *row;

  g_return_if_fail (LL_IS_MODEL_VIEW (self));

  row = layer >= 0 ? gtk_list_box_get_row_at_index (self->layer_list, layer) : NULL;
  if (row != NULL)
    gtk_list_box_select_row (self->layer_list, row);
  else
    gtk_list_box_unselect_all (self->layer_list);
  /* select_row does not emit when the row is already selected. */
  on_row_selected (self->layer_list, row, self);
}

gboolean
ll_model_view_insert_type (LlModelView *self, const char *type_name)
{
  int n, position;

  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), FALSE);
  if (self->document == NULL || type_name == NULL || ll_layer_type_lookup (type_name) == NULL)
    return FALSE;
  n = ll_arch_n_layers (ll_document_get_arch (self->document));
  position = self->selected >= 0 ? self->selected + 1 : n;
  insert_type_at (self, type_name, MAX (position, 1));
  return TRUE;
}

int
ll_model_view_get_n_cards (LlModelView *self)
{
  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), 0);
  return self->cards->len;
}

GtkWidget *
ll_model_view_get_card (LlModelView *self, int layer)
{
  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), NULL);
  if (layer < 0 || layer >= (int) self->cards->len)
    return NULL;
  return g_ptr_array_index (self->cards, layer);
}

static char *
dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

char *
ll_model_view_dup_summary (LlModelView *self)
{
  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), NULL);
  return dup_text (self->summary_view);
}

char *
ll_model_view_dup_code (LlModelView *self, const char *language)
{
  g_return_val_if_fail (LL_IS_MODEL_VIEW (self), NULL);
  return dup_text (g_strcmp0 (language, "pytorch") == 0 ? self->pytorch_view : self->keras_view);
}
