// The ungapped screen of src/core/sequence/ungapped-screen.ts in C++: the sorted index build and the
// batched search (the same hits in the same order as searchScreenJs, so the same output).
#pragma once

#include <cstddef>
#include <cstdint>

namespace arginator {

// Directory bits per shape (ungapped-screen.ts SCREEN_DIRECTORY_BITS): codes (< 2^30) by their top bits.
constexpr int SCREEN_DIRECTORY_BITS = 18;
// Presence bits per shape (ungapped-screen.ts SCREEN_PRESENCE_BITS) and the 32-bit words they take.
constexpr int SCREEN_PRESENCE_BITS = 23;
constexpr size_t SCREEN_PRESENCE_WORDS = ((size_t)1 << SCREEN_PRESENCE_BITS) / 32;

struct ScreenIndexView {
  const int32_t* shapes;  // per shape [span, weight, used positions...]
  size_t n_shapes_values;
  const int32_t* shape_offsets;  // n_shapes + 1
  const int32_t* codes;          // ascending within a shape
  const int32_t* positions;      // into the concatenated reference residues (the reference follows)
  const int32_t* directory;      // per shape 2^SCREEN_DIRECTORY_BITS + 1 entry indices
  const uint32_t* presence;      // per shape SCREEN_PRESENCE_WORDS words
  size_t n_entries;
  const uint8_t* ref_codes;
  const int32_t* ref_offsets;  // n_ref + 1
  int n_ref;
  const uint8_t* flagged;  // n_ref
};

// Checks shapes ([span, weight ≤ 9, used positions < span] per shape) and returns their count, or -1.
int screen_shape_count(const int32_t* shapes, size_t n_values);

// The index build (see buildScreenJs): shape_offsets (n_shapes + 1) gets each shape's range, codes
// and positions (room entries, room ≥ every seed) the entries; returns the entries kept.
size_t screen_build(const uint8_t* letters, const int32_t* lo, size_t n_seq, const int32_t* shapes,
                    size_t n_shape_values, int max_occ, int32_t* shape_offsets, int32_t* codes,
                    int32_t* positions, size_t room);

// The search (see searchScreenJs) over n_queries queries (query q's references pass at min_scores[q]; a flagged one flags it at flag_scores[q]) (letters and BLOSUM62 codes at qo[q] ..
// qo[q + 1]) on `threads` threads; out_diagonals gets each passing reference's best segment's diagonal
// (query position - reference position). False (outputs unspecified) when an index entry's position is not
// within its reference.
bool screen_search(const ScreenIndexView& ix, const uint8_t* letters, const uint8_t* qcodes, const int32_t* qo,
                   size_t n_queries, const int8_t* matrix, int matrix_size, const int32_t* min_scores, const int32_t* flag_scores, int xdrop, int top_k,
                   int max_hits, uint8_t* out_flagged, int32_t* out_refs, int32_t* out_scores, int32_t* out_diagonals,
                   int threads);

}  // namespace arginator
