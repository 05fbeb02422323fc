// Deterministic, realistic sample inputs for every chart (tests and scripts/render-sample-charts.ts).
import { MULTICLASS_LABELS } from '../../domain.ts';
import { createRng, type Rng } from '../../rng.ts';
import type { ConfusionMatrixInput } from '../confusion-matrix.ts';
import type { HistogramInput } from '../histogram.ts';
import type { EpochPoint, LossCurvesInput } from '../loss-curves.ts';
import type { ReliabilityBin, ReliabilityInput } from '../reliability.ts';
import type { PrCurve, PrInput, RocCurve, RocInput } from '../roc-pr.ts';
import type { ScatterInput, ScatterPoint } from '../scatter.ts';

export { MULTICLASS_LABELS } from '../../domain.ts';

/** Standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

export function sampleLossCurves(): LossCurvesInput {
  const rng = createRng(11);
  const epochs: EpochPoint[] = [];
  for (let epoch = 1; epoch <= 30; epoch++) {
    const trainLoss = 0.1 + 1.3 * Math.exp(-epoch / 6) + 0.02 * rng();
    const valLoss =
      0.22 +
      1.1 * Math.exp(-epoch / 5.5) +
      0.0009 * (epoch - 16) ** 2 * (epoch > 16 ? 1 : 0) +
      0.02 * rng();
    const valF1 =
      0.93 - 0.65 * Math.exp(-epoch / 4.5) - (epoch > 20 ? 0.002 * (epoch - 20) : 0) + 0.01 * rng();
    const valAccuracy = Math.min(0.99, valF1 + 0.025 + 0.005 * rng());
    epochs.push({
      epoch,
      trainLoss: round(trainLoss),
      valLoss: round(valLoss),
      valF1: round(valF1),
      valAccuracy: round(valAccuracy),
    });
  }
  return { epochs };
}

export function sampleConfusionMatrix(): ConfusionMatrixInput {
  return {
    labels: [...MULTICLASS_LABELS],
    matrix: [
      [412, 3, 9, 2, 14],
      [2, 188, 1, 0, 9],
      [11, 0, 297, 4, 8],
      [3, 1, 6, 163, 7],
      [18, 6, 10, 5, 1630],
    ],
  };
}

export function sampleBinaryConfusionMatrix(): ConfusionMatrixInput {
  return {
    labels: ['Betalactamase', 'Non-Betalactamase'],
    matrix: [
      [1091, 35],
      [42, 1618],
    ],
  };
}

/** Scores for positives and negatives of one class, separated by `separation` SDs. */
function scores(rng: Rng, n: number, separation: number): { pos: number[]; neg: number[] } {
  const pos = Array.from({ length: n }, () => separation + normal(rng));
  const neg = Array.from({ length: n * 3 }, () => normal(rng));
  return { pos, neg };
}

/** Exact ROC and PR points plus AUC and AP from scored positives and negatives. */
export function curvesFromScores(
  label: string,
  pos: readonly number[],
  neg: readonly number[],
): { roc: RocCurve; pr: PrCurve } {
  const all = [...pos.map((s) => ({ s, y: 1 })), ...neg.map((s) => ({ s, y: 0 }))].sort(
    (a, b) => b.s - a.s,
  );
  const fpr = [0];
  const tpr = [0];
  const precision = [1];
  const recall = [0];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let ap = 0;
  for (let i = 0; i < all.length; i++) {
    const item = all[i];
    if (item === undefined) {
      continue;
    }
    if (item.y === 1) {
      tp += 1;
    } else {
      fp += 1;
    }
    const next = all[i + 1];
    if (next !== undefined && next.s === item.s) {
      continue;
    }
    const newFpr = fp / neg.length;
    const newTpr = tp / pos.length;
    auc += (newFpr - (fpr[fpr.length - 1] ?? 0)) * (newTpr + (tpr[tpr.length - 1] ?? 0)) * 0.5;
    const newPrecision = tp / (tp + fp);
    ap += (newTpr - (recall[recall.length - 1] ?? 0)) * newPrecision;
    fpr.push(round(newFpr));
    tpr.push(round(newTpr));
    recall.push(round(newTpr));
    precision.push(round(newPrecision));
  }
  return {
    roc: { label, fpr, tpr, auc: round(auc) },
    pr: { label, precision, recall, ap: round(ap) },
  };
}

function sampleCurves(): { roc: RocInput; pr: PrInput } {
  const rng = createRng(23);
  const separations = [2.6, 3.4, 2.3, 2.0, 2.9];
  const curves = MULTICLASS_LABELS.map((label, i) => {
    const { pos, neg } = scores(rng, 150, separations[i] ?? 2);
    return curvesFromScores(label, pos, neg);
  });
  return { roc: { curves: curves.map((c) => c.roc) }, pr: { curves: curves.map((c) => c.pr) } };
}

export function sampleRoc(): RocInput {
  return sampleCurves().roc;
}

export function samplePr(): PrInput {
  return sampleCurves().pr;
}

export function sampleBinaryRoc(): RocInput {
  const rng = createRng(5);
  const { pos, neg } = scores(rng, 200, 2.8);
  return { curves: [curvesFromScores('Betalactamase', pos, neg).roc] };
}

/** Equal-width bins of (confidence, correct) pairs, and their expected calibration error. */
export function reliabilityBins(
  samples: readonly { confidence: number; correct: boolean }[],
  nBins: number,
): { bins: ReliabilityBin[]; ece: number } {
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    const lower = b / nBins;
    const upper = (b + 1) / nBins;
    const inBin = samples.filter(
      (s) =>
        s.confidence > lower &&
        (s.confidence <= upper || (b === nBins - 1 && s.confidence >= upper)),
    );
    const count = inBin.length;
    const confidence = count > 0 ? inBin.reduce((a, s) => a + s.confidence, 0) / count : 0;
    const accuracy = count > 0 ? inBin.filter((s) => s.correct).length / count : 0;
    ece += (count / samples.length) * Math.abs(accuracy - confidence);
    bins.push({
      lower: round(lower),
      upper: round(upper),
      count,
      confidence: round(confidence),
      accuracy: round(accuracy),
    });
  }
  return { bins, ece: round(ece) };
}

export function sampleReliability(): ReliabilityInput {
  const rng = createRng(7);
  const before: { confidence: number; correct: boolean }[] = [];
  const after: { confidence: number; correct: boolean }[] = [];
  for (let i = 0; i < 3000; i++) {
    // An over-confident model: true accuracy is lower than the stated confidence.
    const trueP = 0.25 + 0.75 * Math.sqrt(rng());
    const correct = rng() < trueP;
    const stated = Math.min(0.999, trueP + 0.12 * (1 - trueP) + 0.1 * (trueP - 0.25));
    before.push({ confidence: stated, correct });
    after.push({ confidence: Math.min(0.999, trueP + 0.02 * normal(rng)), correct });
  }
  const b = reliabilityBins(before, 10);
  const a = reliabilityBins(after, 10);
  return { bins: b.bins, ece: b.ece, binsAfter: a.bins, eceAfter: a.ece, temperature: 1.43 };
}

export function sampleScatter(): ScatterInput {
  const rng = createRng(31);
  const centres: Record<string, [number, number, number]> = {
    A: [2, 6, 0.9],
    B: [8.5, 7, 0.7],
    C: [3.5, 1.5, 0.8],
    D: [9, 2, 0.6],
    NBL: [6, 4, 1.6],
  };
  const sizes: Record<string, number> = { A: 220, B: 110, C: 160, D: 90, NBL: 420 };
  const reference: ScatterPoint[] = [];
  for (const label of MULTICLASS_LABELS) {
    const [cx, cy, sd] = centres[label] ?? [0, 0, 1];
    for (let i = 0; i < (sizes[label] ?? 100); i++) {
      reference.push({
        x: round(cx + sd * normal(rng), 3),
        y: round(cy + sd * normal(rng), 3),
        label,
        id: `ref_${label}_${String(i).padStart(4, '0')}`,
      });
    }
  }
  const queries: ScatterPoint[] = [
    { x: 2.4, y: 5.6, label: 'A', id: 'query_1' },
    { x: 8.9, y: 2.6, label: 'D', id: 'query_2' },
    { x: 6.9, y: 5.6, label: 'NBL', id: 'query_3' },
  ];
  return { reference, queries };
}

export function sampleHistogram(): HistogramInput {
  const rng = createRng(41);
  const reference = Array.from({ length: 2000 }, () => round(290 + 40 * normal(rng), 1));
  const current = Array.from({ length: 500 }, () => round(320 + 55 * normal(rng), 1));
  return {
    reference,
    current,
    bins: 30,
    title: 'Sequence length: reference vs current',
    subtitle: 'KS D = 0.27, p < 0.001 (drift)',
    xTitle: 'Sequence length (residues)',
  };
}
