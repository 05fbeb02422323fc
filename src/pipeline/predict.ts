// Use case: stream proteins (or their precomputed embeddings) through the model, in input order, with progress and cancellation.
import type { Embedder } from '../core/embed/embedder.ts';
import { stackRows } from '../core/embed/embedder.ts';
import type { ArginatorError } from '../core/errors.ts';
import { inputError, throwIfAborted, usageError } from '../core/errors.ts';
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

/** One batch of predictions, with the embeddings they were made from (e.g. for the reference map). */
export interface PredictedBatch {
  readonly proteins: readonly PredictedProtein[];
  /** proteins.length × the model's embedder dimension, row-major, in the proteins' order. */
  readonly embeddings: Float32Array;
}

export interface PredictOptions {
  readonly model: PredictionModel;
  readonly signal?: AbortSignal | undefined;
  /** Called after each batch with the number of proteins predicted so far. */
  readonly onProgress?: ((proteins: number) => void) | undefined;
  /** Proteins per batch (default 256): bounds memory whatever the input size. */
  readonly batchSize?: number | undefined;
}

/**
 * True for a model trained on precomputed vectors without sequences (a folder of HDF5 class files):
 * its embedder records only a dimension, so it classifies embeddings and cannot embed sequences.
 */
export function isEmbeddingOnly(model: PredictionModel): boolean {
  const { options } = model.predictor.header.embedder;
  return options['path'] === undefined && typeof options['dim'] === 'number';
}

/** The error for sequences given to an embedding-only model (undefined for any other model). */
export function embeddingOnlyError(model: PredictionModel): ArginatorError | undefined {
  if (!isEmbeddingOnly(model)) {
    return undefined;
  }
  const { dim } = model.predictor.header.embedder;
  return usageError(
    'model.embedding-only',
    `model ${model.version} is embedding-only (trained on precomputed ${dim}-d vectors, no sequences), so it cannot classify protein sequences`,
    `embed the proteins with the tool that made its training vectors (e.g. ProtT5) into an HDF5 file with one dataset per protein id and run 'arginator predict FILE.h5 --model ${model.version}', or pass --model with a model trained on FASTA`,
  );
}

/** Predicts every record, yielding results in input order; memory is bounded by one batch. */
export async function* predict(
  records: AsyncIterable<ProteinRecord> | Iterable<ProteinRecord>,
  options: PredictOptions,
): AsyncGenerator<PredictedProtein> {
  for await (const batch of predictBatches(records, options)) {
    yield* batch.proteins;
  }
}

/**
 * predict() a batch at a time, each with its embeddings, so a caller that also needs the vectors
 * (the job's reference map) does not embed the proteins a second time.
 */
export async function* predictBatches(
  records: AsyncIterable<ProteinRecord> | Iterable<ProteinRecord>,
  options: PredictOptions,
): AsyncGenerator<PredictedBatch> {
  const { model, signal } = options;
  // Before any record is read: the answer would be the same for every one of them.
  const refusal = embeddingOnlyError(model);
  if (refusal !== undefined) {
    throw refusal;
  }
  const batchSize = options.batchSize ?? 256;
  let batch: ProteinRecord[] = [];
  let done = 0;
  // The next batch is embedded (on the embedder's threads) while this one is classified and aligned on
  // this thread: at most two batches are held.
  interface Pending {
    readonly records: ProteinRecord[];
    readonly vectors: Promise<Float32Array[]>;
  }
  const start = (records: ProteinRecord[]): Pending => {
    throwIfAborted(signal, 'Prediction');
    const vectors = model.embedder.embed(records, { signal });
    // Marked handled now; the rejection is still thrown where the vectors are awaited.
    vectors.catch(() => undefined);
    return { records, vectors };
  };
  const finish = async ({ records, vectors: pending }: Pending): Promise<PredictedBatch> => {
    // A model loaded without its references prepared prepares them now, while the embedder's threads
    // embed this batch and the next (a no-op once done).
    model.predictor.prepare();
    const vectors = await pending;
    throwIfAborted(signal, 'Prediction');
    const embeddings = stackRows(vectors, model.embedder.dim);
    const predictions = model.predictor.predict(
      records.map((r) => r.sequence),
      embeddings,
    );
    const proteins = records.map((r, i) => ({
      id: r.id,
      prediction: predictions[i] as Prediction,
    }));
    done += records.length;
    options.onProgress?.(done);
    return { proteins, embeddings };
  };
  let inFlight: Pending | undefined;
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= batchSize) {
      const next = start(batch);
      batch = [];
      if (inFlight !== undefined) {
        yield await finish(inFlight);
      }
      inFlight = next;
    }
  }
  if (batch.length > 0) {
    const next = start(batch);
    if (inFlight !== undefined) {
      yield await finish(inFlight);
    }
    inFlight = next;
  }
  if (inFlight !== undefined) {
    yield await finish(inFlight);
  }
}

/** A protein given by its precomputed embedding (e.g. a dataset of an HDF5 file). */
export interface EmbeddedProtein {
  readonly id: string;
  readonly vector: Float32Array;
}

export interface PredictEmbeddingsOptions extends PredictOptions {
  /** Where the vectors come from (the file), for error messages. */
  readonly source?: string | undefined;
}

/**
 * Predicts proteins from precomputed embeddings (no sequences: the classifier's own call, nearest
 * reference by embedding cosine; docs/prediction.md). Every vector must have the model's embedder
 * dimension. Results come in input order; memory is bounded by one batch plus what the source holds.
 */
export async function* predictEmbeddings(
  proteins: AsyncIterable<EmbeddedProtein> | Iterable<EmbeddedProtein>,
  options: PredictEmbeddingsOptions,
): AsyncGenerator<PredictedProtein> {
  for await (const batch of predictEmbeddingBatches(proteins, options)) {
    yield* batch.proteins;
  }
}

/** predictEmbeddings() a batch at a time, each with its vectors (a copy: the buffer is reused). */
export async function* predictEmbeddingBatches(
  proteins: AsyncIterable<EmbeddedProtein> | Iterable<EmbeddedProtein>,
  options: PredictEmbeddingsOptions,
): AsyncGenerator<PredictedBatch> {
  const { model, signal } = options;
  const batchSize = options.batchSize ?? 256;
  const { embedder } = model.predictor.header;
  const dim = embedder.dim;
  let ids: string[] = [];
  const batch = new Float32Array(batchSize * dim);
  let done = 0;
  const flush = (): PredictedBatch => {
    throwIfAborted(signal, 'Prediction');
    const embeddings = batch.slice(0, ids.length * dim);
    const predictions = model.predictor.predictEmbeddings(embeddings);
    const out = ids.map((id, i) => ({ id, prediction: predictions[i] as Prediction }));
    done += ids.length;
    ids = [];
    options.onProgress?.(done);
    return { proteins: out, embeddings };
  };
  for await (const { id, vector } of proteins) {
    if (vector.length !== dim) {
      const path = typeof embedder.options['path'] === 'string' ? embedder.options['path'] : '';
      // An embedding-only model (trained on an HDF5 folder) records its dimension and no file.
      const vectorsOnly = path === '' && typeof embedder.options['dim'] === 'number';
      throw inputError(
        'predict.dimension-mismatch',
        `the embedding of '${id}' has ${vector.length} values, but the model's embedder (${embedder.id}) gives ${dim}: these embeddings were made with another embedder`,
        vectorsOnly
          ? `embed the proteins with the tool that made the model's training vectors (${dim} values per protein, e.g. ProtT5 for 1024), or choose another model with --model`
          : `embed the proteins with the model's embedder, e.g. 'arginator embed IN.faa --out X.h5 --embedder ${embedder.name}${path === '' ? '' : ` --embedder-path ${path}`}', or predict from the FASTA file`,
        options.source === undefined ? undefined : { source: options.source },
      );
    }
    batch.set(vector, ids.length * dim);
    ids.push(id);
    if (ids.length >= batchSize) {
      yield flush();
    }
  }
  if (ids.length > 0) {
    yield flush();
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
