// Adapter from the native training-kernels addon (native/kernels.cc, built by `npm install`) to the core Kernels interface.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import type { AdamStep, Kernels, SgdStep } from '../core/model/kernels.ts';
import type { PairAligner } from '../core/sequence/pair-aligner.ts';
import { ALIGN_FIELDS, PAIR_SCORING } from '../core/sequence/pair-aligner.ts';
import type { SeedKernels } from '../core/sequence/seed-index.ts';

/** The addon's exports, as declared by native/kernels.cc. */
interface NativeAddon {
  seedSearch?(
    offsets: Int32Array,
    refs: Int32Array,
    positions: Int32Array,
    shapes: Int32Array,
    references: number,
    maxOccurrences: number,
    letters: Uint8Array,
    letterOffsets: Int32Array,
    topK: number,
    minHits: number,
    outRefs: Int32Array,
    outHits: Int32Array,
    threads: number,
  ): void;
  seedPostings?(
    letters: Uint8Array,
    letterOffsets: Int32Array,
    shapes: Int32Array,
    offsets: Int32Array,
    refs: Int32Array,
    positions: Int32Array,
  ): number;
  swBatch?(
    qCodes: Uint8Array,
    qOffsets: Int32Array,
    tCodes: Uint8Array,
    tOffsets: Int32Array,
    pairs: Int32Array,
    matrix: Int8Array,
    size: number,
    gapOpen: number,
    gapExtend: number,
    align: boolean,
    out: Int32Array,
    threads: number,
    simd?: number,
    knownScores?: Int32Array,
  ): void;
  packB?(transB: boolean, n: number, k: number, b: Float32Array): Float32Array;
  gemmPacked?(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    packedB: Float32Array,
    beta: number,
    c: Float32Array,
    threads: number,
  ): void;
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
    threads: number,
  ): void;
  addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  reluForward(x: Float32Array, n: number): void;
  reluBackward(grad: Float32Array, act: Float32Array, n: number): void;
  dropoutMask(mask: Float32Array, n: number, rate: number, seed: number): void;
  multiply(x: Float32Array, mask: Float32Array, n: number): void;
  columnSums(g: Float32Array, rows: number, cols: number, out: Float32Array, beta: number): void;
  softmaxCrossEntropy(
    logits: Float32Array,
    labels: Int32Array,
    rows: number,
    classes: number,
    classWeights: Float32Array | undefined,
    proba: Float32Array,
    grad: Float32Array | undefined,
  ): number;
  adamUpdate(
    params: Float32Array,
    grads: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vMax: Float32Array | undefined,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    amsgrad: boolean,
    decoupled: boolean,
    step: number,
  ): void;
  sgdUpdate(
    params: Float32Array,
    grads: Float32Array,
    buf: Float32Array | undefined,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    weightDecay: number,
    firstStep: boolean,
  ): void;
  info(): { isa: string; threads: number };
}

export interface NativeKernelsOptions {
  /**
   * Threads for large matrix products: 1 or 2. Default 1: on the 2-vCPU machine class a second
   * thread adds no FMA throughput (two processes each get half the single-thread GFLOP/s, ADR 0006).
   */
  readonly threads?: number;
}

/** Where node-gyp puts the addon; the same relative path from src/kernels/ and dist/kernels/. */
export const NATIVE_ADDON_PATH = fileURLToPath(
  new URL('../../build/Release/arginator_kernels.node', import.meta.url),
);

function isNativeAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const names = ['gemm', 'dropoutMask', 'adamUpdate', 'softmaxCrossEntropy', 'info'];
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** Loads the addon, or returns undefined when it was not built (or does not load here). */
export function loadNativeKernels(options: NativeKernelsOptions = {}): Kernels | undefined {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return undefined;
  }
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH);
  } catch {
    return undefined; // e.g. built for another Node ABI or CPU; the caller falls back to JS
  }
  if (!isNativeAddon(addon)) {
    return undefined;
  }
  const native = addon;
  // Threads go with every gemm call: adapters with different settings share one addon instance.
  const threads = Math.max(1, Math.min(options.threads ?? 1, 2, availableParallelism()));
  return {
    name: `native-${native.info().isa}-${threads}t`,
    gemm: (ta, tb, m, n, k, alpha, a, b, beta, c) =>
      native.gemm(ta, tb, m, n, k, alpha, a, b, beta, c, threads),
    ...(native.packB === undefined || native.gemmPacked === undefined
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

/** Smith-Waterman pairs on the native addon (both cores for large batches), or undefined if unavailable. */
/** The addon if it was built and loads here, else undefined. */
function loadAddon(): NativeAddon | undefined {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return undefined;
  }
  try {
    const addon: unknown = createRequire(import.meta.url)(NATIVE_ADDON_PATH);
    return isNativeAddon(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}

/** The seed index loops in C++ (same algorithms as the TypeScript ones; search on two threads). */
export function loadNativeSeedKernels(): SeedKernels | undefined {
  const addon = loadAddon();
  if (addon?.seedSearch === undefined || addon.seedPostings === undefined) {
    return undefined;
  }
  const seedSearch = addon.seedSearch.bind(addon);
  const seedPostings = addon.seedPostings.bind(addon);
  const threads = Math.min(2, availableParallelism());
  return {
    search: (b) =>
      seedSearch(
        b.offsets,
        b.refs,
        b.positions,
        b.shapes,
        b.references,
        b.maxOccurrences,
        b.letters,
        b.letterOffsets,
        b.topK,
        b.minHits,
        b.outRefs,
        b.outHits,
        threads,
      ),
    postings: (b) =>
      seedPostings(b.letters, b.letterOffsets, b.shapes, b.offsets, b.refs, b.positions),
  };
}

/**
 * Score kernel: the fastest (default: 16 targets per query at once in AVX2 lanes), the striped AVX2
 * one (one pair at a time), or scalar. All give the same scores; tests compare them.
 */
export type SimdChoice = 'fastest' | 'striped' | 'scalar';
const SIMD_CODE: Readonly<Record<SimdChoice, number>> = { fastest: 0, striped: 16, scalar: 1 };

export function loadNativePairAligner(simd: SimdChoice = 'fastest'): PairAligner | undefined {
  const addon = loadAddon();
  if (addon?.swBatch === undefined) {
    return undefined;
  }
  const swBatch = addon.swBatch.bind(addon);
  const matrix = new Int8Array(PAIR_SCORING.matrix);
  const threads = Math.min(2, availableParallelism());
  return {
    name: `native-sw-${threads}t${simd === 'fastest' ? '' : `-${simd}`}`,
    run(queries, targets, pairs, align, knownScores) {
      const out = new Int32Array((pairs.length / 2) * (align ? ALIGN_FIELDS : 1));
      swBatch(
        queries.codes,
        queries.offsets,
        targets.codes,
        targets.offsets,
        pairs,
        matrix,
        PAIR_SCORING.size,
        PAIR_SCORING.gapOpen,
        PAIR_SCORING.gapExtend,
        align,
        out,
        threads,
        SIMD_CODE[simd],
        align ? knownScores : undefined,
      );
      return out;
    },
  };
}
