// Use case: after a restart, re-queue the jobs that were running when the process died (or fail them).
import type { Clock } from '../ports.ts';
import type { Job } from './job.ts';
import type { JobStore } from './ports.ts';

export interface Recovery {
  readonly requeued: readonly Job[];
  readonly failed: readonly Job[];
}

/**
 * Every `running` job was interrupted (only one process owns the database). A job that has already
 * been started `maxAttempts` times is failed with the reason; the others run again from their input.
 */
export function recoverJobs(
  store: JobStore,
  options: { maxAttempts: number; retentionMs: number; clock: Clock },
): Recovery {
  const requeued: Job[] = [];
  const failed: Job[] = [];
  const now = options.clock.now();
  for (const job of store.withStatus('running')) {
    if (job.attempts >= options.maxAttempts) {
      const done = store.finish(job.id, 'failed', {
        finishedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + options.retentionMs).toISOString(),
        error: {
          code: 'INTERNAL',
          reason: 'job.too-many-attempts',
          detail: `the job was interrupted ${job.attempts} times (the server stopped while it ran) and is not retried again; submit it again, perhaps split into smaller inputs`,
        },
      });
      if (done !== undefined) {
        failed.push(done);
      }
    } else {
      const again = store.requeue(job.id, { keepAttempt: true });
      if (again !== undefined) {
        requeued.push(again);
      }
    }
  }
  return { requeued, failed };
}
