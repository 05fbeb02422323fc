// Grid enumeration: W&B's order (parameters by name, last fastest), discretised int_uniform / q_uniform, refusal of continuous ones.
import { describe, expect, it } from 'vitest';

import { gridPoints } from './grid.ts';
import type { ParamSpec } from './types.ts';

describe('gridPoints', () => {
  it('enumerates the product in order, constants included', () => {
    const params: ParamSpec[] = [
      { name: 'a', distribution: 'categorical', values: [1, 2] },
      { name: 'b', distribution: 'constant', value: 'x' },
      { name: 'c', distribution: 'int_uniform', min: 0, max: 2 },
    ];
    const points = gridPoints(params);
    expect(points).toHaveLength(6);
    expect(points.slice(0, 4)).toEqual([
      { a: 1, b: 'x', c: 0 },
      { a: 1, b: 'x', c: 1 },
      { a: 1, b: 'x', c: 2 },
      { a: 2, b: 'x', c: 0 },
    ]);
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(6);
  });

  it('discretises q_uniform by q', () => {
    expect(
      gridPoints([{ name: 'd', distribution: 'q_uniform', min: 0.1, max: 0.5, q: 0.1 }]).map(
        (p) => p['d'],
      ),
    ).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('refuses a continuous distribution with a fix', () => {
    expect(() => gridPoints([{ name: 'lr', distribution: 'uniform', min: 0, max: 1 }])).toThrow(
      /method: grid needs a finite set of values.*'lr'/,
    );
  });
});
