// Striped Smith-Waterman score kernel (Farrar 2007), 16 int16 lanes on AVX2, one pair at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/isa.h"

#ifdef ARG_X86
namespace arginator {

struct StripedWork {
  // int16 buffers accessed with unaligned loads/stores: std::vector does not promise 32-byte alignment.
  std::vector<int16_t> prof, hA, hB, e;
  int lanes = 0, seg = 0, m = 0;
  int32_t query = -1;  // the query whose profile `prof` holds (pairs come grouped by query)
};

// The striped query profile (Farrar): for residue r, segment s, lane l the score of query position
// s + l * seg against r (0 past the end).
void striped_profile(const uint8_t* q, int m, const int8_t* mat, int size, int lanes, StripedWork& w);

// Score of the profiled query (striped_profile with 16 lanes) against t.
int32_t sw_striped(const uint8_t* t, int n, int open, int ext, StripedWork& w);

// The same score and the cell where the scalar kernel (gotoh.cc sw_run) records it: the first column
// (target position, 1-based) reaching the best score and the first query position in it.
int32_t sw_striped_end(const uint8_t* t, int n, int open, int ext, StripedWork& w, int32_t* end_q,
                       int32_t* end_t);

}  // namespace arginator
#endif
