// The promotion gate's inputs for both roots: the benchmark split's test proteins with labels, and the gate settings from config.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { isOneOf, TASKS } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import { loadLabelledFasta } from '../io/labelled-fasta.ts';
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import type { GateBenchmark, GateSettings } from '../pipeline/promotion-gate.ts';
import { PACKAGE_ROOT } from './package-info.ts';

/** The published identity-cluster split of the shipped dataset: the gate's default benchmark. */
export const PUBLISHED_SPLIT = join(
  PACKAGE_ROOT,
  'data',
  'default',
  'splits',
  'default-cluster40-split.json',
);

/** The benchmark of a resolved config: registry.gate_split (default: the published split) on paths.dataset. */
export function benchmarkSource(
  config: Pick<ResolvedConfig, 'registry' | 'paths'>,
): BenchmarkSource {
  return {
    split: config.registry.gate_split ?? PUBLISHED_SPLIT,
    dataset: config.paths.dataset,
    labels: config.paths.labels,
  };
}

export function gateSettings(registry: ResolvedConfig['registry']): GateSettings {
  return {
    f1Tolerance: registry.gate_f1_tolerance,
    maxLatencyMs: registry.gate_max_latency_ms,
    latencyProteins: registry.gate_latency_proteins,
    latencyRuns: registry.gate_latency_runs,
  };
}

export interface BenchmarkSource {
  /** A split.json with a `test` list of ids (the published split, or a run's split.json). */
  readonly split: string;
  /** The labelled FASTA the ids are read from (config paths.dataset) and its labels table, if any. */
  readonly dataset: string;
  readonly labels: string | null;
}

/**
 * The benchmark of each task, read on first use and kept (the gate runs again on every
 * promotion, always on the same proteins, in the split's order).
 */
export function createBenchmarkReader(
  source: BenchmarkSource,
): (task: string) => Promise<GateBenchmark> {
  const read = new Map<string, Promise<GateBenchmark>>();
  return (task) => {
    let benchmark = read.get(task);
    if (benchmark === undefined) {
      benchmark = readSplitBenchmark(source, task, 'test');
      read.set(task, benchmark);
      benchmark.catch(() => read.delete(task));
    }
    return benchmark;
  };
}

/** A side of a split.json: the ids it lists under that key. */
export const SPLIT_SIDES = ['test', 'val', 'train'] as const;
export type SplitSide = (typeof SPLIT_SIDES)[number];

/** A side of a split read from a labelled dataset; `missing` are the split's ids the dataset lacks. */
export interface SplitBenchmark extends GateBenchmark {
  readonly side: SplitSide;
  readonly missing: readonly string[];
}

/**
 * The proteins of one side of `source.split` with their labels in `task`'s words, in the split's
 * order: the gate's benchmark (test side) and `arginator evaluate`'s default set. Ids the dataset
 * lacks are skipped and returned in `missing` (the gate tolerates them; evaluate refuses them).
 */
export async function readSplitBenchmark(
  source: BenchmarkSource,
  task: string,
  side: SplitSide = 'test',
): Promise<SplitBenchmark> {
  if (!isOneOf(TASKS, task)) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-task',
      `the gate has no benchmark for the '${task}' task`,
      `promote ${TASKS.join(' or ')} models`,
    );
  }
  let ids: unknown;
  try {
    ids = (JSON.parse(await readFile(source.split, 'utf8')) as Record<string, unknown>)[side];
  } catch (e) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-unreadable',
      `the split ${source.split} cannot be read as JSON`,
      'use a split.json as training writes it (e.g. data/default/splits/default-cluster40-split.json; registry.gate_split for the gate, --split for evaluate)',
      {},
      { cause: e },
    );
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-unreadable',
      `the split ${source.split} has no '${side}' list of ids`,
      'use a split.json as training writes it (train / val / test lists of ids)',
    );
  }
  const dataset = await loadLabelledFasta(source.dataset, {
    task,
    ...(source.labels === null ? {} : { labelsPath: source.labels }),
  });
  const byId = new Map(dataset.examples.map((e) => [e.record.id, e]));
  const found = ids.flatMap((id) => {
    const e = byId.get(id);
    return e === undefined ? [] : [e];
  });
  return {
    split: source.split,
    side,
    records: found.map((e) => e.record),
    labels: found.map((e) => e.label),
    missing: ids.filter((id) => !byId.has(id)),
  };
}
