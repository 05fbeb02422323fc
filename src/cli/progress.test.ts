import { describe, expect, it } from 'vitest';

import { formatCount } from './progress.ts';

describe('formatCount', () => {
  it('writes integers as toLocaleString en-US does', () => {
    for (const n of [
      0,
      7,
      999,
      1000,
      4927,
      12345,
      999999,
      1000000,
      123456789,
      -1234,
      2 ** 53 - 1,
    ]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('leaves fractions and huge numbers to toLocaleString', () => {
    for (const n of [1234.5, 1e21]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
