// The job as the API shows it (docs/api.md): snake_case, progress in percent, links.
import type { Job } from '../pipeline/jobs/job.ts';
import { jobProgress } from '../pipeline/jobs/job.ts';

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

/** GET /status/{job_id} of the original system: status, progress, and a result link or error text. */
export function legacyStatusJson(job: Job): {
  status: Job['status'];
  progress: number;
  result?: string;
  error?: string;
} {
  return {
    status: job.status,
    progress: jobProgress(job),
    ...(job.status === 'completed' ? { result: `/download/${job.id}` } : {}),
    ...(job.error === null ? {} : { error: job.error.detail }),
  };
}
