// `arginator evaluate`: a model's quality on a labelled set (default: the published split's test side), as a tracked run of kind evaluate.
import { cp, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { DEFAULT_TASK, isOneOf, orList, TASKS } from '../../core/domain.ts';
import type { Task } from '../../core/domain.ts';
import { usageError } from '../../core/errors.ts';
import { sha256File, sha256Json } from '../../io/file-hash.ts';
import { loadLabelledFasta, readLabelsTable, readTextLines } from '../../io/labelled-fasta.ts';
import { loadFastestKernels } from '../../native/load-kernels.ts';
import type { EvaluationMetrics, EvaluationSet } from '../../pipeline/evaluate-model.ts';
import { evaluateModel, HARD_NEGATIVE_GROUPS } from '../../pipeline/evaluate-model.ts';
import { predictAll } from '../../pipeline/predict.ts';
import { writeRunCharts } from '../../store/fs-chart-writer.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { benchmarkSource, readSplitBenchmark, SPLIT_SIDES } from '../../wiring/gate-benchmark.ts';
import type { SplitSide } from '../../wiring/gate-benchmark.ts';
import { runEnvironment } from '../../wiring/run-environment.ts';
import { loadTaskModel, resolveTaskModel } from '../../wiring/task-model.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalPositiveInt, optionalString } from '../options.ts';
import { createProgress, formatCount } from '../progress.ts';

export async function evaluateCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const task = optionalString(options, 'task', '--task') ?? DEFAULT_TASK;
  if (!isOneOf(TASKS, task)) {
    throw usageError(
      'cli.bad-task',
      `--task must be ${orList(TASKS)}, got '${task}'`,
      'e.g. --task binary',
    );
  }
  const side = optionalString(options, 'side', '--side') ?? 'test';
  if (!isOneOf(SPLIT_SIDES, side)) {
    throw usageError(
      'evaluate.bad-side',
      `--side must be ${orList(SPLIT_SIDES)}, got '${side}'`,
      'e.g. --side val',
    );
  }
  const quiet = flag(options, 'quiet');
  const json = flag(options, 'json');
  const say = (line: string): void => {
    if (!quiet) {
      io.stderr.write(`${line}\n`);
    }
  };
  // Positionals with '=' are config overrides (as train's); the other one is the DATASET.
  const overrides = args.filter((a) => a.includes('='));
  const positionals = args.filter((a) => !a.includes('='));
  if (positionals.length > 1) {
    throw usageError(
      'evaluate.arguments',
      `evaluate takes one DATASET, got ${positionals.length} (${positionals.join(' ')})`,
      'e.g. arginator evaluate proteins.fasta --labels labels.tsv',
    );
  }
  const { config } = await loadConfig([`task=${task}`, ...overrides], options, io);
  const given = positionals[0];
  const labelsFlag = optionalString(options, 'labels', '--labels');
  const splitFlag = optionalString(options, 'split', '--split');
  if (given === undefined && labelsFlag !== undefined) {
    throw usageError(
      'evaluate.labels-without-dataset',
      '--labels needs a DATASET',
      'e.g. arginator evaluate proteins.fasta --labels labels.tsv',
    );
  }
  // Without a DATASET: the config's dataset (paths.dataset) on the gate's benchmark split.
  const dataset = given === undefined ? config.paths.dataset : resolve(io.cwd, given);
  const labels =
    given === undefined
      ? config.paths.labels
      : labelsFlag === undefined
        ? null
        : resolve(io.cwd, labelsFlag);
  const split =
    splitFlag !== undefined
      ? resolve(io.cwd, splitFlag)
      : given === undefined
        ? benchmarkSource(config).split
        : null;
  const out = optionalString(options, 'out', '--out');

  const catalog = new FsModelRegistry(config.paths.models);
  // The model predict would use: champion:<task>, else latest:<task> (wiring/task-model.ts).
  const ref = optionalString(options, 'model', '--model');
  const chosen =
    ref === undefined
      ? catalog.locate(await catalog.index(), (await resolveTaskModel(task, catalog)).version)
      : ref.endsWith('.argm')
        ? resolve(io.cwd, ref)
        : ref;
  const metadataFlag = optionalString(options, 'metadata', '--metadata');
  const metadata = metadataFlag === undefined ? null : resolve(io.cwd, metadataFlag);
  const set = await evaluationSet(task, dataset, labels, split, side, metadata, io.signal);
  const kernels = loadFastestKernels({ threads: 2, notify: say });
  const model = await loadTaskModel(task, chosen, catalog, kernels, {
    threads: optionalPositiveInt(options, 'threads', '--threads'),
    signal: io.signal,
    runtime: { runtime: config.model.runtime, quantize: config.model.onnx_quantize },
  });
  const tracker = new FsRunTracker(config.paths.runs);
  const progress = createProgress(io.stderr, `evaluating (model ${model.version})`, { quiet });
  const started = performance.now();
  try {
    const { metrics, record } = await evaluateModel(
      {
        tracker,
        environment: runEnvironment(),
        predict: async (m, records, onProgress) =>
          (await predictAll(records, { model: m, signal: io.signal, onProgress })).map(
            (p) => p.prediction,
          ),
        charts: writeRunCharts,
        onProgress: quiet
          ? undefined
          : (n) => progress.update(n / set.records.length, `${formatCount(n)} proteins`),
      },
      {
        model,
        set,
        command: [
          'evaluate',
          ...args,
          ...(['model', 'split', 'side', 'labels', 'task'] as const).flatMap((k) => {
            const v = optionalString(options, k, `--${k}`);
            return v === undefined ? [] : [`--${k} ${v}`];
          }),
        ].join(' '),
        config,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    progress.stop(`${formatCount(metrics.proteins)} proteins in ${seconds.toFixed(1)} s`);
    const runDir = dirname(tracker.pathOf(record.id, 'metrics.json'));
    if (out !== undefined) {
      const outDir = resolve(io.cwd, out);
      await mkdir(outDir, { recursive: true });
      for (const name of ['metrics.json', 'predictions.csv', 'plots']) {
        await cp(join(runDir, name), join(outDir, name), { recursive: true });
      }
    }
    io.stdout.write(
      json ? `${JSON.stringify({ run: record.id, ...metrics })}\n` : metricsText(metrics),
    );
    say(
      `run ${record.id} (kind evaluate) in ${runDir}${out === undefined ? '' : `; wrote ${out}`}`,
    );
    return 0;
  } catch (e) {
    progress.fail();
    throw e;
  } finally {
    await model.embedder.close();
  }
}

/** The labelled proteins to score: a side of a split (every id must be in the dataset) or the whole dataset. */
async function evaluationSet(
  task: Task,
  dataset: string,
  labels: string | null,
  split: string | null,
  side: SplitSide,
  metadata: string | null,
  signal: AbortSignal,
): Promise<EvaluationSet> {
  let records: EvaluationSet['records'];
  let truth: readonly string[];
  if (split === null) {
    const read = await loadLabelledFasta(dataset, {
      task,
      signal,
      ...(labels === null ? {} : { labelsPath: labels }),
    });
    records = read.examples.map((e) => e.record);
    truth = read.examples.map((e) => e.label);
  } else {
    const read = await readSplitBenchmark({ split, dataset, labels }, task, side);
    if (read.missing.length > 0) {
      throw usageError(
        'evaluate.split-ids-missing',
        `${read.missing.length} of the ${read.missing.length + read.records.length} ${side} ids of ${split} are not in ${dataset} (first: '${read.missing[0] ?? ''}')`,
        'pass the dataset the split was made from (DATASET --labels FILE), or a split of this dataset (--split)',
      );
    }
    records = read.records;
    truth = read.labels;
  }
  const hashes = {
    dataset: await sha256File(dataset, signal),
    labels: labels === null ? null : await sha256File(labels, signal),
    split: split === null ? null : await sha256File(split, signal),
  };
  return {
    records,
    labels: truth,
    dataset,
    labelsTable: labels,
    split: split === null ? null : { file: split, side },
    data: {
      fingerprint: sha256Json({ ...hashes, task, side: split === null ? null : side }),
      dataset: hashes.dataset,
      labels: hashes.labels,
      clusters: null,
    },
    hardNegatives: await hardNegativeIds(
      metadata ?? labels ?? (await besideDataset(dataset)),
      signal,
    ),
  };
}

/** The labels.tsv in the dataset's folder (the shipped dataset's metadata), if there is one. */
async function besideDataset(dataset: string): Promise<string | null> {
  const path = join(dirname(dataset), 'labels.tsv');
  return (await stat(path).catch(() => undefined))?.isFile() === true ? path : null;
}

/** Ids whose `group` column (the shipped labels.tsv's) names a hard-negative group; empty without that column. */
async function hardNegativeIds(labels: string | null, signal: AbortSignal): Promise<Set<string>> {
  if (labels === null) {
    return new Set();
  }
  let header = '';
  for await (const line of readTextLines(labels, signal)) {
    header = line;
    break;
  }
  const columns = header.split(header.includes('\t') ? '\t' : ',').map((c) => c.trim());
  if (!columns.includes('group')) {
    return new Set();
  }
  const groups = await readLabelsTable(labels, { labelColumn: 'group', signal });
  return new Set(
    [...groups].filter(([, row]) => HARD_NEGATIVE_GROUPS.has(row.label)).map(([id]) => id),
  );
}

function metricsText(m: EvaluationMetrics): string {
  const f = (x: number): string => x.toFixed(4);
  const where =
    m.evaluatedSplit === null
      ? m.dataset
      : `${m.evaluatedSplit.side} side of ${m.evaluatedSplit.file} (${m.dataset})`;
  const width = Math.max(5, ...m.labels.map((l) => l.length));
  const lines = [
    `model     ${m.model} (${m.task})`,
    `proteins  ${m.proteins}: ${where}`,
    `macro-F1  ${f(m.macroF1)}`,
    `accuracy  ${f(m.accuracy)}`,
    `MCC       ${f(m.mcc)}`,
    `binary F1 ${f(m.binaryF1)} (β-lactamase or not)`,
    `ECE       ${f(m.ece)}`,
    ...(m.hardNegatives === null
      ? []
      : [`hard-negative FP ${m.hardNegatives.falsePositives} of ${m.hardNegatives.total}`]),
    '',
    `${'class'.padEnd(width)}  precision  recall  F1      support`,
    ...m.perClass.map(
      (c) =>
        `${c.label.padEnd(width)}  ${f(c.precision)}     ${f(c.recall)}  ${f(c.f1)}  ${c.support}`,
    ),
    '',
    `confusion (rows true, columns called: ${m.labels.join(' ')})`,
    ...m.confusionMatrix.map(
      (row, i) =>
        `${(m.labels[i] ?? '').padEnd(width)}  ${row.map((n) => String(n).padStart(5)).join('')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
