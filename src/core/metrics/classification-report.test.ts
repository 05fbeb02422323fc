// Hand-computed tests of accuracy, precision/recall/F1 (per class, macro, weighted, binary) and MCC.
import { describe, expect, it } from 'vitest';
import { isArginatorError } from '../errors.ts';
import {
  accuracyFromConfusion,
  classificationReport,
  mccFromConfusion,
  perClassScores,
} from './classification-report.ts';

describe('classificationReport, multiclass', () => {
  // Confusion matrix [[2,1,0],[0,1,1],[0,0,1]]: predicted sums [2,2,2], support [3,2,1].
  const yTrue = [0, 0, 0, 1, 1, 2];
  const yPred = [0, 0, 1, 1, 2, 2];
  const report = classificationReport(yTrue, yPred, ['A', 'B', 'C']);

  it('computes accuracy, per-class scores and the confusion matrix', () => {
    expect(report.n).toBe(6);
    expect(report.accuracy).toBeCloseTo(4 / 6, 15);
    expect(report.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    const pc = report.perClass;
    expect(pc.map((c) => c.label)).toEqual(['A', 'B', 'C']);
    expect(pc.map((c) => c.support)).toEqual([3, 2, 1]);
    expect(pc[0]?.precision).toBeCloseTo(1, 15);
    expect(pc[0]?.recall).toBeCloseTo(2 / 3, 15);
    expect(pc[0]?.f1).toBeCloseTo(0.8, 15);
    expect(pc[1]?.precision).toBeCloseTo(0.5, 15);
    expect(pc[1]?.recall).toBeCloseTo(0.5, 15);
    expect(pc[1]?.f1).toBeCloseTo(0.5, 15);
    expect(pc[2]?.precision).toBeCloseTo(0.5, 15);
    expect(pc[2]?.recall).toBeCloseTo(1, 15);
    expect(pc[2]?.f1).toBeCloseTo(2 / 3, 15);
  });

  it('averages: macro is unweighted, weighted uses support; the headline F1 is macro', () => {
    expect(report.macro.precision).toBeCloseTo(2 / 3, 15);
    expect(report.macro.recall).toBeCloseTo(13 / 18, 15);
    expect(report.macro.f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 15);
    expect(report.weighted.precision).toBeCloseTo((3 * 1 + 2 * 0.5 + 0.5) / 6, 15);
    expect(report.weighted.recall).toBeCloseTo(4 / 6, 15); // weighted recall = accuracy
    expect(report.weighted.f1).toBeCloseTo((3 * 0.8 + 2 * 0.5 + 2 / 3) / 6, 15);
    expect(report.binary).toBeNull();
    expect(report.f1Average).toBe('macro');
    expect(report.f1).toBe(report.macro.f1);
  });

  it('computes the multiclass MCC: (c·n − t·p) / sqrt((n² − t·t)(n² − p·p))', () => {
    // t = [3,2,1], p = [2,2,2]: (4·6 − 12) / sqrt((36 − 14)(36 − 12))
    expect(report.mcc).toBeCloseTo(12 / Math.sqrt(22 * 24), 15);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('classificationReport, binary with a positive class', () => {
  // tp = 2, fp = 1, fn = 1, tn = 1
  const report = classificationReport(
    [1, 1, 0, 0, 1],
    [1, 0, 0, 1, 1],
    ['Non-Betalactamase', 'Betalactamase'],
    { positive: 1 },
  );

  it('reports the positive class and uses its F1 as the headline', () => {
    expect(report.binary).toEqual({
      index: 1,
      label: 'Betalactamase',
      precision: 2 / 3,
      recall: 2 / 3,
      f1: report.perClass[1]?.f1,
      support: 3,
    });
    expect(report.binary?.f1).toBeCloseTo(2 / 3, 15);
    expect(report.f1Average).toBe('binary');
    expect(report.f1).toBe(report.binary?.f1);
  });

  it('matches the binary MCC (tp·tn − fp·fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))', () => {
    expect(report.mcc).toBeCloseTo((2 * 1 - 1 * 1) / Math.sqrt(3 * 3 * 2 * 2), 15);
  });

  it('positive class 0 is allowed too', () => {
    const r = classificationReport([1, 0], [1, 1], ['x', 'y'], { positive: 0 });
    expect(r.binary?.label).toBe('x');
    expect(r.f1).toBe(0);
  });
});

describe('zero division and degenerate cases (sklearn default: 0, no warning)', () => {
  it('a class never predicted has precision 0 and F1 0', () => {
    const r = classificationReport([0, 1, 2], [0, 1, 1], ['a', 'b', 'c']);
    expect(r.perClass[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('a class absent from yTrue but predicted has recall 0, precision 0 and support 0', () => {
    const r = classificationReport([0, 0], [0, 1], ['a', 'b']);
    expect(r.perClass[1]).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('a class absent from both yTrue and yPred is left out of the macro average (sklearn, labels=None)', () => {
    const r = classificationReport([0, 1], [0, 1], ['a', 'b', 'c']);
    expect(r.perClass[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro.f1).toBe(1);
    // A class that is predicted but absent from yTrue still counts (as 0).
    expect(classificationReport([0, 1], [0, 2], ['a', 'b', 'c']).macro.f1).toBeCloseTo(1 / 3, 15);
    expect(r.weighted.f1).toBe(1);
  });

  it('all one class, all correct: accuracy 1, MCC 0 (undefined), macro F1 over the class present', () => {
    const r = classificationReport([0, 0, 0], [0, 0, 0], ['a', 'b']);
    expect(r.accuracy).toBe(1);
    expect(r.mcc).toBe(0);
    expect(r.macro.f1).toBe(1);
    expect(r.weighted.f1).toBe(1);
  });

  it('perfect and perfectly inverted binary predictions give MCC 1 and -1', () => {
    expect(classificationReport([0, 1, 0, 1], [0, 1, 0, 1], ['a', 'b']).mcc).toBe(1);
    expect(classificationReport([0, 1, 0, 1], [1, 0, 1, 0], ['a', 'b']).mcc).toBe(-1);
  });

  it('no examples: every score is 0', () => {
    const r = classificationReport([], [], ['a', 'b'], { positive: 1 });
    expect([r.accuracy, r.mcc, r.f1, r.macro.f1, r.weighted.f1]).toEqual([0, 0, 0, 0, 0]);
  });

  it('the building blocks work on a confusion matrix directly', () => {
    const m = [
      [5, 0],
      [5, 0],
    ];
    expect(accuracyFromConfusion(m)).toBe(0.5);
    expect(mccFromConfusion(m)).toBe(0);
    expect(perClassScores(m)[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 5 });
  });
});

describe('classificationReport arguments', () => {
  function reasonOf(fn: () => unknown): string {
    try {
      fn();
    } catch (e) {
      if (isArginatorError(e)) {
        return e.reason;
      }
      throw e;
    }
    return 'no error';
  }

  it('rejects a positive class outside the labels, no labels, and predictions beyond the labels', () => {
    expect(reasonOf(() => classificationReport([0], [0], ['a', 'b'], { positive: 2 }))).toBe(
      'metrics.bad-positive-class',
    );
    expect(reasonOf(() => classificationReport([0], [0], []))).toBe('metrics.bad-class-count');
    expect(reasonOf(() => classificationReport([0], [2], ['a', 'b']))).toBe(
      'metrics.label-out-of-range',
    );
  });
});
