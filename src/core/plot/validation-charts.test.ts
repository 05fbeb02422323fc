import { describe, expect, it } from 'vitest';

import { classBalanceSpec, lengthHistogramSpec } from './validation-charts.ts';

interface Layered {
  layer: { data: { values: Record<string, unknown>[] } }[];
}

describe('validation charts', () => {
  it('marks the classes below the minimum share and draws the rule there', () => {
    const spec = classBalanceSpec(
      [
        { label: 'Betalactamase', count: 2, fraction: 2 / 30 },
        { label: 'Non-Betalactamase', count: 28, fraction: 28 / 30 },
      ],
      0.1,
      'Balance',
    ) as unknown as Layered;
    const bars = spec.layer[0]?.data.values ?? [];
    expect(bars.map((b) => [b['label'], b['percent'], b['below']])).toEqual([
      ['Betalactamase', 6.67, true],
      ['Non-Betalactamase', 93.33, false],
    ]);
    expect(spec.layer[1]?.data.values).toEqual([{ min: 10 }]);
  });

  it('bins lengths per label as a share of each label', () => {
    const spec = lengthHistogramSpec(
      { A: [280, 290, 300], NBL: [100, 900] },
      'Lengths',
      8,
    ) as unknown as {
      data: { values: { series: string; percent: number; count: number }[] };
    };
    const by = (s: string): number =>
      spec.data.values.filter((v) => v.series.startsWith(s)).reduce((a, v) => a + v.percent, 0);
    expect(by('A (n = 3)')).toBeCloseTo(100, 6);
    expect(by('NBL (n = 2)')).toBeCloseTo(100, 6);
    expect(spec.data.values.reduce((a, v) => a + v.count, 0)).toBe(5);
  });
});
