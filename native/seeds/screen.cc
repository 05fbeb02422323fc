// The ungapped screen (src/core/sequence/ungapped-screen.ts): weight-9 spaced seeds of queries and
// references sorted by code and merged (double indexing), each hit extended along its diagonal
// without gaps (X-drop), best segment score per reference.
//
// Why sorted and merged rather than hashed: one random read per query seed into an index of tens of
// MB is bound by memory latency (~1 s of CPU for a 3.4 M-residue proteome on this machine kind);
// radix-sorting the batch's seeds and walking both sorted lists reads memory in order.
#include "screen.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace arginator {

namespace {

constexpr uint8_t NONE = 255;

inline int32_t code_at(const uint8_t* letters, size_t pos, const int32_t* used, int w) {
  int32_t code = 0;
  for (int u = 0; u < w; u++) {
    const uint8_t l = letters[pos + used[u]];
    if (l == NONE) return -1;
    code = code * 10 + l;
  }
  return code;
}

// Stable radix sort of keys by their high 32 bits (the seed code, < 2^30): one scatter by the top 10
// code bits into 1024 runs, then each run (small enough for the cache) by the low 20 bits in two
// passes of 10. Stable, so keys of one code keep their order (ascending low bits as generated).
void sort_by_code(std::vector<uint64_t>& keys, std::vector<uint64_t>& tmp) {
  const size_t n = keys.size();
  tmp.resize(n);
  std::vector<size_t> start(1025, 0);
  for (uint64_t k : keys) start[((k >> 52) & 1023) + 1]++;
  for (int b = 0; b < 1024; b++) start[b + 1] += start[b];
  {
    std::vector<size_t> fill(start.begin(), start.end() - 1);
    for (uint64_t k : keys) tmp[fill[(k >> 52) & 1023]++] = k;
  }
  for (int b = 0; b < 1024; b++) {
    uint64_t* run = tmp.data() + start[b];
    uint64_t* out = keys.data() + start[b];
    const size_t len = start[b + 1] - start[b];
    if (len < 2) {
      if (len == 1) out[0] = run[0];
      continue;
    }
    // Low 10 code bits into keys' run, then the next 10 back into tmp's, then copied home.
    for (int pass = 0; pass < 2; pass++) {
      const int shift = 32 + 10 * pass;
      uint64_t* from = pass == 0 ? run : out;
      uint64_t* to = pass == 0 ? out : run;
      size_t count[1025] = {0};
      for (size_t i = 0; i < len; i++) count[((from[i] >> shift) & 1023) + 1]++;
      for (int c = 0; c < 1024; c++) count[c + 1] += count[c];
      for (size_t i = 0; i < len; i++) to[count[(from[i] >> shift) & 1023]++] = from[i];
    }
    std::copy(run, run + len, out);
  }
}

// One seed hit: its seed span, query position (global), reference position (global) and reference,
// read while the merge walks the index in order (looked up later, each would be a cache miss).
struct Hit {
  int32_t span;
  int32_t i;
  int32_t g;
  int32_t r;
};

}  // namespace

int screen_shape_count(const int32_t* shapes, size_t n_values) {
  int n = 0;
  for (size_t at = 0; at < n_values;) {
    if (at + 2 > n_values) return -1;
    const int32_t span = shapes[at], w = shapes[at + 1];
    if (span < 1 || w < 1 || w > 9 || at + 2 + (size_t)w > n_values) return -1;
    for (int u = 0; u < w; u++) {
      if (shapes[at + 2 + u] < 0 || shapes[at + 2 + u] >= span) return -1;
    }
    at += 2 + (size_t)w;
    n++;
  }
  return n;
}

size_t screen_build(const uint8_t* letters, const int32_t* lo, size_t n_seq, const int32_t* shapes,
                    size_t n_shape_values, int max_occ, int32_t* shape_offsets, int32_t* codes,
                    int32_t* positions, int32_t* refs, size_t room) {
  const int n_shapes = screen_shape_count(shapes, n_shape_values);
  std::vector<uint64_t> keys, tmp;
  std::vector<int32_t> ref_of((size_t)(n_seq > 0 ? lo[n_seq] : 0));
  for (size_t r = 0; r < n_seq; r++) std::fill(ref_of.begin() + lo[r], ref_of.begin() + lo[r + 1], (int32_t)r);
  size_t write = 0;
  shape_offsets[0] = 0;
  for (int s = 0, at = 0; s < n_shapes; s++) {
    const int32_t span = shapes[at], w = shapes[at + 1];
    const int32_t* used = shapes + at + 2;
    at += 2 + w;
    keys.clear();
    for (size_t r = 0; r < n_seq; r++) {
      for (int32_t pos = lo[r]; pos + span <= lo[r + 1]; pos++) {
        const int32_t code = code_at(letters, (size_t)pos, used, w);
        if (code >= 0) keys.push_back(((uint64_t)code << 32) | (uint32_t)pos);
      }
    }
    // Generated in position order, so the stable sort by code gives (code, position).
    sort_by_code(keys, tmp);
    for (size_t run = 0; run < keys.size();) {
      size_t end = run + 1;
      while (end < keys.size() && (keys[end] >> 32) == (keys[run] >> 32)) end++;
      if (end - run <= (size_t)max_occ && write + (end - run) <= room) {
        for (size_t e = run; e < end; e++) {
          codes[write] = (int32_t)(keys[e] >> 32);
          positions[write] = (int32_t)(keys[e] & 0xffffffffu);
          refs[write] = ref_of[(size_t)positions[write]];
          write++;
        }
      }
      run = end;
    }
    shape_offsets[s + 1] = (int32_t)write;
  }
  return write;
}

bool screen_search(const ScreenIndexView& ix, const uint8_t* letters, const uint8_t* qc, const int32_t* qo,
                   size_t n_queries, const int8_t* matrix, int msize, int min_score, int xdrop, int top_k,
                   uint8_t* out_flagged, int32_t* out_refs, int32_t* out_scores, int threads) {
  const int n_shapes = screen_shape_count(ix.shapes, ix.n_shapes_values);
  if (n_queries == 0) return true;
  std::vector<uint8_t> bad_shape((size_t)n_shapes, 0);
  const int n_threads = std::max(1, threads);
  const int32_t q_begin = qo[0];
  const int32_t q_end = qo[n_queries];
  // The query of every query position (hits are grouped by query after the merge).
  std::vector<int32_t> query_of((size_t)(q_end - q_begin));
  for (size_t q = 0; q < n_queries; q++) {
    std::fill(query_of.begin() + (qo[q] - q_begin), query_of.begin() + (qo[q + 1] - q_begin), (int32_t)q);
  }
  // 1. Per shape (shapes shared out between threads): the batch's seeds sorted by code, merged with
  // the shape's sorted index entries; every equal pair is a hit.
  std::vector<std::vector<Hit>> hits_of((size_t)n_shapes);
  std::vector<int32_t> shape_at((size_t)n_shapes);
  for (int s = 0, at = 0; s < n_shapes; s++) {
    shape_at[(size_t)s] = at;
    at += 2 + ix.shapes[at + 1];
  }
  auto merge = [&](int s) {
    const int32_t at = shape_at[(size_t)s];
    const int32_t span = ix.shapes[at], w = ix.shapes[at + 1];
    const int32_t* used = ix.shapes + at + 2;
    std::vector<uint64_t> keys, tmp;
    for (size_t q = 0; q < n_queries; q++) {
      for (int32_t i = qo[q]; i + span <= qo[q + 1]; i++) {
        const int32_t code = code_at(letters, (size_t)i, used, w);
        if (code >= 0) keys.push_back(((uint64_t)code << 32) | (uint32_t)i);
      }
    }
    sort_by_code(keys, tmp);
    std::vector<Hit>& hits = hits_of[(size_t)s];
    const int32_t* codes = ix.codes;
    const int32_t* positions = ix.positions;
    const int32_t* refs = ix.refs;
    int32_t e = ix.shape_offsets[s];
    const int32_t e_end = ix.shape_offsets[s + 1];
    for (size_t k = 0; k < keys.size() && e < e_end;) {
      const int32_t code = (int32_t)(keys[k] >> 32);
      // Galloping to the first entry ≥ code: few steps when the batch is large (codes dense),
      // a logarithmic jump when it is one protein.
      if (codes[e] < code) {
        int32_t step = 1, lo_e = e;
        while (lo_e + step < e_end && codes[lo_e + step] < code) {
          lo_e += step;
          step *= 2;
        }
        int32_t hi_e = std::min(lo_e + step, e_end);
        while (lo_e < hi_e) {
          const int32_t mid = lo_e + (hi_e - lo_e) / 2;
          if (codes[mid] < code) lo_e = mid + 1;
          else hi_e = mid;
        }
        e = lo_e;
      }
      size_t k_end = k + 1;
      while (k_end < keys.size() && (int32_t)(keys[k_end] >> 32) == code) k_end++;
      if (e < e_end && codes[e] == code) {
        int32_t run_end = e + 1;
        while (run_end < e_end && codes[run_end] == code) run_end++;
        for (size_t kk = k; kk < k_end; kk++) {
          const int32_t i = (int32_t)(keys[kk] & 0xffffffffu);
          for (int32_t x = e; x < run_end; x++) {
            const int32_t g = positions[x], r = refs[x];
            if (r < 0 || r >= ix.n_ref || g < ix.ref_offsets[r] || g + span > ix.ref_offsets[r + 1]) {
              bad_shape[(size_t)s] = 1;
              continue;
            }
            hits.push_back({span, i, g, r});
          }
        }
        e = run_end;
      }
      k = k_end;
    }
  };
  {
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min(n_threads, n_shapes); t++) {
      pool.emplace_back([&, t] {
        for (int s = t; s < n_shapes; s += std::min(n_threads, n_shapes)) merge(s);
      });
    }
    for (int s = 0; s < n_shapes; s += std::min(n_threads, n_shapes)) merge(s);
    for (auto& th : pool) th.join();
  }
  for (uint8_t bad : bad_shape) {
    if (bad != 0) return false;
  }
  // 2. Hits grouped by query (counting sort); a reference's best segment does not depend on the
  // order its hits are extended in.
  std::vector<int32_t> start(n_queries + 1, 0);
  for (const auto& hits : hits_of) {
    for (const Hit& h : hits) start[(size_t)query_of[(size_t)(h.i - q_begin)] + 1]++;
  }
  for (size_t q = 0; q < n_queries; q++) start[q + 1] += start[q];
  std::vector<Hit> grouped((size_t)start[n_queries]);
  {
    std::vector<int32_t> fill(start.begin(), start.end() - 1);
    for (const auto& hits : hits_of) {
      for (const Hit& h : hits) grouped[(size_t)fill[(size_t)query_of[(size_t)(h.i - q_begin)]]++] = h;
    }
  }
  hits_of.clear();
  // 3. Per query (queries interleaved over threads): extensions in that order.
  auto run = [&](size_t first, size_t step) {
    std::vector<int32_t> best((size_t)ix.n_ref, -1), touched, passing;
    const uint8_t* t = ix.ref_codes;
    for (size_t q = first; q < n_queries; q += step) {
      const int32_t q_from = qo[q], q_to = qo[q + 1];
      const Hit* hq = grouped.data() + start[q];
      const size_t nh = (size_t)(start[q + 1] - start[q]);
      touched.clear();
      for (size_t h = 0; h < nh; h++) {
        if (h + 8 < nh) __builtin_prefetch(t + hq[h + 8].g);
        const int32_t span = hq[h].span;
        const int32_t i = hq[h].i;
        const int32_t g = hq[h].g;
        const int32_t r = hq[h].r;
        const int32_t t_from = ix.ref_offsets[r], t_to = ix.ref_offsets[r + 1];
        int32_t score = 0;
        for (int x = 0; x < span; x++) score += matrix[qc[i + x] * msize + t[g + x]];
        int32_t top = score;
        int32_t a = i + span;
        for (int32_t c = g + span; a < q_to && c < t_to; a++, c++) {
          score += matrix[qc[a] * msize + t[c]];
          if (score > top) {
            top = score;
          } else if (score < top - xdrop) {
            break;
          }
        }
        int32_t left = 0;
        score = 0;
        for (int32_t a2 = i - 1, c = g - 1; a2 >= q_from && c >= t_from; a2--, c--) {
          score += matrix[qc[a2] * msize + t[c]];
          if (score > left) {
            left = score;
          } else if (score < left - xdrop) {
            break;
          }
        }
        const int32_t segment = top + left;
        if (best[r] < 0) touched.push_back(r);
        if (segment > best[r]) best[r] = segment;
      }
      passing.clear();
      for (int32_t r : touched) {
        if (best[r] >= min_score) passing.push_back(r);
      }
      std::sort(passing.begin(), passing.end(), [&](int32_t x, int32_t y) {
        return best[x] != best[y] ? best[x] > best[y] : x < y;
      });
      uint8_t flag = 0;
      for (int32_t r : passing) flag |= ix.flagged[r] == 1 ? 1 : 0;
      out_flagged[q] = flag;
      for (int k = 0; k < top_k; k++) {
        const bool has = (size_t)k < passing.size();
        out_refs[q * top_k + k] = has ? passing[k] : -1;
        out_scores[q * top_k + k] = has ? best[passing[k]] : 0;
      }
      for (int32_t r : touched) best[r] = -1;
    }
  };
  const int workers = std::max(1, std::min(n_threads, (int)n_queries));
  std::vector<std::thread> pool;
  for (int k = 1; k < workers; k++) pool.emplace_back(run, (size_t)k, (size_t)workers);
  run(0, (size_t)workers);
  for (auto& th : pool) th.join();
  return true;
}

}  // namespace arginator
