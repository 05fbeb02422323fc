// Chart specs of a sweep report: parallel coordinates of the trials, parameter importance, metric by trial.
import {
  PANEL,
  SERIES_COLOURS,
  fixed,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface ParallelAxis {
  readonly name: string;
  /** Tick labels at the bottom and top of the axis. */
  readonly low: string;
  readonly high: string;
}

export interface ParallelTrial {
  readonly trial: number;
  /** Position in [0,1] on each axis (same order as the axes; the metric is the last axis). */
  readonly positions: readonly number[];
  /** The value shown in the tooltip per axis. */
  readonly labels: readonly string[];
  readonly metric: number;
}

/**
 * Parallel coordinates: one line per trial across the parameter axes and the metric axis, each
 * axis scaled to [0,1] (categorical values spread evenly), coloured by the metric.
 */
export function sweepParallelSpec(input: {
  axes: readonly ParallelAxis[];
  trials: readonly ParallelTrial[];
  metricName: string;
  goal: 'minimize' | 'maximize';
  title?: string | undefined;
}): VegaLiteSpec {
  const axisOrder = input.axes.map((a) => a.name);
  const values: JsonObject[] = [];
  for (const t of input.trials) {
    input.axes.forEach((a, i) => {
      values.push({
        trial: t.trial,
        axis: a.name,
        position: t.positions[i] as number,
        value: t.labels[i] ?? '',
        metric: t.metric,
      });
    });
  }
  const ticks: JsonObject[] = input.axes.flatMap((a) => [
    { axis: a.name, position: 0, text: a.low },
    { axis: a.name, position: 1, text: a.high },
  ]);
  const x: JsonObject = {
    field: 'axis',
    type: 'nominal',
    sort: axisOrder,
    axis: { title: null, labelAngle: 0, labelLimit: 190, orient: 'top', domain: false },
  };
  const y: JsonObject = {
    field: 'position',
    type: 'quantitative',
    scale: { domain: [0, 1] },
    axis: null,
  };
  return topLevel(
    {
      text: input.title ?? 'Trials across parameters',
      subtitle: `one line per trial; colour: ${input.metricName} (${input.goal === 'minimize' ? 'lower' : 'higher'} is better)`,
    },
    'Parallel coordinates of the sweep trials',
    {
      width: Math.max(PANEL.width, 150 * input.axes.length),
      height: PANEL.height,
      layer: [
        {
          data: { values: input.axes.map((a) => ({ axis: a.name, position: 0, top: 1 })) },
          mark: { type: 'rule', color: '#BBBBBB' },
          encoding: { x, y, y2: { field: 'top' } },
        },
        {
          data: { values },
          mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8 },
          encoding: {
            x,
            y,
            detail: { field: 'trial', type: 'nominal' },
            color: {
              field: 'metric',
              type: 'quantitative',
              title: input.metricName,
              scale: { scheme: 'viridis', reverse: input.goal === 'minimize' },
            },
            tooltip: [
              { field: 'trial', type: 'nominal' },
              { field: 'axis', type: 'nominal' },
              { field: 'value', type: 'nominal' },
            ],
          },
        },
        {
          data: { values: ticks },
          mark: { type: 'text', dx: 4, align: 'left', fontSize: 10, color: '#444444' },
          encoding: { x, y, text: { field: 'text', type: 'nominal' } },
        },
      ],
    },
  );
}

export interface ImportanceBar {
  readonly name: string;
  readonly importance: number;
  readonly correlation: number;
}

/** Horizontal bars: permutation importance; the correlation's sign and size as a second panel. */
export function sweepImportanceSpec(
  rows: readonly ImportanceBar[],
  metricName: string,
): VegaLiteSpec {
  const values = rows.map((r) => ({
    name: r.name,
    importance: r.importance,
    correlation: Number.isFinite(r.correlation) ? r.correlation : 0,
    label: `${fixed(r.importance, 2)} / r=${Number.isFinite(r.correlation) ? fixed(r.correlation, 2) : 'n/a'}`,
  }));
  const y: JsonObject = {
    field: 'name',
    type: 'nominal',
    sort: { field: 'importance', order: 'descending' },
    title: null,
  };
  return topLevel(
    {
      text: `Parameter importance for ${metricName}`,
      subtitle: 'random-forest permutation importance (share) and Pearson correlation',
    },
    'Parameter importance of the sweep',
    {
      data: { values },
      hconcat: [
        {
          width: PANEL.width / 2,
          mark: { type: 'bar', color: SERIES_COLOURS.primary },
          encoding: {
            y,
            x: {
              field: 'importance',
              type: 'quantitative',
              title: 'importance',
              scale: { domain: [0, 1] },
            },
          },
        },
        {
          width: PANEL.width / 2,
          mark: { type: 'bar' },
          encoding: {
            y: { ...y, axis: null },
            x: {
              field: 'correlation',
              type: 'quantitative',
              title: 'correlation',
              scale: { domain: [-1, 1] },
            },
            color: {
              condition: { test: 'datum.correlation < 0', value: SERIES_COLOURS.secondary },
              value: SERIES_COLOURS.tertiary,
            },
          },
        },
      ],
    },
  );
}

/** The metric of each trial in order, with the best so far as a step line. */
export function sweepProgressSpec(input: {
  points: readonly { trial: number; value: number; state: string }[];
  metricName: string;
  goal: 'minimize' | 'maximize';
}): VegaLiteSpec {
  let best: number | undefined;
  const bestRows: JsonObject[] = [];
  for (const p of [...input.points].sort((a, b) => a.trial - b.trial)) {
    best =
      best === undefined
        ? p.value
        : input.goal === 'minimize'
          ? Math.min(best, p.value)
          : Math.max(best, p.value);
    bestRows.push({ trial: p.trial, best });
  }
  const x: JsonObject = {
    field: 'trial',
    type: 'quantitative',
    title: 'Trial',
    axis: { tickMinStep: 1 },
  };
  return topLevel(
    {
      text: `${input.metricName} by trial`,
      subtitle: 'points: trials (colour: state); line: best so far',
    },
    'Metric of each sweep trial and the best so far',
    {
      width: PANEL.width,
      height: PANEL.height,
      layer: [
        {
          data: { values: bestRows },
          mark: { type: 'line', interpolate: 'step-after', color: SERIES_COLOURS.neutral },
          encoding: {
            x,
            y: {
              field: 'best',
              type: 'quantitative',
              title: input.metricName,
              scale: { zero: false },
            },
          },
        },
        {
          data: { values: input.points.map((p) => ({ ...p })) },
          mark: { type: 'point', filled: true, size: 50 },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', scale: { zero: false } },
            color: {
              field: 'state',
              type: 'nominal',
              title: 'state',
              scale: {
                domain: ['finished', 'stopped', 'failed'],
                range: [SERIES_COLOURS.primary, SERIES_COLOURS.secondary, SERIES_COLOURS.neutral],
              },
            },
          },
        },
      ],
    },
  );
}
