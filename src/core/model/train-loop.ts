// Mini-batch training of the MLP classifier: sampling, optimizer steps, per-epoch validation, early stopping, best checkpoint, cancellation.
import { ArginatorError } from '../errors.ts';
import { createRng, type Rng } from '../rng.ts';
import type { DenseDataset } from './dataset.ts';
import type { Kernels } from './kernels.ts';
import {
  cloneMlp,
  createMlpWorkspace,
  forwardLogits,
  initMlp,
  lossAndGradients,
  mlpFromData,
  type MlpParams,
  type MlpSpec,
} from './mlp.ts';
import { createOptimizer, type OptimizerConfig } from './optimizer.ts';

export type SamplingMode = 'shuffle' | 'weighted';

export interface EpochReport {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss over the epoch's mini-batches (training mode: dropout on). */
  readonly trainLoss: number;
  /** Validation loss after the epoch (dropout off, same class weights as training). */
  readonly valLoss: number;
  /** Class probabilities of every training row after the epoch (dropout off), n×classes. */
  readonly trainProba: Float32Array;
  /** Class probabilities of every validation row after the epoch, n×classes. */
  readonly valProba: Float32Array;
  /** Wall time of the epoch's optimisation steps (not the evaluation), by options.now. */
  readonly seconds: number;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly seconds: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerConfig;
  /** Seeds initialisation, sampling order and dropout (three independent streams). */
  readonly seed: number;
  /** 'weighted' = sampling with replacement by inverse class frequency (WeightedRandomSampler). */
  readonly sampling?: SamplingMode;
  /** Per-class loss weights (weighted cross-entropy); length = number of classes. */
  readonly classWeights?: Float32Array;
  /** Stop after this many epochs without a validation-loss improvement; 0 = off. */
  readonly earlyStoppingPatience?: number;
  /** Aborting stops training at the next batch; the result has cancelled: true. */
  readonly signal?: AbortSignal;
  readonly onEpoch?: (report: EpochReport) => void | Promise<void>;
  /** Yield to the event loop every this many batches (default 4; 0 = never). */
  readonly yieldEvery?: number;
  /** Millisecond clock for EpochReport.seconds (core reads no clock itself); default reports 0. */
  readonly now?: () => number;
}

export interface TrainResult {
  /** The parameters of the epoch with the lowest validation loss (current ones if no epoch finished). */
  readonly params: MlpParams;
  /** 1-based epoch of `params`; 0 when no epoch finished. */
  readonly bestEpoch: number;
  readonly history: readonly EpochSummary[];
  readonly stoppedEarly: boolean;
  readonly cancelled: boolean;
}

function configError(path: string, message: string, hint: string): ArginatorError {
  return new ArginatorError('CONFIG', 'training.invalid', `${path}: ${message}`, hint);
}

function checkInputs(
  train: DenseDataset,
  val: DenseDataset,
  spec: MlpSpec,
  options: TrainOptions,
): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 0) {
    throw configError(
      'epochs',
      `must be an integer >= 0, got ${options.epochs}`,
      'Set e.g. epochs=20.',
    );
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw configError(
      'batch_size',
      `must be an integer >= 1, got ${options.batchSize}`,
      'Set e.g. batch_size=32.',
    );
  }
  const patience = options.earlyStoppingPatience ?? 0;
  if (!Number.isInteger(patience) || patience < 0) {
    throw configError(
      'patience',
      `must be an integer >= 0, got ${patience}`,
      'Use 0 to disable early stopping.',
    );
  }
  if (options.classWeights !== undefined && options.classWeights.length !== spec.outputDim) {
    throw configError(
      'class_weights',
      `has ${options.classWeights.length} entries for ${spec.outputDim} classes`,
      'Give one weight per class.',
    );
  }
  for (const [name, data] of [
    ['training', train],
    ['validation', val],
  ] as const) {
    if (data.dim !== spec.inputDim || data.x.length < data.n * data.dim || data.y.length < data.n) {
      throw new ArginatorError(
        'BAD_INPUT',
        'training.shape',
        `The ${name} set has ${data.dim}-dimensional rows but the model expects ${spec.inputDim}`,
        'Use embeddings from the same embedder for training and validation.',
      );
    }
    for (let i = 0; i < data.n; i++) {
      const y = data.y[i] as number;
      if (!(y >= 0 && y < spec.outputDim)) {
        throw new ArginatorError(
          'BAD_INPUT',
          'training.label',
          `The ${name} set has label ${y} at row ${i}, outside 0..${spec.outputDim - 1}`,
          'Encode labels as 0-based class indices.',
        );
      }
    }
  }
  if (train.n === 0) {
    throw new ArginatorError(
      'BAD_INPUT',
      'training.empty',
      'The training set is empty',
      'Provide labelled training data.',
    );
  }
}

/** Row order of one epoch: a permutation, or n draws with replacement by inverse class frequency. */
export function epochOrder(
  labels: Int32Array,
  n: number,
  classes: number,
  mode: SamplingMode,
  rng: Rng,
): Int32Array {
  const order = new Int32Array(n);
  if (mode === 'shuffle') {
    for (let i = 0; i < n; i++) {
      order[i] = i;
    }
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    return order;
  }
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    counts[labels[i] as number] = (counts[labels[i] as number] as number) + 1;
  }
  // Cumulative weights 1/count[y] per row; each draw is a binary search.
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (counts[labels[i] as number] as number);
    cumulative[i] = total;
  }
  for (let d = 0; d < n; d++) {
    const u = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > u) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    order[d] = lo;
  }
  return order;
}

function yieldToEventLoop(): Promise<void> {
  // setImmediate, not setTimeout: no 1 ms clamp, so frequent yields stay cheap.
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

/** Loss (same weighting as training) and probabilities of a whole dataset, dropout off. */
function evaluate(
  params: MlpParams,
  data: DenseDataset,
  kernels: Kernels,
  classWeights: Float32Array | undefined,
): { loss: number; proba: Float32Array } {
  const classes = params.spec.outputDim;
  const proba = new Float32Array(data.n * classes);
  if (data.n === 0) {
    return { loss: Number.NaN, proba };
  }
  const logits = forwardLogits(params, data.x, data.n, kernels);
  const loss = kernels.softmaxCrossEntropy(
    logits,
    data.y,
    data.n,
    classes,
    classWeights,
    proba,
    undefined,
  );
  return { loss, proba };
}

/**
 * Trains an MLP (spec) on `train`, validating on `val` after each epoch, and returns the
 * checkpoint with the lowest validation loss (training loss when val is empty). Deterministic
 * for a given seed and kernels. Never throws on cancellation: it returns what is done.
 */
export async function trainClassifier(
  train: DenseDataset,
  val: DenseDataset,
  spec: MlpSpec,
  options: TrainOptions,
  kernels: Kernels,
): Promise<TrainResult> {
  checkInputs(train, val, spec, options);
  const seed = options.seed >>> 0;
  // Independent streams so that, e.g., changing dropout does not change the sampling order.
  const params = initMlp(spec, createRng(seed));
  const sampleRng = createRng((seed ^ 0x9e3779b9) >>> 0);
  const dropoutRng = createRng((seed ^ 0x85ebca6b) >>> 0);
  const grads = mlpFromData(spec, new Float32Array(params.data.length));
  const optimizer = createOptimizer(options.optimizer, params.data.length, kernels);
  const batchSize = Math.min(options.batchSize, train.n);
  const ws = createMlpWorkspace(spec, batchSize);
  const batchX = new Float32Array(batchSize * train.dim);
  const batchY = new Int32Array(batchSize);
  const patience = options.earlyStoppingPatience ?? 0;
  const yieldEvery = options.yieldEvery ?? 4;
  const now = options.now ?? (() => 0);
  const sampling = options.sampling ?? 'shuffle';
  const dim = train.dim;

  let best: MlpParams | undefined;
  let bestEpoch = 0;
  let bestLoss = Infinity;
  let sinceBest = 0;
  let cancelled = false;
  let stoppedEarly = false;
  let batchCount = 0;
  const history: EpochSummary[] = [];

  for (let epoch = 1; epoch <= options.epochs && !cancelled; epoch++) {
    const order = epochOrder(train.y, train.n, spec.outputDim, sampling, sampleRng);
    const t0 = now();
    let lossSum = 0;
    for (let b0 = 0; b0 < train.n; b0 += batchSize) {
      if (options.signal?.aborted === true) {
        cancelled = true;
        break;
      }
      const rows = Math.min(batchSize, train.n - b0);
      for (let i = 0; i < rows; i++) {
        const r = order[b0 + i] as number;
        batchX.set(train.x.subarray(r * dim, (r + 1) * dim), i * dim);
        batchY[i] = train.y[r] as number;
      }
      const loss = lossAndGradients(params, grads, batchX, batchY, rows, kernels, ws, {
        classWeights: options.classWeights,
        dropoutRng,
      });
      optimizer.step(params.data, grads.data);
      lossSum += loss * rows;
      batchCount++;
      if (yieldEvery > 0 && batchCount % yieldEvery === 0) {
        await yieldToEventLoop();
      }
    }
    if (cancelled) {
      break;
    }
    const seconds = (now() - t0) / 1000;
    const trainLoss = lossSum / train.n;
    const trainEval = evaluate(params, train, kernels, options.classWeights);
    const valEval = evaluate(params, val, kernels, options.classWeights);
    const valLoss = valEval.loss;
    const selectionLoss = val.n > 0 ? valLoss : trainEval.loss;
    if (selectionLoss < bestLoss) {
      bestLoss = selectionLoss;
      best = cloneMlp(params);
      bestEpoch = epoch;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    history.push({ epoch, trainLoss, valLoss, seconds });
    await options.onEpoch?.({
      epoch,
      trainLoss,
      valLoss,
      trainProba: trainEval.proba,
      valProba: valEval.proba,
      seconds,
    });
    if (options.signal?.aborted === true) {
      cancelled = true;
    } else if (patience > 0 && sinceBest >= patience && epoch < options.epochs) {
      stoppedEarly = true;
      break;
    }
  }
  return { params: best ?? params, bestEpoch, history, stoppedEarly, cancelled };
}
