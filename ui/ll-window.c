/* ll-window.c: the main window: views, file actions with the
 * unsaved-changes prompt, recent files, presentation mode, style and the
 * window state kept in GSettings. */
#include "config.h"

#include "ll-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ll-data-dir.h"
#include "ll-draw-view.h"
#include "ll-export-c.h"
#include "ll-export-onnx.h"
#include "ll-export-script.h"
#include "ll-presets.h"
#include "ll-train-view.h"
#include "ll-view.h"
#include "ll-views.h"

#define MAX_RECENT 8

struct _LlWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack *stack;
  GMenu *recent_submenu;

  LlDocument *document;
  GSettings *settings;           /* NULL when the schema is not installed */
  gboolean presentation;
  char *style;                   /* "follow", "light", "dark" */
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_PRESENTATION,
  PROP_STYLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LlWindow, ll_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_error (LlWindow *self, const char *heading, const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toast (LlWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Title and the needs-attention dot on Train ------------------------ */

static void
update_title (LlWindow *self)
{
  g_autofree char *title = ll_document_dup_title (self->document);
  g_autofree char *subtitle = g_strdup_printf ("%s%s", ll_document_get_dirty (self->document) ? "• " : "",
                                               title);
  g_autofree char *window_title = g_strdup_printf (_("%s — Layerlab"), subtitle);

  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
update_validity (LlWindow *self)
{
  /* The Train tab shows a dot while the model cannot be trained. */
  adw_view_stack_page_set_needs_attention (adw_view_stack_get_page (self->stack,
                                                                    ll_window_get_view_widget (self, "train")),
                                           !ll_document_get_valid (self->document));
}

/* Recent files ------------------------------------------------------- */

static void
rebuild_recent_menu (LlWindow *self)
{
  g_auto(GStrv) recent = NULL;
  int n = 0;

  g_menu_remove_all (self->recent_submenu);
  if (self->settings != NULL)
    recent = g_settings_get_strv (self->settings, "recent-files");
  for (int i = 0; recent != NULL && recent[i] != NULL; i++)
    {
      g_autofree char *base = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (!g_file_test (recent[i], G_FILE_TEST_EXISTS))
        continue;
      base = g_path_get_basename (recent[i]);
      item = g_menu_item_new (base, NULL);
      g_menu_item_set_action_and_target (item, "window.open-recent", "s", recent[i]);
      g_menu_append_item (self->recent_submenu, item);
      n++;
    }
  if (n == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new ("No recent files", "window.none");
      g_menu_append_item (self->recent_submenu, item);
    }
}

static void
add_recent (LlWindow *self, const char *path)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) old = NULL;
  g_auto(GStrv) recent = NULL;
  g_autofree char *abs = NULL;
  int n = 1;

  if (self->settings == NULL)
    return;
  abs = g_canonicalize_filename (path, NULL);
  old = g_settings_get_strv (self->settings, "recent-files");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, abs);
  for (int i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (old[i], abs) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char *const *) recent);
}

/* Unsaved changes ---------------------------------------------------- */

typedef void (*Continuation) (LlWindow *self, gpointer data);

typedef struct {
  LlWindow *self;
  Continuation then;
  gpointer data;
  GDestroyNotify free_data;
} Pending;

static void
pending_free (Pending *p)
{
  if (p->free_data != NULL)
    p->free_data (p->data);
  g_object_unref (p->self);
  g_free (p);
}

static void save_as_then (LlWindow *self, Pending *pending);

static void
on_discard_response (AdwMessageDialog *dialog, const char *response, Pending *p)
{
  if (g_strcmp0 (response, "discard") == 0)
    p->then (p->self, p->data);
  else if (g_strcmp0 (response, "save") == 0)
    {
      g_autoptr(GError) error = NULL;
      if (ll_document_get_path (p->self->document) == NULL)
        {
          save_as_then (p->self, p);
          return;
        }
      if (ll_document_save (p->self->document, NULL, &error))
        p->then (p->self, p->data);
      else
        show_error (p->self, _("Could not save the model"), error);
    }
  pending_free (p);
}

/* Runs then() now, or after the user agreed to lose or saved the changes. */
static void
confirm_discard (LlWindow *self, Continuation then, gpointer data, GDestroyNotify free_data)
{
  Pending *p;
  GtkWidget *dialog;
  g_autofree char *title = NULL;

  if (!ll_document_get_dirty (self->document))
    {
      then (self, data);
      if (free_data != NULL)
        free_data (data);
      return;
    }
  p = g_new0 (Pending, 1);
  p->self = g_object_ref (self);
  p->then = then;
  p->data = data;
  p->free_data = free_data;

  title = ll_document_dup_title (self->document);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save Changes?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” has unsaved changes. Changes that are not saved are lost."),
                                  title);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_discard_response), p);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* File actions ------------------------------------------------------- */

static GtkFileFilter *
model_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Layerlab models (*.llmodel)"));
  gtk_file_filter_add_pattern (filter, "*.llmodel");
  return filter;
}

/* Open accepts Layerlab's own files and the imported formats. */
static void
add_open_filters (GtkFileChooser *chooser)
{
  static const struct { const char *name, *pattern; } kinds[] = {
    { N_("Layerlab models (*.llmodel)"), "*.llmodel" },
    { N_("ONNX models (*.onnx)"), "*.onnx" },
    { N_("Keras models (*.keras, *.h5)"), "*.keras" },
  };
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (all, _("All models (*.llmodel, *.onnx, *.keras, *.h5)"));
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_file_filter_add_pattern (all, kinds[i].pattern);
  gtk_file_filter_add_pattern (all, "*.h5");
  gtk_file_chooser_add_filter (chooser, all);
  g_object_unref (all);
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      GtkFileFilter *f = gtk_file_filter_new ();
      gtk_file_filter_set_name (f, _(kinds[i].name));
      gtk_file_filter_add_pattern (f, kinds[i].pattern);
      if (i == 2)
        gtk_file_filter_add_pattern (f, "*.h5");
      gtk_file_chooser_add_filter (chooser, f);
      g_object_unref (f);
    }
}

gboolean
ll_window_open_path (LlWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!ll_document_open (self->document, path, error))
    return FALSE;
  add_recent (self, path);
  return TRUE;
}

static void
open_path_now (LlWindow *self, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!ll_window_open_path (self, data, &error))
    show_error (self, _("Could not open the model"), error);
}

static void
on_open_response (GtkNativeDialog *dialog, int response, LlWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *path = g_file_get_path (file);
      if (path != NULL)
        open_path_now (self, path);
      g_free (path);
    }
  g_object_unref (dialog);
}

static void
show_open_dialog (LlWindow *self, gpointer data)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Open Model"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  add_open_filters (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_save_response (GtkNativeDialog *dialog, int response, Pending *p)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !g_str_has_suffix (path, ".llmodel"))
        {
          char *with_ext = g_strconcat (path, ".llmodel", NULL);
          g_free (path);
          path = with_ext;
        }
      if (path != NULL && ll_document_save (p->self->document, path, &error))
        {
          add_recent (p->self, path);
          toast (p->self, _("Model saved"));
          if (p->then != NULL)
            p->then (p->self, p->data);
        }
      else if (error != NULL)
        show_error (p->self, _("Could not save the model"), error);
    }
  pending_free (p);
  g_object_unref (dialog);
}

/* Save As; then() runs after a successful save (the unsaved-changes prompt). */
static void
save_as_then (LlWindow *self, Pending *pending)
{
  GtkFileChooserNative *dialog;
  Pending *p = g_new0 (Pending, 1);
  g_autofree char *name = NULL;

  p->self = g_object_ref (self);
  if (pending != NULL)
    {
      p->then = pending->then;
      p->data = pending->data;
      p->free_data = pending->free_data;
      pending->data = NULL;
      pending->free_data = NULL;
    }

  dialog = gtk_file_chooser_native_new (_("Save Model"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), model_filter ());
  name = ll_document_dup_title (self->document);
  /* An imported "model.onnx" is saved as "model.llmodel". */
  for (const char *const *ext = (const char *const[]) { ".onnx", ".keras", ".h5", NULL }; *ext; ext++)
    if (g_str_has_suffix (name, *ext) && strlen (name) > strlen (*ext))
      name[strlen (name) - strlen (*ext)] = '\0';
  if (!g_str_has_suffix (name, ".llmodel"))
    {
      g_autofree char *base = g_strdelimit (g_strdup (name), "/\\:", '-');
      g_free (name);
      name = g_strconcat (base, ".llmodel", NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), p);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Exports ------------------------------------------------------------- */

/* "my net-2" → "my_net_2": the C prefix must be an identifier. */
static char *
c_prefix_from_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  GString *prefix = g_string_new (NULL);

  if (g_str_has_suffix (base, ".c") || g_str_has_suffix (base, ".h"))
    base[strlen (base) - 2] = '\0';
  for (const char *c = base; *c != '\0'; c++)
    g_string_append_c (prefix, g_ascii_isalnum (*c) ? *c : '_');
  if (prefix->len == 0 || g_ascii_isdigit (prefix->str[0]))
    g_string_prepend (prefix, "model_");
  return g_string_free (prefix, FALSE);
}

gboolean
ll_window_export_to_path (LlWindow *self, const char *format, const char *path, GError **error)
{
  LlModel *model;

  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (format != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  model = ll_document_get_model (self->document);
  if (model == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("The model cannot be built (%s). Fix it in the Model view, then export again."),
                   ll_document_get_error_message (self->document));
      return FALSE;
    }
  if (g_strcmp0 (format, "c") == 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *prefix = c_prefix_from_path (path);

      if (!ll_export_c_valid_prefix (prefix))
        {
          g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                       _("“%s” cannot name C functions. Choose a file name made of letters, digits and _."),
                       prefix);
          return FALSE;
        }
      return ll_export_c (model, dir, prefix, error);
    }
  if (g_strcmp0 (format, "keras") == 0 || g_strcmp0 (format, "pytorch") == 0)
    return ll_export_script (model, ll_document_get_config (self->document),
                             ll_document_get_dataset (self->document),
                             format[0] == 'k' ? LL_SCRIPT_KERAS : LL_SCRIPT_PYTORCH, path, error);
  if (g_strcmp0 (format, "onnx") == 0)
    return ll_export_onnx (model, path, error);
  g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
               _("Unknown export format “%s”: use c, keras, pytorch or onnx."), format);
  return FALSE;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, LlWindow *self)
{
  const char *format = g_object_get_data (G_OBJECT (dialog), "ll-format");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *ext = g_strcmp0 (format, "c") == 0 ? ".c"
                        : g_strcmp0 (format, "onnx") == 0 ? ".onnx" : ".py";
      g_autoptr(GError) error = NULL;

      if (path != NULL && !g_str_has_suffix (path, ext))
        {
          char *with_ext = g_strconcat (path, ext, NULL);
          g_free (path);
          path = with_ext;
        }
      if (path == NULL)
        g_set_error (&error, LL_ERROR, LL_ERROR_IO,
                     _("The chosen place is not a local file. Choose a folder on this computer."));
      if (error == NULL && ll_window_export_to_path (self, format, path, &error))
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *text = g_strcmp0 (format, "c") == 0
            ? g_strdup_printf (_("Exported %s and its header"), base)
            : g_strcmp0 (format, "onnx") == 0
            ? g_strdup_printf (_("Exported %s"), base)
            : g_strdup_printf (_("Exported %s with its weights"), base);
          toast (self, text);
        }
      else
        show_error (self, _("Could not export the model"), error);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
show_export_dialog (LlWindow *self, const char *format)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_autofree char *title = ll_document_dup_title (self->document);
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;
  gboolean c = g_strcmp0 (format, "c") == 0;
  gboolean onnx = g_strcmp0 (format, "onnx") == 0;

  if (g_str_has_suffix (title, ".llmodel"))
    title[strlen (title) - strlen (".llmodel")] = '\0';
  stem = c ? c_prefix_from_path (title) : g_strdelimit (g_strdup (title), "/\\: ", '-');
  name = g_strconcat (stem, c ? ".c" : onnx ? ".onnx" : ".py", NULL);

  dialog = gtk_file_chooser_native_new (c ? _("Export as C Source")
                                          : onnx ? _("Export as ONNX Model")
                                          : format[0] == 'k' ? _("Export as Keras Script")
                                                             : _("Export as PyTorch Script"),
                                        GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, c ? _("C source (*.c; the .h is written beside it)")
                                      : onnx ? _("ONNX model (*.onnx)")
                                      : _("Python script (*.py; weights are written beside it)"));
  gtk_file_filter_add_pattern (filter, c ? "*.c" : onnx ? "*.onnx" : "*.py");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data (G_OBJECT (dialog), "ll-format", (gpointer) format);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_export (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  const char *name = g_action_get_name (G_ACTION (action));

  /* "export-c" → "c": the static strings outlive the dialog. */
  if (g_str_equal (name, "export-c"))
    show_export_dialog (LL_WINDOW (user_data), "c");
  else if (g_str_equal (name, "export-keras"))
    show_export_dialog (LL_WINDOW (user_data), "keras");
  else if (g_str_equal (name, "export-onnx"))
    show_export_dialog (LL_WINDOW (user_data), "onnx");
  else
    show_export_dialog (LL_WINDOW (user_data), "pytorch");
}

static const GActionEntry export_actions[] = {
  { "export-c", action_export, NULL, NULL, NULL, { 0 } },
  { "export-keras", action_export, NULL, NULL, NULL, { 0 } },
  { "export-pytorch", action_export, NULL, NULL, NULL, { 0 } },
  { "export-onnx", action_export, NULL, NULL, NULL, { 0 } },
};

static void
update_export_actions (LlWindow *self)
{
  gboolean valid = ll_document_get_valid (self->document);

  for (guint i = 0; i < G_N_ELEMENTS (export_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), export_actions[i].name);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), valid);
    }
}

static void
reset_document (LlWindow *self, gpointer data)
{
  ll_document_reset (self->document);
}

static void
action_new_real (GtkWidget *widget, const char *name, GVariant *param)
{
  confirm_discard (LL_WINDOW (widget), reset_document, NULL, NULL);
}

static void
action_open (GtkWidget *widget, const char *name, GVariant *param)
{
  confirm_discard (LL_WINDOW (widget), show_open_dialog, NULL, NULL);
}

/* A model file dropped anywhere on the window (the Draw view passes on
 * the model files dropped on it through window.open-file). */
static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, LlWindow *self)
{
  GdkFileList *list = g_value_get_boxed (value);
  GSList *files = list != NULL ? gdk_file_list_get_files (list) : NULL;
  char *path = files != NULL ? g_file_get_path (G_FILE (files->data)) : NULL;

  g_slist_free (files);
  if (path == NULL)
    return FALSE;
  confirm_discard (self, open_path_now, path, g_free);
  return TRUE;
}

static void
action_open_recent (GtkWidget *widget, const char *name, GVariant *param)
{
  confirm_discard (LL_WINDOW (widget), open_path_now,
                   g_variant_dup_string (param, NULL), g_free);
}

static void
action_save (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (ll_document_get_path (self->document) == NULL)
    {
      save_as_then (self, NULL);
      return;
    }
  if (ll_document_save (self->document, NULL, &error))
    {
      add_recent (self, ll_document_get_path (self->document));
      toast (self, _("Model saved"));
    }
  else
    show_error (self, _("Could not save the model"), error);
}

static void
action_save_as (GtkWidget *widget, const char *name, GVariant *param)
{
  save_as_then (LL_WINDOW (widget), NULL);
}

/* Application accelerators run before the focused widget's own keys, so
 * Ctrl+Z would undo a model edit while the user draws: in the Draw view,
 * Undo means the last stroke. */
static gboolean
drawing (LlWindow *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "draw") == 0;
}

static void
action_undo (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);

  if (drawing (self))
    ll_draw_view_undo_stroke (LL_DRAW_VIEW (ll_window_get_view_widget (self, "draw")));
  else
    ll_document_undo (self->document);
}

static void
action_redo (GtkWidget *widget, const char *name, GVariant *param)
{
  if (!drawing (LL_WINDOW (widget)))
    ll_document_redo (LL_WINDOW (widget)->document);
}

static void
load_preset_now (LlWindow *self, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!ll_document_load_preset (self->document, data, &error))
    show_error (self, _("Could not load the preset"), error);
}

static void
action_load_preset (GtkWidget *widget, const char *name, GVariant *param)
{
  confirm_discard (LL_WINDOW (widget), load_preset_now, g_variant_dup_string (param, NULL), g_free);
}

static void
action_show_view (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_window_set_view (LL_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* win.playground-demo::ID (the lessons' steps call it): the Playground
 * view with one of its demonstrations (docs/architecture.md lists the ids). */
static void
action_playground_demo (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LlWindow *self = LL_WINDOW (user_data);

  ll_window_set_view (self, "playground");
  gtk_widget_activate_action (ll_window_get_view_widget (self, "playground"), "playground.demo",
                              "s", g_variant_get_string (param, NULL));
}

static const GActionEntry playground_actions[] = {
  { "playground-demo", action_playground_demo, "s", NULL, NULL, { 0 } },
};

/* A data folder for the Train view (the Data view's Train on It). */
static void
action_use_data_dir (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWidget *train = ll_window_get_view_widget (LL_WINDOW (widget), "train");

  ll_train_view_set_data_dir (LL_TRAIN_VIEW (train), g_variant_get_string (param, NULL));
}

static void
action_about (GtkWidget *widget, const char *name, GVariant *param)
{
  const char *developers[] = { "The Layerlab team", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", widget,
                        "application-name", "Layerlab",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Layerlab team"),
                        "developers", developers,
                        "comments", _("Build, train and look inside neural networks that classify "
                                    "images: a laboratory for classrooms and self-learners, "
                                    "with numbers that match Keras."),
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        "website", "https://github.com/layerlab/layerlab",
                        "issue-url", "https://github.com/layerlab/layerlab/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2024 The Layerlab team",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static gboolean on_close_request (LlWindow *self);

static void
close_now (LlWindow *self, gpointer data)
{
  /* The user chose: let the next close request through. */
  g_signal_handlers_disconnect_by_func (self, on_close_request, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_window_state (LlWindow *self)
{
  int w, h;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &w, &h);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && w > 0 && h > 0)
    {
      g_settings_set_int (self->settings, "window-width", w);
      g_settings_set_int (self->settings, "window-height", h);
    }
}

static gboolean
on_close_request (LlWindow *self)
{
  save_window_state (self);
  if (!ll_document_get_dirty (self->document))
    return FALSE;
  confirm_discard (self, close_now, NULL, NULL);
  return TRUE;
}

/* Properties --------------------------------------------------------- */

static void
apply_style (LlWindow *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (self->style, "light") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (self->style, "dark") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (manager, scheme);
}

static void
set_style (LlWindow *self, const char *style)
{
  static const char *const styles[] = { "follow", "light", "dark", NULL };

  /* Only the schema's values: anything else would be refused by GSettings. */
  if (style == NULL || !g_strv_contains (styles, style) || g_strcmp0 (style, self->style) == 0)
    return;
  g_free (self->style);
  self->style = g_strdup (style);
  apply_style (self);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "style", style);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STYLE]);
}

static void
queue_draw_all (GtkWidget *widget)
{
  gtk_widget_queue_resize (widget);
  gtk_widget_queue_draw (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    queue_draw_all (child);
}

void
ll_window_set_presentation (LlWindow *self, gboolean presentation)
{
  g_return_if_fail (LL_IS_WINDOW (self));

  presentation = !!presentation;
  if (self->presentation == presentation)
    return;
  self->presentation = presentation;
  if (presentation)
    gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
  queue_draw_all (GTK_WIDGET (self));
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "presentation", presentation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTATION]);
}

gboolean
ll_window_get_presentation (LlWindow *self)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);
  return self->presentation;
}

static void
ll_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlWindow *self = LL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_PRESENTATION:
      g_value_set_boolean (value, self->presentation);
      break;
    case PROP_STYLE:
      g_value_set_string (value, self->style);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlWindow *self = LL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_set_object (&self->document, g_value_get_object (value));
      break;
    case PROP_PRESENTATION:
      ll_window_set_presentation (self, g_value_get_boolean (value));
      break;
    case PROP_STYLE:
      set_style (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
update_undo_actions (LlWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.undo",
                                 drawing (self) || ll_document_get_can_undo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.redo",
                                 !drawing (self) && ll_document_get_can_redo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.save",
                                 ll_document_get_valid (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.save-as",
                                 ll_document_get_valid (self->document));
  update_export_actions (self);
}

static void
on_visible_child_changed (LlWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  if (self->settings != NULL && name != NULL)
    g_settings_set_string (self->settings, "last-view", name);
  update_undo_actions (self);
}

static void
ll_window_constructed (GObject *object)
{
  LlWindow *self = LL_WINDOW (object);

  G_OBJECT_CLASS (ll_window_parent_class)->constructed (object);

  if (self->document == NULL)
    {
      g_autoptr(GError) error = NULL;
      const char *preset = ll_preset_lookup ("mnist-cnn") != NULL ? "mnist-cnn" : "mlp-128-dropout";

      self->document = ll_document_new ();
      if (!ll_document_load_preset (self->document, preset, &error))
        g_warning ("Default preset %s: %s", preset, error->message);
    }
  for (guint i = 0; i < ll_n_views; i++)
    ll_view_set_document (LL_VIEW (ll_window_get_view_widget (self, ll_views[i].name)),
                          self->document);

  g_signal_connect_object (self->document, "notify::title", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::dirty", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::valid", G_CALLBACK (update_validity), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::can-undo", G_CALLBACK (update_undo_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::can-redo", G_CALLBACK (update_undo_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::valid", G_CALLBACK (update_undo_actions),
                           self, G_CONNECT_SWAPPED);
  update_undo_actions (self);
  update_title (self);
  update_validity (self);

  if (self->settings != NULL)
    {
      g_autofree char *view = g_settings_get_string (self->settings, "last-view");
      g_autofree char *style = g_settings_get_string (self->settings, "style");

      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      ll_window_set_view (self, view);
      ll_window_set_presentation (self, g_settings_get_boolean (self->settings, "presentation"));
      set_style (self, style);
      g_signal_connect_object (self->settings, "changed::recent-files",
                               G_CALLBACK (rebuild_recent_menu), self, G_CONNECT_SWAPPED);
    }
  else
    ll_window_set_view (self, "draw");
  rebuild_recent_menu (self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name",
                            G_CALLBACK (on_visible_child_changed), self);
  update_undo_actions (self);
}

static void
ll_window_dispose (GObject *object)
{
  LlWindow *self = LL_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_WINDOW);
  g_clear_object (&self->document);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ll_window_parent_class)->dispose (object);
}

static void
ll_window_finalize (GObject *object)
{
  LlWindow *self = LL_WINDOW (object);

  g_free (self->style);
  G_OBJECT_CLASS (ll_window_parent_class)->finalize (object);
}

static void
ll_window_class_init (LlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ll_window_constructed;
  object_class->dispose = ll_window_dispose;
  object_class->finalize = ll_window_finalize;
  object_class->get_property = ll_window_get_property;
  object_class->set_property = ll_window_set_property;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, LL_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRESENTATION] =
    g_param_spec_boolean ("presentation", NULL, "Large text and lines for a projector",
                          FALSE, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STYLE] =
    g_param_spec_string ("style", NULL, "follow, light or dark",
                         "follow", G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ll_ui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, LL_RESOURCE_PREFIX "/ui/ll-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, recent_submenu);

  gtk_widget_class_install_action (widget_class, "window.new", NULL, action_new_real);
  gtk_widget_class_install_action (widget_class, "window.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "window.open-recent", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "window.open-file", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "window.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "window.save-as", NULL, action_save_as);
  gtk_widget_class_install_action (widget_class, "window.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "window.redo", NULL, action_redo);
  gtk_widget_class_install_action (widget_class, "window.show-view", "s", action_show_view);
  gtk_widget_class_install_action (widget_class, "window.use-data-dir", "s", action_use_data_dir);
  gtk_widget_class_install_action (widget_class, "window.load-preset", "s", action_load_preset);
  gtk_widget_class_install_action (widget_class, "window.about", NULL, action_about);
  gtk_widget_class_install_property_action (widget_class, "window.presentation", "presentation");
  gtk_widget_class_install_property_action (widget_class, "window.style", "style");
}

static void
ll_window_init (LlWindow *self)
{
  self->style = g_strdup ("follow");
  self->settings = ll_settings_new_if_installed (NULL);
  if (self->settings == NULL)
    g_debug ("GSettings schema %s not found: window state is not kept", APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < ll_n_views; i++)
    {
      const LlViewInfo *info = &ll_views[i];
      GtkWidget *view = g_object_new (info->get_type (), NULL);
      AdwViewStackPage *page = adw_view_stack_add_titled (self->stack, view, info->name,
                                                          g_dpgettext2 (NULL, "view", info->title));

      adw_view_stack_page_set_icon_name (page, info->icon_name);
    }
  /* win.*: the application window's own action group, as the menu names them. */
  g_action_map_add_action_entries (G_ACTION_MAP (self), export_actions,
                                   G_N_ELEMENTS (export_actions), self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), playground_actions,
                                   G_N_ELEMENTS (playground_actions), self);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
  {
    GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
    g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }
}

LlWindow *
ll_window_new (GtkApplication *application, LlDocument *document)
{
  LlWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (document == NULL || LL_IS_DOCUMENT (document), NULL);

  self = g_object_new (LL_TYPE_WINDOW, "application", application, "document", document, NULL);
  return self;
}

LlDocument *
ll_window_get_document (LlWindow *self)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), NULL);
  return self->document;
}

void
ll_window_set_view (LlWindow *self, const char *name)
{
  g_return_if_fail (LL_IS_WINDOW (self));

  if (ll_view_info_lookup (name) == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
ll_window_get_view (LlWindow *self)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

GtkWidget *
ll_window_get_view_widget (LlWindow *self, const char *name)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), NULL);
  return name != NULL ? adw_view_stack_get_child_by_name (self->stack, name) : NULL;
}
