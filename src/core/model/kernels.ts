// The hot numeric operations of classifier training behind one narrow interface, and their portable TypeScript implementation.
import { dotRows } from '../dot-rows.ts';

/** Adam / AdamW step parameters (PyTorch semantics). */
export interface AdamStep {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** true = AdamW (decoupled decay p *= 1 − lr·wd); false = Adam (L2: g += wd·p). */
  readonly decoupled: boolean;
  /** 1-based step count, for the bias corrections. */
  readonly step: number;
}

/** SGD step parameters (PyTorch semantics). */
export interface SgdStep {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** On the first step PyTorch initialises the momentum buffer to the gradient itself. */
  readonly firstStep: boolean;
}

/** out[r, j] = (x[r, j] − mean[j]) / std[j] for a rows×cols matrix (Kernels.standardise). */
export type StandardiseKernel = (
  x: Float32Array,
  mean: Float32Array,
  std: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
) => void;

/**
 * Everything the MLP trainer needs that costs time. All matrices are row-major Float32Arrays
 * (views are fine). Implementations: `jsKernels` here (portable, the reference) and the native
 * addon adapter in src/native/.
 */
export interface Kernels {
  readonly name: string;
  /**
   * C = α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n, C m×n. A is stored m×k (k×m when transA),
   * B is stored k×n (n×k when transB). β = 0 overwrites C (NaNs in C do not propagate), as in BLAS.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
  ): void;
  /**
   * Optional (the native kernels have it): op(B) (k×n; stored n×k when transB) packed once, for
   * many products with gemmPacked against the same B (e.g. every prediction batch against the
   * reference embeddings). Callers fall back to gemm when it is absent.
   */
  readonly packB?: (
    transB: boolean,
    n: number,
    k: number,
    b: Float32Array,
    /**
     * With transB: pack B's rows scaled to unit L2 norm (the values of packing normalised rows,
     * bit for bit: double sums, x · (1/√sum) rounded to float, 0 for a zero row) without a
     * normalised copy of B.
     */
    normaliseRows?: boolean,
  ) => Float32Array;
  /** C = α·A·op(B) + β·C with A m×k (not transposed) and op(B) from packB: the same values as gemm. */
  readonly gemmPacked?: (
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    packedB: Float32Array,
    beta: number,
    c: Float32Array,
  ) => void;
  /** y[r, j] += bias[j] for a rows×cols matrix. */
  addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number): void;
  /**
   * out[r, j] = (x[r, j] − mean[j]) / std[j], the values of applyStandardisation (model/standardise.ts)
   * bit for bit; optional (the predictor falls back to applyStandardisation).
   */
  readonly standardise?: StandardiseKernel;
  /** x[i] = max(x[i], 0) for i < n, in place. */
  reluForward(x: Float32Array, n: number): void;
  /** grad[i] = act[i] > 0 ? grad[i] : 0, where act is the layer's (post-ReLU) output. */
  reluBackward(grad: Float32Array, act: Float32Array, n: number): void;
  /**
   * Inverted-dropout mask: mask[i] = u_i < rate ? 0 : 1/(1 − rate), where u_i is the i-th draw
   * of createRng(seed) (mulberry32). Defined by the seed so every engine draws identical masks;
   * generating them natively matters (one JS rng call per activation was ~25% of a step).
   */
  dropoutMask(mask: Float32Array, n: number, rate: number, seed: number): void;
  /** x[i] *= mask[i] (dropout with a precomputed inverted mask). */
  multiply(x: Float32Array, mask: Float32Array, n: number): void;
  /** out[j] = β·out[j] + Σ_r g[r, j]: the bias gradient. */
  columnSums(g: Float32Array, rows: number, cols: number, out: Float32Array, beta: number): void;
  /**
   * Softmax of each row of logits into proba, and the mean cross-entropy against labels, weighted
   * like PyTorch's CrossEntropyLoss(weight): Σ w[y]·(−log p[y]) / Σ w[y]. When grad is given it
   * receives d(loss)/d(logits). Returns the loss.
   */
  softmaxCrossEntropy(
    logits: Float32Array,
    labels: Int32Array,
    rows: number,
    classes: number,
    classWeights: Float32Array | undefined,
    proba: Float32Array,
    grad: Float32Array | undefined,
  ): number;
  /** One Adam/AdamW step over n parameters; vMax is required when amsgrad. */
  adamUpdate(
    params: Float32Array,
    grads: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vMax: Float32Array | undefined,
    n: number,
    step: AdamStep,
  ): void;
  /** One SGD step over n parameters; momentumBuffer is required when momentum > 0. */
  sgdUpdate(
    params: Float32Array,
    grads: Float32Array,
    momentumBuffer: Float32Array | undefined,
    n: number,
    step: SgdStep,
  ): void;
}

function need(ok: boolean, what: string): void {
  if (!ok) {
    throw new RangeError(`kernels: ${what}`);
  }
}

/** Checks gemm operand sizes; shared with the native adapter so both fail the same way. */
export function checkGemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
): void {
  need(m >= 0 && n >= 0 && k >= 0, `gemm sizes must be >= 0 (m=${m} n=${n} k=${k})`);
  need(a.length >= m * k, `gemm A has ${a.length} elements, needs ${m * k}`);
  need(b.length >= k * n, `gemm B has ${b.length} elements, needs ${k * n}`);
  need(c.length >= m * n, `gemm C has ${c.length} elements, needs ${m * n}`);
}

// Block sizes: a KC×NC panel of B (64×512 floats = 128 KiB) stays in L2 while rows of A stream.
const KC = 64;
const NC = 512;

/**
 * C += α·op(A)·B for B not transposed. A element (i, p) is a[i·sRow + p·sCol], so the same loop
 * serves A (sRow = k, sCol = 1) and Aᵀ (sRow = 1, sCol = m). Four rows of B are combined per
 * pass so each C element is loaded and stored once per four multiply-adds.
 */
function gemmBNormal(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  sRow: number,
  sCol: number,
  b: Float32Array,
  c: Float32Array,
): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        const ai = i * sRow;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const a0 = alpha * (a[ai + p * sCol] as number);
          const a1 = alpha * (a[ai + (p + 1) * sCol] as number);
          const a2 = alpha * (a[ai + (p + 2) * sCol] as number);
          const a3 = alpha * (a[ai + (p + 3) * sCol] as number);
          if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) {
            continue; // ReLU/dropout zeros are common in backprop
          }
          const b0 = p * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            c[ci + j] =
              (c[ci + j] as number) +
              a0 * (b[b0 + j] as number) +
              a1 * (b[b1 + j] as number) +
              a2 * (b[b2 + j] as number) +
              a3 * (b[b3 + j] as number);
          }
        }
        for (; p < p1; p++) {
          const a0 = alpha * (a[ai + p * sCol] as number);
          if (a0 === 0) {
            continue;
          }
          const b0 = p * n;
          for (let j = j0; j < j1; j++) {
            c[ci + j] = (c[ci + j] as number) + a0 * (b[b0 + j] as number);
          }
        }
      }
    }
  }
}

/** C += α·A·Bᵀ (A m×k, B n×k): dot products of contiguous rows (dotRows, four columns at a time). */
function gemmNT(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
): void {
  // Float64: each sum is kept exactly as computed until it is scaled and added.
  const dots = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    dotRows(a, i * k, k, b, n, dots, 0);
    const ci = i * n;
    for (let j = 0; j < n; j++) {
      c[ci + j] = (c[ci + j] as number) + alpha * (dots[j] as number);
    }
  }
}

function transposed(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      out[q * rows + r] = src[r * cols + q] as number;
    }
  }
  return out;
}

function jsGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): void {
  checkGemm(m, n, k, a, b, c);
  const mn = m * n;
  if (beta === 0) {
    c.fill(0, 0, mn);
  } else if (beta !== 1) {
    for (let i = 0; i < mn; i++) {
      c[i] = beta * (c[i] as number);
    }
  }
  if (alpha === 0 || k === 0 || mn === 0) {
    return;
  }
  if (!transB) {
    gemmBNormal(m, n, k, alpha, a, transA ? 1 : k, transA ? m : 1, b, c);
  } else if (!transA) {
    gemmNT(m, n, k, alpha, a, b, c);
  } else {
    // Aᵀ·Bᵀ never occurs in training; materialise Aᵀ and reuse the A·Bᵀ path.
    gemmNT(m, n, k, alpha, transposed(a, k, m), b, c);
  }
}

function jsSoftmaxCrossEntropy(
  logits: Float32Array,
  labels: Int32Array,
  rows: number,
  classes: number,
  classWeights: Float32Array | undefined,
  proba: Float32Array,
  grad: Float32Array | undefined,
): number {
  need(logits.length >= rows * classes && proba.length >= rows * classes, 'softmax sizes');
  need(labels.length >= rows, 'softmax labels');
  let weightSum = 0;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) {
      max = Math.max(max, logits[o + j] as number);
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp((logits[o + j] as number) - max);
      proba[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < classes; j++) {
      proba[o + j] = (proba[o + j] as number) / sum;
    }
    const y = labels[r] as number;
    need(y >= 0 && y < classes, `label ${y} outside 0..${classes - 1}`);
    const w = classWeights === undefined ? 1 : (classWeights[y] as number);
    weightSum += w;
    loss += w * (Math.log(sum) - ((logits[o + y] as number) - max));
  }
  const norm = weightSum > 0 ? 1 / weightSum : 0;
  if (grad !== undefined) {
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      const y = labels[r] as number;
      const w = (classWeights === undefined ? 1 : (classWeights[y] as number)) * norm;
      for (let j = 0; j < classes; j++) {
        grad[o + j] = w * ((proba[o + j] as number) - (j === y ? 1 : 0));
      }
    }
  }
  return loss * norm;
}

function jsAdamUpdate(
  params: Float32Array,
  grads: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | undefined,
  n: number,
  s: AdamStep,
): void {
  need(s.step >= 1, 'adam step is 1-based');
  need(!s.amsgrad || vMax !== undefined, 'amsgrad needs vMax');
  const { beta1, beta2, eps, lr, weightDecay } = s;
  const stepSize = lr / (1 - Math.pow(beta1, s.step));
  const invSqrtBc2 = 1 / Math.sqrt(1 - Math.pow(beta2, s.step));
  const l2 = s.decoupled ? 0 : weightDecay;
  const shrink = s.decoupled ? 1 - lr * weightDecay : 1;
  for (let i = 0; i < n; i++) {
    let p = params[i] as number;
    const g = (grads[i] as number) + l2 * p;
    p *= shrink;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let vv = vi;
    if (vMax !== undefined && s.amsgrad) {
      vv = Math.max(vMax[i] as number, vi);
      vMax[i] = vv;
    }
    params[i] = p - (stepSize * mi) / (Math.sqrt(vv) * invSqrtBc2 + eps);
  }
}

function jsSgdUpdate(
  params: Float32Array,
  grads: Float32Array,
  buf: Float32Array | undefined,
  n: number,
  s: SgdStep,
): void {
  const { lr, momentum, dampening, nesterov, weightDecay, firstStep } = s;
  need(momentum === 0 || buf !== undefined, 'sgd momentum needs a buffer');
  for (let i = 0; i < n; i++) {
    const p = params[i] as number;
    let d = (grads[i] as number) + weightDecay * p;
    if (momentum !== 0 && buf !== undefined) {
      const b = firstStep ? d : momentum * (buf[i] as number) + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    params[i] = p - lr * d;
  }
}

/** The portable pure-TypeScript kernels: the fallback engine and the reference for tests. */
export const jsKernels: Kernels = {
  name: 'js',
  gemm: jsGemm,
  addBias(y, bias, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) {
        y[o + j] = (y[o + j] as number) + (bias[j] as number);
      }
    }
  },
  reluForward(x, n) {
    for (let i = 0; i < n; i++) {
      if ((x[i] as number) < 0) {
        x[i] = 0;
      }
    }
  },
  reluBackward(grad, act, n) {
    for (let i = 0; i < n; i++) {
      if (!((act[i] as number) > 0)) {
        grad[i] = 0;
      }
    }
  },
  dropoutMask(mask, n, rate, seed) {
    need(mask.length >= n, 'dropoutMask: mask too small');
    const keep = 1 / (1 - rate);
    // mulberry32 inlined (same arithmetic as createRng) to avoid a closure call per element.
    let a = seed >>> 0;
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      mask[i] = u < rate ? 0 : keep;
    }
  },
  multiply(x, mask, n) {
    for (let i = 0; i < n; i++) {
      x[i] = (x[i] as number) * (mask[i] as number);
    }
  },
  columnSums(g, rows, cols, out, beta) {
    for (let j = 0; j < cols; j++) {
      out[j] = beta === 0 ? 0 : beta * (out[j] as number);
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) {
        out[j] = (out[j] as number) + (g[o + j] as number);
      }
    }
  },
  softmaxCrossEntropy: jsSoftmaxCrossEntropy,
  adamUpdate: jsAdamUpdate,
  sgdUpdate: jsSgdUpdate,
};
