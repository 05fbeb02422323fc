// Computed identity clusters cached as JSON: <cache>/clusters/<key>.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ClusterCache } from '../pipeline/train-split.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

export class FsClusterCache implements ClusterCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'clusters');
  }

  async read(key: string): Promise<Int32Array | undefined> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as unknown;
      return Array.isArray(parsed) && parsed.every((x) => Number.isInteger(x))
        ? Int32Array.from(parsed as number[])
        : undefined;
    } catch {
      // Missing or damaged: recompute.
      return undefined;
    }
  }

  async write(key: string, clusterOf: Int32Array): Promise<void> {
    await writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(Array.from(clusterOf)));
  }
}
