// Sensitive candidate search: spaced seeds over a reduced alphabet, ranked by hits on one diagonal band.
// Finds distant homologs (25-35% identity) that embedding similarity misses, at a few microseconds per query.

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
  /** The search loop (default: searchSeedsJs; the native addon's is faster). */
  readonly searcher?: SeedSearcher;
}

export interface SeedCandidate {
  readonly reference: number;
  /** Seed hits in the best pair of adjacent diagonal bands. */
  readonly hits: number;
}

export interface SeedIndex {
  readonly size: number;
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

function encodeInto(seq: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < seq.length; i++) {
    const c = seq.charCodeAt(i);
    out[at + i] = c < 256 ? (TABLE[c] as number) : NONE;
  }
}

function encode(seq: string): Uint8Array {
  const out = new Uint8Array(seq.length);
  encodeInto(seq, out, 0);
  return out;
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

/** Calls visit(code, position) for every seed of the shape that has no out-of-alphabet letter. */
function forEachSeed(
  letters: Uint8Array,
  shape: Shape,
  visit: (code: number, pos: number) => void,
): void {
  const last = letters.length - shape.span;
  outer: for (let pos = 0; pos <= last; pos++) {
    let code = 0;
    for (const o of shape.offsets) {
      const l = letters[pos + o] as number;
      if (l === NONE) {
        continue outer;
      }
      code = code * BASE + l;
    }
    visit(code, pos);
  }
}

/**
 * Positional postings of all shapes in one CSR layout: shape s's code c has its (reference, position)
 * pairs at offsets[base_s + c] .. offsets[base_s + c + 1] of refs/positions.
 */
interface Postings {
  readonly offsets: Int32Array;
  readonly refs: Int32Array;
  readonly positions: Int32Array;
  /** Index of each shape's first code in offsets. */
  readonly bases: readonly number[];
}

function buildPostings(encoded: readonly Uint8Array[], shapes: readonly Shape[]): Postings {
  const bases: number[] = [];
  let totalCodes = 0;
  for (const shape of shapes) {
    bases.push(totalCodes);
    totalCodes += shape.codes;
  }
  const counts = new Int32Array(totalCodes + 1);
  shapes.forEach((shape, s) => {
    const base = bases[s] as number;
    for (const letters of encoded) {
      forEachSeed(letters, shape, (code) => {
        counts[base + code + 1] = (counts[base + code + 1] as number) + 1;
      });
    }
  });
  for (let c = 0; c < totalCodes; c++) {
    counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  }
  const total = counts[totalCodes] as number;
  const refs = new Int32Array(total);
  const positions = new Int32Array(total);
  const fill = counts.slice(0, totalCodes);
  shapes.forEach((shape, s) => {
    const base = bases[s] as number;
    encoded.forEach((letters, ref) => {
      forEachSeed(letters, shape, (code, pos) => {
        const at = fill[base + code] as number;
        refs[at] = ref;
        positions[at] = pos;
        fill[base + code] = at + 1;
      });
    });
  });
  return { offsets: counts, refs, positions, bases };
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
 * lower index). The native addon provides the same function on two threads (native/kernels.cc
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
      seeds: for (let pos = from; pos + span <= to; pos++) {
        let code = 0;
        for (let u = 0; u < weight; u++) {
          const l = letters[pos + (shapes[used + u] as number)] as number;
          if (l === NONE) {
            continue seeds;
          }
          code = code * BASE + l;
        }
        const start = offsets[base + code] as number;
        const end = offsets[base + code + 1] as number;
        if (end - start > maxOccurrences) {
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

/** Builds the index over the references (indices in `sequences` order). */
export function buildSeedIndex(
  sequences: readonly string[],
  options: SeedIndexOptions = {},
): SeedIndex {
  const shapes = (options.shapes ?? DEFAULT_SHAPES).map(parseShape);
  const encoded = sequences.map(encode);
  const postings = buildPostings(encoded, shapes);
  const maxOccurrences = options.maxOccurrences ?? 64;
  const searcher = options.searcher ?? searchSeedsJs;
  const packedShapes = Int32Array.from(
    shapes.flatMap((shape, s) => [
      postings.bases[s] as number,
      shape.span,
      shape.offsets.length,
      ...shape.offsets,
    ]),
  );

  function searchBatch(queries: readonly string[], topK: number, minHits = 2): SeedBatchResult {
    const letterOffsets = new Int32Array(queries.length + 1);
    queries.forEach((q, i) => (letterOffsets[i + 1] = (letterOffsets[i] as number) + q.length));
    const letters = new Uint8Array(letterOffsets[queries.length] as number);
    queries.forEach((q, i) => encodeInto(q, letters, letterOffsets[i] as number));
    const refs = new Int32Array(queries.length * topK).fill(-1);
    const hits = new Int32Array(queries.length * topK);
    if (topK > 0 && sequences.length > 0) {
      searcher({
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

  return { size: sequences.length, search, searchBatch };
}
