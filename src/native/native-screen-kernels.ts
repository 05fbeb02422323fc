// Adapter from the native addon's ungapped screen (native/seeds/screen.cc) to the core ScreenKernels port.
import { BLOSUM62 } from '../core/sequence/blosum62.ts';
import type { ScreenKernels } from '../core/sequence/ungapped-screen.ts';
import { loadNativeAddon, nativeThreads } from './native-addon.ts';

/** The screen's build and search in C++ (the same results as the TypeScript ones; two threads). */
export function loadNativeScreenKernels(threads?: number): ScreenKernels | undefined {
  const addon = loadNativeAddon();
  if (addon?.screenBuild === undefined || addon.screenSearch === undefined) {
    return undefined;
  }
  const screenBuild = addon.screenBuild.bind(addon);
  const screenSearch = addon.screenSearch.bind(addon);
  const searchThreads = nativeThreads(threads);
  return {
    build: (b) => {
      let nShapes = 0;
      for (let at = 0; at < b.shapes.length; at += 2 + (b.shapes[at + 1] as number)) {
        nShapes++;
      }
      const seeds = b.seeds;
      const shapeOffsets = new Int32Array(nShapes + 1);
      const codes = new Int32Array(seeds);
      const positions = new Int32Array(seeds);
      const kept = screenBuild(
        b.letters,
        b.letterOffsets,
        b.shapes,
        b.maxOccurrences,
        shapeOffsets,
        codes,
        positions,
      );
      return {
        shapeOffsets,
        codes: codes.slice(0, kept),
        positions: positions.slice(0, kept),
      };
    },
    search: (b) => {
      const { index } = b;
      screenSearch(
        index.shapes,
        index.shapeOffsets,
        index.codes,
        index.positions,
        index.refCodes.codes,
        index.refCodes.offsets,
        index.flagged,
        b.letters,
        b.queryCodes.codes,
        b.queryCodes.offsets,
        BLOSUM62,
        b.minScores,
        b.xdrop,
        b.topK,
        b.outFlagged,
        b.outRefs,
        b.outScores,
        searchThreads,
        index.directory,
        b.maxHits,
        index.presence,
        b.outDiagonals,
        b.flagScores,
      );
    },
  };
}
