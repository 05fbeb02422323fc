// The one loader of the native addon (native/, built by `npm install` into build/Release): every adapter gets it here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import type { StandardiseKernel } from '../core/model/kernels.ts';

/** The addon's exports, as registered by native/addon.cc (one glue file per concern). */
export interface NativeAddon {
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
  screenBuild?(
    letters: Uint8Array,
    letterOffsets: Int32Array,
    shapes: Int32Array,
    maxOccurrences: number,
    shapeOffsets: Int32Array,
    codes: Int32Array,
    positions: Int32Array,
  ): number;
  screenSearch?(
    shapes: Int32Array,
    shapeOffsets: Int32Array,
    codes: Int32Array,
    positions: Int32Array,
    refCodes: Uint8Array,
    refOffsets: Int32Array,
    flagged: Uint8Array,
    letters: Uint8Array,
    queryCodes: Uint8Array,
    queryOffsets: Int32Array,
    matrix: Int8Array,
    minScores: Int32Array,
    xdrop: number,
    topK: number,
    outFlagged: Uint8Array,
    outRefs: Int32Array,
    outScores: Int32Array,
    threads: number,
    directory: Int32Array,
    maxHits: number,
    presence: Int32Array,
    outDiagonals: Int32Array,
    flagScores: Int32Array,
  ): void;
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
    diagonals?: Int32Array,
  ): void;
  packB?(
    transB: boolean,
    n: number,
    k: number,
    b: Float32Array,
    normaliseRows?: boolean,
  ): Float32Array;
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
  /** Absent in addons built before it. */
  standardise?: StandardiseKernel;
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
  /** native/embed: builtin-v1, one call per batch (n × dim Float32Array, or a Promise of it). */
  builtinEmbed?(
    sequences: readonly string[],
    log2Table: Float64Array,
    threads: number,
    async: boolean,
  ): Float32Array | Promise<Float32Array>;
  builtinEmbedInfo?(): { dim: number };
  /** native/io: a private copy-on-write map of a whole file, or undefined where that is not possible. */
  mapFile?(path: string): ArrayBuffer | undefined;
  /** native/io: the file read into huge-page memory off the main thread, or undefined where not possible. */
  readFileHuge?(path: string): Promise<ArrayBuffer | undefined>;
}

/**
 * Threads for a native search or alignment call: the caller's budget (a queue worker's chunk thread
 * has one core), by default both cores of the 2-core machines this is sized for, at least 1.
 */
export function nativeThreads(threads?: number): number {
  const wanted = threads ?? 2;
  return Math.max(
    1,
    Math.min(Number.isFinite(wanted) ? Math.floor(wanted) : 2, availableParallelism()),
  );
}

/** Where node-gyp puts the addon; the same relative path from src/native/ and dist/native/. */
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

/** The addon if it was built and loads here, else undefined (the callers fall back to TypeScript). */
export function loadNativeAddon(): NativeAddon | undefined {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return undefined;
  }
  try {
    const addon: unknown = createRequire(import.meta.url)(NATIVE_ADDON_PATH);
    return isNativeAddon(addon) ? addon : undefined;
  } catch {
    return undefined; // e.g. built for another Node ABI or CPU; the caller falls back to JS
  }
}
