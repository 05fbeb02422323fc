import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { decodeArtifact } from './artifact.ts';
import { jsKernels } from './kernels.ts';
import { createPredictor } from './predictor.ts';
import { randomModelArtifact } from './test-support/random-model.ts';
import {
  CONFIDENCE_FEATURES,
  calibratedProbabilities,
  callFeatures,
  fitCallLogistic,
  fitConfidenceCalibrator,
  usableCalibrator,
  type CallBatch,
  type ConfidenceCalibrator,
} from './confidence-calibrator.ts';

const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t));
const F = CONFIDENCE_FEATURES.length;

/** Calls of k=3 classes (A, B, NBL = 2) with the given fused logits, masked probabilities and similarity. */
function batch(
  logits: number[][],
  proba: number[][],
  similarity: number[][] | undefined,
): CallBatch {
  return {
    logits: Float32Array.from(logits.flat()),
    proba: Float32Array.from(proba.flat()),
    similarity: similarity === undefined ? undefined : Float32Array.from(similarity.flat()),
    k: 3,
    negative: 2,
  };
}

function calibrator(weights: number[]): ConfidenceCalibrator {
  return {
    kind: 'call-logistic',
    features: [...CONFIDENCE_FEATURES],
    weights,
    maxConfidence: 0.999,
    fitted: { calls: 0, wrong: 0, folds: 0 },
  };
}

describe('callFeatures', () => {
  it('reads the call, its signed log margin, whether it is a β-lactamase call and its similarity', () => {
    const { x, calls } = callFeatures(
      batch(
        [
          [5, 2, 1],
          [0, 0, 3],
          [4, 0, 1],
        ],
        [
          [0.9, 0.05, 0.05],
          [0.1, 0.1, 0.8],
          // Row 2: A was masked by the decision rule, so the call is NBL although A's logit is higher.
          [0, 0.2, 0.8],
        ],
        [
          [0.6, 0.2, 0.1],
          [0.05, 0.02, 0.3],
          [0.05, 0.12, 0.2],
        ],
      ),
    );
    expect(Array.from(calls)).toEqual([0, 2, 2]);
    const row = (i: number) =>
      Array.from(x.subarray(i * F, (i + 1) * F), (v) => Number(v.toFixed(6)));
    expect(row(0)).toEqual([1, Number(Math.log1p(3).toFixed(6)), 1, 0.6, 0, 0]);
    // An NBL call: its own similarity and its best β-lactamase homolog (0.05).
    expect(row(1)).toEqual([1, Number(Math.log1p(3).toFixed(6)), 0, 0, 0.3, 0.05]);
    // Margin of the NBL call against the masked A: 1 − 4 = −3.
    expect(row(2)).toEqual([1, Number((-Math.log1p(3)).toFixed(6)), 0, 0, 0.2, 0.12]);
  });
});

describe('fitCallLogistic', () => {
  it('recovers the weights of calls drawn from a logistic model', () => {
    const rng = createRng(7);
    const truth = [1.5, 2, -1, 0, 0, 0];
    const n = 20000;
    const x = new Float64Array(n * F);
    const correct: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const row = [1, rng() * 4 - 2, rng() < 0.5 ? 1 : 0, 0, 0, 0];
      x.set(row, i * F);
      const t = row.reduce((s, v, j) => s + v * (truth[j] as number), 0);
      correct.push(rng() < sigmoid(t));
    }
    const w = fitCallLogistic(x, correct, F);
    expect(w[0]).toBeCloseTo(1.5, 0);
    expect(Math.abs((w[1] as number) - 2)).toBeLessThan(0.15);
    expect(Math.abs((w[2] as number) + 1)).toBeLessThan(0.15);
    // Features constant 0 on the data get no weight.
    expect(w[3]).toBeCloseTo(0, 6);
  });

  it('stays finite on separable or all-right calls and never promises more than (R+1)/(R+2)', () => {
    const n = 200;
    const x = new Float64Array(n * F);
    for (let i = 0; i < n; i++) {
      x.set([1, i < 10 ? -1 : 3, 0, 0, 0, 0], i * F);
    }
    const separable = fitCallLogistic(
      x,
      Array.from({ length: n }, (_, i) => i >= 10),
      F,
    );
    expect(separable.every(Number.isFinite)).toBe(true);
    const top = sigmoid((separable[0] as number) + 3 * (separable[1] as number));
    const bottom = sigmoid((separable[0] as number) - (separable[1] as number));
    expect(top).toBeLessThan(1);
    expect(top).toBeCloseTo(191 / 192, 2);
    expect(bottom).toBeCloseTo(1 / 12, 2);
    const allRight = fitCallLogistic(x, new Array<boolean>(n).fill(true), F);
    const p = Array.from({ length: n }, (_, i) =>
      sigmoid((allRight[0] as number) + (x[i * F + 1] as number) * (allRight[1] as number)),
    );
    expect(Math.max(...p)).toBeLessThan(1);
    expect(Math.min(...p)).toBeGreaterThan(0.98);
  });
});

describe('fitConfidenceCalibrator', () => {
  it('gives β-lactamase calls without a close reference less confidence than close ones', () => {
    // Out-of-fold calls: class A calls right at similarity 0.8, wrong one time in five at 0.12.
    const logits: number[][] = [];
    const proba: number[][] = [];
    const sim: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 500; i++) {
      const close = i % 2 === 0;
      logits.push([close ? 30 : 6, 0, 0]);
      proba.push([0.98, 0.01, 0.01]);
      sim.push([close ? 0.8 : 0.12, 0.05, 0.1]);
      y.push(!close && i % 10 === 1 ? 2 : 0);
    }
    const calls = batch(logits, proba, sim);
    const fitted = fitConfidenceCalibrator(calls, y, 5);
    expect(fitted.fitted).toEqual({ calls: 500, wrong: 50, folds: 5 });
    expect(fitted.maxConfidence).toBeCloseTo(451 / 452, 12);
    const out = calibratedProbabilities(calls, fitted);
    const closeConf = out[0] as number;
    const farConf = out[3] as number;
    expect(closeConf).toBeGreaterThan(0.98);
    // Never above what 450 right calls can show.
    expect(closeConf).toBeLessThanOrEqual(451 / 452 + 1e-7);
    expect(farConf).toBeGreaterThan(0.7);
    expect(farConf).toBeLessThan(0.9);
  });
});

describe('calibratedProbabilities', () => {
  it('keeps every call, sums to 1, and gives the call the calibrator confidence', () => {
    const calls = batch(
      [
        [5, 2, 1],
        [0, 1, 3],
      ],
      [
        [0.9, 0.05, 0.05],
        [0.1, 0.2, 0.7],
      ],
      [
        [0.6, 0.2, 0.1],
        [0.2, 0.3, 0.3],
      ],
    );
    const w = [1, 0.5, 0, 0, 0, 0];
    const out = calibratedProbabilities(calls, calibrator(w));
    const t0 = 1 + 0.5 * Math.log1p(3);
    const t1 = 1 + 0.5 * Math.log1p(2);
    expect(out[0]).toBeCloseTo(sigmoid(t0), 6);
    expect(out[5]).toBeCloseTo(sigmoid(t1), 6);
    // The rest in proportion to the fused softmax of the other classes: e^2 : e^1 for row 0.
    expect((out[1] as number) / (out[2] as number)).toBeCloseTo(Math.E, 5);
    for (let i = 0; i < 2; i++) {
      expect(
        (out[3 * i] as number) + (out[3 * i + 1] as number) + (out[3 * i + 2] as number),
      ).toBeCloseTo(1, 6);
    }
  });

  it('caps the confidence at maxConfidence', () => {
    const calls = batch([[40, 0, 0]], [[1, 0, 0]], [[0.9, 0, 0]]);
    const out = calibratedProbabilities(calls, calibrator([30, 0, 0, 0, 0, 0]));
    expect(out[0]).toBeCloseTo(0.999, 6);
    expect((out[1] as number) + (out[2] as number)).toBeCloseTo(0.001, 6);
  });

  it('raises a confidence that would lose the call to the next class (at most to ½)', () => {
    const calls = batch([[2, 2, -5]], [[0.5001, 0.4999, 0]], [[0.5, 0.5, 0]]);
    const out = calibratedProbabilities(calls, calibrator([-5, 0, 0, 0, 0, 0]));
    expect(out[0] as number).toBeGreaterThan(out[1] as number);
    expect(out[0]).toBeCloseTo(0.5, 3);
  });

  it('gives the doubt of an NBL call that the evidence floor forced to the masked classes', () => {
    // Both β-lactamase classes were masked (probability 0): NBL is the only callable class.
    const calls = batch([[3, 1, 2]], [[0, 0, 1]], [[0.05, 0.02, 0.1]]);
    const out = calibratedProbabilities(calls, calibrator([0, 0, 0, 0, 0, 0]));
    expect(out[2]).toBeCloseTo(0.5, 6);
    expect((out[0] as number) / (out[1] as number)).toBeCloseTo(Math.exp(2), 4);
  });
});

describe('usableCalibrator', () => {
  it('accepts this version’s calibrator and refuses other kinds, features or broken weights', () => {
    const good = calibrator([1, 2, 3, 4, 5, 6]);
    expect(usableCalibrator(good)).toBe(good);
    expect(usableCalibrator(undefined)).toBeUndefined();
    expect(usableCalibrator({ ...good, kind: 'isotonic' })).toBeUndefined();
    expect(
      usableCalibrator({ ...good, features: ['bias', 'x', 'y', 'z', 'w', 'v'] }),
    ).toBeUndefined();
    expect(usableCalibrator({ ...good, weights: [1, 2, 3, 4, 5, Number.NaN] })).toBeUndefined();
    expect(usableCalibrator({ ...good, weights: [1, 2] })).toBeUndefined();
    expect(usableCalibrator({ ...good, maxConfidence: 1.5 })).toBeUndefined();
  });

  it('survives the artifact round trip', () => {
    const bytes = randomModelArtifact({
      embedder: { id: 'e', dim: 4, fingerprint: {} },
      labels: ['A', 'B', 'NBL'],
      confidence: calibrator([0.5, 1, -2, 3, 0.25, -1]),
    });
    const decoded = decodeArtifact(bytes);
    expect(usableCalibrator(decoded.header.calibration.confidence)?.weights).toEqual([
      0.5, 1, -2, 3, 0.25, -1,
    ]);
  });
});

describe('the predictor with a calibrator', () => {
  const embedder = { id: 'e', dim: 6, fingerprint: {} };
  const labels = ['A', 'B', 'NBL'];
  const rng = createRng(11);
  const embeddings = Float32Array.from({ length: 5 * 6 }, () => rng() * 4 - 2);
  const sequences = Array.from({ length: 5 }, () => 'MKTAYIAKQR');

  it('keeps the calls of the same model without one and reports the calibrator confidence', () => {
    const old = createPredictor(
      decodeArtifact(randomModelArtifact({ embedder, labels, temperature: 0.01 })),
      jsKernels,
    );
    const calibrated = createPredictor(
      decodeArtifact(
        randomModelArtifact({
          embedder,
          labels,
          temperature: 0.01,
          confidence: calibrator([2, 0, 0, 0, 0, 0]),
        }),
      ),
      jsKernels,
    );
    const before = old.predict(sequences, embeddings);
    const after = calibrated.predict(sequences, embeddings);
    expect(after.map((p) => p.label)).toEqual(before.map((p) => p.label));
    // T = 0.01 makes the old confidences ~1; the calibrator says σ(2) for every call.
    expect(Math.min(...before.map((p) => p.confidence))).toBeGreaterThan(0.99);
    for (const p of after) {
      expect(p.confidence).toBeCloseTo(sigmoid(2), 6);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(calibrated.predictEmbeddings(embeddings).map((p) => p.confidence)).toEqual(
      after.map((p) => p.confidence),
    );
  });

  it('reads a version-1 model file (no calibrator) as before', () => {
    const bytes = randomModelArtifact({ embedder, labels, temperature: 2 });
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 1, true);
    const model = decodeArtifact(bytes);
    expect(model.header.calibration.confidence).toBeUndefined();
    const p = createPredictor(model, jsKernels).predict(sequences, embeddings);
    expect(p).toHaveLength(5);
    expect(p.every((x) => x.confidence < 1)).toBe(true);
  });
});
