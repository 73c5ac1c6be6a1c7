/* ll-palette.h: the one colour palette of every chart, map and diagram:
 * Okabe & Ito (2008), "Color Universal Design", distinguishable with every
 * common colour-vision deficiency.  Black is replaced by grey so that it
 * shows on dark backgrounds too. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double r, g, b;
} LlRgb;

typedef enum {
  LL_PALETTE_BLUE,
  LL_PALETTE_ORANGE,
  LL_PALETTE_GREEN,          /* bluish green */
  LL_PALETTE_VERMILLION,
  LL_PALETTE_PURPLE,         /* reddish purple */
  LL_PALETTE_SKY,            /* sky blue */
  LL_PALETTE_YELLOW,
  LL_PALETTE_GREY,
  LL_PALETTE_N_COLORS
} LlPaletteColor;

/* Colour i of the palette, in the order above; i wraps around. */
LlRgb ll_palette_color (guint i);

G_END_DECLS
