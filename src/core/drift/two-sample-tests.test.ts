// The drift statistics against scipy (Debian python3-scipy) on seeded samples, plus properties that hold without it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { createRng, type Rng } from '../rng.ts';
import { columnDrift, defaultTest } from './column-drift.ts';
import { embeddingStatistics } from './embedding-features.ts';
import { chiSquareSurvival, kolmogorovSurvival, logGamma } from './special-functions.ts';
import {
  chiSquareTest,
  jensenShannonDistance,
  ksExactPValue,
  ksTwoSample,
  wassersteinDistance,
} from './two-sample-tests.ts';

// The spawning stays in this test file: dependency-cruiser exempts *.test.ts, not test-support/, from core's purity rule.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./test-support/scipy_drift.py', import.meta.url));
const HAVE_SCIPY =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SCIPY && process.env['CI'] === 'true') {
  // .ci/run installs python3-scipy: in CI a missing scipy is a broken setup, not a reason to skip.
  throw new Error(`${PYTHON} cannot import scipy in CI: .ci/run must install python3-scipy`);
}
if (!HAVE_SCIPY) {
  console.warn(
    `skipping the scipy agreement tests: ${PYTHON} cannot import scipy (install python3-scipy)`,
  );
}

function scipy(requests: readonly unknown[]): Record<string, number | number[]>[] {
  const r = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(requests),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`${SCRIPT} failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as Record<string, number | number[]>[];
}

function normal(rng: Rng, n: number, mean = 0, sd = 1, round?: number): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(rng(), 1e-300);
    const v = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng()) * sd + mean;
    return round === undefined ? v : Math.round(v * round) / round;
  });
}

/** Seeded sample pairs: equal and unequal sizes, shifted and not, with and without ties. */
function samplePairs(): { name: string; a: number[]; b: number[] }[] {
  const rng = createRng(7);
  return [
    { name: 'same, 200 vs 200', a: normal(rng, 200), b: normal(rng, 200) },
    { name: 'shifted, 300 vs 120', a: normal(rng, 300), b: normal(rng, 120, 0.4) },
    { name: 'wider, 1000 vs 50', a: normal(rng, 1000), b: normal(rng, 50, 0, 1.8) },
    { name: 'ties, 400 vs 333', a: normal(rng, 400, 0, 1, 4), b: normal(rng, 333, 0.1, 1, 4) },
    { name: 'tiny, 7 vs 5', a: normal(rng, 7), b: normal(rng, 5, 1) },
    { name: 'far apart, 60 vs 60', a: normal(rng, 60), b: normal(rng, 60, 5) },
  ];
}

describe('special functions', () => {
  it('log-gamma and the chi-square tail match known values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // χ²(1) at 3.841459 is the 5% point; χ²(4) at 9.487729 too.
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(9.487729036781154, 4)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(Infinity, 3)).toBe(0);
    // Kolmogorov: P(K > 1.358099) = 0.05.
    expect(kolmogorovSurvival(1.3580986393225505)).toBeCloseTo(0.05, 8);
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 10);
  });

  it('the exact KS p-value of tiny samples equals a brute-force count over all splits', () => {
    // m = 3, n = 2: C(5, 2) = 10 equally likely orderings; D = 1 only for the 2 fully separated ones.
    expect(ksExactPValue(3, 2, 1)).toBeCloseTo(2 / 10, 12);
    expect(ksTwoSample([1, 2, 3], [4, 5]).pValue).toBeCloseTo(0.2, 12);
    expect(ksTwoSample([1, 2, 3], [1, 2, 3]).statistic).toBe(0);
    expect(ksTwoSample([1, 2, 3], [1, 2, 3]).pValue).toBe(1);
  });
});

describe('properties', () => {
  it('the Wasserstein distance of a shifted copy is the shift', () => {
    const rng = createRng(1);
    const a = normal(rng, 100);
    expect(
      wassersteinDistance(
        a,
        a.map((x) => x + 0.75),
      ),
    ).toBeCloseTo(0.75, 12);
    expect(wassersteinDistance(a, a)).toBe(0);
  });

  it('Jensen–Shannon: 0 for equal histograms, √ln 2 for disjoint ones', () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 12);
  });

  it('a category the reference never has drifts (χ² infinite, p = 0)', () => {
    const r = chiSquareTest(['A', 'A', 'B'], ['A', 'C']);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
  });

  it("chooses Evidently's default test by reference size and number of values", () => {
    const small = Array.from({ length: 1000 }, (_, i) => i);
    const large = Array.from({ length: 1001 }, (_, i) => i);
    expect(defaultTest({ kind: 'numeric', reference: small, current: [1, 2] })).toBe('ks');
    expect(defaultTest({ kind: 'numeric', reference: large, current: [1, 2] })).toBe('wasserstein');
    const fewSmall = small.map((i) => i % 5);
    expect(defaultTest({ kind: 'numeric', reference: fewSmall, current: [1] })).toBe('chi-square');
    const cats = large.map((i) => String(i % 3));
    expect(defaultTest({ kind: 'categorical', reference: cats, current: ['1'] })).toBe(
      'jensen-shannon',
    );
  });
});

describe.skipIf(!HAVE_SCIPY)('agreement with scipy (python3-scipy)', () => {
  it('ks_2samp: same D and p-value (exact method) and the same drift decision', () => {
    const pairs = samplePairs();
    const ref = scipy(pairs.map(({ a, b }) => ({ op: 'ks', a, b })));
    pairs.forEach(({ name, a, b }, i) => {
      const ours = ksTwoSample(a, b);
      const theirs = ref[i] as { statistic: number; pValue: number };
      expect(ours.statistic, name).toBeCloseTo(theirs.statistic, 12);
      expect(Math.abs(ours.pValue - theirs.pValue), name).toBeLessThan(1e-9);
      expect(ours.pValue <= 0.05, name).toBe(theirs.pValue <= 0.05);
    });
    // The set holds both verdicts, so the decision check is not vacuous.
    const verdicts = pairs.map(({ a, b }) => ksTwoSample(a, b).pValue <= 0.05);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  it('wasserstein_distance, raw and divided by the reference std (Evidently)', () => {
    const pairs = samplePairs();
    const raw = scipy(pairs.map(({ a, b }) => ({ op: 'wasserstein', a, b })));
    const norm = scipy(pairs.map(({ a, b }) => ({ op: 'wasserstein_norm', a, b })));
    pairs.forEach(({ name, a, b }, i) => {
      expect(wassersteinDistance(a, b), name).toBeCloseTo(raw[i]?.['distance'] as number, 10);
      const ours = columnDrift({ kind: 'numeric', reference: a, current: b }, 'wasserstein');
      expect(ours.statistic, name).toBeCloseTo(norm[i]?.['distance'] as number, 10);
    });
  });

  it("chisquare in Evidently's form and jensenshannon", () => {
    const rng = createRng(11);
    const draw = (n: number, weights: number[]): string[] =>
      Array.from({ length: n }, () => {
        let u = rng() * weights.reduce((s, w) => s + w, 0);
        let k = 0;
        while (u >= (weights[k] as number)) {
          u -= weights[k] as number;
          k++;
        }
        return 'ABCDE'[k] as string;
      });
    const cases = [
      [draw(500, [1, 1, 1, 1, 4]), draw(80, [1, 1, 1, 1, 4])],
      [draw(500, [1, 1, 1, 1, 4]), draw(80, [4, 1, 1, 1, 1])],
      [draw(900, [2, 1, 1, 0, 0]), draw(40, [2, 1, 1, 0, 0])],
    ] as const;
    const ref = scipy(cases.map(([a, b]) => ({ op: 'chisquare', a, b })));
    cases.forEach(([a, b], i) => {
      const ours = chiSquareTest(a, b);
      expect(ours.statistic).toBeCloseTo(ref[i]?.['statistic'] as number, 9);
      expect(Math.abs(ours.pValue - (ref[i]?.['pValue'] as number))).toBeLessThan(1e-12);
    });
    const hists = [
      [
        [10, 20, 30, 0],
        [5, 5, 5, 5],
      ],
      [
        [1, 2, 3],
        [3, 2, 1],
      ],
    ];
    const js = scipy(hists.map(([p, q]) => ({ op: 'jensenshannon', p, q })));
    hists.forEach(([p, q], i) => {
      expect(jensenShannonDistance(p as number[], q as number[])).toBeCloseTo(
        js[i]?.['distance'] as number,
        12,
      );
    });
  });

  it("the original system's embedding entropy (scipy.stats.entropy of |x| / Σ|x|)", () => {
    const rng = createRng(5);
    const d = 16;
    const rows = Array.from({ length: 4 }, () => normal(rng, d));
    const data = Float32Array.from(rows.flat());
    const ours = embeddingStatistics(data, rows.length, d);
    const theirs = scipy([
      { op: 'entropy', rows: rows.map((r) => r.map((_, t) => data[rows.indexOf(r) * d + t])) },
    ]);
    const expected = theirs[0]?.['entropy'] as number[];
    expected.forEach((e, i) => expect(ours.entropy[i]).toBeCloseTo(e, 9));
  });
});
