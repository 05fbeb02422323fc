// What the API process and `arginator worker` agree on in Redis: the queue, job names and data, extra keys, error codec, connection.
import { Redis } from 'ioredis';

import type { ErrorCode } from '../core/errors.ts';
import { ArginatorError, ERROR_CODES, isArginatorError } from '../core/errors.ts';
import type { JobSummary, JobTask } from '../pipeline/jobs/job.ts';

/** The queue settings both sides read (config group `queue`, docs/queue.md). */
export interface QueueSettings {
  readonly url: string;
  readonly prefix: string;
  readonly chunkSize: number;
  readonly chunkAttempts: number;
  readonly lockSeconds: number;
  readonly maxStalls: number;
  readonly keepFinished: number;
}

/** One BullMQ queue holds both job names: a `merge` parent waits on its `chunk` children. */
export const QUEUE_NAME = 'jobs';
export const CHUNK = 'chunk';
export const MERGE = 'merge';

/** A chunk's job data: everything else (paths) each process derives from its own ARGINATOR_HOME. */
export interface ChunkData {
  readonly jobId: string;
  readonly index: number;
  readonly proteins: number;
  readonly task: JobTask;
  readonly modelVersion: string;
}

export interface MergeData {
  readonly jobId: string;
  readonly chunks: number;
  readonly proteins: number;
  readonly task: JobTask;
  readonly modelVersion: string;
}

/** The parent's return value: the job's summary, once its tables are merged. */
export type MergeResult = JobSummary;

/** BullMQ job ids: the parent is the ARGinator job id, chunk k is `<id>.c<k>` (so a re-add is a no-op). */
export function chunkJobId(jobId: string, index: number): string {
  return `${jobId}.c${index}`;
}

/** Keys of ours next to BullMQ's (`<prefix>:jobs:*`). */
export function queueKeys(prefix: string): {
  progress(jobId: string): string;
  cancel(jobId: string): string;
  failedTotal: string;
} {
  return {
    /** Hash: chunk index → proteins done in it (the aggregated progress is the sum). */
    progress: (jobId) => `${prefix}:x:progress:${jobId}`,
    /** Set when a job is cancelled: chunks not started yet are skipped, running ones stop. */
    cancel: (jobId) => `${prefix}:x:cancel:${jobId}`,
    /** Jobs failed since the queue was created (a counter, kept with the queue). */
    failedTotal: `${prefix}:x:failed_total`,
  };
}

const MARK = 'arginator-error ';

/** An error as a chunk's failed reason: a readable line that the API turns back into the typed error. */
export function encodeChunkError(e: unknown): string {
  const error = isArginatorError(e)
    ? e
    : new ArginatorError(
        'INTERNAL',
        'job.internal',
        `internal error in a queue worker (please report it): ${e instanceof Error ? e.message : String(e)}`,
        'retry the job; if it fails again, report it with the worker log',
      );
  return `${MARK}${JSON.stringify({
    code: error.code,
    reason: error.reason,
    message: error.message,
    hint: error.hint,
    location: error.location,
  })}`;
}

/** The typed error of a failed reason written by encodeChunkError; anything else is an internal error. */
export function decodeChunkError(reason: string, what: string): ArginatorError {
  if (reason.startsWith(MARK)) {
    try {
      const e = JSON.parse(reason.slice(MARK.length)) as {
        code: string;
        reason: string;
        message: string;
        hint: string;
        location: ArginatorError['location'];
      };
      if ((ERROR_CODES as readonly string[]).includes(e.code)) {
        return new ArginatorError(e.code as ErrorCode, e.reason, e.message, e.hint, e.location);
      }
    } catch {
      // not ours after all: reported as it is below
    }
  }
  return new ArginatorError(
    'INTERNAL',
    'queue.chunk-failed',
    `${what} failed in the queue (${reason})`,
    'retry the job; if it fails again, report it with the worker log',
  );
}

/**
 * A Redis connection as BullMQ needs it: commands wait (rather than fail) while Redis restarts,
 * and reconnection goes on for ever with a capped back-off.
 */
export function connectRedis(url: string, options: { lazy?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: options.lazy ?? false,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
}

/** Waits for Redis to answer a PING, for at most `ms`; otherwise the typed error (and the connection closed). */
export async function reachable(redis: Redis, url: string, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer in ${ms / 1000} s`)), ms);
      }),
    ]);
  } catch (e) {
    redis.disconnect();
    throw redisUnreachable(url, e);
  } finally {
    clearTimeout(timer);
  }
}

/** A refused or unreachable Redis as the typed error of both roots. */
export function redisUnreachable(url: string, cause: unknown): ArginatorError {
  return new ArginatorError(
    'CONFIG',
    'queue.redis-unreachable',
    `cannot reach Redis at ${redactUrl(url)} (${cause instanceof Error ? cause.message : String(cause)})`,
    'start Redis (maxmemory-policy noeviction, appendonly yes; docs/queue.md) or set queue.url / ARGINATOR_REDIS_URL to where it runs',
  );
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') {
      u.password = '***';
    }
    return u.toString();
  } catch {
    return '(an unparseable URL)';
  }
}
