// Agreement of the exported classifier (fp32, int8 QDQ, fp16) run by onnxruntime-node with the in-process model, on a model trained on shipped embeddings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  calibrateActivations,
  classifierGraph,
  type QuantizeMode,
} from '../core/model/classifier-graph.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { forwardLogits, mlpFromData, softmaxRows } from '../core/model/mlp.ts';
import { createPredictor } from '../core/model/predictor.ts';
import { applyStandardisation } from '../core/model/standardise.ts';
import {
  encodeClassifierGraph,
  openOnnxClassifier,
  type OnnxClassifier,
} from './onnx-classifier.ts';
import type { onnx as Onnx } from 'onnx-proto';

import { decodeOnnxModel, readOnnxMetadata } from './test-support/onnx-decode.ts';
import { trainedClassifier, type TrainedClassifier } from './test-support/trained-classifier.ts';

/** Stated tolerances (docs/onnx.md): largest |Δ| of a class probability over every test row. */
const FP32_LOGIT_TOLERANCE = 1e-5;
const INT8_PROBABILITY_TOLERANCE = 0.05;
const FP16_PROBABILITY_TOLERANCE = 2e-3;
/** int8 may change a call only where the top two classes are this close (probability). */
const INT8_CALL_MARGIN = 0.05;

let trained: TrainedClassifier;
const sessions = new Map<QuantizeMode, OnnxClassifier>();
const files = new Map<QuantizeMode, Uint8Array>();

function graphBytes(quantize: QuantizeMode): Uint8Array {
  const calibration =
    quantize === 'int8'
      ? calibrateActivations(trained.model, trained.train, trained.trainRows, jsKernels)
      : undefined;
  return encodeClassifierGraph(
    classifierGraph(trained.model, { quantize, calibration, metadata: { 'arginator.model': 't' } }),
    'test',
  );
}

/** The in-process classifier exactly as createPredictor computes it (standardise, forwardLogits). */
function nativeLogits(x: Float32Array, n: number): Float32Array {
  const { header, tensors } = trained.model;
  const dim = header.embedder.dim;
  const params = mlpFromData(
    { ...header.architecture, dropout: 0 },
    tensors.get('mlp.params') as Float32Array,
  );
  const standardised = applyStandardisation(
    { x, y: new Int32Array(n), n, dim },
    tensors.get('norm.mean') as Float32Array,
    tensors.get('norm.std') as Float32Array,
  ).x;
  return forwardLogits(params, standardised, n, jsKernels);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return worst;
}

beforeAll(async () => {
  // The product's hidden sizes, so the MatMul shapes are those of a shipped model.
  trained = await trainedClassifier({ hidden: [256, 128] });
  for (const q of ['none', 'int8', 'fp16'] as const) {
    const bytes = graphBytes(q);
    files.set(q, bytes);
    sessions.set(
      q,
      await openOnnxClassifier(bytes, trained.model.header.embedder.dim, 5, {
        name: q,
        quantize: q,
      }),
    );
  }
}, 120_000);

afterAll(() => {
  for (const s of sessions.values()) {
    s.close();
  }
});

describe('ONNX classifier', () => {
  it('fp32: logits equal the in-process model within 1e-5, probabilities its softmax', () => {
    const { all, rows } = trained;
    const native = nativeLogits(all, rows);
    const onnx = sessions.get('none')?.logits(all, rows) as Float32Array;
    expect(maxAbsDiff(onnx, native)).toBeLessThanOrEqual(FP32_LOGIT_TOLERANCE);
    // The model is a real classifier, not a constant: its calls are mostly right on its own rows.
    const k = 5;
    const proba = softmaxRows(native.slice(), k);
    let spread = 0;
    for (let i = 0; i < rows; i++) {
      spread = Math.max(spread, Math.max(...proba.subarray(i * k, i * k + k)));
    }
    expect(spread).toBeGreaterThan(0.9);
  });

  it('fp32 through the predictor: the same calls and probabilities as the in-process path', () => {
    const { all, rows } = trained;
    const inProcess = createPredictor(trained.model, jsKernels).predictEmbeddings(all);
    const viaOnnx = createPredictor(
      trained.model,
      jsKernels,
      undefined,
      undefined,
      undefined,
      {},
      {
        classifier: sessions.get('none'),
      },
    ).predictEmbeddings(all);
    expect(viaOnnx).toHaveLength(rows);
    let worst = 0;
    viaOnnx.forEach((p, i) => {
      const q = inProcess[i];
      expect(p.label).toBe(q?.label);
      worst = Math.max(worst, maxAbsDiff(p.probabilities, q?.probabilities as Float32Array));
    });
    expect(worst).toBeLessThanOrEqual(FP32_LOGIT_TOLERANCE);
  });

  for (const [mode, tolerance] of [
    ['int8', INT8_PROBABILITY_TOLERANCE],
    ['fp16', FP16_PROBABILITY_TOLERANCE],
  ] as const) {
    it(`${mode}: probabilities within ${tolerance} of fp32; calls change only at near ties`, () => {
      const { all, rows } = trained;
      const k = 5;
      const reference = softmaxRows(nativeLogits(all, rows), k);
      const quantised = softmaxRows(
        (sessions.get(mode) as OnnxClassifier).logits(all, rows).slice(),
        k,
      );
      expect(maxAbsDiff(quantised, reference)).toBeLessThanOrEqual(tolerance);
      for (let i = 0; i < rows; i++) {
        const r = Array.from(reference.subarray(i * k, i * k + k));
        const q = Array.from(quantised.subarray(i * k, i * k + k));
        const rBest = r.indexOf(Math.max(...r));
        const qBest = q.indexOf(Math.max(...q));
        if (rBest !== qBest) {
          expect(Math.abs((r[rBest] as number) - (r[qBest] as number))).toBeLessThan(
            INT8_CALL_MARGIN,
          );
        }
      }
    });
  }

  for (const mode of ['int8', 'none', 'fp16'] as const) {
    it(`${mode}: a protein's logits are identical alone and inside a batch of 1,024`, () => {
      const session = sessions.get(mode) as OnnxClassifier;
      const dim = trained.model.header.embedder.dim;
      const batch = trained.all.subarray(0, 1024 * dim);
      const together = session.logits(batch, 1024);
      for (const i of [0, 1, 511, 1023]) {
        const alone = session.logits(batch.slice(i * dim, (i + 1) * dim), 1);
        expect(Array.from(alone)).toEqual(Array.from(together.subarray(i * 5, i * 5 + 5)));
      }
      // …and in a batch of other proteins in another order.
      const shuffled = new Float32Array(batch.length);
      for (let r = 0; r < 1024; r++) {
        shuffled.set(batch.subarray((1023 - r) * dim, (1024 - r) * dim), r * dim);
      }
      const reversed = session.logits(shuffled, 1024);
      expect(Array.from(reversed.subarray(1023 * 5, 1024 * 5))).toEqual(
        Array.from(together.subarray(0, 5)),
      );
    });
  }

  it('writes the same bytes for the same model, smaller files for int8 and fp16', () => {
    expect(graphBytes('int8')).toEqual(files.get('int8'));
    const size = (q: QuantizeMode) => (files.get(q) as Uint8Array).length;
    expect(size('fp16')).toBeLessThan(0.6 * size('none'));
    expect(size('int8')).toBeLessThan(0.35 * size('none'));
    const meta = readOnnxMetadata(files.get('int8') as Uint8Array);
    expect(meta['arginator.quantize']).toBe('int8');
    expect(meta['arginator.model']).toBe('t');
    expect(JSON.parse(meta['arginator.labels'] ?? '[]')).toEqual(trained.model.header.labels);
  });

  it('decodes with onnx-proto to the graph it was written from (opset 17, IR 8)', () => {
    const graph = classifierGraph(trained.model, {
      quantize: 'int8',
      calibration: calibrateActivations(trained.model, trained.train, trained.trainRows, jsKernels),
    });
    const decoded = decodeOnnxModel(encodeClassifierGraph(graph, 'test'));
    expect(Number(decoded.irVersion)).toBe(8);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const g = decoded.graph as Onnx.GraphProto;
    expect(g.node.map((n) => [n.opType, n.input, n.output])).toEqual(
      graph.nodes.map((n) => [n.opType, n.inputs, n.outputs]),
    );
    const softmax = g.node.find((n) => n.opType === 'Softmax') as Onnx.NodeProto;
    expect(softmax.attribute.map((a) => [a.name, Number(a.i), a.type])).toEqual([['axis', -1, 2]]);
    expect(g.initializer.map((t) => [t.name, (t.dims ?? []).map(Number), t.dataType])).toEqual(
      graph.initializers.map((t) => [
        t.name,
        t.dims,
        { float32: 1, uint8: 2, int8: 3, float16: 10 }[t.type],
      ]),
    );
    const w = g.initializer.find((t) => t.name === 'w0_q');
    expect(
      Array.from(
        new Int8Array(w?.rawData?.buffer ?? new ArrayBuffer(0), w?.rawData?.byteOffset, 8),
      ),
    ).toEqual(
      Array.from(
        (graph.initializers.find((t) => t.name === 'w0_q')?.data as Int8Array).subarray(0, 8),
      ),
    );
    const shape = (v: Onnx.IValueInfoProto | undefined) =>
      v?.type?.tensorType?.shape?.dim?.map((d) =>
        (d.dimParam ?? '') === '' ? Number(d.dimValue) : d.dimParam,
      );
    expect(shape(g.input[0])).toEqual(['batch', trained.model.header.embedder.dim]);
    expect(g.output.map((o) => [o.name, shape(o)])).toEqual([
      ['logits', ['batch', 5]],
      ['probabilities', ['batch', 5]],
    ]);
  });
});
