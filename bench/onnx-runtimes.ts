// Bench: the classifier in process (native kernels) vs exported to ONNX (fp32, int8, fp16): cluster-CV macro-F1, file size, latency at batch 1 and 1,024.
// Run: npx tsx bench/onnx-runtimes.ts [--folds 5] [--epochs 50] [--rounds 7]
//
// Quality: the identity-cluster 5-fold CV of data/default/splits/cdhit40-5fold.tsv (bench/lib/evidence-records.ts's
// cv-family population): one product-like model per fold (bench/lib/cv-model.ts), whose held-out fold is predicted
// through the product's predictor (homology evidence, mask, calibration) four times, once per classifier runtime.
// Latency: the classifier alone (raw embeddings → logits → softmax), one thread each, the runtimes alternating
// round by round, medians of the rounds.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { MULTICLASS_LABELS } from '../src/core/data/labelled.ts';
import { groupStratifiedSplit } from '../src/core/data/split.ts';
import { BUILTIN_DIM, embedSequence } from '../src/core/embed/builtin-embedder.ts';
import { classificationReport } from '../src/core/metrics/classification-report.ts';
import type { ClassifierRuntime } from '../src/core/model/classifier-runtime.ts';
import type { QuantizeMode } from '../src/core/model/classifier-graph.ts';
import { classifierParts } from '../src/core/model/classifier-graph.ts';
import type { DenseDataset } from '../src/core/model/dataset.ts';
import { takeRows } from '../src/core/model/dataset.ts';
import type { Kernels } from '../src/core/model/kernels.ts';
import { forwardLogits, softmaxRows } from '../src/core/model/mlp.ts';
import { createPredictor } from '../src/core/model/predictor.ts';
import { applyStandardisation } from '../src/core/model/standardise.ts';
import { createRng } from '../src/core/rng.ts';
import { openOnnxClassifier, type OnnxClassifier } from '../src/io/onnx-classifier.ts';
import { readReferenceMetadata } from '../src/io/reference-metadata.ts';
import {
  loadFastestKernels,
  loadFastestPairAligner,
  loadFastestScreenKernels,
  loadFastestSeedKernels,
} from '../src/native/load-kernels.ts';
import { classifierOnnxBytes } from '../src/wiring/onnx-classifier-runtime.ts';
import { argNumber } from './lib/args.ts';
import { loadData } from './lib/cv-data.ts';
import { trainCvModel, type CvModel } from './lib/cv-model.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const FOLDS_TSV = join(ROOT, 'data/default/splits/cdhit40-5fold.tsv');
const METADATA_TSV = join(ROOT, 'data/default/ncbi_metadata.tsv');
const INNER_SPLIT = [0.85, 0.15, 0] as const;
const FOLDS = argNumber('--folds', 5);
const EPOCHS = argNumber('--epochs', 50);
const ROUNDS = argNumber('--rounds', 7);
const MODES: readonly QuantizeMode[] = ['none', 'int8', 'fp16'];
const RUNTIMES = ['native', ...MODES.map((m) => `onnx ${m === 'none' ? 'fp32' : m}`)] as const;

function readFolds(): Map<string, number> {
  return new Map(
    readFileSync(FOLDS_TSV, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [id, , fold] = line.split('\t');
        return [id ?? '', Number(fold)] as const;
      }),
  );
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The in-process classifier, as createPredictor computes it, behind the same port. */
function nativeClassifier(cv: CvModel, kernels: Kernels): ClassifierRuntime {
  const { params, mean, std } = classifierParts(cv.model);
  const dim = params.spec.inputDim;
  return {
    name: 'native',
    logits: (x, n) =>
      forwardLogits(
        params,
        applyStandardisation({ x, y: new Int32Array(n), n, dim }, mean, std).x,
        n,
        kernels,
      ),
  };
}

async function onnxClassifiers(
  cv: CvModel,
  kernels: Kernels,
): Promise<{ sessions: OnnxClassifier[]; sizes: number[] }> {
  const sessions: OnnxClassifier[] = [];
  const sizes: number[] = [];
  for (const quantize of MODES) {
    const bytes = classifierOnnxBytes(cv.model, {
      version: 'bench',
      sha256: '',
      quantize,
      trainingEmbeddings: cv.referenceEmbeddings,
      kernels,
    });
    sizes.push(bytes.length);
    sessions.push(
      await openOnnxClassifier(bytes, BUILTIN_DIM, MULTICLASS_LABELS.length, {
        name: `onnx ${quantize}`,
        quantize,
      }),
    );
  }
  return { sessions, sizes };
}

async function main(): Promise<void> {
  const started = performance.now();
  const data = await loadData();
  const n = data.ids.length;
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: data.y,
    n,
    dim: BUILTIN_DIM,
  };
  data.sequences.forEach((s, i) =>
    embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  const metadata = await readReferenceMetadata(METADATA_TSV);
  const kernels = loadFastestKernels();
  const folds = readFolds();
  const foldOf = data.ids.map((id) => folds.get(id) ?? -1);
  const truth: number[] = [];
  const predicted: number[][] = RUNTIMES.map(() => []);
  const changed = RUNTIMES.map(() => 0);
  const worstProbability = RUNTIMES.map(() => 0);
  let sizes: number[] = [];
  let last: CvModel | undefined;
  for (let f = 0; f < FOLDS; f++) {
    const t0 = performance.now();
    const test = Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] === f);
    const pool = Array.from({ length: n }, (_, i) => i).filter(
      (i) => foldOf[i] !== f && (foldOf[i] ?? -1) >= 0,
    );
    const inner = groupStratifiedSplit(
      pool.map((i) => data.y[i] as number),
      pool.map((i) => data.groups[i] as number),
      INNER_SPLIT,
      createRng(42),
    );
    const cv = await trainCvModel({
      ids: data.ids,
      sequences: data.sequences,
      all,
      trainRows: Array.from(inner.train, (j) => pool[j] as number),
      valRows: Array.from(inner.val, (j) => pool[j] as number),
      metadata,
      kernels,
      epochs: EPOCHS,
    });
    last = cv;
    const onnx = await onnxClassifiers(cv, kernels);
    sizes = onnx.sizes;
    const predictors = [
      cv.predictor,
      ...onnx.sessions.map((classifier) =>
        createPredictor(
          cv.model,
          kernels,
          cv.referenceEmbeddings,
          loadFastestPairAligner(),
          loadFastestSeedKernels(),
          {},
          { screenKernels: loadFastestScreenKernels(), classifier },
        ),
      ),
    ];
    const x = takeRows(all, test).x;
    for (let q0 = 0; q0 < test.length; q0 += 256) {
      const end = Math.min(test.length, q0 + 256);
      const sequences = test.slice(q0, end).map((i) => data.sequences[i] ?? '');
      const embeddings = x.subarray(q0 * BUILTIN_DIM, end * BUILTIN_DIM);
      const out = predictors.map((p) => p.predict(sequences, embeddings));
      for (let j = 0; j < end - q0; j++) {
        truth.push(data.y[test[q0 + j] as number] as number);
        const reference = out[0]?.[j];
        out.forEach((calls, r) => {
          const call = calls[j];
          predicted[r]?.push(MULTICLASS_LABELS.indexOf(call?.label as never));
          if (call?.label !== reference?.label) {
            changed[r] = (changed[r] as number) + 1;
          }
          call?.probabilities.forEach((p, c) => {
            const d = Math.abs(p - (reference?.probabilities[c] as number));
            worstProbability[r] = Math.max(worstProbability[r] as number, d);
          });
        });
      }
    }
    for (const s of onnx.sessions) {
      s.close();
    }
    console.error(
      `fold ${f}: ${test.length} held-out proteins (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  if (last === undefined) {
    throw new Error('no fold ran');
  }

  // Latency of the classifier alone on the last fold's model, one thread each.
  const single = loadFastestKernels({ threads: 1 });
  const onnx = await onnxClassifiers(last, single);
  const runtimes: ClassifierRuntime[] = [nativeClassifier(last, single), ...onnx.sessions];
  const batch = all.x.subarray(0, 1024 * BUILTIN_DIM);
  const k = MULTICLASS_LABELS.length;
  const timings = runtimes.map(() => ({ one: [] as number[], many: [] as number[] }));
  const classify = (r: ClassifierRuntime, rows: number): void => {
    softmaxRows(r.logits(batch.subarray(0, rows * BUILTIN_DIM), rows).slice(), k);
  };
  for (const r of runtimes) {
    classify(r, 1024);
    classify(r, 1);
  }
  const ONE = 2000;
  const MANY = 20;
  for (let round = 0; round < ROUNDS; round++) {
    runtimes.forEach((r, i) => {
      // Each protein's own row at batch 1, as a server answers single requests.
      let t = performance.now();
      for (let q = 0; q < ONE; q++) {
        const row = q % 1024;
        softmaxRows(r.logits(batch.slice(row * BUILTIN_DIM, (row + 1) * BUILTIN_DIM), 1), k);
      }
      timings[i]?.one.push(((performance.now() - t) / ONE) * 1000);
      t = performance.now();
      for (let q = 0; q < MANY; q++) {
        classify(r, 1024);
      }
      timings[i]?.many.push((performance.now() - t) / MANY);
    });
  }
  for (const s of onnx.sessions) {
    s.close();
  }
  const { params } = classifierParts(last.model);
  const nativeBytes = (params.data.length + 2 * BUILTIN_DIM) * 4;
  const rows = RUNTIMES.map((name, r) => {
    const report = classificationReport(truth, predicted[r] ?? [], MULTICLASS_LABELS);
    return {
      name,
      macroF1: report.macro.f1,
      accuracy: report.accuracy,
      changed: changed[r] as number,
      worstProbability: worstProbability[r] as number,
      bytes: r === 0 ? nativeBytes : (sizes[r - 1] as number),
      batch1: median(timings[r]?.one ?? []),
      batch1024: median(timings[r]?.many ?? []),
    };
  });
  const base = rows[0]?.macroF1 ?? 0;
  console.log(
    `\nCluster CV (${FOLDS} folds of cdhit40-5fold.tsv, ${truth.length} held-out proteins, ${EPOCHS} epochs max), classifier latency: ${ROUNDS} alternating rounds, medians, 1 thread\n`,
  );
  console.log(
    '| runtime | macro-F1 | Δ vs native | accuracy | calls changed | max abs Δ prob | classifier size | batch 1 (µs/protein) | batch 1,024 (ms) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.macroF1.toFixed(4)} | ${(r.macroF1 - base >= 0 ? '+' : '') + (r.macroF1 - base).toFixed(4)} | ${r.accuracy.toFixed(4)} | ${r.changed} | ${r.worstProbability.toExponential(1)} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.batch1.toFixed(1)} | ${r.batch1024.toFixed(2)} |`,
    );
  }
  console.log(
    `\nnative size: float32 parameters and standardisation (the .argm also holds the references); ONNX sizes: the exported file. ${((performance.now() - started) / 1000).toFixed(0)} s in all; ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end.`,
  );
}

await main();
