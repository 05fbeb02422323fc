// Each W&B distribution: samples stay in range, CDF and PPF round-trip, and the normal against scipy.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import {
  normalCdf,
  normalPpf,
  paramCdf,
  paramPpf,
  quantise,
  roundHalfEven,
  sampleParam,
} from './distributions.ts';
import type { ParamSpec } from './types.ts';

const SAMPLES = 2000;

function draw(p: ParamSpec): number[] {
  const rng = createRng(7);
  return Array.from({ length: SAMPLES }, () => Number(sampleParam(p, rng)));
}

describe('normal CDF/PPF', () => {
  it('matches scipy.stats.norm', () => {
    const ps = [0.001, 0.025, 0.3, 0.5, 0.9, 0.999];
    const want = [
      -3.090232306167813, -1.9599639845400545, -0.5244005127080409, 0, 1.2815515655446004,
      3.090232306167813,
    ];
    ps.forEach((p, i) => expect(normalPpf(p)).toBeCloseTo(want[i] as number, 6));
    const xs = [-3, -1.2, 0, 0.7, 2.5];
    const cdf = [
      0.0013498980316300933, 0.11506967022170822, 0.5, 0.758036347776927, 0.9937903346742238,
    ];
    xs.forEach((x, i) => expect(normalCdf(x)).toBeCloseTo(cdf[i] as number, 7));
  });
});

describe('quantisation', () => {
  it('rounds halves to even like numpy and cleans binary noise', () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(quantise(0.31, 0.1)).toBe(0.3);
    expect(quantise(37, 8)).toBe(40);
  });
});

const continuous: { spec: ParamSpec; lo: number; hi: number }[] = [
  { spec: { name: 'u', distribution: 'uniform', min: 0.1, max: 0.5 }, lo: 0.1, hi: 0.5 },
  // W&B: log_uniform bounds are exponents: e^U(min, max).
  {
    spec: { name: 'lu', distribution: 'log_uniform', min: 0.00001, max: 0.01 },
    lo: Math.exp(0.00001),
    hi: Math.exp(0.01),
  },
  {
    spec: { name: 'luv', distribution: 'log_uniform_values', min: 1e-5, max: 1e-2 },
    lo: 1e-5,
    hi: 1e-2,
  },
  {
    spec: { name: 'ilu', distribution: 'inv_log_uniform', min: 1, max: 3 },
    lo: Math.exp(-3),
    hi: Math.exp(-1),
  },
  {
    spec: { name: 'iluv', distribution: 'inv_log_uniform_values', min: 0.01, max: 0.5 },
    lo: 0.01,
    hi: 0.5,
  },
];

describe('continuous distributions', () => {
  for (const { spec, lo, hi } of continuous) {
    it(`${spec.distribution}: samples in [${lo.toPrecision(4)}, ${hi.toPrecision(4)}], CDF(PPF(p)) = p`, () => {
      const xs = draw(spec);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
      expect(Math.max(...xs)).toBeLessThanOrEqual(hi * (1 + 1e-12));
      // Spread over the range, not stuck at one end.
      expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan((hi - lo) * 0.9);
      for (const p of [0, 0.1, 0.37, 0.5, 0.93, 1]) {
        expect(paramCdf(spec, paramPpf(spec, p))).toBeCloseTo(p, 9);
      }
      // The median of the draws sits at PPF(0.5).
      const sorted = [...xs].sort((a, b) => a - b);
      const median = sorted[SAMPLES / 2] as number;
      expect(paramCdf(spec, median)).toBeCloseTo(0.5, 1);
    });
  }

  it('inv_log_uniform_values puts more mass near max (1/x is log-uniform)', () => {
    const spec: ParamSpec = {
      name: 'i',
      distribution: 'inv_log_uniform_values',
      min: 0.01,
      max: 0.5,
    };
    expect(Number(paramPpf(spec, 0.5))).toBeCloseTo(Math.sqrt(0.01 * 0.5), 9);
  });

  it('normal and log_normal: CDF(PPF(p)) = p and scipy lognorm.ppf', () => {
    const normal: ParamSpec = { name: 'n', distribution: 'normal', mu: 2, sigma: 0.5 };
    const logNormal: ParamSpec = { name: 'ln', distribution: 'log_normal', mu: -2, sigma: 0.5 };
    for (const p of [0.01, 0.2, 0.5, 0.8, 0.99]) {
      expect(paramCdf(normal, paramPpf(normal, p))).toBeCloseTo(p, 6);
      expect(paramCdf(logNormal, paramPpf(logNormal, p))).toBeCloseTo(p, 6);
    }
    expect(Number(paramPpf(logNormal, 0.8))).toBeCloseTo(0.20614213276844456, 6);
    const xs = draw(normal);
    const m = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(m).toBeGreaterThan(1.95);
    expect(m).toBeLessThan(2.05);
    expect(Math.min(...draw(logNormal))).toBeGreaterThan(0);
  });
});

describe('discrete distributions', () => {
  it('int_uniform: every integer of [min, max], uniform CDF steps as scipy.randint', () => {
    const spec: ParamSpec = { name: 'i', distribution: 'int_uniform', min: 3, max: 6 };
    const xs = draw(spec);
    expect(new Set(xs)).toEqual(new Set([3, 4, 5, 6]));
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(paramCdf(spec, 3)).toBe(0.25);
    expect(paramCdf(spec, 6)).toBe(1);
    for (const v of [3, 4, 5, 6]) {
      expect(paramPpf(spec, paramCdf(spec, v))).toBe(v);
    }
    expect(paramPpf(spec, 0)).toBe(3);
  });

  it('categorical: indices round-trip, lists compare by value', () => {
    const spec: ParamSpec = { name: 'c', distribution: 'categorical', values: [16, 'x', [1, 2]] };
    expect(paramCdf(spec, [1, 2])).toBe(1);
    for (const v of [16, 'x', [1, 2]]) {
      expect(paramPpf(spec, paramCdf(spec, v))).toEqual(v);
    }
    const rng = createRng(1);
    const seen = new Set(Array.from({ length: 300 }, () => JSON.stringify(sampleParam(spec, rng))));
    expect(seen.size).toBe(3);
  });

  it('q_uniform, q_log_uniform(_values), q_normal, q_log_normal: multiples of q', () => {
    const specs: ParamSpec[] = [
      { name: 'a', distribution: 'q_uniform', min: 0, max: 1, q: 0.25 },
      { name: 'b', distribution: 'q_log_uniform', min: Math.log(32), max: Math.log(256), q: 8 },
      { name: 'c', distribution: 'q_log_uniform_values', min: 32, max: 256, q: 8 },
      { name: 'd', distribution: 'q_normal', mu: 10, sigma: 3, q: 2 },
      { name: 'e', distribution: 'q_log_normal', mu: 3, sigma: 0.3, q: 5 },
    ];
    for (const spec of specs) {
      const q = 'q' in spec ? spec.q : 1;
      for (const x of draw(spec)) {
        expect(Math.abs(x / q - Math.round(x / q))).toBeLessThan(1e-9);
      }
    }
    const xs = draw(specs[2] as ParamSpec);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...xs)).toBeLessThanOrEqual(256);
  });

  it('constant: always the value, CDF 0', () => {
    const spec: ParamSpec = { name: 'k', distribution: 'constant', value: 'adam' };
    const rng = createRng(3);
    expect(new Set(Array.from({ length: 50 }, () => sampleParam(spec, rng)))).toEqual(
      new Set(['adam']),
    );
    expect(paramPpf(spec, 0.3)).toBe('adam');
    expect(paramCdf(spec, 'adam')).toBe(0);
  });
});
