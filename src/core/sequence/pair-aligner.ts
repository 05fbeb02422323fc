// Batched Smith-Waterman over many (query, target) pairs; the native addon implements the same port faster.
import type { Aligner } from './align.ts';
import { buildQueryProfile, createAligner, DEFAULT_GAP_COSTS } from './align.ts';
import { BLOSUM62, BLOSUM62_ENCODING, BLOSUM62_SIZE, BLOSUM62_X } from './blosum62.ts';
import { translateSequences } from './byte-codes.ts';

/** Sequences as residue codes (blosum62.ts), concatenated; sequence i is codes[offsets[i]..offsets[i+1]). */
export interface CodeSet {
  readonly codes: Uint8Array;
  readonly offsets: Int32Array;
}

/** A pair without a diagonal hint (PairAligner.run `diagonals`): int32's minimum. */
export const NO_DIAGONAL = -2_147_483_648;

/** Int32 values per pair when aligning: score, identities, length, qStart, qEnd, tStart, tEnd. */
export const ALIGN_FIELDS = 7;

export interface PairAligner {
  readonly name: string;
  /**
   * pairs = [q0, t0, q1, t1, ...]. Score only: one int per pair. With `align`: ALIGN_FIELDS ints per
   * pair (ranges 0-based, end-exclusive; identities / length = BLAST pident / 100).
   * `knownScores` (with `align`): each pair's exact optimal score from an earlier score pass, which
   * an implementation may use to skip recomputing it (-1 = unknown). `diagonals` (with `align`): each
   * pair's likely diagonal (query position − target position, NO_DIAGONAL = none), where an
   * implementation may look for the alignment first; results are optimal alignments either way.
   */
  run(
    queries: CodeSet,
    targets: CodeSet,
    pairs: Int32Array,
    align: boolean,
    knownScores?: Int32Array,
    diagonals?: Int32Array,
  ): Int32Array;
}

/**
 * Encodes straight into the concatenated buffer (encodeForAlignment's codes): no array per sequence,
 * which for a model's references was 10^4 short-lived arrays and most of a load's garbage.
 */
export function codeSet(sequences: readonly string[]): CodeSet {
  return translateSequences(
    sequences,
    BLOSUM62_ENCODING,
    (c) => BLOSUM62_ENCODING[c & 0xff] ?? BLOSUM62_X,
  );
}

export function sequenceCodes(set: CodeSet, i: number): Uint8Array {
  return set.codes.subarray(set.offsets[i], set.offsets[i + 1]);
}

/** The matrix and gap costs every implementation must use (BLOSUM62, 11/1). */
export const PAIR_SCORING = {
  matrix: BLOSUM62,
  size: BLOSUM62_SIZE,
  gapOpen: DEFAULT_GAP_COSTS.gapOpen,
  gapExtend: DEFAULT_GAP_COSTS.gapExtend,
} as const;

/** The portable implementation over core/sequence/align.ts. */
export function createJsPairAligner(): PairAligner {
  const aligner: Aligner = createAligner();
  return {
    name: 'js',
    run(queries, targets, pairs, align) {
      const n = pairs.length / 2;
      const out = new Int32Array(n * (align ? ALIGN_FIELDS : 1));
      let lastQuery = -1;
      let profile = buildQueryProfile(new Uint8Array(0));
      for (let p = 0; p < n; p++) {
        const q = pairs[2 * p] as number;
        if (q !== lastQuery) {
          profile = buildQueryProfile(sequenceCodes(queries, q));
          lastQuery = q;
        }
        const target = sequenceCodes(targets, pairs[2 * p + 1] as number);
        if (!align) {
          out[p] = aligner.score(profile, target);
          continue;
        }
        const a = aligner.align(profile, target);
        out.set(
          [a.score, a.identities, a.length, a.queryStart, a.queryEnd, a.targetStart, a.targetEnd],
          p * ALIGN_FIELDS,
        );
      }
      return out;
    },
  };
}
