import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { homologyFeatures, prepareReferences, selfScore } from './homology.ts';
import { jsKernels } from './kernels.ts';
import { alignLocal } from '../sequence/align.ts';
import { encodeForAlignment } from '../sequence/blosum62.ts';

const refs = ['MKTAYIAKQRQISFVKSHFSRQ', 'GSHMLEDPVAGRRWLLTTNAEE', 'MKTAYIAKQRQISFVKAHFSRQ'];
const emb = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

describe('homologyFeatures', () => {
  it('gives each class the best Smith-Waterman similarity among the cosine candidates', () => {
    const result = homologyFeatures(
      { sequences: ['MKTAYIAKQRQISFVKSHFSRQ'], embeddings: emb([[1, 0]]) },
      {
        sequences: refs,
        labels: [0, 1, 0],
        classes: 2,
        embeddings: emb([
          [1, 0],
          [0, 1],
          [0.9, 0.1],
        ]),
        dim: 2,
      },
      jsKernels,
      { candidates: 3 },
    );
    // Identical to reference 0: similarity 1.
    expect(result.perClass[0]).toBeCloseTo(1, 6);
    expect(result.best[0]).toBe(0);
    const expected = alignLocal(refs[0] ?? '', refs[1] ?? '').score;
    const self = selfScore(encodeForAlignment(refs[0] ?? ''));
    const selfOther = selfScore(encodeForAlignment(refs[1] ?? ''));
    expect(result.perClass[1]).toBeCloseTo(Math.max(0, expected) / Math.sqrt(self * selfOther), 6);
  });

  it('aligns the top candidates of every class and honours allowed()', () => {
    const queries = { sequences: ['MKTAYIAKQRQISFVKSHFSRQ'], embeddings: emb([[1, 0]]) };
    const references = {
      sequences: refs,
      labels: [0, 1, 0],
      classes: 2,
      embeddings: emb([
        [1, 0],
        [0, 1],
        [0.9, 0.1],
      ]),
      dim: 2,
    };
    const one = homologyFeatures(queries, references, jsKernels, { candidates: 1 });
    // Class 1's only reference is aligned although it is the least cosine-similar overall.
    expect(one.perClass[1]).toBeGreaterThan(0);
    expect(one.best[0]).toBe(0);
    const leftOut = homologyFeatures(queries, references, jsKernels, {
      candidates: 3,
      allowed: (_q, r) => r !== 0,
    });
    expect(leftOut.best[0]).toBe(2);
    expect(leftOut.perClass[0]).toBeLessThan(1);
    expect(leftOut.perClass[0]).toBeGreaterThan(0.8);
  });

  it('handles empty inputs', () => {
    const r = homologyFeatures(
      { sequences: [], embeddings: new Float32Array(0) },
      {
        sequences: refs,
        labels: [0, 1, 0],
        classes: 2,
        embeddings: emb([
          [1, 0],
          [0, 1],
          [1, 0],
        ]),
        dim: 2,
      },
      jsKernels,
    );
    expect(r.perClass).toHaveLength(0);
  });

  it('with the screen: flagged queries keep their candidates, the others align only what passed', () => {
    const rng = createRng(3);
    const AA = 'ACDEFGHIKLMNPQRSTVWY';
    const random = (n: number) =>
      Array.from({ length: n }, () => AA[Math.floor(rng() * 20)] ?? 'A').join('');
    const mutate = (s: string) =>
      Array.from(s, (ch) => (rng() < 0.6 ? ch : (AA[Math.floor(rng() * 20)] ?? 'A'))).join('');
    const sequences = Array.from({ length: 40 }, () => random(250));
    const dim = 8;
    const embeddings = Float32Array.from({ length: 40 * dim }, () => rng());
    // References 0-19 are class 0 (flagged), 20-39 class 1 (the negative class, not flagged).
    const labels = sequences.map((_, r) => (r < 20 ? 0 : 1));
    const refs = prepareReferences(
      { sequences, labels, classes: 2, embeddings, dim },
      { screen: { flagged: [0] } },
    );
    const queries = {
      sequences: [mutate(sequences[5] ?? ''), mutate(sequences[30] ?? ''), random(300)],
      embeddings: Float32Array.from({ length: 3 * dim }, () => rng()),
    };
    const options = { candidates: 2 };
    const full = homologyFeatures(queries, refs, jsKernels, options);
    const screened = homologyFeatures(queries, refs, jsKernels, {
      ...options,
      screen: { topK: 4 },
    });
    // Query 0 descends from a flagged reference: the same candidates, so the same features.
    expect(Array.from(screened.perClass.subarray(0, 2))).toEqual(
      Array.from(full.perClass.subarray(0, 2)),
    );
    expect(screened.best[0]).toBe(5);
    // Query 1 descends from a negative-class reference: found by the screen, flagged class left at 0.
    expect(screened.best[1]).toBe(30);
    expect(screened.perClass[2]).toBe(0);
    expect(screened.perClass[3]).toBeGreaterThan(0.3);
    // Query 2 is unrelated: nothing passed, nothing aligned.
    expect(screened.best[2]).toBe(-1);
    expect(Array.from(screened.perClass.subarray(4, 6))).toEqual([0, 0]);
    expect(() =>
      homologyFeatures(
        queries,
        sequences.length > 0 ? { ...refs, screen: undefined } : refs,
        jsKernels,
        { screen: { topK: 2 } },
      ),
    ).toThrow(/prepared with a screen/);
  });
});
