// Homology evidence of the validation and test proteins: best similarity to each class's training references.
import type { DenseDataset } from '../core/model/dataset.ts';
import { homologyFeatures, prepareReferences } from '../core/model/homology.ts';
import { DEFAULT_SHAPES } from '../core/sequence/seed-index.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { PairAligner } from '../core/sequence/pair-aligner.ts';
import type { SplitIndices } from './train-split.ts';

export interface HomologyStageInput {
  readonly all: DenseDataset;
  readonly sequences: readonly string[];
  readonly split: SplitIndices;
  readonly classes: number;
  readonly candidates: number;
  readonly seedCandidates: number;
  readonly kernels: Kernels;
  readonly pairAligner?: PairAligner | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** n×classes similarity matrices for the validation and test rows (references: the training rows). */
export interface HomologyEvidence {
  readonly val: Float32Array;
  readonly test: Float32Array;
}

/** What evidenceAgainst needs besides the rows: the data, the retrieval settings and the aligner. */
export type EvidenceSettings = Omit<HomologyStageInput, 'split' | 'onProgress'>;

/**
 * Per query row, the best similarity to each class's references (queries.length × classes), the
 * references being the rows `references` of `all` — as the predictor of a model trained on them sees it.
 */
export function evidenceAgainst(
  input: EvidenceSettings,
  references: readonly number[],
  queries: readonly (readonly number[])[],
  onProgress?: (done: number, total: number) => void,
): Float32Array[] {
  const { all, sequences, classes, kernels } = input;
  const refs = prepareReferences(
    {
      sequences: references.map((i) => sequences[i] ?? ''),
      labels: Int32Array.from(references, (i) => all.y[i] as number),
      classes,
      embeddings: rows(all, references),
      dim: all.dim,
    },
    input.seedCandidates > 0 ? { seedShapes: DEFAULT_SHAPES } : {},
  );
  const total = queries.reduce((s, q) => s + q.length, 0);
  let offset = 0;
  return queries.map((indices) => {
    const start = offset;
    offset += indices.length;
    return homologyFeatures(
      { sequences: indices.map((i) => sequences[i] ?? ''), embeddings: rows(all, indices) },
      refs,
      kernels,
      {
        candidates: input.candidates,
        seedCandidates: input.seedCandidates,
        ...(input.pairAligner === undefined ? {} : { pairAligner: input.pairAligner }),
        onProgress: (d) => onProgress?.(start + d, total),
      },
    ).perClass;
  });
}

export function homologyEvidence(input: HomologyStageInput): HomologyEvidence {
  const { split } = input;
  const [val, test] = evidenceAgainst(
    input,
    split.train,
    [split.val, split.test],
    input.onProgress,
  );
  return { val: val ?? new Float32Array(0), test: test ?? new Float32Array(0) };
}

export function rows(data: DenseDataset, indices: readonly number[]): Float32Array {
  const x = new Float32Array(indices.length * data.dim);
  indices.forEach((r, i) => x.set(data.x.subarray(r * data.dim, (r + 1) * data.dim), i * data.dim));
  return x;
}
