// The one interface every embedder implements (built-in, precomputed, ONNX), and its registry.
import type { ProteinRecord } from '../sequence/protein-record.ts';

export interface EmbedOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface Embedder {
  /** Stable id including a version, e.g. 'builtin-v1' or 'onnx:esm2_t6_8M_UR50D'. */
  readonly id: string;
  /** Length of every vector it returns. */
  readonly dim: number;
  /** Everything that changes its output; part of embedding-cache fingerprints and model headers. */
  readonly fingerprint: Readonly<Record<string, unknown>>;
  /** One float32 vector per record, in input order. */
  embed(records: readonly ProteinRecord[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Releases native resources (ONNX sessions, open files). Idempotent. */
  close(): Promise<void>;
}

/** Options passed to an embedder factory: free-form, validated by the factory itself. */
export type EmbedderOptions = Readonly<Record<string, unknown>>;

export interface EmbedderFactory {
  readonly name: string;
  readonly description: string;
  create(options: EmbedderOptions): Promise<Embedder>;
}

/** Embeddings (one vector of `dim` values per protein) as one row-major n×dim matrix. */
export function stackRows(
  vectors: readonly Float32Array[],
  dim: number,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}
