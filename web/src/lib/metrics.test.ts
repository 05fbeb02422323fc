import { describe, expect, it } from 'vitest';

import { compareMetrics, headlineMetrics } from './metrics.ts';

describe('headlineMetrics', () => {
  it('picks the first spelling present in any record, in display order', () => {
    expect(headlineMetrics([{ 'test.f1': 0.8, 'test.accuracy': 0.9 }, { mcc: 0.7 }])).toEqual([
      { title: 'Accuracy', key: 'test.accuracy', digits: 3 },
      { title: 'F1', key: 'test.f1', digits: 3 },
      { title: 'MCC', key: 'mcc', digits: 3 },
    ]);
  });
});

describe('compareMetrics', () => {
  it('aligns two runs by key with the difference', () => {
    const rows = compareMetrics({ f1: 0.8, only_a: 1 }, { f1: 0.9, only_b: 2 });
    expect(rows.map((r) => r.key)).toEqual(['f1', 'only_a', 'only_b']);
    expect(rows[0]?.delta).toBeCloseTo(0.1, 12);
    expect(rows[1]).toEqual({ key: 'only_a', a: 1, b: null, delta: null });
  });
});
