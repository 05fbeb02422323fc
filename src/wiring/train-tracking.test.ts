// The train use case against the tracking store: per-step validation metrics, the loss-curve
// chart's validation panel, and the run record (params, data hashes, status, environment).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import { createRng } from '../core/rng.ts';
import { sha256Json } from '../io/file-hash.ts';
import { createVectorsOnlyEmbedder } from '../io/precomputed-embedder.ts';
import { resolveConfig } from '../pipeline/config/resolve-config.ts';
import type { TrainCharts } from '../pipeline/train-charts.ts';
import { train } from '../pipeline/train.ts';
import type { TrainOutcome, VectorDataset } from '../pipeline/train.ts';
import { fsConfigSource } from '../store/fs-config-source.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { H5EmbeddingCache } from '../store/h5-embedding-cache.ts';
import { runEnvironment } from './run-environment.ts';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));
const DIM = 6;
const LABELS = ['A', 'B', 'C', 'D', 'NBL'];
const EPOCHS = 4;

/** 24 proteins per class around a class centre: separable, so validation F1 is well above 0. */
function dataset(): VectorDataset {
  const rng = createRng(7);
  const examples = LABELS.flatMap((label, c) =>
    Array.from({ length: 24 }, (_, i) => ({
      id: `${label}-${i}`,
      label,
      vector: Float32Array.from({ length: DIM }, (_, d) => (d === c ? 3 : 0) + rng() - 0.5),
    })),
  );
  return {
    kind: 'vectors',
    examples,
    dim: DIM,
    fingerprint: sha256Json({ n: examples.length }),
    source: 'synthetic',
    hashes: { dataset: 'd'.repeat(64), labels: null },
  };
}

let home: string;
let outcome: TrainOutcome;
let runs: FsRunTracker;
const charts = new Map<string, VegaLiteSpec>();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'arginator-train-tracking-'));
  const { config } = await resolveConfig(
    fsConfigSource(CONFIGS, 'configs'),
    [
      'embedder=precomputed',
      'split=stratified',
      'model.homology=false',
      'model.hidden_sizes=[8]',
      `experiment.epochs=${EPOCHS}`,
      'experiment.early_stopping_patience=null',
    ],
    { home, package_root: home },
  );
  runs = new FsRunTracker(join(home, 'runs'));
  outcome = await train({
    config,
    configText: '',
    overrides: [],
    dataset: dataset(),
    embedder: createVectorsOnlyEmbedder(DIM),
    embeddingCache: new H5EmbeddingCache(join(home, 'cache')),
    hash: sha256Json,
    kernels: jsKernels,
    runs,
    charts: (_run, made: TrainCharts) => {
      for (const [name, spec] of made) {
        charts.set(name, spec);
      }
      return Promise.resolve();
    },
    registry: new FsModelRegistry(join(home, 'models')),
    clock: { now: () => new Date() },
    run: runEnvironment({ kernels: 'js' }),
  });
}, 120_000);
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** The rows of every line layer of a (possibly nested) Vega-Lite spec. */
function lineRows(spec: unknown): { epoch: number; series: string; value: number }[] {
  if (spec === null || typeof spec !== 'object') {
    return [];
  }
  const o = spec as Record<string, unknown>;
  const here =
    (o['mark'] as { type?: string } | undefined)?.type === 'line'
      ? (((o['data'] as { values?: unknown[] } | undefined)?.values ?? []) as {
          epoch: number;
          series: string;
          value: number;
        }[])
      : [];
  return [
    ...here,
    ...Object.values(o).flatMap((v) => (Array.isArray(v) ? v.flatMap(lineRows) : lineRows(v))),
  ];
}

describe('train → tracking store', () => {
  it('logs validation F1 and accuracy per epoch as per-step metrics', async () => {
    expect(outcome.status).toBe('completed');
    const points = await runs.metrics(outcome.runId);
    for (const key of ['train_loss', 'val_loss', 'val_f1', 'val_accuracy', 'val_mcc']) {
      expect(points.filter((p) => p.key === key).map((p) => p.step)).toEqual(
        Array.from({ length: outcome.epochsRun }, (_, i) => i + 1),
      );
    }
    expect(points.every((p) => Number.isFinite(p.timestamp) && p.timestamp > 0)).toBe(true);
  });

  it('draws the validation macro-F1 and accuracy on the loss-curve chart (valHistory)', async () => {
    const rows = lineRows(charts.get('loss-curves'));
    const points = await runs.metrics(outcome.runId);
    const f1 = rows.filter((r) => r.series === 'Validation macro-F1');
    const accuracy = rows.filter((r) => r.series === 'Validation accuracy');
    expect(f1.map((r) => r.epoch)).toEqual(
      Array.from({ length: outcome.epochsRun }, (_, i) => i + 1),
    );
    expect(accuracy).toHaveLength(outcome.epochsRun);
    // The chart shows the very numbers the run logged.
    expect(f1.map((r) => r.value)).toEqual(
      points.filter((p) => p.key === 'val_f1').map((p) => p.value),
    );
  });

  it('records params, data hashes, environment and a finished status', async () => {
    const record = await runs.get(outcome.runId);
    expect(record).toMatchObject({
      kind: 'train',
      status: 'finished',
      params: { task: { name: 'multiclass' }, experiment: { epochs: EPOCHS } },
      data: { dataset: 'd'.repeat(64), labels: null, clusters: null },
      environment: { node: process.version, kernels: 'js' },
    });
    expect(record.data?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(record.finishedAt).toBeDefined();
  });
});
