// Adapter from the native addon's GEMM and element-wise training kernels (native/gemm, native/train) to the core Kernels interface.
import { availableParallelism } from 'node:os';

import type { AdamStep, Kernels, SgdStep } from '../core/model/kernels.ts';
import type { NativeAddon } from './native-addon.ts';
import { loadNativeAddon } from './native-addon.ts';

export interface NativeKernelsOptions {
  /**
   * Threads for large matrix products: 1 or 2. Default 1: on the 2-vCPU machine class a second
   * thread adds no FMA throughput (two processes each get half the single-thread GFLOP/s, ADR 0006).
   */
  readonly threads?: number;
}

/** The training kernels on the native addon, or undefined when it was not built (or does not load here). */
export function loadNativeKernels(options: NativeKernelsOptions = {}): Kernels | undefined {
  const native = loadNativeAddon();
  if (native === undefined) {
    return undefined;
  }
  // Threads go with every gemm call: adapters with different settings share one addon instance.
  const threads = Math.max(1, Math.min(options.threads ?? 1, 2, availableParallelism()));
  return {
    name: `native-${native.info().isa}-${threads}t`,
    gemm: (ta, tb, m, n, k, alpha, a, b, beta, c) =>
      native.gemm(ta, tb, m, n, k, alpha, a, b, beta, c, threads),
    ...(native.packB === undefined ||
    native.gemmPacked === undefined ||
    !normalisesRows(native.packB.bind(native))
      ? {}
      : {
          packB: native.packB.bind(native),
          gemmPacked: (
            m: number,
            n: number,
            k: number,
            alpha: number,
            a: Float32Array,
            packedB: Float32Array,
            beta: number,
            c: Float32Array,
          ) => native.gemmPacked?.(m, n, k, alpha, a, packedB, beta, c, threads),
        }),
    addBias: (y, bias, rows, cols) => native.addBias(y, bias, rows, cols),
    ...(native.standardise === undefined ? {} : { standardise: native.standardise.bind(native) }),
    reluForward: (x, n) => native.reluForward(x, n),
    reluBackward: (grad, act, n) => native.reluBackward(grad, act, n),
    dropoutMask: (mask, n, rate, seed) => native.dropoutMask(mask, n, rate, seed),
    multiply: (x, mask, n) => native.multiply(x, mask, n),
    columnSums: (g, rows, cols, out, beta) => native.columnSums(g, rows, cols, out, beta),
    softmaxCrossEntropy: (logits, labels, rows, classes, weights, proba, grad) =>
      native.softmaxCrossEntropy(logits, labels, rows, classes, weights, proba, grad),
    adamUpdate: (params, grads, m, v, vMax, n, s: AdamStep) =>
      native.adamUpdate(
        params,
        grads,
        m,
        v,
        vMax,
        n,
        s.lr,
        s.beta1,
        s.beta2,
        s.eps,
        s.weightDecay,
        s.amsgrad,
        s.decoupled,
        s.step,
      ),
    sgdUpdate: (params, grads, buf, n, s: SgdStep) =>
      native.sgdUpdate(
        params,
        grads,
        buf,
        n,
        s.lr,
        s.momentum,
        s.dampening,
        s.nesterov,
        s.weightDecay,
        s.firstStep,
      ),
  };
}

/**
 * Whether this build of the addon honours packB's normaliseRows (an addon built from older sources
 * would ignore it and pack the rows as they are): a 1×1 matrix [4] must pack to [1].
 */
function normalisesRows(packB: NonNullable<NativeAddon['packB']>): boolean {
  return packB(true, 1, 1, Float32Array.of(4), true)[0] === 1;
}
