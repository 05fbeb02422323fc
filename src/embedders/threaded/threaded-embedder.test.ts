import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory, embedSequence } from '../../core/embed/builtin-embedder.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import { createThreadedEmbedder } from './threaded-embedder.ts';

const records: ProteinRecord[] = Array.from({ length: 100 }, (_, i) => ({
  id: `p${i}`,
  description: '',
  sequence: 'MSTAVKLLAGHHSDNKTGSRFAYW'.repeat(1 + (i % 7)).slice(i % 5),
}));

describe('createThreadedEmbedder', () => {
  it('returns the same vectors as the in-process embedder, in input order', async () => {
    const inner = await builtinEmbedderFactory.create({});
    const threaded = createThreadedEmbedder(inner, 'builtin', {}, 2);
    try {
      expect(threaded.id).toBe(inner.id);
      expect(threaded.dim).toBe(inner.dim);
      // 100 records: split over the workers; 12: one worker; 3: on this thread.
      const [big, medium, small] = await Promise.all([
        threaded.embed(records),
        threaded.embed(records.slice(0, 12)),
        threaded.embed(records.slice(0, 3)),
      ]);
      expect(big).toHaveLength(records.length);
      big.forEach((v, i) => {
        expect(Array.from(v)).toEqual(Array.from(embedSequence(records[i]?.sequence ?? '')));
      });
      expect(small.map((v) => Array.from(v))).toEqual(big.slice(0, 3).map((v) => Array.from(v)));
      expect(medium.map((v) => Array.from(v))).toEqual(big.slice(0, 12).map((v) => Array.from(v)));
    } finally {
      await threaded.close();
    }
  });

  it('rejects after close and honours an aborted signal', async () => {
    const threaded = createThreadedEmbedder(
      await builtinEmbedderFactory.create({}),
      'builtin',
      {},
      2,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(threaded.embed(records, { signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await threaded.close();
    await expect(threaded.embed(records)).rejects.toThrow(/after close/);
  });

  it('reports a worker that cannot build its embedder', async () => {
    const threaded = createThreadedEmbedder(
      await builtinEmbedderFactory.create({}),
      'no-such-embedder',
      {},
      2,
    );
    try {
      await expect(threaded.embed(records)).rejects.toThrow(/not a pure embedder/);
    } finally {
      await threaded.close();
    }
  });
});
