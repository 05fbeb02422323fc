// 8-bit inter-sequence Smith-Waterman score kernel (Rognes 2011, SWIPE's first pass): one query
// against up to 32 targets at once, one target per saturating uint8 lane. Scores are kept biased the
// SWIPE way: a cell is subs(adds(diagonal, score + bias), bias), i.e. max(0, diagonal + score) while
// no lane reaches 255; a lane whose maximum gets within reach of 255 is reported (-1) and scored
// again with int16 lanes, so every returned score is exact. Horizontal and vertical gap values floor
// at 0 instead of going negative, which changes nothing: a cell is max(0, ...) anyway. Targets
// shorter than the longest are padded with residue code 31 (profile 0, i.e. -bias per cell), and a
// lane takes its next target as soon as one ends, as in the int16 kernel (swipe.cc).
#include "swipe8.h"

#include <algorithm>

#include "lane-dealing.h"

#ifdef ARG_X86
namespace arginator {

bool swipe8_tables(const int8_t* mat, int size, Swipe8Tables& tab) {
  int lowest = 0;
  for (int i = 0; i < size * size; i++) lowest = std::min<int>(lowest, mat[i]);
  tab.bias = -lowest;
  if (tab.bias > 64) return false;
  for (int a = 0; a < 32; a++) {
    for (int r = 0; r < 32; r++) {
      int v = 0;
      if (a < size && r < size) {
        v = mat[(size_t)a * size + r] + tab.bias;
        if (v < 0 || v > 255) return false;
      }
      (r < 16 ? tab.lo[a][r] : tab.hi[a][r - 16]) = (uint8_t)v;
    }
  }
  return true;
}

namespace {

inline __attribute__((target("avx2"))) __m256i ld8(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline __attribute__((target("avx2"))) void st8(uint8_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// One column's biased scores: pr[a * 32 + l] = bias + score of query residue a against lane l's
// residue col[l].
__attribute__((target("avx2"))) void column_profile8(const uint8_t* col, const Swipe8Tables& tab, int size,
                                                     uint8_t* pr) {
  const __m256i fifteen = _mm256_set1_epi8(15);
  const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(col));
  const __m256i useHi = _mm256_cmpgt_epi8(idx, fifteen);
  for (int a = 0; a < size; a++) {
    const __m256i lo = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.lo[a])));
    const __m256i hi = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.hi[a])));
    const __m256i vlo = _mm256_shuffle_epi8(lo, idx);
    const __m256i vhi = _mm256_shuffle_epi8(hi, idx);
    st8(pr + (size_t)a * 32, _mm256_blendv_epi8(vlo, vhi, useHi));
  }
}

// C consecutive columns in one pass over the query rows (as swipe_columns in swipe.cc).
template <int C>
__attribute__((target("avx2"))) inline void swipe8_columns(const uint8_t* q, int m, const uint8_t* prof,
                                                           size_t stride, uint8_t* H, uint8_t* E,
                                                           __m256i vBias, __m256i vOpen, __m256i vExt,
                                                           __m256i& vMax) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i vF[C], vDiag[C];
  for (int c = 0; c < C; c++) {
    vF[c] = zero;
    vDiag[c] = zero;
  }
  __m256i best = vMax;
  for (int i = 0; i < m; i++) {
    const size_t r = (size_t)q[i] * 32;
    __m256i e = ld8(E + (size_t)i * 32);
    __m256i left = ld8(H + (size_t)i * 32);
#pragma GCC unroll 2
    for (int c = 0; c < C; c++) {
      __m256i h = _mm256_subs_epu8(_mm256_adds_epu8(vDiag[c], ld8(prof + c * stride + r)), vBias);
      vDiag[c] = left;
      h = _mm256_max_epu8(_mm256_max_epu8(h, e), vF[c]);
      best = _mm256_max_epu8(best, h);
      const __m256i gap = _mm256_subs_epu8(h, vOpen);
      e = _mm256_max_epu8(_mm256_subs_epu8(e, vExt), gap);
      vF[c] = _mm256_max_epu8(_mm256_subs_epu8(vF[c], vExt), gap);
      left = h;
    }
    st8(H + (size_t)i * 32, left);
    st8(E + (size_t)i * 32, e);
  }
  vMax = best;
}

}  // namespace

__attribute__((target("avx2"))) void sw_swipe8(const uint8_t* q, int m, const uint8_t* const* t,
                                              const int* n, int count, const Swipe8Tables& tab, int size,
                                              int open, int ext, Swipe8Work& w, int32_t* out) {
  constexpr int L = 32;
  for (int k = 0; k < count; k++) out[k] = 0;
  if (m == 0 || count == 0) return;
  deal_targets(n, count, L, w.order, w.load, w.queue);
  // A lane maximum at or above this may have been cut by saturation (adds saturates at 255 before the
  // bias is taken off, so the largest exact value is 255 - bias - 1).
  const int ceiling = 255 - tab.bias - 1;
  const __m256i vBias = _mm256_set1_epi8((char)tab.bias);
  const __m256i vOpen = _mm256_set1_epi8((char)std::min(255, open + ext));
  const __m256i vExt = _mm256_set1_epi8((char)std::min(255, ext));
  w.h.assign((size_t)m * L, 0);
  w.e.assign((size_t)m * L, 0);
  w.colProf.assign((size_t)2 * size * L, 0);
  uint8_t* H = w.h.data();
  uint8_t* E = w.e.data();
  uint8_t* prof = w.colProf.data();
  __m256i vMax = _mm256_setzero_si256();
  int slot[L] = {0}, pos[L] = {0};
  alignas(32) uint8_t column[L];
  alignas(32) uint8_t keep[L], lanesMax[L];
  auto record = [&](int k, int v) { out[k] = v >= ceiling ? -1 : v; };
  auto goes_on = [&]() {
    for (int l = 0; l < L; l++) {
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) return false;
    }
    return true;
  };
  const __m256i vCeiling = _mm256_set1_epi8((char)ceiling);
  for (;;) {
    // Lanes whose maximum reached the ceiling: their target is scored again with int16 lanes anyway,
    // so it ends here (a homolog saturates early; the rest of its columns would be wasted work).
    const uint32_t saturated = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_max_epu8(vMax, vCeiling), vMax));
    bool any = false;
    for (int l = 0; l < L; l++) {
      if ((saturated >> l & 1u) != 0 && slot[l] < (int)w.queue[l].size()) {
        pos[l] = n[w.queue[l][slot[l]]];
      }
      any = any || slot[l] < (int)w.queue[l].size();
    }
    if (!any) break;
    bool switched = false;
    bool running = false;
    for (int l = 0; l < L; l++) {
      keep[l] = 0xff;
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) {
        if (!switched) _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
        switched = true;
        record(lane[slot[l]], lanesMax[l]);
        slot[l]++;
        pos[l] = 0;
        keep[l] = 0;
      }
      running = running || slot[l] < (int)lane.size();
      column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
    }
    if (!running) {
      // Every lane's last target ended (recorded above): nothing left to score.
      break;
    }
    if (switched) {
      // A new target starts with an empty column of H and E (0 is both "no score" and "no gap").
      const __m256i vKeep = _mm256_load_si256(reinterpret_cast<const __m256i*>(keep));
      vMax = _mm256_and_si256(vMax, vKeep);
      for (int i = 0; i < m; i++) {
        st8(H + (size_t)i * L, _mm256_and_si256(ld8(H + (size_t)i * L), vKeep));
        st8(E + (size_t)i * L, _mm256_and_si256(ld8(E + (size_t)i * L), vKeep));
      }
    }
    column_profile8(column, tab, size, prof);
    int take = 1;
    if (goes_on()) {
      for (int l = 0; l < L; l++) {
        const std::vector<int>& lane = w.queue[l];
        column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
      }
      column_profile8(column, tab, size, prof + (size_t)size * L);
      take = 2;
    }
    const size_t stride = (size_t)size * L;
    if (take == 2) {
      swipe8_columns<2>(q, m, prof, stride, H, E, vBias, vOpen, vExt, vMax);
    } else {
      swipe8_columns<1>(q, m, prof, stride, H, E, vBias, vOpen, vExt, vMax);
    }
  }
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
  for (int l = 0; l < L; l++) {
    if (slot[l] < (int)w.queue[l].size()) record(w.queue[l][slot[l]], lanesMax[l]);
  }
}

}  // namespace arginator
#endif
