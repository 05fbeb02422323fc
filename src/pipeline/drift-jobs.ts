// The current set of a drift check over jobs: the completed jobs of a time window (CLI --since, POST /v1/drift, the schedule).
import type { Job } from './jobs/job.ts';
import type { JobStore } from './jobs/ports.ts';

export interface JobWindow {
  /** Jobs submitted at or after this time ... */
  readonly since: Date;
  /** ... and before this one. */
  readonly until: Date;
  /** Only this owner's jobs (an API key's); undefined: everyone's. */
  readonly owner?: string | undefined;
}

/**
 * Completed jobs submitted in the window, oldest first: their inputs are still on disk (an
 * expired job's are not) and they were predicted without error.
 */
export function jobsInWindow(store: Pick<JobStore, 'withStatus'>, window: JobWindow): Job[] {
  const since = window.since.toISOString();
  const until = window.until.toISOString();
  return store
    .withStatus('completed')
    .filter(
      (j) =>
        j.createdAt >= since &&
        j.createdAt < until &&
        (window.owner === undefined || j.owner === window.owner),
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** Proteins of the jobs (counted at submission). */
export function proteinsOf(jobs: readonly Job[]): number {
  return jobs.reduce((n, j) => n + (j.proteinsTotal ?? j.proteinsDone), 0);
}
