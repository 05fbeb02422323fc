// Chooses the train/validation/test split of a training run: identity clusters (default) or stratified by label.
import type { LabelledProtein } from '../core/data/labelled.ts';
import { clusterByIdentityAsync } from '../core/data/identity-clusters.ts';
import { groupStratifiedSplit, stratifiedSplit } from '../core/data/split.ts';
import { ArginatorError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { ResolvedConfig } from './config/schema.ts';

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
  clusters: ReadonlyMap<string, string> | undefined,
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
  if (clusters !== undefined) {
    groups = groupsFromTable(examples, clusters, config.split.clusters ?? 'the clusters file');
  } else {
    const computed = await clusterByIdentityAsync(
      examples.map((e) => e.record.sequence),
      yieldToEventLoop,
      {
        threshold: config.split.identity_threshold,
        ...(signal === undefined ? {} : { signal }),
        ...(onClusterProgress === undefined ? {} : { onProgress: onClusterProgress }),
      },
    );
    groups = computed.clusterOf;
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
