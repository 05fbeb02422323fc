// Accuracy, per-class precision/recall/F1, macro/weighted/binary averages and MCC, as sklearn computes them.
import { inputError } from '../errors.ts';
import { confusionMatrix } from './confusion-matrix.ts';
import { checkClassCount } from './metric-inputs.ts';

/** Scores of one class taken as the positive class (one-vs-rest). */
export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Number of examples whose true class is this one. */
  readonly support: number;
}

export interface LabelledClassScores extends ClassScores {
  readonly label: string;
}

export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Binary metrics of the positive class; `index` is its class index. */
export interface PositiveClassScores extends LabelledClassScores {
  readonly index: number;
}

/** A plain, JSON-serialisable evaluation summary. */
export interface ClassificationReport {
  readonly labels: readonly string[];
  readonly n: number;
  readonly accuracy: number;
  /** Matthews correlation coefficient (multiclass form for k > 2). */
  readonly mcc: number;
  readonly perClass: readonly LabelledClassScores[];
  /** Unweighted mean over all k labels, including labels absent from the data (scored 0). */
  readonly macro: AveragedScores;
  /** Mean weighted by support. */
  readonly weighted: AveragedScores;
  /** Metrics of the positive class, when one was given. */
  readonly binary: PositiveClassScores | null;
  /** The headline F1: binary F1 of the positive class if given, else macro F1. */
  readonly f1: number;
  readonly f1Average: 'binary' | 'macro';
  /** Rows are true classes, columns predicted. */
  readonly confusionMatrix: readonly (readonly number[])[];
}

/** a / b, or 0 when b is 0: sklearn's default zero_division (without the warning). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** F1 as sklearn 1.2 computes it from precision and recall (0 when both are 0). */
function f1Of(precision: number, recall: number): number {
  const denom = precision + recall;
  return denom === 0 ? 0 : (2 * precision * recall) / denom;
}

/** Fraction of examples on the diagonal; 0 for an empty matrix. */
export function accuracyFromConfusion(matrix: readonly (readonly number[])[]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, t) => {
    row.forEach((count, p) => {
      total += count;
      if (t === p) {
        correct += count;
      }
    });
  });
  return ratio(correct, total);
}

/** One-vs-rest precision, recall, F1 and support of every class of a k×k confusion matrix. */
export function perClassScores(matrix: readonly (readonly number[])[]): ClassScores[] {
  const k = matrix.length;
  const predicted = new Array<number>(k).fill(0);
  for (const row of matrix) {
    row.forEach((count, p) => {
      predicted[p] = (predicted[p] as number) + count;
    });
  }
  return matrix.map((row, c) => {
    const tp = row[c] ?? 0;
    const support = row.reduce((s, v) => s + v, 0);
    const precision = ratio(tp, predicted[c] as number);
    const recall = ratio(tp, support);
    return { precision, recall, f1: f1Of(precision, recall), support };
  });
}

/** Matthews correlation coefficient from a k×k confusion matrix (sklearn's multiclass form; 0 if undefined). */
export function mccFromConfusion(matrix: readonly (readonly number[])[]): number {
  const k = matrix.length;
  const tSum = new Array<number>(k).fill(0);
  const pSum = new Array<number>(k).fill(0);
  let correct = 0;
  matrix.forEach((row, t) => {
    row.forEach((count, p) => {
      tSum[t] = (tSum[t] as number) + count;
      pSum[p] = (pSum[p] as number) + count;
      if (t === p) {
        correct += count;
      }
    });
  });
  const n = pSum.reduce((s, v) => s + v, 0);
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let c = 0; c < k; c++) {
    const t = tSum[c] as number;
    const p = pSum[c] as number;
    tp += t * p;
    pp += p * p;
    tt += t * t;
  }
  const covTP = correct * n - tp;
  const covPP = n * n - pp;
  const covTT = n * n - tt;
  return covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);
}

function average(scores: readonly ClassScores[], weights: readonly number[]): AveragedScores {
  const total = weights.reduce((s, w) => s + w, 0);
  const mean = (pick: (s: ClassScores) => number): number =>
    ratio(
      scores.reduce((s, c, i) => s + pick(c) * (weights[i] as number), 0),
      total,
    );
  return {
    precision: mean((s) => s.precision),
    recall: mean((s) => s.recall),
    f1: mean((s) => s.f1),
  };
}

/**
 * Evaluates integer predictions against integer truths for the classes `labels` (index = class).
 * With `positive`, `f1` is that class's binary F1 (the project's binary headline); otherwise macro F1.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  labels: readonly string[],
  options: { positive?: number } = {},
): ClassificationReport {
  const k = labels.length;
  checkClassCount(k, 'classificationReport (labels)');
  const { positive } = options;
  if (positive !== undefined && (!Number.isInteger(positive) || positive < 0 || positive >= k)) {
    throw inputError(
      'metrics.bad-positive-class',
      `classificationReport: positive class ${positive} is not a class index in 0..${k - 1}`,
      'pass the index of the positive label in `labels` (e.g. the index of "Betalactamase")',
    );
  }
  const matrix = confusionMatrix(yTrue, yPred, k);
  const scores = perClassScores(matrix);
  const perClass = scores.map((s, i) => ({ label: labels[i] as string, ...s }));
  // Like sklearn's average='macro' without an explicit label list: a class that is neither in
  // yTrue nor predicted (e.g. a family held out of this test split) does not count as F1 = 0.
  const macro = average(
    scores,
    matrix.map((row, c) => (row.some((v) => v > 0) || matrix.some((r) => (r[c] ?? 0) > 0) ? 1 : 0)),
  );
  const weighted = average(
    scores,
    scores.map((s) => s.support),
  );
  const binary =
    positive === undefined
      ? null
      : { index: positive, ...(perClass[positive] as LabelledClassScores) };
  return {
    labels: [...labels],
    n: yTrue.length,
    accuracy: accuracyFromConfusion(matrix),
    mcc: mccFromConfusion(matrix),
    perClass,
    macro,
    weighted,
    binary,
    f1: binary === null ? macro.f1 : binary.f1,
    f1Average: binary === null ? 'macro' : 'binary',
    confusionMatrix: matrix,
  };
}
