// Seed postings (a counting sort of every reference seed by code) and the spaced-seed search (hits
// per 32-residue diagonal band, best adjacent pair, topK references) of the homology prefilter.
#include "seeds.h"

#include <algorithm>
#include <cstring>
#include <atomic>
#include <thread>
#include <vector>

namespace arginator {

namespace {

// The code of the seed at letters[pos] with the shape's used positions, or -1 if one of its
// letters is out of the Murphy-10 alphabet.
static inline int32_t seed_code(const uint8_t* letters, int32_t pos, const int32_t* used, int weight) {
  int32_t code = 0;
  for (int u = 0; u < weight; u++) {
    const uint8_t l = letters[pos + used[u]];
    if (l >= 10) return -1;
    code = code * 10 + l;
  }
  return code;
}

}  // namespace

bool seeds_input_valid(const int32_t* lo, size_t n_seq, size_t n_letters, const int32_t* shapes,
                              size_t n_shapes, size_t n_off) {
  for (size_t q = 0; q < n_seq; q++) {
    if (lo[q] < 0 || lo[q] > lo[q + 1] || (size_t)lo[q + 1] > n_letters) return false;
  }
  for (size_t s = 0; s < n_shapes;) {
    if (s + 3 > n_shapes) return false;
    const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
    if (base < 0 || span < 1 || weight < 1 || weight > 12 || s + 3 + weight > n_shapes) return false;
    int64_t codes = 1;
    for (int u = 0; u < weight; u++) {
      const int32_t o = shapes[s + 3 + u];
      if (o < 0 || o >= span) return false;
      codes *= 10;
    }
    if ((size_t)(base + codes) >= n_off) return false;
    s += 3 + weight;
  }
  return true;
}

// The spaced-seed search over a batch of queries (src/core/sequence/seed-index.ts searchSeedsJs, same
// algorithm and order): per query and reference, hits per 32-residue diagonal band (64 cyclic uint8
// counters), best adjacent pair; the topK references with at least minHits, most hits first, then
// lower index. shapes = per shape [base, span, weight, used positions...]. Queries are split over
// `threads` threads (each claims the next query; a batch's few long proteins are most of its work),
// each with its own counters.
void seed_search(const int32_t* offsets, const int32_t* refs, const int32_t* positions, size_t n_post,
                 const int32_t* shapes, size_t n_shapes, int n_ref, int max_occ, const uint8_t* letters,
                 const int32_t* lo, size_t n_queries, int top_k, int min_hits, int32_t* out_refs,
                 int32_t* out_hits, int threads) {
  std::atomic<size_t> next_query{0};
  auto run = [&]() {
    std::vector<uint8_t> bands((size_t)n_ref * 64, 0);
    std::vector<int32_t> best((size_t)n_ref, 0), touched((size_t)n_ref, 0), picked;
    // The query's seeds (posting start, end, query position), gathered first: the offsets and
    // postings are tens of MB, so each lookup is a cache miss; prefetching a few seeds ahead
    // overlaps them instead of paying them one after another.
    std::vector<int32_t> codes, qposOf, starts, ends;
    for (size_t q = next_query++; q < n_queries; q = next_query++) {
      const int32_t from = lo[q], to = lo[q + 1];
      int32_t n_touched = 0;
      codes.clear();
      qposOf.clear();
      for (size_t s = 0; s < n_shapes;) {
        const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
        const int32_t* used = shapes + s + 3;
        s += 3 + weight;
        for (int32_t pos = from; pos + span <= to; pos++) {
          const int32_t code = seed_code(letters, pos, used, weight);
          if (code < 0) continue;
          codes.push_back(base + code);
          qposOf.push_back(pos - from);
          __builtin_prefetch(offsets + base + code);
        }
      }
      starts.clear();
      ends.clear();
      size_t kept = 0;
      for (size_t k = 0; k < codes.size(); k++) {
        const int32_t start = offsets[codes[k]], end = offsets[codes[k] + 1];
        if (start < 0 || end < start || (size_t)end > n_post || end - start > max_occ) continue;
        starts.push_back(start);
        ends.push_back(end);
        qposOf[kept++] = qposOf[k];
        if (end > start) {
          __builtin_prefetch(refs + start);
          __builtin_prefetch(positions + start);
        }
      }
      for (size_t k = 0; k < kept; k++) {
        const int32_t start = starts[k], end = ends[k];
        const uint32_t qpos = (uint32_t)qposOf[k];
        for (int32_t at = start; at < end; at++) {
          const int32_t ref = refs[at];
          if (ref < 0 || ref >= n_ref) continue;
          // Same bits as the TypeScript (positions[at] - qPos + 2^20) >> 5 & 63, without overflow.
          const int32_t band = (int32_t)((((uint32_t)positions[at] - qpos + (1u << 20)) >> 5) & 63u);
          uint8_t* row = bands.data() + (size_t)ref * 64;
          const int v = row[band] + 1;
          if (v > 255) continue;
          row[band] = (uint8_t)v;
          const int below = row[(band + 63) & 63], above = row[(band + 1) & 63];
          const int32_t pair = v + (below > above ? below : above);
          const int32_t b = best[ref];
          if (b == 0) touched[n_touched++] = ref;
          if (pair > b) best[ref] = pair;
        }
      }
      // Every band counter set for this query belongs to a touched reference.
      for (int32_t k = 0; k < n_touched; k++) std::memset(bands.data() + (size_t)touched[k] * 64, 0, 64);
      picked.clear();
      for (int32_t t = 0; t < n_touched; t++) {
        if (best[touched[t]] >= min_hits) picked.push_back(touched[t]);
      }
      const auto better = [&](int32_t x, int32_t y) { return best[x] != best[y] ? best[x] > best[y] : x < y; };
      const size_t keep = std::min(picked.size(), (size_t)top_k);
      std::partial_sort(picked.begin(), picked.begin() + keep, picked.end(), better);
      for (int k = 0; k < top_k; k++) {
        const bool has = (size_t)k < keep;
        out_refs[q * top_k + k] = has ? picked[k] : -1;
        out_hits[q * top_k + k] = has ? best[picked[k]] : 0;
      }
      for (int32_t t = 0; t < n_touched; t++) best[touched[t]] = 0;
    }
  };
  if (threads > 1 && n_queries > 1) {
    std::thread other(run);
    run();
    other.join();
  } else {
    run();
  }
}

// The seed index's postings (src/core/sequence/seed-index.ts buildPostingsJs, same order): a counting
// sort of every reference seed by code.
bool seed_postings(const uint8_t* letters, const int32_t* lo, size_t n_seq, const int32_t* shapes,
                   size_t n_shapes, int32_t* offsets, size_t n_off, int32_t* refs, int32_t* positions,
                   size_t room, size_t* seeds) {
  // Shape starts in the packed array; each shape's codes are a disjoint range of offsets (and so of
  // refs/positions), so shapes are counted and filled on two threads without sharing anything.
  std::vector<size_t> shape_at;
  for (size_t s = 0; s < n_shapes; s += 3 + shapes[s + 2]) shape_at.push_back(s);
  // visit(index, ref, pos) for every seed of shape number k without an out-of-alphabet letter:
  // sequence, then position (the TypeScript order within a shape).
  auto each = [&](size_t k, auto&& visit) {
    const size_t s = shape_at[k];
    const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
    const int32_t* used = shapes + s + 3;
    for (size_t r = 0; r < n_seq; r++) {
      const int32_t from = lo[r], to = lo[r + 1];
      for (int32_t pos = from; pos + span <= to; pos++) {
        const int32_t code = seed_code(letters, pos, used, weight);
        if (code >= 0) visit(base + code, (int32_t)r, pos - from);
      }
    }
  };
  auto over_shapes = [&](auto&& work) {
    const size_t n = shape_at.size(), half = (n + 1) / 2;
    if (n > 1) {
      std::thread other([&] { for (size_t k = half; k < n; k++) work(k); });
      for (size_t k = 0; k < half; k++) work(k);
      other.join();
    } else {
      for (size_t k = 0; k < n; k++) work(k);
    }
  };
  over_shapes([&](size_t k) { each(k, [&](int32_t index, int32_t, int32_t) { offsets[index + 1]++; }); });
  for (size_t c = 1; c < n_off; c++) offsets[c] += offsets[c - 1];
  const size_t total = (size_t)offsets[n_off - 1];
  if (total > room) {
    std::fill(offsets, offsets + n_off, 0);
    return false;
  }
  std::vector<int32_t> fill(offsets, offsets + n_off);
  over_shapes([&](size_t k) {
    each(k, [&](int32_t index, int32_t ref, int32_t pos) {
      const int32_t at = fill[index]++;
      refs[at] = ref;
      positions[at] = pos;
    });
  });
  *seeds = total;
  return true;
}

}  // namespace arginator
