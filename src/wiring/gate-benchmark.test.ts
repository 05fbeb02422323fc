// The promotion gate end to end on real (tiny) models: a benchmark whose labels one model gets right, the other not.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import { predictAll } from '../pipeline/predict.ts';
import type { PromotionDeps } from '../pipeline/promotion-gate.ts';
import { promoteModel } from '../pipeline/promotion-gate.ts';
import type { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createBenchmarkReader } from './gate-benchmark.ts';
import { loadPredictionModel } from './load-model.ts';
import { gateHome } from './test-support/gate-home.ts';

function deps(
  catalog: FsModelRegistry,
  split: string,
  dataset: string,
  settings: Partial<PromotionDeps['settings']> = {},
): PromotionDeps {
  return {
    catalog,
    load: async (entry) => {
      const model = await loadPredictionModel(entry, catalog, jsKernels, { threads: 1 });
      return { model, release: () => model.embedder.close() };
    },
    benchmark: createBenchmarkReader({ split, dataset, labels: null }),
    predict: async (model, records) =>
      (await predictAll(records, { model })).map((p) => p.prediction),
    settings: {
      f1Tolerance: 0.01,
      maxLatencyMs: 60_000,
      latencyProteins: 4,
      latencyRuns: 3,
      ...settings,
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
    clockMs: () => performance.now(),
  };
}

describe('promoteModel (the gate)', () => {
  it('promotes the first champion, refuses a worse one with the reason, and --force records the override', async () => {
    const { catalog, split, dataset } = await gateHome();
    const first = await promoteModel(deps(catalog, split, dataset), { ref: 'v1' });
    expect(first.report).toMatchObject({
      version: 'v1',
      alias: 'champion:multiclass',
      baseline: undefined,
      passed: true,
      forced: false,
    });
    expect(first.report.quality).toMatchObject({ proteins: 30, candidate: 1, metric: 'macro_f1' });
    expect(first.index.aliases['champion:multiclass']).toBe('v1');

    const refused = promoteModel(deps(catalog, split, dataset), { ref: 'v2' });
    await expect(refused).rejects.toMatchObject({ reason: 'registry.gate-failed' });
    await expect(refused).rejects.toThrow(/test F1 0\.\d+ is more than 0\.01 below v1's 1\.0000/);
    const index = await catalog.index();
    expect(index.aliases['champion:multiclass']).toBe('v1');
    // The refused gate is stored with v2.
    const v2 = index.models.find((m) => m.version === 'v2');
    expect(v2?.gates.map((g) => [g.passed, g.forced, g.baseline])).toEqual([[false, false, 'v1']]);

    const forced = await promoteModel(deps(catalog, split, dataset), { ref: 'v2', force: true });
    expect(forced.report).toMatchObject({ passed: false, forced: true });
    expect(forced.report.reasons).toHaveLength(1);
    expect(forced.index.aliases['champion:multiclass']).toBe('v2');
  });

  it('passes a worse model within the tolerance, and fails any on the latency check', async () => {
    const { catalog, split, dataset } = await gateHome();
    await promoteModel(deps(catalog, split, dataset), { ref: 'v1' });
    const tolerant = await promoteModel(deps(catalog, split, dataset, { f1Tolerance: 1 }), {
      ref: 'v2',
    });
    expect(tolerant.report.passed).toBe(true);
    expect(tolerant.report.quality.candidate).toBeLessThan(1);
    // A fixed input of 4 proteins cannot be predicted in 0.000001 ms.
    await expect(
      promoteModel(deps(catalog, split, dataset, { maxLatencyMs: 0.000001 }), {
        ref: 'v1',
        alias: 'challenger',
      }),
    ).rejects.toThrow(/median latency .* ms on 4 proteins exceeds registry.gate_max_latency_ms/);
  });

  it('refuses to promote the holder again and a benchmark without test proteins', async () => {
    const { home, catalog, split, dataset } = await gateHome();
    await promoteModel(deps(catalog, split, dataset), { ref: 'v1' });
    await expect(promoteModel(deps(catalog, split, dataset), { ref: 'v1' })).rejects.toMatchObject({
      reason: 'registry.already-promoted',
    });
    const empty = join(home, 'empty-split.json');
    await writeFile(empty, JSON.stringify({ test: ['nobody'] }));
    await expect(promoteModel(deps(catalog, empty, dataset), { ref: 'v2' })).rejects.toMatchObject({
      reason: 'registry.empty-benchmark',
    });
  });
});
