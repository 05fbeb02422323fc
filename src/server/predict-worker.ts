// Worker-thread entry: predicts the batches of synchronous /v1/predict requests off the request
// thread (src/server/predict-batcher.ts), keeping each loaded model between batches.
import { parentPort, workerData } from 'node:worker_threads';

import { loadFastestKernels } from '../kernels/load-kernels.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { predictAll } from '../pipeline/predict.ts';
import { loadPredictionModel } from '../wiring/load-model.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import type { FromPredictWorker, ToPredictWorker, WorkerInit } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

const port = parentPort;
if (port === null) {
  throw new Error('predict-worker.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
const kernels = loadFastestKernels({ notify: () => undefined });
const models = new Map<string, Promise<PredictionModel>>();

function modelFor(version: string): Promise<PredictionModel> {
  let model = models.get(version);
  if (model === undefined) {
    model = loadPredictionModel(version, init.modelsDir, kernels, { threads: init.threads });
    models.set(version, model);
    model.catch(() => models.delete(version));
  }
  return model;
}

function post(message: FromPredictWorker): void {
  port?.postMessage(message);
}

port.on('message', (message: ToPredictWorker) => {
  const records = message.ids.map((id, i) => ({
    id,
    description: '',
    sequence: message.sequences[i] ?? '',
  }));
  modelFor(message.modelVersion)
    .then((model) => predictAll(records, { model: adaptModelToTask(model, message.task) }))
    .then((predicted) =>
      post({ type: 'predicted', id: message.id, predictions: predicted.map((p) => p.prediction) }),
    )
    .catch((e: unknown) =>
      post({ type: 'failed', id: message.id, error: serialiseError(e, 'the prediction worker') }),
    );
});
