// Striped Smith-Waterman score (Farrar 2007) with 32 uint8 lanes (AVX2). Cells are kept biased the
// SWIPE way: subs(adds(H, score + bias), bias) = max(0, H + score) while no lane reaches 255, and a
// pair whose best gets within reach of 255 is reported (-1) for the int16 kernel, so every returned
// score is exact. Gap values floor at 0 instead of going negative, which changes nothing (a cell is
// max(0, ...) anyway). The lazy-F pass is the int16 kernel's (striped.cc), for the same reason exact.
#include "striped8.h"

#include <algorithm>

#ifdef ARG_X86
namespace arginator {

namespace {

inline __attribute__((target("avx2"))) __m256i ld8(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __attribute__((target("avx2"))) void st8(uint8_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}
// The 32 lanes shifted up by one, 0 into lane 0 (the segment carry).
inline __attribute__((target("avx2"))) __m256i shift_in8(__m256i v) {
  const __m256i t = _mm256_permute2x128_si256(v, v, 0x08);
  return _mm256_alignr_epi8(v, t, 15);
}

__attribute__((target("avx2"))) int32_t striped8_pass(const uint8_t* t, int n, int open, int ext,
                                                      Striped8Work& w) {
  if (w.m == 0 || n == 0) return 0;
  const int seg = w.seg;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vBias = _mm256_set1_epi8((char)w.bias);
  const __m256i vOpen = _mm256_set1_epi8((char)std::min(255, open + ext));
  const __m256i vExt = _mm256_set1_epi8((char)std::min(255, ext));
  w.hA.assign((size_t)seg * 32, 0);
  w.hB.assign((size_t)seg * 32, 0);
  w.e.assign((size_t)seg * 32, 0);
  __m256i vMax = zero;
  uint8_t* hLoad = w.hA.data();
  uint8_t* hStore = w.hB.data();
  uint8_t* E = w.e.data();
  for (int j = 0; j < n; j++) {
    const uint8_t* P = w.prof.data() + (size_t)t[j] * seg * 32;
    __m256i vF = zero;
    __m256i vH = shift_in8(ld8(hStore + (size_t)(seg - 1) * 32));
    std::swap(hLoad, hStore);
    for (int s = 0; s < seg; s++) {
      vH = _mm256_subs_epu8(_mm256_adds_epu8(vH, ld8(P + (size_t)s * 32)), vBias);
      __m256i e = ld8(E + (size_t)s * 32);
      vH = _mm256_max_epu8(vH, e);
      vH = _mm256_max_epu8(vH, vF);
      vMax = _mm256_max_epu8(vMax, vH);
      st8(hStore + (size_t)s * 32, vH);
      const __m256i gap = _mm256_subs_epu8(vH, vOpen);
      e = _mm256_max_epu8(_mm256_subs_epu8(e, vExt), gap);
      st8(E + (size_t)s * 32, e);
      vF = _mm256_max_epu8(_mm256_subs_epu8(vF, vExt), gap);
      vH = ld8(hLoad + (size_t)s * 32);
    }
    // Lazy F: carry vertical gaps across segment boundaries until no lane's F exceeds its H - open.
    vF = shift_in8(vF);
    for (int k = 0; k < 32; k++) {
      bool done = false;
      for (int s = 0; s < seg; s++) {
        __m256i h = _mm256_max_epu8(ld8(hStore + (size_t)s * 32), vF);
        st8(hStore + (size_t)s * 32, h);
        vMax = _mm256_max_epu8(vMax, h);
        h = _mm256_subs_epu8(h, vOpen);
        vF = _mm256_subs_epu8(vF, vExt);
        // vF <= h in every lane: subs(vF, h) is 0 everywhere.
        if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_subs_epu8(vF, h), zero)) == -1) {
          done = true;
          break;
        }
      }
      if (done) break;
      vF = shift_in8(vF);
    }
  }
  alignas(32) uint8_t lanes[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), vMax);
  int32_t best = 0;
  for (int l = 0; l < 32; l++) best = std::max<int32_t>(best, lanes[l]);
  return best + w.bias >= 255 ? -1 : best;
}

}  // namespace

bool striped8_profile(const uint8_t* q, int m, const int8_t* mat, int size, Striped8Work& w) {
  int lowest = 0, highest = 0;
  for (int i = 0; i < size * size; i++) {
    lowest = std::min<int>(lowest, mat[i]);
    highest = std::max<int>(highest, mat[i]);
  }
  if (-lowest > 64 || highest - lowest > 127) return false;
  const int seg = (m + 31) / 32;
  w.bias = -lowest;
  w.seg = seg;
  w.m = m;
  w.prof.assign((size_t)size * seg * 32, 0);
  for (int r = 0; r < size; r++) {
    for (int s = 0; s < seg; s++) {
      uint8_t* row = w.prof.data() + ((size_t)r * seg + s) * 32;
      for (int l = 0; l < 32; l++) {
        const int i = s + l * seg;
        row[l] = i < m ? (uint8_t)(mat[(size_t)q[i] * size + r] + w.bias) : 0;
      }
    }
  }
  return true;
}

int32_t sw_striped8(const uint8_t* t, int n, int open, int ext, Striped8Work& w) {
  return striped8_pass(t, n, open, ext, w);
}

}  // namespace arginator
#endif
