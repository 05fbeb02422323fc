// The original system's HTTP contract on /submit_job, /status, /download, /download_plot, as its Streamlit frontend calls it.
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ArginatorError } from '../core/errors.ts';
import type { Job, JobSummary } from '../pipeline/jobs/job.ts';
import type { JobRunOptions } from '../pipeline/jobs/ports.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import { writeMapUnavailable } from './job-map-writer.ts';
import { jobMapPaths } from './job-maps.ts';
import type { Service } from './service.ts';
import type { JobPool } from './worker-pool.ts';
import {
  LABELS,
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from './test-support/service-fixture.ts';

const STATUS_KEYS = ['filename', 'progress', 'result', 'status'];

/** The submit request of frontend.py: the file part typed text/plain, and classification_type. */
function submitRequest(type: string, fasta: string) {
  const body = multipart([
    { name: 'file', filename: 'isolates.fa', data: fasta },
    { name: 'classification_type', value: type },
  ]);
  return {
    method: 'POST' as const,
    url: '/submit_job',
    headers: body.headers,
    payload: Buffer.from(
      body.payload.toString('latin1').replace('application/octet-stream', 'text/plain'),
      'latin1',
    ),
  };
}

/** The CSV cell as a JSON client of the original reads it from the preview (independent of legacy-preview.ts). */
function expectedCell(cell: string, numericColumn: boolean): string | number | null {
  if (cell === '') {
    return null;
  }
  return numericColumn ? Number(cell) : cell;
}

const NUMERIC = /^(confidence_score|prob_betalactamase|p_.+|identity|coverage|bitscore|evalue)$/;

describe('the original contract, end to end (real pipeline)', () => {
  let home: string;
  let service: Service;
  const fasta = randomFasta(12, 5);

  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    service = await startService(home);
    await service.mapsReady;
  });
  afterAll(async () => {
    await service.app.close();
  });

  it.each(['Binary', 'Multiclass'])(
    'replays frontend.py: submit, poll /status, plot, preview, CSV (%s)',
    async (type) => {
      const submit = await service.app.inject(submitRequest(type, fasta));
      expect(submit.statusCode, submit.body).toBe(200);
      const submitted = submit.json<{ job_id: string; status: string }>();
      expect(Object.keys(submitted)).toEqual(['job_id', 'status']);
      expect(submitted.status).toBe('submitted');
      const id = submitted.job_id;

      // Poll as frontend.py does (without its 1 s sleep): every answer has the original's keys.
      let last: Record<string, unknown> = {};
      for (let polls = 0; polls < 2000; polls += 1) {
        const res = await service.app.inject(`/status/${id}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        last = res.json<Record<string, unknown>>();
        expect(Object.keys(last).sort()).toEqual(STATUS_KEYS);
        expect(['processing', 'completed']).toContain(last['status']);
        expect(Number.isInteger(last['progress'])).toBe(true);
        expect(last['progress']).toBeGreaterThanOrEqual(0);
        expect(last['progress']).toBeLessThanOrEqual(100);
        expect(last['filename']).toBe('isolates.fa');
        if (last['status'] === 'completed') {
          break;
        }
        expect(last['result']).toBeNull();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(last['status']).toBe('completed');
      expect(last['progress']).toBe(100);

      const plot = await service.app.inject(`/download_plot/${id}`);
      expect(plot.statusCode, plot.body.slice(0, 300)).toBe(200);
      expect(plot.headers['content-type']).toBe('image/png');
      expect(plot.rawPayload.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');

      const download = await service.app.inject(`/download/${id}`);
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(download.headers['content-disposition']).toBe(
        `attachment; filename="${id}_results.csv"`,
      );
      // The same table as /v1 serves.
      expect(download.body).toBe((await service.app.inject(`/v1/jobs/${id}/results`)).body);

      // result: {classification_type, preview}; preview = DataFrame.head(5).to_dict() of that CSV.
      const result = last['result'] as { classification_type: string; preview: unknown };
      expect(Object.keys(result)).toEqual(['classification_type', 'preview']);
      expect(result.classification_type).toBe(type);
      const [header = '', ...rows] = download.body.trimEnd().split('\n');
      const columns = header.split(',');
      const preview = result.preview as Record<string, Record<string, unknown>>;
      expect(Object.keys(preview)).toEqual(columns);
      expect(columns.slice(0, 4)).toEqual([
        'protein_id',
        'predicted_label',
        'confidence_score',
        'prob_betalactamase',
      ]);
      const head = rows.slice(0, 5).map((r) => r.split(','));
      columns.forEach((column, c) => {
        const expected = Object.fromEntries(
          head.map((cells, r) => [String(r), expectedCell(cells[c] ?? '', NUMERIC.test(column))]),
        );
        expect(preview[column], column).toEqual(expected);
      });
      expect(preview['protein_id']).toEqual({ 0: 'q0', 1: 'q1', 2: 'q2', 3: 'q3', 4: 'q4' });
      const labels = type === 'Binary' ? ['Betalactamase', 'Non-Betalactamase'] : LABELS;
      for (const label of Object.values(preview['predicted_label'] ?? {})) {
        expect(labels).toContain(label);
      }
    },
  );

  it('answers 404 {"detail": "Job not found"} for unknown ids, UUIDs or not', async () => {
    for (const route of ['status', 'download', 'download_plot']) {
      for (const id of ['non-existent-id', randomUUID()]) {
        const res = await service.app.inject(`/${route}/${id}`);
        expect(res.statusCode, `${route}/${id}`).toBe(404);
        expect(res.json()).toMatchObject({ detail: 'Job not found', status: 404 });
      }
    }
  });
});

/** A job executor that holds each job until the test says how it ends (fakes over mocks). */
class GatedExecutor implements JobPool {
  readonly started = new Map<string, JobRunOptions>();
  readonly #release = new Map<string, (end: () => Promise<JobSummary>) => void>();

  run(job: Job, options: JobRunOptions): Promise<JobSummary> {
    this.started.set(job.id, options);
    return new Promise<() => Promise<JobSummary>>((resolve, reject) => {
      this.#release.set(job.id, resolve);
      options.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    }).then((end) => end());
  }

  /** Lets the job end as `end` says (write results and return a summary, or throw). */
  release(id: string, end: () => Promise<JobSummary>): void {
    const release = this.#release.get(id);
    if (release === undefined) {
      throw new Error(`job ${id} is not running`);
    }
    release(end);
  }

  /** The maps these jobs owe are the test's to write (map.json or map-unavailable.json). */
  mapJob(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('the original contract before completion and on failure (held jobs)', () => {
  let home: string;
  let service: Service;
  let files: FsJobFiles;
  const executor = new GatedExecutor();
  const fasta = randomFasta(4, 9);

  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    files = new FsJobFiles(join(home, 'jobs'));
    service = await startService(home, {}, [], undefined, { executor });
  });
  afterAll(async () => {
    await service.app.close();
  });

  async function submitHeld(type: string): Promise<string> {
    const res = await service.app.inject(submitRequest(type, fasta));
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json<{ job_id: string }>().job_id;
    for (let i = 0; i < 500 && !executor.started.has(id); i += 1) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(executor.started.has(id)).toBe(true);
    return id;
  }

  const status = async (id: string): Promise<unknown> =>
    (await service.app.inject(`/status/${id}`)).json();

  async function expectNotFinished(id: string): Promise<void> {
    for (const route of ['download', 'download_plot']) {
      const res = await service.app.inject(`/${route}/${id}`);
      expect(res.statusCode, route).toBe(400);
      expect(res.json()).toMatchObject({ detail: 'Job not finished yet', status: 400 });
    }
  }

  it('is processing with its progress and no result while the job runs; downloads answer 400', async () => {
    const id = await submitHeld('Binary');
    expect(await status(id)).toEqual({
      status: 'processing',
      progress: 0,
      result: null,
      filename: 'isolates.fa',
    });
    executor.started.get(id)?.onProgress(1);
    expect(await status(id)).toMatchObject({ status: 'processing', progress: 25, result: null });
    await expectNotFinished(id);

    executor.release(id, () =>
      Promise.reject(
        new ArginatorError('BAD_INPUT', 'test.failure', 'the model rejected the input', 'fix it'),
      ),
    );
    await waitForJob(service.app, id);
    expect(await status(id)).toEqual({
      status: 'failed',
      progress: 25,
      result: null,
      filename: 'isolates.fa',
      error: 'the model rejected the input. Fix: fix it',
    });
    await expectNotFinished(id);
  });

  it('reports a cancelled job as failed, with a reason', async () => {
    const id = await submitHeld('Multiclass');
    await service.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel` });
    expect(await status(id)).toMatchObject({
      status: 'failed',
      result: null,
      error: 'the job was cancelled',
    });
    await expectNotFinished(id);
  });

  it('types the preview as pandas reads the CSV, and answers 404 for a plot that was never made', async () => {
    const id = await submitHeld('Multiclass');
    // Numeric-looking ids and an empty cell: pandas makes the id column int64 and the empty NaN.
    const csv = [
      'protein_id,predicted_label,confidence_score,prob_betalactamase,identity',
      '101,A,0.900000,0.950000,88.5',
      '102,NBL,0.800000,0.100000,',
      '"103",B,0.700000,0.700000,12.0',
      '',
    ].join('\n');
    executor.release(id, async () => {
      await writeFile(files.resultPath(id, 'csv'), csv);
      // The job's map failed (recorded as the worker does): the original answered 404 for no plot.
      await writeMapUnavailable(jobMapPaths(files, id).unavailable, 'v1', {
        code: 'NOT_FOUND',
        reason: 'map.no-references',
        message: 'model v1 has no references',
        hint: '',
        location: {},
      });
      return { counts: { A: 1, B: 1, NBL: 1 }, novelty: {} };
    });
    await waitForJob(service.app, id);
    expect(await status(id)).toEqual({
      status: 'completed',
      progress: 100,
      result: {
        classification_type: 'Multiclass',
        preview: {
          protein_id: { 0: 101, 1: 102, 2: 103 },
          predicted_label: { 0: 'A', 1: 'NBL', 2: 'B' },
          confidence_score: { 0: 0.9, 1: 0.8, 2: 0.7 },
          prob_betalactamase: { 0: 0.95, 1: 0.1, 2: 0.7 },
          identity: { 0: 88.5, 1: null, 2: 12 },
        },
      },
      filename: 'isolates.fa',
    });
    const download = await service.app.inject(`/download/${id}`);
    expect(download.body).toBe(csv);
    const plot = await service.app.inject(`/download_plot/${id}`);
    expect(plot.statusCode).toBe(404);
    expect(plot.json()).toMatchObject({ detail: 'Plot file not found on server' });
  });
});

// The strongest check that frontend.py works unchanged: its calls, made by Python's requests
// against a listening server (test-support/original_frontend_client.py).
const CLIENT = fileURLToPath(
  new URL('./test-support/original_frontend_client.py', import.meta.url),
);
const PYTHON = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import requests'], { encoding: 'utf8' }).status === 0,
);

// CI installs python3-requests (.ci/run): there a missing requests is a failure, not a skip.
if (PYTHON === undefined && process.env.CI === 'true') {
  throw new Error(
    'python3 with requests is required under CI=true (apt-get install python3-requests)',
  );
}

describe.skipIf(PYTHON === undefined)('frontend.py calls made by python3 requests', () => {
  let home: string;
  let service: Service;
  let url: string;

  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    await writeFile(join(home, 'isolates.fa'), randomFasta(7, 13));
    service = await startService(home);
    await service.mapsReady;
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await service.app.close();
  });

  it.each(['Binary', 'Multiclass'])(
    '%s: the frontend gets a preview, a plot and the CSV',
    async (type) => {
      const { stdout } = await promisify(execFile)(
        PYTHON ?? 'python3',
        [CLIENT, url, join(home, 'isolates.fa'), type, '0.05'],
        { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const out = JSON.parse(stdout) as {
        submitted: { job_id: string; status: string };
        statuses: { status: string; progress: number; keys: string[] }[];
        final: { result: { classification_type: string } };
        plot: { status_code: number; content_type: string; png_signature: string };
        preview: Record<string, Record<string, unknown>>;
        download: {
          status_code: number;
          content_type: string;
          content_disposition: string;
          text: string;
        };
      };
      const id = out.submitted.job_id;
      expect(out.submitted.status).toBe('submitted');
      expect(out.statuses.at(-1)).toEqual({
        status: 'completed',
        progress: 100,
        keys: STATUS_KEYS,
      });
      expect(out.final.result.classification_type).toBe(type);
      expect(out.plot).toEqual({
        status_code: 200,
        content_type: 'image/png',
        png_signature: '89504e470d0a1a0a',
      });
      expect(out.download).toMatchObject({
        status_code: 200,
        content_type: 'text/csv; charset=utf-8',
        content_disposition: `attachment; filename="${id}_results.csv"`,
      });
      const columns = out.download.text.split('\n')[0]?.split(',') ?? [];
      expect(Object.keys(out.preview)).toEqual(columns);
      expect(out.preview['protein_id']).toEqual({ 0: 'q0', 1: 'q1', 2: 'q2', 3: 'q3', 4: 'q4' });
      expect(typeof out.preview['confidence_score']?.['0']).toBe('number');
    },
  );
});
