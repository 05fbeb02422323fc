// Sensitive candidate search: spaced seeds over a reduced alphabet, ranked by hits on one diagonal band.
// Finds distant homologs (25-35% identity) that embedding similarity misses, at a few microseconds per query.

import { translateSequences } from './byte-codes.ts';

/**
 * Residue groups (Murphy, Wang & Wang 2000, 10 letters): BLOSUM-similar residues share a letter, so a
 * distant homolog shares more seeds. Anything else (X, B, Z, ...) breaks seeds.
 */
const GROUPS = ['LVIM', 'C', 'A', 'G', 'ST', 'P', 'FYW', 'EDNQ', 'KR', 'H'] as const;
const BASE = GROUPS.length;
const NONE = 255;

/**
 * Spaced seed shapes ("1" = position used): four weight-6 shapes (10^6 codes each); a hit needs the same
 * reduced letters at the used positions. More shapes give a true homolog more chances (bench/decision-lab.ts).
 */
export const DEFAULT_SHAPES: readonly string[] = ['1110111', '11011011', '111010011', '1101100011'];

/** Diagonal band width (residues); counters are kept for BANDS bands per reference, cyclically. */
const BAND_SHIFT = 5;
const BANDS = 64;

export interface SeedIndexOptions {
  readonly shapes?: readonly string[];
  /**
   * Seeds occurring more often than this among the references are skipped (low-complexity words such
   * as LLLLLL match everything and carry no signal; BLAST and DIAMOND mask them too). Default 256.
   */
  readonly maxOccurrences?: number;
  /** The search and postings loops (default: the TypeScript ones; the native addon's are faster). */
  readonly kernels?: SeedKernels;
  /**
   * Postings built earlier for the same sequences and shapes (e.g. read from a cache keyed by them,
   * see SeedIndex.postings). Used when their sizes fit these sequences and shapes, else built again;
   * that they belong to these very sequences is the caller's to ensure (its cache key).
   */
  readonly postings?: SeedPostings | undefined;
}

export interface SeedCandidate {
  readonly reference: number;
  /** Seed hits in the best pair of adjacent diagonal bands. */
  readonly hits: number;
}

export interface SeedIndex {
  readonly size: number;
  /** The index's postings, to be kept (cached) and given back through SeedIndexOptions.postings. */
  readonly postings: SeedPostings;
  /** The `topK` references with the most seed hits on one diagonal band (at least minHits), best first. */
  search(query: string, topK: number, minHits?: number): SeedCandidate[];
  /** search() for many queries at once (one call of the searcher: native code runs it on two threads). */
  searchBatch(queries: readonly string[], topK: number, minHits?: number): SeedBatchResult;
}

function letterTable(): Uint8Array {
  const table = new Uint8Array(256).fill(NONE);
  GROUPS.forEach((group, letter) => {
    for (const ch of group) {
      table[ch.charCodeAt(0)] = letter;
      table[ch.toLowerCase().charCodeAt(0)] = letter;
    }
  });
  return table;
}

const TABLE = letterTable();

/**
 * Sequences as Murphy-10 letters (255 = out of the alphabet), concatenated: sequence i is
 * letters[letterOffsets[i] .. [i + 1]]. Also the alphabet of the ungapped screen (ungapped-screen.ts).
 */
export function encodeAll(sequences: readonly string[]): {
  letters: Uint8Array;
  letterOffsets: Int32Array;
} {
  const { codes, offsets } = translateSequences(sequences, TABLE, () => NONE);
  return { letters: codes, letterOffsets: offsets };
}

interface Shape {
  readonly offsets: readonly number[];
  readonly span: number;
  readonly codes: number;
}

function parseShape(shape: string): Shape {
  if (!/^1[01]*1$|^1$/.test(shape)) {
    throw new RangeError(`seed shape '${shape}' must be 0/1 and start and end with 1`);
  }
  const offsets = Array.from(shape, (c, i) => (c === '1' ? i : -1)).filter((i) => i >= 0);
  const codes = BASE ** offsets.length;
  if (codes > 1 << 24) {
    throw new RangeError(`seed shape '${shape}' has too many positions`);
  }
  return { offsets, span: shape.length, codes };
}

/**
 * Positional postings of all shapes in one CSR layout: shape s's code c has its (reference, position)
 * pairs at offsets[base_s + c] .. offsets[base_s + c + 1] of refs/positions.
 */
export interface SeedPostings {
  readonly offsets: Int32Array;
  readonly refs: Int32Array;
  readonly positions: Int32Array;
}

/** The arrays of one postings build (see PostingsBuilder). */
export interface PostingsBuild {
  /** The references as Murphy-10 letters (255 = out of alphabet), concatenated. */
  readonly letters: Uint8Array;
  readonly letterOffsets: Int32Array;
  /** Packed shapes, as in SeedSearchBatch. */
  readonly shapes: Int32Array;
  /** Out: totalCodes + 1 CSR offsets (all zero on entry). */
  readonly offsets: Int32Array;
  /** Out: reference and position of each seed, room for every seed. */
  readonly refs: Int32Array;
  readonly positions: Int32Array;
}

/**
 * Builds the postings (a counting sort of every reference seed by code, references and positions in
 * ascending order within a code) and returns how many seeds there are. The native addon provides the
 * same function (native/seeds, seedPostings); buildPostingsJs is the portable one.
 */
export type PostingsBuilder = (build: PostingsBuild) => number;

/**
 * The code of the seed at letters[pos] whose used positions are shapes[used .. used + weight), or
 * -1 if one of its letters is out of the alphabet. Also the ungapped screen's (ungapped-screen.ts).
 */
export function seedCodeAt(
  letters: Uint8Array,
  pos: number,
  shapes: Int32Array,
  used: number,
  weight: number,
): number {
  let code = 0;
  for (let u = 0; u < weight; u++) {
    const l = letters[pos + (shapes[used + u] as number)] as number;
    if (l === NONE) {
      return -1;
    }
    code = code * BASE + l;
  }
  return code;
}

/** Calls visit(code, sequence, position) for every seed without an out-of-alphabet letter. */
function forEachSeed(
  build: Pick<PostingsBuild, 'letters' | 'letterOffsets' | 'shapes'>,
  visit: (index: number, ref: number, pos: number) => void,
): void {
  const { letters, letterOffsets, shapes } = build;
  for (let s = 0; s < shapes.length;) {
    const base = shapes[s] as number;
    const span = shapes[s + 1] as number;
    const weight = shapes[s + 2] as number;
    const used = s + 3;
    s = used + weight;
    for (let ref = 0; ref + 1 < letterOffsets.length; ref++) {
      const from = letterOffsets[ref] as number;
      const to = letterOffsets[ref + 1] as number;
      for (let pos = from; pos + span <= to; pos++) {
        const code = seedCodeAt(letters, pos, shapes, used, weight);
        if (code >= 0) {
          visit(base + code, ref, pos - from);
        }
      }
    }
  }
}

export const buildPostingsJs: PostingsBuilder = (b) => {
  const { offsets, refs, positions } = b;
  const totalCodes = offsets.length - 1;
  forEachSeed(b, (index) => {
    offsets[index + 1] = (offsets[index + 1] as number) + 1;
  });
  for (let c = 0; c < totalCodes; c++) {
    offsets[c + 1] = (offsets[c + 1] as number) + (offsets[c] as number);
  }
  const fill = offsets.slice(0, totalCodes);
  forEachSeed(b, (index, ref, pos) => {
    const at = fill[index] as number;
    refs[at] = ref;
    positions[at] = pos;
    fill[index] = at + 1;
  });
  return offsets[totalCodes] as number;
};

/** The two hot loops of the seed index (the native addon has both). */
export interface SeedKernels {
  readonly search: SeedSearcher;
  readonly postings: PostingsBuilder;
}

/**
 * One batch of seed searches (see SeedSearcher): the index's postings and shapes, the queries as
 * reduced letters, and the output arrays.
 */
export interface SeedSearchBatch {
  readonly offsets: Int32Array;
  readonly refs: Int32Array;
  readonly positions: Int32Array;
  /**
   * The shapes, packed: per shape [base (its first code in offsets), span, weight, then `weight`
   * used positions].
   */
  readonly shapes: Int32Array;
  /** Number of references (ref ids in postings are below it). */
  readonly references: number;
  /** Postings longer than this are skipped. */
  readonly maxOccurrences: number;
  /** Queries as Murphy-10 letters (255 = out of alphabet), concatenated. */
  readonly letters: Uint8Array;
  /** Query q is letters[letterOffsets[q] .. letterOffsets[q + 1]]. */
  readonly letterOffsets: Int32Array;
  readonly topK: number;
  readonly minHits: number;
  /** Out (queries × topK): the candidates of each query, best first, -1 after the last one. */
  readonly outRefs: Int32Array;
  /** Out (queries × topK): their hits (best adjacent-band-pair count), 0 after the last one. */
  readonly outHits: Int32Array;
}

/**
 * The search's hot loop over a batch of queries: per query, count seed hits per reference and
 * diagonal band (64 cyclic 8-bit counters of 32 diagonals), keep each reference's best pair of
 * adjacent bands, and write the topK references with at least minHits (most hits first, then
 * lower index). The native addon provides the same function on two threads (native/seeds,
 * seedSearch); searchSeedsJs is the portable one.
 */
export type SeedSearcher = (batch: SeedSearchBatch) => void;

export const searchSeedsJs: SeedSearcher = (b) => {
  const { offsets, refs, positions, shapes, letters, letterOffsets, outRefs, outHits } = b;
  const { topK, minHits, maxOccurrences } = b;
  const bands = new Uint8Array(b.references * BANDS);
  const best = new Int32Array(b.references);
  const touched = new Int32Array(b.references);
  const setSlots: number[] = [];
  const queries = letterOffsets.length - 1;
  for (let q = 0; q < queries; q++) {
    const from = letterOffsets[q] as number;
    const to = letterOffsets[q + 1] as number;
    let nTouched = 0;
    for (let s = 0; s < shapes.length;) {
      const base = shapes[s] as number;
      const span = shapes[s + 1] as number;
      const weight = shapes[s + 2] as number;
      const used = s + 3;
      s = used + weight;
      for (let pos = from; pos + span <= to; pos++) {
        const code = seedCodeAt(letters, pos, shapes, used, weight);
        if (code < 0) {
          continue;
        }
        const start = offsets[base + code] as number;
        const end = offsets[base + code + 1] as number;
        // Each range is checked where it is read (as native/seeds/seeds.cc does): cached postings
        // are not scanned at load (a pass over their millions of offsets cost ~12 ms per start-up).
        if (!(start >= 0 && end >= start && end <= refs.length) || end - start > maxOccurrences) {
          continue;
        }
        const qPos = pos - from;
        for (let at = start; at < end; at++) {
          const ref = refs[at] as number;
          // Diagonal = reference position − query position, offset to stay positive.
          const band = (((positions[at] as number) - qPos + (1 << 20)) >> BAND_SHIFT) & (BANDS - 1);
          const row = ref * BANDS;
          const v = (bands[row + band] as number) + 1;
          if (v > 255) {
            continue;
          }
          bands[row + band] = v;
          if (v === 1) {
            setSlots.push(row + band);
          }
          const below = bands[row + ((band + BANDS - 1) & (BANDS - 1))] as number;
          const above = bands[row + ((band + 1) & (BANDS - 1))] as number;
          const pair = v + (below > above ? below : above);
          const previous = best[ref] as number;
          if (previous === 0) {
            touched[nTouched++] = ref;
          }
          if (pair > previous) {
            best[ref] = pair;
          }
        }
      }
    }
    for (const slot of setSlots) {
      bands[slot] = 0;
    }
    setSlots.length = 0;
    const picked: number[] = [];
    for (let t = 0; t < nTouched; t++) {
      const ref = touched[t] as number;
      if ((best[ref] as number) >= minHits) {
        picked.push(ref);
      }
    }
    picked.sort((x, y) => (best[y] as number) - (best[x] as number) || x - y);
    for (let k = 0; k < topK; k++) {
      const ref = picked[k];
      outRefs[q * topK + k] = ref ?? -1;
      outHits[q * topK + k] = ref === undefined ? 0 : (best[ref] as number);
    }
    for (let t = 0; t < nTouched; t++) {
      best[touched[t] as number] = 0;
    }
  }
};

/** The candidates of a batch of queries (queries × topK, best first; -1 / 0 after the last one). */
export interface SeedBatchResult {
  readonly topK: number;
  readonly refs: Int32Array;
  readonly hits: Int32Array;
}

export const JS_SEED_KERNELS: SeedKernels = { search: searchSeedsJs, postings: buildPostingsJs };

function buildPostings(
  encoded: { readonly letters: Uint8Array; readonly letterOffsets: Int32Array },
  packedShapes: Int32Array,
  totalCodes: number,
  room: number,
  kernels: SeedKernels,
): SeedPostings {
  const offsets = new Int32Array(totalCodes + 1);
  const refs = new Int32Array(room);
  const positions = new Int32Array(room);
  const total = kernels.postings({
    ...encoded,
    shapes: packedShapes,
    offsets,
    refs,
    positions,
  });
  return { offsets, refs: refs.subarray(0, total), positions: positions.subarray(0, total) };
}

/**
 * Whether given postings have the sizes of these sequences' and shapes'. Their offsets are not
 * scanned: both searches check each posting range where they read it.
 */
function postingsFit(p: SeedPostings, totalCodes: number, room: number): boolean {
  const total = p.refs.length;
  return (
    p.offsets.length === totalCodes + 1 &&
    p.positions.length === total &&
    total <= room &&
    p.offsets[0] === 0 &&
    p.offsets[totalCodes] === total
  );
}

/** Builds the index over the references (indices in `sequences` order). */
export function buildSeedIndex(
  sequences: readonly string[],
  options: SeedIndexOptions = {},
): SeedIndex {
  const shapes = (options.shapes ?? DEFAULT_SHAPES).map(parseShape);
  const maxOccurrences = options.maxOccurrences ?? 64;
  const kernels = options.kernels ?? JS_SEED_KERNELS;
  const bases: number[] = [];
  let totalCodes = 0;
  for (const shape of shapes) {
    bases.push(totalCodes);
    totalCodes += shape.codes;
  }
  const packedShapes = Int32Array.from(
    shapes.flatMap((shape, s) => [
      bases[s] as number,
      shape.span,
      shape.offsets.length,
      ...shape.offsets,
    ]),
  );
  // Room for every seed position (seeds with an out-of-alphabet letter are left out).
  let room = 0;
  for (const seq of sequences) {
    for (const shape of shapes) {
      room += Math.max(0, seq.length - shape.span + 1);
    }
  }
  const given = options.postings;
  const postings: SeedPostings =
    given !== undefined && postingsFit(given, totalCodes, room)
      ? given
      : // Encoded only for a build: a cached index does not need the references' letters.
        buildPostings(encodeAll(sequences), packedShapes, totalCodes, room, kernels);
  function searchBatch(queries: readonly string[], topK: number, minHits = 2): SeedBatchResult {
    const { letters, letterOffsets } = encodeAll(queries);
    const refs = new Int32Array(queries.length * topK).fill(-1);
    const hits = new Int32Array(queries.length * topK);
    if (topK > 0 && sequences.length > 0) {
      kernels.search({
        offsets: postings.offsets,
        refs: postings.refs,
        positions: postings.positions,
        shapes: packedShapes,
        references: sequences.length,
        maxOccurrences,
        letters,
        letterOffsets,
        topK,
        minHits: Math.max(1, minHits),
        outRefs: refs,
        outHits: hits,
      });
    }
    return { topK, refs, hits };
  }

  function search(query: string, topK: number, minHits = 2): SeedCandidate[] {
    const found = searchBatch([query], topK, minHits);
    const out: SeedCandidate[] = [];
    for (let k = 0; k < topK && (found.refs[k] as number) >= 0; k++) {
      out.push({ reference: found.refs[k] as number, hits: found.hits[k] as number });
    }
    return out;
  }

  return { size: sequences.length, postings, search, searchBatch };
}
