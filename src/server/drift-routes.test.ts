// GET /v1/drift/latest and the drift gauges of /metrics, fed by the reports `arginator drift` records.
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { computeDriftReport } from '../core/drift/drift-report.ts';
import { createRng } from '../core/rng.ts';
import type { DriftRun } from '../pipeline/drift.ts';
import { FsDriftStore } from '../store/fs-drift-store.ts';
import type { Service } from './service.ts';
import { makeHome, startService } from './test-support/service-fixture.ts';

/** A real report of two small seeded samples, one shifted, as `runDrift` returns it. */
function sampleReport(): DriftRun['report'] {
  const rng = createRng(4);
  const dim = 6;
  const rows = (n: number, shift: number): Float32Array =>
    Float32Array.from({ length: n * dim }, () => rng() + shift);
  const { report } = computeDriftReport({
    reference: { embeddings: rows(60, 0), rows: 60, labels: Array(60).fill('A') as string[] },
    current: {
      embeddings: rows(40, 0.5),
      rows: 40,
      labels: Array(40).fill('A') as string[],
      novelty: [...(Array(30).fill('known') as string[]), ...(Array(10).fill('novel') as string[])],
    },
    dim,
    pcaComponents: 3,
  });
  return {
    ...report,
    model: 'v7',
    reference: { source: "model v7's training proteins", rows: 60 },
    current: { source: 'test', rows: 40, seen: 40 },
  };
}

describe('drift in the service', () => {
  let home: string;
  let service: Service;
  beforeAll(async () => {
    home = await makeHome();
    service = await startService(home);
  });
  afterAll(async () => {
    await service.app.close();
  });

  it('404 and no drift series before a check is recorded; the latest report and four gauges after', async () => {
    const none = await service.app.inject('/v1/drift/latest');
    expect(none.statusCode).toBe(404);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body).toContain('no drift check has been recorded yet');
    expect((await service.app.inject('/metrics')).body).not.toMatch(/^arginator_drift_share\{/m);

    const report = sampleReport();
    expect(report.drift).toBe(true);
    const stored = await new FsDriftStore(join(home, 'drift')).save(report, new Date());
    const latest = await service.app.inject('/v1/drift/latest');
    expect(latest.statusCode).toBe(200);
    const body = latest.json<{ id: string; drift: boolean; share: number; features: unknown[] }>();
    expect(body.id).toBe(stored.id);
    expect(body.drift).toBe(true);
    expect(body.share).toBe(report.share);
    expect(body.features).toHaveLength(report.features.length);

    const metrics = (await service.app.inject('/metrics')).body;
    expect(metrics).toContain(`arginator_drift_share{model="v7"} ${report.share}`);
    expect(metrics).toContain('arginator_drift_detected{model="v7"} 1');
    expect(metrics).toContain('arginator_novelty_rate{model="v7"} 0.25');
    expect(metrics).toContain(
      `arginator_drift_classifier_auc{model="v7"} ${report.multivariate.classifier.statistic}`,
    );
  });

  it('needs an API key when keys are configured', async () => {
    const guarded = await startService(home, {}, ['drift-test-key']);
    try {
      expect((await guarded.app.inject('/v1/drift/latest')).statusCode).toBe(401);
      const ok = await guarded.app.inject({
        url: '/v1/drift/latest',
        headers: { 'x-api-key': 'drift-test-key' },
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await guarded.app.close();
    }
  });
});
