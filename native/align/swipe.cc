// Inter-sequence score kernel (Rognes' SWIPE idea): one query against up to 16 targets at once, one
// target per int16 lane, so the column recurrence needs no lazy-F pass (homologs, whose gaps make
// the striped kernel's lazy-F loop run long, cost the same as unrelated pairs). Targets shorter than
// the longest are padded with residue code 31, which scores -128 against everything: a path through
// padding scores less than where it entered it (padding only follows a target's last residue), so
// each lane's maximum is its target's exact score.
#include "swipe.h"

#include <algorithm>

#include "lane-dealing.h"

#include "avx2-lanes.h"

#ifdef ARG_X86
namespace arginator {

void swipe_tables(const int8_t* mat, int size, SwipeTables& tab) {
  for (int a = 0; a < 32; a++) {
    for (int r = 0; r < 32; r++) {
      const int8_t v = a < size && r < size ? mat[(size_t)a * size + r] : (int8_t)-128;
      (r < 16 ? tab.lo[a][r] : tab.hi[a][r - 16]) = v;
    }
  }
}

namespace {

// One column's scores for the inter-sequence kernel: pr[a * 16 + l] = score of query residue a
// against lane l's residue col[l].
__attribute__((target("avx2"))) static void column_profile(const uint8_t* col, const SwipeTables& tab,
                                                          int size, int16_t* pr) {
  const __m128i fifteen = _mm_set1_epi8(15);
  const __m128i idx = _mm_load_si128(reinterpret_cast<const __m128i*>(col));
  const __m128i useHi = _mm_cmpgt_epi8(idx, fifteen);
  for (int a = 0; a < size; a++) {
    const __m128i lo = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.lo[a])), idx);
    const __m128i hi = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.hi[a])), idx);
    st(pr + (size_t)a * 16, _mm256_cvtepi8_epi16(_mm_blendv_epi8(lo, hi, useHi)));
  }
}

// C consecutive columns of the inter-sequence kernel in one pass over the query rows: H and E are
// read and written once for all C, and the C vertical-gap chains (vF) run side by side. Column c's
// diagonal is column c-1's cell one row up. Every cell sees the same operations in the same order
// as with one column per pass, so the scores are the same. prof holds C column profiles, `stride`
// apart.
template <int C>
__attribute__((target("avx2"))) static inline void swipe_columns(const uint8_t* q, int m, const int16_t* prof,
                                                                size_t stride, int16_t* H, int16_t* E,
                                                                __m256i vOpen, __m256i vExt, __m256i vNeg,
                                                                __m256i& vMax) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i vF[C], vDiag[C];
  for (int c = 0; c < C; c++) {
    vF[c] = vNeg;
    vDiag[c] = zero;
  }
  __m256i best = vMax;
  for (int i = 0; i < m; i++) {
    const size_t r = (size_t)q[i] * 16;
    __m256i e = ld(E + (size_t)i * 16);
    __m256i left = ld(H + (size_t)i * 16);
#pragma GCC unroll 2
    for (int c = 0; c < C; c++) {
      __m256i h = _mm256_adds_epi16(vDiag[c], ld(prof + c * stride + r));
      vDiag[c] = left;
      // vF last: the loop-carried chain is max, subs, max (3 cycles per row and column).
      h = _mm256_max_epi16(_mm256_max_epi16(h, e), zero);
      h = _mm256_max_epi16(h, vF[c]);
      best = _mm256_max_epi16(best, h);
      const __m256i gap = _mm256_subs_epi16(h, vOpen);
      e = _mm256_max_epi16(_mm256_subs_epi16(e, vExt), gap);
      vF[c] = _mm256_max_epi16(_mm256_subs_epi16(vF[c], vExt), gap);
      left = h;
    }
    st(H + (size_t)i * 16, left);
    st(E + (size_t)i * 16, e);
  }
  vMax = best;
}

}  // namespace

// Scores of query q against `count` targets. Targets are dealt to the 16 lanes longest first, each
// to the least loaded lane, and a lane starts its next target as soon as one ends (its column of
// H and E is reset, its maximum recorded), so lanes idle only at the very end instead of padding
// every short target to the longest of its group.
__attribute__((target("avx2"))) void sw_swipe16(const uint8_t* q, int m, const uint8_t* const* t,
                                                      const int* n, int count, const SwipeTables& tab,
                                                      int size, int open, int ext, SwipeWork& w,
                                                      int32_t* out) {
  for (int k = 0; k < count; k++) out[k] = 0;
  if (m == 0 || count == 0) return;
  deal_targets(n, count, 16, w.order, w.load, w.queue);
  int columns = 0;
  for (int l = 0; l < 16; l++) columns = std::max(columns, w.load[l]);
  const int16_t NEG16 = -30000;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vOpen = _mm256_set1_epi16((int16_t)(open + ext));
  const __m256i vExt = _mm256_set1_epi16((int16_t)ext);
  const __m256i vNeg = _mm256_set1_epi16(NEG16);
  w.h.assign((size_t)m * 16, 0);
  w.e.assign((size_t)m * 16, NEG16);
  w.colProf.assign((size_t)2 * size * 16, 0);
  int16_t* H = w.h.data();
  int16_t* E = w.e.data();
  int16_t* prof = w.colProf.data();
  __m256i vMax = zero;
  // Per lane: index in its queue, position in its current target.
  int slot[16] = {0}, pos[16] = {0};
  alignas(16) uint8_t column[16];
  alignas(32) int16_t keep[16], lanesMax[16];
  // Whether every lane's current target goes on after the last column read (a lane past its last
  // target reads padding and never switches).
  auto goes_on = [&]() {
    for (int l = 0; l < 16; l++) {
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) return false;
    }
    return true;
  };
  for (int j = 0; j < columns;) {
    bool switched = false;
    for (int l = 0; l < 16; l++) {
      keep[l] = -1;
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) {
        // Lane l's target ended in the previous column: record it, start the next one.
        if (!switched) _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
        switched = true;
        out[lane[slot[l]]] = lanesMax[l];
        slot[l]++;
        pos[l] = 0;
        keep[l] = 0;
      }
      column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
    }
    if (switched) {
      // A new target starts with an empty column of H (0) and no open horizontal gap (E = NEG).
      const __m256i vKeep = _mm256_load_si256(reinterpret_cast<const __m256i*>(keep));
      vMax = _mm256_and_si256(vMax, vKeep);
      for (int i = 0; i < m; i++) {
        st(H + (size_t)i * 16, _mm256_and_si256(ld(H + (size_t)i * 16), vKeep));
        st(E + (size_t)i * 16, _mm256_blendv_epi8(vNeg, ld(E + (size_t)i * 16), vKeep));
      }
    }
    column_profile(column, tab, size, prof);
    // Two columns in this pass unless a lane's target ends after the first (a lane switching targets
    // needs its column of H and E reset in between). Three or four columns per pass were tried and
    // were no faster than two (ADR 0011).
    int take = 1;
    if (j + 1 < columns && goes_on()) {
      for (int l = 0; l < 16; l++) {
        const std::vector<int>& lane = w.queue[l];
        column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
      }
      column_profile(column, tab, size, prof + (size_t)size * 16);
      take = 2;
    }
    const size_t stride = (size_t)size * 16;
    if (take == 2) {
      swipe_columns<2>(q, m, prof, stride, H, E, vOpen, vExt, vNeg, vMax);
    } else {
      swipe_columns<1>(q, m, prof, stride, H, E, vOpen, vExt, vNeg, vMax);
    }
    j += take;
  }
  // The targets still running in the last column.
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
  for (int l = 0; l < 16; l++) {
    if (slot[l] < (int)w.queue[l].size()) out[w.queue[l][slot[l]]] = lanesMax[l];
  }
}
}  // namespace arginator
#endif
