// Bayes search: random until two trials ended, EI as W&B computes it, failed trials imputed as the worst, determinism.
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { bayesNext, expectedImprovement, worstMetric } from './bayes.ts';
import { normalCdf, normalPdf } from './distributions.ts';
import type { MetricSpec, ParamSpec, Trial } from './types.ts';

const loss: MetricSpec = { name: 'loss', goal: 'minimize' };
const params: ParamSpec[] = [
  { name: 'x', distribution: 'uniform', min: -2, max: 2 },
  { name: 'opt', distribution: 'constant', value: 'adam' },
];
const f = (x: number): number => (x - 0.7) ** 2;

function ended(index: number, x: number, state: Trial['state'] = 'finished'): Trial {
  return {
    index,
    params: { x, opt: 'adam' },
    state,
    history: state === 'failed' ? [] : [f(x) + 1, f(x)],
  };
}

describe('expected improvement', () => {
  it('is W&B formula: (best - mu) Phi(z) + sigma phi(z)', () => {
    const { ei, pi } = expectedImprovement(0.2, 0.5, 0);
    const z = -(0.2 - 0) / (0.5 + 1e-6);
    expect(ei).toBeCloseTo(-0.2 * normalCdf(z) + 0.5 * normalPdf(z), 12);
    expect(pi).toBeCloseTo(normalCdf(z), 12);
    // More uncertainty, more expected improvement at the same mean.
    expect(expectedImprovement(0.2, 1, 0).ei).toBeGreaterThan(ei);
  });
});

describe('bayesNext', () => {
  it('samples at random until two trials have ended', () => {
    const running: Trial = {
      index: 0,
      params: { x: 0, opt: 'adam' },
      state: 'running',
      history: [1],
    };
    const a = bayesNext(params, loss, [], createRng(1));
    const b = bayesNext(params, loss, [ended(0, 1), running], createRng(1));
    expect(a.info.mode).toBe('random');
    expect(b.info.mode).toBe('random');
    expect(a.params['opt']).toBe('adam');
    expect(bayesNext(params, loss, [ended(0, 1), ended(1, -1)], createRng(1)).info.mode).toBe('gp');
  });

  it('is deterministic for a seed', () => {
    const trials = [ended(0, -1.5), ended(1, 1.8), ended(2, 0.1)];
    expect(bayesNext(params, loss, trials, createRng(5))).toEqual(
      bayesNext(params, loss, trials, createRng(5)),
    );
  });

  it('finds the minimum of a quadratic in a few steps, better than its random start', () => {
    const trials: Trial[] = [ended(0, -1.6), ended(1, 1.9)];
    for (let i = 2; i < 12; i++) {
      const s = bayesNext(params, loss, trials, createRng(100 + i));
      trials.push(ended(i, Number(s.params['x'])));
    }
    const best = Math.min(...trials.map((t) => f(Number(t.params['x']))));
    expect(best).toBeLessThan(0.01);
  });

  it('imputes failed trials as the worst value seen and keeps away from them', () => {
    const trials = [ended(0, -1), ended(1, 0.5), ended(2, 1.9, 'failed')];
    expect(worstMetric(trials, 'minimize')).toBe(f(-1) + 1);
    expect(worstMetric(trials, 'maximize')).toBe(f(0.5));
    expect(worstMetric([], 'minimize')).toBe(0);
    const s = bayesNext(params, loss, trials, createRng(3));
    expect(s.info.mode).toBe('gp');
    expect(Math.abs(Number(s.params['x']) - 1.9)).toBeGreaterThan(0.2);
  });

  it('maximize is minimize of the negated metric, with the prediction in metric units', () => {
    const acc: MetricSpec = { name: 'acc', goal: 'maximize' };
    const xs = [-1.5, 0, 1.5];
    const asMax = xs.map((x, i) => ({
      index: i,
      params: { x, opt: 'adam' },
      state: 'finished' as const,
      history: [1 - f(x)],
    }));
    const asMin = asMax.map((t) => ({ ...t, history: t.history.map((v) => -v) }));
    const a = bayesNext(params, acc, asMax, createRng(9));
    const b = bayesNext(params, loss, asMin, createRng(9));
    expect(a.params).toEqual(b.params);
    expect(a.info.predictedValue).toBeCloseTo(-(b.info.predictedValue ?? 0), 9);
  });
});
