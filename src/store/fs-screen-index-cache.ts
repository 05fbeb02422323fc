// A model's ungapped-screen index cached as one binary file: <cache>/screen-index/<key>.bin.
// Building it sorts every reference seed of four shapes (~0.4 s for the default model, on every
// load); reading it back is a file read. docs/prediction.md.
import type { ScreenTables } from '../core/sequence/ungapped-screen.ts';
import { FsInt32ArraysCache } from './fs-int32-arrays-cache.ts';

export class FsScreenIndexCache {
  private readonly files: FsInt32ArraysCache;

  constructor(cacheDir: string) {
    // Searched at random by every query seed: huge pages spare most TLB misses.
    this.files = new FsInt32ArraysCache(cacheDir, 'screen-index', 'ARGSCRN3', 5, {
      hugePages: true,
    });
  }

  /**
   * The cached index, or undefined when missing or damaged (the screen checks the entries against
   * the references where it reads them).
   */
  async read(key: string): Promise<ScreenTables | undefined> {
    const [shapeOffsets, codes, positions, directory, presence] =
      (await this.files.read(key)) ?? [];
    return shapeOffsets === undefined ||
      codes === undefined ||
      positions === undefined ||
      directory === undefined ||
      presence === undefined
      ? undefined
      : { shapeOffsets, codes, positions, directory, presence };
  }

  async write(key: string, tables: ScreenTables): Promise<void> {
    const { shapeOffsets, codes, positions, directory, presence } = tables;
    await this.files.write(key, [shapeOffsets, codes, positions, directory, presence]);
  }
}
