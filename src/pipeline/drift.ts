// Drift of a current set of proteins against a model's training references: predict, collect embeddings, report.
import { BINARY_NEGATIVE, BINARY_POSITIVE, NOT_BETALACTAMASE } from '../core/domain.ts';
import type {
  DriftHistogramJson,
  DriftRunReport,
  DriftTrigger,
} from '../core/drift/drift-contract.ts';
import { computeDriftReport, type DriftFeature } from '../core/drift/drift-report.ts';
import { featureHistograms } from '../core/drift/feature-histograms.ts';
import { ArginatorError, throwIfAborted } from '../core/errors.ts';
import type { Pca } from '../core/map/pca.ts';
import { createRng } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { EmbeddedProtein, PredictedBatch, PredictionModel } from './predict.ts';
import { predictBatches, predictEmbeddingBatches } from './predict.ts';

/** Proteins kept from the current set at most (a seeded uniform sample beyond): bounds memory. */
export const DEFAULT_MAX_CURRENT = 20_000;

export type DriftCurrentInput =
  | {
      readonly kind: 'fasta';
      readonly records: AsyncIterable<ProteinRecord> | Iterable<ProteinRecord>;
    }
  | {
      readonly kind: 'hdf5';
      readonly embeddings: AsyncIterable<EmbeddedProtein> | Iterable<EmbeddedProtein>;
      readonly source: string;
    };

export interface DriftOptions {
  readonly model: PredictionModel;
  /** The model's references embedded by its embedder (n×dim), as the model loader gives them. */
  readonly referenceEmbeddings: Float32Array | undefined;
  /**
   * The labels the model was trained with (its file's header), which the references' label indices
   * index; when `model` answers the binary task from a multiclass model, the reference labels are
   * collapsed the same way. Default: the model's own header labels.
   */
  readonly trainedLabels?: readonly string[] | undefined;
  readonly current: DriftCurrentInput;
  /** Where the current set comes from (a file, a job, a window of jobs), for the report. */
  readonly currentSource: string;
  readonly seed?: number | undefined;
  readonly maxCurrent?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((proteins: number) => void) | undefined;
}

export interface DriftRun {
  readonly report: DriftRunReport;
  /** The tested columns with their values (for the HTML report's histograms). */
  readonly features: readonly DriftFeature[];
  /** The features' distributions as counts, kept with the report (the web UI draws them). */
  readonly histograms: readonly DriftHistogramJson[];
}

/**
 * Reference PCAs by reference array and seed: a long-lived process (the server's scheduled checks)
 * loads a model once and fits its PCA once; a new model's array is a new key.
 */
const PCA_CACHE = new WeakMap<Float32Array, Map<number, Pca>>();

/** The model's references as the drift reference: their embeddings and training labels. */
function referenceOf(
  model: PredictionModel,
  embeddings: Float32Array | undefined,
  trainedLabels: readonly string[] | undefined,
): { embeddings: Float32Array; rows: number; labels: string[] } {
  const { header } = model.predictor;
  const names = trainedLabels ?? header.labels;
  // A multiclass model answering the binary task: A–D are beta-lactamases, NBL is not.
  const collapse =
    header.task === 'binary' && names.includes(NOT_BETALACTAMASE)
      ? (label: string): string => (label === NOT_BETALACTAMASE ? BINARY_NEGATIVE : BINARY_POSITIVE)
      : (label: string): string => label;
  const refs = header.homology?.references;
  if (refs === undefined || embeddings === undefined) {
    throw new ArginatorError(
      'BAD_INPUT',
      'drift.no-reference',
      `model ${model.version} stores no training proteins, so there is no reference to compare with`,
      'train the model again with this version of arginator (models keep their training proteins as references), or pass --model with another model',
    );
  }
  const rows = refs.labels.length;
  const dim = header.embedder.dim;
  if (embeddings.length !== rows * dim) {
    throw new ArginatorError(
      'INTERNAL',
      'drift.reference-size',
      `model ${model.version} has ${rows} references but ${embeddings.length / dim} reference embeddings`,
      'delete the cache folder of the data directory so the references are embedded again',
    );
  }
  return { embeddings, rows, labels: refs.labels.map((l) => collapse(names[l] ?? String(l))) };
}

/**
 * Predicts the current set with the model (as `arginator predict` does), keeps each protein's
 * embedding, predicted label and novelty (a seeded uniform sample of `maxCurrent` if it has more),
 * and compares it with the model's references (core/drift/drift-report.ts).
 */
export async function runDrift(options: DriftOptions): Promise<DriftRun> {
  const { model, signal } = options;
  const reference = referenceOf(model, options.referenceEmbeddings, options.trainedLabels);
  const dim = model.predictor.header.embedder.dim;
  const cap = options.maxCurrent ?? DEFAULT_MAX_CURRENT;
  const seed = options.seed ?? 42;
  const rng = createRng(seed + 3);
  // Reservoir sampling (Algorithm R) keeps memory at cap rows whatever the input size.
  const kept: { vector: Float32Array; label: string; novelty: string }[] = [];
  let seen = 0;
  const batches: AsyncIterable<PredictedBatch> =
    options.current.kind === 'fasta'
      ? predictBatches(options.current.records, { model, signal, onProgress: options.onProgress })
      : predictEmbeddingBatches(options.current.embeddings, {
          model,
          signal,
          onProgress: options.onProgress,
          source: options.current.source,
        });
  for await (const batch of batches) {
    batch.proteins.forEach((p, i) => {
      const item = {
        vector: batch.embeddings.slice(i * dim, (i + 1) * dim),
        label: p.prediction.label,
        novelty: p.prediction.novelty,
      };
      if (kept.length < cap) {
        kept.push(item);
      } else {
        const j = Math.floor(rng() * (seen + 1));
        if (j < cap) {
          kept[j] = item;
        }
      }
      seen++;
    });
  }
  throwIfAborted(signal, 'the drift check');
  const embeddings = new Float32Array(kept.length * dim);
  kept.forEach((k, i) => embeddings.set(k.vector, i * dim));
  const pcas = PCA_CACHE.get(reference.embeddings) ?? new Map<number, Pca>();
  PCA_CACHE.set(reference.embeddings, pcas);
  const { report, features, pca } = computeDriftReport({
    reference,
    current: {
      embeddings,
      rows: kept.length,
      labels: kept.map((k) => k.label),
      novelty: kept.map((k) => k.novelty),
    },
    dim,
    seed,
    signal,
    referencePca: pcas.get(seed),
  });
  pcas.set(seed, pca);
  return {
    report: {
      ...report,
      model: model.version,
      reference: { source: `model ${model.version}'s training proteins`, rows: reference.rows },
      current: { source: options.currentSource, rows: kept.length, seen },
    },
    features,
    histograms: featureHistograms(features),
  };
}

/** A drift report as kept: when it was made, and an id to fetch it by. */
export interface StoredDriftReport {
  readonly id: string;
  readonly createdAt: string;
  readonly report: DriftRunReport;
  /** Absent in reports recorded before they were kept. */
  readonly trigger?: DriftTrigger | undefined;
  readonly histograms?: readonly DriftHistogramJson[] | undefined;
}

/** What is kept besides the report itself. */
export interface DriftReportExtras {
  readonly trigger?: DriftTrigger | undefined;
  readonly histograms?: readonly DriftHistogramJson[] | undefined;
}

/** Where drift reports are kept (store/fs-drift-store.ts): the latest for the service, the rest as history. */
export interface DriftReportStore {
  save(
    report: DriftRunReport,
    createdAt: Date,
    extras?: DriftReportExtras,
  ): Promise<StoredDriftReport>;
  latest(): Promise<StoredDriftReport | undefined>;
  /** One report by id; undefined when there is none (or the id is not one this store makes). */
  get(id: string): Promise<StoredDriftReport | undefined>;
  /** The newest `limit` reports, newest first. */
  history(limit: number): Promise<StoredDriftReport[]>;
}
