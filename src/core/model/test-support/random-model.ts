// Test and bench helper: a real model artifact with random MLP weights and identity standardisation.
import type {
  ConfidenceCalibrator,
  ModelHeaderBody,
  ReferenceMetadataColumns,
} from '../artifact.ts';
import { encodeArtifact } from '../artifact.ts';
import { initMlp } from '../mlp.ts';
import { createRng } from '../../rng.ts';

export interface RandomModelOptions {
  readonly embedder: {
    readonly id: string;
    readonly dim: number;
    readonly fingerprint: Readonly<Record<string, unknown>>;
  };
  readonly labels: readonly string[];
  /** Reference proteins for the homology evidence; none = a classifier-only model. */
  readonly references?: {
    readonly ids: readonly string[];
    readonly labels: readonly number[];
    readonly sequences: readonly string[];
    /** Names of the references (gene, family, subclass); absent = an older model's none. */
    readonly metadata?: ReferenceMetadataColumns;
  };
  /** Homology settings besides the references (default: 1 cosine candidate, α 4, no seeds). */
  readonly homology?: Partial<{
    candidates: number;
    alpha: number;
    seedCandidates: number;
    seedShapes: readonly string[];
    minSimilarity: number;
  }>;
  readonly temperature?: number;
  /** The call-confidence calibrator (a version-2 model); absent = temperature only. */
  readonly confidence?: ConfidenceCalibrator;
  /** The positive class of a binary model (its header's positiveLabel). */
  readonly positiveLabel?: string;
  readonly seed?: number;
  readonly packageVersion?: string;
}

/** The encoded .argm bytes of a small model (one hidden layer of 8) over the given embedder. */
export function randomModelArtifact(options: RandomModelOptions): Uint8Array {
  const { embedder, labels, references } = options;
  const dim = embedder.dim;
  const k = labels.length;
  const spec = { inputDim: dim, hidden: [8], outputDim: k, dropout: 0 };
  const params = initMlp(spec, createRng(options.seed ?? 3));
  const body: ModelHeaderBody = {
    packageVersion: options.packageVersion ?? 'test',
    createdAt: '2026-11-26T00:00:00.000Z',
    task: labels.includes('NBL') ? 'multiclass' : 'binary',
    labels,
    ...(options.positiveLabel === undefined ? {} : { positiveLabel: options.positiveLabel }),
    embedder: {
      name: 'builtin',
      id: embedder.id,
      dim,
      fingerprint: embedder.fingerprint,
      options: {},
    },
    architecture: { kind: 'mlp', ...spec },
    normalisation: { kind: 'standardise' },
    homology:
      references === undefined
        ? undefined
        : {
            candidates: options.homology?.candidates ?? 1,
            alpha: options.homology?.alpha ?? 4,
            ...(options.homology?.seedCandidates === undefined
              ? {}
              : { seedCandidates: options.homology.seedCandidates }),
            ...(options.homology?.seedShapes === undefined
              ? {}
              : { seedShapes: options.homology.seedShapes }),
            ...(options.homology?.minSimilarity === undefined
              ? {}
              : { minSimilarity: options.homology.minSimilarity }),
            references,
          },
    calibration: {
      temperature: options.temperature ?? 1,
      ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
    },
    training: {},
  };
  return encodeArtifact(
    body,
    new Map([
      ['mlp.params', params.data],
      ['norm.mean', new Float32Array(dim)],
      ['norm.std', new Float32Array(dim).fill(1)],
    ]),
  );
}
