// CPU feature selection shared by every kernel: x86 intrinsics when compiling for x86, and the
// instruction set detected once at load time (the AVX2 paths need AVX2 and FMA).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ARG_X86 1
#endif

namespace arginator {

// Detects the CPU once (from the addon's Init, before any kernel runs): "avx2" when it has AVX2 and
// FMA, else "generic". Kernels compiled with function-level target attributes are only called when
// this says so, so the addon still runs (scalar paths) on older CPUs.
void detect_isa();
const char* isa_name();
bool isa_is_avx2();

}  // namespace arginator
