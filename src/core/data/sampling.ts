// Class balancing: sklearn-style 'balanced' class weights and a class-balanced sampler with replacement.
import type { Rng } from '../rng.ts';

function classCounts(labels: ArrayLike<number>, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw new RangeError(`label ${y} at index ${i} is outside 0..${k - 1}`);
    }
    counts[y] = (counts[y] as number) + 1;
  }
  return counts;
}

/**
 * sklearn's compute_class_weight('balanced'): weight_c = n / (k · count_c). A class absent from `labels`
 * gets weight 0 (sklearn raises instead); it contributes no loss terms anyway.
 */
export function classWeights(labels: ArrayLike<number>, k: number): Float64Array {
  const counts = classCounts(labels, k);
  const n = labels.length;
  const w = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const count = counts[c] as number;
    w[c] = count === 0 ? 0 : n / (k * count);
  }
  return w;
}

/**
 * Draws `n` indices with replacement, index i with probability ∝ 1 / count(labels[i]) — PyTorch's
 * WeightedRandomSampler(weights = 1 / class count, replacement = True). Every present class then has the
 * same total weight, so this is drawn exactly as: a present class uniformly, then a member uniformly
 * (two rng() calls per draw, O(1) each instead of a search over cumulative weights).
 */
export function weightedSampleIndices(
  labels: ArrayLike<number>,
  k: number,
  n: number,
  rng: Rng,
): Int32Array {
  const counts = classCounts(labels, k);
  const present: number[] = [];
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) {
    start[c + 1] = (start[c] as number) + (counts[c] as number);
    if ((counts[c] as number) > 0) {
      present.push(c);
    }
  }
  // Members grouped by class, in index order (deterministic for a seed).
  const members = new Int32Array(labels.length);
  const fill = start.slice(0, k);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    members[fill[y] as number] = i;
    fill[y] = (fill[y] as number) + 1;
  }
  const out = new Int32Array(n);
  if (present.length === 0) {
    if (n > 0) {
      throw new RangeError('cannot sample from an empty label set');
    }
    return out;
  }
  for (let d = 0; d < n; d++) {
    const c = present[Math.floor(rng() * present.length)] as number;
    const size = counts[c] as number;
    out[d] = members[(start[c] as number) + Math.floor(rng() * size)] as number;
  }
  return out;
}
