import { describe, expect, it } from 'vitest';

import { histogramBars } from './drift-bars.ts';

const BOX = { width: 220, height: 120, left: 10, right: 10, top: 10, bottom: 10 };

describe('histogramBars', () => {
  it('scales each side to its own total on one shared y scale', () => {
    const bars = histogramBars(
      { name: 'l2', kind: 'numeric', edges: [0, 1, 2], reference: [30, 10], current: [1, 3] },
      BOX,
    );
    expect(bars.map((b) => [b.side, b.share])).toEqual([
      ['reference', 0.75],
      ['current', 0.25],
      ['reference', 0.25],
      ['current', 0.75],
    ]);
    // The largest share (0.75, on both sides) reaches the top of the plot.
    expect(bars[0]?.y).toBe(10);
    expect(bars[3]?.height).toBe(100);
    expect(bars[1]?.height).toBeCloseTo(100 / 3, 1);
    expect(bars[0]?.bin).toBe('0 – 1');
    // Side by side within a bin, bins left to right.
    expect((bars[0]?.x ?? 0) < (bars[1]?.x ?? 0)).toBe(true);
    expect((bars[1]?.x ?? 0) < (bars[2]?.x ?? 0)).toBe(true);
  });

  it('labels categorical bins by category and survives an empty side', () => {
    const bars = histogramBars(
      {
        name: 'label',
        kind: 'categorical',
        categories: ['A', 'B'],
        reference: [2, 2],
        current: [0, 0],
      },
      BOX,
    );
    expect(bars.map((b) => b.bin)).toEqual(['A', 'A', 'B', 'B']);
    expect(bars.filter((b) => b.side === 'current').every((b) => b.height === 0)).toBe(true);
  });
});
