import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { Embedder } from '../core/embed/embedder.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { EmbeddedSet, EmbeddingCacheStore } from './embedding-cache.ts';
import { embeddingCacheKey, ensureEmbeddings } from './embedding-cache.ts';

class MemoryCache implements EmbeddingCacheStore {
  readonly entries = new Map<string, EmbeddedSet>();
  read(key: string): Promise<EmbeddedSet | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  write(key: string, set: EmbeddedSet): Promise<void> {
    this.entries.set(key, set);
    return Promise.resolve();
  }
}

function countingEmbedder(
  fingerprint: Record<string, unknown> = { v: 1 },
): Embedder & { calls: number } {
  const e = {
    id: 'len-v1',
    dim: 1,
    fingerprint,
    calls: 0,
    embed(records: readonly ProteinRecord[]) {
      e.calls++;
      return Promise.resolve(records.map((r) => new Float32Array([r.sequence.length])));
    },
    close: () => Promise.resolve(),
  };
  return e;
}

const hash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const records: ProteinRecord[] = [
  { id: 'a', description: '', sequence: 'MK' },
  { id: 'b', description: '', sequence: 'MKV' },
];

describe('ensureEmbeddings', () => {
  it('embeds once, then serves the cache in record order', async () => {
    const cache = new MemoryCache();
    const embedder = countingEmbedder();
    const first = await ensureEmbeddings(records, embedder, cache, hash, { dataFingerprint: 'd1' });
    expect(first.fromCache).toBe(false);
    const second = await ensureEmbeddings([...records].reverse(), embedder, cache, hash, {
      dataFingerprint: 'd1',
    });
    expect(second.fromCache).toBe(true);
    expect(second.ids).toEqual(['b', 'a']);
    expect(second.vectors.map((v) => v[0])).toEqual([3, 2]);
    expect(embedder.calls).toBe(1);
  });

  it('recomputes when the data, the embedder config or force changes', async () => {
    const cache = new MemoryCache();
    const embedder = countingEmbedder();
    await ensureEmbeddings(records, embedder, cache, hash, { dataFingerprint: 'd1' });
    await ensureEmbeddings(records, embedder, cache, hash, { dataFingerprint: 'd2' });
    await ensureEmbeddings(records, countingEmbedder({ v: 2 }), cache, hash, {
      dataFingerprint: 'd1',
    });
    const forced = await ensureEmbeddings(records, embedder, cache, hash, {
      dataFingerprint: 'd1',
      force: true,
    });
    expect(forced.fromCache).toBe(false);
    expect(embedder.calls).toBe(3);
    expect(cache.entries.size).toBe(3);
    expect(embeddingCacheKey(hash, 'd1', embedder)).not.toBe(
      embeddingCacheKey(hash, 'd2', embedder),
    );
  });
});
