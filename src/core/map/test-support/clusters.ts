// Well-separated synthetic clusters (seeded Gaussian blobs) for map tests.
import { createRng } from '../../rng.ts';

export interface Clusters {
  readonly dim: number;
  readonly n: number;
  /** n×dim row-major. */
  readonly data: Float32Array;
  /** Cluster of each row. */
  readonly cluster: number[];
  readonly ids: string[];
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng());
}

/** `clusters` blobs of `perCluster` points in `dim` dimensions; centres N(0, 1), noise N(0, noise²). */
export function makeClusters(
  clusters: number,
  perCluster: number,
  dim: number,
  seed: number,
  noise = 0.15,
): Clusters {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters }, () =>
    Array.from({ length: dim }, () => gaussian(rng)),
  );
  const n = clusters * perCluster;
  const data = new Float32Array(n * dim);
  const cluster: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    cluster.push(c);
    ids.push(`p${i}`);
    for (let t = 0; t < dim; t++) {
      data[i * dim + t] = (centres[c]?.[t] ?? 0) + noise * gaussian(rng);
    }
  }
  return { dim, n, data, cluster, ids };
}

/** Rows [start, end) of a clusters set. */
export function sliceClusters(set: Clusters, start: number, end: number): Clusters {
  return {
    dim: set.dim,
    n: end - start,
    data: set.data.slice(start * set.dim, end * set.dim),
    cluster: set.cluster.slice(start, end),
    ids: set.ids.slice(start, end),
  };
}
