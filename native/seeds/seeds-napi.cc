// N-API glue of the seed index: seedSearch and seedPostings (argument and size checks, then seeds.cc).
#include <node_api.h>

#include <algorithm>
#include <cstdint>

#include "../addon.h"
#include "../common/napi-args.h"
#include "seeds.h"

namespace arginator {

// seedSearch(offsets, refs, positions, shapes, references, maxOccurrences, letters, letterOffsets,
//            topK, minHits, outRefs, outHits, threads)
napi_value SeedSearch(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  auto i32 = [&](size_t i, const char* what) { return a.array<int32_t>(i, napi_int32_array, 0, what); };
  const int32_t* offsets = i32(0, "seedSearch: offsets must be an Int32Array");
  const int32_t* refs = i32(1, "seedSearch: refs must be an Int32Array");
  const int32_t* positions = i32(2, "seedSearch: positions must be an Int32Array");
  const int32_t* shapes = i32(3, "seedSearch: shapes must be an Int32Array");
  const int n_ref = a.integer(4), max_occ = a.integer(5);
  const uint8_t* letters = a.array<uint8_t>(6, napi_uint8_array, 0, "seedSearch: letters must be a Uint8Array");
  const int32_t* lo = i32(7, "seedSearch: letterOffsets must be an Int32Array");
  const int top_k = a.integer(8), min_hits = a.integer(9);
  int32_t* out_refs = i32(10, "seedSearch: outRefs must be an Int32Array");
  int32_t* out_hits = i32(11, "seedSearch: outHits must be an Int32Array");
  const int threads = a.is_undefined(12) ? 1 : a.integer(12);
  if (a.failed) return undefined_value(env);
  auto length_of = [&](size_t i) {
    napi_typedarray_type type; size_t len = 0; void* d; napi_value ab; size_t off;
    napi_get_typedarray_info(env, a.v[i], &type, &len, &d, &ab, &off);
    return len;
  };
  const size_t n_off = length_of(0), n_post = std::min(length_of(1), length_of(2));
  const size_t n_shapes = length_of(3), n_letters = length_of(6), n_lo = length_of(7);
  const size_t n_queries = n_lo > 0 ? n_lo - 1 : 0;
  bool ok = n_lo >= 1 && length_of(10) >= n_queries * top_k && length_of(11) >= n_queries * top_k;
  // Queries and shapes are validated once here; postings where the loop reads them.
  ok = ok && seeds_input_valid(lo, n_queries, n_letters, shapes, n_shapes, n_off);
  if (!ok) {
    a.fail("seedSearch: inconsistent postings, shapes, queries or output sizes");
    return undefined_value(env);
  }
  seed_search(offsets, refs, positions, n_post, shapes, n_shapes, n_ref, max_occ, letters, lo, n_queries,
              top_k, min_hits, out_refs, out_hits, threads);
  return undefined_value(env);
}

// seedPostings(letters, letterOffsets, shapes, offsets, refs, positions) -> seeds
// offsets (all zero on entry) gets the CSR offsets; refs and positions need room for every seed.
napi_value SeedPostings(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  auto i32 = [&](size_t i, const char* what) { return a.array<int32_t>(i, napi_int32_array, 0, what); };
  const uint8_t* letters = a.array<uint8_t>(0, napi_uint8_array, 0, "seedPostings: letters must be a Uint8Array");
  const int32_t* lo = i32(1, "seedPostings: letterOffsets must be an Int32Array");
  const int32_t* shapes = i32(2, "seedPostings: shapes must be an Int32Array");
  int32_t* offsets = i32(3, "seedPostings: offsets must be an Int32Array");
  int32_t* refs = i32(4, "seedPostings: refs must be an Int32Array");
  int32_t* positions = i32(5, "seedPostings: positions must be an Int32Array");
  napi_value result;
  napi_create_int32(env, 0, &result);
  if (a.failed) return result;
  auto length_of = [&](size_t i) {
    napi_typedarray_type type; size_t len = 0; void* d; napi_value ab; size_t off;
    napi_get_typedarray_info(env, a.v[i], &type, &len, &d, &ab, &off);
    return len;
  };
  const size_t n_letters = length_of(0), n_lo = length_of(1), n_shapes = length_of(2);
  const size_t n_off = length_of(3), room = std::min(length_of(4), length_of(5));
  const size_t n_seq = n_lo > 0 ? n_lo - 1 : 0;
  bool ok = n_lo >= 1 && n_off >= 1;
  ok = ok && seeds_input_valid(lo, n_seq, n_letters, shapes, n_shapes, n_off);
  if (!ok) {
    a.fail("seedPostings: inconsistent sequences, shapes or offsets");
    return result;
  }
  size_t total = 0;
  if (!seed_postings(letters, lo, n_seq, shapes, n_shapes, offsets, n_off, refs, positions, room, &total)) {
    a.fail("seedPostings: refs and positions have no room for every seed");
    return result;
  }
  napi_create_int32(env, (int32_t)total, &result);
  return result;
}

}  // namespace arginator
