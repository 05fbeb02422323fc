// 16 x int16 AVX2 lane helpers shared by the striped and the inter-sequence Smith-Waterman kernels.
#pragma once

#include <cstdint>

#include "../common/isa.h"

#ifdef ARG_X86
namespace arginator {

// Shifts the 16 lanes up by one, `first` into lane 0 (the striped kernel's segment carry).
static inline __attribute__((target("avx2"))) __m256i shift_in(__m256i v, int16_t first) {
  const __m256i t = _mm256_permute2x128_si256(v, v, 0x08);
  return _mm256_insert_epi16(_mm256_alignr_epi8(v, t, 14), first, 0);
}

static inline __attribute__((target("avx2"))) __m256i ld(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
static inline __attribute__((target("avx2"))) void st(int16_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

}  // namespace arginator
#endif
