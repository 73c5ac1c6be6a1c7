/* ll-vec.h: element-wise loops the compiler vectorizes.
 *
 * GCC's -O2 leaves loops of unknown length scalar (its very cheap cost
 * model); LL_VEC_LOOP on a function lets it vectorize them, with an AVX2
 * variant chosen at run time (a distributed build cannot assume
 * -march=native).  Contraction stays off (-std=c11), so every variant
 * computes the same floats. */
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define LL_VEC_LOOP __attribute__ ((optimize ("vect-cost-model=dynamic"), \
                                    target_clones ("avx2", "default")))
#else
#define LL_VEC_LOOP
#endif
