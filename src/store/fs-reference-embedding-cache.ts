// A model's reference embeddings cached as raw float32 files: <cache>/reference-embeddings/<key>.f32.
// Loading a model embeds its training references; with the cache that happens once per model and
// embedder instead of on every load (every CLI run, every server thread). docs/prediction.md.
import { join } from 'node:path';

import { writeFileAtomic } from './fs-run-tracker.ts';
import { readWholeFile } from './read-whole-file.ts';

const KEY = /^[A-Za-z0-9._-]{1,200}$/;

/** A plain loop: several times faster than `every` over millions of values. */
function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v - v !== 0) {
      return false; // NaN or ±Infinity
    }
  }
  return true;
}

export class FsReferenceEmbeddingCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'reference-embeddings');
  }

  /** The cached n×dim embeddings, or undefined when missing, damaged or of another size. */
  async read(key: string, n: number, dim: number): Promise<Float32Array | undefined> {
    if (!KEY.test(key)) {
      return undefined;
    }
    try {
      const bytes = await readWholeFile(join(this.dir, `${key}.f32`));
      if (bytes.byteLength !== n * dim * 4) {
        return undefined;
      }
      const out = new Float32Array(bytes.buffer, bytes.byteOffset, n * dim);
      return allFinite(out) ? out : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores the embeddings; a cache that cannot be written (read-only disk) is not an error. */
  async write(key: string, embeddings: Float32Array): Promise<void> {
    if (!KEY.test(key)) {
      return;
    }
    try {
      await writeFileAtomic(
        join(this.dir, `${key}.f32`),
        new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength),
      );
    } catch {
      // Only a cache: the next load embeds again.
    }
  }
}
