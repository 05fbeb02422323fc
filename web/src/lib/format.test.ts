import { describe, expect, it } from 'vitest';

import { percentOfOne } from './format.ts';

describe('percentOfOne', () => {
  it('rounds to the given digits', () => {
    expect(percentOfOne(0.98765)).toBe('98.8%');
    expect(percentOfOne(0.5, 0)).toBe('50%');
    expect(percentOfOne(0)).toBe('0.0%');
  });

  it('shows 100.0% only for certainty: a confidence short of 1 rounds down', () => {
    expect(percentOfOne(1)).toBe('100.0%');
    expect(percentOfOne(0.9996)).toBe('99.9%');
    expect(percentOfOne(0.99999)).toBe('99.9%');
    expect(percentOfOne(0.99996, 2)).toBe('99.99%');
    expect(percentOfOne(0.9994)).toBe('99.9%');
  });
});
