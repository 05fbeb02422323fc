// ARGinator's native addon (build/Release/arginator_kernels.node): registers the N-API functions of
// every concern (gemm/, train/, align/, seeds/, embed/, io/) and info(). Plain N-API (node_api.h), no
// node-addon-api. src/native/native-addon.ts loads it; the TypeScript ports in src/core are the
// fallback when it is not built.
#include <node_api.h>

#include "addon.h"
#include "common/isa.h"
#include "gemm/gemm.h"

namespace arginator {

namespace {

// info() -> { isa, threads }: the detected instruction set and the default gemm threads.
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, isa_name(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, g_threads, &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
  detect_isa();
  choose_micro_kernel();
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {{"gemm", Gemm},
             {"packB", PackB},
             {"gemmPacked", GemmPacked},
             {"addBias", AddBias},
             {"standardise", Standardise},
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
             {"screenBuild", ScreenBuild},
             {"screenSearch", ScreenSearch},
             {"mapFile", MapFile},
             {"readFileHuge", ReadFileHuge},
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

}  // namespace arginator

NAPI_MODULE(NODE_GYP_MODULE_NAME, arginator::Init)
