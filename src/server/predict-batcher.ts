// Micro-batching of synchronous /v1/predict requests: requests that arrive while a batch is being
// predicted wait and then run together as one predictor call (per model version and task).
import type { Worker } from 'node:worker_threads';

import { ArginatorError, cancelledError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { predictAll } from '../pipeline/predict.ts';
import type { Task } from '../wiring/task-model.ts';
import { startWorkerThread } from './worker-pool.ts';
import type { FromPredictWorker, ToPredictWorker, WorkerInit } from './worker-protocol.ts';
import { deserialiseError } from './worker-protocol.ts';

/** Predicts one batch of proteins with `model` (adapted to `task`), in input order. */
export type BatchPredictor = (
  model: PredictionModel,
  task: Task,
  records: readonly ProteinRecord[],
) => Promise<readonly Prediction[]>;

/** Runs the batch on this thread (the embedder still uses its own threads). */
export const predictInline: BatchPredictor = async (model, _task, records) =>
  (await predictAll(records, { model })).map((p) => p.prediction);

export interface WorkerPredictor {
  readonly predict: BatchPredictor;
  /** Starts the worker and loads model `version` in it (an empty batch). */
  prepare(version: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs the batches on a worker thread of their own (predict-worker.ts), which loads each model
 * version once (a second copy of the model: the request thread keeps its own for /readyz and the
 * maps). The request thread stays free for other requests (/healthz) while a batch is predicted.
 * A crashed worker fails its batches and is replaced on the next batch.
 */
export function createWorkerPredictor(init: WorkerInit): WorkerPredictor {
  let worker: Worker | undefined;
  let nextId = 0;
  let closed = false;
  const inFlight = new Map<
    number,
    { resolve(p: readonly Prediction[]): void; reject(e: unknown): void }
  >();

  const start = (): Worker => {
    const w = startWorkerThread('predict-worker', init);
    w.unref();
    w.on('message', (message: FromPredictWorker) => {
      const call = inFlight.get(message.id);
      inFlight.delete(message.id);
      if (message.type === 'predicted') {
        call?.resolve(message.predictions);
      } else {
        call?.reject(deserialiseError(message.error));
      }
    });
    const crashed = (why: string): void => {
      if (worker !== w) {
        return;
      }
      worker = undefined;
      const error = new ArginatorError(
        'INTERNAL',
        'predict.worker-crashed',
        `the prediction worker thread stopped (${why})`,
        'retry the request; if it fails again, report it with the server log',
      );
      for (const call of inFlight.values()) {
        call.reject(error);
      }
      inFlight.clear();
    };
    w.on('error', (e) => crashed(e.message));
    w.on('exit', (code) => crashed(`exit code ${code}`));
    return w;
  };

  const send = (
    modelVersion: string,
    task: Task,
    records: readonly ProteinRecord[],
  ): Promise<readonly Prediction[]> => {
    if (closed) {
      return Promise.reject(cancelledError('Prediction'));
    }
    worker ??= start();
    const w = worker;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      inFlight.set(id, { resolve, reject });
      const message: ToPredictWorker = {
        id,
        modelVersion,
        task,
        ids: records.map((r) => r.id),
        sequences: records.map((r) => r.sequence),
      };
      w.postMessage(message);
    });
  };

  return {
    predict: (model, task, records) => send(model.version, task, records),
    async prepare(version) {
      await send(version, 'multiclass', []);
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      for (const call of inFlight.values()) {
        call.reject(cancelledError('Prediction'));
      }
      inFlight.clear();
      await w?.terminate();
    },
  };
}

export interface PredictBatcherOptions {
  readonly predict: BatchPredictor;
  /** Proteins per predictor call (a request larger than this still runs, alone). Default 256. */
  readonly maxProteins?: number | undefined;
  /**
   * Milliseconds an idle batcher may wait for more requests once one arrives: the batch starts when
   * none has arrived for `quietMs` (default 0.5), when `windowMs` have passed since the oldest
   * waiting request, or when the batch is full. 0 (default): at the end of the event-loop turn.
   */
  readonly windowMs?: number | undefined;
  readonly quietMs?: number | undefined;
  /** Clock in milliseconds (tests). */
  readonly now?: (() => number) | undefined;
}

interface Pending {
  readonly key: string;
  readonly arrivedAt: number;
  readonly model: PredictionModel;
  readonly task: Task;
  readonly records: readonly ProteinRecord[];
  readonly signal: AbortSignal | undefined;
  resolve(predictions: readonly Prediction[]): void;
  reject(error: unknown): void;
}

export interface PredictBatcher {
  /** The predictions of `records`, in order, computed in a batch with other waiting requests. */
  predict(
    model: PredictionModel,
    task: Task,
    records: readonly ProteinRecord[],
    signal?: AbortSignal,
  ): Promise<readonly Prediction[]>;
  /** Requests waiting for a batch (not counting the running one). */
  readonly waiting: number;
}

/**
 * One batch runs at a time. A request arriving while none runs starts one at the end of the
 * current event-loop turn (setImmediate: requests parsed in the same turn join it), or, with a
 * window, once requests stop arriving (see windowMs); requests arriving during a batch are queued
 * and the next batch takes the oldest one's (model version, task) group in arrival order, up to
 * `maxProteins` proteins.
 *
 * The window is for closed-loop clients: when a batch's answers go out together, their clients'
 * next requests come back over a millisecond or two. Started at the first of them, a batch leaves
 * the rest to wait for it and then for their own batch (twice the latency); gathered, they share
 * one batch.
 */
export function createPredictBatcher(options: PredictBatcherOptions): PredictBatcher {
  const maxProteins = options.maxProteins ?? 256;
  const windowMs = options.windowMs ?? 0;
  const quietMs = options.quietMs ?? 0.5;
  const now = options.now ?? (() => performance.now());
  const queue: Pending[] = [];
  let running = false;
  let scheduled = false;
  let lastArrival = 0;

  /** Whether to wait a little longer for requests still arriving (an idle batcher, window open). */
  const gathering = (): boolean => {
    const oldest = queue[0];
    if (windowMs <= 0 || oldest === undefined) {
      return false;
    }
    const t = now();
    if (t - oldest.arrivedAt >= windowMs || t - lastArrival >= quietMs) {
      return false;
    }
    let proteins = 0;
    for (const p of queue) {
      if (p.key === oldest.key) {
        proteins += p.records.length;
      }
    }
    return proteins < maxProteins;
  };

  const schedule = (): void => {
    if (!running && !scheduled && queue.length > 0) {
      scheduled = true;
      setImmediate(runNext);
    }
  };

  /** The next batch: the oldest request's group, in arrival order, up to maxProteins. */
  const take = (): Pending[] => {
    const first = queue[0];
    if (first === undefined) {
      return [];
    }
    const batch: Pending[] = [];
    let proteins = 0;
    for (let i = 0; i < queue.length;) {
      const p = queue[i] as Pending;
      if (p.key !== first.key) {
        i++;
        continue;
      }
      if (batch.length > 0 && proteins + p.records.length > maxProteins) {
        break;
      }
      batch.push(p);
      proteins += p.records.length;
      queue.splice(i, 1);
    }
    return batch;
  };

  function runNext(): void {
    scheduled = false;
    if (running) {
      return;
    }
    if (gathering()) {
      // Back after the next poll phase has read what the sockets hold.
      scheduled = true;
      setImmediate(runNext);
      return;
    }
    const batch = take().filter((p) => {
      if (p.signal?.aborted === true) {
        p.reject(cancelledError('Prediction'));
        return false;
      }
      return true;
    });
    const head = batch[0];
    if (head === undefined) {
      schedule();
      return;
    }
    running = true;
    const records = batch.length === 1 ? head.records : batch.flatMap((p) => p.records);
    // Called inside a promise chain, so a predictor that throws fails this batch only.
    Promise.resolve()
      .then(() => options.predict(head.model, head.task, records))
      .then(
        (predictions) => {
          let offset = 0;
          for (const p of batch) {
            p.resolve(predictions.slice(offset, offset + p.records.length));
            offset += p.records.length;
          }
        },
        (e: unknown) => {
          for (const p of batch) {
            p.reject(e);
          }
        },
      )
      .finally(() => {
        running = false;
        schedule();
      });
  }

  return {
    predict(model, task, records, signal) {
      if (signal?.aborted === true) {
        return Promise.reject(cancelledError('Prediction'));
      }
      return new Promise((resolve, reject) => {
        lastArrival = now();
        const pending: Pending = {
          key: `${model.version}\u0000${task}`,
          arrivedAt: lastArrival,
          model,
          task,
          records,
          signal,
          resolve,
          reject,
        };
        queue.push(pending);
        // A request cancelled while it waits leaves the queue at once.
        signal?.addEventListener(
          'abort',
          () => {
            const i = queue.indexOf(pending);
            if (i >= 0) {
              queue.splice(i, 1);
              reject(cancelledError('Prediction'));
            }
          },
          { once: true },
        );
        schedule();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
