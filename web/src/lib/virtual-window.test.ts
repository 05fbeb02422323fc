import { describe, expect, it } from 'vitest';

import { rowAt, rowTop, scrollToReveal, visibleWindow } from './virtual-window.ts';
import type { WindowInput } from './virtual-window.ts';

const base: WindowInput = {
  rowCount: 100_000,
  rowHeight: 32,
  expanded: -1,
  expandedExtra: 0,
  scrollTop: 0,
  viewportHeight: 320,
  overscan: 5,
};

describe('visibleWindow', () => {
  it('renders only the rows on screen plus overscan, whatever the row count', () => {
    expect(visibleWindow(base)).toEqual({ start: 0, end: 15, totalHeight: 3_200_000 });
    expect(visibleWindow({ ...base, scrollTop: 3200 })).toEqual({
      start: 95,
      end: 115,
      totalHeight: 3_200_000,
    });
    const bottom = visibleWindow({ ...base, scrollTop: 3_200_000 - 320 });
    expect(bottom.end).toBe(100_000);
    expect(bottom.end - bottom.start).toBeLessThanOrEqual(20);
  });

  it('handles an empty list and a list shorter than the viewport', () => {
    expect(visibleWindow({ ...base, rowCount: 0 })).toEqual({ start: 0, end: 0, totalHeight: 0 });
    expect(visibleWindow({ ...base, rowCount: 3 })).toEqual({ start: 0, end: 3, totalHeight: 96 });
  });

  it('accounts for one expanded row', () => {
    const input = { ...base, expanded: 10, expandedExtra: 200 };
    expect(visibleWindow(input).totalHeight).toBe(3_200_200);
    expect(rowTop(10, input)).toBe(320);
    expect(rowTop(11, input)).toBe(320 + 32 + 200);
    // A pixel inside the evidence panel belongs to the expanded row.
    expect(rowAt(320 + 32 + 100, input)).toBe(10);
    expect(rowAt(320 + 32 + 200, input)).toBe(11);
    expect(rowAt(100, input)).toBe(3);
    expect(visibleWindow({ ...input, scrollTop: 352, overscan: 0 })).toMatchObject({ start: 10 });
  });
});

describe('scrollToReveal', () => {
  it('scrolls up or down just enough, and not at all if visible', () => {
    expect(scrollToReveal(5, { ...base, scrollTop: 0 })).toBe(0);
    expect(scrollToReveal(20, { ...base, scrollTop: 0 })).toBe(21 * 32 - 320);
    expect(scrollToReveal(2, { ...base, scrollTop: 640 })).toBe(64);
    // The expanded row's whole panel comes into view.
    expect(scrollToReveal(9, { ...base, expanded: 9, expandedExtra: 200 })).toBe(
      9 * 32 + 32 + 200 - 320,
    );
  });
});
