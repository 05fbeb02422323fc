// Job records in SQLite (better-sqlite3, WAL): <home>/arginator.db. The only file that imports better-sqlite3.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import { z } from 'zod';

import { ACTIVE_JOB_STATUSES, FINISHED_JOB_STATUSES, TASKS } from '../core/domain.ts';
import { ArginatorError, ERROR_CODES } from '../core/errors.ts';
import type { Job, JobStatus, NewJob } from '../pipeline/jobs/job.ts';
import { JOB_STATUSES } from '../pipeline/jobs/job.ts';
import type { JobStore } from '../pipeline/jobs/ports.ts';

const SCHEMA_VERSION = 2;

/** The columns of schema 1, which schema 2 copies over (owner is new). */
const V1_COLUMNS = `seq, id, status, task, input_name, model_version, proteins_total, proteins_done,
  attempts, created_at, started_at, finished_at, expires_at, error, summary, idempotency_key`;

/** A list of state words as SQL text, e.g. `'queued', 'running'` (the words are fixed identifiers). */
const sqlWords = (words: readonly string[]): string => words.map((w) => `'${w}'`).join(', ');
const ACTIVE_SQL = sqlWords(ACTIVE_JOB_STATUSES);
const FINISHED_SQL = sqlWords(FINISHED_JOB_STATUSES);

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     task TEXT NOT NULL,
     input_name TEXT NOT NULL,
     model_version TEXT NOT NULL,
     proteins_total INTEGER,
     proteins_done INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     expires_at TEXT,
     error TEXT,
     summary TEXT,
     idempotency_key TEXT UNIQUE
   );
   CREATE INDEX jobs_by_status ON jobs (status, seq);`,
  // 2: jobs get an owner (sha256 of the submitting API key; NULL: nobody's), and idempotency keys
  // become unique per owner, so one key holder's Idempotency-Key never returns another's job.
  // SQLite cannot drop a column's UNIQUE constraint, so the table is rebuilt (rows, seq and the
  // AUTOINCREMENT counter kept); jobs of schema 1 belong to nobody.
  `CREATE TABLE jobs_v2 (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     task TEXT NOT NULL,
     input_name TEXT NOT NULL,
     model_version TEXT NOT NULL,
     proteins_total INTEGER,
     proteins_done INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     expires_at TEXT,
     error TEXT,
     summary TEXT,
     idempotency_key TEXT,
     owner TEXT
   );
   INSERT INTO jobs_v2 (${V1_COLUMNS}) SELECT ${V1_COLUMNS} FROM jobs;
   DROP TABLE jobs;
   ALTER TABLE jobs_v2 RENAME TO jobs;
   CREATE INDEX jobs_by_status ON jobs (status, seq);
   CREATE INDEX jobs_by_owner ON jobs (owner, seq);
   CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (ifnull(owner, ''), idempotency_key);`,
];

/** A row as stored; parsed with a schema so a hand-edited or foreign database fails clearly. */
const rowSchema = z.object({
  seq: z.number(),
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  task: z.enum(TASKS),
  input_name: z.string(),
  model_version: z.string(),
  proteins_total: z.number().nullable(),
  proteins_done: z.number(),
  attempts: z.number(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  error: z.string().nullable(),
  summary: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  owner: z.string().nullable(),
});

const errorSchema = z.object({
  code: z.enum(ERROR_CODES),
  reason: z.string(),
  detail: z.string(),
});
const summarySchema = z.object({
  counts: z.record(z.string(), z.number()),
  novelty: z.record(z.string(), z.number()),
});

function toJob(raw: unknown): Job {
  const row = rowSchema.parse(raw);
  return {
    id: row.id,
    status: row.status,
    task: row.task,
    inputName: row.input_name,
    modelVersion: row.model_version,
    proteinsTotal: row.proteins_total,
    proteinsDone: row.proteins_done,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
    error: row.error === null ? null : errorSchema.parse(JSON.parse(row.error)),
    summary: row.summary === null ? null : summarySchema.parse(JSON.parse(row.summary)),
    idempotencyKey: row.idempotency_key,
    owner: row.owner,
  };
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;

  /** Opens (creating if needed) the database at `path`, e.g. <home>/arginator.db. */
  constructor(path: string) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
    }
    try {
      this.db = new Database(path);
      // WAL: readers never block the writer; NORMAL sync is durable across process crashes.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (e) {
      throw new ArginatorError(
        'CONFIG',
        'jobs.database',
        `the job database ${path} cannot be opened (${e instanceof Error ? e.message : String(e)})`,
        'check that ARGINATOR_HOME is writable; move a damaged arginator.db away to start afresh',
        {},
        { cause: e },
      );
    }
  }

  private migrate(): void {
    const version = Number(this.db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `database schema ${version} is newer than this arginator's (${SCHEMA_VERSION})`,
      );
    }
    this.db.transaction(() => {
      for (let v = version; v < SCHEMA_VERSION; v++) {
        this.db.exec(MIGRATIONS[v] ?? '');
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }

  insert(job: NewJob): { job: Job; created: boolean } {
    return this.db.transaction(() => {
      if (job.idempotencyKey !== null) {
        const existing = this.findByIdempotencyKey(job.idempotencyKey, job.owner);
        if (existing !== undefined) {
          return { job: existing, created: false };
        }
      }
      this.db
        .prepare(
          `INSERT INTO jobs (id, status, task, input_name, model_version, proteins_total, created_at, idempotency_key, owner)
           VALUES (@id, 'queued', @task, @inputName, @modelVersion, @proteinsTotal, @createdAt, @idempotencyKey, @owner)`,
        )
        .run(job);
      return { job: this.mustGet(job.id), created: true };
    })();
  }

  get(id: string): Job | undefined {
    const row: unknown = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    return row === undefined ? undefined : toJob(row);
  }

  findByIdempotencyKey(key: string, owner: string | null): Job | undefined {
    const row: unknown = this.db
      .prepare(`SELECT * FROM jobs WHERE idempotency_key = ? AND ifnull(owner, '') = ?`)
      .get(key, owner ?? '');
    return row === undefined ? undefined : toJob(row);
  }

  list(query: {
    status?: JobStatus | undefined;
    limit: number;
    before?: string | undefined;
    owner?: string | undefined;
  }): {
    jobs: Job[];
    nextCursor: string | null;
  } {
    const before = query.before === undefined ? Number.MAX_SAFE_INTEGER : Number(query.before);
    const rows: unknown[] = this.db
      .prepare(
        `SELECT * FROM jobs WHERE seq < @before AND (@status IS NULL OR status = @status)
           AND (@owner IS NULL OR owner = @owner)
         ORDER BY seq DESC LIMIT @limit`,
      )
      .all({
        before,
        status: query.status ?? null,
        owner: query.owner ?? null,
        limit: query.limit + 1,
      });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last !== undefined ? String(rowSchema.parse(last).seq) : null;
    return { jobs: page.map(toJob), nextCursor };
  }

  claimNext(now: string): Job | undefined {
    return this.db.transaction(() => {
      const row: unknown = this.db
        .prepare(`SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1`)
        .get();
      if (row === undefined) {
        return undefined;
      }
      const { id } = z.object({ id: z.string() }).parse(row);
      this.db
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, proteins_done = 0
           WHERE id = ?`,
        )
        .run(now, id);
      return this.mustGet(id);
    })();
  }

  setProgress(id: string, proteinsDone: number): Job | undefined {
    this.db
      .prepare(`UPDATE jobs SET proteins_done = ? WHERE id = ? AND status = 'running'`)
      .run(proteinsDone, id);
    return this.get(id);
  }

  finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    details: {
      finishedAt: string;
      expiresAt: string;
      summary?: Job['summary'] | undefined;
      error?: Job['error'] | undefined;
    },
  ): Job | undefined {
    this.db
      .prepare(
        `UPDATE jobs SET status = @status, finished_at = @finishedAt, expires_at = @expiresAt,
           summary = @summary, error = @error
         WHERE id = @id AND status IN (${ACTIVE_SQL})`,
      )
      .run({
        id,
        status,
        finishedAt: details.finishedAt,
        expiresAt: details.expiresAt,
        summary: details.summary == null ? null : JSON.stringify(details.summary),
        error: details.error == null ? null : JSON.stringify(details.error),
      });
    return this.get(id);
  }

  requeue(id: string, options: { keepAttempt: boolean }): Job | undefined {
    this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', proteins_done = 0, started_at = NULL,
           attempts = attempts - ? WHERE id = ? AND status = 'running'`,
      )
      .run(options.keepAttempt ? 0 : 1, id);
    return this.get(id);
  }

  withStatus(status: JobStatus): Job[] {
    const rows: unknown[] = this.db
      .prepare('SELECT * FROM jobs WHERE status = ? ORDER BY seq')
      .all(status);
    return rows.map(toJob);
  }

  expiredAt(now: string): Job[] {
    const rows: unknown[] = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status IN (${FINISHED_SQL})
           AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY seq`,
      )
      .all(now);
    return rows.map(toJob);
  }

  markExpired(id: string): Job | undefined {
    this.db
      .prepare(`UPDATE jobs SET status = 'expired' WHERE id = ? AND status IN (${FINISHED_SQL})`)
      .run(id);
    return this.get(id);
  }

  countByStatus(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows: unknown[] = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')
      .all();
    for (const row of rows) {
      const { status, n } = z.object({ status: z.enum(JOB_STATUSES), n: z.number() }).parse(row);
      counts[status] = n;
    }
    return counts;
  }

  close(): void {
    if (this.db.open) {
      this.db.close();
    }
  }

  private mustGet(id: string): Job {
    const job = this.get(id);
    if (job === undefined) {
      throw new ArginatorError('INTERNAL', 'jobs.lost', `job ${id} vanished from the database`, '');
    }
    return job;
  }
}
