/* test-ui-export.c: the window's Export menu (win.export-*), through the
 * function the actions call with the path the file dialog returns.  The
 * C files must compile with the system compiler and the scripts must be
 * valid Python (py_compile; nothing imports Keras or PyTorch here). */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "ll-document.h"
#include "ll-window.h"

static char *
find_program (const char *const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    {
      char *path = g_find_program_in_path (names[i]);
      if (path != NULL)
        return path;
    }
  return NULL;
}

static gboolean
run (const char *const *argv, char **out)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, out, NULL, &status, &error))
    {
      g_test_message ("spawn %s: %s", argv[0], error->message);
      return FALSE;
    }
  return g_spawn_check_wait_status (status, NULL);
}

static LlWindow *
new_window (void)
{
  g_autoptr(LlDocument) doc = ll_document_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ll_document_load_preset (doc, "mnist-cnn", &error) ||
                 ll_document_load_preset (doc, "mlp-128-dropout", NULL));
  return g_object_ref_sink (ll_window_new (NULL, doc));
}

static void
test_actions_exist (void)
{
  LlWindow *window = new_window ();

  for (int i = 0; i < 3; i++)
    {
      const char *names[] = { "export-c", "export-keras", "export-pytorch" };
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), names[i]);
      g_assert_nonnull (action);
      g_assert_true (g_action_get_enabled (action));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
test_export_c (void)
{
  const char *const ccs[] = { "cc", "gcc", "clang", NULL };
  g_autofree char *cc = find_program (ccs);
  g_autofree char *dir = g_dir_make_tmp ("ll-ui-export-XXXXXX", NULL);
  g_autofree char *c_path = g_build_filename (dir, "my net.c", NULL);
  g_autofree char *src = g_build_filename (dir, "my_net.c", NULL);
  g_autofree char *hdr = g_build_filename (dir, "my_net.h", NULL);
  g_autofree char *obj = g_build_filename (dir, "my_net.o", NULL);
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  /* "my net.c": the space is not a C identifier, so the prefix is my_net. */
  g_assert_true (ll_window_export_to_path (window, "c", c_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (src, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (hdr, G_FILE_TEST_IS_REGULAR));
  if (cc == NULL)
    g_test_skip ("no C compiler (cc, gcc or clang) in PATH: the files were written but not compiled");
  else
    {
      const char *argv[] = { cc, "-std=c99", "-Wall", "-Werror", "-c", src, "-o", obj, NULL };
      g_assert_true (run (argv, NULL));
      g_assert_true (g_file_test (obj, G_FILE_TEST_IS_REGULAR));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
check_script (const char *format)
{
  const char *const pys[] = { "python3", NULL };
  g_autofree char *py = find_program (pys);
  g_autofree char *dir = g_dir_make_tmp ("ll-ui-export-XXXXXX", NULL);
  g_autofree char *script = g_build_filename (dir, "net.py", NULL);
  g_autofree char *bin = g_build_filename (dir, "net.weights.bin", NULL);
  g_autofree char *json = g_build_filename (dir, "net.weights.json", NULL);
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  g_assert_true (ll_window_export_to_path (window, format, script, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (script, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (bin, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (json, G_FILE_TEST_IS_REGULAR));
  if (py == NULL)
    g_test_skip ("no python3 in PATH: the script was written but not checked");
  else
    {
      const char *argv[] = { py, "-m", "py_compile", script, NULL };
      g_assert_true (run (argv, NULL));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

static void
test_export_keras (void)
{
  check_script ("keras");
}

static void
test_export_pytorch (void)
{
  check_script ("pytorch");
}

static void
test_export_errors (void)
{
  g_autoptr(GError) error = NULL;
  LlWindow *window = new_window ();

  g_assert_false (ll_window_export_to_path (window, "tflite", "/tmp/x.tflite", &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  /* A folder that cannot be created: the error reaches the caller (the
   * action shows it in a dialog). */
  g_assert_false (ll_window_export_to_path (window, "keras", "/proc/nonexistent/net.py", &error));
  g_assert_nonnull (error);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_message ("no display: run under xvfb-run");
      g_test_skip ("needs a display (xvfb-run)");
      return g_test_run ();
    }
  adw_init ();

  g_test_add_func ("/ui/export/actions", test_actions_exist);
  g_test_add_func ("/ui/export/c", test_export_c);
  g_test_add_func ("/ui/export/keras", test_export_keras);
  g_test_add_func ("/ui/export/pytorch", test_export_pytorch);
  g_test_add_func ("/ui/export/errors", test_export_errors);
  return g_test_run ();
}
