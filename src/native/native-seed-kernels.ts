// Adapter from the native addon's seed index loops (native/seeds) to the core SeedKernels port.
import type { SeedKernels } from '../core/sequence/seed-index.ts';
import { loadNativeAddon, nativeThreads } from './native-addon.ts';

/** The seed index loops in C++ (same algorithms as the TypeScript ones; search on two threads). */
export function loadNativeSeedKernels(threads?: number): SeedKernels | undefined {
  const addon = loadNativeAddon();
  if (addon?.seedSearch === undefined || addon.seedPostings === undefined) {
    return undefined;
  }
  const seedSearch = addon.seedSearch.bind(addon);
  const seedPostings = addon.seedPostings.bind(addon);
  const searchThreads = nativeThreads(threads);
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
        searchThreads,
      ),
    postings: (b) =>
      seedPostings(b.letters, b.letterOffsets, b.shapes, b.offsets, b.refs, b.positions),
  };
}
