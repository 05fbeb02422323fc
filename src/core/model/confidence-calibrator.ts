// Confidence of a call: a small logistic model of "this call is right" from the call's own evidence, fitted out of fold.
//
// Why not temperature scaling alone: on an identity-cluster split the validation calls are all right
// (nothing to learn from; T runs to its bound) and the fused logits are large, so softmax gives 1.0
// on every row, wrong calls included. What does tell a right call from a wrong one is the evidence
// behind it: how far the fused logits put the call ahead, whether it is a β-lactamase call, and
// how similar the nearest reference of the called class is. This model reads those, and is fitted
// on out-of-fold calls (each protein scored as if its identity cluster were unseen,
// pipeline/calibration-stage.ts), so it learns how often calls like that are wrong on new families.
import type { ConfidenceCalibrator } from './artifact.ts';
import { maskUnsupportedClasses } from './decision-rule.ts';
import { fuseLogits } from './evidence-fusion.ts';
import { softmaxRows } from './mlp.ts';

/** The features, in weight order (stored with the model so a reader can check it knows them). */
export const CONFIDENCE_FEATURES: readonly string[] = [
  'bias',
  'signed_log_margin',
  'beta_lactamase_call',
  'bl_call_similarity',
  'negative_call_similarity',
  'negative_call_best_bl_similarity',
];

export type { ConfidenceCalibrator } from './artifact.ts';

/** One batch of calls: what the predictor has once it has called every row. */
export interface CallBatch {
  /** n×k calibrated or not, masked probabilities whose argmax is the call (changed nowhere). */
  readonly proba: Float32Array;
  /** n×k fused logits (classifier + α·similarity), temperature 1. */
  readonly logits: Float32Array;
  /** n×k best similarity to each class's references; undefined without homology evidence. */
  readonly similarity?: Float32Array | undefined;
  readonly k: number;
  /** The not-a-β-lactamase class (NBL / Non-Betalactamase); -1 if the task has none. */
  readonly negative: number;
}

/**
 * The calls as the predictor makes them (core/model/predictor.ts): classifier logits + α·similarity,
 * softmax at the fitted temperature, then the evidence floor. `logits` are the fused logits
 * (temperature 1), the calibrator's input; `proba`'s argmax is the call.
 */
export function calledProbabilities(
  classifierLogits: Float32Array,
  similarity: Float32Array | undefined,
  rule: {
    readonly k: number;
    readonly alpha: number;
    readonly temperature: number;
    readonly negative: number;
    readonly minSimilarity: number;
  },
): CallBatch {
  const { k } = rule;
  const logits =
    similarity === undefined
      ? classifierLogits.slice()
      : fuseLogits(classifierLogits, similarity, rule.alpha);
  const proba = softmaxRows(logits.slice(), k, rule.temperature);
  if (similarity !== undefined) {
    maskUnsupportedClasses(proba, similarity, k, rule.negative, rule.minSimilarity);
  }
  return { proba, logits, similarity, k, negative: rule.negative };
}

function argmaxRow(p: Float32Array, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) {
    if ((p[i * k + c] as number) > (p[i * k + best] as number)) {
      best = c;
    }
  }
  return best;
}

/** n×F feature matrix (row-major, F = CONFIDENCE_FEATURES.length) and each row's call. */
export function callFeatures(batch: CallBatch): { x: Float64Array; calls: Int32Array } {
  const { proba, logits, similarity, k, negative } = batch;
  const n = proba.length / k;
  const f = CONFIDENCE_FEATURES.length;
  const x = new Float64Array(n * f);
  const calls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = argmaxRow(proba, i, k);
    calls[i] = c;
    let other = -Infinity;
    for (let j = 0; j < k; j++) {
      if (j !== c) {
        other = Math.max(other, logits[i * k + j] as number);
      }
    }
    // The fused logits span hundreds (α up to 256); the log keeps one far call from dominating the fit.
    const margin = (logits[i * k + c] as number) - other;
    const bl = negative >= 0 && c !== negative ? 1 : 0;
    const s = similarity === undefined ? 0 : (similarity[i * k + c] as number);
    x[i * f] = 1;
    x[i * f + 1] = Math.sign(margin) * Math.log1p(Math.abs(margin));
    x[i * f + 2] = bl;
    x[i * f + 3] = bl * s;
    x[i * f + 4] = (1 - bl) * s;
    // An NBL call with a β-lactamase homolog just under the floor is how β-lactamases of new
    // families are missed (the wrong calls of the cluster CV are mostly these).
    let blBest = 0;
    if (similarity !== undefined && negative >= 0) {
      for (let j = 0; j < k; j++) {
        if (j !== negative) {
          blBest = Math.max(blBest, similarity[i * k + j] as number);
        }
      }
    }
    x[i * f + 5] = (1 - bl) * blBest;
  }
  return { x, calls };
}

const sigmoid = (t: number): number =>
  t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));

/** Solves the small d×d system a·w = b (Gaussian elimination with partial pivoting); a, b are overwritten. */
function solve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) {
      if (Math.abs(a[r * d + col] as number) > Math.abs(a[pivot * d + col] as number)) {
        pivot = r;
      }
    }
    if (pivot !== col) {
      for (let c = 0; c < d; c++) {
        const t = a[col * d + c] as number;
        a[col * d + c] = a[pivot * d + c] as number;
        a[pivot * d + c] = t;
      }
      const t = b[col] as number;
      b[col] = b[pivot] as number;
      b[pivot] = t;
    }
    const p = a[col * d + col] as number;
    for (let r = col + 1; r < d; r++) {
      const factor = (a[r * d + col] as number) / p;
      for (let c = col; c < d; c++) {
        a[r * d + c] = (a[r * d + c] as number) - factor * (a[col * d + c] as number);
      }
      b[r] = (b[r] as number) - factor * (b[col] as number);
    }
  }
  const w = new Float64Array(d);
  for (let r = d - 1; r >= 0; r--) {
    let s = b[r] as number;
    for (let c = r + 1; c < d; c++) {
      s -= (a[r * d + c] as number) * (w[c] as number);
    }
    w[r] = s / (a[r * d + r] as number);
  }
  return w;
}

/** Weight on the squared non-bias weights: only keeps Newton's Hessian invertible on separable data. */
const RIDGE = 1e-3;

/**
 * Fits the weights by Newton's method on the logistic log loss with Platt's (1999) targets: a right
 * call counts as (R + 1)/(R + 2), a wrong one as 1/(W + 2), for R right and W wrong calls. So the
 * fit stays finite when the calls are separable (or all right) and no confidence reaches 1: with R
 * right calls seen, nothing justifies more than (R + 1)/(R + 2). Deterministic; x is n×F row-major.
 */
export function fitCallLogistic(x: Float64Array, correct: ArrayLike<boolean>, d: number): number[] {
  const n = correct.length;
  if (x.length !== n * d) {
    throw new RangeError(`features have ${x.length} values for ${n} calls of ${d} features`);
  }
  let right = 0;
  for (let i = 0; i < n; i++) {
    right += correct[i] === true ? 1 : 0;
  }
  const wrong = n - right;
  const target = (i: number): number =>
    correct[i] === true ? (right + 1) / (right + 2) : 1 / (wrong + 2);
  const w = new Float64Array(d);
  // Start at the intercept of the smoothed base rate: the optimum when no feature helps.
  const base = n === 0 ? 0.5 : (right + 1) / (n + 2);
  w[0] = Math.log(base / (1 - base));
  if (n === 0) {
    return Array.from(w);
  }
  const objective = (weights: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) {
        t += (weights[j] as number) * (x[i * d + j] as number);
      }
      const y = target(i);
      // log(1 + e^t) − y·t, stable for large |t|.
      loss += (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - y * t;
    }
    for (let j = 1; j < d; j++) {
      loss += 0.5 * RIDGE * (weights[j] as number) ** 2;
    }
    return loss;
  };
  let current = objective(w);
  for (let iter = 0; iter < 100; iter++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) {
        t += (w[j] as number) * (x[i * d + j] as number);
      }
      const p = sigmoid(t);
      const r = p - target(i);
      const v = p * (1 - p);
      for (let a = 0; a < d; a++) {
        const xa = x[i * d + a] as number;
        grad[a] = (grad[a] as number) + r * xa;
        for (let b = a; b < d; b++) {
          hess[a * d + b] = (hess[a * d + b] as number) + v * xa * (x[i * d + b] as number);
        }
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        hess[a * d + b] = hess[b * d + a] as number;
      }
      // A feature constant 0 on this data (e.g. no similarity without evidence) still has a pivot.
      hess[a * d + a] = (hess[a * d + a] as number) + (a === 0 ? 1e-9 : RIDGE);
      if (a > 0) {
        grad[a] = (grad[a] as number) + RIDGE * (w[a] as number);
      }
    }
    const step = solve(hess, grad, d);
    // Damped Newton: halve the step until the (convex) objective does not rise.
    let scale = 1;
    let next = w;
    let value = current;
    for (let halvings = 0; halvings < 40; halvings++) {
      next = Float64Array.from(w, (wj, j) => wj - scale * (step[j] as number));
      value = objective(next);
      if (value <= current) {
        break;
      }
      scale /= 2;
    }
    if (!(value <= current)) {
      break;
    }
    const change = current - value;
    w.set(next);
    current = value;
    if (change < 1e-10 * Math.max(1, Math.abs(current))) {
      break;
    }
  }
  return Array.from(w);
}

/** Fits the calibrator on out-of-fold calls and whether each was right. */
export function fitConfidenceCalibrator(
  batch: CallBatch,
  yTrue: ArrayLike<number>,
  folds: number,
): ConfidenceCalibrator {
  const { x, calls } = callFeatures(batch);
  const correct = Array.from(calls, (c, i) => c === yTrue[i]);
  const right = correct.filter((c) => c).length;
  return {
    kind: 'call-logistic',
    features: [...CONFIDENCE_FEATURES],
    weights: fitCallLogistic(x, correct, CONFIDENCE_FEATURES.length),
    // Platt's target for a right call: the logistic can extrapolate past it, the data cannot.
    maxConfidence: (right + 1) / (right + 2),
    fitted: { calls: calls.length, wrong: calls.length - right, folds },
  };
}

/** The calibrator a model header holds, if it is one this version can apply (else undefined). */
export function usableCalibrator(value: unknown): ConfidenceCalibrator | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const c = value as Partial<ConfidenceCalibrator>;
  const known =
    c.kind === 'call-logistic' &&
    Array.isArray(c.features) &&
    c.features.length === CONFIDENCE_FEATURES.length &&
    c.features.every((f, i) => f === CONFIDENCE_FEATURES[i]) &&
    Array.isArray(c.weights) &&
    c.weights.length === CONFIDENCE_FEATURES.length &&
    c.weights.every((w) => typeof w === 'number' && Number.isFinite(w)) &&
    typeof c.maxConfidence === 'number' &&
    c.maxConfidence > 0 &&
    c.maxConfidence <= 1;
  return known ? (c as ConfidenceCalibrator) : undefined;
}

/**
 * Calibrated probabilities (n×k, new array): the call keeps its class and gets the calibrator's
 * confidence; the rest (1 − confidence) goes to the other classes in proportion to their fused
 * softmax — among the classes the decision rule left callable when there are any, else among the
 * masked ones (a protein called NBL for want of evidence may still be a β-lactamase). The
 * confidence is at most the calibrator's maxConfidence, and raised where needed to keep the call
 * the most probable class (at most to 1/2).
 */
export function calibratedProbabilities(
  batch: CallBatch,
  calibrator: ConfidenceCalibrator,
): Float32Array {
  const { proba, logits, k } = batch;
  const n = proba.length / k;
  const d = CONFIDENCE_FEATURES.length;
  const { x, calls } = callFeatures(batch);
  const out = new Float32Array(n * k);
  const share = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = calls[i] as number;
    let t = 0;
    for (let j = 0; j < d; j++) {
      t += (calibrator.weights[j] as number) * (x[i * d + j] as number);
    }
    // Other classes still callable after the decision rule (nonzero probability), else all others.
    let anyKept = false;
    for (let j = 0; j < k; j++) {
      if (j !== c && (proba[i * k + j] as number) > 0) {
        anyKept = true;
      }
    }
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      if (j !== c && (!anyKept || (proba[i * k + j] as number) > 0)) {
        top = Math.max(top, logits[i * k + j] as number);
      }
    }
    let total = 0;
    let largest = 0;
    for (let j = 0; j < k; j++) {
      const eligible = j !== c && (!anyKept || (proba[i * k + j] as number) > 0);
      const v = eligible ? Math.exp((logits[i * k + j] as number) - top) : 0;
      share[j] = v;
      total += v;
      largest = Math.max(largest, v);
    }
    const q = total > 0 ? largest / total : 0;
    // A hair above q/(1+q), so that float32 rounding cannot tie the call with the next class.
    const confidence =
      k === 1
        ? 1
        : Math.max(Math.min(sigmoid(t), calibrator.maxConfidence), Math.min(1, q / (1 + q) + 1e-4));
    for (let j = 0; j < k; j++) {
      out[i * k + j] =
        j === c ? confidence : total > 0 ? ((1 - confidence) * (share[j] as number)) / total : 0;
    }
  }
  return out;
}
