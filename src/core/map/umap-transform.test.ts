// Query placement on a fixed layout: memberships, interpolation, per-point determinism.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { memberships, pointSeed, projectToLayout, type FittedLayout } from './umap-transform.ts';

/** Two groups of references: around (0,0) in both spaces, and around (10,10). */
function twoGroups(): FittedLayout {
  const rng = createRng(8);
  const n = 40;
  const reduced = new Float32Array(n * 3);
  const coords = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const g = i < 20 ? 0 : 10;
    for (let t = 0; t < 3; t++) {
      reduced[i * 3 + t] = g + rng() - 0.5;
    }
    coords[i * 2] = g + rng() - 0.5;
    coords[i * 2 + 1] = g + rng() - 0.5;
  }
  return { n, dim: 3, reduced, coords, a: 1.577, b: 0.895, nNeighbors: 5, seed: 42 };
}

describe('memberships', () => {
  it('sum to log2(k) and decrease with distance', () => {
    const w = memberships(Float32Array.from([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8]));
    const sum = w.reduce((s, x) => s + x, 0);
    expect(sum).toBeCloseTo(3, 4);
    for (let j = 1; j < w.length; j++) {
      expect(w[j]).toBeLessThan(w[j - 1] as number);
    }
  });
});

describe('projectToLayout', () => {
  const layout = twoGroups();
  const queries = Float32Array.from([0.1, -0.1, 0, 10.2, 9.9, 10, 0.3, 0.2, -0.2]);
  const ids = ['q0', 'q1', 'q2'];

  it('places points among the references of their own group', () => {
    for (const method of ['interpolate', 'transform'] as const) {
      const xy = projectToLayout(layout, queries, ids, { method });
      expect(Math.hypot(xy[0] as number, xy[1] as number)).toBeLessThan(2);
      expect(Math.hypot((xy[2] as number) - 10, (xy[3] as number) - 10)).toBeLessThan(2);
      expect(Math.hypot(xy[4] as number, xy[5] as number)).toBeLessThan(2);
    }
  });

  it('gives a point the same position whatever the batch', () => {
    const all = projectToLayout(layout, queries, ids);
    const alone = projectToLayout(layout, queries.slice(3, 6), ['q1']);
    expect(Array.from(alone)).toEqual(Array.from(all.slice(2, 4)));
    expect(Array.from(projectToLayout(layout, queries, ids))).toEqual(Array.from(all));
  });

  it('derives different random streams for different ids and seeds', () => {
    expect(pointSeed(42, 'a')).not.toBe(pointSeed(42, 'b'));
    expect(pointSeed(42, 'a')).not.toBe(pointSeed(43, 'a'));
    expect(pointSeed(42, 'a')).toBe(pointSeed(42, 'a'));
  });
});
