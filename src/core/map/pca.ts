// Principal component analysis by seeded randomised subspace iteration (Halko et al. 2011): pure, no BLAS.
import { dotRows } from '../dot-rows.ts';
import { ArginatorError, throwIfAborted } from '../errors.ts';
import type { Rng } from '../rng.ts';

/** A fitted PCA: project with (x − mean) · basisᵀ. */
export interface Pca {
  /** Input dimension d. */
  readonly dim: number;
  /** Number of components k (≤ min(d, n)). */
  readonly components: number;
  /** Column means of the training data (length d). */
  readonly mean: Float32Array;
  /** k×d row-major; unit rows, orthogonal, in order of decreasing variance. */
  readonly basis: Float32Array;
  /** Variance along each component (denominator n − 1), decreasing. */
  readonly variances: Float64Array;
  /** Total variance of the data (sum over all d dimensions). */
  readonly totalVariance: number;
}

export interface PcaOptions {
  /** Components wanted; capped at min(d, n). */
  readonly components: number;
  /** Starts the subspace iteration; same seed, same data → identical result. */
  readonly rng: Rng;
  /** Power iterations (default 4): more = closer to the exact top-k subspace. */
  readonly iterations?: number | undefined;
  /** Extra subspace columns beyond k (default 10), capped at d. */
  readonly oversample?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Standard normal draw by Box–Muller from a uniform generator. */
function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Makes the l rows (each of length d) of `rows` orthonormal in place by modified Gram–Schmidt,
 * run twice for stability. A row that vanishes (the data have lower rank) is replaced by a random
 * direction orthogonal to the previous rows, so the result always spans l dimensions.
 */
export function orthonormaliseRows(rows: Float64Array, l: number, d: number, rng: Rng): void {
  for (let j = 0; j < l; j++) {
    const row = rows.subarray(j * d, (j + 1) * d);
    for (let attempt = 0; ; attempt++) {
      let before = 0;
      for (let t = 0; t < d; t++) {
        before += (row[t] as number) ** 2;
      }
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const prev = rows.subarray(p * d, (p + 1) * d);
          let dot = 0;
          for (let t = 0; t < d; t++) {
            dot += (row[t] as number) * (prev[t] as number);
          }
          for (let t = 0; t < d; t++) {
            row[t] = (row[t] as number) - dot * (prev[t] as number);
          }
        }
      }
      let after = 0;
      for (let t = 0; t < d; t++) {
        after += (row[t] as number) ** 2;
      }
      if (after > 1e-20 && after > before * 1e-12) {
        const s = 1 / Math.sqrt(after);
        for (let t = 0; t < d; t++) {
          row[t] = (row[t] as number) * s;
        }
        break;
      }
      if (attempt > 8) {
        throw new ArginatorError(
          'INTERNAL',
          'pca.degenerate',
          `cannot find ${l} orthogonal directions in ${d} dimensions`,
          'ask for fewer PCA components',
        );
      }
      for (let t = 0; t < d; t++) {
        row[t] = gaussian(rng);
      }
    }
  }
}

/**
 * Eigen-decomposition of a symmetric m×m matrix (row-major, copied) by cyclic Jacobi rotations.
 * Returns eigenvalues in decreasing order and the matching unit eigenvectors as rows.
 */
export function symmetricEigen(
  matrix: Float64Array,
  m: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    v[i * m + i] = 1;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += (a[p * m + p] as number) ** 2;
      for (let q = p + 1; q < m; q++) {
        off += (a[p * m + q] as number) ** 2;
      }
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) {
      break;
    }
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q] as number;
        if (apq === 0) {
          continue;
        }
        const app = a[p * m + p] as number;
        const aqq = a[q * m + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p] as number;
          const akq = a[k * m + q] as number;
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k] as number;
          const aqk = a[q * m + k] as number;
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        // Columns of v collect the rotations: v ← v · J.
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p] as number;
          const vkq = v[k * m + q] as number;
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (i, j) => (a[j * m + j] as number) - (a[i * m + i] as number) || i - j,
  );
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((col, r) => {
    values[r] = a[col * m + col] as number;
    for (let k = 0; k < m; k++) {
      vectors[r * m + k] = v[k * m + col] as number;
    }
  });
  return { values, vectors };
}

/** y (n×l) = x (n×d) · zᵀ (z is l×d). */
function multiplyRowsByBasis(
  x: Float32Array,
  n: number,
  d: number,
  z: Float64Array,
  l: number,
  y: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    dotRows(x, i * d, d, z, l, y, i * l);
  }
}

/** z (l×d) = yᵀ (l×n) · x (n×d); four x rows at a time so each z value is updated once per four. */
function accumulateTransposed(
  x: Float32Array,
  n: number,
  d: number,
  y: Float64Array,
  l: number,
  z: Float64Array,
): void {
  z.fill(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const x0 = i * d;
    const x1 = x0 + d;
    const x2 = x1 + d;
    const x3 = x2 + d;
    for (let j = 0; j < l; j++) {
      const w0 = y[i * l + j] as number;
      const w1 = y[(i + 1) * l + j] as number;
      const w2 = y[(i + 2) * l + j] as number;
      const w3 = y[(i + 3) * l + j] as number;
      const o = j * d;
      for (let t = 0; t < d; t++) {
        z[o + t] =
          (z[o + t] as number) +
          w0 * (x[x0 + t] as number) +
          w1 * (x[x1 + t] as number) +
          w2 * (x[x2 + t] as number) +
          w3 * (x[x3 + t] as number);
      }
    }
  }
  for (; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < l; j++) {
      const w = y[i * l + j] as number;
      const o = j * d;
      for (let t = 0; t < d; t++) {
        z[o + t] = (z[o + t] as number) + w * (x[xo + t] as number);
      }
    }
  }
}

/**
 * Fits a PCA to n rows of dimension d (row-major float32). Cost ≈ (2·iterations + 2)·n·d·(k + oversample)
 * multiply-adds plus an n×d float32 copy of the centred data.
 */
export function fitPca(data: Float32Array, n: number, d: number, options: PcaOptions): Pca {
  if (n < 2 || d < 1 || data.length !== n * d) {
    throw new ArginatorError(
      'INTERNAL',
      'pca.bad-input',
      `PCA needs at least 2 rows of a positive dimension (got ${n}×${d}, ${data.length} values)`,
      'pass n×d row-major data',
    );
  }
  const k = Math.max(1, Math.min(options.components, d, n));
  const l = Math.min(d, k + (options.oversample ?? 10));
  const iterations = options.iterations ?? 4;
  const { rng, signal } = options;

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      mean[t] = (mean[t] as number) + (data[i * d + t] as number);
    }
  }
  for (let t = 0; t < d; t++) {
    mean[t] = (mean[t] as number) / n;
  }
  const centred = new Float32Array(n * d);
  let totalSq = 0;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      const x = (data[i * d + t] as number) - (mean[t] as number);
      centred[i * d + t] = x;
      totalSq += x * x;
    }
  }

  // z: l×d, rows span the current guess of the top right-singular subspace.
  const z = new Float64Array(l * d);
  for (let i = 0; i < z.length; i++) {
    z[i] = gaussian(rng);
  }
  orthonormaliseRows(z, l, d, rng);
  const y = new Float64Array(n * l);
  const multiplyXZ = (): void => {
    multiplyRowsByBasis(centred, n, d, z, l, y);
  };
  for (let it = 0; it < iterations; it++) {
    throwIfAborted(signal, 'PCA');
    multiplyXZ();
    // z ← orth(Xcᵀ · y)
    accumulateTransposed(centred, n, d, y, l, z);
    orthonormaliseRows(z, l, d, rng);
  }
  throwIfAborted(signal, 'PCA');
  // Rayleigh–Ritz: eigen-decompose the covariance restricted to span(z).
  multiplyXZ();
  const small = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < l; p++) {
      const yp = y[i * l + p] as number;
      for (let q = p; q < l; q++) {
        small[p * l + q] = (small[p * l + q] as number) + yp * (y[i * l + q] as number);
      }
    }
  }
  for (let p = 0; p < l; p++) {
    for (let q = p; q < l; q++) {
      const v = (small[p * l + q] as number) / (n - 1);
      small[p * l + q] = v;
      small[q * l + p] = v;
    }
  }
  const eig = symmetricEigen(small, l);
  const basis = new Float32Array(k * d);
  const variances = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    variances[c] = Math.max(0, eig.values[c] as number);
    const out = new Float64Array(d);
    for (let j = 0; j < l; j++) {
      const w = eig.vectors[c * l + j] as number;
      for (let t = 0; t < d; t++) {
        out[t] = (out[t] as number) + w * (z[j * d + t] as number);
      }
    }
    // Sign convention: the largest-magnitude entry is positive, so results do not flip between runs.
    let big = 0;
    for (let t = 0; t < d; t++) {
      if (Math.abs(out[t] as number) > Math.abs(big)) {
        big = out[t] as number;
      }
    }
    const sign = big < 0 ? -1 : 1;
    for (let t = 0; t < d; t++) {
      basis[c * d + t] = sign * (out[t] as number);
    }
  }
  return {
    dim: d,
    components: k,
    mean: Float32Array.from(mean),
    basis,
    variances,
    totalVariance: totalSq / (n - 1),
  };
}

/** Projects n rows (n×d row-major) onto the components: n×k row-major. */
export function projectPca(pca: Pca, data: Float32Array, n: number): Float32Array {
  const { dim: d, components: k, mean, basis } = pca;
  if (data.length !== n * d) {
    throw new ArginatorError(
      'INTERNAL',
      'pca.bad-input',
      `expected ${n}×${d} values to project, got ${data.length}`,
      'embed the queries with the embedder the map was fitted with',
    );
  }
  const out = new Float32Array(n * k);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) {
      centred[t] = (data[i * d + t] as number) - (mean[t] as number);
    }
    dotRows(centred, 0, d, basis, k, out, i * k);
  }
  return out;
}
