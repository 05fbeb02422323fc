// Labelled examples as the dataset loaders produce them.
import { BINARY_NEGATIVE, BINARY_POSITIVE, NOT_BETALACTAMASE } from '../domain.ts';
import type { BinaryLabel, MulticlassLabel } from '../domain.ts';
import type { ProteinRecord } from '../sequence/protein-record.ts';

// The label words live in core/domain.ts; re-exported for the dataset loaders.
export { BINARY_LABELS, MULTICLASS_LABELS } from '../domain.ts';
export type { BinaryLabel, MulticlassLabel } from '../domain.ts';

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
  return label === NOT_BETALACTAMASE ? BINARY_NEGATIVE : BINARY_POSITIVE;
}
