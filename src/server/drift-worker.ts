// Worker-thread entry: runs drift checks (predict the current set, compare it with the model's references) off the request thread.
import { parentPort, workerData } from 'node:worker_threads';

import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import { runDrift } from '../pipeline/drift.ts';
import { embeddingOnlyError } from '../pipeline/predict.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { loadPredictionModel, type LoadedPredictionModel } from '../wiring/load-model.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import type { DriftRunMessage, FromDriftWorker, ToDriftWorker } from './drift-protocol.ts';
import type { WorkerInit } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('drift-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
// Both cores, as `arginator drift` uses them: a check is the CLI's work run by the server.
const kernels = loadFastestKernels({ threads: 2, notify: () => undefined });
const catalog = new FsModelRegistry(init.modelsDir);
/**
 * Models kept between checks (the scheduled check uses the same model each time, and runDrift
 * keeps the PCA of its references): loaded once per version, a failed load forgotten.
 */
const models = new Map<string, Promise<LoadedPredictionModel>>();
const running = new Map<string, AbortController>();

function post(message: FromDriftWorker): void {
  port?.postMessage(message);
}

function modelOf(version: string): Promise<LoadedPredictionModel> {
  let model = models.get(version);
  if (model === undefined) {
    model = loadPredictionModel(version, catalog, kernels, {
      threads: init.threads,
      runtime: init.runtime,
    });
    models.set(version, model);
    model.catch(() => models.delete(version));
  }
  return model;
}

/** The inputs one after another; errors name the check's source (a job, an upload), never a server path. */
async function* chain(
  paths: readonly string[],
  source: string,
  signal: AbortSignal,
): AsyncGenerator<ProteinRecord> {
  for (const path of paths) {
    yield* readFastaFile(path, { signal, source });
  }
}

async function run(message: DriftRunMessage, signal: AbortSignal): Promise<FromDriftWorker> {
  const loaded = await modelOf(message.modelVersion);
  const model = adaptModelToTask(loaded, message.task);
  const refusal = embeddingOnlyError(model);
  if (refusal !== undefined) {
    throw refusal;
  }
  const result = await runDrift({
    model,
    referenceEmbeddings: loaded.referenceEmbeddings,
    trainedLabels: loaded.predictor.header.labels,
    current: { kind: 'fasta', records: chain(message.inputs, message.source, signal) },
    currentSource: message.source,
    seed: message.seed,
    maxCurrent: message.maxProteins,
    signal,
    onProgress: (done) => post({ type: 'progress', id: message.id, done }),
  });
  return { type: 'done', id: message.id, report: result.report, histograms: result.histograms };
}

port.on('message', (message: ToDriftWorker) => {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  run(message, controller.signal)
    .then(post)
    .catch((e: unknown) =>
      post({ type: 'failed', id: message.id, error: serialiseError(e, 'the drift worker') }),
    )
    .finally(() => running.delete(message.id));
});
