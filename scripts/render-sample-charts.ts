// Renders every chart spec with realistic sample data to docs/images/samples/*.png for review.
// Run: npx tsx scripts/render-sample-charts.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { confusionMatrixSpec } from '../src/core/plot/confusion-matrix.ts';
import type { VegaLiteSpec } from '../src/core/plot/chart-style.ts';
import { histogramSpec } from '../src/core/plot/histogram.ts';
import { lossCurvesSpec } from '../src/core/plot/loss-curves.ts';
import { reliabilitySpec } from '../src/core/plot/reliability.ts';
import { prSpec, rocSpec } from '../src/core/plot/roc-pr.ts';
import { scatterSpec } from '../src/core/plot/scatter.ts';
import {
  sampleBinaryConfusionMatrix,
  sampleBinaryRoc,
  sampleConfusionMatrix,
  sampleHistogram,
  sampleLossCurves,
  samplePr,
  sampleReliability,
  sampleRoc,
  sampleScatter,
} from '../src/core/plot/test-support/sample-chart-data.ts';
import { renderPng } from '../src/io/render-chart.ts';

const OUT_DIR = join(import.meta.dirname, '..', 'docs', 'images', 'samples');

const reliability = sampleReliability();
const charts: Record<string, VegaLiteSpec> = {
  'loss-curves': lossCurvesSpec(sampleLossCurves()),
  'loss-curves-loss-only': lossCurvesSpec({
    epochs: sampleLossCurves().epochs.map(({ epoch, trainLoss, valLoss }) => ({
      epoch,
      trainLoss,
      valLoss,
    })),
  }),
  'confusion-matrix': confusionMatrixSpec(sampleConfusionMatrix()),
  'confusion-matrix-binary': confusionMatrixSpec(sampleBinaryConfusionMatrix()),
  roc: rocSpec(sampleRoc()),
  'roc-binary': rocSpec(sampleBinaryRoc()),
  pr: prSpec(samplePr()),
  reliability: reliabilitySpec(reliability),
  'reliability-single': reliabilitySpec({ bins: reliability.bins, ece: reliability.ece }),
  scatter: scatterSpec(sampleScatter()),
  histogram: histogramSpec(sampleHistogram()),
};

await mkdir(OUT_DIR, { recursive: true });
for (const [name, spec] of Object.entries(charts)) {
  const started = performance.now();
  const png = await renderPng(spec, { scale: 2 });
  const path = join(OUT_DIR, `${name}.png`);
  await writeFile(path, png);
  const ms = Math.round(performance.now() - started);
  process.stderr.write(`${path} (${Math.round(png.length / 1024)} KiB, ${ms} ms)\n`);
}
