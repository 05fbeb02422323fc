import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { groupKFold, groupStratifiedSplit, stratifiedSplit, type Split } from './split.ts';

function expectPartition(s: Split, n: number): void {
  const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

function counts(labels: ArrayLike<number>, idx: Int32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const i of idx) {
    c[labels[i] as number] = (c[labels[i] as number] ?? 0) + 1;
  }
  return c;
}

/** Labels 0..4 with sizes 400/230/450/530/2890 and groups of varied sizes (label-pure). */
function synthetic(): { labels: Int32Array; groups: Int32Array } {
  const rng = createRng(3);
  const sizes = [400, 230, 450, 530, 2890];
  const labels: number[] = [];
  const groups: number[] = [];
  let g = 0;
  sizes.forEach((size, y) => {
    let left = size;
    while (left > 0) {
      const s = Math.min(left, 1 + Math.floor(rng() ** 3 * 60));
      for (let i = 0; i < s; i++) {
        labels.push(y);
        groups.push(g);
      }
      g++;
      left -= s;
    }
  });
  return { labels: Int32Array.from(labels), groups: Int32Array.from(groups) };
}

describe('stratifiedSplit', () => {
  it('partitions every index once with per-class proportions like sklearn', () => {
    const { labels } = synthetic();
    const s = stratifiedSplit(labels, [0.7, 0.15, 0.15], createRng(1));
    expectPartition(s, labels.length);
    // sklearn: test = ceil(0.15 n), val = ceil(0.15 / 0.85 · rest).
    const n = labels.length;
    expect(s.test.length).toBe(Math.ceil(0.15 * n));
    expect(s.val.length).toBe(Math.ceil((0.15 / 0.85) * (n - s.test.length) - 1e-9));
    const total = counts(labels, Int32Array.from(labels.keys()), 5);
    const test = counts(labels, s.test, 5);
    const val = counts(labels, s.val, 5);
    total.forEach((t, y) => {
      expect(Math.abs((test[y] ?? 0) - 0.15 * t)).toBeLessThanOrEqual(1.5);
      expect(Math.abs((val[y] ?? 0) - 0.15 * t)).toBeLessThanOrEqual(2);
    });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const { labels } = synthetic();
    const a = stratifiedSplit(labels, [0.8, 0.1, 0.1], createRng(5));
    const b = stratifiedSplit(labels, [0.8, 0.1, 0.1], createRng(5));
    const c = stratifiedSplit(labels, [0.8, 0.1, 0.1], createRng(6));
    expect(b).toEqual(a);
    expect(c.test).not.toEqual(a.test);
  });

  it('allocates small classes by largest remainder', () => {
    // 3 + 3 + 4 items, 20% test → 2 test items: the 4-item class has the largest share (0.8).
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    const s = stratifiedSplit(labels, [0.8, 0, 0.2], createRng(1));
    expect(s.val.length).toBe(0);
    expect(s.test.length).toBe(2);
    expectPartition(s, labels.length);
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => stratifiedSplit([0, 1], [0.5, 0.5, 0.5], createRng(1))).toThrow(RangeError);
  });
});

describe('groupStratifiedSplit', () => {
  it('keeps groups whole, covers every index once and keeps class proportions', () => {
    const { labels, groups } = synthetic();
    const s = groupStratifiedSplit(labels, groups, [0.7, 0.15, 0.15], createRng(9));
    expectPartition(s, labels.length);
    const sideOf = new Map<number, number>();
    [s.train, s.val, s.test].forEach((idx, side) => {
      for (const i of idx) {
        const g = groups[i] as number;
        expect(sideOf.get(g) ?? side).toBe(side);
        sideOf.set(g, side);
      }
    });
    const total = counts(labels, Int32Array.from(labels.keys()), 5);
    [
      [s.train, 0.7],
      [s.val, 0.15],
      [s.test, 0.15],
    ].forEach(([idx, f]) => {
      const c = counts(labels, idx as Int32Array, 5);
      total.forEach((t, y) => {
        // Within 3 points of the target share (groups are up to 60 proteins).
        expect(Math.abs((c[y] ?? 0) / t - (f as number))).toBeLessThan(0.03);
      });
    });
    expect(s.warnings).toEqual([]);
  });

  it('puts every class with >= 3 groups in all three sides, and warns about the others', () => {
    // Class 0: one huge group and two tiny ones; class 1: two groups; class 2: one group.
    const labels = [...new Array<number>(50).fill(0), 0, 0, ...new Array<number>(10).fill(1), 2, 2];
    const groups = [...new Array<number>(50).fill(0), 1, 2, ...[3, 3, 3, 3, 3, 4, 4, 4, 4, 4], 5, 5];
    for (let seed = 0; seed < 20; seed++) {
      const s = groupStratifiedSplit(labels, groups, [0.8, 0.1, 0.1], createRng(seed));
      expectPartition(s, labels.length);
      for (const side of [s.train, s.val, s.test]) {
        expect(counts(labels, side, 3)[0]).toBeGreaterThan(0);
      }
      expect(s.warnings.map((w) => [w.label, w.groups])).toEqual([
        [1, 2],
        [2, 1],
      ]);
    }
  });

  it('is deterministic for a seed', () => {
    const { labels, groups } = synthetic();
    const a = groupStratifiedSplit(labels, groups, [0.8, 0.1, 0.1], createRng(2));
    expect(groupStratifiedSplit(labels, groups, [0.8, 0.1, 0.1], createRng(2))).toEqual(a);
  });

  it('leaves a side with fraction 0 empty', () => {
    const { labels, groups } = synthetic();
    const s = groupStratifiedSplit(labels, groups, [0.8, 0, 0.2], createRng(2));
    expect(s.val.length).toBe(0);
    expectPartition(s, labels.length);
  });
});

describe('groupKFold', () => {
  it('tests every index once and never splits a group', () => {
    const { labels, groups } = synthetic();
    const r = groupKFold(labels, groups, 5, createRng(4));
    const tested = r.folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    r.folds.forEach((f) => expect(f.train.length + f.test.length).toBe(labels.length));
    const foldOfGroup = new Map<number, number>();
    r.foldOf.forEach((f, i) => {
      const g = groups[i] as number;
      expect(foldOfGroup.get(g) ?? f).toBe(f);
      foldOfGroup.set(g, f);
    });
    expect(groupKFold(labels, groups, 5, createRng(4)).foldOf).toEqual(r.foldOf);
  });

  it('reproduces the per-fold counts of ADR 0002 on the shipped clusters', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const classes = ['A', 'B', 'C', 'D', 'NBL'];
    const cluster = new Map<string, number>();
    for (const line of readFileSync(join(root, 'data/default/derived/clusters-cdhit40.tsv'), 'utf8')
      .split('\n')
      .slice(1)) {
      const [id, c] = line.split('\t');
      if (id !== undefined && c !== undefined && id !== '') {
        cluster.set(id, Number(c));
      }
    }
    const labels: number[] = [];
    const groups: number[] = [];
    for (const line of readFileSync(join(root, 'data/default/labels.tsv'), 'utf8')
      .split('\n')
      .slice(1)) {
      const [id, label] = line.split('\t');
      if (id !== undefined && id !== '' && label !== undefined) {
        labels.push(classes.indexOf(label));
        groups.push(cluster.get(id) ?? -1);
      }
    }
    const r = groupKFold(labels, groups, 5, createRng(20240722));
    const perFold = r.folds.map((f) => counts(labels, f.test, 5).join('/')).join('  ');
    expect(perFold).toBe(
      '11/43/0/358/578  12/44/322/32/579  187/44/0/44/579  178/44/0/52/579  16/53/133/47/579',
    );
    // Class C has two clusters and class D... only C has fewer than 5.
    expect(r.warnings.map((w) => classes[w.label])).toEqual(['C']);
  });
});
