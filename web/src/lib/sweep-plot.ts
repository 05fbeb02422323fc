// A sweep's parallel-coordinates plot and importance bars as plain geometry (SVG path data, colours, widths), so the view only builds elements.
import type { Box } from './curves.ts';
import type { SweepImportanceJson, SweepMetricJson, SweepParallelJson } from '../api/types.ts';

export interface ParallelAxisGeometry {
  readonly name: string;
  readonly x: number;
  readonly low: string;
  readonly high: string;
}

export interface ParallelLine {
  readonly trial: number;
  /** SVG path data through every axis, in the plot's pixel space. */
  readonly d: string;
  readonly colour: string;
  readonly best: boolean;
  /** The tooltip: the trial's value on each axis. */
  readonly title: string;
}

export interface ParallelGeometry {
  readonly axes: readonly ParallelAxisGeometry[];
  /** Worst first, the best last: the best lines are drawn on top. */
  readonly lines: readonly ParallelLine[];
  readonly top: number;
  readonly bottom: number;
}

/** Light (worse) to dark (better) blue: the metric's colour scale. */
const WORSE = [198, 219, 239] as const;
const BETTER = [8, 69, 148] as const;

/** The colour of a line with goodness `g` in [0, 1] (1 = the best trial's value). */
export function goodnessColour(g: number): string {
  const t = Math.min(1, Math.max(0, g));
  const c = WORSE.map((w, i) => Math.round(w + ((BETTER[i] as number) - w) * t));
  return `rgb(${c[0] ?? 0},${c[1] ?? 0},${c[2] ?? 0})`;
}

/**
 * One vertical axis per parameter and the metric last, evenly spaced; a position p in [0, 1] is
 * drawn at height p (0 at the bottom). Lines are coloured by the metric: the metric axis position
 * is 0 at the lowest value, so for `minimize` the best trial is the one at 0.
 */
export function parallelGeometry(
  data: SweepParallelJson,
  metric: SweepMetricJson | null,
  bestTrial: number | null,
  box: Box,
): ParallelGeometry {
  const n = data.axes.length;
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const x = (i: number): number => box.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (p: number): number => box.top + (1 - p) * plotH;
  const fmt = (v: number): string => v.toFixed(1);
  const axes = data.axes.map((a, i) => ({ name: a.name, x: x(i), low: a.low, high: a.high }));
  const goodness = (metricPos: number): number =>
    metric?.goal === 'maximize' ? metricPos : 1 - metricPos;
  const scored = data.trials
    .filter((t) => t.positions.length === n && n > 0)
    .map((t) => {
      const g = goodness(t.positions[n - 1] ?? 0);
      const line: ParallelLine = {
        trial: t.trial,
        d: t.positions.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(i))},${fmt(y(p))}`).join(''),
        colour: goodnessColour(g),
        best: t.trial === bestTrial,
        title: `trial ${t.trial}: ${data.axes.map((a, i) => `${a.name} ${t.labels[i] ?? ''}`).join(', ')}`,
      };
      return { line, g };
    });
  // Better lines over worse ones, the best trial's on top of all.
  scored.sort((a, b) => (a.line.best === b.line.best ? a.g - b.g : a.line.best ? 1 : -1));
  const lines = scored.map((s) => s.line);
  return { axes, lines, top: box.top, bottom: box.top + plotH };
}

export interface ImportanceBar {
  readonly name: string;
  readonly importance: number;
  readonly correlation: number | null;
  /** Bar lengths in percent of the widest bar (importance) and of |r| = 1 (correlation). */
  readonly importanceWidth: number;
  readonly correlationWidth: number;
}

/** Most important first; widths for the bars. */
export function importanceBars(rows: readonly SweepImportanceJson[]): ImportanceBar[] {
  const max = Math.max(0, ...rows.map((r) => r.importance));
  return [...rows]
    .sort((a, b) => b.importance - a.importance || a.name.localeCompare(b.name))
    .map((r) => ({
      name: r.name,
      importance: r.importance,
      correlation: r.correlation,
      importanceWidth: max > 0 ? (r.importance / max) * 100 : 0,
      correlationWidth: r.correlation === null ? 0 : Math.min(1, Math.abs(r.correlation)) * 100,
    }));
}
