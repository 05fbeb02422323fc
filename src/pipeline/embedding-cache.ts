// Embeddings of a dataset, cached by a content hash of the data and the embedder's fingerprint.
import type { Embedder } from '../core/embed/embedder.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { embedProteins } from './embed-proteins.ts';
import type { EmbedProgress } from './embed-proteins.ts';

/** Port: a key → (ids, vectors) store (an HDF5 file per key in the data directory). */
export interface EmbeddingCacheStore {
  read(key: string, signal?: AbortSignal): Promise<EmbeddedSet | undefined>;
  write(key: string, set: EmbeddedSet, signal?: AbortSignal): Promise<void>;
}

/** Port: a stable hash of a JSON value (sha256 in the adapter). */
export type JsonHasher = (value: unknown) => string;

export interface EmbeddedSet {
  readonly ids: readonly string[];
  readonly vectors: readonly Float32Array[];
}

export interface CachedEmbeddings extends EmbeddedSet {
  readonly key: string;
  readonly fromCache: boolean;
}

export interface EnsureEmbeddingsOptions {
  /** Identifies the data's content (e.g. sha256 of the dataset files). */
  readonly dataFingerprint: string;
  /** Recompute even when a cached copy exists (config: processing.force). */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EmbedProgress) => void;
}

/** The cache key: changes when the data or anything that changes the embedder's output changes. */
export function embeddingCacheKey(
  hash: JsonHasher,
  dataFingerprint: string,
  embedder: Pick<Embedder, 'id' | 'dim' | 'fingerprint'>,
): string {
  return hash({
    data: dataFingerprint,
    embedder: embedder.id,
    dim: embedder.dim,
    fingerprint: embedder.fingerprint,
  }).slice(0, 24);
}

/** Returns one vector per record (in record order), from the cache when it holds exactly these ids. */
export async function ensureEmbeddings(
  records: readonly ProteinRecord[],
  embedder: Embedder,
  store: EmbeddingCacheStore,
  hash: JsonHasher,
  options: EnsureEmbeddingsOptions,
): Promise<CachedEmbeddings> {
  const key = embeddingCacheKey(hash, options.dataFingerprint, embedder);
  if (options.force !== true) {
    const cached = await store.read(key, options.signal);
    const ordered = cached === undefined ? undefined : inRecordOrder(records, cached);
    if (ordered !== undefined) {
      return { key, ids: records.map((r) => r.id), vectors: ordered, fromCache: true };
    }
  }
  const vectors: Float32Array[] = [];
  async function* source(): AsyncGenerator<ProteinRecord> {
    yield* records;
    await Promise.resolve();
  }
  await embedProteins(
    source(),
    embedder,
    { add: (_id, v) => void vectors.push(v) },
    {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
  const ids = records.map((r) => r.id);
  await store.write(key, { ids, vectors }, options.signal);
  return { key, ids, vectors, fromCache: false };
}

/** The cached vectors reordered to the records, or undefined if the cache does not hold exactly them. */
function inRecordOrder(
  records: readonly ProteinRecord[],
  cached: EmbeddedSet,
): Float32Array[] | undefined {
  if (cached.ids.length !== records.length) {
    return undefined;
  }
  const byId = new Map<string, Float32Array>();
  cached.ids.forEach((id, i) => byId.set(id, cached.vectors[i] as Float32Array));
  const out: Float32Array[] = [];
  for (const r of records) {
    const v = byId.get(r.id);
    if (v === undefined) {
      return undefined;
    }
    out.push(v);
  }
  return out;
}
