import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewJob } from '../pipeline/jobs/job.ts';
import { SqliteJobStore } from './sqlite-job-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-jobstore-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const job = (n: number, key: string | null = null): NewJob => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  task: 'multiclass',
  inputName: `in${n}.faa`,
  modelVersion: 'v1',
  proteinsTotal: 10,
  createdAt: `2026-11-26T00:00:0${n}.000Z`,
  idempotencyKey: key,
});

describe('SqliteJobStore', () => {
  it('keeps jobs across reopening (WAL file on disk)', () => {
    const path = join(dir, 'arginator.db');
    const a = new SqliteJobStore(path);
    a.insert(job(1));
    a.close();
    const b = new SqliteJobStore(path);
    expect(b.get(job(1).id)).toMatchObject({ status: 'queued', inputName: 'in1.faa', attempts: 0 });
    b.close();
  });

  it('claims the oldest queued job once, counting attempts', () => {
    const store = new SqliteJobStore(join(dir, 'a.db'));
    store.insert(job(1));
    store.insert(job(2));
    const first = store.claimNext('2026-11-26T01:00:00.000Z');
    expect(first).toMatchObject({ id: job(1).id, status: 'running', attempts: 1 });
    expect(store.claimNext('2026-11-26T01:00:00.000Z')?.id).toBe(job(2).id);
    expect(store.claimNext('2026-11-26T01:00:00.000Z')).toBeUndefined();
    expect(store.setProgress(job(1).id, 5)?.proteinsDone).toBe(5);
    expect(store.requeue(job(1).id, { keepAttempt: false })).toMatchObject({
      status: 'queued',
      attempts: 0,
      proteinsDone: 0,
    });
    store.close();
  });

  it('finishes, lists newest first with a cursor, expires and counts', () => {
    const store = new SqliteJobStore(join(dir, 'a.db'));
    for (let i = 1; i <= 5; i++) {
      store.insert(job(i));
    }
    store.claimNext('t');
    const done = store.finish(job(1).id, 'completed', {
      finishedAt: '2026-11-26T02:00:00.000Z',
      expiresAt: '2026-11-27T02:00:00.000Z',
      summary: { counts: { A: 10 }, novelty: { known: 10 } },
    });
    expect(done?.summary).toEqual({ counts: { A: 10 }, novelty: { known: 10 } });
    store.finish(job(2).id, 'failed', {
      finishedAt: 'x',
      expiresAt: '2026-11-28T00:00:00.000Z',
      error: { code: 'BAD_INPUT', reason: 'r', detail: 'd' },
    });
    const page = store.list({ limit: 2 });
    expect(page.jobs.map((j) => j.inputName)).toEqual(['in5.faa', 'in4.faa']);
    const rest = store.list({ limit: 10, before: page.nextCursor ?? undefined });
    expect(rest.jobs.map((j) => j.inputName)).toEqual(['in3.faa', 'in2.faa', 'in1.faa']);
    expect(rest.nextCursor).toBeNull();
    expect(store.list({ limit: 10, status: 'failed' }).jobs[0]?.error?.code).toBe('BAD_INPUT');
    expect(store.expiredAt('2026-11-27T12:00:00.000Z').map((j) => j.id)).toEqual([job(1).id]);
    store.markExpired(job(1).id);
    expect(store.countByStatus()).toEqual({
      queued: 3,
      running: 0,
      completed: 0,
      failed: 1,
      cancelled: 0,
      expired: 1,
    });
    // A finished job is never finished again (cancel after completion changes nothing).
    expect(store.finish(job(2).id, 'cancelled', { finishedAt: 'y', expiresAt: 'y' })?.status).toBe(
      'failed',
    );
    store.close();
  });

  it('returns the existing job for a repeated idempotency key', () => {
    const store = new SqliteJobStore(join(dir, 'a.db'));
    expect(store.insert(job(1, 'k')).created).toBe(true);
    const again = store.insert(job(2, 'k'));
    expect(again).toMatchObject({ created: false, job: { id: job(1).id } });
    expect(store.findByIdempotencyKey('k')?.id).toBe(job(1).id);
    store.close();
  });
});
