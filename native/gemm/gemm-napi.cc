// N-API glue of the GEMM: gemm, packB, gemmPacked and setThreads (argument checks, then gemm.cc).
#include <node_api.h>

#include <cmath>
#include <thread>
#include <vector>

#include <algorithm>
#include <cstdint>

#include "../addon.h"
#include "../common/napi-args.h"
#include "gemm.h"

namespace arginator {

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c, threads?): threads per call, so two
// adapters with different settings can share the one addon instance.
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const bool ta = a.boolean(0), tb = a.boolean(1);
  const int m = a.integer(2), n = a.integer(3), k = a.integer(4);
  const float alpha = (float)a.num(5);
  const float* A = a.f32(6, (size_t)m * k, "gemm: A is too small or not a Float32Array");
  const float* B = a.f32(7, (size_t)k * n, "gemm: B is too small or not a Float32Array");
  const float beta = (float)a.num(8);
  float* C = a.f32(9, (size_t)m * n, "gemm: C is too small or not a Float32Array");
  const int threads = a.is_undefined(10) ? g_threads : a.integer(10);
  if (!a.failed && threads > 1) ensure_helper();
  if (!a.failed) sgemm(ta, tb, m, n, k, alpha, A, B, beta, C, threads);
  return undefined_value(env);
}

// packB(transB, n, k, B, normaliseRows?) -> Float32Array: op(B) (k x n) packed once for gemmPacked
// (a constant right-hand side used by many products, e.g. reference embeddings), 64-byte aligned.
// normaliseRows (with transB): each of B's n rows scaled to unit L2 norm as it is packed, with the
// arithmetic of core/model/homology.ts (double sums, x * (1 / sqrt(sum)) rounded to float, 0 for
// a zero row), so the packed values are those of packing the normalised rows; it saves the
// normalised copy (a model's 17 MB of reference embeddings, ~40 ms of a CLI start-up in JS).
napi_value PackB(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const bool tb = a.boolean(0);
  const int n = a.integer(1), k = a.integer(2);
  const float* B = a.f32(3, (size_t)k * n, "packB: B is too small or not a Float32Array");
  const bool normalise = !a.is_undefined(4) && a.boolean(4);
  if (!a.failed && normalise && !tb) a.fail("packB: normaliseRows needs transB (B stored n x k)");
  if (a.failed) return undefined_value(env);
  const long npad = ((long)n + NR - 1) / NR * NR;
  const size_t total = (size_t)npad * k;
  void* data = nullptr;
  napi_value buffer, result;
  if (napi_create_arraybuffer(env, total * sizeof(float) + 64, &data, &buffer) != napi_ok) {
    a.fail("packB: out of memory");
    return undefined_value(env);
  }
  const size_t offset = (64 - reinterpret_cast<uintptr_t>(data) % 64) % 64;
  float* out = reinterpret_cast<float*>(static_cast<char*>(data) + offset);
  const long rsB = tb ? 1 : n, csB = tb ? k : 1;
  // Each row's 1 / norm (when normalising), then the packing with the scaling fused into the copy:
  // the values of packing, then scaling ((float)((double)x * inv)); padding columns stay 0. pack_b's
  // layout: per KC block of k, panels of NR columns (references), kc rows of NR each. Large matrices
  // (a model's 17 MB of references, packed at every start-up) are packed by two threads, half the
  // panels each.
  std::vector<double> inv(normalise ? (size_t)n : 0);
  auto pack_panels = [&](int j_from, int j_to) {
    if (normalise) {
      for (int j = j_from; j < std::min(j_to, n); j++) {
        const float* row = B + (long)j * k;
        double sum = 0;
        for (int p = 0; p < k; p++) sum += (double)row[p] * (double)row[p];
        inv[(size_t)j] = sum > 0 ? 1.0 / std::sqrt(sum) : 0.0;
      }
    }
    const int j_end = std::min(j_to, n);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      float* block = out + npad * pc;
      if (!normalise) {
        // Plain: gemm's own packing of these columns (panels of the range start at j_from * kc).
        pack_b(kc, j_end - j_from, B + (long)pc * rsB + (long)j_from * csB, rsB, csB, block + (long)j_from * kc);
        continue;
      }
      for (int j0 = j_from; j0 < j_end; j0 += NR) {
        const int nr = std::min(NR, n - j0);
        float* panel = block + (long)j0 * kc;
        for (int p = 0; p < kc; p++) {
          float* o = panel + (long)p * NR;
          const float* src = B + (long)(pc + p) * rsB + (long)j0 * csB;
          for (int j = 0; j < nr; j++) o[j] = (float)((double)src[(long)j * csB] * inv[(size_t)(j0 + j)]);
          for (int j = nr; j < NR; j++) o[j] = 0.f;
        }
      }
    }
  };
  const long panels = npad / NR;
  if ((double)n * k >= 1e6 && panels >= 2) {
    const int split = (int)((panels + 1) / 2) * NR;
    std::thread other(pack_panels, split, n);
    pack_panels(0, split);
    other.join();
  } else {
    pack_panels(0, n);
  }
  napi_create_typedarray(env, napi_float32_array, total, buffer, offset, &result);
  return result;
}

// gemmPacked(m, n, k, alpha, A, packedB, beta, C, threads): C = alpha * A * op(B) + beta * C.
napi_value GemmPacked(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int m = a.integer(0), n = a.integer(1), k = a.integer(2);
  const float alpha = (float)a.num(3);
  const float* A = a.f32(4, (size_t)m * k, "gemmPacked: A is too small or not a Float32Array");
  const long npad = ((long)n + NR - 1) / NR * NR;
  const float* P = a.f32(5, (size_t)npad * k, "gemmPacked: packedB does not match n and k");
  const float beta = (float)a.num(6);
  float* C = a.f32(7, (size_t)m * n, "gemmPacked: C is too small or not a Float32Array");
  const int threads = a.is_undefined(8) ? g_threads : a.integer(8);
  if (!a.failed && reinterpret_cast<uintptr_t>(P) % 32 != 0) a.fail("gemmPacked: packedB must come from packB");
  if (a.failed) return undefined_value(env);
  if (threads > 1) ensure_helper();
  sgemm_packed(m, n, k, alpha, A, P, beta, C, threads);
  return undefined_value(env);
}

// setThreads(n): the default for gemm calls that do not pass threads; 1 or 2 (more cores would
// need more helpers; the target machine has 2).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int t = a.integer(0);
  if (!a.failed) {
    g_threads = t >= 2 ? 2 : 1;
    if (g_threads > 1) ensure_helper();
  }
  napi_value out;
  napi_create_int32(env, g_threads, &out);
  return out;
}

}  // namespace arginator
