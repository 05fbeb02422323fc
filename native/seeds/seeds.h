// The spaced-seed index loops of src/core/sequence/seed-index.ts in C++: building the postings and
// searching a batch of queries (same algorithms and order as buildPostingsJs and searchSeedsJs).
#pragma once

#include <cstddef>
#include <cstdint>

namespace arginator {

// Checks what the seed loops index without further checks: sequence offsets within the letters,
// packed shapes ([base, span, weight, used positions...]) whose codes fit the offsets array.
bool seeds_input_valid(const int32_t* lo, size_t n_seq, size_t n_letters, const int32_t* shapes,
                       size_t n_shapes, size_t n_off);

// The topK references of each of n_queries queries (sequences lo[q] .. lo[q + 1] of letters) into
// out_refs / out_hits (topK per query). Postings (offsets, refs, positions: n_post entries) are
// checked where read; queries and shapes must have passed seeds_input_valid.
void seed_search(const int32_t* offsets, const int32_t* refs, const int32_t* positions, size_t n_post,
                 const int32_t* shapes, size_t n_shapes, int n_ref, int max_occ, const uint8_t* letters,
                 const int32_t* lo, size_t n_queries, int top_k, int min_hits, int32_t* out_refs,
                 int32_t* out_hits, int threads);

// Fills the postings of n_seq sequences: offsets (n_off entries, all zero on entry) gets the CSR
// offsets, refs and positions (room entries) the seeds. Returns false, offsets zeroed again, when
// room is too small; else sets *seeds to the number of seeds.
bool seed_postings(const uint8_t* letters, const int32_t* lo, size_t n_seq, const int32_t* shapes,
                   size_t n_shapes, int32_t* offsets, size_t n_off, int32_t* refs, int32_t* positions,
                   size_t room, size_t* seeds);

}  // namespace arginator
