import { describe, expect, it } from 'vitest';

import type { SweepParallelJson } from '../api/types.ts';
import { goodnessColour, importanceBars, parallelGeometry } from './sweep-plot.ts';

const BOX = { width: 320, height: 120, left: 10, right: 10, top: 10, bottom: 10 };

const data: SweepParallelJson = {
  axes: [
    { name: 'experiment.lr', low: '0.0001', high: '0.1' },
    { name: 'experiment.batch_size', low: '32', high: '128' },
    { name: 'val_loss', low: '0.2', high: '0.9' },
  ],
  trials: [
    { trial: 0, positions: [0, 0.5, 1], labels: ['0.0001', '64', '0.9'], value: 0.9 },
    { trial: 1, positions: [1, 1, 0], labels: ['0.1', '128', '0.2'], value: 0.2 },
    { trial: 2, positions: [0.5, 0, 0.5], labels: ['0.003', '32', '0.55'], value: 0.55 },
  ],
};

describe('parallelGeometry', () => {
  it('spaces the axes evenly and maps positions to heights (0 at the bottom)', () => {
    const g = parallelGeometry(data, { name: 'val_loss', goal: 'minimize', target: null }, 1, BOX);
    expect(g.axes.map((a) => a.x)).toEqual([10, 160, 310]);
    const best = g.lines.find((l) => l.trial === 1);
    expect(best?.d).toBe('M10.0,10.0L160.0,10.0L310.0,110.0');
    expect(best?.best).toBe(true);
    expect(best?.title).toBe('trial 1: experiment.lr 0.1, experiment.batch_size 128, val_loss 0.2');
    // Drawn worst first, the best (lowest val_loss) last, on top.
    expect(g.lines.map((l) => l.trial)).toEqual([0, 2, 1]);
    expect(best?.colour).toBe(goodnessColour(1));
    expect(g.lines[0]?.colour).toBe(goodnessColour(0));
  });

  it('reads the metric axis the other way round for maximize', () => {
    const g = parallelGeometry(data, { name: 'val_f1', goal: 'maximize', target: null }, 0, BOX);
    expect(g.lines.map((l) => l.trial)).toEqual([1, 2, 0]);
    expect(g.lines.find((l) => l.trial === 0)?.colour).toBe(goodnessColour(1));
  });

  it('draws no line with a position missing, and nothing without axes', () => {
    const first = data.trials[0] as SweepParallelJson['trials'][number];
    const broken = { ...data, trials: [{ ...first, positions: [0, 1] }] };
    expect(parallelGeometry(broken, null, null, BOX).lines).toEqual([]);
    expect(parallelGeometry({ axes: [], trials: [] }, null, null, BOX).lines).toEqual([]);
  });
});

describe('importanceBars', () => {
  it('sorts by importance and scales the bars to the widest and to |r| = 1', () => {
    const bars = importanceBars([
      { name: 'b', importance: 0.2, correlation: -0.5 },
      { name: 'a', importance: 0.8, correlation: 0.9 },
      { name: 'c', importance: 0, correlation: null },
    ]);
    expect(bars.map((b) => [b.name, b.importanceWidth, b.correlationWidth])).toEqual([
      ['a', 100, 90],
      ['b', 25, 50],
      ['c', 0, 0],
    ]);
  });
});
