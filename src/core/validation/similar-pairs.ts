// Pairs of sequences at or above a high identity: a sampled exact-word prefilter, then Smith-Waterman alignments in batches.
import { passesIdentity } from '../data/identity-clusters.ts';
import { cancelledError } from '../errors.ts';
import type { LocalAlignment } from '../sequence/align.ts';
import { ALIGN_FIELDS, codeSet, type PairAligner } from '../sequence/pair-aligner.ts';

export interface SimilarPair {
  /** Index into the queries. */
  readonly query: number;
  /** Index into the targets (the queries themselves in a self search). */
  readonly target: number;
  /** Identical aligned pairs / length of the shorter sequence (cd-hit's -G 1, as the split's clustering). */
  readonly identity: number;
}

export interface SimilarPairOptions {
  /** Identity a pair needs, in (0, 1]. */
  readonly threshold: number;
  /** Prefilter candidates aligned per query, most shared words first (default 20). */
  readonly candidates?: number;
  /**
   * Candidates must share this fraction of the sampled words of the one with fewer (default 0.1).
   * A pair at the threshold keeps about half of them (wordLength), unrelated proteins almost none, so
   * only plausible pairs are aligned.
   */
  readonly minWordShare?: number;
  /**
   * Self search only: skip a candidate already linked to the query through pairs found so far, so
   * a family of near-copies costs about one alignment per member instead of one per pair. The pairs
   * then form a spanning forest of the near-duplicate groups (every group is found whole), not
   * every pair. Default false.
   */
  readonly groupsOnly?: boolean;
  /** Pairs aligned per call of the aligner (default 2048; 1 query at a time with groupsOnly). */
  readonly batch?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Every (query, target) pair with identity ≥ threshold that the prefilter proposes. With
 * `targets` = 'self' the queries are searched against each other and each pair is reported once
 * (query < target). Identical sequences are found too (identity 1).
 */
export function findSimilarPairs(
  queries: readonly string[],
  targets: readonly string[] | 'self',
  aligner: PairAligner,
  options: SimilarPairOptions,
): SimilarPair[] {
  const { threshold, signal } = options;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`identity threshold must be in (0, 1], got ${threshold}`);
  }
  const self = targets === 'self';
  const against = self ? queries : targets;
  const topK = Math.max(1, options.candidates ?? 20);
  const batchSize = Math.max(1, options.batch ?? 2048);
  const k = wordLength(threshold);
  const minShare = options.minWordShare ?? 0.1;
  const querySet = codeSet(queries);
  const targetSet = self ? querySet : codeSet(against);
  const found: SimilarPair[] = [];
  let pairs: number[] = [];

  const groupsOnly = self && options.groupsOnly === true;
  const parent = Int32Array.from({ length: groupsOnly ? queries.length : 0 }, (_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) {
      r = parent[r] as number;
    }
    parent[i] = r;
    return r;
  };
  const flush = (): void => {
    if (pairs.length === 0) {
      return;
    }
    const out = aligner.run(querySet, targetSet, Int32Array.from(pairs), true);
    for (let p = 0; p < pairs.length / 2; p++) {
      const q = pairs[2 * p] as number;
      const t = pairs[2 * p + 1] as number;
      const qLen = (queries[q] ?? '').length;
      const tLen = (against[t] ?? '').length;
      const a = alignmentOf(out, p);
      if (passesIdentity(a, qLen, tLen, threshold, 'shorter', 0)) {
        found.push({ query: q, target: t, identity: a.identities / Math.min(qLen, tLen) });
        if (groupsOnly) {
          parent[root(q)] = root(t);
        }
      }
    }
    pairs = [];
  };

  // word → the targets holding it. A self search adds each sequence after querying it, so every
  // pair is proposed once, from its later member.
  const postings = new Map<number, number[]>();
  const add = (words: readonly number[], t: number): void => {
    for (const w of words) {
      const list = postings.get(w);
      if (list === undefined) {
        postings.set(w, [t]);
      } else {
        list.push(t);
      }
    }
  };
  const wordCount = new Int32Array(against.length);
  if (!self) {
    against.forEach((s, t) => {
      const words = sampledWords(s, k);
      wordCount[t] = words.length;
      add(words, t);
    });
  }
  const shared = new Int32Array(against.length);
  const touched: number[] = [];
  for (let q = 0; q < queries.length; q++) {
    if (signal?.aborted === true) {
      throw cancelledError('The similar-sequence search');
    }
    const words = sampledWords(queries[q] ?? '', k);
    for (const w of words) {
      for (const t of postings.get(w) ?? []) {
        if (shared[t] === 0) {
          touched.push(t);
        }
        shared[t] = (shared[t] as number) + 1;
      }
    }
    const best = touched
      .filter(
        (t) =>
          (shared[t] as number) >=
          Math.max(1, minShare * Math.min(words.length, wordCount[t] as number)),
      )
      .sort((a, b) => (shared[b] as number) - (shared[a] as number) || a - b)
      .slice(0, topK);
    for (const t of best) {
      if (groupsOnly) {
        // One at a time, best candidate first: once q joins a group, its other members are skipped.
        if (root(t) !== root(q)) {
          pairs.push(t, q);
          flush();
        }
        continue;
      }
      pairs.push(self ? t : q, self ? q : t);
    }
    for (const t of touched) {
      shared[t] = 0;
    }
    touched.length = 0;
    if (self) {
      wordCount[q] = words.length;
      add(words, q);
    }
    if (pairs.length >= 2 * batchSize) {
      flush();
    }
  }
  flush();
  return found.sort((a, b) => a.query - b.query || a.target - b.target);
}

/**
 * Word length for a threshold: with mismatches spread evenly every s = 1 / (1 − t) residues, a word of
 * k ≤ s − 1 survives in (s − k) / s of the places; k = s / 2 (4 to 8) keeps about half of them.
 * Below t ≈ 0.8 exact words get rare and the search misses pairs (use the identity clustering there).
 */
export function wordLength(threshold: number): number {
  const spacing = threshold >= 1 ? Number.POSITIVE_INFINITY : 1 / (1 - threshold);
  return Math.min(8, Math.max(4, Math.floor(spacing / 2)));
}

/** One word in four, chosen by content (a hash), so both sequences of a pair sample the same words. */
const SAMPLE_MASK = 3;

/** The distinct sampled words of a sequence (words with X are skipped). */
export function sampledWords(sequence: string, k: number): number[] {
  const words = new Set<number>();
  for (let i = 0; i + k <= sequence.length; i++) {
    let h = 0x811c9dc5;
    let unknown = false;
    for (let j = i; j < i + k; j++) {
      const c = sequence.charCodeAt(j);
      if (c === 88) {
        unknown = true;
        break;
      }
      h = Math.imul(h ^ c, 0x01000193);
    }
    // Murmur3's finaliser: FNV's low bits are weak for short keys, and the sample uses them.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    if (!unknown && (h & SAMPLE_MASK) === 0) {
      words.add(h >>> 0);
    }
  }
  return [...words];
}

function alignmentOf(out: Int32Array, p: number): LocalAlignment {
  const o = p * ALIGN_FIELDS;
  const [score, identities, length, queryStart, queryEnd, targetStart, targetEnd] = [
    out[o] ?? 0,
    out[o + 1] ?? 0,
    out[o + 2] ?? 0,
    out[o + 3] ?? 0,
    out[o + 4] ?? 0,
    out[o + 5] ?? 0,
    out[o + 6] ?? 0,
  ];
  return {
    score,
    identities,
    length,
    identity: length > 0 ? identities / length : 0,
    gapOpenings: 0,
    queryStart,
    queryEnd,
    targetStart,
    targetEnd,
    queryCoverage: 0,
    targetCoverage: 0,
  };
}
