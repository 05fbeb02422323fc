// Inter-sequence Smith-Waterman score kernel with 32 saturating uint8 lanes (SWIPE's 8-bit pass): twice
// the lanes of the int16 kernel for the many pairs whose score stays small (unrelated proteins); a
// pair whose score could have saturated is reported so the caller scores it again with int16 lanes.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/isa.h"

#ifdef ARG_X86
namespace arginator {

struct Swipe8Tables {
  // Per query residue a: bias + score of a against residue codes 0-15 and 16-31, clamped to
  // [0, 255] (0 past the matrix, i.e. -bias), for pshufb lookups of a whole column at once.
  alignas(16) uint8_t lo[32][16];
  alignas(16) uint8_t hi[32][16];
  // -(lowest score of the matrix): every profile entry is score + bias >= 0.
  int bias = 0;
};

// Fills the tables of the size x size substitution matrix mat; false when a score does not fit
// (bias + score outside [0, 255] or bias > 64), in which case the 8-bit kernel must not be used.
bool swipe8_tables(const int8_t* mat, int size, Swipe8Tables& tab);

struct Swipe8Work {
  std::vector<uint8_t> h, e, colProf;
  std::vector<int> order, load;
  std::vector<std::vector<int>> queue;
};

// Scores of query q against `count` targets t[k] of lengths n[k] into out[k]; out[k] = -1 marks a
// target whose score may have saturated the lanes (score it again with sw_swipe16).
__attribute__((target("avx2"))) void sw_swipe8(const uint8_t* q, int m, const uint8_t* const* t,
                                              const int* n, int count, const Swipe8Tables& tab, int size,
                                              int open, int ext, Swipe8Work& w, int32_t* out);

}  // namespace arginator
#endif
