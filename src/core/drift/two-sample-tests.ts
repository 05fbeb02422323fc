// Two-sample statistics as scipy computes them: Kolmogorov–Smirnov, 1-D Wasserstein, chi-square, Jensen–Shannon.
import { ArginatorError } from '../errors.ts';
import { chiSquareSurvival, kolmogorovSurvival } from './special-functions.ts';

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

function requireSamples(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length === 0 || b.length === 0) {
    throw new ArginatorError(
      'INTERNAL',
      'drift.empty-sample',
      `${what} needs two non-empty samples (got ${a.length} and ${b.length} values)`,
      'pass at least one value on each side',
    );
  }
  for (const sample of [a, b]) {
    for (let i = 0; i < sample.length; i++) {
      if (!Number.isFinite(sample[i])) {
        throw new ArginatorError(
          'INTERNAL',
          'drift.not-finite',
          `${what} got a value that is not a finite number (${String(sample[i])})`,
          'drop NaN and infinite values before the test',
        );
      }
    }
  }
}

/** Number of values of sorted `xs` that are ≤ v, from index `from` on (the caller walks v upwards). */
function countAtMost(xs: Float64Array, v: number, from: number): number {
  let i = from;
  while (i < xs.length && (xs[i] as number) <= v) {
    i++;
  }
  return i;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export interface KsResult {
  /** sup |F₁ − F₂| over the pooled values (ties handled as scipy does). */
  readonly statistic: number;
  readonly pValue: number;
  /** 'exact' (lattice-path count) when both samples have ≤ 10,000 values, else 'asymptotic'. */
  readonly method: 'exact' | 'asymptotic';
}

/** Above this size scipy's ks_2samp(method='auto') switches from the exact to the asymptotic p-value. */
export const KS_EXACT_MAX_N = 10_000;

/**
 * Two-sided two-sample Kolmogorov–Smirnov test, scipy.stats.ks_2samp(a, b) with method='auto'. The
 * exact p-value counts the lattice paths from (0,0) to (m,n) that stay strictly inside the band
 * |i·n/g − j·m/g| < h (h = D·lcm(m, n) rounded, as scipy does), normalised step by step so no
 * binomial coefficient overflows; P(D ≥ d) = 1 − that share.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  requireSamples('the Kolmogorov–Smirnov test', a, b);
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const n1 = x.length;
  const n2 = y.length;
  let d = 0;
  let i = 0;
  let j = 0;
  // Walk the pooled values in order; at each distinct value both CDFs include every tie.
  while (i < n1 || j < n2) {
    const v = Math.min(i < n1 ? (x[i] as number) : Infinity, j < n2 ? (y[j] as number) : Infinity);
    i = countAtMost(x, v, i);
    j = countAtMost(y, v, j);
    d = Math.max(d, Math.abs(i / n1 - j / n2));
  }
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    return { statistic: d, pValue: ksExactPValue(n1, n2, d), method: 'exact' };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: kolmogorovSurvival(Math.sqrt(en) * d), method: 'asymptotic' };
}

/** P(D ≥ d) for samples of sizes m and n without ties (the exact null distribution). */
export function ksExactPValue(m: number, n: number, d: number): number {
  const g = gcd(m, n);
  const mg = m / g;
  const ng = n / g;
  const lcm = mg * n;
  const h = Math.round(d * lcm);
  if (h === 0) {
    return 1;
  }
  // Lattice point (i, j) lies on or outside the band when |i·ng − j·mg| ≥ h.
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const sg = small === m ? ng : mg;
  const lg = small === m ? mg : ng;
  // v[j] = (paths to (i, j) inside the band) / C(i + j, i); one row of i at a time.
  const v = new Float64Array(large + 1);
  v[0] = 1;
  for (let jj = 1; jj <= large; jj++) {
    v[jj] = Math.abs(-jj * lg) >= h ? 0 : (v[jj - 1] as number);
  }
  for (let ii = 1; ii <= small; ii++) {
    v[0] = Math.abs(ii * sg) >= h ? 0 : v[0];
    for (let jj = 1; jj <= large; jj++) {
      if (Math.abs(ii * sg - jj * lg) >= h) {
        v[jj] = 0;
      } else {
        const total = ii + jj;
        v[jj] = ((v[jj] as number) * ii) / total + ((v[jj - 1] as number) * jj) / total;
      }
    }
  }
  return Math.min(1, Math.max(0, 1 - (v[large] as number)));
}

/**
 * First Wasserstein distance between two 1-D empirical distributions (scipy.stats.wasserstein_distance):
 * ∫ |F₁(x) − F₂(x)| dx over the pooled values.
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireSamples('the Wasserstein distance', a, b);
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const all = new Float64Array(x.length + y.length);
  all.set(x, 0);
  all.set(y, x.length);
  all.sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let k = 0; k + 1 < all.length; k++) {
    const v = all[k] as number;
    i = countAtMost(x, v, i);
    j = countAtMost(y, v, j);
    const delta = (all[k + 1] as number) - v;
    if (delta > 0) {
      sum += Math.abs(i / x.length - j / y.length) * delta;
    }
  }
  return sum;
}

/** Population standard deviation (numpy's np.std, ddof = 0). */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) {
    return 0;
  }
  let mean = 0;
  for (let i = 0; i < n; i++) {
    mean += values[i] as number;
  }
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    ss += ((values[i] as number) - mean) ** 2;
  }
  return Math.sqrt(ss / n);
}

/** Category counts of both samples over the union of their categories, in sorted order. */
export function categoryCounts(
  reference: readonly string[],
  current: readonly string[],
): { categories: string[]; reference: number[]; current: number[] } {
  const categories = [...new Set([...reference, ...current])].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const count = (values: readonly string[]): number[] => {
    const out = new Array<number>(categories.length).fill(0);
    for (const v of values) {
      const k = index.get(v) as number;
      out[k] = (out[k] as number) + 1;
    }
    return out;
  };
  return { categories, reference: count(reference), current: count(current) };
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
}

/**
 * Evidently's chi-square test: scipy.stats.chisquare(f_obs = current counts, f_exp = reference
 * counts scaled to the current's size), k − 1 degrees of freedom. A category the reference never
 * has but the current does gives an infinite statistic (p = 0).
 */
export function chiSquareTest(
  reference: readonly string[],
  current: readonly string[],
): ChiSquareResult {
  if (reference.length === 0 || current.length === 0) {
    throw new ArginatorError(
      'INTERNAL',
      'drift.empty-sample',
      `the chi-square test needs two non-empty samples (got ${reference.length} and ${current.length})`,
      'pass at least one value on each side',
    );
  }
  const counts = categoryCounts(reference, current);
  const scale = current.length / reference.length;
  let statistic = 0;
  counts.categories.forEach((_, k) => {
    const observed = counts.current[k] as number;
    const expected = (counts.reference[k] as number) * scale;
    statistic +=
      expected === 0 ? (observed === 0 ? 0 : Infinity) : (observed - expected) ** 2 / expected;
  });
  const dof = Math.max(1, counts.categories.length - 1);
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof };
}

/**
 * Jensen–Shannon distance (scipy.spatial.distance.jensenshannon, natural log) of two histograms
 * given as counts or shares; each is normalised to sum 1 first.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((s, v) => s + v, 0);
  const sq = q.reduce((s, v) => s + v, 0);
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const a = (p[k] as number) / sp;
    const b = (q[k] as number) / sq;
    const m = (a + b) / 2;
    if (a > 0) {
      js += a * Math.log(a / m);
    }
    if (b > 0) {
      js += b * Math.log(b / m);
    }
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/**
 * Evidently's get_binned_data(feel_zeroes=True) for the Jensen–Shannon test: shares per bin, an empty
 * bin given a millionth of the smallest non-empty share so that neither side has a zero.
 */
export function sharesWithoutZeros(counts: readonly number[]): number[] {
  const total = counts.reduce((s, v) => s + v, 0);
  const shares = counts.map((c) => (total > 0 ? c / total : 0));
  const nonZero = shares.filter((s) => s > 0);
  const fill = nonZero.length > 0 ? Math.min(...nonZero) / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

/** numpy.histogram_bin_edges(values, bins): equal-width edges over [min, max] (±0.5 for constant data). */
export function histogramEdges(values: ArrayLike<number>, bins: number): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  return Array.from({ length: bins + 1 }, (_, k) => (k === bins ? max : min + k * width));
}

/** numpy.histogram counts on given edges: bins are [e_k, e_k+1), the last one closed. */
export function histogramCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0] as number;
  const last = edges[bins] as number;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < first || v > last) {
      continue;
    }
    let k = v === last ? bins - 1 : Math.floor(((v - first) / (last - first)) * bins);
    k = Math.min(bins - 1, Math.max(0, k));
    while (k > 0 && v < (edges[k] as number)) {
      k--;
    }
    while (k < bins - 1 && v >= (edges[k + 1] as number)) {
      k++;
    }
    counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}
