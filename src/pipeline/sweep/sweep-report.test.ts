// The sweep report: best trial, importance ranking, trials table, charts present, HTML tables and inline SVGs.
import { describe, expect, it } from 'vitest';

import type { SweepState, TrialRecord } from './run-sweep.ts';
import { sweepHtml, sweepMarkdown, sweepReportData } from './sweep-report.ts';
import { parseSweepYaml } from './sweep-spec.ts';

const { spec } = parseSweepYaml(
  `method: random
metric: {name: val_loss, goal: minimize}
parameters:
  experiment.lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  experiment.batch_size: {values: [16, 32, 64]}
`,
  's.yaml',
);

function trial(
  index: number,
  lr: number,
  batch: number,
  state: TrialRecord['state'] = 'finished',
): TrialRecord {
  // val_loss depends on lr only (its log distance to 0.01).
  const loss = Math.abs(Math.log10(lr) + 2) + 0.1;
  return {
    index,
    params: { 'experiment.lr': lr, 'experiment.batch_size': batch },
    overrides: [`experiment.lr=${lr}`, `experiment.batch_size=${batch}`],
    state,
    history: state === 'failed' ? [] : [loss + 0.5, loss],
    attempts: 1,
    runId: `run-${index}`,
  };
}

const lrs = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.0002, 0.005, 0.05, 0.0007, 0.02];
const state: SweepState = {
  version: 1,
  id: 'sw-1',
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  status: 'finished',
  specText: '',
  source: 's.yaml',
  seed: 0,
  runCap: 13,
  parallel: 2,
  baseOverrides: [],
  notes: ['ignored program'],
  warnings: [],
  endReason: 'run_cap 13',
  trials: [
    ...lrs.map((lr, i) => trial(i, lr, [16, 32, 64][i % 3] as number)),
    trial(12, 0.01, 16, 'failed'),
  ],
};

describe('sweep report', () => {
  const data = sweepReportData(spec, state);

  it('ranks the parameter that drives the metric first', () => {
    expect(data.scored).toHaveLength(12);
    const [top] = [...data.importance].sort((a, b) => b.importance - a.importance);
    expect(top?.name).toBe('experiment.lr');
    expect([...data.charts.keys()].sort()).toEqual([
      'importance',
      'parallel-coordinates',
      'progress',
    ]);
  });

  it('Markdown: best trial with its overrides, importance and every trial', () => {
    const md = sweepMarkdown(spec, state, data);
    expect(md).toMatch(/Trial 4 \(run run-4\): val_loss = 0\.1000/);
    expect(md).toContain('experiment.lr=0.01');
    expect(md).toMatch(/## Parameter importance/);
    expect(md).toMatch(/\| 12 \| failed \|/);
    expect(md).toContain('![parallel-coordinates](plots/parallel-coordinates.svg)');
  });

  it('HTML: tables, escaped text and the SVGs inline', () => {
    const html = sweepHtml(spec, state, data, new Map([['progress', '<svg id="p"></svg>']]));
    expect(html).toContain('<svg id="p"></svg>');
    expect(html).toMatch(/<table><thead><tr>/);
    expect(html).not.toContain('![');
    expect(html).not.toContain('|---');
  });
});
