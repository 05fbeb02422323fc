import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';
import type { PredictedBatch } from '../pipeline/predict.ts';
import type { ProjectingMap } from './job-map-writer.ts';
import { createJobMapWriter } from './job-map-writer.ts';

const DIM = 3;

/** A batch of `n` proteins from `start`; protein i's embedding is [i, 2i, 3i]. */
function batch(start: number, n: number): PredictedBatch {
  const embeddings = new Float32Array(n * DIM);
  const proteins = Array.from({ length: n }, (_, k) => {
    const i = start + k;
    embeddings.set([i, 2 * i, 3 * i], k * DIM);
    return {
      id: `p${i}`,
      prediction: { label: i % 2 === 0 ? 'A' : 'NBL', novelty: 'novel' } as Prediction,
    };
  });
  return { proteins, embeddings };
}

/** Places a protein at (first embedding value, method === 'transform' ? 1 : 0). */
const fakeMap: ProjectingMap = {
  modelVersion: 'v1',
  project: (ids, embeddings, options) =>
    ids.map((id, i) => ({
      id,
      x: embeddings[i * DIM] as number,
      y: options?.method === 'transform' ? 1 : 0,
    })),
};

async function paths(): Promise<{ path: string; unavailable: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'job-map-writer-'));
  return { path: join(dir, 'map.json'), unavailable: join(dir, 'map-unavailable.json') };
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('createJobMapWriter', () => {
  it('records nothing when the map is cancelled (a shutdown stopping the fit): the map stays owed', async () => {
    const files = await paths();
    const writer = createJobMapWriter({
      map: Promise.reject(new ArginatorError('CANCELLED', 'cancelled', 'the fit was stopped', '')),
      modelVersion: 'v1',
      proteins: 2,
      ...files,
      signal: new AbortController().signal,
    });
    await writer.add(batch(0, 2));
    await expect(writer.finish()).rejects.toThrow('the fit was stopped');
    expect(await exists(files.path)).toBe(false);
    expect(await exists(files.unavailable)).toBe(false);
  });

  it('writes the same map.json whether the map is ready at once or arrives after some batches', async () => {
    const bodies: string[] = [];
    for (const late of [false, true]) {
      const files = await paths();
      let resolveMap: (m: ProjectingMap) => void = () => undefined;
      const map = late
        ? new Promise<ProjectingMap>((resolve) => {
            resolveMap = resolve;
          })
        : Promise.resolve(fakeMap);
      const writer = createJobMapWriter({
        map,
        modelVersion: 'v1',
        proteins: 5,
        ...files,
        signal: new AbortController().signal,
      });
      await writer.add(batch(0, 2));
      await writer.add(batch(2, 2));
      resolveMap(fakeMap);
      await writer.add(batch(4, 1));
      await writer.finish();
      bodies.push(await readFile(files.path, 'utf8'));
      expect(await exists(files.unavailable)).toBe(false);
    }
    expect(bodies[1]).toBe(bodies[0]);
    const body = JSON.parse(bodies[0] ?? '') as {
      model_version: string;
      projection: string;
      queries: { id: string; predicted_label: string; x: number; y: number }[];
    };
    expect(body.model_version).toBe('v1');
    expect(body.projection).toBe('transform');
    expect(body.queries.map((q) => q.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(body.queries.map((q) => q.x)).toEqual([0, 1, 2, 3, 4]);
    expect(body.queries[1]?.predicted_label).toBe('NBL');
  });

  it('chooses the projection by the job size, not by the batch', async () => {
    const files = await paths();
    const writer = createJobMapWriter({
      map: Promise.resolve(fakeMap),
      modelVersion: 'v1',
      proteins: 20_000,
      ...files,
      signal: new AbortController().signal,
    });
    await writer.add(batch(0, 3));
    await writer.finish();
    const body = JSON.parse(await readFile(files.path, 'utf8')) as {
      projection: string;
      queries: { y: number }[];
    };
    expect(body.projection).toBe('interpolate');
    expect(body.queries.map((q) => q.y)).toEqual([0, 0, 0]);
  });

  it('waits for the map once the pending proteins reach the bound', async () => {
    const files = await paths();
    let resolveMap: (m: ProjectingMap) => void = () => undefined;
    const writer = createJobMapWriter({
      map: new Promise<ProjectingMap>((resolve) => {
        resolveMap = resolve;
      }),
      modelVersion: 'v1',
      proteins: 6,
      ...files,
      signal: new AbortController().signal,
      maxPending: 4,
    });
    await writer.add(batch(0, 2));
    let added = false;
    const third = Promise.resolve(writer.add(batch(2, 2))).then(() => {
      added = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(added).toBe(false);
    resolveMap(fakeMap);
    await third;
    await writer.add(batch(4, 2));
    await writer.finish();
    const body = JSON.parse(await readFile(files.path, 'utf8')) as { queries: { id: string }[] };
    expect(body.queries.map((q) => q.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('writes map-unavailable.json instead when the map cannot be had; the job goes on', async () => {
    const files = await paths();
    const writer = createJobMapWriter({
      map: Promise.reject(
        new ArginatorError('NOT_FOUND', 'map.no-references', 'model v1 has no references', 'fix'),
      ),
      modelVersion: 'v1',
      proteins: 2,
      ...files,
      signal: new AbortController().signal,
    });
    await writer.add(batch(0, 2));
    expect(await writer.finish()).toMatchObject({ reason: 'map.no-references' });
    expect(await exists(files.path)).toBe(false);
    expect(JSON.parse(await readFile(files.unavailable, 'utf8'))).toMatchObject({
      model_version: 'v1',
      reason: 'map.no-references',
    });
  });

  it('rethrows a cancellation instead of recording it, and leaves no file', async () => {
    const files = await paths();
    const controller = new AbortController();
    const writer = createJobMapWriter({
      map: new Promise<ProjectingMap>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(new Error('cancelled')));
      }),
      modelVersion: 'v1',
      proteins: 2,
      ...files,
      signal: controller.signal,
    });
    await writer.add(batch(0, 2));
    controller.abort();
    await expect(writer.finish()).rejects.toThrow('cancelled');
    expect(await exists(files.path)).toBe(false);
    expect(await exists(files.unavailable)).toBe(false);
    expect(await exists(`${files.path}.tmp`)).toBe(false);
  });
});
