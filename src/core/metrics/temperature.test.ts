// Tests of temperature scaling: softmax with temperature, sklearn-style log loss, and fitting T.
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { fitTemperature, logLoss, softmaxWithTemperature, temperatureNll } from './temperature.ts';

describe('softmaxWithTemperature', () => {
  it('divides logits by T before the softmax', () => {
    const p1 = softmaxWithTemperature([0, Math.log(3)], 2);
    expect(p1[0]).toBeCloseTo(0.25, 15);
    expect(p1[1]).toBeCloseTo(0.75, 15);
    const p2 = softmaxWithTemperature([0, Math.log(3)], 2, 2);
    expect(p2[1]).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 15);
  });

  it('is stable for large logits', () => {
    expect(Array.from(softmaxWithTemperature([1000, 0, -1000, 5, 5, 5], 3))).toEqual([
      1,
      0,
      0,
      1 / 3,
      1 / 3,
      1 / 3,
    ]);
  });

  it('rejects a non-positive temperature and a ragged matrix', () => {
    expect(() => softmaxWithTemperature([0, 1], 2, 0)).toThrow(/temperature/);
    expect(() => softmaxWithTemperature([0, 1, 2], 2)).toThrow(/whole number of rows/);
  });
});

describe('logLoss', () => {
  it('is the mean negative log probability of the true class', () => {
    expect(logLoss([0, 1], [0.8, 0.2, 0.4, 0.6], 2)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      15,
    );
  });

  it('clips to [eps, 1 - eps] like sklearn (float64 eps by default) and renormalises rows', () => {
    expect(logLoss([1], [1, 0], 2)).toBe(-Math.log(Number.EPSILON));
    expect(logLoss([1], [1, 0], 2, { eps: 1e-15 })).toBeCloseTo(-Math.log(1e-15), 12);
    expect(logLoss([0], [2, 2], 2)).toBeCloseTo(Math.log(2), 15);
  });
});

describe('fitTemperature', () => {
  /** n examples whose labels are drawn from softmax(z); the model reports `scale`·z. */
  function overconfident(seed: number, n: number, k: number, scale: number) {
    const rng = createRng(seed);
    const logits = new Float32Array(n * k);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: k }, () => 3 * (rng() - 0.5));
      const p = softmaxWithTemperature(z, k);
      let u = rng();
      let label = k - 1;
      for (let c = 0; c < k; c++) {
        u -= p[c] ?? 0;
        if (u < 0) {
          label = c;
          break;
        }
      }
      y[i] = label;
      z.forEach((v, c) => (logits[i * k + c] = v * scale));
    }
    return { logits, y };
  }

  it('recovers the scale of over-confident logits (T ≈ 3) and is deterministic', () => {
    const { logits, y } = overconfident(7, 20_000, 5, 3);
    const t = fitTemperature(logits, y, 5);
    expect(t).toBeGreaterThan(2.7);
    expect(t).toBeLessThan(3.3);
    expect(fitTemperature(logits, y, 5)).toBe(t);
  });

  it('returns a minimum of the NLL', () => {
    const { logits, y } = overconfident(11, 3000, 3, 0.5);
    const t = fitTemperature(logits, y, 3);
    expect(t).toBeLessThan(1); // under-confident logits need sharpening
    const at = (temp: number): number => temperatureNll(logits, y, 3, temp);
    expect(at(t)).toBeLessThanOrEqual(at(t * 1.001));
    expect(at(t)).toBeLessThanOrEqual(at(t / 1.001));
    expect(at(t)).toBeCloseTo(logLoss(y, softmaxWithTemperature(logits, 3, t), 3), 12);
  });

  it('returns the bounds when the minimum lies beyond them, and 1 when T does not matter', () => {
    // Separable and correct: sharper is always better.
    expect(fitTemperature(Float32Array.from([5, 0, 0, 5]), [0, 1], 2)).toBe(0.01);
    // Always wrong: flatter is always better.
    expect(fitTemperature(Float32Array.from([0, 5]), [0], 2)).toBe(100);
    expect(fitTemperature(Float32Array.from([0, 5]), [0], 2, { min: 0.5, max: 4 })).toBe(4);
    // Constant logits, or no examples.
    expect(fitTemperature(Float32Array.from([2, 2, 2]), [1], 3)).toBe(1);
    expect(fitTemperature(new Float32Array(0), [], 3)).toBe(1);
  });

  it('rejects a bad range and a wrong shape', () => {
    expect(() => fitTemperature(Float32Array.from([0, 1]), [0], 2, { min: 2, max: 1 })).toThrow(
      /bad range/,
    );
    expect(() => fitTemperature(Float32Array.from([0, 1, 2]), [0], 2)).toThrow(/expected 1×2/);
  });
});
