// Agreement with scikit-learn (Debian python3-sklearn) on seeded random binary and 5-class problems with ties.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../rng.ts';
import { calibrationCurve } from './calibration.ts';
import { classificationReport } from './classification-report.ts';
import { confusionMatrix } from './confusion-matrix.ts';
import { prCurve, rocCurve, rocOneVsRest, type PrCurve, type RocCurve } from './roc.ts';
import { fitTemperature, logLoss, softmaxWithTemperature, temperatureNll } from './temperature.ts';

// The spawning stays in this test file: dependency-cruiser exempts *.test.ts, not test-support/, from core's purity rule.
/** Debian's python3 has python3-sklearn; a pyenv `python3` on PATH may not. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./test-support/sklearn_metrics.py', import.meta.url));
const HAVE_SKLEARN =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import sklearn, numpy, scipy'], { encoding: 'utf8' }).status === 0;

/** Sends `request` as JSON to the reference script and returns its parsed JSON answer. */
function runSklearn(request: unknown): unknown {
  const result = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${SCRIPT} failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as unknown;
}
const TOL = 1e-9;

/** Values compared with sklearn in this run; the CI guard below fails if this stays 0. */
let compared = 0;

interface Problem {
  readonly name: string;
  readonly k: number;
  readonly yTrue: number[];
  readonly yPred: number[];
  readonly logits: number[];
  readonly probs: number[];
  readonly temperature: number;
  readonly nBins: number;
}

type Num = number | string | null;
interface Prf {
  precision: Num | Num[];
  recall: Num | Num[];
  f1: Num | Num[];
  support: Num | Num[];
}
interface Curves {
  roc: { fpr: Num[]; tpr: Num[]; thresholds: Num[] };
  auc: Num;
  pr: { precision: Num[]; recall: Num[]; thresholds: Num[] };
  ap: Num;
}
interface Reference {
  confusion: number[][];
  accuracy: number;
  mcc: number;
  perClass: Prf;
  macro: Prf;
  weighted: Prf;
  binary?: Prf;
  logLoss: number;
  curves: Curves[];
  ovrMacroAuc?: Num;
  calibration: [Num[], Num[]];
  logLossAtT: number;
  fittedT: number;
  fittedNll: number;
}

function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A seeded problem: true labels (optionally never `absent`), logits that favour the true class,
 * quantised to `step` (coarse steps make many tied scores), their softmax, and argmax predictions
 * (optionally with class `neverPredicted` replaced by 0).
 */
function makeProblem(
  name: string,
  seed: number,
  n: number,
  k: number,
  opts: { step?: number; absent?: number; neverPredicted?: number; signal?: number } = {},
): Problem {
  const rng = createRng(seed);
  const step = opts.step ?? 0;
  const yTrue: number[] = [];
  const logits: number[] = [];
  for (let i = 0; i < n; i++) {
    // Imbalanced classes: class c drawn with weight c + 1.
    let y = Math.min(k - 1, Math.floor(Math.sqrt(rng()) * k));
    if (y === opts.absent) {
      y = (y + 1) % k;
    }
    yTrue.push(y);
    for (let c = 0; c < k; c++) {
      const z = gaussian(rng) + (c === y ? (opts.signal ?? 1.2) : 0);
      // float32-exact, so that fitTemperature's Float32Array input equals what sklearn gets.
      logits.push(Math.fround(step > 0 ? Math.round(z / step) * step : z));
    }
  }
  const probs = Array.from(softmaxWithTemperature(logits, k));
  const yPred = yTrue.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) {
      if ((probs[i * k + c] as number) > (probs[i * k + best] as number)) {
        best = c;
      }
    }
    return best === opts.neverPredicted ? 0 : best;
  });
  return { name, k, yTrue, yPred, logits, probs, temperature: 1.7, nBins: 10 };
}

const PROBLEMS: readonly Problem[] = [
  makeProblem('binary, continuous scores', 1, 50, 2),
  makeProblem('binary, heavy ties', 2, 600, 2, { step: 0.5 }),
  makeProblem('binary, n=2000, mild ties', 3, 2000, 2, { step: 0.05 }),
  makeProblem('binary, weak signal', 4, 137, 2, { signal: 0.2, step: 0.25 }),
  makeProblem('5-class, continuous', 5, 300, 5),
  makeProblem('5-class, ties', 6, 2000, 5, { step: 1 }),
  makeProblem('5-class, class 2 never predicted', 7, 800, 5, { step: 0.5, neverPredicted: 2 }),
  makeProblem('5-class, class 3 absent from yTrue', 8, 500, 5, { absent: 3 }),
  makeProblem('5-class, n=50, ties', 9, 50, 5, { step: 1, signal: 2 }),
];

function num(v: Num | undefined, label: string): number {
  if (v === 'inf') {
    return Infinity;
  }
  if (v === '-inf') {
    return -Infinity;
  }
  if (typeof v !== 'number') {
    throw new Error(`${label}: sklearn gave ${String(v)}, expected a number`);
  }
  return v;
}

function expectNear(actual: number, expected: Num | undefined, label: string): void {
  const e = num(expected, label);
  if (Number.isFinite(e)) {
    expect(Math.abs(actual - e), `${label}: ${actual} vs sklearn ${e}`).toBeLessThanOrEqual(
      TOL * Math.max(1, Math.abs(e)),
    );
  } else {
    expect(actual, label).toBe(e);
  }
  compared++;
}

function expectAllNear(actual: readonly number[], expected: readonly Num[], label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  actual.forEach((a, i) => expectNear(a, expected[i], `${label}[${i}]`));
}

function list(v: Num | Num[]): Num[] {
  return Array.isArray(v) ? v : [v];
}

/** sklearn's NaN rates (no negatives / no positives) are 0 here, like its zero_division default. */
function rates(values: readonly Num[]): Num[] {
  return values.map((v) => v ?? 0);
}

function compareRoc(ours: RocCurve, ref: Curves, label: string): void {
  expectAllNear(ours.fpr, rates(ref.roc.fpr), `${label} fpr`);
  expectAllNear(ours.tpr, rates(ref.roc.tpr), `${label} tpr`);
  // sklearn ≥ 1.3 starts the thresholds at inf; 1.2 (Debian bookworm) at max + 1, as we do.
  const [first, ...rest] = ref.roc.thresholds;
  if (first !== 'inf') {
    expectNear(ours.thresholds[0] ?? NaN, first, `${label} thresholds[0]`);
  }
  expectAllNear(ours.thresholds.slice(1), rest, `${label} thresholds`);
  if (ref.auc === null) {
    expect(ours.auc, `${label} auc`).toBeNull();
  } else {
    expectNear(ours.auc ?? NaN, ref.auc, `${label} auc`);
  }
}

function comparePr(ours: PrCurve, ref: Curves, label: string): void {
  expectAllNear(ours.precision, ref.pr.precision, `${label} precision`);
  expectAllNear(ours.recall, ref.pr.recall, `${label} recall`);
  expectAllNear(ours.thresholds, ref.pr.thresholds, `${label} pr thresholds`);
  expectNear(ours.averagePrecision, ref.ap, `${label} average precision`);
}

describe.skipIf(!HAVE_SKLEARN)('agreement with scikit-learn (python3-sklearn)', () => {
  const answer = HAVE_SKLEARN
    ? (runSklearn({ problems: PROBLEMS }) as { sklearn: string; results: Reference[] })
    : { sklearn: 'missing', results: [] };

  it('answered every problem, most of which have tied scores', () => {
    expect(answer.results).toHaveLength(PROBLEMS.length);
    const withTies = PROBLEMS.filter((pb) => {
      const column = pb.yTrue.map((_x, i) => pb.probs[i * pb.k + (pb.k - 1)]);
      return new Set(column).size < column.length;
    });
    expect(withTies.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(PROBLEMS.map((p, i) => [p.name, i] as const))('%s', (_, index) => {
    const pb = PROBLEMS[index] as Problem;
    const ref = (): Reference => answer.results[index] as Reference;
    const labels = Array.from({ length: pb.k }, (_x, c) => `class${c}`);

    it('confusion matrix (exact), accuracy, MCC, per-class / macro / weighted / binary P, R, F1', () => {
      const r = ref();
      expect(confusionMatrix(pb.yTrue, pb.yPred, pb.k)).toEqual(r.confusion);
      compared++;
      const positive = pb.k === 2 ? 1 : undefined;
      const report = classificationReport(pb.yTrue, pb.yPred, labels, { positive });
      expectNear(report.accuracy, r.accuracy, 'accuracy');
      expectNear(report.mcc, r.mcc, 'mcc');
      expectAllNear(
        report.perClass.map((c) => c.precision),
        list(r.perClass.precision),
        'precision',
      );
      expectAllNear(
        report.perClass.map((c) => c.recall),
        list(r.perClass.recall),
        'recall',
      );
      expectAllNear(
        report.perClass.map((c) => c.f1),
        list(r.perClass.f1),
        'f1',
      );
      expect(report.perClass.map((c) => c.support)).toEqual(list(r.perClass.support));
      for (const avg of ['macro', 'weighted'] as const) {
        expectNear(report[avg].precision, list(r[avg].precision)[0], `${avg} precision`);
        expectNear(report[avg].recall, list(r[avg].recall)[0], `${avg} recall`);
        expectNear(report[avg].f1, list(r[avg].f1)[0], `${avg} f1`);
      }
      if (r.binary === undefined) {
        expect(report.f1Average).toBe('macro');
        expectNear(report.f1, list(r.macro.f1)[0], 'headline macro f1');
      } else {
        expect(report.f1Average).toBe('binary');
        expectNear(
          report.binary?.precision ?? NaN,
          list(r.binary.precision)[0],
          'binary precision',
        );
        expectNear(report.binary?.recall ?? NaN, list(r.binary.recall)[0], 'binary recall');
        expectNear(report.f1, list(r.binary.f1)[0], 'headline binary f1');
      }
    });

    it('ROC curve points and AUC, PR curve and average precision (per class one-vs-rest for k > 2)', () => {
      const r = ref();
      if (pb.k === 2) {
        const y = pb.yTrue;
        const s = pb.yTrue.map((_x, i) => pb.probs[i * 2 + 1] as number);
        const curves = r.curves[0] as Curves;
        compareRoc(rocCurve(y, s), curves, 'binary');
        comparePr(prCurve(y, s), curves, 'binary');
      } else {
        const ovr = rocOneVsRest(pb.yTrue, pb.probs, pb.k);
        ovr.perClass.forEach((curve, c) => compareRoc(curve, r.curves[c] as Curves, `class ${c}`));
        for (let c = 0; c < pb.k; c++) {
          const y = pb.yTrue.map((v) => (v === c ? 1 : 0));
          const s = pb.yTrue.map((_x, i) => pb.probs[i * pb.k + c] as number);
          comparePr(prCurve(y, s), r.curves[c] as Curves, `class ${c}`);
        }
        if (r.ovrMacroAuc === null) {
          expect(ovr.undefinedClasses.length).toBeGreaterThan(0);
        } else {
          expect(ovr.undefinedClasses).toEqual([]);
          expectNear(ovr.macroAuc ?? NaN, r.ovrMacroAuc, 'ovr macro auc');
        }
      }
    });

    it('log loss, calibration curve, temperature scaling', () => {
      const r = ref();
      expectNear(logLoss(pb.yTrue, pb.probs, pb.k), r.logLoss, 'log loss');
      const atT = softmaxWithTemperature(pb.logits, pb.k, pb.temperature);
      expectNear(logLoss(pb.yTrue, atT, pb.k), r.logLossAtT, 'log loss at T');
      expectNear(
        temperatureNll(pb.logits, pb.yTrue, pb.k, pb.temperature),
        r.logLossAtT,
        'temperatureNll',
      );
      const column = pb.k === 2 ? 1 : 0;
      const cal = calibrationCurve(
        pb.yTrue.map((v) => (v === column ? 1 : 0)),
        pb.yTrue.map((_x, i) => pb.probs[i * pb.k + column] as number),
        pb.nBins,
      );
      expectAllNear(cal.probTrue, r.calibration[0], 'calibration prob_true');
      expectAllNear(cal.probPred, r.calibration[1], 'calibration prob_pred');
      // scipy's bounded Brent stops within ~1e-10 in log T; the NLL is flat there, so compare it tightly.
      const t = fitTemperature(Float32Array.from(pb.logits), pb.yTrue, pb.k);
      expect(Math.abs(Math.log(t) - Math.log(r.fittedT))).toBeLessThan(1e-6);
      const ours = temperatureNll(Float32Array.from(pb.logits), pb.yTrue, pb.k, t);
      expect(ours).toBeLessThanOrEqual(r.fittedNll + 1e-12);
      expect(r.fittedNll - ours).toBeLessThan(1e-9);
      compared++;
    });
  });
});

it('scikit-learn agreement compared real values when running in CI', () => {
  if (process.env['CI'] === 'true') {
    expect(
      compared,
      `nothing was compared with scikit-learn: install python3-sklearn so that ${PYTHON} can import sklearn`,
    ).toBeGreaterThan(0);
  }
});
