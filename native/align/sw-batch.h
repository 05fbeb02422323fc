// The batch Smith-Waterman entry point behind swBatch: picks a kernel per pair and splits the pairs
// over threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arginator {

// Scores (align false: out[p]) or aligns (align true: out[p * 7 .. p * 7 + 6] = score, identities,
// length, qs, qe, ts, te) the pairs (qi, ti) = (pairs[2p], pairs[2p + 1]) of query qi (codes
// qc[qo[qi] .. qo[qi + 1]]) against target ti. Inputs are validated by the caller. simd: 0 fastest
// (inter-sequence for score batches), 16 striped AVX2 only, 1 scalar only. known: with align, each
// pair's optimal score when the caller knows it already (or -1), or null. diagonals: with align, each
// pair's likely diagonal (query position - target position, e.g. an ungapped screen's best segment)
// or INT32_MIN, or null: its band is tried before the one around the main diagonal of shared 3-mers.
void sw_batch(const uint8_t* qc, const int32_t* qo, const uint8_t* tc, const int32_t* to,
              const int32_t* pairs, size_t np, const int8_t* mat, int size, int open, int ext, bool align,
              int32_t* out, int threads, int simd, const int32_t* known, const int32_t* diagonals);

}  // namespace arginator
