// K-mer prefilter: an inverted index over reference proteins that ranks candidates by shared k-mers before alignment.

/** Residue alphabets for k-mers; Murphy-10 merges BLOSUM-similar residues, so distant homologs share more words. */
export type KmerAlphabet = 'aa20' | 'murphy10';

const GROUPS: Readonly<Record<KmerAlphabet, readonly string[]>> = {
  aa20: 'ACDEFGHIKLMNPQRSTVWY'.split(''),
  // Murphy, Wang & Wang (2000), the same 10 groups as the built-in embedder's alphabet.
  murphy10: ['LVIM', 'C', 'A', 'G', 'ST', 'P', 'FYW', 'EDNQ', 'KR', 'H'],
};

/** Letter code for anything outside the alphabet (X, B, Z...): k-mers containing it are skipped. */
const NONE = 255;

function letterTable(alphabet: KmerAlphabet): Uint8Array {
  const table = new Uint8Array(256).fill(NONE);
  GROUPS[alphabet].forEach((group, letter) => {
    for (const ch of group) {
      table[ch.charCodeAt(0)] = letter;
      table[ch.toLowerCase().charCodeAt(0)] = letter;
    }
  });
  return table;
}

export interface KmerIndexOptions {
  /** Word length (default 3 for aa20, 4 for murphy10; alphabet size^k must stay ≤ 2^24). */
  readonly k?: number;
  /** Default 'aa20'. */
  readonly alphabet?: KmerAlphabet;
}

export interface KmerSearchOptions {
  /** How many candidates to return (default 10). */
  readonly topK?: number;
  /** Only references with mask[ref] !== 0 are candidates (e.g. the current cluster representatives). */
  readonly mask?: Uint8Array;
  /** References sharing fewer distinct k-mers are dropped (default 1). */
  readonly minShared?: number;
  /**
   * Re-rank by the best diagonal band (k-mer hits on the same alignment diagonal ± bandWidth/2), which
   * separates a real gapless core from scattered chance hits. Computed for the top `4 * topK` by shared
   * count. Default true.
   */
  readonly diagonal?: boolean;
  /** Diagonal band width in residues (default 16). */
  readonly bandWidth?: number;
  /** Skip this reference (e.g. the query itself when the query is in the index). */
  readonly exclude?: number;
}

export interface KmerCandidate {
  /** Index of the reference in the array given to buildKmerIndex. */
  readonly reference: number;
  /** Distinct k-mers shared with the query. */
  readonly shared: number;
  /** K-mer hits in the best diagonal band (0 when diagonal ranking is off). */
  readonly diagonalHits: number;
  /**
   * Centre of that band as reference position − query position (0 when off); the alignment's diagonals
   * lie near it, so a banded alignment can be centred there.
   */
  readonly diagonal: number;
}

export interface KmerIndex {
  readonly k: number;
  readonly alphabet: KmerAlphabet;
  readonly size: number;
  /** Candidates best first: by diagonal hits (if on), then shared k-mers, then lower reference index. */
  search(query: string, options?: KmerSearchOptions): KmerCandidate[];
}

/** Letter codes of `seq` in the alphabet (NONE for residues outside it). */
function encode(seq: string, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    out[i] = table[seq.charCodeAt(i) & 0xff] as number;
  }
  return out;
}

/**
 * Calls visit(code, position) for every k-mer without an out-of-alphabet letter, with a rolling code
 * (code = Σ letter · base^(k-1-offset)).
 */
function forEachKmer(
  letters: Uint8Array,
  k: number,
  base: number,
  top: number,
  visit: (code: number, pos: number) => void,
): void {
  let code = 0;
  let valid = 0;
  for (let i = 0; i < letters.length; i++) {
    const l = letters[i] as number;
    if (l === NONE) {
      valid = 0;
      code = 0;
      continue;
    }
    code = (code % top) * base + l;
    valid++;
    if (valid >= k) {
      visit(code, i - k + 1);
    }
  }
}

/** Builds the index (CSR posting lists of distinct references per k-mer). */
export function buildKmerIndex(
  sequences: readonly string[],
  options: KmerIndexOptions = {},
): KmerIndex {
  const alphabet = options.alphabet ?? 'aa20';
  const base = GROUPS[alphabet].length;
  const k = options.k ?? (alphabet === 'aa20' ? 3 : 4);
  const codes = base ** k;
  if (!Number.isInteger(k) || k < 1 || codes > 1 << 24) {
    throw new RangeError(`k-mer size ${k} is out of range for alphabet ${alphabet}`);
  }
  const top = base ** (k - 1);
  const table = letterTable(alphabet);
  const encoded = sequences.map((s) => encode(s, table));
  const n = encoded.length;

  // Two passes (count, fill) so the postings are one Int32Array; lastRef dedupes a k-mer within a sequence.
  const counts = new Int32Array(codes + 1);
  const lastRef = new Int32Array(codes).fill(-1);
  encoded.forEach((letters, ref) => {
    forEachKmer(letters, k, base, top, (code) => {
      if (lastRef[code] !== ref) {
        lastRef[code] = ref;
        counts[code + 1] = (counts[code + 1] as number) + 1;
      }
    });
  });
  for (let c = 0; c < codes; c++) {
    counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
  }
  const offsets = counts;
  const postings = new Int32Array(offsets[codes] as number);
  const fill = offsets.slice(0, codes);
  lastRef.fill(-1);
  encoded.forEach((letters, ref) => {
    forEachKmer(letters, k, base, top, (code) => {
      if (lastRef[code] !== ref) {
        lastRef[code] = ref;
        const at = fill[code] as number;
        postings[at] = ref;
        fill[code] = at + 1;
      }
    });
  });

  // Per-search scratch, reused: shared counts per reference, and a stamp to dedupe query k-mers.
  const shared = new Int32Array(n);
  const touched = new Int32Array(n);
  const seenStamp = new Int32Array(codes);
  let stamp = 0;
  // Query k-mer positions by code (linked lists) for the diagonal stage.
  const headStamp = new Int32Array(codes);
  const head = new Int32Array(codes);
  let next = new Int32Array(0);
  let bands = new Int32Array(0);

  function search(query: string, opts: KmerSearchOptions = {}): KmerCandidate[] {
    const topK = opts.topK ?? 10;
    const minShared = opts.minShared ?? 1;
    const mask = opts.mask;
    const exclude = opts.exclude ?? -1;
    const useDiagonal = opts.diagonal ?? true;
    const bandWidth = opts.bandWidth ?? 16;
    const q = encode(query, table);
    stamp++;
    let nTouched = 0;
    forEachKmer(q, k, base, top, (code) => {
      if (seenStamp[code] === stamp) {
        return;
      }
      seenStamp[code] = stamp;
      const end = offsets[code + 1] as number;
      for (let p = offsets[code] as number; p < end; p++) {
        const ref = postings[p] as number;
        const c = shared[ref] as number;
        if (c === 0) {
          touched[nTouched++] = ref;
        }
        shared[ref] = c + 1;
      }
    });
    const picked: number[] = [];
    for (let t = 0; t < nTouched; t++) {
      const ref = touched[t] as number;
      if (
        (shared[ref] as number) >= minShared &&
        ref !== exclude &&
        (mask === undefined || mask[ref] !== 0)
      ) {
        picked.push(ref);
      }
    }
    const byShared = (a: number, b: number): number =>
      (shared[b] as number) - (shared[a] as number) || a - b;
    picked.sort(byShared);
    const pool = picked.slice(0, useDiagonal ? topK * 4 : topK);
    let result: KmerCandidate[];
    if (useDiagonal && pool.length > 0) {
      result = rankByDiagonal(q, pool, bandWidth);
      result.sort(
        (a, b) =>
          b.diagonalHits - a.diagonalHits || b.shared - a.shared || a.reference - b.reference,
      );
      result = result.slice(0, topK);
    } else {
      result = pool.map((reference) => ({
        reference,
        shared: shared[reference] as number,
        diagonalHits: 0,
        diagonal: 0,
      }));
    }
    for (let t = 0; t < nTouched; t++) {
      shared[touched[t] as number] = 0;
    }
    return result;
  }

  function rankByDiagonal(
    q: Uint8Array,
    pool: readonly number[],
    bandWidth: number,
  ): KmerCandidate[] {
    if (next.length < q.length) {
      next = new Int32Array(q.length * 2);
    }
    stamp++;
    const qStamp = stamp;
    forEachKmer(q, k, base, top, (code, pos) => {
      next[pos] = headStamp[code] === qStamp ? (head[code] as number) : -1;
      headStamp[code] = qStamp;
      head[code] = pos;
    });
    const out: KmerCandidate[] = [];
    for (const ref of pool) {
      const r = encoded[ref] as Uint8Array;
      const nBands = Math.ceil((q.length + r.length) / bandWidth) + 2;
      if (bands.length < nBands) {
        bands = new Int32Array(nBands * 2);
      }
      bands.fill(0, 0, nBands);
      let bestBand = 0;
      let bestAt = 0;
      forEachKmer(r, k, base, top, (code, pos) => {
        if (headStamp[code] !== qStamp) {
          return;
        }
        for (let qp = head[code] as number; qp >= 0; qp = next[qp] as number) {
          const band = Math.floor((pos - qp + q.length) / bandWidth);
          const v = (bands[band] as number) + 1;
          bands[band] = v;
          // Adjacent bands together, so a diagonal near a band edge is not split in two.
          const below = bands[band - 1] ?? 0;
          const above = bands[band + 1] ?? 0;
          const pair = v + Math.max(below, above);
          if (pair > bestBand) {
            bestBand = pair;
            // Centre on the shared edge of the two bands.
            bestAt = (above > below ? band + 1 : band) * bandWidth - q.length;
          }
        }
      });
      out.push({
        reference: ref,
        shared: shared[ref] as number,
        diagonalHits: bestBand,
        diagonal: bestAt,
      });
    }
    return out;
  }

  return { k, alphabet, size: n, search };
}
