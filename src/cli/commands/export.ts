// `arginator export onnx`: writes a registered model's classifier (standardisation, MLP, softmax) as an ONNX file, fp32, int8 or fp16.
import { createHash } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { isOneOf, orList } from '../../core/domain.ts';
import { usageError } from '../../core/errors.ts';
import { CLASSIFIER_OPSET, QUANTIZE_MODES } from '../../core/model/classifier-graph.ts';
import { loadFastestKernels } from '../../native/load-kernels.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { loadPredictionModel } from '../../wiring/load-model.ts';
import { resolveTaskModel } from '../../wiring/task-model.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalString } from '../options.ts';
import { assertOutputFolder } from '../output-path.ts';

const FORMATS = ['onnx'] as const;

export async function exportCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const format = args[0];
  if (format === undefined || !isOneOf(FORMATS, format)) {
    throw usageError(
      'cli.bad-export-format',
      format === undefined ? 'export needs a FORMAT' : `unknown export format '${format}'`,
      'arginator export onnx --out model.onnx',
    );
  }
  const quantize = optionalString(options, 'quantize', '--quantize') ?? 'none';
  if (!isOneOf(QUANTIZE_MODES, quantize)) {
    throw usageError(
      'cli.bad-quantize',
      `--quantize must be ${orList(QUANTIZE_MODES)}, got '${quantize}'`,
      'e.g. --quantize int8',
    );
  }
  const out = optionalString(options, 'out', '--out');
  if (out === undefined) {
    throw usageError(
      'cli.missing-out',
      'export onnx needs --out FILE',
      'arginator export onnx --out model.onnx',
    );
  }
  const outPath = resolve(io.cwd, out);
  await assertOutputFolder(outPath, out, '--out');
  const { config } = await loadConfig([], options, io);
  // One catalog for the command (docs/registry.md: the champion, else the latest model).
  const catalog = new FsModelRegistry(config.paths.models);
  const given = optionalString(options, 'model', '--model');
  const ref =
    given === undefined
      ? (await resolveTaskModel('multiclass', catalog)).version
      : given.endsWith('.argm')
        ? resolve(io.cwd, given)
        : given;
  const kernels = loadFastestKernels({ notify: () => undefined });
  // Loading the model with the ONNX runtime builds the graph and opens it in onnxruntime-node:
  // the file written is one the runtime has accepted, and the one `model.runtime=onnx` runs.
  const model = await loadPredictionModel(ref, catalog, kernels, {
    signal: io.signal,
    prepare: false,
    runtime: { runtime: 'onnx', quantize },
  });
  await model.embedder.close();
  const bytes = model.classifierOnnx;
  if (bytes === undefined) {
    throw new Error('the ONNX runtime returned no graph');
  }
  const tmp = `${outPath}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, outPath);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const summary = {
    model: model.version,
    format,
    quantize,
    opset: CLASSIFIER_OPSET,
    out: outPath,
    bytes: bytes.length,
    sha256,
    inputs: { embedding: ['batch', model.predictor.header.embedder.dim] },
    outputs: {
      logits: ['batch', model.predictor.labels.length],
      probabilities: ['batch', model.predictor.labels.length],
    },
    labels: model.predictor.labels,
  };
  if (flag(options, 'json')) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else if (!flag(options, 'quiet')) {
    io.stderr.write(
      `exported the classifier of model ${model.version} (${quantize === 'none' ? 'fp32' : quantize}, opset ${CLASSIFIER_OPSET}) to ${out}: ${bytes.length} bytes; input 'embedding' [batch, ${summary.inputs.embedding[1]}], outputs 'logits' and 'probabilities' [batch, ${summary.outputs.logits[1]}] (docs/onnx.md)\n`,
    );
  }
  return 0;
}
