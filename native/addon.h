// The N-API functions the addon exports, by concern; addon.cc registers them under their JS names.
#pragma once

#include <node_api.h>

namespace arginator {

// gemm/gemm-napi.cc
napi_value Gemm(napi_env env, napi_callback_info info);
napi_value PackB(napi_env env, napi_callback_info info);
napi_value GemmPacked(napi_env env, napi_callback_info info);
napi_value SetThreads(napi_env env, napi_callback_info info);
// train/train-napi.cc
napi_value AddBias(napi_env env, napi_callback_info info);
napi_value Standardise(napi_env env, napi_callback_info info);
napi_value ReluForward(napi_env env, napi_callback_info info);
napi_value ReluBackward(napi_env env, napi_callback_info info);
napi_value DropoutMask(napi_env env, napi_callback_info info);
napi_value Multiply(napi_env env, napi_callback_info info);
napi_value ColumnSums(napi_env env, napi_callback_info info);
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info);
napi_value AdamUpdate(napi_env env, napi_callback_info info);
napi_value SgdUpdate(napi_env env, napi_callback_info info);
// align/align-napi.cc
napi_value SwBatch(napi_env env, napi_callback_info info);
// seeds/seeds-napi.cc
napi_value SeedSearch(napi_env env, napi_callback_info info);
napi_value SeedPostings(napi_env env, napi_callback_info info);
// seeds/screen-napi.cc
napi_value ScreenBuild(napi_env env, napi_callback_info info);
napi_value ScreenSearch(napi_env env, napi_callback_info info);
// io/map-file.cc
napi_value MapFile(napi_env env, napi_callback_info info);
napi_value ReadFileHuge(napi_env env, napi_callback_info info);
// embed/builtin-embedder.cc: adds builtinEmbed and builtinEmbedInfo
void register_embed(napi_env env, napi_value exports);

}  // namespace arginator
