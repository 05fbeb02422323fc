// `arginator train [overrides...]`: resolve the config, load and embed the dataset, train, evaluate, register,
// then fit the model's reference map (UMAP) unless --no-map.

import { isArginatorError, usageError } from '../../core/errors.ts';
import type { Kernels } from '../../core/model/kernels.ts';
import { sha256File, sha256Json } from '../../io/file-hash.ts';
import { loadLabelledFasta, readLabelsTable } from '../../io/labelled-fasta.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../../kernels/load-kernels.ts';
import type { TrainOutcome } from '../../pipeline/train.ts';
import { train } from '../../pipeline/train.ts';
import { writeRunCharts } from '../../store/fs-chart-writer.ts';
import { FsClusterCache } from '../../store/fs-cluster-cache.ts';
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

/** Shared by `train` and `start` (which trains the default model when none exists). */
export async function runTraining(
  overrides: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<TrainOutcome> {
  const quiet = flag(options, 'quiet');
  const say = (line: string): void => {
    if (!quiet) {
      io.stderr.write(`${line}\n`);
    }
  };
  const loaded = await loadConfig(overrides, options, io);
  const { config } = loaded;
  if (config.embedder.name !== 'builtin' && config.embedder.path === null) {
    throw usageError(
      'train.embedder-path',
      `embedder '${config.embedder.name}' needs embedder.path`,
      `add embedder.path=/path/to/${config.embedder.name === 'onnx' ? 'model-folder' : 'embeddings.h5'}`,
    );
  }
  say(`loading ${config.paths.dataset} (${config.task.name})`);
  const dataset = await loadLabelledFasta(config.paths.dataset, {
    task: config.task.name,
    labelsPath: config.paths.labels ?? undefined,
    signal: io.signal,
  });
  for (const w of dataset.warnings) {
    say(`warning: ${w}`);
  }
  say(
    `  ${dataset.examples.length} proteins: ${Object.entries(dataset.counts)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')}`,
  );
  const fingerprint = sha256Json({
    dataset: await sha256File(config.paths.dataset, io.signal),
    labels: config.paths.labels === null ? null : await sha256File(config.paths.labels, io.signal),
    task: config.task.name,
  });
  let clusters: Map<string, string> | undefined;
  if (config.split.name === 'cluster' && config.split.clusters !== null) {
    const table = await readLabelsTable(config.split.clusters, {
      idColumn: 'id',
      labelColumn: 'cluster',
      signal: io.signal,
    });
    clusters = new Map([...table].map(([id, row]) => [id, row.label]));
  }
  const kernels = loadFastestKernels({ notify: say });
  const embedder = await openEmbedder({
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
      dataset: { examples: dataset.examples, fingerprint, source: config.paths.dataset },
      clusters,
      clusterCache: new FsClusterCache(config.paths.cache),
      embedder,
      embeddingCache: new H5EmbeddingCache(config.paths.cache),
      hash: sha256Json,
      kernels,
      pairAligner: loadFastestPairAligner(),
      runs: new FsRunTracker(config.paths.runs),
      charts: writeRunCharts,
      registry: new FsModelRegistry(config.paths.models),
      clock: { now: () => new Date() },
      run: runEnvironment({ kernels: kernels.name }),
      signal: io.signal,
      onStage: (stage) => say(stage),
      onEpoch: (e) =>
        say(
          `  epoch ${String(e.epoch).padStart(3)}/${e.epochs}  train loss ${fmt(e.trainLoss)}  val loss ${fmt(e.valLoss)}  val acc ${fmt(e.val.accuracy)}  val F1 ${fmt(e.val.f1)}  val MCC ${fmt(e.val.mcc)}`,
        ),
    });
    if (outcome.test !== undefined) {
      say(
        `test (${outcome.splitSizes.test} proteins, ${config.split.name} split): accuracy ${fmt(outcome.test.accuracy)}  ${outcome.test.f1Average === 'binary' ? 'F1' : 'macro-F1'} ${fmt(outcome.test.f1)}  MCC ${fmt(outcome.test.mcc)}`,
      );
    }
    say(`run ${outcome.runId}: ${outcome.runDir}`);
    if (outcome.modelVersion !== undefined) {
      say(`registered model ${outcome.modelVersion} (latest:${config.task.name})`);
    } else if (outcome.status === 'cancelled') {
      say(
        'cancelled: the best checkpoint so far is kept in the run folder (model.argm), not registered',
      );
    }
  } finally {
    await embedder.close();
  }
  // cac turns --no-map into map: false.
  if (outcome.modelVersion !== undefined && options['map'] !== false) {
    await fitReferenceMap(outcome.modelVersion, config.paths.models, {
      kernels,
      threads: config.embedder.threads ?? undefined,
      say,
      signal: io.signal,
    });
  }
  return outcome;
}

/**
 * Fits the model's UMAP reference map now (docs/adr/0009-reference-map.md), so `arginator serve`
 * has it at start instead of fitting it in the background (10-20 s for the default model). A map
 * that cannot be made (e.g. model.homology=false: no references) is a warning, not a failed training.
 */
async function fitReferenceMap(
  version: string,
  modelsDir: string,
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
  const model = await loadPredictionModel(version, modelsDir, options.kernels, {
    threads: options.threads,
    signal,
  });
  try {
    let shown = -1;
    const map = await loadOrFitReferenceMap(model, modelsDir, {
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
