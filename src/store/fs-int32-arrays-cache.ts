// A cache of a fixed number of int32 arrays per key, one binary file each: <cache>/<folder>/<key>.bin.
// The seed postings and the ungapped screen's index use it: building them costs tenths of a second
// on every model load, reading them back is one file read. docs/prediction.md.
import { join } from 'node:path';

import { writeFileAtomic } from './fs-run-tracker.ts';
import { readWholeFile, type ReadWholeFileOptions } from './read-whole-file.ts';

const KEY = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * A file is the 8-byte magic, the array lengths (uint32 little-endian), then the arrays (int32, the
 * machine's byte order: little-endian on every platform Node supports).
 */
export class FsInt32ArraysCache {
  private readonly dir: string;
  private readonly magic: string;
  private readonly count: number;
  private readonly readOptions: ReadWholeFileOptions;

  constructor(
    cacheDir: string,
    folder: string,
    magic: string,
    count: number,
    readOptions: ReadWholeFileOptions = {},
  ) {
    this.magic = magic;
    this.count = count;
    this.readOptions = readOptions;
    if (Buffer.byteLength(magic, 'latin1') !== 8) {
      throw new RangeError(`cache magic '${magic}' must be 8 bytes`);
    }
    this.dir = join(cacheDir, folder);
  }

  private get headerBytes(): number {
    return 8 + 4 * this.count;
  }

  /** The cached arrays (views of the file's memory), or undefined when missing or damaged. */
  async read(key: string): Promise<Int32Array[] | undefined> {
    if (!KEY.test(key)) {
      return undefined;
    }
    try {
      const bytes = await readWholeFile(join(this.dir, `${key}.bin`), this.readOptions);
      const header = this.headerBytes;
      if (
        bytes.byteLength < header ||
        Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== this.magic
      ) {
        return undefined;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const lengths = Array.from({ length: this.count }, (_, i) => view.getUint32(8 + 4 * i, true));
      const total = lengths.reduce((a, b) => a + b, 0);
      if (header + 4 * total !== bytes.byteLength) {
        return undefined;
      }
      // Views of the file's own memory (read at offset 0; the header is a multiple of 4 bytes).
      const all = new Int32Array(bytes.buffer, bytes.byteOffset + header, total);
      let at = 0;
      return lengths.map((n) => {
        const part = all.subarray(at, at + n);
        at += n;
        return part;
      });
    } catch {
      return undefined;
    }
  }

  /** Stores the arrays; a cache that cannot be written (read-only disk) is not an error. */
  async write(key: string, arrays: readonly Int32Array[]): Promise<void> {
    if (!KEY.test(key) || arrays.length !== this.count) {
      return;
    }
    const header = Buffer.alloc(this.headerBytes);
    header.write(this.magic, 0, 'latin1');
    arrays.forEach((a, i) => header.writeUInt32LE(a.length, 8 + 4 * i));
    // In chunks: no copy of the tens of MB.
    const chunks = [
      header,
      ...arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
    ];
    try {
      await writeFileAtomic(join(this.dir, `${key}.bin`), chunks);
    } catch {
      // Only a cache: the next load builds them again.
    }
  }
}
