/* test-model-controls.c: the Model view's property editor as a user
 * drives it (needs a display): + on Dropout's rate steps to round values
 * and the code says what the field shows; MaxPooling's strides read
 * "= pool size"; the L1 factor shows only with an l1 regularizer; the
 * name field renames the layer (undoable); a running run's own dropout
 * rate shows on the Dropout card. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "ll-document.h"
#include "ll-model-view.h"
#include "ll-view.h"

static void
collect (GtkWidget *w, GType type, GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (w))
    g_ptr_array_add (out, w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect (c, type, out);
}

/* The widget the editor row labelled `label` edits, or NULL when hidden. */
static GtkWidget *
editor_widget (GtkWidget *view, const char *label)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect (view, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *l = g_ptr_array_index (labels, i);
      GtkWidget *target = gtk_label_get_mnemonic_widget (l);
      if (target != NULL && g_strcmp0 (gtk_label_get_text (l), label) == 0)
        return gtk_widget_get_visible (target) ? target : NULL;
    }
  return NULL;
}

static gboolean
text_shown (GtkWidget *view, const char *needle)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect (view, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static int
layer_of (LlDocument *doc, const LlLayerType *type)
{
  const LlArch *arch = ll_document_get_arch (doc);

  for (int i = 0; i < ll_arch_n_layers (arch); i++)
    if (ll_arch_layer (arch, i)->type == type)
      return i;
  return -1;
}

static void
test_controls (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view;
  GtkWidget *w;
  g_autofree char *code = NULL;
  int dropout, pool, dense;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error));
  g_assert_no_error (error);
  view = g_object_new (LL_TYPE_MODEL_VIEW, "document", doc, NULL);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  iterate ();
  dropout = layer_of (doc, &ll_layer_dropout);
  pool = layer_of (doc, &ll_layer_max_pooling2d);
  dense = layer_of (doc, &ll_layer_dense);
  g_assert_cmpint (dropout, >, 0);
  g_assert_cmpint (pool, >, 0);
  g_assert_cmpint (dense, >, 0);

  /* Dropout 0.5, + four times: 0.6, 0.7, 0.8, 0.9, and the code says so. */
  ll_model_view_set_selected (LL_MODEL_VIEW (view), dropout);
  iterate ();
  w = editor_widget (view, "Rate");
  g_assert_nonnull (w);
  for (int k = 0; k < 4; k++)
    {
      gtk_spin_button_spin (GTK_SPIN_BUTTON (w), GTK_SPIN_STEP_FORWARD, 0);
      iterate ();
    }
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), dropout), "rate", 0), ==, 0.9);
  code = ll_model_view_dup_code (LL_MODEL_VIEW (view), "keras");
  g_assert_nonnull (strstr (code, "Dropout(0.9)"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (w)), ==, "0.90");
  /* A typed value with more digits than shown (as the field parses it):
   * rounded to what shows. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (w), 0.333);
  iterate ();
  g_assert_cmpfloat (ll_layer_spec_get (ll_arch_layer (ll_document_get_arch (doc), dropout), "rate", 0), ==, 0.33);

  /* A running run's own rate shows on the card, and goes with the run. */
  ll_document_set_live_dropout (doc, 0.2);
  iterate ();
  g_assert_true (text_shown (view, "this run: 0.2"));
  ll_document_set_live_dropout (doc, NAN);
  iterate ();
  g_assert_false (text_shown (view, "this run:"));

  /* MaxPooling's strides: "= pool size", not 0. */
  ll_model_view_set_selected (LL_MODEL_VIEW (view), pool);
  iterate ();
  w = editor_widget (view, "Strides");
  g_assert_nonnull (w);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (w)), ==, "= pool size");

  /* The L1 factor only with an l1 regularizer. */
  ll_model_view_set_selected (LL_MODEL_VIEW (view), dense);
  iterate ();
  g_assert_null (editor_widget (view, "L1 factor"));
  g_assert_true (ll_document_set_layer_param (doc, dense, "kernel_regularizer", 1, &error));
  iterate ();
  g_assert_nonnull (editor_widget (view, "L1 factor"));
  g_assert_null (editor_widget (view, "L2 factor"));

  /* Rename through the name field: Enter applies, undo takes it back. */
  w = editor_widget (view, "Name");
  g_assert_nonnull (w);
  gtk_editable_set_text (GTK_EDITABLE (w), "hidden");
  g_signal_emit_by_name (w, "activate");
  iterate ();
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "hidden");
  g_free (code);
  code = ll_model_view_dup_code (LL_MODEL_VIEW (view), "keras");
  g_assert_nonnull (strstr (code, "name=\"hidden\""));
  g_assert_true (text_shown (view, "hidden"));
  g_assert_true (ll_document_undo (doc));
  iterate ();
  g_assert_cmpstr (ll_arch_layer (ll_document_get_arch (doc), dense)->name, ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
  iterate ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!gtk_init_check ())
    {
      g_test_message ("no display");
      return 77;
    }
  adw_init ();
  ll_ui_ensure_resources ();
  g_test_add_func ("/model-controls/editor", test_controls);
  return g_test_run ();
}
