// The feed-forward classifier: input → hidden ReLU layers with dropout → softmax; hidden: [] is multinomial logistic regression.
import type { Rng } from '../rng.ts';
import type { Kernels } from './kernels.ts';

export interface MlpSpec {
  readonly inputDim: number;
  /** Hidden layer widths; the original system used [256, 128]. [] = linear model. */
  readonly hidden: readonly number[];
  readonly outputDim: number;
  /** Inverted-dropout rate after each hidden ReLU during training (0 = none). */
  readonly dropout: number;
}

/** The hidden sizes of the original system's network. */
export const DEFAULT_HIDDEN: readonly number[] = [256, 128];

/**
 * One fully connected layer. The weight is stored inDim×outDim row-major (the transpose of
 * PyTorch's nn.Linear.weight) so the forward product is a plain X·W.
 */
export interface DenseLayer {
  readonly inDim: number;
  readonly outDim: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * All parameters live in one Float32Array (`data`) and the layers are views into it, so the
 * optimizer updates everything in one kernel call and a checkpoint is one copy.
 */
export interface MlpParams {
  readonly spec: MlpSpec;
  readonly data: Float32Array;
  readonly layers: readonly DenseLayer[];
}

/** Layer widths from input to output, e.g. [1024, 256, 128, 5]. */
export function layerWidths(spec: MlpSpec): number[] {
  return [spec.inputDim, ...spec.hidden, spec.outputDim];
}

export function parameterCount(spec: MlpSpec): number {
  const w = layerWidths(spec);
  let count = 0;
  for (let l = 0; l + 1 < w.length; l++) {
    count += ((w[l] as number) + 1) * (w[l + 1] as number);
  }
  return count;
}

function checkSpec(spec: MlpSpec): void {
  const widths = layerWidths(spec);
  if (!widths.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`mlp: layer widths must be positive integers, got [${widths.join(', ')}]`);
  }
  if (!(spec.dropout >= 0 && spec.dropout < 1)) {
    throw new RangeError(`mlp: dropout must be in [0, 1), got ${spec.dropout}`);
  }
}

/** Wraps a flat parameter array (e.g. read from a model file) as an MlpParams; no copy. */
export function mlpFromData(spec: MlpSpec, data: Float32Array): MlpParams {
  checkSpec(spec);
  const expected = parameterCount(spec);
  if (data.length !== expected) {
    throw new RangeError(`mlp: expected ${expected} parameters, got ${data.length}`);
  }
  const widths = layerWidths(spec);
  const layers: DenseLayer[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const inDim = widths[l] as number;
    const outDim = widths[l + 1] as number;
    const weight = data.subarray(offset, offset + inDim * outDim);
    offset += inDim * outDim;
    const bias = data.subarray(offset, offset + outDim);
    offset += outDim;
    layers.push({ inDim, outDim, weight, bias });
  }
  return { spec, data, layers };
}

/**
 * New parameters initialised like PyTorch's nn.Linear default: kaiming-uniform with a = √5,
 * which is U(−1/√fan_in, 1/√fan_in), for weights and biases alike.
 */
export function initMlp(spec: MlpSpec, rng: Rng): MlpParams {
  checkSpec(spec);
  const params = mlpFromData(spec, new Float32Array(parameterCount(spec)));
  for (const layer of params.layers) {
    const bound = 1 / Math.sqrt(layer.inDim);
    for (let i = 0; i < layer.weight.length; i++) {
      layer.weight[i] = (2 * rng() - 1) * bound;
    }
    for (let i = 0; i < layer.bias.length; i++) {
      layer.bias[i] = (2 * rng() - 1) * bound;
    }
  }
  return params;
}

export function cloneMlp(params: MlpParams): MlpParams {
  return mlpFromData(params.spec, params.data.slice());
}

/** Scratch buffers for up to maxRows rows, reused across batches so training allocates nothing per step. */
export interface MlpWorkspace {
  readonly maxRows: number;
  /** Post-activation (post-dropout) output of each layer; the last one holds the logits. */
  readonly acts: readonly Float32Array[];
  /** Gradient w.r.t. each layer's output. */
  readonly grads: readonly Float32Array[];
  /** Inverted-dropout masks of the hidden layers. */
  readonly masks: readonly Float32Array[];
  readonly proba: Float32Array;
}

export function createMlpWorkspace(spec: MlpSpec, maxRows: number): MlpWorkspace {
  const out = layerWidths(spec).slice(1);
  return {
    maxRows,
    acts: out.map((d) => new Float32Array(maxRows * d)),
    grads: out.map((d) => new Float32Array(maxRows * d)),
    masks: spec.hidden.map((d) => new Float32Array(maxRows * d)),
    proba: new Float32Array(maxRows * spec.outputDim),
  };
}

/**
 * Forward pass of n rows into ws.acts (the last holds the logits). With dropoutRng, hidden
 * activations are dropped with probability spec.dropout and the survivors scaled by 1/(1−p).
 */
function forward(
  params: MlpParams,
  x: Float32Array,
  n: number,
  kernels: Kernels,
  ws: MlpWorkspace,
  dropoutRng: Rng | undefined,
): void {
  const { layers, spec } = params;
  const p = spec.dropout;
  let input = x;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l] as DenseLayer;
    const out = ws.acts[l] as Float32Array;
    kernels.gemm(false, false, n, layer.outDim, layer.inDim, 1, input, layer.weight, 0, out);
    kernels.addBias(out, layer.bias, n, layer.outDim);
    if (l + 1 < layers.length) {
      const size = n * layer.outDim;
      kernels.reluForward(out, size);
      if (dropoutRng !== undefined && p > 0) {
        // One draw seeds the whole layer's mask, which the kernels generate (see dropoutMask).
        const mask = ws.masks[l] as Float32Array;
        kernels.dropoutMask(mask, size, p, Math.floor(dropoutRng() * 4294967296));
        kernels.multiply(out, mask, size);
      }
    }
    input = out;
  }
}

/** Logits (n×outputDim) of n rows of x, without dropout. */
export function forwardLogits(
  params: MlpParams,
  x: Float32Array,
  n: number,
  kernels: Kernels,
): Float32Array {
  const { inputDim, outputDim } = params.spec;
  if (x.length < n * inputDim) {
    throw new RangeError(`mlp: x has ${x.length} values, needs ${n * inputDim}`);
  }
  const logits = new Float32Array(n * outputDim);
  // Chunks bound the scratch memory for large inputs (e.g. a whole training set).
  const chunk = Math.min(Math.max(n, 1), 1024);
  const ws = createMlpWorkspace(params.spec, chunk);
  const last = ws.acts[ws.acts.length - 1] as Float32Array;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const rows = Math.min(chunk, n - r0);
    forward(
      params,
      x.subarray(r0 * inputDim, (r0 + rows) * inputDim),
      rows,
      kernels,
      ws,
      undefined,
    );
    logits.set(last.subarray(0, rows * outputDim), r0 * outputDim);
  }
  return logits;
}

/** Row-wise softmax(logits / temperature) in place; temperature scaling is the calibration hook. */
export function softmaxRows(logits: Float32Array, classes: number, temperature = 1): Float32Array {
  const inv = 1 / temperature;
  for (let o = 0; o + classes <= logits.length; o += classes) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) {
      max = Math.max(max, (logits[o + j] as number) * inv);
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp((logits[o + j] as number) * inv - max);
      logits[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < classes; j++) {
      logits[o + j] = (logits[o + j] as number) / sum;
    }
  }
  return logits;
}

/** Class probabilities (n×outputDim) of n rows, without dropout. */
export function predictProba(
  params: MlpParams,
  x: Float32Array,
  n: number,
  kernels: Kernels,
  temperature = 1,
): Float32Array {
  if (!(temperature > 0)) {
    throw new RangeError(`mlp: temperature must be > 0, got ${temperature}`);
  }
  return softmaxRows(forwardLogits(params, x, n, kernels), params.spec.outputDim, temperature);
}

export interface LossOptions {
  /** Per-class loss weights (PyTorch CrossEntropyLoss(weight)). */
  readonly classWeights?: Float32Array | undefined;
  /** Enables dropout (training mode) with this generator. */
  readonly dropoutRng?: Rng | undefined;
}

/**
 * Mean cross-entropy of n rows and its gradient w.r.t. every parameter, written into `grads`
 * (same shape as params; overwritten). ws must hold at least n rows. Returns the loss.
 */
export function lossAndGradients(
  params: MlpParams,
  grads: MlpParams,
  x: Float32Array,
  y: Int32Array,
  n: number,
  kernels: Kernels,
  ws: MlpWorkspace,
  options: LossOptions = {},
): number {
  if (n > ws.maxRows) {
    throw new RangeError(`mlp: batch of ${n} rows exceeds the workspace (${ws.maxRows})`);
  }
  const { layers, spec } = params;
  forward(params, x, n, kernels, ws, options.dropoutRng);
  const last = layers.length - 1;
  const loss = kernels.softmaxCrossEntropy(
    ws.acts[last] as Float32Array,
    y,
    n,
    spec.outputDim,
    options.classWeights,
    ws.proba,
    ws.grads[last],
  );
  const dropped = options.dropoutRng !== undefined && spec.dropout > 0;
  for (let l = last; l >= 0; l--) {
    const layer = layers[l] as DenseLayer;
    const gLayer = grads.layers[l] as DenseLayer;
    const gOut = ws.grads[l] as Float32Array;
    const input = l === 0 ? x : (ws.acts[l - 1] as Float32Array);
    // dW = inputᵀ·gOut, db = column sums of gOut.
    kernels.gemm(true, false, layer.inDim, layer.outDim, n, 1, input, gOut, 0, gLayer.weight);
    kernels.columnSums(gOut, n, layer.outDim, gLayer.bias, 0);
    if (l > 0) {
      const gIn = ws.grads[l - 1] as Float32Array;
      kernels.gemm(false, true, n, layer.inDim, layer.outDim, 1, gOut, layer.weight, 0, gIn);
      const size = n * layer.inDim;
      if (dropped) {
        kernels.multiply(gIn, ws.masks[l - 1] as Float32Array, size);
      }
      // The stored activation is post-dropout; it is > 0 exactly where ReLU and the mask pass.
      kernels.reluBackward(gIn, ws.acts[l - 1] as Float32Array, size);
    }
  }
  return loss;
}
