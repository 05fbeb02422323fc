// Evaluation of a trained classifier: temperature fitted on validation, test metrics, curves and calibration.
import { reliabilityDiagram } from '../core/metrics/calibration.ts';
import { classificationReport } from '../core/metrics/classification-report.ts';
import type { ClassificationReport } from '../core/metrics/classification-report.ts';
import { prOneVsRest, rocOneVsRest } from '../core/metrics/roc.ts';
import { fitTemperature } from '../core/metrics/temperature.ts';
import type { DenseDataset } from '../core/model/dataset.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { MlpParams } from '../core/model/mlp.ts';
import { forwardLogits, softmaxRows } from '../core/model/mlp.ts';
import type { Fusion } from '../core/model/evidence-fusion.ts';
import { fitFusion, fuseLogits } from '../core/model/evidence-fusion.ts';
import { maskUnsupportedClasses } from '../core/model/decision-rule.ts';

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
    eceBefore: number;
    eceAfter: number;
    before: ReturnType<typeof reliabilityDiagram>;
    after: ReturnType<typeof reliabilityDiagram>;
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
): Evaluation {
  const k = labels.length;
  const options = positive === undefined ? {} : { positive };
  const valLogits = forwardLogits(params, valSet.x, valSet.n, kernels);
  const testLogits = forwardLogits(params, testSet.x, testSet.n, kernels);
  const classifierOnly = classificationReport(
    testSet.y,
    argmaxRows(softmaxRows(testLogits.slice(), k, 1), k),
    labels,
    options,
  );
  // Without evidence this is plain temperature scaling (alpha 0).
  const fusion: Fusion =
    evidence === undefined
      ? {
          alpha: 0,
          temperature: valSet.n > 0 ? fitTemperature(valLogits, valSet.y, k) : 1,
          nll: Number.NaN,
        }
      : fitFusion(valLogits, evidence.val, valSet.y, k);
  const { temperature } = fusion;
  const fusedTest =
    evidence === undefined ? testLogits : fuseLogits(testLogits, evidence.test, fusion.alpha);
  const homologyOnly =
    evidence === undefined
      ? null
      : classificationReport(testSet.y, argmaxRows(evidence.test, k), labels, options);
  const minSimilarity = evidence === undefined ? 0 : rule.minSimilarity;
  const masked = (p: Float32Array): Float32Array =>
    evidence === undefined
      ? p
      : maskUnsupportedClasses(p, evidence.test, k, rule.negative, minSimilarity);
  // α and T are fitted on the fused logits; the evidence floor then acts on the calls, as in predictor.ts.
  const rawProba = masked(softmaxRows(fusedTest.slice(), k, 1));
  const proba = masked(softmaxRows(fusedTest.slice(), k, temperature));
  const test = classificationReport(testSet.y, argmaxRows(proba, k), labels, options);
  const roc = rocOneVsRest(testSet.y, proba, k);
  const pr = prOneVsRest(testSet.y, proba, k);
  const before = reliabilityDiagram(rawProba, testSet.y, k);
  const after = reliabilityDiagram(proba, testSet.y, k);
  const binaryAuc = positive === undefined ? null : (roc.perClass[positive]?.auc ?? null);
  const binaryAp =
    positive === undefined ? null : (pr.perClass[positive]?.averagePrecision ?? null);
  return {
    test,
    rocAuc: positive === undefined ? roc.macroAuc : binaryAuc,
    averagePrecision: positive === undefined ? pr.macroAveragePrecision : binaryAp,
    roc,
    pr,
    calibration: { temperature, eceBefore: before.ece, eceAfter: after.ece, before, after },
    fusion,
    minSimilarity,
    classifierOnly,
    homologyOnly,
  };
}
