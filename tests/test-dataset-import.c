/* test-dataset-import.c: a folder of the user's own pictures as a data set:
 * the engine's resize / split / write, and `layerlab datasets --import` on
 * PNGs of several sizes written here with gdk-pixbuf, read back as
 * ll_dataset_load_named finds them for --data-dir. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ll-dataset-import.h"
#include "ll-test-util.h"

/* A w × h RGBA picture of one colour. */
static guint8 *
solid (int w, int h, guint8 r, guint8 g, guint8 b, guint8 a)
{
  guint8 *p = g_malloc ((gsize) w * h * 4);
  for (int i = 0; i < w * h; i++)
    {
      p[4 * i] = r;
      p[4 * i + 1] = g;
      p[4 * i + 2] = b;
      p[4 * i + 3] = a;
    }
  return p;
}

static void
test_import_engine (void)
{
  const char *const names[] = { "light", "dark", "red", NULL };
  LlImportImage im[30];
  guint8 *pix[30];
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = NULL, train = NULL, test = NULL, train2 = NULL, test2 = NULL;
  g_autoptr(LlDataset) back = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ll-import-XXXXXX", NULL);
  g_autofree char *ti = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *tl = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
  int counts[3] = { 0 };

  for (int i = 0; i < 30; i++)
    {
      int k = i % 3, w = 5 + i, h = 40 - i;
      pix[i] = k == 0 ? solid (w, h, 255, 255, 255, 255)
             : k == 1 ? solid (w, h, 0, 0, 0, 255)
                      : solid (w, h, 255, 0, 0, 255);
      im[i] = (LlImportImage) { pix[i], w, h, 4 * w, k };
    }
  ds = ll_dataset_import (im, 30, names, 8, 6, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->n, ==, 30);
  g_assert_cmpint (ds->height, ==, 8);
  g_assert_cmpint (ds->width, ==, 6);
  g_assert_cmpint (ds->n_classes, ==, 3);
  g_assert_cmpstr (ds->class_names[2], ==, "red");
  /* white → 255, black → 0, red → luma 0.299 · 255 ≈ 76 everywhere. */
  for (int p = 0; p < 48; p++)
    {
      g_assert_cmpint (ds->images[0 * 48 + p], ==, 255);
      g_assert_cmpint (ds->images[1 * 48 + p], ==, 0);
      g_assert_cmpint (ABS ((int) ds->images[2 * 48 + p] - 76), <=, 1);
    }

  /* Colour: 3 channels keep red as red. */
  {
    g_autoptr(LlDataset) rgb = ll_dataset_import (im, 3, names, 4, 4, 3, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rgb->images[2 * 48 + 0], ==, 255);
    g_assert_cmpint (rgb->images[2 * 48 + 1], ==, 0);
  }

  g_assert_true (ll_dataset_split (ds, 0.2, 7, &train, &test, &error));
  g_assert_no_error (error);
  g_assert_cmpint (train->n, ==, 24);
  g_assert_cmpint (test->n, ==, 6);
  for (int i = 0; i < test->n; i++)
    counts[test->labels[i]]++;
  g_assert_cmpint (counts[0], ==, 2);
  g_assert_cmpint (counts[1], ==, 2);
  g_assert_cmpint (counts[2], ==, 2);
  /* Same seed, same split. */
  g_assert_true (ll_dataset_split (ds, 0.2, 7, &train2, &test2, &error));
  g_assert_cmpmem (train->labels, train->n, train2->labels, train2->n);

  g_assert_true (ll_dataset_write_dir (train, test, dir, &error));
  g_assert_no_error (error);
  back = ll_dataset_load_idx (ti, tl, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n, ==, train->n);
  g_assert_cmpmem (back->images, (gsize) back->n * 48, train->images, (gsize) train->n * 48);
  g_assert_cmpmem (back->labels, back->n, train->labels, train->n);

  /* What cannot work says so. */
  g_assert_null (ll_dataset_import (im, 30, names, 8, 6, 2, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ll_dataset_split (ds, 1.5, 1, &train2, &test2, &error));
  g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(LlDataset) odd = ll_dataset_import (im, 30, names, 20, 20, 3, NULL);
    g_assert_false (ll_dataset_write_dir (odd, odd, dir, &error));
    g_assert_error (error, LL_ERROR, LL_ERROR_INVALID);
  }
  for (int i = 0; i < 30; i++)
    g_free (pix[i]);
  ll_test_remove_tree (dir);
}

static void
write_png (const char *path, int w, int h, guint32 rgba)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, w, h);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pb, rgba);
  g_assert_true (gdk_pixbuf_save (pb, path, "png", &error, NULL));
  g_assert_no_error (error);
}

static void
test_import_cli (void)
{
  g_autofree char *root = g_dir_make_tmp ("ll-import-cli-XXXXXX", NULL);
  g_autofree char *in = g_build_filename (root, "pictures", NULL);
  g_autofree char *out = g_build_filename (root, "set", NULL);
  const char *classes[] = { "circle", "square", "triangle" };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) train = NULL, test = NULL;
  g_autofree char *stdout_text = NULL, *classes_text = NULL, *classes_path = NULL;
  int status = 0;

  for (int k = 0; k < 3; k++)
    {
      g_autofree char *sub = g_build_filename (in, classes[k], NULL);
      g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
      for (int i = 0; i < 10; i++)
        {
          g_autofree char *name = g_strdup_printf ("%d.png", i);
          g_autofree char *path = g_build_filename (sub, name, NULL);
          write_png (path, 20 + 7 * i, 50 - 3 * i, k == 0 ? 0xffffffff : k == 1 ? 0x000000ff : 0x808080ff);
        }
    }
  {
    /* Not a picture: skipped with a message, not fatal. */
    g_autofree char *junk = g_build_filename (in, "square", "notes.txt", NULL);
    g_assert_true (g_file_set_contents (junk, "hello", -1, NULL));
  }
  {
    const char *argv[] = { LAYERLAB_EXE, "datasets", "--import", in, "--size", "28x28x1",
                           "--output", out, "--test-fraction", "0.3", "--seed", "3", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &stdout_text, NULL, &status, &error));
    g_assert_no_error (error);
    g_test_message ("%s", stdout_text);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  train = ll_dataset_load_named ("mnist", out, FALSE, &error);
  g_assert_no_error (error);
  test = ll_dataset_load_named ("mnist", out, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (train->n, ==, 21);
  g_assert_cmpint (test->n, ==, 9);
  g_assert_cmpint (train->height, ==, 28);
  g_assert_cmpint (train->channels, ==, 1);
  for (int i = 0; i < train->n; i++)
    {
      int expect = train->labels[i] == 0 ? 255 : train->labels[i] == 1 ? 0 : 128;
      g_assert_cmpint (ABS ((int) train->images[(gsize) i * 784 + 400] - expect), <=, 1);
    }
  classes_path = g_build_filename (out, "classes.txt", NULL);
  g_assert_true (g_file_get_contents (classes_path, &classes_text, NULL, NULL));
  g_assert_cmpstr (classes_text, ==, "circle\nsquare\ntriangle\n");
  /* The loader names the classes from classes.txt, for Train and Inspect. */
  g_assert_cmpstr (train->class_names[0], ==, "circle");
  g_assert_cmpstr (test->class_names[2], ==, "triangle");
  g_assert_cmpstr (train->class_names[3], ==, "3");
  ll_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/dataset-import/resize-split-write", test_import_engine);
  g_test_add_func ("/engine/dataset-import/cli-pngs", test_import_cli);
  return g_test_run ();
}
