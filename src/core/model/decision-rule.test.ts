import { describe, expect, it } from 'vitest';

import { maskUnsupportedClasses, minSimilarityOf } from './decision-rule.ts';

const rows = (a: Float32Array, k: number): number[][] =>
  Array.from({ length: a.length / k }, (_, i) =>
    Array.from(a.subarray(i * k, (i + 1) * k), (v) => Number(v.toFixed(6))),
  );

describe('maskUnsupportedClasses', () => {
  it('zeroes non-negative classes below the floor and renormalises the row', () => {
    // Classes A, B, NBL (negative = 2). Row 0: B has no evidence → its mass goes to A and NBL in proportion.
    // Row 1: both β-lactamase classes lack evidence → NBL. Row 2: B is supported and keeps its call.
    const proba = new Float32Array([0.2, 0.6, 0.2, 0.1, 0.8, 0.1, 0.05, 0.9, 0.05]);
    const sim = new Float32Array([0.3, 0.04, 0.02, 0.02, 0.09, 0.5, 0.01, 0.1, 0]);
    maskUnsupportedClasses(proba, sim, 3, 2, 0.1);
    expect(rows(proba, 3)).toEqual([
      [0.5, 0, 0.5],
      [0, 0, 1],
      [0, 0.947368, 0.052632],
    ]);
  });

  it('never masks the negative class, even without any evidence for it', () => {
    const proba = new Float32Array([0.7, 0.3]);
    maskUnsupportedClasses(proba, new Float32Array([0.5, 0]), 2, 1, 0.1);
    expect(rows(proba, 2)).toEqual([[0.7, 0.3]]);
  });

  it('gives the negative class 1 when every kept class had probability 0', () => {
    const proba = new Float32Array([1, 0]);
    maskUnsupportedClasses(proba, new Float32Array([0, 0]), 2, 1, 0.1);
    expect(rows(proba, 2)).toEqual([[0, 1]]);
  });

  it('is off for a floor of 0 or without a negative class', () => {
    const proba = new Float32Array([0.6, 0.4]);
    maskUnsupportedClasses(proba, new Float32Array([0, 0]), 2, 1, 0);
    maskUnsupportedClasses(proba, new Float32Array([0, 0]), 2, -1, 0.1);
    expect(rows(proba, 2)).toEqual([[0.6, 0.4]]);
  });

  it('rejects a similarity matrix of another shape', () => {
    expect(() =>
      maskUnsupportedClasses(new Float32Array(4), new Float32Array(2), 2, 1, 0.1),
    ).toThrow(RangeError);
  });
});

describe('minSimilarityOf', () => {
  const homology = {
    candidates: 1,
    alpha: 32,
    references: { ids: [], labels: [], sequences: [] },
  };
  it('reads the floor stored with the model', () => {
    expect(minSimilarityOf({ homology: { ...homology, minSimilarity: 0.1 } })).toBe(0.1);
  });
  it('is 0 (off) for models without it, without homology, or with a bad value', () => {
    expect(minSimilarityOf({ homology })).toBe(0);
    expect(minSimilarityOf({ homology: undefined })).toBe(0);
    expect(minSimilarityOf({ homology: { ...homology, minSimilarity: 'x' } as never })).toBe(0);
  });
});
