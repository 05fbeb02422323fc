// Greedy cosine clustering of embedding vectors, for cluster-grouped splits of datasets that have no sequences.
import { cancelledError } from '../errors.ts';
import { dotRows } from '../dot-rows.ts';

export interface CosineClusterOptions {
  /** Cosine (of mean-centred vectors) a vector needs to join a representative. */
  readonly threshold: number;
  /** Called every `yieldEvery` vectors and at the end with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checked between steps; an aborted run throws a CANCELLED ArginatorError. */
  readonly signal?: AbortSignal;
  /** Vectors per step between yields (default 256). */
  readonly yieldEvery?: number;
}

export interface CosineClusters {
  /** Cluster number per input vector (0-based, in order of creation). */
  readonly clusterOf: Int32Array;
  /** Input index of each cluster's representative. */
  readonly representatives: Int32Array;
}

/**
 * Unit rows of x − mean(x). Protein language model embeddings share a large common component (every
 * mean-pooled ProtT5 vector points roughly the same way), so raw cosines of unrelated proteins are
 * high; centring removes it and leaves what tells proteins apart. A zero row stays zero.
 */
export function centredUnitRows(x: Float32Array, n: number, dim: number): Float32Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < dim; t++) {
      mean[t] = (mean[t] as number) + (x[i * dim + t] as number);
    }
  }
  for (let t = 0; t < dim; t++) {
    mean[t] = (mean[t] as number) / Math.max(n, 1);
  }
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let t = 0; t < dim; t++) {
      const v = (x[i * dim + t] as number) - (mean[t] as number);
      out[i * dim + t] = v;
      norm += v * v;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) {
      out[t] = (out[t] as number) * scale;
    }
  }
  return out;
}

/**
 * cd-hit's greedy scheme on vectors: in input order, each vector joins the representative it is most
 * cosine-similar to if that cosine is ≥ threshold, else it founds a cluster. Labels play no part.
 * Deterministic for a given input order. Cost n × clusters × dim multiply-adds.
 */
export function* clusterByCosineSteps(
  x: Float32Array,
  n: number,
  dim: number,
  options: CosineClusterOptions,
): Generator<void, CosineClusters> {
  const { threshold, signal } = options;
  const every = options.yieldEvery ?? 256;
  const unit = centredUnitRows(x, n, dim);
  const reps = new Float32Array(n * dim);
  const repIndex: number[] = [];
  const clusterOf = new Int32Array(n);
  const dots = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i % every === 0) {
      if (signal?.aborted === true) {
        throw cancelledError('Clustering the embeddings');
      }
      options.onProgress?.(i, n);
      if (i > 0) {
        yield;
      }
    }
    const count = repIndex.length;
    dotRows(unit, i * dim, dim, reps, count, dots, 0);
    let best = -1;
    let bestDot = -Infinity;
    for (let c = 0; c < count; c++) {
      const d = dots[c] as number;
      if (d > bestDot) {
        bestDot = d;
        best = c;
      }
    }
    if (best >= 0 && bestDot >= threshold) {
      clusterOf[i] = best;
    } else {
      clusterOf[i] = count;
      reps.set(unit.subarray(i * dim, (i + 1) * dim), count * dim);
      repIndex.push(i);
    }
  }
  options.onProgress?.(n, n);
  return { clusterOf, representatives: Int32Array.from(repIndex) };
}

/** Runs clusterByCosineSteps, awaiting `yieldToEventLoop` between steps (core may not touch timers). */
export async function clusterByCosineAsync(
  x: Float32Array,
  n: number,
  dim: number,
  yieldToEventLoop: () => Promise<void>,
  options: CosineClusterOptions,
): Promise<CosineClusters> {
  const steps = clusterByCosineSteps(x, n, dim, options);
  for (;;) {
    const r = steps.next();
    if (r.done === true) {
      return r.value;
    }
    await yieldToEventLoop();
  }
}
