// Use case: score a model's calls on a labelled set (the promotion gate's quality, `arginator evaluate`'s tracked run).
import { BINARY_LABELS, BINARY_POSITIVE, NOT_BETALACTAMASE } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import { reliabilityDiagram } from '../core/metrics/calibration.ts';
import type { ReliabilityDiagram } from '../core/metrics/calibration.ts';
import { classificationReport } from '../core/metrics/classification-report.ts';
import type { ClassificationReport } from '../core/metrics/classification-report.ts';
import type { Prediction } from '../core/model/predictor.ts';
import { confusionMatrixSpec } from '../core/plot/confusion-matrix.ts';
import { reliabilitySpec } from '../core/plot/reliability.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { RunData, RunHandle, RunInit, RunRecord, RunTracker } from './ports.ts';
import type { PredictionModel } from './predict.ts';
import { withTrackedRun } from './tracked-run.ts';

/** A model's calls scored against true labels, in the model's label order. */
export interface ScoredCalls {
  readonly report: ClassificationReport;
  /** Class index (into the model's labels) of each true label and of each call. */
  readonly truth: readonly number[];
  readonly predicted: readonly number[];
}

/**
 * Scores `predictions` against `truthLabels` (the task's words) as sklearn's classification report;
 * the binary task's headline F1 is the positive class's. A true label the model does not know is a
 * CONFIG error naming it (the set and the model are of different tasks).
 */
export function scoreCalls(
  model: PredictionModel,
  truthLabels: readonly string[],
  predictions: readonly Prediction[],
): ScoredCalls {
  const labels = model.predictor.labels;
  const truth = truthLabels.map((l) => labels.indexOf(l));
  const missing = truth.findIndex((t) => t < 0);
  if (missing >= 0) {
    throw new ArginatorError(
      'CONFIG',
      'registry.benchmark-labels',
      `the label '${truthLabels[missing] ?? ''}' is not one of model ${model.version}'s labels (${labels.join(', ')})`,
      'compare a model with labels of its own task: check --task, the dataset and its labels (paths.dataset, paths.labels)',
    );
  }
  const predicted = predictions.map((p) => labels.indexOf(p.label));
  const positive = model.predictor.header.positiveLabel;
  const report = classificationReport(
    truth,
    predicted,
    labels,
    labels.length === 2 && positive !== undefined ? { positive: labels.indexOf(positive) } : {},
  );
  return { report, truth, predicted };
}

/** The set an evaluation scores: proteins with true labels, and where they came from. */
export interface EvaluationSet {
  readonly records: readonly ProteinRecord[];
  readonly labels: readonly string[];
  /** The labelled FASTA the proteins were read from, and its labels table if any. */
  readonly dataset: string;
  readonly labelsTable: string | null;
  /** The split file and side the ids were taken from; null: every protein of the dataset. */
  readonly split: { readonly file: string; readonly side: string } | null;
  /** Content hashes of what was read (the run's data record). */
  readonly data: RunData;
  /** Ids of proteins known not to be β-lactamases that look like them (PBPs…); empty when unknown. */
  readonly hardNegatives: ReadonlySet<string>;
}

/** What `arginator evaluate` writes as metrics.json (and logs as the run's metrics). */
export interface EvaluationMetrics {
  readonly model: string;
  readonly task: string;
  readonly proteins: number;
  readonly dataset: string;
  /** The split file and side scored; null: the whole dataset. */
  readonly evaluatedSplit: { readonly file: string; readonly side: string } | null;
  /** The headline F1 (the gate's): the positive class's for a binary model, else macro. */
  readonly f1: number;
  readonly f1Average: 'binary' | 'macro';
  readonly accuracy: number;
  readonly macroF1: number;
  readonly mcc: number;
  /** F1 of "is a β-lactamase" (any Ambler class for a multiclass model). */
  readonly binaryF1: number;
  readonly perClass: ClassificationReport['perClass'];
  readonly labels: readonly string[];
  /** Rows are true classes, columns calls, in `labels` order. */
  readonly confusionMatrix: ClassificationReport['confusionMatrix'];
  /** Expected calibration error (15 bins) of the output probabilities. */
  readonly ece: number;
  /** Hard negatives called β-lactamase, of the hard negatives in the set; null when the set has no such marks. */
  readonly hardNegatives: { readonly falsePositives: number; readonly total: number } | null;
}

export interface EvaluateDeps {
  readonly tracker: RunTracker;
  readonly environment: Pick<RunInit, 'packageVersion' | 'gitCommit' | 'git' | 'environment'>;
  /** Predicts records with the model, in order; `onProgress` gets the count done. */
  readonly predict: (
    model: PredictionModel,
    records: readonly ProteinRecord[],
    onProgress?: (done: number) => void,
  ) => Promise<readonly Prediction[]>;
  /** Writes chart specs into the run's plots/ (the train run's writer). */
  readonly charts: (run: RunHandle, charts: ReadonlyMap<string, VegaLiteSpec>) => Promise<void>;
  readonly onProgress?: ((done: number) => void) | undefined;
}

export interface EvaluateRequest {
  readonly model: PredictionModel;
  readonly set: EvaluationSet;
  /** The command line as run.json shows it. */
  readonly command: string;
  /** The resolved config, recorded with the run's params. */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface EvaluateOutcome {
  readonly metrics: EvaluationMetrics;
  readonly record: RunRecord;
}

/**
 * Predicts the set with the model and records it as a run of kind evaluate: params (model, data,
 * split, config), metrics, and metrics.json, predictions.csv and plots/ as artifacts.
 */
export async function evaluateModel(
  deps: EvaluateDeps,
  request: EvaluateRequest,
): Promise<EvaluateOutcome> {
  const { model, set } = request;
  if (set.records.length === 0) {
    throw new ArginatorError(
      'USAGE',
      'evaluate.empty',
      `nothing to evaluate: ${set.split === null ? set.dataset : `the ${set.split.side} side of ${set.split.file}`} has no proteins`,
      'pass a dataset with labelled proteins, or a split side that lists some',
    );
  }
  const split = set.split;
  const { value, record } = await withTrackedRun(
    deps.tracker,
    {
      ...deps.environment,
      kind: 'evaluate',
      name: `evaluate ${model.version}${split === null ? '' : ` on ${split.side}`}`,
      command: request.command,
      dataFingerprint: set.data.fingerprint,
      data: set.data,
      // The resolved config, as a train run's params, and what this evaluation read.
      params: {
        ...request.config,
        evaluate: {
          model: model.version,
          task: model.predictor.header.task,
          dataset: set.dataset,
          labels: set.labelsTable,
          split: split?.file ?? null,
          side: split?.side ?? null,
          data_fingerprint: set.data.fingerprint,
        },
      },
      tags: {
        model: model.version,
        ...(split === null ? {} : { side: split.side }),
      },
    },
    async (run) => {
      const predictions = await deps.predict(model, set.records, deps.onProgress);
      const metrics = evaluationMetrics(model, set, predictions);
      await run.logMetrics(0, {
        accuracy: metrics.accuracy,
        macro_f1: metrics.macroF1,
        mcc: metrics.mcc,
        binary_f1: metrics.binaryF1,
        ece: metrics.ece,
        proteins: metrics.proteins,
        ...(metrics.hardNegatives === null
          ? {}
          : { hard_negative_fp: metrics.hardNegatives.falsePositives }),
      });
      const reliability = reliabilityOf(model, set, predictions);
      // Also under the keys a train run's metrics.json uses (the report as `test`, the calibration),
      // so `runs show`, `runs compare` and GET /v1/runs/{id} show an evaluation as they show a training.
      await run.writeJson('metrics.json', {
        ...metrics,
        test: scoreCalls(model, set.labels, predictions).report,
        calibration: { eceAfter: reliability.ece, after: reliability },
      });
      await run.writeText('predictions.csv', predictionsCsv(model, set, predictions));
      await deps.charts(run, evaluationCharts(metrics, reliability));
      return {
        value: metrics,
        summary: {
          model_version: model.version,
          f1: metrics.f1,
          // `runs list` shows test_f1: only an evaluation of a test side is one.
          ...(split?.side === 'test' ? { test_f1: metrics.f1 } : {}),
          accuracy: metrics.accuracy,
          macro_f1: metrics.macroF1,
          mcc: metrics.mcc,
          binary_f1: metrics.binaryF1,
          ece: metrics.ece,
          proteins: metrics.proteins,
        },
      };
    },
  );
  return { metrics: value, record };
}

/** The shipped labels table's `group` values of proteins that resemble β-lactamases but are not (data/default/README.md). */
export const HARD_NEGATIVE_GROUPS: ReadonlySet<string> = new Set([
  'amr_hardneg',
  'hardneg_pbp_ddpeptidase',
  'hardneg_mbl_fold',
]);

/** Is this call (or true label) a β-lactamase, in either task's words. */
function isBetalactamase(label: string): boolean {
  return label === BINARY_POSITIVE || (label !== NOT_BETALACTAMASE && label !== BINARY_LABELS[1]);
}

export function evaluationMetrics(
  model: PredictionModel,
  set: EvaluationSet,
  predictions: readonly Prediction[],
): EvaluationMetrics {
  const { report } = scoreCalls(model, set.labels, predictions);
  const truthBl = set.labels.map((l) => (isBetalactamase(l) ? 0 : 1));
  const callBl = predictions.map((p) => (isBetalactamase(p.label) ? 0 : 1));
  const binary = classificationReport(truthBl, callBl, BINARY_LABELS, {
    positive: 0,
  });
  const hard = set.records.flatMap((r, i) => (set.hardNegatives.has(r.id) ? [i] : []));
  return {
    model: model.version,
    task: model.predictor.header.task,
    proteins: set.records.length,
    dataset: set.dataset,
    evaluatedSplit: set.split,
    f1: report.f1,
    f1Average: report.f1Average,
    accuracy: report.accuracy,
    macroF1: report.macro.f1,
    mcc: report.mcc,
    binaryF1: binary.f1,
    perClass: report.perClass,
    labels: report.labels,
    confusionMatrix: report.confusionMatrix,
    ece: reliabilityOf(model, set, predictions).ece,
    hardNegatives:
      set.hardNegatives.size === 0
        ? null
        : {
            falsePositives: hard.filter((i) => isBetalactamase(predictions[i]?.label ?? '')).length,
            total: hard.length,
          },
  };
}

function reliabilityOf(
  model: PredictionModel,
  set: EvaluationSet,
  predictions: readonly Prediction[],
): ReliabilityDiagram {
  const k = model.predictor.labels.length;
  const proba = new Float64Array(predictions.length * k);
  predictions.forEach((p, i) => proba.set(p.probabilities, i * k));
  const labels = model.predictor.labels;
  return reliabilityDiagram(
    proba,
    set.labels.map((l) => labels.indexOf(l)),
    k,
  );
}

/** The confusion matrix and reliability diagram, as the training run draws them. */
export function evaluationCharts(
  metrics: EvaluationMetrics,
  reliability: ReliabilityDiagram,
): ReadonlyMap<string, VegaLiteSpec> {
  const where = metrics.evaluatedSplit === null ? 'dataset' : `${metrics.evaluatedSplit.side} set`;
  return new Map([
    [
      'confusion-matrix',
      confusionMatrixSpec({
        labels: [...metrics.labels],
        matrix: metrics.confusionMatrix,
        title: `Confusion matrix (${metrics.model}, ${where})`,
      }),
    ],
    [
      'reliability',
      reliabilitySpec({
        bins: reliability.bins.map((b) => ({
          lower: b.lower,
          upper: b.upper,
          count: b.count,
          confidence: b.meanConfidence,
          accuracy: b.accuracy,
        })),
        ece: reliability.ece,
        beforeLabel: 'Model output',
        title: `Reliability diagram (${metrics.model}, ${where})`,
      }),
    ],
  ]);
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One row per protein: id, true label, call, whether right, confidence and each class probability. */
export function predictionsCsv(
  model: PredictionModel,
  set: EvaluationSet,
  predictions: readonly Prediction[],
): string {
  const labels = model.predictor.labels;
  const head = [
    'id',
    'true_label',
    'predicted_label',
    'correct',
    'confidence',
    ...labels.map((l) => `prob_${l}`),
  ];
  const rows = predictions.map((p, i) =>
    [
      csvField(set.records[i]?.id ?? ''),
      csvField(set.labels[i] ?? ''),
      csvField(p.label),
      p.label === set.labels[i] ? 'true' : 'false',
      p.confidence.toFixed(6),
      ...Array.from(p.probabilities, (v) => v.toFixed(6)),
    ].join(','),
  );
  return `${[head.map(csvField).join(','), ...rows].join('\n')}\n`;
}
