// Tests of the 'precomputed' embedder on real HDF5 files.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbedderRegistry } from '../core/embed/embedder-registry.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { writeEmbeddings } from './h5wasm-embedding-store.ts';
import { precomputedEmbedderFactory } from './precomputed-embedder.ts';
import { caught } from './test-support/caught.ts';
import { useTempDir } from './test-support/temp-dir.ts';

const dir = useTempDir('arginator-precomputed-');

function record(id: string): ProteinRecord {
  return { id, description: '', sequence: 'MKV' };
}

function vector(...values: number[]): Float32Array {
  return Float32Array.from(values);
}

async function fileWith(name: string, entries: [string, Float32Array][]): Promise<string> {
  const path = join(dir(), name);
  await writeEmbeddings(
    path,
    entries.map(([id, v]) => ({ id, vector: v })),
  );
  return path;
}

describe('precomputed embedder', () => {
  it('returns each record’s vector by id, in input order', async () => {
    const path = await fileWith('emb.h5', [
      ['p1', vector(1, 2, 3)],
      ['sp|P2|X', vector(4, 5, 6)],
      ['a/b', vector(7, 8, 9)],
    ]);
    const registry = new EmbedderRegistry().register(precomputedEmbedderFactory);
    const embedder = await registry.create('precomputed', { path });
    expect(embedder.id).toBe('precomputed:emb.h5');
    expect(embedder.dim).toBe(3);
    const out = await embedder.embed([record('a/b'), record('p1'), record('sp|P2|X')]);
    expect(out.map((v) => Array.from(v))).toEqual([
      [7, 8, 9],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // Callers may change returned vectors without changing later lookups.
    (out[0] as Float32Array)[0] = 100;
    expect(Array.from((await embedder.embed([record('a/b')]))[0] ?? [])).toEqual([7, 8, 9]);
    await embedder.close();
    await embedder.close();
  });

  it('names missing ids (first few and a count) and the file, with the fix', async () => {
    const path = await fileWith('emb.h5', [['p1', vector(1, 2)]]);
    const embedder = await precomputedEmbedderFactory.create({ path });
    const ids = ['p1', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
    const e = await caught(embedder.embed(ids.map(record)));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.reason).toBe('precomputed.missing-id');
    expect(e.oneLine()).toContain(path);
    expect(e.message).toBe(
      "7 of 8 proteins have no embedding in this file: 'm1', 'm2', 'm3', 'm4', 'm5' and 2 more",
    );
    expect(e.hint).toBe('embed these proteins with the same tool, or use --embedder builtin');
  });

  it('matches a FASTA id to a file id that holds the whole header, when unambiguous', async () => {
    const path = await fileWith('prott5.h5', [
      ['P1 class A beta-lactamase', vector(1, 1)],
      ['P2 first', vector(2, 2)],
      ['P2 second', vector(3, 3)],
    ]);
    const embedder = await precomputedEmbedderFactory.create({ path });
    expect(Array.from((await embedder.embed([record('P1')]))[0] ?? [])).toEqual([1, 1]);
    expect((await caught(embedder.embed([record('P2')]))).reason).toBe('precomputed.missing-id');
  });

  it('fingerprints content: same vectors → same fingerprint, anywhere; changed vectors → different', async () => {
    const a = await fileWith('a.h5', [
      ['p1', vector(1, 2)],
      ['p2', vector(3, 4)],
    ]);
    const b = await fileWith('b.h5', [
      ['p2', vector(3, 4)],
      ['p1', vector(1, 2)],
    ]);
    const c = await fileWith('c.h5', [
      ['p1', vector(1, 2)],
      ['p2', vector(3, 5)],
    ]);
    const [fa, fb, fc] = await Promise.all(
      [a, b, c].map(
        async (path) => (await precomputedEmbedderFactory.create({ path })).fingerprint,
      ),
    );
    expect(fa).toEqual(fb);
    expect(fa).not.toEqual(fc);
    expect(fa).toMatchObject({ kind: 'precomputed', format: 'hdf5', dim: 2, count: 2 });
  });

  it('rejects bad options as usage errors that say the fix', async () => {
    for (const options of [{}, { path: '' }, { path: 3 }, { path: 'x.h5', file: 'y.h5' }]) {
      const e = await caught(precomputedEmbedderFactory.create(options));
      expect(e.code).toBe('USAGE');
      expect(e.hint).toContain('--embedder-path');
    }
    expect((await caught(precomputedEmbedderFactory.create({ path: 3 }))).message).toContain(
      "'path' must be a string",
    );
    expect(
      (await caught(precomputedEmbedderFactory.create({ path: 'x', file: 'y' }))).message,
    ).toContain("unknown option 'file'");
  });

  it('passes file errors through (missing file → hdf5.not-found)', async () => {
    const e = await caught(precomputedEmbedderFactory.create({ path: join(dir(), 'missing.h5') }));
    expect(e.reason).toBe('hdf5.not-found');
  });

  it('is cancellable and refuses to embed after close()', async () => {
    const path = await fileWith('emb.h5', [['p1', vector(1)]]);
    const embedder = await precomputedEmbedderFactory.create({ path });
    expect(
      (await caught(embedder.embed([record('p1')], { signal: AbortSignal.abort() }))).code,
    ).toBe('CANCELLED');
    await embedder.close();
    expect((await caught(embedder.embed([record('p1')]))).reason).toBe('embedder.closed');
  });
});
