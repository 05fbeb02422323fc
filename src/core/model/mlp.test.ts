// MLP: gradients against float64 finite differences (with dropout and class weights), PyTorch-style init, prediction.
import { describe, expect, it } from 'vitest';

import { createRng, type Rng } from '../rng.ts';
import { jsKernels } from './kernels.ts';
import {
  createMlpWorkspace,
  initMlp,
  lossAndGradients,
  mlpFromData,
  parameterCount,
  predictProba,
  type MlpParams,
  type MlpSpec,
} from './mlp.ts';

/**
 * Float64 forward + weighted cross-entropy of the same network, with parameters taken from a
 * float64 copy of the flat array and the dropout masks given explicitly.
 */
function referenceLoss(
  spec: MlpSpec,
  flat: Float64Array,
  x: Float32Array,
  y: Int32Array,
  n: number,
  masks: readonly Float64Array[],
  classWeights: Float32Array | undefined,
): number {
  const widths = [spec.inputDim, ...spec.hidden, spec.outputDim];
  let act = Float64Array.from(x.subarray(0, n * spec.inputDim));
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const din = widths[l] as number;
    const dout = widths[l + 1] as number;
    const next = new Float64Array(n * dout);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < dout; j++) {
        let s = flat[offset + din * dout + j] as number;
        for (let i = 0; i < din; i++) {
          s += (act[r * din + i] as number) * (flat[offset + i * dout + j] as number);
        }
        if (l + 2 < widths.length) {
          s = Math.max(s, 0) * ((masks[l] as Float64Array)[r * dout + j] ?? 1);
        }
        next[r * dout + j] = s;
      }
    }
    offset += din * dout + dout;
    act = next;
  }
  const c = spec.outputDim;
  let num = 0;
  let den = 0;
  for (let r = 0; r < n; r++) {
    const z = Array.from(act.subarray(r * c, (r + 1) * c));
    const mx = Math.max(...z);
    const lse = mx + Math.log(z.reduce((acc, v) => acc + Math.exp(v - mx), 0));
    const t = y[r] as number;
    const w = classWeights === undefined ? 1 : (classWeights[t] as number);
    num += w * (lse - (z[t] as number));
    den += w;
  }
  return num / den;
}

/** The masks lossAndGradients draws with a dropout rng of this seed: one seed per layer, then mulberry32 per unit. */
function masksFor(spec: MlpSpec, n: number, seed: number): Float64Array[] {
  const rng: Rng = createRng(seed);
  return spec.hidden.map((d) => {
    const unitRng = createRng(Math.floor(rng() * 4294967296));
    return Float64Array.from({ length: n * d }, () =>
      unitRng() < spec.dropout ? 0 : 1 / (1 - spec.dropout),
    );
  });
}

function gradientCheck(spec: MlpSpec, withWeights: boolean): void {
  const rng = createRng(11);
  const n = 6;
  const params = initMlp(spec, rng);
  const x = Float32Array.from({ length: n * spec.inputDim }, () => 2 * rng() - 1);
  const y = Int32Array.from({ length: n }, (_, i) => i % spec.outputDim);
  const classWeights = withWeights
    ? Float32Array.from({ length: spec.outputDim }, (_, i) => 0.5 + i)
    : undefined;
  const grads = mlpFromData(spec, new Float32Array(params.data.length));
  const ws = createMlpWorkspace(spec, n);
  const loss = lossAndGradients(params, grads, x, y, n, jsKernels, ws, {
    classWeights,
    dropoutRng: createRng(99),
  });
  const masks = masksFor(spec, n, 99);
  const flat = Float64Array.from(params.data);
  expect(loss).toBeCloseTo(referenceLoss(spec, flat, x, y, n, masks, classWeights), 5);
  const h = 1e-6;
  for (let i = 0; i < flat.length; i++) {
    const keep = flat[i] as number;
    flat[i] = keep + h;
    const up = referenceLoss(spec, flat, x, y, n, masks, classWeights);
    flat[i] = keep - h;
    const down = referenceLoss(spec, flat, x, y, n, masks, classWeights);
    flat[i] = keep;
    const numeric = (up - down) / (2 * h);
    expect(Math.abs((grads.data[i] as number) - numeric), `parameter ${i}`).toBeLessThan(
      1e-5 + 1e-3 * Math.abs(numeric),
    );
  }
}

describe('lossAndGradients', () => {
  it('matches float64 finite differences for a 2-hidden-layer net with dropout', () => {
    gradientCheck({ inputDim: 7, hidden: [5, 4], outputDim: 3, dropout: 0.3 }, false);
  });

  it('matches finite differences with class weights', () => {
    gradientCheck({ inputDim: 5, hidden: [6], outputDim: 4, dropout: 0 }, true);
  });

  it('matches finite differences for the linear model (hidden: [])', () => {
    gradientCheck({ inputDim: 6, hidden: [], outputDim: 3, dropout: 0.5 }, true);
  });
});

describe('initMlp', () => {
  it('draws weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and is seeded', () => {
    const spec: MlpSpec = { inputDim: 64, hidden: [32], outputDim: 5, dropout: 0.2 };
    const a = initMlp(spec, createRng(1));
    const b = initMlp(spec, createRng(1));
    expect(a.data).toEqual(b.data);
    expect(a.data.length).toBe(parameterCount(spec));
    expect(parameterCount(spec)).toBe(65 * 32 + 33 * 5);
    for (const layer of a.layers) {
      const bound = 1 / Math.sqrt(layer.inDim);
      const all = [...layer.weight, ...layer.bias];
      expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
      // Uniform on [-b, b] has mean |w| = b/2.
      const meanAbs = all.reduce((s, v) => s + Math.abs(v), 0) / all.length;
      expect(meanAbs / bound).toBeGreaterThan(0.4);
      expect(meanAbs / bound).toBeLessThan(0.6);
    }
  });

  it('rejects bad specs', () => {
    expect(() =>
      initMlp({ inputDim: 4, hidden: [0], outputDim: 2, dropout: 0 }, createRng(1)),
    ).toThrow(RangeError);
    expect(() =>
      initMlp({ inputDim: 4, hidden: [], outputDim: 2, dropout: 1 }, createRng(1)),
    ).toThrow(RangeError);
  });
});

describe('predictProba', () => {
  const spec: MlpSpec = { inputDim: 3, hidden: [4], outputDim: 3, dropout: 0.5 };
  const params: MlpParams = initMlp(spec, createRng(5));
  const rng = createRng(6);
  const n = 2100; // more than one 1024-row chunk
  const x = Float32Array.from({ length: n * 3 }, () => 4 * rng() - 2);

  it('gives rows that sum to 1, without dropout (deterministic), across chunks', () => {
    const p = predictProba(params, x, n, jsKernels);
    const q = predictProba(params, x, n, jsKernels);
    expect(p).toEqual(q);
    for (let r = 0; r < n; r++) {
      expect(
        (p[r * 3] as number) + (p[r * 3 + 1] as number) + (p[r * 3 + 2] as number),
      ).toBeCloseTo(1, 5);
    }
    const single = predictProba(params, x.subarray(2050 * 3, 2051 * 3), 1, jsKernels);
    expect(maxDiff(single, p.subarray(2050 * 3, 2051 * 3))).toBeLessThan(1e-6);
  });

  it('flattens with temperature > 1 and sharpens with temperature < 1', () => {
    const base = predictProba(params, x, 1, jsKernels);
    const hot = predictProba(params, x, 1, jsKernels, 10);
    const cold = predictProba(params, x, 1, jsKernels, 0.1);
    const top = Math.max(...base);
    expect(Math.max(...hot)).toBeLessThan(top);
    expect(Math.max(...cold)).toBeGreaterThan(top);
    expect(() => predictProba(params, x, 1, jsKernels, 0)).toThrow(RangeError);
  });
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return d;
}
