// Greedy incremental identity clustering (cd-hit style) for cluster-grouped splits; labels play no part.
import { cancelledError } from '../errors.ts';
import { buildQueryProfile, createAligner, type LocalAlignment } from '../sequence/align.ts';
import { encodeForAlignment } from '../sequence/blosum62.ts';
import { buildKmerIndex, type KmerIndexOptions } from '../sequence/kmer-index.ts';

/**
 * How identity is measured for the threshold.
 * - 'shorter': identical pairs / length of the shorter sequence, as cd-hit's default (-G 1); it also demands
 *   that most of the shorter sequence is aligned.
 * - 'alignment': identical pairs / alignment columns (BLAST pident), with `minCoverage` of the shorter.
 */
export type IdentityMeasure = 'shorter' | 'alignment';

export interface IdentityClusterOptions {
  /** Identity a sequence needs to join a representative (default 0.4, the shipped cd-hit file's). */
  readonly threshold?: number;
  /** Default 'shorter' (cd-hit's definition). */
  readonly measure?: IdentityMeasure;
  /** Aligned fraction of the shorter sequence required (default 0; 'shorter' already implies coverage). */
  readonly minCoverage?: number;
  /** Representatives aligned per sequence, from the k-mer prefilter (default 20). Bounds the run time. */
  readonly candidates?: number;
  /**
   * Candidates with fewer k-mer hits on their best diagonal band are not aligned (default 10). On the
   * shipped data every joining pair had ≥ 16, unrelated candidates a median of 8.
   */
  readonly minDiagonalHits?: number;
  /**
   * A candidate goes on to the full alignment only if its banded score-only pass reaches
   * minScoreFactor · threshold · shorter length (default 2). A heuristic, not a bound: each identical pair
   * scores ≥ 4 in BLOSUM62, so identities alone at the threshold give ≥ 4 · threshold · shorter, and on the
   * shipped data every joining pair scored ≥ 3.7 · threshold · shorter; 2 leaves a wide margin.
   */
  readonly minScoreFactor?: number;
  /**
   * Half-width of the band, in diagonals, around the prefilter's best diagonal in which the score gate
   * aligns (default 48; cd-hit's default band is 20). Joining pairs are then aligned in full.
   */
  readonly bandHalfWidth?: number;
  /** Prefilter word settings (default aa20 3-mers). */
  readonly kmer?: KmerIndexOptions;
  /** Called after each sequence with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checked between sequences; an aborted run throws a CANCELLED ArginatorError. */
  readonly signal?: AbortSignal;
  /** The generator yields after this many sequences (default 100). */
  readonly yieldEvery?: number;
}

export interface IdentityClusters {
  /** Cluster number per input sequence (0-based, numbered in order of creation: longest representative first). */
  readonly clusterOf: Int32Array;
  /** Input index of each cluster's representative. */
  readonly representatives: Int32Array;
  /** Candidate pairs aligned (banded score pass; the few that pass it are then aligned in full). */
  readonly alignments: number;
}

export interface ClusterProgress {
  readonly done: number;
  readonly total: number;
  readonly clusters: number;
}

/** The per-pair test: does `member` join `representative`? Exposed for tests and reports. */
export function passesIdentity(
  a: LocalAlignment,
  memberLength: number,
  representativeLength: number,
  threshold: number,
  measure: IdentityMeasure,
  minCoverage: number,
): boolean {
  const shorter = Math.min(memberLength, representativeLength);
  if (shorter === 0 || a.length === 0) {
    return false;
  }
  const coverShorter =
    (memberLength <= representativeLength
      ? a.queryEnd - a.queryStart
      : a.targetEnd - a.targetStart) / shorter;
  if (coverShorter < minCoverage) {
    return false;
  }
  const identity = measure === 'shorter' ? a.identities / shorter : a.identity;
  return identity >= threshold;
}

/**
 * Clusters step by step: a generator that yields progress every `yieldEvery` sequences and returns the
 * clusters, so async callers can give the event loop a turn between steps (see clusterByIdentityAsync).
 * Sequences are visited longest first (ties by input order); each joins the first representative, in
 * order of creation, among its top `candidates` prefilter hits that passes the identity test, else it
 * becomes a representative itself.
 */
export function* clusterByIdentitySteps(
  sequences: readonly string[],
  options: IdentityClusterOptions = {},
): Generator<ClusterProgress, IdentityClusters, void> {
  const threshold = options.threshold ?? 0.4;
  const measure = options.measure ?? 'shorter';
  const minCoverage = options.minCoverage ?? 0;
  const topK = options.candidates ?? 20;
  const minDiagonalHits = options.minDiagonalHits ?? 10;
  const minScoreFactor = options.minScoreFactor ?? 2;
  const bandHalfWidth = options.bandHalfWidth ?? 48;
  const yieldEvery = Math.max(1, options.yieldEvery ?? 100);
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`identity threshold must be in (0, 1], got ${threshold}`);
  }
  const n = sequences.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (sequences[b]?.length ?? 0) - (sequences[a]?.length ?? 0) || a - b,
  );
  const index = buildKmerIndex(sequences, options.kmer);
  const aligner = createAligner();
  const isRep = new Uint8Array(n);
  const clusterOf = new Int32Array(n).fill(-1);
  const reps: number[] = [];
  const encoded: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(n);
  let alignments = 0;
  for (let step = 0; step < n; step++) {
    if (options.signal?.aborted === true) {
      throw cancelledError('Identity clustering');
    }
    const s = order[step] as number;
    const seq = sequences[s] ?? '';
    const candidates = index
      .search(seq, { topK, mask: isRep })
      .filter((c) => c.diagonalHits >= minDiagonalHits)
      // cd-hit's rule: the first representative (longest first) that passes, not the best one.
      .sort((a, b) => (clusterOf[a.reference] as number) - (clusterOf[b.reference] as number));
    let joined = -1;
    if (candidates.length > 0) {
      const profile = buildQueryProfile(seq);
      for (const c of candidates) {
        const r = c.reference;
        const target = (encoded[r] ??= encodeForAlignment(sequences[r] ?? ''));
        alignments++;
        const shorter = Math.min(seq.length, target.length);
        // A banded score-only pass costs a fraction of a full alignment and rejects most unrelated candidates.
        const banded = aligner.scoreBanded(
          profile,
          target,
          c.diagonal - bandHalfWidth,
          c.diagonal + bandHalfWidth,
        );
        if (banded < minScoreFactor * threshold * shorter) {
          continue;
        }
        const a = aligner.align(profile, target);
        if (passesIdentity(a, seq.length, target.length, threshold, measure, minCoverage)) {
          joined = r;
          break;
        }
      }
    }
    if (joined >= 0) {
      clusterOf[s] = clusterOf[joined] as number;
    } else {
      clusterOf[s] = reps.length;
      reps.push(s);
      isRep[s] = 1;
    }
    options.onProgress?.(step + 1, n);
    if ((step + 1) % yieldEvery === 0 && step + 1 < n) {
      yield { done: step + 1, total: n, clusters: reps.length };
    }
  }
  return { clusterOf, representatives: Int32Array.from(reps), alignments };
}

/** Runs the clustering synchronously to the end. */
export function clusterByIdentity(
  sequences: readonly string[],
  options: IdentityClusterOptions = {},
): IdentityClusters {
  const steps = clusterByIdentitySteps(sequences, options);
  for (;;) {
    const r = steps.next();
    if (r.done === true) {
      return r.value;
    }
  }
}

/**
 * Runs the clustering, awaiting `yieldToEventLoop` between steps (e.g. `() => new Promise(setImmediate)`,
 * passed in because core may not touch timers) so servers stay responsive and aborts are seen.
 */
export async function clusterByIdentityAsync(
  sequences: readonly string[],
  yieldToEventLoop: () => Promise<void>,
  options: IdentityClusterOptions = {},
): Promise<IdentityClusters> {
  const steps = clusterByIdentitySteps(sequences, options);
  for (;;) {
    const r = steps.next();
    if (r.done === true) {
      return r.value;
    }
    await yieldToEventLoop();
  }
}
