// The native addon agrees with jsKernels (and the float64 references) on every operation and on a whole training run.
import { describe, expect, it } from 'vitest';

import { jsKernels, type Kernels } from '../core/model/kernels.ts';
import { DEFAULT_ADAM } from '../core/model/optimizer.ts';
import { applyStandardisation } from '../core/model/standardise.ts';
import {
  gemmChecks,
  maxAbsDiff,
  optimizerChecks,
  randomArray,
} from '../core/model/test-support/kernel-checks.ts';
import { trainClassifier } from '../core/model/train-loop.ts';
import { createRng } from '../core/rng.ts';
import { loadFastestKernels } from './load-kernels.ts';
import { NATIVE_ADDON_PATH } from './native-addon.ts';
import { loadNativeKernels } from './native-kernels.ts';

const native = loadNativeKernels({ threads: 2 });
const nativeOneThread = loadNativeKernels({ threads: 1 });

describe('native addon availability', () => {
  it('loads in CI (a silently missing addon would make training ~20x slower)', () => {
    if (process.env.CI === 'true') {
      expect(
        native,
        `expected the addon at ${NATIVE_ADDON_PATH}; did \`npm ci\` build it?`,
      ).toBeDefined();
    }
  });

  it('loadFastestKernels returns the addon when built, else jsKernels with one notice', () => {
    const notices: string[] = [];
    const kernels = loadFastestKernels({ notify: (line) => notices.push(line) });
    if (native === undefined) {
      expect(kernels).toBe(jsKernels);
      expect(notices).toHaveLength(1);
    } else {
      expect(kernels.name).toMatch(/^native-/);
      expect(notices).toHaveLength(0);
    }
  });
});

describe.skipIf(native === undefined)('native kernels', () => {
  const engines = [native, nativeOneThread].filter((k): k is Kernels => k !== undefined);

  it('gemm matches the float64 reference for every transpose case, 1 and 2 threads', () => {
    for (const kernels of engines) {
      for (const check of gemmChecks(kernels, 1e-6)) {
        expect(check.relativeError, check.label).toBeLessThan(1);
      }
    }
  });

  it("gemmPacked gives gemm's values bit for bit, for any number of rows, 1 and 2 threads", () => {
    const rng = createRng(31);
    // n not a multiple of the 16-wide panels, k spanning several 256-deep blocks.
    const n = 1043;
    const k = 700;
    const b = Float32Array.from({ length: n * k }, () => rng() - 0.5);
    for (const kernels of [native, nativeOneThread]) {
      const packB = kernels?.packB;
      const gemmPacked = kernels?.gemmPacked;
      expect(packB).toBeDefined();
      expect(gemmPacked).toBeDefined();
      if (kernels === undefined || packB === undefined || gemmPacked === undefined) {
        return;
      }
      const packed = packB(true, n, k, b);
      for (const m of [1, 3, 25, 200]) {
        const a = Float32Array.from({ length: m * k }, () => rng() - 0.5);
        const expected = new Float32Array(m * n);
        kernels.gemm(false, true, m, n, k, 1, a, b, 0, expected);
        const got = new Float32Array(m * n).fill(Number.NaN);
        gemmPacked(m, n, k, 1, a, packed, 0, got);
        expect(Array.from(got)).toEqual(Array.from(expected));
      }
      // A packed matrix of another shape is refused, not misread.
      expect(() => {
        gemmPacked(
          2,
          n + 40,
          k,
          1,
          new Float32Array(2 * k),
          packed,
          0,
          new Float32Array(2 * (n + 40)),
        );
      }).toThrow(/packedB/);
    }
  });

  // 1,043 × 700 packs on one thread, 1,543 × 700 (over a million values) on two.
  it.each([1043, 1543])(
    'packB with normaliseRows packs the unit rows bit for bit (a zero row stays zero), n = %i',
    (n) => {
      const rng = createRng(37);
      const k = 700;
      const b = Float32Array.from({ length: n * k }, () => (rng() - 0.5) * 3);
      b.fill(0, 5 * k, 6 * k);
      // The arithmetic of core/model/homology.ts's normalisedRows.
      const unit = new Float32Array(n * k);
      for (let r = 0; r < n; r++) {
        let sum = 0;
        for (let j = r * k; j < (r + 1) * k; j++) {
          sum += (b[j] as number) * (b[j] as number);
        }
        const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
        for (let j = r * k; j < (r + 1) * k; j++) {
          unit[j] = (b[j] as number) * inv;
        }
      }
      const packB = native?.packB;
      expect(packB).toBeDefined();
      if (packB === undefined) {
        return;
      }
      const before = Float32Array.from(b);
      expect(Array.from(packB(true, n, k, b, true))).toEqual(Array.from(packB(true, n, k, unit)));
      // Plain packing of op(B) = B (not transposed) too: the layout of a gemm over the same values.
      const a = Float32Array.from({ length: 3 * n }, () => rng() - 0.5);
      const expected = new Float32Array(3 * k);
      native?.gemm(false, false, 3, k, n, 1, a, b, 0, expected);
      const got = new Float32Array(3 * k);
      native?.gemmPacked?.(3, k, n, 1, a, packB(false, k, n, b), 0, got);
      expect(Array.from(got)).toEqual(Array.from(expected));
      expect(Array.from(b)).toEqual(Array.from(before)); // B itself is not changed
      expect(() => packB(false, n, k, b, true)).toThrow(/normaliseRows/);
    },
  );

  it("standardise gives applyStandardisation's values bit for bit", () => {
    const standardise = native?.standardise;
    expect(standardise).toBeDefined();
    if (standardise === undefined) {
      return;
    }
    const rng = createRng(41);
    const rows = 37;
    const cols = 1390;
    // Mixed scales, a constant feature (std 1, only centred), tiny and large stds, negative values.
    const x = Float32Array.from(
      { length: rows * cols },
      (_, i) => (rng() - 0.3) * 10 ** ((i % 7) - 3),
    );
    const mean = Float32Array.from({ length: cols }, () => (rng() - 0.5) * 3);
    const std = Float32Array.from({ length: cols }, (_, j) =>
      j % 11 === 0 ? 1 : 10 ** (rng() * 6 - 4),
    );
    const expected = applyStandardisation(
      { x, y: new Int32Array(rows), n: rows, dim: cols },
      mean,
      std,
    ).x;
    const out = new Float32Array(rows * cols).fill(Number.NaN);
    standardise(x, mean, std, rows, cols, out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(() => standardise(x, mean, std, rows + 1, cols, out)).toThrow(/too small/);
  });

  it('optimizer updates match PyTorch formulas', () => {
    for (const check of optimizerChecks(native as Kernels)) {
      expect(check.relativeError, check.label).toBeLessThan(1);
    }
  });

  it('element-wise kernels and softmax-CE equal jsKernels', () => {
    const k = native as Kernels;
    const rng = createRng(21);
    const rows = 37;
    const cols = 23;
    const n = rows * cols;
    const pair = (): [Float32Array, Float32Array] => {
      const a = randomArray(n, rng);
      return [a, a.slice()];
    };
    const bias = randomArray(cols, rng);
    const [y1, y2] = pair();
    k.addBias(y1, bias, rows, cols);
    jsKernels.addBias(y2, bias, rows, cols);
    expect(y1).toEqual(y2);
    k.reluForward(y1, n);
    jsKernels.reluForward(y2, n);
    expect(y1).toEqual(y2);
    const [g1, g2] = pair();
    k.reluBackward(g1, y1, n);
    jsKernels.reluBackward(g2, y2, n);
    expect(g1).toEqual(g2);
    const mask = new Float32Array(n);
    const jsMask = new Float32Array(n);
    k.dropoutMask(mask, n, 0.3, 0xdeadbeef);
    jsKernels.dropoutMask(jsMask, n, 0.3, 0xdeadbeef);
    expect(mask).toEqual(jsMask); // bit-identical: same mulberry32 arithmetic
    k.multiply(g1, mask, n);
    jsKernels.multiply(g2, mask, n);
    expect(g1).toEqual(g2);
    const s1 = randomArray(cols, rng);
    const s2 = s1.slice();
    k.columnSums(g1, rows, cols, s1, 0.5);
    jsKernels.columnSums(g2, rows, cols, s2, 0.5);
    expect(maxAbsDiff(s1, s2)).toBeLessThan(1e-5);

    const classes = 5;
    const logits = Float32Array.from({ length: rows * classes }, () => 10 * rng() - 5);
    const labels = Int32Array.from({ length: rows }, (_, i) => i % classes);
    const weights = Float32Array.from([1, 2, 0.5, 1, 3]);
    const p1 = new Float32Array(rows * classes);
    const p2 = new Float32Array(rows * classes);
    const d1 = new Float32Array(rows * classes);
    const d2 = new Float32Array(rows * classes);
    const l1 = k.softmaxCrossEntropy(logits, labels, rows, classes, weights, p1, d1);
    const l2 = jsKernels.softmaxCrossEntropy(logits, labels, rows, classes, weights, p2, d2);
    expect(l1).toBeCloseTo(l2, 10);
    expect(maxAbsDiff(p1, p2)).toBeLessThan(1e-7);
    expect(maxAbsDiff(d1, d2)).toBeLessThan(1e-8);
    expect(
      k.softmaxCrossEntropy(logits, labels, rows, classes, undefined, p1, undefined),
    ).toBeCloseTo(
      jsKernels.softmaxCrossEntropy(logits, labels, rows, classes, undefined, p2, undefined),
      10,
    );
  });

  it('throws instead of touching memory out of bounds', () => {
    const k = native as Kernels;
    expect(() =>
      k.gemm(
        false,
        false,
        4,
        4,
        4,
        1,
        new Float32Array(15),
        new Float32Array(16),
        0,
        new Float32Array(16),
      ),
    ).toThrow(RangeError);
    expect(() =>
      k.softmaxCrossEntropy(
        new Float32Array(4),
        new Int32Array([0, 9]),
        2,
        2,
        undefined,
        new Float32Array(4),
        undefined,
      ),
    ).toThrow(RangeError);
    expect(() =>
      k.adamUpdate(
        new Float32Array(4),
        new Float32Array(3),
        new Float32Array(4),
        new Float32Array(4),
        undefined,
        4,
        {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          amsgrad: false,
          decoupled: false,
          step: 1,
        },
      ),
    ).toThrow(RangeError);
  });

  it('trains to the same history as jsKernels within float tolerance', async () => {
    const rng = createRng(4);
    const dim = 40;
    const make = (n: number) => {
      const x = randomArray(n * dim, rng);
      const y = Int32Array.from({ length: n }, (_, i) => {
        const row = x.subarray(i * dim, (i + 1) * dim);
        return ((row[0] as number) > 0 ? 1 : 0) + ((row[1] as number) > 0 ? 2 : 0);
      });
      return { x, y, n, dim };
    };
    const train = make(300);
    const val = make(100);
    const spec = { inputDim: dim, hidden: [64, 32], outputDim: 4, dropout: 0.2 };
    const options = { epochs: 3, batchSize: 32, optimizer: DEFAULT_ADAM, seed: 9 };
    const a = await trainClassifier(train, val, spec, options, native as Kernels);
    const b = await trainClassifier(train, val, spec, options, jsKernels);
    expect(a.bestEpoch).toBe(b.bestEpoch);
    for (let e = 0; e < 3; e++) {
      expect(a.history[e]?.trainLoss).toBeCloseTo(b.history[e]?.trainLoss ?? NaN, 4);
      expect(a.history[e]?.valLoss).toBeCloseTo(b.history[e]?.valLoss ?? NaN, 4);
    }
    expect(maxAbsDiff(a.params.data, b.params.data)).toBeLessThan(1e-3);
  });
});
