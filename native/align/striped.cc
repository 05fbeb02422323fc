// Striped Smith-Waterman score (Farrar 2007) with 16 int16 lanes (AVX2). Exact for these gap costs:
// the lazy-F pass never needs to update E because a vertical gap followed at once by a horizontal
// one is never optimal when opening a gap costs more than the worst substitution (11 + 1 > 4).
#include "striped.h"

#include <algorithm>

#include "avx2-lanes.h"

#ifdef ARG_X86
namespace arginator {

// The striped query profile (Farrar): for residue r, segment s, lane l the score of query position
// s + l * seg against r (0 past the end).
void striped_profile(const uint8_t* q, int m, const int8_t* mat, int size, int lanes, StripedWork& w) {
  const int seg = (m + lanes - 1) / lanes;
  w.lanes = lanes;
  w.seg = seg;
  w.m = m;
  w.prof.assign((size_t)size * seg * lanes, 0);
  for (int r = 0; r < size; r++) {
    for (int s = 0; s < seg; s++) {
      int16_t* row = w.prof.data() + ((size_t)r * seg + s) * lanes;
      for (int l = 0; l < lanes; l++) {
        const int i = s + l * seg;
        row[l] = i < m ? mat[(size_t)q[i] * size + r] : 0;
      }
    }
  }
}

// Score of the profiled query (striped_profile with 16 lanes) against t; with TrackEnd, also the
// cell where sw_run (gotoh.cc) would record it: the first column reaching the best score, and the
// first query position in it (1-based, as sw_run's bi and bj).
template <bool TrackEnd>
__attribute__((target("avx2"))) static int32_t striped_pass(const uint8_t* t, int n, int open, int ext,
                                                            StripedWork& w, int32_t* end_q, int32_t* end_t) {
  if (w.m == 0 || n == 0) {
    if (TrackEnd) {
      *end_q = 0;
      *end_t = 0;
    }
    return 0;
  }
  const int seg = w.seg;
  const int16_t NEG16 = -30000;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vOpen = _mm256_set1_epi16((int16_t)(open + ext));
  const __m256i vExt = _mm256_set1_epi16((int16_t)ext);
  w.hA.assign((size_t)seg * 16, 0);
  w.hB.assign((size_t)seg * 16, 0);
  w.e.assign((size_t)seg * 16, NEG16);
  __m256i vMax = zero;
  int32_t tracked = 0;
  if (TrackEnd) {
    *end_q = 0;
    *end_t = 0;
  }
  int16_t* hLoad = w.hA.data();
  int16_t* hStore = w.hB.data();
  int16_t* E = w.e.data();
  for (int j = 0; j < n; j++) {
    const int16_t* P = w.prof.data() + (size_t)t[j] * seg * 16;
    __m256i vF = _mm256_set1_epi16(NEG16);
    __m256i vH = shift_in(ld(hStore + (size_t)(seg - 1) * 16), 0);
    std::swap(hLoad, hStore);
    for (int s = 0; s < seg; s++) {
      vH = _mm256_adds_epi16(vH, ld(P + (size_t)s * 16));
      __m256i e = ld(E + (size_t)s * 16);
      vH = _mm256_max_epi16(vH, e);
      vH = _mm256_max_epi16(vH, vF);
      vH = _mm256_max_epi16(vH, zero);
      vMax = _mm256_max_epi16(vMax, vH);
      st(hStore + (size_t)s * 16, vH);
      const __m256i gap = _mm256_subs_epi16(vH, vOpen);
      e = _mm256_max_epi16(_mm256_subs_epi16(e, vExt), gap);
      st(E + (size_t)s * 16, e);
      vF = _mm256_max_epi16(_mm256_subs_epi16(vF, vExt), gap);
      vH = ld(hLoad + (size_t)s * 16);
    }
    // Lazy F: carry vertical gaps across segment boundaries until they no longer matter.
    vF = shift_in(vF, NEG16);
    for (int k = 0; k < 16; k++) {
      bool done = false;
      for (int s = 0; s < seg; s++) {
        __m256i h = _mm256_max_epi16(ld(hStore + (size_t)s * 16), vF);
        st(hStore + (size_t)s * 16, h);
        vMax = _mm256_max_epi16(vMax, h);
        h = _mm256_subs_epi16(h, vOpen);
        vF = _mm256_subs_epi16(vF, vExt);
        if (_mm256_movemask_epi8(_mm256_cmpgt_epi16(vF, h)) == 0) {
          done = true;
          break;
        }
      }
      if (done) break;
      vF = shift_in(vF, NEG16);
    }
    if (TrackEnd) {
      // This column's best (final after the lazy F): a new overall best moves the end here.
      __m256i col = ld(hStore);
      for (int s = 1; s < seg; s++) col = _mm256_max_epi16(col, ld(hStore + (size_t)s * 16));
      alignas(32) int16_t lanes[16];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), col);
      int32_t top = 0;
      for (int l = 0; l < 16; l++) top = std::max<int32_t>(top, lanes[l]);
      if (top > tracked) {
        tracked = top;
        int first = w.m;
        for (int s = 0; s < seg; s++) {
          for (int l = 0; l < 16; l++) {
            const int i = s + l * seg;
            if (i < w.m && hStore[(size_t)s * 16 + l] == top && i < first) first = i;
          }
        }
        *end_q = first + 1;
        *end_t = j + 1;
      }
    }
  }
  alignas(32) int16_t lanes[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), vMax);
  int32_t best = 0;
  for (int l = 0; l < 16; l++) best = std::max<int32_t>(best, lanes[l]);
  return best;
}

int32_t sw_striped(const uint8_t* t, int n, int open, int ext, StripedWork& w) {
  return striped_pass<false>(t, n, open, ext, w, nullptr, nullptr);
}

int32_t sw_striped_end(const uint8_t* t, int n, int open, int ext, StripedWork& w, int32_t* end_q,
                       int32_t* end_t) {
  return striped_pass<true>(t, n, open, ext, w, end_q, end_t);
}

}  // namespace arginator
#endif
