// Test helpers: a data directory with a tiny registered model, a service on it, and job polling.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { FINISHED_JOB_STATUSES } from '../../core/domain.ts';
import type { JobStatus } from '../../core/domain.ts';
import { configSchema } from '../../pipeline/config/schema.ts';
import type { ServerSettings } from '../app-deps.ts';
import type { JobJson } from '../job-json.ts';
import type { Service, ServiceOptions } from '../service.ts';
import { createService } from '../service.ts';

// The tiny model and random FASTA are shared with the cli tests, so they live in wiring/test-support.
export {
  LABELS,
  randomFasta,
  randomProtein,
  registerTinyModel,
} from '../../wiring/test-support/tiny-model.ts';

export async function makeHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'arginator-server-'));
}

/** The schema defaults with `changes`: what configs/server/default.yaml gives, without rate limits. */
export function testSettings(changes: Partial<ServerSettings> = {}): ServerSettings {
  const defaults = configSchema.shape.server.parse({});
  return { ...defaults, rate_limit_max: 0, embedder_threads: 1, ...changes };
}

export async function startService(
  home: string,
  changes: Partial<ServerSettings> = {},
  apiKeys: readonly string[] = [],
  webDir?: string,
  extra: Partial<ServiceOptions> = {},
): Promise<Service> {
  return createService({
    home,
    modelsDir: join(home, 'models'),
    runsDir: join(home, 'runs'),
    settings: testSettings(changes),
    apiKeys,
    webDir,
    logger: false,
    mapFitter: 'inline',
    ...extra,
  });
}

/** Polls GET /v1/jobs/{id} until the job has finished. */
export async function waitForJob(
  app: FastifyInstance,
  id: string,
  timeoutMs = 30_000,
): Promise<JobJson> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v1/jobs/${id}` });
    const job = res.json<JobJson>();
    const ended: readonly JobStatus[] = [...FINISHED_JOB_STATUSES, 'expired'];
    if (ended.includes(job.status)) {
      return job;
    }
    if (Date.now() > until) {
      throw new Error(`job ${id} did not finish in ${timeoutMs} ms: ${res.body}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A multipart/form-data body with file parts and fields, for app.inject. */
export function multipart(
  parts: readonly (
    { name: string; filename: string; data: Uint8Array | string } | { name: string; value: string }
  )[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----arginator-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
      );
      chunks.push(typeof p.data === 'string' ? Buffer.from(p.data) : Buffer.from(p.data));
    } else {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}`),
      );
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Polls GET /v1/jobs/{id}/map while it answers 503 (the map follows the job's completion). */
export async function waitForJobMap(
  app: FastifyInstance,
  id: string,
  timeoutMs = 30_000,
  headers: Record<string, string> = {},
): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v1/jobs/${id}/map`, headers });
    if (res.statusCode !== 503) {
      return res;
    }
    if (Date.now() > until) {
      throw new Error(`the map of job ${id} was not written in ${timeoutMs} ms: ${res.body}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
