// Out-of-fold calls for the confidence calibrator: an identity-cluster K-fold inside the training data, each fold scored as unseen.
//
// Each fold's proteins are called by a classifier trained without the fold and with homology
// evidence against references without the fold, so a protein whose identity cluster is in the fold
// has no relative at all on the model's side: the calls look like calls on a new family, the case
// where confidence matters. The calibrator (core/model/confidence-calibrator.ts) is fitted on them.
import { groupKFold } from '../core/data/split.ts';
import { throwIfAborted } from '../core/errors.ts';
import type { CallBatch, ConfidenceCalibrator } from '../core/model/confidence-calibrator.ts';
import {
  calledProbabilities,
  fitConfidenceCalibrator,
} from '../core/model/confidence-calibrator.ts';
import type { DenseDataset } from '../core/model/dataset.ts';
import { takeRows } from '../core/model/dataset.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { MlpSpec } from '../core/model/mlp.ts';
import { forwardLogits } from '../core/model/mlp.ts';
import { standardiser } from '../core/model/standardise.ts';
import type { TrainOptions } from '../core/model/train-loop.ts';
import { trainClassifier } from '../core/model/train-loop.ts';
import { createRng } from '../core/rng.ts';
import type { EvidenceSettings } from './homology-stage.ts';
import { evidenceAgainst } from './homology-stage.ts';

/** Folds of the inner K-fold (each trains one more classifier for its best epoch count). */
export const CALIBRATION_FOLDS = 5;

export interface OutOfFoldInput {
  /** Every example's raw features and labels (not standardised). */
  readonly all: DenseDataset;
  /** The rows to use (the run's training and validation proteins). */
  readonly pool: readonly number[];
  /** Identity cluster of every row of `all`; undefined = every protein its own cluster. */
  readonly groups?: ArrayLike<number> | undefined;
  readonly spec: MlpSpec;
  /**
   * Training of each fold's classifier: the run's settings with `epochs` = the run's best epoch
   * (no validation part to stop on; the run's own early stopping chose that count).
   */
  readonly training: Pick<
    TrainOptions,
    'epochs' | 'batchSize' | 'optimizer' | 'seed' | 'sampling' | 'yieldEvery'
  > & { readonly classWeights: 'balanced' | 'none' };
  /** Homology evidence as the model uses it; undefined = a classifier-only model. */
  readonly homology?:
    (EvidenceSettings & { readonly alpha: number; readonly minSimilarity: number }) | undefined;
  /** The run's fitted temperature (the calls are made at it, as the predictor does). */
  readonly temperature: number;
  readonly negative: number;
  readonly kernels: Kernels;
  readonly folds?: number | undefined;
  readonly seed: number;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((done: number, total: number, message: string) => void) | undefined;
}

export interface OutOfFold {
  readonly calibrator: ConfidenceCalibrator;
  /** The out-of-fold calls in `pool` order (without those left out), and their true classes. */
  readonly calls: CallBatch;
  readonly y: Int32Array;
  readonly folds: number;
  /** Pool proteins left out: their class had no training protein in their fold. */
  readonly leftOut: number;
}

function takeCallRows(m: Float32Array, rows: readonly number[], k: number): Float32Array {
  const out = new Float32Array(rows.length * k);
  rows.forEach((r, i) => out.set(m.subarray(r * k, (r + 1) * k), i * k));
  return out;
}

/** Runs the inner K-fold and fits the calibrator on its calls. */
export async function outOfFoldCalibration(input: OutOfFoldInput): Promise<OutOfFold> {
  const { all, pool, spec, kernels } = input;
  const k = spec.outputDim;
  const n = pool.length;
  const y = Int32Array.from(pool, (i) => all.y[i] as number);
  const groups = Int32Array.from(pool, (i, j) =>
    input.groups === undefined ? j : (input.groups[i] as number),
  );
  const distinct = new Set(groups).size;
  const folds = Math.max(2, Math.min(input.folds ?? CALIBRATION_FOLDS, distinct));
  const cv = groupKFold(y, groups, folds, createRng(input.seed));
  const logits = new Float32Array(n * k);
  // A protein whose class has no training protein in its fold's training part (a class of one
  // family, held out whole) cannot be called right by any model; a trained model always has
  // examples of its classes, so such calls say nothing about its confidence and are left out.
  const representable = new Array<boolean>(n).fill(true);
  const similarity = input.homology === undefined ? undefined : new Float32Array(n * k);
  for (const [f, fold] of cv.folds.entries()) {
    throwIfAborted(input.signal, 'Calibration');
    const trainRows = Array.from(fold.train, (j) => pool[j] as number);
    const testRows = Array.from(fold.test, (j) => pool[j] as number);
    if (testRows.length === 0 || trainRows.length === 0) {
      continue;
    }
    input.onProgress?.(f, folds, `calibration fold ${f + 1}/${folds}: training`);
    const norm = standardiser(all, trainRows);
    const trainSet = norm.apply(takeRows(all, trainRows));
    const testSet = norm.apply(takeRows(all, testRows));
    const counts = new Float64Array(k);
    for (let i = 0; i < trainSet.n; i++) {
      const c = trainSet.y[i] as number;
      counts[c] = (counts[c] as number) + 1;
    }
    fold.test.forEach((j) => {
      representable[j] = (counts[y[j] as number] as number) > 0;
    });
    const { classWeights: balance, ...training } = input.training;
    const result = await trainClassifier(
      trainSet,
      { x: new Float32Array(0), y: new Int32Array(0), n: 0, dim: all.dim },
      spec,
      {
        ...training,
        ...(balance === 'balanced'
          ? {
              classWeights: Float32Array.from(counts, (c) => (c === 0 ? 0 : trainSet.n / (k * c))),
            }
          : {}),
        earlyStoppingPatience: 0,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      },
      kernels,
    );
    throwIfAborted(input.signal, 'Calibration');
    const foldLogits = forwardLogits(result.params, testSet.x, testSet.n, kernels);
    fold.test.forEach((j, t) => logits.set(foldLogits.subarray(t * k, (t + 1) * k), j * k));
    if (input.homology !== undefined && similarity !== undefined) {
      input.onProgress?.(f, folds, `calibration fold ${f + 1}/${folds}: homology evidence`);
      const [evidence] = evidenceAgainst(input.homology, trainRows, [testRows]);
      fold.test.forEach((j, t) =>
        similarity.set((evidence ?? new Float32Array(0)).subarray(t * k, (t + 1) * k), j * k),
      );
    }
  }
  input.onProgress?.(folds, folds, 'calibration fitted');
  const kept = Array.from({ length: n }, (_, j) => j).filter((j) => representable[j]);
  const calls = calledProbabilities(
    takeCallRows(logits, kept, k),
    similarity === undefined ? undefined : takeCallRows(similarity, kept, k),
    {
      k,
      alpha: input.homology?.alpha ?? 0,
      temperature: input.temperature,
      negative: input.negative,
      minSimilarity: input.homology?.minSimilarity ?? 0,
    },
  );
  const yKept = Int32Array.from(kept, (j) => y[j] as number);
  return {
    calibrator: fitConfidenceCalibrator(calls, yKept, folds),
    calls: calls,
    y: yKept,
    folds,
    leftOut: n - kept.length,
  };
}
