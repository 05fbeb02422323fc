// Labelled examples as the dataset loaders produce them.
import type { ProteinRecord } from '../sequence/protein-record.ts';

/** Multiclass labels of the product (Ambler classes + not a beta-lactamase). */
export const MULTICLASS_LABELS = ['A', 'B', 'C', 'D', 'NBL'] as const;
export type MulticlassLabel = (typeof MULTICLASS_LABELS)[number];

/** Binary labels of the product. */
export const BINARY_LABELS = ['Betalactamase', 'Non-Betalactamase'] as const;
export type BinaryLabel = (typeof BINARY_LABELS)[number];

/** A protein sequence with its label (FASTA-based datasets). */
export interface LabelledProtein {
  readonly record: ProteinRecord;
  readonly label: string;
}

/** A precomputed vector with its label (HDF5-based datasets). */
export interface LabelledVector {
  readonly id: string;
  readonly label: string;
  readonly vector: Float32Array;
}

/** Maps a multiclass label to the binary task's label. */
export function toBinaryLabel(label: MulticlassLabel): BinaryLabel {
  return label === 'NBL' ? 'Non-Betalactamase' : 'Betalactamase';
}
