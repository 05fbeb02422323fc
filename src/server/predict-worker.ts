// Worker-thread entry: predicts the batches of synchronous /v1/predict requests off the request
// thread (src/server/predict-batcher.ts), keeping each loaded model between batches.
import { parentPort, workerData } from 'node:worker_threads';

import { loadFastestKernels } from '../native/load-kernels.ts';
import { predictAll } from '../pipeline/predict.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createModelCache } from '../wiring/load-model.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import type { FromPredictWorker, ToPredictWorker, WorkerInit } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('predict-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
const kernels = loadFastestKernels({ notify: () => undefined });

// A worker thread is a composition root of its own: one catalog for its whole life.
const models = createModelCache(new FsModelRegistry(init.modelsDir), kernels, {
  threads: init.threads,
  runtime: init.runtime,
});

function post(message: FromPredictWorker): void {
  port?.postMessage(message);
}

port.on('message', (message: ToPredictWorker) => {
  const records = message.ids.map((id, i) => ({
    id,
    description: '',
    sequence: message.sequences[i] ?? '',
  }));
  models
    .get(message.modelVersion)
    .then((model) => predictAll(records, { model: adaptModelToTask(model, message.task) }))
    .then((predicted) =>
      post({ type: 'predicted', id: message.id, predictions: predicted.map((p) => p.prediction) }),
    )
    .catch((e: unknown) =>
      post({ type: 'failed', id: message.id, error: serialiseError(e, 'the prediction worker') }),
    );
});
