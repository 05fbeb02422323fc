// Decision rule on top of the fused probabilities: a β-lactamase class needs alignment evidence of its own.
import type { ModelHeader } from './artifact.ts';

/**
 * Default minimum similarity (Smith-Waterman score / √(self-scores), core/model/homology.ts) to a
 * reference of a β-lactamase class for that class to be callable. Unrelated proteins score
 * 0.015-0.04; true β-lactamases of held-out families at 26-35% identity score 0.12-0.3; MBL-fold
 * and PBP-like hard negatives that the classifier alone calls β-lactamases score 0.03-0.09. Measured
 * on the cd-hit 40% 5-fold CV (bench/decision-lab.ts --rules, docs/benchmarks.md): 16 → 8 errors,
 * hard-negative false positives 6 → 1, with the same result for every floor from 0.09 to 0.11.
 */
export const DEFAULT_MIN_SIMILARITY = 0.1;

/**
 * Masks every class except `negative` whose similarity is below `minSimilarity`: its probability
 * becomes 0 and the row is renormalised over the remaining classes (as if its logit were −∞).
 * So the classifier alone can never make a β-lactamase call without an alignment to a reference of
 * that class. proba and similarity are n×k, row-major; proba is changed in place and returned.
 * minSimilarity ≤ 0 or negative < 0 (no negative class) leave proba unchanged.
 */
export function maskUnsupportedClasses(
  proba: Float32Array,
  similarity: Float32Array,
  k: number,
  negative: number,
  minSimilarity: number,
): Float32Array {
  if (!(minSimilarity > 0) || negative < 0 || negative >= k) {
    return proba;
  }
  if (similarity.length !== proba.length) {
    throw new RangeError(
      `similarity has ${similarity.length} values for ${proba.length} probabilities`,
    );
  }
  const n = proba.length / k;
  for (let i = 0; i < n; i++) {
    let kept = 0;
    for (let c = 0; c < k; c++) {
      const j = i * k + c;
      if (c !== negative && (similarity[j] as number) < minSimilarity) {
        proba[j] = 0;
      } else {
        kept += proba[j] as number;
      }
    }
    if (kept > 0) {
      for (let c = 0; c < k; c++) {
        proba[i * k + c] = (proba[i * k + c] as number) / kept;
      }
    } else {
      // Every kept class underflowed to 0: the negative class is the only call left.
      proba[i * k + negative] = 1;
    }
  }
  return proba;
}

/**
 * The model's minimum similarity (header.homology.minSimilarity); 0 (rule off) for models trained
 * before the rule existed, so their calls do not change.
 */
export function minSimilarityOf(header: Pick<ModelHeader, 'homology'>): number {
  const value: unknown = header.homology?.minSimilarity;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
