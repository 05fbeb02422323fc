import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FsScreenIndexCache } from './fs-screen-index-cache.ts';
import { FsSeedPostingsCache } from './fs-seed-postings-cache.ts';

const POSTINGS = {
  offsets: Int32Array.of(0, 2, 2, 5),
  refs: Int32Array.of(0, 3, 1, 1, 2),
  positions: Int32Array.of(4, 0, 9, 17, 2),
};

describe('FsSeedPostingsCache', () => {
  it('reads back what it wrote, and nothing for a damaged file or a bad key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arginator-postings-'));
    const cache = new FsSeedPostingsCache(dir);
    expect(await cache.read('m1')).toBeUndefined();
    await cache.write('m1', POSTINGS);
    const back = await cache.read('m1');
    expect(back && [back.offsets, back.refs, back.positions].map((a) => Array.from(a))).toEqual(
      [POSTINGS.offsets, POSTINGS.refs, POSTINGS.positions].map((a) => Array.from(a)),
    );
    // Cut short, or not a postings file: not used.
    const file = join(dir, 'seed-postings', 'm1.bin');
    const bytes = readFileSync(file);
    writeFileSync(join(dir, 'seed-postings', 'm2.bin'), bytes.subarray(0, bytes.length - 4));
    expect(await cache.read('m2')).toBeUndefined();
    writeFileSync(join(dir, 'seed-postings', 'm3.bin'), Buffer.from('not postings at all, no'));
    expect(await cache.read('m3')).toBeUndefined();
    // Keys never become paths outside the cache.
    await cache.write('../escape', POSTINGS);
    expect(await cache.read('../escape')).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['seed-postings']);
  });

  it('does not fail when the cache cannot be written', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arginator-postings-')), 'not-a-dir');
    writeFileSync(file, 'x');
    const cache = new FsSeedPostingsCache(file);
    await expect(cache.write('k', POSTINGS)).resolves.toBeUndefined();
    expect(await cache.read('k')).toBeUndefined();
  });
});

describe('FsScreenIndexCache', () => {
  it('reads back the four arrays it wrote, and nothing for a file of another kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arginator-screen-'));
    const cache = new FsScreenIndexCache(dir);
    const index = {
      shapeOffsets: Int32Array.of(0, 2, 3),
      codes: Int32Array.of(5, 9, 4),
      positions: Int32Array.of(1, 7, 3),
      directory: Int32Array.of(0, 0, 2, 2, 3),
      presence: Int32Array.of(-1, 0, 6),
    };
    await cache.write('m1', index);
    const back = await cache.read('m1');
    const names = ['shapeOffsets', 'codes', 'positions', 'directory', 'presence'] as const;
    expect(names.map((k) => Array.from(back?.[k] ?? []))).toEqual(
      names.map((k) => Array.from(index[k])),
    );
    // Seed postings under the same key are another file kind: never read as a screen index.
    await new FsSeedPostingsCache(dir).write('m2', POSTINGS);
    writeFileSync(
      join(dir, 'screen-index', 'm2.bin'),
      readFileSync(join(dir, 'seed-postings', 'm2.bin')),
    );
    expect(await cache.read('m2')).toBeUndefined();
  });
});
