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
 * motions: a hand-written shape varied at random (slant, width, wobble,
 * tremor, turned by up to ±tilt degrees), height a fraction of the pad's
 * shorter side, placed anywhere on the pad, sampled as a mouse delivers
 * positions (whole pixels, a few pixels apart).  The brush is ink's.
 * Returns the length of the pen's path in pad pixels. */
double     ll_test_draw_digit     (LlInk *ink, int digit, int style, double height, double tilt,
                                   LlRng *rng);

/* How a set of digits is drawn: each setting uniform in its range. */
typedef struct {
  double brush_min, brush_max;     /* fractions of the pad, e.g. its range */
  double height_min, height_max;   /* fractions of the pad's shorter side */
  double tilt;                     /* degrees either way */
} LlTestDrawing;

/* As users of the pad draw: its brushes, 50–80 % high, turned ±10°. */
extern const LlTestDrawing ll_test_drawing_typical;
/* Thinner, thicker, smaller, larger and more turned: the old brush
 * range (0.03–0.15), 30–90 % high, ±25°. */
extern const LlTestDrawing ll_test_drawing_varied;

/* n_per_digit drawn digits of each class (styles taken in turn) on a
 * 480 × 480 pad, preprocessed by ll_digit_preprocess into a 28 × 28 data
 * set. */
LlDataset *ll_test_drawn_digits   (int n_per_digit, const LlTestDrawing *how, guint64 seed);

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
