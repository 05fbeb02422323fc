// The charts of a training run (loss curves, confusion matrix, ROC, PR, reliability) as pure specs.
import type { EpochSummary } from '../core/model/train-loop.ts';
import { confusionMatrixSpec } from '../core/plot/confusion-matrix.ts';
import { lossCurvesSpec } from '../core/plot/loss-curves.ts';
import { reliabilitySpec } from '../core/plot/reliability.ts';
import { riskCoverageSpec } from '../core/plot/risk-coverage.ts';
import { prSpec, rocSpec } from '../core/plot/roc-pr.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import type { Evaluation } from './evaluation.ts';

/** File base name (inside plots/) → chart spec. */
export type TrainCharts = ReadonlyMap<string, VegaLiteSpec>;

export interface TrainChartsInput {
  readonly labels: readonly string[];
  readonly history: readonly EpochSummary[];
  readonly bestEpoch: number;
  readonly valF1: readonly { epoch: number; f1: number; accuracy: number }[];
  readonly evaluation: Evaluation;
}

export function trainingCharts(input: TrainChartsInput): TrainCharts {
  const { labels, evaluation } = input;
  const f1ByEpoch = new Map(input.valF1.map((r) => [r.epoch, r]));
  const binary = labels.length === 2;
  const classes = binary ? [0] : labels.map((_, i) => i);
  const charts = new Map<string, VegaLiteSpec>();
  charts.set(
    'loss-curves',
    lossCurvesSpec({
      epochs: input.history.map((h) => ({
        epoch: h.epoch,
        trainLoss: h.trainLoss,
        valLoss: h.valLoss,
        ...(f1ByEpoch.has(h.epoch)
          ? { valF1: f1ByEpoch.get(h.epoch)?.f1, valAccuracy: f1ByEpoch.get(h.epoch)?.accuracy }
          : {}),
      })),
      bestEpoch: input.bestEpoch,
    }),
  );
  charts.set(
    'confusion-matrix',
    confusionMatrixSpec({
      labels: [...labels],
      matrix: evaluation.test.confusionMatrix,
      title: 'Confusion matrix (test set)',
    }),
  );
  charts.set(
    'roc',
    rocSpec({
      curves: classes.map((c) => {
        const curve = evaluation.roc.perClass[c];
        return {
          label: labels[c] ?? String(c),
          fpr: curve?.fpr ?? [],
          tpr: curve?.tpr ?? [],
          auc: curve?.auc ?? Number.NaN,
        };
      }),
      title: 'ROC (test set)',
    }),
  );
  charts.set(
    'pr',
    prSpec({
      curves: classes.map((c) => {
        const curve = evaluation.pr.perClass[c];
        return {
          label: labels[c] ?? String(c),
          precision: curve?.precision ?? [],
          recall: curve?.recall ?? [],
          ap: curve?.averagePrecision ?? Number.NaN,
        };
      }),
      title: 'Precision-recall (test set)',
    }),
  );
  const toBins = (d: Evaluation['calibration']['before']) =>
    d.bins.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      confidence: b.meanConfidence,
      accuracy: b.accuracy,
    }));
  const calibration = evaluation.calibration;
  // With the confidence calibrator the comparison is temperature only → calibrated output.
  charts.set(
    'reliability',
    calibration.calibrator
      ? reliabilitySpec({
          bins: toBins(calibration.temperatureOnly),
          ece: calibration.eceTemperature,
          beforeLabel: 'Temperature only',
          binsAfter: toBins(calibration.after),
          eceAfter: calibration.eceAfter,
          afterLabel: 'Calibrated (out-of-fold)',
          temperature: calibration.temperature,
          title: 'Reliability diagram (test set)',
        })
      : reliabilitySpec({
          bins: toBins(calibration.before),
          ece: calibration.eceBefore,
          binsAfter: toBins(calibration.after),
          eceAfter: calibration.eceAfter,
          temperature: calibration.temperature,
        }),
  );
  const rc = calibration.riskCoverage;
  charts.set(
    'risk-coverage',
    riskCoverageSpec({
      curves: [
        {
          label: 'Model confidence',
          coverage: rc.points.map((p) => p.coverage),
          risk: rc.points.map((p) => p.risk),
          aurc: rc.aurc,
        },
      ],
      title: `Risk–coverage (test set, ${rc.wrong} wrong of ${rc.n})`,
    }),
  );
  return charts;
}
