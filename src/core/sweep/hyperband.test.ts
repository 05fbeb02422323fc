// Hyperband decisions on W&B's own examples (sweeps' hyperband_stopping docstring and tests) and the strict variant.
import { describe, expect, it } from 'vitest';

import { hyperbandBands, hyperbandStops } from './hyperband.ts';
import type { HyperbandSpec, MetricSpec, Trial } from './types.ts';

const loss: MetricSpec = { name: 'loss', goal: 'minimize' };

function trial(index: number, state: Trial['state'], history: number[]): Trial {
  return { index, params: {}, state, history };
}

describe('hyperband bands', () => {
  it('min_iter: min_iter * eta^k', () => {
    const bands = hyperbandBands({ type: 'hyperband', minIter: 3, eta: 3, strict: false });
    expect(bands.slice(0, 4)).toEqual([3, 9, 27, 81]);
  });
  it('max_iter with s: floor(max_iter / eta^k), ascending', () => {
    expect(hyperbandBands({ type: 'hyperband', maxIter: 5, s: 2, eta: 2, strict: false })).toEqual([
      1, 2,
    ]);
    expect(hyperbandBands({ type: 'hyperband', maxIter: 27, s: 3, eta: 3, strict: false })).toEqual(
      [1, 3, 9],
    );
  });
  it('refuses a config with no bands', () => {
    expect(() =>
      hyperbandBands({ type: 'hyperband', maxIter: 2, s: 1, eta: 3, strict: false }),
    ).toThrow(/no bands/);
  });
});

describe('hyperband stops', () => {
  const spec: HyperbandSpec = { type: 'hyperband', maxIter: 5, s: 2, eta: 2, strict: false };
  const trials = [
    trial(0, 'finished', [10, 9]),
    trial(1, 'running', [10, 10]), // stopped at band 1
    trial(2, 'running', [10, 8, 8]), // passes band 1, not band 2
    trial(3, 'running', [10, 7, 7]),
    trial(4, 'finished', [10, 6, 6]),
  ];

  it("stops W&B's docstring runs b and c", () => {
    const d = hyperbandStops(spec, loss, trials);
    expect(d.bands).toEqual([1, 2]);
    expect(d.thresholds).toEqual([8, 7]);
    expect(d.stop).toEqual([1, 2]);
  });

  it('never stops ended trials or trials before the first band', () => {
    const d = hyperbandStops(spec, loss, [
      trial(0, 'finished', [99, 99, 99]),
      trial(1, 'running', [50]),
    ]);
    expect(d.stop).toEqual([]);
  });

  it('maximize negates the values', () => {
    const acc: MetricSpec = { name: 'acc', goal: 'maximize' };
    const flipped = trials.map((t) => ({ ...t, history: t.history.map((v) => -v) }));
    expect(hyperbandStops(spec, acc, flipped).stop).toEqual([1, 2]);
  });

  it('min_iter test of the sweeps package: the flat run stops, the improving one goes on', () => {
    const minIter: HyperbandSpec = { type: 'hyperband', minIter: 3, eta: 3, strict: false };
    const d = hyperbandStops(minIter, loss, [
      trial(0, 'running', [10, 10, 10, 10]),
      trial(
        1,
        'running',
        Array.from({ length: 10 }, (_, i) => 10 - i),
      ),
    ]);
    expect(d.stop).toEqual([0]);
  });

  it('strict compares the value at the band, not the best so far', () => {
    const minIter = (strict: boolean): HyperbandSpec => ({
      type: 'hyperband',
      minIter: 1,
      eta: 2,
      strict,
    });
    // Trial 1 was good early (best 1) but is bad at the band (index 1).
    const ts = [
      trial(0, 'finished', [5, 2, 2]),
      trial(1, 'running', [1, 6]),
      trial(2, 'finished', [5, 3, 3]),
    ];
    expect(hyperbandStops(minIter(false), loss, ts).stop).toEqual([]);
    expect(hyperbandStops(minIter(true), loss, ts).stop).toEqual([1]);
  });
});
