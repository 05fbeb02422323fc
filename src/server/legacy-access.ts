// The original system's error answers on its routes: {"detail": "Job not found"} (404), "Job not finished yet" (400).
import { isArginatorError } from '../core/errors.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import type { AppDeps } from './app-deps.ts';
import { findJob } from './job-access.ts';
import { HttpProblem } from './problem.ts';

// The `detail` texts are the original FastAPI HTTPException details, word for word: clients of the
// original compare them. The rest of the problem+json body (code, reason, hint) only adds keys.
export const JOB_NOT_FOUND = 'Job not found';
export const JOB_NOT_FINISHED = 'Job not finished yet';
export const PLOT_NOT_FOUND = 'Plot file not found on server';

/** The original's 404 for a job id: also what another API key's job answers (create-app's key hook). */
export function legacyJobNotFound(id: string): HttpProblem {
  return new HttpProblem(
    404,
    'job.not-found',
    JOB_NOT_FOUND,
    `no job '${id.slice(0, 80)}': use the job_id returned by POST /submit_job`,
  );
}

/** The job, or 404 `Job not found` (any id, UUID or not, as the original answered). */
export function legacyJob(deps: AppDeps, id: string): Job {
  try {
    return findJob(deps, id);
  } catch (e) {
    if (isArginatorError(e) && e.reason === 'job.not-found') {
      throw legacyJobNotFound(id);
    }
    throw e;
  }
}

/** A completed job, or 400 `Job not finished yet` for any other state (the original's one rule). */
export function completedLegacyJob(deps: AppDeps, id: string): Job {
  const job = legacyJob(deps, id);
  if (job.status !== 'completed') {
    throw new HttpProblem(
      400,
      'job.not-finished',
      JOB_NOT_FINISHED,
      job.status === 'queued' || job.status === 'running'
        ? `job ${job.id} is ${job.status}: poll GET /status/${job.id} until its status is completed`
        : `job ${job.id} is ${job.status}, so it has no results: submit the input again`,
    );
  }
  return job;
}

/** A completed job without a map (no references, or the map could not be made): 404, as the original. */
export function plotNotFound(e: unknown): never {
  if (isArginatorError(e) && e.reason === 'job.map-unavailable') {
    throw new HttpProblem(404, e.reason, PLOT_NOT_FOUND, `${e.message}; ${e.hint}`);
  }
  throw e;
}
