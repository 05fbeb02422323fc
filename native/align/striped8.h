// Striped Smith-Waterman score kernel with 32 saturating uint8 lanes (Farrar 2007's byte pass, AVX2),
// one pair at a time: twice the striped int16 kernel's lanes for pairs whose score stays small.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/isa.h"

#ifdef ARG_X86
namespace arginator {

struct Striped8Work {
  std::vector<uint8_t> prof, hA, hB, e;
  int seg = 0, m = 0, bias = 0;
  int32_t query = -1;  // the query whose profile `prof` holds (pairs come grouped by query)
};

// The biased byte profile of q (score + bias per residue, segment and lane; 0 past the end). False
// when the matrix does not fit biased bytes.
bool striped8_profile(const uint8_t* q, int m, const int8_t* mat, int size, Striped8Work& w);

// Exact score of the profiled query against t, or -1 when a cell could have saturated (then the
// caller scores the pair with the int16 kernel).
int32_t sw_striped8(const uint8_t* t, int n, int open, int ext, Striped8Work& w);

}  // namespace arginator
#endif
