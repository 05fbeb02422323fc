import { describe, expect, it } from 'vitest';

import { cancelledError, inputError } from '../../core/errors.ts';
import type { Job, JobStatus, JobSummary, NewJob } from './job.ts';
import type { JobExecutor, JobFiles, JobRunOptions, JobStore } from './ports.ts';
import { recoverJobs } from './recover-jobs.ts';
import { JobRunner } from './run-jobs.ts';
import { submitJob } from './submit-job.ts';
import { sweepJobs } from './sweep-jobs.ts';

/** An in-memory JobStore with the same semantics as the SQLite one. */
class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, Job>();
  insert(n: NewJob): { job: Job; created: boolean } {
    const existing =
      n.idempotencyKey === null ? undefined : this.findByIdempotencyKey(n.idempotencyKey, n.owner);
    if (existing !== undefined) {
      return { job: existing, created: false };
    }
    const job: Job = {
      ...n,
      status: 'queued',
      proteinsDone: 0,
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      expiresAt: null,
      error: null,
      summary: null,
    };
    this.jobs.set(n.id, job);
    return { job, created: true };
  }
  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }
  findByIdempotencyKey(key: string, owner: string | null): Job | undefined {
    return [...this.jobs.values()].find((j) => j.idempotencyKey === key && j.owner === owner);
  }
  list(): { jobs: Job[]; nextCursor: string | null } {
    return { jobs: [...this.jobs.values()].reverse(), nextCursor: null };
  }
  private patch(id: string, change: Partial<Job>): Job | undefined {
    const job = this.jobs.get(id);
    if (job === undefined) {
      return undefined;
    }
    const next = { ...job, ...change };
    this.jobs.set(id, next);
    return next;
  }
  claimNext(now: string): Job | undefined {
    const job = [...this.jobs.values()].find((j) => j.status === 'queued');
    return job === undefined
      ? undefined
      : this.patch(job.id, {
          status: 'running',
          attempts: job.attempts + 1,
          startedAt: now,
          proteinsDone: 0,
        });
  }
  setProgress(id: string, proteinsDone: number): Job | undefined {
    return this.patch(id, { proteinsDone });
  }
  finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    d: {
      finishedAt: string;
      expiresAt: string;
      summary?: JobSummary | undefined;
      error?: Job['error'] | undefined;
    },
  ): Job | undefined {
    const job = this.jobs.get(id);
    if (job === undefined || (job.status !== 'queued' && job.status !== 'running')) {
      return job;
    }
    return this.patch(id, {
      status,
      finishedAt: d.finishedAt,
      expiresAt: d.expiresAt,
      summary: d.summary ?? null,
      error: d.error ?? null,
    });
  }
  requeue(id: string, o: { keepAttempt: boolean }): Job | undefined {
    const job = this.jobs.get(id);
    return job?.status !== 'running'
      ? job
      : this.patch(id, {
          status: 'queued',
          proteinsDone: 0,
          startedAt: null,
          attempts: job.attempts - (o.keepAttempt ? 0 : 1),
        });
  }
  withStatus(status: JobStatus): Job[] {
    return [...this.jobs.values()].filter((j) => j.status === status);
  }
  expiredAt(now: string): Job[] {
    return [...this.jobs.values()].filter(
      (j) =>
        ['completed', 'failed', 'cancelled'].includes(j.status) &&
        j.expiresAt !== null &&
        j.expiresAt <= now,
    );
  }
  markExpired(id: string): Job | undefined {
    return this.patch(id, { status: 'expired' });
  }
  countByStatus(): Record<JobStatus, number> {
    const counts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 };
    for (const j of this.jobs.values()) {
      counts[j.status]++;
    }
    return counts;
  }
  close(): void {}
}

class MemoryFiles implements JobFiles {
  readonly dirs = new Set<string>();
  dirOf(id: string): string {
    return `/jobs/${id}`;
  }
  inputPath(id: string): string {
    return `/jobs/${id}/input.fasta`;
  }
  resultPath(id: string, format: string): string {
    return `/jobs/${id}/results.${format}`;
  }
  create(id: string): Promise<void> {
    this.dirs.add(id);
    return Promise.resolve();
  }
  remove(id: string): Promise<void> {
    this.dirs.delete(id);
    return Promise.resolve();
  }
}

/** Jobs run until released by the test (or aborted). */
class GatedExecutor implements JobExecutor {
  readonly started: string[] = [];
  private readonly gates = new Map<string, { release: () => void; fail: (e: Error) => void }>();
  run(job: Job, options: JobRunOptions): Promise<JobSummary> {
    this.started.push(job.id);
    options.onProgress(1);
    return new Promise((resolve, reject) => {
      options.signal.addEventListener('abort', () => reject(cancelledError('The job')));
      this.gates.set(job.id, {
        release: () => resolve({ counts: { A: 1 }, novelty: { known: 1 } }),
        fail: reject,
      });
    });
  }
  release(id: string): void {
    this.gates.get(id)?.release();
  }
  fail(id: string, e: Error): void {
    this.gates.get(id)?.fail(e);
  }
  async close(): Promise<void> {}
}

const clock = { now: () => new Date('2026-11-26T00:00:00.000Z') };
const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(concurrency = 1) {
  const store = new MemoryJobStore();
  const files = new MemoryFiles();
  const executor = new GatedExecutor();
  const changes: Job[] = [];
  const runner = new JobRunner({
    store,
    executor,
    clock,
    concurrency,
    retentionMs: 3_600_000,
    onChange: (j) => changes.push(j),
  });
  let n = 0;
  const submit = async (key: string | null = null) =>
    (
      await submitJob(
        { store, files, clock, newId: () => `job-${++n}` },
        {
          idempotencyKey: key,
          writeInput: () =>
            Promise.resolve({
              task: 'multiclass' as const,
              inputName: 'x',
              modelVersion: 'v1',
              proteins: 3,
            }),
        },
      )
    ).job.id;
  return { store, files, executor, runner, submit, changes };
}

describe('job use cases', () => {
  it('runs one job at a time in submission order and records completion', async () => {
    const { store, executor, runner, submit, changes } = setup();
    const a = await submit();
    const b = await submit();
    runner.wake();
    expect(executor.started).toEqual([a]);
    expect(store.get(b)?.status).toBe('queued');
    executor.release(a);
    await runner.settled(a);
    await tick();
    expect(store.get(a)).toMatchObject({
      status: 'completed',
      proteinsDone: 3,
      expiresAt: '2026-11-26T01:00:00.000Z',
    });
    expect(executor.started).toEqual([a, b]);
    expect(changes.some((j) => j.id === a && j.proteinsDone === 1)).toBe(true);
  });

  it('fails a job with the error code, reason and message', async () => {
    const { store, executor, runner, submit } = setup();
    const a = await submit();
    runner.wake();
    executor.fail(a, inputError('fasta.x', 'bad thing', 'fix it'));
    await runner.settled(a);
    expect(store.get(a)?.error).toEqual({
      code: 'BAD_INPUT',
      reason: 'fasta.x',
      detail: 'bad thing. Fix: fix it',
    });
  });

  it('cancels queued and running jobs', async () => {
    const { store, runner, submit } = setup();
    const a = await submit();
    const b = await submit();
    runner.wake();
    expect(runner.cancel(b)?.status).toBe('cancelled');
    runner.cancel(a);
    await runner.settled(a);
    expect(store.get(a)?.status).toBe('cancelled');
  });

  it('re-queues running jobs on shutdown, giving the attempt back', async () => {
    const { store, runner, submit } = setup();
    const a = await submit();
    runner.wake();
    await runner.shutdown(10);
    expect(store.get(a)).toMatchObject({ status: 'queued', attempts: 0 });
    runner.wake();
    expect(store.get(a)?.status).toBe('queued');
  });

  it('recovers interrupted jobs, failing them after max attempts', async () => {
    const { store, submit } = setup();
    const a = await submit();
    const b = await submit();
    store.claimNext('t');
    store.claimNext('t');
    store.jobs.set(b, { ...(store.get(b) as Job), attempts: 3 });
    const recovery = recoverJobs(store, { maxAttempts: 3, retentionMs: 1000, clock });
    expect(recovery.requeued.map((j) => j.id)).toEqual([a]);
    expect(store.get(a)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(store.get(b)).toMatchObject({
      status: 'failed',
      error: { reason: 'job.too-many-attempts' },
    });
  });

  it('returns the same job for the same idempotency key, writing no second input', async () => {
    const { files, submit } = setup();
    expect(await submit('k')).toBe(await submit('k'));
    expect(files.dirs.size).toBe(1);
  });

  it('sweeps expired jobs: files removed, record kept as expired', async () => {
    const { store, files, executor, runner, submit } = setup();
    const a = await submit();
    runner.wake();
    executor.release(a);
    await runner.settled(a);
    expect(await sweepJobs(store, files, { clock })).toBe(0);
    const later = { now: () => new Date('2026-11-26T02:00:00.000Z') };
    expect(await sweepJobs(store, files, { clock: later })).toBe(1);
    expect(store.get(a)?.status).toBe('expired');
    expect(files.dirs.has(a)).toBe(false);
  });
});
