// The drift report: features of reference and current embeddings, one test per feature, the dataset verdict, multivariate tests.
import { ArginatorError, throwIfAborted } from '../errors.ts';
import { fitPca, projectPca, type Pca } from '../map/pca.ts';
import { createRng } from '../rng.ts';
import type { Column, ColumnDrift } from './column-drift.ts';
import { columnDrift } from './column-drift.ts';
import type { DomainClassifierResult } from './domain-classifier.ts';
import { domainClassifierTest } from './domain-classifier.ts';
import { embeddingStatistics } from './embedding-features.ts';
import type { MmdResult } from './mmd.ts';
import { mmdTest } from './mmd.ts';
import { categoryCounts } from './two-sample-tests.ts';

/** Evidently's DataDriftPreset: the dataset drifts when at least this share of its columns drift. */
export const DATASET_DRIFT_SHARE = 0.5;
/** The original report's PCA size. */
export const PCA_COMPONENTS = 20;

/** One side of the comparison: n embeddings and the label of each (reference: trained; current: predicted). */
export interface DriftSample {
  readonly embeddings: Float32Array;
  readonly rows: number;
  readonly labels: readonly string[];
}

export interface DriftInput {
  readonly reference: DriftSample;
  readonly current: DriftSample & {
    /** known / distant / novel per current protein (reported as rates; not a tested column). */
    readonly novelty?: readonly string[] | undefined;
  };
  readonly dim: number;
  /** Seeds the PCA, the classifier's split and the MMD permutations (default 42). */
  readonly seed?: number | undefined;
  readonly pcaComponents?: number | undefined;
  /**
   * The PCA of this reference fitted before (same seed and components), e.g. by an earlier check of
   * the same model: fitting it is the largest single cost of a report.
   */
  readonly referencePca?: Pca | undefined;
  /** Bounds of the multivariate tests (rows per side, permutations); defaults in their modules. */
  readonly classifierRowsPerSide?: number | undefined;
  readonly mmdRowsPerSide?: number | undefined;
  readonly mmdPermutations?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** A tested column with its values (for histograms and for agreement tests against scipy). */
export interface DriftFeature {
  readonly name: string;
  readonly description: string;
  readonly column: Column;
}

export interface FeatureVerdict extends ColumnDrift {
  readonly name: string;
  readonly kind: Column['kind'];
  readonly description: string;
}

export interface DriftReport {
  /** Dataset drift (Evidently's rule): at least `shareThreshold` of the features drift. */
  readonly drift: boolean;
  readonly share: number;
  readonly shareThreshold: number;
  readonly driftedFeatures: number;
  readonly features: readonly FeatureVerdict[];
  readonly multivariate: {
    readonly classifier: DomainClassifierResult;
    readonly mmd: MmdResult;
  };
  readonly rows: { readonly reference: number; readonly current: number };
  /** Share of the reference's variance the PCA components keep. */
  readonly pcaExplainedVariance: number;
  /** Label shares on each side (reference: the training labels; current: the predictions). */
  readonly labels: {
    readonly reference: Readonly<Record<string, number>>;
    readonly current: Readonly<Record<string, number>>;
  };
  /** The current's novelty: counts and the share called novel (undefined when not given). */
  readonly novelty?:
    { readonly counts: Readonly<Record<string, number>>; readonly rate: number } | undefined;
  readonly seed: number;
}

function checkSample(what: string, s: DriftSample, dim: number): void {
  if (s.rows < 2) {
    throw new ArginatorError(
      'BAD_INPUT',
      'drift.too-few-rows',
      `the ${what} has ${s.rows} protein${s.rows === 1 ? '' : 's'}; a drift test needs at least 2`,
      `give the ${what} more proteins`,
    );
  }
  if (s.embeddings.length !== s.rows * dim || s.labels.length !== s.rows) {
    throw new ArginatorError(
      'INTERNAL',
      'drift.bad-sample',
      `the ${what} has ${s.embeddings.length} values and ${s.labels.length} labels for ${s.rows} rows of ${dim}`,
      'pass rows×dim embeddings and one label per row',
    );
  }
}

function shares(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    out[v] = (out[v] ?? 0) + 1;
  }
  for (const k of Object.keys(out)) {
    out[k] = (out[k] as number) / values.length;
  }
  return out;
}

function column(values: Float32Array | Float64Array, k: number, c: number): Float64Array {
  const n = values.length / k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = values[i * k + c] as number;
  }
  return out;
}

/** The tested columns: PCA components fitted on the reference, L2, L1, entropy, the label. */
export function driftFeatures(input: DriftInput): {
  features: DriftFeature[];
  explainedVariance: number;
  pca: Pca;
} {
  const { reference: ref, current: cur, dim } = input;
  checkSample('reference', ref, dim);
  checkSample('current set', cur, dim);
  const rng = createRng(input.seed ?? 42);
  const pca =
    input.referencePca ??
    fitPca(ref.embeddings, ref.rows, dim, {
      components: input.pcaComponents ?? PCA_COMPONENTS,
      rng,
      signal: input.signal,
    });
  const refPc = projectPca(pca, ref.embeddings, ref.rows);
  const curPc = projectPca(pca, cur.embeddings, cur.rows);
  const k = pca.components;
  const features: DriftFeature[] = [];
  for (let c = 0; c < k; c++) {
    features.push({
      name: `pc_${c + 1}`,
      description: `principal component ${c + 1} of the reference embeddings (${((100 * (pca.variances[c] as number)) / pca.totalVariance).toFixed(1)}% of its variance)`,
      column: { kind: 'numeric', reference: column(refPc, k, c), current: column(curPc, k, c) },
    });
  }
  const refStats = embeddingStatistics(ref.embeddings, ref.rows, dim);
  const curStats = embeddingStatistics(cur.embeddings, cur.rows, dim);
  features.push(
    {
      name: 'l2_norm',
      description: 'Euclidean norm of the embedding',
      column: { kind: 'numeric', reference: refStats.l2, current: curStats.l2 },
    },
    {
      name: 'l1_norm',
      description: 'sum of the absolute values of the embedding',
      column: { kind: 'numeric', reference: refStats.l1, current: curStats.l1 },
    },
    {
      name: 'entropy',
      description: 'Shannon entropy of |x| / Σ|x| (natural log)',
      column: { kind: 'numeric', reference: refStats.entropy, current: curStats.entropy },
    },
    {
      name: 'predicted_label',
      description: 'class: the training label on the reference, the prediction on the current set',
      column: { kind: 'categorical', reference: ref.labels, current: cur.labels },
    },
  );
  let kept = 0;
  for (let c = 0; c < k; c++) {
    kept += pca.variances[c] as number;
  }
  return {
    features,
    explainedVariance: pca.totalVariance > 0 ? kept / pca.totalVariance : 0,
    pca,
  };
}

/** Tests every feature with Evidently's default, decides dataset drift, and runs the two embedding tests. */
export function computeDriftReport(input: DriftInput): {
  report: DriftReport;
  features: DriftFeature[];
  /** The reference's PCA, to pass back as `referencePca` for the next report on the same reference. */
  pca: Pca;
} {
  const seed = input.seed ?? 42;
  const { features, explainedVariance, pca } = driftFeatures(input);
  throwIfAborted(input.signal, 'the drift report');
  const verdicts: FeatureVerdict[] = features.map((f) => ({
    name: f.name,
    kind: f.column.kind,
    description: f.description,
    ...columnDrift(f.column),
  }));
  const drifted = verdicts.filter((v) => v.drift).length;
  const share = drifted / verdicts.length;
  const { reference: ref, current: cur, dim } = input;
  const classifier = domainClassifierTest(ref.embeddings, ref.rows, cur.embeddings, cur.rows, dim, {
    rng: createRng(seed + 1),
    maxRowsPerSide: input.classifierRowsPerSide,
    signal: input.signal,
  });
  const mmd = mmdTest(ref.embeddings, ref.rows, cur.embeddings, cur.rows, dim, {
    rng: createRng(seed + 2),
    maxRowsPerSide: input.mmdRowsPerSide,
    permutations: input.mmdPermutations,
    signal: input.signal,
  });
  const novelty =
    cur.novelty === undefined
      ? undefined
      : (() => {
          const counts = categoryCounts([], cur.novelty);
          const byName: Record<string, number> = {};
          counts.categories.forEach((c, i) => {
            byName[c] = counts.current[i] as number;
          });
          return { counts: byName, rate: (byName['novel'] ?? 0) / cur.novelty.length };
        })();
  return {
    report: {
      drift: share >= DATASET_DRIFT_SHARE,
      share,
      shareThreshold: DATASET_DRIFT_SHARE,
      driftedFeatures: drifted,
      features: verdicts,
      multivariate: { classifier, mmd },
      rows: { reference: ref.rows, current: cur.rows },
      pcaExplainedVariance: explainedVariance,
      labels: { reference: shares(ref.labels), current: shares(cur.labels) },
      ...(novelty === undefined ? {} : { novelty }),
      seed,
    },
    features,
    pca,
  };
}
