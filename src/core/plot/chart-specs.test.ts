// Every chart spec compiles cleanly with vega-lite, is deterministic, and carries its key texts.
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LoggerInterface } from 'vega';
import { describe, expect, it } from 'vitest';

import { CLASS_COLOURS, classColours, type VegaLiteSpec } from './chart-style.ts';
import { confusionCells, confusionMatrixSpec } from './confusion-matrix.ts';
import { binCounts, binEdges, histogramSpec } from './histogram.ts';
import { lossCurvesSpec, lowestValLossEpoch } from './loss-curves.ts';
import { reliabilitySpec } from './reliability.ts';
import { riskCoverageSpec } from './risk-coverage.ts';
import { prSpec, rocSpec } from './roc-pr.ts';
import { scatterSpec } from './scatter.ts';
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
} from './test-support/sample-chart-data.ts';

/** Compiles with vega-lite and returns every warning or error it logged. */
function compileMessages(spec: VegaLiteSpec): string[] {
  const messages: string[] = [];
  const logger: LoggerInterface = {
    level() {
      return logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      messages.push(`warn: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  compile(spec as unknown as TopLevelSpec, { logger });
  return messages;
}

const reliability = sampleReliability();
const cases: [string, () => VegaLiteSpec][] = [
  ['loss curves with metrics', () => lossCurvesSpec(sampleLossCurves())],
  [
    'loss curves, loss only',
    () =>
      lossCurvesSpec({
        epochs: [
          { epoch: 1, trainLoss: 1 },
          { epoch: 2, trainLoss: 0.5 },
        ],
      }),
  ],
  ['confusion matrix', () => confusionMatrixSpec(sampleConfusionMatrix())],
  ['binary confusion matrix', () => confusionMatrixSpec(sampleBinaryConfusionMatrix())],
  ['ROC', () => rocSpec(sampleRoc())],
  ['binary ROC', () => rocSpec(sampleBinaryRoc())],
  ['PR', () => prSpec(samplePr())],
  ['reliability before/after', () => reliabilitySpec(reliability)],
  ['reliability single', () => reliabilitySpec({ bins: reliability.bins, ece: reliability.ece })],
  [
    'reliability with series names',
    () =>
      reliabilitySpec({
        ...reliability,
        beforeLabel: 'Temperature only',
        afterLabel: 'Calibrated',
      }),
  ],
  [
    'risk-coverage',
    () =>
      riskCoverageSpec({
        curves: [
          { label: 'Calibrated', coverage: [0.5, 0.9, 1], risk: [0, 0.001, 0.002], aurc: 0.0004 },
          { label: 'Temperature', coverage: [1], risk: [0.002], aurc: 0.002 },
        ],
      }),
  ],
  ['scatter', () => scatterSpec(sampleScatter())],
  ['scatter without queries', () => scatterSpec({ reference: sampleScatter().reference })],
  ['histogram', () => histogramSpec(sampleHistogram())],
];

describe('chart specs', () => {
  it.each(cases)('%s compiles with vega-lite without warnings', (_name, make) => {
    expect(compileMessages(make())).toEqual([]);
  });

  it.each(cases)('%s is deterministic plain JSON with a title and description', (_name, make) => {
    const spec = make();
    expect(JSON.stringify(make())).toBe(JSON.stringify(spec));
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    expect(spec.description.length).toBeGreaterThan(20);
    expect(spec.title).toBeDefined();
  });
});

describe('palette', () => {
  it('gives each class a fixed colour and unknown labels distinct fallbacks', () => {
    expect(classColours(['NBL', 'A'])).toEqual([CLASS_COLOURS.NBL, CLASS_COLOURS.A]);
    const [x, y, x2] = classColours(['X', 'Y', 'X']);
    expect(x).not.toBe(y);
    expect(x2).toBe(x);
  });
});

describe('loss curves', () => {
  it('marks the lowest validation loss when no best epoch is given', () => {
    const epochs = [
      { epoch: 1, trainLoss: 1, valLoss: 0.9 },
      { epoch: 2, trainLoss: 0.8, valLoss: 0.4 },
      { epoch: 3, trainLoss: 0.6, valLoss: 0.5 },
    ];
    expect(lowestValLossEpoch(epochs)).toBe(2);
    expect(JSON.stringify(lossCurvesSpec({ epochs }))).toContain('best epoch 2');
    expect(JSON.stringify(lossCurvesSpec({ epochs, bestEpoch: 3 }))).toContain('best epoch 3');
  });
});

describe('confusion matrix', () => {
  it('normalises by row and keeps empty rows at 0 %', () => {
    const cells = confusionCells(
      ['A', 'B'],
      [
        [3, 1],
        [0, 0],
      ],
    );
    expect(cells.map((c) => [c.actual, c.predicted, c.count, c.percentText])).toEqual([
      ['A', 'A', 3, '75.0%'],
      ['A', 'B', 1, '25.0%'],
      ['B', 'A', 0, '0.0%'],
      ['B', 'B', 0, '0.0%'],
    ]);
  });
});

describe('histogram binning', () => {
  it('shares edges across samples and counts the maximum in the last bin', () => {
    const edges = binEdges([0, 10, 5], 5);
    expect(edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect(binCounts([0, 1.99, 2, 9.99, 10, 11, Number.NaN], edges)).toEqual([2, 1, 0, 0, 2]);
  });

  it('handles constant and empty data', () => {
    expect(binEdges([3, 3], 10)).toEqual([2.5, 3.5]);
    expect(binEdges([], 10)).toEqual([0, 1]);
  });
});

describe('calibration legends', () => {
  it('name the reliability series and put AURC in the risk-coverage legend', () => {
    const reliability = JSON.stringify(
      reliabilitySpec({
        bins: [{ lower: 0.9, upper: 1, count: 3, confidence: 0.95, accuracy: 1 }],
        ece: 0.05,
        beforeLabel: 'Temperature only',
        binsAfter: [{ lower: 0.9, upper: 1, count: 3, confidence: 0.99, accuracy: 1 }],
        eceAfter: 0.01,
        afterLabel: 'Calibrated',
      }),
    );
    expect(reliability).toContain('Temperature only (ECE 0.050)');
    expect(reliability).toContain('Calibrated (ECE 0.010)');
    const rc = JSON.stringify(
      riskCoverageSpec({
        curves: [{ label: 'Model', coverage: [0.5, 1], risk: [0, 0.01], aurc: 0.0025 }],
      }),
    );
    expect(rc).toContain('Model (AURC 0.002500)');
    expect(rc).toContain('"coverage":0.5,"risk":0');
  });
});

describe('ROC and PR legends', () => {
  it('put AUC and AP in the series names', () => {
    const roc = JSON.stringify(
      rocSpec({ curves: [{ label: 'A', fpr: [0, 1], tpr: [0, 1], auc: 0.5 }] }),
    );
    expect(roc).toContain('A (AUC 0.500)');
    const pr = JSON.stringify(
      prSpec({ curves: [{ label: 'B', precision: [1, 0.5], recall: [0, 1], ap: 0.75 }] }),
    );
    expect(pr).toContain('B (AP 0.750)');
  });
});
