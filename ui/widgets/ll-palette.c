/* ll-palette.c: the Okabe–Ito colours. */
#include "ll-palette.h"

static const LlRgb palette[LL_PALETTE_N_COLORS] = {
  [LL_PALETTE_BLUE]       = { 0.000, 0.447, 0.698 },
  [LL_PALETTE_ORANGE]     = { 0.902, 0.624, 0.000 },
  [LL_PALETTE_GREEN]      = { 0.000, 0.620, 0.451 },
  [LL_PALETTE_VERMILLION] = { 0.835, 0.369, 0.000 },
  [LL_PALETTE_PURPLE]     = { 0.800, 0.475, 0.655 },
  [LL_PALETTE_SKY]        = { 0.337, 0.706, 0.914 },
  [LL_PALETTE_YELLOW]     = { 0.941, 0.894, 0.259 },
  [LL_PALETTE_GREY]       = { 0.600, 0.600, 0.600 },
};

LlRgb
ll_palette_color (guint i)
{
  return palette[i % LL_PALETTE_N_COLORS];
}
