// N-API glue of the element-wise kernels: addBias, standardise, reluForward, reluBackward, dropoutMask,
// multiply, columnSums, softmaxCrossEntropy, adamUpdate, sgdUpdate (argument checks, then train.cc).
#include <node_api.h>

#include <cstdint>

#include "../addon.h"
#include "../common/napi-args.h"
#include "train.h"

namespace arginator {

// addBias(y, bias, rows, cols)
napi_value AddBias(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int rows = a.integer(2), cols = a.integer(3);
  float* y = a.f32(0, (size_t)rows * cols, "addBias: y too small");
  const float* bias = a.f32(1, (size_t)cols, "addBias: bias too small");
  if (!a.failed) add_bias(y, bias, rows, cols);
  return undefined_value(env);
}

// standardise(x, mean, std, rows, cols, out)
napi_value Standardise(napi_env env, napi_callback_info info) {
  Args a = get_args(env, info);
  const int rows = a.integer(3), cols = a.integer(4);
  const float* x = a.f32(0, (size_t)rows * cols, "standardise: x too small");
  const float* mean = a.f32(1, (size_t)cols, "standardise: mean too small");
  const float* sd = a.f32(2, (size_t)cols, "standardise: std too small");
  float* out = a.f32(5, (size_t)rows * cols, "standardise: out too small");
  if (!a.failed && (rows < 0 || cols < 0)) a.fail("standardise: negative size");
  if (!a.failed) standardise(x, mean, sd, rows, cols, out);
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

}  // namespace arginator
