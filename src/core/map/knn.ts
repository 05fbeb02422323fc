// Exact k-nearest-neighbour search (Euclidean) in a low-dimensional space, with partial-distance pruning.

/** k nearest references per query, ascending by distance (row-major n×k). */
export interface Neighbours {
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

/**
 * The k nearest of `nRefs` reference rows to each of `nQueries` query rows (both row-major, width
 * `dim`). Exact: a reference is skipped as soon as its partial squared distance exceeds the current
 * k-th best, which prunes most of the work when the leading dimensions carry most of the variance
 * (PCA order). Ties go to the lower reference index, so results are deterministic.
 * With `excludeSelf`, query i is reference i and is left out (for the references' own graph).
 */
export function nearestNeighbours(
  refs: Float32Array,
  nRefs: number,
  dim: number,
  queries: Float32Array,
  nQueries: number,
  k: number,
  options: { excludeSelf?: boolean | undefined } = {},
): Neighbours {
  const kk = Math.min(k, nRefs - (options.excludeSelf === true ? 1 : 0));
  const indices = new Int32Array(nQueries * kk);
  const distances = new Float32Array(nQueries * kk);
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  const q = new Float64Array(dim);
  for (let i = 0; i < nQueries; i++) {
    for (let t = 0; t < dim; t++) {
      q[t] = queries[i * dim + t] as number;
    }
    let filled = 0;
    let worst = Infinity;
    for (let r = 0; r < nRefs; r++) {
      if (options.excludeSelf === true && r === i) {
        continue;
      }
      const off = r * dim;
      let acc = 0;
      let t = 0;
      // Check the bound every 4 dimensions: cheap enough, and prunes early in PCA order.
      for (; t < dim; t++) {
        const diff = (q[t] as number) - (refs[off + t] as number);
        acc += diff * diff;
        if ((t & 3) === 3 && acc >= worst) {
          break;
        }
      }
      if (acc >= worst) {
        continue;
      }
      // Insert into the sorted best list (k is small: insertion beats a heap).
      let pos = filled < kk ? filled : kk - 1;
      while (pos > 0 && (bestD[pos - 1] as number) > acc) {
        bestD[pos] = bestD[pos - 1] as number;
        bestI[pos] = bestI[pos - 1] as number;
        pos--;
      }
      bestD[pos] = acc;
      bestI[pos] = r;
      if (filled < kk) {
        filled++;
      }
      if (filled === kk) {
        worst = bestD[kk - 1] as number;
      }
    }
    for (let j = 0; j < kk; j++) {
      indices[i * kk + j] = bestI[j] as number;
      distances[i * kk + j] = Math.sqrt(bestD[j] as number);
    }
  }
  return { k: kk, indices, distances };
}
