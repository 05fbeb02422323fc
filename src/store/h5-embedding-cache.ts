// The embedding cache as HDF5 files: <home>/cache/embeddings/<key>.h5, written atomically.
import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { readEmbeddings, writeEmbeddings } from '../io/h5wasm-embedding-store.ts';
import type { EmbeddedSet, EmbeddingCacheStore } from '../pipeline/embedding-cache.ts';

export class H5EmbeddingCache implements EmbeddingCacheStore {
  private readonly dir: string;

  /** `cacheDir` is config paths.cache (by default <home>/cache). */
  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'embeddings');
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.h5`);
  }

  async read(key: string, signal?: AbortSignal): Promise<EmbeddedSet | undefined> {
    const path = this.pathOf(key);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      return undefined;
    }
    try {
      return await readEmbeddings(path, { signal });
    } catch (e) {
      if (signal?.aborted === true) {
        throw e;
      }
      // A damaged cache entry is recomputed, not fatal.
      return undefined;
    }
  }

  async write(key: string, set: EmbeddedSet, signal?: AbortSignal): Promise<void> {
    const entries = set.ids.map((id, i) => ({ id, vector: set.vectors[i] as Float32Array }));
    await writeEmbeddings(this.pathOf(key), entries, { signal });
  }
}
