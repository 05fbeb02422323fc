// The pure steps around the 2-D layout: unit-normalise, reduce by PCA, build the kNN graph and a PCA start.
import type { Rng } from '../rng.ts';
import { nearestNeighbours } from './knn.ts';
import { fitPca, projectPca, type Pca } from './pca.ts';

/**
 * Copies n rows (n×d) scaled to unit L2 norm (zero rows stay zero). On unit vectors Euclidean
 * distance is a monotone function of cosine distance, which the model's homology stage uses too.
 */
export function unitRows(data: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let t = 0; t < d; t++) {
      ss += (data[i * d + t] as number) ** 2;
    }
    const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let t = 0; t < d; t++) {
      out[i * d + t] = (data[i * d + t] as number) * s;
    }
  }
  return out;
}

/** Embeddings (n×d) → the reduced space of a fitted PCA (n×k): unit rows, then projection. */
export function reduceEmbeddings(pca: Pca, embeddings: Float32Array, n: number): Float32Array {
  return projectPca(pca, unitRows(embeddings, n, pca.dim), n);
}

/** What the 2-D layout step needs, computed from the reference embeddings. */
export interface LayoutInput {
  readonly pca: Pca;
  readonly n: number;
  /** n×k row-major, the references in PCA space. */
  readonly reduced: Float32Array;
  /** Per reference, itself first (distance 0), then its nNeighbors − 1 nearest others (exact). */
  readonly knnIndices: number[][];
  readonly knnDistances: number[][];
  /** n×2 start layout: the first two principal components scaled to ±10 (UMAP's 'pca' init). */
  readonly init: Float32Array;
}

export function prepareLayoutInput(
  embeddings: Float32Array,
  n: number,
  d: number,
  params: {
    readonly pcaComponents: number;
    readonly pcaIterations: number;
    readonly nNeighbors: number;
  },
  rng: Rng,
  signal?: AbortSignal,
  onStage?: (stage: string) => void,
): LayoutInput {
  onStage?.('reducing dimensions (PCA)');
  const pca = fitPca(unitRows(embeddings, n, d), n, d, {
    components: params.pcaComponents,
    iterations: params.pcaIterations,
    rng,
    signal,
  });
  const reduced = reduceEmbeddings(pca, embeddings, n);
  const k = pca.components;
  onStage?.('finding nearest neighbours');
  const knn = nearestNeighbours(reduced, n, k, reduced, n, params.nNeighbors - 1, {
    excludeSelf: true,
  });
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const idx = [i];
    const dist = [0];
    for (let j = 0; j < knn.k; j++) {
      idx.push(knn.indices[i * knn.k + j] as number);
      dist.push(knn.distances[i * knn.k + j] as number);
    }
    knnIndices.push(idx);
    knnDistances.push(dist);
  }
  let scale = 0;
  for (let i = 0; i < n; i++) {
    scale = Math.max(
      scale,
      Math.abs(reduced[i * k] as number),
      k > 1 ? Math.abs(reduced[i * k + 1] as number) : 0,
    );
  }
  const s = scale > 0 ? 10 / scale : 1;
  const init = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    init[i * 2] = (reduced[i * k] as number) * s;
    init[i * 2 + 1] = k > 1 ? (reduced[i * k + 1] as number) * s : 0;
  }
  return { pca, n, reduced, knnIndices, knnDistances, init };
}
