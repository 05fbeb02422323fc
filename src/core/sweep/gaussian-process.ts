// A Gaussian process with W&B's settings: Matérn ν=1.5 kernel, one length scale fitted by marginal likelihood, nugget 1e-7.

/** W&B's GAUSSIAN_PROCESS_NUGGET (sklearn's alpha): added to the kernel's diagonal. */
export const GP_NUGGET = 1e-7;
/** sklearn's default length-scale bounds for Matern. */
export const LENGTH_SCALE_BOUNDS = [1e-5, 1e5] as const;

/** Matérn ν=1.5 covariance at distance d: (1 + √3 d/ℓ) exp(−√3 d/ℓ). */
export function matern15(distance: number, lengthScale: number): number {
  const r = (Math.sqrt(3) * distance) / lengthScale;
  return (1 + r) * Math.exp(-r);
}

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Lower Cholesky factor of a symmetric positive-definite n×n matrix (row-major); undefined if not SPD. */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) {
        s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      }
      if (i === j) {
        if (!(s > 0)) {
          return undefined;
        }
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] as number);
      }
    }
  }
  return l;
}

/** Solves L z = b (forward substitution). */
function forward(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) {
      s -= (l[i * n + k] as number) * (z[k] as number);
    }
    z[i] = s / (l[i * n + i] as number);
  }
  return z;
}

/** Solves Lᵀ x = z (back substitution). */
function backward(l: Float64Array, n: number, z: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let k = i + 1; k < n; k++) {
      s -= (l[k * n + i] as number) * (x[k] as number);
    }
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}

export interface FittedGp {
  readonly lengthScale: number;
  readonly logMarginalLikelihood: number;
  /** The fitted length scale sits on a bound of LENGTH_SCALE_BOUNDS (W&B then samples at random). */
  readonly atBound: boolean;
  /** Posterior mean and standard deviation at x (in the units of the y it was fitted on). */
  predict(x: readonly number[]): { mean: number; std: number };
}

interface Factor {
  readonly l: Float64Array;
  readonly alpha: Float64Array;
  readonly lml: number;
}

function factor(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lengthScale: number,
): Factor | undefined {
  const n = x.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = matern15(distance(x[i] as number[], x[j] as number[]), lengthScale);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
    k[i * n + i] = (k[i * n + i] as number) + GP_NUGGET;
  }
  const l = cholesky(k, n);
  if (l === undefined) {
    return undefined;
  }
  const yv = Float64Array.from(y);
  const alpha = backward(l, n, forward(l, n, yv));
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += (yv[i] as number) * (alpha[i] as number);
    logDet += Math.log(l[i * n + i] as number);
  }
  return { l, alpha, lml: -0.5 * fit - logDet - (n / 2) * Math.log(2 * Math.PI) };
}

/** Log marginal likelihood of y under the GP with this length scale (sklearn's definition). */
export function logMarginalLikelihood(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lengthScale: number,
): number {
  return factor(x, y, lengthScale)?.lml ?? -Infinity;
}

/** A GP with a fixed length scale (as sklearn with optimizer=None). */
export function gpWithLengthScale(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lengthScale: number,
  atBound = false,
): FittedGp {
  const f = factor(x, y, lengthScale);
  if (f === undefined) {
    throw new Error(`the GP kernel matrix is not positive definite (length scale ${lengthScale})`);
  }
  const n = x.length;
  return {
    lengthScale,
    logMarginalLikelihood: f.lml,
    atBound,
    predict(point) {
      const ks = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        ks[i] = matern15(distance(point, x[i] as number[]), lengthScale);
      }
      let mean = 0;
      for (let i = 0; i < n; i++) {
        mean += (ks[i] as number) * (f.alpha[i] as number);
      }
      const v = forward(f.l, n, ks);
      let vv = 0;
      for (let i = 0; i < n; i++) {
        vv += (v[i] as number) * (v[i] as number);
      }
      // sklearn clips negative variances (rounding) to 0.
      return { mean, std: Math.sqrt(Math.max(0, 1 - vv)) };
    },
  };
}

/**
 * Fits the length scale by maximising the log marginal likelihood over [1e-5, 1e5]. sklearn
 * runs L-BFGS-B from the initial 1.0 plus random restarts; with one length scale the search is
 * one-dimensional, so a grid over log ℓ (0.05 decades) and a golden-section refinement find the
 * global optimum deterministically, which is what the restarts aim at.
 */
export function fitGp(x: readonly (readonly number[])[], y: readonly number[]): FittedGp {
  const lo = Math.log(LENGTH_SCALE_BOUNDS[0]);
  const hi = Math.log(LENGTH_SCALE_BOUNDS[1]);
  const steps = 200;
  const at = (t: number): number => logMarginalLikelihood(x, y, Math.exp(t));
  let bestI = 0;
  let best = -Infinity;
  for (let i = 0; i <= steps; i++) {
    const v = at(lo + ((hi - lo) * i) / steps);
    if (v > best) {
      best = v;
      bestI = i;
    }
  }
  const h = (hi - lo) / steps;
  let a = Math.max(lo, lo + (bestI - 1) * h);
  let b = Math.min(hi, lo + (bestI + 1) * h);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = at(c);
  let fd = at(d);
  for (let it = 0; it < 60; it++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = at(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = at(d);
    }
  }
  let t = (a + b) / 2;
  // The ends of the grid are candidates too (golden section only looks inside).
  for (const end of [lo, hi]) {
    if (at(end) > at(t)) {
      t = end;
    }
  }
  // sklearn's np.isclose(bounds, theta) test, in log space as sklearn stores theta.
  const close = (u: number, v: number): boolean => Math.abs(u - v) <= 1e-8 + 1e-5 * Math.abs(v);
  const atBound = close(lo, t) || close(hi, t);
  return gpWithLengthScale(x, y, Math.exp(t), atBound);
}
