// Builds a tiny but real ESM-2-style model folder (Xenova/esm2 layout) for tests; scripts/make-tiny-esm-onnx.ts writes it to disk.
//
// The graph is not a transformer; it only has to exercise everything the ONNX embedder relies on:
// the tokenizer ids (token table), positions derived from attention_mask the way Hugging Face ESM derives
// them (cumsum(mask) * mask + padding_idx), a masked mean over the sequence that mixes every valid token
// into every output row (so a wrong attention mask or pooling over padding changes the numbers), and
// dynamic batch and sequence axes. Its math is simple enough for tests to recompute it in TypeScript.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

import { createRng, type Rng } from '../../../core/rng.ts';

const { onnx } = onnxProto;

/** ESM-2 vocabulary in id order (ids 0..32), as in facebook/esm2_* and Xenova/esm2_* vocab.txt. */
export const ESM_VOCAB: readonly string[] = [
  '<cls>',
  '<pad>',
  '<eos>',
  '<unk>',
  'L',
  'A',
  'G',
  'V',
  'S',
  'E',
  'R',
  'T',
  'I',
  'D',
  'P',
  'K',
  'Q',
  'N',
  'F',
  'Y',
  'M',
  'H',
  'W',
  'C',
  'X',
  'B',
  'U',
  'Z',
  'O',
  '.',
  '-',
  '<null_1>',
  '<mask>',
];

/** Shape of the tiny model. max_position_embeddings 66 leaves 64 tokens = 62 residues per window. */
export const TINY_ESM = {
  hiddenSize: 16,
  vocabSize: ESM_VOCAB.length,
  maxPositionEmbeddings: 66,
  modelMaxLength: 64,
  padTokenId: 1,
  seed: 20_240_601,
} as const;

export interface TinyEsmWeights {
  /** [vocabSize, hidden] row-major. */
  readonly tokenEmbedding: Float32Array;
  /** [maxPositionEmbeddings, hidden] row-major. */
  readonly positionEmbedding: Float32Array;
  /** [hidden, hidden]: applied to each token's (token + position) vector. */
  readonly wToken: Float32Array;
  /** [hidden, hidden]: applied to the masked mean of the sequence's (token + position) vectors. */
  readonly wContext: Float32Array;
  /** [hidden]. */
  readonly bias: Float32Array;
  /** [hidden, vocabSize]: language-model head of the logits-only variant. */
  readonly wLogits: Float32Array;
}

export type TinyEsmVariant = 'hidden' | 'logits-only';

function uniform(n: number, scale: number, rand: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (rand() * 2 - 1) * scale;
  }
  return out;
}

/** The tiny model's weights, from a seeded generator (the same seed always gives the same bytes). */
export function makeTinyEsmWeights(seed: number = TINY_ESM.seed): TinyEsmWeights {
  // The committed fixture depends on createRng's exact sequence; the onnx embedder test checks it byte for byte.
  const rand = createRng(seed);
  const h = TINY_ESM.hiddenSize;
  return {
    tokenEmbedding: uniform(TINY_ESM.vocabSize * h, 1, rand),
    positionEmbedding: uniform(TINY_ESM.maxPositionEmbeddings * h, 0.5, rand),
    wToken: uniform(h * h, 1 / Math.sqrt(h), rand),
    wContext: uniform(h * h, 1 / Math.sqrt(h), rand),
    bias: uniform(h, 0.1, rand),
    wLogits: uniform(h * TINY_ESM.vocabSize, 1 / Math.sqrt(h), rand),
  };
}

/** Symmetric per-tensor int8 quantisation, as the quantized file stores it. */
export function quantizeInt8(values: Float32Array): { q: Int8Array; scale: number } {
  let maxAbs = 0;
  for (const v of values) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const scale = Math.fround(maxAbs === 0 ? 1 : maxAbs / 127);
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    q[i] = Math.max(-127, Math.min(127, Math.round((values[i] ?? 0) / scale)));
  }
  return { q, scale };
}

function dequantize(values: Float32Array): Float32Array {
  const { q, scale } = quantizeInt8(values);
  return Float32Array.from(q, (v) => Math.fround(v * scale));
}

/** The weights the quantized model effectively computes with (int8 tables and matrices, float bias). */
export function dequantizedWeights(w: TinyEsmWeights): TinyEsmWeights {
  return {
    tokenEmbedding: dequantize(w.tokenEmbedding),
    positionEmbedding: dequantize(w.positionEmbedding),
    wToken: dequantize(w.wToken),
    wContext: dequantize(w.wContext),
    bias: w.bias,
    wLogits: dequantize(w.wLogits),
  };
}

// ---- ONNX building blocks (onnx-proto) ----

type Dim = number | string;

function littleEndian(values: Float32Array | BigInt64Array | Int8Array): Uint8Array {
  const bytes = new Uint8Array(values.length * values.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  values.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') {
      view.setBigInt64(i * 8, v, true);
    } else if (values instanceof Int8Array) {
      view.setInt8(i, v);
    } else {
      view.setFloat32(i * 4, v, true);
    }
  });
  return bytes;
}

function floatTensor(name: string, dims: number[], values: Float32Array): Onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: littleEndian(values) };
}

function int64Tensor(name: string, dims: number[], values: readonly number[]): Onnx.ITensorProto {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: littleEndian(data) };
}

function int8Tensor(name: string, dims: number[], values: Int8Array): Onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.INT8, rawData: littleEndian(values) };
}

export function tensorValueInfo(name: string, elemType: number, dims: Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: Onnx.IAttributeProto[] = [],
): Onnx.INodeProto {
  return { opType, input, output, name: output[0] ?? opType, attribute };
}

function intAttribute(name: string, value: number): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export interface GraphParts {
  readonly name: string;
  readonly nodes: Onnx.INodeProto[];
  readonly initializers: Onnx.ITensorProto[];
  readonly inputs: Onnx.IValueInfoProto[];
  readonly outputs: Onnx.IValueInfoProto[];
}

/** Serialises a graph as an opset-17, IR-version-8 model. */
export function encodeOnnxModel(graph: GraphParts): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'arginator/scripts/make-tiny-esm-onnx.ts',
    producerVersion: '1',
    graph: {
      name: graph.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: graph.inputs,
      output: graph.outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Initializers holding a float table: plain, or int8 + scale + DequantizeLinear for the quantized file. */
function weight(
  name: string,
  dims: number[],
  values: Float32Array,
  quantized: boolean,
  nodes: Onnx.INodeProto[],
): Onnx.ITensorProto[] {
  if (!quantized) {
    return [floatTensor(name, dims, values)];
  }
  const { q, scale } = quantizeInt8(values);
  nodes.push(node('DequantizeLinear', [`${name}_q`, `${name}_scale`, `${name}_zero`], [name]));
  return [
    int8Tensor(`${name}_q`, dims, q),
    floatTensor(`${name}_scale`, [], Float32Array.of(scale)),
    int8Tensor(`${name}_zero`, [], Int8Array.of(0)),
  ];
}

/**
 * The tiny ESM graph. Inputs `input_ids`, `attention_mask` (int64 [batch_size, sequence_length]) as in the
 * Hugging Face ESM exports; output `last_hidden_state` float32 [batch, seq, 16] (or, for the logits-only
 * variant that mirrors Xenova's fill-mask export, `logits` float32 [batch, seq, 33]).
 *
 *   x   = tokenEmbedding[input_ids] + positionEmbedding[cumsum(mask) * mask + pad_id]
 *   ctx = sum_t(mask_t * x_t) / sum_t(mask_t)
 *   h   = tanh(x · wToken + ctx · wContext + bias)
 */
export function buildTinyEsmModel(
  w: TinyEsmWeights,
  options: { variant?: TinyEsmVariant; quantized?: boolean } = {},
): Uint8Array {
  const variant = options.variant ?? 'hidden';
  const quantized = options.quantized ?? false;
  const h = TINY_ESM.hiddenSize;
  const v = TINY_ESM.vocabSize;
  const nodes: Onnx.INodeProto[] = [];
  const initializers: Onnx.ITensorProto[] = [
    ...weight('token_embedding', [v, h], w.tokenEmbedding, quantized, nodes),
    ...weight(
      'position_embedding',
      [TINY_ESM.maxPositionEmbeddings, h],
      w.positionEmbedding,
      quantized,
      nodes,
    ),
    ...weight('w_token', [h, h], w.wToken, quantized, nodes),
    ...weight('w_context', [h, h], w.wContext, quantized, nodes),
    floatTensor('bias', [h], w.bias),
    int64Tensor('axis_seq', [], [1]),
    int64Tensor('axes_seq', [1], [1]),
    int64Tensor('axes_last', [1], [2]),
    int64Tensor('pad_id', [], [TINY_ESM.padTokenId]),
  ];
  nodes.push(
    node('Gather', ['token_embedding', 'input_ids'], ['tok'], [intAttribute('axis', 0)]),
    node('CumSum', ['attention_mask', 'axis_seq'], ['mask_cumsum']),
    node('Mul', ['mask_cumsum', 'attention_mask'], ['pos_valid']),
    node('Add', ['pos_valid', 'pad_id'], ['position_ids']),
    node('Gather', ['position_embedding', 'position_ids'], ['pos'], [intAttribute('axis', 0)]),
    node('Add', ['tok', 'pos'], ['x']),
    node(
      'Cast',
      ['attention_mask'],
      ['mask_f'],
      [intAttribute('to', onnx.TensorProto.DataType.FLOAT)],
    ),
    node('Unsqueeze', ['mask_f', 'axes_last'], ['mask_3d']),
    node('Mul', ['x', 'mask_3d'], ['x_masked']),
    node('ReduceSum', ['x_masked', 'axes_seq'], ['x_sum'], [intAttribute('keepdims', 1)]),
    node('ReduceSum', ['mask_3d', 'axes_seq'], ['mask_sum'], [intAttribute('keepdims', 1)]),
    node('Div', ['x_sum', 'mask_sum'], ['ctx']),
    node('MatMul', ['x', 'w_token'], ['x_proj']),
    node('MatMul', ['ctx', 'w_context'], ['ctx_proj']),
    node('Add', ['x_proj', 'ctx_proj'], ['pre_bias']),
    node('Add', ['pre_bias', 'bias'], ['pre_act']),
  );
  const outputs: Onnx.IValueInfoProto[] = [];
  if (variant === 'hidden') {
    nodes.push(node('Tanh', ['pre_act'], ['last_hidden_state']));
    outputs.push(
      tensorValueInfo('last_hidden_state', onnx.TensorProto.DataType.FLOAT, [
        'batch_size',
        'sequence_length',
        h,
      ]),
    );
  } else {
    initializers.push(...weight('w_logits', [h, v], w.wLogits, quantized, nodes));
    nodes.push(
      node('Tanh', ['pre_act'], ['hidden']),
      node('MatMul', ['hidden', 'w_logits'], ['logits']),
    );
    outputs.push(
      tensorValueInfo('logits', onnx.TensorProto.DataType.FLOAT, [
        'batch_size',
        'sequence_length',
        v,
      ]),
    );
  }
  const ids = (name: string) =>
    tensorValueInfo(name, onnx.TensorProto.DataType.INT64, ['batch_size', 'sequence_length']);
  return encodeOnnxModel({
    name: 'tiny_esm',
    nodes,
    initializers,
    inputs: [ids('input_ids'), ids('attention_mask')],
    outputs,
  });
}

// ---- the folder ----

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function configJson(variant: TinyEsmVariant): string {
  return json({
    _name_or_path: 'arginator/tiny-esm-test',
    architectures: [variant === 'hidden' ? 'EsmModel' : 'EsmForMaskedLM'],
    attention_probs_dropout_prob: 0.0,
    classifier_dropout: null,
    emb_layer_norm_before: false,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.0,
    hidden_size: TINY_ESM.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: 2 * TINY_ESM.hiddenSize,
    is_folding_model: false,
    layer_norm_eps: 1e-5,
    mask_token_id: 32,
    max_position_embeddings: TINY_ESM.maxPositionEmbeddings,
    model_type: 'esm',
    num_attention_heads: 2,
    num_hidden_layers: 1,
    pad_token_id: TINY_ESM.padTokenId,
    position_embedding_type: 'absolute',
    token_dropout: false,
    vocab_size: TINY_ESM.vocabSize,
  });
}

const SPECIALS = ['<cls>', '<pad>', '<eos>', '<unk>', '<mask>'];

function tokenizerJson(): string {
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  const specialEntry = (token: string) => ({
    id: token,
    ids: [ESM_VOCAB.indexOf(token)],
    tokens: [token],
  });
  return json({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({
      id: ESM_VOCAB.indexOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Strip', strip_left: true, strip_right: true },
        { type: 'Replace', pattern: { Regex: '[\\s]' }, content: '' },
      ],
    },
    pre_tokenizer: {
      type: 'Split',
      pattern: { Regex: '[\\S]' },
      behavior: 'Isolated',
      invert: false,
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('<cls>'), { Sequence: { id: 'A', type_id: 0 } }, special('<eos>')],
      pair: [
        special('<cls>'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('<eos>'),
        { Sequence: { id: 'B', type_id: 1 } },
        special('<eos>'),
      ],
      special_tokens: { '<cls>': specialEntry('<cls>'), '<eos>': specialEntry('<eos>') },
    },
    decoder: null,
    model: {
      type: 'WordLevel',
      vocab: Object.fromEntries(ESM_VOCAB.map((token, id) => [token, id])),
      unk_token: '<unk>',
    },
  });
}

const README = `# tiny-esm-test

Generated by \`npx tsx scripts/make-tiny-esm-onnx.ts OUTDIR\` for ARGinator's tests. It has the file layout,
tokenizer files and ONNX input/output names of a Hugging Face ESM-2 export (e.g. Xenova/esm2_t6_8M_UR50D),
but the network is a 16-dimensional toy with seeded random weights. It knows nothing about proteins.
`;

/** Every file of the folder, keyed by path relative to the folder, in a fixed order. */
export function tinyEsmFiles(
  options: { variant?: TinyEsmVariant; seed?: number } = {},
): Map<string, Uint8Array | string> {
  const variant = options.variant ?? 'hidden';
  const weights = makeTinyEsmWeights(options.seed ?? TINY_ESM.seed);
  return new Map<string, Uint8Array | string>([
    ['README.md', README],
    ['config.json', configJson(variant)],
    [
      'special_tokens_map.json',
      json({
        cls_token: '<cls>',
        eos_token: '<eos>',
        mask_token: '<mask>',
        pad_token: '<pad>',
        unk_token: '<unk>',
      }),
    ],
    [
      'tokenizer_config.json',
      json({
        clean_up_tokenization_spaces: true,
        model_max_length: TINY_ESM.modelMaxLength,
        tokenizer_class: 'EsmTokenizer',
      }),
    ],
    ['tokenizer.json', tokenizerJson()],
    ['vocab.txt', `${ESM_VOCAB.join('\n')}\n`],
    ['onnx/model.onnx', buildTinyEsmModel(weights, { variant })],
    ['onnx/model_quantized.onnx', buildTinyEsmModel(weights, { variant, quantized: true })],
  ]);
}

/** Writes the folder (creating it); returns the paths written. */
export async function writeTinyEsmFolder(
  outDir: string,
  options: { variant?: TinyEsmVariant; seed?: number } = {},
): Promise<string[]> {
  const written: string[] = [];
  for (const [relative, content] of tinyEsmFiles(options)) {
    const target = path.join(outDir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    written.push(target);
  }
  return written;
}
