import { describe, expect, it } from 'vitest';

import { ShapeError } from './guards.ts';
import { parseSweep, parseSweeps } from './sweep-guards.ts';

const summary = {
  id: '20261201T201610Z-a8e70b',
  name: 'mlp search',
  method: 'bayes',
  metric: { name: 'val_loss', goal: 'minimize', target: null },
  status: 'running',
  error: null,
  created_at: '2026-12-01T20:16:10.000Z',
  updated_at: '2026-12-01T20:20:00.000Z',
  run_cap: 20,
  parallel: 2,
  seed: 0,
  source: 'sweep.yaml',
  trials_total: 2,
  trial_states: { finished: 1, running: 1 },
  best: {
    trial: 0,
    value: 0.31,
    run_id: 'r0',
    params: { 'experiment.lr': 0.001 },
    overrides: ['experiment.lr=0.001'],
  },
  end_reason: null,
  run: { id: '20261201T201610Z-a8e70b', status: 'running' },
};

describe('parseSweeps / parseSweep', () => {
  it('reads the list, filling every trial state', () => {
    const [s] = parseSweeps({ sweeps: [summary] });
    expect(s?.trial_states).toEqual({
      pending: 0,
      running: 1,
      finished: 1,
      failed: 0,
      stopped: 0,
      killed: 0,
    });
    expect(s?.best?.value).toBe(0.31);
    expect(s?.run).toEqual({ id: summary.id, status: 'running' });
  });

  it('refuses an unknown sweep status or trial state instead of showing it wrongly', () => {
    expect(() => parseSweeps({ sweeps: [{ ...summary, status: 'paused' }] })).toThrow(ShapeError);
    expect(() =>
      parseSweep({ ...summary, trials: [{ index: 0, state: 'zombie', params: {} }] }),
    ).toThrow(/zombie/);
  });

  it('keeps null epochs in a history and drops parallel lines without every position', () => {
    const sweep = parseSweep({
      ...summary,
      trials: [{ index: 0, state: 'running', params: {}, history: [0.5, null], value: 0.5 }],
      importance: [{ name: 'experiment.lr', importance: 1, correlation: null }],
      parallel_coordinates: {
        axes: [
          { name: 'experiment.lr', low: '1e-4', high: '0.1' },
          { name: 'val_loss', low: '0.3', high: '0.3' },
        ],
        trials: [
          { trial: 0, positions: [0.2, 0.5], labels: ['0.001', '0.31'], value: 0.31 },
          { trial: 1, positions: [0.2], labels: [], value: 0.4 },
        ],
      },
    });
    expect(sweep.trials[0]?.history).toEqual([0.5, null]);
    expect(sweep.parallel_coordinates.trials.map((t) => t.trial)).toEqual([0]);
    expect(sweep.importance).toEqual([{ name: 'experiment.lr', importance: 1, correlation: null }]);
    expect(sweep.links.report_html).toBe(`/v1/sweeps/${summary.id}/report.html`);
  });
});
