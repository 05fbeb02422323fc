// Hand-computed tests of ROC / PR curves, AUC and average precision: ties, collinear points, one-class data.
import { describe, expect, it } from 'vitest';
import { isArginatorError } from '../errors.ts';
import { prCurve, prOneVsRest, rocAuc, rocCurve, rocOneVsRest } from './roc.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i] ?? NaN, 12));
}

describe('rocCurve', () => {
  it("reproduces sklearn's documented example", () => {
    const r = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(r.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(r.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(r.thresholds).toEqual([1.8, 0.8, 0.4, 0.35, 0.1]);
    expect(r.auc).toBe(0.75);
  });

  it('makes one point of tied scores; the AUC counts tied pairs as 1/2', () => {
    const r = rocCurve([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1]);
    expect(r.fpr).toEqual([0, 0, 0.5, 1]);
    expect(r.tpr).toEqual([0, 0.5, 1, 1]);
    expect(r.thresholds).toEqual([1.9, 0.9, 0.5, 0.1]);
    expect(r.auc).toBe(0.875); // (1 + 1 + 0.5 + 1) / 4 pairs
    const allTied = rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]);
    expect(allTied.fpr).toEqual([0, 1]);
    expect(allTied.tpr).toEqual([0, 1]);
    expect(allTied.auc).toBe(0.5);
  });

  it('drops collinear intermediate points unless asked not to; the area is the same', () => {
    const y = [1, 1, 1, 0, 0, 0];
    const s = [6, 5, 4, 3, 2, 1];
    const r = rocCurve(y, s);
    expectClose(r.fpr, [0, 0, 0, 1]);
    expectClose(r.tpr, [0, 1 / 3, 1, 1]);
    expect(r.thresholds).toEqual([7, 6, 4, 1]);
    const full = rocCurve(y, s, { dropIntermediate: false });
    expect(full.thresholds).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(full.auc).toBe(1);
    expect(r.auc).toBe(1);
  });

  it('gives a null AUC and zero rates for the missing class when y has one class', () => {
    const onlyPositive = rocCurve([1, 1, 1], [0.2, 0.5, 0.5]);
    expect(onlyPositive.auc).toBeNull();
    expect(onlyPositive.fpr).toEqual([0, 0, 0]);
    expect(onlyPositive.tpr).toEqual([0, 2 / 3, 1]);
    const onlyNegative = rocCurve([0, 0], [0.2, 0.5]);
    expect(onlyNegative.auc).toBeNull();
    expect(onlyNegative.tpr).toEqual([0, 0, 0]);
    expect(rocAuc([0, 0], [0.1, 0.2])).toBeNull();
  });

  it('inverted scores give AUC 0, and the result is plain JSON', () => {
    const r = rocCurve([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]);
    expect(r.auc).toBe(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('rejects NaN scores, non-binary labels, mismatched lengths and no examples', () => {
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
    expect(reason(() => rocCurve([0, 1], [0.1, NaN]))).toBe('metrics.nan-score');
    expect(reason(() => rocCurve([0, 2], [0.1, 0.2]))).toBe('metrics.label-out-of-range');
    expect(reason(() => rocCurve([0, 1], [0.1]))).toBe('metrics.length-mismatch');
    expect(reason(() => prCurve([], []))).toBe('metrics.empty');
  });
});

describe('prCurve', () => {
  it("reproduces sklearn's documented example and average precision", () => {
    const r = prCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expectClose(r.precision, [0.5, 2 / 3, 0.5, 1, 1]);
    expect(r.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(r.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
    // Σ (R_i − R_{i+1}) P_i = 0.5·(2/3) + 0.5·1
    expect(r.averagePrecision).toBeCloseTo(5 / 6, 15);
  });

  it('treats tied scores as one threshold', () => {
    const r = prCurve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]);
    expect(r.precision).toEqual([0.5, 1]);
    expect(r.recall).toEqual([1, 0]);
    expect(r.thresholds).toEqual([0.5]);
    expect(r.averagePrecision).toBe(0.5);
  });

  it('without positives recall is 1 everywhere (as sklearn) and average precision 0', () => {
    const r = prCurve([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(r.recall).toEqual([1, 1, 1, 0]);
    expect(r.averagePrecision).toBe(0);
  });
});

describe('one-vs-rest', () => {
  // 3 classes, row-major n×3 scores.
  const y = [0, 1, 2, 0, 1, 2];
  const scores = [
    [0.7, 0.2, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.6],
    [0.4, 0.5, 0.1],
    [0.3, 0.4, 0.3],
    [0.3, 0.3, 0.4],
  ].flat();

  it('macro AUC is the mean of the per-class AUCs', () => {
    const r = rocOneVsRest(y, scores, 3);
    const per = r.perClass.map((c) => c.auc ?? NaN);
    const [a0 = NaN, a1 = NaN, a2 = NaN] = per;
    for (let c = 0; c < 3; c++) {
      const yc = y.map((v) => (v === c ? 1 : 0));
      const sc = y.map((_, i) => scores[i * 3 + c] ?? NaN);
      expect(per[c]).toBe(rocAuc(yc, sc));
    }
    expect(r.macroAuc).toBeCloseTo((a0 + a1 + a2) / 3, 15);
    expect(r.undefinedClasses).toEqual([]);
  });

  it('a class absent from yTrue has no AUC and is left out of the macro mean', () => {
    const y2 = [0, 1, 0, 1];
    const s2 = [
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.6, 0.3, 0.1],
      [0.3, 0.6, 0.1],
    ].flat();
    const r = rocOneVsRest(y2, s2, 3);
    expect(r.undefinedClasses).toEqual([2]);
    expect(r.perClass[2]?.auc).toBeNull();
    expect(r.macroAuc).toBe(1);
  });

  it('macro average precision is the mean of per-class average precisions', () => {
    const r = prOneVsRest(y, scores, 3);
    const mean = r.perClass.reduce((s, p) => s + p.averagePrecision, 0) / 3;
    expect(r.macroAveragePrecision).toBeCloseTo(mean, 15);
  });

  it('rejects a score matrix of the wrong shape', () => {
    expect(() => rocOneVsRest(y, scores.slice(1), 3)).toThrow(/expected 6×3/);
  });
});
