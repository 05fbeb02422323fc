// Adapter from the native addon's Smith-Waterman kernels (native/align, swBatch) to the core PairAligner port.

import type { PairAligner } from '../core/sequence/pair-aligner.ts';
import { ALIGN_FIELDS, PAIR_SCORING } from '../core/sequence/pair-aligner.ts';
import { loadNativeAddon, nativeThreads } from './native-addon.ts';

/**
 * Score kernel: the fastest (default: 16 targets per query at once in AVX2 lanes), the striped AVX2
 * one (one pair at a time), or scalar. All give the same scores; tests compare them.
 */
export type SimdChoice = 'fastest' | 'striped' | 'scalar';
const SIMD_CODE: Readonly<Record<SimdChoice, number>> = { fastest: 0, striped: 16, scalar: 1 };

/** Smith-Waterman pairs on the native addon (both cores for large batches), or undefined if unavailable. */
export function loadNativePairAligner(
  simd: SimdChoice = 'fastest',
  threadCount?: number,
): PairAligner | undefined {
  const addon = loadNativeAddon();
  if (addon?.swBatch === undefined) {
    return undefined;
  }
  const swBatch = addon.swBatch.bind(addon);
  const matrix = new Int8Array(PAIR_SCORING.matrix);
  const threads = nativeThreads(threadCount);
  return {
    name: `native-sw-${threads}t${simd === 'fastest' ? '' : `-${simd}`}`,
    run(queries, targets, pairs, align, knownScores, diagonals) {
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
        align ? diagonals : undefined,
      );
      return out;
    },
  };
}
