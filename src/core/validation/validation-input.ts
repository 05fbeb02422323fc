// What `arginator validate` checks: the records of one input (FASTA, HDF5 file or folder) and an optional saved split.
import type { Task } from '../domain.ts';

/** The sides of a saved split (split.json's keys). */
export const SPLIT_SIDES = ['train', 'val', 'test'] as const;
export type SplitSide = (typeof SPLIT_SIDES)[number];

export interface InvalidResidue {
  readonly char: string;
  /** 1-based position in the record's sequence as written (whitespace and gaps not counted). */
  readonly position: number;
}

/** One stored vector as read, before any check: a wrong shape or type is data here, not an error. */
export interface VectorInfo {
  /** The dataset's shape as stored. */
  readonly shape: readonly number[];
  /** 'float16', 'float32', 'float64', or what else it holds ('32-bit integer', 'string', ...). */
  readonly dtype: string;
  /** The values of a 1-D floating-point dataset; absent when it is not one. */
  readonly values?: Float32Array | undefined;
}

export interface ValidationRecord {
  readonly id: string;
  /** The file it came from (a folder's class file; the input otherwise). */
  readonly file: string;
  /** The label as written; undefined for an unlabelled input. */
  readonly rawLabel?: string | undefined;
  /** The task's label it names; undefined when it names none (unknown_labels). */
  readonly label?: string | undefined;
  /** Sanitised residues (20 letters and X), for FASTA input. */
  readonly sequence?: string | undefined;
  /** Characters that are not amino acids (dropped from `sequence`). */
  readonly invalidResidues?: readonly InvalidResidue[] | undefined;
  readonly vector?: VectorInfo | undefined;
}

export interface ValidationSplit {
  readonly source: string;
  /** Protein id → the sides that list it (more than one is a leak). */
  readonly sides: ReadonlyMap<string, readonly SplitSide[]>;
}

export type InputFormat = 'fasta' | 'hdf5' | 'hdf5-folder';

export interface ValidationInput {
  readonly source: string;
  readonly format: InputFormat;
  readonly task: Task;
  /** The task's label set (config task.labels). */
  readonly taskLabels: readonly string[];
  /** Whether the input carries labels (header labels, a labels table, or class files). */
  readonly labelled: boolean;
  readonly records: readonly ValidationRecord[];
  readonly split?: ValidationSplit | undefined;
  /** How the input was read (e.g. 'labels from the FASTA headers'), shown in the report. */
  readonly notes: readonly string[];
}
