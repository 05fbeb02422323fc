import { mkdir, mkdtemp, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Prediction } from '../core/model/predictor.ts';
import type { PredictedBatch } from '../pipeline/predict.ts';
import type { MapBatch } from './job-map-writer.ts';
import {
  createMapSpill,
  hasMapInput,
  readMapInput,
  readMapSpill,
  removeMapInput,
} from './job-map-spill.ts';

const DIM = 5;

function batch(start: number, n: number): PredictedBatch {
  const embeddings = new Float32Array(n * DIM);
  const proteins = Array.from({ length: n }, (_, k) => {
    const i = start + k;
    for (let d = 0; d < DIM; d++) {
      embeddings[k * DIM + d] = i + d / 10;
    }
    return {
      id: `p${i}`,
      prediction: { label: i % 2 === 0 ? 'A' : 'NBL', novelty: 'known' } as Prediction,
    };
  });
  return { proteins, embeddings };
}

async function readAll(path: string): Promise<MapBatch[]> {
  const out: MapBatch[] = [];
  for await (const b of readMapSpill(path)) {
    out.push(b);
  }
  return out;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('map spill', () => {
  it('gives back the batches it was given, in order, with their labels and embeddings', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'map-spill-')), 'map-input.bin');
    const spill = createMapSpill(path);
    const given = [batch(0, 3), batch(3, 1), batch(4, 2)];
    for (const b of given) {
      await spill.add(b);
    }
    expect(await exists(path)).toBe(false); // only renamed into place once complete
    await spill.finish();
    const back = await readAll(path);
    expect(back.map((b) => b.proteins.map((p) => p.id))).toEqual(
      given.map((b) => b.proteins.map((p) => p.id)),
    );
    expect(back[0]?.proteins[1]?.prediction).toEqual({ label: 'NBL', novelty: 'known' });
    expect(back.map((b) => [...b.embeddings])).toEqual(given.map((b) => [...b.embeddings]));
  });

  it('refuses a truncated file, and leaves nothing behind when discarded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'map-spill-'));
    const path = join(dir, 'map-input.bin');
    const spill = createMapSpill(path);
    await spill.add(batch(0, 4));
    await spill.finish();
    const size = (await readFile(path)).length;
    await truncate(path, size - 3);
    await expect(readAll(path)).rejects.toThrow(/truncated/);

    const other = join(dir, 'other.bin');
    const dropped = createMapSpill(other);
    await dropped.add(batch(0, 2));
    await dropped.discard();
    expect(await exists(`${other}.tmp`)).toBe(false);
    expect(await exists(other)).toBe(false);

    await writeFile(other, '');
    expect(await readAll(other)).toEqual([]);
  });

  it('reads a folder of parts in index order (10 after 9), and removes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'map-spill-'));
    const from = { input: join(dir, 'map-input.bin'), parts: join(dir, 'map-input.parts') };
    expect(await hasMapInput(from)).toBe(false);
    await mkdir(from.parts);
    const given = Array.from({ length: 11 }, (_, k) => batch(k * 2, 2));
    for (const [k, b] of given.entries()) {
      const part = join(dir, `${k}.bin`);
      const spill = createMapSpill(part);
      await spill.add(b);
      await spill.finish();
      await rename(part, join(from.parts, `${k}.bin`));
    }
    expect(await hasMapInput(from)).toBe(true);
    const back: MapBatch[] = [];
    for await (const b of readMapInput(from)) {
      back.push(b);
    }
    expect(back.flatMap((b) => b.proteins.map((p) => p.id))).toEqual(
      given.flatMap((b) => b.proteins.map((p) => p.id)),
    );
    await removeMapInput(from);
    expect(await exists(from.parts)).toBe(false);
    expect(await hasMapInput(from)).toBe(false);
  });
});
