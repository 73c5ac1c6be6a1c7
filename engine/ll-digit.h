/* ll-digit.h: turning a drawing or a picture into a network input.
 *
 * MNIST digits were made by fitting the ink's bounding box into 20×20
 * pixels (aspect ratio kept, anti-aliased) and placing the result so that
 * its centre of mass falls at the centre of a 28×28 image.  Here the ink
 * is moved back inside the 28×28 when centring would cut some off. */
#pragma once

#include "ll-types.h"

G_BEGIN_DECLS

/* src: width × height floats, ink = 1, paper = 0, row stride in floats.
 * out: 28 × 28 floats in [0, 1].  Returns FALSE (out zeroed) when there is no ink. */
gboolean ll_digit_preprocess (const float *src, int width, int height, int stride, float *out);

/* An RGBA picture (8 bits per channel, stride in bytes) as a model input
 * of out_h × out_w × out_c floats (out_c 1 or 3).  digit: grayscale, dark
 * ink on light paper inverted (decided by the border), contrast stretched,
 * then ll_digit_preprocess.  Otherwise a plain resize to the input size in
 * [0, 1], grayscale when out_c is 1 and then inverted when the background
 * is light (Fashion-MNIST shows light objects on black).  Transparent
 * pixels count as background.  FALSE (out zeroed) when a digit picture
 * has no ink or the arguments are invalid. */
gboolean ll_input_from_rgba (const guint8 *rgba, int w, int h, int stride,
                             int out_h, int out_w, int out_c, gboolean digit, float *out);

G_END_DECLS
