/* ll-digit.h: turning a drawing or a picture into a network input.
 *
 * MNIST digits were made by fitting the ink's bounding box into 20×20
 * pixels (aspect ratio kept, anti-aliased) and placing the result so that
 * its centre of mass falls at the centre of a 28×28 image. */
#pragma once

#include "ll-types.h"

G_BEGIN_DECLS

/* src: width × height floats, ink = 1, paper = 0, row stride in floats.
 * out: 28 × 28 floats in [0, 1].  Returns FALSE (out zeroed) when there is no ink. */
gboolean ll_digit_preprocess (const float *src, int width, int height, int stride, float *out);

/* Centre of mass (x, y) of a w × h image; FALSE when it is empty. */
gboolean ll_image_center_of_mass (const float *img, int w, int h, double *cx, double *cy);

/* Bilinear resize of an image of c interleaved channels. */
void     ll_image_resize (const float *src, int sw, int sh, int c, float *dst, int dw, int dh);

G_END_DECLS
