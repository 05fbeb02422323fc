// N-API glue of the Smith-Waterman kernels: swBatch (argument and bounds checks, then sw-batch.cc).
#include <node_api.h>

#include <cstdint>
#include <vector>

#include "../addon.h"
#include "../common/napi-args.h"
#include "sw-batch.h"

namespace arginator {

// swBatch(qCodes, qOffsets, tCodes, tOffsets, pairs, matrix, size, gapOpen, gapExtend, align, out, threads)
// pairs = [q0, t0, q1, t1, ...]; out has 1 (score) or 7 (align) int32 per pair.
napi_value SwBatch(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  bool ok = true;
  auto u8 = [&](size_t i, const char* what) { return a.array<uint8_t>(i, napi_uint8_array, 0, what); };
  auto i32 = [&](size_t i, size_t need, const char* what) { return a.array<int32_t>(i, napi_int32_array, need, what); };
  const uint8_t* qc = u8(0, "swBatch: qCodes must be a Uint8Array");
  const int32_t* qo = i32(1, 1, "swBatch: qOffsets must be an Int32Array");
  const uint8_t* tc = u8(2, "swBatch: tCodes must be a Uint8Array");
  const int32_t* to = i32(3, 1, "swBatch: tOffsets must be an Int32Array");
  const int32_t* pairs = i32(4, 0, "swBatch: pairs must be an Int32Array");
  const int8_t* mat = a.array<int8_t>(5, napi_int8_array, 0, "swBatch: matrix must be an Int8Array");
  const int size = a.integer(6), open = a.integer(7), ext = a.integer(8);
  const bool align = a.boolean(9);
  int32_t* out = i32(10, 0, "swBatch: out must be an Int32Array");
  const int threads = a.is_undefined(11) ? 1 : a.integer(11);
  // simd: 0 = fastest (inter-sequence for score batches), 16 = striped AVX2 only, 1 = scalar only
  // (tests compare the paths).
  const int simd = a.is_undefined(12) ? 0 : a.integer(12);
  // With align: each pair's optimal score when the caller knows it already (a score pass), or absent.
  const int32_t* known = a.is_undefined(13) ? nullptr : i32(13, 0, "swBatch: knownScores must be an Int32Array");
  // With align: each pair's likely diagonal (query - target position; INT32_MIN none), or absent.
  const int32_t* diagonals = a.is_undefined(14) ? nullptr : i32(14, 0, "swBatch: diagonals must be an Int32Array");
  if (a.failed) return undefined_value(env);
  // Lengths for bounds checks.
  auto length_of = [&](size_t i) {
    napi_typedarray_type type; size_t len = 0; void* d; napi_value ab; size_t off;
    napi_get_typedarray_info(env, a.v[i], &type, &len, &d, &ab, &off);
    return len;
  };
  const size_t nqo = length_of(1), nto = length_of(3), np = length_of(4) / 2, nout = length_of(10);
  const size_t nqc = length_of(0), ntc = length_of(2), nmat = length_of(5);
  const int per = align ? 7 : 1;
  if (nout < np * per || nmat < (size_t)size * size || size <= 0) ok = false;
  if (known != nullptr && length_of(13) < np) ok = false;
  if (diagonals != nullptr && length_of(14) < np) ok = false;
  for (size_t p = 0; ok && p < np; p++) {
    const int32_t qi = pairs[2 * p], ti = pairs[2 * p + 1];
    if (qi < 0 || ti < 0 || (size_t)qi + 1 >= nqo || (size_t)ti + 1 >= nto) { ok = false; break; }
    if (qo[qi] < 0 || qo[qi] > qo[qi + 1] || (size_t)qo[qi + 1] > nqc) ok = false;
    if (to[ti] < 0 || to[ti] > to[ti + 1] || (size_t)to[ti + 1] > ntc) ok = false;
  }
  // The codes of the sequences the pairs use, each sequence once (a pass over every reference per
  // call would cost about a millisecond: most of a one-protein request).
  std::vector<uint8_t> checked_q(nqo, 0), checked_t(nto, 0);
  for (size_t p = 0; ok && p < np; p++) {
    const int32_t qi = pairs[2 * p], ti = pairs[2 * p + 1];
    if (!checked_q[qi]) {
      checked_q[qi] = 1;
      for (int32_t i = qo[qi]; ok && i < qo[qi + 1]; i++) if (qc[i] >= size) ok = false;
    }
    if (!checked_t[ti]) {
      checked_t[ti] = 1;
      for (int32_t i = to[ti]; ok && i < to[ti + 1]; i++) if (tc[i] >= size) ok = false;
    }
  }
  if (!ok) { a.fail("swBatch: inconsistent offsets, pairs, codes or output size"); return undefined_value(env); }
  sw_batch(qc, qo, tc, to, pairs, np, mat, size, open, ext, align, out, threads, simd, known, diagonals);
  return undefined_value(env);
}

}  // namespace arginator
