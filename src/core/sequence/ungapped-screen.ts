// Ungapped screen before Smith-Waterman: sparse spaced seeds hashed over the references, each hit extended without gaps (X-drop).
//
// DIAMOND's order of work (double indexing aside): a weight-9 spaced seed over a reduced alphabet
// hits a reference rarely by chance (~250 extensions per 700-residue proteome protein against 3,130
// references) but a true homolog at 25-35% identity many times; each hit is extended along its
// diagonal without gaps, and only references whose best ungapped segment scores at least
// `minScore` (BLOSUM62 raw score) go on to a gapped alignment. ADR 0014 has the measurements.
import { BLOSUM62, BLOSUM62_SIZE } from './blosum62.ts';
import type { CodeSet } from './pair-aligner.ts';
import { encodeAll, seedCodeAt } from './seed-index.ts';

/** Four weight-9 spaced seeds (spans 12-15), Murphy-10 letters at the "1" positions. */
export const SCREEN_SHAPES: readonly string[] = [
  '111010110111',
  '1101110010111',
  '11100101101011',
  '110110001110011',
];
/**
 * A reference passes with an ungapped segment of at least this BLOSUM62 score (≈ 23 bits) for a
 * query of up to SCREEN_PASS_ANCHOR residues, and a flagged one flags a query of up to
 * SCREEN_FLAG_ANCHOR residues at it; longer queries need more (screenPassScores,
 * screenFlagScores).
 */
export const SCREEN_MIN_SCORE = 55;
/**
 * Queries up to this length are flagged at SCREEN_MIN_SCORE: the longest shipped β-lactamase has
 * 408 residues, and almost all have fewer than 400.
 */
export const SCREEN_FLAG_ANCHOR = 400;
/**
 * Queries up to this length pass references at SCREEN_MIN_SCORE. Longer than the flag's anchor: a
 * distant homolog's best ungapped segment can be modest (the best ungapped segment of a held-out
 * 518-residue protein's 8.7e-50 alignment scores 55), and a passing reference is aligned, not decided
 * on; above 1,000 residues chance segments fill the 8 aligned references (≈ 9 expected at 55 for
 * a 3,000-residue protein against the default model's 0.9 M reference residues).
 */
export const SCREEN_PASS_ANCHOR = 1000;
/**
 * Karlin-Altschul λ of ungapped BLOSUM62 with Robinson-Robinson background frequencies (NCBI BLAST's
 * table): the expected number of chance segments scoring ≥ S grows as m·e^(−λS) with the query
 * length m.
 */
export const UNGAPPED_BLOSUM62_LAMBDA = 0.3176;
/** An ungapped extension stops once its score falls this far below its best. */
export const SCREEN_XDROP = 20;
/**
 * Seeds with more occurrences among the references are low-complexity words (poly-N, poly-E...) and
 * are dropped from the index.
 */
export const SCREEN_MAX_OCCURRENCES = 1024;
/**
 * Index entries read per query seed (the first ones, by reference position): a seed shared by a
 * large family (hundreds of TEM variants) still hits some of its members, and a query with many
 * close relatives does not extend every one of them from every seed.
 */
export const SCREEN_MAX_HITS_PER_SEED = 16;
/**
 * Presence bits per shape: 2^23 (1 MB), a blocked Bloom filter (presenceBits): 3 bits of one
 * 512-bit block per code. One bit per code (the top bits of its hash) let 53% of the proteome's
 * lookups through for codes no reference has; 3 bits in one cache line cost the same single read.
 */
export const SCREEN_PRESENCE_BITS = 23;
/** The 32-bit words of a presence block (512 bits, one cache line). */
const PRESENCE_BLOCK_WORDS = 16;
/** Directory of each shape's sorted codes by their top bits (codes < 2^30): 2^18 slots. */
export const SCREEN_DIRECTORY_BITS = 18;
const DIRECTORY = 2 ** SCREEN_DIRECTORY_BITS;

/**
 * The references' screen index: per shape, every seed (code, position) sorted by code, then
 * position; the query side is sorted the same way per batch and merged with it (DIAMOND's double
 * indexing: both sides read in order instead of a random lookup per query position).
 */
export interface ScreenIndex {
  /** Packed shapes: per shape [span, weight, then `weight` used positions]. */
  readonly shapes: Int32Array;
  /** Shape s's entries are codes/positions[shapeOffsets[s] .. shapeOffsets[s + 1]]. */
  readonly shapeOffsets: Int32Array;
  /** Each entry's seed code, ascending within a shape. */
  readonly codes: Int32Array;
  /**
   * Each entry's position in the concatenated reference residues (refCodes.codes), ascending within
   * a code; its reference is the one whose residues hold it (no per-entry array: 16 MB per model).
   */
  readonly positions: Int32Array;
  /**
   * Per shape 2^SCREEN_DIRECTORY_BITS + 1 entry indices: the codes whose top bits are k are the
   * entries directory[s·(2^bits + 1) + k] .. [+ 1].
   */
  readonly directory: Int32Array;
  /**
   * Per shape 2^SCREEN_PRESENCE_BITS bits (as int32 words): the bits presenceBits(code) are set for
   * every code in the index. Only a filter (false positives are looked up and not found): the
   * native search reads it before the entries, most seeds of an unrelated protein being in no
   * reference.
   */
  readonly presence: Int32Array;
  /** The references' BLOSUM62 codes (pair-aligner.ts CodeSet): the extensions score these. */
  readonly refCodes: CodeSet;
  /** 1 for a reference of a flagged class (a β-lactamase class), else 0. */
  readonly flagged: Uint8Array;
}

/** One screen build: the references' letters and the packed shapes in, the index arrays out. */
export interface ScreenBuild {
  readonly letters: Uint8Array;
  readonly letterOffsets: Int32Array;
  readonly shapes: Int32Array;
  readonly maxOccurrences: number;
  /** Seeds of every shape over every reference: the room the native build allocates (the portable one ignores it). */
  readonly seeds: number;
}

export interface ScreenPostings {
  readonly shapeOffsets: Int32Array;
  readonly codes: Int32Array;
  readonly positions: Int32Array;
}

/** The postings with their directory and presence bits (ScreenIndex): what a cache keeps. */
export interface ScreenTables extends ScreenPostings {
  readonly directory: Int32Array;
  readonly presence: Int32Array;
}

/** One batch of queries to screen against an index. */
export interface ScreenBatch {
  readonly index: ScreenIndex;
  /** Queries as Murphy-10 letters and as BLOSUM62 codes (the same residues), concatenated. */
  readonly letters: Uint8Array;
  readonly queryCodes: CodeSet;
  /** Per query: the ungapped score a reference must reach to pass (screenPassScores). */
  readonly minScores: Int32Array;
  /**
   * Per query: the segment score with which a flagged reference flags it (screenFlagScores; at
   * least minScore). A flagged reference that passes below it is a passing reference like any other.
   */
  readonly flagScores: Int32Array;
  readonly xdrop: number;
  readonly topK: number;
  /** Index entries read per query seed (SCREEN_MAX_HITS_PER_SEED). */
  readonly maxHits: number;
  /** Out (queries): 1 when a flagged reference passed (then its outRefs are all -1). */
  readonly outFlagged: Uint8Array;
  /** Out (queries × topK): passing references, best ungapped score first (then lower index), -1 after. */
  readonly outRefs: Int32Array;
  /** Out (queries × topK): their best ungapped scores, 0 after the last one. */
  readonly outScores: Int32Array;
  /**
   * Out (queries × topK): the diagonal (query position − reference position) of each one's best
   * segment, 0 after the last one: where its gapped alignment lies.
   */
  readonly outDiagonals: Int32Array;
}

/** The screen's two loops (the native addon has both, native/seeds/screen.cc; the same results). */
export interface ScreenKernels {
  readonly build: (build: ScreenBuild) => ScreenPostings;
  readonly search: (batch: ScreenBatch) => void;
}

/** Packs shapes as [span, weight, used positions...] per shape. */
export function packScreenShapes(shapes: readonly string[]): Int32Array {
  const out: number[] = [];
  for (const shape of shapes) {
    if (!/^1[01]*1$/.test(shape)) {
      throw new RangeError(`screen shape '${shape}' must be 0/1 and start and end with 1`);
    }
    const used = Array.from(shape, (c, i) => (c === '1' ? i : -1)).filter((i) => i >= 0);
    if (used.length > 9) {
      // Codes must fit an int32: 10^9 < 2^31.
      throw new RangeError(`screen shape '${shape}' has more than 9 used positions`);
    }
    out.push(shape.length, used.length, ...used);
  }
  return Int32Array.from(out);
}

/**
 * The portable index build: per shape, every reference seed sorted by (code, position), and the
 * codes with more than maxOccurrences entries removed.
 */
export function buildScreenJs(b: ScreenBuild): ScreenPostings {
  const { letters, letterOffsets, shapes, maxOccurrences } = b;
  const nShapes = shapeCount(shapes);
  const shapeOffsets = new Int32Array(nShapes + 1);
  const allCodes: number[] = [];
  const allPositions: number[] = [];
  for (let s = 0, at = 0; s < nShapes; s++) {
    const span = shapes[at] as number;
    const w = shapes[at + 1] as number;
    const used = at + 2;
    at = used + w;
    const codes: number[] = [];
    const positions: number[] = [];
    for (let r = 0; r + 1 < letterOffsets.length; r++) {
      const to = letterOffsets[r + 1] as number;
      for (let pos = letterOffsets[r] as number; pos + span <= to; pos++) {
        const code = seedCodeAt(letters, pos, shapes, used, w);
        if (code >= 0) {
          codes.push(code);
          positions.push(pos);
        }
      }
    }
    // Positions are ascending already: a stable sort by code gives (code, position) order.
    const order = Array.from(codes.keys()).sort(
      (x, y) => (codes[x] as number) - (codes[y] as number) || x - y,
    );
    for (let run = 0; run < order.length;) {
      const code = codes[order[run] as number] as number;
      let end = run + 1;
      while (end < order.length && codes[order[end] as number] === code) {
        end++;
      }
      if (end - run <= maxOccurrences) {
        for (let e = run; e < end; e++) {
          allCodes.push(code);
          allPositions.push(positions[order[e] as number] as number);
        }
      }
      run = end;
    }
    shapeOffsets[s + 1] = allCodes.length;
  }
  return {
    shapeOffsets,
    codes: Int32Array.from(allCodes),
    positions: Int32Array.from(allPositions),
  };
}

/** The sequence holding position g of concatenated residues (the last one starting at or before it). */
function sequenceAt(offsets: Int32Array, g: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offsets[mid] as number) <= g) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  // Empty sequences start where the next one does: step past them.
  while (lo + 1 < offsets.length - 1 && (offsets[lo + 1] as number) <= g) {
    lo++;
  }
  return lo;
}

/** The first entry of codes[from .. to) with a code ≥ code (to if none). */
function lowerBound(codes: Int32Array, from: number, to: number, code: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((codes[mid] as number) < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

function shapeCount(shapes: Int32Array): number {
  let n = 0;
  for (let at = 0; at < shapes.length; at += 2 + (shapes[at + 1] as number)) {
    n++;
  }
  return n;
}

/**
 * The portable search (native/seeds/screen.cc does the same in the same order): per query, for
 * each shape (in order) and query position (ascending), the first maxHits index entries with the
 * seed's code are hits; a hit on a (reference, diagonal) whose earlier extension already reached
 * past this query position is skipped (a close relative would otherwise be extended along its whole
 * diagonal from every seed), any other is extended without gaps to both sides (X-drop) and the
 * reference keeps its best segment score. The query stops at the first flagged reference whose
 * segment reaches the query's flag score: it gets the full candidates (outFlagged 1, no references
 * out).
 */
export function searchScreenJs(b: ScreenBatch): void {
  const { index, letters, queryCodes, minScores, flagScores, xdrop, topK, maxHits } = b;
  const { outFlagged, outRefs, outScores, outDiagonals } = b;
  const { shapes, shapeOffsets, codes, positions, refCodes, flagged, directory } = index;
  const nShapes = shapeCount(shapes);
  const nRef = refCodes.offsets.length - 1;
  const best = new Int32Array(nRef).fill(-1);
  const bestDiagonal = new Int32Array(nRef);
  const touched: number[] = [];
  const covered = new Map<number, number>();
  const t = refCodes.codes;
  const qc = queryCodes.codes;
  const score = (a: number, c: number) =>
    BLOSUM62[(qc[a] as number) * BLOSUM62_SIZE + (t[c] as number)] as number;
  const queries = queryCodes.offsets.length - 1;
  for (let q = 0; q < queries; q++) {
    const qFrom = queryCodes.offsets[q] as number;
    const qTo = queryCodes.offsets[q + 1] as number;
    const minScore = minScores[q] as number;
    const flagScore = flagScores[q] as number;
    touched.length = 0;
    covered.clear();
    let flag = false;
    for (let s = 0, at = 0; s < nShapes && !flag; s++) {
      const span = shapes[at] as number;
      const w = shapes[at + 1] as number;
      const used = at + 2;
      at = used + w;
      for (let i = qFrom; i + span <= qTo && !flag; i++) {
        const code = seedCodeAt(letters, i, shapes, used, w);
        if (code < 0) {
          continue;
        }
        const slot = s * (DIRECTORY + 1) + (code >>> (30 - SCREEN_DIRECTORY_BITS));
        const shapeEnd = shapeOffsets[s + 1] as number;
        const first = lowerBound(
          codes,
          directory[slot] as number,
          directory[slot + 1] as number,
          code,
        );
        for (let e = first; e < shapeEnd && codes[e] === code && e - first < maxHits; e++) {
          const g = positions[e] as number;
          const r = sequenceAt(refCodes.offsets, g);
          const tFrom = refCodes.offsets[r] as number;
          const tTo = refCodes.offsets[r + 1] as number;
          // Diagonal in the pair's own coordinates; keys stay exact integers (< 2^53).
          const diagonal = i - qFrom - (g - tFrom);
          const key = r * 4_194_304 + diagonal + 2_097_152;
          const reach = covered.get(key);
          if (reach !== undefined && i < reach) {
            continue;
          }
          let sum = 0;
          for (let x = 0; x < span; x++) {
            sum += score(i + x, g + x);
          }
          let top = sum;
          let a = i + span;
          for (let c = g + span; a < qTo && c < tTo; a++, c++) {
            sum += score(a, c);
            if (sum > top) {
              top = sum;
            } else if (sum < top - xdrop) {
              break;
            }
          }
          covered.set(key, a);
          let left = 0;
          sum = 0;
          for (let a2 = i - 1, c = g - 1; a2 >= qFrom && c >= tFrom; a2--, c--) {
            sum += score(a2, c);
            if (sum > left) {
              left = sum;
            } else if (sum < left - xdrop) {
              break;
            }
          }
          const segment = top + left;
          const prior = best[r] as number;
          if (prior < 0) {
            touched.push(r);
          }
          if (segment > prior) {
            best[r] = segment;
            bestDiagonal[r] = diagonal;
          }
          if (segment >= flagScore && flagged[r] === 1) {
            // A flagged reference passed: the query gets the full candidates, nothing else is needed.
            flag = true;
            break;
          }
        }
      }
    }
    const passing = flag ? [] : touched.filter((r) => (best[r] as number) >= minScore);
    passing.sort((x, y) => (best[y] as number) - (best[x] as number) || x - y);
    outFlagged[q] = flag ? 1 : 0;
    for (let k = 0; k < topK; k++) {
      const r = passing[k];
      outRefs[q * topK + k] = r ?? -1;
      outScores[q * topK + k] = r === undefined ? 0 : (best[r] as number);
      outDiagonals[q * topK + k] = r === undefined ? 0 : (bestDiagonal[r] as number);
    }
    for (const r of touched) {
      best[r] = -1;
    }
  }
}

export const JS_SCREEN_KERNELS: ScreenKernels = { build: buildScreenJs, search: searchScreenJs };

/**
 * A code's presence bits (native/seeds/screen.cc presence_has): its block from the top bits of a
 * Fibonacci hash, three bit positions in the block from a second (murmur3-finaliser) hash, as
 * [word, mask] pairs relative to the shape's first word.
 */
export function presenceBits(code: number): [number, number, number, number, number, number] {
  const block = (Math.imul(code, 0x9e3779b1) >>> 0) >>> (32 - SCREEN_PRESENCE_BITS + 9);
  let h = Math.imul(code ^ (code >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  const base = block * PRESENCE_BLOCK_WORDS;
  const a = h & 511;
  const b = (h >>> 9) & 511;
  const c = (h >>> 18) & 511;
  return [
    base + (a >>> 5),
    1 << (a & 31),
    base + (b >>> 5),
    1 << (b & 31),
    base + (c >>> 5),
    1 << (c & 31),
  ];
}

/** Each shape's presence bits of its codes. */
function screenPresence(postings: ScreenPostings): Int32Array {
  const nShapes = postings.shapeOffsets.length - 1;
  const words = 2 ** SCREEN_PRESENCE_BITS / 32;
  const presence = new Int32Array(nShapes * words);
  for (let s = 0; s < nShapes; s++) {
    const base = s * words;
    let last = -1;
    for (
      let e = postings.shapeOffsets[s] as number;
      e < (postings.shapeOffsets[s + 1] as number);
      e++
    ) {
      const code = postings.codes[e] as number;
      if (code === last) {
        continue; // codes are sorted: a repeated code has its bits already
      }
      last = code;
      const [w1, m1, w2, m2, w3, m3] = presenceBits(code);
      presence[base + w1] = (presence[base + w1] as number) | m1;
      presence[base + w2] = (presence[base + w2] as number) | m2;
      presence[base + w3] = (presence[base + w3] as number) | m3;
    }
  }
  return presence;
}

/** Each shape's directory of its sorted codes by their top SCREEN_DIRECTORY_BITS bits. */
function screenDirectory(postings: ScreenPostings): Int32Array {
  const nShapes = postings.shapeOffsets.length - 1;
  const directory = new Int32Array(nShapes * (DIRECTORY + 1));
  for (let s = 0; s < nShapes; s++) {
    const base = s * (DIRECTORY + 1);
    const end = postings.shapeOffsets[s + 1] as number;
    let k = 0;
    for (let e = postings.shapeOffsets[s] as number; e < end; e++) {
      const top = (postings.codes[e] as number) >>> (30 - SCREEN_DIRECTORY_BITS);
      while (k <= top) {
        directory[base + k++] = e;
      }
    }
    directory.fill(end, base + k, base + DIRECTORY + 1);
  }
  return directory;
}

/**
 * What an index depends on besides the references (a cache key part: another version's shapes or
 * cut-offs never read this one's index).
 */
export const SCREEN_INDEX_KEY = `v4-s${SCREEN_SHAPES.join('-')}-o${SCREEN_MAX_OCCURRENCES}-d${SCREEN_DIRECTORY_BITS}-p${SCREEN_PRESENCE_BITS}b3`;

/** An index built earlier, and who to tell when one had to be built (a cache, like seed postings). */
export interface ScreenPostingsCache {
  readonly cached?: ScreenTables | undefined;
  readonly onBuilt?: ((tables: ScreenTables) => void) | undefined;
}

/** Whether cached postings fit these references and shapes (their entries are checked where read). */
function tablesFit(p: ScreenTables, nShapes: number, seeds: number): boolean {
  const n = p.codes.length;
  return (
    p.directory.length === nShapes * (DIRECTORY + 1) &&
    p.presence.length === (nShapes * 2 ** SCREEN_PRESENCE_BITS) / 32 &&
    p.shapeOffsets.length === nShapes + 1 &&
    p.shapeOffsets[0] === 0 &&
    p.shapeOffsets[nShapes] === n &&
    p.positions.length === n &&
    n <= seeds
  );
}

/** Builds the references' screen index (flagged: per reference, 1 for a flagged class). */
export function buildScreenIndex(
  sequences: readonly string[],
  refCodes: CodeSet,
  flagged: Uint8Array,
  kernels: ScreenKernels = JS_SCREEN_KERNELS,
  shapes: readonly string[] = SCREEN_SHAPES,
  cache: ScreenPostingsCache = {},
): ScreenIndex {
  const packed = packScreenShapes(shapes);
  const nShapes = shapeCount(packed);
  let seeds = 0;
  for (let at = 0; at < packed.length; at += 2 + (packed[at + 1] as number)) {
    for (const s of sequences) {
      seeds += Math.max(0, s.length - (packed[at] as number) + 1);
    }
  }
  const cached = cache.cached;
  let tables: ScreenTables;
  if (cached !== undefined && tablesFit(cached, nShapes, seeds)) {
    tables = cached;
  } else {
    const { letters, letterOffsets } = encodeAll(sequences);
    const postings = kernels.build({
      letters,
      letterOffsets,
      shapes: packed,
      maxOccurrences: SCREEN_MAX_OCCURRENCES,
      seeds,
    });
    tables = {
      ...postings,
      directory: screenDirectory(postings),
      presence: screenPresence(postings),
    };
    cache.onBuilt?.(tables);
  }
  return { shapes: packed, ...tables, refCodes, flagged };
}

/** Per query: whether a flagged reference passed, and up to topK passing references (best first). */
export interface ScreenResult {
  readonly flagged: Uint8Array;
  readonly refs: Int32Array;
  readonly scores: Int32Array;
  /** Each passing reference's best segment's diagonal (ScreenBatch.outDiagonals). */
  readonly diagonals: Int32Array;
  readonly topK: number;
}

/**
 * `base` for queries of up to `anchor` residues, then ln(m / anchor) / λ more (rounded up) for a
 * query of m residues: the expected number of chance segments at a score grows with m, so a longer
 * query is held to the chance rate of an anchor-length one.
 */
function lengthScaledScores(offsets: Int32Array, base: number, anchor: number): Int32Array {
  const n = Math.max(0, offsets.length - 1);
  const out = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const m = (offsets[q + 1] as number) - (offsets[q] as number);
    out[q] = m <= anchor ? base : base + Math.ceil(Math.log(m / anchor) / UNGAPPED_BLOSUM62_LAMBDA);
  }
  return out;
}

/**
 * Each query's flag score (anchor SCREEN_FLAG_ANCHOR): at a fixed score, long proteome proteins
 * were flagged by spurious β-lactamase segments (a 4,000-residue protein has ten times the chance
 * segments) and took the full candidates: half the proteome's Smith-Waterman cells. The references
 * such a query passes below its flag score are still aligned (its passing references).
 */
export function screenFlagScores(offsets: Int32Array, base = SCREEN_MIN_SCORE): Int32Array {
  return lengthScaledScores(offsets, base, SCREEN_FLAG_ANCHOR);
}

/** Each query's pass score (anchor SCREEN_PASS_ANCHOR). */
export function screenPassScores(offsets: Int32Array, base = SCREEN_MIN_SCORE): Int32Array {
  return lengthScaledScores(offsets, base, SCREEN_PASS_ANCHOR);
}

export function screenQueries(
  index: ScreenIndex,
  sequences: readonly string[],
  queryCodes: CodeSet,
  topK: number,
  kernels: ScreenKernels = JS_SCREEN_KERNELS,
  minScore = SCREEN_MIN_SCORE,
): ScreenResult {
  const n = sequences.length;
  const { letters } = encodeAll(sequences);
  const result = {
    flagged: new Uint8Array(n),
    refs: new Int32Array(n * topK),
    scores: new Int32Array(n * topK),
    diagonals: new Int32Array(n * topK),
    topK,
  };
  kernels.search({
    index,
    letters,
    queryCodes,
    minScores: screenPassScores(queryCodes.offsets, minScore),
    flagScores: screenFlagScores(queryCodes.offsets, minScore),
    xdrop: SCREEN_XDROP,
    topK,
    maxHits: SCREEN_MAX_HITS_PER_SEED,
    outFlagged: result.flagged,
    outRefs: result.refs,
    outScores: result.scores,
    outDiagonals: result.diagonals,
  });
  return result;
}
