// Worker-thread entry: runs prediction jobs off the request thread, keeping loaded models between jobs; places completed jobs on their map between jobs.
import { parentPort, workerData } from 'node:worker_threads';

import { TABLE_FORMATS } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import type { JobSummary } from '../pipeline/jobs/job.ts';
import { classifyFile } from '../pipeline/classify-file.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createModelCache } from '../wiring/load-model.ts';
import type { ReferenceMapService } from '../wiring/load-reference-map.ts';
import { loadOrFitReferenceMap } from '../wiring/load-reference-map.ts';
import { predictionTableFiles } from '../wiring/prediction-tables.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import { createMapSpill, readMapInput, removeMapInput } from './job-map-spill.ts';
import { createJobMapWriter, writeMapUnavailable } from './job-map-writer.ts';
import type {
  FromWorker,
  MapMessage,
  RunMessage,
  SerialisedError,
  ToWorker,
  WorkerInit,
} from './worker-protocol.ts';
import { deserialiseError, serialiseError } from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('job-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
// Both cores for the classifier's and the cosine search's matrix products, as `arginator predict`
// uses them: a job is the CLI's work run by the server, at the CLI's rate (issue 13).
const kernels = loadFastestKernels({ threads: 2, notify: () => undefined });
const maps = new Map<string, Promise<ReferenceMapService>>();
const running = new Map<string, AbortController>();
/** Jobs waiting for the request thread to say their model's map is stored (map-needed → map-ready). */
const awaitingMap = new Map<string, { ok(): void; fail(e: Error): void }>();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

// A worker thread is a composition root of its own: one catalog for its whole life.
const models = createModelCache(new FsModelRegistry(init.modelsDir), kernels, {
  threads: init.threads,
  runtime: init.runtime,
});

async function runJob(message: RunMessage, signal: AbortSignal): Promise<JobSummary> {
  const model = adaptModelToTask(await models.get(message.modelVersion), message.task);
  // The map is asked for now and read while the job is classified; its points are placed after
  // the job has completed (mapLater), from the embeddings kept on disk: no second embedding.
  mapFor(message.jobId, message.modelVersion).catch(() => undefined);
  const spill = createMapSpill(message.map.input);
  try {
    const { counts, novelty } = await classifyFile(
      {
        kind: 'fasta',
        records: readFastaFile(message.inputPath, { signal, duplicateIds: 'error' }),
      },
      {
        model,
        // Each table goes to a temp file renamed when complete, as `arginator predict --out` does.
        tables: predictionTableFiles(
          model,
          TABLE_FORMATS.map((format) => ({ format, path: message.outputs[format] })),
        ),
        embeddings: spill,
        signal,
        onProgress: (done) => post({ type: 'progress', jobId: message.jobId, done }),
      },
    );
    await spill.finish();
    return { counts, novelty };
  } catch (e) {
    await spill.discard();
    throw e;
  }
}

/** Maps owed by completed jobs, in completion order; one is made at a time, between jobs. */
const mapQueue: MapMessage[] = [];
let mapping = false;
/** Map work waiting for the running jobs to end (a job's tables come before any map). */
const idleWaiters: (() => void)[] = [];
/** Proteins projected per step: a job that arrives waits for at most one step (~0.1 s). */
const MAP_STEP = 64;

function whenIdle(): Promise<void> {
  // A turn of the event loop first, so a `run` that arrived meanwhile is counted.
  return new Promise<void>((resolve) =>
    setImmediate(() => (running.size === 0 ? resolve() : idleWaiters.push(resolve))),
  );
}

function mapLater(task: MapMessage): void {
  mapQueue.push(task);
  if (!mapping) {
    mapping = true;
    void drainMaps();
  }
}

async function drainMaps(): Promise<void> {
  try {
    for (let task = mapQueue.shift(); task !== undefined; task = mapQueue.shift()) {
      const outcome = await writeJobMap(task).then(
        (error) => ({ error, interrupted: false }),
        (e: unknown) => ({ error: serialiseError(e, 'the job map'), interrupted: true }),
      );
      post({ type: 'map-finished', jobId: task.jobId, ...outcome });
    }
  } finally {
    // In the same turn as the last (empty) shift: a map queued from now on starts a new drain.
    mapping = false;
  }
}

/** A completed job's map.json from its kept embeddings; returns why it failed (recorded), throws if interrupted. */
async function writeJobMap(task: MapMessage): Promise<SerialisedError | undefined> {
  const never = new AbortController().signal;
  const map = mapFor(task.jobId, task.modelVersion);
  map.catch(() => undefined); // the writer records it (map-unavailable.json)
  const writer = createJobMapWriter({
    map,
    modelVersion: task.modelVersion,
    proteins: task.proteins,
    path: task.map.map,
    unavailable: task.map.unavailable,
    signal: never,
  });
  try {
    for await (const batch of readMapInput(task.map)) {
      for (let at = 0; at < batch.proteins.length; at += MAP_STEP) {
        await whenIdle();
        const dim = batch.embeddings.length / batch.proteins.length;
        await writer.add({
          proteins: batch.proteins.slice(at, at + MAP_STEP),
          embeddings: batch.embeddings.subarray(at * dim, (at + MAP_STEP) * dim),
        });
      }
    }
  } catch (e) {
    // The kept embeddings cannot be read (the job expired meanwhile, or the file is damaged).
    await writer.discard();
    const error = serialiseError(
      new ArginatorError(
        'INTERNAL',
        'map.input-unreadable',
        `the embeddings kept for the map of job ${task.jobId} could not be read (${e instanceof Error ? e.message : String(e)})`,
        'the results are complete; submit the input again for a map',
      ),
      'the job map',
    );
    await writeMapUnavailable(task.map.unavailable, task.modelVersion, error).catch(
      () => undefined, // the job's folder is gone (expired): nothing to record
    );
    await removeMapInput(task.map);
    return error;
  }
  const error = await writer.finish();
  await removeMapInput(task.map);
  return error;
}

/** The map is stored by the request thread (which owns fitting); a worker only ever reads it. */
const refuseToFit: ReferenceMapFitter = () =>
  Promise.reject(
    new ArginatorError(
      'INTERNAL',
      'map.not-stored',
      'the reference map was not found where the server stored it',
      'restart the server; if it persists, report it',
    ),
  );

/** Asks the request thread to make sure the map of `version` is stored (fitting it if needed). */
function mapStored(jobId: string, version: string): Promise<void> {
  return new Promise<void>((ok, fail) => {
    awaitingMap.set(jobId, {
      ok: () => {
        awaitingMap.delete(jobId);
        ok();
      },
      fail: (e) => {
        awaitingMap.delete(jobId);
        fail(e);
      },
    });
    post({ type: 'map-needed', jobId, modelVersion: version });
  });
}

/**
 * The map of `version`, shared by every job of it. Not tied to the job that first asks: its run
 * never waits for the map, and other completed jobs' maps may wait on the same promise (a
 * cancelled job must not fail them). Only the request thread's shutdown stops it (CANCELLED).
 */
function mapFor(jobId: string, version: string): Promise<ReferenceMapService> {
  let map = maps.get(version);
  if (map === undefined) {
    map = mapStored(jobId, version).then(async () =>
      loadOrFitReferenceMap(await models.get(version), init.modelsDir, { fitter: refuseToFit }),
    );
    maps.set(version, map);
    map.catch(() => maps.delete(version));
  }
  return map;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    running.get(message.jobId)?.abort();
    return;
  }
  if (message.type === 'map-ready') {
    const waiting = awaitingMap.get(message.jobId);
    if (message.error === undefined) {
      waiting?.ok();
    } else {
      waiting?.fail(deserialiseError(message.error));
    }
    return;
  }
  if (message.type === 'map') {
    mapLater(message);
    return;
  }
  const run = message;
  const controller = new AbortController();
  running.set(run.jobId, controller);
  runJob(run, controller.signal)
    .then((summary) => {
      post({ type: 'done', jobId: run.jobId, summary });
      const { jobId, modelVersion, proteins, map } = run;
      mapLater({ type: 'map', jobId, modelVersion, proteins, map });
    })
    .catch((e: unknown) =>
      post({ type: 'failed', jobId: run.jobId, error: serialiseError(e, 'the job worker') }),
    )
    .finally(() => {
      running.delete(run.jobId);
      if (running.size === 0) {
        for (const resume of idleWaiters.splice(0)) {
          resume();
        }
      }
    });
});
