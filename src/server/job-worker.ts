// Worker-thread entry: runs prediction jobs off the request thread, keeping loaded models between jobs.
import { parentPort, workerData } from 'node:worker_threads';

import { TABLE_FORMATS } from '../core/domain.ts';
import { ArginatorError, cancelledError } from '../core/errors.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import type { JobSummary } from '../pipeline/jobs/job.ts';
import { classifyFile } from '../pipeline/classify-file.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { createModelCache } from '../wiring/load-model.ts';
import type { ReferenceMapService } from '../wiring/load-reference-map.ts';
import { loadOrFitReferenceMap } from '../wiring/load-reference-map.ts';
import { predictionTableFiles } from '../wiring/prediction-tables.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import { createJobMapWriter } from './job-map-writer.ts';
import type { FromWorker, RunMessage, ToWorker, WorkerInit } from './worker-protocol.ts';
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

const models = createModelCache(init.modelsDir, kernels, { threads: init.threads });

async function runJob(message: RunMessage, signal: AbortSignal): Promise<JobSummary> {
  const model = adaptModelToTask(await models.get(message.modelVersion), message.task);
  // The map is asked for now and read while the first batches are classified; its points come
  // from the embeddings the classification makes (no second read or embedding of the input).
  const map = mapFor(message.jobId, message.modelVersion, signal);
  map.catch(() => undefined); // the map writer reports it (map-unavailable.json)
  const mapWriter = createJobMapWriter({
    map,
    modelVersion: message.modelVersion,
    proteins: message.proteins,
    path: message.map.map,
    unavailable: message.map.unavailable,
    signal,
  });
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
        embeddings: mapWriter,
        signal,
        onProgress: (done) => post({ type: 'progress', jobId: message.jobId, done }),
      },
    );
    await mapWriter.finish();
    return { counts, novelty };
  } catch (e) {
    await mapWriter.discard();
    throw e;
  }
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
function mapStored(jobId: string, version: string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const onAbort = (): void => {
      awaitingMap.delete(jobId);
      fail(cancelledError('The job'));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      awaitingMap.delete(jobId);
      signal.removeEventListener('abort', onAbort);
    };
    awaitingMap.set(jobId, {
      ok: () => {
        settle();
        ok();
      },
      fail: (e) => {
        settle();
        fail(e);
      },
    });
    post({ type: 'map-needed', jobId, modelVersion: version });
  });
}

function mapFor(jobId: string, version: string, signal: AbortSignal): Promise<ReferenceMapService> {
  let map = maps.get(version);
  if (map === undefined) {
    map = mapStored(jobId, version, signal).then(async () =>
      loadOrFitReferenceMap(await models.get(version), init.modelsDir, {
        fitter: refuseToFit,
        signal,
      }),
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
  const controller = new AbortController();
  running.set(message.jobId, controller);
  runJob(message, controller.signal)
    .then((summary) => post({ type: 'done', jobId: message.jobId, summary }))
    .catch((e: unknown) =>
      post({ type: 'failed', jobId: message.jobId, error: serialiseError(e, 'the job worker') }),
    )
    .finally(() => running.delete(message.jobId));
});
