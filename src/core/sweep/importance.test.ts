// Parameter importance: the parameter that drives the metric ranks first; correlation has the right sign.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { parameterImportance, pearson } from './importance.ts';

describe('parameterImportance', () => {
  it('ranks the driving parameter first and sums to 1', () => {
    const rng = createRng(11);
    const x = Array.from({ length: 40 }, () => [rng(), rng(), rng()]);
    const y = x.map((r) => 3 * (r[1] as number) + 0.05 * (r[0] as number));
    const rows = parameterImportance(['a', 'b', 'c'], x, y, createRng(2));
    expect(rows.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    const [a, b, c] = rows;
    expect(b?.importance).toBeGreaterThan(0.8);
    expect(b?.importance).toBeGreaterThan(a?.importance ?? 1);
    expect(b?.importance).toBeGreaterThan(c?.importance ?? 1);
    expect(rows.reduce((s, r) => s + r.importance, 0)).toBeCloseTo(1, 9);
    expect(b?.correlation).toBeGreaterThan(0.95);
  });

  it('pearson: sign and NaN for a constant', () => {
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [3, 2, 1])).toBeNaN();
  });
});
