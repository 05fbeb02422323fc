// Dispatches a batch of Smith-Waterman pairs to the kernels: the inter-sequence ones for score
// batches (swipe8.cc's 8-bit lanes first, swipe.cc's int16 lanes for the pairs that could saturate),
// the striped ones pair by pair (striped8.cc's byte lanes first, striped.cc's int16 lanes), and the
// scalar Gotoh one (gotoh.cc) for tracebacks and for pairs whose scores could overflow int16; two
// threads claiming units of pairs for large batches.
#include "sw-batch.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <iterator>
#include <thread>
#include <vector>

#include "../common/isa.h"
#include "gotoh.h"
#include "striped.h"
#include "striped8.h"
#include "swipe.h"
#include "swipe8.h"

namespace arginator {

// Fewer consecutive pairs of one query than this go to the striped kernels instead of the
// inter-sequence ones (16-32 lanes of targets; the striped kernels fill their 32 byte lanes from one
// pair): the up to 8 references of a screened protein always do (bench/predict-profile.ts,
// docs/adr/0014-ungapped-screen.md).
constexpr size_t SWIPE_MIN_GROUP = 9;

void sw_batch(const uint8_t* qc, const int32_t* qo, const uint8_t* tc, const int32_t* to,
              const int32_t* pairs, size_t np, const int8_t* mat, int size, int open, int ext, bool align,
              int32_t* out, int threads, int simd, const int32_t* known, const int32_t* diagonals) {
  // int16 lanes: fall back to the int32 scalar pass when a score could overflow (very long proteins).
#ifdef ARG_X86
  const bool striped = isa_is_avx2() && simd != 1;
  const bool swipe = striped && simd == 0 && !align && size <= 31;
#endif
  // Work units: each query's consecutive pairs (the inter-sequence kernels take them in one call),
  // split after UNIT_PAIRS pairs; the threads claim units in turn, so one thread is never left with
  // the long proteins while the other idles (a split of the pairs in two halves left the second
  // core a third idle on a proteome: its costs come in runs of long queries).
  constexpr size_t UNIT_PAIRS = 64;
  std::vector<size_t> units{0};
  for (size_t p = 1; p <= np; p++) {
    if (p == np || pairs[2 * p] != pairs[2 * (p - 1)] || p - units.back() >= UNIT_PAIRS) units.push_back(p);
  }
  std::atomic<size_t> next_unit{0};
  const size_t unit_count = units.size() - 1;
  auto run = [&]() {
    SwWork w;
    std::vector<int32_t> head, next, votes;
#ifdef ARG_X86
    StripedWork sw, reverse;
    std::vector<uint8_t> qrev, trev;
    // Score-only pairs try 32 byte lanes first; the share of recent ones that saturated (close
    // relatives) decides whether to keep trying, every 8th still does (as for the 8-bit SWIPE pass).
    Striped8Work sw8;
    bool bytes = striped && simd == 0 && !align;
    double saturated8 = 0;
    size_t tried8 = 0;
#endif
#ifdef ARG_X86
    SwipeWork sww;
    SwipeTables tables;
    Swipe8Work sww8;
    Swipe8Tables tables8;
    if (swipe) swipe_tables(mat, size, tables);
    // The 8-bit pass first (twice the lanes), when the matrix fits its biased bytes.
    const bool swipe8 = swipe && swipe8_tables(mat, size, tables8);
    std::vector<const uint8_t*> again;
    std::vector<int> againLength;
    std::vector<int32_t> againScore;
    std::vector<size_t> againIndex;
    // Share of recent 8-bit targets that saturated: where most do (homolog-rich input, e.g. known
    // genes), the 8-bit pass is wasted work and the int16 one runs directly; every 8th query still
    // tries 8 bits, so the choice follows the input. Only speed depends on it: scores are exact.
    double saturatedShare = 0;
    size_t groups = 0;
    std::vector<size_t> run_pairs;
    std::vector<const uint8_t*> group;
    std::vector<int> groupLength;
    std::vector<int32_t> groupScore;
#endif
    for (size_t unit = next_unit++; unit < unit_count; unit = next_unit++) {
    const size_t from = units[unit], to_ = units[unit + 1];
    for (size_t p = from; p < to_; p++) {
      const int32_t qi = pairs[2 * p], ti = pairs[2 * p + 1];
#ifdef ARG_X86
      // A query with only a few consecutive pairs (e.g. the references that passed the ungapped
      // screen) would leave most inter-sequence lanes empty: the striped kernel scores those pairs.
      size_t group_end = p;
      if (swipe) {
        while (group_end < to_ && pairs[2 * group_end] == qi) group_end++;
      }
      if (swipe && group_end - p >= SWIPE_MIN_GROUP) {
        // This query's consecutive pairs (pairs come grouped by query) in one call. Pairs that could
        // overflow int16 are left to the scalar kernel.
        const int m = qo[qi + 1] - qo[qi];
        size_t r = p;
        run_pairs.clear();
        for (; r < to_ && pairs[2 * r] == qi; r++) {
          const int32_t tr = pairs[2 * r + 1];
          const int n = to[tr + 1] - to[tr];
          if ((int64_t)std::min(m, n) * 11 < 30000) run_pairs.push_back(r);
          else out[r] = sw_run(qc + qo[qi], m, tc + to[tr], n, mat, size, open, ext, w, nullptr);
        }
        group.resize(run_pairs.size());
        groupLength.resize(run_pairs.size());
        groupScore.resize(run_pairs.size());
        for (size_t k = 0; k < run_pairs.size(); k++) {
          const int32_t tr = pairs[2 * run_pairs[k] + 1];
          group[k] = tc + to[tr];
          groupLength[k] = to[tr + 1] - to[tr];
        }
        const bool try8 = swipe8 && (saturatedShare < 0.5 || groups % 8 == 0);
        groups++;
        if (try8) {
          // Exact 8-bit scores where no lane could saturate; the others again with int16 lanes.
          sw_swipe8(qc + qo[qi], m, group.data(), groupLength.data(), (int)run_pairs.size(), tables8, size,
                    open, ext, sww8, groupScore.data());
          again.clear();
          againLength.clear();
          againIndex.clear();
          for (size_t k = 0; k < run_pairs.size(); k++) {
            if (groupScore[k] < 0) {
              again.push_back(group[k]);
              againLength.push_back(groupLength[k]);
              againIndex.push_back(k);
            }
          }
          if (!run_pairs.empty()) {
            saturatedShare = 0.75 * saturatedShare + 0.25 * (double)again.size() / (double)run_pairs.size();
          }
          if (!again.empty()) {
            againScore.resize(again.size());
            sw_swipe16(qc + qo[qi], m, again.data(), againLength.data(), (int)again.size(), tables, size, open,
                       ext, sww, againScore.data());
            for (size_t a = 0; a < again.size(); a++) groupScore[againIndex[a]] = againScore[a];
          }
        } else {
          sw_swipe16(qc + qo[qi], m, group.data(), groupLength.data(), (int)run_pairs.size(), tables, size,
                     open, ext, sww, groupScore.data());
        }
        for (size_t k = 0; k < run_pairs.size(); k++) out[run_pairs[k]] = groupScore[k];
        p = r - 1;
        continue;
      }
#endif
      const uint8_t* q = qc + qo[qi];
      const uint8_t* t = tc + to[ti];
      const int m = qo[qi + 1] - qo[qi], n = to[ti + 1] - to[ti];
#ifdef ARG_X86
      // Striped int16 score (exact while no score can reach int16 range), the profile reused while
      // consecutive pairs share the query.
      const bool fits = striped && (int64_t)std::min(m, n) * 11 < 30000;
      auto striped_score = [&]() {
        if (sw.query != qi) {
          striped_profile(q, m, mat, size, 16, sw);
          sw.query = qi;
        }
        return sw_striped(t, n, open, ext, sw);
      };
#endif
      if (align) {
        // Banded traceback around the caller's diagonal, then around the main diagonal of shared
        // 3-mers; a band's alignment is kept only when it reaches the full optimal score (then it is
        // an optimal alignment), else the full-matrix traceback. A weak pair's best local alignment
        // is often short and off the main diagonal, where the hint (its best ungapped segment) is.
        const int32_t hint = diagonals != nullptr && diagonals[p] != INT32_MIN ? -diagonals[p] : INT32_MIN;
        bool done = false;
        int32_t d = hint, full = -1;
        for (int attempt = 0; attempt < 2 && !done; attempt++) {
          if (attempt == 1) {
            const int32_t main = m >= 3 && n >= 3 ? main_diagonal(q, m, t, n, head, next, votes) : INT32_MIN;
            if (main == hint) break;
            d = main;
          }
          if (d == INT32_MIN) continue;
          if (full < 0) {
#ifdef ARG_X86
            full = known != nullptr && known[p] >= 0 ? known[p]
                   : fits ? striped_score()
                          : sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
#else
            full = known != nullptr && known[p] >= 0 ? known[p]
                                                     : sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
#endif
          }
          // A narrow band first, then a wide one: ± 24 holds the optimum of 94% of the held-out
          // families' pairs (430 tracebacks: 455 band calls), at 38% of the wide band's cells.
          for (const int half : {24, 64}) {
            if (sw_banded(q, m, t, n, mat, size, open, ext, d - half, d + half, w, out + p * 7) == full) {
              done = true;
              break;
            }
          }
        }
#ifdef ARG_X86
        if (!done && fits) {
          // SSW's order (Zhao et al. 2013): the end cell from a striped pass, the start from a
          // striped pass over the reversed prefixes, then the traceback in that rectangle only (a
          // weak pair's alignment is a small part of its matrix). Kept when it reaches the optimum.
          if (sw.query != qi) {
            striped_profile(q, m, mat, size, 16, sw);
            sw.query = qi;
          }
          int32_t bi = 0, bj = 0;
          const int32_t best = sw_striped_end(t, n, open, ext, sw, &bi, &bj);
          if (best > 0 && (full < 0 || best == full)) {
            qrev.assign(std::make_reverse_iterator(q + bi), std::make_reverse_iterator(q));
            trev.assign(std::make_reverse_iterator(t + bj), std::make_reverse_iterator(t));
            striped_profile(qrev.data(), bi, mat, size, 16, reverse);
            int32_t ri = 0, rj = 0;
            sw_striped_end(trev.data(), bj, open, ext, reverse, &ri, &rj);
            const int si = bi - ri, sj = bj - rj;
            int32_t* o = out + p * 7;
            // In the rectangle, the alignment runs from its first cell to its last: a band between
            // their diagonals (± 24) first, the whole rectangle only if the band misses the optimum.
            const int rm = bi - si, rn = bj - sj, d_end = rn - rm;
            const bool banded = sw_banded(q + si, rm, t + sj, rn, mat, size, open, ext, std::min(0, d_end) - 24,
                                          std::max(0, d_end) + 24, w, o) == best;
            if (banded || sw_run(q + si, rm, t + sj, rn, mat, size, open, ext, w, o) == best) {
              o[3] += si;
              o[4] += si;
              o[5] += sj;
              o[6] += sj;
              done = true;
            }
          }
        }
#endif
        if (!done) sw_run(q, m, t, n, mat, size, open, ext, w, out + p * 7);
      }
#ifdef ARG_X86
      else if (fits) {
        int32_t score = -1;
        if (bytes && (saturated8 < 0.5 || tried8 % 8 == 0)) {
          tried8++;
          if (sw8.query != qi) {
            bytes = striped8_profile(q, m, mat, size, sw8);
            sw8.query = qi;
          }
          if (bytes) {
            score = sw_striped8(t, n, open, ext, sw8);
            saturated8 = 0.75 * saturated8 + (score < 0 ? 0.25 : 0);
          }
        }
        out[p] = score >= 0 ? score : striped_score();
      }
#endif
      else out[p] = sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
    }
    }
  };
  if (threads > 1 && np > 8 && unit_count > 1) {
    std::thread other(run);
    run();
    other.join();
  } else {
    run();
  }
}

}  // namespace arginator
