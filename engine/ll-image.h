/* ll-image.h: resampling primitives on float images (row-major, c
 * interleaved channels), shared by the digit preprocessing, picture
 * input and folder import. */
#pragma once

#include "ll-types.h"

G_BEGIN_DECLS

/* Centre of mass (x, y) of a w × h image, pixel i centred at coordinate i
 * (MNIST digits have theirs at (14, 14)); FALSE when it is empty. */
gboolean ll_image_center_of_mass (const float *img, int w, int h, double *cx, double *cy);

/* Bilinear resize of an image of c interleaved channels. */
void     ll_image_resize (const float *src, int sw, int sh, int c, float *dst, int dw, int dh);

/* Area-averaging resample of a single-channel region (w × h at src with
 * row stride in floats) onto a dw × dh grid: source pixel (x, y) maps to
 * the square at (x·sx + ox, y·sy + oy) of size sx × sy.  Output values
 * are the mean of the ink inside each output pixel. */
void     ll_image_area_render (const float *src, int w, int h, int stride,
                               double sx, double ox, double sy, double oy,
                               float *dst, int dw, int dh);

G_END_DECLS
