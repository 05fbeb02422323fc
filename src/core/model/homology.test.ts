import { describe, expect, it } from 'vitest';

import { homologyFeatures, selfScore } from './homology.ts';
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
});
