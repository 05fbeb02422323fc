// N-API glue of the ungapped screen: screenBuild and screenSearch (argument and size checks, then screen.cc).
#include <node_api.h>

#include <algorithm>
#include <cstdint>

#include "../addon.h"
#include "../common/napi-args.h"
#include "screen.h"

namespace arginator {

namespace {

size_t length_of(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t len = 0;
  void* d;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, v, &type, &len, &d, &ab, &off);
  return len;
}

bool offsets_valid(const int32_t* lo, size_t n, size_t total) {
  if (lo[0] < 0) return false;
  for (size_t i = 0; i < n; i++) {
    if (lo[i] > lo[i + 1]) return false;
  }
  return (size_t)lo[n] <= total;
}

}  // namespace

// screenBuild(letters, letterOffsets, shapes, maxOccurrences, shapeOffsets, codes, positions) -> kept
napi_value ScreenBuild(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  auto i32 = [&](size_t i, const char* what) { return a.array<int32_t>(i, napi_int32_array, 0, what); };
  const uint8_t* letters = a.array<uint8_t>(0, napi_uint8_array, 0, "screenBuild: letters must be a Uint8Array");
  const int32_t* lo = i32(1, "screenBuild: letterOffsets must be an Int32Array");
  const int32_t* shapes = i32(2, "screenBuild: shapes must be an Int32Array");
  const int max_occ = a.integer(3);
  int32_t* shape_offsets = i32(4, "screenBuild: shapeOffsets must be an Int32Array");
  int32_t* codes = i32(5, "screenBuild: codes must be an Int32Array");
  int32_t* positions = i32(6, "screenBuild: positions must be an Int32Array");
  napi_value result;
  napi_create_int32(env, -1, &result);
  if (a.failed) return result;
  const size_t n_lo = length_of(env, a.v[1]), n_shape_values = length_of(env, a.v[2]);
  const int n_shapes = screen_shape_count(shapes, n_shape_values);
  const size_t room = std::min(length_of(env, a.v[5]), length_of(env, a.v[6]));
  bool ok = n_lo >= 1 && n_shapes >= 1 && offsets_valid(lo, n_lo - 1, length_of(env, a.v[0])) &&
            length_of(env, a.v[4]) == (size_t)n_shapes + 1;
  if (!ok) {
    a.fail("screenBuild: inconsistent letters, shapes or offsets");
    return result;
  }
  size_t seeds = 0;
  for (int s = 0, at = 0; s < n_shapes; s++) {
    const int32_t span = shapes[at];
    at += 2 + shapes[at + 1];
    for (size_t r = 0; r + 1 < n_lo; r++) {
      const int32_t len = lo[r + 1] - lo[r];
      if (len >= span) seeds += (size_t)(len - span + 1);
    }
  }
  if (seeds > room || seeds > 2147483647u) {
    a.fail("screenBuild: codes and positions have no room for every seed");
    return result;
  }
  const size_t kept =
      screen_build(letters, lo, n_lo - 1, shapes, n_shape_values, max_occ, shape_offsets, codes, positions, room);
  napi_create_int32(env, (int32_t)kept, &result);
  return result;
}

// screenSearch(shapes, shapeOffsets, codes, positions, refCodes, refOffsets, flagged, letters,
//              queryCodes, queryOffsets, matrix, minScores, xdrop, topK, outFlagged, outRefs, outScores,
//              threads, directory, maxHits, presence, outDiagonals, flagScores)
napi_value ScreenSearch(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  auto i32 = [&](size_t i, const char* what) { return a.array<int32_t>(i, napi_int32_array, 0, what); };
  auto u8 = [&](size_t i, const char* what) { return a.array<uint8_t>(i, napi_uint8_array, 0, what); };
  ScreenIndexView ix{};
  ix.shapes = i32(0, "screenSearch: shapes must be an Int32Array");
  ix.shape_offsets = i32(1, "screenSearch: shapeOffsets must be an Int32Array");
  ix.codes = i32(2, "screenSearch: codes must be an Int32Array");
  ix.positions = i32(3, "screenSearch: positions must be an Int32Array");
  ix.ref_codes = u8(4, "screenSearch: refCodes must be a Uint8Array");
  ix.ref_offsets = i32(5, "screenSearch: refOffsets must be an Int32Array");
  ix.flagged = u8(6, "screenSearch: flagged must be a Uint8Array");
  const uint8_t* letters = u8(7, "screenSearch: letters must be a Uint8Array");
  const uint8_t* qcodes = u8(8, "screenSearch: queryCodes must be a Uint8Array");
  const int32_t* qo = i32(9, "screenSearch: queryOffsets must be an Int32Array");
  const int8_t* matrix = a.array<int8_t>(10, napi_int8_array, 0, "screenSearch: matrix must be an Int8Array");
  // Per query: the segment score a reference passes at (minScores) and a flagged one flags it at
  // (flagScores); both raised with the query's length (core/sequence/ungapped-screen.ts).
  const int32_t* min_scores = i32(11, "screenSearch: minScores must be an Int32Array");
  const int xdrop = a.integer(12), top_k = a.integer(13);
  uint8_t* out_flagged = a.array<uint8_t>(14, napi_uint8_array, 0, "screenSearch: outFlagged must be a Uint8Array");
  int32_t* out_refs = i32(15, "screenSearch: outRefs must be an Int32Array");
  int32_t* out_scores = i32(16, "screenSearch: outScores must be an Int32Array");
  const int threads = a.is_undefined(17) ? 1 : a.integer(17);
  ix.directory = i32(18, "screenSearch: directory must be an Int32Array");
  const int max_hits = a.integer(19);
  // An Int32Array (the cache's arrays are int32); its bits are read as uint32 words.
  ix.presence = reinterpret_cast<const uint32_t*>(i32(20, "screenSearch: presence must be an Int32Array"));
  int32_t* out_diagonals = i32(21, "screenSearch: outDiagonals must be an Int32Array");
  // Per query: the segment score with which a flagged reference flags it (screenFlagScores).
  const int32_t* flag_scores = i32(22, "screenSearch: flagScores must be an Int32Array");
  if (a.failed) return undefined_value(env);
  ix.n_shapes_values = length_of(env, a.v[0]);
  const int n_shapes = screen_shape_count(ix.shapes, ix.n_shapes_values);
  const size_t n_ref_offsets = length_of(env, a.v[5]);
  ix.n_ref = n_ref_offsets >= 1 ? (int)(n_ref_offsets - 1) : 0;
  ix.n_entries = length_of(env, a.v[2]);
  const size_t ref_residues = length_of(env, a.v[4]);
  const size_t n_qo = length_of(env, a.v[9]);
  const size_t n_queries = n_qo >= 1 ? n_qo - 1 : 0;
  const size_t n_qcodes = length_of(env, a.v[8]);
  const size_t matrix_values = length_of(env, a.v[10]);
  int msize = 0;
  while ((size_t)(msize * msize) < matrix_values) msize++;
  bool ok = n_shapes >= 1 && n_ref_offsets >= 1 && n_qo >= 1 && (size_t)(msize * msize) == matrix_values &&
            length_of(env, a.v[1]) == (size_t)n_shapes + 1 && length_of(env, a.v[3]) >= ix.n_entries &&
            length_of(env, a.v[6]) >= (size_t)ix.n_ref &&
            offsets_valid(ix.ref_offsets, ix.n_ref, ref_residues) && offsets_valid(qo, n_queries, n_qcodes) &&
            length_of(env, a.v[7]) >= n_qcodes && length_of(env, a.v[14]) >= n_queries &&
            length_of(env, a.v[11]) >= n_queries && length_of(env, a.v[22]) >= n_queries &&
            length_of(env, a.v[15]) >= n_queries * (size_t)top_k &&
            length_of(env, a.v[16]) >= n_queries * (size_t)top_k &&
            length_of(env, a.v[21]) >= n_queries * (size_t)top_k;
  // Shape ranges ascending within the entries; each shape's directory ascending within its range;
  // every code in the matrix.
  const size_t dir_size = ((size_t)1 << SCREEN_DIRECTORY_BITS) + 1;
  ok = ok && length_of(env, a.v[18]) == (size_t)n_shapes * dir_size &&
       length_of(env, a.v[20]) == (size_t)n_shapes * SCREEN_PRESENCE_WORDS;
  for (int s = 0; ok && s < n_shapes; s++) {
    ok = ix.shape_offsets[0] == 0 && ix.shape_offsets[s] <= ix.shape_offsets[s + 1] &&
         (size_t)ix.shape_offsets[s + 1] <= ix.n_entries;
  }
  // Directory ranges, entries and reference codes are checked where the search reads them (a full
  // pass here would cost milliseconds per call: most of a one-protein request).
  for (size_t i = 0; ok && i < n_qcodes; i++) ok = qcodes[i] < msize;
  if (!ok) {
    a.fail("screenSearch: inconsistent index, references, queries or output sizes");
    return undefined_value(env);
  }
  if (!screen_search(ix, letters, qcodes, qo, n_queries, matrix, msize, min_scores, flag_scores, xdrop, top_k, max_hits,
                     out_flagged, out_refs, out_scores, out_diagonals, threads)) {
    a.fail("screenSearch: an index entry points outside its reference");
  }
  return undefined_value(env);
}

}  // namespace arginator
