import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { classWeights, weightedSampleIndices } from './sampling.ts';

describe('classWeights', () => {
  it("matches sklearn's 'balanced' n / (k · count)", () => {
    // sklearn.utils.class_weight.compute_class_weight('balanced', classes=[0,1,2], y=[0,0,0,0,1,1,2,2,2,2,2,2])
    // → [1.0, 2.0, 0.6667]
    const w = classWeights([0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2], 3);
    expect(w[0]).toBeCloseTo(1);
    expect(w[1]).toBeCloseTo(2);
    expect(w[2]).toBeCloseTo(2 / 3);
  });

  it('gives an absent class weight 0 and rejects out-of-range labels', () => {
    expect([...classWeights([0, 0, 1], 3)]).toEqual([0.5, 1, 0]);
    expect(() => classWeights([0, 3], 3)).toThrow(RangeError);
  });
});

describe('weightedSampleIndices', () => {
  it('draws each class about equally often, and members of a class uniformly', () => {
    const labels = [...new Array<number>(900).fill(0), ...new Array<number>(90).fill(1), ...new Array<number>(10).fill(2)];
    const n = 30_000;
    const draws = weightedSampleIndices(labels, 3, n, createRng(1));
    expect(draws.length).toBe(n);
    const perClass = [0, 0, 0];
    const perIndex = new Array<number>(labels.length).fill(0);
    for (const i of draws) {
      perClass[labels[i] as number] = (perClass[labels[i] as number] ?? 0) + 1;
      perIndex[i] = (perIndex[i] ?? 0) + 1;
    }
    for (const c of perClass) {
      expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.02);
    }
    // The 10 members of class 2 get ~1,000 draws each.
    for (let i = 990; i < 1000; i++) {
      expect(perIndex[i]).toBeGreaterThan(800);
      expect(perIndex[i]).toBeLessThan(1200);
    }
  });

  it('is deterministic for a seed', () => {
    const labels = [0, 1, 1, 2, 2, 2];
    expect(weightedSampleIndices(labels, 3, 50, createRng(8))).toEqual(
      weightedSampleIndices(labels, 3, 50, createRng(8)),
    );
    expect(weightedSampleIndices(labels, 4, 0, createRng(8)).length).toBe(0);
  });
});
