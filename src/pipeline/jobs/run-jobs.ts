// Use case: run queued jobs, at most `concurrency` at a time, with progress, cancellation and shutdown.
import { isArginatorError } from '../../core/errors.ts';
import type { Clock } from '../ports.ts';
import type { Job, JobError } from './job.ts';
import type { JobExecutor, JobStore } from './ports.ts';
import { SHUTDOWN_REASON } from './ports.ts';

export interface JobRunnerDeps {
  readonly store: JobStore;
  readonly executor: JobExecutor;
  readonly clock: Clock;
  /** Jobs run at the same time (the executor must have as many workers). */
  readonly concurrency: number;
  readonly retentionMs: number;
  /** Called with the new record after every change (progress included). */
  readonly onChange?: ((job: Job) => void) | undefined;
  /** Called with each finished job's protein count, for metrics. */
  readonly onProteins?: ((count: number) => void) | undefined;
}

interface Active {
  readonly controller: AbortController;
  done: Promise<void>;
  cancelRequested: boolean;
}

/** Pulls queued jobs from the store and hands them to the executor; one instance per process. */
export class JobRunner {
  private readonly deps: JobRunnerDeps;
  private readonly active = new Map<string, Active>();
  private stopping = false;

  constructor(deps: JobRunnerDeps) {
    this.deps = deps;
  }

  /** Starts as many queued jobs as there are free slots; call after every submission. */
  wake(): void {
    while (!this.stopping && this.active.size < this.deps.concurrency) {
      const job = this.deps.store.claimNext(this.deps.clock.now().toISOString());
      if (job === undefined) {
        return;
      }
      this.deps.onChange?.(job);
      this.start(job);
    }
  }

  get running(): number {
    return this.active.size;
  }

  /** Cancels a queued or running job; returns the record (unchanged if it had already finished). */
  cancel(id: string): Job | undefined {
    const { store } = this.deps;
    const job = store.get(id);
    if (job === undefined) {
      return undefined;
    }
    const active = this.active.get(id);
    if (active !== undefined) {
      active.cancelRequested = true;
      active.controller.abort();
      return job;
    }
    if (job.status === 'queued') {
      return this.finish(id, 'cancelled', {});
    }
    return job;
  }

  /** Waits until the running job `id` (if any) has settled. */
  async settled(id: string): Promise<void> {
    await this.active.get(id)?.done;
  }

  /**
   * Stops taking jobs, lets running ones finish for `graceMs`, then aborts and re-queues the rest
   * (the attempt is given back: a shutdown is not the job's fault).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const a of this.active.values()) {
        a.controller.abort(SHUTDOWN_REASON);
      }
      await all;
    }
  }

  private start(job: Job): void {
    const entry: Active = {
      controller: new AbortController(),
      cancelRequested: false,
      done: Promise.resolve(),
    };
    this.active.set(job.id, entry);
    entry.done = this.execute(job, entry).finally(() => {
      this.active.delete(job.id);
      this.wake();
    });
  }

  private async execute(job: Job, entry: Active): Promise<void> {
    const { store, executor } = this.deps;
    try {
      const summary = await executor.run(job, {
        signal: entry.controller.signal,
        onProgress: (n) => {
          const updated = store.setProgress(job.id, n);
          if (updated !== undefined) {
            this.deps.onChange?.(updated);
          }
        },
      });
      const total = job.proteinsTotal ?? 0;
      store.setProgress(job.id, total);
      this.deps.onProteins?.(total);
      this.finish(job.id, 'completed', { summary });
    } catch (e) {
      if (entry.cancelRequested) {
        this.finish(job.id, 'cancelled', {});
      } else if (this.stopping && entry.controller.signal.aborted) {
        const again = store.requeue(job.id, { keepAttempt: false });
        if (again !== undefined) {
          this.deps.onChange?.(again);
        }
      } else {
        this.finish(job.id, 'failed', { error: jobError(e) });
      }
    }
  }

  private finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    details: { summary?: Job['summary']; error?: JobError },
  ): Job | undefined {
    const now = this.deps.clock.now();
    const job = this.deps.store.finish(id, status, {
      finishedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.retentionMs).toISOString(),
      summary: details.summary ?? undefined,
      error: details.error,
    });
    if (job !== undefined) {
      this.deps.onChange?.(job);
    }
    return job;
  }
}

/** What a failed job reports: the ArginatorError's code, reason and one-line message with the fix. */
export function jobError(e: unknown): JobError {
  if (isArginatorError(e)) {
    return { code: e.code, reason: e.reason, detail: e.oneLine() };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: 'INTERNAL',
    reason: 'job.internal',
    detail: `internal error (please report it): ${message}`,
  };
}
