/* ll-conv-sandbox.c: the convolution sandbox (see ll-conv-sandbox.h).
 *
 * The output is never computed here: every change rebuilds (when the
 * geometry changed) a model of one Conv2D filter without bias, writes the
 * kernel into its weights and runs the engine's forward; the numbers in
 * the output map, the animation and the arithmetic are the engine's and
 * ll_explain_unit's. */
#include "config.h"

#include "ll-conv-sandbox.h"

#include "ll-explain.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define MIN_SIZE 7
#define MAX_SIZE 12
#define MAX_K 5

typedef struct {
  const char *id;
  const char *name;                /* N_() */
  float k3[9];
} ClassicKernel;

static const ClassicKernel classics[] = {
  { "identity", N_("Identity (a copy)"), { 0, 0, 0, 0, 1, 0, 0, 0, 0 } },
  { "edge-vertical", N_("Edges: vertical (Sobel)"), { -1, 0, 1, -2, 0, 2, -1, 0, 1 } },
  { "edge-horizontal", N_("Edges: horizontal (Sobel)"), { -1, -2, -1, 0, 0, 0, 1, 2, 1 } },
  { "outline", N_("Edges: all directions"), { -1, -1, -1, -1, 8, -1, -1, -1, -1 } },
  { "box-blur", N_("Blur: box"), { 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f } },
  { "gaussian-blur", N_("Blur: Gaussian"), { 1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 1 / 16.f } },
  { "sharpen", N_("Sharpen"), { 0, -1, 0, -1, 5, -1, 0, -1, 0 } },
  { "emboss", N_("Emboss"), { -2, -1, 0, -1, 1, 1, 0, 1, 2 } },
};

struct _LlConvSandbox
{
  GtkBox parent_instance;

  GtkSpinButton *size_spin, *brush_spin, *cell_spin;
  GtkDropDown *kernel_size_dropdown, *padding_dropdown, *stride_dropdown, *preset_dropdown;
  GtkButton *image_button;
  GtkGrid *kernel_box;
  GtkEntry *kernel_entries[MAX_K * MAX_K];
  LlNumberGrid *input_grid, *output_grid;
  GtkLabel *arithmetic;
  LlExplainPanel *panel;
  LlSlideAnimation *animation;

  int size, k, stride;
  gboolean same;
  float input[MAX_SIZE * MAX_SIZE];
  float kernel[MAX_K * MAX_K];
  float *model_kernels;            /* n_model × k·k, the first input channel of each filter */
  int n_model, model_k;
  char *model_layer;
  float *image;                    /* an example picture, image_h × image_w */
  int image_h, image_w;

  LlModel *model;
  char *model_text;                /* the architecture model was built from */
  float *output;
  int out_rows, out_cols;
  int explained_row, explained_col;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (LlConvSandbox, ll_conv_sandbox, GTK_TYPE_BOX)

static void recompute (LlConvSandbox *self);

/* The engine ------------------------------------------------------------------ */

static gboolean
ensure_model (LlConvSandbox *self)
{
  g_autofree char *text = g_strdup_printf ("Input height=%d width=%d channels=1\n"
                                           "Conv2D filters=1 kernel_size=%d strides=%d padding=%s "
                                           "activation=linear use_bias=false\nFlatten\n",
                                           self->size, self->size, self->k, self->stride,
                                           self->same ? "same" : "valid");
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = NULL;

  if (self->model != NULL && g_strcmp0 (text, self->model_text) == 0)
    return TRUE;
  g_clear_pointer (&self->model, ll_model_free);
  g_clear_pointer (&self->model_text, g_free);
  if (!(arch = ll_arch_from_text (text, &error))
      || !(self->model = ll_model_new (arch, &error))
      || !ll_model_plan (self->model, 1, &error))
    {
      /* The controls only allow geometries that build; say so if one does not. */
      g_clear_pointer (&self->model, ll_model_free);
      gtk_label_set_text (self->arithmetic, error->message);
      return FALSE;
    }
  self->model_text = g_steal_pointer (&text);
  return TRUE;
}

static LlExplanation *
explain_unit (LlConvSandbox *self, int row, int col)
{
  return ll_explain_unit (self->model, 0, 1, (int[]) { row, col, 0 }, 3, NULL);
}

static void
show_explanation (LlConvSandbox *self, int row, int col)
{
  if (self->model == NULL || row < 0 || row >= self->out_rows || col < 0 || col >= self->out_cols)
    {
      ll_explain_panel_set_explanation (self->panel, NULL);
      ll_number_grid_set_window (self->input_grid, 0, 0, 0, 0);
      ll_number_grid_set_marked (self->output_grid, -1, -1);
      return;
    }
  self->explained_row = row;
  self->explained_col = col;
  {
    LlExplanation *e = explain_unit (self, row, col);
    int r0 = MAX (e->start[0], 0), c0 = MAX (e->start[1], 0);
    int r1 = MIN (e->stop[0], self->size), c1 = MIN (e->stop[1], self->size);

    /* The window on the editable input (the part inside it). */
    ll_number_grid_set_window (self->input_grid, r0, c0, r1, c1);
    ll_number_grid_set_marked (self->output_grid, row, col);
    ll_explain_panel_set_explanation (self->panel, e);
  }
}

static void
recompute (LlConvSandbox *self)
{
  LlWeightView views[LL_MAX_WEIGHTS];
  LlShape out;
  g_autofree float *explained = NULL;
  g_autofree char *shape = NULL, *params = NULL, *text = NULL;
  LlWindowAxis axes[2];

  if (self->updating || !ensure_model (self))
    return;
  ll_model_layer_weights (self->model, 1, views);
  memcpy (views[0].data, self->kernel, (gsize) self->k * self->k * sizeof (float));
  ll_model_forward (self->model, 1, self->input, FALSE, NULL);

  out = ll_model_layer_shape (self->model, 1);
  self->out_rows = out.d[0];
  self->out_cols = out.d[1];
  g_free (self->output);
  self->output = g_memdup2 (ll_model_layer_output (self->model, 1),
                            (gsize) out.d[0] * out.d[1] * sizeof (float));
  ll_number_grid_set_values (self->output_grid, self->output, out.d[0], out.d[1]);

  /* The animation fills in each unit's explained value. */
  explained = g_new (float, (gsize) out.d[0] * out.d[1]);
  for (int y = 0; y < out.d[0]; y++)
    for (int x = 0; x < out.d[1]; x++)
      {
        g_autoptr(LlExplanation) e = explain_unit (self, y, x);
        explained[y * out.d[1] + x] = (float) e->value;
      }
  ll_layer_spec_window (ll_arch_layer (ll_model_get_arch (self->model), 1),
                        &(LlShape) { 3, { self->size, self->size, 1 } }, axes);
  ll_slide_animation_set_maps (self->animation, self->input, axes, explained, LL_COLORMAP_GRAY);

  {
    LlShape in = ll_model_layer_shape (self->model, 0);
    const LlLayerSpec *spec = ll_arch_layer (ll_model_get_arch (self->model), 1);
    shape = ll_explain_shape_text (spec, &in);
    params = ll_explain_params_text (spec, &in, &out);
  }
  text = g_strdup_printf ("%s\n%s", shape, params);
  gtk_label_set_text (self->arithmetic, text);
  ll_slide_animation_set_arithmetic (self->animation, text);

  show_explanation (self, MIN (self->explained_row, self->out_rows - 1),
                    MIN (self->explained_col, self->out_cols - 1));
}

/* The kernel editor -------------------------------------------------------------- */

static void
set_preset_custom (LlConvSandbox *self)
{
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, 0);
  self->updating = FALSE;
}

/* A kernel cell typed: "0.5", "-1", "1/9"; anything else is marked and ignored. */
static gboolean
parse_number (const char *text, float *value)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end), d;

  if (end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end == '/')
    {
      const char *q = end + 1;
      d = g_ascii_strtod (q, &end);
      if (end == q || d == 0)
        return FALSE;
      v /= d;
    }
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' || !isfinite (v) || fabs (v) > 1000)
    return FALSE;
  *value = (float) v;
  return TRUE;
}

static void
on_kernel_entry_changed (GtkEditable *editable, LlConvSandbox *self)
{
  int i = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (editable), "ll-index"));
  float v;

  if (self->updating)
    return;
  if (!parse_number (gtk_editable_get_text (editable), &v))
    {
      gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  self->kernel[i] = v;
  set_preset_custom (self);
  recompute (self);
}

static void
rebuild_kernel_entries (LlConvSandbox *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->kernel_box))) != NULL)
    gtk_grid_remove (self->kernel_box, child);
  memset (self->kernel_entries, 0, sizeof self->kernel_entries);
  for (int r = 0; r < self->k; r++)
    for (int c = 0; c < self->k; c++)
      {
        GtkWidget *entry = gtk_entry_new ();
        g_autofree char *name = g_strdup_printf (_("Kernel row %d, column %d"), r, c);
        int i = r * self->k + c;

        gtk_editable_set_width_chars (GTK_EDITABLE (entry), 5);
        gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), 6);
        gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
        gtk_editable_set_alignment (GTK_EDITABLE (entry), 1.0);
        gtk_widget_add_css_class (entry, "numeric");
        gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
        gtk_widget_set_tooltip_text (entry, _("A number such as 0.5, −1 or 1/9"));
        g_object_set_data (G_OBJECT (entry), "ll-index", GINT_TO_POINTER (i));
        g_signal_connect (entry, "changed", G_CALLBACK (on_kernel_entry_changed), self);
        gtk_grid_attach (self->kernel_box, entry, c, r, 1, 1);
        self->kernel_entries[i] = GTK_ENTRY (entry);
      }
}

static void
show_kernel (LlConvSandbox *self)
{
  self->updating = TRUE;
  for (int i = 0; i < self->k * self->k; i++)
    if (self->kernel_entries[i] != NULL)
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        float v = self->kernel[i] == 0.0f ? 0.0f : self->kernel[i];
        /* Short numbers: 0.111 for 1/9, 2 for 2. */
        g_ascii_formatd (buf, sizeof buf, "%.3g", v);
        gtk_editable_set_text (GTK_EDITABLE (self->kernel_entries[i]), buf);
        gtk_widget_remove_css_class (GTK_WIDGET (self->kernel_entries[i]), "error");
      }
  self->updating = FALSE;
}

/* A 3×3 kernel in a k×k one: the centre, or for blurs the same kind over k×k. */
static void
classic_kernel (const ClassicKernel *ck, int k, float *out)
{
  memset (out, 0, (gsize) k * k * sizeof (float));
  if (k == 5 && strcmp (ck->id, "box-blur") == 0)
    for (int i = 0; i < 25; i++)
      out[i] = 1 / 25.f;
  else if (k == 5 && strcmp (ck->id, "gaussian-blur") == 0)
    {
      static const float b[5] = { 1, 4, 6, 4, 1 };
      for (int i = 0; i < 25; i++)
        out[i] = b[i / 5] * b[i % 5] / 256.f;
    }
  else
    {
      int o = (k - 3) / 2;
      for (int i = 0; i < 9; i++)
        out[(i / 3 + o) * k + i % 3 + o] = ck->k3[i];
    }
}

gboolean
ll_conv_sandbox_set_kernel_preset (LlConvSandbox *self, const char *id)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), FALSE);
  for (gsize i = 0; i < G_N_ELEMENTS (classics); i++)
    if (g_strcmp0 (id, classics[i].id) == 0)
      {
        gtk_drop_down_set_selected (self->preset_dropdown, (guint) i + 1);
        return TRUE;
      }
  if (g_str_has_prefix (id, "model-"))
    {
      gint64 n = g_ascii_strtoll (id + 6, NULL, 10);
      if (n >= 0 && n < self->n_model)
        {
          gtk_drop_down_set_selected (self->preset_dropdown, (guint) (G_N_ELEMENTS (classics) + 1 + n));
          return TRUE;
        }
    }
  return FALSE;
}

static void
apply_kernel_size (LlConvSandbox *self, int k)
{
  if (k == self->k)
    return;
  self->k = k;
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->kernel_size_dropdown, k == 5 ? 1 : 0);
  self->updating = FALSE;
  rebuild_kernel_entries (self);
}

static void
on_preset_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlConvSandbox *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->updating || i == 0 || i == GTK_INVALID_LIST_POSITION)
    return;
  if (i <= G_N_ELEMENTS (classics))
    classic_kernel (&classics[i - 1], self->k, self->kernel);
  else
    {
      int m = (int) (i - G_N_ELEMENTS (classics) - 1);
      if (m >= self->n_model)
        return;
      apply_kernel_size (self, self->model_k);
      memcpy (self->kernel, self->model_kernels + (gsize) m * self->model_k * self->model_k,
              (gsize) self->model_k * self->model_k * sizeof (float));
    }
  show_kernel (self);
  recompute (self);
}

static void
fill_presets (LlConvSandbox *self)
{
  GtkStringList *names = gtk_string_list_new (NULL);

  gtk_string_list_append (names, _("Your own (edit the numbers)"));
  for (gsize i = 0; i < G_N_ELEMENTS (classics); i++)
    gtk_string_list_append (names, _(classics[i].name));
  for (int m = 0; m < self->n_model; m++)
    {
      g_autofree char *name = g_strdup_printf (_("Your model: %s, filter %d"), self->model_layer, m);
      gtk_string_list_append (names, name);
    }
  /* The classic kernels keep their places: so does the choice. */
  {
    guint kept = gtk_drop_down_get_selected (self->preset_dropdown);
    if (kept == GTK_INVALID_LIST_POSITION || kept > G_N_ELEMENTS (classics))
      kept = 0;
    self->updating = TRUE;
    gtk_drop_down_set_model (self->preset_dropdown, G_LIST_MODEL (names));
    gtk_drop_down_set_selected (self->preset_dropdown, kept);
    self->updating = FALSE;
  }
  g_object_unref (names);
}

/* The input ---------------------------------------------------------------------- */

static void
on_input_changed (LlNumberGrid *grid, LlConvSandbox *self)
{
  const float *v = ll_number_grid_get_values (grid, NULL, NULL);
  int r, c;

  memcpy (self->input, v, (gsize) self->size * self->size * sizeof (float));
  if (ll_number_grid_get_cursor (grid, &r, &c))
    {
      self->updating = TRUE;
      gtk_spin_button_set_value (self->cell_spin, self->input[r * self->size + c]);
      self->updating = FALSE;
    }
  recompute (self);
}

static void
on_input_cell_activated (LlNumberGrid *grid, int row, int col, LlConvSandbox *self)
{
  self->updating = TRUE;
  gtk_spin_button_set_value (self->cell_spin, self->input[row * self->size + col]);
  self->updating = FALSE;
}

static void
on_cell_spin_changed (GtkSpinButton *spin, LlConvSandbox *self)
{
  int r, c;

  if (self->updating)
    return;
  if (!ll_number_grid_get_cursor (self->input_grid, &r, &c))
    {
      r = c = 0;
      ll_number_grid_set_cursor (self->input_grid, 0, 0);
    }
  ll_number_grid_set_value (self->input_grid, r, c, (float) gtk_spin_button_get_value (spin));
}

static void
on_brush_changed (GtkSpinButton *spin, LlConvSandbox *self)
{
  ll_number_grid_set_brush (self->input_grid, (float) gtk_spin_button_get_value (spin));
}

static void
show_input (LlConvSandbox *self)
{
  self->updating = TRUE;
  ll_number_grid_set_values (self->input_grid, self->input, self->size, self->size);
  self->updating = FALSE;
}

static void
fill_pattern (LlConvSandbox *self, const char *pattern)
{
  int n = self->size;

  memset (self->input, 0, sizeof self->input);
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        float v = 0;
        if (strcmp (pattern, "square") == 0)
          v = y >= n / 4 && y < n - n / 4 && x >= n / 4 && x < n - n / 4;
        else if (strcmp (pattern, "line") == 0)
          v = x == n / 2 || x == n / 2 - 1 ? 1.0f : 0.0f;
        else if (strcmp (pattern, "image") == 0 && self->image != NULL)
          {
            /* Area average of the picture over this cell. */
            double s = 0;
            int y0 = y * self->image_h / n, y1 = MAX ((y + 1) * self->image_h / n, y0 + 1);
            int x0 = x * self->image_w / n, x1 = MAX ((x + 1) * self->image_w / n, x0 + 1);
            for (int yy = y0; yy < y1; yy++)
              for (int xx = x0; xx < x1; xx++)
                s += self->image[yy * self->image_w + xx];
            v = (float) (s / ((y1 - y0) * (x1 - x0)));
          }
        self->input[y * n + x] = roundf (v * 100) / 100;
      }
  show_input (self);
  recompute (self);
}

static void
on_fill_clicked (GtkButton *button, LlConvSandbox *self)
{
  fill_pattern (self, g_object_get_data (G_OBJECT (button), "ll-pattern"));
}

/* Geometry ------------------------------------------------------------------------- */

static void
on_geometry_changed (LlConvSandbox *self)
{
  int size = gtk_spin_button_get_value_as_int (self->size_spin);
  int k = gtk_drop_down_get_selected (self->kernel_size_dropdown) == 1 ? 5 : 3;
  gboolean same = gtk_drop_down_get_selected (self->padding_dropdown) == 1;
  int stride = gtk_drop_down_get_selected (self->stride_dropdown) == 1 ? 2 : 1;

  if (self->updating)
    return;
  ll_conv_sandbox_set_geometry (self, size, k, same, stride);
}

void
ll_conv_sandbox_set_geometry (LlConvSandbox *self, int size, int kernel, gboolean same, int stride)
{
  float old[MAX_SIZE * MAX_SIZE];
  int old_size = self->size;

  g_return_if_fail (LL_IS_CONV_SANDBOX (self));
  g_return_if_fail (size >= MIN_SIZE && size <= MAX_SIZE && (kernel == 3 || kernel == 5)
                    && (stride == 1 || stride == 2));

  self->updating = TRUE;
  gtk_spin_button_set_value (self->size_spin, size);
  gtk_drop_down_set_selected (self->kernel_size_dropdown, kernel == 5 ? 1 : 0);
  gtk_drop_down_set_selected (self->padding_dropdown, same ? 1 : 0);
  gtk_drop_down_set_selected (self->stride_dropdown, stride == 2 ? 1 : 0);
  self->updating = FALSE;

  if (size != old_size)
    {
      /* Keep the top-left of the old input. */
      memcpy (old, self->input, sizeof old);
      memset (self->input, 0, sizeof self->input);
      for (int y = 0; y < MIN (size, old_size); y++)
        for (int x = 0; x < MIN (size, old_size); x++)
          self->input[y * size + x] = old[y * old_size + x];
      self->size = size;
      show_input (self);
    }
  if (kernel != self->k)
    {
      guint preset = gtk_drop_down_get_selected (self->preset_dropdown);
      self->k = kernel;
      rebuild_kernel_entries (self);
      if (preset >= 1 && preset <= G_N_ELEMENTS (classics))
        classic_kernel (&classics[preset - 1], kernel, self->kernel);
      else
        {
          /* A custom kernel: its centre 3×3 carries over. */
          float k3[MAX_K * MAX_K];
          int from = kernel == 3 ? 5 : 3, o = 1;
          memcpy (k3, self->kernel, sizeof k3);
          memset (self->kernel, 0, sizeof self->kernel);
          for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
              self->kernel[kernel == 5 ? (r + o) * 5 + c + o : r * 3 + c]
                = k3[from == 5 ? (r + o) * 5 + c + o : r * 3 + c];
          set_preset_custom (self);
        }
      show_kernel (self);
    }
  self->stride = stride;
  self->same = same;
  recompute (self);
}

/* Object ------------------------------------------------------------------------------ */

static void
on_output_activated (LlNumberGrid *grid, int row, int col, LlConvSandbox *self)
{
  ll_slide_animation_pause (self->animation);
  show_explanation (self, row, col);
}

static void
on_animation_position (LlSlideAnimation *animation, int row, int col, LlConvSandbox *self)
{
  if (row >= 0)
    show_explanation (self, row, col);
}

static GtkWidget *
labelled (const char *mnemonic, GtkWidget *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static GtkDropDown *
strings_dropdown (const char *const *items)
{
  GtkDropDown *d = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (items));
  return d;
}

static GtkWidget *
column (const char *title, GtkWidget *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

static void
ll_conv_sandbox_dispose (GObject *object)
{
  LlConvSandbox *self = LL_CONV_SANDBOX (object);

  g_clear_pointer (&self->model, ll_model_free);
  G_OBJECT_CLASS (ll_conv_sandbox_parent_class)->dispose (object);
}

static void
ll_conv_sandbox_finalize (GObject *object)
{
  LlConvSandbox *self = LL_CONV_SANDBOX (object);

  g_free (self->model_text);
  g_free (self->output);
  g_free (self->model_kernels);
  g_free (self->model_layer);
  g_free (self->image);
  G_OBJECT_CLASS (ll_conv_sandbox_parent_class)->finalize (object);
}

static void
ll_conv_sandbox_class_init (LlConvSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ll_conv_sandbox_dispose;
  object_class->finalize = ll_conv_sandbox_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "convsandbox");
}

static void
ll_conv_sandbox_init (LlConvSandbox *self)
{
  static const char *const kernel_sizes[] = { "3 × 3", "5 × 5", NULL };
  static const char *const paddings[] = { "valid", "same", NULL };
  static const char *const strides[] = { "1", "2", NULL };
  GtkWidget *controls = gtk_flow_box_new ();
  GtkWidget *row = gtk_flow_box_new ();
  GtkWidget *input_tools = gtk_flow_box_new ();
  GtkWidget *input_col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *fills = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *kernel_col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *output_col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *expander;
  const struct { const char *pattern, *label, *tooltip; } fill_buttons[] = {
    { "clear", N_("C_lear"), N_("Set every input cell to 0") },
    { "square", N_("S_quare"), N_("A bright square: its edges light up edge kernels") },
    { "line", N_("_Line"), N_("A vertical line") },
    { "image", N_("_Image"), N_("The inspected image, shrunk to the input size") },
  };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 12);
  self->size = 8;
  self->k = 3;
  self->stride = 1;
  self->explained_row = self->explained_col = 0;

  /* Controls */
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (controls), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (controls), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (controls), 12);
  self->size_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (MIN_SIZE, MAX_SIZE, 1));
  gtk_spin_button_set_value (self->size_spin, self->size);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->size_spin), _("Height and width of the input, 7 to 12"));
  self->kernel_size_dropdown = strings_dropdown (kernel_sizes);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kernel_size_dropdown), _("Size of the kernel"));
  self->padding_dropdown = strings_dropdown (paddings);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->padding_dropdown),
                               _("valid: the window stays inside the input; same: zeros around it keep the size"));
  self->stride_dropdown = strings_dropdown (strides);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stride_dropdown), _("How far the window moves each step"));
  self->preset_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->preset_dropdown),
                               _("Classic kernels, and the first-layer filters of your model"));
  g_signal_connect_swapped (self->size_spin, "value-changed", G_CALLBACK (on_geometry_changed), self);
  g_signal_connect_swapped (self->kernel_size_dropdown, "notify::selected", G_CALLBACK (on_geometry_changed), self);
  g_signal_connect_swapped (self->padding_dropdown, "notify::selected", G_CALLBACK (on_geometry_changed), self);
  g_signal_connect_swapped (self->stride_dropdown, "notify::selected", G_CALLBACK (on_geometry_changed), self);
  g_signal_connect (self->preset_dropdown, "notify::selected", G_CALLBACK (on_preset_selected), self);
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("Input _size"), GTK_WIDGET (self->size_spin)));
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("_Kernel"), GTK_WIDGET (self->kernel_size_dropdown)));
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("_Padding"), GTK_WIDGET (self->padding_dropdown)));
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("S_tride"), GTK_WIDGET (self->stride_dropdown)));
  gtk_flow_box_append (GTK_FLOW_BOX (controls), labelled (_("Kernel _values"), GTK_WIDGET (self->preset_dropdown)));
  gtk_box_append (GTK_BOX (self), controls);

  /* Input */
  self->input_grid = LL_NUMBER_GRID (ll_number_grid_new ());
  ll_number_grid_set_colormap (self->input_grid, LL_COLORMAP_GRAY);
  ll_number_grid_set_cell_size (self->input_grid, 36);
  ll_number_grid_set_digits (self->input_grid, 1);
  ll_number_grid_set_editable (self->input_grid, TRUE);
  ll_number_grid_set_activatable (self->input_grid, TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->input_grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->input_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Input: drag to paint, arrow keys and the value box to type"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->input_grid),
                               _("Drag to paint with the paint value; click a cell to type its value"));
  g_signal_connect (self->input_grid, "changed", G_CALLBACK (on_input_changed), self);
  g_signal_connect (self->input_grid, "cell-activated", G_CALLBACK (on_input_cell_activated), self);
  self->brush_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (-10, 10, 0.1));
  gtk_spin_button_set_digits (self->brush_spin, 1);
  gtk_spin_button_set_value (self->brush_spin, 1.0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->brush_spin), _("The value dragging paints"));
  g_signal_connect (self->brush_spin, "value-changed", G_CALLBACK (on_brush_changed), self);
  self->cell_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (-10, 10, 0.1));
  gtk_spin_button_set_digits (self->cell_spin, 2);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cell_spin), _("The value of the chosen input cell"));
  g_signal_connect (self->cell_spin, "value-changed", G_CALLBACK (on_cell_spin_changed), self);
  for (gsize i = 0; i < G_N_ELEMENTS (fill_buttons); i++)
    {
      GtkWidget *b = gtk_button_new_with_mnemonic (_(fill_buttons[i].label));
      gtk_widget_set_tooltip_text (b, _(fill_buttons[i].tooltip));
      g_object_set_data (G_OBJECT (b), "ll-pattern", (gpointer) fill_buttons[i].pattern);
      g_signal_connect (b, "clicked", G_CALLBACK (on_fill_clicked), self);
      gtk_box_append (GTK_BOX (fills), b);
      if (strcmp (fill_buttons[i].pattern, "image") == 0)
        {
          self->image_button = GTK_BUTTON (b);
          gtk_widget_set_visible (b, FALSE);
        }
    }
  gtk_box_append (GTK_BOX (input_col), GTK_WIDGET (self->input_grid));
  gtk_box_append (GTK_BOX (input_col), fills);
  /* Under the three columns, wrapping on narrow screens. */
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (input_tools), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (input_tools), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (input_tools), 18);
  gtk_flow_box_append (GTK_FLOW_BOX (input_tools), labelled (_("Paint _value"), GTK_WIDGET (self->brush_spin)));
  gtk_flow_box_append (GTK_FLOW_BOX (input_tools), labelled (_("Value of the c_hosen cell"), GTK_WIDGET (self->cell_spin)));

  /* Kernel */
  self->kernel_box = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->kernel_box, 4);
  gtk_grid_set_column_spacing (self->kernel_box, 4);
  gtk_box_append (GTK_BOX (kernel_col), GTK_WIDGET (self->kernel_box));

  /* Output */
  self->output_grid = LL_NUMBER_GRID (ll_number_grid_new ());
  ll_number_grid_set_colormap (self->output_grid, LL_COLORMAP_DIVERGING);
  ll_number_grid_set_cell_size (self->output_grid, 36);
  ll_number_grid_set_digits (self->output_grid, 1);
  ll_number_grid_set_activatable (self->output_grid, TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->output_grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->output_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Output: click a unit for its arithmetic"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->output_grid), _("Click a unit to see how it was computed"));
  g_signal_connect (self->output_grid, "cell-activated", G_CALLBACK (on_output_activated), self);
  self->arithmetic = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->arithmetic, 0);
  gtk_label_set_wrap (self->arithmetic, TRUE);
  gtk_label_set_selectable (self->arithmetic, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->arithmetic), "numeric");
  gtk_box_append (GTK_BOX (output_col), GTK_WIDGET (self->output_grid));

  /* Input, kernel and output side by side, wrapping when the screen is narrow. */
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (row), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (row), 3);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (row), 18);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (row), 12);
  gtk_flow_box_append (GTK_FLOW_BOX (row), column (_("Input"), input_col));
  gtk_flow_box_append (GTK_FLOW_BOX (row), column (_("Kernel"), kernel_col));
  gtk_flow_box_append (GTK_FLOW_BOX (row), column (_("Output"), output_col));
  gtk_box_append (GTK_BOX (self), row);
  gtk_box_append (GTK_BOX (self), input_tools);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->arithmetic));

  self->panel = LL_EXPLAIN_PANEL (ll_explain_panel_new ());
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->panel));

  self->animation = LL_SLIDE_ANIMATION (ll_slide_animation_new ());
  ll_slide_animation_set_captions (self->animation, _("The input, padding hatched"),
                                   _("The output, filled in window by window"));
  g_signal_connect (self->animation, "position-changed", G_CALLBACK (on_animation_position), self);
  expander = gtk_expander_new_with_mnemonic (_("_Animate the sliding window"));
  gtk_expander_set_child (GTK_EXPANDER (expander), GTK_WIDGET (self->animation));
  gtk_box_append (GTK_BOX (self), expander);

  classic_kernel (&classics[1], self->k, self->kernel);   /* vertical edges */
  fill_presets (self);
  rebuild_kernel_entries (self);
  show_kernel (self);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, 2);
  gtk_spin_button_set_value (self->cell_spin, 0.0);
  self->updating = FALSE;
  fill_pattern (self, "square");
}

GtkWidget *
ll_conv_sandbox_new (void)
{
  return g_object_new (LL_TYPE_CONV_SANDBOX, NULL);
}

void
ll_conv_sandbox_set_input (LlConvSandbox *self, const float *values, int size)
{
  g_return_if_fail (LL_IS_CONV_SANDBOX (self));
  g_return_if_fail (values != NULL && size >= MIN_SIZE && size <= MAX_SIZE);
  if (size != self->size)
    ll_conv_sandbox_set_geometry (self, size, self->k, self->same, self->stride);
  memcpy (self->input, values, (gsize) size * size * sizeof (float));
  show_input (self);
  recompute (self);
}

void
ll_conv_sandbox_set_kernel (LlConvSandbox *self, const float *values, int k)
{
  g_return_if_fail (LL_IS_CONV_SANDBOX (self));
  g_return_if_fail (values != NULL && (k == 3 || k == 5));
  apply_kernel_size (self, k);
  memcpy (self->kernel, values, (gsize) k * k * sizeof (float));
  show_kernel (self);
  set_preset_custom (self);
  recompute (self);
}

void
ll_conv_sandbox_set_model_kernels (LlConvSandbox *self, const float *kernel, int k, int cin,
                                   int filters, const char *layer_name)
{
  g_return_if_fail (LL_IS_CONV_SANDBOX (self));

  g_clear_pointer (&self->model_kernels, g_free);
  g_clear_pointer (&self->model_layer, g_free);
  self->n_model = 0;
  /* The sandbox has 3×3 and 5×5 kernels. */
  if (kernel != NULL && (k == 3 || k == 5) && cin > 0 && filters > 0)
    {
      self->n_model = MIN (filters, 64);
      self->model_k = k;
      self->model_layer = g_strdup (layer_name != NULL ? layer_name : "conv2d");
      self->model_kernels = g_new (float, (gsize) self->n_model * k * k);
      for (int f = 0; f < self->n_model; f++)
        for (int i = 0; i < k * k; i++)
          /* (ky, kx, c_in = 0, f) */
          self->model_kernels[(gsize) f * k * k + i] = kernel[((gsize) i * cin) * filters + f];
    }
  fill_presets (self);
}

void
ll_conv_sandbox_set_example_image (LlConvSandbox *self, const float *image, int h, int w)
{
  g_return_if_fail (LL_IS_CONV_SANDBOX (self));
  g_clear_pointer (&self->image, g_free);
  if (image != NULL && h > 0 && w > 0)
    {
      self->image = g_memdup2 (image, (gsize) h * w * sizeof (float));
      self->image_h = h;
      self->image_w = w;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->image_button), self->image != NULL);
}

LlModel *
ll_conv_sandbox_get_model (LlConvSandbox *self)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  return self->model;
}

const float *
ll_conv_sandbox_get_output (LlConvSandbox *self, int *rows, int *cols)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  *rows = self->out_rows;
  *cols = self->out_cols;
  return self->output;
}

void
ll_conv_sandbox_explain (LlConvSandbox *self, int row, int col)
{
  g_return_if_fail (LL_IS_CONV_SANDBOX (self));
  show_explanation (self, row, col);
}

LlExplainPanel *
ll_conv_sandbox_get_explain_panel (LlConvSandbox *self)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  return self->panel;
}

LlSlideAnimation *
ll_conv_sandbox_get_animation (LlConvSandbox *self)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  return self->animation;
}

LlNumberGrid *
ll_conv_sandbox_get_input_grid (LlConvSandbox *self)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  return self->input_grid;
}

LlNumberGrid *
ll_conv_sandbox_get_output_grid (LlConvSandbox *self)
{
  g_return_val_if_fail (LL_IS_CONV_SANDBOX (self), NULL);
  return self->output_grid;
}
