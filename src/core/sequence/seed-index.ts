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
  /** The band-counting loop (default: countBandsJs; the native addon's is faster). */
  readonly countBands?: BandCounter;
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

function encode(seq: string): Uint8Array {
  const out = new Uint8Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    out[i] = TABLE[seq.charCodeAt(i) & 0xff] as number;
  }
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

/** The arrays of one band-counting call (see BandCounter). */
export interface BandCounting {
  readonly offsets: Int32Array;
  readonly refs: Int32Array;
  readonly positions: Int32Array;
  /** Per query seed: its index into offsets (shape base + code). */
  readonly seedCodes: Int32Array;
  /** Per query seed: its position in the query. */
  readonly seedPositions: Int32Array;
  readonly seeds: number;
  /** Postings longer than this are skipped. */
  readonly maxOccurrences: number;
  /** Scratch, all zero on entry and left all zero: n × 64 band counters. */
  readonly bands: Uint8Array;
  /** Out: best adjacent-band-pair count per reference (all zero on entry). */
  readonly best: Int32Array;
  /** Out: the references with a non-zero best, in first-hit order. */
  readonly touched: Int32Array;
}

/**
 * The hot loop of the search: count seed hits per reference and diagonal band, keep each reference's
 * best pair of adjacent bands; returns how many references were touched. The native addon provides
 * the same function (native/kernels.cc seedBands); this is the portable one.
 */
export type BandCounter = (c: BandCounting) => number;

export const countBandsJs: BandCounter = (c) => {
  const { offsets, refs, positions, seedCodes, seedPositions, bands, best, touched } = c;
  let nTouched = 0;
  // Band counters set by this call, to reset afterwards (far fewer than all bands of touched references).
  const setSlots: number[] = [];
  for (let i = 0; i < c.seeds; i++) {
    const index = seedCodes[i] as number;
    const qPos = seedPositions[i] as number;
    const start = offsets[index] as number;
    const end = offsets[index + 1] as number;
    if (end - start > c.maxOccurrences) {
      continue;
    }
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
      const b = best[ref] as number;
      if (b === 0) {
        touched[nTouched++] = ref;
      }
      if (pair > b) {
        best[ref] = pair;
      }
    }
  }
  for (const slot of setSlots) {
    bands[slot] = 0;
  }
  return nTouched;
};

/** Builds the index over the references (indices in `sequences` order). */
export function buildSeedIndex(
  sequences: readonly string[],
  options: SeedIndexOptions = {},
): SeedIndex {
  const shapes = (options.shapes ?? DEFAULT_SHAPES).map(parseShape);
  const encoded = sequences.map(encode);
  const postings = buildPostings(encoded, shapes);
  const maxOccurrences = options.maxOccurrences ?? 64;
  const countBands = options.countBands ?? countBandsJs;
  const n = sequences.length;
  // Per-search scratch: band counters per reference (cyclic), best band-pair count per reference.
  // 8-bit counters keep the whole table in cache (random access dominates); a band saturates at 255.
  const bands = new Uint8Array(n * BANDS);
  const best = new Int32Array(n);
  const touched = new Int32Array(n);
  let seedCodes = new Int32Array(0);
  let seedPositions = new Int32Array(0);

  function search(query: string, topK: number, minHits = 2): SeedCandidate[] {
    const q = encode(query);
    if (seedCodes.length < q.length * shapes.length) {
      seedCodes = new Int32Array(q.length * shapes.length * 2);
      seedPositions = new Int32Array(q.length * shapes.length * 2);
    }
    let seeds = 0;
    shapes.forEach((shape, s) => {
      const base = postings.bases[s] as number;
      forEachSeed(q, shape, (code, pos) => {
        seedCodes[seeds] = base + code;
        seedPositions[seeds] = pos;
        seeds++;
      });
    });
    const nTouched =
      seeds === 0
        ? 0
        : countBands({
            offsets: postings.offsets,
            refs: postings.refs,
            positions: postings.positions,
            seedCodes,
            seedPositions,
            seeds,
            maxOccurrences,
            bands,
            best,
            touched,
          });
    const picked: number[] = [];
    for (let t = 0; t < nTouched; t++) {
      const ref = touched[t] as number;
      if ((best[ref] as number) >= minHits) {
        picked.push(ref);
      }
    }
    picked.sort((a, b) => (best[b] as number) - (best[a] as number) || a - b);
    const out = picked
      .slice(0, topK)
      .map((reference) => ({ reference, hits: best[reference] as number }));
    for (let t = 0; t < nTouched; t++) {
      best[touched[t] as number] = 0;
    }
    return out;
  }

  return { size: n, search };
}
