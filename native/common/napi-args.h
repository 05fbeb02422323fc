// N-API argument reading shared by the glue of every concern. Sizes are validated here so a wrong
// call throws a RangeError instead of corrupting memory.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstddef>

namespace arginator {

struct Args {
  napi_env env;
  napi_value v[24];
  size_t n = 24;
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

inline Args get_args(napi_env env, napi_callback_info info) {
  Args a;
  a.env = env;
  napi_get_cb_info(env, info, &a.n, a.v, nullptr, nullptr);
  return a;
}

inline napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

}  // namespace arginator
