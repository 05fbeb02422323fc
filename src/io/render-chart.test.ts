// Renders every chart spec to SVG and PNG with the real vega and resvg, and writes files atomically.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import { confusionMatrixSpec } from '../core/plot/confusion-matrix.ts';
import { histogramSpec } from '../core/plot/histogram.ts';
import { lossCurvesSpec } from '../core/plot/loss-curves.ts';
import { reliabilitySpec } from '../core/plot/reliability.ts';
import { prSpec, rocSpec } from '../core/plot/roc-pr.ts';
import { scatterSpec } from '../core/plot/scatter.ts';
import {
  sampleBinaryConfusionMatrix,
  sampleConfusionMatrix,
  sampleHistogram,
  sampleLossCurves,
  samplePr,
  sampleReliability,
  sampleRoc,
  sampleScatter,
} from '../core/plot/test-support/sample-chart-data.ts';
import { compileChart, renderPng, renderSvg, writeChart } from './render-chart.ts';
import { useTempDir } from './test-support/temp-dir.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the PNG IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const roc = sampleRoc();
const pr = samplePr();
const reliability = sampleReliability();

const cases: [string, VegaLiteSpec, string[]][] = [
  [
    'loss curves',
    lossCurvesSpec(sampleLossCurves()),
    [
      'Training curves',
      'Train loss',
      'Validation loss',
      'Validation macro-F1',
      'best epoch',
      'Epoch',
    ],
  ],
  [
    'confusion matrix',
    confusionMatrixSpec(sampleConfusionMatrix()),
    ['Confusion matrix', 'True class', 'Predicted class', 'NBL', '1630', '97.7%'],
  ],
  [
    'binary confusion matrix',
    confusionMatrixSpec(sampleBinaryConfusionMatrix()),
    ['Betalactamase', 'Non-Betalactamase'],
  ],
  [
    'ROC',
    rocSpec(roc),
    [
      'ROC curves',
      'False positive rate',
      'True positive rate',
      ...roc.curves.map((c) => `${c.label} (AUC ${c.auc.toFixed(3)})`),
    ],
  ],
  [
    'PR',
    prSpec(pr),
    ['Precision–recall curves', 'Recall', ...pr.curves.map((c) => `(AP ${c.ap.toFixed(3)})`)],
  ],
  [
    'reliability',
    reliabilitySpec(reliability),
    [
      `ECE ${reliability.ece.toFixed(3)} → ${(reliability.eceAfter ?? 0).toFixed(3)}`,
      'Mean predicted confidence',
      'Observed accuracy',
      'Count',
    ],
  ],
  ['scatter', scatterSpec(sampleScatter()), ['Embedding map', 'UMAP 1', 'query_1', 'Class', 'NBL']],
  [
    'histogram',
    histogramSpec(sampleHistogram()),
    ['Sequence length', 'Reference (n = 2000)', 'Current (n = 500)', '% of sample'],
  ],
];

/** SVG text escapes a few characters; compare against the escaped form. */
const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('renderSvg / renderPng', () => {
  it.each(cases)('%s compiles without warnings', (_name, spec) => {
    expect(compileChart(spec).warnings).toEqual([]);
  });

  it.each(cases)('%s renders an SVG with its texts', async (_name, spec, texts) => {
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of texts) {
      expect(svg).toContain(escapeXml(text));
    }
  });

  it.each(cases)('%s renders a PNG at 2x', async (_name, spec) => {
    const png = await renderPng(spec);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(20_000);
    const svg = await renderSvg(spec);
    const svgWidth = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
    expect(pngSize(png).width).toBe(Math.round(svgWidth * 2));
  });

  it('renders the same SVG twice for the same spec', async () => {
    const spec = rocSpec(roc);
    expect(await renderSvg(spec)).toBe(await renderSvg(spec));
  });

  it('honours the scale option', async () => {
    const spec = histogramSpec(sampleHistogram());
    const one = pngSize(await renderPng(spec, { scale: 1 }));
    const two = pngSize(await renderPng(spec, { scale: 2 }));
    expect(two.width).toBe(one.width * 2);
  });

  it('stops when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      renderPng(histogramSpec(sampleHistogram()), { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('writeChart', () => {
  const dir = useTempDir('arginator-chart-');

  it('writes <base>.svg and <base>.png and leaves no temporary files', async () => {
    const base = join(dir(), 'nested', 'roc');
    const written = await writeChart(base, rocSpec(roc));
    expect(written).toEqual({ svgPath: `${base}.svg`, pngPath: `${base}.png` });
    const svg = await readFile(written.svgPath, 'utf8');
    expect(svg).toContain('ROC curves');
    const png = await readFile(written.pngPath);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect((await readdir(join(dir(), 'nested'))).sort()).toEqual(['roc.png', 'roc.svg']);
  });
});
