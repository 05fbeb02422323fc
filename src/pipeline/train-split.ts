// Chooses the train/validation/test split of a training run: identity clusters (default) or stratified by label.
import { clusterByCosineAsync } from '../core/data/cosine-clusters.ts';
import { clusterByIdentityAsync } from '../core/data/identity-clusters.ts';
import { groupStratifiedSplit, stratifiedSplit } from '../core/data/split.ts';
import { ArginatorError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { ResolvedConfig } from './config/schema.ts';

/** Port: computed identity clusters, cached by a key (data fingerprint + clustering settings). */
export interface ClusterCache {
  read(key: string): Promise<Int32Array | undefined>;
  write(key: string, clusterOf: Int32Array): Promise<void>;
}

/** Bump when a clustering algorithm changes, so cached clusters are recomputed. */
const CLUSTERING_VERSION = 'greedy-sw-v1';
const COSINE_CLUSTERING_VERSION = 'greedy-cosine-centred-v1';

/**
 * What the split can group by: sequences (identity clusters) or, for a dataset of precomputed
 * embeddings (an HDF5 folder, no sequences), the vectors themselves (cosine clusters).
 */
export type SplitItems =
  | {
      readonly kind: 'sequences';
      readonly ids: readonly string[];
      readonly sequences: readonly string[];
    }
  | {
      readonly kind: 'vectors';
      readonly ids: readonly string[];
      /** n×dim, row-major. */
      readonly x: Float32Array;
      readonly dim: number;
    };

/** How the split was actually made, for the run's report (split.json, metrics.json) and the CLI. */
export type SplitMethod = 'identity-cluster' | 'cosine-cluster' | 'clusters-file' | 'stratified';

export interface ClusterSource {
  /** id → cluster from a file (config split.clusters). */
  readonly table?: ReadonlyMap<string, string> | undefined;
  readonly cache?: ClusterCache | undefined;
  /** Content fingerprint of the dataset, for the cache key. */
  readonly dataFingerprint: string;
  readonly hash: (value: unknown) => string;
  readonly force?: boolean | undefined;
}

export interface SplitIndices {
  readonly train: number[];
  readonly val: number[];
  readonly test: number[];
  readonly warnings: readonly string[];
  /** Cluster number per example (cluster split only). */
  readonly groups?: Int32Array | undefined;
  readonly method: SplitMethod;
  /** One sentence on what the test scores mean with this split (shown to the user, kept in split.json). */
  readonly note: string;
}

const NOTES: Readonly<Record<SplitMethod, string>> = {
  'identity-cluster':
    'proteins were clustered by sequence identity (greedy, 40%) and whole clusters went to train, validation or test, so most test proteins have no close relative in training; greedy clustering can still split a few near-identical proteins (`arginator validate --split` lists them)',
  'clusters-file':
    'whole clusters of the clusters file went to train, validation or test; the scores are as honest as those clusters',
  'cosine-cluster':
    'the dataset has no sequences, so proteins were clustered by the cosine of their mean-centred embeddings (split.cosine_threshold) and whole clusters went to train, validation or test: near-duplicates never straddle the split, but more distant relatives (e.g. 40% identity) may, so scores can be higher than on an identity-cluster split',
  stratified:
    'a random split stratified by label: near-duplicates can be in both train and test, so scores are optimistic',
};

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Cluster numbers per example from an id → cluster table; every example must be in it. */
export function groupsFromTable(
  ids: readonly string[],
  clusters: ReadonlyMap<string, string>,
  source: string,
): Int32Array {
  const numbers = new Map<string, number>();
  const missing: string[] = [];
  const groups = Int32Array.from(ids, (id) => {
    const name = clusters.get(id);
    if (name === undefined) {
      missing.push(id);
      return -1;
    }
    let n = numbers.get(name);
    if (n === undefined) {
      n = numbers.size;
      numbers.set(name, n);
    }
    return n;
  });
  if (missing.length > 0) {
    throw new ArginatorError(
      'BAD_INPUT',
      'split.missing-cluster',
      `${missing.length} proteins have no cluster in ${source} (e.g. ${missing.slice(0, 3).join(', ')})`,
      'use the clusters file made for this dataset, or set split.clusters=null to compute clusters',
    );
  }
  return groups;
}

export async function splitDataset(
  items: SplitItems,
  y: Int32Array,
  config: ResolvedConfig,
  clusters: ClusterSource,
  signal: AbortSignal | undefined,
  onClusterProgress?: (done: number, total: number) => void,
): Promise<SplitIndices> {
  const fractions = config.experiment.splits;
  const rng = createRng(config.processing.seed);
  if (config.split.name === 'stratified') {
    const s = stratifiedSplit(y, [fractions[0], fractions[1], fractions[2]], rng);
    return {
      train: Array.from(s.train),
      val: Array.from(s.val),
      test: Array.from(s.test),
      warnings: [],
      method: 'stratified',
      note: NOTES.stratified,
    };
  }
  let groups: Int32Array;
  let method: SplitMethod;
  const n = items.ids.length;
  if (clusters.table !== undefined) {
    method = 'clusters-file';
    groups = groupsFromTable(
      items.ids,
      clusters.table,
      config.split.clusters ?? 'the clusters file',
    );
  } else {
    method = items.kind === 'sequences' ? 'identity-cluster' : 'cosine-cluster';
    const threshold =
      items.kind === 'sequences' ? config.split.identity_threshold : config.split.cosine_threshold;
    const key = clusters
      .hash({
        data: clusters.dataFingerprint,
        threshold,
        algorithm: items.kind === 'sequences' ? CLUSTERING_VERSION : COSINE_CLUSTERING_VERSION,
        n,
      })
      .slice(0, 24);
    const cached = clusters.force === true ? undefined : await clusters.cache?.read(key);
    groups =
      cached?.length === n
        ? cached
        : await computeClusters(items, threshold, signal, onClusterProgress);
    if (cached !== groups) {
      await clusters.cache?.write(key, groups);
    }
  }

  const s = groupStratifiedSplit(y, groups, [fractions[0], fractions[1], fractions[2]], rng);
  return {
    train: Array.from(s.train),
    val: Array.from(s.val),
    test: Array.from(s.test),
    warnings: s.warnings.map((w) => w.message),
    groups,
    method,
    note: NOTES[method],
  };
}

async function computeClusters(
  items: SplitItems,
  threshold: number,
  signal: AbortSignal | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<Int32Array> {
  if (items.kind === 'vectors') {
    const byCosine = await clusterByCosineAsync(
      items.x,
      items.ids.length,
      items.dim,
      yieldToEventLoop,
      {
        threshold,
        ...(signal === undefined ? {} : { signal }),
        ...(onProgress === undefined ? {} : { onProgress }),
      },
    );
    return byCosine.clusterOf;
  }
  const computed = await clusterByIdentityAsync(items.sequences, yieldToEventLoop, {
    threshold,
    ...(signal === undefined ? {} : { signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  return computed.clusterOf;
}
