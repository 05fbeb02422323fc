// SGEMM, BLIS-style: pack op(B) into 16-wide column panels and op(A) into 6-high row panels, then a
// 6x16 register-blocked micro-kernel. The AVX2+FMA micro-kernel is compiled with a function-level
// target attribute and chosen at load time, so the addon still runs (scalar path) on older CPUs.
// Large products are split over a second thread because the machine class has 2 cores and
// PyTorch, the reference, uses both.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>

#include "../common/isa.h"
#include "helper-thread.h"

namespace arginator {

namespace {

using MicroKernel = void (*)(int kc, const float* a, const float* b, float alpha, float* c,
                             int ldc, int mr, int nr);

// ---------------------------------------------------------------------------------------------
// Micro-kernels: c[mr x nr] += alpha * (packed a panel, kc x MR) x (packed b panel, kc x NR).

void micro_generic(int kc, const float* a, const float* b, float alpha, float* c, int ldc,
                   int mr, int nr) {
  float acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int j = 0; j < NR; j++) acc[r][j] = 0.f;
  for (int p = 0; p < kc; p++) {
    const float* bp = b + p * NR;
    const float* ap = a + p * MR;
    for (int r = 0; r < MR; r++) {
      const float av = ap[r];
      for (int j = 0; j < NR; j++) acc[r][j] += av * bp[j];
    }
  }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] += alpha * acc[r][j];
}

#ifdef ARG_X86
__attribute__((target("avx2,fma"))) void micro_avx2(int kc, const float* a, const float* b,
                                                    float alpha, float* c, int ldc, int mr,
                                                    int nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    a += MR;
    b += NR;
  }
  const __m256 al = _mm256_set1_ps(alpha);
  if (mr == MR && nr == NR) {
    float* cr = c;
#define ARG_STORE_ROW(x0, x1)                                                     \
  _mm256_storeu_ps(cr, _mm256_fmadd_ps(al, x0, _mm256_loadu_ps(cr)));             \
  _mm256_storeu_ps(cr + 8, _mm256_fmadd_ps(al, x1, _mm256_loadu_ps(cr + 8)));     \
  cr += ldc;
    ARG_STORE_ROW(c00, c01)
    ARG_STORE_ROW(c10, c11)
    ARG_STORE_ROW(c20, c21)
    ARG_STORE_ROW(c30, c31)
    ARG_STORE_ROW(c40, c41)
    ARG_STORE_ROW(c50, c51)
#undef ARG_STORE_ROW
    return;
  }
  alignas(32) float t[MR * NR];
  _mm256_store_ps(t + 0 * NR, c00);
  _mm256_store_ps(t + 0 * NR + 8, c01);
  _mm256_store_ps(t + 1 * NR, c10);
  _mm256_store_ps(t + 1 * NR + 8, c11);
  _mm256_store_ps(t + 2 * NR, c20);
  _mm256_store_ps(t + 2 * NR + 8, c21);
  _mm256_store_ps(t + 3 * NR, c30);
  _mm256_store_ps(t + 3 * NR + 8, c31);
  _mm256_store_ps(t + 4 * NR, c40);
  _mm256_store_ps(t + 4 * NR + 8, c41);
  _mm256_store_ps(t + 5 * NR, c50);
  _mm256_store_ps(t + 5 * NR + 8, c51);
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] += alpha * t[r * NR + j];
}
#endif

MicroKernel g_micro = micro_generic;

}  // namespace

void choose_micro_kernel() {
#ifdef ARG_X86
  if (isa_is_avx2()) g_micro = micro_avx2;
#endif
}

// ---------------------------------------------------------------------------------------------
// Packing. A element (i, p) of op(A) is at a[i*rsA + p*csA]; B element (p, j) of op(B) at
// b[p*rsB + j*csB]. Packing normalises all four transpose cases into one layout.

namespace {

void pack_a(int mc, int kc, const float* a, long rs, long cs, float* out) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    const int mr = std::min(MR, mc - i0);
    if (cs == 1 && mr == MR) {
      const float* r0 = a + (long)i0 * rs;
      for (int p = 0; p < kc; p++) {
        for (int r = 0; r < MR; r++) out[r] = r0[r * rs + p];
        out += MR;
      }
    } else {
      for (int p = 0; p < kc; p++) {
        for (int r = 0; r < mr; r++) out[r] = a[(long)(i0 + r) * rs + (long)p * cs];
        for (int r = mr; r < MR; r++) out[r] = 0.f;
        out += MR;
      }
    }
  }
}

}  // namespace

void pack_b(int kc, int nc, const float* b, long rs, long cs, float* out) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int nr = std::min(NR, nc - j0);
    if (cs == 1 && nr == NR) {
      for (int p = 0; p < kc; p++) {
        std::memcpy(out, b + (long)p * rs + j0, NR * sizeof(float));
        out += NR;
      }
    } else {
      for (int p = 0; p < kc; p++) {
        for (int j = 0; j < nr; j++) out[j] = b[(long)p * rs + (long)(j0 + j) * cs];
        for (int j = nr; j < NR; j++) out[j] = 0.f;
        out += NR;
      }
    }
  }
}

namespace {

float* aligned_floats(size_t n) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, n * sizeof(float) + 64) != 0) return nullptr;
  return static_cast<float*>(p);
}

// Per-thread packing buffers, kept between calls (training calls gemm thousands of times).
struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  PackBuffers() {
    a = aligned_floats((size_t)MC * KC);
    b = aligned_floats((size_t)KC * NC);
  }
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
};

PackBuffers& buffers() {
  thread_local PackBuffers buf;
  return buf;
}

// C[m x n] (row stride ldc) += alpha * op(A)[:, pc:pc+kc] * (a packed kc x nc block of op(B)): A is
// packed MC rows at a time and every MR x NR tile goes through the micro-kernel.
static void block_product(int m, int nc, int kc, int pc, float alpha, const float* a, long rsA, long csA,
                          const float* bblock, float* c, long ldc) {
  PackBuffers& buf = buffers();
  const MicroKernel micro = g_micro;
  for (int ic = 0; ic < m; ic += MC) {
    const int mc = std::min(MC, m - ic);
    pack_a(mc, kc, a + (long)ic * rsA + (long)pc * csA, rsA, csA, buf.a);
    for (int jr = 0; jr < nc; jr += NR) {
      const int nr = std::min(NR, nc - jr);
      const float* bp = bblock + (long)jr * kc;
      for (int ir = 0; ir < mc; ir += MR) {
        const int mr = std::min(MR, mc - ir);
        micro(kc, buf.a + (long)ir * kc, bp, alpha, c + (long)(ic + ir) * ldc + jr, (int)ldc, mr, nr);
      }
    }
  }
}

// C[m x n] (row stride ldc) += alpha * op(A) op(B); C already scaled by beta.
void gemm_acc(int m, int n, int k, float alpha, const float* a, long rsA, long csA,
              const float* b, long rsB, long csB, float* c, long ldc) {
  float* packed = buffers().b;
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      pack_b(kc, nc, b + (long)pc * rsB + (long)jc * csB, rsB, csB, packed);
      block_product(m, nc, kc, pc, alpha, a, rsA, csA, packed, c + jc, ldc);
    }
  }
}

// The same product with op(B) packed beforehand (PackB): for each KC block of k, all NR-wide panels
// of B's npad columns, kc x NR each. Columns [j0, j0 + n) of that packing (j0 a multiple of NR).
// Same blocking, micro-kernel and summation order as gemm_acc, so the same results bit for bit.
void gemm_acc_packed(int m, int n, int k, float alpha, const float* a, long rsA, long csA,
                     const float* packed, long npad, int j0, float* c, long ldc) {
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      block_product(m, nc, kc, pc, alpha, a, rsA, csA, packed + npad * pc + (long)(j0 + jc) * kc,
                    c + jc, ldc);
    }
  }
}

Helper* g_helper = nullptr;
// Worker threads share this addon instance; only one caller at a time may use the helper.
std::mutex g_helper_mu;
// Below this many multiply-adds the hand-off costs more than it saves.
constexpr double kParallelMacs = 2.0e6;

// C = alpha * (product) + beta * C for an m x n C: scales C, then runs acc(i0, rows, j0, cols), which
// adds rows [i0, i0 + rows) x columns [j0, j0 + cols) of the product, on one thread or split over the
// helper (the longer output dimension, so each thread packs half of one operand).
template <typename Acc>
static void scaled_product(int m, int n, int k, float alpha, float beta, float* c, int threads, Acc&& acc) {
  const long mn = (long)m * n;
  if (beta == 0.f) {
    std::memset(c, 0, mn * sizeof(float));
  } else if (beta != 1.f) {
    for (long i = 0; i < mn; i++) c[i] *= beta;
  }
  if (alpha == 0.f || k == 0 || mn == 0) return;
  std::unique_lock<std::mutex> helper_lock(g_helper_mu, std::defer_lock);
  if (threads > 1 && g_helper != nullptr && (double)m * n * k >= kParallelMacs &&
      helper_lock.try_lock()) {
    if (n >= m && n >= 2 * NR) {
      const int half = ((n / 2 + NR - 1) / NR) * NR;
      std::function<void()> left = [&] { acc(0, m, 0, half); };
      std::function<void()> right = [&] { acc(0, m, half, n - half); };
      g_helper->run_pair(left, right);
      return;
    }
    if (m >= 2 * MR) {
      const int half = ((m / 2 + MR - 1) / MR) * MR;
      std::function<void()> top = [&] { acc(0, half, 0, n); };
      std::function<void()> bottom = [&] { acc(half, m - half, 0, n); };
      g_helper->run_pair(top, bottom);
      return;
    }
  }
  acc(0, m, 0, n);
}

}  // namespace

int g_threads = 1;

void ensure_helper() {
  if (g_helper == nullptr) g_helper = new Helper();
}

void sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, const float* b,
           float beta, float* c, int threads) {
  const long rsA = ta ? 1 : k, csA = ta ? m : 1;
  const long rsB = tb ? 1 : n, csB = tb ? k : 1;
  scaled_product(m, n, k, alpha, beta, c, threads, [&](int i0, int rows, int j0, int cols) {
    gemm_acc(rows, cols, k, alpha, a + i0 * rsA, rsA, csA, b + j0 * csB, rsB, csB, c + (long)i0 * n + j0, n);
  });
}

// C = alpha * A * op(B) + beta * C with op(B) packed by PackB (A not transposed, m x k).
void sgemm_packed(int m, int n, int k, float alpha, const float* a, const float* packed, float beta,
                  float* c, int threads) {
  const long npad = ((long)n + NR - 1) / NR * NR;
  scaled_product(m, n, k, alpha, beta, c, threads, [&](int i0, int rows, int j0, int cols) {
    gemm_acc_packed(rows, cols, k, alpha, a + (long)i0 * k, k, 1, packed, npad, j0, c + (long)i0 * n + j0, n);
  });
}
}  // namespace arginator
