// Bench: is the confidence calibrated on unseen families? The published identity-cluster 5-fold CV, each fold predicted by the product's predictor.
// Run: npx tsx bench/calibration.ts [--epochs 50] [--no-docs] [--dump] [--charts-only]   (about 10 minutes on 2 busy cores)
// Writes bench/out/calibration.{md,json} and, unless --no-docs, docs/images/calibration-{reliability,risk-coverage}.{svg,png}.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { MULTICLASS_LABELS } from '../src/core/data/labelled.ts';
import { groupStratifiedSplit } from '../src/core/data/split.ts';
import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
  embedSequence,
} from '../src/core/embed/builtin-embedder.ts';
import { DEFAULT_RELIABILITY_BINS, reliabilityDiagram } from '../src/core/metrics/calibration.ts';
import type { ReliabilityDiagram } from '../src/core/metrics/calibration.ts';
import { classificationReport } from '../src/core/metrics/classification-report.ts';
import { confidenceAuroc, riskCoverage } from '../src/core/metrics/selective.ts';
import type { RiskCoverage } from '../src/core/metrics/selective.ts';
import type { ModelHeaderBody } from '../src/core/model/artifact.ts';
import { decodeArtifact, encodeArtifact } from '../src/core/model/artifact.ts';
import { calledProbabilities } from '../src/core/model/confidence-calibrator.ts';
import { takeRows, type DenseDataset } from '../src/core/model/dataset.ts';
import type { MlpSpec } from '../src/core/model/mlp.ts';
import { forwardLogits } from '../src/core/model/mlp.ts';
import type { AdamConfig } from '../src/core/model/optimizer.ts';
import { createPredictor } from '../src/core/model/predictor.ts';
import { standardiser } from '../src/core/model/standardise.ts';
import { trainClassifier } from '../src/core/model/train-loop.ts';
import { reliabilitySpec } from '../src/core/plot/reliability.ts';
import { riskCoverageSpec } from '../src/core/plot/risk-coverage.ts';
import { createRng } from '../src/core/rng.ts';
import { DEFAULT_SHAPES } from '../src/core/sequence/seed-index.ts';
import { writeChart } from '../src/io/render-chart.ts';
import {
  loadFastestKernels,
  loadFastestPairAligner,
  loadFastestScreenKernels,
} from '../src/native/load-kernels.ts';
import { outOfFoldCalibration } from '../src/pipeline/calibration-stage.ts';
import { fitValidationFusion } from '../src/pipeline/evaluation.ts';
import { evidenceAgainst, rows } from '../src/pipeline/homology-stage.ts';
import { loadData, readTsv } from './lib/cv-data.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/out');
const IMAGES = join(ROOT, 'docs/images');
const FOLDS_TSV = join(ROOT, 'data/default/splits/cdhit40-5fold.tsv');
const SEED = 42;
/** As bench/train-quality.ts: the validation part of each training fold, by clusters. */
const INNER_SPLIT = [0.85, 0.15, 0] as const;
const NBL = MULTICLASS_LABELS.indexOf('NBL');
/** A β-lactamase call "has a close reference" when its nearest reference is at least this identical. */
const CLOSE_IDENTITY = 0.4;
const EPOCHS = argNumber('--epochs', 50);
/** configs/model/mlp.yaml and configs/experiment/default.yaml, as arginator train uses them. */
const HOMOLOGY = { candidates: 2, seedCandidates: 20, minSimilarity: 0.1 } as const;
const ADAM: AdamConfig = {
  name: 'adam',
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weight_decay: 1e-4,
  amsgrad: false,
};

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(`${name} needs a positive integer`);
  }
  return v;
}

interface Row {
  readonly id: string;
  readonly fold: number;
  readonly y: number;
  readonly call: number;
  /** Confidence of the product's predictor (calibrated). */
  readonly confidence: number;
  /** Confidence of the same calls under temperature scaling alone (the previous product). */
  readonly temperatureConfidence: number;
  readonly identity: number | undefined;
}

function foldsFromFile(ids: readonly string[]): Int32Array {
  const table = readTsv(FOLDS_TSV);
  return Int32Array.from(ids, (id) => {
    const fold = Number(table.get(id)?.['fold']);
    if (!Number.isInteger(fold) || fold < 0) {
      throw new Error(`${id} has no fold in ${FOLDS_TSV}`);
    }
    return fold;
  });
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
const f3 = (v: number | null): string => (v === null || Number.isNaN(v) ? '–' : v.toFixed(3));
const f4 = (v: number | null): string => (v === null || Number.isNaN(v) ? '–' : v.toFixed(4));

function summary(rs: readonly Row[], pick: (r: Row) => number, k: number) {
  const proba = new Float64Array(rs.length * k);
  // The reliability diagram only reads the top class and its probability: put the confidence on the call.
  rs.forEach((r, i) => {
    const rest = (1 - pick(r)) / (k - 1);
    for (let c = 0; c < k; c++) {
      proba[i * k + c] = c === r.call ? pick(r) : rest;
    }
  });
  const diagram = reliabilityDiagram(
    proba,
    rs.map((r) => r.y),
    k,
  );
  const correct = rs.map((r) => r.call === r.y);
  const confidence = rs.map(pick);
  return {
    diagram,
    auroc: confidenceAuroc(confidence, correct),
    rc: riskCoverage(confidence, correct),
  };
}

function toBins(bins: ReliabilityDiagram['bins']) {
  return bins.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    confidence: b.meanConfidence,
    accuracy: b.accuracy,
  }));
}

/** What the docs' charts need, as bench/out/calibration.json holds it. */
interface ChartData {
  readonly calls: number;
  readonly wrong: number;
  readonly calibrated: {
    bins: ReliabilityDiagram['bins'];
    ece: number;
    riskCoverage: RiskCoverage;
  };
  readonly temperatureOnly: {
    bins: ReliabilityDiagram['bins'];
    ece: number;
    riskCoverage: RiskCoverage;
  };
}

async function writeDocCharts(d: ChartData): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  await writeChart(
    join(IMAGES, 'calibration-reliability'),
    reliabilitySpec({
      bins: toBins(d.temperatureOnly.bins),
      ece: d.temperatureOnly.ece,
      beforeLabel: 'Temperature only',
      binsAfter: toBins(d.calibrated.bins),
      eceAfter: d.calibrated.ece,
      afterLabel: 'Out-of-fold calibrator',
      title: `Reliability, identity-cluster 5-fold CV (${d.calls} calls, ${d.wrong} wrong)`,
    }),
  );
  const curve = (label: string, rc: RiskCoverage) => ({
    label,
    coverage: rc.points.map((p) => p.coverage),
    risk: rc.points.map((p) => p.risk),
    aurc: rc.aurc,
  });
  await writeChart(
    join(IMAGES, 'calibration-risk-coverage'),
    riskCoverageSpec({
      curves: [
        curve('Out-of-fold calibrator', d.calibrated.riskCoverage),
        curve('Temperature only', d.temperatureOnly.riskCoverage),
      ],
      title: `Risk–coverage, identity-cluster 5-fold CV (${d.wrong} wrong of ${d.calls})`,
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--charts-only')) {
    // Redraw the docs' charts from the last run's numbers (no training).
    await writeDocCharts(
      JSON.parse(readFileSync(join(OUT, 'calibration.json'), 'utf8')) as ChartData,
    );
    console.error('wrote docs/images/calibration-* from bench/out/calibration.json');
    return;
  }
  const started = performance.now();
  mkdirSync(OUT, { recursive: true });
  const data = await loadData();
  const n = data.ids.length;
  const k = MULTICLASS_LABELS.length;
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: data.y,
    n,
    dim: BUILTIN_DIM,
  };
  data.sequences.forEach((s, i) =>
    embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  const kernels = loadFastestKernels();
  const pairAligner = loadFastestPairAligner();
  const foldOf = foldsFromFile(data.ids);
  const folds = Math.max(...foldOf) + 1;
  const out: Row[] = [];
  const dump: unknown[] = [];
  const perFold: {
    fold: number;
    seconds: number;
    calibrationSeconds: number;
    alpha: number;
    temperature: number;
    oofCalls: number;
    oofWrong: number;
    weights: readonly number[];
  }[] = [];
  for (let f = 0; f < folds; f++) {
    const t0 = performance.now();
    const trainFold = Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] !== f);
    const test = Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] === f);
    const inner = groupStratifiedSplit(
      trainFold.map((i) => data.y[i] as number),
      trainFold.map((i) => data.groups[i] as number),
      INNER_SPLIT,
      createRng(SEED),
    );
    const trainRows = Array.from(inner.train, (j) => trainFold[j] as number);
    const valRows = Array.from(inner.val, (j) => trainFold[j] as number);
    const norm = standardiser(all, trainRows);
    const trainSet = norm.apply(takeRows(all, trainRows));
    const valSet = norm.apply(takeRows(all, valRows));
    const spec: MlpSpec = { inputDim: BUILTIN_DIM, hidden: [256, 128], outputDim: k, dropout: 0.2 };
    const training = {
      epochs: EPOCHS,
      batchSize: 32,
      optimizer: ADAM,
      seed: SEED,
      sampling: 'weighted' as const,
      yieldEvery: 0,
    };
    const result = await trainClassifier(
      trainSet,
      valSet,
      spec,
      { ...training, earlyStoppingPatience: 8 },
      kernels,
    );
    const settings = {
      all,
      sequences: data.sequences,
      classes: k,
      candidates: HOMOLOGY.candidates,
      seedCandidates: HOMOLOGY.seedCandidates,
      kernels,
      pairAligner,
    };
    const [valEvidence, testEvidence] = evidenceAgainst(settings, trainRows, [valRows, test]);
    const fusion = fitValidationFusion(result.params, valSet, k, kernels, valEvidence);
    // The product's calibration stage, over the training fold (its train and validation parts).
    const tc = performance.now();
    const oof = await outOfFoldCalibration({
      all,
      pool: [...trainRows, ...valRows],
      groups: data.groups,
      spec,
      training: { ...training, epochs: result.bestEpoch, classWeights: 'none' },
      homology: { ...settings, alpha: fusion.alpha, minSimilarity: HOMOLOGY.minSimilarity },
      temperature: fusion.temperature,
      negative: NBL,
      kernels,
      seed: SEED,
    });
    const calibrationSeconds = (performance.now() - tc) / 1000;
    // The fold's model as arginator train stores it, through the artifact and the product's predictor.
    const header: ModelHeaderBody = {
      packageVersion: 'bench',
      createdAt: new Date().toISOString(),
      task: 'multiclass',
      labels: MULTICLASS_LABELS,
      embedder: {
        name: 'builtin',
        id: BUILTIN_ID,
        dim: BUILTIN_DIM,
        fingerprint: BUILTIN_FINGERPRINT,
        options: {},
      },
      architecture: {
        kind: 'mlp',
        inputDim: BUILTIN_DIM,
        hidden: spec.hidden,
        outputDim: k,
        dropout: spec.dropout,
      },
      normalisation: { kind: 'standardise' },
      homology: {
        candidates: HOMOLOGY.candidates,
        seedCandidates: HOMOLOGY.seedCandidates,
        seedShapes: [...DEFAULT_SHAPES],
        alpha: fusion.alpha,
        minSimilarity: HOMOLOGY.minSimilarity,
        references: {
          ids: trainRows.map((i) => data.ids[i] ?? ''),
          labels: trainRows.map((i) => data.y[i] as number),
          sequences: trainRows.map((i) => data.sequences[i] ?? ''),
        },
      },
      calibration: { temperature: fusion.temperature, confidence: oof.calibrator },
      training: {},
    };
    const model = decodeArtifact(
      encodeArtifact(
        header,
        new Map([
          ['mlp.params', result.params.data],
          ['norm.mean', norm.mean],
          ['norm.std', norm.std],
        ]),
      ),
    );
    const predictor = createPredictor(
      model,
      kernels,
      rows(all, trainRows),
      pairAligner,
      undefined,
      {},
      {
        screenKernels: loadFastestScreenKernels(),
      },
    );
    const predictions = predictor.predict(
      test.map((i) => data.sequences[i] ?? ''),
      rows(all, test),
    );
    // The previous product's probabilities for the same calls: softmax at T, then the floor.
    const testSet = norm.apply(takeRows(all, test));
    const beforeCalls = calledProbabilities(
      forwardLogits(result.params, testSet.x, testSet.n, kernels),
      testEvidence,
      {
        k,
        alpha: fusion.alpha,
        temperature: fusion.temperature,
        negative: NBL,
        minSimilarity: HOMOLOGY.minSimilarity,
      },
    );
    const before = beforeCalls.proba;
    dump.push({
      fold: f,
      oof: {
        logits: Array.from(oof.calls.logits),
        proba: Array.from(oof.calls.proba),
        similarity: Array.from(oof.calls.similarity ?? []),
        y: Array.from(oof.y),
        leftOut: oof.leftOut,
      },
      test: {
        logits: Array.from(beforeCalls.logits),
        proba: Array.from(before),
        similarity: Array.from(testEvidence ?? []),
        y: test.map((i) => data.y[i] as number),
        identity: predictions.map((p) => p.nearest?.identity ?? null),
      },
    });
    predictions.forEach((p, t) => {
      const i = test[t] as number;
      const call = MULTICLASS_LABELS.indexOf(p.label as (typeof MULTICLASS_LABELS)[number]);
      out.push({
        id: data.ids[i] ?? '',
        fold: f,
        y: data.y[i] as number,
        call,
        confidence: p.confidence,
        temperatureConfidence: before[t * k + call] as number,
        identity: p.nearest?.identity,
      });
    });
    const seconds = (performance.now() - t0) / 1000;
    perFold.push({
      fold: f,
      seconds,
      calibrationSeconds,
      alpha: fusion.alpha,
      temperature: fusion.temperature,
      oofCalls: oof.calibrator.fitted.calls,
      oofWrong: oof.calibrator.fitted.wrong,
      weights: oof.calibrator.weights,
    });
    console.error(
      `fold ${f}: ${seconds.toFixed(1)} s (calibration ${calibrationSeconds.toFixed(1)} s), α ${fusion.alpha}, T ${fusion.temperature.toFixed(3)}, out-of-fold calls ${oof.calibrator.fitted.calls} (${oof.calibrator.fitted.wrong} wrong, ${oof.leftOut} left out), weights ${oof.calibrator.weights.map((w) => w.toFixed(2)).join(' ')}`,
    );
  }

  const calibrated = summary(out, (r) => r.confidence, k);
  const temperature = summary(out, (r) => r.temperatureConfidence, k);
  const wrong = out.filter((r) => r.call !== r.y);
  const report = classificationReport(
    out.map((r) => r.y),
    out.map((r) => r.call),
    MULTICLASS_LABELS,
  );
  const bl = out.filter((r) => r.call !== NBL);
  const close = bl.filter((r) => (r.identity ?? 0) >= CLOSE_IDENTITY);
  const far = bl.filter((r) => !((r.identity ?? 0) >= CLOSE_IDENTITY));
  const band = (rs: readonly Row[]) => ({
    n: rs.length,
    wrong: rs.filter((r) => r.call !== r.y).length,
    meanConfidence: mean(rs.map((r) => r.confidence)),
    meanTemperatureConfidence: mean(rs.map((r) => r.temperatureConfidence)),
    accuracy: mean(rs.map((r) => (r.call === r.y ? 1 : 0))),
  });
  const totalSeconds = (performance.now() - started) / 1000;
  const date = new Date().toISOString();
  const shown100 = (pick: (r: Row) => number) =>
    out.filter((r) => (pick(r) * 100).toFixed(1) === '100.0').length;
  const table = [
    '| confidence | ECE (15 bins) | MCE | AUROC right vs wrong | AURC | max confidence | rows shown as 100.0% |',
    '|---|---|---|---|---|---|---|',
    `| temperature only (previous) | ${f4(temperature.diagram.ece)} | ${f3(temperature.diagram.mce)} | ${f3(temperature.auroc)} | ${temperature.rc.aurc.toFixed(6)} | ${Math.max(...out.map((r) => r.temperatureConfidence)).toFixed(6)} | ${shown100((r) => r.temperatureConfidence)} |`,
    `| **out-of-fold calibrator (product)** | **${f4(calibrated.diagram.ece)}** | ${f3(calibrated.diagram.mce)} | **${f3(calibrated.auroc)}** | ${calibrated.rc.aurc.toFixed(6)} | ${Math.max(...out.map((r) => r.confidence)).toFixed(6)} | ${shown100((r) => r.confidence)} |`,
  ];
  const bandTable = [
    `| β-lactamase calls | n | wrong | accuracy | mean confidence (calibrated) | mean confidence (temperature only) |`,
    '|---|---|---|---|---|---|',
    ...(
      [
        [`nearest reference ≥ ${CLOSE_IDENTITY * 100}% identical`, band(close)],
        [`nearest reference < ${CLOSE_IDENTITY * 100}% identical (or none)`, band(far)],
      ] as const
    ).map(
      ([name, b]) =>
        `| ${name} | ${b.n} | ${b.wrong} | ${f4(b.accuracy)} | ${f4(b.meanConfidence)} | ${f4(b.meanTemperatureConfidence)} |`,
    ),
  ];
  const wrongTable = [
    '| protein | fold | true | call | nearest identity | confidence (calibrated) | confidence (temperature only) |',
    '|---|---|---|---|---|---|---|',
    ...wrong.map(
      (r) =>
        `| ${r.id} | ${r.fold} | ${MULTICLASS_LABELS[r.y]} | ${MULTICLASS_LABELS[r.call]} | ${r.identity === undefined ? '–' : r.identity.toFixed(3)} | ${r.confidence.toFixed(4)} | ${r.temperatureConfidence.toFixed(4)} |`,
    ),
  ];
  const markdown = [
    '# Confidence calibration on the identity-cluster 5-fold CV',
    '',
    `${date}; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; total ${totalSeconds.toFixed(0)} s.`,
    `${n} proteins; folds from data/default/splits/cdhit40-5fold.tsv; per fold the default multiclass model (MLP [256,128], homology evidence, ${HOMOLOGY.candidates} cosine + ${HOMOLOGY.seedCandidates} seed candidates, floor ${HOMOLOGY.minSimilarity}) trained on the other four folds (0.85/0.15 cluster split for early stopping, α and T on that validation part), the confidence calibrator fitted on out-of-fold calls of those four folds (${perFold[0]?.oofCalls === undefined ? '' : 'inner identity-cluster 5-fold'}), then the held-out fold predicted by the product's predictor from the encoded artifact.`,
    `Calls: ${out.length}, wrong: ${wrong.length} (macro-F1 over present classes ${f3(report.f1)}); ECE with ${DEFAULT_RELIABILITY_BINS} equal-width bins over the top-class confidence. With ${wrong.length} wrong calls the AUROC moves by about ${(1 / Math.max(wrong.length, 1)).toFixed(2)} per wrong call ranked differently.`,
    '',
    ...table,
    '',
    ...bandTable,
    '',
    ...wrongTable,
    '',
    '| fold | s | calibration s | α | T | out-of-fold calls (wrong) | weights |',
    '|---|---|---|---|---|---|---|',
    ...perFold.map(
      (p) =>
        `| ${p.fold} | ${p.seconds.toFixed(1)} | ${p.calibrationSeconds.toFixed(1)} | ${p.alpha} | ${p.temperature.toFixed(3)} | ${p.oofCalls} (${p.oofWrong}) | ${p.weights.map((w) => w.toFixed(2)).join(' ')} |`,
    ),
    '',
  ].join('\n');
  process.stdout.write(markdown);
  writeFileSync(join(OUT, 'calibration.md'), markdown);
  const rcJson = (rc: RiskCoverage) => ({
    n: rc.n,
    wrong: rc.wrong,
    aurc: rc.aurc,
    points: rc.points,
  });
  writeFileSync(
    join(OUT, 'calibration.json'),
    JSON.stringify(
      {
        date,
        totalSeconds,
        closeIdentity: CLOSE_IDENTITY,
        calls: out.length,
        wrong: wrong.length,
        calibrated: {
          ece: calibrated.diagram.ece,
          mce: calibrated.diagram.mce,
          auroc: calibrated.auroc,
          bins: calibrated.diagram.bins,
          riskCoverage: rcJson(calibrated.rc),
        },
        temperatureOnly: {
          ece: temperature.diagram.ece,
          mce: temperature.diagram.mce,
          auroc: temperature.auroc,
          bins: temperature.diagram.bins,
          riskCoverage: rcJson(temperature.rc),
        },
        betaLactamaseCalls: { close: band(close), far: band(far) },
        wrongCalls: wrong,
        perFold,
      },
      null,
      2,
    ),
  );
  if (process.argv.includes('--dump')) {
    writeFileSync(join(OUT, 'calibration-dump.json'), JSON.stringify(dump));
  }
  if (!process.argv.includes('--no-docs')) {
    await writeDocCharts({
      calls: out.length,
      wrong: wrong.length,
      calibrated: {
        bins: calibrated.diagram.bins,
        ece: calibrated.diagram.ece,
        riskCoverage: calibrated.rc,
      },
      temperatureOnly: {
        bins: temperature.diagram.bins,
        ece: temperature.diagram.ece,
        riskCoverage: temperature.rc,
      },
    });
  }
  console.error(
    `wrote ${join(OUT, 'calibration.md')}${process.argv.includes('--no-docs') ? '' : ' and docs/images/calibration-*'}`,
  );
}

await main();
