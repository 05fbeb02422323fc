// Calibration: reliability-diagram bins over top-class confidence, expected calibration error, sklearn's calibration_curve.
import { inputError } from '../errors.ts';
import {
  checkBinary,
  checkClassCount,
  checkLabels,
  checkMatrix,
  checkSameLength,
} from './metric-inputs.ts';

export interface ReliabilityBin {
  /** The bin is (lower, upper]; the first bin also holds 0. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean top-class probability of the bin's examples (0 for an empty bin). */
  readonly meanConfidence: number;
  /** Fraction of the bin's examples whose top class is the true class (0 for an empty bin). */
  readonly accuracy: number;
}

export interface ReliabilityDiagram {
  readonly n: number;
  readonly bins: ReliabilityBin[];
  /** Expected calibration error: Σ (count/n)·|accuracy − meanConfidence| over bins. */
  readonly ece: number;
  /** Maximum calibration error: the largest |accuracy − meanConfidence| over non-empty bins. */
  readonly mce: number;
}

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin (sklearn's prob_true). */
  readonly probTrue: number[];
  /** Mean predicted probability in each non-empty bin (sklearn's prob_pred). */
  readonly probPred: number[];
  /** Examples in each non-empty bin. */
  readonly counts: number[];
}

/** Default bin count of the reliability diagram (Guo et al. 2017 use 15). */
export const DEFAULT_RELIABILITY_BINS = 15;

function checkBins(nBins: number, what: string): void {
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw inputError(
      'metrics.bad-bin-count',
      `${what}: the number of bins must be a positive integer, got ${nBins}`,
      'pass a bin count such as 10 or 15',
    );
  }
}

/** Inner edge i of nBins equal-width bins over [0, 1], computed as numpy.linspace does. */
function edge(i: number, nBins: number): number {
  return i >= nBins ? 1 : i * (1 / nBins);
}

/** Bin of p: the number of inner edges strictly below p (numpy.searchsorted(edges[1:-1], p), side 'left'). */
function binOf(p: number, nBins: number): number {
  let b = Math.min(nBins - 1, Math.max(0, Math.ceil(p * nBins) - 1));
  while (b > 0 && p <= edge(b, nBins)) {
    b--;
  }
  while (b < nBins - 1 && p > edge(b + 1, nBins)) {
    b++;
  }
  return b;
}

function checkProbability(p: number, i: number, what: string): void {
  if (!(p >= 0 && p <= 1)) {
    throw inputError(
      'metrics.not-a-probability',
      `${what}: value ${p} at index ${i} is outside [0, 1]`,
      'pass probabilities (e.g. softmax outputs), not raw scores or logits',
    );
  }
}

/**
 * Reliability diagram over the top-class confidence of an n×k row-major probability matrix:
 * equal-width bins over [0, 1], each with its count, mean confidence and accuracy, plus ECE and MCE.
 */
export function reliabilityDiagram(
  probs: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  nBins: number = DEFAULT_RELIABILITY_BINS,
): ReliabilityDiagram {
  const what = 'reliabilityDiagram';
  checkClassCount(k, what);
  checkBins(nBins, what);
  checkLabels(yTrue, k, `${what} (true labels)`);
  const n = yTrue.length;
  checkMatrix(probs, n, k, `${what} (probabilities)`);
  const count = new Array<number>(nBins).fill(0);
  const confSum = new Array<number>(nBins).fill(0);
  const correct = new Array<number>(nBins).fill(0);
  for (let i = 0; i < n; i++) {
    // Top class: the first maximum, as numpy.argmax.
    let top = 0;
    let conf = probs[i * k] as number;
    for (let c = 1; c < k; c++) {
      const p = probs[i * k + c] as number;
      if (p > conf) {
        conf = p;
        top = c;
      }
    }
    checkProbability(conf, i, `${what} (top-class probability)`);
    const b = binOf(conf, nBins);
    count[b] = (count[b] as number) + 1;
    confSum[b] = (confSum[b] as number) + conf;
    if (top === yTrue[i]) {
      correct[b] = (correct[b] as number) + 1;
    }
  }
  let ece = 0;
  let mce = 0;
  const bins = count.map((m, b) => {
    const meanConfidence = m === 0 ? 0 : (confSum[b] as number) / m;
    const accuracy = m === 0 ? 0 : (correct[b] as number) / m;
    if (m > 0) {
      const gap = Math.abs(accuracy - meanConfidence);
      ece += (m / n) * gap;
      mce = Math.max(mce, gap);
    }
    return { lower: edge(b, nBins), upper: edge(b + 1, nBins), count: m, meanConfidence, accuracy };
  });
  return { n, bins, ece, mce };
}

/** Expected calibration error of an n×k row-major probability matrix (equal-width bins, weighted by count). */
export function expectedCalibrationError(
  probs: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  nBins: number = DEFAULT_RELIABILITY_BINS,
): number {
  return reliabilityDiagram(probs, yTrue, k, nBins).ece;
}

/** sklearn.calibration.calibration_curve(y, p, n_bins, strategy='uniform') for binary labels and P(positive). */
export function calibrationCurve(
  yBinary: ArrayLike<number>,
  probPositive: ArrayLike<number>,
  nBins = 5,
): CalibrationCurve {
  const what = 'calibrationCurve';
  checkSameLength(yBinary, probPositive, what);
  checkBinary(yBinary, `${what} (true labels)`);
  checkBins(nBins, what);
  const total = new Array<number>(nBins).fill(0);
  const sumProb = new Array<number>(nBins).fill(0);
  const sumTrue = new Array<number>(nBins).fill(0);
  for (let i = 0; i < yBinary.length; i++) {
    const p = probPositive[i] as number;
    checkProbability(p, i, `${what} (probabilities)`);
    const b = binOf(p, nBins);
    total[b] = (total[b] as number) + 1;
    sumProb[b] = (sumProb[b] as number) + p;
    sumTrue[b] = (sumTrue[b] as number) + (yBinary[i] as number);
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  const counts: number[] = [];
  total.forEach((m, b) => {
    if (m > 0) {
      probTrue.push((sumTrue[b] as number) / m);
      probPred.push((sumProb[b] as number) / m);
      counts.push(m);
    }
  });
  return { probTrue, probPred, counts };
}
