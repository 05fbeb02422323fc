// Chooses the train/validation/test split of a training run: identity clusters (default) or stratified by label.
import type { LabelledProtein } from '../core/data/labelled.ts';
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

/** Bump when the clustering algorithm changes, so cached clusters are recomputed. */
const CLUSTERING_VERSION = 'greedy-sw-v1';

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
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Cluster numbers per example from an id → cluster table; every example must be in it. */
export function groupsFromTable(
  examples: readonly LabelledProtein[],
  clusters: ReadonlyMap<string, string>,
  source: string,
): Int32Array {
  const numbers = new Map<string, number>();
  const missing: string[] = [];
  const groups = Int32Array.from(examples, (e) => {
    const name = clusters.get(e.record.id);
    if (name === undefined) {
      missing.push(e.record.id);
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
  examples: readonly LabelledProtein[],
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
    };
  }
  let groups: Int32Array;
  if (clusters.table !== undefined) {
    groups = groupsFromTable(
      examples,
      clusters.table,
      config.split.clusters ?? 'the clusters file',
    );
  } else {
    const threshold = config.split.identity_threshold;
    const key = clusters
      .hash({
        data: clusters.dataFingerprint,
        threshold,
        algorithm: CLUSTERING_VERSION,
        n: examples.length,
      })
      .slice(0, 24);
    const cached = clusters.force === true ? undefined : await clusters.cache?.read(key);
    groups =
      cached?.length === examples.length
        ? cached
        : await computeClusters(examples, threshold, signal, onClusterProgress);
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
  };
}

async function computeClusters(
  examples: readonly LabelledProtein[],
  threshold: number,
  signal: AbortSignal | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<Int32Array> {
  const computed = await clusterByIdentityAsync(
    examples.map((e) => e.record.sequence),
    yieldToEventLoop,
    {
      threshold,
      ...(signal === undefined ? {} : { signal }),
      ...(onProgress === undefined ? {} : { onProgress }),
    },
  );
  return computed.clusterOf;
}
