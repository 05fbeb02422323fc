// Fits a reference map with umap-js 1.4.0 on PCA-reduced embeddings (exact kNN, PCA start), in this thread.
import { UMAP } from 'umap-js';
import { findABParams } from 'umap-js/dist/umap.js';

import { throwIfAborted } from '../core/errors.ts';
import type { MapFit, MapParams } from '../core/map/reference-map-codec.ts';
import { prepareLayoutInput } from '../core/map/prepare.ts';
import { createRng } from '../core/rng.ts';

export const UMAP_JS_FITTER = 'umap-js 1.4.0';

/** The references to fit: n embeddings of width dim, row-major. */
export interface MapFitInput {
  readonly embeddings: Float32Array;
  readonly n: number;
  readonly dim: number;
  readonly params: MapParams;
}

export interface MapFitOptions {
  readonly signal?: AbortSignal | undefined;
  /** Fraction done in [0, 1] and a short message. */
  readonly onProgress?: ((fraction: number, message: string) => void) | undefined;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * PCA (seeded) → exact kNN graph in PCA space → umap-js's fuzzy graph and layout optimisation,
 * started from the first two principal components. umap-js's own transform is not used later
 * (core/map/umap-transform.ts is), so only the 2-D coordinates and its curve parameters a, b are
 * kept. Yields to the event loop every few epochs so a server stays responsive and can cancel.
 */
export async function fitMapWithUmapJs(
  input: MapFitInput,
  options: MapFitOptions = {},
): Promise<MapFit> {
  const { embeddings, n, dim, params } = input;
  const { signal, onProgress } = options;
  const rng = createRng(params.seed);
  const prepared = prepareLayoutInput(embeddings, n, dim, params, rng, signal, (stage) =>
    onProgress?.(0.05, stage),
  );
  throwIfAborted(signal, 'Fitting the reference map');
  onProgress?.(0.1, 'building the UMAP graph');
  await yieldToEventLoop();
  const k = prepared.pca.components;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push(Array.from(prepared.reduced.subarray(i * k, (i + 1) * k)));
  }
  const umap = new UMAP({
    nNeighbors: params.nNeighbors,
    minDist: params.minDist,
    spread: params.spread,
    nEpochs: params.fitEpochs > 0 ? params.fitEpochs : undefined,
    random: rng,
  });
  umap.setPrecomputedKNN(prepared.knnIndices, prepared.knnDistances);
  const epochs = umap.initializeFit(rows);
  // The optimiser holds references to these row arrays: overwrite them in place with the PCA start.
  const embedding = umap.getEmbedding();
  embedding.forEach((row, i) => {
    row[0] = prepared.init[i * 2] as number;
    row[1] = prepared.init[i * 2 + 1] as number;
  });
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 9) {
      throwIfAborted(signal, 'Fitting the reference map');
      onProgress?.(0.15 + (0.85 * (e + 1)) / epochs, `UMAP epoch ${e + 1}/${epochs}`);
      await yieldToEventLoop();
    }
  }
  const coords = new Float32Array(n * 2);
  umap.getEmbedding().forEach((row, i) => {
    coords[i * 2] = row[0] ?? 0;
    coords[i * 2 + 1] = row[1] ?? 0;
  });
  const { a, b } = findABParams(params.spread, params.minDist);
  onProgress?.(1, 'reference map fitted');
  return {
    fitter: UMAP_JS_FITTER,
    pca: prepared.pca,
    layout: {
      n,
      dim: k,
      reduced: prepared.reduced,
      coords,
      a,
      b,
      nNeighbors: params.nNeighbors,
      seed: params.seed,
    },
  };
}
