/* ll-window.c: the main window: views, file actions with the
 * unsaved-changes prompt, recent files, presentation mode, style and the
 * window state kept in GSettings. */
#include "config.h"

#include "ll-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ll-a11y.h"
#include "ll-data-dir.h"
#include "ll-draw-view.h"
#include "ll-export-c.h"
#include "ll-export-onnx.h"
#include "ll-export-script.h"
#include "ll-inspect-view.h"
#include "ll-json.h"
#include "ll-lesson-panel.h"
#include "ll-model-view.h"
#include "ll-presets.h"
#include "ll-presentation.h"
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
  GMenu *lessons_section;
  AdwFlap *lesson_flap;
  LlLessonPanel *lesson_panel;
  GtkWidget *header_bar;
  GtkWidget *panel_start_button;
  GtkWidget *panel_end_button;
  GBinding *panel_bindings[4];   /* the visible view's flaps ↔ the panel buttons */
  guint panel_idle;
  guint a11y_idle;

  LlDocument *document;
  GSettings *settings;           /* NULL when the schema is not installed */
  GCancellable *open_cancellable;  /* the file being read; NULL when none */
  char *open_name;               /* its name, for the notice */
  AdwToast *open_toast;          /* "Reading …", shown when it takes a while */
  guint open_toast_id;
  gboolean presentation;
  gboolean fullscreen_presentation;  /* presentation mode also fullscreens */
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

/* A file being read: the window is held weakly (closing it cancels the
 * read, see dispose). */
typedef struct {
  GWeakRef self;
  char *path;
  GCancellable *cancellable;
} Opening;

static void
opening_free (Opening *o)
{
  g_weak_ref_clear (&o->self);
  g_object_unref (o->cancellable);
  g_free (o->path);
  g_free (o);
}

static gboolean
show_open_toast (gpointer data)
{
  LlWindow *self = data;
  g_autofree char *text = NULL;

  self->open_toast_id = 0;
  text = g_strdup_printf (_("Reading “%s”…"), self->open_name);
  self->open_toast = g_object_ref (adw_toast_new (text));
  adw_toast_set_timeout (self->open_toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->open_toast));
  return G_SOURCE_REMOVE;
}

/* The file being read is no longer waited for: no busy cursor, no toast. */
static void
end_opening (LlWindow *self)
{
  g_clear_object (&self->open_cancellable);
  g_clear_pointer (&self->open_name, g_free);
  g_clear_handle_id (&self->open_toast_id, g_source_remove);
  if (self->open_toast != NULL)
    {
      adw_toast_dismiss (self->open_toast);
      g_clear_object (&self->open_toast);
    }
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_document_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Opening *o = data;
  g_autoptr(LlWindow) self = g_weak_ref_get (&o->self);
  g_autoptr(GError) error = NULL;
  gboolean ok = ll_document_open_finish (LL_DOCUMENT (source), result, &error);

  if (self != NULL && self->open_cancellable == o->cancellable)
    end_opening (self);
  if (self == NULL || self->document == NULL)
    ;                           /* the window is closed */
  else if (ok)
    add_recent (self, o->path);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, _("Could not open the model"), error);
  opening_free (o);
}

void
ll_window_open_file (LlWindow *self, const char *path)
{
  Opening *o;

  g_return_if_fail (LL_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  /* A newer file replaces the one still being read. */
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  end_opening (self);
  self->open_cancellable = g_cancellable_new ();
  self->open_name = g_filename_display_basename (path);
  o = g_new0 (Opening, 1);
  g_weak_ref_init (&o->self, self);
  o->path = g_strdup (path);
  o->cancellable = g_object_ref (self->open_cancellable);
  /* A Keras file is read by a child process, which may take up to its
   * time limit: the window stays responsive, says so after a moment. */
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "progress");
  self->open_toast_id = g_timeout_add (400, show_open_toast, self);
  ll_document_open_async (self->document, path, self->open_cancellable, on_document_opened, o);
}

gboolean
ll_window_get_opening (LlWindow *self)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);

  return self->open_cancellable != NULL;
}

static void
open_path_now (LlWindow *self, gpointer data)
{
  ll_window_open_file (self, data);
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

/* Lessons ------------------------------------------------------------ */

/* An architecture .json is a model file; a lesson says so in its first bytes. */
static gboolean
looks_like_lesson (const char *path)
{
  g_autoptr(JsonNode) root = ll_json_parse_file (path, LL_LESSON_MAX_BYTES, NULL);
  JsonObject *obj = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  return obj != NULL && g_strcmp0 (json_object_get_string_member_with_default (obj, "format", ""),
                                   LL_LESSON_FORMAT) == 0;
}

static void
open_lesson_now (LlWindow *self, const char *path_or_id)
{
  g_autoptr(GError) error = NULL;

  if (!ll_window_open_lesson (self, path_or_id, &error))
    show_error (self, _("Could not open the lesson"), error);
}

gboolean
ll_window_open_lesson (LlWindow *self, const char *path_or_id, GError **error)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);
  return ll_lesson_panel_open (self->lesson_panel, path_or_id, error);
}

LlLessonPanel *
ll_window_get_lesson_panel (LlWindow *self)
{
  g_return_val_if_fail (LL_IS_WINDOW (self), NULL);
  return self->lesson_panel;
}

static void
on_open_lesson_response (GtkNativeDialog *dialog, int response, LlWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      if (path != NULL)
        open_lesson_now (self, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
action_open_lesson (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open Lesson"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Layerlab lessons (*.json)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_lesson_response), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_open_lesson_file (GtkWidget *widget, const char *name, GVariant *param)
{
  open_lesson_now (LL_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
action_new_lesson (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);

  ll_lesson_panel_set_lesson (self->lesson_panel, NULL, NULL, 0, FALSE);
  ll_lesson_panel_add_step (self->lesson_panel);
}

/* The panel shows while a lesson is open, also when the flap folds over
 * the views on a narrow screen.  The flap is locked (ll-window.ui), so
 * folding, which happens inside the flap's size allocation, does not hide
 * and re-reveal the panel there. */
static void
reveal_lesson (LlWindow *self)
{
  adw_flap_set_reveal_flap (self->lesson_flap, gtk_widget_get_visible (GTK_WIDGET (self->lesson_panel)));
}

static void
action_toggle_lesson (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);

  if (gtk_widget_get_visible (GTK_WIDGET (self->lesson_panel)))
    adw_flap_set_reveal_flap (self->lesson_flap, !adw_flap_get_reveal_flap (self->lesson_flap));
}

static void
fill_lessons_menu (LlWindow *self)
{
  g_auto(GStrv) ids = ll_lesson_list_builtin ();

  for (int i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(LlLesson) lesson = ll_lesson_load_builtin (ids[i], NULL);
      g_autoptr(GMenuItem) item = NULL;

      if (lesson == NULL)
        continue;
      item = g_menu_item_new (ll_lesson_text_pick (lesson->title, NULL), NULL);
      g_menu_item_set_action_and_target (item, "window.open-lesson-file", "s", ids[i]);
      g_menu_append_item (self->lessons_section, item);
    }
}

/* Settings a lesson (or a menu) sets: each is an undo step. -------- */

static const char *const inspect_pages[] = {
  "outputs", "arithmetic", "weights", "occlusion", "batchnorm", "confusion", NULL
};

/* A lesson's settings name fields of the tables only: a misspelt name is
 * an error, not a setting silently left alone. */
static gboolean
known_settings (JsonNode *node, GError **error)
{
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                   _("needs the training settings as a JSON object, e.g. {\"epochs\": 5}"));
      return FALSE;
    }
  members = json_object_get_members (json_node_get_object (node));
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (json_node_get_object (node), name);
      gboolean known = FALSE, group = FALSE;

      if (g_str_equal (name, "optimizer"))
        {
          g_autoptr(GList) inner = JSON_NODE_HOLDS_OBJECT (value)
            ? json_object_get_members (json_node_get_object (value)) : NULL;
          for (GList *m = inner; m != NULL; m = m->next)
            {
              LlHyper h;
              if (!g_str_equal (m->data, "name") && !ll_hyper_from_name (m->data, &h))
                {
                  g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                               _("sets the optimizer's “%s”, which is not a hyperparameter"),
                               (const char *) m->data);
                  return FALSE;
                }
            }
          continue;
        }
      for (int f = 0; f < LL_N_FIT_FIELDS; f++)
        {
          const LlFitSpec *spec = ll_fit_spec ((LlFitField) f);
          if (spec->group == NULL && g_str_equal (spec->name, name))
            known = TRUE;
          else if (g_strcmp0 (spec->group, name) == 0)
            known = group = TRUE;
        }
      if (!known)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                       _("sets “%s”, which is not a training setting (docs/model-format.md lists them)"),
                       name);
          return FALSE;
        }
      if (group && JSON_NODE_HOLDS_OBJECT (value))
        {
          g_autoptr(GList) inner = json_object_get_members (json_node_get_object (value));
          for (GList *m = inner; m != NULL; m = m->next)
            {
              gboolean found = FALSE;
              for (int f = 0; f < LL_N_FIT_FIELDS; f++)
                {
                  const LlFitSpec *spec = ll_fit_spec ((LlFitField) f);
                  if (g_strcmp0 (spec->group, name) == 0 && g_str_equal (spec->name, m->data))
                    found = TRUE;
                }
              if (!found)
                {
                  g_set_error (error, LL_ERROR, LL_ERROR_FORMAT,
                               _("sets “%s” of “%s”, which is not one of its settings"),
                               (const char *) m->data, name);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

static gboolean
settings_from_json (LlWindow *self, const char *json, LlFitConfig *cfg, GError **error)
{
  g_autoptr(JsonNode) node = ll_json_parse (json, -1, 0, error);

  ll_fit_config_copy (cfg, ll_document_get_config (self->document));
  if (node == NULL || !known_settings (node, error) || !ll_fit_config_from_json_node (cfg, node, error)
      || !ll_fit_config_validate (cfg, error))
    {
      ll_fit_config_clear (cfg);
      return FALSE;
    }
  return TRUE;
}

static LlArch *
arch_from_target (const char *text, GError **error)
{
  while (g_ascii_isspace (*text))
    text++;
  return *text == '{' ? ll_arch_from_json (text, -1, error) : ll_arch_from_text (text, error);
}

gboolean
ll_window_check_action_target (LlWindow *self, const char *action, GVariant *param, GError **error)
{
  const char *s = param != NULL && g_variant_is_of_type (param, G_VARIANT_TYPE_STRING)
    ? g_variant_get_string (param, NULL) : NULL;

  g_return_val_if_fail (LL_IS_WINDOW (self), FALSE);

  if (g_strcmp0 (action, "window.show-view") == 0 && ll_view_info_lookup (s) == NULL)
    {
      g_autofree char *names = ll_view_names_joined ();
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND, _("names the view “%s”; the views are %s"),
                   s, names);
      return FALSE;
    }
  if (g_strcmp0 (action, "window.load-preset") == 0 && ll_preset_lookup (s) == NULL
      && g_strcmp0 (s, LL_DOCUMENT_SHIPPED_DIGITS) != 0)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                   _("names the preset “%s”, which does not exist (`layerlab presets` lists them)"), s);
      return FALSE;
    }
  if (g_strcmp0 (action, "window.set-dataset") == 0
      && !g_strv_contains (ll_dataset_known_names (), s))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) ll_dataset_known_names ());
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND, _("names the data set “%s”; the data sets are %s"),
                   s, names);
      return FALSE;
    }
  if (g_strcmp0 (action, "window.show-inspect-page") == 0 && !g_strv_contains (inspect_pages, s))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) inspect_pages);
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND, _("names the page “%s”; the pages are %s"),
                   s, names);
      return FALSE;
    }
  if (g_strcmp0 (action, "window.apply-settings") == 0)
    {
      LlFitConfig cfg;
      if (!settings_from_json (self, s, &cfg, error))
        return FALSE;
      ll_fit_config_clear (&cfg);
    }
  if (g_strcmp0 (action, "window.set-architecture") == 0)
    {
      g_autoptr(LlArch) arch = arch_from_target (s, error);
      if (arch == NULL)
        return FALSE;
    }
  if (g_strcmp0 (action, "window.open-file") == 0 && !g_file_test (s, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND, _("opens “%s”, which is not a file here"), s);
      return FALSE;
    }
  return TRUE;
}

static void
action_apply_settings (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  LlFitConfig cfg;

  if (!settings_from_json (self, g_variant_get_string (param, NULL), &cfg, &error))
    {
      show_error (self, _("Could not apply the training settings"), error);
      return;
    }
  ll_document_set_config (self->document, &cfg);
  ll_fit_config_clear (&cfg);
}

static void
action_set_dataset (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!ll_window_check_action_target (self, "window.set-dataset", param, &error))
    show_error (self, _("Could not choose the data set"), error);
  else if (g_strcmp0 (ll_document_get_dataset (self->document), g_variant_get_string (param, NULL)) != 0)
    ll_document_set_dataset (self->document, g_variant_get_string (param, NULL));
}

static void
action_set_architecture (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlArch) arch = arch_from_target (g_variant_get_string (param, NULL), &error);

  if (arch == NULL)
    show_error (self, _("Could not set the layers"), error);
  else if (!ll_arch_equal (arch, ll_document_get_arch (self->document)))
    ll_document_set_arch (self->document, arch);
}

static void
action_select_layer (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWidget *model = ll_window_get_view_widget (LL_WINDOW (widget), "model");

  ll_model_view_set_selected (LL_MODEL_VIEW (model), g_variant_get_int32 (param));
}

static void
action_show_test_image (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWidget *inspect = ll_window_get_view_widget (LL_WINDOW (widget), "inspect");

  ll_inspect_view_show_image (LL_INSPECT_VIEW (inspect), (guint) MAX (g_variant_get_int32 (param), 0));
}

static void
action_show_inspect_page (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWidget *inspect = ll_window_get_view_widget (LL_WINDOW (widget), "inspect");

  if (g_strv_contains (inspect_pages, g_variant_get_string (param, NULL)))
    ll_inspect_view_set_page (LL_INSPECT_VIEW (inspect), g_variant_get_string (param, NULL));
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
  if (g_str_has_suffix (path, ".json") && looks_like_lesson (path))
    {
      open_lesson_now (self, path);
      g_free (path);
      return TRUE;
    }
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

/* Side panels -------------------------------------------------------- */

/* A view's side panels are AdwFlaps: beside the main picture on a wide
 * window, folded over it when the window is narrow, and always folded in
 * presentation mode so that the picture takes the screen.  The header
 * bar's panel buttons show the visible view's folded panels (F9 and
 * Shift+F9). */
static void
collect_flaps (GtkWidget *widget, GPtrArray *flaps)
{
  if (ADW_IS_FLAP (widget))
    g_ptr_array_add (flaps, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_flaps (child, flaps);
}

static AdwFlap *
view_flap (LlWindow *self, GtkPackType position)
{
  GtkWidget *view = adw_view_stack_get_visible_child (self->stack);
  g_autoptr(GPtrArray) flaps = g_ptr_array_new ();

  if (view == NULL)
    return NULL;
  collect_flaps (view, flaps);
  for (guint i = 0; i < flaps->len; i++)
    if (adw_flap_get_flap_position (flaps->pdata[i]) == position)
      return flaps->pdata[i];
  return NULL;
}

static void update_panel_buttons (LlWindow *self);

static void
setup_flaps (LlWindow *self)
{
  for (guint v = 0; v < ll_n_views; v++)
    {
      g_autoptr(GPtrArray) flaps = g_ptr_array_new ();

      collect_flaps (ll_window_get_view_widget (self, ll_views[v].name), flaps);
      for (guint i = 0; i < flaps->len; i++)
        {
          AdwFlap *flap = flaps->pdata[i];

          if (self->presentation)
            {
              adw_flap_set_fold_policy (flap, ADW_FLAP_FOLD_POLICY_ALWAYS);
              adw_flap_set_reveal_flap (flap, FALSE);
            }
          else
            {
              adw_flap_set_fold_policy (flap, ADW_FLAP_FOLD_POLICY_AUTO);
              adw_flap_set_reveal_flap (flap, !adw_flap_get_folded (flap));
            }
          /* A scrolled panel widens with presentation mode's text. */
          if (GTK_IS_SCROLLED_WINDOW (adw_flap_get_flap (flap)))
            {
              GtkScrolledWindow *sw = GTK_SCROLLED_WINDOW (adw_flap_get_flap (flap));
              int base = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sw), "ll-base-width"));

              if (base == 0)
                {
                  base = gtk_scrolled_window_get_min_content_width (sw);
                  g_object_set_data (G_OBJECT (sw), "ll-base-width", GINT_TO_POINTER (base));
                }
              if (base > 0)
                gtk_scrolled_window_set_min_content_width (sw, self->presentation
                                                               ? (int) (base * LL_PRESENTATION_TEXT_SCALE)
                                                               : base);
            }
          if (adw_flap_get_flap (flap) != NULL)
            {
              /* A panel keeps its own width; the picture takes the rest. */
              gtk_widget_add_css_class (adw_flap_get_flap (flap), "background");
              gtk_widget_set_hexpand (adw_flap_get_flap (flap), FALSE);
            }
          if (g_object_get_data (G_OBJECT (flap), "ll-window") != self)
            {
              g_object_set_data (G_OBJECT (flap), "ll-window", self);
              g_signal_connect_object (flap, "notify::folded", G_CALLBACK (update_panel_buttons),
                                       self, G_CONNECT_SWAPPED);
            }
        }
    }
  update_panel_buttons (self);
}

static void
bind_panel_button (LlWindow *self, GtkWidget *button, AdwFlap *flap, GBinding **binding)
{
  if (*binding != NULL)
    {
      g_binding_unbind (*binding);
      *binding = NULL;
    }
  gtk_widget_set_visible (button, flap != NULL && adw_flap_get_folded (flap));
  if (flap != NULL)
    *binding = g_object_bind_property (flap, "reveal-flap", button, "active",
                                       G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}

static gboolean
update_panel_buttons_idle (gpointer data)
{
  LlWindow *self = data;

  self->panel_idle = 0;
  bind_panel_button (self, self->panel_start_button, view_flap (self, GTK_PACK_START),
                     &self->panel_bindings[0]);
  bind_panel_button (self, self->panel_end_button, view_flap (self, GTK_PACK_END),
                     &self->panel_bindings[1]);
  return G_SOURCE_REMOVE;
}

/* A flap folds while the window allocates: the header bar's buttons
 * change after it, not during it. */
static void
update_panel_buttons (LlWindow *self)
{
  if (self->panel_idle == 0)
    self->panel_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_panel_buttons_idle, self, NULL);
}

static void
action_toggle_panel (GtkWidget *widget, const char *name, GVariant *param)
{
  LlWindow *self = LL_WINDOW (widget);
  AdwFlap *flap = view_flap (self, g_str_equal (name, "window.toggle-end-panel") ? GTK_PACK_END
                                                                                 : GTK_PACK_START);

  if (flap != NULL && adw_flap_get_folded (flap))
    adw_flap_set_reveal_flap (flap, !adw_flap_get_reveal_flap (flap));
}

/* Keys that work wherever the focus is -------------------------------- */

/* The panes F6 moves between: the header bar, then the visible view's
 * panes in order (the parts of its flaps and paned splits). */
static void
collect_panes (GtkWidget *widget, GPtrArray *panes)
{
  GtkWidget *parts[3] = { NULL, NULL, NULL };

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (ADW_IS_FLAP (widget))
    {
      AdwFlap *flap = ADW_FLAP (widget);
      gboolean shown = !adw_flap_get_folded (flap) || adw_flap_get_reveal_flap (flap);
      GtkWidget *side = shown ? adw_flap_get_flap (flap) : NULL;

      parts[0] = adw_flap_get_flap_position (flap) == GTK_PACK_START ? side : adw_flap_get_content (flap);
      parts[1] = adw_flap_get_flap_position (flap) == GTK_PACK_START ? adw_flap_get_content (flap) : side;
    }
  else if (GTK_IS_PANED (widget))
    {
      parts[0] = gtk_paned_get_start_child (GTK_PANED (widget));
      parts[1] = gtk_paned_get_end_child (GTK_PANED (widget));
    }
  else if (ADW_IS_BIN (widget) || LL_IS_VIEW (widget) || GTK_IS_BOX (widget) || GTK_IS_OVERLAY (widget))
    {
      /* Look through plain containers with one visible child. */
      GtkWidget *only = NULL;
      int n = 0;

      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (gtk_widget_get_visible (c))
          {
            only = c;
            n++;
          }
      if (n == 1 && !GTK_IS_OVERLAY (widget))
        {
          collect_panes (only, panes);
          return;
        }
      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (ADW_IS_FLAP (c) || GTK_IS_PANED (c))
          {
            collect_panes (c, panes);
            return;
          }
    }
  if (parts[0] == NULL && parts[1] == NULL)
    {
      g_ptr_array_add (panes, widget);
      return;
    }
  for (int i = 0; i < 2; i++)
    if (parts[i] != NULL)
      collect_panes (parts[i], panes);
}

void
ll_window_cycle_panes (LlWindow *self, gboolean backward)
{
  g_autoptr(GPtrArray) panes = g_ptr_array_new ();
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *view = adw_view_stack_get_visible_child (self->stack);
  int current = -1;
  guint n;

  g_return_if_fail (LL_IS_WINDOW (self));

  g_ptr_array_add (panes, self->header_bar);
  if (view != NULL)
    collect_panes (view, panes);
  n = panes->len;
  for (guint i = 0; focus != NULL && i < n; i++)
    if (focus == panes->pdata[i] || gtk_widget_is_ancestor (focus, panes->pdata[i]))
      current = i;
  for (guint step = 1; step <= n; step++)
    {
      int next = backward ? (current < 0 ? (int) n - 1 : (int) ((current - (int) step + (int) n * 2) % (int) n))
                          : (int) ((current + (int) step) % (int) n);
      GtkWidget *pane = panes->pdata[next];

      /* Focus moves to the pane's first control. */
      gtk_root_set_focus (GTK_ROOT (self), NULL);
      if (gtk_widget_child_focus (pane, GTK_DIR_TAB_FORWARD) || gtk_widget_grab_focus (pane))
        return;
      if (current < 0 && backward)
        current = n;             /* keep stepping back from the end */
    }
  if (focus != NULL)
    gtk_widget_grab_focus (focus);
}

static gboolean
on_window_key (GtkEventControllerKey *controller, guint keyval, guint keycode,
               GdkModifierType state, LlWindow *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  GtkWidget *train = ll_window_get_view_widget (self, "train");

  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
      && mods == GDK_CONTROL_MASK)
    {
      /* Start a run from anywhere: the Train view shows it. */
      ll_window_set_view (self, "train");
      gtk_widget_activate_action (train, "train.start", NULL);
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape && mods == 0)
    {
      if (ll_train_view_get_busy (LL_TRAIN_VIEW (train)))
        {
          gtk_widget_activate_action (train, "train.stop", NULL);
          return TRUE;
        }
      if (self->presentation)
        {
          ll_window_set_presentation (self, FALSE);
          return TRUE;
        }
      return FALSE;
    }
  if (keyval == GDK_KEY_F6 && (mods & ~GDK_SHIFT_MASK) == 0)
    {
      ll_window_cycle_panes (self, (mods & GDK_SHIFT_MASK) != 0);
      return TRUE;
    }
  return FALSE;
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
  /* The back row sees the whole screen: F5 fullscreens, Esc or F5 leaves. */
  if (self->fullscreen_presentation && presentation)
    gtk_window_fullscreen (GTK_WINDOW (self));
  else if (self->fullscreen_presentation)
    gtk_window_unfullscreen (GTK_WINDOW (self));
  setup_flaps (self);
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

void
ll_window_set_fullscreen_presentation (LlWindow *self, gboolean fullscreen)
{
  g_return_if_fail (LL_IS_WINDOW (self));

  fullscreen = !!fullscreen;
  if (self->fullscreen_presentation == fullscreen)
    return;
  self->fullscreen_presentation = fullscreen;
  if (self->presentation && fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self));
  else if (self->presentation)
    gtk_window_unfullscreen (GTK_WINDOW (self));
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

/* Controls built in code (the property rows, the settings form) get their
 * accessible names once the main loop is idle. */
static gboolean
name_controls_idle (gpointer data)
{
  LlWindow *self = data;

  self->a11y_idle = 0;
  ll_a11y_name_controls (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
queue_name_controls (LlWindow *self)
{
  if (self->a11y_idle == 0)
    self->a11y_idle = g_idle_add_full (G_PRIORITY_LOW, name_controls_idle, self, NULL);
}

/* A screen reader learns which view is on screen: the stack keeps every
 * view "visible", so the others are marked hidden. */
static void
update_showing (LlWindow *self)
{
  GtkWidget *visible = adw_view_stack_get_visible_child (self->stack);

  for (guint i = 0; i < ll_n_views; i++)
    {
      GtkWidget *view = ll_window_get_view_widget (self, ll_views[i].name);

      gtk_accessible_update_state (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_STATE_HIDDEN,
                                   view != visible, -1);
    }
}

static void
on_visible_child_changed (LlWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  if (self->settings != NULL && name != NULL)
    g_settings_set_string (self->settings, "last-view", name);
  update_undo_actions (self);
  update_panel_buttons (self);
  update_showing (self);
  ll_a11y_name_controls (GTK_WIDGET (self));
  g_signal_connect_object (self->document, "changed", G_CALLBACK (queue_name_controls), self,
                           G_CONNECT_SWAPPED);
  queue_name_controls (self);
}

/* The lesson open when Layerlab last closed, at its step, without running
 * the step's setup again (the model is as the class left it). */
static void
resume_lesson (LlWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *source = NULL;
  int step;
  g_autoptr(LlLesson) lesson = NULL;
  g_autoptr(GError) error = NULL;

  /* An installed schema older than this build has no lesson keys. */
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  if (!g_settings_schema_has_key (schema, "lesson"))
    return;
  source = g_settings_get_string (self->settings, "lesson");
  step = g_settings_get_int (self->settings, "lesson-step");
  if (*source == '\0')
    return;
  lesson = g_str_has_prefix (source, "builtin:")
    ? ll_lesson_load_builtin (source + strlen ("builtin:"), &error)
    : ll_lesson_load (source, &error);
  if (lesson == NULL || !ll_lesson_panel_validate (GTK_WIDGET (self), lesson, &error))
    {
      g_debug ("Lesson %s not resumed: %s", source, error->message);
      g_settings_set_string (self->settings, "lesson", "");
      return;
    }
  ll_lesson_panel_set_lesson (self->lesson_panel, g_steal_pointer (&lesson), source, step, FALSE);
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
  ll_lesson_panel_set_document (self->lesson_panel, self->document);
  fill_lessons_menu (self);
  g_signal_connect_object (self->lesson_panel, "notify::visible", G_CALLBACK (reveal_lesson), self,
                           G_CONNECT_SWAPPED);
  reveal_lesson (self);
  /* For screenshots of the teacher's tools (tools/screenshots.sh): a new
   * lesson recorded from the window's state, its card open for the text. */
  if (g_strcmp0 (g_getenv ("LL_LESSON_DEMO"), "record") == 0)
    action_new_lesson (GTK_WIDGET (self), "window.new-lesson", NULL);

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
      resume_lesson (self);
      g_signal_connect_object (self->settings, "changed::recent-files",
                               G_CALLBACK (rebuild_recent_menu), self, G_CONNECT_SWAPPED);
    }
  else
    ll_window_set_view (self, "draw");
  rebuild_recent_menu (self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name",
                            G_CALLBACK (on_visible_child_changed), self);
  update_undo_actions (self);
  update_panel_buttons (self);
  update_showing (self);
  ll_a11y_name_controls (GTK_WIDGET (self));
  g_signal_connect_object (self->document, "changed", G_CALLBACK (queue_name_controls), self,
                           G_CONNECT_SWAPPED);
  queue_name_controls (self);
}

static void
ll_window_dispose (GObject *object)
{
  LlWindow *self = LL_WINDOW (object);

  g_clear_handle_id (&self->panel_idle, g_source_remove);
  g_clear_handle_id (&self->a11y_idle, g_source_remove);
  /* A file still being read: its reader is killed, the result dropped. */
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_handle_id (&self->open_toast_id, g_source_remove);
  g_clear_object (&self->open_toast);
  g_clear_pointer (&self->open_name, g_free);
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
  g_type_ensure (LL_TYPE_LESSON_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, LL_RESOURCE_PREFIX "/ui/ll-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, recent_submenu);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, lessons_section);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, lesson_panel);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, lesson_flap);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, panel_start_button);
  gtk_widget_class_bind_template_child (widget_class, LlWindow, panel_end_button);

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
  /* Lessons, and the settings they (and menus) set. */
  gtk_widget_class_install_action (widget_class, "window.open-lesson", NULL, action_open_lesson);
  gtk_widget_class_install_action (widget_class, "window.open-lesson-file", "s", action_open_lesson_file);
  gtk_widget_class_install_action (widget_class, "window.new-lesson", NULL, action_new_lesson);
  gtk_widget_class_install_action (widget_class, "window.toggle-lesson", NULL, action_toggle_lesson);
  gtk_widget_class_install_action (widget_class, "window.apply-settings", "s", action_apply_settings);
  gtk_widget_class_install_action (widget_class, "window.set-dataset", "s", action_set_dataset);
  gtk_widget_class_install_action (widget_class, "window.set-architecture", "s", action_set_architecture);
  gtk_widget_class_install_action (widget_class, "window.select-layer", "i", action_select_layer);
  gtk_widget_class_install_action (widget_class, "window.show-test-image", "i", action_show_test_image);
  gtk_widget_class_install_action (widget_class, "window.show-inspect-page", "s", action_show_inspect_page);
  gtk_widget_class_install_action (widget_class, "window.toggle-panel", NULL, action_toggle_panel);
  gtk_widget_class_install_action (widget_class, "window.toggle-end-panel", NULL, action_toggle_panel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "window.toggle-panel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, GDK_SHIFT_MASK, "window.toggle-end-panel", NULL);
  gtk_widget_class_install_property_action (widget_class, "window.presentation", "presentation");
  gtk_widget_class_install_property_action (widget_class, "window.style", "style");
}

static void
ll_window_init (LlWindow *self)
{
  self->style = g_strdup ("follow");
  self->fullscreen_presentation = TRUE;
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
    /* Bubble phase: the focused widget's own keys (the pad's Escape, a
     * list's Return) come first; the header bar and every view then share
     * Ctrl+Return, Escape and F6. */
    GtkEventController *keys = gtk_event_controller_key_new ();
    g_signal_connect (keys, "key-pressed", G_CALLBACK (on_window_key), self);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }
  setup_flaps (self);
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
