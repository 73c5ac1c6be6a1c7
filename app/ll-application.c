/* ll-application.c: the Layerlab GtkApplication.
 *
 *   layerlab [MODEL.llmodel]
 *   layerlab --lesson FILE-or-ID
 *   layerlab --screenshot VIEW FILE.png [--model FILE] [--presentation]
 *
 * --screenshot renders one view to a PNG once the window has painted a
 * few frames, then quits: the tests and the README use it. */
#include "config.h"

#include "ll-application.h"

#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>

#include "ll-view.h"
#include "ll-views.h"
#include "ll-window.h"
#include <glib/gi18n.h>

#define SCREENSHOT_FRAMES 12
#define SCREENSHOT_TIMEOUT_S 30

struct _LlApplication
{
  AdwApplication parent_instance;

  char *screenshot_view;
  char *screenshot_file;
  char *model_path;
  char *lesson;
  gboolean presentation;
  int screenshot_width, screenshot_height;
  guint n_frames;
};

G_DEFINE_FINAL_TYPE (LlApplication, ll_application, ADW_TYPE_APPLICATION)

/* Running from the build tree, meson has compiled the schema into
 * build/resources, beside build/app/layerlab. */
static void
use_build_tree_schema (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *schema_dir = NULL;
  g_autofree char *compiled = NULL;
  const char *old;

  if (exe == NULL)
    return;
  dir = g_path_get_dirname (exe);
  schema_dir = g_canonicalize_filename ("../resources", dir);
  compiled = g_build_filename (schema_dir, "gschemas.compiled", NULL);
  if (!g_file_test (compiled, G_FILE_TEST_EXISTS))
    return;
  old = g_getenv ("GSETTINGS_SCHEMA_DIR");
  if (old != NULL && *old != '\0')
    {
      g_autofree char *both = g_strconcat (schema_dir, G_SEARCHPATH_SEPARATOR_S, old, NULL);
      g_setenv ("GSETTINGS_SCHEMA_DIR", both, TRUE);
    }
  else
    g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
}

static const GOptionEntry options[] = {
  { "screenshot", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Render VIEW (model, train, inspect, optimizers, draw, data) to the PNG file given after it, then quit"),
    "VIEW" },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL, N_("Open a model file (.llmodel, .onnx, Keras .keras or .h5)"), "FILE" },
  { "presentation", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start in presentation mode (large text)"), NULL },
  { "lesson", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open a lesson: a lesson .json file or a built-in one (`layerlab lessons` lists them)"), "FILE" },
  { "size", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Window size for --screenshot (default 1400x900)"), "WxH" },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, "[FILE…]" },
  { NULL }
};

static int
ll_application_handle_local_options (GApplication *app, GVariantDict *dict)
{
  LlApplication *self = LL_APPLICATION (app);
  g_autofree const char **remaining = NULL;
  const char *size = NULL;
  gboolean own_instance = FALSE;

  g_variant_dict_lookup (dict, "screenshot", "s", &self->screenshot_view);
  g_variant_dict_lookup (dict, "model", "^ay", &self->model_path);
  g_variant_dict_lookup (dict, "presentation", "b", &self->presentation);
  g_variant_dict_lookup (dict, "lesson", "^ay", &self->lesson);
  g_variant_dict_lookup (dict, "size", "&s", &size);
  g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^a&ay", &remaining);

  if (self->screenshot_view != NULL)
    {
      if (ll_view_info_lookup (self->screenshot_view) == NULL)
        {
          g_autofree char *names = ll_view_names_joined ();
          g_printerr (_("layerlab: unknown view “%s”; use one of %s\n"), self->screenshot_view,
                      names);
          return 2;
        }
      if (remaining == NULL || remaining[0] == NULL)
        {
          g_printerr (_("layerlab: --screenshot VIEW needs the PNG file to write, "
                      "e.g. layerlab --screenshot model model.png\n"));
          return 2;
        }
      self->screenshot_file = g_strdup (remaining[0]);
      self->screenshot_width = 1400;
      self->screenshot_height = 900;
      if (size != NULL && sscanf (size, "%dx%d", &self->screenshot_width, &self->screenshot_height) != 2)
        {
          g_printerr (_("layerlab: --size takes WIDTHxHEIGHT, e.g. 1600x1000\n"));
          return 2;
        }
      own_instance = TRUE;
      /* A screenshot must not change the user's window state or last view. */
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
    }
  else if (remaining != NULL && remaining[0] != NULL && self->model_path == NULL)
    self->model_path = g_strdup (remaining[0]);

  if (self->model_path != NULL || self->lesson != NULL)
    own_instance = TRUE;
  /* A screenshot or a file to open wants this process, not a running one. */
  if (own_instance)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

/* Screenshot --------------------------------------------------------- */

/* A failed screenshot ends the process at once; without library
 * destructors, as main() does (OpenBLAS can hang in its own at exit). */
static void G_GNUC_NORETURN
fail_now (void)
{
  fflush (NULL);
  _exit (EXIT_FAILURE);
}

static gboolean
save_screenshot (LlApplication *self, GtkWindow *window, GError **error)
{
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  int w = gtk_widget_get_width (content);
  int h = gtk_widget_get_height (content);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GdkRGBA bg = { 0.98, 0.98, 0.98, 1.0 };
  GskRenderer *renderer;

  if (w <= 0 || h <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the window has no size"));
      return FALSE;
    }
  /* The window paints the background behind the content: add it. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (window)),
                                  "window_bg_color", &bg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  bg.alpha = 1.0;

  paintable = gtk_widget_paintable_new (content);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, self->screenshot_file))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("could not write %s"), self->screenshot_file);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_screenshot_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  LlApplication *self = LL_APPLICATION (data);
  g_autoptr(GError) error = NULL;

  /* Several frames: the first ones lay out and load icons and fonts. */
  if (++self->n_frames < SCREENSHOT_FRAMES)
    {
      gtk_widget_queue_draw (widget);
      return G_SOURCE_CONTINUE;
    }
  if (!save_screenshot (self, GTK_WINDOW (widget), &error))
    {
      g_printerr (_("layerlab: screenshot failed: %s\n"), error->message);
      fail_now ();
    }
  g_print ("%s\n", self->screenshot_file);
  gtk_window_destroy (GTK_WINDOW (widget));
  return G_SOURCE_REMOVE;
}

static gboolean
on_screenshot_timeout (gpointer data)
{
  g_printerr (_("layerlab: screenshot failed: the window did not paint within %d s\n"),
              SCREENSHOT_TIMEOUT_S);
  fail_now ();
  return G_SOURCE_REMOVE;
}

/* Application -------------------------------------------------------- */

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkApplication *app = GTK_APPLICATION (data);
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing asks about unsaved changes in each window. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
ll_application_startup (GApplication *app)
{
  static const GActionEntry app_actions[] = {
    { "quit", action_quit, NULL, NULL, NULL },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "window.new", { "<Control>n", NULL } },
    { "window.open", { "<Control>o", NULL } },
    { "window.save", { "<Control>s", NULL } },
    { "window.save-as", { "<Control><Shift>s", NULL } },
    { "window.undo", { "<Control>z", NULL } },
    { "window.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "window.presentation", { "F5", NULL } },
    { "window.toggle-lesson", { "F8", NULL } },
  };

  G_APPLICATION_CLASS (ll_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
  for (guint i = 0; i < ll_n_views; i++)
    {
      g_autofree char *action = g_strdup_printf ("window.show-view('%s')", ll_views[i].name);
      const char *view_accels[] = { ll_views[i].accel, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (app), action, view_accels);
    }
  gtk_window_set_default_icon_name (APP_ID);
}

static void
ll_application_activate (GApplication *app)
{
  LlApplication *self = LL_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  gboolean fresh = window == NULL;

  if (fresh)
    window = GTK_WINDOW (ll_window_new (GTK_APPLICATION (app), NULL));

  if (self->model_path != NULL && self->screenshot_file == NULL)
    {
      /* Read on a worker thread (a Keras file in a child process with a
       * time limit): the window shows at once, an error in a dialog. */
      ll_window_open_file (LL_WINDOW (window), self->model_path);
      ll_window_set_view (LL_WINDOW (window), "model");
      g_clear_pointer (&self->model_path, g_free);
    }
  else if (self->model_path != NULL)
    {
      /* A screenshot shows the model: it is read before. */
      g_autoptr(GError) error = NULL;
      if (!ll_window_open_path (LL_WINDOW (window), self->model_path, &error))
        {
          g_printerr ("layerlab: %s\n", error->message);
          fail_now ();
        }
      g_clear_pointer (&self->model_path, g_free);
    }
  /* A screenshot of WxH shows a screen of that size: no fullscreen. */
  if (self->screenshot_file != NULL && fresh)
    ll_window_set_fullscreen_presentation (LL_WINDOW (window), FALSE);
  if (self->presentation)
    ll_window_set_presentation (LL_WINDOW (window), TRUE);
  if (self->lesson != NULL)
    {
      g_autoptr(GError) error = NULL;
      if (!ll_window_open_lesson (LL_WINDOW (window), self->lesson, &error))
        {
          g_printerr ("layerlab: %s\n", error->message);
          if (self->screenshot_file != NULL)
            fail_now ();
        }
      g_clear_pointer (&self->lesson, g_free);
    }

  if (self->screenshot_file != NULL && fresh)
    {
      ll_window_set_view (LL_WINDOW (window), self->screenshot_view);
      /* A view with something to show only after work (the Playground's
       * boundary after some training) prepares it; others have no such action. */
      gtk_widget_activate_action (ll_window_get_view_widget (LL_WINDOW (window), self->screenshot_view),
                                  "view.prepare-screenshot", NULL);
      gtk_window_unmaximize (window);
      gtk_window_set_default_size (window, self->screenshot_width, self->screenshot_height);
      gtk_widget_add_tick_callback (GTK_WIDGET (window), on_screenshot_tick, self, NULL);
      g_timeout_add_seconds (SCREENSHOT_TIMEOUT_S, on_screenshot_timeout, NULL);
    }
  gtk_window_present (window);
}

static void
ll_application_finalize (GObject *object)
{
  LlApplication *self = LL_APPLICATION (object);

  g_free (self->screenshot_view);
  g_free (self->screenshot_file);
  g_free (self->model_path);
  g_free (self->lesson);
  G_OBJECT_CLASS (ll_application_parent_class)->finalize (object);
}

static void
ll_application_class_init (LlApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ll_application_finalize;
  app_class->handle_local_options = ll_application_handle_local_options;
  app_class->startup = ll_application_startup;
  app_class->activate = ll_application_activate;
}

static void
ll_application_init (LlApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[MODEL.llmodel]"); /* no-i18n */
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("Build, train and look inside neural networks that classify images.\n\n"
    "Headless commands (no display needed): layerlab train | eval | predict | summary --help"));
}

LlApplication *
ll_application_new (void)
{
  use_build_tree_schema ();
  g_set_application_name ("Layerlab");
  /* AdwApplication reads style.css from resource-base-path when it starts
   * up, before any window: the resource must be registered by then, or no
   * rule of style.css (presentation mode's text, the layer cards) applies. */
  ll_ui_ensure_resources ();
  return g_object_new (LL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", LL_RESOURCE_PREFIX,
                       NULL);
}
