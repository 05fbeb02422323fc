// `arginator worker`: a BullMQ worker that classifies job chunks on worker threads and merges finished jobs, with the shared ARGINATOR_HOME.
import { join } from 'node:path';
import type { Worker as Thread } from 'node:worker_threads';

import type { Job as QueueJob } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';

import { TABLE_FORMATS, TASKS } from '../core/domain.ts';
import { ArginatorError, cancelledError, isArginatorError } from '../core/errors.ts';
import type { ChunkSummary } from '../queue/chunk-files.ts';
import { ChunkFiles } from '../queue/chunk-files.ts';
import type { ChunkData, MergeData, MergeResult, QueueSettings } from '../queue/queue-contract.ts';
import {
  CHUNK,
  connectRedis,
  encodeChunkError,
  MERGE,
  QUEUE_NAME,
  queueKeys,
  reachable,
  redisUnreachable,
} from '../queue/queue-contract.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createModelCache } from '../wiring/load-model.ts';
import { chooseTaskModel } from '../pipeline/model-catalog.ts';
import { taskModelOf } from '../wiring/task-model.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import { jobMapPaths } from './job-maps.ts';
import type { ChunkRun, FromChunkThread, ToChunkThread } from './queue-chunk-thread.ts';
import { startWorkerThread } from './worker-pool.ts';
import type { WorkerInit } from './worker-protocol.ts';
import { deserialiseError } from './worker-protocol.ts';

/** Classifies one chunk to its files; the default runs it on a worker thread (tests may give another). */
export interface ChunkRunner {
  run(
    chunk: ChunkRun,
    onProgress: (done: number) => void,
    signal: AbortSignal,
  ): Promise<ChunkSummary>;
  close(): Promise<void>;
  /** Resolves once every thread has loaded the preloaded models (WorkerInit.preload). */
  ready?(): Promise<void>;
}

export interface QueueWorkerOptions {
  readonly settings: QueueSettings;
  /** ARGINATOR_HOME (shared with the API processes): jobs live in its jobs/ folder, as the service lays them out. */
  readonly home: string;
  readonly modelsDir: string;
  /** Chunks classified at the same time, one worker thread (one core) each. */
  readonly concurrency: number;
  readonly init?: Omit<WorkerInit, 'modelsDir'> | undefined;
  readonly runner?: ChunkRunner | undefined;
  /** One line per event worth a log (failures, stalls). */
  readonly log?: ((line: string) => void) | undefined;
}

export interface QueueWorker {
  /** Stops taking chunks, lets running ones finish (BullMQ's close), then stops the threads. */
  close(): Promise<void>;
}

/** How often a running chunk looks for its job's cancellation. */
const CANCEL_POLL_MS = 1000;

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { settings } = options;
  const redis = connectRedis(settings.url);
  await reachable(redis, settings.url);
  const keys = queueKeys(settings.prefix);
  const files = new FsJobFiles(join(options.home, 'jobs'));
  const chunks = new ChunkFiles(files);
  const runner =
    options.runner ??
    createChunkThreads(options.concurrency, {
      modelsDir: options.modelsDir,
      threads: options.init?.threads ?? 1,
      runtime: options.init?.runtime,
      preload: await defaultModelVersions(options.modelsDir),
    });
  // Taking chunks only once the threads hold the models: a job's first chunks do not pay the load.
  await runner.ready?.();

  const cancelled = async (jobId: string): Promise<boolean> =>
    (await redis.exists(keys.cancel(jobId))) === 1;

  const runChunkJob = async (job: QueueJob<ChunkData>): Promise<ChunkSummary> => {
    const data = job.data;
    const report = (done: number): void => {
      void redis.hset(keys.progress(data.jobId), String(data.index), String(done));
    };
    if (await cancelled(data.jobId)) {
      throw cancelledError('The job');
    }
    // The job was merged by an earlier flow of it (the API restarted meanwhile): its result stands.
    if ((await chunks.recorded(data.jobId)) !== undefined) {
      report(data.proteins);
      return { proteins: data.proteins, counts: {}, novelty: {} };
    }
    // At least once: a chunk run before (by a worker that died after writing it) is not run again.
    const earlier = await chunks.readDone(data.jobId, data.index);
    if (earlier !== undefined) {
      report(earlier.proteins);
      return earlier;
    }
    const controller = new AbortController();
    const watch = setInterval(() => {
      redis.exists(keys.cancel(data.jobId)).then(
        (n) => n === 1 && controller.abort(),
        () => undefined, // Redis away: the chunk goes on; its lock decides
      );
    }, CANCEL_POLL_MS);
    try {
      const summary = await runner.run(
        {
          type: 'run',
          key: job.id ?? `${data.jobId}.${data.index}`,
          task: data.task,
          modelVersion: data.modelVersion,
          input: chunks.input(data.jobId, data.index),
          outputs: Object.fromEntries(
            TABLE_FORMATS.map((f) => [f, chunks.table(data.jobId, data.index, f)]),
          ) as ChunkRun['outputs'],
          mapInput: chunks.mapInput(data.jobId, data.index),
        },
        report,
        controller.signal,
      );
      // Cancelled while it ran (a classifier that finished anyway): its result is not recorded.
      if (controller.signal.aborted || (await cancelled(data.jobId))) {
        throw cancelledError('The job');
      }
      await chunks.writeDone(data.jobId, data.index, summary);
      report(summary.proteins);
      return summary;
    } finally {
      clearInterval(watch);
    }
  };

  const process = async (job: QueueJob): Promise<ChunkSummary | MergeResult> => {
    try {
      if (job.name === CHUNK) {
        return await runChunkJob(job as QueueJob<ChunkData>);
      }
      if (job.name === MERGE) {
        const data = job.data as MergeData;
        if (await cancelled(data.jobId)) {
          throw cancelledError('The job');
        }
        return await chunks.merge(data.jobId, data.chunks, jobMapPaths(files, data.jobId).parts);
      }
      throw new ArginatorError(
        'INTERNAL',
        'queue.unknown-job',
        `the queue holds a job named '${job.name}' that this worker does not know`,
        'run workers of the same ARGINATOR version as the API',
      );
    } catch (e) {
      // Bad input, limits, a missing model, cancellation: the same on any worker, so no retry.
      if (isArginatorError(e) && e.code !== 'INTERNAL') {
        throw new UnrecoverableError(encodeChunkError(e));
      }
      throw new Error(encodeChunkError(e), { cause: e });
    }
  };

  const worker = new Worker(QUEUE_NAME, process, {
    connection: redis,
    prefix: settings.prefix,
    concurrency: options.concurrency,
    lockDuration: settings.lockSeconds * 1000,
    stalledInterval: settings.lockSeconds * 1000,
    maxStalledCount: settings.maxStalls,
  });
  worker.on('failed', (job, err) => {
    options.log?.(
      `chunk ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`,
    );
  });
  worker.on('stalled', (id) => options.log?.(`job ${id} stalled (its worker died); retried`));
  worker.on('error', (err) => options.log?.(`queue worker error: ${err.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await runner.close();
      redis.disconnect();
    },
  };
}

/** `arginator worker --check`: Redis answers and the model new jobs would use loads. */
export async function checkQueueWorker(options: {
  readonly settings: QueueSettings;
  readonly modelsDir: string;
  readonly runtime?: WorkerInit['runtime'];
}): Promise<{ modelVersion: string }> {
  const redis = connectRedis(options.settings.url, { lazy: true });
  redis.options.retryStrategy = () => null;
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw redisUnreachable(options.settings.url, e);
  } finally {
    redis.disconnect();
  }
  const registry = new FsModelRegistry(options.modelsDir);
  const choice = taskModelOf('multiclass', await registry.index(), options.modelsDir);
  const kernels = loadFastestKernels({ threads: 1, notify: () => undefined });
  const models = createModelCache(registry, kernels, { threads: 1, runtime: options.runtime });
  const model = await models.get(choice.version);
  await model.embedder.close();
  return { modelVersion: choice.version };
}

/** The model versions new jobs of each task would use now (none for a task without a model). */
async function defaultModelVersions(modelsDir: string): Promise<string[]> {
  const index = await new FsModelRegistry(modelsDir).index();
  const versions = new Set<string>();
  for (const task of TASKS) {
    const choice = chooseTaskModel(task, index);
    if (choice !== undefined) {
      versions.add(choice.version);
    }
  }
  return [...versions];
}

/** A fixed pool of chunk threads; a thread that dies fails its chunk (retried) and is replaced. */
function createChunkThreads(size: number, init: WorkerInit): ChunkRunner {
  interface Slot {
    thread: Thread;
    current:
      | {
          key: string;
          onProgress: (done: number) => void;
          resolve: (s: ChunkSummary) => void;
          reject: (e: Error) => void;
        }
      | undefined;
  }
  let closed = false;
  const slots: Slot[] = [];
  // One per first start of a slot: settled by its 'ready', or by its crash (no model then).
  const readiness: Promise<void>[] = [];
  const start = (slot: Slot, onReady?: () => void): void => {
    const thread = startWorkerThread('queue-chunk-thread', init);
    slot.thread = thread;
    const settleReady = (): void => onReady?.();
    thread.on('message', (m: FromChunkThread) => {
      if (m.type === 'ready') {
        settleReady();
        return;
      }
      const current = slot.current;
      if (slot.thread !== thread || current?.key !== m.key) {
        return;
      }
      if (m.type === 'progress') {
        current.onProgress(m.done);
        return;
      }
      slot.current = undefined;
      if (m.type === 'done') {
        current.resolve(m.summary);
      } else {
        current.reject(deserialiseError(m.error));
      }
    });
    const crashed = (why: string): void => {
      settleReady();
      if (slot.thread !== thread) {
        return;
      }
      const current = slot.current;
      slot.current = undefined;
      current?.reject(
        new ArginatorError(
          'INTERNAL',
          'queue.thread-crashed',
          `the chunk thread stopped (${why})`,
          'the chunk is retried; if it fails again, report it with the worker log',
        ),
      );
      if (!closed) {
        start(slot);
      }
    };
    thread.on('error', (e) => crashed(e.message));
    thread.on('exit', (code) => !closed && crashed(`exit code ${code}`));
  };
  for (let i = 0; i < size; i++) {
    const slot = { current: undefined } as unknown as Slot;
    readiness.push(new Promise<void>((resolve) => start(slot, resolve)));
    slots.push(slot);
  }
  return {
    async ready() {
      await Promise.all(readiness);
    },
    run(chunk, onProgress, signal) {
      const slot = slots.find((s) => s.current === undefined);
      if (slot === undefined || closed) {
        return Promise.reject(
          new ArginatorError('INTERNAL', 'queue.no-thread', 'no free chunk thread', ''),
        );
      }
      return new Promise<ChunkSummary>((resolve, reject) => {
        const onAbort = (): void => {
          const m: ToChunkThread = { type: 'cancel', key: chunk.key };
          slot.thread.postMessage(m);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => signal.removeEventListener('abort', onAbort);
        slot.current = {
          key: chunk.key,
          onProgress,
          resolve: (s) => {
            settle();
            resolve(s);
          },
          reject: (e) => {
            settle();
            reject(e);
          },
        };
        slot.thread.postMessage(chunk);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.thread.terminate()));
    },
  };
}
