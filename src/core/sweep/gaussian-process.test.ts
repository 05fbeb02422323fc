// Checks the GP against scikit-learn (values from test-support/gp-reference.py) and by hand on one point.
import { describe, expect, it } from 'vitest';

import { fitGp, gpWithLengthScale, logMarginalLikelihood, matern15 } from './gaussian-process.ts';

const X = [
  [0.1, 0.2],
  [0.4, 0.9],
  [0.8, 0.3],
  [0.5, 0.5],
];
const Y = [1.0, -0.5, 0.3, 2.0];
const Q = [
  [0.3, 0.3],
  [0.9, 0.9],
];

describe('Matérn 1.5 GP', () => {
  it('is 1 at distance 0 and matches the closed form', () => {
    expect(matern15(0, 0.5)).toBe(1);
    const r = (Math.sqrt(3) * 0.3) / 0.5;
    expect(matern15(0.3, 0.5)).toBeCloseTo((1 + r) * Math.exp(-r), 15);
  });

  it('on one training point: the posterior by hand', () => {
    // K = 1 + nugget, so mean = k* y / (1 + 1e-7) and var = 1 - k*^2 / (1 + 1e-7).
    const gp = gpWithLengthScale([[0.2]], [3], 0.5);
    const k = matern15(0.4, 0.5);
    const { mean, std } = gp.predict([0.6]);
    expect(mean).toBeCloseTo((k * 3) / (1 + 1e-7), 12);
    expect(std).toBeCloseTo(Math.sqrt(1 - (k * k) / (1 + 1e-7)), 12);
    // At the training point the posterior collapses to the observation.
    expect(gp.predict([0.2]).mean).toBeCloseTo(3, 5);
    expect(gp.predict([0.2]).std).toBeLessThan(1e-3);
  });

  it('agrees with sklearn for a fixed length scale (optimizer=None)', () => {
    const gp = gpWithLengthScale(X, Y, 0.7);
    const [a, b] = Q.map((q) => gp.predict(q));
    expect(a?.mean).toBeCloseTo(1.663501191933594, 9);
    expect(b?.mean).toBeCloseTo(-0.25082863401111677, 9);
    expect(a?.std).toBeCloseTo(0.279731642169452, 9);
    expect(b?.std).toBeCloseTo(0.69230280486277, 9);
    expect(logMarginalLikelihood(X, Y, 0.7)).toBeCloseTo(-12.52895500287823, 9);
  });

  it('fits the same length scale as sklearn (L-BFGS-B with restarts)', () => {
    const gp = fitGp(X, Y);
    expect(gp.lengthScale).toBeCloseTo(0.18216687948463386, 4);
    expect(gp.logMarginalLikelihood).toBeCloseTo(-6.310711254978671, 6);
    expect(gp.predict(Q[0] as number[]).mean).toBeCloseTo(0.8296784243200637, 4);
    expect(gp.predict(Q[1] as number[]).std).toBeCloseTo(0.9983172495014588, 4);
    expect(gp.atBound).toBe(false);
  });

  it('reports a length scale on its bound (W&B then picks a random candidate)', () => {
    // Identical targets: the likelihood keeps growing with the length scale.
    const gp = fitGp([[0.1], [0.5], [0.9]], [0, 0, 0]);
    expect(gp.atBound).toBe(true);
  });
});
