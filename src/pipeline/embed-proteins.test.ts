import { describe, expect, it } from 'vitest';

import type { Embedder } from '../core/embed/embedder.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { embedProteins } from './embed-proteins.ts';

/** A fake embedder: vector = [length, first char code]; resolves out of order to test ordering. */
function lengthEmbedder(delays: number[] = []): Embedder & { calls: number[] } {
  const calls: number[] = [];
  return {
    id: 'length-v1',
    dim: 2,
    fingerprint: {},
    calls,
    async embed(records) {
      calls.push(records.length);
      const delay = delays[calls.length - 1] ?? 0;
      await new Promise((r) => setTimeout(r, delay));
      return records.map((r) => new Float32Array([r.sequence.length, r.sequence.charCodeAt(0)]));
    },
    close: () => Promise.resolve(),
  };
}

async function* from(records: ProteinRecord[]): AsyncGenerator<ProteinRecord> {
  for (const r of records) {
    await Promise.resolve();
    yield r;
  }
}

const proteins: ProteinRecord[] = Array.from({ length: 10 }, (_, i) => ({
  id: `p${i}`,
  description: '',
  sequence: 'M'.repeat(i + 1),
}));

describe('embedProteins', () => {
  it('writes every vector in input order even when batches finish out of order', async () => {
    const out: [string, number][] = [];
    const embedder = lengthEmbedder([30, 0, 10, 0]);
    const progress: number[] = [];
    const summary = await embedProteins(
      from(proteins),
      embedder,
      { add: (id, v) => void out.push([id, v[0] ?? -1]) },
      { batchSize: 3, maxInFlight: 3, onProgress: (p) => progress.push(p.proteins) },
    );
    expect(out.map(([id]) => id)).toEqual(proteins.map((p) => p.id));
    expect(out.map(([, len]) => len)).toEqual(proteins.map((p) => p.sequence.length));
    expect(embedder.calls).toEqual([3, 3, 3, 1]);
    expect(progress).toEqual([3, 6, 9, 10]);
    expect(summary).toEqual({ proteins: 10, residues: 55, embedderId: 'length-v1', dim: 2 });
  });

  it('closes a batch early when it reaches the residue budget', async () => {
    const embedder = lengthEmbedder();
    await embedProteins(
      from(proteins),
      embedder,
      { add: () => undefined },
      {
        batchSize: 100,
        maxBatchResidues: 10,
      },
    );
    // 1+2+3+4 = 10 → first batch of 4; 5+6 → 11; 7+8; 9+10
    expect(embedder.calls).toEqual([4, 2, 2, 2]);
  });

  it('stops with a CANCELLED error when the signal aborts', async () => {
    const controller = new AbortController();
    const embedder = lengthEmbedder();
    let added = 0;
    const run = embedProteins(
      from(proteins),
      embedder,
      {
        add: () => {
          added++;
          if (added === 2) {
            controller.abort();
          }
        },
      },
      { batchSize: 2, maxInFlight: 1, signal: controller.signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(added).toBeLessThan(proteins.length);
  });

  it('rejects an embedder that returns vectors of the wrong size', async () => {
    const bad: Embedder = {
      ...lengthEmbedder(),
      dim: 3,
    };
    await expect(embedProteins(from(proteins), bad, { add: () => undefined })).rejects.toThrow(
      /returned 2 values for 'p0', expected 3/,
    );
  });
});
