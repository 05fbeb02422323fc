// The ungapped screen (src/core/sequence/ungapped-screen.ts): weight-9 spaced seeds of each query
// looked up in the references' sorted seeds through a directory of the codes' top bits (prefetched
// ahead: random reads into MBs are bound by memory latency), each hit extended along its diagonal
// without gaps (X-drop), best segment score per reference, and a query stopped as soon as a
// reference of a flagged class passes.
#include "screen.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace arginator {

namespace {

constexpr uint8_t NONE = 255;

// A code's presence block (ungapped-screen.ts presenceBits): 16 words (512 bits, one cache line)
// chosen by the top bits of its Fibonacci hash.
inline uint32_t presence_block(int32_t code) {
  return ((uint32_t)code * 0x9e3779b1u) >> (32 - SCREEN_PRESENCE_BITS + 9);
}
// Whether the code's three bits in its block (a murmur3-finaliser hash, 9 bits each) are all set.
inline bool presence_has(const uint32_t* block, int32_t code) {
  uint32_t h = ((uint32_t)code ^ ((uint32_t)code >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  h ^= h >> 16;
  const uint32_t a = h & 511, b = (h >> 9) & 511, c = (h >> 18) & 511;
  return ((block[a >> 5] >> (a & 31)) & (block[b >> 5] >> (b & 31)) & (block[c >> 5] >> (c & 31)) & 1u) != 0;
}

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

// Where code's first entry probably is in its directory slot [lo, hi): the slot holds the codes
// from slot << (30 - SCREEN_DIRECTORY_BITS) on, spread over its range about evenly.
inline int32_t guess_entry(int32_t lo, int32_t hi, int32_t code, int64_t slot) {
  if (hi <= lo) return lo;
  const int shift = 30 - SCREEN_DIRECTORY_BITS;
  const int64_t within = (int64_t)code - (slot << shift);
  int64_t g = lo + ((within * (int64_t)(hi - lo)) >> shift);
  if (g < lo) g = lo;
  if (g >= hi) g = hi - 1;
  return (int32_t)g;
}

// Open addressing (key → query position an extension reached), cleared per query by a generation.
struct Reach {
  std::vector<uint64_t> keys;
  std::vector<int32_t> reach;
  std::vector<uint32_t> gen;
  uint32_t current = 1;
  size_t used = 0;
  Reach() { reset(1 << 12); }
  void reset(size_t n) {
    keys.assign(n, 0);
    reach.assign(n, 0);
    gen.assign(n, 0);
    used = 0;
  }
  void clear() {
    current++;
    used = 0;
    if (current == 0) {
      std::fill(gen.begin(), gen.end(), 0);
      current = 1;
    }
  }
  size_t slot(uint64_t key) const {
    const size_t mask = keys.size() - 1;
    size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & mask;
    while (gen[h] == current && keys[h] != key) h = (h + 1) & mask;
    return h;
  }
  int32_t get(uint64_t key) const {
    const size_t h = slot(key);
    return gen[h] == current ? reach[h] : -1;
  }
  void set(uint64_t key, int32_t value) {
    if (2 * (used + 1) > keys.size()) grow();
    const size_t h = slot(key);
    if (gen[h] != current) {
      gen[h] = current;
      keys[h] = key;
      used++;
    }
    reach[h] = value;
  }
  void grow() {
    std::vector<uint64_t> k2;
    std::vector<int32_t> r2;
    for (size_t i = 0; i < keys.size(); i++) {
      if (gen[i] == current) {
        k2.push_back(keys[i]);
        r2.push_back(reach[i]);
      }
    }
    reset(keys.size() * 2);
    for (size_t i = 0; i < k2.size(); i++) set(k2[i], r2[i]);
  }
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
                    int32_t* positions, size_t room) {
  const int n_shapes = screen_shape_count(shapes, n_shape_values);
  std::vector<uint64_t> keys, tmp;
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
                   size_t n_queries, const int8_t* matrix, int msize, const int32_t* min_scores, const int32_t* flag_scores, int xdrop, int top_k,
                   int max_hits, uint8_t* out_flagged, int32_t* out_refs, int32_t* out_scores, int32_t* out_diagonals,
                   int threads) {
  const int n_shapes = screen_shape_count(ix.shapes, ix.n_shapes_values);
  const size_t dir_size = ((size_t)1 << SCREEN_DIRECTORY_BITS) + 1;
  std::vector<int32_t> shape_at((size_t)n_shapes);
  for (int s = 0, at = 0; s < n_shapes; s++) {
    shape_at[(size_t)s] = at;
    at += 2 + ix.shapes[at + 1];
  }
  std::vector<uint8_t> bad((size_t)std::max(1, threads), 0);
  // The matrix padded to 256 × 256 (0 outside msize × msize): every byte of a reference code is in
  // bounds, with no pass over the references per call to check them (valid codes are < msize).
  std::vector<int8_t> padded(256 * 256, 0);
  for (int x = 0; x < msize; x++) {
    for (int y = 0; y < msize; y++) padded[(size_t)x * 256 + y] = matrix[x * msize + y];
  }
  const int8_t* m256 = padded.data();
  // The reference of a residue position without a per-entry array (16 MB for the default model):
  // the last reference starting at or before each 64-residue block, then a step or two forward.
  const int32_t total = ix.ref_offsets[ix.n_ref];
  std::vector<int32_t> block_ref((size_t)(total >> 6) + 1, 0);
  for (int32_t r = 0, b = 0; b < (int32_t)block_ref.size(); b++) {
    while (r + 1 < ix.n_ref && ix.ref_offsets[r + 1] <= (b << 6)) r++;
    block_ref[(size_t)b] = r;
  }
  // Each thread claims the next query (lengths vary by 100x within a proteome batch).
  std::atomic<size_t> next_query{0};
  auto run = [&](uint8_t& failed) {
    std::vector<int32_t> best((size_t)ix.n_ref, -1), best_diagonal((size_t)ix.n_ref, 0), touched, passing, seed_codes;
    std::vector<int64_t> seed_dir;
    std::vector<uint32_t> seed_block;  // each position's presence block
    std::vector<uint8_t> seed_or;      // the OR of each window's letters (NONE shows as >= 16)
    std::vector<int32_t> live;
    Reach covered;
    const uint8_t* t = ix.ref_codes;
    const int32_t* const codes = ix.codes;
    const int32_t* const positions = ix.positions;
    const int32_t* const dir = ix.directory;
    for (size_t q = next_query++; q < n_queries; q = next_query++) {
      const int32_t q_from = qo[q], q_to = qo[q + 1];
      const int32_t min_score = min_scores[q], flag_score = flag_scores[q];
      covered.clear();
      touched.clear();
      bool flag = false;
      for (int s = 0; s < n_shapes && !flag; s++) {
        const int32_t at = shape_at[(size_t)s];
        const int32_t span = ix.shapes[at], w = ix.shapes[at + 1];
        const int32_t* used = ix.shapes + at + 2;
        const int32_t* shape_dir = dir + (size_t)s * dir_size;
        // Codes and directory slots first, so the directory and entries can be prefetched ahead
        // of the loop (random reads into MBs: waiting for each would cost most of the time).
        const int32_t n_pos = std::max(0, q_to - q_from - span + 1);
        seed_codes.resize((size_t)n_pos);
        seed_dir.resize((size_t)n_pos);
        seed_block.resize((size_t)n_pos);
        const uint32_t* shape_presence = ix.presence + (size_t)s * (SCREEN_PRESENCE_WORDS);
        // The codes of all positions in w passes, one per letter of the shape (each pass a
        // vectorisable loop; a letter at a time per position was a tenth of the screen): letters
        // are 0..9 or NONE, so OR-ing them tells a window with a NONE (>= 16) from a valid one.
        seed_or.assign((size_t)n_pos, 0);
        // Unsigned while building: a window with a NONE may wrap (it is discarded below).
        uint32_t* const sc = reinterpret_cast<uint32_t*>(seed_codes.data());
        uint8_t* const so = seed_or.data();
        std::fill(sc, sc + n_pos, 0u);
        for (int u = 0; u < w; u++) {
          const uint8_t* src = letters + q_from + used[u];
          for (int32_t p = 0; p < n_pos; p++) {
            const uint8_t l = src[p];
            sc[p] = sc[p] * 10 + l;
            so[p] |= l;
          }
        }
        for (int32_t p = 0; p < n_pos; p++) {
          const bool valid = so[p] < 16;
          const int32_t code = valid ? (int32_t)sc[p] : -1;
          seed_codes[(size_t)p] = code;
          seed_dir[p] = valid ? (int64_t)(code >> (30 - SCREEN_DIRECTORY_BITS)) : -1;
          seed_block[p] = valid ? presence_block(code) : 0;
        }
        // The presence bits first (most codes of an unrelated protein are in no reference: one
        // read of a 1 MB table instead of two of the tens of MB of entries), prefetched ahead.
        for (int32_t p = 0; p < n_pos; p++) {
          if (p + 24 < n_pos && seed_dir[p + 24] >= 0) __builtin_prefetch(shape_presence + (size_t)seed_block[p + 24] * 16);
          if (seed_dir[p] >= 0 && !presence_has(shape_presence + (size_t)seed_block[p] * 16, seed_codes[p])) seed_dir[p] = -1;
        }
        live.clear();
        for (int32_t p = 0; p < n_pos; p++) {
          if (seed_dir[p] >= 0) live.push_back(p);
        }
        const size_t n_live = live.size();
        for (size_t k = 0; k < n_live && !flag; k++) {
          if (k + 16 < n_live) __builtin_prefetch(shape_dir + seed_dir[live[k + 16]]);
          if (k + 8 < n_live) {
            const int32_t p8 = live[k + 8];
            const int64_t d8 = seed_dir[p8];
            const int32_t g8 = guess_entry(shape_dir[d8], shape_dir[d8 + 1], seed_codes[p8], d8);
            __builtin_prefetch(codes + g8);
            // Its reference positions too: a separate array, read right after the code matches.
            __builtin_prefetch(positions + g8);
          }
          const int32_t p = live[k];
          const int32_t code = seed_codes[p];
          int32_t lo = shape_dir[seed_dir[p]], hi = shape_dir[seed_dir[p] + 1];
          if (lo < ix.shape_offsets[s] || hi > ix.shape_offsets[s + 1] || lo > hi) {
            failed = 1;
            return;
          }
          // The first entry >= code: from where its value puts it in the slot's range (the slot's
          // codes spread over its 4,096 values), galloping to bracket it, then bisecting. A plain
          // bisection of a slot (75 entries on average for a proteome's lookups) read a new cache
          // line at most of its ~7 steps.
          if (hi - lo > 8) {
            const int32_t g = guess_entry(lo, hi, code, seed_dir[p]);
            if (codes[g] < code) {
              int32_t step = 1, from = g + 1;
              while (from + step < hi && codes[from + step - 1] < code) {
                from += step;
                step *= 2;
              }
              lo = from;
              hi = std::min(hi, from + step);
            } else {
              int32_t step = 1, to = g;
              while (to - step > lo && codes[to - step] >= code) {
                to -= step;
                step *= 2;
              }
              hi = to;
              lo = std::max(lo, to - step);
            }
          }
          while (lo < hi) {
            const int32_t mid = lo + (hi - lo) / 2;
            if (codes[mid] < code) lo = mid + 1;
            else hi = mid;
          }
          const int32_t i = q_from + p;
          const int32_t e_end = ix.shape_offsets[s + 1];
          for (int32_t e = lo, taken = 0; e < e_end && codes[e] == code && taken < max_hits; e++, taken++) {
            const int32_t g = positions[e];
            if (g < 0 || g >= total || ix.n_ref == 0) {
              failed = 1;
              return;
            }
            int32_t r = block_ref[(size_t)(g >> 6)];
            while (ix.ref_offsets[r + 1] <= g) r++;
            if (g + span > ix.ref_offsets[r + 1]) {
              failed = 1;
              return;
            }
            const int32_t t_from = ix.ref_offsets[r], t_to = ix.ref_offsets[r + 1];
            const int32_t diagonal = (i - q_from) - (g - t_from);
            const uint64_t key = (uint64_t)r * 4194304ull + (uint64_t)((int64_t)diagonal + 2097152);
            const int32_t reach = covered.get(key);
            if (reach >= 0 && i < reach) continue;
            int32_t score = 0;
            for (int x = 0; x < span; x++) score += m256[qc[i + x] * 256 + t[g + x]];
            int32_t top = score;
            int32_t a = i + span;
            for (int32_t c = g + span; a < q_to && c < t_to; a++, c++) {
              score += m256[qc[a] * 256 + t[c]];
              if (score > top) {
                top = score;
              } else if (score < top - xdrop) {
                break;
              }
            }
            covered.set(key, a);
            int32_t left = 0;
            score = 0;
            for (int32_t a2 = i - 1, c = g - 1; a2 >= q_from && c >= t_from; a2--, c--) {
              score += m256[qc[a2] * 256 + t[c]];
              if (score > left) {
                left = score;
              } else if (score < left - xdrop) {
                break;
              }
            }
            const int32_t segment = top + left;
            if (best[r] < 0) touched.push_back(r);
            if (segment > best[r]) {
              best[r] = segment;
              best_diagonal[r] = diagonal;
            }
            if (segment >= flag_score && ix.flagged[r] == 1) {
              // A flagged reference passed: the query gets the full candidates; nothing else is needed.
              flag = true;
              break;
            }
          }
        }
      }
      passing.clear();
      if (!flag) {
        for (int32_t r : touched) {
          if (best[r] >= min_score) passing.push_back(r);
        }
        std::sort(passing.begin(), passing.end(), [&](int32_t x, int32_t y) {
          return best[x] != best[y] ? best[x] > best[y] : x < y;
        });
      }
      out_flagged[q] = flag ? 1 : 0;
      for (int k = 0; k < top_k; k++) {
        const bool has = (size_t)k < passing.size();
        out_refs[q * top_k + k] = has ? passing[k] : -1;
        out_scores[q * top_k + k] = has ? best[passing[k]] : 0;
        out_diagonals[q * top_k + k] = has ? best_diagonal[passing[k]] : 0;
      }
      for (int32_t r : touched) best[r] = -1;
    }
  };
  const int workers = std::max(1, std::min(threads, (int)n_queries));
  std::vector<std::thread> pool;
  for (int k = 1; k < workers; k++) pool.emplace_back(run, std::ref(bad[(size_t)k]));
  run(bad[0]);
  for (auto& th : pool) th.join();
  for (uint8_t b : bad) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace arginator
