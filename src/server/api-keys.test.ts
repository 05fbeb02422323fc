import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SqliteJobStore } from '../store/sqlite-job-store.ts';
import { ownerId, redactUrl, routeAccess, WWW_AUTHENTICATE } from './api-keys.ts';
import type { JobJson } from './job-json.ts';
import type { Problem } from './problem.ts';
import type { Service } from './service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJobMap,
} from './test-support/service-fixture.ts';

const ALICE = 'alice-key-0001';
const BOB = 'bob-key-000002';
const ADMIN = 'admin-key-0003';
const fasta = randomFasta(3, 11);

let home: string;
let modelVersion: string;
beforeAll(async () => {
  home = await makeHome();
  modelVersion = await registerTinyModel(home);
});

function as(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { 'x-api-key': key };
}

function expect401(res: LightMyRequestResponse, detail: RegExp): Problem {
  expect(res.statusCode, res.body).toBe(401);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
  const p = res.json<Problem>();
  expect(p).toMatchObject({ status: 401, reason: 'http.api-key' });
  expect(p.detail).toMatch(detail);
  expect(p.hint).toContain('X-API-Key');
  return p;
}

async function submit(app: FastifyInstance, key: string | undefined): Promise<JobJson> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: as(key),
    payload: { fasta },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<JobJson>();
}

async function finished(app: FastifyInstance, id: string, key: string): Promise<JobJson> {
  for (let i = 0; i < 600; i++) {
    const job = (await app.inject({ url: `/v1/jobs/${id}`, headers: as(key) })).json<JobJson>();
    if (['completed', 'failed', 'cancelled'].includes(job.status)) {
      return job;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

async function listIds(app: FastifyInstance, key: string): Promise<string[]> {
  const res = await app.inject({ url: '/v1/jobs?limit=500', headers: as(key) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ jobs: JobJson[] }>().jobs.map((j) => j.id);
}

/** Every route that reads or changes one job, on /v1 and the original API. */
function jobRoutes(id: string): { method: 'GET' | 'POST' | 'DELETE'; url: string }[] {
  return [
    { method: 'GET', url: `/v1/jobs/${id}` },
    { method: 'GET', url: `/v1/jobs/${id}/results?format=tsv` },
    { method: 'GET', url: `/v1/jobs/${id}/events` },
    { method: 'GET', url: `/v1/jobs/${id}/map` },
    { method: 'GET', url: `/v1/jobs/${id}/map.png` },
    { method: 'GET', url: `/v1/jobs/${id}/map.svg` },
    { method: 'POST', url: `/v1/jobs/${id}/cancel` },
    { method: 'DELETE', url: `/v1/jobs/${id}` },
    { method: 'GET', url: `/status/${id}` },
    { method: 'GET', url: `/download/${id}` },
    { method: 'GET', url: `/download_plot/${id}` },
  ];
}

describe('API keys: every route but the public ones needs a key; jobs belong to their key', () => {
  let service: Service;
  let aliceJob: JobJson;
  let aliceLegacyJob: string;
  let bobJob: JobJson;
  let nobodysJob: JobJson;

  beforeAll(async () => {
    // A job submitted while the server had no keys: it belongs to nobody.
    const open = await startService(home);
    nobodysJob = await submit(open.app, undefined);
    await finished(open.app, nobodysJob.id, 'any');
    await open.app.close();

    service = await startService(home, {}, [ALICE, BOB], undefined, {
      adminApiKeys: [ADMIN],
    });
    aliceJob = await submit(service.app, ALICE);
    bobJob = await submit(service.app, BOB);
    const form = multipart([
      { name: 'file', filename: 'in.faa', data: fasta },
      { name: 'classification_type', value: 'Multiclass' },
    ]);
    const legacy = await service.app.inject({
      method: 'POST',
      url: '/submit_job',
      payload: form.payload,
      headers: { ...form.headers, ...as(ALICE) },
    });
    expect(legacy.statusCode, legacy.body).toBe(200);
    aliceLegacyJob = legacy.json<{ job_id: string }>().job_id;
    for (const [id, key] of [
      [aliceJob.id, ALICE],
      [bobJob.id, BOB],
      [aliceLegacyJob, ALICE],
    ] as const) {
      await finished(service.app, id, key);
    }
  });
  afterAll(async () => {
    await service.app.close();
  });

  it('answers 401 problem+json with WWW-Authenticate to reads and writes without a valid key', async () => {
    const routes = [
      ...jobRoutes(aliceJob.id),
      { method: 'GET', url: '/v1/jobs' },
      { method: 'POST', url: '/v1/jobs' },
      { method: 'POST', url: '/v1/predict' },
      { method: 'GET', url: '/v1/models' },
      { method: 'GET', url: `/v1/models/${modelVersion}` },
      { method: 'GET', url: `/v1/models/${modelVersion}/map` },
      { method: 'GET', url: '/v1/runs' },
      { method: 'POST', url: '/submit_job' },
    ] as const;
    for (const r of routes) {
      expect401(await service.app.inject({ method: r.method, url: r.url }), /needs an API key/);
      expect401(
        await service.app.inject({ method: r.method, url: r.url, headers: as('not-a-key-at-all') }),
        /not valid/,
      );
    }
  });

  it('keeps the web UI and the API docs open (the UI asks for the key)', async () => {
    for (const url of ['/', '/openapi.json', '/docs']) {
      const res = await service.app.inject(url);
      expect([200, 302], `${url} ${res.statusCode}`).toContain(res.statusCode);
    }
  });

  it("answers 404 to another key's job on every job route, as for a job that does not exist", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [id, routes] of [
      [aliceJob.id, jobRoutes(aliceJob.id)],
      [aliceLegacyJob, jobRoutes(aliceLegacyJob)],
      [nobodysJob.id, jobRoutes(nobodysJob.id)],
    ] as const) {
      for (const [i, r] of routes.entries()) {
        const res = await service.app.inject({ method: r.method, url: r.url, headers: as(BOB) });
        expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(404);
        const problem = res.json<Problem>();
        const route = jobRoutes(missing)[i];
        const none = await service.app.inject({
          method: route?.method ?? 'GET',
          url: route?.url ?? '',
          headers: as(BOB),
        });
        // Not a hint of existence: the same problem as for a job id nobody has.
        expect(none.statusCode).toBe(404);
        expect(problem.reason).toBe(none.json<Problem>().reason);
        expect(problem.detail.replace(id, missing)).toBe(none.json<Problem>().detail);
      }
    }
    // Bob's own job is still his.
    expect(
      (await service.app.inject({ url: `/v1/jobs/${bobJob.id}`, headers: as(BOB) })).statusCode,
    ).toBe(200);
  });

  it("serves the owner's own job on every read route, /v1 and original", async () => {
    // The map follows the job's completion (503 until written).
    await waitForJobMap(service.app, aliceJob.id, 30_000, as(ALICE));
    for (const url of [
      `/v1/jobs/${aliceJob.id}`,
      `/v1/jobs/${aliceJob.id}/results?format=json`,
      `/status/${aliceLegacyJob}`,
      `/download/${aliceLegacyJob}`,
      `/v1/jobs/${aliceJob.id}/map`,
    ]) {
      const res = await service.app.inject({ url, headers: as(ALICE) });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
  });

  it('lists only the key’s own jobs; an admin key lists and reads every job', async () => {
    const alice = await listIds(service.app, ALICE);
    expect(alice.sort()).toEqual([aliceJob.id, aliceLegacyJob].sort());
    expect(await listIds(service.app, BOB)).toEqual([bobJob.id]);
    const admin = await listIds(service.app, ADMIN);
    for (const id of [aliceJob.id, aliceLegacyJob, bobJob.id, nobodysJob.id]) {
      expect(admin).toContain(id);
    }
    for (const r of jobRoutes(bobJob.id).filter((r) => r.method === 'GET')) {
      const res = await service.app.inject({ url: r.url, headers: as(ADMIN) });
      expect(res.statusCode, `${r.url}: ${res.body}`).toBe(200);
    }
    const cancel = await service.app.inject({
      method: 'POST',
      url: `/v1/jobs/${nobodysJob.id}/cancel`,
      headers: as(ADMIN),
    });
    expect(cancel.statusCode).toBe(200);
  });

  it('stores the sha256 of the key as the owner, never the key', async () => {
    const store = new SqliteJobStore(join(home, 'arginator.db'));
    try {
      expect(store.get(aliceJob.id)?.owner).toBe(ownerId(ALICE));
      expect(ownerId(ALICE)).toMatch(/^[0-9a-f]{64}$/);
      expect(store.get(nobodysJob.id)?.owner).toBeNull();
    } finally {
      store.close();
    }
    for (const file of ['arginator.db', 'arginator.db-wal']) {
      const bytes = await readFile(join(home, file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes(ALICE), file).toBe(false);
    }
  });

  it('keeps Idempotency-Keys apart per key: the same key text is another job for another owner', async () => {
    const send = (key: string) =>
      service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...as(key), 'idempotency-key': 'shared-upload-1' },
        payload: { fasta },
      });
    const a = await send(ALICE);
    const b = await send(BOB);
    const a2 = await send(ALICE);
    expect([a.statusCode, b.statusCode, a2.statusCode]).toEqual([201, 201, 200]);
    expect(b.json<JobJson>().id).not.toBe(a.json<JobJson>().id);
    expect(a2.json<JobJson>().id).toBe(a.json<JobJson>().id);
    await finished(service.app, a.json<JobJson>().id, ALICE);
    await finished(service.app, b.json<JobJson>().id, BOB);
  });

  it('streams events with the key as ?api_key= (EventSource sends no headers) or as the header', async () => {
    const byQuery = await service.app.inject(
      `/v1/jobs/${aliceJob.id}/events?api_key=${encodeURIComponent(ALICE)}`,
    );
    expect(byQuery.statusCode).toBe(200);
    expect(byQuery.headers['content-type']).toContain('text/event-stream');
    expect(byQuery.body).toMatch(/^event: done$/m);
    const byHeader = await service.app.inject({
      url: `/v1/jobs/${aliceJob.id}/events`,
      headers: as(ALICE),
    });
    expect(byHeader.body).toMatch(/^event: done$/m);
    expect(
      (await service.app.inject(`/v1/jobs/${aliceJob.id}/events?api_key=${BOB}`)).statusCode,
    ).toBe(404);
    expect401(
      await service.app.inject(`/v1/jobs/${aliceJob.id}/events?api_key=wrong-key-1`),
      /not valid/,
    );
    // Only the events stream takes the key from the query: elsewhere it stays out of URLs.
    expect401(await service.app.inject(`/v1/jobs/${aliceJob.id}?api_key=${ALICE}`), /needs/);
  });

  it('keeps the probes open by default', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await service.app.inject(url)).statusCode, url).not.toBe(401);
    }
  });
});

describe('API keys: probes and logs', () => {
  it('guards /healthz, /readyz and /metrics when server.open_probes is false, over the network too', async () => {
    const service = await startService(home, { open_probes: false }, [ALICE]);
    try {
      // Load the model so /readyz would be answered by the HTTP server's fast path (probes.ts).
      for (let i = 0; i < 600; i++) {
        const ready = await service.app.inject({ url: '/readyz', headers: as(ALICE) });
        if (ready.statusCode === 200) {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const address = await service.app.listen({ host: '127.0.0.1', port: 0 });
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const closed = await fetch(`${address}${path}`);
        expect(closed.status, path).toBe(401);
        expect(closed.headers.get('www-authenticate')).toBe(WWW_AUTHENTICATE);
        const withKey = await fetch(`${address}${path}`, { headers: as(ALICE) });
        expect(withKey.status, path).toBe(200);
      }
    } finally {
      await service.app.close();
    }
  });

  it('answers the probes without a key over the network when open (the default)', async () => {
    const service = await startService(home, {}, [ALICE]);
    try {
      const address = await service.app.listen({ host: '127.0.0.1', port: 0 });
      expect((await fetch(`${address}/healthz`)).status).toBe(200);
      expect((await fetch(`${address}/metrics`)).status).toBe(200);
      expect((await fetch(`${address}/v1/jobs`)).status).toBe(401);
    } finally {
      await service.app.close();
    }
  });

  it('never logs a key given in the query', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const service = await startService(home, {}, [ALICE], undefined, {
      logger: { level: 'info', stream },
    });
    try {
      const job = await submit(service.app, ALICE);
      await finished(service.app, job.id, ALICE);
      await service.app.inject(`/v1/jobs/${job.id}/events?api_key=${ALICE}`);
      await service.app.inject(`/v1/jobs/${job.id}/events?api_key=${BOB}`);
    } finally {
      await service.app.close();
    }
    const log = lines.join('');
    expect(log).toContain('/events?api_key=[redacted]');
    expect(log).not.toContain(ALICE);
    expect(log).not.toContain(BOB);
  });

  it('redacts api_key however it is spelled in a URL', () => {
    expect(redactUrl('/v1/jobs/x/events?api_key=s3cret&x=1')).toBe(
      '/v1/jobs/x/events?api_key=[redacted]&x=1',
    );
    expect(redactUrl('/a?b=1&API_KEY=s3cret')).toBe('/a?b=1&API_KEY=[redacted]');
    expect(redactUrl('/a?api%5Fkey=s3cret')).toBe('/a?api%5Fkey=[redacted]');
    expect(redactUrl('/v1/jobs')).toBe('/v1/jobs');
  });

  it('classifies routes: deny by default, job routes by their id parameter', () => {
    const open = { openProbes: true };
    expect(routeAccess('GET', '/v1/something-new', open)).toMatchObject({ kind: 'key' });
    expect(routeAccess('GET', '/v1/jobs/:id/map.png', open)).toMatchObject({ jobParam: 'id' });
    expect(routeAccess('GET', '/download_plot/:job_id', open)).toMatchObject({
      jobParam: 'job_id',
    });
    expect(routeAccess('GET', '/v1/models/:version/map', open)).toMatchObject({
      kind: 'key',
      jobParam: undefined,
    });
    expect(routeAccess('GET', '/metrics', open).kind).toBe('open');
    expect(routeAccess('GET', '/metrics', { openProbes: false }).kind).toBe('key');
    expect(routeAccess('OPTIONS', '*', open).kind).toBe('open');
  });
});
