import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ArginatorError } from '../core/errors.ts';
import { fitMapWithUmapJs } from '../umap/umap-js-layout.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { fitSecondsLeft } from './job-maps.ts';
import type { Service } from './service.ts';
import {
  makeHome,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
  waitForJobMap,
} from './test-support/service-fixture.ts';

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await get();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function submit(service: Service, n: number): Promise<string> {
  const res = await service.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    payload: { task: 'multiclass', fasta: randomFasta(n, 5) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

describe('a model map that is still being fitted', () => {
  const services: Service[] = [];
  afterAll(async () => {
    for (const s of services) {
      await s.app.close();
    }
  });

  it('answers 503 with Retry-After, keeps /healthz and /readyz up; jobs complete and their maps follow', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let fits = 0;
    const gated: ReferenceMapFitter = async (input, options) => {
      fits++;
      options.onProgress?.(0.5, 'UMAP epoch 200/400');
      await gate;
      return fitMapWithUmapJs(input, options);
    };
    const service = await startService(home, {}, [], undefined, { mapFitter: gated });
    services.push(service);
    const { app } = service;

    // The fit reports 50% once it has started (before that the map is 0% done, also a 503).
    const busy = await until('the 503 at 50%', async () => {
      const res = await app.inject('/v1/models/v1/map');
      return res.statusCode === 503 && res.body.includes('(50% done)') ? res : undefined;
    });
    expect(busy.headers['content-type']).toContain('application/problem+json');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(busy.json()).toMatchObject({ status: 503, code: 'NOT_READY', reason: 'map.fitting' });
    expect(busy.json<{ detail: string }>().detail).toMatch(
      /map of model v1 is being fitted \(50% done\); retry in \d+ s/,
    );
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await until('readiness', async () =>
      (await app.inject('/readyz')).statusCode === 200 ? true : undefined,
    );

    // The job completes with its tables; its points follow once the model's map exists.
    const id = await submit(service, 12);
    expect((await waitForJob(app, id)).status).toBe('completed');
    expect((await app.inject(`/v1/jobs/${id}/results?format=csv`)).statusCode).toBe(200);
    for (const url of [`/v1/jobs/${id}/map`, `/v1/jobs/${id}/map.png`]) {
      const pending = await app.inject(url);
      expect(pending.statusCode, url).toBe(503);
      expect(pending.headers['content-type']).toContain('application/problem+json');
      expect(Number(pending.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(pending.json()).toMatchObject({ code: 'NOT_READY', reason: 'job.map-pending' });
    }
    expect(await exists(join(home, 'jobs', id, 'map-input.bin'))).toBe(true);

    release();
    const map = await waitForJobMap(app, id);
    expect(map.statusCode, map.body).toBe(200);
    expect(map.headers['content-type']).toContain('application/json');
    const body = map.json<{ model_version: string; projection: string; queries: unknown[] }>();
    expect(body).toMatchObject({ model_version: 'v1', projection: 'transform' });
    expect(body.queries).toHaveLength(12);
    expect(body.queries[0]).toEqual({
      id: 'q0',
      predicted_label: expect.any(String) as unknown,
      novelty: expect.any(String) as unknown,
      x: expect.any(Number) as unknown,
      y: expect.any(Number) as unknown,
    });
    // The route streams the file the worker wrote; nothing is computed on request. The kept
    // embeddings are gone once the map is written.
    expect(JSON.parse(await readFile(join(home, 'jobs', id, 'map.json'), 'utf8'))).toEqual(body);
    expect(await exists(join(home, 'jobs', id, 'map-input.bin'))).toBe(false);
    expect((await app.inject('/v1/models/v1/map')).statusCode).toBe(200);
    expect(fits).toBe(1); // start-up and the job shared one fit
  });

  it('keeps the map of a job independent of batching and of other jobs', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const service = await startService(home);
    services.push(service);
    await service.mapsReady;
    const small = await submit(service, 3);
    const large = await submit(service, 300);
    await waitForJob(service.app, small);
    await waitForJob(service.app, large);
    type Body = { queries: { id: string; x: number; y: number }[] };
    const a = (await waitForJobMap(service.app, small)).json<Body>();
    const b = (await waitForJobMap(service.app, large)).json<Body>();
    expect(b.queries).toHaveLength(300);
    expect(b.queries.map((q) => q.id)).toEqual(Array.from({ length: 300 }, (_, i) => `q${i}`));
    // Same proteins (same seed), same places: a point does not depend on its batch (256) or job.
    expect(b.queries.slice(0, 3)).toEqual(a.queries);
  });
});

describe('a job whose map cannot be made', () => {
  it('still completes; its map answers 404 saying why', async () => {
    const home = await makeHome();
    await registerTinyModel(home, 'multiclass', { references: false });
    const service = await startService(home);
    try {
      await service.mapsReady;
      const id = await submit(service, 5);
      expect((await waitForJob(service.app, id)).status).toBe('completed');
      expect((await service.app.inject(`/v1/jobs/${id}/results`)).statusCode).toBe(200);
      await waitForJobMap(service.app, id);
      for (const url of [`/v1/jobs/${id}/map`, `/v1/jobs/${id}/map.png`, `/download_plot/${id}`]) {
        const res = await service.app.inject(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json()).toMatchObject({ code: 'NOT_FOUND', reason: 'job.map-unavailable' });
        // /download_plot keeps the original's detail text; the reason moves to the hint there.
        const { detail, hint } = res.json<{ detail: string; hint: string }>();
        if (url.startsWith('/download_plot')) {
          expect(detail).toBe('Plot file not found on server');
          expect(hint).toContain('map.no-references');
        } else {
          expect(detail).toContain('map.no-references');
        }
      }
    } finally {
      await service.app.close();
    }
  });
});

describe('a job whose map fails after its tables', () => {
  it('stays completed; its map answers 404 with the reason, and the kept embeddings are removed', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const failing: ReferenceMapFitter = () =>
      Promise.reject(
        new ArginatorError('INTERNAL', 'map.fit-broken', 'the layout diverged', 'report it'),
      );
    const service = await startService(home, {}, [], undefined, { mapFitter: failing });
    try {
      const id = await submit(service, 6);
      const job = await waitForJob(service.app, id);
      expect(job.status).toBe('completed');
      expect(job.error).toBeNull();
      const res = await waitForJobMap(service.app, id);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', reason: 'job.map-unavailable' });
      expect(res.json<{ detail: string }>().detail).toContain('map.fit-broken');
      expect((await service.app.inject(`/v1/jobs/${id}`)).json()).toMatchObject({
        status: 'completed',
      });
      expect(await exists(join(home, 'jobs', id, 'map-input.bin'))).toBe(false);
    } finally {
      await service.app.close();
    }
  });
});

describe('a server stopped after a job completed and before its map was written', () => {
  it('makes the map on restart from the kept embeddings, or records it as failed without them', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    // The model's map never gets fitted in the first life: both jobs' maps stay owed.
    const never: ReferenceMapFitter = () => new Promise(() => undefined);
    const first = await startService(home, {}, [], undefined, { mapFitter: never });
    const kept = await submit(first, 7);
    const lost = await submit(first, 4);
    for (const id of [kept, lost]) {
      expect((await waitForJob(first.app, id)).status).toBe('completed');
      expect((await first.app.inject(`/v1/jobs/${id}/map`)).statusCode).toBe(503);
    }
    await first.app.close();
    expect(await exists(join(home, 'jobs', kept, 'map-input.bin'))).toBe(true);
    await rm(join(home, 'jobs', lost, 'map-input.bin'));

    const second = await startService(home);
    try {
      expect(await second.mapRecovery).toEqual({ remade: [kept], failed: [lost] });
      const map = await waitForJobMap(second.app, kept);
      expect(map.statusCode, map.body).toBe(200);
      expect(map.json<{ queries: unknown[] }>().queries).toHaveLength(7);
      const gone = await second.app.inject(`/v1/jobs/${lost}/map`);
      expect(gone.statusCode).toBe(404);
      expect(gone.json()).toMatchObject({ reason: 'job.map-unavailable' });
      expect(gone.json<{ detail: string }>().detail).toContain('map.interrupted');
    } finally {
      await second.app.close();
    }
  });
});

describe('retention', () => {
  it("removes a job's map files with its results when the job expires", async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    let offsetMs = 0;
    const service = await startService(home, { retention_hours: 1 }, [], undefined, {
      now: () => new Date(Date.now() + offsetMs),
    });
    try {
      const id = await submit(service, 5);
      await waitForJob(service.app, id);
      expect((await waitForJobMap(service.app, id)).statusCode).toBe(200);
      expect(await exists(join(home, 'jobs', id, 'map.json'))).toBe(true);
      offsetMs = 2 * 3_600_000;
      expect(await service.sweep()).toBe(1);
      expect(await exists(join(home, 'jobs', id))).toBe(false);
      const res = await service.app.inject(`/v1/jobs/${id}/map`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ reason: 'job.expired' });
    } finally {
      await service.app.close();
    }
  });
});

describe('fitSecondsLeft', () => {
  it('extrapolates from the progress of the epochs, and guesses before they start', () => {
    expect(fitSecondsLeft({ startedAt: 0, fraction: 0.5 }, 10_000)).toBe(10);
    expect(fitSecondsLeft({ startedAt: 0, fraction: 0.05 }, 2_000)).toBe(13);
    expect(fitSecondsLeft({ startedAt: 0, fraction: 0.99 }, 10_000)).toBe(1);
  });
});
