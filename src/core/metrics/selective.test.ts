import { describe, expect, it } from 'vitest';

import { confidenceAuroc, riskCoverage } from './selective.ts';

describe('confidenceAuroc', () => {
  it('is the share of (right, wrong) pairs where the right call is more confident, ties ½', () => {
    // Right: 0.9, 0.8, 0.6; wrong: 0.7, 0.6. Pairs: (0.9>0.7, 0.9>0.6, 0.8>0.7, 0.8>0.6, 0.6<0.7, 0.6=0.6).
    const auroc = confidenceAuroc([0.9, 0.7, 0.8, 0.6, 0.6], [true, false, true, true, false]);
    expect(auroc).toBeCloseTo((4 + 0 + 0.5) / 6, 12);
  });

  it('is 1 when every wrong call is below every right one and 0 when reversed', () => {
    expect(confidenceAuroc([0.99, 0.98, 0.5], [true, true, false])).toBe(1);
    expect(confidenceAuroc([0.5, 0.6, 0.99], [true, true, false])).toBe(0);
  });

  it('is null without a wrong call (nothing to rank)', () => {
    expect(confidenceAuroc([0.9, 0.8], [true, true])).toBeNull();
  });

  it('refuses mismatched lengths and non-finite confidences', () => {
    expect(() => confidenceAuroc([0.9], [true, false])).toThrow(/2 calls/);
    expect(() => confidenceAuroc([Number.NaN, 0.5], [true, false])).toThrow(/finite/);
  });
});

describe('riskCoverage', () => {
  it('keeps calls from the most confident down, tied confidences as one step', () => {
    const rc = riskCoverage([0.9, 0.5, 0.8, 0.8, 0.3], [true, false, true, false, true]);
    expect(rc.points).toEqual([
      { threshold: 0.9, kept: 1, coverage: 0.2, risk: 0 },
      { threshold: 0.8, kept: 3, coverage: 0.6, risk: 1 / 3 },
      { threshold: 0.5, kept: 4, coverage: 0.8, risk: 2 / 4 },
      { threshold: 0.3, kept: 5, coverage: 1, risk: 2 / 5 },
    ]);
    expect(rc.wrong).toBe(2);
    // AURC: each call weighs the risk of its step: (1·0 + 2·⅓ + 1·½ + 1·⅖) / 5.
    expect(rc.aurc).toBeCloseTo((0 + 2 / 3 + 0.5 + 0.4) / 5, 12);
  });

  it('ranks a confidence that puts wrong calls last below one that does not', () => {
    const correct = [true, true, true, false];
    const good = riskCoverage([0.9, 0.8, 0.7, 0.1], correct);
    const bad = riskCoverage([0.1, 0.8, 0.7, 0.9], correct);
    expect(good.aurc).toBeLessThan(bad.aurc);
    expect(good.points.at(-1)?.risk).toBe(0.25);
  });

  it('is empty for no calls', () => {
    expect(riskCoverage([], [])).toEqual({ n: 0, wrong: 0, points: [], aurc: 0 });
  });
});
