// Shared checks of any Kernels implementation against naive float64 references (used by the JS and native kernel tests).
import { createRng, type Rng } from '../../rng.ts';
import type { Kernels } from '../kernels.ts';

export function randomArray(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return d;
}

/** C = α·op(A)·op(B) + β·C in float64, the textbook way. */
export function naiveGemm(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = ta ? (a[p * m + i] as number) : (a[i * k + p] as number);
        const bv = tb ? (b[j * k + p] as number) : (b[p * n + j] as number);
        s += av * bv;
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * (c[i * n + j] as number));
    }
  }
  return out;
}

/** Odd sizes, edge tiles, k = 1, and products big enough to be blocked and split over threads. */
export const GEMM_CASES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [3, 5, 7],
  [7, 19, 33],
  [17, 13, 1],
  [6, 16, 256],
  [13, 37, 300],
  [65, 70, 129],
  [101, 211, 150],
];

export interface CheckResult {
  readonly label: string;
  /** Largest absolute error, already divided by the allowed tolerance (pass when < 1). */
  readonly relativeError: number;
}

/** Every transpose case × GEMM_CASES × a few (α, β); the error is scaled by tolerance·max(1, |α|)·√k (float32 rounding grows so). */
export function gemmChecks(kernels: Kernels, tolerance: number): CheckResult[] {
  const rng = createRng(7);
  const results: CheckResult[] = [];
  for (const [m, n, k] of GEMM_CASES) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, 1],
          [-2, 0.25],
        ] as const) {
          const a = randomArray(m * k, rng);
          const b = randomArray(k * n, rng);
          const c = randomArray(m * n, rng);
          const expected = naiveGemm(ta, tb, m, n, k, alpha, a, b, beta, c);
          kernels.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
          results.push({
            label: `${kernels.name} ta=${ta} tb=${tb} ${m}x${n}x${k} α=${alpha} β=${beta}`,
            relativeError:
              maxAbsDiff(c, expected) / (tolerance * Math.max(1, Math.abs(alpha)) * Math.sqrt(k)),
          });
        }
      }
    }
  }
  return results;
}

/** PyTorch's Adam/AdamW (incl. amsgrad) on one parameter vector, in float64. */
function referenceAdam(
  p: number[],
  gradsPerStep: readonly number[][],
  o: {
    lr: number;
    b1: number;
    b2: number;
    eps: number;
    wd: number;
    amsgrad: boolean;
    decoupled: boolean;
  },
): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const vmax = p.map(() => 0);
  gradsPerStep.forEach((grads, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      let g = grads[i] as number;
      if (o.decoupled) {
        p[i] = (p[i] as number) * (1 - o.lr * o.wd);
      } else {
        g += o.wd * (p[i] as number);
      }
      m[i] = o.b1 * (m[i] as number) + (1 - o.b1) * g;
      v[i] = o.b2 * (v[i] as number) + (1 - o.b2) * g * g;
      vmax[i] = Math.max(vmax[i] as number, v[i] as number);
      const denom =
        Math.sqrt(o.amsgrad ? (vmax[i] as number) : (v[i] as number)) / Math.sqrt(1 - o.b2 ** t) +
        o.eps;
      p[i] = (p[i] as number) - (o.lr / (1 - o.b1 ** t)) * ((m[i] as number) / denom);
    }
  });
  return p;
}

/** Adam/AdamW/AMSGrad and SGD (momentum, Nesterov) against float64 PyTorch formulas; absolute errors. */
export function optimizerChecks(kernels: Kernels): CheckResult[] {
  const rng = createRng(3);
  const n = 37;
  const start = Array.from({ length: n }, () => 2 * rng() - 1);
  const steps = Array.from({ length: 5 }, () => Array.from({ length: n }, () => 2 * rng() - 1));
  const results: CheckResult[] = [];
  for (const amsgrad of [false, true]) {
    for (const decoupled of [false, true]) {
      const o = { lr: 0.01, b1: 0.9, b2: 0.99, eps: 1e-8, wd: 0.1, amsgrad, decoupled };
      const expected = referenceAdam(start.slice(), steps, o);
      const params = Float32Array.from(start);
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const vMax = new Float32Array(n);
      steps.forEach((g, s) => {
        kernels.adamUpdate(params, Float32Array.from(g), m, v, vMax, n, {
          lr: o.lr,
          beta1: o.b1,
          beta2: o.b2,
          eps: o.eps,
          weightDecay: o.wd,
          amsgrad,
          decoupled,
          step: s + 1,
        });
      });
      results.push({
        label: `adam amsgrad=${amsgrad} decoupled=${decoupled}`,
        relativeError: maxAbsDiff(params, expected) / 1e-5,
      });
    }
  }
  for (const nesterov of [false, true]) {
    const lr = 0.1;
    const mom = 0.9;
    const wd = 0.01;
    const p = start.slice();
    const buf = p.map(() => 0);
    steps.forEach((g, s) => {
      for (let i = 0; i < n; i++) {
        const d = (g[i] as number) + wd * (p[i] as number);
        buf[i] = s === 0 ? d : mom * (buf[i] as number) + d;
        p[i] =
          (p[i] as number) - lr * (nesterov ? d + mom * (buf[i] as number) : (buf[i] as number));
      }
    });
    const params = Float32Array.from(start);
    const buffer = new Float32Array(n);
    steps.forEach((g, s) => {
      kernels.sgdUpdate(params, Float32Array.from(g), buffer, n, {
        lr,
        momentum: mom,
        dampening: 0,
        nesterov,
        weightDecay: wd,
        firstStep: s === 0,
      });
    });
    results.push({
      label: `sgd nesterov=${nesterov}`,
      relativeError: maxAbsDiff(params, p) / 1e-5,
    });
  }
  return results;
}
