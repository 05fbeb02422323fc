// Element-wise training kernels (the non-GEMM half of the Kernels interface of
// src/core/model/kernels.ts): bias, ReLU, dropout, masks, column sums, Adam, SGD, softmax
// cross-entropy. The N-API glue is train-napi.cc.
#pragma once

#include <cstdint>

namespace arginator {

// The definitions (train.cc) carry target_clones: callers here get the ifunc that picks the AVX2 or
// the default copy at load time.
void add_bias(float* y, const float* bias, int rows, int cols);
// out[r, j] = (x[r, j] - mean[j]) / sd[j] in double, rounded to float (core/model/standardise.ts).
void standardise(const float* x, const float* mean, const float* sd, int rows, int cols, float* out);
void relu_fwd(float* x, long n);
void relu_bwd(float* g, const float* act, long n);
// The same arithmetic as createRng (mulberry32) in src/core/rng.ts, so masks are bit-identical.
void dropout_mask(float* mask, long n, double rate, uint32_t seed);
void mul(float* x, const float* m, long n);
void col_sums(const float* g, int rows, int cols, float* out, float beta);
void adam(float* p, const float* g, float* m, float* v, float* vmax, long n, float lr,
           float b1, float b2, float eps, float wd, bool decoupled, double step);
void sgd(float* p, const float* g, float* buf, long n, float lr, float momentum,
         float dampening, bool nesterov, float wd, bool first);
// Mean (class-weighted) cross-entropy; proba gets the softmax, grad (if not null) d loss / d logits.
// Sets *bad_label and returns 0 when a label is outside 0..classes-1.
double softmax_ce(const float* logits, const int32_t* labels, int rows, int classes,
                  const float* w, float* proba, float* grad, bool* bad_label);

}  // namespace arginator
