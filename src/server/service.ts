// Assembles the service: SQLite job store, job folders, worker pool, runner, models, metrics, and the app.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { TASKS } from '../core/domain.ts';
import type { Prediction } from '../core/model/predictor.ts';
import { parseDuration } from '../core/drift/duration.ts';
import { ArginatorError, isArginatorError } from '../core/errors.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import type { Recovery } from '../pipeline/jobs/recover-jobs.ts';
import { recoverJobs } from '../pipeline/jobs/recover-jobs.ts';
import { configSchema } from '../pipeline/config/schema.ts';
import type { GateSettings, PromotionDeps } from '../pipeline/promotion-gate.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { JobRunner } from '../pipeline/jobs/run-jobs.ts';
import { sweepJobs } from '../pipeline/jobs/sweep-jobs.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { FsSweepStore } from '../store/fs-sweep-store.ts';
import { runEnvironment } from '../wiring/run-environment.ts';
import { SqliteJobStore } from '../store/sqlite-job-store.ts';
import type { BenchmarkSource } from '../wiring/gate-benchmark.ts';
import { createBenchmarkReader, gateSettings, PUBLISHED_SPLIT } from '../wiring/gate-benchmark.ts';
import { DEFAULT_DATASET_FASTA } from '../wiring/package-info.ts';
import type { AppLogger, ServerSettings } from './app-deps.ts';
import { createApp } from './create-app.ts';
import { JobEvents } from './job-events.ts';
import type { MapProvider, MapRecovery } from './job-maps.ts';
import { createMapProvider, recoverJobMaps } from './job-maps.ts';
import { FsDriftStore } from '../store/fs-drift-store.ts';
import { createDriftAlerts, type MonitoringSettings } from './drift-alerts.ts';
import type { DriftChecks, DriftExecutor } from './drift-checks.ts';
import { createDriftChecks, createWorkerDriftExecutor } from './drift-checks.ts';
import { windowCheck } from './drift-requests.ts';
import type { DriftSchedule, ScheduleTimers } from './drift-schedule.ts';
import { startDriftSchedule } from './drift-schedule.ts';
import { createMetrics } from './metrics.ts';
import type { ModelProvider } from './model-provider.ts';
import type { ClassifierRuntimeSetting } from '../wiring/onnx-classifier-runtime.ts';
import { createModelProvider } from './model-provider.ts';
import type { WorkerPredictor } from './predict-batcher.ts';
import { createPredictBatcher, createWorkerPredictor, predictInline } from './predict-batcher.ts';
import type { JobPool } from './worker-pool.ts';
import { createWorkerPool } from './worker-pool.ts';
import type { QueueSettings } from '../queue/queue-contract.ts';
import { createRedisExecutor } from '../queue/redis-job-executor.ts';

export interface ServiceOptions {
  /** The data directory: arginator.db and jobs/ live here. */
  readonly home: string;
  readonly modelsDir: string;
  readonly runsDir: string;
  readonly settings: ServerSettings;
  readonly apiKeys: readonly string[];
  /** Keys that see every job; left out: none. */
  readonly adminApiKeys?: readonly string[] | undefined;
  readonly webDir: string | undefined;
  /** model.runtime and model.onnx_quantize (docs/onnx.md); undefined: the native classifier. */
  readonly runtime?: ClassifierRuntimeSetting | undefined;
  readonly logger: boolean | AppLogger;
  /** How reference maps are fitted: on a worker thread (default), inline or by a given fitter (tests). */
  readonly mapFitter?: 'worker' | 'inline' | ReferenceMapFitter | undefined;
  /**
   * Where the batches of synchronous /v1/predict run: on the request thread ('inline', the
   * default) or on a worker thread of their own ('worker': the request thread stays responsive
   * during a batch, at the cost of a second model copy, ~150-170 MB RSS; docs/service.md).
   * Undefined: the environment variable ARGINATOR_SYNC_PREDICT (`worker` or `inline`).
   */
  readonly syncPredict?: 'worker' | 'inline' | undefined;
  /**
   * The job queue (config group `queue`, docs/queue.md): left out or `embedded`, jobs run on the
   * server's worker threads; `redis`, on `arginator worker` processes through BullMQ.
   */
  readonly queue?:
    | { readonly backend: 'embedded' }
    | {
        readonly backend: 'redis';
        readonly settings: QueueSettings;
        /** Jobs this process hands to the queue at once (queue.max_in_flight). */
        readonly maxInFlight: number;
      }
    | undefined;
  /** Tests may run jobs (and their maps) without worker threads. */
  readonly executor?: JobPool | undefined;
  readonly now?: (() => Date) | undefined;
  /**
   * The promotion gate (config registry.* and the dataset its benchmark split is read from);
   * left out: the schema defaults on the shipped dataset's published split.
   */
  readonly gate?: { settings: GateSettings; benchmark: BenchmarkSource } | undefined;
  /** monitoring.* (drift checks, their schedule and alerts); left out: the schema defaults. */
  readonly monitoring?: MonitoringSettings | undefined;
  /** The alert webhook's URL when given outside the config (ARGINATOR_DRIFT_WEBHOOK_URL). */
  readonly driftWebhookUrl?: string | undefined;
  /** Where drift checks run: a worker thread of their own by default. */
  readonly driftExecutor?: DriftExecutor | undefined;
  /** The schedule's timers (tests); default setTimeout. */
  readonly scheduleTimers?: ScheduleTimers | undefined;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly runner: JobRunner;
  /** What start-up found: jobs re-queued or failed after an unclean stop. */
  readonly recovery: Recovery;
  /** Sweeps expired jobs now (the timer does it every server.sweep_interval_seconds). */
  sweep(): Promise<number>;
  /** Settles once the current models' maps are read or fitted (start-up does not wait for it). */
  readonly mapsReady: Promise<void>;
  /** Settles once the maps completed jobs owed at start-up are queued again or recorded as failed. */
  readonly mapRecovery: Promise<MapRecovery>;
  /** The drift checks of POST /v1/drift and the schedule. */
  readonly driftChecks: DriftChecks;
  /** The scheduled drift check, when monitoring.schedule_enabled. */
  readonly driftSchedule: DriftSchedule | undefined;
}

export async function createService(options: ServiceOptions): Promise<Service> {
  const s = options.settings;
  const now = options.now ?? (() => new Date());
  const clock = { now };
  const store = new SqliteJobStore(join(options.home, 'arginator.db'));
  const files = new FsJobFiles(join(options.home, 'jobs'));
  const events = new JobEvents();
  // Every model copy (request thread, job and prediction workers) embeds on its own thread unless
  // server.embedder_threads says otherwise: each pool thread is a V8 isolate of its own
  // (docs/service.md, "Memory"), and the request thread only embeds /v1/predict batches (the
  // built-in embedder: ~30 µs per protein; a batch under 8 proteins never used the pool anyway).
  const threads = s.embedder_threads ?? 1;
  const kernels = loadFastestKernels({ notify: () => undefined });
  const runtime = options.runtime;
  // The one catalog of this process: the provider, the maps and the routes read and change it.
  const registry = new FsModelRegistry(options.modelsDir);
  // The maps exist before the app (the workers need them); they log through it once it does.
  const logs: { current?: FastifyInstance['log'] } = {};
  const models = createModelProvider({
    catalog: registry,
    kernels,
    threads,
    runtime,
    onSwitch: (task, from, to) =>
      logs.current?.info(
        { task, from, model_version: to },
        `now serving model ${to} (was ${from})`,
      ),
    onLoadFailed: (task, version, err) =>
      logs.current?.error(
        { task, model_version: version, err },
        `model ${version} cannot be served; the previous model goes on serving`,
      ),
  });
  const drift = new FsDriftStore(join(options.home, 'drift'));
  const metrics = createMetrics({
    jobCounts: () => store.countByStatus(),
    // Read at scrape time, once the executor below exists.
    queueCounts:
      options.queue?.backend === 'redis'
        ? () => queued?.counts() ?? Promise.resolve(undefined)
        : undefined,
    modelVersion: () => models.loadedVersion,
    latestDrift: async () => {
      const latest = await drift.latest();
      return latest === undefined
        ? undefined
        : {
            share: latest.report.share,
            drift: latest.report.drift,
            noveltyRate: latest.report.novelty?.rate,
            classifierAuc: latest.report.multivariate.classifier.statistic,
            model: latest.report.model,
          };
    },
  });
  const maps = createMapProvider({
    models,
    registry,
    modelsDir: options.modelsDir,
    files,
    fitter: options.mapFitter,
    onFitStarted: (version) =>
      logs.current?.info(
        { model_version: version },
        'fitting the reference map (UMAP) in the background',
      ),
  });
  const redisQueue = options.queue?.backend === 'redis' ? options.queue.settings : undefined;
  const pool =
    options.executor ??
    createWorkerPool({
      // With the redis backend the pool only places completed jobs on their maps.
      size: redisQueue === undefined ? s.workers : 1,
      modelsDir: options.modelsDir,
      threads,
      runtime,
      files,
      prepareMap: (version) => maps.prepare(version),
      onMapFinished: (jobId, outcome) => {
        const log = logs.current;
        if (outcome.state === 'failed') {
          log?.error(
            { job_id: jobId, err: outcome.error },
            'job map failed; the job stays completed',
          );
        } else if (outcome.state === 'interrupted') {
          log?.info({ job_id: jobId }, 'job map interrupted; it is made again after a restart');
        }
      },
    });
  const queued =
    redisQueue === undefined
      ? undefined
      : await createRedisExecutor({
          settings: redisQueue,
          files,
          onCompleted: (job) => pool.mapJob(job),
        });
  const executor: JobPool =
    queued === undefined
      ? pool
      : {
          run: (job, runOptions) => queued.run(job, runOptions),
          mapJob: (job) => pool.mapJob(job),
          close: async () => {
            await queued.close();
            await pool.close();
          },
        };
  const syncPredict =
    options.syncPredict ??
    (process.env['ARGINATOR_SYNC_PREDICT'] === 'worker' ? 'worker' : 'inline');
  const predictWorker: WorkerPredictor | undefined =
    syncPredict === 'inline'
      ? undefined
      : createWorkerPredictor({ modelsDir: options.modelsDir, threads, runtime });
  const predictions = createPredictBatcher({
    predict: predictWorker?.predict ?? predictInline,
    maxProteins: s.sync_batch_proteins,
    windowMs: s.sync_batch_window_ms,
  });
  const retentionMs = s.retention_hours * 3_600_000;
  const runner = new JobRunner({
    store,
    executor,
    clock,
    concurrency:
      redisQueue === undefined
        ? s.workers
        : options.queue?.backend === 'redis'
          ? options.queue.maxInFlight
          : 1,
    retentionMs,
    onChange: (job) => events.publish(job),
    onProteins: (n) => metrics.addProteins(n),
  });
  const recovery = recoverJobs(store, { maxAttempts: s.max_attempts, retentionMs, clock });
  const gate = options.gate ?? defaultGate();
  const runs = new FsRunTracker(options.runsDir);
  const promotion: PromotionDeps = {
    catalog: registry,
    // The provider's own copy: the gate's load checks the sha256, and a promoted model is warm
    // when the alias moves (the cache keeps it; nothing is closed here).
    load: async (entry) => ({ model: await models.base(entry.version), release: async () => {} }),
    benchmark: createBenchmarkReader(gate.benchmark),
    // Through the batcher, a batch at a time, so /v1/predict requests go on between the gate's batches.
    predict: async (model, records) => {
      const out: Prediction[] = [];
      const task = model.predictor.header.task;
      for (let i = 0; i < records.length; i += s.sync_batch_proteins) {
        out.push(
          ...(await predictions.predict(model, task, records.slice(i, i + s.sync_batch_proteins))),
        );
      }
      return out;
    },
    settings: gate.settings,
    now,
    clockMs: () => performance.now(),
    // Each gate is a tracked run of kind promotion-gate (docs/tracking.md).
    runs: { tracker: runs, environment: runEnvironment({ via: 'api' }) },
  };
  const monitoring = options.monitoring ?? configSchema.shape.monitoring.parse({});
  const driftLog = {
    info: (fields: Record<string, unknown>, message: string) => logs.current?.info(fields, message),
    warn: (fields: Record<string, unknown>, message: string) => logs.current?.warn(fields, message),
    error: (fields: Record<string, unknown>, message: string) =>
      logs.current?.error(fields, message),
  };
  const alerts = createDriftAlerts(
    monitoring,
    options.driftWebhookUrl ?? monitoring.webhook_url,
    driftLog,
  );
  const driftUploads = join(options.home, 'drift', 'uploads');
  // Uploads of checks an unclean stop interrupted: their checks are gone with the process.
  await rm(driftUploads, { recursive: true, force: true });
  const driftChecks = createDriftChecks({
    executor:
      options.driftExecutor ??
      createWorkerDriftExecutor({ modelsDir: options.modelsDir, threads, runtime }),
    store: drift,
    now,
    newId: randomUUID,
    maxQueued: monitoring.max_checks,
    onReport: (stored) => {
      driftLog.info(
        { report_id: stored.id, drift: stored.report.drift, share: stored.report.share },
        `drift check recorded: ${stored.report.drift ? 'drift' : 'no drift'}`,
      );
      void alerts?.onReport(stored);
    },
    onFailed: (check) =>
      driftLog.error({ check_id: check.id, err: check.error }, 'drift check failed'),
  });
  const app = await createApp({
    settings: s,
    apiKeys: options.apiKeys,
    adminApiKeys: options.adminApiKeys ?? [],
    store,
    files,
    runner,
    events,
    models,
    predictions,
    maps,
    registry,
    promotion,
    runs,
    sweeps: new FsSweepStore(join(options.home, 'sweeps')),
    metrics,
    drift,
    driftService: { checks: driftChecks, settings: monitoring, uploadsDir: driftUploads },
    webDir: options.webDir,
    newId: randomUUID,
    now,
    logger: options.logger,
  });
  logs.current = app.log;
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
  const driftSchedule = monitoring.schedule_enabled
    ? startDriftSchedule({
        intervalMs: parseDuration(monitoring.schedule_interval) as number,
        log: driftLog,
        timers: options.scheduleTimers,
        tick: async () => {
          if (driftChecks.busy('schedule')) {
            throw new ArginatorError(
              'LIMIT',
              'drift.schedule-busy',
              'the previous scheduled check has not ended yet',
              'lengthen monitoring.schedule_interval if this repeats',
            );
          }
          const until = now();
          const window = monitoring.schedule_window;
          const request = await windowCheck(
            { store, files, models, minProteins: monitoring.min_proteins },
            {
              since: new Date(until.getTime() - (parseDuration(window) as number)),
              until,
              describe: `in the last ${window}`,
            },
            monitoring.task,
            'schedule',
          );
          return driftChecks.submit(request).id;
        },
      })
    : undefined;

  app.addHook('onClose', async () => {
    clearInterval(timer);
    sweeper.abort();
    driftSchedule?.stop();
    alerts?.close();
    await driftChecks.close();
    // Running jobs may wait for a map fit: it goes on during their grace period.
    await runner.shutdown(s.shutdown_grace_seconds * 1000);
    maps.close();
    await executor.close();
    await predictWorker?.close();
    await models.close();
    store.close();
  });
  runner.wake();
  // Load the multiclass model now, so /readyz turns 200 without waiting for a first request; the
  // prediction worker loads its own copy meanwhile, so the first /v1/predict does not wait either.
  models.get('multiclass').catch((e: unknown) => app.log.warn({ err: e }, 'no model loaded yet'));
  if (predictWorker !== undefined) {
    models
      .choose('multiclass')
      .then((choice) => predictWorker.prepare(choice.version))
      .catch(() => undefined); // logged above; a /v1/predict request reports its own error
  }
  const mapsReady = prepareCurrentMaps(models, maps, app.log);
  const mapRecovery = recoverJobMaps(store, files, (job) => executor.mapJob(job));
  mapRecovery.then(
    ({ remade, failed }) => {
      for (const id of remade) {
        app.log.warn({ job_id: id }, 'job map owed after an unclean stop: made again');
      }
      for (const id of failed) {
        app.log.error({ job_id: id }, 'job map owed after an unclean stop: recorded as failed');
      }
    },
    (e: unknown) => app.log.error({ err: e }, 'recovering the maps of completed jobs failed'),
  );
  return {
    app,
    runner,
    recovery,
    sweep,
    mapsReady,
    mapRecovery,
    driftChecks,
    driftSchedule,
  };
}

/** The gate of the schema defaults on the shipped dataset and its published identity-cluster split. */
function defaultGate(): { settings: GateSettings; benchmark: BenchmarkSource } {
  return {
    settings: gateSettings(configSchema.shape.registry.parse({})),
    benchmark: { split: PUBLISHED_SPLIT, dataset: DEFAULT_DATASET_FASTA, labels: null },
  };
}

/**
 * Reads (or, if missing, fits in the background) the maps of the models new jobs use, so the
 * first map request or finished job does not wait for a fit. Never blocks start-up or /readyz.
 */
async function prepareCurrentMaps(
  models: ModelProvider,
  maps: MapProvider,
  log: FastifyInstance['log'],
): Promise<void> {
  const chosen = await Promise.allSettled(TASKS.map((task) => models.choose(task)));
  const versions = new Set(
    chosen.flatMap((c) => (c.status === 'fulfilled' ? [c.value.version] : [])),
  );
  await Promise.all(
    [...versions].map(async (version) => {
      const started = Date.now();
      try {
        const map = await maps.prepare(version);
        if (map.fitted) {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          log.info(
            { model_version: version, path: map.path },
            `reference map fitted in ${seconds} s`,
          );
        }
      } catch (e) {
        if (!isArginatorError(e) || e.code !== 'CANCELLED') {
          log.warn({ err: e, model_version: version }, 'no reference map for this model');
        }
      }
    }),
  );
}
