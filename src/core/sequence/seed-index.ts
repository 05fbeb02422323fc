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

/** Positional postings of one shape: for each seed code, the (reference, position) pairs (CSR). */
interface Postings {
  readonly shape: Shape;
  readonly offsets: Int32Array;
  readonly refs: Int32Array;
  readonly positions: Int32Array;
}

function buildPostings(encoded: readonly Uint8Array[], shape: Shape): Postings {
  const counts = new Int32Array(shape.codes + 1);
  for (const letters of encoded) {
    forEachSeed(letters, shape, (code) => {
      counts[code + 1] = (counts[code + 1] as number) + 1;
    });
  }
  for (let c = 0; c < shape.codes; c++) {
    counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  }
  const total = counts[shape.codes] as number;
  const refs = new Int32Array(total);
  const positions = new Int32Array(total);
  const fill = counts.slice(0, shape.codes);
  encoded.forEach((letters, ref) => {
    forEachSeed(letters, shape, (code, pos) => {
      const at = fill[code] as number;
      refs[at] = ref;
      positions[at] = pos;
      fill[code] = at + 1;
    });
  });
  return { shape, offsets: counts, refs, positions };
}

/** Builds the index over the references (indices in `sequences` order). */
export function buildSeedIndex(
  sequences: readonly string[],
  options: SeedIndexOptions = {},
): SeedIndex {
  const shapes = (options.shapes ?? DEFAULT_SHAPES).map(parseShape);
  const encoded = sequences.map(encode);
  const postings = shapes.map((s) => buildPostings(encoded, s));
  const maxOccurrences = options.maxOccurrences ?? 64;
  const n = sequences.length;
  // Per-search scratch: band counters per reference (cyclic), best band-pair count per reference.
  // 8-bit counters keep the whole table in cache (random access dominates); a band saturates at 255.
  const bands = new Uint8Array(n * BANDS);
  const best = new Int32Array(n);
  const touched = new Int32Array(n);

  let queryCodes = new Int32Array(0);
  // Band counters set by this search (reset afterwards: far fewer than all bands of touched references).
  let setSlots = new Int32Array(1024);

  function search(query: string, topK: number, minHits = 2): SeedCandidate[] {
    const q = encode(query);
    let nTouched = 0;
    let nSet = 0;
    if (queryCodes.length < q.length) {
      queryCodes = new Int32Array(q.length * 2);
    }
    for (const p of postings) {
      // The query's seed codes first (no callback in the hot loop), -1 where a seed is invalid.
      const last = q.length - p.shape.span;
      let seeds = 0;
      queryCodes.fill(-1, 0, Math.max(last + 1, 0));
      forEachSeed(q, p.shape, (code, pos) => {
        queryCodes[pos] = code;
        seeds++;
      });
      if (seeds === 0) {
        continue;
      }
      const { offsets, refs, positions } = p;
      for (let qPos = 0; qPos <= last; qPos++) {
        const code = queryCodes[qPos] as number;
        if (code < 0) {
          continue;
        }
        const start = offsets[code] as number;
        const end = offsets[code + 1] as number;
        if (end - start > maxOccurrences) {
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
            if (nSet === setSlots.length) {
              const grown = new Int32Array(nSet * 2);
              grown.set(setSlots);
              setSlots = grown;
            }
            setSlots[nSet++] = row + band;
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
    }
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
    for (let i = 0; i < nSet; i++) {
      bands[setSlots[i] as number] = 0;
    }
    return out;
  }

  return { size: n, search };
}
