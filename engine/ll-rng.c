/* ll-rng.c: xoshiro256** seeded through splitmix64. */
#include "ll-rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

void
ll_rng_seed (LlRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
  rng->has_spare = FALSE;
  rng->spare = 0.0;
}

guint64
ll_rng_next (LlRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
ll_rng_uniform (LlRng *rng)
{
  return (double) (ll_rng_next (rng) >> 11) * 0x1.0p-53;
}

guint32
ll_rng_below (LlRng *rng, guint32 n)
{
  /* Lemire's multiply-shift; the bias is below 2^-32 and irrelevant here. */
  return (guint32) (((ll_rng_next (rng) >> 32) * (guint64) n) >> 32);
}

double
ll_rng_normal (LlRng *rng)
{
  double u, v, s;

  if (rng->has_spare)
    {
      rng->has_spare = FALSE;
      return rng->spare;
    }
  do
    {
      u = 2.0 * ll_rng_uniform (rng) - 1.0;
      v = 2.0 * ll_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);
  s = sqrt (-2.0 * log (s) / s);
  rng->spare = v * s;
  rng->has_spare = TRUE;
  return u * s;
}

void
ll_rng_shuffle (LlRng *rng, guint32 *v, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      guint32 j = ll_rng_below (rng, (guint32) i);
      guint32 t = v[i - 1];
      v[i - 1] = v[j];
      v[j] = t;
    }
}
