// Use case: train and evaluate a classifier from a resolved config, writing a complete, reproducible run.
import type { ModelCatalog } from './model-catalog.ts';
import type { LabelledProtein, LabelledVector } from '../core/data/labelled.ts';
import { BINARY_NEGATIVE, NOT_BETALACTAMASE } from '../core/domain.ts';
import type { Embedder } from '../core/embed/embedder.ts';
import { ArginatorError, throwIfAborted } from '../core/errors.ts';
import { classificationReport } from '../core/metrics/classification-report.ts';
import type { ClassificationReport } from '../core/metrics/classification-report.ts';
import { encodeArtifact } from '../core/model/artifact.ts';
import type { ModelHeaderBody, ReferenceMetadataColumns } from '../core/model/artifact.ts';
import type { DenseDataset } from '../core/model/dataset.ts';
import { takeRows } from '../core/model/dataset.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { ReferenceNames } from '../core/model/named-evidence.ts';
import type { PairAligner } from '../core/sequence/pair-aligner.ts';
import type { MlpSpec } from '../core/model/mlp.ts';
import type { OptimizerConfig } from '../core/model/optimizer.ts';
import type { EpochReport } from '../core/model/train-loop.ts';
import { trainClassifier } from '../core/model/train-loop.ts';
import type { ResolvedConfig } from './config/schema.ts';
import type { EmbeddingCacheStore, JsonHasher } from './embedding-cache.ts';
import { ensureEmbeddings } from './embedding-cache.ts';
import { outOfFoldCalibration } from './calibration-stage.ts';
import { argmaxRows, evaluate, fitValidationFusion } from './evaluation.ts';
import type { HomologyEvidence } from './homology-stage.ts';
import { homologyEvidence } from './homology-stage.ts';
import type { Clock, RunData, RunHandle, RunInit, RunTracker } from './ports.ts';
import { standardiser } from '../core/model/standardise.ts';
import type { TrainCharts } from './train-charts.ts';
import { trainingCharts } from './train-charts.ts';
import type { ClusterCache, SplitIndices, SplitItems, SplitMethod } from './train-split.ts';
import { splitDataset } from './train-split.ts';
import { DEFAULT_SHAPES } from '../core/sequence/seed-index.ts';

/** Port: turns chart specs into files in a run folder (SVG + PNG). */
export type ChartWriter = (run: RunHandle, charts: TrainCharts) => Promise<void>;

/** Port: stores a trained model in the registry and returns its version (the catalog's register). */
export type ModelRegistryPort = Pick<ModelCatalog, 'register'>;

export interface TrainEpochEvent {
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly val: Pick<ClassificationReport, 'accuracy' | 'f1' | 'mcc'>;
}

/** Labelled protein sequences (FASTA), embedded by the run's embedder. */
export interface SequenceDataset {
  readonly kind: 'sequences';
  readonly examples: readonly LabelledProtein[];
  readonly fingerprint: string;
  readonly source: string;
  /** sha256 of the files read, for the run's data record (absent: the fingerprint stands in). */
  readonly hashes?: DatasetHashes | undefined;
}

/** Content hashes of a dataset's files (sha256 hex); labels null when they come with the data. */
export interface DatasetHashes {
  readonly dataset: string;
  readonly labels: string | null;
}

/**
 * Labelled precomputed embeddings without sequences (a folder of HDF5 class files): no embedding
 * step, no homology evidence, and the split clusters the vectors instead of the sequences. The
 * model is embedding-only: it classifies HDF5 embedding files, not FASTA.
 */
export interface VectorDataset {
  readonly kind: 'vectors';
  readonly examples: readonly LabelledVector[];
  readonly dim: number;
  readonly fingerprint: string;
  readonly source: string;
  readonly hashes?: DatasetHashes | undefined;
}

export interface TrainDeps {
  readonly config: ResolvedConfig;
  /** The config as the user would read it (YAML), saved with the run. */
  readonly configText: string;
  readonly overrides: readonly string[];
  readonly dataset: SequenceDataset | VectorDataset;
  /** Optional identity clusters (id → cluster) from a file; when absent and split=cluster, clusters are computed. */
  readonly clusters?: ReadonlyMap<string, string> | undefined;
  /**
   * Gene symbol, family and drug subclass by protein id (data/default/ncbi_metadata.tsv), stored
   * with the model's references for the named-evidence columns; absent = those columns stay empty.
   */
  readonly referenceMetadata?: ReadonlyMap<string, ReferenceNames> | undefined;
  /** Where computed clusters are cached (optional). */
  readonly clusterCache?: ClusterCache | undefined;
  /** For a VectorDataset, the vectors-only embedder of its dimension (recorded in the model). */
  readonly embedder: Embedder;
  readonly embeddingCache: EmbeddingCacheStore;
  readonly hash: JsonHasher;
  readonly kernels: Kernels;
  /** Smith-Waterman for the homology evidence (default: portable TypeScript). */
  readonly pairAligner?: PairAligner | undefined;
  readonly runs: RunTracker;
  readonly charts: ChartWriter;
  /** Where the model is registered; absent: the model stays in the run folder only (sweep trials). */
  readonly registry?: ModelRegistryPort | undefined;
  readonly clock: Clock;
  /** Environment, version, tags, parent and kind of the run (default kind: train). */
  readonly run: Omit<RunInit, 'command' | 'dataFingerprint' | 'params'>;
  readonly signal?: AbortSignal | undefined;
  readonly onStage?: (stage: string) => void;
  readonly onProgress?: (fraction: number | undefined, message: string) => void;
  readonly onEpoch?: (event: TrainEpochEvent) => void;
}

export interface TrainOutcome {
  readonly runId: string;
  readonly runDir: string;
  readonly status: 'completed' | 'cancelled';
  readonly modelVersion?: string | undefined;
  readonly modelPath?: string | undefined;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly test?: ClassificationReport | undefined;
  readonly splitSizes: { train: number; val: number; test: number };
  /** How the split was made and what its scores mean (also in split.json and metrics.json). */
  readonly split: { readonly method: SplitMethod; readonly note: string };
  /** Homology evidence was asked for but the dataset has no sequences, so the model has none. */
  readonly homologySkipped: boolean;
  readonly seconds: number;
}

function optimizerFrom(config: ResolvedConfig): OptimizerConfig {
  const o = config.optimizer;
  return o.name === 'adam'
    ? {
        name: 'adam',
        lr: o.lr,
        betas: [o.betas[0], o.betas[1]],
        eps: o.eps,
        weight_decay: o.weight_decay,
        amsgrad: o.amsgrad,
      }
    : {
        name: 'sgd',
        lr: o.lr,
        momentum: o.momentum,
        nesterov: o.nesterov,
        weight_decay: o.weight_decay,
      };
}

function labelIndex(
  labels: readonly string[],
  examples: readonly { readonly id: string; readonly label: string }[],
): Int32Array {
  const index = new Map(labels.map((l, i) => [l, i]));
  return Int32Array.from(examples, (e) => {
    const i = index.get(e.label);
    if (i === undefined) {
      throw new ArginatorError(
        'BAD_INPUT',
        'train.unknown-label',
        `protein '${e.id}' has label '${e.label}', which is not one of the task's labels (${labels.join(', ')})`,
        'fix the dataset labels or choose the matching task (task=binary or task=multiclass)',
      );
    }
    return i;
  });
}

/** Runs the whole training use case; on cancellation keeps the best checkpoint so far. */
export async function train(deps: TrainDeps): Promise<TrainOutcome> {
  const { config, signal } = deps;
  const started = deps.clock.now().getTime();
  const labels = config.task.labels;
  const k = labels.length;
  const positive =
    config.task.positive_label === null ? undefined : labels.indexOf(config.task.positive_label);
  const run = await deps.runs.start({
    ...deps.run,
    kind: deps.run.kind ?? 'train',
    command: `train ${deps.overrides.join(' ')}`.trim(),
    dataFingerprint: deps.dataset.fingerprint,
    params: config,
  });
  try {
    await run.writeText('config.yaml', deps.configText);
    await run.writeJson('config.json', { config, overrides: deps.overrides });

    // 1. Embeddings (cached by data content + embedder fingerprint), or the dataset's own vectors.
    const { dataset } = deps;
    const ids =
      dataset.kind === 'sequences'
        ? dataset.examples.map((e) => e.record.id)
        : dataset.examples.map((e) => e.id);
    const n = ids.length;
    const dim = deps.embedder.dim;
    const all: DenseDataset = {
      x: new Float32Array(n * dim),
      y: labelIndex(
        labels,
        dataset.kind === 'sequences'
          ? dataset.examples.map((e) => ({ id: e.record.id, label: e.label }))
          : dataset.examples,
      ),
      n,
      dim,
    };
    // No sequences: nothing to align, so the homology evidence is off whatever model.homology says.
    const homologyOn = config.model.homology && dataset.kind === 'sequences';
    const sequences =
      dataset.kind === 'sequences' ? dataset.examples.map((e) => e.record.sequence) : [];
    if (dataset.kind === 'sequences') {
      deps.onStage?.(`embedding ${n} proteins with ${deps.embedder.id}`);
      const records = dataset.examples.map((e) => e.record);
      const embedded = await ensureEmbeddings(
        records,
        deps.embedder,
        deps.embeddingCache,
        deps.hash,
        {
          dataFingerprint: dataset.fingerprint,
          force: config.processing.force,
          signal,
          onProgress: (p) => deps.onProgress?.(p.proteins / n, `${p.proteins} proteins embedded`),
        },
      );
      embedded.vectors.forEach((v, i) => all.x.set(v, i * dim));
    } else {
      if (dataset.dim !== dim) {
        throw new ArginatorError(
          'INTERNAL',
          'train.vector-dimension',
          `the dataset's vectors have ${dataset.dim} values but the embedder ${deps.embedder.id} gives ${dim}`,
          'pass the vectors-only embedder of the dataset dimension',
        );
      }
      deps.onStage?.(
        `using the ${n} precomputed ${dim}-d embeddings of ${dataset.source} (no sequences)`,
      );
      dataset.examples.forEach((e, i) => all.x.set(e.vector, i * dim));
    }
    throwIfAborted(signal, 'Training');

    // 2. Split (identity clusters by default, so test proteins rarely have a close relative in training).
    const items: SplitItems =
      dataset.kind === 'sequences'
        ? { kind: 'sequences', ids, sequences }
        : { kind: 'vectors', ids, x: all.x, dim };
    deps.onStage?.(
      `splitting (${config.split.name}${config.split.name === 'cluster' && dataset.kind === 'vectors' && deps.clusters === undefined ? `: no sequences, so by embedding cosine >= ${config.split.cosine_threshold}` : ''})`,
    );
    const split: SplitIndices = await splitDataset(
      items,
      all.y,
      config,
      {
        table: deps.clusters,
        cache: deps.clusterCache,
        dataFingerprint: deps.dataset.fingerprint,
        hash: deps.hash,
        force: config.processing.force,
      },
      signal,
      (done, total) => deps.onProgress?.(done / total, `clustering ${done}/${total}`),
    );
    await run.update({ data: dataRecord(deps, ids, split) });
    await run.writeJson('split.json', {
      method: split.method,
      note: split.note,
      ...(split.method === 'cosine-cluster'
        ? {
            cosine_threshold:
              config.split.name === 'cluster' ? config.split.cosine_threshold : null,
          }
        : {}),
      seed: config.processing.seed,
      warnings: split.warnings,
      train: split.train.map((i) => ids[i]),
      val: split.val.map((i) => ids[i]),
      test: split.test.map((i) => ids[i]),
    });

    // 3. Standardise with training statistics only.
    const features: DenseDataset = all;
    const norm = standardiser(features, split.train);
    const trainSet = norm.apply(takeRows(features, split.train));
    const valSet = norm.apply(takeRows(features, split.val));
    const testSet = norm.apply(takeRows(features, split.test));

    // 4. Train.
    const spec: MlpSpec = {
      inputDim: features.dim,
      hidden: config.model.hidden_sizes,
      outputDim: k,
      dropout: config.model.hidden_sizes.length === 0 ? 0 : config.experiment.dropout_rate,
    };
    const classCounts = new Float64Array(k);
    for (const i of split.train) {
      const c = all.y[i] as number;
      classCounts[c] = (classCounts[c] as number) + 1;
    }
    const classWeights =
      config.experiment.class_balance === 'class_weights'
        ? Float32Array.from(classCounts, (c) => (c === 0 ? 0 : trainSet.n / (k * c)))
        : undefined;
    deps.onStage?.(
      `training ${config.model.name} (${[features.dim, ...spec.hidden, k].join('→')}) for up to ${config.experiment.epochs} epochs`,
    );
    const epochs = config.experiment.epochs;
    const valHistory: { epoch: number; f1: number; accuracy: number }[] = [];
    const result = await trainClassifier(
      trainSet,
      valSet,
      spec,
      {
        epochs,
        batchSize: config.experiment.batch_size,
        optimizer: optimizerFrom(config),
        seed: config.experiment.seed,
        sampling: config.experiment.class_balance === 'weighted_sampler' ? 'weighted' : 'shuffle',
        ...(classWeights === undefined ? {} : { classWeights }),
        earlyStoppingPatience: config.experiment.early_stopping_patience ?? 0,
        signal,
        now: () => deps.clock.now().getTime(),
        onEpoch: async (e: EpochReport) => {
          const trainReport = classificationReport(
            trainSet.y,
            argmaxRows(e.trainProba, k),
            labels,
            reportOptions(positive),
          );
          const valReport = classificationReport(
            valSet.y,
            argmaxRows(e.valProba, k),
            labels,
            reportOptions(positive),
          );
          valHistory.push({ epoch: e.epoch, f1: valReport.f1, accuracy: valReport.accuracy });
          await run.logMetrics(e.epoch, {
            seconds: Number(e.seconds.toFixed(4)),
            train_loss: e.trainLoss,
            val_loss: e.valLoss,
            train_accuracy: trainReport.accuracy,
            train_precision: averaged(trainReport).precision,
            train_recall: averaged(trainReport).recall,
            train_f1: trainReport.f1,
            train_mcc: trainReport.mcc,
            val_accuracy: valReport.accuracy,
            val_precision: averaged(valReport).precision,
            val_recall: averaged(valReport).recall,
            val_f1: valReport.f1,
            val_mcc: valReport.mcc,
          });
          deps.onEpoch?.({
            epoch: e.epoch,
            epochs,
            trainLoss: e.trainLoss,
            valLoss: e.valLoss,
            val: valReport,
          });
          deps.onProgress?.(e.epoch / epochs, `epoch ${e.epoch}/${epochs}`);
        },
      },
      deps.kernels,
    );
    if (result.bestEpoch === 0) {
      await run.finish('killed', {
        error: 'cancelled before the first epoch finished; nothing to keep',
      });
      return {
        runId: run.id,
        runDir: run.dir,
        status: 'cancelled',
        bestEpoch: 0,
        epochsRun: 0,
        splitSizes: { train: trainSet.n, val: valSet.n, test: testSet.n },
        split: { method: split.method, note: split.note },
        homologySkipped: config.model.homology && !homologyOn,
        seconds: (deps.clock.now().getTime() - started) / 1000,
      };
    }

    // 5. Calibrate on validation, evaluate on test.
    let evidence: HomologyEvidence | undefined;
    if (homologyOn) {
      deps.onStage?.(
        `homology evidence: aligning validation and test proteins to their ${config.model.homology_candidates} nearest training references`,
      );
      evidence = homologyEvidence({
        all,
        sequences,
        split,
        classes: k,
        candidates: config.model.homology_candidates,
        seedCandidates: config.model.homology_seed_candidates,
        kernels: deps.kernels,
        pairAligner: deps.pairAligner,
        onProgress: (done, total) => deps.onProgress?.(done / total, `homology ${done}/${total}`),
      });
    }
    const fusion = fitValidationFusion(result.params, valSet, k, deps.kernels, evidence?.val);
    const negative = negativeClass(config.task.name, labels);
    // 6. Confidence: a calibrator fitted on out-of-fold calls of the training and validation
    // proteins (an identity-cluster K-fold, each fold called as if its families were unseen).
    const calibrationStarted = deps.clock.now().getTime();
    deps.onStage?.(
      'calibrating confidence on out-of-fold calls (identity-cluster folds of the training data)',
    );
    const pool = [...split.train, ...split.val];
    // Cancelled training keeps its best checkpoint without a calibrator (temperature only), as
    // does a cancel during this stage.
    const oof = result.cancelled
      ? undefined
      : await outOfFoldCalibration({
          all,
          pool,
          groups: split.groups,
          spec,
          training: {
            epochs: result.bestEpoch,
            batchSize: config.experiment.batch_size,
            optimizer: optimizerFrom(config),
            seed: config.experiment.seed,
            sampling:
              config.experiment.class_balance === 'weighted_sampler' ? 'weighted' : 'shuffle',
            classWeights: config.experiment.class_balance === 'class_weights' ? 'balanced' : 'none',
          },
          homology: homologyOn
            ? {
                all,
                sequences,
                classes: k,
                candidates: config.model.homology_candidates,
                seedCandidates: config.model.homology_seed_candidates,
                kernels: deps.kernels,
                pairAligner: deps.pairAligner,
                alpha: fusion.alpha,
                minSimilarity: config.model.homology_min_similarity,
              }
            : undefined,
          temperature: fusion.temperature,
          negative,
          kernels: deps.kernels,
          seed: config.processing.seed,
          signal,
          onProgress: (done, total, message) => deps.onProgress?.(done / total, message),
        }).catch((e: unknown) => {
          if (signal?.aborted === true) {
            return undefined;
          }
          throw e;
        });
    const calibrator = oof?.calibrator;
    const calibrationSeconds = (deps.clock.now().getTime() - calibrationStarted) / 1000;
    deps.onStage?.('evaluating on the held-out test set');
    const evaluation = evaluate(
      result.params,
      valSet,
      testSet,
      labels,
      positive,
      deps.kernels,
      evidence,
      { negative, minSimilarity: config.model.homology_min_similarity },
      { fusion, calibrator },
    );
    await run.writeJson('metrics.json', {
      best_epoch: result.bestEpoch,
      epochs_run: result.history.length,
      stopped_early: result.stoppedEarly,
      cancelled: result.cancelled,
      split: {
        method: split.method,
        note: split.note,
        train: trainSet.n,
        val: valSet.n,
        test: testSet.n,
      },
      homology: homologyOn
        ? 'on'
        : dataset.kind === 'vectors'
          ? 'off: the dataset has no sequences to align'
          : 'off (model.homology=false)',
      test: evaluation.test,
      test_roc_auc: evaluation.rocAuc,
      fusion: { ...evaluation.fusion, min_similarity: evaluation.minSimilarity },
      test_classifier_only: evaluation.classifierOnly,
      test_homology_only: evaluation.homologyOnly,
      test_average_precision: evaluation.averagePrecision,
      calibration: {
        ...evaluation.calibration,
        confidence_calibrator:
          calibrator === undefined
            ? null
            : { ...calibrator, seconds: Number(calibrationSeconds.toFixed(2)) },
      },
    });
    await deps.charts(
      run,
      trainingCharts({
        labels,
        history: result.history,
        bestEpoch: result.bestEpoch,
        valF1: valHistory,
        evaluation,
      }),
    );

    // 7. The model artifact, registered.
    const header: ModelHeaderBody = {
      packageVersion: deps.run.packageVersion,
      createdAt: deps.clock.now().toISOString(),
      task: config.task.name,
      labels,
      positiveLabel: config.task.positive_label ?? undefined,
      embedder: {
        name: config.embedder.name,
        id: deps.embedder.id,
        dim,
        fingerprint: deps.embedder.fingerprint,
        // A vectors-only model records just its dimension: there is no file to look ids up in.
        options:
          dataset.kind === 'vectors'
            ? { dim }
            : config.embedder.path === null
              ? {}
              : { path: config.embedder.path },
      },
      architecture: {
        kind: 'mlp',
        inputDim: features.dim,
        hidden: spec.hidden,
        outputDim: k,
        dropout: spec.dropout,
      },
      normalisation: { kind: 'standardise' },
      homology: homologyOn
        ? {
            candidates: config.model.homology_candidates,
            seedCandidates: config.model.homology_seed_candidates,
            seedShapes: [...DEFAULT_SHAPES],
            alpha: evaluation.fusion.alpha,
            minSimilarity: evaluation.minSimilarity,
            references: {
              ids: split.train.map((i) => ids[i] ?? ''),
              labels: split.train.map((i) => all.y[i] as number),
              sequences: split.train.map((i) => sequences[i] ?? ''),
              metadata: metadataColumns(
                split.train.map((i) => ids[i] ?? ''),
                deps.referenceMetadata,
              ),
            },
          }
        : undefined,
      calibration: {
        temperature: evaluation.calibration.temperature,
        eceBefore: evaluation.calibration.eceBefore,
        eceAfter: evaluation.calibration.eceAfter,
        confidence: calibrator,
      },
      training: {
        runId: run.id,
        dataFingerprint: deps.dataset.fingerprint,
        dataset: deps.dataset.source,
        // 'vectors': an embedding-only model (HDF5 embeddings in, no FASTA); docs/datasets.md.
        input: dataset.kind,
        seed: config.experiment.seed,
        bestEpoch: result.bestEpoch,
        split: split.method,
        testMetrics: {
          accuracy: evaluation.test.accuracy,
          f1: evaluation.test.f1,
          mcc: evaluation.test.mcc,
        },
      },
    };
    const tensors = new Map<string, Float32Array>([
      ['mlp.params', result.params.data],
      ['norm.mean', norm.mean],
      ['norm.std', norm.std],
    ]);
    const artifact = encodeArtifact(header, tensors);
    await run.writeBytes('model.argm', artifact);
    const status = result.cancelled || signal?.aborted === true ? 'cancelled' : 'completed';
    const registered =
      status === 'completed' && deps.registry !== undefined
        ? await deps.registry.register({
            artifact,
            runId: run.id,
            task: config.task.name,
            metrics: {
              accuracy: evaluation.test.accuracy,
              f1: evaluation.test.f1,
              mcc: evaluation.test.mcc,
            },
          })
        : undefined;
    await run.finish(status === 'completed' ? 'finished' : 'killed', {
      summary: {
        best_epoch: result.bestEpoch,
        test_f1: evaluation.test.f1,
        test_accuracy: evaluation.test.accuracy,
        test_mcc: evaluation.test.mcc,
        model_version: registered?.version,
      },
    });
    return {
      runId: run.id,
      runDir: run.dir,
      status,
      modelVersion: registered?.version,
      modelPath: registered?.path,
      bestEpoch: result.bestEpoch,
      epochsRun: result.history.length,
      test: evaluation.test,
      splitSizes: { train: trainSet.n, val: valSet.n, test: testSet.n },
      split: { method: split.method, note: split.note },
      homologySkipped: config.model.homology && !homologyOn,
      seconds: (deps.clock.now().getTime() - started) / 1000,
    };
  } catch (e) {
    const message =
      e instanceof ArginatorError ? e.oneLine() : e instanceof Error ? e.message : String(e);
    await run.finish(signal?.aborted === true ? 'killed' : 'failed', { error: message });
    throw e;
  }
}

/**
 * What the run read, by content: the dataset and labels files and the cluster table the split
 * grouped by (a clusters file or computed clusters; null for a stratified split), in one fingerprint.
 */
function dataRecord(deps: TrainDeps, ids: readonly string[], split: SplitIndices): RunData {
  const hashes = deps.dataset.hashes;
  const dataset = hashes?.dataset ?? deps.dataset.fingerprint;
  const labels = hashes?.labels ?? null;
  const clusters =
    split.groups === undefined ? null : deps.hash({ ids, clusters: Array.from(split.groups) });
  return {
    fingerprint: deps.hash({ dataset, labels, clusters, task: deps.config.task.name }),
    dataset,
    labels,
    clusters,
  };
}

/** The class a masked call falls back to (NBL / Non-Betalactamase), as predictor.ts finds it; -1 if none. */
function negativeClass(task: string, labels: readonly string[]): number {
  return labels.indexOf(task === 'binary' ? BINARY_NEGATIVE : NOT_BETALACTAMASE);
}

function reportOptions(positive: number | undefined): { positive?: number } {
  return positive === undefined ? {} : { positive };
}

function averaged(report: ClassificationReport): { precision: number; recall: number } {
  return report.binary ?? report.macro;
}

/** The references' names in artifact order ('' unknown); undefined when no reference has any. */
function metadataColumns(
  ids: readonly string[],
  table: ReadonlyMap<string, ReferenceNames> | undefined,
): ReferenceMetadataColumns | undefined {
  if (table === undefined || !ids.some((id) => table.has(id))) {
    return undefined;
  }
  const names = ids.map((id) => table.get(id));
  return {
    genes: names.map((n) => n?.gene ?? ''),
    families: names.map((n) => n?.family ?? ''),
    subclasses: names.map((n) => n?.subclass ?? ''),
  };
}
