// Tests of the greedy cosine clustering used to split datasets that have embeddings but no sequences.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { centredUnitRows, clusterByCosineAsync, clusterByCosineSteps } from './cosine-clusters.ts';

const DIM = 64;

/** `groups` tight groups of `size` vectors that all share one big common component (as ProtT5 means do). */
function groupedVectors(groups: number, size: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  const gauss = (): number => {
    const u = Math.max(rng(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  const common = Array.from({ length: DIM }, () => 5 + gauss());
  const centres = Array.from({ length: groups }, () => Array.from({ length: DIM }, gauss));
  const x = new Float32Array(groups * size * DIM);
  for (let g = 0; g < groups; g++) {
    for (let m = 0; m < size; m++) {
      for (let t = 0; t < DIM; t++) {
        x[(g * size + m) * DIM + t] =
          (common[t] as number) + (centres[g]?.[t] as number) + 0.1 * gauss();
      }
    }
  }
  return x;
}

function run(x: Float32Array, n: number, threshold: number): Int32Array {
  const steps = clusterByCosineSteps(x, n, DIM, { threshold, yieldEvery: 7 });
  for (;;) {
    const r = steps.next();
    if (r.done === true) {
      return r.value.clusterOf;
    }
  }
}

describe('clusterByCosine', () => {
  it('finds the groups of mean-centred vectors, which raw cosines would merge', () => {
    const x = groupedVectors(4, 6);
    const clusterOf = run(x, 24, 0.9);
    expect(Array.from(clusterOf)).toEqual(
      Array.from({ length: 24 }, (_, i) => Math.floor(i / 6)),
    );
    // Why centring: the raw vectors of different groups are nearly parallel.
    const raw = (a: number, b: number): number => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let t = 0; t < DIM; t++) {
        const u = x[a * DIM + t] as number;
        const v = x[b * DIM + t] as number;
        dot += u * v;
        na += u * u;
        nb += v * v;
      }
      return dot / Math.sqrt(na * nb);
    };
    expect(raw(0, 23)).toBeGreaterThan(0.9);
  });

  it('threshold 1 keeps every distinct vector apart; a low one merges everything', () => {
    const x = groupedVectors(3, 4, 2);
    expect(new Set(run(x, 12, 1)).size).toBe(12);
    expect(new Set(run(x, 12, -1)).size).toBe(1);
  });

  it('centred rows are unit length, zero rows stay zero', () => {
    // The mean of (1, 2), (1, 2), (3, 0) is (5/3, 4/3).
    const u = centredUnitRows(Float32Array.from([1, 2, 1, 2, 3, 0]), 3, 2);
    const h = Math.SQRT1_2;
    [-h, h, -h, h, h, -h].forEach((v, i) => expect(u[i]).toBeCloseTo(v, 6));
    const same = centredUnitRows(Float32Array.from([1, 1, 1, 1]), 2, 2);
    expect(Array.from(same)).toEqual([0, 0, 0, 0]);
  });

  it('is cancelled by its signal, with progress up to the end otherwise', async () => {
    const x = groupedVectors(2, 5, 3);
    const seen: number[] = [];
    const done = await clusterByCosineAsync(x, 10, DIM, () => Promise.resolve(), {
      threshold: 0.9,
      yieldEvery: 4,
      onProgress: (d) => seen.push(d),
    });
    expect(done.representatives.length).toBe(2);
    expect(seen).toEqual([0, 4, 8, 10]);
    await expect(
      clusterByCosineAsync(x, 10, DIM, () => Promise.resolve(), {
        threshold: 0.9,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
