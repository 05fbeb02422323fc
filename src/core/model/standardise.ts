// Feature standardisation fitted on training rows only: (x - mean) / std, std floored so constant features stay finite.
import type { DenseDataset } from './dataset.ts';

export interface Standardiser {
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** A standardised copy. */
  apply(data: DenseDataset): DenseDataset;
}

/** Below this a feature counts as constant (std 1, so it is only centred). */
const MIN_STD = 1e-6;

export function standardiser(data: DenseDataset, rows: readonly number[]): Standardiser {
  const { dim } = data;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  for (const r of rows) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) {
      const v = data.x[o + j] as number;
      sum[j] = (sum[j] as number) + v;
      sumSq[j] = (sumSq[j] as number) + v * v;
    }
  }
  const n = Math.max(rows.length, 1);
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const m = (sum[j] as number) / n;
    const variance = Math.max((sumSq[j] as number) / n - m * m, 0);
    mean[j] = m;
    const s = Math.sqrt(variance);
    std[j] = s < MIN_STD ? 1 : s;
  }
  return { mean, std, apply: (d) => applyStandardisation(d, mean, std) };
}

export function applyStandardisation(
  data: DenseDataset,
  mean: Float32Array,
  std: Float32Array,
): DenseDataset {
  const x = new Float32Array(data.x.length);
  const { dim } = data;
  for (let i = 0; i < data.n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      x[o + j] = ((data.x[o + j] as number) - (mean[j] as number)) / (std[j] as number);
    }
  }
  return { ...data, x };
}
