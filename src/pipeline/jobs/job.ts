// A prediction job: its record, its states and the transitions allowed between them.
import { FINISHED_JOB_STATUSES } from '../../core/domain.ts';
import type { JobStatus, Task } from '../../core/domain.ts';
import type { ErrorCode } from '../../core/errors.ts';

// The state words live in core/domain.ts (shared with the web UI's types).
export { JOB_STATUSES } from '../../core/domain.ts';
export type { JobStatus } from '../../core/domain.ts';
export type JobTask = Task;

/** States a job never leaves on its own (only the sweeper moves them on, to `expired`). */
export const FINISHED: ReadonlySet<JobStatus> = new Set(FINISHED_JOB_STATUSES);

export interface JobError {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly detail: string;
}

/** Counts of predicted labels and of novelty classes, once a job has completed. */
export interface JobSummary {
  readonly counts: Readonly<Record<string, number>>;
  readonly novelty: Readonly<Record<string, number>>;
}

export interface Job {
  /** A random UUID; also the name of the job's folder. */
  readonly id: string;
  readonly status: JobStatus;
  readonly task: JobTask;
  /** The client's file name, display text only: never part of a path. */
  readonly inputName: string;
  /** The registry version chosen at submission; a re-run uses the same model. */
  readonly modelVersion: string;
  readonly proteinsTotal: number | null;
  readonly proteinsDone: number;
  /** Runs started so far (a crash and restart counts as one). */
  readonly attempts: number;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly expiresAt: string | null;
  readonly error: JobError | null;
  readonly summary: JobSummary | null;
  readonly idempotencyKey: string | null;
  /**
   * Who submitted it: the sha256 (hex) of the API key used, never the key; null when the server
   * had no keys configured (the job then belongs to nobody). docs/service.md, "API keys".
   */
  readonly owner: string | null;
}

/** What submission knows about a new job. */
export interface NewJob {
  readonly id: string;
  readonly task: JobTask;
  readonly inputName: string;
  readonly modelVersion: string;
  readonly proteinsTotal: number;
  readonly createdAt: string;
  readonly idempotencyKey: string | null;
  readonly owner: string | null;
}

/** Progress in percent (0-100): completed is 100, otherwise proteins done over proteins total. */
export function jobProgress(job: Job): number {
  if (job.status === 'completed') {
    return 100;
  }
  if (job.proteinsTotal === null || job.proteinsTotal === 0) {
    return 0;
  }
  return Math.min(99, Math.floor((100 * job.proteinsDone) / job.proteinsTotal));
}

export function isFinished(status: JobStatus): boolean {
  return FINISHED.has(status);
}
