// Temperature scaling (Guo et al. 2017): softmax(logits / T), mean log loss, and the T that minimises it.
import { inputError } from '../errors.ts';
import { checkClassCount, checkLabels, checkMatrix } from './metric-inputs.ts';

/** Row-wise softmax of an n×k row-major logit matrix divided by `temperature` (> 0). */
export function softmaxWithTemperature(
  logits: ArrayLike<number>,
  k: number,
  temperature = 1,
): Float64Array {
  checkClassCount(k, 'softmaxWithTemperature');
  checkTemperature(temperature);
  if (logits.length % k !== 0) {
    throw inputError(
      'metrics.bad-matrix-shape',
      `softmaxWithTemperature: ${logits.length} logits is not a whole number of rows of ${k}`,
      'pass one row of k logits per example, rows concatenated',
    );
  }
  const out = new Float64Array(logits.length);
  const beta = 1 / temperature;
  for (let row = 0; row < logits.length; row += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      max = Math.max(max, (logits[row + c] as number) * beta);
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((logits[row + c] as number) * beta - max);
      out[row + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) {
      out[row + c] = (out[row + c] as number) / sum;
    }
  }
  return out;
}

/**
 * Mean negative log-likelihood of the true classes under an n×k row-major probability matrix, as
 * sklearn's log_loss: probabilities clipped to [eps, 1 − eps] (float64 machine epsilon by default)
 * and each row renormalised.
 */
export function logLoss(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  k: number,
  options: { eps?: number } = {},
): number {
  checkClassCount(k, 'logLoss');
  checkLabels(yTrue, k, 'logLoss (true labels)');
  const n = yTrue.length;
  checkMatrix(probs, n, k, 'logLoss (probabilities)');
  if (n === 0) {
    throw inputError(
      'metrics.empty',
      'logLoss: no examples',
      'evaluate on a non-empty set of examples',
    );
  }
  const eps = options.eps ?? Number.EPSILON;
  const clip = (p: number): number => Math.min(Math.max(p, eps), 1 - eps);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let c = 0; c < k; c++) {
      rowSum += clip(probs[i * k + c] as number);
    }
    total -= Math.log(clip(probs[i * k + (yTrue[i] as number)] as number) / rowSum);
  }
  return total / n;
}

/** Mean NLL of softmax(logits / T) with its first two derivatives with respect to β = 1/T. */
function nllInBeta(
  logits: ArrayLike<number>,
  y: ArrayLike<number>,
  k: number,
  beta: number,
): { value: number; d1: number; d2: number } {
  const n = y.length;
  let value = 0;
  let d1 = 0;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      max = Math.max(max, beta * (logits[row + c] as number));
    }
    let sum = 0;
    let mean = 0;
    let second = 0;
    for (let c = 0; c < k; c++) {
      const z = logits[row + c] as number;
      const e = Math.exp(beta * z - max);
      sum += e;
      mean += e * z;
      second += e * z * z;
    }
    mean /= sum;
    second /= sum;
    const zy = logits[row + (y[i] as number)] as number;
    // NLL_i(β) = logsumexp(β z) − β z_y; its derivative is E_p[z] − z_y, its second Var_p[z] ≥ 0.
    value += max + Math.log(sum) - beta * zy;
    d1 += mean - zy;
    d2 += Math.max(0, second - mean * mean);
  }
  return n === 0 ? { value: 0, d1: 0, d2: 0 } : { value: value / n, d1: d1 / n, d2: d2 / n };
}

/** Mean NLL of softmax(logits / T) for true classes y (no clipping; stable for any T > 0). */
export function temperatureNll(
  logits: ArrayLike<number>,
  y: ArrayLike<number>,
  k: number,
  temperature: number,
): number {
  checkClassCount(k, 'temperatureNll');
  checkTemperature(temperature);
  checkLabels(y, k, 'temperatureNll (true labels)');
  checkMatrix(logits, y.length, k, 'temperatureNll (logits)');
  return nllInBeta(logits, y, k, 1 / temperature).value;
}

function checkTemperature(t: number): void {
  if (!(t > 0 && Number.isFinite(t))) {
    throw inputError(
      'metrics.bad-temperature',
      `temperature must be a finite number > 0, got ${t}`,
      'pass a positive temperature such as the one fitTemperature returns',
    );
  }
}

export interface FitTemperatureOptions {
  /** Smallest temperature returned (default 0.01). */
  readonly min?: number;
  /** Largest temperature returned (default 100). */
  readonly max?: number;
}

/**
 * The temperature T in [min, max] minimising the mean NLL of softmax(logits / T) for labels y
 * (n×k row-major logits, fitted on validation data). The NLL is convex in β = 1/T, so a safeguarded
 * Newton iteration on its derivative (bisection when Newton leaves the bracket) finds the unique
 * minimum deterministically; it returns a bound when the minimum lies beyond it, and 1 when there
 * are no examples or the NLL does not depend on T.
 */
export function fitTemperature(
  logits: Float32Array,
  y: ArrayLike<number>,
  k: number,
  options: FitTemperatureOptions = {},
): number {
  checkClassCount(k, 'fitTemperature');
  checkLabels(y, k, 'fitTemperature (labels)');
  checkMatrix(logits, y.length, k, 'fitTemperature (logits)');
  const tMin = options.min ?? 0.01;
  const tMax = options.max ?? 100;
  if (!(tMin > 0 && tMax >= tMin && Number.isFinite(tMax))) {
    throw inputError(
      'metrics.bad-temperature-range',
      `fitTemperature: bad range [${tMin}, ${tMax}]`,
      'pass 0 < min <= max < Infinity',
    );
  }
  let lo = 1 / tMax;
  let hi = 1 / tMin;
  const atLo = nllInBeta(logits, y, k, lo);
  if (atLo.d1 >= 0) {
    // Increasing already at the smallest β: the largest temperature (or any, if the NLL is flat).
    return atLo.d1 === 0 && atLo.d2 === 0 ? 1 : tMax;
  }
  if (nllInBeta(logits, y, k, hi).d1 <= 0) {
    return tMin;
  }
  let beta = Math.min(Math.max(1, lo), hi);
  for (let iter = 0; iter < 200; iter++) {
    const { d1, d2 } = nllInBeta(logits, y, k, beta);
    if (d1 === 0) {
      break;
    }
    if (d1 > 0) {
      hi = beta;
    } else {
      lo = beta;
    }
    const newton = d2 > 0 ? beta - d1 / d2 : Number.NaN;
    const next = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (Math.abs(next - beta) <= 1e-15 * beta || hi - lo <= 1e-15 * hi) {
      beta = next;
      break;
    }
    beta = next;
  }
  return 1 / beta;
}
