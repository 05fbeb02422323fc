// Adapter from the addon's builtinEmbed (native/embed/builtin-embedder.cc) to core's BuiltinBatchKernel port.
import { availableParallelism } from 'node:os';

import { BUILTIN_DIM, type BuiltinBatchKernel } from '../core/embed/builtin-embedder.ts';
import { loadNativeAddon } from './native-addon.ts';

/**
 * Math.log2(0..2048), handed to the kernel so the length block uses V8's log2 bit for bit (the C++
 * libm's may differ in the last place); longer proteins all fall in the last length bin.
 */
const LOG2_TABLE = Float64Array.from({ length: 2049 }, (_, i) => Math.log2(i));

/**
 * A batch with at least this many residues is split over two C++ threads. Smaller ones run on one
 * libuv worker thread, so the event loop (classifying the previous batch) keeps the other core.
 */
export const TWO_THREAD_RESIDUES = 1_000_000;
/**
 * A batch under this many residues (~0.5 ms of work) is embedded on the calling thread: a libuv
 * round trip would cost more than a /v1/predict request's few proteins.
 */
export const INLINE_RESIDUES = 20_000;

export interface NativeBuiltinKernel extends BuiltinBatchKernel {
  /** The same kernel, synchronously on the calling thread (benches, tests). */
  embedBatchSync(sequences: readonly string[], threads?: number): Float32Array;
}

/** The native builtin-v1 kernel when the addon has it (and agrees on the layout), else undefined. */
export function loadNativeBuiltinKernel(): NativeBuiltinKernel | undefined {
  const addon = loadNativeAddon();
  const embed = addon?.builtinEmbed?.bind(addon);
  if (embed === undefined || addon?.builtinEmbedInfo?.().dim !== BUILTIN_DIM) {
    return undefined; // no addon, one from before the kernel, or one of another layout
  }
  // The addon returns a Promise exactly when asked for async, a Float32Array otherwise.
  const embedAsync = (sequences: readonly string[], threads: number): Promise<Float32Array> =>
    embed(sequences, LOG2_TABLE, threads, true) as Promise<Float32Array>;
  const embedSync = (sequences: readonly string[], threads: number): Float32Array =>
    embed(sequences, LOG2_TABLE, threads, false) as Float32Array;
  const cores = Math.min(2, availableParallelism());
  const residuesOf = (sequences: readonly string[]): number => {
    let residues = 0;
    for (const s of sequences) {
      residues += s.length;
    }
    return residues;
  };
  const threadsFor = (residues: number): number =>
    cores >= 2 && residues >= TWO_THREAD_RESIDUES ? 2 : 1;
  return {
    name: 'native builtin-v1 (C++)',
    embedBatch: (sequences) => {
      const residues = residuesOf(sequences);
      if (residues < INLINE_RESIDUES) {
        return Promise.resolve(embedSync(sequences, 1));
      }
      return embedAsync(sequences, threadsFor(residues));
    },
    embedBatchSync: (sequences, threads) =>
      embedSync(sequences, threads ?? threadsFor(residuesOf(sequences))),
  };
}
