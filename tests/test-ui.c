/* test-ui.c: the application window and the Model view, under Xvfb.
 *
 * Widget tests run in subprocesses (a hang or a crash fails one test, not
 * the suite).  The screenshot tests run the built layerlab binary. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ll-codegen.h"
#include "ll-document.h"
#include "ll-model-reader.h"
#include "ll-model-view.h"
#include "ll-presets.h"
#include "ll-views.h"
#include "ll-presentation.h"
#include "ll-test-util.h"
#include "ll-window.h"

#define SUBPROCESS_TIMEOUT (240 * G_USEC_PER_SEC)   /* every-action takes ~45 s on two idle cores */

#define RUN_IN_SUBPROCESS()                                              \
  G_STMT_START {                                                         \
    if (!g_test_subprocess ())                                           \
      {                                                                  \
        g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT,                \
                                G_TEST_SUBPROCESS_INHERIT_STDOUT |       \
                                G_TEST_SUBPROCESS_INHERIT_STDERR);       \
        g_test_trap_assert_passed ();                                    \
        return;                                                          \
      }                                                                  \
  } G_STMT_END

static void
iterate (int n)
{
  for (int i = 0; i < n; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
test_window_lifecycle (void)
{
  LlWindow *window;
  LlDocument *doc;

  RUN_IN_SUBPROCESS ();

  doc = ll_document_new ();
  window = g_object_ref (ll_window_new (NULL, doc));
  g_assert_true (ll_window_get_document (window) == doc);
  for (guint i = 0; i < ll_n_views; i++)
    {
      g_assert_nonnull (ll_window_get_view_widget (window, ll_views[i].name));
      ll_window_set_view (window, ll_views[i].name);
      g_assert_cmpstr (ll_window_get_view (window), ==, ll_views[i].name);
    }
  gtk_window_present (GTK_WINDOW (window));
  iterate (5);

  ll_window_set_presentation (window, TRUE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_cmpfloat (ll_presentation_scale (ll_window_get_view_widget (window, "model")), >, 1.0);
  ll_window_set_presentation (window, FALSE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));

  gtk_window_destroy (GTK_WINDOW (window));
  iterate (5);
  g_assert_finalize_object (window);
  g_assert_finalize_object (doc);
}

static void
test_window_default_document (void)
{
  LlWindow *window;
  LlDocument *doc;
  const char *expected = ll_preset_lookup ("mnist-cnn") != NULL ? "MNIST CNN" : NULL;

  RUN_IN_SUBPROCESS ();

  window = g_object_ref (ll_window_new (NULL, NULL));
  doc = ll_window_get_document (window);
  g_assert_true (ll_document_get_valid (doc));
  g_assert_false (ll_document_get_dirty (doc));
  if (expected != NULL)
    {
      g_autofree char *title = ll_document_dup_title (doc);
      g_assert_cmpstr (title, ==, ll_preset_lookup ("mnist-cnn")->title);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  iterate (5);
  g_assert_finalize_object (window);
}

/* A model view inside a plain window, with its own document. */
typedef struct {
  GtkWindow *window;
  LlModelView *view;
  LlDocument *doc;
} Fixture;

static void
fixture_setup (Fixture *f, const char *preset)
{
  g_autoptr(GError) error = NULL;

  f->doc = ll_document_new ();
  f->view = LL_MODEL_VIEW (ll_model_view_new ());
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_set_default_size (f->window, 1200, 800);
  ll_view_set_document (LL_VIEW (f->view), f->doc);
  g_assert_true (ll_document_load_preset (f->doc, preset, &error));
  g_assert_no_error (error);
  gtk_window_present (f->window);
  iterate (3);
}

static void
fixture_teardown (Fixture *f)
{
  gtk_window_destroy (f->window);
  iterate (3);
  g_assert_finalize_object (f->doc);
}

static void
test_model_view_presets (void)
{
  int n_presets = 0;
  const LlPresetInfo *presets = ll_presets (&n_presets);
  Fixture f;

  RUN_IN_SUBPROCESS ();

  fixture_setup (&f, "mlp-128-dropout");
  g_assert_cmpint (n_presets, >=, 4);
  for (int i = 0; i < n_presets; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *keras = NULL;
      g_autofree char *expected = NULL;

      /* Through the view's action, as the Presets menu does. */
      gtk_widget_activate_action (GTK_WIDGET (f.view), "model.preset", "s", presets[i].name);
      g_assert_true (ll_document_get_valid (f.doc));
      g_assert_cmpint (ll_model_view_get_n_cards (f.view), ==,
                       ll_arch_n_layers (ll_document_get_arch (f.doc)));
      keras = ll_model_view_dup_code (f.view, "keras");
      expected = ll_codegen_keras (ll_document_get_arch (f.doc), ll_document_get_config (f.doc),
                                   ll_document_get_dataset (f.doc));
      g_assert_cmpstr (keras, ==, expected);
    }
  fixture_teardown (&f);
}

/* A label under widget whose tooltip contains text, or NULL. */
static GtkWidget *
find_tooltip (GtkWidget *widget, const char *text)
{
  const char *tip = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_LABEL (widget) && tip != NULL && strstr (tip, text) != NULL)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A Conv2D or pooling card's shape and a weighted layer's parameter count
 * explain themselves on hover with the arithmetic, numbers included. */
static void
test_model_view_arithmetic_tooltips (void)
{
  struct { int layer; const char *text; const char *css; } want[] = {
    { 1, "Rows: (H − K) / S + 1 = (28 − 3) / 1 + 1 = 26", "layer-shape" },
    { 1, "Parameters: K·K·C_in·F + F = 3·3·1·32 + 32 = 320", NULL },
    { 2, "Columns: (W − K) / S + 1 = (26 − 2) / 2 + 1 = 13", "layer-shape" },
    { 3, "3·3·32·64 + 64 = 18,496", NULL },
    { 4, "⌊(11 − 2) / 2⌋ + 1 = 5", "layer-shape" },
    { 6, "N_in·U + U = 1600·128 + 128 = 204,928", NULL },
  };
  Fixture f;

  RUN_IN_SUBPROCESS ();

  fixture_setup (&f, "mnist-cnn");
  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      GtkWidget *label = find_tooltip (ll_model_view_get_card (f.view, want[i].layer), want[i].text);
      g_assert_nonnull (label);
      if (want[i].css != NULL)
        g_assert_true (gtk_widget_has_css_class (label, want[i].css));
    }
  /* Layers without a window or weights: no such tooltip. */
  g_assert_null (find_tooltip (ll_model_view_get_card (f.view, 5), "Rows:"));
  g_assert_null (find_tooltip (ll_model_view_get_card (f.view, 5), "Parameters:"));
  fixture_teardown (&f);
}

static void
test_model_view_edit_undo (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *undone = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;
  int dense = -1;

  RUN_IN_SUBPROCESS ();

  fixture_setup (&f, "mlp-128-dropout");
  before = ll_model_view_dup_summary (f.view);
  g_assert_nonnull (strstr (before, "101,770"));
  g_assert_false (ll_document_get_can_undo (f.doc));

  for (int i = 0; i < ll_arch_n_layers (ll_document_get_arch (f.doc)); i++)
    if (ll_arch_layer (ll_document_get_arch (f.doc), i)->type == &ll_layer_dense)
      {
        dense = i;
        break;
      }
  g_assert_cmpint (dense, >, 0);

  /* 784·64 + 64 + 64·10 + 10 = 50,890 */
  g_assert_true (ll_document_set_layer_param (f.doc, dense, "units", 64, &error));
  g_assert_no_error (error);
  after = ll_model_view_dup_summary (f.view);
  g_assert_nonnull (strstr (after, "50,890"));
  g_assert_true (ll_document_get_dirty (f.doc));
  code = ll_model_view_dup_code (f.view, "keras");
  g_assert_nonnull (strstr (code, "layers.Dense(64, activation=\"relu\")"));

  /* Out of range: refused, nothing changes. */
  g_assert_false (ll_document_set_layer_param (f.doc, dense, "units", -3, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (ll_document_undo (f.doc));
  undone = ll_model_view_dup_summary (f.view);
  g_assert_cmpstr (undone, ==, before);
  g_assert_false (ll_document_get_dirty (f.doc));
  g_assert_true (ll_document_redo (f.doc));
  shown = ll_model_view_dup_summary (f.view);
  g_assert_cmpstr (shown, ==, after);

  fixture_teardown (&f);
}

static void
test_model_view_builder (void)
{
  Fixture f;
  const LlArch *arch;
  int n0;
  g_autoptr(LlArch) original = NULL;

  RUN_IN_SUBPROCESS ();

  fixture_setup (&f, "mlp-128-dropout");
  arch = ll_document_get_arch (f.doc);
  original = ll_arch_copy (arch);
  n0 = ll_arch_n_layers (arch);

  /* Add: a Dropout after the Flatten (layer 1). */
  ll_model_view_set_selected (f.view, 1);
  g_assert_true (ll_model_view_insert_type (f.view, "Dropout"));
  arch = ll_document_get_arch (f.doc);
  g_assert_cmpint (ll_arch_n_layers (arch), ==, n0 + 1);
  g_assert_true (ll_arch_layer (arch, 2)->type == &ll_layer_dropout);
  g_assert_cmpint (ll_model_view_get_selected (f.view), ==, 2);
  g_assert_cmpint (ll_model_view_get_n_cards (f.view), ==, n0 + 1);
  g_assert_true (ll_document_get_valid (f.doc));

  /* Reorder with the keyboard action: the new Dropout moves down one. */
  gtk_widget_activate_action (GTK_WIDGET (f.view), "model.move-down", NULL);
  arch = ll_document_get_arch (f.doc);
  g_assert_true (ll_arch_layer (arch, 3)->type == &ll_layer_dropout);
  g_assert_cmpint (ll_model_view_get_selected (f.view), ==, 3);

  /* Duplicate, then delete. */
  gtk_widget_activate_action (GTK_WIDGET (f.view), "model.duplicate", NULL);
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (f.doc)), ==, n0 + 2);
  gtk_widget_activate_action (GTK_WIDGET (f.view), "model.delete", NULL);
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (f.doc)), ==, n0 + 1);

  /* The engine model follows: same parameter count (dropout has none). */
  g_assert_nonnull (ll_document_get_model (f.doc));
  g_assert_cmpuint (ll_model_n_trainable (ll_document_get_model (f.doc)), ==, 101770);

  /* Undo everything, then redo one step. */
  while (ll_document_undo (f.doc))
    ;
  g_assert_true (ll_arch_equal (ll_document_get_arch (f.doc), original));
  g_assert_cmpint (ll_model_view_get_n_cards (f.view), ==, n0);
  g_assert_true (ll_document_redo (f.doc));
  g_assert_cmpint (ll_arch_n_layers (ll_document_get_arch (f.doc)), ==, n0 + 1);

  fixture_teardown (&f);
}

static void
test_model_view_invalid (void)
{
  Fixture f;
  LlLayerSpec spec;
  const LlLayerType *conv = ll_layer_type_lookup ("Conv2D");
  GtkWidget *card;
  gboolean found_message = FALSE;
  int n;

  RUN_IN_SUBPROCESS ();

  fixture_setup (&f, "mlp-128-dropout");
  g_assert_true (ll_document_get_valid (f.doc));
  g_assert_cmpint (ll_document_get_bad_layer (f.doc), ==, -1);

  /* A Conv2D after Flatten needs an image: the engine refuses it, or if
   * the engine has no Conv2D, an Input in the middle is refused too. */
  ll_layer_spec_init (&spec, conv != NULL ? conv : &ll_layer_input);
  ll_document_insert_layer (f.doc, 2, &spec);
  g_assert_false (ll_document_get_valid (f.doc));
  g_assert_cmpint (ll_document_get_bad_layer (f.doc), ==, 2);
  g_assert_nonnull (ll_document_get_error_message (f.doc));
  g_assert_null (ll_document_get_model (f.doc));

  n = ll_model_view_get_n_cards (f.view);
  g_assert_cmpint (n, ==, ll_arch_n_layers (ll_document_get_arch (f.doc)));
  card = ll_model_view_get_card (f.view, 2);
  g_assert_true (gtk_widget_has_css_class (card, "invalid"));
  g_assert_false (gtk_widget_has_css_class (ll_model_view_get_card (f.view, 1), "invalid"));
  for (GtkWidget *c = gtk_widget_get_first_child (card); c; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LABEL (c) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (c)),
                                       ll_document_get_error_message (f.doc)) == 0)
      found_message = TRUE;
  g_assert_true (found_message);
  {
    g_autofree char *summary = ll_model_view_dup_summary (f.view);
    g_assert_nonnull (strstr (summary, "not valid"));
  }

  /* Undo makes it valid again. */
  g_assert_true (ll_document_undo (f.doc));
  g_assert_true (ll_document_get_valid (f.doc));
  g_assert_false (gtk_widget_has_css_class (ll_model_view_get_card (f.view, 2), "invalid"));

  fixture_teardown (&f);
}

static void
test_window_invalid_marks_train (void)
{
  LlWindow *window;
  LlDocument *doc;
  AdwViewStackPage *page;
  GtkWidget *train;
  LlLayerSpec spec;
  g_autoptr(GError) error = NULL;

  RUN_IN_SUBPROCESS ();

  doc = ll_document_new ();
  g_assert_true (ll_document_load_preset (doc, "mlp-128-dropout", &error));
  window = g_object_ref (ll_window_new (NULL, doc));
  train = ll_window_get_view_widget (window, "train");
  page = adw_view_stack_get_page (ADW_VIEW_STACK (gtk_widget_get_parent (train)), train);
  g_assert_false (adw_view_stack_page_get_needs_attention (page));

  ll_layer_spec_init (&spec, &ll_layer_input);
  ll_document_insert_layer (doc, 2, &spec);
  g_assert_false (ll_document_get_valid (doc));
  g_assert_true (adw_view_stack_page_get_needs_attention (page));
  g_assert_true (ll_document_undo (doc));
  g_assert_false (adw_view_stack_page_get_needs_attention (page));

  gtk_window_destroy (GTK_WINDOW (window));
  iterate (5);
  g_assert_finalize_object (window);
  g_assert_finalize_object (doc);
}

/* Every action ------------------------------------------------------ */

typedef struct {
  GtkWidget *widget;              /* the first widget of a class that has it */
  char *name;
  char *param;                    /* a plausible parameter, or NULL */
} Click;

static void
click_free (Click *c)
{
  g_object_unref (c->widget);
  g_free (c->name);
  g_free (c->param);
  g_free (c);
}

/* A parameter a user could send for a parameterised action; NULL to skip it. */
static const char *
plausible_param (const char *name, int round)
{
  static const char *const views[] = { "model", "train", "inspect", "optimizers", "draw", "data" };

  if (g_str_equal (name, "window.show-view"))
    return views[round % G_N_ELEMENTS (views)];
  if (g_str_equal (name, "window.load-preset") || g_str_equal (name, "model.preset"))
    return round % 2 ? "cifar10-cnn" : "logistic";
  if (g_str_equal (name, "model.insert"))
    return round % 2 ? "Dense" : "BatchNormalization";
  if (g_str_equal (name, "optimizers.preset"))
    return round % 2 ? "beale" : "saddle";
  if (g_str_equal (name, "window.style"))
    return round % 3 == 0 ? "dark" : round % 3 == 1 ? "follow" : "no-such-style";
  if (g_str_equal (name, "train.export-chart"))
    return "png";
  return NULL;
}

static void
collect_clicks (GtkWidget *widget, GPtrArray *clicks, GHashTable *seen)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (widget);
  const char *name, *property;
  const GVariantType *type;
  GType owner;

  /* GTK 4.8 writes every out-argument: none may be NULL. */
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &type, &property); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s:%s", G_OBJECT_TYPE_NAME (widget), name);
      Click *c;

      if (g_hash_table_contains (seen, key))
        continue;
      /* Ours only: GTK's own (a label's link.copy with no link under the
       * pointer) assume the context that their menus give them.  A new
       * window needs the application; recent files are the user's, and so
       * are the files dropped on the window (window.open-file). */
      if (!g_str_has_prefix (g_type_name (owner), "Ll")
          || g_str_equal (name, "window.new") || g_str_equal (name, "window.open-recent")
          || g_str_equal (name, "window.open-file"))
        continue;
      if (type != NULL && !g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
        continue;
      g_hash_table_add (seen, g_steal_pointer (&key));
      c = g_new0 (Click, 1);
      c->widget = g_object_ref (widget);
      c->name = g_strdup (name);
      c->param = type != NULL ? g_strdup ("") : NULL;   /* "": a string, chosen per round */
      g_ptr_array_add (clicks, c);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_clicks (child, clicks, seen);
}

/* The main loop for a while: iterate() would not return while an
 * animation (the optimizer race playing) keeps events pending. */
static void
pump (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Closes what an action opened: file choosers, message dialogs, About. */
static void
close_other_windows (GtkWindow *keep)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (tops); i-- > 0;)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i);
      if (w != keep)
        gtk_window_destroy (w);
    }
}

/* After hundreds of random clicks, GTK 4.8 sometimes paints a widget one
 * frame before allocating it again ("Trying to snapshot AdwFlap …" or
 * "… AdwGizmo … without a current allocation", about one run in four
 * under xvfb).  No layout request is pending then, and no queue_resize
 * from libadwaita or Layerlab happens between the layout and the paint
 * (checked with an LD_PRELOAD interposer on gtk_widget_queue_resize and
 * _allocate).  That one warning is counted and shown, not fatal; every
 * other warning still fails the test. */
static guint n_stale_snapshots;

static GLogWriterOutput
tolerate_stale_snapshot (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                         gpointer user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  if ((level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "Gtk") == 0 && message != NULL
      && g_str_has_prefix (message, "Trying to snapshot ")
      && g_str_has_suffix (message, " without a current allocation"))
    {
      n_stale_snapshots++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A wrong click never crashes: every action of every widget of every view,
 * in a seeded random order, three rounds, with no data set on the machine
 * (so training, the LR finder and the landscape all fail with a message),
 * and the window still closes cleanly at the end. */
static void
test_window_every_action (void)
{
  g_autofree char *empty = NULL;
  g_autoptr(GPtrArray) clicks = g_ptr_array_new_with_free_func ((GDestroyNotify) click_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  LlWindow *window;
  LlDocument *doc;
  guint n_done = 0;

  RUN_IN_SUBPROCESS ();
  g_log_set_writer_func (tolerate_stale_snapshot, NULL, NULL);

  empty = g_dir_make_tmp ("ll-no-data-XXXXXX", NULL);
  g_setenv ("LAYERLAB_DATA_DIR", empty, TRUE);
  g_unsetenv ("LL_SHARED_DATA");
  doc = ll_document_new ();
  window = g_object_ref (ll_window_new (NULL, doc));
  gtk_window_present (GTK_WINDOW (window));
  /* Every view once, so that each builds its widgets. */
  for (guint i = 0; i < ll_n_views; i++)
    {
      ll_window_set_view (window, ll_views[i].name);
      pump (30);
    }
  collect_clicks (GTK_WIDGET (window), clicks, seen);
  g_test_message ("%u actions", clicks->len);
  g_assert_cmpuint (clicks->len, >=, 40);

  for (int round = 0; round < 3; round++)
    {
      /* Shuffled with the test's seed: a failure names it to replay. */
      for (guint i = clicks->len; i > 1; i--)
        {
          guint j = (guint) g_test_rand_int_range (0, (gint32) i);
          gpointer t = clicks->pdata[i - 1];
          clicks->pdata[i - 1] = clicks->pdata[j];
          clicks->pdata[j] = t;
        }
      for (guint i = 0; i < clicks->len; i++)
        {
          Click *c = clicks->pdata[i];
          const char *param = c->param != NULL ? plausible_param (c->name, round + (int) i) : NULL;

          /* Rebuilt since (a card, a settings row): no longer clickable. */
          if ((c->param != NULL && param == NULL) || gtk_widget_get_root (c->widget) == NULL)
            continue;
          gint64 t0 = g_get_monotonic_time ();

          if (g_getenv ("LL_TRACE_ACTIONS") != NULL)   /* which click came before a failure */
            g_printerr ("activating %s:%s(%s)\n", G_OBJECT_TYPE_NAME (c->widget), c->name,
                        param != NULL ? param : "");
          if (param != NULL)
            gtk_widget_activate_action (c->widget, c->name, "s", param);
          else
            gtk_widget_activate_action (c->widget, c->name, NULL);
          n_done++;
          pump (20);
          close_other_windows (GTK_WINDOW (window));
          pump (10);
          if (g_get_monotonic_time () - t0 > G_USEC_PER_SEC / 2)
            g_test_message ("%s(%s) took %.1f s", c->name, param ? param : "",
                            (g_get_monotonic_time () - t0) / 1e6);
        }
    }
  g_test_message ("%u activations", n_done);
  if (n_stale_snapshots > 0)
    g_test_message ("GTK painted a widget before allocating it %u times", n_stale_snapshots);
  {
    gint64 t0 = g_get_monotonic_time ();

  gtk_widget_activate_action (GTK_WIDGET (window), "train.stop", NULL);
  ll_document_reset (doc);   /* no unsaved-changes prompt on close */
  gtk_window_destroy (GTK_WINDOW (window));
  pump (100);
  close_other_windows (NULL);
  pump (50);
  g_object_unref (window);
  g_object_unref (doc);
  g_test_message ("closing took %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  }
  g_rmdir (empty);
}

/* Opening a file in the window ---------------------------------------- */

/* The first message dialog among the toplevels, or NULL. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i);
      if (ADW_IS_MESSAGE_DIALOG (w))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* A Keras file made to hang libhdf5, opened as File › Open, a recent file
 * or a drop do (window.open-file): the window stays responsive while the
 * reader runs, then shows the error (within the 1 s limit the test sets),
 * and the model is the one it was.  A good .keras file then opens. */
static void
test_window_open_hang (void)
{
  g_autofree char *dir = NULL, *hang = NULL, *good = NULL, *title_before = NULL;
  g_autofree char *title_after = NULL;
  g_autoptr(LlArch) arch_before = NULL;
  AdwMessageDialog *dialog = NULL;
  LlWindow *window;
  LlDocument *doc;
  guint ticks = 0, tick;
  gint64 start;
  double seconds;

  RUN_IN_SUBPROCESS ();

  dir = g_dir_make_tmp ("ll-ui-open-XXXXXX", NULL);
  hang = ll_test_copy_source_file (dir, "tests/fuzz/findings/keras-h5-libhdf5-vlen-hang.h5", "hang.h5");
  good = ll_test_copy_source_file (dir, "tests/fuzz/corpus/import-keras-zip/tiny-cnn.keras", "tiny-cnn.keras");
  doc = ll_document_new ();
  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", NULL));
  window = g_object_ref (ll_window_new (NULL, doc));
  gtk_window_present (GTK_WINDOW (window));
  iterate (5);
  arch_before = ll_arch_copy (ll_document_get_arch (doc));
  title_before = ll_document_dup_title (doc);

  tick = g_timeout_add (20, count_tick, &ticks);
  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "window.open-file", "s", hang);
  g_assert_true (ll_window_get_opening (window));
  g_assert_nonnull (gtk_widget_get_cursor (GTK_WIDGET (window)));
  while ((dialog = find_message_dialog ()) == NULL
         && g_get_monotonic_time () - start < 20 * G_USEC_PER_SEC)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (tick);
  g_assert_nonnull (dialog);
  g_test_message ("error shown after %.2f s, %u ticks of 20 ms: %s", seconds, ticks,
                  adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "could not be read within 1 s"));
  g_assert_cmpfloat (seconds, <, 10.0);
  /* The main loop ran while the file was read. */
  g_assert_cmpuint (ticks, >=, (guint) (seconds * 50 / 4));
  g_assert_false (ll_window_get_opening (window));
  g_assert_null (gtk_widget_get_cursor (GTK_WIDGET (window)));
  g_assert_true (ll_arch_equal (arch_before, ll_document_get_arch (doc)));
  title_after = ll_document_dup_title (doc);
  g_assert_cmpstr (title_before, ==, title_after);
  g_assert_false (ll_document_get_imported (doc));
  g_assert_false (ll_document_get_dirty (doc));
  close_other_windows (GTK_WINDOW (window));
  iterate (5);

  /* A good Keras archive, read by the same reader. */
  gtk_widget_activate_action (GTK_WIDGET (window), "window.open-file", "s", good);
  start = g_get_monotonic_time ();
  while (ll_window_get_opening (window) && g_get_monotonic_time () - start < 20 * G_USEC_PER_SEC)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_false (ll_window_get_opening (window));
  g_assert_null (find_message_dialog ());
  g_clear_pointer (&title_after, g_free);
  title_after = ll_document_dup_title (doc);
  g_assert_cmpstr (title_after, ==, "tiny-cnn.keras");
  g_assert_true (ll_document_get_imported (doc));

  /* Closed while a file is read: the reader is killed with it, long
   * before its time limit. */
  g_setenv ("LAYERLAB_IMPORT_TIMEOUT", "60", TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "window.open-file", "s", hang);
  start = g_get_monotonic_time ();
  while (!ll_test_process_running (LL_MODEL_READER_COMMAND, hang)
         && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
    pump (10);
  g_assert_true (ll_window_get_opening (window));
  g_assert_true (ll_test_process_running (LL_MODEL_READER_COMMAND, hang));
  ll_document_reset (doc);   /* no unsaved-changes prompt on close */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  start = g_get_monotonic_time ();
  while (ll_test_process_running (LL_MODEL_READER_COMMAND, hang)
         && g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC)
    pump (10);
  g_test_message ("reader gone %.3f s after the window closed", (g_get_monotonic_time () - start) / 1e6);
  g_assert_false (ll_test_process_running (LL_MODEL_READER_COMMAND, hang));
  pump (100);
  close_other_windows (NULL);
  pump (50);
  g_assert_null (window);
  g_assert_finalize_object (doc);
  ll_test_remove_tree (dir);
}

/* Screenshots ------------------------------------------------------- */

static void
check_screenshot (const char *view)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("layerlab-shot-XXXXXX", &error);
  g_autofree char *png = g_strdup_printf ("%s/%s.png", dir, view);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  const char *argv[] = { LAYERLAB_EXE, "--screenshot", view, png, NULL };
  int status = 0;
  const guchar *pixels;
  int stride, w, h, nc;
  gboolean differ = FALSE;

  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("layerlab --screenshot %s failed:\n%s", view, err);

  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  g_assert_cmpint (w, >=, 600);
  g_assert_cmpint (h, >=, 400);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  nc = gdk_pixbuf_get_n_channels (pixbuf);
  for (int y = 0; y < h && !differ; y++)
    for (int x = 0; x < w && !differ; x++)
      if (memcmp (pixels + y * stride + x * nc, pixels, nc) != 0)
        differ = TRUE;
  g_assert_true (differ);

  g_unlink (png);
  g_rmdir (dir);
}

static void
test_screenshot (gconstpointer data)
{
  check_screenshot (data);
}

int
main (int argc, char **argv)
{
  /* The window keeps its state in GSettings: use the schema of this build. */
  g_setenv ("GSETTINGS_SCHEMA_DIR", LL_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No session bus under xvfb-run: AT-SPI would warn, and warnings are fatal. */
  g_setenv ("GTK_A11Y", "none", TRUE);

  /* A file made to hang libhdf5 costs a second; read by the layerlab
   * built here. */
  g_setenv ("LAYERLAB_IMPORT_TIMEOUT", "1", TRUE);
  ll_model_reader_set_executable (LAYERLAB_EXE);

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("test-ui needs a display: run it under xvfb-run, as ./test.sh does\n");
      return 1;
    }
  adw_init ();

  g_test_add_func ("/ui/window/lifecycle", test_window_lifecycle);
  g_test_add_func ("/ui/window/default-document", test_window_default_document);
  g_test_add_func ("/ui/window/invalid-marks-train", test_window_invalid_marks_train);
  g_test_add_func ("/ui/window/every-action", test_window_every_action);
  g_test_add_func ("/ui/window/open-hang", test_window_open_hang);
  g_test_add_func ("/ui/model-view/presets", test_model_view_presets);
  g_test_add_func ("/ui/model-view/edit-undo", test_model_view_edit_undo);
  g_test_add_func ("/ui/model-view/arithmetic-tooltips", test_model_view_arithmetic_tooltips);
  g_test_add_func ("/ui/model-view/builder", test_model_view_builder);
  g_test_add_func ("/ui/model-view/invalid", test_model_view_invalid);
  for (guint i = 0; i < ll_n_views; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ui/screenshot/%s", ll_views[i].name);
      g_test_add_data_func (path, ll_views[i].name, test_screenshot);
    }
  return g_test_run ();
}
