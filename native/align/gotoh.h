// Scalar Smith-Waterman (Gotoh affine gaps) with traceback, full-matrix and banded, over residue
// codes; the exact reference for the SIMD score kernels.
#pragma once

#include <cstdint>
#include <vector>

namespace arginator {

// Work buffers, reused across the pairs of one thread.
struct SwWork {
  std::vector<int32_t> prof, h, e;
  std::vector<uint8_t> trace;
};

// Best local score; with `out`, also traces back: out = score, identities, length, qs, qe, ts, te.
int32_t sw_run(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size, int open,
               int ext, SwWork& w, int32_t* out);

// The most common diagonal (target position - query position) of shared 3-mers, or INT32_MIN if none.
int32_t main_diagonal(const uint8_t* q, int m, const uint8_t* t, int n, std::vector<int32_t>& head,
                      std::vector<int32_t>& next, std::vector<int32_t>& votes);

// Local alignment restricted to diagonals dLo <= j - i <= dHi, with traceback; fills out.
int32_t sw_banded(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size,
                  int open, int ext, int dLo, int dHi, SwWork& w, int32_t* out);

}  // namespace arginator
