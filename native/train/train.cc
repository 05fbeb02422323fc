// Element-wise training kernels: simple loops that GCC vectorises; target_clones adds an AVX2 copy
// of each. Same arithmetic as the TypeScript port in src/core/model/kernels.ts.
#include "train.h"

#include <algorithm>
#include <cmath>

#include "../common/isa.h"

#if defined(ARG_X86) && defined(__ELF__)
#define ARG_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ARG_CLONES
#endif

namespace arginator {

ARG_CLONES void add_bias(float* y, const float* bias, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    float* yr = y + (long)r * cols;
    for (int j = 0; j < cols; j++) yr[j] += bias[j];
  }
}

// The arithmetic of applyStandardisation (core/model/standardise.ts): the difference and the quotient
// in double, one rounding to float at the end, so the values are the same bit for bit.
ARG_CLONES void standardise(const float* x, const float* mean, const float* sd, int rows, int cols,
                            float* out) {
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (long)r * cols;
    float* o = out + (long)r * cols;
    for (int j = 0; j < cols; j++) o[j] = (float)(((double)xr[j] - (double)mean[j]) / (double)sd[j]);
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
}  // namespace arginator
