// Assembles the service: SQLite job store, job folders, worker pool, runner, models, metrics, and the app.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { loadFastestKernels } from '../kernels/load-kernels.ts';
import type { JobExecutor } from '../pipeline/jobs/ports.ts';
import type { Recovery } from '../pipeline/jobs/recover-jobs.ts';
import { recoverJobs } from '../pipeline/jobs/recover-jobs.ts';
import { JobRunner } from '../pipeline/jobs/run-jobs.ts';
import { sweepJobs } from '../pipeline/jobs/sweep-jobs.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { SqliteJobStore } from '../store/sqlite-job-store.ts';
import type { ServerSettings } from './app-deps.ts';
import { createApp } from './create-app.ts';
import { JobEvents } from './job-events.ts';
import { createMapProvider } from './job-maps.ts';
import { createMetrics } from './metrics.ts';
import { createModelProvider } from './model-provider.ts';
import { createWorkerPool } from './worker-pool.ts';

export interface ServiceOptions {
  /** The data directory: arginator.db and jobs/ live here. */
  readonly home: string;
  readonly modelsDir: string;
  readonly runsDir: string;
  readonly settings: ServerSettings;
  readonly apiKeys: readonly string[];
  readonly webDir: string | undefined;
  readonly logger: boolean | { level: string };
  /** How reference maps are fitted: on a worker thread (default) or inline (tests). */
  readonly mapFitter?: 'worker' | 'inline' | undefined;
  /** Tests may run jobs without worker threads. */
  readonly executor?: JobExecutor | undefined;
  readonly now?: (() => Date) | undefined;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly runner: JobRunner;
  /** What start-up found: jobs re-queued or failed after an unclean stop. */
  readonly recovery: Recovery;
  /** Sweeps expired jobs now (the timer does it every server.sweep_interval_seconds). */
  sweep(): Promise<number>;
}

export async function createService(options: ServiceOptions): Promise<Service> {
  const s = options.settings;
  const now = options.now ?? (() => new Date());
  const clock = { now };
  const store = new SqliteJobStore(join(options.home, 'arginator.db'));
  const files = new FsJobFiles(join(options.home, 'jobs'));
  const events = new JobEvents();
  const threads = s.embedder_threads ?? undefined;
  const kernels = loadFastestKernels({ notify: () => undefined });
  const models = createModelProvider({ modelsDir: options.modelsDir, kernels, threads });
  const metrics = createMetrics({
    jobCounts: () => store.countByStatus(),
    modelVersion: () => models.loadedVersion,
  });
  const executor =
    options.executor ??
    createWorkerPool({ size: s.workers, modelsDir: options.modelsDir, threads, files });
  const retentionMs = s.retention_hours * 3_600_000;
  const runner = new JobRunner({
    store,
    executor,
    clock,
    concurrency: s.workers,
    retentionMs,
    onChange: (job) => events.publish(job),
    onProteins: (n) => metrics.addProteins(n),
  });
  const recovery = recoverJobs(store, { maxAttempts: s.max_attempts, retentionMs, clock });
  const registry = new FsModelRegistry(options.modelsDir);
  const maps = createMapProvider({
    models,
    registry,
    modelsDir: options.modelsDir,
    files,
    fitter: options.mapFitter,
  });
  const app = await createApp({
    settings: s,
    apiKeys: options.apiKeys,
    store,
    files,
    runner,
    events,
    models,
    maps,
    registry,
    runs: new FsRunTracker(options.runsDir),
    metrics,
    webDir: options.webDir,
    newId: randomUUID,
    now,
    logger: options.logger,
  });
  for (const job of recovery.requeued) {
    app.log.warn({ job_id: job.id, attempts: job.attempts }, 'job re-queued after an unclean stop');
  }
  for (const job of recovery.failed) {
    app.log.error({ job_id: job.id, attempts: job.attempts }, 'job failed: too many attempts');
  }
  const sweeper = new AbortController();
  const sweep = (): Promise<number> => sweepJobs(store, files, { clock, signal: sweeper.signal });
  const timer = setInterval(() => {
    sweep().catch((e: unknown) => app.log.error({ err: e }, 'sweeping expired jobs failed'));
  }, s.sweep_interval_seconds * 1000);
  timer.unref();

  app.addHook('onClose', async () => {
    clearInterval(timer);
    sweeper.abort();
    await runner.shutdown(s.shutdown_grace_seconds * 1000);
    await executor.close();
    await models.close();
    store.close();
  });
  runner.wake();
  // Load the multiclass model now, so /readyz turns 200 without waiting for a first request.
  models.get('multiclass').catch((e: unknown) => app.log.warn({ err: e }, 'no model loaded yet'));
  return { app, runner, recovery, sweep };
}
