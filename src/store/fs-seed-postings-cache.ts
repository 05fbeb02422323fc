// A model's seed-index postings cached as one binary file: <cache>/seed-postings/<key>.bin.
// Building them is a counting sort of every reference seed (about a tenth of a second for the
// default model, on every load); reading them back is a file read. docs/prediction.md.
import { join } from 'node:path';

import type { SeedPostings } from '../core/sequence/seed-index.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';
import { readWholeFile } from './read-whole-file.ts';

const KEY = /^[A-Za-z0-9._-]{1,200}$/;
/**
 * 'ARGSEED1', then the three array lengths (uint32 little-endian), then the arrays (int32, the
 * machine's byte order: little-endian on every platform Node supports).
 */
const MAGIC = 'ARGSEED1';
const HEADER_BYTES = 8 + 3 * 4;

export class FsSeedPostingsCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'seed-postings');
  }

  /**
   * The cached postings, or undefined when missing or damaged (the seed index checks their sizes
   * against the model's references before it uses them).
   */
  async read(key: string): Promise<SeedPostings | undefined> {
    if (!KEY.test(key)) {
      return undefined;
    }
    try {
      const bytes = await readWholeFile(join(this.dir, `${key}.bin`));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (
        bytes.byteLength < HEADER_BYTES ||
        Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== MAGIC
      ) {
        return undefined;
      }
      const [nOffsets = 0, nRefs = 0, nPositions = 0] = [0, 1, 2].map((i) =>
        view.getUint32(8 + 4 * i, true),
      );
      if (HEADER_BYTES + 4 * (nOffsets + nRefs + nPositions) !== bytes.byteLength) {
        return undefined;
      }
      // Views of the file's own memory (read at offset 0; the header is a multiple of 4 bytes).
      const all = new Int32Array(
        bytes.buffer,
        bytes.byteOffset + HEADER_BYTES,
        nOffsets + nRefs + nPositions,
      );
      return {
        offsets: all.subarray(0, nOffsets),
        refs: all.subarray(nOffsets, nOffsets + nRefs),
        positions: all.subarray(nOffsets + nRefs),
      };
    } catch {
      return undefined;
    }
  }

  /** Stores the postings; a cache that cannot be written (read-only disk) is not an error. */
  async write(key: string, postings: SeedPostings): Promise<void> {
    if (!KEY.test(key)) {
      return;
    }
    const { offsets, refs, positions } = postings;
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    [offsets.length, refs.length, positions.length].forEach((n, i) =>
      header.writeUInt32LE(n, 8 + 4 * i),
    );
    // In chunks: no copy of the tens of MB.
    const chunks = [header, ...[offsets, refs, positions].map(asBytes)];
    try {
      await writeFileAtomic(join(this.dir, `${key}.bin`), chunks);
    } catch {
      // Only a cache: the next load builds them again.
    }
  }
}

function asBytes(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
