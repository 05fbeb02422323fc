// Parameter importance of a sweep: correlation with the metric and a random forest's out-of-bag permutation importance.
import type { Rng } from '../rng.ts';

export interface ImportanceRow {
  readonly name: string;
  /** Pearson correlation of the parameter's CDF position with the metric (NaN when constant). */
  readonly correlation: number;
  /** Share of the forest's out-of-bag error increase when this parameter is shuffled (sums to 1, or all 0). */
  readonly importance: number;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) {
    return Number.NaN;
  }
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

type Tree =
  | { readonly leaf: true; readonly value: number }
  | {
      readonly leaf: false;
      readonly feature: number;
      readonly split: number;
      readonly left: Tree;
      readonly right: Tree;
    };

const MIN_LEAF = 2;
const MAX_DEPTH = 8;

function mean(ys: readonly number[]): number {
  return ys.reduce((s, v) => s + v, 0) / ys.length;
}

/** A CART regression tree (variance reduction), trying every feature and every midpoint. */
function growTree(
  x: readonly (readonly number[])[],
  y: readonly number[],
  rows: readonly number[],
  depth: number,
): Tree {
  const ys = rows.map((r) => y[r] as number);
  const m = mean(ys);
  if (depth >= MAX_DEPTH || rows.length < 2 * MIN_LEAF) {
    return { leaf: true, value: m };
  }
  let best: { feature: number; split: number; sse: number } | undefined;
  const d = (x[0] as number[]).length;
  for (let f = 0; f < d; f++) {
    const col = (r: number): number => (x[r] as number[])[f] as number;
    const sorted = [...rows].sort((a, b) => col(a) - col(b));
    // Prefix sums make every split O(1).
    let sumL = 0;
    let sqL = 0;
    const total = ys.reduce((s, v) => s + v, 0);
    const totalSq = ys.reduce((s, v) => s + v * v, 0);
    for (let i = 0; i < sorted.length - 1; i++) {
      const yi = y[sorted[i] as number] as number;
      sumL += yi;
      sqL += yi * yi;
      const nL = i + 1;
      const nR = sorted.length - nL;
      const a = (x[sorted[i] as number] as number[])[f] as number;
      const b = (x[sorted[i + 1] as number] as number[])[f] as number;
      if (nL < MIN_LEAF || nR < MIN_LEAF || a === b) {
        continue;
      }
      const sse = sqL - (sumL * sumL) / nL + (totalSq - sqL) - (total - sumL) ** 2 / nR;
      if (best === undefined || sse < best.sse - 1e-12) {
        best = { feature: f, split: (a + b) / 2, sse };
      }
    }
  }
  if (best === undefined) {
    return { leaf: true, value: m };
  }
  const { feature, split } = best;
  const left = rows.filter((r) => ((x[r] as number[])[feature] as number) <= split);
  const right = rows.filter((r) => ((x[r] as number[])[feature] as number) > split);
  return {
    leaf: false,
    feature,
    split,
    left: growTree(x, y, left, depth + 1),
    right: growTree(x, y, right, depth + 1),
  };
}

function predictTree(tree: Tree, row: readonly number[]): number {
  let node = tree;
  while (!node.leaf) {
    node = (row[node.feature] as number) <= node.split ? node.left : node.right;
  }
  return node.value;
}

/**
 * Correlation and permutation importance of each parameter. The forest (100 bootstrap trees)
 * is the model W&B's importance panel uses too; permutation importance on the out-of-bag rows
 * measures what the forest loses without a parameter, which split-count importances overstate
 * for parameters with many distinct values.
 */
export function parameterImportance(
  names: readonly string[],
  x: readonly (readonly number[])[],
  y: readonly number[],
  rng: Rng,
  trees = 100,
): ImportanceRow[] {
  const n = x.length;
  const d = names.length;
  const increase = new Float64Array(d);
  if (n >= 2 * MIN_LEAF) {
    for (let t = 0; t < trees; t++) {
      const inBag = Array.from({ length: n }, () => Math.floor(rng() * n));
      const bag = new Set(inBag);
      const oob = Array.from({ length: n }, (_, i) => i).filter((i) => !bag.has(i));
      if (oob.length === 0) {
        continue;
      }
      const tree = growTree(x, y, inBag, 0);
      const mse = (rows: readonly (readonly number[])[]): number =>
        rows.reduce(
          (s, row, k) => s + (predictTree(tree, row) - (y[oob[k] as number] as number)) ** 2,
          0,
        ) / rows.length;
      const base = mse(oob.map((i) => x[i] as number[]));
      for (let f = 0; f < d; f++) {
        const shuffled = oob.map((i) => (x[i] as number[])[f] as number);
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
        }
        const permuted = oob.map((i, k) => {
          const row = [...(x[i] as number[])];
          row[f] = shuffled[k] as number;
          return row;
        });
        increase[f] = (increase[f] as number) + Math.max(0, mse(permuted) - base);
      }
    }
  }
  const total = increase.reduce((s, v) => s + v, 0);
  return names.map((name, f) => ({
    name,
    correlation: pearson(
      x.map((row) => row[f] as number),
      y,
    ),
    importance: total > 0 ? (increase[f] as number) / total : 0,
  }));
}
