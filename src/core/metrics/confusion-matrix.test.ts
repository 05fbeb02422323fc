// Tests of the confusion matrix: orientation (rows true, columns predicted), empty input and bad labels.
import { describe, expect, it } from 'vitest';
import { isArginatorError } from '../errors.ts';
import { confusionMatrix } from './confusion-matrix.ts';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isArginatorError(e)) {
      return `${e.code}:${e.reason}`;
    }
    throw e;
  }
  throw new Error('expected an ArginatorError');
}

describe('confusionMatrix', () => {
  it('counts true classes in rows and predicted classes in columns', () => {
    expect(confusionMatrix([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], 3)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
  });

  it('accepts typed arrays and keeps rows and columns of classes that never occur', () => {
    expect(confusionMatrix(Int32Array.from([0, 0]), Uint8Array.from([0, 2]), 4)).toEqual([
      [1, 0, 1, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('is all zeros for no examples', () => {
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects mismatched lengths, labels out of range or not integers, and a bad k', () => {
    expect(reasonOf(() => confusionMatrix([0, 1], [0], 2))).toBe(
      'BAD_INPUT:metrics.length-mismatch',
    );
    expect(reasonOf(() => confusionMatrix([0, 2], [0, 1], 2))).toBe(
      'BAD_INPUT:metrics.label-out-of-range',
    );
    expect(reasonOf(() => confusionMatrix([0, 1], [0, 0.5], 2))).toBe(
      'BAD_INPUT:metrics.label-out-of-range',
    );
    expect(reasonOf(() => confusionMatrix([0], [-1], 2))).toBe(
      'BAD_INPUT:metrics.label-out-of-range',
    );
    expect(reasonOf(() => confusionMatrix([0], [0], 0))).toBe('BAD_INPUT:metrics.bad-class-count');
  });
});
