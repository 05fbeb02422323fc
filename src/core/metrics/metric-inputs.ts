// Argument checks shared by the metrics: equal lengths, integer labels in range, n×k score matrices.
import { inputError } from '../errors.ts';

/** Throws unless `a` and `b` have the same length. */
export function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) {
    throw inputError(
      'metrics.length-mismatch',
      `${what}: ${a.length} true values but ${b.length} predicted values`,
      'pass one prediction (or score) per example, in the same order as the true labels',
    );
  }
}

/** Throws unless k is an integer ≥ 1. */
export function checkClassCount(k: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) {
    throw inputError(
      'metrics.bad-class-count',
      `${what}: the number of classes must be a positive integer, got ${k}`,
      'pass k = the number of labels of the task (2 for binary, 5 for multiclass)',
    );
  }
}

/** Throws unless every value is an integer class index in [0, k). */
export function checkLabels(y: ArrayLike<number>, k: number, what: string): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw inputError(
        'metrics.label-out-of-range',
        `${what}: value ${v} at index ${i} is not a class index in 0..${k - 1}`,
        'encode labels as integers 0..k-1 in the order of the task labels',
      );
    }
  }
}

/** Throws unless every value is 0 or 1. */
export function checkBinary(y: ArrayLike<number>, what: string): void {
  checkLabels(y, 2, what);
}

/** Throws unless `matrix` holds n rows of k values and no NaN. */
export function checkMatrix(matrix: ArrayLike<number>, n: number, k: number, what: string): void {
  if (matrix.length !== n * k) {
    throw inputError(
      'metrics.bad-matrix-shape',
      `${what}: expected ${n}×${k} = ${n * k} values (row-major), got ${matrix.length}`,
      'pass one row of k scores per example, rows concatenated',
    );
  }
  checkFinite(matrix, what);
}

/** Throws if any value is NaN (±Infinity is allowed: it still orders). */
export function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      throw inputError(
        'metrics.nan-score',
        `${what}: value at index ${i} is NaN`,
        'check the model output: scores and probabilities must be numbers',
      );
    }
  }
}
