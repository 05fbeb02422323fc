// Places new points on a fitted UMAP layout with the references fixed (UMAP's transform), per point and seeded.
import { createRng } from '../rng.ts';
import { nearestNeighbours } from './knn.ts';

/** The part of a fitted map that projection needs: the references in the reduced space and in 2-D. */
export interface FittedLayout {
  /** Number of references. */
  readonly n: number;
  /** Width of the reduced space (PCA components). */
  readonly dim: number;
  /** n×dim row-major: references in the reduced space. */
  readonly reduced: Float32Array;
  /** n×2 row-major: the references' 2-D coordinates. */
  readonly coords: Float32Array;
  /** UMAP's curve parameters 1 / (1 + a·d^(2b)), fitted from minDist and spread. */
  readonly a: number;
  readonly b: number;
  readonly nNeighbors: number;
  readonly seed: number;
}

/**
 * 'transform': UMAP's transform — k nearest references → membership-weighted mean of their 2-D
 * coordinates → `epochs` of attraction to those references and repulsion from random ones.
 * 'interpolate': the first step only (cheaper, no optimisation).
 */
export type ProjectionMethod = 'transform' | 'interpolate';

export interface ProjectOptions {
  readonly method?: ProjectionMethod | undefined;
  /** Optimisation epochs per point (default 100, as umap-learn's transform for ≤ 10,000 points). */
  readonly epochs?: number | undefined;
  /** Negative samples per positive one (default 5). */
  readonly negativeSampleRate?: number | undefined;
  /** Initial learning rate (default 0.25: umap-learn's transform uses learning_rate / 4). */
  readonly learningRate?: number | undefined;
}

/** 32-bit FNV-1a of a string, mixed with a seed: a per-point random stream independent of batching. */
export function pointSeed(seed: number, id: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Membership strengths of one point to its k nearest references, as umap-learn's transform computes
 * them: local connectivity 0 (ρ = 0), σ found by bisection so that Σ exp(−d/σ) = log2(k).
 */
export function memberships(distances: Float32Array): Float64Array {
  const k = distances.length;
  const target = Math.log2(Math.max(k, 2));
  let lo = 0;
  let hi = Infinity;
  let mid = 1;
  for (let it = 0; it < 64; it++) {
    let psum = 0;
    for (let j = 0; j < k; j++) {
      psum += Math.exp(-(distances[j] as number) / mid);
    }
    if (Math.abs(psum - target) < 1e-5) {
      break;
    }
    if (psum > target) {
      hi = mid;
      mid = (lo + hi) / 2;
    } else {
      lo = mid;
      mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
    }
  }
  let mean = 0;
  for (let j = 0; j < k; j++) {
    mean += (distances[j] as number) / k;
  }
  const sigma = Math.max(mid, 1e-3 * mean, 1e-12);
  const w = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    w[j] = Math.exp(-(distances[j] as number) / sigma);
  }
  return w;
}

function clip(x: number): number {
  return x > 4 ? 4 : x < -4 ? -4 : x;
}

/**
 * Projects m points given in the layout's reduced space (m×dim row-major) to 2-D (m×2 row-major).
 * Each point is placed independently with its own random stream seeded from the layout's seed and
 * its id, so a point's position does not depend on the batch it came in or on the other points.
 */
export function projectToLayout(
  layout: FittedLayout,
  points: Float32Array,
  ids: readonly string[],
  options: ProjectOptions = {},
): Float32Array {
  const m = ids.length;
  const out = new Float32Array(m * 2);
  if (m === 0) {
    return out;
  }
  const knn = nearestNeighbours(layout.reduced, layout.n, layout.dim, points, m, layout.nNeighbors);
  const k = knn.k;
  const method = options.method ?? 'transform';
  const epochs = Math.max(1, Math.round(options.epochs ?? 100));
  const negRate = options.negativeSampleRate ?? 5;
  const alpha0 = options.learningRate ?? 0.25;
  const { a, b, coords, n } = layout;
  const epochsPerSample = new Float64Array(k);
  const nextSample = new Float64Array(k);
  const epochsPerNeg = new Float64Array(k);
  const nextNeg = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const w = memberships(knn.distances.subarray(i * k, (i + 1) * k));
    let sum = 0;
    let max = 0;
    let x = 0;
    let y = 0;
    for (let j = 0; j < k; j++) {
      const r = knn.indices[i * k + j] as number;
      const wj = w[j] as number;
      sum += wj;
      max = Math.max(max, wj);
      x += wj * (coords[r * 2] as number);
      y += wj * (coords[r * 2 + 1] as number);
    }
    x /= sum;
    y /= sum;
    if (method === 'transform') {
      // Edges weaker than max/epochs would never be sampled (umap-learn drops them too).
      for (let j = 0; j < k; j++) {
        const wj = w[j] as number;
        const eps = wj < max / epochs ? -1 : max / wj;
        epochsPerSample[j] = eps;
        nextSample[j] = eps;
        epochsPerNeg[j] = eps / negRate;
        nextNeg[j] = eps / negRate;
      }
      const rng = createRng(pointSeed(layout.seed, ids[i] ?? String(i)));
      for (let e = 0; e < epochs; e++) {
        const alpha = alpha0 * (1 - e / epochs);
        for (let j = 0; j < k; j++) {
          const eps = epochsPerSample[j] as number;
          if (eps < 0 || (nextSample[j] as number) > e) {
            continue;
          }
          const r = knn.indices[i * k + j] as number;
          let dx = x - (coords[r * 2] as number);
          let dy = y - (coords[r * 2 + 1] as number);
          let d2 = dx * dx + dy * dy;
          if (d2 > 0) {
            // d2^(b−1) = d2^b / d2: one pow per step (it dominates the cost).
            const pb = Math.pow(d2, b);
            const g = (-2 * a * b * (pb / d2)) / (a * pb + 1);
            x += clip(g * dx) * alpha;
            y += clip(g * dy) * alpha;
          }
          nextSample[j] = (nextSample[j] as number) + eps;
          const negs = Math.floor((e - (nextNeg[j] as number)) / (epochsPerNeg[j] as number));
          for (let p = 0; p < negs; p++) {
            const o = Math.floor(rng() * n);
            dx = x - (coords[o * 2] as number);
            dy = y - (coords[o * 2 + 1] as number);
            d2 = dx * dx + dy * dy;
            if (d2 > 0) {
              const g = (2 * b) / ((0.001 + d2) * (a * Math.pow(d2, b) + 1));
              x += clip(g * dx) * alpha;
              y += clip(g * dy) * alpha;
            }
            // A point exactly on top of a random reference gets no push (umap-learn pushes by 4·α
            // in every dimension, a discontinuity not worth copying).
          }
          nextNeg[j] = (nextNeg[j] as number) + negs * (epochsPerNeg[j] as number);
        }
      }
    }
    out[i * 2] = x;
    out[i * 2 + 1] = y;
  }
  return out;
}
