// Distribution tails the drift tests need: log-gamma, the chi-square survival function, the Kolmogorov limit.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) {
    a += (c[i] as number) / (z + i);
  }
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma function: the series for
 * x < a + 1, the continued fraction (modified Lentz) otherwise, each where it converges fast.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(x > 0)) {
    return 1;
  }
  if (!Number.isFinite(x)) {
    return 0;
  }
  const lnPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) {
        break;
      }
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) {
      d = tiny;
    }
    c = b + an / c;
    if (Math.abs(c) < tiny) {
      c = tiny;
    }
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) {
      break;
    }
  }
  return Math.min(1, Math.exp(lnPrefix) * h);
}

/** P(X ≥ x) for X ~ χ²(dof). */
export function chiSquareSurvival(x: number, dof: number): number {
  if (Number.isNaN(x)) {
    return Number.NaN;
  }
  if (x === Number.POSITIVE_INFINITY) {
    return 0;
  }
  return regularizedGammaQ(dof / 2, x / 2);
}

/**
 * P(K > z) of the Kolmogorov distribution (the limit of √n·D): 2 Σ (−1)^(k−1) e^(−2k²z²), or
 * 1 − √(2π)/z Σ e^(−(2k−1)²π²/(8z²)) for small z, where the first series converges slowly.
 */
export function kolmogorovSurvival(z: number): number {
  if (!(z > 0)) {
    return 1;
  }
  if (z < 1.18) {
    const w = (Math.PI * Math.PI) / (8 * z * z);
    let s = 0;
    for (let k = 1; k < 50; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      s += term;
      if (term < 1e-17) {
        break;
      }
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / z) * s));
  }
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    s += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) {
      break;
    }
  }
  return Math.min(1, Math.max(0, 2 * s));
}
