// Adapter from the addon's builtinEmbed (native/embed/builtin-embedder.cc) to core's BuiltinBatchKernel port.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

import { BUILTIN_DIM, type BuiltinBatchKernel } from '../core/embed/builtin-embedder.ts';
import { NATIVE_ADDON_PATH } from './native-kernels.ts';

interface NativeEmbedAddon {
  builtinEmbed(
    sequences: readonly string[],
    log2Table: Float64Array,
    threads: number,
    async: true,
  ): Promise<Float32Array>;
  builtinEmbed(
    sequences: readonly string[],
    log2Table: Float64Array,
    threads: number,
    async: false,
  ): Float32Array;
  builtinEmbedInfo(): { dim: number };
}

function isEmbedAddon(value: unknown): value is NativeEmbedAddon {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return typeof v['builtinEmbed'] === 'function' && typeof v['builtinEmbedInfo'] === 'function';
}

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
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return undefined;
  }
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH);
  } catch {
    return undefined; // built for another Node ABI or CPU: the TypeScript embedder runs instead
  }
  if (!isEmbedAddon(addon) || addon.builtinEmbedInfo().dim !== BUILTIN_DIM) {
    return undefined; // an addon from before the kernel, or of another layout
  }
  const native = addon;
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
        return Promise.resolve(native.builtinEmbed(sequences, LOG2_TABLE, 1, false));
      }
      return native.builtinEmbed(sequences, LOG2_TABLE, threadsFor(residues), true);
    },
    embedBatchSync: (sequences, threads) =>
      native.builtinEmbed(
        sequences,
        LOG2_TABLE,
        threads ?? threadsFor(residuesOf(sequences)),
        false,
      ),
  };
}
