// Use case: stream proteins through the model's embedder and predictor, in input order, with progress and cancellation.
import type { Embedder } from '../core/embed/embedder.ts';
import { throwIfAborted } from '../core/errors.ts';
import type { Prediction, Predictor } from '../core/model/predictor.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';

/** A model ready to use: its registry version, its embedder and its predictor. */
export interface PredictionModel {
  readonly version: string;
  readonly embedder: Embedder;
  readonly predictor: Predictor;
}

export interface PredictedProtein {
  readonly id: string;
  readonly prediction: Prediction;
}

export interface PredictOptions {
  readonly model: PredictionModel;
  readonly signal?: AbortSignal | undefined;
  /** Called after each batch with the number of proteins predicted so far. */
  readonly onProgress?: ((proteins: number) => void) | undefined;
  /** Proteins per batch (default 256): bounds memory whatever the input size. */
  readonly batchSize?: number | undefined;
}

/** Predicts every record, yielding results in input order; memory is bounded by one batch. */
export async function* predict(
  records: AsyncIterable<ProteinRecord> | Iterable<ProteinRecord>,
  options: PredictOptions,
): AsyncGenerator<PredictedProtein> {
  const { model, signal } = options;
  const batchSize = options.batchSize ?? 256;
  let batch: ProteinRecord[] = [];
  let done = 0;
  const flush = async (): Promise<PredictedProtein[]> => {
    throwIfAborted(signal, 'Prediction');
    const vectors = await model.embedder.embed(batch, { signal });
    const dim = model.embedder.dim;
    const embeddings = new Float32Array(batch.length * dim);
    vectors.forEach((v, i) => embeddings.set(v, i * dim));
    const predictions = model.predictor.predict(
      batch.map((r) => r.sequence),
      embeddings,
    );
    const out = batch.map((r, i) => ({ id: r.id, prediction: predictions[i] as Prediction }));
    done += batch.length;
    batch = [];
    options.onProgress?.(done);
    return out;
  };
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= batchSize) {
      yield* await flush();
    }
  }
  if (batch.length > 0) {
    yield* await flush();
  }
}

/** All predictions of a small in-memory input (HTTP /v1/predict, tests). */
export async function predictAll(
  records: readonly ProteinRecord[],
  options: PredictOptions,
): Promise<PredictedProtein[]> {
  const out: PredictedProtein[] = [];
  for await (const p of predict(records, options)) {
    out.push(p);
  }
  return out;
}
