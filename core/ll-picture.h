/* ll-picture.h: the one picture decoder of Layerlab, used by the Draw
 * view, the folder import and `layerlab predict`: PNG, JPEG and whatever
 * else gdk-pixbuf reads, upright (EXIF orientation applied), as RGBA, with
 * the size declared by the file checked before anything is decoded. */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "ll-types.h"

G_BEGIN_DECLS

/* Largest file read and largest picture decoded (a 48-megapixel photo
 * fits; a picture bomb claiming 20000 × 20000 pixels does not). */
#define LL_PICTURE_MAX_BYTES  ((gsize) 64 << 20)
#define LL_PICTURE_MAX_PIXELS ((gint64) 64 * 1000 * 1000)

/* The picture at path as RGBA, at most max_w × max_h (each axis shrunk
 * separately where needed; large pictures are shrunk while decoding where
 * the format allows), upright.  Refuses what is not a regular file, files
 * over LL_PICTURE_MAX_BYTES and pictures declaring over
 * LL_PICTURE_MAX_PIXELS, with a message.  (transfer full) */
GdkPixbuf *ll_picture_load (const char *path, int max_w, int max_h, GError **error);

/* The picture at path as a model input of shape in (h × w × c floats in
 * [0, 1]; see ll_input_from_rgba): digit selects MNIST-style
 * preprocessing.  NULL with an error when the picture cannot be read or,
 * for a digit, is blank. (transfer full) */
float     *ll_picture_load_input (const char *path, const LlShape *in, gboolean digit,
                                  GError **error);

G_END_DECLS
