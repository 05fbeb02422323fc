// W&B's parameter distributions: CDF (to map a value into [0,1] for the GP) and PPF (to sample or map back).
import type { Rng } from '../rng.ts';
import type { ParamSpec, ParamValue } from './types.ts';

/** erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal quantile: Acklam's rational approximation (relative error 1.15e-9), then one
 * Halley step against normalCdf so that cdf(ppf(p)) round-trips at the CDF's own accuracy.
 */
export function normalPpf(p: number): number {
  if (p <= 0) {
    return -Infinity;
  }
  if (p >= 1) {
    return Infinity;
  }
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
      (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** round(x / q) * q, as W&B quantises; non-integer steps are cleaned of binary noise (0.30000000000000004). */
export function quantise(x: number, q: number): number {
  const v = roundHalfEven(x / q) * q;
  return Number.isInteger(q) ? v : Number(v.toPrecision(12));
}

/** scipy.stats.randint(low, high).cdf for an integer k: P(X <= k), X uniform on low..high-1. */
function randintCdf(k: number, low: number, high: number): number {
  return Math.min(1, Math.max(0, (Math.floor(k) - low + 1) / (high - low)));
}

/** scipy's randint.ppf, clamped to the support (scipy returns low-1 at exactly p = 0). */
function randintPpf(p: number, low: number, high: number): number {
  return Math.min(high - 1, Math.max(low, Math.ceil(p * (high - low) + low - 1)));
}

const uniformCdf = (x: number, lo: number, hi: number): number =>
  Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
const uniformPpf = (p: number, lo: number, hi: number): number => lo + p * (hi - lo);

/** Index of a categorical value (deep equality for lists), or -1. */
export function categoricalIndex(values: readonly ParamValue[], value: ParamValue): number {
  const key = JSON.stringify(value);
  return values.findIndex((v) => JSON.stringify(v) === key);
}

/**
 * W&B's HyperParameter.cdf: the value's position in [0,1] under the parameter's distribution.
 * Categorical parameters use the index of the value (randint over the indices), constants 0.
 */
export function paramCdf(param: ParamSpec, value: ParamValue): number {
  if (param.distribution === 'constant') {
    return 0;
  }
  if (param.distribution === 'categorical') {
    return randintCdf(categoricalIndex(param.values, value), 0, param.values.length);
  }
  const x = Number(value);
  switch (param.distribution) {
    case 'int_uniform':
      return randintCdf(x, param.min, param.max + 1);
    case 'uniform':
    case 'q_uniform':
      return uniformCdf(x, param.min, param.max);
    case 'log_uniform':
    case 'q_log_uniform':
      return uniformCdf(Math.log(x), param.min, param.max);
    case 'log_uniform_values':
    case 'q_log_uniform_values':
      return uniformCdf(Math.log(x), Math.log(param.min), Math.log(param.max));
    case 'inv_log_uniform':
      return 1 - uniformCdf(Math.log(1 / x), param.min, param.max);
    case 'inv_log_uniform_values':
      return 1 - uniformCdf(Math.log(1 / x), -Math.log(param.max), -Math.log(param.min));
    case 'normal':
    case 'q_normal':
      return normalCdf((x - param.mu) / param.sigma);
    case 'log_normal':
    case 'q_log_normal':
      return x <= 0 ? 0 : normalCdf((Math.log(x) - param.mu) / param.sigma);
  }
}

/** W&B's HyperParameter.ppf: the value at position p in [0,1]. */
export function paramPpf(param: ParamSpec, p: number): ParamValue {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`ppf of ${param.name} needs p in [0, 1], got ${p}`);
  }
  switch (param.distribution) {
    case 'constant':
      return param.value;
    case 'categorical':
      return param.values[randintPpf(p, 0, param.values.length)] ?? null;
    case 'int_uniform':
      return randintPpf(p, param.min, param.max + 1);
    case 'uniform':
      return uniformPpf(p, param.min, param.max);
    case 'q_uniform':
      return quantise(uniformPpf(p, param.min, param.max), param.q);
    case 'log_uniform':
      return Math.exp(uniformPpf(p, param.min, param.max));
    case 'log_uniform_values':
      return Math.exp(uniformPpf(p, Math.log(param.min), Math.log(param.max)));
    case 'q_log_uniform':
      return quantise(Math.exp(uniformPpf(p, param.min, param.max)), param.q);
    case 'q_log_uniform_values':
      return quantise(Math.exp(uniformPpf(p, Math.log(param.min), Math.log(param.max))), param.q);
    case 'inv_log_uniform':
      return Math.exp(-uniformPpf(1 - p, param.min, param.max));
    case 'inv_log_uniform_values':
      return Math.exp(-uniformPpf(1 - p, -Math.log(param.max), -Math.log(param.min)));
    case 'normal':
      return param.mu + param.sigma * normalPpf(p);
    case 'q_normal':
      return quantise(param.mu + param.sigma * normalPpf(p), param.q);
    case 'log_normal':
      return Math.exp(param.mu + param.sigma * normalPpf(p));
    case 'q_log_normal':
      return quantise(Math.exp(param.mu + param.sigma * normalPpf(p)), param.q);
  }
}

/** One random draw (W&B: ppf of a uniform draw). */
export function sampleParam(param: ParamSpec, rng: Rng): ParamValue {
  return paramPpf(param, rng());
}

/** The parameters W&B searches over (constants are not part of the space). */
export function searchable(params: readonly ParamSpec[]): ParamSpec[] {
  return params.filter((p) => p.distribution !== 'constant');
}

/** The range of values a parameter can take, for reports: [low, high] of the 0.1%–99.9% span for the unbounded ones. */
export function valueRange(param: ParamSpec): readonly [number, number] | undefined {
  if (param.distribution === 'constant' || param.distribution === 'categorical') {
    return undefined;
  }
  const lo = Number(paramPpf(param, param.distribution.includes('normal') ? 0.001 : 0));
  const hi = Number(paramPpf(param, param.distribution.includes('normal') ? 0.999 : 1));
  return lo <= hi ? [lo, hi] : [hi, lo];
}
