// Selective prediction: how well a confidence ranks wrong calls below right ones (AUROC) and the risk–coverage curve.
import { inputError } from '../errors.ts';
import { rocAuc } from './roc.ts';

function checkPairs(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  what: string,
): void {
  if (confidence.length !== correct.length) {
    throw inputError(
      'metrics.length-mismatch',
      `${what}: ${confidence.length} confidences for ${correct.length} calls`,
      'pass one confidence per call',
    );
  }
  for (let i = 0; i < confidence.length; i++) {
    if (!Number.isFinite(confidence[i])) {
      throw inputError(
        'metrics.not-finite',
        `${what}: confidence ${confidence[i]} at index ${i} is not a finite number`,
        'pass finite confidences (e.g. the top-class probability)',
      );
    }
  }
}

/**
 * AUROC of the confidence as a score for "the call is right": the chance that a random right call
 * has a higher confidence than a random wrong one (ties count ½). null when every call is right or
 * every call is wrong.
 */
export function confidenceAuroc(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
): number | null {
  checkPairs(confidence, correct, 'confidenceAuroc');
  return rocAuc(
    Array.from(correct, (c) => (c ? 1 : 0)),
    confidence,
  );
}

export interface RiskCoveragePoint {
  /** Calls kept with confidence ≥ threshold. */
  readonly threshold: number;
  readonly kept: number;
  /** kept / n. */
  readonly coverage: number;
  /** Wrong calls among the kept ones / kept. */
  readonly risk: number;
}

export interface RiskCoverage {
  readonly n: number;
  readonly wrong: number;
  /** One point per distinct confidence, from the most confident calls to all of them. */
  readonly points: RiskCoveragePoint[];
  /**
   * Area under the risk–coverage curve (AURC, Geifman et al. 2018): the mean, over the calls in
   * confidence order, of the risk of the calls kept down to each of them (tied confidences form one
   * step). Lower is better; a perfect ranking gives about risk²/2, a random one the overall risk.
   */
  readonly aurc: number;
}

/** Risk–coverage curve: keeping only the calls above a confidence threshold, what share is wrong. */
export function riskCoverage(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
): RiskCoverage {
  checkPairs(confidence, correct, 'riskCoverage');
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (confidence[b] as number) - (confidence[a] as number) || a - b,
  );
  const points: RiskCoveragePoint[] = [];
  let wrong = 0;
  let area = 0;
  let i = 0;
  while (i < n) {
    const threshold = confidence[order[i] as number] as number;
    let j = i;
    let wrongHere = 0;
    while (j < n && confidence[order[j] as number] === threshold) {
      wrongHere += correct[order[j] as number] === true ? 0 : 1;
      j++;
    }
    wrong += wrongHere;
    const risk = wrong / j;
    // Every call of a tie group is kept together, so each of them sees the group's risk.
    area += (j - i) * risk;
    points.push({ threshold, kept: j, coverage: j / n, risk });
    i = j;
  }
  return { n, wrong, points, aurc: n === 0 ? 0 : area / n };
}
