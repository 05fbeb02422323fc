// A sweep's report: the trials table, best trial, parameter importance and chart specs, as Markdown and HTML.
import type { VegaLiteSpec } from '../../core/plot/chart-style.ts';
import {
  sweepImportanceSpec,
  sweepParallelSpec,
  sweepProgressSpec,
  type ParallelAxis,
  type ParallelTrial,
} from '../../core/plot/sweep-charts.ts';
import { createRng } from '../../core/rng.ts';
import { trialBest } from '../../core/sweep/bayes.ts';
import { paramCdf, searchable, valueRange } from '../../core/sweep/distributions.ts';
import type { ImportanceRow } from '../../core/sweep/importance.ts';
import { parameterImportance } from '../../core/sweep/importance.ts';
import type { ParamSpec, ParamValue, SweepSpec } from '../../core/sweep/types.ts';
import type { SweepState, TrialRecord } from './run-sweep.ts';
import { sweepBest } from './run-sweep.ts';

export const SWEEP_CHARTS = ['parallel-coordinates', 'importance', 'progress'] as const;
export type SweepChartName = (typeof SWEEP_CHARTS)[number];

export interface SweepReportData {
  readonly charts: ReadonlyMap<SweepChartName, VegaLiteSpec>;
  readonly importance: readonly ImportanceRow[];
  /** Ended trials with a metric value. */
  readonly scored: readonly { trial: TrialRecord; value: number }[];
  /** The parallel-coordinates plot's axes and lines (also served by GET /v1/sweeps/{id}). */
  readonly parallel: {
    readonly axes: readonly ParallelAxis[];
    readonly trials: readonly ParallelTrial[];
  };
}

function show(value: ParamValue | undefined): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  }
  return JSON.stringify(value ?? null);
}

function scoredTrials(spec: SweepSpec, state: SweepState): { trial: TrialRecord; value: number }[] {
  const metric = spec.metric;
  if (metric === undefined) {
    return [];
  }
  return state.trials.flatMap((t) => {
    if (t.state !== 'finished' && t.state !== 'stopped') {
      return [];
    }
    const v = trialBest(t, metric.goal);
    return v === undefined ? [] : [{ trial: t, value: v }];
  });
}

/** Axis labels: the bounds of a numeric range, the first and last value of a categorical one. */
function axisOf(p: ParamSpec): ParallelAxis {
  if (p.distribution === 'categorical') {
    return { name: p.name, low: show(p.values[0]), high: show(p.values.at(-1)) };
  }
  const range = valueRange(p);
  return { name: p.name, low: show(range?.[0]), high: show(range?.[1]) };
}

/**
 * Positions on a parallel axis: the CDF of the parameter (the space the GP searches); categorical
 * values spread evenly by index.
 */
function position(p: ParamSpec, value: ParamValue | undefined): number {
  if (p.distribution === 'categorical') {
    const n = p.values.length;
    const i = p.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(value));
    return n <= 1 ? 0.5 : i / (n - 1);
  }
  return paramCdf(p, value ?? null);
}

export function sweepReportData(spec: SweepSpec, state: SweepState): SweepReportData {
  const space = searchable(spec.parameters);
  const scored = scoredTrials(spec, state);
  const metricName = spec.metric?.name ?? 'metric';
  const goal = spec.metric?.goal ?? 'minimize';
  const charts = new Map<SweepChartName, VegaLiteSpec>();
  const values = scored.map((s) => s.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const axes: ParallelAxis[] = [
    ...space.map(axisOf),
    // No ended trial yet: the metric axis has no range to label.
    values.length === 0
      ? { name: metricName, low: '', high: '' }
      : { name: metricName, low: show(lo), high: show(hi) },
  ];
  const trials: ParallelTrial[] = scored.map(({ trial, value }) => ({
    trial: trial.index,
    positions: [
      ...space.map((p) => position(p, trial.params[p.name])),
      hi > lo ? (value - lo) / (hi - lo) : 0.5,
    ],
    labels: [...space.map((p) => show(trial.params[p.name])), show(value)],
    metric: value,
  }));
  const importance =
    scored.length >= 4
      ? parameterImportance(
          space.map((p) => p.name),
          scored.map(({ trial }) => space.map((p) => paramCdf(p, trial.params[p.name] ?? null))),
          values,
          createRng(state.seed),
        )
      : [];
  if (scored.length > 0) {
    charts.set('parallel-coordinates', sweepParallelSpec({ axes, trials, metricName, goal }));
    charts.set(
      'progress',
      sweepProgressSpec({
        points: scored.map(({ trial, value }) => ({
          trial: trial.index,
          value,
          state: trial.state,
        })),
        metricName,
        goal,
      }),
    );
  }
  if (importance.length > 0) {
    charts.set('importance', sweepImportanceSpec(importance, metricName));
  }
  return { charts, importance, scored, parallel: { axes, trials } };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const IMPORTANCE_NOTE =
  'Importance: permutation importance of a 100-tree random forest fitted on the ended trials (parameters as their CDF positions, the space the GP searches), averaged over the out-of-bag rows and shown as shares; correlation: Pearson r of the same positions with the metric. The GP has one length scale for all parameters (as W&B), so it cannot rank them.';

/** The report as Markdown (charts referenced as plots/<name>.svg). */
export function sweepMarkdown(spec: SweepSpec, state: SweepState, data: SweepReportData): string {
  const metric = spec.metric;
  const best = sweepBest(spec, state);
  const names = spec.parameters.map((p) => p.name);
  const lines: string[] = [
    `# Sweep ${state.id}${spec.name === undefined ? '' : ` (${spec.name})`}`,
    '',
    `- method: ${spec.method}; metric: ${metric === undefined ? 'none' : `${metric.name} (${metric.goal})`}; seed ${state.seed}; parallel ${state.parallel}`,
    `- trials: ${state.trials.length} of run_cap ${state.runCap}; status: ${state.status}${state.endReason === undefined ? '' : ` (${state.endReason})`}`,
    `- sweep file: ${state.source}`,
    ...state.notes.map((n) => `- note: ${n}`),
    ...state.warnings.map((w) => `- warning: ${w}`),
    '',
  ];
  if (best !== undefined) {
    lines.push(
      '## Best trial',
      '',
      `Trial ${best.trial.index} (run ${best.trial.runId ?? '?'}): ${metric?.name ?? ''} = ${show(best.value)}`,
      '',
      '```',
      ...best.trial.overrides,
      '```',
      '',
    );
  }
  for (const [name] of data.charts) {
    lines.push(`![${name}](plots/${name}.svg)`, '');
  }
  if (data.importance.length > 0) {
    lines.push(
      '## Parameter importance',
      '',
      table(
        ['parameter', 'importance', 'correlation'],
        [...data.importance]
          .sort((a, b) => b.importance - a.importance)
          .map((r) => [
            r.name,
            r.importance.toFixed(3),
            Number.isFinite(r.correlation) ? r.correlation.toFixed(3) : 'n/a',
          ]),
      ),
      '',
      IMPORTANCE_NOTE,
      '',
    );
  }
  lines.push(
    '## Trials',
    '',
    table(
      ['trial', 'state', metric?.name ?? 'metric', 'epochs', ...names, 'run'],
      state.trials.map((t) => {
        const v = metric === undefined ? undefined : trialBest(t, metric.goal);
        return [
          String(t.index),
          t.state,
          v === undefined ? '' : show(v),
          String(t.history.length),
          ...names.map((n) => show(t.params[n])),
          t.runId ?? '',
        ];
      }),
    ),
    '',
  );
  const stopped = state.trials.filter((t) => t.stopReason !== undefined);
  if (stopped.length > 0) {
    lines.push(
      '## Early terminated (hyperband)',
      '',
      ...stopped.map((t) => `- ${t.stopReason ?? ''}`),
      '',
    );
  }
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The report as one self-contained HTML page: the Markdown's content with the SVGs inline. */
export function sweepHtml(
  spec: SweepSpec,
  state: SweepState,
  data: SweepReportData,
  svgs: ReadonlyMap<SweepChartName, string>,
): string {
  const md = sweepMarkdown(spec, state, data);
  const body: string[] = [];
  let inTable = false;
  let inCode = false;
  const closeTable = (): void => {
    if (inTable) {
      body.push('</tbody></table>');
      inTable = false;
    }
  };
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) {
      closeTable();
      body.push(inCode ? '</pre>' : '<pre>');
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      body.push(escapeHtml(line));
      continue;
    }
    const image = /^!\[(.+)\]\(plots\/(.+)\.svg\)$/.exec(line);
    if (line.startsWith('|')) {
      if (/^\|(---\|)+$/.test(line)) {
        continue;
      }
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((c) => escapeHtml(c.trim()));
      if (!inTable) {
        body.push(
          '<table><thead><tr>',
          ...cells.map((c) => `<th>${c}</th>`),
          '</tr></thead><tbody>',
        );
        inTable = true;
      } else {
        body.push('<tr>', ...cells.map((c) => `<td>${c}</td>`), '</tr>');
      }
      continue;
    }
    closeTable();
    if (line.startsWith('# ')) {
      body.push(`<h1>${escapeHtml(line.slice(2))}</h1>`);
    } else if (line.startsWith('## ')) {
      body.push(`<h2>${escapeHtml(line.slice(3))}</h2>`);
    } else if (line.startsWith('- ')) {
      body.push(`<p class="item">${escapeHtml(line.slice(2))}</p>`);
    } else if (image !== null) {
      const svg = svgs.get(image[2] as SweepChartName);
      body.push(svg === undefined ? '' : `<figure>${svg}</figure>`);
    } else if (line.trim() !== '') {
      body.push(`<p>${escapeHtml(line)}</p>`);
    }
  }
  closeTable();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep ${escapeHtml(state.id)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}pre{background:#f6f6f6;padding:8px}.item{margin:2px 0}figure{margin:1em 0}</style>
</head><body>
${body.join('\n')}
</body></html>
`;
}
