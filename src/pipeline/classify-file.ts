// Use case: classify one input (protein records or precomputed embeddings) into prediction tables, read and embedded once; `arginator predict` and the job worker both run it.
import { NOVELTY_CLASSES } from '../core/domain.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type {
  EmbeddedProtein,
  PredictedBatch,
  PredictedProtein,
  PredictionModel,
} from './predict.ts';
import { embeddingOnlyError, predictBatches, predictEmbeddingBatches } from './predict.ts';

/**
 * Port: the input, read once. FASTA gives records (embedded with the model's embedder); HDF5
 * gives precomputed vectors (the classifier alone, evidence by embedding cosine).
 */
export type ClassifyInput =
  | { readonly kind: 'fasta'; readonly records: AsyncIterable<ProteinRecord> }
  | {
      readonly kind: 'hdf5';
      readonly embeddings: AsyncIterable<EmbeddedProtein>;
      /** The file, for error messages. */
      readonly source?: string | undefined;
    };

/** Port: where the prediction tables go (one or more CSV/TSV/JSON files, or stdout). */
export interface PredictionTableSink {
  /** Writes one batch's rows, in order; resolves when the sink takes more (backpressure). */
  write(proteins: readonly PredictedProtein[]): Promise<void> | void;
  /** Every row is written: close the tables and make them visible (e.g. rename temp files). */
  commit(): Promise<void>;
  /** The run failed or was cancelled: close and remove what was written. Never throws. */
  discard(): Promise<void>;
}

/**
 * Port: receives every batch with its embeddings, after its rows were written (the job's
 * reference map places the proteins from them instead of embedding them again).
 */
export interface EmbeddingBatchSink {
  add(batch: PredictedBatch): Promise<void> | void;
}

export interface ClassifyOptions {
  readonly model: PredictionModel;
  readonly tables: PredictionTableSink;
  /** Optional: gets each batch's embeddings (e.g. the job's reference map). */
  readonly embeddings?: EmbeddingBatchSink | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called after each batch with the number of proteins classified so far. */
  readonly onProgress?: ((proteins: number) => void) | undefined;
  /** Proteins per batch (default 256). */
  readonly batchSize?: number | undefined;
}

/** What a classified input came to: counts per label (in label order) and per novelty class. */
export interface ClassifySummary {
  readonly proteins: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly novelty: Readonly<Record<string, number>>;
}

/**
 * Classifies every protein of `input` in input order into `options.tables`, then commits them; on
 * any error (bad input further in, cancellation) the tables are discarded and the error rethrown.
 */
export async function classifyFile(
  input: ClassifyInput,
  options: ClassifyOptions,
): Promise<ClassifySummary> {
  const { model, tables, signal } = options;
  const counts: Record<string, number> = Object.fromEntries(
    model.predictor.labels.map((l) => [l, 0]),
  );
  const novelty: Record<string, number> = Object.fromEntries(NOVELTY_CLASSES.map((n) => [n, 0]));
  let proteins = 0;
  try {
    const refusal = input.kind === 'fasta' ? embeddingOnlyError(model) : undefined;
    if (refusal !== undefined) {
      throw refusal;
    }
    const predictOptions = {
      model,
      signal,
      onProgress: options.onProgress,
      batchSize: options.batchSize,
    };
    const batches =
      input.kind === 'fasta'
        ? predictBatches(input.records, predictOptions)
        : predictEmbeddingBatches(input.embeddings, { ...predictOptions, source: input.source });
    for await (const batch of batches) {
      await tables.write(batch.proteins);
      for (const { prediction } of batch.proteins) {
        counts[prediction.label] = (counts[prediction.label] ?? 0) + 1;
        novelty[prediction.novelty] = (novelty[prediction.novelty] ?? 0) + 1;
      }
      proteins += batch.proteins.length;
      await options.embeddings?.add(batch);
    }
    await tables.commit();
  } catch (e) {
    await tables.discard();
    throw e;
  }
  return { proteins, counts, novelty };
}
