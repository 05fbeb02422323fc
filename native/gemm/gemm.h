// Single-precision GEMM of the training and prediction paths (BLIS-style packing, 6x16 micro-kernel,
// one optional helper thread); the N-API glue is gemm-napi.cc.
#pragma once

namespace arginator {

constexpr int MR = 6;
constexpr int NR = 16;
constexpr int KC = 256;
constexpr int MC = 96;    // multiple of MR; MC*KC*4 = 96 KiB of packed A in L2
constexpr int NC = 1024;  // multiple of NR

// Packs a kc x nc block of op(B) (element (p, j) at b[p*rs + j*cs]) into NR-wide panels, kc x NR each.
void pack_b(int kc, int nc, const float* b, long rs, long cs, float* out);

// C = alpha * op(A) op(B) + beta * C (row-major, C is m x n); threads 1 or 2.
void sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, const float* b,
           float beta, float* c, int threads);

// C = alpha * A * op(B) + beta * C with op(B) packed by PackB (A not transposed, m x k).
void sgemm_packed(int m, int n, int k, float alpha, const float* a, const float* packed, float beta,
                  float* c, int threads);

// Picks the AVX2+FMA micro-kernel when detect_isa() found them (call once, after detect_isa).
void choose_micro_kernel();

// Starts the helper thread if it is not running yet (products with threads > 1 use it).
void ensure_helper();

// Threads for gemm calls that do not pass threads (setThreads; reported by info()).
extern int g_threads;

}  // namespace arginator
