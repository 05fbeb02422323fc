// Worker-thread entry: runs prediction jobs off the request thread, keeping loaded models between jobs.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';

import { ArginatorError, isArginatorError } from '../core/errors.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { createTableWriter, predictionColumns, predictionRow } from '../io/prediction-table.ts';
import type { TableFormat, TableWriter } from '../io/prediction-table.ts';
import { loadFastestKernels } from '../kernels/load-kernels.ts';
import type { JobSummary } from '../pipeline/jobs/job.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { predict } from '../pipeline/predict.ts';
import { loadPredictionModel } from '../wiring/load-model.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import type {
  FromWorker,
  RunMessage,
  SerialisedError,
  ToWorker,
  WorkerInit,
} from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('job-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
const kernels = loadFastestKernels({ notify: () => undefined });
const models = new Map<string, Promise<PredictionModel>>();
const running = new Map<string, AbortController>();
const FORMATS: readonly TableFormat[] = ['csv', 'tsv', 'json'];

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function modelFor(version: string): Promise<PredictionModel> {
  let model = models.get(version);
  if (model === undefined) {
    model = loadPredictionModel(version, init.modelsDir, kernels, { threads: init.threads });
    models.set(version, model);
    model.catch(() => models.delete(version));
  }
  return model;
}

async function endStream(out: WriteStream): Promise<void> {
  await new Promise<void>((ok, fail) =>
    out.end((e?: Error | null) => (e == null ? ok() : fail(e))),
  );
}

async function runJob(message: RunMessage, signal: AbortSignal): Promise<JobSummary> {
  const model = adaptModelToTask(await modelFor(message.modelVersion), message.task);
  const labels = model.predictor.labels;
  const columns = predictionColumns(labels, model.predictor.header.task);
  // Each table goes to a temp file renamed when complete, as `arginator predict --out` does.
  const temps = FORMATS.map((f) => `${message.outputs[f]}.tmp`);
  const streams = temps.map((t) => createWriteStream(t));
  const writers: TableWriter[] = FORMATS.map((f, i) =>
    createTableWriter(f, columns, streams[i] as WriteStream),
  );
  const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  const novelty: Record<string, number> = { known: 0, distant: 0, novel: 0 };
  try {
    const records = readFastaFile(message.inputPath, { signal, duplicateIds: 'error' });
    for await (const p of predict(records, {
      model,
      signal,
      onProgress: (done) => post({ type: 'progress', jobId: message.jobId, done }),
    })) {
      const row = predictionRow(p.id, p.prediction, labels, model.version);
      for (const w of writers) {
        w.write(row);
      }
      counts[row.predicted_label] = (counts[row.predicted_label] ?? 0) + 1;
      novelty[row.novelty] = (novelty[row.novelty] ?? 0) + 1;
      const full = streams.find((s) => s.writableNeedDrain);
      if (full !== undefined) {
        await once(full, 'drain');
      }
    }
    for (const w of writers) {
      w.end();
    }
    await Promise.all(streams.map(endStream));
    await Promise.all(FORMATS.map((f, i) => rename(temps[i] ?? '', message.outputs[f])));
    return { counts, novelty };
  } catch (e) {
    for (const s of streams) {
      s.destroy();
    }
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
}

function serialise(e: unknown): SerialisedError {
  const error = isArginatorError(e)
    ? e
    : new ArginatorError(
        'INTERNAL',
        'job.internal',
        `internal error in the job worker (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        'retry the job; if it fails again, report it',
      );
  return {
    code: error.code,
    reason: error.reason,
    message: error.message,
    hint: error.hint,
    location: error.location,
  };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    running.get(message.jobId)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.jobId, controller);
  runJob(message, controller.signal)
    .then((summary) => post({ type: 'done', jobId: message.jobId, summary }))
    .catch((e: unknown) => post({ type: 'failed', jobId: message.jobId, error: serialise(e) }))
    .finally(() => running.delete(message.jobId));
});
