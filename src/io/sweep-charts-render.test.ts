// The sweep report's chart specs compile and render with vega-lite (a layered spec that compiles is not enough to draw).
import { describe, expect, it } from 'vitest';

import {
  sweepImportanceSpec,
  sweepParallelSpec,
  sweepProgressSpec,
} from '../core/plot/sweep-charts.ts';
import { compileChart, renderSvg } from './render-chart.ts';

describe('sweep charts', () => {
  it('parallel coordinates, importance and progress render to SVG without warnings', async () => {
    const specs = [
      sweepParallelSpec({
        axes: [
          { name: 'experiment.lr', low: '1e-5', high: '0.01' },
          { name: 'experiment.batch_size', low: '16', high: '64' },
          { name: 'val_loss', low: '0.1', high: '0.9' },
        ],
        trials: [
          { trial: 0, positions: [0.2, 0, 1], labels: ['2e-5', '16', '0.9'], metric: 0.9 },
          { trial: 1, positions: [0.7, 0.5, 0], labels: ['0.003', '32', '0.1'], metric: 0.1 },
        ],
        metricName: 'val_loss',
        goal: 'minimize',
      }),
      sweepImportanceSpec(
        [
          { name: 'experiment.lr', importance: 0.8, correlation: -0.7 },
          { name: 'experiment.batch_size', importance: 0.2, correlation: Number.NaN },
        ],
        'val_loss',
      ),
      sweepProgressSpec({
        points: [
          { trial: 0, value: 0.9, state: 'finished' },
          { trial: 1, value: 0.1, state: 'stopped' },
        ],
        metricName: 'val_loss',
        goal: 'minimize',
      }),
    ];
    for (const spec of specs) {
      expect(compileChart(spec).warnings).toEqual([]);
      const svg = await renderSvg(spec);
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('val_loss');
    }
  });
});
