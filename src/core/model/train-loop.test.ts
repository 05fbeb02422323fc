// Training loop: learns separable data (MLP and linear), is deterministic, stops early on the best checkpoint, cancels cleanly, samples by class weight.
import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../errors.ts';
import { createRng } from '../rng.ts';
import type { DenseDataset } from './dataset.ts';
import { jsKernels } from './kernels.ts';
import { predictProba, type MlpSpec } from './mlp.ts';
import { DEFAULT_ADAM, DEFAULT_SGD } from './optimizer.ts';
import { epochOrder, trainClassifier, type EpochReport, type TrainOptions } from './train-loop.ts';

const DIM = 8;
const CLASSES = 3;

/** Three Gaussian blobs (σ = 0.5) around well-separated centres. */
function blobs(n: number, seed: number): DenseDataset {
  const rng = createRng(seed);
  const centres = [0, 1, 2].map((c) =>
    Array.from({ length: DIM }, (_, d) => (d % CLASSES === c ? 3 : 0)),
  );
  const x = new Float32Array(n * DIM);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES;
    y[i] = c;
    for (let d = 0; d < DIM; d++) {
      const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      x[i * DIM + d] = (centres[c]?.[d] as number) + 0.5 * g;
    }
  }
  return { x, y, n, dim: DIM };
}

function accuracy(proba: Float32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    const row = Array.from(proba.subarray(i * CLASSES, (i + 1) * CLASSES));
    ok += row.indexOf(Math.max(...row)) === y[i] ? 1 : 0;
  }
  return ok / y.length;
}

const spec: MlpSpec = { inputDim: DIM, hidden: [16, 8], outputDim: CLASSES, dropout: 0.1 };
const train = blobs(240, 1);
const val = blobs(90, 2);
const base: TrainOptions = {
  epochs: 8,
  batchSize: 16,
  optimizer: { ...DEFAULT_ADAM, lr: 0.01 },
  seed: 42,
};

describe('trainClassifier', () => {
  it('learns separable data to high accuracy and reports every epoch', async () => {
    const reports: EpochReport[] = [];
    const result = await trainClassifier(
      train,
      val,
      spec,
      { ...base, onEpoch: (e) => void reports.push(e) },
      jsKernels,
    );
    expect(result.cancelled).toBe(false);
    expect(result.history).toHaveLength(8);
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reports[0]?.trainProba).toHaveLength(train.n * CLASSES);
    expect(reports[0]?.valProba).toHaveLength(val.n * CLASSES);
    expect(accuracy(predictProba(result.params, val.x, val.n, jsKernels), val.y)).toBeGreaterThan(
      0.97,
    );
    const last = result.history[result.history.length - 1];
    expect(last?.trainLoss).toBeLessThan(result.history[0]?.trainLoss ?? 0);
  });

  it('trains the linear model (hidden: []) with the same code path, also with SGD', async () => {
    const linear: MlpSpec = { inputDim: DIM, hidden: [], outputDim: CLASSES, dropout: 0 };
    for (const optimizer of [base.optimizer, { ...DEFAULT_SGD, lr: 0.05, nesterov: true }]) {
      const result = await trainClassifier(train, val, linear, { ...base, optimizer }, jsKernels);
      expect(result.params.layers).toHaveLength(1);
      expect(result.params.data).toHaveLength((DIM + 1) * CLASSES);
      expect(accuracy(predictProba(result.params, val.x, val.n, jsKernels), val.y)).toBeGreaterThan(
        0.97,
      );
    }
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    const a = await trainClassifier(
      train,
      val,
      spec,
      { ...base, epochs: 3, sampling: 'weighted' },
      jsKernels,
    );
    const b = await trainClassifier(
      train,
      val,
      spec,
      { ...base, epochs: 3, sampling: 'weighted' },
      jsKernels,
    );
    const c = await trainClassifier(train, val, spec, { ...base, epochs: 3, seed: 43 }, jsKernels);
    expect(a.history).toEqual(b.history);
    expect(a.params.data).toEqual(b.params.data);
    expect(c.params.data).not.toEqual(a.params.data);
  });

  it('stops early and returns the checkpoint with the lowest validation loss', async () => {
    // Validation labels are rotated, so learning the training labels makes validation worse.
    const rotated: DenseDataset = { ...val, y: val.y.map((v) => (v + 1) % CLASSES) };
    const valProbaByEpoch = new Map<number, Float32Array>();
    const result = await trainClassifier(
      train,
      rotated,
      spec,
      {
        ...base,
        epochs: 30,
        earlyStoppingPatience: 2,
        onEpoch: (e) => void valProbaByEpoch.set(e.epoch, e.valProba),
      },
      jsKernels,
    );
    expect(result.stoppedEarly).toBe(true);
    expect(result.history).toHaveLength(result.bestEpoch + 2);
    const losses = result.history.map((h) => h.valLoss);
    expect(Math.min(...losses)).toBe(losses[result.bestEpoch - 1]);
    const bestProba = valProbaByEpoch.get(result.bestEpoch);
    expect(predictProba(result.params, rotated.x, rotated.n, jsKernels)).toEqual(bestProba);
  });

  it('returns the best-so-far checkpoint with cancelled: true when aborted after an epoch', async () => {
    const controller = new AbortController();
    const result = await trainClassifier(
      train,
      val,
      spec,
      {
        ...base,
        signal: controller.signal,
        onEpoch: (e) => (e.epoch === 3 ? controller.abort() : undefined),
      },
      jsKernels,
    );
    expect(result.cancelled).toBe(true);
    expect(result.history).toHaveLength(3);
    const losses = result.history.map((h) => h.valLoss);
    expect(result.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
  });

  it('stops at the next batch when aborted mid-epoch, without throwing', async () => {
    const controller = new AbortController();
    let batchesSeen = 0;
    // Queued before training starts, so it runs at the trainer's first yield (after batch 1).
    setImmediate(() => {
      controller.abort();
    });
    const result = await trainClassifier(
      train,
      val,
      spec,
      {
        ...base,
        yieldEvery: 1,
        signal: controller.signal,
        onEpoch: () => {
          batchesSeen++;
        },
      },
      jsKernels,
    );
    expect(result.cancelled).toBe(true);
    expect(result.history).toHaveLength(0);
    expect(result.bestEpoch).toBe(0);
    expect(batchesSeen).toBe(0);
    expect(result.params.data).toHaveLength(train.dim * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
  });

  it('reports bad configuration and bad labels as typed errors', async () => {
    await expect(
      trainClassifier(train, val, spec, { ...base, batchSize: 0 }, jsKernels),
    ).rejects.toBeInstanceOf(ArginatorError);
    const badLabels: DenseDataset = { ...val, y: val.y.map(() => 7) };
    await expect(trainClassifier(train, badLabels, spec, base, jsKernels)).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(
      trainClassifier(
        train,
        val,
        spec,
        { ...base, optimizer: { ...DEFAULT_ADAM, lr: -1 } },
        jsKernels,
      ),
    ).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('applies class weights to the loss', async () => {
    const weighted = await trainClassifier(
      train,
      val,
      spec,
      { ...base, epochs: 1, classWeights: new Float32Array([1, 1, 1]) },
      jsKernels,
    );
    const plain = await trainClassifier(train, val, spec, { ...base, epochs: 1 }, jsKernels);
    expect(weighted.history[0]?.valLoss).toBeCloseTo(plain.history[0]?.valLoss ?? NaN, 5);
    const skewed = await trainClassifier(
      train,
      val,
      spec,
      { ...base, epochs: 1, classWeights: new Float32Array([10, 1, 1]) },
      jsKernels,
    );
    expect(skewed.history[0]?.valLoss).not.toBeCloseTo(plain.history[0]?.valLoss ?? NaN, 3);
  });
});

describe('epochOrder', () => {
  it("'weighted' draws each class about equally often from imbalanced labels", () => {
    const labels = Int32Array.from({ length: 3000 }, (_, i) => (i < 2700 ? 0 : i < 2970 ? 1 : 2));
    const order = epochOrder(labels, labels.length, 3, 'weighted', createRng(5));
    const counts = [0, 0, 0];
    for (const row of order) {
      counts[labels[row] as number] = (counts[labels[row] as number] as number) + 1;
    }
    for (const c of counts) {
      expect(Math.abs(c - 1000)).toBeLessThan(100);
    }
  });

  it("'shuffle' is a permutation", () => {
    const labels = new Int32Array(50);
    const order = epochOrder(labels, 50, 1, 'shuffle', createRng(5));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
