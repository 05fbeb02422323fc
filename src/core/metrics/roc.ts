// ROC and precision-recall curves, ROC AUC and average precision (sklearn 1.2 semantics), with one-vs-rest for multiclass.
import { inputError } from '../errors.ts';
import {
  checkBinary,
  checkClassCount,
  checkFinite,
  checkLabels,
  checkMatrix,
  checkSameLength,
} from './metric-inputs.ts';

export interface RocCurve {
  /** False-positive rate per threshold, increasing from 0 to 1 (all 0 when there are no negatives). */
  readonly fpr: number[];
  /** True-positive rate per threshold, increasing from 0 to 1 (all 0 when there are no positives). */
  readonly tpr: number[];
  /** Decreasing; the first is the highest score + 1 (sklearn 1.2), so that the curve starts at (0, 0). */
  readonly thresholds: number[];
  /** Area under the curve; null when y has only one class (sklearn raises there). */
  readonly auc: number | null;
}

export interface PrCurve {
  /** Precision per threshold, then a final 1 (sklearn's convention). */
  readonly precision: number[];
  /** Recall per threshold (decreasing), then a final 0; all 1 when there are no positives (as sklearn). */
  readonly recall: number[];
  /** Increasing distinct scores; one fewer than precision and recall. */
  readonly thresholds: number[];
  /** Step-function integral of precision over recall (sklearn's average_precision_score). */
  readonly averagePrecision: number;
}

export interface OneVsRest<T> {
  /** Class c against all other classes, for c = 0..k-1. */
  readonly perClass: T[];
}

export interface RocOneVsRest extends OneVsRest<RocCurve> {
  /** Unweighted mean of the defined per-class AUCs (roc_auc_score(multi_class='ovr', average='macro')). */
  readonly macroAuc: number | null;
  /** Classes whose AUC is undefined (absent from, or the only class of, yTrue); left out of the macro mean. */
  readonly undefinedClasses: number[];
}

export interface PrOneVsRest extends OneVsRest<PrCurve> {
  /** Unweighted mean of the per-class average precisions. */
  readonly macroAveragePrecision: number;
}

/** Cumulative false and true positives at each distinct score, scores decreasing (sklearn's _binary_clf_curve). */
function binaryClfCurve(
  yBinary: ArrayLike<number>,
  scores: ArrayLike<number>,
  what: string,
): { fps: number[]; tps: number[]; thresholds: number[] } {
  checkSameLength(yBinary, scores, what);
  checkBinary(yBinary, `${what} (true labels)`);
  checkFinite(scores, `${what} (scores)`);
  const n = yBinary.length;
  if (n === 0) {
    throw inputError(
      'metrics.empty',
      `${what}: no examples`,
      'evaluate on a non-empty set of examples',
    );
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    const idx = order[i] as number;
    tp += yBinary[idx] as number;
    const score = scores[idx] as number;
    const next = order[i + 1];
    // The curve gets a point where the score changes (ties are one threshold) and at the end.
    if (next === undefined || scores[next] !== score) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(score);
    }
  }
  return { fps, tps, thresholds };
}

function divideBy(values: readonly number[], denom: number): number[] {
  return values.map((v) => (denom > 0 ? v / denom : 0));
}

/** Trapezoidal area under y(x), x monotone (sklearn.metrics.auc). */
function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) {
    area +=
      (((x[i] as number) - (x[i - 1] as number)) * ((y[i] as number) + (y[i - 1] as number))) / 2;
  }
  return area;
}

/**
 * ROC curve of binary labels (1 = positive) against scores (higher = more positive), as sklearn's
 * roc_curve; `dropIntermediate` (default true) drops collinear points that do not change the area.
 */
export function rocCurve(
  yBinary: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: { dropIntermediate?: boolean } = {},
): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(yBinary, scores, 'rocCurve');
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = (fps[i + 1] as number) - 2 * (fps[i] as number) + (fps[i - 1] as number);
      const d2t = (tps[i + 1] as number) - 2 * (tps[i] as number) + (tps[i - 1] as number);
      if (d2f !== 0 || d2t !== 0) {
        keep.push(i);
      }
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i] as number);
    tps = keep.map((i) => tps[i] as number);
    thresholds = keep.map((i) => thresholds[i] as number);
  }
  const negatives = fps[fps.length - 1] as number;
  const positives = tps[tps.length - 1] as number;
  const fpr = divideBy([0, ...fps], negatives);
  const tpr = divideBy([0, ...tps], positives);
  return {
    fpr,
    tpr,
    thresholds: [(thresholds[0] as number) + 1, ...thresholds],
    auc: negatives > 0 && positives > 0 ? trapezoid(fpr, tpr) : null,
  };
}

/** Area under the ROC curve (sklearn roc_auc_score, binary); null when y has one class only. */
export function rocAuc(yBinary: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  return rocCurve(yBinary, scores).auc;
}

/** Precision-recall curve and average precision, as sklearn's precision_recall_curve and average_precision_score. */
export function prCurve(yBinary: ArrayLike<number>, scores: ArrayLike<number>): PrCurve {
  const { fps, tps, thresholds } = binaryClfCurve(yBinary, scores, 'prCurve');
  const positives = tps[tps.length - 1] as number;
  const precisionDesc = tps.map((tp, i) => {
    const predicted = tp + (fps[i] as number);
    return predicted === 0 ? 0 : tp / predicted;
  });
  const recallDesc = tps.map((tp) => (positives === 0 ? 1 : tp / positives));
  const precision = [...precisionDesc.reverse(), 1];
  const recall = [...recallDesc.reverse(), 0];
  let ap = 0;
  for (let i = 0; i + 1 < recall.length; i++) {
    ap += ((recall[i] as number) - (recall[i + 1] as number)) * (precision[i] as number);
  }
  return {
    precision,
    recall,
    thresholds: thresholds.reverse(),
    averagePrecision: ap === 0 ? 0 : ap,
  };
}

/** Column c of an n×k row-major matrix and the indicator y == c. */
function oneVsRestColumn(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  c: number,
): { y: Uint8Array; s: Float64Array } {
  const n = yTrue.length;
  const y = new Uint8Array(n);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = yTrue[i] === c ? 1 : 0;
    s[i] = scores[i * k + c] as number;
  }
  return { y, s };
}

function checkOneVsRest(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  what: string,
): void {
  checkClassCount(k, what);
  checkLabels(yTrue, k, `${what} (true labels)`);
  checkMatrix(scores, yTrue.length, k, `${what} (scores)`);
}

/** One-vs-rest ROC per class of an n×k row-major score matrix, and the macro AUC. */
export function rocOneVsRest(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
): RocOneVsRest {
  checkOneVsRest(yTrue, scores, k, 'rocOneVsRest');
  const perClass: RocCurve[] = [];
  const undefinedClasses: number[] = [];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const { y, s } = oneVsRestColumn(yTrue, scores, k, c);
    const curve = rocCurve(y, s);
    perClass.push(curve);
    if (curve.auc === null) {
      undefinedClasses.push(c);
    } else {
      sum += curve.auc;
    }
  }
  const defined = k - undefinedClasses.length;
  return { perClass, macroAuc: defined === 0 ? null : sum / defined, undefinedClasses };
}

/** One-vs-rest precision-recall curve per class of an n×k row-major score matrix, and the macro average precision. */
export function prOneVsRest(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
): PrOneVsRest {
  checkOneVsRest(yTrue, scores, k, 'prOneVsRest');
  const perClass: PrCurve[] = [];
  for (let c = 0; c < k; c++) {
    const { y, s } = oneVsRestColumn(yTrue, scores, k, c);
    perClass.push(prCurve(y, s));
  }
  const macroAveragePrecision = perClass.reduce((s, p) => s + p.averagePrecision, 0) / k;
  return { perClass, macroAveragePrecision };
}
