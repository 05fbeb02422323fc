// Chooses the fastest available kernels (training, Smith-Waterman, seed index): the native addon when it was built, else portable TypeScript.
import { jsKernels, type Kernels } from '../core/model/kernels.ts';
import { createJsPairAligner, type PairAligner } from '../core/sequence/pair-aligner.ts';
import { JS_SEED_KERNELS, type SeedKernels } from '../core/sequence/seed-index.ts';
import { loadNativeKernels, type NativeKernelsOptions } from './native-kernels.ts';
import { loadNativePairAligner } from './native-pair-aligner.ts';
import { loadNativeSeedKernels } from './native-seed-kernels.ts';
import { JS_SCREEN_KERNELS, type ScreenKernels } from '../core/sequence/ungapped-screen.ts';
import { loadNativeScreenKernels } from './native-screen-kernels.ts';

export interface LoadKernelsOptions extends NativeKernelsOptions {
  /** Where the one-line fallback notice goes (default: stderr). */
  readonly notify?: (line: string) => void;
}

/** Native kernels if the addon loads, otherwise jsKernels with a one-line notice. */
export function loadFastestKernels(options: LoadKernelsOptions = {}): Kernels {
  const native = loadNativeKernels(options);
  if (native !== undefined) {
    return native;
  }
  const notify = options.notify ?? ((line: string) => process.stderr.write(`${line}\n`));
  notify(
    'arginator: native training kernels not available (run `npm rebuild` with a C++ compiler to build them); training with the slower JavaScript kernels.',
  );
  return jsKernels;
}

/** Native Smith-Waterman when the addon has it, else the portable TypeScript aligner. */
export function loadFastestPairAligner(threads?: number): PairAligner {
  return loadNativePairAligner('fastest', threads) ?? createJsPairAligner();
}

/** The seed index loops in C++ (search on `threads`, default two) when the addon has them, else TypeScript. */
export function loadFastestSeedKernels(threads?: number): SeedKernels {
  return loadNativeSeedKernels(threads) ?? JS_SEED_KERNELS;
}

/** The ungapped screen in C++ (search on `threads`, default two) when the addon has it, else TypeScript. */
export function loadFastestScreenKernels(threads?: number): ScreenKernels {
  return loadNativeScreenKernels(threads) ?? JS_SCREEN_KERNELS;
}
