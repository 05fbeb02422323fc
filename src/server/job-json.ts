// The job as the API shows it (docs/api.md): snake_case, progress in percent, links.
import type { Job } from '../pipeline/jobs/job.ts';
import { jobProgress } from '../pipeline/jobs/job.ts';
import type { Preview } from './legacy-preview.ts';

export interface JobJson {
  readonly id: string;
  readonly status: Job['status'];
  readonly task: Job['task'];
  readonly progress: number;
  readonly proteins_done: number;
  readonly proteins_total: number | null;
  readonly input_name: string;
  readonly model_version: string;
  readonly attempts: number;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly expires_at: string | null;
  readonly error: Job['error'];
  readonly summary: Job['summary'];
  readonly links: {
    readonly self: string;
    readonly events: string;
    readonly results: string;
    readonly map: string;
  };
}

export function jobJson(job: Job): JobJson {
  const self = `/v1/jobs/${job.id}`;
  return {
    id: job.id,
    status: job.status,
    task: job.task,
    progress: jobProgress(job),
    proteins_done: job.status === 'completed' ? (job.proteinsTotal ?? 0) : job.proteinsDone,
    proteins_total: job.proteinsTotal,
    input_name: job.inputName,
    model_version: job.modelVersion,
    attempts: job.attempts,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    expires_at: job.expiresAt,
    error: job.error,
    summary: job.summary,
    links: {
      self,
      events: `${self}/events`,
      results: `${self}/results`,
      map: `${self}/map`,
    },
  };
}

/** The original system's three states: it had no queue, no cancel and no retention. */
export type LegacyStatus = 'processing' | 'completed' | 'failed';

const LEGACY_STATUS: Readonly<Record<Job['status'], LegacyStatus>> = {
  queued: 'processing',
  running: 'processing',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'failed',
  expired: 'failed',
};

/** The original `classification_type` values, as /submit_job took them. */
export const LEGACY_CLASSIFICATION_TYPE: Readonly<Record<Job['task'], string>> = {
  binary: 'Binary',
  multiclass: 'Multiclass',
};

export interface LegacyStatusJson {
  readonly status: LegacyStatus;
  readonly progress: number;
  readonly result: { readonly classification_type: string; readonly preview: Preview } | null;
  readonly filename: string;
  readonly error?: string;
}

/** Why a job the original would call failed has no results (its `error` text, always given). */
function legacyError(job: Job): string {
  if (job.status === 'expired') {
    return `the results were removed when the job's retention ended (${job.expiresAt ?? ''}); submit the input again`;
  }
  return (
    job.error?.detail ?? (job.status === 'cancelled' ? 'the job was cancelled' : 'the job failed')
  );
}

/**
 * GET /status/{job_id} of the original system, key for key (its job dict without the server-side
 * `csv_path`); `preview` (legacy-preview.ts) is the completed job's table preview.
 */
export function legacyStatusJson(job: Job, preview: Preview | undefined): LegacyStatusJson {
  const status = LEGACY_STATUS[job.status];
  const error = status === 'failed' ? legacyError(job) : undefined;
  return {
    status,
    progress: jobProgress(job),
    result:
      status === 'completed' && preview !== undefined
        ? { classification_type: LEGACY_CLASSIFICATION_TYPE[job.task], preview }
        : null,
    filename: job.inputName,
    ...(error === undefined ? {} : { error }),
  };
}
