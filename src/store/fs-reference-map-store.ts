// Reference maps on disk: <models>/maps/<version>-<key prefix>.armap, written atomically, stale ones removed.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { throwIfAborted } from '../core/errors.ts';
import {
  decodeReferenceMap,
  encodeReferenceMap,
  type ReferenceMapState,
} from '../core/map/reference-map-codec.ts';
import type { ReferenceMapStore } from '../pipeline/reference-map.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

const EXTENSION = '.armap';

/** Registry versions are 'v<digits>'; anything else is made file-name safe. */
function safeName(version: string): string {
  return version.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class FsReferenceMapStore implements ReferenceMapStore {
  /** `<modelsDir>/maps`. */
  readonly dir: string;

  /** `modelsDir` is the model registry folder (config paths.models). */
  constructor(modelsDir: string) {
    this.dir = join(modelsDir, 'maps');
  }

  /** The file that holds (or would hold) the map of `modelVersion` for `key`. */
  pathOf(modelVersion: string, key: string): string {
    return join(this.dir, `${safeName(modelVersion)}-${key.slice(0, 16)}${EXTENSION}`);
  }

  async read(
    modelVersion: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<ReferenceMapState | undefined> {
    throwIfAborted(signal, 'Reading the reference map');
    const path = this.pathOf(modelVersion, key);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path, { signal });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw e;
    }
    try {
      const state = decodeReferenceMap(bytes, path);
      // A prefix collision or a file from another format: refit rather than show a wrong map.
      return state.key === key ? state : undefined;
    } catch {
      return undefined;
    }
  }

  async write(state: ReferenceMapState, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal, 'Writing the reference map');
    const path = this.pathOf(state.modelVersion, state.key);
    await writeFileAtomic(path, encodeReferenceMap(state));
    // Maps of the same model version under other keys (older params or format) are stale.
    const prefix = `${safeName(state.modelVersion)}-`;
    const keep = path.slice(this.dir.length + 1);
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(prefix) && name.endsWith(EXTENSION) && name !== keep) {
        await rm(join(this.dir, name), { force: true });
      }
    }
  }
}
