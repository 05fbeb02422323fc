// A model's reference embeddings cached as float32 files with a CRC: <cache>/reference-embeddings/<key>.f32.
// Loading a model embeds its training references; with the cache that happens once per model and
// embedder instead of on every load (every CLI run, every server thread). docs/prediction.md.
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

import { writeFileAtomic } from './fs-run-tracker.ts';
import { readWholeFile } from './read-whole-file.ts';

const KEY = /^[A-Za-z0-9._-]{1,200}$/;
/**
 * 'ARGREF02', then the number of values and the CRC-32 of their bytes (uint32 little-endian), then
 * the float32 values (the machine's byte order: little-endian on every platform Node
 * supports). The CRC catches any damage (a NaN, a flipped bit) in one native pass over the bytes,
 * ~3x faster than a JS scan for non-finite values, which caught only some of it. Files of the
 * headerless format before it fail the magic check and are written again.
 */
const MAGIC = 'ARGREF02';
const HEADER_BYTES = 8 + 2 * 4;

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
      if (
        bytes.byteLength !== HEADER_BYTES + n * dim * 4 ||
        Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== MAGIC
      ) {
        return undefined;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
      const body = bytes.subarray(HEADER_BYTES);
      if (view.getUint32(8, true) !== n * dim || view.getUint32(12, true) !== crc32(body)) {
        return undefined;
      }
      // A view of the file's own memory (read at offset 0; the header is a multiple of 4 bytes).
      return new Float32Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, n * dim);
    } catch {
      return undefined;
    }
  }

  /**
   * Stores the embeddings; a cache that cannot be written (read-only disk) is not an error.
   * Non-finite values are not stored: the CRC would vouch for them on every read.
   */
  async write(key: string, embeddings: Float32Array): Promise<void> {
    if (!KEY.test(key) || !allFinite(embeddings)) {
      return;
    }
    const body = new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength);
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(embeddings.length, 8);
    header.writeUInt32LE(crc32(body), 12);
    try {
      // In chunks: no copy of the tens of MB.
      await writeFileAtomic(join(this.dir, `${key}.f32`), [header, body]);
    } catch {
      // Only a cache: the next load embeds again.
    }
  }
}

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
