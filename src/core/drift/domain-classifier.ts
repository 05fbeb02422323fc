// Model-based drift (Evidently's embedding default): a logistic classifier tells reference from current; drift at ROC AUC > 0.55.
import { throwIfAborted } from '../errors.ts';
import { rocAuc } from '../metrics/roc.ts';
import type { Rng } from '../rng.ts';
import { shuffleInPlace } from '../rng.ts';

/** Evidently's ModelDriftMethod threshold. */
export const CLASSIFIER_AUC_THRESHOLD = 0.55;

export interface DomainClassifierOptions {
  readonly rng: Rng;
  /** Rows drawn from each side at most (seeded), so a huge reference does not swamp the cost. */
  readonly maxRowsPerSide?: number | undefined;
  /** Full-batch gradient steps (Adam) of the L2-regularised logistic loss. */
  readonly iterations?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface DomainClassifierResult {
  readonly test: 'domain-classifier';
  /** ROC AUC on the held-out half (0.5 = the sides cannot be told apart). */
  readonly statistic: number;
  readonly threshold: number;
  readonly drift: boolean;
  readonly trainRows: number;
  readonly testRows: number;
}

/** Seeded sample of at most k row indices out of n, in increasing order. */
export function sampleRows(n: number, k: number, rng: Rng): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= k) {
    return all;
  }
  return shuffleInPlace(all, rng)
    .slice(0, k)
    .sort((a, b) => a - b);
}

/**
 * Trains a logistic regression (features standardised on the training half, L2 penalty ½‖w‖² with
 * the per-row loss summed, as scikit-learn's C = 1) on a seeded, per-side stratified 50/50 split of
 * reference (label 0) and current (label 1) rows, and scores the other half by ROC AUC.
 */
export function domainClassifierTest(
  reference: Float32Array,
  nRef: number,
  current: Float32Array,
  nCur: number,
  d: number,
  options: DomainClassifierOptions,
): DomainClassifierResult {
  const { rng } = options;
  const cap = options.maxRowsPerSide ?? 1000;
  const refRows = shuffleInPlace(sampleRows(nRef, cap, rng), rng);
  const curRows = shuffleInPlace(sampleRows(nCur, cap, rng), rng);
  const half = (rows: number[]): [number[], number[]] => {
    const k = Math.ceil(rows.length / 2);
    return [rows.slice(0, k), rows.slice(k)];
  };
  const [refTrain, refTest] = half(refRows);
  const [curTrain, curTest] = half(curRows);
  const rowOf = (side: 0 | 1, i: number): Float32Array =>
    side === 0 ? reference.subarray(i * d, (i + 1) * d) : current.subarray(i * d, (i + 1) * d);
  const train: [0 | 1, number][] = [
    ...refTrain.map((i): [0 | 1, number] => [0, i]),
    ...curTrain.map((i): [0 | 1, number] => [1, i]),
  ];
  const test: [0 | 1, number][] = [
    ...refTest.map((i): [0 | 1, number] => [0, i]),
    ...curTest.map((i): [0 | 1, number] => [1, i]),
  ];
  const n = train.length;
  // Standardise on the training half.
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const [side, i] of train) {
    const x = rowOf(side, i);
    for (let t = 0; t < d; t++) {
      mean[t] = (mean[t] as number) + (x[t] as number);
    }
  }
  for (let t = 0; t < d; t++) {
    mean[t] = (mean[t] as number) / n;
  }
  for (const [side, i] of train) {
    const x = rowOf(side, i);
    for (let t = 0; t < d; t++) {
      std[t] = (std[t] as number) + ((x[t] as number) - (mean[t] as number)) ** 2;
    }
  }
  for (let t = 0; t < d; t++) {
    const s = Math.sqrt((std[t] as number) / n);
    std[t] = s > 1e-12 ? s : 1;
  }
  const xs = new Float32Array(n * d);
  const ys = new Float64Array(n);
  train.forEach(([side, i], r) => {
    const x = rowOf(side, i);
    for (let t = 0; t < d; t++) {
      xs[r * d + t] = ((x[t] as number) - (mean[t] as number)) / (std[t] as number);
    }
    ys[r] = side;
  });
  // Minimise (1/n)·[Σ logloss + ½‖w‖²] (the bias is not penalised) with Adam. Each row's logit and
  // its gradient term are computed while the row is in cache: one pass over the data per step.
  const w = new Float64Array(d);
  let b = 0;
  const mW = new Float64Array(d);
  const vW = new Float64Array(d);
  let mB = 0;
  let vB = 0;
  const grad = new Float64Array(d);
  const lr = 0.05;
  const beta1 = 0.9;
  const beta2 = 0.999;
  const iterations = options.iterations ?? 150;
  for (let it = 1; it <= iterations; it++) {
    if (it % 20 === 0) {
      throwIfAborted(options.signal, 'the drift classifier');
    }
    grad.fill(0);
    let gB = 0;
    for (let r = 0; r < n; r++) {
      const row = xs.subarray(r * d, (r + 1) * d);
      let z = b;
      for (let t = 0; t < d; t++) {
        z += (w[t] as number) * (row[t] as number);
      }
      const e = 1 / (1 + Math.exp(-z)) - (ys[r] as number);
      gB += e;
      for (let t = 0; t < d; t++) {
        grad[t] = (grad[t] as number) + e * (row[t] as number);
      }
    }
    const c1 = 1 - beta1 ** it;
    const c2 = 1 - beta2 ** it;
    for (let t = 0; t < d; t++) {
      const g = ((grad[t] as number) + (w[t] as number)) / n;
      mW[t] = beta1 * (mW[t] as number) + (1 - beta1) * g;
      vW[t] = beta2 * (vW[t] as number) + (1 - beta2) * g * g;
      w[t] =
        (w[t] as number) -
        (lr * ((mW[t] as number) / c1)) / (Math.sqrt((vW[t] as number) / c2) + 1e-8);
    }
    const g = gB / n;
    mB = beta1 * mB + (1 - beta1) * g;
    vB = beta2 * vB + (1 - beta2) * g * g;
    b -= (lr * (mB / c1)) / (Math.sqrt(vB / c2) + 1e-8);
  }
  const labels: number[] = [];
  const scores: number[] = [];
  for (const [side, i] of test) {
    const x = rowOf(side, i);
    let z = b;
    for (let t = 0; t < d; t++) {
      z += ((w[t] as number) * ((x[t] as number) - (mean[t] as number))) / (std[t] as number);
    }
    labels.push(side);
    scores.push(z);
  }
  // Both halves hold both sides whenever each side has ≥ 2 rows; otherwise the AUC is undefined (0.5).
  const auc = rocAuc(labels, scores) ?? 0.5;
  return {
    test: 'domain-classifier',
    statistic: auc,
    threshold: CLASSIFIER_AUC_THRESHOLD,
    drift: auc > CLASSIFIER_AUC_THRESHOLD,
    trainRows: n,
    testRows: test.length,
  };
}
