import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FsReferenceEmbeddingCache } from './fs-reference-embedding-cache.ts';

describe('FsReferenceEmbeddingCache', () => {
  it('reads back what it wrote, and nothing for another size, a damaged file or a bad key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arginator-refcache-'));
    const cache = new FsReferenceEmbeddingCache(dir);
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);
    expect(await cache.read('m1-builtin-v1', 3, 4)).toBeUndefined();
    await cache.write('m1-builtin-v1', data.subarray(0, 12));
    expect(Array.from((await cache.read('m1-builtin-v1', 3, 4)) ?? [])).toEqual(Array.from(data));
    // Another shape than the model's references: recomputed, not misread.
    expect(await cache.read('m1-builtin-v1', 4, 4)).toBeUndefined();
    // A file with a NaN (damaged) is not used.
    const bad = new Float32Array(12).fill(Number.NaN);
    writeFileSync(join(dir, 'reference-embeddings', 'm2.f32'), new Uint8Array(bad.buffer));
    expect(await cache.read('m2', 3, 4)).toBeUndefined();
    // A flipped bit in a written file (a finite value still) is caught by the CRC.
    const file = join(dir, 'reference-embeddings', 'm1-builtin-v1.f32');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    expect(await cache.read('m1-builtin-v1', 3, 4)).toBeUndefined();
    // Non-finite embeddings are not stored.
    await cache.write('m3', bad);
    expect(await cache.read('m3', 3, 4)).toBeUndefined();
    // Keys never become paths outside the cache.
    await cache.write('../escape', data);
    expect(await cache.read('../escape', 3, 4)).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['reference-embeddings']);
  });

  it('does not fail when the cache cannot be written', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arginator-refcache-')), 'not-a-dir');
    writeFileSync(file, 'x');
    const cache = new FsReferenceEmbeddingCache(file);
    await expect(cache.write('k', new Float32Array(2))).resolves.toBeUndefined();
    expect(await cache.read('k', 1, 2)).toBeUndefined();
  });
});
