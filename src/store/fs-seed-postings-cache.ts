// A model's seed-index postings cached as one binary file: <cache>/seed-postings/<key>.bin.
// Building them is a counting sort of every reference seed (about a tenth of a second for the
// default model, on every load); reading them back is a file read. docs/prediction.md.
import type { SeedPostings } from '../core/sequence/seed-index.ts';
import { FsInt32ArraysCache } from './fs-int32-arrays-cache.ts';

export class FsSeedPostingsCache {
  private readonly files: FsInt32ArraysCache;

  constructor(cacheDir: string) {
    this.files = new FsInt32ArraysCache(cacheDir, 'seed-postings', 'ARGSEED1', 3);
  }

  /**
   * The cached postings, or undefined when missing or damaged (the seed index checks their sizes
   * against the model's references before it uses them).
   */
  async read(key: string): Promise<SeedPostings | undefined> {
    const arrays = await this.files.read(key);
    const [offsets, refs, positions] = arrays ?? [];
    return offsets === undefined || refs === undefined || positions === undefined
      ? undefined
      : { offsets, refs, positions };
  }

  /** Stores the postings; a cache that cannot be written (read-only disk) is not an error. */
  async write(key: string, postings: SeedPostings): Promise<void> {
    await this.files.write(key, [postings.offsets, postings.refs, postings.positions]);
  }
}
