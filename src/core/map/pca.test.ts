// PCA: exact on a known small case, agrees with a full eigen-decomposition, deterministic per seed.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { fitPca, orthonormaliseRows, projectPca, symmetricEigen } from './pca.ts';

/** Points ±a along u and ±b along v (u ⟂ v in 3-D), centred at c: covariance eigenvectors u, v. */
function crossData(): { data: Float32Array; u: number[]; v: number[]; c: number[] } {
  const s = Math.SQRT1_2;
  const u = [s, s, 0];
  const v = [0, 0, 1];
  const c = [1, -2, 3];
  const rows: number[][] = [];
  for (const [alpha, beta] of [
    [3, 0],
    [-3, 0],
    [0, 1],
    [0, -1],
  ] as const) {
    rows.push(c.map((ci, t) => ci + alpha * (u[t] ?? 0) + beta * (v[t] ?? 0)));
  }
  return { data: Float32Array.from(rows.flat()), u, v, c };
}

describe('symmetricEigen', () => {
  it('diagonalises a known 2×2 matrix', () => {
    // [[2,1],[1,2]]: eigenvalues 3 (1,1)/√2 and 1 (1,−1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect((vectors[0] as number) * (vectors[1] as number)).toBeGreaterThan(0);
    expect((vectors[2] as number) * (vectors[3] as number)).toBeLessThan(0);
  });

  it('reconstructs a random symmetric matrix as V·diag(λ)·Vᵀ', () => {
    const m = 7;
    const rng = createRng(5);
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = i; j < m; j++) {
        const x = rng() - 0.5;
        a[i * m + j] = x;
        a[j * m + i] = x;
      }
    }
    const { values, vectors } = symmetricEigen(a, m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let r = 0; r < m; r++) {
          s +=
            (values[r] as number) * (vectors[r * m + i] as number) * (vectors[r * m + j] as number);
        }
        expect(s).toBeCloseTo(a[i * m + j] as number, 10);
      }
    }
    for (let r = 1; r < m; r++) {
      expect(values[r]).toBeLessThanOrEqual(values[r - 1] as number);
    }
  });
});

describe('orthonormaliseRows', () => {
  it('replaces a dependent row by an orthogonal unit row', () => {
    const rows = Float64Array.from([1, 0, 0, 2, 0, 0, 0, 1, 0]);
    orthonormaliseRows(rows, 3, 3, createRng(1));
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        let dot = 0;
        for (let t = 0; t < 3; t++) {
          dot += (rows[p * 3 + t] as number) * (rows[q * 3 + t] as number);
        }
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 10);
      }
    }
  });
});

describe('fitPca', () => {
  it('finds the mean, axes and variances of a known cross-shaped point set', () => {
    const { data, u, v, c } = crossData();
    const pca = fitPca(data, 4, 3, { components: 2, rng: createRng(7) });
    expect(Array.from(pca.mean).map((x) => Number(x.toFixed(5)))).toEqual(c);
    // Variance along u: (9+9)/3 = 6; along v: (1+1)/3 = 2/3; total 6 + 2/3.
    expect(pca.variances[0]).toBeCloseTo(6, 5);
    expect(pca.variances[1]).toBeCloseTo(2 / 3, 5);
    expect(pca.totalVariance).toBeCloseTo(6 + 2 / 3, 5);
    // Sign convention: largest-magnitude entry positive → exactly +u, +v.
    const b = Array.from(pca.basis);
    b.slice(0, 3).forEach((x, t) => {
      expect(x).toBeCloseTo(u[t] ?? 0, 5);
    });
    b.slice(3, 6).forEach((x, t) => {
      expect(x).toBeCloseTo(v[t] ?? 0, 5);
    });
    const projected = Array.from(projectPca(pca, data, 4)).map((x) => Number(x.toFixed(4)) + 0);
    expect(projected).toEqual([3, 0, -3, 0, 0, 1, 0, -1]);
  });

  it('agrees with the full covariance eigen-decomposition on correlated random data', () => {
    const n = 300;
    const d = 40;
    const rng = createRng(11);
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < d; t++) {
        // Decaying scales give a clear spectrum; a shared term correlates the columns.
        data[i * d + t] = (rng() - 0.5) * 10 * Math.exp(-t / 6) + (t % 3) * (rng() - 0.5);
      }
    }
    const pca = fitPca(data, n, d, { components: 5, rng: createRng(3) });
    // Reference: covariance matrix → Jacobi.
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < d; t++) {
        mean[t] = (mean[t] as number) + (data[i * d + t] as number) / n;
      }
    }
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < d; p++) {
        for (let q = 0; q < d; q++) {
          cov[p * d + q] =
            (cov[p * d + q] as number) +
            (((data[i * d + p] as number) - (mean[p] as number)) *
              ((data[i * d + q] as number) - (mean[q] as number))) /
              (n - 1);
        }
      }
    }
    const exact = symmetricEigen(cov, d);
    for (let c = 0; c < 5; c++) {
      expect(pca.variances[c]).toBeCloseTo(exact.values[c] as number, 3);
      let dot = 0;
      for (let t = 0; t < d; t++) {
        dot += (pca.basis[c * d + t] as number) * (exact.vectors[c * d + t] as number);
      }
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
    }
  });

  it('is deterministic for a seed', () => {
    const rng = createRng(2);
    const data = Float32Array.from({ length: 50 * 20 }, () => rng());
    const a = fitPca(data, 50, 20, { components: 4, rng: createRng(9) });
    const b = fitPca(data, 50, 20, { components: 4, rng: createRng(9) });
    expect(Array.from(a.basis)).toEqual(Array.from(b.basis));
    expect(Array.from(a.variances)).toEqual(Array.from(b.variances));
  });
});
