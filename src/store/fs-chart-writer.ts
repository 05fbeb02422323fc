// Writes a run's charts as plots/<name>.svg and plots/<name>.png.
import { join } from 'node:path';

import { writeChart } from '../io/render-chart.ts';
import type { ChartWriter } from '../pipeline/train.ts';

export const writeRunCharts: ChartWriter = async (run, charts) => {
  for (const [name, spec] of charts) {
    await writeChart(join(run.dir, 'plots', name), spec);
  }
};
