// The 'precomputed' embedder: looks proteins up by id in an HDF5 file made by another tool (ProtT5, ESM, bio_embeddings).
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { z } from 'zod';
import { ArginatorError, inputError, throwIfAborted } from '../core/errors.ts';
import type {
  Embedder,
  EmbedderFactory,
  EmbedderOptions,
  EmbedOptions,
} from '../core/embed/embedder.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { readEmbeddings } from './h5wasm-embedding-store.ts';

/** How many missing ids an error message lists before summarising the rest. */
const MISSING_SHOWN = 5;

const optionsSchema = z.strictObject({
  path: z.string().min(1),
});

/** `{ dim }` alone: the embedder of a model trained on a folder of HDF5 class files (no file to look ids up in). */
const vectorsOnlySchema = z.strictObject({
  dim: z.int().gte(1),
});

export type PrecomputedEmbedderOptions = z.infer<typeof optionsSchema>;

export const precomputedEmbedderFactory: EmbedderFactory = {
  name: 'precomputed',
  description: 'vectors looked up by protein id in an HDF5 file (one 1-D float dataset per id)',
  create: async (options: EmbedderOptions): Promise<Embedder> => {
    const vectorsOnly = vectorsOnlySchema.safeParse(options);
    return vectorsOnly.success
      ? createVectorsOnlyEmbedder(vectorsOnly.data.dim)
      : createPrecomputedEmbedder(parseOptions(options));
  },
};

/** The id of the vectors-only precomputed embedder of a given dimension. */
export const vectorsOnlyEmbedderId = (dim: number): string => `precomputed:vectors-${dim}d`;

/**
 * The embedder of an embedding-only model (trained on precomputed vectors, e.g. 1024-d ProtT5 from
 * a folder of HDF5 class files): it knows the dimension but has no way to turn a sequence into a
 * vector, so embed() refuses with the fix. Such a model classifies HDF5 embedding files only.
 */
export function createVectorsOnlyEmbedder(dim: number): Embedder {
  return {
    id: vectorsOnlyEmbedderId(dim),
    dim,
    fingerprint: { kind: 'precomputed', format: 'vectors', dim },
    embed: (): Promise<Float32Array[]> =>
      Promise.reject(
        new ArginatorError(
          'USAGE',
          'model.embedding-only',
          `this model was trained on precomputed ${dim}-d embeddings (an HDF5 folder, no sequences), so it cannot embed protein sequences`,
          `embed the proteins with the tool that made the training vectors (e.g. ProtT5, ${dim} values per protein) into an HDF5 file with one dataset per protein id, then run 'arginator predict FILE.h5'; or pass --model with a model trained on FASTA`,
        ),
      ),
    close: (): Promise<void> => Promise.resolve(),
  };
}

/**
 * Loads the whole file once. The fingerprint is a SHA-256 over (id, vector bytes) in id order
 * plus the dim, so it changes exactly when the file's content does: moving, renaming or
 * re-writing the same vectors keeps embedding caches valid, re-embedding invalidates them.
 */
export async function createPrecomputedEmbedder(
  options: PrecomputedEmbedderOptions,
  embedOptions: EmbedOptions = {},
): Promise<Embedder> {
  const { path } = options;
  const set = await readEmbeddings(path, { signal: embedOptions.signal });
  const byId = new Map<string, Float32Array>();
  set.ids.forEach((id, i) => byId.set(id, set.vectors[i] as Float32Array));
  const byFirstWord = firstWordIndex(byId);
  const fingerprint = {
    kind: 'precomputed',
    format: 'hdf5',
    dim: set.dim,
    count: set.ids.length,
    sha256: contentHash(byId, set.dim),
  };
  // Dropped by close() so the vectors can be garbage-collected.
  let tables:
    { byId: Map<string, Float32Array>; byFirstWord: Map<string, Float32Array> } | undefined = {
    byId,
    byFirstWord,
  };

  const lookup = (
    records: readonly ProteinRecord[],
    signal: AbortSignal | undefined,
  ): Float32Array[] => {
    throwIfAborted(signal, 'Embedding');
    const current = tables;
    if (current === undefined) {
      throw new ArginatorError(
        'INTERNAL',
        'embedder.closed',
        `the precomputed embedder for ${path} is closed`,
        'create a new embedder',
      );
    }
    const found: Float32Array[] = [];
    const missing: string[] = [];
    for (const record of records) {
      const vector = current.byId.get(record.id) ?? current.byFirstWord.get(record.id);
      if (vector === undefined) {
        missing.push(record.id);
      } else {
        // A copy: callers may normalise in place, which must not alter the next lookup.
        found.push(vector.slice());
      }
    }
    if (missing.length > 0) {
      throw missingIdsError(path, missing, records.length);
    }
    return found;
  };

  return {
    id: `precomputed:${basename(path)}`,
    dim: set.dim,
    fingerprint,
    // A promise executor turns any throw into a rejection, as callers of an async API expect.
    embed: (records: readonly ProteinRecord[], opts: EmbedOptions = {}): Promise<Float32Array[]> =>
      new Promise((resolve) => {
        resolve(lookup(records, opts.signal));
      }),
    close: (): Promise<void> => {
      tables = undefined;
      return Promise.resolve();
    },
  };
}

function parseOptions(options: EmbedderOptions): PrecomputedEmbedderOptions {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) {
    return parsed.data;
  }
  const unknown = Object.keys(options).filter((k) => k !== 'path');
  const problem =
    unknown.length > 0
      ? `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`
      : typeof options['path'] === 'string' || options['path'] === undefined
        ? 'no HDF5 file given'
        : `'path' must be a string, got ${typeof options['path']}`;
  return usage(problem);
}

function usage(problem: string): never {
  throw new ArginatorError(
    'USAGE',
    'embedder.precomputed.options',
    `the precomputed embedder needs the path of an HDF5 embedding file: ${problem}`,
    'pass it with --embedder precomputed --embedder-path FILE.h5 (or embedder.path=FILE.h5 in the config)',
  );
}

/**
 * Tools such as the ProtT5 example scripts key datasets by the whole FASTA header, while our
 * records carry only its first word; an unambiguous first word is therefore accepted too.
 */
function firstWordIndex(byId: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const index = new Map<string, Float32Array>();
  const ambiguous = new Set<string>();
  for (const [id, vector] of byId) {
    const word = id.trim().split(/\s+/, 1)[0] ?? '';
    if (word === id || word === '' || byId.has(word)) {
      continue;
    }
    if (index.has(word)) {
      ambiguous.add(word);
    }
    index.set(word, vector);
  }
  for (const word of ambiguous) {
    index.delete(word);
  }
  return index;
}

function contentHash(byId: ReadonlyMap<string, Float32Array>, dim: number): string {
  const hash = createHash('sha256');
  hash.update(`dim=${dim}\n`);
  for (const id of [...byId.keys()].sort()) {
    const vector = byId.get(id) as Float32Array;
    hash.update(`${id}\n`);
    hash.update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  }
  return hash.digest('hex');
}

function missingIdsError(path: string, missing: readonly string[], total: number): ArginatorError {
  const shown = missing
    .slice(0, MISSING_SHOWN)
    .map((id) => `'${id}'`)
    .join(', ');
  const more = missing.length > MISSING_SHOWN ? ` and ${missing.length - MISSING_SHOWN} more` : '';
  return inputError(
    'precomputed.missing-id',
    `${missing.length} of ${total} proteins have no embedding in this file: ${shown}${more}`,
    'embed these proteins with the same tool, or use --embedder builtin',
    { source: path },
  );
}
