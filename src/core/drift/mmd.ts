// Maximum mean discrepancy between two embedding samples: RBF kernel (median heuristic), permutation p-value.
import { dotRows } from '../dot-rows.ts';
import { throwIfAborted } from '../errors.ts';
import type { Rng } from '../rng.ts';
import { shuffleInPlace } from '../rng.ts';
import { sampleRows } from './domain-classifier.ts';

export const MMD_P_THRESHOLD = 0.05;

export interface MmdOptions {
  readonly rng: Rng;
  /** Rows drawn from each side at most (seeded): the kernel matrix is (2·this)². */
  readonly maxRowsPerSide?: number | undefined;
  /** Label permutations for the p-value (bounded: cost is permutations × pooled rows²). */
  readonly permutations?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface MmdResult {
  readonly test: 'mmd';
  /** Unbiased MMD² estimate with the RBF kernel. */
  readonly mmd2: number;
  /** Permutation p-value (1 + #{permuted ≥ observed}) / (1 + permutations). */
  readonly statistic: number;
  readonly threshold: number;
  readonly drift: boolean;
  /** Kernel bandwidth σ: the median pairwise distance of the pooled sample. */
  readonly bandwidth: number;
  readonly permutations: number;
  readonly rows: { readonly reference: number; readonly current: number };
}

/** Unbiased MMD² of the split `isX` of a pooled kernel matrix K (N×N). */
function mmd2Of(k: Float64Array, size: number, isX: Uint8Array): number {
  let xx = 0;
  let yy = 0;
  let xy = 0;
  let nx = 0;
  for (let i = 0; i < size; i++) {
    nx += isX[i] as number;
  }
  const ny = size - nx;
  for (let i = 0; i < size; i++) {
    const xi = isX[i] === 1;
    const row = i * size;
    for (let j = i + 1; j < size; j++) {
      const v = k[row + j] as number;
      const xj = isX[j] === 1;
      if (xi && xj) {
        xx += v;
      } else if (!xi && !xj) {
        yy += v;
      } else {
        xy += v;
      }
    }
  }
  // Off-diagonal sums counted once above; the means are over ordered pairs i ≠ j.
  return (2 * xx) / (nx * (nx - 1)) + (2 * yy) / (ny * (ny - 1)) - (2 * xy) / (nx * ny);
}

/** MMD two-sample test between reference and current rows (n×d row-major each). Needs ≥ 2 rows per side. */
export function mmdTest(
  reference: Float32Array,
  nRef: number,
  current: Float32Array,
  nCur: number,
  d: number,
  options: MmdOptions,
): MmdResult {
  const { rng } = options;
  const cap = options.maxRowsPerSide ?? 300;
  const refRows = sampleRows(nRef, cap, rng);
  const curRows = sampleRows(nCur, cap, rng);
  const size = refRows.length + curRows.length;
  // The pooled rows in one matrix, so each Gram row is one dotRows call (four rows at a time).
  const pooled = new Float32Array(size * d);
  refRows.forEach((i, r) => pooled.set(reference.subarray(i * d, (i + 1) * d), r * d));
  curRows.forEach((i, r) =>
    pooled.set(current.subarray(i * d, (i + 1) * d), (refRows.length + r) * d),
  );
  const sq = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      s += (pooled[i * d + t] as number) ** 2;
    }
    sq[i] = s;
  }
  const dist2 = new Float64Array(size * size);
  const gram = new Float64Array(size);
  const pairs = new Float64Array((size * (size - 1)) / 2);
  let p = 0;
  for (let i = 0; i < size; i++) {
    if (i % 64 === 0) {
      throwIfAborted(options.signal, 'the MMD test');
    }
    // Only the pairs j > i: the rows after i against row i.
    dotRows(pooled, i * d, d, pooled.subarray((i + 1) * d), size - i - 1, gram, 0);
    for (let j = i + 1; j < size; j++) {
      const v = Math.max(
        0,
        (sq[i] as number) + (sq[j] as number) - 2 * (gram[j - i - 1] as number),
      );
      dist2[i * size + j] = v;
      pairs[p++] = v;
    }
  }
  pairs.sort();
  const mid = pairs.length >> 1;
  const medianD2 =
    pairs.length === 0
      ? 1
      : pairs.length % 2 === 1
        ? (pairs[mid] as number)
        : ((pairs[mid - 1] as number) + (pairs[mid] as number)) / 2;
  const bandwidth = Math.sqrt(medianD2 > 0 ? medianD2 : 1);
  const k = new Float64Array(size * size);
  const gamma = 1 / (2 * bandwidth * bandwidth);
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      k[i * size + j] = Math.exp(-gamma * (dist2[i * size + j] as number));
    }
  }
  const isX = new Uint8Array(size);
  isX.fill(1, 0, refRows.length);
  const observed = mmd2Of(k, size, isX);
  const permutations = options.permutations ?? 200;
  const order = Array.from({ length: size }, (_, i) => i);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    if (p % 20 === 0) {
      throwIfAborted(options.signal, 'the MMD test');
    }
    shuffleInPlace(order, rng);
    const perm = new Uint8Array(size);
    for (let i = 0; i < refRows.length; i++) {
      perm[order[i] as number] = 1;
    }
    if (mmd2Of(k, size, perm) >= observed) {
      atLeast++;
    }
  }
  const pValue = (1 + atLeast) / (1 + permutations);
  return {
    test: 'mmd',
    mmd2: observed,
    statistic: pValue,
    threshold: MMD_P_THRESHOLD,
    drift: pValue <= MMD_P_THRESHOLD,
    bandwidth,
    permutations,
    rows: { reference: refRows.length, current: curRows.length },
  };
}
