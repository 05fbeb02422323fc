// Bench: trained classifiers (MLP, logistic regression, binary MLP) vs DIAMOND best hit on the same identity-cluster 5-fold CV.
// Run: npx tsx bench/train-quality.ts [--epochs 50] [--defaults-only]   (needs data/default/derived/clusters-cdhit40.tsv and diamond on PATH)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { BINARY_LABELS, MULTICLASS_LABELS } from '../src/core/data/labelled.ts';
import type { MulticlassLabel } from '../src/core/data/labelled.ts';
import { groupKFold, groupStratifiedSplit } from '../src/core/data/split.ts';
import { BUILTIN_DIM, BUILTIN_ID, embedSequence } from '../src/core/embed/builtin-embedder.ts';
import { classificationReport } from '../src/core/metrics/classification-report.ts';
import type { ClassificationReport } from '../src/core/metrics/classification-report.ts';
import { takeRows, type DenseDataset } from '../src/core/model/dataset.ts';
import type { Kernels } from '../src/core/model/kernels.ts';
import { fuseLogits } from '../src/core/model/evidence-fusion.ts';
import { homologyFeatures } from '../src/core/model/homology.ts';
import { maskUnsupportedClasses } from '../src/core/model/decision-rule.ts';
import { forwardLogits, predictProba, softmaxRows, type MlpSpec } from '../src/core/model/mlp.ts';
import type { AdamConfig } from '../src/core/model/optimizer.ts';
import { trainClassifier } from '../src/core/model/train-loop.ts';
import { createRng } from '../src/core/rng.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../src/native/load-kernels.ts';
import { argmaxRows, evaluate } from '../src/pipeline/evaluation.ts';
import { standardiser } from '../src/core/model/standardise.ts';
import { loadData, type Data } from './lib/cv-data.ts';
import { diamondAvailable, diamondBestHits, type BestHit } from './lib/diamond-baseline.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/out');
const SPLITS = join(ROOT, 'data/default/splits');
const FOLDS = 5;
const SEED = 42;
/** Validation part of each training fold, split by clusters (train, val, test). */
const INNER_SPLIT = [0.85, 0.15, 0] as const;
const LOW_IDENTITY = 40;
const NBL = MULTICLASS_LABELS.indexOf('NBL');
const BL = BINARY_LABELS.indexOf('Betalactamase');

/** configs/experiment/default.yaml; epochs can be lowered for a smoke run. */
const EPOCHS = argNumber('--epochs', 50);
const EXPERIMENT = { batchSize: 32, patience: 8, dropout: 0.2 } as const;
/** The homology evidence of configs/model/mlp.yaml: candidates, seed candidates, evidence floor. */
const HOMOLOGY = {
  candidates: argNumber('--candidates', 2),
  seedCandidates: argNumber('--seed-candidates', 20),
  minSimilarity: 0.1,
} as const;
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

interface ModelConfig {
  readonly name: string;
  readonly task: 'multiclass' | 'binary';
  readonly hidden: readonly number[];
  readonly balance: 'weighted_sampler' | 'class_weights';
  /** Fuse homology evidence (the product default, model.homology=true): logits + α·similarity. */
  readonly homology?: boolean;
}

const ALL_MODELS: readonly ModelConfig[] = [
  {
    name: 'MLP [256,128] multiclass + homology evidence (default)',
    task: 'multiclass',
    hidden: [256, 128],
    balance: 'weighted_sampler',
    homology: true,
  },
  {
    name: 'MLP [256,128] binary + homology evidence (default)',
    task: 'binary',
    hidden: [256, 128],
    balance: 'weighted_sampler',
    homology: true,
  },
  {
    name: 'MLP [256,128] multiclass',
    task: 'multiclass',
    hidden: [256, 128],
    balance: 'weighted_sampler',
  },
  {
    name: 'MLP [256,128] multiclass, class_weights',
    task: 'multiclass',
    hidden: [256, 128],
    balance: 'class_weights',
  },
  {
    name: 'logistic regression multiclass',
    task: 'multiclass',
    hidden: [],
    balance: 'weighted_sampler',
  },
  { name: 'MLP [256,128] binary', task: 'binary', hidden: [256, 128], balance: 'weighted_sampler' },
];

/** `--defaults-only`: just the two product models (with homology evidence), for a quicker run. */
const MODELS = process.argv.includes('--defaults-only')
  ? ALL_MODELS.filter((m) => m.homology === true)
  : ALL_MODELS;

const DIAMOND_MODES: readonly { name: string; flags: readonly string[] }[] = [
  { name: 'DIAMOND best hit (default)', flags: [] },
  { name: 'DIAMOND best hit (--sensitive)', flags: ['--sensitive'] },
];

// ---------- training ----------
interface FoldRun {
  readonly fold: number;
  readonly seconds: number;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  /** One-vs-rest ROC AUC on the fold's test set (macro for multiclass, positive class for binary). */
  readonly rocAuc: number | null;
}

function trainAndPredict(
  model: ModelConfig,
  trainSet: DenseDataset,
  valSet: DenseDataset,
  testSet: DenseDataset,
  kernels: Kernels,
  evidence?: { val: Float32Array; test: Float32Array },
): Promise<{ pred: Int32Array; run: Omit<FoldRun, 'fold'> }> {
  const k = model.task === 'binary' ? BINARY_LABELS.length : MULTICLASS_LABELS.length;
  const spec: MlpSpec = {
    inputDim: trainSet.dim,
    hidden: model.hidden,
    outputDim: k,
    dropout: model.hidden.length === 0 ? 0 : EXPERIMENT.dropout,
  };
  // As src/pipeline/train.ts: balanced weights n / (k · count) from the training part.
  const counts = new Float64Array(k);
  for (let i = 0; i < trainSet.n; i++) {
    const c = trainSet.y[i] as number;
    counts[c] = (counts[c] as number) + 1;
  }
  const classWeights =
    model.balance === 'class_weights'
      ? Float32Array.from(counts, (c) => (c === 0 ? 0 : trainSet.n / (k * c)))
      : undefined;
  const t0 = performance.now();
  return trainClassifier(
    trainSet,
    valSet,
    spec,
    {
      epochs: EPOCHS,
      batchSize: EXPERIMENT.batchSize,
      optimizer: ADAM,
      seed: SEED,
      sampling: model.balance === 'weighted_sampler' ? 'weighted' : 'shuffle',
      ...(classWeights === undefined ? {} : { classWeights }),
      earlyStoppingPatience: EXPERIMENT.patience,
      yieldEvery: 0,
    },
    kernels,
  ).then((result) => {
    const seconds = (performance.now() - t0) / 1000;
    // Temperature scaling (fitted on validation) does not change the argmax; evaluate gives the AUC.
    const labels = model.task === 'binary' ? BINARY_LABELS : MULTICLASS_LABELS;
    const rule = {
      negative: model.task === 'binary' ? BINARY_LABELS.indexOf('Non-Betalactamase') : NBL,
      minSimilarity: HOMOLOGY.minSimilarity,
    };
    const ev = evaluate(
      result.params,
      valSet,
      testSet,
      labels,
      model.task === 'binary' ? BL : undefined,
      kernels,
      evidence,
      rule,
    );
    // As predictor.ts: fused logits, temperature, then the evidence floor (core/model/decision-rule.ts).
    const pred =
      evidence === undefined
        ? argmaxRows(predictProba(result.params, testSet.x, testSet.n, kernels), k)
        : argmaxRows(
            maskUnsupportedClasses(
              softmaxRows(
                fuseLogits(
                  forwardLogits(result.params, testSet.x, testSet.n, kernels),
                  evidence.test,
                  ev.fusion.alpha,
                ),
                k,
                ev.fusion.temperature,
              ),
              evidence.test,
              k,
              rule.negative,
              rule.minSimilarity,
            ),
            k,
          );
    return {
      pred,
      run: {
        seconds,
        bestEpoch: result.bestEpoch,
        epochsRun: result.history.length,
        stoppedEarly: result.stoppedEarly,
        rocAuc: ev.rocAuc,
      },
    };
  });
}

// ---------- metrics ----------
interface Scores {
  readonly n: number;
  /** Multiclass metrics; null for the binary model. */
  readonly macroF1: number | null;
  readonly accuracy: number | null;
  readonly mcc: number | null;
  readonly binaryF1: number;
  readonly binaryMcc: number;
  /** Share of true beta-lactamases given their correct Ambler class; null for the binary model. */
  readonly blClassAccuracy: number | null;
  readonly hardNegFP: number;
  readonly hardNeg: number;
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Macro-F1 over the classes with true members in the set (as ADR 0002's probe). The <40% subset has no
 * class C protein, so the product's report would score C as F1 = 0 whenever anything is predicted C; those
 * false C calls still count against accuracy, MCC and the other classes' precision.
 */
function macroOverPresent(report: ClassificationReport): number {
  const present = report.perClass.filter((c) => c.support > 0);
  return present.reduce((sum, c) => sum + c.f1, 0) / Math.max(present.length, 1);
}

/** `pred` holds multiclass indices, or binary indices when `binary` is set. */
function score(data: Data, pred: Int32Array, rows: readonly number[], binary: boolean): Scores {
  const predBl = (i: number): boolean => (binary ? pred[i] === BL : pred[i] !== NBL);
  const yTrueBin = rows.map((i) => data.yBin[i] as number);
  const yPredBin = rows.map((i) => (predBl(i) ? BL : 1 - BL));
  const bin = classificationReport(yTrueBin, yPredBin, BINARY_LABELS, { positive: BL });
  let multi: ClassificationReport | undefined;
  let blCorrect = 0;
  let blTotal = 0;
  if (!binary) {
    multi = classificationReport(
      rows.map((i) => data.y[i] as number),
      rows.map((i) => pred[i] as number),
      MULTICLASS_LABELS,
    );
    for (const i of rows) {
      if (data.y[i] !== NBL) {
        blTotal++;
        blCorrect += pred[i] === data.y[i] ? 1 : 0;
      }
    }
  }
  const hard = rows.filter((i) => data.hardNeg[i] === true);
  return {
    n: rows.length,
    macroF1: multi === undefined ? null : macroOverPresent(multi),
    accuracy: multi?.accuracy ?? null,
    mcc: multi?.mcc ?? null,
    binaryF1: bin.f1,
    binaryMcc: bin.mcc,
    blClassAccuracy: multi === undefined || blTotal === 0 ? null : blCorrect / blTotal,
    hardNegFP: hard.filter(predBl).length,
    hardNeg: hard.length,
    confusion: (multi ?? bin).confusionMatrix,
  };
}

// ---------- main ----------
interface Method {
  readonly name: string;
  readonly binary: boolean;
  readonly pred: Int32Array;
  readonly folds: FoldRun[];
}

const f3 = (v: number | null): string => (v === null ? '–' : v.toFixed(3));

function timeCell(folds: readonly FoldRun[]): string {
  const s = folds.map((r) => r.seconds);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(s.length, 1);
  return `${mean.toFixed(1)} (${Math.min(...s).toFixed(1)}–${Math.max(...s).toFixed(1)})`;
}

async function main(): Promise<void> {
  if (!diamondAvailable()) {
    throw new Error('diamond is not on PATH (Debian: apt-get install diamond-aligner)');
  }
  const started = performance.now();
  mkdirSync(OUT, { recursive: true });
  const data = await loadData();
  const n = data.ids.length;

  // Embed once; every fold and model reuses the matrix.
  const tEmbed = performance.now();
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: data.y,
    n,
    dim: BUILTIN_DIM,
  };
  data.sequences.forEach((s, i) =>
    embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  const embedSeconds = (performance.now() - tEmbed) / 1000;
  const allBin: DenseDataset = { ...all, y: data.yBin };
  const kernels = loadFastestKernels();

  const cv = groupKFold(data.y, data.groups, FOLDS, createRng(SEED));
  // Publish the folds, so anyone can rerun the comparison on exactly these held-out families.
  const foldOf = new Int32Array(n).fill(-1);
  cv.folds.forEach((f, k) => f.test.forEach((i) => (foldOf[i] = k)));
  mkdirSync(SPLITS, { recursive: true });
  writeFileSync(
    join(SPLITS, 'cdhit40-5fold.tsv'),
    `id\tcluster\tfold\n${data.ids.map((id, i) => `${id}\t${data.groups[i] ?? -1}\t${foldOf[i] ?? -1}`).join('\n')}\n`,
  );
  const foldSummary = cv.folds.map((f) =>
    MULTICLASS_LABELS.map((_, c) => Array.from(f.test).filter((i) => data.y[i] === c).length).join(
      '/',
    ),
  );
  console.error(`${n} proteins, ${BUILTIN_ID} embedded in ${embedSeconds.toFixed(2)} s`);
  console.error(`folds (test A/B/C/D/NBL): ${foldSummary.join('  ')}`);
  for (const w of cv.warnings) {
    console.error(`fold warning: ${w.message}`);
  }

  const methods: Method[] = [
    ...DIAMOND_MODES.map((d) => ({
      name: d.name,
      binary: false,
      pred: new Int32Array(n),
      folds: [],
    })),
    ...MODELS.map((m) => ({
      name: m.name,
      binary: m.task === 'binary',
      pred: new Int32Array(n),
      folds: [],
    })),
  ];
  /** Identity (%) of each protein's --sensitive best hit in its training fold; NaN = no hit. */
  const sensitiveIdentity = new Float64Array(n).fill(Number.NaN);
  const innerSplits: { train: number; val: number; warnings: string[] }[] = [];

  for (let f = 0; f < FOLDS; f++) {
    const fold = cv.folds[f];
    if (fold === undefined) {
      throw new Error(`missing fold ${f}`);
    }
    const test = Array.from(fold.test);
    const trainFold = Array.from(fold.train);

    // DIAMOND: references = the whole training fold, queries = the test fold.
    const refs = trainFold.map((i) => ({
      id: data.ids[i] ?? '',
      sequence: data.sequences[i] ?? '',
      label: MULTICLASS_LABELS[data.y[i] as number] ?? 'NBL',
    }));
    const queries = test.map((i) => ({ id: data.ids[i] ?? '', sequence: data.sequences[i] ?? '' }));
    DIAMOND_MODES.forEach((mode, m) => {
      const t0 = performance.now();
      const hits = diamondBestHits(refs, queries, { threads: 2, sensitivity: mode.flags });
      const seconds = (performance.now() - t0) / 1000;
      const method = methods[m] as Method;
      test.forEach((i) => {
        const hit: BestHit | undefined = hits.get(data.ids[i] ?? '');
        const label =
          hit?.label === undefined ? NBL : MULTICLASS_LABELS.indexOf(hit.label as MulticlassLabel);
        method.pred[i] = label < 0 ? NBL : label;
        if (mode.flags.includes('--sensitive')) {
          sensitiveIdentity[i] = hit?.identity ?? Number.NaN;
        }
      });
      method.folds.push({
        fold: f,
        seconds,
        bestEpoch: 0,
        epochsRun: 0,
        stoppedEarly: false,
        rocAuc: null,
      });
      console.error(`fold ${f}: ${mode.name} ${seconds.toFixed(1)} s`);
    });

    // Validation part for early stopping: whole clusters, stratified by Ambler class (same split for every model).
    const inner = groupStratifiedSplit(
      trainFold.map((i) => data.y[i] as number),
      trainFold.map((i) => data.groups[i] as number),
      INNER_SPLIT,
      createRng(SEED),
    );
    const trainRows = Array.from(inner.train, (j) => trainFold[j] as number);
    const valRows = Array.from(inner.val, (j) => trainFold[j] as number);
    innerSplits.push({
      train: trainRows.length,
      val: valRows.length,
      warnings: inner.warnings.map((w) => w.message),
    });
    const norm = standardiser(all, trainRows);
    const sets = (source: DenseDataset): [DenseDataset, DenseDataset, DenseDataset] => [
      norm.apply(takeRows(source, trainRows)),
      norm.apply(takeRows(source, valRows)),
      norm.apply(takeRows(source, test)),
    ];
    const multiSets = sets(all);
    const binSets = sets(allBin);
    // The product's aligner (native when built), as arginator train uses.
    const pairAligner = loadFastestPairAligner();
    // Homology evidence of the validation and test proteins against the training part (as the product).
    const evidenceFor = (
      source: DenseDataset,
      classes: number,
    ): { val: Float32Array; test: Float32Array } => {
      const refs = {
        sequences: trainRows.map((i) => data.sequences[i] ?? ''),
        labels: trainRows.map((i) => source.y[i] as number),
        classes,
        embeddings: takeRows(all, trainRows).x,
        dim: all.dim,
      };
      const side = (rows: number[]): Float32Array =>
        homologyFeatures(
          {
            sequences: rows.map((i) => data.sequences[i] ?? ''),
            embeddings: takeRows(all, rows).x,
          },
          refs,
          kernels,
          {
            candidates: HOMOLOGY.candidates,
            seedCandidates: HOMOLOGY.seedCandidates,
            pairAligner,
          },
        ).perClass;
      return { val: side(valRows), test: side(test) };
    };
    const t0 = performance.now();
    const multiEvidence = evidenceFor(all, MULTICLASS_LABELS.length);
    const binEvidence = evidenceFor(allBin, BINARY_LABELS.length);
    console.error(`fold ${f}: homology evidence ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const [m, model] of MODELS.entries()) {
      const [tr, va, te] = model.task === 'binary' ? binSets : multiSets;
      const evidence =
        model.homology === true
          ? model.task === 'binary'
            ? binEvidence
            : multiEvidence
          : undefined;
      const { pred, run } = await trainAndPredict(model, tr, va, te, kernels, evidence);
      const method = methods[DIAMOND_MODES.length + m] as Method;
      test.forEach((i, t) => (method.pred[i] = pred[t] as number));
      method.folds.push({ fold: f, ...run });
      console.error(
        `fold ${f}: ${model.name} ${run.seconds.toFixed(1)} s, best epoch ${run.bestEpoch}/${run.epochsRun}`,
      );
    }
  }

  const everyone = Array.from({ length: n }, (_, i) => i);
  const low = everyone.filter((i) => !((sensitiveIdentity[i] as number) >= LOW_IDENTITY));
  const lowBl = low.filter((i) => data.y[i] !== NBL).length;
  const results = methods.map((m) => ({
    name: m.name,
    all: score(data, m.pred, everyone, m.binary),
    low: score(data, m.pred, low, m.binary),
    perFold: cv.folds.map((fold, f) => ({
      ...m.folds[f],
      scores: score(data, m.pred, Array.from(fold.test), m.binary),
    })),
  }));

  const row = (s: Scores): string =>
    `${f3(s.macroF1)} | ${f3(s.accuracy)} | ${f3(s.mcc)} | ${f3(s.binaryF1)} | ${f3(s.blClassAccuracy)} | ${s.hardNegFP}/${s.hardNeg}`;
  const head = 'macro-F1 | acc | MCC | bin-F1 | BL cls acc | hard-neg FP';
  const first = results[0];
  const table = [
    `| method | s/fold (min–max) | all: ${head} | <40%: ${head} |`,
    `|---|---|${'---|'.repeat(12)}`,
    ...results.map(
      (r, m) =>
        `| ${r.name} | ${timeCell(methods[m]?.folds ?? [])} | ${row(r.all)} | ${row(r.low)} |`,
    ),
  ];
  const perFoldTable = [
    '| method | best epoch / epochs run, per fold | macro-F1 per fold | bin-F1 per fold |',
    '|---|---|---|---|',
    ...results.map((r) => {
      const folds = r.perFold;
      const epochs = folds.every((f) => (f.epochsRun ?? 0) === 0)
        ? '–'
        : folds.map((f) => `${f.bestEpoch ?? 0}/${f.epochsRun ?? 0}`).join(' ');
      const macro = folds.map((f) => f3(f.scores.macroF1)).join(' ');
      const bin = folds.map((f) => f3(f.scores.binaryF1)).join(' ');
      return `| ${r.name} | ${epochs} | ${macro} | ${bin} |`;
    }),
  ];
  const totalSeconds = (performance.now() - started) / 1000;
  const date = new Date().toISOString();
  const notes = [
    `# Trained classifier vs DIAMOND best hit (identity-cluster ${FOLDS}-fold CV)`,
    '',
    `${date}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; total ${totalSeconds.toFixed(0)} s.`,
    `${n} proteins (data/default/default.fasta.gz), ${BUILTIN_ID} (${BUILTIN_DIM} dims) embedded once in ${embedSeconds.toFixed(2)} s.`,
    `Folds: groupKFold over data/default/derived/clusters-cdhit40.tsv, seed ${SEED}; test A/B/C/D/NBL per fold: ${foldSummary.join('  ')}.`,
    `Inside each training fold: groupStratifiedSplit over clusters ${JSON.stringify(INNER_SPLIT)} (seed ${SEED}) for early stopping; train/val sizes ${innerSplits.map((s) => `${s.train}/${s.val}`).join('  ')}.`,
    `Training: Adam lr 1e-3, weight_decay 1e-4, dropout 0.2 (0 for logistic regression), batch 32, up to ${EPOCHS} epochs, patience 8, seed ${SEED}; standardised with training-part statistics.`,
    `DIAMOND: blastp -k 1 -e 1e-3 --threads 2 against the whole training fold; no hit → NBL.`,
    `<${LOW_IDENTITY}% subset: ${low.length} proteins (${lowBl} beta-lactamases, ${first?.low.hardNeg ?? 0} hard negatives) whose --sensitive best hit in the training fold is <${LOW_IDENTITY}% identical, or none.`,
    `macro-F1: mean F1 over the classes with true members in the set (A, B, D, NBL in the <${LOW_IDENTITY}% subset, which has no class C).`,
    `s/fold: wall seconds per fold (training with early stopping for the models; makedb + search for DIAMOND). Binary model: bin-F1 and hard-neg FP only.`,
    '',
  ];
  const markdown = [...notes, ...table, '', ...perFoldTable, ''].join('\n');
  process.stdout.write(markdown);
  writeFileSync(join(OUT, 'train-quality.md'), markdown);
  writeFileSync(
    join(OUT, 'train-quality.json'),
    JSON.stringify(
      {
        date,
        totalSeconds,
        embedder: BUILTIN_ID,
        embedSeconds,
        seed: SEED,
        epochs: EPOCHS,
        folds: foldSummary,
        foldWarnings: cv.warnings.map((w) => w.message),
        innerSplits,
        lowIdentity: { threshold: LOW_IDENTITY, n: low.length, betaLactamases: lowBl },
        results,
      },
      null,
      2,
    ),
  );
  console.error(`wrote ${join(OUT, 'train-quality.md')} and train-quality.json`);
}

await main();
