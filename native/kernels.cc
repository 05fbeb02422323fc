// Native training kernels for ARGinator (the Kernels interface of src/core/model/kernels.ts).
//
// Plain N-API (node_api.h), no node-addon-api. SGEMM is BLIS-style: pack op(B) into 16-wide
// column panels and op(A) into 6-high row panels, then a 6x16 register-blocked micro-kernel.
// The AVX2+FMA micro-kernel is compiled with a function-level target attribute and chosen at
// load time with __builtin_cpu_supports, so the addon still runs (scalar path) on older CPUs.
// Large products are split over a second thread because the machine class has 2 cores and
// PyTorch, the reference, uses both.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// native/embed/builtin-embedder.cc
void register_embed(napi_env env, napi_value exports);

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ARG_X86 1
#endif

namespace {

constexpr int MR = 6;
constexpr int NR = 16;
constexpr int KC = 256;
constexpr int MC = 96;    // multiple of MR; MC*KC*4 = 96 KiB of packed A in L2
constexpr int NC = 1024;  // multiple of NR

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
const char* g_isa = "generic";

void choose_isa() {
#ifdef ARG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_micro = micro_avx2;
    g_isa = "avx2";
  }
#endif
}

// ---------------------------------------------------------------------------------------------
// Packing. A element (i, p) of op(A) is at a[i*rsA + p*csA]; B element (p, j) of op(B) at
// b[p*rsB + j*csB]. Packing normalises all four transpose cases into one layout.

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

// ---------------------------------------------------------------------------------------------
// A single helper thread, woken per large gemm. Spawning a thread per call would cost more than
// the work at batch 32; a condition variable hand-off costs a few microseconds.

class Helper {
 public:
  Helper() : worker_([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  // Runs job on the helper while the caller runs its own half; returns when both are done.
  void run_pair(const std::function<void()>& mine, const std::function<void()>& theirs) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &theirs;
      done_ = false;
    }
    cv_.notify_all();
    mine();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || job_ != nullptr; });
      if (stop_) return;
      const std::function<void()>* job = job_;
      job_ = nullptr;
      lock.unlock();
      (*job)();
      lock.lock();
      done_ = true;
      done_cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void()>* job_ = nullptr;
  bool done_ = true;
  bool stop_ = false;
  std::thread worker_;
};

Helper* g_helper = nullptr;
int g_threads = 1;
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

// ---------------------------------------------------------------------------------------------
// Element-wise kernels: simple loops that GCC vectorises; target_clones adds an AVX2 copy.

#if defined(ARG_X86) && defined(__ELF__)
#define ARG_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ARG_CLONES
#endif

ARG_CLONES void add_bias(float* y, const float* bias, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    float* yr = y + (long)r * cols;
    for (int j = 0; j < cols; j++) yr[j] += bias[j];
  }
}

ARG_CLONES void relu_fwd(float* x, long n) {
  for (long i = 0; i < n; i++) x[i] = x[i] > 0.f ? x[i] : 0.f;
}

ARG_CLONES void relu_bwd(float* g, const float* act, long n) {
  for (long i = 0; i < n; i++) g[i] = act[i] > 0.f ? g[i] : 0.f;
}

// The same arithmetic as createRng (mulberry32) in src/core/rng.ts, so masks are bit-identical.
void dropout_mask(float* mask, long n, double rate, uint32_t seed) {
  const float keep = (float)(1.0 / (1.0 - rate));
  uint32_t a = seed;
  for (long i = 0; i < n; i++) {
    a += 0x6d2b79f5u;
    uint32_t t = a;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    const double u = (double)(t ^ (t >> 14)) / 4294967296.0;
    mask[i] = u < rate ? 0.f : keep;
  }
}

ARG_CLONES void mul(float* x, const float* m, long n) {
  for (long i = 0; i < n; i++) x[i] *= m[i];
}

ARG_CLONES void col_sums(const float* g, int rows, int cols, float* out, float beta) {
  for (int j = 0; j < cols; j++) out[j] = beta == 0.f ? 0.f : beta * out[j];
  for (int r = 0; r < rows; r++) {
    const float* gr = g + (long)r * cols;
    for (int j = 0; j < cols; j++) out[j] += gr[j];
  }
}

ARG_CLONES void adam(float* p, const float* g, float* m, float* v, float* vmax, long n, float lr,
                     float b1, float b2, float eps, float wd, bool decoupled, double step) {
  const float step_size = (float)(lr / (1.0 - std::pow((double)b1, step)));
  const float inv_sqrt_bc2 = (float)(1.0 / std::sqrt(1.0 - std::pow((double)b2, step)));
  const float l2 = decoupled ? 0.f : wd;
  const float shrink = decoupled ? 1.f - lr * wd : 1.f;
  const float ob1 = 1.f - b1, ob2 = 1.f - b2;
  if (vmax == nullptr) {
    for (long i = 0; i < n; i++) {
      const float gi = g[i] + l2 * p[i];
      const float mi = b1 * m[i] + ob1 * gi;
      const float vi = b2 * v[i] + ob2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * shrink - step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
    }
  } else {
    for (long i = 0; i < n; i++) {
      const float gi = g[i] + l2 * p[i];
      const float mi = b1 * m[i] + ob1 * gi;
      const float vi = b2 * v[i] + ob2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const float vv = std::max(vmax[i], vi);
      vmax[i] = vv;
      p[i] = p[i] * shrink - step_size * mi / (std::sqrt(vv) * inv_sqrt_bc2 + eps);
    }
  }
}

ARG_CLONES void sgd(float* p, const float* g, float* buf, long n, float lr, float momentum,
                    float dampening, bool nesterov, float wd, bool first) {
  for (long i = 0; i < n; i++) {
    float d = g[i] + wd * p[i];
    if (buf != nullptr) {
      const float b = first ? d : momentum * buf[i] + (1.f - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] -= lr * d;
  }
}

double softmax_ce(const float* logits, const int32_t* labels, int rows, int classes,
                  const float* w, float* proba, float* grad, bool* bad_label) {
  double loss = 0, wsum = 0;
  for (int r = 0; r < rows; r++) {
    const float* z = logits + (long)r * classes;
    float* pr = proba + (long)r * classes;
    double mx = -INFINITY;
    for (int j = 0; j < classes; j++) mx = std::max(mx, (double)z[j]);
    double sum = 0;
    for (int j = 0; j < classes; j++) {
      const double e = std::exp((double)z[j] - mx);
      pr[j] = (float)e;
      sum += e;
    }
    for (int j = 0; j < classes; j++) pr[j] = (float)((double)pr[j] / sum);
    const int y = labels[r];
    if (y < 0 || y >= classes) {
      *bad_label = true;
      return 0;
    }
    const double wy = w == nullptr ? 1.0 : (double)w[y];
    wsum += wy;
    loss += wy * (std::log(sum) - ((double)z[y] - mx));
  }
  const double norm = wsum > 0 ? 1.0 / wsum : 0.0;
  if (grad != nullptr) {
    for (int r = 0; r < rows; r++) {
      const int y = labels[r];
      const double wy = (w == nullptr ? 1.0 : (double)w[y]) * norm;
      for (int j = 0; j < classes; j++) {
        const long o = (long)r * classes + j;
        grad[o] = (float)(wy * ((double)proba[o] - (j == y ? 1.0 : 0.0)));
      }
    }
  }
  return loss * norm;
}

// ---------------------------------------------------------------------------------------------
// N-API glue. Sizes are validated here so a wrong call throws instead of corrupting memory.

struct Args {
  napi_env env;
  napi_value v[16];
  size_t n = 16;
  bool failed = false;

  void fail(const char* msg) {
    if (!failed) napi_throw_range_error(env, nullptr, msg);
    failed = true;
  }
  double num(size_t i) {
    double d = 0;
    if (failed) return 0;
    if (i >= n || napi_get_value_double(env, v[i], &d) != napi_ok) fail("expected a number");
    return d;
  }
  int integer(size_t i) {
    const double d = num(i);
    if (!failed && (d < 0 || d > 2147483647.0 || d != std::floor(d))) fail("expected a non-negative integer");
    return (int)d;
  }
  bool boolean(size_t i) {
    bool b = false;
    if (failed) return false;
    if (i >= n || napi_get_value_bool(env, v[i], &b) != napi_ok) fail("expected a boolean");
    return b;
  }
  bool is_undefined(size_t i) {
    if (i >= n) return true;
    napi_valuetype t;
    napi_typeof(env, v[i], &t);
    return t == napi_undefined || t == napi_null;
  }
  template <typename T>
  T* array(size_t i, napi_typedarray_type want, size_t need, const char* what) {
    if (failed) return nullptr;
    bool is = false;
    if (i >= n || napi_is_typedarray(env, v[i], &is) != napi_ok || !is) {
      fail(what);
      return nullptr;
    }
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_value ab;
    size_t offset = 0;
    napi_get_typedarray_info(env, v[i], &type, &length, &data, &ab, &offset);
    if (type != want || length < need) {
      fail(what);
      return nullptr;
    }
    return static_cast<T*>(data);
  }
  float* f32(size_t i, size_t need, const char* what) {
    return array<float>(i, napi_float32_array, need, what);
  }
};

Args get_args(napi_env env, napi_callback_info info) {
  Args a;
  a.env = env;
  napi_get_cb_info(env, info, &a.n, a.v, nullptr, nullptr);
  return a;
}

napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

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
  if (!a.failed && threads > 1 && g_helper == nullptr) g_helper = new Helper();
  if (!a.failed) sgemm(ta, tb, m, n, k, alpha, A, B, beta, C, threads);
  return undefined_value(env);
}

// packB(transB, n, k, B) -> Float32Array: op(B) (k x n) packed once for gemmPacked (a constant
// right-hand side used by many products, e.g. reference embeddings), 64-byte aligned.
napi_value PackB(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const bool tb = a.boolean(0);
  const int n = a.integer(1), k = a.integer(2);
  const float* B = a.f32(3, (size_t)k * n, "packB: B is too small or not a Float32Array");
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
  for (int pc = 0; pc < k; pc += KC) {
    pack_b(std::min(KC, k - pc), n, B + (long)pc * rsB, rsB, csB, out + npad * pc);
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
  if (threads > 1 && g_helper == nullptr) g_helper = new Helper();
  sgemm_packed(m, n, k, alpha, A, P, beta, C, threads);
  return undefined_value(env);
}

// addBias(y, bias, rows, cols)
napi_value AddBias(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int rows = a.integer(2), cols = a.integer(3);
  float* y = a.f32(0, (size_t)rows * cols, "addBias: y too small");
  const float* bias = a.f32(1, (size_t)cols, "addBias: bias too small");
  if (!a.failed) add_bias(y, bias, rows, cols);
  return undefined_value(env);
}

napi_value ReluForward(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(1);
  float* x = a.f32(0, (size_t)n, "reluForward: x too small");
  if (!a.failed) relu_fwd(x, n);
  return undefined_value(env);
}

napi_value ReluBackward(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(2);
  float* g = a.f32(0, (size_t)n, "reluBackward: grad too small");
  const float* act = a.f32(1, (size_t)n, "reluBackward: act too small");
  if (!a.failed) relu_bwd(g, act, n);
  return undefined_value(env);
}

// dropoutMask(mask, n, rate, seed)
napi_value DropoutMask(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(1);
  float* mask = a.f32(0, (size_t)n, "dropoutMask: mask too small");
  const double rate = a.num(2);
  const double seed = a.num(3);
  if (!a.failed && !(rate >= 0 && rate < 1)) a.fail("dropoutMask: rate must be in [0, 1)");
  if (!a.failed) dropout_mask(mask, n, rate, (uint32_t)(int64_t)seed);
  return undefined_value(env);
}

napi_value Multiply(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(2);
  float* x = a.f32(0, (size_t)n, "multiply: x too small");
  const float* m = a.f32(1, (size_t)n, "multiply: mask too small");
  if (!a.failed) mul(x, m, n);
  return undefined_value(env);
}

// columnSums(g, rows, cols, out, beta)
napi_value ColumnSums(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int rows = a.integer(1), cols = a.integer(2);
  const float* g = a.f32(0, (size_t)rows * cols, "columnSums: g too small");
  float* out = a.f32(3, (size_t)cols, "columnSums: out too small");
  const float beta = (float)a.num(4);
  if (!a.failed) col_sums(g, rows, cols, out, beta);
  return undefined_value(env);
}

// softmaxCrossEntropy(logits, labels, rows, classes, classWeights|undefined, proba, grad|undefined)
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int rows = a.integer(2), classes = a.integer(3);
  const size_t rc = (size_t)rows * classes;
  const float* logits = a.f32(0, rc, "softmaxCrossEntropy: logits too small");
  const int32_t* labels =
      a.array<int32_t>(1, napi_int32_array, (size_t)rows, "softmaxCrossEntropy: labels must be an Int32Array of rows");
  const float* w = a.is_undefined(4) ? nullptr : a.f32(4, (size_t)classes, "softmaxCrossEntropy: classWeights too small");
  float* proba = a.f32(5, rc, "softmaxCrossEntropy: proba too small");
  float* grad = a.is_undefined(6) ? nullptr : a.f32(6, rc, "softmaxCrossEntropy: grad too small");
  double loss = 0;
  if (!a.failed) {
    bool bad = false;
    loss = softmax_ce(logits, labels, rows, classes, w, proba, grad, &bad);
    if (bad) a.fail("softmaxCrossEntropy: a label is outside 0..classes-1");
  }
  napi_value out;
  napi_create_double(env, loss, &out);
  return out;
}

// adamUpdate(params, grads, m, v, vMax|undefined, n, lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled, step)
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(5);
  float* p = a.f32(0, n, "adamUpdate: params too small");
  const float* g = a.f32(1, n, "adamUpdate: grads too small");
  float* m = a.f32(2, n, "adamUpdate: m too small");
  float* v = a.f32(3, n, "adamUpdate: v too small");
  const bool amsgrad = a.boolean(11);
  float* vmax = amsgrad ? a.f32(4, n, "adamUpdate: amsgrad needs vMax") : nullptr;
  const float lr = (float)a.num(6), b1 = (float)a.num(7), b2 = (float)a.num(8), eps = (float)a.num(9),
              wd = (float)a.num(10);
  const bool decoupled = a.boolean(12);
  const double step = a.num(13);
  if (!a.failed && step < 1) a.fail("adamUpdate: step is 1-based");
  if (!a.failed) adam(p, g, m, v, vmax, n, lr, b1, b2, eps, wd, decoupled, step);
  return undefined_value(env);
}

// sgdUpdate(params, grads, buf|undefined, n, lr, momentum, dampening, nesterov, weightDecay, firstStep)
napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int n = a.integer(3);
  float* p = a.f32(0, n, "sgdUpdate: params too small");
  const float* g = a.f32(1, n, "sgdUpdate: grads too small");
  const float momentum = (float)a.num(5);
  float* buf = nullptr;
  if (momentum != 0.f) buf = a.f32(2, n, "sgdUpdate: momentum needs a buffer");
  const float lr = (float)a.num(4), damp = (float)a.num(6), wd = (float)a.num(8);
  const bool nesterov = a.boolean(7), first = a.boolean(9);
  if (!a.failed) sgd(p, g, buf, n, lr, momentum, damp, nesterov, wd, first);
  return undefined_value(env);
}

// setThreads(n): the default for gemm calls that do not pass threads; 1 or 2 (more cores would
// need more helpers; the target machine has 2).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int t = a.integer(0);
  if (!a.failed) {
    g_threads = t >= 2 ? 2 : 1;
    if (g_threads > 1 && g_helper == nullptr) g_helper = new Helper();
  }
  napi_value out;
  napi_create_int32(env, g_threads, &out);
  return out;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, g_isa, NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, g_threads, &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}


// ---------- Smith-Waterman (Gotoh affine gaps) over residue codes, for homology evidence ----------
// Same recurrences as src/core/sequence/align.ts: a gap of length k costs open + k * extend.

struct SwWork {
  std::vector<int32_t> prof, h, e;
  std::vector<uint8_t> trace;
};

// Fills w.prof[r * (m + 1) + i] = mat[q[i-1]][r].
static void sw_profile(const uint8_t* q, int m, const int8_t* mat, int size, SwWork& w) {
  w.prof.assign((size_t)size * (m + 1), 0);
  for (int r = 0; r < size; r++)
    for (int i = 1; i <= m; i++) w.prof[(size_t)r * (m + 1) + i] = mat[(size_t)q[i - 1] * size + r];
}

// Best local score; with `out`, also traces back: out = score, identities, length, qs, qe, ts, te.
static int32_t sw_run(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size,
                      int open, int ext, SwWork& w, int32_t* out) {
  const int32_t oc = open + ext, NEG = -(1 << 29);
  sw_profile(q, m, mat, size, w);
  w.h.assign(m + 1, 0);
  w.e.assign(m + 1, NEG);
  const bool tb = out != nullptr;
  // trace bits per cell: 0-1 H source (0 stop, 1 diag, 2 E, 3 F), 4 E extends, 8 F extends.
  if (tb) w.trace.assign((size_t)(m + 1) * (n + 1), 0);
  int32_t best = 0;
  int bi = 0, bj = 0;
  int32_t* H = w.h.data();
  int32_t* E = w.e.data();
  for (int j = 1; j <= n; j++) {
    const int32_t* pr = w.prof.data() + (size_t)t[j - 1] * (m + 1);
    int32_t diag = 0, hup = 0, f = NEG;
    uint8_t* tr = tb ? w.trace.data() + (size_t)j * (m + 1) : nullptr;
    for (int i = 1; i <= m; i++) {
      const int32_t eo = H[i] - oc, ee = E[i] - ext;
      const int32_t e = eo > ee ? eo : ee;
      const int32_t fo = hup - oc, fe = f - ext;
      f = fo > fe ? fo : fe;
      int32_t h = diag + pr[i];
      uint8_t src = 1;
      if (e > h) { h = e; src = 2; }
      if (f > h) { h = f; src = 3; }
      if (h <= 0) { h = 0; src = 0; }
      if (tb) tr[i] = (uint8_t)(src | (ee > eo ? 4 : 0) | (fe > fo ? 8 : 0));
      diag = H[i];
      H[i] = h;
      E[i] = e;
      hup = h;
      if (h > best) { best = h; bi = i; bj = j; }
    }
  }
  if (tb) {
    int i = bi, j = bj, ident = 0, len = 0, state = 0;  // 0 = H, 1 = E (gap in query), 2 = F (gap in target)
    while (i > 0 && j > 0) {
      const uint8_t c = w.trace[(size_t)j * (m + 1) + i];
      if (state == 0) {
        const int src = c & 3;
        if (src == 0) break;
        if (src == 1) {
          if (q[i - 1] == t[j - 1]) ident++;
          len++; i--; j--;
          continue;
        }
        state = src == 2 ? 1 : 2;
      }
      if (state == 1) {  // consumed target residue j against a gap
        const bool extend = (c & 4) != 0;
        len++; j--;
        if (!extend) state = 0;
      } else {
        const bool extend = (c & 8) != 0;
        len++; i--;
        if (!extend) state = 0;
      }
    }
    out[0] = best; out[1] = ident; out[2] = len; out[3] = i; out[4] = bi; out[5] = j; out[6] = bj;
  }
  return best;
}


#ifdef ARG_X86
// Striped Smith-Waterman score (Farrar 2007) with 16 int16 lanes (AVX2). Exact for these gap costs:
// the lazy-F pass never needs to update E because a vertical gap followed at once by a horizontal
// one is never optimal when opening a gap costs more than the worst substitution (11 + 1 > 4).
static inline __attribute__((target("avx2"))) __m256i shift_in(__m256i v, int16_t first) {
  const __m256i t = _mm256_permute2x128_si256(v, v, 0x08);
  return _mm256_insert_epi16(_mm256_alignr_epi8(v, t, 14), first, 0);
}

struct StripedWork {
  // int16 buffers accessed with unaligned loads/stores: std::vector does not promise 32-byte alignment.
  std::vector<int16_t> prof, hA, hB, e;
  int lanes = 0, seg = 0, m = 0;
  int32_t query = -1;  // the query whose profile `prof` holds (pairs come grouped by query)
};

// The striped query profile (Farrar): for residue r, segment s, lane l the score of query position
// s + l * seg against r (0 past the end).
static void striped_profile(const uint8_t* q, int m, const int8_t* mat, int size, int lanes, StripedWork& w) {
  const int seg = (m + lanes - 1) / lanes;
  w.lanes = lanes;
  w.seg = seg;
  w.m = m;
  w.prof.assign((size_t)size * seg * lanes, 0);
  for (int r = 0; r < size; r++) {
    for (int s = 0; s < seg; s++) {
      int16_t* row = w.prof.data() + ((size_t)r * seg + s) * lanes;
      for (int l = 0; l < lanes; l++) {
        const int i = s + l * seg;
        row[l] = i < m ? mat[(size_t)q[i] * size + r] : 0;
      }
    }
  }
}

static inline __attribute__((target("avx2"))) __m256i ld(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
static inline __attribute__((target("avx2"))) void st(int16_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// Score of the profiled query (striped_profile with 16 lanes) against t.
__attribute__((target("avx2"))) static int32_t sw_striped(const uint8_t* t, int n, int open, int ext,
                                                           StripedWork& w) {
  if (w.m == 0 || n == 0) return 0;
  const int seg = w.seg;
  const int16_t NEG16 = -30000;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vOpen = _mm256_set1_epi16((int16_t)(open + ext));
  const __m256i vExt = _mm256_set1_epi16((int16_t)ext);
  w.hA.assign((size_t)seg * 16, 0);
  w.hB.assign((size_t)seg * 16, 0);
  w.e.assign((size_t)seg * 16, NEG16);
  __m256i vMax = zero;
  int16_t* hLoad = w.hA.data();
  int16_t* hStore = w.hB.data();
  int16_t* E = w.e.data();
  for (int j = 0; j < n; j++) {
    const int16_t* P = w.prof.data() + (size_t)t[j] * seg * 16;
    __m256i vF = _mm256_set1_epi16(NEG16);
    __m256i vH = shift_in(ld(hStore + (size_t)(seg - 1) * 16), 0);
    std::swap(hLoad, hStore);
    for (int s = 0; s < seg; s++) {
      vH = _mm256_adds_epi16(vH, ld(P + (size_t)s * 16));
      __m256i e = ld(E + (size_t)s * 16);
      vH = _mm256_max_epi16(vH, e);
      vH = _mm256_max_epi16(vH, vF);
      vH = _mm256_max_epi16(vH, zero);
      vMax = _mm256_max_epi16(vMax, vH);
      st(hStore + (size_t)s * 16, vH);
      const __m256i gap = _mm256_subs_epi16(vH, vOpen);
      e = _mm256_max_epi16(_mm256_subs_epi16(e, vExt), gap);
      st(E + (size_t)s * 16, e);
      vF = _mm256_max_epi16(_mm256_subs_epi16(vF, vExt), gap);
      vH = ld(hLoad + (size_t)s * 16);
    }
    // Lazy F: carry vertical gaps across segment boundaries until they no longer matter.
    vF = shift_in(vF, NEG16);
    for (int k = 0; k < 16; k++) {
      bool done = false;
      for (int s = 0; s < seg; s++) {
        __m256i h = _mm256_max_epi16(ld(hStore + (size_t)s * 16), vF);
        st(hStore + (size_t)s * 16, h);
        vMax = _mm256_max_epi16(vMax, h);
        h = _mm256_subs_epi16(h, vOpen);
        vF = _mm256_subs_epi16(vF, vExt);
        if (_mm256_movemask_epi8(_mm256_cmpgt_epi16(vF, h)) == 0) {
          done = true;
          break;
        }
      }
      if (done) break;
      vF = shift_in(vF, NEG16);
    }
  }
  alignas(32) int16_t lanes[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), vMax);
  int32_t best = 0;
  for (int l = 0; l < 16; l++) best = std::max<int32_t>(best, lanes[l]);
  return best;
}

// Inter-sequence score kernel (Rognes' SWIPE idea): one query against up to 16 targets at once, one
// target per int16 lane, so the column recurrence needs no lazy-F pass (homologs, whose gaps make
// the striped kernel's lazy-F loop run long, cost the same as unrelated pairs). Targets shorter than
// the longest are padded with residue code 31, which scores -128 against everything: a path through
// padding scores less than where it entered it (padding only follows a target's last residue), so
// each lane's maximum is its target's exact score.



struct SwipeTables {
  // Per query residue a: the scores of a against residue codes 0-15 and 16-31 (bytes, -128 past
  // the matrix), for pshufb lookups of a whole column at once.
  alignas(16) int8_t lo[32][16];
  alignas(16) int8_t hi[32][16];
};

static void swipe_tables(const int8_t* mat, int size, SwipeTables& tab) {
  for (int a = 0; a < 32; a++) {
    for (int r = 0; r < 32; r++) {
      const int8_t v = a < size && r < size ? mat[(size_t)a * size + r] : (int8_t)-128;
      (r < 16 ? tab.lo[a][r] : tab.hi[a][r - 16]) = v;
    }
  }
}

struct SwipeWork {
  std::vector<int16_t> h, e, colProf;
  std::vector<int> order, lane_of, load;
  std::vector<std::vector<int>> queue;
};

// One column's scores for the inter-sequence kernel: pr[a * 16 + l] = score of query residue a
// against lane l's residue col[l].
__attribute__((target("avx2"))) static void column_profile(const uint8_t* col, const SwipeTables& tab,
                                                          int size, int16_t* pr) {
  const __m128i fifteen = _mm_set1_epi8(15);
  const __m128i idx = _mm_load_si128(reinterpret_cast<const __m128i*>(col));
  const __m128i useHi = _mm_cmpgt_epi8(idx, fifteen);
  for (int a = 0; a < size; a++) {
    const __m128i lo = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.lo[a])), idx);
    const __m128i hi = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(tab.hi[a])), idx);
    st(pr + (size_t)a * 16, _mm256_cvtepi8_epi16(_mm_blendv_epi8(lo, hi, useHi)));
  }
}

// C consecutive columns of the inter-sequence kernel in one pass over the query rows: H and E are
// read and written once for all C, and the C vertical-gap chains (vF) run side by side. Column c's
// diagonal is column c-1's cell one row up. Every cell sees the same operations in the same order
// as with one column per pass, so the scores are the same. prof holds C column profiles, `stride`
// apart.
template <int C>
__attribute__((target("avx2"))) static inline void swipe_columns(const uint8_t* q, int m, const int16_t* prof,
                                                                size_t stride, int16_t* H, int16_t* E,
                                                                __m256i vOpen, __m256i vExt, __m256i vNeg,
                                                                __m256i& vMax) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i vF[C], vDiag[C];
  for (int c = 0; c < C; c++) {
    vF[c] = vNeg;
    vDiag[c] = zero;
  }
  __m256i best = vMax;
  for (int i = 0; i < m; i++) {
    const size_t r = (size_t)q[i] * 16;
    __m256i e = ld(E + (size_t)i * 16);
    __m256i left = ld(H + (size_t)i * 16);
#pragma GCC unroll 2
    for (int c = 0; c < C; c++) {
      __m256i h = _mm256_adds_epi16(vDiag[c], ld(prof + c * stride + r));
      vDiag[c] = left;
      // vF last: the loop-carried chain is max, subs, max (3 cycles per row and column).
      h = _mm256_max_epi16(_mm256_max_epi16(h, e), zero);
      h = _mm256_max_epi16(h, vF[c]);
      best = _mm256_max_epi16(best, h);
      const __m256i gap = _mm256_subs_epi16(h, vOpen);
      e = _mm256_max_epi16(_mm256_subs_epi16(e, vExt), gap);
      vF[c] = _mm256_max_epi16(_mm256_subs_epi16(vF[c], vExt), gap);
      left = h;
    }
    st(H + (size_t)i * 16, left);
    st(E + (size_t)i * 16, e);
  }
  vMax = best;
}

// Scores of query q against `count` targets. Targets are dealt to the 16 lanes longest first, each
// to the least loaded lane, and a lane starts its next target as soon as one ends (its column of
// H and E is reset, its maximum recorded), so lanes idle only at the very end instead of padding
// every short target to the longest of its group.
__attribute__((target("avx2"))) static void sw_swipe16(const uint8_t* q, int m, const uint8_t* const* t,
                                                      const int* n, int count, const SwipeTables& tab,
                                                      int size, int open, int ext, SwipeWork& w,
                                                      int32_t* out) {
  for (int k = 0; k < count; k++) out[k] = 0;
  if (m == 0 || count == 0) return;
  // Deal the targets.
  w.order.resize(count);
  for (int k = 0; k < count; k++) w.order[k] = k;
  std::sort(w.order.begin(), w.order.end(), [&](int x, int y) { return n[x] != n[y] ? n[x] > n[y] : x < y; });
  w.load.assign(16, 0);
  w.queue.resize(16);
  for (auto& lane : w.queue) lane.clear();
  for (const int k : w.order) {
    if (n[k] == 0) continue;
    int best = 0;
    for (int l = 1; l < 16; l++) if (w.load[l] < w.load[best]) best = l;
    w.queue[best].push_back(k);
    w.load[best] += n[k];
  }
  int columns = 0;
  for (int l = 0; l < 16; l++) columns = std::max(columns, w.load[l]);
  const int16_t NEG16 = -30000;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vOpen = _mm256_set1_epi16((int16_t)(open + ext));
  const __m256i vExt = _mm256_set1_epi16((int16_t)ext);
  const __m256i vNeg = _mm256_set1_epi16(NEG16);
  w.h.assign((size_t)m * 16, 0);
  w.e.assign((size_t)m * 16, NEG16);
  w.colProf.assign((size_t)2 * size * 16, 0);
  int16_t* H = w.h.data();
  int16_t* E = w.e.data();
  int16_t* prof = w.colProf.data();
  __m256i vMax = zero;
  // Per lane: index in its queue, position in its current target.
  int slot[16] = {0}, pos[16] = {0};
  alignas(16) uint8_t column[16];
  alignas(32) int16_t keep[16], lanesMax[16];
  // Whether every lane's current target goes on after the last column read (a lane past its last
  // target reads padding and never switches).
  auto goes_on = [&]() {
    for (int l = 0; l < 16; l++) {
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) return false;
    }
    return true;
  };
  for (int j = 0; j < columns;) {
    bool switched = false;
    for (int l = 0; l < 16; l++) {
      keep[l] = -1;
      const std::vector<int>& lane = w.queue[l];
      if (slot[l] < (int)lane.size() && pos[l] == n[lane[slot[l]]]) {
        // Lane l's target ended in the previous column: record it, start the next one.
        if (!switched) _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
        switched = true;
        out[lane[slot[l]]] = lanesMax[l];
        slot[l]++;
        pos[l] = 0;
        keep[l] = 0;
      }
      column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
    }
    if (switched) {
      // A new target starts with an empty column of H (0) and no open horizontal gap (E = NEG).
      const __m256i vKeep = _mm256_load_si256(reinterpret_cast<const __m256i*>(keep));
      vMax = _mm256_and_si256(vMax, vKeep);
      for (int i = 0; i < m; i++) {
        st(H + (size_t)i * 16, _mm256_and_si256(ld(H + (size_t)i * 16), vKeep));
        st(E + (size_t)i * 16, _mm256_blendv_epi8(vNeg, ld(E + (size_t)i * 16), vKeep));
      }
    }
    column_profile(column, tab, size, prof);
    // Two columns in this pass unless a lane's target ends after the first (a lane switching targets
    // needs its column of H and E reset in between). Three or four columns per pass were tried and
    // were no faster than two (ADR 0011).
    int take = 1;
    if (j + 1 < columns && goes_on()) {
      for (int l = 0; l < 16; l++) {
        const std::vector<int>& lane = w.queue[l];
        column[l] = slot[l] < (int)lane.size() ? t[lane[slot[l]]][pos[l]++] : 31;
      }
      column_profile(column, tab, size, prof + (size_t)size * 16);
      take = 2;
    }
    const size_t stride = (size_t)size * 16;
    if (take == 2) {
      swipe_columns<2>(q, m, prof, stride, H, E, vOpen, vExt, vNeg, vMax);
    } else {
      swipe_columns<1>(q, m, prof, stride, H, E, vOpen, vExt, vNeg, vMax);
    }
    j += take;
  }
  // The targets still running in the last column.
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanesMax), vMax);
  for (int l = 0; l < 16; l++) {
    if (slot[l] < (int)w.queue[l].size()) out[w.queue[l][slot[l]]] = lanesMax[l];
  }
}
#endif


// The most common diagonal (target position - query position) of shared 3-mers, or INT32_MIN if none.
// Residue codes >= 20 (B, Z, X, *) break words.
static int32_t main_diagonal(const uint8_t* q, int m, const uint8_t* t, int n, std::vector<int32_t>& head,
                             std::vector<int32_t>& next, std::vector<int32_t>& votes) {
  const int WORDS = 20 * 20 * 20;
  head.assign(WORDS, -1);
  next.assign(n > 0 ? n : 1, -1);
  for (int j = 0; j + 2 < n; j++) {
    if (t[j] >= 20 || t[j + 1] >= 20 || t[j + 2] >= 20) continue;
    const int c = (t[j] * 20 + t[j + 1]) * 20 + t[j + 2];
    next[j] = head[c];
    head[c] = j;
  }
  votes.assign((size_t)m + n + 1, 0);
  int32_t best = 0, bestDiag = INT32_MIN;
  for (int i = 0; i + 2 < m; i++) {
    if (q[i] >= 20 || q[i + 1] >= 20 || q[i + 2] >= 20) continue;
    const int c = (q[i] * 20 + q[i + 1]) * 20 + q[i + 2];
    for (int j = head[c]; j >= 0; j = next[j]) {
      const int32_t v = ++votes[(size_t)(j - i + m)];
      if (v > best) { best = v; bestDiag = j - i; }
    }
  }
  return bestDiag;
}

// Local alignment restricted to diagonals dLo <= j - i <= dHi (1-based cells), with traceback in the
// band only. Same recurrences and tie-breaking as sw_run. Returns the band's best score; fills out.
static int32_t sw_banded(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size,
                         int open, int ext, int dLo, int dHi, SwWork& w, int32_t* out) {
  const int32_t oc = open + ext, NEG = -(1 << 29);
  const int W = dHi - dLo + 1;
  sw_profile(q, m, mat, size, w);
  w.h.assign(m + 1, 0);
  w.e.assign(m + 1, NEG);
  w.trace.assign((size_t)(n + 1) * W, 0);
  int32_t* H = w.h.data();
  int32_t* E = w.e.data();
  int32_t best = 0;
  int bi = 0, bj = 0;
  for (int j = 1; j <= n; j++) {
    const int iLo = std::max(1, j - dHi), iHi = std::min(m, j - dLo);
    if (iLo > iHi) continue;
    const int32_t* pr = w.prof.data() + (size_t)t[j - 1] * (m + 1);
    int32_t diag = iLo - 1 >= 1 ? H[iLo - 1] : 0, hup = NEG, f = NEG;
    // A row entering the band at the bottom was never computed: H = 0 (an empty local path), E = NEG.
    uint8_t* tr = w.trace.data() + (size_t)j * W;
    for (int i = iLo; i <= iHi; i++) {
      const int32_t eo = H[i] - oc, ee = E[i] - ext;
      const int32_t e = eo > ee ? eo : ee;
      const int32_t fo = hup - oc, fe = f - ext;
      f = fo > fe ? fo : fe;
      int32_t h = diag + pr[i];
      uint8_t src = 1;
      if (e > h) { h = e; src = 2; }
      if (f > h) { h = f; src = 3; }
      if (h <= 0) { h = 0; src = 0; }
      tr[i - (j - dHi)] = (uint8_t)(src | (ee > eo ? 4 : 0) | (fe > fo ? 8 : 0));
      diag = H[i];
      H[i] = h;
      E[i] = e;
      hup = h;
      if (h > best) { best = h; bi = i; bj = j; }
    }
  }
  int i = bi, j = bj, ident = 0, len = 0, state = 0;
  while (i > 0 && j > 0) {
    const int off = i - (j - dHi);
    if (off < 0 || off >= W) break;  // cannot happen for in-band paths; stops a runaway traceback
    const uint8_t c = w.trace[(size_t)j * W + off];
    if (state == 0) {
      const int src = c & 3;
      if (src == 0) break;
      if (src == 1) {
        if (q[i - 1] == t[j - 1]) ident++;
        len++; i--; j--;
        continue;
      }
      state = src == 2 ? 1 : 2;
    }
    if (state == 1) {
      const bool extend = (c & 4) != 0;
      len++; j--;
      if (!extend) state = 0;
    } else {
      const bool extend = (c & 8) != 0;
      len++; i--;
      if (!extend) state = 0;
    }
  }
  out[0] = best; out[1] = ident; out[2] = len; out[3] = i; out[4] = bi; out[5] = j; out[6] = bj;
  return best;
}

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
  for (size_t p = 0; ok && p < np; p++) {
    const int32_t qi = pairs[2 * p], ti = pairs[2 * p + 1];
    if (qi < 0 || ti < 0 || (size_t)qi + 1 >= nqo || (size_t)ti + 1 >= nto) { ok = false; break; }
    if (qo[qi] < 0 || qo[qi] > qo[qi + 1] || (size_t)qo[qi + 1] > nqc) ok = false;
    if (to[ti] < 0 || to[ti] > to[ti + 1] || (size_t)to[ti + 1] > ntc) ok = false;
  }
  for (size_t i = 0; ok && i < nqc; i++) if (qc[i] >= size) ok = false;
  for (size_t i = 0; ok && i < ntc; i++) if (tc[i] >= size) ok = false;
  if (!ok) { a.fail("swBatch: inconsistent offsets, pairs, codes or output size"); return undefined_value(env); }
  // int16 lanes: fall back to the int32 scalar pass when a score could overflow (very long proteins).
#ifdef ARG_X86
  const bool striped = std::strcmp(g_isa, "avx2") == 0 && simd != 1;
  const bool swipe = striped && simd == 0 && !align && size <= 31;
#endif
  auto run = [&](size_t from, size_t to_) {
    SwWork w;
    std::vector<int32_t> head, next, votes;
#ifdef ARG_X86
    StripedWork sw;
#endif
#ifdef ARG_X86
    SwipeWork sww;
    SwipeTables tables;
    if (swipe) swipe_tables(mat, size, tables);
    std::vector<size_t> run_pairs;
    std::vector<const uint8_t*> group;
    std::vector<int> groupLength;
    std::vector<int32_t> groupScore;
#endif
    for (size_t p = from; p < to_; p++) {
      const int32_t qi = pairs[2 * p], ti = pairs[2 * p + 1];
#ifdef ARG_X86
      if (swipe) {
        // This query's consecutive pairs (pairs come grouped by query) in one call. Pairs that could
        // overflow int16 are left to the scalar kernel.
        const int m = qo[qi + 1] - qo[qi];
        size_t r = p;
        run_pairs.clear();
        for (; r < to_ && pairs[2 * r] == qi; r++) {
          const int32_t tr = pairs[2 * r + 1];
          const int n = to[tr + 1] - to[tr];
          if ((int64_t)std::min(m, n) * 11 < 30000) run_pairs.push_back(r);
          else out[r] = sw_run(qc + qo[qi], m, tc + to[tr], n, mat, size, open, ext, w, nullptr);
        }
        group.resize(run_pairs.size());
        groupLength.resize(run_pairs.size());
        groupScore.resize(run_pairs.size());
        for (size_t k = 0; k < run_pairs.size(); k++) {
          const int32_t tr = pairs[2 * run_pairs[k] + 1];
          group[k] = tc + to[tr];
          groupLength[k] = to[tr + 1] - to[tr];
        }
        sw_swipe16(qc + qo[qi], m, group.data(), groupLength.data(), (int)run_pairs.size(), tables, size,
                   open, ext, sww, groupScore.data());
        for (size_t k = 0; k < run_pairs.size(); k++) out[run_pairs[k]] = groupScore[k];
        p = r - 1;
        continue;
      }
#endif
      const uint8_t* q = qc + qo[qi];
      const uint8_t* t = tc + to[ti];
      const int m = qo[qi + 1] - qo[qi], n = to[ti + 1] - to[ti];
#ifdef ARG_X86
      // Striped int16 score (exact while no score can reach int16 range), the profile reused while
      // consecutive pairs share the query.
      const bool fits = striped && (int64_t)std::min(m, n) * 11 < 30000;
      auto striped_score = [&]() {
        if (sw.query != qi) {
          striped_profile(q, m, mat, size, 16, sw);
          sw.query = qi;
        }
        return sw_striped(t, n, open, ext, sw);
      };
#endif
      if (align) {
        // Banded traceback around the main diagonal of shared 3-mers; kept only when it reaches the
        // full optimal score (then it is an optimal alignment), else the full-matrix traceback.
        const int32_t d = m >= 3 && n >= 3 ? main_diagonal(q, m, t, n, head, next, votes) : INT32_MIN;
        bool done = false;
        if (d != INT32_MIN) {
#ifdef ARG_X86
          const int32_t full = known != nullptr && known[p] >= 0 ? known[p]
                               : fits ? striped_score()
                                      : sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
#else
          const int32_t full = known != nullptr && known[p] >= 0
                                   ? known[p]
                                   : sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
#endif
          // Close relatives (high scores) try a narrow band first; weak pairs, whose co-optimal
          // alignments can lie far apart, go straight to the wide one.
          for (const int half : {16, 64}) {
            if (half == 16 && full < 300) continue;
            if (sw_banded(q, m, t, n, mat, size, open, ext, d - half, d + half, w, out + p * 7) == full) {
              done = true;
              break;
            }
          }
        }
        if (!done) sw_run(q, m, t, n, mat, size, open, ext, w, out + p * 7);
      }
#ifdef ARG_X86
      else if (fits) out[p] = striped_score();
#endif
      else out[p] = sw_run(q, m, t, n, mat, size, open, ext, w, nullptr);
    }
  };
  if (threads > 1 && np > 8) {
    const size_t half = np / 2;
    std::thread other([&] { run(half, np); });
    run(0, half);
    other.join();
  } else {
    run(0, np);
  }
  return undefined_value(env);
}


// Checks what the seed loops index without further checks: sequence offsets within the letters,
// packed shapes ([base, span, weight, used positions...]) whose codes fit the offsets array.
static bool seeds_input_valid(const int32_t* lo, size_t n_seq, size_t n_letters, const int32_t* shapes,
                              size_t n_shapes, size_t n_off) {
  for (size_t q = 0; q < n_seq; q++) {
    if (lo[q] < 0 || lo[q] > lo[q + 1] || (size_t)lo[q + 1] > n_letters) return false;
  }
  for (size_t s = 0; s < n_shapes;) {
    if (s + 3 > n_shapes) return false;
    const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
    if (base < 0 || span < 1 || weight < 1 || weight > 12 || s + 3 + weight > n_shapes) return false;
    int64_t codes = 1;
    for (int u = 0; u < weight; u++) {
      const int32_t o = shapes[s + 3 + u];
      if (o < 0 || o >= span) return false;
      codes *= 10;
    }
    if ((size_t)(base + codes) >= n_off) return false;
    s += 3 + weight;
  }
  return true;
}

// The code of the seed at letters[pos] with the shape's used positions, or -1 if one of its
// letters is out of the Murphy-10 alphabet.
static inline int32_t seed_code(const uint8_t* letters, int32_t pos, const int32_t* used, int weight) {
  int32_t code = 0;
  for (int u = 0; u < weight; u++) {
    const uint8_t l = letters[pos + used[u]];
    if (l >= 10) return -1;
    code = code * 10 + l;
  }
  return code;
}

// seedSearch(offsets, refs, positions, shapes, references, maxOccurrences, letters, letterOffsets,
//            topK, minHits, outRefs, outHits, threads)
// The spaced-seed search over a batch of queries (src/core/sequence/seed-index.ts searchSeedsJs, same
// algorithm and order): per query and reference, hits per 32-residue diagonal band (64 cyclic uint8
// counters), best adjacent pair; the topK references with at least minHits, most hits first, then
// lower index. shapes = per shape [base, span, weight, used positions...]. Queries are split over
// `threads` threads (interleaved), each with its own counters.
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
  auto run = [&](size_t first, size_t step) {
    std::vector<uint8_t> bands((size_t)n_ref * 64, 0);
    std::vector<int32_t> best((size_t)n_ref, 0), touched((size_t)n_ref, 0), picked;
    // The query's seeds (posting start, end, query position), gathered first: the offsets and
    // postings are tens of MB, so each lookup is a cache miss; prefetching a few seeds ahead
    // overlaps them instead of paying them one after another.
    std::vector<int32_t> codes, qposOf, starts, ends;
    for (size_t q = first; q < n_queries; q += step) {
      const int32_t from = lo[q], to = lo[q + 1];
      int32_t n_touched = 0;
      codes.clear();
      qposOf.clear();
      for (size_t s = 0; s < n_shapes;) {
        const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
        const int32_t* used = shapes + s + 3;
        s += 3 + weight;
        for (int32_t pos = from; pos + span <= to; pos++) {
          const int32_t code = seed_code(letters, pos, used, weight);
          if (code < 0) continue;
          codes.push_back(base + code);
          qposOf.push_back(pos - from);
          __builtin_prefetch(offsets + base + code);
        }
      }
      starts.clear();
      ends.clear();
      size_t kept = 0;
      for (size_t k = 0; k < codes.size(); k++) {
        const int32_t start = offsets[codes[k]], end = offsets[codes[k] + 1];
        if (start < 0 || end < start || (size_t)end > n_post || end - start > max_occ) continue;
        starts.push_back(start);
        ends.push_back(end);
        qposOf[kept++] = qposOf[k];
        if (end > start) {
          __builtin_prefetch(refs + start);
          __builtin_prefetch(positions + start);
        }
      }
      for (size_t k = 0; k < kept; k++) {
        const int32_t start = starts[k], end = ends[k];
        const uint32_t qpos = (uint32_t)qposOf[k];
        for (int32_t at = start; at < end; at++) {
          const int32_t ref = refs[at];
          if (ref < 0 || ref >= n_ref) continue;
          // Same bits as the TypeScript (positions[at] - qPos + 2^20) >> 5 & 63, without overflow.
          const int32_t band = (int32_t)((((uint32_t)positions[at] - qpos + (1u << 20)) >> 5) & 63u);
          uint8_t* row = bands.data() + (size_t)ref * 64;
          const int v = row[band] + 1;
          if (v > 255) continue;
          row[band] = (uint8_t)v;
          const int below = row[(band + 63) & 63], above = row[(band + 1) & 63];
          const int32_t pair = v + (below > above ? below : above);
          const int32_t b = best[ref];
          if (b == 0) touched[n_touched++] = ref;
          if (pair > b) best[ref] = pair;
        }
      }
      // Every band counter set for this query belongs to a touched reference.
      for (int32_t k = 0; k < n_touched; k++) std::memset(bands.data() + (size_t)touched[k] * 64, 0, 64);
      picked.clear();
      for (int32_t t = 0; t < n_touched; t++) {
        if (best[touched[t]] >= min_hits) picked.push_back(touched[t]);
      }
      const auto better = [&](int32_t x, int32_t y) { return best[x] != best[y] ? best[x] > best[y] : x < y; };
      const size_t keep = std::min(picked.size(), (size_t)top_k);
      std::partial_sort(picked.begin(), picked.begin() + keep, picked.end(), better);
      for (int k = 0; k < top_k; k++) {
        const bool has = (size_t)k < keep;
        out_refs[q * top_k + k] = has ? picked[k] : -1;
        out_hits[q * top_k + k] = has ? best[picked[k]] : 0;
      }
      for (int32_t t = 0; t < n_touched; t++) best[touched[t]] = 0;
    }
  };
  if (threads > 1 && n_queries > 4) {
    std::thread other([&] { run(1, 2); });
    run(0, 2);
    other.join();
  } else {
    run(0, 1);
  }
  return undefined_value(env);
}

// seedPostings(letters, letterOffsets, shapes, offsets, refs, positions) -> seeds
// The seed index's postings (src/core/sequence/seed-index.ts buildPostingsJs, same order): a counting
// sort of every reference seed by code. offsets (all zero on entry) gets the CSR offsets; refs and
// positions need room for every seed.
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
  // Shape starts in the packed array; each shape's codes are a disjoint range of offsets (and so of
  // refs/positions), so shapes are counted and filled on two threads without sharing anything.
  std::vector<size_t> shape_at;
  for (size_t s = 0; s < n_shapes; s += 3 + shapes[s + 2]) shape_at.push_back(s);
  // visit(index, ref, pos) for every seed of shape number k without an out-of-alphabet letter:
  // sequence, then position (the TypeScript order within a shape).
  auto each = [&](size_t k, auto&& visit) {
    const size_t s = shape_at[k];
    const int32_t base = shapes[s], span = shapes[s + 1], weight = shapes[s + 2];
    const int32_t* used = shapes + s + 3;
    for (size_t r = 0; r < n_seq; r++) {
      const int32_t from = lo[r], to = lo[r + 1];
      for (int32_t pos = from; pos + span <= to; pos++) {
        const int32_t code = seed_code(letters, pos, used, weight);
        if (code >= 0) visit(base + code, (int32_t)r, pos - from);
      }
    }
  };
  auto over_shapes = [&](auto&& work) {
    const size_t n = shape_at.size(), half = (n + 1) / 2;
    if (n > 1) {
      std::thread other([&] { for (size_t k = half; k < n; k++) work(k); });
      for (size_t k = 0; k < half; k++) work(k);
      other.join();
    } else {
      for (size_t k = 0; k < n; k++) work(k);
    }
  };
  over_shapes([&](size_t k) { each(k, [&](int32_t index, int32_t, int32_t) { offsets[index + 1]++; }); });
  for (size_t c = 1; c < n_off; c++) offsets[c] += offsets[c - 1];
  const size_t total = (size_t)offsets[n_off - 1];
  if (total > room) {
    std::fill(offsets, offsets + n_off, 0);
    a.fail("seedPostings: refs and positions have no room for every seed");
    return result;
  }
  std::vector<int32_t> fill(offsets, offsets + n_off);
  over_shapes([&](size_t k) {
    each(k, [&](int32_t index, int32_t ref, int32_t pos) {
      const int32_t at = fill[index]++;
      refs[at] = ref;
      positions[at] = pos;
    });
  });
  napi_create_int32(env, (int32_t)total, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  choose_isa();
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {{"gemm", Gemm},
             {"packB", PackB},
             {"gemmPacked", GemmPacked},
             {"addBias", AddBias},
             {"reluForward", ReluForward},
             {"reluBackward", ReluBackward},
             {"dropoutMask", DropoutMask},
             {"multiply", Multiply},
             {"columnSums", ColumnSums},
             {"softmaxCrossEntropy", SoftmaxCrossEntropy},
             {"adamUpdate", AdamUpdate},
             {"sgdUpdate", SgdUpdate},
             {"setThreads", SetThreads},
             {"swBatch", SwBatch},
             {"seedSearch", SeedSearch},
             {"seedPostings", SeedPostings},
             {"info", Info}};
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  register_embed(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
