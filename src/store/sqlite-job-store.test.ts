import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
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

const job = (n: number, key: string | null = null, owner: string | null = null): NewJob => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  task: 'multiclass',
  inputName: `in${n}.faa`,
  modelVersion: 'v1',
  proteinsTotal: 10,
  createdAt: `2026-11-26T00:00:0${n}.000Z`,
  idempotencyKey: key,
  owner,
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
    expect(store.findByIdempotencyKey('k', null)?.id).toBe(job(1).id);
    store.close();
  });

  it('keeps owners apart: idempotency keys per owner, list per owner', () => {
    const store = new SqliteJobStore(join(dir, 'a.db'));
    const alice = 'a'.repeat(64);
    const bob = 'b'.repeat(64);
    expect(store.insert(job(1, 'k', alice)).created).toBe(true);
    // The same Idempotency-Key from another owner (or from nobody) is another job.
    expect(store.insert(job(2, 'k', bob))).toMatchObject({ created: true, job: { owner: bob } });
    expect(store.insert(job(3, 'k', null)).created).toBe(true);
    expect(store.insert(job(4, 'k', alice))).toMatchObject({
      created: false,
      job: { id: job(1).id },
    });
    expect(store.findByIdempotencyKey('k', bob)?.id).toBe(job(2).id);
    expect(store.findByIdempotencyKey('k', 'c'.repeat(64))).toBeUndefined();
    expect(store.list({ limit: 10, owner: alice }).jobs.map((j) => j.id)).toEqual([job(1).id]);
    expect(store.list({ limit: 10 }).jobs).toHaveLength(3);
    store.close();
  });

  it('migrates a schema-1 database: rows, sequence and idempotency kept, owner null', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE jobs (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
       task TEXT NOT NULL, input_name TEXT NOT NULL, model_version TEXT NOT NULL,
       proteins_total INTEGER, proteins_done INTEGER NOT NULL DEFAULT 0,
       attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, started_at TEXT,
       finished_at TEXT, expires_at TEXT, error TEXT, summary TEXT, idempotency_key TEXT UNIQUE);
     CREATE INDEX jobs_by_status ON jobs (status, seq);`);
    const insert = old.prepare(
      `INSERT INTO jobs (id, status, task, input_name, model_version, proteins_total, created_at, idempotency_key)
       VALUES (?, 'queued', 'multiclass', 'x.faa', 'v1', 3, '2026-11-26T00:00:00.000Z', ?)`,
    );
    insert.run(job(1).id, 'k');
    insert.run(job(2).id, null);
    old.pragma('user_version = 1');
    old.close();

    const store = new SqliteJobStore(path);
    expect(store.get(job(1).id)).toMatchObject({ owner: null, idempotencyKey: 'k' });
    expect(store.insert(job(3, 'k'))).toMatchObject({ created: false, job: { id: job(1).id } });
    const third = store.insert(job(3, null, 'a'.repeat(64)));
    // The AUTOINCREMENT counter survived the rebuild: the new job lists first (newest).
    expect(store.list({ limit: 10 }).jobs.map((j) => j.id)).toEqual([
      third.job.id,
      job(2).id,
      job(1).id,
    ]);
    store.close();
    const reopened = new Database(path);
    expect(reopened.pragma('user_version', { simple: true })).toBe(2);
    reopened.close();
  });
});
