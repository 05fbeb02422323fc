// W&B's bayes search: GP on standardised metric values over CDF-mapped parameters, expected improvement over random candidates.
import type { Rng } from '../rng.ts';
import { normalCdf, normalPdf, paramCdf, paramPpf, searchable } from './distributions.ts';
import { fitGp } from './gaussian-process.ts';
import type { MetricSpec, ParamSpec, ParamValue, Trial } from './types.ts';

/** W&B's STD_NUMERICAL_STABILITY_EPSILON. */
const EPS = 1e-6;
/** W&B's num_points_to_try and max_samples_for_gp. */
export const CANDIDATES = 1000;
export const MAX_GP_SAMPLES = 100;

export interface BayesInfo {
  /** 'random' until two trials have ended (or when the kernel fit hit a bound), else 'gp'. */
  readonly mode: 'random' | 'gp';
  readonly predictedValue?: number | undefined;
  readonly predictedStd?: number | undefined;
  readonly expectedImprovement?: number | undefined;
  readonly probabilityOfImprovement?: number | undefined;
  readonly lengthScale?: number | undefined;
  readonly warnings: readonly string[];
}

/** The best value of a trial's metric (W&B's metric_extremum), or undefined when it has none. */
export function trialBest(trial: Trial, goal: MetricSpec['goal']): number | undefined {
  if (trial.final !== undefined && Number.isFinite(trial.final)) {
    return trial.final;
  }
  const values = trial.history.filter(Number.isFinite);
  if (values.length === 0) {
    return undefined;
  }
  return goal === 'minimize' ? Math.min(...values) : Math.max(...values);
}

/** A trial's worst value (W&B's extremum of the other kind), used to impute failed trials. */
function trialWorst(trial: Trial, goal: MetricSpec['goal']): number | undefined {
  if (trial.final !== undefined && Number.isFinite(trial.final)) {
    return trial.final;
  }
  const values = trial.history.filter(Number.isFinite);
  if (values.length === 0) {
    return undefined;
  }
  return goal === 'minimize' ? Math.max(...values) : Math.min(...values);
}

const ENDED: ReadonlySet<Trial['state']> = new Set(['finished', 'stopped', 'failed', 'killed']);

/**
 * The value failed trials get (W&B's impute "worst"): the worst value any ended trial reached,
 * or 0 when no trial has a value, as W&B does.
 */
export function worstMetric(trials: readonly Trial[], goal: MetricSpec['goal']): number {
  let worst = goal === 'minimize' ? -Infinity : Infinity;
  for (const t of trials) {
    if (!ENDED.has(t.state)) {
      continue;
    }
    const w = trialWorst(t, goal);
    if (w !== undefined) {
      worst = goal === 'minimize' ? Math.max(worst, w) : Math.min(worst, w);
    }
  }
  return Number.isFinite(worst) ? worst : 0;
}

/** Expected improvement below `best` (all in standardised units, minimising), W&B's formula. */
export function expectedImprovement(
  mean: number,
  std: number,
  best: number,
): { ei: number; pi: number } {
  const z = -(mean - best) / (std + EPS);
  return { ei: -(mean - best) * normalCdf(z) + std * normalPdf(z), pi: normalCdf(z) };
}

function randomPoint(d: number, rng: Rng): number[] {
  return Array.from({ length: d }, () => rng());
}

function toParams(
  params: readonly ParamSpec[],
  space: readonly ParamSpec[],
  x: readonly number[],
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of params) {
    if (p.distribution === 'constant') {
      out[p.name] = p.value;
    }
  }
  space.forEach((p, j) => {
    out[p.name] = paramPpf(p, Math.min(1, Math.max(0, x[j] as number)));
  });
  return out;
}

function standardise(y: readonly number[]): { norm: number[]; mean: number; std: number } {
  if (y.length === 1) {
    return { norm: [0], mean: y[0] as number, std: 1 };
  }
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const std = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length) + EPS;
  return { norm: y.map((v) => (v - mean) / std), mean, std };
}

/** The next parameters W&B's bayes search would suggest, given every trial so far. */
export function bayesNext(
  params: readonly ParamSpec[],
  metric: MetricSpec,
  trials: readonly Trial[],
  rng: Rng,
): { params: Record<string, ParamValue>; info: BayesInfo } {
  const space = searchable(params);
  const d = space.length;
  const toX = (t: Trial): number[] => space.map((p) => paramCdf(p, t.params[p.name] ?? null));
  const sign = metric.goal === 'maximize' ? -1 : 1;
  const worst = worstMetric(trials, metric.goal);
  let sampleX: number[][] = [];
  let sampleY: number[] = [];
  const currentX: number[][] = [];
  for (const t of trials) {
    if (t.state === 'finished' || t.state === 'stopped') {
      const v = trialBest(t, metric.goal);
      sampleX.push(toX(t));
      sampleY.push(v === undefined ? worst : v);
    } else if (t.state === 'failed' || t.state === 'killed') {
      sampleX.push(toX(t));
      sampleY.push(worst);
    } else {
      currentX.push(toX(t));
    }
  }
  sampleY = sampleY.map((v) => (Number.isFinite(v) ? v : worst) * sign);
  const warnings: string[] = [];
  if (sampleX.length < 2) {
    return {
      params: toParams(params, space, randomPoint(d, rng)),
      info: { mode: 'random', warnings },
    };
  }
  const realMin = Math.min(...sampleY);
  if (sampleX.length > MAX_GP_SAMPLES) {
    const picks = Array.from({ length: MAX_GP_SAMPLES }, () => Math.floor(rng() * sampleX.length));
    sampleX = picks.map((i) => sampleX[i] as number[]);
    sampleY = picks.map((i) => sampleY[i] as number);
  }
  const current = currentX.slice(0, MAX_GP_SAMPLES - 5);
  let s = standardise(sampleY);
  let gp = fitGp(sampleX, s.norm);
  if (current.length > 0) {
    // Trials in flight are pretended to return what the first GP predicts for them (W&B's fantasies).
    const fantasies = current.map((x) => gp.predict(x).mean * s.std + s.mean);
    s = standardise([...sampleY, ...fantasies]);
    gp = fitGp([...sampleX, ...current], s.norm);
  }
  const candidates = Array.from({ length: CANDIDATES }, () => randomPoint(d, rng));
  const bestNorm = (realMin - s.mean) / s.std;
  let bestIndex = 0;
  let bestEi = -Infinity;
  const scored = candidates.map((x) => {
    const { mean, std } = gp.predict(x);
    return { mean, std, ...expectedImprovement(mean, std, bestNorm) };
  });
  scored.forEach((c, i) => {
    if (c.ei > bestEi) {
      bestEi = c.ei;
      bestIndex = i;
    }
  });
  if (gp.atBound) {
    warnings.push(
      'the kernel length scale is at a bound of its range (bad fit): this suggestion is a random candidate, as in W&B',
    );
    bestIndex = Math.floor(rng() * (CANDIDATES - 1));
  }
  const chosen = scored[bestIndex] as (typeof scored)[number];
  return {
    params: toParams(params, space, candidates[bestIndex] as number[]),
    info: {
      mode: 'gp',
      predictedValue: (chosen.mean * s.std + s.mean) * sign,
      predictedStd: chosen.std * s.std,
      expectedImprovement: chosen.ei,
      probabilityOfImprovement: chosen.pi,
      lengthScale: gp.lengthScale,
      warnings,
    },
  };
}
