// The classifier graph's pure parts: float16 rounding, the int8 scales and the graph's structure per quantisation.
import { describe, expect, it } from 'vitest';

import { decodeArtifact } from './artifact.ts';
import {
  activationQuantisation,
  calibrateActivations,
  classifierGraph,
  float16Bits,
  float16Value,
  quantiseWeightColumns,
} from './classifier-graph.ts';
import { jsKernels } from './kernels.ts';
import { randomModelArtifact } from './test-support/random-model.ts';

const model = decodeArtifact(
  randomModelArtifact({
    embedder: { id: 'e', dim: 6, fingerprint: {} },
    labels: ['A', 'B', 'C', 'D', 'NBL'],
  }),
  'test',
);

describe('float16Bits', () => {
  it('rounds to the nearest binary16, ties to even, with subnormals and overflow', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00); // rounds up past the largest half: infinity
    expect(float16Bits(2 ** -24)).toBe(0x0001); // the smallest subnormal
    expect(float16Bits(2 ** -26)).toBe(0x0000);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even mantissa
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(float16Value(float16Bits(Number.NaN)))).toBe(true);
    for (const v of [0.1, -3.14159, 1e-5, 123.456]) {
      const back = float16Value(float16Bits(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
    }
  });
});

describe('int8 scales', () => {
  it('quantises activations over [min, max] widened to 0 and weights per column', () => {
    expect(activationQuantisation(0, 2.55)).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    const { scale, zeroPoint } = activationQuantisation(-1, 3);
    expect(zeroPoint).toBe(Math.round(1 / scale));
    const { q, scales } = quantiseWeightColumns(Float32Array.of(1, -0.5, -2, 0.25), 2, 2);
    expect(Array.from(scales)).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    expect(Array.from(q)).toEqual([64, -127, -127, 64]);
  });

  it('calibrates every layer input; ReLU outputs never go below 0', () => {
    const x = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i) * 3);
    const ranges = calibrateActivations(model, x, 10, jsKernels);
    expect(ranges.rows).toBe(10);
    expect(ranges.min).toHaveLength(2);
    expect(ranges.min[1]).toBeGreaterThanOrEqual(0);
    expect(ranges.max[0]).toBeGreaterThan(ranges.min[0] as number);
  });
});

describe('classifierGraph', () => {
  const ops = (q: 'none' | 'int8' | 'fp16') =>
    classifierGraph(model, {
      quantize: q,
      calibration:
        q === 'int8'
          ? calibrateActivations(model, new Float32Array(60).fill(0.5), 10, jsKernels)
          : undefined,
    }).nodes.map((n) => n.opType);

  it('fp32: standardise, MatMul + Add, Relu between layers, Softmax', () => {
    expect(ops('none')).toEqual([
      'Sub',
      'Div',
      'MatMul',
      'Add',
      'Relu',
      'MatMul',
      'Add',
      'Softmax',
    ]);
  });

  it('int8: QuantizeLinear and an exact integer product per layer', () => {
    const layer = ['QuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Add'];
    expect(ops('int8')).toEqual(['Sub', 'Div', ...layer, 'Relu', ...layer, 'Softmax']);
  });

  it('fp16: float16 weights and biases behind Cast; mean and std stay float32', () => {
    const graph = classifierGraph(model, { quantize: 'fp16' });
    const types = Object.fromEntries(graph.initializers.map((t) => [t.name, t.type]));
    expect(types).toEqual({
      norm_mean: 'float32',
      norm_std: 'float32',
      w0_fp16: 'float16',
      b0_fp16: 'float16',
      w1_fp16: 'float16',
      b1_fp16: 'float16',
    });
    expect(ops('fp16').filter((o) => o === 'Cast')).toHaveLength(4);
  });

  it('int8 without calibration is refused', () => {
    expect(() => classifierGraph(model, { quantize: 'int8' })).toThrow(/activation ranges/);
  });
});
