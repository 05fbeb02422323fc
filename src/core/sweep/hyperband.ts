// W&B's hyperband early termination: bands of iterations, a threshold per band, running trials below it stopped.
import { ArginatorError } from '../errors.ts';
import type { HyperbandSpec, MetricSpec, Trial } from './types.ts';

/**
 * The bands (0-based history indices) W&B checks: min_iter·eta^k for min_iter, or
 * ⌊max_iter/eta^k⌋ for k = 1..s for max_iter (ascending, values below 1 dropped).
 */
export function hyperbandBands(spec: HyperbandSpec, limit = 100): number[] {
  const bands: number[] = [];
  if (spec.maxIter !== undefined) {
    let band = spec.maxIter;
    for (let i = 0; i < (spec.s ?? 0); i++) {
      band /= spec.eta;
      if (band < 1) {
        break;
      }
      bands.push(Math.floor(band));
    }
    bands.sort((a, b) => a - b);
  } else if (spec.minIter !== undefined) {
    let band = spec.minIter;
    for (let i = 0; i < limit; i++) {
      bands.push(Math.floor(band));
      band *= spec.eta;
    }
  }
  if (bands.length === 0) {
    throw new ArginatorError(
      'CONFIG',
      'sweep.hyperband-no-bands',
      'early_terminate (hyperband) gives no bands',
      'set min_iter (with eta), or max_iter with s >= 1 and max_iter >= eta',
    );
  }
  return bands;
}

export interface HyperbandDecision {
  readonly bands: readonly number[];
  readonly thresholds: readonly number[];
  /** Indices of the running trials to stop. */
  readonly stop: readonly number[];
  /** One line per running trial, as W&B's early_terminate_info. */
  readonly lines: readonly string[];
}

/**
 * Which running trials to stop now. For each band b, the threshold is the value at history[b]
 * of every trial (running or ended) that got past b, sorted, taken at rank ⌊n/eta⌋ (the top 1/eta
 * pass). A running trial past a band is stopped when its best value so far (strict: its value at
 * the band) is worse than the threshold of the last band it passed. Values are negated for
 * `maximize`, as in W&B.
 */
export function hyperbandStops(
  spec: HyperbandSpec,
  metric: MetricSpec,
  trials: readonly Trial[],
): HyperbandDecision {
  const bands = hyperbandBands(spec);
  const r = 1 / spec.eta;
  const sign = metric.goal === 'maximize' ? -1 : 1;
  const histories = trials.map((t) => t.history.filter(Number.isFinite).map((v) => v * sign));
  const thresholds = bands.map((band) => {
    const values = histories.filter((h) => h.length > band).map((h) => h[band] as number);
    if (values.length === 0) {
      return Infinity;
    }
    values.sort((a, b) => a - b);
    return values[Math.floor(r * values.length)] as number;
  });
  const stop: number[] = [];
  const lines: string[] = [];
  trials.forEach((t, i) => {
    if (t.state !== 'running') {
      return;
    }
    const h = histories[i] as number[];
    let closest = -1;
    let threshold = 0;
    bands.forEach((band, k) => {
      if (band < h.length && (closest === -1 || band > closest)) {
        closest = band;
        threshold = thresholds[k] as number;
      }
    });
    if (closest === -1) {
      lines.push(`trial ${t.index}: step ${h.length}, no band reached`);
      return;
    }
    const value = spec.strict ? (h[closest] as number) : Math.min(...h);
    const stopIt = value > threshold;
    if (stopIt) {
      stop.push(t.index);
    }
    lines.push(
      `trial ${t.index}: step ${h.length}, ${spec.strict ? 'value at band' : 'best'} ${value * sign} vs threshold ${threshold * sign} at band ${closest}${stopIt ? ': STOP' : ''}`,
    );
  });
  return { bands, thresholds: thresholds.map((v) => v * sign), stop, lines };
}
