// The classifier graph as ONNX bytes and run by onnxruntime-node: the ClassifierRuntime adapter of model.runtime=onnx.
import type * as OnnxRuntimeModule from 'onnxruntime-node';

import { ArginatorError } from '../core/errors.ts';
import type { ClassifierGraph, GraphTensor, QuantizeMode } from '../core/model/classifier-graph.ts';
import {
  CLASSIFIER_INPUT,
  CLASSIFIER_LOGITS,
  CLASSIFIER_PROBABILITIES,
} from '../core/model/classifier-graph.ts';
import type { ClassifierRuntime } from '../core/model/classifier-runtime.ts';
import { ONNX_ATTRIBUTE_INT, ONNX_DATA_TYPE, ONNX_FIELDS, ProtoWriter } from './onnx-protobuf.ts';

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian whatever the host). */
function rawData(data: GraphTensor['data']): Uint8Array {
  const bytes = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (data instanceof Float32Array) {
      view.setFloat32(i * 4, v, true);
    } else if (data instanceof Uint16Array) {
      view.setUint16(i * 2, v, true);
    } else if (data instanceof Int8Array) {
      view.setInt8(i, v);
    } else {
      view.setUint8(i, v);
    }
  }
  return bytes;
}

const F = ONNX_FIELDS;

/** A float32 tensor value_info with named ('batch') and fixed dimensions. */
function valueInfo(w: ProtoWriter, name: string, dims: readonly (number | string)[]): void {
  w.string(F.valueInfo.name, name).message(F.valueInfo.type, (type) =>
    type.message(F.type.tensorType, (t) =>
      t.int(F.tensorType.elemType, ONNX_DATA_TYPE.float32).message(F.tensorType.shape, (shape) => {
        for (const d of dims) {
          shape.message(F.shape.dim, (dim) =>
            typeof d === 'number'
              ? dim.int(F.dimension.value, d)
              : dim.string(F.dimension.param, d),
          );
        }
      }),
    ),
  );
}

/** Serialises the graph as an ONNX model (deterministic: the same graph gives the same bytes). */
export function encodeClassifierGraph(graph: ClassifierGraph, producerVersion: string): Uint8Array {
  const model = new ProtoWriter()
    .int(F.model.irVersion, graph.irVersion)
    .string(F.model.producerName, 'arginator')
    .string(F.model.producerVersion, producerVersion)
    .string(
      F.model.docString,
      'ARGinator classifier: raw embedding -> (x - mean) / std -> MLP -> logits, probabilities = softmax(logits). See docs/onnx.md.',
    )
    .message(F.model.graph, (g) => {
      for (const n of graph.nodes) {
        g.message(F.graph.node, (node) => {
          n.inputs.forEach((i) => node.string(F.node.input, i));
          n.outputs.forEach((o) => node.string(F.node.output, o));
          node.string(F.node.name, n.outputs[0] ?? n.opType).string(F.node.opType, n.opType);
          for (const [name, i] of Object.entries(n.attributes ?? {})) {
            node.message(F.node.attribute, (a) =>
              a
                .string(F.attribute.name, name)
                .int(F.attribute.i, i)
                .int(F.attribute.type, ONNX_ATTRIBUTE_INT),
            );
          }
        });
      }
      g.string(F.graph.name, graph.name);
      for (const t of graph.initializers) {
        g.message(F.graph.initializer, (tensor) => {
          t.dims.forEach((d) => tensor.int(F.tensor.dims, d));
          tensor
            .int(F.tensor.dataType, ONNX_DATA_TYPE[t.type])
            .string(F.tensor.name, t.name)
            .bytes(F.tensor.rawData, rawData(t.data));
        });
      }
      g.message(F.graph.input, (v) => valueInfo(v, CLASSIFIER_INPUT, ['batch', graph.inputDim]));
      g.message(F.graph.output, (v) => valueInfo(v, CLASSIFIER_LOGITS, ['batch', graph.classes]));
      g.message(F.graph.output, (v) =>
        valueInfo(v, CLASSIFIER_PROBABILITIES, ['batch', graph.classes]),
      );
    })
    .message(F.model.opsetImport, (o) =>
      o.string(F.opset.domain, '').int(F.opset.version, graph.opset),
    );
  for (const [key, value] of Object.entries(graph.metadata)) {
    model.message(F.model.metadataProps, (e) =>
      e.string(F.entry.key, key).string(F.entry.value, value),
    );
  }
  return model.finish();
}

/** The synchronous session of onnxruntime-node's native binding (dist/binding.d.ts). */
interface SyncSession {
  loadModel(
    buffer: ArrayBuffer,
    byteOffset: number,
    byteLength: number,
    options: OnnxRuntimeModule.InferenceSession.SessionOptions,
  ): void;
  run(
    feeds: Record<string, OnnxRuntimeModule.Tensor>,
    fetches: Record<string, null>,
    options: OnnxRuntimeModule.InferenceSession.RunOptions,
  ): Record<string, OnnxRuntimeModule.Tensor>;
  dispose(): void;
}

export interface OnnxClassifier extends ClassifierRuntime {
  /** Frees the native session. */
  close(): void;
}

export interface OnnxClassifierOptions {
  /** onnxruntime intra-op threads (default 1: the predictor's other stages use the cores). */
  readonly threads?: number | undefined;
  /** Shown in logs and benches (default 'onnx'). */
  readonly name?: string | undefined;
  /** How the graph was quantised: int8 graphs are loaded without fusions (below). */
  readonly quantize?: QuantizeMode | undefined;
}

/**
 * Opens the graph in onnxruntime-node. The public InferenceSession.run is a Promise around the
 * native binding's synchronous run (it only defers it with setImmediate); the predictor is
 * synchronous, so this adapter calls the binding directly (ADR 0015).
 */
export async function openOnnxClassifier(
  bytes: Uint8Array,
  inputDim: number,
  classes: number,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  const ort = await import('onnxruntime-node');
  const { binding, initOrt } = await import('onnxruntime-node/dist/binding.js');
  initOrt();
  const session = new binding.InferenceSession() as unknown as SyncSession;
  try {
    // int8: onnxruntime's extended fusions turn MatMulInteger → Cast → Mul into MatMulIntegerToFloat,
    // whose float rounding differs between batch 1 and larger batches; basic (constant folding) keeps
    // the exact integer product (ADR 0015).
    const int8 = options.quantize === 'int8';
    session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: int8 ? 'basic' : 'all',
      executionMode: 'sequential',
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
    });
  } catch (e) {
    throw new ArginatorError(
      'BAD_INPUT',
      'onnx.bad-graph',
      `onnxruntime cannot load the classifier graph: ${e instanceof Error ? e.message : String(e)}`,
      'export it again with `arginator export onnx` from this version of arginator',
    );
  }
  const fetches = { [CLASSIFIER_LOGITS]: null };
  return {
    name: options.name ?? 'onnx',
    logits(embeddings, n) {
      if (embeddings.length !== n * inputDim) {
        throw new ArginatorError(
          'INTERNAL',
          'onnx.embedding-size',
          `expected ${n}×${inputDim} embedding values, got ${embeddings.length}`,
          '',
        );
      }
      if (n === 0) {
        return new Float32Array(0);
      }
      const input = new ort.Tensor('float32', embeddings, [n, inputDim]);
      const out = session.run({ [CLASSIFIER_INPUT]: input }, fetches, {})[CLASSIFIER_LOGITS];
      const data = out?.data;
      if (!(data instanceof Float32Array) || data.length !== n * classes) {
        throw new ArginatorError(
          'INTERNAL',
          'onnx.output-size',
          `the ONNX classifier returned ${data instanceof Float32Array ? data.length : 'no'} logits for ${n}×${classes}`,
          '',
        );
      }
      return data;
    },
    close() {
      session.dispose();
    },
  };
}
