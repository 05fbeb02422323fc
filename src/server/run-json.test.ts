import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { reliabilityDiagram } from '../core/metrics/calibration.ts';
import { classificationReport } from '../core/metrics/classification-report.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { runMetricsJson } from './run-json.ts';
import type { Service } from './service.ts';
import { makeHome, startService } from './test-support/service-fixture.ts';

/** Every object key in `v`, with its path, that is not snake_case. */
function camelKeys(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((x, i) => camelKeys(x, `${path}[${i}]`));
  }
  if (typeof v !== 'object' || v === null) {
    return [];
  }
  return Object.entries(v).flatMap(([k, x]) => [
    ...(/^[a-z0-9_]+$/.test(k) ? [] : [`${path}.${k}`]),
    ...camelKeys(x, `${path}.${k}`),
  ]);
}

const labels = ['A', 'B', 'NBL'];
const truth = [0, 1, 2, 2, 1, 0];
const report = classificationReport(truth, [0, 1, 2, 1, 1, 0], labels);
const probs = [
  0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.1, 0.6, 0.3, 0.2, 0.7, 0.1, 0.9, 0.05, 0.05,
];
/** metrics.json as pipeline/train.ts writes it, from the real metric functions. */
const metrics = {
  best_epoch: 3,
  epochs_run: 5,
  stopped_early: true,
  cancelled: false,
  split: { method: 'cluster', train: 4, val: 1, test: 6 },
  test: report,
  test_roc_auc: 0.9,
  fusion: { alpha: 2, temperature: 1.2, nll: 0.3 },
  test_classifier_only: report,
  test_homology_only: null,
  test_average_precision: 0.8,
  calibration: {
    temperature: 1.2,
    eceBefore: 0.1,
    eceAfter: 0.05,
    before: reliabilityDiagram(probs, truth, 3),
    after: reliabilityDiagram(probs, truth, 3),
  },
};

describe('runMetricsJson', () => {
  it('renames every camelCase field of the reports and the calibration, keeping the values', () => {
    const json = runMetricsJson(metrics);
    expect(camelKeys(json)).toEqual([]);
    expect(json).toMatchObject({
      best_epoch: 3,
      test: {
        accuracy: report.accuracy,
        f1_average: report.f1Average,
        confusion_matrix: report.confusionMatrix,
        per_class: report.perClass,
      },
      test_homology_only: null,
      calibration: {
        ece_before: 0.1,
        ece_after: 0.05,
        before: { ece: metrics.calibration.before.ece },
      },
    });
    const bins = (json?.['calibration'] as { before: { bins: { mean_confidence: number }[] } })
      .before.bins;
    expect(bins.map((b) => b.mean_confidence)).toEqual(
      metrics.calibration.before.bins.map((b) => b.meanConfidence),
    );
  });

  it('keeps older files (fewer fields) and refuses other shapes', () => {
    expect(runMetricsJson({ best_epoch: 1, test: { accuracy: 0.5 } })).toEqual({
      best_epoch: 1,
      test: { accuracy: 0.5 },
    });
    expect(JSON.parse(JSON.stringify(runMetricsJson({})))).toEqual({});
    expect(runMetricsJson('nope')).toBeNull();
    expect(runMetricsJson({ test: { perClass: 'x' } })).toBeNull();
  });
});

describe('/v1/runs', () => {
  let service: Service;
  let id: string;
  beforeAll(async () => {
    const home = await makeHome();
    const run = await new FsRunTracker(join(home, 'runs')).start({
      command: 'train experiment.epochs=5',
      packageVersion: '0.1.0',
      gitCommit: 'abc123',
      environment: { node: 'v20', cores: '2' },
      dataFingerprint: 'f'.repeat(64),
    });
    await run.writeJson('metrics.json', metrics);
    await run.logMetrics(1, { train_loss: 0.5, val_f1: 0.8 });
    await run.logMetrics(2, { train_loss: 0.25, val_f1: 0.9 });
    await run.finish('completed', {
      summary: { best_epoch: 3, test_f1: 0.9, model_version: 'v1' },
    });
    id = run.id;
    service = await startService(home);
  });
  afterAll(async () => {
    await service.app.close();
  });

  it('lists and shows runs with snake_case fields only', async () => {
    const list = (await service.app.inject('/v1/runs')).json<{ runs: Record<string, unknown>[] }>();
    expect(camelKeys(list)).toEqual([]);
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0]).toMatchObject({
      id,
      command: 'train experiment.epochs=5',
      kind: 'train',
      status: 'finished',
      parent_run_id: null,
      tags: {},
      package_version: '0.1.0',
      git_commit: 'abc123',
      data_fingerprint: 'f'.repeat(64),
      summary: { test_f1: 0.9, model_version: 'v1' },
      error: null,
    });
    expect(list.runs[0]?.['started_at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const one = await service.app.inject(`/v1/runs/${id}`);
    expect(one.statusCode).toBe(200);
    const body = one.json<Record<string, unknown>>();
    expect(camelKeys(body)).toEqual([]);
    expect(body).toMatchObject({
      id,
      metrics: { test: { f1_average: 'macro' } },
      plots: [],
      artifacts: [{ path: 'metrics.json' }],
    });
  });

  it('serves the per-step series of a run by key', async () => {
    const res = await service.app.inject(`/v1/runs/${id}/metrics`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ run_id: string; status: string; metrics: Record<string, unknown[]> }>();
    expect(camelKeys(body)).toEqual([]);
    expect(body.run_id).toBe(id);
    expect(body.status).toBe('finished');
    expect(Object.keys(body.metrics).sort()).toEqual(['train_loss', 'val_f1']);
    expect(body.metrics['val_f1']).toEqual([
      { step: 1, value: 0.8, timestamp: expect.any(Number) as unknown },
      { step: 2, value: 0.9, timestamp: expect.any(Number) as unknown },
    ]);
    const missing = await service.app.inject('/v1/runs/nope/metrics');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('answers unknown routes with a NOT_FOUND problem that points to /docs', async () => {
    const res = await service.app.inject('/foo');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'http.not-found',
      detail: 'no route GET /foo; see /docs',
    });
  });
});
