// Hand-computed tests of the reliability diagram, ECE/MCE and sklearn's calibration_curve binning.
import { describe, expect, it } from 'vitest';
import { isArginatorError } from '../errors.ts';
import { calibrationCurve, expectedCalibrationError, reliabilityDiagram } from './calibration.ts';

describe('reliabilityDiagram', () => {
  // Top-class confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.55 (wrong).
  const probs = [0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.45, 0.55];
  const y = [0, 1, 1, 0];

  it('bins top-class confidence in (lower, upper] bins with count, mean confidence and accuracy', () => {
    const d = reliabilityDiagram(probs, y, 2, 5);
    expect(d.n).toBe(4);
    expect(d.bins.map((b) => b.count)).toEqual([0, 0, 1, 2, 1]);
    expect(d.bins.map((b) => b.lower)).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8]);
    expect(d.bins.map((b) => b.upper)).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    const [, , b2, b3, b4] = d.bins;
    expect(b2).toEqual({
      lower: 0.4,
      upper: 0.6000000000000001,
      count: 1,
      meanConfidence: 0.55,
      accuracy: 0,
    });
    expect(b3?.meanConfidence).toBeCloseTo(0.75, 15); // 0.8 sits on the edge: bin (0.6, 0.8]
    expect(b3?.accuracy).toBe(0.5);
    expect(b4).toEqual({ lower: 0.8, upper: 1, count: 1, meanConfidence: 0.9, accuracy: 1 });
    expect(d.bins[0]).toEqual({ lower: 0, upper: 0.2, count: 0, meanConfidence: 0, accuracy: 0 });
  });

  it('ECE is the count-weighted mean gap; MCE the largest gap', () => {
    const d = reliabilityDiagram(probs, y, 2, 5);
    expect(d.ece).toBeCloseTo((1 * 0.1 + 2 * 0.25 + 1 * 0.55) / 4, 15);
    expect(d.mce).toBeCloseTo(0.55, 15);
    expect(expectedCalibrationError(probs, y, 2, 5)).toBe(d.ece);
  });

  it('is 0 for confident, correct predictions, and uses 15 bins by default', () => {
    const d = reliabilityDiagram([1, 0, 0, 0, 1, 0], [0, 1], 3);
    expect(d.bins).toHaveLength(15);
    expect(d.ece).toBe(0);
    expect(d.bins[14]?.count).toBe(2);
  });

  it('takes the first class on tied top probabilities (numpy argmax)', () => {
    const d = reliabilityDiagram([0.5, 0.5], [1], 2, 2);
    expect(d.bins[0]).toMatchObject({ count: 1, meanConfidence: 0.5, accuracy: 0 });
    expect(d.ece).toBe(0.5);
  });

  it('has no bins filled and ECE 0 for no examples', () => {
    const d = reliabilityDiagram([], [], 5, 10);
    expect(d.ece).toBe(0);
    expect(d.bins.every((b) => b.count === 0)).toBe(true);
  });
});

describe('calibrationCurve', () => {
  it("reproduces sklearn's documented example", () => {
    const c = calibrationCurve(
      [0, 0, 0, 0, 1, 1, 1, 1, 1],
      [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1],
      3,
    );
    expect(c.probTrue).toEqual([0, 0.5, 1]);
    expect(c.probPred.map((p) => Number(p.toFixed(12)))).toEqual([0.2, 0.525, 0.85]);
    expect(c.counts).toEqual([3, 2, 4]);
  });

  it('puts a value on an inner edge in the lower bin, 0 in the first and 1 in the last', () => {
    const c = calibrationCurve([0, 1, 1, 0], [0, 0.5, 1, 0.5000001], 2);
    expect(c.counts).toEqual([2, 2]);
    expect(c.probTrue).toEqual([0.5, 0.5]);
  });

  it('rejects probabilities outside [0, 1] and a bad bin count', () => {
    const reason = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        if (isArginatorError(e)) {
          return e.reason;
        }
        throw e;
      }
      return 'no error';
    };
    expect(reason(() => calibrationCurve([0, 1], [0.5, 1.2]))).toBe('metrics.not-a-probability');
    expect(reason(() => calibrationCurve([0], [0.5], 0))).toBe('metrics.bad-bin-count');
  });
});
