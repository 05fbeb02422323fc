// Worker-thread entry: runs prediction jobs off the request thread, keeping loaded models between jobs.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';

import { TABLE_FORMATS } from '../core/domain.ts';
import type { TableFormat } from '../core/domain.ts';
import { ArginatorError, cancelledError } from '../core/errors.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { createTableWriter, predictionColumns, predictionRow } from '../io/prediction-table.ts';
import type { TableWriter } from '../io/prediction-table.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import type { JobSummary } from '../pipeline/jobs/job.ts';
import { predict } from '../pipeline/predict.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { projectionMethodFor } from '../pipeline/reference-map.ts';
import { createModelCache } from '../wiring/load-model.ts';
import type { ReferenceMapService } from '../wiring/load-reference-map.ts';
import { loadOrFitReferenceMap } from '../wiring/load-reference-map.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import type { FromWorker, RunMessage, ToWorker, WorkerInit } from './worker-protocol.ts';
import { deserialiseError, serialiseError } from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('job-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
const kernels = loadFastestKernels({ notify: () => undefined });
const maps = new Map<string, Promise<ReferenceMapService>>();
const running = new Map<string, AbortController>();
/** Jobs waiting for the request thread to say their model's map is stored (map-needed → map-ready). */
const awaitingMap = new Map<string, { ok(): void; fail(e: Error): void }>();
const FORMATS: readonly TableFormat[] = TABLE_FORMATS;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

const models = createModelCache(init.modelsDir, kernels, { threads: init.threads });

async function endStream(out: WriteStream): Promise<void> {
  await new Promise<void>((ok, fail) =>
    out.end((e?: Error | null) => (e == null ? ok() : fail(e))),
  );
}

async function runJob(message: RunMessage, signal: AbortSignal): Promise<JobSummary> {
  const model = adaptModelToTask(await models.get(message.modelVersion), message.task);
  const labels = model.predictor.labels;
  const columns = predictionColumns(labels, model.predictor.header.task);
  // Each table goes to a temp file renamed when complete, as `arginator predict --out` does.
  const temps = FORMATS.map((f) => `${message.outputs[f]}.tmp`);
  const streams = temps.map((t) => createWriteStream(t));
  // Errors surface in endStream; a write pending when a cancel destroys the streams must not crash.
  for (const s of streams) {
    s.on('error', () => undefined);
  }
  const writers: TableWriter[] = FORMATS.map((f, i) =>
    createTableWriter(f, columns, streams[i] as WriteStream),
  );
  const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  const novelty: Record<string, number> = { known: 0, distant: 0, novel: 0 };
  // What the map points show per protein, in input order (the records are read again for the map).
  const predicted: { label: string; novelty: string }[] = [];
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
      predicted.push({ label: row.predicted_label, novelty: row.novelty });
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
  } catch (e) {
    for (const s of streams) {
      s.destroy();
    }
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
  await writeJobMap(message, predicted, signal);
  return { counts, novelty };
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

/** Queries per projection call: one embedding batch (bounds memory for the largest jobs). */
const MAP_BATCH = 256;

/**
 * Places the job's proteins on its model's reference map and writes the body of
 * GET /v1/jobs/{id}/map to `map.json` (streamed, temp + rename). A map that cannot be made does
 * not fail the job: the reason goes to `map-unavailable.json` instead. Cancellation still cancels.
 */
async function writeJobMap(
  message: RunMessage,
  predicted: readonly { label: string; novelty: string }[],
  signal: AbortSignal,
): Promise<void> {
  const { map: path, unavailable } = message.map;
  const temp = `${path}.tmp`;
  await Promise.all([rm(path, { force: true }), rm(unavailable, { force: true })]);
  let out: WriteStream | undefined;
  try {
    const service = await mapFor(message.jobId, message.modelVersion, signal);
    const method = projectionMethodFor(predicted.length);
    const stream = createWriteStream(temp);
    // A write still pending when the stream is destroyed (cancel) must not crash the worker.
    stream.on('error', () => undefined);
    out = stream;
    const write = async (text: string): Promise<void> => {
      if (!stream.write(text)) {
        await once(stream, 'drain');
      }
    };
    await write(
      `{"model_version":${JSON.stringify(service.modelVersion)},"projection":"${method}","queries":[`,
    );
    let done = 0;
    let batch: ProteinRecord[] = [];
    const flush = async (): Promise<void> => {
      const points = await service.projectRecords(batch, { signal, method });
      const lines = points.map((p) => {
        const row = predicted[done++];
        return JSON.stringify({
          id: p.id,
          predicted_label: row?.label ?? '',
          novelty: row?.novelty ?? '',
          x: p.x,
          y: p.y,
        });
      });
      await write(`${done > lines.length ? ',' : ''}${lines.join(',')}`);
      batch = [];
    };
    for await (const r of readFastaFile(message.inputPath, { signal, duplicateIds: 'error' })) {
      batch.push(r);
      if (batch.length === MAP_BATCH) {
        await flush();
      }
    }
    if (batch.length > 0) {
      await flush();
    }
    await write(']}\n');
    await endStream(stream);
    await rename(temp, path);
  } catch (e) {
    out?.destroy();
    await rm(temp, { force: true });
    if (signal.aborted) {
      throw e;
    }
    const error = serialiseError(e, 'the job map');
    await writeFile(
      unavailable,
      JSON.stringify({
        model_version: message.modelVersion,
        code: error.code,
        reason: error.reason,
        detail: error.message,
        hint: error.hint,
      }),
    );
  }
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
