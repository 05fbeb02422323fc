// The model's classifier (standardisation, MLP or logistic regression, softmax) as an ONNX graph description: fp32, int8 static QDQ or fp16 weights.
//
// The description is plain data (nodes, typed-array initializers); src/io/onnx-classifier-file.ts
// serialises it to ONNX protobuf. What the graph covers and what stays in ARGinator: docs/onnx.md.
import { ArginatorError } from '../errors.ts';
import type { DecodedArtifact } from './artifact.ts';
import type { Kernels } from './kernels.ts';
import type { MlpParams } from './mlp.ts';
import { mlpFromData } from './mlp.ts';
import { applyStandardisation } from './standardise.ts';

/** ONNX operator set of the graph (ai.onnx domain) and the IR version it is written with. */
export const CLASSIFIER_OPSET = 17;
export const CLASSIFIER_IR_VERSION = 8;
export const CLASSIFIER_INPUT = 'embedding';
export const CLASSIFIER_LOGITS = 'logits';
export const CLASSIFIER_PROBABILITIES = 'probabilities';

export const QUANTIZE_MODES = ['none', 'int8', 'fp16'] as const;
export type QuantizeMode = (typeof QUANTIZE_MODES)[number];

export type GraphElementType = 'float32' | 'float16' | 'int8' | 'uint8';

export interface GraphTensor {
  readonly name: string;
  readonly type: GraphElementType;
  readonly dims: readonly number[];
  /** float16 values are their IEEE 754 binary16 bit patterns. */
  readonly data: Float32Array | Uint16Array | Int8Array | Uint8Array;
}

export interface GraphNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (axis, to). */
  readonly attributes?: Readonly<Record<string, number>>;
}

export interface ClassifierGraph {
  readonly name: string;
  readonly opset: number;
  readonly irVersion: number;
  readonly inputDim: number;
  readonly classes: number;
  readonly nodes: readonly GraphNode[];
  readonly initializers: readonly GraphTensor[];
  /** metadata_props of the model: what it is and where it came from (docs/onnx.md). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Observed range of the input of each layer's MatMul on the calibration rows (layer 0: standardised embeddings). */
export interface ActivationRanges {
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly rows: number;
}

function modelError(message: string): ArginatorError {
  return new ArginatorError(
    'BAD_INPUT',
    'model.bad-file',
    message,
    'train the model again with this version of arginator',
  );
}

function tensorOf(model: DecodedArtifact, name: string): Float32Array {
  const t = model.tensors.get(name);
  if (t === undefined) {
    throw modelError(`the model file has no tensor '${name}'`);
  }
  return t;
}

/** The classifier parameters exactly as createPredictor reads them. */
export function classifierParts(model: DecodedArtifact): {
  params: MlpParams;
  mean: Float32Array;
  std: Float32Array;
} {
  const a = model.header.architecture;
  const params = mlpFromData(
    { inputDim: a.inputDim, hidden: a.hidden, outputDim: a.outputDim, dropout: 0 },
    tensorOf(model, 'mlp.params'),
  );
  return { params, mean: tensorOf(model, 'norm.mean'), std: tensorOf(model, 'norm.std') };
}

/** Rows per calibration chunk: bounds the scratch memory. */
const CALIBRATION_CHUNK = 1024;

/**
 * Min and max of every MatMul input over `rows` rows of raw embeddings (the training embeddings):
 * static scales, so an int8 output depends on its own row only, never on the rest of the batch
 * (which per-batch dynamic quantisation would make it).
 */
export function calibrateActivations(
  model: DecodedArtifact,
  embeddings: Float32Array,
  rows: number,
  kernels: Kernels,
): ActivationRanges {
  const { params, mean, std } = classifierParts(model);
  const dim = params.spec.inputDim;
  if (rows < 1 || embeddings.length !== rows * dim) {
    throw new ArginatorError(
      'INTERNAL',
      'onnx.calibration-size',
      `calibration needs rows×${dim} embedding values, got ${embeddings.length} for ${rows} rows`,
      '',
    );
  }
  const layers = params.layers;
  const min = new Array<number>(layers.length).fill(Infinity);
  const max = new Array<number>(layers.length).fill(-Infinity);
  const observe = (l: number, values: Float32Array): void => {
    let lo = min[l] as number;
    let hi = max[l] as number;
    for (const v of values) {
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    min[l] = lo;
    max[l] = hi;
  };
  for (let r0 = 0; r0 < rows; r0 += CALIBRATION_CHUNK) {
    const n = Math.min(CALIBRATION_CHUNK, rows - r0);
    let x = applyStandardisation(
      { x: embeddings.subarray(r0 * dim, (r0 + n) * dim), y: new Int32Array(n), n, dim },
      mean,
      std,
    ).x;
    for (let l = 0; l < layers.length; l++) {
      observe(l, x);
      if (l + 1 === layers.length) {
        break;
      }
      const layer = layers[l] as (typeof layers)[number];
      const out = new Float32Array(n * layer.outDim);
      kernels.gemm(false, false, n, layer.outDim, layer.inDim, 1, x, layer.weight, 0, out);
      kernels.addBias(out, layer.bias, n, layer.outDim);
      kernels.reluForward(out, out.length);
      x = out;
    }
  }
  return { min, max, rows };
}

/** uint8 asymmetric activation quantisation over [min, max] widened to include 0 (ONNX QuantizeLinear). */
export function activationQuantisation(
  lo: number,
  hi: number,
): { scale: number; zeroPoint: number } {
  const rmin = Math.min(lo, 0);
  const rmax = Math.max(hi, 0);
  const scale = Math.fround(rmax > rmin ? (rmax - rmin) / 255 : 1);
  const zeroPoint = Math.max(0, Math.min(255, Math.round(-rmin / scale)));
  return { scale, zeroPoint };
}

/** Symmetric int8 per output column of a W[in, out] row-major matrix: scales[out] and the int8 values. */
export function quantiseWeightColumns(
  weight: Float32Array,
  inDim: number,
  outDim: number,
): { q: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(outDim);
  for (let j = 0; j < outDim; j++) {
    let maxAbs = 0;
    for (let i = 0; i < inDim; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(weight[i * outDim + j] as number));
    }
    scales[j] = maxAbs === 0 ? 1 : maxAbs / 127;
  }
  const q = new Int8Array(weight.length);
  for (let i = 0; i < inDim; i++) {
    for (let j = 0; j < outDim; j++) {
      const v = (weight[i * outDim + j] as number) / (scales[j] as number);
      q[i * outDim + j] = Math.max(-127, Math.min(127, roundHalfEven(v)));
    }
  }
  return { q, scales };
}

/** Round half to even, as ONNX QuantizeLinear rounds. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) {
    return f + 1;
  }
  if (d < 0.5) {
    return f;
  }
  return f % 2 === 0 ? f : f + 1;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE 754 binary16 bits of a float32 value, rounded to nearest even (overflow to ±Infinity). */
export function float16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) {
    return sign | 0x7c00;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    // Subnormal half: the implicit 1 joins the mantissa, shifted down by 14 - e.
    const full = mant | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1) === 1)) {
      half++;
    }
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the correctly rounded result.
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) {
    half++;
  }
  return sign | half;
}

/** The float value of binary16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) {
    return sign * mant * 2 ** -24;
  }
  if (exp === 0x1f) {
    return mant === 0 ? sign * Infinity : Number.NaN;
  }
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export interface ClassifierGraphOptions {
  readonly quantize: QuantizeMode;
  /** Required for int8: calibrateActivations over the training embeddings. */
  readonly calibration?: ActivationRanges | undefined;
  /** Extra metadata_props (e.g. the model file's sha256 and version). */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** ONNX TensorProto data type numbers used by the graph (Cast's `to`). */
const ONNX_FLOAT = 1;

/**
 * The graph. Input `embedding` float32 [batch, dim] (raw embeddings); outputs `logits` float32
 * [batch, classes] and `probabilities` = Softmax(logits) at temperature 1.
 *
 *   x0 = (embedding − mean) / std
 *   x_{l+1} = Relu(x_l · W_l + b_l)  (hidden layers);  logits = x_L · W_L + b_L
 *
 * int8 (static): every MatMul input goes through QuantizeLinear (uint8, one scale and zero point
 * per tensor, calibrated on the training embeddings), the weights are int8 (symmetric, one scale
 * per output column), MatMulInteger sums (q_x − z_x)·q_w exactly in int32 and a Mul by s_x·s_w
 * dequantises: the arithmetic of DequantizeLinear(q_x)·DequantizeLinear(q_w), written so that no
 * float product depends on the batch (ADR 0015). mean, std and biases stay float32.
 * fp16: the weights and biases are stored float16 and Cast to float32 (the graph computes in
 * float32); mean and std stay float32.
 */
export function classifierGraph(
  model: DecodedArtifact,
  options: ClassifierGraphOptions,
): ClassifierGraph {
  const { params, mean, std } = classifierParts(model);
  const { header } = model;
  const dim = params.spec.inputDim;
  const k = params.spec.outputDim;
  if (header.embedder.dim !== dim || mean.length !== dim || std.length !== dim) {
    throw modelError(
      `the model's input size (${dim}) differs from its embedder's (${header.embedder.dim}) or its standardisation's (${mean.length})`,
    );
  }
  const { quantize } = options;
  const calibration = options.calibration;
  if (quantize === 'int8' && calibration?.min.length !== params.layers.length) {
    throw new ArginatorError(
      'INTERNAL',
      'onnx.calibration-missing',
      'int8 export needs activation ranges for every layer',
      '',
    );
  }
  const nodes: GraphNode[] = [];
  const initializers: GraphTensor[] = [];
  const f32 = (name: string, dims: number[], data: Float32Array): void => {
    initializers.push({ name, type: 'float32', dims, data });
  };
  /** A float parameter under `name`: float32, or float16 + Cast for fp16. */
  const parameter = (name: string, dims: number[], data: Float32Array): void => {
    if (quantize !== 'fp16') {
      f32(name, dims, data);
      return;
    }
    initializers.push({
      name: `${name}_fp16`,
      type: 'float16',
      dims,
      data: Uint16Array.from(data, float16Bits),
    });
    nodes.push({
      opType: 'Cast',
      inputs: [`${name}_fp16`],
      outputs: [name],
      attributes: { to: ONNX_FLOAT },
    });
  };
  f32('norm_mean', [dim], mean);
  f32('norm_std', [dim], std);
  nodes.push(
    { opType: 'Sub', inputs: [CLASSIFIER_INPUT, 'norm_mean'], outputs: ['centred'] },
    { opType: 'Div', inputs: ['centred', 'norm_std'], outputs: ['x0'] },
  );
  let x = 'x0';
  params.layers.forEach((layer, l) => {
    const last = l + 1 === params.layers.length;
    const w = `w${l}`;
    if (quantize === 'int8' && calibration !== undefined) {
      const { scale, zeroPoint } = activationQuantisation(
        calibration.min[l] as number,
        calibration.max[l] as number,
      );
      const { q, scales } = quantiseWeightColumns(layer.weight, layer.inDim, layer.outDim);
      f32(`${x}_scale`, [], Float32Array.of(scale));
      initializers.push(
        { name: `${x}_zero`, type: 'uint8', dims: [], data: Uint8Array.of(zeroPoint) },
        { name: `${w}_q`, type: 'int8', dims: [layer.inDim, layer.outDim], data: q },
        { name: `${w}_zero`, type: 'int8', dims: [], data: new Int8Array(1) },
      );
      // s_x·s_w per output column: (q_x − z_x)·q_w summed exactly in int32, times this, is
      // DequantizeLinear(q_x)·DequantizeLinear(q_w).
      f32(
        `${w}_dequant`,
        [layer.outDim],
        Float32Array.from(scales, (sw) => scale * sw),
      );
      nodes.push(
        { opType: 'QuantizeLinear', inputs: [x, `${x}_scale`, `${x}_zero`], outputs: [`${x}_q`] },
        {
          opType: 'MatMulInteger',
          inputs: [`${x}_q`, `${w}_q`, `${x}_zero`, `${w}_zero`],
          outputs: [`h${l}_int`],
        },
        {
          opType: 'Cast',
          inputs: [`h${l}_int`],
          outputs: [`h${l}_acc`],
          attributes: { to: ONNX_FLOAT },
        },
        { opType: 'Mul', inputs: [`h${l}_acc`, `${w}_dequant`], outputs: [`h${l}`] },
      );
      f32(`b${l}`, [layer.outDim], layer.bias);
    } else {
      parameter(w, [layer.inDim, layer.outDim], layer.weight);
      parameter(`b${l}`, [layer.outDim], layer.bias);
      nodes.push({ opType: 'MatMul', inputs: [x, w], outputs: [`h${l}`] });
    }
    nodes.push({
      opType: 'Add',
      inputs: [`h${l}`, `b${l}`],
      outputs: [last ? CLASSIFIER_LOGITS : `a${l}`],
    });
    if (!last) {
      x = `x${l + 1}`;
      nodes.push({ opType: 'Relu', inputs: [`a${l}`], outputs: [x] });
    }
  });
  nodes.push({
    opType: 'Softmax',
    inputs: [CLASSIFIER_LOGITS],
    outputs: [CLASSIFIER_PROBABILITIES],
    attributes: { axis: -1 },
  });
  return {
    name: 'arginator_classifier',
    opset: CLASSIFIER_OPSET,
    irVersion: CLASSIFIER_IR_VERSION,
    inputDim: dim,
    classes: k,
    nodes,
    initializers,
    metadata: {
      'arginator.graph': 'classifier',
      'arginator.covers':
        'standardisation, MLP/logistic regression, softmax at temperature 1; not homology evidence fusion, temperature, class masking or calibration (docs/onnx.md)',
      'arginator.quantize': quantize,
      'arginator.labels': JSON.stringify(header.labels),
      'arginator.task': header.task,
      'arginator.embedder': header.embedder.id,
      'arginator.temperature': String(header.calibration.temperature),
      ...(calibration === undefined || quantize !== 'int8'
        ? {}
        : { 'arginator.calibration_rows': String(calibration.rows) }),
      ...options.metadata,
    },
  };
}
