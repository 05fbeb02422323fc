import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { REPO_ROOT } from '../wiring/test-support/run-cli.ts';
import type { ServerSettings } from './app-deps.ts';
import type { Problem } from './problem.ts';
import type { Service } from './service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
} from './test-support/service-fixture.ts';

interface Case {
  file: string;
  expect: 'error' | 'ok';
  reason?: string;
  messageIncludes?: string[];
  limits?: Record<string, number>;
  duplicateIds?: string;
}

const FIXTURES = join(REPO_ROOT, 'fixtures/bad-input');
const cases = JSON.parse(await readFile(join(FIXTURES, 'cases.json'), 'utf8')) as Case[];

/** The corpus's parser limits as server settings (the server has no header or residue limits). */
const LIMIT_SETTINGS: Record<string, keyof ServerSettings> = {
  maxSequenceLength: 'max_sequence_length',
  maxRecords: 'max_proteins',
  maxDecompressedBytes: 'max_upload_bytes',
};

let home: string;
const services = new Map<string, Service>();

async function serviceFor(c: Case): Promise<Service | undefined> {
  const changes: Partial<ServerSettings> = {};
  for (const [key, value] of Object.entries(c.limits ?? {})) {
    const setting = LIMIT_SETTINGS[key];
    if (setting === undefined) {
      return undefined; // a parser limit the service does not expose (header length, residues)
    }
    Object.assign(changes, { [setting]: value });
  }
  const key = JSON.stringify(changes);
  let service = services.get(key);
  if (service === undefined) {
    service = await startService(home, changes);
    services.set(key, service);
  }
  return service;
}

beforeAll(async () => {
  home = await makeHome();
  await registerTinyModel(home);
});
afterAll(async () => {
  for (const s of services.values()) {
    await s.app.close();
  }
});

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
): Problem {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const problem = JSON.parse(res.body) as Problem;
  expect(problem.status).toBe(status);
  expect(problem.detail.length).toBeGreaterThan(10);
  expect(problem.hint.length).toBeGreaterThan(5);
  return problem;
}

describe('the bad-input corpus through /submit_job', () => {
  const errors = cases.filter((c) => c.expect === 'error');
  const serverLimit = (c: Case): boolean =>
    Object.keys(c.limits ?? {}).every((key) => LIMIT_SETTINGS[key] !== undefined);

  it.each(errors.filter(serverLimit).map((c, i) => [`${c.file}#${i}`, c] as const))(
    '%s → 4xx problem+json',
    async (_name, c) => {
      const service = await serviceFor(c);
      if (service === undefined) {
        throw new Error(`no service for ${c.file}`);
      }
      const res = await service.app.inject({
        method: 'POST',
        url: '/submit_job',
        ...multipart([
          { name: 'file', filename: c.file, data: await readFile(join(FIXTURES, c.file)) },
          { name: 'classification_type', value: 'Multiclass' },
        ]),
      });
      const problem = expectProblem(res, res.statusCode === 413 ? 413 : 422);
      expect(problem.reason).toBe(c.reason);
      expect(problem.code).toBe(res.statusCode === 413 ? 'LIMIT' : 'BAD_INPUT');
      for (const part of c.messageIncludes ?? []) {
        expect(problem.detail).toContain(part);
      }
      expect((await service.app.inject('/healthz')).statusCode).toBe(200);
    },
  );

  // Cases that exceed a CLI parser limit the service has no setting for (header length, total
  // residues): otherwise valid FASTA, so the server must accept them under its own limits.
  it.each(errors.filter((c) => !serverLimit(c)).map((c, i) => [`${c.file}#${i}`, c] as const))(
    '%s (a CLI-only limit) is accepted by the server',
    async (_name, c) => {
      // Its own data directory: the refused-input test below expects the shared one to hold no job.
      const own = await makeHome();
      await registerTinyModel(own);
      const service = await startService(own, {});
      onTestFinished(() => service.app.close());
      const res = await service.app.inject({
        method: 'POST',
        url: '/submit_job',
        ...multipart([
          { name: 'file', filename: c.file, data: await readFile(join(FIXTURES, c.file)) },
          { name: 'classification_type', value: 'Multiclass' },
        ]),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((JSON.parse(res.body) as { job_id: string }).job_id.length).toBeGreaterThan(0);
    },
  );

  it('leaves no job and no job folder behind for refused input', async () => {
    const service = await serviceFor({ file: '', expect: 'error' });
    const list = await service?.app.inject('/v1/jobs');
    expect(list?.json<{ jobs: unknown[] }>().jobs).toEqual([]);
    expect(await readdir(join(home, 'jobs')).catch(() => [])).toEqual([]);
  });
});

describe('limits and hostile requests', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService(home, {
      max_upload_bytes: 64 * 1024,
      max_proteins: 50,
      max_sequence_length: 500,
      sync_max_proteins: 3,
    });
  });
  afterAll(async () => {
    await service.app.close();
  });

  const upload = (data: string | Uint8Array, filename = 'x.faa', type = 'Multiclass') =>
    service.app.inject({
      method: 'POST',
      url: '/submit_job',
      ...multipart([
        { name: 'file', filename, data },
        { name: 'classification_type', value: type },
      ]),
    });

  it('refuses an upload above the byte limit with 413 stating the limit', async () => {
    const big = Array.from(
      { length: 20 },
      (_, i) => `>a${i} ${'d'.repeat(4000)}\nMKTAYIAKQR\n`,
    ).join('');
    const problem = expectProblem(await upload(big), 413);
    expect(problem.detail).toContain('65536 bytes');
    expect(problem.detail).toContain('server.max_upload_bytes');
  });

  it('cuts a gzip bomb off at the limit with 413', async () => {
    const bomb = gzipSync(`>a\n${'ACDEFGHIKL\n'.repeat(2_000_000)}`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const problem = expectProblem(await upload(bomb), 413);
    expect(problem.detail).toContain('65536 bytes');
    expect(problem.detail).toContain('decompression bomb');
    expect(problem.hint).toContain('server.max_upload_bytes');
  });

  it('refuses too many proteins and too long sequences with 413 naming the server setting', async () => {
    const many = expectProblem(await upload(randomFasta(51, 1, 20)), 413);
    expect(many.detail).toContain('50');
    expect(many.hint).toContain('server.max_proteins (now 50 per job)');
    const long = expectProblem(await upload(`>long\n${'MKTAYIAKQRQ'.repeat(50)}\n`), 413);
    expect(long.detail).toContain('500 residues');
    expect(long.detail).toContain('server.max_sequence_length (now 500)');
    expect(long.detail).not.toContain('maxSequenceLength');
  });

  it('uses a path-traversal file name as display text only', async () => {
    const res = await upload(randomFasta(2), '../../etc/passwd');
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json<{ job_id: string }>().job_id;
    const job = await service.app.inject(`/v1/jobs/${id}`);
    expect(job.json<{ input_name: string }>().input_name).toBe('passwd');
    expect(await readdir(join(home, 'jobs', id))).toContain('input.fasta');
  });

  it('refuses a wrong or missing classification_type with 400', async () => {
    expect(expectProblem(await upload(randomFasta(2), 'x.faa', 'binary'), 400).reason).toBe(
      'http.bad-task',
    );
    const missing = await service.app.inject({
      method: 'POST',
      url: '/submit_job',
      ...multipart([{ name: 'file', filename: 'x.faa', data: randomFasta(2) }]),
    });
    expect(expectProblem(missing, 400).reason).toBe('http.missing-task');
    const noFile = await service.app.inject({
      method: 'POST',
      url: '/submit_job',
      ...multipart([{ name: 'classification_type', value: 'Binary' }]),
    });
    expect(expectProblem(noFile, 400).reason).toBe('http.no-file');
  });

  it.each([
    ['/status/00000000-0000-4000-8000-000000000000'],
    ['/status/..%2F..%2Fetc%2Fpasswd'],
    ['/download/not-a-job'],
    ['/v1/jobs/00000000-0000-4000-8000-000000000000'],
    ['/v1/jobs/00000000-0000-4000-8000-000000000000/results'],
    ['/v1/jobs/x/events'],
    ['/no/such/route'],
  ])('answers unknown ids and routes with 404: %s', async (url) => {
    expectProblem(await service.app.inject(url), 404);
  });

  it('refuses bad JSON bodies with 400 and bad sequences with 422', async () => {
    const post = (payload: unknown, url = '/v1/jobs') =>
      service.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
    expectProblem(await post({ task: 'tertiary', sequences: [{ id: 'a', sequence: 'MK' }] }), 400);
    expectProblem(await post({ sequences: [{ id: 'has space', sequence: 'MK' }] }), 400);
    expectProblem(await post({ sequences: [], fasta: '>a\nMK\n' }), 400);
    expectProblem(
      await service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { 'content-type': 'application/json' },
        payload: '{"task": ',
      }),
      400,
    );
    const residue = expectProblem(await post({ sequences: [{ id: 'a', sequence: 'MK#T' }] }), 422);
    expect(residue.reason).toBe('fasta.invalid-residue');
    const dna = expectProblem(await post({ fasta: `>c\n${'ACGT'.repeat(30)}\n` }), 422);
    expect(dna.reason).toBe('fasta.nucleotide');
  });

  it('limits synchronous prediction to server.sync_max_proteins', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { fasta: randomFasta(4, 2, 30) },
    });
    const problem = expectProblem(res, 413);
    expect(problem.detail).toContain('3 records');
    expect(problem.hint).toContain('server.sync_max_proteins');
  });

  it('refuses a bad Idempotency-Key and an unsupported content type', async () => {
    const key = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { 'idempotency-key': 'has space' },
      payload: { fasta: '>a\nMKT\n' },
    });
    expectProblem(key, 400);
    const xml = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expectProblem(xml, 415);
  });
});

describe('API keys, CORS and rate limits', () => {
  it('needs X-API-Key for writes and reads when keys are configured', async () => {
    const service = await startService(home, {}, ['secret-key-1']);
    try {
      const payload = { sequences: [{ id: 'a', sequence: 'MKTAYIAKQ' }] };
      const none = await service.app.inject({ method: 'POST', url: '/v1/jobs', payload });
      expect(expectProblem(none, 401).reason).toBe('http.api-key');
      const wrong = await service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { 'x-api-key': 'nope' },
        payload,
      });
      expectProblem(wrong, 401);
      const ok = await service.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { 'x-api-key': 'secret-key-1' },
        payload,
      });
      expect(ok.statusCode).toBe(201);
      expectProblem(await service.app.inject('/v1/jobs'), 401);
      const read = await service.app.inject({
        url: '/v1/jobs',
        headers: { 'x-api-key': 'secret-key-1' },
      });
      expect(read.statusCode).toBe(200);
    } finally {
      await service.app.close();
    }
  });

  it('answers CORS preflights for configured origins and rate-limits with 429', async () => {
    const service = await startService(home, {
      cors_origins: ['http://ui.example'],
      rate_limit_max: 3,
    });
    try {
      const preflight = await service.app.inject({
        method: 'OPTIONS',
        url: '/v1/jobs',
        headers: { origin: 'http://ui.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers['access-control-allow-origin']).toBe('http://ui.example');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await service.app.inject('/v1/jobs')).statusCode);
      }
      expect(statuses.slice(-1)).toEqual([429]);
      const limited = await service.app.inject('/v1/jobs');
      expect(expectProblem(limited, 429).reason).toBe('http.rate-limit');
      // Liveness and readiness probes and the metrics are never rate-limited, but are counted.
      for (let i = 0; i < 5; i++) {
        expect((await service.app.inject('/healthz')).statusCode).toBe(200);
        expect((await service.app.inject('/metrics')).statusCode).toBe(200);
      }
      expect((await service.app.inject('/readyz')).statusCode).not.toBe(429);
      expect((await service.app.inject('/nope')).statusCode).toBe(404);
      const metrics = (await service.app.inject('/metrics')).body;
      for (const series of [
        'arginator_http_requests_total{method="GET",route="/healthz",status="200"} 5',
        'arginator_http_requests_total{method="GET",route="/metrics",status="200"} 5',
        'arginator_http_requests_total{method="GET",route="/v1/jobs",status="429"} 3',
        'arginator_http_requests_total{method="GET",route="unmatched",status="404"} 1',
        'arginator_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 5',
      ]) {
        expect(metrics).toContain(series);
      }
    } finally {
      await service.app.close();
    }
  });
});
