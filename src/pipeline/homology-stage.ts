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

export function homologyEvidence(input: HomologyStageInput): HomologyEvidence {
  const { all, sequences, split, classes, kernels } = input;
  const refs = prepareReferences(
    {
      sequences: split.train.map((i) => sequences[i] ?? ''),
      labels: Int32Array.from(split.train, (i) => all.y[i] as number),
      classes,
      embeddings: rows(all, split.train),
      dim: all.dim,
    },
    input.seedCandidates > 0 ? { seedShapes: DEFAULT_SHAPES } : {},
  );
  const total = split.val.length + split.test.length;
  const side = (indices: readonly number[], offset: number): Float32Array =>
    homologyFeatures(
      { sequences: indices.map((i) => sequences[i] ?? ''), embeddings: rows(all, indices) },
      refs,
      kernels,
      {
        candidates: input.candidates,
        seedCandidates: input.seedCandidates,
        ...(input.pairAligner === undefined ? {} : { pairAligner: input.pairAligner }),
        onProgress: (d) => input.onProgress?.(offset + d, total),
      },
    ).perClass;
  return { val: side(split.val, 0), test: side(split.test, split.val.length) };
}

function rows(data: DenseDataset, indices: readonly number[]): Float32Array {
  const x = new Float32Array(indices.length * data.dim);
  indices.forEach((r, i) => x.set(data.x.subarray(r * data.dim, (r + 1) * data.dim), i * data.dim));
  return x;
}
