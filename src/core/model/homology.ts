// Homology features: each protein's best Smith-Waterman similarity to the training references of every class,
// with candidates chosen by embedding cosine (per class) and by spaced seeds on one diagonal (distant homologs).
import { BLOSUM62, BLOSUM62_SIZE } from '../sequence/blosum62.ts';
import type { CodeSet, PairAligner } from '../sequence/pair-aligner.ts';
import { codeSet, createJsPairAligner, NO_DIAGONAL } from '../sequence/pair-aligner.ts';
import type { SeedIndex, SeedKernels, SeedPostings } from '../sequence/seed-index.ts';
import { buildSeedIndex, DEFAULT_SHAPES } from '../sequence/seed-index.ts';
import type {
  ScreenIndex,
  ScreenKernels,
  ScreenPostingsCache,
} from '../sequence/ungapped-screen.ts';
import { buildScreenIndex, screenQueries } from '../sequence/ungapped-screen.ts';
import type { Kernels } from './kernels.ts';

export interface HomologyReferences {
  readonly sequences: readonly string[];
  /** Class index of each reference. */
  readonly labels: ArrayLike<number>;
  readonly classes: number;
  /** n×dim embeddings of the references (any scale; they are L2-normalised here). */
  readonly embeddings: Float32Array;
  readonly dim: number;
}

export interface HomologyQueries {
  readonly sequences: readonly string[];
  readonly embeddings: Float32Array;
}

export interface HomologyResult {
  /** n×classes: best similarity (score / √(self-scores)) to a reference of each class, 0 if none aligned. */
  readonly perClass: Float32Array;
  /** Index of the most similar reference per query (-1 if none). */
  readonly best: Int32Array;
  /** Similarity to that reference (0 if none). */
  readonly bestSimilarity: Float32Array;
  /** Smith-Waterman score against that reference (-1 if none). */
  readonly bestScore: Int32Array;
  /**
   * The diagonal of that pair's best ungapped segment (query − reference position) when the screen
   * chose the pair, else NO_DIAGONAL: where its traceback looks first (PairAligner.run `diagonals`).
   */
  readonly bestDiagonal: Int32Array;
}

export interface HomologyOptions {
  /**
   * References aligned per query and class: the most cosine-similar references of each class in embedding
   * space (default 2). Per class, so that every class's best relative is aligned even when another class
   * dominates the neighbourhood (e.g. many non-beta-lactamases around a distant class A enzyme).
   */
  readonly candidates?: number;
  /**
   * References found by the spaced-seed search (core/sequence/seed-index.ts), aligned in addition to the
   * cosine candidates (default 0 = none). Needs references prepared with seed shapes.
   */
  readonly seedCandidates?: number;
  /** allowed(query, reference): false leaves a reference out (the query's own cluster during training). */
  readonly allowed?: (query: number, reference: number) => boolean;
  /** Smith-Waterman implementation (default: the portable TypeScript one). */
  readonly pairAligner?: PairAligner;
  /** Called after each block of queries with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Screen the queries first (references prepared with a screen, core/sequence/ungapped-screen.ts):
   * a query with an ungapped segment to a reference of a flagged class gets the candidates above;
   * any other aligns only the references that passed the screen (up to `topK`, none if none passed),
   * so its flagged classes keep similarity 0. Off (every query gets the candidates) when absent.
   */
  readonly screen?: { readonly topK: number; readonly kernels?: ScreenKernels | undefined };
}

/** Queries per cosine block: bounds the similarity matrix to BLOCK × references floats. */
const BLOCK = 256;

/** BLOSUM62's diagonal by residue code (0 beyond the matrix, as a code never is). */
const SELF = Int32Array.from({ length: 256 }, (_, c) =>
  c < BLOSUM62_SIZE ? (BLOSUM62[c * BLOSUM62_SIZE + c] as number) : 0,
);

/** The score of a sequence aligned with itself: BLOSUM62's diagonal summed over its residues. */
export function selfScore(codes: Uint8Array): number {
  return selfScores({ codes, offsets: Int32Array.of(0, codes.length) }, 0, 1)[0] as number;
}

/**
 * selfScore of sequences from..to-1 of a code set, in one loop (a call per sequence ran cold for a
 * model's 3,130 references at every start-up).
 */
function selfScores(set: CodeSet, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  const { codes, offsets } = set;
  for (let i = from; i < to; i++) {
    let s = 0;
    for (let k = offsets[i] as number, end = offsets[i + 1] as number; k < end; k++) {
      s += SELF[codes[k] as number] as number;
    }
    out[i - from] = s;
  }
  return out;
}

function normalisedRows(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0, at = 0; i < n; i++, at += dim) {
    let norm = 0;
    for (let j = at, end = at + dim; j < end; j++) {
      const v = x[j] as number;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = at, end = at + dim; j < end; j++) {
      out[j] = (x[j] as number) * inv;
    }
  }
  return out;
}

/**
 * Per class, the indices of the `count` largest allowed values of row, descending (ties: lower
 * index first), in one pass: class c's are out[c * count ..], filled[c] of them.
 */
function topIndicesPerClass(
  row: Float32Array,
  count: number,
  labels: Int32Array,
  allowed: ((ref: number) => boolean) | undefined,
  out: Int32Array,
  values: Float32Array,
  filled: Int32Array,
): void {
  filled.fill(0);
  for (let r = 0; r < row.length; r++) {
    const v = row[r] as number;
    const label = labels[r] as number;
    const base = label * count;
    const f = filled[label] as number;
    if (f === count && v <= (values[base + count - 1] as number)) {
      continue;
    }
    if (allowed !== undefined && !allowed(r)) {
      continue;
    }
    let pos = f;
    if (f < count) {
      filled[label] = f + 1;
    } else {
      pos = count - 1;
    }
    while (pos > 0 && (values[base + pos - 1] as number) < v) {
      values[base + pos] = values[base + pos - 1] as number;
      out[base + pos] = out[base + pos - 1] as number;
      pos--;
    }
    values[base + pos] = v;
    out[base + pos] = r;
  }
}

/** The reference side, prepared once (unit embeddings, residue codes, self-scores, labels). */
export interface PreparedReferences {
  readonly size: number;
  readonly dim: number;
  readonly classes: number;
  /** The references' unit embeddings (size×dim), as given to referenceDots. */
  readonly unit: ReferenceMatrix;
  readonly codes: CodeSet;
  readonly selfScores: Float64Array;
  readonly labels: Int32Array;
  /** Spaced-seed index over the reference sequences (when prepared with seed shapes). */
  readonly seeds?: SeedIndex | undefined;
  /** The ungapped screen's index over the references (when prepared with a screen). */
  readonly screen?: ScreenIndex | undefined;
  /**
   * A block of query × reference cosines reused by every call (a 3 MB allocation per prediction
   * batch otherwise; calls on one thread never overlap).
   */
  readonly cosineScratch: Float32Array;
}

/**
 * The references' unit embeddings: plain (size×dim, row-major) or, when the kernels can, packed
 * once for their matrix product (the same values; no repacking of 17 MB per prediction batch).
 */
export type ReferenceMatrix =
  | { readonly kind: 'plain'; readonly data: Float32Array }
  | { readonly kind: 'packed'; readonly data: Float32Array };

/** out (rows×size) = queries (rows×dim) · unitᵀ: dot products of each query with every reference. */
export function referenceDots(
  queries: Float32Array,
  rows: number,
  refs: Pick<PreparedReferences, 'unit' | 'size' | 'dim'>,
  kernels: Kernels,
  out: Float32Array,
): void {
  const { unit, size, dim } = refs;
  if (unit.kind === 'packed' && kernels.gemmPacked !== undefined) {
    kernels.gemmPacked(rows, size, dim, 1, queries, unit.data, 0, out);
  } else if (unit.kind === 'plain') {
    kernels.gemm(false, true, rows, size, dim, 1, queries, unit.data, 0, out);
  } else {
    throw new RangeError('references packed by other kernels than these');
  }
}

export function prepareReferences(
  refs: HomologyReferences,
  options: {
    seedShapes?: readonly string[] | undefined;
    seedKernels?: SeedKernels | undefined;
    /** The seed index's postings from an earlier build (SeedIndexOptions.postings). */
    seedPostings?: SeedPostings | undefined;
    /** Kernels that can pack the unit embeddings once (kernels.packB); else kept plain. */
    kernels?: Kernels | undefined;
    /** Build the ungapped screen's index; references of the `flagged` classes flag a query. */
    screen?:
      | {
          readonly flagged: readonly number[];
          readonly kernels?: ScreenKernels | undefined;
          readonly postings?: ScreenPostingsCache | undefined;
        }
      | undefined;
  } = {},
): PreparedReferences {
  const packB = options.kernels?.packB;
  const size = refs.sequences.length;
  const codes = codeSet(refs.sequences);
  const shapes = options.seedShapes;
  const screen = options.screen;
  const flaggedClasses = new Set(screen?.flagged ?? []);
  return {
    screen:
      screen === undefined
        ? undefined
        : buildScreenIndex(
            refs.sequences,
            codes,
            Uint8Array.from({ length: size }, (_, r) =>
              flaggedClasses.has(refs.labels[r] as number) ? 1 : 0,
            ),
            screen.kernels,
            undefined,
            screen.postings,
          ),
    seeds:
      shapes === undefined || shapes.length === 0
        ? undefined
        : buildSeedIndex(refs.sequences, {
            shapes,
            postings: options.seedPostings,
            ...(options.seedKernels === undefined ? {} : { kernels: options.seedKernels }),
          }),
    size,
    dim: refs.dim,
    classes: refs.classes,
    unit:
      packB === undefined
        ? { kind: 'plain', data: normalisedRows(refs.embeddings, size, refs.dim) }
        : { kind: 'packed', data: packB(true, size, refs.dim, refs.embeddings, true) },
    codes,
    selfScores: selfScores(codes, 0, size),
    labels: Int32Array.from({ length: size }, (_, r) => refs.labels[r] as number),
    cosineScratch: new Float32Array(BLOCK * size),
  };
}

/**
 * Computes homology features of every query against the references (prepare them once with
 * prepareReferences when the same references serve many calls, e.g. prediction batches).
 */
export function homologyFeatures(
  queries: HomologyQueries,
  references: HomologyReferences | PreparedReferences,
  kernels: Kernels,
  options: HomologyOptions = {},
): HomologyResult {
  const seedCandidates = options.seedCandidates ?? 0;
  const refs =
    'unit' in references
      ? references
      : prepareReferences(references, seedCandidates > 0 ? { seedShapes: DEFAULT_SHAPES } : {});
  const nq = queries.sequences.length;
  const nr = refs.size;
  const { dim, classes } = refs;
  const candidates = Math.max(1, options.candidates ?? 1);
  const perClass = new Float32Array(nq * classes);
  const best = new Int32Array(nq).fill(-1);
  const bestSimilarity = new Float32Array(nq);
  const bestScore = new Int32Array(nq).fill(-1);
  const bestDiagonal = new Int32Array(nq).fill(NO_DIAGONAL);
  if (nq === 0 || nr === 0) {
    return { perClass, best, bestSimilarity, bestScore, bestDiagonal };
  }
  const refCodes = refs.codes;
  const queryCodes = codeSet(queries.sequences);
  const refSelf = refs.selfScores;
  const aligner = options.pairAligner ?? createJsPairAligner();
  const cosine = refs.cosineScratch;
  const top = new Int32Array(classes * candidates);
  const topValues = new Float32Array(classes * candidates);
  const topFilled = new Int32Array(classes);
  const refLabel = refs.labels;
  const seeds = seedCandidates > 0 ? refs.seeds : undefined;
  if (seedCandidates > 0 && seeds === undefined) {
    throw new RangeError('seedCandidates needs references prepared with seed shapes');
  }
  const screenOption = options.screen;
  if (screenOption !== undefined && refs.screen === undefined) {
    throw new RangeError('screen needs references prepared with a screen');
  }
  const screened =
    screenOption === undefined || refs.screen === undefined
      ? undefined
      : screenQueries(
          refs.screen,
          queries.sequences,
          queryCodes,
          screenOption.topK,
          screenOption.kernels,
        );
  const screenTop = screened?.topK ?? 0;
  const perQuery = Math.max(
    classes * candidates + (seeds === undefined ? 0 : seedCandidates),
    screenTop,
  );
  const pairs = new Int32Array(Math.min(BLOCK, nq) * perQuery * 2);
  // Each pair's screen diagonal (NO_DIAGONAL for the candidates of an unscreened query).
  const pairDiagonals = new Int32Array(Math.min(BLOCK, nq) * perQuery);
  // Marks the references already paired with the current query (cosine and seed candidates overlap).
  const pairedWith = new Int32Array(nr).fill(-1);
  for (let q0 = 0; q0 < nq; q0 += BLOCK) {
    const rows = Math.min(BLOCK, nq - q0);
    // The block's queries that get the full candidates (all of them without a screen), in order;
    // fullRow[r] is query q0 + r's row among them (-1: the screen's references only).
    const fullRow = new Int32Array(rows).fill(-1);
    const full: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (screened === undefined || screened.flagged[q0 + r] === 1) {
        fullRow[r] = full.length;
        full.push(q0 + r);
      }
    }
    if (full.length === rows) {
      const block = queries.embeddings.subarray(q0 * dim, (q0 + rows) * dim);
      referenceDots(normalisedRows(block, rows, dim), rows, refs, kernels, cosine);
    } else if (full.length > 0) {
      const gathered = new Float32Array(full.length * dim);
      // Only the queries that get candidates are normalised and multiplied.
      full.forEach((q, f) =>
        gathered.set(queries.embeddings.subarray(q * dim, (q + 1) * dim), f * dim),
      );
      referenceDots(normalisedRows(gathered, full.length, dim), full.length, refs, kernels, cosine);
    }
    // Seed candidates of the block's full queries in one search call (a few extra, so that references
    // left out by `allowed` do not shrink the set), then every query's candidates, then one alignment call.
    const seedTop = seedCandidates + 8;
    const found =
      seeds === undefined || full.length === 0
        ? undefined
        : seeds.searchBatch(
            full.map((q) => queries.sequences[q] ?? ''),
            seedTop,
          );
    let count = 0;
    for (let r = 0; r < rows; r++) {
      const q = q0 + r;
      const allowed = options.allowed;
      const f = fullRow[r] as number;
      if (f < 0 && screened !== undefined) {
        // Screened out: only the references whose ungapped segment passed (best first).
        for (let k = q * screenTop; k < (q + 1) * screenTop; k++) {
          const reference = screened.refs[k] as number;
          if (reference < 0) {
            break;
          }
          if (allowed !== undefined && !allowed(q, reference)) {
            continue;
          }
          pairs[2 * count] = q;
          pairs[2 * count + 1] = reference;
          pairDiagonals[count] = screened.diagonals[k] as number;
          count++;
        }
        continue;
      }
      const row = cosine.subarray(f * nr, (f + 1) * nr);
      topIndicesPerClass(
        row,
        candidates,
        refLabel,
        allowed === undefined ? undefined : (ref) => allowed(q, ref),
        top,
        topValues,
        topFilled,
      );
      for (let label = 0; label < classes; label++) {
        for (let c = 0; c < (topFilled[label] as number); c++) {
          const ref = top[label * candidates + c] as number;
          pairedWith[ref] = q;
          pairs[2 * count] = q;
          pairs[2 * count + 1] = ref;
          pairDiagonals[count] = NO_DIAGONAL;
          count++;
        }
      }
      if (found !== undefined) {
        let taken = 0;
        for (let k = f * seedTop; k < (f + 1) * seedTop && taken < seedCandidates; k++) {
          const reference = found.refs[k] as number;
          if (reference < 0) {
            break;
          }
          if (pairedWith[reference] === q || (allowed !== undefined && !allowed(q, reference))) {
            continue;
          }
          pairedWith[reference] = q;
          pairs[2 * count] = q;
          pairs[2 * count + 1] = reference;
          pairDiagonals[count] = NO_DIAGONAL;
          count++;
          taken++;
        }
      }
    }
    const scores = aligner.run(queryCodes, refCodes, pairs.subarray(0, 2 * count), false);
    const querySelfScores = selfScores(queryCodes, q0, q0 + rows).map((v) => Math.max(v, 1));
    for (let p = 0; p < count; p++) {
      const q = pairs[2 * p] as number;
      const ref = pairs[2 * p + 1] as number;
      const querySelf = querySelfScores[q - q0] as number;
      const similarity = Math.min(
        1,
        Math.max(
          0,
          (scores[p] as number) / Math.sqrt(querySelf * Math.max(refSelf[ref] as number, 1)),
        ),
      );
      const slot = q * classes + (refLabel[ref] as number);
      if (similarity > (perClass[slot] as number)) {
        perClass[slot] = similarity;
      }
      if (similarity > (bestSimilarity[q] as number)) {
        bestSimilarity[q] = similarity;
        best[q] = ref;
        bestScore[q] = scores[p] as number;
        bestDiagonal[q] = pairDiagonals[p] as number;
      }
    }
    options.onProgress?.(q0 + rows, nq);
  }
  return { perClass, best, bestSimilarity, bestScore, bestDiagonal };
}
