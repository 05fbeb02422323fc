// Exact kNN with pruning: same answer as sorting all distances.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { nearestNeighbours } from './knn.ts';

describe('nearestNeighbours', () => {
  it('matches a brute-force sort, with and without excluding self', () => {
    const rng = createRng(4);
    const n = 200;
    const dim = 9;
    const refs = Float32Array.from({ length: n * dim }, () => rng());
    for (const excludeSelf of [false, true]) {
      const knn = nearestNeighbours(refs, n, dim, refs, n, 7, { excludeSelf });
      for (let i = 0; i < n; i++) {
        const all = Array.from({ length: n }, (_, r) => {
          let s = 0;
          for (let t = 0; t < dim; t++) {
            s += ((refs[i * dim + t] as number) - (refs[r * dim + t] as number)) ** 2;
          }
          return { r, d: Math.sqrt(s) };
        })
          .filter((x) => !excludeSelf || x.r !== i)
          .sort((x, y) => x.d - y.d || x.r - y.r)
          .slice(0, 7);
        expect(Array.from(knn.indices.subarray(i * 7, i * 7 + 7))).toEqual(all.map((x) => x.r));
        all.forEach((x, j) => {
          expect(knn.distances[i * 7 + j]).toBeCloseTo(x.d, 5);
        });
      }
    }
  });

  it('returns fewer neighbours when there are fewer references', () => {
    const refs = Float32Array.from([0, 1, 2]);
    const knn = nearestNeighbours(refs, 3, 1, Float32Array.from([1.9]), 1, 5);
    expect(knn.k).toBe(3);
    expect(Array.from(knn.indices)).toEqual([2, 1, 0]);
  });
});
