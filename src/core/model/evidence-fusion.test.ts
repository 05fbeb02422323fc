import { describe, expect, it } from 'vitest';

import { fitFusion, fuseLogits } from './evidence-fusion.ts';

describe('evidence fusion', () => {
  it('adds α times the similarity to the logits', () => {
    expect(Array.from(fuseLogits(new Float32Array([1, 2]), new Float32Array([0.5, 0]), 4))).toEqual(
      [3, 2],
    );
  });

  it('weights the evidence when it predicts the labels better than the classifier', () => {
    // The classifier is confidently wrong on half the rows; the similarity is always right.
    const n = 40;
    const logits = new Float32Array(n * 2);
    const sim = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      y[i] = label;
      logits[i * 2 + (i < n / 2 ? label : 1 - label)] = 3;
      sim[i * 2 + label] = 0.6;
    }
    const fusion = fitFusion(logits, sim, y, 2);
    expect(fusion.alpha).toBeGreaterThan(4);
    const useless = fitFusion(logits, new Float32Array(n * 2), y, 2);
    expect(useless.alpha).toBe(0);
  });
});
