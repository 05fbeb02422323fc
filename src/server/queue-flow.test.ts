// The redis backend's flow on a real Redis: chunks finishing out of order merge in input order; a failing chunk fails its job with its reason.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ArginatorError } from '../core/errors.ts';
import { inputError, isArginatorError } from '../core/errors.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import { SHUTDOWN_REASON } from '../pipeline/jobs/ports.ts';
import type { ChunkSummary } from '../queue/chunk-files.ts';
import type { QueueSettings } from '../queue/queue-contract.ts';
import type { RedisJobExecutor } from '../queue/redis-job-executor.ts';
import { createRedisExecutor } from '../queue/redis-job-executor.ts';
import type { TestRedis } from '../queue/test-support/redis-server.ts';
import { RUN_REDIS_TESTS, startTestRedis } from '../queue/test-support/redis-server.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import type { ChunkRun } from './queue-chunk-thread.ts';
import type { ChunkRunner, QueueWorker } from './queue-worker.ts';
import { startQueueWorker } from './queue-worker.ts';

/** What the fake classifier does with chunk k: a delay, or a failure. */
type Plan = (index: number) => { delayMs: number; fail?: Error | undefined };

/**
 * A chunk "classifier" that writes each protein id as a row (so the merge's order shows), after a
 * delay per chunk; the real one is exercised by queue-fault.test.ts.
 */
function fakeRunner(plan: { current: Plan }, runs: number[]): ChunkRunner {
  return {
    async run(chunk: ChunkRun, onProgress): Promise<ChunkSummary> {
      const index = Number(basename(chunk.input).split('.')[0]);
      runs.push(index);
      const { delayMs, fail } = plan.current(index);
      await sleep(delayMs);
      if (fail !== undefined) {
        throw fail;
      }
      const ids = (await readFile(chunk.input, 'utf8'))
        .split('\n')
        .filter((l) => l.startsWith('>'))
        .map((l) => l.slice(1));
      onProgress(ids.length);
      await writeFile(chunk.outputs.csv, `id,k\n${ids.map((id) => `${id},${index}\n`).join('')}`);
      await writeFile(chunk.outputs.tsv, `id\tk\n${ids.map((id) => `${id}\t${index}\n`).join('')}`);
      await writeFile(
        chunk.outputs.json,
        ids.length === 0
          ? '[\n]\n'
          : `[\n${ids.map((id) => JSON.stringify({ id })).join(',\n')}\n]\n`,
      );
      await writeFile(chunk.mapInput, `map input of chunk ${index}`);
      return { proteins: ids.length, counts: { A: ids.length }, novelty: { novel: ids.length } };
    },
    close: () => Promise.resolve(),
  };
}

function jobOf(id: string, proteins: number): Job {
  return {
    id,
    status: 'running',
    task: 'multiclass',
    inputName: 'test.fasta',
    modelVersion: 'v1',
    proteinsTotal: proteins,
    proteinsDone: 0,
    attempts: 1,
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    finishedAt: null,
    expiresAt: null,
    error: null,
    summary: null,
    idempotencyKey: null,
    owner: null,
  };
}

describe.runIf(RUN_REDIS_TESTS)('redis queue flow', () => {
  let redis: TestRedis;
  let home: string;
  let worker: QueueWorker;
  let executor: RedisJobExecutor;
  let settings: QueueSettings;
  const files = (): FsJobFiles => new FsJobFiles(join(home, 'jobs'));
  const plan: { current: Plan } = { current: () => ({ delayMs: 0 }) };
  const runs: number[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    home = await mkdtemp(join(tmpdir(), 'arginator-queue-flow-'));
    settings = {
      url: redis.url,
      prefix: 'flowtest',
      chunkSize: 2,
      chunkAttempts: 2,
      lockSeconds: 5,
      maxStalls: 1,
      keepFinished: 100,
    };
    worker = await startQueueWorker({
      settings,
      home,
      modelsDir: join(home, 'models'),
      concurrency: 4,
      runner: fakeRunner(plan, runs),
    });
    executor = await createRedisExecutor({ settings, files: files(), pollMs: 50 });
  });

  afterAll(async () => {
    await executor.close();
    await worker.close();
    await redis.stop();
    await rm(home, { recursive: true, force: true });
  });

  async function submit(proteins: number): Promise<Job> {
    const id = randomUUID();
    await files().create(id);
    const fasta = Array.from({ length: proteins }, (_, i) => `>p${i}\nMKT\nLLA\n`).join('');
    await writeFile(files().inputPath(id), fasta);
    return jobOf(id, proteins);
  }

  it('merges chunks in input order though the last chunk finishes first', async () => {
    // 7 proteins, chunks of 2: chunk 0 is the slowest, chunk 3 the fastest.
    plan.current = (k) => ({ delayMs: (4 - k) * 150 });
    runs.length = 0;
    const job = await submit(7);
    const progress: number[] = [];
    const summary = await executor.run(job, {
      signal: new AbortController().signal,
      onProgress: (n) => progress.push(n),
    });
    expect(summary).toEqual({ counts: { A: 7 }, novelty: { novel: 7 } });
    const ids = Array.from({ length: 7 }, (_, i) => `p${i}`);
    const csv = await readFile(files().resultPath(job.id, 'csv'), 'utf8');
    expect(csv).toBe(`id,k\n${ids.map((id, i) => `${id},${Math.floor(i / 2)}\n`).join('')}`);
    const json = JSON.parse(await readFile(files().resultPath(job.id, 'json'), 'utf8')) as {
      id: string;
    }[];
    expect(json.map((r) => r.id)).toEqual(ids);
    const tsv = await readFile(files().resultPath(job.id, 'tsv'), 'utf8');
    expect(
      tsv
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split('\t')[0]),
    ).toEqual(ids);
    // The chunks really did finish out of order (each sleeps less than the one before).
    expect(new Set(runs)).toEqual(new Set([0, 1, 2, 3]));
    expect(progress.at(-1)).toBe(7);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    // Chunk files are gone once merged; the merge's record stays, and the chunks' map inputs
    // are the job's map input parts (moved, in chunk order by name).
    expect(existsSync(join(files().dirOf(job.id), 'chunks'))).toBe(false);
    expect(existsSync(join(files().dirOf(job.id), 'merged.json'))).toBe(true);
    const parts = join(files().dirOf(job.id), 'map-input.parts');
    expect((await readdir(parts)).sort()).toEqual(['0.bin', '1.bin', '2.bin', '3.bin']);
    expect(await readFile(join(parts, '3.bin'), 'utf8')).toBe('map input of chunk 3');
  });

  it('fails the job with the reason of a chunk that fails on bad input, without retrying it', async () => {
    runs.length = 0;
    plan.current = (k) => ({
      delayMs: k === 1 ? 50 : 400,
      fail:
        k === 1
          ? inputError('fasta.test-bad', 'record p2 is not protein', 'translate it first', {
              recordId: 'p2',
            })
          : undefined,
    });
    const job = await submit(6);
    const error = await executor
      .run(job, { signal: new AbortController().signal, onProgress: () => undefined })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isArginatorError(error)).toBe(true);
    const e = error as ArginatorError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.reason).toBe('fasta.test-bad');
    expect(e.oneLine()).toContain('record p2 is not protein');
    expect(runs.filter((k) => k === 1)).toHaveLength(1);
    expect(existsSync(files().resultPath(job.id, 'csv'))).toBe(false);
  });

  it('retries a chunk that fails for an internal reason, then fails the job with that reason', async () => {
    runs.length = 0;
    plan.current = (k) => ({
      delayMs: 10,
      fail: k === 0 ? new Error('disk on fire') : undefined,
    });
    const job = await submit(3);
    const error = await executor
      .run(job, { signal: new AbortController().signal, onProgress: () => undefined })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isArginatorError(error)).toBe(true);
    expect((error as ArginatorError).code).toBe('INTERNAL');
    expect((error as ArginatorError).message).toContain('disk on fire');
    // queue.chunk_attempts = 2: run twice, then the job fails.
    expect(runs.filter((k) => k === 0)).toHaveLength(2);
    const counts = await executor.counts();
    expect(counts.failedTotal).toBe(2);
    expect(counts.active).toBe(0);
  });

  it('leaves the flow running on a shutdown; the next run attaches to it and no chunk runs twice', async () => {
    runs.length = 0;
    plan.current = () => ({ delayMs: 300 });
    const job = await submit(5);
    const stopping = new AbortController();
    const first = executor.run(job, { signal: stopping.signal, onProgress: () => undefined });
    await sleep(100);
    stopping.abort(SHUTDOWN_REASON);
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    const summary = await executor.run(job, {
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    expect(summary.counts).toEqual({ A: 5 });
    expect([...runs].sort()).toEqual([0, 1, 2]);
  });

  it('cancels a job: it rejects CANCELLED and writes no results', async () => {
    runs.length = 0;
    plan.current = () => ({ delayMs: 1500 });
    const job = await submit(8);
    const controller = new AbortController();
    const run = executor.run(job, { signal: controller.signal, onProgress: () => undefined });
    await until(() => runs.length > 0);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    await sleep(1800);
    expect(existsSync(files().resultPath(job.id, 'csv'))).toBe(false);
  });

  it("sees a job's end from the queue's events, not only by polling", async () => {
    // A poll of 10 minutes: only the completed and failed events can end these runs in time.
    const slow = await createRedisExecutor({ settings, files: files(), pollMs: 600_000 });
    try {
      runs.length = 0;
      plan.current = () => ({ delayMs: 100 });
      const done = await slow.run(await submit(3), {
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      expect(done.counts).toEqual({ A: 3 });
      plan.current = (k) => ({
        delayMs: 100,
        fail: k === 1 ? inputError('fasta.test-bad', 'not protein', 'fix it') : undefined,
      });
      await expect(
        slow.run(await submit(4), {
          signal: new AbortController().signal,
          onProgress: () => undefined,
        }),
      ).rejects.toMatchObject({ reason: 'fasta.test-bad' });
    } finally {
      await slow.close();
    }
  }, 20_000);
});

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('timed out');
    }
    await sleep(20);
  }
}
