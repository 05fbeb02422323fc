// Messages between the server and its job worker threads (structured-clone data only).
import type { ErrorCode, ErrorLocation } from '../core/errors.ts';
import type { JobSummary, JobTask } from '../pipeline/jobs/job.ts';

export interface WorkerInit {
  readonly modelsDir: string;
  /** Embedding threads inside the worker; undefined: one per CPU. */
  readonly threads: number | undefined;
}

export interface RunMessage {
  readonly type: 'run';
  readonly jobId: string;
  readonly task: JobTask;
  readonly modelVersion: string;
  readonly inputPath: string;
  readonly outputs: Readonly<Record<'csv' | 'tsv' | 'json', string>>;
}

export type ToWorker = RunMessage | { readonly type: 'cancel'; readonly jobId: string };

export interface SerialisedError {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly message: string;
  readonly hint: string;
  readonly location: ErrorLocation;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly jobId: string; readonly done: number }
  | { readonly type: 'done'; readonly jobId: string; readonly summary: JobSummary }
  | { readonly type: 'failed'; readonly jobId: string; readonly error: SerialisedError };
