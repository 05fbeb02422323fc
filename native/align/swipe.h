// Inter-sequence Smith-Waterman score kernel (Rognes' SWIPE idea): one query against up to 16
// targets at once, one target per AVX2 int16 lane.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/isa.h"

#ifdef ARG_X86
namespace arginator {

struct SwipeTables {
  // Per query residue a: the scores of a against residue codes 0-15 and 16-31 (bytes, -128 past
  // the matrix), for pshufb lookups of a whole column at once.
  alignas(16) int8_t lo[32][16];
  alignas(16) int8_t hi[32][16];
};

// Fills the pshufb tables of the size x size substitution matrix mat.
void swipe_tables(const int8_t* mat, int size, SwipeTables& tab);

struct SwipeWork {
  std::vector<int16_t> h, e, colProf;
  std::vector<int> order, lane_of, load;
  std::vector<std::vector<int>> queue;
};

// Scores of query q against `count` targets t[k] of lengths n[k] into out[k].
__attribute__((target("avx2"))) void sw_swipe16(const uint8_t* q, int m, const uint8_t* const* t,
                                               const int* n, int count, const SwipeTables& tab, int size,
                                               int open, int ext, SwipeWork& w, int32_t* out);

}  // namespace arginator
#endif
