// model.runtime=onnx: builds a model's classifier graph (fp32, int8 or fp16) and opens it in onnxruntime-node as the predictor's ClassifierRuntime.
import { ArginatorError } from '../core/errors.ts';
import type { DecodedArtifact } from '../core/model/artifact.ts';
import type { QuantizeMode } from '../core/model/classifier-graph.ts';
import { calibrateActivations, classifierGraph } from '../core/model/classifier-graph.ts';
import type { ClassifierRuntime } from '../core/model/classifier-runtime.ts';
import type { Kernels } from '../core/model/kernels.ts';
import { encodeClassifierGraph, openOnnxClassifier } from '../io/onnx-classifier.ts';
import { PACKAGE_VERSION } from './package-info.ts';

/** The config's model.runtime and model.onnx_quantize. */
export interface ClassifierRuntimeSetting {
  readonly runtime: 'native' | 'onnx';
  readonly quantize: QuantizeMode;
}

export interface ClassifierOnnxInput {
  /** Registry version (or file name) and the model file's sha256, stored in the graph's metadata. */
  readonly version: string;
  readonly sha256: string;
  readonly quantize: QuantizeMode;
  /** The model's references: its training proteins' embeddings (int8 calibrates on them). */
  readonly trainingEmbeddings: Float32Array | undefined;
  readonly kernels: Kernels;
}

/**
 * The serialised graph of a model's classifier. The same model and quantisation give the same
 * bytes on an installation (the int8 ranges come from the installation's kernels).
 */
export function classifierOnnxBytes(
  model: DecodedArtifact,
  input: ClassifierOnnxInput,
): Uint8Array {
  const dim = model.header.embedder.dim;
  let calibration;
  if (input.quantize === 'int8') {
    const rows = input.trainingEmbeddings === undefined ? 0 : input.trainingEmbeddings.length / dim;
    if (input.trainingEmbeddings === undefined || rows < 1) {
      throw new ArginatorError(
        'CONFIG',
        'onnx.no-calibration',
        `model ${input.version} stores no training proteins (it was trained with model.homology=false), and int8 scales are calibrated on their embeddings`,
        'use --quantize fp16 or none (model.onnx_quantize), or train the model with model.homology=true',
      );
    }
    calibration = calibrateActivations(model, input.trainingEmbeddings, rows, input.kernels);
  }
  const graph = classifierGraph(model, {
    quantize: input.quantize,
    calibration,
    metadata: {
      'arginator.model_version': input.version,
      'arginator.model_sha256': input.sha256,
    },
  });
  return encodeClassifierGraph(graph, PACKAGE_VERSION);
}

/** Builds the graph and opens it: the classifier the predictor runs, and the bytes it runs. */
export async function openClassifierRuntime(
  model: DecodedArtifact,
  input: ClassifierOnnxInput,
): Promise<{ classifier: ClassifierRuntime; bytes: Uint8Array }> {
  const bytes = classifierOnnxBytes(model, input);
  const classifier = await openOnnxClassifier(
    bytes,
    model.header.embedder.dim,
    model.header.labels.length,
    {
      name: `onnx ${input.quantize === 'none' ? 'fp32' : input.quantize}`,
      quantize: input.quantize,
    },
  );
  return { classifier, bytes };
}
