// Use case: stream protein records through an embedder into a sink, in order, with progress and cancellation.
import type { Embedder } from '../core/embed/embedder.ts';
import { throwIfAborted } from '../core/errors.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';

/** Port: where vectors go (an HDF5 writer, an in-memory array, ...). */
export interface EmbeddingSink {
  add(id: string, vector: Float32Array): void | Promise<void>;
}

export interface EmbedProgress {
  readonly proteins: number;
  readonly residues: number;
}

export interface EmbedProteinsOptions {
  /** Records per embedder call. */
  readonly batchSize?: number;
  /** A batch is closed early when it reaches this many residues (bounds memory on long proteins). */
  readonly maxBatchResidues?: number;
  /** Batches submitted to the embedder before the oldest must finish (keeps worker threads busy). */
  readonly maxInFlight?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EmbedProgress) => void;
}

export interface EmbedSummary extends EmbedProgress {
  readonly embedderId: string;
  readonly dim: number;
}

interface PendingBatch {
  readonly records: readonly ProteinRecord[];
  readonly residues: number;
  readonly vectors: Promise<Float32Array[]>;
}

export async function embedProteins(
  records: AsyncIterable<ProteinRecord>,
  embedder: Embedder,
  sink: EmbeddingSink,
  options: EmbedProteinsOptions = {},
): Promise<EmbedSummary> {
  const batchSize = options.batchSize ?? 256;
  const maxBatchResidues = options.maxBatchResidues ?? 200_000;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
  const { signal } = options;
  const inFlight: PendingBatch[] = [];
  let proteins = 0;
  let residues = 0;

  const drainOne = async (): Promise<void> => {
    const batch = inFlight.shift();
    if (batch === undefined) {
      return;
    }
    const vectors = await batch.vectors;
    throwIfAborted(signal, 'Embedding');
    for (let i = 0; i < batch.records.length; i++) {
      const record = batch.records[i] as ProteinRecord;
      const vector = vectors[i];
      if (vector?.length !== embedder.dim) {
        throw new Error(
          `embedder '${embedder.id}' returned ${vector === undefined ? 'no vector' : `${vector.length} values`} for '${record.id}', expected ${embedder.dim}`,
        );
      }
      await sink.add(record.id, vector);
    }
    proteins += batch.records.length;
    residues += batch.residues;
    options.onProgress?.({ proteins, residues });
  };

  const submit = async (batch: ProteinRecord[], batchResidues: number): Promise<void> => {
    const vectors = embedder.embed(batch, { signal });
    // Attach a handler now so a rejection is not reported as unhandled while earlier batches drain.
    vectors.catch(() => undefined);
    inFlight.push({ records: batch, residues: batchResidues, vectors });
    while (inFlight.length >= maxInFlight) {
      await drainOne();
    }
  };

  try {
    let batch: ProteinRecord[] = [];
    let batchResidues = 0;
    for await (const record of records) {
      throwIfAborted(signal, 'Embedding');
      batch.push(record);
      batchResidues += record.sequence.length;
      if (batch.length >= batchSize || batchResidues >= maxBatchResidues) {
        await submit(batch, batchResidues);
        batch = [];
        batchResidues = 0;
      }
    }
    if (batch.length > 0) {
      await submit(batch, batchResidues);
    }
    while (inFlight.length > 0) {
      await drainOne();
    }
  } finally {
    // On failure, settle what is still running so no work outlives the call.
    await Promise.allSettled(inFlight.map((b) => b.vectors));
  }
  return { proteins, residues, embedderId: embedder.id, dim: embedder.dim };
}
