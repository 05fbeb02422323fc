// /v1/drift: checks of an upload, a job and a window on the drift worker, their 4xx, the reports (latest, history, one) and the gauges.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { computeDriftReport } from '../core/drift/drift-report.ts';
import { createRng } from '../core/rng.ts';
import type { DriftRun } from '../pipeline/drift.ts';
import type {
  DriftCheckJson,
  DriftHistoryJson,
  DriftReportJson,
} from '../core/drift/drift-contract.ts';
import { configSchema } from '../pipeline/config/schema.ts';
import { FsDriftStore } from '../store/fs-drift-store.ts';
import type { FastifyInstance } from 'fastify';
import type { Service } from './service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from './test-support/service-fixture.ts';

const MONITORING = { ...configSchema.shape.monitoring.parse({}), min_proteins: 12 };

/** Polls a check until it has ended; every answer seen on the way is kept. */
async function waitForCheck(
  app: FastifyInstance,
  id: string,
  seen: DriftCheckJson[] = [],
): Promise<DriftCheckJson> {
  const until = Date.now() + 120_000;
  for (;;) {
    const check = (await app.inject(`/v1/drift/checks/${id}`)).json<DriftCheckJson>();
    seen.push(check);
    if (check.finishedAt !== null) {
      return check;
    }
    if (Date.now() > until) {
      throw new Error(`drift check ${id} did not end: ${JSON.stringify(check)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

describe('POST /v1/drift on the drift worker', () => {
  let home: string;
  let service: Service;
  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    service = await startService(home, {}, [], undefined, { monitoring: MONITORING });
  });
  afterAll(async () => {
    await service.app.close();
  });

  it('checks an upload: 202 with the check, progress to the end, then the report in latest, history and by id', async () => {
    const body = multipart([
      { name: 'file', filename: 'current.faa', data: randomFasta(30, 11) },
      { name: 'task', value: 'multiclass' },
    ]);
    const res = await service.app.inject({ method: 'POST', url: '/v1/drift', ...body });
    expect(res.statusCode).toBe(202);
    const queued = res.json<DriftCheckJson>();
    expect(res.headers['location']).toBe(`/v1/drift/checks/${queued.id}`);
    expect(queued).toMatchObject({
      trigger: 'api',
      source: 'upload current.faa',
      proteinsTotal: 30,
      reportId: null,
    });
    expect(['queued', 'running']).toContain(queued.status);
    // The request thread answered while the check was queued or running on its worker thread.
    const seen: DriftCheckJson[] = [];
    const done = await waitForCheck(service.app, queued.id, seen);
    expect(done.status).toBe('completed');
    expect(done.proteinsDone).toBe(30);
    expect(seen.every((c) => c.proteinsDone <= 30)).toBe(true);
    expect(done.links.report).toBe(`/v1/drift/reports/${done.reportId}`);
    // The upload is removed once its check has ended.
    expect(await readdir(join(home, 'drift', 'uploads'))).toEqual([]);

    const latest = (await service.app.inject('/v1/drift/latest')).json<DriftReportJson>();
    expect(latest.id).toBe(done.reportId);
    expect(latest.trigger).toBe('api');
    expect(latest.current).toEqual({ source: 'upload current.faa', rows: 30, seen: 30 });
    expect(latest.histograms.map((h) => h.name)).toEqual(latest.features.map((f) => f.name));
    for (const h of latest.histograms) {
      const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
      expect(total(h.current)).toBe(30);
      expect(total(h.reference)).toBe(latest.rows.reference);
    }
    const byId = await service.app.inject(`/v1/drift/reports/${done.reportId}`);
    expect(byId.json<DriftReportJson>()).toEqual(latest);
    const history = (await service.app.inject('/v1/drift')).json<DriftHistoryJson>();
    expect(history.reports[0]).toMatchObject({
      id: done.reportId,
      drift: latest.drift,
      share: latest.share,
      featureCount: latest.features.length,
      trigger: 'api',
    });
  });

  it('checks a completed job with its model, and the completed jobs of a window', async () => {
    const submitted = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { task: 'multiclass', fasta: randomFasta(16, 5) },
    });
    const job = await waitForJob(service.app, submitted.json<{ id: string }>().id);
    expect(job.status).toBe('completed');
    const byJob = await service.app.inject({
      method: 'POST',
      url: '/v1/drift',
      payload: { job_id: job.id },
    });
    expect(byJob.statusCode).toBe(202);
    const jobCheck = await waitForCheck(service.app, byJob.json<DriftCheckJson>().id);
    expect(jobCheck).toMatchObject({
      status: 'completed',
      source: `job ${job.id}`,
      proteinsDone: 16,
    });

    const byWindow = await service.app.inject({
      method: 'POST',
      url: '/v1/drift',
      payload: { window: '1h' },
    });
    expect(byWindow.statusCode).toBe(202);
    const windowCheck = await waitForCheck(service.app, byWindow.json<DriftCheckJson>().id);
    expect(windowCheck).toMatchObject({
      status: 'completed',
      source: '1 job in the last 1h',
      proteinsTotal: 16,
    });
    const history = (await service.app.inject('/v1/drift?limit=2')).json<DriftHistoryJson>();
    expect(history.reports.map((r) => r.id)).toEqual([windowCheck.reportId, jobCheck.reportId]);
  });

  it.each([
    ['an unknown job', { job_id: randomUUID() }, 404, 'job.not-found'],
    [
      'an empty window',
      { since: '2001-01-01T00:00:00Z', until: '2001-01-02T00:00:00Z' },
      404,
      'drift.no-jobs',
    ],
    ['a bad window', { window: 'soon' }, 400, 'http.bad-window'],
    ['no current set', {}, 400, 'http.bad-body'],
    ['two current sets', { window: '1h', job_id: randomUUID() }, 400, 'http.bad-body'],
    [
      'too few proteins',
      { task: 'multiclass', fasta: randomFasta(3, 2) },
      422,
      'drift.too-few-proteins',
    ],
    ['FASTA without a header', { task: 'multiclass', fasta: 'MKTAYIAKQR\n' }, 422, undefined],
  ])('refuses %s with problem+json', async (_what, payload, status, reason) => {
    const res = await service.app.inject({ method: 'POST', url: '/v1/drift', payload });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    if (reason !== undefined) {
      expect(res.json<{ reason: string }>().reason).toBe(reason);
    }
  });

  it('refuses a bad FASTA upload (multipart) with a 4xx', async () => {
    const body = multipart([{ name: 'file', filename: 'x.faa', data: '>a\nMK\n>a\nMK\n' }]);
    const res = await service.app.inject({ method: 'POST', url: '/v1/drift', ...body });
    expect(res.statusCode).toBe(422);
    expect(res.json<{ reason: string }>().reason).toBe('fasta.duplicate-id');
  });

  it('404 for an unknown check or report', async () => {
    expect((await service.app.inject('/v1/drift/checks/nope')).statusCode).toBe(404);
    expect((await service.app.inject('/v1/drift/reports/20000101T000000Z-abcdef')).statusCode).toBe(
      404,
    );
    expect((await service.app.inject('/v1/drift/reports/..%2Flatest')).statusCode).toBe(404);
  });

  it('is described in /openapi.json', async () => {
    const doc = (await service.app.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { enum?: string[] }> };
    }>();
    expect(Object.keys(doc.paths['/v1/drift'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/v1/drift/checks/{id}']).toHaveProperty('get');
    expect(doc.paths['/v1/drift/reports/{id}']).toHaveProperty('get');
    expect(doc.components.schemas['DriftCheckStatus']?.enum).toEqual([
      'queued',
      'running',
      'completed',
      'failed',
      'cancelled',
    ]);
    expect(doc.components.schemas).toHaveProperty('DriftReport');
  });
});

describe('POST /v1/drift with API keys', () => {
  it("needs a key, and a key checks only its own jobs (another key's job is 404, as on the job routes)", async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const service = await startService(home, {}, ['alice-key-0001', 'bob-key-0002'], undefined, {
      monitoring: MONITORING,
    });
    const as = (key: string): Record<string, string> => ({ 'x-api-key': key });
    try {
      const submitted = await service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        payload: { task: 'multiclass', fasta: randomFasta(14, 4) },
        headers: as('alice-key-0001'),
      });
      const id = submitted.json<{ id: string }>().id;
      const until = Date.now() + 60_000;
      while (
        (await service.app.inject({ url: `/v1/jobs/${id}`, headers: as('alice-key-0001') })).json<{
          status: string;
        }>().status !== 'completed'
      ) {
        expect(Date.now()).toBeLessThan(until);
        await new Promise((r) => setTimeout(r, 50));
      }
      const post = (payload: object, headers: Record<string, string>) =>
        service.app.inject({ method: 'POST', url: '/v1/drift', payload, headers });
      expect((await post({ window: '1h' }, {})).statusCode).toBe(401);
      const bobsJob = await post({ job_id: id }, as('bob-key-0002'));
      expect(bobsJob.statusCode).toBe(404);
      expect(bobsJob.json<{ reason: string }>().reason).toBe('job.not-found');
      const bobsWindow = await post({ window: '1h' }, as('bob-key-0002'));
      expect(bobsWindow.json<{ reason: string }>().reason).toBe('drift.no-jobs');
      const alices = await post({ window: '1h' }, as('alice-key-0001'));
      expect(alices.statusCode).toBe(202);
      const check = await service.driftChecks.settled(alices.json<DriftCheckJson>().id);
      expect(check?.status).toBe('completed');
    } finally {
      await service.app.close();
    }
  });
});

describe('drift checks at shutdown', () => {
  it('closing the server ends the running and queued checks (cancelled) and removes their uploads', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const service = await startService(home, {}, [], undefined, { monitoring: MONITORING });
    const ids: string[] = [];
    for (const seed of [1, 2]) {
      const body = multipart([
        { name: 'file', filename: `s${seed}.faa`, data: randomFasta(400, seed) },
      ]);
      const res = await service.app.inject({ method: 'POST', url: '/v1/drift', ...body });
      expect(res.statusCode).toBe(202);
      ids.push(res.json<DriftCheckJson>().id);
    }
    await service.app.close();
    const [first, second] = ids.map((id) => service.driftChecks.get(id));
    // The second one never started; the first was stopped with the worker (or had just finished).
    expect(second?.status).toBe('cancelled');
    expect(['cancelled', 'completed']).toContain(first?.status);
    expect(first?.finishedAt).not.toBeNull();
    expect(await readdir(join(home, 'drift', 'uploads'))).toEqual([]);
  });
});
