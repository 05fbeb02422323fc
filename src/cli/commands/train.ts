// `arginator train [overrides...]`: resolve the config, load and embed the dataset, train, evaluate, register,
// then fit the model's reference map (UMAP) unless --no-map.

import type { RunKind } from '../../core/tracking/run-contract.ts';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Embedder } from '../../core/embed/embedder.ts';
import { inputError, isArginatorError, usageError, validationError } from '../../core/errors.ts';
import type { Kernels } from '../../core/model/kernels.ts';
import type { ResolvedConfig } from '../../pipeline/config/schema.ts';
import { sha256File, sha256Json } from '../../io/file-hash.ts';
import { loadHdf5LabelledFolder, NEGATIVE_CLASS } from '../../io/hdf5-labelled-folder.ts';
import { loadLabelledFasta, readLabelsTable } from '../../io/labelled-fasta.ts';
import { readReferenceMetadata } from '../../io/reference-metadata.ts';
import { createVectorsOnlyEmbedder } from '../../io/precomputed-embedder.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../../native/load-kernels.ts';
import type {
  SequenceDataset,
  TrainEpochEvent,
  TrainOutcome,
  VectorDataset,
} from '../../pipeline/train.ts';
import { train } from '../../pipeline/train.ts';
import { writeRunCharts } from '../../store/fs-chart-writer.ts';
import { FsClusterCache } from '../../store/fs-cluster-cache.ts';
import type { ModelCatalog } from '../../pipeline/model-catalog.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { H5EmbeddingCache } from '../../store/h5-embedding-cache.ts';
import { openEmbedder } from '../../wiring/embedders.ts';
import { loadPredictionModel } from '../../wiring/load-model.ts';
import { loadOrFitReferenceMap } from '../../wiring/load-reference-map.ts';
import { runEnvironment } from '../../wiring/run-environment.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag } from '../options.ts';
import { validateDataset } from './validate.ts';

const fmt = (x: number): string => x.toFixed(4);

export async function trainCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const outcome = await runTraining(args, options, io);
  if (flag(options, 'json')) {
    io.stdout.write(`${JSON.stringify(summaryJson(outcome))}\n`);
  }
  return outcome.status === 'cancelled' ? 130 : 0;
}

/** What a caller other than `train` (a sweep trial) changes about a training run. */
export interface TrainingHooks {
  /** Told after every epoch (the metrics of metrics.jsonl's row). */
  readonly onEpoch?: ((event: TrainEpochEvent) => void) | undefined;
  /** false: keep the model in the run folder only (sweep trials must not become latest:<task>). */
  readonly register?: boolean | undefined;
  /** Added to the run record's environment (e.g. the sweep id and trial number). */
  readonly environment?: Readonly<Record<string, string>> | undefined;
  /** The tracked run's kind, parent (a sweep trial's sweep id) and tags; default: a train run. */
  readonly kind?: RunKind | undefined;
  readonly parentRunId?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

/** Shared by `train`, `start` (which trains the default model when none exists) and sweep trials. */
export async function runTraining(
  overrides: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
  hooks: TrainingHooks = {},
  /** The caller's catalog (predict and start have one); else one for config paths.models. */
  catalog?: ModelCatalog,
): Promise<TrainOutcome> {
  const quiet = flag(options, 'quiet');
  const say = (line: string): void => {
    if (!quiet) {
      io.stderr.write(`${line}\n`);
    }
  };
  const loaded = await loadConfig(overrides, options, io);
  const { config } = loaded;
  const registry = catalog ?? new FsModelRegistry(config.paths.models);
  const info = await stat(config.paths.dataset).catch(() => undefined);
  if (
    info === undefined &&
    config.embedder.name === 'precomputed' &&
    config.embedder.path === null
  ) {
    // Otherwise the missing folder would read as a FASTA without embedder.path: a misleading fix.
    throw inputError(
      'train.dataset-not-found',
      'paths.dataset does not exist',
      'give the folder of per-class HDF5 files (e.g. paths.dataset=.data holding card_class_a_embeddings.h5 ...); relative paths start at the current folder',
      { source: config.paths.dataset },
    );
  }
  const isFolder = info?.isDirectory() === true;
  checkEmbedderForDataset(config, isFolder);
  say(`loading ${config.paths.dataset} (${config.task.name})`);
  const dataset = isFolder
    ? await loadVectorFolder(config, say, io.signal)
    : await loadSequences(config, say, io.signal);
  // Validate before any training work (docs/validation.md), after the strict loader (whose errors
  // stay exit 3), with the rules of severity error only; sweep trials skip it: their sweep trains
  // one dataset N times.
  if (options['validate'] !== false && hooks.kind !== 'sweep-trial') {
    const checked = await validateDataset(config.paths.dataset, config, {
      labelsPath: config.paths.labels ?? undefined,
      errorsOnly: true,
      cwd: io.cwd,
      signal: io.signal,
      say,
    });
    if (!checked.report.passed) {
      const failed = checked.report.rules.filter(
        (r) => r.status === 'fail' && r.severity === 'error',
      );
      throw validationError(
        'train.validation-failed',
        `the dataset ${config.paths.dataset} failed validation: ${failed.map((r) => `${r.rule} (${r.count})`).join(', ')}; report: ${checked.files.html}`,
        "fix the data (the report lists every finding), relax a rule (e.g. validation.rules.class_balance=warning), or train anyway with 'arginator train --no-validate'",
      );
    }
  }
  let clusters: Map<string, string> | undefined;
  if (config.split.name === 'cluster' && config.split.clusters !== null) {
    const table = await readLabelsTable(config.split.clusters, {
      idColumn: 'id',
      labelColumn: 'cluster',
      signal: io.signal,
    });
    clusters = new Map([...table].map(([id, row]) => [id, row.label]));
  }
  // Names of the references for the prediction table (only a sequence model stores references).
  const referenceMetadata =
    dataset.kind === 'sequences' && config.paths.reference_metadata !== null
      ? await readReferenceMetadata(config.paths.reference_metadata, io.signal)
      : undefined;
  const kernels = loadFastestKernels({ notify: say });
  const embedder: Embedder =
    dataset.kind === 'vectors'
      ? createVectorsOnlyEmbedder(dataset.dim)
      : await openEmbedder({
          name: config.embedder.name,
          options: config.embedder.path === null ? {} : { path: config.embedder.path },
          threads: config.embedder.threads ?? undefined,
        });
  let outcome: TrainOutcome;
  try {
    outcome = await train({
      config,
      configText: loaded.text,
      overrides,
      dataset,
      clusters,
      referenceMetadata,
      clusterCache: new FsClusterCache(config.paths.cache),
      embedder,
      embeddingCache: new H5EmbeddingCache(config.paths.cache),
      hash: sha256Json,
      kernels,
      pairAligner: loadFastestPairAligner(),
      runs: new FsRunTracker(config.paths.runs),
      charts: writeRunCharts,
      registry: hooks.register === false ? undefined : registry,
      clock: { now: () => new Date() },
      run: {
        ...runEnvironment({ kernels: kernels.name, ...hooks.environment }),
        ...(hooks.kind === undefined ? {} : { kind: hooks.kind }),
        ...(hooks.parentRunId === undefined ? {} : { parentRunId: hooks.parentRunId }),
        ...(hooks.tags === undefined ? {} : { tags: hooks.tags }),
      },
      signal: io.signal,
      onStage: (stage) => say(stage),
      onEpoch: (e) => {
        hooks.onEpoch?.(e);
        say(
          `  epoch ${String(e.epoch).padStart(3)}/${e.epochs}  train loss ${fmt(e.trainLoss)}  val loss ${fmt(e.valLoss)}  val acc ${fmt(e.val.accuracy)}  val F1 ${fmt(e.val.f1)}  val MCC ${fmt(e.val.mcc)}`,
        );
      },
    });
    if (outcome.homologySkipped) {
      say(
        'homology evidence: off, the dataset has no sequences to align (the classifier alone decides)',
      );
    }
    if (outcome.test !== undefined) {
      say(
        `test (${outcome.splitSizes.test} proteins, ${outcome.split.method} split): accuracy ${fmt(outcome.test.accuracy)}  ${outcome.test.f1Average === 'binary' ? 'F1' : 'macro-F1'} ${fmt(outcome.test.f1)}  MCC ${fmt(outcome.test.mcc)}`,
      );
    }
    say(`split: ${outcome.split.note}`);
    say(`run ${outcome.runId}: ${outcome.runDir}`);
    if (outcome.modelVersion !== undefined) {
      say(`registered model ${outcome.modelVersion} (latest:${config.task.name})`);
      if (dataset.kind === 'vectors') {
        say(
          `  embedding-only model (${dataset.dim}-d precomputed vectors): it classifies HDF5 embedding files, not FASTA, e.g. 'arginator predict QUERIES.h5 --model ${outcome.modelVersion}'`,
        );
      }
    } else if (outcome.status === 'cancelled') {
      say(
        'cancelled: the best checkpoint so far is kept in the run folder (model.argm), not registered',
      );
    }
  } finally {
    await embedder.close();
  }
  // cac turns --no-map into map: false. An embedding-only model has no references to map.
  if (
    dataset.kind === 'vectors' &&
    outcome.modelVersion !== undefined &&
    options['map'] !== false
  ) {
    say(
      `no reference map for model ${outcome.modelVersion}: an embedding-only model keeps no reference proteins`,
    );
  } else if (outcome.modelVersion !== undefined && options['map'] !== false) {
    await fitReferenceMap(outcome.modelVersion, registry, {
      kernels,
      threads: config.embedder.threads ?? undefined,
      say,
      signal: io.signal,
    });
  }
  return outcome;
}

/** The embedder settings must fit the dataset: a folder carries its vectors, a FASTA needs an embedder. */
function checkEmbedderForDataset(config: ResolvedConfig, isFolder: boolean): void {
  const { embedder, paths } = config;
  if (isFolder) {
    if (embedder.name !== 'precomputed') {
      throw usageError(
        'train.folder-needs-precomputed',
        `paths.dataset ${paths.dataset} is a folder, which is read as HDF5 embedding files (one per class), but embedder is '${embedder.name}'`,
        'add embedder=precomputed to train on those vectors, or set paths.dataset to a FASTA file',
      );
    }
    if (embedder.path !== null) {
      throw usageError(
        'train.folder-with-embedder-path',
        `paths.dataset ${paths.dataset} is a folder of HDF5 embeddings, which carries its own vectors, but embedder.path=${embedder.path} is set too`,
        'remove the embedder.path override (it is for a FASTA dataset whose vectors are in one HDF5 file)',
      );
    }
    if (paths.labels !== null) {
      throw usageError(
        'train.folder-with-labels',
        `paths.dataset ${paths.dataset} is a folder of HDF5 embeddings, whose labels come from the file names, but paths.labels=${paths.labels} is set too`,
        'remove the paths.labels override, or name the class files as docs/datasets.md says',
      );
    }
    return;
  }
  if (embedder.name !== 'builtin' && embedder.path === null) {
    throw usageError(
      'train.embedder-path',
      `embedder '${embedder.name}' needs embedder.path for the FASTA dataset ${paths.dataset}`,
      embedder.name === 'onnx'
        ? 'add embedder.path=/path/to/model-folder'
        : 'add embedder.path=/path/to/embeddings.h5, or set paths.dataset to a folder of HDF5 class files (card_class_a_embeddings.h5 ... non_betalactamase_embeddings.h5)',
    );
  }
}

async function loadSequences(
  config: ResolvedConfig,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<SequenceDataset> {
  const dataset = await loadLabelledFasta(config.paths.dataset, {
    task: config.task.name,
    labelsPath: config.paths.labels ?? undefined,
    signal,
  });
  for (const w of dataset.warnings) {
    say(`warning: ${w}`);
  }
  say(
    `  ${dataset.examples.length} proteins: ${Object.entries(dataset.counts)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')}`,
  );
  const hashes = {
    dataset: await sha256File(config.paths.dataset, signal),
    labels: config.paths.labels === null ? null : await sha256File(config.paths.labels, signal),
  };
  // The embedding cache key: unchanged by issue 14 so cached embeddings stay valid.
  const fingerprint = sha256Json({ ...hashes, task: config.task.name });
  return {
    kind: 'sequences',
    examples: dataset.examples,
    fingerprint,
    source: config.paths.dataset,
    hashes,
  };
}

/**
 * The original system's training data: a folder of per-class HDF5 files (docs/datasets.md, format 3).
 * Every file is read and checked (names, dimensions, finite values, ids) before any training work,
 * and every label of the task must have proteins.
 */
async function loadVectorFolder(
  config: ResolvedConfig,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<VectorDataset> {
  const folder = config.paths.dataset;
  const { task } = config;
  const loaded = await loadHdf5LabelledFolder(folder, {
    task: task.name,
    // Multiclass classes are the task's labels (configurable) less the negative one, which 'non' files give.
    classes:
      task.name === 'multiclass' ? task.labels.filter((l) => l !== NEGATIVE_CLASS) : undefined,
    signal,
  });
  const counts = new Map(task.labels.map((l) => [l, 0]));
  for (const f of loaded.files) {
    say(`  ${f.file}: ${f.count} proteins → ${f.label}`);
    counts.set(f.label, (counts.get(f.label) ?? 0) + f.count);
  }
  const missing = [...counts].filter(([, c]) => c === 0).map(([l]) => l);
  if (missing.length > 0) {
    const negative = task.name === 'binary' ? task.labels[1] : NEGATIVE_CLASS;
    throw inputError(
      'dataset.missing-class',
      `the folder has no proteins labelled ${missing.join(', ')} for the ${task.name} task (files: ${loaded.files.map((f) => `${f.file} ${f.count}`).join(', ')})`,
      missing.every((l) => l === negative)
        ? "add the negative file (its name must start a word with 'non', e.g. non_betalactamase_embeddings.h5)"
        : task.name === 'multiclass'
          ? `add a file per missing class (e.g. card_class_${(missing[0] ?? 'a').toLowerCase()}_embeddings.h5), or train task=binary`
          : 'add a file of beta-lactamases (e.g. card_class_a_embeddings.h5)',
      { source: folder },
    );
  }
  say(
    `  ${loaded.examples.length} proteins, ${loaded.dim}-d embeddings: ${[...counts].map(([l, c]) => `${l} ${c}`).join(', ')}`,
  );
  const hashes: Record<string, string> = {};
  for (const f of loaded.files) {
    hashes[f.file] = await sha256File(join(folder, f.file), signal);
  }
  const fingerprint = sha256Json({ folder: hashes, task: task.name, labels: task.labels });
  return {
    kind: 'vectors',
    examples: loaded.examples,
    dim: loaded.dim,
    fingerprint,
    source: folder,
    // The labels come from the file names, so they are in the folder's hash.
    hashes: { dataset: sha256Json({ folder: hashes }), labels: null },
  };
}

/**
 * Fits the model's UMAP reference map now (docs/adr/0009-reference-map.md), so `arginator serve`
 * has it at start instead of fitting it in the background (10-20 s for the default model). A map
 * that cannot be made (e.g. model.homology=false: no references) is a warning, not a failed training.
 */
async function fitReferenceMap(
  version: string,
  catalog: ModelCatalog,
  options: {
    kernels: Kernels;
    threads: number | undefined;
    say: (line: string) => void;
    signal: AbortSignal;
  },
): Promise<void> {
  const { say, signal } = options;
  const started = Date.now();
  say(`fitting the reference map (UMAP) of model ${version}… (skip with --no-map)`);
  const model = await loadPredictionModel(version, catalog, options.kernels, {
    threads: options.threads,
    signal,
  });
  try {
    let shown = -1;
    const map = await loadOrFitReferenceMap(model, catalog.dir, {
      fitter: 'inline',
      signal,
      onProgress: (fraction, message) => {
        const tenth = Math.floor(fraction * 10);
        if (tenth > shown) {
          shown = tenth;
          say(`  ${String(Math.round(fraction * 100)).padStart(3)}%  ${message}`);
        }
      },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(
      `reference map of model ${version} ${map.fitted ? `fitted in ${seconds} s` : 'already stored'}: ${map.path}`,
    );
  } catch (e) {
    if (isArginatorError(e) && e.code === 'CANCELLED') {
      say(
        `model ${version} is registered; its reference map was not fitted (the server fits it when it starts)`,
      );
      throw e;
    }
    say(
      `warning: no reference map for model ${version}: ${isArginatorError(e) ? e.oneLine() : String(e)}`,
    );
  } finally {
    await model.embedder.close();
  }
}

function summaryJson(o: TrainOutcome): Record<string, unknown> {
  return {
    run_id: o.runId,
    run_dir: o.runDir,
    status: o.status,
    model_version: o.modelVersion,
    best_epoch: o.bestEpoch,
    epochs_run: o.epochsRun,
    split: o.splitSizes,
    seconds: Number(o.seconds.toFixed(2)),
    test:
      o.test === undefined
        ? undefined
        : {
            accuracy: o.test.accuracy,
            f1: o.test.f1,
            mcc: o.test.mcc,
            f1_average: o.test.f1Average,
          },
  };
}
