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
      benchmark = readBenchmark(source, task);
      read.set(task, benchmark);
      benchmark.catch(() => read.delete(task));
    }
    return benchmark;
  };
}

async function readBenchmark(source: BenchmarkSource, task: string): Promise<GateBenchmark> {
  if (!isOneOf(TASKS, task)) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-task',
      `the gate has no benchmark for the '${task}' task`,
      `promote ${TASKS.join(' or ')} models`,
    );
  }
  let test: unknown;
  try {
    test = (JSON.parse(await readFile(source.split, 'utf8')) as { test?: unknown }).test;
  } catch (e) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-unreadable',
      `the gate's benchmark split ${source.split} cannot be read`,
      'set registry.gate_split to a split.json (e.g. data/default/splits/default-cluster40-split.json)',
      {},
      { cause: e },
    );
  }
  if (!Array.isArray(test) || !test.every((id) => typeof id === 'string')) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-unreadable',
      `the gate's benchmark split ${source.split} has no 'test' list of ids`,
      'use a split.json as training writes it (train / val / test lists of ids)',
    );
  }
  const dataset = await loadLabelledFasta(source.dataset, {
    task,
    ...(source.labels === null ? {} : { labelsPath: source.labels }),
  });
  const byId = new Map(dataset.examples.map((e) => [e.record.id, e]));
  const found = test.flatMap((id) => {
    const e = byId.get(id);
    return e === undefined ? [] : [e];
  });
  return {
    split: source.split,
    records: found.map((e) => e.record),
    labels: found.map((e) => e.label),
  };
}
