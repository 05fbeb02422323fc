// Evaluation of a trained classifier: fusion and temperature fitted on validation, test metrics, curves and calibration.
import { reliabilityDiagram } from '../core/metrics/calibration.ts';
import { confidenceAuroc, riskCoverage } from '../core/metrics/selective.ts';
import type { RiskCoverage } from '../core/metrics/selective.ts';
import type { ConfidenceCalibrator } from '../core/model/confidence-calibrator.ts';
import {
  calibratedProbabilities,
  calledProbabilities,
} from '../core/model/confidence-calibrator.ts';
import { classificationReport } from '../core/metrics/classification-report.ts';
import type { ClassificationReport } from '../core/metrics/classification-report.ts';
import { prOneVsRest, rocOneVsRest } from '../core/metrics/roc.ts';
import { fitTemperature } from '../core/metrics/temperature.ts';
import type { DenseDataset } from '../core/model/dataset.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { MlpParams } from '../core/model/mlp.ts';
import { forwardLogits, softmaxRows } from '../core/model/mlp.ts';
import type { Fusion } from '../core/model/evidence-fusion.ts';
import { fitFusion } from '../core/model/evidence-fusion.ts';

export function argmaxRows(proba: Float32Array, k: number): Int32Array {
  const n = proba.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) {
      if ((proba[i * k + j] as number) > (proba[i * k + best] as number)) {
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** α (homology weight) and the temperature, fitted on the validation split; without evidence α = 0. */
export function fitValidationFusion(
  params: MlpParams,
  valSet: DenseDataset,
  k: number,
  kernels: Kernels,
  valEvidence: Float32Array | undefined,
): Fusion {
  const valLogits = forwardLogits(params, valSet.x, valSet.n, kernels);
  return valEvidence === undefined
    ? {
        alpha: 0,
        temperature: valSet.n > 0 ? fitTemperature(valLogits, valSet.y, k) : 1,
        nll: Number.NaN,
      }
    : fitFusion(valLogits, valEvidence, valSet.y, k);
}

export interface Evaluation {
  readonly test: ClassificationReport;
  readonly rocAuc: number | null;
  readonly averagePrecision: number | null;
  readonly roc: ReturnType<typeof rocOneVsRest>;
  readonly pr: ReturnType<typeof prOneVsRest>;
  /** How homology evidence was combined (alpha 0 = classifier only). */
  readonly fusion: Fusion;
  /** The evidence floor applied to the test calls (core/model/decision-rule.ts; 0 = off). */
  readonly minSimilarity: number;
  /** Test metrics of the classifier alone and of the homology evidence alone (argmax), for comparison. */
  readonly classifierOnly: ClassificationReport;
  readonly homologyOnly: ClassificationReport | null;
  readonly calibration: {
    temperature: number;
    /** ECE (15 bins) of the fused softmax at temperature 1, of it at the fitted temperature, and of the model's output. */
    eceBefore: number;
    eceTemperature: number;
    eceAfter: number;
    /** Whether the output is the confidence calibrator's (else the temperature's). */
    calibrator: boolean;
    before: ReturnType<typeof reliabilityDiagram>;
    temperatureOnly: ReturnType<typeof reliabilityDiagram>;
    after: ReturnType<typeof reliabilityDiagram>;
    /** AUROC of the output confidence for right against wrong test calls; null without wrong calls. */
    confidenceAuroc: number | null;
    wrongCalls: number;
    riskCoverage: RiskCoverage;
  };
}

export function evaluate(
  params: MlpParams,
  valSet: DenseDataset,
  testSet: DenseDataset,
  labels: readonly string[],
  positive: number | undefined,
  kernels: Kernels,
  evidence?: { readonly val: Float32Array; readonly test: Float32Array },
  /** Classes other than `negative` need evidence ≥ minSimilarity (as the predictor; applied to test only). */
  rule: { readonly negative: number; readonly minSimilarity: number } = {
    negative: -1,
    minSimilarity: 0,
  },
  fitted: {
    /** α and T fitted already (fitValidationFusion); absent = fitted here. */
    readonly fusion?: Fusion | undefined;
    /** The confidence calibrator fitted out of fold (pipeline/calibration-stage.ts); absent = temperature only. */
    readonly calibrator?: ConfidenceCalibrator | undefined;
  } = {},
): Evaluation {
  const k = labels.length;
  const options = positive === undefined ? {} : { positive };
  const { calibrator } = fitted;
  const testLogits = forwardLogits(params, testSet.x, testSet.n, kernels);
  const classifierOnly = classificationReport(
    testSet.y,
    argmaxRows(softmaxRows(testLogits.slice(), k, 1), k),
    labels,
    options,
  );
  const fusion = fitted.fusion ?? fitValidationFusion(params, valSet, k, kernels, evidence?.val);
  const { temperature } = fusion;
  const homologyOnly =
    evidence === undefined
      ? null
      : classificationReport(testSet.y, argmaxRows(evidence.test, k), labels, options);
  const minSimilarity = evidence === undefined ? 0 : rule.minSimilarity;
  // The calls as predictor.ts makes them: fused logits, temperature, then the evidence floor.
  const callRule = {
    k,
    alpha: fusion.alpha,
    temperature,
    negative: rule.negative,
    minSimilarity,
  };
  const calls = calledProbabilities(testLogits, evidence?.test, callRule);
  const rawProba = calledProbabilities(testLogits, evidence?.test, {
    ...callRule,
    temperature: 1,
  }).proba;
  // The calibrator keeps every call and only changes the probabilities.
  const proba = calibrator === undefined ? calls.proba : calibratedProbabilities(calls, calibrator);
  const test = classificationReport(testSet.y, argmaxRows(proba, k), labels, options);
  const roc = rocOneVsRest(testSet.y, proba, k);
  const pr = prOneVsRest(testSet.y, proba, k);
  const before = reliabilityDiagram(rawProba, testSet.y, k);
  const temperatureOnly = reliabilityDiagram(calls.proba, testSet.y, k);
  const after = reliabilityDiagram(proba, testSet.y, k);
  const predicted = argmaxRows(proba, k);
  const confidence = Array.from(predicted, (c, i) => proba[i * k + c] as number);
  const correct = Array.from(predicted, (c, i) => c === testSet.y[i]);
  const binaryAuc = positive === undefined ? null : (roc.perClass[positive]?.auc ?? null);
  const binaryAp =
    positive === undefined ? null : (pr.perClass[positive]?.averagePrecision ?? null);
  return {
    test,
    rocAuc: positive === undefined ? roc.macroAuc : binaryAuc,
    averagePrecision: positive === undefined ? pr.macroAveragePrecision : binaryAp,
    roc,
    pr,
    calibration: {
      temperature,
      eceBefore: before.ece,
      eceTemperature: temperatureOnly.ece,
      eceAfter: after.ece,
      calibrator: calibrator !== undefined,
      before,
      temperatureOnly,
      after,
      confidenceAuroc: confidenceAuroc(confidence, correct),
      wrongCalls: correct.filter((c) => !c).length,
      riskCoverage: riskCoverage(confidence, correct),
    },
    fusion,
    minSimilarity,
    classifierOnly,
    homologyOnly,
  };
}
