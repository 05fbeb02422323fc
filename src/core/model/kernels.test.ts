// jsKernels against naive float64 references: every gemm transpose case at odd sizes, softmax-CE, Adam/AdamW/AMSGrad and SGD.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { jsKernels } from './kernels.ts';
import { gemmChecks, maxAbsDiff, optimizerChecks } from './test-support/kernel-checks.ts';

describe('jsKernels.gemm', () => {
  it('matches a naive float64 product for every transpose case and odd sizes', () => {
    for (const check of gemmChecks(jsKernels, 1e-6)) {
      expect(check.relativeError, check.label).toBeLessThan(1);
    }
  });

  it('overwrites NaN in C when beta is 0, and works on subarray views', () => {
    const a = new Float32Array([0, 1, 2, 3, 4, 5, 6]).subarray(1); // 2×3
    const b = new Float32Array([1, 0, 0, 1, 1, 1]); // 3×2
    const c = new Float32Array([NaN, NaN, NaN, NaN]);
    jsKernels.gemm(false, false, 2, 2, 3, 1, a, b, 0, c);
    expect(Array.from(c)).toEqual([1 + 3, 2 + 3, 4 + 6, 5 + 6]);
  });

  it('rejects operands that are too small', () => {
    expect(() =>
      jsKernels.gemm(
        false,
        false,
        2,
        2,
        2,
        1,
        new Float32Array(3),
        new Float32Array(4),
        0,
        new Float32Array(4),
      ),
    ).toThrow(RangeError);
  });
});

describe('jsKernels element-wise operations', () => {
  it('adds bias, applies ReLU forward/backward, masks and sums columns', () => {
    const y = new Float32Array([1, -2, 3, -4, 5, -6]);
    jsKernels.addBias(y, new Float32Array([1, 1, -10]), 2, 3);
    expect(Array.from(y)).toEqual([2, -1, -7, -3, 6, -16]);
    jsKernels.reluForward(y, 6);
    expect(Array.from(y)).toEqual([2, 0, 0, 0, 6, 0]);
    const g = new Float32Array([1, 2, 3, 4, 5, 6]);
    jsKernels.reluBackward(g, y, 6);
    expect(Array.from(g)).toEqual([1, 0, 0, 0, 5, 0]);
    jsKernels.multiply(g, new Float32Array([2, 2, 2, 2, 0, 2]), 6);
    expect(Array.from(g)).toEqual([2, 0, 0, 0, 0, 0]);
    const out = new Float32Array([10, 10, 10]);
    jsKernels.columnSums(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3, out, 0.5);
    expect(Array.from(out)).toEqual([10, 12, 14]);
  });
});

describe('jsKernels.dropoutMask', () => {
  it('draws the mask from createRng(seed) with inverted scaling', () => {
    const mask = new Float32Array(1000);
    jsKernels.dropoutMask(mask, 1000, 0.3, 12345);
    const rng = createRng(12345);
    const expected = Float32Array.from({ length: 1000 }, () => (rng() < 0.3 ? 0 : 1 / 0.7));
    expect(mask).toEqual(expected);
    const dropped = mask.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(250);
    expect(dropped).toBeLessThan(350);
  });
});

describe('jsKernels.softmaxCrossEntropy', () => {
  it('matches PyTorch CrossEntropyLoss(weight) and its gradient', () => {
    const logits = new Float32Array([1, 2, 3, 0, 0, 0, 5, -5, 0.5, 100, 0, 0]);
    const labels = new Int32Array([2, 0, 1, 0]);
    const w = new Float32Array([0.5, 2, 1]);
    const proba = new Float32Array(12);
    const grad = new Float32Array(12);
    const loss = jsKernels.softmaxCrossEntropy(logits, labels, 4, 3, w, proba, grad);
    let num = 0;
    let den = 0;
    const expectedGrad: number[] = [];
    const rowsP: number[][] = [];
    for (let r = 0; r < 4; r++) {
      const z = [0, 1, 2].map((j) => logits[r * 3 + j] as number);
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const s = e.reduce((acc, v) => acc + v, 0);
      const p = e.map((v) => v / s);
      rowsP.push(p);
      const y = labels[r] as number;
      num += (w[y] as number) * -Math.log(p[y] as number);
      den += w[y] as number;
    }
    for (let r = 0; r < 4; r++) {
      const y = labels[r] as number;
      for (let j = 0; j < 3; j++) {
        expectedGrad.push(
          ((w[y] as number) / den) * ((rowsP[r]?.[j] as number) - (j === y ? 1 : 0)),
        );
      }
    }
    expect(loss).toBeCloseTo(num / den, 6);
    expect(maxAbsDiff(grad, expectedGrad)).toBeLessThan(1e-7);
    expect(maxAbsDiff(proba, rowsP.flat())).toBeLessThan(1e-7);
  });
});

describe('jsKernels optimizer updates', () => {
  it('match PyTorch Adam, AdamW, AMSGrad and SGD (momentum, Nesterov) formulas', () => {
    for (const check of optimizerChecks(jsKernels)) {
      expect(check.relativeError, check.label).toBeLessThan(1);
    }
  });
});
