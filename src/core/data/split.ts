// Train/validation/test splits: per-class stratified, identity-cluster grouped, and stratified group k-fold.
import { shuffleInPlace, type Rng } from '../rng.ts';

/** Fractions of [train, validation, test]; non-negative, summing to 1. */
export type SplitFractions = readonly [train: number, val: number, test: number];

export interface Split {
  /** Indices into the input, ascending. */
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
}

export interface SplitWarning {
  /** Class (label number) concerned. */
  readonly label: number;
  /** Groups whose majority label it is. */
  readonly groups: number;
  readonly message: string;
}

export interface GroupSplit extends Split {
  readonly warnings: readonly SplitWarning[];
}

export interface Fold {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export interface GroupKFold {
  /** Fold (0..k-1) in which each index is tested. */
  readonly foldOf: Int32Array;
  readonly folds: readonly Fold[];
  readonly warnings: readonly SplitWarning[];
}

const SIDE_NAMES = ['train', 'val', 'test'] as const;

function checkFractions(f: SplitFractions): void {
  const sum = f[0] + f[1] + f[2];
  if (f.some((x) => !(x >= 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(`split fractions must be non-negative and sum to 1, got ${f.join(', ')}`);
  }
}

function labelCount(labels: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0) {
      throw new RangeError(`label ${y} at index ${i} is not a class number (integer >= 0)`);
    }
    k = Math.max(k, y + 1);
  }
  return k;
}

function sorted(xs: readonly number[]): Int32Array {
  return Int32Array.from(xs).sort();
}

/**
 * sklearn's _approximate_mode: split `draws` over classes in proportion to `counts`: floor of the exact
 * share, then the leftover one at a time to the largest remainders, ties broken at random.
 */
function approximateMode(counts: readonly number[], draws: number, rng: Rng): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (total === 0 ? 0 : (c / total) * draws));
  const out = exact.map((x) => Math.floor(x + 1e-9));
  let need = draws - out.reduce((a, b) => a + b, 0);
  // Remainders rounded so that equal shares compare equal despite floating point.
  const rem = exact.map((x, c) => Math.round((x - (out[c] as number)) * 1e9) / 1e9);
  const values = [...new Set(rem)].sort((a, b) => b - a);
  for (const v of values) {
    if (need <= 0) {
      break;
    }
    const tied = shuffleInPlace(
      rem.flatMap((r, c) => (r === v ? [c] : [])),
      rng,
    );
    for (const c of tied.slice(0, need)) {
      out[c] = (out[c] as number) + 1;
      need--;
    }
  }
  return out;
}

/** One sklearn train_test_split(stratify=y) on `indices`: returns [rest, held] with |held| = ceil(f·n). */
function stratifiedHoldOut(
  labels: ArrayLike<number>,
  indices: readonly number[],
  k: number,
  fraction: number,
  rng: Rng,
): [number[], number[]] {
  const n = indices.length;
  const nHeld = Math.min(n, Math.ceil(fraction * n - 1e-9));
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (const i of indices) {
    byClass[labels[i] as number]?.push(i);
  }
  const counts = byClass.map((m) => m.length);
  const restPer = approximateMode(counts, n - nHeld, rng);
  const heldPer = approximateMode(
    counts.map((c, y) => c - (restPer[y] as number)),
    nHeld,
    rng,
  );
  const rest: number[] = [];
  const held: number[] = [];
  byClass.forEach((members, y) => {
    const perm = shuffleInPlace([...members], rng);
    const r = restPer[y] as number;
    rest.push(...perm.slice(0, r));
    held.push(...perm.slice(r, r + (heldPer[y] as number)));
  });
  return [rest, held];
}

/**
 * Per-class proportional split, as the original system did with scikit-learn: train_test_split(
 * stratify=y) twice — first the test set (⌈test·n⌉ items) off everything, then the validation set
 * (⌈val/(train+val) · rest⌉ items) off the rest. Each call allocates per-class counts with sklearn's
 * _approximate_mode (floor of the exact share, leftovers to the largest remainders, random tie-breaks)
 * and takes a random permutation of each class. Indices are returned ascending.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fractions: SplitFractions,
  rng: Rng,
): Split {
  checkFractions(fractions);
  const k = labelCount(labels);
  const all = Array.from({ length: labels.length }, (_, i) => i);
  const [rest, test] = stratifiedHoldOut(labels, all, k, fractions[2], rng);
  const trainVal = fractions[0] + fractions[1];
  const [train, val] =
    trainVal === 0
      ? [[], rest]
      : stratifiedHoldOut(labels, rest, k, fractions[1] / trainVal, rng);
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}

interface Group {
  readonly members: number[];
  /** Members per class. */
  readonly counts: Int32Array;
  /** Majority class (lowest class number on ties). */
  readonly major: number;
}

/** Groups in order of first appearance, shuffled with `rng`, then stably sorted by size, largest first. */
function orderedGroups(labels: ArrayLike<number>, groups: ArrayLike<number>, k: number, rng: Rng): Group[] {
  if (groups.length !== labels.length) {
    throw new RangeError(`labels (${labels.length}) and groups (${groups.length}) differ in length`);
  }
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups[i] as number;
    const list = byGroup.get(g);
    if (list === undefined) {
      byGroup.set(g, [i]);
    } else {
      list.push(i);
    }
  }
  // Shuffling first makes the order among equal-sized groups (and so the tie-breaks) seeded.
  const lists = shuffleInPlace([...byGroup.values()], rng).sort((a, b) => b.length - a.length);
  return lists.map((members) => {
    const counts = new Int32Array(k);
    for (const i of members) {
      const y = labels[i] as number;
      counts[y] = (counts[y] as number) + 1;
    }
    let major = 0;
    for (let c = 1; c < k; c++) {
      if ((counts[c] as number) > (counts[major] as number)) {
        major = c;
      }
    }
    return { members, counts, major };
  });
}

function groupsPerClass(ordered: readonly Group[], k: number): number[] {
  const per = new Array<number>(k).fill(0);
  for (const g of ordered) {
    per[g.major] = (per[g.major] ?? 0) + 1;
  }
  return per;
}

/**
 * Identity-cluster split: whole groups go to one side. Groups are taken largest first (random order among
 * equal sizes) and each goes to the side with the largest deficit (target − assigned, in proteins) for
 * its majority class, then the largest deficit overall, then at random. A class is forced onto a side it
 * is still missing from when only as many of its groups are left as sides missing it, so every class
 * with ≥ 3 groups (≥ the number of non-empty sides) appears in train, val and test. Classes with fewer
 * groups are reported in `warnings`. A side with fraction 0 stays empty.
 */
export function groupStratifiedSplit(
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  fractions: SplitFractions,
  rng: Rng,
): GroupSplit {
  checkFractions(fractions);
  const k = labelCount(labels);
  const ordered = orderedGroups(labels, groups, k, rng);
  const sides = [0, 1, 2].filter((s) => (fractions[s] ?? 0) > 0);
  const classTotal = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    classTotal[y] = (classTotal[y] ?? 0) + 1;
  }
  const assigned = [0, 1, 2].map(() => new Array<number>(k).fill(0));
  const sideTotal = [0, 0, 0];
  const remaining = groupsPerClass(ordered, k);
  const out: number[][] = [[], [], []];
  const deficit = (s: number, c: number): number =>
    (fractions[s] ?? 0) * (classTotal[c] ?? 0) - (assigned[s]?.[c] ?? 0);
  const totalDeficit = (s: number): number => (fractions[s] ?? 0) * labels.length - (sideTotal[s] ?? 0);
  for (const g of ordered) {
    const c = g.major;
    const missing = sides.filter((s) => (assigned[s]?.[c] ?? 0) === 0);
    const choices = missing.length > 0 && (remaining[c] ?? 0) <= missing.length ? missing : sides;
    let best: number[] = [];
    for (const s of choices) {
      const first = best[0];
      if (first === undefined) {
        best = [s];
        continue;
      }
      const cmp = deficit(s, c) - deficit(first, c) || totalDeficit(s) - totalDeficit(first);
      if (cmp > 1e-9) {
        best = [s];
      } else if (Math.abs(cmp) <= 1e-9) {
        best.push(s);
      }
    }
    const side = best.length === 1 ? (best[0] as number) : (best[Math.floor(rng() * best.length)] as number);
    out[side]?.push(...g.members);
    for (let y = 0; y < k; y++) {
      const row = assigned[side] as number[];
      row[y] = (row[y] ?? 0) + (g.counts[y] as number);
    }
    sideTotal[side] = (sideTotal[side] ?? 0) + g.members.length;
    remaining[c] = (remaining[c] ?? 0) - 1;
  }
  const warnings: SplitWarning[] = [];
  groupsPerClass(ordered, k).forEach((n, c) => {
    if (n > 0 && n < sides.length) {
      const absent = sides
        .filter((s) => (assigned[s]?.[c] ?? 0) === 0)
        .map((s) => SIDE_NAMES[s] ?? '');
      warnings.push({
        label: c,
        groups: n,
        message:
          `class ${c} has only ${n} group(s), fewer than the ${sides.length} non-empty sides; ` +
          `it is absent from ${absent.join(' and ')}. Use a higher identity threshold or a ` +
          `stratified split for this class`,
      });
    }
  });
  return {
    train: sorted(out[0] ?? []),
    val: sorted(out[1] ?? []),
    test: sorted(out[2] ?? []),
    warnings,
  };
}

/**
 * Stratified group k-fold, the method of ADR 0002 (bench/probe-embedders.ts): groups in order of first
 * appearance are shuffled with `rng`, stably sorted largest first, and each goes to the fold with the
 * fewest proteins of its majority class, then the fewest proteins overall, then the lowest fold number.
 * Every index is tested exactly once; no group spans two folds.
 */
export function groupKFold(
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  k: number,
  rng: Rng,
): GroupKFold {
  if (!Number.isInteger(k) || k < 2) {
    throw new RangeError(`k-fold needs an integer k >= 2, got ${k}`);
  }
  const nClasses = labelCount(labels);
  const ordered = orderedGroups(labels, groups, nClasses, rng);
  const perClass = Array.from({ length: nClasses }, () => new Array<number>(k).fill(0));
  const total = new Array<number>(k).fill(0);
  const foldOf = new Int32Array(labels.length);
  for (const g of ordered) {
    const row = perClass[g.major] as number[];
    let best = 0;
    for (let f = 1; f < k; f++) {
      const d = (row[f] ?? 0) - (row[best] ?? 0) || (total[f] ?? 0) - (total[best] ?? 0);
      if (d < 0) {
        best = f;
      }
    }
    for (const i of g.members) {
      foldOf[i] = best;
    }
    g.counts.forEach((count, y) => {
      const r = perClass[y] as number[];
      r[best] = (r[best] ?? 0) + count;
    });
    total[best] = (total[best] ?? 0) + g.members.length;
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    foldOf.forEach((fold, i) => (fold === f ? test : train).push(i));
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  const warnings: SplitWarning[] = [];
  groupsPerClass(ordered, nClasses).forEach((n, c) => {
    if (n > 0 && n < k) {
      warnings.push({
        label: c,
        groups: n,
        message: `class ${c} has only ${n} group(s), fewer than ${k} folds; ${k - n} fold(s) test none of it`,
      });
    }
  });
  return { foldOf, folds, warnings };
}
