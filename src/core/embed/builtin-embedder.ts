// The default, weights-free embedder 'builtin-v1': k-mer, motif and length blocks, pure and deterministic.
import { ArginatorError, throwIfAborted } from '../errors.ts';
import type { Embedder, EmbedderFactory, EmbedderOptions, EmbedOptions } from './embedder.ts';
import { createFeaturizer, type BlockSpec } from './feature-layout.ts';
import { FIB_HASH } from './kmer-features.ts';
import { ALPHABET_GROUPS } from './residue-alphabets.ts';

export const BUILTIN_ID = 'builtin-v1';

/** The layout of builtin-v1 (chosen by bench/probe-embedders.ts; see docs/adr/0002-builtin-embedder.md). */
export const BUILTIN_BLOCKS: readonly BlockSpec[] = [
  { kind: 'kmer', alphabet: 'aa20', offsets: [0], bins: 20, weight: 1 },
  { kind: 'kmer', alphabet: 'aa20', offsets: [0, 1], bins: 400, weight: 1 },
  { kind: 'kmer', alphabet: 'murphy10', offsets: [0, 1, 2, 3], bins: 512, weight: 1 },
  { kind: 'motif', weight: 1 },
  { kind: 'length', weight: 1 },
];

const featurizer = createFeaturizer(BUILTIN_BLOCKS);

/** Length of every builtin-v1 vector. */
export const BUILTIN_DIM = featurizer.dim;

/** Everything that determines builtin-v1's output. */
export const BUILTIN_FINGERPRINT: Readonly<Record<string, unknown>> = Object.freeze({
  id: BUILTIN_ID,
  dim: BUILTIN_DIM,
  blocks: BUILTIN_BLOCKS,
  alphabets: ALPHABET_GROUPS,
  hash: `fibonacci imul 0x${FIB_HASH.toString(16)}, top log2(bins) bits`,
  normalisation:
    'per block sqrt(count) then L2 to weight/sqrt(sum weight^2); motif sub-blocks sqrt+L2 first',
  unknownResidues: 'k-mers and motifs containing a non-standard residue are skipped',
});

/**
 * Synchronous builtin-v1 embedding of one sequence (upper- or lower-case residues; anything else is
 * unknown). Writes into `out` when given (length BUILTIN_DIM). Never NaN; unit L2 norm unless blocks are empty.
 */
export function embedSequence(seq: string, out?: Float32Array): Float32Array {
  return featurizer.embed(seq, out);
}

/**
 * A batch implementation of builtin-v1 outside TypeScript (the native addon, src/kernels): n sequences
 * in, one row-major n × BUILTIN_DIM matrix out, bit-identical to embedSequence row by row (tests
 * compare the bits), so the embedder keeps its id and fingerprint whichever implementation runs.
 */
export interface BuiltinBatchKernel {
  readonly name: string;
  embedBatch(sequences: readonly string[]): Promise<Float32Array>;
}

/** Records per kernel call: between calls the abort signal is checked. */
const KERNEL_CHUNK = 4096;

class BuiltinEmbedder implements Embedder {
  readonly id = BUILTIN_ID;
  readonly dim = BUILTIN_DIM;
  readonly fingerprint = BUILTIN_FINGERPRINT;

  private readonly kernel: BuiltinBatchKernel | undefined;

  constructor(kernel: BuiltinBatchKernel | undefined) {
    this.kernel = kernel;
  }

  embed(
    records: readonly { readonly sequence: string }[],
    options?: EmbedOptions,
  ): Promise<Float32Array[]> {
    if (this.kernel !== undefined) {
      return this.embedWithKernel(this.kernel, records, options);
    }
    try {
      const out: Float32Array[] = [];
      for (let i = 0; i < records.length; i++) {
        if (i % 1024 === 0) {
          throwIfAborted(options?.signal, 'Embedding');
        }
        out.push(embedSequence(records[i]?.sequence ?? ''));
      }
      return Promise.resolve(out);
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async embedWithKernel(
    kernel: BuiltinBatchKernel,
    records: readonly { readonly sequence: string }[],
    options?: EmbedOptions,
  ): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let from = 0; from < records.length; from += KERNEL_CHUNK) {
      throwIfAborted(options?.signal, 'Embedding');
      const chunk = records.slice(from, from + KERNEL_CHUNK).map((r) => r.sequence);
      const flat = await kernel.embedBatch(chunk);
      if (flat.length !== chunk.length * BUILTIN_DIM) {
        throw new ArginatorError(
          'INTERNAL',
          'embedder.builtin.kernel',
          `builtin-v1 kernel '${kernel.name}' returned ${flat.length} values for ${chunk.length} sequences, expected ${chunk.length * BUILTIN_DIM}`,
          'rebuild the native addon (`npm rebuild`) or remove build/Release to use the TypeScript embedder',
        );
      }
      for (let i = 0; i < chunk.length; i++) {
        out.push(flat.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM));
      }
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The 'builtin' factory; with `kernel`, batches run on it instead of the TypeScript featurizer
 * (same vectors, same id and fingerprint). It takes no options.
 */
export function createBuiltinEmbedderFactory(kernel?: BuiltinBatchKernel): EmbedderFactory {
  const runsOn = kernel === undefined ? 'pure TypeScript' : `batches on ${kernel.name}`;
  return {
    name: 'builtin',
    description: `${BUILTIN_ID}: weights-free k-mer + catalytic-motif + length features, ${BUILTIN_DIM} dims, ${runsOn}`,
    create(options: EmbedderOptions): Promise<Embedder> {
      const unknown = Object.keys(options);
      if (unknown.length > 0) {
        return Promise.reject(
          new ArginatorError(
            'CONFIG',
            'embedder.builtin.options',
            `the builtin embedder takes no options, got: ${unknown.join(', ')}`,
            'remove the embedder options, or choose another embedder',
          ),
        );
      }
      return Promise.resolve(new BuiltinEmbedder(kernel));
    },
  };
}

/** The TypeScript-only factory registered under 'builtin' (and built by the embedder worker threads). */
export const builtinEmbedderFactory: EmbedderFactory = createBuiltinEmbedderFactory();
