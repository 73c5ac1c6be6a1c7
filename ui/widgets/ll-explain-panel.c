/* ll-explain-panel.c: the arithmetic of one unit, drawn (see
 * ll-explain-panel.h).  The body is rebuilt for each explanation: its
 * parts depend on the kind of layer.  Every number comes from the
 * explanation; nothing is computed here but the per-channel sums of a
 * convolution's products, which add up to the explanation's sum. */
#include "config.h"

#include "ll-explain-panel.h"

#include "ll-feature-grid.h"
#include "ll-number-grid.h"

#include <glib/gi18n.h>
#include <math.h>

#define N_LARGEST 8

struct _LlExplainPanel
{
  GtkBox parent_instance;

  GtkLabel *title;
  GtkBox *body;
  GtkLabel *result;
  GtkLabel *check;

  LlExplanation *e;
  char **class_names;
  int channel;                    /* Conv2D: input channel shown */
  GtkDropDown *channel_dropdown;
  LlNumberGrid *window_grid, *kernel_grid, *product_grid;
  GtkLabel *channel_sum;
  char *result_text;
};

G_DEFINE_FINAL_TYPE (LlExplainPanel, ll_explain_panel, GTK_TYPE_BOX)

/* Text ---------------------------------------------------------------------- */

/* Four decimals, or an exponent for small values; never "−0". */
static char *
fmt (double v)
{
  if (v == 0.0)
    return g_strdup ("0");
  if (fabs (v) < 1e-3 || fabs (v) >= 1e6)
    return g_strdup_printf ("%.3e", v);
  return g_strdup_printf ("%.4f", v);
}

char *
ll_explain_shape_text (const LlLayerSpec *spec, const LlShape *in)
{
  LlWindowAxis axes[2];
  g_autofree char *rows = NULL, *cols = NULL;
  GString *s;

  g_return_val_if_fail (spec != NULL && in != NULL, NULL);
  if (!ll_layer_spec_window (spec, in, axes))
    return NULL;
  rows = ll_window_axis_formula (&axes[0]);
  cols = ll_window_axis_formula (&axes[1]);
  s = g_string_new (NULL);
  /* Translators: H, W (input height, width), K (window size), S (stride) and
   * P (padding) are the letters of the formula that follows. */
  g_string_append_printf (s, _("Rows: %s = %s"), ll_window_axis_symbols (&axes[0], 0), rows);
  g_string_append_c (s, '\n');
  g_string_append_printf (s, _("Columns: %s = %s"), ll_window_axis_symbols (&axes[1], 1), cols);
  if (axes[0].pad_before + axes[0].pad_after + axes[1].pad_before + axes[1].pad_after > 0)
    {
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("“same” padding adds P zeros: %d above and %d below, %d left and %d right"),
                              axes[0].pad_before, axes[0].pad_after, axes[1].pad_before, axes[1].pad_after);
    }
  if (axes[0].unused + axes[1].unused > 0)
    {
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("No window reads the last %d rows and %d columns (⌊ ⌋ rounds down)"),
                              axes[0].unused, axes[1].unused);
    }
  return g_string_free (s, FALSE);
}

char *
ll_explain_params_text (const LlLayerSpec *spec, const LlShape *in, const LlShape *out)
{
  const char *symbols = NULL;
  g_autofree char *formula = NULL;

  g_return_val_if_fail (spec != NULL && in != NULL && out != NULL, NULL);
  formula = ll_layer_param_formula (spec, in, out, &symbols, NULL);
  if (formula == NULL)
    return NULL;
  /* Translators: the formula, then the same with the numbers, e.g.
   * "Parameters: K·K·C_in·F + F = 5·5·1·3 + 3 = 78". */
  return g_strdup_printf (_("Parameters: %s = %s"), symbols, formula);
}

static GtkWidget *
caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkWidget *
line (const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "numeric");
  return label;
}

static GtkWidget *
operator_label (const char *op)
{
  GtkWidget *label = gtk_label_new (op);
  gtk_widget_add_css_class (label, "title-2");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

static LlNumberGrid *
small_grid (int k, LlColormap map, const char *name)
{
  LlNumberGrid *grid = LL_NUMBER_GRID (ll_number_grid_new ());

  ll_number_grid_set_colormap (grid, map);
  ll_number_grid_set_cell_size (grid, k <= 3 ? 48 : k <= 5 ? 42 : k <= 7 ? 32 : 18);
  ll_number_grid_set_numbers (grid, k <= 7 ? LL_NUMBERS_ALWAYS : LL_NUMBERS_NEVER);
  ll_number_grid_set_digits (grid, k <= 5 ? 2 : 1);
  gtk_widget_set_halign (GTK_WIDGET (grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return grid;
}

static GtkWidget *
titled (const char *title, GtkWidget *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = caption (title);

  /* One line over a grid: a wrapping label here made the row's height
   * depend on its width in a way GTK warns about. */
  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

/* Conv2D -------------------------------------------------------------------- */

static int
conv_cin (const LlExplanation *e)
{
  return e->in_shape.d[2];
}

static double
channel_sum (const LlExplanation *e, int c)
{
  int cin = conv_cin (e);
  double s = 0;

  for (int t = c; t < e->n_terms; t += cin)
    s += e->products[t];
  return s;
}

static void
show_conv_channel (LlExplainPanel *self)
{
  const LlExplanation *e = self->e;
  int k = e->axes[0].k, cin = conv_cin (e), c = self->channel;
  g_autofree float *in = g_new (float, k * k);
  g_autofree float *w = g_new (float, k * k);
  g_autofree float *p = g_new (float, k * k);
  g_autofree guint8 *pad = g_new (guint8, k * k);
  g_autofree char *sum = NULL, *text = NULL;

  for (int i = 0; i < k * k; i++)
    {
      int t = i * cin + c;
      in[i] = e->inputs[t];
      w[i] = e->weights[t];
      p[i] = (float) e->products[t];
      pad[i] = e->input_index[t] < 0;
    }
  ll_number_grid_set_values (self->window_grid, in, k, k);
  ll_number_grid_set_padding (self->window_grid, pad);
  ll_number_grid_set_values (self->kernel_grid, w, k, k);
  ll_number_grid_set_values (self->product_grid, p, k, k);
  ll_number_grid_set_padding (self->product_grid, pad);
  sum = fmt (channel_sum (e, c));
  if (cin > 1)
    text = g_strdup_printf (_("Sum of the %d products of input channel %d: %s"), k * k, c, sum);
  else
    text = g_strdup_printf (_("Sum of the %d products: %s"), k * k, sum);
  gtk_label_set_text (self->channel_sum, text);
}

static void
on_channel_selected (GtkDropDown *dropdown, GParamSpec *pspec, LlExplainPanel *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (self->e == NULL || i == GTK_INVALID_LIST_POSITION || (int) i == self->channel)
    return;
  self->channel = (int) i;
  show_conv_channel (self);
}

static void
build_conv (LlExplainPanel *self)
{
  const LlExplanation *e = self->e;
  int k = e->axes[0].k, cin = conv_cin (e);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  g_autofree char *where = NULL, *window_title = NULL, *kernel_title = NULL;
  LlColormap input_map = e->layer == 1 ? LL_COLORMAP_GRAY : LL_COLORMAP_VIRIDIS;

  where = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "The window: rows %d to %d, columns %d to %d of the input "
                                        "(hatched cells are padding: zeros). The next window starts "
                                        "%d column to the right.",
                                        "The window: rows %d to %d, columns %d to %d of the input "
                                        "(hatched cells are padding: zeros). The next window starts "
                                        "%d columns to the right.", (gulong) e->axes[1].s),
                           e->start[0], e->stop[0] - 1, e->start[1], e->stop[1] - 1, e->axes[1].s);
  gtk_box_append (self->body, caption (where));

  self->channel = CLAMP (self->channel, 0, cin - 1);
  if (cin > 1)
    {
      GtkStringList *names = gtk_string_list_new (NULL);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *label = gtk_label_new_with_mnemonic (_("Input _channel"));

      for (int c = 0; c < cin; c++)
        {
          g_autofree char *s = fmt (channel_sum (e, c));
          g_autofree char *item = g_strdup_printf (_("%d (sum %s)"), c, s);
          gtk_string_list_append (names, item);
        }
      self->channel_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (names), NULL));
      gtk_drop_down_set_selected (self->channel_dropdown, self->channel);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->channel_dropdown));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->channel_dropdown),
                                   _("The filter spans every input channel: choose which one's "
                                     "window, kernel and products are shown"));
      g_signal_connect (self->channel_dropdown, "notify::selected", G_CALLBACK (on_channel_selected), self);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->channel_dropdown));
      gtk_box_append (self->body, box);
    }

  self->window_grid = small_grid (k, input_map, _("Input window"));
  self->kernel_grid = small_grid (k, LL_COLORMAP_DIVERGING, _("Kernel"));
  self->product_grid = small_grid (k, LL_COLORMAP_DIVERGING, _("Products"));
  window_title = cin > 1 ? g_strdup_printf (_("Input window, channel %d"), self->channel)
                         : g_strdup (_("Input window"));
  kernel_title = g_strdup_printf (_("Kernel of filter %d"), e->unit[2]);
  gtk_box_append (GTK_BOX (row), titled (window_title, GTK_WIDGET (self->window_grid)));
  gtk_box_append (GTK_BOX (row), operator_label ("×"));
  gtk_box_append (GTK_BOX (row), titled (kernel_title, GTK_WIDGET (self->kernel_grid)));
  gtk_box_append (GTK_BOX (row), operator_label ("="));
  gtk_box_append (GTK_BOX (row), titled (_("Products, cell by cell"), GTK_WIDGET (self->product_grid)));
  gtk_box_append (self->body, row);
  self->channel_sum = GTK_LABEL (line (""));
  gtk_box_append (self->body, GTK_WIDGET (self->channel_sum));
  show_conv_channel (self);
  if (cin > 1)
    {
      g_autofree char *all = fmt (e->sum);
      g_autofree char *text = g_strdup_printf (_("Sum over all %d input channels (%d products): %s"),
                                               cin, e->n_terms, all);
      gtk_box_append (self->body, line (text));
    }
}

/* Pooling --------------------------------------------------------------------- */

static void
build_pool (LlExplainPanel *self)
{
  const LlExplanation *e = self->e;
  int k = e->axes[0].k;
  LlNumberGrid *grid = small_grid (k, LL_COLORMAP_VIRIDIS, _("Pooling window"));
  g_autofree guint8 *pad = g_new (guint8, e->n_terms);
  g_autofree char *where = NULL;

  for (int t = 0; t < e->n_terms; t++)
    pad[t] = e->input_index[t] < 0;
  ll_number_grid_set_values (grid, e->inputs, k, k);
  ll_number_grid_set_padding (grid, pad);
  if (e->winner >= 0)
    ll_number_grid_set_marked (grid, e->winner / k, e->winner % k);
  where = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Channel %d, rows %d to %d, columns %d to %d of the input; the "
                                        "next window starts %d column to the right. Hatched cells are "
                                        "padding and take no part.",
                                        "Channel %d, rows %d to %d, columns %d to %d of the input; the "
                                        "next window starts %d columns to the right. Hatched cells are "
                                        "padding and take no part.", (gulong) e->axes[1].s),
                           e->unit[2], e->start[0], e->stop[0] - 1, e->start[1], e->stop[1] - 1,
                           e->axes[1].s);
  gtk_box_append (self->body, caption (where));
  gtk_box_append (self->body, GTK_WIDGET (grid));
}

static void
build_global_pool (LlExplainPanel *self)
{
  const LlExplanation *e = self->e;
  int h = e->in_shape.d[0], w = e->in_shape.d[1];
  LlNumberGrid *grid = LL_NUMBER_GRID (ll_number_grid_new ());
  g_autofree char *title = g_strdup_printf (_("All %d×%d values of channel %d"), h, w, e->unit[0]);

  ll_number_grid_set_values (grid, e->inputs, h, w);
  ll_number_grid_set_cell_size (grid, CLAMP (320 / MAX (h, w), 6, 44));
  ll_number_grid_set_numbers (grid, LL_NUMBERS_AUTO);
  if (e->winner >= 0)
    ll_number_grid_set_marked (grid, e->winner / w, e->winner % w);
  gtk_widget_set_halign (GTK_WIDGET (grid), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_box_append (self->body, titled (title, GTK_WIDGET (grid)));
}

/* Dense ------------------------------------------------------------------------ */

static GtkWidget *
picture (const char *title, const float *v, const LlShape *s, LlColormap map)
{
  GtkWidget *grid = ll_feature_grid_new ();

  ll_feature_grid_set_colormap (LL_FEATURE_GRID (grid), map);
  ll_feature_grid_set_tile_size (LL_FEATURE_GRID (grid), 112);
  ll_feature_grid_set_hwc (LL_FEATURE_GRID (grid), v, s->d[0], s->d[1], s->d[2]);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return titled (title, grid);
}

static void
build_dense (LlExplainPanel *self)
{
  const LlExplanation *e = self->e;
  GtkWidget *table = gtk_grid_new ();
  int shown = MIN (N_LARGEST, e->n_terms);
  const char *heads[] = { _("Input"), _("value"), "", _("weight"), "", _("product") };

  if (e->weights_image.rank == 3)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree float *products = g_new (float, e->n_terms);
      g_autofree char *wt = g_strdup_printf (_("The %d weights of unit %d, as a picture"),
                                             e->n_terms, e->unit[0]);

      for (int i = 0; i < e->n_terms; i++)
        products[i] = (float) e->products[i];
      gtk_box_append (GTK_BOX (row), picture (_("The input"), e->inputs, &e->weights_image,
                                              LL_COLORMAP_GRAY));
      gtk_box_append (GTK_BOX (row), picture (wt, e->weights, &e->weights_image, LL_COLORMAP_DIVERGING));
      gtk_box_append (GTK_BOX (row), picture (_("Input × weight (red adds, blue takes away)"),
                                              products, &e->weights_image, LL_COLORMAP_DIVERGING));
      gtk_box_append (self->body, row);
    }

  {
    g_autofree char *t = g_strdup_printf (_("The %d largest of the %d products input × weight:"),
                                          shown, e->n_terms);
    gtk_box_append (self->body, caption (t));
  }
  gtk_grid_set_column_spacing (GTK_GRID (table), 10);
  gtk_grid_set_row_spacing (GTK_GRID (table), 2);
  for (int c = 0; c < 6; c++)
    {
      GtkWidget *h = gtk_label_new (heads[c]);
      gtk_label_set_xalign (GTK_LABEL (h), 1);
      gtk_widget_add_css_class (h, "dim-label");
      gtk_grid_attach (GTK_GRID (table), h, c, 0, 1, 1);
    }
  for (int i = 0; i < shown; i++)
    {
      int t = e->order[i];
      g_autofree char *where = NULL, *x = fmt (e->inputs[t]), *w = fmt (e->weights[t]);
      g_autofree char *p = fmt (e->products[t]);
      const char *cells[6];

      if (e->weights_image.rank == 3)
        {
          int c = e->weights_image.d[2], wd = e->weights_image.d[1];
          where = c > 1 ? g_strdup_printf (_("%d (row %d, column %d, channel %d)"), t,
                                           t / c / wd, t / c % wd, t % c)
                        : g_strdup_printf (_("%d (row %d, column %d)"), t, t / wd, t % wd);
        }
      else
        where = g_strdup_printf ("%d", t);
      cells[0] = where; cells[1] = x; cells[2] = "×"; cells[3] = w; cells[4] = "="; cells[5] = p;
      for (int c = 0; c < 6; c++)
        {
          GtkWidget *l = gtk_label_new (cells[c]);
          gtk_label_set_xalign (GTK_LABEL (l), 1);
          gtk_widget_add_css_class (l, "numeric");
          gtk_grid_attach (GTK_GRID (table), l, c, i + 1, 1, 1);
        }
    }
  gtk_box_append (self->body, table);
  {
    g_autofree char *s = fmt (e->sum);
    g_autofree char *t = g_strdup_printf (_("Sum of all %d products: %s"), e->n_terms, s);
    gtk_box_append (self->body, line (t));
  }
}

/* Softmax ---------------------------------------------------------------------- */

static void
build_softmax (LlExplainPanel *self)
{
  const LlExplainSoftmax *s = self->e->softmax;
  GtkWidget *table = gtk_grid_new ();
  const char *heads[] = { "", _("logit"), s->shift != 0 ? _("exp(logit − max)") : _("exp(logit)"),
                          _("share") };
  guint n_names = self->class_names != NULL ? g_strv_length (self->class_names) : 0;

  gtk_box_append (self->body, caption (_("Softmax turns the logits of all units into shares that add up to 1:")));
  gtk_grid_set_column_spacing (GTK_GRID (table), 12);
  gtk_grid_set_row_spacing (GTK_GRID (table), 2);
  for (int c = 0; c < 4; c++)
    {
      GtkWidget *h = gtk_label_new (heads[c]);
      gtk_label_set_xalign (GTK_LABEL (h), 1);
      gtk_widget_add_css_class (h, "dim-label");
      gtk_grid_attach (GTK_GRID (table), h, c, 0, 1, 1);
    }
  for (int i = 0; i < s->n; i++)
    {
      g_autofree char *name = (guint) i < n_names && self->e->unit_rank == 1
                              ? g_strdup (self->class_names[i]) : g_strdup_printf ("%d", i);
      g_autofree char *logit = fmt (s->logits[i]), *ex = g_strdup_printf ("%.4g", s->exps[i]);
      g_autofree char *share = fmt (s->shares[i]);
      const char *cells[4] = { name, logit, ex, share };
      GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);

      for (int c = 0; c < 4; c++)
        {
          GtkWidget *l = gtk_label_new (cells[c]);
          gtk_label_set_xalign (GTK_LABEL (l), 1);
          gtk_widget_add_css_class (l, "numeric");
          if (i == s->index)
            gtk_widget_add_css_class (l, "heading");
          gtk_grid_attach (GTK_GRID (table), l, c, i + 1, 1, 1);
        }
      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), s->shares[i]);
      gtk_widget_set_size_request (bar, 120, -1);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_grid_attach (GTK_GRID (table), bar, 4, i + 1, 1, 1);
    }
  gtk_box_append (self->body, table);
}

/* The result ------------------------------------------------------------------------ */

static char *
activation_text (const LlExplanation *e)
{
  g_autofree char *pre = fmt (e->pre_activation), *v = fmt (e->value);

  if (e->softmax != NULL)
    {
      const LlExplainSoftmax *s = e->softmax;
      g_autofree char *sum = g_strdup_printf ("%.4g", s->exp_sum);
      g_autofree char *mine = g_strdup_printf ("%.4g", s->exps[s->index]);
      return g_strdup_printf (_("Sum of the exps: %s. This unit's share: %s / %s = %s"),
                              sum, mine, sum, v);
    }
  if (e->activation == LL_ACT_LINEAR && e->kind != LL_EXPLAIN_ACTIVATION)
    return NULL;
  return g_strdup_printf ("%s(%s) = %s", ll_activation_names[e->activation], pre, v);
}

static char *
result_text (const LlExplanation *e)
{
  GString *s = g_string_new (NULL);
  g_autofree char *sum = fmt (e->sum), *pre = fmt (e->pre_activation), *x = fmt (e->x);
  g_autofree char *act = activation_text (e);

  switch (e->kind)
    {
    case LL_EXPLAIN_INPUT:
      g_string_append_printf (s, _("The input value: %s"), x);
      break;
    case LL_EXPLAIN_COPY:
      g_string_append_printf (s, _("%s moves values without computing: input value %zu = %s"),
                              e->type->name, e->out_index, x);
      break;
    case LL_EXPLAIN_CONV2D:
    case LL_EXPLAIN_DENSE:
      if (e->has_bias)
        {
          g_autofree char *b = fmt (e->bias);
          g_string_append_printf (s, _("%s + bias %s = %s (before the activation)"), sum, b, pre);
        }
      else
        g_string_append_printf (s, _("No bias: %s (before the activation)"), pre);
      break;
    case LL_EXPLAIN_MAX_POOL:
    case LL_EXPLAIN_GLOBAL_MAX_POOL:
      if (e->kind == LL_EXPLAIN_GLOBAL_MAX_POOL)
        g_string_append_printf (s, _("The largest of the %d values: %s (row %d, column %d)"),
                                e->n_counted, pre, e->winner / e->in_shape.d[1],
                                e->winner % e->in_shape.d[1]);
      else
        g_string_append_printf (s, _("The largest of the %d values: %s"), e->n_counted, pre);
      break;
    case LL_EXPLAIN_AVERAGE_POOL:
    case LL_EXPLAIN_GLOBAL_AVERAGE_POOL:
      g_string_append_printf (s, _("Their average: %s / %d = %s"), sum, e->n_counted, pre);
      break;
    case LL_EXPLAIN_BATCH_NORM:
      {
        g_autofree char *m = fmt (e->mean), *v = fmt (e->var), *eps = fmt (e->epsilon);
        g_autofree char *g = fmt (e->gamma), *b = fmt (e->beta), *n = fmt (e->normalized);
        g_string_append (s, e->training
                            ? _("Training step: this batch's mean and variance of the channel")
                            : _("Inference: the moving mean and variance learned in training"));
        g_string_append_printf (s, "\n(x − μ) / √(σ² + ε) · γ + β = (%s − %s) / √(%s + %s) · %s + %s\n= %s · %s + %s = %s",
                                x, m, v, eps, g, b, n, g, b, pre);
        break;
      }
    case LL_EXPLAIN_DROPOUT:
      {
        g_autofree char *rate = fmt (e->rate);
        if (!e->training || e->rate <= 0)
          g_string_append_printf (s, _("Dropout is off outside training: %s passes unchanged"), x);
        else if (e->kept)
          g_string_append_printf (s, _("Kept in this step: %s × 1/(1 − %s) = %s"), x, rate, pre);
        else
          g_string_append_printf (s, _("Dropped in this step (rate %s): %s × 0 = 0"), rate, x);
        break;
      }
    case LL_EXPLAIN_ACTIVATION:
    default:
      break;
    }
  if (act != NULL)
    {
      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append (s, act);
    }
  return g_string_free (s, FALSE);
}

static void
rebuild (LlExplainPanel *self)
{
  GtkWidget *child;
  const LlExplanation *e = self->e;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->body))) != NULL)
    gtk_box_remove (self->body, child);
  self->channel_dropdown = NULL;
  self->window_grid = self->kernel_grid = self->product_grid = NULL;
  self->channel_sum = NULL;
  g_clear_pointer (&self->result_text, g_free);

  if (e == NULL)
    {
      gtk_label_set_text (self->title, _("Click a unit of a layer's output to see how it was computed."));
      gtk_label_set_text (self->result, "");
      gtk_label_set_text (self->check, "");
      gtk_widget_set_visible (GTK_WIDGET (self->check), FALSE);
      return;
    }

  {
    g_autofree char *title = e->unit_rank == 3
      ? g_strdup_printf (_("%s (%s): row %d, column %d, channel %d"), e->layer_name, e->type->name,
                         e->unit[0], e->unit[1], e->unit[2])
      : g_strdup_printf (_("%s (%s): unit %d"), e->layer_name, e->type->name, e->unit[0]);
    gtk_label_set_text (self->title, title);
  }

  switch (e->kind)
    {
    case LL_EXPLAIN_CONV2D:
      build_conv (self);
      break;
    case LL_EXPLAIN_MAX_POOL:
    case LL_EXPLAIN_AVERAGE_POOL:
      build_pool (self);
      break;
    case LL_EXPLAIN_GLOBAL_MAX_POOL:
    case LL_EXPLAIN_GLOBAL_AVERAGE_POOL:
      build_global_pool (self);
      break;
    case LL_EXPLAIN_DENSE:
      build_dense (self);
      break;
    default:
      break;
    }
  if (e->softmax != NULL)
    build_softmax (self);

  self->result_text = result_text (e);
  gtk_label_set_text (self->result, self->result_text);
  {
    g_autofree char *engine = fmt (e->engine_value);
    g_autofree char *text = ll_explanation_discrepancy (e) <= 1e-5
      ? g_strdup_printf (_("✓ The engine computed %s for this unit: the same number."), engine)
      : g_strdup_printf (_("The engine computed %s for this unit; this arithmetic gives %g."),
                         engine, e->value);
    gtk_label_set_text (self->check, text);
    gtk_widget_set_visible (GTK_WIDGET (self->check), TRUE);
  }
}

/* Object ----------------------------------------------------------------------------- */

static void
ll_explain_panel_dispose (GObject *object)
{
  LlExplainPanel *self = LL_EXPLAIN_PANEL (object);

  g_clear_pointer (&self->e, ll_explanation_free);
  G_OBJECT_CLASS (ll_explain_panel_parent_class)->dispose (object);
}

static void
ll_explain_panel_finalize (GObject *object)
{
  LlExplainPanel *self = LL_EXPLAIN_PANEL (object);

  g_strfreev (self->class_names);
  g_free (self->result_text);
  G_OBJECT_CLASS (ll_explain_panel_parent_class)->finalize (object);
}

static void
ll_explain_panel_class_init (LlExplainPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ll_explain_panel_dispose;
  object_class->finalize = ll_explain_panel_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "explainpanel");
}

static void
ll_explain_panel_init (LlExplainPanel *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 8);

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_label_set_wrap (self->title, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  self->body = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  self->result = GTK_LABEL (line (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->result), "title-4");
  self->check = GTK_LABEL (line (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->check), "success");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->body));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->result));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->check));
  rebuild (self);
}

GtkWidget *
ll_explain_panel_new (void)
{
  return g_object_new (LL_TYPE_EXPLAIN_PANEL, NULL);
}

void
ll_explain_panel_set_explanation (LlExplainPanel *self, LlExplanation *e)
{
  g_return_if_fail (LL_IS_EXPLAIN_PANEL (self));
  /* The same layer keeps the chosen input channel. */
  if (e == NULL || self->e == NULL || e->layer != self->e->layer)
    self->channel = 0;
  g_clear_pointer (&self->e, ll_explanation_free);
  self->e = e;
  rebuild (self);
}

const LlExplanation *
ll_explain_panel_get_explanation (LlExplainPanel *self)
{
  g_return_val_if_fail (LL_IS_EXPLAIN_PANEL (self), NULL);
  return self->e;
}

void
ll_explain_panel_set_class_names (LlExplainPanel *self, const char *const *names)
{
  g_return_if_fail (LL_IS_EXPLAIN_PANEL (self));
  g_strfreev (self->class_names);
  self->class_names = g_strdupv ((char **) names);
  if (self->e != NULL && self->e->softmax != NULL)
    rebuild (self);
}

void
ll_explain_panel_set_channel (LlExplainPanel *self, int channel)
{
  g_return_if_fail (LL_IS_EXPLAIN_PANEL (self));
  if (self->channel_dropdown != NULL)
    gtk_drop_down_set_selected (self->channel_dropdown, (guint) MAX (channel, 0));
  else
    self->channel = MAX (channel, 0);
}

int
ll_explain_panel_get_channel (LlExplainPanel *self)
{
  g_return_val_if_fail (LL_IS_EXPLAIN_PANEL (self), 0);
  return self->channel;
}

const char *
ll_explain_panel_get_result_text (LlExplainPanel *self)
{
  g_return_val_if_fail (LL_IS_EXPLAIN_PANEL (self), NULL);
  return self->result_text;
}
