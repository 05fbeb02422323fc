// Ports of the job use cases: where records live (SQLite), where files live, and what runs a job.
import type { TableFormat } from '../../core/domain.ts';
import type { Job, JobError, JobStatus, JobSummary, NewJob } from './job.ts';

/**
 * Durable job records. Synchronous on purpose: the SQLite adapter answers in microseconds, and a
 * claim must be atomic (one transaction) so no job is run twice.
 */
export interface JobStore {
  /** Inserts a queued job; if its idempotency key is taken, returns that job instead. */
  insert(job: NewJob): { job: Job; created: boolean };
  get(id: string): Job | undefined;
  /** Idempotency keys are per owner: another owner's key of the same text is another job. */
  findByIdempotencyKey(key: string, owner: string | null): Job | undefined;
  /**
   * Newest first; `before` is the cursor of the last job of the previous page; `owner` keeps
   * only that owner's jobs (undefined: everyone's).
   */
  list(query: {
    status?: JobStatus | undefined;
    limit: number;
    before?: string | undefined;
    owner?: string | undefined;
  }): {
    jobs: Job[];
    nextCursor: string | null;
  };
  /** Moves the oldest queued job to running (attempts + 1) and returns it. */
  claimNext(now: string): Job | undefined;
  setProgress(id: string, proteinsDone: number): Job | undefined;
  /** Ends a running (or queued) job; the result files are kept until `expiresAt`. */
  finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    details: {
      finishedAt: string;
      expiresAt: string;
      summary?: JobSummary | undefined;
      error?: JobError | undefined;
    },
  ): Job | undefined;
  /** Back to queued; `keepAttempt: false` gives the attempt back (a graceful shutdown is not a failure). */
  requeue(id: string, options: { keepAttempt: boolean }): Job | undefined;
  withStatus(status: JobStatus): Job[];
  /** Finished jobs whose `expiresAt` is at or before `now`. */
  expiredAt(now: string): Job[];
  markExpired(id: string): Job | undefined;
  countByStatus(): Record<JobStatus, number>;
  close(): void;
}

/** A job's folder: <home>/jobs/<job id>/ (input.fasta, results.csv|tsv|json). */
export interface JobFiles {
  dirOf(id: string): string;
  inputPath(id: string): string;
  resultPath(id: string, format: TableFormat): string;
  create(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/**
 * The abort reason of a graceful shutdown (run-jobs.ts): the job is re-queued, not cancelled, so an
 * executor whose work lives elsewhere (the redis queue) leaves that work running.
 */
export const SHUTDOWN_REASON = 'arginator:shutdown';

export interface JobRunOptions {
  /** Aborted on cancel, or with SHUTDOWN_REASON when the process stops. */
  readonly signal: AbortSignal;
  /** Proteins predicted so far. */
  readonly onProgress: (proteinsDone: number) => void;
}

/** Runs one job to its result files (a worker thread in the server); rejects with an ArginatorError. */
export interface JobExecutor {
  run(job: Job, options: JobRunOptions): Promise<JobSummary>;
  close(): Promise<void>;
}
