import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../wiring/test-support/run-cli.ts';
import type { JobJson } from './job-json.ts';
import type { Service } from './service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
  waitForJobMap,
} from './test-support/service-fixture.ts';

describe('before a model is registered', () => {
  it('is alive but not ready, and refuses jobs with 503 problem+json', async () => {
    const home = await makeHome();
    const { app } = await startService(home);
    try {
      expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['content-type']).toContain('application/problem+json');
      expect(ready.json()).toMatchObject({ status: 503, reason: 'model.not-loaded' });
      const submit = await app.inject({
        method: 'POST',
        url: '/submit_job',
        ...multipart([
          { name: 'file', filename: 'a.faa', data: randomFasta(2) },
          { name: 'classification_type', value: 'Binary' },
        ]),
      });
      expect(submit.statusCode).toBe(503);
      expect(submit.json<{ hint: string }>().hint).toContain('arginator train');
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).not.toContain('arginator_model_info{');
    } finally {
      await app.close();
    }
  });
});

describe('the web UI', () => {
  it('serves the built UI from the web folder at /', async () => {
    const home = await makeHome();
    const web = join(home, 'web');
    await mkdir(web);
    await writeFile(join(web, 'index.html'), '<!doctype html><title>ARGinator UI</title>');
    const { app } = await startService(home, {}, [], web);
    try {
      const root = await app.inject('/');
      expect(root.headers['content-type']).toContain('text/html');
      expect(root.body).toContain('ARGinator UI');
      expect((await app.inject('/v1/jobs')).statusCode).toBe(200);
      expect((await app.inject('/nope.js')).headers['content-type']).toContain('problem+json');
    } finally {
      await app.close();
    }
  });
});

/**
 * Sends a mix of /v1/predict requests (both tasks, 1–9 proteins, FASTA and sequences) one by one,
 * then all at once (they are micro-batched), and expects the same bytes for each.
 */
async function expectBatchedAsSequential(service: Service): Promise<void> {
  const requests = Array.from({ length: 24 }, (_, i) => {
    const fasta = randomFasta(1 + (i % 9), 100 + i, 40 + 13 * i);
    const task = i % 3 === 2 ? 'binary' : 'multiclass';
    return i % 2 === 0
      ? { task, fasta }
      : {
          task,
          sequences: [...fasta.matchAll(/^>(\S+).*\n(.*)$/gm)].map((m) => ({
            id: `r${i}-${m[1] ?? ''}`,
            sequence: m[2] ?? '',
          })),
        };
  });
  const send = (payload: object) =>
    service.app.inject({ method: 'POST', url: '/v1/predict', payload });
  const alone: string[] = [];
  for (const payload of requests) {
    const res = await send(payload);
    expect(res.statusCode, res.body).toBe(200);
    alone.push(res.body);
  }
  const together = await Promise.all(requests.map(send));
  expect(together.map((r) => r.statusCode)).toEqual(requests.map(() => 200));
  expect(together.map((r) => r.body)).toEqual(alone);
  // Each answer holds its own request's proteins, in order.
  const ids = together.map((r) =>
    r.json<{ predictions: { protein_id: string }[] }>().predictions.map((p) => p.protein_id),
  );
  expect(ids[1]?.[0]).toBe('r1-q0');
  expect(ids[8]).toHaveLength(9);
}

describe('synchronous prediction on the prediction worker thread (syncPredict: worker)', () => {
  it('answers concurrent /v1/predict requests (batched) exactly as one by one', async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    const service = await startService(home, {}, [], undefined, { syncPredict: 'worker' });
    try {
      await expectBatchedAsSequential(service);
    } finally {
      await service.app.close();
    }
  });
});

describe('the service with a registered multiclass model', () => {
  let home: string;
  let service: Service;
  const fasta = randomFasta(400, 11);

  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    await writeFile(join(home, 'input.faa'), fasta);
    service = await startService(home);
  });
  afterAll(async () => {
    await service.app.close();
  });

  async function submitLegacy(type: string, data: string | Uint8Array = fasta): Promise<string> {
    const res = await service.app.inject({
      method: 'POST',
      url: '/submit_job',
      ...multipart([
        { name: 'file', filename: 'isolates.faa', data },
        { name: 'classification_type', value: type },
      ]),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ job_id: string; status: string }>();
    expect(body.status).toBe('submitted');
    return body.job_id;
  }

  it.each([
    ['Multiclass', 'multiclass'],
    ['Binary', 'binary'],
  ])('/submit_job (%s) gives the same CSV bytes as arginator predict', async (type, task) => {
    const id = await submitLegacy(type);
    const job = await waitForJob(service.app, id);
    expect(job).toMatchObject({ status: 'completed', progress: 100, task, model_version: 'v1' });
    const status = await service.app.inject(`/status/${id}`);
    expect(status.json()).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { classification_type: type },
      filename: 'isolates.faa',
    });
    const download = await service.app.inject(`/download/${id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('text/csv; charset=utf-8');
    const cli = await runCli(['predict', join(home, 'input.faa'), '--task', task, '--quiet'], {
      env: { ARGINATOR_HOME: home },
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(download.body).toBe(cli.stdout);
    expect(download.body.split('\n')[0]).toBe(
      task === 'binary'
        ? 'protein_id,predicted_label,confidence_score,prob_betalactamase,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method'
        : 'protein_id,predicted_label,confidence_score,prob_betalactamase,p_A,p_B,p_C,p_D,p_NBL,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method',
    );
  });

  it("writes a job's CSV, TSV and JSON byte for byte as arginator predict does (one use case)", async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      ...multipart([
        { name: 'file', filename: 'isolates.faa', data: fasta },
        { name: 'task', value: 'multiclass' },
      ]),
    });
    expect(res.statusCode, res.body).toBe(201);
    const job = await waitForJob(service.app, res.json<JobJson>().id);
    expect(job.status).toBe('completed');
    for (const format of ['csv', 'tsv', 'json']) {
      const table = await service.app.inject(`/v1/jobs/${job.id}/results?format=${format}`);
      expect(table.statusCode).toBe(200);
      const cli = await runCli(
        ['predict', join(home, 'input.faa'), '--format', format, '--quiet'],
        { env: { ARGINATOR_HOME: home } },
      );
      expect(cli.code, cli.stderr).toBe(0);
      expect(table.body, format).toBe(cli.stdout);
    }
  });

  it('reads gzip uploads (by magic bytes) to the same table', async () => {
    const plain = await waitForJob(service.app, await submitLegacy('Multiclass'));
    const gz = await waitForJob(service.app, await submitLegacy('Multiclass', gzipSync(fasta)));
    const a = await service.app.inject(`/download/${plain.id}`);
    const b = await service.app.inject(`/download/${gz.id}`);
    expect(b.body).toBe(a.body);
  });

  it('creates /v1 jobs from JSON sequences and FASTA text, with results in three formats', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: {
        task: 'multiclass',
        sequences: [
          { id: 'q1', sequence: 'MKTAYIAKQRQISFVKSHFSRQ' },
          { id: 'q2', sequence: 'mstnpkpqrktkrntnrrpqdvkfpgg' },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<JobJson>();
    expect(created).toMatchObject({ status: 'queued', proteins_total: 2, input_name: 'sequences' });
    expect(created.links.events).toBe(`/v1/jobs/${created.id}/events`);
    const job = await waitForJob(service.app, created.id);
    expect(job.summary?.counts).toBeDefined();
    const csv = await service.app.inject(`/v1/jobs/${job.id}/results`);
    expect(csv.body.split('\n')).toHaveLength(4);
    const tsv = await service.app.inject(`/v1/jobs/${job.id}/results?format=tsv`);
    expect(tsv.body.split('\n')[1]?.split('\t')[0]).toBe('q1');
    const json = await service.app.inject(`/v1/jobs/${job.id}/results?format=json`);
    expect(json.json<{ protein_id: string }[]>().map((r) => r.protein_id)).toEqual(['q1', 'q2']);
    const bad = await service.app.inject(`/v1/jobs/${job.id}/results?format=xml`);
    expect(bad.statusCode).toBe(400);

    const text = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { task: 'binary', fasta: '>x1\nMKTAYIAKQRQ\n' },
    });
    expect(text.statusCode).toBe(201);
    expect((await waitForJob(service.app, text.json<JobJson>().id)).status).toBe('completed');
  });

  it('returns the same job for the same Idempotency-Key', async () => {
    const send = () =>
      service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { 'idempotency-key': 'upload-42' },
        payload: { sequences: [{ id: 'k1', sequence: 'MKTAYIAKQ' }] },
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json<JobJson>().id).toBe(first.json<JobJson>().id);
  });

  it('lists jobs newest first with a cursor', async () => {
    const page = await service.app.inject('/v1/jobs?limit=2');
    const body = page.json<{ jobs: JobJson[]; next_cursor: string | null }>();
    expect(body.jobs).toHaveLength(2);
    expect(body.next_cursor).not.toBeNull();
    const next = await service.app.inject(`/v1/jobs?limit=2&cursor=${body.next_cursor ?? ''}`);
    const ids = next.json<{ jobs: JobJson[] }>().jobs.map((j) => j.id);
    expect(ids).not.toContain(body.jobs[0]?.id);
    const completed = await service.app.inject('/v1/jobs?status=completed');
    expect(completed.json<{ jobs: JobJson[] }>().jobs.every((j) => j.status === 'completed')).toBe(
      true,
    );
  });

  it('streams progress as Server-Sent Events, ending with done', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { fasta },
    });
    const id = res.json<JobJson>().id;
    const events = await service.app.inject(`/v1/jobs/${id}/events`);
    expect(events.headers['content-type']).toContain('text/event-stream');
    const names = [...events.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe('progress');
    expect(names.at(-1)).toBe('done');
    const last = events.body.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ id, status: 'completed' });
  });

  it('cancels a queued job; cancelling again changes nothing', async () => {
    const big = randomFasta(3000, 5);
    const first = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { fasta: big },
    });
    const second = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { fasta: big },
    });
    const queuedId = second.json<JobJson>().id;
    const cancelled = await service.app.inject({
      method: 'POST',
      url: `/v1/jobs/${queuedId}/cancel`,
    });
    expect(cancelled.json<JobJson>().status).toBe('cancelled');
    const running = await service.app.inject({
      method: 'DELETE',
      url: `/v1/jobs/${first.json<JobJson>().id}`,
    });
    expect(running.json<JobJson>().status).toBe('cancelled');
    const again = await service.app.inject({ method: 'POST', url: `/v1/jobs/${queuedId}/cancel` });
    expect(again.json<JobJson>().status).toBe('cancelled');
    const results = await service.app.inject(`/v1/jobs/${queuedId}/results`);
    expect(results.statusCode).toBe(409);
    expect(results.json()).toMatchObject({ reason: 'job.not-completed' });
    // The original route keeps the original's answer.
    const legacy = await service.app.inject(`/download/${queuedId}`);
    expect(legacy.statusCode).toBe(400);
    expect(legacy.json()).toMatchObject({ detail: 'Job not finished yet' });
  });

  it('predicts a few proteins synchronously', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: {
        task: 'multiclass',
        sequences: [{ id: 'p1', sequence: 'MKTAYIAKQRQISFVKSHFSRQ' }],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ labels: string[]; predictions: Record<string, unknown>[] }>();
    expect(body.labels).toEqual(['A', 'B', 'C', 'D', 'NBL']);
    expect(body.predictions[0]).toMatchObject({ protein_id: 'p1', model_version: 'v1' });
    expect(Object.keys(body.predictions[0]?.['probabilities'] ?? {})).toEqual(body.labels);
    const binary = await service.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { task: 'binary', fasta: '>p1\nMKTAYIAKQRQISFVKSHFSRQ\n' },
    });
    expect(binary.json<{ labels: string[] }>().labels).toEqual([
      'Betalactamase',
      'Non-Betalactamase',
    ]);
  });

  it('answers concurrent /v1/predict requests (batched) exactly as one by one', async () => {
    await expectBatchedAsSequential(service);
  });

  it('lists models and runs', async () => {
    const models = await service.app.inject('/v1/models');
    expect(models.json()).toMatchObject({
      models: [{ version: 'v1', task: 'multiclass', aliases: ['latest:multiclass'] }],
    });
    expect((await service.app.inject('/v1/models/latest:multiclass')).json()).toMatchObject({
      version: 'v1',
    });
    expect((await service.app.inject('/v1/models/v9')).statusCode).toBe(404);
    expect((await service.app.inject('/v1/runs')).json()).toEqual({ runs: [] });
    expect((await service.app.inject('/v1/runs/..')).statusCode).toBe(404);
  });

  it('exposes the Prometheus series, the OpenAPI document and the docs page', async () => {
    const metrics = (await service.app.inject('/metrics')).body;
    for (const series of [
      'arginator_http_requests_total{method="POST",route="/submit_job",status="200"}',
      'arginator_http_request_duration_seconds_bucket{',
      'arginator_jobs{state="completed"}',
      'arginator_queue_depth',
      'arginator_proteins_processed_total',
      'arginator_model_info{version="v1"} 1',
    ]) {
      expect(metrics).toContain(series);
    }
    const openapi = await service.app.inject('/openapi.json');
    const doc = openapi.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/submit_job', '/status/{job_id}', '/v1/jobs', '/v1/predict', '/metrics']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const docs = await service.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    const asset = await service.app.inject('/docs/static/swagger-ui-bundle.js');
    expect(asset.statusCode).toBe(200);
    const root = await service.app.inject('/');
    expect(root.body).toContain('npm run build');
  });

  it('places a job on the reference map (JSON, PNG, SVG, /download_plot)', async () => {
    await service.mapsReady; // fitted in the background at start-up
    const model = await service.app.inject('/v1/models/v1/map');
    expect(model.statusCode, model.body).toBe(200);
    const refMap = model.json<{ model_version: string; references: { x: number }[] }>();
    expect(refMap.model_version).toBe('v1');
    expect(refMap.references).toHaveLength(10);
    const id = await submitLegacy('Multiclass', randomFasta(20, 3));
    const done = await waitForJob(service.app, id);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    // The original's /download_plot right after "completed" waits for the map that follows.
    const plot = await service.app.inject(`/download_plot/${id}`);
    expect(plot.statusCode, plot.body.slice(0, 300)).toBe(200);
    const map = await waitForJobMap(service.app, id);
    expect(map.statusCode, map.body).toBe(200);
    const body = map.json<{ queries: { id: string; x: number }[]; projection: string }>();
    expect(body.queries.map((q) => q.id)).toEqual(Array.from({ length: 20 }, (_, i) => `q${i}`));
    expect(body.queries.every((q) => Number.isFinite(q.x))).toBe(true);
    for (const url of [`/download_plot/${id}`, `/v1/jobs/${id}/map.png`]) {
      const png = await service.app.inject(url);
      expect(png.statusCode, png.body.slice(0, 300)).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    }
    const svg = await service.app.inject(`/v1/jobs/${id}/map.svg`);
    expect(svg.body).toContain('<svg');
    expect((await service.app.inject('/download_plot/not-a-job')).statusCode).toBe(404);
  });

  it('tags every response with a request id (but the probes answered by the HTTP server)', async () => {
    const res = await service.app.inject('/v1/models');
    expect(res.headers['x-request-id']).toMatch(/^req-/);
    const given = await service.app.inject({
      url: '/v1/jobs/nope',
      headers: { 'x-request-id': 'abc-1' },
    });
    expect(given.json()).toMatchObject({ request_id: 'abc-1', status: 404 });
  });
});
