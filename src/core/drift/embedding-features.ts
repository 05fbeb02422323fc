// Per-embedding features of the original drift report: L2 norm, L1 norm and entropy of |x| / Σ|x|.

export interface EmbeddingStatistics {
  readonly l2: Float64Array;
  readonly l1: Float64Array;
  readonly entropy: Float64Array;
}

/**
 * For each of the n rows (n×d row-major): ‖x‖₂, ‖x‖₁ and the Shannon entropy (natural log) of
 * p = |x| / (Σ|x| + 1e-10), exactly as the original system computed them (scipy.stats.entropy, which
 * renormalises p, so the 1e-10 only guards an all-zero row).
 */
export function embeddingStatistics(data: Float32Array, n: number, d: number): EmbeddingStatistics {
  const l2 = new Float64Array(n);
  const l1 = new Float64Array(n);
  const entropy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    let abs = 0;
    for (let t = 0; t < d; t++) {
      const x = data[i * d + t] as number;
      sq += x * x;
      abs += Math.abs(x);
    }
    l2[i] = Math.sqrt(sq);
    l1[i] = abs;
    const denom = abs + 1e-10;
    // scipy.stats.entropy normalises p to sum 1 again: its sum is abs/denom.
    const sum = abs / denom;
    let h = 0;
    if (sum > 0) {
      for (let t = 0; t < d; t++) {
        const p = Math.abs(data[i * d + t] as number) / denom / sum;
        if (p > 0) {
          h -= p * Math.log(p);
        }
      }
    }
    entropy[i] = h;
  }
  return { l2, l1, entropy };
}
