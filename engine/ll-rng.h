/* ll-rng.h: a small seeded random generator (xoshiro256**), so that the
 * same seed gives the same weights, dropout masks and shuffles everywhere. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
  gboolean has_spare;   /* Box-Muller produces normals in pairs */
  double spare;
} LlRng;

void     ll_rng_seed     (LlRng *rng, guint64 seed);
guint64  ll_rng_next     (LlRng *rng);
/* Uniform in [0, 1). */
double   ll_rng_uniform  (LlRng *rng);
/* Uniform integer in [0, n). */
guint32  ll_rng_below    (LlRng *rng, guint32 n);
/* Standard normal. */
double   ll_rng_normal   (LlRng *rng);
/* Fisher-Yates shuffle of a permutation. */
void     ll_rng_shuffle  (LlRng *rng, guint32 *v, gsize n);

G_END_DECLS
