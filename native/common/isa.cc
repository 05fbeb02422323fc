// The instruction set detected at load time (__builtin_cpu_supports), read by the GEMM micro-kernel
// choice, the Smith-Waterman dispatcher and info().
#include "isa.h"

#include <cstring>

namespace arginator {

namespace {
const char* g_isa = "generic";
}  // namespace

void detect_isa() {
#ifdef ARG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_isa = "avx2";
  }
#endif
}

const char* isa_name() { return g_isa; }

bool isa_is_avx2() { return std::strcmp(g_isa, "avx2") == 0; }

}  // namespace arginator
