// The next trial of a sweep (grid, random or bayes) and whether the sweep is done (run_cap, target, grid exhausted).
import { createRng } from '../rng.ts';
import type { BayesInfo } from './bayes.ts';
import { bayesNext, trialBest } from './bayes.ts';
import { sampleParam } from './distributions.ts';
import { gridPoints } from './grid.ts';
import type { ParamValue, SweepSpec, Trial } from './types.ts';

export interface Suggestion {
  readonly params: Record<string, ParamValue>;
  readonly info?: BayesInfo | undefined;
}

/**
 * The generator for suggestion number `index` of a sweep seeded with `seed`: each suggestion has
 * its own stream, so a resumed sweep suggests what an uninterrupted one would have, given the
 * same results.
 */
export function suggestionRng(seed: number, index: number): () => number {
  return createRng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

/** How many trials a grid sweep has. */
export function gridSize(spec: SweepSpec): number {
  return gridPoints(spec.parameters).length;
}

/** The parameters of trial number trials.length, or undefined when a grid is exhausted. */
export function nextSuggestion(
  spec: SweepSpec,
  trials: readonly Trial[],
  seed: number,
): Suggestion | undefined {
  const rng = suggestionRng(seed, trials.length);
  switch (spec.method) {
    case 'grid': {
      const points = gridPoints(spec.parameters);
      const point = points[trials.length];
      return point === undefined ? undefined : { params: point };
    }
    case 'random': {
      const params: Record<string, ParamValue> = {};
      for (const p of spec.parameters) {
        params[p.name] = sampleParam(p, rng);
      }
      return { params };
    }
    case 'bayes': {
      if (spec.metric === undefined) {
        throw new Error('bayes search needs a metric (checked when the spec is parsed)');
      }
      return bayesNext(spec.parameters, spec.metric, trials, rng);
    }
  }
}

/** Whether a finished trial reached the metric's target (W&B then creates no new trials). */
export function targetReached(spec: SweepSpec, trials: readonly Trial[]): boolean {
  const metric = spec.metric;
  if (metric?.target === undefined) {
    return false;
  }
  const target = metric.target;
  return trials.some((t) => {
    if (t.state !== 'finished' && t.state !== 'stopped') {
      return false;
    }
    const best = trialBest(t, metric.goal);
    return best !== undefined && (metric.goal === 'minimize' ? best <= target : best >= target);
  });
}

/** The best ended trial by the metric, if any has a value. */
export function bestTrial(spec: SweepSpec, trials: readonly Trial[]): Trial | undefined {
  const metric = spec.metric;
  if (metric === undefined) {
    return undefined;
  }
  let best: Trial | undefined;
  let bestValue = 0;
  for (const t of trials) {
    if (t.state !== 'finished' && t.state !== 'stopped') {
      continue;
    }
    const v = trialBest(t, metric.goal);
    if (v === undefined) {
      continue;
    }
    if (best === undefined || (metric.goal === 'minimize' ? v < bestValue : v > bestValue)) {
      best = t;
      bestValue = v;
    }
  }
  return best;
}
