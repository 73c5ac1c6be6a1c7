/* ll-test-digits.h: digits that are not MNIST's, for measuring how the
 * digit model reads what users give it: digits drawn on the Draw view's
 * pad as a mouse would (LlInk), and digits typeset in the fonts installed
 * on the machine (Pango and Cairo), both preprocessed as the Draw view
 * does.  Everything is made from a seed: the same seed, the same digits. */
#pragma once

#include "ll-dataset.h"
#include "ll-draw-pad.h"
#include "ll-rng.h"

G_BEGIN_DECLS

/* Handwriting styles there are of digit (0–9), e.g. a 1 with or without
 * a flag, a 4 open or closed. */
int        ll_test_digit_n_styles (int digit);

/* Draws digit in style onto ink (its size already set) as pointer
 * motions: a hand-written shape varied at random (slant, tilt, width,
 * wobble), height a fraction of the pad's shorter side, placed anywhere
 * on the pad, sampled as a mouse delivers positions (whole pixels, a few
 * pixels apart).  The brush is ink's.  Returns the length of the pen's
 * path in pad pixels. */
double     ll_test_draw_digit     (LlInk *ink, int digit, int style, double height, LlRng *rng);

/* n_per_digit drawn digits of each class (styles taken in turn, heights
 * 50–80 % of a 480 × 480 pad, brushes uniform in [brush_min, brush_max],
 * e.g. the pad's range), preprocessed by ll_digit_preprocess into a
 * 28 × 28 data set. */
LlDataset *ll_test_drawn_digits   (int n_per_digit, double brush_min, double brush_max,
                                   guint64 seed);

/* The font faces ll_test_font_digits uses (NULL-terminated), as Pango
 * descriptions. */
const char *const *ll_test_digit_fonts (void);
/* Whether the face is installed (fontconfig would not substitute another). */
gboolean   ll_test_font_installed (const char *face);

/* Digits 0–9 typeset in every installed face of ll_test_digit_fonts, in
 * two sizes, three tilts and three stroke widths, alternately light on dark
 * and dark on light, at random places on the picture, each read as the
 * Draw view reads an opened picture (ll_input_from_rgba).  n_faces
 * (nullable) receives the number of faces found. */
LlDataset *ll_test_font_digits    (guint64 seed, int *n_faces);

G_END_DECLS
